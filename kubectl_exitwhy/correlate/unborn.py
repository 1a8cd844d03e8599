"""Workloads whose pods were never made: a controller's ``FailedCreate`` warnings (no I/O).

A pod the API server refuses to create leaves no pod to diagnose: an exceeded ResourceQuota or
LimitRange, a PodSecurity violation, an admission webhook that denies it or cannot be reached,
a missing ServiceAccount. The controller that tried (ReplicaSet, StatefulSet, DaemonSet, Job)
records a Warning ``FailedCreate`` event with the API server's answer, and tries again. A sweep
that lists pods would be silent about it; this names each controller with such a warning that
has no pod listed, with the answer, its count and when it last came (an event lives about an
hour: one that has since stopped may be from a set scaled down since).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Optional

from kubectl_exitwhy.evidence import build_event
from kubectl_exitwhy.sanitize import clean_line

__all__ = ["still_wants", "unborn"]

Key = tuple[str, str, str]  # (kind, namespace, name)


def unborn(
    creates: Mapping[Key, list[Mapping[str, Any]]],
    listed: Iterable[tuple[str, str, str]],
    wanted: Optional[Any] = None,
    wants: Optional[Callable[[Key], Optional[bool]]] = None,
) -> list[str]:
    """One sentence for each controller with FailedCreate warnings and no pod ``listed``
    ((namespace, owner kind, owner name) of every pod the sweep listed); ``wanted``: a target
    (``targets.Target``): only its own controllers (none of a node's). ``wants``: the source's
    word on whether the controller still wants pods (``still_wants`` of its object; False once
    it is gone, scaled to 0 or a finished Job: its warnings are over; None: not known)."""
    have = set(listed)
    said = []
    for (kind, ns, name), raw in sorted(creates.items()):
        if (ns, kind, name) in have:
            continue
        if wanted is not None and not _owned(wanted, kind, name):
            continue
        if wants is not None and wants((kind, ns, name)) is False:
            continue
        events = sorted(
            (build_event(e) for e in raw),
            key=lambda e: e.last or datetime.min.replace(tzinfo=timezone.utc),
        )
        last = events[-1]
        count = sum(e.count for e in events)
        when = (
            f", last {last.last.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}" if last.last else ""
        )
        why = clean_line(" ".join(last.message.split()))[:300]
        where = f" in namespace {clean_line(ns)}" if ns else ""
        said.append(
            f"{kind.lower()}/{clean_line(name)}{where} has no pod: the API server refused to "
            f"create its pods (FailedCreate, {count}×{when})" + (f": {why}" if why else "")
        )
    return said


def _owned(target: Any, kind: str, name: str) -> bool:
    """The controller is the target, or the target's by name: a Deployment's ReplicaSets are
    named ``<deployment>-<hash>``, a CronJob's Jobs ``<cronjob>-<time>``."""
    parent = {"Deployment": "ReplicaSet", "CronJob": "Job"}.get(target.kind)
    if parent is not None:
        return kind == parent and name.rsplit("-", 1)[0] == target.name
    return kind == target.kind and name == target.name


def still_wants(obj: Any) -> Optional[bool]:
    """Whether a controller, as read, still wants pods: False for a ReplicaSet or StatefulSet
    scaled to 0, a DaemonSet that wants none, a Job that has finished (Complete or Failed);
    None where the object does not say (not read, or a field of another type)."""
    if not isinstance(obj, dict):
        return None
    spec = _d(obj.get("spec"))
    status = _d(obj.get("status"))
    kind = obj.get("kind")
    if kind == "Job":
        found = status.get("conditions")
        conds: list = found if isinstance(found, list) else []
        done = any(
            isinstance(c, dict) and c.get("type") in ("Complete", "Failed")
            and c.get("status") == "True"
            for c in conds
        )  # fmt: skip
        return not done
    if kind == "DaemonSet":
        desired = status.get("desiredNumberScheduled")
    else:
        desired = spec.get("replicas", 1)  # the API's default is 1
    return desired > 0 if isinstance(desired, int) and not isinstance(desired, bool) else None


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
