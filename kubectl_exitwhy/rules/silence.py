"""The last word on a broken pod that no rule explains: ``unknown``, with the raw facts.

Silence about a broken pod is the second-worst answer (only a wrongly certain one is worse). A pod
is broken here when it is Pending past its start-up (or, read from a file, Pending at all), Failed
(other than a failed try of a Job that then succeeded), in phase Unknown, or has no status while
Warning events concern it. A healthy, ready pod with a passing Warning (a readiness blip during
start) is not broken; a running pod whose container has stayed not ready past a start-up while
its readiness probe keeps failing is: the kubelet never restarts a container for that, so no exit
and no waiting reason will ever tell it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from kubectl_exitwhy.evidence import Container, Event, Pod
from kubectl_exitwhy.rules.base import (
    LOW,
    Subject,
    Verdict,
    duration,
    events_like,
    first_line,
    pod_is_stopping,
    waiting_line,
)
from kubectl_exitwhy.rules.kills import _SCHEME, scheme_step

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


# the kubelet's prober: "Readiness probe failed: <output>", "Readiness probe errored: <err>".
# The kubelet drops an errored probe's result (worker.go), so an error keeps the last result;
# readiness starts as Failure, so a probe that errors from its first try keeps the container
# from ever being ready.
_FAILED = r"^\s*readiness probe failed"
_ERRORED = r"^\s*readiness probe errored"
# How long a container may stay not ready before it counts: a Deployment's rollout counts a new
# pod as progressing for progressDeadlineSeconds (600 by default).
NOT_READY_GRACE = timedelta(minutes=10)


def _failing_for(pod: Pod, c: Container, failed: list[Event], period: int) -> float:
    """The least time the container has been kept not ready by its probe, in seconds. Where the
    pod's Ready condition went False at a known moment: since then, or since the container
    started if it started later (the time before went to pulls, init containers, volumes).
    Else what the events show, the span of them or their count (one event per failed attempt,
    ``period`` seconds apart), never more than the container has run."""
    ready, now = pod.condition("Ready"), _now(pod)
    if ready is not None and ready.status == "False" and ready.last_transition and now:
        since = max(t for t in (ready.last_transition, c.running_since) if t is not None)
        return (now - since).total_seconds()
    firsts = [t for t in (e.first or e.last for e in failed) if t is not None]
    lasts = [t for t in (e.last or e.first for e in failed) if t is not None]
    spans = [0.0, (sum(max(e.count, 1) for e in failed) - 1) * period]
    if firsts and lasts:
        spans.append((max(lasts) - min(firsts)).total_seconds())
    span = max(spans)
    if c.running_since is not None and now is not None:
        span = min(span, (now - c.running_since).total_seconds())
    return span


def _never_ready(pod: Pod, c: Container) -> bool:
    """Not ready since the container started: the pod's Ready went False before it ran (its
    first sync), and has not changed since."""
    ready = pod.condition("Ready")
    return (
        ready is not None
        and ready.status == "False"
        and ready.last_transition is not None
        and c.running_since is not None
        and ready.last_transition <= c.running_since
    )


def _unready_container(pod: Pod, failed: list[Event]) -> Optional[Container]:
    """The one running container that is not ready now and whose readiness probe the events
    show failing: named by them, else (events that name none) the only one not ready. A
    container whose whole spec was shown without a readiness probe is never it."""
    unready = [
        c
        for c in pod.containers
        if c.ready is False
        and c.state == "running"
        and c.kind in ("regular", "sidecar")
        and not (c.spec_whole and "readiness" not in c.probes)
    ]
    named = [c for c in unready if any(e.container == c.name for e in failed)]
    if len(named) == 1:
        return named[0]
    if not named and len(unready) == 1 and any(e.container is None for e in failed):
        return unready[0]
    return None


def not_ready(pod: Pod) -> Optional[tuple[Container, Verdict]]:
    """A running container that stays not ready while its readiness probe fails, past a
    rollout's patience (``NOT_READY_GRACE``), and the verdict on it. Its kind of failure is
    known, its reason is not: the probe's output is all there is."""
    if pod.phase != "Running" or pod_is_stopping(pod):
        return None
    failed = events_like(pod.events, ["Unhealthy"], _FAILED)
    errored = events_like(pod.events, ["Unhealthy"], _ERRORED)
    c = _unready_container(pod, failed or errored) if failed or errored else None
    if c is None:
        return None
    mine = [e for e in failed if e.container in (None, c.name)]
    cannot_run = False
    if not mine:  # only errors: they keep it not ready only where it never was ready
        mine = [e for e in errored if e.container in (None, c.name)]
        if not mine or not _never_ready(pod, c):
            return None
        cannot_run = True
    probe = c.probes.get("readiness")
    period = probe.period if probe else 10  # the API's default periodSeconds
    span = _failing_for(pod, c, mine, period)
    if span < NOT_READY_GRACE.total_seconds():
        return None  # still within a rollout's patience: the probe may pass yet
    latest = mine[-1]
    output = latest.message.split(":", 1)[1].strip() if ":" in latest.message else ""
    said = first_line(output, 120) or "no output"
    how = f"cannot run ({said})" if cannot_run else f"fails ({said})"
    summary = (
        f"container {c.name} has not been ready for at least {duration(span)}: its readiness "
        f"probe {how}; the kubelet never restarts a container for that, and a pod that is not "
        "ready gets no traffic from its Services"
    )
    evidence = [f"{c.status_path}.ready: false, running"]
    ready = pod.condition("Ready")
    if ready is not None and ready.status == "False":
        evidence.append(f"status.conditions[Ready]: False, {ready.reason or '(no reason)'}")
    evidence += [e.describe() for e in mine[-3:]]
    where = f"{pod.name} -n {pod.namespace or '<ns>'}"
    steps = [
        f"See what the probe asks and gets: kubectl describe pod {where} (Readiness: its "
        f"path, port and timeout; the Unhealthy events), and the app's log: kubectl logs "
        f"{where} -c {c.name}",
    ]
    if cannot_run:
        steps.append(
            "The kubelet cannot run the probe at all: for an exec probe, check that its command "
            "exists in the image (a distroless or slim image has no curl or sh); else the "
            "runtime's error above says why."
        )
    elif "statuscode: 404" in output:
        steps.append(
            "The probe's path is not served (HTTP 404): check readinessProbe.httpGet.path and "
            "port against the app's routes (and its base path, if it has one)."
        )
    elif _SCHEME.search(output):
        steps.append(scheme_step("readiness"))
    elif "connection refused" in output:
        steps.append(
            "Nothing listens on the probe's port: check readinessProbe's port against the "
            "port the app binds (and that it binds 0.0.0.0, not 127.0.0.1)."
        )
    steps.append(
        "A replica kept not ready on purpose (a standby that passes only as the primary) looks "
        "the same: if this is one, there is nothing to fix."
    )
    detail = f"readiness probe {'cannot run' if cannot_run else 'failing'}: " + (
        first_line(output, 60) or "no output"
    )
    verdict = Verdict("unknown", LOW, summary, tuple(evidence), next_steps=tuple(steps),
                      detail=detail, severity="warning", own_steps=True)  # fmt: skip
    return c, verdict


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
