"""Helpers several test modules share: a small hand-made round, the CLI in a subprocess,
file digests. (Fixtures live in conftest.py; this module holds plain functions and data.)"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from exchange_eval.core.paths import Workspace

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
ROOT = TESTS.parent
SRC = ROOT / "src"

# ---------------------------------------------------------------------- a small round
MANIFEST = """\
round: {round_id}
title: Test round
community: jsr-exchange
language: fr
host: SEN
countries: [SEN, BFA]
comparison: [MLI]
year: 2025
sessions:
  - {{id: vc1, kind: virtual, date: 2025-02-10, title: Visioconférence 1}}
  - {{id: vc2, kind: virtual, date: 2025-03-10, title: Visioconférence 2}}
sources:
{sources}
"""

ROSTER = """\
Nom complet,Adresse e-mail,Pays,Fonction,Téléphone,Sessions suivies
Awa Diop,awa.diop@example.org,Sénégal,Décideur,+221 77 123 45 67,"vc1, vc2"
Jean Ouedraogo,jean.o@example.org,Burkina Faso,Cadre technique,+226 70 11 22 33,Visioconférence 1
Marie Koné,,Sénégal,Technical officer,+221 76 555 44 33,
"""
PRE = """\
start,end,Adresse e-mail,Nom complet,Pays,Ma connaissance des fonctions essentielles d'une RSC efficace,Ma capacité à rédiger un plan d'amélioration de la RSC
2025-02-01T10:00:00,2025-02-01T10:12:00,awa.diop@example.org,Awa Diop,Sénégal,Faible,Moyen
2025-02-01T11:00:00,2025-02-01T11:05:00,jean.o@example.org,Jean Ouedraogo,Burkina Faso,Très faible,
2025-02-02T09:00:00,2025-02-02T09:08:00,,Marie Koné,Sénégal,NSP,Faible
2025-02-03T09:00:00,2025-02-03T09:20:00,JEAN.O@example.org,Jean Ouedraogo,Burkina Faso,Faible,Moyen
2025-02-03T12:00:00,2025-02-03T12:09:00,zed@example.org,Zed Unknown,Mali,Moyen,Moyen
"""
POST = """\
Timestamp,Email address,Country,Before the exchange/My knowledge of the core functions of an effective JSR,Today/My knowledge of the core functions of an effective JSR,Usefulness: JSR guidelines,What will you do differently?
2025-05-20 14:00:00,awa.diop@example.org,Senegal,Low,High,Very useful,Call Jean Ouedraogo (jean.o@example.org) about the aide-memoire
2025-05-21 09:30:00,jean.o@example.org,Burkina Faso,Very low,Moderate,Extremely useful,N/A
"""
FEEDBACK = """\
Session,Email,The session objectives were clear,Which topics were most useful?
vc1,awa.diop@example.org,Agree,"JSR guidelines, Maturity ladder"
Visioconférence 1,jean.o@example.org,D'accord,guidelines other
vc2,awa.diop@example.org,Strongly agree,Guide des RSC;Autre
"""
SOURCES = """\
  - {file: roster.csv, instrument: roster}
  - {file: pre.csv, instrument: outcomes, wave: pre}
  - {file: post.csv, instrument: outcomes, wave: post}
  - {file: feedback.csv, instrument: session_feedback}
"""
PERSONAL = ["awa.diop@example.org", "jean.o@example.org", "zed@example.org", "Awa Diop", "Ouedraogo",
            "Marie Koné", "Zed Unknown", "+221 77 123 45 67", "+226 70 11 22 33", "555 44 33"]


def write_round(data_dir: Path, round_id: str = "r1", files: dict[str, str] | None = None,
                sources: str = SOURCES) -> Workspace:
    """A raw round folder with a manifest and CSV exports; returns its Workspace."""
    files = files if files is not None else {"roster.csv": ROSTER, "pre.csv": PRE, "post.csv": POST,
                                             "feedback.csv": FEEDBACK}
    folder = data_dir / "raw" / round_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "round.yaml").write_text(MANIFEST.format(round_id=round_id, sources=sources), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Workspace(data_dir, data_dir.parent / "reports")


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``exchange-eval ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from exchange_eval.cli import main; main()", *args],
        capture_output=True, text=True, timeout=timeout,
    )


def tree_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path → digest)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# pingouin/datasets/cronbach_alpha.csv (15 subjects x 10 items, wide):
# pg.cronbach_alpha -> 0.591719, CI [0.195, 0.84]
PINGOUIN_CRONBACH_ITEMS = {
    "Q1": [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
    "Q2": [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
    "Q3": [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
    "Q4": [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
    "Q5": [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
    "Q6": [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
    "Q7": [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
    "Q8": [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
    "Q9": [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
    "Q10": [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
}


def file_text(path: Path) -> str:
    """What a reader of ``path`` can see, as text (Parquet through pandas, PDF through pypdf)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if suffix in (".png", ".jpg", ".svg", ".woff", ".woff2"):
        return ""
    return path.read_bytes().decode("utf-8", errors="replace")
