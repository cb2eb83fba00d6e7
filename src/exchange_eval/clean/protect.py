"""Protect people: pseudonyms, free-text scrubbing, safe CSV cells and safe HTML.

A round names two officials per country, so anything that identifies a person must stop
at the cleaning step:

* every person becomes a ``pid``, a keyed hash (HMAC-SHA256) of their normalised e-mail
  or of their normalised name and country (`pseudonym`). The key never leaves the
  machine (`load_key`), so nobody holding only the processed data or a report can
  recompute a pid from a list of names;
* free text is scrubbed of e-mail addresses, phone numbers and the names on the round's
  roster (`scrub_text`);
* identity fields (`is_pii_field`) are dropped once the pid is derived;
* string cells bound for Excel cannot start a formula (`neutralize_formula`), and text
  written into HTML is escaped (`escape_html`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.atomic import write_bytes_atomic
from ..core.config import KEY_ENV, KEY_FILE_ENV
from ..core.errors import DataError, ExchangeEvalError

if TYPE_CHECKING:
    pass

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "KEY_FILE_NAME",
    "PID_PREFIX",
    "PII_FIELDS",
    "COMMON_WORDS",
    "KeyUnavailableError",
    "Scrubber",
    "load_key",
    "normalize_email",
    "normalize_name",
    "pseudonym",
    "pid_of_message",
    "pid_message",
    "scrub_text",
    "is_pii_field",
]

KEY_FILE_NAME = ".exchange_eval_key"
PID_PREFIX = "p_"
PID_HEX_CHARS = 12

EMAIL_PLACEHOLDER = "[email]"
PHONE_PLACEHOLDER = "[phone]"
NAME_PLACEHOLDER = "[name]"


# --------------------------------------------------------------------------- key


class KeyUnavailableError(ExchangeEvalError):
    """The pseudonymisation key can be neither read nor created."""

    exit_code = 2


_HOW_TO_SET = (
    f"set the environment variable {KEY_ENV} to a long secret phrase (the same one every "
    f"time, or pids change), or {KEY_FILE_ENV} to the path of a writable key file"
)


def _key_file(data_dir: Path, key_file: str | Path | None) -> Path:
    if key_file:
        return Path(key_file).expanduser()
    return Path(data_dir) / KEY_FILE_NAME


def _read_key_file(path: Path) -> bytes:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:  # a binary key someone made by hand: use it as it is
        return raw
    return text.encode("utf-8")


def load_key(data_dir: str | Path, *, key: str | None = None, key_file: str | Path | None = None) -> bytes:
    """Return the secret key used for pids, creating a key file on first use.

    Parameters
    ----------
    data_dir : str or Path
        The data folder; the default key file is ``<data_dir>/.exchange_eval_key``
        (git-ignored).
    key : str, optional
        The key's text when the user set ``EXCHANGE_EVAL_KEY`` (`Workspace.key`).
    key_file : str or Path, optional
        The key file named by ``EXCHANGE_EVAL_KEY_FILE`` (`Workspace.key_file`).

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    KeyUnavailableError
        If ``EXCHANGE_EVAL_KEY`` is set but empty, or the key file cannot be read or
        created (read-only folder, a directory in its place, an empty file). The message
        says how to set ``EXCHANGE_EVAL_KEY`` instead.

    Notes
    -----
    Where the key comes from, first match wins:

    1. ``EXCHANGE_EVAL_KEY``: its UTF-8 bytes, without surrounding whitespace.
    2. The file named by ``EXCHANGE_EVAL_KEY_FILE``, else ``<data_dir>/.exchange_eval_key``.
       A missing file is created with 32 random bytes from `secrets`, written as 64
       hexadecimal characters, permissions ``0o600``, atomically and without ever
       replacing a file another process created at the same moment (parallel builds get
       the same key).

    The key is the file's text without surrounding whitespace, encoded as UTF-8 — so
    setting ``EXCHANGE_EVAL_KEY`` to the content of the key file gives the same pids on
    another machine. Losing the key means new pids for everyone: back it up outside the
    repository.
    """
    if key is not None:
        if not key.strip():
            raise KeyUnavailableError(f"{KEY_ENV} is set but empty; {_HOW_TO_SET}")
        return key.strip().encode("utf-8")

    path = _key_file(Path(data_dir), key_file)
    for _attempt in range(2):
        try:
            key = _read_key_file(path)
        except FileNotFoundError:
            try:
                write_bytes_atomic(path, (secrets.token_hex(32) + "\n").encode("ascii"), overwrite=False, mode=0o600)
            except FileExistsError:  # another process created it first: read theirs
                continue
            except OSError as exc:
                raise KeyUnavailableError(
                    f"cannot create the pseudonymisation key file {path} ({exc.strerror or exc}); {_HOW_TO_SET}"
                ) from None
            continue
        except OSError as exc:
            raise KeyUnavailableError(
                f"cannot read the pseudonymisation key file {path} ({exc.strerror or exc}); {_HOW_TO_SET}"
            ) from None
        if not key:
            raise KeyUnavailableError(f"the key file {path} is empty; delete it to get a new one, or {_HOW_TO_SET}")
        return key
    raise KeyUnavailableError(f"the key file {path} appeared and vanished while being read; {_HOW_TO_SET}")


# --------------------------------------------------------------------------- normalising

# Letters that Unicode decomposition does not split into base letter + accent.
_LETTER_MAP = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
     "ł": "l", "Ł": "l", "ı": "i", "ħ": "h", "þ": "th", "ð": "d"}
)
_APOSTROPHES = "'’ʼ‘`´ʻ"
_HONORIFICS = frozenset(
    {"dr", "mr", "mrs", "ms", "miss", "mme", "mlle", "mde", "pr", "prof", "hon", "sir",
     "madame", "monsieur", "mademoiselle", "docteur", "professeur", "doctor", "professor"}
)


def _fold(text: str) -> str:
    """Case-fold and strip accents (NFKD, combining marks dropped, ligatures spelled out)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTER_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_LETTER_MAP)


_BRACKETED_EMAIL_RE = re.compile(r"<([^<>]*@[^<>]*)>")
_MAILTO_RE = re.compile(r"^mailto:", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def normalize_email(s: str | None) -> str:
    """Normalise an e-mail address for matching: trimmed, case-folded, spaces removed.

    ``Name <address>`` and ``mailto:`` forms are reduced to the address.

    Parameters
    ----------
    s : str or None
        An e-mail address as typed.

    Returns
    -------
    str
        The normalised address, or ``""`` for None or blank input.

    Examples
    --------
    >>> normalize_email("  Aminata.Diallo@Education.GOUV.sn ")
    'aminata.diallo@education.gouv.sn'
    >>> normalize_email("Aminata Diallo <a.diallo@gouv.sn>")
    'a.diallo@gouv.sn'
    """
    if s is None:
        return ""
    text = unicodedata.normalize("NFKC", str(s)).strip()
    bracketed = _BRACKETED_EMAIL_RE.search(text)
    if bracketed:
        text = bracketed.group(1)
    text = _MAILTO_RE.sub("", text.strip())
    text = _SPACE_RE.sub("", text).strip(".,;:")
    return text.casefold()


def _looks_like_email(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain.strip(".") and not domain.startswith(".")


def _name_tokens(s: str) -> list[str]:
    folded = _fold(unicodedata.normalize("NFKC", s))
    folded = re.sub(f"[{_APOSTROPHES}]", "", folded)  # N'Diaye == Ndiaye
    return [t for t in re.split(r"[^\w]+|_", folded) if t]


def normalize_name(s: str | None) -> str:
    """Normalise a person's name so spelling variants of one name compare equal.

    Case-folded, accents stripped, apostrophes removed (``N'Diaye`` = ``Ndiaye``), other
    punctuation and runs of spaces turned into one space, leading titles (Dr, Mme, Mr, …)
    dropped, and the words sorted, so the order of given name and surname does not matter.

    Parameters
    ----------
    s : str or None
        A name as typed.

    Returns
    -------
    str
        The normalised name, or ``""`` for None or blank input.

    Examples
    --------
    >>> normalize_name("Diallo  Aminata")
    'aminata diallo'
    >>> normalize_name("Mme Aïcha N’DIAYE-Sow")
    'aicha ndiaye sow'
    """
    if s is None:
        return ""
    tokens = _name_tokens(str(s))
    while len(tokens) > 1 and tokens[0] in _HONORIFICS:
        tokens = tokens[1:]
    return " ".join(sorted(tokens))


# --------------------------------------------------------------------------- pseudonyms


def pid_message(*, email: str | None = None, name: str | None = None, country: str | None = None) -> str:
    """The text that is hashed into a pid (see `pseudonym`); exposed for tests and audits.

    Parameters
    ----------
    email, name, country : str, optional
        As for `pseudonym`.

    Returns
    -------
    str
        ``"email:<normalised e-mail>"`` or ``"name:<normalised name>|<ISO3 or empty>"``.

    Raises
    ------
    DataError
        If there is neither a usable e-mail nor a name, or the country is not recognised.
    """
    address = normalize_email(email)
    if address and _looks_like_email(address):
        return f"email:{address}"
    normalized = normalize_name(name)
    if not normalized or not re.search(r"[^\W\d_]", normalized):
        raise DataError("cannot make a pid: the person has neither a valid e-mail address nor a name")
    iso3 = ""
    if country is not None and str(country).strip():
        from ..core.countries import to_iso3

        found = to_iso3(str(country))
        if found is None:
            raise DataError(f"cannot make a pid: country {country!r} is not recognised", column="country")
        iso3 = found
    return f"name:{normalized}|{iso3}"


def pseudonym(
    *, key: bytes, email: str | None = None, name: str | None = None, country: str | None = None
) -> str:
    """Stable pseudonymous id (pid) of a person.

    Parameters
    ----------
    key : bytes
        The secret key (`load_key`).
    email : str, optional
        The person's e-mail address; used whenever it looks like an address.
    name : str, optional
        The person's name; used when there is no usable e-mail.
    country : str, optional
        With a name: the person's country (ISO3, ISO2 or a name in English or French), so
        namesakes in two countries get two pids. Without it, the country part is empty —
        which gives another pid than the same name *with* its country.

    Returns
    -------
    str
        ``"p_"`` followed by the first 12 hexadecimal characters of
        HMAC-SHA256(key, message), message as in `pid_message`.

    Raises
    ------
    DataError
        If neither a usable e-mail nor a name is given, or the country is unknown.

    Notes
    -----
    The same e-mail in any case or spacing, and the same name in any word order, case or
    accents, give the same pid. E-mail and name give *different* pids for one person;
    linking the two is the roster's job.

    12 hex characters are 48 bits. By the birthday bound, the chance that two of ``n``
    distinct people share a pid is about ``n**2 / 2**49``: 1.8e-7 for 10,000 people,
    1.8e-3 for a million. Without the key, a pid cannot be recomputed from a name list.

    Examples
    --------
    >>> pseudonym(key=b"demo", email="A.Diallo@gouv.sn") == pseudonym(key=b"demo", email=" a.diallo@GOUV.SN")
    True
    >>> pseudonym(key=b"demo", name="Diallo Aminata", country="SEN") == pseudonym(
    ...     key=b"demo", name="Aminata DIALLO", country="Sénégal")
    True
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise KeyUnavailableError("pseudonym() needs a non-empty key (bytes) from load_key()")
    return pid_of_message(key, pid_message(email=email, name=name, country=country))


def pid_of_message(key: bytes, message: str) -> str:
    """The pid of a `pid_message` text: ``p_`` + 12 hex digits of HMAC-SHA256(key, message)."""
    if not isinstance(key, bytes | bytearray) or not key:
        raise KeyUnavailableError("pseudonym() needs a non-empty key (bytes) from load_key()")
    # hmac.digest is the one-shot C implementation of hmac.new(...).digest()
    digest = hmac.digest(bytes(key), message.encode("utf-8"), hashlib.sha256).hex()
    return PID_PREFIX + digest[:PID_HEX_CHARS]


# --------------------------------------------------------------------------- scrubbing

# Words that are also given names or surnames somewhere (Hope, Grace, Will, Fall, Ben…),
# and name particles. A roster word in this list is scrubbed on its own only when written
# with a capital, so "I hope" stays while "Hope presented the plan" does not.
_COMMON_WORDS_TEXT = """
    the and for are but not you all any can had her was one our out day get has him his how
    man new now old see two way who did its let put say she too use will may might must
    mark bill rose hope joy faith grace gift blessing precious patience mercy charity
    prosper goodluck godwin lucky happy innocent justice peace love honest given victory
    sunday monday tuesday friday saturday april june july august summer winter
    well long short small great early young white black brown green king may bell
    read reading page ward wood hill field rich park fall bay dean frank early
    more most some such than that them then there these they this those what when where which
    while with would your have from been were said each other into just like only over also
    about after again before being between both could first last made many much never
    plan plans team work session sessions visit report review sector policy country
    data year years time ministry education school ben bin ibn abu ould mint van von der
    den del della dos das los las mac san santa sainte saint
    les des une pour par avec sur dans que qui pas plus est son ses aux mais nous vous ils
    elle elles ete etre avoir fait bien tout tous toute toutes leur leurs meme comme aussi
    tres entre apres avant sans sous chez encore cette ces notre nos votre vos rien peu
    lors bon bonne grand grande petit roi reine paix espoir foi joie
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())

_EMAIL_RE = re.compile(r"(?<![\w.+%'-])[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_OBFUSCATED_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*[\[({]\s*(?:at|arobase)\s*[\])}]\s*[\w-]+"
    r"(?:\s*(?:\.|[\[({]\s*(?:dot|point)\s*[\])}])\s*[\w-]+)+",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|name)\]")

# A run of digit groups joined by single separators (space, no-break space, dot, hyphen),
# optionally with an international prefix and parenthesised area codes; what it is gets
# decided by _is_phone.
_GROUP = r"(?:\(\d{1,5}\)|\d+)"
_SEP = r"(?:[ \u00a0.\-]|(?<=\))(?=[\d(])|(?<=\d)(?=\())"
_PHONE_CANDIDATE_RE = re.compile(
    rf"(?<![\w/,+])(?<!\d[.\-])(?:\+\s?)?{_GROUP}(?:{_SEP}{_GROUP})*(?![\w/]|[.,]\d|\s?%)"
)


def _is_year(group: str) -> bool:
    return len(group) == 4 and 1900 <= int(group) <= 2099


def _is_date(groups: list[str]) -> bool:
    if len(groups) != 3:
        return False
    a, b, c = groups
    if len(a) == 4 and len(b) <= 2 and len(c) <= 2:  # 2025-03-12
        return 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    if len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):  # 12/03/2025, 03-12-25
        x, y = int(a), int(b)
        return (1 <= x <= 31 and 1 <= y <= 12) or (1 <= x <= 12 and 1 <= y <= 31)
    return False


def _is_compact_date(digits: str) -> bool:
    if len(digits) != 8:
        return False
    y1, m1, d1 = digits[:4], digits[4:6], digits[6:]  # 20250312
    d2, m2, y2 = digits[:2], digits[2:4], digits[4:]  # 12032025
    return (_is_year(y1) and 1 <= int(m1) <= 12 and 1 <= int(d1) <= 31) or (
        _is_year(y2) and 1 <= int(m2) <= 12 and 1 <= int(d2) <= 31
    )


def _is_phone(candidate: str) -> bool:
    groups = re.findall(r"\d+", candidate)
    digits = "".join(groups)
    n = len(digits)
    if candidate.startswith("+"):
        return 7 <= n <= 15
    if digits.startswith("00") and 10 <= n <= 17:  # 00 221 77 123 45 67
        return True
    if n < 8:
        return False
    if "(" in candidate:
        return True
    if len(groups) == 1:
        return n >= 9 or not _is_compact_date(digits)
    if all(_is_year(g) for g in groups) or _is_date(groups):
        return False
    if any(len(g) == 1 for g in groups):  # lists, decimals, versions, ISBNs
        return False
    separators = set(re.findall(r"[ \u00a0.\-]", candidate))
    thousands = (
        len(groups[0]) <= 3
        and not groups[0].startswith("0")
        and all(len(g) == 3 for g in groups[1:])
        and len(separators) == 1
    )
    if thousands:  # 1 500 000 FCFA, 12.500.000
        return False
    if len(groups) == 2:
        return "." not in separators and not _is_year(groups[0]) and n >= 9
    return True


def _fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` character by character, remembering where each folded char came from.

    The map is None when folding kept one character per character (the usual case).
    """
    if text.isascii():
        return text.lower().replace("`", "'"), None
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    if len(folded) == len(text) and set(map(len, pieces)) == {1}:
        return folded, None
    origin: list[int] = []
    for index, piece in enumerate(pieces):
        origin.extend([index] * len(piece))
    return folded, origin


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    return _fold(char)


def _token_pattern(token: str) -> str:
    # an optional apostrophe after the first letter: "ndiaye" also matches "N'Diaye"
    if len(token) < 2:
        return re.escape(token)
    return re.escape(token[0]) + "'?" + re.escape(token[1:])


def _scrubbed_alone(token: str) -> bool:
    """Whether a roster word is replaced wherever it stands (3+ letters, not a common word)."""
    return len(token) >= 3 and token not in COMMON_WORDS and re.search(r"[^\W\d_]", token) is not None


class Scrubber:
    """Scrub free text of e-mails, phone numbers and the names of one roster.

    Build one per round (compiling the name patterns is the costly part) and call
    `scrub` on every text; `scrub_text` does this for you with a small cache.

    Parameters
    ----------
    names : iterable of str
        Full names as on the roster (any order of given name and surname).
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        full_patterns: set[str] = set()
        plain_tokens: set[str] = set()
        capital_tokens: set[str] = set()
        all_tokens: set[str] = set()
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            raw_tokens = _fold(unicodedata.normalize("NFKC", name))
            words = [w for w in re.split(r"[^\w" + _APOSTROPHES + r"]+|_", raw_tokens) if w]
            tokens: list[str] = []
            for word in words:
                parts = [p for p in re.split(f"[{_APOSTROPHES}]", word) if p]
                joined = "".join(parts)
                if joined and joined not in _HONORIFICS:
                    tokens.append(joined)
                    if len(parts) > 1 and len(parts[-1]) >= 3:  # D'Almeida: also "Almeida"
                        all_tokens.add(parts[-1])
            if not tokens:
                continue
            all_tokens.update(tokens)
            if len(tokens) < 2 or all(_scrubbed_alone(t) for t in tokens):
                continue  # every word is replaced on its own; the pieces merge afterwards
            orders = (
                itertools.permutations(tokens) if len(tokens) <= 3 else [tokens, tokens[::-1]]
            )
            for order in orders:
                full_patterns.add(r"[\s,.\-]+".join(_token_pattern(t) for t in order))
        for token in all_tokens:
            if _scrubbed_alone(token):
                plain_tokens.add(token)
            elif len(token) >= 3 and token in COMMON_WORDS:
                capital_tokens.add(token)

        def alternation(patterns: Iterable[str]) -> re.Pattern[str] | None:
            ordered = sorted(patterns, key=lambda p: (-len(p), p))
            if not ordered:
                return None
            return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")

        self._full = alternation(full_patterns)
        self._plain = alternation(_token_pattern(t) for t in plain_tokens)
        self._capital = alternation(_token_pattern(t) for t in capital_tokens)
        short = sorted(all_tokens, key=lambda t: (-len(t), t))
        self._titled = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(sorted(_HONORIFICS | {"m"}, key=len, reverse=True)) + r")\.?\s+"
                r"(?P<tok>" + "|".join(_token_pattern(t) for t in short) + r")(?!\w)"
            )
            if short
            else None
        )

    def scrub(self, text: str | None) -> str | None:
        """Return ``text`` with e-mails, phones and roster names replaced by placeholders."""
        if text is None:
            return None
        text = str(text)
        text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
        text = _EMAIL_OBFUSCATED_RE.sub(EMAIL_PLACEHOLDER, text)
        text = _scrub_phones(text)
        return self._scrub_names(text)

    def _scrub_names(self, text: str) -> str:
        if self._full is None and self._plain is None and self._capital is None:
            return text
        folded, origin = _fold_with_map(text)
        if not folded:
            return text

        def span(start: int, end: int) -> tuple[int, int]:
            if origin is None:
                return start, end
            return origin[start], origin[end - 1] + 1

        spans: list[tuple[int, int]] = []
        for pattern in (self._full, self._plain):
            if pattern is not None:
                spans.extend(span(*m.span()) for m in pattern.finditer(folded))
        if self._capital is not None:
            for match in self._capital.finditer(folded):
                start, end = span(*match.span())
                if text[start].isupper():
                    spans.append((start, end))
        if self._titled is not None:
            spans.extend(span(*m.span("tok")) for m in self._titled.finditer(folded))
        if not spans:
            return text
        protected = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        spans = [s for s in spans if not any(s[0] < p[1] and p[0] < s[1] for p in protected)]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in reversed(merged):
            text = text[:start] + NAME_PLACEHOLDER + text[end:]
        # "Jean-Pierre" -> "[name]-[name]" -> "[name]"
        return re.sub(r"\[name\](?:[\s\-]+\[name\])+", NAME_PLACEHOLDER, text)


def _scrub_phones(text: str) -> str:
    urls = [m.span() for m in _URL_RE.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(start < u_end and u_start < end for u_start, u_end in urls):
            return match.group(0)  # digits in a link are ids, not phone numbers
        return PHONE_PLACEHOLDER if _is_phone(match.group(0)) else match.group(0)

    return _PHONE_CANDIDATE_RE.sub(replace, text)


@functools.lru_cache(maxsize=32)
def _cached_scrubber(names: tuple[str, ...]) -> Scrubber:
    return Scrubber(names)


def scrub_text(text: str | None, names: Iterable[str] = ()) -> str | None:
    """Replace e-mail addresses, phone numbers and roster names in free text.

    Parameters
    ----------
    text : str or None
        A respondent's free-text answer.
    names : iterable of str, default ()
        The round's roster names (full names, any word order).

    Returns
    -------
    str or None
        The text with ``[email]``, ``[phone]`` and ``[name]`` in place of what they hide;
        None for None.

    Notes
    -----
    * E-mails: ``local@domain.tld`` anywhere (also inside links), and ``name [at] domain
      [dot] org`` forms.
    * Phones: international numbers (``+`` or ``00`` prefix, 7–15 digits) and local ones
      of at least 8 digits in groups (``0803-555-1234``, ``(256) 772 123456``,
      ``77.123.45.67``). Not phones: years and year ranges (``2024-2025``), dates
      (``12/03/2025``, ``2025-03-12``, ``12.03.2025``), decimals and percentages
      (``12,5 %``), thousands (``1 500 000``), numbers glued to letters (``VC3``) and
      anything inside a URL. Local numbers of 7 digits or fewer (``555-0143``) are missed.
    * Names: each full name in any word order, and each word of 3 letters or more on its
      own, ignoring case, accents and an apostrophe after the first letter
      (``Aïcha`` = ``aicha``, ``N'Diaye`` = ``Ndiaye``), at word boundaries. Words that
      are also common words (`COMMON_WORDS`: Hope, Grace, Will, Ben, …) are replaced on
      their own only when capitalised; words under 3 letters (Ba, Sy) only inside a full
      name or after a title (``Mme Ba``). Names inside links are replaced too.

    Examples
    --------
    >>> scrub_text("Merci à Aïcha Ba (aicha.ba@gouv.sn, +221 77 123 45 67) pour VC3 en 2025.",
    ...            names=["BA Aicha"])
    'Merci à [name] ([email], [phone]) pour VC3 en 2025.'
    """
    if text is None:
        return None
    key = tuple(n for n in names if isinstance(n, str))
    return _cached_scrubber(key).scrub(text)


# --------------------------------------------------------------------------- PII fields

# Field kinds (instruments.yaml `fields`) and export metadata columns that identify a
# person or their whereabouts. Matched after snake-casing the name (IPAddress -> ip_address).
PII_FIELDS = frozenset(
    {
        "email", "email_address", "e_mail", "courriel",
        "name", "full_name", "first_name", "last_name", "given_name", "family_name",
        "surname", "middle_name", "nom", "prenom", "nom_complet",
        "phone", "phone_number", "phonenumber", "mobile", "mobile_number", "telephone", "tel",
        "ip_address", "ip", "ipaddress",
        "location_latitude", "location_longitude", "latitude", "longitude", "lat", "long",
        "lon", "lng", "altitude", "gps", "geolocation", "geopoint", "location",
        "external_reference", "external_data_reference",
        "deviceid", "device_id", "subscriberid", "simserial", "imei",
    }
)


def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", str(name).strip())
    text = _fold(text)
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def is_pii_field(role: str) -> bool:
    """Whether a field kind or export column identifies a person (and must not be stored).

    Parameters
    ----------
    role : str
        A field kind from ``instruments.yaml`` (``email``, ``name``, ``first_name``,
        ``last_name``, ``phone``) or a platform's metadata column (``IPAddress``,
        ``RecipientEmail``, ``LocationLatitude``, ``_geolocation``, ``deviceid``…).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pii_field("first_name"), is_pii_field("RecipientLastName"), is_pii_field("country")
    (True, True, False)
    """
    snake = _snake(role)
    if not snake:
        return False
    if snake in PII_FIELDS or snake.startswith("recipient"):
        return True
    # Kobo/ODK geopoints: "_gps_latitude", "location_precision", …
    return bool(re.search(r"(^|_)(latitude|longitude|altitude|geolocation|geopoint)(_|$)", snake))
