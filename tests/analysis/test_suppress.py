"""Tests of analysis.suppress (small-cell suppression)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import suppress as sup
from exchange_eval.analysis.suppress import min_group_size, suppress_small


def test_doctest_examples_hold():
    result = doctest.testmod(sup)
    assert result.attempted > 0 and result.failed == 0


def test_rows_below_k_are_blanked_and_flagged():
    t = pd.DataFrame(
        {
            "country": ["SEN", "BFA", "CIV", "TCD"],
            "n": [5, 2, 3, np.nan],
            "mean": [3.2, 4.5, 2.0, 1.0],
            "count": [5, 2, 3, 1],
            "top": [True, False, True, True],
        }
    )
    out = suppress_small(t, k=3)
    assert out["suppressed"].tolist() == [False, True, False, True]
    assert out["mean"].isna().tolist() == [False, True, False, True]
    assert out["count"].isna().tolist() == [False, True, False, True]
    assert out.loc[0, "count"] == 5 and str(out["count"].dtype) == "Int64"
    assert out["top"].isna().tolist() == [False, True, False, True]
    # n and the group label are never blanked; the input is not modified
    assert out["n"].tolist()[:3] == [5, 2, 3]
    assert out["country"].tolist() == t["country"].tolist()
    assert t["mean"].notna().all()


def test_value_cols_and_k():
    t = pd.DataFrame({"g": ["a", "b"], "n_item": [2, 4], "n": [1, 3], "pct": [50.0, 75.0]})
    out = suppress_small(t, n_col="n_item", k=3, value_cols=["n", "pct"])
    assert out["suppressed"].tolist() == [True, False]
    assert pd.isna(out.loc[0, "n"]) and pd.isna(out.loc[0, "pct"])
    assert out.loc[1, "pct"] == 75.0
    assert suppress_small(t, n_col="n_item", k=1)["suppressed"].tolist() == [False, False]
    with pytest.raises(TypeError, match="k"):  # k is a setting of the data folder: always passed
        suppress_small(t, n_col="n_item")


def test_existing_suppression_is_kept():
    t = pd.DataFrame({"n": [10], "x": [1.0], "suppressed": [True]})
    out = suppress_small(t, k=3)
    assert out["suppressed"].tolist() == [True] and np.isnan(out.loc[0, "x"])


def test_errors_are_named():
    with pytest.raises(AnalysisError, match="group size"):
        suppress_small(pd.DataFrame({"x": [1]}), n_col="n", k=3)
    with pytest.raises(AnalysisError, match="not in the table"):
        suppress_small(pd.DataFrame({"n": [1]}), k=3, value_cols=["y"])


def test_min_group_size_counts_distinct_people():
    r = pd.DataFrame(
        {
            "pid": ["a", "a", "b", "c", "d", "d"],
            "country": ["SEN", "SEN", "SEN", "BFA", "BFA", "BFA"],
            "wave": ["pre", "post", "pre", "pre", "pre", "post"],
        }
    )
    assert min_group_size(r, "country") == 2
    assert min_group_size(r, ["country", "wave"]) == 1
    assert min_group_size(r.iloc[:0], "country") == 0


def _attack(table: pd.DataFrame, col: str) -> list[int]:
    """What "total - rows shown" gives for the withheld rows of ``col``: the hidden
    values when they are pinned down (one hidden row, or all at the lower bound 0/1)."""
    hidden = table.loc[table["suppressed"], col]
    truth = hidden.to_numpy()
    if len(truth) == 1 or (len(set(truth)) == 1 and truth[0] in (0, 1)):
        return list(truth)
    return []


def test_one_small_group_takes_a_complement_with_it():
    t = pd.DataFrame({"country": ["SEN", "BFA", "CIV", "TCD"], "n": [4, 2, 3, 5], "mean": [3.0, 4.0, 2.5, 3.5]})
    primary_only = suppress_small(t, k=3)
    assert _attack(primary_only.assign(n=t["n"]), "n") == [2]  # 14 - (4 + 3 + 5) = 2: recovered
    out = sup.complementary_suppression(t, k=3)
    assert out["suppression"].tolist() == [None, "primary", "secondary", None]
    assert out["mean"].isna().tolist() == [False, True, True, False]
    assert _attack(out, "n") == []  # only 2 + 3 = 5 follows, a group of at least k


def test_complements_until_no_hidden_count_is_pinned():
    # two delegations of 1: together still fewer than k, so a third row goes with them
    t = pd.DataFrame({"country": list("ABCDE"), "n": [1, 1, 4, 3, 6], "attended": [1, 0, 4, 3, 5]})
    out = sup.complementary_suppression(t, k=3, count_cols=["attended"])
    hidden = out[out["suppressed"]]
    assert len(hidden) >= 2 and t.loc[hidden.index, "n"].sum() >= 3
    assert _attack(out.assign(n=t["n"], attended=t["attended"]), "n") == []
    # a count where every hidden row is 0 would say "none of them": another row is hidden
    zero = pd.DataFrame({"g": list("ABCD"), "n": [1, 2, 4, 5], "attended": [0, 0, 3, 4]})
    out = sup.complementary_suppression(zero, k=3, count_cols=["attended"])
    assert out["suppressed"].sum() == 3 and zero.loc[out["suppressed"], "attended"].sum() > 0


def test_complements_are_chosen_within_each_sum():
    # an item x session table: each item's sessions add up to the item's total
    t = pd.DataFrame({"item_id": ["q1"] * 3 + ["q2"] * 3, "session_id": ["s1", "s2", "s3"] * 2,
                      "n": [2, 5, 6, 4, 5, 6], "top2": [0.5, 0.6, 0.5, 0.25, 0.4, 0.5]})
    out = sup.complementary_suppression(t, k=3, within="item_id")
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]
    assert sup.complementary_suppression(t.assign(n=10), k=3)["suppressed"].sum() == 0


def test_hidden_cells_pinned():
    assert sup.hidden_cells_pinned([4])
    assert not sup.hidden_cells_pinned([1, 2], lower=1)
    assert sup.hidden_cells_pinned([1, 1], lower=1) and sup.hidden_cells_pinned([0, 0])
    assert not sup.hidden_cells_pinned([])
