"""Tests of analysis.likert: every level shown, percentages, summaries, suppression."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import likert as lk
from exchange_eval.analysis.feedback import scaled_items, session_feedback
from exchange_eval.analysis.likert import likert_counts, likert_summary

AGREE5 = [
    {"value": 1, "label_en": "Strongly disagree", "label_fr": "Pas du tout d'accord"},
    {"value": 2, "label_en": "Disagree", "label_fr": "Pas d'accord"},
    {"value": 3, "label_en": "Neither agree nor disagree"},
    {"value": 4, "label_en": "Agree", "label_fr": "D'accord"},
    {"value": 5, "label_en": "Strongly agree", "label_fr": "Tout à fait d'accord"},
]


def _feedback() -> pd.DataFrame:
    values = {
        "sf_objectives": [4, 5, 4, 4, 5, np.nan, 3],
        "sf_relevance": [5, 5, 4, 5, 4, 4, np.nan],
    }
    rows = []
    countries = ["SEN", "SEN", "BFA", "BFA", "CIV", "CIV", "CIV"]
    for item, vals in values.items():
        for i, v in enumerate(vals):
            rows.append(
                {
                    "pid": f"p{i}",
                    "instrument": "session_feedback",
                    "wave": "vc1",
                    "session_id": "vc1",
                    "item_id": item,
                    "value": v,
                    "country": countries[i],
                }
            )
    # p6 skipped sf_relevance and the platform dropped the row entirely
    return (
        pd.DataFrame(rows)
        .dropna(subset=["value"])
        .reset_index(drop=True)
        .pipe(
            lambda d: pd.concat(
                [
                    d,
                    pd.DataFrame(
                        [
                            {
                                "pid": "p5",
                                "instrument": "session_feedback",
                                "wave": "vc1",
                                "session_id": "vc1",
                                "item_id": "sf_objectives",
                                "value": np.nan,
                                "country": "CIV",
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        )
    )


def test_doctest_examples_hold():
    result = doctest.testmod(lk)
    assert result.attempted > 0 and result.failed == 0


def test_every_level_present_even_unused():
    out = likert_counts(_feedback(), AGREE5, items=["sf_objectives", "sf_relevance"])
    assert len(out) == 10
    obj = out[out["item_id"] == "sf_objectives"]
    assert obj["level"].tolist() == [1, 2, 3, 4, 5]
    assert obj["n"].tolist() == [0, 0, 1, 3, 2]
    assert (obj["n_item"] == 6).all()
    np.testing.assert_allclose(obj["pct"], [0, 0, 100 / 6, 50, 100 / 3])
    assert obj["label"].tolist()[0] == "Strongly disagree"
    rel = out[out["item_id"] == "sf_relevance"]
    assert rel["n"].tolist() == [0, 0, 0, 3, 3] and rel["pct"].sum() == pytest.approx(100)


def test_labels_follow_language_with_english_fallback():
    out = likert_counts(_feedback(), AGREE5, items=["sf_objectives"], lang="fr")
    assert out["label"].tolist()[:3] == [
        "Pas du tout d'accord",
        "Pas d'accord",
        "Neither agree nor disagree",
    ]


def test_items_never_answered_still_get_all_levels():
    out = likert_counts(_feedback(), AGREE5, items=["sf_apply"])
    assert out["n"].tolist() == [0] * 5 and (out["n_item"] == 0).all()
    assert out["pct"].isna().all()


def test_breakdown_is_suppressed_below_k():
    out = likert_counts(_feedback(), AGREE5, items=["sf_objectives"], by="country", k=3)
    civ = out[out["country"] == "CIV"]  # two answers (one missing)
    assert civ["suppressed"].all() and civ["n"].isna().all() and civ["pct"].isna().all()
    assert (civ["n_item"] == 2).all()
    assert len(out) == 15  # 3 countries x 5 levels
    unsuppressed = likert_counts(_feedback(), AGREE5, items=["sf_objectives"], by="country", k=0)
    assert unsuppressed.loc[unsuppressed["country"] == "SEN", "n"].tolist() == [0, 0, 0, 1, 1]


def test_values_outside_the_scale_raise():
    bad = pd.DataFrame({"item_id": ["q1"], "value": [7.0]})
    with pytest.raises(AnalysisError, match="outside the scale"):
        likert_counts(bad, AGREE5)


def test_likert_summary_values():
    out = likert_summary(_feedback(), choices=AGREE5)
    obj = out[out["item_id"] == "sf_objectives"].iloc[0]
    assert obj["n"] == 6
    assert obj["median"] == 4.0
    assert obj["mean"] == pytest.approx(25 / 6)
    assert obj["top2"] == pytest.approx(5 / 6)
    assert obj["n_missing"] == 1  # p5: blank row for this item, but answered sf_relevance
    rel = out[out["item_id"] == "sf_relevance"].iloc[0]
    assert (rel["n"], rel["median"], rel["top2"]) == (6, 4.5, 1.0)
    assert rel["n_missing"] == 1  # p6 answered sf_objectives, row for sf_relevance absent


def test_likert_summary_breakdown_suppressed():
    out = likert_summary(_feedback(), by="country", choices=AGREE5, k=3)
    assert set(out.columns) >= {
        "item_id",
        "country",
        "n",
        "median",
        "mean",
        "top2",
        "n_missing",
        "suppressed",
    }
    assert out["suppressed"].all()  # every country has fewer than 3 answers per item
    assert out["median"].isna().all()


def test_summary_by_a_unit_column_such_as_wave():
    r = pd.concat([_feedback(), _feedback().assign(wave="vc2", session_id="vc2")])
    out = likert_summary(r, by="wave", choices=AGREE5, k=0)
    assert out["wave"].tolist() == ["vc1", "vc2", "vc1", "vc2"]
    assert out["n"].tolist() == [6, 6, 6, 6] and out["n_missing"].tolist() == [1, 1, 1, 1]


def test_suppression_counts_people_not_answers():
    # two officials of one country answer four sessions each: 8 answers, 2 people
    rows = [
        {
            "pid": pid,
            "instrument": "session_feedback",
            "wave": s,
            "session_id": s,
            "item_id": "sf_objectives",
            "value": 4.0,
            "country": "TCD",
        }
        for pid in ("t1", "t2")
        for s in ("vc1", "vc2", "vc3", "visit")
    ]
    r = pd.DataFrame(rows)
    counts = likert_counts(r, AGREE5, by="country", k=3)
    assert (counts["n_item"] == 8).all() and (counts["n_respondents"] == 2).all()
    assert counts["suppressed"].all() and counts["n"].isna().all()
    summary = likert_summary(r, by="country", choices=AGREE5, k=3)
    assert summary.loc[0, "n"] == 8 and summary.loc[0, "n_respondents"] == 2
    assert summary.loc[0, "suppressed"] and np.isnan(summary.loc[0, "mean"])


def test_breakdowns_need_k():
    with pytest.raises(AnalysisError, match="minimum cell size"):
        likert_counts(_feedback(), AGREE5, by="country")
    with pytest.raises(AnalysisError, match="minimum cell size"):
        likert_summary(_feedback(), by="country", choices=AGREE5)


def test_item_scales_and_levels_from_the_instruments():
    instruments = {"instruments": {
        "outcomes": {"items": [{"id": "q1", "type": "select_one", "choices": "agree5"},
                               {"id": "q2", "type": "text"},
                               {"id": "q3", "type": "select_one", "choices": "unknown_list"}]}}}
    scales = lk.item_scales(instruments, {"agree5": AGREE5})
    assert list(scales) == ["q1"] and [lv["value"] for lv in scales["q1"]] == [1, 2, 3, 4, 5]
    assert lk.scale_levels("q1", scales) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert lk.scale_levels("q2", scales) is None and lk.scale_levels("q2", None) is None
    assert lk.scale_levels("any", AGREE5[:2]) == [1.0, 2.0]  # one scale for every item
    # without a known scale, top2 is missing rather than guessed
    summary = likert_summary(_feedback(), choices=scales).set_index("item_id")
    assert summary["top2"].isna().all() and summary.loc["sf_objectives", "n"] == 6


def test_session_feedback_results():
    answers = _feedback().assign(text=pd.NA)
    res = session_feedback(answers, items=["sf_objectives", "sf_relevance"], scale=AGREE5, k=3)
    # relevance: 5 5 4 5 4 4 -> all six in the top two levels
    assert res["relevance_top2"] == 1.0 and res["relevance_n"] == 6
    assert res["summary"]["session_id"].unique().tolist() == ["vc1"]
    assert res["counts"]["n"].sum() == 12
    assert session_feedback(answers, items=["nothing"], scale=AGREE5, k=3) == {}
    assert scaled_items({"instruments": {}}, "pulse") == ([], "agree5")
