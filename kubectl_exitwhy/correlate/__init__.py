"""correlate: from the diagnoses of single pods to what an incident needs first (no I/O).

- **history**: how often and since when each container died (``history.py``);
- **nodes**: nodes whose conditions, events or dead containers point at the node itself
  (``nodes.py``); a kill on such a node at that time names the node in its finding, and a bare
  SIGKILL there is lifted — never hidden: the pod's own finding stays, with the node's evidence;
- **workloads**: the pods grouped by the workload they belong to, one entry per cause
  (``workloads.py``);
- **unborn**: the controllers whose pods the API server refused, and that have none
  (``unborn.py``): said beside the report, as no pod exists to carry a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Optional, Sequence

from kubectl_exitwhy.budget import FITS, budget
from kubectl_exitwhy.correlate.history import history
from kubectl_exitwhy.correlate.nodes import KILL_CAUSES, NodeFinding, kills, lost, node_findings
from kubectl_exitwhy.correlate.workloads import WorkloadSummary, summarise
from kubectl_exitwhy.diagnosis import Finding, PodDiagnosis
from kubectl_exitwhy.evidence import Node, Pod
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.owners import Workload
from kubectl_exitwhy.rules.base import mib

__all__ = ["Report", "correlate"]

MEMORY_NODE_CAUSES = ("node_oom", "node_memory_pressure")


@dataclass(frozen=True)
class Report:
    diagnoses: list[PodDiagnosis]
    workloads: list[WorkloadSummary]
    nodes: list[NodeFinding]


def correlate(
    pods: Sequence[Pod],
    diagnoses: Sequence[PodDiagnosis],
    census: Optional[Mapping[Workload, int]] = None,
    include_info: bool = False,
    group: bool = True,
) -> Report:
    """``pods`` and ``diagnoses`` are parallel; ``census`` counts the pods listed per workload
    (healthy ones too), when the source could count them. ``group``: summarise by workload
    (one row per container needs no summaries)."""
    nodes: dict[str, Node] = {}
    for pod in pods:
        if pod.node is not None and pod.node.name:
            nodes.setdefault(pod.node.name, pod.node)
    pairs = list(zip(pods, diagnoses))
    found = node_findings(nodes, kills(diagnoses), lost(diagnoses))
    by_node = {n.node: n for n in found}
    out = [_annotated(pod, d, by_node.get(d.node)) for pod, d in pairs]
    if not group:
        return Report(out, [], found)
    details = {
        (f"{d.namespace}/{d.pod}", f.cause, f.container): _detail(pod, d, f)
        for pod, d in zip(pods, out)
        for f in d.findings
    }
    seen = {f"{pod.namespace}/{pod.name}": t for pod in pods if (t := _seen(pod)) is not None}
    return Report(out, summarise(out, census, details, include_info, seen), found)


def _seen(pod: Pod) -> Optional[datetime]:
    """When a pod's trouble was last seen, for one that has no exit: its latest event (a
    failed pull, mount or schedule is retried and reported again), else its creation."""
    times = [e.last or e.first for e in pod.events if e.last or e.first]
    return max(times) if times else pod.created  # type: ignore[type-var]


def _annotated(pod: Pod, d: PodDiagnosis, node: Optional[NodeFinding]) -> PodDiagnosis:
    findings = []
    for f in d.findings:
        f = replace(f, history=history(pod, f))
        if node is not None and node.covers(f.finished_at) and _kill(f):
            f = _with_node(f, node, lift=f.confidence == "low" and pod.reason != "Evicted")
        findings.append(f)
    return replace(d, findings=tuple(findings))


def _kill(f: Finding) -> bool:
    return f.cause in KILL_CAUSES


def _with_node(f: Finding, node: NodeFinding, lift: bool) -> Finding:
    """The node's finding joined to a kill on it: its evidence and first steps, and for a bare
    SIGKILL (no sender known: ``lift``), the node as the likely sender."""
    evidence = f.evidence + (f"{node.summary} (see the node's finding)",)
    steps = f.next_steps
    if not any(
        "describe node" in step or step.startswith("Stopped with the pod") for step in steps
    ):
        steps = tuple(dict.fromkeys(steps + node.next_steps[:2]))
    if f.cause == "oom_killed" and node.cause in MEMORY_NODE_CAUSES:
        summary = (  # KNOWLEDGE: on cgroup v2 a kill by the node's OOM killer reads OOMKilled too
            f"{f.summary}; node {node.node} was out of memory then too, and on cgroup v2 its OOM "
            "killer is reported OOMKilled as well: the limit may not be what was hit"
        )
        return replace(f, summary=summary, evidence=evidence, next_steps=steps)
    if f.cause != "sigkill" or not lift:
        return replace(f, evidence=evidence, next_steps=steps)
    if node.cause in MEMORY_NODE_CAUSES:
        return replace(
            f,
            cause="oom_node",
            confidence="medium",
            summary=(
                f"SIGKILLed (137) on node {node.node} while it was out of memory: most likely "
                "the node's OOM killer, not the app (the runtime did not report OOMKilled)"
            ),
            evidence=evidence,
            next_steps=steps,
        )
    others = node.containers_killed - 1
    summary = f.summary
    if others > 0:
        summary += (
            f"; {others} other {'containers were' if others != 1 else 'container was'} killed on "
            f"node {node.node} around then: "
            "look at the node first"
        )
    confidence = "medium" if f.confidence == "low" else f.confidence
    return replace(f, summary=summary, confidence=confidence, evidence=evidence, next_steps=steps)


BUDGETED_CAUSES = {"oom_killed", "oom_node", "sigkill", "memory_settings_exceed_limit"}


def _detail(pod: Pod, d: PodDiagnosis, f: Finding) -> Optional[str]:
    """The one fact a workload row shows beside its cause: a limit, a probe, a node, a code."""
    c = pod.container(f.container) if f.container else None
    if f.cause in BUDGETED_CAUSES and c is not None:
        b = budget(c, pod.memory_limit)
        if b is not None and b.verdict != FITS:
            return b.short()
    if f.cause in ("oom_killed", "oom_node") and c is not None:
        limit = f"limit {c.memory_limit_text}" if c.memory_limit_text else "no memory limit"
        if c.memory_limit is not None:
            limit = f"limit {mib(c.memory_limit)}"
        return limit
    if f.cause in ("liveness_probe_kill", "startup_probe_kill") and c is not None:
        probe = c.probes.get("liveness" if f.cause == "liveness_probe_kill" else "startup")
        if probe is not None:
            return f"every {probe.period}s × {probe.failure_threshold}, timeout {probe.timeout}s"
    if f.cause in ("node_lost", "node_shutdown") and d.node and not f.detail:
        return f"node {d.node}"
    if f.detail:
        return f.detail
    if f.exit_code is not None:
        return f"exit {f.exit_code}" + (f" ({f.reason})" if f.reason else "")
    return f.reason or None
