"""The round report, section by section (``notebooks/round_report.ipynb``).

Each ``*_section`` takes the loaded round and the report's `context.ReportContext` and
returns a list of HTML parts (heading, paragraphs, tables, figures) for `html.show`; a
section without data returns its heading and one sentence saying so. The numbers come
from `analysis`, through the ``*_results`` functions, which call it with the settings of
the report's data folder; a notebook computes them once (`round_results`).

A round shows only the sections its data supports: `SECTIONS` lists them in report
order, each with the test of whether the round has its data, and `round_sections` builds
those that apply. Another module adds its own with `register_section` (e.g. a section
per question of an evaluator's own questionnaire).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..analysis import feedback as feedback_analysis
from ..analysis import outcomes as outcomes_analysis
from ..analysis import participation as participation_analysis
from ..analysis import plans as plans_analysis
from ..analysis import questions as questions_analysis
from ..analysis import tools as tools_analysis
from ..analysis.cleaning import cleaning_summary
from ..analysis.waves import manifest_sessions, sort_by_wave
from ..core.paths import check_round_id
from ..core.tables import RoundData
from . import fmt, plots
from .blocks import comment_themes_block, with_instrument_names
from .change import change_table
from .context import ReportContext
from .html import (
    comments_html,
    esc,
    figure_block,
    heading,
    keep_opening,
    note,
    note_text,
    paragraph,
    summary_box,
    table_html,
)
from .i18n import (
    community_name,
    instrument_name,
    language_name,
    session_label,
    t,
    translate_or,
)
from .labels import session_namer, wave_namer
from .questions import questions_results, questions_section
from .results_cache import ResultsCache
from .round_headline import framework_block, headline_results, verdict_block
from .round_jsr import (
    jsr_results,
    jsr_section,
    ladder_table,
    selfassessment_results,
    selfassessment_section,
)
from .round_network import network_results, network_section, pulse_results, pulse_section
from .sentences import (
    change_sentence,
    did_row,
    headline_sentences,
    network_sentence,
    plural,
    pulse_sentences,
)
from .verdict import headline_sentence

__all__ = [
    "RoundResults",
    "Section",
    "SECTIONS",
    "register_section",
    "round_sections",
    "round_results",
    "feedback_results",
    "learning_results",
    "plans_results",
    "jsr_results",
    "selfassessment_results",
    "pulse_results",
    "network_results",
    "title_block",
    "round_summary",
    "participation_section",
    "feedback_section",
    "learning_section",
    "plans_section",
    "ladder_table",
    "selfassessment_section",
    "jsr_section",
    "network_section",
    "pulse_section",
    "tools_section",
    "questions_results",
    "questions_section",
    "methods_section",
    "sources_section",
]


# =========================================================================== results
def feedback_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.feedback.session_feedback` of the round's session-feedback statements,
    one scale at a time (`ReportContext.scale_groups`: the questionnaire's own lists, or
    the standard statements).

    The first scale's results are at the top level (``counts``, ``summary``, …); every
    scale's, with its ``choices`` and ``items``, are in ``groups``. The relevance share
    quoted in the summary is kept only for the standard relevance statement.
    """
    groups = []
    for choices, items in ctx.scale_groups("session_feedback"):
        res = feedback_analysis.session_feedback(rd.responses, items=items, scale=ctx.scale(choices), k=ctx.k)
        if res:
            groups.append({**res, "choices": choices, "items": items})
    if not groups:
        return {}
    standard, _ = ctx.scaled_items("session_feedback")
    main = {**groups[0], "groups": groups}
    if main["items"][1:2] != standard[1:2]:
        main["relevance_top2"], main["relevance_n"] = None, 0
    return main


def learning_results(rd: RoundData, ctx: ReportContext) -> dict[str, pd.DataFrame]:
    """`analysis.outcomes.learning_results` with the report's paired-test settings and
    the pre-specified primary outcome of level 2, over the single-choice and number
    questions (`analysis.questions.numeric_responses`)."""
    responses = questions_analysis.compared_responses(rd.responses, rd.items)
    return outcomes_analysis.learning_results(responses, options=ctx.paired_options,
                                              primary=ctx.primary_outcome("L2"))


def plans_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.plans.plans_results` with the configured action statuses."""
    return plans_analysis.plans_results(rd.plan_actions, statuses=ctx.plan_statuses)


@dataclass
class RoundResults:
    """The results a round report shows: one entry per section, and ``headline`` (the
    judged results framework and the robustness of each claim, `round_headline.headline_results`)."""

    feedback: dict[str, Any] = field(default_factory=dict)
    learning: dict[str, pd.DataFrame] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)
    jsr: dict[str, Any] = field(default_factory=dict)
    selfassessment: dict[str, Any] = field(default_factory=dict)
    pulse: dict[str, Any] = field(default_factory=dict)
    network: dict[str, Any] = field(default_factory=dict)
    questions: dict[str, Any] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)


def round_results(rd: RoundData, ctx: ReportContext, *, robustness: bool = True,
                  cache: ResultsCache | None = None) -> RoundResults:
    """Every result of the round, computed once for the verdict and the sections
    (``robustness=False``: without the robustness re-runs of the headline claims).

    With a ``cache`` (a build's, `results_cache.results_cache`), results another report of
    the build computed for the same data, configuration and code are read instead: they
    do not depend on the language, except the headline sentence, worded here again. An
    entry with the robustness re-runs also serves a request without them.
    """
    data_hash = str(rd.meta.get("data_hash") or "")
    if cache is None or not data_hash:
        return _compute_round_results(rd, ctx, robustness=robustness)
    name = f"round-{check_round_id(rd.round_id)}"
    parts = {"data": data_hash}
    found = cache.get(name, {**parts, "robustness": True})
    if found is None and not robustness:
        found = cache.get(name, {**parts, "robustness": False})
    if found is None:
        found = _compute_round_results(rd, ctx, robustness=robustness)
        cache.put(name, {**parts, "robustness": robustness}, found)
    found.headline["headline"] = headline_sentence(found.headline["framework"], ctx)
    return found


def _compute_round_results(rd: RoundData, ctx: ReportContext, *, robustness: bool) -> RoundResults:
    res = RoundResults(feedback=feedback_results(rd, ctx), learning=learning_results(rd, ctx),
                       plans=plans_results(rd, ctx), jsr=jsr_results(rd, ctx),
                       selfassessment=selfassessment_results(rd, ctx), pulse=pulse_results(rd, ctx),
                       network=network_results(rd, ctx), questions=questions_results(rd, ctx))
    res.headline = headline_results(rd, ctx, vars(res), robustness=robustness)
    return res


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


# =========================================================================== title and summary
def _country_list(codes: Any, ctx: ReportContext) -> str:
    codes = [str(c) for c in (codes or [])]
    return ", ".join(ctx.labels.country(c, ctx.lang) for c in codes) if codes else t("round.about.none", ctx.lang)


def title_block(meta: Mapping[str, Any], ctx: ReportContext) -> str:
    """Title, kicker and a definition list of the round (community, countries, host, sessions)."""
    lang = ctx.lang
    title = meta.get("title") or meta.get("round_id") or ""
    rows = [
        (t("round.about.community", lang), community_name(meta.get("community") or "", lang)),
        (t("round.about.countries", lang), _country_list(meta.get("countries"), ctx)),
        (t("round.about.host", lang),
         ctx.labels.country(meta["host"], lang) if meta.get("host") else t("round.about.none", lang)),
    ]
    if meta.get("comparison"):
        rows.append((t("round.about.comparison", lang), _country_list(meta.get("comparison"), ctx)))
    sessions = meta.get("sessions") or []
    if sessions:
        items = []
        for s in sessions:
            kind = s.get("kind")
            kind_text = translate_or(f"kind.{kind}", lang, kind) if kind else ""
            name = session_label(s.get("id", ""), lang, s.get("title"))
            date = fmt.date(s.get("date"), lang)
            items.append(f"{name} ({kind_text}, {date})" if kind_text else f"{name} ({date})")
        rows.append((t("round.about.sessions", lang), "; ".join(items)))
    if meta.get("language"):
        rows.append((t("round.about.language", lang), language_name(str(meta["language"]), lang)))
    body = "".join(f"<tr><th>{esc(k)}</th><td class=\"text\">{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<p class="kicker">{esc(t("round.kicker", lang))}</p><h1>{esc(title)}</h1>'
        f'<table class="about-table">{body}</table>'
    )


def round_summary(rd: RoundData, ctx: ReportContext, results: RoundResults | None = None) -> str:
    """The summary box of a round report, from the section results."""
    res = round_results(rd, ctx) if results is None else results
    totals = participation_analysis.round_totals(rd.participants, rd.responses)
    n_part = totals["n_participants"] or None
    n_pairs = None
    if res.learning:
        att = participation_analysis.attrition(rd.responses)
        n_pairs = int(att["n_linked"].iloc[0]) if not att.empty else None
    sentences = headline_sentences(
        ctx,
        n_participants=n_part,
        n_countries=totals["n_countries"] if n_part else None,
        n_pairs=n_pairs,
        outcome_changes=res.learning.get("outcomes"),
        feedback_agree=res.feedback.get("relevance_top2"),
        feedback_n=res.feedback.get("relevance_n"),
        feedback_top2=None if res.feedback.get("relevance_top2") is not None else res.feedback.get("top2"),
        feedback_top2_n=res.feedback.get("top2_n"),
        plan_done=res.plans.get("done"),
        plan_total=res.plans.get("total"),
        did=did_row(res.jsr["did"]) if res.jsr.get("did") is not None else None,
    )
    sentences.extend(network_sentence(res.network.get("metrics"), ctx.lang))
    sentences.extend(pulse_sentences(res.pulse, ctx))
    box = summary_box(sentences, ctx.lang)
    if ctx.labels.lacks_language(ctx.lang):  # said before the first question shown in another language
        box += note("round.text.language_fallback", ctx.lang)
    return box


# =========================================================================== sections
def participation_section(rd: RoundData, ctx: ReportContext) -> list[str]:
    """Participation by country, attendance by session, responses by wave and attrition."""
    lang = ctx.lang
    out = [heading("round.h.participation", lang)]
    if _is_empty(rd.participants) and _is_empty(rd.attendance) and _is_empty(rd.responses):
        return out + [note("round.none.participation", lang)]
    out.append(paragraph(t("round.intro.participation", lang, k=ctx.k)))
    if not _is_empty(rd.participants):
        by_country = participation_analysis.participation_by_country(rd.participants, rd.attendance, k=ctx.k)
        # whether attendance was recorded at all, read before small delegations are withheld
        attended_known = bool(by_country["n_attended"].notna().any()) if not by_country.empty else False
        totals = participation_analysis.country_totals(by_country, k=ctx.k)
        if not totals.empty:
            values = ["n_invited", "n_attended"] if attended_known else ["n_invited"]
            fig = plots.participation_bars(totals, ctx, value_cols=values)
            out.append(figure_block(fig, "round.figure.participation", lang))
        out.append(table_html(
            totals, {"country": "col.country", "n_invited": "col.n_invited", "n_attended": "col.n_attended",
                     "share_attended": "col.attendance_rate"},
            ctx, {"country": "country", "n_invited": "int", "n_attended": "int", "share_attended": "pct"},
            caption=t("round.table.participation_country", lang), n_col="n_invited",
            notes=[t("round.text.present_defined", lang)]))
    if not _is_empty(rd.attendance) and not _is_empty(rd.sessions):
        by_session = participation_analysis.attendance_by_session(rd.attendance, rd.sessions)
        out.append(table_html(
            by_session, {"session_id": "col.session", "date": "col.date", "n_expected": "col.n_invited",
                         "n_attended": "col.n_attended", "share_attended": "col.attendance_rate"},
            ctx, {"session_id": session_namer(rd.meta), "date": "date", "n_expected": "int", "n_attended": "int",
                  "share_attended": "pct"},
            caption=t("round.table.attendance_session", lang), n_col=None))
    if not _is_empty(rd.responses):
        counts = participation_analysis.response_counts(rd.responses, rd.participants, attendance=rd.attendance)
        counts = sort_by_wave(counts, ctx.wave_order, manifest_sessions(rd.meta), by=["instrument"])
        counts = with_instrument_names(counts, lang).assign(
            eligible_text=[t(f"round.denominator.{d}", lang, n=fmt.integer(n, lang))
                           for d, n in zip(counts["denominator"], counts["n_eligible"], strict=True)])
        notes = [t("round.text.response_rate_rule", lang)]
        if int(counts["n_anonymous"].sum()):
            notes.append(t("round.text.anonymous", lang))
        out.append(table_html(
            counts, {"instrument_text": "col.instrument", "wave": "col.wave", "n_respondents": "col.n_respondents",
                     "n_identified": "col.n_identified", "n_anonymous": "col.n_anonymous",
                     "eligible_text": "col.eligible", "response_rate": "col.response_rate"},
            ctx, {"wave": wave_namer(rd.meta), "n_respondents": "int", "n_identified": "int", "n_anonymous": "int",
                  "response_rate": "pct"},
            caption=t("round.table.responses", lang), n_col=None, notes=notes, compact=True))
        att = participation_analysis.attrition(rd.responses)
        if not att.empty and int(att["n_baseline"].iloc[0] or 0) > 0:
            row = att.iloc[0]
            out.append(paragraph(t(
                "round.text.attrition", lang, n_pre=fmt.integer(row["n_baseline"], lang),
                n_post=fmt.integer(row["n_endline"], lang), n_both=fmt.integer(row["n_linked"], lang),
                lost=fmt.integer(row["n_baseline_only"], lang))))
    return out


def feedback_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """L1: diverging Likert bars over all sessions and a summary table by session."""
    lang = ctx.lang
    out = [heading("round.h.feedback", lang)]
    res = feedback_results(rd, ctx) if results is None else results
    if not res:
        return out + [note("round.none.feedback", lang)]
    standard = res["items"] == ctx.scaled_items("session_feedback")[0]
    out.append(paragraph(t("round.intro.feedback" if standard else "round.intro.feedback_own", lang)))
    sessions = rd.responses.loc[rd.responses["instrument"] == "session_feedback", "session_id"].dropna().unique()
    for group in res["groups"]:
        choices = group["choices"]
        if len(sessions) > 1:  # the full scale, session by session, as many sessions as a page holds
            counts = group["counts_by_session"].rename(columns={"level": "value"})
            pages = plots.page_groups(list(dict.fromkeys(counts["session_id"].dropna())),
                                      n_items=counts["item_id"].nunique())
            for part, page in enumerate(pages, start=1):
                fig = plots.likert_diverging(counts[counts["session_id"].isin(page)], ctx, choices=choices,
                                             by="session_id", group_namer=session_namer(rd.meta))
                if len(pages) == 1:
                    out.append(figure_block(fig, "round.figure.feedback_sessions", lang))
                else:
                    out.append(figure_block(fig, "round.figure.feedback_sessions_part", lang,
                                            part=part, parts=len(pages)))
        else:
            counts = group["counts"].rename(columns={"level": "value"})
            fig = plots.likert_diverging(counts, ctx, choices=choices)
            out.append(figure_block(fig, "round.figure.feedback", lang))
        out.append(table_html(
            group["summary"].copy(), {"session_id": "col.session", "item_id": "col.item", "n": "col.n",
                                      "median": "col.median", "top2": "col.top2"},
            ctx, {"session_id": session_namer(rd.meta), "item_id": "item", "n": "int", "median": "num1",
                  "top2": "pct"},
            caption=t("round.table.feedback", lang)))
    comments = rd.responses[(rd.responses["instrument"] == "session_feedback") & rd.responses["text"].notna()]
    if not comments.empty:
        out.append(comments_html(comments, ctx, group_col="session_id", namer=session_namer(rd.meta)))
    return out


def learning_section(rd: RoundData, ctx: ReportContext,
                     results: Mapping[str, pd.DataFrame] | None = None) -> list[str]:
    """L2: change by intermediate outcome (dot plot + test table), by item, response shift."""
    lang = ctx.lang
    res = learning_results(rd, ctx) if results is None else results
    out = [heading("round.h.learning", lang)]
    if not res:
        return out + [note("round.none.learning", lang)]
    items = res.get("items")
    own = items is not None and any(ctx.labels.round_item(i) is not None and not bool(
        ctx.labels.round_item(i).get("standard")) for i in items["item_id"])
    out.append(paragraph(t("round.intro.learning_own" if own else "round.intro.learning", lang)))
    oc = res["outcomes"]
    out.append(figure_block(plots.change_dotplot(oc, ctx), "round.figure.learning", lang))
    out.append(change_table(oc, ctx, label_col="outcome", label_format="outcome", shift=True, what="outcomes",
                            caption=t("round.table.learning", lang)))
    # the summary box carries one sentence per outcome; here only those that need saying
    # why no test was run
    for row in oc.to_dict("records"):
        if not fmt.is_missing(row.get("note")) and row.get("note"):
            out.append(note_text(change_sentence(row, ctx)))
    if not _is_empty(items):
        out.append(change_table(items, ctx, label_col="item_id", label_format="item", shift=False,
                                what="questions", caption=t("round.table.items", lang)))
    out.append(heading("round.h.response_shift", lang, level=3))
    shift = res.get("shift")
    if _is_empty(shift):
        out.append(note("round.none.response_shift", lang))
    else:
        out.append(paragraph(t("round.intro.response_shift", lang)))
        out.append(change_table(shift, ctx, label_col="item_id", label_format="item", shift=False,
                                what="questions", caption=t("round.table.response_shift", lang)))
    return out


def plans_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """L3: improvement-plan actions by dimension and status, completion by country."""
    lang = ctx.lang
    res = plans_results(rd, ctx) if results is None else results
    out = [heading("round.h.plans", lang)]
    if not res:
        return out + [note("round.none.plans", lang)]
    out.append(paragraph(t("round.intro.plans", lang)))
    out.append(figure_block(plots.plan_status_bars(res["status"], ctx), "round.figure.plans", lang))
    if res["total"]:
        out.append(paragraph(t("round.text.completion", lang, done=fmt.integer(res["done"], lang),
                               total=fmt.integer(res["total"], lang),
                               share=fmt.percent(res["done"] / res["total"], lang, 0))))
    by_followup = res.get("by_followup")
    if not _is_empty(by_followup):
        status_cols = {f"n_{s}": f"plan_status.{s}" for s in ctx.plan_statuses if f"n_{s}" in by_followup}
        headers = {c: ctx.labels.choice("plan_status", c[2:], lang) for c in status_cols}
        out.append(table_html(by_followup, {"followup": "col.followup", "n_actions": "col.n_actions", **status_cols},
                              ctx, {"followup": "wave", "n_actions": "int", **dict.fromkeys(status_cols, "int")},
                              headers=headers, caption=t("round.table.followups", lang), n_col=None))
        if res.get("dropped"):
            out.append(paragraph(plural("round.text.dropped", res["dropped"], lang,
                                        n=fmt.integer(res["dropped"], lang))))
    out.append(table_html(res["completion"], {"country": "col.country", "followup": "col.followup",
                                              "n_actions": "col.n_actions", "n_done": "col.n_done",
                                              "share_done": "col.completion_rate"},
                          ctx, {"country": "country", "followup": "wave", "n_actions": "int", "n_done": "int",
                                "share_done": "pct"}, caption=t("round.table.completion", lang), n_col=None))
    return out


def tools_section(rd: RoundData, ctx: ReportContext) -> list[str]:
    """Usefulness ratings per tool and the themes of the comments, with the caveat."""
    lang = ctx.lang
    out = [heading("round.h.tools", lang)]
    tf = rd.tool_feedback
    if _is_empty(tf):
        return out + [note("round.none.tools", lang)]
    out.append(paragraph(t("round.intro.tools", lang)))
    ratings = tools_analysis.rated_tools(tools_analysis.tool_ratings(tf, k=ctx.k))
    out.append(figure_block(plots.tool_ratings_bars(ratings, ctx), "round.figure.tools", lang))
    out.append(table_html(ratings, {"tool": "col.tool", "n": "col.n", "mean": "col.mean", "median": "col.median",
                                    "share_useful": "col.share_useful"},
                          ctx, {"tool": "tool", "n": "int", "mean": "num1", "median": "num1", "share_useful": "pct"},
                          caption=t("round.table.tools", lang)))
    comments = tools_analysis.tool_comments(tf, rd.responses)
    if comments.empty:
        return out + [note("round.none.comments", lang)]
    return out + comment_themes_block(comments, ctx)


def methods_section(rd: RoundData, ctx: ReportContext) -> list[str]:
    """Methods and limitations: n, k, rows withheld so far in this report, tests used."""
    lang = ctx.lang
    totals = participation_analysis.round_totals(rd.participants, rd.responses)
    out = [heading("round.h.methods", lang)]
    out.append(paragraph(t("round.methods.n", lang, n_participants=fmt.integer(totals["n_participants"], lang),
                           n_countries=fmt.integer(totals["n_countries"], lang),
                           n_responses=fmt.integer(totals["n_responses"], lang),
                           n_respondents=fmt.integer(totals["n_respondents"], lang))))
    out.append(paragraph(t("round.methods.k", lang, k=ctx.k)))
    if ctx.suppressed_rows:
        out.append(paragraph(plural("round.methods.suppressed", ctx.suppressed_rows, lang,
                                    n=fmt.integer(ctx.suppressed_rows, lang))))
    primary = ctx.primary_outcome("L2")
    out.append(paragraph(t("round.methods.tests", lang, min_pairs=ctx.min_pairs,
                           max=fmt.integer(ctx.exact_max_pairs, lang),
                           method=t(f"change.method.{ctx.multiplicity}", lang),
                           primary=ctx.labels.outcome(primary, lang) if primary else fmt.MISSING)))
    if not _is_empty(rd.jsr_quality) or not _is_empty(rd.jsr_assessment):
        out.append(paragraph(t("round.methods.did", lang)))
    rules = ctx.verdict_rules
    out.append(paragraph(t("round.methods.verdicts", lang, alpha=fmt.number(rules.alpha, lang, 2),
                           min_pairs=fmt.integer(rules.min_n.get("paired", 0), lang),
                           min_effect=fmt.number(rules.min_effect.get("points", 0), lang, 2))))
    out.append(paragraph(t("round.methods.robustness", lang)))
    out.append(paragraph(t("round.methods.limits", lang)))
    return out


# =========================================================================== which sections a round shows
@dataclass(frozen=True)
class Section:
    """A section of the round report: its name, its builder ``(rd, ctx, results) -> parts``
    and the test ``(rd, results) -> bool`` of whether the round has its data."""

    name: str
    build: Callable[[RoundData, ReportContext, RoundResults], list[str]]
    applies: Callable[[RoundData, RoundResults], bool] = lambda rd, res: True


def _opening(rd: RoundData, ctx: ReportContext, res: RoundResults) -> list[str]:
    """The verdict box, and the note that some questions are worded in another language
    (said before the first question shown in it)."""
    parts = verdict_block(rd, ctx, res.headline)
    if ctx.labels.lacks_language(ctx.lang):
        parts.append(note("round.text.language_fallback", ctx.lang))
    return parts


def _has(*tables: str) -> Callable[[RoundData, RoundResults], bool]:
    return lambda rd, res: any(not _is_empty(getattr(rd, name, None)) for name in tables)


#: The sections of a round report in order; a round shows those whose data it has.
SECTIONS: list[Section] = [
    Section("verdict", lambda rd, ctx, res: _opening(rd, ctx, res)),
    Section("framework", lambda rd, ctx, res: framework_block(rd, ctx, res.headline)),
    Section("participation", lambda rd, ctx, res: participation_section(rd, ctx),
            _has("participants", "attendance", "responses")),
    Section("feedback", lambda rd, ctx, res: feedback_section(rd, ctx, res.feedback), lambda rd, res: bool(res.feedback)),
    Section("learning", lambda rd, ctx, res: learning_section(rd, ctx, res.learning), lambda rd, res: bool(res.learning)),
    Section("pulse", lambda rd, ctx, res: pulse_section(rd, ctx, res.pulse), lambda rd, res: bool(res.pulse)),
    Section("plans", lambda rd, ctx, res: plans_section(rd, ctx, res.plans), lambda rd, res: bool(res.plans)),
    Section("selfassessment", lambda rd, ctx, res: selfassessment_section(rd, ctx, res.selfassessment),
            lambda rd, res: bool(res.selfassessment)),
    Section("jsr", lambda rd, ctx, res: jsr_section(rd, ctx, res.jsr), lambda rd, res: bool(res.jsr)),
    Section("network", lambda rd, ctx, res: network_section(rd, ctx, res.network), lambda rd, res: bool(res.network)),
    Section("tools", lambda rd, ctx, res: tools_section(rd, ctx), _has("tool_feedback")),
    # every question of an evaluator's own questionnaire, in its words (needs the data dictionary)
    Section("questions", lambda rd, ctx, res: questions_section(rd, ctx, res.questions),
            lambda rd, res: bool(res.questions)),
    Section("methods", lambda rd, ctx, res: methods_section(rd, ctx)),
    Section("sources", lambda rd, ctx, res: sources_section(rd, ctx)),
]


def register_section(section: Section, *, after: str | None = None) -> None:
    """Add a section to `SECTIONS` (replacing one of the same name), after the section
    named ``after`` (default: before the methods)."""
    names = [s.name for s in SECTIONS]
    if section.name in names:
        SECTIONS[names.index(section.name)] = section
        return
    anchor = after if after in names else None
    position = names.index(anchor) + 1 if anchor else names.index("methods")
    SECTIONS.insert(position, section)


def round_sections(rd: RoundData, ctx: ReportContext, results: RoundResults | None = None) -> list[str]:
    """Every section the round's data supports, in report order (`SECTIONS`)."""
    res = round_results(rd, ctx) if results is None else results
    parts: list[str] = []
    for section in SECTIONS:
        if section.applies(rd, res):
            parts.extend(keep_opening(section.build(rd, ctx, res)))
    return parts


def sources_section(rd: RoundData, ctx: ReportContext) -> list[str]:
    """Source files of the round and the cleaning actions counted by kind."""
    lang = ctx.lang
    out = [heading("round.h.sources", lang), paragraph(t("round.sources.intro", lang))]
    sources = pd.DataFrame(rd.meta.get("sources") or [])
    if not sources.empty:
        sources = sources.assign(instrument_text=[instrument_name(i, lang) for i in sources.get("instrument", "")])
        cols = {"file": "col.source_file", "instrument_text": "col.instrument"}
        if "wave" in sources.columns:
            cols["wave"] = "col.wave"
        if "platform" in sources.columns:
            cols["platform"] = "col.platform"
        out.append(table_html(sources, cols, ctx, {"wave": wave_namer()}, caption=t("round.table.sources", lang),
                              n_col=None))
    log = getattr(rd, "cleaning_log", None)
    if _is_empty(log):
        return out + [note("round.sources.none", lang)]
    counts = cleaning_summary(log, rd.participants, rd.responses)
    counts["action_text"] = [translate_or(f"round.action.{a}", lang, str(a)) for a in counts["action"]]
    counts["unit_text"] = [t(f"round.unit.{u}", lang) for u in counts["unit"]]
    out.append(table_html(counts, {"action_text": "col.action_kind", "count": "col.count", "unit_text": "col.unit"},
                          ctx, {"count": "int"}, caption=t("round.table.cleaning", lang), n_col=None))
    return out
