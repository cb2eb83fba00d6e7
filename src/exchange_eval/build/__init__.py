"""Build everything that changed: clean rounds, then round reports, synthesis, review, index.

The only orchestrator (freshness → clean → publish). The dependency graph is fixed and
small::

    data/raw/<round>/* + config ──clean──▶ data/processed/<round>/ (meta.json: data_hash)
    processed round + round_report.ipynb ──▶ reports/<round>/round_report.*
    every built round + synthesis_report.ipynb / feedback_review.ipynb ──▶ reports/synthesis|review/
    reports/*/*.json ──▶ reports/index.html

- `orchestrator`: `build_all` (everything that changed, in parallel) and `build_one` (one
  report now: the ``report``, ``synthesis`` and ``review`` commands).
- `plan`: which reports to build, skip or report failed again; `BuildResult`.
- `cache`: the build manifest ``reports/.build-manifest.json`` (file hashes, the input
  fingerprint each round was cleaned from, report keys), written atomically.
- `workers`: tasks run in long-lived ``spawn`` worker processes that import papermill,
  nbconvert and weasyprint once and fork each report's kernel from a zygote that
  imported the report libraries once; only the parent prints (`progress`).
- `watch`: rebuild a round's reports each time its raw files change, its own-language
  report first (``exchange-eval watch ROUND``).

A failing round is reported and the other rounds, the synthesis and the review (over the
rounds that succeeded) still build. A build with nothing to do imports neither pandas nor
papermill and starts no kernel.
"""

from .cache import MANIFEST_FILE, BuildCache, clean_is_current, record_clean
from .orchestrator import build_all, build_one
from .plan import BuildResult
from .watch import watch

__all__ = [
    "MANIFEST_FILE",
    "BuildCache",
    "BuildResult",
    "build_all",
    "build_one",
    "clean_is_current",
    "record_clean",
    "watch",
]
