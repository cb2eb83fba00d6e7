"""The round's sessions: the ``sessions`` table, and recognising a session as respondents write it.

A roster column, an attendance cell or a feedback form may name a session by its id
(``vc1``), its title (``Session virtuelle 1``) or a spelling of either (``VC 1``,
``vc-1``); `SessionMatcher` maps all of them to the manifest's session id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .codebook import normalize_label
from .manifest import Session

__all__ = ["SessionMatcher", "session_rows", "split_sessions"]

_SPACING = re.compile(r"[\s_-]+")


def session_rows(round_id: str, sessions: Iterable[Session]) -> list[dict[str, Any]]:
    """The rows of the ``sessions`` table: one per session of the manifest."""
    return [{"round_id": round_id, "session_id": session.id, "kind": session.kind,
             "date": pd.Timestamp(session.date) if session.date else None, "title": session.title}
            for session in sessions]


class SessionMatcher:
    """Session ids by their ids and titles, compared as normalised labels.

    Parameters
    ----------
    sessions : iterable of Session
        The manifest's sessions.
    """

    def __init__(self, sessions: Iterable[Session]) -> None:
        self.sessions = tuple(sessions)
        self.tokens: dict[str, str] = {}
        for session in self.sessions:
            for text in (session.id, session.title):
                if text:
                    self.tokens[normalize_label(text)] = session.id

    @property
    def ids(self) -> str:
        """The session ids, for messages: ``vc1, vc2, visit``."""
        return ", ".join(s.id for s in self.sessions)

    def match(self, text: str) -> str | None:
        """The session id ``text`` names (ignoring case, accents, spaces, ``_`` and ``-``), or None."""
        token = normalize_label(text)
        if token in self.tokens:
            return self.tokens[token]
        squeezed = _SPACING.sub("", token)
        for key, session_id in self.tokens.items():
            if _SPACING.sub("", key) == squeezed:
                return session_id
        return None


def split_sessions(value: str | None) -> list[str]:
    """The sessions listed in one cell: pieces separated by ``,``, ``;``, ``|`` or line breaks."""
    if value is None:
        return []
    return [p.strip() for p in re.split(r"[,;|\n]+", value) if p.strip()]
