"""Statistics for tiny samples: paired change, reliability, multiplicity, bootstrap.

A round of an exchange has 6–8 officials, so every estimate here is reported with its n,
tests follow R's reference implementation exactly (a reader can re-run them in R), and
effect sizes come with an interval rather than a star.

Functions
---------
paired_change       Wilcoxon signed-rank test (as R's ``wilcox.test(post, pre, paired =
                    TRUE)``), matched-pairs rank-biserial correlation and median change with
                    a bootstrap 95 % CI.
paired_change_note  Why `paired_change` left its test fields empty (a reason code).
cronbach_alpha      Cronbach's alpha with Feldt's F-distribution confidence interval.
holm                Holm (1979) step-down adjusted p-values, NaN-aware.
bootstrap_ci        Seeded percentile bootstrap interval of any statistic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import AnalysisError

__all__ = [
    "PAIRED_CHANGE_FIELDS",
    "TOO_FEW_PAIRS",
    "NO_VARIANCE",
    "paired_change",
    "paired_change_note",
    "signed_rank_test",
    "rank_biserial",
    "cronbach_alpha",
    "holm",
    "bootstrap_ci",
]

#: Index of the Series `paired_change` returns, in this order.
PAIRED_CHANGE_FIELDS = [
    "n",
    "statistic",
    "p_value",
    "rank_biserial",
    "median_change",
    "ci_low",
    "ci_high",
]
#: Reason code: fewer linked pairs than ``min_pairs``.
TOO_FEW_PAIRS = "too_few_pairs"
#: Reason code: every pair has the same value before and after.
NO_VARIANCE = "no_variance"

# Differences are rounded before ranking so that floating-point noise (e.g. means of
# three Likert items) does not split ties; R's wilcox.test offers digits.rank for this.
_RANK_DIGITS = 10
# R uses the exact null distribution below this many non-zero differences.
_EXACT_BELOW = 50


def _as_float_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object, na_value=np.nan)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        pass
    try:
        series = pd.to_numeric(pd.Series(values, dtype="object"), errors="raise")
        return np.asarray(series, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"{name} must hold numbers (scale codes), not text: {exc}") from None


def _paired_differences(pre: Any, post: Any) -> np.ndarray:
    """post − pre for the complete pairs, rounded to `_RANK_DIGITS` decimals."""
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series):
        for name, series in (("pre", pre), ("post", post)):
            if not series.index.is_unique:
                raise AnalysisError(
                    f"{name} has repeated index labels; give one value per person (pid)."
                )
        pre, post = pre.align(post, join="outer")
    pre_values = _as_float_array(pre, "pre")
    post_values = _as_float_array(post, "post")
    if pre_values.shape != post_values.shape or pre_values.ndim != 1:
        raise AnalysisError(
            f"pre and post must be one value per person and of equal length "
            f"(got {pre_values.shape} and {post_values.shape}); pass pandas Series indexed "
            f"by pid to link them by person."
        )
    keep = ~(np.isnan(pre_values) | np.isnan(post_values))
    return np.round(post_values[keep] - pre_values[keep], _RANK_DIGITS)


def _signed_rank_counts(n: int) -> np.ndarray:
    """Number of sign assignments of ranks 1..n giving each V = 0..n(n+1)/2."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.int64)
    counts[0] = 1
    top = 0
    for rank in range(1, n + 1):
        counts[rank : top + rank + 1] += counts[: top + 1].copy()
        top += rank
    return counts


def _psignrank(q: float, n: int, *, upper: bool = False) -> float:
    """R's ``psignrank(q, n, lower.tail = !upper)``: P(V <= q), or P(V > q) if upper."""
    counts = _signed_rank_counts(n)
    q_int = int(np.floor(q + 1e-7))
    total = 2.0**n
    if upper:
        return float(counts[q_int + 1 :].sum() / total) if q_int + 1 >= 0 else 1.0
    return float(counts[: q_int + 1].sum() / total) if q_int >= 0 else 0.0


def signed_rank_test(differences: Any) -> tuple[float, float, float]:
    """Wilcoxon signed-rank test of paired differences, exactly as R's ``wilcox.test``.

    Parameters
    ----------
    differences : array-like of float
        post − pre for each complete pair; NaN values are dropped.

    Returns
    -------
    statistic : float
        V, the sum of the ranks of the positive differences (zeros dropped).
    p_value : float
        Two-sided p-value (NaN when no difference is non-zero).
    rank_biserial : float
        Matched-pairs rank-biserial correlation (see `rank_biserial`).

    Notes
    -----
    Zero differences are dropped before ranking (Wilcoxon's convention, R's default and
    scipy's ``zero_method="wilcox"``); n is the number of non-zero differences and tied
    absolute differences get average ranks. When n < 50 and there are neither ties nor
    zeros the p-value is exact, ``2 * min(P(V <= v), P(V >= v))`` from the null
    distribution of V; otherwise it is the normal approximation with continuity
    correction and tie correction,

    .. math:: z = \\frac{V - n(n+1)/4 - \\tfrac12\\operatorname{sign}(V - n(n+1)/4)}
              {\\sqrt{n(n+1)(2n+1)/24 - \\sum_j (t_j^3 - t_j)/48}}

    with :math:`t_j` the sizes of the groups of tied ranks. This is R's rule.
    ``scipy.stats.wilcoxon(method="auto")`` differs in two places: from scipy 1.15 it runs
    a permutation test for n <= 13 with ties or zeros, and it switches to the normal
    approximation above 50 observations counting zeros. Use ``method="exact"`` (no ties)
    or ``method="asymptotic"`` (ties) in scipy to reproduce these p-values.

    References
    ----------
    .. [1] Hollander, M. & Wolfe, D. A. (1973). Nonparametric Statistical Methods.
       New York: Wiley, pp. 27–33 and 69–75.
    .. [2] R Core Team. ``wilcox.test`` (package stats), R 4.x.

    Examples
    --------
    Hollander & Wolfe's depression scores (R's ``?wilcox.test``), post = x, pre = y:

    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> v, p, r = signed_rank_test([a - b for a, b in zip(x, y)])
    >>> print(f"V = {v:.0f}, p-value = {p:.5f}, r = {r:.4f}")
    V = 40, p-value = 0.03906, r = 0.7778
    """
    d = np.asarray(differences, dtype=float)
    d = np.round(d[~np.isnan(d)], _RANK_DIGITS)
    has_zeros = bool((d == 0).any())
    d = d[d != 0]
    n = d.size
    if n == 0:
        return np.nan, np.nan, np.nan
    ranks = sps.rankdata(np.abs(d))
    statistic = float(ranks[d > 0].sum())
    r_minus = float(ranks[d < 0].sum())
    biserial = (statistic - r_minus) / (n * (n + 1) / 2)
    _, tie_sizes = np.unique(ranks, return_counts=True)
    has_ties = bool((tie_sizes > 1).any())
    if n < _EXACT_BELOW and not has_ties and not has_zeros:
        if statistic > n * (n + 1) / 4:
            p_one = _psignrank(statistic - 1, n, upper=True)
        else:
            p_one = _psignrank(statistic, n)
        p_value = min(2.0 * p_one, 1.0)
    else:
        centred = statistic - n * (n + 1) / 4
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(tie_sizes**3 - tie_sizes) / 48)
        z = (centred - np.sign(centred) * 0.5) / sigma
        p_value = float(min(2.0 * min(sps.norm.cdf(z), sps.norm.sf(z)), 1.0))
    return statistic, p_value, float(biserial)


def rank_biserial(pre: Any, post: Any) -> float:
    """Matched-pairs rank-biserial correlation of post − pre (Kerby 2014).

    Parameters
    ----------
    pre, post : array-like or pandas.Series
        Paired values (Series are linked by index, e.g. pid).

    Returns
    -------
    float
        (sum of ranks of positive differences − sum of ranks of negative differences) /
        total rank sum; +1 when everyone improved, −1 when everyone declined. NaN when
        no difference is non-zero.

    Notes
    -----
    Zero differences are dropped and ties get average ranks, as in the signed-rank test,
    so the correlation equals ``(2 V) / (n (n + 1) / 2) - 1`` with V the signed-rank
    statistic ("the simple difference formula": favourable minus unfavourable share of
    the rank sum).

    References
    ----------
    .. [1] Kerby, D. S. (2014). The simple difference formula: an approach to teaching
       nonparametric correlation. Comprehensive Psychology, 3, 11.IT.3.1.

    Examples
    --------
    >>> rank_biserial(pre=[3, 3, 2, 4], post=[4, 5, 2, 3])
    0.5
    """
    return signed_rank_test(_paired_differences(pre, post))[2]


def paired_change_note(pre: Any, post: Any, min_pairs: int = 5) -> str | None:
    """Why `paired_change` leaves its test fields empty, or None when it does not.

    Parameters
    ----------
    pre, post : array-like or pandas.Series
        As for `paired_change`.
    min_pairs : int
        As for `paired_change`.

    Returns
    -------
    str or None
        ``"too_few_pairs"`` (fewer than ``min_pairs`` complete pairs), ``"no_variance"``
        (every difference is zero), or None.

    Examples
    --------
    >>> paired_change_note([1, 2], [2, 3])
    'too_few_pairs'
    >>> paired_change_note([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    'no_variance'
    """
    return _note(_paired_differences(pre, post), min_pairs)


def _note(d: np.ndarray, min_pairs: int) -> str | None:
    if d.size < min_pairs:
        return TOO_FEW_PAIRS
    if not (d != 0).any():
        return NO_VARIANCE
    return None


def paired_change(
    pre: Any,
    post: Any,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
) -> pd.Series:
    """Paired change from pre to post: signed-rank test, effect size and median change.

    Parameters
    ----------
    pre, post : array-like or pandas.Series
        One value per person at baseline and endline. Two Series are linked by their
        index (use pid); other inputs are linked by position. Pairs with a missing side
        are dropped and not counted in n.
    n_boot : int
        Bootstrap resamples for the CI of the median change.
    seed : int
        Seed of the ``numpy.random.Generator`` used by the bootstrap.
    min_pairs : int
        Below this many complete pairs the test, the effect size and the CI are not
        computed (NaN); `paired_change_note` says why.

    Returns
    -------
    pandas.Series
        Index ``n, statistic, p_value, rank_biserial, median_change, ci_low, ci_high``:

        - ``n``: complete pairs (zero differences included);
        - ``statistic``: R's V, the sum of ranks of the positive differences post − pre;
        - ``p_value``: two-sided, see `signed_rank_test`;
        - ``rank_biserial``: matched-pairs rank-biserial correlation (Kerby 2014);
        - ``median_change``: median of post − pre over all pairs;
        - ``ci_low``, ``ci_high``: percentile bootstrap 95 % CI of the median change,
          resampling pairs (Efron & Tibshirani 1993).

        With fewer than ``min_pairs`` pairs: n and median_change only. When every
        difference is zero: statistic, p_value and rank_biserial are NaN and the CI is
        [0, 0].

    Notes
    -----
    The test is exactly R's ``wilcox.test(post, pre, paired = TRUE)`` (exact p-value for
    fewer than 50 non-zero differences without ties; otherwise normal approximation with
    continuity and tie correction). With Likert data ties are the rule, so the p-value is
    usually the normal approximation; ``docs/statistics.md`` reports its false-positive
    rate at n = 6–30.

    References
    ----------
    .. [1] Hollander, M. & Wolfe, D. A. (1973). Nonparametric Statistical Methods. Wiley.
    .. [2] R Core Team. ``wilcox.test`` (package stats).
    .. [3] Kerby, D. S. (2014). The simple difference formula: an approach to teaching
       nonparametric correlation. Comprehensive Psychology, 3, 11.IT.3.1.
    .. [4] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
       Chapman & Hall, ch. 13.

    Examples
    --------
    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> res = paired_change(pre=y, post=x)
    >>> res[["n", "statistic", "p_value", "rank_biserial", "median_change"]].round(5).to_dict()
    {'n': 9.0, 'statistic': 40.0, 'p_value': 0.03906, 'rank_biserial': 0.77778, 'median_change': 0.49}
    """
    d = _paired_differences(pre, post)
    result = pd.Series(np.nan, index=PAIRED_CHANGE_FIELDS, dtype=float, name="paired_change")
    result["n"] = d.size
    if d.size:
        result["median_change"] = float(np.median(d))
    note = _note(d, min_pairs)
    if note == TOO_FEW_PAIRS:
        return result
    if note is None:
        statistic, p_value, biserial = signed_rank_test(d)
        result["statistic"] = statistic
        result["p_value"] = p_value
        result["rank_biserial"] = biserial
    result["ci_low"], result["ci_high"] = bootstrap_ci(d, np.median, n_boot=n_boot, seed=seed)
    return result


def bootstrap_ci(
    values: Any,
    statistic: Callable[..., Any] = np.median,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``statistic(values)``.

    Parameters
    ----------
    values : array-like of float
        The sample (e.g. paired differences); NaN values are dropped.
    statistic : callable
        Function of a 1-D array. If it accepts ``axis=`` (numpy reductions do), all
        resamples are evaluated at once.
    n_boot : int
        Number of resamples (with replacement, same size as the sample).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same interval.
    level : float
        Confidence level, between 0 and 1.

    Returns
    -------
    tuple of float
        (low, high): the (1 − level)/2 and (1 + level)/2 quantiles of the bootstrap
        distribution; (NaN, NaN) for an empty sample.

    Notes
    -----
    The percentile interval (Efron & Tibshirani 1993, §13.3). For the median of small
    discrete samples it is conservative; ``docs/statistics.md`` reports its coverage.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
       Chapman & Hall.

    Examples
    --------
    >>> bootstrap_ci([0, 1, 1, 2, 1, 0, 1, 2, 1, 1], n_boot=1000, seed=1)
    (0.5, 1.5)
    """
    if not 0 < level < 1:
        raise AnalysisError(f"level must be between 0 and 1, got {level}.")
    if n_boot < 1:
        raise AnalysisError(f"n_boot must be at least 1, got {n_boot}.")
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    samples = x[rng.integers(0, x.size, size=(n_boot, x.size))]
    try:
        estimates = np.asarray(statistic(samples, axis=1), dtype=float)
        if estimates.shape != (n_boot,):
            raise TypeError
    except TypeError:
        estimates = np.array([statistic(row) for row in samples], dtype=float)
    tail = (1 - level) / 2
    low, high = np.quantile(estimates, [tail, 1 - tail])
    return float(low), float(high)


def cronbach_alpha(items: pd.DataFrame, *, ci: float = 0.95) -> pd.Series:
    """Cronbach's alpha of a multi-item scale, with Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame
        Wide table: one row per respondent, one column per item (numeric codes).
        Respondents with any missing item are dropped (listwise deletion).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    pandas.Series
        Index ``alpha, ci_low, ci_high, n, k``: n complete respondents, k items. alpha
        and its CI are NaN with fewer than 2 complete respondents or when the total score
        does not vary.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\right)

    with :math:`s_i^2` the item variances and :math:`s_X^2` the variance of the total
    score (ddof = 1). The interval is Feldt's, from
    :math:`(1-\\hat\\alpha)/(1-\\alpha) \\sim F(n-1, (n-1)(k-1))`:

    .. math:: [1 - (1-\\hat\\alpha) F_{1-\\gamma/2},\\; 1 - (1-\\hat\\alpha) F_{\\gamma/2}]

    with :math:`F_q` the q-quantile and :math:`\\gamma = 1 - ci`, as in
    ``pingouin.cronbach_alpha`` (which is tested against R's psych).

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
       tests. Psychometrika, 16, 297–334.
    .. [2] Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
       reliability coefficient twenty. Psychometrika, 30, 357–370.
    .. [3] Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93–103.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"q1": [3, 4, 2, 5, 4], "q2": [3, 5, 2, 4, 4],
    ...                       "q3": [2, 4, 3, 5, 5]})
    >>> cronbach_alpha(items).round(4).to_dict()
    {'alpha': 0.8857, 'ci_low': 0.4226, 'ci_high': 0.9873, 'n': 5.0, 'k': 3.0}
    """
    if not isinstance(items, pd.DataFrame):
        raise AnalysisError("items must be a DataFrame with one column per item.")
    k = items.shape[1]
    if k < 2:
        raise AnalysisError(f"Cronbach's alpha needs at least 2 items, got {k}.")
    if not 0 < ci < 1:
        raise AnalysisError(f"ci must be between 0 and 1, got {ci}.")
    try:
        data = items.apply(pd.to_numeric).astype(float).dropna(axis=0, how="any")
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"items must hold numeric codes: {exc}") from None
    n = data.shape[0]
    result = pd.Series(
        {"alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": float(n), "k": float(k)},
        name="cronbach_alpha",
    )
    if n < 2:
        return result
    total_var = data.sum(axis=1).var(ddof=1)
    if not total_var > 0:
        return result
    alpha = k / (k - 1) * (1 - data.var(ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1 - ci
    result["alpha"] = alpha
    result["ci_low"] = 1 - (1 - alpha) * sps.f.isf(gamma / 2, df1, df2)
    result["ci_high"] = 1 - (1 - alpha) * sps.f.isf(1 - gamma / 2, df1, df2)
    return result


def holm(pvalues: Any) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN entries stay NaN and do not count.

    Parameters
    ----------
    pvalues : array-like of float
        Unadjusted p-values of one family of tests, NaN for tests not run.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Notes
    -----
    With the m non-missing p-values sorted, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`,
    :math:`\\tilde p_{(i)} = \\min(1, \\max_{j \\le i} (m - j + 1) p_{(j)})`. Same as
    ``statsmodels.stats.multitest.multipletests(method="holm")`` and R's
    ``p.adjust(method = "holm")`` (which also skip NA).

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6, 65–70.

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(4).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise AnalysisError("p-values must lie between 0 and 1.")
    values = p[ok]
    m = values.size
    order = np.argsort(values, kind="stable")
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * values[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    out[ok] = adjusted
    return out
