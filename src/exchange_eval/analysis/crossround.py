"""Synthesis across rounds: what changes, on average, from before to after an exchange.

Rounds are small (6–8 officials in a JSR round, a few dozen in a network), so the
synthesis pools them. Person-level outcome scores are modelled with a linear mixed model
(statsmodels ``MixedLM``) with random intercepts for the round and for the country within
the round (and, by default, for the person, because the same official answers before
and after); ordinal items with a proportional-odds model (``OrderedModel``). When a mixed
model cannot be fitted (one or two rounds, no convergence), the functions fall back to
simpler models and say which one was fitted in a ``model`` column.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

from . import AnalysisError
from .outcomes import OUTCOME_CHANGE_COLUMNS, outcome_changes

__all__ = [
    "CrossRoundError",
    "MODELS",
    "person_scores",
    "pooled_change_model",
    "ordinal_item_model",
    "outcomes_by_round",
    "fit_mixed",
]

#: Values of the ``model`` column, from the richest to the simplest.
MODELS = (
    "mixedlm_round_country_person",
    "mixedlm_round_country",
    "mixedlm_round_person",
    "mixedlm_round",
    "ols_cluster_person",
)
POOLED_COLUMNS = [
    "outcome", "estimate", "se", "ci_low", "ci_high", "p_value",
    "n_people", "n_rounds", "n_obs", "model", "note",
]


class CrossRoundError(AnalysisError):
    """Pooled responses cannot be modelled (missing columns, no data at both waves)."""


def _prepare(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None,
    baseline: str,
    endline: str,
    instrument: str | None,
) -> pd.DataFrame:
    needed = ["pid", "wave", "item_id", "value"]
    missing = [c for c in needed if c not in responses_all.columns]
    if missing:
        raise CrossRoundError(f"responses lack the column(s) {', '.join(missing)}")
    df = responses_all
    if instrument is not None and "instrument" in df.columns:
        df = df.loc[df["instrument"] == instrument]
    df = df.loc[df["wave"].isin([baseline, endline])].copy()
    if "round_id" not in df.columns:
        df["round_id"] = "round"
    df["round_id"] = df["round_id"].astype(str)
    df["pid"] = df["pid"].astype(str)
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    df = df.loc[df["value"].notna()]
    if "country" not in df.columns:
        if participants_all is not None and {"pid", "country"} <= set(participants_all.columns):
            people = participants_all.copy()
            people["pid"] = people["pid"].astype(str)
            keys = ["round_id", "pid"] if "round_id" in people.columns else ["pid"]
            if "round_id" in people.columns:
                people["round_id"] = people["round_id"].astype(str)
            people = people.drop_duplicates(keys)[[*keys, "country"]]
            df = df.merge(people, how="left", on=keys)
        else:
            df["country"] = pd.NA
    df["post"] = (df["wave"] == endline).astype(float)
    df["person"] = df["round_id"] + "|" + df["pid"]
    return df


def person_scores(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None = None,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = "outcomes",
) -> pd.DataFrame:
    """Each person's score per intermediate outcome and wave (mean of the items answered).

    Returns
    -------
    pandas.DataFrame
        ``round_id, country, pid, person, outcome, wave, post, score, n_items``.
    """
    df = _prepare(responses_all, participants_all, baseline, endline, instrument)
    if "outcome" not in df.columns:
        raise CrossRoundError("responses lack the column outcome (intermediate-outcome tag)")
    df = df.loc[df["outcome"].notna()]
    df["country"] = df["country"].astype("object")
    out = (
        df.groupby(["round_id", "pid", "person", "outcome", "wave"], dropna=False)
        .agg(country=("country", "first"), post=("post", "first"), score=("value", "mean"),
             n_items=("item_id", "nunique"))
        .reset_index()
    )
    return out[["round_id", "country", "pid", "person", "outcome", "wave", "post", "score", "n_items"]]


def fit_mixed(data: pd.DataFrame, vc: dict[str, str]) -> tuple[Any, str | None]:
    """Fit ``score ~ post`` with round random intercepts and the variance components
    ``vc`` (name -> formula); return ``(result, None)``, or ``(None, reason)`` when the fit
    fails, does not converge, is singular or has no finite standard error.
    `pooled_change_model` tries the models of `MODELS` in order through it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = smf.mixedlm("score ~ post", data, groups="round_id",
                                vc_formula=vc or None, re_formula="1")
            result = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
    messages = [str(w.message) for w in caught]
    boundary = any("boundary" in m for m in messages)
    singular = any(issubclass(w.category, SingularMatrixWarning) for w in caught)
    hessian = any("Hessian" in m for m in messages)
    if not getattr(result, "converged", False):
        return None, "did not converge"
    if singular or (hessian and not boundary):
        return None, "singular or non positive-definite Hessian"
    se = float(result.bse.get("post", np.nan))
    if not np.isfinite(se) or se <= 0:
        return None, "no finite standard error"
    return result, None


def _fit_ols(data: pd.DataFrame):
    model = smf.ols("score ~ post", data)
    groups = pd.factorize(data["person"])[0]
    if len(np.unique(groups)) >= 2 and model.df_resid > 0:
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    return model.fit()


def pooled_change_model(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None = None,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = "outcomes",
    person_effect: bool = True,
    min_rounds: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Pooled change per intermediate outcome across rounds (linear mixed model).

    For each outcome, ``score ~ post`` where ``score`` is the person's mean of the
    outcome's items at the wave and ``post`` is 1 at ``endline``, 0 at ``baseline``,
    with a random intercept for the round (``groups=round_id``) and variance components
    for the country within the round and (``person_effect``) the person.

    Parameters
    ----------
    responses_all : pandas.DataFrame
        ``responses`` of several rounds (``load.concat_rounds``), with ``round_id``.
    participants_all : pandas.DataFrame, optional
        ``participants`` of the same rounds, to attach each person's country (not
        needed when ``responses_all`` has a ``country`` column).
    baseline, endline : str
        The two waves compared (``"retro"`` may stand for the baseline).
    instrument : str or None
        Keep this instrument only (default ``"outcomes"``).
    person_effect : bool, default True
        Add a random intercept per person (repeated measures).
    min_rounds : int, default 3
        Fewer rounds than this: no round random effect is estimated (a variance from
        one or two groups is not estimable); the OLS fallback is used.
    alpha : float
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        ``outcome, estimate, se, ci_low, ci_high, p_value, n_people, n_rounds, n_obs,
        model, note`` — ``estimate`` is the mean change in scale points (endline −
        baseline); ``model`` is one of `MODELS`; ``note`` says why a simpler model was
        fitted.

    Notes
    -----
    Fallback order: round + country (+ person) → round (+ person) → OLS with
    cluster-robust standard errors by person (t reference with G − 1 df). A model is
    rejected when no optimizer converges (statsmodels tries bfgs, lbfgs, cg), the
    covariance matrix is singular, the Hessian is not positive definite for another
    reason than a variance estimated at the boundary (zero — accepted, as a "singular
    fit" is in lme4), or the standard error of the fixed effect is not finite. With a balanced design (everyone answers both waves)
    the fixed effect equals the mean paired difference, whatever the random part.
    Wald tests with normal reference for the mixed models.

    References
    ----------
    .. [1] Lindstrom, M. J., & Bates, D. M. (1988). Newton–Raphson and EM algorithms for
       linear mixed-effects models for repeated-measures data. *JASA*, 83(404),
       1014–1022 (statsmodels MixedLM).
    .. [2] Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, ch. 12–13. Cambridge University Press.
    .. [3] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
       cluster-robust inference. *Journal of Human Resources*, 50(2), 317–372.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"round_id": "r1", "pid": list("abcd") * 2, "instrument": "outcomes",
    ...                   "wave": ["pre"] * 4 + ["post"] * 4, "item_id": "ok_functions",
    ...                   "outcome": "new_knowledge", "value": [2, 3, 2, 1, 3, 4, 4, 2]})
    >>> out = pooled_change_model(r)
    >>> out[["outcome", "n_people", "model"]].values.tolist(), round(float(out["estimate"][0]), 6)
    ([['new_knowledge', 4, 'ols_cluster_person']], 1.25)
    """
    scores = person_scores(responses_all, participants_all, baseline=baseline,
                           endline=endline, instrument=instrument)
    z = sps.norm.ppf(1 - alpha / 2)
    rows = []
    for outcome, data in scores.groupby("outcome", sort=True):
        data = data.reset_index(drop=True)
        n_rounds = data["round_id"].nunique()
        base = {"outcome": outcome, "n_people": data["person"].nunique(), "n_rounds": n_rounds,
                "n_obs": len(data)}
        if data["post"].nunique() < 2:
            rows.append({**base, "model": None, "note": "no data at one of the two waves"})
            continue
        has_country = data["country"].notna().all() and data["country"].nunique() > 1
        person = {"person": "0 + C(person)"} if person_effect else {}
        candidates = []
        if n_rounds >= min_rounds:
            if has_country:
                candidates.append((
                    "mixedlm_round_country_person" if person_effect else "mixedlm_round_country",
                    {"country": "0 + C(country)", **person},
                ))
            candidates.append(("mixedlm_round_person" if person_effect else "mixedlm_round", person))
        notes = []
        if n_rounds < min_rounds:
            notes.append(f"{n_rounds} round(s): fewer than {min_rounds}, no round random effect")
        elif not has_country:
            notes.append("country missing or constant: no country random effect")
        fitted = None
        for name, vc in candidates:
            result, problem = fit_mixed(data, vc)
            if result is not None:
                fitted = (name, result)
                break
            notes.append(f"{name}: {problem}")
        if fitted is not None:
            name, result = fitted
            est, se = float(result.params["post"]), float(result.bse["post"])
            p = float(result.pvalues["post"])
            lo, hi = est - z * se, est + z * se
        else:
            name = "ols_cluster_person"
            result = _fit_ols(data)
            est, se = float(result.params["post"]), float(result.bse["post"])
            p = float(result.pvalues["post"])
            lo, hi = (float(v) for v in result.conf_int(alpha=alpha).loc["post"])
        rows.append({**base, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi,
                     "p_value": p, "model": name, "note": "; ".join(notes) or None})
    out = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    for col in ("n_people", "n_rounds", "n_obs"):
        out[col] = out[col].astype("int64")
    return out


def ordinal_item_model(
    responses_all: pd.DataFrame,
    item_id: str,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = None,
    alpha: float = 0.05,
) -> pd.Series:
    """Proportional-odds (ordered logit) model of one item on the wave.

    ``value ~ post (+ round dummies when there are several rounds)``, statsmodels
    ``OrderedModel`` with ``distr="logit"``; standard errors cluster-robust by person,
    because the same people answer at both waves.

    Parameters
    ----------
    responses_all : pandas.DataFrame
        ``responses`` of one or several rounds.
    item_id : str
        The item (an ordinal code, e.g. a ``level5`` item).
    baseline, endline : str
        The two waves compared.
    instrument : str, optional
        Keep this instrument only.
    alpha : float
        1 − confidence level.

    Returns
    -------
    pandas.Series
        ``item_id, estimate`` (log-odds of a higher answer at endline vs baseline),
        ``se, ci_low, ci_high, p_value, odds_ratio, n_obs, n_people, n_rounds,
        n_levels, model`` (``ordered_logit`` or ``ordered_logit_rounds``).

    Notes
    -----
    P(Y ≤ j) = logit⁻¹(θ_j − β·post − γ_round); β > 0 means answers move up the scale.
    The coefficient is population-averaged (no person random effect), so it is smaller
    in magnitude than a subject-specific log-odds when people differ a lot.

    References
    ----------
    .. [1] McCullagh, P. (1980). Regression models for ordinal data. *JRSS B*, 42(2),
       109–142.
    .. [2] Agresti, A. (2010). *Analysis of Ordinal Categorical Data* (2nd ed.), ch. 3.
       Wiley.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> pre = rng.integers(1, 4, 60); post = np.minimum(pre + rng.integers(0, 3, 60), 5)
    >>> r = pd.DataFrame({"pid": np.tile(np.arange(60), 2), "item_id": "ok_functions",
    ...                   "wave": ["pre"] * 60 + ["post"] * 60,
    ...                   "value": np.concatenate([pre, post])})
    >>> res = ordinal_item_model(r, "ok_functions")
    >>> bool(res["estimate"] > 0), res["model"]
    (True, 'ordered_logit')
    """
    df = _prepare(responses_all, None, baseline, endline, instrument)
    df = df.loc[df["item_id"] == item_id].reset_index(drop=True)
    if df.empty or df["post"].nunique() < 2:
        raise CrossRoundError(f"item {item_id!r} has no answers at both {baseline} and {endline}")
    levels = sorted(df["value"].unique())
    if len(levels) < 2:
        raise CrossRoundError(f"item {item_id!r} has a single answer level; nothing to model")
    endog = pd.Series(pd.Categorical(df["value"], categories=levels, ordered=True), name=item_id)
    exog = df[["post"]].copy()
    rounds = sorted(df["round_id"].unique())
    model_name = "ordered_logit"
    if len(rounds) > 1:
        dummies = pd.get_dummies(df["round_id"], prefix="round", drop_first=True, dtype=float)
        exog = pd.concat([exog, dummies], axis=1)
        model_name = "ordered_logit_rounds"
    groups = pd.factorize(df["person"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = OrderedModel(endog, exog, distr="logit")
        result = model.fit(method="bfgs", disp=False, maxiter=2000,
                           cov_type="cluster", cov_kwds={"groups": groups})
    est, se = float(result.params["post"]), float(result.bse["post"])
    z = sps.norm.ppf(1 - alpha / 2)
    return pd.Series({
        "item_id": item_id,
        "estimate": est,
        "se": se,
        "ci_low": est - z * se,
        "ci_high": est + z * se,
        "p_value": float(2 * sps.norm.sf(abs(est / se))) if se > 0 else float("nan"),
        "odds_ratio": float(np.exp(est)),
        "n_obs": len(df),
        "n_people": int(df["person"].nunique()),
        "n_rounds": len(rounds),
        "n_levels": len(levels),
        "model": model_name,
    }, name=item_id)


def outcomes_by_round(
    responses_all: pd.DataFrame,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = "outcomes",
    rounds: Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
) -> pd.DataFrame:
    """Per-round paired change of each intermediate outcome, side by side.

    Calls `outcomes.outcome_changes` (signed-rank test, rank-biserial, median change with
    bootstrap CI; Holm within round) on each round.

    Returns
    -------
    pandas.DataFrame
        ``round_id`` followed by the columns of `outcomes.OUTCOME_CHANGE_COLUMNS`
        (``outcome, n_items, n, n_unmatched, statistic, p_value, p_holm,
        rank_biserial, median_change, ci_low, ci_high, note``).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"round_id": ["r1"] * 10 + ["r2"] * 10, "pid": list("abcde") * 4,
    ...                   "instrument": "outcomes", "wave": (["pre"] * 5 + ["post"] * 5) * 2,
    ...                   "item_id": "sk_plan", "outcome": "enhanced_skill",
    ...                   "value": [1, 2, 2, 3, 1, 2, 3, 3, 4, 3, 3, 3, 2, 4, 4, 3, 3, 2, 4, 4]})
    >>> outcomes_by_round(r, n_boot=100)[["round_id", "n", "median_change"]].values.tolist()
    [['r1', 5, 1.0], ['r2', 5, 0.0]]
    """
    if "round_id" not in responses_all.columns:
        raise CrossRoundError("responses lack the column round_id")
    wanted = list(rounds) if rounds is not None else sorted(responses_all["round_id"].dropna().astype(str).unique())
    parts = []
    for round_id in wanted:
        sub = responses_all.loc[responses_all["round_id"].astype(str) == round_id]
        if sub.empty:
            continue
        changes = outcome_changes(sub, baseline, endline, instrument=instrument,
                                  n_boot=n_boot, seed=seed, min_pairs=min_pairs)
        parts.append(changes.assign(round_id=round_id))
    columns = ["round_id", *OUTCOME_CHANGE_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
