"""The feedback-collection review, section by section (``notebooks/feedback_review.ipynb``).

`review_findings` runs the checks of `analysis.review` with the thresholds and scales of
the report's data folder; each ``*_section`` shows one check; `recommendations` words
the flags of `analysis.review.review_flags`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..analysis import review
from ..analysis.framework import framework_row, framework_table
from ..analysis.tools import rated_tools, tool_comments, tool_ratings
from ..analysis.verdict import EVIDENCE_COLUMNS, share_evidence
from ..analysis.waves import manifest_sessions, sort_by_wave
from ..core.exports import EXPORT_MIME
from ..core.tables import RoundData, concat_rounds
from . import fmt, plots
from .blocks import comment_themes_block, with_ci, with_instrument_names
from .context import ReportContext
from .html import esc, figure_html, heading, note, paragraph, table_html
from .i18n import instrument_name, t, tool_label
from .labels import wave_namer
from .results_cache import ResultsCache, shared_over_rounds
from .verdict import framework_export, headline_sentence, verdict_section

__all__ = [
    "review_headline",
    "review_verdict_block",
    "review_export_bundle",
    "review_findings",
    "review_tool_ratings",
    "recommendations",
    "response_section",
    "nonresponse_section",
    "straightlining_section",
    "reliability_section",
    "burden_section",
    "ceiling_section",
    "tools_section",
    "recommendations_section",
]


def review_findings(data: Sequence[RoundData], ctx: ReportContext, *,
                    cache: ResultsCache | None = None) -> dict[str, Any]:
    """Every check of `analysis.review.review_findings` over the rounds, with the
    thresholds and scales of ``ctx``; also ``sessions`` (the rounds' session ids, in
    manifest order) and ``wave_names`` (a formatter naming their waves and sessions).

    The checks do not depend on the report's language: with a ``cache`` (a build's,
    `results_cache.results_cache`), those another language computed over the same rounds
    and data are read instead."""
    found: dict[str, Any] = shared_over_rounds(
        cache, "review", data,
        lambda: review.review_findings(data, thresholds=ctx.review_thresholds, scales=ctx.item_scales))
    metas = [r.meta for r in data]
    return {**found, "sessions": manifest_sessions(*metas), "wave_names": wave_namer(*metas)}


def _wave_names(findings: Mapping[str, Any]) -> Callable[[Any, str], str]:
    return findings.get("wave_names") or wave_namer()


def review_tool_ratings(data: Sequence[RoundData], ctx: ReportContext) -> pd.DataFrame | None:
    """Ratings of the rated tools over all rounds (None without tool feedback)."""
    tf = concat_rounds(list(data), "tool_feedback")
    return rated_tools(tool_ratings(tf, k=ctx.k)) if not tf.empty else None


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _share_range(low: float, high: float, lang: str) -> str:
    if round(low, 2) == round(high, 2):
        return fmt.percent(high, lang)
    return t("common.range", lang, low=fmt.percent(low, lang), high=fmt.percent(high, lang))


def recommendations(findings: Mapping[str, Any], ctx: ReportContext,
                    tool_ratings: pd.DataFrame | None = None, *, supported: bool = True) -> list[str]:
    """Concrete recommendations, each triggered by a threshold of the review
    (`analysis.review.review_flags`) and carried by enough evidence (``supported``), in
    the report's language, each with the numbers that triggered it (n and interval).
    With ``supported=False``: the thresholds crossed on too little evidence (to watch).

    One recommendation per question, survey or scale (not per wave), saying in how many
    of the waves where it was measured the threshold was crossed. Free-text questions
    are optional and never flagged for nonresponse; the options of a multiple-choice
    question count as one question.
    """
    lang, labels = ctx.lang, ctx.labels
    flags = review.review_flags(findings, ctx.review_thresholds, free_text=review.text_items(ctx.config.instruments),
                                tool_ratings=tool_ratings)
    recs = []
    for flag in flags:
        if bool(flag.get("supported")) != supported:
            continue
        kind = flag["kind"]
        key = f"review.rec.{kind}"
        if kind == "nonresponse":
            text = t(key, lang, item=labels.item(flag["item"], lang), share=fmt.percent(flag["share"], lang))
        elif kind in ("response", "straightlining"):
            text = t(key, lang, instrument=instrument_name(flag["instrument"], lang),
                     n=fmt.integer(flag["waves"], lang), total=fmt.integer(flag["total"], lang),
                     threshold=fmt.percent(flag["threshold"], lang),
                     share=_share_range(flag["low"], flag["high"], lang))
        elif kind == "reliability":
            text = t(key, lang, scale=labels.outcome(flag["scale"], lang),
                     n=fmt.integer(flag["waves"], lang), total=fmt.integer(flag["total"], lang),
                     alpha=fmt.number(flag["alpha"], lang, 2), threshold=fmt.number(flag["threshold"], lang, 2))
        elif kind == "burden":
            text = t(key, lang, instrument=instrument_name(flag["instrument"], lang),
                     minutes=fmt.number(flag["minutes"], lang, 0), target=fmt.number(flag["target"], lang, 0))
        elif kind == "ceiling":
            text = t(key, lang, item=labels.item(flag["item_id"], lang), share=fmt.percent(flag["share"], lang))
        else:
            text = t(key, lang, tool=tool_label(flag["tool"], lang), mean=fmt.number(flag["mean"], lang, 1))
        digits = 2 if kind == "reliability" else None
        if not fmt.is_missing(flag.get("ci_low")) and not fmt.is_missing(flag.get("ci_high")):
            interval = (fmt.ci(flag["ci_low"], flag["ci_high"], lang, digits) if digits
                        else t("common.ci_range", lang, low=fmt.percent(flag["ci_low"], lang),
                               high=fmt.percent(flag["ci_high"], lang)))
            text += " " + t("review.rec.evidence_ci", lang, n=fmt.integer(flag.get("n"), lang), ci=interval)
        elif flag.get("n") is not None:
            text += " " + t("review.rec.evidence_n", lang, n=fmt.integer(flag.get("n"), lang))
        recs.append(text)
    return recs


_LEVELS = {"L1", "L2", "L3", "L4"}


def review_headline(findings: Mapping[str, Any], ctx: ReportContext) -> dict[str, Any]:
    """The review's results framework: per survey, its response rate over all rounds and
    waves against ``quality.response_rate_min`` (a share against a benchmark), judged by
    the verdict rules; ``framework``, ``facts`` and ``headline``."""
    df = findings.get("response")
    rows = []
    if not _is_empty(df):
        benchmark = ctx.review_thresholds["response_rate_min"]
        specs = ctx.config.instruments.get("instruments") or {}
        n_col = "n_eligible" if "n_eligible" in df.columns else "n_roster"
        for instrument, sub in df.groupby("instrument", sort=False):
            sub = sub[sub["response_rate"].notna() & (sub[n_col] > 0)]
            n = int(sub[n_col].sum())
            if not n:
                continue
            successes = int(round(float((sub["response_rate"] * sub[n_col]).sum())))
            evidence = share_evidence(successes, n, benchmark)
            level = str((specs.get(instrument) or {}).get("level") or "L3")
            rows.append(framework_row(indicator=f"response_{instrument}", level=level if level in _LEVELS else "L3",
                                      outcome=None, design="share", unit="share", target=benchmark,
                                      actual=successes / n, instrument=instrument, source_file="",
                                      **{k: evidence[k] for k in EVIDENCE_COLUMNS}))
    table = framework_table(rows, ctx.verdict_rules, round_id="*")
    return {"framework": table, "facts": {}, "headline": headline_sentence(table, ctx)}


def review_verdict_block(headline: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """The verdict box of the review: are the surveys answered by those they ask?"""
    return verdict_section(headline["framework"], None, ctx, headline["facts"], question_key="review.verdict.question",
                           title_key="review.verdict.title")


def review_export_bundle(headline: Mapping[str, Any], ctx: ReportContext) -> dict[str, Any]:
    """The review's framework and headline for the publishing step."""
    frame = framework_export(headline["framework"].assign(round_id=t("synthesis.pooled", ctx.lang)), ctx)
    records = frame.astype(object).where(frame.notna(), None).values.tolist() if not frame.empty else []
    return {EXPORT_MIME: {"lang": ctx.lang, "headline": headline.get("headline") or "",
                          "results_framework": {"columns": list(frame.columns), "rows": records}}}


# =========================================================================== sections
def response_section(findings: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Response rates by round, instrument and wave."""
    lang = ctx.lang
    df = findings.get("response")
    out = [heading("review.h.response", lang)]
    if _is_empty(df):
        return out + [note("review.none.response", lang)]
    out.append(paragraph(t("review.intro.response", lang)))
    df = sort_by_wave(df, ctx.wave_order, findings.get("sessions", ()), by=["round_id", "instrument"])
    df = df.assign(eligible_text=[t(f"round.denominator.{d}", lang, n=fmt.integer(n, lang))
                                  for d, n in zip(df["denominator"], df["n_eligible"], strict=True)])
    out.append(table_html(with_instrument_names(df, lang),
                          {"round_id": "col.round", "instrument_text": "col.instrument", "wave": "col.wave",
                           "n_respondents": "col.n_respondents", "n_identified": "col.n_identified",
                           "n_anonymous": "col.n_anonymous", "eligible_text": "col.eligible",
                           "response_rate": "col.response_rate"},
                          ctx, {"round_id": "id", "wave": _wave_names(findings), "n_respondents": "int",
                                "n_identified": "int", "n_anonymous": "int", "response_rate": "pct"},
                          caption=t("review.table.response", lang), n_col=None, compact=True,
                          notes=[t("round.text.response_rate_rule", lang)]))
    return out


def nonresponse_section(findings: Mapping[str, Any], ctx: ReportContext, top: int = 15) -> list[str]:
    """The questions most often skipped."""
    lang = ctx.lang
    df = findings.get("nonresponse")
    out = [heading("review.h.nonresponse", lang)]
    if _is_empty(df):
        return out + [note("review.none.nonresponse", lang)]
    threshold = fmt.percent(ctx.review_thresholds["nonresponse_max"], lang)
    out.append(paragraph(t("review.intro.nonresponse", lang, threshold=threshold)))
    worst = df.sort_values("share_missing", ascending=False).head(top)
    out.append(table_html(worst, {"round_id": "col.round", "item_id": "col.item", "wave": "col.wave", "n": "col.n",
                                  "n_missing": "col.nonresponse", "share_missing": "col.share"},
                          ctx, {"round_id": "id", "item_id": "item", "wave": _wave_names(findings), "n": "int",
                                "n_missing": "int", "share_missing": "pct"},
                          caption=t("review.table.nonresponse", lang), n_col=None))
    return out


def straightlining_section(findings: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Straight-lining by survey."""
    lang = ctx.lang
    df = findings.get("straightlining")
    out = [heading("review.h.straightlining", lang)]
    if _is_empty(df):
        return out + [note("review.none.straightlining", lang)]
    out.append(paragraph(t("review.intro.straightlining", lang,
                           min_items=int(ctx.review_thresholds["straightlining_min_items"]))))
    out.append(table_html(with_instrument_names(df, lang),
                          {"round_id": "col.round", "instrument_text": "col.instrument", "wave": "col.wave",
                           "n": "col.n", "n_straightlined": "col.straightlining", "share": "col.share"},
                          ctx, {"round_id": "id", "wave": _wave_names(findings), "n": "int", "n_straightlined": "int",
                                "share": "pct"},
                          caption=t("review.table.straightlining", lang), n_col=None))
    return out


def reliability_section(findings: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Cronbach's alpha with its CI per scale."""
    lang = ctx.lang
    df = findings.get("reliability")
    out = [heading("review.h.reliability", lang)]
    if _is_empty(df):
        return out + [note("review.none.reliability", lang)]
    out.append(paragraph(t("review.intro.reliability", lang,
                           threshold=fmt.number(ctx.review_thresholds["alpha_min"], lang, 2))))
    out.append(table_html(with_ci(df, lang, digits=2),
                          {"round_id": "col.round", "scale": "col.outcome", "wave": "col.wave", "k": "col.k_items",
                           "n": "col.n", "alpha": "col.alpha", "ci": "col.ci", "note": "col.note"},
                          ctx, {"round_id": "id", "scale": "outcome", "wave": _wave_names(findings), "k": "int",
                                "n": "int", "alpha": "num2", "note": "note"},
                          caption=t("review.table.reliability", lang), n_col=None))
    return out


def burden_section(findings: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Median completion time by survey."""
    lang = ctx.lang
    df = findings.get("burden")
    out = [heading("review.h.burden", lang)]
    if _is_empty(df):
        return out + [note("review.none.burden", lang)]
    out.append(paragraph(t("review.intro.burden", lang)))
    df = with_instrument_names(df, lang).assign(median_min=df["median_s"] / 60)
    out.append(table_html(df, {"round_id": "col.round", "instrument_text": "col.instrument", "wave": "col.wave",
                               "n": "col.n", "median_min": "col.median_minutes"},
                          ctx, {"round_id": "id", "wave": _wave_names(findings), "n": "int", "median_min": "num1"},
                          caption=t("review.table.burden", lang), n_col=None))
    return out


def ceiling_section(findings: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """Items with most answers in the top category."""
    lang = ctx.lang
    df = findings.get("ceiling")
    out = [heading("review.h.ceiling", lang)]
    if _is_empty(df):
        return out + [note("review.none.ceiling", lang)]
    threshold = fmt.percent(ctx.review_thresholds["ceiling_share"], lang)
    out.append(paragraph(t("review.intro.ceiling", lang, threshold=threshold)))
    flagged = df[df["ceiling"].fillna(False).astype(bool)] if "ceiling" in df.columns else df
    if flagged.empty:
        out.append(paragraph(t("review.text.no_ceiling", lang, threshold=threshold)))
    shown = (flagged if not flagged.empty else df).sort_values("top_share", ascending=False).head(15)
    out.append(table_html(shown, {"round_id": "col.round", "item_id": "col.item", "wave": "col.wave", "n": "col.n",
                                  "top_share": "col.ceiling_share"},
                          ctx, {"round_id": "id", "item_id": "item", "wave": _wave_names(findings), "n": "int",
                                "top_share": "pct"},
                          caption=t("review.table.ceiling", lang), n_col=None))
    return out


def tools_section(data: Sequence[RoundData], ctx: ReportContext) -> list[str]:
    """Usefulness of the guidelines, self-assessment tool and toolbox over all rounds, with comments."""
    lang = ctx.lang
    out = [heading("review.h.tools", lang)]
    ratings = review_tool_ratings(data, ctx)
    if ratings is None:
        return out + [note("review.none.tools", lang)]
    out.append(figure_html(plots.tool_ratings_bars(ratings, ctx), alt=t("round.figure.tools", lang)))
    out.append(table_html(ratings, {"tool": "col.tool", "n": "col.n", "mean": "col.mean",
                                    "share_useful": "col.share_useful"},
                          ctx, {"tool": "tool", "n": "int", "mean": "num1", "share_useful": "pct"},
                          caption=t("review.table.tools", lang)))
    comments = tool_comments(concat_rounds(list(data), "tool_feedback"), concat_rounds(list(data), "responses"))
    if not comments.empty:
        out.extend(comment_themes_block(comments, ctx))
    return out


def recommendations_section(findings: Mapping[str, Any], data: Sequence[RoundData], ctx: ReportContext) -> list[str]:
    """The recommendations list (or a sentence saying nothing crossed a threshold)."""
    lang = ctx.lang
    ratings = review_tool_ratings(data, ctx)
    recs = recommendations(findings, ctx, ratings)
    watch = recommendations(findings, ctx, ratings, supported=False)
    th = ctx.review_thresholds
    out = [heading("review.h.recommendations", lang),
           paragraph(t("review.rec.rule", lang, n=fmt.integer(th["recommend_min_n"], lang),
                       n_alpha=fmt.integer(th["alpha_min_n"], lang)), "note")]
    if not recs:
        out.append(paragraph(t("review.rec.none_supported" if watch else "review.rec.none", lang)))
    else:
        out.append('<div class="summary-box"><ol>' + "".join(f"<li>{esc(r)}</li>" for r in recs) + "</ol></div>")
    if watch:
        out.append(heading("review.h.watch", lang, level=3))
        out.append(paragraph(t("review.rec.watch_intro", lang)))
        out.append('<ul>' + "".join(f"<li>{esc(r)}</li>" for r in watch) + "</ul>")
    return out
