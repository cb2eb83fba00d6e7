"""JSR self-assessment criteria and RF18 by country (Kirkpatrick level 4, results).

Each country rates its JSR against the criteria of the five effectiveness dimensions
(``config/dimensions.yaml``) before and after the exchange; comparison countries do the
same. `criteria_change` compares the mean rating change of participants with that of
comparison countries per criterion and per dimension; `criteria_did` estimates the
difference-in-differences over all criteria (or one dimension) with the two-way
fixed-effects model and randomization-inference p-value of `did.panel_did`;
`rf18_by_country` says which countries met the RF18 standard each year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .did import PanelDataError, panel_did
from .jsr import JSRDataError, quality_flags
from .multiplicity import adjust_table

__all__ = [
    "criterion_rows",
    "criteria_change",
    "criteria_did",
    "selfassessment_results",
    "rf18_by_country",
]

PARTICIPANT = "participant"


def criterion_rows(jsr_assessment: pd.DataFrame, *, baseline: str = "before", endline: str = "after") -> pd.DataFrame:
    """The criterion ratings (rows with a ``criterion``) with ``period`` ``before`` or
    ``after``: from the ``wave`` column when it holds ``baseline``/``endline``, else the
    earliest and latest ``year`` of each country.

    >>> ja = pd.DataFrame({"country": ["SEN"] * 3, "wave": ["before", "after", "before"],
    ...                    "dimension": "evidence", "criterion": ["data_quality", "data_quality", None],
    ...                    "rating": [1.0, 3.0, 2.0], "group": "participant"})
    >>> criterion_rows(ja)[["period", "rating"]].values.tolist()
    [['before', 1.0], ['after', 3.0]]
    """
    needed = ["country", "dimension", "criterion", "rating"]
    missing = [c for c in needed if c not in jsr_assessment.columns]
    if missing:
        raise JSRDataError(f"jsr_assessment lacks the column(s) {', '.join(missing)}")
    crit = jsr_assessment["criterion"].astype("string").str.strip()
    df = jsr_assessment.loc[crit.notna() & crit.ne("")].copy()
    df = df.loc[df["rating"].notna()]
    if "group" not in df.columns:
        df["group"] = PARTICIPANT
    df["group"] = df["group"].astype("object").where(df["group"].notna(), PARTICIPANT)
    if "wave" in df.columns and df["wave"].isin([baseline, endline]).any():
        df = df.loc[df["wave"].isin([baseline, endline])]
        df["period"] = np.where(df["wave"] == baseline, "before", "after")
    elif "year" in df.columns:
        df = df.loc[df["year"].notna()]
        first = df.groupby("country")["year"].transform("min")
        last = df.groupby("country")["year"].transform("max")
        df = df.loc[((df["year"] == first) | (df["year"] == last)) & (last > first)]
        df["period"] = np.where(df["year"] == first, "before", "after")
    else:
        return df.iloc[0:0].assign(period=pd.Series(dtype="object"))
    return df.reset_index(drop=True)


def _changes(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean before, after and change per ``keys`` and group, from country-level means."""
    per_country = rows.pivot_table(index=[*keys, "group", "country"], columns="period", values="rating",
                                   aggfunc="mean").reindex(columns=["before", "after"]).reset_index()
    per_country["change"] = per_country["after"] - per_country["before"]
    out = (per_country.dropna(subset=["change"]).groupby([*keys, "group"], as_index=False)
           .agg(n_countries=("country", "nunique"), before=("before", "mean"), after=("after", "mean"),
                change=("change", "mean")))
    return out


def criteria_change(jsr_assessment: pd.DataFrame, dimensions_config: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Mean self-assessment rating change per criterion and per dimension, participants
    against comparison countries.

    Parameters
    ----------
    jsr_assessment : pandas.DataFrame
        Canonical ``jsr_assessment`` table (criterion rows are used).
    dimensions_config : mapping
        Parsed ``dimensions.yaml``: the order of dimensions and criteria.

    Returns
    -------
    dict
        ``criteria``: ``dimension, criterion, n_participant, change_participant,
        n_comparison, change_comparison, difference`` (participant − comparison change);
        ``dimensions``: the same per dimension (``criterion`` absent), each country's
        change the mean over the dimension's criteria; ``overall``: one row over all
        criteria. Changes are means over countries of (mean after − mean before); the
        comparison columns are missing without comparison countries.

    Examples
    --------
    >>> ja = pd.DataFrame({"country": ["A", "A", "B", "B"], "wave": ["before", "after"] * 2,
    ...                    "dimension": "evidence", "criterion": "data_quality",
    ...                    "rating": [1.0, 3.0, 2.0, 2.0], "group": ["participant"] * 2 + ["comparison"] * 2})
    >>> conf = {"dimensions": [{"id": "evidence", "criteria": ["data_quality"]}]}
    >>> criteria_change(ja, conf)["overall"][["change_participant", "change_comparison", "difference"]].values.tolist()
    [[2.0, 0.0, 2.0]]
    """
    rows = criterion_rows(jsr_assessment)
    dims = [str(d["id"]) for d in dimensions_config.get("dimensions") or []]
    crit_order = [str(c) for d in dimensions_config.get("dimensions") or [] for c in d.get("criteria") or []]
    out = {}
    for name, keys in (("criteria", ["dimension", "criterion"]), ("dimensions", ["dimension"]), ("overall", [])):
        if rows.empty:
            out[name] = pd.DataFrame()
            continue
        frame = rows.assign(_all="all") if not keys else rows
        changes = _changes(frame, keys or ["_all"])
        wide = changes.pivot_table(index=keys or ["_all"], columns="group", values=["n_countries", "change"])
        flat = pd.DataFrame(index=wide.index)
        for group in (PARTICIPANT, "comparison"):
            flat[f"n_{group}"] = wide.get(("n_countries", group), np.nan)
            flat[f"change_{group}"] = wide.get(("change", group), np.nan)
        flat["difference"] = flat[f"change_{PARTICIPANT}"] - flat["change_comparison"]
        flat = flat.reset_index().drop(columns=["_all"], errors="ignore")
        if "dimension" in flat:
            flat["_d"] = flat["dimension"].map(lambda d: dims.index(d) if d in dims else len(dims))
            flat["_c"] = (flat["criterion"].map(lambda c: crit_order.index(c) if c in crit_order else len(crit_order))
                          if "criterion" in flat else 0)
            flat = flat.sort_values(["_d", "_c"]).drop(columns=["_d", "_c"])
        out[name] = flat.reset_index(drop=True)
    return out


def criteria_did(jsr_assessment: pd.DataFrame, *, dimension: str | None = None, exclude: str | None = None,
                 n_perm: int = 2000, seed: int = 0) -> pd.Series:
    """Difference-in-differences of the mean self-assessment criterion rating,
    participants vs comparison countries, before vs after (`did.panel_did`: country and
    period fixed effects, randomization-inference p-value over which countries took part).

    Parameters
    ----------
    jsr_assessment : pandas.DataFrame
        Canonical ``jsr_assessment`` table.
    dimension : str, optional
        Only this dimension's criteria.
    exclude : str, optional
        Leave this country out (robustness).
    n_perm, seed
        As for `did.panel_did`.

    Raises
    ------
    JSRDataError
        Without participant and comparison countries rated before and after.

    Examples
    --------
    >>> rows = [(c, w, g, r) for c, g, r0, r1 in [("A", "participant", 1, 3), ("B", "participant", 2, 3),
    ...         ("C", "comparison", 2, 2), ("D", "comparison", 1, 2)] for w, r in [("before", r0), ("after", r1)]]
    >>> ja = pd.DataFrame(rows, columns=["country", "wave", "group", "rating"]).assign(
    ...     dimension="evidence", criterion="data_quality")
    >>> round(float(criteria_did(ja)["estimate"]), 6)
    1.0
    """
    rows = criterion_rows(jsr_assessment)
    if dimension is not None:
        rows = rows.loc[rows["dimension"] == dimension]
    if exclude is not None:
        rows = rows.loc[rows["country"] != exclude]
    if rows.empty:
        raise JSRDataError("no self-assessment criterion rated before and after")
    panel = rows.groupby(["country", "period"], as_index=False).agg(rating=("rating", "mean"))
    groups = rows.groupby("country")["group"].first()
    treated = [str(c) for c, g in groups.items() if g == PARTICIPANT]
    try:
        return panel_did(panel, outcome="rating", treated=treated, post=panel["period"] == "after",
                         period="period", n_perm=n_perm, seed=seed)
    except PanelDataError as exc:
        raise JSRDataError(str(exc)) from None


def selfassessment_results(jsr_assessment: pd.DataFrame | None, dimensions_config: Mapping[str, Any], *,
                           multiplicity: str = "holm") -> dict[str, Any]:
    """The self-assessment results of a round.

    Returns
    -------
    dict
        ``{}`` without criterion ratings before and after; otherwise the tables of
        `criteria_change` and, with comparison countries, ``did`` (`criteria_did` over all
        criteria) and ``dimension_did`` (per dimension: ``dimension, estimate, ci_low,
        ci_high, p_value_ri, n_countries`` and ``family, p_adjusted, adjust_method``: the
        randomization p-values adjusted over the dimensions, one family, by
        ``multiplicity`` (``holm`` or ``BH``, `multiplicity.adjust_table`)).
    """
    if jsr_assessment is None or jsr_assessment.empty:
        return {}
    rows = criterion_rows(jsr_assessment)
    if rows.empty or rows["period"].nunique() < 2:
        return {}
    res: dict[str, Any] = criteria_change(jsr_assessment, dimensions_config)
    if rows["group"].nunique() < 2:
        return res
    try:
        res["did"] = criteria_did(jsr_assessment)
    except JSRDataError:
        return res
    dims = []
    for dimension in res["dimensions"]["dimension"]:
        try:
            did = criteria_did(jsr_assessment, dimension=dimension)
        except JSRDataError:
            continue
        dims.append({"dimension": dimension, "estimate": did["estimate"], "ci_low": did["ci_low"],
                     "ci_high": did["ci_high"], "p_value_ri": did["p_value_ri"], "n_countries": did["n_countries"]})
    if dims:
        res["dimension_did"] = adjust_table(pd.DataFrame(dims), family="dimensions", method=multiplicity,
                                            p_col="p_value_ri")
    return res


def rf18_by_country(jsr_quality: pd.DataFrame, dimensions_config: Mapping[str, Any]) -> pd.DataFrame:
    """Which countries met the RF18 standard each year.

    Returns
    -------
    pandas.DataFrame
        ``group, country, year, n_met, n_assessed, meets``, participants first, then by
        country and year (``n_met`` recomputed from the dimension flags when present).

    Examples
    --------
    >>> q = pd.DataFrame({"country": ["SEN", "SEN"], "year": [2024, 2025], "group": "participant",
    ...                   "meets": [False, True]})
    >>> rf18_by_country(q, {"dimensions": []})[["year", "meets"]].values.tolist()
    [[2024, False], [2025, True]]
    """
    dims = [str(d["id"]) for d in dimensions_config.get("dimensions") or []]
    df = jsr_quality.copy()
    if any(d in df.columns for d in dims):
        df = quality_flags(df, dimensions_config)
    for col in ("n_met", "n_assessed"):
        if col not in df.columns:
            df[col] = pd.NA
    if "group" not in df.columns:
        df["group"] = PARTICIPANT
    df["meets"] = df["meets"].astype("boolean")
    df = df.assign(_g=(df["group"] != PARTICIPANT).astype(int)).sort_values(["_g", "country", "year"])
    return df[["group", "country", "year", "n_met", "n_assessed", "meets"]].reset_index(drop=True)
