"""Report outputs staged under hidden temporary names, then swapped in together.

A report is several files (``.ipynb``, ``.html``, ``.pdf``, ``.json``) that change
together or not at all. Each is written under a hidden temporary name in its final folder
(same file system, so ``os.replace`` is an atomic rename) and moved onto its final name
only when every step succeeded; on failure the temporary files are discarded and the
previous report stays in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["staging_path", "discard"]


def staging_path(final: Path, suffix: str | None = None) -> Path:
    """A new, unique, hidden file beside ``final`` to write it under before the swap.

    ``suffix`` (default: ``final``'s own) matters to the tools writing it: papermill wants
    ``.ipynb``. The file is readable as the user's umask allows, like any report file.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{final.name}.", suffix=suffix or final.suffix or ".tmp", dir=final.parent
    )
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600; reports are for sharing
    return Path(name)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def discard(paths: Iterable[Path]) -> None:
    """Remove staged files that were not swapped in (missing ones are fine)."""
    for path in paths:
        path.unlink(missing_ok=True)
