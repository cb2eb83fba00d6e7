"""End to end: synthetic rounds → clean → every report (HTML + PDF) → index.

One build into a temporary folder, shared by the tests of this module (they run on one
xdist worker). The checks are the ones a user makes: reports exist and open offline, the
PDF has pages and real text, the planted "new knowledge" gain is recovered while the null
outcome is not significant, and no roster name, e-mail or phone number survives anywhere
downstream of data/raw.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from exchange_eval.present.context import ReportContext

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

ROUNDS = ("jsr-2025-fr", "jsr-2025-en", "salex-2025")


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_demo, demo_rounds):
    from exchange_eval.build import build_all
    from exchange_eval.core.paths import Workspace

    root = tmp_path_factory.mktemp("e2e")
    ws = Workspace.from_options(root / "data", root / "reports")
    copy_demo(ws.data_dir)
    written = demo_rounds
    raw_hashes = _hashes(ws.raw_dir)
    result = build_all(ws, jobs=2, formats=("html", "pdf"), progress=False)
    truth = json.loads((ws.data_dir / "demo_truth.json").read_text(encoding="utf-8"))
    return ws, written, result, truth, raw_hashes


def _hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_demo_writes_three_kinds_of_round(built):
    _, written, _, _, _ = built
    assert set(ROUNDS) <= set(written)


def test_build_succeeds(built):
    _, _, result, _, _ = built
    assert result.ok, "\n".join(result.failures)


def test_raw_files_are_untouched(built):
    ws, _, _, _, before = built
    assert _hashes(ws.raw_dir) == before


@pytest.mark.parametrize("round_id", ROUNDS)
def test_round_reports_exist_with_pages(built, round_id):
    from pypdf import PdfReader

    ws = built[0]
    folder = ws.reports_dir / round_id
    html = next(folder.glob("round_report*.html"))
    pdf = next(folder.glob("round_report*.pdf"))
    text = html.read_text(encoding="utf-8")
    assert "<html" in text and len(text) > 20_000
    assert "data:image/png;base64" in text or "<svg" in text, "figures are embedded"
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 3
    first = reader.pages[0].extract_text()
    assert len(first.strip()) > 50


def test_synthesis_review_and_index(built):
    ws = built[0]
    for name in ("synthesis", "review"):
        assert list((ws.reports_dir / name).glob("*.html")), name
        assert list((ws.reports_dir / name).glob("*.pdf")), name
    index = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    for round_id in ROUNDS:
        assert f"{round_id}/" in index
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all(not link.startswith(("http:", "https:", "/")) for link in links)
    for link in links:
        assert (ws.reports_dir / link.split("#")[0]).exists(), link


def test_html_loads_nothing_from_the_network(built):
    ws = built[0]
    for html in ws.reports_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', text), html
        assert "@import url(http" not in text
        assert "class=\"jp-InputArea" not in text and "In&nbsp;[" not in text, "no input cells or prompts"


def test_new_knowledge_gain_is_recovered_and_null_is_not_significant(built):
    from exchange_eval.analysis.outcomes import outcome_changes
    from exchange_eval.core.processed import load_round

    ws, _, _, truth, _ = built
    for round_id in ("jsr-2025-fr", "jsr-2025-en"):
        responses = load_round(ws, round_id).responses
        changes = outcome_changes(responses, primary="new_knowledge").set_index("outcome")
        planted = truth["rounds"][round_id]["outcomes"]
        knowledge = changes.loc["new_knowledge"]
        assert knowledge["median_change"] == pytest.approx(planted["new_knowledge"]["median_change"], abs=0.34)
        assert knowledge["median_change"] == pytest.approx(planted["new_knowledge"]["planted_change"], abs=0.5)
        assert knowledge["p_value"] < 0.05 and knowledge["p_adjusted"] < 0.05
        assert knowledge["estimate"] == pytest.approx(planted["new_knowledge"]["planted_change"], abs=0.5)
        assert knowledge["ci_low"] > 0
        assert knowledge["n"] == truth["rounds"][round_id]["linked_pairs"]
        consensus = changes.loc["improved_consensus"]
        assert consensus["p_value"] > 0.05 and consensus["p_adjusted"] > 0.05
        assert consensus["ci_low"] <= 0 <= consensus["ci_high"]


def _canaries(truth: dict) -> set[str]:
    values: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("email", "name") and isinstance(value, str) and value:
                    values.add(value.strip())
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(truth)
    return values


def test_no_personal_data_downstream(built):
    ws, _, _, truth, _ = built
    canaries = _canaries(truth)
    assert len(canaries) >= 10
    lowered = {c.lower() for c in canaries}
    texts = []
    for folder in (ws.processed_dir, ws.reports_dir):
        for path in folder.rglob("*"):
            if path.suffix in (".csv", ".json", ".html", ".ipynb", ".parquet"):
                texts.append((path, path.read_bytes().decode("utf-8", errors="replace").lower()))
    from pypdf import PdfReader

    for pdf in ws.reports_dir.rglob("*.pdf"):
        texts.append((pdf, "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages).lower()))
    for path, text in texts:
        for canary in lowered:
            assert canary not in text, f"{canary!r} found in {path}"


def test_script_tags_from_respondents_are_escaped(built):
    ws = built[0]
    for html in ws.reports_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in text


def test_second_build_does_nothing(built):
    from exchange_eval.build import build_all

    ws = built[0]
    again = build_all(ws, jobs=2, formats=("html", "pdf"), progress=False)
    assert again.ok
    assert again.built == []


@pytest.mark.parametrize("round_id", ROUNDS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_round_report_sections_and_provenance_in_both_languages(built, round_id, lang):
    """Every section heading of the round report, from the translation table of the report's
    language, and the provenance line; no untranslated key leaks through."""
    import html as html_lib

    from exchange_eval.core.processed import load_round
    from exchange_eval.present.i18n import t

    ws = built[0]
    default = load_round(ws, round_id).meta["language"]
    name = "round_report.html" if lang == default else f"round_report.{lang}.html"
    text = html_lib.unescape((ws.reports_dir / round_id / name).read_text(encoding="utf-8"))
    assert f'<html lang="{lang}"' in text
    for key in ("summary", "participation", "feedback", "learning", "plans", "jsr", "rf18", "network", "tools",
                "methods", "sources"):
        assert t(f"round.h.{key}", lang) in text, key
    assert 'class="provenance"' in text
    assert load_round(ws, round_id).meta["data_hash"][:12] in text
    assert not re.search(r"\b(round|sentence|col|summary)\.[a-z_]+\.[a-z_]+\b", text), "untranslated key"


class _NoSuppression(ReportContext):
    """The same report with nothing withheld (k = 1): the values a withheld row hides."""

    @property
    def k(self) -> int:
        return 1


def _true_tables(ws, record: dict) -> dict[str, dict[str, list[str]]]:
    """Every table of a report rendered in this process without suppression: caption ->
    row label -> cells (the values a withheld row hides)."""
    from disclosure import report_tables
    from exchange_eval.core.processed import load_round
    from exchange_eval.present import round_report, synthesis_report

    ctx = _NoSuppression(ws.config, record["lang"])
    if record["kind"] == "round":
        rd = load_round(ws, record["name"])
        res = round_report.round_results(rd, ctx)
        parts = [round_report.participation_section(rd, ctx), round_report.feedback_section(rd, ctx, res.feedback),
                 round_report.learning_section(rd, ctx, res.learning), round_report.plans_section(rd, ctx, res.plans),
                 round_report.jsr_section(rd, ctx, res.jsr), round_report.network_section(rd, ctx, res.network),
                 round_report.pulse_section(rd, ctx, res.pulse), round_report.tools_section(rd, ctx)]
    elif record["kind"] == "synthesis":
        data = [load_round(ws, r) for r in record["rounds"]]
        parts = [synthesis_report.feedback_section(data, ctx), synthesis_report.tools_section(data, ctx),
                 synthesis_report.outcomes_section(data, ctx), synthesis_report.ladder_section(data, ctx)]
    else:
        return {}
    page = "".join(p for part in parts for p in part)
    return {tb["caption"]: {cells[0]: cells for cells, _ in tb["rows"]} for tb in report_tables(page)}


def test_no_withheld_cell_can_be_worked_out_from_any_report(built):
    """The suppression test of issue 13: every table of every demo report (HTML, both
    languages) is read as a reader would, and for each withheld row every whole number
    printed anywhere in the same report is tried as the table's total ("total − rows
    shown"). A withheld count is recovered when the true total is printed and the
    subtraction pins it down (one withheld row, or all at their lower bound). Nothing
    may be recovered. (Numbers inside figures are images and are not read.)"""
    from disclosure import published_integers, recovered_cells, report_tables

    ws = built[0]
    records = sorted(ws.reports_dir.rglob("*.json"))
    assert records, "no report records"
    attacked = 0
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        if "kind" not in record or "html" not in record.get("files", {}):
            continue
        page = (path.parent / record["files"]["html"]).read_text(encoding="utf-8")
        withheld = [tb for tb in report_tables(page) if any(hidden for _, hidden in tb["rows"])]
        if not withheld:
            continue
        truth = _true_tables(ws, record)
        numbers = published_integers(page)
        for table in withheld:
            assert table["caption"] in truth, f"{path.name}: no unsuppressed rendering of {table['caption']!r}"
            attacked += 1
            recovered = recovered_cells(table, truth[table["caption"]], numbers)
            assert recovered == [], f"{path.parent.name}/{record['files']['html']}: {recovered}"
    assert attacked >= 2  # the SALEX participation table, in English and French
