"""Fake participants: names, e-mails, phones, sessions attended, and the planted cast.

Names come from the demo specification's pools, in the round's language; e-mail local
parts are the folded names. `pick_cast` chooses the people who carry the planted data
problems (a duplicate submission, a first-wave-only respondent, a straight-liner, …).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from ..core.text import fold
from .model import Person, RoundContext

__all__ = ["Cast", "jsr_people", "network_people", "pick_cast", "typed_email"]


def _email_slug(text: str) -> str:
    """Folded text kept to ASCII letters, digits and hyphens (for e-mail local parts).

    >>> _email_slug("Marie-Thérèse N’Diaye Œuvré")
    'marie-therese-ndiaye-oeuvre'
    """
    return re.sub(r"[^a-z0-9-]", "", fold(text).replace(" ", "-"))


def _phone(template: str, rng: np.random.Generator) -> str:
    """A phone number in the country's format (``#`` a random digit)."""
    return "".join(str(int(rng.integers(10))) if ch == "#" else ch for ch in template)


def _unique_names(ctx: RoundContext, n: int) -> list[tuple[str, str, str]]:
    """``n`` (first, last, gender) triples from the round language's pools, no first name twice."""
    pool = ctx.spec["names"][ctx.lang]
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


def _email(ctx: RoundContext, first: str, last: str, country: str, domain: str | None = None) -> str:
    """An e-mail address from the folded name, at ``domain`` or a drawn webmail or ministry domain."""
    if domain is None:
        domains = ctx.spec["email_domains"][ctx.lang]
        weights = np.array([0.45, 0.25, 0.2, 0.1])[: len(domains)]
        domain = domains[int(ctx.rng.choice(len(domains), p=weights / weights.sum()))]
        domain = domain.format(tld=ctx.countries[country]["tld"])
    local = f"{_email_slug(first)}.{_email_slug(last)}" if ctx.rng.random() < 0.8 else f"{_email_slug(first)[0]}{_email_slug(last)}"
    return f"{local}@{domain}"


def jsr_people(ctx: RoundContext) -> list[Person]:
    """The participants of a JSR round: 2-3 officials per country, sessions and visit attended."""
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


def network_people(ctx: RoundContext) -> list[Person]:
    """The respondents of a network round: one or two per member organisation."""
    rng = ctx.rng
    members = ctx.spec["network_members"]
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


@dataclass
class Cast:
    """The people who carry the planted data problems."""

    duplicate: Person
    first_only: Person
    straightliner: Person
    no_email: Person | None
    quirky: list[Person]
    mention_writer: Person
    contact_writer: Person
    markup_writer: Person


def pick_cast(ctx: RoundContext, people: list[Person], *, no_email: bool) -> Cast:
    """Draw the planted cast from ``people`` (the no-email person loses the e-mail)."""
    order = [people[i] for i in ctx.rng.permutation(len(people))]
    cast = Cast(
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


def typed_email(ctx: RoundContext, person: Person, cast: Cast) -> str:
    """The e-mail as the person typed it: other case or surrounding spaces now and then."""
    if person.email is None:
        return ""
    if person in cast.quirky and ctx.rng.random() < 0.6:
        if person is cast.quirky[0]:
            local, domain = person.email.split("@")
            return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()
        return f" {person.email} "
    return person.email
