"""Tests of analysis.participation on a small hand-built round."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis import AnalysisError
from exchange_eval.analysis import participation as part
from exchange_eval.analysis.participation import (
    answer_grid,
    attendance_by_session,
    attrition,
    country_totals,
    participation_by_country,
    respondents,
    response_counts,
    round_totals,
)


def _participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round_id": "r1",
            "pid": ["s1", "s2", "b1", "b2", "c1", "c2", "x1"],
            "country": ["SEN", "SEN", "BFA", "BFA", "CIV", "CIV", "SEN"],
            "role": ["decision_maker", "technical"] * 3 + ["technical"],
            "on_roster": [True, True, True, True, True, True, False],
        }
    )


def _attendance() -> pd.DataFrame:
    rows = []
    came = {"vc1": {"s1", "s2", "b1", "c1"}, "vc2": {"s1", "b1"}, "visit": {"s1", "s2"}}
    for session, present in came.items():
        for pid in ["s1", "s2", "b1", "b2", "c1", "c2"]:
            rows.append(
                {"round_id": "r1", "pid": pid, "session_id": session, "attended": pid in present}
            )
    return pd.DataFrame(rows)


def _sessions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round_id": "r1",
            "session_id": ["visit", "vc1", "vc2", "vc3"],
            "kind": ["observation", "virtual", "virtual", "virtual"],
            "date": pd.to_datetime(["2025-05-12", "2025-02-10", "2025-03-10", "2025-04-07"]),
            "title": ["Visit", "VC1", "VC2", "VC3"],
        }
    )


def _responses() -> pd.DataFrame:
    rows = []
    waves = {
        "pre": ["s1", "s2", "b1", "b2", "c1"],
        "post": ["s1", "b1", "b2", "c2", "x1"],
        "retro": ["s1", "b1"],
        "followup-1": ["s1", "c2"],
    }
    for wave, pids in waves.items():
        for pid in pids:
            for item in ("ok_functions", "ok_guidelines"):
                rows.append(
                    {
                        "round_id": "r1",
                        "pid": pid,
                        "instrument": "outcomes",
                        "wave": wave,
                        "item_id": item,
                        "value": 3.0,
                        "text": pd.NA,
                    }
                )
    # b2 opened the post form and left it blank: not a respondent of post
    for row in rows:
        if row["pid"] == "b2" and row["wave"] == "post":
            row["value"] = np.nan
    # c1 answered only the free-text question at post: a respondent
    rows.append(
        {
            "round_id": "r1",
            "pid": "c1",
            "instrument": "outcomes",
            "wave": "post",
            "item_id": "oc_comment",
            "value": np.nan,
            "text": "More peer visits",
        }
    )
    return pd.DataFrame(rows)


def test_doctest_examples_hold():
    result = doctest.testmod(part)
    assert result.attempted > 0 and result.failed == 0


def test_participation_by_country_counts_and_totals():
    out = participation_by_country(_participants(), _attendance(), k=3)
    total = out[(out["country"] == "all") & (out["role"] == "all")].iloc[0]
    assert total["n_invited"] == 6 and total["n_attended"] == 4 and total["n_unlisted"] == 1
    assert total["share_attended"] == pytest.approx(4 / 6)
    sen = out[(out["country"] == "SEN") & (out["role"] == "all")].iloc[0]
    assert (sen["n_invited"], sen["n_attended"], sen["n_unlisted"]) == (2, 2, 1)
    civ_tech = out[(out["country"] == "CIV") & (out["role"] == "technical")].iloc[0]
    assert (civ_tech["n_invited"], civ_tech["n_attended"]) == (1, 0)
    # counts of people are never blanked, small groups are flagged
    assert out["n_invited"].notna().all()
    assert sen["small_group"] and not total["small_group"]
    assert list(out.columns) == [
        "round_id",
        "country",
        "role",
        "n_invited",
        "n_attended",
        "share_attended",
        "n_unlisted",
        "n",
        "small_group",
    ]
    assert out.iloc[-1]["country"] == "all"


def test_participation_falls_back_on_sessions_attended():
    p = _participants().assign(n_sessions_attended=[3, 0, 1, 0, 0, 0, 0])
    out = participation_by_country(p, pd.DataFrame(), k=3)
    assert out.iloc[-1]["n_attended"] == 2


def test_attendance_by_session_in_date_order_with_empty_sessions():
    out = attendance_by_session(_attendance(), _sessions())
    assert out["session_id"].tolist() == ["vc1", "vc2", "vc3", "visit"]
    assert out["n_attended"].tolist() == [4, 2, 0, 2]
    assert out["n_expected"].tolist() == [6, 6, 0, 6]
    assert out["share_attended"].iloc[0] == pytest.approx(4 / 6)
    assert np.isnan(out["share_attended"].iloc[2])


def test_respondents_ignore_blank_forms_and_count_text_answers():
    units = respondents(_responses())
    post = set(units.loc[units["wave"] == "post", "pid"])
    assert post == {"s1", "b1", "c2", "x1", "c1"}


def test_response_counts_against_roster():
    out = response_counts(_responses(), _participants())
    pre = out[out["wave"] == "pre"].iloc[0]
    assert (pre["n_respondents"], pre["n_roster"], pre["response_rate"]) == (5, 6, 5 / 6)
    post = out[out["wave"] == "post"].iloc[0]
    # x1 answered but is not on the roster: counted as respondent, not in the rate
    assert (post["n_respondents"], post["n_roster_respondents"]) == (5, 4)
    assert post["response_rate"] == pytest.approx(4 / 6)
    by = response_counts(_responses(), _participants(), by="country", k=3)
    sen_pre = by[(by["wave"] == "pre") & (by["country"] == "SEN")].iloc[0]
    assert (sen_pre["n_respondents"], sen_pre["n_roster"], sen_pre["small_group"]) == (2, 2, True)


def test_attrition_between_waves():
    out = attrition(_responses())
    row = out.iloc[0]
    # pre: s1 s2 b1 b2 c1 ; post: s1 b1 c2 x1 c1 (b2 blank)
    assert (row["n_baseline"], row["n_endline"], row["n_linked"]) == (5, 5, 3)
    assert (row["n_baseline_only"], row["n_endline_only"]) == (2, 2)
    assert (row["n_retro"], row["n_followup"], row["n_followup_linked"]) == (2, 2, 1)
    assert row["retention"] == pytest.approx(3 / 5)
    assert row["n"] == 7


def test_answer_grid_treats_absent_and_blank_rows_alike():
    r = _responses()
    grid = answer_grid(
        r[r["wave"] == "pre"], expected_items={"outcomes": ["ok_functions", "ok_practices"]}
    )
    assert len(grid) == 10
    assert grid.loc[grid["item_id"] == "ok_practices", "answered"].eq(False).all()
    with pytest.raises(AnalysisError):
        answer_grid(r.drop(columns="item_id"))


def test_canonical_string_dtypes_are_handled():
    r = _responses()
    for col in ("round_id", "pid", "instrument", "wave", "item_id", "text"):
        r[col] = r[col].astype("string")
    p = _participants().astype(
        {
            "round_id": "string",
            "pid": "string",
            "country": "string",
            "role": "string",
            "on_roster": "boolean",
        }
    )
    row = attrition(r).iloc[0]
    assert (row["n_baseline"], row["n_endline"], row["n_linked"]) == (5, 5, 3)
    assert response_counts(r, p)["n_respondents"].tolist() == [2, 5, 5, 2]


def test_country_totals_withhold_small_delegations_and_their_complement():
    totals = country_totals(participation_by_country(_participants(), _attendance(), k=3), k=3)
    assert "all" not in set(totals["country"]) and set(totals["role"]) == {"all"}
    # every small delegation is withheld ...
    assert (totals.loc[totals["small_group"], "suppression"] == "primary").all()
    hidden = totals[totals["suppressed"]]
    # ... and never alone, nor as fewer than k people together (complementary suppression)
    if len(hidden):
        assert len(hidden) >= 2
        full = participation_by_country(_participants(), _attendance(), k=3)
        sizes = full.set_index("country").loc[hidden["country"]]
        assert sizes.loc[sizes["role"] == "all", "n_invited"].sum() >= 3
        assert hidden[["n_invited", "n_attended", "share_attended"]].isna().all().all()


def test_round_totals():
    totals = round_totals(_participants(), _responses())
    assert totals["n_participants"] == len(_participants())
    assert totals["n_countries"] == _participants()["country"].nunique()
    assert totals["n_respondents"] == _responses()["pid"].nunique()
    assert round_totals(None, None) == {"n_participants": 0, "n_countries": 0, "n_responses": 0,
                                        "n_respondents": 0}


def test_a_breakdown_of_response_counts_needs_k():
    with pytest.raises(AnalysisError, match="minimum cell size"):
        response_counts(_responses(), _participants(), by="country")


def test_attendance_and_response_rate_are_unknown_not_zero_without_the_data():
    # a roster without attendance columns, and session feedback answered anonymously
    people = pd.DataFrame({"round_id": "r", "pid": ["a", "b", "c"], "country": "SEN", "role": "technical",
                           "on_roster": True, "n_sessions_attended": pd.array([None] * 3, dtype="Int64")})
    by_country = participation_by_country(people, pd.DataFrame(columns=["pid", "attended"]), k=3)
    assert by_country["n_attended"].isna().all() and by_country["share_attended"].isna().all()
    answers = pd.DataFrame({"round_id": "r", "pid": ["anon1", "anon2", "a"], "instrument": "session_feedback",
                            "wave": ["s1", "s1", "s2"], "item_id": "q", "value": 1.0})
    rates = response_counts(answers, people).set_index("wave")["response_rate"]
    assert pd.isna(rates["s1"]) and rates["s2"] == pytest.approx(1 / 3)
