"""Learning outcomes (Kirkpatrick level 2): paired change per item and per outcome.

Each official answers the outcome items before the exchange (``pre``), after it
(``post``) and, in the post survey, about the time before it (``retro``, the
retrospective pre-test). Answers are linked by ``pid`` within ``round_id``; only people
with both waves count as pairs, and the number who answered one wave only is reported
next to every estimate (``n_unmatched``), because with 6–8 officials one drop-out changes
the picture.

The test, effect size and interval are those of `stats.paired_change`; p-values are
Holm-adjusted within a family (the items of one intermediate outcome, or the outcomes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import AnalysisError
from .stats import PAIRED_CHANGE_FIELDS, holm, paired_change, paired_change_note

__all__ = [
    "ITEM_CHANGE_COLUMNS",
    "OUTCOME_CHANGE_COLUMNS",
    "item_changes",
    "outcome_changes",
    "response_shift",
    "outcome_scores",
    "learning_results",
]

_TEST_COLUMNS = [c for c in PAIRED_CHANGE_FIELDS if c != "n"]
#: Columns of `item_changes` and `response_shift`.
ITEM_CHANGE_COLUMNS = [
    "item_id",
    "outcome",
    "n",
    "n_unmatched",
    "statistic",
    "p_value",
    "p_holm",
    "rank_biserial",
    "median_change",
    "ci_low",
    "ci_high",
    "note",
]
#: Columns of `outcome_changes`.
OUTCOME_CHANGE_COLUMNS = [
    "outcome",
    "n_items",
    "n",
    "n_unmatched",
    "statistic",
    "p_value",
    "p_holm",
    "rank_biserial",
    "median_change",
    "ci_low",
    "ci_high",
    "note",
]
_PERSON = ["round_id", "pid"]


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


def _pair_row(pre: pd.Series, post: pd.Series, n_boot: int, seed: int, min_pairs: int) -> dict:
    pre_ok, post_ok = pre.dropna(), post.dropna()
    linked = pre_ok.index.intersection(post_ok.index)
    n_unmatched = len(pre_ok.index.union(post_ok.index)) - len(linked)
    result = paired_change(pre, post, n_boot=n_boot, seed=seed, min_pairs=min_pairs)
    row = result.to_dict()
    row["n"] = int(row["n"])
    row["n_unmatched"] = int(n_unmatched)
    row["note"] = paired_change_note(pre, post, min_pairs=min_pairs)
    return row


def _finish(rows: list[dict], columns: list[str], family: str | None) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[c for c in columns if c != "p_holm"])
    if family is None:
        p_holm = holm(out["p_value"].to_numpy(dtype=float)) if len(out) else []
    else:
        p_holm = np.full(len(out), np.nan)
        keys = out[family].astype("string").fillna("<none>")
        for _, idx in out.groupby(keys, sort=False).groups.items():
            positions = out.index.get_indexer(idx)
            p_holm[positions] = holm(out.loc[idx, "p_value"].to_numpy(dtype=float))
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", p_holm)
    out["note"] = out["note"].astype("object").where(out["note"].notna(), None)
    return out[columns].reset_index(drop=True)


def item_changes(
    responses: pd.DataFrame,
    baseline: str = "pre",
    endline: str = "post",
    *,
    instrument: str | None = "outcomes",
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
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
    n_boot, seed, min_pairs : int
        Passed to `stats.paired_change` (a report passes ``settings.yaml`` ``stats``).

    Returns
    -------
    pandas.DataFrame
        One row per item, in order of appearance, columns `ITEM_CHANGE_COLUMNS`:
        ``item_id, outcome, n`` (linked pairs), ``n_unmatched`` (people who answered the
        item at one wave only), ``statistic, p_value`` (Wilcoxon signed-rank, as R),
        ``p_holm`` (Holm across the items of the same outcome; items without an outcome
        form one family), ``rank_biserial, median_change, ci_low, ci_high`` and ``note``
        (``"too_few_pairs"``, ``"no_variance"`` or None).

    Raises
    ------
    AnalysisError
        When a person answered the same item twice in one wave.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6, 65–70.

    Examples
    --------
    >>> import pandas as pd
    >>> pre = [2, 3, 2, 3, 1, 2]
    >>> post = [4, 4, 3, 3, 3, 4]
    >>> r = pd.DataFrame({"round_id": "r1", "pid": list("abcdef") * 2,
    ...                   "instrument": "outcomes", "wave": ["pre"] * 6 + ["post"] * 6,
    ...                   "item_id": "ok_functions", "outcome": "new_knowledge",
    ...                   "value": pre + post})
    >>> res = item_changes(r, n_boot=200)
    >>> res[["item_id", "n", "n_unmatched", "statistic", "median_change", "note"]]
            item_id  n  n_unmatched  statistic  median_change  note
    0  ok_functions  6            0       15.0            1.5  None
    """
    frame = _wave_values(responses, instrument, baseline, endline)
    rows = []
    for item_id, group in frame.groupby("item_id", sort=False):
        wide = group.pivot(index=_PERSON, columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline])
        outcome = group["outcome"].dropna()
        row = _pair_row(wide[baseline], wide[endline], n_boot, seed, min_pairs)
        row.update(item_id=item_id, outcome=outcome.iloc[0] if len(outcome) else None)
        rows.append(row)
    return _finish(rows, ITEM_CHANGE_COLUMNS, family="outcome")


def outcome_changes(
    responses: pd.DataFrame,
    baseline: str = "pre",
    endline: str = "post",
    *,
    instrument: str | None = "outcomes",
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
) -> pd.DataFrame:
    """Paired change of each intermediate outcome (mean of its items per person).

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table; items without an ``outcome`` tag are ignored.
    baseline, endline : str
        Waves to compare; the change is endline − baseline.
    instrument : str or None
        Keep only this instrument (default ``"outcomes"``).
    n_boot, seed, min_pairs : int
        Passed to `stats.paired_change` (a report passes ``settings.yaml`` ``stats``).

    Returns
    -------
    pandas.DataFrame
        One row per outcome, columns `OUTCOME_CHANGE_COLUMNS`: ``outcome, n_items``
        (items of the outcome in the data), ``n`` (people with a score at both waves),
        ``n_unmatched`` (people with answers at one wave only), the test columns of
        `item_changes`, ``p_holm`` adjusted across outcomes, and ``note``.

    Notes
    -----
    A person's score at a wave is the mean of the outcome's items they answered at
    *both* waves, so that a skipped item at one wave does not masquerade as change. The
    scores are compared with the signed-rank test; they are means of ordinal codes, so
    read the median change as a change in average scale points.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": list("abcde") * 4, "instrument": "outcomes",
    ...                   "wave": (["pre"] * 5 + ["post"] * 5) * 2,
    ...                   "item_id": ["sk_selfassess"] * 10 + ["sk_plan"] * 10,
    ...                   "outcome": "enhanced_skill",
    ...                   "value": [2, 3, 2, 1, 3, 3, 4, 4, 2, 3] + [2, 2, 3, 1, 2, 4, 3, 4, 3, 3]})
    >>> outcome_changes(r, n_boot=200)[["outcome", "n_items", "n", "median_change", "note"]]
              outcome  n_items  n  median_change  note
    0  enhanced_skill        2  5            1.5  None
    """
    frame = _wave_values(responses, instrument, baseline, endline)
    frame = frame[frame["outcome"].notna()]
    rows = []
    for outcome, group in frame.groupby("outcome", sort=False):
        wide = group.pivot(index=[*_PERSON, "item_id"], columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline])
        complete = wide.dropna()
        scores = complete.groupby(level=_PERSON).mean()
        people = wide.index.droplevel("item_id").unique()
        pre = scores[baseline].reindex(people)
        post = scores[endline].reindex(people)
        row = _pair_row(pre, post, n_boot, seed, min_pairs)
        row["n_unmatched"] = int(len(people) - len(scores))
        row.update(outcome=outcome, n_items=int(group["item_id"].nunique()))
        rows.append(row)
    return _finish(rows, OUTCOME_CHANGE_COLUMNS, family=None)


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
        ``round_id, pid, outcome, before, after, change`` for the people with a score at
        both waves (the mean of the outcome's items they answered at both).

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
        wide = group.pivot(index=[*_PERSON, "item_id"], columns="wave", values="value")
        wide = wide.reindex(columns=[baseline, endline]).dropna()
        scores = wide.groupby(level=_PERSON).mean().reset_index()
        scores = scores.rename(columns={baseline: "before", endline: "after"})
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
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
) -> pd.DataFrame:
    """Response shift: the retrospective pre-test (``retro``) against the pre-test.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table with ``pre`` and ``retro`` waves.
    instrument, n_boot, seed, min_pairs
        As for `item_changes`.

    Returns
    -------
    pandas.DataFrame
        `item_changes` with baseline ``pre`` and endline ``retro``: a negative median
        change means officials rated their starting point lower once they had seen what
        there was to know (the classic response shift), which makes pre/post change an
        underestimate.

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
    >>> response_shift(r, n_boot=200)[["item_id", "n", "median_change", "note"]]
             item_id  n  median_change  note
    0  ok_guidelines  6           -1.0  None
    """
    return item_changes(
        responses,
        baseline="pre",
        endline="retro",
        instrument=instrument,
        n_boot=n_boot,
        seed=seed,
        min_pairs=min_pairs,
    )


def learning_results(
    responses: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0, min_pairs: int = 5
) -> dict[str, pd.DataFrame]:
    """The learning (L2) results of a round: change per outcome and per item (pre → post)
    and the response shift (pre → retro).

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
    options = {"n_boot": n_boot, "seed": seed, "min_pairs": min_pairs}
    res = {"outcomes": outcome_changes(responses, **options), "items": item_changes(responses, **options)}
    if "retro" in waves:
        res["shift"] = response_shift(responses, **options)
    return res
