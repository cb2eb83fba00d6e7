"""Tests of analysis.outcomes: linking by pid, R reference values, Holm families."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import outcomes as oc
from exchange_eval.analysis.outcomes import (
    ITEM_CHANGE_COLUMNS,
    OUTCOME_CHANGE_COLUMNS,
    item_changes,
    outcome_changes,
    response_shift,
)
from exchange_eval.analysis.stats import paired_change

# R ?wilcox.test (Hollander & Wolfe): wilcox.test(x, y, paired = TRUE) -> V = 40, p = 0.03906
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# pingouin.wilcoxon example: V = 20.5, p = 0.2857652190231508 (y -> x)
PG_X = [20, 22, 19, 20, 22, 18, 24, 20, 19, 24, 26, 13]
PG_Y = [38, 37, 33, 29, 14, 12, 20, 22, 17, 25, 26, 16]


def _long(
    item: str,
    outcome: str | None,
    pre: list,
    post: list,
    pids: list[str],
    post_pids: list[str] | None = None,
    round_id: str = "r1",
    endline: str = "post",
) -> list[dict]:
    rows = []
    for pid, v in zip(pids, pre, strict=True):
        rows.append(
            {
                "round_id": round_id,
                "pid": pid,
                "instrument": "outcomes",
                "wave": "pre",
                "item_id": item,
                "outcome": outcome,
                "value": v,
            }
        )
    for pid, v in zip(post_pids or pids, post, strict=True):
        rows.append(
            {
                "round_id": round_id,
                "pid": pid,
                "instrument": "outcomes",
                "wave": endline,
                "item_id": item,
                "outcome": outcome,
                "value": v,
            }
        )
    return rows


def _responses() -> pd.DataFrame:
    hw = [f"h{i}" for i in range(9)]
    pg = [f"g{i}" for i in range(12)]
    rows = []
    # post in reverse order: linking must be by pid, not by position
    rows += _long("ok_functions", "new_knowledge", HW_Y, HW_X[::-1], hw, hw[::-1])
    rows += _long("ok_guidelines", "new_knowledge", PG_Y, PG_X, pg)
    # two extra people answered only one wave of ok_functions
    rows += [
        {
            "round_id": "r1",
            "pid": "lonely_pre",
            "instrument": "outcomes",
            "wave": "pre",
            "item_id": "ok_functions",
            "outcome": "new_knowledge",
            "value": 2.0,
        },
        {
            "round_id": "r1",
            "pid": "lonely_post",
            "instrument": "outcomes",
            "wave": "post",
            "item_id": "ok_functions",
            "outcome": "new_knowledge",
            "value": np.nan,
        },
    ]
    rows += _long("cn_peers", "enhanced_connectivity", [1, 2, 3], [2, 3, 4], ["a", "b", "c"])
    rows += _long(
        "cn_advice", "enhanced_connectivity", [2, 2, 2, 2, 2], [2, 2, 2, 2, 2], list("abcde")
    )
    # another instrument with the same item id must be ignored
    rows += [
        {
            "round_id": "r1",
            "pid": "h0",
            "instrument": "pulse",
            "wave": "pre",
            "item_id": "ok_functions",
            "outcome": "new_knowledge",
            "value": 5.0,
        }
    ]
    return pd.DataFrame(rows)


def test_doctest_examples_hold():
    result = doctest.testmod(oc)
    assert result.attempted > 0 and result.failed == 0


def test_item_changes_reproduce_r_and_pingouin():
    out = item_changes(_responses(), n_boot=300, seed=1).set_index("item_id")
    assert list(out.reset_index().columns) == ITEM_CHANGE_COLUMNS
    hw = out.loc["ok_functions"]
    assert (hw["n"], hw["statistic"]) == (9, 40.0)
    assert hw["p_value"] == pytest.approx(0.0390625, abs=1e-12)
    assert hw["n_unmatched"] == 1  # lonely_pre; lonely_post's answer is missing
    assert hw["note"] is None and hw["outcome"] == "new_knowledge"
    pg = out.loc["ok_guidelines"]
    assert (pg["n"], pg["statistic"]) == (12, 20.5)
    assert pg["p_value"] == pytest.approx(0.2857652190231508, abs=1e-12)
    assert pg["rank_biserial"] == pytest.approx(-0.378788, abs=1e-6)
    # Holm within the new_knowledge family (two items), as statsmodels
    expected = multipletests([hw["p_value"], pg["p_value"]], method="holm")[1]
    assert [hw["p_holm"], pg["p_holm"]] == pytest.approx(list(expected), abs=1e-15)
    # same numbers as calling paired_change directly, with the same seed
    direct = paired_change(HW_Y, HW_X, n_boot=300, seed=1)
    assert hw["ci_low"] == direct["ci_low"] and hw["ci_high"] == direct["ci_high"]


def test_item_changes_notes_and_own_family():
    out = item_changes(_responses(), n_boot=100).set_index("item_id")
    peers = out.loc["cn_peers"]
    assert (peers["n"], peers["note"], peers["median_change"]) == (3, "too_few_pairs", 1.0)
    assert np.isnan(peers["p_value"]) and np.isnan(peers["p_holm"])
    advice = out.loc["cn_advice"]
    assert (advice["n"], advice["note"], advice["median_change"]) == (5, "no_variance", 0.0)
    assert np.isnan(advice["statistic"])


def test_duplicate_answers_raise():
    r = _responses()
    r = pd.concat([r, r.iloc[[0]]], ignore_index=True)
    with pytest.raises(AnalysisError, match="duplicated"):
        item_changes(r, n_boot=10)


def test_linking_is_within_round():
    rows = _long("q", "new_knowledge", [1, 2, 3, 4, 5], [2, 3, 4, 5, 5], list("abcde"))
    rows += _long("q", "new_knowledge", [1, 1], [5, 5], ["a", "b"], round_id="r2")
    r = pd.DataFrame(rows)
    out = item_changes(r, n_boot=10, min_pairs=2)
    assert out.loc[0, "n"] == 7
    # r2's "a" is not r1's "a": post of r2 never pairs with pre of r1
    r_cross = r[~((r["round_id"] == "r2") & (r["wave"] == "pre"))]
    assert item_changes(r_cross, n_boot=10).loc[0, "n_unmatched"] == 2


def test_outcome_changes_uses_items_answered_at_both_waves():
    rows = []
    rows += _long(
        "sk_selfassess", "enhanced_skill", [2, 3, 2, 1, 3, 2], [3, 4, 4, 2, 3, 4], list("abcdef")
    )
    # f skipped sk_plan at post: its sk_plan pre answer must not enter f's pre score
    rows += _long(
        "sk_plan", "enhanced_skill", [2, 2, 3, 1, 2, 5], [4, 3, 4, 3, 3, np.nan], list("abcdef")
    )
    rows += _long("sk_plan", "enhanced_skill", [3], [4], ["g"], ["h"])  # g pre only, h post
    out = outcome_changes(pd.DataFrame(rows), n_boot=200, seed=3)
    assert list(out.columns) == OUTCOME_CHANGE_COLUMNS
    row = out.iloc[0]
    pre = pd.Series({"a": 2.0, "b": 2.5, "c": 2.5, "d": 1.0, "e": 2.5, "f": 2.0})
    post = pd.Series({"a": 3.5, "b": 3.5, "c": 4.0, "d": 2.5, "e": 3.0, "f": 4.0})
    ref = paired_change(pre, post, n_boot=200, seed=3)
    assert (row["n"], row["n_items"], row["n_unmatched"]) == (6, 2, 2)
    for field in ("statistic", "p_value", "rank_biserial", "median_change", "ci_low", "ci_high"):
        assert row[field] == pytest.approx(ref[field], abs=1e-12)
    assert row["p_holm"] == pytest.approx(row["p_value"])  # one outcome: no adjustment


def test_response_shift_compares_retro_with_pre():
    pids = [f"h{i}" for i in range(9)]
    rows = _long("ok_practices", "new_knowledge", HW_X, HW_Y, pids, endline="retro")
    # a post wave in the same table must be ignored
    rows += [
        {
            "round_id": "r1",
            "pid": pid,
            "instrument": "outcomes",
            "wave": "post",
            "item_id": "ok_practices",
            "outcome": "new_knowledge",
            "value": 5.0,
        }
        for pid in pids
    ]
    row = response_shift(pd.DataFrame(rows), n_boot=50).iloc[0]
    # retro - pre = y - x: V = 45 - 40 = 5, same two-sided p as R's V = 40
    assert (row["n"], row["statistic"]) == (9, 5.0)
    assert row["p_value"] == pytest.approx(0.0390625, abs=1e-12)
    assert row["median_change"] < 0


def test_learning_results_need_pre_and_post():
    res = oc.learning_results(_responses(), n_boot=50)
    assert set(res) == {"outcomes", "items"}  # no retro wave: no response shift
    assert res["outcomes"]["outcome"].tolist() == ["new_knowledge", "enhanced_connectivity"]
    pre_only = _responses().query("wave == 'pre'")
    assert oc.learning_results(pre_only) == {} and oc.learning_results(pre_only.head(0)) == {}
