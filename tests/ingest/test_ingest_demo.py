"""Every file the demo generator writes is read, with the platform its layout imitates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exchange_eval.ingest import read_export
from exchange_eval.ingest.inspect import inspect_file

# file-name prefix → platform the demo imitates
EXPECTED = {"kobo_": "kobo", "sm_": "surveymonkey", "gf_": "google_forms", "odk_": "odk", "forms_": "ms_forms"}


def expected_platform(name: str, declared: str | None) -> str:
    if declared:
        return declared
    for prefix, platform in EXPECTED.items():
        if name.startswith(prefix):
            return platform
    return "spreadsheet"


@pytest.fixture(scope="module")
def demo_dir(demo_data: Path) -> Path:
    return demo_data  # the session's demo: read only


def test_every_demo_file_is_read_with_its_platform(demo_dir: Path) -> None:
    sources = []
    for manifest in sorted((demo_dir / "raw").glob("*/round.yaml")):
        for source in yaml.safe_load(manifest.read_text(encoding="utf-8"))["sources"]:
            sources.append((manifest.parent / source["file"], source.get("platform"), source.get("sheet")))
    assert sources, "the demo wrote no sources"
    for path, declared, sheet in sources:
        table = read_export(path, sheet=sheet)
        assert table.platform == expected_platform(path.name, declared), path.name
        assert table.n_rows > 0, path.name
        assert len(table.source_rows) == table.n_rows
        assert table.source_rows == sorted(table.source_rows)
        assert table.source_rows[0] > table.header_rows - 1
        assert not any(c.startswith("column_") for c in table.frame.columns), path.name


def test_demo_french_excel_roster_is_cp1252_semicolon(demo_dir: Path) -> None:
    rosters = [p for p in (demo_dir / "raw").glob("*/inscriptions.csv")]
    if not rosters:
        pytest.skip("the demo writes no French-Excel roster")
    info = inspect_file(rosters[0])
    assert (info["platform"], info["encoding"], info["delimiter"], info["header_rows"]) == ("spreadsheet", "cp1252", ";", 1)
    names = [c["name"] for c in info["columns"]]
    assert "Pays" in names


def test_demo_surveymonkey_has_two_header_rows(demo_dir: Path) -> None:
    files = sorted((demo_dir / "raw").glob("*/sm_*.csv"))
    if not files:
        pytest.skip("the demo writes no SurveyMonkey export")
    table = read_export(files[0])
    assert table.header_rows == 2
    assert table.source_rows[0] == 3
    assert "Respondent ID" in table.frame.columns
