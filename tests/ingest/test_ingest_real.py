"""Exports nobody here wrote, read with the right header rows and row counts.

Fixtures (fictional people) in ``tests/fixtures/ingest/``: a Qualtrics legacy export
(``V1``…``V10`` names, question text in row 2, a comma ending every line), a Qualtrics
2016 "Insights" export (a third row of ImportId dicts in single quotes), an ODK Central
2019 export (group paths joined with ``-``) and one of its repeat files, a LimeSurvey
full-text export where two questions share a header; SPSS files are written here with
pyreadstat (user-missing values, variable labels).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.clean.codebook_files import load_codebook
from exchange_eval.clean.pipeline import check_round, clean_round
from exchange_eval.core.config import Environment
from exchange_eval.core.paths import Workspace
from exchange_eval.ingest import read_export

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


def test_qualtrics_legacy_export():
    table = read_export(FIXTURES / "qualtrics_legacy.csv")
    assert (table.platform, table.header_rows, table.n_rows) == ("qualtrics", 2, 3)
    assert table.source_rows == [3, 4, 5]
    assert table.names[:3] == ["V1", "V2", "V3"]
    # the V-columns are named by their text row; the trailing comma's empty column is gone
    assert list(table.frame.columns) == [
        "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
        "StartDate", "EndDate", "Finished", "Country", "How useful was each session?/VC1",
        "How useful was each session?/VC2", "Comments on the session"]
    assert table.frame.loc[0, "Name"] == "Mensah, Kofi"
    codebook = load_codebook(None)
    roles = {c: (codebook.match(c) or None) for c in table.frame.columns}
    assert roles["Name"].role == "name" and roles["EmailAddress"].role == "email"
    assert roles["IPAddress"].role == "ip" and roles["ExternalDataReference"].role == "recipient"
    assert roles["EndDate"].role == "ended_at" and roles["ResponseSet"].role == "ignore"


def test_qualtrics_2016_insights_export():
    table = read_export(FIXTURES / "qualtrics_insights_2016.csv")
    assert (table.platform, table.header_rows, table.n_rows) == ("qualtrics", 3, 2)
    assert table.source_rows == [4, 5]
    assert "The session objectives were clear" in table.frame.columns
    assert table.frame["Country"].tolist() == ["Kenya", "Uganda"]


def test_odk_central_2019_export_and_its_repeat_file():
    table = read_export(FIXTURES / "odk_central_2019.csv")
    assert (table.platform, table.header_rows, table.n_rows) == ("odk", 1, 3)
    assert "identification/country" in table.frame.columns and "session/rating" in table.frame.columns
    assert table.original_columns[3] == "identification-country"
    repeat = read_export(FIXTURES / "odk_central_2019-actions.csv")
    assert (repeat.platform, repeat.n_rows) == ("odk", 4)
    assert list(repeat.frame.columns) == ["actions/action_text", "actions/action_status", "PARENT_KEY", "KEY"]
    assert any("repeat file" in w and "4 repeat entries" in w for w in repeat.warnings)


def test_limesurvey_questions_sharing_a_header_are_both_kept():
    table = read_export(FIXTURES / "limesurvey_fulltext_duplicates.csv")
    assert (table.platform, table.n_rows) == ("limesurvey", 3)
    assert "Précisez" in table.frame.columns and "Précisez (2)" in table.frame.columns
    assert table.frame["Précisez (2)"].tolist()[:2] == ["Réunion de cabinet du 12 octobre", "Pas encore de réunion prévue"]
    assert any("repeats the header 'Précisez'" in w for w in table.warnings)


def _spss(path: Path, rows: list[list], labels: dict[str, str], missing: dict[str, list]) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame(rows, columns=list(labels))
    agree = {1.0: "Pas du tout d'accord", 2.0: "Pas d'accord", 3.0: "Ni d'accord ni pas d'accord", 4.0: "D'accord",
             5.0: "Tout à fait d'accord", 9.0: "Refus"}
    pyreadstat.write_sav(frame, str(path), column_labels=list(labels.values()),
                         variable_value_labels={c: agree for c in labels if c.startswith("q")},
                         missing_ranges=missing)


def test_spss_case_with_every_value_user_missing_is_kept(tmp_path):
    path = tmp_path / "evaluation.sav"
    labels = {"q1": "Les objectifs de la session étaient clairs", "q2": "La session était bien organisée"}
    _spss(path, [[4, 5], [9, 9], [3, 4]], labels, {"q1": [9], "q2": [9]})
    table = read_export(path)
    assert table.n_rows == 3 and table.source_rows == [1, 2, 3]
    assert table.frame.iloc[1].isna().all()
    assert table.column_labels == labels
    assert any("1 case(s) have no value" in w for w in table.warnings)


def test_spss_variable_labels_are_the_question_text(tmp_path):
    folder = tmp_path / "data" / "raw" / "svy"
    folder.mkdir(parents=True)
    labels = {"q1": "Les objectifs de la session étaient clairs", "q2": "La session était bien organisée",
              "q3": "Qualité de l'interprétation"}
    _spss(folder / "evaluation.sav", [[4, 5, 3], [9, 9, 9], [3, 4, 2], [5, 5, 4]], labels,
          {"q1": [9], "q2": [9], "q3": [9]})
    (folder / "round.yaml").write_text(
        "round: svy\ntitle: SPSS\ncommunity: jsr-exchange\nlanguage: fr\ncountries: [SEN]\n"
        "sessions: [{id: vc1, kind: virtual}]\n"
        "sources:\n  - {file: evaluation.sav, instrument: session_feedback, session: vc1}\n", encoding="utf-8")
    ws = Workspace.from_options(tmp_path / "data", tmp_path / "reports",
                                environment=Environment(key="spss-test-key-0123456789abcdef0123"))
    found = check_round(ws, "svy")
    (coverage,) = found.coverage
    # q1 and q2 by their labels (standard statements); q3 is unmatched and named
    assert coverage.counts == {"questions": 2, "unmatched": 1}
    assert [p.column for p in found.problems if p.code == "unmapped_column"] == ["q3"]
    result = clean_round(ws, "svy")
    responses = result.tables["responses"]
    assert set(responses["item_id"]) == {"sf_objectives", "sf_organisation"}
    # the case that refused every question is a respondent with missing answers
    assert responses["pid"].nunique() == 4
    assert responses.groupby("item_id")["value"].apply(lambda v: v.fillna(-1).tolist()).to_dict() == {
        "sf_objectives": [4.0, -1, 3.0, 5.0], "sf_organisation": [5.0, -1, 4.0, 5.0]}
    items = result.tables["items"].set_index("item_id")
    assert items.loc["sf_objectives", "label_fr"] == "Les objectifs de la session étaient clairs"
