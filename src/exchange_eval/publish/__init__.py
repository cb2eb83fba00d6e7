"""Notebooks → reports: what a report is, how it is executed, exported and listed.

- `spec`: `ReportSpec` (notebook, parameters, file names), round/synthesis/review specs,
  formats and languages, `provenance` (computed once per report).
- `execute`: papermill with injected parameters; a failed run leaves evidence
  (``<name>.failed.ipynb``) and raises a `ReportError` naming the cell. `kernel`: the
  interpreter that runs the notebooks.
- `export`: HTML in the offline page shell (`page`), the external-resource scanner, PDF.
- `report`: `publish_report` chains the three for one spec and writes the JSON record;
  outputs are swapped in together (`staging`).
- `index`: ``reports/index.html`` from the records.

Deciding what to publish, and cleaning first, belongs to `exchange_eval.build`.
"""
