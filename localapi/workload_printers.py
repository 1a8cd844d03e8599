"""The printers of the workload controllers' objects: Jobs, ReplicaSets, Deployments,
StatefulSets, DaemonSets and CronJobs; their columns and a row's cells.

As ``pkg/printers/internalversion/printers.go`` prints them: ReplicaSet DESIRED, CURRENT,
READY as integers from ``spec.replicas``, ``status.replicas``, ``status.readyReplicas``;
Deployment READY as ``"%d/%d"`` of ``status.readyReplicas``/``spec.replicas``, UP-TO-DATE and
AVAILABLE integers, its SELECTOR ``selector.String()`` (empty, not ``<none>``, when unset);
StatefulSet READY ``"%d/%d"``, CONTAINERS and IMAGES only; DaemonSet DESIRED, CURRENT, READY,
UP-TO-DATE, AVAILABLE from its status counts and NODE SELECTOR as ``labels.FormatLabels`` of the
template's nodeSelector; CronJob SCHEDULE, TIMEZONE (``<none>``), SUSPEND (``printBoolPtr``:
True, False or ``<unset>``), ACTIVE (``len(status.active)``), LAST SCHEDULE (``<none>`` before
the first). Other selectors go through ``metav1.FormatLabelSelector`` (``<none>`` when empty).
Every one ends with AGE, CONTAINERS and IMAGES (``layoutContainerCells``) of its pod template.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .cells import AGE, NAME, Since, age, col, epoch, human_duration

__all__ = ["CELLS", "COLUMNS", "selector_string"]

_CONTAINERS = col("Containers", priority=1, desc="Names of each container in the template.")
_IMAGES = col("Images", priority=1, desc="Images referenced by each container in the template.")


def _columns(own: list[dict], selector: str = "") -> list[dict]:
    """NAME, the kind's ``own`` columns, AGE, CONTAINERS, IMAGES, and SELECTOR (described as
    ``selector``) when the kind prints one: the layout of every row here (``_row``)."""
    tail = [col("Selector", priority=1, desc=selector)] if selector else []
    return [NAME, *own, AGE, _CONTAINERS, _IMAGES, *tail]


_INT = "integer"
COLUMNS: dict[str, list[dict]] = {
    "jobs": _columns(
        [
            col("Status", desc="Status of the job."),
            col("Completions", desc="The desired number of successfully finished pods."),
            col("Duration", desc="Time required to complete the job."),
        ],
        "A label query over pods that should match the count.",
    ),
    "replicasets": _columns(
        [
            col("Desired", _INT, desc="Replicas is the number of desired pods."),
            col("Current", _INT, desc="Replicas is the most recently observed number."),
            col("Ready", _INT, desc="The number of ready replicas for this replica set."),
        ],
        "Selector is a label query over pods.",
    ),
    "deployments": _columns(
        [
            col("Ready", desc="Number of the pod with ready state"),
            col(
                "Up-to-date",
                desc="Total number of non-terminating pods targeted by this "
                "deployment that have the desired template spec.",
            ),
            col("Available", desc="Total number of available non-terminating pods."),
        ],
        "Label selector for pods.",
    ),
    "statefulsets": _columns([col("Ready", desc="Number of the pod with ready state")]),
    "daemonsets": _columns(
        [
            col(
                "Desired",
                _INT,
                desc="The total number of nodes that should be running the daemon pod.",
            ),
            col(
                "Current",
                _INT,
                desc="The number of nodes running at least one daemon "
                "pod and are supposed to run the daemon pod.",
            ),
            col(
                "Ready",
                _INT,
                desc="The number of nodes that should be running the "
                "daemon pod and have one or more of the daemon pod running and ready.",
            ),
            col(
                "Up-to-date",
                _INT,
                desc="The total number of nodes that are running updated daemon pod",
            ),
            col(
                "Available",
                _INT,
                desc="The number of nodes that should be running the "
                "daemon pod and have one or more of the daemon pod running and available.",
            ),
            col(
                "Node Selector",
                desc="NodeSelector is a selector which must be true for the pod to fit on a node.",
            ),
        ],
        "A label query over pods that are managed by the daemon set.",
    ),
    "cronjobs": _columns(
        [
            col("Schedule", desc="The schedule in Cron format."),
            col("Timezone", desc="The time zone name for the given schedule."),
            col(
                "Suspend",
                "boolean",
                desc="This flag tells the controller to suspend subsequent executions.",
            ),
            col("Active", _INT, desc="A list of pointers to currently running jobs."),
            col(
                "Last Schedule",
                desc="Information when was the last time the job was successfully scheduled.",
            ),
        ],
        "A label query over pods that should match the pod count.",
    ),
}


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
    start = epoch(status.get("startTime"))
    done = epoch(status.get("completionTime"))
    duration: Any = ""
    if start is not None and done is not None:
        duration = human_duration(done - start)
    elif start is not None:
        duration = Since(start)
    template = (spec.get("template") or {}).get("spec") or {}
    containers = template.get("containers") or []
    return [
        meta.get("name", ""),
        state,
        completions,
        duration,
        age(meta),
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


def _parts(o: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]:
    return _d(o.get("metadata")), _d(o.get("spec")), _d(o.get("status"))


def _row(meta: Mapping[str, Any], template: Any, own: list[Any], *selector: str) -> list[Any]:
    """NAME, the kind's ``own`` cells, AGE, CONTAINERS and IMAGES of ``template``, then the
    SELECTOR when the kind prints one."""
    names, images = _containers(template)
    return [meta.get("name", ""), *own, age(meta), names, images, *selector]


def _ready(spec: Mapping[str, Any], status: Mapping[str, Any]) -> str:
    """READY as ``"%d/%d"``: ready replicas of the desired."""
    return f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}"


def _replicaset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _parts(o)
    own = [
        _int(spec.get("replicas")),
        _int(status.get("replicas")),
        _int(status.get("readyReplicas")),
    ]
    return _row(meta, spec.get("template"), own, _format_selector(spec.get("selector")))


def _deployment_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _parts(o)
    own = [
        _ready(spec, status),
        _int(status.get("updatedReplicas")),
        _int(status.get("availableReplicas")),
    ]
    return _row(meta, spec.get("template"), own, selector_string(spec.get("selector")))


def _statefulset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _parts(o)
    return _row(meta, spec.get("template"), [_ready(spec, status)])


def _daemonset_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _parts(o)
    template = _d(spec.get("template"))
    node_selector = _d(_d(template.get("spec")).get("nodeSelector"))
    counts = [
        _int(status.get(k))
        for k in (
            "desiredNumberScheduled",
            "currentNumberScheduled",
            "numberReady",
            "updatedNumberScheduled",
            "numberAvailable",
        )
    ]
    node_labels = ",".join(f"{k}={v}" for k, v in sorted(node_selector.items())) or "<none>"
    return _row(meta, template, [*counts, node_labels], _format_selector(spec.get("selector")))


def _cronjob_cells(o: Mapping[str, Any]) -> list[Any]:
    meta, spec, status = _parts(o)
    job_spec = _d(_d(spec.get("jobTemplate")).get("spec"))
    suspend = spec.get("suspend")
    last = epoch(status.get("lastScheduleTime"))
    own = [
        str(spec.get("schedule", "")),
        spec.get("timeZone") or "<none>",
        "<unset>" if not isinstance(suspend, bool) else ("True" if suspend else "False"),
        len(status.get("active") or []),
        Since(last) if last is not None else "<none>",
    ]
    return _row(meta, job_spec.get("template"), own, _format_selector(job_spec.get("selector")))


CELLS: dict[str, Callable[[Mapping[str, Any]], list[Any]]] = {
    "jobs": _job_cells,
    "replicasets": _replicaset_cells,
    "deployments": _deployment_cells,
    "statefulsets": _statefulset_cells,
    "daemonsets": _daemonset_cells,
    "cronjobs": _cronjob_cells,
}
