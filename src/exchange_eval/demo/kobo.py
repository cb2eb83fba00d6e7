"""KoboToolbox CSV exports: French labels with group paths, every field quoted, ``;``."""

from __future__ import annotations

import csv
import datetime as dt
import string
import uuid
from pathlib import Path

from .forms import choice_text, csv_text, shown_answer
from .model import Question, RoundContext, Submission

__all__ = ["KOBO_META", "write_kobo"]

# the metadata columns Kobo appends after the questions, in its order
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


def _kobo_stamp(moment: dt.datetime, utc_hours: int) -> str:
    """A Kobo start/end stamp: local time with milliseconds and the UTC offset.

    >>> _kobo_stamp(dt.datetime(2025, 2, 10, 9, 30), 0)
    '2025-02-10T09:30:00.000+00:00'
    """
    sign = "+" if utc_hours >= 0 else "-"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".000{sign}{abs(utc_hours):02d}:00"


def write_kobo(ctx: RoundContext, path: Path, questions: list[Question], subs: list[Submission]) -> None:
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
            value = shown_answer(ctx, q, sub)
            if q.kind == "multi":
                codes = [c["value"] for c in ctx.choices[q.choices]]
                if value is None:
                    row += [""] * (1 + len(codes))
                else:
                    row.append(" ".join(value))
                    row += ["1" if c in value else "0" for c in codes]
            elif q.kind == "one":
                row.append(choice_text(ctx, q, value))
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
    path.write_bytes(csv_text(rows, delimiter=";", quoting=csv.QUOTE_ALL).encode("utf-8"))
