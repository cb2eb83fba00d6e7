"""``exchange-eval watch ROUND``: rebuild a round's reports each time its raw files change.

The loop an evaluator runs while fixing ``corrections.csv``: save the file, and the
round's report in its own language is rewritten first, then the other languages, the
synthesis, the review and the index (`build_all` with ``first=ROUND``). The worker
processes and their kernel zygotes stay up between builds, so a rebuild starts no
interpreter and imports nothing; they are replaced when the package's code changes.

A change is a file added, removed, resized or re-dated under ``data/raw/<round>/`` or the
data folder's ``config/``; the build waits until the files have been still for a moment
(an editor saving in several writes triggers one build). Ctrl-C ends the watch at once,
as it ends a build: a report under way is dropped, never half swapped in, and the workers,
their zygotes and kernels end with it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..core.fingerprint import FileHashes, code_fingerprint
from ..core.paths import Workspace
from ..publish.spec import FORMATS
from .orchestrator import build_all
from .plan import BuildResult
from .progress import Progress
from .workers import Cleaner, Runner

__all__ = ["snapshot", "watch"]

Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """``{path: (size, mtime_ns)}`` of every file under ``folders`` (hidden files and
    spreadsheet lock files ``~$…`` left out: they change while a file is open, not the data)."""
    state: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith((".", "~$")):
                    continue
                path = os.path.join(root, name)
                try:
                    stat = os.stat(path)
                except OSError:  # removed while we looked: the next look sees it gone
                    continue
                state[path] = (stat.st_size, stat.st_mtime_ns)
    return state


def watch(
    ws: Workspace,
    round_id: str,
    *,
    jobs: int | None = None,
    formats: str | Iterable[str] = FORMATS,
    interval: float = 0.5,
    settle: float = 0.3,
    progress: bool = True,
    builds: int | None = None,
    on_build: Callable[[BuildResult], None] | None = None,
    languages: Sequence[str] | None = None,
    cleaner: Cleaner | None = None,
) -> int:
    """Build now, then again each time the raw files of ``round_id`` (or the configuration)
    change, until Ctrl-C; the number of builds made.

    Parameters
    ----------
    ws : Workspace
    round_id : str
        The round whose files are watched and whose reports go first.
    jobs : int, optional
        Worker processes (default: the number of cores), kept between builds.
    formats : str or iterable of str
        Report formats (see `exchange_eval.publish.spec.check_formats`).
    interval : float
        Seconds between two looks at the files.
    settle : float
        Seconds the files must stay unchanged before a build starts.
    progress : bool
        Show each build's live table and a line when watching.
    builds : int, optional
        Stop after this many builds (tests); default: until Ctrl-C.
    on_build : callable, optional
        Called with each build's `BuildResult`.
    languages, cleaner
        As for `build_all`.

    Raises
    ------
    UsageError
        When the round does not exist.
    """
    ws.require_round(round_id)
    folders = [ws.raw_round(round_id), ws.config_dir]
    hashes = FileHashes()
    runner: Runner | None = None
    code = None
    made = 0
    try:
        seen = snapshot(folders)
        while builds is None or made < builds:
            if made:  # the first build runs at once: it brings everything up to date
                seen = _next_change(folders, seen, interval, settle)
            current = code_fingerprint(hashes, include_code=ws.fingerprint_code)
            if runner is not None and current != code:  # new code: new workers and zygotes
                runner.close()
                runner = None
            if runner is None:
                runner, code = Runner(max(1, jobs or os.cpu_count() or 1), Progress(False)), current
            result = build_all(ws, jobs=jobs, formats=formats, progress=progress, first=round_id, runner=runner,
                               languages=languages, cleaner=cleaner)
            made += 1
            runner.warm(ws)  # the next build's workers and kernels get ready while the user edits
            if on_build is not None:
                on_build(result)
            if progress and (builds is None or made < builds):
                print(f"Watching {ws.raw_round(round_id)} (Ctrl-C to stop).", flush=True)
    except KeyboardInterrupt:
        if progress:
            print("Stopped.", flush=True)
    finally:
        if runner is not None:
            runner.close()
    return made


def _next_change(folders: list[Path], seen: Snapshot, interval: float, settle: float) -> Snapshot:
    """Wait until the files differ from ``seen`` and then stay still for ``settle`` seconds."""
    while True:
        time.sleep(interval)
        now = snapshot(folders)
        if now == seen:
            continue
        while True:  # an editor may save in several writes: wait for the last one
            time.sleep(settle)
            later = snapshot(folders)
            if later == now:
                return now
            now = later
