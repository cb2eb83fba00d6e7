"""Tests of analysis.multiplicity against statsmodels and R's p.adjust semantics."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import multiplicity as mu
from exchange_eval.analysis.multiplicity import (
    PRIMARY,
    adjust_table,
    benjamini_hochberg,
    holm,
    p_adjust,
)


def test_doctest_examples_hold():
    result = doctest.testmod(mu)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("size", [1, 2, 5, 17])
def test_holm_and_bh_match_statsmodels(size):
    p = np.random.default_rng(size).uniform(0, 0.2, size=size)
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], atol=1e-15)
    np.testing.assert_allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], atol=1e-15)


def test_nan_is_skipped_as_in_r():
    # R: p.adjust(c(0.04, NA, 0.001, 0.03, NA, 0.5, 0.03), "holm") skips NA in m
    p = np.array([0.04, np.nan, 0.001, 0.03, np.nan, 0.5, 0.03])
    ok = ~np.isnan(p)
    for method, sm in (("holm", "holm"), ("BH", "fdr_bh")):
        out = p_adjust(p, method)
        np.testing.assert_allclose(out[ok], multipletests(p[ok], method=sm)[1], atol=1e-15)
        assert np.isnan(out[~ok]).all()
    with pytest.raises(AnalysisError):
        p_adjust([0.5], "bonferroni")
    with pytest.raises(AnalysisError):
        holm([1.5])


def test_gatekeeping_with_one_and_several_primaries():
    t = pd.DataFrame({"outcome": ["a", "b", "c", "d"], "p_value": [0.03, 0.001, 0.02, np.nan]})
    out = adjust_table(t, family="outcomes", key="outcome", primary="a")
    assert out["family"].tolist() == [PRIMARY, "outcomes", "outcomes", "outcomes"]
    holm_rest = multipletests([0.001, 0.02], method="holm")[1]
    assert out["p_adjusted"].tolist()[:3] == pytest.approx([0.03, max(0.03, holm_rest[0]), max(0.03, holm_rest[1])])
    assert np.isnan(out["p_adjusted"].iloc[3])
    # no primary in the table: one family
    alone = adjust_table(t, family="outcomes", key="outcome", primary="zzz")
    assert (alone["family"] == "outcomes").all()
    np.testing.assert_allclose(alone["p_adjusted"].iloc[:3], multipletests([0.03, 0.001, 0.02], method="holm")[1])
    # a table of rounds: the primary outcome of each round first, Holm among them
    rounds = pd.DataFrame({"outcome": ["a", "b", "a", "b"], "p_value": [0.01, 0.001, 0.04, 0.002]})
    gated = adjust_table(rounds, family="outcomes", key="outcome", primary="a")
    assert gated.loc[gated["family"] == PRIMARY, "p_adjusted"].tolist() == pytest.approx([0.02, 0.04])
    assert (gated.loc[gated["family"] == "outcomes", "p_adjusted"] >= 0.04).all()


def test_table_false_positive_rate_under_the_global_null():
    # 10 independent null p-values per table, 4000 tables: Holm and the gatekept table
    # both keep P(any adjusted p < 0.05) at or below 0.05 (+ 2 Monte Carlo SE)
    rng = np.random.default_rng(11)
    reps = 4000
    p = rng.uniform(size=(reps, 10))
    frame = [pd.DataFrame({"outcome": list("abcdefghij"), "p_value": row}) for row in p[:800]]
    holm_any = np.mean([(holm(row) < 0.05).any() for row in p])
    gate_any = np.mean([(adjust_table(f, family="x", key="outcome", primary="a")["p_adjusted"] < 0.05).any()
                        for f in frame])
    assert holm_any <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)
    assert gate_any <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 800)
