"""Records the kubelet or the runtime made up: lost containers, lost tasks, seccomp kills."""

from __future__ import annotations

from typing import Optional

from kubectl_exitwhy.rules.base import (
    HIGH,
    TERMINATION,
    Subject,
    Verdict,
    first_line,
    rule,
    stop_evidence,
    subject_lines,
)


@rule("container_status_unknown", 10, TERMINATION)
def container_status_unknown(s: Subject) -> Optional[Verdict]:
    """Reason ``ContainerStatusUnknown``: the kubelet could no longer find the container (the pod
    was evicted or deleted, or the node rebooted) and wrote a placeholder record. Its exit code
    137 is synthetic: no signal was sent."""
    if s.reason != "ContainerStatusUnknown":
        return None
    lines, _ = stop_evidence(s)
    summary = "container lost: the kubelet could not locate it"
    if s.code == 137:  # only where the record shows it
        summary += "; exit 137 is a placeholder, not a kill"
    if lines:
        summary += " (the pod was being stopped)"
    return Verdict("container_status_unknown", HIGH, summary, tuple(subject_lines(s) + lines))


@rule("runtime_lost", 20, TERMINATION)
def runtime_lost(s: Subject) -> Optional[Verdict]:
    """Reason ``Unknown`` with exit 255 (containerd): the container was running but its task
    vanished (containerd or its shim restarted, the node rebooted). The program did not exit
    with 255."""
    if s.reason != "Unknown":
        return None
    summary = "the container runtime lost the task (containerd/shim restart or node reboot)"
    return Verdict("runtime_lost", HIGH, summary, tuple(subject_lines(s)))


@rule("seccomp_killed", 30, TERMINATION)
def seccomp_killed(s: Subject) -> Optional[Verdict]:
    """CRI-O reason ``seccomp killed``: the seccomp notifier killed the container for a forbidden
    system call; the message lists the syscalls."""
    if "seccomp" not in s.reason.lower():
        return None
    summary = "killed by seccomp for a forbidden system call"
    if s.message.strip():
        summary += f" ({first_line(s.message, 80)})"
    return Verdict("seccomp_killed", HIGH, summary, tuple(subject_lines(s)))


RULES = (container_status_unknown, runtime_lost, seccomp_killed)
