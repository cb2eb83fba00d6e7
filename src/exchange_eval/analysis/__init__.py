"""Analysis layer: pure functions, tidy DataFrames in, tidy DataFrames out.

Modules follow the families of methods (see ``docs/contracts.md``): `stats` (tests,
effect sizes, reliability, multiplicity), `suppress` (small-cell suppression),
`participation`, `likert`, `outcomes`, `quality`, and the modules of the JSR, network,
plan, tool and cross-round analyses. Nothing here reads or writes files.

Submodules are not imported here so that importing one analysis module never drags in
the others (and their optional dependencies).
"""

from __future__ import annotations

from ..core.errors import ExchangeEvalError

__all__ = ["AnalysisError"]


class AnalysisError(ExchangeEvalError):
    """An analysis function was given input it cannot analyse (wrong shape, unknown scale
    level, duplicated answers), with a sentence saying what to fix."""
