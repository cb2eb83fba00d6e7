"""Every question of a round, with the analysis its type allows.

A round built from an evaluator's own questionnaire has questions no standard section
knows. The data dictionary (``items``: instrument, item_id, type, list_name, order) says
what each is, and this module gives each the analysis its type allows:

* `scale_groups`: the single-choice questions of an instrument, grouped by choice list,
  so each group is shown on its own full scale (session feedback by session);
* `numeric_responses`: the answers that can be compared before and after (single-choice
  and number questions; not the 0/1 options of a multiple choice), and
  `compared_responses`, those of the questions asked both before and after;
* `question_overview`: each question with how many people answered it, by wave;
* `option_shares`: a multiple-choice question as the share of respondents choosing each
  option, by wave;
* `single_wave_items`: the single-choice questions asked at one wave only, whose
  distribution is what there is to show.

Every function takes tidy frames and returns tidy frames; breakdowns go through
small-cell suppression (`suppress.suppress_small`).
"""

from __future__ import annotations

import pandas as pd

from .suppress import suppress_small

__all__ = ["compared_responses", "numeric_responses", "option_shares", "question_overview", "scale_groups", "single_wave_items"]

_SCALED = ("select_one",)
_NUMERIC = ("select_one", "integer")


def _ordered(items: pd.DataFrame, instrument: str | None = None) -> pd.DataFrame:
    if items is None or not len(items):
        return pd.DataFrame(columns=["instrument", "item_id", "type", "list_name", "order"])
    frame = items if instrument is None else items[items["instrument"] == instrument]
    return frame.sort_values("order", kind="stable") if "order" in frame.columns else frame


def _base_items(responses: pd.DataFrame) -> pd.Series:
    """The question of each response: its item_id, or the part before ``.option``."""
    return responses["item_id"].astype("string").str.rsplit(".", n=1).str[0]


def scale_groups(items: pd.DataFrame, instrument: str) -> list[tuple[str, list[str]]]:
    """The single-choice questions of ``instrument`` grouped by choice list.

    Parameters
    ----------
    items : pandas.DataFrame
        The round's data dictionary (``instrument, item_id, type, list_name, order``).
    instrument : str

    Returns
    -------
    list of (str, list of str)
        ``(list_name, item ids)`` per choice list, lists in the order their first
        question is asked, questions in questionnaire order.

    Examples
    --------
    >>> items = pd.DataFrame({"instrument": "session_feedback", "item_id": ["a", "b", "c", "d"],
    ...                       "type": ["select_one", "select_one", "text", "select_one"],
    ...                       "list_name": ["satisf", "note", None, "satisf"], "order": [1, 2, 3, 4]})
    >>> scale_groups(items, "session_feedback")
    [('satisf', ['a', 'd']), ('note', ['b'])]
    """
    groups: dict[str, list[str]] = {}
    for row in _ordered(items, instrument).itertuples(index=False):
        if row.type in _SCALED and isinstance(row.list_name, str) and row.list_name:
            groups.setdefault(row.list_name, []).append(str(row.item_id))
    return list(groups.items())


def numeric_responses(responses: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The responses to single-choice and number questions (what paired change compares).

    Without a data dictionary the responses are returned as they are (standard rounds).
    """
    if items is None or not len(items) or responses is None or not len(responses):
        return responses
    numeric = items.loc[items["type"].isin(_NUMERIC), ["instrument", "item_id"]].astype(object)
    keys = set(zip(numeric["instrument"], numeric["item_id"], strict=True))
    mask = [(i, q) in keys for i, q in zip(responses["instrument"].astype(object),
                                            responses["item_id"].astype(object), strict=True)]
    return responses[mask]


def compared_responses(responses: pd.DataFrame, items: pd.DataFrame, *, baseline: str = "pre",
                       endlines: tuple[str, ...] = ("post", "retro")) -> pd.DataFrame:
    """`numeric_responses` of the questions answered at ``baseline`` and at one of
    ``endlines``: the questions whose change can be measured (a question asked before
    only, such as "Have you taken part in a review before?", is not).

    Examples
    --------
    >>> items = pd.DataFrame({"instrument": "outcomes", "item_id": ["k", "once"], "type": "select_one",
    ...                       "list_name": "l", "order": [1, 2]})
    >>> r = pd.DataFrame({"pid": ["a", "a", "a"], "instrument": "outcomes", "wave": ["pre", "post", "pre"],
    ...                   "item_id": ["k", "k", "once"], "value": [1.0, 2.0, 1.0]})
    >>> compared_responses(r, items)["item_id"].tolist()
    ['k', 'k']
    """
    numeric = numeric_responses(responses, items)
    if numeric is None or not len(numeric):
        return numeric
    answered = numeric[numeric["value"].notna()]
    before = set(answered.loc[answered["wave"] == baseline, "item_id"])
    after = set(answered.loc[answered["wave"].isin(endlines), "item_id"])
    return numeric[numeric["item_id"].isin(before & after)]


def question_overview(responses: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """How many people answered each question, wave by wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses``.
    items : pandas.DataFrame
        The data dictionary.

    Returns
    -------
    pandas.DataFrame
        One row per question and wave (session for session feedback), in questionnaire
        order: ``instrument, item_id, type, wave, n_respondents`` (people with an answer:
        a value, a text, or at least one option chosen or not). A question nobody
        answered has one row with wave missing and ``n_respondents`` 0.

    Examples
    --------
    >>> items = pd.DataFrame({"instrument": "outcomes", "item_id": ["q", "t"], "type": ["select_one", "text"],
    ...                       "list_name": ["l", None], "order": [1, 2]})
    >>> r = pd.DataFrame({"pid": ["a", "b", "a"], "instrument": "outcomes", "wave": ["pre", "pre", "post"],
    ...                   "item_id": ["q", "q", "q"], "value": [1.0, None, 2.0], "text": [None, None, None]})
    >>> question_overview(r, items)[["item_id", "wave", "n_respondents"]]
      item_id  wave  n_respondents
    0       q   pre              1
    1       q  post              1
    2       t   NaN              0
    """
    columns = ["instrument", "item_id", "type", "wave", "n_respondents"]
    ordered = _ordered(items)
    if not len(ordered):
        return pd.DataFrame(columns=columns)
    answered = responses.iloc[0:0]
    if responses is not None and len(responses):
        has = responses["value"].notna()
        if "text" in responses.columns:
            has |= responses["text"].notna()
        answered = responses[has].assign(_item=_base_items(responses[has]).astype(object))
    rows = []
    for item in ordered.itertuples(index=False):
        mine = answered[(answered["instrument"] == item.instrument) & (answered["_item"] == item.item_id)] \
            if len(answered) else answered
        if not len(mine):
            rows.append({"instrument": item.instrument, "item_id": item.item_id, "type": item.type,
                         "wave": None, "n_respondents": 0})
            continue
        for wave, sub in mine.groupby("wave", sort=False):
            rows.append({"instrument": item.instrument, "item_id": item.item_id, "type": item.type,
                         "wave": wave, "n_respondents": int(sub["pid"].nunique())})
    return pd.DataFrame(rows, columns=columns)


def option_shares(responses: pd.DataFrame, items: pd.DataFrame, *, k: int) -> pd.DataFrame:
    """A multiple-choice question as the share of its respondents choosing each option.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` (options are items ``<question>.<option>``, value 1/0).
    items : pandas.DataFrame
        The data dictionary (``type`` ``select_multiple``).
    k : int
        Minimum cell size: a question and wave answered by fewer than k people is
        withheld (``suppressed``).

    Returns
    -------
    pandas.DataFrame
        ``instrument, item_id, wave, option, n_answered, n_chosen, share, suppressed``,
        options in list order.

    Examples
    --------
    >>> items = pd.DataFrame({"instrument": "outcomes", "item_id": ["t"], "type": ["select_multiple"],
    ...                       "list_name": ["topics"], "order": [1]})
    >>> r = pd.DataFrame({"pid": list("abcabc"), "instrument": "outcomes", "wave": "pre",
    ...                   "item_id": ["t.x"] * 3 + ["t.y"] * 3, "value": [1, 1, 0, 0, 1, 0.0]})
    >>> option_shares(r, items, k=3)[["option", "n_answered", "n_chosen", "share"]]
      option  n_answered  n_chosen     share
    0      x           3         2  0.666667
    1      y           3         1  0.333333
    """
    columns = ["instrument", "item_id", "wave", "option", "n_answered", "n_chosen", "share"]
    multiple = _ordered(items)
    multiple = multiple[multiple["type"] == "select_multiple"] if len(multiple) else multiple
    if not len(multiple) or responses is None or not len(responses):
        return pd.DataFrame(columns=[*columns, "suppressed"])
    answered = responses[responses["value"].notna()]
    answered = answered.assign(_item=_base_items(answered).astype(object),
                               option=answered["item_id"].astype("string").str.rsplit(".", n=1).str[-1])
    rows = []
    for item in multiple.itertuples(index=False):
        mine = answered[(answered["instrument"] == item.instrument) & (answered["_item"] == item.item_id)
                        & (answered["item_id"] != item.item_id)]
        for wave, sub in mine.groupby("wave", sort=False):
            n_answered = int(sub["pid"].nunique())
            for option, per in sub.groupby("option", sort=False):
                chosen = int(per.loc[per["value"] > 0, "pid"].nunique())
                rows.append({"instrument": item.instrument, "item_id": item.item_id, "wave": wave,
                             "option": str(option), "n_answered": n_answered, "n_chosen": chosen,
                             "share": chosen / n_answered if n_answered else None})
    out = pd.DataFrame(rows, columns=columns)
    return suppress_small(out, n_col="n_answered", k=k) if len(out) else out.assign(suppressed=pd.Series(dtype=bool))


def single_wave_items(responses: pd.DataFrame, items: pd.DataFrame, *,
                      instruments: tuple[str, ...] = ("outcomes", "pulse", "tool_feedback")) -> pd.DataFrame:
    """The single-choice questions of ``instruments`` answered at one wave only.

    Returns
    -------
    pandas.DataFrame
        ``instrument, item_id, list_name, wave``, in questionnaire order: their answers
        cannot be compared across waves, so their distribution is what is shown.
    """
    columns = ["instrument", "item_id", "list_name", "wave"]
    scaled = _ordered(items)
    scaled = scaled[scaled["type"].isin(_SCALED) & scaled["instrument"].isin(instruments)] if len(scaled) else scaled
    if not len(scaled) or responses is None or not len(responses):
        return pd.DataFrame(columns=columns)
    answered = responses[responses["value"].notna()]
    rows = []
    for item in scaled.itertuples(index=False):
        waves = answered.loc[(answered["instrument"] == item.instrument) & (answered["item_id"] == item.item_id),
                             "wave"].dropna().unique().tolist()
        if len(waves) == 1:
            rows.append({"instrument": item.instrument, "item_id": item.item_id, "list_name": item.list_name,
                         "wave": waves[0]})
    return pd.DataFrame(rows, columns=columns)
