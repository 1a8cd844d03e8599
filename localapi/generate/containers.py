"""The containers and volumes of each kind of workload, as their pod templates declare them.

Four shapes of Deployment pods (``service``, ``sidecar``: a service with a fluent-bit log
shipper, ``worker``, ``cache``: Redis), a Job's batch container and a DaemonSet's
node-exporter; each with its probes, ports, environment, resources and config volume. Values
that differ per workload are template holes (``@@app@@``, ``@@image@@``, ``@@memLimit@@`` ...).
"""

from __future__ import annotations

from typing import Any

__all__ = ["API_ACCESS_MOUNT", "main_container", "sidecar_container", "user_volumes"]


def _probe(kind: str, port: int, path: str = "/healthz", **extra: int) -> dict[str, Any]:
    if kind == "http":
        action: dict[str, Any] = {"httpGet": {"path": path, "port": port, "scheme": "HTTP"}}
    elif kind == "tcp":
        action = {"tcpSocket": {"port": port}}
    else:
        action = {"exec": {"command": ["/bin/sh", "-c", "test -f /tmp/healthy"]}}
    return {
        **action,
        "failureThreshold": 3,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 1,
        **extra,
    }


API_ACCESS_MOUNT = {
    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
    "name": "kube-api-access-@@tok@@",
    "readOnly": True,
}


def main_container(arch: str) -> dict[str, Any]:
    env: list[dict[str, Any]] = [
        {"name": "APP_ENV", "value": "@@env@@"},
        {
            "name": "POD_NAME",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
        },
        {
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"key": "url", "name": "@@app@@-db"}},
        },
    ]
    c: dict[str, Any] = {
        "name": "@@app@@",
        "image": "@@image@@",
        "imagePullPolicy": "IfNotPresent",
    }
    if arch in ("service", "sidecar"):
        c["args"] = ["--config=/etc/@@app@@/config.yaml"]
        c["env"] = env
        c["ports"] = [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
        ]
        c["livenessProbe"] = _probe("http", 8080, "/healthz", initialDelaySeconds=10)
        c["readinessProbe"] = _probe("http", 8080, "/ready")
    elif arch == "worker":
        c["command"] = ["/app/worker"]
        c["args"] = ["--queue=@@app@@-jobs", "--concurrency=8"]
        c["env"] = env + [{"name": "QUEUE_URL", "value": "amqp://rabbitmq.messaging:5672"}]
        c["livenessProbe"] = _probe("exec", 0, periodSeconds=30)
    elif arch == "cache":
        c["args"] = ["--maxmemory", "@@memLimit@@", "--appendonly", "no"]
        c["ports"] = [{"containerPort": 6379, "name": "redis", "protocol": "TCP"}]
        c["livenessProbe"] = _probe("tcp", 6379, initialDelaySeconds=5)
        c["readinessProbe"] = _probe("exec", 0)
    elif arch == "daemon":
        c["args"] = ["--path.rootfs=/host", "--web.listen-address=:9100"]
        c["ports"] = [{"containerPort": 9100, "name": "metrics", "protocol": "TCP"}]
        c["livenessProbe"] = _probe("http", 9100, "/")
    else:  # job
        c["command"] = ["/app/@@app@@"]
        c["args"] = ["--batch-size=500", "--since=24h"]
        c["env"] = env
    c["resources"] = {
        "limits": {"cpu": "@@cpuLimit@@", "memory": "@@memLimit@@"},
        "requests": {"cpu": "@@cpuReq@@", "memory": "@@memReq@@"},
    }
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "FallbackToLogsOnError" if arch == "job" else "File"
    mounts = [{"mountPath": "/etc/@@app@@", "name": "config", "readOnly": True}]
    if arch == "daemon":
        mounts = [{"mountPath": "/host", "name": "rootfs", "readOnly": True}]
    c["volumeMounts"] = mounts + [dict(API_ACCESS_MOUNT)]
    return c


def sidecar_container() -> dict[str, Any]:
    return {
        "name": "log-shipper",
        "image": "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
        "imagePullPolicy": "IfNotPresent",
        "resources": {
            "limits": {"cpu": "100m", "memory": "64Mi"},
            "requests": {"cpu": "20m", "memory": "32Mi"},
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/var/log/app", "name": "app-logs"},
            dict(API_ACCESS_MOUNT),
        ],
    }


def user_volumes(arch: str) -> list[dict[str, Any]]:
    """The volumes the workload's own template declares (not the token volume admission adds)."""
    volumes: list[dict[str, Any]] = []
    if arch == "daemon":
        volumes.append({"hostPath": {"path": "/", "type": ""}, "name": "rootfs"})
    else:
        volumes.append(
            {"configMap": {"defaultMode": 420, "name": "@@app@@-config"}, "name": "config"}
        )
    if arch == "sidecar":
        volumes.append({"emptyDir": {}, "name": "app-logs"})
    return volumes
