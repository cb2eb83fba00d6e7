"""Personal data through side doors: every free-text field, file names, obfuscated forms.

The detector finds e-mails written ``name @ gouv.sn``, ``name at gouv dot sn``, with a
full-width ``＠`` or ``%40``; phones with ``/ . -`` separators; IPv4 and IPv6 addresses;
roster names split by soft hyphens or zero-width characters; and leaves dates, years,
percentages and amounts of ordinary French and English comments alone.

The canary rounds (`hostile_rounds`) plant personal data in every free-text field of every
instrument and in file names; after ``clean`` none of it is in ``data/processed`` (Parquet
read back with pandas, cleaning_log.csv, meta.json), and after a build (slow) none is in
the reports (HTML, PDF text, notebooks, JSON records, the build manifest).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from exchange_eval.clean.log import CleaningLog
from exchange_eval.clean.manifest import load_manifest
from exchange_eval.clean.pipeline import clean_round
from exchange_eval.clean.redact import redact_log, source_aliases
from exchange_eval.clean.scrub import Scrubber, scrub_text
from exchange_eval.core.paths import Workspace
from hostile_rounds import (
    ROUND_FR,
    ROUND_NET,
    SOFT,
    ZWSP,
    leaks_in,
    plant_french,
    plant_network,
    scan,
)

ROSTER = ["Aïcha Ba", "Aminata Diallo", "Jean-Pierre Kaboré"]


# ---------------------------------------------------------------------- the detector
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("écrire à aicha.ba @ gouv.sn", "écrire à [email]"),
        ("aicha.ba at gouv dot sn", "[email]"),
        ("aicha.ba AT education DOT gouv DOT sn", "[email]"),
        ("aicha.ba arobase gouv point sn", "[email]"),
        ("aicha.ba at gouv.sn", "[email]"),
        ("write to aicha [at] gouv [dot] sn", "write to [email]"),
        ("aicha ＠gouv.sn", "[email]"),
        ("aicha.ba%40gouv.sn", "[email]"),
        ("aicha\u200b.ba@gouv.sn", "[email]"),
        ("tel 77/123/45/67", "tel [phone]"),
        ("+221 77/123/45/67", "[phone]"),
        ("77-123-45-67 or 77.123.45.67", "[phone] or [phone]"),
        ("ip 10.0.0.12 ok", "ip [ip] ok"),
        ("from 192.168.1.20.", "from [ip]."),
        ("v6 2001:db8::8a2e:370:7334 x", "v6 [ip] x"),
        ("fe80::1%eth0 and ::ffff:10.0.0.1", "[ip] and [ip]"),
    ],
)
def test_obfuscated_emails_phones_and_ips_are_found(text, expected):
    assert scrub_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Aï{SOFT}cha a parlé", "[name] a parlé"),
        (f"Ami{ZWSP}nata Dia\u200dllo", "[name]"),
        ("ＡＩＣＨＡ ＢＡ", "[name]"),
        (f"Merci à Mme B{SOFT}a", "Merci à Mme [name]"),
    ],
)
def test_names_are_found_after_unicode_normalisation(text, expected):
    assert scrub_text(text, ROSTER) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We arrived at the point where nothing worked.",
        "At the point of view of the ministry, look at it in time.",
        "Rendez-vous à 14:30:00 le 12/03/2025, puis le 05/06/2025 à 9h.",
        "Le 12/03/2025 10 participants étaient là, soit 15/20 présents.",
        "Ratio 3:2:1; Note :: fin; version 2.1 of the plan; article 3.2.1.4 du décret.",
        "65,5 % et 1 500 000 FCFA; prix : 12.500.000 FCFA; USD 250,000; 12.5%.",
        "Entre 2019/2020/2021 et 2024-2025; le 1/2/3/4; 11/2024; A score of 4/5 for 80 % of them.",
        "RDV @ 10h30. Merci à tous. Bien à vous; we met at Dakar, point taken.",
        "On 2025-03-12 at 14:30 in Dakar, 3 sessions in 2025; 45% agreed.",
        "La RSC 2025 a réuni 120 personnes (dont 35 % de femmes) pour 2,5 jours.",
    ],
)
def test_ordinary_comments_survive(text):
    assert scrub_text(text, ROSTER) == text


def test_many_names_cost_per_word_not_per_name():
    # 20,000 names would take minutes as one regular expression; here they are sets
    scrubber = Scrubber([f"Person{i} Name{i}" for i in range(20_000)] + ["Aïcha Ba"])
    assert scrubber.scrub("Merci à Aïcha et à person19999 pour 2025") == "Merci à [name] et à [name] pour 2025"


def test_file_names_with_personal_data_get_an_alias(tmp_path, demo_raw):
    folder = plant_network(demo_raw, tmp_path / "raw")
    manifest = load_manifest(folder)
    aliases = source_aliases(manifest, Scrubber(["Moses Tembo"]))
    position = [s.file for s in manifest.sources].index("canary.nine@gouv.sn.csv") + 1
    assert aliases["canary.nine@gouv.sn.csv"] == f"source-{position}.csv"
    assert aliases["members.csv"] == "members.csv"
    named = Scrubber(["Moses Tembo"])
    assert source_aliases(manifest, named)["gf_pulse_1.csv"] == "gf_pulse_1.csv"


# ---------------------------------------------------------------------- canaries
@pytest.fixture(scope="module")
def hostile(tmp_path_factory, demo_raw) -> Workspace:
    root = tmp_path_factory.mktemp("hostile")
    plant_network(demo_raw, root / "data" / "raw")
    plant_french(demo_raw, root / "data" / "raw")
    ws = Workspace.from_options(root / "data", root / "reports")
    for round_id in (ROUND_NET, ROUND_FR):
        clean_round(ws, round_id)
    return ws


def test_canaries_are_really_in_the_raw_exports(hostile):
    raw = scan(hostile.raw_dir)
    assert len(raw) >= 8
    assert "canary" in raw[f"{ROUND_NET}/corrections.csv"]


def test_no_canary_in_processed_data(hostile):
    for round_id in (ROUND_NET, ROUND_FR):
        folder = hostile.processed_round(round_id)
        assert {p.suffix for p in folder.iterdir()} == {".parquet", ".csv", ".json"}
        assert scan(folder) == {}, round_id


def test_every_free_text_field_is_scrubbed_not_dropped(hostile):
    net = hostile.processed_round(ROUND_NET)
    participants = pd.read_parquet(net / "participants.parquet")
    assert "Unit of [email] (call [phone])" in set(participants["organisation"].dropna())
    ties = pd.read_parquet(net / "ties.parquet")
    assert "[email]" in set(ties["alter_organisation"].dropna())
    assert "Unit of [email] (call [phone])" in set(ties["ego_organisation"].dropna())
    texts = set(pd.read_parquet(net / "responses.parquet")["text"].dropna())
    assert "Ask [name]: [email] or [email]" in texts
    assert "Phone [phone], server [ip] and [ip]" in texts
    log = pd.read_csv(net / "cleaning_log.csv", dtype=str, encoding="utf-8-sig")
    corrections = log[log["action"] == "correction"]
    assert corrections["detail"].str.endswith("asked by [email] on [phone]").all() and len(corrections) == 1

    french = hostile.processed_round(ROUND_FR)
    plans = pd.read_parquet(french / "plan_actions.parquet")
    assert "Appeler [email] au [phone]" in set(plans["description"])
    assert "Mme [name]" in set(plans["owner_role"])
    comments = set(pd.read_parquet(french / "tool_feedback.parquet")["comment"].dropna())
    assert "écrire à [email]" in comments
    # 192.168.10.20 is also a ten-digit phone number written with dots: either placeholder will do
    assert comments & {"Merci à [name], serveur [ip]", "Merci à [name], serveur [phone]"}


def test_file_names_are_aliases_in_every_output(hostile):
    for round_id, position in ((ROUND_NET, 5), (ROUND_FR, 2)):
        folder = hostile.processed_round(round_id)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        assert meta["sources"][position - 1]["file"] == f"source-{position}.csv"
        responses = pd.read_parquet(folder / "responses.parquet")
        assert f"source-{position}.csv" in set(responses["source_file"])
        log = pd.read_csv(folder / "cleaning_log.csv", dtype=str, encoding="utf-8-sig")
        assert f"source-{position}.csv" in set(log["source_file"].dropna())


def test_the_scrubbing_pass_is_logged(hostile):
    log = pd.read_csv(hostile.processed_round(ROUND_NET) / "cleaning_log.csv", dtype=str, encoding="utf-8-sig")
    scrubbed = set(log.loc[log["action"] == "scrub", "column"].dropna())
    assert {"participants.organisation", "ties.alter_organisation", "ties.ego_organisation"} <= scrubbed


def test_composed_log_rows_only_have_their_file_names_aliased():
    log = CleaningLog("r1")
    log.add("correction", file="canary.nine@gouv.sn.csv", row=3, old="Aïcha Ba", detail="asked by aicha@gouv.sn")
    log.add_frame(pd.DataFrame({
        "round_id": "r1", "source_file": ["canary.nine@gouv.sn.csv", "post.csv"], "row": [4, 5],
        "column": None, "action": "link", "item_id": None, "old": None, "new": None,
        "detail": ["respondent not on the roster added as participant p_0123456789ab",
                   "respondent not on the roster added as participant p_ba9876543210"]}), composed=True)
    log.add("recode", file="post.csv", row=6, column="q1", old="Tout à fait d'accord, dit Aminata Diallo", new="5")
    assert log.composed_rows().tolist() == [False, True, True, False]
    aliases = {"canary.nine@gouv.sn.csv": "source-2.csv", "post.csv": "post.csv"}
    scrubber = Scrubber(ROSTER)
    redacted = redact_log(log.frame(), scrubber, aliases, log.composed_rows())
    assert redacted["row"].tolist() == [3, 4, 5, 6]
    assert redacted["source_file"].tolist() == ["source-2.csv", "source-2.csv", "post.csv", "post.csv"]
    assert redacted["detail"].tolist() == [
        "asked by [email]", "respondent not on the roster added as participant p_0123456789ab",
        "respondent not on the roster added as participant p_ba9876543210", pd.NA]
    assert redacted["old"].tolist()[::3] == ["[name]", "Tout à fait d'accord, dit [name]"]
    # the same log scrubbed row by row gives the same table
    pd.testing.assert_frame_equal(redacted, redact_log(log.frame(), scrubber, aliases))


def test_leak_detector_sees_what_it_must():
    assert leaks_in("x canary.one@gouv.sn y") == ["canary"]
    assert leaks_in("call 77 123 45 67") == ["771234567"]
    assert leaks_in("[email] [phone] [name] [ip]") == []


@pytest.mark.slow
def test_no_canary_in_reports(hostile):
    from exchange_eval.build import build_all

    result = build_all(hostile, jobs=2, formats=("html", "pdf"), progress=False, languages=())
    reports = hostile.reports_dir
    assert scan(reports) == {}  # HTML, PDF text, notebooks, JSON records, the build manifest
    assert result.ok, result.failures
    kinds = {p.suffix for p in reports.rglob("*") if p.is_file()}
    assert {".ipynb", ".html", ".pdf"} <= kinds
    page = (reports / ROUND_NET / "round_report.html").read_text(encoding="utf-8")
    assert "source-5.csv" in page  # the Sources table names the file by its alias
