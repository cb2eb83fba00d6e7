"""Every word a report shows, in the report's language.

Translation tables live in ``config/translations/<lang>.yaml`` (nested mappings; a key
is the dotted path, e.g. ``round.heading.participation``). Adding a language means adding
a YAML file with the same keys — `available_languages` lists the files present.

Names that come from the translation tables alone (sessions, waves, groups, tools,
instruments, communities) and from CLDR (languages) are here. Labels that belong to a
data folder's configuration (choice levels, items, outcomes, JSR dimensions and
criteria, comment themes, country names) come from `labels.Labels`, built from that
folder's `core.config.Config`.

A missing key or placeholder is a bug, and always a `TranslationError`: a report never
shows a key in place of a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import yaml
from babel import Locale

from ..core.config import CONFIG_DIR
from ..core.errors import ExchangeEvalError

__all__ = [
    "TRANSLATIONS_DIR",
    "DEFAULT_LANGUAGE",
    "TranslationError",
    "available_languages",
    "check_language",
    "t",
    "translate_or",
    "typography",
    "has_key",
    "keys",
    "session_label",
    "tool_label",
    "wave_label",
    "group_label",
    "instrument_name",
    "community_name",
    "language_name",
    "read_catalogs",
]

TRANSLATIONS_DIR = CONFIG_DIR / "translations"
DEFAULT_LANGUAGE = "en"


class TranslationError(ExchangeEvalError, KeyError):
    """A translation key or language is missing, or a placeholder was not supplied."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


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
        # libyaml's parser when PyYAML has it: the tables are read once per report kernel
        tree = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - safe
    return dict(_flatten(tree))


def read_catalogs() -> list[str]:
    """Read every translation table now; the languages read.

    The tables are package files, the same for every report: a kernel zygote
    (`exchange_eval.publish.kernel`) reads them once, and each report kernel forked from
    it finds them read.
    """
    languages = available_languages()
    for lang in languages:
        _catalog(lang)
    return languages


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
        raise TranslationError(f"translation key {key!r} is missing from {lang}.yaml") from None
    if not kwargs:
        return typography(text, lang)
    try:
        return typography(text.format(**kwargs), lang)
    except (KeyError, IndexError, ValueError) as exc:
        raise TranslationError(
            f"translation {key!r} ({lang}) could not be filled: {exc!r} (given: {', '.join(kwargs)})"
        ) from None


def translate_or(key: str, lang: str, default: str, **kwargs: Any) -> str:
    """`t` of ``key`` when the table has it, else ``default`` (an identifier with an
    optional name, such as a community or an instrument a user added)."""
    return t(key, lang, **kwargs) if has_key(key, lang) else default


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


def instrument_name(instrument: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a questionnaire (translation table ``instrument.*``), else its id."""
    return translate_or(f"instrument.{instrument}", lang, str(instrument))


def community_name(community: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of a community of practice (translation table ``community.*``), else its id."""
    return translate_or(f"community.{str(community).replace('-', '_')}", lang, str(community))


def language_name(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Name of the language ``code`` in ``lang`` (CLDR), else the code.

    >>> language_name("fr", "en")
    'French'
    """
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (ValueError, TypeError):
        return code
