"""Difference-in-differences over a country panel, with randomization inference.

The generic core of the RF18 and maturity-ladder DiDs (`jsr.rf18_did`, `jsr.ladder_did`):
a two-way fixed-effects regression (country and period effects, cluster-robust standard
errors by country) and a randomization-inference p-value that re-assigns which countries
took part, computed by Frisch–Waugh–Lovell so that every assignment costs one product.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from . import AnalysisError

__all__ = ["PanelDataError", "fixed_effects_residualizer", "fwl_estimates", "panel_did"]


class PanelDataError(AnalysisError):
    """The panel cannot identify a difference-in-differences (groups or periods missing)."""


def fixed_effects_residualizer(countries: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Annihilator matrix M = I - D (D'D)^+ D' of the country and period dummies."""
    d = np.column_stack(
        [pd.get_dummies(countries).to_numpy(float), pd.get_dummies(periods).to_numpy(float)]
    )
    return np.eye(len(d)) - d @ np.linalg.pinv(d)


def fwl_estimates(m: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Two-way fixed-effects coefficient for each column of ``x`` (Frisch–Waugh–Lovell)."""
    mx = m @ x
    denom = np.einsum("ij,ij->j", mx, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 1e-12, mx.T @ y / denom, np.nan)


def panel_did(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treated: Sequence[str],
    post: pd.Series,
    period: str = "year",
    n_perm: int = 2000,
    seed: int = 0,
) -> pd.Series:
    """Two-way fixed-effects DiD with a randomization-inference p-value (generic core).

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per country × period with ``country``, ``period`` and ``outcome`` columns.
    outcome : str
        Column with the (numeric or boolean) outcome.
    treated : sequence of str
        Countries that took part.
    post : pandas.Series of bool
        Aligned with ``panel``: the period is after the exchange.
    period : str
        Column naming the period (year or wave), used for the period fixed effects.
    n_perm, seed
        Number of random re-assignments when the exact enumeration is larger than
        ``n_perm``; seed of that draw.

    Returns
    -------
    pandas.Series
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value_ols``, ``p_value_ri``,
        ``n_countries``, ``n_treated``, ``n_years``, ``n_obs``, ``n_permutations``,
        ``ri_exact``, ``did_2x2``, the four cell means and ``cov_type`` (see
        `jsr.rf18_did`).

    Raises
    ------
    PanelDataError
        Without participant and comparison countries, or without periods before and
        after the exchange.
    """
    df = panel.loc[panel[outcome].notna()].copy()
    df["y"] = df[outcome].astype(float)
    df["post"] = np.asarray(post.loc[df.index], dtype=bool)
    treated_set = {str(c) for c in treated}
    df["country"] = df["country"].astype(str)
    df["treated"] = df["country"].isin(treated_set)
    df["treated_post"] = (df["treated"] & df["post"]).astype(float)
    countries = sorted(df["country"].unique())
    n_countries = len(countries)
    n_treated = int(sum(c in treated_set for c in countries))
    if n_treated == 0 or n_treated == n_countries:
        raise PanelDataError("the DiD needs participant and comparison countries with data")
    if not df["post"].any() or df["post"].all():
        raise PanelDataError("the DiD needs observations both before and after the exchange")
    if df["treated_post"].sum() == 0 or (df["treated"] & ~df["post"]).sum() == 0:
        raise PanelDataError("participant countries need data before and after the exchange")

    df["period_"] = df[period].astype(str)
    model = smf.ols("y ~ treated_post + C(country) + C(period_)", data=df)
    if model.df_resid > 0:
        with warnings.catch_warnings():
            # the cluster covariance has rank <= G, so some fixed-effect variances are
            # negative; only the treated_post entry is used
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = model.fit(
                cov_type="cluster", cov_kwds={"groups": pd.factorize(df["country"])[0]}, use_t=True
            )
            se = float(fit.bse["treated_post"])
            p_ols = float(fit.pvalues["treated_post"])
            ci_low, ci_high = (float(v) for v in fit.conf_int().loc["treated_post"])
        cov_type = "cluster_country"
    else:  # saturated (e.g. 2 countries x 2 periods): no residual, no standard error
        fit = model.fit()
        cov_type = "none_saturated"
        se = p_ols = ci_low = ci_high = float("nan")
    estimate = float(fit.params["treated_post"])

    # randomization inference: re-assign which countries are participants
    m = fixed_effects_residualizer(df["country"].to_numpy(), df["period_"].to_numpy())
    y = df["y"].to_numpy()
    post_arr = df["post"].to_numpy()
    index_of = {c: i for i, c in enumerate(countries)}
    country_idx = df["country"].map(index_of).to_numpy()
    n_subsets = math.comb(n_countries, n_treated)
    exact = n_subsets <= n_perm
    if exact:
        subsets = np.array(list(itertools.combinations(range(n_countries), n_treated)))
    else:
        rng = np.random.default_rng(seed)
        subsets = np.array(
            [rng.choice(n_countries, n_treated, replace=False) for _ in range(n_perm)]
        )
    assign = np.zeros((len(subsets), n_countries), dtype=bool)
    assign[np.arange(len(subsets))[:, None], subsets] = True
    x = (assign[:, country_idx] & post_arr[None, :]).T.astype(float)
    perm = fwl_estimates(m, y, x)
    perm = perm[np.isfinite(perm)]
    tol = 1e-10 * max(1.0, abs(estimate))
    extreme = int(np.sum(np.abs(perm) >= abs(estimate) - tol))
    p_ri = extreme / len(perm) if exact else (extreme + 1) / (len(perm) + 1)

    means = df.groupby(["treated", "post"])["y"].mean()

    def cell(t: bool, p: bool) -> float:
        return float(means.get((t, p), np.nan))

    did_2x2 = (cell(True, True) - cell(True, False)) - (cell(False, True) - cell(False, False))
    return pd.Series(
        {
            "estimate": estimate,
            "se": se,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "p_value_ols": p_ols,
            "p_value_ri": float(p_ri),
            "n_countries": n_countries,
            "n_treated": n_treated,
            "n_years": int(df["period_"].nunique()),
            "n_obs": len(df),
            "n_permutations": len(perm),
            "ri_exact": exact,
            "did_2x2": did_2x2,
            "mean_treated_pre": cell(True, False),
            "mean_treated_post": cell(True, True),
            "mean_comparison_pre": cell(False, False),
            "mean_comparison_post": cell(False, True),
            "cov_type": cov_type,
        },
        name=outcome,
    )
