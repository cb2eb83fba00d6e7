"""Small-n robustness of a headline claim: would it survive without one country, with a
few answers changed, or against the retrospective baseline?

With 8–12 officials from 3–4 countries one delegation or two answers can carry a result,
so every headline claim of a report comes with:

- `leave_one_country_out`: the estimate recomputed without each participating country
  (for a paired change, that country's officials; for a difference-in-differences, that
  country's panel rows), as a range, and how many of those re-runs reach the same verdict;
- `pairs_to_flip`: the fewest pairs whose change would have to be different for the
  verdict to change (a fragility index for paired data; Walsh et al. 2014): for an
  improvement, the largest gains set to no change one by one; for "no detectable change",
  the smallest changes raised by one scale point one by one;
- the change measured against the retrospective pre-test (post vs retro-pre) beside post
  vs pre, computed by the caller with `outcomes.outcome_changes` (``baseline="retro"``).

The statistics are passed in as callables, so these functions follow whatever
`stats.paired_change` and the DiD estimate, and the verdict rules of `verdict`.

References
----------
.. [1] Walsh, M. et al. (2014). The statistical significance of randomized controlled
   trial results is frequently fragile: a case for a Fragility Index. Journal of Clinical
   Epidemiology, 67(6), 622–628.
.. [2] Howard, G. S. (1980). Response-shift bias. Evaluation Review, 4(1), 93–106.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .stats import difference_note
from .verdict import EVIDENCE_COLUMNS, VerdictRules, change_evidence, judge

__all__ = [
    "LOCO_COLUMNS",
    "leave_one_country_out",
    "loco_summary",
    "paired_evidence",
    "pairs_to_flip",
]

#: Columns of `leave_one_country_out`.
LOCO_COLUMNS = ["indicator", "country", *EVIDENCE_COLUMNS]


def leave_one_country_out(
    countries: Sequence[str],
    rerun: Callable[[str], pd.DataFrame],
) -> pd.DataFrame:
    """The evidence of every indicator recomputed without each country in turn.

    Parameters
    ----------
    countries : sequence of str
        The participating countries to leave out, one at a time.
    rerun : callable
        ``rerun(country)`` -> a table with ``indicator`` and `EVIDENCE_COLUMNS` computed
        without that country (an empty table when nothing can be computed).

    Returns
    -------
    pandas.DataFrame
        `LOCO_COLUMNS`, one row per country left out and indicator.

    Examples
    --------
    >>> def rerun(country):
    ...     return pd.DataFrame({"indicator": ["k"], "n": [5], "estimate": [{"A": 1.0, "B": 0.5}[country]],
    ...                          "ci_low": [0.1], "ci_high": [1.2], "p_adjusted": [0.03], "note": [None]})
    >>> leave_one_country_out(["A", "B"], rerun)[["country", "estimate"]].values.tolist()
    [['A', 1.0], ['B', 0.5]]
    """
    parts = []
    for country in countries:
        table = rerun(country)
        if table is None or table.empty:
            continue
        part = table.reindex(columns=["indicator", *EVIDENCE_COLUMNS]).copy()
        part.insert(1, "country", str(country))
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=LOCO_COLUMNS)
    return pd.concat(parts, ignore_index=True)[LOCO_COLUMNS]


def loco_summary(
    loco: pd.DataFrame,
    verdicts: Mapping[str, str],
    designs: Mapping[str, tuple[str, str]],
    rules: VerdictRules,
) -> pd.DataFrame:
    """Per indicator: the range of the leave-one-country-out estimates and how many of
    those re-runs keep the full data's verdict.

    Parameters
    ----------
    loco : pandas.DataFrame
        `leave_one_country_out`.
    verdicts : mapping
        Indicator -> verdict on the full data.
    designs : mapping
        Indicator -> (design, unit) for `verdict.judge`.
    rules : VerdictRules

    Returns
    -------
    pandas.DataFrame
        ``indicator, loco_low, loco_high, loco_runs, loco_same, loco_changed`` (the
        countries whose removal changes the verdict, comma-separated ISO3 codes).
    """
    columns = ["indicator", "loco_low", "loco_high", "loco_runs", "loco_same", "loco_changed"]
    rows = []
    for indicator, sub in loco.groupby("indicator", sort=False):
        if indicator not in designs:
            continue
        design, unit = designs[indicator]
        judged = [judge(row, design, unit, rules)["verdict"] for row in sub.to_dict("records")]
        estimates = pd.to_numeric(sub["estimate"], errors="coerce")
        same = [v == verdicts.get(indicator) for v in judged]
        rows.append({"indicator": indicator, "loco_low": estimates.min(), "loco_high": estimates.max(),
                     "loco_runs": len(sub), "loco_same": int(sum(same)),
                     "loco_changed": ",".join(c for c, s in zip(sub["country"], same, strict=True) if not s)})
    return pd.DataFrame(rows, columns=columns)


def paired_evidence(
    differences: np.ndarray,
    paired: Callable[..., pd.Series],
    *,
    p_factor: float = 1.0,
    **options: Any,
) -> dict[str, Any]:
    """Evidence of a set of paired differences through ``paired`` (`stats.paired_change`
    with the report's options: the Hodges–Lehmann shift, its interval and the signed-rank
    p-value), the p-value multiplied by ``p_factor`` (the ratio of the adjusted to the raw
    p-value in the full table, so a re-run is judged as its row was) and at most 1.

    >>> from exchange_eval.analysis.stats import paired_change
    >>> e = paired_evidence(np.array([1, 1, 2, 1, 0, 1.0]), paired_change, p_factor=2)  # exact p 1/16, doubled
    >>> e["n"], e["estimate"], round(e["p_adjusted"], 4)
    (6.0, 1.0, 0.125)
    """
    d = np.asarray(differences, dtype=float)
    min_pairs = int(options.get("min_pairs", 5))
    result = paired(pd.Series(np.zeros(d.size)), pd.Series(d), **options).to_dict()
    p = result.get("p_value")
    result["p_adjusted"] = np.nan if pd.isna(p) else min(1.0, float(p) * p_factor)
    result["note"] = difference_note(d, min_pairs)
    row = change_evidence(pd.DataFrame([result])).iloc[0].to_dict()
    return {k: row.get(k) for k in EVIDENCE_COLUMNS}


def pairs_to_flip(
    differences: np.ndarray,
    verdict: str,
    evidence_of: Callable[[np.ndarray], Mapping[str, Any]],
    *,
    design: str,
    unit: str,
    rules: VerdictRules,
    step: float = 1.0,
) -> int | None:
    """The fewest pairs whose change would have to be different for the verdict to change.

    Parameters
    ----------
    differences : numpy.ndarray
        Each pair's change (after − before).
    verdict : str
        The verdict on the full data (`verdict.judge`).
    evidence_of : callable
        Differences -> evidence (e.g. `paired_evidence` with the report's options).
    design, unit, rules
        As for `verdict.judge`.
    step : float
        How much a pair's change is raised when testing a "no detectable change" (one
        scale point).

    Returns
    -------
    int or None
        For ``improved`` (``worsened``): how many of the largest gains (losses), set to no
        change one by one, make the verdict something else. For ``no_change``: how many of
        the smallest changes (largest, for a decline), raised by ``step``, make it
        ``improved``. None when no number of pairs does, or for other verdicts.

    Examples
    --------
    A toy evidence (mean ± 0.5, a test that is never significant): ten gains of one
    point stay an improvement until half of them are taken away.

    >>> rules = VerdictRules()
    >>> def ev(x):
    ...     return {"n": len(x), "estimate": x.mean(), "ci_low": x.mean() - 0.5,
    ...             "ci_high": x.mean() + 0.5, "p_adjusted": 0.2, "note": None}
    >>> pairs_to_flip(np.ones(10), "improved", ev, design="paired", unit="points", rules=rules)
    5
    """
    d = np.asarray(differences, dtype=float)
    if d.size == 0 or verdict not in ("improved", "worsened", "no_change"):
        return None
    sign = -1.0 if verdict == "worsened" else 1.0
    work = d.copy()
    if verdict == "no_change":
        order = np.argsort(work, kind="stable")  # the smallest changes first
    else:
        order = np.argsort(-sign * work, kind="stable")  # the largest gains (losses) first
    for k, index in enumerate(order, start=1):
        if verdict == "no_change":
            work[index] += step
        else:
            if sign * work[index] <= 0:
                return None  # only non-gains left: nothing more to take away
            work[index] = 0.0
        now = judge(evidence_of(work), design, unit, rules)["verdict"]
        if (verdict == "no_change" and now == "improved") or (verdict != "no_change" and now != verdict):
            return k
    return None
