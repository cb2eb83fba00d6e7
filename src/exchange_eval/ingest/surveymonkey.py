"""SurveyMonkey exports (CSV or XLSX, "expanded" layout with two header rows).

Row 1 holds the question text, only over the first column of a multi-column question;
row 2 holds ``Response`` / ``Open-Ended Response`` or the option / matrix-row label.
A blank row-1 cell inherits the question text on its left (forward fill). The normalised
header is the row-1 text when row 2 is a plain response marker or blank, else
``row1/row2``. Repeats that remain (two questions with the same text) are numbered
`` (2)``, … in column order. ``original_columns`` holds ``row1 | row2`` as exported.
"""

from __future__ import annotations

from .common import Grid, clean_header, clean_text, finish_table, header_set
from .table import RawTable

__all__ = ["METADATA", "RESPONSE_MARKERS", "detect", "read"]

METADATA = {
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
    "First Name", "Last Name", "Custom Data 1",
    "ID du répondant", "ID du collecteur", "Date de début", "Date de fin", "Adresse IP",
    "Adresse e-mail", "Prénom", "Nom", "Données personnalisées 1",
}
RESPONSE_MARKERS = {"", "Response", "Open-Ended Response", "Réponse", "Réponse ouverte"}


def detect(grid: Grid) -> bool:
    """True with the respondent and collector id columns, or response markers in row 2."""
    headers = header_set(grid)
    if ("Respondent ID" in headers and "Collector ID" in headers) or (
        "ID du répondant" in headers and "ID du collecteur" in headers
    ):
        return True
    # an export trimmed of its metadata: row 2 still carries the response markers
    if len(grid.rows) < 2:
        return False
    second = [clean_header(c) for c in grid.rows[1]]
    markers = {"Response", "Open-Ended Response", "Réponse", "Réponse ouverte"}
    return bool(second) and second[0] in markers | {""} and bool(markers & set(second))


def read(grid: Grid) -> RawTable:
    """Two header rows merged as described in the module docstring."""
    first = grid.rows[0] if grid.rows else []
    second = grid.rows[1] if len(grid.rows) > 1 else []
    width = max(len(first), len(second))
    columns: list[str] = []
    original: list[str] = []
    question = ""
    for position in range(width):
        top = clean_header(first[position]) if position < len(first) else ""
        below = clean_header(second[position]) if position < len(second) else ""
        if top:
            question = top
        raw_top = clean_text(first[position]) if position < len(first) else ""
        raw_below = clean_text(second[position]) if position < len(second) else ""
        original.append(f"{raw_top} | {raw_below}" if raw_below else raw_top)
        if not question and not below:
            columns.append("")
        elif below in RESPONSE_MARKERS:
            columns.append(question)
        else:
            columns.append(f"{question}/{below}" if question else below)
    return finish_table(
        grid,
        platform="surveymonkey",
        columns=columns,
        original_columns=original,
        data_start=2,
        header_rows=2,
        allow_duplicates=True,
        header_line=grid.lines[0] if grid.lines else 1,
    )
