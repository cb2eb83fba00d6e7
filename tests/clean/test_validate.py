"""validate_round collects every problem at once, each with its reason code; clean.validate
turns pandera failures into Problems."""

from __future__ import annotations

import pandas as pd
import pytest

from exchange_eval.clean.pipeline import validate_round
from exchange_eval.clean.validate import check_table, schema_for
from exchange_eval.core.tables import TABLES
from support import FEEDBACK, POST, PRE, ROSTER, SOURCES, write_round  # noqa: F401

PLANS_WITHOUT_DIMENSION = """\
country,action_id,description,owner_role,due,status_followup-1
Sénégal,SEN-01,Partager les documents deux semaines avant,Décideur,30/09/2025,Réalisé
"""
QUALITY = """\
country,year,inclusive,aligned,evidence,monitoring,policy_cycle
SEN,2024,1,0,1,1,0
Atlantis,2024,1,1,1,1,1
MLI,2024,1,maybe,0,0,1
"""


@pytest.fixture
def messy(tmp_path):
    pre = PRE.replace("Moyen,Moyen", "Moyen,Bof").replace(
        "Ma capacité à rédiger un plan d'amélioration de la RSC\n",
        "Ma capacité à rédiger un plan d'amélioration de la RSC,Couleur préférée\n")
    pre = "\n".join(line + (",bleu" if i else "") for i, line in enumerate(pre.strip().splitlines())) + "\n"
    feedback = FEEDBACK.replace("Agree,", "Sort of,", 1)
    sources = SOURCES + ("  - {file: plans.csv, instrument: plan_actions}\n"
                         "  - {file: quality.csv, instrument: jsr_quality}\n")
    files = {"roster.csv": ROSTER, "pre.csv": pre, "post.csv": POST, "feedback.csv": feedback,
             "plans.csv": PLANS_WITHOUT_DIMENSION, "quality.csv": QUALITY}
    return write_round(tmp_path / "data", files=files, sources=sources)


def test_validate_collects_every_problem(messy):
    problems = validate_round(messy, "r1")
    where = {(p.file, p.row, p.column, p.severity) for p in problems}
    # unknown answers (errors), located by file:row:column
    assert ("pre.csv", 6, "Ma capacité à rédiger un plan d'amélioration de la RSC", "error") in where
    assert ("feedback.csv", 2, "The session objectives were clear", "error") in where
    # an unmapped column (warning) and a duplicate respondent (warning naming the rows)
    assert ("pre.csv", None, "Couleur préférée", "warning") in where
    duplicate = [p for p in problems if "duplicate submissions" in p.message]
    assert len(duplicate) == 1 and "pre.csv:3" in duplicate[0].message and "pre.csv:5" in duplicate[0].message
    # a structured sheet without a required column (error naming it)
    missing = [p for p in problems if p.file == "plans.csv"]
    assert [(p.column, p.severity) for p in missing] == [("dimension", "error")]
    assert "required column 'dimension'" in missing[0].message
    # RF18 sheet: an unknown country and a flag that is not 0/1
    assert ("quality.csv", 3, "country", "error") in where
    assert ("quality.csv", 4, "aligned", "error") in where
    assert sum(p.severity == "error" for p in problems) >= 5
    assert not messy.processed_round("r1").exists()  # validate never writes


def test_every_problem_carries_its_reason_code(messy):
    problems = validate_round(messy, "r1")
    code = {(p.file, p.row, p.column): p.code for p in problems}
    assert code["pre.csv", 6, "Ma capacité à rédiger un plan d'amélioration de la RSC"] == "unknown_choice"
    assert code["feedback.csv", 2, "The session objectives were clear"] == "unknown_choice"
    assert code["pre.csv", None, "Couleur préférée"] == "unmapped_column"
    assert code["plans.csv", 1, "dimension"] == "missing_column"
    assert code["quality.csv", 3, "country"] == "unknown_country"
    assert code["quality.csv", 4, "aligned"] == "bad_value"
    assert [p.code for p in problems if "duplicate submissions" in p.message] == ["duplicate_respondent"]
    assert {p.code for p in problems if p.file == "jsr_quality"} == {"schema"}
    assert [p for p in problems if p.code == "other"] == []


def test_schema_failures_become_problems_located_in_the_raw_export(messy):
    problems = validate_round(messy, "r1")
    # the unknown country of the RF18 sheet also leaves a missing required country
    schema = [p for p in problems if p.file == "jsr_quality"]
    assert any(p.column == "country" and "missing value" in p.message for p in schema)


def test_validate_reports_manifest_problems_without_raising(tmp_path):
    ws = write_round(tmp_path / "data")
    manifest = ws.raw_round("r1") / "round.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("instrument: roster", "instrument: rooster"),
                        encoding="utf-8")
    [problem] = validate_round(ws, "r1")
    assert problem.file.endswith("round.yaml") and problem.column == "instrument"
    assert "did you mean 'roster'" in problem.message


def _typed(rows: list[dict], table: str) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for column, dtype in TABLES[table].items():
        if column not in df.columns:
            df[column] = None
        df[column] = df[column].astype(dtype)
    return df[list(TABLES[table])]


def test_schema_checks_patterns_sets_ranges_and_uniqueness():
    base = {"round_id": "r1", "pid": "p_0123456789ab", "instrument": "outcomes", "wave": "pre",
            "item_id": "ok_functions", "value": 2.0, "source_file": "pre.csv", "source_row": 2}
    rows = [
        base,
        dict(base, source_row=3),  # same pid, instrument, wave, item: a duplicate
        dict(base, pid="Awa Diop", item_id="sk_plan", source_row=4),
        dict(base, instrument="survey", item_id="cs_leg", source_row=5),
        dict(base, wave="Post Survey", item_id="cn_peers", source_row=6),
    ]
    df = _typed(rows, "responses")
    problems = check_table(df, "responses", locate=df[["source_file", "source_row"]])
    found = {(p.file, p.row, p.column) for p in problems}
    assert ("pre.csv", 4, "pid") in found
    assert ("pre.csv", 5, "instrument") in found
    assert ("pre.csv", 6, "wave") in found
    assert {("pre.csv", 2), ("pre.csv", 3)} <= {(p.file, p.row) for p in problems if "duplicate" in p.message}
    assert all(p.message.startswith("responses: ") for p in problems)

    ties = _typed([{"round_id": "r1", "pid": "p_0123456789ab", "wave": "pulse-1", "alter_organisation": "Org",
                    "collaboration": 5.0, "trust_reliability": 0.0}], "ties")
    bad = {(p.column, p.row) for p in check_table(ties, "ties")}
    assert bad == {("collaboration", 1), ("trust_reliability", 1)}

    people = _typed([{"round_id": "r1", "pid": "p_0123456789ab", "country": "Senegal", "role": "boss",
                      "on_roster": True}], "participants")
    assert {p.column for p in check_table(people, "participants")} == {"country", "role"}
    assert check_table(people.drop(columns=["country"]).assign(country="SEN", role="technical"),
                       "participants") == []


def test_schema_for_every_table_accepts_an_empty_table():
    for table, columns in TABLES.items():
        empty = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in columns.items()})
        assert check_table(empty, table) == [], table
        assert set(schema_for(table).columns) == set(columns)
