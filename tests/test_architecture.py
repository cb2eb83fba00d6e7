"""The house rules of the package, checked on its source: one-way imports without cycles,
small modules, no environment reads below the CLI, no private names across modules, the
report notebooks shipped inside the package, and a module map (docs/contracts.md) that
names every module and no module that is gone."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import grimp
import networkx as nx
import pytest

from exchange_eval.core.paths import PACKAGE_DIR, PACKAGE_NOTEBOOKS
from support import ROOT

MAX_LINES = 600
ENVIRONMENT_READERS = {"cli.py", "core/config.py"}
# the kernel zygote sets up each forked kernel's environment as jupyter_client prepared it
# (it writes the environment of a new process and reads no configuration from it)
KERNEL_ENVIRONMENT = {"publish/kernel.py"}
SOURCES = sorted(PACKAGE_DIR.rglob("*.py"))
CONTRACTS = ROOT / "docs" / "contracts.md"
# a module named in the map: a code span holding its path under src/exchange_eval/
# (`cli.py`, `clean/pipeline.py`, `present/plots/style.py`)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
MODULE_PATH = re.compile(r"(?:\w+/)*\w+\.py")


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE_DIR).as_posix()


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("exchange_eval")
    imports = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    cycles = [cycle for cycle in nx.simple_cycles(imports) if len(cycle) > 1]
    assert cycles == []


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_module_is_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_only_the_cli_and_the_settings_loader_read_the_environment() -> None:
    readers = {_relative(p) for p in SOURCES if "os.environ" in p.read_text(encoding="utf-8")}
    assert readers <= ENVIRONMENT_READERS | KERNEL_ENVIRONMENT


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("exchange_eval")):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_private_name_is_imported_across_modules() -> None:
    tests = sorted((ROOT / "tests").rglob("*.py"))
    offenders = {str(p): names for p in SOURCES + tests if (names := _private_imports(p))}
    assert offenders == {}


def test_the_report_notebooks_ship_inside_the_package() -> None:
    notebooks = sorted(p.name for p in PACKAGE_NOTEBOOKS.glob("*.ipynb"))
    assert notebooks == ["feedback_review.ipynb", "round_report.ipynb", "synthesis_report.ipynb"]
    assert PACKAGE_NOTEBOOKS.parent == PACKAGE_DIR
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "notebooks/*.ipynb" in package_data["exchange_eval"]
    assert (ROOT / "notebooks").resolve() == PACKAGE_NOTEBOOKS


def _modules_in_the_map() -> set[str]:
    spans = CODE_SPAN.findall(CONTRACTS.read_text(encoding="utf-8"))
    return {span for span in spans if MODULE_PATH.fullmatch(span)}


def test_the_module_map_names_every_module() -> None:
    modules = {_relative(p) for p in SOURCES if p.name != "__init__.py"}
    assert sorted(modules - _modules_in_the_map()) == []


def test_every_module_the_map_names_exists() -> None:
    missing = [path for path in _modules_in_the_map() if not (PACKAGE_DIR / path).is_file()]
    assert sorted(missing) == []


def test_planning_a_build_imports_no_data_library() -> None:
    # a build with nothing to do answers in well under a second: the CLI and the build
    # orchestrator plan from hashes and JSON; pandas, statsmodels and matplotlib load in
    # the workers and kernels that run reports
    import subprocess
    import sys

    probe = ("import sys, exchange_eval.cli, exchange_eval.build; "
             "print(sorted(m for m in ('pandas', 'statsmodels', 'matplotlib', 'scipy', 'papermill') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
