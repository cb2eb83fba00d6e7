"""The results a build shares between its reports: signed, keyed by what they depend on,
read in place of a computation only when they are the same results."""

from __future__ import annotations

import dataclasses
import pickle
import secrets
from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.analysis import pooled
from exchange_eval.build.workers import results_salt
from exchange_eval.clean import clean_round
from exchange_eval.clean.keys import key_file_path
from exchange_eval.core.paths import Workspace
from exchange_eval.core.processed import load_round
from exchange_eval.present import (
    feedback_review,
    round_report,
    synthesis_headline,
    synthesis_report,
)
from exchange_eval.present.context import ReportContext
from exchange_eval.present.results_cache import ResultsCache, results_cache
from exchange_eval.publish.spec import (
    RESULTS_CACHE_PARAMETER,
    review_spec,
    round_spec,
    synthesis_spec,
    with_results_cache,
)

SECRET = b"k" * 32


class _LeavesATrace:
    """A pickle that writes a file when it is loaded: what a forged cache entry could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (self.path, "ran"))


def test_an_entry_is_read_back_only_for_the_same_name_parts_and_salt(tmp_path):
    cache = ResultsCache(tmp_path, "salt-1", SECRET)
    frame = pd.DataFrame({"x": [1.5, None], "y": ["a", "é"]})
    cache.put("round-a", {"data": "h1"}, {"table": frame})
    pd.testing.assert_frame_equal(cache.get("round-a", {"data": "h1"})["table"], frame)
    assert cache.get("round-a", {"data": "h2"}) is None  # other data
    assert cache.get("round-b", {"data": "h1"}) is None  # other round
    assert ResultsCache(tmp_path, "salt-2", SECRET).get("round-a", {"data": "h1"}) is None  # other code or config
    assert ResultsCache(tmp_path, "salt-1", b"x" * 32).get("round-a", {"data": "h1"}) is None  # other key


def test_a_forged_or_altered_entry_is_never_unpickled(tmp_path, capfd):
    cache = ResultsCache(tmp_path, "salt", SECRET)
    trace = tmp_path / "trace.txt"
    forged = pickle.dumps(_LeavesATrace(trace))
    path = cache.path("round-a", {"data": "h"})
    path.write_bytes(b"\0" * 32 + forged)  # a signature made without the key
    assert cache.get("round-a", {"data": "h"}) is None
    path.write_bytes(forged[:10])  # shorter than a signature
    assert cache.get("round-a", {"data": "h"}) is None
    assert not trace.exists()

    cache.put("round-a", {"data": "h"}, {"n": 7})
    blob = bytearray(path.read_bytes())
    blob[-2] ^= 0xFF  # one byte of the payload changed after signing
    path.write_bytes(bytes(blob))
    assert cache.get("round-a", {"data": "h"}) is None
    assert cache.get_or_compute("round-a", {"data": "h"}, lambda: {"n": 8}) == {"n": 8}  # computed again
    assert cache.get("round-a", {"data": "h"}) == {"n": 8}
    assert capfd.readouterr().err == ""  # in a report's kernel, stderr would print into the report


def test_a_new_entry_replaces_the_stale_ones_of_its_name_only(tmp_path):
    cache = ResultsCache(tmp_path, "salt", SECRET)
    cache.put("round-a", {"data": "old"}, 1)
    cache.put("round-ab", {"data": "old"}, 2)
    cache.put("round-a", {"data": "new"}, 3)
    names = sorted(p.name.split(".")[0] for p in tmp_path.glob("*.pickle"))
    assert names == ["round-a", "round-ab"]
    assert cache.get("round-a", {"data": "new"}) == 3 and cache.get("round-ab", {"data": "old"}) == 2


def test_an_unwritable_cache_costs_time_not_the_report(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the folder should be")
    cache = ResultsCache(blocker, "salt", SECRET)
    assert cache.get_or_compute("round-a", {"data": "h"}, lambda: 42) == 42


def test_a_notebook_run_by_hand_shares_nothing(tmp_path):
    ws = Workspace(tmp_path / "data", tmp_path / "reports")
    assert results_cache(ws, None) is None and results_cache(ws, "") is None


def test_the_signing_key_comes_from_the_pseudonymisation_key_and_is_never_made_here(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    ws = Workspace(data, tmp_path / "reports")
    assert results_cache(ws, "salt") is None  # no key yet: nothing shared, and no key file made
    assert not key_file_path(data).exists()
    key_file_path(data).write_text(secrets.token_hex(32) + "\n")
    key_file_path(data).chmod(0o600)
    first = results_cache(ws, "salt")
    assert first is not None and first.folder == data / "interim" / "results"
    first.put("round-a", {"data": "h"}, {"n": 1})
    assert results_cache(ws, "salt").get("round-a", {"data": "h"}) == {"n": 1}
    key_file_path(data).write_text(secrets.token_hex(32) + "\n")  # another key: its entries are not ours
    assert results_cache(ws, "salt").get("round-a", {"data": "h"}) is None
    key_file_path(data).chmod(0o644)  # readable by others: refused, so nothing is signed with it
    assert results_cache(ws, "salt") is None
    by_env = Workspace(data, tmp_path / "reports", key=secrets.token_hex(32))
    assert results_cache(by_env, "salt") is not None


# --------------------------------------------------------------------------- the build's parameters


def test_the_build_passes_the_salt_to_the_reports_that_share(demo_copy):
    ws = Workspace(demo_copy, demo_copy.parent / "reports")
    clean_round(ws, "salex-2025")
    parts = (("code", "c1"), ("config", "g1"), ("formats", "html"), ("notebook", "n1"), ("kind", "round"))
    salt = results_salt(parts)
    # the notebook, the language and the formats do not change a round's results
    assert salt == results_salt((("code", "c1"), ("config", "g1"), ("formats", "pdf"), ("notebook", "n2")))
    assert salt != results_salt((("code", "c2"), ("config", "g1")))
    assert salt != results_salt((("code", "c1"), ("config", "g2")))
    assert results_salt((("formats", "html"),)) == ""  # without the code and config: nothing shared
    assert with_results_cache(round_spec(ws, "salex-2025"), salt).parameters[RESULTS_CACHE_PARAMETER] == salt
    assert with_results_cache(synthesis_spec(ws, "fr"), salt).parameters[RESULTS_CACHE_PARAMETER] == salt
    assert with_results_cache(review_spec(ws), salt).parameters[RESULTS_CACHE_PARAMETER] == salt
    assert RESULTS_CACHE_PARAMETER not in with_results_cache(round_spec(ws, "salex-2025"), "").parameters


# --------------------------------------------------------------------------- round results


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory, copy_demo, demo_rounds):
    data = copy_demo(tmp_path_factory.mktemp("shared") / "data")
    ws = Workspace(data, data.parent / "reports")
    for rid in demo_rounds:
        clean_round(ws, rid)
    return ws, {rid: load_round(ws, rid) for rid in demo_rounds}


def _counting(monkeypatch) -> list[str]:
    computed: list[str] = []
    compute = round_report._compute_round_results

    def counted(rd, ctx, *, robustness):
        computed.append(f"{rd.round_id}:{robustness}")
        return compute(rd, ctx, robustness=robustness)

    monkeypatch.setattr(round_report, "_compute_round_results", counted)
    return computed


def test_the_other_language_reads_the_results_and_words_its_own_headline(cleaned, monkeypatch, tmp_path):
    ws, rounds = cleaned
    rd = rounds["jsr-2025-fr"]
    cache = ResultsCache(tmp_path, "salt", SECRET)
    computed = _counting(monkeypatch)
    fr = round_report.round_results(rd, ReportContext.for_round(ws.config, "fr", rd), cache=cache)
    en = round_report.round_results(rd, ReportContext.for_round(ws.config, "en", rd), cache=cache)
    assert computed == ["jsr-2025-fr:True"]  # once, for both languages
    alone = round_report.round_results(rd, ReportContext.for_round(ws.config, "en", rd))
    assert en.headline["headline"] == alone.headline["headline"] != fr.headline["headline"]
    pd.testing.assert_frame_equal(en.headline["framework"], alone.headline["framework"])
    pd.testing.assert_frame_equal(en.headline["robustness"], alone.headline["robustness"])
    assert en.learning.keys() == alone.learning.keys() and en.learning
    for name, table in alone.learning.items():
        pd.testing.assert_frame_equal(en.learning[name], table)
    shown = round_report.round_sections(rd, ReportContext.for_round(ws.config, "en", rd), en)
    assert shown == round_report.round_sections(rd, ReportContext.for_round(ws.config, "en", rd), alone)


def test_results_with_the_robustness_reruns_serve_a_request_without_them_not_the_reverse(cleaned, monkeypatch, tmp_path):
    ws, rounds = cleaned
    rd = rounds["jsr-2025-en"]
    ctx = ReportContext.for_round(ws.config, "en", rd)
    computed = _counting(monkeypatch)
    light = ResultsCache(tmp_path / "light", "salt", SECRET)
    round_report.round_results(rd, ctx, robustness=False, cache=light)
    full = round_report.round_results(rd, ctx, robustness=True, cache=light)
    assert computed == ["jsr-2025-en:False", "jsr-2025-en:True"]
    assert not full.headline["robustness"].empty
    round_report.round_results(rd, ctx, robustness=False, cache=light)  # the full entry now serves it
    assert computed == ["jsr-2025-en:False", "jsr-2025-en:True"]


def test_changed_data_are_computed_again(cleaned, monkeypatch, tmp_path):
    ws, rounds = cleaned
    rd = rounds["salex-2025"]
    ctx = ReportContext.for_round(ws.config, "en", rd)
    cache = ResultsCache(tmp_path, "salt", SECRET)
    computed = _counting(monkeypatch)
    round_report.round_results(rd, ctx, cache=cache)
    round_report.round_results(dataclasses.replace(rd, meta={**rd.meta, "data_hash": "another"}), ctx, cache=cache)
    assert computed == ["salex-2025:True", "salex-2025:True"]
    assert len(list(tmp_path.glob("round-salex-2025.*.pickle"))) == 1  # the stale entry is gone


def test_the_synthesis_reads_each_round_once_and_judges_as_without_sharing(cleaned, monkeypatch, tmp_path):
    ws, rounds = cleaned
    data = list(rounds.values())
    ctx = ReportContext(ws.config, "en")
    alone = synthesis_headline.synthesis_headline(data, ctx)
    cache = ResultsCache(tmp_path, "salt", SECRET)
    for rd in data:  # the round reports of the build, in their own languages
        round_report.round_results(rd, ReportContext.for_round(ws.config, rd.meta["language"], rd), cache=cache)
    computed = _counting(monkeypatch)
    shared = synthesis_headline.synthesis_headline(data, ctx, cache=cache)
    assert computed == []
    for key in ("framework", "pooled", "plans", "selfassessment", "model"):
        pd.testing.assert_frame_equal(shared[key], alone[key])
    assert shared["headline"] == alone["headline"] and shared["facts"] == alone["facts"]


def _every_round_in_both_languages(cleaned) -> tuple[list, ReportContext, ReportContext]:
    ws, rounds = cleaned
    return list(rounds.values()), ReportContext(ws.config, "en"), ReportContext(ws.config, "fr")


def test_the_synthesis_tables_are_computed_once_for_both_languages_and_equal_those_alone(
        cleaned, monkeypatch, tmp_path):
    data, en, fr = _every_round_in_both_languages(cleaned)
    alone = synthesis_report.programme_results(data, fr)
    assert not alone.model.empty and not alone.feedback.empty and alone.rf18_by_round
    calls: list[str] = []
    compute = synthesis_report._compute_programme_results
    monkeypatch.setattr(synthesis_report, "_compute_programme_results",
                        lambda d, ctx: calls.append(ctx.lang) or compute(d, ctx))
    cache = ResultsCache(tmp_path, "salt", SECRET)
    synthesis_report.programme_results(data, en, cache=cache)
    shared = synthesis_report.programme_results(data, fr, cache=cache)
    assert calls == ["en"]
    for name in ("outcomes", "model", "ordinal", "feedback", "tools", "ladder", "network"):
        pd.testing.assert_frame_equal(getattr(shared, name), getattr(alone, name))
    assert set(shared.rf18_by_round) == set(alone.rf18_by_round)
    # the French sections from shared tables read as those computed inside each section
    assert synthesis_report.between_section(data, fr, shared) == synthesis_report.between_section(data, fr)
    assert synthesis_report.ordinal_section(data, fr, shared.ordinal) == synthesis_report.ordinal_section(data, fr)
    headline = synthesis_headline.synthesis_headline(data, fr, cache=cache, results=shared)
    assert calls == ["en"]
    pd.testing.assert_frame_equal(headline["pooled"], synthesis_headline.synthesis_headline(data, fr)["pooled"])
    # a round whose data changed is a different programme: computed again
    changed = [dataclasses.replace(data[0], meta={**data[0].meta, "data_hash": "another"}), *data[1:]]
    synthesis_report.programme_results(changed, fr, cache=cache)
    assert calls == ["en", "fr"]


def test_the_review_checks_are_computed_once_for_both_languages_and_equal_those_alone(
        cleaned, monkeypatch, tmp_path):
    data, en, fr = _every_round_in_both_languages(cleaned)
    alone = feedback_review.review_findings(data, fr)
    calls: list[int] = []
    compute = feedback_review.review.review_findings
    monkeypatch.setattr(feedback_review.review, "review_findings",
                        lambda d, **kw: calls.append(len(d)) or compute(d, **kw))
    cache = ResultsCache(tmp_path, "salt", SECRET)
    feedback_review.review_findings(data, en, cache=cache)
    shared = feedback_review.review_findings(data, fr, cache=cache)
    assert calls == [len(data)]
    frames = [k for k, v in alone.items() if isinstance(v, pd.DataFrame)]
    assert len(frames) >= 4 and set(shared) == set(alone)
    for key in frames:
        pd.testing.assert_frame_equal(shared[key], alone[key])
    assert shared["sessions"] == alone["sessions"]
    # the French sections from shared checks read as those computed alone
    for section in (feedback_review.response_section, feedback_review.reliability_section):
        assert section(shared, fr) == section(alone, fr)
    feedback_review.review_findings(data[:1], fr, cache=cache)  # other rounds: computed again
    assert calls == [len(data), 1]


def test_pooled_tables_from_the_rounds_results_equal_those_computed_afresh(cleaned):
    ws, rounds = cleaned
    data = list(rounds.values())
    ctx = ReportContext(ws.config, "en")
    results = {rid: round_report.round_results(rd, ctx, robustness=False) for rid, rd in rounds.items()}
    dims = ws.config.dimensions
    fresh = pooled.selfassessment_by_round(data, dims)
    assert len(fresh) == 2  # both JSR rounds have a self-assessment
    pd.testing.assert_frame_equal(
        pooled.selfassessment_by_round(data, dims, results={r: v.selfassessment for r, v in results.items()}), fresh)
    statuses = ctx.plan_statuses
    fresh = pooled.plans_by_round(data, statuses=statuses)
    assert len(fresh) >= 2
    pd.testing.assert_frame_equal(
        pooled.plans_by_round(data, statuses=statuses, results={r: v.plans for r, v in results.items()}), fresh)
