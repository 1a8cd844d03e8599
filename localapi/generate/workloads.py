"""The cluster's workloads: which controllers there are, where, and what their pods share.

About 10% of the workloads are Jobs (one pod each), one DaemonSet per namespace at most (a
node-exporter on up to 12 nodes), and the rest Deployments' ReplicaSets of 1 to 12 replicas in
four shapes: a service, a service with a log-shipping sidecar, a queue worker, a Redis cache.
"""

from __future__ import annotations

from typing import Iterator

from ..entry import encode
from .state import TEAMS, Cluster, Workload, suffix, ts, uid

__all__ = ["placements"]

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


def _workload(c: Cluster, namespace: str, arch: str) -> Workload:
    rng = c.rng
    team = namespace.split("-")[0] if "-" in namespace else rng.choice(TEAMS)
    env = namespace.rsplit("-", 1)[-1] if "-" in namespace else namespace
    app = rng.choice(_APPS) if arch != "daemon" else "node-exporter"
    if arch == "job":
        app = rng.choice(["migrate", "backfill", "export", "reindex", "cleanup", "report"])
    if arch == "cache":
        app = "redis-" + app
    mem_limit, mem_req = rng.choice(_MEMORY)
    cpu_limit, cpu_req = rng.choice(_CPU)
    created = c.now - rng.uniform(3600, 40 * 86400)
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
    owner_uid = uid(rng)
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
        rs_hash = suffix(rng, 10)
        owner = f"{app}-{rs_hash}"
        gen_name = owner + "-"
        labels["pod-template-hash"] = rs_hash
        annotations["kubectl.kubernetes.io/restartedAt"] = ts(created)
    mf_labels = encode({".": {}, **{f"f:{k}": {} for k in labels}}).decode()
    mf_annotations = encode({".": {}, **{f"f:{k}": {} for k in annotations}}).decode()
    containers: tuple[tuple[str, str], ...] = (("regular", app),)
    if arch == "sidecar":
        containers += (("regular", "log-shipper"),)
    return Workload(
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


def placements(c: Cluster) -> Iterator[tuple[Workload, int]]:
    """(workload, replicas) until n pods are placed."""
    rng = c.rng
    left = c.n
    daemon_done: set[str] = set()
    while left > 0:
        ns = rng.choice(c.namespaces)
        r = rng.random()
        if r < 0.10:
            arch, replicas = "job", 1
        elif r < 0.12 and ns not in daemon_done:
            daemon_done.add(ns)
            arch, replicas = "daemon", min(len(c.node_names), 12)
        else:
            arch, replicas = rng.choice(_ARCHES), rng.choice((1, 2, 2, 3, 3, 3, 4, 6, 8, 12))
        replicas = min(replicas, left)
        left -= replicas
        yield _workload(c, ns, arch), replicas
