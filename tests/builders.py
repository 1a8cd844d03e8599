"""API-shaped objects for tests: dicts as the API server returns them, never mocks.

Defaults describe an ordinary Deployment pod on node n1; every test states only what matters.
"""

from __future__ import annotations

from typing import Any, Optional

T0 = "2026-11-20T09:00:00Z"
T1 = "2026-11-20T10:00:00Z"  # the usual finishedAt


def terminated(
    code: Any, reason: str = "Error", message: str = "", started: str = T0, finished: str = T1
) -> dict:
    t = {
        "exitCode": code,
        "reason": reason,
        "startedAt": started,
        "finishedAt": finished,
        "containerID": "containerd://abc",
    }
    if message:
        t["message"] = message
    return t


def status(
    name: str = "app",
    *,
    state: Optional[dict] = None,
    last: Optional[dict] = None,
    restarts: int = 0,
    ready: bool = False,
) -> dict:
    return {
        "name": name,
        "image": "ghcr.io/acme/app:1.0",
        "imageID": "ghcr.io/acme/app@sha256:0",
        "containerID": "containerd://abc",
        "ready": ready,
        "restartCount": restarts,
        "state": state if state is not None else {"running": {"startedAt": "2026-11-20T10:00:05Z"}},
        "lastState": {"terminated": last} if last else {},
    }


def crashloop(name: str = "app") -> dict:
    return {
        "waiting": {
            "reason": "CrashLoopBackOff",
            "message": f"back-off 5m0s restarting failed container={name} "
            f"pod=web-1_prod(uid-web-1)",
        }
    }


def spec_container(
    name: str = "app",
    *,
    memory: Optional[str] = "512Mi",
    liveness: bool = False,
    startup: bool = False,
    restart_policy: Optional[str] = None,
) -> dict:
    # as the API returns it: resources always present (even {}), terminationMessagePath defaulted
    c: dict = {
        "name": name,
        "image": "ghcr.io/acme/app:1.0",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
    }
    if memory:
        c["resources"] = {"limits": {"memory": memory}, "requests": {"memory": memory}}
    if liveness:
        c["livenessProbe"] = {
            "httpGet": {"path": "/healthz", "port": 8080},
            "periodSeconds": 10,
            "failureThreshold": 3,
            "timeoutSeconds": 1,
        }
    if startup:
        c["startupProbe"] = {
            "httpGet": {"path": "/ready", "port": 8080},
            "periodSeconds": 5,
            "failureThreshold": 6,
        }
    if restart_policy:
        c["restartPolicy"] = restart_policy
    return c


def pod(
    name: str = "web-1",
    ns: str = "prod",
    *,
    containers: Optional[list] = None,
    statuses: Optional[list] = None,
    init: Optional[list] = None,
    init_statuses: Optional[list] = None,
    phase: str = "Running",
    restart_policy: str = "Always",
    owner: Optional[tuple] = ("ReplicaSet", "web-6d4f"),
    node: str = "n1",
    **status_extra: Any,
) -> dict:
    meta: dict = {
        "name": name,
        "namespace": ns,
        "uid": f"uid-{name}",
        "creationTimestamp": "2026-11-20T08:00:00Z",
        "labels": {"app": name},
    }
    if owner:
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": owner[0],
                "name": owner[1],
                "uid": "uid-owner",
                "controller": True,
            }
        ]
    spec: dict = {
        "nodeName": node,
        "restartPolicy": restart_policy,
        "terminationGracePeriodSeconds": 30,
        "containers": containers if containers is not None else [spec_container()],
    }
    st: dict = {
        "phase": phase,
        "startTime": "2026-11-20T08:00:01Z",
        "qosClass": "Burstable",
        "containerStatuses": statuses if statuses is not None else [status()],
    }
    if init is not None:
        spec["initContainers"] = init
    if init_statuses is not None:
        st["initContainerStatuses"] = init_statuses
    for key in list(status_extra):
        if key in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            meta[key] = status_extra.pop(key)
    st.update(status_extra)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": st}


def event(
    reason: str,
    message: str,
    *,
    pod_name: str = "web-1",
    ns: str = "prod",
    container: Optional[str] = "app",
    type_: str = "Normal",
    first: str = "",
    last: str = "2026-11-20T09:59:40Z",
    count: int = 1,
    kind: str = "Pod",
    field: str = "containers",
    component: str = "kubelet",
) -> dict:
    inv: dict = {"kind": kind, "name": pod_name, "namespace": ns, "apiVersion": "v1"}
    if kind == "Pod":
        inv["uid"] = f"uid-{pod_name}"
        if container:
            inv["fieldPath"] = f"spec.{field}{{{container}}}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod_name}.{reason}", "namespace": ns},
        "involvedObject": inv,
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": first or last,
        "lastTimestamp": last,
        "source": {"component": component, "host": "n1"},
    }


def node_event(
    reason: str, message: str, *, node: str = "n1", last: str = "2026-11-20T09:59:55Z"
) -> dict:
    e = event(
        reason,
        message,
        pod_name=node,
        ns="default",
        container=None,
        kind="Node",
        type_="Warning",
        last=last,
    )
    return e


READY = {  # a node's Ready condition by its status: what the kubelet, or the node controller, says
    "True": {"reason": "KubeletReady", "message": "ok"},
    "Unknown": {"reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."},
    "False": {"reason": "KubeletNotReady", "message": "container runtime is down"},
}


def node(
    name: str = "n1",
    *,
    memory_pressure: bool = False,
    since: str = "2026-11-20T09:50:00Z",
    ready: str = "True",
    message: Optional[str] = None,
) -> dict:
    condition = {"type": "Ready", "status": ready, **READY[ready]}
    if message is not None:
        condition["message"] = message
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {
            "conditions": [
                {
                    "type": "MemoryPressure",
                    "status": "True" if memory_pressure else "False",
                    "reason": "KubeletHasInsufficientMemory"
                    if memory_pressure
                    else "KubeletHasSufficientMemory",
                    "message": "kubelet has insufficient memory available"
                    if memory_pressure
                    else "kubelet has sufficient memory available",
                    "lastTransitionTime": since,
                },
                condition,
            ]
        },
    }


def job(name: str, ns: str = "batch", *, reason: str, message: str) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"backoffLimit": 3, "activeDeadlineSeconds": 600},
        "status": {
            "conditions": [
                {"type": "FailureTarget", "status": "True", "reason": reason, "message": message},
                {"type": "Failed", "status": "True", "reason": reason, "message": message},
            ]
        },
    }


def as_list(*objects: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": list(objects),
    }


def diagnose_objects(*objects: dict, include_healthy: bool = True):
    """Run objects through the same join, evidence and engine as ``-f``."""
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sources.join import EventIndex, assemble

    pods = [o for o in objects if o.get("kind") == "Pod"]
    index = EventIndex()
    index.add_all(o for o in objects if o.get("kind") == "Event")
    nodes = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Node"}
    jobs = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o
        for o in objects
        if o.get("kind") == "Job"
    }
    return [
        diagnose(p)
        for p in assemble(pods, index, events_known=index.count > 0, nodes=nodes, jobs=jobs)
    ]


def replicaset(name: str, deployment: str, ns: str = "prod") -> dict:
    """A ReplicaSet as its Deployment made it (metadata only: what exitwhy reads)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": f"uid-{name}",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment,
                 "uid": f"uid-{deployment}", "controller": True}
            ],
        },
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": deployment}}},
    }  # fmt: skip


def kubeconfig(url: str, user: str = "{token: t}") -> str:
    """A one-context kubeconfig (context, cluster and user all "r", namespace prod) for a test
    server at ``url``; ``user`` is the user entry as YAML flow."""
    return (
        "apiVersion: v1\nkind: Config\ncurrent-context: r\n"
        f"clusters: [{{name: r, cluster: {{server: '{url}'}}}}]\n"
        f"users: [{{name: r, user: {user}}}]\n"
        "contexts: [{name: r, context: {cluster: r, user: r, namespace: prod}}]\n"
    )
