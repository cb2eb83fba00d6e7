"""Publish one report: execute its notebook, export HTML, PDF and Word, write the results
framework beside it and its record.

`publish_report` chains `execute.run_notebook`, `export.html_page`, `export.export_pdf`
and `docx.export_docx` for one `spec.ReportSpec`, handing the executed notebook and its
page from one step to the next in memory, and writes the results framework the notebook
handed over (`workbook`) as ``results_framework.xlsx`` and ``.csv``. Every output is
staged under a hidden temporary name and swapped in only when every step succeeded, so a
failing report leaves the previous good files in place.

Provenance is computed once, before the notebook runs: the notebook receives it as its
``provenance`` parameter (for the line it shows), and the same value goes into the page's
``<meta>`` tags, its running header and the JSON record that `index.write_index` reads.

Deciding *whether* to publish (are the processed data current? is the report up to
date?) is the build's job (`exchange_eval.build`); this module never cleans.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.atomic import write_text_atomic
from ..core.lifecycle import swap_guard
from ..core.paths import Workspace
from ..present.i18n import t
from .docx import export_docx
from .execute import run_notebook
from .export import export_pdf, html_page
from .spec import FORMATS, PROVENANCE_PARAMETER, ReportSpec, check_formats, provenance
from .staging import discard, staging_path
from .workbook import framework_frame, notebook_exports, write_framework

__all__ = ["publish_report", "report_record", "provenance"]


def publish_report(
    ws: Workspace,
    spec: ReportSpec,
    formats: str | Iterable[str] = FORMATS,
    *,
    timeout: int = 600,
    timings: dict[str, float] | None = None,
    zygote: Any = None,
) -> list[Path]:
    """Execute ``spec``'s notebook and export it; swap every output in only when all succeeded.

    Parameters
    ----------
    ws : Workspace
    spec : ReportSpec
        The report (notebook, parameters, file names).
    formats : str or iterable of str
        ``html``, ``pdf``, ``docx`` (see `spec.check_formats`). The executed ``.ipynb`` is
        always kept (it is the source of the HTML); HTML is made when any format is asked
        for (the PDF and the Word file are made from it) and kept only when asked for.
    timeout : int
        Seconds allowed per notebook cell.
    timings : dict, optional
        Filled with the seconds spent in each step (``execute``, ``html``, ``pdf``, ``docx``).
    zygote : KernelZygote, optional
        Fork the notebook's kernel from it (`exchange_eval.publish.kernel`).

    Returns
    -------
    list of Path
        The files written: ``.ipynb`` first, then the asked formats, the results framework
        (``.xlsx``, ``.csv``) when the report has one, then the ``.json`` record.

    Raises
    ------
    ReportError
        When the notebook fails, or the page cannot be exported.
    DataError
        When a round the report reads has not been cleaned.
    """
    formats = check_formats(formats)
    timings = timings if timings is not None else {}
    clock = time.perf_counter()
    folder = spec.folder(ws)
    folder.mkdir(parents=True, exist_ok=True)
    finals = {ext: spec.path(ws, ext) for ext in ("ipynb", "html", "pdf", "docx", "json")}
    finals.update({f"framework_{ext}": spec.framework_path(ws, ext) for ext in ("xlsx", "csv")})
    prov = spec.provenance(ws)
    temps: dict[str, Path] = {}
    try:
        temps["ipynb"] = staging_path(finals["ipynb"], ".ipynb")
        executed = run_notebook(
            spec.notebook,
            temps["ipynb"],
            {**spec.parameters, PROVENANCE_PARAMETER: prov},
            cwd=folder,
            timeout=timeout,
            failed_path=finals["ipynb"].with_suffix(".failed.ipynb"),
            zygote=zygote,
        )
        timings["execute"] = time.perf_counter() - clock
        payload = notebook_exports(executed)  # before the page: html_page strips the exports
        framework = framework_frame(payload)
        page = None
        if "html" in formats or "pdf" in formats or "docx" in formats:
            # the executed notebook and its page stay in memory: nothing is read back
            page = html_page(
                executed,
                title=spec.title,
                lang=spec.lang,
                running_header=" · ".join([spec.name if spec.kind == "round" else t(f"{spec.kind}.kicker", spec.lang),
                                           prov["built_at"][:10], spec.lang.upper()]),
                meta={"data-hash": prov["data_hash"], "built-at": prov["built_at"]},
                source=spec.notebook,
            )
            temps["html"] = staging_path(finals["html"], ".html")
            write_text_atomic(temps["html"], page)
            timings["html"] = time.perf_counter() - clock - timings["execute"]
        if "pdf" in formats:
            temps["pdf"] = staging_path(finals["pdf"], ".pdf")
            export_pdf(temps["html"], temps["pdf"], page=page)
            timings["pdf"] = time.perf_counter() - clock - timings["execute"] - timings["html"]
        if "docx" in formats:
            started = time.perf_counter()
            temps["docx"] = staging_path(finals["docx"], ".docx")
            export_docx(temps["html"], temps["docx"], title=spec.title, lang=spec.lang)
            timings["docx"] = time.perf_counter() - started
        written_formats = [f for f in FORMATS if f in formats]
        extras = []
        if not framework.empty:
            temps["framework_xlsx"] = staging_path(finals["framework_xlsx"], ".xlsx")
            temps["framework_csv"] = staging_path(finals["framework_csv"], ".csv")
            write_framework(framework, temps["framework_xlsx"], temps["framework_csv"])
            extras = ["framework_xlsx", "framework_csv"]
        files = {ext: finals[ext].name for ext in ["ipynb", *written_formats, *extras]}
        record = report_record(spec, prov, files, headline=str(payload.get("headline") or ""))
        written = []
        with swap_guard():  # a worker whose build died never leaves a report half swapped
            temps["json"] = staging_path(finals["json"], ".json")
            temps["json"].write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
            for ext in ["ipynb", *written_formats, *extras, "json"]:
                os.replace(temps.pop(ext), finals[ext])
                written.append(finals[ext])
        return written
    finally:
        discard(temps.values())


def report_record(spec: ReportSpec, prov: dict[str, Any], files: dict[str, str], *,
                  headline: str = "") -> dict[str, Any]:
    """The JSON record written next to a report (what the index lists).

    ``files`` maps ``ipynb``, each exported format and ``framework_xlsx`` /
    ``framework_csv`` (the results framework) to its file name in the report's folder;
    ``formats`` lists the exported formats; ``headline`` is the report's one-sentence
    verdict, in its language.
    """
    return {
        "kind": spec.kind,
        "name": spec.name,
        "title": spec.title,
        "lang": spec.lang,
        "default_lang": spec.default_lang,
        "built_at": prov["built_at"],
        "data_hash": prov["data_hash"],
        "formats": [f for f in files if f in FORMATS],
        "headline": headline,
        "files": dict(files),
        "rounds": list(prov["rounds"]),
        "provenance": prov,
        **spec.info,
    }
