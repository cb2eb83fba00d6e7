"""The questions of each form as a platform shows them, and the text of each answer cell.

The same instruments are asked on every platform; what differs is grouping (Kobo groups,
SurveyMonkey matrix titles, Google Forms grids) and wording. The writers of each platform
(`kobo`, `surveymonkey`, `google_forms`) turn these questions and the submissions into
rows, through `shown_answer`, `choice_text` and `csv_text`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .answers import outcome_items
from .model import Question, RoundContext, Submission

__all__ = [
    "KOBO_OUTCOME_GROUPS",
    "choice_text",
    "csv_text",
    "feedback_questions",
    "outcome_questions",
    "shown_answer",
    "tool_questions",
]


# Kobo groups of the outcome questions in the pre survey, by intermediate outcome
KOBO_OUTCOME_GROUPS = {
    "new_knowledge": "Connaissances",
    "enhanced_skill": "Compétences",
    "improved_consensus": "Consensus",
    "enhanced_connectivity": "Réseau",
    "new_actions": "Actions",
}


def _identity_questions(ctx: RoundContext, group: str | None) -> list[Question]:
    """E-mail, name and country: the questions that identify a respondent."""
    fields = ctx.instruments["fields"]
    lang = ctx.lang
    email_label = fields["email"][f"label_{lang}"][0] if lang == "fr" else "E-mail"
    name_label = fields["name"][f"label_{lang}"][1] if lang == "fr" else "Full name"
    return [
        Question("email", "email", email_label, group),
        Question("name", "name", name_label, group),
        Question("country", "country", fields["country"][f"label_{lang}"][0], group),
    ]


def outcome_questions(ctx: RoundContext, wave: str, platform: str) -> list[Question]:
    """The outcome survey of ``wave`` on ``platform``: pre ratings, or retro and post ratings
    with the open questions."""
    qs = _identity_questions(ctx, "Identification" if platform == "kobo" else None)
    items = outcome_items(ctx)
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


def feedback_questions(ctx: RoundContext, platform: str) -> list[Question]:
    """The session-feedback form on ``platform`` (Kobo asks for the session; Google Forms has
    no identity questions, the e-mail is collected by the form)."""
    kobo = platform == "kobo"
    qs = [] if platform == "google_forms" else _identity_questions(ctx, "Identification" if kobo else None)
    if kobo:
        qs.append(Question("session", "session", ctx.instruments["fields"]["session"]["label_fr"][0]))
    group = "Appréciation" if kobo else None
    for item in ctx.items("session_feedback"):
        kind = {"select_one": "one", "select_multiple": "multi", "text": "text"}[item["type"]]
        qs.append(Question(item["id"], kind, ctx.item_label(item), group, item.get("choices")))
    return qs


def tool_questions(ctx: RoundContext, platform: str) -> list[Question]:
    """The tool-feedback form on ``platform``."""
    kobo = platform == "kobo"
    qs = _identity_questions(ctx, "Identification" if kobo else None)
    for item in ctx.items("tool_feedback"):
        kind = "one" if item["type"] == "select_one" else "text"
        qs.append(Question(item["id"], kind, ctx.item_label(item), "Outils" if kobo else None, item.get("choices")))
    return qs


def shown_answer(ctx: RoundContext, q: Question, sub: Submission) -> Any:
    """The answer to ``q`` as the export shows it: identity fields from the person (the name
    only sometimes when an e-mail is given), the session title, else the code or text."""
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


def choice_text(ctx: RoundContext, q: Question, value: Any) -> str:
    """The label of a code; text (a missing code typed in) as it is; blank when unanswered."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ctx.label(q.choices, value)


def csv_text(rows: list[list[str]], *, delimiter: str, quoting: int = csv.QUOTE_MINIMAL, newline: str = "\r\n") -> str:
    r"""Rows as CSV text, the way a platform writes it (delimiter, quoting and line end).

    Examples
    --------
    >>> csv_text([["a", "b;c"], ["1", ""]], delimiter=";")
    'a;"b;c"\r\n1;\r\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue()
