"""Tests of analysis.quality: instrument indicators for the feedback review."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis import quality as qa
from exchange_eval.analysis.quality import (
    ceiling_effects,
    completion_time,
    item_nonresponse,
    response_rates,
    scale_reliability,
    straightlining,
)
from exchange_eval.analysis.review import review_findings, review_flags, review_thresholds
from exchange_eval.core.tables import RoundData
from support import PINGOUIN_CRONBACH_ITEMS

SCALE5 = [{"value": v} for v in range(1, 6)]


def _long(items: dict[str, list], wave: str = "pre", outcome: str = "scale") -> pd.DataFrame:
    rows = []
    for item, values in items.items():
        for i, v in enumerate(values):
            rows.append(
                {
                    "round_id": "r1",
                    "pid": f"p{i}",
                    "instrument": "outcomes",
                    "wave": wave,
                    "item_id": item,
                    "outcome": outcome,
                    "value": v,
                }
            )
    return pd.DataFrame(rows)


def test_doctest_examples_hold():
    result = doctest.testmod(qa)
    assert result.attempted > 0 and result.failed == 0


def test_scale_reliability_matches_pingouin_example():
    r = pd.concat([_long(PINGOUIN_CRONBACH_ITEMS), _long({"solo": [1, 2, 3]}, outcome="single")])
    out = scale_reliability(r, min_n=15)
    assert len(out) == 1  # the single-item "scale" is not a scale
    row = out.iloc[0]
    assert (row["scale"], row["k"], row["n"]) == ("scale", 10, 15)
    assert round(row["alpha"], 6) == 0.591719
    assert (round(row["ci_low"], 3), round(row["ci_high"], 3)) == (0.195, 0.84)
    assert row["note"] is None and row["estimable"]
    # 15 respondents are fewer than the default 20: not estimated, and said so
    default = scale_reliability(r).iloc[0]
    assert default["note"] == "too_few_to_estimate" and not default["estimable"]
    assert np.isnan(default["alpha"])


def test_scale_reliability_listwise_per_wave_and_explicit_groups():
    items = {k: list(v) for k, v in PINGOUIN_CRONBACH_ITEMS.items()}
    items["Q3"][0] = np.nan  # p0 drops out listwise
    r = pd.concat([_long(items), _long(PINGOUIN_CRONBACH_ITEMS, wave="post")])
    groups = {"first3": ["Q1", "Q2", "Q3"]}
    out = scale_reliability(r, groups=groups, min_n=10, missing="listwise").set_index("wave")
    assert out.loc["pre", "n"] == 14 and out.loc["post", "n"] == 15
    data = pd.DataFrame(PINGOUIN_CRONBACH_ITEMS)[["Q1", "Q2", "Q3"]].to_numpy(float)
    cov = np.cov(data, rowvar=False)
    assert out.loc["post", "alpha"] == pytest.approx(1.5 * (1 - np.trace(cov) / cov.sum()))
    # pairwise (the default): p0 still counts for the Q1-Q2 covariance
    pairwise = scale_reliability(r, groups=groups, min_n=10).set_index("wave")
    pre = pd.DataFrame(items)[["Q1", "Q2", "Q3"]]
    cov_pw = pre.cov().to_numpy()
    assert pairwise.loc["pre", "alpha"] == pytest.approx(1.5 * (1 - np.trace(cov_pw) / cov_pw.sum()))
    assert (pairwise.loc["pre", "n"], pairwise.loc["pre", "n_complete"]) == (14, 14)
    flat = _long({"a": [3, 3, 3], "b": [3, 3, 3]})
    assert scale_reliability(flat, min_n=3).loc[0, "note"] == "no_variance"


def test_item_nonresponse_counts_blank_and_absent_rows():
    r = _long({"q1": [4, 5, np.nan, 3], "q2": [4, np.nan, 2, 3]})
    r = r[~((r["pid"] == "p3") & (r["item_id"] == "q2"))]  # absent row
    out = item_nonresponse(r).set_index("item_id")
    assert out.loc["q1", ["n", "n_answered", "n_missing"]].tolist() == [4, 3, 1]
    assert out.loc["q2", "n_missing"] == 2 and out.loc["q2", "share_missing"] == 0.5
    listed = item_nonresponse(r, expected_items={"outcomes": ["q1", "q2", "q3"]})
    assert listed.set_index("item_id").loc["q3", "share_missing"] == 1.0


def test_straightlining_share_and_min_items():
    r = _long(
        {
            "a": [4, 5, 3, 2],
            "b": [4, 4, 3, 2],
            "c": [4, 3, 3, 2],
            "d": [4, 5, 3, np.nan],
            "e.opt": [1, 1, 1, 1],
        }
    )
    out = straightlining(r, min_items=4).iloc[0]
    # p0 and p2 identical on a-d; p3 has only 3 rating answers; the option is not rated
    assert (out["n"], out["n_straightlined"], out["share"]) == (3, 2, pytest.approx(2 / 3))
    assert straightlining(r, min_items=3).iloc[0]["n"] == 4


def test_completion_time_quartiles():
    durations = {"p0": 300.0, "p1": 600.0, "p2": 420.0, "p3": np.nan, "p4": 7200.0}
    r = _long({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5]})
    r["duration_s"] = r["pid"].map(durations)
    out = completion_time(r).iloc[0]
    values = np.array([300.0, 600.0, 420.0, 7200.0])
    assert out["n"] == 4 and out["median_s"] == np.median(values)
    assert (out["q25_s"], out["q75_s"]) == tuple(np.quantile(values, [0.25, 0.75]))


def test_ceiling_effects_flags_top_heavy_baseline():
    r = pd.concat(
        [
            _long({"q1": [5, 5, 5, 5, 4], "q2": [5, 4, 3, 5, 2]}),
            _long({"q1": [5, 5, 5, 5, 5]}, wave="post"),
        ]
    )
    out = ceiling_effects(r, SCALE5, share=0.8).set_index(["wave", "item_id"])
    assert out.loc[("pre", "q1"), "top_share"] == 0.8
    assert out.loc[("pre", "q1"), "gain_unmeasurable"]
    assert not out.loc[("pre", "q2"), "ceiling"]
    assert out.loc[("post", "q1"), "ceiling"] and not out.loc[("post", "q1"), "gain_unmeasurable"]
    assert ceiling_effects(r, {"q2": SCALE5}, share=0.8)["item_id"].unique().tolist() == ["q2"]


def test_response_rates_delegate_to_response_counts():
    p = pd.DataFrame({"round_id": "r1", "pid": ["p0", "p1", "p2", "p3", "p4"], "on_roster": True})
    out = response_rates(_long({"a": [1, np.nan, 3, 4]}), p).iloc[0]
    assert (out["n"], out["n_roster"], out["response_rate"]) == (3, 5, 0.6)


def test_review_flags_follow_thresholds():
    """One flag per question, survey, scale or tool past its threshold (the wording is the
    report's, in test_present)."""
    th = review_thresholds({"nonresponse_max": 0.2})
    findings = {
        "nonresponse": pd.DataFrame({"item_id": ["q1", "q_text", "q2.a", "q2.b"], "share_missing": [0.25, 0.9, 0.3, 0.1]}),
        "response": pd.DataFrame({"instrument": ["sf"] * 3, "response_rate": [0.9, 0.5, 0.4]}),
        "straightlining": pd.DataFrame({"instrument": ["outcomes"], "share": [0.05]}),
        "reliability": pd.DataFrame({"scale": ["s", "s"], "alpha": [0.6, 0.8]}),
        "burden": pd.DataFrame({"instrument": ["outcomes"], "median_s": [20 * 60.0]}),
        "ceiling": pd.DataFrame({"item_id": ["q3"], "top_share": [0.85], "ceiling": [True]}),
    }
    ratings = pd.DataFrame({"tool": ["t1", "t2"], "mean": [2.5, 4.0]})
    flags = review_flags(findings, th, free_text={"q_text"}, tool_ratings=ratings)
    assert [f["kind"] for f in flags] == ["nonresponse", "nonresponse", "response", "reliability", "burden",
                                          "ceiling", "tools"]
    assert [(f["item"], f["share"]) for f in flags[:2]] == [("q2", 0.3), ("q1", 0.25)]
    assert {k: flags[2][k] for k in ("waves", "total", "low", "high")} == {"waves": 2, "total": 3, "low": 0.4,
                                                                           "high": 0.5}
    assert (flags[3]["waves"], flags[3]["total"], flags[3]["alpha"]) == (1, 2, 0.6)
    # without the answer counts nothing is carried by the evidence: every flag is only to watch
    assert not any(f["supported"] for f in flags)
    assert flags[4]["minutes"] == 20 and flags[6]["tool"] == "t1"
    assert review_flags({}, th) == []


def test_review_findings_tag_each_check_with_its_round():
    responses = _long({"q1": [5, 5, 5, 5, 4], "q2": [5, 4, 3, 5, 2]}).assign(duration_s=np.nan)
    people = pd.DataFrame({"round_id": "r1", "pid": [f"p{i}" for i in range(6)], "on_roster": True})
    rounds = [RoundData(round_id="r1", responses=responses, participants=people), RoundData(round_id="r2")]
    found = review_findings(rounds, thresholds=review_thresholds(None), scales={"q1": SCALE5})
    assert set(found) == {"response", "nonresponse", "straightlining", "reliability", "burden", "ceiling"}
    assert found["response"]["round_id"].tolist() == ["r1"] and found["response"]["n_roster"].tolist() == [6]
    assert found["ceiling"]["item_id"].tolist() == ["q1"]  # q2 has no known scale
    assert found["burden"].empty  # no durations exported
