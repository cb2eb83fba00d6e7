"""What the stages of one round's cleaning share: the round, its configuration, its findings.

Each stage is a function that takes a `RoundContext` and the previous stage's output and
returns its own; the context carries what is fixed for the round (manifest, configuration,
pseudonymisation key) and collects what every stage reports (problems, cleaning log).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.config import Config
from .log import CleaningLog, ProblemList
from .manifest import Manifest

if TYPE_CHECKING:
    from .form_codebook import FormCodebook
    from .forms import Form

__all__ = ["RoundContext"]


@dataclass
class RoundContext:
    """One round being cleaned.

    Attributes
    ----------
    round_id : str
        The round's id.
    manifest : Manifest
        Its ``round.yaml``.
    config : Config
        The data folder's configuration (`Workspace.config`).
    key : bytes
        The pseudonymisation key (`exchange_eval.clean.keys.load_key`).
    problems : ProblemList
        Every problem found so far.
    log : CleaningLog
        Every change made so far.
    forms : dict
        The XLSForms the sources name (path -> `Form`), as read; ``form_codebook`` their
        coded lists and entries.
    coverage : list
        What each source's columns became (`exchange_eval.clean.coverage.Coverage`).
    mappings : dict
        Source file -> column -> the codebook entry it maps to (the data dictionary is
        built from them).
    """

    round_id: str
    manifest: Manifest
    config: Config
    key: bytes
    problems: ProblemList
    log: CleaningLog
    forms: dict[Path, Form] = field(default_factory=dict)
    form_codebook: FormCodebook | None = None
    coverage: list[Any] = field(default_factory=list)
    mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
