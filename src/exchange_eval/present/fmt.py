"""Numbers, percentages, p-values and dates in the report's locale (babel / CLDR).

Every number a report shows goes through here, so a French report reads ``12,5 %``
(with the non-breaking space CLDR prescribes) and ``24 novembre 2026``. A missing value
(None, NaN, NA) is shown as an en dash ``–``.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import lru_cache
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from .i18n import t

__all__ = ["MISSING", "is_missing", "number", "integer", "percent", "pvalue", "p_equals", "date", "ci", "signed"]

MISSING = "–"


def is_missing(x: Any) -> bool:
    """True for None, NaN, pandas NA / NaT and values that cannot be read as numbers."""
    if x is None:
        return True
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        return False
    return False


@lru_cache(maxsize=32)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=128)
def _pattern(lang: str, kind: str, digits: int) -> NumberPattern:
    loc = _locale(lang)
    base = loc.percent_formats[None] if kind == "percent" else loc.decimal_formats[None]
    pattern = parse_pattern(base.pattern)
    pattern.frac_prec = (digits, digits)
    return pattern


def _as_float(x: Any) -> float | None:
    if is_missing(x):
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def number(x: Any, lang: str = "en", digits: int = 1) -> str:
    """``x`` with ``digits`` decimals in the locale of ``lang``.

    >>> number(1234.56, "fr", 1)
    '1\\u202f234,6'
    >>> number(float("nan"), "en")
    '–'
    """
    value = _as_float(x)
    if value is None:
        return MISSING
    text = _pattern(lang, "decimal", digits).apply(value, _locale(lang))
    # -0.0 must not print as "-0,0"
    return text.lstrip("-\u2212") if value < 0 and float(round(value, digits)) == 0 else text


def signed(x: Any, lang: str = "en", digits: int = 1) -> str:
    """Like `number`, with an explicit ``+`` for positive values (changes)."""
    text = number(x, lang, digits)
    value = _as_float(x)
    if value is not None and round(value, digits) > 0:
        return "+" + text
    return text


def integer(x: Any, lang: str = "en") -> str:
    """A whole number with the locale's grouping (``1 234`` in French)."""
    value = _as_float(x)
    if value is None:
        return MISSING
    return _pattern(lang, "decimal", 0).apply(round(value), _locale(lang))


def percent(x: Any, lang: str = "en", digits: int = 0) -> str:
    """A share (0.125) as a percentage: ``12.5%`` / ``12,5 %`` with ``digits=1``."""
    value = _as_float(x)
    if value is None:
        return MISSING
    if round(value * 100, digits) == 0:  # -0.4 % must not print as "-0 %"
        value = 0.0
    return _pattern(lang, "percent", digits).apply(value, _locale(lang))


def pvalue(p: Any, lang: str = "en") -> str:
    """A p-value: three decimals, ``< 0.001`` below that (``< 0,001`` in French)."""
    value = _as_float(p)
    if value is None:
        return MISSING
    if value < 0.001:
        return "<\u00a0" + number(0.001, lang, 3)
    if value > 0.999:
        return ">\u00a0" + number(0.999, lang, 3)
    return number(value, lang, 3)


def p_equals(p: Any, lang: str = "en") -> str:
    """A p-value with its relation, for running text: ``= 0.004``, ``< 0.001``, ``> 0.999``."""
    text = pvalue(p, lang)
    return text if text[:1] in "<>" or text == MISSING else "=\u00a0" + text


def date(d: Any, lang: str = "en") -> str:
    """A date in the locale's long form: ``24 November 2026`` / ``24 novembre 2026``.

    English uses the day-month-year order common in international reports.
    """
    if is_missing(d):
        return MISSING
    if isinstance(d, str):
        try:
            d = _dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    if isinstance(d, _dt.datetime):
        d = d.date()
    if not isinstance(d, _dt.date):
        return str(d)
    if lang == "en":
        return format_date(d, format="d MMMM y", locale="en")
    return format_date(d, format="long", locale=lang)


def ci(low: Any, high: Any, lang: str = "en", digits: int = 1) -> str:
    """A confidence interval as ``0.5 to 1.5`` / ``0,5 à 1,5`` (words, because a dash or
    comma is ambiguous next to negative numbers and decimal commas)."""
    if _as_float(low) is None or _as_float(high) is None:
        return MISSING
    return t("common.ci_range", lang, low=number(low, lang, digits), high=number(high, lang, digits))
