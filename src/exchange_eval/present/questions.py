"""The round report's section on every question, in its questionnaire's own words.

A round built from an evaluator's own questionnaire has questions no standard section
knows; this section lists every question of the round's data dictionary with its label
in the report's language and how many people answered it, and adds what its type
allows: multiple choice as shares per option, single choice asked once as its
distribution on its own scale, free text as comments. The numbers come from
`analysis.questions`. `round_report` re-exports both functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..analysis import likert as likert_analysis
from ..analysis import questions as questions_analysis
from ..core.tables import RoundData
from . import plots
from .context import ReportContext
from .html import comments_html, esc, figure_block, heading, note, paragraph, table_html
from .i18n import instrument_name, t, translate_or
from .labels import wave_namer

__all__ = ["questions_results", "questions_section"]


def _is_empty(df: Any) -> bool:
    return df is None or len(df) == 0


def questions_results(rd: RoundData, ctx: ReportContext) -> dict[str, Any]:
    """`analysis.questions` of the round's data dictionary: who answered each question,
    the options of multiple-choice questions, the single-choice questions asked once
    (with their counts on their own scale)."""
    items = rd.items
    if items is None or not len(items):
        return {}
    single = questions_analysis.single_wave_items(rd.responses, items)
    distributions = []
    for list_name, group in single.groupby("list_name", sort=False):
        asked = set(zip(group["instrument"], group["item_id"], group["wave"], strict=True))
        responses = rd.responses[rd.responses["value"].notna()]
        keep = [(i, q, w) in asked for i, q, w in zip(responses["instrument"], responses["item_id"],
                                                        responses["wave"], strict=True)]
        answers = responses[keep]
        counts = likert_analysis.likert_counts(answers, ctx.scale(str(list_name)), items=group["item_id"].tolist(),
                                               by="wave", k=ctx.k)
        distributions.append((str(list_name), counts))
    return {"overview": questions_analysis.question_overview(rd.responses, items),
            "options": questions_analysis.option_shares(rd.responses, items, k=ctx.k),
            "distributions": distributions}


def _type_name(value: Any, lang: str) -> str:
    return translate_or(f"question_type.{value}", lang, str(value))


def _respondents_by_wave(overview: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per question, one column of respondents per wave (in the overview's wave
    order; empty where the question was not asked), so a questionnaire asked at several
    waves reads as one short table. A question nobody answered (its one overview row has
    no wave) reads 0 at every wave. Returns the table and its wave columns → wave.

    >>> overview = pd.DataFrame({"item_id": ["q", "q", "c", "t"], "type": ["select_one"] * 2 + ["text"] * 2,
    ...                          "wave": ["pre", "post", "post", None], "n_respondents": [12, 11, 3, 0]})
    >>> wide, columns = _respondents_by_wave(overview)
    >>> wide.to_dict("split")["data"], columns
    ([['q', 'select_one', 12.0, 11.0], ['c', 'text', nan, 3.0], ['t', 'text', 0.0, 0.0]], {'wave_0': 'pre', 'wave_1': 'post'})
    """
    asked = overview[overview["wave"].notna()]
    wave_columns = {f"wave_{i}": wave for i, wave in enumerate(dict.fromkeys(asked["wave"]))}
    column_of = {wave: column for column, wave in wave_columns.items()}
    keys = ["item_id", "type"]
    wide = (asked.assign(wave_column=asked["wave"].map(column_of))
            .pivot(index=keys, columns="wave_column", values="n_respondents"))
    order = list(dict.fromkeys(zip(overview["item_id"], overview["type"], strict=True)))
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(order, names=keys), columns=list(wave_columns))
    unanswered = wide.isna().all(axis=1)
    wide.loc[unanswered, :] = 0
    return wide.reset_index(), wave_columns


def questions_section(rd: RoundData, ctx: ReportContext, results: Mapping[str, Any] | None = None) -> list[str]:
    """Every question of the round in its own words (the questionnaire's label in the
    report's language), with how many people answered it and the analysis its type
    allows beyond the sections above: multiple choice as shares per option, single
    choice asked once as its distribution, free text as comments (groups of k or more).
    A question the questionnaire words only in another language is shown in that
    language, with a note."""
    lang = ctx.lang
    res = questions_results(rd, ctx) if results is None else results
    out = [heading("round.h.questions", lang)]
    if not res:
        return out + [note("round.none.questions", lang)]
    out.append(paragraph(t("round.intro.questions", lang)))
    overview = res["overview"]
    waves = wave_namer(rd.meta)
    for instrument, part in overview.groupby("instrument", sort=False):
        out.append(f"<h3>{esc(instrument_name(str(instrument), lang))}</h3>")
        wide, wave_columns = _respondents_by_wave(part)
        out.append(table_html(wide, {"item_id": "col.question", "type": "col.question_type",
                                     **dict.fromkeys(wave_columns, "col.n_respondents")},
                              ctx, {"item_id": "item", "type": _type_name, **dict.fromkeys(wave_columns, "int")},
                              caption=t("round.table.questions", lang, instrument=instrument_name(str(instrument), lang)),
                              headers={column: waves(wave, lang) for column, wave in wave_columns.items()},
                              n_col=None))
    options = res["options"]
    if not _is_empty(options):
        out.append(heading("round.h.options", lang, level=3))
        for (_instrument, item_id), part in options.groupby(["instrument", "item_id"], sort=False):
            entry = ctx.labels.round_item(item_id) or {}
            list_name = entry.get("list_name")
            part = part.assign(option_text=[ctx.labels.choice(str(list_name), o, lang) if list_name else o
                                            for o in part["option"]])
            out.append(table_html(part, {"option_text": "col.option", "wave": "col.wave",
                                         "n_answered": "col.n_respondents", "n_chosen": "col.n_chosen",
                                         "share": "col.share_chosen"},
                                  ctx, {"wave": waves, "n_answered": "int", "n_chosen": "int", "share": "pct"},
                                  caption=ctx.labels.item(item_id, lang), n_col="n_answered"))
    for list_name, counts in res["distributions"]:
        if counts.empty:
            continue
        out.append(heading("round.h.distributions", lang, level=3))
        fig = plots.likert_diverging(counts.rename(columns={"level": "value"}), ctx, choices=list_name, by="wave")
        out.append(figure_block(fig, "round.figure.distribution", lang))
    texts = rd.responses[rd.responses["text"].notna() & (rd.responses["instrument"] != "session_feedback")
                         & rd.responses["instrument"].isin(overview["instrument"].unique())]
    if not texts.empty:
        out.append(heading("round.h.texts", lang, level=3))
        out.append(comments_html(texts, ctx, group_col="item_id", namer=ctx.labels.item))
    if ctx.labels.fallbacks:
        out.append(note("round.text.language_fallback", lang))
    return out
