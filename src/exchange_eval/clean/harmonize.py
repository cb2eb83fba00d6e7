"""Harmonize stage: survey exports -> submissions with their long responses, through the codebook.

`map_columns` decides what each exported column holds (an item, a respondent field, an
identity field, nothing); `harmonize_surveys` reads every survey export of the round
into `Submission` records, one per data row kept, whose answers are coded by the
codebook into `ResponseBlocks`.

A survey is read column by column, because answers repeat: each distinct answer of a
column is coded once and the result broadcast to its rows. Log rows and problems keep
the order a row-by-row pass would give (`RowEvents`): person fields (phase 1),
identification (2), session (3), items (4), dropped rows (5).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.countries import to_iso3
from ..core.errors import DataError, Problem, ProblemCode
from .codebook import ROLES, CodebookEntry
from .context import RoundContext
from .coverage import Coverage, category_of
from .dates import parse_date_column
from .flags import multiple_flags, note_coded_rows, option_flags
from .identify import anonymous_pid, identify, unknown_country
from .log import RowEvents
from .manifest import SURVEY_INSTRUMENTS, Source
from .protect import pid_message, pid_of_message
from .responses import Block, ResponseBlocks, Submission
from .scrub import Scrubber
from .sessions import SessionMatcher
from .sources import SourceTable, source_key

__all__ = ["PERSON_KEYS", "column_names", "harmonize_surveys", "map_columns", "read_survey", "source_wave"]

#: respondent fields a submission keeps (identity fields only make its pid)
PERSON_KEYS = ("country", "organisation", "position", "role", "org_type", "gender")
_NAME_ROLES = ("email", "name", "first_name", "last_name")
_DATE_ROLES = ("started_at", "ended_at", "submitted_at")


def column_names(table: SourceTable, position: int) -> list[str]:
    """Every name a column goes by, most specific first: the header as read, as exported,
    its variable name (Qualtrics, Stata, SPSS) and its variable label (Stata, SPSS)."""
    raw = table.raw
    column = raw.frame.columns[position]
    names = [str(column)]
    if position < len(raw.original_columns):
        names.append(str(raw.original_columns[position]))
    if position < len(raw.names):
        names.append(str(raw.names[position]))
    label = raw.column_labels.get(column)
    if label:
        names.append(str(label))
    return names


def _unmatched_message(table: SourceTable) -> str:
    source = table.source
    where = f"is not a question of the form {source.form.name} and " if source.form is not None else ""
    return (f"column {where}is not in the codebook: its answers are not used (map it in a round codebook, "
            "or set role ignore)")


def map_columns(ctx: RoundContext, table: SourceTable, *, roster_sessions: SessionMatcher | None = None
                ) -> tuple[dict[str, CodebookEntry], dict[str, str]]:
    """What each column of an export holds: ``(mapping, session_columns)``.

    ``mapping`` gives the codebook entry of every used column (matched by any of its
    `column_names`); on a roster (``roster_sessions`` given) a column named after a
    session is an attendance column (``session_columns``: column -> session id).
    Renames, identity columns and unmapped columns are logged and counted (`Coverage`,
    added to ``ctx.coverage``); each unmapped column is a warning naming it; a survey
    export with no question column is an error. A split select_multiple option column is
    dropped when the question's own column is there, and a second column for one item is
    ignored.
    """
    source = table.source
    mapping: dict[str, CodebookEntry] = {}
    session_columns: dict[str, str] = {}
    coverage = Coverage(source.file, source.instrument, form=source.form.name if source.form else None)
    for position, column in enumerate(table.columns):
        entry = table.codebook.match_any(column_names(table, position), source.instrument)
        if entry is not None and entry.role not in ROLES:
            entry = None  # a structured sheet's column named by the round codebook
        if entry is None and roster_sessions is not None:
            session_id = roster_sessions.match(column.split("/")[-1])
            if session_id is not None:
                session_columns[column] = session_id
                coverage.add("attendance")
                ctx.log.add("rename", file=source.file, column=column, new=f"attended:{session_id}")
                continue
        coverage.add(category_of(entry), column)
        if entry is None:
            ctx.problems.warn(source.file, _unmatched_message(table), column=column,
                              code=ProblemCode.UNMAPPED_COLUMN)
            ctx.log.add("unmapped_column", file=source.file, column=column)
            continue
        if entry.role == "ignore":
            continue
        mapping[column] = entry
        if entry.is_identity:
            ctx.log.add("pseudonymize", file=source.file, column=column, new="pid",
                        detail=f"{entry.role} column used to derive the pid, then dropped")
        else:
            ctx.log.add("rename", file=source.file, column=column,
                        item_id=entry.item_id, new=entry.target, detail=f"codebook ({entry.origin})")
    # split select_multiple option columns: used only when the parent column is absent
    parents = {(e.item_id, e.retro) for e in mapping.values() if e.role == "item" and e.option is None}
    for column, entry in list(mapping.items()):
        if entry.role == "item" and entry.option is not None and (entry.item_id, entry.retro) in parents:
            del mapping[column]
            ctx.log.add("ignore_option_column", file=source.file, column=column, item_id=entry.item_id,
                        detail="option column skipped: the question's own column holds the answer")
    # two columns for the same item: keep the first
    seen: dict[tuple, str] = {}
    for column, entry in list(mapping.items()):
        if entry.role not in ("item", "grid"):
            continue
        target = (entry.item_id, entry.retro, entry.alter, entry.option)
        if target in seen:
            del mapping[column]
            coverage.move("questions", "duplicate")
            ctx.problems.warn(source.file, f"column maps to {entry.target}, already given by column "
                              f"{seen[target]!r}: ignored", column=column, code=ProblemCode.DUPLICATE_COLUMN)
            ctx.log.add("unmapped_column", file=source.file, column=column,
                        item_id=entry.item_id, detail=f"duplicate of {seen[target]}")
        else:
            seen[target] = column
    _check_coverage(ctx, table, mapping, coverage)
    return mapping, session_columns


def _check_coverage(ctx: RoundContext, table: SourceTable, mapping: dict[str, CodebookEntry],
                    coverage: Coverage) -> None:
    """Record the source's coverage (with the form questions no column holds); a survey
    export none of whose columns is a question is an error."""
    source = table.source
    form = ctx.forms.get(source.form) if source.form is not None else None
    matched = {e.order for e in mapping.values() if e.origin == "form"}
    if form is not None and matched and ctx.form_codebook is not None:
        asked = {e.order for e in ctx.form_codebook.entries(form, source.instrument) if e.role == "item"}
        coverage.absent.extend(q.path for q in form.questions if q.order in asked and q.order not in matched)
    ctx.coverage[:] = [c for c in ctx.coverage if c.file != source.file] + [coverage]
    ctx.mappings[source.file] = dict(mapping)
    if source.instrument in SURVEY_INSTRUMENTS and not any(e.role in ("item", "grid") for e in mapping.values()):
        what = f"a question of the form {source.form.name}" if source.form is not None else "a known question"
        ctx.problems.add(source.file, f"none of the {coverage.total:,} columns of this export is {what} "
                         f"(headers: {', '.join(table.columns[:8])}{', …' if len(table.columns) > 8 else ''}): "
                         "check its `form:` and `instrument:` in round.yaml, or map its columns in a round "
                         "codebook (exchange-eval codebook template)", code=ProblemCode.NOTHING_MAPPED)


def source_wave(source: Source) -> str | None:
    """The wave of a source: as the manifest says, else the instrument's usual one."""
    if source.wave:
        return source.wave
    if source.instrument in ("pulse", "ties"):
        return "pulse-1"
    if source.instrument == "tool_feedback":
        return "post"
    return None


def harmonize_surveys(ctx: RoundContext, tables: dict[str, SourceTable], sessions: SessionMatcher,
                      scrubber: Scrubber) -> list[Submission]:
    """The submissions of every survey export of the round, in manifest and file order."""
    submissions: list[Submission] = []
    for source in ctx.manifest.sources:
        table = tables.get(source_key(source))
        if source.instrument not in SURVEY_INSTRUMENTS or table is None:
            continue
        for submission in read_survey(ctx, table, sessions, scrubber):
            submission.order = len(submissions)
            submissions.append(submission)
    return submissions


def read_survey(ctx: RoundContext, table: SourceTable, sessions: SessionMatcher,
                scrubber: Scrubber) -> list[Submission]:
    """The submissions of one survey export (see the module docstring)."""
    source = table.source
    mapping, _ = map_columns(ctx, table)
    wave = source_wave(source)
    if wave is None and source.instrument == "outcomes":
        ctx.problems.add(ctx.manifest.path, f"source {source.file} (outcomes) needs a wave "
                         "(pre, post, followup-N)", column="wave", code=ProblemCode.MANIFEST)
        return []
    session_column = next((c for c, e in mapping.items() if e.role == "session"), None)
    if source.instrument == "session_feedback" and source.session is None and session_column is None:
        ctx.problems.add(source.file, "session feedback without a session: add `session:` to the "
                         "source in round.yaml or a Session column", column="session",
                         code=ProblemCode.MISSING_SESSION)
        return []
    events = RowEvents(ctx.problems, ctx.log, source.file, table.source_rows)
    person, located = _person_columns(ctx, table, mapping, events)
    kept = _identify_rows(ctx, table, person, located, session_column, sessions, events)
    submitted, duration = _timing(table, mapping, kept.rows)
    store = ResponseBlocks(ctx.round_id, source.file, np.array(kept.pids, dtype=object), submitted,
                           duration, events.source_rows[kept.rows])
    answered, grid_values = _items(table, mapping, kept, wave, store, scrubber, events)
    submissions = _submissions(ctx, table, person, kept, wave, store, answered, grid_values, events)
    events.flush()
    ctx.log.add("pseudonymize", file=source.file,
                detail=f"{kept.n_identified} respondents given a pid from e-mail or name; "
                f"{table.n_rows - kept.n_identified} anonymous; identity columns dropped")
    return submissions


# ---------------------------------------------------------------------- phase 1: respondent fields
def _person_columns(ctx: RoundContext, table: SourceTable, mapping: dict[str, CodebookEntry],
                    events: RowEvents) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The respondent fields of every row, column by column in mapping order.

    Returns ``(person, located)``: role -> value per row, and role -> the first column
    giving it per row (to locate a problem with the pid).
    """
    n_rows = table.n_rows
    codebook = table.codebook
    person: dict[str, np.ndarray] = {}
    located: dict[str, np.ndarray] = {}
    for position, (column, entry) in enumerate(mapping.items()):
        if entry.role in ("item", "grid"):
            continue
        codes, _values, cells = table.factor(column)
        present = np.array([c is not None for c in cells])[codes]
        cell_of = np.array(cells, dtype=object)
        if entry.role in ("role", "org_type", "gender") or entry.choices:
            list_name = entry.choices or entry.role
            coded = [codebook.code_field(c, list_name, entry.form_list) if c is not None else None for c in cells]
            status = np.array([c.status if c is not None else "" for c in coded], dtype=object)[codes]
            ok = status == "ok"
            if ok.any():
                target = person.setdefault(entry.role, np.full(n_rows, None, dtype=object))
                target[ok] = np.array([c.code if c is not None else None for c in coded], dtype=object)[codes][ok]
            missing = np.flatnonzero(status == "missing")
            events.log(missing, 1, position, 0, "missing_code", column=column, old=cell_of[codes[missing]])
            unknown = np.flatnonzero(status == "unknown")
            events.unknown(unknown, 1, position, 0, column, cell_of[codes[unknown]].tolist(), list_name, codebook)
            continue
        where = located.setdefault(entry.role, np.full(n_rows, None, dtype=object))
        where[present & (where == None)] = column  # noqa: E711 - elementwise
        if entry.role == "country":
            iso3 = [None if c is None else next(
                (code for a in codebook.alternatives(c, entry.form_list)
                 if (code := to_iso3(a, data_dir=ctx.config.data_dir))), None) for c in cells]
            target = person.setdefault("country", np.full(n_rows, None, dtype=object))
            target[present] = np.array(iso3, dtype=object)[codes][present]
            bad = np.array([c is not None and i is None for c, i in zip(cells, iso3, strict=True)])[codes]
            for index in np.flatnonzero(bad).tolist():
                value = cells[codes[index]]
                events.problem(index, 1, position, 0, Problem(
                    table.file, unknown_country(value), int(events.source_rows[index]), column, "warning",
                    ProblemCode.UNKNOWN_COUNTRY))
            continue
        if entry.form_list is not None and not entry.is_identity:
            cell_of = np.array([codebook.choice_text(c, entry.form_list, ctx.manifest.language) for c in cells],
                               dtype=object)
        target = person.setdefault(entry.role, np.full(n_rows, None, dtype=object))
        fill = present & (target == None)  # noqa: E711 - elementwise
        target[fill] = cell_of[codes][fill]
    if "position" in person:  # a job title naming a role fills the role the row lacks
        role = person.setdefault("role", np.full(n_rows, None, dtype=object))
        named = {p: codebook.code(p, "role") for p in set(person["position"].tolist()) if p is not None}
        for index in np.flatnonzero(role == None).tolist():  # noqa: E711 - elementwise
            coded = named.get(person["position"][index])
            if coded is not None and coded.status == "ok":
                role[index] = coded.code
    return person, located


# ---------------------------------------------------------------------- phases 2-3: who and which session
@dataclass
class _KeptRows:
    """The data rows kept (an identified or anonymous respondent, a known session)."""

    rows: np.ndarray  # data row index of each kept row
    pids: list[str]
    anonymous: list[bool]
    session_ids: list[str | None]
    n_identified: int


def _identify_rows(ctx: RoundContext, table: SourceTable, person: dict[str, np.ndarray],
                   located: dict[str, np.ndarray], session_column: str | None, sessions: SessionMatcher,
                   events: RowEvents) -> _KeptRows:
    """Give every row a pid (anonymous when it cannot have one) and its session; rows
    naming no known session are reported and dropped."""
    source = table.source
    n_rows = table.n_rows

    def role_values(role: str) -> list[Any]:
        return person[role].tolist() if role in person else [None] * n_rows

    emails, names, first_names, last_names = (role_values(r) for r in _NAME_ROLES)
    countries = role_values("country")
    where_email, where_name, where_country = (
        located[r].tolist() if r in located else [None] * n_rows for r in ("email", "name", "country"))
    if session_column is not None and source.session is None:
        codes, _values, cells = table.factor(session_column)
        entry = ctx.mappings.get(source.file, {}).get(session_column)
        form_list = entry.form_list if entry is not None else None
        matched = [next((m for a in table.codebook.alternatives(c, form_list) if (m := sessions.match(a))), None)
                   if c else None for c in cells]
        session_of = [(cells[c], matched[c]) for c in codes.tolist()]
    else:
        session_of = None
    kept: list[int] = []
    pids: list[str] = []
    anonymous_rows: list[bool] = []
    session_ids: list[str | None] = []
    n_identified = 0
    for index in range(n_rows):
        row_no = int(events.source_rows[index])
        email, first, last = emails[index], first_names[index], last_names[index]
        name = " ".join(p for p in (first, last or names[index]) if p) if first or last else names[index]
        pid = None
        if email or name:
            try:  # what identify() does, without building its fields for every row
                pid = pid_of_message(ctx.key, pid_message(email=email, name=name, country=countries[index]))
            except DataError:
                fields = {"email": email, "name": names[index], "first_name": first, "last_name": last,
                          "_columns": {"email": where_email[index], "name": where_name[index],
                                       "country": where_country[index]}}
                start = len(ctx.problems)
                pid, _how = identify(ctx, fields, country=countries[index], file=source.file, row=row_no)
                events.capture(index, 2, start)
        anonymous = pid is None
        if anonymous:
            pid = anonymous_pid(ctx, source.file, row_no)
        else:
            n_identified += 1
        session_id = source.session
        if session_of is not None:
            value, session_id = session_of[index]
            if value and session_id is None:
                events.problem(index, 3, 0, 0, Problem(
                    source.file, f"session {value!r} is not one of the round's sessions ({sessions.ids})",
                    row_no, session_column, "error", ProblemCode.UNKNOWN_SESSION))
                continue
            if session_id is None and source.instrument == "session_feedback":
                events.problem(index, 3, 0, 0, Problem(source.file, "no session given in this row",
                                                       row_no, session_column, "error",
                                                       ProblemCode.MISSING_SESSION))
                continue
        kept.append(index)
        pids.append(pid)
        anonymous_rows.append(anonymous)
        session_ids.append(session_id)
    return _KeptRows(np.asarray(kept, dtype=np.int64), pids, anonymous_rows, session_ids, n_identified)


def _to_seconds(value: Any) -> float | None:
    """A duration cell as exported (``12,5`` or ``12.5``), or None."""
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _timing(table: SourceTable, mapping: dict[str, CodebookEntry], rows: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """``(submitted_at, duration_s)`` of the kept rows: the end time wins over the submission
    time; without a duration column, the time from start to submission."""
    roles = {e.role: c for c, e in reversed(list(mapping.items()))}
    dates = {role: parse_date_column(table.raw.frame[roles[role]], platform=table.raw.platform).to_numpy()
             for role in _DATE_ROLES if role in roles}
    m = len(rows)
    submitted = np.full(m, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    for role in ("submitted_at", "ended_at"):
        if role in dates:
            stamps = dates[role][rows]
            submitted = np.where(np.isnat(stamps), submitted, stamps)
    duration = np.full(m, np.nan)
    no_duration = np.ones(m, dtype=bool)
    if "duration_s" in roles:
        codes, values, _cells = table.factor(roles["duration_s"])
        parsed = [_to_seconds(v) for v in values]
        no_duration = np.array([p is None for p in parsed])[codes[rows]]
        duration = np.array([np.nan if p is None else p for p in parsed], dtype=np.float64)[codes[rows]]
    if "started_at" in dates:
        starts = dates["started_at"][rows]
        fill = no_duration & ~np.isnat(starts) & ~np.isnat(submitted)
        seconds = (submitted[fill] - starts[fill]) / np.timedelta64(1, "s")
        duration[fill] = np.where(seconds >= 0, seconds, np.nan)
    return submitted, duration


# ---------------------------------------------------------------------- phase 4: items
def _item_waves(entry: CodebookEntry, instrument: str, wave: str | None, sessions: np.ndarray,
                feedback: bool, source_instrument: str) -> Any:
    """The wave of an item's responses: one for the column, or per row (session feedback)."""

    def one(session: str | None) -> str | None:
        base = session if feedback else wave
        item_wave = "retro" if entry.retro else (entry.wave or base)
        if instrument == "session_feedback":
            item_wave = session or item_wave
        if item_wave is None:
            item_wave = base or source_instrument
        return item_wave

    if not feedback and instrument != "session_feedback":
        return one(None)
    codes, uniques = pd.factorize(pd.Series(sessions, dtype=object), use_na_sentinel=True)
    return np.array([one(s) for s in [*uniques.tolist(), None]], dtype=object)[codes]


def _items(table: SourceTable, mapping: dict[str, CodebookEntry], kept: _KeptRows, wave: str | None,
           store: ResponseBlocks, scrubber: Scrubber, events: RowEvents
           ) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """Code every item column into ``store``'s blocks, column by column.

    Returns the number of items each kept row answered and the ties grid values
    (alter -> grid item -> value per kept row).
    """
    source = table.source
    codebook = table.codebook
    rows = kept.rows
    session_array = np.array(kept.session_ids, dtype=object)
    feedback = source.instrument == "session_feedback"
    answered = np.zeros(len(rows), dtype=np.int64)
    grid_values: dict[str, dict[str, np.ndarray]] = {}
    item_columns = [(p, c, e) for p, (c, e) in enumerate(mapping.items()) if e.role in ("item", "grid")]
    options: dict[tuple, list[tuple[str, CodebookEntry]]] = defaultdict(list)
    for _position, column, entry in item_columns:
        if entry.role == "item" and entry.option is not None:
            options[(entry.item_id, entry.retro)].append((column, entry))
    done_options: set[tuple] = set()
    for position, column, entry in item_columns:
        codes, values, cells = table.factor(column)
        codes = codes[rows]
        if entry.role == "grid":
            coded = [codebook.code(v, entry.choices, recode=entry.recode) for v in values]
            ok = note_coded_rows(events, coded, codes, rows, position, column, entry, codebook)
            numbers = np.array([c.value if c.status == "ok" and c.value is not None else np.nan
                                for c in coded], dtype=np.float64)[codes]
            grid_values.setdefault(entry.alter or "", {})[entry.item_id] = np.where(ok, numbers, np.nan)
            answered += ok
            continue
        instrument = entry.instrument or source.instrument
        if instrument == "ties":
            continue
        block = {"instrument": instrument,
                 "wave": _item_waves(entry, instrument, wave, session_array, feedback, source.instrument),
                 "session_id": session_array if instrument == "session_feedback" else None,
                 "outcome": entry.outcome, "tool": entry.tool, "type": entry.type,
                 "choices": entry.choices, "column": column}
        if entry.type == "select_multiple":
            if entry.option is not None:
                key = (entry.item_id, entry.retro)
                if key in done_options:
                    continue
                done_options.add(key)
                flags, any_answer = option_flags(events, options[key], table, rows, position, codebook)
            else:
                flags, any_answer = multiple_flags(events, entry, cells, codes, rows, position, column, codebook)
            answered += any_answer
            for option, flag in flags:
                store.blocks.append(Block(item_id=f"{entry.item_id}.{option}", value=flag, **block))
            continue
        if entry.type == "text":
            coded = [codebook.code(v, None, kind="text") for v in values]
            texts: list[str | None] = []
            changed: list[bool] = []
            for c in coded:
                text = scrubber.scrub(c.raw) if c.status == "ok" else None
                texts.append(text)
                changed.append(c.status == "ok" and text != c.raw)
            status = np.array([c.status for c in coded], dtype=object)[codes]
            events.log(rows[np.array(changed)[codes]], 4, position, 0, "scrub", column=column,
                       item_id=entry.item_id, detail="e-mail, phone number or roster name removed from free text")
            missing = status == "missing"
            events.log(rows[missing], 4, position, 0, "missing_code", column=column, item_id=entry.item_id,
                       old=np.array([c.raw for c in coded], dtype=object)[codes][missing])
            answered += status == "ok"
            store.blocks.append(Block(item_id=entry.item_id, text=np.array(texts, dtype=object)[codes], **block))
            continue
        kind = "integer" if entry.type == "integer" else "select_one"
        coded = [codebook.code(v, entry.choices, kind=kind, recode=entry.recode) for v in values]
        ok = note_coded_rows(events, coded, codes, rows, position, column, entry, codebook)
        if entry.recode:
            before = [codebook.code(v, entry.choices, kind=kind) for v in values]
            recoded = np.array([b.status == c.status == "ok" and b.code != c.code
                                for b, c in zip(before, coded, strict=True)])[codes]
            events.log(rows[recoded], 4, position, 1, "recode", column=column, item_id=entry.item_id,
                       old=np.array([b.code for b in before], dtype=object)[codes][recoded],
                       new=np.array([c.code for c in coded], dtype=object)[codes][recoded],
                       detail="codebook recode")
        answered += ok
        store.blocks.append(Block(
            item_id=entry.item_id,
            value=np.array([c.value if c.status == "ok" and c.value is not None else np.nan
                            for c in coded], dtype=np.float64)[codes],
            value_label=np.array([c.label if c.status == "ok" else None for c in coded], dtype=object)[codes],
            **block))
    return answered, grid_values


# ---------------------------------------------------------------------- phase 5: submissions
def _submissions(ctx: RoundContext, table: SourceTable, person: dict[str, np.ndarray], kept: _KeptRows,
                 wave: str | None, store: ResponseBlocks, answered: np.ndarray,
                 grid_values: dict[str, dict[str, np.ndarray]], events: RowEvents) -> list[Submission]:
    """One `Submission` per kept row with anything in it (rows left empty are logged)."""
    source = table.source
    feedback = source.instrument == "session_feedback"
    n_rows = table.n_rows
    person_rows = list(zip(*(person[k].tolist() if k in person else [None] * n_rows for k in PERSON_KEYS),
                           strict=True))
    ties_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for alter, columns in grid_values.items():
        stacked = np.column_stack(list(columns.values()))
        for slot in np.flatnonzero(~np.isnan(stacked).all(axis=1)).tolist():
            values = {item: (None if np.isnan(v[slot]) else float(v[slot])) for item, v in columns.items()}
            ties_of[slot].append({"round_id": ctx.round_id, "pid": kept.pids[slot], "wave": wave or "pulse-1",
                                  "alter_organisation": alter, **values})
    submissions: list[Submission] = []
    stamps = [None if s is pd.NaT else s for s in pd.DatetimeIndex(store.submitted_at).to_list()]
    counts = answered.tolist()
    for slot, index in enumerate(kept.rows.tolist()):
        session_id = kept.session_ids[slot]
        base_wave = session_id if feedback else wave
        fields = dict(zip(PERSON_KEYS, person_rows[index], strict=True))
        submission = Submission(
            pid=kept.pids[slot], anonymous=kept.anonymous[slot],
            key=(kept.pids[slot], source.instrument, base_wave, session_id if feedback else None),
            source=source, row=int(events.source_rows[index]), order=0, submitted_at=stamps[slot],
            n_answered=counts[slot], person=fields, ties=ties_of.get(slot, []), store=store, slot=slot)
        if not store.blocks and not submission.ties and all(v is None for v in fields.values()):
            events.log(np.array([index]), 5, 0, 0, "drop_empty", detail="no answer in this row")
            continue
        submissions.append(submission)
    return submissions
