"""What cleaning did and found: the cleaning log (``cleaning_log.csv``) and the problems.

`CleaningLog` collects one row per change made between raw and processed data (columns
of `exchange_eval.core.tables.CLEANING_LOG_COLUMNS`); `ProblemList` collects the problems
(`exchange_eval.core.errors.Problem`) every stage reports. `RowEvents` lets a stage that
works column by column report in the order a row-by-row pass would have: the log and the
problems read top to bottom like the export.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import Problem, ProblemCode
from ..core.tables import CLEANING_LOG_COLUMNS, CLEANING_LOG_DTYPES
from .codebook import Codebook

__all__ = ["CleaningLog", "ProblemList", "RowEvents", "unknown_answer", "unknown_message"]


class CleaningLog:
    """The rows of one round's ``cleaning_log.csv``, in the order the changes were made."""

    def __init__(self, round_id: str) -> None:
        self.round_id = round_id
        self.rows: list[dict[str, Any]] = []
        self._parts: list[list[dict[str, Any]] | pd.DataFrame] = []
        self._composed: list[bool] = []

    def add(self, action: str, *, file: str | None = None, row: int | None = None,
            column: str | None = None, item_id: str | None = None, old: Any = None,
            new: Any = None, detail: str | None = None) -> None:
        """One change: ``action`` (rename, recode, missing_code, …) where it was made."""
        self.rows.append({
            "round_id": self.round_id, "source_file": file, "row": row, "column": column,
            "action": action, "item_id": item_id,
            "old": None if old is None else str(old), "new": None if new is None else str(new),
            "detail": detail,
        })

    def add_frame(self, frame: pd.DataFrame, *, composed: bool = False) -> None:
        """Append many rows at once (columns of `CLEANING_LOG_COLUMNS`, texts already str).

        ``composed``: every text of these rows was written by the workbench from its own
        words, pids and file names, none quotes a raw answer, so they need no scrubbing
        (`composed_rows`; `exchange_eval.clean.redact.redact_log`).
        """
        if not len(frame):
            return
        if self.rows:
            self._parts.append(self.rows)
            self._composed.append(False)
            self.rows = []
        self._parts.append(frame)
        self._composed.append(composed)

    def composed_rows(self) -> np.ndarray:
        """For each row of `frame`, whether it was added as ``composed`` (see `add_frame`)."""
        flags = [np.full(len(p), flag) for p, flag in zip([*self._parts, self.rows],
                                                            [*self._composed, False], strict=True)]
        return np.concatenate(flags) if flags else np.zeros(0, dtype=bool)

    def frame(self) -> pd.DataFrame:
        """The log as a table with the dtypes of `CLEANING_LOG_DTYPES`."""
        parts = [pd.DataFrame(p, columns=CLEANING_LOG_COLUMNS) if isinstance(p, list)
                 else p[CLEANING_LOG_COLUMNS] for p in [*self._parts, self.rows] if len(p)]
        if not parts:
            parts = [pd.DataFrame(self.rows, columns=CLEANING_LOG_COLUMNS)]
        frame = parts[0] if len(parts) == 1 else pd.concat(
            [p.astype(object) for p in parts], ignore_index=True)
        frame = frame.reset_index(drop=True)
        for column, dtype in CLEANING_LOG_DTYPES.items():
            frame[column] = frame[column].astype(dtype)
        return frame


class ProblemList(list[Problem]):
    """The problems of one round, in the order they were found.

    A problem without a file is put on the round itself (its id stands for the file).
    """

    def __init__(self, round_id: str) -> None:
        super().__init__()
        self.round_id = round_id

    def add(self, file: Any, message: str, row: int | None = None, column: str | None = None,
            severity: str = "error", *, code: ProblemCode | str = ProblemCode.OTHER) -> None:
        """Report a problem (an error unless ``severity`` says otherwise)."""
        self.append(Problem(str(file) if file is not None else self.round_id,
                            message, row, column, severity, code))

    def warn(self, file: Any, message: str, row: int | None = None, column: str | None = None,
             *, code: ProblemCode | str = ProblemCode.OTHER) -> None:
        """Report a warning: the data are cleaned anyway."""
        self.add(file, message, row, column, "warning", code=code)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a round from being written."""
        return [p for p in self if p.severity == "error"]


def unknown_message(value: str, list_name: str | None, codebook: Codebook, item_id: str | None) -> str:
    """The problem text of an answer its choice list does not know (or a non-number)."""
    allowed = codebook.allowed(list_name) if list_name else []
    labels = [codebook.choice_label(list_name, c) for c in allowed] if list_name else []
    shown = ", ".join(f"{c} ({lab})" if lab and lab != c else c for c, lab in zip(allowed, labels, strict=False))
    return (f"unknown answer {value!r}" + (f" for {item_id}" if item_id else "")
            + (f"; allowed: {shown} (or their labels)" if shown else "; a number is expected"))


def unknown_answer(problems: ProblemList, log: CleaningLog, file: str, row: int, column: str, value: str,
                   list_name: str | None, codebook: Codebook, item_id: str | None = None) -> None:
    """Report one unknown answer: an error located at the cell, and its log row."""
    problems.add(file, unknown_message(value, list_name, codebook, item_id), row, column,
                 code=ProblemCode.UNKNOWN_CHOICE)
    log.add("unknown_code", file=file, row=row, column=column, item_id=item_id,
            old=value, detail=f"choice list {list_name}" if list_name else "number expected")


class RowEvents:
    """Log rows and problems of one survey export, in the order a row-by-row pass gives.

    Cleaning works column by column; every log row and problem gets a key (data row,
    phase, column position, piece) and `flush` puts them back in row order: person
    fields (1), identification (2), session (3), items (4), dropped row (5).

    Parameters
    ----------
    problems, log
        Where `flush` puts the events.
    file
        The export's file name, as the manifest gives it.
    source_rows
        The file line of each data row (`RawTable.source_rows`).
    """

    def __init__(self, problems: ProblemList, log: CleaningLog, file: str, source_rows: Any) -> None:
        self.problems = problems
        self.cleaning_log = log
        self.file = file
        self.source_rows = np.asarray(source_rows, dtype=np.int64)
        self.logs: list[dict[str, Any]] = []
        self.found: list[tuple[int, int, int, int, int, Problem]] = []
        self.seq = 0

    def log(self, index: np.ndarray, phase: int, col: int, sub: int, action: str, *,
            column: str | None = None, item_id: str | None = None, old: Any = None,
            new: Any = None, detail: Any = None) -> None:
        """One log row per data row in ``index``; ``old``/``detail`` scalars or arrays."""
        if not len(index):
            return
        self.logs.append({"_i": index, "_p": phase, "_c": col, "_s": sub, "_q": self.seq,
                          "source_file": self.file, "row": self.source_rows[index],
                          "column": column, "action": action, "item_id": item_id,
                          "old": old, "new": new, "detail": detail})
        self.seq += 1

    def problem(self, index: int, phase: int, col: int, sub: int, problem: Problem) -> None:
        """One problem of data row ``index``."""
        self.found.append((index, phase, col, sub, self.seq, problem))
        self.seq += 1

    def capture(self, index: int, phase: int, start: int) -> None:
        """Move the problems reported to the round since ``start`` under this key."""
        for problem in self.problems[start:]:
            self.problem(index, phase, 0, 0, problem)
        del self.problems[start:]

    def unknown(self, index: np.ndarray, phase: int, col: int, sub: int, column: str,
                values: list[str], list_name: str | None, codebook: Codebook,
                item_id: str | None = None) -> None:
        """`unknown_answer` for the data rows ``index`` (``values``: their answers)."""
        if not len(index):
            return
        message_of: dict[str, str] = {}
        for i, value in zip(index.tolist(), values, strict=True):
            message = message_of.get(value)
            if message is None:
                message = message_of[value] = unknown_message(value, list_name, codebook, item_id)
            self.problem(i, phase, col, sub, Problem(self.file, message, int(self.source_rows[i]), column, "error",
                                                     ProblemCode.UNKNOWN_CHOICE))
        self.log(index, phase, col, sub, "unknown_code", column=column, item_id=item_id,
                 old=np.asarray(values, dtype=object),
                 detail=f"choice list {list_name}" if list_name else "number expected")

    def flush(self) -> None:
        """Hand the events over to the round's problems and log, in row order."""
        if self.found:
            self.found.sort(key=lambda p: p[:5])
            self.problems.extend(p[5] for p in self.found)
        if self.logs:
            frames = []
            for part in self.logs:
                n = len(part["_i"])
                frames.append(pd.DataFrame({k: (v if isinstance(v, np.ndarray) else np.full(n, v, dtype=object))
                                            for k, v in part.items()}))
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            order = np.lexsort([frame[k].to_numpy(dtype=np.int64) for k in ("_q", "_s", "_c", "_p", "_i")])
            frame = frame.iloc[order].reset_index(drop=True)
            frame.insert(0, "round_id", self.cleaning_log.round_id)
            self.cleaning_log.add_frame(frame[CLEANING_LOG_COLUMNS])
        self.logs, self.found = [], []
