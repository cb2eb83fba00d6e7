"""Structured instruments: improvement plans, JSR self-assessments and the RF18 quality sheet.

These sheets have fixed columns instead of questions (headers in English or French,
matched as normalised labels with aliases): ``plan_actions`` (one row per action, a
status column per follow-up), ``jsr_assessment`` (one rating per country, year,
dimension and criterion) and ``jsr_quality`` (one 0/1 per dimension and country-year;
``meets`` by the RF18 rule of ``dimensions.yaml``). Dimensions, criteria and the rule
come from the configuration.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.config import Config
from ..core.errors import ProblemCode
from .cells import NO_TOKENS, YES_TOKENS
from .codebook import Codebook, loose_label, normalize_label
from .context import RoundContext
from .coverage import Coverage
from .dates import parse_dates
from .identify import country_code
from .log import unknown_answer
from .scrub import Scrubber
from .sources import SourceTable, source_key

__all__ = ["header_key", "header_synonyms", "jsr_assessment", "jsr_quality", "plan_actions", "quality_flag_columns"]

# cell texts (after normalize_label) meaning met / not met in jsr_quality
_MET = YES_TOKENS | {"met", "atteint"}
_NOT_MET = NO_TOKENS | {"not met", "non atteint"}
_FOLLOWUP_NUMBER = re.compile(r"(?:suivi|followup|follow up|fu|n)\s*(\d+)\b|\b(\d)$")
_HEADER_DATE = re.compile(r"(\d{1,2})\s(\d{1,2})\s(\d{4})|(\d{4})\s(\d{1,2})\s(\d{1,2})")


def header_key(text: str) -> str:
    """A structured sheet's header as compared with ``headers.yaml``: folded, ``N°`` as
    ``no``, every run of punctuation, ``_`` or space one space.

    Examples
    --------
    >>> header_key("N° action"), header_key("Statut au 30/06/2025"), header_key("status_followup-1")
    ('no action', 'statut au 30 06 2025', 'status followup 1')
    """
    folded = normalize_label(text).replace("n°", "no ").replace("nº", "no ").replace("#", " no ")
    return re.sub(r"[\W_]+", " ", folded).strip()


def header_synonyms(config: Config, instrument: str) -> dict[str, str]:
    """Header key (`header_key`) -> canonical column of a structured instrument
    (``headers.yaml``, and the dimension labels of ``jsr_quality``)."""
    table: dict[str, str] = {}
    for column, headers in ((config.file("headers.yaml") or {}).get(instrument) or {}).items():
        for header in [column, *(headers or [])]:
            table.setdefault(header_key(str(header)), column)
    if instrument == "jsr_quality":
        for dimension in config.dimensions["dimensions"]:
            for key, value in dimension.items():
                if key == "id" or key.startswith("label") or key == "synonyms":
                    for text in value if isinstance(value, list) else [value]:
                        table.setdefault(header_key(str(text)), dimension["id"])
    return table


def _followups(ctx: RoundContext, table: SourceTable, status_columns: list[str]) -> list[tuple[str, str]]:
    """``(followup-N, column)`` for a plan's status columns: N from the header's number
    (``Statut suivi 2``), else from the order of the dates in the headers (``Statut au
    30/06/2025``), else from left to right; logged."""
    numbered: list[tuple[int, str]] = []
    dated: list[tuple[tuple[int, int, int], str]] = []
    for column in status_columns:
        key = header_key(column)
        date = _HEADER_DATE.search(key)
        if date:
            day, month, year, year2, month2, day2 = date.groups()
            dated.append(((int(year or year2), int(month or month2), int(day or day2)), column))
            continue
        number = _FOLLOWUP_NUMBER.search(key)
        if number:
            numbered.append((int(number.group(1) or number.group(2)), column))
    if len(numbered) == len(status_columns):
        ordered = [(n, c) for n, c in sorted(numbered)]
    elif len(dated) == len(status_columns):
        ordered = [(i, c) for i, (_d, c) in enumerate(sorted(dated), start=1)]
    else:
        ordered = list(enumerate(status_columns, start=1))
    out = [(f"followup-{n}", c) for n, c in ordered]
    for followup, column in out:
        ctx.log.add("rename", file=table.file, column=column, new=f"status {followup}",
                    detail="status column of a follow-up")
    return out


def _sheets(ctx: RoundContext, tables: dict[str, SourceTable], instrument: str,
            required: list[str]) -> list[tuple[SourceTable, dict[str, str], list[str]]]:
    """The sheets of an instrument with their columns by canonical name (headers from
    ``headers.yaml``, then the round codebook's rows for this instrument) and, for plans,
    their status columns. A column that is none of them is a warning; a sheet missing a
    required column is reported (every missing one) and left out. Each sheet's coverage
    is recorded."""
    synonyms = header_synonyms(ctx.config, instrument)
    status_keys = [header_key(h) for h in ((ctx.config.file("headers.yaml") or {}).get(instrument) or {})
                   .get("status", [])] + (["status"] if instrument == "plan_actions" else [])
    out = []
    for source in ctx.manifest.sources_for(instrument):
        table = tables.get(source_key(source))
        if table is None:
            continue
        coverage = Coverage(source.file, instrument, structured=True)
        columns: dict[str, str] = {}
        statuses: list[str] = []
        for column in table.columns:
            key = header_key(column)
            entry = table.codebook.match(column, instrument)
            name = entry.role if entry is not None and entry.origin == "round" and entry.instrument == instrument \
                else synonyms.get(key)
            if name == "status" or (name is None and any(key == s or key.startswith(s + " ") for s in status_keys)):
                statuses.append(column)
                coverage.add("used")
                continue
            if name is None and (key in _IGNORED or entry is not None and entry.role == "ignore"):
                coverage.add("metadata")
                continue
            if name is None or name in columns:
                coverage.add("unmatched", column)
                why = (f"is a second {name!r} column (the first is {columns[name]!r})" if name is not None
                       else "is not a column this sheet is read by")
                ctx.problems.warn(source.file, f"column {why}: it is not used (headers.yaml lists the headers "
                                  "understood; a round codebook can map others)", column=column,
                                  code=ProblemCode.UNMAPPED_COLUMN)
                ctx.log.add("unmapped_column", file=source.file, column=column)
                continue
            columns[name] = column
            coverage.add("used")
            if header_key(column) != header_key(name):
                ctx.log.add("rename", file=source.file, column=column, new=name, detail="structured sheet header")
        ctx.coverage.append(coverage)
        absent = [c for c in required if c not in columns]
        for name in absent:
            ctx.problems.add(source.file, f"required column {name!r} is missing "
                             f"(columns found: {', '.join(table.columns)})",
                             table.source_rows[0] - 1 if table.source_rows else 1, name,
                             code=ProblemCode.MISSING_COLUMN)
        if absent:
            continue
        out.append((table, columns, statuses))
    return out


# headers of a structured sheet that are bookkeeping, not data (folded)
_IGNORED = {"no", "n", "numero", "num", "remarques", "commentaires", "observations", "notes", "comments", "remarks"}


def _dimension_of(ctx: RoundContext, text: str | None) -> str | None:
    """The dimension id a cell names: its id, a label or synonym in any language (French
    gender and number endings ignored), or its number (``D3``, ``3``), else None."""
    if text is None:
        return None
    token = normalize_label(text)
    loose = loose_label(text)
    dimensions = ctx.config.dimensions["dimensions"]
    for dimension in dimensions:
        names = [dimension["id"]]
        for key, value in dimension.items():
            if key.startswith("label") or key == "synonyms":
                names.extend(value if isinstance(value, list) else [value])
        if token in {normalize_label(n) for n in names} or loose in {loose_label(n) for n in names}:
            return dimension["id"]
    number = re.fullmatch(r"(?:d|dimension)?\s*(\d)", token)
    if number and 1 <= int(number.group(1)) <= len(dimensions):
        return dimensions[int(number.group(1)) - 1]["id"]
    return None


def _group_of(ctx: RoundContext, country: str | None) -> str | None:
    if country in ctx.manifest.countries:
        return "participant"
    if country in ctx.manifest.comparison:
        return "comparison"
    return None


def _year_of(ctx: RoundContext, value: str | None, file: str, row: int, column: str | None) -> int | None:
    """The year a cell gives; the round's year when blank; None (reported) when not a number."""
    if value is None:
        return ctx.manifest.year
    try:
        return int(float(value))
    except ValueError:
        ctx.problems.add(file, f"year {value!r} is not a number", row, column, code=ProblemCode.BAD_VALUE)
        return None


def _owner_role(value: str | None, codebook: Codebook) -> str | None:
    """A role label of choices.yaml becomes its code; any other owner is kept as written."""
    if value is None:
        return None
    coded = codebook.code(value, "role")
    return coded.code if coded.status == "ok" else value


def plan_actions(ctx: RoundContext, tables: dict[str, SourceTable], scrubber: Scrubber) -> list[dict[str, Any]]:
    """The ``plan_actions`` rows: one per action and follow-up status column.

    Headers are read through ``headers.yaml`` (Pays, N° action, Action, Dimension,
    Responsable, Échéance, Statut au …); a sheet without an action number numbers its
    actions by row (``<country>-<row>``, with a warning). Statuses are matched in French
    and English, either gender (Réalisée, Abandonnée, En cours, Non démarrée).
    """
    dimension_ids = ", ".join(d["id"] for d in ctx.config.dimensions["dimensions"])
    rows: list[dict[str, Any]] = []
    for table, columns, statuses in _sheets(ctx, tables, "plan_actions", ["country", "dimension", "description"]):
        file, codebook = table.file, table.codebook
        status_columns = _followups(ctx, table, statuses)
        if "action_id" not in columns:
            ctx.problems.warn(file, "no action number column (N° action): actions are numbered by their row",
                              column="action_id", code=ProblemCode.MISSING_COLUMN)
        dues = parse_dates(table.raw.frame[columns["due"]]) if "due" in columns else [None] * table.n_rows
        for index in range(table.n_rows):
            row_no = table.source_rows[index]
            get = table.getter(columns, index)
            country = country_code(ctx, get("country"), file, row_no, columns["country"], severity="error")
            dimension_raw = get("dimension")
            dimension = _dimension_of(ctx, dimension_raw)
            if dimension_raw is not None and dimension is None:
                ctx.problems.add(file, f"dimension {dimension_raw!r} is not one of {dimension_ids}",
                                 row_no, columns["dimension"], code=ProblemCode.UNKNOWN_VALUE)
            if "due" in columns and get("due") is not None and dues[index] is None:
                ctx.problems.warn(file, f"due date {get('due')!r} is not a date (dd/mm/yyyy or ISO)",
                                  row_no, columns["due"], code=ProblemCode.BAD_VALUE)
            description = get("description")
            if description is not None:
                scrubbed = scrubber.scrub(description)
                if scrubbed != description:
                    ctx.log.add("scrub", file=file, row=row_no, column=columns["description"],
                                detail="e-mail, phone number or roster name removed from free text")
                description = scrubbed
            action_id = get("action_id") or (f"{country or 'X'}-{row_no}" if "action_id" not in columns else None)
            base = {"round_id": ctx.round_id, "country": country, "action_id": action_id,
                    "dimension": dimension, "description": description,
                    "owner_role": _owner_role(get("owner_role"), codebook), "due": dues[index]}
            if not status_columns:
                rows.append(dict(base, followup=None, status=None))
            for followup, column in status_columns:
                value = table.cell(index, column)
                status = None
                if value is not None:
                    coded = codebook.code(value, "plan_status")
                    if coded.status == "ok":
                        status = coded.code
                    elif coded.status == "missing":
                        ctx.log.add("missing_code", file=file, row=row_no, column=column, old=value)
                    else:
                        unknown_answer(ctx.problems, ctx.log, file, row_no, column, value, "plan_status", codebook)
                rows.append(dict(base, followup=followup, status=status))
    return rows


def jsr_assessment(ctx: RoundContext, tables: dict[str, SourceTable]) -> list[dict[str, Any]]:
    """The ``jsr_assessment`` rows: one rating (ladder level) per sheet row."""
    criteria: dict[str, str] = {}
    for criterion, labels in (ctx.config.dimensions.get("criteria_labels") or {}).items():
        criteria[normalize_label(criterion)] = criterion
        for label in labels.values():
            criteria[normalize_label(label)] = criterion
    rows: list[dict[str, Any]] = []
    for table, columns, _statuses in _sheets(ctx, tables, "jsr_assessment", ["country", "dimension", "rating"]):
        file, codebook = table.file, table.codebook
        for index in range(table.n_rows):
            row_no = table.source_rows[index]
            get = table.getter(columns, index)
            country = country_code(ctx, get("country"), file, row_no, columns["country"], severity="error")
            dimension = _dimension_of(ctx, get("dimension"))
            if get("dimension") is not None and dimension is None:
                ctx.problems.add(file, f"dimension {get('dimension')!r} is not known", row_no,
                                 columns["dimension"], code=ProblemCode.UNKNOWN_VALUE)
            criterion_raw = get("criterion")
            criterion = criteria.get(normalize_label(criterion_raw)) if criterion_raw else None
            if criterion_raw is not None and criterion is None:
                ctx.problems.add(file, f"criterion {criterion_raw!r} is not one of dimensions.yaml",
                                 row_no, columns.get("criterion"), code=ProblemCode.UNKNOWN_VALUE)
            rating = None
            value = get("rating")
            if value is not None:
                coded = codebook.code(value, "ladder4")
                if coded.status == "ok":
                    rating = coded.value
                elif coded.status == "missing":
                    ctx.log.add("missing_code", file=file, row=row_no, column=columns["rating"], old=value)
                else:
                    unknown_answer(ctx.problems, ctx.log, file, row_no, columns["rating"], value, "ladder4",
                                   codebook)
            year = _year_of(ctx, get("year"), file, row_no, columns.get("year"))
            group = _group_of(ctx, country)
            if country is not None and group is None:
                ctx.problems.warn(file, f"country {country} is neither a participant nor a comparison "
                                  "country of the round", row_no, columns["country"],
                                  code=ProblemCode.NOT_IN_ROUND)
            rows.append({"round_id": ctx.round_id, "country": country, "year": year,
                         "wave": get("wave"), "dimension": dimension, "criterion": criterion,
                         "rating": rating, "group": group})
    return rows


def quality_flag_columns(ctx: RoundContext) -> dict[str, str]:
    """The columns ``jsr_quality`` has beyond the contract: one boolean per dimension id."""
    return {d["id"]: "boolean" for d in ctx.config.dimensions["dimensions"]}


def jsr_quality(ctx: RoundContext, tables: dict[str, SourceTable]) -> list[dict[str, Any]]:
    """The ``jsr_quality`` rows: per country-year, met / not met per dimension, ``n_met``, and
    ``meets`` (at least ``rf18.min_dimensions_met`` met; missing when unknown ones decide)."""
    config = ctx.config.dimensions
    dimension_ids = [d["id"] for d in config["dimensions"]]
    threshold = int((config.get("rf18") or {}).get("min_dimensions_met", 3))
    rows: list[dict[str, Any]] = []
    for table, columns, _statuses in _sheets(ctx, tables, "jsr_quality", ["country", *dimension_ids]):
        file = table.file
        for index in range(table.n_rows):
            row_no = table.source_rows[index]
            get = table.getter(columns, index)
            country = country_code(ctx, get("country"), file, row_no, columns["country"], severity="error")
            row: dict[str, Any] = {"round_id": ctx.round_id, "country": country,
                                   "year": _year_of(ctx, get("year"), file, row_no, columns.get("year")),
                                   "group": _group_of(ctx, country)}
            unknown = 0
            for dimension in dimension_ids:
                value = get(dimension)
                token = normalize_label(value or "")
                if value is None:
                    row[dimension] = None
                    unknown += 1
                elif token in _MET:
                    row[dimension] = True
                elif token in _NOT_MET:
                    row[dimension] = False
                else:
                    row[dimension] = None
                    unknown += 1
                    ctx.problems.add(file, f"{value!r} is not 0/1 (met / not met)", row_no, columns[dimension],
                                     code=ProblemCode.BAD_VALUE)
            n_met = sum(1 for d in dimension_ids if row[d] is True)
            row["n_met"] = n_met
            if n_met >= threshold:
                row["meets"] = True
            elif n_met + unknown >= threshold:
                row["meets"] = None
            else:
                row["meets"] = False
            rows.append(row)
    return rows
