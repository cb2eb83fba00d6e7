"""new-round: a commented manifest that load_manifest accepts once the exports are there."""

from __future__ import annotations

import pytest
import yaml

from exchange_eval.clean.manifest import load_manifest
from exchange_eval.clean.newround import create_round, manifest_template
from exchange_eval.core.errors import DataErrors, UsageError
from exchange_eval.core.paths import Workspace

TEMPLATE_FILES = ["roster.xlsx", "pre_survey.csv", "post_survey.csv"]


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "data", tmp_path / "reports")


def _add_sources(folder):
    for name in TEMPLATE_FILES:
        (folder / name).write_bytes(b"placeholder")


def test_create_round_writes_a_loadable_manifest(ws):
    path = create_round(ws, "jsr-2025-a")
    assert path == ws.data_dir / "raw" / "jsr-2025-a" / "round.yaml"
    text = path.read_text(encoding="utf-8")
    assert "CHANGE" in text and "exchange-eval validate jsr-2025-a" in text
    with pytest.raises(DataErrors) as missing:
        load_manifest(path.parent)  # the exports are not there yet: every one is listed
    assert sorted(p.message.split("'")[1] for p in missing.value.problems) == sorted(TEMPLATE_FILES)
    _add_sources(path.parent)
    manifest = load_manifest(path.parent)
    assert manifest.round_id == "jsr-2025-a"
    assert manifest.language == "en"
    assert manifest.community == "jsr-exchange"
    assert manifest.countries == ("SEN", "BFA", "CIV", "TCD")
    assert [s.id for s in manifest.sessions] == ["vc1", "vc2", "vc3", "visit"]
    assert [(s.file, s.instrument, s.wave) for s in manifest.sources] == [
        ("roster.xlsx", "roster", None),
        ("pre_survey.csv", "outcomes", "pre"),
        ("post_survey.csv", "outcomes", "post"),
    ]
    assert ws.round_ids() == ["jsr-2025-a"]


def test_french_template(ws):
    path = create_round(ws, "rsc-2025", language="FR")
    text = path.read_text(encoding="utf-8")
    assert "Modifiez les valeurs marquées CHANGE" in text
    _add_sources(path.parent)
    assert load_manifest(path.parent).language == "fr"


@pytest.mark.parametrize("round_id", ["0123", "1_000", "no", "null", "true", "2025"])
def test_ids_yaml_would_misread_stay_strings(ws, round_id):
    path = create_round(ws, round_id)
    assert yaml.safe_load(path.read_text())["round"] == round_id
    _add_sources(path.parent)
    assert load_manifest(path.parent).round_id == round_id


@pytest.mark.parametrize("language", ["de", "no", "on", "xx"])
def test_languages_without_a_translation_table_are_refused(ws, language):
    # the round's language is its reports' default language: it needs a translation table
    with pytest.raises(UsageError, match="no translation table; use one of en, fr"):
        create_round(ws, f"r-{language}", language=language)
    assert not ws.raw_round(f"r-{language}").exists()


def test_refuses_an_existing_round(ws):
    path = create_round(ws, "jsr-2025-a")
    path.write_text("round: jsr-2025-a  # edited by the user\n")
    with pytest.raises(UsageError, match="already exists") as info:
        create_round(ws, "jsr-2025-a")
    assert info.value.exit_code == 2
    assert path.read_text() == "round: jsr-2025-a  # edited by the user\n"


def test_existing_folder_without_manifest_is_used(ws):
    folder = ws.data_dir / "raw" / "jsr-2025-b"
    folder.mkdir(parents=True)
    (folder / "roster.xlsx").write_bytes(b"the user's export")
    create_round(ws, "jsr-2025-b")
    assert (folder / "roster.xlsx").read_bytes() == b"the user's export"
    assert sorted(p.name for p in folder.iterdir()) == ["roster.xlsx", "round.yaml"]


@pytest.mark.parametrize("round_id", ["../escape", "Upper", "", "-x", "a/b", "a b", ".hidden"])
def test_bad_round_ids(ws, round_id):
    with pytest.raises(UsageError, match="not allowed") as info:
        create_round(ws, round_id)
    assert info.value.exit_code == 2
    assert not (ws.data_dir / "raw").exists() or list((ws.data_dir / "raw").iterdir()) == []


@pytest.mark.parametrize("language", ["english", "f", "", "e1"])
def test_bad_language(ws, language):
    with pytest.raises(UsageError, match="no translation table"):
        create_round(ws, "jsr-2025-a", language=language)


def test_manifest_template_is_pure_text():
    text = manifest_template("demo-1", "en")
    assert text.startswith("# Manifest of round demo-1")
    assert yaml.safe_load(text)["sources"][0] == {"file": "roster.xlsx", "instrument": "roster"}
