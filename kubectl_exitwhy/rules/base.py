"""What every rule family shares: the subject a rule looks at, its verdict, its declaration.

A rule is a pure function ``check(subject) -> Verdict | None``. Its docstring is the user-facing
explanation of the cause (``docs/causes.md`` is generated from it). Rules are declared in a
``RULES`` tuple at the end of each family module; ``kubectl_exitwhy.rules`` joins them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Optional

from kubectl_exitwhy.evidence import Container, Event, Pod, Termination, Waiting

# Scopes: what a rule explains.
TERMINATION = "termination"  # a terminated record (state or lastState)
WAITING = "waiting"  # a container that cannot start (state.waiting with an error reason)
RUNNING = "running"  # restarted, but no terminated record was kept
POD = "pod"  # the pod as a whole
SPEC = "spec"  # a container with no failure, whose spec alone says it will fail

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Subject:
    pod: Pod
    container: Optional[Container] = None
    term: Optional[Termination] = None
    waiting: Optional[Waiting] = None

    @property
    def c(self) -> Container:
        assert self.container is not None
        return self.container

    @property
    def code(self) -> Optional[int]:
        return self.term.exit_code if self.term else None

    @property
    def reason(self) -> str:
        if self.term:
            return self.term.reason
        return self.waiting.reason if self.waiting else ""

    @property
    def message(self) -> str:
        if self.term:
            return self.term.message
        return self.waiting.message if self.waiting else ""


@dataclass(frozen=True)
class Verdict:
    cause: str
    confidence: str
    summary: str
    evidence: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    detail: Optional[str] = None
    severity: Optional[str] = None  # only where the cause's kind does not decide it
    own_steps: bool = False  # next_steps replace the cause's, instead of coming before them


@dataclass(frozen=True)
class Rule:
    cause: str
    scopes: tuple[str, ...]
    order: int
    check: Callable[[Subject], Optional[Verdict]]

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


def rule(cause: str, order: int, *scopes: str) -> Callable[[Callable], Rule]:
    """Declare a rule in place: ``checks = rule("oom_killed", 50, TERMINATION)(fn)``."""

    def wrap(fn: Callable[[Subject], Optional[Verdict]]) -> Rule:
        return Rule(cause, scopes or (TERMINATION,), order, fn)

    return wrap


# --- formatting evidence ----------------------------------------------------------------------


def duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "unknown time"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def stamp(moment: Optional[datetime]) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "unknown"


def term_line(t: Termination) -> str:
    parts = [f"exitCode {t.raw_exit_code if t.exit_code is None else t.exit_code}"]
    if t.code_note:
        parts.append(f"({t.code_note})")
    parts.append(f"reason {t.reason or '(empty)'}")
    if t.never_started:
        parts.append("never started (startedAt 1970-01-01)")
    elif t.run_seconds is not None:
        parts.append(f"ran {duration(t.run_seconds)}")
    if t.finished_at:
        parts.append(f"finished {stamp(t.finished_at)}")
    line = f"{t.source}: " + ", ".join(parts)
    if t.message:
        line += f"; message: {first_line(t.message)}"
    return line


def first_line(text: str, limit: int = 2000) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def waiting_line(w: Waiting) -> str:
    if w.source.startswith("event "):  # read back from a Warning event (rules/events.py)
        return f"{w.source} (so the container waits on {w.reason})"
    return f"{w.source}: reason {w.reason}" + (
        f"; message: {first_line(w.message)}" if w.message else ""
    )


def restarts_line(c: Container) -> str:
    if not c.restarts_known:
        return f"{c.status_path}.restartCount: not given (a lastState means at least one restart)"
    return f"{c.status_path}.restartCount: {c.restart_count}"


def restarts_text(c: Container) -> str:
    """ "restarted 5 times", or "restarted at least once" when the count was not given."""
    return f"restarted {c.restart_count} times" if c.restarts_known else "restarted at least once"


def subject_lines(s: Subject) -> list[str]:
    """The record being explained, and the crash-loop state around it."""
    lines = []
    if s.term:
        lines.append(term_line(s.term))
    if s.container and s.container.waiting and s.container.waiting is not s.waiting:
        lines.append(waiting_line(s.container.waiting))
    elif s.waiting:
        lines.append(waiting_line(s.waiting))
    if s.container and s.container.restart_count:
        lines.append(restarts_line(s.container))
    return lines


def mib(value: Optional[int]) -> str:
    if value is None:
        return "none"
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value / 2**20:.0f}Mi" if value >= 2**20 else f"{value}B"


# --- events -----------------------------------------------------------------------------------


def events_like(
    events: Iterable[Event], reasons: Iterable[str], pattern: Optional[str] = None
) -> list[Event]:
    wanted = set(reasons)
    rx = re.compile(pattern, re.IGNORECASE) if pattern else None
    return [e for e in events if e.reason in wanted and (rx is None or rx.search(e.message))]


def near(events: Iterable[Event], moment: Optional[datetime], before: float, after: float = 30):
    """Events that overlap [moment - before, moment + after]; all of them if moment is unknown.
    An event without any time (copied from ``kubectl describe``, or from an exporter) cannot be
    placed, so it is kept: rules that use one say so and stay at medium confidence at most."""
    if moment is None:
        return list(events)
    return [e for e in events if not e.timed or e.overlaps(moment, before, after)]


def placed(events: Iterable[Event], moment: Optional[datetime]) -> bool:
    """True when the events can be matched to the moment by time (both are known)."""
    events = list(events)
    return moment is not None and bool(events) and all(e.timed for e in events)


def crash_looping(c: Container) -> bool:
    """In the kubelet's restart back-off: the waiting reason, or its ``BackOff`` event
    ("Back-off restarting failed container …")."""
    if c.waiting is not None and c.waiting.reason == "CrashLoopBackOff":
        return True
    return any(e.reason == "BackOff" and "restarting failed" in e.message for e in c.events)


def starts_seen(c: Container) -> int:
    """How often the events say the container was started (``Started``, counts summed)."""
    return sum(e.count for e in c.events if e.reason == "Started")


def grace_of(s: Subject) -> int:
    pod = s.pod
    return pod.deletion_grace if pod.deletion_grace is not None else pod.grace_period


def stop_evidence(s: Subject) -> tuple[list[str], bool]:
    """Evidence that the container was asked to stop around this termination.

    Returns the evidence lines and whether the stop is matched to the termination in time: a
    kubelet ``Killing "Stopping container"`` event, or the deletion, both with times that fit
    (the strongest proof). A termination the container was restarted after, or one that ended
    before the stop was asked for, is not part of the stop.
    """
    lines: list[str] = []
    pod = s.pod
    finished = s.term.finished_at if s.term else None
    c = s.container
    if c is not None and s.term is not None and s.term is c.last and c.state == "running":
        return lines, False  # restarted since: a stop does not restart a container
    grace = min(max(grace_of(s), 0), 10**9)
    requested = pod.deletion_at - timedelta(seconds=grace) if pod.deletion_at else None
    target = pod.condition("DisruptionTarget")
    if requested is None and target and target.status == "True":
        requested = target.last_transition
    if (
        finished is not None
        and requested is not None
        and finished < requested - timedelta(seconds=5)
    ):
        return lines, False  # it ended before the stop was asked for
    killing = []
    if c:
        killing = near(
            events_like(c.events, ["Killing"], r"^Stopping container"), finished, grace + 60
        )
    lines += [e.describe() for e in killing[-1:]]
    matched = placed(killing[-1:], finished)
    if pod.deletion_at:
        given = f", grace {pod.deletion_grace}s" if pod.deletion_grace is not None else ""
        lines.append(f"metadata.deletionTimestamp: {stamp(pod.deletion_at)}{given}")
        matched = matched or finished is not None
    if target and target.status == "True":
        lines.append(f"status.conditions[DisruptionTarget]: {target.reason}: {target.message}")
    if c is not None and c.kind == "sidecar":
        regular = [x for x in pod.containers if x.kind == "regular"]
        if regular and all(x.state == "terminated" for x in regular):
            lines.append(
                "status.containerStatuses: every regular container has terminated, and the "
                f"kubelet then stops sidecar {c.name}"
            )
    if pod.reason in STOP_REASONS:
        lines.append(f"status.reason: {pod.reason}: {first_line(pod.message)}")
    return lines, matched


STOP_REASONS = (
    "Evicted",
    "Preempting",
    "Terminated",
    "NodeShutdown",
    "Shutdown",
    "DeadlineExceeded",
    "NodeLost",
)


def pod_is_stopping(pod: Pod) -> bool:
    target = pod.condition("DisruptionTarget")
    return bool(
        pod.deletion_at or (target and target.status == "True") or pod.reason in STOP_REASONS
    )
