"""What the engine concludes, and what the renderers lay out (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from kubectl_exitwhy.evidence import Owner
from kubectl_exitwhy.owners import Workload

SEVERITIES = ("critical", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class History:
    """How often and since when, from what the API keeps (correlate/history.py)."""

    count: Optional[int]  # restarts of the container (restartCount)
    window: Optional[str]  # over how long: "2h" from the pod's start to the last exit
    running_since: Optional[datetime]  # running again since (after the last exit)
    back_off: Optional[str]  # the kubelet's current restart delay, as it said it ("5m0s")

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "window": self.window,
            "runningSince": _time(self.running_since),
            "backOff": self.back_off,
        }


def _time(moment: Optional[datetime]) -> Optional[str]:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass(frozen=True)
class Finding:
    container: Optional[str]
    container_type: str  # init | sidecar | regular | ephemeral | pod
    cause: str
    severity: str
    confidence: str
    exit_code: Optional[int]
    signal: Optional[str]
    reason: Optional[str]
    restart_count: Optional[int]
    finished_at: Optional[datetime]
    detail: Optional[str]
    summary: str
    evidence: tuple[str, ...]
    next_steps: tuple[str, ...]
    log_tail: tuple[str, ...] = ()
    history: Optional[History] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "containerType": self.container_type,
            "cause": self.cause,
            "severity": self.severity,
            "confidence": self.confidence,
            "exitCode": self.exit_code,
            "signal": self.signal,
            "reason": self.reason,
            "restartCount": self.restart_count,
            "finishedAt": _time(self.finished_at),
            "detail": self.detail,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "nextSteps": list(self.next_steps),
            "logTail": list(self.log_tail),
            "history": self.history.to_dict() if self.history else None,
        }


@dataclass(frozen=True)
class PodDiagnosis:
    namespace: str
    pod: str
    phase: str
    node: str
    owner: Optional[Owner]
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...] = ()
    workload: Optional[Workload] = None
    deleting: bool = False  # metadata.deletionTimestamp is set: kubectl shows Terminating

    @property
    def primary(self) -> Optional[Finding]:
        return self.findings[0] if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "pod": self.pod,
            "phase": self.phase,
            "node": self.node or None,
            "owner": {"kind": self.owner.kind, "name": self.owner.name} if self.owner else None,
            "findings": [f.to_dict() for f in self.findings],
        }


def document(
    diagnoses: list[PodDiagnosis],
    workloads: Optional[list[Any]] = None,
    nodes: Optional[list[Any]] = None,
) -> dict[str, Any]:
    """The DiagnosisList; a sweep adds its ``workloads`` and ``nodes`` summaries."""
    doc: dict[str, Any] = {
        "apiVersion": "exitwhy/v1",
        "kind": "DiagnosisList",
        "items": [d.to_dict() for d in diagnoses],
    }
    if workloads is not None:
        doc["workloads"] = [w.to_dict() for w in workloads]
    if nodes is not None:
        doc["nodes"] = [n.to_dict() for n in nodes]
    return doc
