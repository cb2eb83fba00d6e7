"""Figures of the reports: matplotlib (Agg), one function per chart, each returning a Figure.

Conventions every function follows:

* it takes the data and the report's `context.ReportContext` (language, labels of the
  configured codes, k);
* every word comes from `i18n` or the context's labels (titles, axes, legends) and every
  number from `fmt`;
* the look (palettes, sizes, fonts) comes from `style`.

One module per family of figures: `likert`, `change`, `jsr` (ladder, RF18), `network`
and `bars` (participation, tools, plans).
"""

from __future__ import annotations

from .bars import participation_bars, plan_status_bars, tool_ratings_bars
from .change import change_dotplot
from .jsr import ladder_slopes, rf18_lines
from .likert import likert_diverging, page_groups
from .network import network_drawing
from .style import FIG_WIDTH, MARKERS, PALETTE, country_color, country_style, likert_colors, wrap

__all__ = [
    "PALETTE",
    "MARKERS",
    "FIG_WIDTH",
    "country_color",
    "country_style",
    "likert_colors",
    "likert_diverging",
    "page_groups",
    "change_dotplot",
    "ladder_slopes",
    "rf18_lines",
    "network_drawing",
    "participation_bars",
    "tool_ratings_bars",
    "plan_status_bars",
    "wrap",
]
