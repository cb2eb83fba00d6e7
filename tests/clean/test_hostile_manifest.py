"""Hostile manifests: every field type-checked and located, YAML tricks refused, links refused,
and one bad round never stops the others (``validate --all``, ``clean --all``, ``build``)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from test_manifest import GOOD, make_round

from exchange_eval.clean.manifest import load_manifest
from exchange_eval.core.errors import ManifestError, ProblemCode
from exchange_eval.core.paths import check_round_id
from support import run_cli, tree_digests

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)  # 9**9 = 387 million strings once expanded


def refused(tmp_path: Path, text: str, **kwargs) -> ManifestError:
    with pytest.raises(ManifestError) as info:
        load_manifest(make_round(tmp_path, text, **kwargs))
    assert info.value.problem.code == ProblemCode.MANIFEST
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        ("date: 2025-02-10", "date: 2025-02-30", "date", "not a calendar date"),
        ("date: 2025-02-10", "date: 10/02/2025", "date", "not a calendar date"),
        ("date: 2025-02-10", "date: [2025]", "date", "must be text"),
        ("host: SEN", "host: SEN\nyear: abc", "year", "not a year"),
        ("host: SEN", "host: SEN\nyear: 20255", "year", "not a year"),
        ("platform: kobo}", "platform: kobo, sheet: {a: 1}}", "sheet", "not a mapping"),
        ("title: JSR cross-country exchange 2025, cohort A", "title: [a, b]", "title", "not a list"),
        ("title: JSR cross-country exchange 2025, cohort A", "title: {x: 1}", "title", "not a mapping"),
        ("community: jsr-exchange", "community: true", "community", "not true/false"),
        ("language: fr", "language: xx", "language", "no translation table"),
        ("language: fr", "language: [fr]", "language", "not a list"),
        ("countries: [SEN, BFA, CIV, TCD]", "countries: [SEN, {x: 1}]", "countries", "not a mapping"),
        ("countries: [SEN, BFA, CIV, TCD]", "countries: {SEN: 1}", "countries", "must be a list"),
        ("wave: pre,", "wave: [pre],", "wave", "not a list"),
        ("instrument: roster}", "instrument: [roster]}", "instrument", "not a list"),
        ("  - {id: vc1, kind: virtual, date: 2025-02-10}", "  - vc1", "sessions", "must be a mapping"),
        ("  - {id: vc1, kind: virtual, date: 2025-02-10}", "  - {id: vc1, kind: virtual}\n  - {id: vc1}", "id",
         "given twice"),
    ],
)
def test_every_field_is_type_checked_and_located(tmp_path, old, new, column, message):
    assert old in GOOD
    text = GOOD.replace(old, new)
    error = refused(tmp_path, text)
    assert error.problem.column == column
    assert re.search(message, error.problem.message), error.problem.message
    first = new.splitlines()[-1].strip()
    assert error.problem.row == line_of(text, first), (error.problem.row, text)


def test_the_report_languages_are_the_translated_ones(tmp_path):
    assert load_manifest(make_round(tmp_path, GOOD.replace("language: fr", "language: EN"))).language == "en"


def test_norway_stays_a_country_code(tmp_path):
    text = GOOD.replace("comparison: [MLI, NER]", "comparison: [MLI, NO, ON]")
    error = refused(tmp_path, text)  # YAML 1.1 would read NO and ON as booleans
    assert "'NO' is not an ISO 3166 alpha-3" in error.problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "sources:\n  - {file: inscriptions.csv, instrument: roster}\n", r"key 'sources' is given twice"),
        (GOOD.replace("  - {id: vc1,", "  - {id: vc1, id: vc9,"), r"key 'id' is given twice"),
        ("x: &x [1]\n" + GOOD, r"anchors and aliases"),
        (GOOD.replace("host: SEN", "host: !!python/object/apply:os.system [echo]"), r"tags"),
        (GOOD.replace("host: SEN", "<<: {host: SEN}"), r"merge keys"),
        (GOOD + "[" * 2000 + "]" * 2000 + ": 1\n", r"."),
    ],
)
def test_yaml_tricks_are_refused(tmp_path, text, message):
    error = refused(tmp_path, text)
    assert re.search(message, error.problem.message), error.problem.message


def test_duplicate_key_names_the_second_line(tmp_path):
    text = GOOD + "sources:\n  - {file: inscriptions.csv, instrument: roster}\n"
    assert refused(tmp_path, text).problem.row == len(text.splitlines()) - 1


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    # expanded, this document would hold 387 million strings: refusing it means it was
    # never expanded (a test that expanded it would run out of memory, not fail)
    assert len(BOMB.encode()) < 1500
    error = refused(tmp_path, BOMB)
    assert error.problem.row == 1 and "anchors and aliases" in error.problem.message


def test_a_huge_manifest_is_refused(tmp_path):
    error = refused(tmp_path, GOOD + "notes: " + "x" * (1 << 20) + "\n")
    assert "larger than" in error.problem.message


@pytest.mark.parametrize("second", ["./kobo_pre.csv", "kobo_pre.csv", "sub/same.csv", "link.csv"])
def test_the_same_file_listed_twice_is_refused(tmp_path, second):
    text = GOOD + f"  - {{file: {second!r}, instrument: outcomes, wave: post}}\n"
    folder = tmp_path / "jsr-2025-a"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "kobo_pre.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (folder / "inscriptions.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    os.link(folder / "kobo_pre.csv", folder / "link.csv")  # a hard link is the same file too
    (folder / "sub" / "same.csv").symlink_to(folder / "kobo_pre.csv")  # and a link inside the folder
    (folder / "round.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "listed twice" in info.value.problem.message
    assert info.value.problem.row == len(text.splitlines())


def test_two_sheets_of_one_workbook_are_two_sources(tmp_path):
    text = GOOD.replace("inscriptions.csv", "book.xlsx").replace(
        "  - {file: kobo_pre.csv, instrument: outcomes, wave: pre, platform: kobo}",
        "  - {file: book.xlsx, instrument: outcomes, wave: pre, sheet: pre}\n"
        "  - {file: book.xlsx, instrument: outcomes, wave: post, sheet: 2024}")
    manifest = load_manifest(make_round(tmp_path, text, files=("book.xlsx",)))
    assert [s.sheet for s in manifest.sources] == [None, "pre", "2024"]


@pytest.mark.parametrize("round_id", ["r1\n", "r1\n\n", "R1", "../r1", "r" * 65, ""])
def test_bad_round_ids_are_refused(round_id):
    with pytest.raises(ManifestError):
        check_round_id(round_id)


def test_new_round_with_a_trailing_newline_makes_no_folder(tmp_path):
    result = run_cli("--data-dir", str(tmp_path), "new-round", "r1\n")
    assert result.returncode == 2, result.stderr
    assert "is not allowed" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "raw").exists() or list((tmp_path / "raw").iterdir()) == []


def test_a_manifest_round_id_with_a_newline_is_refused(tmp_path):
    error = refused(tmp_path, GOOD.replace("round: jsr-2025-a", 'round: "jsr-2025-a\\n"'))
    assert error.problem.column == "round"


# ---------------------------------------------------------------------- links out
@pytest.mark.parametrize("name", ["corrections.csv", "codebook_choices.csv", "round.yaml", "sub"])
def test_links_leading_out_of_the_round_folder_are_refused(tmp_path, name):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    (outside / "round.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "data").mkdir()
    folder = make_round(tmp_path / "data", GOOD)
    target = outside if name == "sub" else outside / ("round.yaml" if name == "round.yaml" else "secret.csv")
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(target)
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "symbolic link" in info.value.problem.message
    assert Path(info.value.problem.file).name == name


def test_a_link_inside_the_round_folder_is_fine(tmp_path):
    folder = make_round(tmp_path, GOOD)
    (folder / "copy.csv").symlink_to(folder / "kobo_pre.csv")
    assert load_manifest(folder).round_id == "jsr-2025-a"


def test_a_round_folder_leading_out_of_the_raw_folder_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    elsewhere = make_round(tmp_path / "elsewhere", GOOD)
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "jsr-2025-a").symlink_to(elsewhere)
    with pytest.raises(ManifestError, match="outside the raw data folder"):
        load_manifest(raw / "jsr-2025-a")


# ---------------------------------------------------------------------- one bad round, the others go on
BAD_MANIFESTS = {
    "bad-date": ("date: 2025-02-17", "date: 2025-02-30"),
    "bad-year": ("year: 2025", "year: abc"),
    "bad-sheet": ("{file: registration.xlsx, instrument: roster}", "{file: registration.xlsx, instrument: roster, sheet: {a: 1}}"),
    "bad-language": ("language: en", "language: xx"),
    "bad-duplicate": ("notes:", "year: 2026\nnotes:"),
    "bad-bomb": ("notes:", BOMB + "\nnotes:"),
}


@pytest.fixture(scope="module")
def programme(tmp_path_factory, demo_raw) -> Path:
    data = tmp_path_factory.mktemp("badmanifests") / "data"
    shutil.copytree(demo_raw / "jsr-2025-en", data / "raw" / "jsr-2025-en")
    for round_id, (old, new) in BAD_MANIFESTS.items():
        folder = data / "raw" / round_id
        shutil.copytree(demo_raw / "jsr-2025-en", folder)
        text = (folder / "round.yaml").read_text(encoding="utf-8").replace("round: jsr-2025-en", f"round: {round_id}")
        assert old in text, (round_id, old)
        (folder / "round.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    linked = data / "raw" / "bad-link"
    shutil.copytree(demo_raw / "jsr-2025-en", linked)
    (linked / "round.yaml").write_text((linked / "round.yaml").read_text(encoding="utf-8").replace(
        "round: jsr-2025-en", "round: bad-link"), encoding="utf-8")
    (data / "outside.csv").write_text("email,reason\n", encoding="utf-8")
    (linked / "corrections.csv").symlink_to(data / "outside.csv")
    return data


def _sections(stderr: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r"^(bad-[a-z]+)\S*:.*$", stderr, flags=re.MULTILINE)}


@pytest.mark.parametrize("command", ["validate", "clean"])
def test_all_rounds_lists_each_bad_manifest_and_does_the_good_one(programme, command):
    before = tree_digests(programme / "raw")
    result = run_cli("--data-dir", str(programme), command, "--all")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    for round_id in [*BAD_MANIFESTS, "bad-link"]:
        assert re.search(rf"^\S*{round_id}\S*round\.yaml:\d+:\S+: |^\S*{round_id}\S*: ", result.stderr,
                         flags=re.MULTILINE), (round_id, result.stderr)
    assert re.search(r"round\.yaml:\d+:date: date '2025-02-30' is not a calendar date", result.stderr)
    assert re.search(r"round\.yaml:\d+:year: year 'abc' is not a year", result.stderr)
    assert re.search(r"round\.yaml:\d+:sheet: sheet must be text, not a mapping", result.stderr)
    assert re.search(r"round\.yaml:\d+:language: language 'xx' has no translation table", result.stderr)
    assert re.search(r"round\.yaml:\d+:-: not valid YAML: key 'year' is given twice", result.stderr)
    assert re.search(r"bad-bomb/round\.yaml:\d+:-: not valid YAML: anchors and aliases", result.stderr)
    assert re.search(r"corrections\.csv:-:-: a symbolic link to a place outside the round folder", result.stderr)
    good = "jsr-2025-en: valid" if command == "validate" else "jsr-2025-en: 12 participants"
    assert good in result.stdout, result.stdout
    assert tree_digests(programme / "raw") == before


@pytest.mark.slow
def test_build_lists_each_bad_manifest_and_goes_on(programme, tmp_path):
    reports = tmp_path / "reports"
    result = run_cli("--data-dir", str(programme), "--reports-dir", str(reports), "build", "--jobs", "1",
                     "--format", "html", "--lang", "en", timeout=900)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    for round_id in [*BAD_MANIFESTS, "bad-link"]:
        assert re.search(rf"^{round_id}: ", result.stderr, flags=re.MULTILINE), (round_id, result.stderr)
    if (reports / "jsr-2025-en").is_dir():  # the notebooks ran: the good round was built
        assert (reports / "jsr-2025-en" / "round_report.html").is_file()
