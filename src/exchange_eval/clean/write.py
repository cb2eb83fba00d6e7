"""Write stage: the canonical tables, the cleaning log and ``meta.json``, swapped in atomically.

`conform` gives a table the columns and dtypes of its contract (`exchange_eval.core.tables`);
`table_hash` is the data hash in ``meta.json`` (what the reports' provenance names), which
`exchange_eval.clean.pipeline.clean_round` computes in a thread while the tables are
validated (pyarrow and hashlib spend their time outside the GIL); `write_round` writes everything into a temporary folder beside
``data/processed/<round>/`` and swaps it in, so a failed clean leaves the previous
output untouched (what a killed clean leaves behind is undone by
`exchange_eval.core.atomic.recover_dir` before the next clean).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..core.atomic import atomic_dir, write_csv_atomic, write_text_atomic
from ..core.errors import DataError, Problem, ProblemCode
from ..core.fingerprint import input_fingerprint
from ..core.paths import Workspace
from ..core.tables import TABLES
from .manifest import Manifest
from .sources import SourceTable, source_key

__all__ = ["conform", "round_meta", "table_hash", "write_round"]


def conform(frame: pd.DataFrame | list[dict], table: str,
             extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Columns of the contract (plus ``extra``), in order, with the contract's dtypes."""
    columns = dict(TABLES[table])
    if extra:
        # extra columns go before the contract's trailing summary columns of jsr_quality
        ordered = {}
        for name, dtype in columns.items():
            if table == "jsr_quality" and name == "n_met":
                ordered.update(extra)
            ordered[name] = dtype
        columns = ordered
    df = pd.DataFrame(frame) if not isinstance(frame, pd.DataFrame) else frame.copy()
    out = pd.DataFrame(index=range(len(df)))
    df = df.reset_index(drop=True)
    for name, dtype in columns.items():
        series = df[name] if name in df.columns else pd.Series([None] * len(df), dtype="object")
        if dtype.startswith("datetime"):
            series = pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")
        elif dtype == "boolean":
            series = series.astype("object").where(series.notna(), None).astype("boolean")
        elif dtype == "Int64":
            series = pd.to_numeric(series, errors="coerce").astype("Int64")
        elif dtype == "float64":
            series = pd.to_numeric(series, errors="coerce").astype("float64")
        elif isinstance(series.dtype, pd.StringDtype) and dtype == "string":
            series = series.astype(dtype)  # text already: NaN -> NA without going through objects
        else:
            series = series.astype("object").where(series.notna(), None).astype(dtype)
        out[name] = series.values
    return out


_HASH_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def table_hash(tables: dict[str, pd.DataFrame]) -> str:
    """sha256 over every table in `tables.TABLES` order, serialised as CSV (stable across
    Parquet writer versions)."""
    digest = hashlib.sha256()
    for name in TABLES:
        df = tables.get(name)
        if df is None:
            continue
        digest.update(name.encode())
        digest.update(b"\n")
        if _csv_covered(df):
            for piece in _csv_pieces(df):
                digest.update(piece)
        else:
            digest.update(df.to_csv(index=False, date_format=_HASH_DATE_FORMAT).encode("utf-8"))
    return digest.hexdigest()


_CSV_CHUNK = 1 << 17  # rows serialised at a time: bounds the memory of a big table's hash


def _csv_covered(df: pd.DataFrame) -> bool:
    """Whether `_csv_pieces` writes ``df`` exactly as ``DataFrame.to_csv`` does."""
    names = [str(c) for c in df.columns]
    if len(names) < 2 or any(("," in n or '"' in n or "\n" in n or not n) for n in names):
        return False  # the csv module quotes a lone empty field; keep such cases on pandas
    for name in df.columns:
        dtype = df[name].dtype
        if dtype == "float64":
            numbers = df[name].to_numpy(dtype=np.float64)
            if ((numbers == 0) & np.signbit(numbers)).any():
                return False  # -0.0 and 0.0 are one distinct value but print apart
        elif not (isinstance(dtype, pd.StringDtype | pd.Int64Dtype | pd.BooleanDtype)
                  or dtype == "datetime64[ns]"):
            return False
    return True


def _csv_column(series: pd.Series) -> Any:
    """One column as `DataFrame.to_csv` writes it (quoted where the csv module quotes), as a
    pyarrow string array without nulls (dtypes of `_csv_covered`)."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        values = pc.fill_null(pa.array(series.array, type=pa.large_string(), from_pandas=True), "")
        distinct = pc.unique(values).to_pylist()
        if any(("," in v or '"' in v or "\n" in v) for v in distinct):
            quote = pc.match_substring_regex(values, '[,"\n]')
            mark, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
            quoted = pc.binary_join_element_wise(mark, pc.replace_substring(values, '"', '""'), mark, empty)
            values = pc.if_else(quote, quoted, values)
        return values
    # the other dtypes have few distinct values: format those as pandas does, then take;
    # none of their texts holds a comma, a quote or a line break
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if dtype == "float64":
        texts = np.asarray(uniques, dtype=np.float64).astype(str).tolist()
    elif dtype == "datetime64[ns]":
        texts = pd.DatetimeIndex(uniques).strftime(_HASH_DATE_FORMAT).tolist()
    else:
        texts = [str(v) for v in uniques.tolist()]
    lookup = pa.array([*texts, ""], type=pa.large_string())
    return lookup.take(pa.array(np.where(codes < 0, len(texts), codes)))


def _csv_pieces(df: pd.DataFrame) -> Iterator[bytes | memoryview]:
    """``df.to_csv(index=False, date_format=_HASH_DATE_FORMAT).encode()`` in pieces, built
    with pyarrow a chunk of rows at a time (the csv writer takes seconds for a million
    rows); only for frames `_csv_covered` accepts."""
    yield (",".join(str(c) for c in df.columns) + "\n").encode("utf-8")

    def text(value: str) -> Any:
        return pa.scalar(value, pa.large_string())

    for start in range(0, len(df), _CSV_CHUNK):
        part = df.iloc[start:start + _CSV_CHUNK]
        columns = [_csv_column(part[name]) for name in part.columns]
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*columns, text(",")), text(""),
                                            text("\n"))
        for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]):
            if len(chunk):
                offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
                begin, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
                yield memoryview(chunk.buffers()[2])[begin:end]


def round_meta(ws: Workspace, manifest: Manifest, tables: Mapping[str, pd.DataFrame],
               sources: Mapping[str, SourceTable], linkage: dict[str, int],
               problems: list[Problem], *, data_hash: str) -> dict[str, Any]:
    """The content of ``meta.json``: the manifest's description of the round, the platform
    each source was read as, the pre/post linkage, the number of warnings, the data hash
    (`table_hash` of ``tables``, computed by the caller), the package version, the input
    fingerprint and the time of cleaning."""
    def platform(source: Any) -> str | None:
        table = sources.get(source_key(source))
        return table.raw.platform if table is not None else source.platform

    return {
        "round_id": manifest.round_id,
        "title": manifest.title,
        "community": manifest.community,
        "language": manifest.language,
        "host": manifest.host,
        "countries": list(manifest.countries),
        "comparison": list(manifest.comparison),
        "year": manifest.year,
        "targets": dict(manifest.targets),
        "sessions": [{"id": s.id, "kind": s.kind, "date": s.date.isoformat() if s.date else None,
                      "title": s.title} for s in manifest.sessions],
        "sources": [{"file": s.file, "instrument": s.instrument, "wave": s.wave, "platform": platform(s),
                     "session": s.session} for s in manifest.sources],
        "linkage": linkage,
        "n_warnings": len(problems),
        "data_hash": data_hash,
        "package_version": __version__,
        "input_fingerprint": input_fingerprint(ws, manifest.round_id),
        "cleaned_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }


def write_round(final: Path, tables: Mapping[str, pd.DataFrame], log: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write one Parquet file per table, ``cleaning_log.csv`` and ``meta.json`` as the folder
    ``final``, atomically.

    The log is written in a thread while this one writes the Parquet files.

    Raises
    ------
    DataError
        When the folder cannot be written; the previous one is then left untouched.
    """
    try:
        with atomic_dir(final) as tmp, ThreadPoolExecutor(max_workers=1) as pool:
            logged = pool.submit(write_csv_atomic, tmp / "cleaning_log.csv", log)
            for name, df in tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
            logged.result()
            write_text_atomic(tmp / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise DataError(f"cannot write the processed round: {exc}", file=final,
                        code=ProblemCode.WRITE_FAILED) from None
