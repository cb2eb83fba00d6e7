"""The round manifest, ``data/raw/<round>/round.yaml``: what a round is and which files hold it.

The manifest is read with a strict safe loader (`exchange_eval.core.yaml_strict`: no
anchors, aliases, duplicate keys or tags; dates as text) and checked strictly: unknown
keys (typos) are errors with a suggestion, every value has the type its key needs (text,
list, ``YYYY-MM-DD`` date, year, a report language, ISO3 codes), round ids follow
``[a-z0-9][a-z0-9_-]*`` and match their folder, each export is listed once, and every
file named must stay inside the round folder (no ``..``, no absolute path, no symbolic
link pointing out; the round folder itself may not lead out of ``data/raw/``). Every
problem is a `ManifestError` naming the file, line and key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.config import translation_languages
from ..core.errors import DataErrors, ManifestError, Problem, ProblemCode
from ..core.paths import MANIFEST_NAME, check_round_id
from ..core.yaml_strict import ManifestLoader, load_strict
from ..ingest.platforms import PLATFORMS

__all__ = [
    "CODEBOOK_NAMES",
    "INSTRUMENTS",
    "SURVEY_INSTRUMENTS",
    "STRUCTURED_INSTRUMENTS",
    "ISO3_PATTERN",
    "WAVE_PATTERN",
    "Manifest",
    "Session",
    "Source",
    "WORKBOOK_SUFFIXES",
    "check_round_folder",
    "load_manifest",
    "safe_join",
]

# \Z, not $: "$" also matches before a final newline
ISO3_PATTERN = re.compile(r"^[A-Z]{3}\Z")
WAVE_PATTERN = re.compile(r"^(pre|post|retro|followup-\d+|pulse-\d+|[a-z0-9][a-z0-9_-]*)\Z")
#: files whose sheets are separate sources (the same CSV twice is one source listed twice)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: a manifest lists a few sessions and sources; anything larger is not one
MAX_MANIFEST_BYTES = 1 << 20
#: links are looked for among the first entries of a round folder only
MAX_SCANNED_ENTRIES = 10_000
YEAR_RANGE = (1900, 2100)

# What a source file holds. `outcomes` surveys may carry retro items too (see codebook).
INSTRUMENTS = (
    "roster",
    "session_feedback",
    "outcomes",
    "tool_feedback",
    "pulse",
    "ties",
    "plan_actions",
    "jsr_assessment",
    "jsr_quality",
)
#: instruments answered by respondents: one submission per row, harmonized through a codebook
SURVEY_INSTRUMENTS = ("session_feedback", "outcomes", "tool_feedback", "pulse", "ties")
#: instruments kept as sheets with fixed columns (one row per action, rating or country)
STRUCTURED_INSTRUMENTS = ("plan_actions", "jsr_assessment", "jsr_quality")
TOP_KEYS = {
    "round": True,
    "title": True,
    "community": True,
    "language": True,
    "host": False,
    "countries": True,
    "comparison": False,
    "sessions": False,
    "sources": True,
    "codebook": False,
    "year": False,
    "notes": False,
    "targets": False,
}
SOURCE_KEYS = {"file", "instrument", "wave", "platform", "codebook", "session", "sheet", "language", "form"}
#: a round codebook with one of these names in the round folder is used without being named
CODEBOOK_NAMES = ("codebook.xlsx", "codebook.csv")
SESSION_KEYS = {"id", "kind", "date", "title"}


@dataclass(frozen=True)
class Session:
    id: str
    kind: str
    date: dt.date | None = None
    title: str | None = None


@dataclass(frozen=True)
class Source:
    file: str
    path: Path
    instrument: str
    wave: str | None = None
    platform: str | None = None
    codebook: Path | None = None
    session: str | None = None
    sheet: str | None = None
    language: str | None = None
    form: Path | None = None  # the XLSForm the export came from


@dataclass(frozen=True)
class Manifest:
    round_id: str
    title: str
    community: str
    language: str
    countries: tuple[str, ...]
    path: Path
    host: str | None = None
    comparison: tuple[str, ...] = ()
    sessions: tuple[Session, ...] = ()
    sources: tuple[Source, ...] = ()
    codebook: Path | None = None
    year: int | None = None
    targets: dict[str, float] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sources_for(self, instrument: str) -> list[Source]:
        return [s for s in self.sources if s.instrument == instrument]


def safe_join(folder: Path, name: str, *, file: str | Path | None = None, key: str = "file",
              row: int | None = None) -> Path:
    """Join ``name`` to ``folder`` and refuse anything that leaves ``folder``.

    Absolute paths, ``..`` components and symlinks resolving outside are refused.
    """
    if not isinstance(name, str) or not name.strip():
        raise ManifestError(f"{key} must be a file name", file=file, row=row, column=key)
    candidate = Path(name)
    if candidate.is_absolute() or ".." in candidate.parts or name.startswith("~"):
        raise ManifestError(
            f"{key} {name!r} points outside the round folder; name a file inside it",
            file=file,
            row=row,
            column=key,
        )
    joined = folder / candidate
    try:
        joined.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):  # outside, or a loop of links
        raise ManifestError(
            f"{key} {name!r} resolves outside the round folder (symbolic link?)",
            file=file,
            row=row,
            column=key,
        ) from None
    return joined


def _kind(value: Any) -> str:
    """What a YAML value is, in words, for a message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def _lines(value: Any) -> Any:
    return getattr(value, "lines", None) or {}


class _Checker:
    """Type checks of one manifest; each failure is a `ManifestError` at its line and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, row: int | None, column: str | None) -> ManifestError:
        return ManifestError(message, file=self.path, row=row, column=column)

    def text(self, value: Any, key: str, row: int | None, *, required: bool = False) -> str | None:
        """A scalar as text (numbers too: ``year: 2025``, ``sheet: 2024``); None when blank."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"required key {key!r} is missing or empty", row, key)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"{key} must be text, not {_kind(value)} ({value!r})", row, key)
        return str(value).strip()

    def mapping(self, value: Any, what: str, row: int | None, column: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping of keys, not {_kind(value)}", row, column)
        return value

    def keys(self, entry: dict, allowed: set[str] | dict, where: str, row: int | None) -> None:
        for key in entry:
            if not isinstance(key, str) or key not in allowed:
                hint = difflib.get_close_matches(str(key), list(allowed), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
                raise self.fail(f"unknown key {key!r} in {where}{suggestion}", _lines(entry).get(key, row), str(key))

    def items(self, value: Any, key: str, row: int | None) -> list[tuple[Any, int | None]]:
        """The items of a list (a single scalar counts as a list of one), with their lines."""
        if value is None:
            return []
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return [(value, row)]
        if not isinstance(value, list):
            raise self.fail(f"{key} must be a list, not {_kind(value)}", row, key)
        lines = list(_lines(value)) or [row] * len(value)
        return list(zip(value, lines, strict=True))

    def countries(self, value: Any, key: str, row: int | None) -> tuple[str, ...]:
        codes = []
        for item, line in self.items(value, key, row):
            code = (self.text(item, key, line) or "").upper()
            if not ISO3_PATTERN.fullmatch(code):
                raise self.fail(f"{code or item!r} is not an ISO 3166 alpha-3 country code", line, key)
            codes.append(code)
        return tuple(codes)

    def date(self, value: Any, row: int | None, column: str) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        text = self.text(value, column, row) or ""
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise self.fail(f"date {value!r} is not a calendar date written YYYY-MM-DD", row, column) from None

    def year(self, value: Any, row: int | None) -> int | None:
        if value is None:
            return None
        text = self.text(value, "year", row) or ""
        if not re.fullmatch(r"\d{4}", text) or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
            raise self.fail(f"year {value!r} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}", row, "year")
        return int(text)


def check_round_folder(folder: Path) -> None:
    """Refuse a round folder that leads outside ``data/raw/``, and links inside it that
    lead outside it (a linked ``round.yaml``, ``corrections.csv``, choice list or export).

    Raises
    ------
    ManifestError
        Naming the folder or the link.
    """
    try:
        resolved = folder.resolve()
        outside = not resolved.is_relative_to(folder.parent.resolve())
    except (OSError, RuntimeError):  # a loop of links
        outside = True
    if outside:
        raise ManifestError("the round folder is a symbolic link to a place outside the raw data folder; "
                            "move the round into it instead", file=folder)
    seen = 0
    for root, dirs, files in os.walk(resolved, followlinks=False):
        for name in [*dirs, *files]:
            seen += 1
            if seen > MAX_SCANNED_ENTRIES:
                return
            entry = Path(root) / name
            if not entry.is_symlink():
                continue
            try:
                inside = entry.resolve().is_relative_to(resolved)
            except (OSError, RuntimeError):
                inside = False
            if not inside:
                raise ManifestError("a symbolic link to a place outside the round folder: copy the file into "
                                    "the folder instead", file=entry)


def load_manifest(folder: str | Path) -> Manifest:
    """Read and check ``<folder>/round.yaml``; raise `ManifestError` naming file, row and key.

    The manifest is read by `exchange_eval.core.yaml_strict.ManifestLoader`: anchors,
    aliases, duplicate keys and tags are refused, dates stay text. Every field is
    type-checked (text, list, date, year, known language, ISO3 codes, instrument,
    platform, wave); a source file listed twice and links leading out of the round
    folder (`check_round_folder`) are refused. Every file the manifest names but the
    folder lacks (sources, forms, codebooks) is reported at once (`DataErrors` when there
    are several). Without a ``codebook:``, a round codebook named as `CODEBOOK_NAMES` in
    the round folder is used.
    """
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    check_round_folder(folder)
    if not path.is_file():
        raise ManifestError(f"no {MANIFEST_NAME} in {folder}: every round folder needs a manifest", file=path)
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"the manifest is larger than {MAX_MANIFEST_BYTES // 1024} kB: a round manifest "
                            "lists a few sources and sessions", file=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    try:
        raw = load_strict(text, ManifestLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ManifestError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=path,
            row=mark.line + 1 if mark is not None else None,
        ) from None
    try:
        return _read_manifest(folder, path, raw)
    except ManifestError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:  # a check this module forgot: still located
        raise ManifestError(f"cannot read the manifest: {exc}", file=path) from None


def _read_manifest(folder: Path, path: Path, raw: Any) -> Manifest:
    check = _Checker(path)
    if not isinstance(raw, dict):
        raise ManifestError("the manifest must be a mapping of keys (round, title, sources, …)", file=path)
    lines = _lines(raw)
    check.keys(raw, TOP_KEYS, "the manifest", None)
    for key, required in TOP_KEYS.items():
        if required and raw.get(key) in (None, "", []):
            raise ManifestError(f"required key {key!r} is missing or empty", file=path, row=lines.get(key), column=key)

    round_value = raw["round"]  # not stripped: "r1\n" is not the folder r1
    if not isinstance(round_value, str):
        round_value = check.text(round_value, "round", lines.get("round"), required=True) or ""
    round_id = check_round_id(round_value, file=path)
    if folder.name != round_id:
        raise check.fail(f"round id {round_id!r} does not match its folder name {folder.name!r}",
                         lines.get("round"), "round")
    title = check.text(raw["title"], "title", lines.get("title"), required=True) or ""
    community = check.text(raw["community"], "community", lines.get("community"), required=True) or ""
    language = (check.text(raw["language"], "language", lines.get("language"), required=True) or "").lower()
    known = translation_languages()
    if language not in known:
        raise check.fail(f"language {language!r} has no translation table; use one of {', '.join(known)}",
                         lines.get("language"), "language")
    countries = check.countries(raw.get("countries"), "countries", lines.get("countries"))
    comparison = check.countries(raw.get("comparison"), "comparison", lines.get("comparison"))
    host = raw.get("host")
    if host is not None:
        host = check.countries(check.text(host, "host", lines.get("host")), "host", lines.get("host"))[0]
    check.text(raw.get("notes"), "notes", lines.get("notes"))
    year = check.year(raw.get("year"), lines.get("year"))
    sessions = _sessions(check, raw.get("sessions"), lines.get("sessions"))
    targets = _targets(check, raw.get("targets"), lines.get("targets"))

    codebook = None
    missing: list[Problem] = []  # every file named but absent, reported together
    if raw.get("codebook") is not None:
        name = check.text(raw["codebook"], "codebook", lines.get("codebook"), required=True) or ""
        codebook = safe_join(folder, name, file=path, key="codebook", row=lines.get("codebook"))
        if not codebook.is_file():
            missing.append(Problem(str(path), f"codebook {name!r} does not exist in {folder}",
                                   lines.get("codebook"), "codebook", code=ProblemCode.MANIFEST))
    else:
        codebook = next((folder / name for name in CODEBOOK_NAMES if (folder / name).is_file()), None)
    sources = _sources(check, folder, raw["sources"], lines.get("sources"), codebook, missing)
    if len(missing) == 1:
        raise check.fail(missing[0].message, missing[0].row, missing[0].column)
    if missing:
        raise DataErrors(missing)

    session_ids = {s.id for s in sessions}
    for source, row in sources:
        if source.session is not None and session_ids and source.session not in session_ids:
            raise check.fail(f"session {source.session!r} of {source.file} is not among the round's sessions "
                             f"({', '.join(sorted(session_ids))})", row, "session")
    return Manifest(
        round_id=round_id,
        title=title,
        community=community,
        language=language,
        countries=countries,
        path=path,
        host=host,
        comparison=comparison,
        sessions=tuple(sessions),
        sources=tuple(source for source, _row in sources),
        codebook=codebook,
        year=year,
        targets=targets,
        raw=raw,
    )


def _targets(check: _Checker, value: Any, row: int | None) -> dict[str, float]:
    """The results-framework targets of the manifest: indicator id -> number (a gain in
    scale points, or a share written 0.6 or 60%)."""
    if value is None:
        return {}
    check.mapping(value, "targets (indicator -> number, e.g. new_knowledge: 0.5)", row, "targets")
    out: dict[str, float] = {}
    for key, target in value.items():
        line = _lines(value).get(key, row)
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise check.fail(f"target {key!r} is not an indicator id (lower case, digits, _)", line, "targets")
        percent = isinstance(target, str) and target.strip().endswith("%")
        text_value = target.strip().rstrip("%").replace(",", ".") if isinstance(target, str) else target
        try:
            number = None if isinstance(target, bool) else float(text_value) / (100 if percent else 1)
        except (TypeError, ValueError):
            number = None
        if number is None or number != number:
            raise check.fail(f"target {key!r} must be a number (0.5, 0.6 or 60%), not {target!r}", line, "targets")
        out[key] = number
    return out


def _sessions(check: _Checker, value: Any, row: int | None) -> list[Session]:
    sessions: list[Session] = []
    seen: set[str] = set()
    for entry, line in check.items(value, "sessions", row):
        entry = check.mapping(entry, "each session", line, "sessions")
        check.keys(entry, SESSION_KEYS, "a session", line)
        at = _lines(entry)
        session_id = check.text(entry.get("id"), "id", at.get("id", line), required=True) or ""
        if session_id in seen:
            raise check.fail(f"session id {session_id!r} is given twice", at.get("id", line), "id")
        seen.add(session_id)
        sessions.append(Session(
            id=session_id,
            kind=check.text(entry.get("kind"), "kind", at.get("kind", line)) or "virtual",
            date=check.date(entry.get("date"), at.get("date", line), "date"),
            title=check.text(entry.get("title"), "title", at.get("title", line)),
        ))
    return sessions


def _sources(check: _Checker, folder: Path, value: Any, row: int | None,
             codebook: Path | None, missing: list[Problem]) -> list[tuple[Source, int | None]]:
    """Every source with the line of its entry; a file listed twice is refused; every
    source file, form or codebook the folder lacks is added to ``missing``."""
    if not isinstance(value, list):
        raise check.fail(f"sources must be a list, not {_kind(value)}", row, "sources")
    sources: list[tuple[Source, int | None]] = []
    seen: dict[tuple, tuple[str, int | None]] = {}
    for entry, line in check.items(value, "sources", row):
        entry = check.mapping(entry, "each source (file and instrument)", line, "sources")
        check.keys(entry, SOURCE_KEYS, "a source", line)
        at = _lines(entry)

        def field(key: str, *, required: bool = False, entry: dict = entry, at: dict = at,
                  line: int | None = line) -> str | None:
            return check.text(entry.get(key), key, at.get(key, line), required=required)

        name = field("file", required=True) or ""
        row_of = at.get("file", line)
        instrument = field("instrument") or ""
        if instrument not in INSTRUMENTS:
            hint = difflib.get_close_matches(instrument, INSTRUMENTS, n=1)
            raise check.fail(f"instrument {entry.get('instrument')!r} is not one of {', '.join(INSTRUMENTS)}"
                             + (f"; did you mean {hint[0]!r}?" if hint else ""), at.get("instrument", line),
                             "instrument")
        platform = field("platform")
        if platform is not None and platform not in PLATFORMS:
            raise check.fail(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}",
                             at.get("platform", line), "platform")
        wave = field("wave")
        if wave is not None and not WAVE_PATTERN.fullmatch(wave):
            raise check.fail(f"wave {wave!r} is not allowed", at.get("wave", line), "wave")
        language = field("language")
        if language is not None and not re.fullmatch(r"[a-z]{2}", language.lower()):
            raise check.fail(f"language {language!r} must be a two-letter code (en, fr, …)",
                             at.get("language", line), "language")
        sheet = field("sheet")
        file_path = safe_join(folder, name, file=check.path, row=row_of)
        form_name = field("form")
        form = safe_join(folder, form_name, file=check.path, key="form", row=at.get("form", line)) if form_name else None
        if form is not None and not form.is_file():
            missing.append(Problem(str(check.path), f"form {form_name!r} of {name} does not exist in {folder}",
                                   at.get("form", line), "form", code=ProblemCode.MANIFEST))
        source_codebook = field("codebook")
        own_codebook = safe_join(folder, source_codebook, file=check.path, key="codebook",
                                 row=at.get("codebook", line)) if source_codebook else None
        if own_codebook is not None and not own_codebook.is_file():
            missing.append(Problem(str(check.path), f"codebook {source_codebook!r} of {name} does not exist in "
                                   f"{folder}", at.get("codebook", line), "codebook", code=ProblemCode.MANIFEST))
        if not file_path.is_file():
            missing.append(Problem(str(check.path), f"source file {name!r} does not exist in {folder}", row_of,
                                   "file", code=ProblemCode.MANIFEST))
            continue
        stat = file_path.stat()
        identity = (stat.st_dev, stat.st_ino, sheet if file_path.suffix.lower() in WORKBOOK_SUFFIXES else None)
        if identity in seen:
            first_name, first_row = seen[identity]
            raise check.fail(f"source file {name!r} is listed twice (also as {first_name!r} on line {first_row}): "
                             "each export is read once", row_of, "file")
        seen[identity] = (name, row_of)
        sources.append((Source(
            file=name,
            path=file_path,
            instrument=instrument,
            wave=wave,
            platform=platform,
            codebook=own_codebook or codebook,
            session=field("session"),
            sheet=sheet,
            language=language.lower() if language else None,
            form=form,
        ), row_of))
    return sources
