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
from typing import Any, Callable, Iterator, Optional

from kubectl_exitwhy.errors import ClusterError, Expired
from kubectl_exitwhy.sources import plainjson
from kubectl_exitwhy.sources.readahead import ReadAhead

PAGE = 500  # kubectl's chunk size
MAX_PAGES = 2000  # a million objects: when the server does not say how many remain
SLACK = 2  # pages beyond what the first page announced (objects created while listing)
ANNOUNCED_PAGES = 10  # times MAX_PAGES: what an announced count may ask for at most


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

    def fetch(token: Optional[str], index: int) -> Any:
        q = {**query, "limit": PAGE, "continue": token, "timeout": deadline}
        watch = {"head": ahead.watch(token, index)} if reader_heads else {}
        try:
            return reader.get(path, q, what, accept=accept, listing=True, **typed, **watch)
        except Expired as err:
            if not token:  # nothing to start again from
                raise ClusterError(err.message) from None
            raise

    # the next page is asked for from the head of this one (``readahead.py``), by a reader
    # that shows heads (``http.py``); never one past the cap, nor a token already followed
    reader_heads = getattr(reader, "heads", False) is True
    ahead = ReadAhead(fetch, lambda following, index: following not in tokens and index < cap)

    token: Optional[str] = None
    try:
        ahead.wait_for(1)
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
            later = ahead.take(following, number + 1) if more and deferred is not None else None
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
            if more and later is None:
                later = ahead.take(following, number + 1)
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
            assert later is not None
            ahead.wait_for(number + 1)
            page = later.result()

    finally:
        ahead.settle()  # a list that ended early: the pages still on their way


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
