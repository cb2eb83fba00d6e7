"""Translation tables: complete in every language, placeholders filled, labels from config."""

from __future__ import annotations

import re

import pytest

from exchange_eval.present import i18n
from exchange_eval.present.i18n import TranslationError, t


def test_available_languages_are_the_files_present() -> None:
    files = sorted(p.stem for p in i18n.TRANSLATIONS_DIR.glob("*.yaml"))
    assert i18n.available_languages() == files
    assert {"en", "fr"} <= set(files)


def test_every_language_has_every_key() -> None:
    reference = i18n.keys("en")
    for lang in i18n.available_languages():
        assert i18n.keys(lang) == reference, f"{lang}.yaml differs from en.yaml"


def test_placeholders_agree_between_languages() -> None:
    def placeholders(text: str) -> set[str]:
        return set(re.findall(r"{(\w+)}", text))

    # sentences about a subject receive it both as written and lower-cased (for English
    # mid-sentence use); a language may pick either
    interchangeable = {"subject", "subject_lower"}
    for key in i18n.keys("en"):
        en = placeholders(t(key, "en"))
        for lang in i18n.available_languages():
            other = placeholders(t(key, lang))
            if en & interchangeable:
                assert other - interchangeable == en - interchangeable, key
            else:
                assert other == en, f"{key} ({lang}) has other placeholders"


def test_format_and_missing_key() -> None:
    assert t("common.n_pairs", "en", n=9) == "n\u00a0=\u00a09 pairs"
    assert t("common.n_pairs", "fr", n=9) == "n\u00a0=\u00a09 paires"
    with pytest.raises(TranslationError, match="no.such.key"):
        t("no.such.key", "en")
    with pytest.raises(TranslationError):
        t("common.n_pairs", "en", m=1)  # placeholder not supplied


def test_missing_key_at_run_time_shows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("EXCHANGE_EVAL_STRICT_I18N", raising=False)
    assert t("no.such.key", "fr") == "no.such.key"


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(TranslationError, match="xx"):
        i18n.check_language("xx")
    assert i18n.check_language("FR") == "fr"
    assert i18n.check_language(None) == "en"


def test_choice_labels() -> None:
    assert i18n.label("agree5", 5, "fr") == "Tout à fait d'accord"
    assert i18n.label("agree5", 1.0, "en") == "Strongly disagree"
    assert i18n.label("plan_status", "done", "fr") == "Réalisé"
    assert i18n.label("agree5", 9, "en") == "9"  # unknown codes are shown, not lost


def test_item_outcome_dimension_labels() -> None:
    assert i18n.item_label("ok_functions", "fr") == "Ma connaissance des fonctions essentielles d'une RSC efficace"
    assert i18n.item_label("sf_topics.guidelines", "en").endswith("JSR guidelines")
    assert i18n.item_label("unknown_item", "en") == "unknown_item"
    assert i18n.outcome_label("new_knowledge", "fr") == "Nouvelles connaissances"
    assert i18n.dimension_label("evidence", "en") == "Evidence-based"
    assert i18n.criterion_label("csos_speak", "fr") == "La société civile s'exprime en plénière"


def test_session_wave_group_tool_labels() -> None:
    assert i18n.session_label("vc2", "fr") == "Visioconférence 2"
    assert i18n.session_label("webinar-7", "en", title="Webinar on data") == "Webinar on data"
    assert i18n.wave_label("followup-2", "fr") == "Suivi 2"
    assert i18n.wave_label("pulse-3", "en") == "Pulse survey 3"
    assert i18n.group_label("comparison", "fr") == "Pays de comparaison"
    assert i18n.tool_label("self_assessment", "en") == "JSR self-assessment tool"


def test_country_names() -> None:
    assert i18n.country_name("SEN", "fr") == "Sénégal"
    assert i18n.country_name("sen", "en") == "Senegal"
    assert i18n.country_name("TCD", "fr") == "Tchad"
    assert i18n.country_name("XYZ", "en") == "XYZ"


def test_french_typography_keeps_signs_with_their_words() -> None:
    assert i18n.typography("Cycles : a ; b ? « c » 12 %", "fr") == (
        "Cycles\u202f: a\u202f; b\u202f? «\u202fc\u202f» 12\u202f%"
    )
    assert i18n.typography("Note: 12 %", "en") == "Note: 12 %"  # English spacing untouched
