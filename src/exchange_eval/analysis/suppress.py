"""Small-cell suppression: no breakdown reveals what two or three named officials said.

A delegation is two officials, so "country X rated the session 2/5" identifies people.
Every table broken down by a group (country, role, gender, organisation) goes through
`suppress_small`, which blanks the values of groups with fewer than k respondents and
says so in a ``suppressed`` column; the report prints "fewer than k respondents".

What is suppressed and what is not (the rule the reports follow)
------------------------------------------------------------------
- Answers (Likert distributions, means, medians, changes, shares, rates derived from
  answers) broken down by a group are suppressed when the group has fewer than k
  respondents. Round totals are not a breakdown and are shown whatever their size.
- Counts of people (invited, attending, responding) are shown at any size: who was in a
  delegation and who attended is known to everyone in the exchange. Their breakdowns
  carry a ``small_group`` flag instead (see `participation`).
- n itself is never blanked, so a reader always sees why a value is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import AnalysisError

__all__ = ["suppress_small", "min_group_size"]


def suppress_small(
    df: pd.DataFrame,
    n_col: str = "n",
    *,
    k: int,
    value_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank the values of rows whose group has fewer than k respondents.

    Parameters
    ----------
    df : pandas.DataFrame
        A breakdown table with one row per group (or per group × level), carrying the
        group's number of respondents in ``n_col``.
    n_col : str
        Column with the number of respondents the row's values rest on. For tables with
        one row per answer level, use the group total (e.g. ``n_item``), not the count in
        the level.
    k : int
        Minimum cell size (``settings.yaml`` ``privacy.min_cell_size``); rows with
        ``n_col < k`` (or missing) are suppressed.
    value_cols : sequence of str, optional
        Columns to blank. Default: every numeric column except ``n_col`` (booleans
        included, bare identifiers such as group labels never).

    Returns
    -------
    pandas.DataFrame
        A copy with the values of suppressed rows set to missing and a boolean
        ``suppressed`` column appended (an existing ``suppressed`` flag is kept: once
        suppressed, always suppressed).

    Notes
    -----
    Threshold rule ("minimum cell size", Statistics Canada / ONS disclosure control): a
    statistic is released only if it rests on at least k units.

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 5.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"country": ["SEN", "BFA"], "n": [4, 2], "mean": [3.5, 4.0]})
    >>> suppress_small(t, k=3)
      country  n  mean  suppressed
    0     SEN  4   3.5       False
    1     BFA  2   NaN        True
    """
    if not isinstance(df, pd.DataFrame):
        raise AnalysisError("suppress_small needs a DataFrame.")
    if n_col not in df.columns:
        raise AnalysisError(f"column {n_col!r} (the group size) is not in the table.")
    k = int(k)
    if value_cols is None:
        value_cols = [
            c
            for c in df.columns
            if c not in (n_col, "suppressed")
            and (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))
        ]
    else:
        missing = [c for c in value_cols if c not in df.columns]
        if missing:
            raise AnalysisError(f"value columns not in the table: {', '.join(missing)}.")
        value_cols = list(value_cols)
    out = df.copy()
    n = pd.to_numeric(out[n_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    small = ~(n >= k)  # NaN counts as small: a value whose n is unknown is not shown
    if "suppressed" in out.columns:
        small = small | out["suppressed"].fillna(True).astype(bool).to_numpy()
    for col in value_cols:
        if not small.any():
            break
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("boolean")
        elif pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].astype("Int64")
        out.loc[small, col] = np.nan if out[col].dtype.kind in "fc" else pd.NA
    out["suppressed"] = small
    return out


def min_group_size(df: pd.DataFrame, group_col: str | Sequence[str], pid_col: str = "pid") -> int:
    """Smallest number of distinct people in any group of ``df``.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table with a person identifier.
    group_col : str or sequence of str
        The grouping column(s), e.g. ``"country"``.
    pid_col : str
        Person identifier column.

    Returns
    -------
    int
        Minimum over groups of the number of distinct ``pid_col`` values (0 for an empty
        table). Compare with k before showing a breakdown.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b", "c"], "country": ["SEN", "SEN", "SEN", "BFA"]})
    >>> min_group_size(r, "country")
    1
    """
    cols = [group_col] if isinstance(group_col, str) else list(group_col)
    missing = [c for c in [*cols, pid_col] if c not in df.columns]
    if missing:
        raise AnalysisError(f"columns not in the table: {', '.join(missing)}.")
    if df.empty:
        return 0
    return int(df.groupby(cols, dropna=False)[pid_col].nunique().min())
