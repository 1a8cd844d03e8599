"""The cluster's Namespaces and Nodes, as the namespace controller and the kubelet show them.

The Nodes are EC2 instances (``ip-10-0-X-Y.ec2.internal``, m6i.2xlarge, three zones) running
kubelet v1.32 with containerd; about one in a hundred reports MemoryPressure.
"""

from __future__ import annotations

from typing import Any

from .state import Cluster, ts, uid

__all__ = ["make_namespace", "make_node"]


def make_namespace(c: Cluster, name: str) -> dict[str, Any]:
    created = c.now - 45 * 86400 - c.rng.uniform(0, 300 * 86400)
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": uid(c.rng),
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ts(created),
            "labels": {"kubernetes.io/metadata.name": name},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def make_node(c: Cluster, i: int) -> dict[str, Any]:
    rng = c.rng
    name, ip = c.node_names[i], c.node_ips[i]
    created = c.now - rng.uniform(2 * 86400, 90 * 86400)
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
                "lastHeartbeatTime": ts(c.now - rng.uniform(1, 40)),
                "lastTransitionTime": ts(created + 30),
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
            "uid": c.node_uids[i],
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ts(created),
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
                "bootID": uid(rng),
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "6.1.112-122.189.amzn2023.x86_64",
                "kubeProxyVersion": "v1.32.0",
                "kubeletVersion": "v1.32.0",
                "machineID": f"{rng.getrandbits(128):032x}",
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2023.6.20241031",
                "systemUUID": uid(rng),
            },
        },
    }
