"""Incremental, parallel builds with stand-in cleaning and fixture notebooks."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import psutil
import pytest

from exchange_eval.build import (
    MANIFEST_FILE,
    BuildCache,
    build_all,
    build_one,
    clean_is_current,
)
from exchange_eval.core.atomic import process_alive
from exchange_eval.core.errors import DataError, UsageError
from exchange_eval.core.fingerprint import input_fingerprint
from exchange_eval.core.paths import Workspace
from exchange_eval.publish.staging import staging_path
from support import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "notebooks"
pytestmark = pytest.mark.xdist_group("build")

MANIFEST = """round: {rid}
title: Round {rid}
community: jsr-exchange
language: {lang}
countries: [SEN, BFA]
sources:
  - {{file: answers.csv, instrument: outcomes, wave: pre}}
"""


def _dead_pid() -> int:
    """A process id no process has (the highest ids are free on any test machine)."""
    pid = 4_194_000
    while process_alive(pid):
        pid += 1
    return pid


@pytest.fixture(autouse=True)
def stable_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colleagues edit the package while tests run; its code fingerprint is tested apart."""
    import exchange_eval.build.plan as plan_module
    import exchange_eval.core.fingerprint as fingerprint_module

    def stable(hashes, *, include_code=True):
        return "code-v1"

    monkeypatch.setattr(plan_module, "code_fingerprint", stable)
    monkeypatch.setattr(fingerprint_module, "code_fingerprint", stable)


def fake_clean(ws: Workspace, round_id: str) -> None:
    """Stand-in for clean_round: meta.json with a data hash over the raw answers.

    A raw file containing ``BROKEN`` is a data problem, as the real cleaning reports it.
    Module-level, so spawned build workers can unpickle it.
    """
    raw = ws.raw_round(round_id)
    answers = (raw / "answers.csv").read_text(encoding="utf-8")
    if "BROKEN" in answers:
        raise DataError("value 'BROKEN' is not on the agreement scale", file=raw / "answers.csv", row=3, column="q1")
    lang = "fr" if "language: fr" in (raw / "round.yaml").read_text(encoding="utf-8") else "en"
    out = ws.processed_round(round_id)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "round_id": round_id,
        "title": f"Round {round_id}",
        "community": "jsr-exchange",
        "countries": ["SEN", "BFA"],
        "language": lang,
        "data_hash": hashlib.sha256(answers.encode()).hexdigest(),
    }
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    log = out.parent / f"{round_id}.cleanings"
    log.write_text(log.read_text() + "x" if log.exists() else "x")


def cleanings(ws: Workspace, round_id: str) -> int:
    log = ws.processed_dir / f"{round_id}.cleanings"
    return len(log.read_text()) if log.exists() else 0


def make_programme(tmp_path: Path, rounds: dict[str, str]) -> Workspace:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("round_report", "synthesis_report", "feedback_review"):
        shutil.copy(FIXTURES / "ok.ipynb", notebooks / f"{name}.ipynb")
    ws = Workspace(tmp_path / "data", tmp_path / "reports", notebooks)
    for rid, lang in rounds.items():
        folder = ws.raw_round(rid)
        folder.mkdir(parents=True)
        (folder / "round.yaml").write_text(MANIFEST.format(rid=rid, lang=lang), encoding="utf-8")
        (folder / "answers.csv").write_text("pid,q1\np1,4\np2,3\n", encoding="utf-8")
    return ws


def build(ws: Workspace, **kwargs) -> object:
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("formats", ("html",))
    kwargs.setdefault("progress", False)
    kwargs.setdefault("languages", ())  # each round in its own language, programme in English
    return build_all(ws, cleaner=fake_clean, **kwargs)


@pytest.mark.slow
def test_build_every_report_in_every_language(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"ra": "en", "rb": "fr"})
    first = build(ws, languages=("en", "fr"))
    assert first.ok, first.failures
    assert sorted(first.built) == [
        "index", "ra", "ra (fr)", "rb", "rb (en)", "review", "review (fr)", "synthesis", "synthesis (fr)",
    ]
    # one worker takes the tasks in the plan's order: own languages; the synthesis and the
    # review in their first language (the longest); translations; their other languages,
    # which read the tables the first language left in the results cache
    assert first.built == [
        "ra", "rb", "synthesis", "review", "ra (fr)", "rb (en)", "synthesis (fr)", "review (fr)", "index",
    ]
    assert sorted(first.cleaned) == ["ra", "rb"]  # each round cleaned once, whatever the languages
    for path in ("ra/round_report.html", "ra/round_report.fr.html", "rb/round_report.html",
                 "rb/round_report.en.html", "synthesis/synthesis_report.fr.html", "review/feedback_review.fr.html"):
        assert (ws.reports_dir / path).is_file(), path
    index = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="ra/round_report.fr.html"' in index and 'href="rb/round_report.en.html"' in index
    again = build(ws, languages=("en", "fr"))
    assert again.built == [] and len(again.skipped) == 8


@pytest.mark.slow
def test_build_then_nothing_to_do_then_rebuild_what_changed(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"ra": "en", "rb": "fr"})
    first = build(ws)
    assert first.ok, first.failures
    assert sorted(first.built) == ["index", "ra", "rb", "review", "synthesis"]
    assert sorted(first.cleaned) == ["ra", "rb"]
    assert first.skipped == []
    assert (ws.reports_dir / "ra" / "round_report.html").is_file()
    assert (ws.reports_dir / "rb" / "round_report.html").is_file()  # fr is rb's default language
    assert (ws.reports_dir / "synthesis" / "synthesis_report.html").is_file()
    assert (ws.reports_dir / "review" / "feedback_review.html").is_file()
    index = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    for link in ("ra/round_report.html", "rb/round_report.html", "synthesis/synthesis_report.html", "review/feedback_review.html"):
        assert f'href="{link}"' in index
    assert (ws.reports_dir / MANIFEST_FILE).is_file()
    synthesis = json.loads((ws.reports_dir / "synthesis" / "synthesis_report.json").read_text(encoding="utf-8"))
    assert synthesis["rounds"] == ["ra", "rb"]

    # a killed build left staged outputs: the next build removes those whose writer is gone
    dead_pid = _dead_pid()
    left = ws.reports_dir / "ra" / f".round_report.html.tmp-{dead_pid}-0badcafe.html"
    mine = staging_path(ws.reports_dir / "ra" / "round_report.pdf")
    left.write_text("half a page", encoding="utf-8")

    # nothing changed: nothing built, nothing cleaned, fast
    started = time.perf_counter()
    second = build(ws)
    elapsed = time.perf_counter() - started
    assert second.ok
    assert not left.exists() and mine.exists()  # a running writer's staging is left alone
    mine.unlink()
    assert second.built == [] and second.cleaned == []
    assert sorted(second.skipped) == ["ra", "rb", "review", "synthesis"]
    assert elapsed < 1.0
    assert cleanings(ws, "ra") == 1

    # touching a raw file without changing it: rehashed, same content, nothing rebuilt
    answers = ws.raw_round("ra") / "answers.csv"
    answers.write_text(answers.read_text(encoding="utf-8"), encoding="utf-8")
    assert build(ws).built == []

    # a raw file changes: that round is cleaned again, and rebuilt with synthesis, review, index
    answers.write_text("pid,q1\np1,4\np2,2\n", encoding="utf-8")
    third = build(ws)
    assert third.ok
    assert third.cleaned == ["ra"]
    assert sorted(third.built) == ["index", "ra", "review", "synthesis"]
    assert third.skipped == ["rb"]
    assert cleanings(ws, "ra") == 2 and cleanings(ws, "rb") == 1

    # the round notebook changes: every round report, not the cleaning
    nb = ws.notebooks_dir / "round_report.ipynb"
    nb.write_text(nb.read_text(encoding="utf-8").replace("Fixture report", "Fixture report v2"), encoding="utf-8")
    fourth = build(ws)
    assert sorted(fourth.built) == ["index", "ra", "rb"]
    assert fourth.cleaned == []
    assert "Fixture report v2" in (ws.reports_dir / "rb" / "round_report.html").read_text(encoding="utf-8")

    # a deleted output is rebuilt; --force rebuilds and recleans everything
    (ws.reports_dir / "rb" / "round_report.html").unlink()
    assert sorted(build(ws).built) == ["index", "rb"]
    forced = build(ws, force=True)
    assert sorted(forced.built) == ["index", "ra", "rb", "review", "synthesis"]
    assert sorted(forced.cleaned) == ["ra", "rb"]


@pytest.mark.slow
def test_a_failing_round_does_not_stop_the_others(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"good": "en", "fail-cell": "en", "baddata": "fr"})
    (ws.raw_round("baddata") / "answers.csv").write_text("pid,q1\np1,BROKEN\n", encoding="utf-8")
    result = build(ws, jobs=2)
    assert not result.ok
    assert sorted(result.built) == ["good", "index", "review", "synthesis"]
    assert len(result.failures) == 2
    cell_failure = next(f for f in result.failures if f.startswith("fail-cell:"))
    assert "cell 2" in cell_failure and "RuntimeError: cell failure in fail-cell" in cell_failure
    data_failure = next(f for f in result.failures if f.startswith("baddata:"))
    assert "answers.csv:3:q1: value 'BROKEN' is not on the agreement scale" in data_failure
    # synthesis and review are built from the rounds that succeeded
    record = json.loads((ws.reports_dir / "synthesis" / "synthesis_report.json").read_text(encoding="utf-8"))
    assert record["rounds"] == ["good"]
    index = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="good/round_report.html"' in index and "fail-cell/" not in index

    # nothing changed: the failures are reported again without redoing them
    started = time.perf_counter()
    same = build(ws)
    assert time.perf_counter() - started < 1.0
    assert same.built == [] and same.cleaned == [] and not same.ok
    assert sorted(f.split(":")[0] for f in same.failures) == ["baddata", "fail-cell"]
    assert all(f.endswith("(inputs unchanged since the last build)") for f in same.failures)

    # fixing the data builds that round next time and rebuilds the cross-round reports
    (ws.raw_round("baddata") / "answers.csv").write_text("pid,q1\np1,3\n", encoding="utf-8")
    again = build(ws)
    assert sorted(again.built) == ["baddata", "index", "review", "synthesis"]
    assert [f.split(":")[0] for f in again.failures] == ["fail-cell"]


def test_fingerprint_cache_and_clean_state(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"r1": "en"})
    cache = BuildCache.load(ws)
    before = input_fingerprint(ws, "r1", cache)
    assert input_fingerprint(ws, "r1", cache) == before
    answers = ws.raw_round("r1") / "answers.csv"
    assert cache.known[cache.key(answers)][2] == hashlib.sha256(answers.read_bytes()).hexdigest()
    (ws.raw_round("r1") / ".~lock.answers.csv#").write_text("lock", encoding="utf-8")
    assert input_fingerprint(ws, "r1", cache) == before  # editor lock files do not count
    (ws.raw_round("r1") / "corrections.csv").write_text("pid,item,value\n", encoding="utf-8")
    assert input_fingerprint(ws, "r1", cache) != before
    assert not clean_is_current(ws, "r1")
    fake_clean(ws, "r1")
    meta = ws.processed_round("r1") / "meta.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["input_fingerprint"] = input_fingerprint(ws, "r1")
    meta.write_text(json.dumps(data), encoding="utf-8")
    assert clean_is_current(ws, "r1")


def test_package_code_is_part_of_the_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import exchange_eval.core.fingerprint as fingerprint_module

    monkeypatch.undo()
    fake_package = tmp_path / "pkg"
    fake_package.mkdir()
    (fake_package / "clean.py").write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(fingerprint_module, "PACKAGE_DIR", fake_package)
    ws = make_programme(tmp_path, {"r1": "en"})
    before = input_fingerprint(ws, "r1")
    (fake_package / "clean.py").write_text("VERSION = 2\n", encoding="utf-8")
    assert input_fingerprint(ws, "r1") != before


@pytest.mark.slow
def test_build_one_cleans_only_when_needed(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"r1": "fr", "r2": "en"})
    paths = build_one(ws, "round", "r1", formats="html", cleaner=fake_clean)
    assert [p.name for p in paths] == ["round_report.ipynb", "round_report.html", "round_report.json"]
    assert cleanings(ws, "r1") == 1
    assert clean_is_current(ws, "r1")  # the build manifest remembers the clean
    english = build_one(ws, "round", "r1", lang="en", formats=("html",), cleaner=fake_clean)
    assert english[1].name == "round_report.en.html"
    assert '<html lang="en">' in english[1].read_text(encoding="utf-8")
    assert cleanings(ws, "r1") == 1  # processed data were current
    notebook_only = build_one(ws, "round", "r1", formats="ipynb", cleaner=fake_clean)
    assert [p.name for p in notebook_only] == ["round_report.ipynb", "round_report.json"]
    assert json.loads(notebook_only[1].read_text(encoding="utf-8"))["formats"] == []
    # the synthesis reads the cleaned rounds as they are: r2 was never cleaned
    synthesis = build_one(ws, "synthesis", formats="html")
    assert [p.name for p in synthesis] == ["synthesis_report.ipynb", "synthesis_report.html", "synthesis_report.json"]
    record = json.loads(synthesis[-1].read_text(encoding="utf-8"))
    assert record["rounds"] == ["r1"] and cleanings(ws, "r2") == 0
    assert not (ws.reports_dir / "index.html").exists()  # `build` writes the index
    # a following build cleans nothing it already knows clean, and builds the rest
    after = build(ws)
    assert sorted(after.cleaned) == ["r2"]
    assert cleanings(ws, "r1") == 1


def test_build_one_refuses_unknown_kinds_formats_and_languages(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"r1": "fr"})
    with pytest.raises(UsageError, match="unknown report 'index'"):
        build_one(ws, "index")
    with pytest.raises(UsageError, match="html, pdf, docx, ipynb"):
        build_one(ws, "round", "r1", formats="rtf")
    with pytest.raises(UsageError, match="'xx' has no translation table"):
        build_one(ws, "round", "r1", lang="xx")
    with pytest.raises(UsageError, match="no round 'r9'"):
        build_one(ws, "round", "r9")
    with pytest.raises(UsageError, match="html, pdf, docx, ipynb"):
        build_all(ws, formats=("rtf",), progress=False)
    assert cleanings(ws, "r1") == 0


def test_build_manifest_is_written_atomically_without_leftovers(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"r1": "en"})
    cache = BuildCache.load(ws)
    input_fingerprint(ws, "r1", cache)
    path = cache.save()
    assert path == ws.reports_dir / MANIFEST_FILE
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in ws.reports_dir.iterdir()] == [MANIFEST_FILE]


@pytest.mark.slow
def test_build_round_first_serves_that_round_before_everything_else(tmp_path: Path) -> None:
    ws = make_programme(tmp_path, {"ra": "en", "rb": "fr"})
    result = build(ws, languages=("en", "fr"), first="rb")
    assert result.ok, result.failures
    # rb in its own language, then its other language, then the programme, then ra's other
    assert result.built == [
        "rb", "ra", "rb (en)", "synthesis", "review", "synthesis (fr)", "review (fr)", "ra (fr)", "index",
    ]


def test_watch_snapshot_sees_a_file_change_and_ignores_lock_files(tmp_path: Path) -> None:
    from exchange_eval.build.watch import snapshot

    (tmp_path / "answers.csv").write_text("pid,q1\np1,4\n", encoding="utf-8")
    before = snapshot([tmp_path])
    (tmp_path / "~$answers.xlsx").write_text("lock", encoding="utf-8")
    (tmp_path / ".hidden").write_text("editor state", encoding="utf-8")
    assert snapshot([tmp_path]) == before
    (tmp_path / "answers.csv").write_text("pid,q1\np1,4\np2,5\n", encoding="utf-8")
    after = snapshot([tmp_path])
    assert after != before and set(after) == {str(tmp_path / "answers.csv")}


@pytest.mark.slow
def test_warm_workers_have_their_kernel_zygotes_ready_before_any_report(tmp_path: Path) -> None:
    from exchange_eval.build.progress import Progress
    from exchange_eval.build.workers import Runner

    ws = make_programme(tmp_path, {"ra": "en"})
    runner = Runner(2, Progress(False))
    try:
        assert runner.warm(ws)
        workers = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 2  # both started, before any task
        for worker in workers:  # each with its zygote, which has said it is ready
            assert any("exchange_eval.publish.kernel" in c.cmdline() for c in worker.children())
        assert runner.warm(ws)  # warm already: nothing new
        assert sorted(p.pid for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())) == \
            sorted(p.pid for p in workers)
    finally:
        runner.close()
    assert Runner(1, Progress(False)).warm(ws)  # in this process: nothing to start


def test_watch_rebuilds_the_round_first_when_its_raw_files_change(tmp_path: Path) -> None:
    import threading

    from exchange_eval.build import watch

    ws = make_programme(tmp_path, {"ra": "en", "rb": "fr"})
    results = []

    def edit_after_first(result: object) -> None:
        results.append(result)
        if len(results) == 1:  # the watch now waits for a change: make one
            answers = ws.raw_round("ra") / "answers.csv"
            threading.Timer(0.3, answers.write_text, ("pid,q1\np1,4\np2,2\n",), {"encoding": "utf-8"}).start()

    made = watch(ws, "ra", jobs=1, formats="html", interval=0.05, settle=0.1, progress=False, builds=2,
                 on_build=edit_after_first, languages=(), cleaner=fake_clean)
    assert made == 2
    first, second = results
    assert first.ok and sorted(first.built) == ["index", "ra", "rb", "review", "synthesis"]
    assert first.built[0] == "ra"
    assert second.ok and second.built == ["ra", "synthesis", "review", "index"]  # rb untouched
    assert cleanings(ws, "ra") == 2 and cleanings(ws, "rb") == 1
