"""The two JSR exchange rounds: the francophone one (KoboToolbox, French Excel) and the
anglophone one (SurveyMonkey, ``.xlsx``), each with its truth record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import PermutationMethod, wilcoxon

from ..analysis.signedrank import EXACT_MAX_PAIRS
from .answers import (
    feedback_submissions,
    latest_complete,
    outcome_items,
    outcome_submissions,
    outcome_values,
    tool_submissions,
)
from .forms import feedback_questions, outcome_questions, tool_questions
from .kobo import write_kobo
from .manifest import write_manifest
from .model import Person, RoundContext, Submission
from .people import Cast, jsr_people, pick_cast
from .surveymonkey import write_surveymonkey
from .workbooks import (
    write_en_roster,
    write_fr_roster,
    write_plans,
    write_rf18,
    write_selfassessment,
)

__all__ = ["write_jsr_en", "write_jsr_fr"]


def _jsr_common(ctx: RoundContext) -> dict[str, Any]:
    """People, planted cast and every survey's submissions of a JSR round."""
    people = jsr_people(ctx)
    cast = pick_cast(ctx, people, no_email=True)
    linked = [p for p in people if p is not cast.first_only]
    values = outcome_values(ctx, people, linked)
    sessions = ctx.plan.sessions
    pre = outcome_submissions(ctx, people, cast, values, "pre", sessions[0]["date"] - dt.timedelta(days=8))
    post = outcome_submissions(ctx, people, cast, values, "post", sessions[-1]["date"] + dt.timedelta(days=7))
    tools = tool_submissions(ctx, [s for s in post])
    feedback = {s["id"]: feedback_submissions(ctx, people, cast, s) for s in sessions}
    return {"people": people, "cast": cast, "pre": pre, "post": post, "tools": tools, "feedback": feedback}


def write_jsr_fr(folder: Path, ctx: RoundContext) -> dict:
    """Write the francophone JSR round into ``folder``; return its truth record."""
    data = _jsr_common(ctx)
    people: list[Person] = data["people"]
    write_fr_roster(ctx, folder / "inscriptions.csv", people)
    write_kobo(ctx, folder / "kobo_pre.csv", outcome_questions(ctx, "pre", "kobo"), data["pre"])
    write_kobo(ctx, folder / "kobo_post.csv", outcome_questions(ctx, "post", "kobo"), data["post"])
    write_kobo(ctx, folder / "kobo_outils.csv", tool_questions(ctx, "kobo"), data["tools"])
    all_feedback = sorted((s for subs in data["feedback"].values() for s in subs), key=lambda s: s.end)
    write_kobo(ctx, folder / "kobo_feedback.csv", feedback_questions(ctx, "kobo"), all_feedback)
    plan_truth = write_plans(ctx, folder / "plan_actions.csv")
    jsr_truth = write_selfassessment(ctx, folder / "jsr_selfassessment.csv")
    rf18_truth = write_rf18(ctx, folder / "jsr_quality.csv")
    sources = [
        {"file": "inscriptions.csv", "instrument": "roster"},
        {"file": "kobo_pre.csv", "instrument": "outcomes", "wave": "pre"},
        {"file": "kobo_post.csv", "instrument": "outcomes", "wave": "post"},
        {"file": "kobo_outils.csv", "instrument": "tool_feedback", "wave": "post"},
        {"file": "kobo_feedback.csv", "instrument": "session_feedback"},
        {"file": "plan_actions.csv", "instrument": "plan_actions"},
        {"file": "jsr_selfassessment.csv", "instrument": "jsr_assessment"},
        {"file": "jsr_quality.csv", "instrument": "jsr_quality"},
    ]
    write_manifest(folder, ctx, sources)
    files = {"pre": "kobo_pre.csv", "post": "kobo_post.csv", "feedback": "kobo_feedback.csv", "tools": "kobo_outils.csv"}
    return _jsr_truth(ctx, data, files, plan_truth, jsr_truth, rf18_truth, platform="kobo")


def write_jsr_en(folder: Path, ctx: RoundContext) -> dict:
    """Write the anglophone JSR round into ``folder``; return its truth record."""
    data = _jsr_common(ctx)
    people: list[Person] = data["people"]
    write_en_roster(ctx, folder / "registration.xlsx", people)
    write_surveymonkey(ctx, folder / "sm_pre.csv", outcome_questions(ctx, "pre", "surveymonkey"), data["pre"])
    write_surveymonkey(ctx, folder / "sm_post.csv", outcome_questions(ctx, "post", "surveymonkey"), data["post"])
    write_surveymonkey(ctx, folder / "sm_tools.csv", tool_questions(ctx, "surveymonkey"), data["tools"])
    sources = [
        {"file": "registration.xlsx", "instrument": "roster"},
        {"file": "sm_pre.csv", "instrument": "outcomes", "wave": "pre"},
        {"file": "sm_post.csv", "instrument": "outcomes", "wave": "post"},
        {"file": "sm_tools.csv", "instrument": "tool_feedback", "wave": "post"},
    ]
    for sid, subs in data["feedback"].items():
        name = f"sm_feedback_{sid}.csv"
        write_surveymonkey(ctx, folder / name, feedback_questions(ctx, "surveymonkey"), subs)
        sources.append({"file": name, "instrument": "session_feedback", "session": sid})
    plan_truth = write_plans(ctx, folder / "plan_actions.xlsx")
    jsr_truth = write_selfassessment(ctx, folder / "jsr_selfassessment.csv")
    rf18_truth = write_rf18(ctx, folder / "jsr_quality.csv")
    sources += [
        {"file": "plan_actions.xlsx", "instrument": "plan_actions"},
        {"file": "jsr_selfassessment.csv", "instrument": "jsr_assessment"},
        {"file": "jsr_quality.csv", "instrument": "jsr_quality"},
    ]
    write_manifest(folder, ctx, sources)
    files = {"pre": "sm_pre.csv", "post": "sm_post.csv", "feedback": "sm_feedback_<session>.csv", "tools": "sm_tools.csv"}
    return _jsr_truth(ctx, data, files, plan_truth, jsr_truth, rf18_truth, platform="surveymonkey")


def _person_means(sub: Submission, prefix: str, ids: list[str]) -> float | None:
    """A person's mean code over the items ``ids`` of one answer kind (pre, post, retro)."""
    values = [sub.answers.get(f"{prefix}:{i}") for i in ids]
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def _wilcoxon_p(diffs: np.ndarray) -> float:
    """Two-sided signed-rank p-value of paired differences, computed by scipy alone (the
    truth must not come from the code it checks): every sign flip of the non-zero
    differences up to `EXACT_MAX_PAIRS` of them, the tie-corrected normal approximation
    with continuity correction beyond."""
    nonzero = int(np.count_nonzero(diffs))
    if nonzero == 0:
        return 1.0
    if nonzero <= EXACT_MAX_PAIRS:
        method = PermutationMethod(n_resamples=np.inf)
        return float(wilcoxon(diffs, zero_method="wilcox", method=method).pvalue)
    return float(wilcoxon(diffs, method="approx", correction=True).pvalue)


def _jsr_truth(ctx: RoundContext, data: dict, files: dict, plan_truth: dict, jsr_truth: dict, rf18_truth: dict, *, platform: str) -> dict:
    """What a JSR round planted and the true values of every measure the reports estimate."""
    cast: Cast = data["cast"]
    pre = latest_complete(data["pre"])
    post = latest_complete(data["post"])
    linked = [k for k in pre if k in post]
    by_outcome: dict[str, list[str]] = {}
    for item in outcome_items(ctx):
        by_outcome.setdefault(item["outcome"], []).append(item["id"])
    outcome_truth: dict[str, Any] = {}
    shift: dict[str, float] = {}
    for outcome, ids in by_outcome.items():
        diffs = np.array([_person_means(post[k], "post", ids) - _person_means(pre[k], "pre", ids) for k in linked])
        retro = np.array([_person_means(post[k], "retro", ids) - _person_means(pre[k], "pre", ids) for k in linked])
        p_value = _wilcoxon_p(diffs)
        outcome_truth[outcome] = {
            "planted_change": ctx.spec["effects"]["outcome_change"].get(outcome, 0),
            "median_change": float(np.median(diffs)),
            "mean_change": round(float(np.mean(diffs)), 6),
            "wilcoxon_p": p_value,
            "items": ids,
        }
        shift[outcome] = round(float(np.mean(retro)), 6)

    def who(person: Person) -> dict:
        return {"email": person.email, "name": person.full_name, "country": person.country}

    fb = data["feedback"]
    return {
        "kind": ctx.plan.kind,
        "platform": platform,
        "language": ctx.lang,
        "files": files,
        "n_roster": len(data["people"]),
        "n_responses": {
            "pre": len(data["pre"]),
            "post": len(data["post"]),
            "session_feedback": {sid: len(subs) for sid, subs in fb.items()},
        },
        "linked_pairs": len(linked),
        "outcomes": outcome_truth,
        "response_shift": shift,
        "duplicate": {**who(cast.duplicate), "instrument": "outcomes", "wave": "pre",
                      "kept": "the later submission, which is complete; the first has the second half of the items blank"},
        "first_wave_only": {**who(cast.first_only), "instrument": "outcomes", "answered": "pre", "missing": "post"},
        "straightliner": {**who(cast.straightliner), "instrument": "session_feedback",
                          "value": 4, "note": "every agree5 item answered 4 in every session attended"},
        "no_email": {**who(cast.no_email), "note": "no e-mail on roster nor in surveys; identified by name and country"},
        "email_quirks": [who(p) for p in cast.quirky],
        "missing_code": ctx.missing_code,
        "planted_comments": {
            "markup": {"writer": who(cast.markup_writer), "session": ctx.plan.sessions[0]["id"]},
            "mention": {"writer": who(cast.mention_writer), "session": ctx.plan.sessions[min(1, len(ctx.plan.sessions) - 1)]["id"]},
            "contact": {"writer": who(cast.contact_writer), "session": ctx.plan.sessions[min(2, len(ctx.plan.sessions) - 1)]["id"]},
        },
        "plan_completion": plan_truth,
        **jsr_truth,
        **rf18_truth,
    }
