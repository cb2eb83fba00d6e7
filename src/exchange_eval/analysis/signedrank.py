"""Wilcoxon signed-rank inference for paired differences, as R computes it.

Three things a paired before/after comparison needs, each reproducible in R:

- the test (`signed_rank_test`): R's statistic V, and a two-sided p-value that is exact
  whenever it can be — the exact null distribution without ties or zeros (R's
  ``psignrank``), the exact *conditional* (permutation) distribution given the ties and
  zeros at small n, R's normal approximation otherwise — with the method named;
- the Hodges–Lehmann shift and its distribution-free confidence interval from inverting
  the test (`hodges_lehmann`), exactly as ``wilcox.test(post, pre, paired = TRUE,
  conf.int = TRUE)`` computes them: the order statistics of the Walsh averages when R
  uses the exact test, R's root-finding on the normal approximation (continuity and
  tie corrections, ``uniroot`` with ``tol = 1e-4``) otherwise;
- the exact conditional distribution itself (`conditional_null_counts`), counted over
  the 2^n sign flips of the non-zero differences.

Zero differences are dropped before ranking (Wilcoxon's convention, R's only one).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special
from scipy import stats as sps

from . import AnalysisError

__all__ = [
    "EXACT",
    "EXACT_CONDITIONAL",
    "NORMAL",
    "EXACT_MAX_PAIRS",
    "R_EXACT_BELOW",
    "signed_rank_test",
    "conditional_null_counts",
    "signrank_counts",
    "hodges_lehmann",
    "r_uniroot",
]

#: p-value / interval method: the exact null distribution of V (no ties, no zeros), R's.
EXACT = "exact"
#: p-value method: exact permutation distribution given the ties and zeros (2^n sign flips).
EXACT_CONDITIONAL = "exact_conditional"
#: p-value / interval method: normal approximation with continuity and tie corrections, R's.
NORMAL = "normal"
#: Default largest number of non-zero differences for the exact conditional p-value.
EXACT_MAX_PAIRS = 20
#: R uses the exact distribution of V below this many non-zero differences (no ties or zeros).
R_EXACT_BELOW = 50

_DBL_EPSILON = np.finfo(float).eps
_DBL_MAX = np.finfo(float).max
# |S - E| >= |s - E| is decided on doubled ranks (integers), so a small tolerance suffices
_TIE_TOLERANCE = 1e-7


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of ``values`` (R's ``rank``, scipy's ``rankdata``) and the sizes of
    the groups of ties, in one pass (this runs inside the root finding)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    new_value = np.empty(ordered.size + 1, dtype=bool)
    new_value[0] = new_value[-1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_value[1:-1])
    bounds = new_value.nonzero()[0]
    starts, sizes = bounds[:-1], bounds[1:] - bounds[:-1]
    average = starts + (sizes + 1) / 2  # 1-based rank of the middle of each tie group
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(average, sizes)
    return ranks, sizes


def _finite(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[np.isfinite(x)]


def signrank_counts(n: int) -> np.ndarray:
    """Number of the 2^n sign assignments of ranks 1..n giving each V = 0..n(n+1)/2
    (the distribution behind R's ``dsignrank``).

    >>> signrank_counts(3).astype(int).tolist()
    [1, 1, 1, 2, 1, 1, 1]
    """
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.float64)
    counts[0] = 1
    top = 0
    for rank in range(1, n + 1):
        counts[rank : top + rank + 1] += counts[: top + 1].copy()
        top += rank
    return counts


def conditional_null_counts(ranks: Any) -> tuple[np.ndarray, int]:
    """Permutation distribution of the signed-rank statistic given the (average) ranks.

    Each of the 2^n sign flips of the non-zero differences is equally likely under the
    null hypothesis of a distribution symmetric about zero; V is the sum of the ranks
    that get a plus sign. The flips are counted, not listed: ranks are average ranks,
    so ``2 * rank`` is a whole number and the count of flips reaching each doubled sum
    follows from one pass per rank (the shift algorithm of Streitberg & Röhmel, 1986).

    Parameters
    ----------
    ranks : array-like of float
        Average ranks of |d| of the non-zero differences (multiples of 1/2).

    Returns
    -------
    counts : numpy.ndarray
        ``counts[s]`` = number of sign flips with ``2 * V == s``; they sum to 2^n.
    scale : int
        2 (the index is twice V).

    Examples
    --------
    Ranks 1.5, 1.5, 3 (two tied differences): V takes 0, 1.5, 3, 4.5, 6 with counts
    1, 2, 2, 2, 1.

    >>> counts, scale = conditional_null_counts([1.5, 1.5, 3])
    >>> {s / scale: int(c) for s, c in enumerate(counts) if c}
    {0.0: 1, 1.5: 2, 3.0: 2, 4.5: 2, 6.0: 1}
    """
    doubled = np.rint(2 * np.asarray(ranks, dtype=float)).astype(np.int64)
    if (np.abs(doubled - 2 * np.asarray(ranks, dtype=float)) > 1e-6).any():
        raise AnalysisError("ranks must be average ranks (multiples of 1/2).")
    counts = np.zeros(int(doubled.sum()) + 1, dtype=np.float64)
    counts[0] = 1
    top = 0
    for score in doubled:
        counts[score : top + score + 1] += counts[: top + 1].copy()
        top += int(score)
    return counts, 2


def _p_from_counts(counts: np.ndarray, scale: int, statistic: float) -> float:
    """Two-sided p = P(|V - E| >= |v - E|) under the (symmetric) permutation distribution."""
    support = np.arange(counts.size) / scale
    centre = support[-1] / 2
    extreme = np.abs(support - centre) >= abs(statistic - centre) - _TIE_TOLERANCE
    return float(min(1.0, counts[extreme].sum() / counts.sum()))


def _normal_p(statistic: float, n: int, tie_sizes: np.ndarray, correct: bool) -> float:
    """R's normal approximation: continuity correction 1/2 toward the mean, tie correction."""
    centred = statistic - n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(tie_sizes**3 - tie_sizes)) / 48)
    correction = np.sign(centred) * 0.5 if correct else 0.0
    z = (centred - correction) / sigma
    return float(min(1.0, 2 * min(sps.norm.cdf(z), sps.norm.sf(z))))


def signed_rank_test(
    differences: Any, *, exact_max_pairs: int = EXACT_MAX_PAIRS, correct: bool = True
) -> dict[str, Any]:
    """Wilcoxon signed-rank test of paired differences, with the p-value method named.

    Parameters
    ----------
    differences : array-like of float
        post − pre for each complete pair (NaN dropped).
    exact_max_pairs : int, default 20
        Up to this many non-zero differences, the p-value is exact: from the exact
        conditional distribution given the ties and zeros (every one of the 2^n sign
        flips counted, `conditional_null_counts`). 0 turns it off (R's rule only).
    correct : bool, default True
        Continuity correction of the normal approximation (R's ``correct``).

    Returns
    -------
    dict
        ``statistic`` (V: sum of the ranks of the positive differences), ``p_value``
        (two-sided), ``p_method`` (`EXACT`, `EXACT_CONDITIONAL` or `NORMAL`),
        ``n_nonzero``, ``ties`` and ``zeros`` (whether there were any), ``rank_biserial``
        (matched-pairs rank-biserial correlation, Kerby 2014) and ``p_value_r`` — the
        p-value R's ``wilcox.test(post, pre, paired = TRUE)`` prints (R < 4.6), equal to
        ``p_value`` unless the exact conditional one was used. NaN statistic and
        p-values when every difference is zero.

    Notes
    -----
    Zero differences are dropped and tied |d| get average ranks (R, and scipy's
    ``zero_method="wilcox"``). The p-value is chosen in this order:

    1. ``n_nonzero <= exact_max_pairs``: exact. Without ties or zeros this is the exact
       distribution of V that R uses (`EXACT`); with ties or zeros it is the exact
       conditional distribution given them (`EXACT_CONDITIONAL`): under the null each
       non-zero difference is equally likely to be positive or negative, so every sign
       flip of the observed |d| is equally likely, and p = P(|V* − E| ≥ |V − E|).
       Reproduce it in R with ``coin::wilcoxsign_test(post ~ pre, zero.method =
       "Wilcoxon", distribution = "exact")``; R ≥ 4.6 ``wilcox.test`` gives it too when
       there are ties but no zeros.
    2. Otherwise R's rule: the exact distribution of V when there are fewer than 50
       non-zero differences and no ties or zeros (`EXACT`), else the normal approximation
       with continuity correction ½·sign(V − E) and tie correction (`NORMAL`),

       .. math:: z = \\frac{V - n(n+1)/4 - \\tfrac12\\operatorname{sign}(V - n(n+1)/4)}
                 {\\sqrt{n(n+1)(2n+1)/24 - \\sum_j (t_j^3 - t_j)/48}}.

    With Likert data ties and zeros are the rule, so at a round's size the p-value is
    the exact conditional one; it never exceeds the nominal level under the null
    (``docs/statistics.md`` reports the simulated rates).

    References
    ----------
    .. [1] Hollander, M., Wolfe, D. A. & Chicken, E. (2014). Nonparametric Statistical
       Methods (3rd ed.), ch. 3. Wiley.
    .. [2] Streitberg, B. & Röhmel, J. (1986). Exact distributions for permutation and
       rank tests. Statistical Software Newsletter, 12, 10–17.
    .. [3] Kerby, D. S. (2014). The simple difference formula. Comprehensive
       Psychology, 3, 11.IT.3.1.
    .. [4] R Core Team. ``wilcox.test`` (package stats); Hothorn, T. et al. ``coin``.

    Examples
    --------
    Hollander & Wolfe's depression scores (R's ``?wilcox.test``), x − y:

    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> res = signed_rank_test([a - b for a, b in zip(x, y)])
    >>> res["statistic"], round(res["p_value"], 5), res["p_method"]
    (40.0, 0.03906, 'exact')

    Likert changes with ties and a zero: the exact conditional p next to R's normal one.

    >>> res = signed_rank_test([1, 1, 2, 1, 0, 1, -1, 2])
    >>> res["p_method"], round(res["p_value"], 4), round(res["p_value_r"], 4)
    ('exact_conditional', 0.0938, 0.065)
    """
    d = _finite(differences)
    zeros = bool((d == 0).any())
    d = d[d != 0]
    n = int(d.size)
    out: dict[str, Any] = {"statistic": np.nan, "p_value": np.nan, "p_method": None, "n_nonzero": n,
                           "ties": False, "zeros": zeros, "rank_biserial": np.nan, "p_value_r": np.nan}
    if n == 0:
        return out
    ranks, tie_sizes = _average_ranks(np.abs(d))
    statistic = float(ranks[d > 0].sum())
    ties = bool((tie_sizes > 1).any())
    total = n * (n + 1) / 2
    out.update(statistic=statistic, ties=ties, rank_biserial=float((2 * statistic - total) / total))
    if n < R_EXACT_BELOW and not ties and not zeros:
        r_p = _p_from_counts(signrank_counts(n), 1, statistic)
        r_method = EXACT
    else:
        r_p = _normal_p(statistic, n, tie_sizes, correct)
        r_method = NORMAL
    out["p_value_r"] = r_p
    if n <= exact_max_pairs and r_method != EXACT:
        counts, scale = conditional_null_counts(ranks)
        out.update(p_value=_p_from_counts(counts, scale, statistic), p_method=EXACT_CONDITIONAL)
    else:
        out.update(p_value=r_p, p_method=r_method)
    return out


# --------------------------------------------------------------------------- R's uniroot
def r_uniroot(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    f_lower: float | None = None,
    f_upper: float | None = None,
    tol: float = _DBL_EPSILON**0.25,
    maxiter: int = 1000,
) -> float:
    """R's ``uniroot`` (Brent's method, ``R_zeroin2`` in ``src/library/stats/src/zeroin.c``),
    ported step for step so that roots of step functions land where R's do.

    Parameters
    ----------
    f : callable
        Function of one float; a non-finite value is replaced by ±DBL_MAX as R does.
    lower, upper : float
        The bracket; ``f(lower)`` and ``f(upper)`` must not have the same sign.
    f_lower, f_upper : float, optional
        Known values at the ends (R's ``f.lower``, ``f.upper``).
    tol, maxiter
        R's ``tol`` (default ``.Machine$double.eps^0.25``) and ``maxiter``.

    Returns
    -------
    float
        The root R returns.

    Examples
    --------
    >>> round(r_uniroot(lambda x: x * x - 2, 0, 2, tol=1e-10), 10)
    1.4142135624
    """

    def value(x: float) -> float:
        y = float(f(x))
        if math.isnan(y) or y == math.inf:
            return _DBL_MAX
        if y == -math.inf:
            return -_DBL_MAX
        return y

    if not lower < upper:
        raise AnalysisError("uniroot needs lower < upper.")
    fa = value(lower) if f_lower is None else f_lower
    fb = value(upper) if f_upper is None else f_upper
    if fa * fb > 0:
        raise AnalysisError("f() values at end points not of opposite sign.")
    a, b = float(lower), float(upper)
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _DBL_EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = value(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


# --------------------------------------------------------------------------- Hodges–Lehmann
def _qsignrank(p: float, n: int) -> int:
    """R's ``qsignrank(p, n)`` for p <= 0.5: the smallest q with P(V <= q) >= p (with R's fuzz)."""
    cumulative = np.cumsum(signrank_counts(n)) / 2.0**n
    return int(np.argmax(cumulative >= p - 10 * _DBL_EPSILON))


def _psignrank(q: float, n: int) -> float:
    """R's ``psignrank(q, n)``: P(V <= q)."""
    q_int = int(math.floor(q + 1e-7))
    if q_int < 0:
        return 0.0
    counts = signrank_counts(n)
    return float(counts[: q_int + 1].sum() / 2.0**n)


def _walsh_averages(x: np.ndarray) -> np.ndarray:
    """(x_i + x_j) / 2 for i <= j, sorted (R: ``outer(x, x, "+")`` upper triangle / 2)."""
    i, j = np.triu_indices(x.size)
    return np.sort((x[i] + x[j]) / 2)


def _r_signif(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}") if x else 0.0


def _exact_interval(x: np.ndarray, conf_level: float) -> dict[str, Any]:
    n = x.size
    alpha = 1 - conf_level
    diffs = _walsh_averages(x)
    qu = _qsignrank(alpha / 2, n)
    if qu == 0:
        qu = 1
    ql = n * (n + 1) // 2 - qu
    achieved = 2 * _psignrank(math.trunc(qu) - 1, n)
    level = conf_level
    warnings = []
    if achieved - alpha > alpha / 2:
        warnings.append("requested conf.level not achievable")
        level = 1 - _r_signif(achieved, 2)
    return {"estimate": float(np.median(diffs)), "ci_low": float(diffs[qu - 1]), "ci_high": float(diffs[ql]),
            "ci_level": level, "ci_method": EXACT, "warnings": warnings}


def _standardized_statistic(x: np.ndarray, d: float, correct: bool) -> float:
    """R's ``W(d)``: the standardized signed-rank statistic of x − d (zeros of x − d dropped)."""
    xd = x - d
    xd = xd[xd != 0]
    nx = xd.size
    ranks, tie_sizes = _average_ranks(np.abs(xd))
    zd = float(ranks[xd > 0].sum()) - nx * (nx + 1) / 4
    sigma = math.sqrt(max(nx * (nx + 1) * (2 * nx + 1) / 24 - float(np.sum(tie_sizes**3 - tie_sizes)) / 48, 0.0))
    correction = (0.5 if zd > 0 else -0.5 if zd < 0 else 0.0) if correct else 0.0
    numerator = zd - correction
    if sigma == 0:  # R: x / 0 is Inf, -Inf or NaN
        return math.nan if numerator == 0 else math.copysign(math.inf, numerator)
    return numerator / sigma


def _normal_interval(x: np.ndarray, conf_level: float, correct: bool, tol_root: float) -> dict[str, Any]:
    n = x.size
    warnings: list[str] = []
    nan_result = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "ci_level": 0.0,
                  "ci_method": NORMAL, "warnings": warnings}
    if n == 0:
        return nan_result
    mumin, mumax = float(x.min()), float(x.max())

    def w_corrected(d: float) -> float:
        return _standardized_statistic(x, d, correct)

    w_min = w_corrected(mumin)
    w_max = w_corrected(mumax) if math.isfinite(w_min) else math.nan
    if not math.isfinite(w_max):
        warnings.append("cannot compute confidence interval when all observations are zero or tied")
        return {**nan_result, "estimate": (mumin + mumax) / 2}
    alpha = 1 - conf_level
    level = conf_level
    while True:
        mindiff = w_min + special.ndtri(alpha / 2)  # qnorm(alpha / 2, lower.tail = FALSE)
        maxdiff = w_max - special.ndtri(alpha / 2)
        if mindiff < 0 or maxdiff > 0:
            alpha *= 2
        else:
            break
    if alpha >= 1 or 1 - conf_level < alpha * 0.75:
        level = 1 - min(1.0, alpha)
        warnings.append("requested conf.level not achievable")
    if alpha < 1:
        def root(zq: float) -> float:
            return r_uniroot(lambda d: w_corrected(d) - zq, mumin, mumax,
                             f_lower=w_min - zq, f_upper=w_max - zq, tol=tol_root)

        low, high = float(root(-special.ndtri(alpha / 2))), float(root(special.ndtri(alpha / 2)))
    else:
        low = high = float(np.median(x))
    # the estimate: the root of the statistic without continuity correction
    estimate = float(r_uniroot(lambda d: _standardized_statistic(x, d, False), mumin, mumax, tol=tol_root))
    return {"estimate": estimate, "ci_low": low, "ci_high": high, "ci_level": level, "ci_method": NORMAL,
            "warnings": warnings}


def hodges_lehmann(
    differences: Any,
    *,
    conf_level: float = 0.95,
    correct: bool = True,
    tol_root: float = 1e-4,
    zeros: str = "keep",
) -> dict[str, Any]:
    """Hodges–Lehmann shift of paired differences and its confidence interval from
    inverting the signed-rank test, exactly as R's ``wilcox.test(post, pre, paired =
    TRUE, conf.int = TRUE)`` computes them.

    Parameters
    ----------
    differences : array-like of float
        post − pre for each complete pair (NaN dropped).
    conf_level : float, default 0.95
        Requested confidence level (R's ``conf.level``).
    correct : bool, default True
        Continuity correction in the normal approximation (R's ``correct``).
    tol_root : float, default 1e-4
        Tolerance of the root finding (R's ``tol.root``).
    zeros : {"keep", "drop"}, default "keep"
        ``"keep"``: the interval inverts the test on all differences (a shift d turns
        the zeros into −d), as R ≥ 4.6 does when there are zeros. ``"drop"``: zero
        differences are removed before the estimate and the interval are computed, as in
        R 4.0–4.5 (``wilcox.test`` drops them once, for the test, and the interval
        inherits that); with many unchanged pairs this moves the estimate away from 0
        and the interval under-covers (``docs/statistics.md``).

    Returns
    -------
    dict
        ``estimate`` (R's "(pseudo)median"), ``ci_low``, ``ci_high``, ``ci_level`` (the
        level R reports: lower than requested when R warns "requested conf.level not
        achievable", 0 when no interval exists), ``ci_method`` (`EXACT` or `NORMAL`)
        and ``warnings`` (R's warnings, as text).

    Notes
    -----
    With x the differences used and n their number, R uses the exact interval when
    n < 50 and there are neither ties nor zeros (Hollander & Wolfe): the Walsh averages
    :math:`(x_i + x_j)/2, i \\le j` sorted, q = ``qsignrank(α/2, n)`` (at least 1), and
    the interval :math:`[W_{(q)}, W_{(n(n+1)/2 - q + 1)}]`; the estimate is their median.
    Otherwise — and this is where R warns "cannot compute exact confidence interval with
    ties" (or "with zeroes") — it finds, between min(x) and max(x), the shifts d where
    the standardized statistic of x − d (tie-corrected, continuity-corrected by ½)
    crosses the normal quantiles ±z(α/2), with ``uniroot(tol = tol.root)``; α is doubled
    until both ends bracket a root (then R warns "requested conf.level not achievable").
    The estimate is the root of the uncorrected statistic. The root finder is a port of
    R's (`r_uniroot`), so the ends land within ``tol_root`` of the same Walsh average as
    R's (e.g. −1.0000148 to −0.9999398) and agree with R to rounding error.

    References
    ----------
    .. [1] Hodges, J. L. & Lehmann, E. L. (1963). Estimates of location based on rank
       tests. Annals of Mathematical Statistics, 34, 598–611.
    .. [2] Bauer, D. F. (1972). Constructing confidence sets using rank statistics.
       JASA, 67, 687–690.
    .. [3] Hollander, M., Wolfe, D. A. & Chicken, E. (2014). Nonparametric Statistical
       Methods (3rd ed.), §3.2–3.3. Wiley.
    .. [4] R Core Team. ``wilcox.test`` (package stats), R 4.2.

    Examples
    --------
    Hollander & Wolfe's depression scores: no ties, so the exact interval.

    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> res = hodges_lehmann([a - b for a, b in zip(x, y)])
    >>> {k: round(res[k], 4) for k in ("estimate", "ci_low", "ci_high")}, res["ci_method"]
    ({'estimate': 0.46, 'ci_low': 0.01, 'ci_high': 0.786}, 'exact')
    """
    if zeros not in ("drop", "keep"):
        raise AnalysisError(f'zeros must be "drop" or "keep", got {zeros!r}.')
    if not 0 < conf_level < 1:
        raise AnalysisError(f"conf_level must be between 0 and 1, got {conf_level}.")
    d = _finite(differences)
    has_zeros = bool((d == 0).any())
    x = d[d != 0] if zeros == "drop" else d
    nonzero = d[d != 0]
    ties = bool(nonzero.size != np.unique(np.abs(nonzero)).size)
    if x.size and x.size < R_EXACT_BELOW and not ties and not has_zeros:
        return _exact_interval(x, conf_level)
    result = _normal_interval(x, conf_level, correct, tol_root)
    if x.size and x.size < R_EXACT_BELOW:
        if ties:
            result["warnings"].append("cannot compute exact confidence interval with ties")
        if has_zeros:
            result["warnings"].append("cannot compute exact confidence interval with zeroes")
    return result
