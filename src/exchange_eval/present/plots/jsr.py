"""JSR figures: maturity-ladder slopes per dimension and RF18 shares by year and group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .. import fmt
from ..context import ReportContext
from ..i18n import group_label, t
from .style import BASE_FONT, PALETTE, country_style, empty_figure, finish, new_figure, wrap

__all__ = ["ladder_slopes", "rf18_lines"]


def ladder_slopes(
    ladder: pd.DataFrame,
    ctx: ReportContext,
    *,
    choices: str = "ladder4",
    title: str | None = None,
) -> Figure:
    """Maturity-ladder level before → after per country, one small panel per dimension.

    ``ladder`` is ``analysis.jsr.ladder_change`` output: ``country, dimension, before,
    after`` and optionally ``group``. Participating countries are drawn one line each
    (country colour and marker); comparison countries, when present, as one dashed grey
    line of their mean, so the panels stay readable with many countries.
    """
    lang = ctx.lang
    dims = list(dict.fromkeys(ladder["dimension"].tolist())) if not ladder.empty else []
    n = max(len(dims), 1)
    ncols = min(n, 3)
    nrows = int(np.ceil(n / ncols))
    fig, axes = new_figure(0.6 + 2.3 * nrows, nrows=nrows, ncols=ncols, squeeze=False, sharey=True)
    flat = axes.ravel()
    if ladder.empty:
        empty_figure(fig, flat[0], lang)
        for ax in flat[1:]:
            ax.set_axis_off()
        return fig
    levels = ctx.labels.levels(choices)
    is_comparison = (ladder["group"].astype("string") == "comparison").fillna(False) if "group" in ladder.columns \
        else pd.Series(False, index=ladder.index)
    own = ladder[~is_comparison.to_numpy()]
    comparison = ladder[is_comparison.to_numpy()]
    countries = sorted(own["country"].dropna().unique())
    for ax, dim in zip(flat, dims, strict=False):
        if not comparison.empty:
            ref = comparison[comparison["dimension"] == dim][["before", "after"]].astype(float).mean()
            if not ref.isna().any():
                ax.plot([0, 1], [ref["before"], ref["after"]], color="#777777", linestyle="--", linewidth=1.8,
                        marker="o", markersize=4, zorder=1)
        for rec in own[own["dimension"] == dim].itertuples(index=False):
            color, marker = country_style(rec.country, countries)
            ys = [rec.before, rec.after]
            if any(fmt.is_missing(y) for y in ys):
                continue
            # small horizontal jitter per country keeps identical slopes visible
            jitter = (countries.index(rec.country) - (len(countries) - 1) / 2) * 0.04
            ax.plot([0 + jitter, 1 + jitter], ys, color=color, marker=marker, linewidth=1.6, markersize=5, zorder=2)
        ax.set_title(wrap(ctx.labels.dimension(dim, lang), 26), fontsize=BASE_FONT, loc="left")
        ax.set_xticks([0, 1], [t("plot.ladder.before", lang), t("plot.ladder.after", lang)])
        ax.set_xlim(-0.3, 1.3)
        ax.set_yticks(levels, [ctx.labels.choice(choices, v, lang) for v in levels])
        ax.set_ylim(min(levels) - 0.3, max(levels) + 0.3)
        ax.grid(axis="y", color="#EEEEEE")
    for ax in flat[len(dims):]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], color=country_style(c, countries)[0], marker=country_style(c, countries)[1],
               label=ctx.labels.country(c, lang))
        for c in countries
    ]
    if not comparison.empty:
        handles.append(Line2D([], [], color="#777777", linestyle="--", marker="o", markersize=4,
                              label=t("plot.ladder.comparison_mean", lang,
                                      n=fmt.integer(comparison["country"].nunique(), lang))))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3), frameon=False)
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    finish(fig)
    return fig

def rf18_lines(
    shares: pd.DataFrame,
    ctx: ReportContext,
    *,
    exchange_year: int | None = None,
    title: str | None = None,
) -> Figure:
    """Share of JSRs meeting the RF18 standard by year and group, exchange year marked.

    ``shares`` is ``analysis.jsr.rf18_shares`` output: ``group, year, n, share`` (the
    share of column ``share`` or ``share_meets``).
    """
    lang = ctx.lang
    fig, ax = new_figure(3.4)
    share_col = "share" if "share" in shares.columns else "share_meets"
    if "n" not in shares.columns and "n_countries" in shares.columns:
        shares = shares.rename(columns={"n_countries": "n"})
    if shares.empty or share_col not in shares.columns:
        return empty_figure(fig, ax, lang)
    group_colors = {"participant": PALETTE[0], "comparison": PALETTE[6]}
    group_markers = {"participant": "o", "comparison": "s"}
    for i, (group, sub) in enumerate(shares.sort_values("year").groupby("group", sort=True)):
        color = group_colors.get(str(group), PALETTE[(i + 2) % len(PALETTE)])
        name = group_label(group, lang)
        ns = sub["n"].dropna().unique() if "n" in sub.columns else []
        if len(ns) == 1:  # the same countries every year: n once, in the legend
            name += f" ({t('common.n_eq', lang, n=fmt.integer(ns[0], lang))})"
        ax.plot(sub["year"].astype(float), sub[share_col].astype(float), marker=group_markers.get(str(group), "D"),
                color=color, linewidth=2, label=name)
        if len(ns) > 1:
            for x, y, n in zip(sub["year"], sub[share_col], sub["n"], strict=True):
                if not fmt.is_missing(y):
                    ax.annotate(t("common.n_eq", lang, n=fmt.integer(n, lang)), (float(x), float(y)),
                                xytext=(0, 7 if group != "comparison" else -13), textcoords="offset points",
                                ha="center", fontsize=9, color=color)
    if exchange_year is not None:
        ax.axvline(float(exchange_year), color="#444444", linestyle=":", linewidth=1)
        ax.annotate(t("plot.rf18.exchange", lang), (float(exchange_year), 1.02), xytext=(3, 0),
                    textcoords="offset points", fontsize=9, va="bottom")
    years = sorted(shares["year"].dropna().astype(int).unique())
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(-0.05, 1.12)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: fmt.percent(y, lang, 0)))
    ax.set_xlabel(t("plot.rf18.xlabel", lang))
    ax.set_ylabel(wrap(t("plot.rf18.ylabel", lang), 30))
    ax.grid(axis="y", color="#EEEEEE")
    ax.legend(frameon=False, loc="upper left")
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig
