"""Executed notebook → self-contained HTML page → A4 PDF, each written atomically.

`export_html` (`html_page` for a notebook in memory) takes nbconvert's ``basic`` body (no input cells, no prompts, no
require.js, MathJax or CDN fonts) into the offline page shell of `page.render_page` and
refuses a page that would fetch anything (`external_resources`); `export_pdf` prints that
page with weasyprint, never touching the network.

nbconvert and weasyprint are imported inside the functions that use them: the build
imports this package to plan (and skip) reports, and a build with nothing to do must not
pay for them.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_path, write_text_atomic
from ..core.errors import ReportError
from .execute import INJECTED_TAG
from .page import render_page
from .workbook import strip_exports

__all__ = ["export_html", "export_pdf", "external_resources", "html_page"]

# cells (and outputs) a notebook marks as not for the reader
REMOVED_CELL_TAGS = {"remove-cell", "remove_cell", INJECTED_TAG, "parameters"}
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}


class _ResourceScanner(HTMLParser):
    """Collect URLs a browser would fetch by itself (not plain ``<a>`` links)."""

    FETCHING = {
        "script": ("src",),
        "link": ("href",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "input": ("src",),
        "track": ("src",),
    }
    CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", re.I)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    @staticmethod
    def _external(value: str) -> bool:
        value = value.strip().lower()
        return value.startswith(("http:", "https:", "//", "ftp:"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.FETCHING.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in wanted:
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.found.extend(f"<{tag} {name}={v}>" for v in candidates if self._external(v))
            elif name == "style":
                self._scan_css(value)
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._scan_css(data)

    def _scan_css(self, css: str) -> None:
        for match in self.CSS_URL.finditer(css):
            url = match.group(1) or match.group(2)
            if self._external(url):
                self.found.append(f"css {url}")


def external_resources(html: str) -> list[str]:
    """Every URL in ``html`` that a browser or weasyprint would fetch from the network."""
    scanner = _ResourceScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def _quiet_log(name: str) -> logging.Logger:
    """A logger that keeps only errors (nbconvert's accessibility hints are noise here)."""
    logger = logging.getLogger(f"{__name__}.{name}")
    logger.setLevel(logging.ERROR)
    return logger


def export_html(
    nb_path: Path,
    html_path: Path,
    *,
    title: str,
    lang: str,
    running_header: str | None = None,
    meta: dict[str, str] | None = None,
) -> Path:
    """Export an executed notebook to a self-contained HTML page, written atomically.

    Reads ``nb_path`` and writes `html_page` of it to ``html_path``.

    Raises
    ------
    ReportError
        When the notebook cannot be read or the page would fetch anything from the network.
    """
    import nbformat  # heavy: see the module docstring

    nb_path, html_path = Path(nb_path), Path(html_path)
    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except (OSError, ValueError) as exc:
        raise ReportError("cannot read the executed notebook", notebook=nb_path, ename=type(exc).__name__, evalue=str(exc)) from None
    page = html_page(nb, title=title, lang=lang, running_header=running_header, meta=meta, source=nb_path)
    return write_text_atomic(html_path, page)


def html_page(
    nb: Any,
    *,
    title: str,
    lang: str,
    running_header: str | None = None,
    meta: dict[str, str] | None = None,
    source: Path | None = None,
) -> str:
    """An executed notebook (``nbformat.NotebookNode``) as a self-contained HTML page.

    Input cells and prompts are left out; figures stay embedded as the notebook holds
    them (base64 PNG or inline SVG); cells tagged ``remove-cell`` are dropped and
    ``remove-output`` outputs hidden. The body comes from nbconvert's ``basic`` template
    (no require.js, no MathJax, no CDN fonts) inside ``templates/page.html.j2`` with the
    styles of ``templates/report.css`` inline. ``source`` names the notebook in errors.

    Raises
    ------
    ReportError
        When the page would fetch anything from the network (an output embedding a
        remote script, stylesheet or image).
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    nb = strip_exports(nb)
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(HIDDEN_OUTPUT_TAGS)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        log=_quiet_log("nbconvert"),
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _resources = exporter.from_notebook_node(nb)  # nbconvert works on its own copy
    page = render_page(
        body,
        title=title,
        lang=lang,
        running_header=running_header if running_header is not None else title,
        meta=meta,
    )
    remote = external_resources(page)
    if remote:
        raise ReportError(
            "the report would fetch from the network when opened; embed these instead: "
            + ", ".join(remote[:5]),
            notebook=source,
        )
    return page


def _offline_fetcher(url: str, *args: Any, **kwargs: Any) -> dict:
    """weasyprint URL fetcher that serves ``data:`` and local files and refuses the network."""
    import weasyprint  # heavy: see the module docstring

    if url.lower().startswith(("http:", "https:", "ftp:")):
        raise ValueError(f"network access refused for {url}")
    return weasyprint.default_url_fetcher(url, *args, **kwargs)


def _url_fetcher() -> Any:
    """An offline URL fetcher for weasyprint (class API since v68, function before)."""
    import weasyprint  # heavy: see the module docstring

    if hasattr(weasyprint, "URLFetcher"):
        return weasyprint.URLFetcher(allowed_protocols={"data", "file"})
    return _offline_fetcher


def export_pdf(html_path: Path, pdf_path: Path, *, page: str | None = None) -> Path:
    """Print ``html_path`` to an A4 PDF with page numbers (weasyprint), written atomically.

    The page size, margins, running header and ``page / pages`` footer come from the
    ``@page`` rules of the report stylesheet; relative URLs resolve against the HTML
    file's folder; nothing is fetched from the network. ``page``, the text of
    ``html_path`` when the caller has it in memory, spares reading it back.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML  # heavy: see the module docstring

    try:
        with atomic_path(pdf_path) as temp:
            if page is None:
                document = HTML(filename=str(html_path), base_url=str(html_path.parent), url_fetcher=_url_fetcher())
            else:
                document = HTML(string=page, base_url=str(html_path.parent), url_fetcher=_url_fetcher())
            document.write_pdf(str(temp))
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"cannot print {html_path.name} to PDF", notebook=html_path, ename=type(exc).__name__, evalue=str(exc)
        ) from None
    return pdf_path
