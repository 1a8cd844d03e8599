"""The cause ids of DESIGN §3, as data: a title, a kind, and the default next steps.

The ids are part of the JSON contract: never rename one. ``kind`` drives severity in the engine:

- ``failure``: something went wrong (critical while failing now, warning once running again);
- ``stop``: the container was asked to stop (info when the pod is being stopped, else like failure);
- ``normal``: a normal end (info).

Next steps use ``<ns>``, ``<pod>`` and ``<container>``; the engine fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    kind: str  # failure | stop | normal
    scope: str  # container | waiting | pod
    next_steps: tuple[str, ...]


_LOGS = "kubectl logs <pod> -n <ns> -c <container> --previous"
_DESCRIBE = "kubectl describe pod <pod> -n <ns>"


def _c(id_: str, title: str, kind: str, scope: str, *steps: str) -> Cause:
    return Cause(id_, title, kind, scope, steps)


_SIGNAL_STEPS = (
    f"Read the previous log for a stack trace or core-dump note: {_LOGS}",
    "Check whether the program sends this signal to itself or a supervisor sends it.",
)

CAUSES: dict[str, Cause] = {
    c.id: c
    for c in (
        _c(
            "oom_killed",
            "OOM-killed at the container memory limit",
            "failure",
            "container",
            "Compare the memory limit with real usage: kubectl top pod <pod> -n <ns> --containers",
            "Raise resources.limits.memory, or find the leak (heap profile, cache sizes, "
            "runtime heap flags such as -Xmx or --max-old-space-size below the limit).",
            f"Read what it was doing before the kill: {_LOGS}",
        ),
        _c(
            "oom_node",
            "Killed by the node's OOM killer (node out of memory)",
            "failure",
            "container",
            "Check the node's memory (MemoryPressure, allocatable): kubectl describe node <node>",
            "Look for SystemOOM / OOMKilling events: kubectl get events -A "
            "--field-selector involvedObject.kind=Node,involvedObject.name=<node>",
            "Set memory requests near real use: the scheduler places pods by their requests, "
            "and the kernel picks its victims by oom_score (BestEffort pods, and Burstable ones "
            "far above their requests, go first).",
        ),
        _c(
            "memory_settings_exceed_limit",
            "Memory settings that cannot fit the limit (found before the OOM)",
            "failure",
            "container",
        ),
        _c(
            "liveness_probe_kill",
            "Killed by the kubelet after failed liveness probes",
            "failure",
            "container",
            "Read why the probe failed: kubectl get events -n <ns> "
            "--field-selector involvedObject.name=<pod>,reason=Unhealthy",
            "Check the probe against the app: path and port, timeoutSeconds, failureThreshold, "
            "and whether the app blocks (GC pauses, CPU throttling, a slow dependency).",
            "A liveness probe should not depend on downstream services; use a readiness probe.",
        ),
        _c(
            "startup_probe_kill",
            "Killed by the kubelet: the startup probe never passed",
            "failure",
            "container",
            "Compare how long the app needs to start with failureThreshold × periodSeconds "
            "of the startup probe, and raise it if the app is only slow.",
            f"Read what the app was doing while starting: {_LOGS}",
        ),
        _c(
            "grace_period_exceeded",
            "SIGKILL after the stop grace period ran out",
            "stop",
            "container",
            "Make the app exit on SIGTERM (or the image's STOPSIGNAL): handle it, or run the "
            "process as PID 1 with exec / an init such as tini.",
            "If shutdown is slow on purpose, raise terminationGracePeriodSeconds; a preStop "
            "hook counts against the same grace period.",
        ),
        _c(
            "sigkill",
            "Killed with SIGKILL (sender not proven)",
            "failure",
            "container",
            "Look for the sender in the pod's events: Unhealthy then Killing is a liveness or "
            "startup probe that failed (often while the app was still starting: a startupProbe "
            "gives it time), a Killing without them a stop (rollout, drain): " + _DESCRIBE,
            "Check the node's events for an OOM (SystemOOM, OOMKilling) at that time: kubectl get "
            "events -A --field-selector involvedObject.kind=Node,involvedObject.name=<node>",
            f"Read the end of the previous log: {_LOGS}",
        ),
        _c(
            "sigterm",
            "Stopped on SIGTERM",
            "stop",
            "container",
            "If the stop was not expected, find who stopped it: rollouts, drains, autoscaler "
            f"scale-downs, liveness probes ({_DESCRIBE}).",
            "Handle SIGTERM in the app to exit 0 after draining work.",
        ),
        _c("sigsegv", "Segmentation fault (SIGSEGV)", "failure", "container", *_SIGNAL_STEPS),
        _c(
            "sigabrt",
            "Aborted (SIGABRT)",
            "failure",
            "container",
            f"Read the last lines of the previous log: {_LOGS} (assertion, double free, "
            "'JavaScript heap out of memory', JVM fatal error).",
            "A Node.js heap limit shows as 134, not as OOMKilled: raise --max-old-space-size "
            "or fix the leak.",
        ),
        _c("sigill", "Illegal instruction (SIGILL)", "failure", "container", *_SIGNAL_STEPS),
        _c("sigbus", "Bus error (SIGBUS)", "failure", "container", *_SIGNAL_STEPS),
        _c(
            "sigfpe",
            "Arithmetic exception (SIGFPE)",
            "failure",
            "container",
            *_SIGNAL_STEPS,
        ),
        _c(
            "sigpipe",
            "Broken pipe (SIGPIPE)",
            "failure",
            "container",
            "The process wrote to a pipe or socket whose reader had gone; check what it "
            "pipes into and ignore SIGPIPE where writes may fail.",
        ),
        _c("sigint", "Interrupted (SIGINT)", "stop", "container", *_SIGNAL_STEPS),
        _c("sighup", "Hang-up (SIGHUP)", "stop", "container", *_SIGNAL_STEPS),
        _c("sigquit", "Quit (SIGQUIT)", "failure", "container", *_SIGNAL_STEPS),
        _c("signal_other", "Killed by a signal", "failure", "container", *_SIGNAL_STEPS),
        _c(
            "seccomp_killed",
            "Killed by seccomp for a forbidden system call",
            "failure",
            "container",
            "Read the forbidden syscalls in the termination message and allow them in the "
            "seccomp profile (securityContext.seccompProfile), or fix the code that calls them.",
        ),
        _c(
            "command_not_found",
            "Command not found",
            "failure",
            "container",
            "Check command/args in the pod spec against the image: "
            "kubectl get pod <pod> -n <ns> -o jsonpath='{.spec.containers[*].command}'",
            "Run the image locally and look for the binary (docker run --entrypoint sh IMAGE).",
        ),
        _c(
            "command_not_executable",
            "Command found but not executable (permission denied)",
            "failure",
            "container",
            "Make the entrypoint executable in the image (chmod +x) and check it is a file, "
            "not a directory.",
            "Check securityContext (runAsUser, readOnlyRootFilesystem) and noexec mounts.",
        ),
        _c(
            "exec_format_error",
            "Exec format error (wrong CPU architecture or missing #!)",
            "failure",
            "container",
            "Compare the image's platform with the node's: kubectl get node <node> "
            "-o jsonpath='{.status.nodeInfo.architecture}'",
            "Build a multi-arch image (an image copied to a mirror must keep its whole "
            "manifest list: skopeo copy --all, crane copy; a docker pull and push keeps one "
            "platform), or start scripts with a #! line.",
        ),
        _c(
            "start_error",
            "The runtime could not start the container",
            "failure",
            "container",
            f"Read the whole error: {_DESCRIBE}",
            "Check volume mounts and subPath targets, device and security settings named in it.",
        ),
        _c(
            "runtime_failed_to_run",
            "The container runtime failed to run the container (125)",
            "failure",
            "container",
            f"Read the runtime error in the pod events: {_DESCRIBE}",
            "Check the node's runtime: journalctl -u containerd (or crio) on <node>.",
        ),
        _c(
            "invalid_exit_argument",
            "Exit status 128: an invalid exit argument",
            "failure",
            "container",
            f"Find the exit call in the app and the log before it: {_LOGS}",
        ),
        _c(
            "container_status_unknown",
            "Container lost: the kubelet could not find it (137 is a placeholder)",
            "failure",
            "container",
            "The exit code is synthetic: look at why the pod stopped (eviction, deletion, "
            f"node reboot): {_DESCRIBE}",
            "Check the node's history (Rebooted, NodeNotReady): kubectl get events -A "
            "--field-selector involvedObject.kind=Node,involvedObject.name=<node>",
        ),
        _c(
            "runtime_lost",
            "The container runtime lost the task (reason Unknown, 255)",
            "failure",
            "container",
            "Check containerd/CRI-O restarts and node reboots on <node> at that time "
            "(journalctl -u containerd).",
        ),
        _c(
            "exit_255",
            "Exit status 255",
            "failure",
            "container",
            f"Read the previous log: {_LOGS} — exit(-1) and fatal start-up errors end with 255.",
        ),
        _c(
            "sysexits",
            "A sysexits.h status",
            "failure",
            "container",
            f"Read the previous log for the message before the exit: {_LOGS}",
        ),
        _c(
            "shell_misuse",
            "Exit status 2 (misuse of a shell builtin, bad arguments, Go panic)",
            "failure",
            "container",
            f"Read the previous log: {_LOGS} (a usage message, a shell error, a Python "
            "argparse error, or a Go panic's goroutine dump).",
            "Check command and args in the pod spec.",
        ),
        _c(
            "app_error",
            "The program exited with an error",
            "failure",
            "container",
            f"Read the previous log: {_LOGS}",
            "Check configuration the app needs at start: env vars, ConfigMaps, Secrets, "
            "reachable dependencies.",
        ),
        _c(
            "exit_success_restarted",
            "Exited 0 and keeps being restarted (restartPolicy Always)",
            "failure",
            "container",
            "A long-running container must not exit: check that the main process stays in "
            "the foreground (no daemonizing, no '&', no script that ends).",
            "If it is a one-off task, run it as a Job or an init container.",
        ),
        _c("exit_success", "Completed successfully", "normal", "container"),
        _c(
            "image_pull_error",
            "The image cannot be pulled",
            "failure",
            "waiting",
            "Check the image name and tag exist in the registry.",
            "Check imagePullSecrets and registry credentials: kubectl get pod <pod> -n <ns> "
            "-o jsonpath='{.spec.imagePullSecrets}'",
            f"Read the pull error in the events: {_DESCRIBE}",
        ),
        _c(
            "invalid_image_name",
            "The image name does not parse",
            "failure",
            "waiting",
            "Fix the image reference in the pod template (registry/name:tag or @sha256:…).",
        ),
        _c(
            "config_error",
            "The kubelet cannot build the container's configuration",
            "failure",
            "waiting",
            "Create the missing Secret/ConfigMap or key named in the message, in the pod's "
            "namespace: kubectl get secret,configmap -n <ns>",
            "For runAsNonRoot: set runAsUser to a non-zero UID or use a non-root image.",
            "For a volumeMount's subPath the kubelet could not prepare: its log on the node "
            "says why (permissions on the volume, a stale NFS handle, a hostPath missing on "
            "that node).",
        ),
        _c(
            "volume_mount_failed",
            "A volume cannot be mounted or attached",
            "failure",
            "pod",
            "Read the mount error: kubectl get events -n <ns> --field-selector "
            "involvedObject.name=<pod>,type=Warning",  # FailedMount and FailedAttachVolume
            "A missing Secret or ConfigMap: create it in the pod's namespace "
            "(kubectl get secret,configmap -n <ns>); a PVC: kubectl get pvc -n <ns>, then "
            "kubectl describe pvc for binding and attach errors.",
            "Multi-Attach: a ReadWriteOnce volume is still attached to another node; wait for "
            "the old pod to go, or find it: kubectl get volumeattachment",
        ),
        _c(
            "sandbox_failed",
            "The pod sandbox cannot be created",
            "failure",
            "pod",
            "Read the sandbox error: kubectl get events -n <ns> --field-selector "
            "involvedObject.name=<pod>,reason=FailedCreatePodSandBox",
            "CNI errors: check the network plugin's pods on <node> (kubectl get pods -n "
            "kube-system -o wide --field-selector spec.nodeName=<node>) and free pod IPs.",
            "Runtime errors: check the container runtime and the kubelet on <node>.",
        ),
        _c(
            "lifecycle_hook_failed",
            "A lifecycle hook failed",
            "failure",
            "waiting",
            "Run the postStart/preStop command by hand in the image; the hook's output is in "
            f"the container's message: {_DESCRIBE}",
        ),
        _c(
            "evicted",
            "Evicted by the kubelet",
            "failure",
            "pod",
            "Check the node's pressure conditions: kubectl describe node <node>",
            "Set requests close to real usage; pods using more than they request are "
            "evicted first. Limit emptyDir and ephemeral-storage use.",
            "Delete the evicted pod objects once understood: they no longer run.",
        ),
        _c(
            "eviction_api",
            "Evicted through the Eviction API (drain, autoscaler, descheduler)",
            "stop",
            "pod",
            "Check recent drains and autoscaler scale-downs; a PodDisruptionBudget "
            "limits how many pods they may evict at once.",
        ),
        _c(
            "preempted",
            "Preempted for a higher-priority pod",
            "stop",
            "pod",
            "Check priorityClassName of this pod and of the preemptor; give critical "
            "workloads a higher priority or add capacity.",
        ),
        _c(
            "node_shutdown",
            "Stopped by a node shutdown",
            "stop",
            "pod",
            "Check whether the node shutdown was planned (maintenance, spot reclaim).",
        ),
        _c(
            "node_lost",
            "The node went away",
            "failure",
            "pod",
            "Check the node: kubectl get node <node>; kubectl describe node <node>",
            "Deployments, ReplicaSets and Jobs recreate their pods elsewhere; a StatefulSet waits "
            "until the old pod is gone; bare pods are lost.",
        ),
        _c(
            "admission_rejected",
            "Rejected by the kubelet at admission",
            "failure",
            "pod",
            "Compare the pod's requests with the node's free capacity: kubectl describe "
            "node <node>",
            "Pods with spec.nodeName set bypass the scheduler; let the scheduler place them.",
        ),
        _c(
            "unschedulable",
            "Cannot be scheduled",
            "failure",
            "pod",
            "Read the scheduler's reasons in the FailedScheduling event: " + _DESCRIBE,
            "Check requests, node selectors, affinity, taints and tolerations against the "
            "nodes; add capacity if every node is full.",
        ),
        _c(
            "deadline_exceeded",
            "The pod's activeDeadlineSeconds was reached",
            "failure",
            "pod",
            "Raise spec.activeDeadlineSeconds, or make the work finish sooner.",
        ),
        _c(
            "job_backoff_limit",
            "The Job failed: backoffLimit reached",
            "failure",
            "pod",
            "Fix the container failure below; the Job retried until backoffLimit.",
            "kubectl describe job <owner> -n <ns>",
        ),
        _c(
            "job_deadline_exceeded",
            "The Job failed: its activeDeadlineSeconds was reached",
            "failure",
            "pod",
            "Raise the Job's activeDeadlineSeconds or make it faster.",
            "kubectl describe job <owner> -n <ns>",
        ),
        _c(
            "job_pod_failure_policy",
            "The Job failed by a podFailurePolicy rule",
            "failure",
            "pod",
            "The rule matched on purpose: fix the exit the rule names, or change the rule.",
            "kubectl get job <owner> -n <ns> -o jsonpath='{.spec.podFailurePolicy}'",
        ),
        _c(
            "sidecar_blocks_completion",
            "A sidecar keeps a finished Job pod running",
            "failure",
            "pod",
            "Make the sidecar a native sidecar (an init container with restartPolicy: "
            "Always) so it stops when the main containers finish.",
            "Or have the main container signal the sidecar to exit (shared volume, "
            "/quitquitquit endpoint).",
        ),
        _c(
            "unknown",
            "Not enough evidence to name a cause",
            "failure",
            "container",
            f"Read the events and previous log: {_DESCRIBE}; {_LOGS}",
        ),
    )
}


def cause(cause_id: str) -> Cause:
    return CAUSES[cause_id]


# The cause in a few words, for tables (the id stays in JSON and ``-o wide``).
SHORT: dict[str, str] = {
    "oom_killed": "OOM-killed at limit",
    "oom_node": "OOM-killed by node",
    "memory_settings_exceed_limit": "memory settings too high",
    "liveness_probe_kill": "liveness probe failed",
    "startup_probe_kill": "startup probe failed",
    "grace_period_exceeded": "SIGTERM ignored",
    "sigkill": "SIGKILL",
    "sigterm": "stopped on SIGTERM",
    "sigsegv": "SIGSEGV (segfault)",
    "sigabrt": "SIGABRT (abort)",
    "sigill": "SIGILL",
    "sigbus": "SIGBUS",
    "sigfpe": "SIGFPE",
    "sigpipe": "SIGPIPE",
    "sigint": "SIGINT",
    "sighup": "SIGHUP",
    "sigquit": "SIGQUIT",
    "signal_other": "killed by a signal",
    "seccomp_killed": "seccomp kill",
    "command_not_found": "command not found",
    "command_not_executable": "not executable",
    "exec_format_error": "exec format error",
    "start_error": "cannot start",
    "runtime_failed_to_run": "runtime failed (125)",
    "invalid_exit_argument": "exit 128",
    "container_status_unknown": "container lost",
    "runtime_lost": "runtime lost the task",
    "exit_255": "exit 255",
    "sysexits": "sysexits status",
    "shell_misuse": "exit 2",
    "app_error": "app error exit",
    "exit_success_restarted": "exits 0, restarted",
    "exit_success": "completed",
    "image_pull_error": "image pull failed",
    "invalid_image_name": "invalid image name",
    "config_error": "bad container config",
    "volume_mount_failed": "volume mount failed",
    "sandbox_failed": "sandbox failed",
    "lifecycle_hook_failed": "lifecycle hook failed",
    "evicted": "evicted",
    "eviction_api": "evicted (drain)",
    "preempted": "preempted",
    "node_shutdown": "node shutdown",
    "node_lost": "node lost",
    "admission_rejected": "kubelet rejected",
    "unschedulable": "unschedulable",
    "deadline_exceeded": "pod deadline",
    "job_backoff_limit": "Job backoff limit",
    "job_deadline_exceeded": "Job deadline",
    "job_pod_failure_policy": "Job failed by policy",
    "sidecar_blocks_completion": "sidecar blocks Job",
    "unknown": "unexplained",
    # node causes (DESIGN §4 additions)
    "node_oom": "node out of memory",
    "node_memory_pressure": "node memory pressure",
    "node_disk_pressure": "node disk pressure",
    "node_pid_pressure": "node PID pressure",
    "node_rebooted": "node rebooted",
    "node_not_ready": "node not ready",
    "node_kills": "many kills on node",
}


def short(cause_id: str) -> str:
    return SHORT.get(cause_id, cause_id)
