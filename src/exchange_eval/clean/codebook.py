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
    sessions_attended, submitted_at, started_at, ended_at, duration_s, registered_on.
``recode``
    ``5=4;4=5`` (pairs ``old=new`` separated by ``;`` or ``,``, applied to codes after
    labels are turned into codes), or ``1-5`` (reverse a scale: ``new = 1 + 5 - old``).

The ``choices`` sheet has ``list_name, value, label_en, label_fr, …`` (one ``label_xx``
column per language). A list named there replaces the default list of the same name.

The default codebook is derived from ``config/instruments.yaml`` and ``choices.yaml``:
every item matches by its English label, French label or item id, every field by its
labels; `load_codebook` overlays a round codebook on it (its rows win).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.config import choice_lists, instruments, load_config
from ..core.errors import DataError, DataErrors, Problem, UsageError

__all__ = [
    "Codebook",
    "CodebookEntry",
    "CodedValue",
    "IDENTITY_ROLES",
    "FIELD_ROLES",
    "load_codebook",
    "normalize_label",
    "parse_recode",
    "write_template",
]

#: Roles whose values identify a person: used to derive the pid, never stored.
IDENTITY_ROLES = frozenset(
    {"email", "name", "first_name", "last_name", "phone", "ip", "recipient", "location"}
)
#: Respondent fields a codebook row may name in ``role``.
FIELD_ROLES = IDENTITY_ROLES | {
    "country",
    "organisation",
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

# Platform metadata columns every export may carry; they are not in instruments.yaml.
_PLATFORM_FIELDS: dict[str, list[str]] = {
    "ended_at": ["end", "endtime", "Heure de fin"],
    "email": ["Adresse de messagerie", "Email Address"],
    "submitted_at": ["_submission_time", "RecordedDate", "Submission Date", "Date submitted"],
    "started_at": ["StartDate", "Start time"],
    "duration_s": ["Duration (in seconds)", "Duration", "Durée (en secondes)"],
    "ip": ["IP Address", "IPAddress", "ipaddr", "Adresse IP"],
    "recipient": [
        "Recipient Email",
        "Recipient First Name",
        "Recipient Last Name",
        "RecipientEmail",
        "RecipientFirstName",
        "RecipientLastName",
        "ExternalReference",
        "Custom Data 1",
    ],
    "location": [
        "LocationLatitude",
        "LocationLongitude",
        "_geolocation",
        "Latitude",
        "Longitude",
        "gps",
    ],
    "ignore": [
        "Respondent ID",
        "Collector ID",
        "ResponseId",
        "Response ID",
        "Status",
        "Progress",
        "Finished",
        "DistributionChannel",
        "UserLanguage",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "username",
        "audit",
        "_id",
        "_uuid",
        "_index",
        "_parent_index",
        "_validation_status",
        "_status",
        "_submitted_by",
        "_tags",
        "_notes",
        "__version__",
        "_version_",
        "meta/instanceID",
        "instanceID",
        "meta/rootUuid",
        "formhub/uuid",
        "Id",
        "ID",
        "Last modified time",
        "Heure de la dernière modification",
    ],
}
# SurveyMonkey's second header row under a single question ("Question/Response").
_RESPONSE_SUFFIXES = {"response", "open-ended response", "reponse", "reponse ouverte"}
_SEPARATORS = " ,;\n\t"


def normalize_label(text: Any) -> str:
    """Normalise a header or answer for matching.

    Casefold, strip accents, curly apostrophes to straight ones, collapse white space and
    strip trailing ``:``, ``?``, ``*`` and spaces.

    Examples
    --------
    >>> normalize_label("  Quels thèmes ont été les plus utiles ?* ")
    'quels themes ont ete les plus utiles'
    >>> normalize_label("J’ai eu  suffisamment")
    "j'ai eu suffisamment"
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = str(text)
    for curly in ("\u2019", "\u2018", "\u02bc", "\u2032", "`", "\u00b4"):
        s = s.replace(curly, "'")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold()
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"[\s:?*]+$", "", s)
    return s


def _norm_code(value: Any) -> str:
    """Codes compare as normalised text; ``4.0`` and ``4`` are the same code."""
    s = normalize_label(value)
    try:
        number = float(s)
    except ValueError:
        return s
    if number.is_integer():
        return str(int(number))
    return s


def parse_recode(spec: Any, *, file: str | None = None, row: int | None = None) -> dict | tuple | None:
    """Parse a codebook ``recode`` cell.

    ``"5=4;4=5"`` gives ``{"5": "4", "4": "5"}``; ``"1-5"`` gives the reversal
    ``("reverse", 1, 5)``. Blank gives None. Anything else raises `DataError`.
    """
    if spec is None or (isinstance(spec, float) and pd.isna(spec)) or not str(spec).strip():
        return None
    text = str(spec).strip()
    reverse = re.fullmatch(r"(-?\d+)\s*-\s*(-?\d+)", text)
    if reverse:
        low, high = int(reverse.group(1)), int(reverse.group(2))
        return ("reverse", low, high)
    mapping: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise DataError(
                f"recode {text!r} is not understood: write old=new pairs separated by ';' "
                "(e.g. 5=4;4=5) or a range to reverse (e.g. 1-5)",
                file=file,
                row=row,
                column="recode",
            )
        old, new = part.split("=", 1)
        mapping[_norm_code(old)] = _norm_code(new)
    return mapping


def _apply_recode(recode: dict | tuple | None, code: str) -> str:
    if recode is None:
        return code
    if isinstance(recode, tuple):
        _, low, high = recode
        try:
            return _norm_code(low + high - float(code))
        except ValueError:
            return code
    return recode.get(code, code)


@dataclass(frozen=True)
class CodebookEntry:
    """How one exported column maps to the canonical tables.

    ``role`` is ``item`` (a questionnaire item), ``grid`` (a ties grid cell: ``item_id`` is
    the grid id and ``alter`` the named organisation), ``ignore`` or a field role.
    ``option`` is set for a split select_multiple column (Kobo ``question/option``):
    the option's code. ``retro`` is True when the header carries a retro marker or the
    codebook sets ``wave: retro``.
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
    """Column matcher and answer harmoniser; build it with `load_codebook`."""

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
        for entry in self.entries:
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
        self._labels: dict[str, dict[str, str]] = {}
        self._positions: dict[str, dict[str, int]] = {}
        for name, levels in self.choices.items():
            tokens: dict[str, str] = {}
            labels: dict[str, str] = {}
            positions: dict[str, int] = {}
            for position, level in enumerate(levels, start=1):
                code = _norm_code(level.get("value"))
                positions[code] = position
                labels[code] = str(level.get("label_en") or level.get("value"))
                tokens.setdefault(code, code)
                for key, label in level.items():
                    if key.startswith("label") and label is not None and str(label).strip():
                        tokens.setdefault(normalize_label(label), code)
            self._tokens[name] = tokens
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
        return normalize_label(raw) in self.missing_codes or _norm_code(raw) in self.missing_codes

    def allowed(self, list_name: str) -> list[str]:
        """Codes of a choice list, in order."""
        return list(self._labels.get(list_name, {}))

    def choice_label(self, list_name: str, code: str) -> str | None:
        """English label of a code of a choice list."""
        return self._labels.get(list_name, {}).get(_norm_code(code))

    def code(self, raw: Any, list_name: str | None, *, kind: str = "select_one",
             recode: dict | tuple | None = None) -> CodedValue:
        """Harmonise one answer.

        A cell matches a choice by its code or by any language's label (normalised); an
        ``integer`` item takes a number; a missing code gives ``missing``; anything else
        ``unknown``. ``value`` is the code as a number (for a non-numeric code, its 1-based
        position in the list) and ``label`` its English label.
        """
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)) or not str(raw).strip():
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
                code = _apply_recode(recode, _norm_code(number))
                return CodedValue("ok", code=code, value=float(code), raw=text)
            if self.is_missing_code(text):
                return CodedValue("missing", raw=text)
            return CodedValue("unknown", raw=text)
        tokens = self._tokens.get(list_name)
        if tokens is None:
            raise DataError(f"choice list {list_name!r} is not defined in choices.yaml or the codebook")
        code = tokens.get(normalize_label(text)) or tokens.get(_norm_code(text))
        if code is None:
            if self.is_missing_code(text):
                return CodedValue("missing", raw=text)
            return CodedValue("unknown", raw=text)
        code = _apply_recode(recode, code)
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
            raise DataError(f"choice list {list_name!r} is not defined in choices.yaml or the codebook")
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
                    if tokens[token] not in codes:
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


# ---------------------------------------------------------------------- loading
def _default_entries(data_dir: str | Path | None) -> tuple[list[CodebookEntry], list[str]]:
    config = instruments(data_dir)
    entries: list[CodebookEntry] = []
    for role, spec in (config.get("fields") or {}).items():
        role_name = role if role in FIELD_ROLES else "ignore"
        labels: list[str] = [role]
        for key, value in spec.items():
            if key.startswith("label"):
                labels.extend(value if isinstance(value, list) else [value])
        for label in labels:
            entries.append(CodebookEntry(source=str(label), role=role_name, choices=spec.get("choices")))
    for role, labels in _PLATFORM_FIELDS.items():
        for label in labels:
            entries.append(CodebookEntry(source=label, role=role))
    for instrument, spec in (config.get("instruments") or {}).items():
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
    for value in (config.get("retro_markers") or {}).values():
        markers.extend(value if isinstance(value, list) else [value])
    return entries, sorted({normalize_label(m) for m in markers}, key=len, reverse=True)


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip()


def _text(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _read_sheets(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not path.is_file():
        raise DataError("codebook file does not exist", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            sheets = pd.read_excel(path, sheet_name=None, dtype=str)
            lowered = {name.strip().lower(): frame for name, frame in sheets.items()}
            if "codebook" not in lowered:
                raise DataError(
                    f"the codebook workbook needs a sheet named 'codebook' (found: {', '.join(sheets)})",
                    file=path,
                )
            return lowered["codebook"], lowered.get("choices")
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else None
            rows = pd.read_csv(path, dtype=str, sep=sep, engine="python", encoding="utf-8-sig")
            choices_path = path.with_name(f"{path.stem}_choices{path.suffix}")
            choices = None
            if choices_path.is_file():
                choices = pd.read_csv(choices_path, dtype=str, sep=sep, engine="python", encoding="utf-8-sig")
            return rows, choices
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the codebook: {exc}", file=path) from None
    raise DataError("a codebook is an .xlsx workbook or a .csv file", file=path)


def _round_entries(path: Path, defaults: Codebook) -> tuple[list[CodebookEntry], dict[str, list[dict]]]:
    rows, choices_frame = _read_sheets(path)
    rows.columns = [normalize_label(c).replace(" ", "_") for c in rows.columns]
    if "source" not in rows.columns:
        raise DataError("the codebook has no 'source' column", file=path, column="source")
    problems: list[Problem] = []
    entries: list[CodebookEntry] = []
    for index, row in rows.iterrows():
        line = int(index) + 2
        source = _text(row.get("source"))
        if source is None:
            continue
        item_id = _text(row.get("item_id"))
        role = (_text(row.get("role")) or ("item" if item_id else "")).lower()
        if not role:
            continue  # an unmapped template row: the column stays unmapped
        if role not in ROLES:
            problems.append(Problem(str(path), f"role {role!r} is not one of {', '.join(sorted(ROLES))}", line, "role"))
            continue
        if source.startswith("re:"):
            try:
                re.compile(source[3:])
            except re.error as exc:
                problems.append(Problem(str(path), f"bad regular expression: {exc}", line, "source"))
                continue
        try:
            recode = parse_recode(row.get("recode"), file=str(path), row=line)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        inherited = defaults.item(item_id) if item_id and role in ("item", "grid") else None
        kind = _text(row.get("type")) or (inherited.type if inherited else None)
        choices = _text(row.get("choices")) or (inherited.choices if inherited else None)
        if role == "item" and kind is None:
            kind = "select_one" if choices else "text"
        if kind is not None and kind not in ITEM_TYPES:
            problems.append(Problem(str(path), f"type {kind!r} is not one of {', '.join(ITEM_TYPES)}", line, "type"))
            continue
        if role == "item" and not item_id:
            problems.append(Problem(str(path), "role 'item' needs an item_id", line, "item_id"))
            continue
        entries.append(
            CodebookEntry(
                source=source,
                role=role,
                item_id=item_id,
                instrument=_text(row.get("instrument")) or (inherited.instrument if inherited else None),
                outcome=_text(row.get("outcome")) or (inherited.outcome if inherited else None),
                choices=choices,
                type=kind,
                tool=_text(row.get("tool")) or (inherited.tool if inherited else None),
                wave=_text(row.get("wave")),
                recode=recode,
                origin="round",
            )
        )
    lists: dict[str, list[dict]] = {}
    if choices_frame is not None and len(choices_frame):
        choices_frame.columns = [normalize_label(c).replace(" ", "_") for c in choices_frame.columns]
        for column in ("list_name", "value"):
            if column not in choices_frame.columns:
                problems.append(Problem(str(path), f"the choices sheet has no {column!r} column", None, column))
        if not problems:
            for _, row in choices_frame.iterrows():
                name, value = _text(row.get("list_name")), _text(row.get("value"))
                if name is None or value is None:
                    continue
                level: dict[str, Any] = {"value": _maybe_int(value)}
                for column in choices_frame.columns:
                    if column.startswith("label") and _text(row.get(column)):
                        level[column] = _text(row.get(column))
                lists.setdefault(name, []).append(level)
    for entry in entries:
        if entry.choices and entry.choices not in lists and entry.choices not in defaults.choices:
            problems.append(Problem(str(path), f"choice list {entry.choices!r} of {entry.source!r} is not defined", None, "choices"))
    if problems:
        raise DataErrors(problems)
    return entries, lists


def _maybe_int(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def load_codebook(path: str | Path | Iterable[str | Path] | None = None,
                  data_dir: str | Path | None = None) -> Codebook:
    """The default codebook, overlaid by the round codebook(s) at ``path``.

    Parameters
    ----------
    path
        A codebook ``.xlsx`` (sheets ``codebook`` and ``choices``) or ``.csv`` (with an
        optional ``<stem>_choices.csv`` beside it), several of them, or None.
    data_dir
        The data folder; its ``config/`` overrides the packaged instruments, choices and
        missing codes.

    Returns
    -------
    Codebook

    Raises
    ------
    DataError, DataErrors
        When a codebook cannot be read or has bad rows (every bad row is listed).
    """
    entries, markers = _default_entries(data_dir)
    lists = choice_lists(data_dir)
    missing_config = load_config("missing_codes.yaml", data_dir) or {}
    missing = {normalize_label(c) for c in missing_config.get("codes", [])}
    missing |= {_norm_code(c) for c in missing_config.get("codes", [])}
    codebook = Codebook(entries=entries, choices=lists, missing_codes=missing, retro_markers=markers)
    if path is None:
        return codebook
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    for one in paths:
        round_entries, round_lists = _round_entries(one, codebook)
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


# ---------------------------------------------------------------------- template
TEMPLATE_COLUMNS = ["source", "item_id", "instrument", "outcome", "choices", "type", "tool",
                    "wave", "role", "recode", "note", "files"]
_STRUCTURED = ("plan_actions", "jsr_assessment", "jsr_quality")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", normalize_label(text)).strip("_")
    return slug[:40] or "column"


def write_template(ws: Any, round_id: str, output: str | Path | None = None) -> Path:
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
    from ..ingest import read_export
    from .manifest import load_manifest

    folder = ws.require_round(round_id)
    manifest = load_manifest(folder)
    target = Path(output) if output is not None else folder / "codebook.xlsx"
    if target.exists():
        raise UsageError(f"{target} exists already: move it away or name another --output")
    round_codebooks = sorted({s.codebook for s in manifest.sources if s.codebook is not None})
    codebook = load_codebook(round_codebooks or None, data_dir=ws.data_dir)

    rows: dict[str, dict[str, Any]] = {}
    drafts: list[dict[str, Any]] = []
    for source in manifest.sources:
        if source.instrument in _STRUCTURED:
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
    from ..core.atomic import atomic_path

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
