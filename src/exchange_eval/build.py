"""Build everything that changed: clean rounds, then round reports, synthesis, review, index.

The dependency graph is fixed and small::

    data/raw/<round>/* + config ──clean──▶ data/processed/<round>/ (meta.json: data_hash)
    processed round + round_report.ipynb ──▶ reports/<round>/round_report.*
    every built round + synthesis_report.ipynb / feedback_review.ipynb ──▶ reports/synthesis|review/
    reports/*/*.json ──▶ reports/index.html

A report is rebuilt only when its key changed. The key hashes what the output depends
on: the data hash of its rounds (which changes when raw files, manifest, codebook or
corrections change the processed data), the notebook file, the package code and
configuration, the language and the formats. Keys, the raw-input fingerprint of each
cleaned round and a cache of file hashes (by size and mtime_ns, so big files are not
rehashed) live in ``reports/.build-manifest.json``, written atomically. A build with
nothing to do imports neither pandas nor papermill and starts no kernel.

Work runs in long-lived worker processes (``spawn``): each imports papermill, nbconvert
and weasyprint once, then cleans, executes and exports one report per task, right after
each other. Workers return results; only the parent prints. A failing round is reported
and the other rounds, the synthesis and the review (over the rounds that succeeded)
still build.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.atomic import write_text_atomic
from .core.errors import ExchangeEvalError
from .core.fingerprint import FileHashes, code_fingerprint, hash_json, input_fingerprint
from .core.paths import Workspace
from .publish.report import report_stem

__all__ = [
    "BuildResult",
    "BuildCache",
    "build_all",
    "clean_is_current",
    "record_clean",
    "input_fingerprint",
    "MANIFEST_FILE",
]

MANIFEST_FILE = ".build-manifest.json"
MANIFEST_VERSION = 1

Cleaner = Callable[[Workspace, str], Any]


# --------------------------------------------------------------------------- fingerprints


class BuildCache(FileHashes):
    """``reports/.build-manifest.json``: file hashes, cleaned-round fingerprints, report keys."""

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
        path = ws.reports_dir / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        return cls(ws, data)

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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stat_key(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def clean_is_current(ws: Workspace, round_id: str, cache: BuildCache | None = None) -> bool:
    """True when ``data/processed/<round>/`` was cleaned from the current raw inputs.

    Current means: ``meta.json`` exists and either its ``input_fingerprint`` equals
    `input_fingerprint` or the build manifest recorded that fingerprint when this very
    ``meta.json`` (same size and mtime) was written.
    """
    cache = cache or BuildCache.load(ws)
    meta_path = ws.processed_round(round_id) / "meta.json"
    meta = _read_json(meta_path)
    if meta is None:
        return False
    fingerprint = input_fingerprint(ws, round_id, cache)
    if meta.get("input_fingerprint") == fingerprint:
        return True
    record = cache.cleaned.get(round_id) or {}
    return record.get("input") == fingerprint and record.get("meta") == _stat_key(meta_path)


def record_clean(ws: Workspace, cache: BuildCache, round_id: str, fingerprint: str | None = None) -> None:
    """Remember that ``round_id`` was just cleaned from its current raw inputs."""
    cache.cleaned[round_id] = {
        "input": fingerprint or input_fingerprint(ws, round_id, cache),
        "meta": _stat_key(ws.processed_round(round_id) / "meta.json"),
    }


# --------------------------------------------------------------------------- tasks


@dataclass
class BuildResult:
    """What a build did. ``ok`` is False when anything failed; ``failures`` say what and where."""

    ok: bool = True
    failures: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, dict[str, float]] = field(default_factory=dict)  # report -> step -> s

    def summary(self) -> str:
        parts = [f"{len(self.built)} built", f"{len(self.skipped)} up to date"]
        if self.failures:
            parts.append(f"{len(self.failures)} failed")
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


@dataclass(frozen=True)
class _Task:
    """One unit of work sent to a worker (picklable)."""

    label: str  # what the user sees: round id, "synthesis", "review"
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


def _default_clean(ws: Workspace, round_id: str) -> Any:
    from .clean.pipeline import clean_round

    return clean_round(ws, round_id)


def _describe(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        lines = [str(p) for p in problems[:10]]
        more = len(problems) - len(lines)
        return "data problems:\n  " + "\n  ".join(lines) + (f"\n  … and {more} more" if more > 0 else "")
    return str(exc)


def _report_key(parts: Iterable[tuple[str, str]], data: dict[str, str]) -> str:
    return hash_json({"parts": dict(parts), "data": data})


def _outputs_exist(ws: Workspace, spec: Any, formats: Sequence[str]) -> bool:
    return all(spec.path(ws, ext).is_file() for ext in ("ipynb", "json", *formats))


def _run_task(task: _Task) -> dict[str, Any]:
    """Run one task in a worker: clean (round only, when needed) then build the report.

    Never raises: the parent gets a dict with state done / skipped / failed.
    """
    from .publish import report

    start = time.perf_counter()
    result: dict[str, Any] = {"label": task.label, "kind": task.kind, "cleaned": False}
    try:
        if task.kind == "round":
            rid = str(task.round_id)
            if task.clean:
                (task.cleaner or _default_clean)(task.ws, rid)
                result["cleaned"] = True
                result["meta_stat"] = _stat_key(task.ws.processed_round(rid) / "meta.json")
            meta = report.round_meta(task.ws, rid)
            data = {rid: str(meta.get("data_hash", ""))}
            spec = report.round_spec(task.ws, rid, task.lang)
        else:
            data = {rid: str((report.round_meta(task.ws, rid)).get("data_hash", "")) for rid in task.rounds}
            make = report.synthesis_spec if task.kind == "synthesis" else report.review_spec
            spec = make(task.ws, task.lang or "en", list(task.rounds))
        key = _report_key(task.key_parts + (("lang", spec.lang),), data)
        result.update(key=key, data=data, spec_name=spec.name, stem=spec.stem, lang=spec.lang)
        if key == task.old_key and _outputs_exist(task.ws, spec, task.formats):
            result["state"] = "skipped"
        else:
            timings: dict[str, float] = {}
            report.build_report(task.ws, spec, task.formats, timings=timings)
            result["state"] = "done"
            result["timings"] = timings
    except ExchangeEvalError as exc:
        result.update(state="failed", error=f"{task.label}: {_describe(exc)}")
    except Exception as exc:  # one broken report must not stop the others
        result.update(state="failed", error=f"{task.label}: internal error: {type(exc).__name__}: {exc}")
    result["seconds"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- workers


_progress_queue: Any = None


def _worker_init(progress_queue: Any) -> None:
    """Import the heavy libraries once per worker process."""
    global _progress_queue
    _progress_queue = progress_queue
    import logging

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    import jinja2  # noqa: F401
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401


def _worker_task(task: _Task) -> dict[str, Any]:
    if _progress_queue is not None:
        _progress_queue.put(("running", task.label, time.time()))
    return _run_task(task)


# --------------------------------------------------------------------------- progress


class _Progress:
    """One live table (terminal) or plain lines (pipe, file): report, state, seconds."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rows: dict[str, list[Any]] = {}
        self.live = None
        self.tty = enabled and sys.stdout.isatty()

    def __enter__(self) -> _Progress:
        if self.tty:
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
        from rich.table import Table

        colours = {"queued": "dim", "running": "cyan", "done": "green", "skipped": "dim", "failed": "bold red"}
        table = Table("report", "state", "seconds", title="exchange-eval build")
        for label, (state, started, seconds) in self.rows.items():
            if seconds is None and started is not None:
                seconds = time.time() - started
            shown = f"{seconds:.1f}" if seconds is not None else ""
            table.add_row(label, f"[{colours.get(state, '')}]{state}[/]", shown)
        return table

    def set(self, label: str, state: str, seconds: float | None = None, started: float | None = None) -> None:
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
        if self.live is not None:
            self.live.refresh()


# --------------------------------------------------------------------------- build_all


def _normalize_formats(formats: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    return tuple(f for f in chosen if f != "ipynb")


def _round_language(ws: Workspace, round_id: str) -> str:
    meta = _read_json(ws.processed_round(round_id) / "meta.json") or {}
    if meta.get("language"):
        return str(meta["language"])
    from .clean.manifest import load_manifest

    return load_manifest(ws.raw_round(round_id)).language


def build_all(
    ws: Workspace,
    jobs: int | None = None,
    force: bool = False,
    formats: Iterable[str] = ("html", "pdf"),
    progress: bool = True,
    *,
    lang: str | None = None,
    languages: Sequence[str] | None = None,
    cleaner: Cleaner | None = None,
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
    formats : iterable of str
        ``html``, ``pdf`` (the executed ``.ipynb`` is always kept).
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
        ``cleaner(ws, round_id)`` replacing `exchange_eval.clean.pipeline.clean_round` (a picklable,
        module-level function when ``jobs > 1``).

    Returns
    -------
    BuildResult
        ``built`` / ``skipped`` name the reports (round ids, ``synthesis``, ``review``,
        ``index``); ``failures`` hold one message per failed report naming it and the
        cell or data problem.
    """
    started = time.perf_counter()
    formats = _normalize_formats(formats)
    languages = _report_languages(ws, lang, languages)
    jobs = max(1, jobs or os.cpu_count() or 1)
    cache = BuildCache.load(ws)
    result = BuildResult()
    show = _Progress(progress)

    code = code_fingerprint(cache, include_code=ws.fingerprint_code)
    config = cache.tree(ws.config_dir)
    common = (("code", code), ("config", config), ("formats", ",".join(formats)))

    def notebook_hash(name: str) -> str:
        path = ws.notebooks_dir / name
        return cache.sha256(path) if path.is_file() else "missing"

    round_tasks: list[_Task] = []
    round_data: dict[str, str] = {}  # round id -> data hash, for rounds whose report is fine
    round_langs: dict[str, str] = {}  # round id -> the language its first report is built in
    round_nb = notebook_hash("round_report.ipynb")
    for rid in ws.round_ids():
        try:
            fingerprint = input_fingerprint(ws, rid, cache)
            meta_path = ws.processed_round(rid) / "meta.json"
            meta = _read_json(meta_path)
            record = cache.cleaned.get(rid) or {}
            current = meta is not None and (
                meta.get("input_fingerprint") == fingerprint
                or (record.get("input") == fingerprint and record.get("meta") == _stat_key(meta_path))
            )
            round_lang = _round_language(ws, rid)
            if lang is not None:
                round_lang = lang
        except ExchangeEvalError as exc:
            result.failures.append(f"{rid}: {_describe(exc)}")
            continue
        if not force and record.get("error") and record.get("input") == fingerprint:
            # cleaning failed on exactly these inputs: say so again, do not redo it
            result.failures.append(f"{record['error']} (inputs unchanged since the last build)")
            show.set(rid, "failed", 0.0)
            continue
        key_parts = (*common, ("notebook", round_nb), ("kind", "round"))
        round_langs[rid] = round_lang
        old = cache.reports.get(_entry("round", rid, round_lang)) or {}
        task = _Task(
            label=rid,
            kind="round",
            ws=ws,
            formats=formats,
            round_id=rid,
            lang=round_lang,
            clean=force or not current,
            input_fingerprint=fingerprint,
            old_key=None if force else old.get("key"),
            key_parts=key_parts,
            cleaner=cleaner,
        )
        if not task.clean and not force and meta is not None:
            # decide here, without a worker, whether the report is up to date
            data = {rid: str(meta.get("data_hash", ""))}
            key = _report_key(key_parts + (("lang", round_lang),), data)
            files = old.get("files") or []
            if key == old.get("key") and old.get("error"):
                result.failures.append(f"{old['error']} (inputs unchanged since the last build)")
                show.set(rid, "failed", 0.0)
                continue
            if key == old.get("key") and files and all((ws.reports_dir / f).is_file() for f in files):
                result.skipped.append(rid)
                round_data[rid] = data[rid]
                show.set(rid, "skipped", 0.0)
                continue
        round_tasks.append(task)

    def translated_round_tasks(rounds: dict[str, str]) -> list[_Task]:
        """Round reports in the languages other than the round's own (data already clean)."""
        tasks: list[_Task] = []
        key_parts = (*common, ("notebook", round_nb), ("kind", "round"))
        for rid in sorted(rounds):
            for other in languages:
                if other == round_langs.get(rid):
                    continue
                label = f"{rid} ({other})"
                old = cache.reports.get(_entry("round", rid, other)) or {}
                key = _report_key(key_parts + (("lang", other),), {rid: rounds[rid]})
                if not force and key == old.get("key") and old.get("error"):
                    result.failures.append(f"{old['error']} (inputs unchanged since the last build)")
                    show.set(label, "failed", 0.0)
                    continue
                files = old.get("files") or []
                if not force and key == old.get("key") and files and all((ws.reports_dir / f).is_file() for f in files):
                    result.skipped.append(label)
                    show.set(label, "skipped", 0.0)
                    continue
                tasks.append(
                    _Task(label=label, kind="round", ws=ws, formats=formats, round_id=rid, lang=other,
                          old_key=None if force else old.get("key"), key_parts=key_parts, cleaner=cleaner)
                )
        return tasks

    def programme_tasks(rounds: dict[str, str]) -> list[_Task]:
        tasks: list[_Task] = translated_round_tasks(rounds)
        if not rounds:  # no round to synthesise (none yet, or every one failed)
            return tasks
        for kind, notebook, programme_lang in (
            (kind, notebook, programme_lang)
            for programme_lang in (languages or ("en",))
            for kind, notebook in (("synthesis", "synthesis_report.ipynb"), ("review", "feedback_review.ipynb"))
        ):
            if not (ws.notebooks_dir / notebook).is_file():
                result.failures.append(f"{kind}: report notebook {ws.notebooks_dir / notebook} not found")
                continue
            key_parts = (*common, ("notebook", notebook_hash(notebook)), ("kind", kind))
            old = cache.reports.get(_entry(kind, "", programme_lang)) or {}
            label = kind if programme_lang == "en" else f"{kind} ({programme_lang})"
            task = _Task(
                label=label,
                kind=kind,
                ws=ws,
                formats=formats,
                lang=programme_lang,
                rounds=tuple(sorted(rounds)),
                old_key=None if force else old.get("key"),
                key_parts=key_parts,
            )
            files = old.get("files") or []
            key = _report_key(key_parts + (("lang", programme_lang),), dict(rounds))
            if not force and key == old.get("key") and old.get("error"):
                result.failures.append(f"{old['error']} (inputs unchanged since the last build)")
                show.set(label, "failed", 0.0)
                continue
            if not force and key == old.get("key") and files and all((ws.reports_dir / f).is_file() for f in files):
                result.skipped.append(label)
                show.set(label, "skipped", 0.0)
                continue
            tasks.append(task)
        return tasks

    def record(outcome: dict[str, Any], task: _Task) -> None:
        label = outcome["label"]
        if outcome.get("cleaned"):
            result.cleaned.append(label)
            cache.cleaned[label] = {"input": task.input_fingerprint, "meta": outcome.get("meta_stat")}
        entry = _entry(task.kind, task.round_id or "", task.lang or "")
        if outcome["state"] == "failed":
            result.failures.append(outcome["error"])
            if outcome.get("key"):  # the report failed: remember it against its inputs
                cache.reports[entry] = {"key": outcome["key"], "error": outcome["error"], "files": []}
            elif task.kind == "round" and task.clean and not outcome.get("crashed"):
                cache.cleaned[label] = {"input": task.input_fingerprint, "meta": None, "error": outcome["error"]}
                cache.reports.pop(entry, None)
            else:
                cache.reports.pop(entry, None)
        else:
            (result.built if outcome["state"] == "done" else result.skipped).append(label)
            stem = report_stem(outcome["stem"], outcome["lang"], _default_for(task))
            folder = outcome["spec_name"]
            cache.reports[entry] = {
                "key": outcome["key"],
                "files": [f"{folder}/{stem}.{ext}" for ext in ("ipynb", "json", *formats)],
            }
            if task.kind == "round":
                round_data.update(outcome["data"])
        if outcome.get("timings"):
            result.timings[label] = {**outcome["timings"], "total": outcome.get("seconds", 0.0)}
        show.set(label, outcome["state"], outcome.get("seconds"))

    nothing_to_do = not round_tasks
    if nothing_to_do:
        extra = programme_tasks(round_data)
        index_missing = not (ws.reports_dir / "index.html").is_file()
        if not extra and not index_missing:
            cache.save()
            result.seconds = time.perf_counter() - started
            result.ok = not result.failures
            if progress:
                print(f"Nothing to do: {len(result.skipped)} reports up to date.", flush=True)
            return result
        round_tasks_phase2 = extra
    else:
        round_tasks_phase2 = None

    with show:
        for task in round_tasks:
            show.set(task.label, "queued")
        runner = _Runner(jobs, show)
        try:
            if round_tasks:
                for task, outcome in runner.run(round_tasks):
                    record(outcome, task)
                cache.save()  # keep what is done even if the programme reports fail hard
                round_tasks_phase2 = programme_tasks(round_data)
            if round_tasks_phase2:
                for task in round_tasks_phase2:
                    show.set(task.label, "queued")
                for task, outcome in runner.run(round_tasks_phase2):
                    record(outcome, task)
        finally:
            runner.close()
        if result.built or not (ws.reports_dir / "index.html").is_file():
            from .publish.report import write_index

            write_index(ws)
            result.built.append("index")
            show.set("index", "done", 0.0)
    cache.save()
    result.ok = not result.failures
    result.seconds = time.perf_counter() - started
    if progress:
        print(result.summary(), flush=True)
    return result


def _entry(kind: str, round_id: str, lang: str) -> str:
    """Key of one report in the build manifest."""
    return f"{kind}:{round_id}:{lang}"


def _report_languages(ws: Workspace, lang: str | None, languages: Sequence[str] | None) -> tuple[str, ...]:
    if lang is not None:
        return (lang,)
    if languages is None:
        from .core.config import settings

        languages = (settings(ws.data_dir).get("reports") or {}).get("languages")
        if languages is None:
            languages = ["en"]
        # an empty list: each round in its own language only, synthesis and review in English
    return tuple(dict.fromkeys(str(x) for x in languages))


def _default_for(task: _Task) -> str:
    if task.kind == "round":
        return _round_language(task.ws, str(task.round_id))
    return "en"


class _Runner:
    """Runs tasks in this process (jobs=1) or in a pool of long-lived spawn workers."""

    def __init__(self, jobs: int, show: _Progress) -> None:
        self.jobs = jobs
        self.show = show
        self.pool: Any = None
        self.queue: Any = None

    def _ensure_pool(self) -> None:
        if self.pool is not None:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue()
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=context, initializer=_worker_init, initargs=(self.queue,)
        )

    def run(self, tasks: list[_Task]) -> Iterable[tuple[_Task, dict[str, Any]]]:
        if self.jobs == 1 or len(tasks) == 0:
            for task in tasks:
                self.show.set(task.label, "running", started=time.time())
                yield task, _run_task(task)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        self._ensure_pool()
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

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
