"""The Word file and the results-framework spreadsheet beside a report: they open, and
hold what the page holds."""

from __future__ import annotations

import base64
import io

import docx
import matplotlib
import nbformat
import openpyxl
import pandas as pd
import pytest

from exchange_eval.publish.docx import WIDE_COLUMNS, export_docx
from exchange_eval.publish.spec import check_formats
from exchange_eval.publish.workbook import (
    EXPORT_MIME,
    framework_frame,
    notebook_exports,
    strip_exports,
    write_framework,
)

matplotlib.use("Agg")


def _png() -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _page(tmp_path, body: str):
    path = tmp_path / "report.html"
    path.write_text(f'<!DOCTYPE html><html lang="fr"><head><style>p{{}}</style></head><body><main class="report">'
                    f"{body}</main></body></html>", encoding="utf-8")
    return path


def test_word_file_has_the_headings_tables_and_figures_of_the_page(tmp_path):
    wide = "".join(f"<th>c{i}</th>" for i in range(WIDE_COLUMNS + 2))
    body = (
        "<h1>Rapport</h1><h2>Verdict : l'échange a-t-il fonctionné ?</h2>"
        "<p>Amélioration : <strong>Nouvelles connaissances</strong> (preuves modérées).</p>"
        "<ul><li>un</li><li>deux</li></ul>"
        '<p class="table-caption">Cadre de résultats</p>'
        '<table><thead><tr><th>Niveau</th><th class="num">n</th></tr></thead>'
        '<tbody><tr><td>N2 apprentissage</td><td class="num">11</td></tr></tbody></table>'
        f'<figure><img src="data:image/png;base64,{_png()}" style="width:2.00in"/><figcaption>Figure 1</figcaption></figure>'
        f"<table><thead><tr>{wide}</tr></thead><tbody><tr>{'<td>x</td>' * (WIDE_COLUMNS + 2)}</tr></tbody></table>"
        '<p class="note">&lt;script&gt; reste du texte</p>'
    )
    out = export_docx(_page(tmp_path, body), tmp_path / "report.docx", title="Rapport", lang="fr")
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert "Verdict : l'échange a-t-il fonctionné ?" in texts
    assert any(p.style.name.startswith("Heading") and "Verdict" in p.text for p in document.paragraphs)
    assert "Amélioration : Nouvelles connaissances (preuves modérées)." in texts
    assert any(r.bold for p in document.paragraphs for r in p.runs if r.text == "Nouvelles connaissances")
    assert [p.text for p in document.paragraphs if p.style.name == "List Bullet"] == ["un", "deux"]
    assert "<script> reste du texte" in texts  # escaped text comes back as text
    first, second = document.tables
    assert [c.text for c in first.rows[1].cells] == ["N2 apprentissage", "11"]
    assert len(second.columns) == WIDE_COLUMNS + 2
    assert len(document.inline_shapes) == 1
    assert "Figure 1" in texts
    assert any(s.orientation == 1 for s in document.sections)  # the wide table on a landscape page
    assert document.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)  # A4 (EMU rounding)
    assert document.core_properties.language == "fr"


def test_results_framework_spreadsheet_and_csv_open_with_neutralised_cells(tmp_path):
    frame = pd.DataFrame({"Indicateur": ["Nouvelles connaissances", "=HYPERLINK(\"http://x\")"],
                          "n": [11, 9], "Effet": [1.0, -0.5]})
    xlsx, csv = write_framework(frame, tmp_path / "results_framework.xlsx", tmp_path / "results_framework.csv")
    sheet = openpyxl.load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Indicateur", "n", "Effet")
    assert rows[1] == ("Nouvelles connaissances", 11, 1.0)
    assert rows[2][0].startswith("'=") and rows[2][2] == -0.5  # text neutralised, numbers kept
    back = pd.read_csv(csv)
    assert back["n"].tolist() == [11, 9] and back["Indicateur"].iloc[1].startswith("'=")


def test_the_notebook_hands_over_the_framework_and_the_html_does_not_show_it():
    payload = {"lang": "en", "headline": "3 of 5 indicators improved.",
               "results_framework": {"columns": ["Indicator", "n"], "rows": [["New knowledge", 11]]}}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={EXPORT_MIME: payload}),
                    nbformat.v4.new_output("display_data", data={"text/html": "<p>x</p>"})]
    nb.cells = [cell]
    found = notebook_exports(nb)
    assert found["headline"] == "3 of 5 indicators improved."
    assert framework_frame(found).to_dict("records") == [{"Indicator": "New knowledge", "n": 11}]
    stripped = strip_exports(nb)
    assert [list(o["data"]) for o in stripped.cells[0].outputs] == [["text/html"]]
    assert notebook_exports(stripped) == {} and framework_frame({}).empty


def test_docx_is_a_format():
    assert check_formats("html,pdf,docx") == ("html", "pdf", "docx")


def test_every_cell_of_a_long_table_lands_in_its_place_with_ragged_rows(tmp_path):
    """Cells are written row by row from the new table's own elements; a short row leaves
    its last cells empty, the header repeats on each page and numbers align right."""
    rows = "".join(f'<tr><td>r{i}</td><td class="num">{i * 3}</td><td>t{i}</td></tr>' if i % 7
                   else f"<tr><td>r{i}</td></tr>" for i in range(400))
    body = f"<table><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody>{rows}</tbody></table>"
    document = docx.Document(str(export_docx(_page(tmp_path, body), tmp_path / "t.docx", title="t", lang="en")))
    (table,) = document.tables
    got = [[c.text for c in row.cells] for row in table.rows]
    assert got[0] == ["a", "b", "c"]
    assert got[1:] == [[f"r{i}", str(i * 3), f"t{i}"] if i % 7 else [f"r{i}", "", ""] for i in range(400)]
    assert table.rows[2].cells[1].paragraphs[0].alignment == 2  # r1's number
    assert [bool(row._tr.xpath("./w:trPr/w:tblHeader")) for row in table.rows[:3]] == [True, False, False]
