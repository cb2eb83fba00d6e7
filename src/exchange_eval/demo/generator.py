"""The entry point: plan the rounds, write each with its kind's writer, record the truth.

`write_demo` plans ``n_rounds`` rounds from the demo specification (``demo.yaml``),
writes each one with the writer of its kind (`jsr.write_jsr_fr`, `jsr.write_jsr_en`,
`network.write_network`) and saves what each planted, with the definition of every
measure, in ``demo_truth.json``. Output is byte-identical for a given seed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
from pathlib import Path
from typing import Any

import numpy as np

from ..core.config import Config
from ..core.errors import UsageError
from ..core.paths import check_round_id
from .jsr import write_jsr_en, write_jsr_fr
from .model import RoundContext, RoundPlan
from .network import write_network

__all__ = ["SPEC_NAME", "TRUTH_NAME", "demo_round_ids", "write_demo"]

TRUTH_NAME = "demo_truth.json"
SPEC_NAME = "demo.yaml"  # the configuration file that describes the demo's rounds


def demo_round_ids(n_rounds: int = 3, cfg: dict | None = None) -> list[str]:
    """The round ids `write_demo` writes for ``n_rounds`` (without writing anything).

    ``cfg`` is the demo specification (default: the package's ``demo.yaml``).

    Examples
    --------
    >>> demo_round_ids(4)
    ['jsr-2025-fr', 'jsr-2025-en', 'salex-2025', 'jsr-2024-fr-b']
    """
    cfg = cfg or Config().file(SPEC_NAME)
    return [plan.round_id for plan in _round_plans(cfg, 0, n_rounds)]


def write_demo(data_dir: Path, seed: int = 0, n_rounds: int = 3, *, config: Config | None = None) -> list[str]:
    """Write ``n_rounds`` synthetic rounds under ``data_dir/raw`` and their true effects.

    Parameters
    ----------
    data_dir : Path
        The data folder; rounds go to ``data_dir/raw/<round_id>/`` (each replaced whole if
        it exists; other round folders are never touched) and the planted effects to
        ``data_dir/demo_truth.json``.
    seed : int
        Seed of the numpy Generator; the same seed gives byte-identical files.
    n_rounds : int
        Number of rounds. The first three are ``jsr-2025-fr``, ``jsr-2025-en`` and
        ``salex-2025``; further rounds cycle through the same three kinds one year
        earlier each cycle with a letter suffix (``jsr-2024-fr-b``, …) and other countries.
    config : Config, optional
        Where the demo specification (``demo.yaml``), the instruments, choice lists and
        JSR dimensions come from; default ``Config()`` (no data folder named).

    Returns
    -------
    list of str
        The round ids written, in order.
    """
    if n_rounds < 1:
        raise UsageError(f"n_rounds must be at least 1, not {n_rounds}")
    data_dir = Path(data_dir)
    config = config if config is not None else Config()
    spec = config.file(SPEC_NAME)
    raw_dir = data_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth: dict[str, Any] = {
        "generator": "exchange_eval.demo.generator.write_demo",
        "seed": seed,
        "n_rounds": n_rounds,
        "definitions": _DEFINITIONS,
        "rounds": {},
    }
    written = []
    for plan in _round_plans(spec, seed, n_rounds):
        folder = raw_dir / check_round_id(plan.round_id)
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        ctx = RoundContext(plan, spec, config)
        writer = {"jsr_fr": write_jsr_fr, "jsr_en": write_jsr_en, "network": write_network}[plan.kind]
        truth["rounds"][plan.round_id] = writer(folder, ctx)
        written.append(plan.round_id)
    text = json.dumps(truth, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    (data_dir / TRUTH_NAME).write_text(text, encoding="utf-8")
    return written


# how each measure of the truth file is defined, written into the file beside the values
_DEFINITIONS = {
    "outcome_change": (
        "per outcome: median over linked pairs (same person in pre and post; for a duplicate "
        "submission the later, complete one) of the person-level mean of the outcome's items "
        "(level5 codes 1-5), post minus pre"
    ),
    "outcome_wilcoxon_p": (
        "two-sided signed-rank p-value on those person-level differences, zero differences "
        "dropped: exact over every sign flip of the non-zero differences when there are at "
        "most 20 of them (scipy.stats.wilcoxon with PermutationMethod, the exact conditional "
        "p-value the reports give), otherwise the normal approximation with tie and "
        "continuity corrections (R's wilcox.test with exact = FALSE)"
    ),
    "response_shift": (
        "per outcome: mean over post respondents who also answered pre of the person-level "
        "mean of retro answers minus the person-level mean of pre answers"
    ),
    "plan_completion": "share of all improvement-plan actions whose status is 'done' at each follow-up",
    "selfassessment_change": (
        "mean over criterion rows (criterion not empty) of rating after minus rating before, "
        "per group; difference = participant minus comparison"
    ),
    "ladder_change": "the same on the overall ladder rows (criterion empty)",
    "rf18_did": (
        "a JSR meets the standard when at least rf18.min_dimensions_met dimension flags are 1; "
        "share meeting it per group in years <= exchange year (before) and > exchange year "
        "(after); did = (participant after - before) - (comparison after - before). The panel "
        "is balanced, so this equals the two-way fixed-effects coefficient"
    ),
    "network_density_directed": (
        "ordered organisation pairs (ego, alter) with collaboration >= 1 (information sharing "
        "or more) reported by any respondent of the ego organisation in that wave, divided by "
        "n_org * (n_org - 1), n_org = every member organisation on the roster"
    ),
    "network_density_undirected": "unordered organisation pairs with a tie reported by either side / (n_org choose 2)",
    "network_cross_country_share": "share of those undirected ties linking organisations of different countries",
}


def _round_plans(cfg: dict, seed: int, n_rounds: int) -> list[RoundPlan]:
    """The plan of each round: templates cycled, one year earlier and other countries per cycle."""
    templates = cfg["rounds"]
    plans = []
    for index in range(n_rounds):
        template = templates[index % len(templates)]
        cycle = index // len(templates)
        base_year = dt.date.fromisoformat(str(template["sessions"][0]["date"])).year
        year = base_year - cycle
        suffix = "" if cycle == 0 else "-" + _suffix(cycle)
        round_id = str(template["id"]).format(year=year) + suffix
        pick = np.random.default_rng([seed, index, 7])
        countries = list(template.get("countries") or [])
        comparison = list(template.get("comparison") or [])
        host = template.get("host")
        if not countries and template["kind"] == "network":
            countries = sorted({str(m["country"]) for m in cfg["network_members"]})
        if cycle > 0 and template["kind"] in cfg.get("country_pools", {}):
            pool = list(cfg["country_pools"][template["kind"]])
            drawn = [pool[i] for i in pick.permutation(len(pool))[: len(countries) + len(comparison)]]
            countries, comparison = drawn[: len(countries)], drawn[len(countries) :]
            host = countries[0]
        sessions = []
        for session in template.get("sessions") or []:
            date = _shift_years(dt.date.fromisoformat(str(session["date"])), cycle)
            sessions.append({**session, "date": date})
        plans.append(
            RoundPlan(
                index=index,
                kind=str(template["kind"]),
                round_id=round_id,
                year=year,
                title=str(template["title"]).format(year=year) + (f" ({_suffix(cycle)})" if cycle else ""),
                community=str(template["community"]),
                language=str(template["language"]),
                host=host,
                countries=countries,
                comparison=comparison,
                sessions=sessions,
                pulse_dates=[_shift_years(dt.date.fromisoformat(str(d)), cycle) for d in template.get("pulse_dates", [])],
                seed=[seed, index],
            )
        )
    return plans


def _suffix(cycle: int) -> str:
    """The round-id suffix of a cycle after the first: b, c, … then numbers."""
    letters = string.ascii_lowercase
    return letters[cycle] if cycle < len(letters) else str(cycle + 1)


def _shift_years(date: dt.date, years: int) -> dt.date:
    """``date`` ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28)
