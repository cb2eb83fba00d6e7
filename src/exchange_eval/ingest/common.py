"""What every reader shares: cell and header cleaning, type detection, building a `RawTable`.

A reader turns its file into a `Grid` (rows of raw cells, each with the line or sheet
row it came from), decides which rows are headers and how to name the columns, then
calls `finish_table`, which checks the shape (ragged rows, duplicate names), cleans the
cells and detects column types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.typing import NAType

from ..core.errors import DataError, ProblemCode
from ..core.text import straight_apostrophes
from .table import RawTable

__all__ = [
    "Grid",
    "bracket_to_path",
    "header_set",
    "single_header_table",
    "clean_text",
    "clean_cell",
    "clean_header",
    "column_letter",
    "detect_type",
    "finish_table",
]

_NBSPACES = ("\u00a0", "\u202f", "\u2007")

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(?:[.,]\d+)?|\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?))?)?"
_DATE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})" + _TIME + "$"
)


@dataclass
class Grid:
    """Raw rows of an export before headers are decided.

    ``rows[i]`` are the raw cells (strings; ``None`` for an empty spreadsheet cell) of the
    record starting at file line / sheet row ``lines[i]``.
    """

    path: Path
    rows: list[list[str | None]]
    lines: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)

    def width(self, index: int) -> int:
        """Number of non-empty cells in row ``index``."""
        return sum(1 for c in self.rows[index] if clean_text(c))


def clean_text(value: str | None) -> str:
    """Strip surrounding whitespace and turn non-breaking spaces into spaces."""
    if value is None:
        return ""
    text = value
    if not text.isascii():
        # str.translate with a table is slow; these characters are rare
        for space in _NBSPACES:
            if space in text:
                text = text.replace(space, " ")
    text = text.strip()
    # line breaks inside an answer: the file's line-ending convention is not content
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


@lru_cache(maxsize=1 << 16)  # survey answers repeat a lot
def clean_cell(value: str | None) -> str | NAType:
    """A data cell: trimmed text, non-breaking spaces as spaces, empty → ``pd.NA``."""
    text = clean_text(value)
    return text if text else pd.NA


def clean_header(value: str | None) -> str:
    """A header: like a cell, plus every apostrophe as ``'`` and inner whitespace collapsed."""
    return re.sub(r"\s+", " ", straight_apostrophes(clean_text(value)))


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 1-based column position (1 → A, 27 → AA)."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def detect_type(values: pd.Series) -> str:
    """``empty``, ``integer``, ``number``, ``date``, ``choice`` or ``text`` for one column.

    integer: every value is digits; number: decimals with ``.`` or ``,`` (thousands
    separated by spaces allowed); date: ISO, ``dd/mm/yyyy``, ``mm/dd/yyyy`` or
    ``yyyy/mm/dd``, with an optional time, AM/PM and zone; choice: at most 20 distinct
    short one-line answers, at least one of them repeated; text otherwise.
    """
    present = [v for v in values.tolist() if v is not pd.NA and v is not None and v == v]
    return _detect_type(set(present), len(present))


def _detect_type(unique: set[str], n_present: int) -> str:
    """`detect_type` from the distinct present values and how many cells are present."""
    if not n_present:
        return "empty"
    if all(_INTEGER.match(v) for v in unique):
        return "integer"
    if all(_NUMBER.match(v) for v in unique):
        return "number"
    if all(_DATE.match(v) for v in unique):
        return "date"
    # a choice column repeats a few short answers
    if len(unique) < n_present and len(unique) <= 20 and all(len(v) <= 60 and "\n" not in v for v in unique):
        return "choice"
    return "text"


def finish_table(
    grid: Grid,
    *,
    platform: str,
    columns: list[str],
    original_columns: list[str],
    data_start: int,
    header_rows: int,
    allow_duplicates: bool = False,
    names: list[str] | None = None,
    header_line: int | None = None,
    value_labels: dict[str, dict[str, str]] | None = None,
    column_labels: dict[int, str] | None = None,
    keep_blank_rows: bool = False,
) -> RawTable:
    """Build the `RawTable` from the grid rows ``data_start:`` and the normalised ``columns``.

    Rows with more non-empty fields than headers raise `DataError` naming the row; shorter
    rows are padded with missing values; blank rows are skipped unless ``keep_blank_rows``
    (statistical files, where each row is a case). Columns with an empty
    header are named ``column_<letter>`` unless they are empty throughout (then dropped).
    Duplicate names raise `DataError` naming both positions, unless ``allow_duplicates``:
    then the second and later copies get `` (2)``, `` (3)``, … in column order.
    """
    width = len(columns)
    # column by column: answers repeat, so each distinct raw cell is cleaned once
    body = grid.rows[data_start:]
    fixed: list[list[str | None]] = []
    for offset, raw in enumerate(body):
        if len(raw) > width:
            if any(clean_cell(c) is not pd.NA for c in raw[width:]):
                raise DataError(
                    f"this row has {len(raw)} fields but the header has {width} "
                    "(a delimiter inside an unquoted answer?)",
                    file=grid.path,
                    row=grid.lines[data_start + offset],
                    column=f"column {width + 1} ({column_letter(width + 1)})",
                    code=ProblemCode.MALFORMED_ROW,
                )
            raw = raw[:width]
        elif len(raw) < width:
            raw = [*raw, *([None] * (width - len(raw)))]
        fixed.append(raw)
    cleaned: list[np.ndarray] = []  # per column: cleaned cells (pd.NA when empty)
    filled: list[np.ndarray] = []  # per column: which cells are not empty
    distinct: list[set[str]] = []
    by_column = zip(*fixed, strict=True) if fixed else ((),) * width
    for cells in by_column:
        codes, uniques = pd.factorize(np.array(cells, dtype=object))
        values = [clean_cell(u) for u in uniques.tolist()] + [pd.NA]
        present = np.array([v is not pd.NA for v in values])
        cleaned.append(np.array(values, dtype=object)[codes])
        filled.append(present[codes])
        distinct.append({v for v in values if v is not pd.NA})
    # blank rows are skipped, except where every row is a record (an SPSS case whose answers
    # are all user-missing is still a respondent)
    kept = np.logical_or.reduce(filled) if filled else np.zeros(len(fixed), dtype=bool)
    if keep_blank_rows:
        kept = np.ones(len(fixed), dtype=bool)
    lines = [line for line, k in zip(grid.lines[data_start:], kept.tolist(), strict=True) if k]
    cleaned = [column[kept] for column in cleaned]
    filled = [column[kept] for column in filled]

    keep: list[int] = []
    named: list[str] = []
    for position, name in enumerate(columns):
        if not name:
            if not filled[position].any():
                continue
            name = f"column_{column_letter(position + 1)}"
        keep.append(position)
        named.append(name)

    seen: dict[str, int] = {}
    final: list[str] = []
    for position, name in zip(keep, named, strict=True):
        if name in seen:
            if not allow_duplicates:
                first = seen[name]
                raise DataError(
                    f"two columns have the same header {name!r}: column {first + 1} "
                    f"({column_letter(first + 1)}) and column {position + 1} ({column_letter(position + 1)})",
                    file=grid.path,
                    row=header_line,
                    column=name,
                    code=ProblemCode.DUPLICATE_COLUMN,
                )
            copy = 2
            while f"{name} ({copy})" in seen or f"{name} ({copy})" in named:
                copy += 1
            grid.warnings.append(
                f"column {position + 1} ({column_letter(position + 1)}) repeats the header "
                f"{name!r}; it is read as {name + f' ({copy})'!r}"
            )
            name = f"{name} ({copy})"
        seen[name] = position
        final.append(name)

    if lines:
        frame = pd.DataFrame({i: pd.array(cleaned[p], dtype="string") for i, p in enumerate(keep)})
    else:
        frame = pd.DataFrame({name: pd.Series([], dtype="string") for name in final})
    frame.columns = final
    types = {name: _detect_type(distinct[p], int(filled[p].sum())) if lines else "empty"
             for name, p in zip(final, keep, strict=True)}
    labels = value_labels or {}
    for name in labels:
        if name in types and types[name] != "empty":
            types[name] = "choice"
    return RawTable(
        path=grid.path,
        platform=platform,
        frame=frame,
        source_rows=lines,
        original_columns=[original_columns[p] for p in keep],
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        header_rows=header_rows,
        value_labels=labels,
        column_types=types,
        names=[names[p] for p in keep] if names is not None else [],
        sheet=grid.sheet,
        header_line=header_line if header_line is not None else (grid.lines[0] if grid.lines else 1),
        column_labels={final[i]: column_labels[p] for i, p in enumerate(keep) if column_labels and column_labels.get(p)},
        warnings=list(grid.warnings),
    )


def single_header_table(
    grid: Grid,
    *,
    platform: str,
    normalise=None,
    allow_duplicates: bool = False,
    header_index: int = 0,
) -> RawTable:
    """The common case: one header row at ``header_index``, data below it."""
    if header_index >= len(grid.rows):
        raise DataError("no header row found", file=grid.path, code=ProblemCode.EMPTY_FILE)
    raw = grid.rows[header_index]
    original = [clean_text(c) for c in raw]
    columns = [clean_header(c) for c in raw]
    if normalise is not None:
        columns = [normalise(c) if c else c for c in columns]
    return finish_table(
        grid,
        platform=platform,
        columns=columns,
        original_columns=original,
        data_start=header_index + 1,
        header_rows=1,
        allow_duplicates=allow_duplicates,
        header_line=grid.lines[header_index],
    )


def bracket_to_path(header: str) -> str:
    """``Question [Row]`` and ``G01Q02[SQ001]`` → ``Question/Row``, ``G01Q02/SQ001``."""
    return re.sub(r"\s*\[([^\[\]]*)\]", lambda m: "/" + m.group(1).strip(), header).strip()


def header_set(grid: Grid, index: int = 0) -> set[str]:
    """The cleaned header cells of row ``index`` (empty set when there is no such row)."""
    if index >= len(grid.rows):
        return set()
    return {clean_header(c) for c in grid.rows[index]} - {""}
