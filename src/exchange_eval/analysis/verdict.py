"""Verdicts: from an estimate with its n, interval and test to a judgement in plain words.

Every headline indicator of a report (a learning outcome, session ratings, plan actions,
the self-assessment, the maturity ladder, RF18, network ties) is judged by the same
explicit rules (``config/verdicts.yaml``, `VerdictRules`) from the same *evidence*
columns, `EVIDENCE_COLUMNS`: ``n, estimate, ci_low, ci_high, p_adjusted, note``.
`change_evidence` is the one adapter from the paired-change tables of `outcomes` and
`pulse` to those columns, so a change of the paired statistics is a change of
`CHANGE_SOURCE` only.

A verdict is one of `VERDICTS` with an evidence grade (``strong``, ``moderate``,
``weak``) for the verdicts that claim a change:

- ``too_few``: fewer units than ``min_n`` of the design, or no estimate;
- ``no_change``: no grade's conditions hold (no detectable change);
- ``negligible``: graded, but smaller than ``min_effect`` of the unit;
- ``improved`` / ``worsened``: graded, and at least ``min_effect`` (for a share against
  a benchmark: above / below it);
- ``no_benchmark`` (a share with nothing to compare it with) and ``not_measured``.

The grading follows the logic of evidence grading frameworks (an interval that excludes
no effect, a multiplicity-adjusted test, enough units; GRADE's "imprecision" domain),
capped per design because a self-report, a comparison of a handful of countries or one
network cannot carry more than its design allows. The default rules grade "weak" when
only one of the interval and the adjusted test clears zero. Both halves are needed even
for a paired change, whose Hodges–Lehmann interval inverts its own signed-rank test:
with ties (every Likert item) the p-value is the exact conditional one while the interval
is R's normal approximation, and on discrete changes the interval can end exactly at
zero — changes 0, 0, 0, 0, 1, 1, 1, 1, 2, 2 give p = 0.031 and the interval 0 to 1.5.
For a DiD the test (randomization p, the one to trust with few countries) and the
interval (model-based) are different methods outright.

References
----------
.. [1] Guyatt, G. H. et al. (2011). GRADE guidelines 6. Rating the quality of evidence —
   imprecision. Journal of Clinical Epidemiology, 64(12), 1283–1293.
.. [2] Kumar, S. & Leonard, A. (2012). The Art of Knowledge Exchange: A Results-Focused
   Planning Guide for Development Practitioners. World Bank (results framework).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import AnalysisError
from .proportions import wilson_interval

__all__ = [
    "EVIDENCE_COLUMNS",
    "CHANGE_SOURCE",
    "DESIGNS",
    "UNITS",
    "VERDICTS",
    "GRADES",
    "VerdictRules",
    "change_evidence",
    "share_evidence",
    "dyad_evidence",
    "judge",
    "judge_table",
]

#: The evidence every verdict is judged from.
EVIDENCE_COLUMNS = ["n", "estimate", "ci_low", "ci_high", "p_adjusted", "note"]
#: Where `change_evidence` finds each evidence column in a paired-change table: the
#: columns of `stats.paired_change` and `multiplicity.adjust_table` (``docs/statistics.md``,
#: "stable columns"): the Hodges–Lehmann shift, its interval from inverting the
#: signed-rank test, and the p-value adjusted over the table the row belongs to.
CHANGE_SOURCE: dict[str, str] = {
    "n": "n",
    "estimate": "estimate",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "p_adjusted": "p_adjusted",
    "note": "note",
}
#: Designs (how the evidence was produced) and units of the estimates.
DESIGNS = ("paired", "did", "share", "network")
UNITS = ("points", "share")
#: Verdicts, and the grades of the verdicts that claim a change (strongest first).
VERDICTS = ("improved", "worsened", "negligible", "no_change", "too_few", "no_benchmark", "not_measured")
GRADES = ("strong", "moderate", "weak")
_TOO_FEW_NOTES = {"too_few_pairs", "too_few", "not_estimable"}


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise AnalysisError(f"verdict rules: {what} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"verdict rules: {what} must be a number, not {value!r}") from None
    if math.isnan(number) or number < 0:
        raise AnalysisError(f"verdict rules: {what} must be a number >= 0, not {value!r}")
    return number


def _per_design(value: Any, what: str) -> dict[str, float]:
    if isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - set(DESIGNS))
        if unknown:
            raise AnalysisError(f"verdict rules: {what} names unknown design(s) {', '.join(unknown)}; "
                                f"designs are {', '.join(DESIGNS)}")
        return {str(k): _number(v, f"{what}.{k}") for k, v in value.items()}
    number = _number(value, what)
    return dict.fromkeys(DESIGNS, number)


@dataclass(frozen=True)
class VerdictRules:
    """The verdict rules of ``verdicts.yaml``, checked (`from_config`).

    Attributes
    ----------
    min_n : dict
        Design -> fewest units for a verdict.
    alpha : float
        Adjusted p at or below which a test is significant.
    min_effect : dict
        Unit -> smallest change that counts.
    grades : list of dict
        ``id`` and conditions (``min_n`` per design, ``ci_excludes_zero``,
        ``p_adjusted_max``), strongest first.
    max_grade : dict
        Design -> best grade it can earn.
    benchmarks, targets : dict
        Indicator id -> benchmark share / results-framework target.
    """

    min_n: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DESIGNS, 5.0))
    alpha: float = 0.05
    min_effect: dict[str, float] = field(default_factory=lambda: {"points": 0.25, "share": 0.05})
    grades: tuple[dict[str, Any], ...] = (
        {"id": "strong", "min_n": dict.fromkeys(DESIGNS, 10.0), "ci_excludes_zero": True, "p_adjusted_max": 0.01},
        {"id": "moderate", "ci_excludes_zero": True, "p_adjusted_max": 0.05},
        {"id": "weak", "ci_excludes_zero": True},
        {"id": "weak", "p_adjusted_max": 0.05},
    )
    max_grade: dict[str, str] = field(default_factory=lambda: dict.fromkeys(DESIGNS, "strong"))
    benchmarks: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> VerdictRules:
        """Rules from the parsed ``verdicts.yaml`` (``Config.verdicts``); absent keys keep
        the defaults. Raises `AnalysisError` naming the key that is not valid.

        >>> rules = VerdictRules.from_config({"alpha": 0.1, "min_n": {"paired": 6}})
        >>> rules.alpha, rules.min_n["paired"], rules.min_n["did"]
        (0.1, 6.0, 5.0)
        """
        conf = dict(config or {})
        unknown = sorted(set(conf) - {"min_n", "alpha", "min_effect", "grades", "max_grade", "benchmarks", "targets"})
        if unknown:
            raise AnalysisError(f"verdict rules: unknown key(s) {', '.join(unknown)}")
        base = cls()
        min_n = {**base.min_n, **_per_design(conf.get("min_n", {}), "min_n")}
        alpha = _number(conf.get("alpha", base.alpha), "alpha")
        min_effect = dict(base.min_effect)
        for unit, value in (conf.get("min_effect") or {}).items():
            if unit not in UNITS:
                raise AnalysisError(f"verdict rules: min_effect.{unit} is not a unit ({', '.join(UNITS)})")
            min_effect[str(unit)] = _number(value, f"min_effect.{unit}")
        grades = base.grades
        if "grades" in conf:
            grades = tuple(cls._grade(g, i) for i, g in enumerate(conf["grades"] or []))
        max_grade = dict(base.max_grade)
        for design, grade in (conf.get("max_grade") or {}).items():
            if design not in DESIGNS or grade not in GRADES:
                raise AnalysisError(f"verdict rules: max_grade.{design}: {grade!r} (designs {', '.join(DESIGNS)}; "
                                    f"grades {', '.join(GRADES)})")
            max_grade[str(design)] = str(grade)
        benchmarks = {str(k): _number(v, f"benchmarks.{k}") for k, v in (conf.get("benchmarks") or {}).items()}
        targets = {str(k): float(v) for k, v in (conf.get("targets") or {}).items()}
        return cls(min_n=min_n, alpha=alpha, min_effect=min_effect, grades=grades, max_grade=max_grade,
                   benchmarks=benchmarks, targets=targets)

    @staticmethod
    def _grade(entry: Any, position: int) -> dict[str, Any]:
        if not isinstance(entry, Mapping) or entry.get("id") not in GRADES:
            raise AnalysisError(f"verdict rules: grades[{position}] needs an id among {', '.join(GRADES)}")
        unknown = sorted(set(entry) - {"id", "min_n", "ci_excludes_zero", "p_adjusted_max"})
        if unknown:
            raise AnalysisError(f"verdict rules: grades[{position}] has unknown key(s) {', '.join(unknown)}")
        grade: dict[str, Any] = {"id": str(entry["id"])}
        if "min_n" in entry:
            grade["min_n"] = _per_design(entry["min_n"], f"grades[{position}].min_n")
        if "ci_excludes_zero" in entry:
            grade["ci_excludes_zero"] = bool(entry["ci_excludes_zero"])
        if "p_adjusted_max" in entry:
            grade["p_adjusted_max"] = _number(entry["p_adjusted_max"], f"grades[{position}].p_adjusted_max")
        return grade

    def benchmark(self, indicator: str, targets: Mapping[str, float] | None = None) -> float | None:
        """The benchmark of a share indicator: the round's target, else the configured
        target, else the configured benchmark (None when none is set)."""
        for source in (targets or {}, self.targets, self.benchmarks):
            if indicator in source:
                return float(source[indicator])
        return None

    def target(self, indicator: str, targets: Mapping[str, float] | None = None) -> float | None:
        """The results-framework target of ``indicator`` (the round's, else the configured one)."""
        for source in (targets or {}, self.targets):
            if indicator in source:
                return float(source[indicator])
        return None


# --------------------------------------------------------------------------- evidence
def change_evidence(table: pd.DataFrame) -> pd.DataFrame:
    """The evidence columns of a paired-change table (`outcomes.outcome_changes`,
    `outcomes.item_changes`, ``pulse_results["changes"]``), through `CHANGE_SOURCE`.

    Returns a copy of ``table`` with `EVIDENCE_COLUMNS` set (the other columns kept).
    Raises `AnalysisError` naming the columns a table lacks.

    >>> t = pd.DataFrame({"outcome": ["a"], "n": [11], "estimate": [1.0], "ci_low": [0.5],
    ...                   "ci_high": [1.5], "p_value": [0.004], "p_adjusted": [0.02], "note": [None]})
    >>> change_evidence(t)[["n", "estimate", "p_adjusted"]].iloc[0].tolist()
    [11.0, 1.0, 0.02]
    """
    missing = [source for source in CHANGE_SOURCE.values() if source not in table.columns]
    if missing:
        raise AnalysisError(f"a paired-change table lacks column(s) {', '.join(missing)} (CHANGE_SOURCE)")
    out = table.copy()
    for column, source in CHANGE_SOURCE.items():
        values = table[source].astype("object")
        out[column] = values if column == "note" else pd.to_numeric(values, errors="coerce").astype("float64")
    out["note"] = out["note"].where(out["note"].notna(), None)
    return out


def share_evidence(successes: int, n: int, benchmark: float | None) -> dict[str, Any]:
    """Evidence of a share against a benchmark: ``estimate`` = share − benchmark, its
    Wilson interval (`proportions.wilson_interval`) shifted by the benchmark, and the
    two-sided exact binomial test of share = benchmark (``scipy.stats.binomtest``; R:
    ``binom.test(x, n, p = benchmark)``).
    Without a benchmark the interval and test are of the share itself (``note``
    ``no_benchmark``). Also ``share`` (the share) and ``benchmark``.

    >>> e = share_evidence(23, 28, 0.6)
    >>> round(e["estimate"], 3), round(e["ci_low"], 3), round(e["p_adjusted"], 4)
    (0.221, 0.044, 0.0193)
    """
    if n <= 0:
        return {"n": 0, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_adjusted": np.nan,
                "note": "too_few", "share": np.nan, "benchmark": benchmark}
    share = successes / n
    low, high = wilson_interval(successes, n)
    if benchmark is None:
        return {"n": n, "estimate": share, "ci_low": low, "ci_high": high, "p_adjusted": np.nan,
                "note": "no_benchmark", "share": share, "benchmark": None}
    p = float(sps.binomtest(int(successes), int(n), float(benchmark)).pvalue)
    return {"n": n, "estimate": share - benchmark, "ci_low": low - benchmark, "ci_high": high - benchmark,
            "p_adjusted": p, "note": None, "share": share, "benchmark": float(benchmark)}


def dyad_evidence(gained: int, lost: int, n_pairs: int) -> dict[str, Any]:
    """Evidence of a change of network density between two waves, from the pairs of
    nodes whose tie changed: ``estimate`` = (gained − lost) / n_pairs (the change of
    density over a fixed set of pairs); the exact sign (binomial) test of gained against
    lost among the changed pairs (McNemar's exact test on the dyads); the interval maps the
    Wilson interval of gained / (gained + lost) to density. ``n`` is the number of changed
    pairs. Dyads of one network are not independent: read the test as indicative.

    >>> e = dyad_evidence(13, 0, 66)
    >>> round(e["estimate"], 3), e["n"], round(e["p_adjusted"], 5)
    (0.197, 13, 0.00024)
    """
    changed = gained + lost
    if changed == 0 or n_pairs <= 0:
        return {"n": changed, "estimate": 0.0 if n_pairs > 0 else np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "p_adjusted": np.nan, "note": "no_variance" if n_pairs > 0 else "too_few"}
    low, high = wilson_interval(gained, changed)
    scale = changed / n_pairs
    return {"n": changed, "estimate": (gained - lost) / n_pairs, "ci_low": (2 * low - 1) * scale,
            "ci_high": (2 * high - 1) * scale, "p_adjusted": float(sps.binomtest(gained, changed, 0.5).pvalue),
            "note": None}


# --------------------------------------------------------------------------- judging
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _grade_of(evidence: Mapping[str, Any], design: str, rules: VerdictRules) -> str | None:
    n = float(evidence.get("n") or 0)
    low, high, p = evidence.get("ci_low"), evidence.get("ci_high"), evidence.get("p_adjusted")
    excludes = not (_missing(low) or _missing(high)) and (float(low) > 0 or float(high) < 0)
    cap = GRADES.index(rules.max_grade.get(design, "strong"))
    for grade in rules.grades:
        if GRADES.index(grade["id"]) < cap:
            continue
        if n < float((grade.get("min_n") or {}).get(design, 0)):
            continue
        if grade.get("ci_excludes_zero") and not excludes:
            continue
        if "p_adjusted_max" in grade and (_missing(p) or float(p) > grade["p_adjusted_max"]):
            continue
        return grade["id"]
    return None


def judge(evidence: Mapping[str, Any], design: str, unit: str, rules: VerdictRules) -> dict[str, Any]:
    """The verdict on one indicator.

    Parameters
    ----------
    evidence : mapping
        `EVIDENCE_COLUMNS` (missing ones count as missing values).
    design : str
        One of `DESIGNS`.
    unit : str
        One of `UNITS` (picks ``min_effect``).
    rules : VerdictRules

    Returns
    -------
    dict
        ``verdict`` (one of `VERDICTS`), ``grade`` (one of `GRADES`, or None) and
        ``rule`` (the rule that decided: ``min_n``, ``no_estimate``, ``no_variance``,
        ``grade``, ``no_grade``, ``min_effect``).

    Examples
    --------
    >>> rules = VerdictRules()
    >>> judge({"n": 11, "estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5, "p_adjusted": 0.004},
    ...       "paired", "points", rules)
    {'verdict': 'improved', 'grade': 'strong', 'rule': 'grade'}
    >>> judge({"n": 11, "estimate": 0.0, "ci_low": -0.5, "ci_high": 0.5, "p_adjusted": 1.0},
    ...       "paired", "points", rules)["verdict"]
    'no_change'
    >>> judge({"n": 3, "estimate": 1.0}, "paired", "points", rules)["verdict"]
    'too_few'
    """
    if design not in DESIGNS or unit not in UNITS:
        raise AnalysisError(f"unknown design {design!r} or unit {unit!r}")
    n = evidence.get("n")
    note = evidence.get("note")
    if note in ("not_measured", "no_benchmark"):
        return {"verdict": note, "grade": None, "rule": note}
    if _missing(n) or float(n) < rules.min_n.get(design, 0) or note in _TOO_FEW_NOTES:
        return {"verdict": "too_few", "grade": None, "rule": "min_n"}
    estimate = evidence.get("estimate")
    if note == "no_variance":
        return {"verdict": "no_change", "grade": None, "rule": "no_variance"}
    if _missing(estimate):
        return {"verdict": "too_few", "grade": None, "rule": "no_estimate"}
    grade = _grade_of(evidence, design, rules)
    if grade is None:
        return {"verdict": "no_change", "grade": None, "rule": "no_grade"}
    if abs(float(estimate)) < rules.min_effect.get(unit, 0.0):
        return {"verdict": "negligible", "grade": grade, "rule": "min_effect"}
    return {"verdict": "improved" if float(estimate) > 0 else "worsened", "grade": grade, "rule": "grade"}


def judge_table(evidence: pd.DataFrame, rules: VerdictRules) -> pd.DataFrame:
    """`judge` every row of a table with `EVIDENCE_COLUMNS`, ``design`` and ``unit``;
    returns a copy with ``verdict``, ``grade`` and ``rule``."""
    out = evidence.copy()
    judged = [judge(row, row["design"], row["unit"], rules) for row in evidence.to_dict("records")]
    for column in ("verdict", "grade", "rule"):
        out[column] = pd.Series([j[column] for j in judged], index=evidence.index, dtype="object")
    return out
