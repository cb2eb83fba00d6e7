"""Tool ratings (with small-n suppression) and keyword coding of comments in EN and FR."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis.tools import (
    ToolDataError,
    comment_themes,
    fold,
    load_themes,
    theme_counts,
    tokens,
    tool_ratings,
)


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
    # k from settings (3) by default
    assert tool_ratings(tf).set_index("tool").loc["toolbox", "suppressed"]
    assert not tool_ratings(tf, k=1).set_index("tool").loc["toolbox", "suppressed"]
    with pytest.raises(ToolDataError):
        tool_ratings(tf.drop(columns="rating"))


def test_fold_and_tokens():
    assert fold("Élève ÇA Œil") == "eleve ca oeil"
    assert tokens("Follow-up: l'accompagnement!") == ["follow", "up", "l", "accompagnement"]


def test_themes_config_has_both_languages():
    themes = load_themes()
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
    out = comment_themes(comments)
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
    assigned = comment_themes(comments)
    counts = theme_counts(assigned).set_index("theme")
    assert counts.index.tolist()[-1] == "other"
    assert len(counts) == len(load_themes()) + 1
    assert counts.loc["connectivity", "n_comments"] == 2
    assert counts.loc["logistics", "n_comments"] == 0
    assert counts.loc["connectivity", "share"] == pytest.approx(2 / 6)
    by_tool = theme_counts(assigned, by=("tool",)).set_index(["tool", "theme"])
    assert by_tool.loc[("toolbox", "connectivity"), "n_comments"] == 2
    assert by_tool.loc[("toolbox", "connectivity"), "share"] == pytest.approx(2 / 4)
    assert by_tool.loc[("guidelines", "examples"), "share"] == pytest.approx(1 / 2)


def test_malformed_theme_dictionary():
    with pytest.raises(ToolDataError, match="list"):
        comment_themes(pd.DataFrame({"text": ["x"]}), {"t": {"keywords": {"en": "word"}}})
    with pytest.raises(ToolDataError, match="text"):
        comment_themes(pd.DataFrame({"comment": ["x"]}))
