"""The cleaning pipeline: a round's raw exports -> canonical tables in ``data/processed/<round>/``.

One stage per module, in this order:

=============  ==========================================================================
read           `sources.read_sources`: every source of ``round.yaml`` through
               `exchange_eval.ingest`, with its codebook
identify       `people.read_rosters`: the roster's people as pids (`protect`), their
               names for the scrubber (`scrub`), attendance per session
harmonize      `harmonize.harmonize_surveys`: survey exports -> submissions, answers coded
               by the codebook, identity columns turned into pids, free text scrubbed
dedup          `dedup.drop_duplicates`: one submission per respondent, instrument and wave
corrections    `corrections.apply_corrections`: the evaluator's ``corrections.csv``
people         `people.participants`, `people.build_ties`, `responses.tool_feedback`,
               `people.linkage`
structured     `structured.plan_actions`, `structured.jsr_assessment`,
               `structured.jsr_quality`
dictionary     `dictionary.data_dictionary`: the items and choice lists with their wording
redact         `redact.redact_tables`: one scrubbing pass over every free-text column
               of every table (and of the log and ``meta.json``); export file names
               that hold personal data shown by position (`redact.source_aliases`)
validate       `validate.validate_tables`: every table against its schema
write          `write.write_round`: tables, ``cleaning_log.csv`` and ``meta.json``,
               swapped in atomically (the previous output survives any failure)
=============  ==========================================================================

Every stage reports problems and logs its changes through the `RoundContext`; no
stage stops at the first problem. `validate_round` runs every stage but the last and
returns the problems; `clean_round` writes the round when no problem is an error. Raw
files are only ever opened for reading.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.atomic import recover_dir
from ..core.errors import DataError, DataErrors, Problem
from ..core.paths import Workspace
from .context import RoundContext
from .corrections import apply_corrections
from .coverage import Coverage
from .dedup import drop_duplicates, duplicate_rule
from .dictionary import data_dictionary
from .harmonize import harmonize_surveys
from .keys import round_key
from .log import CleaningLog, ProblemList
from .manifest import Manifest, load_manifest
from .people import build_ties, linkage, participants, read_rosters
from .redact import identity_names, redact_log, redact_meta, redact_tables, source_aliases
from .responses import gather_responses, tool_feedback
from .scrub import Scrubber
from .sessions import SessionMatcher, session_rows
from .sources import SourceTable, read_sources
from .structured import jsr_assessment, jsr_quality, plan_actions, quality_flag_columns
from .validate import validate_tables
from .write import conform, round_meta, table_hash, write_round

__all__ = ["CleanResult", "Validation", "check_round", "clean_round", "validate_round"]


@dataclass
class CleanResult:
    """What `clean_round` produced: the tables (as written), the log, problems and linkage."""

    round_id: str
    output: Path | None
    tables: dict[str, pd.DataFrame]
    cleaning_log: pd.DataFrame
    problems: list[Problem]
    linkage: dict[str, int]
    meta: dict[str, Any]
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> str:
        """One line: ``12 participants, 1,234 responses, 3 warnings``."""
        n_people = len(self.tables.get("participants", ()))
        n_responses = len(self.tables.get("responses", ()))
        n_warnings = len(self.warnings)
        return (
            f"{n_people:,} participant{'s' if n_people != 1 else ''}, "
            f"{n_responses:,} response{'s' if n_responses != 1 else ''}, "
            f"{n_warnings:,} warning{'s' if n_warnings != 1 else ''}"
        )


@dataclass
class _Outcome:
    """What the stages before writing produced (as far as they got)."""

    problems: ProblemList
    log: CleaningLog
    manifest: Manifest | None = None
    sources: dict[str, SourceTable] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    linkage: dict[str, int] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)
    key_fingerprint: str | None = None
    scrubber: Scrubber | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    data_hash: Future[str] | None = None


def _build(ws: Workspace, round_id: str, out: _Outcome, *, check_key: bool, rekey: bool,
           hasher: ThreadPoolExecutor | None = None) -> None:
    """Run the stages from read to validate, filling ``out``."""
    folder = ws.require_round(round_id)
    try:
        out.manifest = manifest = load_manifest(folder)
    except DataError as exc:
        out.problems.extend(exc.problems)
        return
    config = ws.config
    rule = duplicate_rule(config, out.problems)
    if rule is None:
        return
    key, out.key_fingerprint = round_key(ws, rekey=rekey, check=check_key)
    ctx = RoundContext(round_id, manifest, config, key, out.problems, out.log)
    out.coverage = ctx.coverage  # filled as each source is mapped, kept if a stage stops

    out.sources, codebooks = read_sources(ctx)
    sessions = SessionMatcher(manifest.sessions)
    roster = read_rosters(ctx, out.sources, sessions)
    # one scrubber per round, for every stage and the final pass: it knows the roster's
    # names and those of respondents who are not on it
    out.scrubber = scrubber = Scrubber([*roster.names, *identity_names(out.sources)])
    out.aliases = source_aliases(manifest, scrubber)
    submissions = harmonize_surveys(ctx, out.sources, sessions, scrubber)
    submissions = drop_duplicates(ctx, submissions, rule)
    responses = apply_corrections(ctx, gather_responses(submissions), codebooks, scrubber)
    people = participants(ctx, roster, submissions, scrubber)

    tables = out.tables
    tables["participants"] = conform(people, "participants")
    tables["attendance"] = conform([a for a in roster.attendance if a["pid"] in roster.people], "attendance")
    tables["sessions"] = conform(session_rows(round_id, manifest.sessions), "sessions")
    # where each response came from, so a schema problem points at the export's line
    locate = responses[["source_file", "source_row"]].copy() if len(responses) else None
    tables["responses"] = conform(responses, "responses")
    tables["tool_feedback"] = conform(tool_feedback(round_id, responses), "tool_feedback")
    tables["ties"] = conform(build_ties(submissions, people), "ties")
    out.linkage = linkage(ctx, tables["responses"])
    tables["plan_actions"] = conform(plan_actions(ctx, out.sources, scrubber), "plan_actions")
    tables["jsr_assessment"] = conform(jsr_assessment(ctx, out.sources), "jsr_assessment")
    quality_columns = quality_flag_columns(ctx)
    tables["jsr_quality"] = conform(jsr_quality(ctx, out.sources), "jsr_quality", quality_columns)
    items, item_choices = data_dictionary(ctx, out.sources)
    tables["items"] = conform(items, "items")
    tables["item_choices"] = conform(item_choices, "item_choices")
    # the one pass over every free-text column and file name of every table
    out.tables = tables = redact_tables(tables, scrubber, out.aliases, out.log)
    if hasher is not None:
        # the data hash (pyarrow and hashlib, outside the GIL) while validation runs here
        out.data_hash = hasher.submit(table_hash, dict(tables))
    out.problems.extend(validate_tables(tables, choices=config.choices, locate_responses=locate,
                                        quality_columns=quality_columns))


def _run(ws: Workspace, round_id: str, *, check_key: bool = False, rekey: bool = False,
         hasher: ThreadPoolExecutor | None = None) -> _Outcome:
    out = _Outcome(ProblemList(round_id), CleaningLog(round_id))
    try:
        _build(ws, round_id, out, check_key=check_key, rekey=rekey, hasher=hasher)
    except (DataError, DataErrors) as exc:  # a stage that could not go on: its problems are kept
        out.problems.extend(exc.problems)
    return out


@dataclass
class Validation:
    """What `check_round` found: every problem, and what each source's columns became."""

    round_id: str
    problems: list[Problem]
    coverage: list[Coverage]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def check_round(ws: Workspace, round_id: str) -> Validation:
    """`validate_round` with the coverage of every source (`Coverage.line`)."""
    out = _run(ws, round_id)
    return Validation(round_id, list(out.problems), out.coverage)


def validate_round(ws: Workspace, round_id: str) -> list[Problem]:
    """Every problem of a round, without writing anything.

    Manifest problems, read problems of every source, unmapped columns (warnings),
    unknown answers (errors), duplicate respondents (warnings naming the rows), missing
    required columns of structured sheets (errors), then every canonical table against
    its pandera schema (lazy: all failures). Never stops at the first problem.
    """
    return list(_run(ws, round_id).problems)


def clean_round(ws: Workspace, round_id: str, *, rekey: bool = False) -> CleanResult:
    """Clean one round into ``data/processed/<round>/`` (atomically).

    Writes one Parquet file per canonical table (empty tables included, with their
    columns), ``cleaning_log.csv`` and ``meta.json`` (with the key's fingerprint,
    `exchange_eval.clean.keys.key_fingerprint`).

    Parameters
    ----------
    ws : Workspace
    round_id : str
    rekey : bool, default False
        Clean with the current key even when other cleaned rounds were made with another
        one (the caller cleans them all again).

    Raises
    ------
    DataErrors
        When any error-severity problem is found (unknown answers, unreadable files,
        schema failures, …); the previous processed output is then left untouched.
    UsageError
        When the round does not exist.
    KeyMismatchError
        When the key is not the one the cleaned rounds were made with (and not ``rekey``).
    """
    final = ws.processed_round(round_id)
    recover_dir(final)  # a clean killed while swapping its folder in left the old one aside
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-hash") as hasher:
        out = _run(ws, round_id, check_key=True, rekey=rekey, hasher=hasher)
        errors = out.problems.errors
        if errors or out.manifest is None:
            raise DataErrors(errors or out.problems)
        scrubber = out.scrubber or Scrubber()
        log = redact_log(out.log.frame(), scrubber, out.aliases, out.log.composed_rows())
        # hashed while the round was validated
        data_hash = out.data_hash.result() if out.data_hash is not None else table_hash(out.tables)
        meta = round_meta(ws, out.manifest, out.tables, out.sources, out.linkage, out.problems, data_hash=data_hash)
        meta = redact_meta(meta, scrubber, out.aliases)
        meta["key_fingerprint"] = out.key_fingerprint
    write_round(final, out.tables, log, meta)
    return CleanResult(round_id=round_id, output=final, tables=out.tables, cleaning_log=log,
                       problems=list(out.problems), linkage=out.linkage, meta=meta, coverage=out.coverage)
