"""The printers of Pods, Events, Nodes and Namespaces: their columns and a row's cells.

As ``pkg/printers/internalversion/printers.go`` prints them, in simplified form: pod STATUS as
kubectl computes it (waiting/terminated reasons, ``Init:``, ``Terminating``, ``Completed``),
RESTARTS with "(5m ago)"; event LAST SEEN, OBJECT and SOURCE; node STATUS with
``SchedulingDisabled`` and ROLES from the ``node-role.kubernetes.io/`` labels.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .cells import AGE, NAME, Since, age, col, epoch

__all__ = ["CELLS", "COLUMNS"]

COLUMNS: dict[str, list[dict]] = {
    "pods": [
        NAME,
        col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
        col("Status", desc="The aggregate status of the containers in this pod."),
        col(
            "Restarts",
            desc="The number of times the containers in this pod have been restarted and when "
            "the last container in this pod has restarted.",
        ),
        AGE,
        col("IP", priority=1, desc="IP address allocated to the pod."),
        col("Node", priority=1, desc="Name of the node the pod is assigned to."),
        col("Nominated Node", priority=1, desc="Name of the node the pod is nominated to."),
        col("Readiness Gates", priority=1, desc="Readiness gates of the pod."),
    ],
    "events": [
        col("Last Seen", desc="Time of the most recent occurrence of this event."),
        col("Type", desc="Type of this event (Normal, Warning)."),
        col("Reason", desc="Short, machine understandable string for the transition."),
        col("Object", desc="The object that this event is about."),
        col("Subobject", priority=1, desc="The sub-object (fieldPath) this event is about."),
        col("Source", priority=1, desc="The component reporting this event."),
        col("Message", desc="A human-readable description of the status of this operation."),
        col("First Seen", priority=1, desc="Time of the first occurrence of this event."),
        col("Count", "integer", priority=1, desc="The number of times this event has occurred."),
        col("Name", priority=1, fmt="name", desc="Name of the event."),
    ],
    "nodes": [
        NAME,
        col("Status", desc="The status of the node"),
        col("Roles", desc="The roles of the node"),
        AGE,
        col("Version", desc="Kubelet Version reported by the node."),
        col("Internal-IP", priority=1, desc="List of internal IPs for the node."),
        col("External-IP", priority=1, desc="List of external IPs for this node."),
        col("OS-Image", priority=1, desc="OS Image reported by the node from /etc/os-release."),
        col("Kernel-Version", priority=1, desc="Kernel Version reported by the node."),
        col("Container-Runtime", priority=1, desc="Container Runtime Version reported."),
    ],
    "namespaces": [
        NAME,
        col("Status", desc="The status of the namespace"),
        AGE,
    ],
}


def _pod_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = o.get("metadata") or {}, o.get("spec") or {}, o.get("status") or {}
    containers = spec.get("containers") or []
    reason = status.get("reason") or status.get("phase") or ""
    restarts = 0
    ready = 0
    last_restart: float | None = None

    def note_restart(cs: Mapping[str, Any]) -> None:
        nonlocal last_restart
        term = ((cs.get("lastState") or {}).get("terminated")) or {}
        finished = epoch(term.get("finishedAt"))
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished

    initializing = False
    init_specs = spec.get("initContainers") or []
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    sidecar_restarts = 0
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        note_restart(cs)
        state = cs.get("state") or {}
        if cs.get("name") in sidecars:
            sidecar_restarts += cs.get("restartCount", 0)
            if cs.get("started"):
                continue
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if term:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode')}"
        elif wait and wait.get("reason") and wait.get("reason") != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing:
        restarts = sidecar_restarts
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            note_restart(cs)
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = (
                    f"Signal:{term['signal']}"
                    if term.get("signal")
                    else f"ExitCode:{term.get('exitCode')}"
                )
            elif cs.get("ready") and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running"
    if meta.get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    restarts_cell: Any = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = Since(last_restart, f"{restarts} (", " ago)")
    gates = spec.get("readinessGates") or []
    return [
        meta.get("name", ""),
        f"{ready}/{len(containers)}",
        reason,
        restarts_cell,
        age(meta),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"0/{len(gates)}" if gates else "<none>",
    ]


def _event_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, io = o.get("metadata") or {}, o.get("involvedObject") or {}
    first = epoch(o.get("firstTimestamp")) or epoch(o.get("eventTime"))
    last = epoch(o.get("lastTimestamp")) or first
    count = o.get("count") or 1
    series = o.get("series")
    if isinstance(series, Mapping):
        last = epoch(series.get("lastObservedTime")) or last
        count = series.get("count") or count
    kind = str(io.get("kind", "")).lower()
    target = f"{kind}/{io['name']}" if io.get("name") else kind
    src = o.get("source") or {}
    component = src.get("component") or o.get("reportingComponent") or ""
    host = src.get("host") or o.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return [
        Since(last),
        o.get("type", ""),
        o.get("reason", ""),
        target,
        io.get("fieldPath", ""),
        source,
        str(o.get("message", "")).strip(),
        Since(first),
        int(count),
        meta.get("name", ""),
    ]


def _node_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = o.get("metadata") or {}, o.get("spec") or {}, o.get("status") or {}
    ready = "Unknown"
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            ready = "Ready" if cond.get("status") == "True" else "NotReady"
    if spec.get("unschedulable"):
        ready += ",SchedulingDisabled"
    roles = sorted(
        key.split("/", 1)[1]
        for key in (meta.get("labels") or {})
        if key.startswith("node-role.kubernetes.io/")
    )
    addresses = status.get("addresses") or []

    def ips(kind: str) -> str:
        found = [a.get("address", "") for a in addresses if a.get("type") == kind]
        return ",".join(found) if found else "<none>"

    info = status.get("nodeInfo") or {}
    return [
        meta.get("name", ""),
        ready,
        ",".join(roles) if roles else "<none>",
        age(meta),
        info.get("kubeletVersion", ""),
        ips("InternalIP"),
        ips("ExternalIP"),
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


def _namespace_cells(o: Mapping[str, Any]) -> list[Any]:
    meta = o.get("metadata") or {}
    return [
        meta.get("name", ""),
        (o.get("status") or {}).get("phase", ""),
        age(meta),
    ]


CELLS: dict[str, Callable[[Mapping[str, Any]], list[Any]]] = {
    "pods": _pod_cells,
    "events": _event_cells,
    "nodes": _node_cells,
    "namespaces": _namespace_cells,
}
