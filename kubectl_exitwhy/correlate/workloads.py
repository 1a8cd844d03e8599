"""Which workload broke: the diagnoses of a sweep grouped by Deployment, StatefulSet, DaemonSet,
CronJob, Job or bare pod, one entry per cause.

A workload's causes come from its pods' findings at warning or above (info — normal ends,
graceful stops — is listed with ``--all`` only, and then counted too). ``pods`` is how many pods
of the workload the sweep listed, healthy ones included; ``podsAffected`` how many have a cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Optional

from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.owners import Workload


@dataclass(frozen=True)
class CauseSummary:
    cause: str
    severity: str
    count: int  # pods with this cause
    restarts: int
    last_exit: Optional[datetime]
    detail: Optional[str]
    summary: str
    primary: bool  # the primary cause of at least one of those pods
    seen: Optional[datetime] = None  # the last exit, else when a pod that never ran was last seen

    def to_dict(self) -> dict:
        return {
            "cause": self.cause,
            "severity": self.severity,
            "count": self.count,
            "restarts": self.restarts,
            "lastExit": self.last_exit.strftime("%Y-%m-%dT%H:%M:%SZ") if self.last_exit else None,
            "detail": self.detail,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class WorkloadSummary:
    workload: Workload
    pods: Optional[int]  # pods listed (None when the source could not count them)
    pods_affected: int
    causes: tuple[CauseSummary, ...]

    @property
    def severity(self) -> str:
        return min((c.severity for c in self.causes), key=SEVERITY_RANK.__getitem__)

    def to_dict(self) -> dict:
        w = self.workload
        return {
            "namespace": w.namespace,
            "kind": w.kind,
            "name": w.name,
            "resolvedBy": w.how,
            "pods": self.pods,
            "podsAffected": self.pods_affected,
            "causes": [c.to_dict() for c in self.causes],
        }


def _exit_of(d: PodDiagnosis, f: Finding) -> Optional[datetime]:
    """When the finding's container last ended; for a pod-level cause (an eviction), its pod's
    latest container exit."""
    if f.finished_at is not None or f.container is not None:
        return f.finished_at
    return max((x.finished_at for x in d.findings if x.finished_at), default=None)


def workload_of(d: PodDiagnosis) -> Workload:
    return d.workload or Workload(d.namespace, "Pod", d.pod, "pod")


def summarise(
    diagnoses: Iterable[PodDiagnosis],
    census: Optional[Mapping[Workload, int]],
    details: Mapping[tuple[str, str, Optional[str]], Optional[str]],
    include_info: bool = False,
    seen: Optional[Mapping[str, datetime]] = None,
) -> list[WorkloadSummary]:
    """``details`` maps (namespace/pod, cause, container) to the detail that matters (limit,
    probe, node), as correlate found it; ``seen`` maps namespace/pod to when its trouble was
    last seen without an exit (its latest event, else its creation): a pod that never ran is
    as recent as the deploy that made it."""
    seen = seen or {}
    groups: dict[Workload, dict[str, list[tuple[PodDiagnosis, Finding, bool]]]] = {}
    for d in diagnoses:
        w = workload_of(d)
        causes = groups.setdefault(w, {})
        for i, f in enumerate(d.findings):
            if f.severity == "info" and not include_info:
                continue
            causes.setdefault(f.cause, []).append((d, f, i == 0))
    out = []
    for w, causes in groups.items():
        if not causes:
            continue
        summaries = []
        affected: set[str] = set()
        for cause, hits in causes.items():
            pods = sorted({f"{d.namespace}/{d.pod}" for d, _, _ in hits})
            affected.update(pods)
            worst = min(hits, key=lambda h: SEVERITY_RANK[h[1].severity])
            exits = [t for d, f, _ in hits if (t := _exit_of(d, f))]
            last = max(exits) if exits else None
            recent = [
                t for d, f, _ in hits if (t := _exit_of(d, f) or seen.get(f"{d.namespace}/{d.pod}"))
            ]
            latest = worst
            if last is not None:
                latest = next(h for h in hits if _exit_of(h[0], h[1]) == last)
            detail_key = (f"{latest[0].namespace}/{latest[0].pod}", cause, latest[1].container)
            summaries.append(
                CauseSummary(
                    cause=cause,
                    severity=worst[1].severity,
                    count=len(pods),
                    restarts=sum(f.restart_count or 0 for _, f, _ in hits),
                    last_exit=last,
                    detail=details.get(detail_key) or latest[1].detail,
                    summary=latest[1].summary,
                    primary=any(p for _, _, p in hits),
                    seen=max(recent) if recent else None,
                )
            )
        summaries.sort(key=lambda c: (not c.primary, SEVERITY_RANK[c.severity], -c.count, c.cause))
        listed = census.get(w) if census is not None else None
        if listed is not None:
            listed = max(listed, len(affected))
        out.append(WorkloadSummary(w, listed, len(affected), tuple(summaries)))
    out.sort(key=_urgency)
    return out


def _urgency(s: WorkloadSummary) -> tuple:
    """What an incident needs first: the most severe, then what broke last (the incident in
    progress rises above long-standing failures), then the most pods affected."""
    exits = [c.seen.timestamp() for c in s.causes if c.seen is not None]
    return (
        SEVERITY_RANK[s.severity],
        -max(exits) if exits else 0.0,
        -s.pods_affected,
        s.workload.namespace,
        s.workload.ref,
    )
