"""Verdict rules, evidence adapters and intervals (analysis.verdict)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis.verdict import (
    CHANGE_SOURCE,
    VerdictRules,
    change_evidence,
    dyad_evidence,
    judge,
    judge_table,
    share_evidence,
    wilson_interval,
)
from exchange_eval.core.config import Config

RULES = VerdictRules.from_config(Config().verdicts)


def _ev(n, estimate, low, high, p, note=None):
    return {"n": n, "estimate": estimate, "ci_low": low, "ci_high": high, "p_adjusted": p, "note": note}


@pytest.mark.parametrize(
    ("evidence", "design", "unit", "verdict", "grade"),
    [
        (_ev(11, 1.0, 0.5, 1.5, 0.004), "paired", "points", "improved", "strong"),
        (_ev(9, 1.0, 0.5, 1.5, 0.004), "paired", "points", "improved", "moderate"),  # n < 10: not strong
        (_ev(11, 1.0, 0.5, 1.5, 0.03), "paired", "points", "improved", "moderate"),
        (_ev(11, 1.0, 0.2, 1.5, 0.2), "paired", "points", "improved", "weak"),  # interval clear, test not
        (_ev(11, 1.0, 0.0, 2.0, 0.046), "paired", "points", "improved", "weak"),  # test, interval touches 0
        (_ev(11, 0.0, -0.5, 0.5, 1.0), "paired", "points", "no_change", None),
        (_ev(11, -1.0, -1.5, -0.5, 0.004), "paired", "points", "worsened", "strong"),
        (_ev(30, 0.1, 0.05, 0.15, 0.001), "paired", "points", "negligible", "strong"),  # below min_effect
        (_ev(4, 1.0, 0.5, 1.5, 0.001), "paired", "points", "too_few", None),
        (_ev(11, np.nan, np.nan, np.nan, np.nan, "too_few_pairs"), "paired", "points", "too_few", None),
        (_ev(11, 0.0, 0.0, 0.0, np.nan, "no_variance"), "paired", "points", "no_change", None),
        (_ev(9, 0.75, 0.13, 1.37, 0.008), "did", "share", "improved", "moderate"),  # did capped at moderate
        (_ev(27, -0.08, -0.27, 0.06, 0.37), "share", "share", "no_change", None),
    ],
)
def test_judge_follows_the_configured_rules(evidence, design, unit, verdict, grade):
    out = judge(evidence, design, unit, RULES)
    assert (out["verdict"], out["grade"]) == (verdict, grade)


def test_rules_come_from_the_configuration_and_are_checked():
    rules = VerdictRules.from_config({"alpha": 0.1, "min_n": {"paired": 12}, "max_grade": {"paired": "weak"}})
    assert rules.alpha == 0.1 and rules.min_n["paired"] == 12 and rules.min_n["did"] == 5
    assert judge(_ev(11, 1.0, 0.5, 1.5, 0.001), "paired", "points", rules)["verdict"] == "too_few"
    assert judge(_ev(13, 1.0, 0.5, 1.5, 0.001), "paired", "points", rules)["grade"] == "weak"
    for bad in ({"alpha": "high"}, {"min_n": {"pairs": 3}}, {"grades": [{"id": "great"}]}, {"unknown": 1},
                {"max_grade": {"paired": "best"}}, {"min_effect": {"metres": 1}}, {"alpha": True}):
        with pytest.raises(AnalysisError):
            VerdictRules.from_config(bad)


def test_benchmark_and_target_take_the_round_first():
    rules = VerdictRules.from_config({"benchmarks": {"reaction": 0.75}, "targets": {"new_knowledge": 0.5}})
    assert rules.benchmark("reaction") == 0.75
    assert rules.benchmark("reaction", {"reaction": 0.6}) == 0.6
    assert rules.target("new_knowledge") == 0.5 and rules.target("new_knowledge", {"new_knowledge": 1}) == 1.0
    assert rules.target("rf18") is None


def test_change_evidence_is_the_one_adapter():
    # the stable columns of the paired statistics: Hodges-Lehmann shift, its interval, adjusted p
    table = pd.DataFrame({"outcome": ["a", "b"], "n": [11, 3], "median_change": [2.0, np.nan],
                          "estimate": [1.0, np.nan], "ci_low": [0.5, np.nan], "ci_high": [1.5, np.nan],
                          "p_value": [0.004, np.nan], "p_adjusted": [0.02, np.nan], "note": [None, "too_few_pairs"]})
    ev = change_evidence(table)
    assert ev.loc[0, ["n", "estimate", "ci_low", "ci_high", "p_adjusted"]].tolist() == [11, 1.0, 0.5, 1.5, 0.02]
    assert ev.loc[1, "note"] == "too_few_pairs"
    assert CHANGE_SOURCE == {"n": "n", "estimate": "estimate", "ci_low": "ci_low", "ci_high": "ci_high",
                             "p_adjusted": "p_adjusted", "note": "note"}
    # a table without those columns is an error naming them, never a silent fallback
    with pytest.raises(AnalysisError, match="p_adjusted"):
        change_evidence(table.drop(columns="p_adjusted"))
    judged = judge_table(ev.assign(design="paired", unit="points"), RULES)
    assert judged["verdict"].tolist() == ["improved", "too_few"]


def test_a_significant_test_whose_interval_reaches_zero_is_weak_evidence():
    """The rule kept with the exact Hodges-Lehmann interval: on discrete changes a paired
    test can be significant while its interval ends at zero."""
    from exchange_eval.analysis.stats import paired_change

    d = pd.Series([0, 0, 0, 0, 1, 1, 1, 1, 2, 2], dtype=float)
    row = paired_change(pd.Series(0.0, index=d.index), d)
    # R: wilcox.test(d, conf.int = TRUE): V = 21, p = 0.03054, 95% CI 0 to 1.5 (ties: normal approximation)
    assert row["p_value_r"] == pytest.approx(0.03054, abs=1e-5) and row["p_value"] < 0.05
    assert row["ci_low"] == pytest.approx(0.0, abs=1e-4) and row["ci_high"] == pytest.approx(1.5, abs=1e-4)
    evidence = _ev(row["n"], row["estimate"], row["ci_low"], row["ci_high"], row["p_value"])
    assert judge(evidence, "paired", "points", RULES) == {"verdict": "improved", "grade": "weak", "rule": "grade"}
    without = VerdictRules.from_config({**Config().verdicts, "grades": [g for g in Config().verdicts["grades"]
                                                                        if "ci_excludes_zero" in g]})
    assert judge(evidence, "paired", "points", without)["verdict"] == "no_change"


@pytest.mark.parametrize(("x", "n"), [(10, 17), (0, 8), (8, 8), (23, 28), (1, 3)])
def test_share_evidence_interval_is_wilsons(x, n):
    # R: prop.test(x, n, correct = FALSE)$conf.int
    assert share_evidence(x, n, None)["ci_low"] == pytest.approx(proportion_confint(x, n, method="wilson")[0], abs=1e-12)
    assert wilson_interval(x, n) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-12)


def test_share_evidence_is_share_minus_benchmark_with_the_exact_binomial_test():
    ev = share_evidence(10, 17, 0.5)
    low, high = proportion_confint(10, 17, method="wilson")
    assert ev["estimate"] == pytest.approx(10 / 17 - 0.5)
    assert (ev["ci_low"], ev["ci_high"]) == pytest.approx((low - 0.5, high - 0.5))
    assert ev["p_adjusted"] == pytest.approx(sps.binomtest(10, 17, 0.5).pvalue)  # R: binom.test(10, 17, 0.5)
    assert share_evidence(3, 4, None)["note"] == "no_benchmark"
    assert judge(share_evidence(3, 4, None), "share", "share", RULES)["verdict"] == "no_benchmark"


def test_dyad_evidence_counts_changed_pairs():
    ev = dyad_evidence(13, 0, 66)  # the demo network: 8 -> 21 ties among 12 organisations
    assert ev["n"] == 13 and ev["estimate"] == pytest.approx(13 / 66)
    assert ev["p_adjusted"] == pytest.approx(2 * 0.5**13)  # exact sign test, two-sided
    assert judge(ev, "network", "share", RULES)["verdict"] == "improved"
    assert dyad_evidence(0, 0, 66)["note"] == "no_variance"
