"""Pulse surveys of a learning network: short agreement statements asked at every wave
(``pulse-1``, ``pulse-2``, …), compared from the first to the last wave for the people
who answered both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .likert import Scale, likert_counts, likert_summary
from .multiplicity import adjust_table
from .outcomes import item_changes, outcome_changes
from .stats import PairedOptions
from .waves import wave_order

__all__ = ["PULSE_SCORE", "PULSE_FAMILY", "pulse_results"]

#: ``item_id`` of the row holding the change of the pulse score (all statements).
PULSE_SCORE = "_pulse_score"
#: Family of the adjusted p-values of the pulse statements.
PULSE_FAMILY = "statements"


def pulse_results(
    responses: pd.DataFrame | None,
    *,
    items: Sequence[str],
    scale: Scale,
    configured_waves: Sequence[str] = (),
    k: int,
    options: PairedOptions | None = None,
    primary: str | None = PULSE_SCORE,
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
    options : stats.PairedOptions, optional
        The report's paired-test settings.
    primary : str or None
        The pre-specified primary row of the change table (``settings.yaml``
        ``stats.primary_outcomes.pulse``): `PULSE_SCORE` tests the score of all
        statements first and gates the statements on it; None adjusts the statements
        alone.

    Returns
    -------
    dict
        ``{}`` without scaled pulse answers; otherwise ``waves`` (in survey order),
        ``counts`` (`likert_counts` by wave), ``summary`` (`likert_summary` by wave,
        suppressed below k respondents), and with at least two waves ``changes`` (one row
        per statement, then the score of all statements as row `PULSE_SCORE`: the sum
        of the statements, per statement, for people who answered all of them; p-values
        adjusted over the table, `multiplicity.adjust_table`) and ``score`` (that last
        row as a dict, or None).
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
    options = options or PairedOptions()
    waves_used = {"baseline": first, "endline": last, "instrument": "pulse", "options": options}
    items_change = item_changes(answers, family=PULSE_FAMILY, **waves_used)
    score = outcome_changes(answers.assign(outcome=PULSE_SCORE), **waves_used)
    score = score.assign(item_id=PULSE_SCORE)
    changes = pd.concat([items_change, score[items_change.columns]], ignore_index=True)
    # the statements and their score are the table a reader scans: one family, the score first
    changes = adjust_table(changes.drop(columns=["family", "p_adjusted", "adjust_method"]),
                           family=PULSE_FAMILY, method=options.multiplicity, key="item_id", primary=primary)
    res["changes"] = changes[items_change.columns]
    res["score"] = res["changes"].iloc[-1].to_dict() if not score.empty else None
    return res
