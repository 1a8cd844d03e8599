"""Work started now and taken later, in a daemon thread: the next page of a list, asked for
while the caller works on this one (``paging.py``), a sweep's log reads while it reads owners
(``cluster.py``). Not ``concurrent.futures``: its workers are joined at exit, so an interrupted
run would wait for their requests; a daemon thread does not hold the process, and each request
in it is bounded by its own deadline, so waiting for one ends."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable


class Later:
    """``work(*args)`` in a thread of its own; ``result()`` waits for it and gives what it
    returned, or raises what it raised."""

    def __init__(self, work: Callable[..., Any], *args: Any, name: str = "exitwhy-page") -> None:
        self._box: dict[str, Any] = {}
        self._done = threading.Event()
        thread = threading.Thread(target=self._run, args=(work, args), name=name, daemon=True)
        thread.start()

    def _run(self, work: Callable[..., Any], args: tuple) -> None:
        try:
            self._box["result"] = work(*args)
        except BaseException as err:  # handed to the caller, which raises it
            self._box["error"] = err
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def settle(self, deadline: float) -> None:
        """Wait for the work to end, until ``deadline`` (``time.monotonic()``) at most."""
        self._done.wait(max(0.0, deadline - time.monotonic()))

    def result(self) -> Any:
        self._done.wait()
        if "error" in self._box:
            raise self._box.pop("error")
        return self._box.pop("result")
