"""Exceptions of exchange-eval: one base class, errors that carry their context.

`DataError` names the file, row and column of a problem so the CLI can print
``file:row:column: message`` lines; `DataErrors` collects many of them (lazy validation,
like pandera's SchemaErrors); `ReportError` names the notebook and failing cell.
The CLI turns these into messages and exit codes; nothing else should print tracebacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ExchangeEvalError",
    "DataError",
    "DataErrors",
    "ManifestError",
    "UsageError",
    "ReportError",
    "Problem",
]


class ExchangeEvalError(Exception):
    """Base class of every error exchange-eval raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One data problem, located as precisely as the source allows.

    ``row`` is the 1-based line number in the file as a user sees it in a spreadsheet or
    text editor (header rows included); ``column`` is the header as exported.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = [self.file or "<input>"]
        where.append(str(self.row) if self.row is not None else "-")
        where.append(self.column if self.column else "-")
        return f"{':'.join(where)}: {self.message}"


class DataError(ExchangeEvalError):
    """A problem with input data, located by file, row and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = Problem(
            file=str(file) if file is not None else "", message=message, row=row, column=column
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
