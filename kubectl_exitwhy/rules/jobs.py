"""Pods of Jobs: the Job's own failure (backoff limit, deadline, pod failure policy) and Job pods
that cannot complete because a regular sidecar keeps running."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.rules.base import HIGH, MEDIUM, POD, Subject, Verdict, first_line, rule, stamp

# The job controller's fixed messages for its failure reasons (KNOWLEDGE §7): a condition
# saved or pasted without its reason is still known by its message.
REASON_MESSAGES = {
    "BackoffLimitExceeded": "Job has reached the specified backoff limit",
    "DeadlineExceeded": "Job was active longer than specified deadline",
    "PodFailurePolicy": "matching FailJob rule",
}


def _job_failure(s: Subject, reason: str) -> Optional[Verdict]:
    job = s.pod.job
    if job is None:
        return None
    for cond in job.conditions:
        named = cond.reason == reason or (
            not cond.reason and REASON_MESSAGES[reason] in cond.message
        )
        if cond.type in ("Failed", "FailureTarget") and cond.status == "True" and named:
            line = job.from_event or (
                f"job {job.name} condition {cond.type}: {cond.reason}: {first_line(cond.message)}"
            )
            return Verdict("", HIGH, first_line(cond.message), (line,))
    return None


def _job_verdict(cause: str, s: Subject, reason: str, summary: str) -> Optional[Verdict]:
    found = _job_failure(s, reason)
    if found is None:
        return None
    job = s.pod.job
    assert job is not None
    return Verdict(
        cause,
        HIGH,
        f"Job {job.name} failed: {summary}",
        found.evidence,
        detail=found.summary or None,
    )


@rule("job_pod_failure_policy", 310, POD)
def job_pod_failure_policy(s: Subject) -> Optional[Verdict]:
    """The owning Job failed because a ``podFailurePolicy`` rule with action ``FailJob`` matched
    (condition reason ``PodFailurePolicy``)."""
    return _job_verdict(
        "job_pod_failure_policy", s, "PodFailurePolicy", "a podFailurePolicy FailJob rule matched"
    )


@rule("job_deadline_exceeded", 311, POD)
def job_deadline_exceeded(s: Subject) -> Optional[Verdict]:
    """The owning Job's ``activeDeadlineSeconds`` ran out (condition reason ``DeadlineExceeded``);
    its running pods were deleted, so their containers end 143 or 137."""
    job = s.pod.job
    limit = f" ({job.active_deadline}s)" if job and job.active_deadline is not None else ""
    return _job_verdict(
        "job_deadline_exceeded", s, "DeadlineExceeded", f"its activeDeadlineSeconds{limit} ran out"
    )


@rule("job_backoff_limit", 312, POD)
def job_backoff_limit(s: Subject) -> Optional[Verdict]:
    """The owning Job failed with ``BackoffLimitExceeded``: its pods failed more often than
    ``backoffLimit`` allows; the container findings below say why they failed."""
    job = s.pod.job
    limit = f" ({job.backoff_limit})" if job and job.backoff_limit is not None else ""
    return _job_verdict(
        "job_backoff_limit",
        s,
        "BackoffLimitExceeded",
        f"its pods failed more often than backoffLimit{limit}",
    )


@rule("sidecar_blocks_completion", 320, POD)
def sidecar_blocks_completion(s: Subject) -> Optional[Verdict]:
    """A Job (or run-once) pod whose main containers finished — or failed for good under
    restartPolicy Never — while a regular, non-native sidecar container keeps running, so the pod
    never completes (nor fails, so the Job can neither retry nor give up)."""
    p = s.pod
    # Always only by the API's default (a spec excerpt without the field): the pattern below
    # can still show a run-once pod, as a container ended 0 and never restarted is not restarted
    assumed = p.restart_policy == "Always" and not p.policy_shown
    if (p.restart_policy == "Always" and not assumed) or p.phase not in ("Running", ""):
        return None
    regular = [c for c in p.containers if c.kind == "regular"]
    done = [
        c
        for c in regular
        if c.state == "terminated"
        and c.current
        and c.current.exit_code is not None
        and (c.current.exit_code == 0 or c.restart_policy == "Never")
    ]
    running = [c for c in regular if c.state == "running"]
    if not done or not running:
        return None
    evidence = [
        f"{c.status_path}.state.terminated: exitCode {c.current.exit_code}, reason "
        f"{c.current.reason}, finished {stamp(c.current.finished_at)}"
        for c in done
        if c.current
    ]
    failed = [c.name for c in done if c.current and c.current.exit_code]
    ended = ", ".join(
        f"{c.name} failed (exit {c.current.exit_code})"
        if c.name in failed
        else f"{c.name} finished"
        for c in done
        if c.current
    )
    evidence += [f"{c.status_path}.state.running since {stamp(c.running_since)}" for c in running]
    names = ", ".join(c.name for c in running)
    owner = f"{p.owner.kind} " if p.owner else ""
    known = [c for c in running if _SIDECAR.search(f"{c.name} {c.image}")]
    if assumed:
        if not run_once_by_its_look(p):
            return None
        summary = (
            f"{ended} but sidecar {names} keeps running, so the {owner}pod cannot complete "
            "(restartPolicy is not shown: under Always, the containers that ended would have "
            "been started again)"
        )
        return Verdict(
            "sidecar_blocks_completion", MEDIUM, summary, tuple(evidence), severity="critical"
        )
    if known:  # a proxy or agent that never exits by itself: the classic case
        summary = f"{ended} but sidecar {names} keeps running, so the {owner}pod cannot " + (
            "fail, and its Job cannot retry or give up" if failed else "complete"
        )
        return Verdict(
            "sidecar_blocks_completion", HIGH, summary, tuple(evidence), severity="critical"
        )
    # Two workers where one finished first look the same for a while: say so, less surely.
    summary = (
        f"{ended} while {names} still runs: if {names} is a sidecar that never exits, the "
        f"{owner}pod cannot " + ("end" if failed else "complete")
    )
    return Verdict(
        "sidecar_blocks_completion", MEDIUM, summary, tuple(evidence), severity="warning"
    )


def run_once_by_its_look(p) -> bool:
    """A pod whose restartPolicy was not shown that looks run-once all the same: every
    regular container but a running proxy or agent ended 0 and was never restarted (under
    Always they would have run again), and a proxy or agent runs."""
    regular = [c for c in p.containers if c.kind == "regular"]
    running = [c for c in regular if c.state == "running"]
    done = [c for c in regular if c.state == "terminated" and c.current is not None]
    return (
        bool(done)
        and bool(running)
        and len(done) + len(running) == len(regular)
        and all(c.current.exit_code == 0 and not c.restart_count for c in done if c.current)
        and all(_SIDECAR.search(f"{c.name} {c.image}") for c in running)
    )


# Names and images of the usual long-running helpers put beside a Job's main container.
_SIDECAR = re.compile(
    r"proxy|envoy|istio|linkerd|sidecar|agent|fluent|vector|filebeat|promtail|otel|collector|"
    r"vault|cloud-sql|cloudsql|consul|dapr|nginx|exporter|statsd|datadog|log-?ship",
    re.IGNORECASE,
)


RULES = (
    job_pod_failure_policy,
    job_deadline_exceeded,
    job_backoff_limit,
    sidecar_blocks_completion,
)
