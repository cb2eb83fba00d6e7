"""Tests of analysis.signedrank: the signed-rank test and the Hodges–Lehmann interval.

R cannot run here, so every reference is either R output published with its data, scipy
where scipy computes the same thing, or an independent computation written in the test
(brute-force enumeration of sign flips, Walsh averages listed with itertools, test
inversion on a grid). Each test names its reference.
"""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from scipy import stats as sps

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import signedrank as sr
from exchange_eval.analysis.signedrank import (
    EXACT,
    EXACT_CONDITIONAL,
    NORMAL,
    conditional_null_counts,
    hodges_lehmann,
    r_uniroot,
    signed_rank_test,
)

# R: ?wilcox.test, Hollander & Wolfe (1973), p. 29 — depression scale, x = 2nd visit
HW_X = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
HW_Y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
# stats.stackexchange.com/q/446802: post − pre on an ordinal scale, with R's printed output
CV_DIFFS = [-2] + [-1] * 13 + [0] * 16 + [1] * 2


def _brute_force_p(d: np.ndarray) -> float:
    """Two-sided permutation p of V over every one of the 2^n sign flips, listed."""
    d = d[d != 0]
    ranks = sps.rankdata(np.abs(d))
    observed = ranks[d > 0].sum()
    centre = ranks.sum() / 2
    flips = np.array(list(itertools.product([0, 1], repeat=d.size)), dtype=float)
    null = flips @ ranks
    return float(np.mean(np.abs(null - centre) >= abs(observed - centre) - 1e-9))


def _walsh_median(x: np.ndarray) -> float:
    return float(np.median([(a + b) / 2 for a, b in itertools.combinations_with_replacement(x, 2)]))


def test_doctest_examples_hold():
    result = doctest.testmod(sr)
    assert result.attempted > 0 and result.failed == 0


def test_hollander_wolfe_exact_test_and_interval():
    # R> wilcox.test(x, y, paired = TRUE, conf.int = TRUE): V = 40, p-value = 0.03906
    d = HW_X - HW_Y
    test = signed_rank_test(d)
    assert test["statistic"] == 40
    assert test["p_value"] == pytest.approx(20 / 512, abs=1e-15)  # 2 * P(V <= 5), n = 9
    assert test["p_method"] == EXACT and test["p_value_r"] == test["p_value"]
    res = hodges_lehmann(d)
    assert res["ci_method"] == EXACT and res["warnings"] == []
    # the estimate: the median of the 45 Walsh averages, listed independently
    assert res["estimate"] == pytest.approx(_walsh_median(d), abs=1e-12)
    assert res["estimate"] == pytest.approx(0.46, abs=1e-12)
    # the interval is the set of shifts the exact test does not reject (scipy's exact
    # p-value at the midpoints between consecutive Walsh averages)
    walsh = np.sort([(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)])
    mids = (walsh[:-1] + walsh[1:]) / 2
    kept = [m for m in mids if sps.wilcoxon(d - m, method="exact").pvalue > 0.05]
    lo = walsh[walsh < min(kept)].max()
    hi = walsh[walsh > max(kept)].min()
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((0.01, 0.786), abs=1e-12)
    # achieved level 1 - 2 * P(V <= 5) = 0.961 >= 0.95: R keeps conf.level 0.95
    assert res["ci_level"] == 0.95


def test_r_output_with_ties_and_zeros_published_on_cross_validated():
    # R 4.x (stats.stackexchange.com/q/446802, 2020):
    # > wilcox.test(diffs, conf.int = TRUE)
    # V = 16, p-value = 0.00314
    # 95 percent confidence interval: -1.0000148 -0.9999398
    # (pseudo)median -0.9999517
    test = signed_rank_test(CV_DIFFS)
    assert test["statistic"] == 16
    assert round(test["p_value_r"], 5) == 0.00314
    # 16 non-zero differences <= 20: the headline p is the exact conditional one
    assert test["p_method"] == EXACT_CONDITIONAL
    assert test["p_value"] == pytest.approx(_brute_force_p(np.array(CV_DIFFS, float)), abs=1e-12)
    res = hodges_lehmann(CV_DIFFS, zeros="drop")  # R 4.0-4.5 drops the zeros first
    assert round(res["ci_low"], 7) == -1.0000148
    assert round(res["ci_high"], 7) == -0.9999398
    assert round(res["estimate"], 7) == -0.9999517
    assert res["ci_method"] == NORMAL
    assert "cannot compute exact confidence interval with ties" in res["warnings"]
    assert "cannot compute exact confidence interval with zeroes" in res["warnings"]


def test_r_drops_zeros_for_the_estimate_akinshin_example():
    # aakinshin.net/posts/r-hodges-lehmann-problems (2023): wilcox.test(c(0, 1, 2),
    # conf.int = TRUE)$estimate is 1.5 with warnings "requested conf.level not
    # achievable", "cannot compute exact p-value with zeroes" and "... interval with zeroes"
    res = hodges_lehmann([0, 1, 2], zeros="drop")
    assert res["estimate"] == pytest.approx(1.5, abs=1e-4)
    assert "requested conf.level not achievable" in res["warnings"]
    assert "cannot compute exact confidence interval with zeroes" in res["warnings"]
    # keeping the zero, the centre of {0, 1, 2} is 1, as the Walsh averages say
    assert hodges_lehmann([0, 1, 2], zeros="keep")["estimate"] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_normal_interval_ends_are_the_test_inversion(seed):
    # Independent check of the root finding: with ties the standardized statistic of
    # x - d is a step function of d that jumps at Walsh averages; each end of the
    # interval lies within tol.root of the Walsh average where it crosses the quantile.
    rng = np.random.default_rng(seed)
    d = rng.integers(-2, 4, size=15).astype(float)
    res = hodges_lehmann(d, zeros="keep")
    walsh = np.unique([(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)])
    z = sps.norm.isf(0.025)

    def stat(shift: float) -> float:
        xd = d - shift
        xd = xd[xd != 0]
        ranks = sps.rankdata(np.abs(xd))
        centred = ranks[xd > 0].sum() - xd.size * (xd.size + 1) / 4
        _, t = np.unique(ranks, return_counts=True)
        sigma = np.sqrt(xd.size * (xd.size + 1) * (2 * xd.size + 1) / 24 - np.sum(t**3 - t) / 48)
        return (centred - np.sign(centred) * 0.5) / sigma

    eps = 1e-6
    low_jump = [w for w in walsh if stat(w - eps) >= z > stat(w + eps)]
    high_jump = [w for w in walsh if stat(w - eps) > -z >= stat(w + eps)]
    assert abs(res["ci_low"] - low_jump[0]) <= 1e-4
    assert abs(res["ci_high"] - high_jump[-1]) <= 1e-4


@pytest.mark.parametrize("n", [6, 12, 30, 49])
def test_exact_p_matches_scipy_without_ties(n):
    rng = np.random.default_rng(n)
    d = rng.normal(0.3, 1, size=n)
    res = signed_rank_test(d)
    ref = sps.wilcoxon(d, zero_method="wilcox", method="exact")
    assert res["p_method"] == EXACT
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)


@pytest.mark.parametrize("n", [6, 8, 10, 12, 14])
def test_exact_conditional_p_equals_brute_force_enumeration(n):
    rng = np.random.default_rng(200 + n)
    d = rng.integers(-1, 3, size=n).astype(float)
    res = signed_rank_test(d)
    assert res["p_method"] == EXACT_CONDITIONAL
    assert res["p_value"] == pytest.approx(_brute_force_p(d), abs=1e-12)
    if n <= 13:  # scipy >= 1.15 runs the same permutation test there (method="auto")
        ref = sps.wilcoxon(d, zero_method="wilcox", method="auto")
        assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-12)


@pytest.mark.parametrize("n", [25, 40, 60])
def test_normal_approximation_matches_scipy_above_the_exact_limit(n):
    rng = np.random.default_rng(300 + n)
    d = rng.choice([-2.0, -1.0, 1.0, 2.0, 3.0], size=n)  # ties, no zeros: all n count
    res = signed_rank_test(d)
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert res["p_method"] == NORMAL
    assert res["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)
    assert res["p_value_r"] == res["p_value"]


def test_exact_limit_is_a_setting_and_r_rule_applies_beyond():
    d = np.array([1, 1, 2, 1, 0, 1, -1, 2, 3, 1], float)
    assert signed_rank_test(d)["p_method"] == EXACT_CONDITIONAL
    off = signed_rank_test(d, exact_max_pairs=0)
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert off["p_method"] == NORMAL and off["p_value"] == pytest.approx(ref.pvalue, abs=1e-12)
    # untied data between the limit and 50: R's exact distribution
    untied = np.random.default_rng(4).normal(0.2, 1, size=35)
    assert signed_rank_test(untied)["p_method"] == EXACT


def test_conditional_counts_sum_to_all_flips():
    counts, scale = conditional_null_counts([1, 2.5, 2.5, 4])
    assert counts.sum() == 2**4 and scale == 2
    with pytest.raises(AnalysisError):
        conditional_null_counts([1.2, 3])


def test_every_difference_zero_gives_no_test():
    res = signed_rank_test([0, 0, 0])
    assert np.isnan(res["p_value"]) and res["p_method"] is None and res["zeros"]


def test_r_uniroot_finds_roots_like_brent():
    # the classic x^3 - 2x - 5 (Brent 1973): root 2.0945514815423265
    assert r_uniroot(lambda x: x**3 - 2 * x - 5, 2, 3, tol=1e-12) == pytest.approx(2.0945514815423265, abs=1e-11)
    with pytest.raises(AnalysisError, match="opposite sign"):
        r_uniroot(lambda x: x * x + 1, -1, 1)
    with pytest.raises(AnalysisError, match="lower < upper"):
        r_uniroot(lambda x: x, 1, 1)


def test_hodges_lehmann_errors_and_edge_cases():
    with pytest.raises(AnalysisError, match="zeros"):
        hodges_lehmann([1, 2], zeros="maybe")
    with pytest.raises(AnalysisError, match="conf_level"):
        hodges_lehmann([1, 2], conf_level=1.5)
    same = hodges_lehmann([1, 1, 1, 1])  # every change equal: R gives no interval
    assert np.isnan(same["ci_low"]) and same["estimate"] == 1
    assert same["warnings"]
