"""Microsoft Forms response workbooks (XLSX; also a CSV saved from one).

Metadata: ID, Start time, Completion time, Email, Name, Last modified time (French:
Heure de début, Heure de fin, Adresse de messagerie, Nom). Multi-select answers are
joined with ``;`` and end with ``;``; they are kept as exported.
"""

from __future__ import annotations

from .common import Grid, header_set, single_header_table
from .table import RawTable

__all__ = ["detect", "read"]

_EN = {"Start time", "Completion time"}
_FR = {"Heure de début", "Heure de fin"}


def detect(grid: Grid) -> bool:
    """True when ``ID`` and the start/completion time columns are present."""
    headers = header_set(grid)
    return "ID" in headers and (_EN.issubset(headers) or _FR.issubset(headers))


def read(grid: Grid) -> RawTable:
    """One header row; repeated question titles are numbered `` (2)``, …."""
    return single_header_table(grid, platform="ms_forms", allow_duplicates=True)
