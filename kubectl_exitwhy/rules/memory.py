"""Memory: the container's own limit, or the node running out."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Optional

from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    TERMINATION,
    Subject,
    Verdict,
    events_like,
    near,
    restarts_text,
    rule,
    stamp,
    stop_evidence,
    subject_lines,
)

NODE_OOM_WINDOW = 120  # seconds between a node OOM event and the container's end


def _node_oom_events(s: Subject) -> list:
    """Node OOM events near the end: kubelet ``SystemOOM`` (victim in the root cgroup) and
    node-problem-detector ``OOMKilling`` for a *global* OOM. NPD's pattern also matches cgroup
    kills ("Memory cgroup out of memory: Killed process …"): those prove nothing about the node."""
    node = s.pod.node
    if node is None or s.term is None or s.term.finished_at is None:
        return []
    found = events_like(node.events, ["SystemOOM", "OOMKilling"])
    # a node event without a time cannot be tied to this end: the node may OOM any day
    found = [e for e in found if e.timed and "memory cgroup" not in e.message.lower()]
    return near(found, s.term.finished_at, NODE_OOM_WINDOW, NODE_OOM_WINDOW)


def _pressure_line(s: Subject) -> Optional[str]:
    """Node MemoryPressure when the container ended: the condition (if still on), or the window
    between a NodeHasInsufficientMemory event and the next NodeHasSufficientMemory."""
    node = s.pod.node
    finished = s.term.finished_at if s.term else None
    if node is None or finished is None:
        return None
    cond = node.condition("MemoryPressure")
    if cond and cond.status == "True" and cond.last_transition and cond.last_transition <= finished:
        return (
            f"node {node.name} condition MemoryPressure True since "
            f"{stamp(cond.last_transition)}: {cond.message}"
        )
    went_low = None
    for e in sorted(node.events, key=lambda e: e.last or finished):
        when = e.last or e.first
        if when is None or when > finished + timedelta(seconds=5):
            break
        if e.reason == "NodeHasInsufficientMemory":
            went_low = e
        elif e.reason == "NodeHasSufficientMemory":
            went_low = None
    if went_low is None:
        return None
    return f"node {node.name}: {went_low.describe()} (still in effect when the container ended)"


def _victim_matches(s: Subject, events: list) -> bool:
    """A node OOM event names the victim process; does it name this container's command?"""
    # the words of a shell script count too: ``sh -c 'exec java …'`` runs java as PID 1
    words = [w for a in s.c.command for w in a.split()]
    names = {os.path.basename(w) for w in words if w and not w.startswith("-")}
    for e in events:
        m = re.search(r"victim process: ([^,\s]+)|Killed process \d+ \(([^)]+)\)", e.message)
        if m and (m.group(1) or m.group(2)) in names:
            return True
    return False


def _disagreement(s: Subject) -> Optional[str]:
    code = s.code
    if code is None or code == 137:
        return None
    return (
        f"exit code {code} disagrees with reason OOMKilled: the OOM killer killed a child "
        f"or helper process, and the main process then exited {code} on its own"
    )


def _limited(s: Subject) -> bool:
    """A memory limit applies, or may: the container's own, or the pod-level one. A limit that
    is there but cannot be read (``1e999``) is not "no limit"."""
    return (
        s.c.memory_limit is not None
        or bool(s.c.memory_limit_text)
        or s.pod.memory_limit is not None
    )


@rule("oom_node", 40, TERMINATION)
def oom_node_unlimited(s: Subject) -> Optional[Verdict]:
    """The kernel's OOM killer acted for the whole node: the container was OOMKilled although
    no memory limit applies to it (neither its own nor the pod's), or a global OOM event of the
    node names its command at that time."""
    if s.reason != "OOMKilled":
        return None
    node_events = [e for e in _node_oom_events(s) if _victim_matches(s, [e])]
    no_limit = s.c.spec_whole and s.pod.has_spec and not _limited(s)
    if not (no_limit or node_events):
        return None
    evidence = subject_lines(s)
    if no_limit:
        evidence.append(f"{s.c.spec_path}.resources.limits.memory: not set (nor a pod-level limit)")
    evidence += [e.describe() for e in node_events[-2:]]
    node = s.pod.node_name or "its node"
    if no_limit:
        summary = (
            f"OOM-killed with no memory limit of its own: {node} ran out of memory and "
            "the kernel picked this container"
        )
    else:
        summary = f"OOM-killed by {node}'s global OOM killer (its event names this container)"
    return Verdict("oom_node", HIGH, summary, tuple(evidence), detail=_disagreement(s))


@rule("oom_node", 95, TERMINATION)
def oom_node_sigkill(s: Subject) -> Optional[Verdict]:
    """SIGKILLed (137, reason not OOMKilled) while the node reported a system OOM (``SystemOOM``,
    a global ``OOMKilling``) or was under MemoryPressure: on cgroup v1 a global OOM kill shows as a
    plain 137. Checked after the kubelet's own kills (probes, stops, evictions)."""
    if s.code != 137 or s.reason == "OOMKilled" or s.pod.reason == "Evicted":
        return None
    node_events = _node_oom_events(s)
    pressure = _pressure_line(s)
    if not (node_events or pressure):
        return None
    naming = [e for e in node_events if _victim_matches(s, [e])]
    evidence = subject_lines(s) + [e.describe() for e in (naming or node_events)[-2:]]
    if pressure:
        evidence.append(pressure)
    node = s.pod.node_name or "its node"
    if node_events:
        summary = (
            f"SIGKILLed (137) while {node} was out of memory: most likely the node's OOM "
            "killer; the runtime did not report OOMKilled"
        )
    else:  # MemoryPressure is the kubelet's eviction threshold, not proof of an OOM kill
        summary = (
            f"SIGKILLed (137) while {node} was under memory pressure: likely the node's OOM "
            "killer, though no SystemOOM or OOMKilling event confirms it (a stop, a probe or a "
            "user could also send SIGKILL)"
        )
    confidence = HIGH if _victim_matches(s, node_events) else MEDIUM
    return Verdict("oom_node", confidence, summary, tuple(evidence))


@rule("oom_killed", 50, TERMINATION)
def oom_killed(s: Subject) -> Optional[Verdict]:
    """The runtime reported reason ``OOMKilled``: the container's memory cgroup hit its limit and
    the kernel killed a process in it. Usually exit 137, but a killed child process can leave the
    main process to exit 0, 1 or 143: the reason, not the code, is the proof."""
    if s.reason != "OOMKilled":
        return None
    c = s.c
    evidence = subject_lines(s)
    if c.memory_limit is not None:
        evidence.append(f"{c.spec_path}.resources.limits.memory: {c.memory_limit_text}")
        summary = f"OOM-killed: the container hit its {c.memory_limit_text} memory limit"
    else:
        summary = "OOM-killed: the container's memory cgroup ran out"
        if c.memory_limit_text:
            evidence.append(
                f"{c.spec_path}.resources.limits.memory: {c.memory_limit_text!r} cannot be read"
            )
        else:
            evidence.append(
                "pod spec not present: the memory limit is unknown"
                if not c.has_spec
                else f"{c.spec_path}: partial: the memory limit is unknown"
            )
    if c.restart_count:
        summary += f" ({restarts_text(c)})"
    disagreement = _disagreement(s)
    confidence = HIGH if c.spec_whole else MEDIUM
    if disagreement:
        summary += f"; exit code {s.code}, not 137: a child process was killed"
        evidence.append(disagreement)
        stop_lines, _ = stop_evidence(s)
        if stop_lines:  # the main process ended on the stop; the OOM happened earlier
            summary += ", and the main process then ended on the stop request"
            evidence += stop_lines
            confidence = MEDIUM
        elif s.code == 143 and not s.pod.events_known:  # a stop's Killing event is unread
            evidence.append("no events were available: a stop request cannot be ruled out")
            confidence = MEDIUM
    steps: tuple[str, ...] = ()
    mesh = _MESH_PROXIES.get(c.name)
    if mesh is not None:  # the mesh's injector set its limit, not the pod's own template
        summary += f"; it is {mesh[0]}'s proxy"
        steps = (mesh[1], CAUSES["oom_killed"].next_steps[0])
    return Verdict("oom_killed", confidence, summary, tuple(evidence), steps,
                   detail=disagreement, own_steps=bool(steps))  # fmt: skip


# The sidecars a service mesh injects under a fixed name: their memory limit comes from the mesh
# (its injector's values, or the pod's annotations), and a heap flag does not apply to them.
_MESH_PROXIES = {
    "istio-proxy": (
        "Istio",
        "Raise the proxy's limit where Istio sets it: for an injected sidecar, the pod "
        "template's sidecar.istio.io/proxyMemoryLimit annotation (and proxyMemory for the "
        "request); for a gateway, its own resources in the install values; else the mesh-wide "
        "proxy resources. Then see what makes Envoy grow (its configuration in a large mesh: a "
        "Sidecar resource narrows it).",
    ),
    "linkerd-proxy": (
        "Linkerd",
        "Raise the proxy's limit where the mesh sets it: the pod template's "
        "config.linkerd.io/proxy-memory-limit annotation (and proxy-memory-request), or the "
        "mesh-wide proxy resources.",
    ),
}


RULES = (oom_node_unlimited, oom_killed, oom_node_sigkill)
