"""raw → processed: read a round's manifest and exports, harmonize them through the
codebook, protect people, validate, and write the canonical tables atomically.

`clean_round` and `validate_round` are the entry points (`pipeline` says the stage
order); each stage is its own module:

``manifest``      ``round.yaml``: what a round is and which files hold it
``sources``       read: every source through `exchange_eval.ingest`, with its codebook
``codebook``      matching headers to items and answers to codes (``codebook_files``
                  loads codebooks, ``template`` writes a pre-filled one)
``harmonize``     survey exports → submissions with coded answers (``flags``: select
                  multiple; ``responses``: the long responses; ``dates``: date cells)
``identify``      a row's pid and country; ``protect``: pseudonyms; ``keys``: the
                  pseudonymisation key; ``scrub``: free text without e-mails, phones, names
``people``        roster, participants, attendance, ties, pre/post linkage
``dedup``         one submission per respondent, instrument and wave
``corrections``   the evaluator's ``corrections.csv``
``structured``    improvement plans, JSR self-assessments, RF18 quality sheets
``validate``      pandera schemas; every failure a located `Problem`
``write``         contract dtypes, data hash, ``meta.json``, the atomic folder swap
``log``, ``context``, ``cells``, ``sessions``: what the stages share
``newround``      ``exchange-eval new-round``: a commented ``round.yaml``
"""

from __future__ import annotations

from typing import Any

__all__ = ["CleanResult", "clean_round", "validate_round"]


def __getattr__(name: str) -> Any:
    # the pipeline (pandas, pyarrow, pandera) loads on first use: a build with nothing to
    # clean still reads the key (`keys`) and manifests without it
    if name in __all__:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
