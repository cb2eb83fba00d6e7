"""Cross-round synthesis: MixedLM recovers a simulated effect, falls back and says so,
equals the mean paired difference in a balanced design; OrderedModel recovers the sign
and size of a simulated log-odds; per-round changes reuse outcomes.outcome_changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis.crossround import (
    CrossRoundError,
    ordinal_item_model,
    outcomes_by_round,
    person_scores,
    pooled_change_model,
)
from exchange_eval.analysis.outcomes import outcome_changes

COUNTRIES = ["SEN", "BFA", "CIV", "TCD", "MLI", "NER"]


def simulate(n_rounds=8, n_countries=4, n_people=2, effect=0.8, seed=0,
             outcomes=("new_knowledge",), items=3, with_country=True) -> pd.DataFrame:
    """Scores = 3 + round + country-in-round + person + effect * post + noise, per item."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_rounds):
        u_round = rng.normal(0, 0.5)
        for c in range(n_countries):
            u_country = rng.normal(0, 0.3)
            country = COUNTRIES[(c + r) % len(COUNTRIES)]
            for p in range(n_people):
                u_person = rng.normal(0, 0.5)
                for wave, post in (("pre", 0), ("post", 1)):
                    for o, outcome in enumerate(outcomes):
                        for i in range(items):
                            value = 3 + u_round + u_country + u_person + effect * (o + 1) * post
                            rows.append((f"r{r}", f"p{c}{p}", country, "outcomes", wave,
                                         f"{outcome}_{i}", outcome, value + rng.normal(0, 0.7)))
    df = pd.DataFrame(rows, columns=["round_id", "pid", "country", "instrument", "wave",
                                     "item_id", "outcome", "value"])
    return df if with_country else df.drop(columns="country")


def _mean_paired_difference(responses: pd.DataFrame) -> float:
    s = person_scores(responses)
    wide = s.pivot_table(index=["person", "outcome"], columns="wave", values="score")
    return float((wide["post"] - wide["pre"]).mean())


def test_mixedlm_recovers_known_effect_within_ci():
    data = simulate(n_rounds=10, seed=3, outcomes=("new_knowledge", "enhanced_skill"))
    out = pooled_change_model(data).set_index("outcome")
    for outcome, truth in [("new_knowledge", 0.8), ("enhanced_skill", 1.6)]:
        row = out.loc[outcome]
        assert row["model"] == "mixedlm_round_country_person"
        assert row["ci_low"] < truth < row["ci_high"]
        assert row["p_value"] < 1e-6
        assert (row["n_people"], row["n_rounds"], row["n_obs"]) == (80, 10, 160)
        assert row["ci_high"] - row["estimate"] == pytest.approx(1.959964 * row["se"], rel=1e-5)


def test_balanced_design_fixed_effect_equals_mean_difference():
    data = simulate(n_rounds=6, seed=5)
    out = pooled_change_model(data).iloc[0]
    assert out["model"].startswith("mixedlm")
    assert out["estimate"] == pytest.approx(_mean_paired_difference(data), abs=1e-6)
    # the same without the person effect and with the OLS fallback
    no_person = pooled_change_model(data, person_effect=False).iloc[0]
    assert no_person["model"] == "mixedlm_round_country"
    assert no_person["estimate"] == pytest.approx(_mean_paired_difference(data), abs=1e-6)


def test_one_round_falls_back_to_ols_and_says_so():
    data = simulate(n_rounds=1, n_countries=4, n_people=3, seed=2)
    out = pooled_change_model(data).iloc[0]
    assert out["model"] == "ols_cluster_person"
    assert "1 round(s)" in out["note"]
    assert out["n_rounds"] == 1 and out["n_people"] == 12
    assert out["estimate"] == pytest.approx(_mean_paired_difference(data))
    # cluster-robust by person with t(G-1): CI half-width = t * se
    from scipy import stats
    half = stats.t.ppf(0.975, 11) * out["se"]
    assert out["ci_high"] - out["estimate"] == pytest.approx(half)


def test_without_country_uses_round_and_person_only():
    data = simulate(n_rounds=5, seed=8, with_country=False)
    out = pooled_change_model(data).iloc[0]
    assert out["model"] == "mixedlm_round_person"
    assert "country" in out["note"]


def test_country_from_participants_and_unbalanced_waves():
    data = simulate(n_rounds=4, seed=9, with_country=False)
    people = simulate(n_rounds=4, seed=9)[["round_id", "pid", "country"]].drop_duplicates()
    dropped = data.drop(data.index[(data["pid"] == "p00") & (data["wave"] == "post")])
    out = pooled_change_model(dropped, people).iloc[0]
    assert out["model"] == "mixedlm_round_country_person"
    assert out["n_people"] == 32 and out["n_obs"] == 60
    assert 0.3 < out["estimate"] < 1.3


def test_errors_are_named():
    with pytest.raises(CrossRoundError, match="value"):
        pooled_change_model(pd.DataFrame({"pid": ["a"], "wave": ["pre"], "item_id": ["x"]}))


def _ordinal(n=400, beta=1.0, seed=0, rounds=1, round_shift=0.5):
    rng = np.random.default_rng(seed)
    cuts = np.array([-1.5, 0.0, 1.5, 3.0])
    rows = []
    for i in range(n):
        round_id = f"r{i % rounds}"
        shift = round_shift * (i % rounds)
        for wave, post in (("pre", 0), ("post", 1)):
            latent = beta * post + shift + rng.logistic()
            rows.append((round_id, f"p{i}", wave, "ok_functions", float(1 + np.sum(latent > cuts))))
    return pd.DataFrame(rows, columns=["round_id", "pid", "wave", "item_id", "value"])


def test_ordered_logit_recovers_log_odds():
    res = ordinal_item_model(_ordinal(beta=1.0), "ok_functions")
    assert res["model"] == "ordered_logit"
    assert res["ci_low"] < 1.0 < res["ci_high"]
    assert 0.7 < res["estimate"] < 1.3
    assert res["odds_ratio"] == pytest.approx(np.exp(res["estimate"]))
    assert (res["n_obs"], res["n_people"], res["n_levels"]) == (800, 400, 5)
    negative = ordinal_item_model(_ordinal(beta=-2.0, seed=1), "ok_functions")
    assert -2.6 < negative["estimate"] < -1.4 and negative["p_value"] < 1e-6


def test_ordered_logit_with_round_dummies():
    res = ordinal_item_model(_ordinal(beta=0.7, seed=2, rounds=3, round_shift=1.0), "ok_functions")
    assert res["model"] == "ordered_logit_rounds" and res["n_rounds"] == 3
    assert res["ci_low"] < 0.7 < res["ci_high"]
    with pytest.raises(CrossRoundError, match="both"):
        ordinal_item_model(_ordinal(), "not_an_item")


def test_outcomes_by_round_matches_outcome_changes():
    data = simulate(n_rounds=2, n_countries=3, n_people=2, seed=4)
    out = outcomes_by_round(data, n_boot=200, seed=1)
    assert out["round_id"].tolist() == ["r0", "r1"]
    r1 = outcome_changes(data[data["round_id"] == "r1"], n_boot=200, seed=1).iloc[0]
    row = out.set_index("round_id").loc["r1"]
    assert row["n"] == 6
    assert row["median_change"] == pytest.approx(r1["median_change"])
    assert row["p_value"] == pytest.approx(r1["p_value"])
    assert row["ci_low"] == pytest.approx(r1["ci_low"])


def test_non_convergence_falls_back_in_order(monkeypatch):
    import exchange_eval.analysis.crossround as cr

    tried = []

    def failing(data, vc):
        tried.append(sorted(vc))
        return None, "did not converge"

    monkeypatch.setattr(cr, "fit_mixed", failing)
    data = simulate(n_rounds=5, seed=1)
    out = cr.pooled_change_model(data).iloc[0]
    assert tried == [["country", "person"], ["person"]]
    assert out["model"] == "ols_cluster_person"
    assert out["note"] == ("mixedlm_round_country_person: did not converge; "
                           "mixedlm_round_person: did not converge")
    assert out["estimate"] == pytest.approx(_mean_paired_difference(data))
