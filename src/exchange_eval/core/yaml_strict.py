"""YAML that cannot surprise: no anchors or aliases, no duplicate keys, no tags, dates as text.

``yaml.safe_load`` builds no arbitrary objects, but it still accepts what a hand-written
round manifest or settings file never needs and an attacker can use:

* anchors and aliases (``&a`` / ``*a``): a 1.4 kB "billion laughs" document expands into
  gigabytes as soon as anything walks it. `StrictLoader` refuses the first anchor or alias
  it meets, before anything is built, so such a file is refused in microseconds;
* duplicate keys, which PyYAML resolves silently by keeping the last (a second
  ``sources:`` quietly drops the first list): refused, naming both lines;
* merge keys (``<<``) and explicit tags (``!!python/...``, ``!!timestamp``): refused;
* timestamps: an impossible date (``2025-02-30``) makes PyYAML raise a bare ``ValueError``
  while it builds the document; here dates stay text, checked by the reader of the field.

`ManifestLoader` also reads booleans the YAML 1.2 way (only ``true`` / ``false``), so a
country code ``NO`` (Norway) or ``ON`` stays text. Every refusal is a
`yaml.MarkedYAMLError` carrying its line, like any YAML syntax error.

Mappings come back as `LineDict` and sequences as `LineList`: plain ``dict`` / ``list``
that also know the line of each key or item (``.lines``), so a reader can point at the
line of a bad value.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

__all__ = ["LineDict", "LineList", "ManifestLoader", "StrictLoader", "StrictYAMLError", "load_strict"]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"


class StrictYAMLError(yaml.MarkedYAMLError):
    """A construct `StrictLoader` refuses (alias, anchor, duplicate key, merge key, tag)."""


class LineDict(dict):
    """A mapping read from YAML; ``lines[key]`` is the 1-based line of each key."""

    lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {}


class LineList(list):
    """A sequence read from YAML; ``lines[i]`` is the 1-based line of item ``i``."""

    lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lines = []


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without anchors, aliases, duplicate keys, merge keys or tags;
    timestamps are left as text."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise StrictYAMLError(None, None, "anchors and aliases (&name, *name) are not allowed here; "
                                  "write the value out", event.start_mark)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag not in (None, "!", _STR):
            implicit = event.implicit[0] if isinstance(event, ScalarEvent) else event.implicit
            if not implicit:
                raise StrictYAMLError(None, None, f"tags such as {event.tag!r} are not allowed here",
                                      event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        seen: dict[Any, Any] = {}
        for key_node, _value_node in node.value:
            if key_node.tag == _MERGE:
                raise StrictYAMLError(None, None, "merge keys (<<) are not allowed here", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                raise StrictYAMLError(None, None, "a key must be a plain value, not a list or mapping",
                                      key_node.start_mark) from None
            if first is not None:
                raise StrictYAMLError(f"key {key!r} first given", first.start_mark,
                                      f"key {key!r} is given twice in one mapping (the first would be lost)",
                                      key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _construct_map(loader: StrictLoader, node: Any) -> Any:
    data = LineDict()
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, _value in node.value:
        data.lines.setdefault(loader.construct_object(key_node), key_node.start_mark.line + 1)


def _construct_seq(loader: StrictLoader, node: Any) -> Any:
    data = LineList()
    yield data
    data.extend(loader.construct_sequence(node))
    data.lines = [item.start_mark.line + 1 for item in node.value]


def _construct_text(loader: StrictLoader, node: Any) -> str:
    return loader.construct_scalar(node)


StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
StrictLoader.add_constructor(_TIMESTAMP, _construct_text)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ManifestLoader(StrictLoader):
    """`StrictLoader` with YAML 1.2 booleans: only ``true`` and ``false`` (any case)."""


ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in StrictLoader.yaml_implicit_resolvers.items()
}
ManifestLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_strict(text: str, loader: type[StrictLoader] = StrictLoader) -> Any:
    """Parse ``text`` with ``loader`` (`StrictLoader` or `ManifestLoader`).

    Raises
    ------
    yaml.YAMLError
        For a syntax error or a refused construct (`StrictYAMLError`); values PyYAML cannot
        build (``!!int`` of a word, nesting too deep) come back as a `yaml.YAMLError` too.

    Examples
    --------
    >>> data = load_strict("round: r1\\ndate: 2025-02-30\\ncountries: [NO, SEN]\\n", ManifestLoader)
    >>> data["date"], data["countries"], data.lines["date"]
    ('2025-02-30', ['NO', 'SEN'], 2)
    >>> try:
    ...     load_strict("a: &x [1]\\nb: *x\\n")
    ... except StrictYAMLError as exc:
    ...     print(exc.problem, "(line", exc.problem_mark.line + 1, ")")
    anchors and aliases (&name, *name) are not allowed here; write the value out (line 1 )
    """
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise yaml.YAMLError(f"cannot read a value: {exc}") from None
