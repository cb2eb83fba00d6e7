"""Cells as cleaning sees them: a stripped text, or None when there is nothing in it.

Readers give text cells (``pd.NA`` when empty); configuration and codebook sheets may
give numbers or NaN. Every stage asks the same questions of a cell through here: is it
blank, what does it say, does it say yes or no.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["NO_TOKENS", "YES_TOKENS", "cell_text", "is_blank"]

#: a yes/no cell (after `exchange_eval.clean.codebook.normalize_label`) saying yes, or no
YES_TOKENS = frozenset({"1", "yes", "oui", "y", "o", "x", "true", "vrai", "present", "attended", "checked",
                        "coche", "si"})
NO_TOKENS = frozenset({"0", "no", "non", "n", "false", "faux", "absent", ""})


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing: None, NaN/NA, or only white space."""
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip()


def cell_text(value: Any) -> str | None:
    """The cell's text without surrounding white space, or None when it is blank.

    Examples
    --------
    >>> cell_text("  Sénégal "), cell_text("   "), cell_text(4)
    ('Sénégal', None, '4')
    """
    return None if is_blank(value) else str(value).strip()
