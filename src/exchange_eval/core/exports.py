"""What a report notebook hands to the publishing step beside its page.

A notebook displays one output of MIME type `EXPORT_MIME` (the results framework with
translated headers and raw numbers, and the report's one-sentence headline); no HTML
exporter shows it. `present` writes it, `publish.workbook` reads it: the name lives here,
below both, so the build can plan reports without importing the presentation layer.
"""

from __future__ import annotations

__all__ = ["EXPORT_MIME"]

#: MIME type of the export output of an executed report notebook.
EXPORT_MIME = "application/vnd.exchange-eval.export+json"
