"""The one orchestrator: freshness → clean → publish, for everything or for one report.

`build_all` cleans every round whose raw inputs changed and builds every report whose
key changed (`plan`), in worker processes (`workers`), showing progress (`progress`),
then writes the index. `build_one` builds one report now, in this process: the
``report``, ``synthesis`` and ``review`` commands.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..clean.keys import round_key
from ..core.atomic import check_writable, cleanup_stale_temps
from ..core.errors import UsageError
from ..core.paths import Workspace
from ..publish.index import INDEX_FILE, write_index
from ..publish.report import publish_report
from ..publish.spec import (
    FORMATS,
    KINDS,
    check_formats,
    check_language,
    report_languages,
    review_spec,
    round_spec,
    synthesis_spec,
)
from .cache import BuildCache, clean_is_current, record_clean
from .plan import BuildPlan, BuildResult
from .progress import Progress
from .workers import Cleaner, Runner, Task, default_clean

__all__ = ["build_all", "build_one"]


def build_all(
    ws: Workspace,
    jobs: int | None = None,
    force: bool = False,
    formats: str | Iterable[str] = FORMATS,
    progress: bool = True,
    *,
    lang: str | None = None,
    languages: Sequence[str] | None = None,
    cleaner: Cleaner | None = None,
    rekey: bool = False,
    first: str | None = None,
    runner: Runner | None = None,
) -> BuildResult:
    """Clean every round and build every report whose inputs changed.

    Parameters
    ----------
    ws : Workspace
    jobs : int, optional
        Worker processes (default: the number of cores). ``1`` runs everything in this
        process, without a pool.
    force : bool
        Ignore the build manifest: clean and rebuild everything.
    formats : str or iterable of str
        ``html``, ``pdf`` (the executed ``.ipynb`` is always kept); see
        `exchange_eval.publish.spec.check_formats`.
    progress : bool
        Show a live table (terminal) or one line per finished report (pipe).
    lang : str, optional
        Build only this language: round reports, synthesis and review (default: every
        language of ``languages``).
    languages : sequence of str, optional
        Report languages (default: settings ``reports.languages``). Each round report is
        built first in its round's own language, then in each of these; the synthesis and
        the review in each of these (English when empty).
    cleaner : callable, optional
        ``cleaner(ws, round_id)`` replacing `exchange_eval.clean.clean_round` (a picklable,
        module-level function when ``jobs > 1``).
    rekey : bool
        Clean every round again with the current pseudonymisation key, which may differ
        from the one the rounds were cleaned with.
    first : str, optional
        A round to serve first: its report in its own language goes before every other
        task, its other languages first after that, then the synthesis and the review
        (``build --round``, ``watch``).
    runner : Runner, optional
        Worker processes kept by the caller between builds (``watch``): used and left
        running. Default: started for this build and stopped at its end.

    Returns
    -------
    BuildResult
        ``built`` / ``skipped`` name the reports (round ids, ``synthesis``, ``review``,
        ``index``); ``failures`` hold one message per failed report naming it and the
        cell or data problem.

    Raises
    ------
    UsageError
        For an unknown format or a language without a translation table.
    KeyMismatchError, WeakKeyError
        When the key is not the one the cleaned rounds were made with (and not
        ``rekey``), or is too weak (`exchange_eval.clean.keys.round_key`).
    AtomicWriteError
        When the reports folder cannot be written (read-only, full).
    """
    started = time.perf_counter()
    formats = check_formats(formats)
    lang = check_language(lang)
    round_key(ws, rekey=rekey)  # a changed or lost key stops the build before anything is cleaned
    check_writable(ws.reports_dir)  # a read-only or full reports folder: one clear line, nothing built
    # outputs a killed build staged and never swapped in (their writer is gone)
    cleanup_stale_temps(ws.reports_dir, recursive=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    cache = BuildCache.load(ws)
    result = BuildResult()
    show = Progress(progress)
    plan = BuildPlan(
        ws, cache, result, show,
        formats=formats, languages=report_languages(ws, lang, languages), lang=lang, force=force, cleaner=cleaner,
        rekey=rekey,
    )
    index = ws.reports_dir / INDEX_FILE

    round_tasks = _first(plan.round_tasks(), first)
    later = None
    if not round_tasks:
        later = _first(plan.later_tasks(), first)
        if not later and index.is_file():
            cache.save()
            result.seconds = time.perf_counter() - started
            result.ok = not result.failures
            if progress:
                print(f"Nothing to do: {len(result.skipped)} reports up to date.", flush=True)
            return result

    with show:
        for task in round_tasks:
            show.set(task.label, "queued")
        owned = runner is None
        runner = runner or Runner(jobs, show)
        runner.show = show
        try:
            if round_tasks:
                for task, outcome in runner.run(round_tasks):
                    plan.record(outcome, task)
                cache.save()  # keep what is done even if the programme reports fail hard
                later = _first(plan.later_tasks(), first)
            if later:
                for task in later:
                    show.set(task.label, "queued")
                for task, outcome in runner.run(later):
                    plan.record(outcome, task)
        except KeyboardInterrupt:
            cache.save()  # the reports finished so far are not redone
            # Ctrl-C: do not wait for the running reports; the workers stop by themselves
            # once this process has exited (`exit_with_parent`)
            runner.close(wait=False)
            raise
        finally:
            if owned:
                runner.close()
        if result.built or not index.is_file():
            write_index(ws)
            result.built.append("index")
            show.set("index", "done", 0.0)
    cache.save()
    result.ok = not result.failures
    result.seconds = time.perf_counter() - started
    if progress:
        print(result.summary(), flush=True)
    return result


def _first(tasks: list[Task], round_id: str | None) -> list[Task]:
    """``tasks`` with those of ``round_id`` first (its own language first among them), then
    the synthesis and the review (in `BuildPlan.later_tasks`'s order), then the other
    rounds' (order otherwise kept)."""
    if round_id is None:
        return tasks

    def rank(task: Task) -> int:
        if task.round_id == round_id:
            return 0
        return 1 if task.kind != "round" else 2

    return sorted(tasks, key=rank)  # stable: the plan's order within each rank


def build_one(
    ws: Workspace,
    kind: str,
    round_id: str | None = None,
    *,
    lang: str | None = None,
    formats: str | Iterable[str] = FORMATS,
    rounds: Sequence[str] | None = None,
    cleaner: Cleaner | None = None,
) -> list[Path]:
    """Build one report now, in this process, even when it is up to date.

    Parameters
    ----------
    ws : Workspace
    kind : {"round", "synthesis", "review"}
        The round report of ``round_id`` (its round is cleaned first when its processed
        data are missing or older than its raw inputs, and the build manifest remembers
        it), or the synthesis / review over ``rounds`` (default: every cleaned round; no
        round is cleaned for them).
    round_id : str, optional
        The round, for ``kind="round"``.
    lang : str, optional
        Report language (default: the round's language; English for the synthesis and
        the review). In the default language the files are ``<stem>.*``, in another
        ``<stem>.<lang>.*``.
    formats : str or iterable of str
        ``html``, ``pdf`` (see `exchange_eval.publish.spec.check_formats`).
    rounds : sequence of str, optional
        The rounds of a synthesis or review.
    cleaner : callable, optional
        ``cleaner(ws, round_id)`` replacing `exchange_eval.clean.clean_round`.

    Returns
    -------
    list of Path
        The files written (`exchange_eval.publish.report.publish_report`). The index is
        left as it is (``build`` rewrites it).

    Raises
    ------
    UsageError
        Unknown kind, format or language; no such round.
    DataError, DataErrors
        The round's data cannot be cleaned, or a report reads a round not cleaned.
    ReportError
        The notebook or the export failed.
    """
    formats = check_formats(formats)
    lang = check_language(lang)
    round_key(ws)  # the reports must not mix rounds cleaned with different keys
    check_writable(ws.reports_dir)
    if kind not in KINDS:
        raise UsageError(f"unknown report {kind!r}: choose {', '.join(KINDS)}")
    if kind == "round":
        if not round_id:
            raise UsageError("a round report needs a round id")
        ws.require_round(round_id)
        _clean_if_stale(ws, round_id, cleaner or default_clean)
        spec = round_spec(ws, round_id, lang)
    else:
        make = synthesis_spec if kind == "synthesis" else review_spec
        spec = make(ws, lang, rounds)
    return publish_report(ws, spec, formats)


def _clean_if_stale(ws: Workspace, round_id: str, cleaner: Cleaner) -> None:
    """Clean ``round_id`` when its processed data are missing or older than its raw inputs."""
    cache = BuildCache.load(ws)
    if clean_is_current(ws, round_id, cache):
        return
    cleaner(ws, round_id)
    record_clean(ws, cache, round_id)
    cache.save()
