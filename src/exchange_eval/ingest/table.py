"""`RawTable`: what a reader saw in one export, before any harmonization."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["RawTable"]


@dataclass
class RawTable:
    """What a reader saw in one export.

    ``frame`` holds one row per data row, every cell as a string (missing = ``pd.NA``);
    its columns are the normalized headers: group paths joined with ``/`` (Kobo
    ``groupe/question``, ODK ``group-question``), multi-row headers joined the same way
    (SurveyMonkey matrix ``Question/Row``), grid questions ``Question [Row]`` as
    ``Question/Row``. ``source_rows[i]`` is the 1-based line of data row ``i`` in the file
    as a user would see it (header rows counted), so messages can point at it.
    ``original_columns`` keeps the headers as exported, in the same order.
    """

    path: Path
    platform: str
    frame: pd.DataFrame
    source_rows: list[int]
    original_columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    header_rows: int = 1
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # Stata/SPSS
    column_types: dict[str, str] = field(default_factory=dict)  # detected: text, integer, number, date, choice
    # added by the readers (compatible extension): Qualtrics/Stata/SPSS variable names
    # aligned with ``frame.columns`` (else empty); the sheet read from a workbook; the
    # file line / sheet row of the (first) header row; Stata/SPSS variable labels;
    # non-fatal remarks such as "several sheets, read the first non-empty one"
    names: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_line: int = 1
    column_labels: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.frame)
