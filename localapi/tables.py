"""Server-side printing: ``meta.k8s.io/v1`` Tables, as ``kubectl get`` asks for them.

``kubectl get`` (without ``-o json|yaml``) sends ``Accept: application/json;as=Table;v=v1;
g=meta.k8s.io,...``, and the real API server answers with a Table whose columns come from the
printers in ``pkg/printers/internalversion`` (always the "wide" set; kubectl hides priority-1
columns unless ``-o wide``). Each row carries the object's metadata as a
``PartialObjectMetadata`` (``includeObject=Metadata``, the default), which kubectl uses for the
NAMESPACE column of ``-A`` and for ``--show-labels``.

The columns and status strings here follow those printers in simplified form (pod STATUS as
kubectl computes it: waiting/terminated reasons, ``Init:``, ``Terminating``, ``Completed``;
RESTARTS with "(5m ago)"). Ages are rendered at request time, like the real server.

The workload printers (pkg/printers/internalversion/printers.go): ReplicaSet DESIRED, CURRENT,
READY as integers from ``spec.replicas``, ``status.replicas``, ``status.readyReplicas``;
Deployment READY as ``"%d/%d"`` of ``status.readyReplicas``/``spec.replicas``, UP-TO-DATE and
AVAILABLE integers, its SELECTOR ``selector.String()`` (empty, not ``<none>``, when unset);
StatefulSet READY ``"%d/%d"``, CONTAINERS and IMAGES only; DaemonSet DESIRED, CURRENT, READY,
UP-TO-DATE, AVAILABLE from its status counts and NODE SELECTOR as ``labels.FormatLabels`` of the
template's nodeSelector; CronJob SCHEDULE, TIMEZONE (``<none>``), SUSPEND (``printBoolPtr``:
True, False or ``<unset>``), ACTIVE (``len(status.active)``), LAST SCHEDULE (``<none>`` before
the first). Other selectors go through ``metav1.FormatLabelSelector`` (``<none>`` when empty).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from .store import Entry, ResourceType, encode

__all__ = ["COLUMNS", "human_duration", "selector_string", "table_body"]


def _col(name: str, typ: str = "string", priority: int = 0, fmt: str = "", desc: str = "") -> dict:
    return {"name": name, "type": typ, "format": fmt, "description": desc, "priority": priority}


_NAME = _col("Name", fmt="name", desc="Name must be unique within a namespace.")
_AGE = _col("Age", desc="CreationTimestamp is a timestamp representing the server time ...")

COLUMNS: dict[str, list[dict]] = {
    "pods": [
        _NAME,
        _col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
        _col("Status", desc="The aggregate status of the containers in this pod."),
        _col(
            "Restarts",
            desc="The number of times the containers in this pod have been restarted and when "
            "the last container in this pod has restarted.",
        ),
        _AGE,
        _col("IP", priority=1, desc="IP address allocated to the pod."),
        _col("Node", priority=1, desc="Name of the node the pod is assigned to."),
        _col("Nominated Node", priority=1, desc="Name of the node the pod is nominated to."),
        _col("Readiness Gates", priority=1, desc="Readiness gates of the pod."),
    ],
    "events": [
        _col("Last Seen", desc="Time of the most recent occurrence of this event."),
        _col("Type", desc="Type of this event (Normal, Warning)."),
        _col("Reason", desc="Short, machine understandable string for the transition."),
        _col("Object", desc="The object that this event is about."),
        _col("Subobject", priority=1, desc="The sub-object (fieldPath) this event is about."),
        _col("Source", priority=1, desc="The component reporting this event."),
        _col("Message", desc="A human-readable description of the status of this operation."),
        _col("First Seen", priority=1, desc="Time of the first occurrence of this event."),
        _col("Count", "integer", priority=1, desc="The number of times this event has occurred."),
        _col("Name", priority=1, fmt="name", desc="Name of the event."),
    ],
    "nodes": [
        _NAME,
        _col("Status", desc="The status of the node"),
        _col("Roles", desc="The roles of the node"),
        _AGE,
        _col("Version", desc="Kubelet Version reported by the node."),
        _col("Internal-IP", priority=1, desc="List of internal IPs for the node."),
        _col("External-IP", priority=1, desc="List of external IPs for this node."),
        _col("OS-Image", priority=1, desc="OS Image reported by the node from /etc/os-release."),
        _col("Kernel-Version", priority=1, desc="Kernel Version reported by the node."),
        _col("Container-Runtime", priority=1, desc="Container Runtime Version reported."),
    ],
    "namespaces": [
        _NAME,
        _col("Status", desc="The status of the namespace"),
        _AGE,
    ],
    "jobs": [
        _NAME,
        _col("Status", desc="Status of the job."),
        _col("Completions", desc="The desired number of successfully finished pods."),
        _col("Duration", desc="Time required to complete the job."),
        _AGE,
        _col("Containers", priority=1, desc="Names of each container in the template."),
        _col("Images", priority=1, desc="Images referenced by each container in the template."),
        _col("Selector", priority=1, desc="A label query over pods that should match the count."),
    ],
}

_CONTAINERS = _col("Containers", priority=1, desc="Names of each container in the template.")
_IMAGES = _col("Images", priority=1, desc="Images referenced by each container in the template.")
COLUMNS.update(
    {
        "replicasets": [
            _NAME,
            _col("Desired", "integer", desc="Replicas is the number of desired pods."),
            _col("Current", "integer", desc="Replicas is the most recently observed number."),
            _col("Ready", "integer", desc="The number of ready replicas for this replica set."),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", priority=1, desc="Selector is a label query over pods."),
        ],
        "deployments": [
            _NAME,
            _col("Ready", desc="Number of the pod with ready state"),
            _col(
                "Up-to-date",
                desc="Total number of non-terminating pods targeted by this "
                "deployment that have the desired template spec.",
            ),
            _col("Available", desc="Total number of available non-terminating pods."),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", priority=1, desc="Label selector for pods."),
        ],
        "statefulsets": [
            _NAME,
            _col("Ready", desc="Number of the pod with ready state"),
            _AGE,
            _CONTAINERS,
            _IMAGES,
        ],
        "daemonsets": [
            _NAME,
            _col(
                "Desired",
                "integer",
                desc="The total number of nodes that should be running the daemon pod.",
            ),
            _col(
                "Current",
                "integer",
                desc="The number of nodes running at least one daemon "
                "pod and are supposed to run the daemon pod.",
            ),
            _col(
                "Ready",
                "integer",
                desc="The number of nodes that should be running the "
                "daemon pod and have one or more of the daemon pod running and ready.",
            ),
            _col(
                "Up-to-date",
                "integer",
                desc="The total number of nodes that are running updated daemon pod",
            ),
            _col(
                "Available",
                "integer",
                desc="The number of nodes that should be running the "
                "daemon pod and have one or more of the daemon pod running and available.",
            ),
            _col(
                "Node Selector",
                desc="NodeSelector is a selector which must be true for the pod to fit on a node.",
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col(
                "Selector",
                priority=1,
                desc="A label query over pods that are managed by the daemon set.",
            ),
        ],
        "cronjobs": [
            _NAME,
            _col("Schedule", desc="The schedule in Cron format."),
            _col("Timezone", desc="The time zone name for the given schedule."),
            _col(
                "Suspend",
                "boolean",
                desc="This flag tells the controller to suspend subsequent executions.",
            ),
            _col("Active", "integer", desc="A list of pointers to currently running jobs."),
            _col(
                "Last Schedule",
                desc="Information when was the last time the job was successfully scheduled.",
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col(
                "Selector",
                priority=1,
                desc="A label query over pods that should match the pod count.",
            ),
        ],
    }
)

_COLUMNS_JSON = {r: encode(cols) for r, cols in COLUMNS.items()}


def human_duration(seconds: float) -> str:
    """``apimachinery/pkg/util/duration.HumanDuration``: 45s, 5m10s, 3h, 2d5h, 400d, 3y20d."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def _epoch(ts: Any) -> float | None:
    if not isinstance(ts, str) or not ts:
        return None
    text = ts.replace("Z", "+00:00")
    if "." in text:  # fromisoformat on 3.9/3.10 wants exactly 3 or 6 fraction digits
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        text = f"{head}.{(digits + '000000')[:6]}{tail[len(digits) :]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


class _Since:
    """A cell rendered at request time as the age of ``epoch`` ("<unknown>" if unset)."""

    __slots__ = ("epoch", "prefix", "suffix")

    def __init__(self, epoch: float | None, prefix: str = "", suffix: str = "") -> None:
        self.epoch, self.prefix, self.suffix = epoch, prefix, suffix

    def render(self, now: float) -> str:
        if self.epoch is None:
            return "<unknown>"
        return f"{self.prefix}{human_duration(now - self.epoch)}{self.suffix}"


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
        finished = _epoch(term.get("finishedAt"))
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
        restarts_cell = _Since(last_restart, f"{restarts} (", " ago)")
    gates = spec.get("readinessGates") or []
    return [
        meta.get("name", ""),
        f"{ready}/{len(containers)}",
        reason,
        restarts_cell,
        _Since(_epoch(meta.get("creationTimestamp"))),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"0/{len(gates)}" if gates else "<none>",
    ]


def _event_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, io = o.get("metadata") or {}, o.get("involvedObject") or {}
    first = _epoch(o.get("firstTimestamp")) or _epoch(o.get("eventTime"))
    last = _epoch(o.get("lastTimestamp")) or first
    count = o.get("count") or 1
    series = o.get("series")
    if isinstance(series, Mapping):
        last = _epoch(series.get("lastObservedTime")) or last
        count = series.get("count") or count
    kind = str(io.get("kind", "")).lower()
    target = f"{kind}/{io['name']}" if io.get("name") else kind
    src = o.get("source") or {}
    component = src.get("component") or o.get("reportingComponent") or ""
    host = src.get("host") or o.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return [
        _Since(last),
        o.get("type", ""),
        o.get("reason", ""),
        target,
        io.get("fieldPath", ""),
        source,
        str(o.get("message", "")).strip(),
        _Since(first),
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
        _Since(_epoch(meta.get("creationTimestamp"))),
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
        _Since(_epoch(meta.get("creationTimestamp"))),
    ]


def _job_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = o.get("metadata") or {}, o.get("spec") or {}, o.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    state = "Running"
    conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    for cond in ("Failed", "Complete", "FailureTarget", "SuccessCriteriaMet", "Suspended"):
        if conds.get(cond) == "True":
            state = cond
            break
    else:
        if meta.get("deletionTimestamp"):
            state = "Terminating"
    start = _epoch(status.get("startTime"))
    done = _epoch(status.get("completionTime"))
    duration: Any = ""
    if start is not None and done is not None:
        duration = human_duration(done - start)
    elif start is not None:
        duration = _Since(start)
    template = (spec.get("template") or {}).get("spec") or {}
    containers = template.get("containers") or []
    return [
        meta.get("name", ""),
        state,
        completions,
        duration,
        _Since(_epoch(meta.get("creationTimestamp"))),
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
        _format_selector(spec.get("selector")),
    ]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _containers(template: Any) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-joined."""
    containers = [c for c in _d(_d(template).get("spec")).get("containers") or [] if _d(c)]
    return (
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
    )


def selector_string(selector: Any) -> str:
    """``metav1.LabelSelectorAsSelector(sel).String()``: requirements sorted by key, ``k=v``,
    ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``; empty for a nil or empty selector."""
    sel = _d(selector)
    reqs: list[tuple[str, str]] = [
        (str(k), f"{k}={v}") for k, v in _d(sel.get("matchLabels")).items()
    ]
    for expr in sel.get("matchExpressions") or []:
        expr = _d(expr)
        key, op = str(expr.get("key", "")), expr.get("operator")
        values = ",".join(sorted(str(v) for v in expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(str(op), "")
        if text:
            reqs.append((key, text))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def _format_selector(selector: Any) -> str:
    """``metav1.FormatLabelSelector``: the selector string, ``<none>`` when empty."""
    return selector_string(selector) or "<none>"


def _replicaset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))
    names, images = _containers(spec.get("template"))
    return [
        meta.get("name", ""),
        _int(spec.get("replicas")),
        _int(status.get("replicas")),
        _int(status.get("readyReplicas")),
        _Since(_epoch(meta.get("creationTimestamp"))),
        names,
        images,
        _format_selector(spec.get("selector")),
    ]


def _deployment_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))
    names, images = _containers(spec.get("template"))
    return [
        meta.get("name", ""),
        f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        _int(status.get("updatedReplicas")),
        _int(status.get("availableReplicas")),
        _Since(_epoch(meta.get("creationTimestamp"))),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


def _statefulset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))
    names, images = _containers(spec.get("template"))
    return [
        meta.get("name", ""),
        f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        _Since(_epoch(meta.get("creationTimestamp"))),
        names,
        images,
    ]


def _daemonset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))
    template = _d(spec.get("template"))
    names, images = _containers(template)
    node_selector = _d(_d(template.get("spec")).get("nodeSelector"))
    return [
        meta.get("name", ""),
        _int(status.get("desiredNumberScheduled")),
        _int(status.get("currentNumberScheduled")),
        _int(status.get("numberReady")),
        _int(status.get("updatedNumberScheduled")),
        _int(status.get("numberAvailable")),
        ",".join(f"{k}={v}" for k, v in sorted(node_selector.items())) or "<none>",
        _Since(_epoch(meta.get("creationTimestamp"))),
        names,
        images,
        _format_selector(spec.get("selector")),
    ]


def _cronjob_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))
    job_spec = _d(_d(spec.get("jobTemplate")).get("spec"))
    names, images = _containers(job_spec.get("template"))
    suspend = spec.get("suspend")
    last = _epoch(status.get("lastScheduleTime"))
    return [
        meta.get("name", ""),
        str(spec.get("schedule", "")),
        spec.get("timeZone") or "<none>",
        "<unset>" if not isinstance(suspend, bool) else ("True" if suspend else "False"),
        len(status.get("active") or []),
        _Since(last) if last is not None else "<none>",
        _Since(_epoch(meta.get("creationTimestamp"))),
        names,
        images,
        _format_selector(job_spec.get("selector")),
    ]


_CELLS = {
    "pods": _pod_cells,
    "events": _event_cells,
    "nodes": _node_cells,
    "namespaces": _namespace_cells,
    "jobs": _job_cells,
    "replicasets": _replicaset_cells,
    "deployments": _deployment_cells,
    "statefulsets": _statefulset_cells,
    "daemonsets": _daemonset_cells,
    "cronjobs": _cronjob_cells,
}


_META_KEY = b'{"metadata":'
_PARTIAL = b'{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":'


def _row_source(entry: Entry, rt: ResourceType) -> tuple[list[Any], bytes]:
    """Cells (with request-time ages left open) and the PartialObjectMetadata bytes.

    The cells are cached on the entry. The metadata is normally the stored bytes' first member,
    so only its length is cached and the bytes are sliced out per request (50,000 cached
    copies of pod metadata with managedFields would cost about 200 MB).
    """
    cached = entry.table
    if cached is None:
        obj = json.loads(entry.data)
        meta = encode(obj.get("metadata") or {})
        end = len(_META_KEY) + len(meta)
        if entry.data.startswith(_META_KEY) and entry.data[len(_META_KEY) : end] == meta:
            cached = entry.table = (_CELLS[rt.name](obj), end)
        else:
            cached = entry.table = (_CELLS[rt.name](obj), meta)
    cells, meta_src = cached
    if isinstance(meta_src, int):
        return cells, _PARTIAL + entry.data[len(_META_KEY) : meta_src] + b"}"
    return cells, _PARTIAL + meta_src + b"}"


def table_body(
    rt: ResourceType,
    entries: Sequence[Entry],
    list_meta: bytes,
    include_object: str,
    object_bytes: Any,
) -> bytes:
    """A complete ``meta.k8s.io/v1`` Table for ``entries``.

    ``include_object`` is the request's ``includeObject``: ``Metadata`` (default),
    ``Object`` (the full object, ``object_bytes(entry)``) or ``None``.
    """
    now = time.time()
    rows = []
    for entry in entries:
        cells, partial = _row_source(entry, rt)
        rendered = [c.render(now) if isinstance(c, _Since) else c for c in cells]
        row = b'{"cells":' + encode(rendered)
        if include_object == "Object":
            row += b',"object":' + object_bytes(entry)
        elif include_object != "None":
            row += b',"object":' + partial
        rows.append(row + b"}")
    return (
        b'{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":'
        + list_meta
        + b',"columnDefinitions":'
        + _COLUMNS_JSON[rt.name]
        + b',"rows":['
        + b",".join(rows)
        + b"]}"
    )
