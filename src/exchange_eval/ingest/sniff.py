"""Find out what an export is and read it: `read_any` is what `read_export` calls.

Order: statistical files (.dta, .sav) and workbooks (.xlsx, .xls, .ods) by extension;
everything else as text (encoding, delimiter and records from `text`). The platform is
then recognised from the headers — the most specific signatures first (Qualtrics,
SurveyMonkey, LimeSurvey, ODK, Kobo, Microsoft Forms, Google Forms), a plain spreadsheet
otherwise — unless the manifest names it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.errors import DataError, ProblemCode
from . import (
    google_forms,
    kobo,
    limesurvey,
    ms_forms,
    odk,
    qualtrics,
    spreadsheet,
    surveymonkey,
)
from .common import Grid
from .platforms import PLATFORMS
from .stata_spss import SPSS_SUFFIXES, STATA_SUFFIXES, read_stats_file
from .table import RawTable
from .text import decode_text, parse_records, read_bytes, sniff_delimiter

__all__ = ["detect_platform", "read_any", "read_grid"]

# most specific first; spreadsheet is the fallback
_DETECTION_ORDER: list[tuple[str, Callable[[Grid], bool]]] = [
    ("qualtrics", qualtrics.detect),
    ("surveymonkey", surveymonkey.detect),
    ("limesurvey", limesurvey.detect),
    ("odk", odk.detect),
    ("kobo", kobo.detect),
    ("ms_forms", ms_forms.detect),
    ("google_forms", google_forms.detect),
]
_READERS: dict[str, Callable[[Grid], RawTable]] = {
    "kobo": kobo.read,
    "odk": odk.read,
    "surveymonkey": surveymonkey.read,
    "google_forms": google_forms.read,
    "ms_forms": ms_forms.read,
    "qualtrics": qualtrics.read,
    "limesurvey": limesurvey.read,
    "spreadsheet": spreadsheet.read,
}


def detect_platform(grid: Grid) -> str:
    """The platform whose header signature the grid matches, else ``spreadsheet``."""
    for name, matches in _DETECTION_ORDER:
        if matches(grid):
            return name
    return "spreadsheet"


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """The raw rows of a text export or of one workbook sheet."""
    if path.suffix.lower() in spreadsheet.WORKBOOK_SUFFIXES:
        return spreadsheet.read_workbook(path, sheet)
    data = read_bytes(path)
    text, encoding = decode_text(data, path)
    if not text.strip():
        raise DataError("the file holds only blank lines: no header, no data", file=path,
                        code=ProblemCode.EMPTY_FILE)
    delimiter = sniff_delimiter(text)
    records = parse_records(text, delimiter, path)
    return Grid(
        path=path,
        rows=[r.cells for r in records],
        lines=[r.line for r in records],
        encoding=encoding,
        delimiter=delimiter,
    )


def read_any(path: str | Path, platform: str | None = None, sheet: str | None = None) -> RawTable:
    """Read one export into a `RawTable`; ``platform`` (from the manifest) overrides sniffing."""
    path = Path(path)
    if platform is not None and platform not in PLATFORMS:
        raise DataError(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}", file=path,
                        code=ProblemCode.UNKNOWN_PLATFORM)
    suffix = path.suffix.lower()
    if suffix in STATA_SUFFIXES | SPSS_SUFFIXES:
        return read_stats_file(path, platform)
    if platform in ("stata", "spss"):
        raise DataError(
            f"the manifest says platform {platform!r} but this is not a .dta/.sav file", file=path,
            code=ProblemCode.WRONG_FORMAT,
        )
    grid = read_grid(path, sheet)
    if not grid.rows:
        raise DataError("no header row: the sheet is empty", file=path, code=ProblemCode.EMPTY_FILE)
    name = platform or detect_platform(grid)
    return _READERS[name](grid)
