"""Dates as survey platforms export them: one column at a time, the same answer as cell by cell.

ISO texts, ``dd/mm/yyyy`` (``mm/dd/yyyy`` for SurveyMonkey and when a column shows it),
times with AM/PM and zones, Excel serial numbers. `parse_date_column` reads a whole
column: it guesses a format once and applies it to every distinct text, checking a few
against `parse_date`, which defines the result for one cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from .cells import cell_text

__all__ = ["column_month_first", "parse_date", "parse_texts", "parse_date_column", "parse_dates"]

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
_SERIAL = re.compile(r"\d{4,5}(\.\d+)?")
_ISO_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ZONE_SUFFIX = re.compile(r"\s*(GMT|UTC)([+-]\d{1,2}(:?\d{2})?)?$")
# what pd.Timestamp reads as a zone at the end of an ISO text (wall-clock time is kept)
_ISO_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_DATE_SAMPLE = 8  # values of each column parsed both ways, as a guard


def column_month_first(texts: Iterable[str], platform: str | None) -> bool:
    """The day/month order of a column (see `parse_dates`)."""
    day_first_seen = month_first_seen = False
    for text in texts:
        match = _DAY_MONTH.match(text)
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first_seen |= first > 12
            month_first_seen |= second > 12
    if month_first_seen and not day_first_seen:
        return True
    if day_first_seen:
        return False
    return platform == "surveymonkey"


def parse_date(text: str, month_first: bool) -> pd.Timestamp | None:
    """One stripped, non-blank cell (the reference semantics of `parse_dates`)."""
    stamp = None
    if _SERIAL.fullmatch(text):
        number = float(text)
        if 20000 < number < 80000:
            stamp = _EXCEL_EPOCH + pd.to_timedelta(number, unit="D")
    elif _ISO_START.match(text):
        try:
            stamp = pd.Timestamp(text.replace(" UTC", "").replace(" GMT", ""))
        except (ValueError, TypeError):
            stamp = None
    else:
        cleaned = _ZONE_SUFFIX.sub("", text)
        try:
            stamp = pd.to_datetime(cleaned, dayfirst=not month_first)
        except (ValueError, TypeError, OverflowError):
            stamp = None
    if stamp is None or pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    try:
        return pd.Timestamp(stamp).as_unit("ns")
    except (ValueError, OverflowError):  # e.g. "1;2" read as year 1: not a survey date
        return None


def _same_stamp(a: Any, b: pd.Timestamp | None) -> bool:
    return (b is None and pd.isna(a)) or (b is not None and not pd.isna(a) and a == b)


def parse_texts(texts: list[str], month_first: bool) -> np.ndarray:
    """`parse_date` over distinct texts, a whole format at a time (``datetime64[ns]``).

    Calling ``pd.to_datetime`` per cell guesses the format for every cell (milliseconds
    each). Here the format is guessed once, from the first text not parsed yet, and
    applied to every text at once (``errors="coerce"``); a few texts are checked against
    `parse_date`, and whatever the format does not read (another layout, a zone, a
    serial number) goes through `parse_date` itself — so the result is the same.
    """
    out = np.full(len(texts), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    done = np.zeros(len(texts), dtype=bool)

    def take(indices: list[int], values: list[str], fmt: str) -> list[int]:
        """Parse ``values`` (texts[indices], prepared) with ``fmt``; the indices left over."""
        try:
            parsed = pd.to_datetime(pd.Series(values, dtype=object), format=fmt, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            return indices
        stamps = parsed.to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(stamps)
        hits = np.flatnonzero(ok)
        if not len(hits):
            return indices
        sample = hits[:: max(1, len(hits) // _DATE_SAMPLE)][:_DATE_SAMPLE]
        if not all(_same_stamp(pd.Timestamp(stamps[pos]), parse_date(texts[indices[pos]], month_first))
                   for pos in sample):
            return indices
        where = np.asarray(indices)
        out[where[ok]] = stamps[ok]
        done[where[ok]] = True
        return [indices[pos] for pos in np.flatnonzero(~ok)]

    iso = [i for i, t in enumerate(texts) if _ISO_START.match(t)]
    if len(iso) >= 2 * _DATE_SAMPLE:
        take(iso, [_ISO_OFFSET.sub("", texts[i].replace(" UTC", "").replace(" GMT", "")) for i in iso],
             "ISO8601")
    pending = [i for i, t in enumerate(texts) if not _ISO_START.match(t) and not _SERIAL.fullmatch(t)]
    for _attempt in range(4):  # a column holds one layout, seldom a few
        if len(pending) < 2 * _DATE_SAMPLE:
            break
        cleaned = [_ZONE_SUFFIX.sub("", texts[i]) for i in pending]
        fmt = guess_datetime_format(cleaned[0], dayfirst=not month_first)
        if fmt is None or "%z" in fmt or "%Z" in fmt:
            break
        left = take(pending, cleaned, fmt)
        if len(left) == len(pending):
            break
        pending = left
    for i in np.flatnonzero(~done):
        stamp = parse_date(texts[i], month_first)
        if stamp is not None:
            out[i] = stamp.to_datetime64()
    return out


def parse_date_column(values: Iterable[Any], *, platform: str | None = None,
                       month_first: bool | None = None) -> pd.Series:
    """`parse_dates` as a ``datetime64[ns]`` Series (NaT where a cell gives None)."""
    column = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(column.astype(object).reset_index(drop=True), use_na_sentinel=True)
    cleaned = [cell_text(u) for u in uniques]
    texts = list(dict.fromkeys(t for t in cleaned if t is not None))
    if month_first is None:
        month_first = column_month_first(texts, platform)
    position = {t: i for i, t in enumerate(texts)}
    parsed = parse_texts(texts, month_first)
    lookup = np.full(len(cleaned) + 1, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    for i, t in enumerate(cleaned):
        if t is not None:
            lookup[i] = parsed[position[t]]
    return pd.Series(lookup[codes], dtype="datetime64[ns]")


def parse_dates(values: Iterable[Any], *, platform: str | None = None,
                 month_first: bool | None = None) -> list[pd.Timestamp | None]:
    """Parse a column of dates as exported: ISO, dd/mm/yyyy (mm/dd for SurveyMonkey and
    when the column shows it), with times and AM/PM, Excel serial numbers.

    The day/month order is decided per column: a first number above 12 means day first,
    a second number above 12 means month first; otherwise SurveyMonkey is month first
    and everything else day first. Time zones are dropped (wall-clock time is kept).
    Unparseable cells give None.
    """
    parsed = parse_date_column(values, platform=platform, month_first=month_first)
    return [None if pd.isna(stamp) else stamp for stamp in parsed]
