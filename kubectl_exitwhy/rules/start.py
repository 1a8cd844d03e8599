"""Containers that never started: the entrypoint is missing, not executable, for another
architecture, or the runtime could not set the container up (mounts, subPath, devices).

The same error reaches the status in several shapes (KNOWLEDGE §1.3): containerd's
``StartError``/128 with the text in the message, cri-dockerd's ``ContainerCannotRun``, the
waiting reasons ``RunContainerError``/``CreateContainerError`` (CRI-O), or, for errors after the
start pipe closed, ``Error``/255 with the text only in the container's log.
"""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy import logsigs
from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    TERMINATION,
    WAITING,
    Subject,
    Verdict,
    first_line,
    rule,
    subject_lines,
)

START_REASONS = {
    "StartError",
    "ContainerCannotRun",
    "RunContainerError",
    "CreateContainerError",
    "PreCreateHookError",
    "PreStartHookError",
}

# The exec errors runc reports (KNOWLEDGE §1.3): `exec: "<cmd>": executable file not found in
# $PATH`, `exec: "/x": stat /x: no such file or directory`, `exec: "/x": permission denied`,
# and after the start `exec /x: <error>`. The same words elsewhere in a runtime error (an
# AppArmor profile, a cgroup file, a mount source) are not about the command: start_error.
_EXEC = r'(?:exec:? "[^"]*"|exec /\S+|exec user process caused:? "?)'
_NOT_FOUND = re.compile(
    rf"executable file not found|{_EXEC}: (?:stat [^:]*: )?no such file or directory", re.I
)
_PERMISSION = re.compile(rf"{_EXEC}: (?:permission denied|is a directory)", re.I)
_FORMAT = re.compile(r"exec format error", re.I)
_MOUNT = re.compile(r"mount|subpath|volume", re.I)
# What runc itself writes when exec fails after the start (KNOWLEDGE §1.3): a whole line
# "exec /path: <error>", or the runc <= 1.0 form "... exec user process caused: <error>". An
# application's own message ("open /etc/app.yaml: no such file or directory") is not this.
_RUNC_EXEC = re.compile(
    r"(?m)^(?:exec \S+: |.*exec user process caused:? \"?)(?P<err>exec format error|"
    r"no such file or directory|permission denied)"
)


def _unquoted(message: str) -> str:
    """CRI-O and Docker quote the runtime's error inside their own: `exec: \\"/x\\"`."""
    return message.replace('\\"', '"')


def _is_start_failure(s: Subject) -> bool:
    """A start error's reason, or an exit 128 whose message is the OCI runtime's (a record
    saved without its reason, or a runtime that gives none)."""
    if s.reason in START_REASONS:
        return True
    return s.term is not None and s.code == 128 and bool(_RUNTIME_WORDS.search(s.message))


# words only the runtime writes, wrapping its error (runc through containerd, CRI-O, Docker)
_RUNTIME_WORDS = re.compile(
    r"OCI runtime (?:create|start|exec) failed|starting container process caused|"
    r"failed to (?:create|start) containerd task"
)


def _message(s: Subject) -> str:
    """The runtime's words for this failure: the subject's own message; for a start error
    waiting without one, the message of the try before it, where that try ended in the
    runtime too (the status then changes from wait to wait, not from what it says)."""
    if s.message or s.waiting is None or s.container is None:
        return s.message
    last = s.c.last
    return last.message if last is not None and _ran_not(last) else ""


# runc's exec failure happens as the container starts: a run of a few seconds at most.
EXEC_RUN_SECONDS = 5


def _log_decides(s: Subject, cause: str) -> Optional[str]:
    """The previous-log line that decides ``cause`` for this exit: runc's own exec line, from a
    run that ended as it began (a program that ran for hours and logged such a line was
    reporting its own child's failure)."""
    if not s.term or not s.container:
        return None
    run = s.term.run_seconds
    if run is not None and run > EXEC_RUN_SECONDS:
        return None
    hit = logsigs.deciding(s.c.log_hits, s.code)
    return hit.line if hit and hit.signature.cause == cause else None


def _verdict(cause: str, s: Subject, what: str, log_line: Optional[str] = None) -> Verdict:
    evidence = subject_lines(s)
    confidence = HIGH
    if log_line:
        evidence.append(f"previous log: {first_line(log_line)}")
        if s.term is None or (s.term.run_seconds is None and not s.term.never_started):
            confidence = MEDIUM  # the line fits, but no run time says it came at the start
    detail = first_line(log_line or _message(s)) or None
    if not s.message and not log_line and detail:  # the try before this wait said it
        evidence.append(f"{s.c.status_path}.lastState.terminated.message: {detail}")
    return Verdict(cause, confidence, what, tuple(evidence), detail=detail)


@rule("exec_format_error", 60, TERMINATION, WAITING)
def exec_format_error(s: Subject) -> Optional[Verdict]:
    """``exec format error``: the kernel could not execute the entrypoint — an image built for
    another CPU architecture, or a script without a ``#!`` line. It arrives as a start error, or
    as ``Error``/255 with the line only in the container's log (runc exits 255 after the start
    pipe closed)."""
    message = _message(s)
    runc = _RUNC_EXEC.search(message)
    runc_format = runc is not None and runc.group("err") == "exec format error"
    if (_is_start_failure(s) and _FORMAT.search(message)) or (runc_format and s.term):
        return _verdict(
            "exec_format_error",
            s,
            "exec format error: the entrypoint is for "
            "another CPU architecture, or a script lacks its #! line",
        )
    line = _log_decides(s, "exec_format_error")
    if line:
        return _verdict(
            "exec_format_error",
            s,
            "exec format error (from the previous log): "
            "wrong CPU architecture, or a script without #!",
            line,
        )
    return None


@rule("command_not_found", 61, TERMINATION, WAITING)
def command_not_found_start(s: Subject) -> Optional[Verdict]:
    """A start error saying ``executable file not found in $PATH`` or ``no such file or
    directory``: the command or entrypoint does not exist in the image (or, when the file exists,
    its ``#!`` interpreter or dynamic loader is missing)."""
    text = _unquoted(_message(s))
    runc = _RUNC_EXEC.search(text)
    runc_missing = runc is not None and runc.group("err") == "no such file or directory"
    if (_is_start_failure(s) and _NOT_FOUND.search(text)) or (runc_missing and s.term):
        if _MOUNT.search(text) and "exec" not in text:
            return None  # a missing mount source, not a missing command: start_error
        cmd = re.search(r'exec:? "?([^":]+)"?', text)
        what = (
            f"command not found: {cmd.group(1)!r} is not in the image"
            if cmd
            else "command not found: the entrypoint does not exist in the image"
        )
        return _verdict("command_not_found", s, what)
    line = _log_decides(s, "command_not_found")
    if line:
        what = (
            "a shared library the program needs is missing from the image (from the log)"
            if "shared libraries" in line
            else "the entrypoint, its #! interpreter or its loader is missing "
            "(exec … no such file or directory, from the log)"
        )
        return _verdict("command_not_found", s, what, line)
    return None


@rule("command_not_executable", 62, TERMINATION, WAITING)
def command_not_executable_start(s: Subject) -> Optional[Verdict]:
    """A start error saying ``permission denied``: the entrypoint exists but is not executable
    (no x bit, a directory, a noexec mount)."""
    if _PERMISSION.search(_unquoted(_message(s))) and _is_start_failure(s):
        return _verdict(
            "command_not_executable", s, "the entrypoint is not executable (permission denied)"
        )
    line = _log_decides(s, "command_not_executable")
    if line:
        return _verdict(
            "command_not_executable",
            s,
            "the entrypoint is not executable (exec … permission denied, from the log)",
            line,
        )
    return None


@rule("start_error", 63, TERMINATION, WAITING)
def start_error(s: Subject) -> Optional[Verdict]:
    """Any other ``StartError``, ``ContainerCannotRun``, ``RunContainerError`` or
    ``CreateContainerError``: the runtime could not create or start the container — mounts and
    subPath targets, devices, runtime errors. The message says which."""
    if not _is_start_failure(s):
        return None
    message = _message(s)  # the status's words (or the try's before this wait)
    msg = first_line(message)
    reason = s.reason or "exit 128"
    summary = f"the runtime could not start the container ({reason})"
    steps: tuple[str, ...] = ()
    if _MOUNT.search(message):
        summary = f"the runtime could not set up a mount ({reason})"
    # where the status kept no message, the kubelet's Failed event did (its own, or one that
    # names no container); where it kept one, the status is the current word, not an event
    alone = len(s.pod.containers) == 1  # an event that names no container is its only then
    told = [
        e
        for e in s.pod.events
        if e.reason == "Failed" and (e.container == s.c.name or (e.container is None and alone))
    ][-1:]
    said = [e.message for e in told]
    text = message or " ".join(said)
    mount = False  # the pattern that spoke is about a mount: the generic steps fit it too
    for pattern, verb, what, step in _KNOWN:
        found = pattern.search(text)
        if found:
            mount = pattern is _NOT_SHARED
            if found.groups() and found.group(1):  # the error itself, where the pattern has it
                what += f": {first_line(found.group(1), 120)}"
            if pattern is _NVIDIA:
                step = _nvidia_step(found.group(0)[len("nvidia-container-cli: ") :])
            summary = f"the runtime could not {verb} the container ({reason}): {what}"
            steps = (step,) + CAUSES["start_error"].next_steps[:1]
    evidence = subject_lines(s)
    if message and not s.message:
        evidence.append(f"{s.c.status_path}.lastState.terminated.message: {msg}")
    if steps and told and not message:  # the event told it, not the status
        evidence += [e.describe() for e in told]
    return Verdict(
        "start_error",
        HIGH if msg else MEDIUM,
        summary,
        tuple(evidence),
        steps,
        detail=msg or (first_line(said[0]) if said else "") or None,
        own_steps=bool(steps) and not mount,
    )


def _ran_not(last) -> bool:
    """The container's last try ended in the runtime, not in its program: a start error's
    reason, or 128 with the runtime's words (a message the program cannot write)."""
    return bool(last.message) and (
        last.reason in START_REASONS
        or (last.exit_code == 128 and bool(_RUNTIME_WORDS.search(last.message)))
    )


# containerd's and CRI-O's CreateContainer reserve the container's name first; a create that
# outlasted the kubelet's deadline (or hangs) still holds it when the kubelet tries again
_RESERVED = re.compile(r"failed to reserve container name|error reserving ctr name", re.I)
_RESERVED_STEP = (
    "An earlier create of this container is still in progress in the runtime, or timed out "
    "and left its name reserved: the node's runtime is slow or stuck (a slow or full disk, "
    "heavy load, a hung volume). Check the node's disk and the runtime's log (journalctl -u "
    "containerd or crio), not the pod spec; restarting the runtime frees a reservation left "
    "behind."
)

# a Localhost seccomp profile is a file the runtime reads from the kubelet's seccomp directory
# (containerd: 'cannot load seccomp profile "…"'; CRI-O: 'setup seccomp: unable to load local
# profile "…"')
_SECCOMP = re.compile(r"cannot load seccomp profile|unable to load local profile", re.I)
_SECCOMP_STEP = (
    "A Localhost seccomp profile (securityContext.seccompProfile.localhostProfile) is a file "
    "that must be on the node, under the kubelet's seccomp directory (/var/lib/kubelet/seccomp/"
    "<localhostProfile>): put it on every node the pod may run on (a DaemonSet, or the Security "
    "Profiles Operator), or use type RuntimeDefault."
)

# runc: "process_linux.go:…: applying cgroup configuration for process caused …": the node's
# cgroup setup, not the pod's spec
_CGROUP = re.compile(r"applying cgroup configuration for process")
_CGROUP_STEP = (
    "runc could not place the container's process in its cgroup: a node matter, not the "
    "pod's. Check that the kubelet's and the runtime's cgroup drivers agree (systemd or "
    "cgroupfs), and the node's runc version and cgroup setup (v1 or v2)."
)

# containerd's 'failed to mkdir "/etc/x": mkdir /etc/x: read-only file system': the node's
# root file system is read-only (Talos, Bottlerocket, Flatcar's /usr), and a hostPath or
# mount point under it cannot be made
_READ_ONLY = re.compile(r'failed to mkdir "[^"]+": mkdir \S+: read-only file system')
_READ_ONLY_STEP = (
    "The node's file system is read-only where the directory a hostPath (or a mount) needs "
    "would go: on immutable node OSes (Talos, Bottlerocket, Flatcar's /usr) move the path under "
    "a writable one such as /var (a chart's setting for it); on an ordinary node, a root that "
    "went read-only after disk errors (dmesg, mount on the node) needs the node repaired."
)
# the NVIDIA runtime's prestart hook (nvidia-container-cli) could not reach the node's driver
_NVIDIA = re.compile(r"nvidia-container-cli: \S[^:]*: (.+?)(?:: unknown)?$", re.M)
_NVIDIA_STEP = (
    "The NVIDIA container runtime's hook failed on the node: its driver is not loaded or does "
    "not match (nvidia-smi on the node), or the GPU is bound to another driver (vfio-pci for "
    "passthrough) while nvidia is the default runtime: fix the node's driver, or run this pod "
    "with runc (a RuntimeClass)."
)


def _nvidia_step(error: str) -> str:
    """The NVIDIA hook's error points at the node's driver, the image or the pod's request."""
    if error.startswith("requirement error"):
        return (
            "The image asks for a newer CUDA than the node's driver supports (the hook's "
            "requirement error names it): use an image built for that driver, or update the "
            "node's driver."
        )
    if error.startswith("device error"):
        return (
            "The GPU the container asks for is not there (NVIDIA_VISIBLE_DEVICES names one the "
            "node does not have): leave the choice to the device plugin (resources.limits "
            "nvidia.com/gpu) rather than pinning a device."
        )
    if error.startswith("mount error") and "file exists" in error:
        return (
            "The image carries the driver's libraries itself, where the hook mounts the "
            "node's: build the image without them (the CUDA base images leave them out)."
        )
    return _NVIDIA_STEP


# Docker's devicemapper storage driver lost a container's thin device ("lstat
# /dev/mapper/docker-…-init: no such file or directory"): the node's storage, not the pod
_DEVMAPPER = re.compile(r"devicemapper|/dev/mapper/docker-")
_DEVMAPPER_STEP = (
    "The node's container storage (Docker's devicemapper driver) lost the container's device: "
    "a node matter. Check the node's Docker storage (docker info, its thin pool's free space), "
    "and restart or replace the node if it persists."
)

# runc splits each "NAME=value" at its first "=" and sets it with Go's os.Setenv, which
# refuses (EINVAL) an empty name and a NUL byte in a name or value; newer runc says so itself
# ("environment variable value can't contain null"). The kubelet drops envFrom keys that are
# no valid names (with an event), so what is left is a value: binary data in a Secret or
# ConfigMap key (kubernetes#102732)
_SETENV = re.compile(r"setenv: invalid argument|can't contain null")
_SETENV_STEP = (
    "An environment variable's value holds a NUL byte (or its name is empty), which the "
    "runtime refuses: look for binary data in the keys the pod loads with env or envFrom "
    "(a Secret or ConfigMap key whose value is a file, a certificate store, a key in DER "
    "form), and mount such keys as files instead."
)

# runc and Docker refuse a mount with mountPropagation HostToContainer (rslave) or Bidirectional
# (rshared) whose source lies on a host mount that is private: "path / is mounted on / but it
# is not a shared or slave mount" (the runtime's mount-propagation check)
_NOT_SHARED = re.compile(r"is mounted on \S+ but it is not a shared(?: or slave)? mount")
# runc: 'chdir to cwd ("/home/app") set in config.json failed: permission denied'
_CWD = re.compile(r"chdir to cwd .{0,300}?permission denied", re.S)
_CWD_STEP = (
    "The working directory (spec workingDir, else the image's WORKDIR) must be searchable by "
    "the user the container runs as: an arbitrary UID (OpenShift's restricted SCC) belongs to "
    "group 0, so the image needs it group-readable and -executable (chgrp 0, chmod g+rx), or "
    "set workingDir or runAsUser to fit."
)
_PROPAGATION_STEP = (
    "A volumeMount's mountPropagation (HostToContainer or Bidirectional) needs its hostPath's "
    "mount on the node to be shared: make it so (mount --make-rshared on that mount point; "
    "under Docker, no MountFlags=slave in its systemd unit), or drop mountPropagation (for a "
    "chart, the option that mounts the host's root file system)."
)


# What a runtime's message says, and what to do about it (the last that matches wins).
_KNOWN = (
    (_CWD, "start", "the user it runs as cannot enter its working directory", _CWD_STEP),
    (
        _NOT_SHARED,
        "set up a mount for",
        "a mount asks for propagation from a host path whose mount is not shared",
        _PROPAGATION_STEP,
    ),
    (_RESERVED, "create", "an earlier create request still holds its name", _RESERVED_STEP),
    (_CGROUP, "start", "the node's cgroup setup refused its process", _CGROUP_STEP),
    (
        _READ_ONLY,
        "create",
        "a directory it needs is on the node's read-only file system",
        _READ_ONLY_STEP,
    ),
    (_NVIDIA, "start", "the NVIDIA runtime hook failed", _NVIDIA_STEP),
    (_DEVMAPPER, "start", "the node's container storage failed", _DEVMAPPER_STEP),
    (_SECCOMP, "create", "it cannot load the seccomp profile the pod names", _SECCOMP_STEP),
    (
        _SETENV,
        "start",
        "it could not set an environment variable (setenv: invalid argument)",
        _SETENV_STEP,
    ),
)

RULES = (exec_format_error, command_not_found_start, command_not_executable_start, start_error)
