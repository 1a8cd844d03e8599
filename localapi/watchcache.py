"""The watch history and the open watches: what a watch from a resourceVersion is sent.

This follows the watch cache of kube-apiserver (``staging/src/k8s.io/apiserver/pkg/storage/
cacher/watch_cache.go``): every change the store makes (a new global resourceVersion, etcd's
revision) is kept, with the object's previous state, in a bounded per-resource history ("a
sliding window (with a limited capacity) of objects observed from a watch"), and handed to every
open watch of its resource. A watch from an RV older than that window is refused with
``Expired``: the cache computes ``oldest`` as "one greater than the resource version of the
list" while "no event was removed from the buffer since last relist", else the RV of the oldest
event kept, and answers ``errors.NewResourceExpired(fmt.Sprintf("too old resource version: %d
(%d)", resourceVersion, oldest-1))`` when ``resourceVersion < oldest-1``.

The store and its ``WatchCache`` share one lock: a change is published and dispatched at once.
"""

from __future__ import annotations

import threading
from collections import deque

from .entry import Entry
from .resources import RESOURCES

__all__ = ["Change", "Expired", "WatchCache", "WatchQueue"]


class Change:
    """One change in the watch history: ``type`` ADDED, MODIFIED or DELETED at ``rv``.

    ``entry`` is the object after the change (for DELETED: its last state, carrying the
    deletion's resourceVersion, as etcd reports a delete); ``prev`` the object before it (None
    when it was created). Watchers need both to tell an object that entered or left their
    selector (see ``watch``)."""

    __slots__ = ("rv", "type", "resource", "entry", "prev", "_prev_at_rv")

    def __init__(self, rv: int, type: str, resource: str, entry: Entry, prev: Entry | None):
        self.rv = rv
        self.type = type
        self.resource = resource
        self.entry = entry
        self.prev = prev
        self._prev_at_rv: Entry | None = None

    def prev_at_rv(self) -> Entry:
        """The previous object content with this change's resourceVersion: what a watcher whose
        selector the object left receives as DELETED (cache_watcher.go: "return a delete event
        with the previous object content, but with the event's resource version")."""
        assert self.prev is not None
        if self.type == "DELETED":
            return self.entry
        if self._prev_at_rv is None:
            self._prev_at_rv = self.prev.with_rv(RESOURCES[self.resource], self.rv)
        return self._prev_at_rv

    def __repr__(self) -> str:
        return f"Change({self.rv}, {self.type}, {self.resource}, {self.entry.key})"


class Expired(Exception):
    """A watch from a resourceVersion older than the history kept (410 Expired)."""


class WatchQueue:
    """One open watch: the changes of its resource after it started, in order.

    The store appends every change to every queue of that resource under its lock (the
    cacher's ``dispatchEvent``); the watch's own thread takes them with ``take``. A queue that
    grows past ``limit`` is closed, as the cacher terminates a watcher that cannot keep up
    ("Forcing watcher close due to unresponsiveness"); ``drop`` cuts it as a lost connection.
    """

    def __init__(self, cache: WatchCache, resource: str, limit: int) -> None:
        self.cache = cache
        self.resource = resource
        self.limit = limit
        self.changes: deque[Change] = deque()
        self.dropped = False
        self.overflowed = False
        self.closed = False

    def take(self, timeout: float) -> list[Change]:
        """The changes queued so far; waits up to ``timeout`` seconds when there are none."""
        cond = self.cache.cond
        with cond:
            if not self.changes and not self.dropped and not self.closed:
                cond.wait(max(0.0, timeout))
            out = list(self.changes)
            self.changes.clear()
            return out

    def take_all(self) -> tuple[list[Change], int]:
        """Everything queued, and the store's resourceVersion at that moment: every change up to
        that RV is in the list (both read under the store's lock), so a bookmark carrying it
        never claims a change the watcher has not been sent."""
        with self.cache.cond:
            out = list(self.changes)
            self.changes.clear()
            return out, self.cache.rv

    def close(self) -> None:
        with self.cache.cond:
            self.closed = True
            self.cache._watchers.discard(self)


class WatchCache:
    """Per resource: the changes kept for watches that resume from an RV, and the open watches.

    ``record`` and ``open`` are called with ``cond`` held (the store's lock, so that a change
    is published and dispatched in one step); the other methods take it themselves.
    """

    def __init__(self, cond: threading.Condition) -> None:
        self.cond = cond
        self.rv = 1  # the newest resourceVersion dispatched (the store's, once it is frozen)
        self._history: dict[str, deque[Change]] = {r: deque() for r in RESOURCES}
        # per resource: a watch from an RV below this is too old ("oldest-1" in watch_cache.go)
        self._floor: dict[str, int] = {r: 1 for r in RESOURCES}
        self._watchers: set[WatchQueue] = set()

    def listed(self, rv: int) -> None:
        """Start from a list at ``rv``: like a watch cache that has just listed, the oldest RV
        it can resume from is the list's own ("oldest = listResourceVersion + 1", and oldest-1
        is still accepted)."""
        self.rv = rv
        self._floor = {r: rv for r in RESOURCES}

    def record(self, change: Change, history_limit: int) -> None:
        """Keep ``change`` (at most ``history_limit`` per resource) and hand it to the watches."""
        self.rv = change.rv
        history = self._history[change.resource]
        history.append(change)
        while len(history) > history_limit:
            history.popleft()
            # "the oldest watch event we can deliver is the first one in the buffer"
            self._floor[change.resource] = history[0].rv - 1
        for w in self._watchers:
            if w.resource != change.resource or w.closed:
                continue
            if len(w.changes) >= w.limit:
                w.overflowed = True
                continue
            w.changes.append(change)
        self.cond.notify_all()

    def open(
        self, resource: str, since: int | None, queue_limit: int
    ) -> tuple[list[Change], WatchQueue]:
        """A new watch: the kept changes after ``since`` (none when it is None), and the queue
        that receives every later change. Raises ``Expired`` when ``since`` predates the
        history."""
        backlog: list[Change] = []
        if since is not None:
            floor = self._floor[resource]
            if since < floor:
                raise Expired(f"too old resource version: {since} ({floor})")
            backlog = [c for c in self._history[resource] if c.rv > since]
        queue = WatchQueue(self, resource, queue_limit)
        self._watchers.add(queue)
        return backlog, queue

    def compact(self) -> None:
        """Forget the history: a watch from any RV older than now then gets 410 Expired."""
        with self.cond:
            for resource, history in self._history.items():
                history.clear()
                self._floor[resource] = self.rv

    def drop_all(self) -> int:
        """Mark every open watch as cut; returns how many there were."""
        with self.cond:
            watchers = [w for w in self._watchers if not w.closed]
            for w in watchers:
                w.dropped = True
            self.cond.notify_all()
            return len(watchers)

    def wake(self) -> None:
        """Wake every waiting watch (the server is stopping)."""
        with self.cond:
            self.cond.notify_all()

    @property
    def open_count(self) -> int:
        with self.cond:
            return sum(1 for w in self._watchers if not w.closed)
