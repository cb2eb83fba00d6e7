"""Are the feedback instruments working? Indicators for the Secretariat's review.

Response rates, item nonresponse, straight-lining, completion time (respondent burden),
ceiling effects and the reliability of the multi-item scales, per instrument and wave.
Every table carries its n. These are properties of the *instruments*, so they are
computed over all respondents; breakdowns by country go through the same suppression
rules as the rest of the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import AnalysisError
from .likert import Scale, scale_levels
from .participation import UNIT_COLUMNS, answer_grid, respondents, response_counts
from .stats import cronbach_alpha

__all__ = [
    "response_rates",
    "item_nonresponse",
    "straightlining",
    "completion_time",
    "ceiling_effects",
    "scale_reliability",
]


def _check(responses: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in responses.columns]
    if missing:
        raise AnalysisError(f"responses lack column(s): {', '.join(missing)}.")


def _is_rating_item(item_ids: pd.Series) -> pd.Series:
    # select_multiple options are stored as "<item>.<option>" with 0/1 values
    return ~item_ids.astype("string").str.contains(".", regex=False).fillna(False)


def response_rates(
    responses: pd.DataFrame,
    participants: pd.DataFrame,
    by: str | list[str] | None = None,
    k: int | None = None,
    *,
    attendance: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Respondents and response rate, per instrument and wave: over the roster, and for
    session feedback over the people present at the session (with ``attendance``).

    Parameters
    ----------
    responses, participants : pandas.DataFrame
        Canonical tables.
    by : str or list of str, optional
        Participant columns to break down by (e.g. ``"country"``).
    k : int, optional
        Breakdown groups with a roster smaller than k are flagged ``small_group``;
        required with ``by``.
    attendance : pandas.DataFrame, optional
        Canonical ``attendance`` table (see `participation.response_counts`).

    Returns
    -------
    pandas.DataFrame
        As `participation.response_counts`: ``round_id, instrument, wave, [by],
        n_respondents, n_roster_respondents, n_roster, response_rate, n, small_group``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"pid": ["a", "b"], "on_roster": True})
    >>> r = pd.DataFrame({"pid": ["a"], "instrument": "outcomes", "wave": "pre",
    ...                   "item_id": "q1", "value": 3.0})
    >>> response_rates(r, p)[["instrument", "wave", "n", "response_rate"]]
      instrument wave  n  response_rate
    0   outcomes  pre  1            0.5
    """
    return response_counts(responses, participants, by=by, k=k, attendance=attendance)


def item_nonresponse(
    responses: pd.DataFrame,
    expected_items: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of respondents who skipped each item, per instrument and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table. A skipped item may be a row with a missing value
        (and no text) or no row at all; both count as missing.
    expected_items : dict or sequence, optional
        Items every respondent of an instrument should have answered (dict instrument ->
        item ids, e.g. the ids of ``instruments.yaml``; or one list). Default: items that
        appear for at least one respondent of the same instrument and wave — an item
        nobody answered and the export dropped is then invisible, so pass the list when
        you have it.

    Returns
    -------
    pandas.DataFrame
        Columns ``instrument, wave, item_id, n, n_answered, n_missing, share_missing``;
        ``n`` = respondents of the instrument and wave (people who answered anything).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b", "c"], "instrument": "outcomes",
    ...                   "wave": "pre", "item_id": ["q1", "q2", "q1", "q1"],
    ...                   "value": [3, 4, 2, None]})
    >>> item_nonresponse(r)
      instrument wave item_id  n  n_answered  n_missing  share_missing
    0   outcomes  pre      q1  2           2          0            0.0
    1   outcomes  pre      q2  2           1          1            0.5
    """
    expected = None
    if expected_items is not None:
        expected = (
            {k: list(v) for k, v in expected_items.items()}
            if isinstance(expected_items, Mapping)
            else list(expected_items)
        )
    grid = answer_grid(responses, expected_items=expected)
    out = (
        grid.groupby(["instrument", "wave", "item_id"], sort=False)["answered"]
        .agg(n="size", n_answered="sum")
        .reset_index()
    )
    out["n_answered"] = out["n_answered"].astype(int)
    out["n_missing"] = out["n"] - out["n_answered"]
    out["share_missing"] = out["n_missing"] / out["n"]
    return out.sort_values(["instrument", "wave"], kind="stable").reset_index(drop=True)


def straightlining(
    responses: pd.DataFrame,
    min_items: int,
    items: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Share of respondents who gave the same answer to every rating item.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    min_items : int
        Only respondents with at least this many answered rating items in the
        questionnaire are assessed (``settings.yaml`` ``quality.straightlining_min_items``,
        4): three identical answers are too common to mean anything.
    items : iterable of str, optional
        Rating items to consider. Default: every item with a numeric value except
        select_multiple options (item ids ``"<item>.<option>"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``instrument, wave, n, n_straightlined, share``: ``n`` respondents with
        at least ``min_items`` rating answers, ``n_straightlined`` those whose answers
        are all identical (zero variance).

    Notes
    -----
    Zero within-person variance across a grid ("non-differentiation") is a standard
    satisficing indicator. With scales of 4–10 positively worded items, an honest
    respondent can straight-line; read the share as a signal about the questionnaire
    (too long, items too similar), not as a data-quality verdict on a person.

    References
    ----------
    .. [1] Krosnick, J. A. (1991). Response strategies for coping with the cognitive
       demands of attitude measures in surveys. Applied Cognitive Psychology, 5, 213–236.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a"] * 4 + ["b"] * 4, "instrument": "session_feedback",
    ...                   "wave": "vc1", "item_id": ["q1", "q2", "q3", "q4"] * 2,
    ...                   "value": [4, 4, 4, 4, 5, 4, 3, 4]})
    >>> straightlining(r, min_items=4)
             instrument wave  n  n_straightlined  share
    0  session_feedback  vc1  2                1    0.5
    """
    _check(responses, ["pid", "instrument", "wave", "item_id", "value"])
    min_items = int(min_items)
    frame = responses[responses["value"].notna()]
    if items is None:
        frame = frame[_is_rating_item(frame["item_id"])]
    else:
        frame = frame[frame["item_id"].isin(list(items))]
    keys = [c for c in UNIT_COLUMNS if c in frame.columns]
    per_unit = (
        frame.assign(_v=pd.to_numeric(frame["value"], errors="coerce"))
        .groupby(keys, dropna=False)["_v"]
        .agg(n_items="count", n_distinct="nunique")
        .reset_index()
    )
    per_unit = per_unit[per_unit["n_items"] >= min_items]
    per_unit["_flat"] = per_unit["n_distinct"] == 1
    out = (
        per_unit.groupby(["instrument", "wave"], sort=True)["_flat"]
        .agg(n="size", n_straightlined="sum")
        .reset_index()
    )
    out["n_straightlined"] = out["n_straightlined"].astype(int)
    out["share"] = out["n_straightlined"] / out["n"]
    return out[["instrument", "wave", "n", "n_straightlined", "share"]]


def completion_time(responses: pd.DataFrame) -> pd.DataFrame:
    """Time respondents took to complete each questionnaire (respondent burden).

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table with ``duration_s`` (seconds, where the platform
        exports it; one value per questionnaire, repeated on its rows).

    Returns
    -------
    pandas.DataFrame
        Columns ``instrument, wave, n, median_s, q25_s, q75_s``: ``n`` respondents with
        a duration; quartiles by linear interpolation. Instruments without durations are
        left out.

    Notes
    -----
    The median and quartiles, not the mean: durations are right-skewed (forms left open
    over lunch).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b", "c"], "instrument": "outcomes",
    ...                   "wave": "pre", "item_id": ["q1", "q2", "q1", "q1"],
    ...                   "value": 3.0, "duration_s": [300, 300, 420, 3600]})
    >>> completion_time(r)
      instrument wave  n  median_s  q25_s   q75_s
    0   outcomes  pre  3     420.0  360.0  2010.0
    """
    _check(responses, ["pid", "instrument", "wave", "duration_s"])
    units = respondents(responses)
    units = units[units["duration_s"].notna()]
    out = (
        units.groupby(["instrument", "wave"], sort=True)["duration_s"]
        .agg(
            n="count",
            median_s="median",
            q25_s=lambda s: float(np.quantile(s, 0.25)),
            q75_s=lambda s: float(np.quantile(s, 0.75)),
        )
        .reset_index()
    )
    return out[["instrument", "wave", "n", "median_s", "q25_s", "q75_s"]]


def ceiling_effects(
    responses: pd.DataFrame,
    choices: Scale | Mapping[str, Scale],
    share: float,
    baseline: str = "pre",
) -> pd.DataFrame:
    """Items whose answers pile up in the top category, per instrument and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    choices : sequence of dict or dict
        The scale (one for every item) or a dict item_id -> scale
        (`likert.item_scales`); items without a known scale are left out.
    share : float
        Threshold share of answers in the top category (``settings.yaml``
        ``quality.ceiling_share``, 0.8).
    baseline : str
        The baseline wave: a ceiling there means gains cannot be measured.

    Returns
    -------
    pandas.DataFrame
        Columns ``instrument, wave, item_id, n, top_share, ceiling,
        gain_unmeasurable``: ``top_share`` share of the n answers in the highest level,
        ``ceiling`` = top_share >= share, ``gain_unmeasurable`` = ceiling at the
        baseline wave (pre/post change cannot show improvement for those people).

    References
    ----------
    .. [1] Terwee, C. B. et al. (2007). Quality criteria were proposed for measurement
       properties of health status questionnaires. Journal of Clinical Epidemiology, 60,
       34–42 (floor/ceiling effects when > 15 % at the extreme; our default is stricter
       because a 5-level satisfaction item is expected to skew high).

    Examples
    --------
    >>> import pandas as pd
    >>> scale = [{"value": v} for v in (1, 2, 3, 4, 5)]
    >>> r = pd.DataFrame({"pid": list("abcde"), "instrument": "outcomes", "wave": "pre",
    ...                   "item_id": "q1", "value": [5, 5, 5, 5, 4]})
    >>> ceiling_effects(r, scale, share=0.8)
      instrument wave item_id  n  top_share  ceiling  gain_unmeasurable
    0   outcomes  pre      q1  5        0.8     True               True
    """
    _check(responses, ["instrument", "wave", "item_id", "value"])
    share = float(share)
    frame = responses[responses["value"].notna()]
    rows = []
    for (instrument, wave, item_id), group in frame.groupby(
        ["instrument", "wave", "item_id"], sort=True
    ):
        levels = scale_levels(item_id, choices)
        if levels is None:
            continue
        values = pd.to_numeric(group["value"], errors="coerce").to_numpy(dtype=float)
        top = float(np.mean(values == max(levels)))
        rows.append(
            {
                "instrument": instrument,
                "wave": wave,
                "item_id": item_id,
                "n": int(values.size),
                "top_share": top,
                "ceiling": top >= share,
                "gain_unmeasurable": bool(top >= share and wave == baseline),
            }
        )
    columns = ["instrument", "wave", "item_id", "n", "top_share", "ceiling", "gain_unmeasurable"]
    return pd.DataFrame(rows, columns=columns)


def scale_reliability(
    responses: pd.DataFrame,
    groups: str | Mapping[str, Sequence[str]] = "outcome",
    ci: float = 0.95,
    *,
    min_n: int = 20,
    missing: str = "pairwise",
) -> pd.DataFrame:
    """Cronbach's alpha with its CI for every multi-item scale, per instrument and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    groups : str or dict
        How items form scales: a column of ``responses`` whose values tag items (default
        ``"outcome"``: the items of one intermediate outcome form a scale), or a dict
        scale name -> item ids.
    ci : float
        Confidence level of Feldt's interval.
    min_n : int, default 20
        Fewer respondents and alpha is not estimated (``settings.yaml``
        ``quality.alpha_min_n``): ``note`` says ``"too_few_to_estimate"``.
    missing : {"pairwise", "listwise"}
        How skipped items are handled (`stats.cronbach_alpha`).

    Returns
    -------
    pandas.DataFrame
        Columns ``instrument, wave, scale, k, n, n_complete, alpha, ci_low, ci_high,
        estimable, note``: ``k`` items, ``n`` respondents the estimate rests on (the
        smallest pairwise count), ``n_complete`` who answered all k. Scales with fewer
        than two items are left out. ``estimable`` is False and alpha NaN when ``note``
        is ``"too_few_to_estimate"`` or ``"no_variance"``: gate any judgement of a scale
        on it.

    Notes
    -----
    With the 6–8 officials of a round, alpha's interval spans most of (−1, 1); pool
    rounds (the same instrument and wave across rounds) before judging a scale.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika, 16, 297–334.
    .. [2] Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
       coefficient alpha. Applied Psychological Measurement, 11, 93–103.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": list("abcde") * 2, "instrument": "outcomes",
    ...                   "wave": "pre", "outcome": "enhanced_skill",
    ...                   "item_id": ["sk_selfassess"] * 5 + ["sk_plan"] * 5,
    ...                   "value": [2, 3, 4, 1, 5] + [2, 4, 4, 2, 4]})
    >>> scale_reliability(r, min_n=5)[["scale", "k", "n", "alpha", "estimable"]].round(3)
                scale  k  n  alpha  estimable
    0  enhanced_skill  2  5  0.896       True
    >>> scale_reliability(r)[["n", "alpha", "note"]]
       n  alpha                 note
    0  5    NaN  too_few_to_estimate
    """
    _check(responses, ["pid", "instrument", "wave", "item_id", "value"])
    frame = responses[responses["value"].notna()].copy()
    if isinstance(groups, str):
        _check(frame, [groups])
        frame["_scale"] = frame[groups]
    else:
        lookup = {item: scale for scale, ids in groups.items() for item in ids}
        frame["_scale"] = frame["item_id"].map(lookup)
    frame = frame[frame["_scale"].notna()]
    frame["_v"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    person = [c for c in UNIT_COLUMNS if c in frame.columns and c not in ("instrument", "wave")]
    rows = []
    for (instrument, wave, scale), group in frame.groupby(
        ["instrument", "wave", "_scale"], sort=True
    ):
        wide = group.pivot_table(
            index=person, columns="item_id", values="_v", aggfunc="first", dropna=False
        )
        if wide.shape[1] < 2:
            continue
        res = cronbach_alpha(wide, ci=ci, min_n=min_n, missing=missing)
        rows.append(
            {
                "instrument": instrument,
                "wave": wave,
                "scale": scale,
                "k": int(res["k"]),
                "n": int(res["n"]),
                "n_complete": int(res["n_complete"]),
                "alpha": float(res["alpha"]),
                "ci_low": float(res["ci_low"]),
                "ci_high": float(res["ci_high"]),
                "estimable": bool(res["estimable"]),
                "note": res["note"],
            }
        )
    columns = ["instrument", "wave", "scale", "k", "n", "n_complete", "alpha", "ci_low", "ci_high",
               "estimable", "note"]
    return pd.DataFrame(rows, columns=columns)
