"""ODK Central ``submissions.csv``.

Group paths use ``-`` (``group-question``), normalised to ``/``; split select_multiple
columns are ``group-question/option`` → ``group/question/option`` (only the part before
the first ``/`` is re-separated, so option values keep their hyphens). Metadata:
SubmissionDate (UTC), KEY, meta-instanceID, SubmitterID, SubmitterName,
AttachmentsPresent, ReviewState, DeviceID, Edits.
"""

from __future__ import annotations

from .common import Grid, header_set, single_header_table
from .table import RawTable

__all__ = ["METADATA", "detect", "read", "normalise"]

METADATA = {
    "SubmissionDate", "KEY", "meta-instanceID", "SubmitterID", "SubmitterName",
    "AttachmentsPresent", "AttachmentsExpected", "ReviewState", "DeviceID", "Edits", "FormVersion",
}


def detect(grid: Grid) -> bool:
    """True when ``SubmissionDate`` and another ODK Central metadata column are present."""
    headers = header_set(grid)
    return "SubmissionDate" in headers and len(headers & METADATA) >= 2


def normalise(header: str) -> str:
    """``group-question/option`` → ``group/question/option``."""
    path, slash, option = header.partition("/")
    return path.replace("-", "/") + slash + option


def read(grid: Grid) -> RawTable:
    """One header row; group separator ``-`` becomes ``/``."""
    return single_header_table(grid, platform="odk", normalise=normalise)
