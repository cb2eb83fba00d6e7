"""Dedup stage: one submission per respondent, instrument, wave and session.

Duplicate submissions (same pid, instrument, wave and session) are resolved by
``settings.cleaning.duplicate_rule``:

``latest_complete`` (default)
    keep the submission with the most answered items (answers that are neither blank nor
    a missing code); among those, the latest ``submitted_at`` (a submission without a
    time counts as the earliest); among those, the last one in the file order.
``latest``
    the latest ``submitted_at``, then the last in file order.
``first``
    the earliest ``submitted_at``, then the first in file order.
``most_complete``
    the most answered items, then the first in file order.

Anonymous submissions (neither e-mail nor name) are never treated as duplicates.
Every submission dropped is logged; each group of duplicates is one warning naming
the rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from ..core.config import Config
from ..core.errors import ProblemCode
from .context import RoundContext
from .log import ProblemList
from .responses import Submission

__all__ = ["DUPLICATE_RULES", "drop_duplicates", "duplicate_rule"]

DUPLICATE_RULES = ("latest_complete", "latest", "first", "most_complete")


def duplicate_rule(config: Config, problems: ProblemList) -> str | None:
    """The rule of ``settings.yaml`` (``cleaning.duplicate_rule``); None (reported) when unknown."""
    rule = (config.settings.get("cleaning", {}) or {}).get("duplicate_rule", "latest_complete")
    if rule not in DUPLICATE_RULES:
        problems.add("settings.yaml", f"cleaning.duplicate_rule {rule!r} is not one of "
                     f"{', '.join(DUPLICATE_RULES)}", column="duplicate_rule", code=ProblemCode.CONFIG)
        return None
    return rule


def _keeper(group: list[Submission], rule: str) -> Submission:
    """The submission a rule keeps among duplicates (see the module docstring)."""
    earliest = pd.Timestamp.min

    def when(s: Submission) -> Any:
        return s.submitted_at if s.submitted_at is not None else earliest

    if rule == "latest_complete":
        return max(group, key=lambda s: (s.n_answered, when(s), s.order))
    if rule == "latest":
        return max(group, key=lambda s: (when(s), s.order))
    if rule == "first":
        return min(group, key=lambda s: (when(s) if s.submitted_at is not None else pd.Timestamp.max, s.order))
    return max(group, key=lambda s: (s.n_answered, -s.order))


def drop_duplicates(ctx: RoundContext, submissions: list[Submission], rule: str) -> list[Submission]:
    """The submissions without duplicates, in their order (see the module docstring)."""
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for submission in submissions:
        if not submission.anonymous:
            groups[submission.key].append(submission)
    dropped: set[int] = set()
    for key, group in groups.items():
        if len(group) < 2:
            continue
        keep = _keeper(group, rule)
        rows = ", ".join(f"{s.source.file}:{s.row}" for s in group)
        for submission in group:
            if submission is keep:
                continue
            dropped.add(id(submission))
            ctx.log.add("drop_duplicate", file=submission.source.file, row=submission.row,
                        detail=f"{key[1]} {key[2] or ''} answered more than once by pid {key[0]}; "
                        f"kept {keep.source.file}:{keep.row} ({rule})")
        ctx.problems.warn(keep.source.file, f"duplicate submissions of {key[1]} {key[2] or ''} by one "
                          f"respondent (rows {rows}): kept row {keep.row} by rule {rule}", keep.row,
                          code=ProblemCode.DUPLICATE_RESPONDENT)
    return [s for s in submissions if id(s) not in dropped]
