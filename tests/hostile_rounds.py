"""Hostile rounds: demo rounds with personal data planted in every free-text field and file name.

`plant_network` turns a copy of the learning-network demo round into ``hostile-net``:
organisation free text on the roster and in a pulse survey (participants, ties' ego
organisation), a ties grid header naming an organisation by an e-mail (ties' alter
organisation), comments written with obfuscated e-mails, full-width and URL-encoded
``@``, slashed phone numbers, IPv4 and IPv6 addresses, a roster name split by a soft
hyphen and a zero-width space, a correction whose ``reason`` holds an e-mail and a phone
(cleaning_log.csv), and an export named after an e-mail address.

`plant_french` turns a copy of the French JSR demo round into ``hostile-fr``: plan action
descriptions and owners, tool comments, session comments, a text question, an export
named after an e-mail.

Every planted e-mail has "canary" in it; `LEAKS` lists every other planted value. A
leak is any of them found in an output (`leaks_in`).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import yaml

from support import file_text

ROUND_NET = "hostile-net"
ROUND_FR = "hostile-fr"
SOFT = "\u00ad"
ZWSP = "\u200b"

#: what must never reach an output (case-insensitive), besides any word containing "canary"
LEAKS = (
    "canary", "gouv dot sn", "77/123/45/67", "771234567", "70.987.65.43", "709876543",
    "10.0.0.12", "192.168.10.20", "fe80::", "fe23:4567", "Moses", "Tembo",
    "Clémentine", "Clementine", "%40", "＠",
)


def read_rows(path: Path) -> tuple[list[list[str]], str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the French roster is written as Excel would: cp1252
        text = data.decode("cp1252")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter)), delimiter


def write_rows(path: Path, rows: list[list[str]], delimiter: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _set_cell(path: Path, column: str, values: list[str], *, start: int = 1) -> None:
    rows, delimiter = read_rows(path)
    position = rows[0].index(column)
    for offset, value in enumerate(values):
        rows[start + offset][position] = value
    write_rows(path, rows, delimiter)


def _manifest(folder: Path) -> dict:
    return yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))


def _write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "round.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _rename_source(folder: Path, manifest: dict, old: str, new: str) -> None:
    (folder / old).rename(folder / new)
    for source in manifest["sources"]:
        if source["file"] == old:
            source["file"] = new


def plant_network(demo_raw: Path, raw: Path) -> Path:
    """``raw/hostile-net``: the learning-network demo round with personal data planted."""
    folder = raw / ROUND_NET
    shutil.copytree(demo_raw / "salex-2025", folder)
    manifest = _manifest(folder)
    manifest["round"] = ROUND_NET
    pulse = folder / "gf_pulse_1.csv"
    rows, delimiter = read_rows(pulse)
    head = rows[0]
    rows[1][head.index("Organisation")] = "Desk of canary.two @ gouv.sn"
    rows[2][head.index("Organisation")] = "Office canary.three at gouv dot sn"
    # a ties grid column whose alter organisation is an e-mail address
    head.append("Collaboration [canary.four@partner.org]")
    for row in rows[1:]:
        row.append("")
    rows[1][-1] = "Information sharing"
    comment = head.index("What should the network do differently?")
    rows[1][comment] = f"Ask Mo{SOFT}ses Tem{ZWSP}bo: canary.five＠gouv.sn or canary.six%40gouv.sn"
    rows[2][comment] = "Phone +221 70.987.65.43, server 10.0.0.12 and fe80::1ff:fe23:4567:890a"
    respondent = rows[1][head.index("Email address")]
    write_rows(pulse, rows, delimiter)
    # the roster's organisation of that respondent (participants, and ties' ego organisation)
    members, members_delimiter = read_rows(folder / "members.csv")
    row = next(i for i, r in enumerate(members) if r[members[0].index("Email")] == respondent)
    members[row][members[0].index("Organisation")] = "Unit of canary.one@gouv.sn (call 77/123/45/67)"
    write_rows(folder / "members.csv", members, members_delimiter)

    (folder / "corrections.csv").write_text(
        "email,instrument,wave,item_id,old_value,new_value,reason\n"
        f"{respondent},pulse,pulse-1,pl_value,,Agree,asked by canary.seven@gouv.sn on 77/123/45/67\n",
        encoding="utf-8")
    _set_cell(folder / "gf_feedback_w2.csv", "Comments on the session", [
        "Moses Tembo wrote from 192.168.10.20", "canary.eight [at] gouv [dot] sn"])
    _rename_source(folder, manifest, "gf_feedback_w1.csv", "canary.nine@gouv.sn.csv")
    _write_manifest(folder, manifest)
    return folder


def plant_french(demo_raw: Path, raw: Path) -> Path:
    """``raw/hostile-fr``: the French JSR demo round with personal data planted."""
    folder = raw / ROUND_FR
    shutil.copytree(demo_raw / "jsr-2025-fr", folder)
    manifest = _manifest(folder)
    manifest["round"] = ROUND_FR
    plans = folder / "plan_actions.csv"
    _set_cell(plans, "description", ["Appeler canary.ten@education.gouv.sn au 77 123 45 67",
                                     "Voir avec Clé\u00admentine DIOP (canary.eleven arobase gouv point sn)"])
    _set_cell(plans, "owner_role", ["Mme Clémentine Diop"])
    _set_cell(folder / "kobo_outils.csv", "Outils/Commentaires sur le guide et les outils des RSC", [
        "Merci à Clémentine, serveur 192.168.10.20", "écrire à canary.twelve＠gouv.sn"])
    _set_cell(folder / "kobo_feedback.csv", "Appréciation/Commentaires sur la session", [
        "Contactez ＣＬＥＭＥＮＴＩＮＥ au +221 77/123/45/67"])
    _set_cell(folder / "kobo_post.csv", "Perspectives/Que ferez-vous différemment ?", [
        "Partager avec canary.thirteen@gouv.sn"])
    _rename_source(folder, manifest, "kobo_pre.csv", "kobo_pre canary.fourteen@gouv.sn.csv")
    _write_manifest(folder, manifest)
    return folder


_EMBEDDED = re.compile(r"data:[\w/+.-]+;base64,(?:[A-Za-z0-9+/=]|\\n)+")


def leaks_in(text: str) -> list[str]:
    """The planted values found in ``text`` (case ignored; phones also without separators).

    Embedded images (``data:…;base64,…``) are left out: their random letters spell a
    planted word now and then ("moses" in a PNG of the participation chart)."""
    text = _EMBEDDED.sub(" ", text)
    lowered = text.casefold()
    hits = [leak for leak in LEAKS if leak.casefold() in lowered]
    digits = re.sub(r"[\s./\-]", "", text)
    hits += [p for p in ("771234567", "709876543") if p in digits and p not in hits]
    return hits


def scan(folder: Path) -> dict[str, list[str]]:
    """Every file under ``folder`` (hidden ones too) with the planted values it holds."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hits = leaks_in(file_text(path))
            if hits:
                found[path.relative_to(folder).as_posix()] = hits
    return found
