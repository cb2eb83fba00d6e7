"""The offline page shell every published page shares: reports and the index.

``templates/page.html.j2`` holds ``<html lang>``, the generator and provenance ``<meta>``
tags and the styles of ``templates/report.css`` inline (nothing fetched when the page is
opened); the ``@page`` rules give the PDF its A4 size, running header and page numbers.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from .. import __version__

__all__ = ["TEMPLATES_DIR", "render_page", "render_template"]

TEMPLATES_DIR = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # the templates ship inside the package and never change while a process runs
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` (autoescaped) with ``context``."""
    return _environment().get_template(name).render(**context)


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def render_page(
    body: str,
    *,
    title: str,
    lang: str,
    running_header: str = "",
    meta: dict[str, str] | None = None,
) -> str:
    """Wrap an HTML ``body`` fragment in the page shell (inline CSS, ``<html lang>``).

    ``body`` is trusted HTML (nbconvert's output, our templates); ``title``,
    ``running_header`` and the ``meta`` values are escaped.
    """
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    return render_template(
        "page.html.j2",
        body=markupsafe.Markup(body),
        css=markupsafe.Markup(css),
        running_header=markupsafe.Markup(_css_string(running_header)),
        title=title,
        lang=lang,
        meta=meta or {},
        version=__version__,
    )
