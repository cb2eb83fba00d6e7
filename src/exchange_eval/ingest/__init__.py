"""Read any export evaluators receive into a `RawTable`: text cells, one header row.

Entry point: `read_export(path, platform=None, sheet=None)`. The platform, encoding,
delimiter and header rows are sniffed from the file itself unless given. Readers never
write; they raise `DataError` naming file, row and column for anything they cannot read.
"""

from __future__ import annotations

from pathlib import Path

from .sniff import read_any
from .table import RawTable

__all__ = ["RawTable", "read_export"]


def read_export(path: str | Path, platform: str | None = None, sheet: str | None = None) -> RawTable:
    """Read one export file; see module docstring."""
    return read_any(Path(path), platform=platform, sheet=sheet)
