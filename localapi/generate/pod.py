"""Pods: one pod of a workload, straight into a store Entry, with the Events it would have.

The pod is its workload's template (``podtemplate``) filled with the pod's own values; only the
status (about 1.5 KB) goes through ``json.dumps``. Its main container's story (``stories``)
decides the status and the kubelet's events; a Job pod brings its Job (``batch``).
"""

from __future__ import annotations

from typing import Any, Optional

from ..entry import Entry, encode
from .batch import make_job
from .event import make_event
from .podtemplate import CONDITION_TYPES
from .state import Cluster, Workload, suffix, ts, uid
from .stories import container_story, scenario

__all__ = ["Pod", "make_pod"]

# a generated pod, and what comes with it: its Entry, its Events, whether it is ready, and a
# Job pod's Job (a plain tuple: one is made per pod, 50,000 to a cluster)
Pod = tuple[Entry, list[dict[str, Any]], bool, Optional[dict[str, Any]]]


def make_pod(c: Cluster, w: Workload, index: int, node_i: int) -> Pod:
    """One pod as a store Entry (no dicts built), and the Events (and Job) it comes with."""
    rng = c.rng
    now = c.now
    name = w.gen_name + suffix(rng, 5)
    pod_uid = uid(rng)
    node = c.node_names[node_i]
    host_ip = c.node_ips[node_i]
    pod_ip = f"10.{64 + (index >> 16) % 128}.{(index >> 8) & 255}.{index & 255}"
    story = scenario(c, w.arch)
    created = max(w.created, now - rng.uniform(600, 20 * 86400))
    if story != "healthy":
        created = min(created, now - 1800)
    start = created + rng.uniform(1, 8)
    image = w.image
    if story == "imagepull":
        image = w.image.rsplit(":", 1)[0] + ":" + f"{rng.randint(5, 9)}.0.0-rc1"
    tok = suffix(rng, 5)
    phase, statuses, ready, evs, status_time = container_story(
        c, w, story, name, pod_uid, image, pod_ip, tok, start
    )
    status = _status(phase, statuses, ready, host_ip, pod_ip, start, created)
    values = {
        **w.values,
        "name": name,
        "genName": w.gen_name,
        "ns": w.namespace,
        "uid": pod_uid,
        "rv": c.next_rv(),
        "created": ts(created),
        "labels": w.labels_json,
        "annotations": w.annotations_json,
        "ownerApi": w.owner_api,
        "ownerKind": w.owner_kind,
        "owner": w.owner,
        "ownerUid": w.owner_uid,
        "mfAnnotations": w.mf_annotations,
        "mfLabels": w.mf_labels,
        "statusTime": ts(status_time),
        "podIP": pod_ip,
        "image": image,
        "tok": tok,
        "node": node,
        "status": status,
    }
    data = c.templates[w.arch].fill(values)
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
        "uid": pod_uid,
        "resourceVersion": values["rv"],
    }
    events = [
        make_event(c, w.namespace, involved, node, first=e.pop("first", start + 2), **e)
        for e in evs
    ]
    if story == "node_oom":
        node_ref = {"kind": "Node", "name": node, "uid": node, "apiVersion": "v1"}
        events.append(
            make_event(
                c,
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
    the_job = make_job(c, w, story, start, status_time) if w.arch == "job" else None
    return entry, events, ready, the_job


def _status(
    phase: str,
    statuses: list[dict[str, Any]],
    ready: bool,
    host_ip: str,
    pod_ip: str,
    start: float,
    created: float,
) -> str:
    t_start = ts(start)
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
            cond["lastTransitionTime"] = ts(created)
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
