"""The owners' templates: ReplicaSets, Deployments and DaemonSets as their controllers write
them, with the pod template the pods were made from.
"""

from __future__ import annotations

from typing import Any

from .containers import API_ACCESS_MOUNT, main_container, sidecar_container, user_volumes
from .template import Template

__all__ = ["owner_template"]


def _template_spec(arch: str) -> dict[str, Any]:
    """The PodSpec of the controller's ``spec.template``: what the pods were made from, before
    the scheduler (nodeName), admission (the token volume and its mounts, the default
    tolerations, priority) and the DaemonSet controller (the node affinity) added theirs."""
    containers = [main_container(arch)]
    if arch == "sidecar":
        containers.append(sidecar_container())
    for c in containers:
        c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] != API_ACCESS_MOUNT["name"]]
    spec: dict[str, Any] = {
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 2000, "runAsNonRoot": True, "runAsUser": 1000},
        "serviceAccount": "@@sa@@",
        "serviceAccountName": "@@sa@@",
        "terminationGracePeriodSeconds": 30,
        "volumes": user_volumes(arch),
    }
    if arch == "daemon":
        spec["tolerations"] = [{"operator": "Exists"}]
    return spec


def owner_template(kind: str, arch: str) -> Template:
    """A ReplicaSet, Deployment or DaemonSet of pods of ``arch``, as its controller and the API
    server write it (``generation``, the deployment.kubernetes.io annotations, the owner
    reference of a ReplicaSet to its Deployment). Holes: ``name``, ``ns``, ``uid``, ``rv``,
    ``created``, ``#labels``, ``#selector``, ``#templateLabels``, ``#templateAnnotations``,
    ``#replicas``, ``#status``, ``#annotations``, ``#ownerReferences``, ``generation``, and the
    container values (``app``, ``image``, ``env``, ``memLimit`` ...)."""
    metadata: dict[str, Any] = {
        "name": "@@name@@",
        "namespace": "@@ns@@",
        "uid": "@@uid@@",
        "resourceVersion": "@@rv@@",
        "generation": "@@#generation@@",
        "creationTimestamp": "@@created@@",
        "labels": "@@#labels@@",
        "annotations": "@@#annotations@@",
    }
    if kind == "ReplicaSet":
        metadata["ownerReferences"] = "@@#ownerReferences@@"
    template = {
        "metadata": {"labels": "@@#templateLabels@@", "annotations": "@@#templateAnnotations@@"},
        "spec": _template_spec(arch),
    }
    spec: dict[str, Any] = {}
    if kind != "DaemonSet":
        spec["replicas"] = "@@#replicas@@"
    spec["selector"] = {"matchLabels": "@@#selector@@"}
    spec["template"] = template
    if kind == "Deployment":
        spec["strategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
        }
        spec["revisionHistoryLimit"] = 10
        spec["progressDeadlineSeconds"] = 600
    elif kind == "DaemonSet":
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
        }
        spec["revisionHistoryLimit"] = 10
    return Template({"metadata": metadata, "spec": spec, "status": "@@#status@@"})
