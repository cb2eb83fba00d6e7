"""The verdicts of the demo rounds agree with the planted effects (data/demo_truth.json),
and a round report shows the sections its data supports, the verdict first."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest

from exchange_eval.analysis.participation import response_counts
from exchange_eval.analysis.selfassessment import criteria_change, criteria_did
from exchange_eval.clean import clean_round
from exchange_eval.core.paths import Workspace
from exchange_eval.core.processed import load_round
from exchange_eval.present import round_report
from exchange_eval.present.context import ReportContext
from exchange_eval.present.i18n import t

JSR_ROUNDS = ("jsr-2025-fr", "jsr-2025-en")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory, copy_demo, demo_rounds, demo_truth):
    data = copy_demo(tmp_path_factory.mktemp("verdict") / "data")
    ws = Workspace(data, data.parent / "reports")
    for rid in demo_rounds:
        clean_round(ws, rid)
    rounds = {rid: load_round(ws, rid) for rid in demo_rounds}
    results = {rid: round_report.round_results(rounds[rid], ReportContext(ws.config, "en")) for rid in demo_rounds}
    return ws, rounds, results, demo_truth


def _verdicts(results) -> dict[str, str]:
    table = results.headline["framework"]
    return dict(zip(table["indicator"], table["verdict"], strict=True))


@pytest.mark.parametrize("round_id", JSR_ROUNDS)
def test_learning_verdicts_agree_with_the_planted_changes(cleaned, round_id):
    _, _, results, truth = cleaned
    verdicts = _verdicts(results[round_id])
    for outcome, planted in truth["rounds"][round_id]["outcomes"].items():
        expected = "improved" if planted["planted_change"] > 0 else "no_change"
        assert verdicts[outcome] == expected, (outcome, verdicts[outcome])


@pytest.mark.parametrize("round_id", JSR_ROUNDS)
def test_learning_verdicts_are_judged_on_the_learning_table(cleaned, round_id):
    """The framework reads the learning table through the one adapter: the Hodges-Lehmann
    shift, its interval and the p-value adjusted over the outcomes (primary first)."""
    _, _, results, _ = cleaned
    learning = results[round_id].learning["outcomes"].set_index("outcome")
    table = results[round_id].headline["framework"].set_index("indicator")
    for outcome in learning.index:
        for column in ("estimate", "ci_low", "ci_high", "p_adjusted"):
            assert table.loc[outcome, column] == pytest.approx(learning.loc[outcome, column], nan_ok=True), column
        assert table.loc[outcome, "n"] == learning.loc[outcome, "n"]


@pytest.mark.parametrize("round_id", JSR_ROUNDS)
def test_jsr_verdicts_agree_with_the_planted_differences(cleaned, round_id):
    _, _, results, truth = cleaned
    planted = truth["rounds"][round_id]
    verdicts = _verdicts(results[round_id])
    assert planted["rf18_did"] > 0 and verdicts["rf18"] == "improved"
    assert planted["selfassessment_change"]["difference"] > 0 and verdicts["selfassessment"] == "improved"
    assert planted["ladder_change"]["difference"] > 0 and verdicts["ladder"] == "improved"
    table = results[round_id].headline["framework"].set_index("indicator")
    assert table.loc["rf18", "estimate"] == pytest.approx(planted["rf18_did"])
    assert table.loc["rf18", "baseline"] == pytest.approx(planted["rf18_shares"]["participant_before"])
    assert table.loc["rf18", "actual"] == pytest.approx(planted["rf18_shares"]["participant_after"])


def test_network_verdict_agrees_with_the_planted_ties(cleaned):
    _, _, results, truth = cleaned
    waves = truth["rounds"]["salex-2025"]["network"]
    table = results["salex-2025"].headline["framework"].set_index("indicator")
    assert table.loc["network_density", "baseline"] == pytest.approx(waves["pulse-1"]["density_undirected"], abs=1e-5)
    assert table.loc["network_density", "actual"] == pytest.approx(waves["pulse-3"]["density_undirected"], abs=1e-5)
    assert table.loc["network_density", "verdict"] == "improved"
    assert not {"rf18", "selfassessment", "ladder", "plan_completion"} & set(table.index)


@pytest.mark.parametrize("round_id", JSR_ROUNDS)
def test_selfassessment_criteria_change_and_did_equal_the_truth(cleaned, round_id):
    ws, rounds, results, truth = cleaned
    planted = truth["rounds"][round_id]["selfassessment_change"]
    overall = criteria_change(rounds[round_id].jsr_assessment, ws.config.dimensions)["overall"].iloc[0]
    assert overall["change_participant"] == pytest.approx(planted["participant"], abs=1e-6)
    assert overall["change_comparison"] == pytest.approx(planted["comparison"], abs=1e-6)
    did = criteria_did(rounds[round_id].jsr_assessment)
    assert did["estimate"] == pytest.approx(planted["difference"], abs=1e-6)  # balanced panel: FE = 2x2
    assert results[round_id].selfassessment["did"]["p_value_ri"] < 0.05


def test_session_feedback_response_rate_is_over_attendees(cleaned):
    _, rounds, _, truth = cleaned
    rd = rounds["jsr-2025-fr"]
    counts = response_counts(rd.responses, rd.participants, attendance=rd.attendance).set_index(["instrument", "wave"])
    visit = counts.loc[("session_feedback", "visit")]
    attended = int(rd.attendance[(rd.attendance["session_id"] == "visit") & rd.attendance["attended"]]["pid"].nunique())
    assert visit["n_respondents"] == truth["rounds"]["jsr-2025-fr"]["n_responses"]["session_feedback"]["visit"] == 5
    assert visit["n_eligible"] == attended == 8 and visit["denominator"] == "attendees"
    assert visit["response_rate"] == pytest.approx(5 / 8)
    assert counts.loc[("outcomes", "pre"), "denominator"] == "roster"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_session_by_session_feedback_comes_in_figures_a_page_holds(cleaned, lang):
    ws, rounds, results, _ = cleaned
    rd = rounds["jsr-2025-en"]
    ctx = ReportContext.for_round(ws.config, lang, rd)
    sessions = rd.responses.loc[rd.responses["instrument"] == "session_feedback", "session_id"].dropna().unique()
    assert len(sessions) == 4  # of 5 rated questions each: 20 bars, too tall for one page at full width
    page = "".join(round_report.feedback_section(rd, ctx, results["jsr-2025-en"].feedback))
    captions = [html_lib.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", page)]
    assert captions == [t("round.figure.feedback_sessions_part", lang, part=i, parts=2) for i in (1, 2)]


def test_robustness_of_each_claim(cleaned):
    _, _, results, truth = cleaned
    rob = results["jsr-2025-fr"].headline["robustness"].set_index("indicator")
    # four participating countries left out in turn; the knowledge gain survives each
    assert rob.loc["new_knowledge", "loco_runs"] == 4 and rob.loc["new_knowledge", "loco_same"] == 4
    assert rob.loc["new_knowledge", "flip_pairs"] >= 1
    assert rob.loc["rf18", "loco_runs"] == 9  # every country of the RF18 panel
    # post vs retrospective pre beside post vs pre: the planted response shift on knowledge
    planted_shift = truth["rounds"]["jsr-2025-fr"]["response_shift"]["new_knowledge"]
    assert rob.loc["new_knowledge", "shift"] < 0 and planted_shift < 0
    assert rob.loc["new_knowledge", "retro_estimate"] > results["jsr-2025-fr"].headline["framework"].set_index(
        "indicator").loc["new_knowledge", "estimate"]


def test_the_framework_alone_is_the_same_without_the_robustness_reruns(cleaned):
    # the synthesis reads each round's framework without re-running its robustness checks
    ws, rounds, results, _ = cleaned
    quick = round_report.round_results(rounds["jsr-2025-fr"], ReportContext(ws.config, "en"), robustness=False)
    pd.testing.assert_frame_equal(quick.headline["framework"], results["jsr-2025-fr"].headline["framework"])
    assert quick.headline["robustness"].empty and not results["jsr-2025-fr"].headline["robustness"].empty


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_round_report_opens_with_the_verdict_and_shows_only_supported_sections(cleaned, lang):
    ws, rounds, _, _ = cleaned
    for rid, rd in rounds.items():
        ctx = ReportContext(ws.config, lang)
        text = html_lib.unescape("".join(round_report.round_sections(rd, ctx)))
        assert text.index(t("verdict.title", lang)) < text.index(t("framework.h", lang)) < text.index(
            t("round.h.participation", lang))
        assert t("verdict.opening.question", lang) in text
        jsr_headings = [t(f"round.h.{k}", lang) for k in ("jsr", "rf18", "selfassessment", "learning", "plans")]
        if rid == "salex-2025":
            assert not [h for h in jsr_headings if h in text], rid
            assert t("round.h.network", lang) in text and t("round.h.pulse", lang) in text
            assert t("round.methods.network_tie", lang) in text
        else:
            assert all(h in text for h in jsr_headings), rid
            assert t("round.h.network", lang) not in text
            assert t("round.table.rf18_country", lang) in text


def test_sections_can_be_registered(cleaned):
    ws, rounds, results, _ = cleaned
    extra = round_report.Section("extra", lambda rd, ctx, res: ["<h2>Extra</h2>"],
                                 lambda rd, res: rd.round_id == "salex-2025")
    before = list(round_report.SECTIONS)
    try:
        round_report.register_section(extra, after="feedback")
        names = [s.name for s in round_report.SECTIONS]
        assert names.index("extra") == names.index("feedback") + 1
        ctx = ReportContext(ws.config, "en")
        assert "<h2>Extra</h2>" in "".join(round_report.round_sections(rounds["salex-2025"], ctx, results["salex-2025"]))
        assert "<h2>Extra</h2>" not in "".join(round_report.round_sections(rounds["jsr-2025-en"], ctx,
                                                                           results["jsr-2025-en"]))
    finally:
        round_report.SECTIONS[:] = before


def test_cleaning_counts_are_people_not_log_rows(cleaned):
    from exchange_eval.analysis.cleaning import cleaning_summary

    _, rounds, _, truth = cleaned
    rd = rounds["jsr-2025-fr"]
    summary = cleaning_summary(rd.cleaning_log, rd.participants, rd.responses).set_index("action")
    assert summary.loc["people_pseudonymized", "count"] == len(rd.participants) == truth["rounds"]["jsr-2025-fr"][
        "n_roster"]
    assert summary.loc["linked", "count"] == truth["rounds"]["jsr-2025-fr"]["linked_pairs"]
    assert summary.loc["people_pseudonymized", "unit"] == "people"
    assert isinstance(summary, pd.DataFrame)
