"""The big inputs of ``make bench`` and the code timed on them in a fresh process.

`big_round` writes a round with one SurveyMonkey-like post-survey export of about a
million long rows; `BIG_CLEAN` cleans it. `write_big_xlsx` writes a survey export of
300,000 rows as an .xlsx workbook (openpyxl's streaming writer); `XLSX_READ` reads it
with `exchange_eval.ingest.read_export`. Each timed script prints one JSON line: seconds,
peak memory (``ru_maxrss``) and what it read.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from exchange_eval.core.paths import Workspace

__all__ = ["BIG_CLEAN", "XLSX_READ", "big_round", "write_big_xlsx"]

BIG_CLEAN = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from exchange_eval.core.paths import Workspace
from exchange_eval.clean.pipeline import clean_round
import pandas as pd
ws = Workspace(Path(sys.argv[1]), Path(sys.argv[1]) / "reports")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
clean_round(ws, sys.argv[2])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = len(pd.read_parquet(ws.processed_round(sys.argv[2]) / "responses.parquet", columns=["item_id"]))
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "imports_mb": before / 1024, "rows": rows}))
"""

XLSX_READ = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from exchange_eval.ingest import read_export
started = time.perf_counter()
table = read_export(sys.argv[1])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "rows": len(table.frame),
                  "columns": len(table.frame.columns), "platform": table.platform}))
"""


def big_round(ws: Workspace, source_round: str, target_rows: int) -> tuple[str, int]:
    """A round with one SurveyMonkey-like post-survey export of about ``target_rows`` long rows."""
    src = ws.raw_round(source_round)
    rid = "big-round"
    folder = ws.raw_round(rid)
    folder.mkdir(parents=True, exist_ok=True)
    post = sorted(src.glob("*post*.csv"))[0]
    with post.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[:2], [r for r in rows[2:] if any(r)]
    answered = sum(1 for cell in body[0] if cell.strip())
    copies = max(1, target_rows // max(1, answered - 6) // len(body) + 1)
    email_col = next(
        (i for i, name in enumerate(header[0]) if "mail" in name.lower() and body[0][i].strip()), None
    )
    with (folder / "big_post.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(header)
        n = 0
        for _copy in range(copies):
            for row in body:
                n += 1
                row = list(row)
                row[0] = str(10_000_000 + n)
                if email_col is not None:
                    row[email_col] = f"person{n}@example.org"
                writer.writerow(row)
    manifest = (src / "round.yaml").read_text(encoding="utf-8").split("sources:")[0]
    manifest = manifest.replace(f"round: {source_round}", f"round: {rid}")
    manifest += "sources:\n- {file: big_post.csv, instrument: outcomes, wave: post}\n"
    (folder / "round.yaml").write_text(manifest, encoding="utf-8")
    return rid, n


def write_big_xlsx(path: Path, n_rows: int, seed: int = 0) -> Path:
    """A survey export as an .xlsx workbook: a title row, a header, ``n_rows`` respondents
    (id, date-time, e-mail, country, role, 20 answers as labels or codes, a comment)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("export")
    sheet.append(["Post-exchange survey, export"])
    sheet.append(["respondent_id", "submitted", "email", "country", "role",
                  *(f"q{i}" for i in range(1, 21)), "comment"])
    rnd = random.Random(seed)
    labels = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    comments = ["", "Très utile", "More time for the visit, please", "RAS"]
    start = dt.datetime(2025, 3, 1, 9, 0)
    for r in range(n_rows):
        answers = [rnd.choice(labels) if i % 2 else rnd.randint(1, 5) for i in range(20)]
        sheet.append([10_000_000 + r, start + dt.timedelta(minutes=r), f"person{r}@example.org",
                      rnd.choice(["SEN", "BFA", "CIV", "TCD"]), "official", *answers, rnd.choice(comments)])
    book.save(path)
    return path
