"""The round manifest, ``data/raw/<round>/round.yaml``: what a round is and which files hold it.

The manifest is read with ``yaml.safe_load`` and checked strictly: unknown keys (typos)
are errors with a suggestion, round ids follow ``[a-z0-9][a-z0-9_-]*`` and match their
folder, and every file named must stay inside the round folder (no ``..``, no absolute
path, no symlink pointing out).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ManifestError
from ..core.paths import MANIFEST_NAME, check_round_id
from ..ingest.platforms import PLATFORMS

__all__ = [
    "INSTRUMENTS",
    "SURVEY_INSTRUMENTS",
    "STRUCTURED_INSTRUMENTS",
    "ISO3_PATTERN",
    "WAVE_PATTERN",
    "Manifest",
    "Session",
    "Source",
    "load_manifest",
    "safe_join",
]

ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")
WAVE_PATTERN = re.compile(r"^(pre|post|retro|followup-\d+|pulse-\d+|[a-z0-9][a-z0-9_-]*)$")

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
SOURCE_KEYS = {"file", "instrument", "wave", "platform", "codebook", "session", "sheet", "language"}
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
    resolved_folder = folder.resolve()
    try:
        joined.resolve().relative_to(resolved_folder)
    except ValueError:
        raise ManifestError(
            f"{key} {name!r} resolves outside the round folder (symbolic link?)",
            file=file,
            row=row,
            column=key,
        ) from None
    return joined


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^\s*-?\s*{re.escape(key)}\s*:", line):
            return number
    return None


def _unknown_key(key: str, allowed: set[str] | dict, where: str, path: Path, text: str) -> ManifestError:
    hint = difflib.get_close_matches(str(key), list(allowed), n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
    return ManifestError(
        f"unknown key {key!r} in {where}{suggestion}", file=path, row=_line_of(text, str(key)), column=str(key)
    )


def _as_date(value: Any, *, path: Path, row: int | None, column: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ManifestError(
            f"date {value!r} is not an ISO date (YYYY-MM-DD)", file=path, row=row, column=column
        ) from None


def _country_list(value: Any, key: str, path: Path, text: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ManifestError(f"{key} must be a list of ISO3 country codes", file=path, row=_line_of(text, key), column=key)
    codes = []
    for code in value:
        code = str(code).strip().upper()
        if not ISO3_PATTERN.match(code):
            raise ManifestError(
                f"{code!r} is not an ISO 3166 alpha-3 country code", file=path, row=_line_of(text, key), column=key
            )
        codes.append(code)
    return tuple(codes)


def load_manifest(folder: str | Path) -> Manifest:
    """Read and check ``<folder>/round.yaml``; raise `ManifestError` naming file, row and key."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"no {MANIFEST_NAME} in {folder}: every round folder needs a manifest", file=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ManifestError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=path,
            row=mark.line + 1 if mark is not None else None,
        ) from None
    if not isinstance(raw, dict):
        raise ManifestError("the manifest must be a mapping of keys (round, title, sources, …)", file=path)

    for key in raw:
        if key not in TOP_KEYS:
            raise _unknown_key(key, TOP_KEYS, "the manifest", path, text)
    for key, required in TOP_KEYS.items():
        if required and raw.get(key) in (None, "", []):
            raise ManifestError(f"required key {key!r} is missing or empty", file=path, column=key)

    round_id = check_round_id(str(raw["round"]), file=path)
    if folder.name != round_id:
        raise ManifestError(
            f"round id {round_id!r} does not match its folder name {folder.name!r}",
            file=path,
            row=_line_of(text, "round"),
            column="round",
        )
    language = str(raw["language"]).strip().lower()
    if not re.match(r"^[a-z]{2}$", language):
        raise ManifestError(
            f"language {language!r} must be a two-letter code (en, fr, …)", file=path, row=_line_of(text, "language"), column="language"
        )
    countries = _country_list(raw.get("countries"), "countries", path, text)
    comparison = _country_list(raw.get("comparison"), "comparison", path, text)
    host = raw.get("host")
    if host is not None:
        host = _country_list([host], "host", path, text)[0]

    sessions: list[Session] = []
    for entry in raw.get("sessions") or []:
        if not isinstance(entry, dict) or "id" not in entry:
            raise ManifestError("each session needs at least an id", file=path, row=_line_of(text, "sessions"), column="sessions")
        for key in entry:
            if key not in SESSION_KEYS:
                raise _unknown_key(key, SESSION_KEYS, "a session", path, text)
        sessions.append(
            Session(
                id=str(entry["id"]),
                kind=str(entry.get("kind", "virtual")),
                date=_as_date(entry.get("date"), path=path, row=_line_of(text, "date"), column="date"),
                title=entry.get("title"),
            )
        )

    codebook = None
    if raw.get("codebook"):
        codebook = safe_join(folder, str(raw["codebook"]), file=path, key="codebook", row=_line_of(text, "codebook"))

    sources: list[Source] = []
    seen_files: set[tuple[str, str | None]] = set()
    if not isinstance(raw["sources"], list):
        raise ManifestError("sources must be a list", file=path, row=_line_of(text, "sources"), column="sources")
    for entry in raw["sources"]:
        if not isinstance(entry, dict):
            raise ManifestError("each source must be a mapping with file and instrument", file=path, row=_line_of(text, "sources"), column="sources")
        for key in entry:
            if key not in SOURCE_KEYS:
                raise _unknown_key(key, SOURCE_KEYS, "a source", path, text)
        name = entry.get("file")
        row = _line_of(text, "file") if name is None else _find_row(text, str(name))
        if not name:
            raise ManifestError("a source has no file", file=path, row=row, column="file")
        instrument = entry.get("instrument")
        if instrument not in INSTRUMENTS:
            hint = difflib.get_close_matches(str(instrument), INSTRUMENTS, n=1)
            raise ManifestError(
                f"instrument {instrument!r} is not one of {', '.join(INSTRUMENTS)}"
                + (f"; did you mean {hint[0]!r}?" if hint else ""),
                file=path,
                row=row,
                column="instrument",
            )
        platform = entry.get("platform")
        if platform is not None and platform not in PLATFORMS:
            raise ManifestError(
                f"platform {platform!r} is not one of {', '.join(PLATFORMS)}", file=path, row=row, column="platform"
            )
        wave = entry.get("wave")
        if wave is not None and not WAVE_PATTERN.match(str(wave)):
            raise ManifestError(f"wave {wave!r} is not allowed", file=path, row=row, column="wave")
        file_path = safe_join(folder, str(name), file=path, row=row)
        if not file_path.is_file():
            raise ManifestError(f"source file {name!r} does not exist in {folder}", file=path, row=row, column="file")
        key = (str(name), entry.get("sheet"))
        if key in seen_files:
            raise ManifestError(f"source file {name!r} is listed twice", file=path, row=row, column="file")
        seen_files.add(key)
        source_codebook = entry.get("codebook")
        sources.append(
            Source(
                file=str(name),
                path=file_path,
                instrument=instrument,
                wave=str(wave) if wave is not None else None,
                platform=platform,
                codebook=safe_join(folder, str(source_codebook), file=path, key="codebook", row=row)
                if source_codebook else codebook,
                session=str(entry["session"]) if entry.get("session") is not None else None,
                sheet=entry.get("sheet"),
                language=entry.get("language"),
            )
        )
    session_ids = {s.id for s in sessions}
    for source in sources:
        if source.session is not None and session_ids and source.session not in session_ids:
            raise ManifestError(
                f"session {source.session!r} of {source.file} is not among the round's sessions "
                f"({', '.join(sorted(session_ids))})",
                file=path,
                row=_find_row(text, source.file),
                column="session",
            )
    year = raw.get("year")
    targets = _targets(raw.get("targets"), path, text)
    return Manifest(
        round_id=round_id,
        title=str(raw["title"]),
        community=str(raw["community"]),
        language=language,
        countries=countries,
        path=path,
        host=host,
        comparison=comparison,
        sessions=tuple(sessions),
        sources=tuple(sources),
        codebook=codebook,
        year=int(year) if year is not None else None,
        targets=targets,
        raw=raw,
    )


def _targets(value: Any, path: Path, text: str) -> dict[str, float]:
    """The results-framework targets of the manifest: indicator id -> number (a gain in
    scale points, or a share written 0.6 or 60%)."""
    if value is None:
        return {}
    row = _line_of(text, "targets")
    if not isinstance(value, dict):
        raise ManifestError("targets must be a mapping of indicator -> number (new_knowledge: 0.5)",
                            file=path, row=row, column="targets")
    out: dict[str, float] = {}
    for key, target in value.items():
        where = {"file": path, "row": _find_row(text, str(key)) or row, "column": "targets"}
        if not re.match(r"^[a-z][a-z0-9_]*$", str(key)):
            raise ManifestError(f"target {key!r} is not an indicator id (lower case, digits, _)", **where)
        percent = isinstance(target, str) and target.strip().endswith("%")
        text_value = target.strip().rstrip("%").replace(",", ".") if isinstance(target, str) else target
        try:
            number = None if isinstance(target, bool) else float(text_value) / (100 if percent else 1)
        except (TypeError, ValueError):
            number = None
        if number is None or number != number:
            raise ManifestError(f"target {key!r} must be a number (0.5, 0.6 or 60%), not {target!r}", **where)
        out[str(key)] = number
    return out


def _find_row(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None
