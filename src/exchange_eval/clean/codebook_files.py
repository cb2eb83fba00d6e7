"""Where codebooks come from: the default one from configuration, round ones from spreadsheets.

`load_codebook` builds the default codebook from ``instruments.yaml`` (every item by
its labels and id, every respondent field by its labels), the platforms' metadata
columns (`exchange_eval.ingest.platforms.METADATA_COLUMNS`), ``choices.yaml`` and
``missing_codes.yaml``, then overlays each round codebook named (an ``.xlsx`` workbook
with the sheets ``codebook`` and ``choices``, or ``<name>.csv`` with an optional
``<name>_choices.csv``; the format is described in `exchange_eval.clean.codebook`).
Every bad row of a round codebook is reported at once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.config import Config
from ..core.errors import DataError, DataErrors, Problem, ProblemCode
from ..ingest.platforms import METADATA_COLUMNS
from .cells import cell_text
from .codebook import (
    FIELD_ROLES,
    ITEM_TYPES,
    ROLES,
    Codebook,
    CodebookEntry,
    normalize_code,
    normalize_label,
    parse_recode,
)

__all__ = ["load_codebook", "missing_tokens", "sheet_roles"]


def _default_entries(config: Config) -> tuple[list[CodebookEntry], list[str]]:
    instruments = config.instruments
    entries: list[CodebookEntry] = []
    for role, spec in (instruments.get("fields") or {}).items():
        role_name = role if role in FIELD_ROLES else "ignore"
        labels: list[str] = [role]
        for key, value in spec.items():
            if key.startswith("label"):
                labels.extend(value if isinstance(value, list) else [value])
        for label in labels:
            entries.append(CodebookEntry(source=str(label), role=role_name, choices=spec.get("choices")))
    for role, labels in METADATA_COLUMNS.items():
        for label in labels:
            entries.append(CodebookEntry(source=label, role=role))
    for instrument, spec in (instruments.get("instruments") or {}).items():
        for item in spec.get("items") or []:
            base = CodebookEntry(
                source=item["id"],
                role="item",
                item_id=item["id"],
                instrument=instrument,
                outcome=item.get("outcome"),
                choices=item.get("choices"),
                type=item.get("type", "select_one"),
                tool=item.get("tool"),
            )
            entries.append(base)
            for key, label in item.items():
                if key.startswith("label") and label:
                    entries.append(dataclasses.replace(base, source=str(label)))
        for grid in spec.get("grids") or []:
            base = CodebookEntry(source=grid["id"], role="grid", item_id=grid["id"],
                                 instrument=instrument, choices=grid.get("choices"),
                                 type="select_one")
            entries.append(base)
            for key, label in grid.items():
                if key.startswith("label") and label:
                    entries.append(dataclasses.replace(base, source=str(label)))
    markers: list[str] = []
    for value in (instruments.get("retro_markers") or {}).values():
        markers.extend(value if isinstance(value, list) else [value])
    return entries, sorted({normalize_label(m) for m in markers}, key=len, reverse=True)


def _read_sheets(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not path.is_file():
        raise DataError("codebook file does not exist", file=path, code=ProblemCode.FILE_NOT_FOUND)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            engine = "openpyxl" if suffix in (".xlsx", ".xlsm") else None  # pandas would change its default
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine=engine)
            lowered = {name.strip().lower(): frame for name, frame in sheets.items()}
            rows = lowered.get("codebook", lowered.get("columns"))
            if rows is None:
                raise DataError(
                    f"the codebook workbook needs a sheet named 'codebook' (found: {', '.join(sheets)})",
                    file=path,
                    code=ProblemCode.MISSING_SHEET,
                )
            return rows, lowered.get("choices")
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else None
            rows = pd.read_csv(path, dtype=str, sep=sep, engine="python", encoding="utf-8-sig")
            choices_path = path.with_name(f"{path.stem}_choices{path.suffix}")
            choices = None
            if choices_path.is_file():
                choices = pd.read_csv(choices_path, dtype=str, sep=sep, engine="python", encoding="utf-8-sig")
            return rows, choices
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the codebook: {exc}", file=path, code=ProblemCode.UNREADABLE) from None
    raise DataError("a codebook is an .xlsx workbook or a .csv file", file=path, code=ProblemCode.WRONG_FORMAT)


def sheet_roles(config: Config) -> dict[str, set[str]]:
    """The canonical columns of each structured sheet (``headers.yaml``, plus one column
    per JSR dimension in ``jsr_quality``): what a codebook row's ``role`` may name for
    a source of that instrument."""
    headers = config.file("headers.yaml") or {}
    roles = {instrument: set(columns or {}) for instrument, columns in headers.items()}
    roles.setdefault("jsr_quality", set()).update(d["id"] for d in config.dimensions["dimensions"])
    return roles


def _round_entries(path: Path, defaults: Codebook, config: Config) -> tuple[list[CodebookEntry], dict[str, list[dict]]]:
    rows, choices_frame = _read_sheets(path)
    sheets = sheet_roles(config)
    rows.columns = [normalize_label(c).replace(" ", "_") for c in rows.columns]
    if "source" not in rows.columns:
        raise DataError("the codebook has no 'source' column", file=path, column="source",
                        code=ProblemCode.MISSING_COLUMN)
    problems: list[Problem] = []
    entries: list[CodebookEntry] = []
    for index, row in rows.iterrows():
        line = int(index) + 2
        source = cell_text(row.get("source"))
        if source is None:
            continue
        item_id = cell_text(row.get("item_id"))
        role = (cell_text(row.get("role")) or ("item" if item_id else "")).lower()
        if not role:
            continue  # an unmapped template row: the column stays unmapped
        instrument = cell_text(row.get("instrument"))
        if role not in ROLES and role not in sheets.get(instrument or "", set()):
            allowed = sorted(ROLES | sheets.get(instrument or "", set()))
            hint = "" if instrument in sheets else (
                "; a structured sheet's column needs its instrument (" + ", ".join(sorted(sheets)) + ")")
            problems.append(Problem(str(path), f"role {role!r} is not one of {', '.join(allowed)}{hint}",
                                    line, "role", code=ProblemCode.CODEBOOK))
            continue
        if source.startswith("re:"):
            try:
                re.compile(source[3:])
            except re.error as exc:
                problems.append(Problem(str(path), f"bad regular expression: {exc}", line, "source",
                                        code=ProblemCode.CODEBOOK))
                continue
        try:
            recode = parse_recode(row.get("recode"), file=str(path), row=line)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        inherited = defaults.item(item_id) if item_id and role in ("item", "grid") else None
        kind = cell_text(row.get("type")) or (inherited.type if inherited else None)
        choices = cell_text(row.get("choices")) or (inherited.choices if inherited else None)
        if role == "item" and kind is None:
            kind = "select_one" if choices else "text"
        if kind is not None and kind not in ITEM_TYPES:
            problems.append(Problem(str(path), f"type {kind!r} is not one of {', '.join(ITEM_TYPES)}",
                                    line, "type", code=ProblemCode.CODEBOOK))
            continue
        if role == "item" and not item_id:
            problems.append(Problem(str(path), "role 'item' needs an item_id", line, "item_id",
                                    code=ProblemCode.CODEBOOK))
            continue
        entries.append(
            CodebookEntry(
                source=source,
                role=role,
                item_id=item_id,
                instrument=cell_text(row.get("instrument")) or (inherited.instrument if inherited else None),
                outcome=cell_text(row.get("outcome")) or (inherited.outcome if inherited else None),
                choices=choices,
                type=kind,
                tool=cell_text(row.get("tool")) or (inherited.tool if inherited else None),
                wave=cell_text(row.get("wave")),
                recode=recode,
                origin="round",
                labels=tuple((column[len("label_"):], text) for column in rows.columns
                             if column.startswith("label_") and (text := cell_text(row.get(column)))),
            )
        )
    lists: dict[str, list[dict]] = {}
    if choices_frame is not None and len(choices_frame):
        choices_frame.columns = [normalize_label(c).replace(" ", "_") for c in choices_frame.columns]
        for column in ("list_name", "value"):
            if column not in choices_frame.columns:
                problems.append(Problem(str(path), f"the choices sheet has no {column!r} column", None, column,
                                        code=ProblemCode.MISSING_COLUMN))
        if not problems:
            for _, row in choices_frame.iterrows():
                name, value = cell_text(row.get("list_name")), cell_text(row.get("value"))
                if name is None or value is None:
                    continue
                level: dict[str, Any] = {"value": _maybe_int(value)}
                for column in choices_frame.columns:
                    if column.startswith("label") and cell_text(row.get(column)):
                        level[column] = cell_text(row.get(column))
                lists.setdefault(name, []).append(level)
    for entry in entries:
        if entry.choices and entry.choices not in lists and entry.choices not in defaults.choices:
            problems.append(Problem(str(path), f"choice list {entry.choices!r} of {entry.source!r} is not defined",
                                    None, "choices", code=ProblemCode.CODEBOOK))
    if problems:
        raise DataErrors(problems)
    return entries, lists


def _maybe_int(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def missing_tokens(config: Config) -> set[str]:
    """The answers ``missing_codes.yaml`` says mean "no answer", as compared (normalised)."""
    codes = config.missing_codes.get("codes", [])
    return {normalize_label(c) for c in codes} | {normalize_code(c) for c in codes}


def load_codebook(path: str | Path | Iterable[str | Path] | None = None,
                  config: Config | None = None, *, form_entries: Iterable[CodebookEntry] = (),
                  form_lists: dict[str, list[dict]] | None = None) -> Codebook:
    """The default codebook, overlaid by a form's questions, then by the round codebook(s).

    Parameters
    ----------
    path
        A codebook ``.xlsx`` (sheets ``codebook`` and ``choices``) or ``.csv`` (with an
        optional ``<stem>_choices.csv`` beside it), several of them, or None.
    config
        The configuration of the data folder (`Workspace.config`): its instruments,
        choice lists and missing codes; default the package's own.
    form_entries, form_lists
        The entries and coded choice lists of the source's XLSForm
        (`exchange_eval.clean.form_codebook.FormCodebook`): they win over the default
        codebook; a round codebook's rows win over them.

    Returns
    -------
    Codebook

    Raises
    ------
    DataError, DataErrors
        When a codebook cannot be read or has bad rows (every bad row is listed).
    """
    config = config if config is not None else Config()
    entries, markers = _default_entries(config)
    lists = config.choices
    missing = missing_tokens(config)
    form_entries = list(form_entries)
    if form_entries or form_lists:
        lists = {**lists, **(form_lists or {})}
        entries = form_entries + entries
    codebook = Codebook(entries=entries, choices=lists, missing_codes=missing, retro_markers=markers)
    if path is None:
        return codebook
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    for one in paths:
        round_entries, round_lists = _round_entries(one, codebook, config)
        merged_lists = dict(codebook.choices)
        merged_lists.update(round_lists)
        codebook = Codebook(
            entries=round_entries + [e for e in codebook.entries],
            choices=merged_lists,
            missing_codes=missing,
            retro_markers=markers,
            paths=codebook.paths + [one],
        )
    return codebook
