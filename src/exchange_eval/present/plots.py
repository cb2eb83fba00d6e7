"""Figures of the reports: matplotlib (Agg), one function per chart, each returning a Figure.

Conventions every function follows:

* every word comes from `i18n` (titles, axes, legends) and every number from `fmt`;
* colour-blind-safe palettes: Paul Tol's *muted* qualitative scheme for countries and
  groups, a red–grey–blue diverging scheme (ColorBrewer RdBu, safe for the common forms
  of colour blindness) for Likert scales;
* a country always has the same colour and marker, in every report, whatever the other
  countries of the figure: both come from a stable hash of its ISO3 code (`country_style`);
* sized for A4 print: at most 7 in wide, no text below 9 pt; long labels are wrapped;
* a group suppressed for small numbers is drawn as a hatched grey bar with the reason, so
  a reader sees that data exist but are not shown.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ..core.config import settings  # noqa: E402
from . import fmt  # noqa: E402
from .i18n import (  # noqa: E402
    choice_levels,
    country_name,
    dimension_label,
    group_label,
    item_label,
    label,
    outcome_label,
    session_label,
    t,
    tool_label,
    wave_label,
)

__all__ = [
    "PALETTE",
    "MARKERS",
    "FIG_WIDTH",
    "country_color",
    "country_style",
    "likert_colors",
    "likert_diverging",
    "change_dotplot",
    "ladder_slopes",
    "rf18_lines",
    "network_drawing",
    "participation_bars",
    "tool_ratings_bars",
    "plan_status_bars",
    "wrap",
]

# Paul Tol, "muted" qualitative scheme (https://personal.sron.nl/~pault/), colour-blind safe
PALETTE: tuple[str, ...] = (
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
    "#AA4499",  # purple
)
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v")
NEUTRAL_GREY = "#BBBBBB"
SUPPRESSED_GREY = "#DDDDDD"
FIG_WIDTH = 6.7  # inches: the text width of an A4 page with 2 cm margins
BASE_FONT = 9.5

_RC = {
    "font.size": BASE_FONT,
    "axes.titlesize": BASE_FONT + 1.5,
    "axes.labelsize": BASE_FONT,
    "xtick.labelsize": BASE_FONT,
    "ytick.labelsize": BASE_FONT,
    "legend.fontsize": BASE_FONT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
}


matplotlib.rcParams.update(_RC)


def wrap(text: str, width: int = 38) -> str:
    """Wrap a label on word boundaries so long item texts never run into the plot."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def _digest(iso3: str) -> int:
    return int.from_bytes(hashlib.sha256(str(iso3).strip().upper().encode()).digest()[:8], "big")


def country_color(iso3: str) -> str:
    """The colour of a country in every figure of every report (stable hash of the ISO3 code)."""
    return PALETTE[_digest(iso3) % len(PALETTE)]


def country_style(iso3: str) -> tuple[str, str]:
    """(colour, marker) of a country: two countries that share a colour rarely share a marker."""
    digest = _digest(iso3)
    return PALETTE[digest % len(PALETTE)], MARKERS[(digest // len(PALETTE)) % len(MARKERS)]


def likert_colors(n_levels: int) -> list[str]:
    """Diverging colours for an ``n_levels`` scale: reds (disagree) → grey → blues (agree)."""
    schemes = {
        2: ["#F4A582", "#92C5DE"],
        3: ["#EF8A62", NEUTRAL_GREY, "#67A9CF"],
        4: ["#CA0020", "#F4A582", "#92C5DE", "#0571B0"],
        5: ["#CA0020", "#F4A582", NEUTRAL_GREY, "#92C5DE", "#0571B0"],
        6: ["#B2182B", "#EF8A62", "#FDDBC7", "#D1E5F0", "#67A9CF", "#2166AC"],
        7: ["#B2182B", "#EF8A62", "#FDDBC7", NEUTRAL_GREY, "#D1E5F0", "#67A9CF", "#2166AC"],
    }
    if n_levels in schemes:
        return schemes[n_levels]
    cmap = matplotlib.colormaps["RdBu"]
    return [matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.1, 0.9, n_levels)]


def _figure(height: float, width: float = FIG_WIDTH, **kwargs: Any) -> tuple[Figure, Any]:
    fig = Figure(figsize=(min(width, 7.0), height), layout="constrained")
    axes = fig.subplots(**kwargs)
    return fig, axes


def _apply_rc(fig: Figure) -> None:
    """Enforce the minimum font size on every text of a finished figure."""
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_fontsize() < 9:
            text.set_fontsize(9)


def _empty(fig: Figure, ax: Any, lang: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, t("plot.no_data", lang), ha="center", va="center", transform=ax.transAxes)
    return fig


def _k() -> int:
    return int(settings().get("privacy", {}).get("min_cell_size", 3))


def _pct_formatter(lang: str) -> FuncFormatter:
    """Axis in percent points (0–100), shown without sign on both sides of a diverging bar."""
    return FuncFormatter(lambda x, _pos: fmt.percent(abs(x) / 100, lang, 0))


def _integer_axis(axis: Any, lang: str) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda x, _p: fmt.integer(x, lang)))


# --------------------------------------------------------------------------- Likert
def likert_diverging(
    counts: pd.DataFrame,
    lang: str = "en",
    *,
    choices: str = "agree5",
    by: str | None = None,
    item_col: str = "item_id",
    title: str | None = None,
    k: int | None = None,
) -> Figure:
    """Diverging stacked bars, one per item, centred on the scale's neutral level.

    Parameters
    ----------
    counts : DataFrame
        ``likert_counts`` output: ``item_id, value, n`` (and optionally ``by`` and
        ``suppressed``). Levels absent from the data count as zero.
    lang : str
        Report language.
    choices : str
        Choice list of the scale; every level appears in the legend even when unused.
    by : str, optional
        Column splitting the items into panels (e.g. ``session_id``).
    k : int, optional
        Items answered by fewer than ``k`` people are drawn as suppressed
        (default ``privacy.min_cell_size``).

    Notes
    -----
    For an odd number of levels the neutral level is split half left, half right of
    zero; for an even number the bars divide between the two middle levels.
    """
    k = _k() if k is None else k
    if "value" not in counts.columns and "level" in counts.columns:
        counts = counts.rename(columns={"level": "value"})
    levels = choice_levels(choices)
    colors = likert_colors(len(levels))
    level_labels = [wrap(label(choices, v, lang), 16) for v in levels]
    groups: list[Any] = [None]
    if by and by in counts.columns and not counts.empty:
        groups = list(dict.fromkeys(counts[by].dropna().tolist()))
    rows_per_group = []
    for g in groups:
        sub = counts if g is None else counts[counts[by] == g]
        rows_per_group.append(list(dict.fromkeys(sub[item_col].tolist())) if not sub.empty else [])
    n_rows = sum(max(len(r), 1) for r in rows_per_group)
    height = 1.3 + 0.42 * n_rows + 0.35 * len(groups)
    fig, axes = _figure(height, nrows=len(groups), ncols=1, sharex=True, squeeze=False,
                        height_ratios=[max(len(r), 1) for r in rows_per_group])
    axes = axes[:, 0]
    if counts.empty:
        _empty(fig, axes[0], lang)
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
            text = item_label(item, lang) if item_col == "item_id" else _group_text(item_col, item, lang)
            ylabels.append(wrap(text, 40) + "\n" + t("common.n_eq", lang, n=fmt.integer(total, lang)))
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
        ax.xaxis.set_major_formatter(_pct_formatter(lang))
        if g is not None:
            ax.set_title(_group_text(by or "", g, lang), loc="left", fontsize=BASE_FONT + 0.5)
    axes[-1].set_xlabel(t("plot.likert.xlabel", lang))
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colors, level_labels, strict=True)]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(levels), frameon=False,
               fontsize=9, handlelength=1.2, columnspacing=1.0)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=BASE_FONT + 1.5)
    _apply_rc(fig)
    return fig


def _num_equal(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def _group_text(column: str, value: Any, lang: str) -> str:
    """Readable name of a group value, whatever the grouping column."""
    if column in ("session_id", "session", "wave") and column != "wave":
        return session_label(value, lang)
    if column == "wave":
        return wave_label(value, lang)
    if column == "country":
        return country_name(value, lang)
    if column == "outcome":
        return outcome_label(value, lang)
    if column == "dimension":
        return dimension_label(value, lang)
    if column == "group":
        return group_label(value, lang)
    if column == "tool":
        return tool_label(value, lang)
    if column == "item_id":
        return item_label(value, lang)
    return str(value)


# --------------------------------------------------------------------------- change
def change_dotplot(
    changes: pd.DataFrame,
    lang: str = "en",
    *,
    label_col: str | None = None,
    by: str | None = None,
    title: str | None = None,
    scale_hint: str | None = None,
) -> Figure:
    """Median change with its 95 % CI per outcome or item, a zero line, n in the labels.

    ``changes`` is ``outcome_changes`` / ``item_changes`` output (``outcome`` or
    ``item_id``, ``n``, ``median_change``, ``ci_low``, ``ci_high``; ``suppressed`` or a
    missing estimate draws an open marker with the reason instead of a dot). With
    ``by`` (e.g. ``round_id``), each group gets its own colour, side by side within a
    row, and n moves from the row label to the legend-free annotation next to the dot.
    """
    if label_col is None:
        label_col = "outcome" if "outcome" in changes.columns else "item_id"
    labels = list(dict.fromkeys(changes[label_col].tolist())) if not changes.empty else []
    groups: list[Any] = list(dict.fromkeys(changes[by].tolist())) if by and not changes.empty else [None]
    n_rows = max(len(labels), 1)
    fig, ax = _figure(1.2 + (0.45 + 0.2 * (len(groups) - 1)) * n_rows)
    if changes.empty:
        _empty(fig, ax, lang)
        return fig
    finite: list[float] = []
    step = 0.6 / max(len(groups), 1)
    for g_index, group in enumerate(groups):
        color = PALETTE[(g_index * 3) % len(PALETTE)]
        sub = changes if group is None else changes[changes[by] == group]
        offset = (g_index - (len(groups) - 1) / 2) * step
        for rec in sub.to_dict("records"):
            row = labels.index(rec[label_col]) + offset
            med, lo, hi = rec.get("median_change"), rec.get("ci_low"), rec.get("ci_high")
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
        text = wrap(_group_text(label_col, name, lang), 40)
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
                          label=_group_text(by, g, lang)) for i, g in enumerate(groups)]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- JSR ladder
def ladder_slopes(
    ladder: pd.DataFrame,
    lang: str = "en",
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
    dims = list(dict.fromkeys(ladder["dimension"].tolist())) if not ladder.empty else []
    n = max(len(dims), 1)
    ncols = min(n, 3)
    nrows = int(np.ceil(n / ncols))
    fig, axes = _figure(0.6 + 2.3 * nrows, nrows=nrows, ncols=ncols, squeeze=False, sharey=True)
    flat = axes.ravel()
    if ladder.empty:
        _empty(fig, flat[0], lang)
        for ax in flat[1:]:
            ax.set_axis_off()
        return fig
    levels = choice_levels(choices)
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
            color, marker = country_style(rec.country)
            ys = [rec.before, rec.after]
            if any(fmt.is_missing(y) for y in ys):
                continue
            # small horizontal jitter per country keeps identical slopes visible
            jitter = (countries.index(rec.country) - (len(countries) - 1) / 2) * 0.04
            ax.plot([0 + jitter, 1 + jitter], ys, color=color, marker=marker, linewidth=1.6, markersize=5, zorder=2)
        ax.set_title(wrap(dimension_label(dim, lang), 26), fontsize=BASE_FONT, loc="left")
        ax.set_xticks([0, 1], [t("plot.ladder.before", lang), t("plot.ladder.after", lang)])
        ax.set_xlim(-0.3, 1.3)
        ax.set_yticks(levels, [label(choices, v, lang) for v in levels])
        ax.set_ylim(min(levels) - 0.3, max(levels) + 0.3)
        ax.grid(axis="y", color="#EEEEEE")
    for ax in flat[len(dims):]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], color=country_style(c)[0], marker=country_style(c)[1], label=country_name(c, lang))
        for c in countries
    ]
    if not comparison.empty:
        handles.append(Line2D([], [], color="#777777", linestyle="--", marker="o", markersize=4,
                              label=t("plot.ladder.comparison_mean", lang,
                                      n=fmt.integer(comparison["country"].nunique(), lang))))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3), frameon=False)
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- RF18
def rf18_lines(
    shares: pd.DataFrame,
    lang: str = "en",
    *,
    exchange_year: int | None = None,
    title: str | None = None,
) -> Figure:
    """Share of JSRs meeting the RF18 standard by year and group, exchange year marked.

    ``shares`` is ``analysis.jsr.rf18_shares`` output: ``group, year, n, share`` (the
    share of column ``share`` or ``share_meets``).
    """
    fig, ax = _figure(3.4)
    share_col = "share" if "share" in shares.columns else "share_meets"
    if "n" not in shares.columns and "n_countries" in shares.columns:
        shares = shares.rename(columns={"n_countries": "n"})
    if shares.empty or share_col not in shares.columns:
        return _empty(fig, ax, lang)
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
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- network
def network_drawing(graph: Any, lang: str = "en", *, title: str | None = None, seed: int = 0) -> Figure:
    """The tie network: nodes coloured (and shaped) by country, width by collaboration level.

    ``graph`` is a networkx graph (``analysis.network.tie_graph``) whose nodes carry a
    ``country`` attribute; edges may carry ``collaboration`` or ``weight``.
    """
    import networkx as nx

    fig, ax = _figure(4.6)
    ax.set_axis_off()
    if graph is None or graph.number_of_nodes() == 0:
        return _empty(fig, ax, lang)
    pos = nx.spring_layout(graph, seed=seed, k=1.6 / np.sqrt(max(graph.number_of_nodes(), 1)))
    widths = []
    for _u, _v, data in graph.edges(data=True):
        w = data.get("collaboration", data.get("weight", 1))
        widths.append(0.6 + 0.8 * (0 if fmt.is_missing(w) else float(w)))
    edge_style: dict[str, Any] = {"arrows": True, "arrowsize": 8} if graph.is_directed() else {}
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.7,
                           node_size=140, **edge_style)
    countries = sorted({str(d.get("country") or "") for _n, d in graph.nodes(data=True)})
    for c in countries:
        nodes = [n for n, d in graph.nodes(data=True) if str(d.get("country") or "") == c]
        color, marker = country_style(c) if c else (NEUTRAL_GREY, "o")
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=color, node_shape=marker,
                               node_size=140, ax=ax, edgecolors="white", linewidths=0.8)
    handles = [
        Line2D([], [], marker=(country_style(c)[1] if c else "o"), ls="none", markersize=8,
               color=(country_style(c)[0] if c else NEUTRAL_GREY),
               label=country_name(c, lang) if c else t("plot.network.unknown_country", lang))
        for c in countries
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), frameon=False,
               title=t("plot.network.legend", lang), title_fontsize=9)
    if title:
        ax.set_title(title, loc="left")
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- participation
def participation_bars(
    participation: pd.DataFrame,
    lang: str = "en",
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
    if value_cols is None:
        value_cols = [c for c in participation.columns
                      if c.startswith("n_") and pd.api.types.is_numeric_dtype(participation[c])][:4]
    n_cat = max(len(participation), 1)
    fig, ax = _figure(1.1 + 0.22 * n_cat * max(len(value_cols), 1))
    if participation.empty or not value_cols:
        return _empty(fig, ax, lang)
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
        ax.text(max(top, 1.0) / 2, i, t("plot.suppressed_bar", lang, k=_k()), va="center", ha="center",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    ax.set_yticks(range(len(cats)), [wrap(_group_text(category_col, c, lang), 28) for c in cats])
    ax.invert_yaxis()
    ax.set_xlabel(t("plot.participation.xlabel", lang))
    _integer_axis(ax.xaxis, lang)
    ax.margins(x=0.12)
    fig.legend(loc="outside lower center", ncol=len(value_cols), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- tools
def tool_ratings_bars(
    ratings: pd.DataFrame,
    lang: str = "en",
    *,
    choices: str = "useful5",
    title: str | None = None,
) -> Figure:
    """Mean usefulness rating per tool (dot) with its range of answers, n in the labels.

    ``ratings`` is ``analysis.tools.tool_ratings`` output: ``tool, n, mean`` and, when
    present, ``ci_low, ci_high`` (else ``min, max``) and ``suppressed``.
    """
    fig, ax = _figure(1.2 + 0.45 * max(len(ratings), 1))
    if ratings.empty:
        return _empty(fig, ax, lang)
    levels = choice_levels(choices)
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
            ax.text((max(levels) + min(levels)) / 2, row, t("plot.suppressed_bar", lang, k=_k()),
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
    ax.set_xticks(levels, [wrap(label(choices, v, lang), 12) for v in levels])
    ax.set_xlabel(t("plot.tools.xlabel", lang))
    ax.grid(axis="x", color="#EEEEEE")
    handles = [Line2D([], [], marker="o", ls="none", color=PALETTE[0], label=t("plot.tools.mean", lang))]
    if drew_range:
        handles.append(Line2D([], [], color=PALETTE[2], linewidth=2.5,
                              label=t("plot.tools.ci" if lo_col == "ci_low" else "plot.tools.range", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    if title:
        ax.set_title(title, loc="left")
    _apply_rc(fig)
    return fig


# --------------------------------------------------------------------------- plans
def plan_status_bars(
    status: pd.DataFrame,
    lang: str = "en",
    *,
    category_col: str = "dimension",
    title: str | None = None,
) -> Figure:
    """Stacked bars of improvement-plan actions by status, one bar per dimension (or country).

    ``status`` is long: ``<category_col>, status, n``; every configured status is in the
    legend.
    """
    statuses = [str(v) for v in choice_levels("plan_status")]
    status_colors = dict(zip(statuses, ["#BBBBBB", "#DDCC77", "#117733", "#CC6677"], strict=False))
    cats = list(dict.fromkeys(status[category_col].tolist())) if not status.empty else []
    fig, ax = _figure(1.4 + 0.42 * max(len(cats), 1))
    if status.empty:
        return _empty(fig, ax, lang)
    wide = status.pivot_table(index=category_col, columns="status", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=cats, columns=statuses, fill_value=0)
    left = np.zeros(len(cats))
    for st in statuses:
        vals = wide[st].to_numpy(dtype=float)
        ax.barh(range(len(cats)), vals, left=left, color=status_colors.get(st, NEUTRAL_GREY),
                edgecolor="white", label=label("plan_status", st, lang))
        for i, v in enumerate(vals):
            if v > 0:
                ax.text(left[i] + v / 2, i, fmt.integer(v, lang), ha="center", va="center", fontsize=9)
        left += vals
    ax.set_yticks(range(len(cats)), [wrap(_group_text(category_col, c, lang), 30) for c in cats])
    ax.invert_yaxis()
    ax.set_xlabel(t("plot.plans.xlabel", lang))
    _integer_axis(ax.xaxis, lang)
    fig.legend(loc="outside lower center", ncol=len(statuses), frameon=False)
    if title:
        ax.set_title(title, loc="left")
    _apply_rc(fig)
    return fig
