"""Processes that end cleanly: workers die with their parent, never in the middle of a swap.

A build runs its reports in worker processes. When the build's own process dies (killed,
closed terminal, Ctrl-C), its workers must not go on and swap in reports half a minute
later, or hang writing to a pipe nobody reads. `exit_with_parent` starts a thread that
polls the parent's pid and ends the worker as soon as the parent is gone; the notebook
kernels a worker started follow it (each polls its own parent the same way).

Outputs are swapped in by renames (several files for one report, one folder for a
round). A process ended between two renames would leave a report half old, half new, so
every swap runs under `swap_guard`, and `exit_with_parent` waits for the guard before
ending the process: a report is swapped in whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

__all__ = ["EXIT_PARENT_GONE", "exit_with_parent", "swap_guard"]

#: exit status of a worker that stopped because its parent was gone
EXIT_PARENT_GONE = 3

_SWAP_LOCK = threading.Lock()


@contextlib.contextmanager
def swap_guard() -> Iterator[None]:
    """Hold while moving outputs into place: `exit_with_parent` never ends the process inside."""
    with _SWAP_LOCK:
        yield


def exit_with_parent(interval: float = 0.5) -> threading.Thread:
    """End this process (outside `swap_guard`) within ``interval`` seconds of its parent's death.

    Parameters
    ----------
    interval : float
        Seconds between two looks at the parent.

    Returns
    -------
    threading.Thread
        The watching thread (a daemon: it never keeps the process alive).

    Notes
    -----
    A process whose parent dies is adopted by another (init, or a subreaper), so its
    parent pid changes; that is what is polled (POSIX and Windows alike, where
    ``os.getppid`` keeps the original pid: there the thread only ends with the process).
    The process ends with `os._exit` and status `EXIT_PARENT_GONE`: no clean-up handler
    runs, which is the point (they may block on pipes to the dead parent). Files being
    written stay under their temporary names; the previous outputs are intact.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                with _SWAP_LOCK:  # never between two renames of one swap
                    os._exit(EXIT_PARENT_GONE)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread
