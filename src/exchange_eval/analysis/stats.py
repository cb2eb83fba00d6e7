"""Statistics for tiny samples: paired change and reliability.

A round of an exchange has 6–30 officials answering 1–5 Likert questions, so every
estimate here comes with its n and an interval whose coverage is measured
(``make validate-stats``, ``docs/statistics.md``), tests are exact where they can be, and
each result says how to reproduce it in R.

Functions
---------
paired_change       One paired before/after comparison: shares improved / unchanged /
                    worse (Wilson, Newcombe), Wilcoxon signed-rank test (exact
                    conditional at small n), rank-biserial correlation, Hodges–Lehmann
                    shift with the interval from inverting the test.
paired_change_note  Why `paired_change` left its test fields empty (a reason code).
rank_biserial       Matched-pairs rank-biserial correlation.
cronbach_alpha      Cronbach's alpha (pairwise or listwise) with Feldt's interval, from a
                    minimum n.

The pieces live in `signedrank` (test, Hodges–Lehmann), `proportions` (shares) and
`multiplicity` (adjusted p-values over a table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import AnalysisError
from .proportions import CHANGE_SHARE_FIELDS, change_shares
from .signedrank import EXACT_MAX_PAIRS, hodges_lehmann, signed_rank_test

__all__ = [
    "PAIRED_CHANGE_FIELDS",
    "TOO_FEW_PAIRS",
    "NO_VARIANCE",
    "TOO_FEW_TO_ESTIMATE",
    "ALPHA_FIELDS",
    "PairedOptions",
    "paired_change",
    "paired_change_note",
    "difference_note",
    "paired_differences",
    "rank_biserial",
    "cronbach_alpha",
]

#: Index of the Series `paired_change` returns, in this order.
PAIRED_CHANGE_FIELDS = [
    "n",
    "n_nonzero",
    *CHANGE_SHARE_FIELDS,
    "median_change",
    "statistic",
    "p_value",
    "p_method",
    "p_value_r",
    "rank_biserial",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
]
#: Reason code: fewer linked pairs than ``min_pairs``.
TOO_FEW_PAIRS = "too_few_pairs"
#: Reason code: every pair has the same value before and after (or a constant score).
NO_VARIANCE = "no_variance"
#: Reason code: fewer respondents than the minimum for a reliability estimate.
TOO_FEW_TO_ESTIMATE = "too_few_to_estimate"
#: Index of the Series `cronbach_alpha` returns.
ALPHA_FIELDS = ["alpha", "ci_low", "ci_high", "n", "n_complete", "k", "estimable", "note"]


@dataclass(frozen=True)
class PairedOptions:
    """The settings of every paired comparison in a report (``settings.yaml`` ``stats``).

    Attributes
    ----------
    min_pairs : int
        Fewer complete pairs: no test and no shift (``stats.min_pairs``).
    exact_max_pairs : int
        Up to this many non-zero differences the p-value is exact (``stats.exact_max_pairs``).
    conf_level : float
        Level of every interval (1 − ``stats.alpha``).
    hl_zeros : str
        ``"keep"`` or ``"drop"``: zero differences in the Hodges–Lehmann interval
        (``stats.hl_zeros``).
    multiplicity : str
        ``"holm"`` or ``"BH"``: adjustment over each table (``stats.multiplicity``).

    >>> PairedOptions().paired_kwargs()
    {'min_pairs': 5, 'exact_max_pairs': 20, 'conf_level': 0.95, 'hl_zeros': 'keep'}
    """

    min_pairs: int = 5
    exact_max_pairs: int = EXACT_MAX_PAIRS
    conf_level: float = 0.95
    hl_zeros: str = "keep"
    multiplicity: str = "holm"

    def paired_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `paired_change`."""
        return {"min_pairs": self.min_pairs, "exact_max_pairs": self.exact_max_pairs,
                "conf_level": self.conf_level, "hl_zeros": self.hl_zeros}


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


def paired_differences(pre: Any, post: Any) -> np.ndarray:
    """post − pre for the complete pairs.

    Two Series are linked by their index (use pid); other inputs by position. Pairs with
    a missing side are dropped.

    >>> paired_differences([1, 2, None], [2, 2, 3]).tolist()
    [1.0, 0.0]
    """
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
    return post_values[keep] - pre_values[keep]


def rank_biserial(pre: Any, post: Any) -> float:
    """Matched-pairs rank-biserial correlation of post − pre (Kerby 2014).

    (sum of ranks of positive − sum of ranks of negative differences) / total rank sum,
    zeros dropped, ties averaged: +1 when everyone improved, −1 when everyone declined,
    NaN when no difference is non-zero. Equals 4V/(n(n+1)) − 1 with V the signed-rank
    statistic.

    References
    ----------
    .. [1] Kerby, D. S. (2014). The simple difference formula: an approach to teaching
       nonparametric correlation. Comprehensive Psychology, 3, 11.IT.3.1.

    Examples
    --------
    >>> rank_biserial(pre=[3, 3, 2, 4], post=[4, 5, 2, 3])
    0.5
    """
    return signed_rank_test(paired_differences(pre, post))["rank_biserial"]


def paired_change_note(pre: Any, post: Any, min_pairs: int = 5) -> str | None:
    """Why `paired_change` leaves its test fields empty, or None when it does not.

    Returns ``"too_few_pairs"`` (fewer than ``min_pairs`` complete pairs),
    ``"no_variance"`` (every difference is zero) or None.

    >>> paired_change_note([1, 2], [2, 3])
    'too_few_pairs'
    >>> paired_change_note([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    'no_variance'
    """
    return difference_note(paired_differences(pre, post), min_pairs)


def difference_note(d: np.ndarray, min_pairs: int) -> str | None:
    """`paired_change_note` of differences already computed."""
    if d.size < min_pairs:
        return TOO_FEW_PAIRS
    if not (d != 0).any():
        return NO_VARIANCE
    return None


def paired_change(
    pre: Any,
    post: Any,
    *,
    min_pairs: int = 5,
    exact_max_pairs: int = EXACT_MAX_PAIRS,
    conf_level: float = 0.95,
    hl_zeros: str = "keep",
) -> pd.Series:
    """Paired change from pre to post: who moved, the test, and the size of the shift.

    Parameters
    ----------
    pre, post : array-like or pandas.Series
        One value per person at baseline and endline. Two Series are linked by their
        index (use pid); other inputs by position. Pairs with a missing side are dropped
        and not counted in n.
    min_pairs : int, default 5
        Below this many complete pairs only the counts, shares and median are given (no
        test, no shift); `paired_change_note` says why.
    exact_max_pairs : int, default 20
        Up to this many non-zero differences the p-value is exact (conditional on ties
        and zeros); see `signedrank.signed_rank_test`.
    conf_level : float, default 0.95
        Level of every interval.
    hl_zeros : {"keep", "drop"}, default "keep"
        How the Hodges–Lehmann interval treats zero differences
        (`signedrank.hodges_lehmann`): ``"keep"`` inverts the test on all differences
        (R ≥ 4.6); ``"drop"`` reproduces R 4.0–4.5, which drops them first.

    Returns
    -------
    pandas.Series
        Index `PAIRED_CHANGE_FIELDS`:

        - ``n`` complete pairs (zero differences included), ``n_nonzero``;
        - ``n_improved, n_unchanged, n_worse`` and the shares with Wilson intervals,
          ``net_improved`` (improved − worse) with Newcombe's paired interval
          (`proportions.change_shares`);
        - ``median_change``: median of post − pre (descriptive; no interval);
        - ``statistic`` (R's V), ``p_value`` (two-sided), ``p_method`` (``exact``,
          ``exact_conditional`` or ``normal``), ``p_value_r`` (what R's default
          ``wilcox.test`` prints), ``rank_biserial``;
        - ``estimate``: the Hodges–Lehmann shift, with ``ci_low, ci_high`` from inverting
          the signed-rank test, ``ci_level`` (achieved, as R reports it) and
          ``ci_method`` (``exact`` or ``normal``).

        With fewer than ``min_pairs`` pairs the test and shift are NaN; when every
        difference is zero the test is NaN, the shift 0 and its interval NaN.

    Notes
    -----
    R, with ``d <- post - pre`` over the complete pairs:

    - test: ``wilcox.test(post, pre, paired = TRUE)`` when ``p_method`` is ``exact`` or
      ``normal``; ``coin::wilcoxsign_test(post ~ pre, zero.method = "Wilcoxon",
      distribution = "exact")`` when it is ``exact_conditional``;
    - shift and interval: ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)``
      ($estimate, $conf.int) — R 4.0–4.5 when there are no zero differences, R ≥ 4.6
      when there are (see ``hl_zeros``);
    - shares: ``prop.test(sum(d > 0), length(d), correct = FALSE)$conf.int``; net share:
      ``MKinfer::binomDiffCI(0, sum(d > 0), sum(d < 0), sum(d == 0), paired = TRUE,
      method = "wilson-cc")``.

    References
    ----------
    .. [1] Hollander, M., Wolfe, D. A. & Chicken, E. (2014). Nonparametric Statistical
       Methods (3rd ed.), ch. 3. Wiley.
    .. [2] Hodges, J. L. & Lehmann, E. L. (1963). Annals of Mathematical Statistics, 34,
       598–611.
    .. [3] Newcombe, R. G. (1998). Statistics in Medicine, 17, 2635–2650.
    .. [4] Kerby, D. S. (2014). Comprehensive Psychology, 3, 11.IT.3.1.

    Examples
    --------
    Hollander & Wolfe's depression scores (R's ``?wilcox.test``):

    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> res = paired_change(pre=y, post=x)
    >>> res[["n", "statistic", "p_value", "estimate", "ci_low", "ci_high"]].astype(float).round(5).to_dict()
    {'n': 9.0, 'statistic': 40.0, 'p_value': 0.03906, 'estimate': 0.46, 'ci_low': 0.01, 'ci_high': 0.786}
    >>> res["p_method"], res["n_improved"], res["n_worse"]
    ('exact', 7, 2)
    """
    d = paired_differences(pre, post)
    result = pd.Series(np.nan, index=PAIRED_CHANGE_FIELDS, dtype=object, name="paired_change")
    result["n"] = int(d.size)
    result["n_nonzero"] = int((d != 0).sum())
    for key, value in change_shares(d, conf_level).items():
        result[key] = value
    result["p_method"] = result["ci_method"] = None
    if d.size:
        result["median_change"] = float(np.median(d))
    note = difference_note(d, min_pairs)
    if note == TOO_FEW_PAIRS:
        return result
    if note == NO_VARIANCE:
        result["estimate"] = 0.0
        return result
    test = signed_rank_test(d, exact_max_pairs=exact_max_pairs)
    for key in ("statistic", "p_value", "p_method", "p_value_r", "rank_biserial"):
        result[key] = test[key]
    shift = hodges_lehmann(d, conf_level=conf_level, zeros=hl_zeros)
    for key in ("estimate", "ci_low", "ci_high", "ci_level", "ci_method"):
        result[key] = shift[key]
    return result


def cronbach_alpha(
    items: pd.DataFrame, *, ci: float = 0.95, min_n: int = 20, missing: str = "pairwise"
) -> pd.Series:
    """Cronbach's alpha of a multi-item scale, with Feldt's interval, from ``min_n`` people.

    Parameters
    ----------
    items : pandas.DataFrame
        Wide table: one row per respondent, one column per item (numeric codes).
    ci : float
        Confidence level of the interval.
    min_n : int, default 20
        Fewer respondents (per pair of items, with ``missing="pairwise"``) and alpha is
        not estimated: ``note`` is ``"too_few_to_estimate"`` and alpha and its interval
        are NaN. With n ≈ 10 its 95 % interval spans most of (−1, 1), which supports no
        conclusion about the scale.
    missing : {"pairwise", "listwise"}
        ``"pairwise"``: item variances and covariances each from everyone who answered
        both items (pandas ``DataFrame.cov``), n is the smallest of these pair counts;
        ``"listwise"``: only respondents who answered every item.

    Returns
    -------
    pandas.Series
        Index `ALPHA_FIELDS`: ``alpha, ci_low, ci_high``; ``n`` (people the estimate
        rests on: the smallest pairwise count, or the complete cases), ``n_complete``,
        ``k`` items; ``estimable`` (bool) and ``note`` (None, ``"too_few_to_estimate"``
        or ``"no_variance"``).

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\right)

    with C the item covariance matrix (ddof = 1). Feldt's interval, from
    :math:`(1-\\hat\\alpha)/(1-\\alpha) \\sim F(n-1, (n-1)(k-1))`:
    :math:`[1 - (1-\\hat\\alpha) F_{1-\\gamma/2}, 1 - (1-\\hat\\alpha) F_{\\gamma/2}]`.
    R: ``psych::alpha(items, use = "pairwise")$total$raw_alpha`` (pairwise) and
    ``pingouin.cronbach_alpha(items, nan_policy="pairwise")``; listwise:
    ``pingouin.cronbach_alpha(items, nan_policy="listwise")``. Pingouin's interval uses
    all rows as n even with missing answers; here n is the smallest pair count.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Psychometrika, 16, 297–334.
    .. [2] Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93–103.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"q1": [3, 4, 2, 5, 4], "q2": [3, 5, 2, 4, 4],
    ...                       "q3": [2, 4, 3, 5, 5]})
    >>> res = cronbach_alpha(items, min_n=5)
    >>> res[["alpha", "ci_low", "ci_high"]].astype(float).round(4).tolist(), res["estimable"]
    ([0.8857, 0.4226, 0.9873], True)
    >>> cronbach_alpha(items)["note"]
    'too_few_to_estimate'
    """
    if not isinstance(items, pd.DataFrame):
        raise AnalysisError("items must be a DataFrame with one column per item.")
    k = items.shape[1]
    if k < 2:
        raise AnalysisError(f"Cronbach's alpha needs at least 2 items, got {k}.")
    if not 0 < ci < 1:
        raise AnalysisError(f"ci must be between 0 and 1, got {ci}.")
    if missing not in ("pairwise", "listwise"):
        raise AnalysisError(f'missing must be "pairwise" or "listwise", got {missing!r}.')
    try:
        data = items.apply(pd.to_numeric).astype(float)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"items must hold numeric codes: {exc}") from None
    data = data.dropna(axis=0, how="all")
    complete = data.dropna(axis=0, how="any")
    if missing == "pairwise":
        answered = data.notna().astype(float)
        n = int((answered.T @ answered).to_numpy().min()) if len(data) else 0
    else:
        n = len(complete)
    result = pd.Series({"alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": n,
                        "n_complete": len(complete), "k": k, "estimable": False, "note": None},
                       index=ALPHA_FIELDS, dtype=object, name="cronbach_alpha")
    if n < max(int(min_n), 2):
        result["note"] = TOO_FEW_TO_ESTIMATE
        return result
    cov = data.cov() if missing == "pairwise" else complete.cov()
    total_var = float(cov.to_numpy().sum())
    if not np.isfinite(total_var) or not total_var > 0:
        result["note"] = NO_VARIANCE
        return result
    alpha = k / (k - 1) * (1 - float(np.trace(cov.to_numpy())) / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1 - ci
    result["alpha"] = alpha
    result["ci_low"] = float(1 - (1 - alpha) * sps.f.isf(gamma / 2, df1, df2))
    result["ci_high"] = float(1 - (1 - alpha) * sps.f.isf(1 - gamma / 2, df1, df2))
    result["estimable"] = True
    return result
