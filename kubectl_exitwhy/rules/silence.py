"""The last word on a broken pod that no rule explains: ``unknown``, with the raw facts.

Silence about a broken pod is the second-worst answer (only a wrongly certain one is worse). A pod
is broken here when it is Pending past its start-up (or, read from a file, Pending at all), Failed
(other than a failed try of a Job that then succeeded), in phase Unknown, or has no status while
Warning events concern it. A healthy, ready pod with a passing Warning (a readiness blip during
start) is not broken.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from kubectl_exitwhy.evidence import Event, Pod
from kubectl_exitwhy.rules.base import (
    LOW,
    Subject,
    Verdict,
    duration,
    first_line,
    pod_is_stopping,
    waiting_line,
)

# How long a pod may sit in Pending (pulling, mounting, scheduling) before it counts as stuck.
PENDING_GRACE = timedelta(minutes=5)


def _warnings(pod: Pod) -> list[Event]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in reversed(pod.events):
        if e.warning and (e.reason, e.message) not in seen:
            seen.add((e.reason, e.message))
            out.append(e)
    return list(reversed(out[:3]))


def _now(pod: Pod) -> Optional[datetime]:
    """When the pod was read: live, the clock; from a file, its newest event stands for when it
    was saved (conditions are set once, when the pod starts, so they do not)."""
    return pod.observed or max((e.last for e in pod.events if e.last), default=None)


def _why_broken(pod: Pod, warnings: list[Event]) -> Optional[str]:
    if pod_is_stopping(pod):
        # being deleted, evicted or shut down: the stop explains its state, unless the kubelet
        # cannot finish it (FailedKillPod: the sandbox or the network will not tear down)
        now, deleted = _now(pod), pod.deletion_at
        kill_failed = any(e.reason in ("FailedKillPod", "FailedSync") for e in warnings)
        if now and deleted and now - deleted > PENDING_GRACE and kill_failed:
            return f"stuck Terminating for {duration((now - deleted).total_seconds())}"
        return None
    creating = any(
        c.waiting and c.waiting.reason in ("ContainerCreating", "PodInitializing")
        for c in pod.containers
    )
    if pod.phase == "Pending" or (not pod.phase and creating):  # a pod whose phase was not saved
        now = _now(pod)
        age = now - pod.created if now and pod.created else None
        if age is None or age >= PENDING_GRACE:
            return "Pending" + (f" for {duration(age.total_seconds())}" if age else "")
        return None  # starting: pulls, mounts and scale-ups take a few minutes
    if pod.phase == "Failed":
        return None if pod.job is not None and pod.job.succeeded else "Failed"
    if pod.phase == "Unknown":
        return "in phase Unknown (the node stopped reporting)"
    if not pod.phase and not pod.containers and warnings:
        return "without a status"
    if not pod.phase and warnings and not any(c.state == "running" for c in pod.containers):
        return "without a phase"
    return None


def unexplained(s: Subject) -> Optional[Verdict]:
    """A broken pod that no rule explains: the raw facts and its Warning events."""
    pod = s.pod
    warnings = _warnings(pod)
    why = _why_broken(pod, warnings)
    if why is None:
        return None
    evidence = [f"status.phase: {pod.phase or '(empty)'}"]
    if pod.reason or pod.message:
        evidence.append(
            f"status.reason: {pod.reason or '(empty)'}; message: {first_line(pod.message)}"
        )
    for cond in pod.conditions:
        if cond.status == "False" and cond.type in ("PodScheduled", "Initialized", "Ready"):
            evidence.append(
                f"status.conditions[{cond.type}]: False, {cond.reason or '(no reason)'}"
                + (f": {first_line(cond.message)}" if cond.message else "")
            )
    for c in pod.containers:
        if c.waiting:
            evidence.append(waiting_line(c.waiting))
    evidence += [e.describe() for e in warnings]
    if not pod.events_known:
        evidence.append("no events were available: they usually say why a pod is stuck")
    summary = f"the pod is {why}, and no rule explains it"
    if warnings:
        summary += (
            f"; latest warning: {warnings[-1].reason}: {first_line(warnings[-1].message, 100)}"
        )
    return Verdict("unknown", LOW, summary, tuple(evidence), severity="critical")
