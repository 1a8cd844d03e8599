"""A synthetic cluster: realistic Pods (5-8 KB each), their Events, Nodes, Jobs and Namespaces,
and the pods' owners.

The pods look like what ``kubectl get pods -o json`` returns from a real cluster: owner
references to ReplicaSets (Deployments), Jobs and DaemonSets, ``pod-template-hash`` and
``job-name`` labels, the service-account token volume, default tolerations, and
``metadata.managedFields`` as kube-controller-manager and the kubelet (``status`` subresource)
write them. About 90% of the pods are healthy and Running (a few Job pods Succeeded); the rest
show the ways containers die (``stories``), with the Events the kubelet and controllers would
have recorded. The owners exist too, as their controllers write them (``owners``, ``batch``).

Speed: each pod kind is a JSON text template compiled once (``podtemplate``), filled per pod by
joining literal segments with the per-pod values; only the status (about 1.5 KB) goes through
``json.dumps``. ``populate()`` puts pods straight into a ``Store`` as bytes without building
dicts, so 50,000 pods take a few seconds and about 400 MB.

``pods(n, seed=...)``, ``events(n, seed=...)``, ``nodes``, ``jobs``, ``replicasets``,
``deployments``, ``daemonsets``, ``cronjobs`` and ``namespaces`` return dicts of the same
deterministic cluster (same ``n``, ``seed`` and ``now``).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from ..entry import Entry
from ..resources import RESOURCES
from ..store import Store
from .infra import make_namespace, make_node
from .owners import owner_objects
from .pod import make_pod
from .state import Cluster
from .stories import SCENARIOS
from .workloads import placements

__all__ = [
    "SCENARIOS",
    "cluster",
    "cronjobs",
    "daemonsets",
    "deployments",
    "events",
    "iter_objects",
    "jobs",
    "namespaces",
    "nodes",
    "pods",
    "populate",
    "replicasets",
]


def _entries(n: int, seed: int, now: float | None) -> Iterator[tuple[str, Any]]:
    """Everything in the cluster: ("pods", Entry) or (resource, dict), in generation order."""
    c = Cluster(n, seed, now)
    for ns in c.namespaces:
        yield "namespaces", make_namespace(c, ns)
    for i in range(len(c.node_names)):
        yield "nodes", make_node(c, i)
    index = 0
    rng = c.rng
    n_nodes = len(c.node_names)
    for w, replicas in placements(c):
        ready = 0
        for r in range(replicas):
            node_i = r % n_nodes if w.arch == "daemon" else rng.randrange(n_nodes)
            entry, events, is_ready, job = make_pod(c, w, index, node_i)
            ready += is_ready
            index += 1
            yield "pods", entry
            for e in events:
                yield "events", e
            if job is not None:
                yield "jobs", job
        c.placed.append((w, replicas, ready))
    yield from owner_objects(c)
    yield "rv", c.rv


def populate(store: Store, n: int, *, seed: int = 0, now: float | None = None) -> int:
    """Add a synthetic cluster of ``n`` pods (plus events, nodes, jobs) to ``store``."""
    added = 0
    for resource, item in _entries(n, seed, now):
        if resource == "rv":
            store.note_resource_version(int(item))
        elif isinstance(item, Entry):
            store.add_entry(resource, item)
            added += 1
        else:
            added += 1 if store.add(item) else 0
    return added


def iter_objects(n: int, seed: int = 0, now: float | None = None) -> Iterator[dict[str, Any]]:
    """Every object of the cluster as a dict (Pods with apiVersion and kind), lazily."""
    for resource, item in _entries(n, seed, now):
        if resource == "rv":
            continue
        if isinstance(item, Entry):
            rt = RESOURCES[resource]
            obj = {"apiVersion": rt.api_version, "kind": rt.kind}
            obj.update(json.loads(item.data))
            yield obj
        else:
            yield item


def _of_kind(kind: str) -> Callable[..., list[dict[str, Any]]]:
    def select(n: int, seed: int = 0, now: float | None = None) -> list[dict[str, Any]]:
        return [o for o in iter_objects(n, seed, now) if o["kind"] == kind]

    select.__name__ = kind.lower() + "s"
    select.__doc__ = f"The {kind} objects of the cluster of ``n`` pods made with ``seed``."
    return select


pods = _of_kind("Pod")
events = _of_kind("Event")
nodes = _of_kind("Node")
jobs = _of_kind("Job")
replicasets = _of_kind("ReplicaSet")
deployments = _of_kind("Deployment")
daemonsets = _of_kind("DaemonSet")
cronjobs = _of_kind("CronJob")


namespaces = _of_kind("Namespace")


def cluster(n: int, seed: int = 0, now: float | None = None) -> dict[str, Any]:
    """The whole cluster as one v1 List (what ``kubectl get pods,events,nodes,jobs -A -o json``
    would print)."""
    return {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": list(iter_objects(n, seed, now)),
    }
