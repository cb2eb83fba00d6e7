"""Look of every figure: palettes, sizes, fonts and the helpers the figure modules share.

* colour-blind-safe palettes: Paul Tol's *muted* qualitative scheme for countries and
  groups, a red–grey–blue diverging scheme (ColorBrewer RdBu, safe for the common forms
  of colour blindness) for Likert scales;
* the countries of a figure get distinct colours from a fixed palette, in the order of
  the figure's own country list (`country_style` with ``countries``); a country drawn
  without that list keeps a colour from a stable hash of its ISO3 code;
* sized for A4 print: at most 7 in wide, no text below 9 pt (`finish`); long labels are
  wrapped (`wrap`).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # figures are rendered to PNG, never to a window

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .. import fmt  # noqa: E402
from ..i18n import t  # noqa: E402

__all__ = [
    "PALETTE",
    "MARKERS",
    "NEUTRAL_GREY",
    "SUPPRESSED_GREY",
    "FIG_WIDTH",
    "BASE_FONT",
    "wrap",
    "country_color",
    "country_style",
    "likert_colors",
    "new_figure",
    "finish",
    "empty_figure",
    "percent_axis",
    "integer_axis",
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


def country_style(iso3: str, countries: Sequence[str] | None = None) -> tuple[str, str]:
    """(colour, marker) of a country.

    With ``countries`` (the figure's countries, in legend order), the i-th country gets
    the i-th colour of the fixed palette, so no two countries of a figure share a colour
    until the palette runs out (then the marker differs). Without it, a stable hash of
    the ISO3 code picks them.

    >>> country_style("SEN", ["BFA", "SEN"])[0] == PALETTE[1]
    True
    """
    if countries is not None and iso3 in list(countries):
        i = list(countries).index(iso3)
        return PALETTE[i % len(PALETTE)], MARKERS[(i // len(PALETTE)) % len(MARKERS)]
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


def new_figure(height: float, width: float = FIG_WIDTH, **kwargs: Any) -> tuple[Figure, Any]:
    """A Figure of the report's width (at most 7 in) with its axes (``Figure.subplots`` kwargs)."""
    fig = Figure(figsize=(min(width, 7.0), height), layout="constrained")
    axes = fig.subplots(**kwargs)
    return fig, axes


def finish(fig: Figure) -> None:
    """Enforce the minimum font size on every text of a finished figure."""
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_fontsize() < 9:
            text.set_fontsize(9)


def empty_figure(fig: Figure, ax: Any, lang: str) -> Figure:
    """``fig`` saying that there is nothing to draw."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, t("plot.no_data", lang), ha="center", va="center", transform=ax.transAxes)
    return fig


def percent_axis(lang: str) -> FuncFormatter:
    """Axis in percent points (0–100), shown without sign on both sides of a diverging bar."""
    return FuncFormatter(lambda x, _pos: fmt.percent(abs(x) / 100, lang, 0))


def integer_axis(axis: Any, lang: str) -> None:
    """Whole-number ticks in the locale's format."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda x, _p: fmt.integer(x, lang)))
