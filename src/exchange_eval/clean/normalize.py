"""Answers and headers as compared: normalised labels and codes, recodes.

Every matcher of the cleaning compares texts through these, so a header, a choice label
and a codebook row that differ only in case, accents, apostrophes or spacing are the same.
`exchange_eval.clean.codebook` re-exports them.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..core.errors import DataError, ProblemCode
from ..core.text import fold, straight_apostrophes
from .cells import is_blank

__all__ = ["apply_recode", "form_key", "loose_label", "normalize_code", "normalize_label", "parse_recode"]


def normalize_label(text: Any) -> str:
    """Normalise a header or answer for matching.

    Fold case, accents and ligatures (`exchange_eval.core.text.fold`), every apostrophe to
    a straight one, collapse white space and strip trailing ``:``, ``?``, ``*`` and spaces.

    Examples
    --------
    >>> normalize_label("  Quels thèmes ont été les plus utiles ?* ")
    'quels themes ont ete les plus utiles'
    >>> normalize_label("J’ai eu  suffisamment")
    "j'ai eu suffisamment"
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    # apostrophes first: folding would turn an acute accent used as one into a space
    s = fold(straight_apostrophes(str(text)))
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"[\s:?*]+$", "", s)
    return s


def form_key(text: Any) -> str:
    """A header or question path as compared with an XLSForm's keys: `normalize_label`,
    then no spaces around the group separators ``/``, ``-`` and ``.``.

    Examples
    --------
    >>> form_key("Vos connaissances / Ma connaissance du rôle ?")
    'vos connaissances/ma connaissance du role'
    >>> form_key("connaissances-conn_role") == form_key("connaissances - conn_role")
    True
    """
    return re.sub(r"\s*([/.-])\s*", r"\1", normalize_label(text))


def loose_label(text: Any) -> str:
    """A label with French gender and number endings folded, for a second-chance match:
    ``Réalisée``, ``réalisé(e)s`` and ``Réalisé`` agree; so do ``Inclusive`` and ``Inclusif``.

    Examples
    --------
    >>> loose_label("Non démarrée") == loose_label("non demarre"), loose_label("Réalisé(e)s")
    (True, 'reali')
    >>> loose_label("Inclusive et participative") == loose_label("Inclusif et participatif")
    True
    """
    words = []
    for word in re.split(r"[\s'/-]+", normalize_label(text)):
        word = re.sub(r"\((?:e|s|es)\)", "", word)
        for ending, plain in (("ives", "if"), ("ive", "if"), ("ifs", "if"), ("euses", "eux"), ("euse", "eux"),
                              ("elles", "el"), ("elle", "el"), ("ennes", "en"), ("enne", "en")):
            if word.endswith(ending) and len(word) > len(ending) + 2:
                word = word[: -len(ending)] + plain
                break
        else:
            while len(word) > 3 and word[-1] in "se":
                word = word[:-1]
        if word:
            words.append(word)
    return " ".join(words)


def normalize_code(value: Any) -> str:
    """A choice code as compared: normalised text (`normalize_label`); ``4.0`` and ``4`` are
    the same code."""
    s = normalize_label(value)
    try:
        number = float(s)
    except ValueError:
        return s
    if number.is_integer():
        return str(int(number))
    return s


def parse_recode(spec: Any, *, file: str | None = None, row: int | None = None) -> dict | tuple | None:
    """Parse a codebook ``recode`` cell.

    ``"5=4;4=5"`` gives ``{"5": "4", "4": "5"}``; ``"1-5"`` gives the reversal
    ``("reverse", 1, 5)``. Blank gives None. Anything else raises `DataError`.
    """
    if is_blank(spec):
        return None
    text = str(spec).strip()
    reverse = re.fullmatch(r"(-?\d+)\s*-\s*(-?\d+)", text)
    if reverse:
        low, high = int(reverse.group(1)), int(reverse.group(2))
        return ("reverse", low, high)
    mapping: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise DataError(
                f"recode {text!r} is not understood: write old=new pairs separated by ';' "
                "(e.g. 5=4;4=5) or a range to reverse (e.g. 1-5)",
                file=file,
                row=row,
                column="recode",
                code=ProblemCode.CODEBOOK,
            )
        old, new = part.split("=", 1)
        mapping[normalize_code(old)] = normalize_code(new)
    return mapping


def apply_recode(recode: dict | tuple | None, code: str) -> str:
    if recode is None:
        return code
    if isinstance(recode, tuple):
        _, low, high = recode
        try:
            return normalize_code(low + high - float(code))
        except ValueError:
            return code
    return recode.get(code, code)
