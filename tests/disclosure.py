"""The attack a curious reader makes on a published report: read every table, and for
each withheld row try "total printed somewhere minus the rows shown".

`report_tables` parses the tables of a report's HTML (caption, header, rows, withheld
or not); `published_integers` lists every whole number printed anywhere in it;
`recovered_cells` says which withheld cells the subtraction gives away, knowing their
true values (from the same table rendered without suppression).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

_NUMBER = re.compile(r"\d[\d\u202f\u00a0 ,.]*")


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._caption: str | None = None
        self._in_caption = False
        self._table: dict | None = None
        self._row: list[str] | None = None
        self._hidden = False
        self._cell: list[str] | None = None
        self._header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "p" and "table-caption" in cls:
            self._in_caption, self._caption = True, ""
        elif tag == "table":
            self._table = {"caption": self._caption or "", "header": [], "rows": []}
            self._caption = None
        elif tag == "tr" and self._table is not None:
            self._row, self._hidden = [], "suppressed" in cls
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._header = [], tag == "th"
        elif tag == "sup" and self._cell is not None:
            self._cell.append("\0")  # the withheld-row marker is not part of the label

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._in_caption:
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell).split("\0")[0].strip()
            self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._header:
                self._table["header"] = self._row
            else:
                self._table["rows"].append((self._row, self._hidden))
            self._row, self._header = None, False
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def report_tables(page: str) -> list[dict]:
    """Every table of a report: ``caption``, ``header`` (cell texts) and ``rows`` (cell
    texts, withheld or not)."""
    parser = _TableParser()
    parser.feed(page)
    return parser.tables


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)  # tags (and the base64 images inside them)
    return re.sub(r"&[a-z#0-9]+;", " ", page)


def published_integers(page: str) -> set[int]:
    """Every whole number a reader can see in the report (tables and text; the grouping
    spaces of "1 234" read as one number, decimals and percentages give their parts)."""
    numbers: set[int] = set()
    for token in _NUMBER.findall(_visible_text(page)):
        grouped = re.sub(r"[\u202f\u00a0 ](?=\d{3}\b)", "", token.strip())
        for part in re.split(r"[^\d]+", grouped):
            if part:
                numbers.add(int(part))
    return numbers


def as_count(text: str) -> int | None:
    """A table cell as a whole count (None for text, dashes, decimals and percentages)."""
    cleaned = re.sub(r"[\u202f\u00a0 ]", "", text)
    return int(cleaned) if re.fullmatch(r"\d+", cleaned) else None


def recovered_cells(
    table: Mapping, truth: Mapping[str, list[str]], numbers: Iterable[int]
) -> list[str]:
    """The withheld cells of ``table`` that "printed total − rows shown" gives away.

    ``truth`` maps a row label (first cell) to the row's cells rendered without
    suppression. For each count column, with S the sum of the rows shown and m withheld
    cells of true sum H: the total S + H is printed somewhere (in ``numbers``) and either
    m = 1 (the cell is H) or every withheld cell sits at its lower bound (H = m · 0 or
    m · 1, so each is pinned) — then the cells are recovered. Returns "caption / row /
    column" for each one.
    """
    numbers = set(numbers)
    found = []
    rows = table["rows"]
    hidden = [cells for cells, withheld in rows if withheld]
    shown = [cells for cells, withheld in rows if not withheld]
    if not hidden:
        return found
    for col in range(1, len(table["header"])):
        shown_counts = [as_count(cells[col]) for cells in shown if col < len(cells)]
        true_hidden = [as_count(truth[cells[0]][col]) for cells in hidden]
        if any(v is None for v in shown_counts) or any(v is None for v in true_hidden):
            continue  # not a count column
        total = sum(shown_counts) + sum(true_hidden)
        pinned = len(true_hidden) == 1 or len(set(true_hidden)) == 1 and true_hidden[0] in (0, 1)
        if total in numbers and pinned:
            found += [f"{table['caption']} / {cells[0]} / {table['header'][col]}" for cells in hidden]
    return found
