"""Feedback on the JSR guidelines, self-assessment tool and toolbox items.

Ratings are on the ``useful5`` scale (1 not at all useful … 5 extremely useful);
comments are free text, already scrubbed of personal data upstream (``privacy.py``) and
never rendered here. Comments are coded into themes with a keyword dictionary
(``config/themes.yaml``) matched on case- and accent-folded word stems, in English and
French.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..core.text import fold
from . import AnalysisError
from .suppress import suppress_small

__all__ = [
    "ToolDataError",
    "tokens",
    "tool_ratings",
    "rated_tools",
    "tool_comments",
    "comment_themes",
    "theme_counts",
    "comment_theme_counts",
]

OTHER = "other"


class ToolDataError(AnalysisError):
    """Tool-feedback input lacks a column, or a theme dictionary is malformed."""


def tokens(text: str) -> list[str]:
    """Folded words of a text (`core.text.fold`), split at anything that is not a letter
    or a digit.

    Examples
    --------
    >>> tokens("Le suivi-évaluation de l'échange")
    ['le', 'suivi', 'evaluation', 'de', 'l', 'echange']
    """
    return [t for t in re.split(r"[^0-9a-z]+", fold(text)) if t]


def tool_ratings(
    tool_feedback: pd.DataFrame,
    *,
    k: int,
    useful_min: float = 4,
) -> pd.DataFrame:
    """Usefulness ratings per tool, with small-n suppression.

    Parameters
    ----------
    tool_feedback : pandas.DataFrame
        Canonical ``tool_feedback`` table (pid, tool, rating 1–5, comment).
    k : int
        Minimum number of ratings for a tool's statistics to be shown
        (``settings.yaml`` ``privacy.min_cell_size``).
    useful_min : float, default 4
        Ratings at or above this count as useful (4 very useful, 5 extremely useful).

    Returns
    -------
    pandas.DataFrame
        ``tool, n, mean, median, share_useful, suppressed`` — one row per tool, sorted
        by tool; ``n`` counts non-missing ratings and is always shown; mean, median and
        share_useful are blank when ``n < k``.

    Examples
    --------
    >>> import pandas as pd
    >>> tf = pd.DataFrame({"pid": list("abcde"), "tool": ["guidelines"] * 3 + ["toolbox"] * 2,
    ...                    "rating": [5, 4, 2, 5, 5]})
    >>> print(tool_ratings(tf, k=3).to_string(index=False))
          tool  n     mean  median  share_useful  suppressed
    guidelines  3 3.666667     4.0      0.666667       False
       toolbox  2      NaN     NaN           NaN        True
    """
    missing = [c for c in ("tool", "rating") if c not in tool_feedback.columns]
    if missing:
        raise ToolDataError(f"tool_feedback lacks the column(s) {', '.join(missing)}")
    df = tool_feedback.loc[tool_feedback["tool"].notna()].copy()
    df["rating"] = pd.to_numeric(df["rating"], errors="coerce").astype("float64")
    rated = df.loc[df["rating"].notna()]
    tools = sorted(df["tool"].astype(str).unique())
    stats = rated.groupby(rated["tool"].astype(str))["rating"].agg(
        n="size", mean="mean", median="median",
        share_useful=lambda s: float(np.mean(s >= useful_min)),
    )
    out = stats.reindex(tools)
    out["n"] = out["n"].fillna(0).astype("int64")
    out = out.rename_axis("tool").reset_index()
    return suppress_small(out, n_col="n", k=k, value_cols=["mean", "median", "share_useful"])


def _keyword_table(themes: Mapping) -> dict[str, dict[str | None, list[tuple[list[str], list[bool]]]]]:
    """theme -> language (None: any) -> list of (stems, whole_word flags)."""
    if "themes" in themes and isinstance(themes["themes"], Mapping):
        themes = themes["themes"]
    table: dict[str, dict[str | None, list[tuple[list[str], list[bool]]]]] = {}
    for theme, spec in themes.items():
        keywords = spec.get("keywords", spec) if isinstance(spec, Mapping) else spec
        by_lang = keywords.items() if isinstance(keywords, Mapping) else [(None, keywords)]
        table[str(theme)] = {}
        for lang, words in by_lang:
            if isinstance(words, str) or not isinstance(words, Sequence):
                raise ToolDataError(f"theme {theme!r}: keywords must be a list (language {lang!r})")
            parsed = []
            for word in words:
                exact = str(word).rstrip().endswith("$")
                stems = tokens(str(word).rstrip().rstrip("$"))
                if stems:
                    parsed.append((stems, [False] * (len(stems) - 1) + [exact]))
            table[str(theme)][None if lang is None else str(lang)] = parsed
    return table


def _matches(words: list[str], stems: list[str], exact: list[bool]) -> bool:
    n = len(stems)
    for i in range(len(words) - n + 1):
        if all(
            words[i + j] == stems[j] if exact[j] else words[i + j].startswith(stems[j])
            for j in range(n)
        ):
            return True
    return False


def comment_themes(
    comments: pd.DataFrame,
    themes: Mapping,
    *,
    text_col: str = "text",
    lang_col: str = "lang",
    keep_cols: Sequence[str] | None = None,
    other: str = OTHER,
) -> pd.DataFrame:
    """Assign each comment to the themes whose keywords it contains.

    Parameters
    ----------
    comments : pandas.DataFrame
        One row per comment with a text column and optionally a language column.
    themes : mapping
        Theme dictionary: ``{theme: {"keywords": {lang: [stems]}}}`` (the ``themes``
        mapping of ``config/themes.yaml``, or the whole file), or ``{theme: [stems]}``
        for keywords in any language.
    text_col, lang_col : str
        Names of the text and language columns (``lang_col`` may be absent).
    keep_cols : sequence of str, optional
        Columns carried into the result; default those of ``round_id, pid, tool,
        instrument, item_id, wave`` present.
    other : str, default "other"
        Theme given to comments that match no keyword.

    Returns
    -------
    pandas.DataFrame
        Long: one row per comment × theme, ``comment`` (the input row label),
        ``*keep_cols, theme, matched`` (the keywords found, ``;``-separated),
        ``lang, text``. Empty comments are left out.

    Notes
    -----
    Dictionary-based coding: a keyword is a word stem matched at the start of a
    case- and accent-folded word (multi-word keywords on consecutive words; a trailing
    ``$`` asks for the whole word). The comment's language selects the keyword list;
    comments without a known language are matched against every language.

    References
    ----------
    .. [1] Krippendorff, K. (2018). *Content Analysis: An Introduction to Its
       Methodology* (4th ed.), ch. 8 (dictionary approaches). SAGE.

    Examples
    --------
    >>> import pandas as pd
    >>> themes = {"time": {"keywords": {"fr": ["durée", "trop court"]}},
    ...           "language": {"keywords": {"fr": ["tradu"]}},
    ...           "examples": {"keywords": {"en": ["case stud"]}}}
    >>> c = pd.DataFrame({"text": ["La traduction était trop lente, la durée trop courte",
    ...                            "Great case studies"], "lang": ["fr", "en"]})
    >>> comment_themes(c, themes)[["comment", "theme", "matched"]].values.tolist()
    [[0, 'time', 'duree; trop court'], [0, 'language', 'tradu'], [1, 'examples', 'case stud']]
    """
    if text_col not in comments.columns:
        raise ToolDataError(f"comments lack the text column {text_col!r}")
    table = _keyword_table(themes)
    if keep_cols is None:
        keep_cols = [c for c in ("round_id", "pid", "tool", "instrument", "item_id", "wave")
                     if c in comments.columns]
    rows = []
    for label, row in comments.iterrows():
        text = row[text_col]
        if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
            continue
        lang = row[lang_col] if lang_col in comments.columns else None
        lang = None if lang is None or (not isinstance(lang, str) and pd.isna(lang)) else str(lang)
        words = tokens(str(text))
        base = {"comment": label, **{c: row[c] for c in keep_cols}}
        found_any = False
        for theme, by_lang in table.items():
            if lang is not None and lang in by_lang:
                lists = [by_lang[lang]] + ([by_lang[None]] if None in by_lang else [])
            else:
                lists = list(by_lang.values())
            matched = []
            for keywords in lists:
                for stems, exact in keywords:
                    key = " ".join(stems)
                    if key not in matched and _matches(words, stems, exact):
                        matched.append(key)
            if matched:
                found_any = True
                rows.append({**base, "theme": theme, "matched": "; ".join(matched), "lang": lang, "text": text})
        if not found_any:
            rows.append({**base, "theme": other, "matched": "", "lang": lang, "text": text})
    columns = ["comment", *keep_cols, "theme", "matched", "lang", "text"]
    return pd.DataFrame(rows, columns=columns)


def theme_counts(
    assigned: pd.DataFrame,
    themes: Mapping,
    *,
    by: Sequence[str] = (),
    other: str = OTHER,
) -> pd.DataFrame:
    """How many comments mention each theme (every configured theme, zeros included).

    Parameters
    ----------
    assigned : pandas.DataFrame
        Output of :func:`comment_themes`.
    themes : mapping
        The theme dictionary used; fixes the theme list and order, ``other`` last.
    by : sequence of str
        Optional grouping columns carried in ``assigned`` (e.g. ``("tool",)``).

    Returns
    -------
    pandas.DataFrame
        ``*by, theme, n_comments, share`` where share = n_comments / number of
        comments (of the group). Shares add up to more than 1 when comments have several
        themes.

    Examples
    --------
    >>> import pandas as pd
    >>> themes = {"burden": ["too long"], "connectivity": ["internet"]}
    >>> c = pd.DataFrame({"text": ["too long", "internet kept dropping", "fine"]})
    >>> t = theme_counts(comment_themes(c, themes), themes)
    >>> t.loc[t["n_comments"] > 0, ["theme", "n_comments"]].values.tolist()
    [['burden', 1], ['connectivity', 1], ['other', 1]]
    """
    theme_dict = themes
    if "themes" in theme_dict and isinstance(theme_dict["themes"], Mapping):
        theme_dict = theme_dict["themes"]
    order = [str(t) for t in theme_dict] + [other]
    extra = sorted(set(assigned["theme"]) - set(order)) if len(assigned) else []
    order += extra
    by = list(by)
    groups = [()] if not by else list(assigned[by].drop_duplicates().itertuples(index=False, name=None))
    rows = []
    for key in groups:
        sub = assigned
        for col, value in zip(by, key, strict=True):
            sub = sub.loc[sub[col].isna()] if pd.isna(value) else sub.loc[sub[col] == value]
        n_total = sub["comment"].nunique()
        counts = sub.groupby("theme")["comment"].nunique()
        for theme in order:
            n = int(counts.get(theme, 0))
            rows.append({**dict(zip(by, key, strict=True)), "theme": theme, "n_comments": n,
                         "share": n / n_total if n_total else float("nan")})
    return pd.DataFrame(rows, columns=[*by, "theme", "n_comments", "share"])


def rated_tools(ratings: pd.DataFrame) -> pd.DataFrame:
    """The rows of `tool_ratings` with at least one rating (comment-only rows, such as
    general remarks, are not tools)."""
    return ratings[ratings["n"].fillna(0) > 0].reset_index(drop=True)


def tool_comments(tool_feedback: pd.DataFrame | None, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comments on the tools: ``tool_feedback.comment``, else the free-text answers of the
    tool-feedback survey (``responses``, instrument ``tool_feedback``).

    Returns
    -------
    pandas.DataFrame
        ``pid, tool, comment`` (``tool`` missing for survey answers), non-blank comments only.
    """
    tf = tool_feedback if tool_feedback is not None else pd.DataFrame(columns=["pid", "tool", "comment"])
    comments = tf[tf["comment"].notna() & tf["comment"].astype(str).str.strip().ne("")] if "comment" in tf else tf.head(0)
    if comments.empty and responses is not None and len(responses):
        texts = responses[(responses["instrument"] == "tool_feedback") & responses["text"].notna()]
        texts = texts[texts["text"].astype(str).str.strip().ne("")]
        comments = pd.DataFrame({"pid": texts["pid"], "tool": pd.NA, "comment": texts["text"]})
    return comments


def comment_theme_counts(comments: pd.DataFrame, themes: Mapping) -> pd.DataFrame:
    """Themes mentioned at least once in `tool_comments`, most frequent first
    (`theme_counts` of `comment_themes`)."""
    assigned = comment_themes(comments.rename(columns={"comment": "text"}), themes)
    counts = theme_counts(assigned, themes)
    return counts[counts["n_comments"] > 0].sort_values("n_comments", ascending=False, kind="stable")
