"""Improvement-plan actions (Kirkpatrick level 3, behaviour).

Each country leaves the exchange with an improvement plan; each action is followed up
several times (``followup-1``, ``followup-2``, …) and carries a status per follow-up:
planned, started, done or dropped (``choices.yaml`` ``plan_status``). These functions
count statuses and completion from the canonical ``plan_actions`` table
(``tables.TABLES["plan_actions"]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from . import AnalysisError

__all__ = [
    "PlanDataError",
    "plan_statuses",
    "followup_order",
    "plan_status",
    "completion_rate",
    "plan_summary",
    "status_by_followup",
    "plans_results",
]


class PlanDataError(AnalysisError):
    """The plan-actions table lacks a column or holds a status that is not configured."""


def plan_statuses(choice_lists: Mapping[str, Sequence[Mapping]]) -> list[str]:
    """The configured action statuses, in order (``choices.yaml`` ``plan_status``).

    >>> plan_statuses({"plan_status": [{"value": "planned"}, {"value": "done"}]})
    ['planned', 'done']
    """
    return [str(level["value"]) for level in choice_lists["plan_status"]]


def followup_order(followups: Sequence[str]) -> list[str]:
    """Sort follow-up labels by their number (``followup-2`` before ``followup-10``)."""

    def key(label: str) -> tuple[int, str]:
        match = re.search(r"(\d+)\s*$", str(label))
        return (int(match.group(1)) if match else 10**9, str(label))

    return sorted({str(f) for f in followups}, key=key)


def _check(plan_actions: pd.DataFrame, statuses: Sequence[str], needed: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in needed if c not in plan_actions.columns]
    if missing:
        raise PlanDataError(f"plan_actions lacks the column(s) {', '.join(missing)}")
    df = plan_actions.loc[plan_actions["status"].notna()].copy()
    df["status"] = df["status"].astype(str).str.strip().str.lower()
    unknown = sorted(set(df["status"]) - set(statuses))
    if unknown:
        raise PlanDataError(
            f"unknown plan status(es) {', '.join(unknown)}; expected one of {', '.join(statuses)}"
        )
    return df


def plan_status(plan_actions: pd.DataFrame, *, statuses: Sequence[str]) -> pd.DataFrame:
    """Count actions by country, dimension, follow-up and status, zeros included.

    Parameters
    ----------
    plan_actions : pandas.DataFrame
        Canonical ``plan_actions`` table (country, action_id, dimension, followup, status).
    statuses : sequence of str
        Status levels in order (`plan_statuses`: planned, started, done, dropped).

    Returns
    -------
    pandas.DataFrame
        One row per country × dimension × follow-up × status, every status present even
        when no action has it: ``country, dimension, followup, status, n, pct`` where
        ``pct`` is the share (0–1) of the actions of that country, dimension and follow-up.
        Actions without a status at a follow-up are not counted.

    Notes
    -----
    The grid is every (country, dimension) pair seen in the table × every follow-up seen
    × every status, so that a country whose actions were not reported at a follow-up shows
    zeros (and ``pct`` missing) rather than disappearing.

    Examples
    --------
    >>> import pandas as pd
    >>> pa = pd.DataFrame({"country": ["SEN", "SEN"], "action_id": ["a1", "a2"],
    ...                    "dimension": ["evidence"] * 2, "followup": ["followup-1"] * 2,
    ...                    "status": ["done", "started"]})
    >>> statuses = ["planned", "started", "done", "dropped"]
    >>> plan_status(pa, statuses=statuses)[["status", "n", "pct"]].to_string(index=False)
    ' status  n  pct\\nplanned  0  0.0\\nstarted  1  0.5\\n   done  1  0.5\\ndropped  0  0.0'
    """
    levels = list(statuses)
    df = _check(plan_actions, levels, ["country", "dimension", "followup", "status"])
    pairs = plan_actions[["country", "dimension"]].dropna().drop_duplicates()
    followups = followup_order(plan_actions["followup"].dropna())
    columns = ["country", "dimension", "followup", "status", "n", "pct"]
    if pairs.empty or not followups:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "pct" else "object") for c in columns})
    grid = pairs.merge(pd.DataFrame({"followup": followups}), how="cross").merge(
        pd.DataFrame({"status": levels}), how="cross"
    )
    counts = df.groupby(["country", "dimension", "followup", "status"]).size().rename("n").reset_index()
    out = grid.merge(counts, how="left", on=["country", "dimension", "followup", "status"])
    out["n"] = out["n"].fillna(0).astype("int64")
    total = out.groupby(["country", "dimension", "followup"])["n"].transform("sum")
    out["pct"] = (out["n"] / total.where(total > 0)).astype("float64")
    out["followup"] = pd.Categorical(out["followup"], categories=followups, ordered=True)
    out["status"] = pd.Categorical(out["status"], categories=levels, ordered=True)
    out = out.sort_values(["country", "dimension", "followup", "status"]).reset_index(drop=True)
    out["followup"] = out["followup"].astype(str)
    out["status"] = out["status"].astype(str)
    return out[columns]


def completion_rate(
    plan_actions: pd.DataFrame,
    by: Sequence[str] = ("country",),
    *,
    statuses: Sequence[str],
) -> pd.DataFrame:
    """Share of actions done, and started or done, per group and follow-up.

    Parameters
    ----------
    plan_actions : pandas.DataFrame
        Canonical ``plan_actions`` table.
    by : sequence of str, default ("country",)
        Grouping columns (e.g. ``("country",)``, ``("dimension",)``, ``()`` for all).
    statuses : sequence of str
        Configured statuses (`plan_statuses`).

    Returns
    -------
    pandas.DataFrame
        ``*by, followup, n_actions, n_done, n_started, n_dropped, share_done,
        share_started_or_done`` — shares are over actions with a status at that follow-up
        (dropped actions stay in the denominator).

    Notes
    -----
    share_done = n_done / n_actions; share_started_or_done = (n_started + n_done) / n_actions.

    Examples
    --------
    >>> import pandas as pd
    >>> pa = pd.DataFrame({"country": ["SEN"] * 4, "action_id": list("abcd"),
    ...                    "dimension": ["evidence"] * 4, "followup": ["followup-1"] * 4,
    ...                    "status": ["done", "started", "planned", "dropped"]})
    >>> statuses = ["planned", "started", "done", "dropped"]
    >>> rates = completion_rate(pa, statuses=statuses)
    >>> print(rates[["n_actions", "share_done", "share_started_or_done"]].to_string(index=False))
     n_actions  share_done  share_started_or_done
             4        0.25                    0.5
    """
    levels = list(statuses)
    keys = [*by, "followup"]
    df = _check(plan_actions, levels, [*keys, "status"])
    columns = [*keys, "n_actions", "n_done", "n_started", "n_dropped", "share_done", "share_started_or_done"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    df = df.assign(
        _done=df["status"].eq("done"),
        _started=df["status"].eq("started"),
        _dropped=df["status"].eq("dropped"),
    )
    out = (
        df.groupby(keys, dropna=False)
        .agg(
            n_actions=("status", "size"),
            n_done=("_done", "sum"),
            n_started=("_started", "sum"),
            n_dropped=("_dropped", "sum"),
        )
        .reset_index()
    )
    for col in ("n_actions", "n_done", "n_started", "n_dropped"):
        out[col] = out[col].astype("int64")
    out["share_done"] = out["n_done"] / out["n_actions"]
    out["share_started_or_done"] = (out["n_done"] + out["n_started"]) / out["n_actions"]
    order = {f: i for i, f in enumerate(followup_order(out["followup"]))}
    out = out.sort_values([*by, "followup"], key=lambda s: s.map(order) if s.name == "followup" else s)
    return out.reset_index(drop=True)[columns]


def plan_summary(plan_actions: pd.DataFrame, *, statuses: Sequence[str]) -> pd.DataFrame:
    """Per JSR dimension: how many actions, in how many countries, and how far they got.

    Each action counts once, with its status at the latest follow-up at which it was
    reported (an action reported done at follow-up 1 and not reported since stays done).

    Parameters
    ----------
    plan_actions : pandas.DataFrame
        Canonical ``plan_actions`` table.
    statuses : sequence of str
        Configured statuses (`plan_statuses`).

    Returns
    -------
    pandas.DataFrame
        ``dimension, n_countries, n_actions, n_<status>`` for every status,
        ``share_done, share_started_or_done, latest_followup`` (the latest follow-up seen
        for that dimension).

    Examples
    --------
    >>> import pandas as pd
    >>> pa = pd.DataFrame({"country": ["SEN", "SEN", "BFA"], "action_id": ["a1", "a1", "b1"],
    ...                    "dimension": ["evidence"] * 3,
    ...                    "followup": ["followup-1", "followup-2", "followup-1"],
    ...                    "status": ["started", "done", "planned"]})
    >>> summary = plan_summary(pa, statuses=["planned", "started", "done", "dropped"])
    >>> print(summary[["n_countries", "n_actions", "n_done", "share_done"]].to_string(index=False))
     n_countries  n_actions  n_done  share_done
               2          2       1         0.5
    """
    levels = list(statuses)
    df = _check(plan_actions, levels, ["country", "action_id", "dimension", "followup", "status"])
    count_cols = [f"n_{s}" for s in levels]
    columns = ["dimension", "n_countries", "n_actions", *count_cols, "share_done",
               "share_started_or_done", "latest_followup"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    order = {f: i for i, f in enumerate(followup_order(df["followup"]))}
    df["_rank"] = df["followup"].astype(str).map(order)
    latest = df.sort_values("_rank").groupby(["country", "action_id"], as_index=False).tail(1)
    rows = []
    for dimension, grp in latest.groupby("dimension", sort=True):
        counts = grp["status"].value_counts()
        n = len(grp)
        row = {"dimension": dimension, "n_countries": grp["country"].nunique(), "n_actions": n}
        row.update({f"n_{s}": int(counts.get(s, 0)) for s in levels})
        row["share_done"] = counts.get("done", 0) / n
        row["share_started_or_done"] = (counts.get("done", 0) + counts.get("started", 0)) / n
        row["latest_followup"] = grp.loc[grp["_rank"].idxmax(), "followup"]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def status_by_followup(plan_actions: pd.DataFrame, *, statuses: Sequence[str]) -> pd.DataFrame:
    """Actions by status at each follow-up (every country and dimension together).

    Returns
    -------
    pandas.DataFrame
        ``followup, n_actions, n_<status>`` for every configured status, follow-ups in
        order; ``n_actions`` counts the actions with a status at that follow-up.

    Examples
    --------
    >>> import pandas as pd
    >>> pa = pd.DataFrame({"country": "SEN", "action_id": ["a", "a", "b", "b"], "dimension": "evidence",
    ...                    "followup": ["followup-1", "followup-2"] * 2,
    ...                    "status": ["started", "done", "planned", "dropped"]})
    >>> status_by_followup(pa, statuses=["planned", "started", "done", "dropped"]).values.tolist()
    [['followup-1', 2, 1, 1, 0, 0], ['followup-2', 2, 0, 0, 1, 1]]
    """
    levels = list(statuses)
    df = _check(plan_actions, levels, ["country", "action_id", "followup", "status"])
    columns = ["followup", "n_actions", *[f"n_{s}" for s in levels]]
    if df.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for followup in followup_order(df["followup"].dropna().unique()):
        sub = df[df["followup"] == followup].drop_duplicates(["country", "action_id"], keep="last")
        counts = sub["status"].value_counts()
        rows.append({"followup": followup, "n_actions": len(sub), **{f"n_{s}": int(counts.get(s, 0)) for s in levels}})
    return pd.DataFrame(rows, columns=columns)


def plans_results(plan_actions: pd.DataFrame, *, statuses: Sequence[str]) -> dict[str, Any]:
    """The behaviour (L3) results of a round at its latest follow-up.

    Returns
    -------
    dict
        ``{}`` when no action has a status; otherwise ``followup`` (the latest),
        ``status`` (actions per dimension and status at that follow-up), ``completion``
        (`completion_rate` by country at that follow-up), ``done`` and ``total`` (actions
        done, and actions with a status, over all countries), ``by_followup``
        (`status_by_followup`, every follow-up) and ``dropped`` (actions dropped by the
        latest follow-up).
    """
    if plan_actions is None or plan_actions.empty or plan_actions["status"].dropna().empty:
        return {}
    status = plan_status(plan_actions, statuses=statuses)
    latest = followup_order(status["followup"].dropna().unique())[-1]
    status_latest = status[status["followup"] == latest].groupby(["dimension", "status"], as_index=False)["n"].sum()
    completion = completion_rate(plan_actions, statuses=statuses)
    completion = completion[completion["followup"] == latest]
    overall = completion_rate(plan_actions, by=(), statuses=statuses)
    overall = overall[overall["followup"] == latest]
    done = int(overall["n_done"].sum()) if not overall.empty else 0
    total = int(overall["n_actions"].sum()) if not overall.empty else 0
    by_followup = status_by_followup(plan_actions, statuses=statuses)
    dropped = int(by_followup["n_dropped"].iloc[-1]) if "n_dropped" in by_followup and len(by_followup) else 0
    return {"status": status_latest, "completion": completion, "done": done, "total": total, "followup": latest,
            "by_followup": by_followup, "dropped": dropped}
