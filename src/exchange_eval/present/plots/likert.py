"""Likert figures: diverging stacked bars centred on the neutral level, every level in the legend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import fmt
from ..context import ReportContext
from ..i18n import t
from .style import (
    BASE_FONT,
    SUPPRESSED_GREY,
    empty_figure,
    finish,
    likert_colors,
    new_figure,
    percent_axis,
    wrap,
)

__all__ = ["PAGE_ROWS", "likert_diverging", "page_groups"]


def likert_diverging(
    counts: pd.DataFrame,
    ctx: ReportContext,
    *,
    choices: str = "agree5",
    by: str | None = None,
    item_col: str = "item_id",
    title: str | None = None,
    k: int | None = None,
    group_namer: Callable[[Any, str], str] | None = None,
) -> Figure:
    """Diverging stacked bars, one per item, centred on the scale's neutral level.

    Parameters
    ----------
    counts : DataFrame
        ``likert_counts`` output: ``item_id, value, n`` (and optionally ``by`` and
        ``suppressed``). Levels absent from the data count as zero.
    ctx : ReportContext
        The report (language, labels of the scale and the items, k).
    choices : str
        Choice list of the scale; every level appears in the legend even when unused.
    by : str, optional
        Column splitting the items into panels (e.g. ``session_id``).
    k : int, optional
        Items answered by fewer than ``k`` people are drawn as suppressed
        (default ``ctx.k``).
    group_namer : callable, optional
        ``(value, lang) -> title`` of a panel (default ``ctx.labels.of(by, …)``), e.g. the
        manifest's session titles.

    Notes
    -----
    For an odd number of levels the neutral level is split half left, half right of
    zero; for an even number the bars divide between the two middle levels.
    """
    lang = ctx.lang
    k = ctx.k if k is None else k
    if "value" not in counts.columns and "level" in counts.columns:
        counts = counts.rename(columns={"level": "value"})
    levels = ctx.labels.levels(choices)
    colors = likert_colors(len(levels))
    level_labels = [wrap(ctx.labels.choice(choices, v, lang), 16) for v in levels]
    groups: list[Any] = [None]
    if by and by in counts.columns and not counts.empty:
        groups = list(dict.fromkeys(counts[by].dropna().tolist()))
    rows_per_group = []
    for g in groups:
        sub = counts if g is None else counts[counts[by] == g]
        rows_per_group.append(list(dict.fromkeys(sub[item_col].tolist())) if not sub.empty else [])

    def item_text(item: Any) -> str:
        return wrap(ctx.labels.item(item, lang) if item_col == "item_id" else ctx.labels.of(item_col, item, lang), 40)

    # each row holds its wrapped question and "n = …" (9.5 pt lines, about 0.16 in each)
    def row_height(item: Any) -> float:
        return max(ROW_HEIGHT, 0.16 * (item_text(item).count("\n") + 2) + 0.08)

    # the bars of a group are evenly spaced: each gets the room its tallest label needs
    group_heights = [len(r) * max(row_height(i) for i in r) if r else ROW_HEIGHT for r in rows_per_group]
    height = 1.3 + sum(group_heights) + 0.35 * len(groups)
    fig, axes = new_figure(height, nrows=len(groups), ncols=1, sharex=True, squeeze=False,
                        height_ratios=group_heights)
    axes = axes[:, 0]
    if counts.empty:
        empty_figure(fig, axes[0], lang)
    mid = (len(levels) - 1) / 2
    for ax, g, items in zip(axes, groups, rows_per_group, strict=True):
        sub = counts if g is None else counts[counts[by] == g]
        ylabels = []
        for row, item in enumerate(items):
            rows = sub[sub[item_col] == item]
            per_level = {v: 0.0 for v in levels}
            for v, n in zip(rows["value"], rows["n"], strict=True):
                for lv in levels:
                    if fmt.is_missing(n) or fmt.is_missing(v):
                        continue
                    if str(lv) == str(v) or _num_equal(lv, v):
                        per_level[lv] += float(n)
            total = sum(per_level.values())
            suppressed = bool(rows["suppressed"].any()) if "suppressed" in rows.columns else False
            suppressed = suppressed or total < k
            ylabels.append(item_text(item) + "\n" + t("common.n_eq", lang, n=fmt.integer(total, lang)))
            if suppressed:
                ax.barh(row, 100, left=-50, color=SUPPRESSED_GREY, hatch="///", edgecolor="#999999",
                        linewidth=0)
                ax.text(0, row, t("plot.suppressed_bar", lang, k=k), ha="center", va="center")
                continue
            shares = [100 * per_level[lv] / total for lv in levels]
            left = -sum(s for i, s in enumerate(shares) if i < mid) - (shares[int(mid)] / 2 if mid.is_integer() else 0)
            for i, share in enumerate(shares):
                if share > 0:
                    ax.barh(row, share, left=left, color=colors[i], edgecolor="white", linewidth=0.5)
                    if share >= 16:  # narrower segments cannot hold a label without overlap
                        dark = colors[i] in ("#CA0020", "#0571B0", "#B2182B", "#2166AC")
                        ax.text(left + share / 2, row, fmt.percent(share / 100, lang, 0), ha="center",
                                va="center", color="white" if dark else "black", fontsize=9)
                left += share
        ax.set_yticks(range(len(items)), ylabels)
        ax.invert_yaxis()
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100])
        ax.xaxis.set_major_formatter(percent_axis(lang))
        if g is not None:
            name = group_namer(g, lang) if group_namer is not None else ctx.labels.of(by or "", g, lang)
            ax.set_title(name, loc="left", fontsize=BASE_FONT + 0.5)
    # the scale's own end labels: "agree" would misname a yes/no or a frequency scale
    ends = [ctx.labels.choice(choices, v, lang) for v in (levels[0], levels[-1])] if levels else ["", ""]
    axes[-1].set_xlabel(t("plot.likert.xlabel", lang, low=_short(ends[0]), high=_short(ends[-1])))
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colors, level_labels, strict=True)]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(levels), frameon=False,
               fontsize=9, handlelength=1.2, columnspacing=1.0)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=BASE_FONT + 1.5)
    finish(fig)
    return fig


ROW_HEIGHT = 0.42  # inches: a bar whose label is a one-line question and its "n = …"
#: bars of questions wrapped on two lines that one figure holds at full width on an A4 page
PAGE_ROWS = 12


def page_groups(groups: list[Any], n_items: int, rows: int = PAGE_ROWS) -> list[list[Any]]:
    """``groups`` (sessions, waves) cut into runs whose ``n_items`` bars each stay within
    ``rows`` bars, so that each figure of a run prints at full width on one page; a group
    is never split.

    Examples
    --------
    >>> page_groups(["vc1", "vc2", "vc3", "visit"], n_items=5)
    [['vc1', 'vc2'], ['vc3', 'visit']]
    >>> page_groups(["vc1", "vc2"], n_items=20)
    [['vc1'], ['vc2']]
    """
    per_figure = max(1, rows // max(1, n_items))
    return [groups[i:i + per_figure] for i in range(0, len(groups), per_figure)]


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _num_equal(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False
