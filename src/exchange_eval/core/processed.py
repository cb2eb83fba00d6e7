"""Read cleaned rounds back: ``data/processed/<round>/*.parquet`` → `core.tables.RoundData`.

The analysis layer and the report notebooks read processed data only through here, so
every table arrives with the columns and dtypes of `tables.TABLES` — also when a round
has none of it (an empty DataFrame with the right columns).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pandas as pd

from .errors import DataError, ProblemCode, UsageError
from .paths import Workspace
from .tables import CLEANING_LOG_COLUMNS, CLEANING_LOG_DTYPES, TABLES, RoundData, empty_table

__all__ = ["load_round", "load_rounds"]


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    if not path.is_file():
        return empty_table(name)
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the processed table: {exc}", file=path, code=ProblemCode.UNREADABLE) from None
    for column, dtype in TABLES[name].items():
        if column not in df.columns:
            df[column] = pd.Series([pd.NA] * len(df), dtype=dtype)
        elif str(df[column].dtype) != dtype:
            with contextlib.suppress(TypeError, ValueError):
                df[column] = df[column].astype(dtype)
    extra = [c for c in df.columns if c not in TABLES[name]]
    return df[list(TABLES[name]) + extra] if name != "jsr_quality" else df


def load_round(ws: Workspace, round_id: str) -> RoundData:
    """Read one cleaned round.

    Raises
    ------
    UsageError
        ``round X is not cleaned yet: run exchange-eval clean X`` when the processed
        folder has no ``meta.json``.
    """
    folder = ws.processed_round(round_id)
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise UsageError(f"round {round_id} is not cleaned yet: run exchange-eval clean {round_id}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read meta.json: {exc}", file=meta_path, code=ProblemCode.UNREADABLE) from None
    data = RoundData(round_id=round_id, meta=meta, path=folder)
    for name in TABLES:
        setattr(data, name, _read_table(folder, name))
    log_path = folder / "cleaning_log.csv"
    if log_path.is_file():
        log = pd.read_csv(log_path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                          na_values=[""])
        for column in CLEANING_LOG_COLUMNS:
            if column not in log.columns:
                log[column] = pd.NA
        log = log[CLEANING_LOG_COLUMNS]
        data.cleaning_log = log.astype(CLEANING_LOG_DTYPES)
    return data


def load_rounds(ws: Workspace, round_ids: list[str] | None = None) -> list[RoundData]:
    """Several cleaned rounds; by default every round that has been cleaned, sorted by id."""
    if round_ids is None:
        processed = ws.processed_dir
        round_ids = sorted(
            p.name for p in processed.iterdir() if p.is_dir() and (p / "meta.json").is_file()
        ) if processed.is_dir() else []
    return [load_round(ws, rid) for rid in round_ids]
