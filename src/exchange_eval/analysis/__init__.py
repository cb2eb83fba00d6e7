"""Analysis layer: pure functions, tidy DataFrames and explicit settings in, tidy
DataFrames out.

Modules follow the families of methods (see ``docs/contracts.md``): `stats` (tests,
effect sizes, reliability, multiplicity), `suppress` (small-cell suppression), `waves`
(the one order of survey waves), `participation`, `likert`, `feedback` (L1), `outcomes`
(L2), `plans` (L3), `jsr` and `did` (L4), `pulse`, `network`, `tools`, `quality` and
`review` (the feedback review), `crossround` and `synthesis` (across rounds).

Nothing here reads or writes files, the configuration or the environment: every setting
(k, the paired-test options, thresholds, choice lists, dimensions, themes, the wave
order) is an argument, which the presentation layer passes from a `core.config.Config`.

Submodules are not imported here so that importing one analysis module never drags in
the others (and their optional dependencies).
"""

from __future__ import annotations

from ..core.errors import ExchangeEvalError

__all__ = ["AnalysisError"]


class AnalysisError(ExchangeEvalError):
    """An analysis function was given input it cannot analyse (wrong shape, unknown scale
    level, duplicated answers), with a sentence saying what to fix."""
