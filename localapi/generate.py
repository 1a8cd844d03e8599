"""A synthetic cluster: realistic Pods (5-8 KB each), their Events, Nodes, Jobs and Namespaces.

The pods look like what ``kubectl get pods -o json`` returns from a real cluster: owner
references to ReplicaSets (Deployments), Jobs and DaemonSets, ``pod-template-hash`` and
``job-name`` labels, the service-account token volume, default tolerations, and
``metadata.managedFields`` as kube-controller-manager and the kubelet (``status`` subresource)
write them. About 90% of the pods are healthy and Running (a few Job pods Succeeded); the rest
show the ways containers die, with the Events the kubelet and controllers would have recorded:

====================  ==========================================================================
scenario              what the pod shows
====================  ==========================================================================
``oom``               running again; lastState OOMKilled 137
``oom_crashloop``     waiting CrashLoopBackOff; lastState OOMKilled 137; BackOff events
``crashloop``         waiting CrashLoopBackOff; lastState Error 1; BackOff events
``liveness``          running again; lastState Error 137; Unhealthy + Killing events
``sigterm``           running again; lastState Error 143
``segfault``          running again; lastState Error 139
``node_oom``          running again; lastState Error 137; a SystemOOM event on its Node
``imagepull``         Pending; waiting ImagePullBackOff; Pulling/Failed/BackOff events
``job_failed``        Failed Job pod, terminated Error 1; the Job failed BackoffLimitExceeded
====================  ==========================================================================

Speed: each pod kind is a JSON text template compiled once (``podtemplate``), filled per pod by
joining literal segments with the per-pod values; only the status (about 1.5 KB) goes through
``json.dumps``. ``populate()`` puts pods straight into a ``Store`` as bytes without building
dicts, so 50,000 pods take a few seconds and about 400 MB.

The pods' owners exist too, as their controllers write them: a ReplicaSet per workload (named
``<app>-<pod-template-hash>``, its uid the one in the pods' ownerReferences) owned by the
Deployment ``<app>`` (two workloads of one app in a namespace are two ReplicaSets of one
Deployment, a rollout under way: the newer one is the Deployment's template), a DaemonSet, and
for each Job ``<app>-<minutes since the epoch>`` the CronJob ``<app>`` that scheduled it (the
cronjob controller names a Job ``fmt.Sprintf("%s-%d", cj.Name, scheduledTime.Unix()/60)`` and
gives it a controller reference to the CronJob). Their counts follow the pods: replicas, ready
and available replicas. They are filled from text templates like the pods (``podtemplate``), and
draw nothing from the random stream, so the pods are the same with or without them.

``pods(n, seed=...)``, ``events(n, seed=...)``, ``nodes``, ``jobs``, ``replicasets``,
``deployments``, ``daemonsets``, ``cronjobs`` and ``namespaces`` return dicts of the same
deterministic cluster (same ``n``, ``seed`` and ``now``).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .podtemplate import CONDITION_TYPES, Template, owner_template, pod_template
from .store import RESOURCES, Entry, Store, encode

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

SCENARIOS = {  # weight among the ~10% of pods that have a termination story
    "oom": 22,
    "oom_crashloop": 8,
    "crashloop": 18,
    "liveness": 14,
    "sigterm": 8,
    "segfault": 4,
    "node_oom": 4,
    "imagepull": 10,
    "job_failed": 12,
}
TROUBLED_FRACTION = 0.10
_SCENARIO_NAMES = list(SCENARIOS)
_SCENARIO_CUM = []
_acc = 0
for _w in SCENARIOS.values():
    _acc += _w
    _SCENARIO_CUM.append(_acc)

_TEAMS = [
    "payments",
    "checkout",
    "search",
    "identity",
    "catalog",
    "orders",
    "shipping",
    "ledger",
    "growth",
    "platform",
    "data",
    "ml",
    "messaging",
    "media",
    "risk",
]
_ENVS = ["prod", "staging", "dev", "canary"]
_APPS = [
    "api",
    "web",
    "frontend",
    "gateway",
    "worker",
    "consumer",
    "indexer",
    "scheduler",
    "notifier",
    "billing",
    "inventory",
    "auth",
    "reports",
    "ingest",
    "recommender",
    "pricing",
    "profile",
    "session",
    "export",
    "webhook",
]
_FLUENT_BIT = "cr.fluentbit.io/fluent/fluent-bit"
_S = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of generated name suffixes


def _ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _owner_uid(kind: str, namespace: str, name: str) -> str:
    """A stable uid for an owner the pods do not name by uid (Deployments, CronJobs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"localapi/{kind}/{namespace}/{name}"))


def _suffix(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_S) for _ in range(n))


@dataclass
class _Workload:
    namespace: str
    env: str
    team: str
    app: str
    arch: str
    owner_kind: str
    owner_api: str
    owner: str
    owner_uid: str
    gen_name: str
    labels: dict[str, str]
    labels_json: str
    annotations_json: str
    mf_labels: str
    mf_annotations: str
    image: str
    mem_limit: str
    mem_req: str
    cpu_limit: str
    cpu_req: str
    sa: str
    containers: tuple[tuple[str, str], ...]
    created: float


_MEMORY = [
    ("128Mi", "64Mi"),
    ("256Mi", "128Mi"),
    ("512Mi", "256Mi"),
    ("1Gi", "512Mi"),
    ("2Gi", "1Gi"),
    ("4Gi", "2Gi"),
]
_CPU = [("250m", "50m"), ("500m", "100m"), ("1", "250m"), ("2", "500m")]
_ARCHES = ["service"] * 6 + ["sidecar"] * 2 + ["worker"] * 3 + ["cache"]


class _Cluster:
    """Deterministic generator state for one (n, seed, now)."""

    def __init__(self, n: int, seed: int, now: float | None) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.now = float(int(now if now is not None else time.time()))
        self.rv = 1000
        rng = self.rng
        n_ns = max(3, min(300, n // 150))
        names = ["default", "prod", "staging"]
        while len(names) < n_ns:
            name = f"{rng.choice(_TEAMS)}-{rng.choice(_ENVS)}"
            if name in names:
                name = f"{name}-{len(names)}"
            names.append(name)
        self.namespaces = names
        self.node_names = [
            f"ip-10-0-{i // 250}-{i % 250 + 4}.ec2.internal" for i in range(max(3, n // 40))
        ]
        self.node_ips = [f"10.0.{i // 250}.{i % 250 + 4}" for i in range(len(self.node_names))]
        self.node_uids = [_uid(rng) for _ in self.node_names]
        self.templates = {
            a: pod_template(a) for a in ("service", "sidecar", "worker", "cache", "job", "daemon")
        }
        self.jobs: list[dict[str, Any]] = []
        self.owner_templates: dict[tuple[str, str], Template] = {}
        self.last_ready = False
        # what the owner objects are made from, gathered while the pods are made
        self.placed: list[tuple[_Workload, int, int]] = []  # (workload, pods, ready pods)
        self.cron_jobs: dict[tuple[str, str], list[tuple[int, bool, float, _Workload]]] = {}

    def next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    # --- workloads ------------------------------------------------------------------------------

    def workload(self, namespace: str, arch: str) -> _Workload:
        rng = self.rng
        team = namespace.split("-")[0] if "-" in namespace else rng.choice(_TEAMS)
        env = namespace.rsplit("-", 1)[-1] if "-" in namespace else namespace
        app = rng.choice(_APPS) if arch != "daemon" else "node-exporter"
        if arch == "job":
            app = rng.choice(["migrate", "backfill", "export", "reindex", "cleanup", "report"])
        if arch == "cache":
            app = "redis-" + app
        mem_limit, mem_req = rng.choice(_MEMORY)
        cpu_limit, cpu_req = rng.choice(_CPU)
        created = self.now - rng.uniform(3600, 40 * 86400)
        version = f"{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        image = f"registry.example.com/{team}/{app}:{version}"
        if arch == "cache":
            image = "docker.io/library/redis:7.2.5"
        if arch == "daemon":
            image = "quay.io/prometheus/node-exporter:v1.8.2"
        labels: dict[str, str] = {
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/instance": f"{app}-{env}",
            "app.kubernetes.io/part-of": team,
        }
        annotations = {"prometheus.io/scrape": "true"}
        owner_uid = _uid(rng)
        if arch == "job":
            owner_kind, owner_api = "Job", "batch/v1"
            owner = f"{app}-{int(created) // 60}"
            gen_name = owner + "-"
            labels.update(
                {
                    "batch.kubernetes.io/controller-uid": owner_uid,
                    "batch.kubernetes.io/job-name": owner,
                    "controller-uid": owner_uid,
                    "job-name": owner,
                }
            )
            annotations = {"batch.kubernetes.io/job-tracking": ""}
        elif arch == "daemon":
            owner_kind, owner_api, owner = "DaemonSet", "apps/v1", app
            gen_name = app + "-"
            labels.update(
                {
                    "controller-revision-hash": f"{rng.getrandbits(32):08x}"[:9],
                    "pod-template-generation": "3",
                }
            )
        else:
            owner_kind, owner_api = "ReplicaSet", "apps/v1"
            rs_hash = _suffix(rng, 10)
            owner = f"{app}-{rs_hash}"
            gen_name = owner + "-"
            labels["pod-template-hash"] = rs_hash
            annotations["kubectl.kubernetes.io/restartedAt"] = _ts(created)
        mf_labels = encode({".": {}, **{f"f:{k}": {} for k in labels}}).decode()
        mf_annotations = encode({".": {}, **{f"f:{k}": {} for k in annotations}}).decode()
        containers: tuple[tuple[str, str], ...] = (("regular", app),)
        if arch == "sidecar":
            containers += (("regular", "log-shipper"),)
        return _Workload(
            namespace,
            env,
            team,
            app,
            arch,
            owner_kind,
            owner_api,
            owner,
            owner_uid,
            gen_name,
            labels,
            encode(labels).decode(),
            encode(annotations).decode(),
            mf_labels,
            mf_annotations,
            image,
            mem_limit,
            mem_req,
            cpu_limit,
            cpu_req,
            "default" if arch in ("job", "cache") else app,
            containers,
            created,
        )

    def workloads(self) -> Iterator[tuple[_Workload, int]]:
        """(workload, replicas) until n pods are placed."""
        rng = self.rng
        left = self.n
        daemon_done: set[str] = set()
        while left > 0:
            ns = rng.choice(self.namespaces)
            r = rng.random()
            if r < 0.10:
                arch, replicas = "job", 1
            elif r < 0.12 and ns not in daemon_done:
                daemon_done.add(ns)
                arch, replicas = "daemon", min(len(self.node_names), 12)
            else:
                arch, replicas = rng.choice(_ARCHES), rng.choice((1, 2, 2, 3, 3, 3, 4, 6, 8, 12))
            replicas = min(replicas, left)
            left -= replicas
            yield self.workload(ns, arch), replicas

    # --- pods -----------------------------------------------------------------------------------

    def scenario(self, arch: str) -> str:
        rng = self.rng
        if rng.random() >= TROUBLED_FRACTION:
            return "healthy"
        pick = rng.random() * _SCENARIO_CUM[-1]
        name = next(n for n, cum in zip(_SCENARIO_NAMES, _SCENARIO_CUM) if pick < cum)
        if (name == "job_failed") != (arch == "job"):
            return "job_failed" if arch == "job" else "crashloop"
        return name

    def pod(self, w: _Workload, index: int, node_i: int) -> tuple[Entry, list[dict[str, Any]]]:
        """One pod as a store Entry (no dicts built), and the Events it would have."""
        rng = self.rng
        now = self.now
        name = w.gen_name + _suffix(rng, 5)
        uid = _uid(rng)
        node = self.node_names[node_i]
        host_ip = self.node_ips[node_i]
        pod_ip = f"10.{64 + (index >> 16) % 128}.{(index >> 8) & 255}.{index & 255}"
        scenario = self.scenario(w.arch)
        created = max(w.created, now - rng.uniform(600, 20 * 86400))
        if scenario != "healthy":
            created = min(created, now - 1800)
        start = created + rng.uniform(1, 8)
        image = w.image
        if scenario == "imagepull":
            image = w.image.rsplit(":", 1)[0] + ":" + f"{rng.randint(5, 9)}.0.0-rc1"
        tok = _suffix(rng, 5)
        phase, statuses, ready, evs, status_time = self.container_story(
            w, scenario, name, uid, image, pod_ip, tok, start
        )
        self.last_ready = ready
        status = self.pod_status(phase, statuses, ready, host_ip, pod_ip, start, created, w)
        values = {
            "name": name,
            "genName": w.gen_name,
            "ns": w.namespace,
            "uid": uid,
            "rv": self.next_rv(),
            "created": _ts(created),
            "labels": w.labels_json,
            "annotations": w.annotations_json,
            "ownerApi": w.owner_api,
            "ownerKind": w.owner_kind,
            "owner": w.owner,
            "ownerUid": w.owner_uid,
            "mfAnnotations": w.mf_annotations,
            "mfLabels": w.mf_labels,
            "statusTime": _ts(status_time),
            "podIP": pod_ip,
            "app": w.app,
            "image": image,
            "env": w.env,
            "memLimit": w.mem_limit,
            "memReq": w.mem_req,
            "cpuLimit": w.cpu_limit,
            "cpuReq": w.cpu_req,
            "tok": tok,
            "node": node,
            "sa": w.sa,
            "status": status,
        }
        data = self.templates[w.arch].fill(values)
        fields = (
            name,
            w.namespace,
            node,
            "Never" if w.arch == "job" else "Always",
            "default-scheduler",
            w.sa,
            "false",
            phase,
            pod_ip,
            "",
        )
        entry = Entry(w.namespace, name, w.labels, fields, data, w.containers)
        involved = {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": name,
            "namespace": w.namespace,
            "uid": uid,
            "resourceVersion": values["rv"],
        }
        events = [
            self.event(w.namespace, involved, node, first=e.pop("first", start + 2), **e)
            for e in evs
        ]
        if scenario == "node_oom":
            node_ref = {"kind": "Node", "name": node, "uid": node, "apiVersion": "v1"}
            events.append(
                self.event(
                    "default",
                    node_ref,
                    node,
                    reason="SystemOOM",
                    type="Warning",
                    message=f"System OOM encountered, victim process: {w.app}, pid: "
                    f"{rng.randint(2000, 60000)}",
                    last=status_time - 1,
                    count=1,
                    obj_name=node,
                )
            )
        if w.arch == "job":
            self.jobs.append(self.job(w, scenario, start, status_time))
        return entry, events

    def container_story(
        self,
        w: _Workload,
        scenario: str,
        name: str,
        uid: str,
        image: str,
        pod_ip: str,
        tok: str,
        start: float,
    ) -> tuple[str, list[dict[str, Any]], bool, list[dict[str, Any]], float]:
        """(phase, containerStatuses, ready, events, status time) for the pod's main container."""
        rng = self.rng
        now = self.now
        cid = lambda: f"containerd://{rng.getrandbits(256):064x}"  # noqa: E731
        image_id = f"{image.rsplit(':', 1)[0]}@sha256:{rng.getrandbits(256):064x}"
        main: dict[str, Any] = {
            "containerID": cid(),
            "image": image,
            "imageID": image_id,
            "lastState": {},
            "name": w.app,
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": _ts(start + 2)}},
        }
        phase, ready, status_time = "Running", True, start + 12
        evs: list[dict[str, Any]] = []
        field_path = f"spec.containers{{{w.app}}}"
        if scenario == "healthy" and w.arch == "job":
            done = start + rng.uniform(20, 900)
            main.update(
                ready=False,
                started=False,
                state={
                    "terminated": {
                        "containerID": main["containerID"],
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": _ts(start + 2),
                        "finishedAt": _ts(done),
                    }
                },
            )
            phase, ready, status_time = "Succeeded", False, done + 1
        elif scenario == "healthy":
            if now - start < 3600:
                for reason, msg in (
                    ("Pulled", f'Container image "{image}" already present on machine'),
                    ("Created", f"Created container {w.app}"),
                    ("Started", f"Started container {w.app}"),
                ):
                    evs.append(
                        dict(
                            reason=reason,
                            type="Normal",
                            message=msg,
                            last=start + 2,
                            count=1,
                            field_path=field_path,
                        )
                    )
        elif scenario == "imagepull":
            main.update(
                containerID=None,
                imageID="",
                ready=False,
                started=False,
                state={
                    "waiting": {
                        "reason": "ImagePullBackOff",
                        "message": f'Back-off pulling image "{image}"',
                    }
                },
            )
            phase, ready, status_time = "Pending", False, start + 30
            count = rng.randint(3, 40)
            evs += [
                dict(
                    reason="Pulling",
                    type="Normal",
                    message=f'Pulling image "{image}"',
                    count=count,
                    field_path=field_path,
                ),
                dict(
                    reason="Failed",
                    type="Warning",
                    message=f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
                    f'failed to pull and unpack image "{image}": failed to resolve '
                    f'reference "{image}": {image}: not found',
                    count=count,
                    field_path=field_path,
                ),
                dict(
                    reason="Failed",
                    type="Warning",
                    message="Error: ErrImagePull",
                    count=count,
                    field_path=field_path,
                ),
                dict(
                    reason="BackOff",
                    type="Normal",
                    message=f'Back-off pulling image "{image}"',
                    count=count * 4,
                    field_path=field_path,
                ),
                dict(
                    reason="Failed",
                    type="Warning",
                    message="Error: ImagePullBackOff",
                    count=count * 4,
                    field_path=field_path,
                ),
            ]
        else:
            restarts = rng.randint(1, 8)
            code, reason = {
                "oom": (137, "OOMKilled"),
                "oom_crashloop": (137, "OOMKilled"),
                "crashloop": (1, "Error"),
                "liveness": (137, "Error"),
                "sigterm": (143, "Error"),
                "segfault": (139, "Error"),
                "node_oom": (137, "Error"),
                "job_failed": (1, "Error"),
            }[scenario]
            finished = now - rng.uniform(60, 1500)
            last_start = max(finished - rng.uniform(5, 600), start + 3)
            terminated = {
                "containerID": cid(),
                "exitCode": code,
                "finishedAt": _ts(finished),
                "reason": reason,
                "startedAt": _ts(last_start),
            }
            if scenario == "crashloop" and rng.random() < 0.5:
                terminated["message"] = (
                    "panic: runtime error: invalid memory address or nil pointer dereference"
                )
            status_time = finished + 1
            if scenario == "job_failed":
                main.update(ready=False, started=False, state={"terminated": terminated})
                main["containerID"] = terminated["containerID"]
                phase, ready = "Failed", False
            elif scenario in ("crashloop", "oom_crashloop"):
                restarts = rng.randint(4, 60)
                main.update(
                    lastState={"terminated": terminated},
                    ready=False,
                    started=False,
                    restartCount=restarts,
                    state={
                        "waiting": {
                            "reason": "CrashLoopBackOff",
                            "message": f"back-off 5m0s restarting failed container="
                            f"{w.app} pod={name}_{w.namespace}({uid})",
                        }
                    },
                )
                main["containerID"] = terminated["containerID"]
                ready = False
                evs.append(
                    dict(
                        reason="BackOff",
                        type="Warning",
                        message=f"Back-off restarting failed container {w.app} in pod "
                        f"{name}_{w.namespace}({uid})",
                        count=restarts * 5,
                        last=now - rng.uniform(1, 60),
                        field_path=field_path,
                    )
                )
            else:
                main.update(
                    lastState={"terminated": terminated},
                    restartCount=restarts,
                    state={"running": {"startedAt": _ts(finished + 1)}},
                )
            if scenario == "liveness":
                probe = {
                    "service": f'Liveness probe failed: Get "http://{pod_ip}:8080/healthz": '
                    "context deadline exceeded (Client.Timeout exceeded while "
                    "awaiting headers)",
                    "sidecar": "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    "worker": "Liveness probe failed: command timed out",
                    "cache": f"Liveness probe failed: dial tcp {pod_ip}:6379: connect: "
                    "connection refused",
                    "daemon": "Liveness probe failed: HTTP probe failed with statuscode: 503",
                }.get(w.arch, "Liveness probe failed: command timed out")
                evs += [
                    dict(
                        reason="Unhealthy",
                        type="Warning",
                        message=probe,
                        count=restarts * 3,
                        last=finished - 1,
                        field_path=field_path,
                    ),
                    dict(
                        reason="Killing",
                        type="Normal",
                        message=f"Container {w.app} failed liveness probe, will be restarted",
                        count=restarts,
                        last=finished - 1,
                        field_path=field_path,
                    ),
                ]
            if scenario != "job_failed":
                evs += [
                    dict(
                        reason="Pulled",
                        type="Normal",
                        message=f'Container image "{image}" already present on machine',
                        count=restarts + 1,
                        last=finished + 1,
                        field_path=field_path,
                    ),
                    dict(
                        reason="Created",
                        type="Normal",
                        message=f"Created container {w.app}",
                        count=restarts + 1,
                        last=finished + 1,
                        field_path=field_path,
                    ),
                    dict(
                        reason="Started",
                        type="Normal",
                        message=f"Started container {w.app}",
                        count=restarts + 1,
                        last=finished + 1,
                        field_path=field_path,
                    ),
                ]
        statuses = [main]
        if w.arch == "sidecar":
            statuses.append(
                {
                    "containerID": cid(),
                    "image": "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
                    "imageID": f"{_FLUENT_BIT}@sha256:{rng.getrandbits(256):064x}",
                    "lastState": {},
                    "name": "log-shipper",
                    "ready": phase in ("Running", "Pending"),
                    "restartCount": 0,
                    "started": phase in ("Running", "Pending"),
                    "state": {"running": {"startedAt": _ts(start + 2)}},
                }
            )
            statuses.sort(key=lambda s: s["name"])
        for s in statuses:
            if s.get("containerID") is None:
                s.pop("containerID", None)
            s["volumeMounts"] = [
                {
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    "name": f"kube-api-access-{tok}",
                    "readOnly": True,
                    "recursiveReadOnly": "Disabled",
                }
            ]
        return phase, statuses, ready, evs, status_time

    def pod_status(
        self,
        phase: str,
        statuses: list[dict[str, Any]],
        ready: bool,
        host_ip: str,
        pod_ip: str,
        start: float,
        created: float,
        w: _Workload,
    ) -> str:
        t_start = _ts(start)
        not_ready = [s["name"] for s in statuses if not s["ready"]]
        conditions = []
        for ctype in CONDITION_TYPES:
            cond: dict[str, Any] = {
                "type": ctype,
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": t_start,
            }
            if ctype in ("Ready", "ContainersReady") and not ready:
                cond["status"] = "False"
                if phase in ("Succeeded", "Failed"):
                    cond["reason"] = "PodCompleted"
                else:
                    cond["reason"] = "ContainersNotReady"
                    cond["message"] = f"containers with unready status: [{' '.join(not_ready)}]"
            if ctype == "PodScheduled":
                cond["lastTransitionTime"] = _ts(created)
            conditions.append(cond)
        status = {
            "conditions": conditions,
            "containerStatuses": statuses,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "phase": phase,
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable",
            "startTime": t_start,
        }
        return encode(status).decode()

    # --- other objects --------------------------------------------------------------------------

    def event(
        self,
        namespace: str,
        involved: dict[str, Any],
        node: str,
        *,
        reason: str,
        type: str,
        message: str,
        count: int = 1,
        last: float | None = None,
        field_path: str = "",
        obj_name: str | None = None,
        first: float | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        last = last if last is not None else self.now - rng.uniform(5, 900)
        if first is None:
            first = last - (rng.uniform(60, 3000) if count > 1 else 0)
        io = dict(involved)
        if field_path:
            io["fieldPath"] = field_path
        base = obj_name or io["name"]
        component = "kubelet"
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{base}.{rng.getrandbits(64):016x}"[: len(base) + 17],
                "namespace": namespace,
                "uid": _uid(rng),
                "resourceVersion": self.next_rv(),
                "creationTimestamp": _ts(first),
            },
            "involvedObject": io,
            "reason": reason,
            "message": message,
            "source": {"component": component, "host": node},
            "firstTimestamp": _ts(first),
            "lastTimestamp": _ts(last),
            "count": count,
            "type": type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": node,
        }

    def job(self, w: _Workload, scenario: str, start: float, status_time: float) -> dict[str, Any]:
        failed = scenario == "job_failed"
        conditions: list[dict[str, Any]] = []
        t = _ts(status_time)
        status: dict[str, Any] = {
            "startTime": _ts(start - 1),
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
        if failed:
            msg = "Job has reached the specified backoff limit"
            for ctype in ("FailureTarget", "Failed"):
                conditions.append(
                    {
                        "type": ctype,
                        "status": "True",
                        "lastProbeTime": t,
                        "lastTransitionTime": t,
                        "reason": "BackoffLimitExceeded",
                        "message": msg,
                    }
                )
            status["failed"] = 1
        else:
            for ctype, reason in (
                ("SuccessCriteriaMet", "CompletionsReached"),
                ("Complete", "CompletionsReached"),
            ):
                conditions.append(
                    {
                        "type": ctype,
                        "status": "True",
                        "lastProbeTime": t,
                        "lastTransitionTime": t,
                        "reason": reason,
                        "message": "Reached expected number of succeeded pods",
                    }
                )
            status["succeeded"] = 1
            status["completionTime"] = t
        status["conditions"] = conditions
        selector = {"batch.kubernetes.io/controller-uid": w.owner_uid}
        minutes = int(w.owner.rsplit("-", 1)[1])
        self.cron_jobs.setdefault((w.namespace, w.app), []).append(
            (minutes, not failed, status_time, w)
        )
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": w.owner,
                "namespace": w.namespace,
                "uid": w.owner_uid,
                "resourceVersion": self.next_rv(),
                "creationTimestamp": _ts(start - 2),
                "generation": 1,
                "labels": {k: v for k, v in w.labels.items() if "job" in k or "uid" in k},
                "annotations": {"batch.kubernetes.io/job-tracking": ""},
                "ownerReferences": [
                    {
                        "apiVersion": "batch/v1",
                        "kind": "CronJob",
                        "name": w.app,
                        "uid": _owner_uid("cronjob", w.namespace, w.app),
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "parallelism": 1,
                "completions": 1,
                "backoffLimit": 0,
                "completionMode": "NonIndexed",
                "suspend": False,
                "podReplacementPolicy": "TerminatingOrFailed",
                "manualSelector": False,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": dict(w.labels)},
                    "spec": {
                        "containers": [
                            {
                                "name": w.app,
                                "image": w.image,
                                "command": [f"/app/{w.app}"],
                                "resources": {"limits": {"memory": w.mem_limit}},
                            }
                        ],
                        "restartPolicy": "Never",
                    },
                },
            },
            "status": status,
        }

    # --- the pods' owners -----------------------------------------------------------------------

    def owner(
        self, kind: str, w: _Workload, values: dict[str, str], labels: dict[str, str]
    ) -> Entry:
        key = (kind, w.arch)
        template = self.owner_templates.get(key)
        if template is None:
            template = self.owner_templates[key] = owner_template(kind, w.arch)
        values.update(
            app=w.app,
            image=w.image,
            env=w.env,
            memLimit=w.mem_limit,
            memReq=w.mem_req,
            cpuLimit=w.cpu_limit,
            cpuReq=w.cpu_req,
            sa=w.sa,
            ns=w.namespace,
            rv=self.next_rv(),
            templateAnnotations=w.annotations_json,  # the pods' came from the template
        )
        name = values["name"]
        fields: tuple[str, ...] = (name, w.namespace)
        if kind == "ReplicaSet":
            fields += (values["replicas"],)
        return Entry(w.namespace, name, labels, fields, template.fill(values))

    def owners(self) -> Iterator[tuple[str, Any]]:
        """The ReplicaSets, Deployments, DaemonSets and CronJobs of the pods made so far."""
        deployments: dict[tuple[str, str], list[tuple[_Workload, int, int]]] = {}
        for w, count, ready in self.placed:
            if w.owner_kind == "ReplicaSet":
                deployments.setdefault((w.namespace, w.app), []).append((w, count, ready))
            elif w.owner_kind == "DaemonSet":
                yield "daemonsets", self.daemonset(w, count, ready)
        for (ns, app), sets in deployments.items():
            sets.sort(key=lambda s: s[0].created)
            deploy_uid = _owner_uid("deployment", ns, app)
            for revision, (w, count, ready) in enumerate(sets, 1):
                yield "replicasets", self.replicaset(w, count, ready, revision, deploy_uid)
            yield "deployments", self.deployment(sets, deploy_uid)
        for (ns, app), runs in self.cron_jobs.items():
            yield "cronjobs", self.cronjob(ns, app, runs)

    @staticmethod
    def _selector(w: _Workload) -> dict[str, str]:
        keys = ("app.kubernetes.io/name", "app.kubernetes.io/instance")
        return {k: w.labels[k] for k in keys}

    def replicaset(
        self, w: _Workload, count: int, ready: int, revision: int, deploy_uid: str
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
            "created": _ts(w.created),
            "generation": "1",
            "labels": w.labels_json,
            "annotations": annotations,
            "ownerReferences": owner_ref,
            "replicas": str(count),
            "selector": encode({**self._selector(w), "pod-template-hash": rs_hash}).decode(),
            "templateLabels": w.labels_json,
            "status": status,
        }
        return self.owner("ReplicaSet", w, values, w.labels)

    def deployment(self, sets: list[tuple[_Workload, int, int]], uid: str) -> Entry:
        newest, want, _ = sets[-1]
        total = sum(c for _, c, _ in sets)
        ready = sum(r for _, _, r in sets)
        updated = want
        rs_name = newest.owner
        labels = {k: v for k, v in newest.labels.items() if k != "pod-template-hash"}
        t = _ts(newest.created)
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
        return self.owner(
            "Deployment",
            newest,
            {
                "name": newest.app,
                "uid": uid,
                "created": _ts(sets[0][0].created),
                "generation": str(len(sets)),
                "labels": encode(labels).decode(),
                "annotations": encode(
                    {"deployment.kubernetes.io/revision": str(len(sets))}
                ).decode(),
                "replicas": str(want),
                "selector": encode(self._selector(newest)).decode(),
                "templateLabels": encode(labels).decode(),
                "status": encode(status).decode(),
            },
            labels,
        )

    def daemonset(self, w: _Workload, count: int, ready: int) -> Entry:
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
        return self.owner(
            "DaemonSet",
            w,
            {
                "name": w.owner,
                "uid": w.owner_uid,
                "created": _ts(w.created),
                "generation": str(generation),
                "labels": encode(labels).decode(),
                "annotations": encode(
                    {"deprecated.daemonset.template.generation": str(generation)}
                ).decode(),
                "replicas": "0",
                "selector": encode(self._selector(w)).decode(),
                "templateLabels": encode(labels).decode(),
                "status": encode(status).decode(),
            },
            labels,
        )

    def cronjob(
        self, ns: str, app: str, runs: list[tuple[int, bool, float, _Workload]]
    ) -> dict[str, Any]:
        runs = sorted(runs, key=lambda r: r[0])
        w = runs[-1][3]
        minutes = sorted({m % 60 for m, _, _, _ in runs})
        hours = sorted({m // 60 % 24 for m, _, _, _ in runs})
        schedule = f"{','.join(map(str, minutes))} {','.join(map(str, hours))} * * *"
        status: dict[str, Any] = {"lastScheduleTime": _ts(runs[-1][0] * 60)}
        succeeded = [done for _, ok, done, _ in runs if ok]
        if succeeded:
            status["lastSuccessfulTime"] = _ts(max(succeeded))
        template_labels = {
            k: v for k, v in w.labels.items() if "job-name" not in k and "controller-uid" not in k
        }
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {
                "name": app,
                "namespace": ns,
                "uid": _owner_uid("cronjob", ns, app),
                "resourceVersion": self.next_rv(),
                "creationTimestamp": _ts(runs[0][0] * 60 - 3600),
                "generation": 1,
                "labels": template_labels,
            },
            "spec": {
                "schedule": schedule,
                "concurrencyPolicy": "Forbid",
                "suspend": False,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {
                    "metadata": {"creationTimestamp": None},
                    "spec": {
                        "backoffLimit": 0,
                        "template": {
                            "metadata": {
                                "creationTimestamp": None,
                                "labels": template_labels,
                            },
                            "spec": {
                                "containers": [
                                    {
                                        "name": w.app,
                                        "image": w.image,
                                        "command": [f"/app/{w.app}"],
                                        "resources": {"limits": {"memory": w.mem_limit}},
                                    }
                                ],
                                "restartPolicy": "Never",
                            },
                        },
                    },
                },
            },
            "status": status,
        }

    def namespace(self, name: str) -> dict[str, Any]:
        created = self.now - 45 * 86400 - self.rng.uniform(0, 300 * 86400)
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": name,
                "uid": _uid(self.rng),
                "resourceVersion": self.next_rv(),
                "creationTimestamp": _ts(created),
                "labels": {"kubernetes.io/metadata.name": name},
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }

    def node(self, i: int) -> dict[str, Any]:
        rng = self.rng
        name, ip = self.node_names[i], self.node_ips[i]
        created = self.now - rng.uniform(2 * 86400, 90 * 86400)
        mem_pressure = rng.random() < 0.01
        conditions = []
        for ctype, ok_reason, msg in (
            (
                "MemoryPressure",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            ),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "KubeletReady", "kubelet is posting ready status"),
        ):
            bad = ctype == "MemoryPressure" and mem_pressure
            conditions.append(
                {
                    "type": ctype,
                    "status": ("True" if bad else "False") if ctype != "Ready" else "True",
                    "lastHeartbeatTime": _ts(self.now - rng.uniform(1, 40)),
                    "lastTransitionTime": _ts(created + 30),
                    "reason": "KubeletHasInsufficientMemory" if bad else ok_reason,
                    "message": "kubelet has insufficient memory available" if bad else msg,
                }
            )
        zone = f"us-east-1{'abc'[i % 3]}"
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "uid": self.node_uids[i],
                "resourceVersion": self.next_rv(),
                "creationTimestamp": _ts(created),
                "labels": {
                    "beta.kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "node.kubernetes.io/instance-type": "m6i.2xlarge",
                    "topology.kubernetes.io/region": "us-east-1",
                    "topology.kubernetes.io/zone": zone,
                },
                "annotations": {
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                },
            },
            "spec": {
                "podCIDR": f"10.{64 + i // 256}.{i % 256}.0/24",
                "providerID": f"aws:///{zone}/i-{rng.getrandbits(60):015x}",
            },
            "status": {
                "addresses": [
                    {"type": "InternalIP", "address": ip},
                    {"type": "Hostname", "address": name},
                    {"type": "InternalDNS", "address": name},
                ],
                "allocatable": {
                    "cpu": "7910m",
                    "ephemeral-storage": "95491281146",
                    "memory": "31482280Ki",
                    "pods": "110",
                },
                "capacity": {
                    "cpu": "8",
                    "ephemeral-storage": "104845292Ki",
                    "memory": "32398248Ki",
                    "pods": "110",
                },
                "conditions": conditions,
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": _uid(rng),
                    "containerRuntimeVersion": "containerd://1.7.22",
                    "kernelVersion": "6.1.112-122.189.amzn2023.x86_64",
                    "kubeProxyVersion": "v1.32.0",
                    "kubeletVersion": "v1.32.0",
                    "machineID": f"{rng.getrandbits(128):032x}",
                    "operatingSystem": "linux",
                    "osImage": "Amazon Linux 2023.6.20241031",
                    "systemUUID": _uid(rng),
                },
            },
        }


def _entries(n: int, seed: int, now: float | None) -> Iterator[tuple[str, Any]]:
    """Everything in the cluster: ("pods", Entry) or (resource, dict), in generation order."""
    c = _Cluster(n, seed, now)
    for ns in c.namespaces:
        yield "namespaces", c.namespace(ns)
    for i in range(len(c.node_names)):
        yield "nodes", c.node(i)
    index = 0
    rng = c.rng
    n_nodes = len(c.node_names)
    for w, replicas in c.workloads():
        ready = 0
        for r in range(replicas):
            node_i = r % n_nodes if w.arch == "daemon" else rng.randrange(n_nodes)
            entry, evs = c.pod(w, index, node_i)
            ready += c.last_ready
            index += 1
            yield "pods", entry
            for e in evs:
                yield "events", e
            while c.jobs:
                yield "jobs", c.jobs.pop()
        c.placed.append((w, replicas, ready))
    yield from c.owners()
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
