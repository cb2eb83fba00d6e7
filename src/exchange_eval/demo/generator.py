"""Synthetic exchange rounds that look like what evaluators really receive.

`write_demo` writes one folder per round under ``<data_dir>/raw/`` — a ``round.yaml`` and
the exports as the platforms produce them — and ``<data_dir>/demo_truth.json`` with the
effects planted in the data and how each one is defined, so tests and the benchmark can
check that the pipeline recovers them. Three kinds of round are cycled:

``jsr_fr``
    Francophone JSR exchange. Roster saved by French Excel (``inscriptions.csv``: cp1252,
    ``;``, CRLF, decimal comma, dd/mm/yyyy); KoboToolbox CSV exports with French label
    headers and group paths (``kobo_pre.csv``, ``kobo_post.csv`` with the retro answers in
    the group "Avant l'échange", ``kobo_outils.csv`` for the tool feedback,
    ``kobo_feedback.csv`` for every session); improvement plans as a French Excel CSV.
``jsr_en``
    Anglophone JSR exchange. Roster as ``.xlsx``; SurveyMonkey CSV exports with two header
    rows and matrix questions (``sm_pre.csv``, ``sm_post.csv``, ``sm_tools.csv``,
    ``sm_feedback_<session>.csv``); improvement plans as ``.xlsx``.
``network``
    SALEX-like learning network. Google Forms CSV exports: pulse surveys with
    PARTNER-style grid questions ("Collaboration [Org]") and one feedback form per webinar;
    roster as a Google Sheets CSV.

Every survey round plants: one duplicate submission (the later one complete), one
respondent who answered the first wave only, one straight-liner, one person without
e-mail (JSR rounds) identified by name and country, e-mails typed with other case or
spaces, item nonresponse, and free-text comments naming another participant, giving an
e-mail address and a phone number, and holding markup. Output is byte-identical for a
given seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import string
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import yaml

from ..core.config import choice_lists, dimensions, instruments, load_config
from ..core.errors import UsageError
from ..core.paths import MANIFEST_NAME, check_round_id

__all__ = ["write_demo", "TRUTH_NAME", "demo_round_ids"]

TRUTH_NAME = "demo_truth.json"
KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
SM_META = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]
# Kobo groups of the outcome questions in the pre survey, by intermediate outcome
KOBO_OUTCOME_GROUPS = {
    "new_knowledge": "Connaissances",
    "enhanced_skill": "Compétences",
    "improved_consensus": "Consensus",
    "enhanced_connectivity": "Réseau",
    "new_actions": "Actions",
}
# fixed zip entry time, so that .xlsx files are byte-identical between runs
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- model


@dataclass
class Person:
    """One fake participant (identity fields are what the roster and surveys show)."""

    first: str
    last: str
    email: str | None
    phone: str
    country: str
    role: str
    org_type: str
    gender: str
    organisation: str | None = None
    sessions: list[str] = field(default_factory=list)
    registered: dt.date | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def key(self) -> str:
        return self.email or f"{self.full_name}|{self.country}"


@dataclass
class Question:
    """One question of a form as a platform shows it.

    ``kind``: one (select_one with ``choices``), multi (select_multiple), text, email,
    name, country, session, organisation. ``group`` is the Kobo group, the SurveyMonkey
    matrix title or the Google Forms grid title.
    """

    key: str
    kind: str
    label: str
    group: str | None = None
    choices: str | None = None


@dataclass
class Submission:
    """One submitted form: who, when, and the answers keyed by `Question.key`."""

    person: Person
    start: dt.datetime
    end: dt.datetime
    answers: dict[str, Any]
    email_typed: str = ""


@dataclass
class RoundPlan:
    """The parameters of one synthetic round."""

    index: int
    kind: str
    round_id: str
    year: int
    title: str
    community: str
    language: str
    host: str | None
    countries: list[str]
    comparison: list[str]
    sessions: list[dict]
    pulse_dates: list[dt.date]
    seed: list[int]


class _Ctx:
    """Configuration shared by the writers of one round."""

    def __init__(self, plan: RoundPlan, cfg: dict) -> None:
        self.plan = plan
        self.cfg = cfg
        self.lang = plan.language
        self.rng = np.random.default_rng(plan.seed)
        self.choices = choice_lists()
        self.instruments = instruments()
        self.dimensions = dimensions()
        self.countries = cfg["countries"]
        self.missing_code: dict | None = None

    def label(self, list_name: str, value: Any, lang: str | None = None) -> str:
        for level in self.choices[list_name]:
            if str(level["value"]) == str(value):
                return str(level[f"label_{lang or self.lang}"])
        raise KeyError(f"{value!r} not in choice list {list_name}")

    def country_name(self, iso3: str, lang: str | None = None) -> str:
        return str(self.countries[iso3][lang or self.lang])

    def items(self, instrument: str) -> list[dict]:
        return list(self.instruments["instruments"][instrument]["items"])

    def item_label(self, item: dict) -> str:
        return str(item[f"label_{self.lang}"])

    def choice(self, options: list[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]


# --------------------------------------------------------------------------- entry point


def demo_round_ids(n_rounds: int = 3, cfg: dict | None = None) -> list[str]:
    """The round ids `write_demo` writes for ``n_rounds`` (without writing anything)."""
    cfg = cfg or load_config("demo.yaml")
    return [plan.round_id for plan in _round_plans(cfg, 0, n_rounds)]


def write_demo(data_dir: Path, seed: int = 0, n_rounds: int = 3) -> list[str]:
    """Write ``n_rounds`` synthetic rounds under ``data_dir/raw`` and their true effects.

    Parameters
    ----------
    data_dir : Path
        The data folder; rounds go to ``data_dir/raw/<round_id>/`` (each replaced whole if
        it exists; other round folders are never touched) and the planted effects to
        ``data_dir/demo_truth.json``.
    seed : int
        Seed of the numpy Generator; the same seed gives byte-identical files.
    n_rounds : int
        Number of rounds. The first three are ``jsr-2025-fr``, ``jsr-2025-en`` and
        ``salex-2025``; further rounds cycle through the same three kinds one year
        earlier each cycle with a letter suffix (``jsr-2024-fr-b``, …) and other countries.

    Returns
    -------
    list of str
        The round ids written, in order.
    """
    if n_rounds < 1:
        raise UsageError(f"n_rounds must be at least 1, not {n_rounds}")
    data_dir = Path(data_dir)
    cfg = load_config("demo.yaml")
    raw_dir = data_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth: dict[str, Any] = {
        "generator": "exchange_eval.demo.generator.write_demo",
        "seed": seed,
        "n_rounds": n_rounds,
        "definitions": _DEFINITIONS,
        "rounds": {},
    }
    written = []
    for plan in _round_plans(cfg, seed, n_rounds):
        folder = raw_dir / check_round_id(plan.round_id)
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        ctx = _Ctx(plan, cfg)
        writer = {"jsr_fr": _write_jsr_fr, "jsr_en": _write_jsr_en, "network": _write_network}[plan.kind]
        truth["rounds"][plan.round_id] = writer(folder, ctx)
        written.append(plan.round_id)
    text = json.dumps(truth, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    (data_dir / TRUTH_NAME).write_text(text, encoding="utf-8")
    return written


_DEFINITIONS = {
    "outcome_change": (
        "per outcome: median over linked pairs (same person in pre and post; for a duplicate "
        "submission the later, complete one) of the person-level mean of the outcome's items "
        "(level5 codes 1-5), post minus pre"
    ),
    "outcome_wilcoxon_p": (
        "two-sided p-value of scipy.stats.wilcoxon(method='approx', correction=True) on those "
        "person-level differences: zero differences dropped, normal approximation with "
        "continuity correction, as R's wilcox.test does when there are ties"
    ),
    "response_shift": (
        "per outcome: mean over post respondents who also answered pre of the person-level "
        "mean of retro answers minus the person-level mean of pre answers"
    ),
    "plan_completion": "share of all improvement-plan actions whose status is 'done' at each follow-up",
    "selfassessment_change": (
        "mean over criterion rows (criterion not empty) of rating after minus rating before, "
        "per group; difference = participant minus comparison"
    ),
    "ladder_change": "the same on the overall ladder rows (criterion empty)",
    "rf18_did": (
        "a JSR meets the standard when at least rf18.min_dimensions_met dimension flags are 1; "
        "share meeting it per group in years <= exchange year (before) and > exchange year "
        "(after); did = (participant after - before) - (comparison after - before). The panel "
        "is balanced, so this equals the two-way fixed-effects coefficient"
    ),
    "network_density_directed": (
        "ordered organisation pairs (ego, alter) with collaboration >= 1 (information sharing "
        "or more) reported by any respondent of the ego organisation in that wave, divided by "
        "n_org * (n_org - 1), n_org = every member organisation on the roster"
    ),
    "network_density_undirected": "unordered organisation pairs with a tie reported by either side / (n_org choose 2)",
    "network_cross_country_share": "share of those undirected ties linking organisations of different countries",
}


def _round_plans(cfg: dict, seed: int, n_rounds: int) -> list[RoundPlan]:
    templates = cfg["rounds"]
    plans = []
    for index in range(n_rounds):
        template = templates[index % len(templates)]
        cycle = index // len(templates)
        base_year = dt.date.fromisoformat(str(template["sessions"][0]["date"])).year
        year = base_year - cycle
        suffix = "" if cycle == 0 else "-" + _suffix(cycle)
        round_id = str(template["id"]).format(year=year) + suffix
        pick = np.random.default_rng([seed, index, 7])
        countries = list(template.get("countries") or [])
        comparison = list(template.get("comparison") or [])
        host = template.get("host")
        if not countries and template["kind"] == "network":
            countries = sorted({str(m["country"]) for m in cfg["network_members"]})
        if cycle > 0 and template["kind"] in cfg.get("country_pools", {}):
            pool = list(cfg["country_pools"][template["kind"]])
            drawn = [pool[i] for i in pick.permutation(len(pool))[: len(countries) + len(comparison)]]
            countries, comparison = drawn[: len(countries)], drawn[len(countries) :]
            host = countries[0]
        sessions = []
        for session in template.get("sessions") or []:
            date = _shift_years(dt.date.fromisoformat(str(session["date"])), cycle)
            sessions.append({**session, "date": date})
        plans.append(
            RoundPlan(
                index=index,
                kind=str(template["kind"]),
                round_id=round_id,
                year=year,
                title=str(template["title"]).format(year=year) + (f" ({_suffix(cycle)})" if cycle else ""),
                community=str(template["community"]),
                language=str(template["language"]),
                host=host,
                countries=countries,
                comparison=comparison,
                sessions=sessions,
                pulse_dates=[_shift_years(dt.date.fromisoformat(str(d)), cycle) for d in template.get("pulse_dates", [])],
                seed=[seed, index],
            )
        )
    return plans


def _suffix(cycle: int) -> str:
    letters = string.ascii_lowercase
    return letters[cycle] if cycle < len(letters) else str(cycle + 1)


def _shift_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28)


# --------------------------------------------------------------------------- people


def _fold(text: str) -> str:
    """ASCII, lower case, letters digits and hyphens only (for e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9-]", "", plain.replace(" ", "-"))


def _phone(template: str, rng: np.random.Generator) -> str:
    return "".join(str(int(rng.integers(10))) if ch == "#" else ch for ch in template)


def _unique_names(ctx: _Ctx, n: int) -> list[tuple[str, str, str]]:
    pool = ctx.cfg["names"][ctx.lang]
    seen: set[tuple[str, str]] = set()
    names = []
    while len(names) < n:
        gender = "female" if ctx.rng.random() < 0.45 else "male"
        first = ctx.choice(pool[gender])
        last = ctx.choice(pool["last"])
        if (first, last) in seen or any(first == f for f, _, _ in names):
            continue
        seen.add((first, last))
        names.append((first, last, gender))
    return names


def _email(ctx: _Ctx, first: str, last: str, country: str, domain: str | None = None) -> str:
    if domain is None:
        domains = ctx.cfg["email_domains"][ctx.lang]
        weights = np.array([0.45, 0.25, 0.2, 0.1])[: len(domains)]
        domain = domains[int(ctx.rng.choice(len(domains), p=weights / weights.sum()))]
        domain = domain.format(tld=ctx.countries[country]["tld"])
    local = f"{_fold(first)}.{_fold(last)}" if ctx.rng.random() < 0.8 else f"{_fold(first)[0]}{_fold(last)}"
    return f"{local}@{domain}"


def _jsr_people(ctx: _Ctx) -> list[Person]:
    plan, rng = ctx.plan, ctx.rng
    counts = [3] * len(plan.countries)
    if rng.random() < 0.6:
        counts[int(rng.integers(len(counts)))] = 2
    names = _unique_names(ctx, sum(counts))
    virtual = [s["id"] for s in plan.sessions if s["kind"] != "observation"]
    visits = [s["id"] for s in plan.sessions if s["kind"] == "observation"]
    first_date = plan.sessions[0]["date"]
    people = []
    for country, count in zip(plan.countries, counts, strict=True):
        for slot in range(count):
            first, last, gender = names.pop(0)
            if slot == 0:
                role, org_type = "decision_maker", "ministry"
            elif slot == 2 and rng.random() < 0.5:
                role, org_type = "coordinating_agency", "agency"
            else:
                role, org_type = "technical", "ministry"
            attended = [s for s in virtual if rng.random() < 0.9] or virtual[:1]
            if slot < 2:
                attended += visits
            people.append(
                Person(
                    first=first,
                    last=last,
                    email=_email(ctx, first, last, country),
                    phone=_phone(ctx.countries[country]["phone"], rng),
                    country=country,
                    role=role,
                    org_type=org_type,
                    gender=gender if rng.random() > 0.05 else "undisclosed",
                    sessions=attended,
                    registered=first_date - dt.timedelta(days=int(rng.integers(10, 35))),
                )
            )
    return people


@dataclass
class _Cast:
    """The people who carry the planted data problems."""

    duplicate: Person
    first_only: Person
    straightliner: Person
    no_email: Person | None
    quirky: list[Person]
    mention_writer: Person
    contact_writer: Person
    markup_writer: Person


def _cast(ctx: _Ctx, people: list[Person], *, no_email: bool) -> _Cast:
    order = [people[i] for i in ctx.rng.permutation(len(people))]
    cast = _Cast(
        duplicate=order[0],
        first_only=order[1],
        straightliner=order[2],
        no_email=order[3] if no_email else None,
        quirky=order[4:6],
        mention_writer=order[4],
        contact_writer=order[5],
        markup_writer=order[6],
    )
    if cast.no_email is not None:
        cast.no_email.email = None
    return cast


def _typed_email(ctx: _Ctx, person: Person, cast: _Cast) -> str:
    """The e-mail as the person typed it: other case or surrounding spaces now and then."""
    if person.email is None:
        return ""
    if person in cast.quirky and ctx.rng.random() < 0.6:
        if person is cast.quirky[0]:
            local, domain = person.email.split("@")
            return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()
        return f" {person.email} "
    return person.email


# --------------------------------------------------------------------------- answers


def _outcome_items(ctx: _Ctx) -> list[dict]:
    return [i for i in ctx.items("outcomes") if i.get("outcome")]


def _outcome_values(ctx: _Ctx, people: list[Person], linked: list[Person]) -> dict[str, dict[str, dict[str, int]]]:
    """Pre, post and retro codes per person key and item, with the planted effects."""
    rng = ctx.rng
    effects = ctx.cfg["effects"]
    gains = effects["outcome_change"]
    shift_outcomes = set(effects["response_shift_outcomes"])
    items = _outcome_items(ctx)
    by_outcome: dict[str, list[str]] = {}
    for item in items:
        by_outcome.setdefault(item["outcome"], []).append(item["id"])
    values: dict[str, dict[str, dict[str, int]]] = {}
    for person in people:
        base = int(rng.choice([2, 3, 4], p=[0.35, 0.45, 0.2]))
        pre = {i["id"]: _clip(round(base + rng.choice([-1, 0, 0, 1])), 2, 4) for i in items}
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
                post[i] = _clip(round(pre[i] + step[i]), 1, 5)
        retro = {}
        for outcome, ids in by_outcome.items():
            for i in ids:
                if outcome in shift_outcomes:
                    retro[i] = pre[i] - 1 if rng.random() < effects["response_shift_prob"] else pre[i]
                else:
                    retro[i] = _clip(round(pre[i] + rng.choice([-1, 0, 0, 0, 0, 0, 1])), 1, 5)
        values[person.key]["post"] = post
        values[person.key]["retro"] = retro
    return values


def _clip(value: float, low: int, high: int) -> int:
    return int(min(max(value, low), high))


def _likert(rng: np.random.Generator) -> int:
    return int(rng.choice([1, 2, 3, 4, 5], p=[0.02, 0.06, 0.17, 0.45, 0.30]))


def _times(ctx: _Ctx, day: dt.date, *, hour: float = 10.0, minutes: float = 7.0) -> tuple[dt.datetime, dt.datetime]:
    rng = ctx.rng
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int((hour + rng.random() * 6) * 3600))
    duration = float(rng.lognormal(np.log(minutes * 60), 0.45))
    if rng.random() < 0.05:
        duration = float(rng.uniform(25, 60))  # a speeder
    elif rng.random() < 0.05:
        duration = float(rng.uniform(2, 20) * 3600)  # left the form open
    return start, start + dt.timedelta(seconds=int(duration))


def _feedback_submissions(ctx: _Ctx, people: list[Person], cast: _Cast, session: dict) -> list[Submission]:
    """Session-feedback answers of the session's attendees, with planted comments."""
    rng, lang = ctx.rng, ctx.lang
    items = ctx.items("session_feedback")
    sid = session["id"]
    order = [s["id"] for s in ctx.plan.sessions]
    position = order.index(sid)
    planted = {}
    comments = ctx.cfg["comments"]
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
        start, end = _times(ctx, session["date"] if session["kind"] != "observation" else session["date"] + dt.timedelta(days=4), hour=11)
        subs.append(Submission(person, start, end, answers, _typed_email(ctx, person, cast)))
    if position == min(1, len(order) - 1):
        _plant_missing_code(ctx, subs, cast, sid)
    return sorted(subs, key=lambda s: s.end)


def _plant_missing_code(ctx: _Ctx, subs: list[Submission], cast: _Cast, session_id: str) -> None:
    """One answer typed as a missing code ("Ne sait pas", "N/A") instead of a scale level."""
    likert = [i["id"] for i in ctx.items("session_feedback") if i["type"] == "select_one"]
    for sub in subs:
        if sub.person is not cast.straightliner and len(likert) > 1:
            text = ctx.cfg["missing_answer"][ctx.lang]
            sub.answers[likert[1]] = text
            ctx.missing_code = {"instrument": "session_feedback", "session": session_id, "item": likert[1],
                                "text": text, "email": sub.person.email, "name": sub.person.full_name}
            return


def _outcome_submissions(
    ctx: _Ctx, people: list[Person], cast: _Cast, values: dict, wave: str, day: dt.date
) -> list[Submission]:
    rng = ctx.rng
    items = _outcome_items(ctx)
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
                    answers[item["id"]] = ctx.choice(ctx.cfg["comments"]["outcomes"][ctx.lang])
        start, end = _times(ctx, day + dt.timedelta(days=int(rng.integers(0, 6))), minutes=12)
        sub = Submission(person, start, end, answers, _typed_email(ctx, person, cast))
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


def _tool_submissions(ctx: _Ctx, post: list[Submission]) -> list[Submission]:
    rng = ctx.rng
    subs = []
    for previous in post:
        answers: dict[str, Any] = {}
        for item in ctx.items("tool_feedback"):
            if item["type"] == "select_one":
                answers[item["id"]] = None if rng.random() < 0.1 else int(rng.choice([2, 3, 4, 5], p=[0.1, 0.3, 0.4, 0.2]))
            elif rng.random() < 0.4:
                answers[item["id"]] = ctx.choice(ctx.cfg["comments"]["tool_feedback"][ctx.lang])
        start = previous.end + dt.timedelta(minutes=int(rng.integers(1, 30)))
        end = start + dt.timedelta(seconds=int(rng.lognormal(np.log(240), 0.4)))
        subs.append(Submission(previous.person, start, end, answers, previous.email_typed))
    return subs


def _latest_complete(subs: list[Submission]) -> dict[str, Submission]:
    kept: dict[str, Submission] = {}
    for sub in sorted(subs, key=lambda s: s.end):
        kept[sub.person.key] = sub
    return kept


# --------------------------------------------------------------------------- forms


def _identity_questions(ctx: _Ctx, group: str | None) -> list[Question]:
    fields = ctx.instruments["fields"]
    lang = ctx.lang
    email_label = fields["email"][f"label_{lang}"][0] if lang == "fr" else "E-mail"
    name_label = fields["name"][f"label_{lang}"][1] if lang == "fr" else "Full name"
    return [
        Question("email", "email", email_label, group),
        Question("name", "name", name_label, group),
        Question("country", "country", fields["country"][f"label_{lang}"][0], group),
    ]


def _outcome_questions(ctx: _Ctx, wave: str, platform: str) -> list[Question]:
    qs = _identity_questions(ctx, "Identification" if platform == "kobo" else None)
    items = _outcome_items(ctx)
    fr = ctx.lang == "fr"
    if wave == "pre":
        for item in items:
            group = KOBO_OUTCOME_GROUPS.get(item["outcome"], "Résultats") if platform == "kobo" else "How would you rate the following?"
            qs.append(Question(f"pre:{item['id']}", "one", ctx.item_label(item), group, item["choices"]))
    else:
        retro_title = ctx.instruments["retro_markers"][ctx.lang][0]
        if platform == "surveymonkey":
            retro_title += ", how would you have rated the following?"
        now_title = "Aujourd'hui" if fr else "How would you rate the following today?"
        for prefix, title in (("retro", retro_title), ("post", now_title)):
            for item in items:
                qs.append(Question(f"{prefix}:{item['id']}", "one", ctx.item_label(item), title, item["choices"]))
        for item in ctx.items("outcomes"):
            if item["type"] == "text":
                qs.append(Question(item["id"], "text", ctx.item_label(item), "Perspectives" if platform == "kobo" else None))
    return qs


def _feedback_questions(ctx: _Ctx, platform: str) -> list[Question]:
    kobo = platform == "kobo"
    qs = [] if platform == "google_forms" else _identity_questions(ctx, "Identification" if kobo else None)
    if kobo:
        qs.append(Question("session", "session", ctx.instruments["fields"]["session"]["label_fr"][0]))
    group = "Appréciation" if kobo else None
    for item in ctx.items("session_feedback"):
        kind = {"select_one": "one", "select_multiple": "multi", "text": "text"}[item["type"]]
        qs.append(Question(item["id"], kind, ctx.item_label(item), group, item.get("choices")))
    return qs


def _tool_questions(ctx: _Ctx, platform: str) -> list[Question]:
    kobo = platform == "kobo"
    qs = _identity_questions(ctx, "Identification" if kobo else None)
    for item in ctx.items("tool_feedback"):
        kind = "one" if item["type"] == "select_one" else "text"
        qs.append(Question(item["id"], kind, ctx.item_label(item), "Outils" if kobo else None, item.get("choices")))
    return qs


def _answer(ctx: _Ctx, q: Question, sub: Submission) -> Any:
    person = sub.person
    if q.kind == "email":
        return sub.email_typed
    if q.kind == "name":
        return person.full_name if (person.email is None or ctx.rng.random() < 0.6) else ""
    if q.kind == "country":
        return ctx.country_name(person.country)
    if q.kind == "organisation":
        return person.organisation or ""
    if q.kind == "session":
        return sub.answers["session"]["title"]
    return sub.answers.get(q.key)


# --------------------------------------------------------------------------- platform writers


def _csv_text(rows: list[list[str]], *, delimiter: str, quoting: int = csv.QUOTE_MINIMAL, newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue()


def _choice_text(ctx: _Ctx, q: Question, value: Any) -> str:
    """The label of a code; text (a missing code typed in) as it is; blank when unanswered."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ctx.label(q.choices, value)


def _kobo_stamp(moment: dt.datetime, utc_hours: int) -> str:
    sign = "+" if utc_hours >= 0 else "-"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".000{sign}{abs(utc_hours):02d}:00"


def _write_kobo(ctx: _Ctx, path: Path, questions: list[Question], subs: list[Submission]) -> None:
    """KoboToolbox CSV export: labels, group paths, every field quoted, ``;``, UTF-8."""
    rng = ctx.rng
    header = ["start", "end"]
    for q in questions:
        col = f"{q.group}/{q.label}" if q.group else q.label
        header.append(col)
        if q.kind == "multi":
            header += [f"{col}/{c[f'label_{ctx.lang}']}" for c in ctx.choices[q.choices]]
    header += KOBO_META
    version = "v" + "".join(ctx.choice(list(string.ascii_letters + string.digits)) for _ in range(21))
    first_id = int(rng.integers(300_000_000, 500_000_000))
    rows = [header]
    for index, sub in enumerate(subs, start=1):
        utc = int(ctx.countries[sub.person.country].get("utc", 0))
        row = [_kobo_stamp(sub.start, utc), _kobo_stamp(sub.end, utc)]
        for q in questions:
            value = _answer(ctx, q, sub)
            if q.kind == "multi":
                codes = [c["value"] for c in ctx.choices[q.choices]]
                if value is None:
                    row += [""] * (1 + len(codes))
                else:
                    row.append(" ".join(value))
                    row += ["1" if c in value else "0" for c in codes]
            elif q.kind == "one":
                row.append(_choice_text(ctx, q, value))
            else:
                row.append("" if value is None else str(value))
        submitted = sub.end - dt.timedelta(hours=utc) + dt.timedelta(seconds=int(rng.integers(2, 90)))
        row += [
            str(first_id + index * int(rng.integers(1, 40))),
            str(uuid.UUID(bytes=rng.bytes(16), version=4)),
            submitted.strftime("%Y-%m-%dT%H:%M:%S"),
            "",
            "",
            "submitted_via_web",
            "",
            version,
            "",
            str(index),
        ]
        rows.append(row)
    path.write_bytes(_csv_text(rows, delimiter=";", quoting=csv.QUOTE_ALL).encode("utf-8"))


def _sm_stamp(moment: dt.datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def _write_surveymonkey(ctx: _Ctx, path: Path, questions: list[Question], subs: list[Submission]) -> None:
    """SurveyMonkey CSV export: two header rows, matrix titles above their first column."""
    rng = ctx.rng
    row1, row2 = list(SM_META), [""] * len(SM_META)
    previous_group = None
    for q in questions:
        if q.kind == "multi":
            labels = [c[f"label_{ctx.lang}"] for c in ctx.choices[q.choices]]
            row1 += [q.label] + [""] * (len(labels) - 1)
            row2 += labels
        elif q.group:
            row1.append(q.group if q.group != previous_group else "")
            row2.append(q.label)
        else:
            row1.append(q.label)
            row2.append("Response" if q.kind in ("one", "country") else "Open-Ended Response")
        previous_group = q.group
    collector = str(int(rng.integers(400_000_000, 460_000_000)))
    respondent = int(rng.integers(114_000_000_000, 115_000_000_000))
    rows = [row1, row2]
    for sub in subs:
        respondent += int(rng.integers(1_000, 90_000))
        ip = f"{int(rng.integers(41, 197))}.{int(rng.integers(0, 256))}.{int(rng.integers(0, 256))}.{int(rng.integers(1, 255))}"
        row = [str(respondent), collector, _sm_stamp(sub.start), _sm_stamp(sub.end), ip, "", "", "", ""]
        for q in questions:
            value = _answer(ctx, q, sub)
            if q.kind == "multi":
                for c in ctx.choices[q.choices]:
                    row.append(c[f"label_{ctx.lang}"] if value and c["value"] in value else "")
            elif q.kind == "one":
                row.append(_choice_text(ctx, q, value))
            else:
                row.append("" if value is None else str(value))
        rows.append(row)
    path.write_bytes(_csv_text(rows, delimiter=",").encode("utf-8"))


def _gf_stamp(moment: dt.datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year} {moment.strftime('%H:%M:%S')}"


def _write_google_forms(ctx: _Ctx, path: Path, questions: list[Question], subs: list[Submission]) -> None:
    """Google Forms responses CSV: Timestamp, Email address, questions, grids as ``Title [Row]``."""
    header = ["Timestamp", "Email address"]
    for q in questions:
        header.append(f"{q.group} [{q.label}]" if q.group else q.label)
    rows = [header]
    for sub in subs:
        row = [_gf_stamp(sub.end), sub.email_typed]
        for q in questions:
            value = _answer(ctx, q, sub)
            if q.kind == "multi":
                labels = {c["value"]: c[f"label_{ctx.lang}"] for c in ctx.choices[q.choices]} if q.choices else {}
                row.append(", ".join(labels.get(v, v) for v in value) if value else "")
            elif q.kind == "one":
                row.append(_choice_text(ctx, q, value))
            else:
                row.append("" if value is None else str(value))
        rows.append(row)
    path.write_bytes(_csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))


def _save_xlsx(workbook: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed zip times and document dates, so the bytes depend on the seed only."""
    fixed = dt.datetime(2025, 1, 1)
    workbook.properties.creator = "Microsoft Office User"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2025-01-01T00:00:00Z\g<2>", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _write_xlsx(path: Path, header: list[str], rows: list[list[Any]], *, sheet: str, date_format: str) -> None:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
    for column in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    _save_xlsx(workbook, path)


def _write_manifest(folder: Path, ctx: _Ctx, sources: list[dict]) -> None:
    plan = ctx.plan
    manifest: dict[str, Any] = {
        "round": plan.round_id,
        "title": plan.title,
        "community": plan.community,
        "language": plan.language,
    }
    if plan.host:
        manifest["host"] = plan.host
    manifest["countries"] = list(plan.countries)
    if plan.comparison:
        manifest["comparison"] = list(plan.comparison)
    manifest["year"] = plan.year
    manifest["sessions"] = [
        {"id": s["id"], "kind": s["kind"], "date": s["date"], "title": s["title"]} for s in plan.sessions
    ]
    manifest["sources"] = sources
    manifest["notes"] = "Synthetic data written by exchange_eval.demo.generator; every person is fictitious."
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- JSR rounds


def _jsr_common(ctx: _Ctx) -> dict[str, Any]:
    """People, planted cast and every survey's submissions of a JSR round."""
    people = _jsr_people(ctx)
    cast = _cast(ctx, people, no_email=True)
    linked = [p for p in people if p is not cast.first_only]
    values = _outcome_values(ctx, people, linked)
    sessions = ctx.plan.sessions
    pre = _outcome_submissions(ctx, people, cast, values, "pre", sessions[0]["date"] - dt.timedelta(days=8))
    post = _outcome_submissions(ctx, people, cast, values, "post", sessions[-1]["date"] + dt.timedelta(days=7))
    tools = _tool_submissions(ctx, [s for s in post])
    feedback = {s["id"]: _feedback_submissions(ctx, people, cast, s) for s in sessions}
    return {"people": people, "cast": cast, "pre": pre, "post": post, "tools": tools, "feedback": feedback}


def _write_jsr_fr(folder: Path, ctx: _Ctx) -> dict:
    data = _jsr_common(ctx)
    people: list[Person] = data["people"]
    _write_fr_roster(ctx, folder / "inscriptions.csv", people)
    _write_kobo(ctx, folder / "kobo_pre.csv", _outcome_questions(ctx, "pre", "kobo"), data["pre"])
    _write_kobo(ctx, folder / "kobo_post.csv", _outcome_questions(ctx, "post", "kobo"), data["post"])
    _write_kobo(ctx, folder / "kobo_outils.csv", _tool_questions(ctx, "kobo"), data["tools"])
    all_feedback = sorted((s for subs in data["feedback"].values() for s in subs), key=lambda s: s.end)
    _write_kobo(ctx, folder / "kobo_feedback.csv", _feedback_questions(ctx, "kobo"), all_feedback)
    plan_truth = _write_plans(ctx, folder / "plan_actions.csv")
    jsr_truth = _write_selfassessment(ctx, folder / "jsr_selfassessment.csv")
    rf18_truth = _write_rf18(ctx, folder / "jsr_quality.csv")
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
    _write_manifest(folder, ctx, sources)
    files = {"pre": "kobo_pre.csv", "post": "kobo_post.csv", "feedback": "kobo_feedback.csv", "tools": "kobo_outils.csv"}
    return _jsr_truth(ctx, data, files, plan_truth, jsr_truth, rf18_truth, platform="kobo")


def _write_jsr_en(folder: Path, ctx: _Ctx) -> dict:
    data = _jsr_common(ctx)
    people: list[Person] = data["people"]
    _write_en_roster(ctx, folder / "registration.xlsx", people)
    _write_surveymonkey(ctx, folder / "sm_pre.csv", _outcome_questions(ctx, "pre", "surveymonkey"), data["pre"])
    _write_surveymonkey(ctx, folder / "sm_post.csv", _outcome_questions(ctx, "post", "surveymonkey"), data["post"])
    _write_surveymonkey(ctx, folder / "sm_tools.csv", _tool_questions(ctx, "surveymonkey"), data["tools"])
    sources = [
        {"file": "registration.xlsx", "instrument": "roster"},
        {"file": "sm_pre.csv", "instrument": "outcomes", "wave": "pre"},
        {"file": "sm_post.csv", "instrument": "outcomes", "wave": "post"},
        {"file": "sm_tools.csv", "instrument": "tool_feedback", "wave": "post"},
    ]
    for sid, subs in data["feedback"].items():
        name = f"sm_feedback_{sid}.csv"
        _write_surveymonkey(ctx, folder / name, _feedback_questions(ctx, "surveymonkey"), subs)
        sources.append({"file": name, "instrument": "session_feedback", "session": sid})
    plan_truth = _write_plans(ctx, folder / "plan_actions.xlsx")
    jsr_truth = _write_selfassessment(ctx, folder / "jsr_selfassessment.csv")
    rf18_truth = _write_rf18(ctx, folder / "jsr_quality.csv")
    sources += [
        {"file": "plan_actions.xlsx", "instrument": "plan_actions"},
        {"file": "jsr_selfassessment.csv", "instrument": "jsr_assessment"},
        {"file": "jsr_quality.csv", "instrument": "jsr_quality"},
    ]
    _write_manifest(folder, ctx, sources)
    files = {"pre": "sm_pre.csv", "post": "sm_post.csv", "feedback": "sm_feedback_<session>.csv", "tools": "sm_tools.csv"}
    return _jsr_truth(ctx, data, files, plan_truth, jsr_truth, rf18_truth, platform="surveymonkey")


def _write_fr_roster(ctx: _Ctx, path: Path, people: list[Person]) -> None:
    """Registration list saved by French Excel: cp1252, ``;``, CRLF, decimal comma."""
    fields = ctx.instruments["fields"]
    header = [
        "Nom",
        fields["first_name"]["label_fr"][0],
        fields["country"]["label_fr"][0],
        fields["role"]["label_fr"][0],
        fields["org_type"]["label_fr"][0],
        fields["gender"]["label_fr"][0],
        fields["email"]["label_fr"][0],
        fields["phone"]["label_fr"][0],
        fields["registered_on"]["label_fr"][0],
        fields["sessions_attended"]["label_fr"][0],
        "Taux de présence",
    ]
    n_sessions = len(ctx.plan.sessions)
    rows = [header]
    for i, p in enumerate(people):
        org_type = ctx.label("org_type", p.org_type)
        if i % 3 == 0:
            org_type = org_type.replace("'", "’")  # typed in Word, pasted into Excel
        role = ctx.label("role", p.role) + ("\u00a0" if i % 4 == 1 else "")
        first = p.first.replace("-", "\u00a0-\u00a0") if i == 0 and "-" in p.first else p.first
        share = len(p.sessions) / n_sessions
        rows.append(
            [
                p.last.upper() if i % 2 == 0 else p.last,
                first,
                ctx.country_name(p.country, "fr"),
                role,
                org_type,
                ctx.label("gender", p.gender, "fr"),
                p.email or "",
                p.phone,
                p.registered.strftime("%d/%m/%Y") if p.registered else "",
                ", ".join(p.sessions),
                f"{share:.2f}".replace(".", ","),
            ]
        )
    path.write_bytes(_csv_text(rows, delimiter=";").encode("cp1252"))


def _write_en_roster(ctx: _Ctx, path: Path, people: list[Person]) -> None:
    header = [
        "First name",
        "Last name",
        "Country",
        "Role",
        "Organisation type",
        "Gender",
        "Email",
        "Phone",
        "Registration date",
        "Sessions attended",
    ]
    rows = [
        [
            p.first,
            p.last,
            ctx.country_name(p.country, "en"),
            ctx.label("role", p.role, "en"),
            ctx.label("org_type", p.org_type, "en"),
            ctx.label("gender", p.gender, "en"),
            p.email,
            p.phone,
            p.registered,
            ", ".join(p.sessions),
        ]
        for p in people
    ]
    _write_xlsx(path, header, rows, sheet="Registrations", date_format="dd/mm/yyyy")


def _write_plans(ctx: _Ctx, path: Path) -> dict:
    """Improvement-plan actions with two follow-ups and a known completion rate."""
    rng, lang = ctx.rng, ctx.lang
    dims = [d["id"] for d in ctx.dimensions["dimensions"]]
    texts = ctx.cfg["plan_actions"]
    year = ctx.plan.year
    actions = []
    for country in ctx.plan.countries:
        n = int(rng.integers(4, 6))
        options = [(d, t) for d in dims for t in texts.get(d, {}).get(lang, [])]
        for k, j in enumerate(rng.permutation(len(options))[:n], start=1):
            dimension, text = options[j]
            due = dt.date(year, int(rng.integers(9, 13)), 1) + dt.timedelta(days=int(rng.integers(0, 28)))
            role = "decision_maker" if rng.random() < 0.5 else "technical"
            actions.append({"country": country, "action_id": f"{country}-{k:02d}", "dimension": dimension,
                            "description": text, "owner_role": ctx.label("role", role), "due": due})
    shares = ctx.cfg["effects"]["plan_done_share"]
    n = len(actions)
    order = rng.permutation(n)
    n_done_1 = int(round(shares["followup-1"] * n))
    n_done_2 = int(round(shares["followup-2"] * n))
    statuses = {}
    for rank, j in enumerate(order):
        if rank < n_done_1:
            s1, s2 = "done", "done"
        elif rank < n_done_2:
            s1, s2 = "started", "done"
        elif rank == n_done_2:
            s1, s2 = "started", "dropped"
        else:
            s1 = "planned" if rng.random() < 0.5 else "started"
            s2 = "started"
        statuses[int(j)] = (s1, s2)
    header = ["country", "action_id", "dimension", "description", "owner_role", "due", "status_followup-1", "status_followup-2"]
    rows = []
    for j, a in enumerate(actions):
        s1, s2 = statuses[j]
        rows.append([a["country"], a["action_id"], a["dimension"], a["description"], a["owner_role"], a["due"],
                     ctx.label("plan_status", s1), ctx.label("plan_status", s2)])
    if path.suffix == ".csv":
        for row in rows:
            row[5] = row[5].strftime("%d/%m/%Y")
        path.write_bytes(_csv_text([header, *rows], delimiter=";").encode("cp1252"))
    else:
        _write_xlsx(path, header, rows, sheet="Improvement plans", date_format="yyyy-mm-dd")
    done = {f: sum(1 for s in statuses.values() if s[i] == "done") for i, f in enumerate(["followup-1", "followup-2"])}
    return {
        "n_actions": n,
        "completion_rate": {f: round(done[f] / n, 6) for f in done},
        "n_done": done,
        "n_dropped": {"followup-1": 0, "followup-2": sum(1 for s in statuses.values() if s[1] == "dropped")},
    }


def _write_selfassessment(ctx: _Ctx, path: Path) -> dict:
    """Self-assessment ratings before and after, participants gaining more."""
    rng = ctx.rng
    gains = ctx.cfg["effects"]["selfassessment_gain"]
    year = ctx.plan.year
    rows = [["country", "year", "wave", "dimension", "criterion", "rating"]]
    changes: dict[str, dict[str, list[float]]] = {"participant": {"criterion": [], "ladder": []},
                                                   "comparison": {"criterion": [], "ladder": []}}
    for group, countries in (("participant", ctx.plan.countries), ("comparison", ctx.plan.comparison)):
        gain = float(gains[group])
        for country in countries:
            base = float(rng.uniform(1.4, 2.6))
            for dim in ctx.dimensions["dimensions"]:
                before_c, after_c = [], []
                for _criterion in dim["criteria"]:
                    before = _clip(round(base + rng.normal(0, 0.5)), 1, 3)
                    step = int(rng.random() < gain) if gain < 1 else int(rng.choice([0, 1, 1, 1, 1, 1, 1, 1, 2, 1]))
                    before_c.append(before)
                    after_c.append(_clip(round(before + step), 1, 4))
                ladder_before = _clip(round(np.mean(before_c)), 1, 4)
                ladder_after = _clip(round(np.mean(after_c) + 1e-9), 1, 4)
                for wave, yr, ratings, ladder in (("before", year, before_c, ladder_before),
                                                  ("after", year + 1, after_c, ladder_after)):
                    for criterion, rating in zip(dim["criteria"], ratings, strict=True):
                        rows.append([country, yr, wave, dim["id"], criterion, rating])
                    rows.append([country, yr, wave, dim["id"], "", ladder])
                changes[group]["criterion"] += [a - b for a, b in zip(after_c, before_c, strict=True)]
                changes[group]["ladder"].append(ladder_after - ladder_before)
    path.write_bytes(_csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))
    # sort rows so a file reader sees "before" then "after" per country (already the case)
    mean = {g: {k: float(np.mean(v)) for k, v in c.items()} for g, c in changes.items()}
    return {
        "selfassessment_change": {
            "participant": round(mean["participant"]["criterion"], 6),
            "comparison": round(mean["comparison"]["criterion"], 6),
            "difference": round(mean["participant"]["criterion"] - mean["comparison"]["criterion"], 6),
        },
        "ladder_change": {
            "participant": round(mean["participant"]["ladder"], 6),
            "comparison": round(mean["comparison"]["ladder"], 6),
            "difference": round(mean["participant"]["ladder"] - mean["comparison"]["ladder"], 6),
        },
        "years": {"before": year, "after": year + 1},
    }


def _write_rf18(ctx: _Ctx, path: Path) -> dict:
    """RF18 flags per country and year; participants' share meeting the standard rises."""
    rng = ctx.rng
    dims = [d["id"] for d in ctx.dimensions["dimensions"]]
    threshold = int(ctx.dimensions["rf18"]["min_dimensions_met"])
    pattern = ctx.cfg["effects"]["rf18_n_met"]
    year = ctx.plan.year
    years = list(range(year - 4, year + 2))
    rows = [["country", "year", *dims]]
    meets: dict[tuple[str, str], list[int]] = {}
    for group, countries in (("participant", ctx.plan.countries), ("comparison", ctx.plan.comparison)):
        for k, country in enumerate(countries):
            for yr in years:
                period = "after" if yr > year else "before"
                levels = pattern[group][period]
                n_met = int(levels[k % len(levels)])
                met = set(int(j) for j in rng.permutation(len(dims))[:n_met])
                rows.append([country, yr, *[1 if j in met else 0 for j in range(len(dims))]])
                meets.setdefault((group, period), []).append(int(n_met >= threshold))
    path.write_bytes(_csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))
    share = {f"{g}_{p}": round(float(np.mean(v)), 6) for (g, p), v in meets.items()}
    did = (share["participant_after"] - share["participant_before"]) - (share["comparison_after"] - share["comparison_before"])
    return {"rf18_shares": share, "rf18_did": round(did, 6), "exchange_year": year, "years": years}


def _person_means(sub: Submission, prefix: str, ids: list[str]) -> float | None:
    values = [sub.answers.get(f"{prefix}:{i}") for i in ids]
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def _jsr_truth(ctx: _Ctx, data: dict, files: dict, plan_truth: dict, jsr_truth: dict, rf18_truth: dict, *, platform: str) -> dict:
    from scipy.stats import wilcoxon

    cast: _Cast = data["cast"]
    pre = _latest_complete(data["pre"])
    post = _latest_complete(data["post"])
    linked = [k for k in pre if k in post]
    by_outcome: dict[str, list[str]] = {}
    for item in _outcome_items(ctx):
        by_outcome.setdefault(item["outcome"], []).append(item["id"])
    outcome_truth: dict[str, Any] = {}
    shift: dict[str, float] = {}
    for outcome, ids in by_outcome.items():
        diffs = np.array([_person_means(post[k], "post", ids) - _person_means(pre[k], "pre", ids) for k in linked])
        retro = np.array([_person_means(post[k], "retro", ids) - _person_means(pre[k], "pre", ids) for k in linked])
        p_value = float(wilcoxon(diffs, method="approx", correction=True).pvalue) if np.any(diffs != 0) else 1.0
        outcome_truth[outcome] = {
            "planted_change": ctx.cfg["effects"]["outcome_change"].get(outcome, 0),
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


# --------------------------------------------------------------------------- network round


def _network_people(ctx: _Ctx) -> list[Person]:
    rng = ctx.rng
    members = ctx.cfg["network_members"]
    slots = [(m, 0) for m in members] + [(m, 1) for m in members if rng.random() < 0.5]
    names = _unique_names(ctx, len(slots))
    people = []
    first_date = ctx.plan.sessions[0]["date"] if ctx.plan.sessions else ctx.plan.pulse_dates[0]
    for (member, slot), (first, last, gender) in zip(sorted(slots, key=lambda s: (members.index(s[0]), s[1])), names, strict=True):
        initials = "".join(w[0] for w in member["name"].split() if w[0].isupper()).lower()
        domain = f"{initials}.{ctx.countries[member['country']]['tld']}" if rng.random() < 0.8 else None
        person = Person(
            first=first,
            last=last,
            email="",
            phone=_phone(ctx.countries[member["country"]]["phone"], rng),
            country=member["country"],
            role="network_member",
            org_type="network" if slot else ctx.choice(["ministry", "network", "ngo"]),
            gender=gender,
            organisation=member["name"],
            sessions=[s["id"] for s in ctx.plan.sessions if rng.random() < 0.7],
            registered=first_date - dt.timedelta(days=int(rng.integers(20, 90))),
        )
        person.email = _email(ctx, first, last, member["country"], domain)
        people.append(person)
    return people


def _network_ties(ctx: _Ctx) -> dict[str, list[tuple[int, int]]]:
    """Nested undirected organisation ties per wave: first within country, then across."""
    rng = ctx.rng
    members = ctx.cfg["network_members"]
    n = len(members)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    within = [p for p in pairs if members[p[0]]["country"] == members[p[1]]["country"]]
    across = [p for p in pairs if p not in within]
    ordered = [within[i] for i in rng.permutation(len(within))] + [across[i] for i in rng.permutation(len(across))]
    targets = ctx.cfg["effects"]["network_ties"]
    waves = {}
    current: list[tuple[int, int]] = []
    for wave, count in targets.items():
        if not current:
            # the first wave: every within-country tie and a few across
            current = list(within) + [p for p in ordered if p not in within][: max(0, count - len(within))]
        else:
            extra = [p for p in ordered if p not in current and p not in within]
            current = current + extra[: max(0, count - len(current))]
        waves[wave] = sorted(current)
    return waves


def _write_network(folder: Path, ctx: _Ctx) -> dict:
    rng = ctx.rng
    plan = ctx.plan
    members = ctx.cfg["network_members"]
    org_index = {m["name"]: i for i, m in enumerate(members)}
    people = _network_people(ctx)
    # the first-wave-only respondent is an organisation's second respondent, so every
    # organisation answers every wave and the true densities do not depend on attrition
    cast = _cast(ctx, people, no_email=False)
    firsts = {}
    for p in people:
        firsts.setdefault(p.organisation, p)
    planted = {id(cast.duplicate), id(cast.straightliner), id(cast.markup_writer),
               id(cast.mention_writer), id(cast.contact_writer)}
    seconds = [p for p in people if firsts[p.organisation] is not p and id(p) not in planted]
    cast.first_only = seconds[int(rng.integers(len(seconds)))]
    ties = _network_ties(ctx)
    waves = list(ties)
    grids = ctx.instruments["instruments"]["ties"]["grids"]
    pulse_items = ctx.items("pulse")
    fields = ctx.instruments["fields"]
    questions = [
        Question("organisation", "organisation", fields["organisation"]["label_en"][0]),
        Question("country", "country", fields["country"]["label_en"][0]),
    ]
    for item in pulse_items:
        kind = "one" if item["type"] == "select_one" else "text"
        if kind == "one":
            questions.append(Question(item["id"], kind, item["label_en"], None, item["choices"]))
    questions.append(Question("activities", "multi", "Which network activities did you take part in?"))
    for grid in grids:
        for m in members:
            questions.append(Question(f"{grid['id']}|{m['name']}", "one", m["name"], grid["label_en"], grid["choices"]))
    for item in pulse_items:
        if item["type"] == "text":
            questions.append(Question(item["id"], "text", item["label_en"]))

    sources: list[dict] = [{"file": "members.csv", "instrument": "roster"}]
    reported: dict[str, set[tuple[int, int]]] = {}
    trust_values: dict[str, list[int]] = {}
    counts = {}
    for w, wave in enumerate(waves):
        edges = set(ties[wave])
        subs = []
        seen_orgs: set[str] = set()
        for person in people:
            first_of_org = person.organisation not in seen_orgs
            seen_orgs.add(person.organisation or "")
            if person is cast.first_only and w > 0:
                continue
            if not first_of_org and person is not cast.duplicate and rng.random() < 0.2:
                continue
            ego = org_index[person.organisation]
            answers: dict[str, Any] = {}
            for item in pulse_items:
                if item["type"] == "select_one":
                    if person is cast.straightliner:
                        answers[item["id"]] = 4
                    elif rng.random() < 0.05:
                        answers[item["id"]] = None
                    else:
                        lift = 0.4 * w if item["id"] == "pl_connect" else 0.0
                        answers[item["id"]] = _clip(round(rng.normal(3.4 + lift, 0.8)), 1, 5)
                elif rng.random() < 0.3:
                    answers[item["id"]] = ctx.choice(ctx.cfg["comments"]["pulse"]["en"])
            activities = ctx.cfg["network_activities"]
            answers["activities"] = [activities[j] for j in sorted(rng.permutation(len(activities))[: int(rng.integers(1, 4))])]
            for alter, member in enumerate(members):
                if alter == ego:
                    continue
                linked = (min(ego, alter), max(ego, alter)) in edges
                report = linked and (first_of_org or rng.random() < 0.7)
                if report:
                    answers[f"collaboration|{member['name']}"] = int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
                    for grid in grids[1:]:
                        value = None if rng.random() < 0.04 else _clip(round(rng.normal(2.8 + 0.2 * w, 0.7)), 1, 4)
                        answers[f"{grid['id']}|{member['name']}"] = value
                        if value is not None and grid["id"].startswith("trust"):
                            trust_values.setdefault(wave, []).append(value)
                    reported.setdefault(wave, set()).add((ego, alter))
                elif not linked and rng.random() < 0.04:
                    answers[f"collaboration|{member['name']}"] = 0
            day = plan.pulse_dates[w] + dt.timedelta(days=int(rng.integers(0, 10)))
            start, end = _times(ctx, day, hour=8, minutes=9)
            sub = Submission(person, start, end, answers, _typed_email(ctx, person, cast))
            if person is cast.duplicate and w == 1:
                partial = {k: v for k, v in answers.items() if "|" not in k}
                subs.append(Submission(person, start, start + dt.timedelta(minutes=3), partial, sub.email_typed))
                sub = Submission(person, start + dt.timedelta(hours=2), end + dt.timedelta(hours=2), answers, sub.email_typed)
            subs.append(sub)
        subs.sort(key=lambda s: s.end)
        counts[wave] = len(subs)
        name = f"gf_{wave.replace('-', '_')}.csv"
        _write_google_forms(ctx, folder / name, questions, subs)
        sources.append({"file": name, "instrument": "pulse", "wave": wave})

    feedback_counts = {}
    for session in plan.sessions:
        subs = _feedback_submissions(ctx, people, cast, session)
        feedback_counts[session["id"]] = len(subs)
        name = f"gf_feedback_{session['id']}.csv"
        _write_google_forms(ctx, folder / name, _feedback_questions(ctx, "google_forms"), subs)
        sources.append({"file": name, "instrument": "session_feedback", "session": session["id"]})
    _write_network_roster(ctx, folder / "members.csv", people)
    _write_manifest(folder, ctx, sources)

    n_org = len(members)
    network = {}
    for wave in waves:
        directed = reported.get(wave, set())
        undirected = {(min(a, b), max(a, b)) for a, b in directed}
        cross = [p for p in undirected if members[p[0]]["country"] != members[p[1]]["country"]]
        network[wave] = {
            "n_org": n_org,
            "directed_ties": len(directed),
            "density_directed": round(len(directed) / (n_org * (n_org - 1)), 6),
            "undirected_ties": len(undirected),
            "density_undirected": round(len(undirected) / (n_org * (n_org - 1) / 2), 6),
            "cross_country_share": round(len(cross) / len(undirected), 6) if undirected else 0.0,
            "mean_trust": round(float(np.mean(trust_values.get(wave, [np.nan]))), 6),
        }

    def who(person: Person) -> dict:
        return {"email": person.email, "name": person.full_name, "country": person.country, "organisation": person.organisation}

    return {
        "kind": plan.kind,
        "platform": "google_forms",
        "language": ctx.lang,
        "n_roster": len(people),
        "n_organisations": n_org,
        "n_responses": {"pulse": counts, "session_feedback": feedback_counts},
        "network": network,
        "duplicate": {**who(cast.duplicate), "instrument": "pulse", "wave": waves[min(1, len(waves) - 1)],
                      "kept": "the later submission, which is complete; the first has every grid blank"},
        "first_wave_only": {**who(cast.first_only), "instrument": "pulse", "answered": waves[0], "missing": waves[1:]},
        "straightliner": {**who(cast.straightliner), "instrument": "pulse", "value": 4},
        "no_email": None,
        "email_quirks": [who(p) for p in cast.quirky],
        "missing_code": ctx.missing_code,
        "planted_comments": {
            "markup": {"writer": who(cast.markup_writer), "session": plan.sessions[0]["id"]},
            "mention": {"writer": who(cast.mention_writer), "session": plan.sessions[min(1, len(plan.sessions) - 1)]["id"]},
            "contact": {"writer": who(cast.contact_writer), "session": plan.sessions[min(2, len(plan.sessions) - 1)]["id"]},
        },
    }


def _write_network_roster(ctx: _Ctx, path: Path, people: list[Person]) -> None:
    """Member list as downloaded from Google Sheets: UTF-8, comma."""
    header = ["First name", "Last name", "Email", "Phone", "Organisation", "Country", "Role", "Gender", "Sessions attended"]
    rows = [header] + [
        [p.first, p.last, p.email or "", p.phone, p.organisation or "", ctx.country_name(p.country, "en"),
         ctx.label("role", p.role, "en"), ctx.label("gender", p.gender, "en"), ", ".join(p.sessions)]
        for p in people
    ]
    path.write_bytes(_csv_text(rows, delimiter=",", newline="\r\n").encode("utf-8"))
