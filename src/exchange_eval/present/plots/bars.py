"""Bar figures: participation counts, tool ratings and improvement-plan statuses.

A group suppressed for small numbers is drawn as a hatched grey bar with the reason, so
a reader sees that data exist but are not shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import fmt
from ..context import ReportContext
from ..i18n import t, tool_label
from .style import (
    NEUTRAL_GREY,
    PALETTE,
    SUPPRESSED_GREY,
    empty_figure,
    finish,
    integer_axis,
    new_figure,
    wrap,
)

__all__ = ["participation_bars", "tool_ratings_bars", "plan_status_bars"]


def participation_bars(
    participation: pd.DataFrame,
    ctx: ReportContext,
    *,
    category_col: str = "country",
    value_cols: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Grouped horizontal bars of participant counts per country (or session).

    ``participation`` has one row per category and one count column per measure (e.g.
    ``n_registered, n_attended`` or ``n_pre, n_post``); headers come from
    ``i18n`` keys ``col.<column>``. Suppressed rows are hatched.
    """
    lang = ctx.lang
    if value_cols is None:
        value_cols = [c for c in participation.columns
                      if c.startswith("n_") and pd.api.types.is_numeric_dtype(participation[c])][:4]
    n_cat = max(len(participation), 1)
    fig, ax = new_figure(1.1 + 0.22 * n_cat * max(len(value_cols), 1))
    if participation.empty or not value_cols:
        return empty_figure(fig, ax, lang)
    height = 0.8 / len(value_cols)
    cats = participation[category_col].tolist()
    hidden = (participation["suppressed"].fillna(False).astype(bool).to_numpy()
              if "suppressed" in participation.columns else np.zeros(len(cats), dtype=bool))
    top = 0.0
    for j, col in enumerate(value_cols):
        ys = np.arange(len(cats)) + (j - (len(value_cols) - 1) / 2) * height
        values = pd.to_numeric(participation[col], errors="coerce").fillna(0).to_numpy(dtype=float)
        values = np.where(hidden, 0.0, values)  # a suppressed group's counts are never drawn
        top = max(top, float(values.max()) if len(values) else 0.0)
        ax.barh(ys, values, height=height * 0.92, color=PALETTE[(j * 3) % len(PALETTE)],
                label=t(f"col.{col}", lang))
        for y, v, h in zip(ys, values, hidden, strict=True):
            if not h:
                ax.text(v, y, " " + fmt.integer(v, lang), va="center", fontsize=9)
    for i in np.flatnonzero(hidden):
        ax.barh(i, max(top, 1.0), height=0.8, color=SUPPRESSED_GREY, hatch="///", edgecolor="#999999", linewidth=0)
        ax.text(max(top, 1.0) / 2, i, t("plot.suppressed_bar", lang, k=ctx.k), va="center", ha="center",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    ax.set_yticks(range(len(cats)), [wrap(ctx.labels.of(category_col, c, lang), 28) for c in cats])
    ax.invert_yaxis()
    ax.set_xlabel(t("plot.participation.xlabel", lang))
    integer_axis(ax.xaxis, lang)
    ax.margins(x=0.12)
    fig.legend(loc="outside lower center", ncol=len(value_cols), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig


# --------------------------------------------------------------------------- tools
def tool_ratings_bars(
    ratings: pd.DataFrame,
    ctx: ReportContext,
    *,
    choices: str = "useful5",
    title: str | None = None,
) -> Figure:
    """Mean usefulness rating per tool (dot) with its range of answers, n in the labels.

    ``ratings`` is ``analysis.tools.tool_ratings`` output: ``tool, n, mean`` and, when
    present, ``ci_low, ci_high`` (else ``min, max``) and ``suppressed``.
    """
    lang = ctx.lang
    fig, ax = new_figure(1.2 + 0.45 * max(len(ratings), 1))
    if ratings.empty:
        return empty_figure(fig, ax, lang)
    levels = ctx.labels.levels(choices)
    mean_col = "mean" if "mean" in ratings.columns else "mean_rating"
    lo_col, hi_col = ("ci_low", "ci_high") if "ci_low" in ratings.columns else ("min", "max")
    ylabels = []
    drew_range = False
    for row, rec in enumerate(ratings.to_dict("records")):
        ylabels.append(wrap(tool_label(rec["tool"], lang), 34) + "\n"
                       + t("common.n_eq", lang, n=fmt.integer(rec.get("n"), lang)))
        if rec.get("suppressed") or fmt.is_missing(rec.get(mean_col)):
            ax.barh(row, max(levels) - min(levels), left=min(levels), color=SUPPRESSED_GREY,
                    hatch="///", height=0.5)
            ax.text((max(levels) + min(levels)) / 2, row, t("plot.suppressed_bar", lang, k=ctx.k),
                    ha="center", va="center")
            continue
        lo, hi = rec.get(lo_col), rec.get(hi_col)
        if not (fmt.is_missing(lo) or fmt.is_missing(hi)):
            ax.plot([lo, hi], [row, row], color=PALETTE[2], linewidth=2.5)
            drew_range = True
        ax.plot([rec[mean_col]], [row], "o", color=PALETTE[0], markersize=7)
        ax.annotate(fmt.number(rec[mean_col], lang, 1), (rec[mean_col], row), xytext=(0, 7),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.invert_yaxis()
    ax.set_xlim(min(levels) - 0.2, max(levels) + 0.2)
    ax.set_xticks(levels, [wrap(ctx.labels.choice(choices, v, lang), 12) for v in levels])
    ax.set_xlabel(t("plot.tools.xlabel", lang))
    ax.grid(axis="x", color="#EEEEEE")
    handles = [Line2D([], [], marker="o", ls="none", color=PALETTE[0], label=t("plot.tools.mean", lang))]
    if drew_range:
        handles.append(Line2D([], [], color=PALETTE[2], linewidth=2.5,
                              label=t("plot.tools.ci" if lo_col == "ci_low" else "plot.tools.range", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig


# --------------------------------------------------------------------------- plans
def plan_status_bars(
    status: pd.DataFrame,
    ctx: ReportContext,
    *,
    category_col: str = "dimension",
    title: str | None = None,
) -> Figure:
    """Stacked bars of improvement-plan actions by status, one bar per dimension (or country).

    ``status`` is long: ``<category_col>, status, n``; every configured status is in the
    legend.
    """
    lang = ctx.lang
    statuses = [str(v) for v in ctx.labels.levels("plan_status")]
    status_colors = dict(zip(statuses, ["#BBBBBB", "#DDCC77", "#117733", "#CC6677"], strict=False))
    cats = list(dict.fromkeys(status[category_col].tolist())) if not status.empty else []
    fig, ax = new_figure(1.4 + 0.42 * max(len(cats), 1))
    if status.empty:
        return empty_figure(fig, ax, lang)
    wide = status.pivot_table(index=category_col, columns="status", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=cats, columns=statuses, fill_value=0)
    left = np.zeros(len(cats))
    for st in statuses:
        vals = wide[st].to_numpy(dtype=float)
        ax.barh(range(len(cats)), vals, left=left, color=status_colors.get(st, NEUTRAL_GREY),
                edgecolor="white", label=ctx.labels.choice("plan_status", st, lang))
        for i, v in enumerate(vals):
            if v > 0:
                ax.text(left[i] + v / 2, i, fmt.integer(v, lang), ha="center", va="center", fontsize=9)
        left += vals
    ax.set_yticks(range(len(cats)), [wrap(ctx.labels.of(category_col, c, lang), 30) for c in cats])
    ax.invert_yaxis()
    ax.set_xlabel(t("plot.plans.xlabel", lang))
    integer_axis(ax.xaxis, lang)
    fig.legend(loc="outside lower center", ncol=len(statuses), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig
