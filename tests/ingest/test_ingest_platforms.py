"""Each platform's documented export layout, from hand-written fixtures in fixtures/ingest/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.ingest import read_export
from exchange_eval.ingest.inspect import INSPECT_KEYS, inspect_file
from support import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "ingest"


def test_kobo_french_labels_semicolon_quoted() -> None:
    table = read_export(FIXTURES / "kobo_fr_labels.csv")
    assert table.platform == "kobo"
    assert table.encoding == "utf-8"
    assert table.delimiter == ";"
    assert table.header_rows == 1
    assert list(table.frame.columns[:10]) == [
        "start", "end", "Identification/Pays", "Identification/Fonction", "Thèmes utiles",
        "Thèmes utiles/planification", "Thèmes utiles/suivi", "Thèmes utiles/autre",
        "Précisez l'autre thème", "Commentaires",
    ]
    # curly apostrophe normalised in the header only; the exported header is kept
    assert table.original_columns[8] == "Précisez l’autre thème"
    assert table.n_rows == 3
    # the second record holds a two-line answer, so the third starts on line 5
    assert table.source_rows == [2, 3, 5]
    frame = table.frame
    assert frame.loc[0, "Identification/Pays"] == "Sénégal"
    assert frame.loc[1, "Identification/Pays"] == "Côte d’Ivoire"  # answers keep their apostrophe
    assert frame.loc[1, "Commentaires"] == "L’échange a été riche.\nÀ refaire l’an prochain"
    # select_multiple: codes in the main column, 0/1 per option, "other" text
    assert frame.loc[1, "Thèmes utiles"] == "suivi autre"
    assert frame.loc[1, "Thèmes utiles/autre"] == "1"
    assert frame.loc[1, "Précisez l'autre thème"] == "Financement de l’éducation"
    assert frame.loc[0, "Précisez l'autre thème"] is pd.NA
    # unanswered select_multiple: option columns blank, not 0
    assert frame.loc[2, "Thèmes utiles/planification"] is pd.NA
    assert frame.loc[2, "_id"] == "103"
    assert table.column_types["Thèmes utiles/suivi"] == "integer"
    assert table.column_types["_submission_time"] == "date"
    assert table.column_types["_tags"] == "empty"


def test_odk_central_dashes_become_slashes() -> None:
    table = read_export(FIXTURES / "odk_submissions.csv")
    assert (table.platform, table.encoding, table.delimiter, table.header_rows) == ("odk", "utf-8", ",", 1)
    assert list(table.frame.columns[:10]) == [
        "SubmissionDate", "start", "end", "identification/country", "identification/role",
        "topics", "topics/planning", "topics/monitoring", "rating", "meta/instanceID",
    ]
    assert table.original_columns[3] == "identification-country"
    assert table.n_rows == 2
    assert table.source_rows == [2, 3]
    assert table.frame.loc[0, "topics"] == "planning monitoring"
    assert table.frame.loc[1, "topics/planning"] == "0"
    assert table.frame.loc[0, "ReviewState"] == "approved"
    assert table.frame.loc[1, "ReviewState"] is pd.NA
    assert table.column_types["SubmissionDate"] == "date"
    assert table.column_types["rating"] == "integer"


def test_surveymonkey_two_header_rows_forward_filled() -> None:
    table = read_export(FIXTURES / "surveymonkey_expanded.csv")
    assert (table.platform, table.delimiter, table.header_rows) == ("surveymonkey", ",", 2)
    assert list(table.frame.columns[9:]) == [
        "Country",
        "Which topics were most useful?/Planning",
        "Which topics were most useful?/Monitoring",
        "Which topics were most useful?/Other (please specify)",
        "How satisfied were you with each session?/VC1",
        "How satisfied were you with each session?/VC2",
        "What did you learn?",
    ]
    assert table.frame.columns[0] == "Respondent ID"
    assert table.original_columns[11] == " | Monitoring"
    assert table.n_rows == 2
    assert table.source_rows == [3, 4]
    assert table.frame.loc[0, "What did you learn?"] == "How other countries, like Benin, run their JSR"
    assert table.frame.loc[1, "Which topics were most useful?/Other (please specify)"] == "Financing"
    assert table.frame.loc[1, "How satisfied were you with each session?/VC2"] == "Neutral"
    assert table.column_types["Start Date"] == "date"
    assert table.column_types["Respondent ID"] == "integer"


def test_surveymonkey_repeated_question_is_numbered(tmp_path: Path) -> None:
    path = tmp_path / "sm.csv"
    path.write_text(
        "Respondent ID,Collector ID,Comments,Comments\n,,Open-Ended Response,Open-Ended Response\n1,2,a,b\n",
        encoding="utf-8",
    )
    table = read_export(path)
    assert list(table.frame.columns) == ["Respondent ID", "Collector ID", "Comments", "Comments (2)"]
    assert table.frame.loc[0, "Comments (2)"] == "b"


@pytest.mark.parametrize(
    ("name", "grid_columns", "checkbox_column", "checkbox", "accented"),
    [
        ("google_forms_en.csv", ["Rate each session/VC1", "Rate each session/VC2"],
         "Which topics were most useful?", "Planning, Monitoring", ("Country", 0, "Senegal")),
        ("google_forms_fr.csv", ["Évaluez chaque session/VC1", "Évaluez chaque session/VC2"],
         "Quels thèmes ont été les plus utiles ?", "Planification, Suivi", ("Pays", 0, "Sénégal")),
    ],
)
def test_google_forms_locales(name, grid_columns, checkbox_column, checkbox, accented) -> None:
    table = read_export(FIXTURES / name)
    assert (table.platform, table.encoding, table.delimiter, table.header_rows) == ("google_forms", "utf-8", ",", 1)
    assert list(table.frame.columns[4:6]) == grid_columns
    assert table.original_columns[4].endswith("[VC1]")
    assert table.n_rows == 2
    assert table.source_rows == [2, 3]
    assert table.frame.loc[0, checkbox_column] == checkbox
    column, row, value = accented
    assert table.frame.loc[row, column] == value
    assert table.column_types[table.frame.columns[0]] == "date"


def test_google_forms_french_answer_with_semicolon_stays_whole() -> None:
    table = read_export(FIXTURES / "google_forms_fr.csv")
    assert table.frame.loc[0, "Commentaires sur la session"] == "Très enrichissant ; merci"
    assert table.frame.loc[1, "Commentaires sur la session"] is pd.NA


def test_qualtrics_three_header_rows() -> None:
    table = read_export(FIXTURES / "qualtrics_three_headers.csv")
    assert (table.platform, table.delimiter, table.header_rows) == ("qualtrics", ",", 3)
    assert list(table.frame.columns[:3]) == ["StartDate", "EndDate", "Status"]
    assert list(table.frame.columns[17:]) == [
        "Country",
        "How useful was each session?/VC1",
        "How useful was each session?/VC2",
        "Your role",
        "Your role/Other - Text",
    ]
    assert table.names[17:] == ["Q1", "Q2_1", "Q2_2", "Q3", "Q3_4_TEXT"]
    assert table.original_columns[18] == "How useful was each session? - VC1"
    assert table.n_rows == 2
    assert table.source_rows == [4, 5]
    assert table.frame.loc[0, "Country"] == "Sénégal"
    assert table.frame.loc[0, "Duration (in seconds)"] == "500"
    assert table.frame.loc[1, "How useful was each session?/VC2"] is pd.NA
    assert table.frame.loc[1, "Your role/Other - Text"] == "Planning officer"
    assert table.column_types["How useful was each session?/VC1"] == "integer"
    assert table.column_types["LocationLatitude"] == "number"


def test_limesurvey_bom_crlf_quoted_null_and_multiline() -> None:
    path = FIXTURES / "limesurvey_codes.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_export(path)
    assert (table.platform, table.encoding, table.delimiter, table.header_rows) == (
        "limesurvey", "utf-8-sig", ",", 1,
    )
    assert list(table.frame.columns) == [
        "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
        "G01Q01", "G01Q02/SQ001", "G01Q02/SQ002", "G01Q03",
    ]
    assert table.original_columns[8] == "G01Q02[SQ001]"
    assert table.n_rows == 2
    assert table.source_rows == [2, 4]
    frame = table.frame
    assert frame.loc[0, "G01Q03"] == "Première ligne\nDeuxième ligne"
    assert frame.loc[0, "G01Q02/SQ002"] is pd.NA  # unquoted empty (NULL)
    assert frame.loc[1, "G01Q02/SQ001"] is pd.NA  # quoted empty string
    assert frame.loc[1, "submitdate"] is pd.NA
    assert frame.loc[1, "G01Q01"] == "A2"


def test_excel_french_csv_cp1252_with_title_rows() -> None:
    table = read_export(FIXTURES / "excel_fr_roster.csv")
    assert (table.platform, table.encoding, table.delimiter, table.header_rows) == ("spreadsheet", "cp1252", ";", 1)
    assert table.header_line == 3
    assert list(table.frame.columns) == ["Nom", "Pays", "Fonction", "Date d'inscription", "Indemnité"]
    assert table.n_rows == 2
    assert table.source_rows == [4, 5]
    assert table.frame.loc[1, "Nom"] == "Jean-Étienne Koné"
    assert table.frame.loc[0, "Indemnité"] == "1 250,50"  # non-breaking space → space
    assert table.frame.loc[1, "Pays"] == "Côte d’Ivoire"
    assert table.column_types["Indemnité"] == "number"
    assert table.column_types["Date d'inscription"] == "date"
    assert any("1, 2" in w for w in table.warnings)


def test_manifest_platform_overrides_sniffing() -> None:
    table = read_export(FIXTURES / "odk_submissions.csv", platform="spreadsheet")
    assert table.platform == "spreadsheet"
    assert "identification-country" in table.frame.columns


def test_inspect_file_keys_and_values() -> None:
    info = inspect_file(FIXTURES / "surveymonkey_expanded.csv")
    assert tuple(info) == INSPECT_KEYS
    assert set(info) == {"platform", "encoding", "delimiter", "header_rows", "n_rows", "n_columns", "columns"}
    assert info["platform"] == "surveymonkey"
    assert info["encoding"] == "utf-8"
    assert info["delimiter"] == ","
    assert info["header_rows"] == 2
    assert info["n_rows"] == 2
    assert info["n_columns"] == 16
    assert info["columns"][0] == {"name": "Respondent ID", "type": "integer"}
    assert info["columns"][6] == {"name": "First Name", "type": "empty"}
    assert all(set(c) == {"name", "type"} for c in info["columns"])
    assert {c["type"] for c in info["columns"]} <= {"text", "integer", "number", "date", "choice", "empty"}
