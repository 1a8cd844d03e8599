"""diagnose(pod) -> PodDiagnosis: the decision order, in one place.

For each container the engine picks what to explain, reading ``state`` and ``lastState``:

1. a waiting container with an error of its own (image, config, start errors) → waiting rules;
2. otherwise the current ``state.terminated``, else ``lastState.terminated`` → termination
   rules (``CrashLoopBackOff`` is only the back-off; the cause is in ``lastState``);
3. otherwise a container that restarted but kept no record → the events (running rules);
4. a healthy container says nothing.

Rules in a scope run in precedence order; the first verdict wins. The pod gets at most one
pod-level finding; it comes first, then container findings by severity.
"""

from __future__ import annotations

from typing import Optional

from kubectl_exitwhy import codes
from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.evidence import Container, Pod
from kubectl_exitwhy.rules import BY_SCOPE
from kubectl_exitwhy.rules.base import (
    LOW,
    POD,
    RUNNING,
    TERMINATION,
    WAITING,
    Subject,
    Verdict,
    pod_is_stopping,
    restarts_line,
    waiting_line,
)

# Causes whose exit code was made up by the kubelet or the runtime: no signal was sent.
SYNTHETIC_CODES = {"container_status_unknown", "runtime_lost"}
QUIET_WAITING = {"", "ContainerCreating", "PodInitializing", "CrashLoopBackOff"}
KIND_ORDER = {"pod": 0, "init": 1, "regular": 2, "sidecar": 3, "ephemeral": 4}


def first_verdict(scope: str, subject: Subject) -> Optional[Verdict]:
    for r in BY_SCOPE[scope]:
        verdict = r.check(subject)
        if verdict is not None:
            return verdict
    return None


def _container_verdict(pod: Pod, c: Container) -> Optional[tuple[Verdict, Subject]]:
    # 1. cannot start: the waiting reason itself is the error
    if c.waiting and c.waiting.reason not in QUIET_WAITING:
        subject = Subject(pod, c, waiting=c.waiting)
        verdict = first_verdict(WAITING, subject)
        if verdict:
            return verdict, subject
    # 2. a termination record: the current one, else the previous one
    term = c.current or c.last
    if term is not None:
        subject = Subject(pod, c, term=term)
        verdict = first_verdict(TERMINATION, subject)
        assert verdict is not None  # the `unknown` rule matches everything
        return verdict, subject
    # 3. restarted (or crash-looping) without a kept record: only the events can tell
    if c.restart_count or (c.waiting and c.waiting.reason == "CrashLoopBackOff"):
        subject = Subject(pod, c)
        verdict = first_verdict(RUNNING, subject)
        if verdict:
            return verdict, subject
        evidence = [restarts_line(c)]
        if c.waiting:
            evidence.append(waiting_line(c.waiting))
        evidence.append(f"{c.status_path}.lastState: empty (the kubelet kept no record)")
        if not pod.events_known:
            evidence.append("no events were available")
        return Verdict(
            "unknown",
            LOW,
            f"restarted {c.restart_count} times, but no termination record or event says why",
            tuple(evidence),
        ), subject
    # 3b. waiting with an error no rule knows
    if c.waiting and c.waiting.reason not in QUIET_WAITING:
        subject = Subject(pod, c, waiting=c.waiting)
        return Verdict(
            "unknown", LOW, f"waiting: {c.waiting.reason}", (waiting_line(c.waiting),)
        ), subject
    return None


# Pod-level causes whose consequences the containers' own findings are: those become info.
DISRUPTIONS = {
    "evicted", "eviction_api", "preempted", "node_shutdown", "node_lost", "deadline_exceeded",
    "admission_rejected",
}  # fmt: skip


def _severity(
    pod: Pod, c: Container, verdict: Verdict, subject: Subject, pod_cause: Optional[str]
) -> str:
    """critical: failing now; warning: died before, or a defect behind a stop; info: normal
    ends, graceful stops, and the consequences of a pod-level disruption (DESIGN §4)."""
    if verdict.severity:
        return verdict.severity
    kind = CAUSES[verdict.cause].kind
    if kind == "normal" or pod_cause in DISRUPTIONS or c.kind == "ephemeral":
        return "info"  # an ephemeral (kubectl debug) container's end never affects the pod
    if (
        pod.phase == "Failed"
        and pod.job is not None
        and any(
            cond.type in ("Complete", "SuccessCriteriaMet") and cond.status == "True"
            for cond in pod.job.conditions
        )
    ):
        return "warning"  # a failed try of a Job that then succeeded
    if pod.phase == "Succeeded":  # e.g. sidecars stopped after the main containers finished
        return "info" if kind == "stop" else "warning"
    if pod_is_stopping(pod):
        if verdict.cause == "sigterm" or verdict.cause == "container_status_unknown":
            return "info"
        return "warning"  # e.g. SIGTERM ignored until the grace ran out: shutdown loses work
    failing_now = c.state in ("waiting", "terminated", "none") or (
        subject.term is not None and subject.term is c.current
    )
    return "critical" if failing_now else "warning"


def _fill(step: str, pod: Pod, c: Optional[Container]) -> str:
    owner = pod.owner.name if pod.owner else "<owner>"
    return (
        step.replace("<ns>", pod.namespace or "default")
        .replace("<pod>", pod.name or "<pod>")
        .replace("<container>", c.name if c else "<container>")
        .replace("<node>", pod.node_name or "<node>")
        .replace("<owner>", owner)
    )


def _finding(
    pod: Pod,
    c: Optional[Container],
    verdict: Verdict,
    subject: Subject,
    pod_cause: Optional[str] = None,
) -> Finding:
    cause = CAUSES[verdict.cause]
    steps = tuple(_fill(s, pod, c) for s in verdict.next_steps + cause.next_steps)
    term = subject.term
    code = term.exit_code if term else None
    signal = None
    if term and term.signal and verdict.cause not in SYNTHETIC_CODES:
        signal = codes.signal_name(term.signal)
    if c is None:
        severity = verdict.severity or ("critical" if cause.kind == "failure" else "info")
        return Finding(
            None,
            "pod",
            verdict.cause,
            severity,
            verdict.confidence,
            None,
            None,
            pod.reason or None,
            None,
            None,
            verdict.detail,
            verdict.summary,
            verdict.evidence,
            steps,
        )
    reason = term.reason if term else (subject.waiting.reason if subject.waiting else None)
    return Finding(
        container=c.name,
        container_type=c.kind,
        cause=verdict.cause,
        severity=_severity(pod, c, verdict, subject, pod_cause),
        confidence=verdict.confidence,
        exit_code=code,
        signal=signal,
        reason=reason or None,
        restart_count=c.restart_count,
        finished_at=term.finished_at if term else None,
        detail=verdict.detail,
        summary=verdict.summary,
        evidence=verdict.evidence,
        next_steps=steps,
        log_tail=c.log_tail,
    )


def diagnose(pod: Pod) -> PodDiagnosis:
    findings = []
    pod_verdict = first_verdict(POD, Subject(pod))
    if pod_verdict:
        findings.append(_finding(pod, None, pod_verdict, Subject(pod)))
    container_findings = []
    for index, c in enumerate(pod.containers):
        found = _container_verdict(pod, c)
        if found:
            verdict, subject = found
            container_findings.append(
                (
                    index,
                    _finding(pod, c, verdict, subject, pod_verdict.cause if pod_verdict else None),
                )
            )
    container_findings.sort(
        key=lambda item: (
            SEVERITY_RANK[item[1].severity],
            KIND_ORDER[item[1].container_type],
            item[0],
        )
    )
    findings += [f for _, f in container_findings]
    return PodDiagnosis(
        pod.namespace, pod.name, pod.phase, pod.node_name, pod.owner, tuple(findings), pod.warnings
    )
