"""Run build tasks: in this process (one job) or in long-lived ``spawn`` worker processes.

Each worker imports papermill, nbconvert and weasyprint once (`_worker_init`) and starts
a kernel zygote (`exchange_eval.publish.kernel.KernelZygote`) that imports pandas,
statsmodels, matplotlib and the modules the notebooks import, in the background, while
the worker cleans; every report's kernel is then forked from it, new for each report.
Then it cleans, executes and exports one report per task, right after each other. A
task never raises: its outcome comes back as a dict (state done / skipped / failed), and
only the parent prints.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import queue
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from ..core.errors import ExchangeEvalError, unexpected_error_message
from ..core.fingerprint import hash_json
from ..core.lifecycle import exit_with_parent
from ..core.paths import Workspace
from ..publish.report import publish_report
from ..publish.spec import (
    ReportSpec,
    review_spec,
    round_meta,
    round_spec,
    synthesis_spec,
    with_results_cache,
)
from .cache import stat_key
from .progress import Progress

__all__ = [
    "Cleaner",
    "Task",
    "Runner",
    "run_task",
    "default_clean",
    "describe",
    "report_key",
    "output_files",
    "kernel_preload",
    "start_zygote",
]

Cleaner = Callable[[Workspace, str], Any]


@dataclass(frozen=True)
class Task:
    """One unit of work sent to a worker (picklable)."""

    label: str  # what the user sees: round id, "synthesis", "review", "<round> (fr)"
    kind: str  # round, synthesis, review
    ws: Workspace
    formats: tuple[str, ...]
    round_id: str | None = None
    lang: str | None = None
    rounds: tuple[str, ...] = ()
    clean: bool = False
    input_fingerprint: str = ""
    old_key: str | None = None
    key_parts: tuple[tuple[str, str], ...] = ()
    cleaner: Cleaner | None = None


def default_clean(ws: Workspace, round_id: str, *, rekey: bool = False) -> Any:
    """`exchange_eval.clean.clean_round`."""
    # imported on use: the cleaning pipeline loads pandas, which a build with nothing to
    # clean never needs
    from ..clean.pipeline import clean_round

    return clean_round(ws, round_id, rekey=rekey)


def describe(exc: BaseException) -> str:
    """A failure as the build reports it: the message, or the first ten data problems."""
    problems = getattr(exc, "problems", None)
    if problems:
        lines = [str(p) for p in problems[:10]]
        more = len(problems) - len(lines)
        return "data problems:\n  " + "\n  ".join(lines) + (f"\n  … and {more} more" if more > 0 else "")
    return str(exc)


def results_salt(parts: Iterable[tuple[str, str]]) -> str:
    """What every shared result of a build depends on besides its rounds' data: the code and
    the configuration of the report key ``parts`` (not the notebook, language or formats);
    empty, and nothing shared, when ``parts`` do not name them."""
    known = dict(parts)
    if "code" not in known or "config" not in known:
        return ""
    return hash_json({"code": known["code"], "config": known["config"]})


def report_key(parts: Iterable[tuple[str, str]], data: dict[str, str]) -> str:
    """The key of a report: what it depends on (``parts``) and its rounds' data hashes."""
    return hash_json({"parts": dict(parts), "data": data})


def output_files(ws: Workspace, spec: ReportSpec, formats: Iterable[str]) -> list[str]:
    """The report's files, relative to the reports folder: ``.ipynb``, ``.json``, each format."""
    return [spec.path(ws, ext).relative_to(ws.reports_dir).as_posix() for ext in ("ipynb", "json", *formats)]


def run_task(task: Task, zygote: Any = None) -> dict[str, Any]:
    """Run one task: clean (round only, when needed) then publish the report.

    Never raises: returns ``label``, ``kind``, ``state`` (done / skipped / failed),
    ``cleaned``, ``seconds`` and, once the report is known, its ``key``, ``data`` (round
    id → data hash) and ``files``; ``error`` when failed, ``timings`` when built.
    ``zygote`` (a `exchange_eval.publish.kernel.KernelZygote`) forks the report's kernel.
    """
    start = time.perf_counter()
    result: dict[str, Any] = {"label": task.label, "kind": task.kind, "cleaned": False}
    try:
        if task.kind == "round":
            rid = str(task.round_id)
            if task.clean:
                (task.cleaner or default_clean)(task.ws, rid)
                result["cleaned"] = True
                result["meta_stat"] = stat_key(task.ws.processed_round(rid) / "meta.json")
            data = {rid: str(round_meta(task.ws, rid).get("data_hash", ""))}
            spec = round_spec(task.ws, rid, task.lang)
        else:
            data = {rid: str(round_meta(task.ws, rid).get("data_hash", "")) for rid in task.rounds}
            make = synthesis_spec if task.kind == "synthesis" else review_spec
            spec = make(task.ws, task.lang, list(task.rounds))
        spec = with_results_cache(spec, results_salt(task.key_parts))
        key = report_key(task.key_parts + (("lang", spec.lang),), data)
        files = output_files(task.ws, spec, task.formats)
        result.update(key=key, data=data, files=files)
        if key == task.old_key and all((task.ws.reports_dir / f).is_file() for f in files):
            result["state"] = "skipped"
        else:
            timings: dict[str, float] = {}
            publish_report(task.ws, spec, task.formats, timings=timings, zygote=zygote)
            result["state"] = "done"
            result["timings"] = timings
    except ExchangeEvalError as exc:
        result.update(state="failed", error=f"{task.label}: {describe(exc)}")
    except Exception as exc:  # one broken report must not stop the others
        result.update(state="failed", error=f"{task.label}: {unexpected_error_message(exc)}")
    result["seconds"] = time.perf_counter() - start
    return result


_progress_queue: Any = None  # set in each worker process by _worker_init
_zygote: Any = None  # the worker's kernel zygote, started by _worker_init
_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"  # a -W option


def kernel_preload(ws: Workspace) -> list[str]:
    """What a kernel zygote imports: the usual libraries and every module the notebooks import."""
    from ..publish.kernel import PRELOAD, notebook_imports  # loads jupyter_client: on use

    return [*PRELOAD, *notebook_imports(sorted(ws.notebooks_dir.glob("*.ipynb")))]


def start_zygote(preload: list[str]) -> Any:
    """A `exchange_eval.publish.kernel.KernelZygote` importing ``preload`` (None if it cannot start)."""
    from ..publish.kernel import KernelZygote  # loads jupyter_client: on use

    try:
        return KernelZygote(preload)
    except OSError:  # no zygote: kernels start the usual way
        return None


def _worker_init(progress_queue: Any, preload: list[str] | None = None) -> None:
    """Start the kernel zygote, then import the heavy libraries once per worker process."""
    global _progress_queue, _zygote
    _progress_queue = progress_queue
    exit_with_parent()  # a killed build leaves no worker behind (nor a report swapped in later)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: one line, no traceback here
    # first, so that its imports run while this worker imports its own and cleans; it ends
    # when this worker does (its pipe closes), and its kernels with it
    _zygote = start_zygote(preload) if preload is not None else None
    if _zygote is not None:
        # a pool worker ends through multiprocessing's finalizers, not atexit: wait for the
        # zygote there, so no process outlives the build (and its CPU time is accounted)
        multiprocessing.util.Finalize(None, _zygote.close, exitpriority=10)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # preloaded here, once, so that every task of this worker finds them imported
    import jinja2  # noqa: F401
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401


def _worker_ready() -> bool:
    """Whether this worker's kernel zygote has its libraries imported (`Runner.warm`)."""
    return _zygote is not None and _zygote.wait_ready()


def _worker_task(task: Task) -> dict[str, Any]:
    if _progress_queue is not None:
        _progress_queue.put(("running", task.label, time.time()))
    return run_task(task, _zygote)


class Runner:
    """Runs tasks in this process (jobs=1) or in a pool of long-lived spawn workers."""

    def __init__(self, jobs: int, show: Progress) -> None:
        self.jobs = jobs
        self.show = show
        self.pool: Any = None
        self.queue: Any = None
        self.zygote: Any = None  # jobs=1: this process's kernel zygote

    def _ensure_pool(self, ws: Workspace) -> None:
        if self.pool is not None:
            return
        context = multiprocessing.get_context("spawn")
        # after Ctrl-C this process exits at once (exchange_eval.cli) and multiprocessing's
        # resource tracker, started with these options, frees the queues' semaphores quietly
        if _QUIET_TRACKER not in sys.warnoptions:
            sys.warnoptions.append(_QUIET_TRACKER)
        self.queue = context.Queue()
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=context, initializer=_worker_init,
            initargs=(self.queue, kernel_preload(ws)),
        )

    def warm(self, ws: Workspace, timeout: float = 120.0) -> bool:
        """Start every worker and its kernel zygote now rather than when a task comes, and
        wait (at most ``timeout`` seconds) until they are ready: ``watch`` says it is
        watching once the next report can start at once. True when they all are."""
        if self.jobs == 1:
            return True
        self._ensure_pool(ws)
        # the pool starts a process per task submitted while none is idle, up to `jobs`
        futures = [self.pool.submit(_worker_ready) for _ in range(self.jobs)]
        done, _ = wait(futures, timeout=timeout)
        return len(done) == len(futures) and all(f.exception() is None and f.result() for f in done)

    def run(self, tasks: list[Task]) -> Iterator[tuple[Task, dict[str, Any]]]:
        """Yield each task with its outcome, as they finish."""
        if self.jobs == 1 or len(tasks) == 0:
            if len(tasks) > 1 and self.zygote is None:  # one report gains nothing from it
                self.zygote = start_zygote(kernel_preload(tasks[0].ws))
            for task in tasks:
                self.show.set(task.label, "running", started=time.time())
                yield task, run_task(task, self.zygote)
            return
        self._ensure_pool(tasks[0].ws)
        futures = {self.pool.submit(_worker_task, task): task for task in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            self._drain()
            for future in done:
                task = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    outcome = {"label": task.label, "state": "failed", "crashed": True, "error": f"{task.label}: a worker process died (out of memory?)"}
                except Exception as exc:  # pickling problems and the like
                    outcome = {"label": task.label, "state": "failed", "crashed": True, "error": f"{task.label}: internal error: {type(exc).__name__}: {exc}"}
                yield task, outcome
            self.show.tick()

    def _drain(self) -> None:
        while self.queue is not None:
            try:
                state, label, when = self.queue.get_nowait()
            except queue.Empty:
                return
            except (OSError, ValueError):
                return
            self.show.set(label, state, started=when)

    def close(self, wait: bool = True) -> None:
        """Stop the workers (cancelling tasks not started) and the kernel zygote; without
        ``wait``, the workers running end by themselves once this process is gone
        (`exit_with_parent`), their zygotes with them."""
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
