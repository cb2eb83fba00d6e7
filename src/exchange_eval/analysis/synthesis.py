"""What works across rounds: the analyses of the synthesis report.

Each function takes the loaded rounds (`core.processed.RoundData`, tables only) and the
settings it needs, and returns one tidy table with ``round_id``. Rounds are ordered by
the date of their first session (`round_order`), so "first" and "latest" mean time.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..core.tables import RoundData, concat_rounds
from .crossround import (
    CrossRoundError,
    adjust_pooled,
    ordinal_item_model,
    outcomes_by_round,
    pooled_change_model,
)
from .jsr import exchange_year, jsr_results, ladder_change, rf18_shares
from .likert import Scale, likert_summary
from .multiplicity import adjust_table
from .network import network_metrics
from .stats import PairedOptions
from .tools import rated_tools, tool_ratings
from .waves import wave_order

__all__ = [
    "round_id_of",
    "round_order",
    "has_pre_post",
    "outcomes_results",
    "model_results",
    "ordinal_results",
    "feedback_results",
    "tools_results",
    "ladder_results",
    "rf18_results",
    "network_results",
    "rf18_did_by_round",
    "between_outcomes",
    "between_feedback",
    "between_ladder",
    "between_rf18",
    "ordinal_direction",
]


def round_id_of(rd: RoundData) -> str:
    """Round id of a loaded round (its ``round_id``, else the one in its meta data)."""
    return str(getattr(rd, "round_id", None) or rd.meta.get("round_id") or "")


def round_order(rounds: Sequence[RoundData]) -> list[str]:
    """Round ids by the date of their first session (then by id)."""
    ordered = sorted(rounds, key=lambda r: (str(min((str(s.get("date")) for s in r.meta.get("sessions") or [{}]),
                                                    default="")), round_id_of(r)))
    return [round_id_of(r) for r in ordered]


def has_pre_post(responses: pd.DataFrame | None) -> bool:
    """Whether the outcome survey of ``responses`` has both a ``pre`` and a ``post`` wave."""
    if responses is None or responses.empty:
        return False
    return {"pre", "post"} <= set(responses.loc[responses["instrument"] == "outcomes", "wave"].dropna())


def outcomes_results(rounds: Sequence[RoundData], *, options: PairedOptions | None = None,
                     primary: str | None = None) -> pd.DataFrame:
    """Change by round and intermediate outcome (`crossround.outcomes_by_round`); empty
    when no round has an outcome survey before and after. The table is read as a whole,
    so its p-values are adjusted as one table: the primary outcome of every round first
    (adjusted among themselves), the other rows gated by them
    (`multiplicity.adjust_table`)."""
    responses = concat_rounds(list(rounds), "responses")
    if not has_pre_post(responses):
        return pd.DataFrame()
    options = options or PairedOptions()
    by_round = outcomes_by_round(responses, options=options, primary=primary)
    columns = list(by_round.columns)
    by_round = by_round.drop(columns=["family", "p_adjusted", "adjust_method"])
    return adjust_table(by_round, family="outcomes", method=options.multiplicity, key="outcome",
                        primary=primary)[columns]


def model_results(rounds: Sequence[RoundData], *, options: PairedOptions | None = None,
                  primary: str | None = None) -> pd.DataFrame:
    """`crossround.pooled_change_model` over every round's outcome survey, with p-values
    adjusted over the table (`crossround.adjust_pooled`); empty when there is none."""
    responses = concat_rounds(list(rounds), "responses")
    if responses.empty or "outcomes" not in set(responses["instrument"]):
        return pd.DataFrame()
    options = options or PairedOptions()
    pooled = pooled_change_model(responses, concat_rounds(list(rounds), "participants"),
                                 min_pairs=options.min_pairs, alpha=1 - options.conf_level)
    return adjust_pooled(pooled, method=options.multiplicity, primary=primary)


def ordinal_results(rounds: Sequence[RoundData], items: Sequence[str]) -> pd.DataFrame:
    """`crossround.ordinal_item_model` for each of ``items`` (the scaled outcome items)
    answered before and after in at least one round; items that cannot be modelled are
    left out."""
    responses = concat_rounds(list(rounds), "responses")
    if responses.empty:
        return pd.DataFrame()
    answered = responses[(responses["instrument"] == "outcomes") & responses["value"].notna()]
    if answered.empty or not {"pre", "post"} <= set(answered["wave"].dropna()):
        return pd.DataFrame()
    rows = []
    for item in [i for i in items if i in set(answered["item_id"])]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                rows.append(ordinal_item_model(answered, item, instrument="outcomes"))
            except (CrossRoundError, ValueError, ZeroDivisionError, ArithmeticError):
                continue
    return pd.DataFrame(rows).reset_index(drop=True) if rows else pd.DataFrame()


def feedback_results(rounds: Sequence[RoundData], *, items: Sequence[str], scale: Scale, k: int) -> pd.DataFrame:
    """Top-2 agreement per session-feedback statement and round (all sessions pooled):
    ``round_id, item_id, n, n_respondents, top2, suppressed`` (below k respondents)."""
    items = list(items)
    order = {rid: i for i, rid in enumerate(round_order(rounds))}
    parts = []
    for r in rounds:
        resp = r.responses
        if resp is None or resp.empty:
            continue
        answers = resp[(resp["instrument"] == "session_feedback") & resp["item_id"].isin(items) & resp["value"].notna()]
        if answers.empty:
            continue
        parts.append(likert_summary(answers.assign(round_id=round_id_of(r)), by="round_id", choices=scale, k=k))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(_r=out["round_id"].map(order), _i=out["item_id"].map(items.index))
    out = out.sort_values(["_i", "_r"], kind="stable").drop(columns=["_r", "_i"])
    return out[["round_id", "item_id", "n", "n_respondents", "top2", "suppressed"]].reset_index(drop=True)


def tools_results(rounds: Sequence[RoundData], *, k: int) -> pd.DataFrame:
    """`tools.tool_ratings` per round (tools with at least one rating), with ``round_id``,
    by tool (first seen first) and round order."""
    order = round_order(rounds)
    parts = []
    for r in sorted(rounds, key=lambda r: order.index(round_id_of(r))):
        if r.tool_feedback is None or r.tool_feedback.empty:
            continue
        ratings = rated_tools(tool_ratings(r.tool_feedback, k=k))
        if not ratings.empty:
            parts.append(ratings.assign(round_id=round_id_of(r)))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    tool_order = {tool: i for i, tool in enumerate(dict.fromkeys(out["tool"]))}
    out = out.assign(_t=out["tool"].map(tool_order), _r=out["round_id"].map(order.index))
    return out.sort_values(["_t", "_r"], kind="stable").drop(columns=["_t", "_r"]).reset_index(drop=True)


def ladder_results(rounds: Sequence[RoundData], dimension_ids: Sequence[str]) -> pd.DataFrame:
    """Mean maturity-ladder change (after − before) per round, dimension and group:
    ``round_id, dimension, group, n_countries, before, after, change``, dimensions in
    the configured order (``dimension_ids``), participants before comparison countries."""
    dims = list(dimension_ids)
    order = round_order(rounds)
    parts = []
    for r in rounds:
        if r.jsr_assessment is None or r.jsr_assessment.empty:
            continue
        ladder = ladder_change(r.jsr_assessment).dropna(subset=["change"])
        if ladder.empty:
            continue
        ladder = ladder.assign(group=ladder["group"].fillna("participant"))
        means = (ladder.groupby(["dimension", "group"], as_index=False)
                 .agg(n_countries=("country", "nunique"), before=("before", "mean"), after=("after", "mean"),
                      change=("change", "mean")))
        parts.append(means.assign(round_id=round_id_of(r)))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    dim_rank = {d: i for i, d in enumerate(dims)}
    out = out.assign(_r=out["round_id"].map(order.index), _d=out["dimension"].map(lambda d: dim_rank.get(d, len(dims))),
                     _g=(out["group"] != "participant").astype(int))
    out = out.sort_values(["_r", "_d", "dimension", "_g"], kind="stable").drop(columns=["_r", "_d", "_g"])
    return out[["round_id", "dimension", "group", "n_countries", "before", "after", "change"]].reset_index(drop=True)


def rf18_results(rounds: Sequence[RoundData], dimensions_config: Mapping) -> dict[str, Any]:
    """RF18 shares by year and group over every round's quality data (a country × year
    seen in several rounds counts once): ``{}`` without quality data, else ``shares``
    (`jsr.rf18_shares`) and ``exchange_year`` (the earliest round's, or None)."""
    quality = concat_rounds(list(rounds), "jsr_quality")
    if quality.empty:
        return {}
    quality = quality.drop_duplicates(subset=["country", "year"], keep="last")
    years = [y for y in (exchange_year(r.meta) for r in rounds) if y]
    return {"shares": rf18_shares(quality, dimensions_config), "exchange_year": min(years) if years else None}


def network_results(rounds: Sequence[RoundData], configured_waves: Sequence[str] = ()) -> pd.DataFrame:
    """`network.network_metrics` of every round with ties, with ``round_id`` (empty when none)."""
    frames = []
    for r in rounds:
        if r.ties is None or r.ties.empty:
            continue
        metrics = network_metrics(r.ties, r.participants, waves=wave_order(r.ties["wave"], configured_waves))
        metrics.insert(0, "round_id", round_id_of(r))
        frames.append(metrics)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def rf18_did_by_round(rounds: Sequence[RoundData], *, effect_lag_years: int,
                      dimensions_config: Mapping) -> dict[str, pd.Series]:
    """Round id -> `jsr.rf18_did` of every round whose quality data allow one."""
    dids = {}
    for r in rounds:
        if r.jsr_quality is None or r.jsr_quality.empty:
            continue
        res = jsr_results(None, r.jsr_quality, year=exchange_year(r.meta), effect_lag_years=effect_lag_years,
                          dimensions_config=dimensions_config)
        if res.get("did") is not None:
            dids[round_id_of(r)] = res["did"]
    return dids


# ------------------------------------------------------------------ first round vs latest
def _first_and_last(order: Sequence[str], present: Any) -> tuple[str, str] | None:
    rounds = [r for r in order if r in present]
    return (rounds[0], rounds[-1]) if len(rounds) >= 2 else None


def between_outcomes(results: pd.DataFrame, order: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Per outcome, the Hodges–Lehmann shift (``estimate``) in the first and the latest
    round of ``results`` (`outcomes_results`; rounds in ``order``, default by id).

    Returns one dict per outcome with both values: ``outcome, first_round, last_round,
    first, last, same`` (``same``: equal to one decimal)."""
    if results is None or results.empty or results["round_id"].nunique() < 2:
        return []
    present_ids = set(results["round_id"])
    rounds = [r for r in (order or []) if r in present_ids] or sorted(present_ids)
    first, last = rounds[0], rounds[-1]
    out = []
    for outcome, sub in results.groupby("outcome", sort=False):
        a = sub[sub["round_id"] == first]["estimate"]
        b = sub[sub["round_id"] == last]["estimate"]
        if a.empty or b.empty or pd.isna(a.iloc[0]) or pd.isna(b.iloc[0]):
            continue
        out.append({"outcome": outcome, "first_round": first, "last_round": last,
                    "first": a.iloc[0], "last": b.iloc[0],
                    "same": round(float(a.iloc[0]), 1) == round(float(b.iloc[0]), 1)})
    return out


def between_feedback(feedback: pd.DataFrame, order: Sequence[str]) -> dict[str, Any] | None:
    """Mean top-2 share over the (unsuppressed) statements of `feedback_results` in the
    first and the latest round that have one: ``first_round, last_round, first, last``."""
    if feedback is None or feedback.empty:
        return None
    shown = feedback[~feedback["suppressed"].fillna(False).astype(bool)] if "suppressed" in feedback else feedback
    means = shown.groupby("round_id")["top2"].mean().dropna()
    pair = _first_and_last(order, means.index)
    if pair is None:
        return None
    a, b = pair
    return {"first_round": a, "last_round": b, "first": means[a], "last": means[b]}


def between_ladder(ladder: pd.DataFrame, order: Sequence[str]) -> dict[str, Any] | None:
    """Mean ladder change of participants (and of comparison countries, None when either
    round lacks them) in the first and the latest round of `ladder_results`:
    ``first_round, last_round, first, last, comparison_first, comparison_last``."""
    if ladder is None or ladder.empty:
        return None
    means = ladder.groupby(["round_id", "group"])["change"].mean()
    pair = _first_and_last(order, {r for r, g in means.index if g == "participant"})
    if pair is None:
        return None
    a, b = pair
    both = (a, "comparison") in means.index and (b, "comparison") in means.index
    return {"first_round": a, "last_round": b,
            "first": means[(a, "participant")], "last": means[(b, "participant")],
            "comparison_first": means[(a, "comparison")] if both else None,
            "comparison_last": means[(b, "comparison")] if both else None}


def between_rf18(dids: Mapping[str, pd.Series | Mapping], order: Sequence[str]) -> dict[str, Any] | None:
    """The RF18 DiD (`rf18_did_by_round`) of the first and the latest round with an
    estimate: ``first_round, last_round, first, last`` (the DiD rows)."""
    estimated = {rid: did for rid, did in dids.items() if not pd.isna(did.get("estimate"))}
    pair = _first_and_last(order, estimated)
    if pair is None:
        return None
    a, b = pair
    return {"first_round": a, "last_round": b, "first": estimated[a], "last": estimated[b]}


def ordinal_direction(models: pd.DataFrame) -> dict[str, Any]:
    """How many questions of `ordinal_results` moved up or down the scale (95% interval
    entirely above or below zero), out of those estimated, and the one that moved most:
    ``n, n_up, n_down, best`` (the row with the largest positive estimate, or None)."""
    valid = models[models["estimate"].notna()] if models is not None and len(models) else pd.DataFrame()
    if valid.empty:
        return {"n": 0, "n_up": 0, "n_down": 0, "best": None}
    best = valid.loc[valid["estimate"].idxmax()]
    return {"n": len(valid), "n_up": int((valid["ci_low"] > 0).sum()), "n_down": int((valid["ci_high"] < 0).sum()),
            "best": best.to_dict() if float(best["estimate"]) > 0 else None}
