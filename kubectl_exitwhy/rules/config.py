"""Containers the kubelet cannot configure or whose lifecycle hooks fail (``state.waiting``)."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.rules.base import (
    HIGH,
    WAITING,
    Subject,
    Verdict,
    first_line,
    rule,
    subject_lines,
)


@rule("config_error", 210, WAITING)
def config_error(s: Subject) -> Optional[Verdict]:
    """``CreateContainerConfigError``: the kubelet could not build the container's configuration
    — a missing Secret, ConfigMap or key, or ``runAsNonRoot`` with an image that runs as root."""
    if s.reason != "CreateContainerConfigError":
        return None
    msg = s.message
    missing = re.search(r'(secret|configmap) "([^"]+)" not found', msg, re.I)
    key = re.search(r"couldn't find key (\S+) in (Secret|ConfigMap) (\S+)", msg, re.I)
    if missing:
        summary = f"{missing.group(1).lower()} {missing.group(2)!r} is missing"
    elif key:
        summary = f"key {key.group(1)} is missing from {key.group(2)} {key.group(3)}"
    elif "runAsNonRoot" in msg:
        summary = "runAsNonRoot is set but the image runs as root (or a non-numeric user)"
    else:
        summary = "the kubelet could not build the container configuration"
    return Verdict(
        "config_error", HIGH, summary, tuple(subject_lines(s)), detail=first_line(msg) or None
    )


@rule("lifecycle_hook_failed", 211, WAITING)
def hook_error(s: Subject) -> Optional[Verdict]:
    """``PostStartHookError``: the postStart hook failed and the kubelet killed the container;
    ``FailedPostStartHook``/``FailedPreStopHook`` events say the same."""
    if s.reason != "PostStartHookError":
        return None
    return Verdict(
        "lifecycle_hook_failed",
        HIGH,
        "the postStart hook failed",
        tuple(subject_lines(s)),
        detail=first_line(s.message) or None,
    )


RULES = (config_error, hook_error)
