"""The feedback-collection review: every instrument check over the rounds, and the
thresholds past which the review recommends a change.

`review_findings` runs the checks of `quality` on each round; `review_flags` turns
them into recommendations (one per question, survey or scale, not per wave), each
triggered by a threshold of `review_thresholds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..core.tables import RoundData
from .likert import Scale
from .proportions import wilson_interval
from .quality import (
    ceiling_effects,
    completion_time,
    item_nonresponse,
    response_rates,
    scale_reliability,
    straightlining,
)
from .synthesis import round_id_of

__all__ = ["REVIEW_DEFAULTS", "CHECKS", "review_thresholds", "text_items", "review_findings", "review_flags"]

#: Thresholds of the recommendations: ``settings.yaml`` ``quality`` keys, with these defaults.
REVIEW_DEFAULTS: dict[str, float] = {
    "nonresponse_max": 0.20,
    "straightlining_max": 0.10,
    "alpha_min": 0.70,
    "alpha_min_n": 20,
    "burden_max_minutes": 15,
    "ceiling_share": 0.80,
    "response_rate_min": 0.60,
    "tool_mean_min": 3.0,
    "straightlining_min_items": 4,
    "recommend_min_n": 10,
}

#: The checks of the review, in report order.
CHECKS = ("response", "nonresponse", "straightlining", "reliability", "burden", "ceiling")


def review_thresholds(quality_settings: Mapping[str, Any] | None) -> dict[str, float]:
    """The recommendation thresholds: ``quality_settings`` (``settings.yaml`` ``quality``)
    over `REVIEW_DEFAULTS`.

    >>> review_thresholds({"alpha_min": 0.8})["alpha_min"], review_thresholds(None)["alpha_min"]
    (0.8, 0.7)
    """
    conf = quality_settings or {}
    return {key: float(conf.get(key, default)) for key, default in REVIEW_DEFAULTS.items()}


def text_items(instruments: Mapping) -> set[str]:
    """Free-text questions of the instruments (``instruments.yaml``): optional by design,
    so their nonresponse is not a flaw."""
    return {
        str(item["id"])
        for spec in (instruments.get("instruments") or {}).values()
        for item in spec.get("items") or []
        if item.get("type") == "text"
    }


def review_findings(
    rounds: Sequence[RoundData], *, thresholds: Mapping[str, float], scales: Mapping[str, Scale]
) -> dict[str, pd.DataFrame]:
    """Every quality check over the rounds, one table per check of `CHECKS`, each with
    ``round_id`` first (an empty table when no round has data for it).

    Parameters
    ----------
    rounds : sequence of RoundData
        The rounds reviewed.
    thresholds : mapping
        `review_thresholds` (``straightlining_min_items``, ``ceiling_share`` and
        ``alpha_min_n`` are used).
    scales : mapping
        item_id -> scale levels (`likert.item_scales`), for the ceiling check.
    """
    found: dict[str, list[pd.DataFrame]] = {name: [] for name in CHECKS}
    for r in rounds:
        resp = r.responses
        if resp is None or resp.empty:
            continue
        checks: dict[str, Callable[[], pd.DataFrame]] = {
            "response": lambda resp=resp, r=r: response_rates(resp, r.participants, attendance=r.attendance),
            "nonresponse": lambda resp=resp: item_nonresponse(resp),
            "straightlining": lambda resp=resp: straightlining(
                resp, min_items=int(thresholds["straightlining_min_items"])),
            "reliability": lambda resp=resp: scale_reliability(resp, min_n=int(thresholds.get("alpha_min_n", 20))),
            "burden": lambda resp=resp: completion_time(resp),
            "ceiling": lambda resp=resp: ceiling_effects(resp, scales, share=thresholds["ceiling_share"]),
        }
        for name, run in checks.items():
            df = run()
            if df is not None and not df.empty:
                df = df.copy()
                if "round_id" in df.columns:
                    df = df.drop(columns="round_id")
                df.insert(0, "round_id", round_id_of(r))
                found[name].append(df)
    return {name: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            for name, frames in found.items()}


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _count(value: Any) -> int:
    """An answer count, 0 when unknown (so a flag without its n is never a recommendation)."""
    return 0 if value is None or pd.isna(value) else int(value)


def _wilson(successes: float, n: float) -> tuple[float, float]:
    return wilson_interval(int(round(successes)), int(n)) if n and n > 0 else (float("nan"), float("nan"))


def review_flags(
    findings: Mapping[str, pd.DataFrame],
    thresholds: Mapping[str, float],
    *,
    free_text: set[str] = frozenset(),
    tool_ratings: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """The recommendations the findings call for, each a dict with ``kind``, the numbers
    that triggered it and ``supported``: whether the evidence carries it.

    A threshold crossed is a recommendation only when the evidence is enough to act on
    (otherwise it is kept, with ``supported`` False, for a list of things to watch):
    at least ``recommend_min_n`` answers, and a 95% Wilson interval of the share entirely
    past the threshold (nonresponse, straight-lining, ceiling, response rate); for
    Cronbach's alpha, only scales whose alpha could be estimated (``estimable`` of
    `quality.scale_reliability`: at least ``alpha_min_n`` respondents) are judged, and a
    recommendation needs an interval that excludes 0 and lies entirely below
    ``alpha_min`` (an alpha of a 2-item scale at n = 11 with an interval from −2.3 to 0.8
    says nothing).

    Parameters
    ----------
    findings : mapping
        `review_findings`.
    thresholds : mapping
        `review_thresholds`.
    free_text : set of str
        Free-text questions (`text_items`): never flagged for nonresponse.
    tool_ratings : pandas.DataFrame, optional
        `tools.tool_ratings` of the rated tools, pooled over the rounds.

    Returns
    -------
    list of dict
        One per question, survey, scale or tool (the options of a multiple-choice
        question count as one question), with ``n`` (answers behind it), ``ci_low`` and
        ``ci_high`` where an interval applies, and ``supported``:

        - ``nonresponse``: ``item`` (question id), ``share`` (highest share skipped);
        - ``response`` / ``straightlining``: ``instrument``, ``waves`` (waves past the
          threshold), ``total`` (waves measured), ``threshold``, ``low``, ``high``
          (range of the values past it);
        - ``reliability``: ``scale``, ``waves``, ``total``, ``alpha`` (lowest),
          ``threshold``;
        - ``burden``: ``instrument``, ``minutes`` (longest median), ``target``;
        - ``ceiling``: ``item_id``, ``share`` (highest top-category share);
        - ``tools``: ``tool``, ``mean``.
    """
    th = thresholds
    min_n = th.get("recommend_min_n", 10)
    flags: list[dict[str, Any]] = []
    nr = findings.get("nonresponse")
    if not _is_empty(nr):
        nr = nr[~nr["item_id"].isin(free_text)].copy()
        nr["question"] = nr["item_id"].astype(str).str.split(".").str[0]
        worst = nr.sort_values("share_missing", ascending=False).groupby("question", as_index=False).first()
        worst = worst[worst["share_missing"] > th["nonresponse_max"]].sort_values("share_missing", ascending=False)
        for row in worst.to_dict("records"):
            n = _count(row.get("n"))
            low, high = _wilson(row["share_missing"] * n, n)
            flags.append({"kind": "nonresponse", "item": row["question"], "share": row["share_missing"],
                          "n": n, "ci_low": low, "ci_high": high,
                          "supported": bool(n >= min_n and low > th["nonresponse_max"])})
    for key, column, limit, below in (("response", "response_rate", th["response_rate_min"], True),
                                      ("straightlining", "share", th["straightlining_max"], False)):
        df = findings.get(key)
        if _is_empty(df):
            continue
        n_col = "n_eligible" if key == "response" and "n_eligible" in df.columns else "n"
        for instrument, sub in df.groupby("instrument", sort=True):
            sub = sub[sub[column].notna()]
            hit = sub[sub[column] < limit] if below else sub[sub[column] > limit]
            if hit.empty:
                continue
            counts = hit[n_col] if n_col in hit.columns else pd.Series(0, index=hit.index)
            n = float(counts.fillna(0).sum())
            successes = float((hit[column] * counts.fillna(0)).sum())
            low, high = _wilson(successes, n)
            supported = n >= min_n and (high < limit if below else low > limit)
            flags.append({"kind": key, "instrument": instrument, "waves": len(hit), "total": len(sub),
                          "threshold": limit, "low": float(hit[column].min()), "high": float(hit[column].max()),
                          "n": int(n), "ci_low": low, "ci_high": high, "supported": bool(supported)})
    rel = findings.get("reliability")
    if not _is_empty(rel):
        # alpha is judged only where `stats.cronbach_alpha` could estimate it (``estimable``:
        # at least alpha_min_n respondents and some variance)
        if "estimable" in rel.columns:
            rel = rel[rel["estimable"].fillna(False).astype(bool)]
        rel = rel[rel["alpha"].notna()]
        for scale, sub in rel.groupby("scale", sort=True):
            low = sub[sub["alpha"] < th["alpha_min"]]
            if low.empty:
                continue
            worst = low.loc[low["alpha"].idxmin()]
            supported = False
            if {"n", "ci_low", "ci_high"} <= set(low.columns):
                # enough respondents, and the interval excludes 0 and lies entirely below the threshold
                carried = (low["n"] >= th["alpha_min_n"]) & (low["ci_low"] > 0) & (low["ci_high"] < th["alpha_min"])
                supported = bool(carried.fillna(False).any())
            flags.append({"kind": "reliability", "scale": scale, "waves": len(low), "total": len(sub),
                          "alpha": worst["alpha"], "threshold": th["alpha_min"], "n": _count(worst.get("n")),
                          "ci_low": worst.get("ci_low"), "ci_high": worst.get("ci_high"), "supported": supported})
    bu = findings.get("burden")
    if not _is_empty(bu):
        for instrument, sub in bu.groupby("instrument", sort=True):
            slow = sub[sub["median_s"] / 60 > th["burden_max_minutes"]]
            if slow.empty:
                continue
            flags.append({"kind": "burden", "instrument": instrument, "minutes": slow["median_s"].max() / 60,
                          "target": th["burden_max_minutes"], "n": _count(slow["n"].max() if "n" in slow else None),
                          "supported": bool(_count(slow["n"].max() if "n" in slow else None) >= min_n)})
    ce = findings.get("ceiling")
    if not _is_empty(ce) and "ceiling" in ce.columns:
        top = ce[ce["ceiling"].fillna(False).astype(bool)].sort_values("top_share", ascending=False)
        for row in top.groupby("item_id", as_index=False).first().to_dict("records"):
            n = _count(row.get("n"))
            low, high = _wilson(row["top_share"] * n, n)
            flags.append({"kind": "ceiling", "item_id": row["item_id"], "share": row["top_share"], "n": n,
                          "ci_low": low, "ci_high": high, "supported": bool(n >= min_n and low > th["ceiling_share"])})
    if not _is_empty(tool_ratings):
        low = tool_ratings[tool_ratings["mean"].notna() & (tool_ratings["mean"] < th["tool_mean_min"])]
        flags += [{"kind": "tools", "tool": row["tool"], "mean": row["mean"], "n": _count(row.get("n")),
                   "supported": bool(_count(row.get("n")) >= min_n)} for row in low.to_dict("records")]
    return flags
