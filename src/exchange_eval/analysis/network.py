"""Network ties of a learning network (PARTNER-style), per pulse-survey wave.

Each respondent (ego) reports, for other member organisations or people (alters), the
kind of collaboration (``collaboration``: 0 none, 1 information sharing, 2 joint
activity, 3 formal partnership), trust (``trust_reliability``, ``trust_mission``,
``trust_openness``) and value (``value_influence``, ``value_involvement``,
``value_resources``), each 1–4 (``tables.TABLES["ties"]``).

Nodes are organisations (the ego is the respondent's organisation) or people. The graph
is undirected: a tie exists when either side reports collaboration of at least
``min_collaboration``. An organisation that nobody from it answered for is still a node
when someone names it (it was on the grid), so non-response shrinks the number of ties
seen but not the set of members.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from . import AnalysisError
from .waves import wave_order

__all__ = [
    "NetworkDataError",
    "TRUST_ITEMS",
    "VALUE_ITEMS",
    "tie_reports",
    "tie_graph",
    "degree_centralization",
    "cross_country_share",
    "tie_rule",
    "network_metrics",
    "tie_change",
    "organisation_response",
    "network_results",
]

TRUST_ITEMS = ("trust_reliability", "trust_mission", "trust_openness")
VALUE_ITEMS = ("value_influence", "value_involvement", "value_resources")
NODE_KINDS = ("organisation", "person")


class NetworkDataError(AnalysisError):
    """The ties or participants table cannot be turned into a network."""


def _first_known(s: pd.Series) -> object:
    s = s.dropna()
    return s.iloc[0] if len(s) else pd.NA


def tie_reports(
    ties: pd.DataFrame, participants: pd.DataFrame | None = None, *, node: str = "organisation"
) -> pd.DataFrame:
    """One row per reported ego → alter pair, with nodes resolved and trust/value averaged.

    Parameters
    ----------
    ties : pandas.DataFrame
        Canonical ``ties`` table.
    participants : pandas.DataFrame, optional
        Canonical ``participants`` table (pid → organisation, country), used to fill the
        ego's and a named person's organisation and country.
    node : {"organisation", "person"}
        What a node is.

    Returns
    -------
    pandas.DataFrame
        ``wave, pid, ego, alter, ego_country, alter_country, collaboration, trust,
        value`` where ``trust`` (``value``) is the mean of the three trust (value) items
        the respondent answered for that alter. Reports of a respondent about their own
        organisation (or themselves) and reports without an alter are dropped.
    """
    if node not in NODE_KINDS:
        raise NetworkDataError(f"node must be one of {', '.join(NODE_KINDS)}, not {node!r}")
    missing = [c for c in ("pid", "wave", "collaboration") if c not in ties.columns]
    if missing:
        raise NetworkDataError(f"ties lacks the column(s) {', '.join(missing)}")
    df = ties.copy()
    for col in ("ego_organisation", "ego_country", "alter_organisation", "alter_pid", "alter_country"):
        if col not in df.columns:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="object")
    for col in ("collaboration", *TRUST_ITEMS, *VALUE_ITEMS):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df.columns else np.nan
        df[col] = df[col].astype("float64")
    org_of: dict = {}
    country_of: dict = {}
    if participants is not None and len(participants):
        people = participants.dropna(subset=["pid"]).drop_duplicates("pid", keep="last").set_index("pid")
        if "organisation" in people.columns:
            org_of = people["organisation"].dropna().to_dict()
        if "country" in people.columns:
            country_of = people["country"].dropna().to_dict()
    df["ego_organisation"] = df["ego_organisation"].fillna(df["pid"].map(org_of))
    df["alter_organisation"] = df["alter_organisation"].fillna(df["alter_pid"].map(org_of))
    df["ego_country"] = df["ego_country"].fillna(df["pid"].map(country_of))
    df["alter_country"] = df["alter_country"].fillna(df["alter_pid"].map(country_of))
    if node == "organisation":
        df["ego"], df["alter"] = df["ego_organisation"], df["alter_organisation"]
        # an organisation's country, from anyone who reported it (as ego or as alter)
        known = pd.concat([
            df[["ego", "ego_country"]].set_axis(["org", "country"], axis=1),
            df[["alter", "alter_country"]].set_axis(["org", "country"], axis=1),
        ]).dropna()
        org_country = known.groupby("org")["country"].agg(_first_known).to_dict()
        df["ego_country"] = df["ego_country"].fillna(df["ego"].map(org_country))
        df["alter_country"] = df["alter_country"].fillna(df["alter"].map(org_country))
    else:
        df["ego"], df["alter"] = df["pid"], df["alter_pid"]
    df = df.loc[df["ego"].notna() & df["alter"].notna()]
    df = df.loc[df["ego"].astype(str) != df["alter"].astype(str)].copy()
    with np.errstate(all="ignore"):
        df["trust"] = df[list(TRUST_ITEMS)].mean(axis=1, skipna=True)
        df["value"] = df[list(VALUE_ITEMS)].mean(axis=1, skipna=True)
    df["wave"] = df["wave"].astype(str)
    for col in ("ego", "alter"):
        df[col] = df[col].astype(str)
    columns = ["wave", "pid", "ego", "alter", "ego_country", "alter_country", "collaboration", "trust", "value"]
    return df[columns].reset_index(drop=True)


def _graph_from_reports(
    reports: pd.DataFrame, min_collaboration: float, roster: dict[str, object] | None = None
) -> nx.Graph:
    graph = nx.Graph()
    countries: dict[str, object] = dict(roster or {})
    for name, country in [*zip(reports["ego"], reports["ego_country"], strict=True),
                          *zip(reports["alter"], reports["alter_country"], strict=True)]:
        if name not in countries or (pd.isna(countries[name]) and pd.notna(country)):
            countries[name] = country
    for name, country in countries.items():
        graph.add_node(name, country=None if pd.isna(country) else country)
    tied = reports.loc[reports["collaboration"] >= min_collaboration]
    if len(tied):
        pair = [tuple(sorted(p)) for p in zip(tied["ego"], tied["alter"], strict=True)]
        tied = tied.assign(u=[p[0] for p in pair], v=[p[1] for p in pair])
        edges = tied.groupby(["u", "v"]).agg(
            collaboration=("collaboration", "max"),
            trust=("trust", "mean"),
            value=("value", "mean"),
            n_reports=("collaboration", "size"),
        )
        for (u, v), row in edges.iterrows():
            cu, cv = graph.nodes[u]["country"], graph.nodes[v]["country"]
            graph.add_edge(
                u, v,
                collaboration=float(row["collaboration"]),
                trust=float(row["trust"]) if pd.notna(row["trust"]) else None,
                value=float(row["value"]) if pd.notna(row["value"]) else None,
                n_reports=int(row["n_reports"]),
                cross_country=None if cu is None or cv is None else cu != cv,
            )
    return graph


def _roster(participants: pd.DataFrame | None, node: str) -> dict[str, object]:
    if participants is None or not len(participants):
        return {}
    key = "organisation" if node == "organisation" else "pid"
    if key not in participants.columns:
        return {}
    people = participants.dropna(subset=[key])
    country = people["country"] if "country" in people.columns else pd.Series(pd.NA, index=people.index)
    return people.assign(_c=country).groupby(key)["_c"].agg(_first_known).to_dict()


def tie_graph(
    ties: pd.DataFrame,
    participants: pd.DataFrame | None,
    wave: str,
    *,
    node: str = "organisation",
    min_collaboration: float = 1,
    include_roster: bool = False,
) -> nx.Graph:
    """The undirected network of one wave.

    Parameters
    ----------
    ties, participants : pandas.DataFrame
        Canonical ``ties`` and ``participants`` tables.
    wave : str
        The wave (e.g. ``"pulse-1"``).
    node : {"organisation", "person"}
        Nodes are organisations (ego = the respondent's organisation) or people.
    min_collaboration : float, default 1
        A tie exists when either side reports collaboration ≥ this (1 = information
        sharing).
    include_roster : bool, default False
        Also add every organisation (person) of ``participants`` as a node, even when no
        one reported on it in this wave. By default the nodes are the respondents and
        everyone they were asked about.

    Returns
    -------
    networkx.Graph
        Node attribute ``country``; edge attributes ``collaboration`` (the highest
        reported), ``trust`` and ``value`` (mean over the reports of that tie),
        ``n_reports`` and ``cross_country`` (None when a country is unknown).

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"pid": ["p1", "p1", "p2"], "wave": "pulse-1",
    ...     "ego_organisation": ["A", "A", "B"], "ego_country": ["SEN", "SEN", "BFA"],
    ...     "alter_organisation": ["B", "C", "A"], "alter_country": ["BFA", "SEN", "SEN"],
    ...     "collaboration": [2, 0, 1]})
    >>> g = tie_graph(ties, None, "pulse-1")
    >>> sorted(g.nodes), list(g.edges)
    (['A', 'B', 'C'], [('A', 'B')])
    """
    reports = tie_reports(ties, participants, node=node)
    reports = reports.loc[reports["wave"] == str(wave)]
    roster = _roster(participants, node) if include_roster else None
    return _graph_from_reports(reports, min_collaboration, roster)


def degree_centralization(graph: nx.Graph) -> float:
    """Freeman's degree centralization of an undirected graph.

    Notes
    -----
    C_D = Σ_i (d_max − d_i) / ((n − 1)(n − 2)): 1 for a star, 0 for a complete (or any
    regular) graph; undefined (NaN) below three nodes.

    References
    ----------
    .. [1] Freeman, L. C. (1978). Centrality in social networks: conceptual
       clarification. *Social Networks*, 1(3), 215–239.

    Examples
    --------
    >>> import networkx as nx
    >>> degree_centralization(nx.star_graph(4)), degree_centralization(nx.complete_graph(5))
    (1.0, 0.0)
    """
    n = graph.number_of_nodes()
    if n < 3:
        return float("nan")
    degrees = np.array([d for _, d in graph.degree()], dtype=float)
    return float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2)))


def cross_country_share(graph: nx.Graph) -> float:
    """Share of ties between nodes of different countries, among ties whose two
    countries are known (NaN when there are none).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("a", {"country": "SEN"}), ("b", {"country": "SEN"}),
    ...                   ("c", {"country": "BFA"})])
    >>> g.add_edges_from([("a", "b"), ("a", "c"), ("b", "c")])
    >>> round(cross_country_share(g), 4)
    0.6667
    """
    known = []
    for u, v in graph.edges():
        cu, cv = graph.nodes[u].get("country"), graph.nodes[v].get("country")
        if cu is not None and cv is not None and not (pd.isna(cu) or pd.isna(cv)):
            known.append(cu != cv)
    return float(np.mean(known)) if known else float("nan")


def tie_rule(*, node: str = "organisation", min_collaboration: float = 1, include_roster: bool = False) -> dict:
    """The rule that makes a tie and the denominator of density, as data a report can print.

    Returns
    -------
    dict
        ``directed`` (False: a tie between A and B exists when A reports B or B reports A,
        so non-response of one side does not remove a tie the other side reports),
        ``node`` (organisation or person), ``min_collaboration`` (the lowest collaboration
        level that counts: 1 information sharing, 2 joint activity, 3 formal
        partnership), ``nodes`` (``"named_or_answering"``: the respondents and everyone
        they were asked about; ``"roster"`` with ``include_roster``) and ``denominator``
        (``"n(n-1)/2"``: every unordered pair of those nodes).

    >>> tie_rule()["directed"], tie_rule()["denominator"]
    (False, 'n(n-1)/2')
    """
    if node not in NODE_KINDS:
        raise NetworkDataError(f"node must be one of {', '.join(NODE_KINDS)}, not {node!r}")
    return {"directed": False, "node": node, "min_collaboration": float(min_collaboration),
            "nodes": "roster" if include_roster else "named_or_answering", "denominator": "n(n-1)/2"}


def _edge_set(graph: nx.Graph) -> set[frozenset]:
    return {frozenset(e) for e in graph.edges()}


def network_metrics(
    ties: pd.DataFrame,
    participants: pd.DataFrame | None = None,
    *,
    node: str = "organisation",
    min_collaboration: float = 1,
    include_roster: bool = False,
    waves: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Size, density, centralization, cross-country reach, tie turnover, trust and value
    of the network at each wave.

    Parameters
    ----------
    ties, participants : pandas.DataFrame
        Canonical ``ties`` and ``participants`` tables.
    node, min_collaboration, include_roster
        As in :func:`tie_graph`.
    waves : sequence of str, optional
        Waves in order (a report passes them in the configured order,
        `waves.wave_order`); default every wave of ``ties`` by its trailing number.

    Returns
    -------
    pandas.DataFrame
        One row per wave: ``wave, n_respondents, n_nodes, n_ties, n_possible_ties,
        density, centralization, share_cross_country, new_ties_since_first,
        new_ties_since_previous, lost_ties_since_previous, mean_trust, mean_value``.
        Tie-turnover columns are missing for the first wave. ``mean_trust`` is the mean
        over reported ties (collaboration ≥ ``min_collaboration``) of each report's mean
        of the three trust items; ``mean_value`` likewise.

    Notes
    -----
    The tie rule (`tie_rule`): undirected, a tie between two nodes when either reports
    collaboration ≥ ``min_collaboration`` (default 1, information sharing or more);
    ``n_possible_ties`` = n(n − 1)/2 over the n nodes (respondents and everyone they were
    asked about, or the roster); density = n_ties / n_possible_ties (``networkx.density``
    of the undirected graph). A directed reading (ordered pairs, n(n − 1)) would count
    a mutual report twice and an unanswered side as no tie. Centralization is Freeman's
    degree centralization (:func:`degree_centralization`). A tie is "new since the first
    wave" when its pair of nodes is tied now and was not tied at the first wave. Node
    sets may differ between waves (people join, organisations are added to the grid),
    which raises new-tie counts; compare ``n_nodes`` before reading them.

    References
    ----------
    .. [1] Varda, D. M., Chandra, A., Stern, S. A., & Lurie, N. (2008). Core dimensions
       of connectivity in public health collaboratives. *Journal of Public Health
       Management and Practice*, 14(5), E1–E7 (PARTNER tool).
    .. [2] Wasserman, S., & Faust, K. (1994). *Social Network Analysis*, ch. 4–5.
       Cambridge University Press.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"pid": ["p1", "p1", "p1", "p1"],
    ...     "wave": ["pulse-1", "pulse-1", "pulse-2", "pulse-2"],
    ...     "ego_organisation": "A", "ego_country": "SEN",
    ...     "alter_organisation": ["B", "C", "B", "C"], "alter_country": ["SEN", "BFA"] * 2,
    ...     "collaboration": [1, 0, 1, 2]})
    >>> network_metrics(ties)[["wave", "n_nodes", "n_ties", "new_ties_since_first"]].values.tolist()
    [['pulse-1', 3, 1, <NA>], ['pulse-2', 3, 2, 1]]
    """
    reports = tie_reports(ties, participants, node=node)
    ordered = list(waves) if waves is not None else wave_order(ties["wave"])
    roster = _roster(participants, node) if include_roster else None
    rows = []
    first_edges: set[frozenset] | None = None
    previous: set[frozenset] | None = None
    for wave in ordered:
        wave_reports = reports.loc[reports["wave"] == str(wave)]
        graph = _graph_from_reports(wave_reports, min_collaboration, roster)
        edges = _edge_set(graph)
        reported = wave_reports.loc[wave_reports["collaboration"] >= min_collaboration]
        n_nodes = graph.number_of_nodes()
        rows.append({
            "wave": str(wave),
            "n_respondents": int(ties.loc[ties["wave"].astype(str) == str(wave), "pid"].nunique()),
            "n_nodes": n_nodes,
            "n_ties": graph.number_of_edges(),
            "n_possible_ties": n_nodes * (n_nodes - 1) // 2,
            "density": nx.density(graph) if n_nodes > 1 else float("nan"),
            "centralization": degree_centralization(graph),
            "share_cross_country": cross_country_share(graph),
            "new_ties_since_first": pd.NA if first_edges is None else len(edges - first_edges),
            "new_ties_since_previous": pd.NA if previous is None else len(edges - previous),
            "lost_ties_since_previous": pd.NA if previous is None else len(previous - edges),
            "mean_trust": float(reported["trust"].mean()) if reported["trust"].notna().any() else float("nan"),
            "mean_value": float(reported["value"].mean()) if reported["value"].notna().any() else float("nan"),
        })
        if first_edges is None:
            first_edges = edges
        previous = edges
    out = pd.DataFrame(rows, columns=[
        "wave", "n_respondents", "n_nodes", "n_ties", "n_possible_ties", "density", "centralization",
        "share_cross_country", "new_ties_since_first", "new_ties_since_previous",
        "lost_ties_since_previous", "mean_trust", "mean_value"])
    for col in ("new_ties_since_first", "new_ties_since_previous", "lost_ties_since_previous"):
        out[col] = out[col].astype("Int64")
    return out


def tie_change(
    ties: pd.DataFrame, participants: pd.DataFrame | None, first: str, last: str, *, min_collaboration: float = 1
) -> dict[str, object]:
    """How the ties between member organisations changed from wave ``first`` to ``last``.

    Both waves are drawn over the same nodes, every organisation of the roster and every
    one named in either wave, so that the change of density is a change of ties, not of
    members.

    Returns
    -------
    dict
        ``n_nodes``, ``n_pairs`` (n(n − 1)/2), ``ties_first``, ``ties_last``, ``gained``
        (pairs tied at ``last`` and not at ``first``), ``lost``, ``density_first``,
        ``density_last`` (ties / n_pairs).

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"pid": ["p1", "p1", "p1"], "wave": ["pulse-1", "pulse-2", "pulse-2"],
    ...     "ego_organisation": "A", "ego_country": "SEN", "alter_organisation": ["B", "B", "C"],
    ...     "alter_country": "BFA", "collaboration": [1, 1, 2]})
    >>> c = tie_change(ties, None, "pulse-1", "pulse-2")
    >>> c["n_pairs"], c["gained"], c["lost"], round(c["density_last"], 3)
    (3, 1, 0, 0.667)
    """
    reports = tie_reports(ties, participants, node="organisation")
    roster = _roster(participants, "organisation")
    both = reports.loc[reports["wave"].isin([str(first), str(last)])]
    nodes = set(_graph_from_reports(both.assign(collaboration=-np.inf), min_collaboration, roster).nodes)
    edges = {}
    for wave in (first, last):
        graph = _graph_from_reports(reports.loc[reports["wave"] == str(wave)], min_collaboration, roster)
        edges[wave] = _edge_set(graph)
    n_pairs = len(nodes) * (len(nodes) - 1) // 2
    return {"n_nodes": len(nodes), "n_pairs": n_pairs, "ties_first": len(edges[first]), "ties_last": len(edges[last]),
            "gained": len(edges[last] - edges[first]), "lost": len(edges[first] - edges[last]),
            "density_first": len(edges[first]) / n_pairs if n_pairs else float("nan"),
            "density_last": len(edges[last]) / n_pairs if n_pairs else float("nan")}


def organisation_response(ties: pd.DataFrame, participants: pd.DataFrame | None,
                          waves: Sequence[str]) -> pd.DataFrame:
    """Member organisations that answered the tie grid at each wave.

    Returns
    -------
    pandas.DataFrame
        ``wave, n_members`` (organisations of the roster, or every organisation seen
        without one), ``n_responding`` (organisations with at least one respondent),
        ``non_responding`` (their names, sorted, ``; ``-separated).

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"pid": ["p1"], "wave": ["pulse-1"], "ego_organisation": ["A"],
    ...     "ego_country": ["SEN"], "alter_organisation": ["B"], "alter_country": ["BFA"],
    ...     "collaboration": [1]})
    >>> organisation_response(ties, None, ["pulse-1"]).values.tolist()
    [['pulse-1', 2, 1, 'B']]
    """
    reports = tie_reports(ties, participants, node="organisation")
    members = set(_roster(participants, "organisation")) or set(reports["ego"]) | set(reports["alter"])
    rows = []
    for wave in waves:
        answering = set(reports.loc[reports["wave"] == str(wave), "ego"])
        missing = sorted(str(m) for m in members - answering)
        rows.append({"wave": str(wave), "n_members": len(members), "n_responding": len(members & answering),
                     "non_responding": "; ".join(missing)})
    return pd.DataFrame(rows, columns=["wave", "n_members", "n_responding", "non_responding"])


def network_results(
    ties: pd.DataFrame, participants: pd.DataFrame | None, *, configured_waves: Sequence[str] = ()
) -> dict:
    """The network of a round: metrics per wave and the graph of the latest wave.

    Parameters
    ----------
    ties, participants : pandas.DataFrame
        Canonical ``ties`` and ``participants`` tables.
    configured_waves : sequence of str
        The configured wave order (``settings.yaml`` ``cleaning.wave_order``).

    Returns
    -------
    dict
        ``{}`` without ties; otherwise ``waves`` (in survey order), ``metrics``
        (`network_metrics`), ``latest`` (`tie_graph` of the last wave), ``tie_rule``
        (`tie_rule`: what the density counts), ``response`` (`organisation_response`)
        and, with two waves or more, ``change`` (`tie_change` from the first to the last
        wave).
    """
    if ties is None or ties.empty:
        return {}
    waves = wave_order(ties["wave"], configured_waves)
    res = {
        "waves": waves,
        "metrics": network_metrics(ties, participants, waves=waves),
        "latest": tie_graph(ties, participants, waves[-1]),
        "tie_rule": tie_rule(),
        "response": organisation_response(ties, participants, waves),
    }
    if len(waves) >= 2:
        res["change"] = tie_change(ties, participants, waves[0], waves[-1])
    return res
