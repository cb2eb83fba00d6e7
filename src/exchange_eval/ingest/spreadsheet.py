"""Plain spreadsheets: workbooks (.xlsx, .xls, .ods) and CSVs saved by Excel.

`read_workbook` turns one sheet into a `Grid` (every cell as text: integers without
``.0``, dates as ISO ``YYYY-MM-DD``, date-times as ``YYYY-MM-DD HH:MM:SS``), remembering
the sheet row of each row. Sheet choice: the ``sheet`` asked for (by name; an unknown name
raises `DataError` listing the sheets), else the first sheet that holds any value; when
other sheets hold values too, a warning in ``RawTable.warnings`` says which was read.

.xlsx workbooks are read by calamine, openpyxl's streaming reader standing in when it
cannot (`calamine_sheets`, `openpyxl_sheets`: the same cells either way).

Header detection (`find_header`): the header is the first row with at least half as
many filled cells as the widest of the first 30 rows (and at least two, unless the table
has one column). Rows above it — a title, a date line, blanks — have fewer filled cells
than that, so they cannot be data rows of the table; they are reported in
``RawTable.warnings``. Nothing below the header is ever skipped except blank rows.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import DataError, ProblemCode
from .common import Grid, single_header_table
from .table import RawTable

__all__ = [
    "WORKBOOK_SUFFIXES",
    "calamine_sheets",
    "cell_text",
    "detect",
    "find_header",
    "openpyxl_sheets",
    "read",
    "read_workbook",
]

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


def detect(grid: Grid) -> bool:
    """Always true: the fallback when no survey platform is recognised."""
    return True


def cell_text(value: Any) -> str | None:
    """A workbook cell as the text a user sees (``None`` when empty)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return text if text != "" else None


def _row_texts(values: Any) -> list[str | None]:
    # text cells are most cells of an export: kept as they are, without cell_text's checks
    return [v if (v.__class__ is str and v) else cell_text(v) for v in values]


def _xlsx_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    """Every sheet's non-blank rows with their sheet row numbers, as text.

    Read with calamine (python-calamine, a Rust parser streaming each sheet's rows:
    a 300,000-row export in seconds where openpyxl takes minutes); with openpyxl's
    streaming reader (``read_only``, values only) when calamine is not installed or
    cannot read the file, so a damaged workbook gets openpyxl's diagnosis.
    """
    try:
        return calamine_sheets(path)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001,S110 - calamine's errors are Rust panics and OSErrors; openpyxl says what is wrong
        pass
    return openpyxl_sheets(path)


def calamine_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    """Every sheet's non-blank rows read by calamine (see `_xlsx_sheets`)."""
    from python_calamine import CalamineWorkbook  # imported for workbooks only

    book = CalamineWorkbook.from_path(str(path))
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    try:
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows = []
            # calamine's rows start at row 1 but at the first used column: pad them from A
            left = [None] * (sheet.start[1] if sheet.start else 0)
            for number, values in enumerate(sheet.iter_rows(), start=1):
                cells = left + _row_texts(values)
                if any(c is not None and c.strip() for c in cells):
                    rows.append((number, cells))
            sheets[name] = rows
    finally:
        book.close()
    return sheets


def openpyxl_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    """Every sheet's non-blank rows read by openpyxl's streaming reader (see `_xlsx_sheets`)."""
    import openpyxl  # imported for workbooks only: most exports are CSV, and it is slow to import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for damaged files
        raise DataError(f"cannot open this workbook ({type(exc).__name__}): is it really .xlsx?", file=path,
                        code=ProblemCode.WRONG_FORMAT) from None
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    try:
        for ws in book.worksheets:
            rows = []
            for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                cells = _row_texts(values)
                if any(c is not None and c.strip() for c in cells):
                    rows.append((number, cells))
            sheets[ws.title] = rows
    finally:
        book.close()
    return sheets


def _xls_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    import xlrd  # imported for legacy .xls workbooks only

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd raises XLRDError and struct errors for damaged files
        raise DataError(f"cannot open this workbook ({type(exc).__name__}): is it really .xls?", file=path,
                        code=ProblemCode.WRONG_FORMAT) from None
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    for ws in book.sheets():
        rows = []
        for index in range(ws.nrows):
            cells: list[str | None] = []
            for cell in ws.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    cells.append(cell_text(bool(cell.value)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    cells.append(None)
                else:
                    cells.append(cell_text(cell.value))
            if any(c is not None and c.strip() for c in cells):
                rows.append((index + 1, cells))
        sheets[ws.name] = rows
    return sheets


def _ods_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    try:
        frames = pd.read_excel(path, engine="odf", sheet_name=None, header=None, dtype=object)
    except Exception as exc:  # odfpy raises zip and XML errors for damaged files
        raise DataError(f"cannot open this workbook ({type(exc).__name__}): is it really .ods?", file=path,
                        code=ProblemCode.WRONG_FORMAT) from None
    sheets: dict[str, list[tuple[int, list[str | None]]]] = {}
    for name, frame in frames.items():
        rows = []
        for index, values in enumerate(frame.itertuples(index=False), start=1):
            cells = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else cell_text(v) for v in values]
            if any(c is not None and c.strip() for c in cells):
                rows.append((index, cells))
        sheets[str(name)] = rows
    return sheets


def read_workbook(path: Path, sheet: str | None = None) -> Grid:
    """One sheet of an .xlsx/.xlsm/.xls/.ods workbook as a `Grid` (see module docstring)."""
    if not path.exists():
        raise DataError("file not found", file=path, code=ProblemCode.FILE_NOT_FOUND)
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", file=path, code=ProblemCode.EMPTY_FILE)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path)
    elif suffix == ".xls":
        sheets = _xls_sheets(path)
    else:
        sheets = _ods_sheets(path)
    names = list(sheets)
    warnings: list[str] = []
    if sheet is not None:
        if sheet not in sheets:
            raise DataError(
                f"no sheet {sheet!r} in this workbook; its sheets are: {', '.join(map(repr, names))}",
                file=path,
                code=ProblemCode.MISSING_SHEET,
            )
        chosen = sheet
    else:
        filled = [name for name in names if sheets[name]]
        if not filled:
            raise DataError(f"every sheet of this workbook is empty ({', '.join(map(repr, names))})", file=path,
                            code=ProblemCode.EMPTY_FILE)
        chosen = filled[0]
        if len(filled) > 1:
            warnings.append(
                f"the workbook has {len(filled)} sheets with data ({', '.join(map(repr, filled))}); "
                f"read {chosen!r}, the first one; name another with `sheet:` in round.yaml"
            )
    rows = sheets[chosen]
    return Grid(
        path=path,
        rows=[cells for _, cells in rows],
        lines=[number for number, _ in rows],
        sheet=chosen,
        warnings=warnings,
    )


def find_header(grid: Grid) -> int:
    """Index of the header row in ``grid.rows`` (see module docstring)."""
    head = range(min(30, len(grid.rows)))
    widths = [grid.width(i) for i in head]
    if not widths:
        return 0
    widest = max(widths)
    threshold = 1 if widest < 2 else max(2, math.ceil(widest / 2))
    for index, width in enumerate(widths):
        if width >= threshold:
            return index
    return 0


def read(grid: Grid) -> RawTable:
    """A table with one header row, found by `find_header`."""
    header = find_header(grid)
    if header:
        skipped = ", ".join(str(line) for line in grid.lines[:header])
        grid.warnings.append(f"row(s) {skipped} above the header were skipped (title or notes)")
    return single_header_table(grid, platform="spreadsheet", header_index=header)
