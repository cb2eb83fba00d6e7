"""Multiplicity: adjusted p-values over the table a reader scans.

A reader of a results table looks for the rows marked significant, so the chance of a
false positive is a property of the whole table, not of one row. `adjust_table` adjusts
the p-values of a table as one family (Holm, or Benjamini–Hochberg when configured),
with an optional pre-specified primary row tested first at the full level: the other
rows count only when the primary one is significant (serial gatekeeping), so the chance
of any false positive in the table stays at or below the level. Each row says which
family its adjusted p belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from . import AnalysisError

__all__ = ["METHODS", "PRIMARY", "holm", "benjamini_hochberg", "p_adjust", "adjust_table"]

#: Adjustment methods: R's ``p.adjust`` names.
METHODS = ("holm", "BH")
#: Family of the pre-specified primary row of a table.
PRIMARY = "primary"


def _checked(pvalues: Any) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(pvalues, dtype=float).ravel()
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise AnalysisError("p-values must lie between 0 and 1.")
    return p, ok


def _adjust_present(pvalues: Any, adjust_sorted: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``adjust_sorted`` (ascending p-values in, adjusted in the same order out) to
    the non-missing p-values; NaN entries stay NaN and do not count."""
    p, ok = _checked(pvalues)
    out = np.full(p.shape, np.nan)
    if not ok.any():
        return out
    values = p[ok]
    order = np.argsort(values, kind="stable")
    adjusted = np.empty(values.size)
    adjusted[order] = adjust_sorted(values[order])
    out[ok] = adjusted
    return out


def holm(pvalues: Any) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN entries stay NaN and do not count.

    Notes
    -----
    With the m non-missing p-values sorted, :math:`\\tilde p_{(i)} = \\min(1, \\max_{j \\le i}
    (m - j + 1) p_{(j)})`. R: ``p.adjust(p, method = "holm")``; statsmodels:
    ``multipletests(p, method="holm")`` on the non-missing values.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6, 65–70.

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(4).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    return _adjust_present(pvalues, _holm_sorted)


def _holm_sorted(ascending: np.ndarray) -> np.ndarray:
    m = ascending.size
    return np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * ascending))


def benjamini_hochberg(pvalues: Any) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (false discovery rate); NaN stays NaN.

    Notes
    -----
    :math:`\\tilde p_{(i)} = \\min(1, \\min_{j \\ge i} m\\,p_{(j)}/j)`. R: ``p.adjust(p,
    method = "BH")``; statsmodels: ``multipletests(p, method="fdr_bh")``. When no effect
    is real the false discovery rate is the chance of any false positive, so BH also
    keeps that at or below the level under the global null.

    References
    ----------
    .. [1] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
       JRSS B, 57, 289–300.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, float("nan"), 0.03]).round(4).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    return _adjust_present(pvalues, _bh_sorted)


def _bh_sorted(ascending: np.ndarray) -> np.ndarray:
    m = ascending.size
    descending = ascending[::-1]
    return np.minimum(1.0, np.minimum.accumulate(descending * m / (m - np.arange(m))))[::-1]


def p_adjust(pvalues: Any, method: str = "holm") -> np.ndarray:
    """Adjusted p-values by ``method`` (``"holm"`` or ``"BH"``), as R's ``p.adjust``.

    >>> p_adjust([0.01, 0.02], "BH").tolist()
    [0.02, 0.02]
    """
    if method == "holm":
        return holm(pvalues)
    if method == "BH":
        return benjamini_hochberg(pvalues)
    raise AnalysisError(f"unknown multiplicity method {method!r}; use one of {', '.join(METHODS)}.")


def adjust_table(
    table: pd.DataFrame,
    *,
    family: str,
    method: str = "holm",
    key: str | None = None,
    primary: Hashable | None = None,
    p_col: str = "p_value",
) -> pd.DataFrame:
    """Adjust the p-values of one table as one family, with an optional primary row.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per test, with ``p_col`` (NaN for tests not run).
    family : str
        Name of the family the rows belong to (e.g. ``"items"``), reported per row.
    method : {"holm", "BH"}
        Adjustment over the family (`p_adjust`).
    key, primary
        The pre-specified primary rows: those whose ``key`` column equals ``primary``
        (e.g. ``key="outcome", primary="new_knowledge"``; one per round in a table of
        rounds). None: no primary row.
    p_col : str
        Column of unadjusted p-values.

    Returns
    -------
    pandas.DataFrame
        A copy with ``family`` (`PRIMARY` for the primary row), ``p_adjusted`` and
        ``adjust_method`` added.

    Notes
    -----
    Serial gatekeeping (Dmitrienko & Tamhane 2007): the primary rows are tested first,
    at the full level (one primary row: its adjusted p is its p; several: adjusted among
    themselves); the other rows are adjusted among themselves and then raised to at
    least the largest adjusted primary p, so none of them is significant unless every
    primary one is. Under the global null the chance that the table shows any
    significant row is then at most the level (the primary family must reject first).
    When no primary row was tested, the whole table is one family. Rows with a NaN p
    keep a NaN adjusted p and do not count in m.

    References
    ----------
    .. [1] Dmitrienko, A. & Tamhane, A. C. (2007). Gatekeeping procedures with clinical
       trial applications. Pharmaceutical Statistics, 6, 171–180.
    .. [2] Holm, S. (1979). Scandinavian Journal of Statistics, 6, 65–70.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["a", "b", "c"], "p_value": [0.02, 0.01, 0.04]})
    >>> adjust_table(t, family="outcomes", key="outcome", primary="a")[["family", "p_adjusted"]]
         family  p_adjusted
    0   primary        0.02
    1  outcomes        0.02
    2  outcomes        0.04
    """
    if p_col not in table.columns:
        raise AnalysisError(f"the table has no p-value column {p_col!r}.")
    out = table.copy()
    p = pd.to_numeric(out[p_col], errors="coerce").to_numpy(dtype=float)
    is_primary = np.zeros(len(out), dtype=bool)
    if primary is not None and key is not None and key in out.columns:
        is_primary = (out[key] == primary).to_numpy(dtype=bool) & ~np.isnan(p)
    adjusted = np.full(len(out), np.nan)
    families = np.full(len(out), family, dtype=object)
    if is_primary.any():
        adjusted[is_primary] = p_adjust(p[is_primary], method)
        gate = float(np.max(adjusted[is_primary]))
        families[is_primary] = PRIMARY
        rest = ~is_primary
        adjusted[rest] = np.fmax(p_adjust(p[rest], method), gate) if rest.any() else adjusted[rest]
        adjusted[rest & np.isnan(p)] = np.nan
    else:
        adjusted = p_adjust(p, method)
    out["family"] = families
    out["p_adjusted"] = adjusted
    out["adjust_method"] = method
    return out
