"""The demo's vocabulary: a round's plan, its people, questions and submissions.

Every other demo module speaks in these terms: the generator plans rounds
(`RoundPlan`), draws `Person`s and their `Submission`s with a `RoundContext`, and the
platform writers lay the answers out under each `Question` as that platform would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.config import Config

__all__ = ["Person", "Question", "RoundContext", "RoundPlan", "Submission", "clip"]


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
        """First name, then last name."""
        return f"{self.first} {self.last}"

    @property
    def key(self) -> str:
        """Who the person is for linking answers: the e-mail, or name and country without one."""
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


class RoundContext:
    """What the writers of one round share: its plan, its random generator, the configuration.

    Parameters
    ----------
    plan : RoundPlan
        The round to write.
    spec : dict
        The demo specification (``demo.yaml``): name pools, countries, planted effects,
        comments.
    config : Config
        The instruments, choice lists and JSR dimensions the exports are written from.
    """

    def __init__(self, plan: RoundPlan, spec: dict, config: Config) -> None:
        self.plan = plan
        self.spec = spec
        self.lang = plan.language
        self.rng = np.random.default_rng(plan.seed)
        self.choices = config.choices
        self.instruments = config.instruments
        self.dimensions = config.dimensions
        self.countries = spec["countries"]
        # the planted missing code, recorded by the answers that plant it (for the truth file)
        self.missing_code: dict | None = None

    def label(self, list_name: str, value: Any, lang: str | None = None) -> str:
        """The label of ``value`` in choice list ``list_name`` (round's language by default)."""
        for level in self.choices[list_name]:
            if str(level["value"]) == str(value):
                return str(level[f"label_{lang or self.lang}"])
        raise KeyError(f"{value!r} not in choice list {list_name}")

    def country_name(self, iso3: str, lang: str | None = None) -> str:
        """The country's name as people type it (round's language by default)."""
        return str(self.countries[iso3][lang or self.lang])

    def items(self, instrument: str) -> list[dict]:
        """The items of a standard instrument, in questionnaire order."""
        return list(self.instruments["instruments"][instrument]["items"])

    def item_label(self, item: dict) -> str:
        """The item's wording in the round's language."""
        return str(item[f"label_{self.lang}"])

    def choice(self, options: list[Any]) -> Any:
        """One of ``options``, drawn with the round's generator."""
        return options[int(self.rng.integers(len(options)))]


def clip(value: float, low: int, high: int) -> int:
    """``value`` bounded to ``[low, high]``, as an int (a code on a scale)."""
    return int(min(max(value, low), high))
