"""raw → processed: read a round's manifest and exports, harmonize them through the
codebook, validate, protect people, and write the canonical tables atomically.

`clean_round` and `validate_round` are the entry points; each stage is its own module.
"""

from .pipeline import CleanResult, clean_round, validate_round

__all__ = ["CleanResult", "clean_round", "validate_round"]
