"""ODK Central ``submissions.csv``.

Group paths use ``-`` (``group-question``), normalised to ``/``; split select_multiple
columns are ``group-question/option`` → ``group/question/option`` (only the part before
the first ``/`` is re-separated, so option values keep their hyphens). Metadata:
SubmissionDate (UTC), KEY, meta-instanceID, SubmitterID, SubmitterName,
AttachmentsPresent, ReviewState, DeviceID, Edits (2019 exports stop at SubmitterName).
A repeat group comes as its own file (``form-repeat.csv``), one row per entry, with
``PARENT_KEY`` (the submission's KEY) and its own ``KEY``.
"""

from __future__ import annotations

from .common import Grid, header_set, single_header_table
from .table import RawTable

__all__ = ["METADATA", "detect", "is_repeat", "read", "normalise"]

METADATA = {
    "SubmissionDate", "KEY", "meta-instanceID", "SubmitterID", "SubmitterName",
    "AttachmentsPresent", "AttachmentsExpected", "ReviewState", "DeviceID", "Edits", "FormVersion",
    "PARENT_KEY",
}


def detect(grid: Grid) -> bool:
    """True when ``SubmissionDate`` and another ODK Central metadata column are present, or
    ``PARENT_KEY`` and ``KEY`` (a repeat group's file)."""
    headers = header_set(grid)
    return ("SubmissionDate" in headers and len(headers & METADATA) >= 2) or {"PARENT_KEY", "KEY"} <= headers


def is_repeat(table: RawTable) -> bool:
    """Whether a table is an ODK Central repeat file (one row per repeat entry)."""
    return table.platform == "odk" and "PARENT_KEY" in table.frame.columns


def normalise(header: str) -> str:
    """``group-question/option`` → ``group/question/option``."""
    path, slash, option = header.partition("/")
    return path.replace("-", "/") + slash + option


def read(grid: Grid) -> RawTable:
    """One header row; group separator ``-`` becomes ``/``."""
    table = single_header_table(grid, platform="odk", normalise=normalise)
    if is_repeat(table):
        table.warnings.append(f"an ODK Central repeat file: {table.n_rows} repeat entries, each linked to its "
                              "submission by PARENT_KEY (not one row per respondent)")
    return table
