"""An evaluator's own questionnaire as the source of truth (XLSForms, Kobo exports, French sheets).

The fixture round ``tests/fixtures/own_round/atelier-rsc-2025`` (fictional people; rewrite
it with ``make_own_round.py``) has three XLSForms of its own — pre and post forms on the
evaluator's own 5-point scale with a "Ne sait pas" choice, a list written from the top of
the scale down, a select_multiple with "other", a then-test question tied to its item by
the survey columns ``wave`` and ``item``, one session-feedback form used for three
sessions — Kobo exports of the same answers in both of Kobo's formats (French labels CSV,
XML-values XLSX), a roster and an improvement plan with French headers of their own.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from exchange_eval.clean.form_codebook import coded_levels
from exchange_eval.clean.forms import FormChoice, read_form
from exchange_eval.clean.pipeline import check_round, clean_round
from exchange_eval.core.config import Config, Environment
from exchange_eval.core.errors import DataErrors
from exchange_eval.core.paths import Workspace
from exchange_eval.core.processed import load_round

FIXTURE = Path(__file__).parents[1] / "fixtures" / "own_round" / "atelier-rsc-2025"
ROUND = FIXTURE.name
KEY = "forms-test-key-0123456789abcdef0123456789"


def _workspace(root: Path, **manifest_changes: str) -> Workspace:
    """A data folder holding a copy of the fixture round; ``old=new`` file swaps in round.yaml."""
    folder = root / "data" / "raw" / ROUND
    shutil.copytree(FIXTURE, folder)
    if manifest_changes:
        text = (folder / "round.yaml").read_text(encoding="utf-8")
        for old, new in manifest_changes.items():
            text = text.replace(old, new)
        (folder / "round.yaml").write_text(text, encoding="utf-8")
    return Workspace.from_options(root / "data", root / "reports", environment=Environment(key=KEY))


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> tuple[Workspace, object]:
    ws = _workspace(tmp_path_factory.mktemp("own"))
    return ws, clean_round(ws, ROUND)


# ---------------------------------------------------------------------- the form itself
def test_read_form_gives_questions_groups_labels_and_lists_in_order():
    form = read_form(FIXTURE / "Questionnaire_avant.xlsx", config=Config(), language="en")
    assert form.default_language == "fr"  # settings: default_language "Français (fr)"
    assert set(form.languages) == {"fr", "en"}
    by_name = {q.name: q for q in form.questions}
    role = by_name["conn_role"]
    assert role.type == "select one" and role.list_name == "niveau"
    assert role.groups == ("connaissances",) and role.path == "connaissances/conn_role"
    assert role.labels == {"fr": "Ma compréhension du rôle de la revue sectorielle conjointe",
                           "en": "My understanding of the role of the joint sector review"}
    assert role.group_labels == ({"fr": "Connaissances et compétences", "en": "Knowledge and skills"},)
    assert role.columns == {"outcome": "new_knowledge"}
    assert [c.name for c in form.lists["accord"]] == ["tout_a_fait", "plutot_oui", "plutot_non", "pas_du_tout", "nsp"]
    assert by_name["start"].type == "start"


def test_a_form_pyxform_refuses_is_a_located_error(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    book.active.append(["select_one nowhere", "q1", "Question"])
    book.create_sheet("choices").append(["list_name", "name", "label"])
    path = tmp_path / "broken.xlsx"
    book.save(path)
    with pytest.raises(Exception) as error:
        read_form(path)
    assert "broken.xlsx" in str(error.value) and "pyxform" in str(error.value)


def test_numeric_choice_names_are_the_codes_and_missing_choices_have_none():
    choices = [FormChoice("5", {"fr": "Très bien"}), FormChoice("1", {"fr": "Mal"}), FormChoice("99", {"fr": "NSP"})]
    levels, how = coded_levels(choices, multiple=False, is_missing=lambda t: t.lower() in ("nsp", "99"),
                               anchors={"high": [], "low": []})
    assert how == "names"
    assert [(lv["name"], lv["value"], lv["missing"]) for lv in levels] == [("5", 5, False), ("1", 1, False),
                                                                          ("99", None, True)]


# ---------------------------------------------------------------------- cleaning with forms
def test_the_round_cleans_with_no_codebook_and_reports_every_source(cleaned):
    _ws, result = cleaned
    assert not [p for p in result.problems if p.severity == "error"]
    lines = {c.file: c.line() for c in result.coverage}
    assert set(lines) == {"Liste_participants.xlsx", "avant_etiquettes.csv", "apres_valeurs.xlsx",
                          "evaluation_vc1.csv", "evaluation_vc2.csv", "evaluation_vc3.csv", "Plan_amelioration.xlsx"}
    # 27 columns: 4 single-choice questions, the select_multiple and its 4 options, 2 texts;
    # pays and fonction; start, end and 9 Kobo metadata; nom, courriel, _submitted_by
    assert lines["avant_etiquettes.csv"] == ("avant_etiquettes.csv: 27 columns: 11 questions, 2 respondent fields, "
                                             "11 metadata, 3 identity (dropped), 0 unmatched "
                                             "(form Questionnaire_avant.xlsx)")
    assert lines["Plan_amelioration.xlsx"] == "Plan_amelioration.xlsx: 8 columns: 8 used, 0 unmatched"


def test_items_carry_the_forms_wording_type_list_and_outcome(cleaned):
    _ws, result = cleaned
    items = result.tables["items"].set_index(["instrument", "item_id"])
    role = items.loc[("outcomes", "conn_role")]
    assert role["label_fr"] == "Ma compréhension du rôle de la revue sectorielle conjointe"
    assert role["label_en"] == "My understanding of the role of the joint sector review"
    assert role["group_fr"] == "Connaissances et compétences"
    assert (role["type"], role["list_name"], role["outcome"], role["form"]) == (
        "select_one", "niveau", "new_knowledge", "Questionnaire_avant.xlsx")
    assert items.loc[("outcomes", "sujets"), "type"] == "select_multiple"
    assert items.loc[("outcomes", "attentes"), "type"] == "text"
    assert items.loc[("session_feedback", "q_note"), "list_name"] == "note"
    # the then-test question is the item it repeats, not an item of its own
    assert ("outcomes", "avant_conn_role") not in items.index
    # identity and respondent-field questions are not items
    assert not {"nom", "courriel", "pays", "fonction"} & set(items.index.get_level_values("item_id"))


def test_choice_lists_keep_their_order_and_code_scales_upward(cleaned):
    _ws, result = cleaned
    lists = result.tables["item_choices"]
    agree = lists[lists["list_name"] == "accord"].sort_values("order")
    # written from "Tout à fait d'accord" down: coded so that more agreement is more
    assert agree["name"].tolist() == ["tout_a_fait", "plutot_oui", "plutot_non", "pas_du_tout", "nsp"]
    assert agree["value"].tolist()[:4] == [4.0, 3.0, 2.0, 1.0]
    assert agree["is_missing"].tolist() == [False, False, False, False, True]
    level = lists[lists["list_name"] == "niveau"].set_index("name")
    assert level.loc["excellente", "value"] == 5 and level.loc["excellente", "label_en"] == "Excellent"
    assert bool(level.loc["nsp", "is_missing"]) and pd.isna(level.loc["nsp", "value"])


def test_answers_are_coded_through_the_lists(cleaned):
    _ws, result = cleaned
    responses = result.tables["responses"]
    pairs = responses[responses["item_id"] == "reseau_pairs"]
    assert set(pairs["value"].dropna()) <= {1.0, 2.0, 3.0, 4.0}
    # "Ne sait pas" is a missing answer, logged as such
    outils = responses[(responses["item_id"] == "conn_outils") & (responses["wave"] == "pre")]
    assert outils["value"].isna().sum() == 1
    log = result.cleaning_log
    assert ((log["action"] == "missing_code") & (log["old"] == "Ne sait pas")).any()
    # one 0/1 response per option of the select_multiple, "other" included, and its text
    options = set(responses.loc[responses["item_id"].str.startswith("sujets."), "item_id"])
    assert options == {"sujets.pilotage", "sujets.donnees", "sujets.financement", "sujets.other"}
    assert set(responses.loc[responses["item_id"] == "sujets_autre", "text"].dropna()) == {
        "Gestion des enseignants", "Éducation inclusive"}
    # the then-test answers are the retro wave of conn_role
    assert set(responses.loc[responses["wave"] == "retro", "item_id"]) == {"conn_role"}
    # one feedback form, three sessions
    feedback = responses[responses["instrument"] == "session_feedback"]
    assert feedback.groupby("session_id")["pid"].nunique().to_dict() == {"vc1": 11, "vc2": 10, "vc3": 9}


def test_nothing_personal_reaches_the_tables(cleaned):
    _ws, result = cleaned
    text = pd.concat([t.astype(str) for t in result.tables.values()], ignore_index=True).to_csv()
    for secret in ("Sarr", "Ndiaye", "a.sarr@", "education.example.org", "+221 77 123 45 67", "Aminata"):
        assert secret not in text
    responses = result.tables["responses"]
    assert "Apprendre des autres pays, contacter [name] au [phone]" in set(responses["text"].dropna())


def test_roster_and_plan_are_read_from_their_french_headers(cleaned):
    _ws, result = cleaned
    people = result.tables["participants"]
    assert len(people) == 12
    assert set(people["country"]) == {"SEN", "BFA", "CIV", "TCD"}
    assert set(people["gender"]) == {"female", "male"}  # "F" / "H"
    # "Fonction" is kept as written; it fills the role only when it names one
    assert "Directrice de la planification" in set(people["position"])
    assert set(people["role"].dropna()) == {"decision_maker", "technical"}
    assert people["n_sessions_attended"].notna().all()
    plans = result.tables["plan_actions"]
    assert set(plans["followup"]) == {"followup-1", "followup-2"}
    status = plans.set_index(["action_id", "followup"])["status"]
    # Réalisée, En cours, Non démarrée, Abandonnée, Réalisé
    assert status[("SEN-1", "followup-1")] == "done"
    assert status[("BFA-1", "followup-1")] == "planned"
    assert status[("BFA-1", "followup-2")] == "started"
    assert status[("BFA-2", "followup-2")] == "dropped"
    assert status[("TCD-1", "followup-2")] == "done"
    dims = plans.drop_duplicates("action_id").set_index("action_id")["dimension"]
    assert dims.to_dict() == {"SEN-1": "inclusive", "SEN-2": "evidence", "BFA-1": "aligned", "BFA-2": "monitoring",
                              "CIV-1": "policy_cycle", "TCD-1": "inclusive"}


@pytest.mark.parametrize("swap", [
    {"avant_etiquettes.csv": "avant_valeurs.xlsx"},
    {"apres_valeurs.xlsx": "apres_etiquettes.csv"},
], ids=["pre-labels-vs-values", "post-values-vs-labels"])
def test_each_kobo_export_variant_yields_identical_responses(cleaned, tmp_path, swap):
    _ws, result = cleaned
    other = clean_round(_workspace(tmp_path, **swap), ROUND)
    columns = ["pid", "instrument", "wave", "session_id", "item_id", "outcome", "value", "value_label", "text",
               "submitted_at", "duration_s"]

    def canonical(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame["instrument"] == "outcomes"][columns]
        return frame.sort_values(["pid", "wave", "item_id"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(canonical(result.tables["responses"]), canonical(other.tables["responses"]))
    assert len(canonical(other.tables["responses"])) == 231


# ---------------------------------------------------------------------- nothing silently dropped
def _add_column(path: Path, header: str, value: str) -> None:
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[0] += f';"{header}"'
    lines[1:] = [line + f';"{value}"' if line else line for line in lines[1:]]
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def test_every_unmatched_column_is_named_and_counted(tmp_path):
    ws = _workspace(tmp_path)
    _add_column(ws.raw_round(ROUND) / "avant_etiquettes.csv", "Remarque de l'enquêteur", "RAS")
    found = check_round(ws, ROUND)
    unmatched = [p for p in found.problems if p.code == "unmapped_column"]
    assert [(p.file, p.column, p.severity) for p in unmatched] == [
        ("avant_etiquettes.csv", "Remarque de l'enquêteur", "warning")]
    line = next(c.line() for c in found.coverage if c.file == "avant_etiquettes.csv")
    assert line.startswith("avant_etiquettes.csv: 28 columns:") and "1 unmatched" in line


def test_an_export_that_maps_nothing_is_an_error(tmp_path):
    ws = _workspace(tmp_path, **{"evaluation_vc1.csv, instrument: session_feedback, session: vc1, "
                                 "form: Fiche_evaluation_seance.xlsx": "evaluation_vc1.csv, instrument: "
                                 "session_feedback, session: vc1, form: Questionnaire_avant.xlsx"})
    path = ws.raw_round(ROUND) / "evaluation_vc1.csv"
    text = path.read_bytes().decode("utf-8").split("\r\n")
    keep = [i for i, h in enumerate(text[0].split(";")) if not h.strip('"').startswith(("Vous/", "Les ", "La ", "Le ",
                                                                                           "Note", "Vos "))]
    path.write_bytes("\r\n".join(";".join(line.split(";")[i] for i in keep) if line else line
                                  for line in text).encode("utf-8"))
    errors = [p for p in check_round(ws, ROUND).problems if p.severity == "error"]
    assert [(p.file, p.code) for p in errors] == [("evaluation_vc1.csv", "nothing_mapped")]
    assert "Questionnaire_avant.xlsx" in errors[0].message


def test_every_missing_file_is_listed(tmp_path):
    ws = _workspace(tmp_path)
    folder = ws.raw_round(ROUND)
    for name in ("avant_etiquettes.csv", "Fiche_evaluation_seance.xlsx", "Plan_amelioration.xlsx"):
        (folder / name).unlink()
    with pytest.raises(DataErrors) as missing:
        from exchange_eval.clean.manifest import load_manifest

        load_manifest(folder)
    messages = " ".join(p.message for p in missing.value.problems)
    for name in ("avant_etiquettes.csv", "Fiche_evaluation_seance.xlsx", "Plan_amelioration.xlsx"):
        assert name in messages
    assert len(missing.value.problems) == 5  # the feedback form is named by three sources


def test_a_form_no_source_names_and_an_unused_codebook_are_warned(tmp_path):
    ws = _workspace(tmp_path, **{", form: Questionnaire_apres.xlsx": ""})
    folder = ws.raw_round(ROUND)
    book = openpyxl.Workbook()
    book.active.title = "codebook"
    book.active.append(["source", "item_id", "instrument"])
    book.save(folder / "codebook.xlsx")
    book.save(folder / "other_codebook.xlsx")
    manifest = yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))
    for source in manifest["sources"]:
        source["codebook"] = "other_codebook.xlsx"
    (folder / "round.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    warnings = {(p.file, p.code) for p in check_round(ws, ROUND).problems if p.severity == "warning"}
    assert ("codebook.xlsx", "unused_file") in warnings
    assert ("Questionnaire_apres.xlsx", "unused_file") in warnings


def test_the_conventional_codebook_is_used_without_being_named(tmp_path):
    ws = _workspace(tmp_path)
    folder = ws.raw_round(ROUND)
    _add_column(folder / "avant_etiquettes.csv", "Remarque de l'enquêteur", "RAS")
    book = openpyxl.Workbook()
    book.active.title = "codebook"
    book.active.append(["source", "role"])
    book.active.append(["Remarque de l'enquêteur", "ignore"])
    book.save(folder / "codebook.xlsx")
    found = check_round(ws, ROUND)
    assert not [p for p in found.problems if p.code in ("unmapped_column", "unused_file")]


# ---------------------------------------------------------------------- the reports
def _html_text(path: Path) -> str:
    import html

    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.slow
def test_every_question_is_in_the_french_and_english_report_with_its_n(cleaned):
    from exchange_eval.build import build_one

    ws, result = cleaned
    items = result.tables["items"]
    overview = result.tables["responses"]
    for lang, stem in (("fr", "round_report.html"), ("en", "round_report.en.html")):
        (path,) = [p for p in build_one(ws, "round", ROUND, lang=lang, formats="html") if p.suffix == ".html"]
        assert path.name == stem
        text = _html_text(path)
        assert "conn_role" not in text and "q_objectifs" not in text  # questions, not item ids
        for item in items.itertuples(index=False):
            label = getattr(item, f"label_{lang}")
            assert label in text, (lang, item.item_id)
            answered = overview[(overview["instrument"] == item.instrument)
                                & (overview["item_id"].str.rsplit(".", n=1).str[0] == item.item_id)
                                & (overview["value"].notna() | overview["text"].notna())]
            kind = {"fr": {"select_one": "choix unique", "select_multiple": "choix multiple", "text": "texte libre"},
                    "en": {"select_one": "single choice", "select_multiple": "multiple choice",
                           "text": "free text"}}[lang][item.type]
            for _wave, sub in answered.groupby("wave"):
                n = sub["pid"].nunique()
                # the question's row in the questions table: label, type, then its n per wave
                row = re.escape(f"{label} {kind}") + r"(?: \S+){0,3}? " + str(n) + r"(?: |$)"
                assert re.search(row, text), (lang, item.item_id, n)
        heading = {"fr": "Toutes les questions, dans leurs propres termes", "en": "Every question, in its own words"}
        assert heading[lang] in text
        feedback = {"fr": "Aucune évaluation de session", "en": "No session feedback was collected"}
        assert feedback[lang] not in text
    rd = load_round(ws, ROUND)
    assert len(rd.items) == len(items) and len(rd.item_choices) == len(result.tables["item_choices"])


# ---------------------------------------------------------------------- the codebook template
def _cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]


def test_template_from_the_forms_keeps_wording_lists_and_no_personal_data(tmp_path):
    from exchange_eval.clean.template import default_template_path, write_template

    ws = _workspace(tmp_path)
    _add_column(ws.raw_round(ROUND) / "avant_etiquettes.csv", "Lien", '=HYPERLINK(""http://x.example"")')
    _add_column(ws.raw_round(ROUND) / "avant_etiquettes.csv", "Appréciation", "Très bien")
    raw_before = sorted(p.name for p in ws.raw_round(ROUND).iterdir())
    path = write_template(ws, ROUND)
    assert path == default_template_path(ws, ROUND) and not path.is_relative_to(ws.raw_dir)
    assert sorted(p.name for p in ws.raw_round(ROUND).iterdir()) == raw_before
    rows = pd.read_excel(path, sheet_name="codebook", dtype=str, engine="openpyxl").set_index("source")
    role = rows.loc["Connaissances et compétences/Ma compréhension du rôle de la revue sectorielle conjointe"]
    assert (role["item_id"], role["choices"], role["outcome"]) == ("conn_role", "niveau", "new_knowledge")
    assert role["label_en"] == "My understanding of the role of the joint sector review"
    assert rows.loc["Identification/Adresse e-mail", "role"] == "email"
    assert rows.loc["Statut au 30/06/2025", "role"] == "status"
    assert rows.loc["N° action", "role"] == "action_id"
    choices = pd.read_excel(path, sheet_name="choices", dtype=str, engine="openpyxl")
    level = choices[choices["list_name"] == "niveau"]
    assert level["label_fr"].tolist() == ["Insuffisante", "Limitée", "Moyenne", "Bonne", "Excellente", "Ne sait pas"]
    assert level["missing"].tolist()[-1] == "yes"
    cells = _cells(path)
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    for secret in ("Sarr", "a.sarr@", "education.example.org", "Directrice de la planification", "Gestion des"):
        assert not [c for c in cells if secret in c], secret


def test_template_drafts_are_in_scale_order_without_free_text(tmp_path):
    from exchange_eval.clean.template import write_template

    folder = tmp_path / "data" / "raw" / "t2"
    folder.mkdir(parents=True)
    (folder / "round.yaml").write_text(
        "round: t2\ntitle: T\ncommunity: jsr-exchange\nlanguage: fr\ncountries: [SEN]\n"
        "sources:\n  - {file: post.csv, instrument: outcomes, wave: post}\n", encoding="utf-8")
    (folder / "post.csv").write_text(
        "Courriel;Appréciation de l'atelier;Ce que je retiens\n"
        "a@example.org;Très bien;J'ai appris à préparer une revue avec la société civile\n"
        "b@example.org;Pas du tout satisfaisant;Rien de nouveau pour moi cette fois-ci hélas\n"
        "c@example.org;Moyen;Les échanges avec le Burkina Faso sur le suivi\n"
        "d@example.org;Très bien;Appeler Awa au 77 123 45 67 pour le guide\n", encoding="utf-8")
    ws = Workspace.from_options(tmp_path / "data", tmp_path / "reports", environment=Environment(key=KEY))
    path = write_template(ws, "t2")
    rows = pd.read_excel(path, sheet_name="codebook", dtype=str, engine="openpyxl").set_index("source")
    assert rows.loc["Appréciation de l'atelier", "choices"] == "draft_appreciation_de_l_atelier"
    assert rows.loc["Appréciation de l'atelier", "label_fr"] == "Appréciation de l'atelier"
    assert pd.isna(rows.loc["Ce que je retiens", "choices"])
    choices = pd.read_excel(path, sheet_name="choices", dtype=str, engine="openpyxl")
    draft = choices[choices["list_name"] == "draft_appreciation_de_l_atelier"]
    assert draft["label_fr"].tolist() == ["Pas du tout satisfaisant", "Moyen", "Très bien"]
    assert not [c for c in _cells(path) if "example.org" in c or "77 123" in c or "Awa" in c]


def test_a_codebook_row_maps_a_structured_sheets_own_header(tmp_path):
    ws = _workspace(tmp_path)
    folder = ws.raw_round(ROUND)
    book = openpyxl.load_workbook(folder / "Plan_amelioration.xlsx")
    book.active["C1"] = "Mesure envisagée"  # not a header headers.yaml knows
    book.save(folder / "Plan_amelioration.xlsx")
    missing = [p for p in check_round(ws, ROUND).problems if p.severity == "error"]
    assert [(p.file, p.column) for p in missing] == [("Plan_amelioration.xlsx", "description")]
    codebook = openpyxl.Workbook()
    codebook.active.title = "codebook"
    codebook.active.append(["source", "instrument", "role"])
    codebook.active.append(["Mesure envisagée", "plan_actions", "description"])
    codebook.save(folder / "codebook.xlsx")
    result = clean_round(ws, ROUND)
    assert "Inviter les organisations de la société civile à la revue" in set(result.tables["plan_actions"]["description"])


def test_labels_fall_back_to_the_language_the_questionnaire_has():
    from exchange_eval.present.labels import Labels

    items = pd.DataFrame({"instrument": ["outcomes"], "item_id": ["q"], "type": ["select_one"], "list_name": ["l"],
                          "label_en": [None], "label_fr": ["Ma question"]})
    lists = pd.DataFrame({"list_name": ["l", "l", "l"], "order": [1, 2, 3], "name": ["b", "a", "nsp"],
                          "value": [2.0, 1.0, None], "label_en": ["High", "Low", "Don't know"],
                          "label_fr": ["Haut", "Bas", "Ne sait pas"], "is_missing": [False, False, True]})
    labels = Labels(Config(), items, lists)
    assert labels.item("q", "fr") == "Ma question" and labels.fallbacks == set()
    assert labels.item("q", "en") == "Ma question" and labels.fallbacks == {"q"}
    assert labels.lacks_language("en") and not labels.lacks_language("fr")
    assert labels.levels("l") == [1.0, 2.0]  # scale order, without "don't know"
    assert labels.choice("l", 2, "en") == "High" and labels.choice("l", "b", "fr") == "Haut"
    assert labels.item("q.a", "fr") == "Ma question — Bas"
