"""What the events say when the status does not: volumes that cannot be mounted, and the error
behind a container that still reads ``ContainerCreating`` (a sandbox that cannot be created is
``sandbox.py``'s).

The kubelet reports a failed create or start twice: as the container's waiting reason, and as a
``Warning Failed`` event whose message is ``"Error: " + the error`` (``startContainer`` in
``kuberuntime_container.go``; pulls: ``Failed to pull image "<img>": <err>``). Saved output often
keeps only the second: ``kubectl describe`` pasted without the status, a status read before the
kubelet wrote it, or an event exporter. ``waiting_from_events`` reads the waiting reason back from
the message, so the waiting rules decide as they would from the status.
"""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.attribution import SYNC_ERROR
from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.evidence import Container, Event, Pod, Waiting
from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    POD,
    Subject,
    Verdict,
    first_line,
    rule,
)

# The message of a Warning Failed event -> the waiting reason the same error gives (KNOWLEDGE §2).
_FAILED_TO_REASON = (
    (re.compile(r"Error: ImagePullBackOff", re.I), "ImagePullBackOff"),
    (re.compile(r"Failed to pull image|Error: ErrImagePull", re.I), "ErrImagePull"),
    (re.compile(r"pull policy of Never|Error: ErrImageNeverPull"), "ErrImageNeverPull"),
    (
        re.compile(r"Error: InvalidImageName|couldn't parse image|invalid reference format", re.I),
        "InvalidImageName",
    ),
    (
        re.compile(
            r"Error: (?:secret|configmap) \"[^\"]+\" not found|couldn't find key|"
            r"runAsNonRoot|non-numeric user|Error: CreateContainerConfigError",
            re.I,
        ),
        "CreateContainerConfigError",
    ),
    # before the runtime's errors it quotes: CRI-O runs the OCI create in CreateContainer, so
    # its "container create failed: <runc's message>" waits as CreateContainerError (KNOWLEDGE),
    # as does the name a runtime still holds for an earlier CreateContainer (containerd's
    # "failed to reserve container name", CRI-O's "error reserving ctr name"), and containerd's
    # own CreateContainer failures ("failed to create containerd container", "failed to
    # generate container … spec": a seccomp profile it cannot load, a mount it cannot make)
    (
        re.compile(
            r"Error: container create failed|Error: CreateContainerError|"
            r"failed to reserve container name|error reserving ctr name|"
            r"Error: failed to create containerd container|Error: failed to generate container",
            re.I,
        ),
        "CreateContainerError",
    ),
    (
        re.compile(
            r"failed to (?:create|start) containerd task|OCI runtime (?:create|start|exec) "
            r"failed|starting container process caused|Error response from daemon|"
            r"Error: failed to start container|Error: RunContainerError",
            re.I,
        ),
        "RunContainerError",
    ),
)
OTHER_EVENT_REASONS = {
    "ErrImageNeverPull": "ErrImageNeverPull",
    "InspectFailed": "ImageInspectError",
    "FailedPostStartHook": "PostStartHookError",
}
# The container is past the point where these could still be the reason it waits.
_STARTED = ("running", "terminated")


# How far a container's creation got: a failure is over once a later stage is reached.
_FAILURE_STAGE = {
    "ErrImagePull": 1, "ImagePullBackOff": 1, "ErrImageNeverPull": 1, "InvalidImageName": 1,
    "ImageInspectError": 1, "CreateContainerConfigError": 2, "CreateContainerError": 2,
    "RunContainerError": 3, "PostStartHookError": 4,
}  # fmt: skip
_PROGRESS_STAGE = {"Pulled": 1, "Created": 2, "Started": 3}


def waiting_from_events(c: Container) -> Optional[Waiting]:
    """The error a container that has not started waits on, read from its latest Warning event
    (``Failed``, ``ErrImageNeverPull``, ``InspectFailed``, ``FailedPostStartHook``, the old
    ``FailedSync``). Only the latest failure counts, and only while no later event shows the
    container got past it (a ``Pulled`` after a pull failure, a ``Created`` after a
    configuration error, a ``Started`` after a start error)."""
    if c.state in _STARTED or c.current is not None or c.last is not None:
        return None
    # (CrashLoopBackOff proves no progress: the kubelet backs off a container whose earlier
    # instance exited, and that wait alternates with a create or start error of the next try)
    progress = 0
    for e in reversed(c.events):  # newest first (events without a time: as listed)
        if not e.warning:
            progress = max(progress, _PROGRESS_STAGE.get(e.reason, 0))
            continue
        if e.message.startswith("(events with common reason combined)"):
            continue  # an old aggregate whose message was dropped: it says nothing
        found = _read_back(e)
        if found is None:
            if e.reason in ("Failed", "FailedSync", *OTHER_EVENT_REASONS):
                return None  # the latest failure says something no rule reads: no guess
            continue
        reason, message = found
        if not reason:
            continue  # a back-off notice, not an error
        if progress >= _FAILURE_STAGE.get(reason, 9):
            return None  # it got past that failure since
        return Waiting(e.describe(), reason, message, timed=e.timed)
    return None


def _read_back(e: Event) -> Optional[tuple[str, str]]:
    """(waiting reason, message) for a failure event; an empty reason for a back-off notice;
    None when the event says nothing this table reads."""
    sync = SYNC_ERROR.search(e.message) if e.reason == "FailedSync" else None
    if sync:  # the old kubelets' form names the waiting reason itself
        if sync.group(2) in ("CrashLoopBackOff", "ContainerCreating"):
            return "", ""
        return sync.group(2), _unescape(sync.group(3))
    reason = OTHER_EVENT_REASONS.get(e.reason)
    if e.reason == "Failed":
        reason = next((r for rx, r in _FAILED_TO_REASON if rx.search(e.message)), None)
    if reason is None:
        return None
    return reason, e.message[len("Error: ") :] if e.message.startswith("Error: ") else e.message


def _unescape(text: str) -> str:
    """Old FailedSync messages quote Docker's JSON error inside Go-quoted strings."""
    while '\\"' in text or "\\\\" in text:
        text = text.replace("\\\\", "\\").replace('\\"', '"')
    return text.rstrip('"')


def _stuck(pod: Pod) -> bool:
    """No container has started yet: the pod is held before its containers run."""
    if pod.phase not in ("", "Pending"):
        return False
    if any(e.reason == "Started" for e in pod.events):
        return False
    return not any(c.state in _STARTED or c.last is not None for c in pod.containers)


def _failures(pod: Pod, *reasons: str) -> list[Event]:
    return [e for e in pod.events if e.reason in reasons and e.warning]


# What the kubelet does for a pod, in order (SyncPod: volumes are mounted, then the sandbox is
# created, then each container's image is pulled, its config built, it is created and started).
# A failure of one stage is over once an event or a waiting reason of a later stage is seen.
_VOLUME_STAGE = 1
_SANDBOX_STAGE = 2
_EVENT_STAGE = {
    "FailedMount": 1, "FailedAttachVolume": 1, "FailedMapVolume": 1, "SuccessfulAttachVolume": 1.5,
    "SuccessfulMountVolume": 1.5, "NetworkNotReady": 2,
    "FailedCreatePodSandBox": 2, "SandboxChanged": 2, "Pulling": 3, "Pulled": 3, "Failed": 3,
    "BackOff": 3, "Created": 4, "Started": 5,
}  # fmt: skip


def _later_stage_reached(pod: Pod, event: Event, stage: int) -> bool:
    """A later stage than ``stage`` shows after ``event``: a container waits on an image or
    configuration error, or a later event follows it (events without a time: as listed)."""
    if any(c.waiting and c.waiting.reason in _FAILURE_STAGE for c in pod.containers):
        return True
    after = pod.events[pod.events.index(event) + 1 :]
    return any(_EVENT_STAGE.get(e.reason, 0) > stage for e in after)


_VOLUME = re.compile(r'volume "([^"]+)"')
# singular as the kubelet's volume plugins say it, plural as the API's NotFound error does
_MISSING = re.compile(r'(secret|configmap|persistentvolumeclaim)s? "([^"]+)" not found', re.I)


def _volume_problem(message: str) -> str:
    missing = _MISSING.search(message)
    if missing:
        return f'{missing.group(1).lower()} "{missing.group(2)}" not found'
    low = message.lower()
    for needle, what in (
        ("multi-attach", "Multi-Attach: the volume is still attached to another node"),
        ("not registered", "the kubelet has not yet registered the object it needs"),
        ("unbound", "the PersistentVolumeClaim is not bound"),
        ("is not bound", "the PersistentVolumeClaim is not bound"),
        ("timed out waiting for the condition", _WAITED),
        ("timeout expired waiting", _WAITED),
        ("deadline exceeded", "the storage driver did not answer in time"),
        ("not found in the list of registered csi drivers", "the CSI driver is not on the node"),
        ("permission denied", "permission denied"),
        ("does not exist", "the source path does not exist"),
        ("no such file or directory", "the source path does not exist"),
    ):
        if needle in low:
            return what
    return ""


_WAITED = "timed out waiting for the volume"
# an operation's own error, as the kubelet and the attach-detach controller word it:
# 'MountVolume.SetUp failed for volume "v" : <error>'
_OPERATION = re.compile(r'\b(?:Mount|Map|Attach)\w*\.\w+ failed for volume "[^"]*" ?: (.+)', re.S)


# mount-utils words a failed mount "mount failed: <err>\nMounting command: …\nMounting
# arguments: …\nOutput: <what mount printed>": the output says why (access denied by server…)
# (systemd-run's own first line, "Running scope as unit: run-r….scope", says nothing: past it)
_OUTPUT = re.compile(r"\bOutput: *(?:Running scope as unit: \S+\s*)?(\S[^\n]*)")


def _own_error(text: str) -> str:
    """An operation's own error in one line: its first, and what the mount printed."""
    said = first_line(text, 160)
    output = _OUTPUT.search(text)
    if output and output.group(1).strip() not in said:
        said += f" ({first_line(output.group(1), 160)})"
    return said


def _best_problem(events: list[Event]) -> tuple[str, Event]:
    """What the events say is wrong now, and the event that says it: the latest event that is
    more than the volume manager's "timed out waiting" (which wraps the others), read for a
    cause it names (a missing object, Multi-Attach, no CSI driver…), else for the operation's
    own error (``MountVolume.SetUp failed for volume "v" : mount failed…``). Only where every
    event is such a wrapper is the wait itself said."""
    for x in reversed(events):
        problem = _volume_problem(x.message)
        if problem == _WAITED:
            continue
        own = _OPERATION.search(x.message)
        if problem or own:
            return problem or _own_error(own.group(1) if own else ""), x
    waited = [x for x in events if _volume_problem(x.message) == _WAITED]
    return (_WAITED, waited[-1]) if waited else ("", events[-1])


@rule("volume_mount_failed", 309, POD)
def volume_mount_failed(s: Subject) -> Optional[Verdict]:
    """The kubelet cannot mount a volume, or the attach-detach controller cannot attach it
    (``FailedMount``, ``FailedAttachVolume``, ``FailedMapVolume`` events) while no container has
    started: a missing Secret, ConfigMap or key, an unbound PVC, a volume still attached to
    another node (Multi-Attach), a CSI driver that does not answer. Where the events name a
    missing object or Multi-Attach, the steps are for that alone."""
    pod = s.pod
    events = _failures(pod, "FailedMount", "FailedAttachVolume", "FailedMapVolume")
    if not events or not _stuck(pod) or _later_stage_reached(pod, events[-1], _VOLUME_STAGE):
        return None
    e = events[-1]
    problem, said = _best_problem(events)
    volume = _VOLUME.search(said.message) or _VOLUME.search(e.message)
    what = f'volume "{volume.group(1)}"' if volume else "a volume"
    summary = f"cannot {'attach' if e.reason == 'FailedAttachVolume' else 'mount'} {what}"
    if problem:
        summary += f": {problem}"
    evidence = [f"status.phase: {pod.phase or '(empty)'}; no container has started"]
    evidence += [x.describe() for x in _distinct(events)[-3:]]
    # an event without a time may be stale: medium at most
    confidence = HIGH if e.timed and problem and "not registered" not in problem else MEDIUM
    # the steps for one problem alone, where the events name no other
    named = {_volume_problem(x.message) for x in events} - {"", _WAITED}
    steps = _volume_steps(said.message, problem) if len(named) <= 1 else ()
    attached = [x for x in pod.events if x.reason == "SuccessfulAttachVolume"]
    if not named and attached and e.reason == "FailedMount":
        # attached, then the mount on the node timed out: neither a missing object nor another
        # node's attachment, but the node's side (its CSI driver, the kubelet)
        steps = (CAUSES["volume_mount_failed"].next_steps[0], _NODE_MOUNT_STEP)
    return Verdict(
        "volume_mount_failed",
        confidence,
        summary,
        tuple(evidence),
        steps,
        detail=problem or first_line(e.message),
        severity="critical",
        own_steps=bool(steps),
    )


_MADE_BY_CONTROLLER = (
    "Where a controller is meant to make it (cert-manager's TLS secrets, an operator's, a "
    "chart's hook), read that controller's log for why it has not, rather than make it by hand."
)
_NODE_MOUNT_STEP = (
    "A volume was attached (SuccessfulAttachVolume) and no missing object or other node is "
    "named: where the mount on the node is what times out, read the node's side, its CSI "
    "driver's node pod (kubectl get pods -A -o wide --field-selector spec.nodeName=<node>, then "
    "kubectl logs of the driver's pod) and the kubelet's log on <node>."
)


def _volume_steps(message: str, problem: str) -> tuple[str, ...]:
    """Where the events name the problem, the steps for it alone (the cause's first, reading
    the mount error, then one of its own); else none: the cause's steps, every kind."""
    read, objects, multi = CAUSES["volume_mount_failed"].next_steps[:3]
    missing = _MISSING.search(message)
    if missing:
        kind, name = missing.group(1).lower(), missing.group(2)
        if kind == "persistentvolumeclaim":
            return (read, objects)
        return (
            read,
            f"Create {kind} {name} in the pod's namespace, or correct the pod spec's volume "
            f"that names it: kubectl get {kind} {name} -n <ns>. {_MADE_BY_CONTROLLER}",
        )
    if problem.startswith("Multi-Attach"):
        return (read, multi)
    if "not supported by windows" in message:  # the kubelet's chown of a projected volume
        return (
            read,
            "On a Windows node the kubelet cannot chown the volume's files for a pod that sets "
            "runAsUser, runAsGroup or fsGroup (Linux ids): drop those from the pod for Windows "
            "(windowsOptions.runAsUserName is its own), or keep the pod on Linux nodes "
            "(nodeSelector kubernetes.io/os: linux).",
        )
    host = _HOST_PATH.search(message)
    if host:  # the kubelet checks a hostPath's type before it mounts it
        path, kind = host.group(1), host.group(2)
        fix = {
            "directory": "create it there (or let the volume's type be DirectoryOrCreate)",
            "file": "put the file there (or let the volume's type be FileOrCreate)",
            "socket file": "start what serves that socket on the node (the Docker socket is "
            "gone from nodes that run containerd or CRI-O)",
        }.get(kind, "make it exist there as that kind of device (a module, a driver)")
        return (
            read,
            f"{path} is not a {kind} on that node (missing, or another kind of file): {fix}, "
            "or correct the path (a chart's kubelet directory is another on MicroK8s: "
            "/var/snap/microk8s/common/var/lib/kubelet).",
        )
    helper = _FS_TYPE.search(message) if "helper program" in message else None
    if helper:  # mount(8) found no helper for a network file system's type on the node
        kind = helper.group(1)
        return (
            read,
            f"The node lacks the {kind} client that mount needs (/sbin/mount.{kind}): install "
            f"it on every node that may run the pod ({_CLIENTS.get(kind, 'its package')}), or "
            "use a CSI driver that brings its own.",
        )
    return ()


# the kubelet's own check of a hostPath volume's type: "hostPath type check failed: /x is not
# a directory" (or a file, a socket…)
_HOST_PATH = re.compile(
    r"hostPath type check failed: (.+?) is not an? "
    r"(directory|file|socket file|character device|block device)"
)
# the kubelet's "Mounting arguments: -t nfs …" (through systemd-run: "… --scope -- mount -t
# nfs …") where util-linux's mount says it "might need a /sbin/mount.<type> helper program"
# (bad option): for these types, the node's client package
_FS_TYPE = re.compile(r"(?:Mounting arguments: |\bmount )-t (nfs|nfs4|cifs|glusterfs)\b")
_CLIENTS = {
    "nfs": "nfs-common on Debian and Ubuntu, nfs-utils on RHEL-family",
    "nfs4": "nfs-common on Debian and Ubuntu, nfs-utils on RHEL-family",
    "cifs": "cifs-utils",
    "glusterfs": "glusterfs-client or glusterfs-fuse",
}


def _distinct(events: list[Event]) -> list[Event]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in events:
        if (e.reason, e.message) not in seen:
            seen.add((e.reason, e.message))
            out.append(e)
    return out


RULES = (volume_mount_failed,)
