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
    result = build_all(ws, jobs=2, formats=("html", "pdf", "docx"), progress=False)
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
    again = build_all(ws, jobs=2, formats=("html", "pdf", "docx"), progress=False)
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
    common = ("participation", "feedback", "methods", "sources")
    kind = ("learning", "plans", "selfassessment", "jsr", "rf18", "tools") if round_id != "salex-2025" else (
        "pulse", "network")
    for key in (*common, *kind):
        assert t(f"round.h.{key}", lang) in text, key
    absent = ("network",) if round_id != "salex-2025" else ("learning", "plans", "selfassessment", "jsr", "rf18")
    for key in absent:  # a round shows only the sections its data supports
        assert t(f"round.h.{key}", lang) not in text, key
    # the verdict comes first, then the results framework
    assert text.index(t("verdict.title", lang)) < text.index(t("framework.h", lang)) < text.index(
        t("round.h.participation", lang))
    assert 'class="provenance"' in text
    assert load_round(ws, round_id).meta["data_hash"][:12] in text
    assert not re.search(r"\b(round|sentence|col|summary|verdict|framework)\.[a-z_]+\.[a-z_]+\b", text), \
        "untranslated key"


def test_every_report_has_a_word_file_and_a_results_framework_that_open(built):
    """Each report's .docx opens (python-docx) with its verdict, and its results framework
    opens (openpyxl) with one row per indicator."""
    import docx
    import openpyxl

    ws = built[0]
    records = [json.loads(p.read_text(encoding="utf-8")) for p in ws.reports_dir.glob("*/*.json")]
    assert len(records) == 10  # 3 rounds and 2 programme reports, in 2 languages
    for record in records:
        folder = ws.reports_dir / record["name"]
        assert {"docx", "framework_xlsx", "framework_csv"} <= set(record["files"]), record["name"]
        document = docx.Document(str(folder / record["files"]["docx"]))
        assert document.tables and document.core_properties.language == record["lang"]
        assert any(p.style.name.startswith("Heading") for p in document.paragraphs)
        sheet = openpyxl.load_workbook(folder / record["files"]["framework_xlsx"]).active
        assert sheet.max_row >= 2, record["name"]
        assert record["headline"], record["name"]


def test_demo_verdicts_in_the_published_framework_agree_with_the_truth(built):
    import pandas as pd

    from exchange_eval.present.i18n import t

    ws, _, _, truth, _ = built
    for round_id in ("jsr-2025-fr", "jsr-2025-en"):
        lang = truth["rounds"][round_id]["language"]
        frame = pd.read_csv(ws.reports_dir / round_id / "results_framework.csv")
        verdicts = dict(zip(frame[t("framework.col.indicator", lang)], frame[t("framework.col.verdict", lang)],
                            strict=True))
        improved, same = t("verdict.change.improved", lang, grade=""), t("verdict.change.no_change", lang)
        consensus = "Consensus amélioré" if lang == "fr" else "Improved consensus"
        knowledge = "Nouvelles connaissances" if lang == "fr" else "New knowledge"
        assert verdicts[knowledge].startswith(improved.rstrip())
        assert verdicts[consensus] == same


def test_index_in_both_languages_with_a_headline_per_report(built):
    ws = built[0]
    english = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    french = (ws.reports_dir / "index.fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in french and "Rapports" in french and 'href="index.html"' in french
    assert "indicators improved" in english and "en amélioration" in french
    assert "/round_report.docx" in english and "/results_framework.xlsx" in english


class _NoSuppression(ReportContext):
    """The same report with nothing withheld (k = 1): the values a withheld row hides."""

    @property
    def k(self) -> int:
        return 1


def _true_tables(ws, record: dict) -> dict[str, dict[str, list[str]]]:
    """Every table of a report rendered in this process without suppression: caption ->
    row label -> cells (the values a withheld row hides). Every section a report shows:
    the round's data-driven list (verdict, framework, robustness, questions, …), the
    programme reports' sections and verdict tables."""
    from disclosure import report_tables
    from exchange_eval.core.processed import load_round
    from exchange_eval.present import (
        feedback_review,
        round_report,
        synthesis_headline,
        synthesis_report,
    )

    if record["kind"] == "round":
        rd = load_round(ws, record["name"])
        ctx = _NoSuppression.for_round(ws.config, record["lang"], rd)
        parts = [round_report.round_sections(rd, ctx)]
    elif record["kind"] == "synthesis":
        ctx = _NoSuppression(ws.config, record["lang"])
        data = [load_round(ws, r) for r in record["rounds"]]
        headline = synthesis_headline.synthesis_headline(data, ctx)
        outcomes = synthesis_report.outcome_results(data, ctx)
        parts = [synthesis_headline.synthesis_verdict_block(headline, ctx),
                 synthesis_headline.synthesis_framework_block(headline, ctx),
                 synthesis_report.feedback_section(data, ctx), synthesis_report.tools_section(data, ctx),
                 synthesis_report.outcomes_section(data, ctx, outcomes), synthesis_report.ladder_section(data, ctx),
                 synthesis_headline.selfassessment_section(headline, ctx), synthesis_headline.plans_section(headline, ctx),
                 synthesis_report.network_section(data, ctx)]
    else:
        ctx = _NoSuppression(ws.config, record["lang"])
        data = [load_round(ws, r) for r in record["rounds"]]
        findings = feedback_review.review_findings(data, ctx)
        parts = [feedback_review.response_section(findings, ctx), feedback_review.nonresponse_section(findings, ctx),
                 feedback_review.straightlining_section(findings, ctx), feedback_review.tools_section(data, ctx)]
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
