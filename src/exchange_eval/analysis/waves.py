"""The one order of survey waves: every table, figure and model that lists waves uses it.

Waves are ``pre``, ``retro``, ``post``, ``followup-N``, ``pulse-N`` and, for session
feedback, the session ids of the round manifest. The configured order
(``settings.yaml`` ``cleaning.wave_order``) comes first, then the sessions in the
manifest's order, then any other wave by its trailing number and name (so ``pulse-10``
follows ``pulse-2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

__all__ = ["wave_order", "sort_by_wave", "manifest_sessions"]

_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


def wave_order(
    waves: Iterable[object], configured: Sequence[str] = (), sessions: Sequence[str] = ()
) -> list[str]:
    """The distinct waves of ``waves`` (as text), in survey order.

    Parameters
    ----------
    waves : iterable
        Wave labels (missing values are left out).
    configured : sequence of str
        The configured wave order (``settings.yaml`` ``cleaning.wave_order``).
    sessions : sequence of str
        Session ids in the manifest's order; they follow the configured waves.

    Returns
    -------
    list of str
        Configured waves first, then sessions, then the others by trailing number and name.

    Examples
    --------
    >>> wave_order(["pulse-10", "w1", "pulse-2", "post", "pre"], ["pre", "post"], ["w1"])
    ['pre', 'post', 'w1', 'pulse-2', 'pulse-10']
    """
    order = [str(w) for w in configured]
    order += [str(s) for s in sessions if str(s) not in order]
    rank = {w: i for i, w in enumerate(order)}

    def key(wave: str) -> tuple[int, int, str]:
        match = _TRAILING_NUMBER.search(wave)
        return (rank.get(wave, len(rank)), int(match.group(1)) if match else 0, wave)

    return sorted({str(w) for w in waves if not pd.isna(w)}, key=key)


def sort_by_wave(
    df: pd.DataFrame,
    configured: Sequence[str] = (),
    sessions: Sequence[str] = (),
    *,
    by: Sequence[str] = (),
    column: str = "wave",
) -> pd.DataFrame:
    """Rows of ``df`` sorted by ``by`` columns, then by `wave_order` of ``column``.

    Rows without a wave come last; the sort is stable and the index is reset.
    """
    ordered = wave_order(df[column], configured, sessions)
    position = {w: i for i, w in enumerate(ordered)}
    rank = df[column].map(lambda w: len(position) if pd.isna(w) else position[str(w)])
    return (df.assign(_wave_rank=rank)
            .sort_values([*by, "_wave_rank"], kind="stable")
            .drop(columns="_wave_rank").reset_index(drop=True))


def manifest_sessions(*metas: Mapping) -> list[str]:
    """Session ids of the round manifests (``sessions``), in order, each once."""
    return list(dict.fromkeys(str(s.get("id")) for meta in metas for s in meta.get("sessions") or []))

