"""The build manifest ``reports/.build-manifest.json``: what the last builds made and from what.

It holds three things, written atomically: the hash of every file looked at (by size and
mtime_ns, so big files are not rehashed), the raw-input fingerprint each round was
cleaned from, and the key of every report built (or the error it failed with). A version
other than `MANIFEST_VERSION` is ignored: everything rebuilds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.atomic import write_text_atomic
from ..core.fingerprint import FileHashes, input_fingerprint
from ..core.paths import Workspace

__all__ = [
    "MANIFEST_FILE",
    "MANIFEST_VERSION",
    "BuildCache",
    "clean_is_current",
    "clean_state",
    "record_clean",
    "read_json",
    "stat_key",
]

MANIFEST_FILE = ".build-manifest.json"
MANIFEST_VERSION = 1


class BuildCache(FileHashes):
    """``reports/.build-manifest.json``: file hashes, cleaned-round fingerprints, report keys.

    ``cleaned`` maps a round id to ``{"input": fingerprint, "meta": [size, mtime_ns]}``
    (plus ``"error"`` when cleaning failed on those inputs); ``reports`` maps
    ``kind:round:lang`` to ``{"key": …, "files": [...]}`` (plus ``"error"``).
    """

    def __init__(self, ws: Workspace, data: dict[str, Any] | None = None) -> None:
        data = data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else {}
        super().__init__(data.get("files") or {})
        self.ws = ws
        self.cleaned: dict[str, dict] = dict(data.get("cleaned") or {})
        self.reports: dict[str, dict] = dict(data.get("reports") or {})

    @property
    def path(self) -> Path:
        return self.ws.reports_dir / MANIFEST_FILE

    @classmethod
    def load(cls, ws: Workspace) -> BuildCache:
        """The manifest of ``ws`` (empty when missing or unreadable)."""
        return cls(ws, read_json(ws.reports_dir / MANIFEST_FILE))

    def save(self) -> Path:
        """Write atomically; forget hashes of files not looked at in this build."""
        files = {k: v for k, v in self.known.items() if k in self.seen} if self.seen else self.known
        payload = {
            "version": MANIFEST_VERSION,
            "files": files,
            "cleaned": self.cleaned,
            "reports": self.reports,
        }
        return write_text_atomic(self.path, json.dumps(payload, indent=1, sort_keys=True))


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stat_key(path: Path) -> list[int] | None:
    """``[size, mtime_ns]`` of ``path`` (None when missing): recognises one exact write."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def clean_state(ws: Workspace, round_id: str, cache: BuildCache, fingerprint: str) -> tuple[dict | None, bool]:
    """The processed round's ``meta.json`` (None if absent) and whether it is current.

    Current means: ``meta.json`` exists and either its ``input_fingerprint`` equals
    ``fingerprint`` or the build manifest recorded that fingerprint when this very
    ``meta.json`` (same size and mtime) was written.
    """
    meta_path = ws.processed_round(round_id) / "meta.json"
    meta = read_json(meta_path)
    if meta is None:
        return None, False
    if meta.get("input_fingerprint") == fingerprint:
        return meta, True
    record = cache.cleaned.get(round_id) or {}
    return meta, record.get("input") == fingerprint and record.get("meta") == stat_key(meta_path)


def clean_is_current(ws: Workspace, round_id: str, cache: BuildCache | None = None) -> bool:
    """True when ``data/processed/<round>/`` was cleaned from the current raw inputs (`clean_state`)."""
    cache = cache or BuildCache.load(ws)
    return clean_state(ws, round_id, cache, input_fingerprint(ws, round_id, cache))[1]


def record_clean(ws: Workspace, cache: BuildCache, round_id: str, fingerprint: str | None = None) -> None:
    """Remember that ``round_id`` was just cleaned from its current raw inputs."""
    cache.cleaned[round_id] = {
        "input": fingerprint or input_fingerprint(ws, round_id, cache),
        "meta": stat_key(ws.processed_round(round_id) / "meta.json"),
    }
