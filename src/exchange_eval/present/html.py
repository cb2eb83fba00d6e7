"""HTML pieces of the reports: headings, paragraphs, tables, figures, boxes and comments.

Every function returns an HTML string (easy to test) and escapes every data-derived
string, so a respondent's ``<script>`` shows as text; `show` displays the strings in a
notebook. Headers and labels are translated (`i18n`, `labels`), numbers follow the
locale (`fmt`), and table rows resting on fewer than k respondents are marked, blanked
and footnoted.

Functions that need only the language take ``lang``; those that name configured codes
or count withheld rows take the report's `context.ReportContext`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import HTML, display

from ..core.safe import escape_html
from . import fmt
from .context import ReportContext
from .i18n import group_label, session_label, t, tool_label, wave_label

__all__ = [
    "Formatter",
    "esc",
    "heading",
    "paragraph",
    "note",
    "note_text",
    "bullet_list",
    "keep_with_next",
    "keep_opening",
    "figure_html",
    "figure_block",
    "format_value",
    "table_html",
    "summary_box",
    "provenance_html",
    "comments_html",
    "show",
]

#: A table formatter: the name of one (see `format_value`) or a callable (value, lang) -> text.
Formatter = str | Callable[[Any, str], str]


def esc(value: Any) -> str:
    """HTML-escape any value (quotes included): `core.safe.escape_html`."""
    return escape_html(value)


def heading(key: str, lang: str, level: int = 2, **kwargs: Any) -> str:
    """A translated heading ``<h2>`` (the text is escaped: kwargs may carry data)."""
    return f"<h{level}>{esc(t(key, lang, **kwargs))}</h{level}>"


def paragraph(text: str, css: str | None = None) -> str:
    """One escaped paragraph, optionally with a class (``note``, ``suppressed``)."""
    cls = f' class="{esc(css)}"' if css else ""
    return f"<p{cls}>{esc(text)}</p>"


def note(key: str, lang: str, **kwargs: Any) -> str:
    """A translated note paragraph (class ``note``)."""
    return paragraph(t(key, lang, **kwargs), "note")


def note_text(text: str) -> str:
    """An already-translated sentence as a note paragraph (escaped)."""
    return paragraph(text, "note")


def bullet_list(items: Iterable[str], *, ordered: bool = False) -> str:
    """Already-translated sentences as an escaped list."""
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{esc(item)}</li>" for item in items) + f"</{tag}>"


def keep_with_next(*parts: str) -> str:
    """Already-built HTML parts kept on one printed page (a heading with its introduction
    and first table or figure), so no heading is left alone at the bottom of a page."""
    return ('<div class="keep-together" style="break-inside: avoid; page-break-inside: avoid">'
            + "".join(parts) + "</div>")


def keep_opening(parts: list[str], limit: int = 4) -> list[str]:
    """A section's parts with its opening (heading, introduction, up to and including its
    first table or figure, at most ``limit`` parts) kept on one page (`keep_with_next`)."""
    for i, part in enumerate(parts[:limit]):
        if "<table" in part or "<figure" in part or "<img" in part:
            if i == 0:
                return parts
            return [keep_with_next(*parts[: i + 1]), *parts[i + 1:]]
    return parts


def figure_html(fig: Any, alt: str = "", *, dpi: int = 200, close: bool = True) -> str:
    """A matplotlib Figure as an embedded PNG ``<img>`` (nothing fetched when opened).

    The PNG is opaque RGB (transparent pixels laid on white, as on the page): WeasyPrint
    decodes every PNG and encodes it again for the PDF, and an alpha channel doubles that
    work (a separate mask); without it a report's PDF is written about 0.4 s sooner.
    """
    width_in = fig.get_figwidth()
    png = _opaque_png(fig, dpi)
    if close and getattr(fig.canvas, "manager", None) is not None:
        # only a figure made through pyplot has a manager to release; the report's own
        # figures are plain Figures, so pyplot (and its backend choice) is imported only here
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="figure"><img src="data:image/png;base64,{data}" alt="{esc(alt)}" '
        f'style="width:{width_in:.2f}in;max-width:100%"/></figure>'
    )


def _opaque_png(fig: Any, dpi: int) -> bytes:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba", dpi=dpi)
    width, height = round(fig.get_figwidth() * dpi), round(fig.get_figheight() * dpi)
    raw = buffer.getvalue()
    buffer = io.BytesIO()
    if len(raw) != width * height * 4:  # not the size Agg draws at: let matplotlib write the PNG
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()
    rgba = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    if rgba[..., 3].min() == 255:
        image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1).convert("RGB")
    else:  # Agg's buffer is not premultiplied: blend each pixel over white
        alpha = rgba[..., 3:].astype(np.uint16)
        image = Image.fromarray(((rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8), "RGB")
    # zlib level 1: the same pixels, encoded in a third less time than the default level 6
    # (a report draws a dozen figures at 200 dpi); the page is a little larger
    image.save(buffer, format="PNG", compress_level=1, dpi=(dpi, dpi))
    return buffer.getvalue()


def figure_block(fig: Any, caption_key: str, lang: str, **values: Any) -> str:
    """A figure with its translated caption (also its alternative text; ``values`` fill
    the caption's placeholders)."""
    caption = t(caption_key, lang, **values)
    html_img = figure_html(fig, alt=caption)
    return html_img.replace("</figure>", f"<figcaption>{esc(caption)}</figcaption></figure>")


# --------------------------------------------------------------------------- tables
def _text(value: Any, _lang: str) -> str:
    return "" if fmt.is_missing(value) else str(value)


_PLAIN: dict[str, Callable[[Any, str], str]] = {
    "text": _text,
    "ci": _text,
    "id": _text,
    "int": fmt.integer,
    "num0": lambda v, lang: fmt.number(v, lang, 0),
    "num1": lambda v, lang: fmt.number(v, lang, 1),
    "num2": lambda v, lang: fmt.number(v, lang, 2),
    "num3": lambda v, lang: fmt.number(v, lang, 3),
    "signed1": lambda v, lang: fmt.signed(v, lang, 1),
    "signed2": lambda v, lang: fmt.signed(v, lang, 2),
    "pct": lambda v, lang: fmt.percent(v, lang, 0),
    "pct1": lambda v, lang: fmt.percent(v, lang, 1),
    "p": fmt.pvalue,
    "date": fmt.date,
    "bool": lambda v, lang: fmt.MISSING if fmt.is_missing(v) else t("common.yes" if bool(v) else "common.no", lang),
    "session": session_label,
    "tool": tool_label,
    "wave": wave_label,
    "group": group_label,
    "note": lambda v, lang: t(f"note.{v}", lang) if str(v) else "",
}
_NUMERIC = {"int", "num0", "num1", "num2", "num3", "signed1", "signed2", "pct", "pct1", "p", "ci"}
# formatters naming configured codes (from the report's labels); like the names above
# they show a missing value as an empty cell
_CONFIGURED = ("country", "item", "outcome", "dimension", "criterion", "status")
_BLANK_WHEN_MISSING = {"session", "tool", "wave", "group", "note", *_CONFIGURED}


def _configured_formatter(kind: str, ctx: ReportContext) -> Callable[[Any, str], str]:
    labels = ctx.labels
    return {
        "country": labels.country,
        "item": labels.item,
        "outcome": labels.outcome,
        "dimension": labels.dimension,
        "criterion": labels.criterion,
        "status": lambda value, lang: labels.choice("plan_status", value, lang),
    }[kind]


def format_value(value: Any, kind: Formatter, ctx: ReportContext) -> str:
    """Format one cell: ``kind`` is a formatter name (``int``, ``num1``, ``pct``, ``p``,
    ``date``, ``country``, ``item``, ``outcome``, ``choice:<list>``, …) or a callable
    ``(value, lang) -> text``."""
    lang = ctx.lang
    if callable(kind):
        return str(kind(value, lang))
    if kind.startswith("choice:"):
        return "" if fmt.is_missing(value) else ctx.labels.choice(kind.split(":", 1)[1], value, lang)
    if kind not in _PLAIN and kind not in _CONFIGURED:
        names = ", ".join(sorted([*_PLAIN, *_CONFIGURED]))
        raise ValueError(f"unknown table format {kind!r}; use one of {names}")
    if kind in _BLANK_WHEN_MISSING and fmt.is_missing(value):
        return ""
    formatter = _configured_formatter(kind, ctx) if kind in _CONFIGURED else _PLAIN[kind]
    return formatter(value, lang)


def table_html(
    df: pd.DataFrame,
    columns: Mapping[str, str],
    ctx: ReportContext,
    formats: Mapping[str, Formatter] | None = None,
    *,
    caption: str | None = None,
    n_col: str | None = "n",
    notes: Sequence[str] = (),
    css: str = "report-table",
    headers: Mapping[str, str] | None = None,
    compact: bool = False,
) -> str:
    """An HTML table with translated headers, locale numbers and escaped text.

    Parameters
    ----------
    df : DataFrame
        Rows to show, in order.
    columns : mapping
        Column of ``df`` → translation key of its header (only these columns are shown).
    ctx : ReportContext
        The report: its language and labels, and k quoted in the footnote. The rows
        withheld are added to its count (`ReportContext.count_suppressed`).
    formats : mapping, optional
        Column → formatter name or callable (see `format_value`); default ``text``.
    n_col : str, optional
        Count column of the rows (kept in the signature for callers; a suppressed row
        shows no n either, since a shown n would bound the hidden cells).
    notes : sequence of str
        Extra footnotes (already translated; they are escaped).
    headers : mapping, optional
        Column → header text already in the report language (e.g. dimension names),
        used instead of ``columns[col]`` as a key.
    compact : bool
        Smaller type for wide tables so they fit the A4 text width.

    Notes
    -----
    A row whose ``suppressed`` column is true is marked with an asterisk, its numbers —
    n included — are shown as a dash, and a footnote says why (fewer than k people, or
    withheld with such a row: `analysis.suppress.complementary_suppression`).
    """
    lang, k = ctx.lang, ctx.k
    formats = dict(formats or {})
    ctx.count_suppressed(df)
    if df is None or df.empty:
        return paragraph(t("common.no_rows", lang), "note")
    suppressed = df["suppressed"].fillna(False).astype(bool) if "suppressed" in df.columns else pd.Series(False, index=df.index)
    numeric_cols = {c for c in columns if isinstance(formats.get(c), str) and formats[c] in _NUMERIC}
    headers = dict(headers or {})
    # a short table stays on one page; a long one breaks between rows (its header repeats)
    # and its caption, written as a paragraph, stays with its first rows
    short = len(df) <= 12
    keep = ' style="break-inside: avoid; page-break-inside: avoid"' if short else ""
    declarations = ([] if short else ["break-inside: auto", "page-break-inside: auto"]) + (
        ["font-size: 0.82rem"] if compact else [])
    style = f' style="{"; ".join(declarations)}"' if declarations else ""
    parts = [f'<div class="table-block"{keep}>']
    if caption:
        parts.append(f'<p class="table-caption" style="font-weight: 600; margin: 0.8em 0 0.2em; '
                     f'break-after: avoid; page-break-after: avoid">{esc(caption)}</p>')
    parts.append(f'<table class="{esc(css)}"{style}>')
    parts.append("<thead><tr>")
    for col, key in columns.items():
        cls = ' class="num"' if col in numeric_cols else ' class="text"'
        text = headers[col] if col in headers else t(key, lang)
        parts.append(f"<th{cls}>{esc(text)}</th>")
    parts.append("</tr></thead><tbody>")
    first = next(iter(columns), None)
    for idx, row in df.iterrows():
        hidden = bool(suppressed.loc[idx])
        parts.append('<tr class="suppressed">' if hidden else "<tr>")
        for col in columns:
            kind = formats.get(col, "text")
            value = row.get(col)
            if hidden and (col in numeric_cols or col == n_col):
                text = fmt.MISSING
            else:
                text = format_value(value, kind, ctx)
            cell = esc(text)
            if hidden and col == first:
                cell += '<sup class="marker">*</sup>'
            if col in numeric_cols:
                cls = ' class="num" style="white-space: nowrap"'
            elif formats.get(col) == "id":  # identifiers (round ids) must not wrap at hyphens
                cls = ' class="text" style="white-space: nowrap"'
            else:
                cls = ' class="text"'
            parts.append(f"<td{cls}>{cell}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    footnotes = list(notes)
    if suppressed.any():
        footnotes.insert(0, "* " + t("table.suppressed_note", lang, k=k))
    for text in footnotes:
        parts.append(f'<p class="note table-note">{esc(text)}</p>')
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- boxes
def summary_box(sentences: Iterable[str], lang: str, *, title_key: str = "summary.title") -> str:
    """The headline findings as a bulleted box (class ``summary-box``)."""
    items = [s for s in sentences if s]
    if not items:
        body = f"<p>{esc(t('summary.nothing', lang))}</p>"
    else:
        body = "<ul>" + "".join(f'<li style="break-inside: avoid">{esc(s)}</li>' for s in items) + "</ul>"
    # a long box may continue on the next page rather than leave the first one half empty
    style = ' style="break-inside: auto; page-break-inside: auto"' if len(items) > 5 else ""
    return f'<div class="summary-box"{style}><h2>{esc(t(title_key, lang))}</h2>{body}</div>'


def provenance_html(prov: Mapping[str, Any], lang: str) -> str:
    """The provenance line: data hash, package version, date built (class ``provenance``)."""
    data_hash = str(prov.get("data_hash") or "")
    built = prov.get("built_at")
    text = t(
        "provenance.line", lang,
        hash=data_hash[:12] if data_hash else fmt.MISSING,
        version=prov.get("package_version") or fmt.MISSING,
        built=fmt.date(built, lang) if built else fmt.MISSING,
    )
    rounds = prov.get("round_ids") or prov.get("rounds")
    if rounds and len(rounds) > 1:  # a dict round -> hash, or a list of ids
        text += " " + t("provenance.rounds", lang, rounds=", ".join(map(str, rounds)))
    return f'<p class="provenance">{esc(text)}</p>'


def comments_html(
    comments: pd.DataFrame | None,
    ctx: ReportContext,
    *,
    group_col: str | None = None,
    text_col: str = "text",
    id_col: str = "pid",
    max_per_group: int = 12,
    namer: Callable[[Any, str], str] | None = None,
) -> str:
    """Respondents' comments, escaped, only for groups with at least k respondents.

    ``comments`` has ``text_col`` and ``id_col`` (respondent) and optionally
    ``group_col`` (country, session, tool). A group with fewer than k (``ctx.k``)
    distinct respondents is replaced by a sentence saying its comments are withheld.
    """
    lang, k = ctx.lang, ctx.k
    if comments is None or comments.empty or text_col not in comments.columns:
        return paragraph(t("comments.none", lang), "note")
    data = comments[comments[text_col].notna() & comments[text_col].astype(str).str.strip().ne("")]
    if data.empty:
        return paragraph(t("comments.none", lang), "note")
    groups: list[tuple[Any, pd.DataFrame]] = (
        list(data.groupby(group_col, sort=True)) if group_col and group_col in data.columns else [(None, data)]
    )
    parts = ['<div class="comments">']
    for value, sub in groups:
        n_people = sub[id_col].nunique() if id_col in sub.columns else len(sub)
        if group_col and value is not None:
            title = namer(value, lang) if namer else ctx.labels.of(group_col, value, lang)
            parts.append(f"<h4>{esc(title)}</h4>")
        if n_people < k:
            parts.append(paragraph(t("comments.withheld", lang, k=k), "suppressed"))
            continue
        parts.append("<ul>")
        for text in sub[text_col].astype(str).head(max_per_group):
            parts.append(f"<li>{esc(text.strip())}</li>")
        parts.append("</ul>")
        if len(sub) > max_per_group:
            parts.append(paragraph(t("comments.more", lang, n=fmt.integer(len(sub) - max_per_group, lang)), "note"))
    parts.append("</div>")
    return "".join(parts)


def show(*parts: Any) -> None:
    """Display HTML strings and Figures in a notebook (figures embedded as PNG)."""
    for part in parts:
        if part is None:
            continue
        if isinstance(part, (list, tuple)):
            show(*part)
        elif hasattr(part, "savefig"):
            display(HTML(figure_html(part)))
        else:
            display(HTML(str(part)))
