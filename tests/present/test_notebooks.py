"""Report notebooks: structure only (they are executed by the report tests).

Each notebook has exactly one cell tagged ``parameters`` with the documented names, is
stored without outputs or execution counts, has no static Markdown (headings must be
translated, so the package writes them), and every translation key that it or the
display modules use exists in every language.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from exchange_eval.present import i18n
from support import ROOT

NOTEBOOKS = {
    "round_report.ipynb": {"round_id", "lang", "data_dir", "reports_dir", "provenance", "results_cache"},
    "synthesis_report.ipynb": {"rounds", "lang", "data_dir", "reports_dir", "provenance", "results_cache"},
    "feedback_review.ipynb": {"rounds", "lang", "data_dir", "reports_dir", "provenance", "results_cache"},
}
# every module that shows text: the whole presentation layer
KEY_CALL = re.compile(r"""\b(?:t|heading|note|translate_or)\(\s*(f?)["']([a-z0-9_.{}\-]+)["']""")
FIGURE_KEY = re.compile(r"""["']((?:round|synthesis|review)\.figure\.[a-z0-9_]+)["']""")
PLURAL_CALL = re.compile(r"""\bplural\(\s*["']([a-z0-9_.]+)["']""")
KEY_ARG = re.compile(r"""(?:title_key|caption_key)\s*=\s*["']([a-z0-9_.]+)["']""")
DICT_KEY = re.compile(r""":\s*["']((?:col|round|review|synthesis)\.[a-z0-9_.]+)["']""")


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / name, as_version=4)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_one_parameters_cell_with_the_documented_names(name: str) -> None:
    nb = _load(name)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assigned = {
        target.id
        for node in ast.parse(tagged[0].source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert assigned == NOTEBOOKS[name]
    if name != "round_report.ipynb":
        assert "rounds = None" in tagged[0].source


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_without_outputs(name: str) -> None:
    nb = _load(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        assert cell.cell_type == "code", "headings come from the package, translated"
        assert cell.outputs == []
        assert cell.execution_count is None


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_cells_are_thin(name: str) -> None:
    """No loops or function definitions in a notebook: logic lives where tests reach it."""
    for cell in _load(name).cells:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.For | ast.While | ast.ClassDef), cell.source


def _used_keys() -> tuple[set[str], set[str]]:
    sources = [c.source for name in NOTEBOOKS for c in _load(name).cells]
    sources += [m.read_text(encoding="utf-8") for m in sorted((ROOT / "src" / "exchange_eval" / "present").rglob("*.py"))]
    exact: set[str] = set()
    prefixes: set[str] = set()
    for text in sources:
        for is_f, key in KEY_CALL.findall(text):
            if is_f or "{" in key:
                prefixes.add(key.split("{", 1)[0])
            else:
                exact.add(key)
        exact.update(f"{key}.{form}" for key in PLURAL_CALL.findall(text) for form in ("one", "other"))
        exact.update(KEY_ARG.findall(text))
        exact.update(DICT_KEY.findall(text))
        exact.update(FIGURE_KEY.findall(text))
    return exact, prefixes


def test_every_used_key_exists_in_every_language() -> None:
    exact, prefixes = _used_keys()
    assert len(exact) > 100  # the scan found the keys
    for lang in i18n.available_languages():
        keys = i18n.keys(lang)
        missing = sorted(k for k in exact if k not in keys)
        assert not missing, f"{lang}.yaml lacks {missing}"
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in keys), f"{lang}.yaml has no key under {prefix!r}"


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_configuration_comes_from_the_data_dir_parameter(name: str) -> None:
    """A kernel reads the data folder it is given (its config/ included), never the environment."""
    source = "\n".join(c.source for c in _load(name).cells)
    assert "Workspace.from_options(data_dir, reports_dir)" in source
    assert "ReportContext(ws.config, lang)" in source or "ReportContext.for_round(ws.config, lang, rd)" in source
    assert "environ" not in source and "EXCHANGE_EVAL" not in source
