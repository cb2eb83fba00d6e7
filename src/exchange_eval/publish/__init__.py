"""Notebooks → reports: execute with papermill, export HTML and PDF, write provenance
records and the index."""
