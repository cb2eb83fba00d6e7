"""Sentences written from the numbers, in the report's language.

Each sentence says what was measured with its n, interval and test, and says so
honestly when a test could not run (too few pairs) or found nothing (not significant at
the configured level). The numbers come from `analysis`; this module only words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from babel import Locale

from ..analysis.synthesis import between_outcomes, ordinal_direction
from . import fmt
from .context import ReportContext
from .i18n import t, wave_label

__all__ = [
    "plural",
    "join_names",
    "change_sentence",
    "headline_sentences",
    "did_row",
    "did_sentence",
    "ladder_did_sentence",
    "pulse_sentences",
    "network_sentence",
    "between_rounds_sentences",
    "between_feedback_sentence",
    "between_ladder_sentence",
    "between_rf18_sentence",
    "ordinal_reading",
]


def plural(key: str, count: Any, lang: str, **kwargs: Any) -> str:
    """``key.one`` or ``key.other`` by the CLDR plural rule of ``lang`` for ``count``
    (French: 1,5 point, English: 1.5 points)."""
    try:
        form = Locale.parse(lang).plural_form(abs(float(count)))
    except (TypeError, ValueError):
        form = "other"
    return t(f"{key}.{'one' if form == 'one' else 'other'}", lang, **kwargs)


def join_names(values: Sequence[str], lang: str) -> str:
    """``a, b and c`` in the report's language."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {t('common.and', lang)} " + values[-1]


def _points(x: float, lang: str) -> str:
    value = round(abs(float(x)), 1)
    digits = 0 if value.is_integer() else 1
    return plural("unit.points", value, lang, x=fmt.number(value, lang, digits))


def _too_few(row: Mapping[str, Any], n: int, min_pairs: int) -> bool:
    return n < min_pairs or row.get("note") == "too_few_pairs" or fmt.is_missing(row.get("estimate"))


def _direction(change: float) -> str:
    rounded = round(float(change), 1)
    return "up" if rounded > 0 else "down" if rounded < 0 else "flat"


def _test_text(row: Mapping[str, Any], lang: str) -> str:
    """``exact permutation p = 0.004`` (the p-value with the method that produced it)."""
    method = row.get("p_method") or "normal"
    return t(f"change.p_method.{method}", lang, p=fmt.p_equals(row.get("p_value"), lang))


def _change_stats(row: Mapping[str, Any], ctx: ReportContext, n: int) -> str:
    lang = ctx.lang
    text = t("sentence.change.stats", lang, ci=fmt.ci(row.get("ci_low"), row.get("ci_high"), lang),
             n=fmt.integer(n, lang), p=_test_text(row, lang))
    if not fmt.is_missing(row.get("p_adjusted")):
        text += t("sentence.change.adjusted", lang, p_adj=fmt.p_equals(row.get("p_adjusted"), lang))
    if row.get("family") == "primary":
        text += t("sentence.change.primary", lang)
    return text


def _judgement(row: Mapping[str, Any], alpha: float, lang: str) -> str:
    """The closing remark: no pair changed, or not significant at alpha (on the adjusted p)."""
    if row.get("note") == "no_variance":
        return " " + t("sentence.change.no_variance", lang)
    p_judge = row.get("p_adjusted")
    if fmt.is_missing(p_judge):
        p_judge = row.get("p_value")
    if fmt.is_missing(p_judge) or float(p_judge) >= alpha:
        return " " + t("sentence.change.not_significant", lang, alpha=fmt.percent(alpha, lang, 0))
    return ""


def change_sentence(
    row: Mapping[str, Any],
    ctx: ReportContext,
    *,
    subject: str | None = None,
    alpha: float | None = None,
    min_pairs: int | None = None,
) -> str:
    """One sentence on a paired change (a row of ``outcome_changes`` / ``item_changes``).

    Uses ``n``, ``estimate`` (the Hodges–Lehmann shift per question), ``ci_low``,
    ``ci_high``, ``p_value`` with ``p_method``, ``p_adjusted`` and ``family``,
    ``n_improved``, ``n_worse`` and ``note``; says plainly when there were too few pairs
    to test or when the change is not statistically significant (judged on the adjusted
    p when present). ``alpha`` and ``min_pairs`` default to the report's settings.
    """
    lang = ctx.lang
    alpha = ctx.alpha if alpha is None else alpha
    min_pairs = ctx.min_pairs if min_pairs is None else min_pairs
    if subject is None:
        has_outcome = "outcome" in row and not fmt.is_missing(row.get("outcome"))
        subject = (ctx.labels.outcome(row["outcome"], lang) if has_outcome
                   else ctx.labels.item(row.get("item_id", ""), lang))
    subject_lower = subject[:1].lower() + subject[1:] if lang == "en" else subject
    n = row.get("n")
    n_int = 0 if fmt.is_missing(n) else int(n)
    if _too_few(row, n_int, min_pairs):
        return t("sentence.change.too_few", lang, subject=subject, subject_lower=subject_lower,
                 n=fmt.integer(n_int, lang), min=fmt.integer(min_pairs, lang))
    shift = float(row["estimate"])
    sentence = t(f"sentence.change.{_direction(shift)}", lang, subject=subject, subject_lower=subject_lower,
                 change=_points(shift, lang), stats=_change_stats(row, ctx, n_int), n=fmt.integer(n_int, lang),
                 higher=fmt.integer(row.get("n_improved"), lang), lower=fmt.integer(row.get("n_worse"), lang))
    return sentence + _judgement(row, alpha, lang)


def headline_sentences(
    ctx: ReportContext,
    *,
    n_participants: int | None = None,
    n_countries: int | None = None,
    n_pairs: int | None = None,
    outcome_changes: pd.DataFrame | None = None,
    feedback_agree: float | None = None,
    feedback_n: int | None = None,
    feedback_top2: float | None = None,
    feedback_top2_n: int | None = None,
    plan_done: int | None = None,
    plan_total: int | None = None,
    did: Mapping[str, Any] | None = None,
) -> list[str]:
    """The summary sentences of a round report, each written from the numbers.

    Every argument is optional: a sentence is written only for what was measured.
    ``feedback_top2`` (the share of session-feedback answers in the top two levels of
    their scales) is for questionnaires without the standard relevance statement.
    ``did`` is `did_row` of an ``analysis.jsr.rf18_did`` result.
    """
    lang = ctx.lang
    out: list[str] = []
    if n_participants:
        out.append(plural("sentence.headline.participants", n_participants, lang,
                          n=fmt.integer(n_participants, lang), countries=fmt.integer(n_countries or 0, lang)))
    if n_pairs is not None and n_participants:
        out.append(t("sentence.headline.pairs", lang, n=fmt.integer(n_pairs, lang)))
    if feedback_agree is not None and not fmt.is_missing(feedback_agree):
        out.append(t("sentence.headline.feedback", lang, share=fmt.percent(feedback_agree, lang, 0),
                     n=fmt.integer(feedback_n or 0, lang)))
    if feedback_top2 is not None and not fmt.is_missing(feedback_top2):
        out.append(t("sentence.headline.feedback_top2", lang, share=fmt.percent(feedback_top2, lang, 0),
                     n=fmt.integer(feedback_top2_n or 0, lang)))
    if outcome_changes is not None and not outcome_changes.empty:
        out.extend(change_sentence(row, ctx) for row in outcome_changes.to_dict("records"))
    if plan_total:
        out.append(t("sentence.headline.plans", lang, done=fmt.integer(plan_done or 0, lang),
                     total=fmt.integer(plan_total, lang),
                     share=fmt.percent((plan_done or 0) / plan_total, lang, 0)))
    if did:
        out.append(did_sentence(did, lang))
    return out


def did_row(did: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an ``rf18_did`` result that `did_sentence` needs."""
    d = dict(did)
    n_countries, n_treated = d.get("n_countries"), d.get("n_treated")
    n_control = None if fmt.is_missing(n_countries) or fmt.is_missing(n_treated) else int(n_countries) - int(n_treated)
    return {"estimate": d.get("estimate"), "p_randomization": d.get("p_value_ri"), "n_treated": n_treated,
            "n_control": n_control, "ci_low": d.get("ci_low"), "ci_high": d.get("ci_high"),
            "p_value_ols": d.get("p_value_ols")}


def did_sentence(did: Mapping[str, Any], lang: str) -> str:
    """The RF18 difference-in-differences result (`did_row`), with its randomization
    p-value and the caveat that few countries make it indicative only."""
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


def pulse_sentences(res: Mapping[str, Any], ctx: ReportContext) -> list[str]:
    """The pulse trend for the summary box (`analysis.pulse.pulse_results`): mean top-2
    share at the first and last wave, and the paired change of the pulse score (its
    Hodges–Lehmann shift per statement; honest when too few pairs or not significant)."""
    if not res or len(res.get("waves") or []) < 2:
        return []
    lang, alpha, min_pairs = ctx.lang, ctx.alpha, ctx.min_pairs
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
    if _too_few(row, n_int, min_pairs):
        return out + [t("sentence.pulse.too_few", lang, min=fmt.integer(min_pairs, lang), **names)]
    shift = float(row["estimate"])
    sentence = t(f"sentence.pulse.{_direction(shift)}", lang, change=_points(shift, lang),
                 stats=_change_stats(row, ctx, n_int), higher=fmt.integer(row.get("n_improved"), lang),
                 lower=fmt.integer(row.get("n_worse"), lang), **names)
    return out + [sentence + _judgement(row, alpha, lang)]


def network_sentence(metrics: pd.DataFrame | None, lang: str) -> list[str]:
    """How the network changed between the first and the latest wave of
    `analysis.network.network_metrics` (ties, cross-country share); nothing with one wave."""
    if metrics is None or len(metrics) < 2:
        return []
    first, last = metrics.iloc[0], metrics.iloc[-1]
    return [t("sentence.headline.network", lang,
              first=wave_label(first["wave"], lang), last=wave_label(last["wave"], lang),
              ties_first=fmt.integer(first["n_ties"], lang), ties_last=fmt.integer(last["n_ties"], lang),
              cross_first=fmt.percent(first["share_cross_country"], lang),
              cross_last=fmt.percent(last["share_cross_country"], lang))]


def between_rounds_sentences(results: pd.DataFrame, ctx: ReportContext,
                             order: Sequence[str] | None = None) -> list[str]:
    """One sentence per outcome comparing the first and the latest round's median change
    (`analysis.synthesis.between_outcomes`; rounds in ``order``, default by id)."""
    lang = ctx.lang
    return [t("synthesis.text.between_same" if row["same"] else "synthesis.text.between_up", lang,
              outcome=ctx.labels.outcome(row["outcome"], lang),
              first=fmt.signed(row["first"], lang, 1), last=fmt.signed(row["last"], lang, 1),
              first_round=row["first_round"], last_round=row["last_round"])
            for row in between_outcomes(results, order)]


def between_feedback_sentence(change: Mapping[str, Any] | None, lang: str) -> list[str]:
    """Session ratings in the first and the latest round (`analysis.synthesis.between_feedback`)."""
    if not change:
        return []
    return [t("synthesis.text.between_feedback", lang, first=fmt.percent(change["first"], lang),
              last=fmt.percent(change["last"], lang), first_round=change["first_round"],
              last_round=change["last_round"])]


def between_ladder_sentence(change: Mapping[str, Any] | None, lang: str) -> list[str]:
    """Maturity-ladder change in the first and the latest round, participants and (when
    both rounds have them) comparison countries (`analysis.synthesis.between_ladder`)."""
    if not change:
        return []
    text = t("synthesis.text.between_ladder", lang, first=fmt.signed(change["first"], lang, 1),
             last=fmt.signed(change["last"], lang, 1), first_round=change["first_round"],
             last_round=change["last_round"])
    if change.get("comparison_first") is not None:
        text += " " + t("synthesis.text.between_ladder_comparison", lang,
                        first=fmt.signed(change["comparison_first"], lang, 1),
                        last=fmt.signed(change["comparison_last"], lang, 1))
    return [text]


def between_rf18_sentence(change: Mapping[str, Any] | None, lang: str) -> list[str]:
    """The RF18 difference-in-differences of the first and the latest round
    (`analysis.synthesis.between_rf18`)."""
    if not change:
        return []
    first, last = did_row(change["first"]), did_row(change["last"])
    return [t("synthesis.text.between_rf18", lang,
              first=fmt.signed(float(first["estimate"]) * 100, lang, 0),
              last=fmt.signed(float(last["estimate"]) * 100, lang, 0),
              p_first=fmt.p_equals(first.get("p_randomization"), lang),
              p_last=fmt.p_equals(last.get("p_randomization"), lang),
              first_round=change["first_round"], last_round=change["last_round"])]


def ordinal_reading(res: pd.DataFrame | None, ctx: ReportContext) -> str:
    """One plain-language sentence reading the ordinal models (how many questions moved
    up, with a 95% interval entirely above zero; `analysis.synthesis.ordinal_direction`)."""
    if res is None or len(res) == 0:
        return ""
    lang = ctx.lang
    direction = ordinal_direction(res)
    text = t("synthesis.text.ordinal_reading", lang, n_up=fmt.integer(direction["n_up"], lang),
             n_down=fmt.integer(direction["n_down"], lang), n=fmt.integer(direction["n"], lang))
    best = direction["best"]
    if best is not None:
        text += " " + t("synthesis.text.ordinal_best", lang, item=ctx.labels.item(best["item_id"], lang),
                        odds=fmt.number(best["odds_ratio"], lang, 1))
    return text
