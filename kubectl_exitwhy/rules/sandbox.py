"""A pod whose sandbox (its network namespace and pause container) cannot be made: the
kubelet's ``FailedCreatePodSandBox`` (``FailedSync`` before CRI), a node whose network is not
ready, a virtual node's provider that failed the pod; with the steps the runtime's words call
for (a CNI plugin, the pause image, a RuntimeClass handler, a user namespace)."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    POD,
    Subject,
    Verdict,
    first_line,
    rule,
)
from kubectl_exitwhy.rules.events import (
    _SANDBOX_STAGE,
    _distinct,
    _failures,
    _later_stage_reached,
    _stuck,
)

_CNI = re.compile(
    r'plugin type="?([\w-]+)|networkPlugin (\w+) failed|'
    r"(calico|cilium|flannel|weave|aws-cni|vpc-cni|multus|canal|kube-router|antrea)",
    re.I,
)


@rule("sandbox_failed", 308, POD)
def sandbox_failed(s: Subject) -> Optional[Verdict]:
    """The pod's sandbox (its network namespace and pause container) cannot be created
    (``FailedCreatePodSandBox``: "Failed to create pod sandbox: …"), or the node's network is not
    ready (``NetworkNotReady``): no container of the pod can start. The message names the CNI
    plugin or runtime error. Checked before volumes: the kubelet refuses a pod on a node whose
    network is not ready before it mounts anything, and creates the sandbox only after the
    volumes are mounted, so either is the later, current blocker."""
    pod = s.pod
    if pod.reason == "ProviderFailed" and pod.phase in ("", "Pending", "Failed"):
        return _provider_failed(s)
    events = [
        e
        for e in _failures(pod, "FailedCreatePodSandBox", "NetworkNotReady", "FailedSync")
        if e.reason != "FailedSync" or _SYNC_SANDBOX.search(e.message)
    ]
    if not events or not _stuck(pod) or _later_stage_reached(pod, events[-1], _SANDBOX_STAGE):
        return None
    e = events[-1]
    cni = _CNI.search(e.message)
    plugin = next((g for g in cni.groups() if g), None) if cni else None
    if e.reason == "NetworkNotReady":
        summary = "the node's network is not ready (no CNI plugin initialised), so no sandbox"
    elif plugin or "network" in e.message.lower() or "cni" in e.message.lower():
        summary = "the pod sandbox cannot be created: the network (CNI) setup failed"
        if plugin:
            summary += f" in plugin {plugin}"
    else:
        summary = "the pod sandbox cannot be created: the container runtime failed"
    said = _sandbox_error(e.message)
    pause = _PAUSE.search(e.message)
    steps: tuple[str, ...] = ()
    if _USERNS.search(e.message):
        steps = (_USERNS_STEP,)
    handler = _NO_HANDLER.search(e.message)
    if handler:
        summary = (
            f"the pod sandbox cannot be created: the node's runtime has no handler "
            f"{next(g for g in handler.groups() if g)!r} (a RuntimeClass's, or its default)"
        )
        steps = (_HANDLER_STEP,)
    if pause:
        summary = (
            f"the pod sandbox cannot be created: the node cannot get its sandbox (pause) image "
            f"{pause.group(1)}"
        )
        steps = (_PAUSE_STEP,)
    if said and e.reason != "NetworkNotReady":
        summary += f": {said}"
    evidence = [f"status.phase: {pod.phase or '(empty)'}; no container has started"]
    evidence += [x.describe() for x in _distinct(events)[-3:]]
    return Verdict(
        "sandbox_failed",
        HIGH if e.timed else MEDIUM,  # an event without a time may be stale
        summary,
        tuple(evidence),
        steps,
        detail=first_line(e.message),
        severity="critical",
        own_steps=bool(steps),
    )


# kubelets before CRI (1.4–1.6) said it in a FailedSync: 'failed to "SetupNetwork" for "<pod>"
# with SetupNetworkError: …' (later 'failed to "CreatePodSandbox" …')
_SYNC_SANDBOX = re.compile(r'failed to "(?:SetupNetwork|CreatePodSandbox)" for')


# a pod in a user namespace (hostUsers: false) whose runtime or file system cannot map its ids
_USERNS = re.compile(r"mapped mount|idmap|cannot be mapped to a host ID|user namespace", re.I)
_USERNS_STEP = (
    "The pod runs in a user namespace (hostUsers: false), and the node cannot map its ids: "
    "the runtime, its snapshotter and the kernel must all support ID-mapped mounts for the file "
    "systems involved. Check their versions on the node, and try the pod without hostUsers: "
    "false to confirm."
)


def _provider_failed(s: Subject) -> Verdict:
    """A virtual node's provider (virtual-kubelet: AKS virtual nodes on ACI, …) could not create
    the pod: the pod's status says ProviderFailed, with the provider's error."""
    pod = s.pod
    said = first_line(pod.message, 160)
    return Verdict(
        "sandbox_failed",
        MEDIUM,
        "the virtual node's provider reported an error for the pod (ProviderFailed)"
        + (f": {said}" if said else ""),
        (f"status.phase: {pod.phase or '(empty)'}; status.reason: ProviderFailed",),
        (
            "The provider behind the virtual node (virtual-kubelet: ACI for AKS virtual nodes) "
            "reported an error for the pod: its message says why (a quota, a region's capacity, "
            "a feature the provider lacks; after a time-out the container group may exist all "
            "the same: look at it in the provider). It may not try the pod again: delete it "
            "once the cause is fixed, and its controller makes another.",
        ),
        detail=said or None,
        severity="critical",
        own_steps=True,
    )


# containerd's 'no runtime for "runsc" is configured', CRI-O's 'no runtime handler "x"' (or
# the kubelet's 'RuntimeHandler "x" not supported'): the RuntimeClass names a handler the node
# lacks
_NO_HANDLER = re.compile(
    r'no runtime for "([^"]+)" is configured|runtime handler "([^"]+)"|'
    r'RuntimeHandler "([^"]+)" not supported|failed to find runtime handler (\S+) from'
)
_HANDLER_STEP = (
    "The runtime handler asked for is not configured on this node (gVisor's runsc, Kata, "
    "nvidia…): where the pod names a RuntimeClass (spec.runtimeClassName), install the handler "
    "on every node the pod may run on, or give the RuntimeClass scheduling.nodeSelector for the "
    "nodes that have it; where it names none, the runtime's own default handler is missing on "
    "the node (its configuration, as a GPU operator sets it)."
)

# containerd's CRI: 'failed to get sandbox image "<image>": failed to pull image …'
_PAUSE = re.compile(r'failed to get sandbox image "([^"]+)"')
_PAUSE_STEP = (
    "The runtime pulls the sandbox image itself, with the node's registry credentials, never "
    "the pod's imagePullSecrets; where it was on the node before, the kubelet's image garbage "
    "collection may have removed it. Put it back on the node (crictl pull, with the "
    "credentials its registry needs), and keep it there or point the runtime at a pause image "
    "it can always pull (containerd's sandbox_image setting)."
)


# the error itself, after the kubelet's and the runtime's wrapping: what follows the last
# 'network: ' (the CNI plugin's own words) or else the gRPC 'desc = '
_SANDBOX_ERROR = re.compile(r"(?:.*\bnetwork: |.*\bdesc = )(.+)", re.S)


def _sandbox_error(message: str) -> str:
    found = _SANDBOX_ERROR.match(first_line(message))
    if not found:
        return ""
    said = found.group(1).strip()
    if len(said) > 140:  # a chain of wrappers: its last link is the error itself
        said = said.rsplit(": ", 1)[-1]
    return first_line(said, 140)


RULES = (sandbox_failed,)
