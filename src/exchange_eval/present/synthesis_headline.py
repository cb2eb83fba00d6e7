"""The opening of the synthesis: a verdict per outcome and level over every round, the
results framework (pooled rows, then every round's own), the self-assessment and plan
completion of every round with their pooled estimates.

Pooled rows: session ratings and plan actions summed over the rounds; learning from the
pooled mixed model of change (`analysis.crossround.pooled_change_model`, Holm across
outcomes); self-assessment, maturity ladder and RF18 from stacked difference-in-
differences (`analysis.pooled`). An indicator measured in one round only (network ties)
keeps that round's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import framework as fw
from ..analysis import pooled
from ..analysis.stats import NO_VARIANCE, TOO_FEW_PAIRS
from ..analysis.synthesis import round_id_of, round_order
from ..analysis.verdict import EVIDENCE_COLUMNS, share_evidence
from ..core.exports import EXPORT_MIME
from ..core.tables import RoundData
from . import fmt
from .context import ReportContext
from .html import heading, note, paragraph, table_html
from .i18n import t
from .results_cache import ResultsCache
from .round_report import round_results
from .synthesis_report import ProgrammeResults, model_results, pooled_dids
from .verdict import (
    framework_export,
    framework_section,
    headline_sentence,
    indicator_name,
    verdict_section,
)

__all__ = ["POOLED", "synthesis_headline", "synthesis_verdict_block", "synthesis_framework_block",
           "selfassessment_section", "plans_section", "synthesis_export_bundle"]

#: The ``round_id`` of a pooled row.
POOLED = "*"


def _reaction(frames: Sequence[pd.DataFrame], rules: Any) -> list[dict[str, Any]]:
    rows = [f for f in frames if not f.empty and (f["indicator"] == "reaction").any()]
    if not rows:
        return []
    sub = pd.concat([f[f["indicator"] == "reaction"] for f in rows])
    n = int(sub["n"].sum())
    successes = int(round(float((sub["actual"] * sub["n"]).sum())))
    benchmark = rules.benchmark("reaction")
    evidence = share_evidence(successes, n, benchmark)
    return [fw.framework_row(indicator="reaction", level="L1", outcome=None, design="share", unit="share", target=benchmark,
                    actual=successes / n, instrument="session_feedback", source_file=", ".join(sub["source_file"]),
                    **{k: evidence[k] for k in EVIDENCE_COLUMNS})] if n else []


def _learning(model: pd.DataFrame | None, frames: Sequence[pd.DataFrame]) -> list[dict[str, Any]]:
    if model is None or model.empty or model["estimate"].isna().all():
        return []
    per_round = pd.concat([f for f in frames if not f.empty], ignore_index=True) if frames else pd.DataFrame()
    rows = []
    for rec in model.to_dict("records"):
        mine = per_round[(per_round["indicator"] == rec["outcome"]) & (per_round["instrument"] == "outcomes")] \
            if not per_round.empty else per_round
        rows.append(fw.framework_row(indicator=str(rec["outcome"]), level="L2", outcome=str(rec["outcome"]), design="paired",
                            unit="points", baseline=mine["baseline"].mean() if not mine.empty else None,
                            actual=mine["actual"].mean() if not mine.empty else None, n=rec.get("n_pairs"),
                            estimate=rec["estimate"], ci_low=rec["ci_low"], ci_high=rec["ci_high"],
                            p_adjusted=rec["p_adjusted"], note=_reason(rec.get("note")), instrument="outcomes",
                            source_file=", ".join(mine["source_file"]) if not mine.empty else ""))
    return rows


def _reason(note: Any) -> str | None:
    """The reason code of a pooled row's note (too few pairs, no variance) that a verdict
    reads; a fallback between models is said in the methods, not judged."""
    return note if note in (TOO_FEW_PAIRS, NO_VARIANCE) else None


def _plans(table: pd.DataFrame, rules: Any) -> list[dict[str, Any]]:
    if table.empty:
        return []
    done, total = int(table["n_done"].sum()), int(table["n_actions"].sum())
    benchmark = rules.benchmark("plan_completion")
    evidence = share_evidence(done, total, benchmark)
    return [fw.framework_row(indicator="plan_completion", level="L3", outcome="new_actions", design="share", unit="share",
                    target=benchmark, actual=done / total, instrument="plan_actions", source_file="",
                    **{k: evidence[k] for k in EVIDENCE_COLUMNS})]


def synthesis_headline(data: Sequence[RoundData], ctx: ReportContext, *,
                       cache: ResultsCache | None = None, results: ProgrammeResults | None = None) -> dict[str, Any]:
    """The synthesis verdicts: ``framework`` (pooled rows with ``round_id`` `POOLED`, then
    every round's rows), ``pooled`` (the pooled rows alone), ``by_round`` (indicator ->
    the rounds' verdicts), ``plans`` (`analysis.pooled.plans_by_round`),
    ``selfassessment`` (`analysis.pooled.selfassessment_by_round`), ``model`` (the pooled
    model of change, `synthesis_report.model_results`), the pooled DiDs
    (``did_selfassessment``, ``did_ladder``, ``did_rf18``), ``facts`` and ``headline``.
    Each round's results come from ``cache`` when its round report computed them in this
    build (`round_report.round_results`); the pooled model and DiDs from ``results``
    (`synthesis_report.programme_results`) when given, else computed here."""
    rules = ctx.verdict_rules
    order = round_order(data)
    # each round's results without its robustness re-runs, which are its own report's
    rounds = {round_id_of(r): round_results(r, ctx, robustness=False, cache=cache)
              for r in sorted(data, key=lambda r: order.index(round_id_of(r)))}
    frames = [res.headline["framework"] for res in rounds.values()]
    plans = pooled.plans_by_round(data, statuses=ctx.plan_statuses,
                                  results={rid: res.plans for rid, res in rounds.items()})
    # the pooled paired model, its p-values adjusted over the outcomes with the primary first
    model = model_results(data, ctx) if results is None else results.model
    dids = pooled_dids(data, ctx) if results is None else results.pooled_dids
    rows = _reaction(frames, rules) + _learning(model, frames) + _plans(plans, rules)
    rows += fw.did_rows([(k, v, "share" if k == "rf18" else "points", "") for k, v in dids.items()],
                        targets={}, rules=rules)
    pooled_table = fw.framework_table(rows, rules, round_id=POOLED)
    per_round = pd.concat([f for f in frames if not f.empty], ignore_index=True) if frames else pd.DataFrame()
    if not per_round.empty:  # indicators of one round only (e.g. network ties) keep that round's row
        single = per_round[~per_round["indicator"].isin(set(pooled_table["indicator"]))]
        single = single[single.groupby("indicator")["indicator"].transform("size") == 1]
        pooled_table = pd.concat([pooled_table, single.assign(round_id=single["round_id"])], ignore_index=True)
    by_round = {}
    if not per_round.empty:
        for indicator, sub in per_round.groupby("indicator", sort=False):
            by_round[indicator] = list(zip(sub["round_id"], sub["verdict"], strict=True))
    framework = pd.concat([pooled_table, per_round], ignore_index=True) if not per_round.empty else pooled_table
    facts: dict[str, Any] = {"round_ids": [round_id_of(r) for r in sorted(data, key=lambda r: order.index(round_id_of(r)))],
                             "not_measured": [o for o in fw.OUTCOMES if o not in set(pooled_table["outcome"].dropna())]}
    rf18 = dids.get("rf18")
    if rf18 is not None:
        facts["n_treated"], facts["n_control"] = int(rf18["n_treated"]), int(rf18["n_countries"] - rf18["n_treated"])
    return {"framework": framework, "pooled": pooled_table, "by_round": by_round, "plans": plans,
            "selfassessment": pooled.selfassessment_by_round(
                data, ctx.config.dimensions, results={rid: res.selfassessment for rid, res in rounds.items()}),
            "model": model, **{f"did_{k}": v for k, v in dids.items()}, "facts": facts,
            "headline": headline_sentence(pooled_table, ctx)}


def _agreement(pooled_table: pd.DataFrame, by_round: Mapping[str, list[tuple[str, str]]]) -> pd.DataFrame:
    """Per pooled indicator: how many rounds reach the same verdict (the synthesis's robustness)."""
    rows = []
    for rec in pooled_table.to_dict("records"):
        verdicts = by_round.get(rec["indicator"], [])
        if len(verdicts) < 2:
            continue
        same = [rid for rid, v in verdicts if v == rec["verdict"]]
        rows.append({"indicator": rec["indicator"], "loco_runs": len(verdicts), "loco_same": len(same),
                     "loco_changed": "", "flip_pairs": np.nan, "loco_low": np.nan, "loco_high": np.nan})
    return pd.DataFrame(rows)


def synthesis_verdict_block(headline: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """The verdict box of the synthesis (pooled over the rounds)."""
    return verdict_section(headline["pooled"], _agreement(headline["pooled"], headline["by_round"]), ctx,
                           headline["facts"])


def synthesis_framework_block(headline: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """The results framework of the synthesis: pooled rows (round ``*``), then every
    round's rows, and one sentence per indicator saying how many rounds agree."""
    lang = ctx.lang
    table = headline["framework"].copy()
    table["round_id"] = table["round_id"].replace(POOLED, t("synthesis.pooled", lang))
    out = framework_section(table, ctx, by_round=True)
    agreement = _agreement(headline["pooled"], headline["by_round"])
    if not agreement.empty:
        names = {r["indicator"]: r for r in headline["pooled"].to_dict("records")}
        sentences = [t("synthesis.text.rounds_agree", lang, name=indicator_name(names[a["indicator"]], ctx),
                       same=fmt.integer(a["loco_same"], lang), runs=fmt.integer(a["loco_runs"], lang))
                     for a in agreement.to_dict("records")]
        out.append(paragraph(" ".join(sentences), "note"))
    return out


def selfassessment_section(headline: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Self-assessment criteria in every round (participants vs comparison, the round's
    DiD) and the pooled DiD."""
    lang = ctx.lang
    table = headline.get("selfassessment")
    out = [heading("synthesis.h.selfassessment", lang)]
    if table is None or table.empty:
        return out + [note("synthesis.none.selfassessment", lang)]
    out.append(paragraph(t("synthesis.intro.selfassessment", lang)))
    out.append(table_html(table.assign(ci=[fmt.ci(a, b, lang, 2) for a, b in zip(table["ci_low"], table["ci_high"],
                                                                                  strict=True)]),
                          {"round_id": "col.round", "change_participant": "col.change_participant",
                           "change_comparison": "col.change_comparison", "estimate": "col.difference",
                           "ci": "col.ci", "p_value_ri": "col.p_randomization", "n_countries": "col.n_countries"},
                          ctx, {"round_id": "id", "change_participant": "signed2", "change_comparison": "signed2",
                                "estimate": "signed2", "ci": "ci", "p_value_ri": "p", "n_countries": "int"},
                          caption=t("synthesis.table.selfassessment", lang), n_col=None))
    did = headline.get("did_selfassessment")
    if did is not None:
        out.append(paragraph(t("synthesis.text.pooled_did", lang, did=fmt.signed(did["estimate"], lang, 2),
                               ci=fmt.ci(did["ci_low"], did["ci_high"], lang, 2), p=fmt.p_equals(did["p_value_ri"], lang),
                               n=fmt.integer(did["n_countries"], lang))))
    return out


def plans_section(headline: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Improvement-plan completion in every round at its latest follow-up, and over all rounds."""
    lang = ctx.lang
    table = headline.get("plans")
    out = [heading("synthesis.h.plans", lang)]
    if table is None or table.empty:
        return out + [note("synthesis.none.plans", lang)]
    out.append(table_html(table, {"round_id": "col.round", "followup": "col.followup", "n_actions": "col.n_actions",
                                  "n_done": "col.n_done", "share_done": "col.completion_rate",
                                  "n_dropped": "col.n_dropped"},
                          ctx, {"round_id": "id", "followup": "wave", "n_actions": "int", "n_done": "int",
                                "share_done": "pct", "n_dropped": "int"},
                          caption=t("synthesis.table.plans", lang), n_col=None))
    done, total = int(table["n_done"].sum()), int(table["n_actions"].sum())
    out.append(paragraph(t("synthesis.text.plans_pooled", lang, done=fmt.integer(done, lang),
                           total=fmt.integer(total, lang), share=fmt.percent(done / total, lang),
                           n=fmt.integer(len(table), lang))))
    return out


def synthesis_export_bundle(headline: Mapping[str, Any], ctx: ReportContext) -> dict[str, Any]:
    """The synthesis's results framework and headline for the publishing step."""
    table = headline["framework"].copy()
    table["round_id"] = table["round_id"].replace(POOLED, t("synthesis.pooled", ctx.lang))
    frame = framework_export(table, ctx)
    records = frame.astype(object).where(frame.notna(), None).values.tolist() if not frame.empty else []
    return {EXPORT_MIME: {"lang": ctx.lang, "headline": headline.get("headline") or "",
                          "results_framework": {"columns": list(frame.columns), "rows": records}}}
