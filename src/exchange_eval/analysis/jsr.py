"""JSR self-assessment, maturity ladder and RF18 (Kirkpatrick level 4, results).

The canonical ``jsr_assessment`` table holds, per country × year (or wave) × dimension,
the dimension's overall ladder level (rows with an empty ``criterion``) and the rating of
each self-assessment criterion. ``jsr_quality`` holds one boolean column per dimension id
and the RF18 flag ``meets`` (at least ``rf18.min_dimensions_met`` dimensions met;
``config/dimensions.yaml``). With few countries, the difference-in-differences of
participants against comparison countries gets a randomization-inference p-value.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import AnalysisError
from .did import PanelDataError, panel_did

__all__ = [
    "JSRDataError",
    "ladder_change",
    "criteria_met",
    "quality_flags",
    "quality_from_ladder",
    "rf18_shares",
    "rf18_did",
    "ladder_did",
    "exchange_year",
    "meets_table",
    "jsr_results",
]

PARTICIPANT = "participant"
COMPARISON = "comparison"


class JSRDataError(AnalysisError):
    """A JSR table lacks what an analysis needs (columns, groups, years)."""


def _did(panel: pd.DataFrame, **options: Any) -> pd.Series:
    """`did.panel_did`, its data errors named as JSR data errors."""
    try:
        return panel_did(panel, **options)
    except PanelDataError as exc:
        raise JSRDataError(str(exc)) from None


def _require(df: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise JSRDataError(f"{table} lacks the column(s) {', '.join(missing)}")


def _dimension_ids(config: Mapping) -> list[str]:
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
    dimensions_config: Mapping,
    *,
    met_level: float | None = None,
) -> pd.DataFrame:
    """Self-assessment criteria met per country, wave/year and dimension.

    Parameters
    ----------
    jsr_assessment : pandas.DataFrame
        Canonical ``jsr_assessment`` table; rows with a ``criterion`` are used.
    dimensions_config : mapping
        Parsed ``dimensions.yaml`` (``Config.dimensions``).
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
    >>> dims = {"dimensions": [{"id": "aligned", "criteria": ["esp_based", "annual_plan_reviewed"]}],
    ...         "dimension_met_level": 3}
    >>> print(criteria_met(ja, dims)[["n_criteria", "n_met", "share_met"]].to_string(index=False))
     n_criteria  n_met  share_met
              2      1        0.5
    """
    config = dimensions_config
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


def quality_flags(jsr_quality: pd.DataFrame, dimensions_config: Mapping) -> pd.DataFrame:
    """Recompute ``n_met`` and ``meets`` (RF18) from the per-dimension flags.

    Parameters
    ----------
    jsr_quality : pandas.DataFrame
        Canonical ``jsr_quality`` table with one boolean column per dimension id.
    dimensions_config : mapping
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
    >>> dims = {"dimensions": [{"id": d} for d in ("inclusive", "aligned", "evidence",
    ...         "monitoring", "policy_cycle")], "rf18": {"min_dimensions_met": 3}}
    >>> print(quality_flags(q, dims)[["n_met", "meets"]].to_string(index=False))
     n_met  meets
         3   True
    """
    config = dimensions_config
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


def quality_from_ladder(jsr_assessment: pd.DataFrame, dimensions_config: Mapping) -> pd.DataFrame:
    """Build RF18 flags from overall ladder levels (dimension met at ``dimension_met_level``).

    ``dimensions_config`` is the parsed ``dimensions.yaml`` (``Config.dimensions``).

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
    >>> dims = {"dimensions": [{"id": d} for d in ("inclusive", "aligned", "evidence",
    ...         "monitoring", "policy_cycle")], "rf18": {"min_dimensions_met": 3},
    ...         "dimension_met_level": 3}
    >>> print(quality_from_ladder(ja, dims)[["n_met", "meets"]].to_string(index=False))
     n_met  meets
         3   True
    """
    config = dimensions_config
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


def _with_meets(jsr_quality: pd.DataFrame, dimensions_config: Mapping | None) -> pd.DataFrame:
    """``meets`` as 0/1 floats: as given when complete, else from the dimension flags
    (which needs ``dimensions_config``), else the rows with a ``meets`` value."""
    has_flags = dimensions_config is not None and any(
        d in jsr_quality.columns for d in _dimension_ids(dimensions_config))
    if "meets" in jsr_quality.columns and (jsr_quality["meets"].notna().all() or not has_flags):
        df = jsr_quality.loc[jsr_quality["meets"].notna()]
        return df.assign(meets=pd.to_numeric(df["meets"].astype("object"), errors="coerce").astype(float))
    if dimensions_config is None:
        raise JSRDataError("jsr_quality has no complete `meets` column; pass dimensions_config to derive it")
    return quality_flags(jsr_quality, dimensions_config).assign(meets=lambda d: d["meets"].astype(float))


def meets_table(jsr_quality: pd.DataFrame, dimensions_config: Mapping | None) -> pd.DataFrame:
    """``jsr_quality`` with ``meets`` as 0/1 floats (as given when complete, else derived
    from the dimension flags with ``dimensions_config``; rows without it are dropped)."""
    return _with_meets(jsr_quality, dimensions_config)


def rf18_shares(jsr_quality: pd.DataFrame, dimensions_config: Mapping | None = None) -> pd.DataFrame:
    """Share of JSRs meeting the quality standard (RF18) per year and group.

    Parameters
    ----------
    jsr_quality : pandas.DataFrame
        Canonical ``jsr_quality`` table. ``meets`` is recomputed by :func:`quality_flags`
        when it is absent or incomplete.
    dimensions_config : mapping, optional
        Parsed ``dimensions.yaml``; needed only when ``meets`` must be recomputed.

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
    dimensions_config: Mapping | None = None,
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
    return _did(
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
        return _did(
            panel,
            outcome="ladder",
            treated=treated,
            post=post,
            period=period,
            n_perm=n_perm,
            seed=seed,
        )


def exchange_year(meta: Mapping[str, Any]) -> int | None:
    """The year of an exchange round: the manifest's ``year``, else the year of its
    first session, else None.

    >>> exchange_year({"sessions": [{"date": "2025-05-12"}, {"date": "2025-02-10"}]})
    2025
    """
    if meta.get("year"):
        return int(meta["year"])
    dates = [s.get("date") for s in meta.get("sessions") or [] if s.get("date")]
    if not dates:
        return None
    return int(str(min(map(str, dates)))[:4])


def jsr_results(
    jsr_assessment: pd.DataFrame | None,
    jsr_quality: pd.DataFrame | None,
    *,
    year: int | None,
    effect_lag_years: int,
    dimensions_config: Mapping,
) -> dict[str, Any]:
    """The results (L4) of a round: maturity-ladder change and its DiD, RF18 shares and
    the RF18 DiD.

    Parameters
    ----------
    jsr_assessment, jsr_quality : pandas.DataFrame
        Canonical tables of the round (either may be empty).
    year : int or None
        The exchange year (`exchange_year`).
    effect_lag_years : int
        Improvement plans are drafted after the exchange, so the JSRs that can show them
        start this many years later (``settings.yaml`` ``jsr.effect_lag_years``): the RF18
        DiD counts years from ``year + effect_lag_years`` as "after".
    dimensions_config : mapping
        Parsed ``dimensions.yaml``.

    Returns
    -------
    dict
        ``ladder`` (`ladder_change`, when any) and ``ladder_did`` (`ladder_did`, with
        comparison countries); ``rf18`` (`rf18_shares`) and ``exchange_year`` with
        quality data; ``did`` (`rf18_did`) when both groups and several years are present.
    """
    res: dict[str, Any] = {}
    if jsr_assessment is not None and len(jsr_assessment):
        ladder = ladder_change(jsr_assessment)
        if not ladder.empty:
            res["ladder"] = ladder
            if ladder["group"].nunique() > 1:
                res["ladder_did"] = ladder_did(jsr_assessment)
    if jsr_quality is not None and len(jsr_quality):
        res["rf18"] = rf18_shares(jsr_quality, dimensions_config)
        res["exchange_year"] = year
        groups = set(jsr_quality["group"].dropna()) if "group" in jsr_quality.columns else set()
        if year is not None and len(groups) > 1 and jsr_quality["year"].nunique() > 1:
            res["did"] = rf18_did(jsr_quality, treatment_year=year + int(effect_lag_years),
                                  dimensions_config=dimensions_config)
    return res
