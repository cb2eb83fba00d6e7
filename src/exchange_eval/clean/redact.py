"""One scrubbing pass over everything cleaning writes, and file names that name no one.

The stages scrub the free text they make (answers, plan descriptions, corrections), but
personal data also travels in fields nobody thinks of as free text: the organisation a
respondent typed, a ties grid header naming a person, a correction's ``reason``, an
unknown answer quoted in the cleaning log, a file named after someone's e-mail. So before
a round is written, `redact_tables` runs the round's `Scrubber` over **every** text column
of every canonical table except the columns of codes and ids (`CODE_COLUMNS`), and
`redact_log` over the cleaning log; a column it changes is logged.

File names of exports reach the cleaning log, the responses (``source_file``), ``meta.json``
and from there a report's Sources table. `source_aliases` keeps a file's name when the
scrubber finds nothing in it, and otherwise shows it by its place in the manifest
(``source-3.csv``): an e-mail or a roster name in a file name never leaves the raw folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .log import CleaningLog
from .manifest import Manifest
from .scrub import Scrubber, normalize_text
from .sources import SourceTable

__all__ = ["CODE_COLUMNS", "identity_names", "redact_log", "redact_meta", "redact_tables", "source_aliases"]

#: text columns holding codes and ids (never scrubbed); every other text column is free text
CODE_COLUMNS = frozenset({
    "round_id", "pid", "alter_pid", "country", "ego_country", "alter_country", "role", "org_type",
    "gender", "session_id", "kind", "instrument", "wave", "item_id", "outcome", "dimension",
    "criterion", "followup", "status", "group", "tool", "action_id", "action",
    # the data dictionary's codes: item types, choice lists and choice names
    "type", "form_type", "list_name", "name",
})
#: columns holding an export's file name: shown through `source_aliases`, not scrubbed
FILE_COLUMNS = frozenset({"source_file"})
_NAME_ROLES = ("name", "first_name", "last_name")
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,5}$")


def identity_names(sources: Mapping[str, SourceTable]) -> list[str]:
    """Every name in the identity columns (name, first name, last name) of every export.

    The roster's names are scrubbed from free text; so are those of respondents who are
    not on it (their names only make their pid). First and last names of one row are
    joined, as on the roster.
    """
    names: list[str] = []
    for table in sources.values():
        roles: dict[str, str] = {}
        for column in table.columns:
            entry = table.codebook.match(column, table.source.instrument)
            if entry is not None and entry.role in _NAME_ROLES:
                roles.setdefault(entry.role, column)
        if not roles:
            continue
        frame = table.raw.frame[list(roles.values())].astype(object)
        frame.columns = list(roles)
        for row in frame.drop_duplicates().itertuples(index=False):
            parts = [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
            if parts:
                names.append(" ".join(parts))
    return names


def _safe_name(name: str, scrubber: Scrubber) -> bool:
    """Whether the scrubber leaves a file name as it is, also with ``_ - . /`` read as spaces."""
    if scrubber.scrub(name) != name:
        return False
    spaced = re.sub(r"[_\-./\\]+", " ", name)
    return scrubber.scrub(spaced) == normalize_text(spaced)


def source_aliases(manifest: Manifest, scrubber: Scrubber) -> dict[str, str]:
    """How each source file of the manifest is named in outputs.

    Returns
    -------
    dict
        File name (as in the manifest) -> the same name when `Scrubber` finds no e-mail,
        phone, IP address or name in it, else ``source-<position><suffix>`` (position in
        the manifest's ``sources``, from 1; the suffix kept when it is a plain extension).
    """
    aliases: dict[str, str] = {}
    kept = {s.file for s in manifest.sources if _safe_name(s.file, scrubber)}
    for position, source in enumerate(manifest.sources, start=1):
        if source.file in aliases:
            continue
        if source.file in kept:
            aliases[source.file] = source.file
            continue
        suffix = Path(source.file).suffix
        alias = f"source-{position}{suffix if _SAFE_SUFFIX.match(suffix) else ''}"
        while alias in kept:
            alias = "_" + alias
        aliases[source.file] = alias
    return aliases


def _scrub_column(series: pd.Series, scrub: Any) -> tuple[pd.Series, int]:
    """``series`` with ``scrub`` applied to each distinct value; and how many cells changed."""
    # pyarrow-backed text factorizes in pyarrow, without a million Python strings
    codes, uniques = series.factorize(use_na_sentinel=True)
    if not len(uniques):
        return series, 0
    values = uniques.tolist()
    cleaned = [scrub(v) if isinstance(v, str) else v for v in values]
    changed = np.array([a != b for a, b in zip(values, cleaned, strict=True)])
    n_changed = int(changed[codes[codes >= 0]].sum())
    if not n_changed:
        return series, 0
    out = np.array([*cleaned, None], dtype=object)[np.where(codes < 0, len(cleaned), codes)]
    return pd.Series(out, index=series.index, dtype=series.dtype), n_changed


def _text_columns(frame: pd.DataFrame) -> Iterable[str]:
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            yield column


def _redact_frame(frame: pd.DataFrame, scrubber: Scrubber, aliases: Mapping[str, str]) -> tuple[pd.DataFrame, dict[str, int]]:
    changes: dict[str, int] = {}
    out = frame
    for column in _text_columns(frame):
        if column in CODE_COLUMNS:
            continue
        if column in FILE_COLUMNS:
            series, n = _scrub_column(out[column], lambda v: aliases.get(v, v))
        else:
            series, n = _scrub_column(out[column], scrubber.scrub)
        if n:
            if out is frame:
                out = frame.copy()
            out[column] = series
            changes[column] = n
    return out, changes


def redact_tables(tables: dict[str, pd.DataFrame], scrubber: Scrubber, aliases: Mapping[str, str],
                  log: CleaningLog) -> dict[str, pd.DataFrame]:
    """Every canonical table with its free text scrubbed and its file names aliased.

    Every text column but `CODE_COLUMNS` goes through ``scrubber`` (each distinct value
    once); ``source_file`` through ``aliases`` (`source_aliases`). Each column changed
    adds a ``scrub`` row to ``log`` saying how many values changed. Text already scrubbed
    by its stage comes out the same, so nothing is logged for it twice.
    """
    redacted: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        redacted[name], changes = _redact_frame(frame, scrubber, aliases)
        for column, n in changes.items():
            if column in FILE_COLUMNS:
                continue
            log.add("scrub", column=f"{name}.{column}",
                    detail=f"{n} value(s) with an e-mail, phone number, IP address or name removed")
    return redacted


def redact_log(log: pd.DataFrame, scrubber: Scrubber, aliases: Mapping[str, str],
               composed: np.ndarray | None = None) -> pd.DataFrame:
    """The cleaning log with its free text (column, old, new, detail) scrubbed and its file
    names aliased: raw answers quoted there (an unknown answer, a correction's reason) are
    free text too.

    Rows flagged in ``composed`` (`exchange_eval.clean.log.CleaningLog.composed_rows`: text
    the workbench wrote from its own words and ids, such as one "added as participant"
    row per respondent of a big export) only have their file names aliased.
    """
    if composed is None or not composed.any():
        return _redact_frame(log, scrubber, aliases)[0]
    free = _redact_frame(log[~composed], scrubber, aliases)[0]
    own = _redact_frame(log.loc[composed, list(FILE_COLUMNS & set(log.columns))], scrubber, aliases)[0]
    own = log.loc[composed].assign(**{c: own[c] for c in own.columns})
    return pd.concat([free, own]).sort_index()


def redact_meta(meta: dict[str, Any], scrubber: Scrubber, aliases: Mapping[str, str]) -> dict[str, Any]:
    """``meta.json``'s content with source files aliased and the manifest's titles scrubbed."""
    meta = dict(meta)
    meta["sources"] = [dict(s, file=aliases.get(s.get("file"), s.get("file"))) for s in meta.get("sources") or []]
    meta["sessions"] = [dict(s, title=scrubber.scrub(s.get("title"))) for s in meta.get("sessions") or []]
    for key in ("title", "community"):
        meta[key] = scrubber.scrub(meta.get(key))
    return meta
