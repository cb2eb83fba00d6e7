"""Pieces several reports share: intervals as text, the comment-themes block, and the
title and scope of the programme reports. (Paired-change tables: `change`.)"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..analysis.synthesis import round_id_of
from ..analysis.tools import comment_theme_counts
from ..core.tables import RoundData
from . import fmt
from .context import ReportContext
from .html import comments_html, esc, heading, note, paragraph, table_html
from .i18n import community_name, instrument_name, t
from .sentences import join_names

__all__ = [
    "with_ci",
    "with_instrument_names",
    "comment_themes_block",
    "programme_title",
    "scope_section",
]

def with_ci(df: pd.DataFrame, lang: str, digits: int = 1) -> pd.DataFrame:
    """A copy of ``df`` with a ``ci`` column: ``ci_low`` to ``ci_high`` as text."""
    df = df.copy()
    df["ci"] = [fmt.ci(lo, hi, lang, digits) for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)]
    return df


def with_instrument_names(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy of ``df`` with ``instrument_text``, the name of its ``instrument``."""
    return df.assign(instrument_text=[instrument_name(i, lang) for i in df["instrument"]])


def comment_themes_block(comments: pd.DataFrame, ctx: ReportContext) -> list[str]:
    """The themes of comments on the tools (`analysis.tools.tool_comments`): a table of
    the themes mentioned, the caveat of keyword coding, and the comments themselves
    (by tool when known, withheld below k respondents)."""
    lang = ctx.lang
    counts = comment_theme_counts(comments, ctx.config.themes)
    counts = counts.assign(theme_text=[ctx.labels.theme(th, lang) for th in counts["theme"]])
    group = "tool" if comments["tool"].notna().any() else None
    return [
        table_html(counts, {"theme_text": "col.theme", "n_comments": "col.mentions", "share": "col.share"},
                   ctx, {"n_comments": "int", "share": "pct"}, caption=t("round.table.themes", lang), n_col=None),
        note("round.text.themes_caveat", lang),
        comments_html(comments, ctx, group_col=group, text_col="comment"),
    ]


def programme_title(kind: str, lang: str) -> str:
    """Kicker and title of the synthesis (``kind="synthesis"``) or review report."""
    return f'<p class="kicker">{esc(t(f"{kind}.kicker", lang))}</p><h1>{esc(t(f"{kind}.title", lang))}</h1>'


def scope_section(data: Sequence[RoundData], ctx: ReportContext, kind: str = "synthesis") -> list[str]:
    """The rounds a programme report covers: id, title, community, countries, host.

    ``kind`` (``synthesis`` or ``review``) picks the sentence introducing them."""
    lang = ctx.lang
    out = [heading(f"{kind}.h.scope", lang)]
    if not data:
        return out + [note("synthesis.none.rounds", lang)]
    rows = pd.DataFrame([{
        "round": round_id_of(r), "title": r.meta.get("title"),
        "community": "" if fmt.is_missing(r.meta.get("community")) else community_name(r.meta["community"], lang),
        "countries": ", ".join(ctx.labels.country(c, lang) for c in r.meta.get("countries") or []),
        "host": ctx.labels.country(r.meta["host"], lang) if r.meta.get("host") else "",
    } for r in data])
    communities = sorted(set(rows["community"].dropna()))
    out.append(paragraph(t(f"{kind}.intro.scope", lang, n=fmt.integer(len(rows), lang),
                           communities=join_names(communities, lang))))
    out.append(table_html(rows, {"round": "col.round", "title": "col.title", "community": "col.community",
                                 "countries": "col.countries", "host": "col.host"},
                          ctx, {"round": "id"}, caption=t("synthesis.table.rounds", lang), n_col=None))
    return out
