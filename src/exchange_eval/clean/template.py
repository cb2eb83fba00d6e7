"""``exchange-eval codebook template ROUND``: a codebook spreadsheet pre-filled from a round.

The evaluator's questionnaire is the source of truth: a round whose headers neither the
sources' XLSForms nor the default codebook know gets a workbook listing every column of
every source with what it is matched to (or nothing, to fill in), the question text as
exported (or as the form words it, in every language), and choice lists: the forms' and
the standard ones in scale order under their full names, and for unmatched columns a
draft list of the answers seen, ordered low to high where the answers say so.

Nothing personal goes into it: no draft list for an identity column (e-mail, name, phone,
…), a free-text column, or a column whose answers hold an e-mail, a phone number or a
roster name; every cell is neutralised (`core.safe.neutralize_frame`, no live formulas).
It is written outside ``data/raw`` (the raw folder holds only what the evaluator put
there) unless an output path is given; an existing file is never overwritten.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.atomic import atomic_path
from ..core.errors import DataError, DataErrors, UsageError
from ..core.paths import Workspace
from ..core.safe import neutralize_frame
from ..core.text import fold
from ..ingest import RawTable, read_export
from .codebook import IDENTITY_ROLES, Codebook, CodebookEntry, normalize_label
from .codebook_files import load_codebook
from .context import RoundContext
from .form_codebook import FormCodebook
from .forms import Form, read_form
from .log import CleaningLog, ProblemList
from .manifest import STRUCTURED_INSTRUMENTS, Source, load_manifest
from .scrub import Scrubber
from .structured import header_key, header_synonyms

__all__ = ["TEMPLATE_COLUMNS", "default_template_path", "write_template"]

TEMPLATE_COLUMNS = ["source", "item_id", "instrument", "outcome", "choices", "type", "tool",
                    "wave", "role", "recode", "label_en", "label_fr", "note", "files"]
_MAX_DRAFT_LEVELS = 12
_MAX_DRAFT_LENGTH = 60


def default_template_path(ws: Workspace, round_id: str) -> Path:
    """Where the template goes unless told: ``data/templates/<round>/codebook.xlsx``."""
    return ws.data_dir / "templates" / round_id / "codebook.xlsx"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalize_label(text)).strip("_") or "column"


def _anchor_rank(value: str, anchors: dict[str, list[str]]) -> int:
    """0 for an answer at the bottom of a scale ("Pas du tout", "Très faible"), 2 at the top,
    1 otherwise (``forms.yaml`` ``scale_anchors``)."""
    folded = fold(value).strip()
    if any(folded.startswith(fold(str(w))) for w in anchors.get("low") or []):
        return 0
    if any(folded.startswith(fold(str(w))) for w in anchors.get("high") or []):
        return 2
    return 1


def _scale_order(values: list[str], value_labels: dict[str, str], anchors: dict[str, list[str]]) -> list[str]:
    """Draft levels low to high: by a Stata/SPSS code, by a leading number ("1 - Faible"),
    else bottom-of-scale answers first and top-of-scale last, in the order first seen."""
    codes = {label: code for code, label in value_labels.items()}
    if values and all(v in codes for v in values):
        return sorted(values, key=lambda v: float(codes[v]) if re.fullmatch(r"-?\d+(\.\d+)?", codes[v]) else 0.0)
    numbered = [re.match(r"^\s*(\d+)\b", v) for v in values]
    if values and all(numbered):
        return sorted(values, key=lambda v: int(re.match(r"^\s*(\d+)", v).group(1)))
    return sorted(values, key=lambda v: _anchor_rank(v, anchors))


def _known_list(values: list[str], codebook: Codebook) -> str | None:
    """A choice list whose labels name every answer seen (the answers need no draft);
    numbers are not labels, so a column of numbers gets a draft."""
    words = [v for v in values if not codebook.is_missing_code(v)]
    if not words or any(re.fullmatch(r"[\d\s.,-]+", v) for v in words):
        return None
    for name, levels in codebook.choices.items():
        labels = {normalize_label(t) for level in levels for k, t in level.items()
                  if (k.startswith("label") or k == "synonyms") and isinstance(t, str)}
        if all(normalize_label(v) in labels for v in words):
            return name
    return None


def _looks_identity(column: str, identity_names: set[str]) -> bool:
    return fold(re.sub(r"[^\w]+", "_", column.split("/")[-1])).strip("_") in identity_names


class _Template:
    """The rows of the template, filled source by source."""

    def __init__(self, ws: Workspace, round_id: str) -> None:
        self.ws = ws
        self.config = ws.config
        folder = ws.require_round(round_id)
        self.manifest = load_manifest(folder)
        self.language = self.manifest.language
        spec = self.config.file("forms.yaml") or {}
        self.anchors = spec.get("scale_anchors") or {}
        self.identity_names = {fold(str(n)) for names in (spec.get("identity_names") or {}).values()
                               for n in names or []}
        self.rows: dict[str, dict[str, Any]] = {}
        self.drafts: list[dict[str, Any]] = []
        self.used_lists: dict[str, list[dict]] = {}
        self.draft_names: set[str] = set()
        self.forms: dict[Path, Form] = {}
        for source in self.manifest.sources:
            if source.form is not None and source.form not in self.forms and source.form.is_file():
                self.forms[source.form] = read_form(source.form, config=self.config, language=self.language)
        self.form_codebook = FormCodebook(list(self.forms.values()), load_codebook(None, config=self.config),
                                          self.config)
        self.scrubber = Scrubber(self._roster_names())

    def _roster_names(self) -> list[str]:
        """The roster's names, only so that no draft list carries one."""
        from .people import read_rosters
        from .sessions import SessionMatcher
        from .sources import read_sources

        ctx = RoundContext(self.manifest.round_id, self.manifest, self.config, b"template-only",
                           ProblemList(self.manifest.round_id), CleaningLog(self.manifest.round_id))
        rosters = [s for s in self.manifest.sources if s.instrument == "roster"]
        if not rosters:
            return []
        ctx.manifest = dataclasses.replace(self.manifest, sources=tuple(rosters))
        try:
            tables, _ = read_sources(ctx)
            return read_rosters(ctx, tables, SessionMatcher(self.manifest.sessions)).names
        except (DataError, DataErrors):
            return []

    def codebook_for(self, source: Source) -> Codebook:
        form = self.forms.get(source.form) if source.form is not None else None
        entries = self.form_codebook.entries(form, source.instrument) if form is not None else []
        return load_codebook(source.codebook, config=self.config, form_entries=entries,
                             form_lists=self.form_codebook.lists if form is not None else None)

    def add_source(self, source: Source) -> None:
        raw = read_export(source.path, platform=source.platform, sheet=source.sheet)
        if source.instrument in STRUCTURED_INSTRUMENTS:
            self._add_sheet(source, raw)
            return
        codebook = self.codebook_for(source)
        for position, column in enumerate(raw.frame.columns):
            names = [column, raw.original_columns[position] if position < len(raw.original_columns) else column]
            if position < len(raw.names):
                names.append(raw.names[position])
            if raw.column_labels.get(column):
                names.append(raw.column_labels[column])
            if self._seen(column, source):
                continue
            entry = codebook.match_any(names, source.instrument)
            row = self._row(column, source)
            text = raw.column_labels.get(column) or column
            row[f"label_{self.language}"] = text
            if entry is None:
                row["note"] = "unmatched: fill in item_id (or role), or set role ignore"
                self._draft(row, raw, column, codebook)
            else:
                self._matched(row, entry, codebook)
            self.rows[column] = row

    def _seen(self, column: str, source: Source) -> bool:
        row = self.rows.get(column)
        if row is None:
            return False
        if source.file not in row["files"].split(", "):
            row["files"] += f", {source.file}"
        return True

    def _row(self, column: str, source: Source) -> dict[str, Any]:
        row: dict[str, Any] = {c: None for c in TEMPLATE_COLUMNS}
        row.update(source=column, files=source.file, instrument=source.instrument)
        return row

    def _matched(self, row: dict[str, Any], entry: CodebookEntry, codebook: Codebook) -> None:
        row.update(item_id=entry.item_id if entry.role in ("item", "grid") else None,
                   instrument=entry.instrument or row["instrument"], outcome=entry.outcome,
                   choices=entry.choices, type=entry.type, tool=entry.tool,
                   wave="retro" if entry.retro else entry.wave, role=entry.role, note=_template_note(entry))
        for language, text in entry.labels:
            if f"label_{language}" in row:
                row[f"label_{language}"] = text
        if entry.choices and entry.choices in codebook.choices:
            self.used_lists.setdefault(entry.choices, codebook.choices[entry.choices])

    def _draft(self, row: dict[str, Any], raw: RawTable, column: str, codebook: Codebook) -> None:
        """A draft choice list of the answers seen, unless the column could hold personal
        data or free text."""
        kind = raw.column_types.get(column)
        present = raw.frame[column].dropna().astype(str).str.strip()
        values = [v for v in dict.fromkeys(present) if v]
        if _looks_identity(column, self.identity_names) or kind in ("empty", "date"):
            row["note"] += f"; no draft list ({'identity' if kind not in ('empty', 'date') else kind} column)"
            return
        if kind == "text" and (any(len(v) > 40 or len(v.split()) > 5 for v in values)
                               or len(values) == len(present) > _MAX_DRAFT_LEVELS):
            row["note"] += "; no draft list (free-text answers)"
            return
        pieces = [p for v in values for p in re.split(r"\s*[;,]\s*", v) if p]
        if len(values) > 1 and len(set(pieces)) < len(values):
            values = list(dict.fromkeys(pieces))  # a select_multiple (Google ", ", MS Forms ";")
            row["type"] = "select_multiple"
        if not values or len(values) > _MAX_DRAFT_LEVELS or max(len(v) for v in values) > _MAX_DRAFT_LENGTH:
            row["note"] += "; no draft list (too many or too long answers)"
            return
        if any(self.scrubber.scrub(v) != v for v in values):
            row["note"] += "; no draft list (the answers hold personal data)"
            return
        known = _known_list(values, codebook)
        if known is not None:
            row["choices"] = known
            row["type"] = row["type"] or "select_one"
            self.used_lists.setdefault(known, codebook.choices[known])
            return
        name = f"draft_{_slug(column)}"
        while name in self.draft_names:
            name += "_"
        self.draft_names.add(name)
        row["choices"] = name
        row["type"] = row["type"] or "select_one"
        for position, value in enumerate(_scale_order(values, raw.value_labels.get(column, {}), self.anchors), 1):
            self.drafts.append({"list_name": name, "value": position, f"label_{self.language}": value})

    def _add_sheet(self, source: Source, raw: RawTable) -> None:
        synonyms = header_synonyms(self.config, source.instrument)
        for column in raw.frame.columns:
            if self._seen(column, source):
                continue
            row = self._row(column, source)
            row[f"label_{self.language}"] = column
            role = synonyms.get(header_key(column))
            if role is None and header_key(column).startswith(("statut", "status", "etat", "avancement")):
                role = "status"
            row["role"] = role
            row["note"] = "structured sheet column (headers.yaml)" if role else "unmatched: name its column in role"
            self.rows[column] = row

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        codebook = pd.DataFrame(list(self.rows.values()), columns=TEMPLATE_COLUMNS)
        lists = []
        for name, levels in self.used_lists.items():
            for level in levels:
                lists.append({"list_name": name, "value": level.get("value") if not level.get("missing") else None,
                              "name": level.get("name"), "missing": "yes" if level.get("missing") else None,
                              **{k: v for k, v in level.items() if k.startswith("label")}})
        choices = pd.DataFrame(lists + self.drafts)
        choices = choices.reindex(columns=["list_name", "value", "name", "missing", "label_en", "label_fr",
                                           *sorted(c for c in choices.columns if c.startswith("label_")
                                                   and c not in ("label_en", "label_fr"))])
        return neutralize_frame(codebook), neutralize_frame(choices)


def write_template(ws: Workspace, round_id: str, output: str | Path | None = None) -> Path:
    """Write an ``.xlsx`` codebook pre-filled from every source of a round.

    One row per distinct column header (every source, structured sheets included) with
    what it is matched to, the question text in the round's language (the form's labels
    in every language when there is one), the files it is in, and a note; a ``choices``
    sheet with every list used, in scale order, and draft lists for unmatched columns
    (see the module docstring for what never becomes one).

    Returns
    -------
    Path
        The file written (default `default_template_path`, outside ``data/raw``).

    Raises
    ------
    UsageError
        When the output file exists already.
    """
    target = Path(output) if output is not None else default_template_path(ws, round_id)
    if target.exists():
        raise UsageError(f"{target} exists already: move it away or name another --output")
    template = _Template(ws, round_id)
    for source in template.manifest.sources:
        template.add_source(source)
    codebook, choices = template.frames()
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        codebook.to_excel(writer, sheet_name="codebook", index=False)
        choices.to_excel(writer, sheet_name="choices", index=False)
    return target


def _template_note(entry: CodebookEntry) -> str:
    notes = [f"matched ({entry.origin}{': ' + entry.form if entry.form else ''})"]
    if entry.retro:
        notes.append("retro")
    if entry.alter:
        notes.append(f"grid alter {entry.alter}")
    if entry.option:
        notes.append(f"option column {entry.option}")
    if entry.role in IDENTITY_ROLES:
        notes.append("identity: used for the pid, then dropped")
    return "; ".join(notes)
