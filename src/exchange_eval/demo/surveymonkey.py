"""SurveyMonkey CSV exports: two header rows, matrix titles above their first column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .forms import choice_text, csv_text, shown_answer
from .model import Question, RoundContext, Submission

__all__ = ["SM_META", "write_surveymonkey"]

# the respondent columns SurveyMonkey puts before the questions, in its order
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


def _sm_stamp(moment: dt.datetime) -> str:
    """A SurveyMonkey date: month/day/year and 12-hour time.

    >>> _sm_stamp(dt.datetime(2025, 3, 4, 14, 5, 7))
    '03/04/2025 02:05:07 PM'
    """
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def write_surveymonkey(ctx: RoundContext, path: Path, questions: list[Question], subs: list[Submission]) -> None:
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
            value = shown_answer(ctx, q, sub)
            if q.kind == "multi":
                for c in ctx.choices[q.choices]:
                    row.append(c[f"label_{ctx.lang}"] if value and c["value"] in value else "")
            elif q.kind == "one":
                row.append(choice_text(ctx, q, value))
            else:
                row.append("" if value is None else str(value))
        rows.append(row)
    path.write_bytes(csv_text(rows, delimiter=",").encode("utf-8"))
