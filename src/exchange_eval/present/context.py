"""One report being written: its language, its data folder's configuration, and what it
has counted so far.

A notebook creates one `ReportContext` from the workspace's configuration and passes it
to every section, so nothing in the presentation layer reads configuration or keeps
state of its own: the settings an analysis needs (k, the paired-test options, the wave
order, the review thresholds, the scales of the instruments) are read here from the
`core.config.Config`, and the rows withheld for small numbers are counted here for the
methods section.

>>> from exchange_eval.core.config import Config
>>> ctx = ReportContext(Config(), "fr")
>>> ctx.lang, ctx.k, ctx.suppressed_rows
('fr', 3, 0)
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from ..analysis.feedback import scaled_items
from ..analysis.likert import item_scales
from ..analysis.plans import plan_statuses
from ..analysis.review import review_thresholds
from ..analysis.verdict import VerdictRules
from ..core.config import Config
from .i18n import check_language
from .labels import Labels

__all__ = ["ReportContext"]


class ReportContext:
    """The language, configuration, labels and running counts of one report.

    Parameters
    ----------
    config : Config
        The data folder's configuration (``Workspace.config``).
    lang : str, optional
        Report language (checked against the translation tables; default English).

    Attributes
    ----------
    lang : str
    config : Config
    labels : Labels
        Names of the configuration's codes (choices, items, dimensions, countries, …).
    suppressed_rows : int
        Table rows withheld for small numbers so far (`count_suppressed`).
    """

    def __init__(self, config: Config, lang: str | None = None) -> None:
        self.config = config
        self.lang = check_language(lang)
        self.labels = Labels(config)
        self.suppressed_rows = 0

    def __repr__(self) -> str:
        return f"ReportContext({self.config!r}, {self.lang!r})"

    def count_suppressed(self, df: pd.DataFrame | None) -> None:
        """Add the rows of ``df`` flagged ``suppressed`` to `suppressed_rows`."""
        if df is not None and "suppressed" in df.columns:
            self.suppressed_rows += int(df["suppressed"].fillna(False).astype(bool).sum())

    # ------------------------------------------------------------------ settings
    @property
    def k(self) -> int:
        """Minimum cell size (``privacy.min_cell_size``)."""
        return self.config.min_cell_size

    @cached_property
    def _stats(self) -> dict[str, Any]:
        return self.config.settings.get("stats", {}) or {}

    @property
    def alpha(self) -> float:
        """Significance level of the sentences (``stats.alpha``)."""
        return float(self._stats.get("alpha", 0.05))

    @property
    def min_pairs(self) -> int:
        """Fewer linked pairs and the paired test is not run (``stats.min_pairs``)."""
        return int(self._stats.get("min_pairs", 5))

    @property
    def n_boot(self) -> int:
        """Bootstrap resamples of the median-change interval (``stats.n_boot``)."""
        return int(self._stats.get("n_boot", 2000))

    @property
    def paired_options(self) -> dict[str, int]:
        """``n_boot``, ``seed`` and ``min_pairs`` for `analysis.stats.paired_change` and
        the functions built on it."""
        return {"n_boot": self.n_boot, "seed": int(self._stats.get("seed", 0)), "min_pairs": self.min_pairs}

    @property
    def wave_order(self) -> list[str]:
        """The configured order of survey waves (``cleaning.wave_order``)."""
        return [str(w) for w in (self.config.settings.get("cleaning") or {}).get("wave_order", [])]

    @property
    def effect_lag_years(self) -> int:
        """Years between the exchange and the first JSR that can show it (``jsr.effect_lag_years``)."""
        return int((self.config.settings.get("jsr") or {}).get("effect_lag_years", 1))

    @cached_property
    def review_thresholds(self) -> dict[str, float]:
        """Thresholds of the feedback review (``quality``, `analysis.review.review_thresholds`)."""
        return review_thresholds(self.config.settings.get("quality"))

    @cached_property
    def verdict_rules(self) -> VerdictRules:
        """The rules that turn an estimate into a verdict (``verdicts.yaml``)."""
        return VerdictRules.from_config(self.config.verdicts)

    # ------------------------------------------------------------------ instruments and scales
    @cached_property
    def item_scales(self) -> dict[str, list[dict]]:
        """item_id -> scale levels of every scaled item (`analysis.likert.item_scales`)."""
        return item_scales(self.config.instruments, self.config.choices)

    def scaled_items(self, instrument: str) -> tuple[list[str], str]:
        """The statements of ``instrument`` on one scale and its name (`analysis.feedback.scaled_items`)."""
        return scaled_items(self.config.instruments, instrument)

    def scale(self, choice_list: str) -> list[dict]:
        """The levels of a choice list (``choices.yaml``)."""
        return self.config.choices[choice_list]

    def select_one_items(self, instrument: str) -> list[str]:
        """Ids of the single-choice (ordinal) questions of ``instrument``."""
        spec = (self.config.instruments.get("instruments") or {}).get(instrument, {}).get("items") or []
        return [str(i["id"]) for i in spec if i.get("type") == "select_one"]

    @cached_property
    def pulse_outcomes(self) -> dict[str, str]:
        """Pulse statement -> the intermediate outcome it measures (``instruments.yaml``)."""
        spec = (self.config.instruments.get("instruments") or {}).get("pulse", {}).get("items") or []
        return {str(i["id"]): str(i["outcome"]) for i in spec if i.get("outcome")}

    @property
    def dimension_ids(self) -> list[str]:
        """The JSR dimensions in their configured order (``dimensions.yaml``)."""
        return [str(d["id"]) for d in self.config.dimensions.get("dimensions") or []]

    @property
    def plan_statuses(self) -> list[str]:
        """Improvement-plan action statuses, in order (``choices.yaml`` ``plan_status``)."""
        return plan_statuses(self.config.choices)
