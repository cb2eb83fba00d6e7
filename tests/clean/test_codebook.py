"""Codebook: header matching (labels in two languages, retro markers, grids, split options),
answer harmonisation, round codebook overlays and the template writer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exchange_eval.clean.codebook import normalize_label, parse_recode
from exchange_eval.clean.codebook_files import load_codebook
from exchange_eval.clean.template import default_template_path, write_template
from exchange_eval.core.errors import DataError, DataErrors, UsageError
from exchange_eval.core.paths import Workspace


@pytest.fixture
def codebook():
    return load_codebook()


def test_normalize_label_folds_case_accents_apostrophes_and_trailing_marks():
    assert normalize_label("  Quels thèmes ont été les plus utiles ?* ") == "quels themes ont ete les plus utiles"
    assert normalize_label("J’ai eu   suffisamment d’occasions :") == "j'ai eu suffisamment d'occasions"
    assert normalize_label(None) == ""


@pytest.mark.parametrize(
    "header",
    [
        "My knowledge of the core functions of an effective JSR",
        "Ma connaissance des fonctions essentielles d’une RSC efficace ?",
        "ok_functions",
        "groupe_connaissances/ok_functions",
        "Aujourd'hui/Ma connaissance des fonctions essentielles d'une RSC efficace",
        "Today/My knowledge of the core functions of an effective JSR/Response",
    ],
)
def test_item_matches_by_english_label_french_label_and_item_id(codebook, header):
    entry = codebook.match(header, "outcomes")
    assert entry is not None
    assert (entry.role, entry.item_id, entry.instrument, entry.outcome, entry.choices) == (
        "item", "ok_functions", "outcomes", "new_knowledge", "level5")
    assert entry.retro is False


@pytest.mark.parametrize(
    "header",
    [
        "Before the exchange: My knowledge of the JSR guidelines and tools",
        "Before the exchange/My knowledge of the JSR guidelines and tools",
        "Avant l'échange/Ma connaissance du guide et des outils des RSC",
        "AVANT L’ÉCHANGE – Ma connaissance du guide et des outils des RSC",
        "post/Avant l'echange/ok_guidelines",
    ],
)
def test_retro_marker_in_any_segment_flags_the_column_as_retro(codebook, header):
    entry = codebook.match(header, "outcomes")
    assert entry is not None and entry.item_id == "ok_guidelines" and entry.retro is True


def test_fields_grids_and_split_options(codebook):
    assert codebook.match("Identification/Adresse e-mail", "outcomes").role == "email"
    assert codebook.match("Email Address", "outcomes").role == "email"
    assert codebook.match("Pays", "roster").role == "country"
    assert codebook.match("IP Address", "outcomes").role == "ip"
    assert codebook.match("_uuid", "outcomes").role == "ignore"
    grid = codebook.match("Collaboration/Fondation X", "pulse")
    assert (grid.role, grid.item_id, grid.alter, grid.choices) == ("grid", "collaboration", "Fondation X", "collaboration")
    bracket = codebook.match("Reliability [Org B]", "pulse")
    assert (bracket.item_id, bracket.alter) == ("trust_reliability", "Org B")
    french = codebook.match("Réseau/Fiabilité/Ministère de l'Éducation", "pulse")
    assert (french.item_id, french.alter) == ("trust_reliability", "Ministère de l'Éducation")
    option = codebook.match("Appréciation/Quels thèmes ont été les plus utiles ?/Guide des RSC", "session_feedback")
    assert (option.item_id, option.option) == ("sf_topics", "guidelines")
    xml_option = codebook.match("sf_topics/maturity_ladder", "session_feedback")
    assert (xml_option.item_id, xml_option.option) == ("sf_topics", "maturity_ladder")
    assert codebook.match("Which topics were most useful?", "session_feedback").option is None
    assert codebook.match("Favourite colour", "outcomes") is None


def test_values_match_codes_and_labels_in_every_language(codebook):
    for raw in ("5", "5.0", "Strongly agree", "Tout à fait d’accord", " tout a fait d'accord "):
        coded = codebook.code(raw, "agree5")
        assert (coded.status, coded.code, coded.value, coded.label) == ("ok", "5", 5.0, "Strongly agree")
    assert codebook.code("NSP", "agree5").status == "missing"
    assert codebook.code("-99", "level5").status == "missing"
    assert codebook.code("", "agree5").status == "empty"
    unknown = codebook.code("Plutôt d'accord", "agree5")
    assert (unknown.status, unknown.raw) == ("unknown", "Plutôt d'accord")
    assert codebook.allowed("agree5") == ["1", "2", "3", "4", "5"]
    assert codebook.code("12", None, kind="integer").value == 12.0
    assert codebook.code("douze", None, kind="integer").status == "unknown"


def test_recode_pairs_and_reversal(codebook):
    assert parse_recode("5=4;4=5") == {"5": "4", "4": "5"}
    assert parse_recode("1-5") == ("reverse", 1, 5)
    assert parse_recode("") is None
    assert codebook.code("Agree", "agree5", recode=parse_recode("1-5")).value == 2.0
    assert codebook.code("Agree", "agree5", recode=parse_recode("5=4;4=5")).value == 5.0
    with pytest.raises(DataError, match="recode"):
        parse_recode("reverse please")


@pytest.mark.parametrize(
    "cell, codes, unknown",
    [
        ("guidelines maturity_ladder", ["guidelines", "maturity_ladder"], []),  # Kobo codes
        ("JSR guidelines, Peer country practices", ["guidelines", "country_practice"], []),  # Google
        ("Guide des RSC;Outil d'auto-évaluation;", ["guidelines", "self_assessment"], []),  # MS Forms
        ("Self-assessment tool, Astrology", ["self_assessment"], ["astrology"]),
    ],
)
def test_select_multiple_split(codebook, cell, codes, unknown):
    assert codebook.split_multiple(cell, "topics") == (codes, unknown)


def test_round_codebook_overlays_the_default(tmp_path):
    book = tmp_path / "codebook.csv"
    pd.DataFrame(
        [
            {"source": "Q7 knowledge", "item_id": "ok_functions", "recode": "1-5"},
            {"source": "re:^Q8_.*$", "item_id": "satisfaction", "instrument": "pulse", "choices": "yesno"},
            {"source": "Pays", "role": "ignore"},
            {"source": "Q9 before", "item_id": "ok_guidelines", "wave": "retro"},
        ]
    ).to_csv(book, index=False)
    pd.DataFrame(
        [
            {"list_name": "yesno", "value": 1, "label_en": "Yes", "label_fr": "Oui", "label_pt": "Sim"},
            {"list_name": "yesno", "value": 0, "label_en": "No", "label_fr": "Non", "label_pt": "Não"},
        ]
    ).to_csv(tmp_path / "codebook_choices.csv", index=False)
    codebook = load_codebook(book)
    q7 = codebook.match("Q7 knowledge", "outcomes")
    assert (q7.item_id, q7.choices, q7.outcome, q7.origin) == ("ok_functions", "level5", "new_knowledge", "round")
    assert codebook.code("Very high", q7.choices, recode=q7.recode).value == 1.0
    q8 = codebook.match("Q8_network", "pulse")
    assert (q8.item_id, q8.type, q8.choices) == ("satisfaction", "select_one", "yesno")
    assert codebook.code("Sim", "yesno").value == 1.0
    assert codebook.match("Pays", "roster").role == "ignore"  # the round row wins
    assert codebook.match("Q9 before", "outcomes").retro is True
    # the default still matches everything else
    assert codebook.match("Ma capacité à rédiger un plan d'amélioration de la RSC", "outcomes").item_id == "sk_plan"


def test_bad_round_codebook_lists_every_bad_row(tmp_path):
    book = tmp_path / "bad.csv"
    pd.DataFrame(
        [
            {"source": "A", "item_id": "x", "role": "itme"},
            {"source": "B", "item_id": "y", "recode": "five to four"},
            {"source": "C", "item_id": "z", "choices": "nowhere"},
        ]
    ).to_csv(book, index=False)
    with pytest.raises(DataErrors) as caught:
        load_codebook(book)
    rows = {(p.row, p.column) for p in caught.value.problems}
    assert (2, "role") in rows and (3, "recode") in rows
    assert any(p.column == "choices" and "nowhere" in p.message for p in caught.value.problems)


def _template_round(tmp_path: Path) -> Workspace:
    folder = tmp_path / "data" / "raw" / "t1"
    folder.mkdir(parents=True)
    (folder / "round.yaml").write_text(
        "round: t1\ntitle: T\ncommunity: jsr-exchange\nlanguage: en\ncountries: [SEN]\n"
        "sources:\n  - {file: post.csv, instrument: outcomes, wave: post}\n",
        encoding="utf-8",
    )
    (folder / "post.csv").write_text(
        "Email address,Before the exchange/My knowledge of the JSR guidelines and tools,"
        "Favourite tool,Comments\n"
        "a@example.org,Low,Ladder,fine\nb@example.org,High,Guidelines,ok\n",
        encoding="utf-8",
    )
    return Workspace(tmp_path / "data", tmp_path / "reports")


def test_write_template_prefills_matches_and_drafts_choice_lists(tmp_path):
    ws = _template_round(tmp_path)
    raw_before = (ws.raw_round("t1") / "post.csv").read_bytes()
    path = write_template(ws, "t1")
    assert path == default_template_path(ws, "t1")  # outside data/raw
    rows = pd.read_excel(path, sheet_name="codebook", dtype=str)
    by_source = rows.set_index("source")
    assert by_source.loc["Email address", "role"] == "email"
    retro = by_source.loc["Before the exchange/My knowledge of the JSR guidelines and tools"]
    assert (retro["item_id"], retro["wave"], retro["choices"]) == ("ok_guidelines", "retro", "level5")
    unmapped = by_source.loc["Favourite tool"]
    assert unmapped["note"].startswith("unmatched") and pd.isna(unmapped["item_id"])
    assert unmapped["choices"] == "draft_favourite_tool"
    choices = pd.read_excel(path, sheet_name="choices", dtype=str)
    draft = choices[choices["list_name"] == "draft_favourite_tool"]
    assert sorted(draft["label_en"]) == ["Guidelines", "Ladder"]
    assert set(choices.loc[choices["list_name"] == "level5", "label_fr"]) >= {"Faible", "Élevé"}
    assert (ws.raw_round("t1") / "post.csv").read_bytes() == raw_before
    with pytest.raises(UsageError, match="exists already"):
        write_template(ws, "t1")
    # the template is a valid round codebook: unmapped rows stay unmapped
    codebook = load_codebook(path)
    assert codebook.match("Favourite tool", "outcomes") is None
    assert codebook.match("Comments", "outcomes") is None
