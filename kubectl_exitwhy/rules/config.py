"""Containers the kubelet cannot configure or whose lifecycle hooks fail (``state.waiting``)."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.rules.base import (
    HIGH,
    WAITING,
    Subject,
    Verdict,
    first_line,
    rule,
    subject_lines,
)

# singular as the kubelet says it, plural as the API's NotFound error does (a cache miss)
_MISSING = re.compile(r'(secret|configmap)s? "([^"]+)" not found', re.I)
_KEY = re.compile(r"couldn't find key (\S+) in (Secret|ConfigMap) (\S+)", re.I)
# the kubelet's makeMounts: the detail goes only to its own log, never to the pod
_SUBPATH = re.compile(r'failed to prepare subPath for volumeMount "([^"]*)"', re.I)
_CONFIG = re.compile(f"{_MISSING.pattern}|{_KEY.pattern}|runAsNonRoot|{_SUBPATH.pattern}", re.I)


@rule("config_error", 210, WAITING)
def config_error(s: Subject) -> Optional[Verdict]:
    """``CreateContainerConfigError``: the kubelet could not build the container's configuration
    — a missing Secret, ConfigMap or key, or ``runAsNonRoot`` with an image that runs as root.
    The waiting message says which, or, where it was not kept, the kubelet's ``Failed`` event
    ("Error: …"); the steps are then that one's."""
    if s.reason != "CreateContainerConfigError":
        return None
    evidence = subject_lines(s)
    msg = s.message
    if not msg.strip():  # an event of a configuration error, not of a pull or a start
        failed = [e for e in s.c.events if e.reason == "Failed" and _CONFIG.search(e.message)]
        evidence += [e.describe() for e in failed[-1:]]
        msg = failed[-1].message if failed else ""
    missing = _MISSING.search(msg)
    key = _KEY.search(msg)
    steps: tuple[str, ...] = ()
    if missing:
        kind, name = missing.group(1).lower(), missing.group(2)
        summary = f"{kind} {name!r} is missing"
        steps = (
            f"Create {kind} {name} in the pod's namespace, or correct the pod spec's reference "
            f"to it (env, envFrom): kubectl get {kind} {name} -n <ns>",
        )
    elif key:
        k, kind, where = key.group(1), key.group(2), key.group(3)
        summary = f"key {k} is missing from {kind} {where}"
        ns, _, name = where.rpartition("/")  # the kubelet names it namespace/name
        steps = (
            f"Add key {k} to {kind} {name}, or correct the pod spec's reference to it "
            # describe lists a Secret's keys, never its values
            f"(env valueFrom): kubectl describe {kind.lower()} {name} -n {ns or '<ns>'}",
        )
    elif _SUBPATH.search(msg):
        mount = _SUBPATH.search(msg).group(1)  # type: ignore[union-attr]
        summary = f"the kubelet could not prepare the subPath of volumeMount {mount!r}"
        steps = (
            f"The kubelet writes why it could not prepare volumeMount {mount}'s subPath only to "
            "its own log on the node <node>: journalctl -u kubelet | grep 'prepare subPath'. "
            "Common: permissions on the volume (an NFS export that squashes root), a stale "
            "volume (an NFS server that restarted), a hostPath missing on that node.",
        )
    elif "runAsNonRoot" in msg:
        summary = "runAsNonRoot is set but the image runs as root (or a non-numeric user)"
        steps = tuple(x for x in CAUSES["config_error"].next_steps if "runAsNonRoot" in x)
    else:
        summary = "the kubelet could not build the container configuration"
    return Verdict(
        "config_error",
        HIGH,
        summary,
        tuple(evidence),
        steps,
        detail=first_line(msg) or None,
        own_steps=bool(steps),
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
        "the postStart hook failed" + hook_said(s.message),
        tuple(subject_lines(s)),
        detail=first_line(s.message) or None,
    )


# the kubelet's words for an exec hook that failed: "command '<cmd>' exited with <n>: <output>"
_HOOK_EXIT = re.compile(r"exited with (\d+): (.+)", re.S)


def hook_said(message: str) -> str:
    """' (the hook exited N): <the start of its output>', from the kubelet's message: "…exited
    with N: <stderr>, message: "<its output>"" (the quoted output where stderr is empty); ''."""
    found = _HOOK_EXIT.search(message)
    if not found:
        return ""
    said, _, quoted = found.group(2).partition(", message: ")
    if not said.strip() and quoted:
        said = quoted.strip().strip('"').replace("\\n", " ")
    output = first_line(" ".join(said.split()), 160)
    return f" (the hook exited {found.group(1)})" + (f": {output}" if output else "")


RULES = (config_error, hook_error)
