"""Scrub free text of e-mail addresses, phone numbers, IP addresses and the roster's names.

`Scrubber` is built once per round from the roster's names (compiling their patterns is
the costly part); `exchange_eval.clean.redact` applies it to every free-text column of
every table and to the cleaning log; `scrub_text` does the same for one text. What is
found becomes ``[email]``, ``[phone]``, ``[ip]`` or ``[name]``.

Text is first put in Unicode normal form NFKC, without format characters (soft hyphens,
zero-width spaces and joiners, direction marks): full-width ``＠`` becomes ``@`` and
``Aï\u00adcha`` becomes ``Aïcha`` before anything is looked for.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable

from ..core.text import APOSTROPHES, fold
from .protect import HONORIFICS

__all__ = [
    "COMMON_WORDS",
    "EMAIL_PLACEHOLDER",
    "IP_PLACEHOLDER",
    "NAME_PLACEHOLDER",
    "PHONE_PLACEHOLDER",
    "Scrubber",
    "normalize_text",
    "scrub_text",
]

EMAIL_PLACEHOLDER = "[email]"
PHONE_PLACEHOLDER = "[phone]"
IP_PLACEHOLDER = "[ip]"
NAME_PLACEHOLDER = "[name]"


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

# "@" or its URL encoding "%40", with spaces around it or not ("name @ gouv.sn")
_EMAIL_RE = re.compile(r"(?<![\w.+%'-])[\w.+%'-]+(?:\s*@\s*|%40)[\w-]+(?:\.[\w-]+)+")
_EMAIL_OBFUSCATED_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*[\[({<]\s*(?:at|arobase|@)\s*[\])}>]\s*[\w-]+"
    r"(?:\s*(?:\.|[\[({<]\s*(?:dot|point)\s*[\])}>])\s*[\w-]+)+",
    re.IGNORECASE,
)
# "name at gouv dot sn", "name arobase gouv point sn", "name at gouv.sn": the last label
# must look like a top-level domain, and no label may be a small word, so "arrived at the
# point of" stays (see _spelled_email)
_LABEL_SEP = r"(?:\s+(?:dot|point)\s+|\.)"
_EMAIL_SPELLED_RE = re.compile(
    rf"(?<![\w.+-])[\w.+-]+\s+(?:at|arobase)\s+(?P<domain>[\w-]+(?:{_LABEL_SEP}[\w-]+)*{_LABEL_SEP}"
    r"(?:com|org|net|int|edu|gov|info|[a-z]{2}))(?![\w-])",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset(
    ["a", "an", "the", "this", "that", "these", "those", "of", "in", "on", "to", "at", "is", "it", "be", "by", "do", "go", "if", "me", "my", "no", "or", "so", "up", "us", "we", "as", "am", "an", "le", "la", "les", "un", "une", "des", "du", "de", "en", "et", "il", "ne", "se", "si", "ou", "au", "ce", "je", "ma", "mi", "sa", "ta", "tu", "on"]
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|ip|name)\]")
_IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
                      r"(?:%\w+)?(?![\w:])")
# digit groups joined by slashes only ("77/123/45/67"): dates have two slashes at most
_SLASHED_RE = re.compile(r"(?<![\w/,+.])(?:(?:\+|00)\d{1,3}\s?)?\d+(?:/\d+){3,}(?![\w/]|[.,]\d)")

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
    separators = set(re.findall(r"[ \u00a0./\-]", candidate))
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
    if char in APOSTROPHES:
        return "'"
    return fold(char)


# a word of folded text; an apostrophe only right after its first letter ("n'diaye")
_WORD_RE = re.compile(r"\w(?:'(?=\w))?\w*")
_NAME_GAP_RE = re.compile(r"[\s,.\-]+")
_TITLE_GAP_RE = re.compile(r"\.?\s+")
_TITLES = HONORIFICS | {"m"}
#: the longest name matched as a whole (longer ones match by their first and last words)
_MAX_NAME_WORDS = 4


def _scrubbed_alone(token: str) -> bool:
    """Whether a roster word is replaced wherever it stands (3+ letters, not a common word)."""
    return len(token) >= 3 and token not in COMMON_WORDS and re.search(r"[^\W\d_]", token) is not None


class Scrubber:
    """Scrub free text of e-mails, phone numbers, IP addresses and the names of one round.

    Build one per round and call `scrub` on every text; `scrub_text` does this for you
    with a small cache. Names are looked up word by word in sets, so the cost of a text
    does not grow with the number of names.

    Parameters
    ----------
    names : iterable of str
        Full names as on the roster (any order of given name and surname).
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._plain: set[str] = set()  # replaced wherever they stand
        self._capital: set[str] = set()  # common words: replaced when capitalised
        self._tokens: set[str] = set()  # every word of every name (replaced after a title)
        self._full: set[tuple[str, ...]] = set()  # names of short or common words, sorted
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            raw_tokens = fold(normalize_text(name))
            words = [w for w in re.split(r"[^\w" + APOSTROPHES + r"]+|_", raw_tokens) if w]
            tokens: list[str] = []
            for word in words:
                parts = [p for p in re.split(f"[{APOSTROPHES}]", word) if p]
                joined = "".join(parts)
                if joined and joined not in HONORIFICS:
                    tokens.append(joined)
                    if len(parts) > 1 and len(parts[-1]) >= 3:  # D'Almeida: also "Almeida"
                        self._tokens.add(parts[-1])
            if not tokens:
                continue
            self._tokens.update(tokens)
            if len(tokens) < 2 or all(_scrubbed_alone(t) for t in tokens):
                continue  # every word is replaced on its own; the pieces merge afterwards
            kept = tokens if len(tokens) <= _MAX_NAME_WORDS else [tokens[0], tokens[-1]]
            self._full.add(tuple(sorted(kept)))
        for token in self._tokens:
            if _scrubbed_alone(token):
                self._plain.add(token)
            elif len(token) >= 3 and token in COMMON_WORDS:
                self._capital.add(token)

    def scrub(self, text: str | None) -> str | None:
        """Return ``text`` (`normalize_text`) with e-mails, IP addresses, phones and roster
        names replaced by placeholders."""
        if text is None:
            return None
        text = normalize_text(str(text))
        text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
        text = _EMAIL_OBFUSCATED_RE.sub(EMAIL_PLACEHOLDER, text)
        text = _EMAIL_SPELLED_RE.sub(_spelled_email, text)
        text = _scrub_ipv6(text)
        text = _scrub_phones(text)  # before IPv4: 77.123.45.67 is a Senegalese mobile number
        text = _scrub_ipv4(text)
        return self._scrub_names(text)

    def _scrub_names(self, text: str) -> str:
        if not self._tokens:
            return text
        folded, origin = _fold_with_map(text)
        if not folded:
            return text

        def span(start: int, end: int) -> tuple[int, int]:
            if origin is None:
                return start, end
            return origin[start], origin[end - 1] + 1

        # (start, end, word without apostrophe, start of the part after an apostrophe)
        words = []
        for match in _WORD_RE.finditer(folded):
            word = match.group()
            cut = word.find("'")
            words.append((match.start(), match.end(), word.replace("'", ""), match.start() + cut + 1 if cut > 0 else None))
        spans: list[tuple[int, int]] = []
        for i, (start, end, key, after) in enumerate(words):
            tail = folded[after:end] if after is not None else None
            if key in self._plain:
                spans.append(span(start, end))
            elif tail in self._plain:  # l'Almeida
                spans.append(span(after, end))
            elif key in self._capital:
                first, last = span(start, end)
                if text[first].isupper():
                    spans.append((first, last))
            if i and key in self._tokens:  # after a title: "Mme Ba", "M. Sy"
                p_start, p_end, p_key, _ = words[i - 1]
                if p_key in _TITLES and _TITLE_GAP_RE.fullmatch(folded, p_end, start):
                    spans.append(span(start, end))
            if self._full:
                keys = [key]
                for j in range(i + 1, min(i + _MAX_NAME_WORDS, len(words))):
                    if not _NAME_GAP_RE.fullmatch(folded, words[j - 1][1], words[j][0]):
                        break
                    keys.append(words[j][2])
                    if tuple(sorted(keys)) in self._full:
                        spans.append(span(start, words[j][1]))
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


def normalize_text(text: str) -> str:
    """``text`` in Unicode normal form NFKC, without format characters (category Cf: soft
    hyphens, zero-width spaces and joiners, direction marks, byte-order marks).

    Examples
    --------
    >>> normalize_text("Aï\u00adcha\u200b Ba ＠ gouv.sn")
    'Aïcha Ba @ gouv.sn'
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _spelled_email(match: re.Match[str]) -> str:
    labels = re.split(_LABEL_SEP, match.group("domain"), flags=re.IGNORECASE)
    if any(label.casefold() in _SMALL_WORDS for label in labels):
        return match.group(0)
    return EMAIL_PLACEHOLDER


def _scrub_ipv4(text: str) -> str:
    if "." not in text:
        return text

    def ipv4(match: re.Match[str]) -> str:
        parts = match.group(0).split(".")
        if any(int(p) > 255 for p in parts) or all(len(p) == 1 for p in parts):
            return match.group(0)  # not an address, or a section number (3.2.1.4)
        return IP_PLACEHOLDER

    return _IPV4_RE.sub(ipv4, text)


def _scrub_ipv6(text: str) -> str:
    if text.count(":") < 2:
        return text

    def ipv6(match: re.Match[str]) -> str:
        candidate = match.group(0)
        if sum(c.isalnum() for c in candidate.split("%")[0]) < 2:
            return candidate  # "::" alone
        try:
            ipaddress.IPv6Address(candidate.split("%")[0])
        except ValueError:
            return candidate  # times (14:30:00), ratios
        return IP_PLACEHOLDER

    return _IPV6_RE.sub(ipv6, text)


def _scrub_phones(text: str) -> str:
    urls = [m.span() for m in _URL_RE.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(start < u_end and u_start < end for u_start, u_end in urls):
            return match.group(0)  # digits in a link are ids, not phone numbers
        return PHONE_PLACEHOLDER if _is_phone(match.group(0)) else match.group(0)

    return _PHONE_CANDIDATE_RE.sub(replace, _SLASHED_RE.sub(replace, text))


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
