"""JSR self-assessment, maturity ladder and RF18 (Kirkpatrick level 4, results).

The canonical ``jsr_assessment`` table holds, per country × year (or wave) × dimension,
the dimension's overall ladder level (rows with an empty ``criterion``) and the rating of
each self-assessment criterion. ``jsr_quality`` holds one boolean column per dimension id
and the RF18 flag ``meets`` (at least ``rf18.min_dimensions_met`` dimensions met;
``config/dimensions.yaml``). With few countries, the difference-in-differences of
participants against comparison countries gets a randomization-inference p-value.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from ..core.config import dimensions as load_dimensions
from . import AnalysisError

__all__ = [
    "JSRDataError",
    "ladder_change",
    "criteria_met",
    "quality_flags",
    "quality_from_ladder",
    "rf18_shares",
    "rf18_did",
    "ladder_did",
    "panel_did",
]

PARTICIPANT = "participant"
COMPARISON = "comparison"


class JSRDataError(AnalysisError):
    """A JSR table lacks what an analysis needs (columns, groups, years)."""


def _require(df: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise JSRDataError(f"{table} lacks the column(s) {', '.join(missing)}")


def _dimension_ids(config: dict) -> list[str]:
    return [str(d["id"]) for d in config["dimensions"]]


def _overall(jsr_assessment: pd.DataFrame) -> pd.DataFrame:
    crit = jsr_assessment["criterion"]
    empty = crit.isna() | crit.astype("string").str.strip().eq("")
    return jsr_assessment.loc[empty.fillna(True)]


def ladder_change(
    jsr_assessment: pd.DataFrame, *, baseline: str = "before", endline: str = "after"
) -> pd.DataFrame:
    """Overall ladder level per country and dimension before and after the exchange.

    Parameters
    ----------
    jsr_assessment : pandas.DataFrame
        Canonical ``jsr_assessment`` table. Only rows with an empty ``criterion`` (the
        dimension's overall ladder level) are used.
    baseline, endline : str
        Wave labels of the two assessments. When the ``wave`` column holds neither, the
        earliest and latest ``year`` of each country are used instead.

    Returns
    -------
    pandas.DataFrame
        ``country, group, dimension, before, after, change`` (change = after − before).
        Several rows of one country, dimension and wave are averaged.

    Examples
    --------
    >>> import pandas as pd
    >>> ja = pd.DataFrame({"country": ["SEN", "SEN"], "year": [2024, 2025],
    ...                    "wave": ["before", "after"], "dimension": ["evidence"] * 2,
    ...                    "criterion": [None, None], "rating": [2.0, 3.0],
    ...                    "group": ["participant"] * 2})
    >>> ladder_change(ja)[["before", "after", "change"]].iloc[0].tolist()
    [2.0, 3.0, 1.0]
    """
    _require(jsr_assessment, "jsr_assessment", ["country", "dimension", "criterion", "rating"])
    df = _overall(jsr_assessment).copy()
    if "group" not in df.columns:
        df["group"] = pd.NA
    df["group"] = df["group"].astype("object")
    columns = ["country", "group", "dimension", "before", "after", "change"]
    use_wave = "wave" in df.columns and df["wave"].isin([baseline, endline]).any()
    if use_wave:
        df = df.loc[df["wave"].isin([baseline, endline])]
        df["_when"] = np.where(df["wave"] == baseline, "before", "after")
    else:
        _require(df, "jsr_assessment", ["year"])
        df = df.loc[df["year"].notna()]
        first = df.groupby("country")["year"].transform("min")
        last = df.groupby("country")["year"].transform("max")
        df = df.loc[(df["year"] == first) | (df["year"] == last)]
        df = pd.concat(
            [
                df.loc[df["year"] == first].assign(_when="before"),
                df.loc[(df["year"] == last) & (last > first)].assign(_when="after"),
            ]
        )
    if df.empty:
        return pd.DataFrame(columns=columns)
    groups = df.groupby("country")["group"].agg(
        lambda s: s.dropna().iloc[0] if s.notna().any() else pd.NA
    )
    wide = df.pivot_table(
        index=["country", "dimension"], columns="_when", values="rating", aggfunc="mean"
    )
    wide = wide.reindex(columns=["before", "after"]).reset_index()
    wide.columns.name = None
    wide["change"] = wide["after"] - wide["before"]
    wide["group"] = wide["country"].map(groups)
    return wide[columns].sort_values(["country", "dimension"]).reset_index(drop=True)


def criteria_met(
    jsr_assessment: pd.DataFrame,
    dimensions_config: dict | None = None,
    *,
    met_level: float | None = None,
) -> pd.DataFrame:
    """Self-assessment criteria met per country, wave/year and dimension.

    Parameters
    ----------
    jsr_assessment : pandas.DataFrame
        Canonical ``jsr_assessment`` table; rows with a ``criterion`` are used.
    dimensions_config : dict, optional
        Parsed ``dimensions.yaml`` (default: the package's, via ``settings.dimensions()``).
    met_level : float, optional
        A criterion is met when its rating is at least this. Default: the config key
        ``criterion_met_level`` when present, else ``dimension_met_level`` (ratings on
        the ladder scale). Use ``1`` for yes/no (1/0) criteria.

    Returns
    -------
    pandas.DataFrame
        ``country, group, wave, year, dimension, n_criteria, n_assessed, n_met,
        share_met`` — ``n_criteria`` is the number of configured criteria of the
        dimension, ``share_met`` = n_met / n_criteria. Criteria not in the configuration
        are ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> ja = pd.DataFrame({"country": ["SEN"] * 2, "year": [2025] * 2, "wave": ["after"] * 2,
    ...                    "dimension": ["aligned"] * 2,
    ...                    "criterion": ["esp_based", "annual_plan_reviewed"],
    ...                    "rating": [4.0, 2.0], "group": ["participant"] * 2})
    >>> print(criteria_met(ja)[["n_criteria", "n_met", "share_met"]].to_string(index=False))
     n_criteria  n_met  share_met
              2      1        0.5
    """
    config = dimensions_config if dimensions_config is not None else load_dimensions()
    if met_level is None:
        met_level = float(config.get("criterion_met_level", config.get("dimension_met_level", 3)))
    _require(jsr_assessment, "jsr_assessment", ["country", "dimension", "criterion", "rating"])
    crit_of = {str(d["id"]): [str(c) for c in d.get("criteria", [])] for d in config["dimensions"]}
    df = jsr_assessment.loc[jsr_assessment["criterion"].notna()].copy()
    df = df.loc[df["criterion"].astype(str).str.strip() != ""]
    keep = [
        (str(d) in crit_of and str(c) in crit_of[str(d)])
        for d, c in zip(df["dimension"], df["criterion"], strict=True)
    ]
    df = df.loc[keep]
    for col in ("group", "wave", "year"):
        if col not in df.columns:
            df[col] = pd.NA
    keys = ["country", "group", "wave", "year", "dimension"]
    columns = [*keys, "n_criteria", "n_assessed", "n_met", "share_met"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["_met"] = df["rating"] >= met_level
    df["_assessed"] = df["rating"].notna()
    out = (
        df.groupby(keys, dropna=False)
        .agg(n_assessed=("_assessed", "sum"), n_met=("_met", "sum"))
        .reset_index()
    )
    out["n_criteria"] = out["dimension"].map(lambda d: len(crit_of[str(d)])).astype("int64")
    out["n_assessed"] = out["n_assessed"].astype("int64")
    out["n_met"] = out["n_met"].astype("int64")
    out["share_met"] = out["n_met"] / out["n_criteria"]
    return out[columns]


def quality_flags(jsr_quality: pd.DataFrame, dimensions_config: dict | None = None) -> pd.DataFrame:
    """Recompute ``n_met`` and ``meets`` (RF18) from the per-dimension flags.

    Parameters
    ----------
    jsr_quality : pandas.DataFrame
        Canonical ``jsr_quality`` table with one boolean column per dimension id.
    dimensions_config : dict, optional
        Parsed ``dimensions.yaml``; the rule is ``n_met >= rf18.min_dimensions_met``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``jsr_quality`` with ``n_assessed`` (dimension flags present),
        ``n_met`` (flags true; a missing flag counts as not met) and ``meets``.

    Raises
    ------
    JSRDataError
        When none of the configured dimension columns is present.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"country": ["SEN"], "year": [2025], "inclusive": [True],
    ...                   "aligned": [True], "evidence": [False], "monitoring": [True],
    ...                   "policy_cycle": [False]})
    >>> print(quality_flags(q)[["n_met", "meets"]].to_string(index=False))
     n_met  meets
         3   True
    """
    config = dimensions_config if dimensions_config is not None else load_dimensions()
    dims = [d for d in _dimension_ids(config) if d in jsr_quality.columns]
    if not dims:
        raise JSRDataError(
            "jsr_quality has none of the dimension columns " + ", ".join(_dimension_ids(config))
        )
    threshold = int(config["rf18"]["min_dimensions_met"])
    out = jsr_quality.copy()
    flags = out[dims].astype("boolean")
    out["n_assessed"] = flags.notna().sum(axis=1).astype("Int64")
    out["n_met"] = flags.fillna(False).sum(axis=1).astype("Int64")
    out["meets"] = (out["n_met"] >= threshold).astype("boolean")
    return out


def quality_from_ladder(
    jsr_assessment: pd.DataFrame, dimensions_config: dict | None = None
) -> pd.DataFrame:
    """Build RF18 flags from overall ladder levels (dimension met at ``dimension_met_level``).

    Returns
    -------
    pandas.DataFrame
        One row per country × year: ``country, year, group``, one boolean column per
        dimension id (missing when not assessed), ``n_assessed, n_met, meets``.

    Examples
    --------
    >>> import pandas as pd
    >>> ja = pd.DataFrame({"country": ["SEN"] * 5, "year": [2025] * 5,
    ...                    "dimension": ["inclusive", "aligned", "evidence", "monitoring",
    ...                                  "policy_cycle"], "criterion": [None] * 5,
    ...                    "rating": [3.0, 4.0, 3.0, 1.0, 2.0], "group": ["participant"] * 5})
    >>> print(quality_from_ladder(ja)[["n_met", "meets"]].to_string(index=False))
     n_met  meets
         3   True
    """
    config = dimensions_config if dimensions_config is not None else load_dimensions()
    _require(
        jsr_assessment, "jsr_assessment", ["country", "year", "dimension", "criterion", "rating"]
    )
    level = float(config.get("dimension_met_level", 3))
    df = _overall(jsr_assessment)
    df = df.assign(group=df["group"] if "group" in df.columns else pd.NA)
    wide = df.pivot_table(
        index=["country", "year"], columns="dimension", values="rating", aggfunc="mean"
    )
    dims = _dimension_ids(config)
    wide = wide.reindex(columns=dims)
    flags = pd.DataFrame(
        {d: (wide[d] >= level).astype("boolean").mask(wide[d].isna()) for d in dims},
        index=wide.index,
    ).reset_index()
    groups = df.groupby("country")["group"].agg(
        lambda s: s.dropna().iloc[0] if s.notna().any() else pd.NA
    )
    flags.insert(2, "group", flags["country"].map(groups))
    return quality_flags(flags, config)


def _with_meets(jsr_quality: pd.DataFrame, dimensions_config: dict | None) -> pd.DataFrame:
    """``meets`` as 0/1 floats: as given when complete, else from the dimension flags,
    else the rows with a ``meets`` value."""
    config = dimensions_config if dimensions_config is not None else load_dimensions()
    has_flags = any(d in jsr_quality.columns for d in _dimension_ids(config))
    if "meets" in jsr_quality.columns and (jsr_quality["meets"].notna().all() or not has_flags):
        df = jsr_quality.loc[jsr_quality["meets"].notna()]
        return df.assign(meets=pd.to_numeric(df["meets"].astype("object"), errors="coerce").astype(float))
    return quality_flags(jsr_quality, config).assign(meets=lambda d: d["meets"].astype(float))


def rf18_shares(jsr_quality: pd.DataFrame, dimensions_config: dict | None = None) -> pd.DataFrame:
    """Share of JSRs meeting the quality standard (RF18) per year and group.

    Parameters
    ----------
    jsr_quality : pandas.DataFrame
        Canonical ``jsr_quality`` table. ``meets`` is recomputed by :func:`quality_flags`
        when it is absent or incomplete.
    dimensions_config : dict, optional
        Parsed ``dimensions.yaml``.

    Returns
    -------
    pandas.DataFrame
        ``year, group, n_countries, n_meeting, share``.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"country": ["SEN", "BFA", "MLI"], "year": [2025] * 3,
    ...                   "group": ["participant", "participant", "comparison"],
    ...                   "meets": [True, False, True]})
    >>> rf18_shares(q)[["group", "n_countries", "share"]].values.tolist()
    [['comparison', 1, 1.0], ['participant', 2, 0.5]]
    """
    _require(jsr_quality, "jsr_quality", ["country", "year", "group"])
    df = _with_meets(jsr_quality, dimensions_config)
    out = (
        df.groupby(["year", "group"])
        .agg(n_countries=("country", "nunique"), n_meeting=("meets", "sum"))
        .reset_index()
    )
    out["n_meeting"] = out["n_meeting"].astype("int64")
    out["share"] = out["n_meeting"] / out["n_countries"]
    return out


# --------------------------------------------------------------------------------------
# difference-in-differences with randomization inference


def _fe_projection(countries: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Annihilator matrix M = I - D (D'D)^+ D' of the country and period dummies."""
    d = np.column_stack(
        [pd.get_dummies(countries).to_numpy(float), pd.get_dummies(periods).to_numpy(float)]
    )
    return np.eye(len(d)) - d @ np.linalg.pinv(d)


def _fwl_estimates(m: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
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
        See :func:`rf18_did`.
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
        raise JSRDataError("the DiD needs participant and comparison countries with data")
    if not df["post"].any() or df["post"].all():
        raise JSRDataError("the DiD needs observations both before and after the exchange")
    if df["treated_post"].sum() == 0 or (df["treated"] & ~df["post"]).sum() == 0:
        raise JSRDataError("participant countries need data before and after the exchange")

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
    m = _fe_projection(df["country"].to_numpy(), df["period_"].to_numpy())
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
    perm = _fwl_estimates(m, y, x)
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


def _treated_countries(df: pd.DataFrame, participant: str) -> list[str]:
    groups = (
        df.dropna(subset=["group"]).groupby("country")["group"].agg(lambda s: set(s.astype(str)))
    )
    both = [c for c, g in groups.items() if len(g) > 1]
    if both:
        raise JSRDataError(f"countries listed in more than one group: {', '.join(map(str, both))}")
    return [str(c) for c, g in groups.items() if participant in g]


def rf18_did(
    jsr_quality: pd.DataFrame,
    *,
    treatment_year: int,
    n_perm: int = 2000,
    seed: int = 0,
    dimensions_config: dict | None = None,
    participant: str = PARTICIPANT,
) -> pd.Series:
    """Difference-in-differences of meeting the RF18 standard, participants vs comparison.

    Linear probability model with country and year fixed effects,
    ``meets ~ treated_post + C(country) + C(year)`` (statsmodels OLS, cluster-robust
    standard errors by country with t(G − 1) reference), and a randomization-inference
    p-value.

    Parameters
    ----------
    jsr_quality : pandas.DataFrame
        Canonical ``jsr_quality`` table (country, year, group, meets — or the dimension
        flags from which :func:`quality_flags` derives it).
    treatment_year : int
        First year counted as "after" the exchange (year >= treatment_year).
    n_perm : int, default 2000
        When the number of possible participant sets C(N, n_treated) is at most
        ``n_perm`` every set is enumerated (Fisher's exact randomization test); otherwise
        ``n_perm`` sets are drawn at random.
    seed : int, default 0
        Seed of the random draw.
    dimensions_config : dict, optional
        Parsed ``dimensions.yaml`` (only used when ``meets`` must be recomputed).
    participant : str
        Label of the participant group in ``group``.

    Returns
    -------
    pandas.Series
        ``estimate`` (DiD in percentage points / 100), ``se``, ``ci_low``, ``ci_high``,
        ``p_value_ols``, ``p_value_ri``, ``n_countries``, ``n_treated``, ``n_years``,
        ``n_obs``, ``n_permutations``, ``ri_exact``, ``did_2x2`` (the simple
        difference of the four cell shares), ``mean_treated_pre``, ``mean_treated_post``,
        ``mean_comparison_pre``, ``mean_comparison_post``, ``cov_type``
        (``cluster_country``, or ``none_saturated`` when the model has no residual
        degrees of freedom and se, CI and p_value_ols are missing).

    Notes
    -----
    The fixed-effects estimate is the coefficient of D_it = treated_i × post_t in
    y_it = α_i + λ_t + β D_it + ε_it. In a balanced panel with two periods it equals the
    2×2 DiD (ȳ_T,post − ȳ_T,pre) − (ȳ_C,post − ȳ_C,pre). Under the sharp null of no
    effect for any country the assignment of the participant label is exchangeable, so
    p_RI = #{assignments with |β̂*| ≥ |β̂|} / #{assignments}; the permuted estimates are
    computed by Frisch–Waugh–Lovell, β̂* = x̃'y / x̃'x̃ with x̃ the two-way-residualized
    D*. With random draws, p_RI = (1 + #extreme) / (1 + n_perm). Cluster-robust
    standard errors are unreliable with few clusters (Young, 2019), which is why
    p_value_ri is the one to report.

    References
    ----------
    .. [1] Angrist, J. D., & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*,
       ch. 5. Princeton University Press.
    .. [2] Imbens, G. W., & Rubin, D. B. (2015). *Causal Inference for Statistics,
       Social, and Biomedical Sciences*, ch. 5. Cambridge University Press.
    .. [3] Young, A. (2019). Channeling Fisher: Randomization tests and the statistical
       insignificance of seemingly significant experimental results. *Quarterly Journal
       of Economics*, 134(2), 557–598.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(c, y, g, m) for c, g, m0, m1 in [("A", "participant", 0, 1),
    ...         ("B", "participant", 0, 1), ("C", "comparison", 0, 0),
    ...         ("D", "comparison", 1, 1)] for y, m in [(2023, m0), (2024, m1)]]
    >>> q = pd.DataFrame(rows, columns=["country", "year", "group", "meets"])
    >>> r = rf18_did(q, treatment_year=2024)
    >>> round(r["estimate"], 3), round(r["p_value_ri"], 3), r["n_permutations"]
    (1.0, 0.333, 6)
    """
    _require(jsr_quality, "jsr_quality", ["country", "year", "group"])
    df = _with_meets(jsr_quality, dimensions_config).reset_index(drop=True)
    df = df.loc[df["year"].notna()].reset_index(drop=True)
    treated = _treated_countries(df, participant)
    df = df.groupby(["country", "year"], as_index=False).agg(meets=("meets", "mean"))
    post = df["year"].astype(int) >= int(treatment_year)
    return panel_did(
        df, outcome="meets", treated=treated, post=post, period="year", n_perm=n_perm, seed=seed
    ).rename("meets")


def ladder_did(
    jsr_assessment: pd.DataFrame,
    *,
    treatment_year: int | None = None,
    baseline: str = "before",
    endline: str = "after",
    n_perm: int = 2000,
    seed: int = 0,
    participant: str = PARTICIPANT,
) -> pd.Series:
    """Difference-in-differences of the mean overall ladder level across dimensions.

    The outcome is, per country and period, the mean of the overall ladder levels
    (rows with an empty criterion) over the dimensions assessed. Periods are years with
    ``post = year >= treatment_year`` when ``treatment_year`` is given, otherwise the
    ``baseline`` and ``endline`` waves. Estimation and randomization inference as in
    :func:`rf18_did` (same return index).

    References
    ----------
    .. [1] Angrist, J. D., & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5.
    .. [2] Young, A. (2019). Channeling Fisher. *QJE*, 134(2), 557–598.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(c, w, g, r) for c, g, r0, r1 in [("A", "participant", 2, 3),
    ...         ("B", "participant", 1, 3), ("C", "comparison", 2, 2),
    ...         ("D", "comparison", 3, 3)] for w, r in [("before", r0), ("after", r1)]]
    >>> ja = pd.DataFrame(rows, columns=["country", "wave", "group", "rating"])
    >>> ja["dimension"], ja["criterion"] = "evidence", None
    >>> round(float(ladder_did(ja)["estimate"]), 6)
    1.5
    """
    _require(
        jsr_assessment, "jsr_assessment", ["country", "group", "dimension", "criterion", "rating"]
    )
    df = _overall(jsr_assessment).reset_index(drop=True)
    treated = _treated_countries(df, participant)
    if treatment_year is not None:
        _require(df, "jsr_assessment", ["year"])
        df = df.loc[df["year"].notna()]
        panel = df.groupby(["country", "year"], as_index=False).agg(ladder=("rating", "mean"))
        post = panel["year"].astype(int) >= int(treatment_year)
        period = "year"
    else:
        _require(df, "jsr_assessment", ["wave"])
        df = df.loc[df["wave"].isin([baseline, endline])]
        panel = df.groupby(["country", "wave"], as_index=False).agg(ladder=("rating", "mean"))
        post = panel["wave"] == endline
        period = "wave"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return panel_did(
            panel,
            outcome="ladder",
            treated=treated,
            post=post,
            period=period,
            n_perm=n_perm,
            seed=seed,
        )
