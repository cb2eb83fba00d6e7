"""The command line: help everywhere, one clear line and the right exit code on errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = ["demo", "new-round", "inspect", "validate", "clean", "report", "synthesis", "review", "build", "codebook"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from exchange_eval.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_top_level_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_unknown_command_is_a_usage_error():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_unknown_round_is_a_usage_error(tmp_path):
    result = run("--data-dir", str(tmp_path), "clean", "nope")
    assert result.returncode == 2
    assert "no round 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_manifest_gives_one_line_and_exit_1(tmp_path):
    folder = tmp_path / "raw" / "r1"
    folder.mkdir(parents=True)
    (folder / "round.yaml").write_text("round: r1\ntitle: [unclosed\n", encoding="utf-8")
    result = run("--data-dir", str(tmp_path), "validate", "r1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert "round.yaml:" in first and "YAML" in first


def test_missing_manifest_gives_exit_1(tmp_path):
    (tmp_path / "raw" / "r2").mkdir(parents=True)
    (tmp_path / "raw" / "r2" / "data.csv").write_text("a\n1\n")
    result = run("--data-dir", str(tmp_path), "validate", "r2")
    # a folder without round.yaml is not a round: a usage error naming the known rounds
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert "r2" in result.stderr


def test_bad_format_option_is_usage_error(tmp_path):
    result = run("--data-dir", str(tmp_path), "build", "--format", "rtf")
    assert result.returncode == 2
    assert "--format" in result.stderr


@pytest.mark.parametrize("command", ["report r1", "synthesis", "review", "build", "demo --no-build"])
def test_bad_format_or_language_is_a_usage_error_before_anything_runs(tmp_path, command):
    for option in (["--format", "html,rtf"], ["--lang", "xx"]):
        if command.startswith("demo") and option[0] == "--lang":
            continue
        result = run("--data-dir", str(tmp_path), *command.split(), *option)
        assert result.returncode == 2, result.stderr
        assert option[0] in result.stderr and option[1] in result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_report_of_an_unknown_round_is_a_usage_error(tmp_path):
    result = run("--data-dir", str(tmp_path), "report", "nope")
    assert result.returncode == 2
    assert "no round 'nope'" in result.stderr
    result = run("--data-dir", str(tmp_path), "report", "../etc")
    assert result.returncode == 2
    assert "is not allowed" in result.stderr
