"""Select-multiple answers as flags, and the bookkeeping of every coded column.

A select_multiple question arrives either as one column holding the chosen options
(Google Forms ``A, B``; MS Forms ``A;B``; Kobo ``a b``) or as one column per option
(Kobo ``question/option``, 1/0); either way it becomes one 1/0 response per option of
its choice list, missing when the question was not answered.
"""

from __future__ import annotations

import numpy as np

from .codebook import Codebook, CodebookEntry, CodedValue, normalize_label
from .log import RowEvents
from .sources import SourceTable

__all__ = ["multiple_flags", "note_coded_rows", "option_flags"]

# what an option column holds when the option was not chosen
_NO_TOKENS = ("0", "false", "faux", "non", "no")


def note_coded_rows(events: RowEvents, coded: list[CodedValue], codes: np.ndarray, rows: np.ndarray,
                    position: int, column: str, entry: CodebookEntry, codebook: Codebook) -> np.ndarray:
    """Log the missing codes and report the unknown answers of a coded column (``coded``
    per distinct value, ``codes`` per kept row); return which kept rows were coded."""
    status = np.array([c.status for c in coded], dtype=object)[codes]
    raws = np.array([c.raw for c in coded], dtype=object)
    missing = status == "missing"
    events.log(rows[missing], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
               old=raws[codes[missing]], detail="stored as missing")
    unknown = status == "unknown"
    events.unknown(rows[unknown], 4, position, 0, column, raws[codes[unknown]].tolist(),
                   entry.choices, codebook, entry.item_id)
    return status == "ok"


def multiple_flags(events: RowEvents, entry: CodebookEntry, cells: list[str | None], codes: np.ndarray,
                   rows: np.ndarray, position: int, column: str, codebook: Codebook
                   ) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """A select_multiple column holding the chosen options: one 1/0 flag per option
    (NaN when unanswered or a missing code); unknown options are reported per row."""
    options = codebook.allowed(entry.choices)
    flags = np.full((len(cells), len(options)), np.nan)
    answered = np.zeros(len(cells), dtype=bool)
    missing = np.zeros(len(cells), dtype=bool)
    pieces: list[list[str]] = [[] for _ in cells]
    for u, cell in enumerate(cells):
        if cell is None:
            continue
        if codebook.is_missing_code(cell):
            missing[u] = True
            continue
        chosen, unknown = codebook.split_multiple(cell, entry.choices)
        pieces[u] = unknown
        flags[u] = [1.0 if o in chosen else 0.0 for o in options]
        answered[u] = bool(options)
    cell_of = np.array(cells, dtype=object)
    hit = missing[codes]
    events.log(rows[hit], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
               old=cell_of[codes[hit]], detail="stored as missing")
    most = max((len(p) for p in pieces), default=0)
    for sub in range(most):
        has = np.array([len(p) > sub for p in pieces])[codes]
        events.unknown(rows[has], 4, position, sub, column, [pieces[u][sub] for u in codes[has].tolist()],
                       entry.choices, codebook, entry.item_id)
    return [(o, flags[:, k][codes]) for k, o in enumerate(options)], answered[codes]


def option_flags(events: RowEvents, columns: list[tuple[str, CodebookEntry]], table: SourceTable,
                 rows: np.ndarray, position: int, codebook: Codebook
                 ) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """A select_multiple split into one column per option (Kobo ``question/option``):
    1/0 per option of the list, all NaN when no option column is filled in."""
    entry = columns[0][1]
    options = codebook.allowed(entry.choices)
    any_answer = np.zeros(len(rows), dtype=bool)
    flags: dict[str, np.ndarray] = {}
    for sub, (column, option_entry) in enumerate(columns):
        codes, _values, cells = table.factor(column)
        codes = codes[rows]
        present = np.array([c is not None for c in cells])[codes]
        flag = np.array([0.0 if c is not None and normalize_label(c) in _NO_TOKENS else 1.0
                         for c in cells])[codes]
        current = flags.setdefault(option_entry.option, np.zeros(len(rows)))
        current[present] = flag[present]
        any_answer |= present
        if option_entry.option not in options:
            events.unknown(rows[present], 4, position, sub, column,
                           [option_entry.option] * int(present.sum()), entry.choices, codebook,
                           entry.item_id)
    out = []
    for option in options:
        value = flags.get(option, np.zeros(len(rows))).copy()
        value[~any_answer] = np.nan
        out.append((option, value))
    return out, any_answer
