"""What the user sees while a build runs: one live table (terminal) or plain lines (pipe).

Only the parent process prints; workers report "running" through a queue and return
their results.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["Progress"]

STATE_COLOURS = {"queued": "dim", "running": "cyan", "done": "green", "skipped": "dim", "failed": "bold red"}


class Progress:
    """Report, state and seconds of every task of a build.

    On a terminal a rich ``Live`` table re-renders itself (running seconds tick between
    events); on a pipe or file each running / finished task prints one line. Disabled, it
    shows nothing.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rows: dict[str, list[Any]] = {}
        self.live = None
        self.tty = enabled and sys.stdout.isatty()

    def __enter__(self) -> Progress:
        if self.tty:
            # rich is imported only for a terminal: a piped or silent build does without it
            from rich.live import Live

            # Live re-renders `self` (see __rich__), so running seconds tick between events
            self.live = Live(self, refresh_per_second=4, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.refresh()
            self.live.__exit__(*exc)

    def __rich__(self) -> Any:
        return self._table()

    def _table(self) -> Any:
        from rich.table import Table  # only reached on a terminal, see __enter__

        table = Table("report", "state", "seconds", title="exchange-eval build")
        for label, (state, started, seconds) in self.rows.items():
            if seconds is None and started is not None:
                seconds = time.time() - started
            shown = f"{seconds:.1f}" if seconds is not None else ""
            table.add_row(label, f"[{STATE_COLOURS.get(state, '')}]{state}[/]", shown)
        return table

    def set(self, label: str, state: str, seconds: float | None = None, started: float | None = None) -> None:
        """Show ``label`` in ``state`` (queued, running, done, skipped, failed)."""
        if not self.enabled:
            return
        previous = self.rows.get(label)
        if started is None and previous is not None:
            started = previous[1]
        self.rows[label] = [state, started, seconds]
        if self.live is not None:
            self.live.refresh()
        elif state in ("done", "failed", "skipped", "running"):
            shown = f" ({seconds:.1f} s)" if seconds is not None else ""
            print(f"{label}: {state}{shown}", flush=True)

    def tick(self) -> None:
        """Re-render the live table (running seconds)."""
        if self.live is not None:
            self.live.refresh()
