"""The round's data dictionary: every item of ``responses`` with its wording, every choice list.

The question wording must reach the reports, so cleaning stores it beside the answers:
``items`` (one row per instrument and item: type, choice list, outcome, group and label in
English and French) and ``item_choices`` (each list's choices in the order the form lists
them, with the value stored in ``responses``, their labels and whether they mean "no
answer"). The wording comes, in this order, from the XLSForm (its label in each language;
none when the form lacks a language), a round codebook's ``label_xx`` columns, the
standard questionnaire (``instruments.yaml``), and finally the export itself: the
variable label (Stata, SPSS) or the header, as the source's language.
"""

from __future__ import annotations

from typing import Any

from .codebook import Codebook, CodebookEntry, normalize_code
from .context import RoundContext
from .sources import SourceTable, source_key

__all__ = ["LANGUAGES", "data_dictionary"]

#: the languages the dictionary stores labels in (the reports' languages)
LANGUAGES = ("en", "fr")


def _standard_labels(ctx: RoundContext) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for spec in (ctx.config.instruments.get("instruments") or {}).values():
        for item in spec.get("items") or []:
            labels[str(item["id"])] = {k[len("label_"):]: str(v) for k, v in item.items()
                                      if k.startswith("label_") and v}
    return labels


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def data_dictionary(ctx: RoundContext, tables: dict[str, SourceTable]) -> tuple[list[dict], list[dict]]:
    """The ``items`` and ``item_choices`` rows of a round, from what each source's columns
    were mapped to (``ctx.mappings``), in manifest order and, within a source, in form
    order (else column order)."""
    standard = _standard_labels(ctx)
    items: dict[tuple[str, str], dict[str, Any]] = {}
    lists: dict[str, tuple[Codebook, list[dict]]] = {}
    for source in ctx.manifest.sources:
        table = tables.get(source_key(source))
        mapping = ctx.mappings.get(source.file)
        if table is None or not mapping:
            continue
        language = source.language or ctx.manifest.language
        form = ctx.forms.get(source.form) if source.form is not None else None
        questions = {q.order: q for q in form.questions} if form is not None else {}
        entries = [(position, column, entry) for position, (column, entry) in enumerate(mapping.items())
                   if entry.role == "item"]
        entries.sort(key=lambda e: (e[2].order if e[2].order is not None else 10**6, e[0]))
        for _position, column, entry in entries:
            instrument = entry.instrument or source.instrument
            if instrument == "ties" or not entry.item_id:
                continue
            key = (instrument, entry.item_id)
            found = items.get(key)
            if found is not None and (entry.retro or not found["_retro"]):
                continue  # worded already (a then-test question only until its question is met)
            labels, groups = _wording(ctx, table, column, entry, standard, language)
            question = questions.get(entry.order) if entry.order is not None else None
            row = {
                "round_id": ctx.round_id, "instrument": instrument, "item_id": entry.item_id,
                "type": entry.type or "text", "form_type": question.type if question is not None else None,
                "list_name": entry.choices, "outcome": entry.outcome, "standard": entry.item_id in standard,
                "order": found["order"] if found is not None else len(items) + 1,
                "source_file": source.file, "form": entry.form, "_retro": entry.retro,
            }
            for lang in LANGUAGES:
                row[f"label_{lang}"] = labels.get(lang)
                row[f"group_{lang}"] = groups.get(lang)
            items[key] = row
            if entry.choices and entry.choices not in lists:
                lists[entry.choices] = (table.codebook, table.codebook.choices.get(entry.choices, []))
    item_rows = []
    for row in items.values():
        row.pop("_retro", None)
        item_rows.append(row)
    choice_rows = []
    for list_name, (_codebook, levels) in lists.items():
        for order, level in enumerate(levels, start=1):
            missing = bool(level.get("missing"))
            choice_rows.append({
                "round_id": ctx.round_id, "list_name": list_name, "order": order,
                "name": str(level.get("name", normalize_code(level.get("value")))),
                "value": None if missing else _number(level.get("value")),
                "is_missing": missing,
                **{f"label_{lang}": _first(level.get(f"label_{lang}")) for lang in LANGUAGES},
            })
    return item_rows, choice_rows


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def _wording(ctx: RoundContext, table: SourceTable, column: str, entry: CodebookEntry,
             standard: dict[str, dict[str, str]], language: str) -> tuple[dict[str, str], dict[str, str]]:
    """An item's label and group by language (see the module docstring for the order)."""
    groups: dict[str, str] = {}
    if entry.labels:
        labels = dict(entry.labels)
        if entry.form is not None and entry.order is not None:
            form = next((f for f in ctx.forms.values() if f.file == entry.form), None)
            question = next((q for q in form.questions if q.order == entry.order), None) if form else None
            if question is not None and question.group_labels:
                for lang in LANGUAGES:
                    names = [g.get(lang) for g in question.group_labels]
                    if any(names):
                        groups[lang] = " / ".join(n for n in names if n)
        return labels, groups
    if entry.item_id in standard:
        return standard[entry.item_id], groups
    header = table.raw.column_labels.get(column) or column
    if entry.option is not None and "/" in header:
        header = header.rsplit("/", 1)[0]  # a split option column: the question is before the option
    return {language: header}, groups
