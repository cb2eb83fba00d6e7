"""Corrections stage: fixes an evaluator records in ``data/raw/<round>/corrections.csv``.

Raw exports are never edited; a wrong answer is corrected by a row of
``corrections.csv`` (``pid`` or ``email``, ``instrument``, ``wave``, ``item_id``,
``old_value``, ``new_value``, ``reason``), applied to the harmonized responses and
logged, so the correction is visible and repeatable.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.errors import ProblemCode
from .cells import cell_text
from .codebook import Codebook, normalize_label
from .codebook_files import load_codebook
from .context import RoundContext
from .protect import pseudonym
from .scrub import Scrubber

__all__ = ["CORRECTIONS_FILE", "apply_corrections"]

CORRECTIONS_FILE = "corrections.csv"


def apply_corrections(ctx: RoundContext, responses: pd.DataFrame, codebooks: dict[Path | None, Codebook | None],
                      scrubber: Scrubber) -> pd.DataFrame:
    """The responses with the corrections of ``data/raw/<round>/corrections.csv`` applied.

    A row names the response (``pid`` or ``email``, ``instrument``, ``wave``,
    ``item_id``), optionally the ``old_value`` it expects, the ``new_value`` (blank: no
    answer) and a ``reason``. A correction that matches no response, whose old value
    differs from the answer, or whose new value is not a valid answer is not applied
    (warned, with its line). Applied corrections are logged; free text is scrubbed.
    ``codebooks`` are the round's (`read_sources`); the default one codes the values.
    """
    path = ctx.manifest.folder / CORRECTIONS_FILE
    if not path.is_file():
        return responses
    try:
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        ctx.problems.add(CORRECTIONS_FILE, f"cannot read the corrections: {exc}", code=ProblemCode.UNREADABLE)
        return responses
    table.columns = [normalize_label(c).replace(" ", "_") for c in table.columns]
    required = ["instrument", "wave", "item_id", "new_value"]
    missing = [c for c in required if c not in table.columns]
    if "pid" not in table.columns and "email" not in table.columns:
        missing.append("pid or email")
    if missing:
        for column in missing:
            ctx.problems.add(CORRECTIONS_FILE, f"required column {column!r} is missing", 1, column,
                             code=ProblemCode.MISSING_COLUMN)
        return responses
    codebook = codebooks.get(None) or load_codebook(None, config=ctx.config)
    responses = responses.copy()
    for index, row in table.iterrows():
        line = int(index) + 2
        pid = cell_text(row.get("pid"))
        if pid is None and cell_text(row.get("email")):
            pid = pseudonym(key=ctx.key, email=cell_text(row.get("email")))
        if pid is None:
            ctx.problems.warn(CORRECTIONS_FILE, "correction without pid or e-mail: not applied", line,
                              code=ProblemCode.CORRECTION)
            continue
        instrument, wave, item_id = (cell_text(row.get(c)) for c in ("instrument", "wave", "item_id"))
        where = ((responses["pid"] == pid) & (responses["instrument"] == instrument)
                 & (responses["wave"] == wave) & (responses["item_id"] == item_id))
        hits = list(responses.index[where.fillna(False)])
        if not hits:
            ctx.problems.warn(CORRECTIONS_FILE, f"correction of {item_id} ({instrument}, {wave}) matches no "
                              "response: not applied", line, code=ProblemCode.CORRECTION)
            continue
        target = hits[0]
        current = responses.loc[target]
        old = cell_text(row.get("old_value"))
        kind = current["_type"]
        if old is not None:
            shown = {normalize_label(current["text"]) if kind == "text" else None,
                     normalize_label(current["value_label"]) if not pd.isna(current["value_label"]) else None}
            if not pd.isna(current["value"]):
                number = float(current["value"])
                shown.add(str(int(number)) if number.is_integer() else str(number))
            if kind != "text" and current["_choices"] and not pd.isna(current["_choices"]):
                coded_old = codebook.code(old, current["_choices"])
                if coded_old.status == "ok" and coded_old.value == current["value"]:
                    shown.add(normalize_label(old))
            if normalize_label(old) not in shown:
                ctx.problems.warn(CORRECTIONS_FILE, f"correction of {item_id}: old value {old!r} does not match "
                                  "the current answer: not applied", line, "old_value",
                                  code=ProblemCode.CORRECTION)
                continue
        new = cell_text(row.get("new_value"))
        reason = cell_text(row.get("reason")) or ""
        before = current["text"] if kind == "text" else current["value"]
        if new is None:
            responses.loc[target, ["value", "value_label", "text"]] = [None, None, None]
        elif kind == "text":
            responses.loc[target, "text"] = scrubber.scrub(new)
        else:
            choices = current["_choices"] if not pd.isna(current["_choices"]) else None
            coded = codebook.code(new, choices, kind="integer" if kind == "integer" else "select_one")
            if coded.status != "ok":
                ctx.problems.warn(CORRECTIONS_FILE, f"new value {new!r} is not a valid answer to {item_id}: "
                                  "not applied", line, "new_value", code=ProblemCode.CORRECTION)
                continue
            responses.loc[target, ["value", "value_label"]] = [coded.value, coded.label]
        after = responses.loc[target, "text"] if kind == "text" else responses.loc[target, "value"]
        ctx.log.add("correction", file=CORRECTIONS_FILE, row=line, column=current["_column"],
                    item_id=item_id, old=None if kind == "text" else before,
                    new=None if kind == "text" else after,
                    detail=f"pid {pid}, {instrument} {wave}: {reason}".strip())
    return responses
