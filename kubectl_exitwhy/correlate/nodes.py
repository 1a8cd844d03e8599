"""Sick nodes: what a node's conditions and events say, and what the pods that died on it say.

A Java server that restarts with clean logs may be dying of its *node*: the node ran out of
memory and the kernel killed whatever it picked. One pod cannot show that; the node's own
record (MemoryPressure, SystemOOM, OOMKilling, Rebooted, NotReady, eviction thresholds) and the
pattern — several containers of different workloads killed on one node within minutes — can.

A node gets one finding with its primary cause (the first of NODE_CAUSES it has); the evidence
lists every signal. Only nodes where diagnosed pods ran are looked at: a sweep reads the Nodes
of pods with findings, not the whole fleet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from kubectl_exitwhy.correlate.history import span
from kubectl_exitwhy.diagnosis import Finding, PodDiagnosis
from kubectl_exitwhy.evidence import Event, Node
from kubectl_exitwhy.frozen import replace

NODE_CAUSES = (
    "node_oom",
    "node_memory_pressure",
    "node_rebooted",
    "node_not_ready",
    "node_disk_pressure",
    "node_pid_pressure",
    "node_kills",
)
TITLES = {
    "node_oom": "the node ran out of memory (system OOM)",
    "node_memory_pressure": "the node is under memory pressure",
    "node_rebooted": "the node rebooted",
    "node_not_ready": "the node is not ready",
    "node_disk_pressure": "the node is under disk pressure",
    "node_pid_pressure": "the node is running out of process ids",
    "node_kills": "several workloads' containers killed within minutes",
}
# a container ended by a kill from outside the program: what a sick node does to its pods
KILL_CAUSES = {
    "oom_node",
    "oom_killed",
    "sigkill",
    "container_status_unknown",
    "runtime_lost",
    "evicted",
}
KILL_WINDOW = timedelta(minutes=10)
KILLS_MIN = 3  # containers …
KILLS_WORKLOADS = 2  # … of this many workloads, within KILL_WINDOW: the node, not one app
_RECLAIM = {
    "memory": "node_memory_pressure",
    "ephemeral-storage": "node_disk_pressure",
    "nodefs": "node_disk_pressure",
    "imagefs": "node_disk_pressure",
    "pid": "node_pid_pressure",
    "pids": "node_pid_pressure",
}


@dataclass(frozen=True)
class Kill:
    pod: str  # namespace/name
    workload: str
    container: Optional[str]
    cause: str
    at: Optional[datetime]
    severity: str


@dataclass(frozen=True)
class NodeFinding:
    node: str
    cause: str
    severity: str
    summary: str
    containers_killed: int
    window: Optional[str]
    evidence: tuple[str, ...]
    next_steps: tuple[str, ...]
    pods: tuple[str, ...]
    signals: tuple[str, ...] = ()  # "SystemOOM ×9", "MemoryPressure": the node's record, short
    first: Optional[datetime] = None  # the kills' span
    last: Optional[datetime] = None

    def to_dict(self) -> dict:
        return {
            "node": self.node,
            "cause": self.cause,
            "severity": self.severity,
            "summary": self.summary,
            "containersKilled": self.containers_killed,
            "window": self.window,
            "evidence": list(self.evidence),
            "nextSteps": list(self.next_steps),
            "pods": list(self.pods),
        }

    def covers(self, moment: Optional[datetime]) -> bool:
        """True when a kill at ``moment`` belongs to this node's episode."""
        if moment is None or self.first is None or self.last is None:
            return False
        return self.first - KILL_WINDOW <= moment <= self.last + KILL_WINDOW


def kills(diagnoses: Iterable[PodDiagnosis]) -> dict[str, list[Kill]]:
    """The kill-like findings of each node."""
    out: dict[str, list[Kill]] = defaultdict(list)
    for d in diagnoses:
        if not d.node:
            continue
        containers = any(f.container and _killed(f) for f in d.findings)
        for f in d.findings:
            if _killed(f) and (f.container or not containers):  # a pod's kill counted once
                workload = d.workload.ref if d.workload else f"pod/{d.pod}"
                out[d.node].append(
                    Kill(
                        f"{d.namespace}/{d.pod}",
                        f"{d.namespace}/{workload}",
                        f.container,
                        f.cause,
                        f.finished_at,
                        f.severity,
                    )
                )
    return out


def _killed(f: Finding) -> bool:
    return f.cause in KILL_CAUSES or (f.exit_code == 137 and f.cause == "unknown")


def containers(n: int) -> str:
    return f"{n} container{'s' if n != 1 else ''}"


# pods lost with their node (not killed by it): the node's row counts them among its pods
LOST_CAUSES = {"node_lost", "node_shutdown"}


def lost(diagnoses: Iterable[PodDiagnosis]) -> dict[str, list[str]]:
    """The pods each node took down with it: lost with it, or stopped by its shutdown."""
    out: dict[str, list[str]] = defaultdict(list)
    for d in diagnoses:
        if d.node and any(f.cause in LOST_CAUSES for f in d.findings):
            out[d.node].append(f"{d.namespace}/{d.pod}")
    return out


def node_findings(
    nodes: dict[str, Node],
    by_node: dict[str, list[Kill]],
    stranded: Optional[dict[str, list[str]]] = None,
) -> list[NodeFinding]:
    found = []
    stranded = stranded or {}
    for name in sorted(set(nodes) | set(by_node)):
        finding = _node_finding(name, nodes.get(name), by_node.get(name, []))
        if finding is not None and stranded.get(name):
            pods = tuple(sorted(set(finding.pods) | set(stranded[name])))
            gone = len(pods) - len(finding.pods)
            # a kubelet that still reports (Ready False) may still run them, or be shutting
            # them down: affected, not lost
            node = nodes.get(name)
            ready = node.condition("Ready") if node is not None else None
            how = (
                "on it affected"
                if ready is not None and ready.status == "False"
                else "lost with it"
            )
            more = f"; {gone} pod{'s' if gone != 1 else ''} {how}" if gone else ""
            finding = replace(finding, pods=pods, summary=finding.summary + more)
        if finding is not None:
            found.append(finding)
    return found


def _signals(node: Optional[Node]) -> dict[str, list[str]]:
    """cause → evidence lines, from the node's conditions and events."""
    signals: dict[str, list[str]] = defaultdict(list)
    if node is None:
        return signals
    for cond, cause in (
        ("MemoryPressure", "node_memory_pressure"),
        ("DiskPressure", "node_disk_pressure"),
        ("PIDPressure", "node_pid_pressure"),
    ):
        c = node.condition(cond)
        if c is not None and c.status == "True":
            since = f" since {c.last_transition:%Y-%m-%dT%H:%M:%SZ}" if c.last_transition else ""
            signals[cause].append(f"node {node.name} condition {cond} True{since}: {c.message}")
    ready = node.condition("Ready")
    if ready is not None and ready.status != "True":
        signals["node_not_ready"].append(
            f"node {node.name} condition Ready {ready.status} ({ready.reason}): {ready.message}"
        )
    for e in node.events:
        from_event = _event_cause(e)
        if from_event:
            signals[from_event].append(f"node {node.name}: {e.describe()}")
    return signals


def _event_cause(e: Event) -> Optional[str]:
    if e.reason == "SystemOOM" or (
        e.reason == "OOMKilling" and "memory cgroup" not in e.message.lower()
    ):
        return "node_oom"
    if e.reason == "NodeHasInsufficientMemory":
        return "node_memory_pressure"
    if e.reason == "Rebooted":
        return "node_rebooted"
    if e.reason == "NodeNotReady":
        return "node_not_ready"
    if e.reason == "EvictionThresholdMet":
        resource = e.message.rsplit(" ", 1)[-1].strip().lower()
        return _RECLAIM.get(resource, "node_memory_pressure" if "memory" in resource else None)
    return None


def _episode(kills: list[Kill]) -> list[Kill]:
    """The largest set of kills within KILL_WINDOW of each other (timed kills only)."""
    timed = sorted((k for k in kills if k.at is not None), key=lambda k: k.at or datetime.min)
    best: list[Kill] = []
    start = 0
    for end, k in enumerate(timed):
        while k.at and timed[start].at and k.at - timed[start].at > KILL_WINDOW:  # type: ignore[operator]
            start += 1
        if end - start + 1 > len(best):
            best = timed[start : end + 1]
    return best


def _node_finding(name: str, node: Optional[Node], kills: list[Kill]) -> Optional[NodeFinding]:
    signals = _signals(node)
    # an OOM at the container's own limit is the container's business, unless the node itself
    # was out of memory then (on cgroup v2 a global OOM kill is reported OOMKilled too)
    memory = "node_oom" in signals or "node_memory_pressure" in signals
    kills = [k for k in kills if k.cause != "oom_killed" or memory]
    episode = _episode(kills)
    many = len(episode) >= KILLS_MIN and len({k.workload for k in episode}) >= KILLS_WORKLOADS
    if many:
        first, last = episode[0].at, episode[-1].at
        signals["node_kills"].append(
            f"densest stretch: {len(episode)} containers of {len({k.workload for k in episode})} "
            f"workloads killed on node {name} within {span((last - first).total_seconds())}"  # type: ignore[operator]
            f" ({first:%H:%M}–{last:%H:%M} UTC)"
        )
    if not signals:
        return None
    cause = next(c for c in NODE_CAUSES if c in signals)
    timed = [k for k in kills if k.at is not None]
    first = min((k.at for k in timed), default=None)  # type: ignore[type-var]
    last = max((k.at for k in timed), default=None)  # type: ignore[type-var]
    window = span((last - first).total_seconds()) if first and last and last > first else None
    now_bad = any(
        line for c in ("node_memory_pressure", "node_disk_pressure", "node_pid_pressure",
                       "node_not_ready") for line in signals.get(c, ()) if "condition" in line
    )  # fmt: skip
    critical = now_bad or any(k.severity == "critical" for k in kills)
    evidence = [line for c in NODE_CAUSES for line in signals.get(c, ())]
    if kills:
        evidence.append(
            f"{containers(len(kills))} killed on this node: "
            + ", ".join(sorted({k.pod for k in kills})[:10])
            + (" …" if len({k.pod for k in kills}) > 10 else "")
        )
    summary = f"node {name}: {TITLES[cause]}"
    others = [TITLES[c] for c in NODE_CAUSES if c in signals and c not in (cause, "node_kills")]
    if kills:
        summary += f"; {containers(len(kills))} killed there" + (f" in {window}" if window else "")
    if others:
        summary += "; also " + ", ".join(others)
    return NodeFinding(
        node=name,
        cause=cause,
        severity="critical" if critical else "warning",
        summary=summary,
        containers_killed=len(kills),
        window=window,
        evidence=tuple(evidence),
        next_steps=_steps(name, cause),
        pods=tuple(sorted({k.pod for k in kills})),
        signals=_short_signals(node, many),
        first=first,
        last=last,
    )


def _short_signals(node: Optional[Node], many: bool) -> tuple[str, ...]:
    out = []
    if node is not None:
        out += [
            c.type if c.type != "Ready" else f"Ready={c.status}"
            for c in node.conditions
            if (c.type.endswith("Pressure") and c.status == "True")
            or (c.type == "Ready" and c.status != "True")
        ]
        counts: dict[str, int] = {}
        for e in node.events:
            if _event_cause(e):
                counts[e.reason] = counts.get(e.reason, 0) + max(e.count, 1)
        out += [f"{r} ×{n}" if n > 1 else r for r, n in counts.items()]
    if many:
        out.append("kills of several workloads")
    return tuple(out)


def _steps(node: str, cause: str) -> tuple[str, ...]:
    describe = f"kubectl describe node {node}"
    events = (
        "kubectl get events -A --field-selector "
        f"involvedObject.kind=Node,involvedObject.name={node}"
    )
    if cause in ("node_oom", "node_memory_pressure", "node_kills"):
        return (
            describe,
            events,
            f"kubectl top pods -A --sort-by=memory --field-selector spec.nodeName={node}",
            "Set memory requests near real use: the scheduler places pods by their requests, "
            "and the kernel picks its victims by oom_score (BestEffort pods, and Burstable ones "
            "far above their requests, go first).",
        )
    if cause == "node_disk_pressure":
        return (describe, events, "Free the node's disk: images, logs, emptyDir volumes.")
    return (describe, events, f"kubectl get pods -A --field-selector spec.nodeName={node}")
