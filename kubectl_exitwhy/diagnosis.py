"""What the engine concludes, and what the renderers lay out (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from kubectl_exitwhy.evidence import Owner

SEVERITIES = ("critical", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
CONFIDENCES = ("high", "medium", "low")


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
            "finishedAt": self.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.finished_at
            else None,
            "detail": self.detail,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "nextSteps": list(self.next_steps),
            "logTail": list(self.log_tail),
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


def document(diagnoses: list[PodDiagnosis]) -> dict[str, Any]:
    return {
        "apiVersion": "exitwhy/v1",
        "kind": "DiagnosisList",
        "items": [d.to_dict() for d in diagnoses],
    }
