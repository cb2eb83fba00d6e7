"""Learning outcomes (Kirkpatrick level 2): paired change per item and per outcome.

Each official answers the outcome items before the exchange (``pre``), after it
(``post``) and, in the post survey, about the time before it (``retro``, the
retrospective pre-test). Answers are linked by ``pid`` within ``round_id``; only people
with both waves count as pairs, and the number who answered one wave only is reported
next to every estimate (``n_unmatched``), because with 6–8 officials one drop-out changes
the picture.

Every row carries the fields of `stats.paired_change` (shares improved / unchanged /
worse, the signed-rank test, the Hodges–Lehmann shift with its interval) and an adjusted
p-value: each table a reader scans — the outcomes, the questions, the response shift —
is one family (`multiplicity.adjust_table`), and the outcome table tests its
pre-specified primary outcome first.

Column names are stable (``docs/statistics.md``); code that judges a result reads ``n``,
``estimate``, ``ci_low``, ``ci_high``, ``p_adjusted`` and ``note``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import AnalysisError
from .multiplicity import adjust_table
from .stats import (
    PAIRED_CHANGE_FIELDS,
    PairedOptions,
    difference_note,
    paired_change,
    paired_differences,
)

__all__ = [
    "ITEM_FAMILY",
    "OUTCOME_FAMILY",
    "SHIFT_FAMILY",
    "ITEM_CHANGE_COLUMNS",
    "OUTCOME_CHANGE_COLUMNS",
    "item_changes",
    "outcome_changes",
    "response_shift",
    "outcome_scores",
    "learning_results",
]

#: Family of the adjusted p-values of the table of questions (every question of the table).
ITEM_FAMILY = "items"
#: Family of the secondary outcomes of the outcome table (the primary one is ``primary``).
OUTCOME_FAMILY = "outcomes"
#: Family of the response-shift table.
SHIFT_FAMILY = "shift"

_ADJUST_COLUMNS = ["family", "p_adjusted", "adjust_method"]
_CHANGE_FIELDS = [c for c in PAIRED_CHANGE_FIELDS if c != "n"]
#: Columns of `item_changes` and `response_shift`.
ITEM_CHANGE_COLUMNS = ["item_id", "outcome", "n", "n_unmatched", *_CHANGE_FIELDS, *_ADJUST_COLUMNS, "note"]
#: Columns of `outcome_changes`.
OUTCOME_CHANGE_COLUMNS = [
    "outcome", "n_items", "n", "n_unmatched", "n_incomplete", *_CHANGE_FIELDS, *_ADJUST_COLUMNS, "note",
]
_PERSON = ["round_id", "pid"]
# estimates and intervals of a score, divided by its number of items (points per item)
_SCALED = ("median_change", "estimate", "ci_low", "ci_high")


def _wave_values(
    responses: pd.DataFrame, instrument: str | None, baseline: str, endline: str
) -> pd.DataFrame:
    """Answered rows of the two waves, one per person × item × wave (else an error)."""
    needed = ["pid", "wave", "item_id", "value"]
    missing = [c for c in needed if c not in responses.columns]
    if missing:
        raise AnalysisError(f"responses lack column(s): {', '.join(missing)}.")
    if baseline == endline:
        raise AnalysisError(f"baseline and endline are the same wave ({baseline!r}).")
    frame = responses
    if instrument is not None and "instrument" in frame.columns:
        frame = frame[frame["instrument"] == instrument]
    frame = frame[frame["wave"].isin([baseline, endline]) & frame["value"].notna()].copy()
    if "round_id" not in frame.columns:
        frame["round_id"] = "round"
    if "outcome" not in frame.columns:
        frame["outcome"] = pd.NA
    frame["round_id"] = frame["round_id"].astype("string").fillna("")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    dup = frame.duplicated([*_PERSON, "item_id", "wave"], keep=False)
    if dup.any():
        example = frame.loc[dup, [*_PERSON, "item_id", "wave"]].iloc[0]
        raise AnalysisError(
            f"{int(dup.sum())} answers are duplicated (same person, item and wave), e.g. "
            f"pid {example['pid']} item {example['item_id']} wave {example['wave']}; "
            f"resolve duplicates in cleaning before comparing waves."
        )
    return frame


def _pair_row(pre: pd.Series, post: pd.Series, options: PairedOptions) -> dict[str, Any]:
    pre_ok, post_ok = pre.dropna(), post.dropna()
    linked = pre_ok.index.intersection(post_ok.index)
    row = paired_change(pre, post, **options.paired_kwargs()).to_dict()
    row["n"] = int(row["n"])
    row["n_unmatched"] = int(len(pre_ok.index.union(post_ok.index)) - len(linked))
    row["note"] = difference_note(paired_differences(pre, post), options.min_pairs)
    return row


def _finish(rows: list[dict], columns: list[str], *, family: str, options: PairedOptions,
            key: str, primary: str | None = None) -> pd.DataFrame:
    base = [c for c in columns if c not in _ADJUST_COLUMNS]
    out = pd.DataFrame(rows, columns=base)
    out = adjust_table(out, family=family, method=options.multiplicity, key=key, primary=primary)
    out["note"] = out["note"].astype("object").where(out["note"].notna(), None)
    return out[columns].reset_index(drop=True)


def item_changes(
    responses: pd.DataFrame,
    baseline: str = "pre",
    endline: str = "post",
    *,
    instrument: str | None = "outcomes",
    options: PairedOptions | None = None,
    family: str = ITEM_FAMILY,
) -> pd.DataFrame:
    """Paired change of every item from baseline to endline.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table (``pid, wave, item_id, outcome, value``, and
        ``round_id`` when several rounds are pooled).
    baseline, endline : str
        Waves to compare; the change is endline − baseline.
    instrument : str or None
        Keep only this instrument (default ``"outcomes"``); None keeps all rows.
    options : stats.PairedOptions, optional
        The report's paired-test settings (``settings.yaml`` ``stats``).
    family : str
        Name of the family of the adjusted p-values (the whole table).

    Returns
    -------
    pandas.DataFrame
        One row per item, in order of appearance, columns `ITEM_CHANGE_COLUMNS`:
        ``item_id, outcome, n`` (linked pairs), ``n_unmatched`` (people who answered the
        item at one wave only), the fields of `stats.paired_change` (shares improved /
        unchanged / worse with their intervals, ``statistic, p_value, p_method``,
        Hodges–Lehmann ``estimate, ci_low, ci_high``), ``family`` and ``p_adjusted``
        (every item of the table is one family; ``adjust_method`` says how) and ``note``
        (``"too_few_pairs"``, ``"no_variance"`` or None).

    Notes
    -----
    R, per item with ``pre`` and ``post`` the linked answers:
    ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)``, or
    ``coin::wilcoxsign_test(post ~ pre, zero.method = "Wilcoxon", distribution =
    "exact")`` when ``p_method`` is ``exact_conditional``; then
    ``p.adjust(p, method = "holm")`` over the whole table.

    Raises
    ------
    AnalysisError
        When a person answered the same item twice in one wave.

    Examples
    --------
    >>> import pandas as pd
    >>> pre = [2, 3, 2, 3, 1, 2]
    >>> post = [4, 4, 3, 3, 3, 4]
    >>> r = pd.DataFrame({"round_id": "r1", "pid": list("abcdef") * 2,
    ...                   "instrument": "outcomes", "wave": ["pre"] * 6 + ["post"] * 6,
    ...                   "item_id": "ok_functions", "outcome": "new_knowledge",
    ...                   "value": pre + post})
    >>> res = item_changes(r)
    >>> res[["item_id", "n", "n_improved", "statistic", "p_method", "note"]]
            item_id  n  n_improved  statistic           p_method  note
    0  ok_functions  6           5       15.0  exact_conditional  None
    >>> round(float(res["estimate"][0]), 3), round(float(res["p_value"][0]), 4)
    (1.5, 0.0625)
    """
    options = options or PairedOptions()
    frame = _wave_values(responses, instrument, baseline, endline)
    rows = []
    for item_id, group in frame.groupby("item_id", sort=False):
        wide = group.pivot(index=_PERSON, columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline])
        outcome = group["outcome"].dropna()
        row = _pair_row(wide[baseline], wide[endline], options)
        row.update(item_id=item_id, outcome=outcome.iloc[0] if len(outcome) else None)
        rows.append(row)
    return _finish(rows, ITEM_CHANGE_COLUMNS, family=family, options=options, key="item_id")


def outcome_changes(
    responses: pd.DataFrame,
    baseline: str = "pre",
    endline: str = "post",
    *,
    instrument: str | None = "outcomes",
    options: PairedOptions | None = None,
    primary: str | None = None,
    family: str = OUTCOME_FAMILY,
) -> pd.DataFrame:
    """Paired change of each intermediate outcome, on the sum of its items.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table; items without an ``outcome`` tag are ignored.
    baseline, endline : str
        Waves to compare; the change is endline − baseline.
    instrument : str or None
        Keep only this instrument (default ``"outcomes"``).
    options : stats.PairedOptions, optional
        The report's paired-test settings.
    primary : str, optional
        The pre-specified primary outcome (``settings.yaml`` ``stats.primary_outcomes``):
        tested first, the others adjusted among themselves and gated by it
        (`multiplicity.adjust_table`).
    family : str
        Name of the family of the other outcomes.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, columns `OUTCOME_CHANGE_COLUMNS`: ``outcome, n_items``
        (items of the outcome in the data), ``n`` (people who answered every one of them
        at both waves), ``n_unmatched`` (people with answers at one wave only),
        ``n_incomplete`` (people with both waves who skipped an item at one of them),
        then the fields of `item_changes`. ``median_change``, ``estimate``, ``ci_low``
        and ``ci_high`` are in scale points per item (the sum's values divided by
        ``n_items``); the test is on the sums.

    Notes
    -----
    A person's score at a wave is the sum of the outcome's items, a whole number, so the
    ranks are those plain R computes: ``wilcox.test(post_sum, pre_sum, paired = TRUE,
    conf.int = TRUE)`` reproduces ``statistic``, the p-value and (divided by
    ``n_items``) the shift and its interval. Means of items would differ from R's ranks
    by floating-point noise. Only people who answered every item at both waves count,
    so a skipped item cannot pass for change.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": list("abcde") * 4, "instrument": "outcomes",
    ...                   "wave": (["pre"] * 5 + ["post"] * 5) * 2,
    ...                   "item_id": ["sk_selfassess"] * 10 + ["sk_plan"] * 10,
    ...                   "outcome": "enhanced_skill",
    ...                   "value": [2, 3, 2, 1, 3, 3, 4, 4, 2, 3] + [2, 2, 3, 1, 2, 4, 3, 4, 3, 3]})
    >>> out = outcome_changes(r)
    >>> out[["outcome", "n_items", "n", "statistic", "note"]]
              outcome  n_items  n  statistic  note
    0  enhanced_skill        2  5       15.0  None
    >>> round(float(out["estimate"][0]), 3)
    1.25
    """
    options = options or PairedOptions()
    frame = _wave_values(responses, instrument, baseline, endline)
    frame = frame[frame["outcome"].notna()]
    rows = []
    for outcome, group in frame.groupby("outcome", sort=False):
        items = list(dict.fromkeys(group["item_id"]))
        wide = group.pivot(index=[*_PERSON, "item_id"], columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline])
        answered = wide.notna().groupby(level=_PERSON).sum()
        both_waves = (answered > 0).all(axis=1)
        complete = (answered == len(items)).all(axis=1)
        sums = wide.groupby(level=_PERSON).sum(min_count=1).loc[complete]
        people = answered.index
        row = _pair_row(sums[baseline].reindex(people), sums[endline].reindex(people), options)
        row["n_unmatched"] = int((~both_waves).sum())
        row["n_incomplete"] = int((both_waves & ~complete).sum())
        for col in _SCALED:
            if row[col] is not None and not pd.isna(row[col]):
                row[col] = float(row[col]) / len(items)
        row.update(outcome=outcome, n_items=len(items))
        rows.append(row)
    return _finish(rows, OUTCOME_CHANGE_COLUMNS, family=family, options=options, key="outcome",
                   primary=primary)


def outcome_scores(
    responses: pd.DataFrame,
    baseline: str = "pre",
    endline: str = "post",
    *,
    instrument: str | None = "outcomes",
) -> pd.DataFrame:
    """Each linked person's score on each intermediate outcome at both waves: the numbers
    `outcome_changes` tests, one row per person and outcome.

    Returns
    -------
    pandas.DataFrame
        ``round_id, pid, outcome, before, after, change`` for the people who answered
        every item of the outcome at both waves (the people `outcome_changes` counts);
        a score is the sum of the items divided by their number, in scale points per
        item, so its changes rank as the sums `outcome_changes` tests.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b"], "instrument": "outcomes",
    ...                   "wave": ["pre", "post", "pre"], "item_id": "cs_leg",
    ...                   "outcome": "improved_consensus", "value": [2, 4, 3]})
    >>> outcome_scores(r)[["pid", "before", "after", "change"]].values.tolist()
    [['a', 2.0, 4.0, 2.0]]
    """
    frame = _wave_values(responses, instrument, baseline, endline)
    frame = frame[frame["outcome"].notna()]
    columns = [*_PERSON, "outcome", "before", "after", "change"]
    parts = []
    for outcome, group in frame.groupby("outcome", sort=False):
        n_items = group["item_id"].nunique()
        wide = group.pivot(index=[*_PERSON, "item_id"], columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline])
        complete = (wide.notna().groupby(level=_PERSON).sum() == n_items).all(axis=1)
        sums = wide.groupby(level=_PERSON).sum(min_count=1).loc[complete]
        scores = (sums / n_items).reset_index().rename(columns={baseline: "before", endline: "after"})
        parts.append(scores.assign(outcome=outcome))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["change"] = out["after"] - out["before"]
    out.columns.name = None
    return out[columns]


def response_shift(
    responses: pd.DataFrame,
    *,
    instrument: str | None = "outcomes",
    options: PairedOptions | None = None,
) -> pd.DataFrame:
    """Response shift: the retrospective pre-test (``retro``) against the pre-test.

    Returns
    -------
    pandas.DataFrame
        `item_changes` with baseline ``pre``, endline ``retro`` and family ``shift``, for
        the items asked retrospectively: a negative shift means officials rated their
        starting point lower once they had seen what there was to know (the classic
        response shift), which makes pre/post change an underestimate.

    References
    ----------
    .. [1] Howard, G. S. (1980). Response-shift bias: a problem in evaluating
       interventions with pre/post self-reports. Evaluation Review, 4(1), 93–106.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": list("abcdef") * 2, "instrument": "outcomes",
    ...                   "wave": ["pre"] * 6 + ["retro"] * 6, "item_id": "ok_guidelines",
    ...                   "outcome": "new_knowledge",
    ...                   "value": [3, 4, 3, 3, 4, 2] + [2, 3, 2, 3, 2, 2]})
    >>> response_shift(r)[["item_id", "n", "n_worse", "median_change", "family"]]
             item_id  n  n_worse  median_change family
    0  ok_guidelines  6        4           -1.0  shift
    """
    # only the items asked retrospectively: the others have no second rating to compare
    if responses is not None and len(responses) and "wave" in responses.columns:
        retro_items = responses.loc[(responses["wave"] == "retro") & responses["value"].notna(), "item_id"].unique()
        responses = responses[responses["item_id"].isin(retro_items)]
    return item_changes(responses, baseline="pre", endline="retro", instrument=instrument,
                        options=options, family=SHIFT_FAMILY)


def learning_results(
    responses: pd.DataFrame, *, options: PairedOptions | None = None, primary: str | None = None
) -> dict[str, pd.DataFrame]:
    """The learning (L2) results of a round: change per outcome and per item (pre → post)
    and the response shift (pre → retro).

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` of the round.
    options : stats.PairedOptions, optional
        The report's paired-test settings.
    primary : str, optional
        The pre-specified primary outcome of level 2.

    Returns
    -------
    dict
        ``{}`` when the outcome survey lacks a ``pre`` or a ``post`` wave; otherwise
        ``outcomes`` (`outcome_changes`), ``items`` (`item_changes`) and, when there is a
        ``retro`` wave, ``shift`` (`response_shift`).
    """
    if responses is None or responses.empty:
        return {}
    waves = set(responses.loc[responses["instrument"] == "outcomes", "wave"].dropna())
    if not {"pre", "post"} <= waves:
        return {}
    res = {"outcomes": outcome_changes(responses, options=options, primary=primary),
           "items": item_changes(responses, options=options)}
    if "retro" in waves:
        res["shift"] = response_shift(responses, options=options)
    return res
