"""docs/your-own-round.md works as written: its commands, run in order on the fixture round.

The page's ``bash`` blocks are run line by line as a new user would (``exchange-eval`` from
a fresh folder, the key file created on first use); between ``new-round`` and
``validate`` the fixture's forms and exports are copied in and the page's ``yaml`` block
is saved as the round's manifest. What the page shows ``validate`` printing must be what
it prints.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).parents[1] / "docs" / "your-own-round.md"
FIXTURE = Path(__file__).parent / "fixtures" / "own_round" / "atelier-rsc-2025"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    args = command.split("#")[0].split()
    assert args[0] == "exchange-eval", command
    return subprocess.run([sys.executable, "-c", "from exchange_eval.cli import main; main()", *args[1:]],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.slow
def test_the_walk_through_runs_as_written(tmp_path):
    commands = [line.strip() for block in _blocks("bash") for line in block.splitlines()
                if line.strip().startswith("exchange-eval")]
    assert [c.split()[1] for c in commands] == ["new-round", "validate", "clean", "report", "report", "codebook"]
    (manifest,) = _blocks("yaml")
    shown = [line for block in _blocks("") for line in block.splitlines() if line.startswith("atelier-rsc-2025: ")]
    outputs = {}
    for command in commands:
        result = _run(command, tmp_path)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        outputs[command.split()[1]] = result
        if command.split()[1] == "new-round":
            folder = tmp_path / "data" / "raw" / "atelier-rsc-2025"
            for path in FIXTURE.iterdir():
                if path.name != "round.yaml":
                    shutil.copy(path, folder / path.name)
            (folder / "round.yaml").write_text(manifest, encoding="utf-8")
    printed = outputs["validate"].stdout.splitlines()
    for line in shown:
        assert line in printed, line
    reports = tmp_path / "reports" / "atelier-rsc-2025"
    assert (reports / "round_report.html").is_file() and (reports / "round_report.en.html").is_file()
    french = (reports / "round_report.html").read_text(encoding="utf-8")
    assert "Ma compréhension du rôle de la revue sectorielle conjointe" in french
    english = (reports / "round_report.en.html").read_text(encoding="utf-8")
    assert "My understanding of the role of the joint sector review" in english
    assert (tmp_path / "data" / "templates" / "atelier-rsc-2025" / "codebook.xlsx").is_file()
    assert "data/raw/atelier-rsc-2025/codebook.xlsx" in outputs["codebook"].stdout
