"""load_round / load_rounds / concat_rounds read the processed tables with the contract's dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from exchange_eval.clean.pipeline import clean_round
from exchange_eval.core.errors import UsageError
from exchange_eval.core.processed import load_round, load_rounds
from exchange_eval.core.tables import (
    CLEANING_LOG_COLUMNS,
    TABLES,
    RoundData,
    concat_rounds,
    empty_table,
)
from support import write_round  # noqa: F401


@pytest.fixture
def two_rounds(tmp_path):
    ws = write_round(tmp_path / "data", "r1")
    write_round(tmp_path / "data", "r2")
    return ws, clean_round(ws, "r1"), clean_round(ws, "r2")


def test_load_round_gives_every_table_with_contract_dtypes(two_rounds):
    ws, result, _ = two_rounds
    data = load_round(ws, "r1")
    assert isinstance(data, RoundData) and data.round_id == "r1"
    for table, columns in TABLES.items():
        df = getattr(data, table)
        assert list(df.columns)[: len(columns)] == list(columns) or table == "jsr_quality", table
        for column, dtype in columns.items():
            assert str(df[column].dtype) == dtype, (table, column, df[column].dtype)
    pd.testing.assert_frame_equal(data.responses, result.tables["responses"])
    pd.testing.assert_frame_equal(data.participants, result.tables["participants"])
    assert len(data.plan_actions) == 0 and list(data.plan_actions.columns) == list(TABLES["plan_actions"])
    assert list(data.cleaning_log.columns) == CLEANING_LOG_COLUMNS
    assert (data.cleaning_log["action"] == "drop_duplicate").sum() == 1
    assert data.meta["data_hash"] == result.meta["data_hash"]
    assert set(data.session_feedback["instrument"]) == {"session_feedback"}


def test_load_round_not_cleaned_is_a_usage_error(tmp_path):
    ws = write_round(tmp_path / "data", "r1")
    with pytest.raises(UsageError, match="round r1 is not cleaned yet: run exchange-eval clean r1"):
        load_round(ws, "r1")


def test_load_rounds_and_concat(two_rounds):
    ws, first, second = two_rounds
    rounds = load_rounds(ws)
    assert [r.round_id for r in rounds] == ["r1", "r2"]
    responses = concat_rounds(rounds, "responses")
    assert len(responses) == len(first.tables["responses"]) + len(second.tables["responses"])
    assert responses.groupby("round_id").size().to_dict() == {
        "r1": len(first.tables["responses"]), "r2": len(second.tables["responses"])}
    empty = concat_rounds(rounds, "ties")
    assert len(empty) == 0 and list(empty.columns) == list(TABLES["ties"])
    assert [r.round_id for r in load_rounds(ws, ["r2"])] == ["r2"]
    with pytest.raises(UsageError):
        concat_rounds(rounds, "nonsense")


def test_empty_table_has_contract_dtypes():
    df = empty_table("participants")
    assert df.dtypes.astype(str).to_dict() == TABLES["participants"]
