"""Small-cell suppression: no table reveals what one or two named officials said or did.

A delegation is two officials, so "country X rated the session 2/5" identifies people.
Every table broken down by a group (country, session, wave, round) goes through
`suppress_small` (primary suppression: the values of groups with fewer than k people
are blanked) and, because the report also prints totals, through
`complementary_suppression`: a single hidden row could be recovered as the total minus
the rows shown, so more rows are hidden until no hidden cell follows from any sum.

What is suppressed and what is not (the rule the reports follow)
------------------------------------------------------------------
- Answers (Likert distributions, means, medians, changes, shares, rates derived from
  answers) broken down by a group are suppressed when the group has fewer than k
  respondents, and complementary rows are suppressed with them.
- Counts of people broken down by country (invited, attending, attendance rate) are
  suppressed the same way: in a delegation of one or two, the attendance count says
  who attended.
- Round totals are not a breakdown and are shown whatever their size.
- A suppressed row shows neither its values nor its n (a shown n would bound the hidden
  cells and could pin them down); the ``suppressed`` flag stays and the report says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import AnalysisError

__all__ = ["PRIMARY", "SECONDARY", "suppress_small", "complementary_suppression", "hidden_cells_pinned",
           "min_group_size"]

#: ``suppression`` of a row withheld because its group has fewer than k people.
PRIMARY = "primary"
#: ``suppression`` of a row withheld so that the primary ones cannot be recovered from a total.
SECONDARY = "secondary"


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


def hidden_cells_pinned(hidden: Sequence[float], lower: float = 0.0) -> bool:
    """Whether subtracting the shown rows from the total pins down a hidden cell.

    A reader who knows the total learns the sum R of the hidden cells; with no upper
    bound on any of them (their n is not shown) and each at least ``lower``, one cell is
    determined exactly when R leaves no room: R = m · lower for m hidden cells (every
    cell at its lower bound), or m = 1.

    >>> hidden_cells_pinned([2]), hidden_cells_pinned([1, 2], lower=1), hidden_cells_pinned([1, 1], lower=1)
    (True, False, True)
    """
    values = [float(v) for v in hidden]
    if not values:
        return False
    return len(values) == 1 or sum(values) <= len(values) * lower


def complementary_suppression(
    df: pd.DataFrame,
    n_col: str = "n",
    *,
    k: int,
    within: str | Sequence[str] | None = None,
    count_cols: Sequence[str] = (),
    value_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Suppress more rows so that no withheld row can be recovered from a total.

    Parameters
    ----------
    df : pandas.DataFrame
        A breakdown with a ``suppressed`` flag (from `suppress_small`); missing, the
        rows with ``n_col < k`` are the primary ones.
    n_col : str
        People (or answers) each row rests on.
    k : int
        Minimum cell size.
    within : str or sequence of str, optional
        Columns whose combinations are separate sums (e.g. ``"item_id"`` for a table of
        items × sessions, where each item's rows add up to its total); default the whole
        table.
    count_cols : sequence of str
        Other additive counts of the rows (e.g. ``n_attended``); each is protected like
        ``n_col``.
    value_cols : sequence of str, optional
        Columns to blank in suppressed rows (default: as `suppress_small`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` updated and ``suppression`` (``"primary"``,
        ``"secondary"`` or None), values of suppressed rows blanked.

    Notes
    -----
    Within each sum, while the hidden rows are fewer than two, rest together on fewer
    than k people, or leave a cell pinned down by the subtraction (`hidden_cells_pinned`,
    for ``n_col`` with each cell ≥ 1 and every count with each cell ≥ 0), the shown row
    with the smallest n is hidden too ("secondary suppression", Hundepool et al. 2012,
    §4.6). The check assumes every column total is known to the reader. What can still
    be derived is the sum over the hidden rows together — a group of at least k people,
    the rule any published cell meets (so "all of them attended" may follow, as it may
    for any shown group of k). The report shows neither values nor n of any suppressed
    row.

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 4–5.
    .. [2] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       JASA, 75, 377–385.

    Examples
    --------
    One small delegation: the next-smallest one is withheld with it, so that the round
    total minus the rows shown gives only their sum (2 + 3), never the 2 alone.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"country": ["SEN", "BFA", "CIV", "TCD"], "n": [4, 2, 3, 5]})
    >>> complementary_suppression(t, k=3)[["country", "n", "suppressed", "suppression"]]
      country  n  suppressed suppression
    0     SEN  4       False        None
    1     BFA  2        True     primary
    2     CIV  3        True   secondary
    3     TCD  5       False        None
    """
    if n_col not in df.columns:
        raise AnalysisError(f"column {n_col!r} (the group size) is not in the table.")
    out = df.copy()
    n = pd.to_numeric(out[n_col], errors="coerce").astype(float)
    if "suppressed" in out.columns:
        primary = out["suppressed"].fillna(True).astype(bool)
    else:
        primary = ~(n >= int(k))
    hidden = primary.copy()
    groups = ([out.index] if within is None else
              list(out.groupby(within, dropna=False, sort=False).groups.values()))

    def safe(rows: pd.Index) -> bool:
        mask = hidden.loc[rows]
        if not mask.any():
            return True
        sizes = n.loc[rows][mask].fillna(0)
        if mask.sum() < 2 or sizes.sum() < k or hidden_cells_pinned(sizes, lower=1.0):
            return False
        for col in count_cols:
            values = pd.to_numeric(out.loc[rows, col], errors="coerce")
            if values.isna().all():  # not recorded (e.g. no attendance list): nothing to recover
                continue
            if hidden_cells_pinned(values[mask].fillna(0), lower=0.0):
                return False
        return True

    for rows in groups:
        rows = pd.Index(rows)
        while not safe(rows):
            candidates = n.loc[rows][~hidden.loc[rows]]
            if candidates.empty:
                break
            hidden.loc[candidates.idxmin()] = True
    out["suppressed"] = False
    blanked = suppress_small(out.assign(suppressed=hidden.to_numpy()), n_col, k=k, value_cols=value_cols)
    blanked["suppression"] = np.where(primary, PRIMARY, np.where(hidden, SECONDARY, None))
    blanked["suppression"] = blanked["suppression"].astype("object").where(hidden, None)
    return blanked


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
