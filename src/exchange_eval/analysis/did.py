"""Difference-in-differences over a country panel, with randomization inference.

The generic core of the RF18 and maturity-ladder DiDs (`jsr.rf18_did`, `jsr.ladder_did`):
a two-way fixed-effects regression (country and period effects, cluster-robust standard
errors by country), a randomization-inference p-value that re-assigns which countries
took part (the headline: exact over every assignment when they are few), and, as a check
that does not lean on the assignment being random, a wild cluster bootstrap p-value
(restricted, Webb's six-point weights). Both are computed by Frisch–Waugh–Lovell so
that every draw costs one product.

Participant countries were not drawn at random: they applied or were invited. The
randomization p-value answers "how unusual is this difference among all the ways the
same number of countries could have been the participants?", which is evidence about
the data, not proof that the exchange caused the change.
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

__all__ = [
    "PanelDataError",
    "WEBB_WEIGHTS",
    "fixed_effects_residualizer",
    "fwl_estimates",
    "wild_cluster_bootstrap",
    "panel_did",
]

#: Webb's (2014) six-point weight distribution, each value with probability 1/6.
WEBB_WEIGHTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


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


def wild_cluster_bootstrap(
    m: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    clusters: np.ndarray,
    *,
    n_params: int,
    draws: int = 9999,
    seed: int = 0,
) -> dict[str, float]:
    """Restricted wild cluster bootstrap-t p-value of the coefficient of ``x`` (WCR).

    Parameters
    ----------
    m : numpy.ndarray
        Annihilator of the fixed effects (`fixed_effects_residualizer`).
    y, x : numpy.ndarray
        Outcome and regressor of interest (one value per observation).
    clusters : numpy.ndarray
        Cluster (country) of each observation.
    n_params : int
        Number of parameters of the full model (fixed effects + 1), for CR1.
    draws : int
        Bootstrap draws; when the 6^G weight vectors are fewer, every one is used.
    seed : int
        Seed of the draws.

    Returns
    -------
    dict
        ``t`` (CR1 cluster-robust t of the estimate, as statsmodels' ``cov_type="cluster"``),
        ``p_value`` (share of |t*| ≥ |t|), ``draws`` and ``exact`` (all 6^G vectors).

    Notes
    -----
    The null β = 0 is imposed: the restricted residuals û are those of the fixed-effects
    model, and each draw multiplies every cluster's residuals by one weight from Webb's
    six-point distution (±√1.5, ±1, ±√0.5), recomputing β* and its CR1 standard error
    by Frisch–Waugh–Lovell. With few clusters the two-point Rademacher weights allow only
    2^G distinct draws; six points allow 6^G. R: ``fwildclusterboot::boottest(fit, param
    = "treated_post", clustid = "country", type = "webb", impose_null = TRUE)``.

    References
    ----------
    .. [1] Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based
       improvements for inference with clustered errors. REStat, 90, 414–427.
    .. [2] Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered
       errors. Canadian Journal of Economics, 56, 839–858 (working paper 2014).
    .. [3] MacKinnon, J. G., Nielsen, M. Ø. & Webb, M. D. (2023). Cluster-robust
       inference: a guide to empirical practice. Journal of Econometrics, 232, 272–299.
    """
    codes, cluster_idx = np.unique(np.asarray(clusters), return_inverse=True)
    n_clusters, n_obs = codes.size, y.size
    xt = m @ x
    xx = float(xt @ xt)
    nan = {"t": float("nan"), "p_value": float("nan"), "draws": 0, "exact": False}
    if n_clusters < 2 or xx <= 1e-12 or n_obs <= n_params:
        return nan
    correction = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)
    restricted = m @ y  # residuals of the model without x: the null imposed

    def t_stats(weights: np.ndarray) -> np.ndarray:
        ystar = (restricted[None, :] * weights[:, cluster_idx]) @ m  # M is symmetric
        beta = ystar @ xt / xx
        resid = ystar - beta[:, None] * xt[None, :]
        scores = np.zeros((weights.shape[0], n_clusters))
        np.add.at(scores.T, cluster_idx, (resid * xt[None, :]).T)
        se = np.sqrt(correction * (scores**2).sum(axis=1)) / xx
        with np.errstate(divide="ignore", invalid="ignore"):
            return beta / se

    t_obs = float(t_stats(np.ones((1, n_clusters)))[0])
    if not np.isfinite(t_obs):
        return nan
    exact = WEBB_WEIGHTS.size**n_clusters <= draws
    if exact:
        grid = np.array(list(itertools.product(range(WEBB_WEIGHTS.size), repeat=n_clusters)))
        weights = WEBB_WEIGHTS[grid]
    else:
        weights = WEBB_WEIGHTS[np.random.default_rng(seed).integers(0, WEBB_WEIGHTS.size, (draws, n_clusters))]
    t_star = np.concatenate([t_stats(chunk) for chunk in np.array_split(weights, max(1, len(weights) // 2000))])
    t_star = t_star[np.isfinite(t_star)]
    p = float(np.mean(np.abs(t_star) >= abs(t_obs) - 1e-12)) if t_star.size else float("nan")
    return {"t": t_obs, "p_value": p, "draws": int(t_star.size), "exact": bool(exact)}


def panel_did(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treated: Sequence[str],
    post: pd.Series,
    period: str = "year",
    n_perm: int = 2000,
    seed: int = 0,
    wcb_draws: int = 9999,
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
        ``n_perm``; seed of that draw (and of the bootstrap's).
    wcb_draws : int
        Draws of the wild cluster bootstrap check (`wild_cluster_bootstrap`).

    Returns
    -------
    pandas.Series
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value_ols``, ``p_value_ri``,
        ``n_countries``, ``n_treated``, ``n_years``, ``n_obs``, ``n_permutations``,
        ``ri_exact``, ``p_value_wcb``, ``wcb_draws``, ``wcb_exact``, ``did_2x2``, the
        four cell means, ``cov_type`` (see `jsr.rf18_did`) and ``assignment``
        (``"not_randomized"``: participant countries were chosen, not drawn, which the
        report says next to the randomization p-value).

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

    wcb = (wild_cluster_bootstrap(m, y, df["treated_post"].to_numpy(float), df["country"].to_numpy(),
                                  n_params=int(np.linalg.matrix_rank(np.eye(len(y)) - m)) + 1,
                                  draws=wcb_draws, seed=seed)
           if cov_type == "cluster_country" else {"p_value": float("nan"), "draws": 0, "exact": False})

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
            "p_value_wcb": wcb["p_value"],
            "wcb_draws": wcb["draws"],
            "wcb_exact": wcb["exact"],
            "did_2x2": did_2x2,
            "mean_treated_pre": cell(True, False),
            "mean_treated_post": cell(True, True),
            "mean_comparison_pre": cell(False, False),
            "mean_comparison_post": cell(False, True),
            "cov_type": cov_type,
            "assignment": "not_randomized",
        },
        name=outcome,
    )
