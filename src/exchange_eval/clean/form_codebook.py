"""An XLSForm as codebook: its questions as codebook entries, its choice lists as coded lists.

`FormCodebook` turns the `Form` s of a round (`exchange_eval.clean.forms.read_form`) into
what the `Codebook` needs:

* **Choice lists, coded.** A select_one list is coded by its choice names when they are
  all numbers (the evaluator's own codes), else 1, 2, … in list order — from the last
  choice up when the list is written from the top of the scale down (``forms.yaml``
  ``scale_anchors``), so a higher code always means more. Choices whose name or label is
  a missing code (``missing_codes.yaml``: "Ne sait pas", "NSP", …) are missing, not
  levels. A select_multiple list keeps the choice names as option codes (one 0/1 response
  per option, "other" included). A list whose name another form or ``choices.yaml`` uses
  for other choices is renamed ``<list>@<form file stem>``.
* **Questions, by every name an export may give them.** Each question is matched by its
  XML path (``group/name``, as XML-values exports head it; ``-`` and ``.`` joined too),
  by its name alone, and by its label in every language with its groups' labels in front
  (Kobo "labels" exports, ``/``, ``-`` or ``.`` joined); a select_multiple option column
  by the question's key and the option's name or label. A question whose label or name
  says it is a person's e-mail, name or phone becomes an identity field (used for the
  pseudonym, then dropped); one whose label names a respondent field (Pays, Sexe, …) that
  field; metadata types (start, end, calculate, …) metadata.
* **Item ids.** A question's id is its name, or the standard item (``instruments.yaml``)
  it asks: named in the survey column ``item``, or with a standard item's id or label. A
  question whose label (or, for a then-test question, its label after the retro marker)
  is the label of an earlier question of the same instrument in this round takes that
  question's id, so pre and post forms whose names differ still pair.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.config import Config
from ..core.text import fold
from .codebook import (
    FIELD_ROLES,
    Codebook,
    CodebookEntry,
    form_key,
    normalize_code,
    normalize_label,
)
from .forms import Form, FormChoice, FormQuestion

__all__ = ["FormCodebook", "coded_levels"]

_SEPARATORS = ("/", "-", ".")
_KINDS = ("select_one", "select_multiple", "text", "integer")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _starts(label: str, words: list[str]) -> bool:
    folded = fold(label).strip()
    return any(folded.startswith(fold(str(w))) for w in words)


def coded_levels(choices: list[FormChoice], *, multiple: bool, is_missing: Callable[[str], bool],
                 anchors: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str]:
    """The levels of a form's choice list as the codebook holds them, and how they were coded.

    Each level is ``{"value": code, "name": xml_name, "label_<lang>": text, …,
    "missing": bool}``. ``how`` is ``options`` (select_multiple: codes are the names),
    ``names`` (numeric names are the codes), ``order`` (1, 2, … in list order) or
    ``reversed`` (the list runs from the top of the scale down: its last choice is 1).

    Examples
    --------
    >>> choices = [FormChoice("tf", {"fr": "Tout à fait d'accord"}), FormChoice("pa", {"fr": "Plutôt d'accord"}),
    ...            FormChoice("pd", {"fr": "Pas du tout d'accord"}), FormChoice("nsp", {"fr": "Ne sait pas"})]
    >>> levels, how = coded_levels(choices, multiple=False, is_missing=lambda t: t in ("nsp", "ne sait pas"),
    ...                            anchors={"high": ["tout a fait"], "low": ["pas du tout"]})
    >>> how, [(lv["name"], lv["value"]) for lv in levels]
    ('reversed', [('tf', 3), ('pa', 2), ('pd', 1), ('nsp', None)])
    """
    levels: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for choice in choices:
        texts = [choice.name, *choice.labels.values()]
        missing = any(is_missing(t) for t in texts)
        level: dict[str, Any] = {"value": None, "name": choice.name, "missing": missing}
        level.update({f"label_{lang}": text for lang, text in choice.labels.items()})
        levels.append(level)
        if not missing:
            kept.append(level)
    if multiple:
        for level in levels:
            level["value"] = level["name"]
        return levels, "options"
    if kept and all(_is_number(level["name"]) for level in kept):
        for level in kept:
            number = float(level["name"])
            level["value"] = int(number) if number.is_integer() else number
        return levels, "names"

    def labels_of(level: dict[str, Any]) -> list[str]:
        return [str(v) for k, v in level.items() if k.startswith("label_")]

    descending = len(kept) >= 2 and any(_starts(t, anchors.get("high") or []) for t in labels_of(kept[0])) and any(
        _starts(t, anchors.get("low") or []) for t in labels_of(kept[-1]))
    for position, level in enumerate(kept, start=1):
        level["value"] = len(kept) + 1 - position if descending else position
    return levels, "reversed" if descending else "order"


def _same_levels(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def key(levels: list[dict[str, Any]]) -> list[tuple]:
        return [(normalize_code(lv.get("value")), bool(lv.get("missing")),
                 tuple(sorted((k, normalize_label(v)) for k, v in lv.items() if k.startswith("label"))))
                for lv in levels]

    return key(a) == key(b)


class FormCodebook:
    """The forms of one round as codebook entries and choice lists.

    Parameters
    ----------
    forms
        The round's forms, in manifest order (a form used by several sources once).
    defaults
        The default codebook (`exchange_eval.clean.codebook_files.load_codebook` without
        a path): its respondent fields and standard items are what form questions may be.
    config
        The data folder's configuration (``forms.yaml``, instruments' outcomes).
    retro_markers
        The retro markers of ``instruments.yaml`` (normalised).
    """

    def __init__(self, forms: list[Form], defaults: Codebook, config: Config) -> None:
        self.defaults = defaults
        self.config = config
        spec = config.file("forms.yaml") or {}
        self._types: dict[str, dict[str, str]] = spec.get("question_types") or {}
        self._anchors: dict[str, list[str]] = spec.get("scale_anchors") or {}
        self._identity = {fold(str(n)).strip(): role for role, names in (spec.get("identity_names") or {}).items()
                          for n in names or []}
        self._outcomes: dict[str, str] = {}
        for outcome in config.instruments.get("outcomes") or []:
            for key, value in outcome.items():
                if key == "id" or key.startswith("label"):
                    self._outcomes[normalize_label(value)] = str(outcome["id"])
        self.notes: list[tuple[Path, int | None, str]] = []  # (form, row, message): warnings
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.coding: dict[str, str] = {}  # list name -> how it was coded
        self._list_of: dict[tuple[Path, str, bool], str] = {}
        self._items: dict[tuple[str, str], str] = {}  # (instrument, folded label) -> item id
        self._entries: dict[tuple[Path, str], list[CodebookEntry]] = {}
        for form in forms:
            self._name_lists(form)

    # ---------------------------------------------------------------- lists
    def _name_lists(self, form: Form) -> None:
        uses: dict[str, set[bool]] = {}
        for question in form.questions:
            kind = self._kind(question)
            if question.list_name and kind in ("select_one", "select_multiple"):
                uses.setdefault(question.list_name, set()).add(kind == "select_multiple")
        for list_name, kinds in uses.items():
            for multiple in sorted(kinds):
                levels, how = coded_levels(form.lists.get(list_name, []), multiple=multiple,
                                           is_missing=self.defaults.is_missing_code, anchors=self._anchors)
                base = list_name if len(kinds) == 1 or not multiple else f"{list_name}.options"
                name = base
                taken = self.lists.get(name) or self.defaults.choices.get(name)
                if taken is not None and not _same_levels(taken, levels):
                    name = f"{base}@{form.path.stem}"
                self.lists[name] = levels
                self.coding[name] = how
                self._list_of[(form.path, list_name, multiple)] = name

    def list_name(self, form: Form, question: FormQuestion) -> str | None:
        """The codebook name of a question's choice list."""
        if not question.list_name:
            return None
        multiple = self._kind(question) == "select_multiple"
        return self._list_of.get((form.path, question.list_name, multiple))

    # ---------------------------------------------------------------- questions
    def _kind(self, question: FormQuestion) -> str | None:
        spec = self._types.get(question.type)
        if spec is None:
            return "text"
        return spec.get("kind")

    def _field_role(self, question: FormQuestion) -> str | None:
        """The respondent field a question is: by its type, its name, or a label."""
        spec = self._types.get(question.type) or {}
        if spec.get("role"):
            return str(spec["role"])
        kind = self._kind(question)
        if kind in ("text", "select_one"):
            role = self._identity.get(fold(question.name).strip())
            if role is not None:
                return role
            for text in (question.name, *question.labels.values()):
                role = self.defaults.field_role(text)
                if role is not None:
                    return role
        return None

    def _retro(self, question: FormQuestion) -> tuple[bool, dict[str, str]]:
        """Whether a question is a then-test one, and its labels without the marker."""
        if normalize_label(question.columns.get("wave", "")) == "retro":
            return True, question.labels
        stripped: dict[str, str] = {}
        retro = False
        for language, label in question.labels.items():
            rest = self.defaults.strip_retro(label)
            if rest is not None:
                retro = True
                stripped[language] = rest
            else:
                stripped[language] = label
        for group in question.group_labels:
            if any(self.defaults.strip_retro(label) is not None for label in group.values()):
                retro = True
        return retro, stripped

    def _outcome(self, form: Form, question: FormQuestion) -> str | None:
        value = question.columns.get("outcome")
        if value is None:
            return None
        outcome = self._outcomes.get(normalize_label(value))
        if outcome is None:
            known = ", ".join(sorted(set(self._outcomes.values())))
            self.notes.append((form.path, question.row, f"outcome {value!r} of question {question.name!r} is not "
                               f"one of {known}: the question is reported on its own"))
        return outcome

    def _item_id(self, question: FormQuestion, instrument: str, labels: dict[str, str],
                 retro: bool) -> tuple[str, CodebookEntry | None]:
        """The item id of a question, and the standard item it asks (if any)."""
        named = question.columns.get("item")
        if named:
            return named, self.defaults.item(named)
        standard = self.defaults.item(question.name)
        if standard is not None:
            return question.name, standard
        for label in labels.values():
            standard = self.defaults.standard_item(label, instrument)
            if standard is not None:
                return str(standard.item_id), standard
        for label in labels.values():
            earlier = self._items.get((instrument, normalize_label(label)))
            if earlier is not None and (earlier != question.name or retro):
                return earlier, None
        return question.name, None

    def entries(self, form: Form, instrument: str) -> list[CodebookEntry]:
        """The codebook entries of a form's questions for a source of ``instrument``:
        every key an export may head a column with, in form order."""
        cached = self._entries.get((form.path, instrument))
        if cached is not None:
            return cached
        entries: list[CodebookEntry] = []
        answers: list[tuple[FormQuestion, bool, dict[str, str]]] = []
        for question in form.questions:
            if question.repeat:
                continue
            role = self._field_role(question)
            if role is not None:
                list_name = self.list_name(form, question) if self._kind(question) == "select_one" else None
                base = CodebookEntry(source=question.path, role=role if role in FIELD_ROLES else "ignore",
                                     origin="form", form=form.file, form_list=list_name,
                                     order=question.order, labels=tuple(question.labels.items()))
                entries.extend(self._keyed(form, question, base))
                continue
            retro, labels = self._retro(question)
            answers.append((question, retro, labels))
        # questions first, then-test questions after: these pair with the questions they repeat
        for question, retro, labels in sorted(answers, key=lambda a: a[1]):
            kind = self._kind(question) or "text"
            item_id, standard = self._item_id(question, instrument, labels, retro)
            if not retro:
                for label in labels.values():
                    self._items.setdefault((instrument, normalize_label(label)), item_id)
            base = CodebookEntry(
                source=question.path, role="item", item_id=item_id,
                instrument=standard.instrument if standard is not None and standard.instrument else instrument,
                outcome=self._outcome(form, question) or (standard.outcome if standard is not None else None),
                choices=self.list_name(form, question), type=kind if kind in _KINDS else "text",
                tool=question.columns.get("tool") or (standard.tool if standard is not None else None),
                wave="retro" if retro else None, origin="form", form=form.file, order=question.order,
                labels=tuple(labels.items()))
            entries.extend(self._keyed(form, question, base))
            if kind == "select_multiple" and base.choices:
                for level in self.lists.get(base.choices, []):
                    option = dataclasses.replace(base, option=normalize_code(level["value"]))
                    names = [str(level["name"])] + [str(v) for k, v in level.items() if k.startswith("label_")]
                    entries.extend(self._keyed(form, question, option, suffixes=names))
        self._entries[(form.path, instrument)] = entries
        return entries

    @staticmethod
    def _keyed(form: Form, question: FormQuestion, base: CodebookEntry,
               suffixes: list[str] | None = None) -> list[CodebookEntry]:
        """``base`` under every header an export may give the question (or its option)."""
        paths: list[list[str]] = []
        names = [*question.groups, question.name]
        for start in range(len(names)):
            paths.append(names[start:])
        languages = set(question.labels)
        for group in question.group_labels:
            languages |= set(group)
        for language in sorted(languages):
            label = question.labels.get(language) or next(iter(question.labels.values()), None)
            if not label:
                continue
            groups = [g.get(language) or next(iter(g.values()), None) or name
                      for g, name in zip(question.group_labels, question.groups, strict=True)]
            full = [*groups, label]
            for start in range(len(full)):
                paths.append(full[start:])
        keys: dict[str, None] = {}
        for parts in paths:
            for separator in _SEPARATORS if len(parts) > 1 or suffixes else ("/",):
                if suffixes is None:
                    keys[form_key(separator.join(parts))] = None
                else:
                    for suffix in suffixes:
                        keys[form_key(separator.join([*parts, suffix]))] = None
        return [dataclasses.replace(base, source=key) for key in keys if key]
