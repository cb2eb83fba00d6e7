"""Figures: translated text, full Likert legends, stable country colours, A4 sizes."""

from __future__ import annotations

import matplotlib.text
import networkx as nx
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from exchange_eval.core.config import Config
from exchange_eval.present import plots
from exchange_eval.present.context import ReportContext
from exchange_eval.present.i18n import t


def ctx_for(lang: str) -> ReportContext:
    """A report in ``lang`` with the package's configuration."""
    return ReportContext(Config(), lang)


def _texts(fig: Figure) -> list[str]:
    return [o.get_text() for o in fig.findobj(matplotlib.text.Text) if o.get_text()]


def _check_print_size(fig: Figure) -> None:
    assert fig.get_figwidth() <= 7.0
    sizes = [o.get_fontsize() for o in fig.findobj(matplotlib.text.Text) if o.get_text()]
    assert min(sizes) >= 9


def _likert_counts() -> pd.DataFrame:
    # only levels 4 and 5 are used: the legend must still show all five
    return pd.DataFrame({
        "item_id": ["sf_relevance"] * 5 + ["sf_objectives"] * 5,
        "level": [1, 2, 3, 4, 5] * 2,
        "n": [0, 0, 0, 3, 6, 0, 0, 0, 5, 4],
    })


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_likert_diverging_legend_has_every_level(lang: str) -> None:
    fig = plots.likert_diverging(_likert_counts(), ctx_for(lang), choices="agree5")
    assert isinstance(fig, Figure)
    legend = fig.legends[0]
    labels = [x.get_text().replace("\n", " ") for x in legend.get_texts()]
    expected = {"en": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
                "fr": ["Pas du tout d'accord", "Pas d'accord", "Ni d'accord ni pas d'accord", "D'accord",
                       "Tout à fait d'accord"]}[lang]
    assert labels == expected
    assert fig.axes[0].get_xlabel() == t("plot.likert.xlabel", lang, low=expected[0], high=expected[-1])
    ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert any(t("common.n_eq", lang, n=9) in x for x in ticks)
    _check_print_size(fig)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_likert_axis_is_named_by_the_scale_ends(lang: str) -> None:
    # a usefulness scale is not an agreement scale: the axis says what its ends are
    ctx = ctx_for(lang)
    counts = _likert_counts().assign(item_id="tool_x")
    fig = plots.likert_diverging(counts, ctx, choices="useful5")
    low, high = (ctx.labels.choice("useful5", v, lang) for v in (ctx.labels.levels("useful5")[0], ctx.labels.levels("useful5")[-1]))
    label = fig.axes[0].get_xlabel()
    assert f"← {low}" in label and f"{high} →" in label
    assert "agree" not in label.lower() and "accord" not in label.lower()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_likert_question_labels_do_not_overlap(lang: str) -> None:
    # session by session, as the round report draws them; several questions wrap to two
    # lines, plus their "n = …" line
    items = ["sf_objectives", "sf_relevance", "sf_exchange", "sf_apply", "sf_organisation"]
    counts = pd.DataFrame([{"session_id": session, "item_id": item, "level": level, "n": n}
                           for session in ("vc1", "vc2", "vc3", "visit") for item in items
                           for level, n in zip([1, 2, 3, 4, 5], [0, 1, 1, 3, 3], strict=True)])
    fig = plots.likert_diverging(counts, ctx_for(lang), choices="agree5", by="session_id")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes:
        labels = ax.get_yticklabels()
        assert len(labels) == len(items) and max(x.get_text().count("\n") + 1 for x in labels) == 3
        boxes = sorted((x.get_window_extent(renderer) for x in labels), key=lambda b: -b.y1)
        assert all(upper.y0 >= lower.y1 for upper, lower in zip(boxes, boxes[1:], strict=False))


def test_likert_bars_are_centred_on_the_neutral_level() -> None:
    counts = pd.DataFrame({"item_id": ["sf_relevance"] * 5, "level": [1, 2, 3, 4, 5], "n": [1, 1, 2, 1, 1]})
    fig = plots.likert_diverging(counts, ctx_for("en"), choices="agree5")
    bars = fig.axes[0].patches
    lefts = sorted(round(b.get_x(), 6) for b in bars)
    # 1/6 + 1/6 disagree + half of 2/6 neutral = 50 % left of zero
    assert lefts[0] == pytest.approx(-50.0)


def test_likert_small_item_is_marked_suppressed() -> None:
    counts = pd.DataFrame({"item_id": ["sf_relevance"] * 5, "level": [1, 2, 3, 4, 5], "n": [0, 0, 0, 1, 1]})
    fig = plots.likert_diverging(counts, ctx_for("fr"), choices="agree5", k=3)
    assert any(x.startswith("masqué") for x in _texts(fig))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_change_dotplot(lang: str) -> None:
    changes = pd.DataFrame({
        "outcome": ["new_knowledge", "enhanced_skill"], "n": [9, 2],
        "median_change": [1.0, float("nan")], "ci_low": [0.5, float("nan")], "ci_high": [1.5, float("nan")],
    })
    fig = plots.change_dotplot(changes, ctx_for(lang))
    ax = fig.axes[0]
    assert ax.get_xlabel() == t("plot.change.xlabel", lang)
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    assert ticks[0].startswith({"en": "New knowledge", "fr": "Nouvelles connaissances"}[lang])
    assert t("common.n_pairs", lang, n=9) in ticks[0]
    assert t("plot.not_estimated", lang) in _texts(fig)
    _check_print_size(fig)


def test_countries_of_a_figure_get_distinct_colours_from_a_fixed_palette() -> None:
    ladder_a = pd.DataFrame({"country": ["SEN", "BFA"], "dimension": ["evidence"] * 2,
                             "before": [1.0, 2.0], "after": [2.0, 3.0]})
    ladder_b = pd.DataFrame({"country": ["TCD", "SEN", "CIV", "MLI"], "dimension": ["evidence"] * 4,
                             "before": [1.0, 2.0, 2.0, 3.0], "after": [2.0, 3.0, 2.0, 3.0]})

    def colour_of(fig: Figure, name: str) -> str:
        for handle, text in zip(fig.legends[0].legend_handles, fig.legends[0].get_texts(), strict=True):
            if text.get_text() == name:
                return handle.get_color()
        raise AssertionError(name)

    fig_b = plots.ladder_slopes(ladder_b, ctx_for("fr"))
    names = {c: ctx_for("fr").labels.country(c, "fr") for c in ("CIV", "MLI", "SEN", "TCD")}
    participants = ["CIV", "MLI", "SEN", "TCD"]  # the figure's countries, in legend order
    colours = [colour_of(fig_b, names[c]) for c in participants]
    assert colours == list(plots.PALETTE[:4])  # the palette in order: no two alike
    assert colour_of(plots.ladder_slopes(ladder_a, ctx_for("en")), "Senegal") == plots.PALETTE[1]
    # drawn without its figure's list, a country keeps the colour of its code
    assert plots.country_style("SEN") == plots.country_style("sen")
    assert plots.country_color("SEN") == plots.country_style("SEN")[0]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_ladder_slopes_labels(lang: str) -> None:
    ladder = pd.DataFrame({"country": ["SEN", "NER"], "group": ["participant", "comparison"],
                           "dimension": ["inclusive", "inclusive"], "before": [1.0, 2.0], "after": [3.0, 2.0]})
    fig = plots.ladder_slopes(ladder, ctx_for(lang))
    ax = fig.axes[0]
    assert [x.get_text() for x in ax.get_xticklabels()] == [t("plot.ladder.before", lang), t("plot.ladder.after", lang)]
    assert ax.get_title(loc="left").replace("\n", " ") == {"en": "Inclusive and participatory",
                                                            "fr": "Inclusive et participative"}[lang]
    assert "Latent" in [x.get_text() for x in ax.get_yticklabels()]
    _check_print_size(fig)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_rf18_lines(lang: str) -> None:
    shares = pd.DataFrame({"year": [2023, 2024, 2023, 2024], "group": ["participant"] * 2 + ["comparison"] * 2,
                           "n_countries": [4, 4, 3, 3], "share": [0.25, 0.75, 0.33, 0.33]})
    fig = plots.rf18_lines(shares, ctx_for(lang), exchange_year=2024)
    ax = fig.axes[0]
    assert ax.get_xlabel() == t("plot.rf18.xlabel", lang)
    assert ax.get_ylabel().replace("\n", " ") == t("plot.rf18.ylabel", lang)
    assert t("plot.rf18.exchange", lang) in _texts(fig)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == [f"{t('group.comparison', lang)} ({t('common.n_eq', lang, n=3)})",
                      f"{t('group.participant', lang)} ({t('common.n_eq', lang, n=4)})"]
    _check_print_size(fig)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_network_drawing_legend_names_countries(lang: str) -> None:
    g = nx.Graph()
    g.add_node("a", country="SEN")
    g.add_node("b", country="CIV")
    g.add_node("c", country="SEN")
    g.add_edge("a", "b", collaboration=2)
    g.add_edge("b", "c", collaboration=1)
    fig = plots.network_drawing(g, ctx_for(lang))
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert len(legend) == 2
    assert {"en": "Senegal", "fr": "Sénégal"}[lang] in legend
    assert fig.legends[0].get_title().get_text() == t("plot.network.legend", lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_participation_tools_and_plan_bars(lang: str) -> None:
    part = pd.DataFrame({"country": ["SEN", "BFA"], "n_invited": [2, 2], "n_attended": [2, 1]})
    fig = plots.participation_bars(part, ctx_for(lang), value_cols=["n_invited", "n_attended"])
    assert fig.axes[0].get_xlabel() == t("plot.participation.xlabel", lang)
    assert [x.get_text() for x in fig.legends[0].get_texts()] == [t("col.n_invited", lang), t("col.n_attended", lang)]

    ratings = pd.DataFrame({"tool": ["guidelines", "toolbox"], "n": [8, 2], "mean": [4.2, float("nan")],
                            "suppressed": [False, True]})
    fig = plots.tool_ratings_bars(ratings, ctx_for(lang))
    assert fig.axes[0].get_xlabel() == t("plot.tools.xlabel", lang)
    assert t("plot.suppressed_bar", lang, k=3) in _texts(fig)

    status = pd.DataFrame({"dimension": ["evidence", "evidence"], "status": ["done", "started"], "n": [3, 1]})
    fig = plots.plan_status_bars(status, ctx_for(lang))
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert legend == [{"en": x, "fr": y}[lang] for x, y in
                      [("Planned", "Prévu"), ("Started", "Commencé"), ("Done", "Réalisé"), ("Dropped", "Abandonné")]]


def test_empty_data_gives_a_figure_saying_so() -> None:
    empty = pd.DataFrame(columns=["outcome", "n", "median_change", "ci_low", "ci_high"])
    fig = plots.change_dotplot(empty, ctx_for("fr"))
    assert t("plot.no_data", "fr") in _texts(fig)


def test_change_dotplot_by_round_has_one_colour_per_round() -> None:
    changes = pd.DataFrame({
        "round_id": ["r1", "r1", "r2", "r2"], "outcome": ["new_knowledge", "enhanced_skill"] * 2,
        "n": [9, 9, 6, 6], "estimate": [1.0, 0.5, 0.5, 0.0],
        "ci_low": [0.5, 0.0, 0.0, -0.5], "ci_high": [1.5, 1.0, 1.0, 0.5],
    })
    fig = plots.change_dotplot(changes, ctx_for("fr"), by="round_id")
    assert [x.get_text() for x in fig.legends[0].get_texts()] == ["r1", "r2"]
    ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert ticks == ["Nouvelles connaissances", "Compétences renforcées"]
    assert t("common.n_eq", "fr", n=6) in _texts(fig)
    _check_print_size(fig)


def test_ladder_comparison_countries_are_one_mean_line() -> None:
    ladder = pd.DataFrame({"country": ["SEN", "MLI", "NER"], "group": ["participant", "comparison", "comparison"],
                           "dimension": ["evidence"] * 3, "before": [1.0, 2.0, 3.0], "after": [3.0, 2.0, 4.0]})
    fig = plots.ladder_slopes(ladder, ctx_for("fr"))
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert legend == ["Sénégal", t("plot.ladder.comparison_mean", "fr", n=2)]
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert len(lines) == 1 and list(lines[0].get_ydata()) == [2.5, 3.0]
