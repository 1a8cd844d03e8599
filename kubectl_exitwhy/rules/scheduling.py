"""A pod the scheduler has not placed: ``PodScheduled`` False (Unschedulable, SchedulingGated)
or, where the condition was not saved, the scheduler's ``FailedScheduling`` and the cluster
autoscaler's ``NotTriggerScaleUp`` events; with the steps each filter's message calls for (a
node's own condition taints, free host ports, a volume's zone, one matching node that is full,
EKS Fargate, extended resources), as no matter of adding capacity."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.evidence import Condition, Pod
from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    POD,
    Subject,
    Verdict,
    events_like,
    first_line,
    rule,
)
from kubectl_exitwhy.rules.pod import _PORTS_STEP, _started


def _gated(s: Subject, cond: Condition) -> Verdict:
    """PodScheduled False, SchedulingGated: the scheduler does not look at the pod until every
    entry of spec.schedulingGates is removed, by the controller that put it there."""
    return Verdict(
        "unschedulable",
        HIGH,
        "not scheduled: held by scheduling gates (SchedulingGated: spec.schedulingGates), "
        "which the scheduler waits for a controller to remove",
        (f"status.conditions[PodScheduled]: False, SchedulingGated: {first_line(cond.message)}",),
        (
            "Find the gates and who owns them: kubectl get pod <pod> -n <ns> -o jsonpath="
            "'{.spec.schedulingGates}'; the controller that added them (a queue such as Kueue, "
            "an operator's pre-deployment check) removes them once its condition holds: its "
            "own status and logs say what it waits for.",
        ),
        severity="warning",
        own_steps=True,
    )


def _bound(p) -> bool:
    """A container waits in a stage only a node's kubelet gives (ContainerCreating,
    PodInitializing, an image pull): the pod was scheduled, whatever older events said."""
    return any(c.waiting is not None and c.waiting.reason in _ON_A_NODE for c in p.containers)


_ON_A_NODE = {
    "ContainerCreating", "PodInitializing", "ErrImagePull", "ImagePullBackOff",
    "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    "CrashLoopBackOff",
}  # fmt: skip


@rule("unschedulable", 307, POD)
def unschedulable(s: Subject) -> Optional[Verdict]:
    """``PodScheduled`` is False with reason ``Unschedulable``: no node fits; the scheduler's
    ``FailedScheduling`` event says why for each group of nodes."""
    p = s.pod
    cond = p.condition("PodScheduled")
    events = events_like(p.events, ["FailedScheduling"])
    # the cluster autoscaler's word on a pod it found unschedulable and no node group could
    # take (it looks only at pods the scheduler marked Unschedulable)
    autoscaler = events_like(p.events, ["NotTriggerScaleUp", "TriggeredScaleUp"])
    if autoscaler and autoscaler[-1].reason == "TriggeredScaleUp":
        autoscaler = []  # it has since asked for a node: the pod waits for it
    said = " ".join([cond.message if cond else "", *(e.message for e in events[-1:])])
    steps = (
        _autoscaler_steps(autoscaler)
        + _taint_steps(said)
        + _extended_steps(said)
        + _filter_steps(" ".join([said, *(e.message for e in autoscaler[-1:])]), p)
    )
    # kubectl describe prints a condition's status without its reason: a False one pasted from
    # it says no more than a missing one
    bare = cond is not None and cond.status == "False" and not cond.reason
    if (
        (cond is None or bare)
        and (events or autoscaler)
        and not p.node_name
        and not _started(p)
        and not _bound(p)
        and p.phase in ("", "Pending")
    ):
        # The scheduler's event without the condition's reason (status not saved, or cut from
        # a paste).
        if events_like(p.events, ["Scheduled"]):
            return None  # scheduled since
        told = (events or autoscaler)[-1]
        why = first_line(told.message, 160)
        return Verdict(
            "unschedulable",
            MEDIUM,
            f"cannot be scheduled: {why}",
            (
                f"status.phase: {p.phase or '(empty)'}; spec.nodeName: not set",
                *(["status.conditions[PodScheduled]: False (no reason shown)"] if bare else []),
                told.describe(),
                *(e.describe() for e in autoscaler[-1:] if e is not told),
            ),
            steps,
        )
    if cond is not None and cond.status == "False" and cond.reason == "SchedulingGated":
        return _gated(s, cond)
    if not cond or cond.status != "False" or cond.reason != "Unschedulable":
        return None
    why = first_line(cond.message or (events[-1].message if events else ""), 160)
    evidence = [
        f"status.conditions[PodScheduled]: False, Unschedulable: {first_line(cond.message)}"
    ]
    evidence += [e.describe() for e in events[-1:] + autoscaler[-1:]]
    return Verdict(
        "unschedulable",
        HIGH if why else MEDIUM,
        "cannot be scheduled" + (f": {why}" if why else ""),
        tuple(evidence),
        steps,
    )


# the taints the node lifecycle controller puts on a node for its own conditions
# (TaintNodesByCondition): the node's state, not a policy a toleration should get around
_CONDITION_TAINT = re.compile(
    r"node\.kubernetes\.io/(disk-pressure|memory-pressure|pid-pressure|not-ready|unreachable|"
    r"network-unavailable|unschedulable)"
)
_TAINT_MEANS = {
    "disk-pressure": "is short of disk (DiskPressure): free disk on it (images, logs, emptyDirs)",
    "memory-pressure": "is short of memory (MemoryPressure)",
    "pid-pressure": "is short of process ids (PIDPressure)",
    "not-ready": "is not Ready: its kubelet or network is down",
    "unreachable": "stopped reporting (its kubelet is unreachable)",
    "network-unavailable": "has no pod network yet (NetworkUnavailable: the CNI)",
    "unschedulable": "is cordoned (kubectl uncordon <node> when it is fit again)",
}


def _taint_steps(message: str) -> tuple[str, ...]:
    found = _CONDITION_TAINT.search(message)
    if not found:
        return ()
    kind = found.group(1)
    return (
        f"node.kubernetes.io/{kind} is a taint Kubernetes puts on a node that "
        f"{_TAINT_MEANS[kind]}; fix the node (kubectl describe node <node>: Conditions), do not "
        "add a toleration for it.",
    )


def _filter_steps(message: str, p: Pod) -> tuple[str, ...]:
    """Steps for the scheduler's filters that are no matter of adding capacity."""
    steps = []
    daemon = p.owner is not None and p.owner.kind == "DaemonSet"
    total = re.search(r"0/(\d+) nodes are available", message)
    if "didn't have free ports" in message:
        steps.append(
            _PORTS_STEP.replace("on <node>", "on the nodes named").replace("<node>", "NODE")
        )
    if "volume node affinity conflict" in message:
        steps.append(
            "A bound PersistentVolume can be used only in its own zone (or on its nodes): "
            "compare the PV's nodeAffinity (kubectl get pv -o yaml) with the nodes the pod may "
            "use; a StorageClass with volumeBindingMode WaitForFirstConsumer makes new volumes "
            "where the pod is scheduled."
        )
    fargate = re.search(
        r"(\d+) node\(s\) had (?:untolerated )?taint \{eks\.amazonaws\.com/compute-type: fargate\}",
        message,
    )
    if fargate and daemon:
        steps.append(
            "Fargate runs no DaemonSet pods: keep the DaemonSet off Fargate nodes (node affinity "
            "eks.amazonaws.com/compute-type NotIn [fargate])."
        )
    elif fargate and total and fargate.group(1) == total.group(1):  # EKS Fargate's own taint
        steps.append(
            "Only Fargate nodes are there, and a pod reaches Fargate through a Fargate profile "
            "that matches its namespace (and labels): create one for it, or add EC2 nodes; a "
            "toleration of the taint does not do it."
        )
    if "not supported on Fargate" in message:
        steps.append(
            "Fargate refuses what the message names (privileged containers, hostPath, "
            "hostNetwork, DaemonSets…): change the pod spec, or run the pod on EC2 nodes."
        )
    if "Insufficient" in message and daemon:
        steps.append(
            "A DaemonSet's pod belongs to its node, and a new node brings its own copy: make "
            "room on that node, or give the DaemonSet a priorityClass high enough to preempt "
            "(system-node-critical for node agents)."
        )
    elif re.search(
        r"0/\d+ nodes are available: 1 Insufficient [\w./-]+, \d+ node\(s\) didn", message
    ) and re.search(
        r"didn't match Pod's node (?:affinity|selector)|didn't match node selector", message
    ):
        steps.append(
            "One node passes the pod's selector and affinity, and it is full: make room there, "
            "raise the pod's priority so it can preempt, or add a node that matches (a DaemonSet "
            "pod: a priorityClass such as system-node-critical)."
        )
    return tuple(steps)


def _autoscaler_steps(autoscaler: list) -> tuple[str, ...]:
    if not autoscaler:
        return ()
    return (
        "The cluster autoscaler will not add a node for it: its NotTriggerScaleUp event gives "
        "each node group's reason, judged on the group's template node (a label, zone or taint "
        "the template lacks, an instance type too small, a group at its maximum size): kubectl "
        "get events -n <ns> --field-selector reason=NotTriggerScaleUp",
    )


# the scheduler's "Insufficient nvidia.com/gpu": a resource with a domain is an extended
# resource, which only a device plugin (or an admin) advertises on a node
_EXTENDED = re.compile(r"Insufficient ([\w.-]+\.[\w-]+/[\w.-]+)")


def _extended_steps(message: str) -> tuple[str, ...]:
    found = _EXTENDED.search(message)
    if not found:
        return ()
    res = found.group(1).rstrip(".")  # the sentence's full stop
    return (
        f"{res} is an extended resource that a device plugin advertises: check that nodes "
        f"have it at all (kubectl describe nodes | grep {res}) and that the plugin's pods run "
        "on them, before adding nodes.",
    )


RULES = (unschedulable,)
