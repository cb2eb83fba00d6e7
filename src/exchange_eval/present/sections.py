"""Display helpers of the reports: tables, sentences, boxes and figures as safe HTML.

Everything a notebook shows passes through here, so that

* headers and labels are translated (`i18n`), numbers follow the locale (`fmt`);
* every data-derived string is HTML-escaped (a respondent's ``<script>`` shows as text);
* rows resting on fewer than k respondents are marked, blanked and footnoted;
* summary sentences are written from the numbers, and say so honestly when a test could
  not run or found nothing.

Functions return HTML strings (easy to test); `show` displays them in a notebook.
Section builders (``*_section``) bundle the analysis call, table, figure and sentences of
one report section, so the notebooks stay one line per section.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import Locale

from ..core.config import settings
from ..core.safe import escape_html
from . import fmt
from .i18n import (
    country_name,
    criterion_label,
    dimension_label,
    group_label,
    item_label,
    label,
    outcome_label,
    session_label,
    t,
    tool_label,
    wave_label,
)

if TYPE_CHECKING:  # load.py reads files; the display layer only needs the type
    from ..core.processed import RoundData

__all__ = [
    "esc",
    "heading",
    "paragraph",
    "note",
    "figure_html",
    "format_value",
    "table_html",
    "plural",
    "change_sentence",
    "headline_sentences",
    "summary_box",
    "provenance_html",
    "comments_html",
    "show",
    # section builders: what the report notebooks call, one line per section
    "note_text",
    "did_sentence",
    "ladder_did_sentence",
    "reset_tally",
    "suppressed_count",
    "title_block",
    "participation_section",
    "session_namer",
    "wave_namer",
    "sort_waves",
    "feedback_results",
    "feedback_section",
    "learning_results",
    "learning_section",
    "plans_results",
    "plans_section",
    "jsr_results",
    "ladder_table",
    "did_row",
    "jsr_section",
    "network_section",
    "tool_comments",
    "tools_section",
    "methods_section",
    "sources_section",
    "round_summary",
    "network_sentences",
    "programme_title",
    "scope_section",
    "synthesis_outcome_results",
    "synthesis_outcomes_section",
    "synthesis_model_section",
    "synthesis_rf18_section",
    "synthesis_network_section",
    "between_rounds_sentences",
    "synthesis_between_section",
    "review_thresholds",
    "review_findings",
    "review_response_section",
    "review_nonresponse_section",
    "review_straightlining_section",
    "review_reliability_section",
    "review_burden_section",
    "review_ceiling_section",
    "review_tools_section",
    "recommendations",
    "review_recommendations_section",
]

Formatter = str | Callable[[Any, str], str]


def esc(value: Any) -> str:
    """HTML-escape any value (quotes included); `exchange_eval.clean.protect.escape_html`."""
    return escape_html(value)


def _k(k: int | None = None) -> int:
    return int(settings().get("privacy", {}).get("min_cell_size", 3)) if k is None else int(k)


def heading(key: str, lang: str, level: int = 2, **kwargs: Any) -> str:
    """A translated heading ``<h2>`` (the text is escaped: kwargs may carry data)."""
    return f"<h{level}>{esc(t(key, lang, **{k: v for k, v in kwargs.items()}))}</h{level}>"


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


def figure_html(fig: Any, alt: str = "", *, dpi: int = 200, close: bool = True) -> str:
    """A matplotlib Figure as an embedded PNG ``<img>`` (nothing fetched when opened)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    width_in = fig.get_figwidth()
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure class="figure"><img src="data:image/png;base64,{data}" alt="{esc(alt)}" '
        f'style="width:{width_in:.2f}in;max-width:100%"/></figure>'
    )


# --------------------------------------------------------------------------- tables
def _choice_formatter(name: str) -> Callable[[Any, str], str]:
    return lambda v, lang: label(name, v, lang)


_FORMATTERS: dict[str, Callable[[Any, str], str]] = {
    "text": lambda v, lang: "" if fmt.is_missing(v) else str(v),
    "ci": lambda v, lang: "" if fmt.is_missing(v) else str(v),
    "id": lambda v, lang: "" if fmt.is_missing(v) else str(v),
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
    "country": lambda v, lang: "" if fmt.is_missing(v) else country_name(v, lang),
    "item": lambda v, lang: "" if fmt.is_missing(v) else item_label(v, lang),
    "outcome": lambda v, lang: "" if fmt.is_missing(v) else outcome_label(v, lang),
    "dimension": lambda v, lang: "" if fmt.is_missing(v) else dimension_label(v, lang),
    "criterion": lambda v, lang: "" if fmt.is_missing(v) else criterion_label(v, lang),
    "session": lambda v, lang: "" if fmt.is_missing(v) else session_label(v, lang),
    "tool": lambda v, lang: "" if fmt.is_missing(v) else tool_label(v, lang),
    "wave": lambda v, lang: "" if fmt.is_missing(v) else wave_label(v, lang),
    "group": lambda v, lang: "" if fmt.is_missing(v) else group_label(v, lang),
    "status": lambda v, lang: "" if fmt.is_missing(v) else label("plan_status", v, lang),
    "note": lambda v, lang: "" if fmt.is_missing(v) or not str(v) else t(f"note.{v}", lang),
}
_NUMERIC = {"int", "num0", "num1", "num2", "num3", "signed1", "signed2", "pct", "pct1", "p", "ci"}


def format_value(value: Any, kind: Formatter, lang: str) -> str:
    """Format one cell: ``kind`` is a formatter name (``int``, ``num1``, ``pct``, ``p``,
    ``date``, ``country``, ``item``, ``outcome``, ``choice:<list>``, …) or a callable."""
    if callable(kind):
        return str(kind(value, lang))
    if kind.startswith("choice:"):
        return "" if fmt.is_missing(value) else _choice_formatter(kind.split(":", 1)[1])(value, lang)
    try:
        return _FORMATTERS[kind](value, lang)
    except KeyError:
        raise ValueError(f"unknown table format {kind!r}; use one of {', '.join(sorted(_FORMATTERS))}") from None


def table_html(
    df: pd.DataFrame,
    columns: Mapping[str, str],
    lang: str,
    formats: Mapping[str, Formatter] | None = None,
    *,
    caption: str | None = None,
    n_col: str | None = "n",
    k: int | None = None,
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
    lang : str
        Report language.
    formats : mapping, optional
        Column → formatter name or callable (see `format_value`); default ``text``.
    n_col : str, optional
        Count column of a suppressed row, shown as ``< k`` rather than its value.
    k : int, optional
        The minimum cell size quoted in the footnote (default from settings).
    notes : sequence of str
        Extra footnotes (already translated; they are escaped).
    headers : mapping, optional
        Column → header text already in the report language (e.g. dimension names),
        used instead of ``columns[col]`` as a key.
    compact : bool
        Smaller type for wide tables so they fit the A4 text width.

    Notes
    -----
    A row whose ``suppressed`` column is true is marked with an asterisk, its values are
    shown as a dash, and a footnote says why.
    """
    formats = dict(formats or {})
    k = _k(k)
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
            if hidden and col == n_col:
                text = f"< {fmt.integer(k, lang)}"
            elif hidden and col in numeric_cols:
                text = fmt.MISSING
            else:
                text = format_value(value, kind, lang)
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


# --------------------------------------------------------------------------- sentences
def plural(key: str, count: Any, lang: str, **kwargs: Any) -> str:
    """``key.one`` or ``key.other`` by the CLDR plural rule of ``lang`` for ``count``
    (French: 1,5 point, English: 1.5 points)."""
    try:
        form = Locale.parse(lang).plural_form(abs(float(count)))
    except (TypeError, ValueError):
        form = "other"
    return t(f"{key}.{'one' if form == 'one' else 'other'}", lang, **kwargs)


def _points(x: float, lang: str) -> str:
    value = abs(float(x))
    digits = 0 if value.is_integer() else 1
    return plural("unit.points", round(value, digits), lang, x=fmt.number(value, lang, digits))


def change_sentence(
    row: Mapping[str, Any],
    lang: str,
    *,
    subject: str | None = None,
    alpha: float | None = None,
    min_pairs: int | None = None,
) -> str:
    """One sentence on a paired change (a row of ``outcome_changes`` / ``item_changes``).

    Uses ``n``, ``median_change``, ``ci_low``, ``ci_high``, ``p_value``, ``p_holm`` and
    ``note``; says plainly when there were too few pairs to test or when the change is
    not statistically significant (judged on the Holm-adjusted p when present).
    """
    conf = settings().get("stats", {})
    alpha = float(conf.get("alpha", 0.05)) if alpha is None else alpha
    min_pairs = int(conf.get("min_pairs", 5)) if min_pairs is None else min_pairs
    if subject is None:
        subject = outcome_label(row["outcome"], lang) if "outcome" in row and not fmt.is_missing(row.get("outcome")) else item_label(row.get("item_id", ""), lang)
    subject_lower = subject[:1].lower() + subject[1:] if lang == "en" else subject
    n = row.get("n")
    n_int = 0 if fmt.is_missing(n) else int(n)
    note_value = row.get("note")
    if n_int < min_pairs or note_value == "too_few_pairs" or fmt.is_missing(row.get("median_change")):
        return t("sentence.change.too_few", lang, subject=subject, subject_lower=subject_lower,
                 n=fmt.integer(n_int, lang), min=fmt.integer(min_pairs, lang))
    med = float(row["median_change"])
    p = row.get("p_value")
    p_holm = row.get("p_holm")
    p_judge = p_holm if not fmt.is_missing(p_holm) else p
    direction = "up" if med > 0 else "down" if med < 0 else "flat"
    stats_text = t(
        "sentence.change.stats", lang,
        ci=fmt.ci(row.get("ci_low"), row.get("ci_high"), lang),
        n=fmt.integer(n_int, lang),
        p=fmt.p_equals(p, lang),
    )
    if not fmt.is_missing(p_holm):
        stats_text += t("sentence.change.holm", lang, p_holm=fmt.p_equals(p_holm, lang))
    sentence = t(f"sentence.change.{direction}", lang, subject=subject, subject_lower=subject_lower,
                 change=_points(med, lang), stats=stats_text)
    if note_value == "no_variance":
        sentence += " " + t("sentence.change.no_variance", lang)
    elif fmt.is_missing(p_judge) or float(p_judge) >= alpha:
        sentence += " " + t("sentence.change.not_significant", lang, alpha=fmt.percent(alpha, lang, 0))
    return sentence


def headline_sentences(
    lang: str,
    *,
    n_participants: int | None = None,
    n_countries: int | None = None,
    n_pairs: int | None = None,
    outcome_changes: pd.DataFrame | None = None,
    feedback_agree: float | None = None,
    feedback_n: int | None = None,
    plan_done: int | None = None,
    plan_total: int | None = None,
    did: Mapping[str, Any] | None = None,
) -> list[str]:
    """The summary sentences of a round report, each written from the numbers.

    Every argument is optional: a sentence is written only for what was measured.
    ``did`` is a row of ``analysis.jsr.rf18_did`` (``estimate``, ``p_value`` or
    ``p_randomization``, ``n_treated``, ``n_control``).
    """
    out: list[str] = []
    if n_participants:
        out.append(plural("sentence.headline.participants", n_participants, lang,
                          n=fmt.integer(n_participants, lang), countries=fmt.integer(n_countries or 0, lang)))
    if n_pairs is not None and n_participants:
        out.append(t("sentence.headline.pairs", lang, n=fmt.integer(n_pairs, lang)))
    if feedback_agree is not None and not fmt.is_missing(feedback_agree):
        out.append(t("sentence.headline.feedback", lang, share=fmt.percent(feedback_agree, lang, 0),
                     n=fmt.integer(feedback_n or 0, lang)))
    if outcome_changes is not None and not outcome_changes.empty:
        for row in outcome_changes.to_dict("records"):
            out.append(change_sentence(row, lang))
    if plan_total:
        out.append(t("sentence.headline.plans", lang, done=fmt.integer(plan_done or 0, lang),
                     total=fmt.integer(plan_total, lang),
                     share=fmt.percent((plan_done or 0) / plan_total, lang, 0)))
    if did:
        out.append(did_sentence(did, lang))
    return out


def did_sentence(did: Mapping[str, Any], lang: str) -> str:
    """The RF18 difference-in-differences result, with its randomization p-value and the
    caveat that few countries make it indicative only."""
    estimate = did.get("estimate")
    if fmt.is_missing(estimate):
        return t("sentence.did.not_estimated", lang)
    p = did.get("p_randomization", did.get("p_value"))
    key = "sentence.did.more" if float(estimate) > 0 else "sentence.did.less" if float(estimate) < 0 else "sentence.did.same"
    return t(key, lang, pp=fmt.number(abs(float(estimate)) * 100, lang, 0), p=fmt.p_equals(p, lang),
             n_treated=fmt.integer(did.get("n_treated"), lang), n_control=fmt.integer(did.get("n_control"), lang))


def ladder_did_sentence(did: Mapping[str, Any], lang: str) -> str:
    """The maturity-ladder difference-in-differences (participants vs comparison, before →
    after), with its randomization p-value and the number of country ratings."""
    estimate = did.get("estimate")
    if fmt.is_missing(estimate):
        return t("sentence.did.not_estimated", lang)
    n_countries, n_treated = did.get("n_countries"), did.get("n_treated")
    key = ("sentence.ladder_did.more" if float(estimate) > 0 else
           "sentence.ladder_did.less" if float(estimate) < 0 else "sentence.ladder_did.same")
    return t(key, lang, change=fmt.number(abs(float(estimate)), lang, 2), p=fmt.p_equals(did.get("p_value_ri"), lang),
             n_treated=fmt.integer(n_treated, lang), n_control=fmt.integer(int(n_countries) - int(n_treated), lang),
             n_obs=fmt.integer(did.get("n_obs"), lang))


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
    comments: pd.DataFrame,
    k: int | None,
    lang: str,
    *,
    group_col: str | None = None,
    text_col: str = "text",
    id_col: str = "pid",
    max_per_group: int = 12,
    namer: Callable[[Any, str], str] | None = None,
) -> str:
    """Respondents' comments, escaped, only for groups with at least k respondents.

    ``comments`` has ``text_col`` and ``id_col`` (respondent) and optionally
    ``group_col`` (country, session, tool). A group with fewer than k distinct
    respondents is replaced by a sentence saying its comments are withheld.
    """
    k = _k(k)
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
            title = namer(value, lang) if namer else _group_name(group_col, value, lang)
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


def _group_name(column: str, value: Any, lang: str) -> str:
    return {
        "country": country_name,
        "session_id": session_label,
        "tool": tool_label,
        "wave": wave_label,
        "outcome": outcome_label,
        "dimension": dimension_label,
        "group": group_label,
    }.get(column, lambda v, _lang: str(v))(value, lang)


def show(*parts: Any) -> None:
    """Display HTML strings and Figures in a notebook (figures embedded as PNG)."""
    from IPython.display import HTML, display

    for part in parts:
        if part is None:
            continue
        if isinstance(part, (list, tuple)):
            show(*part)
        elif hasattr(part, "savefig"):
            display(HTML(figure_html(part)))
        else:
            display(HTML(str(part)))


# =========================================================================== sections
# Each builder takes the loaded data and the language and returns a list of HTML parts
# (headings, paragraphs, tables, figures) for `show`. A section without data returns its
# heading and one sentence saying so.

_TALLY: dict[str, int] = {"suppressed_rows": 0}


def reset_tally() -> None:
    """Forget the suppressed rows counted so far (start of a report)."""
    _TALLY["suppressed_rows"] = 0


def suppressed_count() -> int:
    """Rows withheld by `table_html` since the last `reset_tally`."""
    return _TALLY["suppressed_rows"]


def _table(df: pd.DataFrame, columns: Mapping[str, str], lang: str, formats: Mapping[str, Formatter], **kw: Any) -> str:
    if df is not None and "suppressed" in df.columns:
        _TALLY["suppressed_rows"] += int(df["suppressed"].fillna(False).astype(bool).sum())
    return table_html(df, columns, lang, formats, **kw)


def _fig(fig: Any, caption_key: str, lang: str) -> str:
    caption = t(caption_key, lang)
    html_img = figure_html(fig, alt=caption)
    return html_img.replace("</figure>", f"<figcaption>{esc(caption)}</figcaption></figure>")


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _meta_list(values: Any, lang: str) -> str:
    codes = [str(v) for v in (values or [])]
    return ", ".join(country_name(c, lang) for c in codes) if codes else t("round.about.none", lang)


def title_block(meta: Mapping[str, Any], lang: str) -> str:
    """Title, kicker and a definition list of the round (community, countries, host, sessions)."""
    title = meta.get("title") or meta.get("round_id") or ""
    community = str(meta.get("community") or "")
    community_text = t(f"community.{community.replace('-', '_')}", lang) if community and _has(f"community.{community.replace('-', '_')}", lang) else community
    rows = [
        (t("round.about.community", lang), community_text),
        (t("round.about.countries", lang), _meta_list(meta.get("countries"), lang)),
        (t("round.about.host", lang), country_name(meta["host"], lang) if meta.get("host") else t("round.about.none", lang)),
    ]
    if meta.get("comparison"):
        rows.append((t("round.about.comparison", lang), _meta_list(meta.get("comparison"), lang)))
    sessions = meta.get("sessions") or []
    if sessions:
        items = []
        for s in sessions:
            kind = s.get("kind")
            kind_text = t(f"kind.{kind}", lang) if kind and _has(f"kind.{kind}", lang) else (kind or "")
            name = session_label(s.get("id", ""), lang, s.get("title"))
            items.append(f"{name} ({kind_text}, {fmt.date(s.get('date'), lang)})" if kind_text else f"{name} ({fmt.date(s.get('date'), lang)})")
        rows.append((t("round.about.sessions", lang), "; ".join(items)))
    if meta.get("language"):
        rows.append((t("round.about.language", lang), _language_name(str(meta["language"]), lang)))
    body = "".join(f"<tr><th>{esc(k)}</th><td class=\"text\">{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<p class="kicker">{esc(t("round.kicker", lang))}</p><h1>{esc(title)}</h1>'
        f'<table class="about-table">{body}</table>'
    )


def _has(key: str, lang: str) -> bool:
    from .i18n import has_key

    return has_key(key, lang)


def _language_name(code: str, lang: str) -> str:
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (ValueError, TypeError):
        return code


def _k_setting() -> int:
    return _k(None)


def participation_section(rd: RoundData, lang: str) -> list[str]:
    """Participation by country, attendance by session, responses by wave and attrition."""
    from ..analysis import participation as part

    out = [heading("round.h.participation", lang)]
    if _is_empty(rd.participants) and _is_empty(rd.attendance) and _is_empty(rd.responses):
        return out + [note("round.none.participation", lang)]
    out.append(paragraph(t("round.intro.participation", lang, k=_k_setting())))
    if not _is_empty(rd.participants):
        by_country = part.participation_by_country(rd.participants, rd.attendance)
        totals = by_country[by_country["role"] == "all"].copy()
        totals = totals[totals["country"] != "all"]
        if "small_group" in totals.columns and "suppressed" not in totals.columns:
            totals["suppressed"] = totals["small_group"]
        if not totals.empty:
            out.append(_fig(_participation_fig(totals, lang), "round.figure.participation", lang))
        out.append(_table(
            totals, {"country": "col.country", "n_invited": "col.n_invited", "n_attended": "col.n_attended",
                     "share_attended": "col.attendance_rate"},
            lang, {"country": "country", "n_invited": "int", "n_attended": "int", "share_attended": "pct"},
            caption=t("round.table.participation_country", lang), n_col="n_invited"))
    if not _is_empty(rd.attendance) and not _is_empty(rd.sessions):
        by_session = part.attendance_by_session(rd.attendance, rd.sessions)
        out.append(_table(
            by_session, {"session_id": "col.session", "date": "col.date", "n_expected": "col.n_invited",
                         "n_attended": "col.n_attended", "share_attended": "col.attendance_rate"},
            lang, {"session_id": session_namer(rd.meta), "date": "date", "n_expected": "int", "n_attended": "int",
                   "share_attended": "pct"},
            caption=t("round.table.attendance_session", lang), n_col=None))
    if not _is_empty(rd.responses):
        counts = sort_waves(part.response_counts(rd.responses, rd.participants), rd.meta, by=["instrument"])
        counts = counts.assign(instrument_text=[_instrument_name(i, lang) for i in counts["instrument"]])
        out.append(_table(
            counts, {"instrument_text": "col.instrument", "wave": "col.wave", "n_respondents": "col.n_respondents",
                     "response_rate": "col.response_rate"},
            lang, {"wave": wave_namer(rd.meta), "n_respondents": "int", "response_rate": "pct"},
            caption=t("round.table.responses", lang), n_col=None))
        att = part.attrition(rd.responses)
        if not att.empty and int(att["n_baseline"].iloc[0] or 0) > 0:
            row = att.iloc[0]
            out.append(paragraph(t(
                "round.text.attrition", lang, n_pre=fmt.integer(row["n_baseline"], lang),
                n_post=fmt.integer(row["n_endline"], lang), n_both=fmt.integer(row["n_linked"], lang),
                lost=fmt.integer(row["n_baseline_only"], lang))))
    return out


def session_namer(meta: Mapping[str, Any]) -> Callable[[Any, str], str]:
    """A table formatter naming sessions with the manifest's titles (standard ids such
    as vc1 keep their translated names)."""
    titles = {str(s.get("id")): s.get("title") for s in meta.get("sessions") or []}

    def name(value: Any, lang: str) -> str:
        return "" if fmt.is_missing(value) else session_label(value, lang, titles.get(str(value)))

    return name


def wave_namer(*metas: Mapping[str, Any]) -> Callable[[Any, str], str]:
    """A formatter for a ``wave`` column that may hold survey waves or session ids."""
    sessions: dict[str, Any] = {}
    for meta in metas:
        sessions.update({str(s.get("id")): s.get("title") for s in meta.get("sessions") or []})

    def name(value: Any, lang: str) -> str:
        if fmt.is_missing(value):
            return ""
        text = wave_label(value, lang)
        return session_label(value, lang, sessions.get(str(value))) if text == str(value) else text

    return name


def sort_waves(df: pd.DataFrame, *metas: Mapping[str, Any], by: Sequence[str] = ()) -> pd.DataFrame:
    """Rows in survey order: ``by`` columns first, then waves as configured
    (``settings.yaml`` ``cleaning.wave_order``), then sessions in the manifest's order."""
    order = [str(w) for w in settings().get("cleaning", {}).get("wave_order", [])]
    for meta in metas:
        order += [str(s.get("id")) for s in meta.get("sessions") or [] if str(s.get("id")) not in order]
    rank = {w: i for i, w in enumerate(order)}
    key = df["wave"].map(lambda w: rank.get(str(w), len(rank)))
    return (df.assign(_wave_rank=key)
            .sort_values([*by, "_wave_rank", "wave"], kind="stable")
            .drop(columns="_wave_rank").reset_index(drop=True))


def _wave_or_session(value: Any, lang: str) -> str:
    if fmt.is_missing(value):
        return ""
    text = wave_label(value, lang)
    return session_label(value, lang) if text == str(value) else text


def _instrument_name(instrument: Any, lang: str) -> str:
    key = f"instrument.{instrument}"
    return t(key, lang) if _has(key, lang) else str(instrument)


def _participation_fig(totals: pd.DataFrame, lang: str) -> Any:
    from . import plots

    return plots.participation_bars(totals, lang, value_cols=["n_invited", "n_attended"])


def _agree_items(instrument: str = "session_feedback") -> tuple[list[str], str]:
    from ..core.config import instruments

    items = (instruments().get("instruments") or {}).get(instrument, {}).get("items") or []
    scaled = [i for i in items if i.get("type") == "select_one"]
    choices = str(scaled[0].get("choices")) if scaled else "agree5"
    return [str(i["id"]) for i in scaled if i.get("choices") == choices], choices


def _suppress(df: pd.DataFrame, n_col: str = "n") -> pd.DataFrame:
    """Small-cell suppression of a breakdown table (`analysis.suppress.suppress_small`)."""
    from ..analysis.suppress import suppress_small

    return df if df.empty or n_col not in df.columns else suppress_small(df, n_col=n_col)


def feedback_results(rd: RoundData) -> dict[str, Any]:
    """Session-feedback counts (overall), summary by session and the relevance agreement."""
    from ..analysis import likert
    from ..core.config import choice_lists

    sf = rd.responses[rd.responses["instrument"] == "session_feedback"] if not _is_empty(rd.responses) else None
    items, choices = _agree_items()
    if _is_empty(sf):
        return {}
    sf = sf[sf["item_id"].isin(items)]
    if sf.empty:
        return {}
    scale = choice_lists()[choices]
    counts = likert.likert_counts(sf, scale, items=items)
    # session_id is one of the unit columns of a session-feedback answer, so the summary
    # is computed session by session rather than with by="session_id"
    parts = []
    for session_id, sub in sf.groupby("session_id", sort=False):
        part = likert.likert_summary(sub, choices=scale)
        part.insert(0, "session_id", session_id)
        parts.append(part)
    summary = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    summary = _suppress(summary)
    overall = likert.likert_summary(sf, choices=scale)
    rel = overall[overall["item_id"] == items[1]] if len(items) > 1 else overall.head(0)
    return {"counts": counts, "summary": summary, "overall": overall, "choices": choices,
            "relevance_top2": float(rel["top2"].iloc[0]) if not rel.empty else None,
            "relevance_n": int(rel["n"].iloc[0]) if not rel.empty else 0}


def feedback_section(rd: RoundData, lang: str, results: Mapping[str, Any] | None = None) -> list[str]:
    """L1: diverging Likert bars over all sessions and a summary table by session."""
    from . import plots

    out = [heading("round.h.feedback", lang)]
    res = feedback_results(rd) if results is None else results
    if not res:
        return out + [note("round.none.feedback", lang)]
    out.append(paragraph(t("round.intro.feedback", lang)))
    counts = res["counts"].rename(columns={"level": "value"})
    out.append(_fig(plots.likert_diverging(counts, lang, choices=res["choices"]), "round.figure.feedback", lang))
    summary = res["summary"].copy()
    out.append(_table(
        summary, {"session_id": "col.session", "item_id": "col.item", "n": "col.n", "median": "col.median",
                  "top2": "col.top2"},
        lang, {"session_id": session_namer(rd.meta), "item_id": "item", "n": "int", "median": "num1", "top2": "pct"},
        caption=t("round.table.feedback", lang)))
    comments = rd.responses[(rd.responses["instrument"] == "session_feedback") & rd.responses["text"].notna()]
    if not comments.empty:
        out.append(comments_html(comments, None, lang, group_col="session_id", namer=session_namer(rd.meta)))
    return out


def learning_results(rd: RoundData) -> dict[str, pd.DataFrame]:
    """Outcome and item changes (pre → post) and the response shift (pre → retro)."""
    from ..analysis import outcomes

    if _is_empty(rd.responses):
        return {}
    out_resp = rd.responses[rd.responses["instrument"] == "outcomes"]
    waves = set(out_resp["wave"].dropna())
    if not {"pre", "post"} <= waves:
        return {}
    res = {"outcomes": outcomes.outcome_changes(rd.responses), "items": outcomes.item_changes(rd.responses)}
    if "retro" in waves:
        res["shift"] = outcomes.response_shift(rd.responses)
    return res


_CHANGE_COLUMNS = {
    "n": "col.n_pairs", "n_unmatched": "col.n_unmatched", "statistic": "col.statistic",
    "p_value": "col.p_value", "p_holm": "col.p_holm", "rank_biserial": "col.rank_biserial",
    "median_change": "col.median_change", "ci": "col.ci",
}
_CHANGE_FORMATS: dict[str, Formatter] = {
    "n": "int", "n_unmatched": "int", "statistic": "num1", "p_value": "p", "p_holm": "p",
    "rank_biserial": "num2", "median_change": "signed1", "ci": "ci",
}


def _with_ci(df: pd.DataFrame, lang: str, digits: int = 1) -> pd.DataFrame:
    df = df.copy()
    df["ci"] = [fmt.ci(lo, hi, lang, digits) for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)]
    return df


def learning_section(rd: RoundData, lang: str, results: Mapping[str, pd.DataFrame] | None = None) -> list[str]:
    """L2: change by intermediate outcome (dot plot + test table), by item, response shift."""
    from . import plots

    res = learning_results(rd) if results is None else results
    out = [heading("round.h.learning", lang)]
    if not res:
        return out + [note("round.none.learning", lang)]
    out.append(paragraph(t("round.intro.learning", lang)))
    oc = res["outcomes"]
    out.append(_fig(plots.change_dotplot(oc, lang), "round.figure.learning", lang))
    out.append(_table(_with_ci(oc, lang), {"outcome": "col.outcome", **_CHANGE_COLUMNS}, lang,
                      {"outcome": "outcome", **_CHANGE_FORMATS},
                      caption=t("round.table.learning", lang), n_col=None, compact=True))
    # the summary box carries one sentence per outcome; here only those that need saying
    # why no test was run
    for row in oc.to_dict("records"):
        if not fmt.is_missing(row.get("note")) and row.get("note"):
            out.append(note_text(change_sentence(row, lang)))
    items = res.get("items")
    if not _is_empty(items):
        out.append(_table(_with_ci(items, lang), {"item_id": "col.item", **_CHANGE_COLUMNS}, lang,
                          {"item_id": "item", **_CHANGE_FORMATS}, caption=t("round.table.items", lang), n_col=None,
                          compact=True))
    out.append(heading("round.h.response_shift", lang, level=3))
    shift = res.get("shift")
    if _is_empty(shift):
        out.append(note("round.none.response_shift", lang))
    else:
        out.append(paragraph(t("round.intro.response_shift", lang)))
        out.append(_table(_with_ci(shift, lang), {"item_id": "col.item", **_CHANGE_COLUMNS}, lang,
                          {"item_id": "item", **_CHANGE_FORMATS}, caption=t("round.table.response_shift", lang),
                          n_col=None, compact=True))
    return out


def plans_results(rd: RoundData) -> dict[str, Any]:
    """Plan status by dimension at the latest follow-up, and completion by country."""
    from ..analysis import plans

    if _is_empty(rd.plan_actions) or rd.plan_actions["status"].dropna().empty:
        return {}
    status = plans.plan_status(rd.plan_actions)
    latest = plans.followup_order(status["followup"].dropna().unique())[-1]
    status_latest = status[status["followup"] == latest].groupby(["dimension", "status"], as_index=False)["n"].sum()
    completion = plans.completion_rate(rd.plan_actions)
    completion = completion[completion["followup"] == latest]
    overall = plans.completion_rate(rd.plan_actions, by=())
    overall = overall[overall["followup"] == latest]
    done = int(overall["n_done"].sum()) if not overall.empty else 0
    total = int(overall["n_actions"].sum()) if not overall.empty else 0
    return {"status": status_latest, "completion": completion, "done": done, "total": total, "followup": latest}


def plans_section(rd: RoundData, lang: str, results: Mapping[str, Any] | None = None) -> list[str]:
    """L3: improvement-plan actions by dimension and status, completion by country."""
    from . import plots

    res = plans_results(rd) if results is None else results
    out = [heading("round.h.plans", lang)]
    if not res:
        return out + [note("round.none.plans", lang)]
    out.append(paragraph(t("round.intro.plans", lang)))
    out.append(_fig(plots.plan_status_bars(res["status"], lang), "round.figure.plans", lang))
    if res["total"]:
        out.append(paragraph(t("round.text.completion", lang, done=fmt.integer(res["done"], lang),
                               total=fmt.integer(res["total"], lang),
                               share=fmt.percent(res["done"] / res["total"], lang, 0))))
    out.append(_table(res["completion"], {"country": "col.country", "followup": "col.followup",
                                          "n_actions": "col.n_actions", "n_done": "col.n_done",
                                          "share_done": "col.completion_rate"},
                      lang, {"country": "country", "followup": "wave", "n_actions": "int", "n_done": "int",
                             "share_done": "pct"}, caption=t("round.table.completion", lang), n_col=None))
    return out


def _exchange_year(meta: Mapping[str, Any]) -> int | None:
    if meta.get("year"):
        return int(meta["year"])
    dates = [s.get("date") for s in meta.get("sessions") or [] if s.get("date")]
    if not dates:
        return None
    return int(str(min(map(str, dates)))[:4])


def jsr_results(rd: RoundData) -> dict[str, Any]:
    """Ladder change per country × dimension, RF18 shares and the RF18 DiD."""
    from ..analysis import jsr

    res: dict[str, Any] = {}
    if not _is_empty(rd.jsr_assessment):
        ladder = jsr.ladder_change(rd.jsr_assessment)
        if not ladder.empty:
            res["ladder"] = ladder
            if ladder["group"].nunique() > 1:
                res["ladder_did"] = jsr.ladder_did(rd.jsr_assessment)
    if not _is_empty(rd.jsr_quality):
        res["rf18"] = jsr.rf18_shares(rd.jsr_quality)
        year = _exchange_year(rd.meta)
        res["exchange_year"] = year
        groups = set(rd.jsr_quality["group"].dropna()) if "group" in rd.jsr_quality.columns else set()
        if year is not None and len(groups) > 1 and rd.jsr_quality["year"].nunique() > 1:
            # improvement plans are drafted after the exchange, so the JSRs that can show
            # them start `effect_lag_years` later (settings.yaml)
            lag = int((settings().get("jsr") or {}).get("effect_lag_years", 1))
            res["did"] = jsr.rf18_did(rd.jsr_quality, treatment_year=year + lag)
    return res


def ladder_table(ladder: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per country (participants first), one ``before → after`` cell per dimension."""
    from ..core.config import dimensions

    order = [str(d["id"]) for d in dimensions().get("dimensions") or []]
    dims = [d for d in order if d in set(ladder["dimension"])] + sorted(set(ladder["dimension"]) - set(order))
    cells = ladder.assign(cell=[
        f"{fmt.number(b, lang, 0)} → {fmt.number(a, lang, 0)}" for b, a in zip(ladder["before"], ladder["after"], strict=True)
    ])
    if "group" not in cells.columns:
        cells["group"] = ""
    wide = cells.pivot_table(index=["group", "country"], columns="dimension", values="cell", aggfunc="first")
    wide = wide.reindex(columns=dims).reset_index()
    wide["_order"] = (wide["group"] != "participant").astype(int)
    wide = wide.sort_values(["_order", "country"]).drop(columns="_order")
    wide = wide[["country", "group", *dims]]
    headers = {d: dimension_label(d, lang) for d in dims}
    headers["country"] = t("col.country", lang)
    headers["group"] = t("col.group", lang)
    return wide.reset_index(drop=True), headers


def did_row(did: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an ``rf18_did`` result that `did_sentence` needs."""
    d = dict(did)
    n_countries, n_treated = d.get("n_countries"), d.get("n_treated")
    n_control = None if fmt.is_missing(n_countries) or fmt.is_missing(n_treated) else int(n_countries) - int(n_treated)
    return {"estimate": d.get("estimate"), "p_randomization": d.get("p_value_ri"), "n_treated": n_treated,
            "n_control": n_control, "ci_low": d.get("ci_low"), "ci_high": d.get("ci_high"),
            "p_value_ols": d.get("p_value_ols")}


def jsr_section(rd: RoundData, lang: str, results: Mapping[str, Any] | None = None) -> list[str]:
    """L4: maturity-ladder slopes, RF18 shares by year and group, DiD."""
    from ..core.config import dimensions
    from . import plots

    res = jsr_results(rd) if results is None else results
    out = [heading("round.h.jsr", lang)]
    if "ladder" not in res:
        out.append(note("round.none.jsr", lang))
    else:
        out.append(paragraph(t("round.intro.jsr", lang)))
        ladder = res["ladder"]
        out.append(_fig(plots.ladder_slopes(ladder, lang), "round.figure.ladder", lang))
        wide, headers = ladder_table(ladder, lang)
        out.append(_table(wide, {c: "col.dimension" for c in wide.columns if c != "suppressed"}, lang,
                          {"country": "country", "group": "group", **{d: "ci" for d in wide.columns[2:]}},
                          headers=headers,
                          caption=t("round.table.ladder", lang), n_col=None, compact=True))
        if res.get("ladder_did") is not None:
            out.append(paragraph(ladder_did_sentence(res["ladder_did"], lang)))
    out.append(heading("round.h.rf18", lang))
    if _is_empty(res.get("rf18")):
        return out + [note("round.none.rf18", lang)]
    conf = dimensions()
    out.append(paragraph(t("round.intro.rf18", lang, min=conf.get("rf18", {}).get("min_dimensions_met", 3),
                           total=len(conf.get("dimensions") or []))))
    shares = res["rf18"].rename(columns={"n_countries": "n"})
    out.append(_fig(plots.rf18_lines(shares, lang, exchange_year=res.get("exchange_year")), "round.figure.rf18", lang))
    out.append(_table(shares, {"year": "col.year", "group": "col.group", "n": "col.n_countries",
                               "n_meeting": "col.share_meets", "share": "col.share"},
                      lang, {"year": "text", "group": "group", "n": "int", "n_meeting": "int", "share": "pct"},
                      caption=t("round.table.rf18", lang), n_col=None))
    did = res.get("did")
    if did is None:
        out.append(note("round.none.did", lang))
    else:
        row = did_row(did)
        out.append(paragraph(did_sentence(row, lang)))
        out.append(note("round.text.did_caveat", lang))
    return out


def network_section(rd: RoundData, lang: str) -> list[str]:
    """Network metrics per wave and a drawing of the latest wave."""
    from ..analysis import network
    from . import plots

    out = [heading("round.h.network", lang)]
    if _is_empty(rd.ties):
        return out + [note("round.none.network", lang)]
    out.append(paragraph(t("round.intro.network", lang)))
    metrics = network.network_metrics(rd.ties, rd.participants)
    waves = network.wave_order(rd.ties["wave"].dropna().unique())
    graph = network.tie_graph(rd.ties, rd.participants, waves[-1])
    out.append(_fig(plots.network_drawing(graph, lang), "round.figure.network", lang))
    out.append(_table(metrics, {"wave": "col.wave", "n_respondents": "col.n_respondents", "n_nodes": "col.n_nodes",
                                "n_ties": "col.n_ties", "density": "col.density",
                                "centralization": "col.centralization",
                                "share_cross_country": "col.cross_country_share",
                                "new_ties_since_first": "col.new_ties", "mean_trust": "col.mean_trust",
                                "mean_value": "col.mean_value"},
                      lang, {"wave": "wave", "n_respondents": "int", "n_nodes": "int", "n_ties": "int",
                             "density": "num2", "centralization": "num2", "share_cross_country": "pct",
                             "new_ties_since_first": "int", "mean_trust": "num1", "mean_value": "num1"},
                      caption=t("round.table.network", lang), n_col=None))
    return out


# --------------------------------------------------------------------------- pulse surveys
PULSE_SCORE = "_pulse_score"


def pulse_results(rd: RoundData) -> dict[str, Any]:
    """Pulse surveys of a learning network: answers per level and wave, top-2 share per
    item and wave, and the change from the first to the last wave for the people who
    answered both (per item, and on the mean of the items).

    Returns ``{}`` when the round has no scaled pulse answers; otherwise ``waves`` (in
    survey order), ``choices``, ``counts`` (`likert_counts` by wave), ``summary``
    (`likert_summary` by wave, suppressed below k respondents), ``changes`` (one row per
    item, Holm across the items, then the mean score as row ``_pulse_score``) and
    ``score`` (that last row as a dict) — the last two only with at least two waves.
    """
    from ..analysis import likert, outcomes
    from ..analysis.network import wave_order
    from ..analysis.stats import holm
    from ..core.config import choice_lists

    if _is_empty(rd.responses):
        return {}
    items, choices = _agree_items("pulse")
    pr = rd.responses[(rd.responses["instrument"] == "pulse") & rd.responses["item_id"].isin(items)
                      & rd.responses["value"].notna()]
    if pr.empty:
        return {}
    scale = choice_lists()[choices]
    waves = wave_order(pr["wave"].dropna().unique())
    present_items = [i for i in items if i in set(pr["item_id"])]
    rank = {w: i for i, w in enumerate(waves)}
    counts = likert.likert_counts(pr, scale, items=present_items, by="wave")
    counts = counts.assign(_w=counts["wave"].map(rank), _i=counts["item_id"].map(present_items.index))
    counts = counts.sort_values(["_i", "_w", "level"], kind="stable").drop(columns=["_w", "_i"])
    summary = likert.likert_summary(pr, by="wave", choices=scale)
    summary = summary.assign(_w=summary["wave"].map(rank), _i=summary["item_id"].map(present_items.index))
    summary = summary.sort_values(["_i", "_w"], kind="stable").drop(columns=["_w", "_i"]).reset_index(drop=True)
    res: dict[str, Any] = {"waves": waves, "choices": choices, "counts": counts.reset_index(drop=True),
                           "summary": summary}
    if len(waves) < 2:
        return res
    first, last = waves[0], waves[-1]
    items_change = outcomes.item_changes(pr, baseline=first, endline=last, instrument="pulse")
    # the pulse statements are one family: Holm across all of them
    items_change["p_holm"] = holm(items_change["p_value"].to_numpy(dtype=float))
    score = outcomes.outcome_changes(pr.assign(outcome=PULSE_SCORE), baseline=first, endline=last,
                                     instrument="pulse")
    score = score.assign(item_id=PULSE_SCORE, p_holm=float("nan"))
    res["changes"] = pd.concat([items_change, score[items_change.columns]], ignore_index=True)
    res["score"] = score.iloc[0].to_dict() if not score.empty else None
    return res


def _pulse_item_name(value: Any, lang: str) -> str:
    if fmt.is_missing(value):
        return ""
    return t("round.pulse.score", lang) if value == PULSE_SCORE else item_label(value, lang)


def pulse_sentences(res: Mapping[str, Any], lang: str) -> list[str]:
    """The pulse trend for the summary box: mean top-2 share at the first and last wave,
    and the paired change of the mean pulse score (honest when too few pairs or not
    significant)."""
    if not res or len(res.get("waves") or []) < 2:
        return []
    conf = settings().get("stats", {})
    alpha = float(conf.get("alpha", 0.05))
    min_pairs = int(conf.get("min_pairs", 5))
    waves = res["waves"]
    first, last = waves[0], waves[-1]
    summary = res["summary"]
    shown = summary[~summary["suppressed"].fillna(False).astype(bool)] if "suppressed" in summary else summary
    out = []
    top_first = shown.loc[shown["wave"] == first, "top2"].dropna()
    top_last = shown.loc[shown["wave"] == last, "top2"].dropna()
    if not top_first.empty and not top_last.empty:
        out.append(t("sentence.pulse.trend", lang, first=wave_label(first, lang), last=wave_label(last, lang),
                     share_first=fmt.percent(top_first.mean(), lang), share_last=fmt.percent(top_last.mean(), lang),
                     n_items=fmt.integer(summary["item_id"].nunique(), lang)))
    row = res.get("score")
    if not row:
        return out
    n_int = 0 if fmt.is_missing(row.get("n")) else int(row["n"])
    names = {"first": wave_label(first, lang), "last": wave_label(last, lang), "n": fmt.integer(n_int, lang)}
    if n_int < min_pairs or row.get("note") == "too_few_pairs" or fmt.is_missing(row.get("median_change")):
        return out + [t("sentence.pulse.too_few", lang, min=fmt.integer(min_pairs, lang), **names)]
    med = float(row["median_change"])
    direction = "up" if med > 0 else "down" if med < 0 else "flat"
    stats_text = t("sentence.change.stats", lang, ci=fmt.ci(row.get("ci_low"), row.get("ci_high"), lang),
                   n=fmt.integer(n_int, lang), p=fmt.p_equals(row.get("p_value"), lang))
    sentence = t(f"sentence.pulse.{direction}", lang, change=_points(med, lang), stats=stats_text, **names)
    if row.get("note") == "no_variance":
        sentence += " " + t("sentence.change.no_variance", lang)
    elif fmt.is_missing(row.get("p_value")) or float(row["p_value"]) >= alpha:
        sentence += " " + t("sentence.change.not_significant", lang, alpha=fmt.percent(alpha, lang, 0))
    return out + [sentence]


def pulse_section(rd: RoundData, lang: str, results: Mapping[str, Any] | None = None) -> list[str]:
    """Pulse surveys (learning networks): diverging bars per item and wave, top-2 share
    per item and wave, change from the first to the last wave. Omitted (no heading)
    when the round has no pulse survey."""
    from . import plots

    res = pulse_results(rd) if results is None else results
    if not res:
        return []
    out = [heading("round.h.pulse", lang), paragraph(t("round.intro.pulse", lang))]
    out.append(_fig(plots.likert_diverging(res["counts"], lang, choices=res["choices"], by="item_id",
                                           item_col="wave"), "round.figure.pulse", lang))
    names = wave_namer(rd.meta)

    def namer(value: Any, lang: str) -> str:  # "Pulse survey 1" on one line
        return names(value, lang).replace(" ", "\u00a0")

    out.append(_table(res["summary"], {"item_id": "col.item", "wave": "col.wave", "n_respondents": "col.n_respondents",
                                       "median": "col.median", "top2": "col.top2"},
                      lang, {"item_id": "item", "wave": namer, "n_respondents": "int", "median": "num1", "top2": "pct"},
                      caption=t("round.table.pulse", lang), n_col="n_respondents"))
    changes = res.get("changes")
    if _is_empty(changes):
        return out + [note("round.none.pulse_change", lang)]
    waves = res["waves"]
    # the sub-heading and its explanation stay on the page of the (short) table
    out.append('<div class="keep-together" style="break-inside: avoid; page-break-inside: avoid">'
               + heading("round.h.pulse_change", lang, level=3, first=wave_label(waves[0], lang),
                         last=wave_label(waves[-1], lang))
               + paragraph(t("round.intro.pulse_change", lang, first=wave_label(waves[0], lang),
                             last=wave_label(waves[-1], lang)))
               + _table(_with_ci(changes, lang), {"item_id": "col.item", **_CHANGE_COLUMNS}, lang,
                        {"item_id": _pulse_item_name, **_CHANGE_FORMATS},
                        caption=t("round.table.pulse_change", lang), n_col=None, compact=True)
               + "</div>")
    return out


def _theme_label(theme: str, lang: str, themes: Mapping[str, Any]) -> str:
    entry = themes.get(theme) or {}
    if not entry and _has(f"theme.{theme}", lang):
        return t(f"theme.{theme}", lang)
    return str(entry.get(f"label_{lang}") or entry.get("label_en") or theme)


def _theme_table(comments: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Themes mentioned at least once, most frequent first, with translated names."""
    from ..analysis import tools

    themes = tools.load_themes()
    counts = tools.theme_counts(tools.comment_themes(comments.rename(columns={"comment": "text"})))
    counts = counts[counts["n_comments"] > 0].sort_values("n_comments", ascending=False, kind="stable")
    return counts.assign(theme_text=[_theme_label(th, lang, themes) for th in counts["theme"]])


def _rated(ratings: pd.DataFrame) -> pd.DataFrame:
    """Tools with at least one rating (comment-only rows such as general remarks are not tools)."""
    return ratings[ratings["n"].fillna(0) > 0].reset_index(drop=True)


def tool_comments(tool_feedback: pd.DataFrame, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comments on the tools: ``tool_feedback.comment``, else the free-text answers of the
    tool-feedback survey (``responses``, instrument ``tool_feedback``), as ``pid, tool, comment``."""
    tf = tool_feedback if tool_feedback is not None else pd.DataFrame(columns=["pid", "tool", "comment"])
    comments = tf[tf["comment"].notna() & tf["comment"].astype(str).str.strip().ne("")] if "comment" in tf else tf.head(0)
    if comments.empty and not _is_empty(responses):
        texts = responses[(responses["instrument"] == "tool_feedback") & responses["text"].notna()]
        texts = texts[texts["text"].astype(str).str.strip().ne("")]
        comments = pd.DataFrame({"pid": texts["pid"], "tool": pd.NA, "comment": texts["text"]})
    return comments


def tools_section(rd: RoundData, lang: str) -> list[str]:
    """Usefulness ratings per tool and the themes of the comments, with the caveat."""
    from ..analysis import tools
    from . import plots

    out = [heading("round.h.tools", lang)]
    tf = rd.tool_feedback
    if _is_empty(tf):
        return out + [note("round.none.tools", lang)]
    out.append(paragraph(t("round.intro.tools", lang)))
    ratings = _rated(tools.tool_ratings(tf))
    out.append(_fig(plots.tool_ratings_bars(ratings, lang), "round.figure.tools", lang))
    out.append(_table(ratings, {"tool": "col.tool", "n": "col.n", "mean": "col.mean", "median": "col.median",
                                "share_useful": "col.share_useful"},
                      lang, {"tool": "tool", "n": "int", "mean": "num1", "median": "num1", "share_useful": "pct"},
                      caption=t("round.table.tools", lang)))
    comments = tool_comments(tf, rd.responses)
    if comments.empty:
        return out + [note("round.none.comments", lang)]
    counts = _theme_table(comments, lang)
    out.append(_table(counts, {"theme_text": "col.theme", "n_comments": "col.mentions", "share": "col.share"},
                      lang, {"n_comments": "int", "share": "pct"}, caption=t("round.table.themes", lang),
                      n_col=None))
    out.append(note("round.text.themes_caveat", lang))
    group = "tool" if comments["tool"].notna().any() else None
    out.append(comments_html(comments, None, lang, group_col=group, text_col="comment"))
    return out


def methods_section(rd: RoundData, lang: str) -> list[str]:
    """Methods and limitations: n, k, suppressed rows, tests used."""
    conf = settings()
    stats = conf.get("stats", {})
    k = _k_setting()
    resp = rd.responses if not _is_empty(rd.responses) else pd.DataFrame(columns=["pid"])
    out = [heading("round.h.methods", lang)]
    n_part = len(rd.participants) if not _is_empty(rd.participants) else 0
    countries = rd.participants["country"].nunique() if n_part else 0
    out.append(paragraph(t("round.methods.n", lang, n_participants=fmt.integer(n_part, lang),
                           n_countries=fmt.integer(countries, lang), n_responses=fmt.integer(len(resp), lang),
                           n_respondents=fmt.integer(resp["pid"].nunique(), lang))))
    out.append(paragraph(t("round.methods.k", lang, k=k)))
    if suppressed_count():
        out.append(paragraph(plural("round.methods.suppressed", suppressed_count(), lang,
                                    n=fmt.integer(suppressed_count(), lang))))
    out.append(paragraph(t("round.methods.tests", lang, n_boot=fmt.integer(stats.get("n_boot", 2000), lang),
                           min_pairs=stats.get("min_pairs", 5))))
    if not _is_empty(rd.jsr_quality):
        out.append(paragraph(t("round.methods.did", lang)))
    out.append(paragraph(t("round.methods.limits", lang)))
    return out


def sources_section(rd: RoundData, lang: str) -> list[str]:
    """Source files of the round and the cleaning actions counted by kind."""
    out = [heading("round.h.sources", lang), paragraph(t("round.sources.intro", lang))]
    sources = pd.DataFrame(rd.meta.get("sources") or [])
    if not sources.empty:
        sources = sources.assign(instrument_text=[_instrument_name(i, lang) for i in sources.get("instrument", "")])
        cols = {"file": "col.source_file", "instrument_text": "col.instrument"}
        if "wave" in sources.columns:
            cols["wave"] = "col.wave"
        if "platform" in sources.columns:
            cols["platform"] = "col.platform"
        out.append(_table(sources, cols, lang, {"wave": _wave_or_session}, caption=t("round.table.sources", lang),
                          n_col=None))
    log = getattr(rd, "cleaning_log", None)
    if _is_empty(log):
        return out + [note("round.sources.none", lang)]
    counts = log.groupby("action").size().reset_index(name="count").sort_values("count", ascending=False)
    counts["action_text"] = [t(f"round.action.{a}", lang) if _has(f"round.action.{a}", lang) else str(a)
                             for a in counts["action"]]
    out.append(_table(counts, {"action_text": "col.action_kind", "count": "col.count"}, lang, {"count": "int"},
                      caption=t("round.table.cleaning", lang), n_col=None))
    return out


def round_summary(rd: RoundData, lang: str, *, feedback: Mapping[str, Any] | None = None,
                  learning: Mapping[str, pd.DataFrame] | None = None,
                  plans: Mapping[str, Any] | None = None, jsr: Mapping[str, Any] | None = None,
                  pulse: Mapping[str, Any] | None = None) -> str:
    """The summary box of a round report, from the section results."""
    feedback = feedback_results(rd) if feedback is None else feedback
    pulse = pulse_results(rd) if pulse is None else pulse
    learning = learning_results(rd) if learning is None else learning
    plans = plans_results(rd) if plans is None else plans
    jsr = jsr_results(rd) if jsr is None else jsr
    n_part = len(rd.participants) if not _is_empty(rd.participants) else None
    n_pairs = None
    if learning:
        from ..analysis import participation

        att = participation.attrition(rd.responses)
        n_pairs = int(att["n_linked"].iloc[0]) if not att.empty else None
    sentences = headline_sentences(
        lang,
        n_participants=n_part,
        n_countries=rd.participants["country"].nunique() if n_part else None,
        n_pairs=n_pairs,
        outcome_changes=(learning or {}).get("outcomes"),
        feedback_agree=(feedback or {}).get("relevance_top2"),
        feedback_n=(feedback or {}).get("relevance_n"),
        plan_done=(plans or {}).get("done"),
        plan_total=(plans or {}).get("total"),
        did=did_row(jsr["did"]) if jsr and jsr.get("did") is not None else None,
    )
    sentences.extend(network_sentences(rd, lang))
    sentences.extend(pulse_sentences(pulse, lang))
    return summary_box(sentences, lang)


def network_sentences(rd: RoundData, lang: str) -> list[str]:
    """How the network changed between the first and the latest wave (ties, cross-country share)."""
    from ..analysis import network

    if _is_empty(rd.ties):
        return []
    metrics = network.network_metrics(rd.ties, rd.participants)
    if len(metrics) < 2:
        return []
    first, last = metrics.iloc[0], metrics.iloc[-1]
    return [t("sentence.headline.network", lang,
              first=wave_label(first["wave"], lang), last=wave_label(last["wave"], lang),
              ties_first=fmt.integer(first["n_ties"], lang), ties_last=fmt.integer(last["n_ties"], lang),
              cross_first=fmt.percent(first["share_cross_country"], lang),
              cross_last=fmt.percent(last["share_cross_country"], lang))]


# =========================================================================== programme reports
def _concat(data: Sequence[RoundData], table: str) -> pd.DataFrame:
    from ..core.processed import concat_rounds

    return concat_rounds(list(data), table)


def _rid(rd: RoundData) -> str:
    """Round id of a loaded round."""
    return str(getattr(rd, "round_id", None) or rd.meta.get("round_id") or "")


def programme_title(kind: str, data: Sequence[RoundData], lang: str) -> str:
    """Kicker and title of the synthesis (``kind="synthesis"``) or review report."""
    return f'<p class="kicker">{esc(t(f"{kind}.kicker", lang))}</p><h1>{esc(t(f"{kind}.title", lang))}</h1>'


def scope_section(data: Sequence[RoundData], lang: str, kind: str = "synthesis") -> list[str]:
    """The rounds a programme report covers: id, title, community, countries, host.

    ``kind`` (``synthesis`` or ``review``) picks the sentence introducing them."""
    out = [heading(f"{kind}.h.scope", lang)]
    if not data:
        return out + [note("synthesis.none.rounds", lang)]
    rows = pd.DataFrame([{
        "round": _rid(r), "title": r.meta.get("title"),
        "community": _community_name(r.meta.get("community"), lang),
        "countries": ", ".join(country_name(c, lang) for c in r.meta.get("countries") or []),
        "host": country_name(r.meta["host"], lang) if r.meta.get("host") else "",
    } for r in data])
    communities = sorted(set(rows["community"].dropna()))
    out.append(paragraph(t(f"{kind}.intro.scope", lang, n=fmt.integer(len(rows), lang),
                           communities=_join(communities, lang))))
    out.append(_table(rows, {"round": "col.round", "title": "col.title", "community": "col.community",
                             "countries": "col.countries", "host": "col.host"},
                      lang, {"round": "id"}, caption=t("synthesis.table.rounds", lang), n_col=None))
    return out


def _community_name(community: Any, lang: str) -> str:
    if fmt.is_missing(community):
        return ""
    key = f"community.{str(community).replace('-', '_')}"
    return t(key, lang) if _has(key, lang) else str(community)


def _join(values: Sequence[str], lang: str) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {t('common.and', lang)} " + values[-1]


def synthesis_outcome_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """Change by round and intermediate outcome (``crossround.outcomes_by_round``)."""
    from ..analysis import crossround

    responses = _concat(data, "responses")
    if responses.empty:
        return pd.DataFrame()
    out = responses[responses["instrument"] == "outcomes"]
    if out.empty or not {"pre", "post"} <= set(out["wave"].dropna()):
        return pd.DataFrame()
    return crossround.outcomes_by_round(responses)


def synthesis_outcomes_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """Dot plot and table of the median change per outcome, by round."""
    from . import plots

    res = synthesis_outcome_results(data) if results is None else results
    out = [heading("synthesis.h.outcomes", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.outcomes", lang)]
    out.append(_fig(plots.change_dotplot(res, lang, by="round_id"), "synthesis.figure.outcomes", lang))
    out.append(_table(_with_ci(res, lang), {"round_id": "col.round", "outcome": "col.outcome", "n": "col.n_pairs",
                                            "median_change": "col.median_change", "ci": "col.ci",
                                            "p_value": "col.p_value", "p_holm": "col.p_holm", "note": "col.note"},
                      lang, {"round_id": "id", "outcome": "outcome", "n": "int", "median_change": "signed1", "p_value": "p",
                             "p_holm": "p", "note": "note"},
                      caption=t("synthesis.table.outcomes", lang), n_col=None))
    return out


def synthesis_model_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """`crossround.pooled_change_model` over every round's outcome survey (empty when none)."""
    from ..analysis import crossround

    responses = _concat(data, "responses")
    if responses.empty or "outcomes" not in set(responses["instrument"]):
        return pd.DataFrame()
    return crossround.pooled_change_model(responses, _concat(data, "participants"))


def synthesis_model_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """The pooled mixed model of change across rounds (the model fitted named per row)."""
    out = [heading("synthesis.h.model", lang)]
    model = synthesis_model_results(data) if results is None else results
    if _is_empty(model) or model["estimate"].isna().all():
        return out + [note("synthesis.none.model", lang)]
    out.append(paragraph(t("synthesis.intro.model", lang)))
    model = _with_ci(model, lang)
    out.append(_table(model, {"outcome": "col.outcome", "estimate": "col.estimate", "ci": "col.ci",
                              "p_value": "col.p_value", "n_people": "col.n_participants", "n_rounds": "col.n_rounds",
                              "model": "col.model"},
                      lang, {"outcome": "outcome", "estimate": "signed2", "ci": "ci", "p_value": "p", "n_people": "int",
                             "n_rounds": "int", "model": _model_name}, caption=t("synthesis.table.model", lang),
                      n_col=None, compact=True))
    return out


def synthesis_rf18_section(data: Sequence[RoundData], lang: str) -> list[str]:
    """RF18 shares by year and group over every round's quality data."""
    from ..analysis import jsr
    from . import plots

    out = [heading("synthesis.h.rf18", lang)]
    quality = _concat(data, "jsr_quality")
    if quality.empty:
        return out + [note("synthesis.none.rf18", lang)]
    # a country × year seen in several rounds counts once
    quality = quality.drop_duplicates(subset=["country", "year"], keep="last")
    shares = jsr.rf18_shares(quality)
    years = [y for y in (_exchange_year(r.meta) for r in data) if y]
    out.append(figure_html(plots.rf18_lines(shares, lang, exchange_year=min(years) if years else None),
                           alt=t("round.figure.rf18", lang)))
    out.append(_table(shares, {"year": "col.year", "group": "col.group", "n_countries": "col.n_countries",
                               "n_meeting": "col.share_meets", "share": "col.share"},
                      lang, {"group": "group", "n_countries": "int", "n_meeting": "int", "share": "pct"},
                      caption=t("round.table.rf18", lang), n_col=None))
    return out


def synthesis_network_section(data: Sequence[RoundData], lang: str) -> list[str]:
    """Network metrics by round and wave."""
    from ..analysis import network

    out = [heading("synthesis.h.network", lang)]
    frames = []
    for r in data:
        if not _is_empty(r.ties):
            m = network.network_metrics(r.ties, r.participants)
            m.insert(0, "round_id", _rid(r))
            frames.append(m)
    if not frames:
        return out + [note("synthesis.none.network", lang)]
    metrics = pd.concat(frames, ignore_index=True)
    out.append(_table(metrics, {"round_id": "col.round", "wave": "col.wave", "n_nodes": "col.n_nodes",
                                "n_ties": "col.n_ties", "density": "col.density",
                                "share_cross_country": "col.cross_country_share",
                                "new_ties_since_first": "col.new_ties", "mean_trust": "col.mean_trust"},
                      lang, {"round_id": "id", "wave": "wave", "n_nodes": "int", "n_ties": "int", "density": "num2",
                             "share_cross_country": "pct", "new_ties_since_first": "int", "mean_trust": "num1"},
                      caption=t("synthesis.table.network", lang), n_col=None))
    return out


def _round_order(data: Sequence[RoundData]) -> list[str]:
    """Round ids by the date of their first session (then by id)."""
    ordered = sorted(data, key=lambda r: (str(min((str(s.get("date")) for s in r.meta.get("sessions") or [{}]),
                                                   default="")), _rid(r)))
    return [_rid(r) for r in ordered]


def synthesis_feedback_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """Top-2 agreement per session-feedback statement and round (all sessions pooled):
    ``round_id, item_id, n, n_respondents, top2, suppressed`` (below k respondents)."""
    from ..analysis import likert
    from ..core.config import choice_lists

    items, choices = _agree_items()
    scale = choice_lists()[choices]
    order = {rid: i for i, rid in enumerate(_round_order(data))}
    parts = []
    for r in data:
        resp = r.responses
        if _is_empty(resp):
            continue
        sf = resp[(resp["instrument"] == "session_feedback") & resp["item_id"].isin(items) & resp["value"].notna()]
        if sf.empty:
            continue
        sf = sf.assign(round_id=_rid(r))
        summary = likert.likert_summary(sf, by="round_id", choices=scale)
        parts.append(summary)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(_r=out["round_id"].map(order), _i=out["item_id"].map(items.index))
    out = out.sort_values(["_i", "_r"], kind="stable").drop(columns=["_r", "_i"])
    return out[["round_id", "item_id", "n", "n_respondents", "top2", "suppressed"]].reset_index(drop=True)


def synthesis_feedback_section(data: Sequence[RoundData], lang: str,
                               results: pd.DataFrame | None = None) -> list[str]:
    """What participants thought of the sessions, by round (top-2 agreement per statement)."""
    res = synthesis_feedback_results(data) if results is None else results
    out = [heading("synthesis.h.feedback", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.feedback", lang)]
    out.append(paragraph(t("synthesis.intro.feedback", lang, k=_k_setting())))
    out.append(_table(res, {"item_id": "col.item", "round_id": "col.round", "n_respondents": "col.n_respondents",
                            "n": "col.n_answers", "top2": "col.top2"},
                      lang, {"item_id": "item", "round_id": "id", "n_respondents": "int", "n": "int", "top2": "pct"},
                      caption=t("synthesis.table.feedback", lang), n_col="n_respondents"))
    return out


def synthesis_tools_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """`tools.tool_ratings` per round (tools with at least one rating), with ``round_id``."""
    from ..analysis import tools

    order = _round_order(data)
    parts = []
    for r in sorted(data, key=lambda r: order.index(_rid(r))):
        if _is_empty(r.tool_feedback):
            continue
        ratings = _rated(tools.tool_ratings(r.tool_feedback))
        if not ratings.empty:
            parts.append(ratings.assign(round_id=_rid(r)))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    tool_order = {tool: i for i, tool in enumerate(dict.fromkeys(out["tool"]))}
    out = out.assign(_t=out["tool"].map(tool_order), _r=out["round_id"].map(order.index))
    return out.sort_values(["_t", "_r"], kind="stable").drop(columns=["_t", "_r"]).reset_index(drop=True)


def synthesis_tools_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """Feedback on the JSR guidelines and tools, by round."""
    res = synthesis_tools_results(data) if results is None else results
    out = [heading("synthesis.h.tools", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.tools", lang)]
    out.append(paragraph(t("synthesis.intro.tools", lang)))
    out.append(_table(res, {"tool": "col.tool", "round_id": "col.round", "n": "col.n", "mean": "col.mean",
                            "share_useful": "col.share_useful"},
                      lang, {"tool": "tool", "round_id": "id", "n": "int", "mean": "num1", "share_useful": "pct"},
                      caption=t("synthesis.table.tools", lang)))
    return out


def synthesis_ladder_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """Mean maturity-ladder change (after − before) per round, dimension and group:
    ``round_id, dimension, group, n_countries, before, after, change``."""
    from ..analysis import jsr
    from ..core.config import dimensions

    dims = [str(d["id"]) for d in dimensions().get("dimensions") or []]
    order = _round_order(data)
    parts = []
    for r in data:
        if _is_empty(r.jsr_assessment):
            continue
        ladder = jsr.ladder_change(r.jsr_assessment).dropna(subset=["change"])
        if ladder.empty:
            continue
        ladder = ladder.assign(group=ladder["group"].fillna("participant"))
        means = (ladder.groupby(["dimension", "group"], as_index=False)
                 .agg(n_countries=("country", "nunique"), before=("before", "mean"), after=("after", "mean"),
                      change=("change", "mean")))
        parts.append(means.assign(round_id=_rid(r)))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    dim_rank = {d: i for i, d in enumerate(dims)}
    out = out.assign(_r=out["round_id"].map(order.index), _d=out["dimension"].map(lambda d: dim_rank.get(d, len(dims))),
                     _g=(out["group"] != "participant").astype(int))
    out = out.sort_values(["_r", "_d", "dimension", "_g"], kind="stable").drop(columns=["_r", "_d", "_g"])
    return out[["round_id", "dimension", "group", "n_countries", "before", "after", "change"]].reset_index(drop=True)


def synthesis_ladder_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """Maturity ladder by round: mean change per dimension, participants vs comparison."""
    res = synthesis_ladder_results(data) if results is None else results
    out = [heading("synthesis.h.ladder", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.ladder", lang)]
    out.append(paragraph(t("synthesis.intro.ladder", lang)))
    out.append(_table(res, {"round_id": "col.round", "dimension": "col.dimension", "group": "col.group",
                            "n_countries": "col.n_countries", "before": "col.before", "after": "col.after",
                            "change": "col.mean_change"},
                      lang, {"round_id": "id", "dimension": "dimension", "group": "group", "n_countries": "int",
                             "before": "num1", "after": "num1", "change": "signed1"},
                      caption=t("synthesis.table.ladder", lang), n_col=None, compact=True))
    return out


def synthesis_ordinal_results(data: Sequence[RoundData]) -> pd.DataFrame:
    """`crossround.ordinal_item_model` for every scaled outcome item answered before and
    after in at least one round; items that cannot be modelled are left out."""
    import warnings

    from ..analysis import crossround
    from ..core.config import instruments

    responses = _concat(data, "responses")
    if responses.empty:
        return pd.DataFrame()
    out_resp = responses[(responses["instrument"] == "outcomes") & responses["value"].notna()]
    if out_resp.empty or not {"pre", "post"} <= set(out_resp["wave"].dropna()):
        return pd.DataFrame()
    spec = (instruments().get("instruments") or {}).get("outcomes", {}).get("items") or []
    items = [str(i["id"]) for i in spec if i.get("type") == "select_one"]
    items = [i for i in items if i in set(out_resp["item_id"])]
    rows = []
    for item in items:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                rows.append(crossround.ordinal_item_model(out_resp, item, instrument="outcomes"))
            except (crossround.CrossRoundError, ValueError, ZeroDivisionError, ArithmeticError):
                continue
    return pd.DataFrame(rows).reset_index(drop=True) if rows else pd.DataFrame()


def _model_name(value: Any, lang: str) -> str:
    if fmt.is_missing(value):
        return ""
    key = f"synthesis.model_name.{value}"
    return t(key, lang) if _has(key, lang) else str(value)


def ordinal_reading(res: pd.DataFrame, lang: str) -> str:
    """One plain-language sentence reading the ordinal models (how many questions moved
    up, with a 95% interval entirely above zero)."""
    if _is_empty(res):
        return ""
    valid = res[res["estimate"].notna()]
    up = valid[valid["ci_low"] > 0]
    down = valid[valid["ci_high"] < 0]
    best = valid.loc[valid["estimate"].idxmax()] if not valid.empty else None
    text = t("synthesis.text.ordinal_reading", lang, n_up=fmt.integer(len(up), lang),
             n_down=fmt.integer(len(down), lang), n=fmt.integer(len(valid), lang))
    if best is not None and float(best["estimate"]) > 0:
        text += " " + t("synthesis.text.ordinal_best", lang, item=item_label(best["item_id"], lang),
                        odds=fmt.number(best["odds_ratio"], lang, 1))
    return text


def synthesis_ordinal_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """Ordered-logit model per outcome question across rounds (log-odds after vs before)."""
    res = synthesis_ordinal_results(data) if results is None else results
    out = [heading("synthesis.h.ordinal", lang)]
    if _is_empty(res):
        return out + [note("synthesis.none.ordinal", lang)]
    out.append(paragraph(t("synthesis.intro.ordinal", lang)))
    out.append(_table(_with_ci(res, lang, digits=2),
                      {"item_id": "col.item", "estimate": "col.log_odds", "ci": "col.ci", "p_value": "col.p_value",
                       "n_people": "col.n_participants", "n_rounds": "col.n_rounds", "model": "col.model"},
                      lang, {"item_id": "item", "estimate": "signed2", "ci": "ci", "p_value": "p", "n_people": "int",
                             "n_rounds": "int", "model": _model_name},
                      caption=t("synthesis.table.ordinal", lang), n_col=None, compact=True))
    reading = ordinal_reading(res, lang)
    if reading:
        out.append(paragraph(reading))
    return out


def synthesis_methods_section(data: Sequence[RoundData], lang: str, *, pooled: pd.DataFrame | None = None,
                              ordinal: pd.DataFrame | None = None) -> list[str]:
    """Methods and limitations of the synthesis: few rounds, the models fitted (each
    named model explained in words), self-reported outcomes, small-cell suppression."""
    out = [heading("synthesis.h.methods", lang)]
    n_rounds = len(data)
    n_outcomes = sum(1 for r in data if not _is_empty(r.responses)
                     and {"pre", "post"} <= set(r.responses.loc[r.responses["instrument"] == "outcomes", "wave"].dropna()))
    out.append(paragraph(t("synthesis.methods.rounds", lang, n=fmt.integer(n_rounds, lang),
                           n_outcomes=fmt.integer(n_outcomes, lang))))
    models = [m for df in (pooled, ordinal) if not _is_empty(df) and "model" in df.columns for m in df["model"]]
    used = list(dict.fromkeys(str(m) for m in models if not fmt.is_missing(m)))
    for m in used:
        key = f"synthesis.methods.model.{m}"
        if _has(key, lang):
            out.append(paragraph(t(key, lang, name=_model_name(m, lang))))
    out.append(paragraph(t("synthesis.methods.self_report", lang)))
    out.append(paragraph(t("round.methods.k", lang, k=_k_setting())))
    if suppressed_count():
        out.append(paragraph(plural("round.methods.suppressed", suppressed_count(), lang,
                                    n=fmt.integer(suppressed_count(), lang))))
    return out


def between_rounds_extra_sentences(data: Sequence[RoundData], lang: str, *,
                                   feedback: pd.DataFrame | None = None,
                                   ladder: pd.DataFrame | None = None) -> list[str]:
    """Sentences comparing the first and the latest round on session ratings (mean top-2
    share over the statements), the maturity ladder (mean change of participants and of
    comparison countries) and RF18 (difference-in-differences), when both rounds have them."""
    order = _round_order(data)
    out: list[str] = []
    fb = synthesis_feedback_results(data) if feedback is None else feedback
    if not _is_empty(fb):
        shown = fb[~fb["suppressed"].fillna(False).astype(bool)] if "suppressed" in fb else fb
        means = shown.groupby("round_id")["top2"].mean().dropna()
        rounds = [r for r in order if r in means.index]
        if len(rounds) >= 2:
            a, b = rounds[0], rounds[-1]
            out.append(t("synthesis.text.between_feedback", lang, first=fmt.percent(means[a], lang),
                         last=fmt.percent(means[b], lang), first_round=a, last_round=b))
    lad = synthesis_ladder_results(data) if ladder is None else ladder
    if not _is_empty(lad):
        means = lad.groupby(["round_id", "group"])["change"].mean()
        rounds = [r for r in order if (r, "participant") in means.index]
        if len(rounds) >= 2:
            a, b = rounds[0], rounds[-1]
            text = t("synthesis.text.between_ladder", lang, first=fmt.signed(means[(a, "participant")], lang, 1),
                     last=fmt.signed(means[(b, "participant")], lang, 1), first_round=a, last_round=b)
            if (a, "comparison") in means.index and (b, "comparison") in means.index:
                text += " " + t("synthesis.text.between_ladder_comparison", lang,
                                first=fmt.signed(means[(a, "comparison")], lang, 1),
                                last=fmt.signed(means[(b, "comparison")], lang, 1))
            out.append(text)
    dids = {}
    for r in data:
        if _is_empty(r.jsr_quality):
            continue
        res = jsr_results(r)
        if res.get("did") is not None:
            row = did_row(res["did"])
            if not fmt.is_missing(row.get("estimate")):
                dids[_rid(r)] = row
    rounds = [r for r in order if r in dids]
    if len(rounds) >= 2:
        a, b = rounds[0], rounds[-1]
        out.append(t("synthesis.text.between_rf18", lang,
                     first=fmt.signed(float(dids[a]["estimate"]) * 100, lang, 0),
                     last=fmt.signed(float(dids[b]["estimate"]) * 100, lang, 0),
                     p_first=fmt.p_equals(dids[a].get("p_randomization"), lang),
                     p_last=fmt.p_equals(dids[b].get("p_randomization"), lang), first_round=a, last_round=b))
    return out


def between_rounds_sentences(results: pd.DataFrame, lang: str, order: Sequence[str] | None = None) -> list[str]:
    """One sentence per outcome comparing the first and the latest round's median change
    (rounds in ``order``, e.g. by date; default: by id)."""
    if _is_empty(results) or results["round_id"].nunique() < 2:
        return []
    present_ids = set(results["round_id"])
    rounds = [r for r in (order or []) if r in present_ids] or sorted(present_ids)
    first, last = rounds[0], rounds[-1]
    out = []
    for outcome, sub in results.groupby("outcome", sort=False):
        a = sub[sub["round_id"] == first]["median_change"]
        b = sub[sub["round_id"] == last]["median_change"]
        if a.empty or b.empty or fmt.is_missing(a.iloc[0]) or fmt.is_missing(b.iloc[0]):
            continue
        same = round(float(a.iloc[0]), 1) == round(float(b.iloc[0]), 1)
        out.append(t("synthesis.text.between_same" if same else "synthesis.text.between_up", lang,
                     outcome=outcome_label(outcome, lang),
                     first=fmt.signed(a.iloc[0], lang, 1), last=fmt.signed(b.iloc[0], lang, 1),
                     first_round=first, last_round=last))
    return out


def synthesis_between_section(data: Sequence[RoundData], lang: str, results: pd.DataFrame | None = None) -> list[str]:
    """What changed between the first and the latest round: change per outcome, and session
    ratings, maturity ladder and RF18 when both rounds have them."""
    res = synthesis_outcome_results(data) if results is None else results
    out = [heading("synthesis.h.between", lang)]
    sentences = between_rounds_sentences(res, lang, _round_order(data))
    sentences += between_rounds_extra_sentences(data, lang)
    if not sentences:
        return out + [note("synthesis.none.between", lang)]
    return out + ["<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>"]


# --------------------------------------------------------------------------- review
# Thresholds of the recommendations: settings.yaml `quality` keys, with these defaults.
REVIEW_DEFAULTS: dict[str, float] = {
    "nonresponse_max": 0.20,
    "straightlining_max": 0.10,
    "alpha_min": 0.70,
    "burden_max_minutes": 15,
    "ceiling_share": 0.80,
    "response_rate_min": 0.60,
    "tool_mean_min": 3.0,
    "straightlining_min_items": 4,
}


def review_thresholds() -> dict[str, float]:
    """Recommendation thresholds: ``settings.yaml`` ``quality`` overriding `REVIEW_DEFAULTS`."""
    conf = settings().get("quality", {}) or {}
    return {key: float(conf.get(key, default)) for key, default in REVIEW_DEFAULTS.items()}


def review_findings(data: Sequence[RoundData]) -> dict[str, Any]:
    """Every quality check over the rounds, one DataFrame per check (with ``round_id``),
    and ``wave_names``, a formatter naming the waves and sessions of these rounds."""
    from ..analysis import quality

    found: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                             ("response", "nonresponse", "straightlining", "reliability",
                                              "burden", "ceiling")}
    for r in data:
        resp = r.responses
        if _is_empty(resp):
            continue
        rid = _rid(r)
        checks = {
            "response": lambda resp=resp, r=r: quality.response_rates(resp, r.participants),
            "nonresponse": lambda resp=resp: quality.item_nonresponse(resp),
            "straightlining": lambda resp=resp: quality.straightlining(resp),
            "reliability": lambda resp=resp: quality.scale_reliability(resp),
            "burden": lambda resp=resp: quality.completion_time(resp),
            "ceiling": lambda resp=resp: quality.ceiling_effects(resp),
        }
        for name, run in checks.items():
            df = run()
            if df is not None and not df.empty:
                df = df.copy()
                if "round_id" in df.columns:
                    df = df.drop(columns="round_id")
                df.insert(0, "round_id", rid)
                found[name].append(df)
    result: dict[str, Any] = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in found.items()}
    # the review tables name waves and sessions with the titles of the rounds reviewed
    result["wave_names"] = wave_namer(*(r.meta for r in data))
    return result


def _instrument_col(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.assign(instrument_text=[_instrument_name(i, lang) for i in df["instrument"]])


def review_response_section(findings: Mapping[str, Any], lang: str) -> list[str]:
    """Response rates by round, instrument and wave."""
    df = findings.get("response")
    out = [heading("review.h.response", lang)]
    if _is_empty(df):
        return out + [note("review.none.response", lang)]
    out.append(paragraph(t("review.intro.response", lang)))
    df = sort_waves(df, by=["round_id", "instrument"])
    out.append(_table(_instrument_col(df, lang), {"round_id": "col.round", "instrument_text": "col.instrument",
                                                  "wave": "col.wave", "n_respondents": "col.n_respondents",
                                                  "n_roster": "col.n_invited", "response_rate": "col.response_rate"},
                      lang, {"round_id": "id", "wave": findings.get("wave_names", _wave_or_session), "n_respondents": "int", "n_roster": "int",
                             "response_rate": "pct"}, caption=t("review.table.response", lang), n_col=None))
    return out


def review_nonresponse_section(findings: Mapping[str, Any], lang: str, top: int = 15) -> list[str]:
    """The questions most often skipped."""
    df = findings.get("nonresponse")
    th = review_thresholds()
    out = [heading("review.h.nonresponse", lang)]
    if _is_empty(df):
        return out + [note("review.none.nonresponse", lang)]
    out.append(paragraph(t("review.intro.nonresponse", lang, threshold=fmt.percent(th["nonresponse_max"], lang))))
    worst = df.sort_values("share_missing", ascending=False).head(top)
    out.append(_table(worst, {"round_id": "col.round", "item_id": "col.item", "wave": "col.wave", "n": "col.n",
                              "n_missing": "col.nonresponse", "share_missing": "col.share"},
                      lang, {"round_id": "id", "item_id": "item", "wave": findings.get("wave_names", _wave_or_session), "n": "int", "n_missing": "int",
                             "share_missing": "pct"}, caption=t("review.table.nonresponse", lang), n_col=None))
    return out


def review_straightlining_section(findings: Mapping[str, Any], lang: str) -> list[str]:
    """Straight-lining by survey."""
    df = findings.get("straightlining")
    out = [heading("review.h.straightlining", lang)]
    if _is_empty(df):
        return out + [note("review.none.straightlining", lang)]
    out.append(paragraph(t("review.intro.straightlining", lang,
                           min_items=int(review_thresholds()["straightlining_min_items"]))))
    out.append(_table(_instrument_col(df, lang), {"round_id": "col.round", "instrument_text": "col.instrument",
                                                  "wave": "col.wave", "n": "col.n",
                                                  "n_straightlined": "col.straightlining", "share": "col.share"},
                      lang, {"round_id": "id", "wave": findings.get("wave_names", _wave_or_session), "n": "int", "n_straightlined": "int", "share": "pct"},
                      caption=t("review.table.straightlining", lang), n_col=None))
    return out


def review_reliability_section(findings: Mapping[str, Any], lang: str) -> list[str]:
    """Cronbach's alpha with its CI per scale."""
    df = findings.get("reliability")
    out = [heading("review.h.reliability", lang)]
    if _is_empty(df):
        return out + [note("review.none.reliability", lang)]
    out.append(paragraph(t("review.intro.reliability", lang,
                           threshold=fmt.number(review_thresholds()["alpha_min"], lang, 2))))
    out.append(_table(_with_ci(df, lang, digits=2), {"round_id": "col.round", "scale": "col.outcome",
                                                     "wave": "col.wave", "k": "col.k_items", "n": "col.n",
                                                     "alpha": "col.alpha", "ci": "col.ci", "note": "col.note"},
                      lang, {"round_id": "id", "scale": "outcome", "wave": findings.get("wave_names", _wave_or_session), "k": "int", "n": "int",
                             "alpha": "num2", "note": "note"},
                      caption=t("review.table.reliability", lang), n_col=None))
    return out


def review_burden_section(findings: Mapping[str, Any], lang: str) -> list[str]:
    """Median completion time by survey."""
    df = findings.get("burden")
    out = [heading("review.h.burden", lang)]
    if _is_empty(df):
        return out + [note("review.none.burden", lang)]
    out.append(paragraph(t("review.intro.burden", lang)))
    df = _instrument_col(df, lang).assign(median_min=df["median_s"] / 60)
    out.append(_table(df, {"round_id": "col.round", "instrument_text": "col.instrument", "wave": "col.wave",
                           "n": "col.n", "median_min": "col.median_minutes"},
                      lang, {"round_id": "id", "wave": findings.get("wave_names", _wave_or_session), "n": "int", "median_min": "num1"},
                      caption=t("review.table.burden", lang), n_col=None))
    return out


def review_ceiling_section(findings: Mapping[str, Any], lang: str) -> list[str]:
    """Items with most answers in the top category."""
    df = findings.get("ceiling")
    th = review_thresholds()
    out = [heading("review.h.ceiling", lang)]
    if _is_empty(df):
        return out + [note("review.none.ceiling", lang)]
    out.append(paragraph(t("review.intro.ceiling", lang, threshold=fmt.percent(th["ceiling_share"], lang))))
    flagged = df[df["ceiling"].fillna(False).astype(bool)] if "ceiling" in df.columns else df
    if flagged.empty:
        out.append(paragraph(t("review.text.no_ceiling", lang, threshold=fmt.percent(th["ceiling_share"], lang))))
    shown = (flagged if not flagged.empty else df).sort_values("top_share", ascending=False).head(15)
    out.append(_table(shown, {"round_id": "col.round", "item_id": "col.item", "wave": "col.wave", "n": "col.n",
                              "top_share": "col.ceiling_share"},
                      lang, {"round_id": "id", "item_id": "item", "wave": findings.get("wave_names", _wave_or_session), "n": "int", "top_share": "pct"},
                      caption=t("review.table.ceiling", lang), n_col=None))
    return out


def review_tools_section(data: Sequence[RoundData], lang: str) -> list[str]:
    """Usefulness of the guidelines, self-assessment tool and toolbox over all rounds, with comments."""
    from ..analysis import tools
    from . import plots

    out = [heading("review.h.tools", lang)]
    tf = _concat(data, "tool_feedback")
    if tf.empty:
        return out + [note("review.none.tools", lang)]
    ratings = _rated(tools.tool_ratings(tf))
    out.append(figure_html(plots.tool_ratings_bars(ratings, lang), alt=t("round.figure.tools", lang)))
    out.append(_table(ratings, {"tool": "col.tool", "n": "col.n", "mean": "col.mean", "share_useful": "col.share_useful"},
                      lang, {"tool": "tool", "n": "int", "mean": "num1", "share_useful": "pct"},
                      caption=t("review.table.tools", lang)))
    comments = tool_comments(tf, _concat(data, "responses"))
    if not comments.empty:
        counts = _theme_table(comments, lang)
        out.append(_table(counts, {"theme_text": "col.theme", "n_comments": "col.mentions", "share": "col.share"},
                          lang, {"n_comments": "int", "share": "pct"}, caption=t("round.table.themes", lang),
                          n_col=None))
        out.append(note("round.text.themes_caveat", lang))
        group = "tool" if comments["tool"].notna().any() else None
        out.append(comments_html(comments, None, lang, group_col=group, text_col="comment"))
    return out


def _text_items() -> set[str]:
    """Free-text questions: optional by design, so their nonresponse is not a flaw."""
    from ..core.config import instruments

    return {
        str(item["id"])
        for spec in (instruments().get("instruments") or {}).values()
        for item in spec.get("items") or []
        if item.get("type") == "text"
    }


def _share_range(shares: pd.Series, lang: str) -> str:
    low, high = float(shares.min()), float(shares.max())
    if round(low, 2) == round(high, 2):
        return fmt.percent(high, lang)
    return t("common.range", lang, low=fmt.percent(low, lang), high=fmt.percent(high, lang))


def recommendations(findings: Mapping[str, Any], lang: str,
                    tool_ratings: pd.DataFrame | None = None) -> list[str]:
    """Concrete recommendations, each triggered by a threshold of `review_thresholds`.

    One recommendation per question, survey or scale (not per wave), saying in how many
    of the waves where it was measured the threshold was crossed. Free-text questions
    are optional and never flagged for nonresponse; the options of a multiple-choice
    question count as one question.
    """
    th = review_thresholds()
    recs: list[str] = []
    nr = findings.get("nonresponse")
    if not _is_empty(nr):
        nr = nr[~nr["item_id"].isin(_text_items())].copy()
        nr["question"] = nr["item_id"].astype(str).str.split(".").str[0]
        worst = nr.groupby("question", as_index=False)["share_missing"].max()
        for row in worst[worst["share_missing"] > th["nonresponse_max"]].sort_values("share_missing", ascending=False).to_dict("records"):
            recs.append(t("review.rec.nonresponse", lang, item=item_label(row["question"], lang),
                          share=fmt.percent(row["share_missing"], lang)))
    for key, column, limit, below in (("response", "response_rate", th["response_rate_min"], True),
                                      ("straightlining", "share", th["straightlining_max"], False)):
        df = findings.get(key)
        if _is_empty(df):
            continue
        for instrument, sub in df.groupby("instrument", sort=True):
            values = sub[column].dropna()
            hit = values[values < limit] if below else values[values > limit]
            if hit.empty:
                continue
            recs.append(t(f"review.rec.{key}", lang, instrument=_instrument_name(instrument, lang),
                          n=fmt.integer(len(hit), lang), total=fmt.integer(len(values), lang),
                          threshold=fmt.percent(limit, lang), share=_share_range(hit, lang)))
    rel = findings.get("reliability")
    if not _is_empty(rel):
        rel = rel[rel["alpha"].notna()]
        for scale, sub in rel.groupby("scale", sort=True):
            low = sub[sub["alpha"] < th["alpha_min"]]
            if low.empty:
                continue
            recs.append(t("review.rec.reliability", lang, scale=outcome_label(scale, lang),
                          n=fmt.integer(len(low), lang), total=fmt.integer(len(sub), lang),
                          alpha=fmt.number(low["alpha"].min(), lang, 2),
                          threshold=fmt.number(th["alpha_min"], lang, 2)))
    bu = findings.get("burden")
    if not _is_empty(bu):
        for instrument, sub in bu.groupby("instrument", sort=True):
            slow = sub[sub["median_s"] / 60 > th["burden_max_minutes"]]
            if slow.empty:
                continue
            recs.append(t("review.rec.burden", lang, instrument=_instrument_name(instrument, lang),
                          minutes=fmt.number(slow["median_s"].max() / 60, lang, 0),
                          target=fmt.number(th["burden_max_minutes"], lang, 0)))
    ce = findings.get("ceiling")
    if not _is_empty(ce) and "ceiling" in ce.columns:
        top = ce[ce["ceiling"].fillna(False).astype(bool)].groupby("item_id", as_index=False)["top_share"].max()
        for row in top.to_dict("records"):
            recs.append(t("review.rec.ceiling", lang, item=item_label(row["item_id"], lang),
                          share=fmt.percent(row["top_share"], lang)))
    if not _is_empty(tool_ratings):
        low = tool_ratings[tool_ratings["mean"].notna() & (tool_ratings["mean"] < th["tool_mean_min"])]
        for row in low.to_dict("records"):
            recs.append(t("review.rec.tools", lang, tool=tool_label(row["tool"], lang),
                          mean=fmt.number(row["mean"], lang, 1)))
    return recs


def review_recommendations_section(findings: Mapping[str, Any], data: Sequence[RoundData], lang: str) -> list[str]:
    """The recommendations list (or a sentence saying nothing crossed a threshold)."""
    from ..analysis import tools

    tf = _concat(data, "tool_feedback")
    ratings = _rated(tools.tool_ratings(tf)) if not tf.empty else None
    recs = recommendations(findings, lang, ratings)
    out = [heading("review.h.recommendations", lang)]
    if not recs:
        return out + [paragraph(t("review.rec.none", lang))]
    return out + ['<div class="summary-box"><ol>' + "".join(f"<li>{esc(r)}</li>" for r in recs) + "</ol></div>"]
