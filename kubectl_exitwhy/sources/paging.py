"""Paged lists that must end. A list is read ``limit`` items at a time, each page carrying the
``continue`` token of the one before, as kubectl reads it. A server (or a proxy in front of it)
can break that: a token it sent before (A → B → A: the pages run in a circle), a new token on
every page for ever, the same items again, more pages than the first page said the collection
holds (its ``remainingItemCount``; without one, MAX_PAGES). Each ends the list there with one
warning that says why and how much was read; what was read is kept, and used.

An expired token (410 Gone: etcd compacted the revision it points at) restarts the list once,
from the start; callers de-duplicate by uid. A second expiry ends the list the same way.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable, Iterator, Optional

from kubectl_exitwhy.errors import ClusterError, Expired
from kubectl_exitwhy.sources import head, plainjson
from kubectl_exitwhy.sources.later import Later

PAGE = 500  # kubectl's chunk size
MAX_PAGES = 2000  # a million objects: when the server does not say how many remain
SLACK = 2  # pages beyond what the first page announced (objects created while listing)
ANNOUNCED_PAGES = 10  # times MAX_PAGES: what an announced count may ask for at most
LINGER = 1.0  # seconds a list that ended early waits for the pages still on their way


class _Stop(Exception):
    pass


Decode = Optional[Callable[[bytes], Any]]


def pages(
    reader: Any, path: str, query: dict, what: str, accept: Optional[str], decode: Decode = None
) -> Iterator[list]:
    """The items of the list at ``path``, page by page (``reader``: an ``ApiReader``;
    ``decode``: each page's decoder, ``typed.py``)."""
    restarted = False
    while True:
        try:
            yield from _one_pass(reader, path, query, what, accept, decode)
            return
        except Expired:
            if restarted:
                _ended(
                    reader,
                    path,
                    f"{what} stopped: the list expired (410 Gone) again after it was started "
                    "anew; the diagnosis uses what was read, the rest is missing",
                )
                return
            restarted = True
            reader.warn(f"the list {what} expired while paging; starting it again")
        except _Stop as stop:
            _ended(reader, path, str(stop))
            return


def _ended(reader: Any, path: str, why: str) -> None:
    """A list ended before its last page: warned, and noted on the reader (``cut_short``, by
    path) for a caller that must not call the run whole (a sweep missing pods)."""
    reader.warn(why)
    cut = getattr(reader, "cut_short", None)
    if isinstance(cut, dict):
        cut[path] = why


def _one_pass(
    reader: Any, path: str, query: dict, what: str, accept: Optional[str], decode: Decode
):
    tokens: set[str] = set()
    uids: set[str] = set()
    count = number = 0
    cap = MAX_PAGES
    announced = ""
    deadline = reader.timeout_parameter()
    typed = {"decode": decode} if decode is not None else {}  # a reader may not know it
    # the next page asked for from a page's head, by token (``head.py``): once both the head
    # of page i has said its token and the caller waits for page i, whichever comes second asks
    # for page i + 1; so no more pages are read at once than when each is asked for after the
    # one before has come (the one waited for, and the next)
    early: dict[str, Later] = {}
    said: dict[int, str] = {}  # page index → the continue token its head said
    asked: set[str] = set()  # tokens asked for early: never twice
    awaited = [0]  # the index of the page the caller waits for
    lock = threading.Lock()
    started: list[Later] = []  # the pages asked for in the background and not yet in

    def fetch(token: Optional[str], index: int) -> Any:
        q = {**query, "limit": PAGE, "continue": token, "timeout": deadline}
        ahead = {"head": _head(token, index)} if getattr(reader, "heads", False) is True else {}
        try:
            return reader.get(path, q, what, accept=accept, listing=True, **typed, **ahead)
        except Expired as err:
            if not token:  # nothing to start again from
                raise ClusterError(err.message) from None
            raise

    def _head(token: Optional[str], index: int) -> Callable[[bytes], bool]:
        def seen(prefix: bytes) -> bool:
            meta = head.metadata(prefix)
            if head.is_more(meta):
                return False
            following = meta.get("continue") if isinstance(meta, dict) else None
            if isinstance(following, str) and following and following != token:
                with lock:
                    said[index] = following
                    if awaited[0] == index:
                        _after(index)
            return True

        return seen

    def _after(index: int) -> None:
        """Ask for the page after page ``index`` now, if its head said which (lock held)."""
        following = said.pop(index, None)
        if following is None or following in asked or following in tokens or index >= cap:
            return
        asked.add(following)
        early[following] = later = Later(fetch, following, index + 1)
        started.append(later)

    def wait_for(index: int) -> None:
        with lock:
            awaited[0] = index
            _after(index)

    def next_page(following: str) -> Later:
        """The page after this one: asked for from its head already, else now. Any other page
        asked for early (a head that said another token than its page: never from the API
        server) is dropped, not kept until the list ends."""
        with lock:
            asked_early = early.pop(following, None)
            early.clear()
            started[:] = [later for later in started if not later.done()]
        if asked_early is not None:
            return asked_early
        later = Later(fetch, following, number + 1)
        with lock:
            started.append(later)
        return later

    token: Optional[str] = None
    try:
        wait_for(1)
        page = fetch(token, 1)
        while True:
            deferred = page if isinstance(page, Deferred) else None
            if deferred is None:
                items = _items(page, what, reader)
                meta = page.get("metadata")
            else:
                meta = deferred.metadata
            meta = meta if isinstance(meta, dict) else {}
            del page
            if token is None:  # the list's snapshot: a watch starts from it
                rv = meta.get("resourceVersion")
                reader.list_versions[path] = rv if isinstance(rv, str) else ""
            number += 1
            following = meta.get("continue")
            following = following if isinstance(following, str) else ""
            last = not following
            remaining = meta.get("remainingItemCount")  # the first page's count, when it says
            if number > 1 or not isinstance(remaining, int) or remaining < 0:
                remaining = None
            if remaining is not None:
                cap = min(1 + math.ceil(remaining / PAGE) + SLACK, ANNOUNCED_PAGES * MAX_PAGES)
            circle = not last and (following == token or following in tokens)
            capped = not last and not circle and number >= cap
            more = not (last or circle or capped)
            # a deferred page: the next one is asked for before this one is decoded, and the
            # server prepares it meanwhile (so it is asked for even if this page turns out to hold
            # the same items again); any other page's once its items passed the checks below
            ahead = next_page(following) if more and deferred is not None else None
            if deferred is not None:
                items = _items(_undefer(deferred, what), what, reader)
                del deferred
            if remaining is not None:
                announced = f", where its first page announced {len(items) + remaining} items"
            listed = _uids(items)
            fresh = listed - uids
            if number > 1 and items and not fresh and len(listed) == len(items):
                raise _Stop(_cut(what, number - 1, count, "it sent the same items again"))
            uids |= fresh
            count += len(items)
            if more and ahead is None:
                ahead = next_page(following)
            if last:
                yield items
                return
            stopped = None
            if circle:
                why = "it sent a continue token it had sent before (its pages run in a circle)"
                stopped = _Stop(_cut(what, number, count, why))
            elif capped:
                why = f"it kept sending pages, each with a new continue token{announced}"
                stopped = _Stop(_cut(what, number, count, why))
            yield items
            del items
            if stopped is not None:
                raise stopped
            tokens.add(following)
            token = following
            assert ahead is not None
            wait_for(number + 1)
            page = ahead.result()

    finally:
        # a list that ends early (an error, a page sent again, the caller gone) may leave a
        # page on its way: its GET keeps its deadline, and the run waits for it a moment at
        # most, so that the process does not end while that thread is inside OpenSSL
        with lock:
            left = list(started) + list(early.values())
        settle = time.monotonic() + LINGER
        for later in left:
            later.settle(settle)


def _undefer(deferred: Deferred, what: str) -> Any:
    """A deferred page decoded; what its first reading let through is said as ``get`` says it
    (``http.py``)."""
    try:
        return deferred.page()
    except plainjson.TooDeep:
        raise ClusterError(plainjson.too_deep(what)) from None
    except ValueError as err:
        raise ClusterError(f"the API server's answer {what} could not be read: {err}") from None


def _items(page: Any, what: str, reader: Any) -> list:
    """A page's items, checked: a list (else the pods in it would be lost unsaid), its entries
    that are not objects counted in one warning."""
    if not isinstance(page, dict):
        raise ClusterError(f"the API server's answer {what} is not a list")
    items = page.get("items")
    if items is not None and not isinstance(items, list):
        raise ClusterError(
            f"the API server's answer {what} is not a list: its items are "
            f"{'an object' if isinstance(items, dict) else 'not an array'}"
        )
    items = items or []
    odd = sum(not isinstance(item, dict) for item in items)
    if odd:
        entries = f"{odd} entries that are not objects"
        if odd == 1:
            entries = "1 entry that is not an object"
        reader.warn(f"the API server's answer {what} held {entries}; skipped")
    return items


class Deferred:
    """A page read and not yet decoded whole: its metadata (the continue token) at once, its
    items when asked (``page()``, which gives ``{"metadata", "items"}``), so that the next page
    is requested first (``triage.py``: ``rest`` is each pod's bytes)."""

    __slots__ = ("metadata", "_rest", "_decode")

    def __init__(self, metadata: Any, rest: Any, decode: Callable[[Any], list]) -> None:
        self.metadata = metadata
        self._rest = rest
        self._decode = decode

    def page(self) -> dict:
        rest, self._rest = self._rest, None
        assert rest is not None, "a deferred page is decoded once"
        return {"metadata": self.metadata, "items": self._decode(rest)}


def _uids(items: list) -> set[str]:
    found = set()
    for item in items:
        meta = item.get("metadata") if isinstance(item, dict) else None
        uid = meta.get("uid") if isinstance(meta, dict) else None
        if isinstance(uid, str) and uid:
            found.add(uid)
    return found


def _cut(what: str, number: int, count: int, why: str) -> str:
    return (
        f"{what} stopped after {number} page{'s' * (number != 1)} ({count} "
        f"item{'s' * (count != 1)}) because the "
        f"API server misbehaves: {why}; the diagnosis uses what was read, the rest is missing"
    )
