"""`inspect_file`: what a user (or ``exchange-eval inspect``) needs to know about an export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .sniff import read_any

__all__ = ["INSPECT_KEYS", "inspect_file"]

INSPECT_KEYS = ("platform", "encoding", "delimiter", "header_rows", "n_rows", "n_columns", "columns")


def inspect_file(path: str | Path, platform: str | None = None) -> dict[str, Any]:
    """Describe one export.

    Returns a dict with exactly the keys ``platform``, ``encoding`` (``None`` for
    workbooks and Stata/SPSS), ``delimiter`` (``None`` likewise), ``header_rows``,
    ``n_rows`` (data rows), ``n_columns`` and ``columns`` — a list of ``{"name", "type"}``
    with type one of text, integer, number, date, choice, empty. Raises `DataError` for
    files that cannot be read.
    """
    table = read_any(Path(path), platform=platform)
    return {
        "platform": table.platform,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "header_rows": table.header_rows,
        "n_rows": table.n_rows,
        "n_columns": len(table.frame.columns),
        "columns": [{"name": name, "type": table.column_types.get(name, "text")} for name in table.frame.columns],
    }
