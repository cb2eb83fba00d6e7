"""Names of the data model's codes in a report's language.

`Labels` reads them from one data folder's configuration (`core.config.Config`), so a
user who adds an item, a choice list, a dimension or a country to ``data/config/`` sees
its names in the reports: choice levels (``choices.yaml``), questions and intermediate
outcomes (``instruments.yaml``), JSR dimensions and criteria (``dimensions.yaml``),
comment themes (``themes.yaml``) and countries (``countries.yaml``, then CLDR). Each
entry carries ``label_<lang>`` keys; a missing language falls back to English, then to
the code itself, so nothing read is silently dropped.

`session_namer` and `wave_namer` name the sessions and waves of particular rounds
(manifest titles first for sessions the translation table does not know).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cached_property, lru_cache
from typing import Any

from babel import Locale
from babel.core import get_global

from ..core.config import Config
from ..core.countries import country_name as table_country_name
from ..core.errors import ExchangeEvalError
from . import fmt
from .i18n import DEFAULT_LANGUAGE, group_label, session_label, tool_label, translate_or, wave_label

__all__ = ["Labels", "session_namer", "wave_namer"]


def _label_of(entry: Mapping[str, Any], lang: str, fallback: str) -> str:
    for name in (f"label_{lang}", f"label_{DEFAULT_LANGUAGE}"):
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return str(value)
    return fallback


def _same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return str(a).strip().lower() == str(b).strip().lower()
    return not (math.isnan(fa) or math.isnan(fb)) and fa == fb


@lru_cache(maxsize=512)
def _cldr_country(iso3: str, lang: str) -> str | None:
    iso2 = (get_global("territory_aliases").get(iso3) or [None])[0]
    if not iso2:
        return None
    try:
        return Locale.parse(lang).territories.get(iso2)
    except (ValueError, TypeError):
        return None


def _other_language(entry: Mapping[str, Any], lang: str) -> str | None:
    """A label of ``entry`` in any language but ``lang`` (English first)."""
    for key in ("label_en", *sorted(k for k in entry if str(k).startswith("label_"))):
        value = entry.get(key)
        if key != f"label_{lang}" and value not in (None, "") and not fmt.is_missing(value):
            return str(value)
    return None


class Labels:
    """The names of one data folder's codes, in any report language.

    Parameters
    ----------
    config : Config
        The data folder's configuration (``ws.config``); its files are read once.
    items, item_choices : DataFrame, optional
        A cleaned round's data dictionary (``RoundData.items`` and ``item_choices``):
        its questions and choice lists are named with the questionnaire's own words, in
        the report's language, else in the other language the questionnaire has (the
        item is then in `fallbacks`, for a note), before the configuration is asked.

    Examples
    --------
    >>> labels = Labels(Config())
    >>> labels.choice("agree5", 5, "fr")
    "Tout à fait d'accord"
    >>> labels.country("SEN", "fr")
    'Sénégal'
    """

    def __init__(self, config: Config, items: Any = None, item_choices: Any = None) -> None:
        self.config = config
        self._round_items: dict[str, dict[str, Any]] = {}
        self._round_lists: dict[str, list[dict[str, Any]]] = {}
        #: item ids and choice lists named in another language than the report's
        self.fallbacks: set[str] = set()
        if items is not None and len(items):
            for row in items.to_dict("records"):
                self._round_items.setdefault(str(row["item_id"]), row)
        if item_choices is not None and len(item_choices):
            for row in item_choices.sort_values(["list_name", "order"]).to_dict("records"):
                self._round_lists.setdefault(str(row["list_name"]), []).append(row)

    def _worded(self, entry: Mapping[str, Any], lang: str, key: str) -> str | None:
        """``entry``'s label in ``lang``, else in another language (noted in `fallbacks`)."""
        value = entry.get(f"label_{lang}")
        if value not in (None, "") and not fmt.is_missing(value):
            return str(value)
        other = _other_language(entry, lang)
        if other is not None:
            self.fallbacks.add(key)
        return other

    def lacks_language(self, lang: str) -> bool:
        """Whether a question or choice of the round's dictionary has no label in ``lang``
        (it is then shown in another language)."""
        rows = [*self._round_items.values(), *(lv for levels in self._round_lists.values() for lv in levels)]
        return any(fmt.is_missing(row.get(f"label_{lang}")) or row.get(f"label_{lang}") in (None, "")
                   for row in rows)

    def round_item(self, item_id: Any) -> dict[str, Any] | None:
        """The data-dictionary row of an item of the round (None when not there)."""
        return self._round_items.get(str(item_id))

    def round_levels(self, choice_list: str) -> list[dict[str, Any]] | None:
        """The levels of a round choice list that are answers (not "don't know"), in scale
        order (ascending value; options in list order), as ``{"value", "label_xx"}``."""
        levels = self._round_lists.get(str(choice_list))
        if levels is None:
            return None
        kept = [lv for lv in levels if not bool(lv.get("is_missing"))]
        if kept and all(not fmt.is_missing(lv.get("value")) for lv in kept):
            kept = sorted(kept, key=lambda lv: float(lv["value"]))
            return [{**lv, "value": float(lv["value"])} for lv in kept]
        return [{**lv, "value": lv.get("name")} for lv in kept]

    def __repr__(self) -> str:
        return f"Labels({self.config!r})"

    @cached_property
    def _items(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for name, spec in (self.config.instruments.get("instruments") or {}).items():
            for entry in list(spec.get("items") or []) + list(spec.get("grids") or []):
                found.setdefault(str(entry["id"]), {**entry, "instrument": name})
        return found

    def choice(self, choice_list: str, value: Any, lang: str) -> str:
        """Label of ``value`` in the choice list ``choice_list``; an unknown value is
        shown as it is (so nothing is silently lost from a table)."""
        for level in self._round_lists.get(str(choice_list), []):
            if _same_value(level.get("value"), value) or _same_value(level.get("name"), value):
                worded = self._worded(level, lang, f"list:{choice_list}")
                if worded:
                    return worded
        for level in self.config.choices.get(choice_list, []) or []:
            if _same_value(level.get("value"), value):
                return _label_of(level, lang, str(value))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def levels(self, choice_list: str) -> list[Any]:
        """The values of a choice list, in scale order."""
        round_levels = self.round_levels(choice_list)
        if round_levels is not None:
            return [level["value"] for level in round_levels]
        return [level.get("value") for level in self.config.choices.get(choice_list, []) or []]

    def item(self, item_id: Any, lang: str) -> str:
        """Question text of ``item_id``; ``question — option`` for a select_multiple option."""
        item_id = str(item_id)
        found = self._round_items.get(item_id)
        if found is not None:
            worded = self._worded(found, lang, item_id)
            if worded:
                return worded
        base, _, option = item_id.rpartition(".")
        parent = self._round_items.get(base) if base else None
        if parent is not None:
            question = self._worded(parent, lang, base) or base
            list_name = parent.get("list_name")
            option_text = self.choice(str(list_name), option, lang) if not fmt.is_missing(list_name) else option
            return f"{question} — {option_text}"
        entry = self._items.get(item_id)
        if entry is not None:
            return _label_of(entry, lang, item_id)
        base, _, option = item_id.partition(".")
        if option and base in self._items:
            parent = self._items[base]
            choices = parent.get("choices")
            option_text = self.choice(choices, option, lang) if choices else option
            return f"{_label_of(parent, lang, base)} — {option_text}"
        return item_id

    def outcome(self, outcome_id: Any, lang: str) -> str:
        """Name of an intermediate outcome (``instruments.yaml`` ``outcomes``)."""
        for entry in self.config.instruments.get("outcomes") or []:
            if str(entry.get("id")) == str(outcome_id):
                return _label_of(entry, lang, str(outcome_id))
        return str(outcome_id)

    def dimension(self, dimension_id: Any, lang: str) -> str:
        """Name of a JSR effectiveness dimension (``dimensions.yaml``)."""
        for entry in self.config.dimensions.get("dimensions") or []:
            if str(entry.get("id")) == str(dimension_id):
                return _label_of(entry, lang, str(dimension_id))
        return str(dimension_id)

    def criterion(self, criterion_id: Any, lang: str) -> str:
        """Name of a self-assessment criterion (``dimensions.yaml`` ``criteria_labels``)."""
        entry = (self.config.dimensions.get("criteria_labels") or {}).get(str(criterion_id))
        return _label_of(entry, lang, str(criterion_id)) if entry else str(criterion_id)

    def theme(self, theme: Any, lang: str) -> str:
        """Name of a comment theme (``themes.yaml``; ``other`` from the translation table)."""
        entry = (self.config.themes.get("themes") or {}).get(theme) or {}
        if not entry:
            return translate_or(f"theme.{theme}", lang, str(theme))
        return str(entry.get(f"label_{lang}") or entry.get("label_en") or theme)

    def country(self, iso3: Any, lang: str) -> str:
        """Name of a country from its ISO3 code: the country table (with the data
        folder's additions), then CLDR, then the code."""
        code = str(iso3).strip().upper()
        try:
            name = table_country_name(code, lang, data_dir=self.config.data_dir)
        except ExchangeEvalError:  # code not in the table, or no name in this language
            name = None
        if name:
            return str(name)
        return _cldr_country(code, lang) or code

    def of(self, column: str, value: Any, lang: str) -> str:
        """The name of ``value`` as a value of ``column`` (country, session, wave,
        outcome, dimension, group, tool, item); other columns show the value itself."""
        namers: dict[str, Callable[[Any, str], str]] = {
            "country": self.country,
            "session_id": session_label,
            "session": session_label,
            "wave": wave_label,
            "outcome": self.outcome,
            "dimension": self.dimension,
            "group": group_label,
            "tool": tool_label,
            "item_id": self.item,
        }
        namer = namers.get(column)
        return namer(value, lang) if namer else str(value)


def session_namer(meta: Mapping[str, Any]) -> Callable[[Any, str], str]:
    """A table formatter naming sessions with the manifest's titles (standard ids such
    as vc1 keep their translated names)."""
    titles = {str(s.get("id")): s.get("title") for s in meta.get("sessions") or []}

    def name(value: Any, lang: str) -> str:
        return "" if fmt.is_missing(value) else session_label(value, lang, titles.get(str(value)))

    return name


def wave_namer(*metas: Mapping[str, Any]) -> Callable[[Any, str], str]:
    """A formatter for a ``wave`` column that may hold survey waves or the session ids of
    the rounds of ``metas`` (named by their manifest titles)."""
    sessions: dict[str, Any] = {}
    for meta in metas:
        sessions.update({str(s.get("id")): s.get("title") for s in meta.get("sessions") or []})

    def name(value: Any, lang: str) -> str:
        if fmt.is_missing(value):
            return ""
        text = wave_label(value, lang)
        return session_label(value, lang, sessions.get(str(value))) if text == str(value) else text

    return name

