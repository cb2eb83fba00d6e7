"""Process safety: workers die with their parent and never in the middle of a swap; Ctrl-C
prints one line; unwritable or full output folders are named; problems are capped per
column; an export over the size limit is refused before it is read."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from exchange_eval.clean.sources import check_source_size
from exchange_eval.core.atomic import AtomicWriteError, check_writable
from exchange_eval.core.errors import DataError, Problem, ProblemCode, cap_problems
from support import SRC, run_cli

POSIX = pytest.mark.skipif(os.name != "posix", reason="parent pids and signals are POSIX")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = {p for p in pids if _alive(p)}
        if not alive:
            return alive
        time.sleep(0.2)
    return {p for p in pids if _alive(p)}


def _descendants(root: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), set()).add(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


_FAMILY = textwrap.dedent(
    """
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
    time.sleep(120)
    """
)
_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from exchange_eval.core.lifecycle import exit_with_parent, swap_guard
    out = Path(sys.argv[1])
    exit_with_parent(0.1)
    with swap_guard():
        (out / "in").write_text("1")
        time.sleep(1.5)  # the parent is killed meanwhile: the swap must still end
        (out / "out").write_text("1")
    time.sleep(120)
    (out / "late").write_text("1")
    """
)


@POSIX
def test_a_worker_ends_with_its_parent_but_never_inside_a_swap(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    parent = subprocess.Popen([sys.executable, "-c", _FAMILY, _CHILD, str(tmp_path)], env=env)
    deadline = time.monotonic() + 60
    while not (tmp_path / "in").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "in").exists()
    child = _descendants(parent.pid)
    assert len(child) == 1
    parent.kill()
    parent.wait()
    assert _wait_gone(child, 30) == set()
    assert (tmp_path / "out").exists()  # the swap it was in finished
    assert not (tmp_path / "late").exists()  # and nothing after it ran


def _report_families(reports: Path) -> list[str]:
    """Reports whose files are not all of one build (what a half-swapped report looks like)."""
    broken = []
    for record in reports.glob("*/*.json"):
        if record.name.startswith("."):
            continue
        data = json.loads(record.read_text(encoding="utf-8"))
        for name in data.get("files", {}).values():
            page = record.parent / name
            if page.suffix == ".html" and data["built_at"] not in page.read_text(encoding="utf-8"):
                broken.append(str(page))
    return broken


def _start_build(data: Path, reports: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from exchange_eval.cli import main; main()", "--data-dir", str(data),
         "--reports-dir", str(reports), "build", "--jobs", "2", "--format", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=dict(os.environ, PYTHONPATH=str(SRC)))


def _wait_for_kernels(build: subprocess.Popen, seconds: float = 240) -> set[int]:
    """Wait until the build's workers run notebooks; return every process below the build."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        family = _descendants(build.pid)
        commands = [Path(f"/proc/{p}/cmdline").read_bytes() for p in family if Path(f"/proc/{p}/cmdline").exists()]
        if any(b"ipykernel" in c for c in commands):
            return family
        assert build.poll() is None, build.communicate()
        time.sleep(0.2)
    pytest.fail("no notebook kernel started")


@pytest.fixture
def two_rounds(tmp_path, copy_demo) -> Path:
    return copy_demo(tmp_path / "data", "jsr-2025-fr", "jsr-2025-en")


@POSIX
@pytest.mark.slow
def test_killing_the_build_leaves_no_process_and_no_half_swapped_report(tmp_path, two_rounds):
    reports = tmp_path / "reports"
    build = _start_build(two_rounds, reports)
    family = _wait_for_kernels(build)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    family |= _descendants(build.pid)
    assert _wait_gone(family, 30) == set()
    files = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file())
    time.sleep(5)  # a worker left behind would swap its report in now
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file()) == files
    assert _report_families(reports) == []


@POSIX
@pytest.mark.slow
def test_ctrl_c_prints_one_line_and_leaves_no_process(tmp_path, two_rounds):
    build = _start_build(two_rounds, tmp_path / "reports")
    family = _wait_for_kernels(build)
    os.killpg(build.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    _out, err = build.communicate(timeout=60)
    assert build.returncode == 130
    assert err.strip().splitlines() == ["interrupted: outputs already written are intact"], err
    assert _wait_gone(family, 30) == set()
    assert _report_families(tmp_path / "reports") == []


# ---------------------------------------------------------------------- output folders
@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs a folder nobody may write: /sys on Linux")
def test_an_unwritable_reports_folder_is_one_clear_line(tmp_path, copy_demo):
    data = copy_demo(tmp_path / "data", "jsr-2025-fr")
    reports = Path("/sys/exchange-eval-reports")
    for command in (("build", "--format", "html"), ("report", "jsr-2025-fr", "--format", "html")):
        result = run_cli("--data-dir", str(data), "--reports-dir", str(reports), *command)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: cannot write to the folder {reports} (permission denied): make it writable, or choose "
            "another folder"], result.stderr
    assert not (data / "processed").exists()  # refused before anything was cleaned


def test_a_full_disk_is_named(tmp_path, monkeypatch):
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(AtomicWriteError) as info:
        check_writable(tmp_path / "reports")
    assert str(info.value) == (f"cannot write to the folder {tmp_path / 'reports'} (the disk is full): free some "
                               "space, or choose another folder")


def test_a_file_in_place_of_the_reports_folder_is_named(tmp_path):
    (tmp_path / "reports").write_text("x")
    with pytest.raises(AtomicWriteError, match="is a file, not a folder"):
        check_writable(tmp_path / "reports")


def test_an_unexpected_write_error_is_named_by_the_command_line(tmp_path, monkeypatch, capsys):
    import exchange_eval.build as build
    from exchange_eval import cli

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "reports" / "r1" / "round_report.html"))

    monkeypatch.setattr(build, "build_all", fail)
    monkeypatch.setattr(sys, "argv", ["exchange-eval", "--data-dir", str(tmp_path), "build"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 1
    assert capsys.readouterr().err.strip() == (
        f"error: cannot write to the folder {tmp_path / 'reports' / 'r1'} (the file system is read-only): make it "
        "writable, or choose another folder")


# ---------------------------------------------------------------------- many problems
def test_problems_are_capped_per_column_with_a_count():
    problems = [Problem("a.csv", f"unknown answer {i}", i + 2, "Q1", code=ProblemCode.UNKNOWN_CHOICE)
                for i in range(600)]
    problems += [Problem("a.csv", "unknown answer", 3, "Q2", code=ProblemCode.UNKNOWN_CHOICE)]
    shown = cap_problems(problems, 20)
    assert len(shown) == 22
    assert str(shown[20]) == "a.csv:-:Q1: ... and 580 more like these in this column"
    assert shown[21].column == "Q2"
    assert cap_problems(problems, 0) == problems


def test_validate_prints_a_capped_list(tmp_path, copy_demo):
    data = copy_demo(tmp_path / "data", "jsr-2025-fr")
    (data / "config").mkdir()
    (data / "config" / "settings.yaml").write_text("cleaning:\n  max_problems_per_column: 2\n", encoding="utf-8")
    pre = data / "raw" / "jsr-2025-fr" / "kobo_pre.csv"
    lines = pre.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    column = next(i for i, h in enumerate(header) if h.startswith('"Connaissances/'))
    rows = [line.split(";") for line in lines[1:]]
    for row in rows:
        row[column] = '"Peut-être"'
    pre.write_text("\n".join([lines[0], *(";".join(r) for r in rows)]) + "\n", encoding="utf-8")
    result = run_cli("--data-dir", str(data), "validate", "jsr-2025-fr")
    assert result.returncode == 1
    name = header[column].strip('"')
    about = [line for line in result.stderr.splitlines() if f":{name}:" in line]
    assert len(about) == 3, about
    assert about[2] == f"kobo_pre.csv:-:{name}: ... and {len(rows) - 2} more like these in this column"


# ---------------------------------------------------------------------- size
def test_an_export_over_the_limit_is_refused_before_it_is_read(tmp_path, copy_demo):
    data = copy_demo(tmp_path / "data", "jsr-2025-fr")
    (data / "config").mkdir()
    (data / "config" / "settings.yaml").write_text("limits:\n  max_source_mb: 1\n", encoding="utf-8")
    pre = data / "raw" / "jsr-2025-fr" / "kobo_pre.csv"
    text = pre.read_text(encoding="utf-8-sig")
    header, body = text.split("\n", 1)
    pre.write_text(header + "\n" + body * (2 * 1024 * 1024 // len(body) + 1), encoding="utf-8")
    for command in (("validate", "jsr-2025-fr"), ("clean", "jsr-2025-fr"), ("inspect", str(pre))):
        result = run_cli("--data-dir", str(data), *command)
        assert result.returncode == 1, (command, result.stderr)
        assert "kobo_pre.csv:-:-: the file holds 2 MB, more than the limit of 1 MB (limits.max_source_mb" \
            in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_workbook_counts_by_its_uncompressed_size(tmp_path):
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<c/>" * (1 << 20))  # 4 MB, a few kB zipped
    assert book.stat().st_size < 100_000
    with pytest.raises(DataError) as info:
        check_source_size(book, 1 << 20)
    assert info.value.problem.code == ProblemCode.TOO_LARGE
    check_source_size(book, 8 << 20)


def test_a_broken_limit_setting_is_a_config_problem(tmp_path, copy_demo):
    data = copy_demo(tmp_path / "data", "jsr-2025-fr")
    (data / "config").mkdir()
    (data / "config" / "settings.yaml").write_text("limits:\n  max_source_mb: lots\n", encoding="utf-8")
    result = run_cli("--data-dir", str(data), "validate", "jsr-2025-fr")
    assert result.returncode == 1
    assert "settings.yaml:-:limits.max_source_mb: limits.max_source_mb must be a number" in result.stderr


def test_settings_with_an_alias_are_refused(tmp_path, copy_demo):
    data = copy_demo(tmp_path / "data", "jsr-2025-fr")
    (data / "config").mkdir()
    (data / "config" / "settings.yaml").write_text("a: &a [1]\nprivacy: *a\n", encoding="utf-8")
    result = run_cli("--data-dir", str(data), "validate", "jsr-2025-fr")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "anchors and aliases" in result.stderr


