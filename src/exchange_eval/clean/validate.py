"""Validate stage: pandera schemas of the canonical tables, and their failures as problems.

`schema_for(table)` builds a `pandera.DataFrameSchema` from `tables.TABLES` (dtypes)
plus the checks we know: ISO3 country codes, wave and pid patterns, the instrument set,
choice codes and value ranges from ``choices.yaml``, and uniqueness (one participant row
per pid; one response per pid × instrument × wave × session × item). `check_table`
validates lazily and turns every failure case into a `Problem` (code ``schema``), so a
user sees all of them at once; `validate_tables` checks every table of a round.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from ..core.config import Config
from ..core.errors import Problem, ProblemCode
from ..core.paths import ROUND_ID_PATTERN
from ..core.tables import TABLES
from .codebook import ITEM_TYPES
from .manifest import ISO3_PATTERN, SURVEY_INSTRUMENTS, WAVE_PATTERN

__all__ = [
    "PID_PATTERN",
    "RESPONSE_INSTRUMENTS",
    "schema_for",
    "check_table",
    "validate_tables",
]

#: pids are ``p_`` + 12 hex digits of an HMAC (see `exchange_eval.clean.protect.pseudonym`)
PID_PATTERN = r"^p_[0-9a-f]{12}$"
#: the instruments of the ``responses`` table (ties have their own table)
RESPONSE_INSTRUMENTS = tuple(i for i in SURVEY_INSTRUMENTS if i != "ties")
_UNIQUE = {
    "participants": ["pid"],
    "attendance": ["pid", "session_id"],
    "sessions": ["session_id"],
    "responses": ["pid", "instrument", "wave", "session_id", "item_id"],
    "plan_actions": ["country", "action_id", "followup"],
    "jsr_assessment": ["country", "year", "wave", "dimension", "criterion"],
    "jsr_quality": ["country", "year"],
    "ties": ["pid", "wave", "alter_organisation"],
    "items": ["instrument", "item_id"],
    "item_choices": ["list_name", "order"],
}
_REQUIRED = {  # columns that may never be missing
    "participants": ["round_id", "pid", "on_roster"],
    "attendance": ["round_id", "pid", "session_id", "attended"],
    "sessions": ["round_id", "session_id"],
    "responses": ["round_id", "pid", "instrument", "wave", "item_id"],
    "plan_actions": ["round_id", "country", "action_id"],
    "jsr_assessment": ["round_id", "country", "dimension"],
    "jsr_quality": ["round_id", "country", "n_met", "meets"],
    "ties": ["round_id", "pid", "wave", "alter_organisation"],
    "tool_feedback": ["round_id", "pid", "tool"],
    "items": ["round_id", "instrument", "item_id", "type"],
    "item_choices": ["round_id", "list_name", "order", "name", "is_missing"],
}


ChoiceLists = Mapping[str, list[dict]]


def _codes(list_name: str, choices: ChoiceLists) -> list[str]:
    return [str(level["value"]) for level in choices.get(list_name, [])]


def _range(list_name: str, choices: ChoiceLists) -> tuple[float, float] | None:
    values = []
    for level in choices.get(list_name, []):
        try:
            values.append(float(level["value"]))
        except (TypeError, ValueError):
            return None
    return (min(values), max(values)) if values else None


def _between(list_name: str, choices: ChoiceLists) -> list[pa.Check]:
    bounds = _range(list_name, choices)
    return [pa.Check.in_range(*bounds)] if bounds else []


def _checks(table: str, column: str, choices: ChoiceLists) -> list[pa.Check]:
    if column == "pid" or column == "alter_pid":
        return [pa.Check.str_matches(PID_PATTERN)]
    if column in ("country", "ego_country", "alter_country"):
        return [pa.Check.str_matches(ISO3_PATTERN.pattern)]
    if column == "wave":
        return [pa.Check.str_matches(WAVE_PATTERN.pattern)]
    if column == "round_id":
        return [pa.Check.str_matches(ROUND_ID_PATTERN.pattern)]
    if table in ("responses", "items") and column == "instrument":
        return [pa.Check.isin(RESPONSE_INSTRUMENTS)]
    if table == "items" and column == "type":
        return [pa.Check.isin(list(ITEM_TYPES))]
    if table == "participants" and column in ("role", "org_type", "gender"):
        return [pa.Check.isin(_codes(column, choices))]
    if table == "plan_actions" and column == "status":
        return [pa.Check.isin(_codes("plan_status", choices))]
    if table == "plan_actions" and column == "followup":
        return [pa.Check.str_matches(r"^followup-\d+$")]
    if table == "jsr_assessment" and column == "rating":
        return _between("ladder4", choices)
    if column == "group":
        return [pa.Check.isin(["participant", "comparison"])]
    if table == "ties" and column == "collaboration":
        return _between("collaboration", choices)
    if table == "ties" and (column.startswith("trust_") or column.startswith("value_")):
        return _between("partner4", choices)
    if table == "tool_feedback" and column == "rating":
        return _between("useful5", choices)
    if column == "n_sessions_attended" or column == "n_met":
        return [pa.Check.ge(0)]
    if column == "duration_s":
        return [pa.Check.ge(0)]
    return []


def schema_for(table: str, extra_columns: dict[str, str] | None = None, *,
               choices: ChoiceLists | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a canonical table.

    Parameters
    ----------
    table
        A key of `tables.TABLES`.
    extra_columns
        Columns a table may carry beyond the contract (``jsr_quality`` has one boolean
        column per dimension id), as ``{column: dtype}``.
    choices
        The choice lists whose codes and ranges the values must respect
        (`Config.choices`); default the package's.
    """
    choices = choices if choices is not None else Config().choices
    columns = dict(TABLES[table])
    columns.update(extra_columns or {})
    required = set(_REQUIRED.get(table, []))
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                dtype,
                checks=_checks(table, name, choices),
                nullable=name not in required,
                required=True,
            )
            for name, dtype in columns.items()
        },
        unique=_UNIQUE.get(table),
        strict=False,
        name=table,
        coerce=False,
    )


def _describe(check: str, failure: object) -> str:
    check = str(check)
    if check == "column_in_dataframe" or check == "column_in_schema":
        return f"required column {failure!r} is missing"
    if check.startswith("dtype("):
        return f"wrong type {failure!r}, expected {check[6:-1]}"
    if check == "not_nullable":
        return "missing value where one is required"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return f"duplicate row: {failure!r} appears more than once"
    match = re.match(r"str_matches\('(.*)'\)", check)
    if match:
        return f"{failure!r} does not match the pattern {match.group(1)}"
    return f"{failure!r} fails {check}"


def _check_passes(check: pa.Check, values: pd.Series) -> bool:
    """Whether a check of `_checks` holds for every (distinct, non-null) value; False for a
    check this does not know."""
    stats = check.statistics or {}
    if check.name == "str_matches":
        pattern = stats.get("pattern")
        texts = values.astype(object)
        return all(isinstance(v, str) for v in texts.to_numpy()) and bool(texts.str.match(pattern).all())
    if check.name == "isin":
        return bool(values.isin(list(stats.get("allowed_values", []))).all())
    if check.name == "in_range":
        low, high = stats.get("min_value"), stats.get("max_value")
        above = values >= low if stats.get("include_min", True) else values > low
        below = values <= high if stats.get("include_max", True) else values < high
        return bool((above & below).all())
    if check.name == "greater_than_or_equal_to":
        return bool((values >= stats.get("min_value")).all())
    return False


def _has_duplicates(df: pd.DataFrame, subset: list[str]) -> bool:
    """``df.duplicated(subset).any()`` on integer codes (missing values equal, as there)."""
    key = np.zeros(len(df), dtype=np.int64)
    span = 1
    for name in subset:
        codes, uniques = pd.factorize(df[name], use_na_sentinel=True)
        width = len(uniques) + 1
        span *= width
        if span >= 2**62:
            return bool(df.duplicated(subset=subset).any())
        key = key * width + (codes + 1)
    key.sort()  # numpy's hash-based unique is slow on a million keys; sorted neighbours are not
    return bool((key[1:] == key[:-1]).any())


def _passes(df: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """True only when every column, check and uniqueness rule of ``schema`` visibly holds,
    tested on distinct values (a big table has few). Then `check_table` can skip pandera,
    which would find nothing; any doubt gives False and pandera runs as before."""
    try:
        if not df.columns.is_unique:
            return False
        for name, column in schema.columns.items():
            if name not in df.columns:
                return False
            series = df[name]
            if series.dtype != pd.api.types.pandas_dtype(str(column.dtype)):
                return False
            if not column.nullable and series.isna().any():
                return False
            if column.checks:
                values = pd.Series(series.dropna().unique())
                if not all(_check_passes(check, values) for check in column.checks):
                    return False
        unique = schema.unique
        if unique:
            subset = [unique] if isinstance(unique, str) else list(unique)
            if any(c not in df.columns for c in subset) or _has_duplicates(df, subset):
                return False
        return True
    except (TypeError, ValueError):
        return False


def check_table(
    df: pd.DataFrame,
    table: str,
    *,
    file: str | None = None,
    locate: pd.DataFrame | None = None,
    extra_columns: dict[str, str] | None = None,
    choices: ChoiceLists | None = None,
) -> list[Problem]:
    """Validate ``df`` lazily against its schema; return one `Problem` per failure case.

    ``locate`` (optional, same index as ``df``) has ``source_file`` and ``source_row``
    columns: the problem then points at the raw export the row came from; otherwise at
    ``file`` (default the table name) and the 1-based row of the table. ``extra_columns``
    and ``choices`` are passed to `schema_for`.
    """
    schema = schema_for(table, extra_columns, choices=choices)
    if _passes(df, schema):
        return []  # what pandera would find: nothing (it describes failures when there are some)
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    except SchemaError as exc:  # pragma: no cover - lazy validation raises SchemaErrors
        return [Problem(file or table, str(exc), code=ProblemCode.SCHEMA)]
    else:
        return []
    problems: list[Problem] = []
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else None
        if str(case.check) in ("column_in_dataframe", "column_in_schema"):
            column = str(case.failure_case)
        index = case.index
        where_file, where_row = file or table, None
        if index is not None and not (isinstance(index, float) and pd.isna(index)):
            if locate is not None and index in locate.index:
                source_file = locate.at[index, "source_file"]
                source_row = locate.at[index, "source_row"]
                if not pd.isna(source_file):
                    where_file = str(source_file)
                if not pd.isna(source_row):
                    where_row = int(source_row)
            else:
                try:
                    where_row = int(index) + 1
                except (TypeError, ValueError):
                    where_row = None
        message = _describe(case.check, case.failure_case)
        if where_file != table:
            message = f"{table}: {message}"
        problems.append(Problem(where_file, message, where_row, column, "error", ProblemCode.SCHEMA))
    return problems


def validate_tables(tables: Mapping[str, pd.DataFrame], *, choices: ChoiceLists,
                    locate_responses: pd.DataFrame | None = None,
                    quality_columns: dict[str, str] | None = None) -> list[Problem]:
    """Every schema failure of a round's tables, table by table in `tables.TABLES` order.

    ``locate_responses`` (``source_file``, ``source_row`` per response) points response
    problems at the export's own line; ``quality_columns`` are the dimension columns of
    ``jsr_quality``.
    """
    problems: list[Problem] = []
    for name in TABLES:
        df = tables.get(name)
        if df is None:
            continue
        locate = None
        if name == "responses" and locate_responses is not None:
            locate = locate_responses.reset_index(drop=True)
        extra = quality_columns if name == "jsr_quality" else None
        problems.extend(check_table(df, name, locate=locate, extra_columns=extra, choices=choices))
    problems.extend(_dictionary_problems(tables))
    return problems


def _dictionary_problems(tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Every item of ``responses`` must be in ``items`` (its wording reaches the reports),
    and every list an item names in ``item_choices``."""
    responses, items, lists = tables.get("responses"), tables.get("items"), tables.get("item_choices")
    if responses is None or items is None or not len(responses):
        return []
    known = set(zip(items["instrument"].astype(object), items["item_id"].astype(object), strict=True))
    used = responses[["instrument", "item_id"]].astype(object).drop_duplicates()
    problems = []
    for instrument, item_id in used.itertuples(index=False):
        base = str(item_id)
        if (instrument, base) not in known:
            base = base.rsplit(".", 1)[0]
        if (instrument, base) not in known:
            problems.append(Problem("items", f"item {item_id!r} of {instrument} has no row in the data dictionary",
                                    code=ProblemCode.SCHEMA))
    if lists is not None:
        named = set(items["list_name"].dropna().astype(object)) - set(lists["list_name"].astype(object))
        problems.extend(Problem("item_choices", f"choice list {name!r} has no rows", code=ProblemCode.SCHEMA)
                        for name in sorted(named))
    return problems
