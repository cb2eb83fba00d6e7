"""Tool ratings (with small-n suppression) and keyword coding of comments in EN and FR."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis.tools import (
    ToolDataError,
    comment_theme_counts,
    comment_themes,
    rated_tools,
    theme_counts,
    tokens,
    tool_comments,
    tool_ratings,
)
from exchange_eval.core.config import Config

THEMES = Config().themes["themes"]


def test_tool_ratings_values_and_suppression():
    tf = pd.DataFrame({
        "pid": [f"p{i}" for i in range(9)],
        "tool": ["guidelines"] * 4 + ["self_assessment"] * 3 + ["toolbox"] * 2,
        "rating": [5, 4, 3, 1, 2, 2, 5, 4, np.nan],
    })
    out = tool_ratings(tf, k=3).set_index("tool")
    g = out.loc["guidelines"]
    assert (g["n"], g["mean"], g["median"], g["share_useful"]) == (4, 3.25, 3.5, 0.5)
    sa = out.loc["self_assessment"]
    assert sa["mean"] == pytest.approx(3.0) and sa["share_useful"] == pytest.approx(1 / 3)
    assert not sa["suppressed"]
    tb = out.loc["toolbox"]
    assert tb["n"] == 1 and tb["suppressed"] and np.isnan(tb["mean"])
    assert not tool_ratings(tf, k=1).set_index("tool").loc["toolbox", "suppressed"]
    with pytest.raises(ToolDataError):
        tool_ratings(tf.drop(columns="rating"), k=3)
    # a tool without any rating (a comment-only row) is not a tool
    commented = pd.concat([tf, pd.DataFrame({"pid": ["x"], "tool": ["general"], "rating": [np.nan]})])
    assert rated_tools(tool_ratings(commented, k=3))["tool"].tolist() == ["guidelines", "self_assessment", "toolbox"]


def test_tokens_are_folded_words():
    assert tokens("Élève ÇA Œil") == ["eleve", "ca", "oeil"]
    assert tokens("Follow-up: l'accompagnement!") == ["follow", "up", "l", "accompagnement"]


def test_themes_config_has_both_languages():
    themes = THEMES
    assert {"time", "language", "clarity", "burden", "examples", "context", "followup",
            "logistics", "connectivity"} <= set(themes)
    for spec in themes.values():
        assert spec["keywords"]["en"] and spec["keywords"]["fr"]
        assert spec["label_en"] and spec["label_fr"]


@pytest.fixture
def comments() -> pd.DataFrame:
    return pd.DataFrame({
        "pid": ["a", "b", "c", "d", "e", "f", "g"],
        "tool": ["guidelines", "guidelines", "toolbox", "toolbox", "guidelines", "toolbox", "toolbox"],
        "text": [
            "Le questionnaire est TROP LONG et la traduction en anglais manquait",
            "More case studies and examples from other countries, please",
            "La connexion Internet était instable pendant la visio",
            "Très utile",
            None,
            "Il faudrait un suivi et un accompagnement après l'échange; le son était mauvais",
            "The tool should be adapted to our country context; not clear enough",
        ],
        "lang": ["fr", "en", "fr", "fr", "fr", None, "en"],
    })


def test_comment_themes_assigns_by_language(comments):
    out = comment_themes(comments, THEMES)
    themes_of = out.groupby("pid")["theme"].apply(set).to_dict()
    assert themes_of["a"] == {"burden", "language"}
    assert themes_of["b"] == {"examples"}
    assert themes_of["c"] == {"connectivity"}
    assert themes_of["d"] == {"other"}
    assert "e" not in themes_of  # empty comment
    # unknown language: every language's keywords ("suivi", "accompagn", "son$")
    assert themes_of["f"] == {"followup", "connectivity"}
    assert themes_of["g"] == {"context", "clarity"}
    row = out[(out.pid == "b") & (out.theme == "examples")].iloc[0]
    assert row["matched"] == "example; case stud"
    assert row["tool"] == "guidelines" and row["comment"] == 1


def test_whole_word_and_multiword_keywords():
    themes = {"sound": {"keywords": {"fr": ["son$"], "en": ["poor connection"]}}}
    c = pd.DataFrame({"text": ["ils sont partis", "le son coupait", "Poor connections all week"],
                      "lang": ["fr", "fr", "en"]})
    out = comment_themes(c, themes)
    assert out["theme"].tolist() == ["other", "sound", "sound"]
    # a plain list of keywords applies to any language
    out = comment_themes(c, {"sound": ["son$", "connection"]})
    assert out["theme"].tolist() == ["other", "sound", "sound"]


def test_theme_counts_zeros_and_groups(comments):
    assigned = comment_themes(comments, THEMES)
    counts = theme_counts(assigned, THEMES).set_index("theme")
    assert counts.index.tolist()[-1] == "other"
    assert len(counts) == len(THEMES) + 1
    assert counts.loc["connectivity", "n_comments"] == 2
    assert counts.loc["logistics", "n_comments"] == 0
    assert counts.loc["connectivity", "share"] == pytest.approx(2 / 6)
    by_tool = theme_counts(assigned, THEMES, by=("tool",)).set_index(["tool", "theme"])
    assert by_tool.loc[("toolbox", "connectivity"), "n_comments"] == 2
    assert by_tool.loc[("toolbox", "connectivity"), "share"] == pytest.approx(2 / 4)
    assert by_tool.loc[("guidelines", "examples"), "share"] == pytest.approx(1 / 2)


def test_malformed_theme_dictionary():
    with pytest.raises(ToolDataError, match="list"):
        comment_themes(pd.DataFrame({"text": ["x"]}), {"t": {"keywords": {"en": "word"}}})
    with pytest.raises(ToolDataError, match="text"):
        comment_themes(pd.DataFrame({"comment": ["x"]}), THEMES)


def test_tool_comments_fall_back_to_survey_text():
    tf = pd.DataFrame({"pid": ["a"], "tool": ["guidelines"], "rating": [4.0], "comment": [pd.NA]})
    responses = pd.DataFrame({"pid": ["a", "b"], "instrument": ["tool_feedback", "outcomes"],
                              "text": ["Guide trop long", "autre"]})
    comments = tool_comments(tf, responses)
    assert comments["comment"].tolist() == ["Guide trop long"]
    assert tool_comments(tf.assign(comment="Clair"), responses)["comment"].tolist() == ["Clair"]


def test_comment_theme_counts_most_frequent_first(comments):
    counts = comment_theme_counts(comments.rename(columns={"text": "comment"}), Config().themes)
    assert counts["n_comments"].tolist() == sorted(counts["n_comments"], reverse=True)
    assert (counts["n_comments"] > 0).all()
    assert counts.iloc[0]["theme"] == "connectivity"  # two comments; every other theme one
