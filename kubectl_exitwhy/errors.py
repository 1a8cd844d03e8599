"""Exit statuses (DESIGN §1) and the errors that map to them, in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    FINDINGS = 1  # some finding at or above --fail-on
    USAGE = 2
    BAD_INPUT = 3
    CLUSTER = 4
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports a command it interrupted)


class OutputClosed(Exception):
    """The reader of the output went away (``| head``): not an OSError, so that no framework
    on the way (click maps EPIPE to exit 1) takes it for a failure."""


class ExitwhyError(Exception):
    """An error the user can act on: one sentence, one exit status, no traceback."""

    status = ExitStatus.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ExitwhyError):
    status = ExitStatus.USAGE


class BadInput(ExitwhyError):
    status = ExitStatus.BAD_INPUT


class ClusterError(ExitwhyError):
    status = ExitStatus.CLUSTER
    unreachable = False  # the server cannot be talked to at all (see sources.http)
    forbidden = False  # RBAC refused the read


class Forbidden(ClusterError):
    """RBAC refused the read."""

    forbidden = True


class Unreachable(ClusterError):
    """The server cannot be talked to at all (connection, TLS, credentials, timeout): fatal even
    for the side reads that are otherwise only warnings (logs aside: sources/logs.py)."""

    unreachable = True


class NotFound(ClusterError):
    pass


class Expired(ClusterError):
    """410 Gone: the list's continue token (or a watch's resourceVersion) is too old."""


class TimedOut(Unreachable):
    """The request's deadline passed before its answer was whole."""
