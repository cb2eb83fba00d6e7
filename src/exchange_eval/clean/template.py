"""``exchange-eval codebook template ROUND``: a codebook spreadsheet pre-filled from a round's exports.

The evaluator's questionnaire is the source of truth: a round whose headers the default
codebook does not know gets a workbook listing every header with the match found (or
``unmapped``) and draft choice lists of the answers seen, ready to be completed and
named as the round's ``codebook:``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.atomic import atomic_path
from ..core.errors import UsageError
from ..core.paths import Workspace
from ..ingest import read_export
from .codebook import CodebookEntry, normalize_label
from .codebook_files import load_codebook
from .manifest import STRUCTURED_INSTRUMENTS, load_manifest

__all__ = ["TEMPLATE_COLUMNS", "write_template"]

TEMPLATE_COLUMNS = ["source", "item_id", "instrument", "outcome", "choices", "type", "tool",
                    "wave", "role", "recode", "note", "files"]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", normalize_label(text)).strip("_")
    return slug[:40] or "column"


def write_template(ws: Workspace, round_id: str, output: str | Path | None = None) -> Path:
    """Write an ``.xlsx`` codebook pre-filled from every survey export of a round.

    One row per distinct column header with the match found by the current codebook
    (default plus the round's own), or a blank ``item_id`` and the note ``unmapped``;
    for unmapped columns with few distinct answers a draft choice list named
    ``draft_<column>`` lists the values seen. An existing file is never overwritten.

    Returns
    -------
    Path
        The file written (default ``data/raw/<round>/codebook.xlsx``).

    Raises
    ------
    UsageError
        When the output file exists already.
    """
    folder = ws.require_round(round_id)
    manifest = load_manifest(folder)
    target = Path(output) if output is not None else folder / "codebook.xlsx"
    if target.exists():
        raise UsageError(f"{target} exists already: move it away or name another --output")
    round_codebooks = sorted({s.codebook for s in manifest.sources if s.codebook is not None})
    codebook = load_codebook(round_codebooks or None, config=ws.config)

    rows: dict[str, dict[str, Any]] = {}
    drafts: list[dict[str, Any]] = []
    for source in manifest.sources:
        if source.instrument in STRUCTURED_INSTRUMENTS:
            continue
        raw = read_export(source.path, platform=source.platform, sheet=source.sheet)
        for column in raw.frame.columns:
            if column in rows:
                if source.file not in rows[column]["files"]:
                    rows[column]["files"] += f", {source.file}"
                continue
            entry = codebook.match(column, source.instrument)
            row: dict[str, Any] = {c: None for c in TEMPLATE_COLUMNS}
            row.update(source=column, files=source.file)
            if entry is None:
                row["note"] = "unmapped"
                values = raw.frame[column].dropna().astype(str).str.strip()
                distinct = [v for v in dict.fromkeys(values) if v]
                pieces = [p for v in distinct for p in re.split(r"\s*[;,]\s*", v) if p]
                if len(distinct) > 1 and len(set(pieces)) < len(distinct):
                    # a select_multiple (Google ", ", MS Forms ";"): draft its options
                    distinct = list(dict.fromkeys(pieces))
                    row["type"] = "select_multiple"
                if 0 < len(distinct) <= 12 and max(len(v) for v in distinct) <= 60:
                    name = f"draft_{_slug(column)}"
                    row["choices"] = name
                    for position, value in enumerate(sorted(distinct, key=normalize_label), start=1):
                        drafts.append({"list_name": name, "value": position, "label_en": value, "label_fr": None})
            else:
                row.update(
                    item_id=entry.item_id if entry.role in ("item", "grid") else None,
                    instrument=entry.instrument,
                    outcome=entry.outcome,
                    choices=entry.choices,
                    type=entry.type,
                    tool=entry.tool,
                    wave="retro" if entry.retro else entry.wave,
                    role=entry.role,
                    note=_template_note(entry),
                )
            rows[column] = row
    used = {r["choices"] for r in rows.values() if r["choices"]}
    choices = [
        {"list_name": name, "value": level.get("value"),
         **{k: v for k, v in level.items() if k.startswith("label")}}
        for name, levels in codebook.choices.items() if name in used
        for level in levels
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        pd.DataFrame(list(rows.values()), columns=TEMPLATE_COLUMNS).to_excel(writer, sheet_name="codebook", index=False)
        pd.DataFrame(choices + drafts).reindex(
            columns=["list_name", "value", "label_en", "label_fr"]
        ).to_excel(writer, sheet_name="choices", index=False)
    return target


def _template_note(entry: CodebookEntry) -> str:
    notes = [f"matched ({entry.origin})"]
    if entry.retro:
        notes.append("retro marker")
    if entry.alter:
        notes.append(f"grid alter {entry.alter}")
    if entry.option:
        notes.append(f"option column {entry.option}")
    if entry.is_identity:
        notes.append("identity: used for the pid, then dropped")
    return "; ".join(notes)
