"""HTML report page → editable Word document (``.docx``), written atomically.

The Word file is made from the same page as the HTML and the PDF, so it says the same
thing in the same language: headings become Word headings, paragraphs and lists Word
paragraphs and lists, tables Word tables (header row repeated on each page, wide tables on
a landscape page), figures the embedded PNGs with their captions. A user can edit it and
hand it over. Built with python-docx, walking the page's HTML (lxml), on A4 with 2 cm
margins; the document's language is set so Word checks spelling in it.

python-docx and lxml are imported inside `export_docx`: the build imports this package
to plan reports and must not pay for them.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_path
from ..core.errors import ReportError

__all__ = ["export_docx", "WIDE_COLUMNS"]

#: A table with more columns than this goes on a landscape page.
WIDE_COLUMNS = 7
_SPACE = re.compile(r"\s+")
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "ul", "ol", "table", "figure", "img", "div", "section", "main",
           "article", "figcaption", "dl", "pre", "blockquote"}


def _text(element: Any) -> str:
    return _SPACE.sub(" ", element.text_content() if element is not None else "").strip()


class _Writer:
    """Walks the HTML tree and appends to a python-docx Document."""

    def __init__(self, document: Any, lang: str) -> None:
        from docx.shared import Pt, RGBColor

        self.doc = document
        self.lang = lang
        self.Pt, self.RGBColor = Pt, RGBColor

    # ---------------------------------------------------------------- blocks
    def block(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = set((element.get("class") or "").split())
        if tag in ("style", "script", "head", "title", "meta"):
            return
        if tag in ("h1", "h2", "h3", "h4", "h5"):
            text = _text(element)
            if text:
                self.doc.add_heading(text, level=min(int(tag[1]), 4) if tag != "h1" else 0)
            return
        if tag == "p":
            self.paragraph(element, classes)
            return
        if tag in ("ul", "ol"):
            style = "List Number" if tag == "ol" else "List Bullet"
            for item in element.iterchildren("li"):
                paragraph = self.doc.add_paragraph(style=style)
                self.inline(paragraph, item)
            return
        if tag == "table":
            self.table(element, classes)
            return
        if tag == "img":
            self.image(element)
            return
        if tag == "figure":
            for img in element.iter("img"):
                self.image(img)
            caption = element.find(".//figcaption")
            if caption is not None and _text(caption):
                self.small(_text(caption), italic=True)
            return
        # containers: walk their children; loose text becomes a paragraph
        if element.text and element.text.strip() and tag not in ("main", "body", "html"):
            self.doc.add_paragraph(_SPACE.sub(" ", element.text).strip())
        for child in element.iterchildren():
            self.block(child)
            if child.tail and child.tail.strip() and tag not in ("main", "body", "html"):
                self.doc.add_paragraph(_SPACE.sub(" ", child.tail).strip())

    def paragraph(self, element: Any, classes: set[str]) -> None:
        if not _text(element):
            return
        paragraph = self.doc.add_paragraph()
        self.inline(paragraph, element)
        if classes & {"note", "table-note", "provenance", "suppressed", "kicker"}:
            for run in paragraph.runs:
                run.font.size = self.Pt(8.5)
                run.font.color.rgb = self.RGBColor(0x59, 0x63, 0x6E)
                run.italic = "suppressed" in classes or run.italic
        if "table-caption" in classes:
            for run in paragraph.runs:
                run.bold = True
            paragraph.paragraph_format.keep_with_next = True

    def inline(self, paragraph: Any, element: Any, *, bold: bool = False, italic: bool = False) -> None:
        """Text of ``element`` as runs, keeping bold and italic."""
        if element.text:
            self.run(paragraph, element.text, bold, italic)
        for child in element.iterchildren():
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag in ("ul", "ol", "table"):
                pass  # nested blocks are rare in list items; their text is dropped rather than garbled
            else:
                self.inline(paragraph, child, bold=bold or tag in ("strong", "b", "th"),
                            italic=italic or tag in ("em", "i"))
            if child.tail:
                self.run(paragraph, child.tail, bold, italic)

    def run(self, paragraph: Any, text: str, bold: bool, italic: bool) -> None:
        text = _SPACE.sub(" ", text)
        if not text.strip() and not paragraph.runs:
            return
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None

    def small(self, text: str, *, italic: bool = False) -> None:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(text)
        run.font.size = self.Pt(8.5)
        run.italic = italic

    # ---------------------------------------------------------------- tables and images
    def table(self, element: Any, classes: set[str]) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.table import _Cell

        rows = [tr for tr in element.iter("tr")]
        if not rows:
            return
        cells = [[c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")] for tr in rows]
        n_cols = max(len(r) for r in cells)
        if n_cols == 0:
            return
        wide = n_cols > WIDE_COLUMNS
        if wide:
            self.orientation(WD_ORIENT.LANDSCAPE)
        table = self.doc.add_table(rows=len(cells), cols=n_cols)
        table.style = "Table Grid"
        size = self.Pt(7.5 if wide or "compact" in classes or n_cols > 5 else 8.5)
        header_rows = len(element.findall(".//thead/tr"))
        # table.cell(i, j) rebuilds the whole cell grid on every call (quadratic in the
        # table's size: 30 s for the synthesis); the new table has no merged cells, so each
        # row's own <w:tc> elements are its cells
        for i, (row, row_element) in enumerate(zip(cells, table._tbl.tr_lst, strict=True)):
            tcs = row_element.tc_lst
            for j, cell in enumerate(row):
                paragraph = _Cell(tcs[j], table).paragraphs[0]
                self.inline(paragraph, cell, bold=cell.tag == "th")
                numeric = "num" in (cell.get("class") or "")
                if numeric:
                    paragraph.alignment = 2  # right
                for run in paragraph.runs:
                    run.font.size = size
            if i < header_rows:  # repeat the header row on each page
                tr_pr = table.rows[i]._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                header.set(qn("w:val"), "true")
                tr_pr.append(header)
        self.doc.add_paragraph()
        if wide:
            self.orientation(WD_ORIENT.PORTRAIT)

    def orientation(self, orient: Any) -> None:
        from docx.enum.section import WD_SECTION

        current = self.doc.sections[-1]
        if current.orientation == orient:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = current.page_width, current.page_height
        section.orientation = orient
        section.page_width, section.page_height = (max(width, height), min(width, height)) if orient == 1 \
            else (min(width, height), max(width, height))

    def image(self, img: Any) -> None:
        from docx.shared import Inches

        src = img.get("src") or ""
        if not src.startswith("data:image/png;base64,"):
            return
        data = base64.b64decode(src.split(",", 1)[1])
        width = 6.3
        match = re.search(r"width:\s*([\d.]+)in", img.get("style") or "")
        if match:
            width = min(width, float(match.group(1)))
        self.doc.add_picture(io.BytesIO(data), width=Inches(width))


def _set_language(document: Any, lang: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tags = {"en": "en-GB", "fr": "fr-FR"}
    for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
        try:
            style = document.styles[style_name]
        except KeyError:
            continue
        r_pr = style.element.get_or_add_rPr()
        lang_el = r_pr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            r_pr.append(lang_el)
        lang_el.set(qn("w:val"), tags.get(lang, lang))


def export_docx(html_path: Path, docx_path: Path, *, title: str, lang: str) -> Path:
    """Write the report page ``html_path`` as an editable Word document, atomically.

    Parameters
    ----------
    html_path : Path
        The exported HTML page (`export.export_html`).
    docx_path : Path
        Destination ``.docx``.
    title, lang : str
        Document title and language (core properties; spelling language of the styles).

    Raises
    ------
    ReportError
        When the page cannot be read or the document cannot be written.
    """
    import lxml.html
    from docx import Document
    from docx.shared import Cm, Pt

    html_path, docx_path = Path(html_path), Path(docx_path)
    try:
        tree = lxml.html.fromstring(html_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read {html_path.name}", notebook=html_path, ename=type(exc).__name__,
                          evalue=str(exc)) from None
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = title
    document.core_properties.language = lang
    _set_language(document, lang)
    root = tree.find(".//main")
    writer = _Writer(document, lang)
    writer.block(root if root is not None else tree)
    try:
        with atomic_path(docx_path) as temp:
            document.save(str(temp))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot write {docx_path.name}", notebook=html_path, ename=type(exc).__name__,
                          evalue=str(exc)) from None
    return docx_path
