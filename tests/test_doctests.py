"""Every docstring example of the package holds: the doctests of each module, one test per
module, found by walking ``exchange_eval`` (a module added later is checked too)."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import exchange_eval

# ``python -m exchange_eval`` would run the command line on import
NOT_IMPORTABLE = ("__main__",)


def _module_names() -> list[str]:
    names = [exchange_eval.__name__]
    for info in pkgutil.walk_packages(exchange_eval.__path__, prefix=f"{exchange_eval.__name__}."):
        if info.name.rpartition(".")[2] not in NOT_IMPORTABLE:
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def test_the_walk_finds_every_layer() -> None:
    layers = {name.split(".")[1] for name in MODULES if name.count(".") >= 1}
    assert {"core", "ingest", "clean", "analysis", "demo"} <= layers
    assert "exchange_eval.core.text" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    report = io.StringIO()
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(module):
        runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail:\n{report.getvalue()}"
