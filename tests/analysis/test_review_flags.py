"""Recommendations of the feedback review only where the evidence carries them."""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from exchange_eval.analysis.review import review_flags, review_thresholds

TH = review_thresholds(None)


def test_alpha_of_a_small_sample_or_with_an_interval_reaching_zero_is_only_watched():
    rel = pd.DataFrame({"round_id": "r", "instrument": "outcomes", "wave": ["pre", "post", "pre"],
                        "scale": ["a", "a", "b"], "k": 2, "n": [11, 11, 40], "alpha": [-0.4, 0.5, 0.55],
                        "ci_low": [-2.34, -0.2, 0.3], "ci_high": [0.76, 0.8, 0.68], "note": None})
    flags = {f["scale"]: f for f in review_flags({"reliability": rel}, TH)}
    assert not flags["a"]["supported"]  # n = 11 < 20 and the interval includes 0
    assert flags["b"]["supported"] and flags["b"]["n"] == 40  # n >= 20, interval above 0 and below 0.7


def test_one_straightliner_in_seven_is_not_a_recommendation():
    sl = pd.DataFrame({"round_id": "r", "instrument": "session_feedback", "wave": ["vc1", "vc2"],
                       "n": [7, 60], "n_straightlined": [1, 20], "share": [1 / 7, 20 / 60]})
    one = review_flags({"straightlining": sl.iloc[[0]]}, TH)[0]
    assert not one["supported"] and one["n"] == 7
    many = review_flags({"straightlining": sl.iloc[[1]]}, TH)[0]
    assert many["supported"] and many["ci_low"] > TH["straightlining_max"]
    # Wilson interval of 20/60, as statsmodels (R: prop.test(20, 60, correct = FALSE))
    assert many["ci_low"] == pytest.approx(proportion_confint(20, 60, method="wilson")[0])
