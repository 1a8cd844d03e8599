"""The state of one generated cluster, its workloads, and the helpers every generator shares.

Everything is drawn from one ``random.Random(seed)`` in one fixed order, and every object takes
the next resourceVersion from one counter, so the same ``(n, seed, now)`` makes the same
cluster byte for byte: a generator module must not draw from the stream out of turn.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field

from .podtemplate import pod_template
from .template import Template

__all__ = ["TEAMS", "Cluster", "Workload", "owner_uid", "suffix", "ts", "uid"]

_S = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of generated name suffixes
TEAMS = [
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


def ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def owner_uid(kind: str, namespace: str, name: str) -> str:
    """A stable uid for an owner the pods do not name by uid (Deployments, CronJobs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"localapi/{kind}/{namespace}/{name}"))


def suffix(rng: random.Random, n: int) -> str:
    return "".join([rng.choice(_S) for _ in range(n)])  # a list: faster to join than a generator


@dataclass
class Workload:
    """One controller's pods: what they share (names, labels, image, resources, owner)."""

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
    values: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # the holes of the containers in the templates, the same in the pods and their owners
        self.values = {
            "app": self.app,
            "image": self.image,
            "env": self.env,
            "memLimit": self.mem_limit,
            "memReq": self.mem_req,
            "cpuLimit": self.cpu_limit,
            "cpuReq": self.cpu_req,
            "sa": self.sa,
        }


class Cluster:
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
            name = f"{rng.choice(TEAMS)}-{rng.choice(_ENVS)}"
            if name in names:
                name = f"{name}-{len(names)}"
            names.append(name)
        self.namespaces = names
        self.node_names = [
            f"ip-10-0-{i // 250}-{i % 250 + 4}.ec2.internal" for i in range(max(3, n // 40))
        ]
        self.node_ips = [f"10.0.{i // 250}.{i % 250 + 4}" for i in range(len(self.node_names))]
        self.node_uids = [uid(rng) for _ in self.node_names]
        self.templates = {
            a: pod_template(a) for a in ("service", "sidecar", "worker", "cache", "job", "daemon")
        }
        self.owner_templates: dict[tuple[str, str], Template] = {}
        # what the owner objects are made from, gathered while the pods are made
        self.placed: list[tuple[Workload, int, int]] = []  # (workload, pods, ready pods)
        self.cron_jobs: dict[tuple[str, str], list[tuple[int, bool, float, Workload]]] = {}

    def next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)
