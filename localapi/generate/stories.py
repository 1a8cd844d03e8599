"""How a pod's main container fares: healthy, or one of the ways containers die.

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

A story is the container statuses (the main container's, and a sidecar's) with the phase and
readiness that follow from them, and the kubelet's events about the main container (as keyword
arguments of ``event.make_event``).
"""

from __future__ import annotations

import random
from typing import Any

from .state import Cluster, Workload, ts

__all__ = ["SCENARIOS", "TROUBLED_FRACTION", "container_story", "scenario"]

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

# (exit code, reason) of the main container's last termination
_EXITS = {
    "oom": (137, "OOMKilled"),
    "oom_crashloop": (137, "OOMKilled"),
    "crashloop": (1, "Error"),
    "liveness": (137, "Error"),
    "sigterm": (143, "Error"),
    "segfault": (139, "Error"),
    "node_oom": (137, "Error"),
    "job_failed": (1, "Error"),
}
_PROBE_FAILURES = {
    "service": 'Liveness probe failed: Get "http://{ip}:8080/healthz": context deadline exceeded '
    "(Client.Timeout exceeded while awaiting headers)",
    "sidecar": "Liveness probe failed: HTTP probe failed with statuscode: 500",
    "worker": "Liveness probe failed: command timed out",
    "cache": "Liveness probe failed: dial tcp {ip}:6379: connect: connection refused",
    "daemon": "Liveness probe failed: HTTP probe failed with statuscode: 503",
}
_FLUENT_BIT = "cr.fluentbit.io/fluent/fluent-bit"


def scenario(c: Cluster, arch: str) -> str:
    rng = c.rng
    if rng.random() >= TROUBLED_FRACTION:
        return "healthy"
    pick = rng.random() * _SCENARIO_CUM[-1]
    name = next(n for n, cum in zip(_SCENARIO_NAMES, _SCENARIO_CUM) if pick < cum)
    if (name == "job_failed") != (arch == "job"):
        return "job_failed" if arch == "job" else "crashloop"
    return name


def _container_id(rng: random.Random) -> str:
    return f"containerd://{rng.getrandbits(256):064x}"


def _start_events(app: str, image: str, count: int, last: float, field_path: str) -> list[Any]:
    """Pulled, Created, Started: the kubelet's events of a container (re)started."""
    return [
        dict(
            reason=reason,
            type="Normal",
            message=message,
            count=count,
            last=last,
            field_path=field_path,
        )
        for reason, message in (
            ("Pulled", f'Container image "{image}" already present on machine'),
            ("Created", f"Created container {app}"),
            ("Started", f"Started container {app}"),
        )
    ]


def _image_pull_events(image: str, count: int, field_path: str) -> list[Any]:
    """The kubelet's events while an image cannot be pulled (``count`` attempts)."""
    failed = (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
        f'unpack image "{image}": failed to resolve reference "{image}": {image}: not found'
    )
    return [
        dict(reason=reason, type=type_, message=message, count=n, field_path=field_path)
        for reason, type_, message, n in (
            ("Pulling", "Normal", f'Pulling image "{image}"', count),
            ("Failed", "Warning", failed, count),
            ("Failed", "Warning", "Error: ErrImagePull", count),
            ("BackOff", "Normal", f'Back-off pulling image "{image}"', count * 4),
            ("Failed", "Warning", "Error: ImagePullBackOff", count * 4),
        )
    ]


def _liveness_events(
    w: Workload, pod_ip: str, restarts: int, last: float, field_path: str
) -> list[Any]:
    """Unhealthy and Killing: the kubelet restarting a container its liveness probe failed."""
    probe = _PROBE_FAILURES.get(w.arch, _PROBE_FAILURES["worker"]).format(ip=pod_ip)
    return [
        dict(
            reason="Unhealthy",
            type="Warning",
            message=probe,
            count=restarts * 3,
            last=last,
            field_path=field_path,
        ),
        dict(
            reason="Killing",
            type="Normal",
            message=f"Container {w.app} failed liveness probe, will be restarted",
            count=restarts,
            last=last,
            field_path=field_path,
        ),
    ]


def container_story(
    c: Cluster,
    w: Workload,
    scenario: str,
    name: str,
    uid: str,
    image: str,
    pod_ip: str,
    tok: str,
    start: float,
) -> tuple[str, list[dict[str, Any]], bool, list[dict[str, Any]], float]:
    """(phase, containerStatuses, ready, events, status time) for the pod's main container."""
    rng = c.rng
    now = c.now
    image_id = f"{image.rsplit(':', 1)[0]}@sha256:{rng.getrandbits(256):064x}"
    main: dict[str, Any] = {
        "containerID": _container_id(rng),
        "image": image,
        "imageID": image_id,
        "lastState": {},
        "name": w.app,
        "ready": True,
        "restartCount": 0,
        "started": True,
        "state": {"running": {"startedAt": ts(start + 2)}},
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
                    "startedAt": ts(start + 2),
                    "finishedAt": ts(done),
                }
            },
        )
        phase, ready, status_time = "Succeeded", False, done + 1
    elif scenario == "healthy":
        if now - start < 3600:
            evs += _start_events(w.app, image, 1, start + 2, field_path)
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
        evs += _image_pull_events(image, rng.randint(3, 40), field_path)
    else:
        restarts = rng.randint(1, 8)
        code, reason = _EXITS[scenario]
        finished = now - rng.uniform(60, 1500)
        last_start = max(finished - rng.uniform(5, 600), start + 3)
        terminated = {
            "containerID": _container_id(rng),
            "exitCode": code,
            "finishedAt": ts(finished),
            "reason": reason,
            "startedAt": ts(last_start),
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
                state={"running": {"startedAt": ts(finished + 1)}},
            )
        if scenario == "liveness":
            evs += _liveness_events(w, pod_ip, restarts, finished - 1, field_path)
        if scenario != "job_failed":
            evs += _start_events(w.app, image, restarts + 1, finished + 1, field_path)
    return phase, _statuses(c, main, w, phase, start, tok), ready, evs, status_time


def _statuses(
    c: Cluster, main: dict[str, Any], w: Workload, phase: str, start: float, tok: str
) -> list[dict[str, Any]]:
    """The containerStatuses: the main container's and the sidecar's, in name order."""
    statuses = [main]
    if w.arch == "sidecar":
        statuses.append(
            {
                "containerID": _container_id(c.rng),
                "image": "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
                "imageID": f"{_FLUENT_BIT}@sha256:{c.rng.getrandbits(256):064x}",
                "lastState": {},
                "name": "log-shipper",
                "ready": phase in ("Running", "Pending"),
                "restartCount": 0,
                "started": phase in ("Running", "Pending"),
                "state": {"running": {"startedAt": ts(start + 2)}},
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
    return statuses
