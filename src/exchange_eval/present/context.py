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
from ..analysis.questions import scale_groups
from ..analysis.review import review_thresholds
from ..analysis.stats import PairedOptions
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

    def __init__(self, config: Config, lang: str | None = None, *, items: pd.DataFrame | None = None,
                 item_choices: pd.DataFrame | None = None) -> None:
        self.config = config
        self.lang = check_language(lang)
        self.labels = Labels(config, items, item_choices)
        self.items = items if items is not None else pd.DataFrame()
        self.suppressed_rows = 0

    @classmethod
    def for_round(cls, config: Config, lang: str | None, rd: Any) -> ReportContext:
        """The context of a round report: the round's data dictionary names its questions."""
        return cls(config, lang, items=getattr(rd, "items", None), item_choices=getattr(rd, "item_choices", None))

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
    def exact_max_pairs(self) -> int:
        """Up to this many non-zero changes the paired p-value is exact (``stats.exact_max_pairs``)."""
        return int(self._stats.get("exact_max_pairs", 20))

    @property
    def multiplicity(self) -> str:
        """Adjustment of the p-values over each table (``stats.multiplicity``: holm or BH)."""
        return str(self._stats.get("multiplicity", "holm"))

    @property
    def paired_options(self) -> PairedOptions:
        """The settings of every paired comparison (`analysis.stats.PairedOptions`)."""
        return PairedOptions(min_pairs=self.min_pairs, exact_max_pairs=self.exact_max_pairs,
                             conf_level=1 - self.alpha, hl_zeros=str(self._stats.get("hl_zeros", "keep")),
                             multiplicity=self.multiplicity)

    def primary_outcome(self, level: str) -> str | None:
        """The pre-specified primary outcome of ``level`` (``stats.primary_outcomes``), or None."""
        value = (self._stats.get("primary_outcomes") or {}).get(level)
        return None if value is None else str(value)

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
        """The levels of a choice list: the round's own (its data dictionary, in scale
        order, without "don't know"), else ``choices.yaml``'s."""
        own = self.labels.round_levels(choice_list)
        if own is not None:
            return own
        return self.config.choices[choice_list]

    def scale_groups(self, instrument: str) -> list[tuple[str, list[str]]]:
        """The single-choice questions of ``instrument`` grouped by scale, in questionnaire
        order: the round's data dictionary when it has them (`analysis.questions.scale_groups`),
        else the standard statements of ``instruments.yaml`` (`scaled_items`)."""
        groups = scale_groups(self.items, instrument) if len(self.items) else []
        if groups:
            return groups
        items, choices = self.scaled_items(instrument)
        return [(choices, items)] if items else []

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
