"""Pseudonyms, key handling, free-text scrubbing, PII fields and output safety."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from exchange_eval.clean.keys import KEY_FILE_NAME, KeyUnavailableError, load_key
from exchange_eval.clean.protect import (
    is_pii_field,
    normalize_email,
    normalize_name,
    pid_message,
    pseudonym,
)
from exchange_eval.clean.scrub import Scrubber, scrub_text
from exchange_eval.core.config import Environment
from exchange_eval.core.errors import DataError, ExchangeEvalError
from exchange_eval.core.safe import escape_html, neutralize_formula, neutralize_frame
from support import SRC

KEY = b"exchange-eval test key"


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch):
    monkeypatch.delenv("EXCHANGE_EVAL_KEY", raising=False)
    monkeypatch.delenv("EXCHANGE_EVAL_KEY_FILE", raising=False)


# --------------------------------------------------------------------------- pseudonyms


def _reference(message: str) -> str:
    return "p_" + hmac.new(KEY, message.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def test_pid_is_hmac_sha256_of_documented_message():
    pid = pseudonym(key=KEY, email=" Aminata.Diallo@Education.GOUV.SN")
    assert pid == _reference("email:aminata.diallo@education.gouv.sn")
    pid = pseudonym(key=KEY, name="DIALLO  Aminata", country="Senegal")
    assert pid == _reference("name:aminata diallo|SEN")


def test_pid_known_vectors():
    # computed once with hmac/hashlib; pins the message format and the truncation
    assert pseudonym(key=KEY, email="aminata.diallo@education.gouv.sn") == "p_5151e8bcb61a"
    assert pseudonym(key=KEY, name="Aminata Diallo", country="SEN") == "p_11c6576f8883"


def test_same_person_same_pid_across_email_variants():
    variants = [
        "aminata.diallo@education.gouv.sn",
        "  AMINATA.DIALLO@EDUCATION.GOUV.SN  ",
        "Aminata.Diallo@Education.Gouv.sn",
        "Aminata Diallo <aminata.diallo@education.gouv.sn>",
        "mailto:aminata.diallo@education.gouv.sn",
        "aminata.diallo @ education.gouv.sn",
    ]
    assert {pseudonym(key=KEY, email=v) for v in variants} == {"p_5151e8bcb61a"}


def test_same_person_same_pid_across_name_variants():
    variants = [
        ("Aminata Diallo", "SEN"),
        ("Diallo Aminata", "SEN"),
        ("DIALLO, Aminata", "sn"),
        ("  aminata   DIALLO ", "Sénégal"),
        ("Mme Aminata Diallo", "Senegal"),
        ("Àminata Diallo", "SEN"),
    ]
    assert {pseudonym(key=KEY, name=n, country=c) for n, c in variants} == {"p_11c6576f8883"}


def test_accents_apostrophes_and_order_in_names():
    assert normalize_name("Aïcha N’Diaye") == normalize_name("NDIAYE aicha") == "aicha ndiaye"
    assert normalize_name("Jean-Pierre Kaboré") == "jean kabore pierre"
    assert normalize_name("Œdipe Sørensen") == "oedipe sorensen"
    assert normalize_name(None) == "" and normalize_name("   ") == ""


def test_normalize_email():
    assert normalize_email(" A.Diallo@GOUV.sn ") == "a.diallo@gouv.sn"
    assert normalize_email(None) == ""


def test_pid_distinguishes_people_and_countries():
    a = pseudonym(key=KEY, name="Aminata Diallo", country="SEN")
    assert a != pseudonym(key=KEY, name="Aminata Diallo", country="MLI")
    assert a != pseudonym(key=KEY, name="Aminata Diallo")  # no country: another message
    assert pid_message(name="Aminata Diallo") == "name:aminata diallo|"
    assert a != pseudonym(key=KEY, name="Fatou Diallo", country="SEN")
    assert a != pseudonym(key=b"another key", name="Aminata Diallo", country="SEN")


def test_pid_falls_back_to_name_when_email_is_not_an_address():
    by_name = pseudonym(key=KEY, name="Aminata Diallo", country="SEN")
    for junk in ("n/a", "", "   ", "-", "aminata@", "@gouv.sn"):
        assert pseudonym(key=KEY, email=junk, name="Aminata Diallo", country="SEN") == by_name


def test_pid_errors():
    with pytest.raises(DataError, match="neither a valid e-mail address nor a name"):
        pseudonym(key=KEY)
    with pytest.raises(DataError):
        pseudonym(key=KEY, email="n/a", name=" - ")
    with pytest.raises(DataError, match="not recognised"):
        pseudonym(key=KEY, name="Aminata Diallo", country="Atlantis")
    with pytest.raises(KeyUnavailableError):
        pseudonym(key=b"", email="a@b.org")


def test_pid_shape():
    pid = pseudonym(key=KEY, email="x@y.org")
    assert pid.startswith("p_") and len(pid) == 14
    int(pid[2:], 16)


# --------------------------------------------------------------------------- key


def test_key_file_created_once_with_0600_and_reused(tmp_path):
    key = load_key(tmp_path)
    path = tmp_path / KEY_FILE_NAME
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text().strip()
    assert len(text) == 64 and int(text, 16) >= 0  # 32 random bytes, hex
    assert key == text.encode("utf-8")
    assert load_key(tmp_path) == key
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE_NAME]  # no temp litter


def test_two_data_folders_get_different_keys(tmp_path):
    assert load_key(tmp_path / "a") != load_key(tmp_path / "b")


def _env_key(environ: dict[str, str]) -> dict[str, str | None]:
    env = Environment.read(environ)
    return {"key": env.key, "key_file": env.key_file}


def test_env_key_takes_precedence(tmp_path):
    load_key(tmp_path)
    phrase = "une phrase secrète de onze mots tirés au hasard dans un dictionnaire"
    key = _env_key({"EXCHANGE_EVAL_KEY": phrase})
    assert load_key(tmp_path, **key) == phrase.encode()


def test_env_key_equal_to_file_content_gives_same_pids(tmp_path):
    from_file = load_key(tmp_path)
    key = _env_key({"EXCHANGE_EVAL_KEY": (tmp_path / KEY_FILE_NAME).read_text()})
    assert load_key(tmp_path / "elsewhere", **key) == from_file


def test_empty_env_key_is_an_error(tmp_path):
    with pytest.raises(KeyUnavailableError, match="EXCHANGE_EVAL_KEY"):
        load_key(tmp_path, **_env_key({"EXCHANGE_EVAL_KEY": "  "}))


def test_key_file_env_points_elsewhere(tmp_path):
    target = tmp_path / "secrets" / "my.key"
    key = load_key(tmp_path / "data", **_env_key({"EXCHANGE_EVAL_KEY_FILE": str(target)}))
    assert target.read_text().strip().encode() == key
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()


def test_key_file_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(KeyUnavailableError, match="EXCHANGE_EVAL_KEY") as info:
        load_key(blocker)
    assert isinstance(info.value, ExchangeEvalError)
    assert info.value.exit_code == 2


def test_key_file_that_cannot_be_read(tmp_path):
    (tmp_path / KEY_FILE_NAME).mkdir()
    with pytest.raises(KeyUnavailableError, match="cannot read"):
        load_key(tmp_path)


def test_empty_key_file_is_an_error(tmp_path):
    (tmp_path / KEY_FILE_NAME).write_text("\n")
    with pytest.raises(KeyUnavailableError, match="empty"):
        load_key(tmp_path)


_RACER = textwrap.dedent(
    """
    import os, sys, time
    from exchange_eval.clean.keys import load_key
    go = sys.argv[2]
    while not os.path.exists(go):  # start together, to race for the key file
        time.sleep(0.001)
    print(load_key(sys.argv[1]).decode())
    """
)


def test_parallel_first_use_agrees_on_one_key(tmp_path):
    go = tmp_path / "go"
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(data), str(go)], stdout=subprocess.PIPE, env=env, text=True
        )
        for _ in range(6)
    ]
    time.sleep(0.5)
    go.write_text("")
    keys = [racer.communicate(timeout=60)[0].strip() for racer in racers]
    assert all(racer.returncode == 0 for racer in racers)
    assert len(set(keys)) == 1
    assert keys[0] == (data / KEY_FILE_NAME).read_text().strip()
    assert [p.name for p in data.iterdir()] == [KEY_FILE_NAME]


# --------------------------------------------------------------------------- scrubbing

ROSTER = ["Aminata Diallo", "BA Aïcha", "Jean-Pierre Kaboré", "Grace N'Diaye", "Will Mensah"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to aminata.diallo@education.gouv.sn please", "Write to [email] please"),
        ("Mail: A.Diallo+jsr@Gouv.SN.", "Mail: [email]."),
        ("contact: a.diallo [at] gouv [dot] sn", "contact: [email]"),
        ("Tel: +221 77 123 45 67", "Tel: [phone]"),
        ("call 0803-555-1234 today", "call [phone] today"),
        ("office (256) 772 123456", "office [phone]"),
        ("portable 77.123.45.67.", "portable [phone]."),
        ("Tél.77 123 45 67", "Tél.[phone]"),
        ("WhatsApp +22177123456", "WhatsApp [phone]"),
        ("+44 (0)20 7946 0958", "[phone]"),
        ("+1 (202) 555-0143", "[phone]"),
        ("00221 77 123 45 67", "[phone]"),
        ("06 12 34 56 78 ou 70 987 65 43", "[phone] ou [phone]"),
        ("numéro 771234567", "numéro [phone]"),
        ("Phones: 77 123 45 67 70 987 65 43", "Phones: [phone]"),
    ],
)
def test_scrub_true_positives(text, expected):
    assert scrub_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2025 we held 3 sessions.",
        "The visit was on 12/03/2025 and the debrief on 2025-04-02.",
        "Le 12.03.2025, 12,5 % des participants",
        "Plan 2024-2025 and 2019–2023, ESP 2020/2025",
        "VC3 and VC1 went well; SEN, BFA, CIV and TCD took part",
        "Budget: 1 500 000 FCFA, 12.500.000 XOF, USD 250,000",
        "45% agreed, 3.5 on average, 1.5 million pupils",
        "Version 1.2.3, ISBN 978-3-16-148410-0, see p. 12-14",
        "Arrêté n° 2023-0451 du ministère",
        "10-15 participants, 14:30, 2 of 8 countries",
        "https://example.org/report?id=77123456789&session=3",
        "Decree of 20250312",
    ],
)
def test_scrub_true_negatives(text):
    assert scrub_text(text, ROSTER) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aminata Diallo presented", "[name] presented"),
        ("DIALLO Aminata presented", "[name] presented"),
        ("thanks to aminata", "thanks to [name]"),
        ("Merci à Aicha et à aïcha", "Merci à [name] et à [name]"),
        ("Aïcha Ba a présenté", "[name] a présenté"),
        ("Mme Ba a présenté", "Mme [name] a présenté"),
        ("M. Kabore", "M. [name]"),
        ("M. Ba et Dr Ba", "M. [name] et Dr [name]"),
        ("Jean-Pierre said so", "[name] said so"),
        ("N'Diaye and Ndiaye and N’DIAYE", "[name] and [name] and [name]"),
        ("Diallo's plan", "[name]'s plan"),
        ("I hope Grace agrees", "I hope [name] agrees"),
        ("We will ask Will.", "We will ask [name]."),
        ("Mensah, Diallo", "[name], [name]"),
    ],
)
def test_scrub_names(text, expected):
    assert scrub_text(text, ROSTER) == expected


def test_scrub_names_respect_word_boundaries():
    # "Ali" must not eat "quality" or "Alice"; short surnames alone are kept
    assert scrub_text("quality with Alice and Ba", ["Ali Ba"]) == "quality with Alice and Ba"
    assert scrub_text("Ali Ba came; Ali too", ["Ali Ba"]) == "[name] came; [name] too"


def test_scrub_common_words_only_when_capitalised():
    assert scrub_text("I hope we will grow in grace", ["Hope Grace Will"]) == (
        "I hope we will grow in grace"
    )
    assert scrub_text("Hope said", ["Hope Banda"]) == "[name] said"


def test_scrub_all_together_and_none():
    text = "Merci à Aïcha Ba (aicha.ba@gouv.sn, +221 77 123 45 67) pour VC3 en 2025."
    assert scrub_text(text, ["BA Aicha"]) == "Merci à [name] ([email], [phone]) pour VC3 en 2025."
    assert scrub_text(None, ROSTER) is None
    assert scrub_text("", ROSTER) == ""


def test_scrub_ignores_missing_names_and_placeholders():
    roster = ["Email Phone", None, "", float("nan"), "Aminata Diallo"]
    assert scrub_text("write to x@y.org, Aminata", roster) == "write to [email], [name]"


def test_scrubber_reusable():
    scrubber = Scrubber(ROSTER)
    assert scrubber.scrub("Kaboré: 0803-555-1234") == "[name]: [phone]"
    assert scrubber.scrub(None) is None


# --------------------------------------------------------------------------- PII fields


@pytest.mark.parametrize(
    "role",
    ["email", "name", "first_name", "last_name", "phone", "ip_address", "IPAddress",
     "IP Address", "RecipientEmail", "RecipientFirstName", "recipient_last_name",
     "LocationLatitude", "LocationLongitude", "_geolocation", "_gps_latitude", "Email Address",
     "ExternalReference", "deviceid"],
)
def test_pii_fields(role):
    assert is_pii_field(role) is True


@pytest.mark.parametrize(
    "role", ["country", "organisation", "role", "gender", "session", "submitted_at", "", "sf_comment"]
)
def test_not_pii_fields(role):
    assert is_pii_field(role) is False


# --------------------------------------------------------------------------- output safety


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+221 77 123 45 67", "'+221 77 123 45 67"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1", "-1"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("-1,5", "-1,5"),
        ("Sénégal", "Sénégal"),
        ("a=b", "a=b"),
        ("", ""),
        (-1, -1),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_neutralize_formula(value, expected):
    assert neutralize_formula(value) == expected


def test_neutralize_frame_touches_only_string_cells():
    df = pd.DataFrame(
        {
            "num": [-1.0, 2.0, None],
            "int": pd.array([-3, 4, None], dtype="Int64"),
            "obj": ["=cmd()", "-1", None],
            "txt": pd.array(["@x", "ok", pd.NA], dtype="string"),
            "cat": pd.Categorical(["=a", "b", "=a"]),
        }
    )
    out = neutralize_frame(df)
    assert out["num"].tolist()[:2] == [-1.0, 2.0]
    assert out["int"].tolist()[:2] == [-3, 4]
    assert out["obj"].tolist()[:2] == ["'=cmd()", "-1"] and out["obj"].isna().tolist()[2]
    assert out["txt"].tolist()[:2] == ["'@x", "ok"] and pd.isna(out["txt"].iloc[2])
    assert str(out["txt"].dtype) == "string"
    assert out["cat"].astype(str).tolist() == ["'=a", "b", "'=a"]
    assert df["obj"].iloc[0] == "=cmd()"  # the input is not modified


def test_escape_html():
    assert escape_html('<b onclick="x">Aïcha & l\'équipe</b>') == (
        "&lt;b onclick=&quot;x&quot;&gt;Aïcha &amp; l&#x27;équipe&lt;/b&gt;"
    )
    assert escape_html(None) == ""
    assert escape_html(3) == "3"


def test_key_file_permissions_not_widened_by_umask(tmp_path):
    old = os.umask(0)
    try:
        load_key(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600
