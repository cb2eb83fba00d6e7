"""``reports/index.html`` (English) and ``reports/index.<lang>.html`` (every other
language of the reports): every report found on disk, by round and across rounds, each
with its one-sentence verdict in the page's language.

Built from the ``*.json`` records that `report.publish_report` writes next to each
report, so it reflects what exists, whichever command built it; each report appears once,
with a column of links per language (HTML, PDF, Word, and the results framework as a
spreadsheet). Offline, like the reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.atomic import write_text_atomic
from ..core.paths import Workspace
from ..present.i18n import DEFAULT_LANGUAGE, available_languages, community_name, language_name, t
from .page import render_page, render_template
from .spec import FORMATS, KINDS, now_utc

__all__ = ["write_index", "index_file", "INDEX_FILE"]

INDEX_FILE = "index.html"
_LINKS = (*FORMATS, "framework_xlsx")


def index_file(lang: str) -> str:
    """``index.html`` in the default language, ``index.<lang>.html`` in another."""
    return INDEX_FILE if lang == DEFAULT_LANGUAGE else f"index.{lang}.html"


def _labels(lang: str, built_at: str) -> dict[str, str]:
    keys = ("title", "rounds", "across", "round", "report", "headline", "built", "rounds_col", "no_rounds",
            "no_programme")
    labels = {k: t(f"index.{k}", lang) for k in keys}
    labels["note"] = t("index.note", lang, version=__version__, built=built_at[:16].replace("T", " "))
    return labels


def write_index(ws: Workspace) -> Path:
    """Write ``reports/index.html`` and one index per other language of the reports:
    every report found on disk, with relative links and its headline. Returns the
    default-language index."""
    records = _records(ws)
    languages = sorted({r.get("lang", "") for r in records if r.get("lang")})
    pages = [lang for lang in available_languages() if lang == DEFAULT_LANGUAGE or lang in languages]
    built_at = now_utc().isoformat()
    for lang in pages:
        others = [(code, index_file(code), language_name(code, code)) for code in pages if code != lang]
        body = render_template(
            "index.html.j2",
            rounds=_grouped((r for r in records if r["kind"] == "round"), lang),
            programme=_grouped((r for r in records if r["kind"] != "round"), lang),
            languages=languages,
            fmt_names={f: t(f"index.format.{f}", lang) for f in _LINKS},
            others=others,
            L=_labels(lang, built_at),
        )
        page = render_page(body, title=t("index.title", lang), lang=lang,
                           running_header=f"exchange-eval · {t('index.title', lang)}")
        write_text_atomic(ws.reports_dir / index_file(lang), page)
    return ws.reports_dir / INDEX_FILE


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
            for fmt in _LINKS
            if fmt in files and (path.parent / files[fmt]).is_file()
        }
        if record["links"]:
            records.append(record)
    return records


def _grouped(records: Iterable[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """One entry per report (round, synthesis, review) with its language versions under
    ``versions`` (language -> links), described by the version in its default language;
    ``headline_text`` and ``title_text`` come from the version in ``lang`` when there is one."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_name.setdefault(str(record.get("name") or record["kind"]), []).append(record)
    grouped = []
    for name in sorted(by_name):
        versions = sorted(by_name[name], key=lambda r: (r.get("lang") != r.get("default_lang"), r.get("lang", "")))
        entry = dict(versions[0])
        entry["versions"] = {str(v.get("lang", "")): v["links"] for v in versions}
        entry["built_at"] = max(str(v.get("built_at") or "") for v in versions)
        mine = next((v for v in versions if v.get("lang") == lang), versions[0])
        entry["headline_text"] = mine.get("headline") or ""
        entry["title_text"] = mine.get("title") or entry.get("title")
        entry["community_name"] = community_name(entry["community"], lang) if entry.get("community") else ""
        entry["country_names"] = ", ".join(map(str, entry.get("countries") or []))
        grouped.append(entry)
    return grouped
