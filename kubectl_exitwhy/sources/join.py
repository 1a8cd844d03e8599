"""Joining raw objects into evidence: events to their pod (by uid, else namespace/name), node
OOM events to the node, Jobs to their pods. Shared by the file and the cluster sources.

Also the cheap pre-filter that lets a sweep skip healthy pods without building their evidence:
on a 50,000-pod cluster most pods have nothing to say.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import AbstractSet, Any, Iterable, Iterator, Mapping, Optional

from kubectl_exitwhy.evidence import (
    KUBELET_NOT_READY,
    WARNING_REASONS,
    Job,
    Node,
    Pod,
    build_event,
    build_job,
    build_node,
    build_pod,
    job_from_events,
)
from kubectl_exitwhy.owners import Controllers, census_key, resolve
from kubectl_exitwhy.runtimes import MEMORY_ENV

NODE_EVENT_REASONS = {
    "SystemOOM",
    "OOMKilling",
    "Rebooted",
    "NodeNotReady",
    "EvictionThresholdMet",
    "NodeHasInsufficientMemory",
    "NodeHasSufficientMemory",
}
QUIET_WAITING = {"ContainerCreating", "PodInitializing"}
STATUS_KEYS = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


class Quiet(dict):
    """A pod a sweep's pre-filter (``triage.py``) found plainly healthy, never built: a dict of
    its uid, namespace and name (what a list is de-duplicated by), and ``key``, its census key
    (``owners.census_key``)."""

    __slots__ = ("key",)
    key: tuple[str, str, str, str]


def needs_diagnosis(
    pod: Mapping[str, Any], warned: bool = False, down: AbstractSet[str] = frozenset()
) -> bool:
    """True unless the pod is plainly healthy: running or done, no restarts, no terminations,
    nothing waiting on an error, no pod-level reason. A pod that Warning events concern is looked
    at too (``warned``): the events may say what the status does not; so is a pod not done on a
    node of ``down`` (their kubelets stopped reporting: the status is the last one written).
    Errs on the side of True for odd input."""
    status = _d(pod.get("status"))
    if warned or status.get("reason") or status.get("phase") in ("Failed", "Unknown", "Pending"):
        return True
    if down and status.get("phase") != "Succeeded":
        node = _d(pod.get("spec")).get("nodeName")
        if isinstance(node, str) and node in down:
            return True
    if not status:
        return True  # no status at all (saved without it): only the rest can tell
    if _d(pod.get("metadata")).get("deletionTimestamp"):
        return True
    for cond in _l(status.get("conditions")):
        if (
            isinstance(cond, dict)
            and cond.get("type") in ("DisruptionTarget", "PodScheduled")
            and cond.get("status")
            == ("True" if cond.get("type") == "DisruptionTarget" else "False")
        ):
            return True
    if node_marked(status):
        return True  # its node stopped being Ready: the status is stale, the events may be gone
    if _sets_memory(_d(pod.get("spec"))):
        return True  # its settings may not fit its limit, failed or not
    for key in STATUS_KEYS:
        for cs in _l(status.get(key)):
            if not isinstance(cs, dict):
                return True
            if cs.get("restartCount"):
                return True
            if _d(cs.get("lastState")).get("terminated"):
                return True
            state = _d(cs.get("state"))
            if "terminated" in state:
                return True
            waiting = state.get("waiting")
            if waiting is not None and _text(_d(waiting).get("reason")) not in QUIET_WAITING:
                return True
    return False


def node_marked(status: Mapping[str, Any]) -> bool:
    """The pod's Ready condition is False while ContainersReady is True, for no reason the
    kubelet gives: the node lifecycle controller's ``MarkPodsNotReady``, which sets Ready (and
    only Ready) to False on every pod of a node that is no longer Ready. The kubelet writes the
    two together, so the mark stays until the node's kubelet reports again; the controller's
    ``NodeNotReady`` event expires within hours. A pod whose readiness gates are not met has
    reason ``ReadinessGatesNotReady``."""
    ready = containers_ready = None  # the first of each, as the evidence's ``condition`` takes
    for cond in _l(status.get("conditions")):
        if not isinstance(cond, dict):
            continue
        if cond.get("type") == "Ready" and ready is None:
            ready = cond
        elif cond.get("type") == "ContainersReady" and containers_ready is None:
            containers_ready = cond
    return (
        ready is not None
        and containers_ready is not None
        and ready.get("status") == "False"
        and containers_ready.get("status") == "True"
        and _text(ready.get("reason")) not in KUBELET_NOT_READY
    )


def stopped_reporting(node: Any) -> bool:
    """A Node object whose Ready condition is Unknown: its kubelet stopped reporting, so the
    statuses of its pods are the last it wrote (a kubelet that reports Ready False still writes
    them)."""
    for cond in _l(_d(_d(node).get("status")).get("conditions")):
        if isinstance(cond, dict) and cond.get("type") == "Ready":
            return cond.get("status") == "Unknown"
    return False


MEMORY_WORDS = ("-Xmx", "MaxHeapSize", "RAMPercentage", "MaxRAM", "old-space", "old_space")


def _sets_memory(spec: Mapping[str, Any]) -> bool:
    """A container tells its runtime how much memory to use (``budget.py`` judges it)."""
    for c in _l(spec.get("containers")) + _l(spec.get("initContainers")):
        c = _d(c)
        if any(_text(_d(e).get("name")) in MEMORY_ENV for e in _l(c.get("env"))):
            return True
        words = _l(c.get("command")) + _l(c.get("args"))
        if any(isinstance(w, str) and any(m in w for m in MEMORY_WORDS) for w in words):
            return True
    return False


def _warning(event: Mapping[str, Any]) -> bool:
    """A Warning event (an untyped 1.0 one by its reason)."""
    return event.get("type") == "Warning" or (
        not event.get("type") and _text(event.get("reason")) in WARNING_REASONS
    )


def _text(value: Any) -> str:
    """A string as it is; anything else (a list where a reason should be) as no string."""
    return value if isinstance(value, str) else ""


def _l(value: Any) -> list:
    return value if isinstance(value, list) else []


def _key(ns: Any, name: Any) -> tuple[str, str]:
    return (ns if isinstance(ns, str) else "", name if isinstance(name, str) else "")


# the controllers that make pods, and say FailedCreate when the API server refuses one
CREATORS = {"ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}


class EventIndex:
    """Events grouped by the pod (uid and namespace/name) or node they are about."""

    def __init__(self) -> None:
        self.by_uid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        self.by_name: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
        self.by_node: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        # events that carry a uid, by name too: for a pod saved without its uid
        self.with_uid: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
        self.count = 0
        self._seen: set[str] = set()
        # the uids and names that Warning events about pods (and Jobs: ``for_pod`` may reach
        # their keys too) carry: a pod with neither has none
        self._warned: set[str] = set()
        # a controller's FailedCreate warnings, by (kind, namespace, name): pods never made
        self.creates: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)

    def add(self, event: Mapping[str, Any], uid: Any = None) -> None:
        """Index one event; ``uid``: its metadata.uid, when the event itself no longer holds it
        (a sweep keeps only what is read)."""
        uid = uid if uid is not None else _d(event.get("metadata")).get("uid")
        if isinstance(uid, str) and uid:  # a list restarted after 410 Gone sends it again
            if uid in self._seen:
                return
            self._seen.add(uid)
        inv = _d(event.get("involvedObject")) or _d(event.get("regarding"))
        kind = inv.get("kind")
        self.count += 1
        if kind in ("Pod", "Job") and _warning(event):  # what for_pod may find, by its keys
            self._warned.update(
                v for v in (inv.get("uid"), inv.get("name")) if isinstance(v, str) and v
            )
        if isinstance(kind, str) and kind in CREATORS and event.get("reason") == "FailedCreate":
            where = _key(inv.get("namespace"), inv.get("name"))
            if where[1] and _warning(event):
                self.creates[(kind, *where)].append(event)
        if kind == "Pod":
            uid = inv.get("uid")
            if isinstance(uid, str) and uid:
                self.by_uid[uid].append(event)
                self.with_uid[_key(inv.get("namespace"), inv.get("name"))].append(event)
            else:
                self.by_name[_key(inv.get("namespace"), inv.get("name"))].append(event)
        elif (
            kind == "Node"
            and isinstance(event.get("reason"), str)
            and event["reason"] in NODE_EVENT_REASONS
        ):
            name = inv.get("name")
            if isinstance(name, str):
                self.by_node[name].append(event)
        elif kind == "Job":
            ns, name = _key(inv.get("namespace"), inv.get("name"))
            self.by_name[("job:" + ns, name)].append(event)

    def add_all(self, events: Iterable[Any]) -> None:
        for e in events:
            if isinstance(e, dict):
                self.add(e)

    def for_pod(self, pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The pod's events: by uid, else by namespace and name. Where one side does not say its
        namespace (events copied from ``kubectl describe``, a pod saved without metadata), the
        name alone joins them."""
        meta = _d(pod.get("metadata"))
        uid = meta.get("uid")
        found = list(self.by_uid.get(uid, ())) if isinstance(uid, str) and uid else []
        ns, name = _key(meta.get("namespace"), meta.get("name"))
        if not name:
            return found
        keys = [(ns, name)]
        if ns:
            keys.append(("", name))
        else:
            keys += [
                k
                for k in (*self.by_name, *self.with_uid)
                if k[1] == name and k[0] and not k[0].startswith("job:")
            ]
        keys = list(dict.fromkeys(keys))
        if not (isinstance(uid, str) and uid):  # no uid to tell this pod from an older one
            found = [e for k in keys for e in self.with_uid.get(k, ())]
        return found + [e for k in keys for e in self.by_name.get(k, ())]

    def warned(self, pod: Mapping[str, Any]) -> bool:
        """True when a Warning event concerns the pod (untyped 1.0 events by their reason).
        Every event ``for_pod`` finds is keyed by the pod's uid or its name: a pod with neither
        among the warned ones has no Warning, and most pods of a sweep are looked up no further."""
        meta = _d(pod.get("metadata"))
        keys = (meta.get("uid"), meta.get("name"))
        if not any(isinstance(v, str) and v in self._warned for v in keys):
            return False
        return any(_warning(e) for e in self.for_pod(pod))

    def for_job(self, namespace: str, name: str) -> list[Mapping[str, Any]]:
        return list(self.by_name.get(("job:" + namespace, name), ()))

    def for_node(self, name: str) -> list[Mapping[str, Any]]:
        return self.by_node.get(name, [])


def job_name(pod: Mapping[str, Any]) -> Optional[str]:
    ref = _job_ref(pod)
    return ref["name"] if ref else None


def _job_ref(pod: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    for ref in _l(_d(pod.get("metadata")).get("ownerReferences")):
        if isinstance(ref, dict) and ref.get("kind") == "Job" and isinstance(ref.get("name"), str):
            return ref
    return None


def assemble(
    pods: Iterable[Mapping[str, Any]],
    events: EventIndex,
    *,
    events_known: bool,
    nodes: Optional[Mapping[str, Mapping[str, Any]]] = None,
    jobs: Optional[Mapping[tuple[str, str], Mapping[str, Any]]] = None,
    logs: Optional[Mapping[tuple[str, str], Mapping[str, list[str]]]] = None,
    warnings: tuple[str, ...] = (),
    observed: Optional[datetime] = None,
    owners: Optional[Controllers] = None,
) -> Iterator[Pod]:
    """Evidence for each pod, with its events, its node's events and its Job."""
    node_cache: dict[str, Node] = {}
    for pod in pods:
        meta, spec = _d(pod.get("metadata")), _d(pod.get("spec"))
        node_name = spec.get("nodeName") if isinstance(spec.get("nodeName"), str) else ""
        node = None
        if node_name:
            node = node_cache.get(node_name)
            if node is None:
                node = build_node(
                    node_name,
                    (nodes or {}).get(node_name),
                    (build_event(e) for e in events.for_node(node_name)),
                )
                node_cache[node_name] = node
        job: Optional[Job] = None
        jname = job_name(pod)
        if jname:
            ns = _key(meta.get("namespace"), jname)[0]
            raw = (jobs or {}).get((ns, jname))
            if raw is not None:
                job = build_job(raw)
            elif _d(pod.get("status")).get("phase") == "Failed":
                # the Job itself was not read, but its controller's events may say why it failed
                uid = _d(_job_ref(pod)).get("uid")
                job = job_from_events(
                    jname, uid if isinstance(uid, str) else "", events.for_job(ns, jname)
                )
        key = _key(meta.get("namespace"), meta.get("name"))
        yield build_pod(
            pod,
            events.for_pod(pod),
            events_known=events_known,
            node=node,
            job=job,
            logs=(logs or {}).get(key),
            warnings=warnings,
            observed=observed,
            workload=resolve(census_key(pod), owners),
        )
