"""Session feedback (Kirkpatrick level 1, reaction): answers per level, summaries per
session, and the share of participants who found the sessions relevant.

The statements analysed are the scaled items of an instrument that share the choice list
of its first scaled item (`scaled_items`), so a free-text or yes/no question in the same
questionnaire never mixes into the agreement scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .likert import Scale, likert_counts, likert_summary
from .suppress import complementary_suppression

__all__ = ["DEFAULT_SCALE", "scaled_items", "session_feedback"]

#: The choice list assumed when an instrument has no scaled item.
DEFAULT_SCALE = "agree5"


def scaled_items(instruments: Mapping, instrument: str) -> tuple[list[str], str]:
    """The statements of ``instrument`` rated on one scale, and that scale's name.

    Parameters
    ----------
    instruments : mapping
        Parsed ``instruments.yaml``.
    instrument : str
        Instrument name (``session_feedback``, ``pulse``, …).

    Returns
    -------
    (list of str, str)
        Ids of the ``select_one`` items whose choice list is that of the first one, in
        questionnaire order, and the name of the choice list (`DEFAULT_SCALE` when the
        instrument has no scaled item).

    Examples
    --------
    >>> spec = {"instruments": {"sf": {"items": [
    ...     {"id": "a", "type": "select_one", "choices": "agree5"},
    ...     {"id": "b", "type": "select_one", "choices": "yesno"},
    ...     {"id": "c", "type": "select_one", "choices": "agree5"}]}}}
    >>> scaled_items(spec, "sf")
    (['a', 'c'], 'agree5')
    """
    items = (instruments.get("instruments") or {}).get(instrument, {}).get("items") or []
    scaled = [i for i in items if i.get("type") == "select_one"]
    choices = str(scaled[0].get("choices")) if scaled else DEFAULT_SCALE
    return [str(i["id"]) for i in scaled if i.get("choices") == choices], choices


def session_feedback(
    responses: pd.DataFrame | None, *, items: Sequence[str], scale: Scale, k: int
) -> dict[str, Any]:
    """Session-feedback answers of a round: counts over all sessions, summaries by session.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table of the round.
    items : sequence of str
        The statements (`scaled_items` of ``session_feedback``); the second is the
        relevance statement quoted in the summary.
    scale : sequence of dict
        Their choice list's levels.
    k : int
        Minimum cell size: the summary by session is suppressed below k answers, with
        complementary suppression within each statement.

    Returns
    -------
    dict
        ``{}`` without answers to the statements; otherwise ``counts`` (`likert_counts`
        over all sessions), ``counts_by_session`` (the same, session by session,
        suppressed below k), ``summary`` (`likert_summary` session by session, suppressed
        below k), ``overall`` (`likert_summary` over all sessions), ``top2`` and
        ``top2_n`` (share of all answers in the scale's top two levels, and their
        number), ``relevance_top2``
        and ``relevance_n`` (top-2 share and n of the relevance statement, None / 0
        without one).
    """
    if responses is None or responses.empty:
        return {}
    answers = responses[(responses["instrument"] == "session_feedback") & responses["item_id"].isin(items)]
    if answers.empty:
        return {}
    counts = likert_counts(answers, scale, items=items)
    # session_id is one of the unit columns of a session-feedback answer, so the summary
    # is computed session by session rather than with by="session_id"
    parts = []
    for session_id, sub in answers.groupby("session_id", sort=False):
        part = likert_summary(sub, choices=scale)
        part.insert(0, "session_id", session_id)
        parts.append(part)
    summary = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not summary.empty:
        # the round's totals per statement are published (the figure, the summary box), so
        # one withheld session must not be their difference from the sessions shown
        summary = complementary_suppression(summary, "n", k=k, within="item_id")
    overall = likert_summary(answers, choices=scale)
    relevance = overall[overall["item_id"] == items[1]] if len(items) > 1 else overall.head(0)
    by_session = likert_counts(answers, scale, items=items, by="session_id", k=k)
    answered = overall["n"].fillna(0)
    top2 = float((overall["top2"].fillna(0) * answered).sum() / answered.sum()) if answered.sum() else None
    return {"counts": counts, "counts_by_session": by_session, "summary": summary, "overall": overall,
            "top2": top2, "top2_n": int(answered.sum()),
            "relevance_top2": float(relevance["top2"].iloc[0]) if not relevance.empty else None,
            "relevance_n": int(relevance["n"].iloc[0]) if not relevance.empty else 0}
