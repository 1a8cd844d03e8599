"""Pod-level ends: evictions, preemption, node shutdown and loss, kubelet admission, and the
pod's own deadline (``status.reason``/``message``, ``DisruptionTarget``, events). A pod that is
not scheduled is ``scheduling.py``'s."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.evidence import KUBELET_NOT_READY, Condition, Pod
from kubectl_exitwhy.rules.base import (
    HIGH,
    LOW,
    MEDIUM,
    POD,
    Subject,
    Verdict,
    events_like,
    first_line,
    rule,
    waiting_line,
)


def _status_line(s: Subject) -> list[str]:
    p = s.pod
    lines = [f"status.phase: {p.phase or '(empty)'}"]
    if p.reason or p.message:
        lines.append(f"status.reason: {p.reason or '(empty)'}; message: {first_line(p.message)}")
    return lines


def _target(s: Subject, *reasons: str):
    cond = s.pod.condition("DisruptionTarget")
    if cond and cond.status == "True" and (not reasons or cond.reason in reasons):
        return cond
    return None


def _target_line(cond) -> str:
    return f"status.conditions[DisruptionTarget]: {cond.reason}: {cond.message}"


def _pod_events(s: Subject, *reasons: str) -> list[str]:
    return [e.describe() for e in events_like(s.pod.events, reasons)[-1:]]


@rule("node_shutdown", 300, POD)
def node_shutdown(s: Subject) -> Optional[Verdict]:
    """The kubelet's graceful node shutdown stopped the pod (reason ``Terminated``: "Pod was
    terminated in response to imminent node shutdown."; ``Shutdown`` on 1.20–1.21) or refused
    it while shutting down (``NodeShutdown``: "Pod was rejected as the node is shutting
    down.")."""
    p = s.pod
    cond = _target(s, "TerminationByKubelet")
    by_cond = cond is not None and "shutdown" in cond.message.lower()
    if p.reason not in ("Terminated", "NodeShutdown", "Shutdown") and not by_cond:
        return None
    evidence = _status_line(s) + ([_target_line(cond)] if cond else [])
    node = p.node_name or "its node"
    what = (
        f"refused at admission because {node} was shutting down (it never ran there)"
        if p.reason == "NodeShutdown" and not _started(p)
        else f"stopped because {node} was shutting down"
    )
    return Verdict(
        "node_shutdown",
        HIGH,
        what,
        tuple(evidence),
        severity="warning",
    )


def _marked(p: Pod) -> Optional[Condition]:
    """The pod's Ready condition, where the node controller set it False: ContainersReady is
    True and the reason is none the kubelet gives (``join.node_marked``)."""
    ready, containers = p.condition("Ready"), p.condition("ContainersReady")
    if (
        ready is not None
        and containers is not None
        and ready.status == "False"
        and containers.status == "True"
        and ready.reason not in KUBELET_NOT_READY
    ):
        return ready
    return None


@rule("node_lost", 301, POD)
def node_lost(s: Subject) -> Optional[Verdict]:
    """The node went away: ``NodeLost``, the taint manager deleting pods from an unreachable or
    not-ready node (``DeletionByTaintManager``), or pod GC after the Node object was removed
    (``DeletionByPodGC``)."""
    p = s.pod
    cond = _target(s, "DeletionByTaintManager", "DeletionByPodGC")
    node = p.node_name or "its node"
    ready = p.node.condition("Ready") if p.node else None
    node_down = ready is not None and ready.status in ("False", "Unknown")
    tainted = events_like(p.events, ["TaintManagerEviction"])
    # the node controller's mark on the pod stands for the node where the Node was not read;
    # it can outlive the node's recovery (the kubelet does not always write the pod again), so
    # alone it is a warning, and it says when, not that the node is down now
    marked = _marked(p) if p.phase not in ("Succeeded", "Failed") else None
    mark_only = marked is not None and not node_down and not (p.node and p.node.known)
    confidence = HIGH
    if p.reason != "NodeLost" and cond is None:
        # without the condition: the taint manager's own event, or the node not ready now (the
        # node controller's NodeNotReady event on the pod may have expired)
        running = p.phase not in ("Succeeded", "Failed")
        if not (tainted or ((node_down or mark_only) and running)):
            return None
        confidence = LOW if mark_only and not tainted else MEDIUM
    evidence = _status_line(s) + ([_target_line(cond)] if cond else [])
    if marked is not None:
        at = marked.last_transition
        since = f" since {at:%Y-%m-%dT%H:%M:%SZ}" if at else ""
        evidence.append(
            f"status.conditions[Ready]: False{since} while ContainersReady is True: the node "
            "controller's mark, set when the pod's node stopped being ready"
        )
    evidence += _pod_events(s, "NodeNotReady", "TaintManagerEviction")
    if node_down and ready is not None:
        evidence.append(
            f"node {node} condition Ready: {ready.status} ({ready.reason or 'no reason'})"
            + (
                f" since {ready.last_transition:%Y-%m-%dT%H:%M:%SZ}"
                if ready.last_transition
                else ""
            )
        )
    steps: tuple[str, ...] = ()
    if p.deletion_at and node_down:
        summary = (
            f"stuck Terminating since {p.deletion_at:%Y-%m-%dT%H:%M:%SZ}: {node} is not ready and "
            "cannot confirm the stop"
        )
        if p.owner and p.owner.kind == "StatefulSet":
            steps = (
                "A StatefulSet makes no replacement while this pod exists: once the node is "
                f"known to be down, delete the Node (kubectl delete node {node}) or force-delete "
                f"the pod (kubectl delete pod {p.name} -n {p.namespace or '<ns>'} "
                "--grace-period=0 --force).",
            )
    elif cond and cond.reason == "DeletionByPodGC":
        summary = f"deleted by pod GC: {node} no longer exists"
        # the node's own steps would read a Node that is gone: what the owner did next tells
        owner = f"{p.owner.kind.lower()}/{p.owner.name}" if p.owner else None
        steps = (
            f"The node no longer exists; see what the pod's owner did next: kubectl describe "
            f"{owner} -n {p.namespace or '<ns>'}"
            if owner
            else "The node no longer exists, and a bare pod is not recreated: recreate it.",
            CAUSES["node_lost"].next_steps[-1],
        )
        return Verdict("node_lost", confidence, summary, tuple(evidence), next_steps=steps,
                       severity="critical", own_steps=True)  # fmt: skip
    elif cond or p.reason == "NodeLost" or tainted:
        summary = f"{node} became unreachable or not ready, so the pod was removed from it"
    elif node_down and ready is not None and ready.status == "False":
        # the kubelet still reports: the node says it is not ready (runtime, network, PLEG)
        why = first_line(ready.message) or ready.reason or "no reason given"
        summary = f"{node} reports NotReady ({why})"
    elif node_down:
        summary = (
            f"{node} is not ready: the kubelet stopped reporting, so this pod's state is stale"
        )
    else:
        at = marked.last_transition if marked is not None else None
        when = f" at {at:%Y-%m-%dT%H:%M:%SZ}" if at else ""
        summary = (
            f"the node controller marked this pod not ready{when}, when {node} stopped being "
            "ready; the Node was not read to say whether it still is"
        )
    own = False
    if p.owner and p.owner.kind == "DaemonSet" and not steps:
        # not moved elsewhere, whatever the cause's own last step says of other owners
        gone = ready is None or ready.status != "False"  # a kubelet that reports is there
        steps = (
            CAUSES["node_lost"].next_steps[0],
            "A DaemonSet's pod stays with its node and is not made elsewhere: it comes back with "
            "the node"
            + (
                f"; if {node} is gone for good, delete the Node (kubectl delete node {node})."
                if gone
                else "."
            ),
        )
        own = True
    lost = cond or tainted or p.reason == "NodeLost"
    severity = "warning" if mark_only and not lost else "critical"
    return Verdict("node_lost", confidence, summary, tuple(evidence), next_steps=steps,
                   severity=severity, own_steps=own)  # fmt: skip


@rule("preempted", 302, POD)
def preempted(s: Subject) -> Optional[Verdict]:
    """Preempted to make room for a higher-priority pod: by the scheduler
    (``PreemptionByScheduler``, a ``Preempted`` event) or by the kubelet to admit a critical pod
    (reason ``Preempting``)."""
    p = s.pod
    cond = _target(s, "PreemptionByScheduler", "PreemptionByKubeScheduler")  # 1.26 spelling
    kcond = _target(s, "TerminationByKubelet")
    by_kubelet = p.reason == "Preempting" or (kcond is not None and "preempt" in kcond.message)
    events = _pod_events(s, "Preempted", "Preempting")
    if cond is None and not by_kubelet:
        return None
    evidence = _status_line(s) + [_target_line(c) for c in (cond, kcond) if c] + events
    who = "the kubelet, to admit a critical pod" if by_kubelet else "the scheduler"
    return Verdict(
        "preempted",
        HIGH,
        f"preempted by {who} for a higher-priority pod",
        tuple(evidence),
        severity="warning",
    )


@rule("eviction_api", 303, POD)
def eviction_api(s: Subject) -> Optional[Verdict]:
    """Evicted through the Eviction API (``DisruptionTarget`` reason ``EvictionByEvictionAPI``):
    ``kubectl drain``, the cluster autoscaler, the descheduler or Karpenter asked for it."""
    cond = _target(s, "EvictionByEvictionAPI")
    if cond is None:
        return None
    return Verdict(
        "eviction_api",
        HIGH,
        "evicted through the Eviction API (a drain, the autoscaler or the descheduler)",
        tuple(_status_line(s) + [_target_line(cond)]),
        severity="info",
    )


_RESOURCE = re.compile(r"low on resource: \[?([\w.-]+)", re.I)  # "[DiskPressure]" before 1.9
# the eviction manager's messages: node pressure (nodeLowMessageFmt), then the local storage
# limits of a pod, a container, an emptyDir (eviction_manager.go)
_EVICTION_MESSAGE = re.compile(
    r"\s*(?:The node was low on resource: "
    r"|Pod ephemeral local storage usage exceeds the total limit of containers "
    r"|Container \S+ exceeded its local ephemeral storage limit "
    r'|Usage of EmptyDir volume "[^"]*" exceeds the limit )'
)


def eviction_resource(message: str) -> Optional[str]:
    m = _RESOURCE.search(message)
    if m:
        return m.group(1).rstrip(".")
    low = message.lower()
    if "emptydir" in low or "ephemeral" in low:
        return "ephemeral-storage"
    cond = re.search(r"had condition: \[(\w+)\]", message)
    return cond.group(1) if cond else None


@rule("evicted", 304, POD)
def evicted(s: Subject) -> Optional[Verdict]:
    """Evicted by the kubelet (status reason ``Evicted``): the node ran low on memory, disk
    (nodefs/imagefs) or PIDs, or the pod went over its emptyDir or ephemeral-storage limits. The
    message names the resource and the containers using more than they requested."""
    p = s.pod
    message, confidence = p.message, HIGH
    if p.reason != "Evicted":
        # Only the kubelet's Evicted event was kept (a describe of a pod that stays Failed), or
        # only its message ("The node was low on resource: …", the eviction manager's words)
        events = events_like(p.events, ["Evicted"])
        if p.phase not in ("", "Failed"):
            return None
        if events:
            message = events[-1].message
        elif not _EVICTION_MESSAGE.match(message):
            return None
        confidence = MEDIUM
    resource = eviction_resource(message)
    offenders = re.findall(r"Container (\S+) (?:was using|exceeded)", message)
    summary = "evicted by the kubelet"
    if resource:
        summary += (
            f": the node was low on {resource}"
            if "low on" in message
            else f": {resource} limit exceeded"
        )
    if offenders:
        summary += f" (using more than requested: {', '.join(sorted(set(offenders)))})"
    evidence = _status_line(s) + _pod_events(s, "Evicted")
    steps: tuple[str, ...] = ()
    if "low on" not in message and _OWN_LIMIT.search(message):
        # the pod's own ephemeral-storage or emptyDir limit, not the node's pressure
        steps = (_OWN_LIMIT_STEP,)
    return Verdict(
        "evicted",
        confidence,
        summary,
        tuple(evidence),
        steps,
        detail=resource,
        severity="critical",
        own_steps=bool(steps),
    )


_OWN_LIMIT = re.compile(
    r"exceeds the total limit of containers|exceeded its local ephemeral storage limit|"
    r"Usage of EmptyDir volume"
)
_OWN_LIMIT_STEP = (
    "The pod went over its own limit, not the node's: what it writes to its writable layer, "
    "its logs and its emptyDirs counts against limits.ephemeral-storage (and an emptyDir's "
    "sizeLimit). Raise the limit to what it needs, clean up what it writes, or put the data on "
    "a PersistentVolume; kubectl describe pod <pod> -n <ns> shows the limits."
)


@rule("deadline_exceeded", 305, POD)
def deadline_exceeded(s: Subject) -> Optional[Verdict]:
    """The pod's own ``activeDeadlineSeconds`` ran out: the kubelet killed it (reason
    ``DeadlineExceeded``: "Pod was active on the node longer than the specified deadline")."""
    p = s.pod
    if p.reason != "DeadlineExceeded" and "longer than the specified deadline" not in p.message:
        return None
    deadline = f" of {p.active_deadline}s" if p.active_deadline is not None else ""
    return Verdict(
        "deadline_exceeded",
        HIGH,
        f"the pod's activeDeadlineSeconds{deadline} ran out",
        tuple(_status_line(s)),
    )


_ADMISSION = {
    "UnexpectedAdmissionError",
    "UnknownReason",
    "UnexpectedPredicateFailureType",
    "InvalidNodeInfo",
    "PodOSSelectorNodeLabelDoesNotMatch",
    "PodOSNotSupported",
    "InitContainerRestartPolicyForbidden",
    "SupplementalGroupsPolicyNotSupported",
    "NodeAffinity",
    "MatchNodeSelector",  # the kubelet's name for NodeAffinity before 1.21
    "NodeName",
    "NodePorts",
    "TaintToleration",
    "SysctlForbidden",
    "TopologyAffinityError",
    "AppArmor",
}


@rule("admission_rejected", 306, POD)
def admission_rejected(s: Subject) -> Optional[Verdict]:
    """The kubelet refused to run the pod at admission: ``OutOfcpu``, ``OutOfmemory``,
    ``OutOfpods``, ``NodeAffinity``, ``UnexpectedAdmissionError`` … ("Pod was rejected: …"). Common
    when ``spec.nodeName`` bypasses the scheduler, or for static and DaemonSet pods."""
    p = s.pod
    reason, message, confidence = p.reason, p.message, HIGH
    rejected = message.startswith(("Pod was rejected", "Predicate ")) or (
        message.startswith("Pod ") and "didn't have enough resource" in message
    )
    evidence = _status_line(s)
    if not (
        reason.startswith("OutOf") or reason in _ADMISSION or (p.phase == "Failed" and rejected)
    ):
        # kubelet.rejectPod also records a Warning event with the reason and the raw message.
        events = [
            e
            for e in p.events
            if e.type != "Normal" and (e.reason.startswith("OutOf") or e.reason in _ADMISSION)
        ]
        blocked = [c.waiting for c in p.containers if c.waiting and c.waiting.reason == "Blocked"]
        if events and p.phase in ("", "Pending", "Failed") and not _started(p):
            reason, message, confidence = events[-1].reason, events[-1].message, MEDIUM
            evidence.append(events[-1].describe())
        elif blocked and p.phase in ("", "Pending") and not _started(p):
            # a soft admission check (AppArmor, before it became a hard one) holds the pod
            # Pending and its containers waiting "Blocked"; the pod's reason, not shown, says why
            reason, confidence = "Blocked", MEDIUM
            evidence.append(waiting_line(blocked[0]))
        else:
            return None
    summary = f"rejected by the kubelet at admission ({reason or 'no reason'})"
    res = re.search(r"enough resource: ([\w./-]+)", message)
    if res:
        summary += f": the node did not have enough {res.group(1)}"
    if not res and reason in _SAYS_WHY and message:
        summary += f": {first_line(message, 120)}"
    if reason == "Blocked":
        summary = (
            "held by the kubelet before its containers start (Blocked): an admission check "
            "refused the pod, most often AppArmor (the pod's status reason and message say which)"
        )
    steps: tuple[str, ...] = _ADMISSION_STEPS.get(reason, ())
    if steps:
        node = p.node_name or "<node>"
        steps = tuple(x.replace("<node>", node) for x in steps)
        if p.phase != "Pending" and reason != "Blocked":  # a soft refusal stays Pending
            steps += (_NOT_RETRIED,)
    return Verdict(
        "admission_rejected",
        confidence,
        summary,
        tuple(evidence),
        steps,
        detail=res.group(1) if res else None,
        own_steps=bool(steps),  # not a matter of free capacity
    )


# The kubelet admits a pod with the scheduler's own node filters (lifecycle/predicate.go): the
# reason is the failed filter's name. Those that are no matter of capacity get their own step.
_PORTS_STEP = (
    "A host port the pod asks for (hostPort, or a port of a hostNetwork pod) is already taken "
    "on <node>: find the pod holding it, kubectl get pods -A --field-selector "
    "spec.nodeName=<node> -o custom-columns='NS:.metadata.namespace,NAME:.metadata.name,"
    "HOSTNET:.spec.hostNetwork,PORTS:.spec.containers[*].ports[*].hostPort', or ask for "
    "another port."
)
# reasons whose message is the whole diagnosis (the capacity ones name their resource instead)
_SAYS_WHY = {
    "UnexpectedAdmissionError", "AppArmor", "SysctlForbidden", "TopologyAffinityError",
    "PodOSNotSupported", "PodOSSelectorNodeLabelDoesNotMatch",
    "SupplementalGroupsPolicyNotSupported", "InitContainerRestartPolicyForbidden",
}  # fmt: skip
_APPARMOR_STEP = (
    "The pod asks for an AppArmor profile (securityContext.appArmorProfile, or a "
    "container.apparmor.security.beta.kubernetes.io annotation) that node <node> cannot enforce: "
    "load the profile there (apparmor_parser), or where the node has no AppArmor at all "
    "(RHEL-family nodes, kind), run the pod on nodes that have it or drop the profile."
)
_ADMISSION_STEPS = {
    "AppArmor": (_APPARMOR_STEP,),
    "Blocked": (_APPARMOR_STEP,),
    "NodePorts": (_PORTS_STEP,),
    "NodeAffinity": (
        "The node's labels did not match the pod's nodeSelector or node affinity when the "
        "kubelet admitted it: compare kubectl get node <node> --show-labels with the pod's "
        "spec. If they match now, the labels came after the pod (a node that restarted and "
        "was labelled again): the next pod will fit.",
    ),
}
_ADMISSION_STEPS["MatchNodeSelector"] = _ADMISSION_STEPS["NodeAffinity"]
# the kubelet rejects a pod once, for good (phase Failed)
_NOT_RETRIED = (
    "A rejected pod is not retried: its controller makes a new one; a pod without one must be "
    "created again."
)


def _started(p) -> bool:
    return any(c.state in ("running", "terminated") or c.last is not None for c in p.containers)


RULES = (
    node_shutdown,
    node_lost,
    preempted,
    eviction_api,
    evicted,
    deadline_exceeded,
    admission_rejected,
)
