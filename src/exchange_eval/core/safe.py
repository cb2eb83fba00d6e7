"""Output safety: cells Excel cannot run as formulas, text HTML cannot run as markup.

Every writer of spreadsheets and CSV (`core.atomic.write_csv_atomic`, the codebook template,
the results-framework export) neutralises cells through `neutralize_frame`; every HTML
fragment built from data goes through `escape_html`.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["neutralize_formula", "neutralize_frame", "escape_html"]

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$")


def neutralize_formula(value: Any) -> Any:
    """Make a cell safe to open in a spreadsheet (CSV / formula injection, OWASP).

    Parameters
    ----------
    value : Any
        A cell value.

    Returns
    -------
    Any
        For a string starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return:
        the same string behind a ``'``. Anything else unchanged.

    Notes
    -----
    OWASP advises prefixing every such cell. We prefix every *string* cell except those
    that are a plain number (``-1``, ``+0.5``, ``-1,5``): a plain number cannot hold a
    formula, and a prefix would turn a value Excel shows as a number into text. Numbers
    (int, float) are never changed — ``neutralize_frame`` leaves numeric columns alone.
    ``-1+1`` or ``-2+3+cmd|...`` are prefixed.

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula("-1"), neutralize_formula(-1), neutralize_formula("@SUM(A1)")
    ('-1', -1, "'@SUM(A1)")
    """
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Apply `neutralize_formula` to every string cell of a table (a copy; numbers untouched).

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A copy with object, string and categorical-of-string columns neutralised.
    """
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories
            if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
                renamed = [neutralize_formula(c) for c in categories]
                if len(set(renamed)) == len(renamed):
                    out[column] = series.cat.rename_categories(renamed)
                else:  # "'=x" already a category: fall back to plain strings
                    out[column] = series.astype(object).map(neutralize_formula)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            flagged = _formula_like(series)
            if flagged is None:
                out[column] = series.map(neutralize_formula, na_action="ignore")
            elif flagged.any():  # clean cells (almost all) are left as they are, unvisited
                out[column] = series.mask(flagged, series[flagged].map(neutralize_formula))
    return out


def _formula_like(series: pd.Series) -> pd.Series | None:
    """Which cells start like a formula (vectorised); None when the column holds no text."""
    try:
        flagged = series.str.startswith(_FORMULA_TRIGGERS)
    except (AttributeError, TypeError):  # no string at all in an object column
        return None
    return flagged.fillna(False).astype(bool)


def escape_html(text: Any) -> str:
    """Escape respondent text for HTML (``&``, ``<``, ``>``, ``"`` and ``'``).

    Parameters
    ----------
    text : Any
        Text to show; None gives ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> escape_html('<script>alert("x")</script> & l\\'équipe')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; l&#x27;équipe'
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=True)
