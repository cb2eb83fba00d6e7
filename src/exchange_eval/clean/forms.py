"""XLSForms: an evaluator's own KoboToolbox / ODK questionnaire, read with pyxform.

A source of ``round.yaml`` may name the XLSForm its export came from (``form:``). The
form is read by pyxform, the ODK project's own XLSForm library (`pyxform.xls2json`:
the same parsing Kobo and ODK Central run when a form is uploaded), so a form they accept
is read the way they read it: the survey sheet's questions with their types, names,
groups and labels in every language (``label::Français (fr)``, ``label::English (en)``,
plain ``label``), the choices sheet's lists in their order, ``settings.default_language``,
and ``or_other`` expanded. What a question becomes (an answer of which kind, or a
metadata / identity field) and which optional survey columns mean what is configuration
(``config/forms.yaml``).

`read_form` returns a `Form`; `exchange_eval.clean.form_codebook` turns it into codebook
entries and choice lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.config import Config
from ..core.errors import DataError, ProblemCode
from ..core.text import fold
from .cells import cell_text

__all__ = ["Form", "FormChoice", "FormQuestion", "language_code", "read_form"]

_BRACKETED = re.compile(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]{2,4})?\)\s*$")
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")


@dataclass(frozen=True)
class FormChoice:
    """One choice of a list: its XML name (what an XML-values export holds) and its labels
    by language code."""

    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class FormQuestion:
    """One question of the survey sheet.

    ``type`` is the XLSForm type as pyxform names it (``select one``, ``text``,
    ``start``, …); ``groups`` the names of the groups (and repeats) around it, outside in,
    with their labels in ``group_labels``; ``list_name`` the choice list of a select;
    ``columns`` the optional survey columns of ``forms.yaml`` (``outcome``, ``item``,
    ``wave``, ``tool``) that are filled in; ``order`` its position among the form's
    questions and ``row`` its line in the survey sheet; ``repeat`` whether it sits in a
    repeat (its answers are then in a repeat sheet, not in the main export).
    """

    name: str
    type: str
    labels: dict[str, str]
    groups: tuple[str, ...] = ()
    group_labels: tuple[dict[str, str], ...] = ()
    list_name: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    order: int = 0
    row: int | None = None
    repeat: bool = False

    @property
    def path(self) -> str:
        """The question's XML path under the form root: ``group/subgroup/name``."""
        return "/".join((*self.groups, self.name))


@dataclass
class Form:
    """An XLSForm as read: its questions in order, its choice lists, its languages.

    ``default_language`` is the language code of unlabelled ``label`` columns
    (``settings.default_language``, else the round's language); ``languages`` every
    language the form has labels in.
    """

    path: Path
    title: str | None
    default_language: str
    languages: tuple[str, ...]
    questions: list[FormQuestion]
    lists: dict[str, list[FormChoice]]
    warnings: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.path.name


def language_code(name: str, known: dict[str, list[str]], default: str) -> str:
    """The language code of a label column's language name.

    ``Français (fr)`` gives ``fr`` (the bracketed code wins); ``French`` or ``Anglais``
    are looked up in ``known`` (``forms.yaml`` ``languages``); ``default`` (pyxform's name
    for a plain ``label``) and an empty name give ``default``; anything else is kept,
    folded.

    Examples
    --------
    >>> known = {"fr": ["francais", "french"], "en": ["english"]}
    >>> language_code("Français (fr)", known, "en"), language_code("English", known, "fr")
    ('fr', 'en')
    >>> language_code("default", known, "fr"), language_code("Wolof", known, "fr")
    ('fr', 'wolof')
    """
    text = (name or "").strip()
    bracketed = _BRACKETED.search(text)
    if bracketed:
        return bracketed.group(1).lower()
    folded = fold(text).strip()
    if not folded or folded == "default":
        return default
    for code, names in known.items():
        if folded in {fold(str(n)).strip() for n in names}:
            return str(code)
    return folded


def _labels(value: Any, known: dict[str, list[str]], default: str) -> dict[str, str]:
    """pyxform's label (a text, or language name -> text) as language code -> text."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        text = cell_text(value)
        return {default: text} if text else {}
    labels: dict[str, str] = {}
    for language, text in value.items():
        text = cell_text(text)
        if text:
            labels.setdefault(language_code(str(language), known, default), text)
    return labels


def _column_names(config: Config) -> dict[str, str]:
    """Folded survey-column header -> meaning (``outcome``, ``item``, ``wave``, ``tool``)."""
    names: dict[str, str] = {}
    for meaning, headers in (config.file("forms.yaml").get("survey_columns") or {}).items():
        for header in [meaning, *(headers or [])]:
            names[re.sub(r"[\s_]+", " ", fold(str(header))).strip()] = str(meaning)
    return names


def _pyxform_error(path: Path, message: str) -> DataError:
    row = _ROW.search(message)
    return DataError(f"the XLSForm cannot be read by pyxform: {message.strip()} (fix the form as Kobo "
                     "or ODK Central would ask, then export again if needed)", file=path,
                     row=int(row.group(1)) if row else None, code=ProblemCode.FORM)


def read_form(path: str | Path, *, config: Config | None = None, language: str = "en") -> Form:
    """Read an XLSForm (``.xlsx``, ``.xls``, ``.csv`` or ``.md``, as pyxform reads them).

    Parameters
    ----------
    path
        The form file.
    config
        The data folder's configuration (``forms.yaml``); default the package's.
    language
        The language of plain ``label`` columns when the form's settings sheet names no
        ``default_language`` (the round's language).

    Returns
    -------
    Form

    Raises
    ------
    DataError
        When the file is missing or pyxform refuses the form (its message, with the
        survey-sheet row it names).
    """
    from pyxform.errors import PyXFormError  # imported on use: a round without forms never needs it
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    config = config if config is not None else Config()
    if not path.is_file():
        raise DataError("the XLSForm named by `form:` does not exist", file=path, code=ProblemCode.FILE_NOT_FOUND)
    known = config.file("forms.yaml").get("languages") or {}
    warnings: list[str] = []
    try:
        workbook = get_xlsform(str(path))
        settings = (workbook.settings or [{}])[0] if workbook.settings else {}
        parsed = workbook_to_json(workbook, warnings=warnings)
    except PyXFormError as exc:
        raise _pyxform_error(path, str(exc)) from None
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise DataError(f"the XLSForm cannot be read: {exc}", file=path, code=ProblemCode.FORM) from None
    stated = cell_text(settings.get("default_language")) if isinstance(settings, dict) else None
    default = language_code(stated, known, language) if stated else language

    rows: dict[str, int] = {}
    for number, row in enumerate(workbook.survey or [], start=2):
        name = cell_text(row.get("name")) if isinstance(row, dict) else None
        if name:
            rows.setdefault(name, number)
    meanings = _column_names(config)
    questions: list[FormQuestion] = []
    languages: dict[str, None] = {}

    def walk(children: list[dict], groups: tuple[str, ...], group_labels: tuple[dict[str, str], ...],
             repeat: bool) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            labels = _labels(child.get("label"), known, default)
            languages.update(dict.fromkeys(labels))
            if kind in ("group", "repeat") or "children" in child and kind not in ("select one", "select all that apply"):
                walk(child.get("children") or [], (*groups, name), (*group_labels, labels),
                     repeat or kind == "repeat")
                continue
            columns: dict[str, str] = {}
            for header, value in child.items():
                meaning = meanings.get(re.sub(r"[\s_]+", " ", fold(str(header))).strip())
                text = cell_text(value) if not isinstance(value, dict | list) else None
                if meaning and text:
                    columns[meaning] = text
            questions.append(FormQuestion(
                name=name, type=kind, labels=labels, groups=groups, group_labels=group_labels,
                list_name=cell_text(child.get("list_name") or child.get("itemset")),
                columns=columns, order=len(questions) + 1, row=rows.get(name), repeat=repeat))

    walk(parsed.get("children") or [], (), (), False)
    lists: dict[str, list[FormChoice]] = {}
    for list_name, choices in (parsed.get("choices") or {}).items():
        lists[str(list_name)] = [FormChoice(str(c.get("name")), _labels(c.get("label"), known, default))
                                 for c in choices if cell_text(c.get("name")) is not None]
        for choice in lists[str(list_name)]:
            languages.update(dict.fromkeys(choice.labels))
    for question in questions:  # older pyxform: choices only under their questions
        if question.list_name and question.list_name not in lists:
            lists[question.list_name] = []
    title = cell_text(parsed.get("title"))
    return Form(path=path, title=title, default_language=default, languages=tuple(languages),
                questions=questions, lists=lists, warnings=[str(w) for w in warnings])
