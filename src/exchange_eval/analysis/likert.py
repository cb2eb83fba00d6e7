"""Likert items: full distributions and robust summaries.

Every level of the scale is shown, including levels nobody chose — an empty "Strongly
disagree" bar is a finding, and diverging bar charts need the full set. Percentages are
over the non-missing answers to the item; the number of answers (``n_item``) sits next to
them, and any breakdown by a group goes through small-cell suppression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import AnalysisError
from .participation import answer_grid
from .suppress import complementary_suppression

__all__ = ["likert_counts", "likert_summary", "item_scales", "scale_levels"]

Scale = Sequence[Mapping]


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else ([by] if isinstance(by, str) else list(by))


def _respondent_counts(answered: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Distinct people behind the answers of each group (answers may repeat per session)."""
    who = answered["pid"] if "pid" in answered.columns else pd.Series(answered.index)
    return (
        answered.assign(_who=who.to_numpy())
        .groupby(keys, dropna=False)["_who"]
        .nunique()
        .rename("n_respondents")
        .reset_index()
    )


def _level_values(choices: Scale, where: str = "") -> list[float]:
    if not choices:
        raise AnalysisError(f"the scale{where} has no levels.")
    try:
        return [float(c["value"]) for c in choices]
    except (KeyError, TypeError, ValueError):
        raise AnalysisError(
            f"the scale{where} is not numeric (levels must carry numeric `value` codes)."
        ) from None


def _label(choice: Mapping, lang: str) -> str:
    return str(choice.get(f"label_{lang}") or choice.get("label_en") or choice["value"])


def item_scales(instruments: Mapping, choice_lists: Mapping[str, Scale]) -> dict[str, list[dict]]:
    """item_id -> scale levels of every ``select_one`` item of the instruments.

    Parameters
    ----------
    instruments : mapping
        Parsed ``instruments.yaml`` (its ``instruments`` key: name -> spec with ``items``).
    choice_lists : mapping
        Parsed ``choices.yaml``: list name -> ordered levels.

    Returns
    -------
    dict
        For every ``select_one`` item whose choice list is known, the ordered levels of
        that list (dicts with ``value`` and ``label_xx``).

    Examples
    --------
    >>> instruments = {"instruments": {"outcomes": {"items": [
    ...     {"id": "q1", "type": "select_one", "choices": "yn"}, {"id": "q2", "type": "text"}]}}}
    >>> item_scales(instruments, {"yn": [{"value": 0}, {"value": 1}]})
    {'q1': [{'value': 0}, {'value': 1}]}
    """
    scales: dict[str, list[dict]] = {}
    for spec in (instruments.get("instruments") or {}).values():
        for item in spec.get("items") or []:
            name = item.get("choices")
            if item.get("type") == "select_one" and name in choice_lists:
                scales[str(item["id"])] = [dict(level) for level in choice_lists[name]]
    return scales


def _needs_k(by_cols: list[str], k: int | None) -> None:
    if by_cols and k is None:
        raise AnalysisError("a breakdown needs k, the minimum cell size (k=0 disables suppression).")


def likert_counts(
    responses: pd.DataFrame,
    choices: Scale,
    items: Iterable[str] | None = None,
    by: str | Sequence[str] | None = None,
    lang: str = "en",
    k: int | None = None,
) -> pd.DataFrame:
    """Number and percentage of answers at every level of a scale, per item.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long table with ``item_id`` and ``value`` (canonical ``responses``, filtered to
        the instrument and wave wanted, or broken down with ``by``).
    choices : sequence of dict
        The scale's ordered levels, e.g. ``Config().choices["agree5"]``: dicts with a
        numeric ``value`` and ``label_<lang>``.
    items : iterable of str, optional
        Items to count, in this order. Default: items with at least one answer, in order
        of appearance.
    by : str or sequence of str, optional
        Columns of ``responses`` to break down by (e.g. ``"wave"``, ``"country"``).
    lang : str
        Language of the labels (falls back to English, then to the code).
    k : int, optional
        Minimum group size, required with ``by`` (``privacy.min_cell_size``); ``k=0``
        disables suppression (e.g. for a breakdown by wave only).

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, [by…], level, label, n, pct, n_item`` — one row per item
        (× group) × level, every level present (n = 0 when unused). ``pct`` is a
        percentage (0–100) of ``n_item``, the item's non-missing answers in the group.
        With ``by``, ``n_respondents`` (distinct people behind the group's answers — one
        person answers once per session), ``suppressed`` and ``suppression`` are added,
        and n and pct are blanked for groups with fewer than k respondents and for the
        groups withheld with them so that no withheld group follows from the item's total
        (`suppress.complementary_suppression`, decided per item and group).

    Raises
    ------
    AnalysisError
        When an answer is not a level of the scale (wrong scale for the item).

    Examples
    --------
    >>> import pandas as pd
    >>> scale = [{"value": v, "label_en": l} for v, l in
    ...          [(1, "Disagree"), (2, "Neutral"), (3, "Agree")]]
    >>> r = pd.DataFrame({"item_id": "q1", "value": [3, 3, 2, None]})
    >>> likert_counts(r, scale)
      item_id  level     label  n        pct  n_item
    0      q1      1  Disagree  0   0.000000       3
    1      q1      2   Neutral  1  33.333333       3
    2      q1      3     Agree  2  66.666667       3
    """
    by_cols = _by_list(by)
    _needs_k(by_cols, k)
    missing = [c for c in ["item_id", "value", *by_cols] if c not in responses.columns]
    if missing:
        raise AnalysisError(f"responses lack column(s): {', '.join(missing)}.")
    levels = _level_values(choices)
    answered = responses[responses["value"].notna()]
    if items is None:
        item_ids = answered["item_id"].drop_duplicates().tolist()
    else:
        item_ids = list(dict.fromkeys(items))
        answered = answered[answered["item_id"].isin(item_ids)]
    values = pd.to_numeric(answered["value"], errors="coerce").astype(float)
    stray = answered.loc[~values.isin(levels), ["item_id", "value"]].drop_duplicates()
    if not stray.empty:
        shown = ", ".join(f"{i}={v}" for i, v in stray.head(5).itertuples(index=False))
        raise AnalysisError(
            f"answers outside the scale {levels}: {shown}; pass the item's own choice list."
        )
    answered = answered.assign(_level=values)
    if by_cols:
        groups = responses[by_cols].drop_duplicates().sort_values(by_cols).reset_index(drop=True)
    else:
        groups = pd.DataFrame(index=[0])
    scale = pd.DataFrame(
        {
            "level": [c["value"] for c in choices],
            "label": [_label(c, lang) for c in choices],
            "_level": levels,
        }
    )
    grid = pd.DataFrame({"item_id": item_ids}).merge(groups, how="cross").merge(scale, how="cross")
    counts = (
        answered.groupby(["item_id", *by_cols, "_level"], dropna=False)
        .size()
        .rename("n")
        .reset_index()
    )
    out = grid.merge(counts, on=["item_id", *by_cols, "_level"], how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["n_item"] = out.groupby(["item_id", *by_cols], dropna=False, sort=False)["n"].transform(
        "sum"
    )
    out["pct"] = 100 * out["n"] / out["n_item"].where(out["n_item"] > 0)
    out = out[["item_id", *by_cols, "level", "label", "n", "pct", "n_item"]]
    if by_cols:
        people = _respondent_counts(answered, ["item_id", *by_cols])
        out = out.merge(people, on=["item_id", *by_cols], how="left")
        out["n_respondents"] = out["n_respondents"].fillna(0).astype(int)
        # decided per item and group (not per level), so a group is shown or withheld whole
        groups = out.drop_duplicates(["item_id", *by_cols])[["item_id", *by_cols, "n_respondents"]]
        if k > 0:
            groups = complementary_suppression(groups, "n_respondents", k=k, within="item_id", value_cols=[])
        else:
            groups = groups.assign(suppressed=False, suppression=None)
        out = out.merge(groups[["item_id", *by_cols, "suppressed", "suppression"]], on=["item_id", *by_cols],
                        how="left")
        hidden = out["suppressed"].to_numpy(dtype=bool)
        out["n"] = out["n"].astype("Int64").mask(hidden)
        out["pct"] = out["pct"].mask(hidden)
    return out.reset_index(drop=True)


def scale_levels(item: str, choices: Scale | Mapping[str, Scale] | None) -> list[float] | None:
    """The numeric levels of ``item``'s scale, or None when its scale is not known.

    ``choices`` is one scale for every item, a dict item_id -> scale (`item_scales`),
    or None (no scale known).

    Examples
    --------
    >>> scale_levels("q1", {"q1": [{"value": 1}, {"value": 2}]}), scale_levels("q2", None)
    ([1.0, 2.0], None)
    """
    if choices is None:
        levels = None
    elif isinstance(choices, Mapping):
        levels = choices.get(item)
    else:
        levels = choices
    return _level_values(levels, f" of {item}") if levels else None


def likert_summary(
    responses: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    choices: Scale | Mapping[str, Scale] | None = None,
    k: int | None = None,
) -> pd.DataFrame:
    """Per item: number of answers, median, mean, top-two-box share and missing answers.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table (filter it to the instrument and wave wanted, or
        pass ``by="wave"``). Text-only items (no value anywhere) are left out.
    by : str or sequence of str, optional
        Columns of ``responses`` to break down by.
    choices : sequence of dict or dict, optional
        The scale (one for every item) or a dict item_id -> scale (`item_scales`), used
        for the top-two share; items without a known scale get a missing top2.
    k : int, optional
        Minimum group size, required with ``by`` (``privacy.min_cell_size``; ``k=0``
        disables suppression).

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, [by…], n, median, mean, top2, n_missing``: ``n`` non-missing
        answers; ``top2`` the share (0–1) of answers in the two highest levels of the
        scale; ``n_missing`` the respondents of the same instrument and wave (and
        session) who did not answer the item. With ``by``, ``n_respondents`` (distinct
        people behind the answers), ``suppressed`` and ``suppression`` are added, and
        median, mean and top2 are blanked for groups with fewer than k respondents and
        for the complementary groups withheld with them
        (`suppress.complementary_suppression` within each item).

    Notes
    -----
    The median is the robust summary for ordinal data; the mean is shown because readers
    expect it, and should be read as a score, not an interval-scale quantity.

    Examples
    --------
    >>> import pandas as pd
    >>> scale = [{"value": v} for v in (1, 2, 3, 4, 5)]
    >>> r = pd.DataFrame({"pid": list("abcde"), "instrument": "outcomes", "wave": "post",
    ...                   "item_id": "q1", "value": [5, 4, 4, 2, None]})
    >>> likert_summary(r, choices=scale)
      item_id  n  median  mean  top2  n_missing
    0      q1  4     4.0  3.75  0.75          0
    """
    by_cols = _by_list(by)
    _needs_k(by_cols, k)
    needed = ["pid", "instrument", "wave", "item_id", "value", *by_cols]
    missing = [c for c in needed if c not in responses.columns]
    if missing:
        raise AnalysisError(f"responses lack column(s): {', '.join(missing)}.")
    valued_items = responses.loc[responses["value"].notna(), "item_id"].drop_duplicates()
    frame = responses[responses["item_id"].isin(valued_items)]
    frame = frame.assign(_value=pd.to_numeric(frame["value"], errors="coerce").astype(float))
    rows = []
    for key, group in frame.groupby(["item_id", *by_cols], dropna=False, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        values = group["_value"].dropna().to_numpy()
        levels = scale_levels(key[0], choices)
        top2 = np.nan
        if levels is not None and values.size:
            top2 = float(np.isin(values, sorted(levels)[-2:]).mean())
        rows.append(
            {
                **dict(zip(["item_id", *by_cols], key, strict=True)),
                "n": int(values.size),
                "median": float(np.median(values)) if values.size else np.nan,
                "mean": float(values.mean()) if values.size else np.nan,
                "top2": top2,
            }
        )
    out = pd.DataFrame(rows, columns=["item_id", *by_cols, "n", "median", "mean", "top2"])
    grid = answer_grid(frame, by=by_cols)
    not_given = (
        grid.assign(_missing=~grid["answered"])
        .groupby(["item_id", *by_cols], dropna=False)["_missing"]
        .sum()
        .rename("n_missing")
        .reset_index()
    )
    out = out.merge(not_given, on=["item_id", *by_cols], how="left")
    out["n_missing"] = out["n_missing"].fillna(0).astype(int)
    item_order = {item: i for i, item in enumerate(valued_items)}
    out = out.sort_values(
        ["item_id", *by_cols],
        key=lambda col: col.map(item_order) if col.name == "item_id" else col,
        kind="stable",
    )
    if by_cols:
        people = _respondent_counts(frame[frame["_value"].notna()], ["item_id", *by_cols])
        out = out.merge(people, on=["item_id", *by_cols], how="left")
        out["n_respondents"] = out["n_respondents"].fillna(0).astype(int)
        if k > 0:
            out = complementary_suppression(out, "n_respondents", k=k, within="item_id",
                                            value_cols=["median", "mean", "top2"])
        else:
            out = out.assign(suppressed=False, suppression=None)
    return out.reset_index(drop=True)
