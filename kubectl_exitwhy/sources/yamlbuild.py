"""Python values built from a YAML parser's events, as PyYAML's SafeLoader builds them.

PyYAML composes a whole document into nodes before it builds anything: for kubectl's output the
nodes take 30 times the text's size (440 MB for a 14 MB file), and a node met through an alias
is only a reference, so a "billion laughs" looks small until something walks it. Built here
from the events: a scalar, sequence or mapping as SafeConstructor makes it (the loader's own
constructors for tagged and implicit scalars), merge keys (``<<``) as ``flatten_mapping``
merges them, ``!!set``, ``!!omap`` and ``!!pairs``; an alias is the very object its anchor
made, counted as every node it stands for; and an alias inside its own anchor is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE, _VALUE = (_T + t for t in ("str", "seq", "map", "merge", "value"))
_SET, _OMAP, _PAIRS = (_T + t for t in ("set", "omap", "pairs"))


@dataclass
class Budget:
    """How many nodes (an alias counting as all of its anchor's) and how deep a stream may be."""

    nodes: int
    depth: int

    class Nodes(Exception):
        pass

    class Depth(Exception):
        pass

    class Recursive(Exception):
        pass


class _Merge:
    """The ``<<`` key: what follows it is merged into the mapping."""


_MERGE_KEY = _Merge()


class _Open:
    """A sequence or mapping being built."""

    __slots__ = ("items", "pairs", "tag", "anchor", "start", "mark", "key", "keyed", "merges")

    def __init__(self, event: Any, mapping: bool, start: int) -> None:
        self.items: list[Any] = []
        self.pairs: Optional[dict[Any, Any]] = {} if mapping else None
        self.tag = event.tag if event.tag not in (None, "!") else (_MAP if mapping else _SEQ)
        self.anchor = event.anchor
        self.start = start
        self.mark = event.start_mark
        self.key: Any = None
        self.keyed = False
        self.merges: list[Any] = []

    def add(self, value: Any) -> None:
        if value is _MERGE_KEY and (self.pairs is None or self.keyed):
            raise self._error(f"could not determine a constructor for the tag {_MERGE!r}")
        if self.pairs is None:
            self.items.append(value)
        elif not self.keyed:
            self.key, self.keyed = value, True
        else:
            self.keyed = False
            if self.key is _MERGE_KEY:
                self.merges.append(value)
                return
            try:
                self.pairs[self.key] = value
            except TypeError:
                raise self._error("found unhashable key") from None

    def value(self) -> Any:
        if self.pairs is None:
            if self.tag == _SEQ:
                return self.items
            if self.tag in (_OMAP, _PAIRS):
                if not all(isinstance(i, dict) and len(i) == 1 for i in self.items):
                    raise self._error("expected a mapping of length 1")
                return [next(iter(i.items())) for i in self.items]
        else:
            mapping = self._merged() if self.merges else self.pairs
            if self.tag == _MAP:
                return mapping
            if self.tag == _SET:
                return set(mapping)
        raise self._error(f"could not determine a constructor for the tag {self.tag!r}")

    def _merged(self) -> dict[Any, Any]:
        """SafeConstructor's order: the merged mappings first (of a list, the first wins), then
        the mapping's own keys over them."""
        assert self.pairs is not None
        merged: dict[Any, Any] = {}
        for value in self.merges:
            for part in reversed(value) if isinstance(value, list) else [value]:
                if not isinstance(part, dict):
                    raise self._error("expected a mapping or list of mappings for merging")
                merged.update(part)
        merged.update(self.pairs)
        return merged

    def _error(self, problem: str) -> ConstructorError:
        return ConstructorError(None, None, problem, self.mark)


def build_documents(loader: Any, budget: Budget) -> list[Any]:
    """Every non-empty document of the loader's stream."""
    docs: list[Any] = []
    stack: list[_Open] = []
    anchors: dict[str, tuple[Any, int]] = {}  # this document's: the value and its node count
    tags: dict[str, str] = {}  # plain scalar -> resolved tag (keys repeat by the thousand)
    count = 0  # nodes so far, aliases counted as their anchors' nodes
    root: Any = None
    while True:
        event = loader.get_event()
        kind = event.__class__
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = tags.get(event.value) if event.implicit[0] else _STR
                if tag is None:
                    tag = loader.resolve(ScalarNode, event.value, event.implicit)
                    if len(tags) < 10_000:
                        tags[event.value] = tag
            value = event.value if tag in (_STR, _VALUE) else _scalar(loader, tag, event)
            count += 1
            if event.anchor is not None:
                _anchor(anchors, event, value, 1)
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                if any(o.anchor == event.anchor for o in stack):
                    raise Budget.Recursive
                raise ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            value, size = anchors[event.anchor]
            count += size
        elif kind is SequenceStartEvent or kind is MappingStartEvent:
            stack.append(_Open(event, kind is MappingStartEvent, count))
            count += 1
            if len(stack) > budget.depth:
                raise Budget.Depth
            continue
        elif kind is SequenceEndEvent or kind is MappingEndEvent:
            done = stack.pop()
            value = done.value()
            if done.anchor is not None:
                _anchor(anchors, done, value, count - done.start)
        elif kind is DocumentEndEvent:
            if root is not None:
                docs.append(root)
            root = None
            anchors.clear()
            continue
        elif kind is StreamEndEvent:
            return docs
        else:  # the stream's and a document's start
            continue
        if count > budget.nodes:
            raise Budget.Nodes
        if stack:
            stack[-1].add(value)
        elif value is _MERGE_KEY:
            raise ConstructorError(None, None, f"no constructor for the tag {_MERGE!r}", None)
        else:
            root = value


def _anchor(anchors: dict[str, tuple[Any, int]], event: Any, value: Any, size: int) -> None:
    if event.anchor in anchors:
        raise ComposerError(
            f"found duplicate anchor {event.anchor!r}; first occurrence",
            None,
            "second occurrence",
            getattr(event, "start_mark", None) or getattr(event, "mark", None),
        )
    anchors[event.anchor] = (value, size)


def _scalar(loader: Any, tag: str, event: Any) -> Any:
    """A scalar of another type than a string, by the loader's own constructor."""
    if tag == _MERGE:
        return _MERGE_KEY
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    constructors = loader.yaml_constructors
    return (constructors.get(tag) or constructors[None])(loader, node)
