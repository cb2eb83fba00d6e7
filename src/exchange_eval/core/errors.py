"""Exceptions of exchange-eval: one base class, errors that carry their context.

`DataError` names the file, row and column of a problem so the CLI can print
``file:row:column: message`` lines; `DataErrors` collects many of them (lazy validation,
like pandera's SchemaErrors); `ReportError` names the notebook and failing cell.
Every `Problem` carries a reason code (`ProblemCode`), so a program can sort problems
by kind without reading their messages. The CLI turns these into messages and exit
codes; nothing else should print tracebacks.

Every exception pickles (a parallel build sends them between processes): the base class
rebuilds an instance from its arguments and attributes without calling ``__init__``, so
a subclass may take keyword-only context (as `ReportError` does).
"""

from __future__ import annotations

import enum
import errno
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ExchangeEvalError",
    "DataError",
    "DataErrors",
    "ManifestError",
    "UsageError",
    "ReportError",
    "Problem",
    "ProblemCode",
    "cap_problems",
    "os_error_message",
    "unexpected_error_message",
]


def _rebuild(cls: type[BaseException], args: tuple, state: dict[str, Any]) -> BaseException:
    """Unpickle an exception: its class, ``args`` and attributes, without ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ExchangeEvalError(Exception):
    """Base class of every error exchange-eval raises on purpose."""

    exit_code = 1

    def __reduce__(self) -> tuple:
        # the default, ``cls(*self.args)``, fails for subclasses whose __init__ takes other
        # arguments than the message (DataError's keywords, ReportError's context)
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class ProblemCode(enum.StrEnum):
    """Why a problem was reported (the reason code of a `Problem`).

    Codes are plain strings too (``ProblemCode.UNKNOWN_CHOICE == "unknown_choice"``), so
    a caller may pass either. `OTHER` is the default of code written before codes existed.
    """

    OTHER = "other"
    # reading an export
    FILE_NOT_FOUND = "file_not_found"  # missing file, or a folder in its place
    UNREADABLE = "unreadable"  # the file or workbook cannot be opened or parsed
    EMPTY_FILE = "empty_file"  # 0 bytes, blank lines only, a header without data rows
    TOO_LARGE = "too_large"  # over the size limit of settings.yaml (limits.max_source_mb)
    BAD_ENCODING = "bad_encoding"  # the text cannot be decoded
    WRONG_FORMAT = "wrong_format"  # a binary file renamed .csv, a .xlsx that is not one
    MALFORMED_ROW = "malformed_row"  # more fields than headers, an unclosed quote
    DUPLICATE_COLUMN = "duplicate_column"  # two columns under one header
    MISSING_SHEET = "missing_sheet"  # the manifest names a sheet the workbook lacks
    UNKNOWN_PLATFORM = "unknown_platform"
    READER_NOTE = "reader_note"  # a remark of the reader (which sheet it read, …)
    # what tells the cleaning how to read
    MANIFEST = "manifest"  # round.yaml
    CODEBOOK = "codebook"  # a round codebook row or choice list
    FORM = "form"  # an XLSForm named by a source (`form:`)
    CONFIG = "config"  # a configuration value (settings.yaml)
    # harmonizing answers
    UNMAPPED_COLUMN = "unmapped_column"  # a column the codebook does not know
    NOTHING_MAPPED = "nothing_mapped"  # a survey export none of whose columns is a question
    UNUSED_FILE = "unused_file"  # a codebook or form in the round folder that no source uses
    MISSING_COLUMN = "missing_column"  # a required column is absent
    UNKNOWN_CHOICE = "unknown_choice"  # an answer not in its choice list (or not a number)
    UNKNOWN_VALUE = "unknown_value"  # a dimension or criterion the configuration lacks
    BAD_VALUE = "bad_value"  # a value of the wrong form: date, year, yes/no, met/not met
    UNKNOWN_COUNTRY = "unknown_country"
    UNKNOWN_SESSION = "unknown_session"  # a session that is not one of the round's
    MISSING_SESSION = "missing_session"  # session feedback that names no session
    NOT_IN_ROUND = "not_in_round"  # a country neither participant nor comparison
    # people
    UNIDENTIFIED = "unidentified"  # a row without a usable e-mail or name
    DUPLICATE_RESPONDENT = "duplicate_respondent"  # one person twice (survey or roster)
    NOT_ON_ROSTER = "not_on_roster"
    # after harmonizing
    CORRECTION = "correction"  # a corrections.csv row that cannot be applied
    SCHEMA = "schema"  # a canonical table fails its schema
    WRITE_FAILED = "write_failed"  # the processed folder cannot be written


@dataclass(frozen=True)
class Problem:
    """One data problem, located as precisely as the source allows.

    ``row`` is the 1-based line number in the file as a user sees it in a spreadsheet or
    text editor (header rows included); ``column`` is the header as exported; ``code``
    says what kind of problem it is (`ProblemCode`; a code's text is accepted too).
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # or "warning"
    code: ProblemCode = ProblemCode.OTHER

    def __post_init__(self) -> None:
        if not isinstance(self.code, ProblemCode):
            object.__setattr__(self, "code", ProblemCode(self.code))  # a bad code fails here

    def __str__(self) -> str:
        where = [self.file or "<input>"]
        where.append(str(self.row) if self.row is not None else "-")
        where.append(self.column if self.column else "-")
        return f"{':'.join(where)}: {self.message}"


class DataError(ExchangeEvalError):
    """A problem with input data, located by file, row and column."""

    #: the `ProblemCode` of the problem when the raiser gives none
    default_code = ProblemCode.OTHER

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        code: ProblemCode | str | None = None,
    ) -> None:
        self.problem = Problem(
            file=str(file) if file is not None else "",
            message=message,
            row=row,
            column=column,
            code=self.default_code if code is None else code,
        )
        super().__init__(str(self.problem))

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


class DataErrors(ExchangeEvalError):
    """Several data problems found at once (lazy validation)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ManifestError(DataError):
    """A round manifest (round.yaml) is missing, malformed or points somewhere unsafe."""

    default_code = ProblemCode.MANIFEST


class UsageError(ExchangeEvalError):
    """The command was called wrongly (unknown round, bad option value)."""

    exit_code = 2


class ReportError(ExchangeEvalError):
    """A report notebook failed to execute or export."""

    def __init__(
        self,
        message: str,
        *,
        notebook: str | Path | None = None,
        cell: int | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ) -> None:
        self.notebook = str(notebook) if notebook is not None else None
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
        where = self.notebook or "<notebook>"
        if cell is not None:
            where += f": cell {cell}"
        detail = f" ({ename}: {evalue})" if ename else ""
        super().__init__(f"{where}: {message}{detail}")


def cap_problems(problems: Iterable[Problem], per_column: int) -> list[Problem]:
    """At most ``per_column`` problems of one kind in one column, then one line counting the rest.

    A kind is the file, column, severity and reason code: a column of 600,000 unknown
    answers gives ``per_column`` lines and "… and 599,980 more like these" instead of
    600,000 lines. The order of the first problems is kept; each count comes after the
    last problem shown of its kind.

    Examples
    --------
    >>> many = [Problem("a.csv", f"unknown answer {i}", i + 2, "Q1") for i in range(5)]
    >>> [str(p) for p in cap_problems(many, 2)]  # doctest: +NORMALIZE_WHITESPACE
    ['a.csv:2:Q1: unknown answer 0', 'a.csv:3:Q1: unknown answer 1',
     'a.csv:-:Q1: ... and 3 more like these in this column']
    """
    problems = list(problems)
    if per_column <= 0:
        return problems
    kinds = Counter((p.file, p.column, p.severity, p.code) for p in problems)
    shown: Counter = Counter()
    out: list[Problem] = []
    for problem in problems:
        kind = (problem.file, problem.column, problem.severity, problem.code)
        shown[kind] += 1
        if shown[kind] <= per_column:
            out.append(problem)
        if shown[kind] == per_column and kinds[kind] > per_column:
            rest = kinds[kind] - per_column
            out.append(Problem(problem.file, f"... and {rest:,} more like these in this column", None,
                               problem.column, problem.severity, problem.code))
    return out


_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def os_error_message(exc: OSError) -> str:
    """A failed read or write in words, naming the folder: "cannot write to the folder …".

    Examples
    --------
    >>> os_error_message(PermissionError(errno.EACCES, "Permission denied", "/srv/reports/r1/x.html"))
    'cannot write to the folder /srv/reports/r1 (permission denied): make it writable, or choose another folder'
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/data/processed/r1"))
    'cannot write to the folder /data/processed (the disk is full): free some space, or choose another folder'
    """
    reason = _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    where = Path(exc.filename).parent if exc.filename else None
    fix = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "make it writable"
    if where is None:
        return f"cannot read or write a file ({reason})"
    return f"cannot write to the folder {where} ({reason}): {fix}, or choose another folder"


def unexpected_error_message(exc: BaseException) -> str:
    """An exception the package did not raise on purpose, as one line for the user: a
    failed write (`os_error_message`), else ``internal error: <type>: <message>``."""
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return os_error_message(exc)
    if isinstance(exc, ExchangeEvalError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"
