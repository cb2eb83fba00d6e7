"""What each source's columns became: the coverage line ``validate`` and ``clean`` print.

Nothing read is dropped without a message: every column of every source is counted as a
question, a respondent field, metadata, an identity field (used for the pseudonym, then
dropped), an attendance column, a duplicate, or unmatched (and each unmatched one is also
a warning naming it). `Coverage.line` gives::

    kobo_pre.csv: 23 columns: 15 questions, 5 metadata, 2 identity (dropped), 1 unmatched
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .codebook import IDENTITY_ROLES, CodebookEntry

__all__ = ["METADATA_ROLES", "Coverage", "category_of"]

#: respondent fields that describe the submission rather than the respondent
METADATA_ROLES = frozenset({"ignore", "submitted_at", "started_at", "ended_at", "duration_s", "registered_on"})

# category -> (singular, plural); the first four are always shown for a survey
_WORDS = {
    "questions": ("question", "questions"),
    "fields": ("respondent field", "respondent fields"),
    "used": ("used", "used"),
    "metadata": ("metadata", "metadata"),
    "identity": ("identity (dropped)", "identity (dropped)"),
    "attendance": ("attendance", "attendance"),
    "duplicate": ("duplicate (ignored)", "duplicates (ignored)"),
    "unmatched": ("unmatched", "unmatched"),
}
_ALWAYS = ("questions", "metadata", "identity", "unmatched")


def category_of(entry: CodebookEntry | None) -> str:
    """The coverage category of a column mapped to ``entry`` (None: unmatched)."""
    if entry is None:
        return "unmatched"
    if entry.role in ("item", "grid"):
        return "questions"
    if entry.role in IDENTITY_ROLES:
        return "identity"
    if entry.role in METADATA_ROLES:
        return "metadata"
    return "fields"


@dataclass
class Coverage:
    """The columns of one source by what they became.

    ``counts`` holds a count per category (`category_of`, plus ``attendance``,
    ``duplicate`` and, for structured sheets, ``used``); ``unmatched`` names the unmatched
    columns; ``absent`` the questions of the source's form that no column holds.
    """

    file: str
    instrument: str
    structured: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    form: str | None = None

    def add(self, category: str, column: str | None = None) -> None:
        """Count one column."""
        self.counts[category] = self.counts.get(category, 0) + 1
        if category == "unmatched" and column is not None:
            self.unmatched.append(column)

    def move(self, old: str, new: str) -> None:
        """A column counted as ``old`` turned out to be ``new`` (a duplicate, …)."""
        self.counts[old] -= 1
        self.add(new)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        """``file: N columns: a questions, b metadata, c identity (dropped), d unmatched``.

        Examples
        --------
        >>> c = Coverage("pre.csv", "outcomes", counts={"questions": 15, "metadata": 5, "identity": 2,
        ...              "unmatched": 1})
        >>> c.line()
        'pre.csv: 23 columns: 15 questions, 5 metadata, 2 identity (dropped), 1 unmatched'
        """
        shown = ("used", "unmatched") if self.structured else _ALWAYS
        parts = []
        for category, (one, many) in _WORDS.items():
            count = self.counts.get(category, 0)
            if count or category in shown:
                parts.append(f"{count:,} {one if count == 1 else many}")
        total = self.total
        text = f"{self.file}: {total:,} column{'s' if total != 1 else ''}: " + ", ".join(parts)
        if self.form:
            text += f" (form {self.form}"
            if self.absent:
                more = f" and {len(self.absent) - 5:,} more" if len(self.absent) > 5 else ""
                text += f"; not in this export: {', '.join(self.absent[:5])}{more}"
            text += ")"
        return text
