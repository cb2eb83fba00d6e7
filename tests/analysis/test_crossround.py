"""Cross-round synthesis: the pooled change is a paired, within-person change (MixedLM
with a person random intercept; round fixed effects with 2-5 rounds; t reference with
n_pairs - 1 df) that equals the paired t test in a balanced design, says no_variance
instead of p = 0 when the change is constant, and falls back to the paired t test, never
to an unpaired comparison; OrderedModel recovers the sign and size of a simulated
log-odds; per-round changes reuse outcomes.outcome_changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from exchange_eval.analysis.crossround import (
    CrossRoundError,
    adjust_pooled,
    ordinal_item_model,
    outcomes_by_round,
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


def _paired_changes(responses: pd.DataFrame, outcome: str = "new_knowledge") -> np.ndarray:
    """Each person's change (mean of the items answered at both waves), computed here."""
    r = responses[responses["outcome"] == outcome]
    wide = r.pivot_table(index=["round_id", "pid", "item_id"], columns="wave", values="value").dropna()
    per_person = wide.groupby(level=["round_id", "pid"]).mean()
    return (per_person["post"] - per_person["pre"]).to_numpy()


def test_mixedlm_recovers_known_effect_within_ci():
    data = simulate(n_rounds=10, seed=3, outcomes=("new_knowledge", "enhanced_skill"))
    out = pooled_change_model(data).set_index("outcome")
    for outcome, truth in [("new_knowledge", 0.8), ("enhanced_skill", 1.6)]:
        row = out.loc[outcome]
        assert row["model"] == "mixedlm_round_person"  # more than 5 rounds: round random intercept
        assert row["ci_low"] < truth < row["ci_high"]
        assert row["p_value"] < 1e-6
        assert (row["n_people"], row["n_pairs"], row["n_rounds"], row["n_obs"], row["df"]) == (80, 80, 10, 160, 79)
        # t reference with n_pairs - 1 degrees of freedom, not a Wald z
        assert row["ci_high"] - row["estimate"] == pytest.approx(stats.t.ppf(0.975, 79) * row["se"], rel=1e-9)


@pytest.mark.parametrize(("n_rounds", "model"), [(1, "mixedlm_person"), (2, "mixedlm_person_round_fe"),
                                                 (4, "mixedlm_person_round_fe"), (6, "mixedlm_round_person")])
def test_balanced_paired_design_gives_the_paired_t_numbers(n_rounds, model):
    # Everyone answers before and after, so the fixed effect of post is the mean paired
    # change whatever the random part, and (person variance > 0) its standard error is
    # the paired t test's: sd(change) / sqrt(n). Checked against the changes computed
    # here and scipy's paired t test, for the model each number of rounds gets.
    data = simulate(n_rounds=n_rounds, n_people=3, seed=5)
    out = pooled_change_model(data).iloc[0]
    change = _paired_changes(data)
    assert out["model"] == model and out["note"] is None
    assert out["estimate"] == pytest.approx(change.mean(), abs=1e-6)
    assert out["se"] == pytest.approx(change.std(ddof=1) / np.sqrt(change.size), rel=1e-3)
    ref = stats.ttest_1samp(change, 0.0)
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-2)
    assert out["df"] == change.size - 1


def test_constant_change_has_no_variance_and_no_test():
    # every person gains exactly one point: a degenerate model (SE ~ 1e-31 in a mixed
    # model) must not yield p = 0; the change is reported with note no_variance
    rows = []
    for r in range(3):
        for i in range(6):
            base = 2 + (i % 3)
            rows += [(f"r{r}", f"p{i}", "outcomes", "pre", "ok_x", "new_knowledge", base),
                     (f"r{r}", f"p{i}", "outcomes", "post", "ok_x", "new_knowledge", base + 1)]
    data = pd.DataFrame(rows, columns=["round_id", "pid", "instrument", "wave", "item_id", "outcome", "value"])
    out = pooled_change_model(data).iloc[0]
    assert out["note"] == "no_variance" and out["estimate"] == 1
    assert np.isnan(out["p_value"]) and np.isnan(out["ci_low"])


def test_standard_error_below_tolerance_is_no_variance(monkeypatch):
    import exchange_eval.analysis.crossround as cr

    class Degenerate:
        params = pd.Series({"post": 0.8})
        bse = pd.Series({"post": 1e-31})

    monkeypatch.setattr(cr, "fit_mixed", lambda long, kind: (Degenerate(), None))
    out = cr.pooled_change_model(simulate(n_rounds=3, seed=1)).iloc[0]
    assert out["note"] == "no_variance" and np.isnan(out["p_value"])


def test_too_few_pairs_gives_the_change_without_a_test():
    data = simulate(n_rounds=1, n_countries=2, n_people=2, seed=2)
    out = pooled_change_model(data).iloc[0]
    assert out["note"] == "too_few_pairs" and out["n_pairs"] == 4
    assert out["estimate"] == pytest.approx(_paired_changes(data).mean())
    assert np.isnan(out["p_value"])


def test_unmatched_answers_never_enter_the_change():
    # people answering only before (or only after) are counted in n_people, not in the
    # change: the estimate is the mean paired change, never all after minus all before
    data = simulate(n_rounds=4, seed=9)
    dropped = data.drop(data.index[(data["pid"] == "p00") & (data["wave"] == "post")])
    out = pooled_change_model(dropped).iloc[0]
    assert out["model"] == "mixedlm_person_round_fe"
    assert (out["n_people"], out["n_pairs"], out["n_obs"]) == (32, 28, 56)
    assert out["estimate"] == pytest.approx(_paired_changes(dropped).mean(), abs=1e-6)
    unpaired = (dropped.loc[dropped["wave"] == "post", "value"].mean()
                - dropped.loc[dropped["wave"] == "pre", "value"].mean())
    assert abs(out["estimate"] - unpaired) > 1e-3


def test_failed_fit_falls_back_to_the_paired_t_test(monkeypatch):
    import exchange_eval.analysis.crossround as cr

    tried = []

    def failing(long, kind):
        tried.append(kind)
        return None, "did not converge"

    monkeypatch.setattr(cr, "fit_mixed", failing)
    data = simulate(n_rounds=5, seed=1)
    out = cr.pooled_change_model(data).iloc[0]
    assert tried == ["mixedlm_person_round_fe"]
    assert out["model"] == "paired_t"
    assert out["note"] == "mixedlm_person_round_fe: did not converge"
    change = _paired_changes(data)
    ref = stats.ttest_1samp(change, 0.0)
    assert out["estimate"] == pytest.approx(change.mean())
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_many_rounds_fall_back_to_round_fixed_effects_first(monkeypatch):
    import exchange_eval.analysis.crossround as cr

    real = cr.fit_mixed

    def round_variance_fails(long, kind):
        return (None, "did not converge") if kind == "mixedlm_round_person" else real(long, kind)

    monkeypatch.setattr(cr, "fit_mixed", round_variance_fails)
    data = simulate(n_rounds=6, n_people=2, seed=3)
    out = cr.pooled_change_model(data).iloc[0]
    assert out["model"] == "mixedlm_person_round_fe"
    assert out["note"] == "mixedlm_round_person: did not converge"
    assert out["estimate"] == pytest.approx(_paired_changes(data).mean(), abs=1e-6)


def test_errors_are_named():
    with pytest.raises(CrossRoundError, match="value"):
        pooled_change_model(pd.DataFrame({"pid": ["a"], "wave": ["pre"], "item_id": ["x"]}))


def test_pooled_table_is_adjusted_with_the_primary_first():
    data = simulate(n_rounds=3, seed=4, outcomes=("new_knowledge", "enhanced_skill", "improved_consensus"))
    out = adjust_pooled(pooled_change_model(data), primary="new_knowledge").set_index("outcome")
    assert out.loc["new_knowledge", "family"] == "primary"
    assert (out.drop(index="new_knowledge")["p_adjusted"] >= out.loc["new_knowledge", "p_value"]).all()


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
    out = outcomes_by_round(data)
    assert out["round_id"].tolist() == ["r0", "r1"]
    r1 = outcome_changes(data[data["round_id"] == "r1"]).iloc[0]
    row = out.set_index("round_id").loc["r1"]
    assert row["n"] == 6
    for field in ("estimate", "p_value", "ci_low", "ci_high"):
        assert row[field] == pytest.approx(r1[field])
