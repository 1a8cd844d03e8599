"""Which workload a pod belongs to (evidence, no I/O).

A pod names its controller in ``metadata.ownerReferences``; the workload a person thinks of may
be one level up: a Deployment owns the ReplicaSet that owns the pod, a CronJob owns the Job. The
chain is followed through the controller objects the source could read. Where it could not read
them, the names the controllers give are used, and the workload says it was inferred:

- the Deployment controller names a ReplicaSet ``<deployment>-<pod-template-hash>`` and labels
  its pods ``pod-template-hash: <hash>`` (kubernetes ``pkg/controller/deployment/sync.go``,
  ``getNewReplicaSet``: ``Name: d.Name + "-" + podTemplateSpecHash``);
- the CronJob controller names a Job ``<cronjob>-<scheduled time in minutes since the epoch>``
  (``pkg/controller/cronjob/utils.go``, ``getJobName`` / ``getTimeHashInMinutes``).

Otherwise the owner reference itself is the workload (a ReplicaSet without a Deployment, a bare
Job, a custom controller's kind), and a pod without one is its own workload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

# (kind, namespace, name) → the controller object as read (only its metadata is used)
Controllers = Mapping[tuple[str, str, str], Mapping[str, Any]]
Key = tuple[str, str, str, str]  # a pod's census key: namespace, owner kind, owner name, template

READ = "read"  # followed through the controller objects
INFERRED = "inferred"  # from the names the controllers give
REFERENCE = "reference"  # the pod's owner reference; the owner could not be followed
NO_OWNER = "pod"  # a bare pod

# minutes since the epoch of 2001-09-09 .. 2096-05-11: a CronJob's Job suffix, not a build id
_SCHEDULED = re.compile(r"^(.+)-(\d{8})$")
_MINUTES = (16_666_667, 66_666_666)


@dataclass(frozen=True)
class Workload:
    namespace: str
    kind: str  # Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet, Pod, or a custom kind
    name: str
    how: str = READ

    @property
    def ref(self) -> str:
        """kubectl's ``TYPE/NAME``: ``deployment/checkout-api``."""
        return f"{self.kind.lower()}/{self.name}"


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def controller_ref(meta: Mapping[str, Any]) -> Optional[tuple[str, str]]:
    """(kind, name) of the controlling owner reference (else the first), or None."""
    return controller_of(meta.get("ownerReferences"))


def controller_of(refs: Any) -> Optional[tuple[str, str]]:
    """``controller_ref`` of the ``ownerReferences`` themselves."""
    if not isinstance(refs, list):
        return None
    good = [
        r
        for r in refs
        if isinstance(r, dict) and isinstance(r.get("kind"), str) and isinstance(r.get("name"), str)
    ]
    ref = next((r for r in good if r.get("controller") is True), good[0] if good else None)
    return (ref["kind"], ref["name"]) if ref else None


def census_key(pod: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """What resolving a pod's workload needs from it: (namespace, owner kind, owner name,
    pod-template-hash); a bare pod is (namespace, "Pod", its name, "")."""
    meta = _d(pod.get("metadata"))
    ref = controller_of(meta.get("ownerReferences"))
    template = _d(meta.get("labels")).get("pod-template-hash") if ref is not None else None
    return key_of(meta.get("namespace"), meta.get("name"), ref, template)


def key_of(namespace: Any, name: Any, ref: Optional[tuple[str, str]], template: Any) -> Key:
    """``census_key`` of its parts as the pod holds them (``triage.py`` reads them typed)."""
    ns: str = namespace if isinstance(namespace, str) else ""
    if ref is None:
        return (ns, "Pod", name if isinstance(name, str) else "", "")
    return (ns, ref[0], ref[1], template if isinstance(template, str) else "")


def resolve(
    key: tuple[str, str, str, str],
    controllers: Optional[Controllers],
    tried: frozenset = frozenset(),
) -> Workload:
    """The workload of a pod, from its census key and the controller objects read. ``tried``
    names the kinds the source tried to read: an owner of such a kind that is missing is gone,
    not unreadable (a ReplicaSet deleted under its pods keeps no Deployment)."""
    ns, kind, name, template = key
    if kind == "Pod":
        return Workload(ns, "Pod", name, NO_OWNER)
    owner = (controllers or {}).get((kind, ns, name))
    if kind in ("ReplicaSet", "Job"):
        if owner is not None:
            parent = controller_ref(_d(owner.get("metadata")))
            if parent is not None:
                return Workload(ns, parent[0], parent[1], READ)
            return Workload(ns, kind, name, READ)
        inferred = _inferred(kind, name, template)
        if inferred is not None:
            return Workload(ns, inferred[0], inferred[1], INFERRED)
        return Workload(ns, kind, name, REFERENCE)
    return Workload(ns, kind, name, READ)  # StatefulSet, DaemonSet, …: the reference is it


def _inferred(kind: str, name: str, template: str) -> Optional[tuple[str, str]]:
    if kind == "ReplicaSet":
        if template and name.endswith("-" + template) and len(name) > len(template) + 1:
            return ("Deployment", name[: -len(template) - 1])
        return None
    match = _SCHEDULED.match(name)
    if match and _MINUTES[0] <= int(match.group(2)) <= _MINUTES[1]:
        return ("CronJob", match.group(1))
    return None
