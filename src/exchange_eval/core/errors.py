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
