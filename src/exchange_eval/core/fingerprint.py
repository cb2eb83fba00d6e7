"""Fingerprints: what a round's cleaning read, and what a build has already hashed.

`input_fingerprint` is the one definition of "the inputs of a round": cleaning stores it in
``meta.json`` and the build compares it, so both always agree. `FileHashes` remembers
file hashes by size and modification time, so a no-op build reads no file twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from .config import CONFIG_DIR
from .paths import PACKAGE_DIR, Workspace

__all__ = ["IGNORED_PREFIXES", "FileHashes", "hash_json", "input_fingerprint", "code_fingerprint"]

# hidden files, editor lock files (~$book.xlsx) and caches never count as inputs
IGNORED_PREFIXES = (".", "~$", "__pycache__")


def hash_json(value: Any) -> str:
    """sha256 of ``value`` serialised as canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class FileHashes:
    """sha256 of files, recomputed only when a file's size or mtime_ns changed.

    ``known`` maps a path's `key` to ``[size, mtime_ns, sha256]`` (the build manifest keeps
    it between runs); `seen` lists the keys looked at, so stale entries can be dropped.
    """

    def __init__(self, known: dict[str, list] | None = None) -> None:
        self.known: dict[str, list] = dict(known or {})
        self.seen: set[str] = set()

    @staticmethod
    def key(path: Path) -> str:
        """The key of ``path`` in `known`: a hash of the path, not the path itself, so an
        export named after a person (``aicha.ba@gouv.sn.csv``) is not spelled out in the
        build manifest of the reports folder."""
        return hashlib.sha256(str(path).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sha256(self, path: Path) -> str:
        key = self.key(path)
        self.seen.add(key)
        stat = path.stat()
        cached = self.known.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            return str(cached[2])
        digest = hashlib.sha256()
        with path.open("rb") as handle:  # read only: raw files are never written
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        value = digest.hexdigest()
        self.known[key] = [stat.st_size, stat.st_mtime_ns, value]
        return value

    def tree(self, folder: Path, patterns: Sequence[str] = ("*",)) -> str:
        """One hash over every file under ``folder`` matching ``patterns`` (names and contents)."""
        digest = hashlib.sha256()
        if folder.is_dir():
            paths = sorted({p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()})
            for path in paths:
                rel = path.relative_to(folder)
                if any(part.startswith(IGNORED_PREFIXES) for part in rel.parts):
                    continue
                digest.update(f"{rel.as_posix()}\0{self.sha256(path)}\n".encode())
        return digest.hexdigest()


def code_fingerprint(hashes: FileHashes, *, include_code: bool = True) -> str:
    """The package version, default configuration, templates, notebooks and (unless
    ``include_code`` is False, for benchmarks in a tree others edit) the code."""
    patterns = ["*.yaml", "*.csv", "*.j2", "*.css"]
    if include_code:
        patterns.append("*.py")
    return hash_json({"version": __version__, "tree": hashes.tree(PACKAGE_DIR, tuple(patterns))})


def input_fingerprint(ws: Workspace, round_id: str, hashes: FileHashes | None = None) -> str:
    """Fingerprint of everything cleaning reads for ``round_id``.

    Every file in ``data/raw/<round>/`` (manifest, exports, codebook, corrections; hidden
    and ``~$`` lock files excepted), the user configuration in ``data/config/``, the
    package's default configuration (`CONFIG_DIR`) and its code (`code_fingerprint`,
    without ``*.py`` when ``ws.fingerprint_code`` is False).
    """
    hashes = hashes or FileHashes()
    return hash_json(
        {
            "raw": hashes.tree(ws.raw_round(round_id)),
            "config": hashes.tree(ws.config_dir),
            "package_config": hashes.tree(CONFIG_DIR),
            "code": code_fingerprint(hashes, include_code=ws.fingerprint_code),
        }
    )
