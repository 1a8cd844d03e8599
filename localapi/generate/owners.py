"""The pods' owners as their controllers write them: ReplicaSets, Deployments, DaemonSets.

A ReplicaSet per workload (named ``<app>-<pod-template-hash>``, its uid the one in the pods'
ownerReferences) owned by the Deployment ``<app>``: two workloads of one app in a namespace are
two ReplicaSets of one Deployment, a rollout under way (the newer one is the Deployment's
template). Their counts follow the pods: replicas, ready and available replicas. They are
filled from text templates like the pods (``ownertemplate``), and draw nothing from the random
stream, so the pods are the same with or without them.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..entry import Entry, encode
from .batch import make_cronjob
from .ownertemplate import owner_template
from .state import Cluster, Workload, owner_uid, ts

__all__ = ["owner_objects"]


def owner_objects(c: Cluster) -> Iterator[tuple[str, Any]]:
    """The ReplicaSets, Deployments, DaemonSets and CronJobs of the pods made so far."""
    deployments: dict[tuple[str, str], list[tuple[Workload, int, int]]] = {}
    for w, count, ready in c.placed:
        if w.owner_kind == "ReplicaSet":
            deployments.setdefault((w.namespace, w.app), []).append((w, count, ready))
        elif w.owner_kind == "DaemonSet":
            yield "daemonsets", _daemonset(c, w, count, ready)
    for (ns, app), sets in deployments.items():
        sets.sort(key=lambda s: s[0].created)
        deploy_uid = owner_uid("deployment", ns, app)
        for revision, (w, count, ready) in enumerate(sets, 1):
            yield "replicasets", _replicaset(c, w, count, ready, revision, deploy_uid)
        yield "deployments", _deployment(c, sets, deploy_uid)
    for (ns, app), runs in c.cron_jobs.items():
        yield "cronjobs", make_cronjob(c, ns, app, runs)


def _owner(
    c: Cluster, kind: str, w: Workload, values: dict[str, str], labels: dict[str, str]
) -> Entry:
    """The owner object as a store Entry, its template's holes filled from ``values``."""
    key = (kind, w.arch)
    template = c.owner_templates.get(key)
    if template is None:
        template = c.owner_templates[key] = owner_template(kind, w.arch)
    values.update(w.values)
    values.update(
        ns=w.namespace,
        rv=c.next_rv(),
        templateAnnotations=w.annotations_json,  # the pods' came from the template
    )
    name = values["name"]
    fields: tuple[str, ...] = (name, w.namespace)
    if kind == "ReplicaSet":
        fields += (values["replicas"],)
    return Entry(w.namespace, name, labels, fields, template.fill(values))


def _selector(w: Workload) -> dict[str, str]:
    keys = ("app.kubernetes.io/name", "app.kubernetes.io/instance")
    return {k: w.labels[k] for k in keys}


def _replicaset(
    c: Cluster, w: Workload, count: int, ready: int, revision: int, deploy_uid: str
) -> Entry:
    # built as text: ten thousand of these per 50,000 pods (names and numbers need no
    # JSON escaping)
    rs_hash = w.labels["pod-template-hash"]
    status = f'{{"replicas":{count},"fullyLabeledReplicas":{count}'
    if ready:
        status += f',"readyReplicas":{ready},"availableReplicas":{ready}'
    status += ',"observedGeneration":1}'
    owner_ref = (
        f'[{{"apiVersion":"apps/v1","kind":"Deployment","name":"{w.app}",'
        f'"uid":"{deploy_uid}","controller":true,"blockOwnerDeletion":true}}]'
    )
    annotations = (
        f'{{"deployment.kubernetes.io/desired-replicas":"{count}",'
        f'"deployment.kubernetes.io/max-replicas":"{count + -(-count // 4)}",'
        f'"deployment.kubernetes.io/revision":"{revision}"}}'
    )
    values = {
        "name": w.owner,
        "uid": w.owner_uid,
        "created": ts(w.created),
        "generation": "1",
        "labels": w.labels_json,
        "annotations": annotations,
        "ownerReferences": owner_ref,
        "replicas": str(count),
        "selector": encode({**_selector(w), "pod-template-hash": rs_hash}).decode(),
        "templateLabels": w.labels_json,
        "status": status,
    }
    return _owner(c, "ReplicaSet", w, values, w.labels)


def _deployment(c: Cluster, sets: list[tuple[Workload, int, int]], uid: str) -> Entry:
    newest, want, _ = sets[-1]
    total = sum(n for _, n, _ in sets)
    ready = sum(r for _, _, r in sets)
    updated = want
    rs_name = newest.owner
    labels = {k: v for k, v in newest.labels.items() if k != "pod-template-hash"}
    t = ts(newest.created)
    # available when at most maxUnavailable (25%, rounded down) of spec.replicas are not
    max_unavailable = want // 4
    available = ready >= want - max_unavailable
    conditions = [
        {
            "type": "Available",
            "status": "True" if available else "False",
            "lastUpdateTime": t,
            "lastTransitionTime": t,
            "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
            "message": "Deployment has minimum availability."
            if available
            else "Deployment does not have minimum availability.",
        },
        {
            "type": "Progressing",
            "status": "True",
            "lastUpdateTime": t,
            "lastTransitionTime": t,
            "reason": "NewReplicaSetAvailable" if len(sets) == 1 else "ReplicaSetUpdated",
            "message": f'ReplicaSet "{rs_name}" has successfully progressed.'
            if len(sets) == 1
            else f'ReplicaSet "{rs_name}" is progressing.',
        },
    ]
    status: dict[str, Any] = {"observedGeneration": len(sets), "replicas": total}
    status["updatedReplicas"] = updated
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if total - ready > 0:
        status["unavailableReplicas"] = total - ready
    status["conditions"] = conditions
    return _owner(
        c,
        "Deployment",
        newest,
        {
            "name": newest.app,
            "uid": uid,
            "created": ts(sets[0][0].created),
            "generation": str(len(sets)),
            "labels": encode(labels).decode(),
            "annotations": encode({"deployment.kubernetes.io/revision": str(len(sets))}).decode(),
            "replicas": str(want),
            "selector": encode(_selector(newest)).decode(),
            "templateLabels": encode(labels).decode(),
            "status": encode(status).decode(),
        },
        labels,
    )


def _daemonset(c: Cluster, w: Workload, count: int, ready: int) -> Entry:
    generation = int(w.labels.get("pod-template-generation", "1"))
    labels = {
        k: v
        for k, v in w.labels.items()
        if k not in ("controller-revision-hash", "pod-template-generation")
    }
    status: dict[str, Any] = {
        "currentNumberScheduled": count,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": count,
        "numberReady": ready,
        "observedGeneration": generation,
        "updatedNumberScheduled": count,
    }
    if ready:
        status["numberAvailable"] = ready
    if count - ready:
        status["numberUnavailable"] = count - ready
    return _owner(
        c,
        "DaemonSet",
        w,
        {
            "name": w.owner,
            "uid": w.owner_uid,
            "created": ts(w.created),
            "generation": str(generation),
            "labels": encode(labels).decode(),
            "annotations": encode(
                {"deprecated.daemonset.template.generation": str(generation)}
            ).decode(),
            "replicas": "0",
            "selector": encode(_selector(w)).decode(),
            "templateLabels": encode(labels).decode(),
            "status": encode(status).decode(),
        },
        labels,
    )
