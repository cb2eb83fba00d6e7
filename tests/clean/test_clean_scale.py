"""Cleaning works column by column; a big export must clean exactly as its rows would alone.

A 5 000-respondent SurveyMonkey export (the demo's post-survey, rows repeated with new
e-mails, a few missing codes, blanks and e-mail addresses in free text planted) is cleaned
once whole and once cut to its first 50 respondents: the tables, cleaning-log rows and
problems of those 50 respondents must be the same. Correctness only: timing belongs to
``make bench``.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from exchange_eval.clean.pipeline import clean_round
from exchange_eval.core.paths import Workspace

N_BIG = 5_000
N_SMALL = 50
HEADER_ROWS = 2  # SurveyMonkey: question row and response row


def _export_rows(ws: Workspace) -> tuple[list[list[str]], list[list[str]]]:
    """Header and N_BIG body rows built from the demo's English post-survey."""
    post = sorted(ws.raw_round("jsr-2025-en").glob("*post*.csv"))[0]
    with post.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[:HEADER_ROWS], [r for r in rows[HEADER_ROWS:] if any(r)]
    email = next(i for i, name in enumerate(header[0]) if "mail" in name.lower() and body[0][i].strip())
    text = len(header[0]) - 1  # the open question closes the export
    plants = ["Don't know", "", "NSP", " N/A ", "-99"]
    out = []
    for n in range(N_BIG):
        row = list(body[n % len(body)])
        row[0] = str(10_000_000 + n)
        row[email] = f"person{n}@example.org"
        if n % 7 == 3:  # a missing code or a blank in a rating column
            row[12 + n % 20] = plants[n % len(plants)]
        if n % 11 == 5:
            row[text] = f"Write to me at someone{n}@example.org about step {n % 4}"
        if n > N_SMALL and n % 97 == 1:
            row[email] = f"person{n - 1}@example.org"  # the same respondent twice: a duplicate
        out.append(row)
    return header, out


def _write_round(ws: Workspace, round_id: str, header: list[list[str]], body: list[list[str]]) -> None:
    folder = ws.raw_round(round_id)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "post.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(header + body)
    manifest = (ws.raw_round("jsr-2025-en") / "round.yaml").read_text(encoding="utf-8").split("sources:")[0]
    manifest = manifest.replace("round: jsr-2025-en", f"round: {round_id}")
    manifest += "sources:\n- {file: post.csv, instrument: outcomes, wave: post}\n"
    (folder / "round.yaml").write_text(manifest, encoding="utf-8")


def _first_rows(frame: pd.DataFrame, pids: set[str] | None = None, rows: int | None = None) -> pd.DataFrame:
    """The part of a table about the first respondents, without its round id."""
    if pids is not None:
        frame = frame[frame["pid"].isin(pids)]
    if rows is not None:
        frame = frame[frame["row"].notna() & (frame["row"] <= rows)]
    return frame.drop(columns=["round_id"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory, copy_demo):
    root = tmp_path_factory.mktemp("scale")
    ws = Workspace(root / "data", root / "reports")
    copy_demo(ws.data_dir, "jsr-2025-en")
    header, body = _export_rows(ws)
    _write_round(ws, "big", header, body)
    _write_round(ws, "small", header, body[:N_SMALL])
    return clean_round(ws, "big"), clean_round(ws, "small")


def test_big_export_cleans_like_its_first_rows_alone(cleaned) -> None:
    big, small = cleaned
    last_row = HEADER_ROWS + N_SMALL
    responses = big.tables["responses"]
    assert len(responses) > 20 * N_BIG  # about a hundred thousand long rows
    head = responses[responses["source_row"] <= last_row]
    pd.testing.assert_frame_equal(_first_rows(head), _first_rows(small.tables["responses"]))
    pids = set(small.tables["responses"]["pid"])
    assert len(pids) == N_SMALL
    assert (big.cleaning_log["action"] == "drop_duplicate").sum() == len(range(97 + 1, N_BIG, 97))
    for name in ("participants", "tool_feedback", "ties"):
        pd.testing.assert_frame_equal(_first_rows(big.tables[name], pids=pids),
                                      _first_rows(small.tables[name]), check_index_type=False)


def test_big_export_logs_each_cell_like_its_first_rows_alone(cleaned) -> None:
    big, small = cleaned
    last_row = HEADER_ROWS + N_SMALL
    big_log = _first_rows(big.cleaning_log, rows=last_row)
    small_log = _first_rows(small.cleaning_log, rows=last_row)
    pd.testing.assert_frame_equal(big_log, small_log)
    for action in ("missing_code", "scrub"):
        assert (big_log["action"] == action).any()
    missing = big.cleaning_log[big.cleaning_log["action"] == "missing_code"]
    assert missing["row"].notna().all() and missing["column"].notna().all()
    assert len(missing) >= N_BIG // 7 * 4 // 5  # one per planted missing code, located


def test_big_export_problems_match_its_first_rows(cleaned) -> None:
    big, small = cleaned
    last_row = HEADER_ROWS + N_SMALL

    def located(result) -> list[tuple]:
        return [(p.file, p.message, p.row, p.column, p.severity) for p in result.problems
                if p.row is not None and p.row <= last_row]

    assert located(big) == located(small)
