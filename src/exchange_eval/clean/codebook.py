"""Codebooks: which canonical item each exported column holds, and what its answers mean.

In the spirit of DIME's ``iecodebook``, a codebook is a spreadsheet (an ``.xlsx`` file with
the sheets ``codebook`` and ``choices``, or two CSV files ``<name>.csv`` and
``<name>_choices.csv``) with one row per source column:

``source``
    the header as exported, or ``re:<regex>`` (matched against the whole header, case
    insensitive, either as exported or normalised).
``item_id``, ``instrument``, ``outcome``, ``choices``, ``type``, ``tool``
    the canonical item; when ``item_id`` names an item of ``config/instruments.yaml`` the
    blanks are inherited from it.
``wave``
    optional override (``retro`` for a then-test column without a header marker).
``role``
    ``item`` (default when item_id is set), ``ignore``, or a respondent field: email,
    name, first_name, last_name, phone, ip, recipient, location (identity: used to derive
    the pid, then dropped), country, organisation, role, org_type, gender, session,
    sessions_attended, submitted_at, started_at, ended_at, duration_s, registered_on,
    position (a job title, kept as free text); on a structured sheet (plan_actions,
    jsr_assessment, jsr_quality) the canonical column the header holds (``headers.yaml``).
``label_en``, ``label_fr``, …
    optional: the question's text, shown in the reports (default: the header).
``recode``
    ``5=4;4=5`` (pairs ``old=new`` separated by ``;`` or ``,``, applied to codes after
    labels are turned into codes), or ``1-5`` (reverse a scale: ``new = 1 + 5 - old``).

The ``choices`` sheet has ``list_name, value, label_en, label_fr, …`` (one ``label_xx``
column per language). A list named there replaces the default list of the same name.

The default codebook is derived from ``config/instruments.yaml`` and ``choices.yaml``:
every item matches by its English label, French label or item id, every field by its
labels; `exchange_eval.clean.codebook_files.load_codebook` builds it and overlays a round
codebook on it (its rows win). This module is the `Codebook` itself: matching headers
and harmonising answers.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import DataError, ProblemCode
from .cells import cell_text, is_blank
from .normalize import (
    apply_recode,
    form_key,
    loose_label,
    normalize_code,
    normalize_label,
    parse_recode,
)

__all__ = [
    "Codebook",
    "CodebookEntry",
    "CodedValue",
    "IDENTITY_ROLES",
    "FIELD_ROLES",
    "ROLES",
    "ITEM_TYPES",
    "form_key",
    "loose_label",
    "normalize_code",
    "normalize_label",
    "parse_recode",
]

#: Roles whose values identify a person: used to derive the pid, never stored.
IDENTITY_ROLES = frozenset(
    {"email", "name", "first_name", "last_name", "phone", "ip", "recipient", "location"}
)
#: Respondent fields a codebook row may name in ``role``.
FIELD_ROLES = IDENTITY_ROLES | {
    "country",
    "organisation",
    "position",
    "role",
    "org_type",
    "gender",
    "session",
    "sessions_attended",
    "registered_on",
    "submitted_at",
    "started_at",
    "ended_at",
    "duration_s",
}
ROLES = FIELD_ROLES | {"item", "grid", "ignore"}
ITEM_TYPES = ("select_one", "select_multiple", "text", "integer")

# SurveyMonkey's second header row under a single question ("Question/Response").
_RESPONSE_SUFFIXES = {"response", "open-ended response", "reponse", "reponse ouverte"}
_SEPARATORS = " ,;\n\t"


@dataclass(frozen=True)
class CodebookEntry:
    """How one exported column maps to the canonical tables.

    ``role`` is ``item`` (a questionnaire item), ``grid`` (a ties grid cell: ``item_id`` is
    the grid id and ``alter`` the named organisation), ``ignore`` or a field role.
    ``option`` is set for a split select_multiple column (Kobo ``question/option``):
    the option's code. ``retro`` is True when the header carries a retro marker or the
    codebook sets ``wave: retro``. Entries from an XLSForm (``origin`` ``form``) name
    their ``form`` file, the question's position in it (``order``) and its text by
    language (``labels``, also set by a codebook's ``label_xx`` columns); a respondent
    field asked as a select_one keeps its form list in ``form_list`` (its answers are
    read through the list's labels).
    """

    source: str
    role: str
    item_id: str | None = None
    instrument: str | None = None
    outcome: str | None = None
    choices: str | None = None
    type: str | None = None
    tool: str | None = None
    wave: str | None = None
    recode: dict | tuple | None = None
    origin: str = "default"
    header: str | None = None
    retro: bool = False
    alter: str | None = None
    option: str | None = None
    form: str | None = None
    form_list: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    order: int | None = None

    @property
    def is_identity(self) -> bool:
        return self.role in IDENTITY_ROLES

    @property
    def target(self) -> str:
        """What the column becomes, for the cleaning log."""
        if self.role == "item":
            base = self.item_id or ""
            if self.option:
                base += f".{self.option}"
            return base + (" (retro)" if self.retro else "")
        if self.role == "grid":
            return f"{self.item_id}[{self.alter}]"
        return self.role


# the token of a choice that means "no answer" ("Ne sait pas" in an XLSForm list)
_MISSING = "\x00missing"


def _level_texts(level: dict) -> list[str]:
    """Every text a choice level may be written as: its XML name, its labels in every
    language (a label may be a list), its ``synonyms``."""
    texts: list[str] = []
    if level.get("name") is not None:
        texts.append(str(level["name"]))
    for key, value in level.items():
        if key.startswith("label") or key == "synonyms":
            for text in value if isinstance(value, list) else [value]:
                if text is not None and str(text).strip():
                    texts.append(str(text))
    return texts


def _level_label(level: dict) -> str:
    """The label a level's code is stored with (``value_label``): English, else the first
    label there is, else the code."""
    for key in ("label_en", *sorted(k for k in level if k.startswith("label"))):
        value = level.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None and str(value).strip():
            return str(value)
    return str(level.get("value"))


@dataclass(frozen=True)
class CodedValue:
    """One harmonised answer: ``status`` is ``ok``, ``empty``, ``missing`` or ``unknown``."""

    status: str
    code: str | None = None
    value: float | None = None
    label: str | None = None
    raw: str | None = None


@dataclass
class Codebook:
    """Column matcher and answer harmoniser; build it with
    `exchange_eval.clean.codebook_files.load_codebook`."""

    entries: list[CodebookEntry]
    choices: dict[str, list[dict]]
    missing_codes: set[str]
    retro_markers: list[str]
    paths: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, list[CodebookEntry]] = {}
        self._patterns: list[tuple[re.Pattern, CodebookEntry]] = []
        self._round_exact: dict[str, list[CodebookEntry]] = {}
        round_keys: set[str] = set()
        self._form_exact: dict[str, list[CodebookEntry]] = {}
        for entry in self.entries:
            if entry.origin == "form":
                found = self._form_exact.setdefault(entry.source, [])
                if not any(e.form == entry.form and e.order == entry.order and e.option == entry.option
                           for e in found):
                    found.append(entry)
                continue
            if entry.source.startswith("re:"):
                self._patterns.append((re.compile(entry.source[3:], re.IGNORECASE), entry))
                continue
            key = normalize_label(entry.source)
            if entry.origin == "round":
                if key not in round_keys:
                    self._index[key] = []  # a round row replaces the defaults of its key
                    round_keys.add(key)
                self._round_exact.setdefault(key, []).append(entry)
            elif key in round_keys:
                continue
            self._index.setdefault(key, []).append(entry)
        self._grids: dict[str, CodebookEntry] = {}
        self._multiples: dict[str, list[CodebookEntry]] = {}
        for key, found in self._index.items():
            for entry in found:
                if entry.role == "grid":
                    self._grids.setdefault(key, entry)
                elif entry.role == "item" and entry.type == "select_multiple":
                    self._multiples.setdefault(key, []).append(entry)
        self._tokens: dict[str, dict[str, str]] = {}
        self._loose: dict[str, dict[str, str]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._positions: dict[str, dict[str, int]] = {}
        for name, levels in self.choices.items():
            tokens: dict[str, str] = {}
            loose: dict[str, str | None] = {}
            labels: dict[str, str] = {}
            positions: dict[str, int] = {}
            position = 0
            for level in levels:
                missing = bool(level.get("missing"))
                code = _MISSING if missing else normalize_code(level.get("value"))
                if not missing:
                    position += 1
                    positions[code] = position
                    labels[code] = _level_label(level)
                    tokens.setdefault(code, code)
                for text in _level_texts(level):
                    tokens.setdefault(normalize_label(text), code)
                    key = loose_label(text)
                    if key and loose.get(key, code) != code:
                        loose[key] = None  # two levels agree loosely: no second chance for either
                    else:
                        loose.setdefault(key, code)
            self._tokens[name] = tokens
            self._loose[name] = {k: v for k, v in loose.items() if v is not None}
            self._labels[name] = labels
            self._positions[name] = positions

    # ------------------------------------------------------------------ matching
    def match(self, header: str, instrument: str | None = None) -> CodebookEntry | None:
        """The codebook entry for an exported column header, or None when unmapped.

        The header is normalised (`normalize_label`); round codebook patterns and exact
        sources are tried first, then the full header, a ties grid ``Grid/Alter``, a split
        select_multiple option ``question/option``, a SurveyMonkey ``Question/Response``
        and finally the trailing ``/`` segments (the question under its group). A header
        whose segment starts with a retro marker is matched without the marker and
        flagged ``retro``.
        """
        header = str(header)
        normalized = normalize_label(header)
        for pattern, entry in self._patterns:
            if pattern.fullmatch(header.strip()) or pattern.fullmatch(normalized):
                return self._finish(entry, header, retro=False)
        if normalized in self._round_exact:
            return self._finish(self._pick(self._round_exact[normalized], instrument), header, retro=False)
        if self._form_exact:
            found = self._form_match(header)
            if found is not None:
                return self._finish(found, header, retro=False, option=found.option)

        raw_segments = [s.strip() for s in header.split("/")]
        segments: list[str] = []
        originals: list[str] = []
        retro = False
        for raw in raw_segments:
            norm = normalize_label(raw)
            marker = self._retro_marker(norm)
            if marker is not None:
                retro = True
                rest = norm[len(marker):].lstrip(" :,;-\u2013\u2014.").strip()
                if rest:
                    segments.append(rest)
                    originals.append(raw)
                continue
            if norm:
                segments.append(norm)
                originals.append(raw)
        if not segments:
            return None
        full = "/".join(segments)
        found = self._lookup(full, instrument)
        if found is not None:
            return self._finish(found, header, retro=retro)
        splits = [(start, cut) for start in range(len(segments) - 1)
                  for cut in range(len(segments) - 1, start, -1)]
        for start, cut in splits:
            prefix = "/".join(segments[start:cut])
            rest_norm = "/".join(segments[cut:])
            rest_raw = "/".join(originals[cut:]).strip()
            grid = self._grids.get(prefix)
            if grid is not None:
                return self._finish(grid, header, retro=retro, alter=rest_raw)
            parents = self._multiples.get(prefix)
            if parents:
                parent = self._pick(parents, instrument)
                option = self._tokens.get(parent.choices or "", {}).get(rest_norm, rest_raw)
                return self._finish(parent, header, retro=retro, option=option)
            if rest_norm in _RESPONSE_SUFFIXES:
                found = self._lookup(prefix, instrument)
                if found is not None:
                    return self._finish(found, header, retro=retro)
        grid_bracket = re.fullmatch(r"(.+?)\s*\[(.+)\]\s*", header)
        if grid_bracket:
            return self.match(f"{grid_bracket.group(1)}/{grid_bracket.group(2)}", instrument)
        for cut in range(1, len(segments)):
            found = self._lookup("/".join(segments[cut:]), instrument)
            if found is not None:
                return self._finish(found, header, retro=retro)
        return None

    def match_any(self, headers: list[str], instrument: str | None = None) -> CodebookEntry | None:
        """`match` for the first of several names of one column that matches: the header as
        read, as exported, the variable name (Qualtrics, Stata, SPSS), the variable label."""
        seen: set[str] = set()
        for header in headers:
            if not header or header in seen:
                continue
            seen.add(header)
            found = self.match(header, instrument)
            if found is not None:
                return dataclasses.replace(found, header=headers[0])
        return None

    def _form_match(self, header: str) -> CodebookEntry | None:
        """The form question (or option) a header names; ``Label (2)`` (a repeated label, as
        the Kobo reader names it) is the second question with that label."""
        found = self._form_exact.get(form_key(header))
        if found:
            return found[0]
        repeated = re.fullmatch(r"(.+?)\s*\((\d+)\)\s*", header)
        if repeated:
            found = self._form_exact.get(form_key(repeated.group(1)))
            number = int(repeated.group(2))
            if found and len(found) >= number:
                return found[number - 1]
        return None

    def field_role(self, text: str) -> str | None:
        """The respondent field (``FIELD_ROLES``) a header or question label names by
        default (``instruments.yaml`` ``fields`` and the platforms' metadata), or None."""
        for entry in self._index.get(normalize_label(text), []):
            if entry.origin == "default" and entry.role in FIELD_ROLES:
                return entry.role
        return None

    def standard_item(self, text: str, instrument: str | None) -> CodebookEntry | None:
        """The standard item (``instruments.yaml``) whose id or label is ``text``, for an
        instrument (or any, when ``instrument`` is None), or None."""
        for entry in self._index.get(normalize_label(text), []):
            if entry.origin == "default" and entry.role == "item" and (
                    instrument is None or entry.instrument == instrument):
                return entry
        return None

    def strip_retro(self, label: str) -> str | None:
        """A label that starts with a retro marker, without it; None when it does not."""
        norm = normalize_label(label)
        marker = self._retro_marker(norm)
        if marker is None:
            return None
        rest = norm[len(marker):].lstrip(" :,;-\u2013\u2014.").strip()
        return rest or None

    def alternatives(self, raw: Any, list_name: str | None) -> list[str]:
        """A cell and the other ways its choice is written (name, labels in every language),
        when ``list_name`` has a choice it matches: a country asked as a select_one exports
        ``sen`` but is labelled ``Sénégal``."""
        text = cell_text(raw)
        if text is None:
            return []
        found = [text]
        if list_name is None:
            return found
        token = normalize_label(text)
        for level in self.choices.get(list_name, []):
            texts = _level_texts(level)
            if token in {normalize_label(t) for t in texts}:
                found.extend(t for t in texts if t not in found)
                break
        return found

    def code_field(self, raw: Any, list_name: str, form_list: str | None = None) -> CodedValue:
        """Code a respondent field (role, gender, …) through its default list; a field asked
        as a select_one of a form is tried by each of its choice's labels too."""
        first: CodedValue | None = None
        for text in self.alternatives(raw, form_list) or [raw]:
            coded = self.code(text, list_name)
            if coded.status == "ok":
                return coded
            first = first or coded
        return first if first is not None else self.code(raw, list_name)

    def choice_text(self, raw: Any, form_list: str | None, language: str) -> str | None:
        """A free-text field asked as a select_one of a form: the choice's label in
        ``language`` (else its first label) instead of its XML name; other cells as they are."""
        text = cell_text(raw)
        if text is None or form_list is None:
            return text
        token = normalize_label(text)
        for level in self.choices.get(form_list, []):
            if token in {normalize_label(t) for t in _level_texts(level)}:
                label = level.get(f"label_{language}")
                return str(label) if label else _level_label(level)
        return text

    def _retro_marker(self, segment: str) -> str | None:
        for marker in self.retro_markers:
            if segment == marker or (
                segment.startswith(marker) and not segment[len(marker)].isalnum()
            ):
                return marker
        return None

    def _lookup(self, key: str, instrument: str | None) -> CodebookEntry | None:
        found = self._index.get(key)
        if not found:
            return None
        return self._pick(found, instrument)

    @staticmethod
    def _pick(found: list[CodebookEntry], instrument: str | None) -> CodebookEntry:
        for entry in found:
            if instrument is not None and entry.instrument == instrument:
                return entry
        for entry in found:
            if entry.instrument is None:
                return entry
        return found[0]

    @staticmethod
    def _finish(entry: CodebookEntry, header: str, *, retro: bool, alter: str | None = None,
                option: str | None = None) -> CodebookEntry:
        return dataclasses.replace(
            entry,
            header=header,
            retro=retro or entry.wave == "retro",
            alter=alter,
            option=option,
        )

    # ------------------------------------------------------------------ values
    def is_missing_code(self, raw: Any) -> bool:
        """True when ``raw`` is one of config/missing_codes.yaml (normalised)."""
        return normalize_label(raw) in self.missing_codes or normalize_code(raw) in self.missing_codes

    def allowed(self, list_name: str) -> list[str]:
        """Codes of a choice list, in order."""
        return list(self._labels.get(list_name, {}))

    def choice_label(self, list_name: str, code: str) -> str | None:
        """English label of a code of a choice list."""
        return self._labels.get(list_name, {}).get(normalize_code(code))

    def code(self, raw: Any, list_name: str | None, *, kind: str = "select_one",
             recode: dict | tuple | None = None) -> CodedValue:
        """Harmonise one answer.

        A cell matches a choice by its code or by any language's label (normalised); an
        ``integer`` item takes a number; a missing code gives ``missing``; anything else
        ``unknown``. ``value`` is the code as a number (for a non-numeric code, its 1-based
        position in the list) and ``label`` its English label.
        """
        if is_blank(raw):
            return CodedValue("empty")
        text = str(raw).strip()
        if kind == "text":
            if self.is_missing_code(text):
                return CodedValue("missing", raw=text)
            return CodedValue("ok", raw=text)
        if list_name is None or kind == "integer":
            try:
                number = float(text.replace(",", ".")) if kind == "integer" or list_name is None else None
            except ValueError:
                number = None
            if number is not None and not self.is_missing_code(text):
                code = apply_recode(recode, normalize_code(number))
                return CodedValue("ok", code=code, value=float(code), raw=text)
            if self.is_missing_code(text):
                return CodedValue("missing", raw=text)
            return CodedValue("unknown", raw=text)
        tokens = self._tokens.get(list_name)
        if tokens is None:
            raise DataError(f"choice list {list_name!r} is not defined in choices.yaml or the codebook",
                            code=ProblemCode.CODEBOOK)
        code = tokens.get(normalize_label(text)) or tokens.get(normalize_code(text))
        if code is None:
            code = self._loose.get(list_name, {}).get(loose_label(text))
        if code == _MISSING:
            return CodedValue("missing", raw=text)
        if code is None:
            if self.is_missing_code(text):
                return CodedValue("missing", raw=text)
            return CodedValue("unknown", raw=text)
        code = apply_recode(recode, code)
        return CodedValue("ok", code=code, value=self._numeric(list_name, code),
                          label=self._labels[list_name].get(code), raw=text)

    def _numeric(self, list_name: str, code: str) -> float | None:
        try:
            return float(code)
        except ValueError:
            position = self._positions.get(list_name, {}).get(code)
            return float(position) if position is not None else None

    def split_multiple(self, raw: Any, list_name: str) -> tuple[list[str], list[str]]:
        """Split a select_multiple cell into (codes, unknown pieces).

        Whole labels are matched first (labels contain spaces), then codes; pieces are
        separated by spaces (Kobo codes), ``, `` (Google Forms) or ``;`` (MS Forms).
        """
        tokens = self._tokens.get(list_name)
        if tokens is None:
            raise DataError(f"choice list {list_name!r} is not defined in choices.yaml or the codebook",
                            code=ProblemCode.CODEBOOK)
        text = normalize_label(raw)
        ordered = sorted(tokens, key=len, reverse=True)
        codes: list[str] = []
        unknown: list[str] = []
        split_on = ";" if ";" in text else ("," if "," in text else " ")
        position = 0
        while position < len(text):
            while position < len(text) and text[position] in _SEPARATORS:
                position += 1
            if position >= len(text):
                break
            for token in ordered:
                end = position + len(token)
                if token and text.startswith(token, position) and (
                    end == len(text) or text[end] in _SEPARATORS
                ):
                    if tokens[token] not in codes and tokens[token] != _MISSING:
                        codes.append(tokens[token])
                    position = end
                    break
            else:
                end = text.find(split_on, position)
                end = len(text) if end < 0 else end
                piece = text[position:end].strip()
                if piece and not self.is_missing_code(piece):
                    unknown.append(piece)
                position = end + 1
        return codes, unknown

    def item(self, item_id: str) -> CodebookEntry | None:
        """The default entry of an item id (its type, choices, outcome, tool)."""
        for entry in self._index.get(normalize_label(item_id), []):
            if entry.item_id == item_id and entry.role in ("item", "grid"):
                return entry
        for entry in self.entries:
            if entry.item_id == item_id and entry.role in ("item", "grid"):
                return entry
        return None
