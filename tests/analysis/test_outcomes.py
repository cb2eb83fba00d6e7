"""Tests of analysis.outcomes: linking by pid, R reference values, sums as plain R ranks
them, one family per table with the primary outcome first."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
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
from exchange_eval.analysis.stats import PairedOptions, paired_change

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
    out = item_changes(_responses()).set_index("item_id")
    assert list(out.reset_index().columns) == ITEM_CHANGE_COLUMNS
    hw = out.loc["ok_functions"]
    # R> wilcox.test(x, y, paired = TRUE, conf.int = TRUE): V = 40, p = 0.03906
    assert (hw["n"], hw["statistic"], hw["p_method"]) == (9, 40.0, "exact")
    assert hw["p_value"] == pytest.approx(0.0390625, abs=1e-12)
    assert hw["n_unmatched"] == 1  # lonely_pre; lonely_post's answer is missing
    assert hw["note"] is None and hw["outcome"] == "new_knowledge"
    pg = out.loc["ok_guidelines"]
    assert (pg["n"], pg["statistic"]) == (12, 20.5)
    # scipy.stats.wilcoxon(x, y, correction=True) = R's wilcox.test p (normal, ties)
    assert pg["p_value_r"] == pytest.approx(0.2857652190231508, abs=1e-12)
    assert pg["p_method"] == "exact_conditional"
    assert pg["rank_biserial"] == pytest.approx(-0.378788, abs=1e-6)
    # the whole table is one family: Holm over every tested item (R: p.adjust(p, "holm"))
    expected = multipletests([hw["p_value"], pg["p_value"]], method="holm")[1]
    assert [hw["p_adjusted"], pg["p_adjusted"]] == pytest.approx(list(expected), abs=1e-15)
    assert set(out["family"]) == {"items"} and set(out["adjust_method"]) == {"holm"}
    # same numbers as calling paired_change directly
    direct = paired_change(HW_Y, HW_X)
    assert (hw["estimate"], hw["ci_low"], hw["ci_high"]) == (direct["estimate"], direct["ci_low"], direct["ci_high"])


def test_item_changes_benjamini_hochberg_on_request():
    out = item_changes(_responses(), options=PairedOptions(multiplicity="BH")).set_index("item_id")
    p = out.loc[["ok_functions", "ok_guidelines"], "p_value"].to_numpy(float)
    assert out.loc[["ok_functions", "ok_guidelines"], "p_adjusted"].tolist() == pytest.approx(
        list(multipletests(p, method="fdr_bh")[1]))


def test_item_changes_notes():
    out = item_changes(_responses()).set_index("item_id")
    peers = out.loc["cn_peers"]
    assert (peers["n"], peers["note"], peers["median_change"]) == (3, "too_few_pairs", 1.0)
    assert np.isnan(peers["p_value"]) and np.isnan(peers["p_adjusted"])
    assert peers["n_improved"] == 3  # the counts are shown even below min_pairs
    advice = out.loc["cn_advice"]
    assert (advice["n"], advice["note"], advice["median_change"]) == (5, "no_variance", 0.0)
    assert np.isnan(advice["statistic"]) and advice["share_unchanged"] == 1


def test_duplicate_answers_raise():
    r = _responses()
    r = pd.concat([r, r.iloc[[0]]], ignore_index=True)
    with pytest.raises(AnalysisError, match="duplicated"):
        item_changes(r)


def test_linking_is_within_round():
    rows = _long("q", "new_knowledge", [1, 2, 3, 4, 5], [2, 3, 4, 5, 5], list("abcde"))
    rows += _long("q", "new_knowledge", [1, 1], [5, 5], ["a", "b"], round_id="r2")
    r = pd.DataFrame(rows)
    out = item_changes(r, options=PairedOptions(min_pairs=2))
    assert out.loc[0, "n"] == 7
    # r2's "a" is not r1's "a": post of r2 never pairs with pre of r1
    r_cross = r[~((r["round_id"] == "r2") & (r["wave"] == "pre"))]
    assert item_changes(r_cross).loc[0, "n_unmatched"] == 2


def _skill_rows() -> list[dict]:
    rows = []
    rows += _long(
        "sk_selfassess", "enhanced_skill", [2, 3, 2, 1, 3, 2], [3, 4, 4, 2, 3, 4], list("abcdef")
    )
    # f skipped sk_plan at post: f has no complete score and is not a pair
    rows += _long(
        "sk_plan", "enhanced_skill", [2, 2, 3, 1, 2, 5], [4, 3, 4, 3, 3, np.nan], list("abcdef")
    )
    rows += _long("sk_plan", "enhanced_skill", [3], [4], ["g"], ["h"])  # g pre only, h post
    return rows


def test_outcome_changes_rank_whole_number_sums_as_plain_r():
    out = outcome_changes(pd.DataFrame(_skill_rows()))
    assert list(out.columns) == OUTCOME_CHANGE_COLUMNS
    row = out.iloc[0]
    assert (row["n"], row["n_items"], row["n_unmatched"], row["n_incomplete"]) == (5, 2, 2, 1)
    # R> pre <- c(4, 5, 5, 2, 5); post <- c(7, 7, 8, 5, 6)   # sums of the two items
    # R> wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)
    pre_sum = np.array([4, 5, 5, 2, 5], float)
    post_sum = np.array([7, 7, 8, 5, 6], float)
    ref = sps.wilcoxon(post_sum, pre_sum, zero_method="wilcox", correction=True, method="asymptotic")
    assert row["statistic"] == 15.0
    assert row["p_value_r"] == pytest.approx(ref.pvalue, abs=1e-12)  # what R prints
    # every one of the 2^5 sign flips counted: only "all positive" is as extreme, twice
    assert row["p_value"] == pytest.approx(2 / 32, abs=1e-12) and row["p_method"] == "exact_conditional"
    direct = paired_change(pre_sum, post_sum)
    # the shift and its interval are those of the sums, per item
    for field in ("estimate", "ci_low", "ci_high", "median_change"):
        assert row[field] == pytest.approx(direct[field] / 2, abs=1e-12)
    assert row["p_adjusted"] == pytest.approx(row["p_value"])  # one outcome: nothing to adjust


def test_outcome_sums_are_immune_to_floating_point_ties():
    # means of three items (k/3) differ from R's by rounding noise and can split ties;
    # sums are whole numbers, so the ranks are exactly R's
    rng = np.random.default_rng(5)
    pre = rng.integers(1, 6, size=(12, 3)).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, size=(12, 3)), 1, 5)
    pids = [f"p{i}" for i in range(12)]
    rows = []
    for j in range(3):
        rows += _long(f"q{j}", "new_knowledge", list(pre[:, j]), list(post[:, j]), pids)
    row = outcome_changes(pd.DataFrame(rows)).iloc[0]
    d = post.sum(axis=1) - pre.sum(axis=1)
    ref = sps.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert row["p_value_r"] == pytest.approx(ref.pvalue, abs=1e-12)


def test_outcome_table_tests_the_primary_outcome_first():
    rows = _skill_rows()
    rows += _long("ok_x", "new_knowledge", [1, 2, 2, 3, 1, 2], [3, 3, 4, 4, 2, 3], list("abcdef"))
    rows += _long("cn_x", "enhanced_connectivity", [3, 3, 2, 3, 4, 2], [3, 4, 2, 2, 4, 3], list("abcdef"))
    out = outcome_changes(pd.DataFrame(rows), primary="new_knowledge").set_index("outcome")
    gate = out.loc["new_knowledge", "p_value"]
    assert out.loc["new_knowledge", "family"] == "primary"
    assert out.loc["new_knowledge", "p_adjusted"] == gate
    others = out.drop(index="new_knowledge")
    expected = np.fmax(multipletests(others["p_value"].to_numpy(float), method="holm")[1], gate)
    assert others["p_adjusted"].tolist() == pytest.approx(list(expected))
    assert set(others["family"]) == {"outcomes"}


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
    row = response_shift(pd.DataFrame(rows)).iloc[0]
    # retro - pre = y - x: V = 45 - 40 = 5, same two-sided p as R's V = 40
    assert (row["n"], row["statistic"]) == (9, 5.0)
    assert row["p_value"] == pytest.approx(0.0390625, abs=1e-12)
    assert row["estimate"] < 0 and row["family"] == "shift"


def test_learning_results_need_pre_and_post():
    res = oc.learning_results(_responses(), primary="new_knowledge")
    assert set(res) == {"outcomes", "items"}  # no retro wave: no response shift
    assert res["outcomes"]["outcome"].tolist() == ["new_knowledge", "enhanced_connectivity"]
    # nobody answered both new-knowledge items, so the primary outcome has no complete
    # score and no test: the table falls back to one family
    knowledge = res["outcomes"].set_index("outcome").loc["new_knowledge"]
    assert (knowledge["n"], knowledge["note"], knowledge["family"]) == (0, "too_few_pairs", "outcomes")
    pre_only = _responses().query("wave == 'pre'")
    assert oc.learning_results(pre_only) == {} and oc.learning_results(pre_only.head(0)) == {}
