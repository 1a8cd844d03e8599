"""Reading the last lines a container wrote before it ended: for the pod view, every container
that ended; for a sweep, only where the log can change or sharpen the verdict, bounded in number
and run a few at a time.

A log is garnish, never the meal: a log that cannot be read is a warning, and the diagnosis
stands without it. Which run's log: a container whose current state is ``terminated`` is
explained by that run (its current log); one that ended before and runs again (or waits to),
by the previous run (``previous=true``), as ``kubectl logs --previous`` reads it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.evidence import Container, Pod

LOG_BYTES = 256 * 1024
LOG_TIMEOUT = 10.0  # seconds for one log read (less when --request-timeout says less)
SWEEP_LOG_BUDGET = 20.0  # seconds for all the logs of a sweep
SWEEP_LOGS = 100  # at most this many logs in one sweep
SWEEP_CONCURRENCY = 4
# Ends whose cause the reason or the kubelet's own events decide: a log cannot change them.
DECIDED_REASONS = {"OOMKilled", "Completed", "ContainerStatusUnknown", "Unknown"}
DECIDED_CODES = {0, 137, 143}
NEVER_RAN = {"StartError", "ContainerCannotRun"}


@dataclass(frozen=True)
class Target:
    namespace: str
    pod: str
    container: str
    previous: bool


def targets(pod: Pod, useful_only: bool) -> list[Target]:
    """The logs to read for a pod: every container that ended (pod view), or only those whose
    end a log can explain better (sweep): a program's own exit, a start error, no exit kept."""
    out = []
    for c in pod.containers:
        if not c.name or (c.kind == "ephemeral" and useful_only):
            continue
        term = c.current or c.last
        if term is None and not c.restart_count:
            continue
        if term is not None and term.reason in NEVER_RAN:
            continue  # the runtime could not start it: it wrote no log
        if useful_only and not _useful(c):
            continue
        out.append(Target(pod.namespace, pod.name, c.name, c.current is None))
    return out


def _useful(c: Container) -> bool:
    term = c.current or c.last
    if term is None:
        return True  # restarted without a record: the log may be all there is
    return term.reason not in DECIDED_REASONS and term.exit_code not in DECIDED_CODES


def read(
    get: Callable[..., bytes],
    wanted: Iterable[Target],
    lines: int,
    warn: Callable[[str], None],
    concurrency: int = 1,
) -> dict[tuple[str, str], dict[str, list[str]]]:
    """Log tails by (namespace, pod) and container. ``get(path, query, what)`` returns the body.

    One at a time (the pod view), each failure is its own warning, as the user asked for these
    logs. Concurrently (a sweep), a log that is not kept is normal and says nothing, and the
    other failures make one warning."""
    wanted = list(wanted)
    if lines <= 0 or not wanted:
        return {}
    sweep = concurrency > 1
    gone = threading.Event()  # the server stopped answering: no more tries
    failures: list[str] = []
    skipped: list[Target] = []
    deadline = time.monotonic() + SWEEP_LOG_BUDGET if sweep else None

    def one(t: Target) -> Optional[list[str]]:
        if gone.is_set() or (deadline is not None and time.monotonic() > deadline):
            skipped.append(t)
            return None
        query = {
            "container": t.container,
            "previous": "true" if t.previous else None,
            "tailLines": lines,
            "limitBytes": LOG_BYTES,
        }
        try:
            body = get(
                f"/api/v1/namespaces/{_q(t.namespace)}/pods/{_q(t.pod)}/log",
                query,
                f"reading the log of {t.pod}/{t.container}"
                if sweep
                else f"reading the log of {t.container}",
            )
        except ClusterError as err:
            if err.unreachable or err.forbidden:  # the same for every log: stop asking
                if not gone.is_set():
                    gone.set()
                    failures.append(err.message)
            elif "not found" in err.message:  # rotated away, or never written
                if not sweep:
                    failures.append(f"no log is kept for {t.container}'s last run")
            else:
                failures.append(f"the log of {t.container} could not be read: {err.message}")
            return None
        return body.decode("utf-8", "replace").splitlines()[-lines:]

    if sweep and len(wanted) > 1:  # only a sweep reads several at once
        tails = _each(one, wanted, concurrency)
    else:
        tails = [one(t) for t in wanted]
    unread = len(failures) + len(skipped)
    if sweep and unread:
        why = failures[0] if failures else f"the {SWEEP_LOG_BUDGET:g}s for logs ran out"
        warn(f"{unread} of {len(wanted)} logs could not be read: {why}")
    else:
        for message in dict.fromkeys(failures):
            warn(message)
        if skipped:
            names = ", ".join(t.container for t in skipped)
            warn(f"the logs of {names} were not read either")
    out: dict[tuple[str, str], dict[str, list[str]]] = {}
    for t, tail in zip(wanted, tails):
        if tail is not None:
            out.setdefault((t.namespace, t.pod), {})[t.container] = tail
    return out


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _each(one: Callable[[Target], Optional[list[str]]], wanted: list[Target], workers: int):
    """``one`` of each target in order, ``workers`` at a time, in daemon threads: the workers
    of a ``concurrent.futures`` pool are waited for when the process exits, so Ctrl-C during a
    sweep's log reads waited for the reads in flight (up to their 20 s budget). What ``one``
    raises is raised here, as ``pool.map`` raises it."""
    results: list = [None] * len(wanted)
    errors: list[BaseException] = []
    left = iter(enumerate(wanted))
    lock = threading.Lock()

    def work() -> None:
        while not errors:
            with lock:
                nxt = next(left, None)
            if nxt is None:
                return
            try:
                results[nxt[0]] = one(nxt[1])
            except BaseException as err:  # handed to the caller
                errors.append(err)

    threads = [
        threading.Thread(target=work, name="exitwhy-log", daemon=True)
        for _ in range(max(1, min(workers, len(wanted))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
