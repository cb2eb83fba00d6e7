"""Start a round: ``data/raw/<round>/round.yaml`` from a commented template.

The template is a complete manifest: once the export files it names are in the folder
(or the `sources` list names the real ones), `exchange_eval.clean.manifest.load_manifest`
accepts it. Values to change are marked ``CHANGE``.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import write_bytes_atomic
from ..core.config import translation_languages
from ..core.errors import ManifestError, UsageError
from ..core.paths import MANIFEST_NAME, Workspace, check_round_id

__all__ = ["create_round", "manifest_template"]

_TEMPLATES = {
    "en": """\
# Manifest of round {round_id}: what the round is and which files hold its data.
# 1. Change the values marked CHANGE.
# 2. Put the survey exports in this folder and list each one under `sources:`.
# 3. Check with:  exchange-eval validate {round_id}
round: "{round_id}"               # the round id; must stay equal to the folder name
title: "{round_id}"               # CHANGE: title shown on the report, e.g. JSR exchange 2025, cohort A
community: jsr-exchange           # jsr-exchange, a learning network's name, or study-visit
language: "{language}"                    # language of the exports and default language of the report
# year: 2025                      # optional: year of the round
host: SEN                         # CHANGE: ISO3 code of the host country (or delete the line)
countries: [SEN, BFA, CIV, TCD]   # CHANGE: ISO3 codes of the participating countries
# comparison: [MLI, NER, TGO]     # optional: countries that did not take part, for RF18 comparisons
sessions:                         # add `date: 2025-02-10` and `title: ...` to each session
  - {{id: vc1, kind: virtual}}
  - {{id: vc2, kind: virtual}}
  - {{id: vc3, kind: virtual}}
  - {{id: visit, kind: observation}}
# codebook: codebook.xlsx         # optional: maps column headers to items (codebook.xlsx here is used unnamed)
sources:
  # One line per export file in this folder. instrument: roster, session_feedback,
  # outcomes, tool_feedback, pulse, ties, plan_actions, jsr_assessment, jsr_quality.
  # wave: pre, post, retro, followup-1, pulse-1, ... The platform (kobo, odk,
  # surveymonkey, google_forms, ms_forms, qualtrics, limesurvey, spreadsheet, stata,
  # spss) is recognised from the file unless given as `platform:`. A survey exported from
  # your own Kobo/ODK questionnaire names its XLSForm, which is then its codebook:
  # `form: questionnaire.xlsx` (see docs/your-own-round.md).
  - {{file: roster.xlsx, instrument: roster}}                    # CHANGE: file names
  - {{file: pre_survey.csv, instrument: outcomes, wave: pre}}
  - {{file: post_survey.csv, instrument: outcomes, wave: post}}
  # - {{file: vc1_feedback.csv, instrument: session_feedback, session: vc1, form: feedback.xlsx}}
  # - {{file: plan.xlsx, instrument: plan_actions, sheet: Plan}}
""",
    "fr": """\
# Manifeste de la série {round_id} : ce qu'est la série et quels fichiers contiennent ses données.
# 1. Modifiez les valeurs marquées CHANGE.
# 2. Placez les exports d'enquête dans ce dossier et listez chacun sous `sources:`.
# 3. Vérifiez avec :  exchange-eval validate {round_id}
round: "{round_id}"               # identifiant de la série ; doit rester égal au nom du dossier
title: "{round_id}"               # CHANGE : titre du rapport, p. ex. Échange RSC 2025, cohorte A
community: jsr-exchange           # jsr-exchange, le nom d'un réseau d'apprentissage, ou study-visit
language: "{language}"                    # langue des exports et langue par défaut du rapport
# year: 2025                      # facultatif : année de la série
host: SEN                         # CHANGE : code ISO3 du pays hôte (ou supprimez la ligne)
countries: [SEN, BFA, CIV, TCD]   # CHANGE : codes ISO3 des pays participants
# comparison: [MLI, NER, TGO]     # facultatif : pays non participants, pour les comparaisons RF18
sessions:                         # ajoutez `date: 2025-02-10` et `title: ...` à chaque session
  - {{id: vc1, kind: virtual}}
  - {{id: vc2, kind: virtual}}
  - {{id: vc3, kind: virtual}}
  - {{id: visit, kind: observation}}
# codebook: codebook.xlsx         # facultatif : relie les en-têtes aux items (codebook.xlsx ici est lu sans être nommé)
sources:
  # Une ligne par fichier d'export de ce dossier. instrument : roster, session_feedback,
  # outcomes, tool_feedback, pulse, ties, plan_actions, jsr_assessment, jsr_quality.
  # wave : pre, post, retro, followup-1, pulse-1, ... La plateforme (kobo, odk,
  # surveymonkey, google_forms, ms_forms, qualtrics, limesurvey, spreadsheet, stata,
  # spss) est reconnue d'après le fichier, sauf si `platform:` est indiqué. Une enquête
  # exportée de votre propre questionnaire Kobo/ODK nomme son XLSForm, qui sert alors de
  # dictionnaire de codes : `form: questionnaire.xlsx` (voir docs/your-own-round.md).
  - {{file: roster.xlsx, instrument: roster}}                    # CHANGE : noms des fichiers
  - {{file: pre_survey.csv, instrument: outcomes, wave: pre}}
  - {{file: post_survey.csv, instrument: outcomes, wave: post}}
  # - {{file: vc1_feedback.csv, instrument: session_feedback, session: vc1, form: feedback.xlsx}}
  # - {{file: plan.xlsx, instrument: plan_actions, sheet: Plan}}
""",
}


def manifest_template(round_id: str, language: str = "en") -> str:
    """The text of a new round's ``round.yaml``.

    Parameters
    ----------
    round_id : str
        A valid round id (`exchange_eval.core.paths.check_round_id`).
    language : str, default "en"
        Two-letter language of the sources; the comments are in French for ``fr`` and in
        English otherwise.

    Returns
    -------
    str

    Raises
    ------
    UsageError
        If the round id is not allowed or ``language`` has no translation table.

    Notes
    -----
    The round id and title are quoted: an unquoted id such as ``0123``, ``1_000`` or
    ``no`` would be read by YAML as a number or a boolean and no longer match its folder.
    """
    try:
        check_round_id(round_id)
    except ManifestError as exc:  # a bad command-line argument: usage error, exit code 2
        raise UsageError(exc.problem.message) from None
    lang = str(language).strip().lower()
    known = translation_languages()
    if lang not in known:  # the round's language is its reports' default language
        raise UsageError(f"language {language!r} has no translation table; use one of {', '.join(known)}")
    return _TEMPLATES.get(lang, _TEMPLATES["en"]).format(round_id=round_id, language=lang)


def create_round(ws: Workspace, round_id: str, language: str = "en") -> Path:
    """Create ``data/raw/<round_id>/round.yaml`` from the commented template.

    Parameters
    ----------
    ws : Workspace
        The project folders.
    round_id : str
        The new round's id: lower-case letters, digits, ``-`` and ``_``.
    language : str, default "en"
        Two-letter language of the sources and default report language.

    Returns
    -------
    Path
        The manifest written.

    Raises
    ------
    UsageError
        If the round id is not allowed (`exchange_eval.core.paths.check_round_id`), the
        round already has a manifest, or ``language`` has no translation table.

    Notes
    -----
    A folder that exists without a ``round.yaml`` (exports copied in first) is used as
    it is; nothing in it is touched. The manifest is never overwritten, even by another
    process creating it at the same moment.
    """
    text = manifest_template(round_id, language)
    folder = ws.raw_round(round_id)
    path = folder / MANIFEST_NAME
    if path.exists():
        raise UsageError(f"round {round_id!r} already exists ({path}); edit its {MANIFEST_NAME} instead")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    try:
        write_bytes_atomic(path, text.encode("utf-8"), overwrite=False)
    except FileExistsError:
        raise UsageError(f"round {round_id!r} already exists ({path}); edit its {MANIFEST_NAME} instead") from None
    return path
