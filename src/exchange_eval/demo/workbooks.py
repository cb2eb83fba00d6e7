"""Rosters and JSR files as offices save them: French Excel CSV, ``.xlsx`` workbooks.

The registration lists (French Excel CSV: cp1252, ``;``, CRLF, decimal comma; English
``.xlsx``), and the JSR files each round carries with their planted effects: improvement
plans with a known completion rate, self-assessment ratings before and after, and the
RF18 flags per country and year. Workbooks are saved with fixed dates so their bytes
depend on the seed only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from .forms import csv_text
from .model import Person, RoundContext, clip

__all__ = ["write_en_roster", "write_fr_roster", "write_plans", "write_rf18", "write_selfassessment"]

# fixed zip entry time, so that .xlsx files are byte-identical between runs
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _save_xlsx(workbook: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed zip times and document dates, so the bytes depend on the seed only."""
    fixed = dt.datetime(2025, 1, 1)
    workbook.properties.creator = "Microsoft Office User"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2025-01-01T00:00:00Z\g<2>", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _write_xlsx(path: Path, header: list[str], rows: list[list[Any]], *, sheet: str, date_format: str) -> None:
    """One sheet: header and rows, dates shown with ``date_format``, columns sized to fit."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
    for column in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    _save_xlsx(workbook, path)


def write_fr_roster(ctx: RoundContext, path: Path, people: list[Person]) -> None:
    """Registration list saved by French Excel: cp1252, ``;``, CRLF, decimal comma."""
    fields = ctx.instruments["fields"]
    header = [
        "Nom",
        fields["first_name"]["label_fr"][0],
        fields["country"]["label_fr"][0],
        # French registration lists say "Fonction" (a job title, free text); here it names a role
        fields["position"]["label_fr"][0],
        fields["org_type"]["label_fr"][0],
        fields["gender"]["label_fr"][0],
        fields["email"]["label_fr"][0],
        fields["phone"]["label_fr"][0],
        fields["registered_on"]["label_fr"][0],
        fields["sessions_attended"]["label_fr"][0],
        "Taux de présence",
    ]
    n_sessions = len(ctx.plan.sessions)
    rows = [header]
    for i, p in enumerate(people):
        org_type = ctx.label("org_type", p.org_type)
        if i % 3 == 0:
            org_type = org_type.replace("'", "’")  # typed in Word, pasted into Excel
        role = ctx.label("role", p.role) + ("\u00a0" if i % 4 == 1 else "")
        first = p.first.replace("-", "\u00a0-\u00a0") if i == 0 and "-" in p.first else p.first
        share = len(p.sessions) / n_sessions
        rows.append(
            [
                p.last.upper() if i % 2 == 0 else p.last,
                first,
                ctx.country_name(p.country, "fr"),
                role,
                org_type,
                ctx.label("gender", p.gender, "fr"),
                p.email or "",
                p.phone,
                p.registered.strftime("%d/%m/%Y") if p.registered else "",
                ", ".join(p.sessions),
                f"{share:.2f}".replace(".", ","),
            ]
        )
    path.write_bytes(csv_text(rows, delimiter=";").encode("cp1252"))


def write_en_roster(ctx: RoundContext, path: Path, people: list[Person]) -> None:
    """Registration list as an ``.xlsx`` workbook, dates as Excel dates."""
    header = [
        "First name",
        "Last name",
        "Country",
        "Role",
        "Organisation type",
        "Gender",
        "Email",
        "Phone",
        "Registration date",
        "Sessions attended",
    ]
    rows = [
        [
            p.first,
            p.last,
            ctx.country_name(p.country, "en"),
            ctx.label("role", p.role, "en"),
            ctx.label("org_type", p.org_type, "en"),
            ctx.label("gender", p.gender, "en"),
            p.email,
            p.phone,
            p.registered,
            ", ".join(p.sessions),
        ]
        for p in people
    ]
    _write_xlsx(path, header, rows, sheet="Registrations", date_format="dd/mm/yyyy")


def write_plans(ctx: RoundContext, path: Path) -> dict:
    """Improvement-plan actions with two follow-ups and a known completion rate."""
    rng, lang = ctx.rng, ctx.lang
    dims = [d["id"] for d in ctx.dimensions["dimensions"]]
    texts = ctx.spec["plan_actions"]
    year = ctx.plan.year
    actions = []
    for country in ctx.plan.countries:
        n = int(rng.integers(4, 6))
        options = [(d, t) for d in dims for t in texts.get(d, {}).get(lang, [])]
        for k, j in enumerate(rng.permutation(len(options))[:n], start=1):
            dimension, text = options[j]
            due = dt.date(year, int(rng.integers(9, 13)), 1) + dt.timedelta(days=int(rng.integers(0, 28)))
            role = "decision_maker" if rng.random() < 0.5 else "technical"
            actions.append({"country": country, "action_id": f"{country}-{k:02d}", "dimension": dimension,
                            "description": text, "owner_role": ctx.label("role", role), "due": due})
    shares = ctx.spec["effects"]["plan_done_share"]
    n = len(actions)
    order = rng.permutation(n)
    n_done_1 = int(round(shares["followup-1"] * n))
    n_done_2 = int(round(shares["followup-2"] * n))
    statuses = {}
    for rank, j in enumerate(order):
        if rank < n_done_1:
            s1, s2 = "done", "done"
        elif rank < n_done_2:
            s1, s2 = "started", "done"
        elif rank == n_done_2:
            s1, s2 = "started", "dropped"
        else:
            s1 = "planned" if rng.random() < 0.5 else "started"
            s2 = "started"
        statuses[int(j)] = (s1, s2)
    header = ["country", "action_id", "dimension", "description", "owner_role", "due", "status_followup-1", "status_followup-2"]
    rows = []
    for j, a in enumerate(actions):
        s1, s2 = statuses[j]
        rows.append([a["country"], a["action_id"], a["dimension"], a["description"], a["owner_role"], a["due"],
                     ctx.label("plan_status", s1), ctx.label("plan_status", s2)])
    if path.suffix == ".csv":
        for row in rows:
            row[5] = row[5].strftime("%d/%m/%Y")
        path.write_bytes(csv_text([header, *rows], delimiter=";").encode("cp1252"))
    else:
        _write_xlsx(path, header, rows, sheet="Improvement plans", date_format="yyyy-mm-dd")
    done = {f: sum(1 for s in statuses.values() if s[i] == "done") for i, f in enumerate(["followup-1", "followup-2"])}
    return {
        "n_actions": n,
        "completion_rate": {f: round(done[f] / n, 6) for f in done},
        "n_done": done,
        "n_dropped": {"followup-1": 0, "followup-2": sum(1 for s in statuses.values() if s[1] == "dropped")},
    }


def write_selfassessment(ctx: RoundContext, path: Path) -> dict:
    """Self-assessment ratings before and after, participants gaining more."""
    rng = ctx.rng
    gains = ctx.spec["effects"]["selfassessment_gain"]
    year = ctx.plan.year
    rows = [["country", "year", "wave", "dimension", "criterion", "rating"]]
    changes: dict[str, dict[str, list[float]]] = {"participant": {"criterion": [], "ladder": []},
                                                   "comparison": {"criterion": [], "ladder": []}}
    for group, countries in (("participant", ctx.plan.countries), ("comparison", ctx.plan.comparison)):
        gain = float(gains[group])
        for country in countries:
            base = float(rng.uniform(1.4, 2.6))
            for dim in ctx.dimensions["dimensions"]:
                before_c, after_c = [], []
                for _criterion in dim["criteria"]:
                    before = clip(round(base + rng.normal(0, 0.5)), 1, 3)
                    step = int(rng.random() < gain) if gain < 1 else int(rng.choice([0, 1, 1, 1, 1, 1, 1, 1, 2, 1]))
                    before_c.append(before)
                    after_c.append(clip(round(before + step), 1, 4))
                ladder_before = clip(round(np.mean(before_c)), 1, 4)
                ladder_after = clip(round(np.mean(after_c) + 1e-9), 1, 4)
                for wave, yr, ratings, ladder in (("before", year, before_c, ladder_before),
                                                  ("after", year + 1, after_c, ladder_after)):
                    for criterion, rating in zip(dim["criteria"], ratings, strict=True):
                        rows.append([country, yr, wave, dim["id"], criterion, rating])
                    rows.append([country, yr, wave, dim["id"], "", ladder])
                changes[group]["criterion"] += [a - b for a, b in zip(after_c, before_c, strict=True)]
                changes[group]["ladder"].append(ladder_after - ladder_before)
    path.write_bytes(csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))
    # sort rows so a file reader sees "before" then "after" per country (already the case)
    mean = {g: {k: float(np.mean(v)) for k, v in c.items()} for g, c in changes.items()}
    return {
        "selfassessment_change": {
            "participant": round(mean["participant"]["criterion"], 6),
            "comparison": round(mean["comparison"]["criterion"], 6),
            "difference": round(mean["participant"]["criterion"] - mean["comparison"]["criterion"], 6),
        },
        "ladder_change": {
            "participant": round(mean["participant"]["ladder"], 6),
            "comparison": round(mean["comparison"]["ladder"], 6),
            "difference": round(mean["participant"]["ladder"] - mean["comparison"]["ladder"], 6),
        },
        "years": {"before": year, "after": year + 1},
    }


def write_rf18(ctx: RoundContext, path: Path) -> dict:
    """RF18 flags per country and year; participants' share meeting the standard rises."""
    rng = ctx.rng
    dims = [d["id"] for d in ctx.dimensions["dimensions"]]
    threshold = int(ctx.dimensions["rf18"]["min_dimensions_met"])
    pattern = ctx.spec["effects"]["rf18_n_met"]
    year = ctx.plan.year
    years = list(range(year - 4, year + 2))
    rows = [["country", "year", *dims]]
    meets: dict[tuple[str, str], list[int]] = {}
    for group, countries in (("participant", ctx.plan.countries), ("comparison", ctx.plan.comparison)):
        for k, country in enumerate(countries):
            for yr in years:
                period = "after" if yr > year else "before"
                levels = pattern[group][period]
                n_met = int(levels[k % len(levels)])
                met = set(int(j) for j in rng.permutation(len(dims))[:n_met])
                rows.append([country, yr, *[1 if j in met else 0 for j in range(len(dims))]])
                meets.setdefault((group, period), []).append(int(n_met >= threshold))
    path.write_bytes(csv_text(rows, delimiter=",", newline="\n").encode("utf-8"))
    share = {f"{g}_{p}": round(float(np.mean(v)), 6) for (g, p), v in meets.items()}
    did = (share["participant_after"] - share["participant_before"]) - (share["comparison_after"] - share["comparison_before"])
    return {"rf18_shares": share, "rf18_did": round(did, 6), "exchange_year": year, "years": years}
