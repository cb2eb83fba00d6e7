"""Execute → HTML → PDF on tiny fixture notebooks (they import nothing heavy)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from exchange_eval.core.errors import DataError, ReportError, UsageError
from exchange_eval.core.paths import Workspace
from exchange_eval.publish.execute import execute_notebook
from exchange_eval.publish.export import export_html, export_pdf, external_resources
from exchange_eval.publish.index import write_index
from exchange_eval.publish.report import publish_report
from exchange_eval.publish.spec import (
    check_formats,
    provenance,
    report_languages,
    review_spec,
    round_language,
    round_spec,
    synthesis_spec,
)
from support import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "notebooks"
pytestmark = pytest.mark.xdist_group("report")


def make_workspace(tmp_path: Path, rounds: dict[str, str] | None = None) -> Workspace:
    """A workspace with processed stand-in rounds (meta.json only) and fixture notebooks."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("round_report", "synthesis_report", "feedback_review"):
        shutil.copy(FIXTURES / "ok.ipynb", notebooks / f"{name}.ipynb")
    ws = Workspace(tmp_path / "data", tmp_path / "reports", notebooks)
    for rid, lang in (rounds or {"r1": "fr"}).items():
        folder = ws.processed_round(rid)
        folder.mkdir(parents=True)
        meta = {
            "round_id": rid,
            "title": f"Round {rid}",
            "community": "jsr-exchange",
            "countries": ["SEN", "BFA"],
            "language": lang,
            "data_hash": f"hash-{rid}",
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return ws


def params(ws: Workspace, round_id: str = "r1", lang: str = "fr") -> dict:
    return {
        "round_id": round_id,
        "lang": lang,
        "data_dir": str(ws.data_dir),
        "reports_dir": str(ws.reports_dir),
        "provenance": provenance(ws, [round_id]),
    }


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    tmp = tmp_path_factory.mktemp("exec")
    ws = make_workspace(tmp)
    out = execute_notebook(FIXTURES / "ok.ipynb", tmp / "out" / "r1.ipynb", params(ws))
    return ws, out


@pytest.mark.slow
def test_execute_injects_parameters_after_the_tagged_cell(executed: tuple[Workspace, Path]) -> None:
    _ws, out = executed
    nb = json.loads(out.read_text(encoding="utf-8"))
    tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
    assert tags[1] == ["parameters"]
    assert tags[2] == ["injected-parameters"]
    assert "round_id = \"r1\"" in "".join(nb["cells"][2]["source"])
    printed = "".join(nb["cells"][3]["outputs"][0]["text"])
    assert printed.strip() == "round=r1 lang=fr rounds=None"
    # nothing else left behind: no temporary files next to the output
    assert sorted(p.name for p in out.parent.iterdir()) == ["r1.ipynb"]


@pytest.mark.slow
def test_failing_cell_names_cell_and_error_and_keeps_previous_output(tmp_path: Path) -> None:
    output = tmp_path / "report.ipynb"
    output.write_text("previous good report", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        execute_notebook(FIXTURES / "fail.ipynb", output, {"round_id": "r9"})
    error = info.value
    assert error.cell == 3  # third code cell of the template as a user counts them
    assert error.ename == "ValueError"
    assert error.evalue == "bad data in r9"
    message = str(error)
    assert "fail.ipynb: cell 3:" in message
    assert "ValueError: bad data in r9" in message
    assert "y = x + 1" in message
    assert output.read_text(encoding="utf-8") == "previous good report"
    failed = tmp_path / "report.failed.ipynb"
    assert failed.is_file()
    assert "bad data in r9" in failed.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.failed.ipynb", "report.ipynb"]


def test_missing_notebook_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="report notebook not found"):
        execute_notebook(tmp_path / "nope.ipynb", tmp_path / "o.ipynb", {})


@pytest.mark.slow
def test_html_is_offline_without_code_and_with_provenance(executed: tuple[Workspace, Path], tmp_path: Path) -> None:
    _ws, out = executed
    html_path = export_html(out, tmp_path / "r1.html", title="Round <one>", lang="fr", running_header='r1 · 2025-06-01 · "FR"')
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "<title>Round &lt;one&gt;</title>" in html
    # no input code, no prompts
    assert "SECRET_INPUT_MARKER" not in html
    assert "round_id = " not in html
    assert "In&nbsp;[" not in html and "In [" not in html
    # outputs are there: printed text, the HTML table, the embedded figure, provenance
    assert "round=r1 lang=fr" in html
    assert "<td>SEN</td><td>12</td>" in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)
    assert re.search(r'<div class="provenance">data hash-r1 · exchange-eval ', html)
    # nothing fetched from the network: no script/link/img/style pointing to http(s)
    assert external_resources(html) == []
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html, re.I)
    assert "@import" not in html
    assert "require.js" not in html.lower() and "mathjax" not in html.lower()
    # print stylesheet: A4, page counter, running header escaped as a CSS string
    assert "size: A4" in html
    assert 'counter(page) " / " counter(pages)' in html
    assert '@top-right { content: "r1 · 2025-06-01 · \\"FR\\""; }' in html
    assert "break-inside: avoid" in html


def test_external_resources_finds_remote_scripts_styles_and_images() -> None:
    page = (
        '<script src="https://cdn.example.org/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/css">'
        '<img src="data:image/png;base64,AAAA"><img srcset="a.png 1x, http://x.org/b.png 2x">'
        "<style>@import 'https://x.org/a.css'; .a { background: url(http://x.org/i.png) }</style>"
        '<a href="https://www.globalpartnership.org">a plain link is fine</a>'
    )
    found = external_resources(page)
    assert found == [
        "<script src=https://cdn.example.org/require.js>",
        "<link href=//fonts.example.org/css>",
        "<img srcset=http://x.org/b.png>",
        "css https://x.org/a.css",
        "css http://x.org/i.png",
    ]


@pytest.mark.slow
def test_pdf_is_a4_with_pages(executed: tuple[Workspace, Path], tmp_path: Path) -> None:
    from pypdf import PdfReader

    _ws, out = executed
    html_path = export_html(out, tmp_path / "r1.html", title="Round one", lang="fr", running_header="r1 · FR")
    pdf_path = export_pdf(html_path, tmp_path / "r1.pdf")
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(pdf_path)
    assert len(reader.pages) >= 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "1 / 1" in text
    assert "r1 · FR" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r1.html", "r1.pdf"]


def test_provenance_combines_round_hashes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"a": "en", "b": "fr"})
    one = provenance(ws, ["a"])
    assert one["data_hash"] == "hash-a"
    assert one["rounds"] == {"a": "hash-a"}
    both = provenance(ws)
    assert both["rounds"] == {"a": "hash-a", "b": "hash-b"}
    assert len(both["data_hash"]) == 64
    assert both["data_hash"] == provenance(ws, ["b", "a"])["data_hash"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", both["built_at"])


@pytest.mark.slow
def test_publish_report_names_and_index_links(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"r1": "fr"})
    written = publish_report(ws, round_spec(ws, "r1"), ("html",))
    assert [p.name for p in written] == ["round_report.ipynb", "round_report.html", "round_report.json"]
    other = publish_report(ws, round_spec(ws, "r1", "en"), ("html",))
    assert [p.name for p in other] == ["round_report.en.ipynb", "round_report.en.html", "round_report.en.json"]
    record = json.loads((ws.reports_dir / "r1" / "round_report.json").read_text(encoding="utf-8"))
    assert record["lang"] == "fr"
    assert record["data_hash"] == "hash-r1"
    assert record["formats"] == ["html"]
    assert record["countries"] == ["SEN", "BFA"]
    assert record["provenance"]["package_version"]
    # provenance is computed once: the notebook's line, the page's <meta> and the record agree
    html = (ws.reports_dir / "r1" / "round_report.html").read_text(encoding="utf-8")
    built_at = record["provenance"]["built_at"]
    assert record["built_at"] == built_at
    assert f'<meta name="exchange-eval:built-at" content="{built_at}">' in html
    assert f'<div class="provenance">data hash-r1 · exchange-eval {record["provenance"]["package_version"]} · {built_at}</div>' in html
    executed = nbformat.read(ws.reports_dir / "r1" / "round_report.ipynb", as_version=4)
    assert executed.metadata.papermill.parameters.provenance == record["provenance"]
    index = write_index(ws).read_text(encoding="utf-8")
    assert '<a href="r1/round_report.html" hreflang="fr">HTML</a>' in index
    assert '<a href="r1/round_report.en.html" hreflang="en">HTML</a>' in index
    assert "Round r1" in index and "SEN, BFA" in index
    assert 'href="/' not in index and "http" not in index.split("<main")[1]
    assert external_resources(index) == []
    # a failing rebuild leaves the good HTML in place
    good = (ws.reports_dir / "r1" / "round_report.html").read_bytes()
    shutil.copy(FIXTURES / "fail.ipynb", ws.notebooks_dir / "round_report.ipynb")
    with pytest.raises(ReportError, match="cell 3"):
        publish_report(ws, round_spec(ws, "r1"), ("html",))
    assert (ws.reports_dir / "r1" / "round_report.html").read_bytes() == good
    leftovers = [p.name for p in (ws.reports_dir / "r1").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert (ws.reports_dir / "r1" / "round_report.failed.ipynb").is_file()


@pytest.mark.slow
def test_notebook_kernel_reads_the_data_folder_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A threshold overridden in <data_dir>/config/settings.yaml reaches the report kernel
    through its ``data_dir`` parameter, not through the environment."""
    monkeypatch.delenv("EXCHANGE_EVAL_DATA", raising=False)
    ws = make_workspace(tmp_path, {"r1": "fr"})
    (ws.config_dir).mkdir(parents=True)
    (ws.config_dir / "settings.yaml").write_text("privacy:\n  min_cell_size: 7\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("round_id = None\ndata_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os\nfrom exchange_eval.core.config import Config\n"
            "print('k =', Config(data_dir).min_cell_size, os.environ.get('EXCHANGE_EVAL_DATA'))"
        ),
    ]
    nbformat.write(nb, ws.notebooks_dir / "round_report.ipynb")
    written = publish_report(ws, round_spec(ws, "r1"), ("html",))
    executed = nbformat.read(written[0], as_version=4)
    assert "".join(o.get("text", "") for o in executed.cells[-1].outputs).strip() == "k = 7 None"


def test_round_spec_files_parameters_and_languages(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, {"r1": "fr", "r2": "en"})
    spec = round_spec(ws, "r1")
    assert (spec.lang, spec.default_lang, spec.title) == ("fr", "fr", "Round r1")
    assert spec.path(ws, "html") == ws.reports_dir / "r1" / "round_report.html"
    assert round_spec(ws, "r1", "en").path(ws, "pdf") == ws.reports_dir / "r1" / "round_report.en.pdf"
    assert spec.parameters == {"round_id": "r1", "lang": "fr", "data_dir": str(ws.data_dir), "reports_dir": str(ws.reports_dir)}
    assert spec.info == {"community": "jsr-exchange", "countries": ["SEN", "BFA"], "host": None}
    assert round_language(ws, "r1") == "fr" and round_language(ws, "r9") is None
    with pytest.raises(DataError, match="has not been cleaned yet"):
        round_spec(ws, "r9")
    synthesis = synthesis_spec(ws, "fr", ["r1", "r2"])
    assert synthesis.path(ws, "html") == ws.reports_dir / "synthesis" / "synthesis_report.fr.html"
    assert synthesis.parameters["rounds"] == ["r1", "r2"]
    assert review_spec(ws).path(ws, "json") == ws.reports_dir / "review" / "feedback_review.json"
    assert review_spec(ws).parameters["rounds"] is None
    # the build's languages: the one asked for, else the given list, else the setting
    assert report_languages(ws, "fr") == ("fr",)
    assert report_languages(ws, None, ["fr", "en", "fr"]) == ("fr", "en")
    assert report_languages(ws) == ("en", "fr")  # the package's settings.yaml


def test_one_format_validator() -> None:
    assert check_formats("html,pdf") == ("html", "pdf")
    assert check_formats(" PDF , html,pdf ") == ("pdf", "html")
    assert check_formats(["ipynb", "html"]) == ("html",)  # the .ipynb is always written
    assert check_formats(()) == check_formats("ipynb") == ()
    assert check_formats("docx,html") == ("docx", "html")  # every report is also a Word file
    for bad in ("rtf", "", " , ", "html,rtf", ["pdf", "odt"]):
        with pytest.raises(UsageError, match="html, pdf, docx, ipynb"):
            check_formats(bad)
