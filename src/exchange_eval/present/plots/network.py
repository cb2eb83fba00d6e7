"""Network figure: the ties of one wave, nodes coloured and shaped by country."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import fmt
from ..context import ReportContext
from ..i18n import t
from .style import NEUTRAL_GREY, country_style, empty_figure, finish, new_figure

__all__ = ["network_drawing"]


def network_drawing(graph: Any, ctx: ReportContext, *, title: str | None = None, seed: int = 0) -> Figure:
    """The tie network: nodes coloured (and shaped) by country, width by collaboration level.

    ``graph`` is a networkx graph (``analysis.network.tie_graph``) whose nodes carry a
    ``country`` attribute; edges may carry ``collaboration`` or ``weight``.
    """
    lang = ctx.lang
    fig, ax = new_figure(4.6)
    ax.set_axis_off()
    if graph is None or graph.number_of_nodes() == 0:
        return empty_figure(fig, ax, lang)
    pos = nx.spring_layout(graph, seed=seed, k=1.6 / np.sqrt(max(graph.number_of_nodes(), 1)))
    widths = []
    for _u, _v, data in graph.edges(data=True):
        w = data.get("collaboration", data.get("weight", 1))
        widths.append(0.6 + 0.8 * (0 if fmt.is_missing(w) else float(w)))
    edge_style: dict[str, Any] = {"arrows": True, "arrowsize": 8} if graph.is_directed() else {}
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.7,
                           node_size=140, **edge_style)
    countries = sorted({str(d.get("country") or "") for _n, d in graph.nodes(data=True)})
    known = [c for c in countries if c]
    for c in countries:
        nodes = [n for n, d in graph.nodes(data=True) if str(d.get("country") or "") == c]
        color, marker = country_style(c, known) if c else (NEUTRAL_GREY, "o")
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=color, node_shape=marker,
                               node_size=140, ax=ax, edgecolors="white", linewidths=0.8)
    handles = [
        Line2D([], [], marker=(country_style(c, known)[1] if c else "o"), ls="none", markersize=8,
               color=(country_style(c, known)[0] if c else NEUTRAL_GREY),
               label=ctx.labels.country(c, lang) if c else t("plot.network.unknown_country", lang))
        for c in countries
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), frameon=False,
               title=t("plot.network.legend", lang), title_fontsize=9)
    if title:
        ax.set_title(title, loc="left")
    finish(fig)
    return fig
