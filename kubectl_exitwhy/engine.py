"""diagnose(pod) -> PodDiagnosis: the decision order, in one place.

For each container the engine picks what to explain, reading ``state`` and ``lastState``:

1. a waiting container with an error of its own (image, config, start errors) → waiting rules;
2. a container that has not started and whose status does not say why (``ContainerCreating``,
   no status at all) → the error its latest Warning event names, through the waiting rules;
3. otherwise the current ``state.terminated``, else ``lastState.terminated`` → termination
   rules (``CrashLoopBackOff`` is only the back-off; the cause is in ``lastState``);
4. otherwise a container that restarted, or that a probe is killing, but kept no record → the
   events (running rules);
5. a healthy container says nothing.

Rules in a scope run in precedence order; the first verdict wins. The pod gets at most one
pod-level finding; it comes first, then container findings by severity. A pod that is plainly
broken but that no rule explains still gets one finding, ``unknown``, with the raw facts: the
engine is never silent about a broken pod.
"""

from __future__ import annotations

from typing import Optional

from kubectl_exitwhy import codes, logsigs
from kubectl_exitwhy.causes import CAUSES, short
from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.evidence import Container, Pod, Termination
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.rules import BY_SCOPE
from kubectl_exitwhy.rules.base import (
    HIGH,
    LOW,
    MEDIUM,
    POD,
    RUNNING,
    SPEC,
    TERMINATION,
    WAITING,
    Subject,
    Verdict,
    crash_looping,
    pod_is_stopping,
    restarts_line,
    restarts_text,
    starts_seen,
    stop_evidence,
    waiting_line,
)
from kubectl_exitwhy.rules.budgets import with_budget
from kubectl_exitwhy.rules.events import waiting_from_events
from kubectl_exitwhy.rules.silence import not_ready, unexplained

# Causes whose exit code was made up by the kubelet or the runtime: no signal was sent.
SYNTHETIC_CODES = {"container_status_unknown", "runtime_lost"}
# A container killed or stopped with its whole pod (evicted, preempted, its node shut down or
# lost): the pod's finding says why and what to do; the container's own generic steps (look for
# the sender, check the node for an OOM) would send the reader after what is already known.
POD_STOPS = {"evicted", "eviction_api", "preempted", "node_shutdown", "node_lost"}
STOPPED_WITH_POD = {"sigkill", "sigterm", "container_status_unknown"}
WITH_POD_STEP = "Stopped with the pod ({}): the pod's finding says why and what to do."
QUIET_WAITING = {"", "ContainerCreating", "PodInitializing", "CrashLoopBackOff"}
HOOK_EVENTS = {"FailedPostStartHook", "FailedPreStopHook"}
FIELDS = {"init": "initContainers", "sidecar": "initContainers", "ephemeral": "ephemeralContainers"}
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
    # 2. not started, and the status does not say why: the latest Warning event may
    term = c.current or c.last
    if term is None:
        from_event = waiting_from_events(c)
        if from_event:
            subject = Subject(pod, c, waiting=from_event)
            verdict = first_verdict(WAITING, subject)
            if verdict:
                if not from_event.timed and verdict.confidence == HIGH:
                    verdict = replace(verdict, confidence=MEDIUM)  # the event may be stale
                return verdict, subject
    # 3. a termination record: the current one, else the previous one
    if term is not None:
        subject = Subject(pod, c, term=term)
        verdict = first_verdict(TERMINATION, subject)
        assert verdict is not None  # the `unknown` rule matches everything
        return with_budget(verdict, subject), subject
    # 4. restarted (or crash-looping, or being killed by a probe) without a kept record: only
    # the events can tell
    if (
        c.restart_count
        or (c.waiting and c.waiting.reason == "CrashLoopBackOff")
        or any(e.reason == "Killing" and "probe" in e.message for e in c.events)
        or any(e.reason in HOOK_EVENTS for e in c.events)
        or crash_looping(c)
        or starts_seen(c) > 1
        or logsigs.implied(c.log_hits)
    ):
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
        if not c.restart_count and not crash_looping(c) and starts_seen(c) < 2:
            return None  # only a probe's or hook's event, which no rule took: nothing to say
        if c.restart_count:
            restarted = restarts_text(c)
        elif starts_seen(c) > 1:
            restarted = f"started {starts_seen(c)} times (Started events)"
            evidence.append(next(e.describe() for e in c.events if e.reason == "Started"))
        else:
            restarted = "restarting (back-off)"
        return Verdict(
            "unknown",
            LOW,
            f"{restarted}, but no termination record or event says why",
            tuple(evidence),
        ), subject
    # 4b. waiting with an error no rule knows
    if c.waiting and c.waiting.reason not in QUIET_WAITING:
        subject = Subject(pod, c, waiting=c.waiting)
        return Verdict(
            "unknown", LOW, f"waiting: {c.waiting.reason}", (waiting_line(c.waiting),)
        ), subject
    # 5. nothing failed: the spec alone may say it will (memory settings that cannot fit)
    if c.has_spec:
        subject = Subject(pod, c)
        verdict = first_verdict(SPEC, subject)
        if verdict:
            return verdict, subject
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
    consequence = pod_cause in DISRUPTIONS and (
        subject.term is None or bool(stop_evidence(subject)[0])
    )  # not a crash from before the disruption, which the container restarted after
    if kind == "normal" or consequence or c.kind == "ephemeral":
        return "info"  # an ephemeral (kubectl debug) container's end never affects the pod
    if pod.phase == "Failed" and pod.job is not None and pod.job.succeeded:
        return "warning"  # a failed try of a Job that then succeeded
    if pod.phase == "Succeeded":  # e.g. sidecars stopped after the main containers finished
        return "info" if kind == "stop" else "warning"
    regular = [x for x in pod.containers if x.kind == "regular"]
    if c.kind == "sidecar" and kind == "stop" and regular and all(x.current for x in regular):
        return "info"  # a native sidecar the kubelet stopped once the main containers ended
    if pod_is_stopping(pod):
        if verdict.cause == "sigterm" or verdict.cause == "container_status_unknown":
            return "info"
        return "warning"  # e.g. SIGTERM ignored until the grace ran out: shutdown loses work
    failing_now = c.state in ("waiting", "terminated", "none") or (
        subject.term is not None and subject.term is c.current
    )
    return "critical" if failing_now else "warning"


def _never_ran(c: Container) -> bool:
    """Waiting with no run behind it: no restart, no termination (or one that never started)."""
    ended = [t for t in (c.current, c.last) if t is not None and not t.never_started]
    ran = ended or c.restart_count or c.log_tail  # a log was read: it ran
    return c.state in ("waiting", "none") and not ran


def _fill(step: str, pod: Pod, c: Optional[Container]) -> str:
    owner = pod.owner.name if pod.owner else "<owner>"
    if c is None and "<container>" in step:  # a pod-level finding: the container that waits
        c = next((x for x in pod.containers if x.waiting and x.name), None)
    if c is not None and ".spec.containers[*]" in step:  # the container's own field, by name
        field = FIELDS.get(c.kind, "containers")
        step = step.replace(".spec.containers[*]", f'.spec.{field}[?(@.name=="{c.name}")]')
    # a container that restarted has a previous run's log, even where its record was not kept
    ended_before = c is not None and (c.last is not None or c.restart_count > 0)
    if "--previous" in step and (c is None or not ended_before or c.current is not None):
        # the run that ended is the current one (or none ended): its log needs no --previous,
        # and it is not "the previous log"
        step = step.replace(" --previous", "").replace("previous log", "log")
    # a namespace not saved stays <ns>: kubectl's own default is the context's, not "default"
    return (
        step.replace("<ns>", pod.namespace or "<ns>")
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
    if c is not None:
        verdict = _with_log(verdict, c, subject.term)
    cause = CAUSES[verdict.cause]
    own = verdict.next_steps + (() if verdict.own_steps else cause.next_steps)
    steps = tuple(_fill(s, pod, c) for s in own)
    if c is not None and _never_ran(c):  # no log exists to read
        steps = tuple(s for s in steps if "kubectl logs" not in s)
    if c is not None and pod_cause in POD_STOPS and verdict.cause in STOPPED_WITH_POD:
        steps = (WITH_POD_STEP.format(short(pod_cause)),)
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
    oom_before = term is not None and term is c.current and c.last and c.last.reason == "OOMKilled"
    if oom_before and verdict.cause not in ("oom_killed", "oom_node"):  # it died another way
        assert c.last is not None
        verdict = replace(
            verdict,
            summary=f"{verdict.summary}; the run before was OOM-killed",
            evidence=verdict.evidence + (f"{c.last.source}: reason OOMKilled",),
        )
    return Finding(
        container=c.name or None,  # None: only events were saved, and they name no container
        container_type=c.kind,
        cause=verdict.cause,
        severity=_severity(pod, c, verdict, subject, pod_cause),
        confidence=verdict.confidence,
        exit_code=code,
        signal=signal,
        reason=reason or None,
        restart_count=c.restart_count if c.restarts_known or not c.restart_count else None,
        finished_at=term.finished_at if term else None,
        detail=verdict.detail,
        summary=verdict.summary,
        evidence=verdict.evidence,
        next_steps=steps,
        log_tail=c.log_tail,
    )


# Causes that say the program failed without saying how: its last log lines may.
LOG_SHARPENS = {
    "app_error", "shell_misuse", "exit_255", "sysexits", "invalid_exit_argument", "sigabrt",
    "sigsegv", "sigill", "sigbus", "sigfpe", "command_not_found", "command_not_executable",
    "unknown", "runtime_failed_to_run", "signal_other",
}  # fmt: skip
# (Not OOM kills, 137 or 143: the sweep does not read their logs, and the pod view must say the
# same; their log tail is still shown.)


def _with_log(verdict: Verdict, c: Container, term: Optional[Termination] = None) -> Verdict:
    """The previous log's telling line, where the cause leaves the how open; where no log was
    read, the termination's message, which terminationMessagePolicy FallbackToLogsOnError fills
    with the log's end (kube-system's components among others)."""
    if verdict.cause not in LOG_SHARPENS:
        return verdict
    hits, where = c.log_hits, "previous log"
    if not hits and term is not None and term.message:
        hits, where = logsigs.scan(term.message.splitlines()), f"{term.source}.message"
    if not hits:
        return verdict
    if any(line.startswith(("previous log", f"{where}:")) for line in verdict.evidence):
        return verdict  # the rule used the log already
    hit: logsigs.Hit = hits[0]
    line = f"{where}: {hit.line[:200]}"
    summary = f"{verdict.summary}; the log shows {hit.signature.title}"
    steps = verdict.next_steps
    own = verdict.own_steps
    if hit.signature.id in logsigs.CRASHES and not own:
        # the program's own crash: where it happened, before the cause's generic steps (exit
        # 2's "check command and args" does not fit a Go panic)
        crash = logsigs.step_for(hit) or logsigs.CRASH_STEP
        steps, own = (crash,) + steps, verdict.cause == "shell_misuse"
    else:
        step = logsigs.step_for(hit)
        if step and not own:
            steps = (step,) + steps
    steps = logsigs.tail_steps(c.log_tail) + steps
    return replace(
        verdict,
        summary=summary,
        evidence=verdict.evidence + (line,),
        detail=verdict.detail or hit.line[:200],
        next_steps=steps,
        own_steps=own,
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
    if all(f.severity == "info" for f in findings):  # nothing, or only normal ends
        unready = not_ready(pod)  # a container the kubelet will never restart for it
        silent = unexplained(Subject(pod)) if unready is None else None
        # first: it explains the pod's state, which the normal ends before it do not (an init
        # container that completed); the first finding is the pod's primary
        if unready is not None:
            c, verdict = unready
            findings.insert(0, _finding(pod, c, verdict, Subject(pod, c)))
        elif silent:
            findings.insert(0, _finding(pod, None, silent, Subject(pod)))
    return PodDiagnosis(
        pod.namespace,
        pod.name,
        pod.phase,
        pod.node_name,
        pod.owner,
        tuple(findings),
        pod.warnings,
        pod.workload,
        pod.deletion_at is not None,
    )
