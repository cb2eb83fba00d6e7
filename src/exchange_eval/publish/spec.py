"""What a report is: its notebook, parameters, file names, languages and provenance.

A `ReportSpec` names one report to publish: the round report of a round
(`round_spec`), the cross-round synthesis (`synthesis_spec`) or the review of the
feedback instruments (`review_spec`), in one language.

File names: a report in its default language is ``<stem>.{ipynb,html,pdf}`` (the round's
language for a round report, English for the synthesis and the review); another language
adds the language code: ``<stem>.<lang>.html`` (`report_stem`). Next to each report,
``<stem>[.<lang>].json`` records title, language, build date, data hash, formats and
provenance.

`provenance` says what a report was built from (data hash, package version, date); it
is computed once per report by `exchange_eval.publish.report.publish_report`, which passes
it to the notebook as the ``provenance`` parameter and writes the same value into the
page's ``<meta>`` tags and the JSON record.

This module only reads ``data/processed/<round>/meta.json`` and imports nothing heavy:
the build plans every report with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.errors import DataError, UsageError
from ..core.paths import Workspace
from ..present.i18n import DEFAULT_LANGUAGE, available_languages, t

__all__ = [
    "FORMATS",
    "FRAMEWORK_STEM",
    "KINDS",
    "PROVENANCE_PARAMETER",
    "RESULTS_CACHE_PARAMETER",
    "ReportSpec",
    "check_formats",
    "check_language",
    "default_formats",
    "now_utc",
    "provenance",
    "report_languages",
    "report_stem",
    "review_spec",
    "round_language",
    "round_meta",
    "round_spec",
    "synthesis_spec",
    "with_results_cache",
]

# formats a report can be exported to; the executed .ipynb and the .json record are always written
# (and the results framework as .xlsx and .csv, when the report has one)
FORMATS = ("html", "pdf", "docx")
# the stem of the results-framework files beside a report
FRAMEWORK_STEM = "results_framework"
KINDS = ("round", "synthesis", "review")
# the notebook parameter carrying `provenance` (see publish_report)
PROVENANCE_PARAMETER = "provenance"
# the notebook parameter naming the build's shared results (`with_results_cache`)
RESULTS_CACHE_PARAMETER = "results_cache"
# the reports whose notebooks read and write the shared results
RESULTS_CACHE_KINDS = ("round", "synthesis", "review")


# --------------------------------------------------------------------------- formats, languages


def check_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """The export formats asked for, validated, in the order given, without repeats.

    ``formats`` is a comma-separated text (``"html,pdf"``, as typed after ``--format``) or a
    sequence of names; case and spaces do not matter. ``ipynb`` is accepted and dropped:
    the executed notebook is always written, so ``("ipynb",)`` or ``()`` publish it alone.

    Raises
    ------
    UsageError
        For an unknown format, or a text naming none.

    Examples
    --------
    >>> check_formats("HTML, pdf,html")
    ('html', 'pdf')
    >>> check_formats("docx")
    ('docx',)
    >>> check_formats(["ipynb"])
    ()
    """
    text = formats if isinstance(formats, str) else ",".join(formats)
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in (*FORMATS, "ipynb")]
    if unknown or (isinstance(formats, str) and not chosen):
        raise UsageError(f"report formats are html, pdf, docx, ipynb or a comma-separated list (html,pdf,docx), "
                         f"not {text!r}")
    return tuple(f for f in chosen if f != "ipynb")


def default_formats(ws: Workspace) -> tuple[str, ...]:
    """The formats a report is built in when none is asked for: the data folder's setting
    ``reports.default_formats`` (every format of `FORMATS` when absent)."""
    configured = (ws.config.settings.get("reports") or {}).get("default_formats")
    return check_formats(list(configured)) if configured else FORMATS


def check_language(lang: str | None) -> str | None:
    """``lang`` when reports can be written in it (it has a translation table); None stays None.

    Raises
    ------
    UsageError
        When no translation table exists for ``lang``.
    """
    if lang is None:
        return None
    if lang not in available_languages():
        raise UsageError(f"report language {lang!r} has no translation table; available: {', '.join(available_languages())}")
    return lang


def round_language(ws: Workspace, round_id: str) -> str | None:
    """The language of a cleaned round (its manifest's, kept in ``meta.json``); None before cleaning."""
    try:
        meta = round_meta(ws, round_id)
    except DataError:
        return None
    return _language_of(meta)


def _language_of(meta: dict[str, Any]) -> str | None:
    lang = meta.get("language") if isinstance(meta, dict) else None
    return str(lang) if lang else None


def report_languages(ws: Workspace, lang: str | None = None, languages: Sequence[str] | None = None) -> tuple[str, ...]:
    """The languages a build writes reports in, besides each round's own.

    ``lang`` alone when given; else ``languages``; else the data folder's setting
    ``reports.languages`` (English when the setting is absent). An empty list means each
    round report in its round's language only, the synthesis and the review in English.
    """
    if lang is not None:
        return (lang,)
    if languages is None:
        languages = (ws.config.settings.get("reports") or {}).get("languages")
        if languages is None:
            languages = [DEFAULT_LANGUAGE]
    return tuple(dict.fromkeys(str(x) for x in languages))


# --------------------------------------------------------------------------- provenance


def now_utc() -> dt.datetime:
    """This second in UTC (reports and the index carry it as their build date)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def round_meta(ws: Workspace, round_id: str) -> dict[str, Any]:
    """The processed round's ``meta.json`` (written by cleaning), or `DataError` if absent."""
    path = ws.processed_round(round_id) / "meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"round {round_id!r} has not been cleaned yet (run `exchange-eval clean {round_id}`)", file=path) from None
    except (OSError, ValueError) as exc:
        raise DataError(f"unreadable meta.json: {exc}", file=path) from None


def provenance(ws: Workspace, round_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """What a report was built from: data hash of the processed inputs, package version, date.

    Parameters
    ----------
    ws : Workspace
    round_ids : sequence of str, optional
        The rounds the report reads (default: every cleaned round).

    Returns
    -------
    dict
        ``data_hash`` (sha256 over the rounds' ``meta.json`` data hashes, in round order;
        equal to the round's own data hash for a one-round report), ``rounds``
        (round id → data hash), ``package_version``, ``python``, ``built_at`` (UTC, ISO 8601).
    """
    if round_ids is None:
        processed = ws.processed_dir
        round_ids = sorted(p.parent.name for p in processed.glob("*/meta.json")) if processed.is_dir() else []
    hashes = {rid: str(round_meta(ws, rid).get("data_hash", "")) for rid in round_ids}
    if len(hashes) == 1:
        combined = next(iter(hashes.values()))
    else:
        digest = hashlib.sha256()
        for rid in sorted(hashes):
            digest.update(f"{rid}={hashes[rid]}\n".encode())
        combined = digest.hexdigest()
    return {
        "data_hash": combined,
        "rounds": hashes,
        "package_version": __version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "built_at": now_utc().isoformat(),
    }


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class ReportSpec:
    """One report to build: which notebook, with which parameters, into which files."""

    kind: str  # round, synthesis, review
    name: str  # folder under reports/: the round id, "synthesis" or "review"
    notebook: Path
    stem: str  # round_report, synthesis_report, feedback_review
    lang: str
    default_lang: str
    parameters: dict[str, Any]
    title: str
    round_ids: tuple[str, ...]  # the rounds it reads; empty: every cleaned round
    info: dict[str, Any]  # shown in the index: community, countries, …

    def folder(self, ws: Workspace) -> Path:
        """``reports/<name>/``."""
        return ws.reports_dir / self.name

    def path(self, ws: Workspace, ext: str) -> Path:
        """The report's file with extension ``ext`` (``ipynb``, ``html``, ``pdf``, ``json``)."""
        return self.folder(ws) / f"{report_stem(self.stem, self.lang, self.default_lang)}.{ext}"

    def framework_path(self, ws: Workspace, ext: str) -> Path:
        """The results framework beside the report: ``results_framework[.<lang>].<ext>``."""
        return self.folder(ws) / f"{report_stem(FRAMEWORK_STEM, self.lang, self.default_lang)}.{ext}"

    def provenance(self, ws: Workspace) -> dict[str, Any]:
        """`provenance` of the rounds this report reads, now."""
        return provenance(ws, self.round_ids or None)


def report_stem(stem: str, lang: str, default_lang: str) -> str:
    """``stem`` in the default language, ``stem.<lang>`` in another one."""
    return stem if lang == default_lang else f"{stem}.{lang}"


def round_spec(ws: Workspace, round_id: str, lang: str | None = None) -> ReportSpec:
    """The round report of ``round_id`` in ``lang`` (default: the round's language).

    Raises
    ------
    DataError
        When the round has not been cleaned (title, countries and language come from its
        ``meta.json``).
    """
    meta = round_meta(ws, round_id)
    default = _language_of(meta) or DEFAULT_LANGUAGE
    lang = lang or default
    return ReportSpec(
        kind="round",
        name=round_id,
        notebook=ws.notebooks_dir / "round_report.ipynb",
        stem="round_report",
        lang=lang,
        default_lang=default,
        parameters={
            "round_id": round_id,
            "lang": lang,
            "data_dir": str(ws.data_dir),
            "reports_dir": str(ws.reports_dir),
        },
        title=str(meta.get("title") or round_id),
        round_ids=(round_id,),
        info={
            "community": meta.get("community"),
            "countries": list(meta.get("countries") or []),
            "host": meta.get("host"),
        },
    )


def _programme_spec(
    ws: Workspace, kind: str, stem: str, lang: str, rounds: Sequence[str] | None
) -> ReportSpec:
    return ReportSpec(
        kind=kind,
        name=kind,
        notebook=ws.notebooks_dir / f"{stem}.ipynb",
        stem=stem,
        lang=lang,
        default_lang=DEFAULT_LANGUAGE,
        parameters={
            "rounds": list(rounds) if rounds is not None else None,
            "lang": lang,
            "data_dir": str(ws.data_dir),
            "reports_dir": str(ws.reports_dir),
        },
        title=t(f"{kind}.title", lang),
        round_ids=tuple(rounds) if rounds is not None else (),
        info={},
    )


def with_results_cache(spec: ReportSpec, salt: str) -> ReportSpec:
    """``spec`` sharing its results with the other reports of a build (round reports, the
    synthesis and the review, `exchange_eval.present.results_cache`); ``salt`` fingerprints the code
    and configuration the results depend on. Other reports, and any without a ``salt``, are
    returned as they are."""
    if spec.kind not in RESULTS_CACHE_KINDS or not salt:
        return spec
    return replace(spec, parameters={**spec.parameters, RESULTS_CACHE_PARAMETER: salt})


def synthesis_spec(ws: Workspace, lang: str | None = None, rounds: Sequence[str] | None = None) -> ReportSpec:
    """The cross-round synthesis in ``lang`` (default English) over ``rounds`` (None: every cleaned round)."""
    return _programme_spec(ws, "synthesis", "synthesis_report", lang or DEFAULT_LANGUAGE, rounds)


def review_spec(ws: Workspace, lang: str | None = None, rounds: Sequence[str] | None = None) -> ReportSpec:
    """The review of the feedback instruments in ``lang`` (default English) over ``rounds``
    (None: every cleaned round)."""
    return _programme_spec(ws, "review", "feedback_review", lang or DEFAULT_LANGUAGE, rounds)
