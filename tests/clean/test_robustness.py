"""Robustness of the cleaning step on awkward identities and leftovers: junk e-mails,
unknown countries, one scrubber per round, stale temporary folders, CSV formula guard.

"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.clean import pipeline, scrub
from exchange_eval.clean.dates import parse_texts
from exchange_eval.clean.keys import load_key
from exchange_eval.clean.pipeline import clean_round, validate_round
from exchange_eval.clean.protect import pseudonym
from exchange_eval.clean.template import write_template
from exchange_eval.core.atomic import write_csv_atomic
from exchange_eval.core.errors import Problem
from exchange_eval.core.paths import Workspace
from support import tree_digests

# ---------------------------------------------------------------------- helpers
MANIFEST = """\
round: {round_id}
title: Robustness round
community: jsr-exchange
language: fr
host: SEN
countries: [SEN, BFA]
year: 2025
sessions:
  - {{id: vc1, kind: virtual, date: 2025-02-10, title: Visioconférence 1}}
sources:
  - {{file: roster.csv, instrument: roster}}
  - {{file: pre.csv, instrument: outcomes, wave: pre}}
"""
ROSTER = """\
Nom complet,Adresse e-mail,Pays,Fonction,Téléphone
Awa Diop,awa.diop@example.org,Sénégal,Décideur,+221 77 123 45 67
Jean Ouedraogo,jean.o@example.org,Burkina Faso,Cadre technique,+226 70 11 22 33
Marie Koné,,Sénégal,Décideur,+221 76 555 44 33
"""
PRE_HEADER = (
    "start,end,Adresse e-mail,Nom complet,Pays,"
    "Ma connaissance des fonctions essentielles d'une RSC efficace,Commentaires sur la session\n"
)
PRE_ROWS = """\
2025-02-01T10:00:00,2025-02-01T10:12:00,awa.diop@example.org,Awa Diop,Sénégal,Faible,Merci Jean Ouedraogo
2025-02-01T11:00:00,2025-02-01T11:05:00,jean.o@example.org,Jean Ouedraogo,Burkina Faso,-99,RAS
"""


def small_round(data_dir: Path, round_id: str = "r1", *, pre_rows: str = PRE_ROWS,
                roster: str = ROSTER, manifest: str = MANIFEST) -> Workspace:
    """A raw round folder (roster + one pre survey in CSV); returns its Workspace."""
    folder = data_dir / "raw" / round_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "round.yaml").write_text(manifest.format(round_id=round_id), encoding="utf-8")
    (folder / "roster.csv").write_text(roster, encoding="utf-8")
    (folder / "pre.csv").write_text(PRE_HEADER + pre_rows, encoding="utf-8")
    return Workspace.from_options(data_dir, data_dir.parent / "reports")


def located(problems: list[Problem], text: str) -> list[Problem]:
    return [p for p in problems if text in p.message]


# ---------------------------------------------------------------------- identities
@pytest.mark.parametrize("junk", ["n/a", "-", "pas d'e-mail", "awa.diop@"])
def test_junk_email_with_a_name_falls_back_to_name_and_country(tmp_path, junk):
    rows = PRE_ROWS.replace("awa.diop@example.org,Awa Diop", f"{junk},Awa Diop")
    ws = small_round(tmp_path / "data", pre_rows=rows)
    result = clean_round(ws, "r1")
    key = load_key(ws.data_dir)
    awa = pseudonym(key=key, name="Awa Diop", country="SEN")
    pre = result.tables["responses"]
    assert awa in set(pre["pid"])
    # the roster knows Awa by e-mail: the survey row is a separate person (name pid), not a crash
    assert set(result.tables["participants"]["pid"]) >= {awa, pseudonym(key=key, email="jean.o@example.org")}
    assert not [p for p in result.problems if p.severity == "error"]


def test_junk_email_without_a_name_is_an_anonymous_row_with_a_located_warning(tmp_path):
    header = PRE_HEADER.replace("Nom complet,", "")
    rows = "2025-02-01T10:00:00,2025-02-01T10:12:00,-,Sénégal,Faible,RAS\n"
    ws = small_round(tmp_path / "data")
    (ws.raw_round("r1") / "pre.csv").write_text(header + rows, encoding="utf-8")
    problems = validate_round(ws, "r1")
    assert not [p for p in problems if p.severity == "error"], problems
    found = located(problems, "cannot be identified")
    assert len(found) == 1
    assert (found[0].file, found[0].row, found[0].column) == ("pre.csv", 2, "Adresse e-mail")
    assert found[0].severity == "warning"
    result = clean_round(ws, "r1")
    assert len(result.tables["responses"]) > 0  # answers kept, under an anonymous pid


@pytest.mark.parametrize("country", ["XYZ", "Atlantide"])
def test_unrecognised_country_is_a_located_problem_not_a_crash(tmp_path, country):
    rows = PRE_ROWS.replace("Awa Diop,Sénégal", f"Awa Diop,{country}")
    ws = small_round(tmp_path / "data", pre_rows=rows)
    problems = validate_round(ws, "r1")
    found = located(problems, "is not recognised")
    assert [(p.file, p.row, p.column) for p in found] == [("pre.csv", 2, "Pays")]
    assert country in found[0].message
    assert not [p for p in problems if not p.file]  # nothing unlocated (no crash caught late)
    result = clean_round(ws, "r1")  # a warning: the round still cleans, by e-mail
    key = load_key(ws.data_dir)
    assert pseudonym(key=key, email="awa.diop@example.org") in set(result.tables["responses"]["pid"])


def test_unrecognised_iso3_in_a_structured_sheet_is_a_located_error(tmp_path):
    manifest = MANIFEST + "  - {{file: quality.csv, instrument: jsr_quality}}\n"
    ws = small_round(tmp_path / "data", manifest=manifest)
    (ws.raw_round("r1") / "quality.csv").write_text(
        "country,year,inclusive,aligned,evidence,monitoring,policy_cycle\n"
        "SEN,2024,1,1,0,0,1\nXYZ,2024,1,0,0,0,1\n", encoding="utf-8")
    problems = validate_round(ws, "r1")
    errors = [p for p in problems if p.severity == "error" and p.file == "quality.csv"]
    assert [(p.row, p.column) for p in errors] == [(3, "country")]
    assert "'XYZ' is not recognised" in errors[0].message


# ---------------------------------------------------------------------- scrubbing
def test_one_scrubber_per_round_and_free_text_scrubbed(tmp_path, monkeypatch):
    built: list[tuple[str, ...]] = []
    real = scrub.Scrubber

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, names=()):
            names = tuple(names)
            built.append(names)
            super().__init__(names)

    def no_scrub_text(*args, **kwargs):
        raise AssertionError("scrub_text called per text: build one Scrubber per round")

    monkeypatch.setattr(pipeline, "Scrubber", Counting)
    monkeypatch.setattr(scrub, "scrub_text", no_scrub_text)
    ws = small_round(tmp_path / "data")
    result = clean_round(ws, "r1")
    assert len(built) == 1
    assert set(built[0]) == {"Awa Diop", "Jean Ouedraogo", "Marie Koné"}
    texts = set(result.tables["responses"]["text"].dropna())
    assert texts == {"Merci [name]", "RAS"}


# ---------------------------------------------------------------------- leftovers
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_clean_removes_leftovers_of_a_killed_clean(tmp_path):
    ws = small_round(tmp_path / "data")
    clean_round(ws, "r1")
    processed = ws.processed_dir
    dead = _dead_pid()
    stale_tmp = processed / f".r1.tmp-{dead}-0badcafe"
    stale_old = processed / f".r1.old-{dead}-deadbeef"
    for folder in (stale_tmp, stale_old):
        folder.mkdir()
        (folder / "responses.parquet").write_bytes(b"half written")
    live = processed / f".r2.tmp-{os.getpid()}-00c0ffee"  # a writer still running: kept
    live.mkdir()
    clean_round(ws, "r1")
    assert not stale_tmp.exists() and not stale_old.exists()
    assert live.exists()
    assert sorted(p.name for p in processed.iterdir()) == [live.name, "r1"]


# ---------------------------------------------------------------------- CSV guard
def test_cleaning_log_keeps_plain_numbers_and_guards_formulas(tmp_path):
    ws = small_round(tmp_path / "data")
    clean_round(ws, "r1")
    log = pd.read_csv(ws.processed_round("r1") / "cleaning_log.csv", dtype=str, encoding="utf-8-sig")
    missing = log[log["action"] == "missing_code"]
    assert list(missing["old"]) == ["-99"]
    assert list(missing["row"]) == ["3"]

    frame = pd.DataFrame({"old": ["-99", "-1,5", "+0.5", "=SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@x", "-"],
                          "n": [-99, 1, 2, 3, 4, 5, 6]})
    path = write_csv_atomic(tmp_path / "log.csv", frame)
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert list(back["old"]) == ["-99", "-1,5", "+0.5", "'=SUM(A1)", "'-2+3+cmd|' /C calc'!A0", "'@x", "'-"]
    assert list(back["n"]) == ["-99", "1", "2", "3", "4", "5", "6"]


# ---------------------------------------------------------------------- raw is read-only
def test_raw_files_are_never_modified(tmp_path):
    from exchange_eval.core.errors import UsageError

    ws = small_round(tmp_path / "data")
    folder = ws.raw_round("r1")
    before = tree_digests(folder)
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    validate_round(ws, "r1")
    clean_round(ws, "r1")
    assert tree_digests(folder) == before
    assert write_template(ws, "r1").parent == ws.data_dir / "templates" / "r1"  # default: outside raw
    assert tree_digests(folder) == before
    template = write_template(ws, "r1", output=folder / "codebook.xlsx")  # in raw only when asked
    assert template == folder / "codebook.xlsx"
    after = tree_digests(folder)
    assert {k: v for k, v in after.items() if k != "codebook.xlsx"} == before
    with pytest.raises(UsageError, match="exists already"):
        write_template(ws, "r1", output=folder / "codebook.xlsx")  # never overwritten
    assert tree_digests(folder) == after
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name in mtimes} == mtimes
    assert sorted(p.name for p in folder.iterdir()) == sorted([*mtimes, "codebook.xlsx"])


def test_a_date_cell_read_as_year_one_is_missing_not_a_crash():
    parsed = parse_texts(["1;2", "12/03/2025"], False)
    assert str(parsed[0]) == "NaT"
    assert str(parsed[1]).startswith("2025-03-12")
