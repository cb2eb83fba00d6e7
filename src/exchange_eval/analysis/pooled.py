"""Estimates pooled over rounds for the synthesis: RF18, self-assessment and ladder
difference-in-differences, plan completion and session ratings.

A pooled difference-in-differences stacks the rounds' country panels with round-specific
country and period effects (a stacked DiD: each round keeps its own comparison countries
and its own before and after), so the estimate is a weighted mean of the rounds' DiDs.
Its randomization p-value re-assigns the participant label over all countries of the
stack, which ignores that rounds fixed their own numbers of participants: read it as
indicative.

References
----------
.. [1] Cengiz, D., Dube, A., Lindner, A. & Zipperer, B. (2019). The effect of minimum
   wages on low-wage jobs. Quarterly Journal of Economics, 134(3), 1405–1454 (stacked
   difference-in-differences).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core.tables import RoundData
from .did import PanelDataError, panel_did
from .jsr import JSRDataError, exchange_year, meets_table
from .plans import plans_results
from .selfassessment import criterion_rows, selfassessment_results
from .synthesis import round_id_of, round_order

__all__ = [
    "stacked_did",
    "pooled_rf18",
    "pooled_selfassessment",
    "pooled_ladder",
    "plans_by_round",
    "selfassessment_by_round",
]


def stacked_did(panels: Sequence[tuple[str, pd.DataFrame]], *, outcome: str, n_perm: int = 2000,
                seed: int = 0) -> pd.Series | None:
    """`did.panel_did` over the rounds' panels stacked, with round-specific country and
    period effects. Each panel has ``country``, ``period``, ``group`` (participant or
    comparison), ``post`` (bool) and the ``outcome`` column. None when no panel can
    identify a DiD."""
    parts = []
    for round_id, panel in panels:
        if panel is None or panel.empty:
            continue
        parts.append(panel.assign(country=round_id + ":" + panel["country"].astype(str),
                                  period=round_id + ":" + panel["period"].astype(str)))
    if not parts:
        return None
    stack = pd.concat(parts, ignore_index=True)
    treated = sorted(set(stack.loc[stack["group"] == "participant", "country"]))
    try:
        with warnings.catch_warnings():
            # the round-specific country and period effects overlap (each round's countries
            # sum to its periods), so the design is rank-deficient; the DiD coefficient is
            # still identified and the fixed-effect parameters are not used
            warnings.simplefilter("ignore")
            return panel_did(stack, outcome=outcome, treated=treated, post=stack["post"].astype(bool),
                             period="period", n_perm=n_perm, seed=seed)
    except PanelDataError:
        return None


def _groups(df: pd.DataFrame) -> pd.Series:
    return df.dropna(subset=["group"]).groupby("country")["group"].first() if "group" in df.columns else pd.Series()


def pooled_rf18(rounds: Sequence[RoundData], *, effect_lag_years: int, dimensions_config: Mapping[str, Any]) -> pd.Series | None:
    """The stacked RF18 DiD of every round with quality data, both groups and its exchange
    year (years from ``exchange year + effect_lag_years`` count as after)."""
    panels = []
    for r in rounds:
        quality, year = r.jsr_quality, exchange_year(r.meta)
        if quality is None or quality.empty or year is None or "group" not in quality.columns:
            continue
        try:
            df = meets_table(quality, dimensions_config)
        except JSRDataError:
            continue
        panel = df.groupby(["country", "year"], as_index=False).agg(meets=("meets", "mean"))
        panel["group"] = panel["country"].map(_groups(df))
        panel["period"] = panel["year"]
        panel["post"] = panel["year"].astype(int) >= int(year) + int(effect_lag_years)
        panels.append((round_id_of(r), panel))
    return stacked_did(panels, outcome="meets")


def pooled_selfassessment(rounds: Sequence[RoundData]) -> pd.Series | None:
    """The stacked DiD of the mean self-assessment criterion rating (before vs after)."""
    panels = []
    for r in rounds:
        if r.jsr_assessment is None or r.jsr_assessment.empty:
            continue
        rows = criterion_rows(r.jsr_assessment)
        if rows.empty:
            continue
        panel = rows.groupby(["country", "period"], as_index=False).agg(rating=("rating", "mean"))
        panel["group"] = panel["country"].map(rows.groupby("country")["group"].first())
        panel["post"] = panel["period"] == "after"
        panels.append((round_id_of(r), panel))
    return stacked_did(panels, outcome="rating")


def pooled_ladder(rounds: Sequence[RoundData]) -> pd.Series | None:
    """The stacked DiD of the mean overall ladder level (before vs after)."""
    panels = []
    for r in rounds:
        ja = r.jsr_assessment
        if ja is None or ja.empty or "wave" not in ja.columns:
            continue
        crit = ja["criterion"].astype("string").str.strip()
        overall = ja.loc[(crit.isna() | crit.eq("")).fillna(True) & ja["wave"].isin(["before", "after"])]
        if overall.empty:
            continue
        panel = overall.groupby(["country", "wave"], as_index=False).agg(ladder=("rating", "mean"))
        panel["group"] = panel["country"].map(_groups(overall))
        panel["period"] = panel["wave"]
        panel["post"] = panel["wave"] == "after"
        panels.append((round_id_of(r), panel))
    return stacked_did(panels, outcome="ladder")


def plans_by_round(rounds: Sequence[RoundData], *, statuses: Sequence[str],
                   results: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Improvement-plan actions of every round at its latest follow-up: ``round_id,
    followup, n_actions, n_done, share_done, n_dropped``, rounds in time order.

    ``results`` maps a round id to its `analysis.plans.plans_results` when the round's
    own report computed them already (with the same ``statuses``)."""
    order = round_order(rounds)
    known = results or {}
    rows = []
    for r in sorted(rounds, key=lambda r: order.index(round_id_of(r))):
        res = known.get(round_id_of(r))
        if res is None:
            res = plans_results(r.plan_actions, statuses=list(statuses)) if r.plan_actions is not None else {}
        if not res or not res.get("total"):
            continue
        rows.append({"round_id": round_id_of(r), "followup": res["followup"], "n_actions": res["total"],
                     "n_done": res["done"], "share_done": res["done"] / res["total"], "n_dropped": res["dropped"]})
    return pd.DataFrame(rows, columns=["round_id", "followup", "n_actions", "n_done", "share_done", "n_dropped"])


def selfassessment_by_round(rounds: Sequence[RoundData], dimensions_config: Mapping[str, Any], *,
                            results: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Self-assessment change of participants and comparison countries in every round, and
    the round's DiD: ``round_id, change_participant, change_comparison, difference,
    estimate, ci_low, ci_high, p_value_ri, n_countries``.

    ``results`` maps a round id to its `analysis.selfassessment.selfassessment_results`
    when the round's own report computed them already (with the same dimensions; the
    multiplicity adjustment does not enter the overall change or the DiD read here)."""
    order = round_order(rounds)
    known = results or {}
    rows = []
    for r in sorted(rounds, key=lambda r: order.index(round_id_of(r))):
        res = known.get(round_id_of(r))
        if res is None:
            res = selfassessment_results(r.jsr_assessment, dimensions_config)
        if not res or res.get("overall") is None or res["overall"].empty:
            continue
        overall = res["overall"].iloc[0]
        did = res.get("did")
        rows.append({"round_id": round_id_of(r), "change_participant": overall.get("change_participant"),
                     "change_comparison": overall.get("change_comparison"), "difference": overall.get("difference"),
                     "estimate": did["estimate"] if did is not None else np.nan,
                     "ci_low": did["ci_low"] if did is not None else np.nan,
                     "ci_high": did["ci_high"] if did is not None else np.nan,
                     "p_value_ri": did["p_value_ri"] if did is not None else np.nan,
                     "n_countries": did["n_countries"] if did is not None else np.nan})
    return pd.DataFrame(rows, columns=["round_id", "change_participant", "change_comparison", "difference",
                                       "estimate", "ci_low", "ci_high", "p_value_ri", "n_countries"])
