"""JSR ladder, criteria, RF18 shares and the DiD with randomization inference.

The fixed-effects DiD is checked against the hand 2x2 DiD and against a hand two-way
within transformation; the randomization-inference p-value against exact enumeration
(Fisher's exact test: 1 / C(10, 4) = 1/210 when only the true assignment is as extreme).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from exchange_eval.analysis.did import (
    fixed_effects_residualizer,
    fwl_estimates,
    wild_cluster_bootstrap,
)
from exchange_eval.analysis.jsr import (
    JSRDataError,
    criteria_met,
    exchange_year,
    jsr_results,
    ladder_change,
    ladder_did,
    quality_flags,
    quality_from_ladder,
    rf18_did,
    rf18_shares,
)
from exchange_eval.core.config import Config


def dimensions() -> dict:
    """The package's dimensions.yaml (a fresh copy: some tests change it)."""
    return Config().dimensions

DIMS = ["inclusive", "aligned", "evidence", "monitoring", "policy_cycle"]


def _assessment() -> pd.DataFrame:
    rows = []
    for country, group, before, after in [
        ("SEN", "participant", [2, 1, 3, 2, 1], [3, 2, 3, 3, 2]),
        ("MLI", "comparison", [2, 2, 2, 2, 2], [2, 2, 3, 2, 2]),
    ]:
        for wave, year, levels in [("before", 2024, before), ("after", 2025, after)]:
            for dim, level in zip(DIMS, levels, strict=True):
                rows.append((country, year, wave, dim, None, float(level), group))
    rows.append(("SEN", 2024, "before", "aligned", "esp_based", 4.0, "participant"))
    rows.append(("SEN", 2024, "before", "aligned", "annual_plan_reviewed", 1.0, "participant"))
    rows.append(("SEN", 2024, "before", "aligned", "not_configured", 4.0, "participant"))
    rows.append(("SEN", 2024, "before", "evidence", "data_quality", 3.0, "participant"))
    return pd.DataFrame(rows, columns=["country", "year", "wave", "dimension", "criterion", "rating", "group"])


def test_ladder_change_before_after():
    out = ladder_change(_assessment()).set_index(["country", "dimension"])
    assert out.loc[("SEN", "inclusive"), ["before", "after", "change"]].tolist() == [2.0, 3.0, 1.0]
    assert out.loc[("MLI", "evidence"), "change"] == 1.0
    assert out.loc[("SEN", "evidence"), "change"] == 0.0
    assert out.loc[("SEN", "aligned"), "group"] == "participant"
    assert len(out) == 10  # criterion rows are not ladder levels


def test_ladder_change_falls_back_to_years():
    ja = _assessment().assign(wave=None)
    out = ladder_change(ja).set_index(["country", "dimension"])
    assert out.loc[("SEN", "policy_cycle"), "change"] == 1.0


def test_criteria_met_counts_configured_criteria():
    out = criteria_met(_assessment(), dimensions()).set_index(["country", "dimension"])
    aligned = out.loc[("SEN", "aligned")]
    assert (aligned["n_criteria"], aligned["n_assessed"], aligned["n_met"]) == (2, 2, 1)
    assert aligned["share_met"] == 0.5
    evidence = out.loc[("SEN", "evidence")]
    assert (evidence["n_criteria"], evidence["n_assessed"], evidence["n_met"]) == (2, 1, 1)
    # yes/no criteria
    yes_no = criteria_met(_assessment(), dimensions(), met_level=1)
    assert yes_no.set_index("dimension").loc["aligned", "n_met"] == 2


def test_quality_flags_rule_from_config():
    q = pd.DataFrame({"country": ["A", "B", "C"], "year": [2024] * 3,
                      "inclusive": [True, True, None], "aligned": [True, False, True],
                      "evidence": [True, False, True], "monitoring": [False, False, None],
                      "policy_cycle": [False, True, False]})
    out = quality_flags(q, dimensions())
    assert out["n_met"].tolist() == [3, 2, 2]
    assert out["meets"].tolist() == [True, False, False]
    assert out["n_assessed"].tolist() == [5, 5, 3]
    stricter = dimensions()
    stricter["rf18"]["min_dimensions_met"] = 2
    assert quality_flags(q, stricter)["meets"].tolist() == [True, True, True]
    with pytest.raises(JSRDataError):
        quality_flags(q[["country", "year"]], dimensions())


def test_quality_from_ladder():
    out = quality_from_ladder(_assessment(), dimensions()).set_index(["country", "year"])
    # SEN 2025 levels 3,2,3,3,2 -> 3 dimensions at >= 3
    assert out.loc[("SEN", 2025), "n_met"] == 3
    assert bool(out.loc[("SEN", 2025), "meets"]) is True
    assert bool(out.loc[("SEN", 2024), "meets"]) is False
    assert out.loc[("SEN", 2025), "group"] == "participant"


def test_rf18_shares():
    q = pd.DataFrame({"country": ["A", "B", "C", "A", "B", "C"],
                      "year": [2024, 2024, 2024, 2025, 2025, 2025],
                      "group": ["participant", "participant", "comparison"] * 2,
                      "meets": [False, True, False, True, True, False]})
    out = rf18_shares(q).set_index(["year", "group"])
    assert out.loc[(2024, "participant"), ["n_countries", "n_meeting", "share"]].tolist() == [2, 1, 0.5]
    assert out.loc[(2025, "participant"), "share"] == 1.0
    assert out.loc[(2025, "comparison"), "share"] == 0.0


def _panel(effects: dict[str, float], years=(2021, 2022, 2023, 2024), treatment_year=2023, seed=1):
    """Continuous outcome panel: country + year effects + effect after treatment."""
    rng = np.random.default_rng(seed)
    rows = []
    countries = list(effects)
    alpha = dict(zip(countries, rng.normal(0, 1, len(countries)), strict=True))
    lam = dict(zip(years, rng.normal(0, 1, len(years)), strict=True))
    for c, eff in effects.items():
        for y in years:
            value = alpha[c] + lam[y] + (eff if y >= treatment_year else 0.0) + rng.normal(0, 0.05)
            rows.append((c, y, value))
    return pd.DataFrame(rows, columns=["country", "year", "meets"])


def test_did_equals_hand_2x2_in_two_periods():
    # participant cells: pre a0, post a1; comparison cells: pre c0, post c1
    q = pd.DataFrame({
        "country": ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"],
        "year": [2023, 2024] * 5,
        "group": ["participant"] * 4 + ["comparison"] * 6,
        "meets": [0, 1, 0, 1, 0, 0, 1, 1, 0, 1],
    })
    r = rf18_did(q, treatment_year=2024)
    hand = (1.0 - 0.0) - (2 / 3 - 1 / 3)
    assert r["estimate"] == pytest.approx(hand)
    assert r["did_2x2"] == pytest.approx(hand)
    assert (r["n_countries"], r["n_treated"], r["n_years"]) == (5, 2, 2)
    # C(5, 2) = 10 assignments, enumerated
    assert r["n_permutations"] == 10 and bool(r["ri_exact"])
    assert r["mean_comparison_post"] == pytest.approx(2 / 3)


def test_did_equals_hand_within_transformation():
    panel = _panel({c: (0.7 if c in "ABC" else 0.0) for c in "ABCDEFG"})
    panel["group"] = np.where(panel["country"].isin(list("ABC")), "participant", "comparison")
    r = rf18_did(panel, treatment_year=2023)
    d = (panel["country"].isin(list("ABC")) & (panel["year"] >= 2023)).astype(float)
    # balanced panel: two-way demeaning x~ = x - x_i. - x_.t + x..
    xt = (d - d.groupby(panel["country"]).transform("mean")
          - d.groupby(panel["year"]).transform("mean") + d.mean())
    hand = float((xt * panel["meets"]).sum() / (xt**2).sum())
    assert r["estimate"] == pytest.approx(hand, abs=1e-10)
    assert r["estimate"] == pytest.approx(0.7, abs=0.1)
    # cluster-robust SE by country, as fitted by statsmodels directly
    df = panel.assign(tp=d.values)
    fit = smf.ols("meets ~ tp + C(country) + C(year)", data=df).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df["country"])[0]}, use_t=True)
    assert r["se"] == pytest.approx(fit.bse["tp"])
    assert r["p_value_ols"] == pytest.approx(fit.pvalues["tp"])


def test_ri_exact_enumeration_with_large_true_effect():
    treated = list("ABCD")
    panel = _panel({c: (5.0 if c in treated else 0.0) for c in "ABCDEFGHIJ"}, seed=3)
    panel["group"] = np.where(panel["country"].isin(treated), "participant", "comparison")
    r = rf18_did(panel, treatment_year=2023, n_perm=2000)
    assert r["n_permutations"] == math.comb(10, 4) == 210
    assert bool(r["ri_exact"])
    assert r["p_value_ri"] == pytest.approx(1 / 210)
    assert r["estimate"] == pytest.approx(5.0, abs=0.1)


def test_ri_monte_carlo_when_too_many_subsets():
    treated = list("ABCD")
    panel = _panel({c: (5.0 if c in treated else 0.0) for c in "ABCDEFGHIJ"}, seed=3)
    panel["group"] = np.where(panel["country"].isin(treated), "participant", "comparison")
    r = rf18_did(panel, treatment_year=2023, n_perm=100, seed=7)
    assert not bool(r["ri_exact"]) and r["n_permutations"] == 100
    # at most the true assignment (and its redraws) is as extreme: (1 + k) / 101
    assert r["p_value_ri"] <= 5 / 101
    again = rf18_did(panel, treatment_year=2023, n_perm=100, seed=7)
    assert again["p_value_ri"] == r["p_value_ri"]


def test_ri_null_panel_gives_large_p():
    # common shock for every country: the DiD is exactly 0 and every assignment is as extreme
    panel = _panel({c: 1.0 for c in "ABCDEFGHIJ"}, seed=11)
    panel["meets"] = panel["country"].isin(list("AEI")).astype(float) + (panel["year"] >= 2023)
    panel["group"] = np.where(panel["country"].isin(list("ABCD")), "participant", "comparison")
    r = rf18_did(panel, treatment_year=2023)
    assert r["estimate"] == pytest.approx(0.0, abs=1e-12)
    assert r["p_value_ri"] == 1.0
    # pure noise: no effect, large p
    noisy = _panel({c: 0.0 for c in "ABCDEFGHIJ"}, seed=11)
    noisy["meets"] = np.random.default_rng(2).integers(0, 2, len(noisy))
    noisy["group"] = panel["group"]
    r = rf18_did(noisy, treatment_year=2023)
    assert r["p_value_ri"] == pytest.approx(142 / 210)


def test_ri_has_its_nominal_size_under_the_null():
    pvalues = []
    for seed in range(40):
        noisy = _panel({c: 0.0 for c in "ABCDEFGHIJ"}, seed=11)
        noisy["meets"] = np.random.default_rng(seed).integers(0, 2, len(noisy))
        noisy["group"] = np.where(noisy["country"].isin(list("ABCD")), "participant", "comparison")
        pvalues.append(rf18_did(noisy, treatment_year=2023)["p_value_ri"])
    assert np.mean(np.array(pvalues) <= 0.1) <= 0.15
    assert 0.35 < np.mean(pvalues) < 0.65


def test_rf18_did_recomputes_meets_from_flags():
    rows = []
    for c, g, n_pre, n_post in [("A", "participant", 2, 4), ("B", "participant", 1, 3),
                                ("C", "comparison", 2, 2), ("D", "comparison", 4, 4)]:
        for y, n in [(2023, n_pre), (2024, n_post)]:
            rows.append({"country": c, "year": y, "group": g,
                         **{d: i < n for i, d in enumerate(DIMS)}})
    r = rf18_did(pd.DataFrame(rows), treatment_year=2024, dimensions_config=dimensions())
    assert r["estimate"] == pytest.approx(1.0)
    assert r["p_value_ri"] == pytest.approx(2 / 6)
    with pytest.raises(JSRDataError, match="dimensions_config"):  # the rule is configuration
        rf18_did(pd.DataFrame(rows), treatment_year=2024)


def test_did_errors_are_named():
    q = pd.DataFrame({"country": ["A", "A", "B", "B"], "year": [2023, 2024] * 2,
                      "group": ["participant"] * 4, "meets": [0, 1, 0, 1]})
    with pytest.raises(JSRDataError, match="comparison"):
        rf18_did(q, treatment_year=2024)
    q["group"] = ["participant", "participant", "comparison", "comparison"]
    with pytest.raises(JSRDataError, match="before and after"):
        rf18_did(q, treatment_year=2030)
    q.loc[1, "group"] = "comparison"
    with pytest.raises(JSRDataError, match="more than one group"):
        rf18_did(q, treatment_year=2024)


def test_ladder_did_by_wave_and_by_year():
    ja = _assessment()
    by_wave = ladder_did(ja)
    # SEN mean level 1.8 -> 2.6 (+0.8); MLI 2.0 -> 2.2 (+0.2)
    assert by_wave["estimate"] == pytest.approx(0.6)
    assert by_wave["did_2x2"] == pytest.approx(0.6)
    by_year = ladder_did(ja, treatment_year=2025)
    assert by_year["estimate"] == pytest.approx(0.6)
    assert by_year["n_permutations"] == 2


def test_permutation_core_matches_statsmodels_on_unbalanced_panel():
    panel = _panel({c: (1.0 if c in "ABC" else 0.0) for c in "ABCDEFG"}, seed=4)
    panel = panel.drop(index=[0, 9, 17]).reset_index(drop=True)  # unbalanced
    panel["group"] = np.where(panel["country"].isin(list("ABC")), "participant", "comparison")
    r = rf18_did(panel, treatment_year=2023)
    d = (panel["country"].isin(list("ABC")) & (panel["year"] >= 2023)).astype(float)
    fit = smf.ols("meets ~ d + C(country) + C(year)", data=panel.assign(d=d)).fit()
    assert r["estimate"] == pytest.approx(fit.params["d"], abs=1e-10)
    m = fixed_effects_residualizer(panel["country"].to_numpy(), panel["year"].astype(str).to_numpy())
    fwl = fwl_estimates(m, panel["meets"].to_numpy(float), d.to_numpy()[:, None])
    assert fwl[0] == pytest.approx(fit.params["d"], abs=1e-10)
    assert r["n_obs"] == 25 and r["n_permutations"] == math.comb(7, 3)


def test_jsr_results_of_a_round():
    q = pd.DataFrame({
        "country": ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"],
        "year": [2023, 2024] * 5,
        "group": ["participant"] * 4 + ["comparison"] * 6,
        "meets": [0, 1, 0, 1, 0, 0, 1, 1, 0, 1],
    })
    year = exchange_year({"sessions": [{"date": "2023-05-01"}]})
    res = jsr_results(_assessment(), q, year=year, effect_lag_years=1, dimensions_config=dimensions())
    assert set(res) == {"ladder", "ladder_did", "rf18", "exchange_year", "did"}
    assert res["exchange_year"] == 2023
    # JSRs from 2023 + 1 count as "after": the same DiD as with treatment_year=2024
    assert res["did"]["estimate"] == pytest.approx(rf18_did(q, treatment_year=2024)["estimate"])
    assert "did" not in jsr_results(None, q, year=None, effect_lag_years=1, dimensions_config=dimensions())
    assert jsr_results(None, None, year=2023, effect_lag_years=1, dimensions_config=dimensions()) == {}
    assert exchange_year({"year": 2021, "sessions": [{"date": "2025-01-01"}]}) == 2021
    assert exchange_year({}) is None


def test_wild_cluster_bootstrap_t_is_the_cluster_robust_t_and_its_p_is_a_share():
    # the bootstrap's t of the observed data is statsmodels' CR1 cluster-robust t
    # (cov_type="cluster"); the p-value is the share of bootstrap |t*| at least as large
    panel = _panel({c: (1.0 if c in "ABC" else 0.0) for c in "ABCDEFG"}, seed=7)
    d = (panel["country"].isin(list("ABC")) & (panel["year"] >= 2023)).astype(float)
    fit = smf.ols("meets ~ d + C(country) + C(year)", data=panel.assign(d=d)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["country"])[0]})
    m = fixed_effects_residualizer(panel["country"].to_numpy(), panel["year"].astype(str).to_numpy())
    res = wild_cluster_bootstrap(m, panel["meets"].to_numpy(float), d.to_numpy(), panel["country"].to_numpy(),
                                 n_params=int(fit.df_model) + 1, draws=999, seed=1)
    assert res["t"] == pytest.approx(fit.tvalues["d"], rel=1e-9)
    assert 0 <= res["p_value"] <= 1 and res["draws"] == 999 and not res["exact"]
    # with few clusters every one of the 6^G Webb weight vectors is used
    small = wild_cluster_bootstrap(m, panel["meets"].to_numpy(float), d.to_numpy(), panel["country"].to_numpy(),
                                   n_params=int(fit.df_model) + 1, draws=10**6)
    assert small["exact"] and small["draws"] <= 6**7
    r = rf18_did(panel.assign(group=np.where(panel["country"].isin(list("ABC")), "participant", "comparison")),
                 treatment_year=2023)
    assert r["assignment"] == "not_randomized" and 0 <= r["p_value_wcb"] <= 1
