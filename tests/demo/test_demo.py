"""The synthetic-data generator: file layouts as the platforms write them, and the planted
effects, checked on the raw files themselves (not through the pipeline)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from scipy.stats import PermutationMethod, wilcoxon

from exchange_eval.analysis.signedrank import signed_rank_test
from exchange_eval.clean.manifest import load_manifest
from exchange_eval.core.config import Config
from exchange_eval.demo import KOBO_META, SM_META, TRUTH_NAME, demo_round_ids, write_demo

DEFAULTS = Config()
ROUNDS = ["jsr-2025-fr", "jsr-2025-en", "salex-2025"]


@pytest.fixture(scope="module")
def demo(demo_data: Path, demo_rounds: list[str]) -> Path:
    assert demo_rounds == ROUNDS
    return demo_data  # the session's demo (seed 0, three rounds): read only


@pytest.fixture(scope="module")
def truth(demo_truth: dict) -> dict:
    return demo_truth


def _raw(demo: Path, round_id: str, name: str) -> Path:
    return demo / "raw" / round_id / name


def _read_csv(path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _label_to_code(list_name: str, lang: str) -> dict[str, int]:
    return {str(c[f"label_{lang}"]): int(c["value"]) for c in DEFAULTS.choices[list_name]}


def _outcome_items() -> list[dict]:
    return [i for i in DEFAULTS.instruments["instruments"]["outcomes"]["items"] if i.get("outcome")]


# --------------------------------------------------------------------------- layout


def test_round_ids_and_truth_outside_round_folders(demo: Path, truth: dict) -> None:
    assert sorted(p.name for p in (demo / "raw").iterdir()) == sorted(ROUNDS)
    assert (demo / TRUTH_NAME).is_file()
    assert not list((demo / "raw").rglob(TRUTH_NAME))
    assert list(truth["rounds"]) == ROUNDS
    assert "outcome_change" in truth["definitions"]


def test_more_rounds_cycle_through_the_kinds() -> None:
    ids = demo_round_ids(12)
    assert len(ids) == len(set(ids)) == 12
    assert ids[:6] == ROUNDS + ["jsr-2024-fr-b", "jsr-2024-en-b", "salex-2024-b"]
    assert ids[-1] == "salex-2022-d"


def test_same_seed_same_bytes(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_demo(again, seed=0, n_rounds=3)
    files = sorted(p.relative_to(demo) for p in demo.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (demo / rel).read_bytes() == (again / rel).read_bytes(), rel
    other = tmp_path / "other"
    write_demo(other, seed=1, n_rounds=1)
    assert (other / "raw/jsr-2025-fr/kobo_pre.csv").read_bytes() != (demo / "raw/jsr-2025-fr/kobo_pre.csv").read_bytes()


def test_manifests_load(demo: Path) -> None:
    for round_id in ROUNDS:
        manifest = load_manifest(demo / "raw" / round_id)
        assert manifest.round_id == round_id
        assert all(source.path.is_file() for source in manifest.sources)
    fr = load_manifest(demo / "raw/jsr-2025-fr")
    assert (fr.language, fr.host, fr.countries) == ("fr", "SEN", ("SEN", "BFA", "CIV", "TCD"))
    assert [s.id for s in fr.sessions] == ["vc1", "vc2", "vc3", "visit"]
    assert fr.sessions[-1].kind == "observation" and fr.sessions[-1].title == "Visite d'observation"
    assert {s.instrument for s in fr.sources} == {
        "roster", "outcomes", "tool_feedback", "session_feedback", "plan_actions", "jsr_assessment", "jsr_quality"
    }
    en = load_manifest(demo / "raw/jsr-2025-en")
    assert [s.session for s in en.sources_for("session_feedback")] == ["vc1", "vc2", "vc3", "visit"]
    salex = load_manifest(demo / "raw/salex-2025")
    assert [s.wave for s in salex.sources_for("pulse")] == ["pulse-1", "pulse-2", "pulse-3"]
    assert len(salex.countries) == 7


def test_rewrite_replaces_demo_rounds_only(demo_copy: Path) -> None:
    stale = demo_copy / "raw/jsr-2025-fr/old_export.csv"
    stale.write_text("stale", encoding="utf-8")
    mine = demo_copy / "raw/my-round"
    mine.mkdir()
    (mine / "round.yaml").write_text("round: my-round\n", encoding="utf-8")
    write_demo(demo_copy, seed=0, n_rounds=1)
    assert not stale.exists()
    assert (mine / "round.yaml").read_text(encoding="utf-8") == "round: my-round\n"


def test_fourth_round_has_other_countries(tmp_path: Path) -> None:
    ids = write_demo(tmp_path, seed=3, n_rounds=4)
    assert ids[3] == "jsr-2024-fr-b"
    manifest = load_manifest(tmp_path / "raw/jsr-2024-fr-b")
    assert manifest.sessions[0].date.year == 2024
    assert not set(manifest.countries) & set(manifest.comparison)


def test_french_excel_roster(demo: Path) -> None:
    raw = _raw(demo, "jsr-2025-fr", "inscriptions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Nom", "Prénom", "Pays"]
    assert {"Fonction", "Type de structure", "Sexe", "Adresse e-mail", "Téléphone", "Date d'inscription", "Sessions suivies"} <= set(header)
    col = {name: i for i, name in enumerate(header)}
    rates = [r[col["Taux de présence"]] for r in rows[1:]]
    assert all(re.fullmatch(r"[01],\d\d", r) for r in rates)
    assert any(r == "0,75" for r in rates)
    assert all(re.fullmatch(r"\d\d/\d\d/2025", r[col["Date d'inscription"]]) for r in rows[1:])
    assert all(re.fullmatch(r"\+\d{3}( \d+)+", r[col["Téléphone"]]) for r in rows[1:])
    assert "’" in text and "\u00a0" in text
    assert "Côte d’Ivoire" in text or "Tchad" in text
    assert any(re.fullmatch(r"(vc1|vc2|vc3|visit)(, (vc1|vc2|vc3|visit))*", r[col["Sessions suivies"]]) for r in rows[1:])
    assert sum(1 for r in rows[1:] if not r[col["Adresse e-mail"]]) == 1


def test_kobo_layout(demo: Path) -> None:
    path = _raw(demo, "jsr-2025-fr", "kobo_feedback.csv")
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    for line, row in zip(text.split("\r\n"), rows, strict=False):
        assert line == '"' + '";"'.join(row) + '"'  # every field quoted
    header = rows[0]
    assert header[:2] == ["start", "end"] and header[-len(KOBO_META) :] == KOBO_META
    assert "Identification/Adresse e-mail" in header and "Session" in header
    question = "Appréciation/Quels thèmes ont été les plus utiles ?"
    options = [h for h in header if h.startswith(question + "/")]
    labels = [c["label_fr"] for c in DEFAULTS.choices["topics"]]
    codes = [c["value"] for c in DEFAULTS.choices["topics"]]
    assert options == [f"{question}/{label}" for label in labels]
    q, first = header.index(question), header.index(options[0])
    unanswered = 0
    for row in rows[1:]:
        assert re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0[01]:00", row[0])
        chosen = row[q].split()
        flags = row[first : first + len(options)]
        if not chosen:
            unanswered += 1
            assert flags == [""] * len(options)
        else:
            assert flags == ["1" if c in chosen else "0" for c in codes]
    assert unanswered >= 1
    sessions = {row[header.index("Session")] for row in rows[1:]}
    assert sessions == {"Visioconférence 1", "Visioconférence 2", "Visioconférence 3", "Visite d'observation"}
    post = _read_csv(_raw(demo, "jsr-2025-fr", "kobo_post.csv"), delimiter=";")[0]
    label = "Ma connaissance des fonctions essentielles d'une RSC efficace"
    assert f"Avant l'échange/{label}" in post and f"Aujourd'hui/{label}" in post


def test_surveymonkey_two_header_rows(demo: Path) -> None:
    rows = _read_csv(_raw(demo, "jsr-2025-en", "sm_post.csv"))
    row1, row2 = rows[0], rows[1]
    assert row1[: len(SM_META)] == SM_META and row2[: len(SM_META)] == [""] * len(SM_META)
    items = [i["label_en"] for i in _outcome_items()]
    for title in ("Before the exchange, how would you have rated the following?", "How would you rate the following today?"):
        start = row1.index(title)
        assert row1[start + 1 : start + len(items)] == [""] * (len(items) - 1)
        assert row2[start : start + len(items)] == items
    assert row2[row1.index("E-mail")] == "Open-Ended Response"
    assert row2[row1.index("Country")] == "Response"
    for row in rows[2:]:
        assert re.fullmatch(r"\d\d/\d\d/2025 \d\d:\d\d:\d\d [AP]M", row[2])
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", row[4])
    feedback = _read_csv(_raw(demo, "jsr-2025-en", "sm_feedback_vc1.csv"))
    assert feedback[1][feedback[0].index("The session objectives were clear")] == "Response"
    topics = feedback[0].index("Which topics were most useful?")
    assert feedback[1][topics : topics + 5] == [c["label_en"] for c in DEFAULTS.choices["topics"]]


def test_english_roster_is_a_real_workbook(demo: Path) -> None:
    sheet = openpyxl.load_workbook(_raw(demo, "jsr-2025-en", "registration.xlsx")).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["First name", "Last name", "Country"] and "Registration date" in header
    dates = [row[header.index("Registration date")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(d.year == 2025 for d in dates)


def test_google_forms_pulse(demo: Path) -> None:
    rows = _read_csv(_raw(demo, "salex-2025", "gf_pulse_1.csv"))
    header = rows[0]
    assert header[:4] == ["Timestamp", "Email address", "Organisation", "Country"]
    assert "Collaboration [HakiElimu]" in header and "Reliability [Tanzania Institute of Education]" in header
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/2025 \d\d:\d\d:\d\d", r[0]) for r in rows[1:])
    activities = header.index("Which network activities did you take part in?")
    assert any(", " in r[activities] for r in rows[1:])


# --------------------------------------------------------------------------- planted cases


def _person(email: str, name: str, country: str) -> str:
    return email.strip().lower() or f"{name}|{country}"


def _kobo_people(path: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    rows = _read_csv(path, delimiter=";")
    header = rows[0]
    out = []
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        key = _person(record["Identification/Adresse e-mail"], record["Identification/Nom et prénom"], record["Identification/Pays"])
        out.append((key, row, record))
    return out


def test_duplicate_and_first_wave_only(demo: Path, truth: dict) -> None:
    t = truth["rounds"]["jsr-2025-fr"]
    pre = _kobo_people(_raw(demo, "jsr-2025-fr", "kobo_pre.csv"))
    post = _kobo_people(_raw(demo, "jsr-2025-fr", "kobo_post.csv"))
    dup = [record for key, _, record in pre if key == t["duplicate"]["email"]]
    assert len(dup) == 2
    items = [k for k in dup[0] if k.split("/")[0] in ("Connaissances", "Compétences", "Consensus", "Réseau", "Actions")]
    assert dup[0]["_submission_time"] < dup[1]["_submission_time"]
    assert any(dup[0][k] == "" for k in items) and all(dup[1][k] != "" for k in items)
    pre_keys = [key for key, _, _ in pre]
    assert len(pre_keys) == len(set(pre_keys)) + 1  # exactly one duplicate
    post_keys = {key for key, _, _ in post}
    assert t["first_wave_only"]["email"] in pre_keys and t["first_wave_only"]["email"] not in post_keys
    no_email = t["no_email"]
    assert no_email["email"] is None
    assert any(r["Identification/Nom et prénom"] == no_email["name"] and r["Identification/Adresse e-mail"] == "" for _, _, r in post)
    raw_emails = [r["Identification/Adresse e-mail"] for _, _, r in pre + post]
    assert any(e != e.strip() or e != e.lower() for e in raw_emails)


def test_straightliner_and_planted_comments(demo: Path, truth: dict) -> None:
    t = truth["rounds"]["jsr-2025-fr"]
    feedback = _kobo_people(_raw(demo, "jsr-2025-fr", "kobo_feedback.csv"))
    items = [i["label_fr"] for i in DEFAULTS.instruments["instruments"]["session_feedback"]["items"] if i["type"] == "select_one"]
    straight = [r for key, _, r in feedback if key == t["straightliner"]["email"]]
    assert straight and all(len({r[f"Appréciation/{i}"] for i in items}) == 1 for r in straight)
    comments = [r["Appréciation/Commentaires sur la session"] for _, _, r in feedback]
    assert any("<script>alert(1)</script>" in c for c in comments)
    assert any(re.search(r"\S+@\S+\.\w+", c) and re.search(r"\+\d{3} \d", c) for c in comments)
    roster = _read_csv(_raw(demo, "jsr-2025-fr", "inscriptions.csv"), encoding="cp1252", delimiter=";")
    names = {f"{r[1]} {r[0]}".lower() for r in roster[1:]}
    assert any(any(name in c.lower() for name in names) for c in comments)


# --------------------------------------------------------------------------- planted effects


def _person_means(records: list[tuple[str, list[str], dict[str, str]]], prefix: str, labels: dict[str, str], codes: dict[str, int]) -> dict[str, dict[str, float]]:
    """Person-level mean per outcome; the last submission of a person wins."""
    out: dict[str, dict[str, float]] = {}
    for key, _, record in records:
        means = {}
        for outcome in {i["outcome"] for i in _outcome_items()}:
            values = [codes[record[f"{prefix}{labels[i['id']]}"]] for i in _outcome_items() if i["outcome"] == outcome and record.get(f"{prefix}{labels[i['id']]}")]
            means[outcome] = float(np.mean(values)) if values else np.nan
        out[key] = means
    return out


def _kobo_pre_groups() -> dict[str, str]:
    groups = {"new_knowledge": "Connaissances", "enhanced_skill": "Compétences", "improved_consensus": "Consensus",
              "enhanced_connectivity": "Réseau", "new_actions": "Actions"}
    return {i["id"]: f"{groups[i['outcome']]}/{i['label_fr']}" for i in _outcome_items()}


def _check_effects(pre: dict, post: dict, retro: dict, t: dict) -> None:
    linked = [k for k in pre if k in post]
    assert len(linked) == t["linked_pairs"] >= 10
    for outcome, planted in (("new_knowledge", 1.0), ("enhanced_skill", 1.0), ("improved_consensus", 0.0)):
        diffs = np.array([post[k][outcome] - pre[k][outcome] for k in linked])
        assert np.median(diffs) == planted == t["outcomes"][outcome]["median_change"]
        # the exact conditional p-value (every sign flip), as the reports give it below 21 pairs
        p = wilcoxon(diffs, method=PermutationMethod(n_resamples=np.inf)).pvalue if np.any(diffs) else 1.0
        assert p == pytest.approx(t["outcomes"][outcome]["wilcoxon_p"])
        if np.any(diffs):
            assert signed_rank_test(diffs)["p_value"] == pytest.approx(p)
        if planted:
            assert p < 0.01
        else:
            assert p > 0.5
    shift = np.mean([retro[k]["new_knowledge"] - pre[k]["new_knowledge"] for k in linked])
    assert -1.0 <= shift <= -0.5
    assert shift == pytest.approx(t["response_shift"]["new_knowledge"], abs=1e-6)


def test_planted_outcome_effects_kobo(demo: Path, truth: dict) -> None:
    codes = _label_to_code("level5", "fr")
    labels = {i["id"]: i["label_fr"] for i in _outcome_items()}
    pre = _person_means(_kobo_people(_raw(demo, "jsr-2025-fr", "kobo_pre.csv")), "", _kobo_pre_groups(), codes)
    post_records = _kobo_people(_raw(demo, "jsr-2025-fr", "kobo_post.csv"))
    post = _person_means(post_records, "Aujourd'hui/", labels, codes)
    retro = _person_means(post_records, "Avant l'échange/", labels, codes)
    _check_effects(pre, post, retro, truth["rounds"]["jsr-2025-fr"])


def test_planted_outcome_effects_surveymonkey(demo: Path, truth: dict) -> None:
    codes = _label_to_code("level5", "en")
    labels = {i["id"]: i["label_en"] for i in _outcome_items()}

    def records(name: str) -> list[tuple[str, list[str], dict[str, str]]]:
        rows = _read_csv(_raw(demo, "jsr-2025-en", name))
        group, header = "", []
        for top, sub in zip(rows[0], rows[1], strict=True):
            if top:
                group = top
            header.append(f"{group}/{sub}" if sub and sub not in ("Response", "Open-Ended Response") else top)
        out = []
        for row in rows[2:]:
            record = dict(zip(header, row, strict=True))
            out.append((_person(record["E-mail"], record["Full name"], record["Country"]), row, record))
        return out

    pre = _person_means(records("sm_pre.csv"), "How would you rate the following?/", labels, codes)
    post_records = records("sm_post.csv")
    post = _person_means(post_records, "How would you rate the following today?/", labels, codes)
    retro = _person_means(post_records, "Before the exchange, how would you have rated the following?/", labels, codes)
    _check_effects(pre, post, retro, truth["rounds"]["jsr-2025-en"])


def test_plan_completion_rate(demo: Path, truth: dict) -> None:
    rows = _read_csv(_raw(demo, "jsr-2025-fr", "plan_actions.csv"), encoding="cp1252", delimiter=";")
    header = rows[0]
    assert header == ["country", "action_id", "dimension", "description", "owner_role", "due", "status_followup-1", "status_followup-2"]
    done = _label_to_code_text("plan_status", "fr")["done"]
    rate = np.mean([r[header.index("status_followup-2")] == done for r in rows[1:]])
    assert rate == pytest.approx(truth["rounds"]["jsr-2025-fr"]["plan_completion"]["completion_rate"]["followup-2"], abs=1e-6)
    assert 0.5 <= rate <= 0.7
    sheet = openpyxl.load_workbook(_raw(demo, "jsr-2025-en", "plan_actions.xlsx")).active
    statuses = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert np.mean([s == "Done" for s in statuses]) == pytest.approx(
        truth["rounds"]["jsr-2025-en"]["plan_completion"]["completion_rate"]["followup-2"], abs=1e-6
    )


def _label_to_code_text(list_name: str, lang: str) -> dict[str, str]:
    return {str(c["value"]): str(c[f"label_{lang}"]) for c in DEFAULTS.choices[list_name]}


def test_rf18_and_selfassessment_effects(demo: Path, truth: dict) -> None:
    t = truth["rounds"]["jsr-2025-fr"]
    manifest = load_manifest(demo / "raw/jsr-2025-fr")
    rows = _read_csv(_raw(demo, "jsr-2025-fr", "jsr_quality.csv"))
    assert rows[0] == ["country", "year", "inclusive", "aligned", "evidence", "monitoring", "policy_cycle"]
    years = sorted({int(r[1]) for r in rows[1:]})
    assert years == list(range(2021, 2027))

    def share(countries: tuple[str, ...], after: bool) -> float:
        meets = [sum(map(int, r[2:])) >= 3 for r in rows[1:] if r[0] in countries and (int(r[1]) > 2025) == after]
        return float(np.mean(meets))

    did = (share(manifest.countries, True) - share(manifest.countries, False)) - (
        share(manifest.comparison, True) - share(manifest.comparison, False)
    )
    assert did == pytest.approx(t["rf18_did"]) and did >= 0.5
    assert share(manifest.comparison, True) == share(manifest.comparison, False)

    sa = _read_csv(_raw(demo, "jsr-2025-fr", "jsr_selfassessment.csv"))
    header = sa[0]
    assert header == ["country", "year", "wave", "dimension", "criterion", "rating"]
    ratings = {(r[0], r[3], r[4], r[2]): int(r[5]) for r in sa[1:]}
    assert {r[0] for r in sa[1:]} == set(manifest.countries) | set(manifest.comparison)

    def change(countries: tuple[str, ...]) -> float:
        return float(np.mean([v - ratings[(c, d, k, "before")] for (c, d, k, w), v in ratings.items() if w == "after" and k and c in countries]))

    assert change(manifest.countries) - change(manifest.comparison) == pytest.approx(t["selfassessment_change"]["difference"], abs=1e-6)
    assert change(manifest.countries) > change(manifest.comparison) + 0.5


def test_network_grows_across_waves(demo: Path, truth: dict) -> None:
    network = truth["rounds"]["salex-2025"]["network"]
    densities = []
    for wave in ("pulse-1", "pulse-2", "pulse-3"):
        rows = _read_csv(_raw(demo, "salex-2025", f"gf_{wave.replace('-', '_')}.csv"))
        header = rows[0]
        orgs = {r[2] for r in rows[1:]}
        ties = set()
        for row in rows[1:]:
            for col, value in zip(header, row, strict=True):
                m = re.fullmatch(r"Collaboration \[(.+)\]", col)
                if m and value and value != "No contact":
                    ties.add((row[2], m.group(1)))
        n = len(orgs)
        density = len(ties) / (n * (n - 1))
        assert density == pytest.approx(network[wave]["density_directed"], abs=1e-6)
        densities.append(density)
    assert densities[0] < densities[1] < densities[2]
    shares = [network[w]["cross_country_share"] for w in ("pulse-1", "pulse-2", "pulse-3")]
    assert shares[0] < shares[1] < shares[2]


def test_country_names_map_to_the_manifest_codes(demo: Path) -> None:
    from exchange_eval.core.countries import to_iso3

    roster = _read_csv(_raw(demo, "jsr-2025-fr", "inscriptions.csv"), encoding="cp1252", delimiter=";")
    manifest = load_manifest(demo / "raw/jsr-2025-fr")
    assert {to_iso3(r[2]) for r in roster[1:]} == set(manifest.countries)


def test_missing_code_typed_in_session_feedback(demo: Path, truth: dict) -> None:
    planted = truth["rounds"]["jsr-2025-fr"]["missing_code"]
    assert planted["text"] == "Ne sait pas"
    records = _kobo_people(_raw(demo, "jsr-2025-fr", "kobo_feedback.csv"))
    label = next(i["label_fr"] for i in DEFAULTS.instruments["instruments"]["session_feedback"]["items"] if i["id"] == planted["item"])
    hits = [key for key, _, r in records if r[f"Appréciation/{label}"] == "Ne sait pas"]
    assert hits == [planted["email"]]
