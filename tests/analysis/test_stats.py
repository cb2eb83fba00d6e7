"""Tests of analysis.stats against R, scipy, statsmodels, pingouin and hand computation."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import stats as st
from exchange_eval.analysis.stats import (
    PAIRED_CHANGE_FIELDS,
    bootstrap_ci,
    cronbach_alpha,
    holm,
    paired_change,
    paired_change_note,
    rank_biserial,
    signed_rank_test,
)

# R: ?wilcox.test, Hollander & Wolfe (1973), p. 29 — depression scale, x = 2nd visit
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# pingouin.wilcoxon docstring example (ties and one zero difference)
PG_X = [20, 22, 19, 20, 22, 18, 24, 20, 19, 24, 26, 13]
PG_Y = [38, 37, 33, 29, 14, 12, 20, 22, 17, 25, 26, 16]


def _w_plus(d: np.ndarray) -> float:
    """Sum of ranks of positive differences, computed independently of the module."""
    d = d[d != 0]
    ranks = sps.rankdata(np.abs(d))
    return float(ranks[d > 0].sum())


def test_doctest_examples_hold():
    result = doctest.testmod(st)
    assert result.attempted > 0
    assert result.failed == 0


def test_hollander_wolfe_matches_r_wilcox_test():
    # R> wilcox.test(x, y, paired = TRUE)  ->  V = 40, p-value = 0.03906
    res = paired_change(pre=HW_Y, post=HW_X)
    assert list(res.index) == PAIRED_CHANGE_FIELDS
    assert res["n"] == 9
    assert res["statistic"] == 40
    assert res["p_value"] == pytest.approx(0.0390625, abs=1e-12)  # 2 * 10 / 2**9
    assert round(res["p_value"], 5) == 0.03906
    # 8 of 9 differences positive; the one negative (3.06 - 3.14) has rank 1
    assert res["rank_biserial"] == pytest.approx((40 - 5) / 45)
    assert res["median_change"] == pytest.approx(0.49)
    assert res["ci_low"] <= res["median_change"] <= res["ci_high"]


def test_pingouin_example_with_ties_and_zero():
    # pingouin docs: scipy.stats.wilcoxon(x, y, correction=True) -> 20.5, 0.2857652190231508
    # and pg.wilcoxon RBC -0.378788 (x - y); R gives V = 20.5, p-value = 0.2858
    res = paired_change(pre=PG_Y, post=PG_X)
    assert res["n"] == 12
    assert res["statistic"] == 20.5
    assert res["p_value"] == pytest.approx(0.2857652190231508, abs=1e-12)
    assert res["rank_biserial"] == pytest.approx(-0.378788, abs=1e-6)


@pytest.mark.parametrize("n", [6, 12, 30, 49])
def test_exact_p_matches_scipy_without_ties(n):
    rng = np.random.default_rng(n)
    pre = rng.normal(size=n)
    post = pre + rng.normal(0.3, 1, size=n)
    res = paired_change(pre, post, n_boot=10)
    ref = sps.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="exact")
    assert res["statistic"] == pytest.approx(_w_plus(post - pre), abs=1e-10)
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_normal_approximation_matches_scipy_with_ties_and_zeros(seed):
    rng = np.random.default_rng(100 + seed)
    n = [8, 10, 15, 25, 40, 60][seed]
    pre = rng.integers(1, 6, size=n).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, size=n), 1, 5)
    d = post - pre
    assert (d == 0).any()
    res = paired_change(pre, post, n_boot=10)
    ref = sps.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="asymptotic")
    assert res["statistic"] == pytest.approx(_w_plus(d), abs=1e-10)
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)
    assert res["n"] == n  # zeros are pairs, even though the test drops them


def test_large_sample_matches_scipy_auto():
    rng = np.random.default_rng(7)
    pre = rng.normal(size=80)
    post = pre + rng.normal(0.2, 1, size=80)
    res = paired_change(pre, post, n_boot=10)
    ref = sps.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="auto")
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)


def test_rank_biserial_hand_computation():
    # d = [1, 2, 0, -1]: zero dropped; |d| = 1, 2, 1 -> ranks 1.5, 3, 1.5
    # favourable 1.5 + 3 = 4.5, unfavourable 1.5, total 6 -> (4.5 - 1.5) / 6 = 0.5
    assert rank_biserial([3, 3, 2, 4], [4, 5, 2, 3]) == pytest.approx(0.5)
    # Kerby (2014): everyone improving gives r = 1, everyone declining r = -1
    assert rank_biserial([1, 2, 3], [2, 4, 6]) == 1.0
    assert rank_biserial([2, 4, 6], [1, 2, 3]) == -1.0
    # simple difference formula: r = 4V / (n(n+1)) - 1
    v, _, r = signed_rank_test(np.subtract(HW_X, HW_Y))
    assert r == pytest.approx(4 * v / (9 * 10) - 1)


def test_missing_sides_are_dropped_and_series_link_by_index():
    pre = pd.Series({"a": 1.0, "b": 2.0, "c": np.nan, "d": 3.0, "e": 2.0, "f": 1.0, "g": 4.0})
    post = pd.Series({"g": 5.0, "f": 3.0, "e": 2.0, "d": 4.0, "b": 4.0, "a": 2.0, "h": 5.0})
    res = paired_change(pre, post, n_boot=200)
    # linked pairs: a, b, d, e, f, g (c has no post, h no pre)
    assert res["n"] == 6
    d = np.array([1.0, 2.0, 1.0, 0.0, 2.0, 1.0])
    assert res["median_change"] == np.median(d)
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)


def test_too_few_pairs_and_no_variance():
    res = paired_change([1, 2, 3, np.nan], [2, 3, np.nan, 4])
    assert res["n"] == 2
    assert res["median_change"] == 1
    assert res[["statistic", "p_value", "rank_biserial", "ci_low", "ci_high"]].isna().all()
    assert paired_change_note([1, 2, 3, np.nan], [2, 3, np.nan, 4]) == "too_few_pairs"

    same = [3, 4, 5, 2, 3, 4]
    res = paired_change(same, same)
    assert res["n"] == 6 and res["median_change"] == 0
    assert res[["statistic", "p_value", "rank_biserial"]].isna().all()
    assert (res["ci_low"], res["ci_high"]) == (0, 0)
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


def test_bootstrap_ci_is_seeded_and_brackets_the_statistic():
    values = np.random.default_rng(3).normal(1, 1, size=25)
    first = bootstrap_ci(values, n_boot=500, seed=11)
    assert first == bootstrap_ci(values, n_boot=500, seed=11)
    assert first != bootstrap_ci(values, n_boot=500, seed=12)
    assert first[0] <= np.median(values) <= first[1]
    # a statistic without axis= support is evaluated resample by resample, same draws
    looped = bootstrap_ci(values, lambda x: float(np.median(x)), n_boot=500, seed=11)
    assert looped == pytest.approx(first)
    # percentile interval by hand
    rng = np.random.default_rng(11)
    boot = np.median(values[rng.integers(0, 25, size=(500, 25))], axis=1)
    assert first == pytest.approx(tuple(np.quantile(boot, [0.025, 0.975])))
    assert all(np.isnan(bootstrap_ci([np.nan])))


def _pingouin_cronbach_dataset() -> pd.DataFrame:
    # pingouin/datasets/cronbach_alpha.csv (15 subjects x 10 items), wide
    rows = {
        "Q1": [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
        "Q2": [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
        "Q3": [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
        "Q4": [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
        "Q5": [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
        "Q6": [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
        "Q7": [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
        "Q8": [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
        "Q9": [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
        "Q10": [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
    }
    return pd.DataFrame(rows)


def test_cronbach_alpha_matches_pingouin_documented_example():
    # pingouin docs: pg.cronbach_alpha(...) -> (0.591719, array([0.195, 0.84 ]))
    res = cronbach_alpha(_pingouin_cronbach_dataset())
    assert list(res.index) == ["alpha", "ci_low", "ci_high", "n", "k"]
    assert round(res["alpha"], 6) == 0.591719
    assert round(res["ci_low"], 3) == 0.195
    assert round(res["ci_high"], 3) == 0.840
    assert (res["n"], res["k"]) == (15, 10)


def test_cronbach_alpha_independent_formula_and_listwise_deletion():
    data = pd.DataFrame(
        {"q1": [3, 4, 2, 5, 4, 1], "q2": [3, 5, 2, 4, 4, np.nan], "q3": [2, 4, 3, 5, 5, 2]}
    )
    res = cronbach_alpha(data)
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
    assert res["n"] == 5
    with pytest.raises(AnalysisError, match="at least 2 items"):
        cronbach_alpha(data[["q1"]])
    assert np.isnan(cronbach_alpha(data.iloc[:1])["alpha"])
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [2, 2, 2]}))["alpha"])


def test_holm_matches_statsmodels_and_skips_nan():
    rng = np.random.default_rng(5)
    for size in (1, 2, 5, 17):
        p = rng.uniform(0, 0.2, size=size)
        expected = multipletests(p, method="holm")[1]
        np.testing.assert_allclose(holm(p), expected, rtol=0, atol=1e-15)
    p = np.array([0.04, np.nan, 0.001, 0.03, np.nan, 0.5, 0.03])
    out = holm(p)
    ok = ~np.isnan(p)
    np.testing.assert_allclose(out[ok], multipletests(p[ok], method="holm")[1], atol=1e-15)
    assert np.isnan(out[~ok]).all()
    assert np.isnan(holm([np.nan, np.nan])).all()
    with pytest.raises(AnalysisError):
        holm([0.5, 1.5])


def test_false_positive_rate_under_the_null_small_likert_samples():
    # 200 null datasets, n = 10 officials, 1-5 scale, person effect + independent noise
    rng = np.random.default_rng(2024)
    rejections = 0
    reps = 200
    for _ in range(reps):
        person = rng.normal(3, 0.8, size=10)
        pre = np.clip(np.rint(person + rng.normal(0, 0.7, size=10)), 1, 5)
        post = np.clip(np.rint(person + rng.normal(0, 0.7, size=10)), 1, 5)
        p = paired_change(pre, post, n_boot=10)["p_value"]
        rejections += bool(p < 0.05)
    margin = 2 * np.sqrt(0.05 * 0.95 / reps)
    assert rejections / reps <= 0.05 + margin


def test_bootstrap_ci_coverage_of_a_known_median_shift():
    rng = np.random.default_rng(99)
    reps, covered = 100, 0
    for i in range(reps):
        pre = rng.normal(3, 1, size=30)
        post = pre + 0.5 + rng.standard_t(5, size=30)  # symmetric noise: median shift 0.5
        res = paired_change(pre, post, n_boot=400, seed=i)
        covered += bool(res["ci_low"] <= 0.5 <= res["ci_high"])
    assert 0.88 <= covered / reps <= 0.995
