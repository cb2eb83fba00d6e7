"""Bad inputs never crash the command line: every problem is a ``file:row:column: message``
line, ``validate`` and ``clean`` exit 1 (a usage error exits 2), no traceback is printed,
and a failed ``clean`` leaves the previous processed folder as it was.

Each case is a copy of the French demo round (``jsr-2025-fr``) under a new round id,
reduced to the sources the case needs, with one file broken. To keep the suite fast
every case lives in one data folder, and ``validate --all`` / ``clean --all`` run once
each as subprocesses; each test then reads its round's share of the output.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from exchange_eval.clean.pipeline import clean_round, validate_round
from exchange_eval.core.paths import Workspace
from support import run_cli, tree_digests

BASE = "jsr-2025-fr"


# ---------------------------------------------------------------------- building rounds
def copy_round(raw: Path, new_id: str, files: list[str], *, base: str = BASE,
               manifest_id: str | None = None) -> Path:
    """Copy ``base`` to ``raw/new_id`` keeping only the sources in ``files``."""
    source = raw / base
    folder = raw / new_id
    folder.mkdir(parents=True)
    manifest = yaml.safe_load((source / "round.yaml").read_text(encoding="utf-8"))
    manifest["round"] = manifest_id or new_id
    manifest["sources"] = [s for s in manifest["sources"] if s["file"] in files]
    assert len(manifest["sources"]) == len(files), files
    for name in files:
        shutil.copy2(source / name, folder / name)
    write_manifest(folder, manifest)
    return folder


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "round.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")


def read_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the French roster is written as Excel would: cp1252
        text = data.decode("cp1252")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ";") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def drop_column(path: Path, name: str) -> None:
    rows = read_rows(path)
    position = rows[0].index(name)
    write_rows(path, [r[:position] + r[position + 1:] for r in rows])


# ---------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Case:
    """A broken round: its files, how to break them, and the line ``validate`` must print."""

    round_id: str
    files: tuple[str, ...]
    breaker: Callable[[Path], None]
    file: str  # the file the problem line names
    message: str  # regular expression searched in that line
    row: int | None = None  # None: any row, or none ("-"); 0: some line number
    column: str | None = None
    code: str = "other"  # the problem's reason code (ProblemCode)


def _empty(folder: Path) -> None:
    (folder / "inscriptions.csv").write_bytes(b"")


def _header_only(folder: Path) -> None:
    path = folder / "kobo_pre.csv"
    path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")


def _truncated(folder: Path) -> None:
    path = folder / "kobo_pre.csv"
    data = path.read_bytes()
    lines = data.split(b"\n")
    # cut the fourth record inside its e-mail field: its quote is never closed
    cut = len(b"\n".join(lines[:3])) + 1 + lines[3].index(b"@")
    path.write_bytes(data[:cut])


def _utf16_no_bom_garbage(folder: Path) -> None:
    rng = random.Random(7)
    (folder / "kobo_pre.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))


def _binary_renamed(folder: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(folder / "inscriptions.csv")


def _duplicate_columns(folder: Path) -> None:
    path = folder / "inscriptions.csv"
    rows = read_rows(path)
    rows[0][rows[0].index("Sexe")] = "Pays"
    write_rows(path, rows)


def _plan_without_dimension(folder: Path) -> None:
    drop_column(folder / "plan_actions.csv", "dimension")


def _roster_without_identity(folder: Path) -> None:
    path = folder / "inscriptions.csv"
    for name in ("Nom", "Prénom", "Adresse e-mail"):
        drop_column(path, name)


def _unknown_code(folder: Path) -> None:
    path = folder / "kobo_pre.csv"
    rows = read_rows(path)
    column = next(i for i, name in enumerate(rows[0]) if name.startswith("Connaissances/Ma connaissance des f"))
    rows[3][column] = "Peut-être"
    write_rows(path, rows)


def _missing_sheet(folder: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Plans d'amélioration, version du 1er septembre"])
    plan = book.create_sheet("Plan")
    for row in read_rows(folder / "plan_actions.csv"):
        plan.append(row)
    book.save(folder / "plan_actions.xlsx")
    (folder / "plan_actions.csv").unlink()
    manifest = yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))
    manifest["sources"] = [{"file": "plan_actions.xlsx", "instrument": "plan_actions", "sheet": "Plans"}]
    write_manifest(folder, manifest)


def _missing_file(folder: Path) -> None:
    (folder / "kobo_pre.csv").unlink()


def _key_typo(folder: Path) -> None:
    path = folder / "round.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("instrument: outcomes", "instrumnet: outcomes"),
                    encoding="utf-8")


def _escaping_path(folder: Path) -> None:
    path = folder / "round.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("file: kobo_pre.csv", "file: ../../etc/passwd"),
                    encoding="utf-8")


def _noop(folder: Path) -> None:
    pass


CASES = [
    Case("empty-file", ("inscriptions.csv",), _empty, "inscriptions.csv", r"empty", code="empty_file"),
    Case("header-only", ("kobo_pre.csv",), _header_only, "kobo_pre.csv", r"no data rows", row=1,
         code="empty_file"),
    Case("truncated", ("kobo_pre.csv",), _truncated, "kobo_pre.csv", r"ends inside a quoted answer", row=4,
         code="malformed_row"),
    Case("random-bytes", ("kobo_pre.csv",), _utf16_no_bom_garbage, "kobo_pre.csv", r"binary file|encoding",
         code="wrong_format"),
    Case("xlsx-renamed-csv", ("inscriptions.csv",), _binary_renamed, "inscriptions.csv", r"zip archive",
         code="wrong_format"),
    Case("duplicate-columns", ("inscriptions.csv",), _duplicate_columns, "inscriptions.csv",
         r"two columns have the same header 'Pays'", row=1, column="Pays", code="duplicate_column"),
    Case("plan-no-dimension", ("plan_actions.csv",), _plan_without_dimension, "plan_actions.csv",
         r"required column 'dimension' is missing", row=1, column="dimension", code="missing_column"),
    Case("roster-no-identity", ("inscriptions.csv",), _roster_without_identity, "inscriptions.csv",
         r"no e-mail or name column", code="missing_column"),
    Case("unknown-code", ("kobo_pre.csv",), _unknown_code, "kobo_pre.csv", r"unknown answer 'Peut-être'.*allowed",
         row=4, column="Connaissances/Ma connaissance des fonctions essentielles d'une RSC efficace",
         code="unknown_choice"),
    Case("missing-sheet", ("plan_actions.csv",), _missing_sheet, "plan_actions.xlsx",
         r"no sheet 'Plans'.*'Notes', 'Plan'", code="missing_sheet"),
    Case("missing-file", ("kobo_pre.csv",), _missing_file, "round.yaml", r"'kobo_pre.csv' does not exist",
         column="file", code="manifest"),
    Case("key-typo", ("kobo_pre.csv",), _key_typo, "round.yaml", r"unknown key 'instrumnet'.*did you mean 'instrument'",
         column="instrumnet", code="manifest"),
    Case("escaping-path", ("kobo_pre.csv",), _escaping_path, "round.yaml", r"outside the round folder",
         row=0, column="file", code="manifest"),
    # two folders say `round: same-id`: the one whose folder name differs is the error
    Case("same-id-b", ("kobo_pre.csv",), _noop, "round.yaml", r"does not match its folder name 'same-id-b'",
         column="round", code="manifest"),
]
LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+|-):(?P<column>.+?): (?P<message>.*)$")


@dataclass
class Outputs:
    ws: Workspace
    validate: dict[str, list[str]]
    clean: dict[str, list[str]]
    validate_code: int
    clean_code: int
    stderr: str
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]


def _split(stderr: str, end: str) -> dict[str, list[str]]:
    """The stderr lines of each round, cut at the ``<round>: <end>`` line that closes it."""
    sections: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in stderr.splitlines():
        match = re.match(rf"^([a-z0-9][a-z0-9_-]*): {end}", line)
        if match:
            sections[match.group(1)] = pending
            pending = []
        else:
            pending.append(line)
    return sections


@pytest.fixture(scope="module")
def bad(tmp_path_factory, demo_raw) -> Outputs:
    root = tmp_path_factory.mktemp("bad")
    demo = demo_raw.parent
    data = root / "data"
    raw = data / "raw"
    shutil.copytree(demo / "raw" / BASE, raw / BASE)
    ws = Workspace.from_options(data, root / "reports")
    good = ws.processed_round(BASE)
    clean_round(ws, BASE)
    shutil.rmtree(raw / BASE)
    for case in CASES:
        folder = _copy(demo / "raw", raw, case)
        case.breaker(folder)
        shutil.copytree(good, ws.processed_round(case.round_id))  # a previous good clean
    # the other folder of the same-id pair: its name matches, it is fine on its own
    _copy(demo / "raw", raw, Case("same-id", ("kobo_pre.csv",), _noop, "", ""), manifest_id="same-id")
    _set_round(raw / "same-id-b", "same-id")
    shutil.rmtree(good)
    before = {c.round_id: tree_digests(ws.processed_round(c.round_id)) for c in CASES}
    validate = run_cli("--data-dir", str(data), "validate", "--all")
    cleaned = run_cli("--data-dir", str(data), "clean", "--all")
    after = {c.round_id: tree_digests(ws.processed_round(c.round_id)) for c in CASES}
    return Outputs(ws, _split(validate.stderr, r"\d+ problem"), _split(cleaned.stderr, "not cleaned"),
                   validate.returncode, cleaned.returncode, validate.stderr + cleaned.stderr, before, after)


def _copy(demo_raw: Path, raw: Path, case: Case, manifest_id: str | None = None) -> Path:
    staging = raw.parent / "staging"
    if not (staging / BASE).exists():
        shutil.copytree(demo_raw / BASE, staging / BASE)
    folder = copy_round(staging, case.round_id, list(case.files), manifest_id=manifest_id)
    return folder.rename(raw / case.round_id)


def _set_round(folder: Path, round_id: str) -> None:
    manifest = yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))
    manifest["round"] = round_id
    write_manifest(folder, manifest)


def test_validate_and_clean_all_exit_1_without_traceback(bad):
    assert bad.validate_code == 1
    assert bad.clean_code == 1
    assert "Traceback" not in bad.stderr
    assert "internal error" not in bad.stderr
    assert set(bad.validate) == {c.round_id for c in CASES}
    assert set(bad.clean) == {c.round_id for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.round_id for c in CASES])
def test_each_bad_input_is_one_located_line(bad, case):
    for command, sections in (("validate", bad.validate), ("clean", bad.clean)):
        lines = sections[case.round_id]
        parsed = [LINE.match(line) for line in lines]
        assert all(parsed), f"{command}: not file:row:column: message: {lines}"
        hits = [m for m in parsed if Path(m["file"]).name == case.file and re.search(case.message, m["message"])]
        assert hits, f"{command} {case.round_id}: no line for {case.file} ~ {case.message!r} in {lines}"
        hit = hits[0]
        if case.row == 0:
            assert hit["row"].isdigit(), lines
        elif case.row is not None:
            assert hit["row"] == str(case.row), lines
        if case.column is not None:
            assert hit["column"] == case.column, lines


@pytest.mark.parametrize("case", CASES, ids=[c.round_id for c in CASES])
def test_each_bad_input_has_its_reason_code(bad, case):
    problems = validate_round(bad.ws, case.round_id)
    hits = [p for p in problems if Path(p.file).name == case.file and re.search(case.message, p.message)]
    assert hits, problems
    assert hits[0].code == case.code


@pytest.mark.parametrize("case", CASES, ids=[c.round_id for c in CASES])
def test_failed_clean_leaves_the_previous_processed_folder(bad, case):
    assert bad.after[case.round_id] == bad.before[case.round_id]
    assert "meta.json" in bad.after[case.round_id]
    leftovers = [p.name for p in bad.ws.processed_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


# ---------------------------------------------------------------------- usage errors
def test_round_id_leaving_the_data_folder_is_a_usage_error(tmp_path):
    (tmp_path / "raw").mkdir()
    for command in ("validate", "clean"):
        result = run_cli("--data-dir", str(tmp_path), command, "../raw")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "'../raw' is not allowed" in result.stderr


# ---------------------------------------------------------------------- parsed, not rejected
def _workspace(tmp_path: Path, demo_raw: Path, round_id: str, files: list[str]) -> tuple[Workspace, Path]:
    staging = tmp_path / "staging"
    shutil.copytree(demo_raw / BASE, staging / BASE)
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    folder = copy_round(staging, round_id, files).rename(raw / round_id)
    return Workspace.from_options(tmp_path / "data", tmp_path / "reports"), folder


def test_dates_in_three_formats_in_one_column_are_parsed(tmp_path, demo_raw):
    ws, folder = _workspace(tmp_path, demo_raw, "dates", ["plan_actions.csv"])
    path = folder / "plan_actions.csv"
    rows = read_rows(path)
    due = rows[0].index("due")
    rows[1][due], rows[2][due], rows[3][due] = "25/12/2025", "2025-11-30", "45900"
    rows[4][due] = "03/09/2025"  # day first, as the 25/12 of the same column shows
    write_rows(path, rows)
    result = clean_round(ws, "dates")
    plans = result.tables["plan_actions"]
    by_action = plans.drop_duplicates("action_id").set_index("action_id")["due"]
    ids = [rows[i][rows[0].index("action_id")] for i in (1, 2, 3, 4)]
    assert [by_action[i].date() for i in ids] == [
        dt.date(2025, 12, 25), dt.date(2025, 11, 30), dt.date(2025, 8, 31), dt.date(2025, 9, 3)]
    assert not [p for p in result.problems if "due date" in p.message]


def test_workbook_with_several_sheets_reads_the_named_one_or_warns(tmp_path, demo_raw):
    ws, folder = _workspace(tmp_path, demo_raw, "sheets", ["plan_actions.csv"])
    expected = clean_round(ws, "sheets").tables["plan_actions"]
    rows = read_rows(folder / "plan_actions.csv")
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    for row in rows:
        book.active.append(row)
    book.create_sheet("Notes").append(["version du 1er septembre", "relue par le secrétariat"])
    book.save(folder / "plan_actions.xlsx")
    (folder / "plan_actions.csv").unlink()
    manifest = yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))
    manifest["sources"] = [{"file": "plan_actions.xlsx", "instrument": "plan_actions"}]
    write_manifest(folder, manifest)
    problems = validate_round(ws, "sheets")
    assert not [p for p in problems if p.severity == "error"], problems
    warned = [p for p in problems if p.file == "plan_actions.xlsx" and "2 sheets with data" in p.message]
    assert warned and "'Plan'" in warned[0].message
    pd.testing.assert_frame_equal(clean_round(ws, "sheets").tables["plan_actions"], expected)

    # the data on the second sheet, named in round.yaml: read without a warning
    book = openpyxl.load_workbook(folder / "plan_actions.xlsx")
    book.move_sheet("Notes", offset=-1)
    book.save(folder / "plan_actions.xlsx")
    manifest["sources"][0]["sheet"] = "Plan"
    write_manifest(folder, manifest)
    result = clean_round(ws, "sheets")
    assert not [p for p in result.problems if "sheets" in p.message]
    pd.testing.assert_frame_equal(result.tables["plan_actions"], expected)


def test_utf16_without_bom_is_read(tmp_path, demo_raw):
    ws, folder = _workspace(tmp_path, demo_raw, "utf16", ["inscriptions.csv"])
    expected = clean_round(ws, "utf16").tables["participants"]
    path = folder / "inscriptions.csv"
    text = "\n".join(";".join(row) for row in read_rows(path)) + "\n"
    path.write_bytes(text.encode("utf-16-le"))  # Excel "Unicode text" without its BOM
    result = clean_round(ws, "utf16")
    pd.testing.assert_frame_equal(result.tables["participants"], expected)
    meta = json.loads((ws.processed_round("utf16") / "meta.json").read_text(encoding="utf-8"))
    assert meta["sources"][0]["file"] == "inscriptions.csv"


# ---------------------------------------------------------------------- build
def _build_data(tmp_path: Path, demo_raw: Path, *, good: bool) -> Path:
    """Rounds for `build`: broken ones (unknown code, folder/id mismatch, path escaping the
    round folder) and, with ``good``, the intact French demo round."""
    staging = tmp_path / "staging"
    shutil.copytree(demo_raw / BASE, staging / BASE)
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    broken = {"unknown-code": _unknown_code, "escaping-path": _escaping_path}
    for round_id, breaker in broken.items():
        breaker(copy_round(staging, round_id, ["kobo_pre.csv"]).rename(raw / round_id))
    copy_round(staging, "misnamed", ["kobo_pre.csv"], manifest_id="jsr-2025-xx").rename(raw / "misnamed")
    if good:
        shutil.copytree(demo_raw / BASE, raw / BASE)
    return tmp_path / "data"


def _check_build_failures(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    stderr = result.stderr
    for pattern in (
        r"unknown-code: data problems:\n\s+kobo_pre\.csv:4:Connaissances/.*: unknown answer 'Peut-être'",
        r"misnamed: data problems:\n\s+\S*round\.yaml:1:round: round id 'jsr-2025-xx' does not match its folder",
        r"escaping-path: data problems:\n\s+\S*round\.yaml:\d+:file: .*outside the round folder",
    ):
        assert re.search(pattern, stderr), (pattern, stderr)


def test_build_reports_broken_rounds_without_crashing(tmp_path, demo_raw):
    data = _build_data(tmp_path, demo_raw, good=False)
    before = tree_digests(data / "raw")
    result = run_cli("--data-dir", str(data), "--reports-dir", str(tmp_path / "reports"),
                     "build", "--jobs", "1", "--format", "html")
    _check_build_failures(result)
    assert tree_digests(data / "raw") == before


@pytest.mark.slow
def test_build_builds_the_good_round_beside_broken_ones(tmp_path, demo_raw):
    from exchange_eval.core.paths import PACKAGE_NOTEBOOKS

    if not (PACKAGE_NOTEBOOKS / "round_report.ipynb").is_file():
        pytest.skip("report notebooks not written yet")
    data = _build_data(tmp_path, demo_raw, good=True)
    before = tree_digests(data / "raw")
    reports = tmp_path / "reports"
    result = run_cli("--data-dir", str(data), "--reports-dir", str(reports), "build", "--format", "html",
                     timeout=1200)
    _check_build_failures(result)
    assert not re.search(rf"^{BASE}:", result.stderr, flags=re.MULTILINE), result.stderr
    assert (reports / BASE / "round_report.html").is_file()
    assert (reports / "index.html").is_file()
    assert tree_digests(data / "raw") == before
