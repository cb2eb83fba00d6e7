"""Translation tables: complete in every language, placeholders filled, labels from config."""

from __future__ import annotations

import re

import pytest

from exchange_eval.core.config import Config
from exchange_eval.present import i18n
from exchange_eval.present.i18n import TranslationError, t
from exchange_eval.present.labels import Labels

LABELS = Labels(Config())


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


def test_a_missing_key_is_an_error_wherever_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)  # as in a report kernel
    monkeypatch.delenv("EXCHANGE_EVAL_STRICT_I18N", raising=False)
    with pytest.raises(TranslationError, match="no.such.key"):
        t("no.such.key", "fr")
    assert i18n.translate_or("no.such.key", "fr", "fallback") == "fallback"
    assert i18n.translate_or("common.n_pairs", "en", "fallback", n=2) == t("common.n_pairs", "en", n=2)


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(TranslationError, match="xx"):
        i18n.check_language("xx")
    assert i18n.check_language("FR") == "fr"
    assert i18n.check_language(None) == "en"


def test_choice_labels() -> None:
    assert LABELS.choice("agree5", 5, "fr") == "Tout à fait d'accord"
    assert LABELS.choice("agree5", 1.0, "en") == "Strongly disagree"
    assert LABELS.choice("plan_status", "done", "fr") == "Réalisé"
    assert LABELS.choice("agree5", 9, "en") == "9"  # unknown codes are shown, not lost
    assert LABELS.levels("agree5") == [1, 2, 3, 4, 5]


def test_item_outcome_dimension_labels() -> None:
    assert LABELS.item("ok_functions", "fr") == "Ma connaissance des fonctions essentielles d'une RSC efficace"
    assert LABELS.item("sf_topics.guidelines", "en").endswith("JSR guidelines")
    assert LABELS.item("unknown_item", "en") == "unknown_item"
    assert LABELS.outcome("new_knowledge", "fr") == "Nouvelles connaissances"
    assert LABELS.dimension("evidence", "en") == "Evidence-based"
    assert LABELS.criterion("csos_speak", "fr") == "La société civile s'exprime en plénière"
    assert LABELS.theme("time", "fr") == "Temps et durée" and LABELS.theme("other", "en") == t("theme.other", "en")
    assert LABELS.of("dimension", "evidence", "en") == "Evidence-based"
    assert LABELS.of("wave", "pulse-3", "en") == "Pulse survey 3" and LABELS.of("round_id", "r1", "en") == "r1"


def test_labels_follow_the_data_folders_configuration(tmp_path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dimensions.yaml").write_text(
        "dimensions:\n  - {id: evidence, label_en: Uses data, label_fr: Utilise des données}\n", encoding="utf-8")
    (tmp_path / "config" / "countries.yaml").write_text(
        "XKX: {iso2: XK, en: Kosovo, fr: Kosovo (fr)}\n", encoding="utf-8")
    labels = Labels(Config(tmp_path))
    assert labels.dimension("evidence", "fr") == "Utilise des données"
    assert LABELS.dimension("evidence", "fr") != "Utilise des données"
    assert labels.country("XKX", "fr") == "Kosovo (fr)"


def test_session_wave_group_tool_labels() -> None:
    assert i18n.session_label("vc2", "fr") == "Visioconférence 2"
    assert i18n.session_label("webinar-7", "en", title="Webinar on data") == "Webinar on data"
    assert i18n.wave_label("followup-2", "fr") == "Suivi 2"
    assert i18n.wave_label("pulse-3", "en") == "Pulse survey 3"
    assert i18n.group_label("comparison", "fr") == "Pays de comparaison"
    assert i18n.tool_label("self_assessment", "en") == "JSR self-assessment tool"


def test_country_names() -> None:
    assert LABELS.country("SEN", "fr") == "Sénégal"
    assert LABELS.country("sen", "en") == "Senegal"
    assert LABELS.country("TCD", "fr") == "Tchad"
    assert LABELS.country("XYZ", "en") == "XYZ"


def test_names_from_the_translation_tables() -> None:
    assert i18n.instrument_name("outcomes", "en") == t("instrument.outcomes", "en")
    assert i18n.instrument_name("my_survey", "fr") == "my_survey"
    assert i18n.community_name("jsr-exchange", "fr") == "Échange entre pays sur les RSC"
    assert i18n.language_name("fr", "fr") == "français"


def test_french_typography_keeps_signs_with_their_words() -> None:
    assert i18n.typography("Cycles : a ; b ? « c » 12 %", "fr") == (
        "Cycles\u202f: a\u202f; b\u202f? «\u202fc\u202f» 12\u202f%"
    )
    assert i18n.typography("Note: 12 %", "en") == "Note: 12 %"  # English spacing untouched
