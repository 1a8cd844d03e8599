"""One malloc arena for a sweep, on glibc.

A sweep reads each page of a list in a thread of its own (``sources.wire``: a thread per
request, so that every read has a deadline) and decodes it in the main thread. glibc gives a
thread that allocates its own arena (up to eight per core), so the 4-5 MB of a page's body is
allocated in one arena and freed from another; the arenas' heaps are trimmed and mapped again
page after page. Measured on a 50,000-pod sweep (100 pages of 500 pods): about 210,000 page
faults, 0.7 s of system time. With a single arena (``mallopt(M_ARENA_MAX, 1)``, what the
environment variable ``MALLOC_ARENA_MAX=1`` sets) the freed space is used again: 45,000-55,000
faults; median of 7 runs, 5.71 -> 5.09 s and peak RSS 117.5 -> 109.5 MiB. The threads take
turns on one lock, but they spend their time waiting on the network or inside zlib and msgspec,
not in malloc.

The limit takes effect for the threads that allocate after it is set, so it is set before a
sweep starts any. It is left alone where it does not apply (not glibc, or a Python without
ctypes) or where the user chose (``MALLOC_ARENA_MAX``, or ``glibc.malloc.arena_max`` in
``GLIBC_TUNABLES``: glibc read them at start-up), and a failure to set it changes nothing else.
"""

from __future__ import annotations

import os

__all__ = ["one_arena"]

M_ARENA_MAX = -8  # glibc's malloc.h


def one_arena() -> bool:
    """Ask glibc's malloc for a single arena; True if it took the setting."""
    if _chosen() or not _glibc():
        return False
    try:
        import ctypes  # a Python built without libffi has none

        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(M_ARENA_MAX, 1))
    except (ImportError, OSError, AttributeError, ValueError):
        return False


def _chosen() -> bool:
    """The user set the number of arenas for this process."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return "MALLOC_ARENA_MAX" in os.environ or "glibc.malloc.arena_max=" in tunables


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):  # no such name here (macOS, musl, Windows)
        return False
