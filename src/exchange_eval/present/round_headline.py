"""The opening of a round report: the verdict per outcome and level, the results
framework and the robustness of each headline claim.

`headline_results` runs `analysis.headline.round_headline` with the settings of the
report's data folder and gathers the facts the opening paragraph names (who answered,
which countries were compared); `verdict_block` and `framework_block` word them through
`verdict`. `export_bundle` is what the notebook hands to the publishing step for the
spreadsheet beside the report and the index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..analysis import headline as headline_analysis
from ..analysis import jsr as jsr_analysis
from ..analysis.framework import OUTCOMES
from ..analysis.outcomes import outcome_scores
from ..core.exports import EXPORT_MIME
from ..core.tables import RoundData
from .context import ReportContext
from .verdict import (
    framework_export,
    framework_section,
    headline_sentence,
    robustness_section,
    verdict_section,
)

__all__ = ["headline_results", "verdict_block", "framework_block", "export_bundle"]


def _facts(rd: RoundData, results: Mapping[str, Any], table: pd.DataFrame) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    l2 = table[table["level"] == "L2"] if not table.empty else table
    facts["not_measured"] = [o for o in OUTCOMES if l2.empty or o not in set(l2["outcome"])]
    if not l2.empty and (l2["instrument"] == "outcomes").any() and rd.responses is not None:
        scores = outcome_scores(rd.responses)
        pids = set(scores["pid"].astype(str))
        facts["n_pairs"] = len(pids)
        people = rd.participants if rd.participants is not None else pd.DataFrame(columns=["pid", "country"])
        countries = people[people["pid"].astype(str).isin(pids)]["country"].dropna().unique().tolist()
        order = [str(c) for c in rd.meta.get("countries") or []]
        facts["countries"] = sorted(map(str, countries), key=lambda c: (order.index(c) if c in order else 99, c))
    did = (results.get("jsr") or {}).get("did")
    if did is None:
        did = (results.get("selfassessment") or {}).get("did")
    if did is not None:
        facts["n_treated"] = int(did["n_treated"])
        facts["n_control"] = int(did["n_countries"]) - int(did["n_treated"])
    response = (results.get("network") or {}).get("response")
    if response is not None and not response.empty:
        facts["n_organisations"] = int(response["n_members"].max())
    return facts


def headline_results(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any], *,
                     robustness: bool = True) -> dict[str, Any]:
    """The judged framework (``framework``), the robustness of each claim
    (``robustness``; empty with ``robustness=False``, see `analysis.headline.round_headline`),
    the ``facts`` of the opening paragraph and the index ``headline``."""
    found = headline_analysis.round_headline(
        rd, results, rules=ctx.verdict_rules, paired_options=ctx.paired_options, statuses=ctx.plan_statuses,
        pulse_outcomes=ctx.pulse_outcomes, effect_lag_years=ctx.effect_lag_years,
        dimensions_config=ctx.config.dimensions, exchange_year=jsr_analysis.exchange_year(rd.meta),
        primary=ctx.primary_outcome("L2"), robustness=robustness)
    facts = _facts(rd, results, found["framework"])
    return {**found, "facts": facts, "headline": headline_sentence(found["framework"], ctx)}


def verdict_block(rd: RoundData, ctx: ReportContext, headline: Mapping[str, Any]) -> list[str]:
    """The verdict box that opens the round report."""
    return verdict_section(headline["framework"], headline.get("robustness"), ctx, headline.get("facts") or {})


def framework_block(rd: RoundData, ctx: ReportContext, headline: Mapping[str, Any]) -> list[str]:
    """The results-framework table and the robustness of each headline claim."""
    return (framework_section(headline["framework"], ctx)
            + robustness_section(headline["framework"], headline.get("robustness"), ctx))


def export_bundle(headline: Mapping[str, Any], ctx: ReportContext) -> dict[str, Any]:
    """``{EXPORT_MIME: {...}}``: the results framework (translated headers, raw numbers)
    and the headline sentence, for `IPython.display.display(..., raw=True)`."""
    frame = framework_export(headline.get("framework"), ctx)
    records = frame.astype(object).where(frame.notna(), None).values.tolist() if not frame.empty else []
    return {EXPORT_MIME: {"lang": ctx.lang, "headline": headline.get("headline") or "",
                          "results_framework": {"columns": list(frame.columns), "rows": records}}}
