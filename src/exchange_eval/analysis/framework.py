"""The results framework of a round: one row per headline indicator, outcome × level,
with its evidence and verdict.

The rows follow the results chain of *The Art of Knowledge Exchange* (intermediate
outcomes: new knowledge, enhanced skill, improved consensus, enhanced connectivity, new
and improved actions) and the Kirkpatrick levels: L1 reaction (session ratings against a
benchmark), L2 learning (paired change of each outcome, pre/post or first/last pulse),
L3 behaviour (improvement-plan actions done; ties between member organisations), L4
results (self-assessment criteria, maturity ladder and RF18 against comparison
countries). Each builder turns one analysis result into rows of `FRAMEWORK_COLUMNS`;
`framework_table` judges them with `verdict.judge_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .verdict import (
    EVIDENCE_COLUMNS,
    VerdictRules,
    change_evidence,
    dyad_evidence,
    judge_table,
    share_evidence,
)

__all__ = [
    "OUTCOMES",
    "LEVELS",
    "FRAMEWORK_COLUMNS",
    "source_files",
    "framework_row",
    "reaction_rows",
    "learning_rows",
    "plan_rows",
    "did_rows",
    "network_rows",
    "framework_table",
]

#: The intermediate outcomes of the results chain, in order.
OUTCOMES = ("new_knowledge", "enhanced_skill", "improved_consensus", "enhanced_connectivity", "new_actions")
#: Evaluation levels.
LEVELS = ("L1", "L2", "L3", "L4")
#: Columns of a results-framework table.
FRAMEWORK_COLUMNS = [
    "indicator", "level", "outcome", "design", "unit", "baseline", "target", "actual",
    *EVIDENCE_COLUMNS, "verdict", "grade", "rule", "instrument", "source_file",
]


def source_files(meta: Mapping[str, Any], instrument: str) -> str:
    """The manifest's files of ``instrument``, comma-separated (``kobo_pre.csv, kobo_post.csv``)."""
    files = [str(s.get("file")) for s in meta.get("sources") or [] if s.get("instrument") == instrument]
    return ", ".join(dict.fromkeys(files))


def framework_row(**values: Any) -> dict[str, Any]:
    """A row of `FRAMEWORK_COLUMNS`: the given values, the others empty."""
    row = dict.fromkeys(FRAMEWORK_COLUMNS)
    row.update(values)
    return row


def reaction_rows(feedback: Mapping[str, Any], rules: VerdictRules, *, targets: Mapping[str, float],
                  files: str) -> list[dict[str, Any]]:
    """L1: the share of session ratings agreeing that the content was relevant
    (`feedback.session_feedback` ``relevance_top2``/``relevance_n``) against the benchmark."""
    n = int(feedback.get("relevance_n") or 0) if feedback else 0
    if not n or feedback.get("relevance_top2") is None:
        return []
    share = float(feedback["relevance_top2"])
    benchmark = rules.benchmark("reaction", targets)
    evidence = share_evidence(int(round(share * n)), n, benchmark)
    return [framework_row(indicator="reaction", level="L1", outcome=None, design="share", unit="share", baseline=None,
                 target=benchmark, actual=share, instrument="session_feedback", source_file=files,
                 **{k: evidence[k] for k in EVIDENCE_COLUMNS})]


def learning_rows(changes: pd.DataFrame | None, scores: pd.DataFrame | None, *, instrument: str, files: str,
                  targets: Mapping[str, float], rules: VerdictRules, key: str = "outcome",
                  outcome_of: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """L2: one row per intermediate outcome from a paired-change table (`outcomes.outcome_changes`,
    or the per-statement changes of `pulse.pulse_results` with ``key="item_id"`` and
    ``outcome_of`` mapping each statement to its outcome); baseline and actual are the
    mean scores of the linked people before and after (``scores``: `outcomes.outcome_scores`)."""
    if changes is None or changes.empty:
        return []
    evidence = change_evidence(changes)
    rows = []
    for record in evidence.to_dict("records"):
        ident = record.get(key)
        outcome = (outcome_of or {}).get(str(ident), ident) if key != "outcome" else ident
        if outcome is None or (isinstance(outcome, float) and np.isnan(outcome)) or str(outcome).startswith("_"):
            continue
        before = after = None
        if scores is not None and not scores.empty:
            mine = scores[scores[key] == ident] if key in scores.columns else scores.iloc[0:0]
            if not mine.empty:
                before, after = float(mine["before"].mean()), float(mine["after"].mean())
        rows.append(framework_row(indicator=str(outcome), level="L2", outcome=str(outcome), design="paired", unit="points",
                         baseline=before, actual=after, target=rules.target(str(outcome), targets),
                         instrument=instrument, source_file=files, **{k: record.get(k) for k in EVIDENCE_COLUMNS}))
    return rows


def plan_rows(plans: Mapping[str, Any], rules: VerdictRules, *, targets: Mapping[str, float],
              files: str, first_share: float | None = None) -> list[dict[str, Any]]:
    """L3: the share of improvement-plan actions done at the latest follow-up
    (`plans.plans_results`) against the benchmark; baseline = the share at the first follow-up."""
    total = int(plans.get("total") or 0) if plans else 0
    if not total:
        return []
    done = int(plans.get("done") or 0)
    benchmark = rules.benchmark("plan_completion", targets)
    evidence = share_evidence(done, total, benchmark)
    return [framework_row(indicator="plan_completion", level="L3", outcome="new_actions", design="share", unit="share",
                 baseline=first_share, target=benchmark, actual=done / total, instrument="plan_actions",
                 source_file=files, **{k: evidence[k] for k in EVIDENCE_COLUMNS})]


def did_rows(dids: Iterable[tuple[str, pd.Series | None, str, str]], *, targets: Mapping[str, float],
             rules: VerdictRules) -> list[dict[str, Any]]:
    """L4: one row per difference-in-differences given as (indicator, `did.panel_did`
    result, unit, files): n = countries, estimate and OLS cluster interval, p = the
    randomization-inference p-value; baseline and actual = the participants' mean before
    and after."""
    rows = []
    for indicator, did, unit, files in dids:
        if did is None:
            continue
        instrument = "jsr_quality" if indicator == "rf18" else "jsr_assessment"
        rows.append(framework_row(indicator=indicator, level="L4", outcome=None, design="did", unit=unit,
                         baseline=did.get("mean_treated_pre"), actual=did.get("mean_treated_post"),
                         target=rules.target(indicator, targets), n=did.get("n_countries"),
                         estimate=did.get("estimate"), ci_low=did.get("ci_low"), ci_high=did.get("ci_high"),
                         p_adjusted=did.get("p_value_ri"), note=None, instrument=instrument, source_file=files))
    return rows


def network_rows(change: Mapping[str, Any] | None, *, targets: Mapping[str, float], rules: VerdictRules,
                 files: str) -> list[dict[str, Any]]:
    """L3 (enhanced connectivity): density of ties between member organisations at the
    first and the last wave (`network.tie_change`), judged on the pairs whose tie changed
    (`verdict.dyad_evidence`)."""
    if not change or not change.get("n_pairs"):
        return []
    evidence = dyad_evidence(int(change["gained"]), int(change["lost"]), int(change["n_pairs"]))
    return [framework_row(indicator="network_density", level="L3", outcome="enhanced_connectivity", design="network",
                 unit="share", baseline=change["density_first"], actual=change["density_last"],
                 target=rules.target("network_density", targets), instrument="ties", source_file=files,
                 **{k: evidence[k] for k in EVIDENCE_COLUMNS})]


def framework_table(rows: Sequence[Mapping[str, Any]], rules: VerdictRules, round_id: str | None = None) -> pd.DataFrame:
    """The judged results framework: `FRAMEWORK_COLUMNS` (and ``round_id`` when given), by
    level then by the order of `OUTCOMES`.

    Examples
    --------
    >>> rows = learning_rows(pd.DataFrame({"outcome": ["new_knowledge"], "n": [11], "estimate": [1.0],
    ...     "ci_low": [0.5], "ci_high": [1.5], "p_adjusted": [0.004], "note": [None]}), None,
    ...     instrument="outcomes", files="pre.csv", targets={}, rules=VerdictRules())
    >>> framework_table(rows, VerdictRules())[["indicator", "level", "verdict", "grade"]].values.tolist()
    [['new_knowledge', 'L2', 'improved', 'strong']]
    """
    table = pd.DataFrame(list(rows), columns=FRAMEWORK_COLUMNS)
    if table.empty:
        return table if round_id is None else table.assign(round_id=pd.Series(dtype="object"))
    for column in ("n", "estimate", "ci_low", "ci_high", "p_adjusted", "baseline", "actual", "target"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    table = judge_table(table, rules)[FRAMEWORK_COLUMNS]
    rank = {o: i for i, o in enumerate(OUTCOMES)}
    table = table.assign(_l=table["level"].map(LEVELS.index),
                         _o=table["outcome"].map(lambda o: rank.get(o, len(OUTCOMES))))
    table = table.sort_values(["_l", "_o"], kind="stable").drop(columns=["_l", "_o"]).reset_index(drop=True)
    if round_id is not None:
        table.insert(0, "round_id", round_id)
    return table
