"""Improvement-plan status counts and completion rates, checked against hand counts."""

from __future__ import annotations

import pandas as pd
import pytest

from exchange_eval.analysis.plans import (
    PlanDataError,
    completion_rate,
    followup_order,
    plan_status,
    plan_statuses,
    plan_summary,
    plans_results,
)
from exchange_eval.core.config import Config

STATUSES = plan_statuses(Config().choices)


@pytest.fixture
def actions() -> pd.DataFrame:
    rows = [
        # country, action, dimension, followup, status
        ("SEN", "s1", "evidence", "followup-1", "started"),
        ("SEN", "s1", "evidence", "followup-2", "done"),
        ("SEN", "s2", "evidence", "followup-1", "planned"),
        ("SEN", "s2", "evidence", "followup-2", "dropped"),
        ("SEN", "s3", "inclusive", "followup-1", "done"),
        ("SEN", "s3", "inclusive", "followup-2", "done"),
        ("BFA", "b1", "evidence", "followup-1", "planned"),
        ("BFA", "b1", "evidence", "followup-2", "started"),
        ("BFA", "b2", "monitoring", "followup-1", "Started"),
        ("BFA", "b2", "monitoring", "followup-2", None),
    ]
    return pd.DataFrame(rows, columns=["country", "action_id", "dimension", "followup", "status"])


def test_plan_status_has_every_status_with_zeros(actions):
    out = plan_status(actions, statuses=STATUSES)
    # 4 (country, dimension) pairs x 2 follow-ups x 4 statuses
    assert len(out) == 4 * 2 * 4
    sen_ev_1 = out[(out.country == "SEN") & (out.dimension == "evidence") & (out.followup == "followup-1")]
    assert sen_ev_1["status"].tolist() == ["planned", "started", "done", "dropped"]
    assert sen_ev_1["n"].tolist() == [1, 1, 0, 0]
    assert sen_ev_1["pct"].tolist() == [0.5, 0.5, 0.0, 0.0]
    # a status missing at follow-up 2 is not counted; pct undefined when nothing reported
    bfa_mon_2 = out[(out.country == "BFA") & (out.dimension == "monitoring") & (out.followup == "followup-2")]
    assert bfa_mon_2["n"].sum() == 0
    assert bfa_mon_2["pct"].isna().all()
    assert out["n"].sum() == 9


def test_completion_rate_by_country(actions):
    out = completion_rate(actions, statuses=STATUSES).set_index(["country", "followup"])
    sen2 = out.loc[("SEN", "followup-2")]
    assert sen2["n_actions"] == 3
    assert sen2["share_done"] == pytest.approx(2 / 3)
    assert sen2["share_started_or_done"] == pytest.approx(2 / 3)
    assert sen2["n_dropped"] == 1
    bfa1 = out.loc[("BFA", "followup-1")]
    assert (bfa1["n_actions"], bfa1["share_done"], bfa1["share_started_or_done"]) == (2, 0.0, 0.5)


def test_completion_rate_overall_and_by_dimension(actions):
    overall = completion_rate(actions, by=(), statuses=STATUSES)
    assert overall["followup"].tolist() == ["followup-1", "followup-2"]
    assert overall["n_actions"].tolist() == [5, 4]
    assert overall["share_done"].tolist() == [pytest.approx(1 / 5), pytest.approx(2 / 4)]
    by_dim = completion_rate(actions, by=("dimension",), statuses=STATUSES).set_index(["dimension", "followup"])
    assert by_dim.loc[("evidence", "followup-2"), "share_started_or_done"] == pytest.approx(2 / 3)


def test_plan_summary_uses_latest_status(actions):
    out = plan_summary(actions, statuses=STATUSES).set_index("dimension")
    ev = out.loc["evidence"]
    # s1 done, s2 dropped, b1 started
    assert (ev["n_countries"], ev["n_actions"], ev["n_done"], ev["n_dropped"], ev["n_started"]) == (2, 3, 1, 1, 1)
    assert ev["share_done"] == pytest.approx(1 / 3)
    assert ev["share_started_or_done"] == pytest.approx(2 / 3)
    # b2 was not reported at follow-up 2: its follow-up-1 status (started) counts
    assert out.loc["monitoring", "n_started"] == 1
    assert out.loc["monitoring", "latest_followup"] == "followup-1"


def test_followup_order_is_numeric():
    assert followup_order(["followup-10", "followup-2", "followup-1"]) == [
        "followup-1", "followup-2", "followup-10"]


def test_unknown_status_is_a_named_error(actions):
    bad = actions.copy()
    bad.loc[0, "status"] = "finished"
    with pytest.raises(PlanDataError, match="finished"):
        plan_status(bad, statuses=STATUSES)
    with pytest.raises(PlanDataError, match="followup"):
        completion_rate(actions.drop(columns="followup"), statuses=STATUSES)


def test_plans_results_at_the_latest_followup(actions):
    res = plans_results(actions, statuses=STATUSES)
    assert res["followup"] == "followup-2"
    assert (res["done"], res["total"]) == (2, 4)  # s1 and s3 done of s1, s2, s3, b1
    evidence = res["status"][res["status"]["dimension"] == "evidence"].set_index("status")["n"]
    assert evidence.to_dict() == {"planned": 0, "started": 1, "done": 1, "dropped": 1}
    assert set(res["completion"]["followup"]) == {"followup-2"}
    assert plans_results(actions.assign(status=None), statuses=STATUSES) == {}
