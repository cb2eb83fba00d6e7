"""The shared text layer: bytes → text → records, for every CSV-like export.

Encoding, in this order (the first that fits wins):

1. a UTF-16 BOM (Excel's "Unicode text") → ``utf-16``; an Office/zip/PDF signature →
   `DataError` (a binary file renamed .csv); NUL bytes → UTF-16 without its BOM
   (``utf-16-le``/``utf-16-be``) when every other byte is zero, else `DataError`;
2. UTF-8, strictly, with BOM (``utf-8-sig``) or without (``utf-8``) — what survey
   platforms write;
3. line by line: UTF-8 where a line is UTF-8, else Windows-1252 — what a French Excel
   writes ("CSV (séparateur : point-virgule)"); ``cp1252``, or ``utf-8+cp1252`` when
   lines pasted from a cp1252 file sit in a UTF-8 one. Refused when cp1252 yields
   characters that hint at another code page or another alphabet;
4. the Western code page (cp1252, cp850, Mac Roman) whose text reads most like French;
5. charset-normalizer, only now, because on short French files it guesses code pages
   such as mac_latin2 or cp1250 that turn "é" into "ť".

Delimiter: `;`, `,` or tab (see `sniff_delimiter`). Records come from the `csv` module
(quoting, doubled quotes, answers spanning several lines); each record carries the
1-based line where it starts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import DataError, ProblemCode

__all__ = [
    "Record",
    "read_bytes",
    "decode_text",
    "sniff_delimiter",
    "parse_records",
    "DELIMITERS",
]

DELIMITERS = (";", ",", "\t")

# long free-text answers can exceed the csv module's default 128 KiB field limit
csv.field_size_limit(max(csv.field_size_limit(), 2**28))

# cp1252 characters that almost never occur in survey text: seeing them means the bytes
# are probably in another encoding (Mac Roman, cp850, …)
_IMPLAUSIBLE_CP1252 = set("‚„ƒ†‡ˆ‰Š‹ŒŽ˜š›žŸ¤¦¨¯¸¹º¾¼½")
_MAGIC = {
    b"PK\x03\x04": "a zip archive (an .xlsx or .ods workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


@dataclass(frozen=True)
class Record:
    """One parsed record: the line it starts on (1-based) and its raw fields."""

    line: int
    cells: list[str]


def read_bytes(path: Path) -> bytes:
    """Return the bytes of ``path``; `DataError` if it is missing, not a file or empty."""
    if not path.exists():
        raise DataError("file not found", file=path, code=ProblemCode.FILE_NOT_FOUND)
    if not path.is_file():
        raise DataError("not a file (a folder?)", file=path, code=ProblemCode.FILE_NOT_FOUND)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", file=path, code=ProblemCode.UNREADABLE) from None
    if not data:
        raise DataError("the file is empty (0 bytes)", file=path, code=ProblemCode.EMPTY_FILE)
    return data


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode export bytes; return ``(text, encoding)``.

    ``encoding`` is ``utf-8-sig`` (UTF-8 with BOM), ``utf-8``, ``utf-16``, ``cp1252`` or
    what charset-normalizer found. Binary content (NUL bytes, an Office/zip/PDF
    signature) raises `DataError`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DataError("starts with a UTF-16 mark but cannot be decoded as UTF-16", file=path,
                            code=ProblemCode.BAD_ENCODING) from None
    kind = _binary_kind(data)
    if kind is not None:
        raise DataError(
            f"this is not a text/CSV file but {kind}; rename it with its real extension",
            file=path,
            code=ProblemCode.WRONG_FORMAT,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        bomless = _utf16_without_bom(data)
        if bomless is not None:
            return bomless
        raise DataError(
            f"this is a binary file, not a CSV (NUL byte at offset {nul}); was another file renamed?",
            file=path,
            code=ProblemCode.WRONG_FORMAT,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DataError(
                f"starts with a UTF-8 mark but byte {exc.start + 3} is not UTF-8", file=path,
                code=ProblemCode.BAD_ENCODING,
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _line_by_line(data)
    if mixed is not None:
        return mixed
    western = _western_guess(data)
    if western is not None:
        return western
    guess = _charset_guess(data)
    if guess is not None:
        return guess
    raise DataError("cannot tell the text encoding of this file (is it binary?)", file=path,
                    code=ProblemCode.BAD_ENCODING)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text that lost its byte-order mark (some "Unicode text" exports), else None.

    Recognised when, in the first 4 KiB, the zero bytes sit (almost) only at odd offsets
    (little-endian) or only at even ones (big-endian) — what mostly-Latin text looks like
    in UTF-16 — and the whole file decodes without control characters.
    """
    head = data[:4096]
    if len(data) % 2 or len(head) < 4:
        return None
    even_zero = head[0::2].count(0) / (len(head) // 2)
    odd_zero = head[1::2].count(0) / (len(head) // 2)
    for encoding, zeros, other in (("utf-16-le", odd_zero, even_zero), ("utf-16-be", even_zero, odd_zero)):
        if zeros >= 0.7 and other <= 0.01:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
                return None
            return text, encoding
    return None


_LOWER = set("àâäçéèêëîïôöùûüÿœæáíóúñãõ")
_UPPER = set("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆÁÍÓÚÑÃÕ")
_PUNCTUATION = set("«»’‘“”–—€°")


def _plausibility(text: str) -> int:
    """How much ``text`` looks like Western European (French, Portuguese, …) survey text."""
    score = 0
    previous = ""
    for ch in text:
        if ch.isascii():
            pass
        elif ch in _LOWER:
            score += 2
        elif ch in _UPPER:
            # "RenÉ" is a wrong code page; "École", "ÉTAT" are not
            score += -2 if previous.islower() else 1
        elif ch in _PUNCTUATION or ch == "\u00a0":
            score += 1
        elif ch == "\ufffd":
            score -= 1
        else:
            score -= 3
        previous = ch
    letters = sum(1 for ch in text if ch.isalpha())
    accented = sum(1 for ch in text if ch.isalpha() and not ch.isascii())
    if accented >= 8 and accented > 0.4 * letters:
        # French has a few accented letters per word, not whole words of them: this is
        # another alphabet (Cyrillic, Greek, Arabic) seen through a Western code page
        return -abs(score) - 1
    return score


def _western_guess(data: bytes) -> tuple[str, str] | None:
    """The Western code page (cp1252, cp850, Mac Roman) whose text reads most like French.

    Used instead of charset-normalizer first because, on short files, it picks code
    pages such as mac_latin2 or cp1250 that turn "é" into "ť" or "‚". A few bytes that
    cp1252 leaves undefined become U+FFFD rather than throwing the whole file away.
    """
    candidates = []
    for order, encoding in enumerate(("cp1252", "cp850", "mac_roman")):
        text = data.decode(encoding, errors="replace")
        candidates.append((_plausibility(text), -order, text, encoding))
    score, _, text, encoding = max(candidates)
    return (text, encoding) if score > 0 else None


def _line_by_line(data: bytes) -> tuple[str, str] | None:
    """Decode each line as UTF-8 if it is, else as cp1252.

    A pure cp1252 file comes out exactly as a cp1252 decode (its accented lines are not
    valid UTF-8); a UTF-8 file with a few lines pasted from a cp1252 source comes out
    readable instead of as mojibake, reported as ``utf-8+cp1252``. ``None`` when a line
    is neither, or cp1252 yields characters that hint at another code page.
    """
    parts: list[str] = []
    utf8_lines = 0
    cp1252_lines: list[str] = []
    for line in data.splitlines(keepends=True):
        try:
            text = line.decode("utf-8")
            if not line.isascii():
                utf8_lines += 1
        except UnicodeDecodeError:
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                return None
            if set(text) & _IMPLAUSIBLE_CP1252:
                return None
            cp1252_lines.append(text)
        parts.append(text)
    if cp1252_lines and _plausibility("".join(cp1252_lines)) < 0:
        return None  # decodable as cp1252, but reads like another alphabet (cp1251, …)
    return "".join(parts), ("utf-8+cp1252" if utf8_lines else "cp1252")


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    # the last resort of decode_text: imported only when reached
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(2, len(text) // 100):
        return None
    return text, best.encoding


def _records(text: str, delimiter: str, limit: int | None = None, *, strict: bool = False) -> list[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=strict)
    records: list[Record] = []
    previous = 0
    for cells in reader:
        start = previous + 1
        previous = reader.line_num
        if cells:
            records.append(Record(start, cells))
        if limit is not None and len(records) >= limit:
            break
    return records


def sniff_delimiter(text: str) -> str:
    """Choose `;`, `,` or tab for ``text``.

    Each candidate splits the first 50 records; it is scored by the share of records it
    splits into two or more fields, then the share having the most common number of
    fields, then that number, then the order `;`, `,`, tab; up to three unsplit lines at
    the top (a title) are left out. A candidate counts only if it splits more than half
    of the records and, when it leaves the first line whole, splits at least 80 % of the
    rest into the same number of fields; when none counts, the file has one column and
    the delimiter that splits the fewest records is returned.
    """
    scored: list[tuple[float, float, int, int, str]] = []
    raw_split: dict[str, tuple[float, int]] = {}
    for priority, delimiter in enumerate(DELIMITERS):
        try:
            sample = _records(text, delimiter, limit=50)
        except csv.Error:
            continue
        if not sample:
            continue
        widths = [len(r.cells) for r in sample]
        # unsplit lines first (a title above the table) are left out of the measures
        lead = 0
        while lead < min(3, len(widths) - 1) and widths[lead] < 2:
            lead += 1
        body = widths[lead:]
        modal = max(set(body), key=lambda w: (body.count(w), w))
        consistency = body.count(modal) / len(body)
        split = sum(1 for w in body if w >= 2) / len(body)
        # a one-column file whose answers hold commas splits unevenly after its header
        counts = split > 0.5 and (lead == 0 or consistency >= 0.8)
        scored.append((split if counts else 0.0, consistency, modal, -priority, delimiter))
        raw_split[delimiter] = (split, priority)
    splitting = [s for s in scored if s[0] > 0]
    if splitting:
        return max(splitting)[4]
    if not scored:
        return ","
    return min(raw_split, key=lambda d: raw_split[d])


def parse_records(text: str, delimiter: str, path: Path) -> list[Record]:
    """Every non-blank record of ``text``; `DataError` for a quote left open at the end."""
    try:
        return _records(text, delimiter, strict=True)
    except csv.Error as exc:
        if "end of data" not in str(exc):
            # a stray quote inside a field: read leniently, as Excel does
            return _lenient(text, delimiter, path)
    # find where the unterminated record starts
    records = _lenient(text, delimiter, path)
    line = records[-1].line if records else 1
    raise DataError(
        "the file ends inside a quoted answer (truncated file or unbalanced quote); the record starts here",
        file=path,
        row=line,
        code=ProblemCode.MALFORMED_ROW,
    )


def _lenient(text: str, delimiter: str, path: Path) -> list[Record]:
    try:
        return _records(text, delimiter, strict=False)
    except csv.Error as exc:
        raise DataError(f"cannot be read as CSV: {exc}", file=path, code=ProblemCode.MALFORMED_ROW) from None
