"""The headline claims of a round: its results framework (`framework`) and, per claim,
the small-n robustness checks of `robustness`, from the results a round report computes.

`round_headline` takes the loaded round, the section results (learning, session
feedback, plans, JSR, self-assessment, pulse, network) and the settings, and returns the
judged framework table, a robustness table and the change against the retrospective
pre-test. Pure: every setting is an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..core.tables import RoundData
from . import framework as fw
from .jsr import JSRDataError, ladder_did, rf18_did
from .outcomes import item_changes, outcome_changes, outcome_scores
from .plans import completion_rate, followup_order
from .questions import compared_responses
from .robustness import leave_one_country_out, loco_summary, paired_evidence, pairs_to_flip
from .selfassessment import criteria_did
from .stats import PairedOptions, paired_change
from .verdict import VerdictRules, change_evidence

__all__ = ["ROBUSTNESS_COLUMNS", "round_headline"]

#: Columns of the robustness table.
ROBUSTNESS_COLUMNS = ["indicator", "loco_low", "loco_high", "loco_runs", "loco_same", "loco_changed",
                      "flip_pairs", "retro_estimate", "retro_ci_low", "retro_ci_high", "shift"]


def _first_followup_share(plan_actions: pd.DataFrame | None, statuses: list[str]) -> float | None:
    if plan_actions is None or plan_actions.empty or plan_actions["status"].dropna().empty:
        return None
    overall = completion_rate(plan_actions, by=(), statuses=statuses)
    if overall.empty:
        return None
    first = followup_order(overall["followup"].dropna().unique())[0]
    row = overall[overall["followup"] == first]
    return float(row["share_done"].iloc[0]) if not row.empty else None


def _country_of(rd: RoundData) -> dict[str, str]:
    people = rd.participants
    if people is None or people.empty or "country" not in people.columns:
        return {}
    return {str(p): str(c) for p, c in zip(people["pid"], people["country"], strict=True) if pd.notna(c)}


def _did_panel_countries(*tables: pd.DataFrame | None) -> list[str]:
    found: set[str] = set()
    for table in tables:
        if table is not None and not table.empty and "country" in table.columns:
            found |= set(table["country"].dropna().astype(str))
    return sorted(found)


def _paired_checks(rd: RoundData, responses: pd.DataFrame, table: pd.DataFrame, *, key: str, instrument: str,
                   baseline: str, endline: str,
                   outcome_of: Mapping[str, str], options: PairedOptions, rules: VerdictRules,
                   changes_fn: Callable[[pd.DataFrame], pd.DataFrame]) -> list[dict[str, Any]]:
    """Leave-one-country-out and pairs-to-flip of the paired rows of ``table``."""
    rows = table[(table["design"] == "paired") & (table["instrument"] == instrument)]
    if rows.empty:
        return []
    answers = responses[responses["instrument"] == instrument]
    if key == "item_id":
        answers = answers.assign(outcome=answers["item_id"])
    country = _country_of(rd)
    scores = outcome_scores(answers, baseline, endline, instrument=instrument)
    pids = set(scores["pid"]) if not scores.empty else set()
    countries = sorted({country[p] for p in pids if p in country})

    def rerun(left_out: str) -> pd.DataFrame:
        keep = answers[answers["pid"].map(lambda p: country.get(str(p)) != left_out)]
        changes = changes_fn(keep)
        if changes.empty:
            return changes
        ev = change_evidence(changes)
        ev["indicator"] = [outcome_of.get(str(i), str(i)) for i in ev[key]]
        return ev

    loco = leave_one_country_out(countries, rerun) if len(countries) > 1 else pd.DataFrame()
    verdicts = dict(zip(rows["indicator"], rows["verdict"], strict=True))
    designs = {i: ("paired", "points") for i in rows["indicator"]}
    summary = loco_summary(loco, verdicts, designs, rules) if not loco.empty else pd.DataFrame()
    out = []
    for record in rows.to_dict("records"):
        indicator = record["indicator"]
        ident = next((i for i, o in outcome_of.items() if o == indicator), indicator)
        mine = scores[scores["outcome"] == ident] if not scores.empty else scores
        flip = None
        if not mine.empty and record["verdict"] in ("improved", "worsened", "no_change"):
            factor = _p_factor(record)
            flip = pairs_to_flip(mine["change"].to_numpy(dtype=float), record["verdict"],
                                 lambda d, f=factor: paired_evidence(d, paired_change, p_factor=f,
                                                                     **options.paired_kwargs()),
                                 design="paired", unit="points", rules=rules)
        entry = {"indicator": indicator, "flip_pairs": flip}
        if not summary.empty and indicator in set(summary["indicator"]):
            entry.update(summary[summary["indicator"] == indicator].iloc[0].to_dict())
        out.append(entry)
    return out


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _p_factor(record: Mapping[str, Any]) -> float:
    """The factor by which a row's multiplicity adjustment multiplied its raw p-value (1
    without one), so that a re-run with changed pairs is judged as its row was."""
    raw, adjusted = record.get("_p_raw"), record.get("p_adjusted")
    if _is_missing(raw) or _is_missing(adjusted) or float(raw) <= 0:
        return 1.0
    return max(1.0, float(adjusted) / float(raw))


def round_headline(
    rd: RoundData,
    results: Mapping[str, Any],
    *,
    rules: VerdictRules,
    paired_options: PairedOptions,
    statuses: list[str],
    pulse_outcomes: Mapping[str, str],
    effect_lag_years: int,
    dimensions_config: Mapping[str, Any],
    exchange_year: int | None,
    primary: str | None = None,
    robustness: bool = True,
) -> dict[str, Any]:
    """The judged results framework of a round and the robustness of each claim.

    Parameters
    ----------
    rd : RoundData
        The round (tables and meta).
    results : mapping
        The section results: ``learning`` (`outcomes.learning_results`), ``feedback``
        (`feedback.session_feedback`), ``plans`` (`plans.plans_results`), ``jsr``
        (`jsr.jsr_results`), ``selfassessment`` (`selfassessment.selfassessment_results`),
        ``pulse`` (`pulse.pulse_results`), ``network`` (`network.network_results`).
    rules : VerdictRules
    paired_options : stats.PairedOptions
        The report's paired-test settings (the re-runs of the robustness checks use them).
    primary : str, optional
        The pre-specified primary outcome of level 2 (its re-runs are gated as the
        learning table is, `outcomes.outcome_changes`).
    statuses : list of str
        Plan-action statuses.
    pulse_outcomes : mapping
        Pulse statement -> intermediate outcome (``instruments.yaml``).
    effect_lag_years, dimensions_config, exchange_year
        As for `jsr.jsr_results`.
    robustness : bool, default True
        Re-run the claims without each country and count the pairs that would flip them
        (most of the time this takes); False leaves ``robustness`` empty, for a reader of
        the framework alone (the synthesis, which judges the rounds together).

    Returns
    -------
    dict
        ``framework`` (`framework.framework_table` with ``round_id``), ``robustness``
        (`ROBUSTNESS_COLUMNS`, one row per claim of the framework that can be checked).
    """
    meta = rd.meta
    targets = dict(meta.get("targets") or {})
    # the questions whose change is measured (asked before and after), as the learning table
    compared = compared_responses(rd.responses, rd.items)
    files = lambda instrument: fw.source_files(meta, instrument)  # noqa: E731 - a one-line helper
    rows: list[dict[str, Any]] = []
    rows += fw.reaction_rows(results.get("feedback") or {}, rules, targets=targets, files=files("session_feedback"))
    learning = results.get("learning") or {}
    outcomes_table = learning.get("outcomes")
    if outcomes_table is not None and not outcomes_table.empty:
        scores = outcome_scores(compared)
        learning_rows = fw.learning_rows(outcomes_table, scores, instrument="outcomes", files=files("outcomes"),
                                         targets=targets, rules=rules)
        raw = dict(zip(outcomes_table["outcome"], outcomes_table["p_value"], strict=True)) \
            if "p_value" in outcomes_table else {}
        for row in learning_rows:
            row["_p_raw"] = raw.get(row["indicator"])
        rows += learning_rows
    pulse = results.get("pulse") or {}
    pulse_changes = pulse.get("changes")
    waves = pulse.get("waves") or []
    if pulse_changes is not None and not pulse_changes.empty and (outcomes_table is None or outcomes_table.empty):
        answers = rd.responses[rd.responses["instrument"] == "pulse"]
        scores = outcome_scores(answers.assign(outcome=answers["item_id"]), waves[0], waves[-1], instrument="pulse")
        scores = scores.rename(columns={"outcome": "item_id"})
        pulse_rows = fw.learning_rows(pulse_changes, scores, instrument="pulse", files=files("pulse"),
                                      targets=targets, rules=rules, key="item_id", outcome_of=pulse_outcomes)
        raw = dict(zip(pulse_changes["item_id"], pulse_changes["p_value"], strict=True))
        for row in pulse_rows:
            item = next((i for i, o in pulse_outcomes.items() if o == row["indicator"]), None)
            row["_p_raw"] = raw.get(item)
        rows += pulse_rows
    rows += fw.plan_rows(results.get("plans") or {}, rules, targets=targets, files=files("plan_actions"),
                         first_share=_first_followup_share(rd.plan_actions, statuses))
    rows += fw.network_rows((results.get("network") or {}).get("change"), targets=targets, rules=rules,
                            files=files("ties"))
    jsr = results.get("jsr") or {}
    sa = results.get("selfassessment") or {}
    rows += fw.did_rows([("selfassessment", sa.get("did"), "points", files("jsr_assessment")),
                         ("ladder", jsr.get("ladder_did"), "points", files("jsr_assessment")),
                         ("rf18", jsr.get("did"), "share", files("jsr_quality"))], targets=targets, rules=rules)
    raw_p = {r["indicator"]: r.pop("_p_raw", None) for r in rows}
    table = fw.framework_table(rows, rules, round_id=str(meta.get("round_id") or ""))
    if not robustness:
        return {"framework": table, "robustness": pd.DataFrame(columns=ROBUSTNESS_COLUMNS)}

    # ---- robustness of each claim
    checks: list[dict[str, Any]] = []
    records = table.assign(_p_raw=table["indicator"].map(raw_p))
    if outcomes_table is not None and not outcomes_table.empty:
        checks += _paired_checks(rd, compared, records, key="outcome", instrument="outcomes", baseline="pre", endline="post",
                                 outcome_of={}, options=paired_options, rules=rules,
                                 changes_fn=lambda r: outcome_changes(r, options=paired_options, primary=primary))
    elif pulse_changes is not None and not pulse_changes.empty and len(waves) >= 2:
        checks += _paired_checks(rd, rd.responses, records, key="item_id", instrument="pulse", baseline=waves[0], endline=waves[-1],
                                 outcome_of=dict(pulse_outcomes), options=paired_options, rules=rules,
                                 changes_fn=lambda r: _pulse_item_changes(r, waves, paired_options))
    checks += _did_checks(rd, table, rules, effect_lag_years=effect_lag_years, dimensions_config=dimensions_config,
                          exchange_year=exchange_year)
    robustness = pd.DataFrame(checks).reindex(columns=ROBUSTNESS_COLUMNS)
    if not robustness.empty:
        robustness = robustness.groupby("indicator", sort=False, as_index=False).first()
        robustness = robustness.reindex(columns=ROBUSTNESS_COLUMNS)
    robustness = _with_retro(robustness, compared, table, paired_options)
    return {"framework": table, "robustness": robustness.reset_index(drop=True)}


def _pulse_item_changes(answers: pd.DataFrame, waves: list[str], options: PairedOptions) -> pd.DataFrame:
    return item_changes(answers, baseline=waves[0], endline=waves[-1], instrument="pulse", options=options)


def _did_checks(rd: RoundData, table: pd.DataFrame, rules: VerdictRules, *, effect_lag_years: int,
                dimensions_config: Mapping[str, Any], exchange_year: int | None) -> list[dict[str, Any]]:
    """Leave-one-country-out of each difference-in-differences row (every country of its panel)."""
    dids = table[table["design"] == "did"]
    if dids.empty:
        return []
    ja, quality = rd.jsr_assessment, rd.jsr_quality

    def estimators(indicator: str) -> tuple[Callable[[str], pd.Series], list[str]] | None:
        if indicator == "selfassessment":
            return (lambda c: criteria_did(ja, exclude=c)), _did_panel_countries(ja)
        if indicator == "ladder":
            return (lambda c: ladder_did(ja[ja["country"] != c])), _did_panel_countries(ja)
        if indicator == "rf18" and exchange_year is not None:
            return ((lambda c: rf18_did(quality[quality["country"] != c],
                                        treatment_year=exchange_year + int(effect_lag_years),
                                        dimensions_config=dimensions_config)),
                    _did_panel_countries(quality))
        return None

    out = []
    for record in dids.to_dict("records"):
        found = estimators(record["indicator"])
        if found is None:
            continue
        estimate, countries = found

        def rerun(country: str, estimate: Callable[[str], pd.Series] = estimate,
                  indicator: str = record["indicator"]) -> pd.DataFrame:
            try:
                did = estimate(country)
            except JSRDataError:
                return pd.DataFrame()
            return pd.DataFrame([{"indicator": indicator, "n": did["n_countries"], "estimate": did["estimate"],
                                  "ci_low": did["ci_low"], "ci_high": did["ci_high"],
                                  "p_adjusted": did["p_value_ri"], "note": None}])

        loco = leave_one_country_out(countries, rerun)
        summary = loco_summary(loco, {record["indicator"]: record["verdict"]},
                               {record["indicator"]: ("did", record["unit"])}, rules)
        if not summary.empty:
            out.append(summary.iloc[0].to_dict())
    return out


def _with_retro(robustness: pd.DataFrame, responses: pd.DataFrame | None, table: pd.DataFrame,
                options: PairedOptions) -> pd.DataFrame:
    """Add the change against the retrospective pre-test (post vs retro) and the response
    shift (retro vs pre) of each outcome, where the survey asked the retrospective questions."""
    if responses is None or responses.empty:
        return robustness
    waves = set(responses.loc[responses["instrument"] == "outcomes", "wave"].dropna())
    if not {"pre", "post", "retro"} <= waves:
        return robustness
    retro = change_evidence(outcome_changes(responses, baseline="retro", endline="post", options=options))
    shift = change_evidence(outcome_changes(responses, baseline="pre", endline="retro", options=options))
    by_outcome = {r["outcome"]: r for r in retro.to_dict("records")}
    shift_of = {r["outcome"]: r["estimate"] for r in shift.to_dict("records")}
    paired = table[(table["design"] == "paired") & (table["instrument"] == "outcomes")]["indicator"]
    frame = robustness.set_index("indicator") if not robustness.empty else pd.DataFrame(columns=ROBUSTNESS_COLUMNS[1:])
    for indicator in paired:
        if indicator not in by_outcome:
            continue
        row = by_outcome[indicator]
        frame.loc[indicator, ["retro_estimate", "retro_ci_low", "retro_ci_high", "shift"]] = [
            row["estimate"], row["ci_low"], row["ci_high"], shift_of.get(indicator, np.nan)]
    frame.index.name = "indicator"
    return frame.reset_index().reindex(columns=ROBUSTNESS_COLUMNS)

