"""Synthesis across rounds: what changes, on average, from before to after an exchange.

Rounds are small (6–8 officials in a JSR round, a few dozen in a network), so the
synthesis pools them. The pooled change of an outcome is estimated on paired data only
(people who answered before and after), so it is a within-person change: a linear mixed
model (statsmodels ``MixedLM``) of the person's score on the wave with a random intercept
per person — plus round fixed effects with 2–5 rounds, or a round random intercept with
more — and a t reference with n_pairs − 1 degrees of freedom rather than a Wald z. A fit
that cannot be trusted (no variance, a standard error below tolerance, no convergence)
is named in ``note``: no variance gives no test, a failed fit falls back to the paired t
test on each person's change. Ordinal items get a proportional-odds model
(``OrderedModel``).
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
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from . import AnalysisError
from .multiplicity import adjust_table
from .outcomes import OUTCOME_CHANGE_COLUMNS, outcome_changes
from .stats import NO_VARIANCE, TOO_FEW_PAIRS, PairedOptions

__all__ = [
    "CrossRoundError",
    "MODELS",
    "POOLED_COLUMNS",
    "FIXED_ROUNDS_MAX",
    "POOLED_FAMILY",
    "person_scores",
    "paired_scores",
    "pooled_change_model",
    "ordinal_item_model",
    "outcomes_by_round",
    "adjust_pooled",
    "fit_mixed",
]

#: Values of the ``model`` column: the mixed models by number of rounds, and the fallback.
MODELS = (
    "mixedlm_person",           # one round: person random intercept
    "mixedlm_person_round_fe",  # 2 to FIXED_ROUNDS_MAX rounds: + round fixed effects
    "mixedlm_round_person",     # more rounds: round random intercept, person within round
    "paired_t",                 # fallback: paired t test on each person's change
)
#: Up to this many rounds the rounds enter as fixed effects (a variance from 2–5 groups is
#: not estimable); with more, as a random intercept.
FIXED_ROUNDS_MAX = 5
#: Family of the adjusted p-values of the pooled-change table.
POOLED_FAMILY = "pooled"
POOLED_COLUMNS = [
    "outcome", "estimate", "se", "df", "ci_low", "ci_high", "p_value", "n_people", "n_pairs",
    "n_rounds", "n_obs", "model", "note",
]
# a standard error this small (relative to the estimate) means the fit found no variance
_SE_TOLERANCE = 1e-8


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


def _outcome_rows(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None,
    baseline: str,
    endline: str,
    instrument: str | None,
) -> pd.DataFrame:
    """`_prepare`'d answers tagged with an intermediate outcome."""
    df = _prepare(responses_all, participants_all, baseline, endline, instrument)
    if "outcome" not in df.columns:
        raise CrossRoundError("responses lack the column outcome (intermediate-outcome tag)")
    return df.loc[df["outcome"].notna()]


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
    df = _outcome_rows(responses_all, participants_all, baseline, endline, instrument)
    df["country"] = df["country"].astype("object")
    out = (
        df.groupby(["round_id", "pid", "person", "outcome", "wave"], dropna=False)
        .agg(country=("country", "first"), post=("post", "first"), score=("value", "mean"),
             n_items=("item_id", "nunique"))
        .reset_index()
    )
    return out[["round_id", "country", "pid", "person", "outcome", "wave", "post", "score", "n_items"]]


def paired_scores(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None = None,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = "outcomes",
) -> pd.DataFrame:
    """Each person's score per outcome before and after, on the items answered at both.

    Returns
    -------
    pandas.DataFrame
        ``round_id, country, pid, person, outcome, n_items, pre, post, change`` — one row
        per person and outcome with a score at both waves: the mean of the outcome's
        items the person answered at both waves (so a skipped item does not pass for
        change); ``change = post − pre``.
    """
    return _paired(_outcome_rows(responses_all, participants_all, baseline, endline, instrument))


def _paired(df: pd.DataFrame) -> pd.DataFrame:
    keys = ["round_id", "pid", "person", "outcome", "item_id"]
    columns = ["round_id", "country", "pid", "person", "outcome", "n_items", "pre", "post", "change"]
    wide = df.groupby([*keys, "post"], sort=False)["value"].mean().unstack("post")
    wide = wide.reindex(columns=[0.0, 1.0]).dropna()
    if wide.empty:
        return pd.DataFrame(columns=columns)
    grouped = wide.groupby(level=["round_id", "pid", "person", "outcome"], sort=False)
    out = grouped.mean().set_axis(["pre", "post"], axis=1).assign(n_items=grouped.size()).reset_index()
    country = df.groupby("person")["country"].first().astype("object")
    out["country"] = out["person"].map(country)
    out["change"] = out["post"] - out["pre"]
    return out[columns]


def fit_mixed(long: pd.DataFrame, kind: str) -> tuple[Any, str | None]:
    """Fit the mixed model ``kind`` (a name of `MODELS`) to the long paired data
    (``score, post, person, round_id``); return ``(result, None)`` or ``(None, reason)``
    when the fit fails, does not converge or has no finite standard error of ``post``.
    `pooled_change_model` calls it and falls back to the paired t test on a reason."""
    if kind == "mixedlm_person":
        formula, groups, vc = "score ~ post", "person", None
    elif kind == "mixedlm_person_round_fe":
        formula, groups, vc = "score ~ post + C(round_id)", "person", None
    else:
        formula, groups, vc = "score ~ post", "round_id", {"person": "0 + C(person)"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = smf.mixedlm(formula, long, groups=long[groups], vc_formula=vc, re_formula="1")
            result = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
    if not getattr(result, "converged", False):
        return None, "did not converge"
    if any("singular" in str(w.message).lower() and "boundary" not in str(w.message) for w in caught):
        return None, "singular covariance matrix"
    se = float(result.bse.get("post", np.nan))
    if not np.isfinite(se):
        return None, "no finite standard error"
    return result, None


def _model_kind(n_rounds: int) -> str:
    if n_rounds <= 1:
        return "mixedlm_person"
    return "mixedlm_person_round_fe" if n_rounds <= FIXED_ROUNDS_MAX else "mixedlm_round_person"


def pooled_change_model(
    responses_all: pd.DataFrame,
    participants_all: pd.DataFrame | None = None,
    *,
    baseline: str = "pre",
    endline: str = "post",
    instrument: str | None = "outcomes",
    min_pairs: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Pooled change per intermediate outcome across rounds, on paired data.

    For each outcome, the people with a score at both waves (`paired_scores`) enter a
    linear mixed model ``score ~ post`` with a random intercept per person; with 2–5
    rounds round fixed effects are added (``+ C(round_id)``), with more rounds the round
    gets a random intercept and the person a variance component within it.

    Parameters
    ----------
    responses_all : pandas.DataFrame
        ``responses`` of several rounds (``core.tables.concat_rounds``), with ``round_id``.
    participants_all : pandas.DataFrame, optional
        ``participants`` of the same rounds, to attach each person's country.
    baseline, endline : str
        The two waves compared (``"retro"`` may stand for the baseline).
    instrument : str or None
        Keep this instrument only (default ``"outcomes"``).
    min_pairs : int, default 5
        Fewer people with both waves: the change is given, no model or test.
    alpha : float
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        `POOLED_COLUMNS`: ``outcome, estimate`` (mean change in scale points, endline −
        baseline), ``se, df`` (t degrees of freedom, n_pairs − 1), ``ci_low, ci_high,
        p_value, n_people`` (people with any answer), ``n_pairs, n_rounds, n_obs``
        (scores modelled), ``model`` (one of `MODELS`) and ``note``
        (``"too_few_pairs"``, ``"no_variance"``, or why the fallback was fitted).

    Notes
    -----
    Every person contributes a before and an after score, so the fixed effect of
    ``post`` is the mean paired change whatever the random part (the design is balanced
    within person), and the model's job is its standard error. Inference uses a t
    reference with n_pairs − 1 degrees of freedom (the paired t test's), not a Wald z,
    because 2–5 rounds of 6–30 people are small samples. A fit whose standard error is
    below 1e-8 × max(1, |estimate|), or where every person changed by the same amount,
    is reported with ``note = "no_variance"`` and no test (a constant change has no
    sampling error to test against). When the round random intercept cannot be fitted
    (a round variance near zero stops the optimizer) the round fixed-effects model is
    fitted instead; when no model fits, the paired t test on the changes (``paired_t``)
    — never an unpaired comparison of all answers before with all answers after.
    ``note`` says which fit failed and why.

    R: with the paired scores in long form, ``lmerTest::lmer(score ~ post + factor(round)
    + (1 | person))`` (2–5 rounds; Satterthwaite's df are n_pairs − 1 for this balanced
    design), or ``t.test(post, pre, paired = TRUE)`` for the fallback.

    References
    ----------
    .. [1] Lindstrom, M. J., & Bates, D. M. (1988). Newton–Raphson and EM algorithms for
       linear mixed-effects models for repeated-measures data. *JASA*, 83(404), 1014–1022.
    .. [2] Kenward, M. G., & Roger, J. H. (1997). Small sample inference for fixed
       effects from restricted maximum likelihood. *Biometrics*, 53(3), 983–997.
    .. [3] Gelman, A., & Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, ch. 12–13. Cambridge University Press.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"round_id": "r1", "pid": list("abcdef") * 2, "instrument": "outcomes",
    ...                   "wave": ["pre"] * 6 + ["post"] * 6, "item_id": "ok_functions",
    ...                   "outcome": "new_knowledge", "value": [2, 3, 2, 1, 3, 2, 3, 4, 4, 2, 3, 4]})
    >>> out = pooled_change_model(r)
    >>> out[["outcome", "n_pairs", "df", "model"]].values.tolist(), round(float(out["estimate"][0]), 6)
    ([['new_knowledge', 6, 5, 'mixedlm_person']], 1.166667)
    """
    df = _outcome_rows(responses_all, participants_all, baseline, endline, instrument)
    scores = _paired(df)
    rows = []
    for outcome, anyone in df.groupby("outcome", sort=True):
        data = scores.loc[scores["outcome"] == outcome].reset_index(drop=True)
        n_pairs = len(data)
        n_rounds = int(data["round_id"].nunique())
        base = {"outcome": outcome, "n_people": int(anyone["person"].nunique()), "n_pairs": n_pairs,
                "n_rounds": n_rounds, "n_obs": 2 * n_pairs, "df": max(n_pairs - 1, 0)}
        if n_pairs == 0:
            rows.append({**base, "note": "no data at one of the two waves"})
            continue
        estimate = float(data["change"].mean())
        if n_pairs < min_pairs:
            rows.append({**base, "estimate": estimate, "note": TOO_FEW_PAIRS})
            continue
        if np.ptp(data["change"].to_numpy(float)) <= _SE_TOLERANCE * max(1.0, abs(estimate)):
            rows.append({**base, "estimate": estimate, "note": NO_VARIANCE})
            continue
        long = pd.concat([data.assign(score=data["pre"], post=0.0), data.assign(score=data["post"], post=1.0)],
                         ignore_index=True)[["round_id", "person", "score", "post"]]
        # with many rounds a round variance near zero can stop the optimizer: round fixed
        # effects are the next model, the paired t test the last
        kinds = [_model_kind(n_rounds)]
        if kinds[0] == "mixedlm_round_person":
            kinds.append("mixedlm_person_round_fe")
        problems = []
        result = None
        for kind in kinds:
            result, problem = fit_mixed(long, kind)
            if result is not None:
                break
            problems.append(f"{kind}: {problem}")
        t_crit = float(sps.t.ppf(1 - alpha / 2, n_pairs - 1))
        note = "; ".join(problems) or None
        if result is not None:
            est, se = float(result.params["post"]), float(result.bse["post"])
            if se <= _SE_TOLERANCE * max(1.0, abs(est)):
                rows.append({**base, "estimate": est, "se": se, "model": kind, "note": NO_VARIANCE})
                continue
        else:
            est = estimate
            se = float(data["change"].std(ddof=1) / np.sqrt(n_pairs))
            kind = "paired_t"
        t_value = est / se
        rows.append({**base, "estimate": est, "se": se, "ci_low": est - t_crit * se, "ci_high": est + t_crit * se,
                     "p_value": float(2 * sps.t.sf(abs(t_value), n_pairs - 1)), "model": kind, "note": note})
    out = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    for col in ("n_people", "n_pairs", "n_rounds", "n_obs", "df"):
        out[col] = out[col].astype("int64")
    out["note"] = out["note"].astype("object").where(out["note"].notna(), None)
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
    options: PairedOptions | None = None,
    primary: str | None = None,
) -> pd.DataFrame:
    """Per-round paired change of each intermediate outcome, side by side.

    Calls `outcomes.outcome_changes` (shares, signed-rank test, Hodges–Lehmann shift;
    p-values adjusted within the round's outcome table, the primary outcome first) on
    each round.

    Returns
    -------
    pandas.DataFrame
        ``round_id`` followed by the columns of `outcomes.OUTCOME_CHANGE_COLUMNS`.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"round_id": ["r1"] * 10 + ["r2"] * 10, "pid": list("abcde") * 4,
    ...                   "instrument": "outcomes", "wave": (["pre"] * 5 + ["post"] * 5) * 2,
    ...                   "item_id": "sk_plan", "outcome": "enhanced_skill",
    ...                   "value": [1, 2, 2, 3, 1, 2, 3, 3, 4, 3, 3, 3, 2, 4, 4, 3, 3, 2, 4, 4]})
    >>> outcomes_by_round(r)[["round_id", "n", "median_change"]].values.tolist()
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
        changes = outcome_changes(sub, baseline, endline, instrument=instrument, options=options, primary=primary)
        parts.append(changes.assign(round_id=round_id))
    columns = ["round_id", *OUTCOME_CHANGE_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def adjust_pooled(pooled: pd.DataFrame, *, method: str = "holm", primary: str | None = None) -> pd.DataFrame:
    """`pooled_change_model` with ``family``, ``p_adjusted`` and ``adjust_method``: the
    outcomes of the pooled table adjusted as one family, the primary outcome first
    (`multiplicity.adjust_table`).

    >>> t = pd.DataFrame({"outcome": ["a", "b"], "p_value": [0.01, 0.04]})
    >>> adjust_pooled(t, primary="a")["p_adjusted"].tolist()
    [0.01, 0.04]
    """
    return adjust_table(pooled, family=POOLED_FAMILY, method=method, key="outcome", primary=primary)
