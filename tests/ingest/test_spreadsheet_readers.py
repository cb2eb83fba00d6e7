"""The two .xlsx readers of `exchange_eval.ingest.spreadsheet` see the same cells.

calamine (fast, Rust) reads workbooks; openpyxl's streaming reader is the fallback. A
workbook with a title row, a table that starts in column B, numbers, dates, times,
booleans, accents, blank rows and a second sheet must come out of both identically.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from exchange_eval.ingest import spreadsheet

pytest.importorskip("python_calamine")


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "export"
    sheet["C2"] = "Enquête post-échange"
    for column, header in zip("BCDEF", ["id", "date", "heure", "note", "accord"], strict=True):
        sheet[f"{column}4"] = header
    rows = [
        [1, dt.datetime(2025, 3, 1), dt.time(9, 30), 4.5, True],
        [2, dt.datetime(2025, 3, 2, 14, 5), None, 3, False],
        [None, None, None, None, None],
        [3, dt.date(2025, 3, 3), dt.time(17, 0, 15), 0.1, "Très utile"],
    ]
    for offset, values in enumerate(rows):
        for column, value in zip("BCDEF", values, strict=True):
            if value is not None:
                sheet[f"{column}{5 + offset}"] = value
    other = book.create_sheet("notes")
    other["A1"] = "second sheet"
    book.save(path)
    return path


def test_calamine_and_openpyxl_read_the_same_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    fast = spreadsheet.calamine_sheets(path)
    assert fast == spreadsheet.openpyxl_sheets(path)
    rows = dict(fast["export"])
    assert rows[2] == [None, None, "Enquête post-échange", None, None, None]
    assert rows[5] == [None, "1", "2025-03-01", "09:30:00", "4.5", "TRUE"]
    assert rows[6] == [None, "2", "2025-03-02 14:05:00", None, "3", "FALSE"]
    assert 7 not in rows  # the blank row
    assert rows[8] == [None, "3", "2025-03-03", "17:00:15", "0.1", "Très utile"]
    assert fast["notes"] == [(1, ["second sheet"])]


def test_read_workbook_takes_the_first_sheet_with_data_and_says_so(tmp_path: Path) -> None:
    grid = spreadsheet.read_workbook(_workbook(tmp_path / "export.xlsx"))
    assert grid.sheet == "export"
    assert grid.lines == [2, 4, 5, 6, 8]
    assert grid.rows[1] == [None, "id", "date", "heure", "note", "accord"]
    assert any("'notes'" in w for w in grid.warnings)
