"""Who stopped it: kubelet probe kills, hook failures, stops past the grace period, and the
plain SIGKILL/SIGTERM whose sender the evidence does not name.

The kubelet stops a container by sending SIGTERM (or the image's STOPSIGNAL), waiting the grace
period, then SIGKILL (KNOWLEDGE §6.1): so a probe kill or a deletion can end in 0, 143 or 137.
The ``Killing`` event, matched to the termination by container and time, names the sender.
"""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.evidence import Probe
from kubectl_exitwhy.rules.base import (
    HIGH,
    LOW,
    MEDIUM,
    RUNNING,
    TERMINATION,
    Subject,
    Verdict,
    crash_looping,
    duration,
    events_like,
    first_line,
    grace_of,
    near,
    placed,
    rule,
    starts_seen,
    stop_evidence,
    subject_lines,
)
from kubectl_exitwhy.rules.config import hook_said


def _probe_kill(s: Subject, kind: str) -> Optional[Verdict]:
    c = s.c
    if s.reason == "OOMKilled":
        return None
    killing_all = events_like(c.events, ["Killing"], rf"failed {kind} probe")
    unhealthy_all = events_like(c.events, ["Unhealthy"], rf"^{kind} probe")
    probe = c.probes.get(kind)
    grace = probe.grace if probe and probe.grace is not None else s.pod.grace_period
    finished = s.term.finished_at if s.term else None
    killing = near(killing_all, finished, grace + 60)
    unhealthy = near(unhealthy_all, finished, grace + 60 + (probe.budget_seconds if probe else 60))
    timing = None
    if not killing:
        # No Killing event (expired, or not posted): enough failures in a row can still tell,
        # and so can a run time that matches the probe's kill budget; unless the container was
        # being stopped anyway.
        threshold = probe.failure_threshold if probe else 3
        failures = sum(e.count for e in unhealthy)
        killed_code = s.term is not None and s.code in (137, 143)
        # restarted: by its count, its back-off, or, where no status was shown at all, more
        # than one Started event (each start of the container in this pod is one) beside a
        # Killing event whose message was not kept (a kubelet kill always sends one)
        unsaid = [e for e in events_like(c.events, ["Killing"]) if not e.message.strip()]
        shown_starts = starts_seen(c) > 1 and bool(unsaid)
        restarting = s.term is None and (
            c.restart_count or crash_looping(c) or (not c.has_status and shown_starts)
        )
        if failures >= threshold and (killed_code or restarting):
            pass
        elif killed_code and probe and not unhealthy_all and _events_gone(s):
            timing = _budget_match(s, probe, grace)
            if timing is None:
                return None
        else:
            return None
        if stop_evidence(s)[1]:
            return None
    evidence = subject_lines(s)
    evidence += [e.describe() for e in killing[-1:]]
    evidence += [e.describe() for e in unhealthy[-1:]]
    if probe:
        evidence.append(
            f"{c.spec_path}.{kind}Probe: initialDelaySeconds {probe.initial_delay}, periodSeconds "
            f"{probe.period}, failureThreshold {probe.failure_threshold}, timeoutSeconds "
            f"{probe.timeout} (kills after ~{duration(probe.budget_seconds)} of failures)"
        )
    if timing:
        evidence.append(timing)
    reason = unhealthy[-1].message if unhealthy else ""
    if re.fullmatch(rf"{kind} probe failed:?\s*", reason, re.I):  # a probe that printed nothing
        reason = ""
    code = s.code
    how = {137: "SIGKILL after the grace period", 143: "SIGTERM", 0: "exited 0 on SIGTERM"}.get(
        code if code is not None else -1, f"exit {code}" if code is not None else ""
    )
    summary = f"killed by the kubelet after failed {kind} probes"
    if how:
        summary += f" ({how})"
    if reason:
        summary += f": {first_line(reason, 160)}"
    elif timing:
        summary += ": its run time matches the probe's failure budget (no probe event was kept)"
    if not s.term:
        summary += "; lastState was not kept, the events tell it"
        confidence = MEDIUM
    elif killing and placed(killing[-1:], finished):
        confidence = HIGH
    else:
        confidence = MEDIUM
    steps: tuple[str, ...] = ()
    if _NOT_SERVED.search(reason):  # the app answers, but not on that path
        steps = (
            f"The probe's path is not served (HTTP 404): check {kind}Probe.httpGet.path and "
            "port against the app's routes (and its base path, if it has one).",
        )
    elif _SCHEME.search(reason):
        steps = (scheme_step(kind),)
    return Verdict(f"{kind}_probe_kill", confidence, summary, tuple(evidence), steps)


# Go's HTTP client, for the kubelet's prober, when it asks HTTPS of a server speaking plain HTTP
_SCHEME = re.compile(r"server gave HTTP response to HTTPS client")


def scheme_step(kind: str) -> str:
    return (
        f"The probe asks HTTPS of a port that answers plain HTTP: set {kind}Probe.httpGet.scheme "
        "to HTTP (or serve TLS on that port)."
    )


# the kubelet's HTTP prober: "HTTP probe failed with statuscode: 404"
_NOT_SERVED = re.compile(r"statuscode: 404\b")

EVENT_TTL = 3600  # the API server's default --event-ttl: 1 h


def _events_gone(s: Subject) -> bool:
    """No probe event can be expected: no events were read at all, or the end is older than the
    events live. Where they were read and would still be kept, their absence argues against a
    probe kill."""
    pod, finished = s.pod, s.term.finished_at if s.term else None
    if not pod.events_known:
        return True
    latest = max((e.last for e in pod.events if e.last), default=None)
    now = pod.observed or latest
    return finished is not None and now is not None and (now - finished).total_seconds() > EVENT_TTL


def _budget_match(s: Subject, probe: Probe, grace: int) -> Optional[str]:
    """A back-off-looping container that keeps dying when the probe would kill it. The kubelet
    sends SIGTERM after initialDelaySeconds + periodSeconds x failureThreshold; a 143 ends
    then, a 137 (SIGTERM ignored) a grace period later; within a period and the probe's timeout
    either way."""
    c = s.c
    run = s.term.run_seconds if s.term else None
    looping = c.restart_count >= 2 or (
        c.waiting is not None and c.waiting.reason == "CrashLoopBackOff"
    )
    if run is None or not looping:
        return None
    extra = grace if s.code == 137 else 0
    budget = probe.initial_delay + probe.budget_seconds + extra
    slack = probe.period + probe.timeout
    if not budget - slack <= run <= budget + slack:
        return None
    return (
        f"{s.term.source if s.term else c.status_path}: ran {duration(run)}, and the "
        f"{probe.kind} probe kills after "
        f"~{duration(budget - extra)} (initialDelaySeconds + periodSeconds x failureThreshold)"
        + (f" plus the {grace}s grace period" if extra else "")
    )


@rule("lifecycle_hook_failed", 70, TERMINATION)
def post_start_kill(s: Subject) -> Optional[Verdict]:
    """The kubelet killed the container because its postStart hook failed (``FailedPostStartHook``
    event, or a ``Killing`` event with that message)."""
    c = s.c
    hooks = events_like(c.events, ["FailedPostStartHook", "Killing"], r"PostStartHook")
    hooks = near(hooks, s.term.finished_at if s.term else None, grace_of(s) + 60)
    if not hooks:
        return None
    evidence = subject_lines(s) + [e.describe() for e in hooks[-2:]]
    return Verdict(
        "lifecycle_hook_failed",
        HIGH if placed(hooks[-1:], s.term.finished_at if s.term else None) else MEDIUM,
        "killed because its postStart hook failed",
        tuple(evidence),
    )


@rule("lifecycle_hook_failed", 71, RUNNING)
def hook_failed_events(s: Subject) -> Optional[Verdict]:
    """A lifecycle hook failed and no termination record was kept: the ``FailedPostStartHook``
    event (the kubelet then kills the container) or ``FailedPreStopHook`` (the hook failed while
    the container was being stopped; the stop goes on)."""
    c = s.c
    hooks = [e for e in c.events if e.reason in ("FailedPostStartHook", "FailedPreStopHook")]
    if not hooks:
        return None
    e = hooks[-1]
    which = "postStart" if e.reason == "FailedPostStartHook" else "preStop"
    summary = f"the {which} hook failed"
    if which == "postStart":
        summary += ", so the kubelet killed the container"
    exited = re.search(r"exited with (\d+)", e.message)
    summary += hook_said(e.message) or (f" (the hook exited {exited.group(1)})" if exited else "")
    steps: tuple[str, ...] = ()
    if which == "preStop" and exited and exited.group(1) == "137":
        # SIGKILL: the hook runs inside the pod's grace period, and is killed with the container
        # when it ends (with one 2-second extension: the pod lifecycle docs)
        summary += ": killed, most likely when the pod's termination grace period ran out"
        # the grace period is known where the API's whole spec was saved (it defaults it)
        known = s.pod.deletion_grace is not None or any(x.spec_whole for x in s.pod.containers)
        now = f" (now {grace_of(s)} s)" if known else ""
        steps = (
            "A preStop hook runs within the pod's terminationGracePeriodSeconds (the stop of the "
            f"container comes after it): make the grace period{now} longer than the hook takes "
            "and the program's own shutdown, or shorten the hook.",
        )
    evidence = subject_lines(s) + [x.describe() for x in hooks[-2:]]
    return Verdict(
        "lifecycle_hook_failed",
        HIGH if e.timed else MEDIUM,  # an event without a time may be stale
        summary,
        tuple(evidence),
        steps,
        detail=first_line(e.message),
    )


@rule("startup_probe_kill", 80, TERMINATION, RUNNING)
def startup_probe_kill(s: Subject) -> Optional[Verdict]:
    """Killed by the kubelet because the startup probe did not pass within failureThreshold ×
    periodSeconds (``Killing``: "Container X failed startup probe, will be restarted")."""
    return _probe_kill(s, "startup")


@rule("liveness_probe_kill", 81, TERMINATION, RUNNING)
def liveness_probe_kill(s: Subject) -> Optional[Verdict]:
    """Killed by the kubelet after failureThreshold consecutive liveness-probe failures
    (``Killing``: "Container X failed liveness probe, will be restarted", with ``Unhealthy``
    events). The kubelet sends SIGTERM first, so the exit may be 143 or 0 as well as 137. Also
    found from the events alone when the kubelet kept no lastState."""
    return _probe_kill(s, "liveness")


@rule("grace_period_exceeded", 90, TERMINATION)
def grace_period_exceeded(s: Subject) -> Optional[Verdict]:
    """Exit 137 after the container was asked to stop (pod deletion, rollout, drain, eviction,
    ``Killing`` "Stopping container"): it ignored SIGTERM for the whole grace period, so the
    runtime sent SIGKILL."""
    if s.code != 137 or s.pod.reason == "Evicted":
        return None  # an eviction kills with its own short grace: see sigkill
    lines, matched = stop_evidence(s)
    if not lines:
        return None
    grace = grace_of(s)
    summary = (
        f"did not exit within the {grace}s grace period after SIGTERM, so it was "
        "SIGKILLed while the pod was being stopped"
    )
    return Verdict(
        "grace_period_exceeded",
        HIGH if matched else MEDIUM,
        summary,
        tuple(subject_lines(s) + lines),
    )


def _senders(s: Subject) -> list[str]:
    c = s.c
    senders = ["the kernel OOM killer without the runtime noticing (check node events)"]
    live = c.probes.get("liveness")
    if live:
        senders.append(
            f"the kubelet after liveness failures (probe allows "
            f"~{duration(live.budget_seconds)}; no Killing event was found)"
        )
    senders.append(f"a stop that outlived the {s.pod.grace_period}s grace period")
    senders.append("a person or tool: kubectl delete --force, kill -9 on the node")
    senders.append("a container-runtime restart")
    return senders


@rule("sigkill", 110, TERMINATION)
def sigkill(s: Subject) -> Optional[Verdict]:
    """Exit 137 = 128 + 9: the process was killed with SIGKILL and no evidence names the sender.
    137 is not proof of an OOM: only the reason ``OOMKilled`` is. Possible senders: an OOM the
    runtime did not report, the kubelet (probes, stops past the grace period), eviction,
    ``kubectl delete --force``, a runtime restart."""
    if s.code != 137:
        return None
    evidence = subject_lines(s)
    if s.pod.reason == "Evicted":
        lines, _ = stop_evidence(s)
        summary = (
            "SIGKILLed by the kubelet while it evicted the pod (eviction grace, not the pod's)"
        )
        return Verdict("sigkill", HIGH, summary, tuple(evidence + lines))
    evidence.append("possible senders: " + "; ".join(_senders(s)))
    if s.pod.events_known:
        confidence = MEDIUM
    else:
        confidence = LOW
        evidence.append("no events were available: the sender may be in expired events")
    summary = "killed with SIGKILL (137); the reason is not OOMKilled and no event names the sender"
    return Verdict("sigkill", confidence, summary, tuple(evidence))


@rule("sigterm", 111, TERMINATION)
def sigterm(s: Subject) -> Optional[Verdict]:
    """Exit 143 = 128 + 15: the process was asked to stop with SIGTERM and died by the signal's
    default action (it has no handler). Normal during deletions and rollouts; otherwise find who
    sent it."""
    if s.code != 143:
        return None
    lines, matched = stop_evidence(s)
    if lines:
        summary = "stopped on SIGTERM while the pod was being stopped (no SIGTERM handler: 143)"
        confidence = HIGH if matched else MEDIUM
    else:
        summary = "stopped by SIGTERM (143); no event names who sent it"
        confidence = MEDIUM if s.pod.events_known else LOW
    return Verdict("sigterm", confidence, summary, tuple(subject_lines(s) + lines))


RULES = (
    post_start_kill,
    hook_failed_events,
    startup_probe_kill,
    liveness_probe_kill,
    grace_period_exceeded,
    sigkill,
    sigterm,
)
