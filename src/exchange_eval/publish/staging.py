"""Report outputs staged under hidden temporary names, then swapped in together.

A report is several files (``.ipynb``, ``.html``, ``.pdf``, ``.json``) that change
together or not at all. Each is written under a hidden temporary name in its final folder
(same file system, so ``os.replace`` is an atomic rename) and moved onto its final name
only when every step succeeded; on failure the temporary files are discarded and the
previous report stays in place. The names are `core.atomic`'s, with the writer's process
id, so what a killed build left behind is removed by the next one
(`core.atomic.cleanup_stale_temps`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..core.atomic import temp_sibling

__all__ = ["staging_path", "discard"]


def staging_path(final: Path, suffix: str | None = None) -> Path:
    """A new, unique, hidden file beside ``final`` to write it under before the swap.

    ``suffix`` (default: ``final``'s own) matters to the tools writing it: papermill wants
    ``.ipynb``. The file is readable as the user's umask allows, like any report file.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    path = temp_sibling(final, suffix or final.suffix)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    os.close(handle)
    return path


def discard(paths: Iterable[Path]) -> None:
    """Remove staged files that were not swapped in (missing ones are fine)."""
    for path in paths:
        path.unlink(missing_ok=True)
