"""Responses as harmonize builds them: column-wise per export, gathered into one long frame.

A survey export's kept rows are `Submission` records (who answered, when, how much);
their answers stay column-wise in the export's `ResponseBlocks`, one `Block` per item
(or option of a select_multiple) over the kept rows. `gather_responses` turns the
submissions that survive deduplication into the long ``responses`` frame, and
`tool_feedback` derives the ``tool_feedback`` table from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.tables import TABLES
from .manifest import Source

__all__ = ["Block", "ResponseBlocks", "Submission", "gather_responses", "tool_feedback"]

# the dtype pandas infers for a column of Python strings ("str" on pandas 3, else object)
_INFERRED_STR = pd.Series(["a"]).dtype


@dataclass
class Submission:
    """One respondent's answers in one source row.

    ``key`` is (pid, instrument, wave, session): two submissions with one key are
    duplicates. ``order`` is the position among every submission of the round (file
    order), ``n_answered`` the number of items answered (missing codes excluded),
    ``person`` the respondent fields the row gives (country, organisation, role, …),
    ``ties`` its rows of the ``ties`` table; its responses are row ``slot`` of ``store``.
    """

    pid: str
    anonymous: bool
    key: tuple
    source: Source
    row: int
    order: int
    submitted_at: pd.Timestamp | None
    n_answered: int
    ties: list[dict[str, Any]] = field(default_factory=list)
    person: dict[str, Any] = field(default_factory=dict)
    store: ResponseBlocks | None = None
    slot: int = -1


@dataclass
class Block:
    """One response row per kept data row: an item (or one option of a select_multiple)."""

    item_id: str
    instrument: str
    wave: Any  # str, or an array over the kept rows
    session_id: Any
    outcome: str | None
    tool: str | None
    type: str | None
    choices: str | None
    column: str
    value: np.ndarray | None = None  # float over the kept rows (NaN: none)
    value_label: np.ndarray | None = None
    text: np.ndarray | None = None


@dataclass
class ResponseBlocks:
    """The responses of one survey export, column-wise: row fields over its kept data rows
    (``pid``, ``submitted_at``, …) and one `Block` per response of each row."""

    round_id: str
    source_file: str
    pid: np.ndarray
    submitted_at: np.ndarray  # datetime64[ns]
    duration_s: np.ndarray  # float
    source_row: np.ndarray
    blocks: list[Block] = field(default_factory=list)

    def columns(self, slots: np.ndarray) -> dict[str, Any]:
        """The responses of the kept rows ``slots``, row by row (each row's blocks in order).

        Text columns are built as pyarrow arrays (a block's single value by dictionary
        encoding) and handed to pandas as its inferred string dtype: what a frame of
        Python strings would hold, without converting a million objects.
        """
        n, width = len(slots), len(self.blocks)

        def strings(array: Any) -> Any:
            if isinstance(_INFERRED_STR, pd.StringDtype):
                return pd.array(array, dtype=_INFERRED_STR)
            return array.to_numpy(zero_copy_only=False)  # pandas < 3: object, None for missing

        def constant(value: str) -> Any:
            return strings(pa.DictionaryArray.from_arrays(
                np.zeros(n * width, dtype=np.int32), pa.array([value], pa.large_string())
            ).cast(pa.large_string()))

        def spread(name: str) -> Any:
            values = [getattr(b, name) for b in self.blocks]
            if not any(isinstance(v, np.ndarray) for v in values):
                indices = np.tile(np.arange(width, dtype=np.int32), n)
                return strings(pa.DictionaryArray.from_arrays(
                    indices, pa.array(values, pa.large_string())).cast(pa.large_string()))
            # a value per row in some blocks: one dictionary for the field, int codes per cell
            dictionary: dict[str | None, int] = {}
            indices = np.empty((n, width), dtype=np.int32)
            for position, value in enumerate(values):
                if isinstance(value, np.ndarray):
                    codes, uniques = pd.factorize(value[slots], use_na_sentinel=True)
                    lookup = [dictionary.setdefault(u, len(dictionary)) for u in [*uniques.tolist(), None]]
                    indices[:, position] = np.asarray(lookup, dtype=np.int32)[codes]
                else:
                    indices[:, position] = dictionary.setdefault(value, len(dictionary))
            return strings(pa.DictionaryArray.from_arrays(
                indices.ravel(), pa.array(list(dictionary), pa.large_string())).cast(pa.large_string()))

        def helper(name: str) -> pd.Categorical:
            # the _tool/_type/_choices/_column helpers never reach a table: codes only
            values = [getattr(b, name) for b in self.blocks]
            categories = list(dict.fromkeys(v for v in values if v is not None))
            codes = np.array([categories.index(v) if v is not None else -1 for v in values], dtype=np.int32)
            return pd.Categorical.from_codes(np.tile(codes, n), categories=categories)

        def numbers(name: str) -> np.ndarray:
            out = np.full((n, width), np.nan)
            for position, block in enumerate(self.blocks):
                value = getattr(block, name)
                if value is not None:
                    out[:, position] = value[slots]
            return out.ravel()

        def row(values: np.ndarray) -> np.ndarray:
            return np.repeat(values[slots], width)

        pids = pa.array(self.pid.tolist(), pa.large_string()).take(pa.array(np.repeat(slots, width)))
        return {
            "round_id": constant(self.round_id),
            "pid": strings(pids),
            "instrument": spread("instrument"),
            "wave": spread("wave"),
            "session_id": spread("session_id"),
            "item_id": spread("item_id"),
            "outcome": spread("outcome"),
            "value": numbers("value"),
            "value_label": spread("value_label"),
            "text": spread("text"),
            "submitted_at": row(self.submitted_at),
            "duration_s": row(self.duration_s),
            "source_file": constant(self.source_file),
            "source_row": row(self.source_row),
            "_tool": helper("tool"),
            "_type": helper("type"),
            "_choices": helper("choices"),
            "_column": helper("column"),
        }


def gather_responses(submissions: list[Submission]) -> pd.DataFrame:
    """The responses of the kept submissions, in submission order (each row's items in
    column order), gathered column-wise from each export's `ResponseBlocks`.

    Besides the columns of the ``responses`` table, the frame has ``_tool``, ``_type``,
    ``_choices`` and ``_column`` (the item's tool, type, choice list and source column),
    which corrections and tool feedback need and the written table drops."""
    columns = list(TABLES["responses"]) + ["_tool", "_type", "_choices", "_column"]
    groups: dict[int, tuple[ResponseBlocks, list[int]]] = {}
    for submission in submissions:
        if submission.store is not None and submission.store.blocks:
            groups.setdefault(id(submission.store), (submission.store, []))[1].append(submission.slot)
    parts = [store.columns(np.asarray(slots, dtype=np.int64)) for store, slots in groups.values()]
    if not parts:
        return pd.DataFrame([], columns=columns)
    if len(parts) == 1:
        return pd.DataFrame(parts[0], columns=columns)
    return pd.DataFrame({c: pd.concat([pd.Series(p[c]) for p in parts], ignore_index=True)
                         for c in columns}, columns=columns)


def tool_feedback(round_id: str, responses: pd.DataFrame) -> pd.DataFrame | list[dict]:
    """One row per pid × tool × wave of the tool feedback and of items tagged with a tool:
    the last rating and the last comment given (rows with neither are left out)."""
    if not len(responses):
        return []
    has_tool = responses["_tool"].notna()
    keep = has_tool | (responses["instrument"] == "tool_feedback").fillna(False)
    part = responses.loc[keep, ["pid", "wave", "_type", "text", "value"]]
    is_text = (part["_type"] == "text").fillna(False)
    frame = pd.DataFrame({
        "pid": part["pid"].astype(object), "wave": part["wave"].astype(object),
        "tool": responses.loc[keep, "_tool"].astype(object).where(has_tool[keep], "general"),
        "rating": pd.to_numeric(part["value"], errors="coerce").where(~is_text),
        "comment": part["text"].astype(object).where(is_text & part["text"].notna()),
    })
    rows = frame.groupby(["pid", "tool", "wave"], sort=False, dropna=False)[["rating", "comment"]].last()
    rows = rows[rows["rating"].notna() | rows["comment"].notna()].reset_index()
    rows.insert(0, "round_id", round_id)
    return rows[["round_id", "pid", "tool", "rating", "comment"]]
