"""The round manifest: strict, located error messages; nothing outside the round folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exchange_eval.clean.manifest import load_manifest
from exchange_eval.core.errors import ManifestError

GOOD = """\
round: jsr-2025-a
title: JSR cross-country exchange 2025, cohort A
community: jsr-exchange
language: fr
host: SEN
countries: [SEN, BFA, CIV, TCD]
comparison: [MLI, NER]
sessions:
  - {id: vc1, kind: virtual, date: 2025-02-10}
  - {id: visit, kind: observation, date: 2025-05-12}
sources:
  - {file: inscriptions.csv, instrument: roster}
  - {file: kobo_pre.csv, instrument: outcomes, wave: pre, platform: kobo}
"""


def make_round(tmp_path: Path, text: str, name: str = "jsr-2025-a", files=("inscriptions.csv", "kobo_pre.csv")) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file in files:
        (folder / file).write_text("a;b\n1;2\n", encoding="utf-8")
    (folder / "round.yaml").write_text(text, encoding="utf-8")
    return folder


def test_good_manifest_is_read(tmp_path):
    manifest = load_manifest(make_round(tmp_path, GOOD))
    assert manifest.round_id == "jsr-2025-a"
    assert manifest.countries == ("SEN", "BFA", "CIV", "TCD")
    assert manifest.comparison == ("MLI", "NER")
    assert [s.id for s in manifest.sessions] == ["vc1", "visit"]
    assert manifest.sessions[0].date.isoformat() == "2025-02-10"
    assert [s.instrument for s in manifest.sources] == ["roster", "outcomes"]
    assert manifest.sources[1].wave == "pre"
    assert manifest.sources[1].path == tmp_path / "jsr-2025-a" / "kobo_pre.csv"


def test_missing_manifest_names_the_file(tmp_path):
    (tmp_path / "r1").mkdir()
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path / "r1")
    assert "round.yaml" in str(info.value)


def test_typo_in_key_is_located_and_suggested(tmp_path):
    folder = make_round(tmp_path, GOOD.replace("countries:", "countrys:"))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    problem = info.value.problem
    assert problem.row == 6
    assert problem.column == "countrys"
    assert "did you mean 'countries'" in problem.message


def test_malformed_yaml_gives_line(tmp_path):
    folder = make_round(tmp_path, GOOD.replace("countries: [SEN, BFA, CIV, TCD]", "countries: [SEN, BFA"))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert info.value.problem.row is not None
    assert "YAML" in info.value.problem.message


def test_missing_source_file(tmp_path):
    folder = make_round(tmp_path, GOOD, files=("inscriptions.csv",))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert info.value.problem.row == 13
    assert "kobo_pre.csv" in info.value.problem.message


@pytest.mark.parametrize("bad", ["../secret.csv", "/etc/passwd", "sub/../../x.csv"])
def test_paths_cannot_leave_round_folder(tmp_path, bad):
    folder = make_round(tmp_path, GOOD.replace("file: kobo_pre.csv", f"file: '{bad}'"))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "outside the round folder" in info.value.problem.message


def test_symlink_out_is_refused(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("x\n1\n")
    folder = make_round(tmp_path, GOOD, files=("inscriptions.csv",))
    os.symlink(outside, folder / "kobo_pre.csv")
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "symbolic link" in info.value.problem.message


def test_round_id_must_match_folder_and_pattern(tmp_path):
    folder = make_round(tmp_path, GOOD.replace("round: jsr-2025-a", "round: JSR 2025"))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "not allowed" in info.value.problem.message
    other = make_round(tmp_path, GOOD, name="other-name")
    with pytest.raises(ManifestError) as info:
        load_manifest(other)
    assert "does not match its folder" in info.value.problem.message


def test_unknown_instrument_is_suggested(tmp_path):
    folder = make_round(tmp_path, GOOD.replace("instrument: outcomes", "instrument: outcome"))
    with pytest.raises(ManifestError) as info:
        load_manifest(folder)
    assert "did you mean 'outcomes'" in info.value.problem.message


def test_yaml_is_read_safely(tmp_path):
    folder = make_round(tmp_path, GOOD.replace("title: JSR", "title: !!python/object/apply:os.system ['echo hi']\nx: JSR"))
    with pytest.raises(ManifestError):
        load_manifest(folder)


def test_targets_are_numbers_and_shares_may_be_percentages(tmp_path):
    manifest = load_manifest(make_round(tmp_path, GOOD + "targets: {new_knowledge: 0.5, rf18: 25%, reaction: '0,8'}\n"))
    assert manifest.targets == {"new_knowledge": 0.5, "rf18": 0.25, "reaction": 0.8}
    other = tmp_path / "other"
    other.mkdir()
    assert load_manifest(make_round(other, GOOD)).targets == {}


@pytest.mark.parametrize("bad", ["targets: [0.5]", "targets: {new_knowledge: high}", "targets: {New-Knowledge: 1}",
                                 "targets: {rf18: true}"])
def test_bad_targets_are_located(tmp_path, bad):
    with pytest.raises(ManifestError) as info:
        load_manifest(make_round(tmp_path, GOOD + bad + "\n"))
    problem = info.value.problem
    assert problem.column == "targets" and problem.row == GOOD.count("\n") + 1
