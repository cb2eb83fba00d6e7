"""Text folding: the one definition of "the same words" used for matching everywhere.

Headers, answers, names, countries and comment keywords arrive in French and English with
and without accents, ligatures and curly apostrophes. Every matcher folds with `fold`
and treats apostrophes through `APOSTROPHES`, so two modules can never disagree on
whether ``Côte d’Ivoire`` and ``cote d'ivoire`` are the same text.
"""

from __future__ import annotations

import unicodedata

__all__ = ["APOSTROPHES", "fold", "straight_apostrophes", "strip_accents"]

# every character people and platforms use as an apostrophe (the straight one first)
APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4\u02bb\u2032"
_STRAIGHT = str.maketrans({ch: "'" for ch in APOSTROPHES[1:]})
# letters that Unicode decomposition does not split into base letter + accent
_LETTERS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
     "ł": "l", "Ł": "L", "ı": "i", "ħ": "h", "þ": "th", "ð": "d", "ß": "ss"}
)


def straight_apostrophes(text: str) -> str:
    """Every apostrophe-like character as ``'``.

    Examples
    --------
    >>> straight_apostrophes("J’ai l`avis d´un N‘Diaye")
    "J'ai l'avis d'un N'Diaye"
    """
    return text.translate(_STRAIGHT)


def strip_accents(text: str) -> str:
    """Accents removed and ligatures spelled out, case kept (NFKD, combining marks dropped).

    Examples
    --------
    >>> strip_accents("Œuvre Durée Ærø")
    'OEuvre Duree AEro'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case- and accent-folded text: `strip_accents`, then `str.casefold`.

    Apostrophes and spacing are left as they are; matchers decide what to do with them.

    Examples
    --------
    >>> fold("Œuvre, Durée, FRANÇAIS, Straße")
    'oeuvre, duree, francais, strasse'
    """
    return strip_accents(str(text)).casefold()
