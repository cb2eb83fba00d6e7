"""Pulse surveys of a learning network: short agreement statements asked at every wave
(``pulse-1``, ``pulse-2``, …), compared from the first to the last wave for the people
who answered both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .likert import Scale, likert_counts, likert_summary
from .outcomes import item_changes, outcome_changes
from .stats import holm
from .waves import wave_order

__all__ = ["PULSE_SCORE", "pulse_results"]

#: ``item_id`` of the row holding the change of the mean pulse score (all statements).
PULSE_SCORE = "_pulse_score"


def pulse_results(
    responses: pd.DataFrame | None,
    *,
    items: Sequence[str],
    scale: Scale,
    configured_waves: Sequence[str] = (),
    k: int,
    n_boot: int = 2000,
    seed: int = 0,
    min_pairs: int = 5,
) -> dict[str, Any]:
    """Answers per level and wave, top-2 share per statement and wave, and the change
    from the first to the last wave (per statement, and on the mean of the statements).

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table of the round.
    items : sequence of str
        The pulse statements (`feedback.scaled_items` of ``pulse``), in questionnaire order.
    scale : sequence of dict
        Their choice list's levels.
    configured_waves : sequence of str
        The configured wave order (``settings.yaml`` ``cleaning.wave_order``).
    k : int
        Minimum cell size of the breakdowns by wave.
    n_boot, seed, min_pairs : int
        Passed to `stats.paired_change`.

    Returns
    -------
    dict
        ``{}`` without scaled pulse answers; otherwise ``waves`` (in survey order),
        ``counts`` (`likert_counts` by wave), ``summary`` (`likert_summary` by wave,
        suppressed below k respondents), and with at least two waves ``changes`` (one row
        per statement, Holm across the statements, then the mean score as row
        `PULSE_SCORE`) and ``score`` (that last row as a dict, or None).
    """
    if responses is None or responses.empty:
        return {}
    answers = responses[(responses["instrument"] == "pulse") & responses["item_id"].isin(items)
                        & responses["value"].notna()]
    if answers.empty:
        return {}
    waves = wave_order(answers["wave"], configured_waves)
    present_items = [i for i in items if i in set(answers["item_id"])]
    rank = {w: i for i, w in enumerate(waves)}
    counts = likert_counts(answers, scale, items=present_items, by="wave", k=k)
    counts = counts.assign(_w=counts["wave"].map(rank), _i=counts["item_id"].map(present_items.index))
    counts = counts.sort_values(["_i", "_w", "level"], kind="stable").drop(columns=["_w", "_i"])
    summary = likert_summary(answers, by="wave", choices=scale, k=k)
    summary = summary.assign(_w=summary["wave"].map(rank), _i=summary["item_id"].map(present_items.index))
    summary = summary.sort_values(["_i", "_w"], kind="stable").drop(columns=["_w", "_i"]).reset_index(drop=True)
    res: dict[str, Any] = {"waves": waves, "counts": counts.reset_index(drop=True), "summary": summary}
    if len(waves) < 2:
        return res
    first, last = waves[0], waves[-1]
    options = {"baseline": first, "endline": last, "instrument": "pulse",
               "n_boot": n_boot, "seed": seed, "min_pairs": min_pairs}
    items_change = item_changes(answers, **options)
    # the pulse statements are one family: Holm across all of them
    items_change["p_holm"] = holm(items_change["p_value"].to_numpy(dtype=float))
    score = outcome_changes(answers.assign(outcome=PULSE_SCORE), **options)
    score = score.assign(item_id=PULSE_SCORE, p_holm=float("nan"))
    res["changes"] = pd.concat([items_change, score[items_change.columns]], ignore_index=True)
    res["score"] = score.iloc[0].to_dict() if not score.empty else None
    return res
