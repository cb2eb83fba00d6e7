"""What cleaning changed, counted in the units a reader expects: people, columns,
answers, submissions, comments (not rows of the cleaning log).

The cleaning log (``cleaning_log.csv``) has one row per change, and some kinds of change
are logged per column or as a summary line, so counting its rows per action mixes units
("17 people pseudonymized" for 12 people and 5 identity columns). `cleaning_summary`
counts each kind in its own unit from the log and the canonical tables.
"""

from __future__ import annotations

import pandas as pd

from .participation import attrition

__all__ = ["ACTION_UNITS", "cleaning_summary"]

#: The unit each kind of logged change is counted in.
ACTION_UNITS: dict[str, str] = {
    "rename": "columns",
    "unmapped_column": "columns",
    "ignore_option_column": "columns",
    "recode": "answers",
    "missing_code": "answers",
    "unknown_code": "answers",
    "correction": "answers",
    "drop_duplicate": "submissions",
    "drop_empty": "submissions",
    "scrub": "texts",
}


def cleaning_summary(log: pd.DataFrame | None, participants: pd.DataFrame | None,
                     responses: pd.DataFrame | None) -> pd.DataFrame:
    """The changes of cleaning, one row per kind, each counted in its unit.

    Returns
    -------
    pandas.DataFrame
        ``action, count, unit``: ``people_pseudonymized`` (people given a pid: the
        participants table), ``identity_columns`` (name, e-mail and phone columns used for
        the pid then dropped), ``anonymous`` (submissions without a name or e-mail),
        ``linked`` (people who answered the outcome survey before and after),
        ``off_roster`` (respondents not on the roster, added as participants), then every
        other logged kind in the unit of `ACTION_UNITS` (log rows otherwise).

    Examples
    --------
    >>> log = pd.DataFrame({"action": ["pseudonymize", "pseudonymize", "rename"],
    ...                     "column": ["Nom", None, "Pays"], "source_file": "a.csv", "row": None})
    >>> cleaning_summary(log, pd.DataFrame({"pid": ["p1", "p2"]}), None).values.tolist()
    [['people_pseudonymized', 2, 'people'], ['identity_columns', 1, 'columns'], ['rename', 1, 'columns']]
    """
    rows: list[dict[str, object]] = []
    log = log if log is not None else pd.DataFrame(columns=["action", "column", "source_file", "row"])
    known: set[str] = set()
    if participants is not None and not participants.empty:
        known = set(participants["pid"].astype(str))
        rows.append({"action": "people_pseudonymized", "count": len(known), "unit": "people"})
    pseud = log[log["action"] == "pseudonymize"]
    columns = pseud[pseud["column"].notna()]
    if not columns.empty:
        rows.append({"action": "identity_columns", "count": int(len(columns.drop_duplicates(["source_file", "column"]))),
                     "unit": "columns"})
    if responses is not None and not responses.empty:
        anonymous = set(responses["pid"].astype(str)) - known if known else set()
        if anonymous:
            rows.append({"action": "anonymous", "count": len(anonymous), "unit": "submissions"})
        att = attrition(responses)
        if not att.empty and int(att["n_baseline"].iloc[0] or 0) > 0:
            rows.append({"action": "linked", "count": int(att["n_linked"].iloc[0]), "unit": "people"})
    link = log[(log["action"] == "link") & log["row"].notna()]
    if not link.empty:
        rows.append({"action": "off_roster", "count": len(link), "unit": "people"})
    others = log[~log["action"].isin(["pseudonymize", "link"])]
    for action, sub in others.groupby("action", sort=False):
        unit = ACTION_UNITS.get(str(action), "entries")
        count = len(sub.drop_duplicates(["source_file", "column"])) if unit == "columns" else len(sub)
        rows.append({"action": str(action), "count": int(count), "unit": unit})
    return pd.DataFrame(rows, columns=["action", "count", "unit"])
