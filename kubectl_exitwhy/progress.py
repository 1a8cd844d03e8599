"""A progress line on stderr while a sweep reads the cluster: on a terminal, something is on
screen at once (a 50,000-pod sweep reads for seconds before its first row), and it says what is
being read and how far it got: "pods: 12,500 read, 1,403 to diagnose".

Only when stderr is a terminal (and TERM is not ``dumb``): a pipe, a file and ``2>/dev/null``
get nothing, so logs and ``-o json`` captures stay clean. The line is rewritten in place
(carriage return, erase to the end of the line), at most ten times a second, cut to the
terminal's width, and erased before anything else is written: a warning (``present.warn``
calls ``clear``) or the output itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Optional, TextIO

EVERY = 0.1  # seconds between two rewrites of the line
ERASE = "\r\x1b[K"  # to the start of the line, then erase to its end


class Progress:
    def __init__(self, stream: Optional[TextIO] = None, enabled: Optional[bool] = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = _terminal(self.stream) and os.environ.get("TERM") != "dumb"
        self.enabled = enabled
        self.shown = False
        self._last = 0.0
        self._lock = threading.Lock()  # -v traces come from the reading threads too

    def say(self, text: str, now: bool = False) -> None:
        """Show ``text`` as the line (``now``: even if the last rewrite was just now)."""
        if not self.enabled:
            return
        moment = time.monotonic()
        if self.shown and not now and moment - self._last < EVERY:
            return
        with self._lock:
            self._write(ERASE + text[: max(self._width() - 1, 1)])
            self.shown, self._last = True, moment

    def _width(self) -> int:
        """COLUMNS, else the width of the terminal the line is written to (stderr's: stdout
        may be a file or a pipe), else 80. A line as wide as the terminal would wrap."""
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            return 80

    def clear(self) -> None:
        """Erase the line, if it is shown."""
        with self._lock:
            if self.shown:
                self._write(ERASE)
                self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: the run goes on without the line
            self.enabled = self.shown = False


def _terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# the line of this run (a sweep sets it); warnings erase it before they are written
current = Progress(enabled=False)


def start() -> Progress:
    """A progress line on this process's stderr, which warnings know to erase."""
    global current
    current = Progress()
    return current


def clear() -> None:
    current.clear()
