"""clean_round on small hand-made rounds and on the demo rounds: canonical tables, privacy,
retro, select_multiple, missing and unknown codes, duplicates, corrections, atomicity."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from exchange_eval.clean.keys import load_key
from exchange_eval.clean.pipeline import clean_round
from exchange_eval.clean.protect import pseudonym
from exchange_eval.core.errors import DataErrors
from exchange_eval.core.paths import Workspace
from exchange_eval.core.tables import CLEANING_LOG_COLUMNS, TABLES
from support import FEEDBACK, PERSONAL, POST, PRE, ROSTER, tree_digests, write_round


@pytest.fixture
def small(tmp_path):
    ws = write_round(tmp_path / "data")
    return ws, clean_round(ws, "r1")


def pid_of(ws: Workspace, **identity) -> str:
    return pseudonym(key=load_key(ws.data_dir), **identity)


def test_tables_have_the_contract_columns_and_no_personal_data(small):
    ws, result = small
    folder = ws.processed_round("r1")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{t}.parquet" for t in TABLES] + ["cleaning_log.csv", "meta.json"])
    for table, columns in TABLES.items():
        df = pd.read_parquet(folder / f"{table}.parquet")
        assert list(df.columns)[: len(columns)] == list(columns) or table == "jsr_quality"
    participants = pd.read_parquet(folder / "participants.parquet")
    assert not {"email", "name", "phone", "first_name", "last_name"} & set(participants.columns)
    text = "\n".join(pd.read_parquet(folder / f"{t}.parquet").astype(str).to_csv() for t in TABLES)
    text += (folder / "cleaning_log.csv").read_text(encoding="utf-8-sig")
    text += (folder / "meta.json").read_text(encoding="utf-8")
    for value in PERSONAL:
        assert value.casefold() not in text.casefold(), value
    log = pd.read_csv(folder / "cleaning_log.csv", encoding="utf-8-sig")
    assert list(log.columns) == CLEANING_LOG_COLUMNS


def test_participants_pids_attendance_and_off_roster_respondents(small):
    ws, result = small
    people = result.tables["participants"].set_index("pid")
    awa = pid_of(ws, email="awa.diop@example.org")
    jean = pid_of(ws, email="jean.o@example.org")
    marie = pid_of(ws, name="Marie Koné", country="SEN")
    zed = pid_of(ws, email="zed@example.org")
    assert set(people.index) == {awa, jean, marie, zed}
    assert people.loc[awa, ["country", "role"]].tolist() == ["SEN", "decision_maker"]
    assert people.loc[jean, ["country", "role"]].tolist() == ["BFA", "technical"]
    assert people.loc[marie, "role"] == "technical"  # English label on a French roster
    assert bool(people.loc[zed, "on_roster"]) is False and people.loc[zed, "country"] == "MLI"
    assert people.loc[awa, "n_sessions_attended"] == 2 and people.loc[jean, "n_sessions_attended"] == 1
    attendance = result.tables["attendance"].set_index(["pid", "session_id"])["attended"]
    assert attendance[(jean, "vc1")] and not attendance[(jean, "vc2")]
    assert len(result.tables["attendance"]) == 3 * 2
    assert result.tables["sessions"]["session_id"].tolist() == ["vc1", "vc2"]
    log = result.cleaning_log
    assert ((log["action"] == "link") & log["detail"].str.contains(zed)).any()
    assert result.linkage == {"pre_only": 2, "post_only": 0, "both": 2}
    assert result.summary() == f"4 participants, {len(result.tables['responses']):,} responses, {len(result.warnings)} warnings"


def test_retro_post_and_tool_feedback_items(small):
    ws, result = small
    r = result.tables["responses"]
    awa = pid_of(ws, email="awa.diop@example.org")
    mine = r[(r["pid"] == awa) & (r["item_id"] == "ok_functions")].set_index("wave")
    assert mine.loc["pre", "value"] == 2.0 and mine.loc["retro", "value"] == 2.0
    assert mine.loc["post", "value"] == 4.0 and mine.loc["post", "value_label"] == "High"
    assert set(mine["instrument"]) == {"outcomes"} and set(mine["outcome"]) == {"new_knowledge"}
    post = r[(r["pid"] == awa) & (r["wave"] == "post")].set_index("item_id")
    assert post.loc["tf_guidelines", "instrument"] == "tool_feedback"
    assert post.loc["tf_guidelines", "submitted_at"] == pd.Timestamp("2025-05-20 14:00:00")
    tools = result.tables["tool_feedback"]
    assert tools.set_index(["pid", "tool"]).loc[(awa, "guidelines"), "rating"] == 4.0
    pre = r[(r["pid"] == awa) & (r["wave"] == "pre")]
    assert set(pre["duration_s"]) == {720.0} and set(pre["source_file"]) == {"pre.csv"}
    assert set(pre["source_row"]) == {2}


def test_text_is_scrubbed_and_missing_codes_logged(small):
    ws, result = small
    r = result.tables["responses"]
    awa = pid_of(ws, email="awa.diop@example.org")
    text = r[(r["pid"] == awa) & (r["item_id"] == "oc_comment")]["text"].iloc[0]
    assert "aide-memoire" in text and "Ouedraogo" not in text and "@" not in text
    log = result.cleaning_log
    scrub = log[log["action"] == "scrub"]
    assert scrub[["source_file", "row", "column"]].values.tolist() == [["post.csv", 2, "What will you do differently?"]]
    marie = pid_of(ws, name="Marie Koné", country="SEN")
    value = r[(r["pid"] == marie) & (r["item_id"] == "ok_functions")]["value"]
    assert len(value) == 1 and pd.isna(value.iloc[0])
    missing = log[log["action"] == "missing_code"]
    assert {"pre.csv", "post.csv"} == set(missing["source_file"])
    nsp = missing[missing["source_file"] == "pre.csv"].iloc[0]
    assert (nsp["row"], nsp["old"], nsp["item_id"]) == (4, "NSP", "ok_functions")
    jean = pid_of(ws, email="jean.o@example.org")
    na_text = r[(r["pid"] == jean) & (r["item_id"] == "oc_comment")]["text"]
    assert pd.isna(na_text.iloc[0])


def test_duplicate_submission_dropped_and_logged(small):
    ws, result = small
    r = result.tables["responses"]
    jean = pid_of(ws, email="jean.o@example.org")
    pre = r[(r["pid"] == jean) & (r["wave"] == "pre")]
    assert set(pre["source_row"]) == {5}  # the later, complete submission
    assert pre.set_index("item_id").loc["ok_functions", "value"] == 2.0
    log = result.cleaning_log
    dropped = log[log["action"] == "drop_duplicate"]
    assert dropped[["source_file", "row"]].values.tolist() == [["pre.csv", 3]]
    assert "kept pre.csv:5" in dropped["detail"].iloc[0]
    assert any("duplicate" in p.message and p.row == 5 for p in result.warnings)


def test_session_feedback_sessions_and_select_multiple(small):
    ws, result = small
    r = result.tables["responses"]
    fb = r[r["instrument"] == "session_feedback"]
    awa = pid_of(ws, email="awa.diop@example.org")
    jean = pid_of(ws, email="jean.o@example.org")
    assert set(fb["session_id"]) == {"vc1", "vc2"} and (fb["wave"] == fb["session_id"]).all()
    topics = fb[fb["item_id"].str.startswith("sf_topics.")].set_index(["pid", "session_id", "item_id"])["value"]
    assert topics[(awa, "vc1", "sf_topics.guidelines")] == 1.0
    assert topics[(awa, "vc1", "sf_topics.maturity_ladder")] == 1.0
    assert topics[(awa, "vc1", "sf_topics.self_assessment")] == 0.0
    assert topics[(jean, "vc1", "sf_topics.other")] == 1.0  # Kobo codes, session by its title
    assert topics[(awa, "vc2", "sf_topics.other")] == 1.0  # MS Forms separator, French labels
    assert len(topics[(awa, "vc1")]) == 5  # one row per option of the list
    objectives = fb[fb["item_id"] == "sf_objectives"].set_index(["pid", "session_id"])["value"]
    assert objectives[(jean, "vc1")] == 4.0 and objectives[(awa, "vc2")] == 5.0


def test_unknown_code_fails_with_file_row_column_and_allowed_values(tmp_path):
    bad = PRE.replace("Moyen,Moyen", "Moyen,Bof")
    ws = write_round(tmp_path / "data", files={"roster.csv": ROSTER, "pre.csv": bad, "post.csv": POST,
                                               "feedback.csv": FEEDBACK})
    with pytest.raises(DataErrors) as caught:
        clean_round(ws, "r1")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (
        "pre.csv", 6, "Ma capacité à rédiger un plan d'amélioration de la RSC")
    assert "'Bof'" in problem.message and "sk_plan" in problem.message
    assert "1 (Very low), 2 (Low), 3 (Moderate), 4 (High), 5 (Very high)" in problem.message
    assert not ws.processed_round("r1").exists()


def test_corrections_are_applied_and_logged(tmp_path):
    corrections = (
        "email,instrument,wave,item_id,old_value,new_value,reason\n"
        "awa.diop@example.org,outcomes,pre,ok_functions,2,3,respondent wrote to correct\n"
        "awa.diop@example.org,outcomes,post,ok_functions,Low,Very high,wrong old value\n"
    )
    ws = write_round(tmp_path / "data")
    (ws.raw_round("r1") / "corrections.csv").write_text(corrections, encoding="utf-8")
    result = clean_round(ws, "r1")
    r = result.tables["responses"]
    awa = pid_of(ws, email="awa.diop@example.org")
    values = r[(r["pid"] == awa) & (r["item_id"] == "ok_functions")].set_index("wave")["value"]
    assert values["pre"] == 3.0 and values["post"] == 4.0
    log = result.cleaning_log
    applied = log[log["action"] == "correction"]
    assert applied[["source_file", "row", "old", "new"]].values.tolist() == [["corrections.csv", 2, "2.0", "3.0"]]
    assert "awa" not in " ".join(log.astype(str).fillna("").values.ravel()).casefold()
    assert any(p.file == "corrections.csv" and p.row == 3 and "does not match" in p.message
               for p in result.warnings)
    # re-applied on every clean: same result the second time
    again = clean_round(ws, "r1")
    assert again.meta["data_hash"] == result.meta["data_hash"]


def test_raw_files_unchanged_and_meta_written(small, tmp_path):
    ws, result = small
    before = tree_digests(ws.raw_round("r1"))
    clean_round(ws, "r1")
    assert tree_digests(ws.raw_round("r1")) == before
    meta = json.loads((ws.processed_round("r1") / "meta.json").read_text(encoding="utf-8"))
    assert meta["round_id"] == "r1" and meta["countries"] == ["SEN", "BFA"]
    assert meta["sessions"][0] == {"id": "vc1", "kind": "virtual", "date": "2025-02-10", "title": "Visioconférence 1"}
    assert [s["file"] for s in meta["sources"]] == ["roster.csv", "pre.csv", "post.csv", "feedback.csv"]
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data_hash"]) and re.fullmatch(r"[0-9a-f]{64}", meta["input_fingerprint"])
    assert meta["data_hash"] == result.meta["data_hash"]
    assert meta["input_fingerprint"] == result.meta["input_fingerprint"]


def test_processed_folder_unchanged_when_cleaning_fails(small, monkeypatch):
    ws, result = small
    folder = ws.processed_round("r1")
    before = tree_digests(folder)
    # a failure while writing (the third table): nothing of the previous output changes
    calls = {"n": 0}
    original = pd.DataFrame.to_parquet

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    (ws.raw_round("r1") / "post.csv").write_text(POST.replace("Very useful", "Extremely useful"), encoding="utf-8")
    with pytest.raises(Exception, match="disk full"):
        clean_round(ws, "r1")
    assert tree_digests(folder) == before
    assert [p.name for p in folder.parent.iterdir()] == ["r1"]  # no temporary folder left
    monkeypatch.undo()
    # a data error: also untouched
    (ws.raw_round("r1") / "post.csv").write_text(POST.replace("Very useful", "Useful-ish"), encoding="utf-8")
    with pytest.raises(DataErrors):
        clean_round(ws, "r1")
    assert tree_digests(folder) == before


# ---------------------------------------------------------------------- parity: Kobo FR vs SurveyMonkey EN
KOBO = (
    '"start";"end";"Identification/Adresse e-mail";"Identification/Pays";'
    '"Avant l\'échange/Ma connaissance des fonctions essentielles d\'une RSC efficace";'
    '"Aujourd\'hui/Ma connaissance des fonctions essentielles d\'une RSC efficace";'
    '"Utilité : guide des RSC";"Appréciation/Quels thèmes ont été les plus utiles ?";'
    '"Appréciation/Quels thèmes ont été les plus utiles ?/Guide des RSC";'
    '"Appréciation/Quels thèmes ont été les plus utiles ?/Échelle de maturité";'
    '"Que ferez-vous différemment ?";"_id";"_uuid";"_submission_time";"_index"\n'
    '"2025-05-20T10:00:00.000+01:00";"2025-05-20T10:15:00.000+01:00";"awa.diop@example.org";"Sénégal";'
    '"Faible";"Élevé";"Très utile";"guidelines maturity_ladder";"1";"1";"Plus de suivi";"1";"u1";"2025-05-20T09:16:00";"1"\n'
    '"2025-05-21T09:00:00.000+01:00";"2025-05-21T09:07:30.000+01:00";"jean.o@example.org";"Burkina Faso";'
    '"NSP";"Moyen";"Extrêmement utile";"";"";"";"";"2";"u2";"2025-05-21T08:08:00";"2"\n'
)
SURVEYMONKEY = (
    "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,"
    "Country,Before the exchange,Today,Usefulness: JSR guidelines,Which topics were most useful?,,,,,"
    "What will you do differently?\n"
    ",,,,,,,,Response,My knowledge of the core functions of an effective JSR,"
    "My knowledge of the core functions of an effective JSR,Response,JSR guidelines,Self-assessment tool,"
    "Maturity ladder,Peer country practices,Other,Open-Ended Response\n"
    "101,9,05/20/2025 10:00:00 AM,05/20/2025 10:15:00 AM,10.0.0.1,awa.diop@example.org,,,Senegal,Low,High,"
    "Very useful,JSR guidelines,,Maturity ladder,,,Plus de suivi\n"
    "102,9,05/21/2025 09:00:00 AM,05/21/2025 09:07:30 AM,10.0.0.2,jean.o@example.org,,,Burkina Faso,"
    "Don't know,Moderate,Extremely useful,,,,,,\n"
)


def test_french_kobo_and_english_surveymonkey_give_identical_responses(tmp_path):
    sources = "  - {file: post.csv, instrument: outcomes, wave: post}\n"
    data = tmp_path / "data"
    ws = write_round(data, "kobo", files={"post.csv": KOBO}, sources=sources)
    write_round(data, "sm", files={"post.csv": SURVEYMONKEY}, sources=sources)
    kobo = clean_round(ws, "kobo").tables["responses"]
    sm = clean_round(ws, "sm").tables["responses"]
    drop = ["round_id", "source_file", "source_row", "submitted_at"]
    key = ["pid", "instrument", "wave", "item_id"]
    left = kobo.drop(columns=drop).sort_values(key).reset_index(drop=True)
    right = sm.drop(columns=drop).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    awa = pid_of(ws, email="awa.diop@example.org")
    mine = left[left["pid"] == awa].set_index(["wave", "item_id"])["value"]
    assert mine[("retro", "ok_functions")] == 2.0 and mine[("post", "ok_functions")] == 4.0
    assert mine[("post", "tf_guidelines")] == 4.0
    assert mine[("post", "sf_topics.guidelines")] == 1.0 and mine[("post", "sf_topics.self_assessment")] == 0.0
    assert set(left["duration_s"]) == {900.0, 450.0}
    jean = pid_of(ws, email="jean.o@example.org")
    topics = left[(left["pid"] == jean) & left["item_id"].str.startswith("sf_topics.")]["value"]
    assert len(topics) == 5 and topics.isna().all()  # not answered: missing, not 0


# ---------------------------------------------------------------------- the demo rounds
@pytest.fixture(scope="module")
def demo(tmp_path_factory, copy_demo, demo_rounds, demo_truth):
    data = copy_demo(tmp_path_factory.mktemp("demo") / "data")
    ids = demo_rounds
    ws = Workspace(data, data.parent / "reports")
    raw_before = {rid: tree_digests(ws.raw_round(rid)) for rid in ids}
    results = {rid: clean_round(ws, rid) for rid in ids}
    return ws, ids, results, raw_before, demo_truth


def _roster_identities(ws: Workspace, rid: str) -> list[str]:
    from exchange_eval.ingest import read_export

    manifest = yaml.safe_load((ws.raw_round(rid) / "round.yaml").read_text(encoding="utf-8"))
    roster = next(s["file"] for s in manifest["sources"] if s["instrument"] == "roster")
    frame = read_export(ws.raw_round(rid) / roster).frame
    values = []
    for column in frame.columns:
        if re.search(r"mail|nom|name|prénom|phone|téléphone", column, re.IGNORECASE):
            values.extend(v for v in frame[column].dropna() if len(v) > 3)
    return values


def test_demo_rounds_clean_without_personal_data(demo):
    ws, ids, results, raw_before, truth = demo
    assert ids == ["jsr-2025-fr", "jsr-2025-en", "salex-2025"]
    for rid in ids:
        assert tree_digests(ws.raw_round(rid)) == raw_before[rid]
        folder = ws.processed_round(rid)
        text = "\n".join(pd.read_parquet(folder / f"{t}.parquet").astype(str).to_csv() for t in TABLES)
        text += (folder / "cleaning_log.csv").read_text(encoding="utf-8-sig").casefold()
        identities = _roster_identities(ws, rid)
        assert len(identities) >= 20
        for value in identities:
            if "@" in value or any(ch.isdigit() for ch in value):
                assert value.casefold() not in text.casefold(), (rid, value)
            else:  # names: whole words only (a last name may be part of an organisation's name)
                assert not re.search(rf"\b{re.escape(value)}\b", text, re.IGNORECASE), (rid, value)
        participants = results[rid].tables["participants"]
        assert not {"email", "name", "phone"} & set(participants.columns)


def test_demo_counts_match_the_truth(demo):
    ws, ids, results, raw_before, truth = demo
    for rid in ("jsr-2025-fr", "jsr-2025-en"):
        expected = truth["rounds"][rid]
        result = results[rid]
        assert int(result.tables["participants"]["on_roster"].sum()) == expected["n_roster"]
        assert result.linkage["both"] == expected["linked_pairs"]
        r = result.tables["responses"]
        fb = r[r["instrument"] == "session_feedback"]
        per_session = fb.groupby("session_id")["pid"].nunique().to_dict()
        assert per_session == expected["n_responses"]["session_feedback"]
    for rid in ids:
        expected = truth["rounds"][rid]
        result = results[rid]
        assert result.tables["participants"]["on_roster"].all(), rid  # every respondent linked
        r = result.tables["responses"]
        waves = expected["n_responses"].get("pulse") or {w: expected["n_responses"][w] for w in ("pre", "post")}
        duplicate = expected["duplicate"]
        for wave, n_rows in waves.items():
            n_people = r.loc[r["wave"] == wave, "pid"].nunique()
            assert n_people == n_rows - (wave == duplicate["wave"]), (rid, wave)
        planted = expected["missing_code"]
        log = result.cleaning_log
        hit = log[(log["action"] == "missing_code") & (log["item_id"] == planted["item"])]
        assert planted["text"] in set(hit["old"]), rid
        drops = log[log["action"] == "drop_duplicate"]
        assert len(drops) == 1 and drops["detail"].iloc[0].startswith(
            f"{duplicate['instrument']} {duplicate['wave']} answered more than once")
    fr = results["jsr-2025-fr"].tables["responses"]
    assert {"pre", "post", "retro"} <= set(fr.loc[fr["instrument"] == "outcomes", "wave"])
    ties = results["salex-2025"].tables["ties"]
    assert len(ties) > 50 and set(ties["wave"]) == {"pulse-1", "pulse-2", "pulse-3"}
    assert ties["collaboration"].dropna().between(0, 3).all()
    assert ties["alter_country"].notna().mean() > 0.9 and ties["ego_country"].notna().all()


def test_kobo_option_columns_rebuild_a_missing_parent_and_are_skipped_beside_it(tmp_path):
    feedback = (
        "Session,Email,Quels thèmes ont été les plus utiles ?/Guide des RSC,"
        "Quels thèmes ont été les plus utiles ?/Autre\n"
        "vc1,awa.diop@example.org,1,0\n"
        "vc1,jean.o@example.org,,\n"
    )
    sources = "  - {file: roster.csv, instrument: roster}\n  - {file: feedback.csv, instrument: session_feedback}\n"
    ws = write_round(tmp_path / "data", files={"roster.csv": ROSTER, "feedback.csv": feedback}, sources=sources)
    result = clean_round(ws, "r1")
    r = result.tables["responses"]
    awa = pid_of(ws, email="awa.diop@example.org")
    jean = pid_of(ws, email="jean.o@example.org")
    topics = r[r["item_id"].str.startswith("sf_topics.")].set_index(["pid", "item_id"])["value"]
    assert topics[(awa, "sf_topics.guidelines")] == 1.0 and topics[(awa, "sf_topics.other")] == 0.0
    assert topics[(awa, "sf_topics.maturity_ladder")] == 0.0  # answered, option without a column
    assert topics.loc[jean].isna().all()  # not answered at all
    # beside the parent column, option columns are skipped and logged
    with_parent = feedback.replace("Session,Email,", "Session,Email,Quels thèmes ont été les plus utiles ?,") \
        .replace("vc1,awa.diop@example.org,", "vc1,awa.diop@example.org,guidelines,") \
        .replace("vc1,jean.o@example.org,", "vc1,jean.o@example.org,,")
    (ws.raw_round("r1") / "feedback.csv").write_text(with_parent, encoding="utf-8")
    result = clean_round(ws, "r1")
    log = result.cleaning_log
    assert (log["action"] == "ignore_option_column").sum() == 2
    r = result.tables["responses"]
    assert r.set_index(["pid", "item_id"]).loc[(awa, "sf_topics.guidelines"), "value"] == 1.0


def test_demo_structured_tables(demo):
    ws, ids, results, raw_before, truth = demo
    for rid in ("jsr-2025-fr", "jsr-2025-en"):
        tables = results[rid].tables
        manifest = results[rid].meta
        plans = tables["plan_actions"]
        assert len(plans) > 0 and set(plans["status"].dropna()) <= {"planned", "started", "done", "dropped"}
        assert set(plans["followup"]) == {"followup-1", "followup-2"}
        assert set(plans["country"]) <= set(manifest["countries"])
        assessment = tables["jsr_assessment"]
        groups = assessment.drop_duplicates("country").set_index("country")["group"]
        assert all(groups[c] == "participant" for c in manifest["countries"] if c in groups)
        assert all(groups[c] == "comparison" for c in manifest["comparison"] if c in groups)
        assert assessment["rating"].dropna().between(1, 4).all()
        quality = tables["jsr_quality"]
        flags = quality[["inclusive", "aligned", "evidence", "monitoring", "policy_cycle"]]
        assert (quality["n_met"] == flags.sum(axis=1)).all()
        assert (quality["meets"] == (quality["n_met"] >= 3)).all()


def test_round_codebook_maps_and_recodes_columns_and_logs_it(tmp_path):
    post = (
        "Email address,Q1 (reversed),Q2 avant,Remarques\n"
        "awa.diop@example.org,Very high,Low,RAS\n"
        "jean.o@example.org,Low,NSP,\n"
    )
    codebook = (
        "source,item_id,wave,recode,role\n"
        "Q1 (reversed),ok_functions,,1-5,\n"
        "re:^Q2 avant$,ok_functions,retro,,\n"
        "Remarques,,,,ignore\n"
    )
    sources = ("  - {file: roster.csv, instrument: roster}\n"
               "  - {file: post.csv, instrument: outcomes, wave: post, codebook: codebook.csv}\n")
    ws = write_round(tmp_path / "data", files={"roster.csv": ROSTER, "post.csv": post, "codebook.csv": codebook},
                     sources=sources)
    result = clean_round(ws, "r1")
    r = result.tables["responses"].set_index(["pid", "wave", "item_id"])["value"]
    awa = pid_of(ws, email="awa.diop@example.org")
    jean = pid_of(ws, email="jean.o@example.org")
    assert r[(awa, "post", "ok_functions")] == 1.0 and r[(jean, "post", "ok_functions")] == 4.0
    assert r[(awa, "retro", "ok_functions")] == 2.0 and pd.isna(r[(jean, "retro", "ok_functions")])
    log = result.cleaning_log
    recodes = log[log["action"] == "recode"]
    assert recodes[["row", "column", "old", "new"]].values.tolist() == [
        [2, "Q1 (reversed)", "5", "1"], [3, "Q1 (reversed)", "2", "4"]]
    renames = log[(log["action"] == "rename") & (log["source_file"] == "post.csv")].set_index("column")["new"]
    assert renames["Q2 avant"] == "ok_functions (retro)"
    assert not (log["column"] == "Remarques").any()  # ignored on purpose: neither mapped nor unmapped
    assert not result.warnings
