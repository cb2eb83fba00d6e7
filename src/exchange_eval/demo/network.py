"""The SALEX-like learning-network round: Google Forms pulse surveys with PARTNER-style
grids ("Collaboration [Org]"), one feedback form per webinar, a Google Sheets roster,
and the true network measures per wave."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from .answers import feedback_submissions, submission_times
from .forms import feedback_questions
from .google_forms import write_google_forms, write_network_roster
from .manifest import write_manifest
from .model import Person, Question, RoundContext, Submission, clip
from .people import network_people, pick_cast, typed_email

__all__ = ["write_network"]


def _network_ties(ctx: RoundContext) -> dict[str, list[tuple[int, int]]]:
    """Nested undirected organisation ties per wave: first within country, then across."""
    rng = ctx.rng
    members = ctx.spec["network_members"]
    n = len(members)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    within = [p for p in pairs if members[p[0]]["country"] == members[p[1]]["country"]]
    across = [p for p in pairs if p not in within]
    ordered = [within[i] for i in rng.permutation(len(within))] + [across[i] for i in rng.permutation(len(across))]
    targets = ctx.spec["effects"]["network_ties"]
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


def write_network(folder: Path, ctx: RoundContext) -> dict:
    """Write the learning-network round into ``folder``; return its truth record."""
    rng = ctx.rng
    plan = ctx.plan
    members = ctx.spec["network_members"]
    org_index = {m["name"]: i for i, m in enumerate(members)}
    people = network_people(ctx)
    # the first-wave-only respondent is an organisation's second respondent, so every
    # organisation answers every wave and the true densities do not depend on attrition
    cast = pick_cast(ctx, people, no_email=False)
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
                        answers[item["id"]] = clip(round(rng.normal(3.4 + lift, 0.8)), 1, 5)
                elif rng.random() < 0.3:
                    answers[item["id"]] = ctx.choice(ctx.spec["comments"]["pulse"]["en"])
            activities = ctx.spec["network_activities"]
            answers["activities"] = [activities[j] for j in sorted(rng.permutation(len(activities))[: int(rng.integers(1, 4))])]
            for alter, member in enumerate(members):
                if alter == ego:
                    continue
                linked = (min(ego, alter), max(ego, alter)) in edges
                report = linked and (first_of_org or rng.random() < 0.7)
                if report:
                    answers[f"collaboration|{member['name']}"] = int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
                    for grid in grids[1:]:
                        value = None if rng.random() < 0.04 else clip(round(rng.normal(2.8 + 0.2 * w, 0.7)), 1, 4)
                        answers[f"{grid['id']}|{member['name']}"] = value
                        if value is not None and grid["id"].startswith("trust"):
                            trust_values.setdefault(wave, []).append(value)
                    reported.setdefault(wave, set()).add((ego, alter))
                elif not linked and rng.random() < 0.04:
                    answers[f"collaboration|{member['name']}"] = 0
            day = plan.pulse_dates[w] + dt.timedelta(days=int(rng.integers(0, 10)))
            start, end = submission_times(ctx, day, hour=8, minutes=9)
            sub = Submission(person, start, end, answers, typed_email(ctx, person, cast))
            if person is cast.duplicate and w == 1:
                partial = {k: v for k, v in answers.items() if "|" not in k}
                subs.append(Submission(person, start, start + dt.timedelta(minutes=3), partial, sub.email_typed))
                sub = Submission(person, start + dt.timedelta(hours=2), end + dt.timedelta(hours=2), answers, sub.email_typed)
            subs.append(sub)
        subs.sort(key=lambda s: s.end)
        counts[wave] = len(subs)
        name = f"gf_{wave.replace('-', '_')}.csv"
        write_google_forms(ctx, folder / name, questions, subs)
        sources.append({"file": name, "instrument": "pulse", "wave": wave})

    feedback_counts = {}
    for session in plan.sessions:
        subs = feedback_submissions(ctx, people, cast, session)
        feedback_counts[session["id"]] = len(subs)
        name = f"gf_feedback_{session['id']}.csv"
        write_google_forms(ctx, folder / name, feedback_questions(ctx, "google_forms"), subs)
        sources.append({"file": name, "instrument": "session_feedback", "session": session["id"]})
    write_network_roster(ctx, folder / "members.csv", people)
    write_manifest(folder, ctx, sources)

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
