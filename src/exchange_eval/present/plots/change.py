"""Change figures: the Hodges–Lehmann shift with its interval per outcome or item, optionally by round."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .. import fmt
from ..context import ReportContext
from ..i18n import t
from .style import PALETTE, empty_figure, finish, new_figure, wrap

__all__ = ["change_dotplot"]


def change_dotplot(
    changes: pd.DataFrame,
    ctx: ReportContext,
    *,
    label_col: str | None = None,
    by: str | None = None,
    title: str | None = None,
    scale_hint: str | None = None,
) -> Figure:
    """Hodges–Lehmann shift with its 95 % CI per outcome or item, a zero line, n in the labels.

    ``changes`` is ``outcome_changes`` / ``item_changes`` output (``outcome`` or
    ``item_id``, ``n``, ``estimate``, ``ci_low``, ``ci_high``; ``suppressed`` or a
    missing estimate draws an open marker with the reason instead of a dot). With
    ``by`` (e.g. ``round_id``), each group gets its own colour, side by side within a
    row, and n moves from the row label to the legend-free annotation next to the dot.
    """
    lang = ctx.lang
    if label_col is None:
        label_col = "outcome" if "outcome" in changes.columns else "item_id"
    labels = list(dict.fromkeys(changes[label_col].tolist())) if not changes.empty else []
    groups: list[Any] = list(dict.fromkeys(changes[by].tolist())) if by and not changes.empty else [None]
    n_rows = max(len(labels), 1)
    fig, ax = new_figure(1.2 + (0.45 + 0.2 * (len(groups) - 1)) * n_rows)
    if changes.empty:
        empty_figure(fig, ax, lang)
        return fig
    finite: list[float] = []
    step = 0.6 / max(len(groups), 1)
    for g_index, group in enumerate(groups):
        color = PALETTE[(g_index * 3) % len(PALETTE)]
        sub = changes if group is None else changes[changes[by] == group]
        offset = (g_index - (len(groups) - 1) / 2) * step
        for rec in sub.to_dict("records"):
            row = labels.index(rec[label_col]) + offset
            med, lo, hi = rec.get("estimate"), rec.get("ci_low"), rec.get("ci_high")
            if bool(rec.get("suppressed", False)) or fmt.is_missing(med):
                ax.plot([0], [row], marker="o", mfc="white", mec="#777777", ls="none")
                ax.annotate(t("plot.not_estimated", lang), (0, row), xytext=(8, 0),
                            textcoords="offset points", va="center", color="#555555", fontsize=9)
                continue
            if not (fmt.is_missing(lo) or fmt.is_missing(hi)):
                ax.plot([lo, hi], [row, row], color=color, linewidth=2, solid_capstyle="butt")
                finite += [float(lo), float(hi)]
            ax.plot([med], [row], marker="o", color=color, markersize=7 if group is None else 6, ls="none")
            finite.append(float(med))
            if group is not None:
                ax.annotate(t("common.n_eq", lang, n=fmt.integer(rec.get("n"), lang)),
                            (max(float(med), float(hi) if not fmt.is_missing(hi) else float(med)), row),
                            xytext=(5, 0), textcoords="offset points", va="center", fontsize=9, color=color)
    ylabels = []
    for name in labels:
        text = wrap(ctx.labels.of(label_col, name, lang), 40)
        if by is None:
            n = changes.loc[changes[label_col] == name, "n"].iloc[0]
            text += "\n" + t("common.n_pairs", lang, n=fmt.integer(n, lang))
        ylabels.append(text)
    ax.axvline(0, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.set_ylim(len(ylabels) - 0.4, -0.6)  # first row on top, room above and below
    span = max([abs(v) for v in finite] + [1.0])
    ax.set_xlim(-span - 0.5, span + (0.9 if by else 0.5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: fmt.number(x, lang, 1)))
    ax.set_xlabel(scale_hint or t("plot.change.xlabel", lang))
    if by is None:
        handles = [
            Line2D([], [], marker="o", color=PALETTE[0], ls="none", label=t("plot.change.median", lang)),
            Line2D([], [], color=PALETTE[0], linewidth=2, label=t("plot.change.ci", lang)),
        ]
    else:
        handles = [Line2D([], [], marker="o", color=PALETTE[(i * 3) % len(PALETTE)], linewidth=2,
                          label=ctx.labels.of(by, g, lang)) for i, g in enumerate(groups)]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig
