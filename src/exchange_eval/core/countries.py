"""Country codes and names: whatever a respondent typed, as an ISO 3166-1 alpha-3 code.

Survey exports name countries every way: ``SEN``, ``SN``, ``Sénégal``, ``Côte d’Ivoire``,
``Ivory Coast``, ``RDC``, ``Congo, Dem. Rep.``. `to_iso3` maps them all to one code; the
table lives in ``config/countries.yaml`` (a user adds countries or variants in
``<data_dir>/config/countries.yaml``). `country_name` gives the English or French name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from .config import CONFIG_DIR, load_config
from .errors import DataError, ProblemCode, UsageError
from .text import fold, straight_apostrophes

__all__ = ["to_iso3", "country_name", "known_codes", "country_key"]

_FILE = "countries.yaml"
# Small words dropped before matching, so "Republic of the Congo" = "Congo Republic".
_STOPWORDS = frozenset({"the", "of", "and", "et", "de", "du", "des", "la", "le", "les", "l", "d", "e", "y"})
# ISO2 codes that mean something else when they stand alone in a country column.
_AMBIGUOUS_ISO2 = frozenset({"NA"})  # Namibia, or "not available"? Write NAM or Namibia.


def country_key(value: str) -> str:
    """The matching key of a country name: folded, small words dropped, words sorted.

    Parameters
    ----------
    value : str
        A country name or variant.

    Returns
    -------
    str

    Examples
    --------
    >>> country_key("Côte d’Ivoire") == country_key("cote d'ivoire")
    True
    >>> country_key("Congo, Dem. Rep.")
    'congo dem rep'
    """
    text = fold(straight_apostrophes(str(value)))
    text = text.replace(".", "")  # U.S.A. = USA, Lao P.D.R. = Lao PDR
    text = text.replace("'", " ")  # d'Ivoire = d Ivoire: "d" is a small word below
    tokens = [t for t in re.split(r"[\W_]+", text) if t and t not in _STOPWORDS]
    return " ".join(sorted(tokens))


@functools.lru_cache(maxsize=8)
def _tables(user_dir: str | None) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
    entries: dict[str, Any] = dict(load_config(_FILE) or {})
    source = CONFIG_DIR / _FILE
    if user_dir is not None:
        user = load_config(_FILE, user_dir)
        if user and user != entries:
            entries.update(user)
            source = Path(user_dir) / "config" / _FILE
    by_code: dict[str, dict[str, Any]] = {}
    iso2: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, entry in entries.items():
        code = str(code).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code) or not isinstance(entry, dict):
            raise DataError(f"{code!r} must be an ISO3 code mapped to iso2, en, fr and aliases", file=source,
                            code=ProblemCode.CONFIG)
        by_code[code] = entry
        if entry.get("iso2"):
            iso2[str(entry["iso2"]).upper()] = code
        variants = [entry.get(k) for k in entry if k not in ("iso2", "aliases")]
        variants += list(entry.get("aliases") or [])
        for variant in variants:
            if not variant:
                continue
            key = country_key(str(variant))
            if key and names.setdefault(key, code) != code:
                raise DataError(
                    f"{variant!r} names both {names[key]} and {code}; keep it under one country",
                    file=source,
                    code=ProblemCode.CONFIG,
                )
    return by_code, iso2, names


def _load(data_dir: str | Path | None) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
    return _tables(str(data_dir) if data_dir is not None else None)


def known_codes(data_dir: str | Path | None = None) -> list[str]:
    """Every ISO3 code in the country table, sorted.

    Parameters
    ----------
    data_dir : str or Path, optional
        A data folder whose ``config/countries.yaml`` adds to the package table.

    Returns
    -------
    list of str
    """
    return sorted(_load(data_dir)[0])


def to_iso3(value: str | None, *, data_dir: str | Path | None = None) -> str | None:
    """ISO 3166-1 alpha-3 code of a country written any usual way, or None if unknown.

    Parameters
    ----------
    value : str or None
        An ISO3 or ISO2 code, or a name in English or French, with or without accents,
        in any case, with any punctuation (``Côte d’Ivoire``, ``cote d'ivoire``, ``Ivory
        Coast``, ``RDC``, ``République démocratique du Congo``, ``Congo, Dem. Rep.``,
        ``Tchad``). A trailing parenthesis (``Sénégal (SEN)``) is tried on its own too.
    data_dir : str or Path, optional
        A data folder whose ``config/countries.yaml`` adds countries or variants.

    Returns
    -------
    str or None
        The code, or None when the value is empty or not recognised.

    Notes
    -----
    ``Congo`` alone is the Republic of the Congo (COG), as in ISO 3166. ``NA`` alone
    returns None (it usually means "not available"); write ``NAM`` or ``Namibia``.

    Examples
    --------
    >>> to_iso3("Côte d’Ivoire"), to_iso3("RDC"), to_iso3("tchad"), to_iso3("sn")
    ('CIV', 'COD', 'TCD', 'SEN')
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    by_code, iso2, names = _load(data_dir)
    letters = text.upper()
    if re.fullmatch(r"[A-Z]{3}", letters) and letters in by_code:
        return letters
    if re.fullmatch(r"[A-Z]{2}", letters):
        if letters in _AMBIGUOUS_ISO2:
            return None
        if letters in iso2:
            return iso2[letters]
    found = names.get(country_key(text))
    if found is not None:
        return found
    outside = re.sub(r"\([^()]*\)", " ", text).strip()
    if outside and outside != text:
        found = to_iso3(outside, data_dir=data_dir)
        if found is not None:
            return found
        for inside in re.findall(r"\(([^()]*)\)", text):
            found = to_iso3(inside, data_dir=data_dir)
            if found is not None:
                return found
    return None


def country_name(iso3: str, lang: str = "en", *, data_dir: str | Path | None = None) -> str:
    """Name of a country in English or French.

    Parameters
    ----------
    iso3 : str
        An ISO3 code from the table (case-insensitive).
    lang : str, default "en"
        ``en`` or ``fr`` (or any ``<lang>:`` key a user added to the table).
    data_dir : str or Path, optional
        A data folder whose ``config/countries.yaml`` adds to the package table.

    Returns
    -------
    str

    Raises
    ------
    DataError
        If the code is not in the table.
    UsageError
        If the table has no names in ``lang`` for this country.

    Examples
    --------
    >>> country_name("CIV", "fr"), country_name("cod", "en")
    ("Côte d'Ivoire", 'Democratic Republic of the Congo')
    """
    by_code, _, _ = _load(data_dir)
    code = str(iso3).strip().upper()
    entry = by_code.get(code)
    if entry is None:
        raise DataError(f"{iso3!r} is not a known ISO3 country code", column="country",
                        code=ProblemCode.UNKNOWN_COUNTRY)
    name = entry.get(str(lang).strip().lower())
    if not name:
        raise UsageError(f"no {lang!r} name for {code}; the country table has en and fr")
    return str(name)
