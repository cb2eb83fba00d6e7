"""Display helpers: translated, formatted, escaped and suppressed tables and sentences."""

from __future__ import annotations

import matplotlib.text
import numpy as np
import pandas as pd
import pytest
import yaml

from disclosure import published_integers, recovered_cells, report_tables
from exchange_eval.analysis.pulse import PULSE_SCORE
from exchange_eval.core.config import Config
from exchange_eval.core.paths import Workspace
from exchange_eval.core.safe import escape_html
from exchange_eval.core.tables import RoundData, empty_table
from exchange_eval.present import (
    feedback_review,
    html,
    plots,
    round_report,
    sentences,
    synthesis_report,
)
from exchange_eval.present.context import ReportContext
from exchange_eval.present.html import esc, figure_html
from exchange_eval.present.i18n import t
from exchange_eval.present.labels import session_namer, wave_namer

NBSP = "\u00a0"


def ctx_for(lang: str) -> ReportContext:
    """A report in ``lang`` with the package's configuration."""
    return ReportContext(Config(), lang)


def plain(text: str) -> str:
    """The text with non-breaking spaces as plain spaces (typography is tested in test_i18n)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _changes() -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame({
        "outcome": ["new_knowledge", "enhanced_skill", "improved_consensus"],
        "n": [9, 9, 3], "n_unmatched": [2, 2, 8],
        "n_improved": [9, 5, 2], "n_unchanged": [0, 2, 1], "n_worse": [0, 2, 0],
        "statistic": [45.0, 20.0, nan],
        "p_value": [0.0039, 0.41, nan], "p_method": ["exact_conditional", "exact_conditional", None],
        "family": ["primary", "outcomes", "outcomes"], "p_adjusted": [0.0039, 0.82, nan],
        "adjust_method": ["holm"] * 3, "rank_biserial": [1.0, 0.2, nan],
        "median_change": [1.0, 0.5, nan], "estimate": [1.0, 0.5, nan], "ci_low": [0.5, -0.5, nan],
        "ci_high": [1.5, 1.0, nan], "note": [None, None, "too_few_pairs"],
    })


def test_table_translates_formats_and_escapes() -> None:
    df = pd.DataFrame({"country": ["SEN", "BFA"], "comment": ["<script>alert(1)</script>", "ok"],
                       "share": [0.125, 0.5], "n": [8, 4]})
    out = html.table_html(df, {"country": "col.country", "comment": "col.theme", "share": "col.share",
                               "n": "col.n"}, ctx_for("fr"), {"country": "country", "share": "pct1", "n": "int"})
    assert '<th class="text">Pays</th>' in out
    assert '<td class="text">Sénégal</td>' in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<script>" not in out
    assert f"12,5{NBSP}%" in out


def test_table_marks_and_footnotes_suppressed_rows() -> None:
    df = pd.DataFrame({"country": ["SEN", "BFA"], "n": [5, 2], "mean": [3.5, float("nan")],
                       "suppressed": [False, True]})
    ctx = ctx_for("en")
    out = html.table_html(df, {"country": "col.country", "n": "col.n", "mean": "col.mean"}, ctx,
                          {"country": "country", "n": "int", "mean": "num1"})
    assert '<tr class="suppressed">' in out
    assert "Burkina Faso<sup" in out
    assert ">2</td>" not in out  # the small n itself is not shown: it would bound the hidden cells
    assert "&lt; 3" not in out
    assert t("table.suppressed_note", "en", k=3) in out
    assert ctx.suppressed_rows == 1  # counted for the methods section of this report
    html.table_html(df, {"country": "col.country"}, ctx)
    assert ctx.suppressed_rows == 2 and ctx_for("en").suppressed_rows == 0


def test_table_of_nothing_says_so() -> None:
    assert t("common.no_rows", "fr") in html.table_html(pd.DataFrame(), {}, ctx_for("fr"))


@pytest.mark.parametrize("facecolor", ["white", "none"])
def test_figures_are_opaque_pngs_with_the_drawn_pixels(facecolor: str) -> None:
    import base64
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(3.3, 2.15))  # 2.15 in x 200 dpi is 429.99... pixels in floating point
    fig.set_facecolor(facecolor)
    fig.subplots().bar(["a", "b"], [3, 5], color="#1f77b4")
    drawn = io.BytesIO()
    fig.savefig(drawn, format="png", dpi=200)
    drawn = np.asarray(Image.open(drawn))
    html = figure_html(fig, alt="Bars", close=False)
    assert 'alt="Bars"' in html and "width:3.30in" in html
    image = Image.open(io.BytesIO(base64.b64decode(html.split("base64,")[1].split('"')[0])))
    assert image.mode == "RGB" and image.size == (660, 430)
    pixels = np.asarray(image)
    opaque = drawn[..., 3] == 255
    assert (pixels[opaque] == drawn[..., :3][opaque]).all()
    # transparent pixels come out white, as on the page; half-transparent ones blended over it
    assert (pixels[drawn[..., 3] == 0] == 255).all()
    assert opaque.all() == (facecolor == "white")


def test_change_sentence_english() -> None:
    row = _changes().iloc[0].to_dict()
    assert plain(sentences.change_sentence(row, ctx_for("en"), min_pairs=5, alpha=0.05)) == (
        "Participants' self-rated new knowledge rose by 1 point per question (Hodges–Lehmann shift, "
        "95% CI 0.5 to 1.5; n = 9 pairs, exact permutation p = 0.004, adjusted p = 0.004, primary outcome); "
        "9 of 9 rated themselves higher after the exchange, 0 lower."
    )


def test_change_sentence_french() -> None:
    row = _changes().iloc[0].to_dict()
    assert plain(sentences.change_sentence(row, ctx_for("fr"), min_pairs=5, alpha=0.05)) == (
        "Nouvelles connaissances (auto-évaluation des participants) : hausse de 1 point par question "
        "(décalage de Hodges-Lehmann, IC à 95 % 0,5 à 1,5 ; n = 9 paires, p exact par permutation = 0,004, "
        "p ajusté = 0,004, résultat principal) ; 9 sur 9 se notent plus haut après l'échange, 0 plus bas."
    )


def test_change_sentence_is_honest() -> None:
    rows = _changes().to_dict("records")
    not_sig = sentences.change_sentence(rows[1], ctx_for("en"), min_pairs=5, alpha=0.05)
    assert "0.5 points" in not_sig
    assert not_sig.endswith("The change is not statistically significant at the 5% level.")
    too_few = plain(sentences.change_sentence(rows[2], ctx_for("fr"), min_pairs=5))
    assert too_few.startswith("Consensus amélioré : seulement 3 paires")
    assert "aucune variation n'est rapportée" in too_few
    fr_plural = plain(sentences.change_sentence({**rows[0], "estimate": 1.5}, ctx_for("fr"), min_pairs=5))
    assert "1,5 point " in fr_plural  # French: singular below 2


def test_headline_sentences_and_summary_box() -> None:
    written = sentences.headline_sentences(ctx_for("en"), n_participants=8, n_countries=4, n_pairs=7,
                                           outcome_changes=_changes().head(1), plan_done=5, plan_total=10)
    assert written[0] == "8 participants from 4 countries took part in the round."
    assert written[-1] == "5 of 10 improvement-plan actions (50%) were done by the latest follow-up."
    box = html.summary_box(written + ["<b>x</b>"], "fr")
    assert box.startswith('<div class="summary-box"><h2>Principaux résultats</h2>')
    long_box = html.summary_box(["a"] * 6, "en")
    assert long_box.startswith('<div class="summary-box" style="break-inside: auto')  # may continue overleaf
    assert "&lt;b&gt;x&lt;/b&gt;" in box
    assert t("summary.nothing", "en") in html.summary_box([], "en")


def test_did_sentence() -> None:
    text = plain(sentences.did_sentence({"estimate": 0.25, "p_randomization": 0.2, "n_treated": 4, "n_control": 3}, "en"))
    assert text.startswith("The share of JSRs meeting the RF18 standard rose by 25 percentage points more")
    assert "randomization p = 0.200" in text
    small = plain(sentences.did_sentence({"estimate": -0.1, "p_randomization": 0.0001, "n_treated": 4, "n_control": 3}, "fr"))
    assert "(p de randomisation < 0,001)" in small and "de moins" in small
    assert sentences.did_sentence({"estimate": float("nan")}, "fr") == t("sentence.did.not_estimated", "fr")


def test_provenance_html() -> None:
    line = html.provenance_html({"data_hash": "abcdef0123456789", "package_version": "0.1.0",
                                 "built_at": "2026-11-24T10:00:00+00:00"}, "fr")
    assert line == ('<p class="provenance">Empreinte des données abcdef012345 · exchange-eval 0.1.0 · '
                    "produit le 24 novembre 2026.</p>")


def test_comments_only_for_groups_of_k() -> None:
    comments = pd.DataFrame({
        "pid": ["a", "b", "c", "d"], "country": ["SEN", "SEN", "SEN", "BFA"],
        "text": ["Très utile <img src=x onerror=alert(1)>", "Bien", "Trop court", "Secret"],
    })
    out = html.comments_html(comments, ctx_for("fr"), group_col="country")
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<img" not in out
    assert "Secret" not in out
    assert t("comments.withheld", "fr", k=3) in out
    assert "Sénégal" in out and "Burkina Faso" in out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_format_value_names(lang: str) -> None:
    ctx = ctx_for(lang)
    assert html.format_value(0.0004, "p", ctx).endswith("0.001" if lang == "en" else "0,001")
    assert html.format_value("vc1", "session", ctx) == t("session.vc1", lang)
    assert html.format_value(4, "choice:agree5", ctx) == {"en": "Agree", "fr": "D'accord"}[lang]
    assert html.format_value("done", "status", ctx) == {"en": "Done", "fr": "Réalisé"}[lang]
    assert html.format_value(None, "item", ctx) == "" and html.format_value(None, "bool", ctx) == "–"
    with pytest.raises(ValueError):
        html.format_value(1, "nope", ctx)


# --------------------------------------------------------------------------- sections
def _empty_round() -> RoundData:
    return RoundData(round_id="r1", meta={"round_id": "r1", "title": "Round <1>", "countries": ["SEN"]})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sections_without_data_say_so_in_one_sentence(lang: str) -> None:
    rd, ctx = _empty_round(), ctx_for(lang)
    cases = {
        round_report.participation_section: "round.none.participation",
        round_report.feedback_section: "round.none.feedback",
        round_report.learning_section: "round.none.learning",
        round_report.plans_section: "round.none.plans",
        round_report.network_section: "round.none.network",
        round_report.tools_section: "round.none.tools",
    }
    for builder, key in cases.items():
        parts = builder(rd, ctx)
        assert len(parts) == 2, builder.__name__
        assert parts[1] == f'<p class="note">{esc(t(key, lang))}</p>'
    jsr = round_report.jsr_section(rd, ctx)
    assert esc(t("round.none.jsr", lang)) in jsr[1]
    assert esc(t("round.none.rf18", lang)) in jsr[-1]
    assert esc(t("summary.nothing", lang)) in round_report.round_summary(rd, ctx)


def test_title_block_escapes_and_translates() -> None:
    rd = _empty_round()
    rd.meta.update({"host": "SEN", "community": "jsr-exchange", "language": "fr",
                    "sessions": [{"id": "vc1", "kind": "virtual", "date": "2025-02-10"}]})
    out = round_report.title_block(rd.meta, ctx_for("fr"))
    assert "<h1>Round &lt;1&gt;</h1>" in out
    assert "Échange entre pays sur les RSC" in out
    assert "Visioconférence 1 (Virtuelle, 10 février 2025)" in out
    assert "français" in out


def test_ladder_table_puts_participants_first() -> None:
    ladder = pd.DataFrame({"country": ["MLI", "SEN", "SEN"], "group": ["comparison", "participant", "participant"],
                           "dimension": ["evidence", "evidence", "inclusive"],
                           "before": [2.0, 1.0, 2.0], "after": [2.0, 3.0, 4.0]})
    wide, headers = round_report.ladder_table(ladder, ctx_for("fr"))
    assert wide["country"].tolist() == ["SEN", "MLI"]
    assert list(wide.columns) == ["country", "group", "inclusive", "evidence"]  # config order
    assert wide.loc[0, "evidence"] == "1 → 3"
    assert headers["evidence"] == "Fondée sur des données probantes"


def test_between_rounds_sentences() -> None:
    res = pd.DataFrame({"round_id": ["b", "a", "b", "a"], "outcome": ["new_knowledge"] * 2 + ["enhanced_skill"] * 2,
                        "estimate": [1.0, 0.5, 0.0, 0.0]})
    assert sentences.between_rounds_sentences(res, ctx_for("en"), order=["b", "a"]) == [
        "New knowledge: the shift per question went from +1.0 in b to +0.5 in a.",
        "Enhanced skill: the shift per question was 0.0 in both b and a.",
    ]
    assert sentences.between_rounds_sentences(res[res["round_id"] == "a"], ctx_for("en")) == []


def test_recommendations_follow_thresholds() -> None:
    findings = {
        "nonresponse": pd.DataFrame({"item_id": ["ok_functions", "sf_comment", "sf_topics.guidelines", "sf_topics.other"],
                                     "share_missing": [0.5, 0.9, 0.3, 0.3], "n": [40, 40, 40, 40]}),
        "response": pd.DataFrame({"instrument": ["session_feedback"] * 3, "wave": ["vc1", "vc2", "vc3"],
                                  "response_rate": [0.9, 0.3, 0.2], "n_eligible": [40, 40, 40]}),
        "straightlining": pd.DataFrame({"instrument": ["outcomes"], "wave": ["pre"], "share": [0.05], "n": [40]}),
        "reliability": pd.DataFrame({"scale": ["new_knowledge", "new_knowledge"], "alpha": [0.4, 0.8],
                                     "n": [40, 40], "ci_low": [0.1, 0.7], "ci_high": [0.6, 0.9]}),
        "burden": pd.DataFrame({"instrument": ["outcomes"], "median_s": [20 * 60.0], "n": [40]}),
        "ceiling": pd.DataFrame({"item_id": ["sf_apply"], "top_share": [0.85], "ceiling": [True], "n": [12]}),
    }
    ratings = pd.DataFrame({"tool": ["reading_guide", "guidelines"], "mean": [2.5, 4.0], "n": [30, 30]})
    recs = [plain(r) for r in feedback_review.recommendations(findings, ctx_for("en"), ratings)]
    assert recs == [
        "Drop or reword “My knowledge of the core functions of an effective JSR”: up to 50% of respondents skipped it."
        " (n = 40; 95% CI 35% to 65%)",
        "Follow up non-respondents of the “Session feedback” survey: the response rate was below 60% in 2 of 3 "
        "waves (20% to 30%). (n = 80; 95% CI 17% to 35%)",
        "Review the items of “New knowledge”: Cronbach's alpha is below 0.70 in 1 of 2 measurements (lowest 0.40)."
        " (n = 40; 95% CI 0.10 to 0.60)",
        "Shorten the “Outcomes (before/after)” survey: the median respondent needed 20 minutes (target: 15). (n = 40)",
        "Revise the Toolbox: reading guide: its mean usefulness rating is 2.5 out of 5. (n = 30)",
    ]
    # crossed on too few answers (12), or with an interval reaching the threshold (30% of 40): to watch
    watch = [plain(r) for r in feedback_review.recommendations(findings, ctx_for("en"), ratings, supported=False)]
    assert len(watch) == 2 and "85%" in watch[1] and "n = 12" in watch[1]
    assert feedback_review.recommendations({}, ctx_for("fr")) == []


def test_participation_figure_never_draws_suppressed_counts() -> None:
    part = pd.DataFrame({"country": ["SEN", "MLI"], "n_invited": [4, 2], "n_attended": [4, 1],
                         "suppressed": [False, True]})
    fig = plots.participation_bars(part, ctx_for("en"), value_cols=["n_invited", "n_attended"])
    labels = sorted(x.get_text().strip() for x in fig.axes[0].texts)  # value labels on the bars
    assert labels == ["4", "4", t("plot.suppressed_bar", "en", k=3)]
    texts = [o.get_text().strip() for o in fig.findobj(matplotlib.text.Text)]
    widths = [p.get_width() for p in fig.axes[0].patches if p.get_hatch() is None]
    assert sorted(widths) == [0.0, 0.0, 4.0, 4.0]
    assert t("plot.suppressed_bar", "en", k=3) in texts


def test_session_names_come_from_the_manifest() -> None:
    meta = {"sessions": [{"id": "w1", "title": "Webinar 1: data"}, {"id": "vc1", "title": "VC one"}]}
    name = session_namer(meta)
    assert name("w1", "fr") == "Webinar 1: data"
    assert name("vc1", "fr") == "Visioconférence 1"  # standard sessions keep their translated name
    waves = wave_namer(meta)
    assert waves("pre", "en") == "Before (pre-survey)"
    assert waves("w1", "en") == "Webinar 1: data"


def test_every_html_escaper_is_the_privacy_one() -> None:
    text = '<b onclick="x">Aïcha & l\'équipe</b>'
    assert esc(text) == escape_html(text)
    assert esc(None) == ""


# --------------------------------------------------------------------------- pulse surveys and synthesis
def _responses(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    columns = empty_table("responses").columns
    return frame.reindex(columns=[*columns, *[c for c in frame.columns if c not in columns]])


def _pulse_round(round_id: str = "net") -> RoundData:
    people = list("abcdef")
    answers = {  # item -> wave -> one answer per person
        "pl_value": {"pulse-1": [2, 3, 3, 4, 2, 3], "pulse-2": [4, 4, 3, 5, 4, 4]},
        "pl_use": {"pulse-1": [3, 3, 2, 2, 3, 3], "pulse-2": [3, 4, 2, 3, 4, 3]},
    }
    rows = [{"round_id": round_id, "pid": p, "instrument": "pulse", "wave": wave, "item_id": item,
             "outcome": "new_knowledge" if item == "pl_value" else "new_actions", "value": float(v)}
            for item, waves in answers.items() for wave in ("pulse-2", "pulse-1")  # stored out of order
            for p, v in zip(people, waves[wave], strict=True)]
    return RoundData(round_id=round_id, meta={"round_id": round_id, "community": "salex"},
                     responses=_responses(rows))


def test_pulse_results_values() -> None:
    res = round_report.pulse_results(_pulse_round(), ctx_for("en"))
    assert res["waves"] == ["pulse-1", "pulse-2"]
    summary = res["summary"]
    assert summary[["item_id", "wave"]].values.tolist() == [["pl_value", "pulse-1"], ["pl_value", "pulse-2"],
                                                            ["pl_use", "pulse-1"], ["pl_use", "pulse-2"]]
    assert summary["top2"].tolist() == pytest.approx([1 / 6, 5 / 6, 0.0, 2 / 6])
    assert summary["n_respondents"].tolist() == [6, 6, 6, 6]
    changes = res["changes"].set_index("item_id")
    assert changes.loc["pl_value", "n"] == 6 and changes.loc["pl_value", "median_change"] == 1.0
    assert changes.loc["pl_use", "median_change"] == 0.5
    # the score of all statements is the pre-specified primary row, tested first; the
    # statements are one family, Holm-adjusted and gated by it
    assert changes.loc[PULSE_SCORE, "family"] == "primary"
    assert changes.loc["pl_value", "p_adjusted"] >= changes.loc[PULSE_SCORE, "p_value"]
    # the score per person is the sum of the two statements, per statement:
    # changes 2, 2, 0, 2, 3, 1 -> median 2, i.e. 1 point per statement
    assert changes.loc[PULSE_SCORE, "median_change"] == 1.0
    assert res["score"]["n"] == 6 and res["score"]["n_improved"] == 5


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pulse_section_and_summary(lang: str) -> None:
    rd, ctx = _pulse_round(), ctx_for(lang)
    res = round_report.pulse_results(rd, ctx)
    out = "".join(round_report.pulse_section(rd, ctx, res))
    assert esc(t("round.h.pulse", lang)) in out
    assert esc(t("round.table.pulse", lang)) in out
    assert esc(t("round.pulse.score", lang)) in out  # the mean-score row is named
    assert "<img" in out and "_pulse_score" not in out
    written = sentences.pulse_sentences(res, ctx)
    assert len(written) == 2
    if lang == "en":
        assert plain(written[0]) == ("Pulse surveys: from “Pulse survey 1” to “Pulse survey 2”, the share agreeing "
                                       "(top 2) with the 2 pulse statements went from 8% to 58% on average.")
        assert plain(written[1]).startswith("Among the 6 people who answered every pulse statement in both "
                                              "“Pulse survey 1” and “Pulse survey 2”, agreement rose by 1 point "
                                              "per statement (")
    box = round_report.round_summary(rd, ctx, round_report.RoundResults(pulse=res))
    assert esc(written[0]) in box
    # the L2 section still says there was no before/after survey
    assert esc(t("round.none.learning", lang)) in "".join(round_report.learning_section(rd, ctx))


def test_pulse_section_is_omitted_without_pulse_and_honest_with_one_wave() -> None:
    assert round_report.pulse_section(_empty_round(), ctx_for("en")) == []
    rd = _pulse_round()
    rd.responses = rd.responses[rd.responses["wave"] == "pulse-1"]
    res = round_report.pulse_results(rd, ctx_for("en"))
    assert "changes" not in res and sentences.pulse_sentences(res, ctx_for("en")) == []
    assert esc(t("round.none.pulse_change", "fr")) in "".join(round_report.pulse_section(rd, ctx_for("fr"), res))


def _synthesis_rounds() -> list[RoundData]:
    def feedback(rid: str, item: str, values: list[int]) -> list[dict]:
        return [{"round_id": rid, "pid": f"{rid}{i}", "instrument": "session_feedback", "wave": "vc1",
                 "session_id": "vc1", "item_id": item, "value": float(v)} for i, v in enumerate(values)]

    def ladder(rows: list[tuple]) -> pd.DataFrame:
        return pd.DataFrame([{"country": c, "group": g, "dimension": "evidence", "criterion": None, "wave": w,
                              "year": 2024 if w == "before" else 2025, "rating": float(v)}
                             for c, g, before, after in rows for w, v in (("before", before), ("after", after))])

    r1 = RoundData(
        round_id="r1", meta={"round_id": "r1", "sessions": [{"id": "vc1", "date": "2025-01-10"}]},
        responses=_responses(feedback("r1", "sf_relevance", [5, 4, 4, 2, 3])),
        tool_feedback=pd.DataFrame({"pid": ["x", "y", "z"], "tool": "guidelines", "rating": [5.0, 4.0, 2.0]}),
        jsr_assessment=ladder([("SEN", "participant", 1, 3), ("BFA", "participant", 2, 3),
                               ("MLI", "comparison", 2, 2)]))
    r2 = RoundData(
        round_id="r2", meta={"round_id": "r2", "sessions": [{"id": "vc1", "date": "2025-06-10"}]},
        responses=_responses(feedback("r2", "sf_relevance", [5, 5, 4, 1]) + feedback("r2", "sf_apply", [5, 5])),
        tool_feedback=pd.DataFrame({"pid": ["x", "y"], "tool": "guidelines", "rating": [5.0, 5.0]}),
        jsr_assessment=ladder([("CIV", "participant", 1, 2), ("NER", "comparison", 2, 3)]))
    return [r2, r1]  # the order of the rounds comes from their dates


def test_synthesis_feedback_tools_and_ladder_by_round() -> None:
    data, fr, en = _synthesis_rounds(), ctx_for("fr"), ctx_for("en")
    fb = synthesis_report.feedback_results(data, fr)
    assert fb[["round_id", "item_id"]].values.tolist() == [["r1", "sf_relevance"], ["r2", "sf_relevance"],
                                                           ["r2", "sf_apply"]]
    assert fb["top2"].tolist()[:2] == pytest.approx([0.6, 0.75])
    assert fb["suppressed"].tolist() == [False, False, True] and pd.isna(fb["top2"].iloc[2])
    out = "".join(synthesis_report.feedback_section(data, fr, fb))
    assert '<tr class="suppressed">' in out and f"60{NBSP}%" in out
    tools = synthesis_report.tools_results(data, en)
    assert tools["round_id"].tolist() == ["r1", "r2"]
    assert tools["mean"].iloc[0] == pytest.approx(11 / 3) and bool(tools["suppressed"].iloc[1])
    assert "JSR guidelines" in "".join(synthesis_report.tools_section(data, en, tools))
    lad = synthesis_report.ladder_results(data, en)
    assert lad[["round_id", "group", "n_countries", "change"]].values.tolist() == [
        ["r1", "participant", 2, 1.5], ["r1", "comparison", 1, 0.0],
        ["r2", "participant", 1, 1.0], ["r2", "comparison", 1, 1.0]]
    assert "Fondée sur des données probantes" in "".join(synthesis_report.ladder_section(data, fr, lad))
    written = [plain(s) for s in synthesis_report.between_rounds_extra_sentences(data, en)]
    assert written == [
        "Session ratings: on average 60% of answers agreed with the session statements in r1, and 75% in r2.",
        "Maturity ladder: participating countries moved by +1.5 levels on average across dimensions in r1, and by "
        "+1.0 in r2. Comparison countries: 0.0 and +1.0.",
    ]
    # round by round: every sentence names every round that measured it
    every = [plain(s) for s in synthesis_report.every_round_sentences(data, en, pd.DataFrame())]
    assert every == [
        "Session ratings (agreement, mean over the statements): 60% in r1 and 75% in r2.",
        "Maturity ladder, mean change of participating countries: +1.5 in r1 and +1.0 in r2. "
        "Comparison countries: 0.0 in r1 and +1.0 in r2.",
    ]
    between = plain("".join(synthesis_report.between_section(data, en, pd.DataFrame())))
    assert [esc(s) in between for s in every] == [True, True]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_synthesis_ordinal_model_and_methods(lang: str) -> None:
    ctx = ctx_for(lang)
    rng = np.random.default_rng(0)
    data = []
    for rid in ("r1", "r2"):
        pre = rng.integers(1, 4, 30)
        post = np.minimum(pre + rng.integers(0, 3, 30), 5)
        rows = [{"round_id": rid, "pid": f"{rid}-{i}", "instrument": "outcomes", "wave": wave,
                 "item_id": "ok_functions", "outcome": "new_knowledge", "value": float(v)}
                for wave, values in (("pre", pre), ("post", post)) for i, v in enumerate(values)]
        data.append(RoundData(round_id=rid, meta={"round_id": rid}, responses=_responses(rows)))
    res = synthesis_report.ordinal_results(data, ctx)
    assert res["item_id"].tolist() == ["ok_functions"]
    row = res.iloc[0]
    assert row["model"] == "ordered_logit_rounds" and row["n_rounds"] == 2 and row["n_people"] == 60
    assert row["estimate"] > 0 and row["ci_low"] > 0
    out = "".join(synthesis_report.ordinal_section(data, ctx, res))
    assert esc(t("synthesis.model_name.ordered_logit_rounds", lang)) in out
    assert esc(sentences.ordinal_reading(res, ctx)) in out
    if lang == "en":
        assert plain(sentences.ordinal_reading(res, ctx)).startswith(
            "Reading: 1 of the 1 questions moved up the scale with a 95% interval entirely above zero, and 0 moved down.")
    methods = "".join(synthesis_report.methods_section(
        data, ctx, pooled=pd.DataFrame({"model": ["paired_t"]}), ordinal=res))
    for key in ("synthesis.methods.self_report",):
        assert esc(t(key, lang)) in methods
    name = t("synthesis.model_name.paired_t", lang)
    assert esc(t("synthesis.methods.model.paired_t", lang, name=name)) in methods
    assert esc(t("synthesis.methods.rounds", lang, n="2", n_outcomes="2")) in methods


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_ladder_did_sentence_reports_estimate_p_and_counts(lang):
    ladder_did_sentence = sentences.ladder_did_sentence
    did = {"estimate": 0.89, "p_value_ri": 1 / 126, "n_countries": 9, "n_treated": 4, "n_obs": 18}
    text = ladder_did_sentence(did, lang)
    assert ("0.89" if lang == "en" else "0,89") in text
    assert "4" in text and "5" in text and "18" in text
    assert ("0.008" if lang == "en" else "0,008") in text
    less = ladder_did_sentence({**did, "estimate": -0.5}, lang)
    assert ("less" if lang == "en" else "de moins") in less


def test_a_data_folders_own_configuration_reaches_the_report(tmp_path, monkeypatch) -> None:
    """k and labels come from <data>/config through the Workspace's Config, never from the
    environment."""
    config = tmp_path / "data" / "config"
    config.mkdir(parents=True)
    (config / "settings.yaml").write_text("privacy:\n  min_cell_size: 7\n", encoding="utf-8")
    choices = Config().choices
    choices["agree5"][4]["label_en"] = "Fully agree"
    (config / "choices.yaml").write_text(yaml.safe_dump(choices), encoding="utf-8")
    monkeypatch.setenv("EXCHANGE_EVAL_DATA", str(tmp_path / "elsewhere"))  # ignored below the CLI
    ctx = ReportContext(Workspace.from_options(tmp_path / "data", tmp_path / "reports").config, "en")
    assert ctx.k == 7 and ctx_for("en").k == 3
    assert ctx.labels.choice("agree5", 5, "en") == "Fully agree"
    assert ctx_for("en").labels.choice("agree5", 5, "en") == "Strongly agree"
    df = pd.DataFrame({"country": ["SEN"], "n": [5], "suppressed": [True]})
    assert t("table.suppressed_note", "en", k=7) in html.table_html(df, {"country": "col.country"}, ctx)
    rd = _empty_round()
    rd.participants = pd.DataFrame({"pid": ["a"], "country": ["SEN"]})
    assert esc(t("round.methods.k", "en", k=7)) in "".join(round_report.methods_section(rd, ctx))


class _NoSuppression(ReportContext):
    """The same report with nothing withheld: the true values behind withheld rows."""

    @property
    def k(self) -> int:
        return 1


def _delegations_round() -> RoundData:
    sizes = {"SEN": 4, "BFA": 2, "CIV": 3, "TCD": 5}
    people = pd.DataFrame([{"round_id": "r1", "pid": f"{c}{i}", "country": c, "role": "technical", "on_roster": True}
                           for c, size in sizes.items() for i in range(size)])
    attendance = people[["round_id", "pid"]].assign(session_id="vc1", attended=[i % 4 != 1 for i in range(len(people))])
    return RoundData(round_id="r1", participants=people, attendance=attendance,
                     meta={"round_id": "r1", "countries": list(sizes)})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_withheld_delegation_follows_from_the_round_total(lang: str) -> None:
    rd = _delegations_round()
    shown = "".join(round_report.participation_section(rd, ctx_for(lang)))
    # the round total is printed in the same report (summary box and methods)
    page = shown + "".join(round_report.methods_section(rd, ctx_for(lang)))
    truth = {tb["caption"]: {cells[0]: cells for cells, _ in tb["rows"]}
             for tb in report_tables("".join(round_report.participation_section(rd, _NoSuppression(Config(), lang))))}
    tables = [tb for tb in report_tables(page) if any(hidden for _, hidden in tb["rows"])]
    assert tables, "the small delegation (BFA, 2 people) is withheld"
    numbers = published_integers(page)
    assert 14 in numbers  # the attacker has the total
    for table in tables:
        assert recovered_cells(table, truth[table["caption"]], numbers) == []
    # without complementary suppression the subtraction gives BFA away: the test has teeth
    caption = tables[0]["caption"]
    bfa = next(label for label in truth[caption] if label.startswith("Burkina"))
    primary_only = {**tables[0], "rows": [(cells, label == bfa) for label, cells in truth[caption].items()]}
    assert recovered_cells(primary_only, truth[caption], numbers) != []
