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
