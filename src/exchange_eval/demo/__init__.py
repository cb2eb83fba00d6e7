"""Synthetic exchange rounds that look like what evaluators really receive.

`write_demo` writes one folder per round under ``<data_dir>/raw/`` — a ``round.yaml`` and
the exports as the platforms produce them — and ``<data_dir>/demo_truth.json`` with the
effects planted in the data and how each one is defined, so tests and the benchmark can
check that the pipeline recovers them. Three kinds of round are cycled:

``jsr_fr``
    Francophone JSR exchange. Roster saved by French Excel (``inscriptions.csv``: cp1252,
    ``;``, CRLF, decimal comma, dd/mm/yyyy); KoboToolbox CSV exports with French label
    headers and group paths (``kobo_pre.csv``, ``kobo_post.csv`` with the retro answers in
    the group "Avant l'échange", ``kobo_outils.csv`` for the tool feedback,
    ``kobo_feedback.csv`` for every session); improvement plans as a French Excel CSV.
``jsr_en``
    Anglophone JSR exchange. Roster as ``.xlsx``; SurveyMonkey CSV exports with two header
    rows and matrix questions (``sm_pre.csv``, ``sm_post.csv``, ``sm_tools.csv``,
    ``sm_feedback_<session>.csv``); improvement plans as ``.xlsx``.
``network``
    SALEX-like learning network. Google Forms CSV exports: pulse surveys with
    PARTNER-style grid questions ("Collaboration [Org]") and one feedback form per webinar;
    roster as a Google Sheets CSV.

Every survey round plants: one duplicate submission (the later one complete), one
respondent who answered the first wave only, one straight-liner, one person without
e-mail (JSR rounds) identified by name and country, e-mails typed with other case or
spaces, item nonresponse, and free-text comments naming another participant, giving an
e-mail address and a phone number, and holding markup. Output is byte-identical for a
given seed.

Modules, in the order data flows through them:

``model``          the vocabulary: `RoundPlan`, `Person`, `Question`, `Submission`, `RoundContext`
``people``         fake participants and the cast carrying the planted problems
``answers``        answers with the planted effects, and when each form was filled in
``forms``          the questions as each platform shows them; the text of an answer cell
``kobo``, ``surveymonkey``, ``google_forms``, ``workbooks``, ``manifest``
                   one writer per platform or file format
``jsr``, ``network``  one writer per kind of round, each returning its truth record
``generator``      `write_demo`: plans the rounds, writes them, saves the truth file
"""

from .generator import SPEC_NAME, TRUTH_NAME, demo_round_ids, write_demo
from .kobo import KOBO_META
from .surveymonkey import SM_META

__all__ = ["KOBO_META", "SM_META", "SPEC_NAME", "TRUTH_NAME", "demo_round_ids", "write_demo"]
