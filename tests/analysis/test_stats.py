"""Tests of analysis.stats: paired_change (the row every change table shows) and
Cronbach's alpha, against R output, scipy, pingouin and independent computation."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import stats as st
from exchange_eval.analysis.multiplicity import holm
from exchange_eval.analysis.signedrank import hodges_lehmann
from exchange_eval.analysis.stats import (
    ALPHA_FIELDS,
    PAIRED_CHANGE_FIELDS,
    PairedOptions,
    cronbach_alpha,
    paired_change,
    paired_change_note,
    rank_biserial,
)
from support import PINGOUIN_CRONBACH_ITEMS

# R: ?wilcox.test, Hollander & Wolfe (1973), p. 29 — depression scale, x = 2nd visit
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# pingouin.wilcoxon docstring example (ties and one zero difference)
PG_X = [20, 22, 19, 20, 22, 18, 24, 20, 19, 24, 26, 13]
PG_Y = [38, 37, 33, 29, 14, 12, 20, 22, 17, 25, 26, 16]


def _likert_pairs(rng: np.random.Generator, n: int, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    person = rng.normal(3, 0.8, size=n)
    pre = np.clip(np.rint(person + rng.normal(0, 0.7, size=n)), 1, 5)
    post = np.clip(np.rint(person + shift + rng.normal(0, 0.7, size=n)), 1, 5)
    return pre, post


def test_doctest_examples_hold():
    result = doctest.testmod(st)
    assert result.attempted > 0
    assert result.failed == 0


def test_hollander_wolfe_matches_r_wilcox_test():
    # R> wilcox.test(x, y, paired = TRUE, conf.int = TRUE) -> V = 40, p-value = 0.03906
    res = paired_change(pre=HW_Y, post=HW_X)
    assert list(res.index) == PAIRED_CHANGE_FIELDS
    assert res["n"] == 9 and res["n_nonzero"] == 9
    assert res["statistic"] == 40
    assert res["p_value"] == pytest.approx(0.0390625, abs=1e-12)  # 2 * 10 / 2**9
    assert res["p_method"] == "exact"
    # 7 of 9 differences positive; the negative ones (-0.147, -0.08) have ranks 3 and 2
    assert res["rank_biserial"] == pytest.approx((40 - 5) / 45)
    assert (res["n_improved"], res["n_unchanged"], res["n_worse"]) == (7, 0, 2)
    assert res["median_change"] == pytest.approx(0.49)
    # the shift is signedrank.hodges_lehmann's (tested against the Walsh averages there)
    assert (res["estimate"], res["ci_low"], res["ci_high"]) == pytest.approx((0.46, 0.01, 0.786))
    assert res["ci_method"] == "exact"


def test_pingouin_example_with_ties_and_zero():
    # pingouin docs: scipy.stats.wilcoxon(x, y, correction=True) -> 20.5, 0.2857652190231508
    # and pg.wilcoxon RBC -0.378788 (x - y); R gives V = 20.5, p-value = 0.2858
    res = paired_change(pre=PG_Y, post=PG_X)
    assert res["n"] == 12 and res["n_nonzero"] == 11
    assert res["statistic"] == 20.5
    assert res["p_value_r"] == pytest.approx(0.2857652190231508, abs=1e-12)
    assert res["p_method"] == "exact_conditional"  # 11 non-zero differences with ties
    assert res["rank_biserial"] == pytest.approx(-0.378788, abs=1e-6)
    # exact conditional p with R's normal one off: the R rule is available on request
    r_rule = paired_change(pre=PG_Y, post=PG_X, exact_max_pairs=0)
    assert r_rule["p_value"] == pytest.approx(0.2857652190231508, abs=1e-12)


def test_rank_biserial_hand_computation():
    # d = [1, 2, 0, -1]: zero dropped; |d| = 1, 2, 1 -> ranks 1.5, 3, 1.5
    # favourable 1.5 + 3 = 4.5, unfavourable 1.5, total 6 -> (4.5 - 1.5) / 6 = 0.5
    assert rank_biserial([3, 3, 2, 4], [4, 5, 2, 3]) == pytest.approx(0.5)
    # Kerby (2014): everyone improving gives r = 1, everyone declining r = -1
    assert rank_biserial([1, 2, 3], [2, 4, 6]) == 1.0
    assert rank_biserial([2, 4, 6], [1, 2, 3]) == -1.0


def test_missing_sides_are_dropped_and_series_link_by_index():
    pre = pd.Series({"a": 1.0, "b": 2.0, "c": np.nan, "d": 3.0, "e": 2.0, "f": 1.0, "g": 4.0})
    post = pd.Series({"g": 5.0, "f": 3.0, "e": 2.0, "d": 4.0, "b": 4.0, "a": 2.0, "h": 5.0})
    res = paired_change(pre, post)
    # linked pairs: a, b, d, e, f, g (c has no post, h no pre)
    assert res["n"] == 6
    d = np.array([1.0, 2.0, 1.0, 0.0, 2.0, 1.0])
    assert res["median_change"] == np.median(d)
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert res["p_value_r"] == pytest.approx(ref.pvalue, abs=1e-10)
    assert res["estimate"] == pytest.approx(hodges_lehmann(d)["estimate"])


def test_too_few_pairs_and_no_variance():
    res = paired_change([1, 2, 3, np.nan], [2, 3, np.nan, 4])
    assert res["n"] == 2
    assert res["median_change"] == 1
    assert res["n_improved"] == 2  # counts and shares are descriptive: always given
    assert pd.isna(res[["statistic", "p_value", "estimate", "ci_low", "ci_high"]]).all()
    assert paired_change_note([1, 2, 3, np.nan], [2, 3, np.nan, 4]) == "too_few_pairs"

    same = [3, 4, 5, 2, 3, 4]
    res = paired_change(same, same)
    assert res["n"] == 6 and res["median_change"] == 0 and res["estimate"] == 0
    assert pd.isna(res[["statistic", "p_value", "rank_biserial", "ci_low", "ci_high"]]).all()
    assert res["share_unchanged"] == 1
    assert paired_change_note(same, same) == "no_variance"
    assert paired_change_note(HW_Y, HW_X) is None
    assert paired_change_note([1, 2, 3], [2, 3, 4], min_pairs=3) is None


def test_bad_inputs_raise_named_errors():
    with pytest.raises(AnalysisError, match="equal length"):
        paired_change([1, 2, 3], [1, 2])
    with pytest.raises(AnalysisError, match="numbers"):
        paired_change(["a", "b"], [1, 2])
    with pytest.raises(AnalysisError, match="repeated"):
        paired_change(pd.Series([1, 2], index=["a", "a"]), pd.Series([1, 2], index=["a", "b"]))


def test_options_carry_the_settings():
    options = PairedOptions(min_pairs=3, exact_max_pairs=0, conf_level=0.9, hl_zeros="drop")
    res = paired_change([1, 2, 3, 2], [2, 4, 3, 3], **options.paired_kwargs())
    assert res["p_method"] == "normal" and res["n"] == 4
    assert res["estimate"] == pytest.approx(hodges_lehmann([1, 2, 0, 1], conf_level=0.9, zeros="drop")["estimate"])


def test_cronbach_alpha_matches_pingouin_documented_example():
    # pingouin docs: pg.cronbach_alpha(...) -> (0.591719, array([0.195, 0.84 ])), n = 15;
    # without missing answers pairwise and listwise are the same estimate
    for missing in ("pairwise", "listwise"):
        res = cronbach_alpha(pd.DataFrame(PINGOUIN_CRONBACH_ITEMS), min_n=15, missing=missing)
        assert list(res.index) == ALPHA_FIELDS
        assert round(res["alpha"], 6) == 0.591719
        assert round(res["ci_low"], 3) == 0.195
        assert round(res["ci_high"], 3) == 0.840
        assert (res["n"], res["k"], res["estimable"], res["note"]) == (15, 10, True, None)


def test_cronbach_alpha_below_the_minimum_n_is_not_estimated():
    # 15 respondents < 20 (the default): no alpha, no interval, a reason to gate on
    res = cronbach_alpha(pd.DataFrame(PINGOUIN_CRONBACH_ITEMS))
    assert res["note"] == "too_few_to_estimate" and res["estimable"] is False
    assert np.isnan(res["alpha"]) and np.isnan(res["ci_low"])


def test_cronbach_alpha_independent_formula_listwise_and_pairwise():
    data = pd.DataFrame(
        {"q1": [3, 4, 2, 5, 4, 1], "q2": [3, 5, 2, 4, 4, np.nan], "q3": [2, 4, 3, 5, 5, 2]}
    )
    res = cronbach_alpha(data, min_n=2, missing="listwise")
    complete = data.dropna().to_numpy(float)
    n, k = complete.shape
    cov = np.cov(complete, rowvar=False)
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())  # covariance-matrix form
    assert res["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert res["alpha"] == pytest.approx(0.885714, abs=1e-6)  # hand: 1.5 * (1 - 4.3 / 10.5)
    # Feldt: (1 - alpha_hat) / (1 - alpha) ~ F(n - 1, (n - 1)(k - 1))
    f_hi = sps.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    f_lo = sps.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
    assert res["ci_low"] == pytest.approx(1 - (1 - alpha) * f_hi)
    assert res["ci_high"] == pytest.approx(1 - (1 - alpha) * f_lo)
    assert res["n"] == 5 and res["n_complete"] == 5
    # pairwise: each covariance from everyone who answered both items (pandas' cov, as
    # pingouin's nan_policy="pairwise"); n is the smallest pair count (q2 with anything: 5)
    pairwise = cronbach_alpha(data, min_n=2)
    cov_pw = data.cov().to_numpy()
    assert pairwise["alpha"] == pytest.approx(k / (k - 1) * (1 - np.trace(cov_pw) / cov_pw.sum()), abs=1e-12)
    assert pairwise["n"] == 5 and pairwise["n_complete"] == 5
    with pytest.raises(AnalysisError, match="at least 2 items"):
        cronbach_alpha(data[["q1"]])
    assert cronbach_alpha(data.iloc[:1], min_n=2)["note"] == "too_few_to_estimate"
    flat = cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [2, 2, 2]}), min_n=2)
    assert flat["note"] == "no_variance" and np.isnan(flat["alpha"])


def test_false_positive_rate_under_the_null_small_likert_samples():
    # 300 null data sets per size, 1-5 scale, person effect + independent noise: the
    # exact conditional test keeps the rate at or below 5 % (+ 2 Monte Carlo SE)
    reps = 300
    margin = 2 * np.sqrt(0.05 * 0.95 / reps)
    for n in (8, 12):
        rng = np.random.default_rng(2024 + n)
        rejections = sum(bool(paired_change(*_likert_pairs(rng, n))["p_value"] < 0.05) for _ in range(reps))
        assert rejections / reps <= 0.05 + margin


def test_table_false_positive_rate_with_holm_over_ten_items():
    # 200 null tables of 10 items (n = 12): P(any Holm-adjusted p < 0.05) <= 0.05 + 2 SE
    rng = np.random.default_rng(77)
    reps, hits = 200, 0
    for _ in range(reps):
        p = [paired_change(*_likert_pairs(rng, 12))["p_value"] for _ in range(10)]
        hits += bool((holm(np.array(p, dtype=float)) < 0.05).any())
    assert hits / reps <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)


def test_shift_interval_covers_a_known_continuous_shift():
    # symmetric t5 noise around a shift of 0.5: the exact interval's achieved level at
    # n = 12 is 1 - 2 P(V <= 13) = 0.958; 200 reps, coverage within 3 SE of it
    rng = np.random.default_rng(99)
    reps = 200
    covered = 0
    for _ in range(reps):
        res = paired_change(np.zeros(12), 0.5 + rng.standard_t(5, size=12))
        covered += bool(res["ci_low"] <= 0.5 <= res["ci_high"])
    assert abs(covered / reps - 0.958) <= 3 * np.sqrt(0.958 * 0.042 / reps)
