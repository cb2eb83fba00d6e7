"""The cleaning pipeline: raw exports of a round → canonical tables in ``data/processed/<round>/``.

``raw → ingest → harmonize → validate → protect → processed``. `clean_round` reads the
round manifest, reads every source with `ingest.read_export`, maps columns and answers
with the codebook, builds the canonical tables of `tables.TABLES`, replaces people by
pseudonyms (`privacy.pseudonym`), scrubs free text, validates every table with
`schema.py`, then writes the tables, ``cleaning_log.csv`` and ``meta.json`` into a
temporary folder that is swapped in atomically: when anything fails, the previous
processed output is untouched. Raw files are only ever opened for reading.

`validate_round` runs the same steps without writing and returns every problem found.

Duplicate submissions (same pid, instrument, wave and session) are resolved by
``settings.cleaning.duplicate_rule``:

``latest_complete`` (default)
    keep the submission with the most answered items (answers that are neither blank nor
    a missing code); among those, the latest ``submitted_at`` (a submission without a
    time counts as the earliest); among those, the last one in the file order.
``latest``
    the latest ``submitted_at``, then the last in file order.
``first``
    the earliest ``submitted_at``, then the first in file order.
``most_complete``
    the most answered items, then the first in file order.

Anonymous submissions (neither e-mail nor name) are never treated as duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..core.config import dimensions, settings
from ..core.errors import DataError, DataErrors, Problem
from ..core.fingerprint import input_fingerprint
from ..core.paths import Workspace
from ..core.tables import CLEANING_LOG_COLUMNS, TABLES
from .codebook import Codebook, CodebookEntry, load_codebook, normalize_label
from .manifest import Manifest, Source, load_manifest
from .validate import check_table

__all__ = ["CleanResult", "clean_round", "validate_round", "DUPLICATE_RULES", "CORRECTIONS_FILE"]

DUPLICATE_RULES = ("latest_complete", "latest", "first", "most_complete")
CORRECTIONS_FILE = "corrections.csv"
SURVEY_INSTRUMENTS = ("session_feedback", "outcomes", "tool_feedback", "pulse", "ties")
STRUCTURED_INSTRUMENTS = ("plan_actions", "jsr_assessment", "jsr_quality")
_TRUE = {"1", "yes", "oui", "y", "o", "x", "true", "vrai", "present", "attended", "checked", "coche", "si"}
_FALSE = {"0", "no", "non", "n", "false", "faux", "absent", ""}


# ---------------------------------------------------------------------- results
@dataclass
class CleanResult:
    """What `clean_round` produced: the tables (as written), the log, problems and linkage."""

    round_id: str
    output: Path | None
    tables: dict[str, pd.DataFrame]
    cleaning_log: pd.DataFrame
    problems: list[Problem]
    linkage: dict[str, int]
    meta: dict[str, Any]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> str:
        """One line: ``12 participants, 1,234 responses, 3 warnings``."""
        n_people = len(self.tables.get("participants", ()))
        n_responses = len(self.tables.get("responses", ()))
        n_warnings = len(self.warnings)
        return (
            f"{n_people:,} participant{'s' if n_people != 1 else ''}, "
            f"{n_responses:,} response{'s' if n_responses != 1 else ''}, "
            f"{n_warnings:,} warning{'s' if n_warnings != 1 else ''}"
        )


class _Log:
    def __init__(self, round_id: str) -> None:
        self.round_id = round_id
        self.rows: list[dict[str, Any]] = []
        self._parts: list[list[dict[str, Any]] | pd.DataFrame] = []

    def add(self, action: str, *, file: str | None = None, row: int | None = None,
            column: str | None = None, item_id: str | None = None, old: Any = None,
            new: Any = None, detail: str | None = None) -> None:
        self.rows.append({
            "round_id": self.round_id, "source_file": file, "row": row, "column": column,
            "action": action, "item_id": item_id,
            "old": None if old is None else str(old), "new": None if new is None else str(new),
            "detail": detail,
        })

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Append many rows at once (columns of `CLEANING_LOG_COLUMNS`, texts already str)."""
        if not len(frame):
            return
        if self.rows:
            self._parts.append(self.rows)
            self.rows = []
        self._parts.append(frame)

    def frame(self) -> pd.DataFrame:
        parts = [pd.DataFrame(p, columns=CLEANING_LOG_COLUMNS) if isinstance(p, list)
                 else p[CLEANING_LOG_COLUMNS] for p in [*self._parts, self.rows] if len(p)]
        if not parts:
            parts = [pd.DataFrame(self.rows, columns=CLEANING_LOG_COLUMNS)]
        frame = parts[0] if len(parts) == 1 else pd.concat(
            [p.astype(object) for p in parts], ignore_index=True)
        frame = frame.reset_index(drop=True)
        for column in CLEANING_LOG_COLUMNS:
            frame[column] = frame[column].astype("Int64" if column == "row" else "string")
        return frame


@dataclass
class _Submission:
    """One respondent's answers in one source row."""

    pid: str
    anonymous: bool
    key: tuple
    source: Source
    row: int
    order: int
    submitted_at: pd.Timestamp | None
    n_answered: int
    responses: list[dict[str, Any]] = field(default_factory=list)
    ties: list[dict[str, Any]] = field(default_factory=list)
    person: dict[str, Any] = field(default_factory=dict)
    store: _ResponseBlocks | None = None  # its responses: rows of store at slot
    slot: int = -1


# ---------------------------------------------------------------------- helpers
def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip()


def _cell(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _privacy():
    from . import protect as privacy

    return privacy


def _to_iso3(value: str, data_dir: Path | None = None) -> str | None:
    from ..core.countries import to_iso3

    return to_iso3(value, data_dir=data_dir)


def _full_name(fields: dict[str, Any]) -> str | None:
    """The person's full name: first + last name when split; a ``Nom`` (name) column beside a
    ``Prénom`` (first name) column holds the last name, as on French registration forms."""
    first, last, name = fields.get("first_name"), fields.get("last_name"), fields.get("name")
    if first or last:
        return " ".join(p for p in (first, last or name) if p)
    return name


def _records(raw: Any) -> list[dict[str, Any]]:
    """The rows of a RawTable as dicts (cached on the table: row access by iloc is slow)."""
    cached = getattr(raw, "_clean_records", None)
    if cached is None or len(cached) != raw.n_rows:
        cached = raw.frame.astype(object).to_dict("records")
        raw._clean_records = cached
    return cached


def _row_getter(raw: Any, columns: dict[str, str], index: int):
    """``get(name)``: the cell of canonical column ``name`` in row ``index`` (None if absent)."""

    def get(name: str) -> str | None:
        return _cell(_records(raw)[index][columns[name]]) if name in columns else None

    return get


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
_SERIAL = re.compile(r"\d{4,5}(\.\d+)?")
_ISO_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ZONE_SUFFIX = re.compile(r"\s*(GMT|UTC)([+-]\d{1,2}(:?\d{2})?)?$")
# what pd.Timestamp reads as a zone at the end of an ISO text (wall-clock time is kept)
_ISO_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_DATE_SAMPLE = 8  # values of each column parsed both ways, as a guard


def _month_first(texts: Iterable[str], platform: str | None) -> bool:
    """The day/month order of a column (see `_parse_dates`)."""
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


def _parse_one(text: str, month_first: bool) -> pd.Timestamp | None:
    """One stripped, non-blank cell (the reference semantics of `_parse_dates`)."""
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


def _parse_texts(texts: list[str], month_first: bool) -> np.ndarray:
    """`_parse_one` over distinct texts, a whole format at a time (``datetime64[ns]``).

    Calling ``pd.to_datetime`` per cell guesses the format for every cell (milliseconds
    each). Here the format is guessed once, from the first text not parsed yet, and
    applied to every text at once (``errors="coerce"``); a few texts are checked against
    `_parse_one`, and whatever the format does not read (another layout, a zone, a
    serial number) goes through `_parse_one` itself — so the result is the same.
    """
    from pandas.tseries.api import guess_datetime_format

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
        if not all(_same_stamp(pd.Timestamp(stamps[pos]), _parse_one(texts[indices[pos]], month_first))
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
        stamp = _parse_one(texts[i], month_first)
        if stamp is not None:
            out[i] = stamp.to_datetime64()
    return out


def _parse_date_column(values: Iterable[Any], *, platform: str | None = None,
                       month_first: bool | None = None) -> pd.Series:
    """`_parse_dates` as a ``datetime64[ns]`` Series (NaT where a cell gives None)."""
    column = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(column.astype(object).reset_index(drop=True), use_na_sentinel=True)
    cleaned = [_cell(u) for u in uniques]
    texts = list(dict.fromkeys(t for t in cleaned if t is not None))
    if month_first is None:
        month_first = _month_first(texts, platform)
    position = {t: i for i, t in enumerate(texts)}
    parsed = _parse_texts(texts, month_first)
    lookup = np.full(len(cleaned) + 1, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    for i, t in enumerate(cleaned):
        if t is not None:
            lookup[i] = parsed[position[t]]
    return pd.Series(lookup[codes], dtype="datetime64[ns]")


def _parse_dates(values: Iterable[Any], *, platform: str | None = None,
                 month_first: bool | None = None) -> list[pd.Timestamp | None]:
    """Parse a column of dates as exported: ISO, dd/mm/yyyy (mm/dd for SurveyMonkey and
    when the column shows it), with times and AM/PM, Excel serial numbers.

    The day/month order is decided per column: a first number above 12 means day first,
    a second number above 12 means month first; otherwise SurveyMonkey is month first
    and everything else day first. Time zones are dropped (wall-clock time is kept).
    Unparseable cells give None.
    """
    parsed = _parse_date_column(values, platform=platform, month_first=month_first)
    return [None if pd.isna(stamp) else stamp for stamp in parsed]


def _conform(frame: pd.DataFrame | list[dict], table: str,
             extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Columns of the contract (plus ``extra``), in order, with the contract's dtypes."""
    columns = dict(TABLES[table])
    if extra:
        # extra columns go before the contract's trailing summary columns of jsr_quality
        ordered = {}
        for name, dtype in columns.items():
            if table == "jsr_quality" and name == "n_met":
                ordered.update(extra)
            ordered[name] = dtype
        columns = ordered
    df = pd.DataFrame(frame) if not isinstance(frame, pd.DataFrame) else frame.copy()
    out = pd.DataFrame(index=range(len(df)))
    df = df.reset_index(drop=True)
    for name, dtype in columns.items():
        series = df[name] if name in df.columns else pd.Series([None] * len(df), dtype="object")
        if dtype.startswith("datetime"):
            series = pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")
        elif dtype == "boolean":
            series = series.astype("object").where(series.notna(), None).astype("boolean")
        elif dtype == "Int64":
            series = pd.to_numeric(series, errors="coerce").astype("Int64")
        elif dtype == "float64":
            series = pd.to_numeric(series, errors="coerce").astype("float64")
        elif isinstance(series.dtype, pd.StringDtype) and dtype == "string":
            series = series.astype(dtype)  # text already: NaN -> NA without going through objects
        else:
            series = series.astype("object").where(series.notna(), None).astype(dtype)
        out[name] = series.values
    return out


_HASH_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _table_hash(tables: dict[str, pd.DataFrame]) -> str:
    """sha256 over every table in `tables.TABLES` order, serialised as CSV (stable across
    Parquet writer versions)."""
    digest = hashlib.sha256()
    for name in TABLES:
        df = tables.get(name)
        if df is None:
            continue
        digest.update(name.encode())
        digest.update(b"\n")
        if _csv_covered(df):
            for piece in _csv_pieces(df):
                digest.update(piece)
        else:
            digest.update(df.to_csv(index=False, date_format=_HASH_DATE_FORMAT).encode("utf-8"))
    return digest.hexdigest()


_CSV_CHUNK = 1 << 17  # rows serialised at a time: bounds the memory of a big table's hash


def _csv_covered(df: pd.DataFrame) -> bool:
    """Whether `_csv_pieces` writes ``df`` exactly as ``DataFrame.to_csv`` does."""
    names = [str(c) for c in df.columns]
    if len(names) < 2 or any(("," in n or '"' in n or "\n" in n or not n) for n in names):
        return False  # the csv module quotes a lone empty field; keep such cases on pandas
    for name in df.columns:
        dtype = df[name].dtype
        if dtype == "float64":
            numbers = df[name].to_numpy(dtype=np.float64)
            if ((numbers == 0) & np.signbit(numbers)).any():
                return False  # -0.0 and 0.0 are one distinct value but print apart
        elif not (isinstance(dtype, pd.StringDtype | pd.Int64Dtype | pd.BooleanDtype)
                  or dtype == "datetime64[ns]"):
            return False
    return True


def _csv_column(series: pd.Series) -> Any:
    """One column as `DataFrame.to_csv` writes it (quoted where the csv module quotes), as a
    pyarrow string array without nulls (dtypes of `_csv_covered`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        values = pc.fill_null(pa.array(series.array, type=pa.large_string(), from_pandas=True), "")
        distinct = pc.unique(values).to_pylist()
        if any(("," in v or '"' in v or "\n" in v) for v in distinct):
            quote = pc.match_substring_regex(values, '[,"\n]')
            mark, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
            quoted = pc.binary_join_element_wise(mark, pc.replace_substring(values, '"', '""'), mark, empty)
            values = pc.if_else(quote, quoted, values)
        return values
    # the other dtypes have few distinct values: format those as pandas does, then take;
    # none of their texts holds a comma, a quote or a line break
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if dtype == "float64":
        texts = np.asarray(uniques, dtype=np.float64).astype(str).tolist()
    elif dtype == "datetime64[ns]":
        texts = pd.DatetimeIndex(uniques).strftime(_HASH_DATE_FORMAT).tolist()
    else:
        texts = [str(v) for v in uniques.tolist()]
    lookup = pa.array([*texts, ""], type=pa.large_string())
    return lookup.take(pa.array(np.where(codes < 0, len(texts), codes)))


def _csv_pieces(df: pd.DataFrame) -> Iterator[bytes | memoryview]:
    """``df.to_csv(index=False, date_format=_HASH_DATE_FORMAT).encode()`` in pieces, built
    with pyarrow a chunk of rows at a time (the csv writer takes seconds for a million
    rows); only for frames `_csv_covered` accepts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    yield (",".join(str(c) for c in df.columns) + "\n").encode("utf-8")

    def text(value: str) -> Any:
        return pa.scalar(value, pa.large_string())

    for start in range(0, len(df), _CSV_CHUNK):
        part = df.iloc[start:start + _CSV_CHUNK]
        columns = [_csv_column(part[name]) for name in part.columns]
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*columns, text(",")), text(""),
                                            text("\n"))
        for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]):
            if len(chunk):
                offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
                begin, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
                yield memoryview(chunk.buffers()[2])[begin:end]


_PERSON_KEYS = ("country", "organisation", "role", "org_type", "gender")
# the dtype pandas infers for a column of Python strings ("str" on pandas 3, else object)
_INFERRED_STR = pd.Series(["a"]).dtype
_NO_TOKENS = ("0", "false", "faux", "non", "no")


def _to_seconds(value: Any) -> float | None:
    """A duration cell as exported (``12,5`` or ``12.5``), or None."""
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _item_waves(entry: CodebookEntry, instrument: str, wave: str | None, sessions: np.ndarray,
                feedback: bool, source_instrument: str) -> Any:
    """The wave of an item's responses: one for the column, or per row (session feedback)."""

    def one(session: str | None) -> str | None:
        base = session if feedback else wave
        item_wave = "retro" if entry.retro else (entry.wave or base)
        if instrument == "session_feedback":
            item_wave = session or item_wave
        if item_wave is None:
            item_wave = base or source_instrument
        return item_wave

    if not feedback and instrument != "session_feedback":
        return one(None)
    codes, uniques = pd.factorize(pd.Series(sessions, dtype=object), use_na_sentinel=True)
    return np.array([one(s) for s in [*uniques.tolist(), None]], dtype=object)[codes]


def _factor(raw: Any, column: str) -> tuple[np.ndarray, list[Any], list[str | None]]:
    """Column ``column`` of a RawTable by distinct value: ``(codes, values, cells)``.

    ``values[codes[i]]`` is the raw cell of row ``i`` and ``cells[codes[i]]`` its
    stripped text (None when blank); the last distinct value stands for missing cells.
    Answers repeat a lot, so work done per distinct value is broadcast with ``codes``.
    Cached on the table.
    """
    cache = raw.__dict__.setdefault("_clean_factors", {})
    found = cache.get(column)
    if found is None or len(found[0]) != raw.n_rows:
        codes, uniques = pd.factorize(raw.frame[column], use_na_sentinel=True)
        values = [*uniques.tolist(), None] if len(uniques) else [None]
        codes = np.where(codes < 0, len(values) - 1, codes)
        found = (codes, values, [_cell(v) for v in values])
        cache[column] = found
    return found


class _Events:
    """Log rows and problems of one survey export, in the order the row-by-row pass gave.

    Cleaning works column by column; every log row and problem gets a key (data row,
    phase, column position, piece) and `flush` puts them back in row order: person
    fields (1), identification (2), session (3), items (4), dropped row (5).
    """

    def __init__(self, builder: _RoundBuilder, source: Source, raw: Any) -> None:
        self.builder = builder
        self.file = source.file
        self.source_rows = np.asarray(raw.source_rows, dtype=np.int64)
        self.logs: list[dict[str, Any]] = []
        self.problems: list[tuple[int, int, int, int, int, Problem]] = []
        self.seq = 0

    def log(self, index: np.ndarray, phase: int, col: int, sub: int, action: str, *,
            column: str | None = None, item_id: str | None = None, old: Any = None,
            new: Any = None, detail: Any = None) -> None:
        """One log row per data row in ``index``; ``old``/``detail`` scalars or arrays."""
        if not len(index):
            return
        self.logs.append({"_i": index, "_p": phase, "_c": col, "_s": sub, "_q": self.seq,
                          "source_file": self.file, "row": self.source_rows[index],
                          "column": column, "action": action, "item_id": item_id,
                          "old": old, "new": new, "detail": detail})
        self.seq += 1

    def problem(self, index: int, phase: int, col: int, sub: int, problem: Problem) -> None:
        self.problems.append((index, phase, col, sub, self.seq, problem))
        self.seq += 1

    def capture(self, index: int, phase: int, start: int) -> None:
        """Move the problems the builder collected since ``start`` under this key."""
        for problem in self.builder.problems[start:]:
            self.problem(index, phase, 0, 0, problem)
        del self.builder.problems[start:]

    def unknown(self, index: np.ndarray, phase: int, col: int, sub: int, column: str,
                values: list[str], list_name: str | None, codebook: Codebook,
                item_id: str | None = None) -> None:
        """`_RoundBuilder.unknown` for the data rows ``index`` (``values``: their answers)."""
        if not len(index):
            return
        message_of: dict[str, str] = {}
        for i, value in zip(index.tolist(), values, strict=True):
            message = message_of.get(value)
            if message is None:
                message = message_of[value] = _unknown_message(value, list_name, codebook, item_id)
            self.problem(i, phase, col, sub, Problem(self.file, message, int(self.source_rows[i]), column, "error"))
        self.log(index, phase, col, sub, "unknown_code", column=column, item_id=item_id,
                 old=np.asarray(values, dtype=object),
                 detail=f"choice list {list_name}" if list_name else "number expected")

    def flush(self) -> None:
        builder = self.builder
        if self.problems:
            self.problems.sort(key=lambda p: p[:5])
            builder.problems.extend(p[5] for p in self.problems)
        if self.logs:
            frames = []
            for part in self.logs:
                n = len(part["_i"])
                frames.append(pd.DataFrame({k: (v if isinstance(v, np.ndarray) else np.full(n, v, dtype=object))
                                            for k, v in part.items()}))
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            order = np.lexsort([frame[k].to_numpy(dtype=np.int64) for k in ("_q", "_s", "_c", "_p", "_i")])
            frame = frame.iloc[order].reset_index(drop=True)
            frame.insert(0, "round_id", builder.round_id)
            builder.log.add_frame(frame[CLEANING_LOG_COLUMNS])
        self.logs, self.problems = [], []


def _unknown_message(value: str, list_name: str | None, codebook: Codebook, item_id: str | None) -> str:
    """The problem text of an unknown answer (see `_RoundBuilder.unknown`)."""
    allowed = codebook.allowed(list_name) if list_name else []
    labels = [codebook.choice_label(list_name, c) for c in allowed] if list_name else []
    shown = ", ".join(f"{c} ({lab})" if lab and lab != c else c for c, lab in zip(allowed, labels, strict=False))
    return (f"unknown answer {value!r}" + (f" for {item_id}" if item_id else "")
            + (f"; allowed: {shown} (or their labels)" if shown else "; a number is expected"))


@dataclass
class _Block:
    """One response row per kept data row: an item (or one option of a select_multiple)."""

    item_id: str
    instrument: str
    wave: Any  # str, or an array over the kept rows
    session_id: Any
    outcome: str | None
    tool: str | None
    type: str | None
    choices: str | None
    column: str
    value: np.ndarray | None = None  # float over the kept rows (NaN: none)
    value_label: np.ndarray | None = None
    text: np.ndarray | None = None


@dataclass
class _ResponseBlocks:
    """The responses of one survey export, column-wise: row fields over its kept data rows
    (``pid``, ``submitted_at``, …) and one `_Block` per response of each row."""

    round_id: str
    source_file: str
    pid: np.ndarray
    submitted_at: np.ndarray  # datetime64[ns]
    duration_s: np.ndarray  # float
    source_row: np.ndarray
    blocks: list[_Block] = field(default_factory=list)

    def columns(self, slots: np.ndarray) -> dict[str, Any]:
        """The responses of the kept rows ``slots``, row by row (each row's blocks in order).

        Text columns are built as pyarrow arrays (a block's single value by dictionary
        encoding) and handed to pandas as its inferred string dtype: what a frame of
        Python strings would hold, without converting a million objects.
        """
        import pyarrow as pa

        n, width = len(slots), len(self.blocks)

        def strings(array: Any) -> Any:
            if isinstance(_INFERRED_STR, pd.StringDtype):
                return pd.array(array, dtype=_INFERRED_STR)
            return array.to_numpy(zero_copy_only=False)  # pandas < 3: object, None for missing

        def constant(value: str) -> Any:
            return strings(pa.DictionaryArray.from_arrays(
                np.zeros(n * width, dtype=np.int32), pa.array([value], pa.large_string())
            ).cast(pa.large_string()))

        def spread(name: str) -> Any:
            values = [getattr(b, name) for b in self.blocks]
            if not any(isinstance(v, np.ndarray) for v in values):
                indices = np.tile(np.arange(width, dtype=np.int32), n)
                return strings(pa.DictionaryArray.from_arrays(
                    indices, pa.array(values, pa.large_string())).cast(pa.large_string()))
            # a value per row in some blocks: one dictionary for the field, int codes per cell
            dictionary: dict[str | None, int] = {}
            indices = np.empty((n, width), dtype=np.int32)
            for position, value in enumerate(values):
                if isinstance(value, np.ndarray):
                    codes, uniques = pd.factorize(value[slots], use_na_sentinel=True)
                    lookup = [dictionary.setdefault(u, len(dictionary)) for u in [*uniques.tolist(), None]]
                    indices[:, position] = np.asarray(lookup, dtype=np.int32)[codes]
                else:
                    indices[:, position] = dictionary.setdefault(value, len(dictionary))
            return strings(pa.DictionaryArray.from_arrays(
                indices.ravel(), pa.array(list(dictionary), pa.large_string())).cast(pa.large_string()))

        def helper(name: str) -> pd.Categorical:
            # the _tool/_type/_choices/_column helpers never reach a table: codes only
            values = [getattr(b, name) for b in self.blocks]
            categories = list(dict.fromkeys(v for v in values if v is not None))
            codes = np.array([categories.index(v) if v is not None else -1 for v in values], dtype=np.int32)
            return pd.Categorical.from_codes(np.tile(codes, n), categories=categories)

        def numbers(name: str) -> np.ndarray:
            out = np.full((n, width), np.nan)
            for position, block in enumerate(self.blocks):
                value = getattr(block, name)
                if value is not None:
                    out[:, position] = value[slots]
            return out.ravel()

        def row(values: np.ndarray) -> np.ndarray:
            return np.repeat(values[slots], width)

        pids = pa.array(self.pid.tolist(), pa.large_string()).take(pa.array(np.repeat(slots, width)))
        return {
            "round_id": constant(self.round_id),
            "pid": strings(pids),
            "instrument": spread("instrument"),
            "wave": spread("wave"),
            "session_id": spread("session_id"),
            "item_id": spread("item_id"),
            "outcome": spread("outcome"),
            "value": numbers("value"),
            "value_label": spread("value_label"),
            "text": spread("text"),
            "submitted_at": row(self.submitted_at),
            "duration_s": row(self.duration_s),
            "source_file": constant(self.source_file),
            "source_row": row(self.source_row),
            "_tool": helper("tool"),
            "_type": helper("type"),
            "_choices": helper("choices"),
            "_column": helper("column"),
        }


# ---------------------------------------------------------------------- the builder
class _RoundBuilder:
    """Builds every canonical table of a round in memory, collecting problems."""

    def __init__(self, ws: Workspace, round_id: str) -> None:
        self.ws = ws
        self.round_id = round_id
        self.problems: list[Problem] = []
        self.log = _Log(round_id)
        self.tables: dict[str, pd.DataFrame] = {}
        self.linkage: dict[str, int] = {}
        self.manifest: Manifest | None = None
        self.extra_quality: dict[str, str] = {}
        self.locate_responses: pd.DataFrame | None = None

    # -- problems
    def problem(self, file: Any, message: str, row: int | None = None,
                column: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(str(file) if file is not None else self.round_id,
                                     message, row, column, severity))

    def warn(self, file: Any, message: str, row: int | None = None, column: str | None = None) -> None:
        self.problem(file, message, row, column, "warning")

    # -- entry point
    def run(self) -> None:
        folder = self.ws.require_round(self.round_id)
        try:
            self.manifest = load_manifest(folder)
        except DataError as exc:
            self.problems.extend(exc.problems)
            return
        manifest = self.manifest
        config = settings(self.ws.data_dir).get("cleaning", {}) or {}
        self.rule = config.get("duplicate_rule", "latest_complete")
        if self.rule not in DUPLICATE_RULES:
            self.problem("settings.yaml", f"cleaning.duplicate_rule {self.rule!r} is not one of "
                         f"{', '.join(DUPLICATE_RULES)}", column="duplicate_rule")
            return
        self.key = _privacy().load_key(self.ws.data_dir, key=self.ws.key, key_file=self.ws.key_file)
        self.codebooks: dict[Path | None, Codebook] = {}
        self.raw: dict[str, Any] = {}
        for source in manifest.sources:
            codebook = self.codebook_for(source)
            if codebook is None:
                continue
            try:
                from ..ingest import read_export

                raw = read_export(source.path, platform=source.platform, sheet=source.sheet)
            except (DataError, DataErrors) as exc:
                self.problems.extend(exc.problems)
                continue
            for message in getattr(raw, "warnings", []) or []:
                self.warn(source.file, str(message))
            if raw.n_rows == 0:
                self.problem(source.file, "the file has a header but no data rows (an export made before "
                             "anyone answered?): export it again, or remove it from round.yaml for now",
                             raw.header_line or None)
                continue
            self.raw[self._key(source)] = raw

        self.sessions = self.build_sessions()
        self.roster_people: dict[str, dict[str, Any]] = {}
        self.roster_names: list[str] = []
        self.roster_names_by_source: dict[str, list[str]] = {}
        attendance: list[dict] = []
        for source in manifest.sources_for("roster"):
            raw = self.raw.get(self._key(source))
            if raw is not None:
                attendance.extend(self.read_roster(source, raw))
        # one scrubber per round: compiling the roster-name patterns is the costly part
        self.scrubber = _privacy().Scrubber(self.roster_names)
        submissions: list[_Submission] = []
        order = 0
        for source in manifest.sources:
            if source.instrument not in SURVEY_INSTRUMENTS:
                continue
            raw = self.raw.get(self._key(source))
            if raw is None:
                continue
            for submission in self.read_survey(source, raw):
                submission.order = order
                order += 1
                submissions.append(submission)
        submissions = self.drop_duplicates(submissions)
        responses = self.build_responses(submissions)
        responses = self.apply_corrections(responses, folder)
        participants = self.build_participants(submissions)
        self.tables["participants"] = _conform(participants, "participants")
        self.tables["attendance"] = _conform(
            [a for a in attendance if a["pid"] in self.roster_people], "attendance")
        self.tables["sessions"] = _conform(self.sessions, "sessions")
        self.locate_responses = responses[["source_file", "source_row"]].copy() if len(responses) else None
        self.tables["responses"] = _conform(responses, "responses")
        self.tables["tool_feedback"] = _conform(self.build_tool_feedback(responses), "tool_feedback")
        self.tables["ties"] = _conform(self.build_ties(submissions, participants), "ties")
        self.build_linkage()
        self.tables["plan_actions"] = _conform(self.read_plans(), "plan_actions")
        self.tables["jsr_assessment"] = _conform(self.read_assessment(), "jsr_assessment")
        quality = self.read_quality()
        self.tables["jsr_quality"] = _conform(quality, "jsr_quality", self.extra_quality)
        self.validate_tables()

    @staticmethod
    def _key(source: Source) -> str:
        return f"{source.file}#{source.sheet or ''}"

    def codebook_for(self, source: Source) -> Codebook | None:
        path = source.codebook
        if path not in self.codebooks:
            try:
                self.codebooks[path] = load_codebook(path, data_dir=self.ws.data_dir)
            except (DataError, DataErrors) as exc:
                self.problems.extend(exc.problems)
                self.codebooks[path] = None  # type: ignore[assignment]
        return self.codebooks[path]

    # -- sessions
    def build_sessions(self) -> list[dict]:
        rows = []
        for session in self.manifest.sessions:
            rows.append({"round_id": self.round_id, "session_id": session.id, "kind": session.kind,
                         "date": pd.Timestamp(session.date) if session.date else None,
                         "title": session.title})
        self.session_tokens: dict[str, str] = {}
        for session in self.manifest.sessions:
            for text in (session.id, session.title):
                if text:
                    self.session_tokens[normalize_label(text)] = session.id
        return rows

    def match_session(self, text: str) -> str | None:
        token = normalize_label(text)
        if token in self.session_tokens:
            return self.session_tokens[token]
        squeezed = re.sub(r"[\s_-]+", "", token)
        for key, session_id in self.session_tokens.items():
            if re.sub(r"[\s_-]+", "", key) == squeezed:
                return session_id
        return None

    # -- people
    def country_code(self, raw: str | None, file: str, row: int | None, column: str | None,
                     *, severity: str = "warning") -> str | None:
        if raw is None:
            return None
        # an ISO3-looking code is checked too: "XYZ" must not reach pseudonym() unknown
        code = _to_iso3(raw, data_dir=self.ws.data_dir)
        if code is None:
            self.problem(file, f"country {raw!r} is not recognised (give a country name in "
                         "English or French, or an ISO3 code)", row, column, severity)
        return code

    def identify(self, fields: dict[str, str | None], *, country: str | None, file: str | None = None,
                 row: int | None = None) -> tuple[str | None, str]:
        """(pid, how): from the e-mail, else name + country; None when anonymous.

        E-mail, name and country go to `privacy.pseudonym` together, which uses the e-mail
        when it looks like one and the name + country otherwise, so a junk e-mail ("n/a",
        "-") with a name still identifies the person. When no pid can be made (junk e-mail
        and no name, or a country the pid cannot use), the row is anonymous and a located
        warning says why; nothing is raised.
        """
        privacy = _privacy()
        email = fields.get("email")
        name = _full_name(fields)
        if not email and not name:
            return None, "anonymous"
        try:
            # only a recognised ISO3 code (country_code): the roster and every survey then
            # agree on the pid even when one of them spells the country in another way
            message = privacy.pid_message(email=email, name=name, country=country)
            pid = privacy.pid_of_message(self.key, message)  # = pseudonym(), message made once
        except DataError as exc:
            columns = fields.get("_columns") or {}
            role = "country" if exc.problem.column == "country" else "email" if email else "name"
            reason = exc.problem.message.removeprefix("cannot make a pid: ")
            self.warn(file, f"the respondent cannot be identified ({reason}): row treated as anonymous",
                      row, columns.get(role))
            return None, "anonymous"
        return pid, "email" if message.startswith("email:") else "name"

    def map_columns(self, source: Source, raw: Any, codebook: Codebook,
                    *, roster: bool = False) -> tuple[dict[str, CodebookEntry], dict[str, str]]:
        """Map every column; log renames, identity columns and unmapped columns."""
        mapping: dict[str, CodebookEntry] = {}
        session_columns: dict[str, str] = {}
        for column in raw.frame.columns:
            entry = codebook.match(column, source.instrument)
            if entry is None and roster:
                session_id = self.match_session(column.split("/")[-1])
                if session_id is not None:
                    session_columns[column] = session_id
                    self.log.add("rename", file=source.file, column=column, new=f"attended:{session_id}")
                    continue
            if entry is None:
                self.warn(source.file, "column is not in the codebook: its answers are not used "
                          "(map it in a round codebook, or set role ignore)", column=column)
                self.log.add("unmapped_column", file=source.file, column=column)
                continue
            if entry.role == "ignore":
                continue
            mapping[column] = entry
            if entry.is_identity:
                self.log.add("pseudonymize", file=source.file, column=column, new="pid",
                             detail=f"{entry.role} column used to derive the pid, then dropped")
            else:
                self.log.add("rename", file=source.file, column=column,
                             item_id=entry.item_id, new=entry.target,
                             detail=f"codebook ({entry.origin})")
        # split select_multiple option columns: used only when the parent column is absent
        parents = {(e.item_id, e.retro) for e in mapping.values() if e.role == "item" and e.option is None}
        for column, entry in list(mapping.items()):
            if entry.role == "item" and entry.option is not None and (entry.item_id, entry.retro) in parents:
                del mapping[column]
                self.log.add("ignore_option_column", file=source.file, column=column,
                             item_id=entry.item_id,
                             detail="option column skipped: the question's own column holds the answer")
        # two columns for the same item: keep the first
        seen: dict[tuple, str] = {}
        for column, entry in list(mapping.items()):
            if entry.role not in ("item", "grid"):
                continue
            target = (entry.item_id, entry.retro, entry.alter, entry.option)
            if target in seen:
                del mapping[column]
                self.warn(source.file, f"column maps to {entry.target}, already given by column "
                          f"{seen[target]!r}: ignored", column=column)
                self.log.add("unmapped_column", file=source.file, column=column,
                             item_id=entry.item_id, detail=f"duplicate of {seen[target]}")
            else:
                seen[target] = column
        return mapping, session_columns

    def person_fields(self, source: Source, raw: Any, mapping: dict[str, CodebookEntry],
                      codebook: Codebook, index: int) -> dict[str, Any]:
        """The respondent fields of one row (identity fields included, to derive the pid)."""
        fields: dict[str, Any] = {}
        row_no = raw.source_rows[index]
        for column, entry in mapping.items():
            if entry.role in ("item", "grid"):
                continue
            value = _cell(_records(raw)[index][column])
            if value is None:
                continue
            if entry.role in ("role", "org_type", "gender") or (entry.choices and entry.role not in ("item", "grid")):
                list_name = entry.choices or entry.role
                coded = codebook.code(value, list_name)
                if coded.status == "ok":
                    fields[entry.role] = coded.code
                elif coded.status == "missing":
                    self.log.add("missing_code", file=source.file, row=row_no, column=column, old=value)
                else:
                    self.unknown(source, row_no, column, value, list_name, codebook)
                continue
            fields.setdefault("_columns", {}).setdefault(entry.role, column)
            if entry.role == "country":
                fields["country_raw"] = value
                fields["country"] = self.country_code(value, source.file, row_no, column)
                continue
            fields.setdefault(entry.role, value)
        return fields

    def unknown(self, source: Source, row: int, column: str, value: str, list_name: str | None,
                codebook: Codebook, item_id: str | None = None) -> None:
        self.problem(source.file, _unknown_message(value, list_name, codebook, item_id), row, column)
        self.log.add("unknown_code", file=source.file, row=row, column=column, item_id=item_id,
                     old=value, detail=f"choice list {list_name}" if list_name else "number expected")

    def read_roster(self, source: Source, raw: Any) -> list[dict]:
        codebook = self.codebooks[source.codebook]
        mapping, session_columns = self.map_columns(source, raw, codebook, roster=True)
        attended_column = next((c for c, e in mapping.items() if e.role == "sessions_attended"), None)
        identity_columns = [c for c, e in mapping.items() if e.role in ("email", "name", "first_name", "last_name")]
        if not identity_columns:
            self.problem(source.file, "the roster has no e-mail or name column: people cannot be "
                         "identified (map one in the codebook)", column="email")
            return []
        attendance: list[dict] = []
        has_attendance = attended_column is not None or bool(session_columns)
        n_pseudonymised = 0
        for index in range(raw.n_rows):
            row_no = raw.source_rows[index]
            fields = self.person_fields(source, raw, mapping, codebook, index)
            pid, _how = self.identify(fields, country=fields.get("country"), file=source.file, row=row_no)
            if pid is None:
                self.warn(source.file, "roster row without e-mail or name: skipped", row_no)
                self.log.add("drop_empty", file=source.file, row=row_no, detail="no e-mail or name")
                continue
            n_pseudonymised += 1
            full = _full_name(fields)
            if full:
                self.roster_names.append(full)
            if pid in self.roster_people:
                self.warn(source.file, f"the same person is on the roster twice (row "
                          f"{self.roster_people[pid]['_row']} and this row): this row is ignored", row_no)
                self.log.add("drop_duplicate", file=source.file, row=row_no,
                             detail=f"roster duplicate of row {self.roster_people[pid]['_row']} (pid {pid})")
                continue
            attended: set[str] = set()
            if attended_column is not None:
                value = _cell(_records(raw)[index][attended_column])
                for piece in self.split_sessions(value):
                    session_id = self.match_session(piece)
                    if session_id is None:
                        self.problem(source.file, f"session {piece!r} is not one of the round's sessions "
                                     f"({', '.join(s.id for s in self.manifest.sessions)})",
                                     row_no, attended_column)
                    else:
                        attended.add(session_id)
            for column, session_id in session_columns.items():
                value = normalize_label(_cell(_records(raw)[index][column]) or "")
                if value in _TRUE or value.startswith("oui") or value.startswith("yes"):
                    attended.add(session_id)
                elif value not in _FALSE:
                    self.problem(source.file, f"attendance {value!r} is not yes/no (oui/non, 1/0, x)",
                                 row_no, column)
            person = {
                "round_id": self.round_id, "pid": pid, "country": fields.get("country"),
                "role": fields.get("role"), "org_type": fields.get("org_type"),
                "organisation": fields.get("organisation"), "gender": fields.get("gender"),
                "on_roster": True,
                "n_sessions_attended": len(attended) if has_attendance else None, "_row": row_no,
            }
            self.roster_people[pid] = person
            if not has_attendance:
                continue  # no attendance column: the attendance table stays empty (unknown, not absent)
            for session in self.manifest.sessions:
                attendance.append({"round_id": self.round_id, "pid": pid, "session_id": session.id,
                                   "attended": session.id in attended})
        self.log.add("pseudonymize", file=source.file, detail=f"{n_pseudonymised} roster rows given a pid; "
                     "e-mail, name and phone columns dropped")
        return attendance

    @staticmethod
    def split_sessions(value: str | None) -> list[str]:
        if value is None:
            return []
        pieces = [p.strip() for p in re.split(r"[,;|\n]+", value) if p.strip()]
        if len(pieces) == 1 and " " in pieces[0]:
            return pieces  # a title; split on spaces only if it is not one (see match)
        return pieces

    # -- surveys
    def source_wave(self, source: Source) -> str | None:
        if source.wave:
            return source.wave
        if source.instrument in ("pulse", "ties"):
            return "pulse-1"
        if source.instrument == "tool_feedback":
            return "post"
        return None

    def read_survey(self, source: Source, raw: Any) -> list[_Submission]:
        """The submissions of one survey export.

        Works column by column: each distinct answer of a column is coded once and the
        result broadcast to its rows; log rows and problems keep the row-by-row order
        (see `_Events`). Every response row of a kept data row goes to `_ResponseBlocks`.
        """
        codebook = self.codebooks[source.codebook]
        mapping, _ = self.map_columns(source, raw, codebook)
        wave = self.source_wave(source)
        if wave is None and source.instrument == "outcomes":
            self.problem(self.manifest.path, f"source {source.file} (outcomes) needs a wave "
                         "(pre, post, followup-N)", column="wave")
            return []
        session_column = next((c for c, e in mapping.items() if e.role == "session"), None)
        if source.instrument == "session_feedback" and source.session is None and session_column is None:
            self.problem(source.file, "session feedback without a session: add `session:` to the "
                         "source in round.yaml or a Session column", column="session")
            return []
        roles = {e.role: c for c, e in reversed(list(mapping.items()))}
        dates = {role: _parse_date_column(raw.frame[roles[role]], platform=raw.platform).to_numpy()
                 for role in ("started_at", "ended_at", "submitted_at") if role in roles}
        events = _Events(self, source, raw)
        n_rows = raw.n_rows
        source_rows = events.source_rows

        # -- respondent fields (phase 1), column by column in mapping order
        firsts = ("email", "name", "first_name", "last_name", "organisation")
        person: dict[str, np.ndarray] = {}  # role -> value per row
        located: dict[str, np.ndarray] = {}  # role -> first column giving it, per row
        for position, (column, entry) in enumerate(mapping.items()):
            if entry.role in ("item", "grid"):
                continue
            codes, _values, cells = _factor(raw, column)
            present = np.array([c is not None for c in cells])[codes]
            if entry.role in ("role", "org_type", "gender") or entry.choices:
                list_name = entry.choices or entry.role
                coded = [codebook.code(c, list_name) if c is not None else None for c in cells]
                status = np.array([c.status if c is not None else "" for c in coded], dtype=object)[codes]
                ok = status == "ok"
                if ok.any():
                    target = person.setdefault(entry.role, np.full(n_rows, None, dtype=object))
                    target[ok] = np.array([c.code if c is not None else None for c in coded], dtype=object)[codes][ok]
                cell_of = np.array(cells, dtype=object)
                missing = np.flatnonzero(status == "missing")
                events.log(missing, 1, position, 0, "missing_code", column=column, old=cell_of[codes[missing]])
                unknown = np.flatnonzero(status == "unknown")
                events.unknown(unknown, 1, position, 0, column, cell_of[codes[unknown]].tolist(),
                               list_name, codebook)
                continue
            where = located.setdefault(entry.role, np.full(n_rows, None, dtype=object))
            where[present & (where == None)] = column  # noqa: E711 - elementwise
            cell_of = np.array(cells, dtype=object)
            if entry.role == "country":
                iso3 = [None if c is None else _to_iso3(c, data_dir=self.ws.data_dir) for c in cells]
                target = person.setdefault("country", np.full(n_rows, None, dtype=object))
                target[present] = np.array(iso3, dtype=object)[codes][present]
                bad = np.array([c is not None and i is None for c, i in zip(cells, iso3, strict=True)])[codes]
                for index in np.flatnonzero(bad).tolist():
                    value = cells[codes[index]]
                    events.problem(index, 1, position, 0, Problem(
                        source.file, f"country {value!r} is not recognised (give a country name in "
                        "English or French, or an ISO3 code)", int(source_rows[index]), column, "warning"))
                continue
            target = person.setdefault(entry.role, np.full(n_rows, None, dtype=object))
            fill = present & (target == None)  # noqa: E711 - elementwise
            target[fill] = cell_of[codes][fill]

        def role_values(role: str) -> list[Any]:
            return person[role].tolist() if role in person else [None] * n_rows

        emails, names, first_names, last_names = (role_values(r) for r in firsts[:4])
        countries = role_values("country")
        where_email, where_name, where_country = (
            located[r].tolist() if r in located else [None] * n_rows for r in ("email", "name", "country"))
        person_rows = list(zip(*(role_values(k) for k in _PERSON_KEYS), strict=True))

        # -- identification (2) and session (3), row by row
        if session_column is not None and source.session is None:
            codes, _values, cells = _factor(raw, session_column)
            matched = [self.match_session(c) if c else None for c in cells]
            session_of = [(cells[c], matched[c]) for c in codes.tolist()]
        else:
            session_of = None
        sessions_list = ", ".join(s.id for s in self.manifest.sessions)
        kept: list[int] = []
        pids: list[str] = []
        anonymous_rows: list[bool] = []
        session_ids: list[str | None] = []
        n_identified = 0
        privacy = _privacy()
        for index in range(n_rows):
            row_no = int(source_rows[index])
            email, first, last = emails[index], first_names[index], last_names[index]
            name = " ".join(p for p in (first, last or names[index]) if p) if first or last else names[index]
            pid = None
            if email or name:
                try:  # what identify() does, without building its fields for every row
                    pid = privacy.pid_of_message(self.key, privacy.pid_message(
                        email=email, name=name, country=countries[index]))
                except DataError:
                    fields = {"email": email, "name": names[index], "first_name": first, "last_name": last,
                              "_columns": {"email": where_email[index], "name": where_name[index],
                                           "country": where_country[index]}}
                    start = len(self.problems)
                    pid, _how = self.identify(fields, country=countries[index], file=source.file, row=row_no)
                    events.capture(index, 2, start)
            anonymous = pid is None
            if anonymous:
                pid = privacy.pseudonym(key=self.key, name=f"anonymous {self.round_id} {source.file} {row_no}",
                                        country=None)
            else:
                n_identified += 1
            session_id = source.session
            if session_of is not None:
                value, session_id = session_of[index]
                if value and session_id is None:
                    events.problem(index, 3, 0, 0, Problem(
                        source.file, f"session {value!r} is not one of the round's sessions "
                        f"({sessions_list})", row_no, session_column, "error"))
                    continue
                if session_id is None and source.instrument == "session_feedback":
                    events.problem(index, 3, 0, 0, Problem(source.file, "no session given in this row",
                                                           row_no, session_column, "error"))
                    continue
            kept.append(index)
            pids.append(pid)
            anonymous_rows.append(anonymous)
            session_ids.append(session_id)

        rows = np.asarray(kept, dtype=np.int64)
        m = len(rows)
        submitted = np.full(m, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
        for role in ("submitted_at", "ended_at"):  # the end time wins over the submission time
            if role in dates:
                stamps = dates[role][rows]
                submitted = np.where(np.isnat(stamps), submitted, stamps)
        duration = np.full(m, np.nan)
        no_duration = np.ones(m, dtype=bool)
        if "duration_s" in roles:
            codes, values, _cells = _factor(raw, roles["duration_s"])
            parsed = [_to_seconds(v) for v in values]
            no_duration = np.array([p is None for p in parsed])[codes[rows]]
            duration = np.array([np.nan if p is None else p for p in parsed], dtype=np.float64)[codes[rows]]
        if "started_at" in dates:
            starts = dates["started_at"][rows]
            fill = no_duration & ~np.isnat(starts) & ~np.isnat(submitted)
            seconds = (submitted[fill] - starts[fill]) / np.timedelta64(1, "s")
            duration[fill] = np.where(seconds >= 0, seconds, np.nan)
        session_array = np.array(session_ids, dtype=object)
        feedback = source.instrument == "session_feedback"

        # -- items (phase 4), column by column
        answered = np.zeros(m, dtype=np.int64)
        store = _ResponseBlocks(self.round_id, source.file, np.array(pids, dtype=object), submitted,
                                duration, source_rows[rows])
        grid_values: dict[str, dict[str, np.ndarray]] = {}
        item_columns = [(p, c, e) for p, (c, e) in enumerate(mapping.items()) if e.role in ("item", "grid")]
        options: dict[tuple, list[tuple[str, CodebookEntry]]] = defaultdict(list)
        for _position, column, entry in item_columns:
            if entry.role == "item" and entry.option is not None:
                options[(entry.item_id, entry.retro)].append((column, entry))
        done_options: set[tuple] = set()
        for position, column, entry in item_columns:
            codes, values, cells = _factor(raw, column)
            codes = codes[rows]
            if entry.role == "grid":
                coded = [codebook.code(v, entry.choices, recode=entry.recode) for v in values]
                ok = self._note_coded_rows(events, coded, codes, rows, position, column, entry, codebook)
                numbers = np.array([c.value if c.status == "ok" and c.value is not None else np.nan
                                    for c in coded], dtype=np.float64)[codes]
                grid_values.setdefault(entry.alter or "", {})[entry.item_id] = np.where(ok, numbers, np.nan)
                answered += ok
                continue
            instrument = entry.instrument or source.instrument
            if instrument == "ties":
                continue
            item_wave = _item_waves(entry, instrument, wave, session_array, feedback, source.instrument)
            session_value = session_array if instrument == "session_feedback" else None
            block = {"instrument": instrument, "wave": item_wave, "session_id": session_value,
                     "outcome": entry.outcome, "tool": entry.tool, "type": entry.type,
                     "choices": entry.choices, "column": column}
            if entry.type == "select_multiple":
                if entry.option is not None:
                    key = (entry.item_id, entry.retro)
                    if key in done_options:
                        continue
                    done_options.add(key)
                    flags, any_answer = self._option_flags(events, options[key], raw, rows, position, codebook)
                else:
                    flags, any_answer = self._multiple_flags(events, entry, values, cells, codes, rows,
                                                             position, column, codebook)
                answered += any_answer
                for option, flag in flags:
                    store.blocks.append(_Block(item_id=f"{entry.item_id}.{option}", value=flag, **block))
                continue
            if entry.type == "text":
                coded = [codebook.code(v, None, kind="text") for v in values]
                texts: list[str | None] = []
                changed: list[bool] = []
                for c in coded:
                    text = self.scrubber.scrub(c.raw) if c.status == "ok" else None
                    texts.append(text)
                    changed.append(c.status == "ok" and text != c.raw)
                status = np.array([c.status for c in coded], dtype=object)[codes]
                events.log(rows[np.array(changed)[codes]], 4, position, 0, "scrub", column=column,
                           item_id=entry.item_id,
                           detail="e-mail, phone number or roster name removed from free text")
                missing = status == "missing"
                events.log(rows[missing], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
                           old=np.array([c.raw for c in coded], dtype=object)[codes][missing])
                answered += status == "ok"
                store.blocks.append(_Block(item_id=entry.item_id, text=np.array(texts, dtype=object)[codes],
                                           **block))
                continue
            kind = "integer" if entry.type == "integer" else "select_one"
            coded = [codebook.code(v, entry.choices, kind=kind, recode=entry.recode) for v in values]
            ok = self._note_coded_rows(events, coded, codes, rows, position, column, entry, codebook)
            if entry.recode:
                before = [codebook.code(v, entry.choices, kind=kind) for v in values]
                recoded = np.array([b.status == c.status == "ok" and b.code != c.code
                                    for b, c in zip(before, coded, strict=True)])[codes]
                events.log(rows[recoded], 4, position, 1, "recode", column=column, item_id=entry.item_id,
                           old=np.array([b.code for b in before], dtype=object)[codes][recoded],
                           new=np.array([c.code for c in coded], dtype=object)[codes][recoded],
                           detail="codebook recode")
            answered += ok
            store.blocks.append(_Block(
                item_id=entry.item_id,
                value=np.array([c.value if c.status == "ok" and c.value is not None else np.nan
                                for c in coded], dtype=np.float64)[codes],
                value_label=np.array([c.label if c.status == "ok" else None for c in coded], dtype=object)[codes],
                **block))

        # -- submissions (and rows left empty: phase 5)
        ties_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for alter, columns in grid_values.items():
            stacked = np.column_stack(list(columns.values()))
            for slot in np.flatnonzero(~np.isnan(stacked).all(axis=1)).tolist():
                values = {item: (None if np.isnan(v[slot]) else float(v[slot])) for item, v in columns.items()}
                ties_of[slot].append({"round_id": self.round_id, "pid": pids[slot], "wave": wave or "pulse-1",
                                      "alter_organisation": alter, **values})
        submissions: list[_Submission] = []
        stamps = [None if s is pd.NaT else s for s in pd.DatetimeIndex(submitted).to_list()]
        counts = answered.tolist()
        for slot, index in enumerate(kept):
            session_id = session_ids[slot]
            base_wave = session_id if feedback else wave
            fields = dict(zip(_PERSON_KEYS, person_rows[index], strict=True))
            submission = _Submission(
                pid=pids[slot], anonymous=anonymous_rows[slot],
                key=(pids[slot], source.instrument, base_wave, session_id if feedback else None),
                source=source, row=int(source_rows[index]), order=0, submitted_at=stamps[slot],
                n_answered=counts[slot], person=fields, ties=ties_of.get(slot, []),
                store=store, slot=slot)
            if not store.blocks and not submission.ties and all(v is None for v in fields.values()):
                events.log(np.array([index]), 5, 0, 0, "drop_empty", detail="no answer in this row")
                continue
            submissions.append(submission)
        events.flush()
        self.log.add("pseudonymize", file=source.file,
                     detail=f"{n_identified} respondents given a pid from e-mail or name; "
                     f"{raw.n_rows - n_identified} anonymous; identity columns dropped")
        return submissions

    def _note_coded_rows(self, events: _Events, coded: list[Any], codes: np.ndarray, rows: np.ndarray,
                         position: int, column: str, entry: CodebookEntry, codebook: Codebook) -> np.ndarray:
        """`note_coded` for a whole column (``coded`` per distinct value); the rows coded ok."""
        status = np.array([c.status for c in coded], dtype=object)[codes]
        raws = np.array([c.raw for c in coded], dtype=object)
        missing = status == "missing"
        events.log(rows[missing], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
                   old=raws[codes[missing]], detail="stored as missing")
        unknown = status == "unknown"
        events.unknown(rows[unknown], 4, position, 0, column, raws[codes[unknown]].tolist(),
                       entry.choices, codebook, entry.item_id)
        return status == "ok"

    def _multiple_flags(self, events: _Events, entry: CodebookEntry, values: list[Any],
                        cells: list[str | None], codes: np.ndarray, rows: np.ndarray, position: int,
                        column: str, codebook: Codebook) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
        """A select_multiple column holding the chosen options: one 1/0 flag per option
        (NaN when unanswered or a missing code); unknown options are reported per row."""
        options = codebook.allowed(entry.choices)
        flags = np.full((len(cells), len(options)), np.nan)
        answered = np.zeros(len(cells), dtype=bool)
        missing = np.zeros(len(cells), dtype=bool)
        pieces: list[list[str]] = [[] for _ in cells]
        for u, cell in enumerate(cells):
            if cell is None:
                continue
            if codebook.is_missing_code(cell):
                missing[u] = True
                continue
            chosen, unknown = codebook.split_multiple(cell, entry.choices)
            pieces[u] = unknown
            flags[u] = [1.0 if o in chosen else 0.0 for o in options]
            answered[u] = bool(options)
        cell_of = np.array(cells, dtype=object)
        hit = missing[codes]
        events.log(rows[hit], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
                   old=cell_of[codes[hit]], detail="stored as missing")
        most = max((len(p) for p in pieces), default=0)
        for sub in range(most):
            has = np.array([len(p) > sub for p in pieces])[codes]
            events.unknown(rows[has], 4, position, sub, column, [pieces[u][sub] for u in codes[has].tolist()],
                           entry.choices, codebook, entry.item_id)
        return [(o, flags[:, k][codes]) for k, o in enumerate(options)], answered[codes]

    def _option_flags(self, events: _Events, columns: list[tuple[str, CodebookEntry]], raw: Any,
                      rows: np.ndarray, position: int, codebook: Codebook
                      ) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
        """A select_multiple split into one column per option (Kobo ``question/option``):
        1/0 per option of the list, all NaN when no option column is filled in."""
        entry = columns[0][1]
        options = codebook.allowed(entry.choices)
        any_answer = np.zeros(len(rows), dtype=bool)
        flags: dict[str, np.ndarray] = {}
        for sub, (column, option_entry) in enumerate(columns):
            codes, _values, cells = _factor(raw, column)
            codes = codes[rows]
            present = np.array([c is not None for c in cells])[codes]
            flag = np.array([0.0 if c is not None and normalize_label(c) in _NO_TOKENS else 1.0
                             for c in cells])[codes]
            current = flags.setdefault(option_entry.option, np.zeros(len(rows)))
            current[present] = flag[present]
            any_answer |= present
            if option_entry.option not in options:
                events.unknown(rows[present], 4, position, sub, column,
                               [option_entry.option] * int(present.sum()), entry.choices, codebook,
                               entry.item_id)
        out = []
        for option in options:
            value = flags.get(option, np.zeros(len(rows))).copy()
            value[~any_answer] = np.nan
            out.append((option, value))
        return out, any_answer

    # -- duplicates and corrections
    def drop_duplicates(self, submissions: list[_Submission]) -> list[_Submission]:
        groups: dict[tuple, list[_Submission]] = defaultdict(list)
        for submission in submissions:
            if not submission.anonymous:
                groups[submission.key].append(submission)
        dropped: set[int] = set()
        earliest = pd.Timestamp.min

        def when(s: _Submission) -> pd.Timestamp:
            return s.submitted_at if s.submitted_at is not None else earliest

        for key, group in groups.items():
            if len(group) < 2:
                continue
            if self.rule == "latest_complete":
                keep = max(group, key=lambda s: (s.n_answered, when(s), s.order))
            elif self.rule == "latest":
                keep = max(group, key=lambda s: (when(s), s.order))
            elif self.rule == "first":
                keep = min(group, key=lambda s: (when(s) if s.submitted_at is not None else pd.Timestamp.max, s.order))
            else:
                keep = max(group, key=lambda s: (s.n_answered, -s.order))
            rows = ", ".join(f"{s.source.file}:{s.row}" for s in group)
            for submission in group:
                if submission is keep:
                    continue
                dropped.add(id(submission))
                self.log.add("drop_duplicate", file=submission.source.file, row=submission.row,
                             detail=f"{key[1]} {key[2] or ''} answered more than once by pid {key[0]}; "
                             f"kept {keep.source.file}:{keep.row} ({self.rule})")
            self.warn(keep.source.file, f"duplicate submissions of {key[1]} {key[2] or ''} by one "
                      f"respondent (rows {rows}): kept row {keep.row} by rule {self.rule}", keep.row)
        return [s for s in submissions if id(s) not in dropped]

    def build_responses(self, submissions: list[_Submission]) -> pd.DataFrame:
        """The responses of the kept submissions, in submission order (each row's items in
        column order), gathered column-wise from each export's `_ResponseBlocks`."""
        columns = list(TABLES["responses"]) + ["_tool", "_type", "_choices", "_column"]
        groups: dict[int, tuple[_ResponseBlocks, list[int]]] = {}
        for submission in submissions:
            if submission.store is not None and submission.store.blocks:
                groups.setdefault(id(submission.store), (submission.store, []))[1].append(submission.slot)
        parts = [store.columns(np.asarray(slots, dtype=np.int64)) for store, slots in groups.values()]
        if not parts:
            return pd.DataFrame([], columns=columns)
        if len(parts) == 1:
            return pd.DataFrame(parts[0], columns=columns)
        return pd.DataFrame({c: pd.concat([pd.Series(p[c]) for p in parts], ignore_index=True)
                             for c in columns}, columns=columns)

    def apply_corrections(self, responses: pd.DataFrame, folder: Path) -> pd.DataFrame:
        path = folder / CORRECTIONS_FILE
        if not path.is_file():
            return responses
        try:
            table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            self.problem(CORRECTIONS_FILE, f"cannot read the corrections: {exc}")
            return responses
        table.columns = [normalize_label(c).replace(" ", "_") for c in table.columns]
        required = ["instrument", "wave", "item_id", "new_value"]
        missing = [c for c in required if c not in table.columns]
        if "pid" not in table.columns and "email" not in table.columns:
            missing.append("pid or email")
        if missing:
            for column in missing:
                self.problem(CORRECTIONS_FILE, f"required column {column!r} is missing", 1, column)
            return responses
        codebook = self.codebooks.get(None) or load_codebook(None, data_dir=self.ws.data_dir)
        responses = responses.copy()
        for index, row in table.iterrows():
            line = int(index) + 2
            pid = _cell(row.get("pid"))
            if pid is None and _cell(row.get("email")):
                pid = _privacy().pseudonym(key=self.key, email=_cell(row.get("email")))
            if pid is None:
                self.warn(CORRECTIONS_FILE, "correction without pid or e-mail: not applied", line)
                continue
            instrument, wave, item_id = (_cell(row.get(c)) for c in ("instrument", "wave", "item_id"))
            where = ((responses["pid"] == pid) & (responses["instrument"] == instrument)
                     & (responses["wave"] == wave) & (responses["item_id"] == item_id))
            hits = list(responses.index[where.fillna(False)])
            if not hits:
                self.warn(CORRECTIONS_FILE, f"correction of {item_id} ({instrument}, {wave}) matches no "
                          "response: not applied", line)
                continue
            target = hits[0]
            current = responses.loc[target]
            old = _cell(row.get("old_value"))
            kind = current["_type"]
            if old is not None:
                shown = {normalize_label(current["text"]) if kind == "text" else None,
                         normalize_label(current["value_label"]) if not pd.isna(current["value_label"]) else None}
                if not pd.isna(current["value"]):
                    number = float(current["value"])
                    shown.add(str(int(number)) if number.is_integer() else str(number))
                if kind != "text" and current["_choices"] and not pd.isna(current["_choices"]):
                    coded_old = codebook.code(old, current["_choices"])
                    if coded_old.status == "ok" and coded_old.value == current["value"]:
                        shown.add(normalize_label(old))
                if normalize_label(old) not in shown:
                    self.warn(CORRECTIONS_FILE, f"correction of {item_id}: old value {old!r} does not match "
                              "the current answer: not applied", line, "old_value")
                    continue
            new = _cell(row.get("new_value"))
            reason = _cell(row.get("reason")) or ""
            before = current["text"] if kind == "text" else current["value"]
            if new is None:
                responses.loc[target, ["value", "value_label", "text"]] = [None, None, None]
            elif kind == "text":
                responses.loc[target, "text"] = self.scrubber.scrub(new)
            else:
                choices = current["_choices"] if not pd.isna(current["_choices"]) else None
                coded = codebook.code(new, choices, kind="integer" if kind == "integer" else "select_one")
                if coded.status != "ok":
                    self.warn(CORRECTIONS_FILE, f"new value {new!r} is not a valid answer to {item_id}: "
                              "not applied", line, "new_value")
                    continue
                responses.loc[target, ["value", "value_label"]] = [coded.value, coded.label]
            after = responses.loc[target, "text"] if kind == "text" else responses.loc[target, "value"]
            self.log.add("correction", file=CORRECTIONS_FILE, row=line, column=current["_column"],
                         item_id=item_id, old=None if kind == "text" else before,
                         new=None if kind == "text" else after,
                         detail=f"pid {pid}, {instrument} {wave}: {reason}".strip())
        return responses

    # -- tables derived from submissions
    def build_participants(self, submissions: list[_Submission]) -> list[dict]:
        people = {pid: {k: v for k, v in person.items() if k != "_row"}
                  for pid, person in self.roster_people.items()}
        off_roster: dict[str, list[_Submission]] = defaultdict(list)
        for submission in submissions:
            if submission.anonymous or submission.pid in people:
                continue
            off_roster[submission.pid].append(submission)
        for pid, found in off_roster.items():
            person = {"round_id": self.round_id, "pid": pid, "on_roster": False, "n_sessions_attended": None}
            for submission in found:
                for key, value in submission.person.items():
                    if value is not None and person.get(key) is None:
                        person[key] = value
            people[pid] = person
            first = found[0]
            self.warn(first.source.file, f"a respondent is not on the roster (pid {pid}): added as a "
                      "participant with on_roster = False", first.row)
            self.log.add("link", file=first.source.file, row=first.row,
                         detail=f"respondent not on the roster added as participant {pid}")
        return list(people.values())

    def build_tool_feedback(self, responses: pd.DataFrame) -> pd.DataFrame | list[dict]:
        """One row per pid × tool × wave of the tool feedback and of items tagged with a tool:
        the last rating and the last comment given (rows with neither are left out)."""
        if not len(responses):
            return []
        has_tool = responses["_tool"].notna()
        keep = has_tool | (responses["instrument"] == "tool_feedback").fillna(False)
        part = responses.loc[keep, ["pid", "wave", "_type", "text", "value"]]
        is_text = (part["_type"] == "text").fillna(False)
        frame = pd.DataFrame({
            "pid": part["pid"].astype(object), "wave": part["wave"].astype(object),
            "tool": responses.loc[keep, "_tool"].astype(object).where(has_tool[keep], "general"),
            "rating": pd.to_numeric(part["value"], errors="coerce").where(~is_text),
            "comment": part["text"].astype(object).where(is_text & part["text"].notna()),
        })
        rows = frame.groupby(["pid", "tool", "wave"], sort=False, dropna=False)[["rating", "comment"]].last()
        rows = rows[rows["rating"].notna() | rows["comment"].notna()].reset_index()
        rows.insert(0, "round_id", self.round_id)
        return rows[["round_id", "pid", "tool", "rating", "comment"]]

    def build_ties(self, submissions: list[_Submission], participants: list[dict]) -> list[dict]:
        by_pid = {p["pid"]: p for p in participants}
        org_countries: dict[str, set[str]] = defaultdict(set)
        for person in participants:
            if person.get("organisation") and person.get("country"):
                org_countries[normalize_label(person["organisation"])].add(person["country"])
        rows = []
        for submission in submissions:
            ego = by_pid.get(submission.pid, submission.person)
            for tie in submission.ties:
                countries = org_countries.get(normalize_label(tie["alter_organisation"]), set())
                rows.append(dict(tie, ego_organisation=ego.get("organisation"), ego_country=ego.get("country"),
                                 alter_country=next(iter(countries)) if len(countries) == 1 else None))
        return rows

    def build_linkage(self) -> None:
        responses = self.tables["responses"]
        outcomes = (responses["instrument"] == "outcomes").fillna(False)
        pre = set(responses.loc[outcomes & (responses["wave"] == "pre").fillna(False), "pid"].unique())
        post = set(responses.loc[outcomes & (responses["wave"] == "post").fillna(False), "pid"].unique())
        self.linkage = {"pre_only": len(pre - post), "post_only": len(post - pre), "both": len(pre & post)}
        if pre or post:
            self.log.add("link", detail=f"outcomes pre/post linkage: {self.linkage['both']} linked, "
                         f"{self.linkage['pre_only']} pre only, {self.linkage['post_only']} post only")

    # -- structured sheets
    def structured(self, instrument: str, aliases: dict[str, str], required: list[str]
                   ) -> list[tuple[Source, Any, dict[str, str]]]:
        out = []
        for source in self.manifest.sources_for(instrument):
            raw = self.raw.get(self._key(source))
            if raw is None:
                continue
            columns: dict[str, str] = {}
            for column in raw.frame.columns:
                name = re.sub(r"[\s]+", "_", normalize_label(column))
                name = aliases.get(name, name)
                columns.setdefault(name, column)
            absent = [c for c in required if c not in columns]
            for name in absent:
                self.problem(source.file, f"required column {name!r} is missing "
                             f"(columns found: {', '.join(raw.frame.columns)})", raw.source_rows[0] - 1
                             if raw.source_rows else 1, name)
            if absent:
                continue
            out.append((source, raw, columns))
        return out

    def dimension_of(self, text: str | None) -> str | None:
        if text is None:
            return None
        token = normalize_label(text)
        for dimension in dimensions(self.ws.data_dir)["dimensions"]:
            names = [dimension["id"]] + [v for k, v in dimension.items() if k.startswith("label")]
            if token in {normalize_label(n) for n in names}:
                return dimension["id"]
        return None

    def group_of(self, country: str | None) -> str | None:
        if country in self.manifest.countries:
            return "participant"
        if country in self.manifest.comparison:
            return "comparison"
        return None

    def read_plans(self) -> list[dict]:
        aliases = {"pays": "country", "action": "action_id", "id": "action_id", "no": "action_id",
                   "responsable": "owner_role", "owner": "owner_role", "echeance": "due",
                   "due_date": "due", "date_limite": "due"}
        rows: list[dict] = []
        for source, raw, columns in self.structured("plan_actions", aliases,
                                                    ["country", "action_id", "dimension", "description"]):
            codebook = self.codebooks[source.codebook]
            status_columns: list[tuple[str, str]] = []
            for name, column in columns.items():
                match = re.fullmatch(r"(?:status|statut)_?(?:followup|suivi)[-_ ]?(\d+)", name)
                if match:
                    status_columns.append((f"followup-{int(match.group(1))}", column))
            dues = _parse_dates(raw.frame[columns["due"]]) if "due" in columns else [None] * raw.n_rows
            for index in range(raw.n_rows):
                row_no = raw.source_rows[index]
                get = _row_getter(raw, columns, index)
                country = self.country_code(get("country"), source.file, row_no, columns["country"], severity="error")
                dimension_raw = get("dimension")
                dimension = self.dimension_of(dimension_raw)
                if dimension_raw is not None and dimension is None:
                    self.problem(source.file, f"dimension {dimension_raw!r} is not one of "
                                 f"{', '.join(d['id'] for d in dimensions(self.ws.data_dir)['dimensions'])}",
                                 row_no, columns["dimension"])
                if "due" in columns and get("due") is not None and dues[index] is None:
                    self.warn(source.file, f"due date {get('due')!r} is not a date (dd/mm/yyyy or ISO)",
                              row_no, columns["due"])
                description = get("description")
                if description is not None:
                    scrubbed = self.scrubber.scrub(description)
                    if scrubbed != description:
                        self.log.add("scrub", file=source.file, row=row_no, column=columns["description"],
                                     detail="e-mail, phone number or roster name removed from free text")
                    description = scrubbed
                base = {"round_id": self.round_id, "country": country, "action_id": get("action_id"),
                        "dimension": dimension, "description": description,
                        "owner_role": self.owner_role(get("owner_role"), codebook), "due": dues[index]}
                if not status_columns:
                    rows.append(dict(base, followup=None, status=None))
                for followup, column in status_columns:
                    value = _cell(_records(raw)[index][column])
                    status = None
                    if value is not None:
                        coded = codebook.code(value, "plan_status")
                        if coded.status == "ok":
                            status = coded.code
                        elif coded.status == "missing":
                            self.log.add("missing_code", file=source.file, row=row_no, column=column, old=value)
                        else:
                            self.unknown(source, row_no, column, value, "plan_status", codebook)
                    rows.append(dict(base, followup=followup, status=status))
        return rows

    @staticmethod
    def owner_role(value: str | None, codebook: Codebook) -> str | None:
        """A role label of choices.yaml becomes its code; any other owner is kept as written."""
        if value is None:
            return None
        coded = codebook.code(value, "role")
        return coded.code if coded.status == "ok" else value

    def read_assessment(self) -> list[dict]:
        aliases = {"pays": "country", "annee": "year", "vague": "wave", "critere": "criterion",
                   "note": "rating", "niveau": "rating", "level": "rating"}
        config = dimensions(self.ws.data_dir)
        criteria: dict[str, str] = {}
        for criterion, labels in (config.get("criteria_labels") or {}).items():
            criteria[normalize_label(criterion)] = criterion
            for label in labels.values():
                criteria[normalize_label(label)] = criterion
        rows: list[dict] = []
        for source, raw, columns in self.structured("jsr_assessment", aliases,
                                                    ["country", "dimension", "rating"]):
            codebook = self.codebooks[source.codebook]
            for index in range(raw.n_rows):
                row_no = raw.source_rows[index]
                get = _row_getter(raw, columns, index)
                country = self.country_code(get("country"), source.file, row_no, columns["country"], severity="error")
                dimension = self.dimension_of(get("dimension"))
                if get("dimension") is not None and dimension is None:
                    self.problem(source.file, f"dimension {get('dimension')!r} is not known", row_no, columns["dimension"])
                criterion_raw = get("criterion")
                criterion = criteria.get(normalize_label(criterion_raw)) if criterion_raw else None
                if criterion_raw is not None and criterion is None:
                    self.problem(source.file, f"criterion {criterion_raw!r} is not one of dimensions.yaml",
                                 row_no, columns.get("criterion"))
                rating = None
                value = get("rating")
                if value is not None:
                    coded = codebook.code(value, "ladder4")
                    if coded.status == "ok":
                        rating = coded.value
                    elif coded.status == "missing":
                        self.log.add("missing_code", file=source.file, row=row_no, column=columns["rating"], old=value)
                    else:
                        self.unknown(source, row_no, columns["rating"], value, "ladder4", codebook)
                year = self.year_of(get("year"), source, row_no, columns.get("year"))
                group = self.group_of(country)
                if country is not None and group is None:
                    self.warn(source.file, f"country {country} is neither a participant nor a comparison "
                              "country of the round", row_no, columns["country"])
                rows.append({"round_id": self.round_id, "country": country, "year": year,
                             "wave": get("wave"), "dimension": dimension, "criterion": criterion,
                             "rating": rating, "group": group})
        return rows

    def year_of(self, value: str | None, source: Source, row: int, column: str | None) -> int | None:
        if value is None:
            return self.manifest.year
        try:
            return int(float(value))
        except ValueError:
            self.problem(source.file, f"year {value!r} is not a number", row, column)
            return None

    def read_quality(self) -> list[dict]:
        config = dimensions(self.ws.data_dir)
        dimension_ids = [d["id"] for d in config["dimensions"]]
        threshold = int((config.get("rf18") or {}).get("min_dimensions_met", 3))
        self.extra_quality = {d: "boolean" for d in dimension_ids}
        aliases = {"pays": "country", "annee": "year"}
        for dimension in config["dimensions"]:
            for key, label in dimension.items():
                if key.startswith("label"):
                    aliases[re.sub(r"\s+", "_", normalize_label(label))] = dimension["id"]
        rows: list[dict] = []
        for source, raw, columns in self.structured("jsr_quality", aliases, ["country", *dimension_ids]):
            for index in range(raw.n_rows):
                row_no = raw.source_rows[index]
                get = _row_getter(raw, columns, index)
                country = self.country_code(get("country"), source.file, row_no, columns["country"], severity="error")
                row: dict[str, Any] = {"round_id": self.round_id, "country": country,
                                       "year": self.year_of(get("year"), source, row_no, columns.get("year")),
                                       "group": self.group_of(country)}
                unknown = 0
                for dimension in dimension_ids:
                    value = get(dimension)
                    token = normalize_label(value or "")
                    if value is None:
                        row[dimension] = None
                        unknown += 1
                    elif token in _TRUE or token in ("met", "atteint"):
                        row[dimension] = True
                    elif token in _FALSE or token in ("not met", "non atteint"):
                        row[dimension] = False
                    else:
                        row[dimension] = None
                        unknown += 1
                        self.problem(source.file, f"{value!r} is not 0/1 (met / not met)", row_no, columns[dimension])
                n_met = sum(1 for d in dimension_ids if row[d] is True)
                row["n_met"] = n_met
                if n_met >= threshold:
                    row["meets"] = True
                elif n_met + unknown >= threshold:
                    row["meets"] = None
                else:
                    row["meets"] = False
                rows.append(row)
        return rows

    # -- validation
    def validate_tables(self) -> None:
        for name in TABLES:
            df = self.tables.get(name)
            if df is None:
                continue
            locate = None
            if name == "responses" and self.locate_responses is not None:
                locate = self.locate_responses.reset_index(drop=True)
            extra = self.extra_quality if name == "jsr_quality" else None
            self.problems.extend(check_table(df, name, locate=locate, extra_columns=extra))


def _recover_processed(final: Path) -> None:
    """Undo what a killed clean left in ``data/processed``.

    Killed between the two renames of `atomic.replace_dir_atomic`, a clean leaves the
    previous round only under ``.<round>.old-<pid>-<hex>``: put it back (the latest, when
    its writer is gone) before `atomic.cleanup_stale_temps` deletes the leftovers.
    """
    from ..core.atomic import _TEMP_NAME, _pid_alive, cleanup_stale_temps

    parent = final.parent
    if not parent.is_dir():
        return
    if not final.exists():
        aside = []
        for entry in parent.iterdir():
            match = _TEMP_NAME.match(entry.name)
            if (match and match["kind"] == "old" and match["name"] == final.name and entry.is_dir()
                    and not _pid_alive(int(match["pid"]))):
                aside.append((entry.stat().st_mtime, entry))
        if aside:
            os.rename(max(aside)[1], final)
    cleanup_stale_temps(parent)


# ---------------------------------------------------------------------- public API
def validate_round(ws: Workspace, round_id: str) -> list[Problem]:
    """Every problem of a round, without writing anything.

    Manifest problems, read problems of every source, unmapped columns (warnings),
    unknown answers (errors), duplicate respondents (warnings naming the rows), missing
    required columns of structured sheets (errors), then every canonical table against
    its pandera schema (lazy: all failures). Never stops at the first problem.
    """
    builder = _RoundBuilder(ws, round_id)
    try:
        builder.run()
    except (DataError, DataErrors) as exc:
        builder.problems.extend(exc.problems)
    return builder.problems


def clean_round(ws: Workspace, round_id: str) -> CleanResult:
    """Clean one round into ``data/processed/<round>/`` (atomically).

    Writes one Parquet file per canonical table (empty tables included, with their
    columns), ``cleaning_log.csv`` and ``meta.json``.

    Raises
    ------
    DataErrors
        When any error-severity problem is found (unknown answers, unreadable files,
        schema failures, …); the previous processed output is then left untouched.
    UsageError
        When the round does not exist.
    """
    from ..core.atomic import atomic_dir, write_csv_atomic, write_text_atomic

    _recover_processed(ws.processed_round(round_id))
    builder = _RoundBuilder(ws, round_id)
    try:
        builder.run()
    except (DataError, DataErrors) as exc:
        builder.problems.extend(exc.problems)
    errors = [p for p in builder.problems if p.severity == "error"]
    if errors or builder.manifest is None:
        raise DataErrors(errors or builder.problems)
    manifest = builder.manifest
    tables = builder.tables
    log = builder.log.frame()
    meta = {
        "round_id": manifest.round_id,
        "title": manifest.title,
        "community": manifest.community,
        "language": manifest.language,
        "host": manifest.host,
        "countries": list(manifest.countries),
        "comparison": list(manifest.comparison),
        "year": manifest.year,
        "sessions": [{"id": s.id, "kind": s.kind, "date": s.date.isoformat() if s.date else None,
                      "title": s.title} for s in manifest.sessions],
        "sources": [{"file": s.file, "instrument": s.instrument, "wave": s.wave,
                     "platform": (builder.raw.get(builder._key(s)).platform
                                  if builder.raw.get(builder._key(s)) is not None else s.platform),
                     "session": s.session} for s in manifest.sources],
        "linkage": builder.linkage,
        "n_warnings": len(builder.problems),
        "data_hash": _table_hash(tables),
        "package_version": __version__,
        "input_fingerprint": input_fingerprint(ws, round_id),
        "cleaned_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    final = ws.processed_round(round_id)
    try:
        with atomic_dir(final) as tmp:
            for name, df in tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
            write_csv_atomic(tmp / "cleaning_log.csv", log)
            write_text_atomic(tmp / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise DataError(f"cannot write the processed round: {exc}", file=final) from None
    return CleanResult(round_id=round_id, output=final, tables=tables, cleaning_log=log,
                       problems=builder.problems, linkage=builder.linkage, meta=meta)
