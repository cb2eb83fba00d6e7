"""The results framework beside a report: ``results_framework.xlsx`` and ``.csv``.

A report notebook hands its results framework (translated headers, raw numbers) and its
headline to the publishing step as one output of MIME type
`core.exports.EXPORT_MIME`, which no HTML exporter shows. `notebook_exports`
finds it in the executed notebook, `strip_exports` removes it before the HTML export, and
`write_framework` writes the table as a spreadsheet and a CSV, every text cell
neutralised against formula injection (`core.safe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.atomic import atomic_path, write_csv_atomic
from ..core.exports import EXPORT_MIME
from ..core.safe import neutralize_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXPORT_MIME", "notebook_exports", "strip_exports", "framework_frame", "write_framework"]


def notebook_exports(nb: Any) -> dict[str, Any]:
    """The export payload of an executed notebook (``{}`` when it has none)."""
    for cell in getattr(nb, "cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if EXPORT_MIME in data:
                return dict(data[EXPORT_MIME])
    return {}


def strip_exports(nb: Any) -> Any:
    """``nb`` without the export outputs (they are data for the publishing step, not for the reader)."""
    for cell in getattr(nb, "cells", []):
        outputs = cell.get("outputs")
        if outputs:
            cell["outputs"] = [o for o in outputs if EXPORT_MIME not in (o.get("data") or {})]
    return nb


def framework_frame(payload: dict[str, Any]) -> pd.DataFrame:
    """The results-framework table of an export payload (empty without one)."""
    import pandas as pd  # on use: a build plans its reports without pandas

    table = payload.get("results_framework") or {}
    columns = list(table.get("columns") or [])
    if not columns:
        return pd.DataFrame()
    return pd.DataFrame(table.get("rows") or [], columns=columns)


def write_framework(frame: pd.DataFrame, xlsx_path: Path, csv_path: Path, *, sheet: str = "results_framework") -> list[Path]:
    """Write the results framework as ``.xlsx`` (one sheet, header row frozen, columns
    sized to their text) and ``.csv`` (UTF-8 with BOM), both atomically, text cells
    neutralised (`core.safe.neutralize_frame`)."""
    import pandas as pd  # on use, as above

    safe = neutralize_frame(frame)
    with atomic_path(xlsx_path) as temp, pd.ExcelWriter(temp, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        worksheet.freeze_panes = "A2"
        for i, column in enumerate(safe.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in safe[column].head(200) if v is not None])
            worksheet.column_dimensions[worksheet.cell(row=1, column=i).column_letter].width = min(60, width + 2)
    write_csv_atomic(csv_path, frame)
    return [Path(xlsx_path), Path(csv_path)]
