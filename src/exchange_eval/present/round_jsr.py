"""The level-4 sections of a round report: JSR self-assessment criteria, maturity ladder
and RF18 (participants against comparison countries).

Each ``*_section`` returns HTML parts for `html.show`; the numbers come from
`analysis.jsr` and `analysis.selfassessment` through `jsr_results` and
`selfassessment_results`, called with the settings of the report's data folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..analysis import jsr as jsr_analysis
from ..analysis import selfassessment as sa_analysis
from ..core.tables import RoundData
from . import fmt, plots
from .context import ReportContext
from .html import figure_block, heading, keep_with_next, note, paragraph, table_html
from .i18n import t
from .sentences import did_row, did_sentence, ladder_did_sentence

__all__ = [
    "jsr_results",
    "selfassessment_results",
    "ladder_table",
    "selfassessment_section",
    "jsr_section",
    "rf18_country_table",
]


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def jsr_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.jsr.jsr_results` for the round's exchange year and the configured lag and dimensions."""
    return jsr_analysis.jsr_results(rd.jsr_assessment, rd.jsr_quality, year=jsr_analysis.exchange_year(rd.meta),
                                    effect_lag_years=ctx.effect_lag_years, dimensions_config=ctx.config.dimensions)


def selfassessment_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.selfassessment.selfassessment_results` with the configured dimensions."""
    return sa_analysis.selfassessment_results(rd.jsr_assessment, ctx.config.dimensions, multiplicity=ctx.multiplicity)


def ladder_table(ladder: pd.DataFrame, ctx: ReportContext) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per country (participants first), one ``before → after`` cell per
    dimension (in the configured order), and the column headers."""
    lang = ctx.lang
    order = ctx.dimension_ids
    dims = [d for d in order if d in set(ladder["dimension"])] + sorted(set(ladder["dimension"]) - set(order))
    cells = ladder.assign(cell=[
        f"{fmt.number(b, lang, 0)} → {fmt.number(a, lang, 0)}" for b, a in zip(ladder["before"], ladder["after"], strict=True)
    ])
    if "group" not in cells.columns:
        cells["group"] = ""
    wide = cells.pivot_table(index=["group", "country"], columns="dimension", values="cell", aggfunc="first")
    wide = wide.reindex(columns=dims).reset_index()
    wide["_order"] = (wide["group"] != "participant").astype(int)
    wide = wide.sort_values(["_order", "country"]).drop(columns="_order")
    wide = wide[["country", "group", *dims]]
    headers = {d: ctx.labels.dimension(d, lang) for d in dims}
    headers["country"] = t("col.country", lang)
    headers["group"] = t("col.group", lang)
    return wide.reset_index(drop=True), headers


def _ladder_levels_note(ctx: ReportContext) -> str:
    levels = ctx.labels.levels("ladder4")
    names = ", ".join(f"{fmt.number(v, ctx.lang, 0)} = {ctx.labels.choice('ladder4', v, ctx.lang)}" for v in levels)
    return t("round.text.ladder_levels", ctx.lang, levels=names)


def selfassessment_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """L4: self-assessment criteria, participants vs comparison countries, per criterion and
    dimension, with the difference-in-differences (overall and per dimension)."""
    lang = ctx.lang
    res = selfassessment_results(rd, ctx) if results is None else results
    out = [heading("round.h.selfassessment", lang)]
    if not res or _is_empty(res.get("criteria")):
        return out + [note("round.none.selfassessment", lang)]
    out.append(paragraph(t("round.intro.selfassessment", lang)))
    did = res.get("did")
    if did is not None:
        out.append(paragraph(t("round.text.selfassessment_did", lang,
                               participant=fmt.signed(did["mean_treated_post"] - did["mean_treated_pre"], lang, 2),
                               comparison=fmt.signed(did["mean_comparison_post"] - did["mean_comparison_pre"], lang, 2),
                               did=fmt.signed(did["estimate"], lang, 2),
                               ci=fmt.ci(did["ci_low"], did["ci_high"], lang, 2),
                               p=fmt.p_equals(did["p_value_ri"], lang),
                               n_treated=fmt.integer(did["n_treated"], lang),
                               n_control=fmt.integer(int(did["n_countries"]) - int(did["n_treated"]), lang))))
    dims = res["dimensions"].copy()
    if not _is_empty(res.get("dimension_did")):
        dims = dims.merge(res["dimension_did"][["dimension", "p_value_ri", "p_adjusted"]], on="dimension", how="left")
    columns = {"dimension": "col.dimension", "n_participant": "col.n_participant_countries",
               "change_participant": "col.change_participant", "n_comparison": "col.n_comparison_countries",
               "change_comparison": "col.change_comparison", "difference": "col.difference"}
    formats = {"dimension": "dimension", "n_participant": "int", "change_participant": "signed2",
               "n_comparison": "int", "change_comparison": "signed2", "difference": "signed2",
               "p_value_ri": "p", "p_adjusted": "p"}
    if "p_adjusted" in dims.columns:
        columns.update({"p_value_ri": "col.p_randomization", "p_adjusted": "col.p_adjusted"})
    out.append(table_html(dims, columns, ctx, formats, caption=t("round.table.selfassessment_dimension", lang),
                          n_col=None, compact=True))
    crit = res["criteria"]
    out.append(table_html(crit, {"dimension": "col.dimension", "criterion": "col.criterion",
                                 "change_participant": "col.change_participant",
                                 "change_comparison": "col.change_comparison", "difference": "col.difference"},
                          ctx, {"dimension": "dimension", "criterion": "criterion", "change_participant": "signed2",
                                "change_comparison": "signed2", "difference": "signed2"},
                          caption=t("round.table.selfassessment_criteria", lang), n_col=None, compact=True,
                          notes=[t("round.text.selfassessment_scale", lang)]))
    return out


def rf18_country_table(jsr_quality: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """One row per country (participants first), one cell per year: ✓ or ✗ and the
    number of dimensions met (``✓ 4/5``)."""
    by_country = sa_analysis.rf18_by_country(jsr_quality, ctx.config.dimensions)
    total = len(ctx.dimension_ids)

    def cell(meets: Any, n_met: Any) -> str:
        if fmt.is_missing(meets):
            return ""
        mark = "✓" if bool(meets) else "✗"
        return mark if fmt.is_missing(n_met) else f"{mark} {int(n_met)}/{total}"

    by_country = by_country.assign(cell=[cell(m, n) for m, n in zip(by_country["meets"], by_country["n_met"],
                                                                      strict=True)])
    wide = by_country.pivot_table(index=["group", "country"], columns="year", values="cell", aggfunc="first")
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index()
    wide["_g"] = (wide["group"] != "participant").astype(int)
    return wide.sort_values(["_g", "country"]).drop(columns="_g").reset_index(drop=True)


def jsr_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """L4: maturity-ladder slopes and their DiD; RF18 shares by year and group, which
    countries met the standard each year, and the RF18 DiD."""
    lang = ctx.lang
    res = jsr_results(rd, ctx) if results is None else results
    out = [heading("round.h.jsr", lang)]
    if "ladder" not in res:
        out.append(note("round.none.jsr", lang))
    else:
        out.append(paragraph(t("round.intro.jsr", lang)))
        ladder = res["ladder"]
        out.append(figure_block(plots.ladder_slopes(ladder, ctx), "round.figure.ladder", lang))
        wide, headers = ladder_table(ladder, ctx)
        out.append(table_html(wide, {c: "col.dimension" for c in wide.columns if c != "suppressed"}, ctx,
                              {"country": "country", "group": "group", **{d: "ci" for d in wide.columns[2:]}},
                              headers=headers, caption=t("round.table.ladder", lang), n_col=None, compact=True,
                              notes=[_ladder_levels_note(ctx)]))
        if res.get("ladder_did") is not None:
            out.append(paragraph(ladder_did_sentence(res["ladder_did"], lang)))
    if _is_empty(res.get("rf18")):
        return out + [heading("round.h.rf18", lang), note("round.none.rf18", lang)]
    conf = ctx.config.dimensions
    intro = paragraph(t("round.intro.rf18", lang, min=conf.get("rf18", {}).get("min_dimensions_met", 3),
                        total=len(conf.get("dimensions") or [])))
    shares = res["rf18"].rename(columns={"n_countries": "n"})
    fig = plots.rf18_lines(shares, ctx, exchange_year=res.get("exchange_year"))
    out.append(keep_with_next(heading("round.h.rf18", lang), intro, figure_block(fig, "round.figure.rf18", lang)))
    out.append(table_html(shares, {"year": "col.year", "group": "col.group", "n": "col.n_countries",
                                   "n_meeting": "col.share_meets", "share": "col.share"},
                          ctx, {"year": "text", "group": "group", "n": "int", "n_meeting": "int", "share": "pct"},
                          caption=t("round.table.rf18", lang), n_col=None))
    if rd.jsr_quality is not None and not rd.jsr_quality.empty:
        wide = rf18_country_table(rd.jsr_quality, ctx)
        years = [c for c in wide.columns if c not in ("group", "country")]
        out.append(table_html(wide, {"country": "col.country", "group": "col.group", **{y: "col.year" for y in years}},
                              ctx, {"country": "country", "group": "group"},
                              headers={y: y for y in years}, caption=t("round.table.rf18_country", lang),
                              n_col=None, compact=True, notes=[t("round.text.rf18_country_note", lang)]))
    did = res.get("did")
    if did is None:
        out.append(note("round.none.did", lang))
    else:
        out.append(paragraph(did_sentence(did_row(did), lang)))
        out.append(note("round.text.did_caveat", lang, p_wcb=fmt.p_equals(did.get("p_value_wcb"), lang)))
    return out
