"""KoboToolbox exports (CSV with `;` or `,`, every field quoted, or XLSX).

Headers are XML names or labels in any language; group paths already use ``/``
(``groupe/question``); a select_multiple has its space-separated codes in the main
column plus one 0/1 column per option headed ``groupe/question/option`` (blank when the
question was not answered). Recognised by its metadata columns. XML names are unique,
but labels may repeat in a label export (two "Précisez" questions): repeats are read as
``label (2)``, … with a warning, rather than refused.
"""

from __future__ import annotations

from .common import Grid, header_set, single_header_table
from .table import RawTable

__all__ = ["METADATA", "detect", "read"]

METADATA = {
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "_index", "_xform_id_string", "meta/instanceID",
}


def detect(grid: Grid) -> bool:
    """True when at least two Kobo metadata columns are present."""
    return len(header_set(grid) & METADATA) >= 2


def read(grid: Grid) -> RawTable:
    """One header row, kept as exported apart from whitespace and apostrophes."""
    return single_header_table(grid, platform="kobo", allow_duplicates=True)
