"""The canonical tables written to ``data/processed/<round>/`` and their columns.

This is the contract between cleaning (which writes them) and analysis (which reads
them). Every table is long and tidy, carries ``round_id``, and names people only by
``pid``. Dtypes are pandas dtypes; `exchange_eval.clean.validate` turns them into pandera schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import UsageError

__all__ = [
    "TABLES",
    "CLEANING_LOG_COLUMNS",
    "CLEANING_LOG_DTYPES",
    "RoundData",
    "columns_of",
    "concat_rounds",
    "empty_table",
]

# table -> {column: dtype}
TABLES: dict[str, dict[str, str]] = {
    # one row per person on the roster (or seen in a survey without being on the roster)
    "participants": {
        "round_id": "string",
        "pid": "string",
        "country": "string",  # ISO3
        "role": "string",  # choices.yaml `role`
        "org_type": "string",
        "organisation": "string",  # organisations are not personal data
        "position": "string",  # job title as written (free text, scrubbed), e.g. a roster's "Fonction"
        "gender": "string",  # optional
        "on_roster": "boolean",
        "n_sessions_attended": "Int64",
    },
    # one row per person and session of the round
    "attendance": {
        "round_id": "string",
        "pid": "string",
        "session_id": "string",
        "attended": "boolean",
    },
    "sessions": {
        "round_id": "string",
        "session_id": "string",
        "kind": "string",  # virtual, observation, …
        "date": "datetime64[ns]",
        "title": "string",
    },
    # one row per person × instrument × wave × (session) × item. select_one and integer
    # items carry `value` (the code) and `value_label` (the code's English label);
    # select_multiple items become one row per option, item_id "<item>.<option>",
    # value 1/0 (missing when the question was not answered); text items carry `text`.
    "responses": {
        "round_id": "string",
        "pid": "string",
        "instrument": "string",  # session_feedback, outcomes, tool_feedback, pulse
        "wave": "string",  # pre, post, retro, followup-N, pulse-N; session id for session_feedback
        "session_id": "string",  # for session_feedback, else missing
        "item_id": "string",
        "outcome": "string",  # intermediate outcome tag, or missing
        "value": "float64",
        "value_label": "string",
        "text": "string",  # free text, scrubbed of e-mails, phones and roster names
        "submitted_at": "datetime64[ns]",
        "duration_s": "float64",  # time to complete where the export has it
        "source_file": "string",
        "source_row": "Int64",
    },
    # improvement-plan actions, long by follow-up
    "plan_actions": {
        "round_id": "string",
        "country": "string",
        "action_id": "string",
        "dimension": "string",  # dimensions.yaml id
        "description": "string",
        "owner_role": "string",
        "due": "datetime64[ns]",
        "followup": "string",  # followup-1, followup-2, …
        "status": "string",  # planned, started, done, dropped
    },
    # JSR self-assessment and maturity ladder, per country × year × dimension × criterion
    "jsr_assessment": {
        "round_id": "string",
        "country": "string",
        "year": "Int64",
        "wave": "string",  # before / after the exchange
        "dimension": "string",
        "criterion": "string",  # missing for the dimension's overall ladder level
        "rating": "float64",  # ladder level (choices.yaml `ladder4`)
        "group": "string",  # participant / comparison (from the manifest)
    },
    # RF18: one row per country × year; one boolean column per dimension id is added
    # (named after dimensions.yaml ids), then n_met and meets (rule from config)
    "jsr_quality": {
        "round_id": "string",
        "country": "string",
        "year": "Int64",
        "group": "string",
        "n_met": "Int64",
        "meets": "boolean",
    },
    # PARTNER-style ties: ego respondent -> alter organisation (or person) per wave
    "ties": {
        "round_id": "string",
        "pid": "string",
        "wave": "string",
        "ego_organisation": "string",
        "ego_country": "string",
        "alter_organisation": "string",
        "alter_pid": "string",
        "alter_country": "string",
        "collaboration": "float64",  # 0 none … 3 formal partnership
        "trust_reliability": "float64",
        "trust_mission": "float64",
        "trust_openness": "float64",
        "value_influence": "float64",
        "value_involvement": "float64",
        "value_resources": "float64",
    },
    "tool_feedback": {
        "round_id": "string",
        "pid": "string",
        "tool": "string",
        "rating": "float64",
        "comment": "string",
    },
    # the round's data dictionary: one row per item of `responses` (a select_multiple
    # question once, its options being `<item_id>.<option>` in responses), with its wording
    # from the XLSForm (or the codebook, the standard questionnaire, the export's header)
    "items": {
        "round_id": "string",
        "instrument": "string",
        "item_id": "string",
        "type": "string",  # select_one, select_multiple, text, integer
        "form_type": "string",  # the XLSForm type as written (date, decimal, …), when from a form
        "list_name": "string",  # item_choices list of a select
        "outcome": "string",  # intermediate outcome tag, or missing (reported one by one)
        "standard": "boolean",  # an item of config/instruments.yaml
        "order": "Int64",  # position in the round's questionnaires (form order, then column order)
        "group_en": "string",  # the group (section) the question sits in, by language
        "group_fr": "string",
        "label_en": "string",  # the question as asked, by language (missing: the form lacks it)
        "label_fr": "string",
        "source_file": "string",  # the first export holding it
        "form": "string",  # the XLSForm it comes from
    },
    # the choice lists of those items, in the order the form lists them
    "item_choices": {
        "round_id": "string",
        "list_name": "string",
        "order": "Int64",  # position in the list as written
        "name": "string",  # the choice's code as exported (XML name), the option of item_id
        "value": "float64",  # what responses.value holds for it (missing: not a number)
        "label_en": "string",
        "label_fr": "string",
        "is_missing": "boolean",  # a "don't know"-like choice: stored as a missing answer
    },
}

# cleaning_log.csv: every change made between raw and processed, with where it was found
CLEANING_LOG_COLUMNS = [
    "round_id",
    "source_file",
    "row",
    "column",
    "action",  # rename, recode, missing_code, drop_duplicate, correction, unmapped_column,
    # unknown_code, pseudonymize, scrub, drop_empty, link
    "item_id",
    "old",
    "new",
    "detail",
]
# every column of the log is text but the row number
CLEANING_LOG_DTYPES = {column: "Int64" if column == "row" else "string" for column in CLEANING_LOG_COLUMNS}


def columns_of(table: str) -> list[str]:
    """Column names of a canonical table, in order."""
    return list(TABLES[table])


# --------------------------------------------------------------------------- tables in memory


def empty_table(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of a canonical table."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in TABLES[table].items()})


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=dtype) for c, dtype in CLEANING_LOG_DTYPES.items()})


@dataclass
class RoundData:
    """Every canonical table of one cleaned round, its cleaning log and its meta data."""

    round_id: str
    participants: pd.DataFrame = field(default_factory=lambda: empty_table("participants"))
    attendance: pd.DataFrame = field(default_factory=lambda: empty_table("attendance"))
    sessions: pd.DataFrame = field(default_factory=lambda: empty_table("sessions"))
    responses: pd.DataFrame = field(default_factory=lambda: empty_table("responses"))
    plan_actions: pd.DataFrame = field(default_factory=lambda: empty_table("plan_actions"))
    jsr_assessment: pd.DataFrame = field(default_factory=lambda: empty_table("jsr_assessment"))
    jsr_quality: pd.DataFrame = field(default_factory=lambda: empty_table("jsr_quality"))
    ties: pd.DataFrame = field(default_factory=lambda: empty_table("ties"))
    tool_feedback: pd.DataFrame = field(default_factory=lambda: empty_table("tool_feedback"))
    items: pd.DataFrame = field(default_factory=lambda: empty_table("items"))
    item_choices: pd.DataFrame = field(default_factory=lambda: empty_table("item_choices"))
    cleaning_log: pd.DataFrame = field(default_factory=_empty_log)
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def table(self, name: str) -> pd.DataFrame:
        """A canonical table by name."""
        if name not in TABLES:
            raise UsageError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)

    @property
    def session_feedback(self) -> pd.DataFrame:
        """``responses`` of the session feedback instrument."""
        return self.responses[self.responses["instrument"] == "session_feedback"].reset_index(drop=True)


def concat_rounds(rounds: list[RoundData], table: str) -> pd.DataFrame:
    """One canonical table of several rounds stacked (``round_id`` tells them apart).

    Columns beyond the contract (``jsr_quality`` dimension flags) are kept; a round that
    lacks one gets missing values.
    """
    if table not in TABLES and table != "cleaning_log":
        raise UsageError(f"no table {table!r}; tables: {', '.join(TABLES)}, cleaning_log")
    frames = [getattr(r, table) for r in rounds]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_table(table) if table in TABLES else _empty_log()
    return pd.concat(frames, ignore_index=True, sort=False)
