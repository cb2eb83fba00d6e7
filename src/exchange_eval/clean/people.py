"""People: the roster, the participants, their attendance, their ties, and the pre/post linkage.

`read_rosters` turns the roster export(s) into `Roster` (a pid per person, their fields,
the names the scrubber must hide, attendance per session). Once the surveys are
harmonized and deduplicated, `participants` adds every identified respondent who is not
on the roster, `ties` completes the network rows with ego and alter countries, and
`linkage` counts who answered the outcomes survey before, after, or both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..core.countries import to_iso3
from ..core.errors import Problem, ProblemCode
from ..core.tables import CLEANING_LOG_COLUMNS
from .cells import NO_TOKENS, YES_TOKENS
from .codebook import Codebook, CodebookEntry, normalize_label
from .context import RoundContext
from .harmonize import map_columns
from .identify import country_code, full_name, identify
from .log import unknown_answer
from .responses import Submission
from .scrub import Scrubber
from .sessions import SessionMatcher, split_sessions
from .sources import SourceTable, source_key

__all__ = ["Roster", "build_ties", "linkage", "participants", "person_fields", "read_rosters", "role_of_position"]

_IDENTITY_ROLES = ("email", "name", "first_name", "last_name")


@dataclass
class Roster:
    """What the roster says: people by pid, the names to scrub, attendance rows."""

    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # pid -> participants row (+ "_row")
    names: list[str] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)


def person_fields(ctx: RoundContext, table: SourceTable, mapping: dict[str, CodebookEntry],
                  codebook: Codebook, index: int) -> dict[str, Any]:
    """The respondent fields of one row (identity fields included, to derive the pid)."""
    source = table.source
    fields: dict[str, Any] = {}
    row_no = table.source_rows[index]
    for column, entry in mapping.items():
        if entry.role in ("item", "grid"):
            continue
        value = table.cell(index, column)
        if value is None:
            continue
        if entry.role in ("role", "org_type", "gender") or entry.choices:
            list_name = entry.choices or entry.role
            coded = codebook.code_field(value, list_name, entry.form_list)
            if coded.status == "ok":
                fields[entry.role] = coded.code
            elif coded.status == "missing":
                ctx.log.add("missing_code", file=source.file, row=row_no, column=column, old=value)
            else:
                unknown_answer(ctx.problems, ctx.log, source.file, row_no, column, value, list_name, codebook)
            continue
        fields.setdefault("_columns", {}).setdefault(entry.role, column)
        if entry.role == "country":
            fields["country_raw"] = value
            alternatives = codebook.alternatives(value, entry.form_list)
            found = next((a for a in alternatives[1:] if to_iso3(a, data_dir=ctx.config.data_dir)), value)
            fields["country"] = country_code(ctx, found, source.file, row_no, column)
            continue
        fields.setdefault(entry.role, codebook.choice_text(value, entry.form_list, ctx.manifest.language))
    return fields


def role_of_position(codebook: Codebook, position: str | None) -> str | None:
    """The role code a job title names when it is one of the ``role`` list's labels
    ("Décideur"), else None: a free-text "Fonction" column is kept as written and only
    fills ``role`` when it happens to name one."""
    if position is None:
        return None
    coded = codebook.code(position, "role")
    return coded.code if coded.status == "ok" else None


def read_rosters(ctx: RoundContext, tables: dict[str, SourceTable], sessions: SessionMatcher) -> Roster:
    """Every roster export of the round, in manifest order (a person listed twice is kept once)."""
    roster = Roster()
    for source in ctx.manifest.sources_for("roster"):
        table = tables.get(source_key(source))
        if table is not None:
            _read_roster(ctx, table, sessions, roster)
    return roster


def _read_roster(ctx: RoundContext, table: SourceTable, sessions: SessionMatcher, roster: Roster) -> None:
    source = table.source
    codebook = table.codebook
    mapping, session_columns = map_columns(ctx, table, roster_sessions=sessions)
    attended_column = next((c for c, e in mapping.items() if e.role == "sessions_attended"), None)
    if not any(e.role in _IDENTITY_ROLES for e in mapping.values()):
        ctx.problems.add(source.file, "the roster has no e-mail or name column: people cannot be "
                         "identified (map one in the codebook)", column="email", code=ProblemCode.MISSING_COLUMN)
        return
    has_attendance = attended_column is not None or bool(session_columns)
    n_pseudonymised = 0
    for index in range(table.n_rows):
        row_no = table.source_rows[index]
        fields = person_fields(ctx, table, mapping, codebook, index)
        pid, _how = identify(ctx, fields, country=fields.get("country"), file=source.file, row=row_no)
        if pid is None:
            ctx.problems.warn(source.file, "roster row without e-mail or name: skipped", row_no,
                              code=ProblemCode.UNIDENTIFIED)
            ctx.log.add("drop_empty", file=source.file, row=row_no, detail="no e-mail or name")
            continue
        n_pseudonymised += 1
        full = full_name(fields)
        if full:
            roster.names.append(full)
        if pid in roster.people:
            first_row = roster.people[pid]["_row"]
            ctx.problems.warn(source.file, f"the same person is on the roster twice (row {first_row} and this "
                              "row): this row is ignored", row_no, code=ProblemCode.DUPLICATE_RESPONDENT)
            ctx.log.add("drop_duplicate", file=source.file, row=row_no,
                        detail=f"roster duplicate of row {first_row} (pid {pid})")
            continue
        attended = _attended(ctx, table, index, attended_column, session_columns, sessions)
        roster.people[pid] = {
            "round_id": ctx.round_id, "pid": pid, "country": fields.get("country"),
            "role": fields.get("role") or role_of_position(codebook, fields.get("position")),
            "org_type": fields.get("org_type"), "organisation": fields.get("organisation"),
            "position": fields.get("position"), "gender": fields.get("gender"),
            "on_roster": True,
            "n_sessions_attended": len(attended) if has_attendance else None, "_row": row_no,
        }
        if not has_attendance:
            continue  # no attendance column: the attendance table stays empty (unknown, not absent)
        for session in ctx.manifest.sessions:
            roster.attendance.append({"round_id": ctx.round_id, "pid": pid, "session_id": session.id,
                                      "attended": session.id in attended})
    ctx.log.add("pseudonymize", file=source.file, detail=f"{n_pseudonymised} roster rows given a pid; "
                "e-mail, name and phone columns dropped")


def _attended(ctx: RoundContext, table: SourceTable, index: int, attended_column: str | None,
              session_columns: dict[str, str], sessions: SessionMatcher) -> set[str]:
    """The sessions one roster row attended: listed in one column, or ticked per session."""
    source = table.source
    row_no = table.source_rows[index]
    attended: set[str] = set()
    if attended_column is not None:
        for piece in split_sessions(table.cell(index, attended_column)):
            session_id = sessions.match(piece)
            if session_id is None:
                ctx.problems.add(source.file, f"session {piece!r} is not one of the round's sessions "
                                 f"({sessions.ids})", row_no, attended_column, code=ProblemCode.UNKNOWN_SESSION)
            else:
                attended.add(session_id)
    for column, session_id in session_columns.items():
        value = normalize_label(table.cell(index, column) or "")
        if value in YES_TOKENS or value.startswith("oui") or value.startswith("yes"):
            attended.add(session_id)
        elif value not in NO_TOKENS:
            ctx.problems.add(source.file, f"attendance {value!r} is not yes/no (oui/non, 1/0, x)",
                             row_no, column, code=ProblemCode.BAD_VALUE)
    return attended


def participants(ctx: RoundContext, roster: Roster, submissions: list[Submission],
                 scrubber: Scrubber | None = None) -> pd.DataFrame:
    """The ``participants`` rows: the roster, then every identified respondent not on it
    (``on_roster`` False, each field the first their submissions give; warned and logged).
    A job title (``position``, free text) is scrubbed of e-mails, phones and roster names.

    Built column-wise: a big export of people missing from the roster (tens of thousands of
    respondents) costs one frame and one group-by, not a dictionary per person.
    """
    rows = [{k: v for k, v in person.items() if k != "_row"} for person in roster.people.values()]
    if scrubber is not None:
        for person in rows:
            if person.get("position") is not None:
                person["position"] = scrubber.scrub(person["position"])
    found = [s for s in submissions if not s.anonymous and s.pid not in roster.people]
    if not found:
        return pd.DataFrame(rows)
    fixed = ("round_id", "pid", "on_roster", "n_sessions_attended")
    fields = pd.DataFrame([s.person for s in found], index=[s.pid for s in found])
    fields = fields.drop(columns=[c for c in fixed if c in fields.columns])
    # the first value given for each field (None is no value), people in order of appearance
    first = fields.groupby(level=0, sort=False).first() if len(fields.columns) else \
        pd.DataFrame(index=pd.unique(fields.index))
    first = first.astype(object).where(first.notna(), None)
    if scrubber is not None and "position" in first.columns:
        first["position"] = first["position"].map(scrubber.scrub)  # None stays None
    off = pd.DataFrame({"round_id": ctx.round_id, "pid": first.index, "on_roster": False,
                        "n_sessions_attended": None}, index=first.index)
    off = pd.concat([off, first], axis=1).reset_index(drop=True)
    firsts: dict[str, Submission] = {}
    for submission in found:
        firsts.setdefault(submission.pid, submission)
    messages = [(pid, f.source.file, f.row) for pid, f in firsts.items()]
    ctx.problems.extend(
        Problem(str(file), f"a respondent is not on the roster (pid {pid}): added as a participant with "
                "on_roster = False", row, None, "warning", ProblemCode.NOT_ON_ROSTER)
        for pid, file, row in messages
    )
    ctx.log.add_frame(pd.DataFrame({
        "round_id": ctx.round_id, "source_file": [file for _, file, _ in messages],
        "row": [row for _, _, row in messages], "column": None, "action": "link", "item_id": None,
        "old": None, "new": None,
        "detail": [f"respondent not on the roster added as participant {pid}" for pid, _, _ in messages],
    }, columns=CLEANING_LOG_COLUMNS), composed=True)
    return pd.concat([pd.DataFrame(rows), off], ignore_index=True) if rows else off


def build_ties(submissions: list[Submission], people: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``ties`` rows of the submissions, with the ego's organisation and country and
    the alter's country when the participants place that organisation in one country."""
    if not any(s.ties for s in submissions):
        return []
    records = people.astype(object).where(people.notna(), None).to_dict("records") if len(people) else []
    by_pid = {p["pid"]: p for p in records}
    org_countries: dict[str, set[str]] = defaultdict(set)
    for person in records:
        if person.get("organisation") and person.get("country"):
            org_countries[normalize_label(person["organisation"])].add(person["country"])
    rows = []
    for submission in submissions:
        ego = by_pid.get(submission.pid, submission.person)
        for tie in submission.ties:
            countries = org_countries.get(normalize_label(tie["alter_organisation"]), set())
            rows.append(dict(tie, ego_organisation=ego.get("organisation"), ego_country=ego.get("country"),
                             alter_country=next(iter(countries)) if len(countries) == 1 else None))
    return rows


def linkage(ctx: RoundContext, responses: pd.DataFrame) -> dict[str, int]:
    """How many respondents answered the outcomes survey before only, after only, or both
    (logged when the round has an outcomes survey)."""
    outcomes = (responses["instrument"] == "outcomes").fillna(False)
    pre = set(responses.loc[outcomes & (responses["wave"] == "pre").fillna(False), "pid"].unique())
    post = set(responses.loc[outcomes & (responses["wave"] == "post").fillna(False), "pid"].unique())
    counts = {"pre_only": len(pre - post), "post_only": len(post - pre), "both": len(pre & post)}
    if pre or post:
        ctx.log.add("link", detail=f"outcomes pre/post linkage: {counts['both']} linked, "
                    f"{counts['pre_only']} pre only, {counts['post_only']} post only")
    return counts
