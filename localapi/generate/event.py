"""Events as the kubelet records them (``source.component`` kubelet, the node as the host).

An Event is named ``<object>.<16 hex digits>``, counts its occurrences, and carries the first
and last time it was seen; without a ``last`` time it was seen in the last quarter hour.
"""

from __future__ import annotations

from typing import Any

from .state import Cluster, ts, uid

__all__ = ["make_event"]


def make_event(
    c: Cluster,
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
    rng = c.rng
    last = last if last is not None else c.now - rng.uniform(5, 900)
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
            "uid": uid(rng),
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ts(first),
        },
        "involvedObject": io,
        "reason": reason,
        "message": message,
        "source": {"component": component, "host": node},
        "firstTimestamp": ts(first),
        "lastTimestamp": ts(last),
        "count": count,
        "type": type,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": node,
    }
