"""Shares with confidence intervals: who improved, stayed the same or got worse.

For a single Likert question the change a reader understands is "7 of 11 officials rated
themselves higher after the exchange, 1 lower". `change_shares` gives the three shares
with Wilson score intervals and the net share (improved − worse) with Newcombe's
interval for a difference of proportions from the same people.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from . import AnalysisError

__all__ = ["CHANGE_SHARE_FIELDS", "wilson_interval", "newcombe_paired_interval", "change_shares"]

#: Keys of `change_shares`, in order.
CHANGE_SHARE_FIELDS = [
    "n_improved", "n_unchanged", "n_worse",
    "share_improved", "share_improved_low", "share_improved_high",
    "share_unchanged", "share_unchanged_low", "share_unchanged_high",
    "share_worse", "share_worse_low", "share_worse_high",
    "net_improved", "net_improved_low", "net_improved_high",
]


def wilson_interval(successes: int, n: int, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion.

    Parameters
    ----------
    successes, n : int
        Count and number of trials (NaN, NaN when n = 0).
    conf_level : float
        Confidence level.

    Returns
    -------
    tuple of float
        (low, high).

    Notes
    -----
    With p̂ = x/n and z the 1 − α/2 normal quantile,

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}.

    R: ``prop.test(x, n, correct = FALSE)$conf.int`` (or ``binom::binom.wilson``);
    Python: ``scipy.stats.binomtest(x, n).proportion_ci(method="wilson")``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. JASA, 22, 209–212.
    .. [2] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a
       binomial proportion. Statistical Science, 16, 101–133.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(7, 11)]
    [0.3538, 0.8483]
    """
    if n < 0 or successes < 0 or successes > n:
        raise AnalysisError(f"a proportion needs 0 <= successes <= n, got {successes} of {n}.")
    if n == 0:
        return math.nan, math.nan
    z = float(-special.ndtri((1 - conf_level) / 2))
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    low, high = (centre - half) / denom, (centre + half) / denom
    # exact ends at 0 and n (the formula gives them up to rounding)
    return (0.0 if successes == 0 else max(0.0, low)), (1.0 if successes == n else min(1.0, high))


def newcombe_paired_interval(
    a: int, b: int, c: int, d: int, conf_level: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for a difference of paired proportions.

    Parameters
    ----------
    a, b, c, d : int
        The paired 2 × 2 table: a = yes/yes, b = yes/no, c = no/yes, d = no/no; the
        difference is (a + b)/n − (a + c)/n = (b − c)/n.
    conf_level : float
        Confidence level.

    Returns
    -------
    tuple of float
        (difference, low, high).

    Notes
    -----
    Newcombe's method 10 (1998b): with Wilson limits (l₁, u₁) of p₁ = (a+b)/n and
    (l₂, u₂) of p₂ = (a+c)/n,

    .. math:: L = \\Delta - \\sqrt{(p_1-l_1)^2 - 2\\hat\\phi(p_1-l_1)(u_2-p_2) + (u_2-p_2)^2}

    and U symmetrically, where φ̂ is the correlation of the two margins, with Newcombe's
    continuity adjustment (ad − bc − n/2 when ad − bc > n/2, 0 up to n/2) and 0 when a
    margin is empty. R: ``MKinfer::binomDiffCI(a, b, c, d, paired = TRUE, method =
    "wilson-cc")``, ``contingencytables::Newcombe_square_and_add_CI_paired_2x2``.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Improved confidence intervals for the difference
       between binomial proportions based on paired data. Statistics in Medicine, 17,
       2635–2650.
    .. [2] Fagerland, M. W., Lydersen, S. & Laake, P. (2017). Statistical Analysis of
       Contingency Tables, ch. 8. CRC Press.

    Examples
    --------
    Cavo et al. (2012) in Fagerland et al. (2017), ch. 8: −0.0621 (−0.1186 to −0.0046).

    >>> [round(v, 4) for v in newcombe_paired_interval(59, 6, 16, 80)]
    [-0.0621, -0.1186, -0.0046]
    """
    counts = [a, b, c, d]
    if min(counts) < 0:
        raise AnalysisError("the cells of a paired table cannot be negative.")
    n = a + b + c + d
    if n == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = (a + b) / n, (a + c) / n
    diff = p1 - p2
    l1, u1 = wilson_interval(a + b, n, conf_level)
    l2, u2 = wilson_interval(a + c, n, conf_level)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0
    if margins > 0:
        cross = a * d - b * c
        if cross > n / 2:
            phi = (cross - n / 2) / math.sqrt(margins)
        elif cross < 0:
            phi = cross / math.sqrt(margins)
    low = diff - math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    high = diff + math.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    return diff, max(-1.0, low), min(1.0, high)


def change_shares(differences: Any, conf_level: float = 0.95) -> dict[str, float]:
    """Shares of people who improved, did not change and got worse, with intervals.

    Parameters
    ----------
    differences : array-like of float
        post − pre of each complete pair (NaN dropped).
    conf_level : float
        Confidence level of every interval.

    Returns
    -------
    dict
        `CHANGE_SHARE_FIELDS`: the three counts; each share (0–1) with its Wilson score
        interval; ``net_improved`` = share improved − share worse, with Newcombe's paired
        interval (the two shares come from the same people, so their difference is a
        paired difference: a = 0, b = improved, c = worse, d = unchanged). NaN shares
        when there is no pair.

    Notes
    -----
    The net share is the sign test's effect: it is 0 exactly when as many improved as
    got worse. R: ``prop.test(n_improved, n, correct = FALSE)$conf.int`` for a share,
    ``MKinfer::binomDiffCI(0, n_improved, n_worse, n_unchanged, paired = TRUE,
    method = "wilson-cc")`` for the net share.

    Examples
    --------
    >>> s = change_shares([1, 1, 2, 0, 0, -1, 1, 1, 0, 1, 1])
    >>> s["n_improved"], s["n_unchanged"], s["n_worse"]
    (7, 3, 1)
    >>> round(s["net_improved"], 3), round(s["net_improved_low"], 3), round(s["net_improved_high"], 3)
    (0.545, 0.066, 0.798)
    """
    d = np.asarray(differences, dtype=float).ravel()
    d = d[np.isfinite(d)]
    n = int(d.size)
    counts = {"improved": int((d > 0).sum()), "unchanged": int((d == 0).sum()), "worse": int((d < 0).sum())}
    out: dict[str, float] = {f"n_{k}": v for k, v in counts.items()}
    for name, count in counts.items():
        low, high = wilson_interval(count, n, conf_level)
        out[f"share_{name}"] = count / n if n else math.nan
        out[f"share_{name}_low"], out[f"share_{name}_high"] = low, high
    net, low, high = newcombe_paired_interval(0, counts["improved"], counts["worse"], counts["unchanged"],
                                              conf_level)
    out.update(net_improved=net, net_improved_low=low, net_improved_high=high)
    return {key: out[key] for key in CHANGE_SHARE_FIELDS}
