"""Which reports a build must make, and what it remembers of each outcome.

A report is rebuilt only when its key changed. The key hashes what the output depends
on: the data hash of its rounds (which changes when raw files, manifest, codebook or
corrections change the processed data), the notebook file, the package code and
configuration, the language and the formats. A report whose key is unchanged is skipped
when its files are all there, and reported failed again, without redoing it, when it
failed on exactly these inputs; so is a round whose cleaning failed on its current raw
inputs. Everything is decided in this process, from file sizes, mtimes and the build
manifest: a build with nothing to do starts no worker.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..clean.scrub import scrub_text
from ..core.errors import ExchangeEvalError
from ..core.fingerprint import code_fingerprint, input_fingerprint
from ..core.paths import Workspace
from ..present.i18n import DEFAULT_LANGUAGE
from ..publish.spec import round_language
from .cache import BuildCache, clean_state
from .progress import Progress
from .workers import Cleaner, Task, default_clean, describe, report_key

__all__ = ["BuildResult", "BuildPlan", "manifest_entry", "source_language"]

ROUND_NOTEBOOK = "round_report.ipynb"
PROGRAMME_NOTEBOOKS = (("synthesis", "synthesis_report.ipynb"), ("review", "feedback_review.ipynb"))
UNCHANGED = "(inputs unchanged since the last build)"


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


def manifest_entry(kind: str, round_id: str, lang: str) -> str:
    """Key of one report in the build manifest."""
    return f"{kind}:{round_id}:{lang}"


def source_language(ws: Workspace, round_id: str) -> str:
    """The language of a round's sources: the cleaned round's, else its manifest's."""
    lang = round_language(ws, round_id)
    if lang:
        return lang
    # imported on use: the clean package loads its pipeline (pandas), needed here only
    # for a round that was never cleaned
    from ..clean.manifest import load_manifest

    return load_manifest(ws.raw_round(round_id)).language


class BuildPlan:
    """The tasks of one build, in two phases, and the bookkeeping of their outcomes.

    Phase one: every round (cleaned first when its raw inputs changed) in its own
    language. Phase two, over the rounds that succeeded: round reports in the other
    languages, then the synthesis and the review in each language.
    """

    def __init__(
        self,
        ws: Workspace,
        cache: BuildCache,
        result: BuildResult,
        show: Progress,
        *,
        formats: tuple[str, ...],
        languages: Sequence[str],
        lang: str | None = None,
        force: bool = False,
        cleaner: Cleaner | None = None,
        rekey: bool = False,
    ) -> None:
        self.ws, self.cache, self.result, self.show = ws, cache, result, show
        self.rekey = rekey
        if rekey and cleaner is None:  # every round is cleaned again, with the new key
            cleaner = functools.partial(default_clean, rekey=True)
        self.formats = formats
        self.languages = tuple(languages)
        self.lang = lang
        self.force = force
        self.cleaner = cleaner
        code = code_fingerprint(cache, include_code=ws.fingerprint_code)
        self.common = (("code", code), ("config", cache.tree(ws.config_dir)), ("formats", ",".join(formats)))
        self.round_parts = (*self.common, ("notebook", self._notebook_hash(ROUND_NOTEBOOK)), ("kind", "round"))
        self.round_langs: dict[str, str] = {}  # round id -> the language of its first report
        self.round_data: dict[str, str] = {}  # round id -> data hash, for rounds whose report is fine

    def _notebook_hash(self, name: str) -> str:
        path = self.ws.notebooks_dir / name
        return self.cache.sha256(path) if path.is_file() else "missing"

    def _old(self, kind: str, round_id: str, lang: str) -> dict[str, Any]:
        return self.cache.reports.get(manifest_entry(kind, round_id, lang)) or {}

    def _settled(self, label: str, old: dict[str, Any], key: str) -> str | None:
        """``"skipped"`` when the last build already made this very report and its files
        are all there, ``"failed"`` when it failed on it (reported again), else None: build it."""
        if key != old.get("key"):
            return None
        if old.get("error"):
            self.result.failures.append(f"{old['error']} {UNCHANGED}")
            self.show.set(label, "failed", 0.0)
            return "failed"
        files = old.get("files") or []
        if files and all((self.ws.reports_dir / f).is_file() for f in files):
            self.result.skipped.append(label)
            self.show.set(label, "skipped", 0.0)
            return "skipped"
        return None

    def round_tasks(self) -> list[Task]:
        """Phase one: each round in its own language (or the one language asked for)."""
        tasks: list[Task] = []
        for rid in self.ws.round_ids():
            try:
                fingerprint = input_fingerprint(self.ws, rid, self.cache)
                meta, current = clean_state(self.ws, rid, self.cache, fingerprint)
                own = source_language(self.ws, rid)
            except ExchangeEvalError as exc:
                self.result.failures.append(f"{rid}: {describe(exc)}")
                continue
            except Exception as exc:  # one broken round must not stop the others
                self.result.failures.append(f"{rid}: internal error: {type(exc).__name__}: {exc}")
                continue
            record = self.cache.cleaned.get(rid) or {}
            if not (self.force or self.rekey) and record.get("error") and record.get("input") == fingerprint:
                # cleaning failed on exactly these inputs: say so again, do not redo it
                self.result.failures.append(f"{record['error']} {UNCHANGED}")
                self.show.set(rid, "failed", 0.0)
                continue
            lang = self.lang if self.lang is not None else own
            self.round_langs[rid] = lang
            old = self._old("round", rid, lang)
            task = Task(
                label=rid,
                kind="round",
                ws=self.ws,
                formats=self.formats,
                round_id=rid,
                lang=lang,
                clean=self.force or self.rekey or not current,
                input_fingerprint=fingerprint,
                old_key=None if self.force else old.get("key"),
                key_parts=self.round_parts,
                cleaner=self.cleaner,
            )
            if not task.clean and not self.force and meta is not None:
                # decide here, without a worker, whether the report is up to date
                data = {rid: str(meta.get("data_hash", ""))}
                settled = self._settled(rid, old, report_key(self.round_parts + (("lang", lang),), data))
                if settled == "skipped":
                    self.round_data[rid] = data[rid]
                if settled:
                    continue
            tasks.append(task)
        return tasks

    def later_tasks(self) -> list[Task]:
        """Phase two, over the rounds that succeeded: the synthesis and the review in their
        first language, then the translated round reports, then the synthesis and the
        review in their other languages.

        Workers take tasks in this order. The longest go first, so that no worker is left
        alone with one at the end; the other languages of the synthesis and the review go
        last, so that they start once the first language has put its tables in the
        results cache and only word them (`present.results_cache.shared_over_rounds`).
        """
        programme = self._programme_tasks()
        first_lang = programme[0].lang if programme else None
        first = [task for task in programme if task.lang == first_lang]
        return first + self._translated_round_tasks() + [task for task in programme if task.lang != first_lang]

    def _translated_round_tasks(self) -> list[Task]:
        """Round reports in the languages other than the round's own (data already clean)."""
        tasks: list[Task] = []
        for rid in sorted(self.round_data):
            for other in self.languages:
                if other == self.round_langs.get(rid):
                    continue
                label = f"{rid} ({other})"
                old = self._old("round", rid, other)
                key = report_key(self.round_parts + (("lang", other),), {rid: self.round_data[rid]})
                if not self.force and self._settled(label, old, key):
                    continue
                tasks.append(
                    Task(label=label, kind="round", ws=self.ws, formats=self.formats, round_id=rid, lang=other,
                         old_key=None if self.force else old.get("key"), key_parts=self.round_parts,
                         cleaner=self.cleaner)
                )
        return tasks

    def _programme_tasks(self) -> list[Task]:
        """The synthesis and the review over the rounds that succeeded, in each language."""
        tasks: list[Task] = []
        if not self.round_data:  # no round to synthesise (none yet, or every one failed)
            return tasks
        for programme_lang in self.languages or (DEFAULT_LANGUAGE,):
            for kind, notebook in PROGRAMME_NOTEBOOKS:
                if not (self.ws.notebooks_dir / notebook).is_file():
                    self.result.failures.append(f"{kind}: report notebook {self.ws.notebooks_dir / notebook} not found")
                    continue
                key_parts = (*self.common, ("notebook", self._notebook_hash(notebook)), ("kind", kind))
                old = self._old(kind, "", programme_lang)
                label = kind if programme_lang == DEFAULT_LANGUAGE else f"{kind} ({programme_lang})"
                key = report_key(key_parts + (("lang", programme_lang),), dict(self.round_data))
                if not self.force and self._settled(label, old, key):
                    continue
                tasks.append(
                    Task(label=label, kind=kind, ws=self.ws, formats=self.formats, lang=programme_lang,
                         rounds=tuple(sorted(self.round_data)), old_key=None if self.force else old.get("key"),
                         key_parts=key_parts)
                )
        return tasks

    def record(self, outcome: dict[str, Any], task: Task) -> None:
        """Take one task's outcome into the result, the manifest and the progress display."""
        label = outcome["label"]
        if outcome.get("cleaned"):
            self.result.cleaned.append(label)
            self.cache.cleaned[label] = {"input": task.input_fingerprint, "meta": outcome.get("meta_stat")}
        entry = manifest_entry(task.kind, task.round_id or "", task.lang or "")
        if outcome["state"] == "failed":
            self.result.failures.append(outcome["error"])
            # the message is kept in the reports folder: without the e-mails, phones and IP
            # addresses a problem may quote from an export
            error = scrub_text(outcome["error"])
            if outcome.get("key"):  # the report failed: remember it against its inputs
                self.cache.reports[entry] = {"key": outcome["key"], "error": error, "files": []}
            elif task.kind == "round" and task.clean and not outcome.get("crashed"):
                self.cache.cleaned[label] = {"input": task.input_fingerprint, "meta": None, "error": error}
                self.cache.reports.pop(entry, None)
            else:
                self.cache.reports.pop(entry, None)
        else:
            (self.result.built if outcome["state"] == "done" else self.result.skipped).append(label)
            self.cache.reports[entry] = {"key": outcome["key"], "files": outcome["files"]}
            if task.kind == "round":
                self.round_data.update(outcome["data"])
        if outcome.get("timings"):
            self.result.timings[label] = {**outcome["timings"], "total": outcome.get("seconds", 0.0)}
        self.show.set(label, outcome["state"], outcome.get("seconds"))
