"""Qualtrics CSV exports with three header rows.

Row 1: variable names (``Q1``, ``Q2_1``, ``Q3_4_TEXT``, metadata ``StartDate``,
``ResponseId``, …); row 2: question text; row 3: ``{"ImportId":"QID1"}`` (``{'ImportId':
'QID1'}`` in the 2016 "Insights" exports). Legacy exports lack row 3 (two header rows),
name their metadata columns ``V1``…``V10`` (their text row says ResponseID, ResponseSet,
Name, ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate,
Finished) and end every line with a comma (an empty last column, dropped). The question-text row becomes the header; a sub-item's
text ``Question - Row`` becomes ``Question/Row`` (split after the part its siblings
share, else at the first `` - ``), and `` - Selected Choice`` is dropped. Metadata columns
keep their names. The names row is kept in ``RawTable.names``; two columns whose
normalised texts coincide are told apart by their name: ``text (Q5)``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .common import Grid, clean_header, clean_text, finish_table, header_set
from .table import RawTable

__all__ = ["METADATA", "detect", "read"]

METADATA = {
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "ResponseID", "RecipientLastName",
    "RecipientFirstName", "RecipientEmail", "ExternalReference", "ExternalDataReference",
    "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
}
_SUB = re.compile(r"^(?P<base>.+?)((?:_\d+)+)?(?:_TEXT)?$")


_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']""")
_LEGACY_NAME = re.compile(r"^V\d+$")


def detect(grid: Grid) -> bool:
    """True when the names row has ResponseId, or StartDate with Finished and Progress; or
    (legacy exports) the names row starts ``V1, V2, V3`` and the text row has ResponseID."""
    headers = header_set(grid)
    if bool(headers & {"ResponseId", "ResponseID"}) or {"StartDate", "Finished", "Progress"} <= headers:
        return True
    legacy = {"V1", "V2", "V3"} <= headers
    return legacy and bool(header_set(grid, 1) & {"ResponseID", "ResponseId"})


def _header_rows(grid: Grid) -> int:
    """3 when the third row holds ImportId dicts (``{"ImportId":"QID1"}``, or Qualtrics
    2016 "Insights" exports' ``{'ImportId': 'QID1'}``), else 2."""
    if len(grid.rows) > 2 and any(_IMPORT_ID.match(clean_text(c)) for c in grid.rows[2]):
        return 3
    return 2


def _split(text: str, siblings: list[str]) -> tuple[str, str] | None:
    if " - " not in text:
        return None
    parts = text.split(" - ")
    if len(siblings) > 1:
        shared = 0
        sibling_parts = [s.split(" - ") for s in siblings]
        while all(len(p) > shared + 1 and p[shared] == parts[shared] for p in sibling_parts):
            shared += 1
        if shared:
            return " - ".join(parts[:shared]), " - ".join(parts[shared:])
    return parts[0], " - ".join(parts[1:])


def read(grid: Grid) -> RawTable:
    """Question text as header; see the module docstring."""
    rows = _header_rows(grid)
    names = [clean_header(c) for c in grid.rows[0]] if grid.rows else []
    texts_raw = grid.rows[1] if len(grid.rows) > 1 else []
    texts = [clean_header(texts_raw[i]) if i < len(texts_raw) else "" for i in range(len(names))]

    groups: dict[str, list[int]] = defaultdict(list)
    for position, name in enumerate(names):
        groups[_SUB.match(name).group("base") if name else ""].append(position)

    columns: list[str] = []
    for name, text in zip(names, texts, strict=True):
        if name in METADATA or not text:
            columns.append(name)
            continue
        if text.endswith(" - Selected Choice"):
            text = text[: -len(" - Selected Choice")]
        base = _SUB.match(name).group("base")
        if base != name:
            siblings = [texts[p] for p in groups[base]]
            split = _split(text, siblings)
            if split is not None:
                text = "/".join(part.strip() for part in split)
        columns.append(text)

    counts: dict[str, int] = defaultdict(int)
    for column in columns:
        counts[column] += 1
    columns = [
        f"{column} ({name})" if counts[column] > 1 and column != name else column
        for column, name in zip(columns, names, strict=True)
    ]
    original = [clean_text(c) for c in texts_raw] + [""] * (len(names) - len(texts_raw))
    return finish_table(
        grid,
        platform="qualtrics",
        columns=columns,
        original_columns=original[: len(names)],
        data_start=rows,
        header_rows=rows,
        allow_duplicates=True,
        names=names,
        header_line=grid.lines[0] if grid.lines else 1,
    )
