"""The engine's decisions, case by case: API-shaped input → expected cause (STYLE §14)."""

from __future__ import annotations

import pytest

from builders import (
    as_list,
    crashloop,
    diagnose_objects,
    event,
    job,
    node,
    node_event,
    pod,
    spec_container,
    status,
    terminated,
)

CONTAINERD_NOT_FOUND = (
    "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
    "runc create failed: unable to start container process: error during container init: exec: "
    '"/app/serve": stat /app/serve: no such file or directory: unknown'
)
LIVENESS_KILL = "Container app failed liveness probe, will be restarted"


def one(*objects):
    (d,) = diagnose_objects(*objects)
    return d


def failed_job_pod(name, job_name, code, reason, message):
    """A failed pod of a Job, and the Job's failure condition."""
    return [
        pod(
            name,
            "batch",
            phase="Failed",
            restart_policy="Never",
            owner=("Job", job_name),
            statuses=[status(state={"terminated": terminated(code)})],
        ),
        job(job_name, reason=reason, message=message),
    ]


def crashing(last, *, restarts=4, containers=None, **kw):
    return pod(
        statuses=[status(state=crashloop(), last=last, restarts=restarts)],
        containers=containers,
        **kw,
    )


def configured(memory: str, *, env=None, command=None) -> dict:
    """A container spec with its runtime's memory settings."""
    c = spec_container(memory=memory)
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    if command:
        c["command"] = command
    return c


CASES = {
    # memory settings that cannot fit: found before the OOM (the container runs, unharmed yet)
    "jvm -Xmx at the limit, running": (
        [
            pod(
                containers=[configured("2Gi", command=["java", "-Xmx2g", "-jar", "app.jar"])],
                statuses=[status(ready=True)],
            )
        ],
        "memory_settings_exceed_limit",
        "warning",
        "high",
    ),
    "node old space above the limit, running": (
        [
            pod(
                containers=[configured("1Gi", env={"NODE_OPTIONS": "--max-old-space-size=1536"})],
                statuses=[status(ready=True)],
            )
        ],
        "memory_settings_exceed_limit",
        "warning",
        "high",
    ),
    "jvm 80% of 2000Mi, running": (
        [
            pod(
                containers=[
                    configured("2000Mi", env={"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=80"})
                ],
                statuses=[status(ready=True)],
            )
        ],
        "memory_settings_exceed_limit",
        "warning",
        "medium",
    ),
    # memory: the reason is the proof, whatever the code
    "oom 137": ([crashing(terminated(137, "OOMKilled"))], "oom_killed", "critical", "high"),
    "oom exit 1 (child killed)": ([crashing(terminated(1, "OOMKilled"))], "oom_killed", None, None),
    "oom exit 143": ([crashing(terminated(143, "OOMKilled"))], "oom_killed", None, None),
    "oom exit 0": ([crashing(terminated(0, "OOMKilled"))], "oom_killed", None, None),
    "oom without a limit": (
        [crashing(terminated(137, "OOMKilled"), containers=[spec_container(memory=None)])],
        "oom_node",
        None,
        "high",
    ),
    "137 with node SystemOOM": (
        [
            crashing(terminated(137)),
            node_event("SystemOOM", "System OOM encountered, victim process: java, pid: 4121"),
        ],
        "oom_node",
        None,
        "medium",
    ),
    "137 with node OOM hours earlier": (
        [
            crashing(terminated(137)),
            node_event("SystemOOM", "System OOM encountered", last="2026-11-20T04:00:00Z"),
        ],
        "sigkill",
        None,
        None,
    ),
    "137 with node MemoryPressure": (
        [crashing(terminated(137)), node(memory_pressure=True), event("Pulled", "ok")],
        "oom_node",
        None,
        "medium",
    ),
    "137 plain": (
        [crashing(terminated(137)), event("Pulled", "ok")],
        "sigkill",
        "critical",
        "medium",
    ),
    "137 without any events saved": ([crashing(terminated(137))], "sigkill", None, "low"),
    # kills attributed by events matched in container and time
    "liveness kill 137": (
        [
            crashing(terminated(137), containers=[spec_container(liveness=True)]),
            event("Killing", LIVENESS_KILL),
            event(
                "Unhealthy",
                "Liveness probe failed: HTTP probe failed with statuscode: 500",
                type_="Warning",
                count=3,
            ),
        ],
        "liveness_probe_kill",
        None,
        "high",
    ),
    "liveness kill 143": (
        [crashing(terminated(143)), event("Killing", LIVENESS_KILL)],
        "liveness_probe_kill",
        None,
        "high",
    ),
    "liveness event two days old": (
        [crashing(terminated(137)), event("Killing", LIVENESS_KILL, last="2026-11-18T10:00:00Z")],
        "sigkill",
        None,
        None,
    ),
    "liveness event of another container": (
        [
            crashing(terminated(137)),
            event(
                "Killing", "Container db failed liveness probe, will be restarted", container="db"
            ),
        ],
        "sigkill",
        None,
        None,
    ),
    "startup kill": (
        [
            crashing(terminated(137), containers=[spec_container(startup=True)]),
            event("Killing", "Container app failed startup probe, will be restarted"),
        ],
        "startup_probe_kill",
        None,
        "high",
    ),
    "running, lastState lost, liveness events": (
        [pod(statuses=[status(restarts=3, ready=True)]), event("Killing", LIVENESS_KILL, count=3)],
        "liveness_probe_kill",
        "warning",
        "medium",
    ),
    "running, lastState lost, no events": (
        [pod(statuses=[status(restarts=3)])],
        "unknown",
        "warning",
        "low",
    ),
    "deleted, SIGKILL after grace": (
        [
            pod(
                statuses=[status(state={"terminated": terminated(137)})],
                deletionTimestamp="2026-11-20T09:59:30Z",
                deletionGracePeriodSeconds=30,
            ),
            event("Killing", "Stopping container app", last="2026-11-20T09:59:30Z"),
        ],
        "grace_period_exceeded",
        "warning",
        "high",
    ),
    "rollout SIGTERM": (
        [
            pod(
                statuses=[status(state={"terminated": terminated(143)})],
                deletionTimestamp="2026-11-20T09:59:58Z",
            ),
            event("Killing", "Stopping container app", last="2026-11-20T09:59:58Z"),
        ],
        "sigterm",
        "info",
        "high",
    ),
    "143 nobody named": (
        [crashing(terminated(143)), event("Pulled", "ok")],
        "sigterm",
        "critical",
        "medium",
    ),
    # records the kubelet or runtime made up
    "ContainerStatusUnknown": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "terminated": terminated(
                                137,
                                "ContainerStatusUnknown",
                                "The container could not be located when the pod was terminated",
                            )
                        }
                    )
                ],
                phase="Failed",
            )
        ],
        "container_status_unknown",
        None,
        "high",
    ),
    "containerd Unknown 255": (
        [crashing(terminated(255, "Unknown"))],
        "runtime_lost",
        None,
        "high",
    ),
    "seccomp": (
        [crashing(terminated(159, "seccomp killed", "Used forbidden syscalls: ptrace (1x)"))],
        "seccomp_killed",
        None,
        "high",
    ),
    # start failures, in each of their shapes
    "StartError not found": (
        [crashing(terminated(128, "StartError", CONTAINERD_NOT_FOUND))],
        "command_not_found",
        "critical",
        "high",
    ),
    "RunContainerError not found": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "RunContainerError",
                                "message": CONTAINERD_NOT_FOUND,
                            }
                        }
                    )
                ]
            )
        ],
        "command_not_found",
        "critical",
        "high",
    ),
    "ContainerCannotRun 127": (
        [
            crashing(
                terminated(
                    127,
                    "ContainerCannotRun",
                    'exec: "serve": executable file not found in $PATH: unknown',
                )
            )
        ],
        "command_not_found",
        None,
        "high",
    ),
    "CRI-O permission denied": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "CreateContainerError",
                                "message": 'container create failed: exec: "/app/run.sh": permission denied',
                            }
                        }
                    )
                ]
            )
        ],
        "command_not_executable",
        None,
        "high",
    ),
    "exec format error in message": (
        [crashing(terminated(255, "Error", "exec /app/server: exec format error"))],
        "exec_format_error",
        None,
        "high",
    ),
    "mount error": (
        [
            crashing(
                terminated(
                    128,
                    "StartError",
                    "failed to create containerd task: failed to "
                    "create shim task: OCI runtime create failed: runc create failed: "
                    "unable to start container process: error during container init: "
                    'error mounting "/var/lib/kubelet/pods/x/volumes/cfg" to rootfs at '
                    '"/etc/app/app.yaml": not a directory: unknown',
                )
            )
        ],
        "start_error",
        None,
        "high",
    ),
    # the program's own codes
    "exit 1": ([crashing(terminated(1))], "app_error", "critical", "medium"),
    "exit 2": ([crashing(terminated(2))], "shell_misuse", None, None),
    "exit 78": ([crashing(terminated(78))], "sysexits", None, None),
    "exit 125": ([crashing(terminated(125))], "runtime_failed_to_run", None, None),
    "exit 126": ([crashing(terminated(126))], "command_not_executable", None, None),
    "exit 127": ([crashing(terminated(127))], "command_not_found", None, None),
    "exit 128": ([crashing(terminated(128))], "invalid_exit_argument", None, None),
    "exit 255": ([crashing(terminated(255))], "exit_255", None, None),
    "exit 300 normalised to 44": ([crashing(terminated(300))], "app_error", None, None),
    "exit -1 from CRI-O is unknown": ([crashing(terminated(-1, ""))], "unknown", None, "low"),
    "139": ([crashing(terminated(139))], "sigsegv", None, "medium"),
    "134": ([crashing(terminated(134))], "sigabrt", None, None),
    "132": ([crashing(terminated(132))], "sigill", None, None),
    "135": ([crashing(terminated(135))], "sigbus", None, None),
    "136": ([crashing(terminated(136))], "sigfpe", None, None),
    "141": ([crashing(terminated(141))], "sigpipe", None, None),
    "130": ([crashing(terminated(130))], "sigint", None, None),
    "129": ([crashing(terminated(129))], "sighup", None, None),
    "131": ([crashing(terminated(131))], "sigquit", None, None),
    "138 SIGUSR1": ([crashing(terminated(138))], "signal_other", None, None),
    "200 real-time": ([crashing(terminated(170))], "signal_other", None, None),
    # restart policy decides what 0 means
    "exit 0 under Always": (
        [crashing(terminated(0, "Completed"))],
        "exit_success_restarted",
        "critical",
        "high",
    ),
    "exit 0 in a Job": (
        [
            pod(
                statuses=[status(state={"terminated": terminated(0, "Completed")})],
                phase="Succeeded",
                restart_policy="Never",
                owner=("Job", "nightly"),
            )
        ],
        "exit_success",
        "info",
        "high",
    ),
    # waiting reasons
    "image pull": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "ImagePullBackOff",
                                "message": 'Back-off pulling image "ghcr.io/acme/app:1.0"',
                            }
                        }
                    )
                ]
            ),
            event(
                "Failed",
                'Failed to pull image "ghcr.io/acme/app:1.0": rpc error: code = NotFound '
                "desc = failed to pull and unpack image: not found",
                type_="Warning",
            ),
        ],
        "image_pull_error",
        "critical",
        "high",
    ),
    "invalid image": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "InvalidImageName",
                                "message": 'Failed to apply default image tag "Acme/App": invalid reference',
                            }
                        }
                    )
                ]
            )
        ],
        "invalid_image_name",
        None,
        None,
    ),
    "missing secret": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "CreateContainerConfigError",
                                "message": 'secret "db-creds" not found',
                            }
                        }
                    )
                ]
            )
        ],
        "config_error",
        "critical",
        "high",
    ),
    "postStart": (
        [
            pod(
                statuses=[
                    status(
                        state={
                            "waiting": {
                                "reason": "PostStartHookError",
                                "message": 'Exec lifecycle hook ([/bin/sh -c /hook]) for Container "app" in Pod '
                                '"web-1_prod(uid)" failed - error: command terminated, message: ""',
                            }
                        }
                    )
                ]
            )
        ],
        "lifecycle_hook_failed",
        None,
        None,
    ),
    # pod-level causes come first
    "evicted memory": (
        [
            pod(
                phase="Failed",
                reason="Evicted",
                message="The node was low on resource: memory. "
                "Threshold quantity: 100Mi, available: 80Mi. Container app was using 900Mi, request "
                "is 512Mi, has larger consumption of memory. ",
                statuses=[status(state={"terminated": terminated(137)})],
            )
        ],
        "evicted",
        "critical",
        "high",
    ),
    "eviction api": (
        [
            pod(
                phase="Failed",
                conditions=[
                    {
                        "type": "DisruptionTarget",
                        "status": "True",
                        "reason": "EvictionByEvictionAPI",
                        "message": "Eviction API: evicting",
                    }
                ],
                statuses=[status(state={"terminated": terminated(0, "Completed")})],
                deletionTimestamp="2026-11-20T09:59:50Z",
            )
        ],
        "eviction_api",
        "info",
        "high",
    ),
    "preempted": (
        [
            pod(
                phase="Failed",
                conditions=[
                    {
                        "type": "DisruptionTarget",
                        "status": "True",
                        "reason": "PreemptionByScheduler",
                        "message": "default-scheduler: preempting to accommodate a higher priority pod",
                    }
                ],
                statuses=[status(state={"terminated": terminated(143)})],
            )
        ],
        "preempted",
        None,
        "high",
    ),
    "node shutdown": (
        [
            pod(
                phase="Failed",
                reason="Terminated",
                message="Pod was terminated in response to imminent node shutdown.",
                statuses=[status(state={"terminated": terminated(143)})],
            )
        ],
        "node_shutdown",
        "warning",
        "high",
    ),
    "node lost": (
        [
            pod(
                phase="Failed",
                conditions=[
                    {
                        "type": "DisruptionTarget",
                        "status": "True",
                        "reason": "DeletionByTaintManager",
                        "message": "Taint manager: deleting due to NoExecute taint",
                    }
                ],
                deletionTimestamp="2026-11-20T10:00:00Z",
            )
        ],
        "node_lost",
        None,
        "high",
    ),
    "admission": (
        [
            pod(
                phase="Failed",
                reason="OutOfcpu",
                message="Pod was rejected: Node didn't have enough "
                "resource: cpu, requested: 4000, used: 7500, capacity: 8000",
                statuses=[],
            )
        ],
        "admission_rejected",
        "critical",
        "high",
    ),
    "unschedulable": (
        [
            pod(
                phase="Pending",
                node="",
                statuses=[],
                conditions=[
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": "0/3 nodes are available: 3 Insufficient memory.",
                    }
                ],
            )
        ],
        "unschedulable",
        "critical",
        "high",
    ),
    "pod deadline": (
        [
            pod(
                phase="Failed",
                reason="DeadlineExceeded",
                message="Pod was active on the node longer than the specified deadline",
                statuses=[status(state={"terminated": terminated(137)})],
            )
        ],
        "deadline_exceeded",
        None,
        "high",
    ),
    "job backoff": (
        failed_job_pod(
            "etl-x", "etl", 1, "BackoffLimitExceeded", "Job has reached the specified backoff limit"
        ),
        "job_backoff_limit",
        "critical",
        "high",
    ),
    "job deadline": (
        failed_job_pod(
            "etl-y",
            "etl2",
            143,
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        ),
        "job_deadline_exceeded",
        None,
        "high",
    ),
    "job pod failure policy": (
        failed_job_pod(
            "etl-z",
            "etl3",
            42,
            "PodFailurePolicy",
            "Container app for pod batch/etl-z failed with exit code 42 matching FailJob rule at index 0",
        ),
        "job_pod_failure_policy",
        None,
        "high",
    ),
    "regular sidecar blocks a Job": (
        [
            pod(
                "report-2",
                "batch",
                restart_policy="Never",
                owner=("Job", "report"),
                containers=[spec_container("main"), spec_container("proxy")],
                statuses=[
                    status("main", state={"terminated": terminated(0, "Completed")}),
                    status("proxy", ready=True),
                ],
            )
        ],
        "sidecar_blocks_completion",
        "critical",
        "high",
    ),
    # events alone: the status still reads ContainerCreating
    "missing secret volume": (
        [
            pod(
                phase="Pending",
                statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})],
            ),
            event(
                "FailedMount",
                'MountVolume.SetUp failed for volume "certs" : secret "tls-certs" not found',
                container=None,
                type_="Warning",
                count=9,
            ),
        ],
        "volume_mount_failed",
        "critical",
        "high",
    ),
    "cni cannot set up the sandbox": (
        [
            pod(
                phase="Pending",
                statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})],
            ),
            event(
                "FailedCreatePodSandBox",
                "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup "
                'network for sandbox "4f1c": plugin type="calico" failed (add): error getting '
                "ClusterInformation: connection is unauthorized: Unauthorized",
                container=None,
                type_="Warning",
            ),
        ],
        "sandbox_failed",
        "critical",
        "high",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_primary_cause(case):
    objects, cause, severity, confidence = CASES[case]
    d = one(*objects)
    assert d.findings, f"{case}: no finding"
    primary = d.findings[0]
    assert primary.cause == cause, primary
    if severity:
        assert primary.severity == severity, primary
    if confidence:
        assert primary.confidence == confidence, primary


def test_oom_with_other_code_says_the_code_disagrees():
    d = one(crashing(terminated(1, "OOMKilled")))
    f = d.findings[0]
    assert "child" in f.summary and f.exit_code == 1
    assert f.detail and "disagrees" in f.detail


def test_137_error_is_never_called_oom_without_node_evidence():
    d = one(crashing(terminated(137)), event("Pulled", "ok"))
    f = d.findings[0]
    assert f.cause == "sigkill"
    assert "OOMKilled" in f.summary and "oom" not in f.cause
    assert any("possible senders" in e for e in f.evidence)


def test_init_container_failure_is_primary():
    d = one(
        pod(
            init=[spec_container("migrate")],
            init_statuses=[
                status(
                    "migrate",
                    state=crashloop("migrate"),
                    last=terminated(137, "OOMKilled"),
                    restarts=3,
                )
            ],
            statuses=[status(state={"waiting": {"reason": "PodInitializing"}})],
            phase="Pending",
        )
    )
    assert [(f.container, f.cause) for f in d.findings] == [("migrate", "oom_killed")]
    assert d.findings[0].container_type == "init"


def test_succeeded_pod_sidecar_kill_is_not_a_failure():
    d = one(
        pod(
            phase="Succeeded",
            restart_policy="Never",
            owner=("Job", "report"),
            init=[spec_container("proxy", restart_policy="Always")],
            init_statuses=[status("proxy", state={"terminated": terminated(137)})],
            statuses=[status(state={"terminated": terminated(0, "Completed")})],
        )
    )
    by_container = {f.container: f for f in d.findings}
    assert by_container["proxy"].container_type == "sidecar"
    assert {f.severity for f in d.findings} == {"info"}
    assert by_container["app"].cause == "exit_success"


def test_regular_sidecar_blocks_job_completion():
    d = one(*CASES["regular sidecar blocks a Job"][0])
    assert d.findings[0].container is None and d.findings[0].container_type == "pod"
    assert "proxy" in d.findings[0].summary
    assert [f.cause for f in d.findings[1:]] == ["exit_success"]


def test_evicted_pod_lists_the_container_after_the_pod_cause():
    d = one(
        pod(
            phase="Failed",
            reason="Evicted",
            message="The node was low on resource: ephemeral-storage. ",
            statuses=[
                status(
                    state={
                        "terminated": terminated(
                            137,
                            "ContainerStatusUnknown",
                            "The container could not be located when the pod was terminated",
                        )
                    }
                )
            ],
        )
    )
    assert [f.cause for f in d.findings] == ["evicted", "container_status_unknown"]
    assert d.findings[0].detail == "ephemeral-storage"
    assert d.findings[1].severity == "info"


def test_healthy_pod_has_no_findings():
    assert one(pod()).findings == ()


def test_events_of_a_previous_pod_with_the_same_name_are_not_used():
    stale = event("Killing", LIVENESS_KILL)
    stale["involvedObject"]["uid"] = "uid-of-an-older-pod"
    d = one(crashing(terminated(137)), stale)
    assert d.findings[0].cause == "sigkill"


def test_sparse_objects_still_get_a_diagnosis():
    bare = {
        "kind": "Pod",
        "status": {
            "containerStatuses": [
                {"lastState": {"terminated": {"exitCode": "137"}}, "restartCount": "x"}
            ]
        },
    }
    (d,) = diagnose_objects(bare)
    assert d.findings[0].cause == "sigkill" and d.findings[0].confidence == "low"


def test_every_evidence_line_names_its_source():
    for case, (objects, *_rest) in CASES.items():
        for f in one(*objects).findings:
            for line in f.evidence:
                head = line.split(":", 1)[0]
                assert head.startswith(
                    (
                        "status.",
                        "spec.",
                        "metadata.",
                        "event ",
                        "node ",
                        "job ",
                        "previous log",
                        "possible senders",
                        "pod spec",
                        "no events",
                        "exit code",
                        "budget",  # derived from the spec's settings and limit
                        "assumed",  # a documented need, stated as the assumption it is
                    )
                ), (case, line)


def test_next_steps_name_the_pod():
    f = one(crashing(terminated(1))).findings[0]
    assert any("kubectl logs web-1 -n prod -c app --previous" in s for s in f.next_steps)


@pytest.mark.parametrize("code", [0, 1, 2, 42, 125, 126, 127, 128, 137, 139, 143, 159, 255, 300])
def test_any_code_under_any_state_has_one_cause(code):
    for st in (crashloop(), {"running": {}}, {"terminated": terminated(code)}):
        d = one(pod(statuses=[status(state=st, last=terminated(code), restarts=1)]))
        assert len([f for f in d.findings if f.container == "app"]) == 1


def test_as_list_roundtrip_for_files(tmp_path):
    # the same objects through the file source give the same diagnosis as the join
    import json

    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sources.files import FileSource

    objects = CASES["liveness kill 137"][0]
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(as_list(*objects)))
    (p,) = list(FileSource(str(path)).sweep(None, None, False))
    assert diagnose(p).findings[0].cause == "liveness_probe_kill"


# --- review findings: each of these once came out wrong --------------------------------------


def test_a_finished_init_container_is_not_a_restart_loop():
    d = one(
        pod(
            init=[spec_container("migrate")],
            init_statuses=[status("migrate", state={"terminated": terminated(0, "Completed")})],
            statuses=[status(ready=True)],
        )
    )
    assert [(f.container, f.cause, f.severity) for f in d.findings] == [
        ("migrate", "exit_success", "info")
    ]


def test_oom_at_the_limit_is_not_blamed_on_an_unrelated_system_oom():
    d = one(
        crashing(terminated(137, "OOMKilled"), containers=[spec_container()]),
        node_event(
            "SystemOOM", "System OOM encountered, victim process: systemd-journal, pid: 312"
        ),
    )
    assert d.findings[0].cause == "oom_killed"


def test_npd_cgroup_oom_lines_prove_nothing_about_the_node():
    d = one(
        crashing(terminated(137, "OOMKilled")),
        node_event(
            "OOMKilling",
            "Memory cgroup out of memory: Killed process 4121 (app) "
            "total-vm:1000kB, anon-rss:900kB, file-rss:0kB",
        ),
    )
    assert d.findings[0].cause == "oom_killed"


def test_a_pod_level_memory_limit_is_a_limit():
    p = crashing(terminated(137, "OOMKilled"), containers=[spec_container(memory=None)])
    p["spec"]["resources"] = {"limits": {"memory": "1Gi"}}
    assert one(p).findings[0].cause == "oom_killed"


def test_a_liveness_kill_beats_node_memory_pressure():
    d = one(
        crashing(terminated(137), containers=[spec_container(liveness=True)]),
        node(memory_pressure=True),
        event("Killing", LIVENESS_KILL),
    )
    assert d.findings[0].cause == "liveness_probe_kill"


def test_an_eviction_kill_is_not_a_node_oom():
    d = one(
        pod(
            phase="Failed",
            reason="Evicted",
            message="The node was low on resource: memory. ",
            statuses=[status(state={"terminated": terminated(137)})],
        ),
        node(memory_pressure=True),
    )
    assert [f.cause for f in d.findings] == ["evicted", "sigkill"]


def test_two_workers_are_not_surely_a_blocking_sidecar():
    d = one(
        pod(
            "shards-1",
            "batch",
            restart_policy="Never",
            owner=("Job", "shards"),
            containers=[spec_container("shard-a"), spec_container("shard-b")],
            statuses=[
                status("shard-a", state={"terminated": terminated(0, "Completed")}),
                status("shard-b", ready=True),
            ],
        )
    )
    f = d.findings[0]
    assert (f.cause, f.severity, f.confidence) == ("sidecar_blocks_completion", "warning", "medium")


def test_one_unhealthy_event_does_not_override_a_stop():
    d = one(
        pod(
            containers=[spec_container(liveness=True)],
            statuses=[status(state={"terminated": terminated(137)})],
            deletionTimestamp="2026-11-20T09:59:55Z",
            deletionGracePeriodSeconds=30,
        ),
        event("Killing", "Stopping container app", last="2026-11-20T09:59:25Z"),
        event(
            "Unhealthy",
            "Liveness probe failed: timeout",
            type_="Warning",
            last="2026-11-20T09:59:40Z",
        ),
    )
    assert d.findings[0].cause == "grace_period_exceeded"


def test_a_graceful_exit_before_the_deletion_timestamp_counts_as_the_stop():
    # deletionTimestamp = request time + grace: asked at 09:59:59, exited at 10:00:00
    d = one(
        pod(
            statuses=[status(state={"terminated": terminated(143)})],
            deletionTimestamp="2026-11-20T10:00:29Z",
            deletionGracePeriodSeconds=30,
        )
    )
    f = d.findings[0]
    assert (f.cause, f.severity) == ("sigterm", "info")
    assert any(e.startswith("metadata.deletionTimestamp") for e in f.evidence)


@pytest.mark.parametrize(
    "code,message,cause",
    [
        (255, "open /etc/app/config.yaml: no such file or directory", "exit_255"),
        (1, "fork/exec /plugins/foo: exec format error", "app_error"),
        (255, "exec /app/server: exec format error", "exec_format_error"),
        (
            1,
            "standard_init_linux.go:228: exec user process caused: exec format error",
            "exec_format_error",
        ),
    ],
)
def test_start_errors_are_read_only_in_runc_shape(code, message, cause):
    assert one(crashing(terminated(code, "Error", message))).findings[0].cause == cause


def test_an_ended_debug_container_is_info():
    p = pod(statuses=[status(ready=True)])
    p["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox"}]
    p["status"]["ephemeralContainerStatuses"] = [
        status("debugger", state={"terminated": terminated(130)})
    ]
    assert [(f.container_type, f.severity) for f in one(p).findings] == [("ephemeral", "info")]


def test_a_failed_try_of_a_job_that_succeeded_is_a_warning():
    p = pod(
        "etl-9",
        "batch",
        phase="Failed",
        restart_policy="Never",
        owner=("Job", "etl"),
        statuses=[status(state={"terminated": terminated(1)})],
    )
    done = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "etl", "namespace": "batch"},
        "status": {"conditions": [{"type": "Complete", "status": "True"}]},
    }
    assert one(p, done).findings[0].severity == "warning"


def test_a_placeholder_137_has_no_signal():
    d = one(
        pod(
            phase="Failed",
            statuses=[
                status(
                    state={
                        "terminated": terminated(
                            137, "ContainerStatusUnknown", "The container could not be located"
                        )
                    }
                )
            ],
        )
    )
    assert d.findings[0].signal is None and d.findings[0].exit_code == 137


def test_events_k8s_io_v1_shape_is_read():
    e = event("Killing", LIVENESS_KILL)
    e["deprecatedLastTimestamp"] = e.pop("lastTimestamp")
    e["deprecatedFirstTimestamp"] = e.pop("firstTimestamp")
    e["deprecatedCount"] = e.pop("count")
    e["regarding"] = e.pop("involvedObject")
    e["note"] = e.pop("message")
    assert one(crashing(terminated(137)), e).findings[0].cause == "liveness_probe_kill"


@pytest.mark.parametrize(
    "starts,killing,shown,cause",
    [
        (3, "", False, "liveness_probe_kill"),
        (1, "", False, None),  # one start is no restart
        (3, None, False, None),  # no Killing event: the app may have died by itself
        (3, "Stopping container app", False, None),  # a stop, not a probe's kill
        (3, "", True, None),  # a status that says no restart outweighs the events
    ],
)
def test_liveness_failures_several_starts_and_a_kill_are_a_probe_kill(
    starts, killing, shown, cause
):
    """No status was posted, only events (nextcloud/helm#797): failures past the threshold, the
    container Started more than once in this pod (each Started event is one start), and a
    Killing event whose message was not kept are a probe kill, at medium. Each part missing
    claims nothing."""
    p = pod(containers=[spec_container(liveness=True)], statuses=[status()] if shown else [])
    events_ = [
        event("Unhealthy", "Liveness probe failed: connection refused", type_="Warning", count=9),
        event("Started", "Started container app", count=starts),
    ]
    if killing is not None:
        events_.append(event("Killing", killing, count=starts))
    found = [(f.cause, f.confidence) for f in one(p, *events_).findings]
    if cause is None:
        assert not any(c == "liveness_probe_kill" for c, _ in found), found
    else:
        assert found[0] == (cause, "medium"), found


def _pull(message: str, image: str = "registry.acme.test:5000/app:1.0"):
    """A pod in ImagePullBackOff whose status kept no image (a pasted describe), and the
    kubelet's two Failed events of a pull: the error, then 'Error: ErrImagePull'."""
    p = pod(statuses=[status(state={"waiting": {"reason": "ImagePullBackOff"}})])
    for s in p["status"]["containerStatuses"]:
        s.pop("image", None)
    for c in p["spec"]["containers"]:
        c.pop("image", None)
    failed = event("Failed", f'Failed to pull image "{image}": {message}', type_="Warning")
    generic = event("Failed", "Error: ErrImagePull", type_="Warning", last="2026-11-20T09:59:41Z")
    generic["metadata"]["name"] += "-2"
    return one(p, failed, generic).findings[0]


def test_a_registry_certificate_the_node_does_not_trust_is_said_with_its_own_steps():
    f = _pull(
        "rpc error: code = Unknown desc = Get https://registry.acme.test:5000/v2/: x509: "
        "certificate signed by unknown authority"
    )
    assert f.cause == "image_pull_error"
    assert f.summary == (
        "cannot pull image registry.acme.test:5000/app:1.0: the node does not trust the "
        "registry's TLS certificate"
    )
    assert "certs.d/registry.acme.test:5000/ca.crt" in f.next_steps[0]
    assert not any("imagePullSecrets" in step for step in f.next_steps)


def test_a_pull_error_names_the_image_from_the_events_and_reads_the_error_not_the_echo():
    f = _pull("rpc error: code = NotFound desc = manifest unknown", image="acme/app:2")
    assert f.summary == "cannot pull image acme/app:2: the image or tag does not exist"
    assert any("imagePullSecrets" in step for step in f.next_steps)  # the cause's own steps


def test_a_probe_failure_with_no_output_is_not_quoted_as_an_empty_reason():
    """An exec or gRPC probe that prints nothing: the kubelet's message is 'Liveness probe
    failed:' and nothing after it, which the summary does not quote."""
    d = one(
        pod(containers=[spec_container(liveness=True)], statuses=[status(restarts=3)]),
        event("Unhealthy", "Liveness probe failed:", type_="Warning", count=6),
    )
    f = d.findings[0]
    assert f.cause == "liveness_probe_kill"
    assert f.summary == (
        "killed by the kubelet after failed liveness probes; lastState was not kept, the "
        "events tell it"
    )


def _config(message: str, *events_):
    waiting = {"reason": "CreateContainerConfigError", "message": message}
    return one(pod(statuses=[status(state={"waiting": waiting})]), *events_).findings[0]


def test_a_config_error_without_its_message_is_read_from_the_kubelets_failed_event():
    f = _config("", event("Failed", 'Error: secret "db-creds" not found', type_="Warning"))
    assert (f.cause, f.summary) == ("config_error", "secret 'db-creds' is missing")
    assert f.next_steps == (
        "Create secret db-creds in the pod's namespace, or correct the pod spec's reference to "
        "it (env, envFrom): kubectl get secret db-creds -n prod",
    )


def test_a_missing_key_is_looked_at_by_its_name_and_namespace_and_never_its_values():
    f = _config("couldn't find key DB_PASSWORD in Secret prod/db-creds")
    assert f.summary == "key DB_PASSWORD is missing from Secret prod/db-creds"
    assert f.next_steps[0].endswith("kubectl describe secret db-creds -n prod")
    assert not any("-o yaml" in step or "runAsNonRoot" in step for step in f.next_steps)


def test_run_as_non_root_gets_its_own_step_only():
    f = _config("container has runAsNonRoot and image will run as root (pod: web-1)")
    assert [("runAsNonRoot" in step) for step in f.next_steps] == [True]


def _mounts(*messages: str):
    """A pod waiting in ContainerCreating and its FailedMount events, the last one latest."""
    events_ = []
    for i, message in enumerate(messages):
        e = event(
            "FailedMount",
            message,
            container=None,
            type_="Warning",
            last=f"2026-11-20T09:5{i}:00Z",
        )
        e["metadata"]["name"] += f"-{i}"
        events_.append(e)
    waiting = status(state={"waiting": {"reason": "ContainerCreating"}})
    return one(pod(phase="Pending", statuses=[waiting]), *events_).findings[0]


TIMED_OUT = (
    "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data]: "
    "timed out waiting for the condition"
)


def test_a_mount_says_the_operations_own_error_not_the_wait_that_wraps_it():
    f = _mounts(
        'MountVolume.SetUp failed for volume "data" : mount failed: exit status 32, wrong fs '
        "type, bad option, bad superblock on /dev/rbd2",
        TIMED_OUT,
    )
    assert f.cause == "volume_mount_failed"
    assert f.summary == (
        'cannot mount volume "data": mount failed: exit status 32, wrong fs type, bad option, '
        "bad superblock on /dev/rbd2"
    )


def test_a_named_cause_outranks_a_later_timeout_and_the_timeout_alone_is_said():
    f = _mounts(
        'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one '
        "node and can't be attached to another",
        TIMED_OUT,
    )
    assert f.summary == (
        'cannot mount volume "pvc-1": Multi-Attach: the volume is still attached to another node'
    )
    assert [step.split(":")[0] for step in f.next_steps] == ["Read the mount error", "Multi-Attach"]
    assert _mounts(TIMED_OUT).summary == "cannot mount a volume: timed out waiting for the volume"


@pytest.mark.parametrize(
    "message,cause",
    [
        (
            "The node was low on resource: ephemeral-storage. Container app was using 82Ki, "
            "which exceeds its request of 0. ",
            "evicted",
        ),
        ("the node was low on disk, maybe", None),  # not the eviction manager's words
        ('Container app exceeded its local ephemeral storage limit "500Mi". ', "evicted"),
        (
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ",
            "evicted",
        ),
        ('Usage of EmptyDir volume "cache" exceeds the limit "1Gi". ', "evicted"),
    ],
)
def test_an_eviction_known_only_by_its_message_is_an_eviction(message, cause):
    """A post that kept only the kubelet's eviction message, neither the reason nor an event:
    its wording (nodeLowMessageFmt) says it, at medium confidence."""
    p = pod(phase="Failed", statuses=[])
    p["status"]["message"] = message
    d = one(p)
    found = [(f.cause, f.confidence) for f in d.findings]
    if cause is None:
        assert ("evicted", "medium") not in found, found
    else:
        assert found[0] == (cause, "medium"), found
        assert "ephemeral-storage" in d.findings[0].summary


def test_a_missing_configmap_volume_gets_its_own_step_not_every_kind():
    f = _mounts('MountVolume.SetUp failed for volume "cfg" : configmap "app-cfg" not found')
    (step,) = f.next_steps[1:]
    assert step.startswith(
        "Create configmap app-cfg in the pod's namespace, or correct the pod spec's volume that "
        "names it: kubectl get configmap app-cfg -n prod. Where a controller is meant to make it"
    )
    assert "Multi-Attach" not in step and "PVC" not in step


def test_a_rate_limited_pull_is_told_to_pull_with_credentials_or_mirror_not_to_check_the_tag():
    f = _pull(
        "rpc error: code = Unknown desc = toomanyrequests: You have reached your pull rate limit.",
        image="docker.io/obsidiandynamics/kafdrop:latest",
    )
    assert f.summary.endswith(": the registry's rate limit was hit")
    assert f.next_steps[0].startswith("Pull with credentials")
    assert not any("tag exist" in step for step in f.next_steps)


def test_a_volume_problem_that_cleared_gives_way_to_the_later_error():
    """A Multi-Attach, then the volume attached, then the mount fails on the filesystem: the
    later error is what is wrong now (and a missing Secret that was since created, likewise)."""
    later = (
        'MountVolume.MountDevice failed for volume "pvc-1" : rpc error: code = Internal desc = '
        "failed to mount volume /dev/nvme2n1 [xfs]: wrong fs type, bad option, bad superblock"
    )
    for earlier in (
        'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one '
        "node and can't be attached to another",
        'MountVolume.SetUp failed for volume "pvc-1" : secret "web-tls" not found',
    ):
        f = _mounts(earlier, later, TIMED_OUT)
        assert "wrong fs type" in f.summary and "Multi-Attach" not in f.summary, f.summary
        assert "not found" not in f.summary, f.summary


def test_two_problems_named_keep_every_kinds_steps():
    f = _mounts(
        'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found',
        'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one '
        "node and can't be attached to another",
    )
    assert "Multi-Attach" in f.summary
    assert any(step.startswith("A missing Secret or ConfigMap") for step in f.next_steps)
    assert "type=Warning" in f.next_steps[0]  # FailedAttachVolume too, not FailedMount alone


@pytest.mark.parametrize(
    "message,summary",
    [
        ('configmaps "app-cfg" not found', 'configmap "app-cfg" not found'),
        ('persistentvolumeclaims "data" not found', 'persistentvolumeclaim "data" not found'),
        ("PVC is not bound", "the PersistentVolumeClaim is not bound"),
    ],
)
def test_plural_and_other_wordings_of_a_volume_problem(message, summary):
    f = _mounts(f'MountVolume.SetUp failed for volume "v" : {message}')
    assert f.summary.endswith(summary), f.summary


@pytest.mark.parametrize(
    "error,said,trust",
    [
        ("x509: certificate signed by unknown authority", "does not trust", True),
        (
            "tls: failed to verify certificate: x509: certificate is valid for a.test, not b.test",
            "for another host name",
            False,
        ),
        (
            "x509: certificate has expired or is not yet valid: current time 2026-11-20 is after "
            "2026-01-01",
            "has expired",
            False,
        ),
    ],
)
def test_only_an_unknown_authority_is_a_trust_store_problem(error, said, trust):
    f = _pull(f"rpc error: code = Unknown desc = Get https://b.test/v2/: {error}")
    assert said in f.summary, f.summary
    assert f.next_steps[0].startswith("Make the container runtime") is trust
    assert f.detail is not None and said in f.detail  # the table's DETAIL says it too


def test_a_docker_hub_image_names_docker_io_in_the_trust_step():
    f = _pull("x509: certificate signed by unknown authority", image="nginx:1.25")
    assert "/etc/containers/certs.d/docker.io/ca.crt" in f.next_steps[0]


def test_a_config_error_is_not_read_from_a_pull_event():
    f = _config(
        "",
        event("Failed", "Error: ImagePullBackOff", type_="Warning"),
    )
    assert f.summary == "the kubelet could not build the container configuration"
    assert not any("ImagePullBackOff" in line for line in f.evidence)


def test_a_missing_secret_in_the_apis_plural_wording_is_named():
    f = _config('secrets "db-creds" not found')
    assert f.summary == "secret 'db-creds' is missing"


def test_a_failed_mount_says_what_the_mount_printed():
    f = _mounts(
        'MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32\n'
        "Mounting command: mount\nMounting arguments: -t nfs 10.0.0.5:/export /var/lib/kubelet/x\n"
        "Output: mount.nfs: access denied by server while mounting 10.0.0.5:/export\n"
    )
    assert f.summary == (
        'cannot mount volume "nfs": mount failed: exit status 32 (mount.nfs: access denied by '
        "server while mounting 10.0.0.5:/export)"
    )


def test_a_probe_answered_404_is_told_its_path_is_not_served_first():
    d = one(
        pod(containers=[spec_container(liveness=True)], statuses=[status(restarts=3)]),
        event(
            "Unhealthy",
            "Liveness probe failed: HTTP probe failed with statuscode: 404",
            type_="Warning",
            count=6,
        ),
    )
    f = d.findings[0]
    assert f.cause == "liveness_probe_kill"
    assert f.next_steps[0].startswith("The probe's path is not served (HTTP 404)")


def _init_looping(
    log: list, *, restart_policy="Always", sidecar=False, kind="init", state="CrashLoopBackOff"
):
    """A pod whose init container "setup" is in back-off with no termination kept, and its
    previous log (vault-helm#972, reportportal/kubernetes#335 in the corpus)."""
    from kubectl_exitwhy.evidence import with_logs

    now = {"waiting": {"reason": state}} if state else {"running": {}}
    waiting = status("setup", state=now, restarts=5)
    spec = {"name": "setup", "image": "busybox"}
    if sidecar:
        spec["restartPolicy"] = "Always"
    if kind == "init":
        p = pod(phase="Pending", init=[spec], init_statuses=[waiting], statuses=[])
    else:
        p = pod(containers=[spec], statuses=[waiting])
    p["spec"]["restartPolicy"] = restart_policy
    from kubectl_exitwhy.sources.join import EventIndex, assemble

    (built,) = assemble([p], EventIndex(), events_known=True)
    from kubectl_exitwhy.engine import diagnose

    return diagnose(with_logs(built, {"setup": log})).findings[0]


def test_an_init_container_in_back_off_failed_and_its_log_says_how():
    f = _init_looping(["chown: /vault/logs: Operation not permitted"])
    assert (f.cause, f.confidence, f.container) == ("app_error", "low", "setup")
    assert f.summary.endswith(": chown: /vault/logs: Operation not permitted")


@pytest.mark.parametrize(
    "log,options",
    [
        ([], {}),  # no log read: nothing says how
        (["chown: /x: Operation not permitted"], {"sidecar": True}),  # restarts on any exit
        (["chown: /x: Operation not permitted"], {"kind": "regular"}),  # may have exited 0
        (["copied 3 files; done"], {"state": None}),  # run again by a new sandbox, not failed
        ([" .", "\x1b[0m"], {}),  # nothing said
    ],
)
def test_no_failure_is_claimed_where_the_init_rule_does_not_hold(log, options):
    f = _init_looping(log, **options)
    assert f.cause != "app_error", f.summary
