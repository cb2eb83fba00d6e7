"""Every word a report shows, in the report's language.

Translation tables live in ``config/translations/<lang>.yaml`` (nested mappings; a key
is the dotted path, e.g. ``round.heading.participation``). Adding a language means adding
a YAML file with the same keys — `available_languages` lists the files present.

Labels that belong to the data model (choice levels, items, intermediate outcomes, JSR
dimensions) come from the configuration files that define them (``choices.yaml``,
``instruments.yaml``, ``dimensions.yaml``) through their ``label_<lang>`` keys, so a
user who adds an item also adds its labels in one place.

A missing key is a bug: under pytest (or with ``EXCHANGE_EVAL_STRICT_I18N=1``) `t`
raises `TranslationError`; in a report it shows the key itself so the gap is visible
but the report still builds.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import yaml

from ..core.config import CONFIG_DIR, choice_lists, dimensions, instruments
from ..core.countries import country_name as project_country_name
from ..core.errors import ExchangeEvalError

__all__ = [
    "TRANSLATIONS_DIR",
    "TranslationError",
    "available_languages",
    "check_language",
    "t",
    "typography",
    "choice_levels",
    "has_key",
    "keys",
    "label",
    "item_label",
    "outcome_label",
    "dimension_label",
    "criterion_label",
    "session_label",
    "tool_label",
    "wave_label",
    "group_label",
    "country_name",
]

TRANSLATIONS_DIR = CONFIG_DIR / "translations"
DEFAULT_LANGUAGE = "en"

log = logging.getLogger(__name__)


class TranslationError(ExchangeEvalError, KeyError):
    """A translation key or language is missing, or a placeholder was not supplied."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _strict() -> bool:
    return bool(os.environ.get("EXCHANGE_EVAL_STRICT_I18N")) or "PYTEST_CURRENT_TEST" in os.environ


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path + ".")
        else:
            yield path, "" if value is None else str(value)


@lru_cache(maxsize=16)
def _catalog(lang: str) -> dict[str, str]:
    path = TRANSLATIONS_DIR / f"{lang}.yaml"
    if not path.is_file():
        raise TranslationError(
            f"no translation table for language {lang!r}; available: {', '.join(available_languages())}"
        )
    with path.open(encoding="utf-8") as handle:
        tree = yaml.safe_load(handle) or {}
    return dict(_flatten(tree))


def available_languages() -> list[str]:
    """Languages with a translation table (``config/translations/*.yaml``), sorted."""
    return sorted(p.stem for p in TRANSLATIONS_DIR.glob("*.yaml"))


def check_language(lang: str | None) -> str:
    """Return ``lang`` (default English) or raise `TranslationError` when it has no table."""
    lang = (lang or DEFAULT_LANGUAGE).strip().lower()
    if lang not in available_languages():
        raise TranslationError(
            f"report language {lang!r} is not available; choose one of {', '.join(available_languages())}"
        )
    return lang


def keys(lang: str = DEFAULT_LANGUAGE) -> set[str]:
    """Every key of one language's table."""
    return set(_catalog(lang))


def has_key(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether ``key`` exists in the table of ``lang``."""
    return key in _catalog(lang)


_NBSP, _NNBSP = "\u00a0", "\u202f"
_FRENCH_SPACING = re.compile(r" ([:;?!»%])|(«) ")


def typography(text: str, lang: str) -> str:
    """Keep signs with their words across line breaks: ``n = 9`` never splits, and in
    French the space before ``: ; ? ! %`` and inside « » is non-breaking."""
    text = text.replace(" = ", f"{_NBSP}={_NBSP}")
    if lang == "fr":
        text = _FRENCH_SPACING.sub(lambda m: f"{_NNBSP}{m.group(1)}" if m.group(1) else f"{m.group(2)}{_NNBSP}", text)
    return text


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kwargs: Any) -> str:
    """The text of ``key`` in ``lang``, with ``str.format`` placeholders filled from kwargs.

    Examples
    --------
    >>> t("common.n_pairs", "fr", n=9)  # non-breaking spaces keep "n = 9" on one line
    'n\xa0=\xa09 paires'
    """
    catalog = _catalog(lang)
    try:
        text = catalog[key]
    except KeyError:
        if _strict():
            raise TranslationError(f"translation key {key!r} is missing from {lang}.yaml") from None
        log.warning("translation key %r missing from %s.yaml", key, lang)
        return key
    if not kwargs:
        return typography(text, lang)
    try:
        return typography(text.format(**kwargs), lang)
    except (KeyError, IndexError, ValueError) as exc:
        if _strict():
            raise TranslationError(
                f"translation {key!r} ({lang}) could not be filled: {exc!r} (given: {', '.join(kwargs)})"
            ) from None
        log.warning("translation %r (%s) could not be filled: %r", key, lang, exc)
        return text


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


def label(choice_list: str, value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """Label of ``value`` in choice list ``choice_list`` (``choices.yaml`` ``label_<lang>``).

    An unknown value is shown as it is (so nothing is silently lost from a table).

    >>> label("agree5", 5, "fr")
    "Tout à fait d'accord"
    """
    for level in choice_lists().get(choice_list, []) or []:
        if _same_value(level.get("value"), value):
            return _label_of(level, lang, str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def choice_levels(choice_list: str) -> list[Any]:
    """The values of a choice list, in scale order."""
    return [level.get("value") for level in choice_lists().get(choice_list, []) or []]


@lru_cache(maxsize=1)
def _items() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, spec in (instruments().get("instruments") or {}).items():
        for entry in list(spec.get("items") or []) + list(spec.get("grids") or []):
            found.setdefault(str(entry["id"]), {**entry, "instrument": name})
    return found


def item_label(item_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Question text of ``item_id`` (``instruments.yaml``); ``item.option`` for a select_multiple option."""
    item_id = str(item_id)
    entry = _items().get(item_id)
    if entry is not None:
        return _label_of(entry, lang, item_id)
    base, _, option = item_id.partition(".")
    if option and base in _items():
        parent = _items()[base]
        choices = parent.get("choices")
        option_text = label(choices, option, lang) if choices else option
        return f"{_label_of(parent, lang, base)} — {option_text}"
    return item_id


def outcome_label(outcome_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of an intermediate outcome (``instruments.yaml`` ``outcomes``)."""
    for entry in instruments().get("outcomes") or []:
        if str(entry.get("id")) == str(outcome_id):
            return _label_of(entry, lang, str(outcome_id))
    return str(outcome_id)


def dimension_label(dimension_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a JSR effectiveness dimension (``dimensions.yaml``)."""
    for entry in dimensions().get("dimensions") or []:
        if str(entry.get("id")) == str(dimension_id):
            return _label_of(entry, lang, str(dimension_id))
    return str(dimension_id)


def criterion_label(criterion_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a self-assessment criterion (``dimensions.yaml`` ``criteria_labels``)."""
    entry = (dimensions().get("criteria_labels") or {}).get(str(criterion_id))
    return _label_of(entry, lang, str(criterion_id)) if entry else str(criterion_id)


def _lookup(prefix: str, ident: Any, lang: str) -> str | None:
    key = f"{prefix}.{str(ident).strip().lower().replace('-', '_')}"
    catalog = _catalog(lang)
    return catalog.get(key)


def session_label(session_id: str, lang: str = DEFAULT_LANGUAGE, title: str | None = None) -> str:
    """Name of a session: the standard ones (vc1–vc3, visit, …) from the translation
    table, others from the manifest ``title`` or the id itself."""
    known = _lookup("session", session_id, lang)
    if known:
        return known
    if title and str(title).strip() and str(title) != "nan":
        return str(title)
    return str(session_id).upper() if len(str(session_id)) <= 4 else str(session_id)


def tool_label(tool_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a JSR tool or toolbox item (translation table ``tool.*``)."""
    return _lookup("tool", tool_id, lang) or str(tool_id).replace("_", " ")


def wave_label(wave: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a survey wave: pre, post, retro, followup-N, pulse-N."""
    wave = str(wave)
    known = _lookup("wave", wave, lang)
    if known:
        return known
    stem, _, number = wave.rpartition("-")
    if number.isdigit():
        pattern = _lookup("wave", f"{stem}_n", lang)
        if pattern:
            return pattern.format(n=int(number))
    return wave


def group_label(group: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a comparison group (participant / comparison)."""
    return _lookup("group", group, lang) or str(group)


@lru_cache(maxsize=512)
def _babel_country(iso3: str, lang: str) -> str | None:
    from babel import Locale
    from babel.core import get_global

    aliases = get_global("territory_aliases")
    iso2 = (aliases.get(iso3) or [None])[0]
    if not iso2:
        return None
    try:
        return Locale.parse(lang).territories.get(iso2)
    except (ValueError, TypeError):
        return None


def country_name(iso3: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a country from its ISO3 code, in ``lang`` (CLDR names through babel).

    >>> country_name("SEN", "fr")
    'Sénégal'
    """
    code = str(iso3).strip().upper()
    try:  # the project's table (exchange_eval.core.countries) first, CLDR names for the rest
        name = project_country_name(code, lang)
    except ExchangeEvalError:  # code not in the table, or no name in this language
        name = None
    if name:
        return str(name)
    return _babel_country(code, lang) or code
