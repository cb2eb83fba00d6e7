"""Tests of analysis.proportions against scipy and published values."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import stats as sps

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import proportions as pr
from exchange_eval.analysis.proportions import (
    CHANGE_SHARE_FIELDS,
    change_shares,
    newcombe_paired_interval,
    wilson_interval,
)


def test_doctest_examples_hold():
    result = doctest.testmod(pr)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("x", "n"), [(0, 5), (1, 5), (7, 11), (11, 11), (3, 30), (15, 30)])
def test_wilson_matches_scipy(x, n):
    # R: prop.test(x, n, correct = FALSE)$conf.int; scipy: binomtest(...).proportion_ci("wilson")
    ref = sps.binomtest(x, n).proportion_ci(method="wilson")
    assert wilson_interval(x, n) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_wilson_edges_and_errors():
    assert all(np.isnan(wilson_interval(0, 0)))
    with pytest.raises(AnalysisError):
        wilson_interval(4, 3)


def test_newcombe_paired_matches_fagerland_published_example():
    # Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. (2012) table 59, 6 / 16, 80:
    # Newcombe square-and-add: estimate = -0.0621 (95% CI -0.1186 to -0.0046)
    # (R: contingencytables::Newcombe_square_and_add_CI_paired_2x2, package test-ch8.R)
    diff, low, high = newcombe_paired_interval(59, 6, 16, 80)
    assert (round(diff, 4), round(low, 4), round(high, 4)) == (-0.0621, -0.1186, -0.0046)


def test_newcombe_reduces_to_square_and_add_without_correlation():
    # a = d = 0 makes the margins' correlation -1 < 0, so phi = bc / sqrt(...) enters;
    # with b = c the interval is symmetric about 0
    diff, low, high = newcombe_paired_interval(0, 4, 4, 3)
    assert diff == 0 and low == pytest.approx(-high)
    # hand computation of method 10 for (a, b, c, d) = (0, 7, 1, 3), n = 11
    a, b, c, d = 0, 7, 1, 3
    n = 11
    l1, u1 = sps.binomtest(a + b, n).proportion_ci(method="wilson")
    l2, u2 = sps.binomtest(a + c, n).proportion_ci(method="wilson")
    p1, p2 = (a + b) / n, (a + c) / n
    phi = (a * d - b * c) / np.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    low = p1 - p2 - np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = p1 - p2 + np.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    assert newcombe_paired_interval(a, b, c, d) == pytest.approx((p1 - p2, low, high), abs=1e-12)


def test_change_shares_counts_and_intervals():
    d = [1, 1, 2, 0, 0, -1, 1, 1, 0, 1, 1, np.nan]
    s = change_shares(d)
    assert list(s) == CHANGE_SHARE_FIELDS
    assert (s["n_improved"], s["n_unchanged"], s["n_worse"]) == (7, 3, 1)
    assert s["share_improved"] == pytest.approx(7 / 11)
    ref = sps.binomtest(7, 11).proportion_ci(method="wilson")
    assert (s["share_improved_low"], s["share_improved_high"]) == pytest.approx((ref.low, ref.high))
    assert s["net_improved"] == pytest.approx(6 / 11)
    assert (s["net_improved_low"], s["net_improved_high"]) == pytest.approx(
        newcombe_paired_interval(0, 7, 1, 3)[1:])
    empty = change_shares([])
    assert empty["n_improved"] == 0 and np.isnan(empty["share_improved"])
