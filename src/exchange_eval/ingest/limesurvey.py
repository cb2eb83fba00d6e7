"""LimeSurvey response exports (CSV, UTF-8 with BOM, CRLF, every field quoted).

Unquoted empty fields (NULL) and quoted empty strings both become missing. Headers are
question codes (``G01Q01``, ``G01Q02[SQ001]`` → ``G01Q02/SQ001``) or full question texts
(``Question [Subquestion]`` → ``Question/Subquestion``).
"""

from __future__ import annotations

from .common import Grid, bracket_to_path, header_set, single_header_table
from .table import RawTable

__all__ = ["METADATA", "detect", "read"]

METADATA = {
    "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
    "ipaddr", "refurl", "token",
    # full-text exports
    "Response ID", "Date submitted", "Last page", "Start language", "Seed",
    "ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ",
}


def detect(grid: Grid) -> bool:
    """True when three or more LimeSurvey response metadata columns are present."""
    return len(header_set(grid) & METADATA) >= 3


def read(grid: Grid) -> RawTable:
    """One header row; bracketed subquestion codes become ``/`` paths. A full-text export
    where two questions share a text keeps both: the second is read as ``text (2)``, with
    a warning."""
    return single_header_table(grid, platform="limesurvey", normalise=bracket_to_path, allow_duplicates=True)
