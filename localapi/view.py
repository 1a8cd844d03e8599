"""Reading the store: its objects at one resourceVersion, in the API server's list order.

kube-apiserver keeps objects in etcd under ``/registry/<resource>/<namespace>/<name>`` and lists
them in key order, namespace then name; a chunked list (``limit``/``continue``) resumes after the
last key returned. A ``ResourceTable`` imitates that: one resource's entries sorted by
``(namespace, name)`` with a parallel key list for ``bisect``. Tables are copy-on-write, and a
``View`` (the tables plus the RV they are at) is swapped in whole, so a reader sees one
consistent state without a lock.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Sequence

from .entry import Entry
from .selectors import LabelSelector

__all__ = ["Page", "ResourceTable", "View"]


@dataclass(frozen=True)
class ResourceTable:
    """One resource's objects in key order. Never changed once published: a change makes a new
    one (copy-on-write), so a reader holding a table reads one consistent state."""

    keys: list[tuple[str, str]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    by_key: dict[tuple[str, str], Entry] = field(default_factory=dict)

    def put(self, entry: Entry) -> ResourceTable:
        key = entry.key
        i = bisect_left(self.keys, key)
        entries = list(self.entries)
        keys = self.keys
        if i < len(keys) and keys[i] == key:
            entries[i] = entry
        else:
            keys = list(keys)
            keys.insert(i, key)
            entries.insert(i, entry)
        by_key = dict(self.by_key)
        by_key[key] = entry
        return ResourceTable(keys, entries, by_key)

    def remove(self, key: tuple[str, str]) -> ResourceTable:
        i = bisect_left(self.keys, key)
        if i >= len(self.keys) or self.keys[i] != key:
            return self
        keys, entries, by_key = list(self.keys), list(self.entries), dict(self.by_key)
        del keys[i], entries[i], by_key[key]
        return ResourceTable(keys, entries, by_key)


@dataclass
class Page:
    items: list[Entry]
    last_key: tuple[str, str] | None  # set when more items remain after this page
    remaining: int | None  # remainingItemCount, only for unfiltered lists


class View:
    """The store at one resourceVersion: what one request reads (lists, gets, tables)."""

    __slots__ = ("tables", "rv")

    def __init__(self, tables: Mapping[str, ResourceTable], rv: int) -> None:
        self.tables = tables
        self.rv = rv

    @property
    def resource_version(self) -> str:
        return str(self.rv)

    def count(self, resource: str) -> int:
        return len(self.tables[resource].entries)

    def get(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self.tables[resource].by_key.get((namespace, name))

    def entries(self, resource: str, namespace: str | None = None) -> Iterator[Entry]:
        table = self.tables[resource]
        lo, hi = _bounds(table, namespace)
        return iter(table.entries[lo:hi])

    def page(
        self,
        resource: str,
        namespace: str | None,
        *,
        labels: LabelSelector | None = None,
        fields: Callable[[Sequence[str]], bool] | None = None,
        limit: int = 0,
        after: tuple[str, str] | None = None,
    ) -> Page:
        """One chunk of a list, in key order, starting after key ``after``.

        ``last_key`` is set when at least one more matching object follows, so a client that
        follows ``continue`` tokens sees every object exactly once.
        """
        table = self.tables[resource]
        lo, hi = _bounds(table, namespace)
        if after is not None:
            lo = max(lo, bisect_right(table.keys, after))
        entries = table.entries
        if labels is None and fields is None:
            if limit <= 0 or lo + limit >= hi:
                return Page(entries[lo:hi], None, None)
            items = entries[lo : lo + limit]
            return Page(items, items[-1].key, hi - lo - limit)
        items = []
        last: tuple[str, str] | None = None
        for i in range(lo, hi):
            entry = entries[i]
            if labels is not None and not labels.matches(entry.labels):
                continue
            if fields is not None and not fields(entry.fields):
                continue
            if limit > 0 and len(items) == limit:
                last = items[-1].key
                break
            items.append(entry)
        return Page(items, last, None)


def _bounds(table: ResourceTable, namespace: str | None) -> tuple[int, int]:
    if namespace is None:
        return 0, len(table.keys)
    return (
        bisect_left(table.keys, (namespace, "")),
        bisect_left(table.keys, (namespace + "\x00", "")),
    )
