"""Google Forms response CSVs (English and French locales).

The first column is the submission time (``Timestamp`` / ``Horodateur``); checkbox answers
are joined with ``, `` and kept as they are; grid questions ``Question [Row]`` become
``Question/Row``. Question titles may repeat, so duplicate headers get `` (2)``, ….
"""

from __future__ import annotations

import re

from .common import Grid, clean_header, single_header_table
from .table import RawTable

__all__ = ["TIMESTAMPS", "detect", "read", "normalise"]

TIMESTAMPS = {"Timestamp", "Horodateur", "Marca temporal", "Carimbo de data/hora", "Zeitstempel"}


def detect(grid: Grid) -> bool:
    """True when the first header is a Google Forms timestamp column."""
    return bool(grid.rows) and clean_header(grid.rows[0][0] if grid.rows[0] else "") in TIMESTAMPS


def normalise(header: str) -> str:
    """``Question [Row]`` → ``Question/Row`` (only a trailing bracket)."""
    match = re.match(r"^(.*\S)\s*\[([^\[\]]+)\]$", header)
    return f"{match.group(1)}/{match.group(2).strip()}" if match else header


def read(grid: Grid) -> RawTable:
    """One header row; grid questions as ``Question/Row``."""
    return single_header_table(grid, platform="google_forms", normalise=normalise, allow_duplicates=True)
