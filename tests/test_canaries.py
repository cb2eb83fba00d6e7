"""Canaries: known names, e-mails, phone numbers, IP addresses and a script tag planted in
a round's exports must never reach processed data or reports.

The round is the English demo round (SurveyMonkey exports, with respondents' IP
addresses, and an xlsx roster). Comments in the session feedback and the post survey
name roster people with their e-mail and phone, in both name orders, with a title, and
carry ``<script>alert(1)</script>``. After ``clean`` every processed file is scanned
(Parquet read back with pandas, CSV, JSON); after a ``build`` (slow) every executed
notebook, HTML page and PDF text too, and the script tag may appear only escaped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from exchange_eval.clean.pipeline import clean_round
from exchange_eval.core.paths import Workspace
from support import file_text

ROUND = "jsr-2025-en"
SCRIPT = "<script>alert(1)</script>"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Canaries:
    names: set[str]  # full names and single name words (4+ letters)
    emails: set[str]
    phones: set[str]
    ips: set[str]

    def found_in(self, text: str) -> list[str]:
        """Every canary present in ``text`` (names as whole words, accents and case ignored)."""
        folded = fold(text)
        hits = [e for e in self.emails if e.casefold() in folded]
        hits += [ip for ip in self.ips if re.search(rf"(?<![\d.]){re.escape(ip)}(?![\d.])", text)]
        squeezed = re.sub(r"[\s\u00a0.\-]", "", text)
        hits += [p for p in self.phones if p in text or re.sub(r"\D", "", p) in squeezed]
        hits += [n for n in self.names if re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", folded)]
        return hits


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def plant(folder: Path) -> Canaries:
    """Plant comments naming roster people; return every identifying value of the round."""
    book = openpyxl.load_workbook(folder / "registration.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = list(rows[0])
    people = [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]
    names: set[str] = set()
    emails: set[str] = set()
    phones: set[str] = set()
    for person in people:
        first, last = str(person["First name"]), str(person["Last name"])
        names |= {f"{first} {last}", f"{last} {first}"}
        names |= {w for w in re.split(r"[\s'-]+", f"{first} {last}") if len(w) >= 4}
        if person.get("Email"):
            emails.add(str(person["Email"]))
        if person.get("Phone"):
            phones.add(str(person["Phone"]))
    ips: set[str] = set()
    for path in sorted(folder.glob("sm_*.csv")):
        table = _csv_rows(path)
        head = table[0]
        for row in table[2:]:
            cells = dict(zip(head, row, strict=False))
            ips.add(cells["IP Address"])
            for key in ("E-mail", "Email Address"):
                if cells.get(key):
                    emails.add(cells[key])
            if cells.get("Full name"):
                names.add(cells["Full name"])
    ips.discard("")

    # comments naming people, their e-mail and phone, and a script tag
    a, b, c = people[0], people[1], people[2]
    comments = [
        f"Thanks to {a['First name']} {a['Last name']} ({a['Email']}, {a['Phone']}) {SCRIPT}",
        f"{str(b['Last name']).upper()} {b['First name']} shared the aide-memoire; call {b['Phone']}",
        f"Mrs {c['Last name']} presented well. {SCRIPT} Write to {c['Email']}",
    ]
    feedback = folder / "sm_feedback_vc1.csv"
    table = _csv_rows(feedback)
    column = table[0].index("Comments on the session")
    for row, comment in zip(table[2:], comments, strict=False):
        row[column] = comment
    _write_csv(feedback, table)
    post = folder / "sm_post.csv"
    table = _csv_rows(post)
    column = table[0].index("What will you do differently?")
    for row, comment in zip(table[2:], reversed(comments), strict=False):
        row[column] = comment
    _write_csv(post, table)
    assert len(emails) > 10 and len(phones) > 5 and len(ips) > 10 and len(names) > 20
    return Canaries(names, emails, phones, ips)


def scan(folder: Path, canaries: Canaries) -> dict[str, list[str]]:
    leaks: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hits = canaries.found_in(file_text(path))
            if hits:
                leaks[path.relative_to(folder).as_posix()] = sorted(hits)[:10]
    return leaks


@pytest.fixture(scope="module")
def planted(tmp_path_factory, copy_demo) -> tuple[Workspace, Canaries]:
    root = tmp_path_factory.mktemp("canaries")
    data = copy_demo(root / "data", ROUND)
    canaries = plant(data / "raw" / ROUND)
    ws = Workspace.from_options(data, root / "reports")
    clean_round(ws, ROUND)
    return ws, canaries


def test_canaries_are_really_in_the_raw_exports(planted):
    ws, canaries = planted
    raw = "\n".join(file_text(p) for p in ws.raw_round(ROUND).glob("sm_*.csv"))
    assert len([ip for ip in canaries.ips if ip in raw]) == len(canaries.ips)
    assert SCRIPT in raw
    assert len(canaries.found_in(raw)) > 20  # the scanner sees what it must see


def test_no_canary_in_processed_data(planted):
    ws, canaries = planted
    folder = ws.processed_round(ROUND)
    assert {p.suffix for p in folder.iterdir()} == {".parquet", ".csv", ".json"}
    assert scan(folder, canaries) == {}


def test_planted_comments_are_scrubbed_not_dropped(planted):
    ws, _ = planted
    responses = pd.read_parquet(ws.processed_round(ROUND) / "responses.parquet")
    texts = set(responses["text"].dropna())
    assert f"Thanks to [name] ([email], [phone]) {SCRIPT}" in texts
    assert "[name] shared the aide-memoire; call [phone]" in texts
    assert f"Mrs [name] presented well. {SCRIPT} Write to [email]" in texts


def test_no_ip_address_column_reaches_processed_data(planted):
    ws, canaries = planted
    folder = ws.processed_round(ROUND)
    for path in folder.glob("*.parquet"):
        columns = [c.lower() for c in pd.read_parquet(path).columns]
        assert not [c for c in columns if "ip" in c.split("_") or "address" in c], path.name
    log = pd.read_csv(folder / "cleaning_log.csv", dtype=str, encoding="utf-8-sig")
    assert not [v for v in log.fillna("").to_numpy().ravel() for ip in canaries.ips if ip in v]


@pytest.mark.slow
def test_no_canary_in_reports_and_script_only_escaped(planted):
    from exchange_eval.build import build_all

    ws, canaries = planted
    if not (ws.notebooks_dir / "round_report.ipynb").is_file():
        pytest.skip("report notebooks not written yet")
    # each round in its own language (French and English both covered), programme in English
    result = build_all(ws, jobs=2, formats=("html", "pdf"), progress=False, languages=())
    reports = ws.reports_dir
    # scanned whatever happened: a failed notebook keeps its outputs too
    assert scan(reports, canaries) == {}
    for path in reports.rglob("*.html"):
        assert "<script>alert(1)" not in path.read_text(encoding="utf-8"), path
    for path in reports.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        # text/html outputs are rendered as they are: the tag must be escaped there
        assert "<script>alert(1)" not in re.sub(r'"text/plain": \[[^\]]*\]', "", text), path
    assert result.ok, result.failures
    kinds = {p.suffix for p in reports.rglob("*") if p.is_file()}
    assert {".ipynb", ".html", ".pdf"} <= kinds
