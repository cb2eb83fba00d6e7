"""Who took part: invitations, attendance, responses and attrition between waves.

Counting rule for small groups: the functions here count everyone and flag groups of
fewer than k people with ``small_group``; what a report shows of a breakdown by country
goes through `country_totals`, which withholds the small delegations — in a delegation
of one or two, the attendance count says who attended — with complementary suppression
so that the round total minus the countries shown gives none of them away (see
`exchange_eval.analysis.suppress`). Round totals and counts by session or wave are not
breakdowns by group and are shown at any size.

A person "responded" to an instrument at a wave when at least one of their rows has a
value or a non-empty text (a submitted but blank form is not a response).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import AnalysisError
from .suppress import complementary_suppression

__all__ = [
    "UNIT_COLUMNS",
    "respondents",
    "answer_grid",
    "participation_by_country",
    "attendance_by_session",
    "response_counts",
    "attrition",
    "country_totals",
    "round_totals",
]

#: Columns identifying one filled-in questionnaire (those present in the table are used).
UNIT_COLUMNS = ["round_id", "pid", "instrument", "wave", "session_id"]
_ALL = "all"


def _require(df: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnalysisError(f"the {table} table lacks column(s): {', '.join(missing)}.")


def _answered(responses: pd.DataFrame) -> pd.Series:
    """Row holds an answer: a value, or a non-blank text."""
    answered = responses["value"].notna() if "value" in responses else pd.Series(False, index=responses.index)
    if "text" in responses:
        text = responses["text"].astype("string").str.strip()
        answered = answered | (text.notna() & (text != "")).fillna(False).astype(bool)
    return answered.astype(bool)


def respondents(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per filled-in questionnaire: person × instrument × wave (× session).

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table (``tables.TABLES["responses"]``).

    Returns
    -------
    pandas.DataFrame
        The columns of `UNIT_COLUMNS` present in ``responses``, one row per unit with at
        least one answer, plus ``n_answers`` (answered rows) and ``duration_s`` (first
        non-missing, when the table has it).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b"], "instrument": "outcomes",
    ...                   "wave": "pre", "item_id": ["q1", "q2", "q1"],
    ...                   "value": [3, 4, None]})
    >>> respondents(r)
      pid instrument wave  n_answers
    0   a   outcomes  pre          2
    """
    _require(responses, ["pid", "instrument", "wave"], "responses")
    keys = [c for c in UNIT_COLUMNS if c in responses.columns]
    answered = responses.assign(_answered=_answered(responses))
    agg = {"n_answers": ("_answered", "sum")}
    if "duration_s" in answered.columns:
        agg["duration_s"] = ("duration_s", "first")
    units = answered.groupby(keys, dropna=False, sort=True).agg(**agg).reset_index()
    units = units[units["n_answers"] > 0].reset_index(drop=True)
    units["n_answers"] = units["n_answers"].astype(int)
    return units


def _invited(participants: pd.DataFrame) -> pd.Series:
    if "on_roster" not in participants:
        return pd.Series(True, index=participants.index)
    return participants["on_roster"].astype("boolean").fillna(True).astype(bool)


def participation_by_country(
    participants: pd.DataFrame,
    attendance: pd.DataFrame,
    *,
    k: int,
) -> pd.DataFrame:
    """Invited and attending people by country and role, with totals.

    Parameters
    ----------
    participants : pandas.DataFrame
        Canonical ``participants`` table.
    attendance : pandas.DataFrame
        Canonical ``attendance`` table. When empty, ``participants.n_sessions_attended``
        is used instead.
    k : int
        Groups with fewer than k invited people get ``small_group = True``
        (``settings.yaml`` ``privacy.min_cell_size``).

    Returns
    -------
    pandas.DataFrame
        Columns ``round_id, country, role, n_invited, n_attended, share_attended,
        n_unlisted, n, small_group``; one row per country × role, then a row per country
        with role ``"all"`` and a round total with country and role ``"all"``.
        ``n_attended`` counts invited people who attended at least one session
        (missing, with ``share_attended``, when the round records no attendance);
        ``n_unlisted`` counts people seen in a survey but not on the roster; ``n`` equals
        ``n_invited``. Counts are never blanked (see the module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "c"],
    ...                   "country": ["SEN", "SEN", "BFA"], "role": "technical",
    ...                   "on_roster": True})
    >>> a = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "c"], "session_id": "vc1",
    ...                   "attended": [True, False, True]})
    >>> participation_by_country(p, a, k=3)[["country", "role", "n_invited", "n_attended"]]
      country       role  n_invited  n_attended
    0     BFA  technical          1           1
    1     BFA        all          1           1
    2     SEN  technical          2           1
    3     SEN        all          2           1
    4     all        all          3           2
    """
    _require(participants, ["pid", "country"], "participants")
    people = participants.copy()
    if "round_id" not in people:
        people["round_id"] = pd.NA
    if "role" not in people:
        people["role"] = pd.NA
    people["_invited"] = _invited(people)
    # attendance is unknown (not zero) when the roster has no attendance column at all
    known = (attendance is not None and not attendance.empty) or (
        "n_sessions_attended" in people and people["n_sessions_attended"].notna().any())
    if attendance is not None and not attendance.empty:
        _require(attendance, ["pid", "attended"], "attendance")
        att = attendance.copy()
        if "round_id" not in att:
            att["round_id"] = pd.NA
        att = att[att["attended"].astype("boolean").fillna(False).astype(bool)]
        came = att[["round_id", "pid"]].drop_duplicates().assign(_came=True)
        people = people.merge(came, on=["round_id", "pid"], how="left")
        people["_came"] = people["_came"].astype("boolean").fillna(False).astype(bool)
    elif "n_sessions_attended" in people:
        people["_came"] = pd.to_numeric(people["n_sessions_attended"]).fillna(0).gt(0)
    else:
        people["_came"] = False
    people["_attended"] = people["_invited"] & people["_came"]
    people["_unlisted"] = ~people["_invited"]
    for col in ("country", "role"):
        people[col] = people[col].astype("string").fillna("unknown")

    def count(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return (frame.groupby(keys, dropna=False, sort=True)
                .agg(n_invited=("_invited", "sum"), n_attended=("_attended", "sum"), n_unlisted=("_unlisted", "sum"))
                .reset_index())

    by_role = count(people, ["round_id", "country", "role"])
    by_country = count(people, ["round_id", "country"]).assign(role=_ALL)
    total = count(people, ["round_id"]).assign(country=_ALL, role=_ALL)
    by_role["_order"], by_country["_order"], total["_order"] = 0, 1, 2
    rows = pd.concat([by_role, by_country], ignore_index=True)
    rows = rows.sort_values(["round_id", "country", "_order", "role"], kind="stable")
    out = pd.concat([rows, total], ignore_index=True)
    out["_is_total"] = out["_order"] == 2
    out = out.sort_values(["round_id", "_is_total"], kind="stable").reset_index(drop=True)
    for col in ("n_invited", "n_attended", "n_unlisted"):
        out[col] = out[col].astype(int)
    out["share_attended"] = out["n_attended"] / out["n_invited"].where(out["n_invited"] > 0)
    if not known:
        out["n_attended"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["share_attended"] = np.nan
    out["n"] = out["n_invited"]
    out["small_group"] = out["n"] < k
    columns = ["round_id", "country", "role", "n_invited", "n_attended", "share_attended", "n_unlisted", "n",
               "small_group"]
    if "round_id" not in participants:
        columns.remove("round_id")
    return out[columns]


def attendance_by_session(attendance: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Attendance per session, in date order.

    Parameters
    ----------
    attendance : pandas.DataFrame
        Canonical ``attendance`` table (one row per person and session).
    sessions : pandas.DataFrame
        Canonical ``sessions`` table (kind, date, title); sessions nobody was expected at
        still appear, with zero counts.

    Returns
    -------
    pandas.DataFrame
        Columns ``round_id, session_id, kind, date, title, n_expected, n_attended,
        share_attended, n``; ``n`` equals ``n_expected`` (people with an attendance row).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"round_id": "r1", "session_id": ["vc1", "vc2"],
    ...                   "kind": "virtual", "date": pd.to_datetime(["2025-02-10", "2025-03-10"]),
    ...                   "title": ["VC1", "VC2"]})
    >>> a = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "a", "b"],
    ...                   "session_id": ["vc1", "vc1", "vc2", "vc2"],
    ...                   "attended": [True, True, True, False]})
    >>> attendance_by_session(a, s)[["session_id", "n_expected", "n_attended", "share_attended"]]
      session_id  n_expected  n_attended  share_attended
    0        vc1           2           2             1.0
    1        vc2           2           1             0.5
    """
    _require(attendance, ["pid", "session_id", "attended"], "attendance")
    att = attendance.copy()
    ses = sessions.copy() if sessions is not None else pd.DataFrame(columns=["session_id"])
    for frame in (att, ses):
        if "round_id" not in frame:
            frame["round_id"] = pd.NA
    att["_attended"] = att["attended"].astype("boolean").fillna(False).astype(bool)
    counts = (
        att.groupby(["round_id", "session_id"], dropna=False)
        .agg(n_expected=("pid", "nunique"), n_attended=("_attended", "sum"))
        .reset_index()
    )
    info_cols = [c for c in ("kind", "date", "title") if c in ses.columns]
    out = ses[["round_id", "session_id", *info_cols]].drop_duplicates(["round_id", "session_id"])
    out = out.merge(counts, on=["round_id", "session_id"], how="outer")
    for col in ("kind", "date", "title"):
        if col not in out:
            out[col] = pd.NA
    out[["n_expected", "n_attended"]] = out[["n_expected", "n_attended"]].fillna(0).astype(int)
    out["share_attended"] = out["n_attended"] / out["n_expected"].where(out["n_expected"] > 0)
    out["n"] = out["n_expected"]
    out = out.sort_values(["round_id", "date", "session_id"], na_position="last", kind="stable")
    return out[
        [
            "round_id",
            "session_id",
            "kind",
            "date",
            "title",
            "n_expected",
            "n_attended",
            "share_attended",
            "n",
        ]
    ].reset_index(drop=True)


def response_counts(
    responses: pd.DataFrame,
    participants: pd.DataFrame,
    by: str | list[str] | None = None,
    k: int | None = None,
    *,
    attendance: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Respondents per instrument and wave, and the response rate over those who could answer.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    participants : pandas.DataFrame
        Canonical ``participants`` table (the roster: ``on_roster`` not False).
    by : str or list of str, optional
        Participant columns to break down by (e.g. ``"country"``).
    k : int, optional
        Breakdown groups with a roster smaller than k get ``small_group = True``;
        required with ``by`` (``settings.yaml`` ``privacy.min_cell_size``).
    attendance : pandas.DataFrame, optional
        Canonical ``attendance`` table. When given, the feedback on a session (instrument
        ``session_feedback``, wave = the session id) is rated over the people marked
        present at that session, not over the whole roster: only they could rate it.

    Returns
    -------
    pandas.DataFrame
        Columns ``round_id, instrument, wave, [by], n_respondents, n_identified,
        n_anonymous, n_roster_respondents, n_roster, n_eligible, denominator,
        response_rate, n, small_group``. ``n_respondents`` counts everyone who answered:
        ``n_identified`` those matched to a person (a pid of the participants table),
        ``n_anonymous`` the others; ``n_roster_respondents`` those on the roster.
        ``n_eligible`` is the denominator: the roster (``denominator`` = ``roster``) or,
        for session feedback with attendance, the people present at the session
        (``attendees``). The rate is (identified respondents among the eligible +
        anonymous respondents) / n_eligible, at most 1, so people who answered without
        being invited cannot push it above 1. When every answer is anonymous (no
        respondent identified) the rate is missing: nothing then says the answers came
        from the eligible people, and a rate of 0 would be false. ``n`` equals
        ``n_respondents``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "c", "d"], "on_roster": True})
    >>> r = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "a"], "instrument": "outcomes",
    ...                   "wave": ["pre", "pre", "post"], "item_id": "q1", "value": 4.0})
    >>> response_counts(r, p)[["wave", "n_respondents", "n_roster", "response_rate"]]
       wave  n_respondents  n_roster  response_rate
    0  post              1         4           0.25
    1   pre              2         4           0.50

    Feedback on a session is rated over those present (2 of the 4 came, 1 answered):

    >>> a = pd.DataFrame({"round_id": "r1", "pid": ["a", "b", "c", "d"], "session_id": "visit",
    ...                   "attended": [True, True, False, False]})
    >>> f = pd.DataFrame({"round_id": "r1", "pid": ["a"], "instrument": "session_feedback",
    ...                   "wave": ["visit"], "session_id": ["visit"], "item_id": "q1", "value": 4.0})
    >>> response_counts(f, p, attendance=a)[["n_respondents", "n_eligible", "denominator", "response_rate"]]
       n_respondents  n_eligible denominator  response_rate
    0              1           2   attendees            0.5
    """
    _require(participants, ["pid"], "participants")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols and k is None:
        raise AnalysisError("a breakdown of response counts needs k, the minimum cell size.")
    _require(participants, by_cols, "participants")
    units = respondents(responses)
    people = participants.copy()
    for frame in (units, people):
        if "round_id" not in frame:
            frame["round_id"] = pd.NA
    people["_on_roster"] = _invited(people)
    people = people.drop_duplicates(["round_id", "pid"])
    known = set(zip(people["round_id"].astype("string").fillna(""), people["pid"].astype(str), strict=True))
    units["_identified"] = [(str(r) if pd.notna(r) else "", str(p)) in known
                            for r, p in zip(units["round_id"], units["pid"], strict=True)]
    units = units.merge(
        people[["round_id", "pid", "_on_roster", *by_cols]], on=["round_id", "pid"], how="left"
    )
    units["_on_roster"] = units["_on_roster"].astype("boolean").fillna(False).astype(bool)
    present = _present_by_session(attendance)
    units["_eligible"] = [
        on_roster if inst != "session_feedback" or present is None or (rid, wave) not in present
        else str(pid) in present[(rid, wave)]
        for inst, rid, wave, pid, on_roster in zip(units["instrument"], units["round_id"].astype("string").fillna(""),
                                                   units["wave"].astype(str), units["pid"], units["_on_roster"],
                                                   strict=True)]
    for col in by_cols:
        units[col] = units[col].astype("string").fillna("unknown")
        people[col] = people[col].astype("string").fillna("unknown")
    keys = ["round_id", "instrument", "wave", *by_cols]
    counts = (
        units.assign(_anonymous=~units["_identified"])
        .groupby(keys, dropna=False, sort=True)
        .agg(n_respondents=("pid", "nunique"), n_identified=("_identified", "sum"),
             n_anonymous=("_anonymous", "sum"), n_roster_respondents=("_on_roster", "sum"),
             _eligible_respondents=("_eligible", "sum"))
        .reset_index()
    )
    roster = (
        people[people["_on_roster"]]
        .groupby(["round_id", *by_cols], dropna=False)["pid"]
        .nunique()
        .rename("n_roster")
        .reset_index()
    )
    out = counts.merge(roster, on=["round_id", *by_cols], how="left")
    out["n_roster"] = out["n_roster"].fillna(0).astype(int)
    for col in ("n_roster_respondents", "n_identified", "n_anonymous", "_eligible_respondents"):
        out[col] = out[col].astype(int)
    eligible, denominator = [], []
    people_by_pid = people.assign(_pid=people["pid"].astype(str)).set_index("_pid")
    for _, row in out.iterrows():
        pids = present.get((str(row["round_id"]) if pd.notna(row["round_id"]) else "", str(row["wave"]))) \
            if present is not None and row["instrument"] == "session_feedback" else None
        if pids is None:
            eligible.append(int(row["n_roster"]))
            denominator.append("roster")
            continue
        group = people_by_pid.reindex(sorted(pids))
        for col in by_cols:  # a breakdown counts the present people of its own group
            group = group[group[col] == row[col]]
        eligible.append(len(group))
        denominator.append("attendees")
    out["n_eligible"] = pd.Series(eligible, index=out.index, dtype="int64")
    out["denominator"] = denominator
    numerator = out["_eligible_respondents"] + out["n_anonymous"]
    rate = numerator / out["n_eligible"].where(out["n_eligible"] > 0)
    out["response_rate"] = rate.clip(upper=1.0)
    # every answer anonymous (none linked to a person): the rate is unknown, not zero
    out.loc[(out["n_identified"] == 0) & (out["n_respondents"] > 0), "response_rate"] = np.nan
    out["n"] = out["n_respondents"]
    out["small_group"] = (out["n_roster"] < k) if by_cols else False
    return out[[*keys, "n_respondents", "n_identified", "n_anonymous", "n_roster_respondents", "n_roster",
                "n_eligible", "denominator", "response_rate", "n", "small_group"]].reset_index(drop=True)


def _present_by_session(attendance: pd.DataFrame | None) -> dict[tuple[str, str], set[str]] | None:
    """(round_id, session_id) -> pids marked present, or None without attendance lists."""
    if attendance is None or attendance.empty or not {"pid", "session_id", "attended"} <= set(attendance.columns):
        return None
    att = attendance.assign(_r=attendance["round_id"].astype("string").fillna("")
                            if "round_id" in attendance else "")
    came = att[att["attended"].astype("boolean").fillna(False).astype(bool)]
    out: dict[tuple[str, str], set[str]] = {
        (str(r), str(s)): set() for r, s in zip(att["_r"], att["session_id"], strict=True)}
    for r, s, pid in zip(came["_r"], came["session_id"], came["pid"], strict=True):
        out[(str(r), str(s))].add(str(pid))
    return out


def attrition(
    responses: pd.DataFrame,
    instrument: str = "outcomes",
    baseline: str = "pre",
    endline: str = "post",
) -> pd.DataFrame:
    """Who answered which wave: baseline, endline, both (linkable pairs), follow-ups.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    instrument : str
        The instrument whose waves are compared.
    baseline, endline : str
        Wave names; people are linked by pid within ``round_id``.

    Returns
    -------
    pandas.DataFrame
        One row per round: ``round_id, baseline, endline, n_baseline, n_endline,
        n_linked, n_baseline_only, n_endline_only, n_retro, n_followup,
        n_followup_linked, retention, n``. ``n_followup`` counts people with any
        ``followup-*`` wave, ``n_followup_linked`` those of them also at baseline;
        ``retention`` = n_linked / n_baseline; ``n`` = people seen at any wave.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"round_id": "r1", "pid": ["a", "a", "b", "c"],
    ...                   "instrument": "outcomes", "wave": ["pre", "post", "pre", "post"],
    ...                   "item_id": "q1", "value": 3.0})
    >>> attrition(r)[["n_baseline", "n_endline", "n_linked", "n_baseline_only",
    ...               "n_endline_only", "retention"]]
       n_baseline  n_endline  n_linked  n_baseline_only  n_endline_only  retention
    0           2          2         1                1               1        0.5
    """
    units = respondents(responses)
    units = units[units["instrument"] == instrument]
    if "round_id" not in units:
        units = units.assign(round_id=pd.NA)
    rows = []
    round_ids = units["round_id"].drop_duplicates().tolist()
    if not round_ids and "round_id" in responses and len(responses):
        round_ids = responses["round_id"].drop_duplicates().tolist()
    for round_id in round_ids:
        mask = units["round_id"].isna() if pd.isna(round_id) else units["round_id"] == round_id
        waves = {str(w): set(g) for w, g in units[mask].groupby("wave")["pid"]}
        pre = waves.get(baseline, set())
        post = waves.get(endline, set())
        follow = set().union(*[v for w, v in waves.items() if str(w).startswith("followup")])
        seen = set().union(*waves.values()) if waves else set()
        rows.append({"round_id": round_id, "baseline": baseline, "endline": endline, "n_baseline": len(pre),
                     "n_endline": len(post), "n_linked": len(pre & post), "n_baseline_only": len(pre - post),
                     "n_endline_only": len(post - pre), "n_retro": len(waves.get("retro", set())),
                     "n_followup": len(follow), "n_followup_linked": len(follow & pre),
                     "retention": len(pre & post) / len(pre) if pre else np.nan, "n": len(seen)})
    columns = ["round_id", "baseline", "endline", "n_baseline", "n_endline", "n_linked", "n_baseline_only",
               "n_endline_only", "n_retro", "n_followup", "n_followup_linked", "retention", "n"]
    return pd.DataFrame(rows, columns=columns)


def answer_grid(
    responses: pd.DataFrame,
    expected_items: dict[str, list[str]] | list[str] | None = None,
    by: str | list[str] | None = None,
) -> pd.DataFrame:
    """Every answer a respondent was expected to give, and whether they gave it.

    Missing answers reach the canonical table in two ways: as rows whose value is
    missing, or not at all (some platforms drop unanswered questions). This grid puts
    both on the same footing.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``responses`` table.
    expected_items : dict or list, optional
        Items each respondent should have answered: a dict instrument -> item ids, or one
        list for every instrument. Default: the items that appear (with or without a
        value) in the same instrument and wave.
    by : str or list of str, optional
        Extra columns of ``responses`` to carry (e.g. ``"country"`` after a merge).

    Returns
    -------
    pandas.DataFrame
        The unit columns (`UNIT_COLUMNS` present), the ``by`` columns, ``item_id`` and
        boolean ``answered``; one row per responding unit × expected item. Units that
        answered nothing at all are not respondents and do not appear.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"pid": ["a", "a", "b"], "instrument": "outcomes", "wave": "pre",
    ...                   "item_id": ["q1", "q2", "q1"], "value": [3.0, None, 4.0]})
    >>> answer_grid(r)
      pid instrument wave item_id  answered
    0   a   outcomes  pre      q1      True
    1   a   outcomes  pre      q2     False
    2   b   outcomes  pre      q1      True
    3   b   outcomes  pre      q2     False
    """
    _require(responses, ["pid", "instrument", "wave", "item_id"], "responses")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(responses, by_cols, "responses")
    keys = [c for c in UNIT_COLUMNS if c in responses.columns]
    by_cols = [c for c in by_cols if c not in keys]  # e.g. by="wave" is already a key
    frame = responses.assign(_answered=_answered(responses))
    units = frame.groupby([*keys, *by_cols], dropna=False, sort=True)["_answered"].any()
    units = units[units].reset_index()[[*keys, *by_cols]]
    if expected_items is None:
        items = frame[["instrument", "wave", "item_id"]].drop_duplicates()
        grid = units.merge(items, on=["instrument", "wave"], how="inner")
    elif isinstance(expected_items, dict):
        items = pd.DataFrame(
            [(inst, item) for inst, ids in expected_items.items() for item in ids],
            columns=["instrument", "item_id"],
        )
        grid = units.merge(items, on="instrument", how="inner")
    else:
        items = pd.DataFrame({"item_id": list(expected_items)})
        grid = units.merge(items, how="cross")
    given = frame.loc[frame["_answered"], [*keys, "item_id"]].drop_duplicates()
    given["answered"] = True
    grid = grid.merge(given, on=[*keys, "item_id"], how="left")
    grid["answered"] = grid["answered"].astype("boolean").fillna(False).astype(bool)
    return grid[[*keys, *by_cols, "item_id", "answered"]].reset_index(drop=True)


def country_totals(by_country: pd.DataFrame, *, k: int) -> pd.DataFrame:
    """The per-country rows (all roles) of `participation_by_country`, as a report shows
    them: delegations of fewer than k people withheld, with complementary suppression so
    that the round total minus the countries shown never gives one of them
    (`suppress.complementary_suppression`; ``suppressed``, ``suppression`` and the
    counts, rate and n of withheld rows blanked).

    >>> t = pd.DataFrame({"country": ["SEN", "BFA", "CIV", "all"], "role": "all",
    ...                   "n_invited": [4, 2, 3, 9], "n_attended": [4, 1, 3, 8],
    ...                   "share_attended": [1.0, 0.5, 1.0, 8 / 9], "n_unlisted": 0,
    ...                   "n": [4, 2, 3, 9], "small_group": [False, True, False, False]})
    >>> country_totals(t, k=3)[["country", "n_invited", "suppression"]]
      country  n_invited suppression
    0     SEN          4        None
    1     BFA       <NA>     primary
    2     CIV       <NA>   secondary
    """
    totals = by_country[by_country["role"] == _ALL].copy()
    totals = totals[totals["country"] != _ALL].reset_index(drop=True)
    if totals.empty:
        return totals.assign(suppressed=pd.Series(dtype=bool), suppression=pd.Series(dtype=object))
    totals = totals.drop(columns=["suppressed"], errors="ignore")
    return complementary_suppression(totals, "n", k=k, count_cols=["n_invited", "n_attended"],
                                     value_cols=["n_invited", "n_attended", "share_attended", "n_unlisted"])


def round_totals(participants: pd.DataFrame | None, responses: pd.DataFrame | None) -> dict[str, int]:
    """Sizes of a round: ``n_participants`` (roster rows), ``n_countries``, ``n_responses``
    (answer rows) and ``n_respondents`` (distinct people who answered).

    >>> p = pd.DataFrame({"pid": ["a", "b"], "country": ["SEN", "BFA"]})
    >>> round_totals(p, pd.DataFrame({"pid": ["a", "a"]}))
    {'n_participants': 2, 'n_countries': 2, 'n_responses': 2, 'n_respondents': 1}
    """
    n_participants = len(participants) if participants is not None else 0
    n_countries = int(participants["country"].nunique()) if n_participants else 0
    answers = responses if responses is not None and len(responses) else pd.DataFrame(columns=["pid"])
    return {"n_participants": n_participants, "n_countries": n_countries,
            "n_responses": len(answers), "n_respondents": int(answers["pid"].nunique())}

