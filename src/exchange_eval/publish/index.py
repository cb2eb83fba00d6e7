"""``reports/index.html``: every report found on disk, by round and across rounds.

Built from the ``*.json`` records that `report.publish_report` writes next to each
report, so it reflects what exists, whichever command built it; each report appears once,
with a column of links per language. Offline, like the reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.atomic import write_text_atomic
from ..core.paths import Workspace
from .page import render_page, render_template
from .spec import FORMATS, KINDS, now_utc

__all__ = ["write_index", "INDEX_FILE"]

INDEX_FILE = "index.html"


def write_index(ws: Workspace) -> Path:
    """Write ``reports/index.html``: every report found on disk, with relative links."""
    records = _records(ws)
    body = render_template(
        "index.html.j2",
        rounds=_grouped(r for r in records if r["kind"] == "round"),
        programme=_grouped(r for r in records if r["kind"] != "round"),
        languages=sorted({r.get("lang", "") for r in records}),
        built_at=now_utc().isoformat(),
        version=__version__,
    )
    page = render_page(body, title="exchange-eval reports", lang="en", running_header="exchange-eval · reports")
    return write_text_atomic(ws.reports_dir / INDEX_FILE, page)


def _records(ws: Workspace) -> list[dict[str, Any]]:
    """The reports' JSON records, each with ``links`` to the files still on disk."""
    records: list[dict[str, Any]] = []
    if not ws.reports_dir.is_dir():
        return records
    for path in sorted(ws.reports_dir.glob("*/*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or record.get("kind") not in KINDS:
            continue
        files = record.get("files") or {}
        # only link what is still there
        record["links"] = {
            fmt: f"{path.parent.name}/{files[fmt]}"
            for fmt in FORMATS
            if fmt in files and (path.parent / files[fmt]).is_file()
        }
        if record["links"]:
            records.append(record)
    return records


def _grouped(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per report (round, synthesis, review) with its language versions under
    ``versions`` (language -> links), described by the version in its default language."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_name.setdefault(str(record.get("name") or record["kind"]), []).append(record)
    grouped = []
    for name in sorted(by_name):
        versions = sorted(by_name[name], key=lambda r: (r.get("lang") != r.get("default_lang"), r.get("lang", "")))
        entry = dict(versions[0])
        entry["versions"] = {str(v.get("lang", "")): v["links"] for v in versions}
        entry["built_at"] = max(str(v.get("built_at") or "") for v in versions)
        grouped.append(entry)
    return grouped
