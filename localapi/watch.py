"""Watches: the stream of events a watch request gets, as the apiserver's watch cache sends it.

From ``staging/src/k8s.io/apiserver/pkg/storage/cacher`` (cacher.go, watch_cache.go,
cache_watcher.go) and ``endpoints/handlers/get.go``:

* ``resourceVersion`` absent or "0": ADDED events for the current state first ("to keep
  backward compatibility, we additionally need to return the current state and only then start
  watching from that point"), then every change; "0" with ``sendInitialEvents=false`` starts
  at now without them.
* ``resourceVersion=N``: every kept change after N, in order, then the live ones. N older than
  the history: HTTP 200 and a single ERROR event holding the Status (``newErrWatcher``: "once
  we have passed authn/authz/admission, and successfully parsed a resource version, other
  errors must fail with a watch event of type ERROR, rather than a directly returned error"),
  410 Expired "too old resource version: N (M)", then the end of the stream. N newer than now:
  the changes after N, when they come. N not a number: 422 Invalid
  (``APIObjectVersioner.ParseResourceVersion`` returns a storage InvalidError, which
  ``responsewriters.ErrorToAPIStatus`` turns into StatusUnprocessableEntity, reason Invalid).
* ``sendInitialEvents=true``: the current state, then a BOOKMARK annotated
  ``k8s.io/initial-events-end`` (with ``allowWatchBookmarks``, as the WatchList client asks),
  then changes.
* selectors: a change is ADDED for a watcher when the object now passes and did not before,
  MODIFIED when both pass, DELETED (the previous content at the event's RV) when it passed
  before and no longer does (``cacheWatcher.convertToWatchEvent``).
* ``allowWatchBookmarks=true``: a BOOKMARK with the current RV every ``bookmark_interval``
  seconds (the real ``defaultBookmarkFrequency`` is a minute) and one 2 s before the deadline
  (``nextBookmarkTime``).
* ``timeoutSeconds``: the stream ends cleanly then; 0 or absent means a random time between
  ``MIN_REQUEST_TIMEOUT`` and twice it, as the handler does.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator, Iterator, Mapping, Protocol, Sequence

from .entry import Entry, encode
from .responses import Response, bad_request, object_bytes, status, status_body
from .routes import Target, is_true
from .selectors import FieldSelector, LabelSelector, SelectorError
from .store import Store
from .view import View
from .watchcache import Change, Expired, WatchQueue

__all__ = ["MIN_REQUEST_TIMEOUT", "WatchRequest", "WatchStream", "serve_watch"]

# --min-request-timeout's default: a watch without timeoutSeconds (or with 0) lasts a random
# time between this and twice this (handlers/get.go: "if timeout == 0 && minRequestTimeout > 0
# { timeout = time.Duration(float64(minRequestTimeout) * (rand.Float64() + 1.0)) }")
MIN_REQUEST_TIMEOUT = 1800.0


class Host(Protocol):
    """What a watch reads from the API serving it, while it runs (a changed
    ``bookmark_interval`` reaches the watches already open)."""

    store: Store
    stopping: threading.Event
    bookmark_interval: float
    poll_interval: float  # the longest a watch waits before it looks at stop/drop again


@dataclass(frozen=True)
class WatchRequest:
    """What a watch asks for, read from its path and query."""

    target: Target
    labels: LabelSelector | None
    fields: Callable[[Sequence[str]], bool] | None
    since: int | None  # resume after this RV; None: from the current state, or from now
    initial: bool  # send the current state as ADDED events first
    initial_end_bookmark: bool
    bookmarks: bool
    timeout: float

    @classmethod
    def parse(cls, t: Target, query: Mapping[str, str]) -> WatchRequest | Response:
        """The request, or the error response the real server gives to its query."""
        try:
            labels, fields = t.selectors(query)
        except SelectorError as exc:
            return bad_request(str(exc))
        if t.name is not None and query.get("fieldSelector"):
            # handlers/get.go: "the allowed field selectors in this branch are: nil,
            # fields.Everything and field selector matching metadata.name for our name"
            fs = FieldSelector.parse(query.get("fieldSelector"))
            named = [v for f, eq, v in (fs.terms if fs else ()) if f == "metadata.name" and eq]
            if not named or named[0] != t.name:
                return bad_request("fieldSelector metadata.name doesn't match requested name")
        try:
            timeout = float(int(query.get("timeoutSeconds") or 0))
        except ValueError:
            return bad_request("timeoutSeconds: must be an integer")
        if timeout == 0:
            timeout = MIN_REQUEST_TIMEOUT * (random.random() + 1.0)
        rv_text = query.get("resourceVersion") or ""
        send_initial = query.get("sendInitialEvents")
        if rv_text in ("", "0"):
            since: int | None = None
        elif rv_text.isdigit():
            since = int(rv_text)
        else:
            return status(
                422,
                "Invalid",
                f'resourceVersion: Invalid value: "{rv_text}": strconv.ParseUint: parsing '
                f'"{rv_text}": invalid syntax',
            )
        return cls(
            t,
            labels,
            fields,
            since,
            initial=send_initial == "true" or (since is None and send_initial != "false"),
            initial_end_bookmark=send_initial == "true",
            bookmarks=is_true(query.get("allowWatchBookmarks")),
            timeout=timeout,
        )

    def passes(self, e: Entry) -> bool:
        """Whether the watcher sees this object: its namespace, name and selectors."""
        t = self.target
        if t.namespace is not None and e.namespace != t.namespace:
            return False
        if t.name is not None and e.name != t.name:
            return False
        if self.labels is not None and not self.labels.matches(e.labels):
            return False
        return self.fields is None or self.fields(e.fields)


def serve_watch(host: Host, t: Target, query: Mapping[str, str]) -> Response:
    """The response to a watch of ``t``: a stream of events, or an error."""
    req = WatchRequest.parse(t, query)
    if isinstance(req, Response):
        return req
    try:
        stream = WatchStream(host, req)
    except Expired as exc:
        error = b'{"type":"ERROR","object":' + status_body(410, "Expired", str(exc)) + b"}\n"
        return Response(200, stream=iter([error]))
    return Response(200, stream=stream)


class WatchStream:
    """The lines of one watch response, produced as the store changes (an iterator of bytes).

    Every wait is bounded (``Host.poll_interval``), so a stopping server, a dropped watch or
    the deadline ends it promptly. ``dropped`` tells the HTTP layer to cut the connection
    without the closing chunk, as a lost connection looks to the client.
    """

    def __init__(self, host: Host, req: WatchRequest) -> None:
        """Opens the watch in the store; raises ``Expired`` when ``req`` resumes from an RV
        older than the history kept."""
        from_now = req.since is None and not req.initial
        view, backlog, queue = host.store.open_watch(
            req.target.rt.name, None if req.initial else req.since, from_now=from_now
        )
        deadline = time.monotonic() + req.timeout
        self.dropped = False
        # set by the HTTP layer: True once the client has closed its end (the apiserver sees
        # the request's context cancelled and stops the watcher)
        self.client_gone: Callable[[], bool] = lambda: False
        self._gen = self._events(host, req, view, backlog, queue, deadline)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    def _events(
        self,
        host: Host,
        req: WatchRequest,
        view: View,
        backlog: list[Change],
        queue: WatchQueue,
        deadline: float,
    ) -> Generator[bytes, None, None]:
        rt, passes = req.target.rt, req.passes
        prefix = {
            kind: b'{"type":"' + kind.encode() + b'","object":'
            for kind in ("ADDED", "MODIFIED", "DELETED")
        }

        def event(kind: str, entry: Entry) -> bytes:
            return prefix[kind] + object_bytes(rt, entry) + b"}\n"

        def convert(c: Change) -> bytes | None:
            cur = c.type != "DELETED" and passes(c.entry)
            old = c.prev is not None and passes(c.prev)
            if cur:
                return event("MODIFIED" if old else "ADDED", c.entry)
            if old:
                return event("DELETED", c.prev_at_rv())
            return None

        def bookmark(rv: int, initial_end: bool = False) -> bytes:
            meta: dict[str, Any] = {"resourceVersion": str(rv)}
            if initial_end:
                meta["annotations"] = {"k8s.io/initial-events-end": "true"}
            obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}
            return b'{"type":"BOOKMARK","object":' + encode(obj) + b"}\n"

        def next_bookmark(now: float) -> float:
            # cache_watcher.go nextBookmarkTime: "roughly every minute" and "right before the
            # watcher timeout - for now we simply set it 2s before the deadline"
            heartbeat = now + host.bookmark_interval
            pre = deadline - 2.0
            if pre < heartbeat:
                heartbeat = pre
            return heartbeat if heartbeat > now else float("inf")

        try:
            last = view.rv
            if req.initial:
                for entry in view.entries(rt.name, req.target.namespace):
                    if passes(entry):
                        yield event("ADDED", entry)
                if req.initial_end_bookmark:
                    yield bookmark(view.rv, initial_end=True)
            for c in backlog:
                line = convert(c)
                last = c.rv
                if line is not None:
                    yield line
            due = next_bookmark(time.monotonic()) if req.bookmarks else float("inf")
            while True:
                if host.stopping.is_set() or queue.overflowed or self.client_gone():
                    return
                if queue.dropped:
                    self.dropped = True
                    return
                now = time.monotonic()
                if now >= deadline:
                    return
                if now >= due:
                    changes, rv = queue.take_all()
                    for c in changes:
                        if c.rv > last:
                            last = c.rv
                            line = convert(c)
                            if line is not None:
                                yield line
                    yield bookmark(max(rv, last))
                    due = next_bookmark(time.monotonic())
                    continue
                wait = min(deadline, due, now + host.poll_interval) - now
                for c in queue.take(wait):
                    if c.rv <= last:
                        continue
                    last = c.rv
                    line = convert(c)
                    if line is not None:
                        yield line
        finally:
            queue.close()
