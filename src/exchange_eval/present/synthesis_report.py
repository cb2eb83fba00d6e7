"""The cross-round synthesis, section by section (``notebooks/synthesis_report.ipynb``).

Each ``*_section`` takes the loaded rounds and the report's `context.ReportContext` and
returns HTML parts for `html.show`. The ``*_results`` functions call
`analysis.synthesis` with the settings of the report's data folder. The notebook computes
them all once with `programme_results` and passes them on: they do not depend on the
report's language, so a build's second language reads them from its results cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analysis import pooled, synthesis
from ..core.tables import RoundData
from . import fmt, plots
from .blocks import with_ci
from .change import change_notes, change_table, primary_labels, with_primary_marks
from .context import ReportContext
from .html import bullet_list, figure_block, figure_html, heading, note, paragraph, table_html
from .i18n import t, translate_or
from .results_cache import ResultsCache, shared_over_rounds
from .sentences import (
    between_feedback_sentence,
    between_ladder_sentence,
    between_rf18_sentence,
    join_names,
    ordinal_reading,
    plural,
)

__all__ = [
    "ProgrammeResults",
    "programme_results",
    "pooled_dids",
    "rf18_dids_by_round",
    "outcome_results",
    "model_results",
    "ordinal_results",
    "feedback_results",
    "tools_results",
    "ladder_results",
    "feedback_section",
    "outcomes_section",
    "model_section",
    "ordinal_section",
    "ladder_section",
    "rf18_section",
    "tools_section",
    "network_section",
    "between_rounds_extra_sentences",
    "every_round_sentences",
    "between_section",
    "methods_section",
]


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _model_name(value: Any, lang: str) -> str:
    if fmt.is_missing(value):
        return ""
    return translate_or(f"synthesis.model_name.{value}", lang, str(value))


def _model_note(value: Any, lang: str) -> str:
    """``note`` of the pooled model: a reason code in words; a fallback's reason as is."""
    if fmt.is_missing(value) or not str(value):
        return ""
    return translate_or(f"note.{value}", lang, t("note.model_fallback", lang))


# =========================================================================== results
def outcome_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """Change by round and intermediate outcome (`analysis.synthesis.outcomes_results`)."""
    return synthesis.outcomes_results(data, options=ctx.paired_options, primary=ctx.primary_outcome("L2"))


def model_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """The pooled mixed model of change (`analysis.synthesis.model_results`), adjusted over
    its table with the primary outcome first."""
    return synthesis.model_results(data, options=ctx.paired_options, primary=ctx.primary_outcome("L2"))


def ordinal_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """Ordered-logit model of every single-choice outcome question (`analysis.synthesis.ordinal_results`)."""
    return synthesis.ordinal_results(data, ctx.select_one_items("outcomes"))


def feedback_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """Top-2 agreement per session-feedback statement and round (`analysis.synthesis.feedback_results`)."""
    items, choices = ctx.scaled_items("session_feedback")
    return synthesis.feedback_results(data, items=items, scale=ctx.scale(choices), k=ctx.k)


def tools_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """Tool ratings per round (`analysis.synthesis.tools_results`)."""
    return synthesis.tools_results(data, k=ctx.k)


def ladder_results(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame:
    """Mean ladder change per round, dimension and group (`analysis.synthesis.ladder_results`)."""
    return synthesis.ladder_results(data, ctx.dimension_ids)


def rf18_dids_by_round(data: Sequence[RoundData], ctx: ReportContext) -> dict[str, Any]:
    """Each round's RF18 difference-in-differences (`analysis.synthesis.rf18_did_by_round`)."""
    return synthesis.rf18_did_by_round(data, effect_lag_years=ctx.effect_lag_years,
                                       dimensions_config=ctx.config.dimensions)


def pooled_dids(data: Sequence[RoundData], ctx: ReportContext) -> dict[str, Any]:
    """The stacked difference-in-differences over the rounds: self-assessment, maturity
    ladder and RF18 (`analysis.pooled`)."""
    return {"selfassessment": pooled.pooled_selfassessment(data), "ladder": pooled.pooled_ladder(data),
            "rf18": pooled.pooled_rf18(data, effect_lag_years=ctx.effect_lag_years,
                                       dimensions_config=ctx.config.dimensions)}


@dataclass
class ProgrammeResults:
    """Every table of the synthesis that does not depend on the report's language."""

    outcomes: pd.DataFrame
    model: pd.DataFrame
    ordinal: pd.DataFrame
    feedback: pd.DataFrame
    tools: pd.DataFrame
    ladder: pd.DataFrame
    network: pd.DataFrame
    rf18: dict[str, Any]
    rf18_by_round: dict[str, Any]
    pooled_dids: dict[str, Any]


def _compute_programme_results(data: Sequence[RoundData], ctx: ReportContext) -> ProgrammeResults:
    return ProgrammeResults(
        outcomes=outcome_results(data, ctx), model=model_results(data, ctx), ordinal=ordinal_results(data, ctx),
        feedback=feedback_results(data, ctx), tools=tools_results(data, ctx), ladder=ladder_results(data, ctx),
        network=synthesis.network_results(data, ctx.wave_order),
        rf18=synthesis.rf18_results(data, ctx.config.dimensions), rf18_by_round=rf18_dids_by_round(data, ctx),
        pooled_dids=pooled_dids(data, ctx),
    )


def programme_results(data: Sequence[RoundData], ctx: ReportContext, *,
                      cache: ResultsCache | None = None) -> ProgrammeResults:
    """The synthesis's tables over ``data``, computed once for every section.

    With a ``cache`` (a build's, `results_cache.results_cache`), the tables another
    language of the synthesis computed in the same build, for the same rounds, data,
    configuration and code, are read instead. Without every round's ``data_hash`` they are
    always computed.
    """
    return shared_over_rounds(cache, "programme", data, lambda: _compute_programme_results(data, ctx))


# =========================================================================== sections
def feedback_section(data: Sequence[RoundData], ctx: ReportContext,
                     results: pd.DataFrame | None = None) -> list[str]:
    """What participants thought of the sessions, by round (top-2 agreement per statement)."""
    lang = ctx.lang
    res = feedback_results(data, ctx) if results is None else results
    out = [heading("synthesis.h.feedback", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.feedback", lang)]
    out.append(paragraph(t("synthesis.intro.feedback", lang, k=ctx.k)))
    out.append(table_html(res, {"item_id": "col.item", "round_id": "col.round", "n_respondents": "col.n_respondents",
                                "n": "col.n_answers", "top2": "col.top2"},
                          ctx, {"item_id": "item", "round_id": "id", "n_respondents": "int", "n": "int",
                                "top2": "pct"},
                          caption=t("synthesis.table.feedback", lang), n_col="n_respondents"))
    return out


def outcomes_section(data: Sequence[RoundData], ctx: ReportContext,
                     results: pd.DataFrame | None = None) -> list[str]:
    """Dot plot and table of the median change per outcome, by round."""
    lang = ctx.lang
    res = outcome_results(data, ctx) if results is None else results
    out = [heading("synthesis.h.outcomes", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.outcomes", lang)]
    out.append(figure_block(plots.change_dotplot(res, ctx, by="round_id"), "synthesis.figure.outcomes", lang))
    out.append(change_table(res, ctx, label_col="outcome", label_format="outcome", shift=True, what="outcomes",
                            caption=t("synthesis.table.outcomes", lang), extra={"round_id": "col.round"},
                            extra_formats={"round_id": "id"}))
    return out


def model_section(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None) -> list[str]:
    """The pooled mixed model of change across rounds (the model fitted named per row)."""
    lang = ctx.lang
    out = [heading("synthesis.h.model", lang)]
    model = model_results(data, ctx) if results is None else results
    if _is_empty(model) or model["estimate"].isna().all():
        return out + [note("synthesis.none.model", lang)]
    out.append(paragraph(t("synthesis.intro.model", lang)))
    notes = change_notes(model.assign(p_method=None), ctx, what="outcomes")
    columns = {"outcome": "col.outcome", "estimate": "col.mean_change", "ci": "col.ci", "p_value": "col.p_value",
               "p_adjusted": "col.p_adjusted", "n_pairs": "col.n_pairs_model", "df": "col.df",
               "n_rounds": "col.n_rounds", "model": "col.model"}
    if model["note"].notna().any():  # a column of empty cells only narrows the others
        columns["note"] = "col.note"
    out.append(table_html(with_primary_marks(with_ci(model, lang, digits=2), "outcome"), columns,
                          ctx, {"outcome": primary_labels("outcome", ctx), "estimate": "signed2", "ci": "ci",
                                "p_value": "p", "p_adjusted": "p", "n_pairs": "int", "df": "int", "n_rounds": "int",
                                "model": _model_name, "note": _model_note},
                          caption=t("synthesis.table.model", lang), n_col=None, compact=True, notes=notes))
    return out


def ordinal_section(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None) -> list[str]:
    """Ordered-logit model per outcome question across rounds (log-odds after vs before)."""
    lang = ctx.lang
    res = ordinal_results(data, ctx) if results is None else results
    out = [heading("synthesis.h.ordinal", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.ordinal", lang)]
    out.append(paragraph(t("synthesis.intro.ordinal", lang)))
    out.append(table_html(with_ci(res, lang, digits=2),
                          {"item_id": "col.item", "estimate": "col.log_odds", "ci": "col.ci", "p_value": "col.p_value",
                           "n_people": "col.n_participants", "n_rounds": "col.n_rounds", "model": "col.model"},
                          ctx, {"item_id": "item", "estimate": "signed2", "ci": "ci", "p_value": "p",
                                "n_people": "int", "n_rounds": "int", "model": _model_name},
                          caption=t("synthesis.table.ordinal", lang), n_col=None, compact=True))
    reading = ordinal_reading(res, ctx)
    if reading:
        out.append(paragraph(reading))
    return out


def ladder_section(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None) -> list[str]:
    """Maturity ladder by round: mean change per dimension, participants vs comparison."""
    lang = ctx.lang
    res = ladder_results(data, ctx) if results is None else results
    out = [heading("synthesis.h.ladder", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.ladder", lang)]
    out.append(paragraph(t("synthesis.intro.ladder", lang)))
    out.append(table_html(res, {"round_id": "col.round", "dimension": "col.dimension", "group": "col.group",
                                "n_countries": "col.n_countries", "before": "col.before", "after": "col.after",
                                "change": "col.mean_change"},
                          ctx, {"round_id": "id", "dimension": "dimension", "group": "group", "n_countries": "int",
                                "before": "num1", "after": "num1", "change": "signed1"},
                          caption=t("synthesis.table.ladder", lang), n_col=None, compact=True))
    return out


def rf18_section(data: Sequence[RoundData], ctx: ReportContext, pooled_did: pd.Series | None = None,
                 results: dict[str, Any] | None = None) -> list[str]:
    """RF18 shares by year and group over every round's quality data, and the pooled
    (stacked) difference-in-differences of the rounds."""
    lang = ctx.lang
    out = [heading("synthesis.h.rf18", lang)]
    res = synthesis.rf18_results(data, ctx.config.dimensions) if results is None else results
    if not res:
        return out + [note("synthesis.none.rf18", lang)]
    shares = res["shares"]
    out.append(figure_html(plots.rf18_lines(shares, ctx, exchange_year=res["exchange_year"]),
                           alt=t("round.figure.rf18", lang)))
    out.append(table_html(shares, {"year": "col.year", "group": "col.group", "n_countries": "col.n_countries",
                                   "n_meeting": "col.share_meets", "share": "col.share"},
                          ctx, {"group": "group", "n_countries": "int", "n_meeting": "int", "share": "pct"},
                          caption=t("round.table.rf18", lang), n_col=None))
    if pooled_did is not None:
        out.append(paragraph(t("synthesis.text.pooled_rf18", lang, pp=fmt.signed(float(pooled_did["estimate"]) * 100, lang, 0),
                               ci=fmt.ci(float(pooled_did["ci_low"]) * 100, float(pooled_did["ci_high"]) * 100, lang, 0),
                               p=fmt.p_equals(pooled_did["p_value_ri"], lang),
                               n=fmt.integer(pooled_did["n_countries"], lang))))
    return out


def tools_section(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None) -> list[str]:
    """Feedback on the JSR guidelines and tools, by round."""
    lang = ctx.lang
    res = tools_results(data, ctx) if results is None else results
    out = [heading("synthesis.h.tools", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.tools", lang)]
    out.append(paragraph(t("synthesis.intro.tools", lang)))
    out.append(table_html(res, {"tool": "col.tool", "round_id": "col.round", "n": "col.n", "mean": "col.mean",
                                "share_useful": "col.share_useful"},
                          ctx, {"tool": "tool", "round_id": "id", "n": "int", "mean": "num1", "share_useful": "pct"},
                          caption=t("synthesis.table.tools", lang)))
    return out


def network_section(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None) -> list[str]:
    """Network metrics by round and wave."""
    lang = ctx.lang
    out = [heading("synthesis.h.network", lang)]
    metrics = synthesis.network_results(data, ctx.wave_order) if results is None else results
    if metrics.empty:
        return out + [note("synthesis.none.network", lang)]
    out.append(table_html(metrics, {"round_id": "col.round", "wave": "col.wave", "n_nodes": "col.n_nodes",
                                    "n_ties": "col.n_ties", "density": "col.density",
                                    "share_cross_country": "col.cross_country_share",
                                    "new_ties_since_first": "col.new_ties", "mean_trust": "col.mean_trust"},
                          ctx, {"round_id": "id", "wave": "wave", "n_nodes": "int", "n_ties": "int",
                                "density": "num2", "share_cross_country": "pct", "new_ties_since_first": "int",
                                "mean_trust": "num1"},
                          caption=t("synthesis.table.network", lang), n_col=None))
    return out


def between_rounds_extra_sentences(data: Sequence[RoundData], ctx: ReportContext, *,
                                   feedback: pd.DataFrame | None = None,
                                   ladder: pd.DataFrame | None = None) -> list[str]:
    """Sentences comparing the first and the latest round on session ratings (mean top-2
    share over the statements), the maturity ladder (mean change of participants and of
    comparison countries) and RF18 (difference-in-differences), when both rounds have them."""
    lang = ctx.lang
    order = synthesis.round_order(data)
    fb = feedback_results(data, ctx) if feedback is None else feedback
    lad = ladder_results(data, ctx) if ladder is None else ladder
    dids = rf18_dids_by_round(data, ctx)
    return (between_feedback_sentence(synthesis.between_feedback(fb, order), lang)
            + between_ladder_sentence(synthesis.between_ladder(lad, order), lang)
            + between_rf18_sentence(synthesis.between_rf18(dids, order), lang))


def every_round_sentences(data: Sequence[RoundData], ctx: ReportContext, results: pd.DataFrame | None = None,
                          *, feedback: pd.DataFrame | None = None, ladder: pd.DataFrame | None = None,
                          rf18_by_round: dict[str, Any] | None = None) -> list[str]:
    """One sentence per outcome and per measure naming every round that has it, in time
    order: median change per outcome, mean agreement with the session statements, mean
    maturity-ladder change (participants, comparison countries) and the RF18 DiD."""
    lang = ctx.lang
    order = synthesis.round_order(data)
    res = outcome_results(data, ctx) if results is None else results
    out = []

    def listing(values: dict[str, str]) -> str:
        return join_names([t("synthesis.text.in_round", lang, value=v, round=rid)
                           for rid in order if rid in values for v in [values[rid]]], lang)

    if res is not None and not res.empty:
        for outcome, sub in res.groupby("outcome", sort=False):
            values = {r: fmt.signed(v, lang, 1) for r, v in zip(sub["round_id"], sub["median_change"], strict=True)
                      if not fmt.is_missing(v)}
            if values:
                out.append(t("synthesis.text.every_outcome", lang, outcome=ctx.labels.outcome(outcome, lang),
                             values=listing(values)))
    fb = feedback_results(data, ctx) if feedback is None else feedback
    if fb is not None and not fb.empty:
        shown = fb[~fb["suppressed"].fillna(False).astype(bool)] if "suppressed" in fb else fb
        means = shown.groupby("round_id")["top2"].mean().dropna()
        if not means.empty:
            out.append(t("synthesis.text.every_feedback", lang,
                         values=listing({r: fmt.percent(v, lang) for r, v in means.items()})))
    lad = ladder_results(data, ctx) if ladder is None else ladder
    if lad is not None and not lad.empty:
        means = lad.groupby(["round_id", "group"])["change"].mean()
        part = {r: fmt.signed(v, lang, 1) for (r, g), v in means.items() if g == "participant"}
        comp = {r: fmt.signed(v, lang, 1) for (r, g), v in means.items() if g == "comparison"}
        if part:
            text = t("synthesis.text.every_ladder", lang, values=listing(part))
            if comp:
                text += " " + t("synthesis.text.every_ladder_comparison", lang, values=listing(comp))
            out.append(text)
    dids = rf18_dids_by_round(data, ctx) if rf18_by_round is None else rf18_by_round
    values = {r: t("synthesis.text.did_value", lang, pp=fmt.signed(float(d["estimate"]) * 100, lang, 0),
                   p=fmt.p_equals(d["p_value_ri"], lang))
              for r, d in dids.items() if not fmt.is_missing(d.get("estimate"))}
    if values:
        out.append(t("synthesis.text.every_rf18", lang, values=listing(values)))
    return out


def between_section(data: Sequence[RoundData], ctx: ReportContext,
                    results: pd.DataFrame | ProgrammeResults | None = None) -> list[str]:
    """Round by round: every outcome, session ratings, maturity ladder and RF18, each
    sentence naming every round that measured it (``results``: the outcome table, or
    every `ProgrammeResults`)."""
    lang = ctx.lang
    out = [heading("synthesis.h.between", lang)]
    if isinstance(results, ProgrammeResults):
        sentences = every_round_sentences(data, ctx, results.outcomes, feedback=results.feedback,
                                          ladder=results.ladder, rf18_by_round=results.rf18_by_round)
    else:
        sentences = every_round_sentences(data, ctx, results)
    if not sentences:
        return out + [note("synthesis.none.between", lang)]
    return out + [bullet_list(sentences)]


def methods_section(data: Sequence[RoundData], ctx: ReportContext, *, pooled: pd.DataFrame | None = None,
                    ordinal: pd.DataFrame | None = None) -> list[str]:
    """Methods and limitations of the synthesis: few rounds, the models fitted (each
    named model explained in words), self-reported outcomes, small-cell suppression."""
    lang = ctx.lang
    out = [heading("synthesis.h.methods", lang)]
    n_outcomes = sum(1 for r in data if synthesis.has_pre_post(r.responses))
    out.append(paragraph(t("synthesis.methods.rounds", lang, n=fmt.integer(len(data), lang),
                           n_outcomes=fmt.integer(n_outcomes, lang))))
    models = [m for df in (pooled, ordinal) if not _is_empty(df) and "model" in df.columns for m in df["model"]]
    for m in dict.fromkeys(str(m) for m in models if not fmt.is_missing(m)):
        text = translate_or(f"synthesis.methods.model.{m}", lang, "", name=_model_name(m, lang))
        if text:
            out.append(paragraph(text))
    out.append(paragraph(t("synthesis.methods.self_report", lang)))
    out.append(paragraph(t("round.methods.k", lang, k=ctx.k)))
    if ctx.suppressed_rows:
        out.append(paragraph(plural("round.methods.suppressed", ctx.suppressed_rows, lang,
                                    n=fmt.integer(ctx.suppressed_rows, lang))))
    return out
