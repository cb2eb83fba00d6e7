"""Paired-change tables: who rated higher, the same or lower, the shift, the p-values,
and the footnotes that say which family each adjusted p belongs to.

The numbers come from `analysis.outcomes` (`item_changes`, `outcome_changes`,
`response_shift`) and `analysis.pulse`; this module only lays them out: one table per
family of adjusted p-values, as the analysis adjusted them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..analysis.multiplicity import PRIMARY
from . import fmt
from .context import ReportContext
from .html import Formatter, format_value, table_html
from .i18n import t

__all__ = ["change_cells", "change_table", "change_notes", "percent_ci", "share_ci", "signed_percent",
           "with_primary_marks", "primary_labels"]


def percent_ci(low: Any, high: Any, lang: str) -> str:
    """An interval of a difference of shares in percentage points, after a value in
    percent: ``-13 to 35`` (words: a dash next to a negative number is ambiguous)."""
    if fmt.is_missing(low) or fmt.is_missing(high):
        return fmt.MISSING
    return t("common.ci_range", lang, low=fmt.number(float(low) * 100, lang, 0),
             high=fmt.number(float(high) * 100, lang, 0))


def share_ci(low: Any, high: Any, lang: str) -> str:
    """An interval of shares (never negative) in percent, compactly: ``35–85``."""
    if fmt.is_missing(low) or fmt.is_missing(high):
        return fmt.MISSING
    return f"{fmt.number(float(low) * 100, lang, 0)}\u2013{fmt.number(float(high) * 100, lang, 0)}"


def signed_percent(x: Any, lang: str) -> str:
    """A difference of shares with its sign: ``+55%``, ``-9%``, ``0%``."""
    if fmt.is_missing(x):
        return fmt.MISSING
    text = fmt.percent(x, lang)
    return "+" + text if round(float(x), 2) > 0 else text


def _with_interval(value: str, interval: str) -> str:
    return value if interval == fmt.MISSING else f"{value} ({interval})"


def change_cells(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy of a paired-change table with its display cells as text:

    ``higher`` (share rated higher, with its Wilson interval: ``64% (35–85)``),
    ``higher_share``, ``same``, ``lower`` (shares), ``net`` (higher − lower, with
    Newcombe's interval in percentage points: ``+55% (7 to 80)``) and ``shift``
    (Hodges–Lehmann shift with its interval, one decimal)."""
    out = df.copy()
    rows = out.to_dict("records")
    out["higher"] = [_with_interval(fmt.percent(r.get("share_improved"), lang),
                                    share_ci(r.get("share_improved_low"), r.get("share_improved_high"), lang))
                     for r in rows]
    out["higher_share"] = [fmt.percent(r.get("share_improved"), lang) for r in rows]
    out["same"] = [fmt.percent(r.get("share_unchanged"), lang) for r in rows]
    out["lower"] = [fmt.percent(r.get("share_worse"), lang) for r in rows]
    out["net"] = [_with_interval(signed_percent(r.get("net_improved"), lang),
                                 percent_ci(r.get("net_improved_low"), r.get("net_improved_high"), lang))
                  for r in rows]
    out["shift"] = [_with_interval(fmt.signed(r.get("estimate"), lang, 1), fmt.ci(r.get("ci_low"), r.get("ci_high"), lang))
                    if not fmt.is_missing(r.get("estimate")) else fmt.MISSING for r in rows]
    return out


def with_primary_marks(df: pd.DataFrame, label_col: str) -> pd.DataFrame:
    """A copy whose ``label_col`` holds ``(value, is_primary)`` for `primary_labels`."""
    families = df["family"] if "family" in df.columns else pd.Series(None, index=df.index, dtype=object)
    return df.assign(**{label_col: [(v, fam == PRIMARY) for v, fam in zip(df[label_col], families, strict=True)]})


def primary_labels(formatter: Formatter, ctx: ReportContext) -> Callable[[Any, str], str]:
    """The label formatter, with "(primary)" after the pre-specified primary row (labels
    from `with_primary_marks`)."""

    def label(value: Any, lang: str) -> str:
        name, is_primary = value if isinstance(value, tuple) else (value, False)
        text = format_value(name, formatter, ctx)
        return t("change.primary_label", lang, name=text) if is_primary else text

    return label


def change_notes(df: pd.DataFrame, ctx: ReportContext, *, what: str) -> list[str]:
    """Footnotes of a change table: how p was computed, and the family and method of
    the adjusted p. ``what`` names the rows (``questions``, ``outcomes``, ``statements``)."""
    lang = ctx.lang
    notes = []
    methods = df["p_method"].dropna() if "p_method" in df.columns else pd.Series(dtype=object)
    if len(methods):
        exact = int(methods.isin(["exact", "exact_conditional"]).sum())
        key = "change.note.p_all_exact" if exact == len(methods) else "change.note.p"
        notes.append(t(key, lang, exact=fmt.integer(exact, lang), n=fmt.integer(len(methods), lang),
                       max=fmt.integer(ctx.exact_max_pairs, lang)))
    if "p_adjusted" not in df.columns or df["p_adjusted"].isna().all():
        return notes
    method = t(f"change.method.{df['adjust_method'].dropna().iloc[0]}", lang)
    primary = df[df["family"] == PRIMARY]
    others = df[(df["family"] != PRIMARY) & df["p_adjusted"].notna()]
    if len(primary):
        notes.append(t("change.note.primary", lang, method=method, m=fmt.integer(len(others), lang),
                       alpha=fmt.percent(ctx.alpha, lang), what=t(f"change.rows.{what}", lang)))
    else:
        notes.append(t("change.note.family", lang, method=method, m=fmt.integer(len(others), lang),
                       what=t(f"change.rows.{what}", lang)))
    return notes


def change_table(
    df: pd.DataFrame,
    ctx: ReportContext,
    *,
    label_col: str,
    label_format: Formatter,
    caption: str,
    shift: bool,
    what: str,
    extra: dict[str, str] | None = None,
    extra_formats: dict[str, Formatter] | None = None,
) -> str:
    """A paired-change table: label, pairs, shares higher / same / lower, then the shift
    with its interval (``shift=True``, for scores) or the net share with its interval
    (single questions), p and adjusted p, with `change_notes` below."""
    lang = ctx.lang
    cells = with_primary_marks(change_cells(df, lang), label_col)
    columns = {**(extra or {}), label_col: f"col.{'outcome' if label_col == 'outcome' else 'item'}",
               "n": "col.n_pairs"}
    if shift:
        columns.update({"higher_share": "col.rated_higher", "same": "col.rated_same", "lower": "col.rated_lower",
                        "shift": "col.shift"})
    else:
        columns.update({"higher": "col.rated_higher_ci", "same": "col.rated_same", "lower": "col.rated_lower",
                        "net": "col.net_higher"})
    columns.update({"p_value": "col.p_value", "p_adjusted": "col.p_adjusted"})
    formats: dict[str, Formatter] = {label_col: primary_labels(label_format, ctx), "n": "int", "higher": "ci",
                                     "higher_share": "ci", "same": "ci", "lower": "ci", "net": "ci", "shift": "ci",
                                     "p_value": "p", "p_adjusted": "p", **(extra_formats or {})}
    return table_html(cells, columns, ctx, formats, caption=caption, n_col=None, compact=True,
                      notes=change_notes(df, ctx, what=what))
