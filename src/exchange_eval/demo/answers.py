"""Answers with the planted effects: outcome codes before and after, session feedback,
tool feedback, and the times each form was filled in.

Everything is drawn from the round's generator (`RoundContext.rng`) in a fixed order, so a
seed gives the same answers; the submissions are then laid out by the platform writers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from .model import Person, RoundContext, Submission, clip
from .people import Cast, typed_email

__all__ = [
    "feedback_submissions",
    "latest_complete",
    "outcome_items",
    "outcome_submissions",
    "outcome_values",
    "submission_times",
    "tool_submissions",
]


def outcome_items(ctx: RoundContext) -> list[dict]:
    """The outcome instrument's scale items (those tagged with an intermediate outcome)."""
    return [i for i in ctx.items("outcomes") if i.get("outcome")]


def outcome_values(ctx: RoundContext, people: list[Person], linked: list[Person]) -> dict[str, dict[str, dict[str, int]]]:
    """Pre, post and retro codes per person key and item, with the planted effects."""
    rng = ctx.rng
    effects = ctx.spec["effects"]
    gains = effects["outcome_change"]
    shift_outcomes = set(effects["response_shift_outcomes"])
    items = outcome_items(ctx)
    by_outcome: dict[str, list[str]] = {}
    for item in items:
        by_outcome.setdefault(item["outcome"], []).append(item["id"])
    values: dict[str, dict[str, dict[str, int]]] = {}
    for person in people:
        base = int(rng.choice([2, 3, 4], p=[0.35, 0.45, 0.2]))
        pre = {i["id"]: clip(round(base + rng.choice([-1, 0, 0, 1])), 2, 4) for i in items}
        values[person.key] = {"pre": pre}
    # null outcomes: a balanced list of person-level changes, so the median is exactly 0
    null_changes: dict[str, list[float]] = {}
    n = len(linked)
    for outcome, gain in gains.items():
        if gain == 0:
            pairs = max(1, n // 4)
            pattern = [0.5, -0.5] * pairs + [1.0, -1.0]
            pattern = pattern[:n] + [0.0] * max(0, n - len(pattern))
            null_changes[outcome] = [pattern[i] for i in rng.permutation(n)]
    # planted outcomes: people differ too. A balanced list of person-level deviations in
    # item points (+1, -1, +1, -1, +2, -2, then zeros) keeps the median change exactly at
    # the planted gain while the changes spread around it, as real answers do.
    # (their own generator, so the rest of the round is drawn as before)
    spread_rng = np.random.default_rng([ctx.plan.seed, 2])
    spread = ([1, -1] * max(1, n // 4) + [2, -2])[:n]
    spread = spread + [0] * max(0, n - len(spread))
    deviations = {outcome: [spread[i] for i in spread_rng.permutation(n)] for outcome, gain in gains.items() if gain != 0}
    for position, person in enumerate(linked):
        pre = values[person.key]["pre"]
        post: dict[str, int] = {}
        for outcome, ids in by_outcome.items():
            gain = int(gains.get(outcome, 0))
            if gain != 0:
                step = {i: gain for i in ids}
                deviation = deviations[outcome][position]
                for _unit in range(abs(deviation)):
                    direction = int(np.sign(deviation))
                    room = [i for i in ids if 1 <= pre[i] + step[i] + direction <= 5]
                    if room:
                        step[room[int(spread_rng.integers(len(room)))]] += direction
                if len(ids) >= 2 and rng.random() < 0.35:
                    low, high = (ids[j] for j in rng.permutation(len(ids))[:2])
                    if 1 <= pre[high] + step[high] + 1 <= 5 and 1 <= pre[low] + step[low] - 1 <= 5:
                        step[high] += 1
                        step[low] -= 1
            else:
                total = int(round(null_changes[outcome][position] * len(ids)))
                step = {i: 0 for i in ids}
                for j in rng.permutation(len(ids))[: abs(total)]:
                    step[ids[j]] = int(np.sign(total))
                if total == 0 and len(ids) >= 2 and rng.random() < 0.3:
                    up, down = (ids[j] for j in rng.permutation(len(ids))[:2])
                    step[up], step[down] = 1, -1
            for i in ids:
                post[i] = clip(round(pre[i] + step[i]), 1, 5)
        retro = {}
        for outcome, ids in by_outcome.items():
            for i in ids:
                if outcome in shift_outcomes:
                    retro[i] = pre[i] - 1 if rng.random() < effects["response_shift_prob"] else pre[i]
                else:
                    retro[i] = clip(round(pre[i] + rng.choice([-1, 0, 0, 0, 0, 0, 1])), 1, 5)
        values[person.key]["post"] = post
        values[person.key]["retro"] = retro
    return values


def _likert(rng: np.random.Generator) -> int:
    """A 1-5 agreement code, skewed to agreement as session feedback is."""
    return int(rng.choice([1, 2, 3, 4, 5], p=[0.02, 0.06, 0.17, 0.45, 0.30]))


def submission_times(ctx: RoundContext, day: dt.date, *, hour: float = 10.0, minutes: float = 7.0) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of one form filled in on ``day``: a lognormal duration around ``minutes``,
    with now and then a speeder or a form left open for hours."""
    rng = ctx.rng
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int((hour + rng.random() * 6) * 3600))
    duration = float(rng.lognormal(np.log(minutes * 60), 0.45))
    if rng.random() < 0.05:
        duration = float(rng.uniform(25, 60))  # a speeder
    elif rng.random() < 0.05:
        duration = float(rng.uniform(2, 20) * 3600)  # left the form open
    return start, start + dt.timedelta(seconds=int(duration))


def feedback_submissions(ctx: RoundContext, people: list[Person], cast: Cast, session: dict) -> list[Submission]:
    """Session-feedback answers of the session's attendees, with planted comments."""
    rng, lang = ctx.rng, ctx.lang
    items = ctx.items("session_feedback")
    sid = session["id"]
    order = [s["id"] for s in ctx.plan.sessions]
    position = order.index(sid)
    planted = {}
    comments = ctx.spec["comments"]
    if position == 0:
        planted[cast.markup_writer.key] = comments["markup"][lang]
    if position == min(1, len(order) - 1):
        other = next(p for p in people if p.country != cast.mention_writer.country and p is not cast.mention_writer)
        planted[cast.mention_writer.key] = comments["mention"][lang].format(name=other.full_name)
    if position == min(2, len(order) - 1):
        writer = cast.contact_writer
        planted[writer.key] = comments["contact"][lang].format(email=writer.email, phone=writer.phone)
    subs = []
    for person in people:
        if sid not in person.sessions and person.key not in planted:
            continue
        if person is cast.first_only and position > 0:
            continue
        if person.key not in planted and person is not cast.straightliner and rng.random() > 0.85:
            continue
        answers: dict[str, Any] = {"session": session}
        for item in items:
            if item["type"] == "select_one":
                if person is cast.straightliner:
                    answers[item["id"]] = 4
                else:
                    answers[item["id"]] = None if rng.random() < 0.07 else _likert(rng)
            elif item["type"] == "select_multiple":
                codes = [c["value"] for c in ctx.choices[item["choices"]]]
                if rng.random() < 0.12:
                    answers[item["id"]] = None
                else:
                    k = int(rng.integers(1, 4))
                    answers[item["id"]] = [codes[j] for j in sorted(rng.permutation(len(codes) - 1)[:k])]
            elif item["type"] == "text":
                if person.key in planted:
                    answers[item["id"]] = planted[person.key]
                elif rng.random() < 0.25:
                    answers[item["id"]] = ctx.choice(comments["session_feedback"][lang])
        start, end = submission_times(ctx, session["date"] if session["kind"] != "observation" else session["date"] + dt.timedelta(days=4), hour=11)
        subs.append(Submission(person, start, end, answers, typed_email(ctx, person, cast)))
    if position == min(1, len(order) - 1):
        _plant_missing_code(ctx, subs, cast, sid)
    return sorted(subs, key=lambda s: s.end)


def _plant_missing_code(ctx: RoundContext, subs: list[Submission], cast: Cast, session_id: str) -> None:
    """One answer typed as a missing code ("Ne sait pas", "N/A") instead of a scale level."""
    likert = [i["id"] for i in ctx.items("session_feedback") if i["type"] == "select_one"]
    for sub in subs:
        if sub.person is not cast.straightliner and len(likert) > 1:
            text = ctx.spec["missing_answer"][ctx.lang]
            sub.answers[likert[1]] = text
            ctx.missing_code = {"instrument": "session_feedback", "session": session_id, "item": likert[1],
                                "text": text, "email": sub.person.email, "name": sub.person.full_name}
            return


def outcome_submissions(
    ctx: RoundContext, people: list[Person], cast: Cast, values: dict, wave: str, day: dt.date
) -> list[Submission]:
    """The outcome survey of one wave (``pre`` or ``post`` with retro answers) for everyone
    who answered it; the duplicate person's abandoned first attempt comes first."""
    rng = ctx.rng
    items = outcome_items(ctx)
    text_items = [i for i in ctx.items("outcomes") if i["type"] == "text"]
    subs = []
    for person in people:
        if wave == "post" and person is cast.first_only:
            continue
        answers: dict[str, Any] = {}
        if wave == "pre":
            for item in items:
                answers[f"pre:{item['id']}"] = values[person.key]["pre"][item["id"]]
        else:
            for item in items:
                answers[f"retro:{item['id']}"] = values[person.key]["retro"][item["id"]]
                answers[f"post:{item['id']}"] = values[person.key]["post"][item["id"]]
            for item in text_items:
                if rng.random() < 0.5:
                    answers[item["id"]] = ctx.choice(ctx.spec["comments"]["outcomes"][ctx.lang])
        start, end = submission_times(ctx, day + dt.timedelta(days=int(rng.integers(0, 6))), minutes=12)
        sub = Submission(person, start, end, answers, typed_email(ctx, person, cast))
        if wave == "pre" and person is cast.duplicate:
            # an abandoned first attempt, then the complete submission the next day
            partial = dict(answers)
            for key in list(partial)[len(partial) // 2 :]:
                partial[key] = None
            first_end = start + dt.timedelta(minutes=4)
            subs.append(Submission(person, start, first_end, partial, sub.email_typed))
            sub = Submission(
                person, start + dt.timedelta(days=1), end + dt.timedelta(days=1), answers, sub.email_typed
            )
        subs.append(sub)
    return sorted(subs, key=lambda s: s.end)


def tool_submissions(ctx: RoundContext, post: list[Submission]) -> list[Submission]:
    """The tool-feedback form, filled in by each post respondent right after the post survey."""
    rng = ctx.rng
    subs = []
    for previous in post:
        answers: dict[str, Any] = {}
        for item in ctx.items("tool_feedback"):
            if item["type"] == "select_one":
                answers[item["id"]] = None if rng.random() < 0.1 else int(rng.choice([2, 3, 4, 5], p=[0.1, 0.3, 0.4, 0.2]))
            elif rng.random() < 0.4:
                answers[item["id"]] = ctx.choice(ctx.spec["comments"]["tool_feedback"][ctx.lang])
        start = previous.end + dt.timedelta(minutes=int(rng.integers(1, 30)))
        end = start + dt.timedelta(seconds=int(rng.lognormal(np.log(240), 0.4)))
        subs.append(Submission(previous.person, start, end, answers, previous.email_typed))
    return subs


def latest_complete(subs: list[Submission]) -> dict[str, Submission]:
    """The last submission of each person (the complete one of a duplicate), by person key."""
    kept: dict[str, Submission] = {}
    for sub in sorted(subs, key=lambda s: s.end):
        kept[sub.person.key] = sub
    return kept
