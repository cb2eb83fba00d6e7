"""Display helpers: translated, formatted, escaped and suppressed tables and sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from exchange_eval.present import sections as present
from exchange_eval.present.i18n import t

NBSP = "\u00a0"


def plain(text: str) -> str:
    """The text with non-breaking spaces as plain spaces (typography is tested in test_i18n)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _changes() -> pd.DataFrame:
    return pd.DataFrame({
        "outcome": ["new_knowledge", "enhanced_skill", "improved_consensus"],
        "n": [9, 9, 3], "n_unmatched": [2, 2, 8],
        "statistic": [45.0, 20.0, float("nan")],
        "p_value": [0.0039, 0.41, float("nan")], "p_holm": [0.0117, 0.82, float("nan")],
        "rank_biserial": [1.0, 0.2, float("nan")],
        "median_change": [1.0, 0.5, float("nan")], "ci_low": [0.5, -0.5, float("nan")],
        "ci_high": [1.5, 1.0, float("nan")], "note": [None, None, "too_few_pairs"],
    })


def test_table_translates_formats_and_escapes() -> None:
    df = pd.DataFrame({"country": ["SEN", "BFA"], "comment": ["<script>alert(1)</script>", "ok"],
                       "share": [0.125, 0.5], "n": [8, 4]})
    html = present.table_html(df, {"country": "col.country", "comment": "col.theme", "share": "col.share",
                                   "n": "col.n"}, "fr", {"country": "country", "share": "pct1", "n": "int"})
    assert '<th class="text">Pays</th>' in html
    assert '<td class="text">Sénégal</td>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert f"12,5{NBSP}%" in html


def test_table_marks_and_footnotes_suppressed_rows() -> None:
    df = pd.DataFrame({"country": ["SEN", "BFA"], "n": [5, 2], "mean": [3.5, float("nan")],
                       "suppressed": [False, True]})
    html = present.table_html(df, {"country": "col.country", "n": "col.n", "mean": "col.mean"}, "en",
                              {"country": "country", "n": "int", "mean": "num1"}, k=3)
    assert '<tr class="suppressed">' in html
    assert "Burkina Faso<sup" in html
    assert "&lt; 3" in html  # the small n itself is not shown
    assert ">2</td>" not in html
    assert t("table.suppressed_note", "en", k=3) in html


def test_table_of_nothing_says_so() -> None:
    assert t("common.no_rows", "fr") in present.table_html(pd.DataFrame(), {}, "fr")


def test_change_sentence_english() -> None:
    row = _changes().iloc[0].to_dict()
    assert plain(present.change_sentence(row, "en", min_pairs=5, alpha=0.05)) == (
        "Participants' self-rated new knowledge rose by a median of 1 point "
        "(95% CI 0.5 to 1.5; n = 9 pairs, Wilcoxon p = 0.004, Holm-adjusted p = 0.012)."
    )


def test_change_sentence_french() -> None:
    row = _changes().iloc[0].to_dict()
    assert plain(present.change_sentence(row, "fr", min_pairs=5, alpha=0.05)) == (
        "Nouvelles connaissances (auto-évaluation des participants) : hausse médiane de 1 point "
        "(IC à 95 % 0,5 à 1,5 ; n = 9 paires, test de Wilcoxon p = 0,004, p ajusté (Holm) = 0,012)."
    )


def test_change_sentence_is_honest() -> None:
    rows = _changes().to_dict("records")
    not_sig = present.change_sentence(rows[1], "en", min_pairs=5, alpha=0.05)
    assert "0.5 points" in not_sig
    assert not_sig.endswith("The change is not statistically significant at the 5% level.")
    too_few = plain(present.change_sentence(rows[2], "fr", min_pairs=5))
    assert too_few.startswith("Consensus amélioré : seulement 3 paires")
    assert "aucune variation n'est rapportée" in too_few
    fr_plural = plain(present.change_sentence({**rows[0], "median_change": 1.5}, "fr", min_pairs=5))
    assert "1,5 point " in fr_plural  # French: singular below 2


def test_headline_sentences_and_summary_box() -> None:
    sentences = present.headline_sentences("en", n_participants=8, n_countries=4, n_pairs=7,
                                           outcome_changes=_changes().head(1), plan_done=5, plan_total=10)
    assert sentences[0] == "8 participants from 4 countries took part in the round."
    assert sentences[-1] == "5 of 10 improvement-plan actions (50%) were done by the latest follow-up."
    box = present.summary_box(sentences + ["<b>x</b>"], "fr")
    assert box.startswith('<div class="summary-box"><h2>Principaux résultats</h2>')
    long_box = present.summary_box(["a"] * 6, "en")
    assert long_box.startswith('<div class="summary-box" style="break-inside: auto')  # may continue overleaf
    assert "&lt;b&gt;x&lt;/b&gt;" in box
    assert t("summary.nothing", "en") in present.summary_box([], "en")


def test_did_sentence() -> None:
    text = plain(present.did_sentence({"estimate": 0.25, "p_randomization": 0.2, "n_treated": 4, "n_control": 3}, "en"))
    assert text.startswith("The share of JSRs meeting the RF18 standard rose by 25 percentage points more")
    assert "randomization p = 0.200" in text
    small = plain(present.did_sentence({"estimate": -0.1, "p_randomization": 0.0001, "n_treated": 4, "n_control": 3}, "fr"))
    assert "(p de randomisation < 0,001)" in small and "de moins" in small
    assert present.did_sentence({"estimate": float("nan")}, "fr") == t("sentence.did.not_estimated", "fr")


def test_provenance_html() -> None:
    html = present.provenance_html({"data_hash": "abcdef0123456789", "package_version": "0.1.0",
                                    "built_at": "2026-11-24T10:00:00+00:00"}, "fr")
    assert html == ('<p class="provenance">Empreinte des données abcdef012345 · exchange-eval 0.1.0 · '
                    "produit le 24 novembre 2026.</p>")


def test_comments_only_for_groups_of_k() -> None:
    comments = pd.DataFrame({
        "pid": ["a", "b", "c", "d"], "country": ["SEN", "SEN", "SEN", "BFA"],
        "text": ["Très utile <img src=x onerror=alert(1)>", "Bien", "Trop court", "Secret"],
    })
    html = present.comments_html(comments, 3, "fr", group_col="country")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "Secret" not in html
    assert t("comments.withheld", "fr", k=3) in html
    assert "Sénégal" in html and "Burkina Faso" in html


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_format_value_names(lang: str) -> None:
    assert present.format_value(0.0004, "p", lang).endswith("0.001" if lang == "en" else "0,001")
    assert present.format_value("vc1", "session", lang) == t("session.vc1", lang)
    assert present.format_value(4, "choice:agree5", lang) == {"en": "Agree", "fr": "D'accord"}[lang]
    with pytest.raises(ValueError):
        present.format_value(1, "nope", lang)


# --------------------------------------------------------------------------- sections
def _empty_round() -> object:
    from exchange_eval.core.processed import RoundData

    return RoundData(round_id="r1", meta={"round_id": "r1", "title": "Round <1>", "countries": ["SEN"]})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sections_without_data_say_so_in_one_sentence(lang: str) -> None:
    rd = _empty_round()
    cases = {
        present.participation_section: "round.none.participation",
        present.feedback_section: "round.none.feedback",
        present.learning_section: "round.none.learning",
        present.plans_section: "round.none.plans",
        present.network_section: "round.none.network",
        present.tools_section: "round.none.tools",
    }
    for builder, key in cases.items():
        parts = builder(rd, lang)
        assert len(parts) == 2, builder.__name__
        assert parts[1] == f'<p class="note">{present.esc(t(key, lang))}</p>'
    jsr = present.jsr_section(rd, lang)
    assert present.esc(t("round.none.jsr", lang)) in jsr[1]
    assert present.esc(t("round.none.rf18", lang)) in jsr[-1]
    assert present.esc(t("summary.nothing", lang)) in present.round_summary(rd, lang)


def test_title_block_escapes_and_translates() -> None:
    rd = _empty_round()
    rd.meta.update({"host": "SEN", "community": "jsr-exchange", "language": "fr",
                    "sessions": [{"id": "vc1", "kind": "virtual", "date": "2025-02-10"}]})
    html = present.title_block(rd.meta, "fr")
    assert "<h1>Round &lt;1&gt;</h1>" in html
    assert "Échange entre pays sur les RSC" in html
    assert "Visioconférence 1 (Virtuelle, 10 février 2025)" in html
    assert "français" in html


def test_ladder_table_puts_participants_first() -> None:
    ladder = pd.DataFrame({"country": ["MLI", "SEN", "SEN"], "group": ["comparison", "participant", "participant"],
                           "dimension": ["evidence", "evidence", "inclusive"],
                           "before": [2.0, 1.0, 2.0], "after": [2.0, 3.0, 4.0]})
    wide, headers = present.ladder_table(ladder, "fr")
    assert wide["country"].tolist() == ["SEN", "MLI"]
    assert list(wide.columns) == ["country", "group", "inclusive", "evidence"]  # config order
    assert wide.loc[0, "evidence"] == "1 → 3"
    assert headers["evidence"] == "Fondée sur des données probantes"


def test_between_rounds_sentences() -> None:
    res = pd.DataFrame({"round_id": ["b", "a", "b", "a"], "outcome": ["new_knowledge"] * 2 + ["enhanced_skill"] * 2,
                        "median_change": [1.0, 0.5, 0.0, 0.0]})
    assert present.between_rounds_sentences(res, "en", order=["b", "a"]) == [
        "New knowledge: the median change went from +1.0 in b to +0.5 in a.",
        "Enhanced skill: the median change was 0.0 in both b and a.",
    ]
    assert present.between_rounds_sentences(res[res["round_id"] == "a"], "en") == []


def test_recommendations_follow_thresholds() -> None:
    findings = {
        "nonresponse": pd.DataFrame({"item_id": ["ok_functions", "sf_comment", "sf_topics.guidelines", "sf_topics.other"],
                                     "share_missing": [0.25, 0.9, 0.3, 0.3]}),
        "response": pd.DataFrame({"instrument": ["session_feedback"] * 3, "wave": ["vc1", "vc2", "vc3"],
                                  "response_rate": [0.9, 0.5, 0.4]}),
        "straightlining": pd.DataFrame({"instrument": ["outcomes"], "wave": ["pre"], "share": [0.05]}),
        "reliability": pd.DataFrame({"scale": ["new_knowledge", "new_knowledge"], "alpha": [0.6, 0.8]}),
        "burden": pd.DataFrame({"instrument": ["outcomes"], "median_s": [20 * 60.0]}),
        "ceiling": pd.DataFrame({"item_id": ["sf_apply"], "top_share": [0.85], "ceiling": [True]}),
    }
    ratings = pd.DataFrame({"tool": ["reading_guide", "guidelines"], "mean": [2.5, 4.0]})
    recs = [plain(r) for r in present.recommendations(findings, "en", ratings)]
    assert recs == [
        "Drop or reword “Which topics were most useful?”: up to 30% of respondents skipped it.",
        "Drop or reword “My knowledge of the core functions of an effective JSR”: up to 25% of respondents skipped it.",
        "Follow up non-respondents of the “Session feedback” survey: the response rate was below 60% in 2 of 3 "
        "waves (40% to 50%).",
        "Review the items of “New knowledge”: Cronbach's alpha is below 0.70 in 1 of 2 measurements (lowest 0.60).",
        "Shorten the “Outcomes (before/after)” survey: the median respondent needed 20 minutes (target: 15).",
        "Add higher anchors to “I will use what I learned in my work”: 85% of answers are in the top category.",
        "Revise the Toolbox: reading guide: its mean usefulness rating is 2.5 out of 5.",
    ]
    assert present.recommendations({}, "fr") == []


def test_tool_comments_fall_back_to_survey_text() -> None:
    tf = pd.DataFrame({"pid": ["a"], "tool": ["guidelines"], "rating": [4.0], "comment": [pd.NA]})
    responses = pd.DataFrame({"pid": ["a", "b"], "instrument": ["tool_feedback", "outcomes"],
                              "text": ["Guide trop long", "autre"]})
    comments = present.tool_comments(tf, responses)
    assert comments["comment"].tolist() == ["Guide trop long"]


def test_participation_figure_never_draws_suppressed_counts() -> None:
    import matplotlib.text

    from exchange_eval.present import plots

    part = pd.DataFrame({"country": ["SEN", "MLI"], "n_invited": [4, 2], "n_attended": [4, 1],
                         "suppressed": [False, True]})
    fig = plots.participation_bars(part, "en", value_cols=["n_invited", "n_attended"])
    labels = sorted(x.get_text().strip() for x in fig.axes[0].texts)  # value labels on the bars
    assert labels == ["4", "4", t("plot.suppressed_bar", "en", k=3)]
    texts = [o.get_text().strip() for o in fig.findobj(matplotlib.text.Text)]
    widths = [p.get_width() for p in fig.axes[0].patches if p.get_hatch() is None]
    assert sorted(widths) == [0.0, 0.0, 4.0, 4.0]
    assert t("plot.suppressed_bar", "en", k=3) in texts


def test_session_names_come_from_the_manifest() -> None:
    meta = {"sessions": [{"id": "w1", "title": "Webinar 1: data"}, {"id": "vc1", "title": "VC one"}]}
    name = present.session_namer(meta)
    assert name("w1", "fr") == "Webinar 1: data"
    assert name("vc1", "fr") == "Visioconférence 1"  # standard sessions keep their translated name
    waves = present.wave_namer(meta)
    assert waves("pre", "en") == "Before (pre-survey)"
    assert waves("w1", "en") == "Webinar 1: data"


def test_waves_in_survey_order() -> None:
    df = pd.DataFrame({"instrument": ["outcomes", "outcomes", "outcomes", "session_feedback", "session_feedback"],
                       "wave": ["post", "pre", "retro", "w2", "w1"]})
    meta = {"sessions": [{"id": "w1"}, {"id": "w2"}]}
    assert present.sort_waves(df, meta, by=["instrument"])["wave"].tolist() == ["pre", "retro", "post", "w1", "w2"]


def test_every_html_escaper_is_the_privacy_one() -> None:
    from exchange_eval.core.safe import escape_html
    from exchange_eval.present import sections as present

    text = '<b onclick="x">Aïcha & l\'équipe</b>'
    assert present.esc(text) == escape_html(text)
    assert present.esc(None) == ""


# --------------------------------------------------------------------------- pulse surveys and synthesis
def _responses(rows: list[dict]) -> pd.DataFrame:
    from exchange_eval.core.processed import empty_table

    frame = pd.DataFrame(rows)
    columns = empty_table("responses").columns
    return frame.reindex(columns=[*columns, *[c for c in frame.columns if c not in columns]])


def _pulse_round(round_id: str = "net") -> object:
    from exchange_eval.core.processed import RoundData

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
    res = present.pulse_results(_pulse_round())
    assert res["waves"] == ["pulse-1", "pulse-2"]
    summary = res["summary"]
    assert summary[["item_id", "wave"]].values.tolist() == [["pl_value", "pulse-1"], ["pl_value", "pulse-2"],
                                                            ["pl_use", "pulse-1"], ["pl_use", "pulse-2"]]
    assert summary["top2"].tolist() == pytest.approx([1 / 6, 5 / 6, 0.0, 2 / 6])
    assert summary["n_respondents"].tolist() == [6, 6, 6, 6]
    changes = res["changes"].set_index("item_id")
    assert changes.loc["pl_value", "n"] == 6 and changes.loc["pl_value", "median_change"] == 1.0
    assert changes.loc["pl_use", "median_change"] == 0.5
    # the pulse items are one family: Holm over both items
    assert changes.loc["pl_value", "p_holm"] >= changes.loc["pl_value", "p_value"]
    # the mean score per person: diffs 1, 1, 0, 1, 1.5, 0.5
    assert changes.loc[present.PULSE_SCORE, "median_change"] == 1.0
    assert res["score"]["n"] == 6


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pulse_section_and_summary(lang: str) -> None:
    rd = _pulse_round()
    res = present.pulse_results(rd)
    html = "".join(present.pulse_section(rd, lang, res))
    assert present.esc(t("round.h.pulse", lang)) in html
    assert present.esc(t("round.table.pulse", lang)) in html
    assert present.esc(t("round.pulse.score", lang)) in html  # the mean-score row is named
    assert "<img" in html and "_pulse_score" not in html
    sentences = present.pulse_sentences(res, lang)
    assert len(sentences) == 2
    if lang == "en":
        assert plain(sentences[0]) == ("Pulse surveys: from “Pulse survey 1” to “Pulse survey 2”, the share agreeing "
                                       "(top 2) with the 2 pulse statements went from 8% to 58% on average.")
        assert plain(sentences[1]).startswith("Among the 6 people who answered both “Pulse survey 1” and “Pulse "
                                              "survey 2”, the mean agreement with the pulse statements rose by a "
                                              "median of 1 point (")
    box = present.round_summary(rd, lang, pulse=res)
    assert present.esc(sentences[0]) in box
    # the L2 section still says there was no before/after survey
    assert present.esc(t("round.none.learning", lang)) in "".join(present.learning_section(rd, lang))


def test_pulse_section_is_omitted_without_pulse_and_honest_with_one_wave() -> None:
    assert present.pulse_section(_empty_round(), "en") == []
    rd = _pulse_round()
    rd.responses = rd.responses[rd.responses["wave"] == "pulse-1"]
    res = present.pulse_results(rd)
    assert "changes" not in res and present.pulse_sentences(res, "en") == []
    assert present.esc(t("round.none.pulse_change", "fr")) in "".join(present.pulse_section(rd, "fr", res))


def _synthesis_rounds() -> list:
    from exchange_eval.core.processed import RoundData

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
    data = _synthesis_rounds()
    fb = present.synthesis_feedback_results(data)
    assert fb[["round_id", "item_id"]].values.tolist() == [["r1", "sf_relevance"], ["r2", "sf_relevance"],
                                                           ["r2", "sf_apply"]]
    assert fb["top2"].tolist()[:2] == pytest.approx([0.6, 0.75])
    assert fb["suppressed"].tolist() == [False, False, True] and pd.isna(fb["top2"].iloc[2])
    html = "".join(present.synthesis_feedback_section(data, "fr", fb))
    assert '<tr class="suppressed">' in html and f"60{NBSP}%" in html
    tools = present.synthesis_tools_results(data)
    assert tools["round_id"].tolist() == ["r1", "r2"]
    assert tools["mean"].iloc[0] == pytest.approx(11 / 3) and bool(tools["suppressed"].iloc[1])
    assert "JSR guidelines" in "".join(present.synthesis_tools_section(data, "en", tools))
    lad = present.synthesis_ladder_results(data)
    assert lad[["round_id", "group", "n_countries", "change"]].values.tolist() == [
        ["r1", "participant", 2, 1.5], ["r1", "comparison", 1, 0.0],
        ["r2", "participant", 1, 1.0], ["r2", "comparison", 1, 1.0]]
    assert "Fondée sur des données probantes" in "".join(present.synthesis_ladder_section(data, "fr", lad))
    sentences = [plain(s) for s in present.between_rounds_extra_sentences(data, "en")]
    assert sentences == [
        "Session ratings: on average 60% of answers agreed with the session statements in r1, and 75% in r2.",
        "Maturity ladder: participating countries moved by +1.5 levels on average across dimensions in r1, and by "
        "+1.0 in r2. Comparison countries: 0.0 and +1.0.",
    ]
    between = plain("".join(present.synthesis_between_section(data, "en", pd.DataFrame())))
    assert [present.esc(s) in between for s in sentences] == [True, True]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_synthesis_ordinal_model_and_methods(lang: str) -> None:
    import numpy as np

    from exchange_eval.core.processed import RoundData

    rng = np.random.default_rng(0)
    data = []
    for rid in ("r1", "r2"):
        pre = rng.integers(1, 4, 30)
        post = np.minimum(pre + rng.integers(0, 3, 30), 5)
        rows = [{"round_id": rid, "pid": f"{rid}-{i}", "instrument": "outcomes", "wave": wave,
                 "item_id": "ok_functions", "outcome": "new_knowledge", "value": float(v)}
                for wave, values in (("pre", pre), ("post", post)) for i, v in enumerate(values)]
        data.append(RoundData(round_id=rid, meta={"round_id": rid}, responses=_responses(rows)))
    res = present.synthesis_ordinal_results(data)
    assert res["item_id"].tolist() == ["ok_functions"]
    row = res.iloc[0]
    assert row["model"] == "ordered_logit_rounds" and row["n_rounds"] == 2 and row["n_people"] == 60
    assert row["estimate"] > 0 and row["ci_low"] > 0
    html = "".join(present.synthesis_ordinal_section(data, lang, res))
    assert present.esc(t("synthesis.model_name.ordered_logit_rounds", lang)) in html
    assert present.esc(present.ordinal_reading(res, lang)) in html
    if lang == "en":
        assert plain(present.ordinal_reading(res, "en")).startswith(
            "Reading: 1 of the 1 questions moved up the scale with a 95% interval entirely above zero, and 0 moved down.")
    methods = "".join(present.synthesis_methods_section(
        data, lang, pooled=pd.DataFrame({"model": ["ols_cluster_person"]}), ordinal=res))
    for key in ("synthesis.methods.self_report",):
        assert present.esc(t(key, lang)) in methods
    name = t("synthesis.model_name.ols_cluster_person", lang)
    assert present.esc(t("synthesis.methods.model.ols_cluster_person", lang, name=name)) in methods
    assert present.esc(t("synthesis.methods.rounds", lang, n="2", n_outcomes="2")) in methods


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_ladder_did_sentence_reports_estimate_p_and_counts(lang):
    from exchange_eval.present.sections import ladder_did_sentence

    did = {"estimate": 0.89, "p_value_ri": 1 / 126, "n_countries": 9, "n_treated": 4, "n_obs": 18}
    text = ladder_did_sentence(did, lang)
    assert ("0.89" if lang == "en" else "0,89") in text
    assert "4" in text and "5" in text and "18" in text
    assert ("0.008" if lang == "en" else "0,008") in text
    less = ladder_did_sentence({**did, "estimate": -0.5}, lang)
    assert ("less" if lang == "en" else "de moins") in less
