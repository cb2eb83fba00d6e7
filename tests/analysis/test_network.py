"""Network ties: graph construction, Freeman centralization, density, cross-country share,
tie turnover, trust and value — checked against hand counts and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from exchange_eval.analysis.network import (
    NetworkDataError,
    cross_country_share,
    degree_centralization,
    network_metrics,
    tie_graph,
    tie_reports,
    tie_rule,
)
from exchange_eval.analysis.waves import sort_by_wave, wave_order
from exchange_eval.core.config import Config

ORGS = {"A": "SEN", "B": "SEN", "C": "BFA", "D": "CIV", "E": "CIV"}


def _tie(pid, wave, ego, alter, collab, trust=(3, 3, 3), value=(2, 2, 2)):
    return {"pid": pid, "wave": wave, "ego_organisation": ego, "ego_country": ORGS[ego],
            "alter_organisation": alter, "alter_country": ORGS[alter], "alter_pid": None,
            "collaboration": collab,
            "trust_reliability": trust[0], "trust_mission": trust[1], "trust_openness": trust[2],
            "value_influence": value[0], "value_involvement": value[1], "value_resources": value[2]}


@pytest.fixture
def ties() -> pd.DataFrame:
    rows = [
        # pulse-1: A-B (A says 1), A-C (C says 2, A says 0), D named by C with 0, E not named
        _tie("pa", "pulse-1", "A", "B", 1, trust=(4, 4, 4), value=(1, 2, 3)),
        _tie("pa", "pulse-1", "A", "C", 0),
        _tie("pc", "pulse-1", "C", "A", 2, trust=(2, 3, 4), value=(3, 3, 3)),
        _tie("pc", "pulse-1", "C", "D", 0),
        # pulse-2: A-B kept, A-C dropped, C-D new, A-D new, own-organisation report dropped
        _tie("pa", "pulse-2", "A", "B", 2, trust=(4, 4, 4)),
        _tie("pa", "pulse-2", "A", "D", 1, trust=(1, 1, 1)),
        _tie("pa", "pulse-2", "A", "A", 3),
        _tie("pc", "pulse-2", "C", "D", 1, trust=(2, 2, 2)),
        # pulse-3: A-C back (new since previous, not new since first), B-E new
        _tie("pa", "pulse-3", "A", "C", 1),
        _tie("pb", "pulse-3", "B", "E", 3),
        _tie("pa", "pulse-3", "A", "B", 1),
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def participants() -> pd.DataFrame:
    return pd.DataFrame({"pid": ["pa", "pb", "pc", "pe"], "organisation": ["A", "B", "C", "E"],
                         "country": ["SEN", "SEN", "BFA", "CIV"]})


def test_freeman_centralization_star_and_complete():
    assert degree_centralization(nx.star_graph(6)) == 1.0
    assert degree_centralization(nx.complete_graph(6)) == 0.0
    assert degree_centralization(nx.cycle_graph(5)) == 0.0
    # path a-b-c-d: degrees 1,2,2,1 -> (1+0+0+1) / (3*2) = 1/3
    assert degree_centralization(nx.path_graph(4)) == pytest.approx(1 / 3)
    assert np.isnan(degree_centralization(nx.path_graph(2)))


def test_cross_country_share_hand_example():
    g = nx.Graph()
    g.add_nodes_from([("a", {"country": "SEN"}), ("b", {"country": "SEN"}),
                      ("c", {"country": "BFA"}), ("d", {"country": None})])
    g.add_edges_from([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    # c-d has an unknown country: 2 of the 3 known ties cross borders
    assert cross_country_share(g) == pytest.approx(2 / 3)


def test_tie_graph_either_side_reports(ties, participants):
    g = tie_graph(ties, participants, "pulse-1")
    assert sorted(g.nodes) == ["A", "B", "C", "D"]  # D named with 0: still a member node
    assert sorted(tuple(sorted(e)) for e in g.edges) == [("A", "B"), ("A", "C")]
    ac = g.edges["A", "C"]
    assert ac["collaboration"] == 2.0
    # A reported C with collaboration 0 (not a tie report); only C's report counts
    assert ac["trust"] == pytest.approx(3.0) and ac["n_reports"] == 1
    assert ac["cross_country"] is True
    assert g.edges["A", "B"]["cross_country"] is False
    assert g.nodes["D"]["country"] == "CIV"
    # density against networkx and by hand: 2 ties among 4 nodes -> 2 / 6
    assert nx.density(g) == pytest.approx(2 / 6)
    stricter = tie_graph(ties, participants, "pulse-1", min_collaboration=2)
    assert list(stricter.edges) == [("A", "C")]
    roster = tie_graph(ties, participants, "pulse-1", include_roster=True)
    assert "E" in roster.nodes and roster.nodes["E"]["country"] == "CIV"


def test_network_metrics_per_wave(ties, participants):
    out = network_metrics(ties, participants).set_index("wave")
    assert out.index.tolist() == ["pulse-1", "pulse-2", "pulse-3"]
    w1, w2, w3 = out.loc["pulse-1"], out.loc["pulse-2"], out.loc["pulse-3"]
    assert (w1["n_respondents"], w1["n_nodes"], w1["n_ties"]) == (2, 4, 2)
    assert w1["density"] == pytest.approx(2 / 6)
    # degrees A2 B1 C1 D0 -> (0+1+1+2) / (3*2)
    assert w1["centralization"] == pytest.approx(4 / 6)
    assert w1["share_cross_country"] == pytest.approx(1 / 2)
    assert pd.isna(w1["new_ties_since_first"]) and pd.isna(w1["new_ties_since_previous"])
    # pulse-2 ties: A-B, A-D, C-D (A-A dropped); nodes A, B, C, D
    assert (w2["n_nodes"], w2["n_ties"]) == (4, 3)
    assert (w2["new_ties_since_first"], w2["new_ties_since_previous"], w2["lost_ties_since_previous"]) == (2, 2, 1)
    assert w2["share_cross_country"] == pytest.approx(2 / 3)
    # pulse-3 ties: A-C, B-E, A-B; vs first {A-B, A-C}: B-E new; vs previous: A-C, B-E new
    assert (w3["new_ties_since_first"], w3["new_ties_since_previous"], w3["lost_ties_since_previous"]) == (1, 2, 2)
    assert w3["density"] == pytest.approx(nx.density(tie_graph(ties, participants, "pulse-3")))


def test_mean_trust_and_value_over_reported_ties(ties, participants):
    out = network_metrics(ties, participants).set_index("wave")
    # pulse-1 reported ties: A->B trust 4, value 2; C->A trust 3, value 3
    assert out.loc["pulse-1", "mean_trust"] == pytest.approx(3.5)
    assert out.loc["pulse-1", "mean_value"] == pytest.approx(2.5)
    # pulse-2: A->B 4, A->D 1, C->D 2 (A->A excluded)
    assert out.loc["pulse-2", "mean_trust"] == pytest.approx(7 / 3)


def test_ego_organisation_from_participants_and_person_nodes(participants):
    ties = pd.DataFrame({"pid": ["pa", "pb", "pc"], "wave": "pulse-1",
                         "alter_pid": ["pb", "pc", "pe"], "collaboration": [1, 2, 1]})
    orgs = tie_graph(ties, participants, "pulse-1")
    assert sorted(tuple(sorted(e)) for e in orgs.edges) == [("A", "B"), ("B", "C"), ("C", "E")]
    people = tie_graph(ties, participants, "pulse-1", node="person")
    assert sorted(people.nodes) == ["pa", "pb", "pc", "pe"]
    assert people.nodes["pe"]["country"] == "CIV"
    reports = tie_reports(ties, participants)
    assert reports["ego_country"].tolist() == ["SEN", "SEN", "BFA"]


def test_wave_order_and_errors(ties):
    configured = Config().settings["cleaning"]["wave_order"]
    assert wave_order(["pulse-10", "pulse-2", "post", "pre"], configured) == ["pre", "post", "pulse-2", "pulse-10"]
    assert wave_order(["w10", "w2", "post", "pre"], ["pre", "post"], ["w10"]) == ["pre", "post", "w10", "w2"]
    with pytest.raises(NetworkDataError, match="node"):
        tie_graph(ties, None, "pulse-1", node="country")
    with pytest.raises(NetworkDataError, match="collaboration"):
        network_metrics(ties.drop(columns="collaboration"))


def test_one_wave_order_for_tables():
    df = pd.DataFrame({"instrument": ["outcomes", "outcomes", "outcomes", "sf", "sf", "sf"],
                       "wave": ["post", "pre", "retro", "w2", "w1", None]})
    ordered = sort_by_wave(df, ["pre", "retro", "post"], ["w1", "w2"], by=["instrument"])
    assert ordered["wave"].tolist()[:5] == ["pre", "retro", "post", "w1", "w2"]
    assert pd.isna(ordered["wave"].iloc[5])  # no wave: last of its group


def test_density_states_its_tie_rule(ties, participants):
    rule = tie_rule()
    assert (rule["directed"], rule["min_collaboration"], rule["denominator"]) == (False, 1.0, "n(n-1)/2")
    metrics = network_metrics(ties, participants)
    n = metrics["n_nodes"]
    assert (metrics["n_possible_ties"] == n * (n - 1) // 2).all()
    assert metrics["density"].tolist() == pytest.approx((metrics["n_ties"] / metrics["n_possible_ties"]).tolist())
    with pytest.raises(NetworkDataError, match="node"):
        tie_rule(node="country")
