"""Stata ``.dta`` and SPSS ``.sav``/``.zsav``/``.por`` files, read with pyreadstat.

Value labels are applied: a labelled code becomes its label as the cell text, and
``RawTable.value_labels`` keeps ``{column: {code: label}}`` (codes as text, ``1`` not
``1.0``). Variable labels go to ``RawTable.column_labels`` (cleaning matches a variable
by its label too, and reports it as its question text). User-missing values (SPSS) are
read as missing; a case whose every value is missing is still a case: it is kept. There
are no header lines in these files: ``header_rows`` is 0 and ``source_rows`` are
observation numbers (1-based), as Stata's browser and SPSS's data view number them.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import DataError, ProblemCode
from .common import Grid, finish_table
from .spreadsheet import cell_text
from .table import RawTable

__all__ = ["STATA_SUFFIXES", "SPSS_SUFFIXES", "read_stats_file"]

STATA_SUFFIXES = {".dta"}
SPSS_SUFFIXES = {".sav", ".zsav", ".por"}


def read_stats_file(path: Path, platform: str | None = None) -> RawTable:
    """Read a Stata or SPSS file with its value labels applied."""
    import pyreadstat  # imported for .dta/.sav files only: a compiled extension few rounds need

    if not path.exists():
        raise DataError("file not found", file=path, code=ProblemCode.FILE_NOT_FOUND)
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", file=path, code=ProblemCode.EMPTY_FILE)
    suffix = path.suffix.lower()
    kind = "stata" if suffix in STATA_SUFFIXES else "spss"
    reader = {
        ".dta": pyreadstat.read_dta,
        ".sav": pyreadstat.read_sav,
        ".zsav": pyreadstat.read_sav,
        ".por": pyreadstat.read_por,
    }[suffix]
    try:
        frame, meta = reader(str(path))
    except Exception as exc:  # pyreadstat raises ReadstatError / PyreadstatError
        raise DataError(f"cannot read this {kind} file: {exc}", file=path,
                        code=ProblemCode.UNREADABLE) from None

    names = list(frame.columns)
    labels_by_var: dict[str, dict[str, str]] = {}
    for variable, mapping in (meta.variable_value_labels or {}).items():
        labels_by_var[variable] = {cell_text(code): str(label) for code, label in mapping.items()}
    rows: list[list[str | None]] = []
    for values in frame.itertuples(index=False):
        row = []
        for variable, value in zip(names, values, strict=True):
            text = cell_text(value)
            mapping = labels_by_var.get(variable)
            if text is not None and mapping and text in mapping:
                text = mapping[text]
            row.append(text)
        rows.append(row)
    grid = Grid(path=path, rows=rows, lines=list(range(1, len(rows) + 1)))
    blank = sum(1 for row in rows if all(cell is None for cell in row))
    if blank:
        # user-missing codes (SPSS) or extended missing values (Stata) read as missing
        grid.warnings.append(f"{blank} case(s) have no value in any variable (every answer missing, e.g. "
                             "user-missing codes): kept, one row each")
    column_labels = dict(enumerate(meta.column_labels or []))
    return finish_table(
        grid,
        platform=platform or kind,
        columns=names,
        original_columns=names,
        data_start=0,
        header_rows=0,
        names=names,
        header_line=0,
        value_labels={v: m for v, m in labels_by_var.items() if v in names},
        column_labels={k: v for k, v in column_labels.items() if v},
        keep_blank_rows=True,
    )
