"""Workbooks (.xlsx, .ods) and statistical files (.dta, .sav), written in the tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from exchange_eval.core.errors import DataError
from exchange_eval.ingest import read_export
from exchange_eval.ingest.inspect import inspect_file


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def test_xlsx_title_and_blank_rows_above_header(tmp_path: Path) -> None:
    path = workbook(tmp_path / "inscriptions.xlsx", {"Inscriptions": [
        ["Liste des participants — cohorte A"],
        [],
        ["Nom", "Pays", "Date d’inscription", "Sessions suivies", "Note"],
        ["Awa Ndiaye", "Sénégal", dt.datetime(2025, 2, 10), 3, 4.5],
        ["Paul Zida", "Burkina Faso", dt.datetime(2025, 2, 11, 14, 30), 2, None],
        [None, None, None, None, None],
        ["Fatimé Abakar", "Tchad", dt.date(2025, 2, 12), 0, 3.0],
    ]})
    table = read_export(path)
    assert table.platform == "spreadsheet"
    assert (table.encoding, table.delimiter, table.header_rows) == (None, None, 1)
    assert table.sheet == "Inscriptions"
    assert table.header_line == 3
    assert list(table.frame.columns) == ["Nom", "Pays", "Date d'inscription", "Sessions suivies", "Note"]
    assert table.n_rows == 3
    assert table.source_rows == [4, 5, 7]
    assert table.frame.loc[0, "Date d'inscription"] == "2025-02-10"
    assert table.frame.loc[1, "Date d'inscription"] == "2025-02-11 14:30:00"
    assert table.frame.loc[0, "Sessions suivies"] == "3"
    assert table.frame.loc[2, "Note"] == "3"
    assert table.frame.loc[0, "Note"] == "4.5"
    assert table.frame.loc[1, "Note"] is pd.NA
    assert table.column_types["Sessions suivies"] == "integer"
    assert table.column_types["Note"] == "number"
    assert table.column_types["Date d'inscription"] == "date"


def test_header_detection_never_drops_a_sparse_data_row(tmp_path: Path) -> None:
    path = workbook(tmp_path / "sparse.xlsx", {"S": [
        ["a", "b", "c", "d"],
        ["x", None, None, None],  # a data row with one answer only
        ["y", "2", "3", "4"],
    ]})
    table = read_export(path)
    assert table.n_rows == 2
    assert table.frame.loc[0, "a"] == "x"


def test_xlsx_several_sheets_first_non_empty_with_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path / "several.xlsx", {
        "Notes": [],
        "Roster": [["Nom", "Pays"], ["Awa", "SEN"]],
        "Sessions": [["Session", "Date"], ["vc1", "2025-02-10"]],
    })
    table = read_export(path)
    assert table.sheet == "Roster"
    assert list(table.frame.columns) == ["Nom", "Pays"]
    assert "'Roster', 'Sessions'" in table.warnings[0]
    chosen = read_export(path, sheet="Sessions")
    assert chosen.sheet == "Sessions"
    assert chosen.frame.loc[0, "Session"] == "vc1"
    assert chosen.warnings == []
    with pytest.raises(DataError, match="'Notes', 'Roster', 'Sessions'"):
        read_export(path, sheet="Participants")


def test_xlsx_all_sheets_empty(tmp_path: Path) -> None:
    path = workbook(tmp_path / "vide.xlsx", {"Feuil1": [], "Feuil2": []})
    with pytest.raises(DataError, match="every sheet"):
        read_export(path)


def test_damaged_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="cannot open this workbook"):
        read_export(path)


def test_ms_forms_xlsx(tmp_path: Path) -> None:
    path = workbook(tmp_path / "forms.xlsx", {"Sheet1": [
        ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
         "Which topics were most useful?", "Comments"],
        [1, dt.datetime(2025, 2, 10, 9, 0, 5), dt.datetime(2025, 2, 10, 9, 6, 40), "anonymous", None, None,
         "Planning;Monitoring;", "Very useful"],
        [2, dt.datetime(2025, 2, 10, 9, 10), dt.datetime(2025, 2, 10, 9, 12), "anonymous", None, None,
         "Monitoring;", None],
    ]})
    table = read_export(path)
    assert table.platform == "ms_forms"
    assert table.header_rows == 1
    assert table.n_rows == 2
    assert table.source_rows == [2, 3]
    assert table.frame.loc[0, "Which topics were most useful?"] == "Planning;Monitoring;"
    assert table.frame.loc[0, "Start time"] == "2025-02-10 09:00:05"
    assert table.frame.loc[1, "ID"] == "2"
    assert table.column_types["Completion time"] == "date"
    assert "Name" not in table.frame.columns or table.column_types["Name"] == "empty"


def test_kobo_xlsx_and_surveymonkey_xlsx(tmp_path: Path) -> None:
    kobo = workbook(tmp_path / "kobo.xlsx", {"Formulaire": [
        ["start", "grp/pays", "grp/themes", "grp/themes/suivi", "_id", "_uuid", "_submission_time", "_index"],
        [dt.datetime(2025, 2, 10, 9), "SEN", "suivi", 1, 5, "u-1", dt.datetime(2025, 2, 10, 9, 5), 1],
    ]})
    table = read_export(kobo)
    assert table.platform == "kobo"
    assert table.frame.loc[0, "grp/themes/suivi"] == "1"

    sm = workbook(tmp_path / "sm.xlsx", {"Sheet": [
        ["Respondent ID", "Collector ID", "Rate the sessions", None],
        [None, None, "VC1", "VC2"],
        [101, 9, "Good", "Fair"],
    ]})
    table = read_export(sm)
    assert table.platform == "surveymonkey"
    assert table.header_rows == 2
    assert list(table.frame.columns) == ["Respondent ID", "Collector ID", "Rate the sessions/VC1", "Rate the sessions/VC2"]
    assert table.source_rows == [3]


def test_ods_with_blank_rows_above_header(tmp_path: Path) -> None:
    path = tmp_path / "roster.ods"
    frame = pd.DataFrame(
        [[None, None], [None, None], ["Nom", "Pays"], ["Awa", "Sénégal"], [None, None], ["Idriss", "Tchad"]]
    )
    frame.to_excel(path, engine="odf", header=False, index=False)
    table = read_export(path)
    assert table.platform == "spreadsheet"
    assert list(table.frame.columns) == ["Nom", "Pays"]
    assert table.n_rows == 2
    assert table.frame.loc[0, "Pays"] == "Sénégal"
    assert table.header_line == 3
    assert table.source_rows == [4, 6]


def test_stata_value_labels(tmp_path: Path) -> None:
    path = tmp_path / "survey.dta"
    frame = pd.DataFrame({
        "country": ["SEN", "TCD", "BFA"],
        "q1": [1.0, 2.0, None],
        "score": [3.5, 4.0, 2.0],
    })
    pyreadstat.write_dta(
        frame, str(path),
        column_labels=["Pays", "Objectifs clairs", "Score"],
        variable_value_labels={"q1": {1: "Pas du tout d'accord", 2: "Tout à fait d'accord"}},
    )
    table = read_export(path)
    assert table.platform == "stata"
    assert table.header_rows == 0
    assert list(table.frame.columns) == ["country", "q1", "score"]
    assert table.frame.loc[0, "q1"] == "Pas du tout d'accord"
    assert table.frame.loc[1, "q1"] == "Tout à fait d'accord"
    assert table.frame.loc[2, "q1"] is pd.NA
    assert table.frame.loc[0, "score"] == "3.5"
    assert table.frame.loc[1, "score"] == "4"
    assert table.value_labels == {"q1": {"1": "Pas du tout d'accord", "2": "Tout à fait d'accord"}}
    assert table.column_labels["q1"] == "Objectifs clairs"
    assert table.column_types["q1"] == "choice"
    assert table.source_rows == [1, 2, 3]
    info = inspect_file(path)
    assert (info["platform"], info["encoding"], info["delimiter"], info["n_rows"]) == ("stata", None, None, 3)


def test_spss_value_labels(tmp_path: Path) -> None:
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame({"gender": [1.0, 2.0, 1.0], "comment": ["Très bien", "", "RAS"]})
    pyreadstat.write_sav(
        frame, str(path),
        variable_value_labels={"gender": {1.0: "Femme", 2.0: "Homme"}},
    )
    table = read_export(path)
    assert table.platform == "spss"
    assert table.frame["gender"].tolist() == ["Femme", "Homme", "Femme"]
    assert table.frame.loc[0, "comment"] == "Très bien"
    assert table.frame.loc[1, "comment"] is pd.NA
    assert table.value_labels["gender"] == {"1": "Femme", "2": "Homme"}


def test_platform_stata_on_a_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(DataError, match="not a .dta/.sav"):
        read_export(path, platform="stata")
