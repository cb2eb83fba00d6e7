"""Google Forms responses CSV and the Google Sheets member list of a network round."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .forms import choice_text, csv_text, shown_answer
from .model import Person, Question, RoundContext, Submission

__all__ = ["write_google_forms", "write_network_roster"]


def _gf_stamp(moment: dt.datetime) -> str:
    """A Google Forms timestamp: month/day/year without leading zeros, 24-hour time.

    >>> _gf_stamp(dt.datetime(2025, 3, 4, 9, 5, 7))
    '3/4/2025 09:05:07'
    """
    return f"{moment.month}/{moment.day}/{moment.year} {moment.strftime('%H:%M:%S')}"


def write_google_forms(ctx: RoundContext, path: Path, questions: list[Question], subs: list[Submission]) -> None:
    """Google Forms responses CSV: Timestamp, Email address, questions, grids as ``Title [Row]``."""
    header = ["Timestamp", "Email address"]
    for q in questions:
        header.append(f"{q.group} [{q.label}]" if q.group else q.label)
    rows = [header]
    for sub in subs:
        row = [_gf_stamp(sub.end), sub.email_typed]
        for q in questions:
            value = shown_answer(ctx, q, sub)
            if q.kind == "multi":
                labels = {c["value"]: c[f"label_{ctx.lang}"] for c in ctx.choices[q.choices]} if q.choices else {}
                row.append(", ".join(labels.get(v, v) for v in value) if value else "")
            elif q.kind == "one":
                row.append(choice_text(ctx, q, value))
            else:
                row.append("" if value is None else str(value))
        rows.append(row)
    path.write_bytes(csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))


def write_network_roster(ctx: RoundContext, path: Path, people: list[Person]) -> None:
    """Member list as downloaded from Google Sheets: UTF-8, comma."""
    header = ["First name", "Last name", "Email", "Phone", "Organisation", "Country", "Role", "Gender", "Sessions attended"]
    rows = [header] + [
        [p.first, p.last, p.email or "", p.phone, p.organisation or "", ctx.country_name(p.country, "en"),
         ctx.label("role", p.role, "en"), ctx.label("gender", p.gender, "en"), ", ".join(p.sessions)]
        for p in people
    ]
    path.write_bytes(csv_text(rows, delimiter=",", newline="\r\n").encode("utf-8"))
