"""The verdict a report opens with, the results-framework table and the robustness of
each headline claim, in the report's language.

The numbers and verdicts come from `analysis.headline` (a round) and the framework
tables of `analysis.framework`; this module words them: one line per indicator
("New knowledge — improved, moderate evidence (+1.0 points; 95 % CI 0.7 to 1.3; 11
pairs; adjusted p = 0.017)"), an opening paragraph answering "did the exchange improve
what it set out to improve, for whom, and how sure are we?" with its limits, and the
table a Secretariat tracks (`framework_export`, the same rows with raw numbers for the
spreadsheet beside the report).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import fmt
from .context import ReportContext
from .html import esc, heading, note, paragraph, table_html
from .i18n import instrument_name, t
from .sentences import join_names, plural

__all__ = [
    "indicator_name",
    "verdict_text",
    "evidence_text",
    "verdict_line",
    "opening_sentences",
    "headline_sentence",
    "verdict_section",
    "framework_section",
    "framework_export",
    "robustness_section",
]

_CHANGE_DESIGNS = ("paired", "did", "network")
_CSS = {"improved": "v-up", "worsened": "v-down", "no_change": "v-flat", "negligible": "v-flat",
        "too_few": "v-few", "no_benchmark": "v-few", "not_measured": "v-few"}


def _missing(value: Any) -> bool:
    return fmt.is_missing(value)


def indicator_name(row: Mapping[str, Any], ctx: ReportContext) -> str:
    """The name of a framework row's indicator (an outcome's own name for L2 rows)."""
    lang = ctx.lang
    indicator = str(row.get("indicator"))
    if row.get("level") == "L2" and not _missing(row.get("outcome")):
        name = ctx.labels.outcome(row["outcome"], lang)
        return t("indicator.pulse", lang, name=name) if row.get("instrument") == "pulse" else name
    return t(f"indicator.{indicator}", lang)


def verdict_text(row: Mapping[str, Any], ctx: ReportContext) -> str:
    """The verdict in plain words ("improved — strong evidence", "no detectable change")."""
    lang = ctx.lang
    verdict = str(row.get("verdict"))
    if verdict in ("too_few", "no_benchmark", "not_measured"):
        return t(f"verdict.{verdict}", lang)
    family = "change" if row.get("design") in _CHANGE_DESIGNS else "level"
    grade = t(f"grade.{row['grade']}", lang) if not _missing(row.get("grade")) else ""
    return t(f"verdict.{family}.{verdict}", lang, grade=grade)


def _estimate(value: Any, unit: str, lang: str, digits: int = 1) -> str:
    if _missing(value):
        return fmt.MISSING
    if unit == "share":
        x = float(value) * 100
        return plural("unit.signed_pp", round(abs(x)), lang, x=fmt.signed(x, lang, 0))
    x = float(value)
    return plural("unit.signed_points", round(abs(x), digits), lang, x=fmt.signed(x, lang, digits))


def evidence_text(row: Mapping[str, Any], ctx: ReportContext) -> str:
    """The numbers behind a verdict: estimate, interval, n and the (adjusted) test."""
    lang = ctx.lang
    design, unit = str(row.get("design")), str(row.get("unit"))
    n = fmt.integer(row.get("n"), lang) if not _missing(row.get("n")) else fmt.MISSING
    p = fmt.p_equals(row.get("p_adjusted"), lang)
    if design == "share":
        bench = row.get("target")
        low = None if _missing(row.get("ci_low")) else float(row["ci_low"]) + (0 if _missing(bench) else float(bench))
        high = None if _missing(row.get("ci_high")) else float(row["ci_high"]) + (0 if _missing(bench) else float(bench))
        return t("evidence.share", lang, actual=fmt.percent(row.get("actual"), lang),
                 benchmark=fmt.percent(bench, lang), n=n, p=p,
                 ci=t("common.ci_range", lang, low=fmt.percent(low, lang), high=fmt.percent(high, lang)))
    if design == "network":
        return t("evidence.network", lang, before=fmt.number(row.get("baseline"), lang, 2),
                 after=fmt.number(row.get("actual"), lang, 2), n=n, p=p)
    digits = 2 if design == "did" else 1
    scale = 100 if unit == "share" else 1
    ci = fmt.ci(None if _missing(row.get("ci_low")) else float(row["ci_low"]) * scale,
                None if _missing(row.get("ci_high")) else float(row["ci_high"]) * scale, lang,
                0 if unit == "share" else digits)
    return t(f"evidence.{design}", lang, estimate=_estimate(row.get("estimate"), unit, lang, digits), ci=ci, n=n, p=p)


def verdict_line(row: Mapping[str, Any], ctx: ReportContext) -> str:
    """``Indicator — verdict (evidence)`` for one framework row."""
    text = f"{indicator_name(row, ctx)} — {verdict_text(row, ctx)}"
    if row.get("verdict") not in ("not_measured",) and not _missing(row.get("n")):
        text += f" ({evidence_text(row, ctx)})"
    return text


# --------------------------------------------------------------------------- opening paragraph
def _names(rows: pd.DataFrame, ctx: ReportContext, *, with_grade: bool = False) -> str:
    names = []
    for row in rows.to_dict("records"):
        name = indicator_name(row, ctx)
        if with_grade and not _missing(row.get("grade")):
            grade_id = row["grade"]
            grade = t(f"grade.{grade_id}", ctx.lang)
            name += f" ({grade})"
        names.append(name)
    return join_names(names, ctx.lang)


def opening_sentences(table: pd.DataFrame, robustness: pd.DataFrame | None, ctx: ReportContext,
                      facts: Mapping[str, Any]) -> dict[str, list[str]]:
    """The opening paragraph, in four parts: ``what`` (what improved and what did not,
    with the strength of evidence), ``whom`` (who answered, which countries were
    compared), ``sure`` (leave-one-country-out, pairs to flip) and ``limits``. ``facts``:
    ``n_pairs``, ``countries`` (ISO3 of the linked people), ``n_treated``, ``n_control``,
    ``n_organisations``, ``not_measured`` (outcome ids), ``round_ids`` (a synthesis)."""
    lang = ctx.lang
    out: dict[str, list[str]] = {"what": [], "whom": [], "sure": [], "limits": []}
    if table is None or table.empty:
        out["what"].append(t("verdict.opening.nothing", lang))
        return out
    level = table["design"] == "share"
    for family, part in (("", table[~level]), ("level_", table[level])):
        for verdict in ("improved", "worsened", "negligible", "no_change", "too_few"):
            rows = part[part["verdict"] == verdict]
            if not rows.empty:
                key = f"verdict.opening.{family}{verdict}" if verdict != "too_few" else "verdict.opening.too_few"
                out["what"].append(t(key, lang, list=_names(rows, ctx, with_grade=verdict != "no_change")))
    missing = [ctx.labels.outcome(o, lang) for o in facts.get("not_measured") or []]
    if missing:
        out["what"].append(t("verdict.opening.not_measured", lang, list=join_names(missing, lang)))
    if facts.get("round_ids"):
        out["whom"].append(t("verdict.opening.whom_rounds", lang, n=fmt.integer(len(facts["round_ids"]), lang),
                             rounds=join_names(list(facts["round_ids"]), lang)))
    if facts.get("n_pairs"):
        countries = [ctx.labels.country(c, lang) for c in facts.get("countries") or []]
        out["whom"].append(plural("verdict.opening.whom_pairs", facts["n_pairs"], lang,
                                  n=fmt.integer(facts["n_pairs"], lang), countries=join_names(countries, lang)))
    if facts.get("n_treated"):
        out["whom"].append(t("verdict.opening.whom_did", lang, n_treated=fmt.integer(facts["n_treated"], lang),
                             n_control=fmt.integer(facts.get("n_control") or 0, lang)))
    if facts.get("n_organisations"):
        out["whom"].append(t("verdict.opening.whom_network", lang, n=fmt.integer(facts["n_organisations"], lang)))
    out["sure"] = _sureness(table, robustness, ctx)
    limits = _limits(table, robustness, ctx, facts)
    out["limits"] = [limits] if limits else []
    return out


def _sureness(table: pd.DataFrame, robustness: pd.DataFrame | None, ctx: ReportContext) -> list[str]:
    lang = ctx.lang
    claims = table[table["verdict"].isin(["improved", "worsened"])]
    if claims.empty or robustness is None or robustness.empty:
        return []
    rob = robustness.set_index("indicator")
    checked = claims[claims["indicator"].isin(rob.index) & claims["indicator"].map(
        lambda i: i in rob.index and not _missing(rob.loc[i, "loco_runs"]))]
    out = []
    if not checked.empty:
        fragile = checked[checked["indicator"].map(lambda i: str(rob.loc[i, "loco_changed"] or "") != "")]
        if fragile.empty:
            out.append(t("verdict.opening.sure_loco", lang))
        for row in fragile.to_dict("records"):
            codes = [c for c in str(rob.loc[row["indicator"], "loco_changed"]).split(",") if c]
            out.append(t("verdict.opening.fragile_loco", lang, name=indicator_name(row, ctx),
                         countries=join_names([ctx.labels.country(c, lang) for c in codes], lang)))
    flips = [(int(rob.loc[i, "flip_pairs"]), i) for i in claims["indicator"]
             if i in rob.index and not _missing(rob.loc[i, "flip_pairs"])]
    if flips:
        k, indicator = min(flips)
        row = claims[claims["indicator"] == indicator].iloc[0].to_dict()
        out.append(plural("verdict.opening.flip", k, lang, name=indicator_name(row, ctx), k=fmt.integer(k, lang)))
    return out


def _limits(table: pd.DataFrame, robustness: pd.DataFrame | None, ctx: ReportContext,
            facts: Mapping[str, Any]) -> str:
    lang = ctx.lang
    limits = []
    if (table["design"] == "paired").any():
        limits.append(t("verdict.limit.self_report", lang))
        shifts = robustness["shift"].dropna() if robustness is not None and "shift" in robustness else pd.Series()
        if not shifts.empty and float(shifts.min()) < 0:
            limits.append(t("verdict.limit.response_shift", lang))
    if (table["design"] == "did").any():
        n = int(table.loc[table["design"] == "did", "n"].max())
        limits.append(t("verdict.limit.few_countries", lang, n=fmt.integer(n, lang)))
    if (table["design"] == "network").any():
        limits.append(t("verdict.limit.network", lang))
    if (table["design"] == "share").any():
        limits.append(t("verdict.limit.benchmark", lang))
    if not limits:
        return ""
    text = "; ".join(limits)
    return t("verdict.opening.limits", lang, limits=text[:1].upper() + text[1:])


def headline_sentence(table: pd.DataFrame, ctx: ReportContext) -> str:
    """One sentence for the index: how many indicators improved, and on what evidence."""
    lang = ctx.lang
    if table is None or table.empty:
        return t("verdict.headline.none", lang)
    improved = table[table["verdict"] == "improved"]
    judged = table[~table["verdict"].isin(["too_few", "not_measured", "no_benchmark"])]
    text = plural("verdict.headline.count", len(judged), lang, n=fmt.integer(len(improved), lang),
                  total=fmt.integer(len(judged), lang))
    if not improved.empty:
        text += " " + t("verdict.headline.improved", lang, list=_names(improved, ctx))
    return text


def verdict_rows(table: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """One row per indicator for the verdict table: level, indicator, verdict, evidence."""
    return pd.DataFrame([{"level": t(f"level.{row['level']}", ctx.lang), "indicator": indicator_name(row, ctx),
                          "verdict": verdict_text(row, ctx),
                          "evidence": evidence_text(row, ctx) if not _missing(row.get("n")) else "",
                          "css": _CSS.get(str(row.get("verdict")), "v-flat")}
                         for row in table.to_dict("records")])


def verdict_section(table: pd.DataFrame, robustness: pd.DataFrame | None, ctx: ReportContext,
                    facts: Mapping[str, Any], *, question_key: str = "verdict.opening.question",
                    title_key: str = "verdict.title") -> list[str]:
    """The verdict box: the question, what changed, for whom, how sure, the limits, then
    one row per indicator (level, indicator, verdict, the numbers behind it)."""
    lang = ctx.lang
    parts = opening_sentences(table, robustness, ctx, facts)
    html = [f'<div class="verdict-box"><h2>{esc(t(title_key, lang))}</h2>',
            f'<p class="question"><strong>{esc(t(question_key, lang))}</strong></p>']
    for key in ("what", "whom", "sure", "limits"):
        if parts[key]:
            html.append(f'<p class="opening"><span class="lead">{esc(t(f"verdict.lead.{key}", lang))}</span> '
                        f'{esc(" ".join(parts[key]))}</p>')
    if table is not None and not table.empty:
        rows = verdict_rows(table, ctx)
        html.append('<table class="verdict-table"><thead><tr>'
                    + "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("framework.col.level", "framework.col.indicator",
                                                                       "framework.col.verdict", "verdict.col.evidence"))
                    + "</tr></thead><tbody>")
        for row in rows.to_dict("records"):
            html.append(f'<tr class="{row["css"]}"><td class="text">{esc(row["level"])}</td>'
                        f'<td class="text">{esc(row["indicator"])}</td>'
                        f'<td class="text verdict">{esc(row["verdict"])}</td>'
                        f'<td class="text evidence">{esc(row["evidence"])}</td></tr>')
        html.append("</tbody></table>")
        html.append(f'<p class="note">{esc(t("verdict.rules_note", lang, alpha=fmt.number(ctx.verdict_rules.alpha, lang, 2)))}</p>')
    html.append("</div>")
    return ["".join(html)]


# --------------------------------------------------------------------------- results framework
def _value(value: Any, unit: str, lang: str, *, design: str = "") -> str:
    if _missing(value):
        return ""
    if unit == "share":
        return fmt.number(value, lang, 2) if design == "network" else fmt.percent(value, lang)
    return fmt.number(value, lang, 1)


def framework_rows(table: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The framework table as text cells in the report's language (for HTML and Word)."""
    lang = ctx.lang
    rows = []
    for row in table.to_dict("records"):
        unit, design = str(row.get("unit")), str(row.get("design"))
        target = row.get("target")
        if design != "share" and not _missing(target):
            target_text = _estimate(target, unit, lang, 2 if design == "did" else 1)
        else:
            target_text = _value(target, unit, lang, design=design)
        effect = "" if design == "share" else _estimate(row.get("estimate"), unit, lang, 2 if design == "did" else 1)
        ci = "" if design == "share" else fmt.ci(
            None if _missing(row.get("ci_low")) else float(row["ci_low"]) * (100 if unit == "share" else 1),
            None if _missing(row.get("ci_high")) else float(row["ci_high"]) * (100 if unit == "share" else 1),
            lang, 0 if unit == "share" else 2 if design == "did" else 1)
        grade = t(f"grade.{row['grade']}", lang) if not _missing(row.get("grade")) else ""
        rows.append({
            "round_id": row.get("round_id", ""),
            "level": t(f"level.{row['level']}", lang),
            "indicator": indicator_name(row, ctx),
            "baseline": _value(row.get("baseline"), unit, lang, design=design),
            "target": target_text,
            "actual": _value(row.get("actual"), unit, lang, design=design),
            "n": row.get("n"),
            "effect": effect if not ci or ci == fmt.MISSING else f"{effect} ({ci})",
            "verdict": verdict_text(row, ctx),
            "grade": grade,
            "source": _source(row, lang),
        })
    return pd.DataFrame(rows)


def _source(row: Mapping[str, Any], lang: str) -> str:
    """Instrument and files of a row, at most two files named (the spreadsheet has them all)."""
    files = [f.strip() for f in str(row.get("source_file") or "").split(",") if f.strip()]
    shown = ", ".join(files[:2]) + (f", … (+{len(files) - 2})" if len(files) > 2 else "")
    name = instrument_name(row.get("instrument"), lang)
    return f"{name}: {shown}" if shown else name


def framework_section(table: pd.DataFrame, ctx: ReportContext, *, by_round: bool = False) -> list[str]:
    """The results-framework table: level, indicator, baseline, target, actual, n, effect
    and interval, verdict, source (file and instrument)."""
    lang = ctx.lang
    out = [heading("framework.h", lang)]
    if table is None or table.empty:
        return out + [note("framework.none", lang)]
    out.append(paragraph(t("framework.intro", lang)))
    columns = {"level": "framework.col.level", "indicator": "framework.col.indicator",
               "baseline": "framework.col.baseline", "target": "framework.col.target",
               "actual": "framework.col.actual", "n": "col.n", "effect": "framework.col.effect",
               "verdict": "framework.col.verdict", "source": "framework.col.source"}
    if by_round:
        columns = {"round_id": "col.round", **columns}
    out.append(table_html(framework_rows(table, ctx), columns, ctx, {"n": "int", "round_id": "id"},
                          caption=t("framework.caption", lang), n_col=None, compact=True, css="report-table wide"))
    return out


def framework_export(table: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The framework with raw numbers and translated headers and labels, for the
    spreadsheet and CSV beside the report."""
    lang = ctx.lang
    if table is None or table.empty:
        return pd.DataFrame()
    rows = []
    for row in table.to_dict("records"):
        rows.append({
            t("col.round", lang): row.get("round_id", ""),
            t("framework.col.level", lang): t(f"level.{row['level']}", lang),
            t("framework.col.indicator", lang): indicator_name(row, ctx),
            t("framework.col.baseline", lang): row.get("baseline"),
            t("framework.col.target", lang): row.get("target"),
            t("framework.col.actual", lang): row.get("actual"),
            t("col.n", lang): row.get("n"),
            t("framework.col.estimate", lang): row.get("estimate"),
            t("framework.col.ci_low", lang): row.get("ci_low"),
            t("framework.col.ci_high", lang): row.get("ci_high"),
            t("framework.col.p_adjusted", lang): row.get("p_adjusted"),
            t("framework.col.verdict", lang): verdict_text(row, ctx),
            t("framework.col.grade", lang): t(f"grade.{row['grade']}", lang) if not _missing(row.get("grade")) else "",
            t("framework.col.unit", lang): t(f"framework.unit.{row.get('unit')}", lang),
            t("framework.col.file", lang): row.get("source_file") or "",
            t("framework.col.instrument", lang): instrument_name(row.get("instrument"), lang),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- robustness
def robustness_section(table: pd.DataFrame, robustness: pd.DataFrame | None, ctx: ReportContext) -> list[str]:
    """Small-n robustness of each headline claim, and the sentence on response shift."""
    lang = ctx.lang
    if robustness is None or robustness.empty:
        return []
    out = [heading("robustness.h", lang, level=3), paragraph(t("robustness.intro", lang))]
    by_indicator = table.set_index("indicator")
    rows = []
    for rec in robustness.to_dict("records"):
        if rec["indicator"] not in by_indicator.index:
            continue
        row = {**by_indicator.loc[rec["indicator"]].to_dict(), "indicator": rec["indicator"]}
        unit, design = str(row["unit"]), str(row["design"])
        digits = 2 if design == "did" else 1
        scale = 100 if unit == "share" else 1
        loco = ""
        if not _missing(rec.get("loco_low")):
            low = fmt.signed(float(rec["loco_low"]) * scale, lang, 0 if unit == "share" else digits)
            high = fmt.signed(float(rec["loco_high"]) * scale, lang, 0 if unit == "share" else digits)
            loco = low if low == high else t("common.range", lang, low=low, high=high)
        same = "" if _missing(rec.get("loco_runs")) else t(
            "robustness.same", lang, same=fmt.integer(rec["loco_same"], lang), runs=fmt.integer(rec["loco_runs"], lang))
        if rec.get("loco_changed"):
            same += " " + t("robustness.not_without", lang, countries=", ".join(
                ctx.labels.country(c, lang) for c in str(rec["loco_changed"]).split(",")))
        retro = "" if _missing(rec.get("retro_estimate")) else (
            f"{fmt.signed(rec['retro_estimate'], lang, 1)} ({fmt.ci(rec.get('retro_ci_low'), rec.get('retro_ci_high'), lang)})")
        rows.append({"indicator": indicator_name(row, ctx), "verdict": verdict_text(row, ctx),
                     "estimate": _estimate(row.get("estimate"), unit, lang, digits) if design != "share" else "",
                     "loco": loco, "same": same,
                     "flip": "" if _missing(rec.get("flip_pairs")) else fmt.integer(rec["flip_pairs"], lang),
                     "retro": retro,
                     "shift": "" if _missing(rec.get("shift")) else fmt.signed(rec["shift"], lang, 1)})
    frame = pd.DataFrame(rows)
    columns = {"indicator": "framework.col.indicator", "estimate": "framework.col.effect",
               "loco": "robustness.col.loco", "same": "robustness.col.same", "flip": "robustness.col.flip"}
    if frame["retro"].ne("").any():
        columns.update({"retro": "robustness.col.retro", "shift": "robustness.col.shift"})
    out.append(table_html(frame, columns, ctx, {}, caption=t("robustness.caption", lang), n_col=None, compact=True))
    shift = response_shift_sentence(table, robustness, ctx)
    if shift:
        out.append(paragraph(shift))
    return out


def response_shift_sentence(table: pd.DataFrame, robustness: pd.DataFrame, ctx: ReportContext) -> str:
    """One sentence on response shift: the outcome whose retrospective baseline moved
    most, with the change against it beside the pre/post change."""
    lang = ctx.lang
    rob = robustness.dropna(subset=["shift", "retro_estimate"]) if "shift" in robustness else pd.DataFrame()
    if rob.empty:
        return ""
    top = rob.loc[rob["shift"].abs().idxmax()]
    row = table[table["indicator"] == top["indicator"]].iloc[0].to_dict()
    if abs(float(top["shift"])) < ctx.verdict_rules.min_effect.get("points", 0.25):
        return t("robustness.no_shift", lang)
    key = "robustness.shift_down" if float(top["shift"]) < 0 else "robustness.shift_up"
    return t(key, lang, name=indicator_name(row, ctx), shift=fmt.signed(top["shift"], lang, 1),
             retro=fmt.signed(top["retro_estimate"], lang, 1), pre=fmt.signed(row.get("estimate"), lang, 1))

