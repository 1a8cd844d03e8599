"""The next page of a list, asked for from the head of the page before (``head.py``).

A page's continue token comes in the first bytes of its body; the reading thread shows them to
``watch``'s watcher as they come. Once both the head of page i has said its token and the caller
waits for page i (``wait_for``), whichever comes second asks for page i + 1: so no more pages are
read at once than when each is asked for after the one before has come (the one waited for, and
the next). The caller takes the next page with ``take`` by the token the whole page says: a page
asked for from a head that said another token (never from the API server: a duplicate metadata
key, JSON that is not) is dropped then, never used. A list that ends early waits a moment for
the pages still on its way (``settle``), so that the process does not end while their thread is
inside OpenSSL.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

from kubectl_exitwhy.sources import head
from kubectl_exitwhy.sources.later import Later

LINGER = 1.0  # seconds a list that ended early waits for the pages still on their way

Fetch = Callable[[Optional[str], int], Any]  # (continue token, page index) → the page
Allowed = Callable[[str, int], bool]  # may the page after page i, of this token, be asked for?


class ReadAhead:
    def __init__(self, fetch: Fetch, allowed: Allowed) -> None:
        self._fetch, self._allowed = fetch, allowed
        self._early: dict[str, Later] = {}  # by token
        self._said: dict[int, str] = {}  # page index → the continue token its head said
        self._asked: set[str] = set()  # tokens asked for early: never twice
        self._awaited = 0  # the index of the page the caller waits for
        self._lock = threading.Lock()
        self._started: list[Later] = []  # the pages asked for and not yet in

    def watch(self, token: Optional[str], index: int) -> Callable[[bytes], bool]:
        """The watcher of the head of page ``index`` (asked for with ``token``): True once it
        has seen enough of it (``wire.exchange``'s ``head``)."""

        def seen(prefix: bytes) -> bool:
            meta = head.metadata(prefix)
            if head.is_more(meta):
                return False
            following = meta.get("continue") if isinstance(meta, dict) else None
            if isinstance(following, str) and following and following != token:
                with self._lock:
                    self._said[index] = following
                    if self._awaited == index:
                        self._after(index)
            return True

        return seen

    def wait_for(self, index: int) -> None:
        """The caller waits for page ``index`` from now on."""
        with self._lock:
            self._awaited = index
            self._after(index)

    def take(self, following: str, index: int) -> Later:
        """Page ``index``, of token ``following``: asked for from a head already, else now."""
        with self._lock:
            early = self._early.pop(following, None)
            self._early.clear()
            self._started[:] = [later for later in self._started if not later.done()]
        if early is not None:
            return early
        later = Later(self._fetch, following, index)
        with self._lock:
            self._started.append(later)
        return later

    def settle(self) -> None:
        """Wait LINGER at most for the pages still on their way."""
        with self._lock:
            left = list(self._started) + list(self._early.values())
        deadline = time.monotonic() + LINGER
        for later in left:
            later.settle(deadline)

    def _after(self, index: int) -> None:
        """Ask for the page after page ``index`` now, if its head said which (lock held)."""
        following = self._said.pop(index, None)
        if following is None or following in self._asked or not self._allowed(following, index):
            return
        self._asked.add(following)
        self._early[following] = later = Later(self._fetch, following, index + 1)
        self._started.append(later)
