"""Read stage: every source of the manifest through `exchange_eval.ingest`, with its codebook.

`read_sources` reads the XLSForms the sources name (`read_forms`), loads each source's
codebook (the default one, overlaid by its form's questions, then by the round codebook)
and reads the export; a source whose codebook or file cannot be read, or that has no data
row, is reported and left out, and the other sources are still read. What comes back is
one `SourceTable` per source: the export as read, the codebook that maps it, and cached
views of its cells that the later stages share.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.errors import DataError, DataErrors, ProblemCode
from ..ingest import RawTable, read_export
from ..ingest.odk import is_repeat
from .cells import cell_text
from .codebook import Codebook
from .codebook_files import load_codebook
from .context import RoundContext
from .form_codebook import FormCodebook
from .forms import Form, read_form
from .manifest import CODEBOOK_NAMES, SURVEY_INSTRUMENTS, Source

__all__ = ["SourceTable", "check_source_size", "looks_like_xlsform", "read_forms", "read_sources",
           "source_key", "source_size_limit"]

_MB = 1024 * 1024


def source_size_limit(config: Config) -> int:
    """The largest export read, in bytes: ``limits.max_source_mb`` of settings.yaml."""
    try:
        return int(float(config.settings["limits"]["max_source_mb"]) * _MB)
    except (KeyError, TypeError, ValueError):
        raise DataError("limits.max_source_mb must be a number of megabytes", file="settings.yaml",
                        column="limits.max_source_mb", code=ProblemCode.CONFIG) from None


def check_source_size(path: Path, max_bytes: int) -> None:
    """Refuse an export larger than ``max_bytes`` before reading it.

    A workbook (xlsx, ods: a zip archive) counts by its uncompressed content, which is
    what its reader holds in memory; anything else by its size on disk.

    Raises
    ------
    DataError
        Code ``too_large``, naming the file, its size and the limit.
    """
    try:
        size = path.stat().st_size
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                size = max(size, sum(info.file_size for info in archive.infolist()))
    except (OSError, zipfile.BadZipFile):
        return  # the reader says what is wrong with it
    if size > max_bytes:
        raise DataError(
            f"the file holds {size / _MB:,.0f} MB, more than the limit of {max_bytes / _MB:,.0f} MB "
            "(limits.max_source_mb in settings.yaml): export only the rows and columns needed, or raise "
            "the limit in data/config/settings.yaml", file=path, code=ProblemCode.TOO_LARGE)


def source_key(source: Source) -> str:
    """A source's key: its file, and the sheet when a workbook gives several sources."""
    return f"{source.file}#{source.sheet or ''}"


@dataclass(eq=False)
class SourceTable:
    """One source as read: the manifest's entry, the export, its codebook.

    `records` and `factor` are computed once per table (row access by position is slow,
    and answers repeat, so work is done per distinct value).
    """

    source: Source
    raw: RawTable
    codebook: Codebook
    _records: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)
    _factors: dict[str, tuple[np.ndarray, list[Any], list[str | None]]] = field(
        default_factory=dict, init=False, repr=False)

    @property
    def file(self) -> str:
        return self.source.file

    @property
    def n_rows(self) -> int:
        return self.raw.n_rows

    @property
    def source_rows(self) -> list[int]:
        """The file line of each data row."""
        return self.raw.source_rows

    @property
    def columns(self) -> list[str]:
        return list(self.raw.frame.columns)

    def records(self) -> list[dict[str, Any]]:
        """The data rows as dicts (header -> raw cell)."""
        if self._records is None:
            self._records = self.raw.frame.astype(object).to_dict("records")
        return self._records

    def cell(self, index: int, column: str) -> str | None:
        """The stripped text of one cell (None when blank)."""
        return cell_text(self.records()[index][column])

    def getter(self, columns: dict[str, str], index: int) -> Callable[[str], str | None]:
        """``get(name)``: the cell of canonical column ``name`` in row ``index`` (None if absent)."""

        def get(name: str) -> str | None:
            return self.cell(index, columns[name]) if name in columns else None

        return get

    def factor(self, column: str) -> tuple[np.ndarray, list[Any], list[str | None]]:
        """Column ``column`` by distinct value: ``(codes, values, cells)``.

        ``values[codes[i]]`` is the raw cell of row ``i`` and ``cells[codes[i]]`` its
        stripped text (None when blank); the last distinct value stands for missing cells.
        Answers repeat a lot, so work done per distinct value is broadcast with ``codes``.
        """
        found = self._factors.get(column)
        if found is None:
            codes, uniques = pd.factorize(self.raw.frame[column], use_na_sentinel=True)
            values = [*uniques.tolist(), None] if len(uniques) else [None]
            codes = np.where(codes < 0, len(values) - 1, codes)
            found = (codes, values, [cell_text(v) for v in values])
            self._factors[column] = found
        return found


def read_forms(ctx: RoundContext) -> FormCodebook:
    """The XLSForms the sources name, read once each, as one `FormCodebook` (a form that
    cannot be read is reported; its sources are then matched without it)."""
    forms: dict[Path, Form] = {}
    for source in ctx.manifest.sources:
        if source.form is None or source.form in forms:
            continue
        try:
            form = read_form(source.form, config=ctx.config, language=source.language or ctx.manifest.language)
        except DataError as exc:
            ctx.problems.extend(exc.problems)
            continue
        for warning in form.warnings:
            ctx.problems.warn(form.file, f"pyxform: {warning}", code=ProblemCode.FORM)
        forms[source.form] = form
    ctx.forms = forms
    form_codebook = FormCodebook(list(forms.values()), load_codebook(None, config=ctx.config), ctx.config)
    return form_codebook


def _unused_files(ctx: RoundContext) -> None:
    """Warn about a conventional codebook, or a file that looks like an XLSForm, that sits
    in the round folder but that no source uses."""
    manifest = ctx.manifest
    used = {s.path.name for s in manifest.sources} | {s.form.name for s in manifest.sources if s.form}
    used |= {s.codebook.name for s in manifest.sources if s.codebook}
    for name in CODEBOOK_NAMES:
        path = manifest.folder / name
        if path.is_file() and name not in used:
            named = sorted({s.codebook.name for s in manifest.sources if s.codebook})
            ctx.problems.warn(name, "this round codebook is not used: every source names another codebook ("
                              + ", ".join(named) + "); name it as `codebook:` of the sources it maps",
                              code=ProblemCode.UNUSED_FILE)
    for path in sorted(manifest.folder.iterdir()):
        if path.name in used or path.suffix.lower() not in (".xlsx", ".xls") or not path.is_file():
            continue
        if looks_like_xlsform(path):
            ctx.problems.warn(path.name, "this looks like an XLSForm (it has a survey sheet) but no source names "
                              "it: add `form: " + path.name + "` to the sources exported from it",
                              code=ProblemCode.UNUSED_FILE)


def looks_like_xlsform(path: Path) -> bool:
    """Whether a workbook has the ``survey`` sheet of an XLSForm (sheet names only)."""
    try:
        if path.suffix.lower() == ".xlsx":
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True)
            names = workbook.sheetnames
            workbook.close()
        else:
            import xlrd

            names = xlrd.open_workbook(str(path), on_demand=True).sheet_names()
    except Exception:  # noqa: BLE001 - any unreadable workbook is simply not a form
        return False
    return "survey" in {n.strip().lower() for n in names}


def read_sources(ctx: RoundContext) -> tuple[dict[str, SourceTable], dict[Path | None, Codebook | None]]:
    """Read every source of the round's manifest.

    Returns
    -------
    tables : dict
        `source_key` -> `SourceTable`, for the sources read with at least one data row.
    codebooks : dict
        Codebook path (None: the default codebook, with the choice lists of every form of
        the round) -> `Codebook`, None when it could not be read.
    """
    form_codebook = read_forms(ctx)
    _unused_files(ctx)
    codebooks: dict[Path | None, Codebook | None] = {
        None: load_codebook(None, config=ctx.config, form_lists=form_codebook.lists)}
    by_source: dict[tuple, Codebook | None] = {}
    tables: dict[str, SourceTable] = {}
    max_bytes = source_size_limit(ctx.config)
    for source in ctx.manifest.sources:
        if source.codebook not in codebooks:
            try:
                codebooks[source.codebook] = load_codebook(source.codebook, config=ctx.config)
            except (DataError, DataErrors) as exc:
                ctx.problems.extend(exc.problems)
                codebooks[source.codebook] = None
        if codebooks[source.codebook] is None:
            continue
        form = ctx.forms.get(source.form) if source.form else None
        key = (source.codebook, source.form if form else None, source.instrument)
        if key not in by_source:
            entries = form_codebook.entries(form, source.instrument) if form is not None else []
            by_source[key] = load_codebook(source.codebook, config=ctx.config, form_entries=entries,
                                           form_lists=form_codebook.lists if form is not None else None)
        codebook = by_source[key]
        if codebook is None:
            continue
        try:
            check_source_size(source.path, max_bytes)
            raw = read_export(source.path, platform=source.platform, sheet=source.sheet)
        except (DataError, DataErrors) as exc:
            ctx.problems.extend(exc.problems)
            continue
        for message in raw.warnings:
            ctx.problems.warn(source.file, str(message), code=ProblemCode.READER_NOTE)
        if is_repeat(raw) and source.instrument in SURVEY_INSTRUMENTS:
            ctx.problems.add(source.file, "this is an ODK Central repeat file (one row per repeat entry, linked by "
                             "PARENT_KEY), not one row per respondent: list the form's main submissions file as "
                             "the source", code=ProblemCode.WRONG_FORMAT)
            continue
        if raw.n_rows == 0:
            ctx.problems.add(source.file, "the file has a header but no data rows (an export made before "
                             "anyone answered?): export it again, or remove it from round.yaml for now",
                             raw.header_line or None, code=ProblemCode.EMPTY_FILE)
            continue
        tables[source_key(source)] = SourceTable(source, raw, codebook)
    for form_path, row, message in form_codebook.notes:
        ctx.problems.warn(form_path.name, message, row, code=ProblemCode.FORM)
    ctx.form_codebook = form_codebook
    return tables, codebooks
