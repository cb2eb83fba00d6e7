"""Kernels forked from a zygote: a new process per report, the zygote's imports already done,
nothing left over from the report before, papermill's semantics kept (parameters after the
tagged cell, a failed run kept as evidence), and no process outliving the zygote."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from exchange_eval.core.errors import ReportError
from exchange_eval.publish.execute import execute_notebook
from exchange_eval.publish.kernel import KernelZygote, notebook_imports
from support import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "notebooks"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

PROBE = """import json, os, sys
print(json.dumps({"pid": os.getpid(), "parent": os.getppid(), "cwd": os.getcwd(),
                  "csv_loaded": "csv" in sys.modules, "left_over": globals().get("LEFT_OVER"),
                  "value": value}))
LEFT_OVER = value"""


def _probe_notebook(path: Path) -> Path:
    """A notebook with a ``value`` parameter that reports its process and sets a global."""
    parameters = nbformat.v4.new_code_cell("value = 0")
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(PROBE)])
    nbformat.write(nb, str(path))
    return path


def _printed(out: Path) -> dict:
    nb = json.loads(out.read_text(encoding="utf-8"))
    return json.loads("".join(nb["cells"][-1]["outputs"][0]["text"]))


@pytest.fixture
def zygote() -> KernelZygote:
    # csv stands for pandas and friends: loaded by the zygote, never by the probe
    forks = KernelZygote(["csv"])
    yield forks
    forks.close()


def test_each_report_gets_a_new_forked_kernel_with_the_imports_done_and_no_state(
    tmp_path: Path, zygote: KernelZygote
) -> None:
    template = _probe_notebook(tmp_path / "probe.ipynb")
    seen = []
    for value in (1, 2):
        folder = tmp_path / f"report{value}"
        folder.mkdir()
        out = execute_notebook(template, folder / "out.ipynb", {"value": value}, cwd=folder, zygote=zygote)
        seen.append(_printed(out))
        # papermill's injection: a cell tagged injected-parameters right after the tagged one
        cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
        assert cells[1]["metadata"]["tags"] == ["injected-parameters"]
    first, second = seen
    assert first["parent"] == second["parent"] == zygote.process.pid
    assert first["pid"] != second["pid"]
    assert first["csv_loaded"] and second["csv_loaded"]
    assert (first["value"], second["value"]) == (1, 2)
    assert first["left_over"] is None and second["left_over"] is None  # nothing leaked
    assert first["cwd"] == str(tmp_path / "report1") and second["cwd"] == str(tmp_path / "report2")


def test_a_failed_cell_in_a_forked_kernel_keeps_the_evidence(tmp_path: Path, zygote: KernelZygote) -> None:
    output = tmp_path / "report.ipynb"
    with pytest.raises(ReportError) as info:
        execute_notebook(FIXTURES / "fail.ipynb", output, {"round_id": "r9"}, zygote=zygote)
    assert info.value.cell == 3
    assert info.value.ename == "ValueError"
    assert "bad data in r9" in (tmp_path / "report.failed.ipynb").read_text(encoding="utf-8")
    assert not output.exists()


def test_without_its_zygote_a_report_starts_a_kernel_the_usual_way(tmp_path: Path) -> None:
    zygote = KernelZygote(["csv"])
    zygote.close()
    template = _probe_notebook(tmp_path / "probe.ipynb")
    out = execute_notebook(template, tmp_path / "out.ipynb", {"value": 3}, cwd=tmp_path, zygote=zygote)
    printed = _printed(out)
    assert printed["value"] == 3
    assert printed["parent"] != zygote.process.pid


def test_closing_the_zygote_ends_it_and_its_kernels(tmp_path: Path) -> None:
    zygote = KernelZygote(["csv"])
    template = _probe_notebook(tmp_path / "probe.ipynb")
    execute_notebook(template, tmp_path / "out.ipynb", {"value": 4}, cwd=tmp_path, zygote=zygote)
    process = psutil.Process(zygote.process.pid)
    family = [process, *process.children(recursive=True)]
    assert len(family) >= 2  # the zygote and the spare kernel it forked ahead
    zygote.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family):
        time.sleep(0.05)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family)


def test_the_zygote_says_when_its_imports_are_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "slow_library.py").write_text(
        f"import pathlib, time\ntime.sleep(0.5)\npathlib.Path({str(marker)!r}).write_text('x')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    zygote = KernelZygote(["slow_library"])
    try:
        assert not zygote.ready
        assert zygote.wait_ready() and zygote.ready
        assert marker.read_text() == "x"  # ready means imported
        assert zygote.wait_ready()  # asked again: answered at once
    finally:
        zygote.close()
    ended = KernelZygote(["csv"])
    ended.process.kill()
    ended.process.wait()
    assert not ended.wait_ready()
    ended.close()


def test_the_zygote_preloads_what_the_report_notebooks_import() -> None:
    from exchange_eval.core.paths import PACKAGE_NOTEBOOKS

    names = notebook_imports(sorted(Path(PACKAGE_NOTEBOOKS).glob("*.ipynb")))
    assert "exchange_eval.core.paths" in names
    assert "exchange_eval.present.round_report" in names
