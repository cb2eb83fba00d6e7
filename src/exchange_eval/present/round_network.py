"""The sections of a learning-network round (pulse surveys and ties between member
organisations): the pulse statements wave by wave, and the network with its methods
(what a tie is, undirected rule, density denominator, non-responding organisations).

Each ``*_section`` returns HTML parts for `html.show`, or nothing when the round has no
such data; the numbers come from `analysis.pulse` and `analysis.network`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..analysis import network as network_analysis
from ..analysis import pulse as pulse_analysis
from ..core.tables import RoundData
from . import fmt, plots
from .change import change_table
from .context import ReportContext
from .html import figure_block, heading, keep_with_next, note, paragraph, table_html
from .i18n import t, wave_label
from .labels import wave_namer

__all__ = ["pulse_results", "network_results", "network_section", "network_methods", "pulse_section"]


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def pulse_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.pulse.pulse_results` of the round's pulse statements."""
    items, choices = ctx.scaled_items("pulse")
    return pulse_analysis.pulse_results(rd.responses, items=items, scale=ctx.scale(choices),
                                        configured_waves=ctx.wave_order, k=ctx.k, options=ctx.paired_options,
                                        primary=ctx.primary_outcome("pulse"))


def network_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.network.network_results` in the configured wave order."""
    return network_analysis.network_results(rd.ties, rd.participants, configured_waves=ctx.wave_order)


def network_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """Network metrics per wave and a drawing of the latest wave."""
    lang = ctx.lang
    res = network_results(rd, ctx) if results is None else results
    out = [heading("round.h.network", lang)]
    if not res:
        return out + [note("round.none.network", lang)]
    out.append(paragraph(t("round.intro.network", lang)))
    out.extend(network_methods(res, ctx))
    out.append(figure_block(plots.network_drawing(res["latest"], ctx), "round.figure.network", lang))
    out.append(table_html(res["metrics"], {"wave": "col.wave", "n_respondents": "col.n_respondents",
                                           "n_nodes": "col.n_nodes", "n_ties": "col.n_ties", "density": "col.density",
                                           "centralization": "col.centralization",
                                           "share_cross_country": "col.cross_country_share",
                                           "new_ties_since_first": "col.new_ties", "mean_trust": "col.mean_trust",
                                           "mean_value": "col.mean_value"},
                          ctx, {"wave": "wave", "n_respondents": "int", "n_nodes": "int", "n_ties": "int",
                                "density": "num2", "centralization": "num2", "share_cross_country": "pct",
                                "new_ties_since_first": "int", "mean_trust": "num1", "mean_value": "num1"},
                          caption=t("round.table.network", lang), n_col=None, compact=True))
    response = res.get("response")
    if not _is_empty(response):
        out.append(table_html(response.assign(non_responding=response["non_responding"].replace("", "—")),
                              {"wave": "col.wave", "n_members": "col.n_members", "n_responding": "col.n_responding",
                               "non_responding": "col.non_responding"},
                              ctx, {"wave": "wave", "n_members": "int", "n_responding": "int"},
                              caption=t("round.table.network_response", lang), n_col=None))
    change = res.get("change")
    if change:
        out.append(paragraph(t("round.text.network_change", lang, first=wave_label(res["waves"][0], lang),
                               last=wave_label(res["waves"][-1], lang),
                               ties_first=fmt.integer(change["ties_first"], lang),
                               ties_last=fmt.integer(change["ties_last"], lang),
                               gained=fmt.integer(change["gained"], lang), lost=fmt.integer(change["lost"], lang),
                               density_first=fmt.number(change["density_first"], lang, 2),
                               density_last=fmt.number(change["density_last"], lang, 2),
                               n_pairs=fmt.integer(change["n_pairs"], lang))))
    return out


def network_methods(res: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """How the network is measured: the tie definition, the undirected rule, the density
    denominator and what non-response does to it."""
    lang = ctx.lang
    n_members = None
    response = res.get("response")
    if not _is_empty(response):
        n_members = int(response["n_members"].max())
    text = t("round.methods.network", lang, n=fmt.integer(n_members or 0, lang),
             pairs=fmt.integer((n_members or 0) * ((n_members or 0) - 1) // 2, lang))
    return [note("round.methods.network_tie", lang), paragraph(text, "note")]


def _pulse_item_name(ctx: ReportContext) -> Callable[[Any, str], str]:
    def name(value: Any, lang: str) -> str:
        if fmt.is_missing(value):
            return ""
        return t("round.pulse.score", lang) if value == pulse_analysis.PULSE_SCORE else ctx.labels.item(value, lang)

    return name


def pulse_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """Pulse surveys (learning networks): diverging bars per item and wave, top-2 share
    per item and wave, change from the first to the last wave. Omitted (no heading)
    when the round has no pulse survey."""
    lang = ctx.lang
    res = pulse_results(rd, ctx) if results is None else results
    if not res:
        return []
    out = [heading("round.h.pulse", lang), paragraph(t("round.intro.pulse", lang))]
    choices = ctx.scaled_items("pulse")[1]
    fig = plots.likert_diverging(res["counts"], ctx, choices=choices, by="item_id", item_col="wave")
    out.append(figure_block(fig, "round.figure.pulse", lang))
    names = wave_namer(rd.meta)

    def namer(value: Any, lang: str) -> str:  # "Pulse survey 1" on one line
        return names(value, lang).replace(" ", "\u00a0")

    out.append(table_html(res["summary"], {"item_id": "col.item", "wave": "col.wave",
                                           "n_respondents": "col.n_respondents", "median": "col.median",
                                           "top2": "col.top2"},
                          ctx, {"item_id": "item", "wave": namer, "n_respondents": "int", "median": "num1",
                                "top2": "pct"},
                          caption=t("round.table.pulse", lang), n_col="n_respondents"))
    changes = res.get("changes")
    if _is_empty(changes):
        return out + [note("round.none.pulse_change", lang)]
    first, last = wave_label(res["waves"][0], lang), wave_label(res["waves"][-1], lang)
    # the sub-heading and its explanation stay on the page of the (short) table
    out.append(keep_with_next(heading("round.h.pulse_change", lang, level=3, first=first, last=last),
                              paragraph(t("round.intro.pulse_change", lang, first=first, last=last)),
                              change_table(changes, ctx, label_col="item_id", label_format=_pulse_item_name(ctx),
                                           shift=False, what="statements",
                                           caption=t("round.table.pulse_change", lang))))
    return out
