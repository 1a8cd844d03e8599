"""When the status record is not enough: events without fieldPath or time, partial objects, log
signatures, timing, and the rule that a broken pod is never met with silence."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from builders import (
    crashloop,
    diagnose_objects,
    event,
    job,
    pod,
    spec_container,
    status,
    terminated,
)
from kubectl_exitwhy import logsigs
from kubectl_exitwhy.engine import diagnose
from kubectl_exitwhy.evidence import build_pod
from kubectl_exitwhy.sources.join import EventIndex, assemble, needs_diagnosis
from kubectl_exitwhy.sources.logs import targets

LIVENESS = "Container api failed liveness probe, will be restarted"


def one(*objects, logs=None, observed=None):
    pods = [o for o in objects if o.get("kind") == "Pod"]
    index = EventIndex()
    index.add_all(o for o in objects if o.get("kind") == "Event")
    jobs = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o
        for o in objects
        if o.get("kind") == "Job"
    }
    key = (pods[0]["metadata"]["namespace"], pods[0]["metadata"]["name"])
    (p,) = assemble(
        pods,
        index,
        events_known=index.count > 0,
        jobs=jobs,
        logs={key: logs or {}},
        observed=observed,
    )
    return diagnose(p)


def bare(e: dict, *, timeless: bool = False) -> dict:
    """The event as `kubectl describe` shows it: no fieldPath, no uid (and no time)."""
    e = {
        **e,
        "involvedObject": {
            k: v for k, v in e["involvedObject"].items() if k not in ("fieldPath", "uid")
        },
    }
    if timeless:
        for k in ("firstTimestamp", "lastTimestamp"):
            e.pop(k, None)
    return e


def waiting(reason="ContainerCreating"):
    return {"waiting": {"reason": reason}}


TWO = [spec_container("api", liveness=True), spec_container("proxy")]


# --- events attach to their container without fieldPath --------------------------------------


def test_the_name_in_the_message_picks_the_container():
    d = one(
        pod(
            containers=TWO,
            statuses=[
                status("api", state=crashloop("api"), last=terminated(137), restarts=3),
                status("proxy", ready=True),
            ],
        ),
        bare(event("Killing", LIVENESS, container="api")),
    )
    assert (d.findings[0].container, d.findings[0].cause) == ("api", "liveness_probe_kill")
    assert any("by name in the message" in line for line in d.findings[0].evidence)


def test_an_unhealthy_event_goes_to_the_only_container_with_that_probe():
    d = one(
        pod(
            containers=TWO,
            statuses=[
                status("api", state=crashloop("api"), last=terminated(137), restarts=3),
                status("proxy", ready=True),
            ],
        ),
        bare(
            event(
                "Unhealthy",
                "Liveness probe failed: HTTP probe failed with statuscode: 500",
                type_="Warning",
                count=9,
            )
        ),
    )
    assert d.findings[0].cause == "liveness_probe_kill"
    assert d.findings[0].confidence == "medium"  # no Killing event: inferred from the failures


def test_a_pull_error_goes_to_the_container_with_that_image():
    c = [spec_container("api"), {"name": "proxy", "image": "envoyproxy/envoy:v1.30"}]
    d = one(
        pod(
            phase="Pending",
            containers=c,
            statuses=[status("api", state=waiting()), status("proxy", state=waiting())],
        ),
        bare(
            event(
                "Failed",
                'Failed to pull image "docker.io/envoyproxy/envoy:v1.30": not found',
                type_="Warning",
            )
        ),
    )
    assert (d.findings[0].container, d.findings[0].cause) == ("proxy", "image_pull_error")


def test_a_failure_with_no_name_goes_to_the_only_container_not_started():
    d = one(
        pod(
            phase="Pending",
            containers=TWO,
            statuses=[status("api", state=waiting()), status("proxy", ready=True)],
        ),
        bare(
            event(
                "Failed",
                'Error: failed to create containerd task: OCI runtime create failed: exec: "/srv/api": permission denied: unknown',
                type_="Warning",
            )
        ),
    )
    assert (d.findings[0].container, d.findings[0].cause) == ("api", "command_not_executable")


def test_a_pod_saved_without_spec_or_status_still_gets_its_events_read():
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "prod"}}
    d = one(p, bare(event("Failed", "Error: ErrImagePull", type_="Warning")))
    assert d.findings[0].cause == "image_pull_error" and d.findings[0].container is None


def test_kubernetes_1_0_lower_case_reasons_are_read():
    d = one(
        pod(phase="Pending", node="", statuses=[status(state={"waiting": {}})], PodScheduled=None),
        bare(
            event(
                "failedScheduling",
                "Failed for reason PodFitsResources and possibly others",
                type_="Warning",
                component="scheduler",
            )
        ),
    )
    assert d.findings[0].cause == "unschedulable"


def test_the_old_failedsync_form_names_container_and_reason():
    msg = (
        'Error syncing pod, skipping: failed to "StartContainer" for "app" with RunContainerError: '
        '"runContainer: Error response from daemon: oci runtime error: exec: \\"--config\\": executable file not found in $PATH"'
    )
    d = one(
        pod(phase="Pending", statuses=[]),
        bare(event("FailedSync", msg, type_="Warning", container=None)),
    )
    assert (d.findings[0].container, d.findings[0].cause) == ("app", "command_not_found")


# --- events without time count, at medium at most -----------------------------------------------


@pytest.mark.parametrize("timeless,confidence", [(False, "high"), (True, "medium")])
def test_a_killing_event_without_time_is_medium(timeless, confidence):
    d = one(
        pod(
            containers=[spec_container("api", liveness=True)],
            statuses=[status("api", state=crashloop("api"), last=terminated(137), restarts=3)],
        ),
        bare(event("Killing", LIVENESS, container="api"), timeless=timeless),
    )
    assert (d.findings[0].cause, d.findings[0].confidence) == ("liveness_probe_kill", confidence)


# --- the status says ContainerCreating; the Warning event says why --------------------------------


@pytest.mark.parametrize(
    "message,cause",
    [
        ('Failed to pull image "ghcr.io/acme/app:1.0": manifest unknown', "image_pull_error"),
        ("Error: container has runAsNonRoot and image will run as root", "config_error"),
        ('Error: secret "db" not found', "config_error"),
        (
            'Error: failed to create containerd task: OCI runtime create failed: exec: "/x": stat /x: no such file or directory: unknown',
            "command_not_found",
        ),
        ("Error: InvalidImageName", "invalid_image_name"),
    ],
)
def test_a_failed_event_names_the_waiting_error(message, cause):
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting())]),
        event("Failed", message, type_="Warning"),
    )
    assert d.findings[0].cause == cause


def test_an_old_pull_failure_says_nothing_once_the_container_runs():
    d = one(
        pod(statuses=[status(ready=True)]),
        event("Failed", 'Failed to pull image "x": timeout', type_="Warning"),
    )
    assert d.findings == ()


@pytest.mark.parametrize(
    "reason,message,cause",
    [
        (
            "FailedMount",
            'MountVolume.SetUp failed for volume "cfg" : configmap "app-cfg" not found',
            "volume_mount_failed",
        ),
        (
            "FailedAttachVolume",
            'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) db-0',
            "volume_mount_failed",
        ),
        (
            "FailedCreatePodSandBox",
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox",
            "sandbox_failed",
        ),
        (
            "NetworkNotReady",
            "network is not ready: container runtime network not ready: NetworkReady=false",
            "sandbox_failed",
        ),
        (
            "UnexpectedAdmissionError",
            "Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu",
            "admission_rejected",
        ),
    ],
)
def test_pod_events_decide_a_pod_that_cannot_start(reason, message, cause):
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting())]),
        event(reason, message, type_="Warning", container=None),
    )
    assert (d.findings[0].cause, d.findings[0].container) == (cause, None)


def test_the_sandbox_is_the_later_blocker_than_a_mount():
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting())]),
        event(
            "FailedMount",
            'MountVolume.SetUp failed for volume "x" : object "prod"/"kube-root-ca.crt" not registered',
            type_="Warning",
            container=None,
        ),
        event(
            "NetworkNotReady",
            "network is not ready: cni plugin not initialized",
            type_="Warning",
            container=None,
        ),
    )
    assert d.findings[0].cause == "sandbox_failed"


def test_a_mount_warning_on_a_running_pod_is_not_a_finding():
    d = one(
        pod(statuses=[status(ready=True)]),
        event(
            "FailedMount",
            'MountVolume.SetUp failed for volume "x" : timed out',
            type_="Warning",
            container=None,
        ),
    )
    assert d.findings == ()


def test_scheduling_events_without_the_condition():
    e = event(
        "FailedScheduling",
        "0/3 nodes are available: 3 Insufficient memory.",
        type_="Warning",
        container=None,
        component="default-scheduler",
    )
    unscheduled = one(pod(phase="Pending", node="", statuses=[]), e)
    assert (unscheduled.findings[0].cause, unscheduled.findings[0].confidence) == (
        "unschedulable",
        "medium",
    )
    later = one(
        pod(phase="Pending", node="", statuses=[]),
        e,
        event("Scheduled", "Successfully assigned prod/web-1 to n1", container=None),
    )
    assert [f.cause for f in later.findings] != ["unschedulable"]


def test_scheduling_events_with_a_condition_pasted_without_its_reason():
    # kubectl describe's Conditions table: "PodScheduled False", no reason
    e = event(
        "FailedScheduling",
        "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.",
        type_="Warning",
        container=None,
        component="default-scheduler",
    )
    p = pod(phase="Pending", node="", statuses=[])
    p["status"]["conditions"] = [{"type": "PodScheduled", "status": "False"}]
    (f,) = one(p, e).findings
    assert (f.cause, f.confidence) == ("unschedulable", "medium")
    assert "no reason shown" in " ".join(f.evidence)
    p["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Other"}]
    assert [x.cause for x in one(p, e).findings] != ["unschedulable"]  # a reason no rule reads


def test_a_job_known_only_by_its_controller_event():
    p = pod(
        "etl-x",
        "batch",
        phase="Failed",
        restart_policy="Never",
        owner=("Job", "etl"),
        statuses=[status(state={"terminated": terminated(1)})],
    )
    e = event(
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        pod_name="etl",
        ns="batch",
        kind="Job",
        container=None,
        type_="Warning",
    )
    d = one(p, e)
    assert d.findings[0].cause == "job_backoff_limit"


def test_hook_events_alone():
    d = one(
        pod(
            containers=[spec_container("api")],
            statuses=[status("api", state=crashloop("api"), restarts=2)],
        ),
        bare(
            event(
                "FailedPostStartHook",
                'Exec lifecycle hook ([/bin/sh -c x]) for Container "api" in Pod "web-1_prod(u)" failed - error: command exited with 137',
                type_="Warning",
            )
        ),
    )
    assert (d.findings[0].container, d.findings[0].cause) == ("api", "lifecycle_hook_failed")


# --- partial objects are read as partial ---------------------------------------------------------


def test_a_pasted_spec_excerpt_does_not_prove_there_is_no_limit():
    excerpt = {"name": "app", "image": "ghcr.io/acme/app:1.0"}  # no resources, no defaults
    p = pod(
        containers=[excerpt],
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=2)],
    )
    assert one(p).findings[0].cause == "oom_killed"


def test_a_spec_without_image_does_not_prove_there_is_no_limit():
    p = pod(
        containers=[{"name": "app"}],
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=2)],
    )
    d = one(p)
    assert (d.findings[0].cause, d.findings[0].confidence) == ("oom_killed", "medium")
    whole = pod(
        containers=[spec_container(memory=None)],
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=2)],
    )
    assert one(whole).findings[0].cause == "oom_node"


def test_a_last_state_means_at_least_one_restart():
    s = status(state={"running": {}}, last=terminated(1))
    del s["restartCount"]
    (c,) = build_pod(pod(statuses=[s])).containers
    assert (c.restart_count, c.restarts_known) == (1, False)


def test_a_missing_restart_policy_is_the_api_default():
    p = pod(statuses=[status(state=crashloop(), last=terminated(0, "Completed"), restarts=3)])
    del p["spec"]["restartPolicy"]
    assert one(p).findings[0].cause == "exit_success_restarted"


def test_completed_without_an_exit_code_is_zero():
    s = status(state=crashloop(), restarts=13)
    s["lastState"] = {"terminated": {"reason": "Completed"}}
    assert one(pod(statuses=[s])).findings[0].cause == "exit_success_restarted"


def test_missing_events_never_raise_confidence():
    p = pod(statuses=[status(state=crashloop(), last=terminated(143, "OOMKilled"), restarts=2)])
    stop = event("Killing", "Stopping container app", last="2026-11-20T09:59:50Z")
    with_events = one(p, stop).findings[0]
    without = diagnose_objects(p)[0].findings[0]
    rank = {"high": 2, "medium": 1, "low": 0}
    assert rank[without.confidence] <= rank[with_events.confidence]


# --- timing: a probe kill whose events expired ---------------------------------------------------


def probed(run_seconds: int, code: int = 137):
    c = spec_container("api")
    c["livenessProbe"] = {
        "httpGet": {"port": 8080},
        "initialDelaySeconds": 30,
        "periodSeconds": 10,
        "failureThreshold": 3,
    }
    started = "2026-11-20T09:00:00Z"
    finished = datetime.fromtimestamp(
        datetime(2026, 11, 20, 9, tzinfo=timezone.utc).timestamp() + run_seconds, timezone.utc
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    return pod(
        containers=[c],
        statuses=[
            status(
                "api",
                state=crashloop("api"),
                last=terminated(code, started=started, finished=finished),
                restarts=6,
            )
        ],
    )


@pytest.mark.parametrize(
    "run,code,cause",
    [
        (90, 137, "liveness_probe_kill"),  # 30 + 10 x 3, then the 30 s grace
        (60, 143, "liveness_probe_kill"),
        (600, 137, "sigkill"),
        (45, 137, "sigkill"),
        (5, 137, "sigkill"),
    ],
)
def test_a_run_time_that_matches_the_probe_budget(run, code, cause):
    (d,) = diagnose_objects(probed(run, code))  # no events saved: they would have told
    assert d.findings[0].cause == cause
    if cause == "liveness_probe_kill":
        assert d.findings[0].confidence == "medium"


def test_timing_is_not_used_when_the_events_were_read_and_say_nothing_of_a_probe():
    backoff = event(
        "BackOff",
        "Back-off restarting failed container api in pod web-1",
        type_="Warning",
        container="api",
        last="2026-11-20T09:02:00Z",
    )
    assert one(probed(90), backoff).findings[0].cause == "sigkill"


# --- log signatures ------------------------------------------------------------------------------


def crashed(code, reason="Error", ran_for_an_hour=False):
    start = "2026-11-20T09:00:00Z" if ran_for_an_hour else "2026-11-20T10:00:00Z"
    last = terminated(code, reason, started=start, finished="2026-11-20T10:00:00Z")
    return pod(statuses=[status(state=crashloop(), last=last, restarts=4)])


def test_an_exec_line_from_a_program_that_ran_for_an_hour_does_not_decide():
    line = 'level=error msg="plugin load failed" err="exec: /opt/plugins/resize: exec format error"'
    d = one(crashed(1, ran_for_an_hour=True), logs={"app": [line]})
    assert d.findings[0].cause == "app_error" and "exec format error" in (
        d.findings[0].detail or ""
    )


@pytest.mark.parametrize(
    "code,lines,cause",
    [
        (255, ["exec /usr/local/bin/app: exec format error"], "exec_format_error"),
        (
            1,
            ["standard_init_linux.go:228: exec user process caused: exec format error"],
            "exec_format_error",
        ),
        (255, ["exec /app/run.sh: no such file or directory"], "command_not_found"),
        (
            127,
            [
                "/app/bin: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory"
            ],
            "command_not_found",
        ),
        (
            1,
            ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
            "app_error",
        ),
        (255, ["exiting: connection refused"], "exit_255"),
    ],
)
def test_a_log_decides_or_sharpens(code, lines, cause):
    d = one(crashed(code), logs={"app": lines})
    assert d.findings[0].cause == cause
    assert any(line.startswith("previous log") for line in d.findings[0].evidence) == (
        cause != "exit_255"
    )


def test_a_log_line_from_the_program_does_not_decide_an_exec_failure():
    d = one(crashed(1), logs={"app": ["open /etc/app.yaml: no such file or directory"]})
    assert d.findings[0].cause == "app_error"


def test_with_no_exit_code_kept_the_log_is_the_evidence():
    p = pod(statuses=[status(state=crashloop(), restarts=3)])  # lastState lost
    d = one(
        p,
        logs={
            "app": [
                "Traceback (most recent call last):",
                '  File "x.py", line 1',
                "ModuleNotFoundError: No module named 'cv2'",
            ]
        },
    )
    f = d.findings[0]
    assert (f.cause, f.confidence) == ("app_error", "low")
    assert "ModuleNotFoundError" in (f.detail or "")


def test_signatures_scan_once_and_show_the_python_exception_line():
    hits = logsigs.scan(
        [
            "Traceback (most recent call last):",
            '  File "a.py"',
            "KeyError: 'x'",
            "Traceback (most recent call last):",
        ]
    )
    assert [(h.signature.id, h.line) for h in hits] == [("python_traceback", "KeyError: 'x'")]


@pytest.mark.parametrize(
    "line,sig",
    [
        ("sh: 1: /entrypoint.sh: Permission denied", "shell_permission"),  # dash, exec
        ("/bin/bash: /app/run: Permission denied", "shell_permission"),  # bash, exec
        # bash's "line N:" is a command the script runs or a redirect: the script's own error
        ("/scripts/backup.sh: line 12: /backup/1.state: Permission denied", "shell_file"),
        ("/scripts/backup.sh: 12: cannot create /backup/1.state: Permission denied", "shell_file"),
        ("sh: 1: cannot create /data/x: Directory nonexistent", "shell_file"),
        ('nginx: [emerg] open() "/run/nginx.pid" failed (13: Permission denied)', "nginx_emerg"),
        (
            '2024/01/02 10:00:00 [emerg] 1#1: unknown directive "servr" in /etc/nginx/x.conf',
            "nginx_emerg",
        ),
        ('time="2018-10-22T20:59:21Z" level=fatal msg="Invalid configuration"', "fatal_log"),
        ('{"level":"fatal","msg":"no database url"}', "fatal_log"),
        ("Error: -jar requires jar file specification", "jvm_no_jar"),
        ("Error: Unable to access jarfile /app/app.jar", "jvm_no_jar"),
    ],
)
def test_a_shell_line_tells_an_exec_from_a_scripts_own_failure(line, sig):
    hits = logsigs.scan([line])
    assert [h.signature.id for h in hits] == [sig]


@pytest.mark.parametrize(
    "line",
    [
        'level=info msg="fatal errors are counted"',  # the word, not the level
        "the launcher said: jar files are cached",
        "[emerg] is a level nginx writes",
    ],
)
def test_words_alone_are_not_signatures(line):
    assert logsigs.scan([line]) == ()


def test_with_no_exit_code_a_scripts_denied_write_is_its_own_error_not_the_entrypoint():
    p = pod(statuses=[status(state=crashloop(), restarts=3)])
    d = one(p, logs={"app": ["/scripts/backup.sh: line 12: /backup/x.state: Permission denied"]})
    f = d.findings[0]
    assert (f.cause, f.confidence) == ("app_error", "low")
    assert any("fsGroup" in step for step in f.next_steps)


def test_an_exit_1_with_a_fatal_log_line_gets_its_step():
    d = one(crashed(1), logs={"app": ['level=fatal msg="SYRINGE_TIER is a required variable"']})
    f = d.findings[0]
    assert f.cause == "app_error"
    assert "what stopped it" in f.next_steps[0]


# --- never silent about a broken pod ---------------------------------------------------------------

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def test_a_pod_pending_for_long_gets_a_finding():
    p = pod(phase="Pending", statuses=[status(state=waiting())])
    f = one(p, observed=NOW).findings  # created 08:00, two hours ago
    assert [(x.cause, x.severity) for x in f] == [("unknown", "critical")]


def test_a_pod_starting_now_is_not_a_finding():
    p = pod(phase="Pending", statuses=[status(state=waiting())])
    p["metadata"]["creationTimestamp"] = "2026-11-20T09:59:00Z"
    assert one(p, observed=NOW).findings == ()


def test_a_failed_pod_no_rule_explains_gets_a_finding():
    d = one(pod(phase="Failed", statuses=[]))
    assert d.findings[0].cause == "unknown"


def test_a_failed_try_of_a_job_that_succeeded_is_not_broken():
    p = pod(
        "etl-1", "batch", phase="Failed", restart_policy="Never", owner=("Job", "etl"), statuses=[]
    )
    done = job("etl", reason="Completed", message="done")
    done["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    assert one(p, done).findings == ()


def test_a_readiness_blip_on_a_ready_pod_is_not_a_finding():
    d = one(
        pod(statuses=[status(ready=True)]),
        event("Unhealthy", "Readiness probe failed: 503", type_="Warning"),
    )
    assert d.findings == ()


def test_the_sweep_looks_at_pods_that_warnings_concern():
    healthy = pod(statuses=[status(ready=True)])
    assert not needs_diagnosis(healthy)
    assert needs_diagnosis(healthy, warned=True)
    assert needs_diagnosis(pod(phase="Pending", statuses=[status(state=waiting())]))


# --- which logs the sweep reads --------------------------------------------------------------------


@pytest.mark.parametrize(
    "last,want",
    [
        (terminated(1), True),
        (terminated(255), True),
        (terminated(137, "OOMKilled"), False),
        (terminated(143), False),
        (terminated(0, "Completed"), False),
    ],
)
def test_the_sweep_reads_a_log_only_where_it_can_help(last, want):
    p = build_pod(pod(statuses=[status(state=crashloop(), last=last, restarts=2)]))
    assert bool(targets(p, useful_only=True)) == want
    assert targets(p, useful_only=False)  # the pod view reads every ended container's log


# --- found by an independent review: stale evidence, wrong container, noise ---------------------


def test_a_pull_failure_followed_by_a_pull_is_over():
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting())]),
        event(
            "Failed",
            'Failed to pull image "ghcr.io/acme/app:1.0": 429 toomanyrequests',
            type_="Warning",
            last="2026-11-20T09:00:30Z",
        ),
        event(
            "Pulled",
            'Successfully pulled image "ghcr.io/acme/app:1.0"',
            last="2026-11-20T09:01:30Z",
        ),
        event(
            "Failed",
            "Error: context deadline exceeded",
            type_="Warning",
            last="2026-11-20T09:20:00Z",
        ),
    )
    assert [f.cause for f in d.findings] == ["unknown"]  # the latest error is one no rule reads


def test_an_earlier_stage_failure_is_over_once_a_later_stage_shows():
    sandbox = event(
        "FailedCreatePodSandBox",
        "Failed to create pod sandbox: rpc error",
        type_="Warning",
        container=None,
        last="2026-11-20T09:00:02Z",
    )
    pull = event(
        "Failed",
        'Failed to pull image "ghcr.io/acme/app:1.0": manifest unknown',
        type_="Warning",
        last="2026-11-20T09:20:00Z",
    )
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting("ImagePullBackOff"))]), sandbox, pull
    )
    assert [f.cause for f in d.findings] == ["image_pull_error"]
    mount = event(
        "FailedMount",
        'MountVolume.SetUp failed for volume "x" : secret "x" not found',
        type_="Warning",
        container=None,
        last="2026-11-20T09:00:00Z",
    )
    started = event("Started", "Started container app", last="2026-11-20T09:05:00Z")
    assert [f.cause for f in one(pod(phase="Pending", statuses=[]), mount, started).findings] != [
        "volume_mount_failed"
    ]


def test_a_mount_failure_without_a_time_is_medium():
    e = bare(
        event(
            "FailedMount",
            'MountVolume.SetUp failed for volume "tls" : secret "tls" not found',
            type_="Warning",
            container=None,
        ),
        timeless=True,
    )
    f = one(pod(phase="Pending", statuses=[status(state=waiting())]), e).findings[0]
    assert (f.cause, f.confidence) == ("volume_mount_failed", "medium")


def test_a_pull_of_another_image_is_not_pinned_on_the_only_saved_container():
    d = one(
        pod(phase="Pending", statuses=[status(state=waiting("PodInitializing"))]),
        bare(event("Failed", 'Failed to pull image "busybox:1.36": not found', type_="Warning")),
    )
    # the failure is the pod's (an init container that was not saved?), not the app's
    assert [(f.cause, f.container) for f in d.findings] == [("image_pull_error", None)]
    assert "busybox:1.36" in d.findings[0].summary


def test_a_restart_back_off_goes_to_the_container_that_ended():
    init = [spec_container("setup")]
    d = one(
        pod(
            phase="Pending",
            init=init,
            init_statuses=[
                status("setup", state=crashloop("setup"), last=terminated(1), restarts=3)
            ],
            statuses=[status("app", state=waiting("PodInitializing"))],
        ),
        bare(
            event(
                "BackOff", "Back-off restarting failed container", type_="Warning", container=None
            )
        ),
    )
    assert d.findings[0].container == "setup"
    assert all(f.container != "app" for f in d.findings)


def test_the_pod_view_reads_the_log_of_a_container_that_kept_no_record():
    p = build_pod(pod(statuses=[status(state={"running": {}}, restarts=4)]))
    assert [t.previous for t in targets(p, useful_only=False)] == [True]


def test_a_job_event_about_another_job_of_that_name_does_not_count():
    p = pod(
        "etl-x",
        "batch",
        phase="Failed",
        restart_policy="Never",
        owner=("Job", "etl"),
        statuses=[status(state={"terminated": terminated(1)})],
    )
    p["metadata"]["ownerReferences"][0]["uid"] = "uid-new-job"
    e = event(
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        pod_name="etl",
        ns="batch",
        kind="Job",
        container=None,
        type_="Warning",
    )
    e["involvedObject"]["uid"] = "uid-old-job"
    assert [f.cause for f in one(p, e).findings] != ["job_backoff_limit"]
    running = pod("etl-y", "batch", restart_policy="Never", owner=("Job", "etl"))
    assert (
        one(
            running,
            event(
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                pod_name="etl",
                ns="batch",
                kind="Job",
                container=None,
                type_="Warning",
            ),
        ).findings
        == ()
    )


def test_a_restart_count_that_was_not_given_is_not_invented():
    s = status(state=crashloop(), last=terminated(1))
    del s["restartCount"]
    f = one(pod(statuses=[s])).findings[0]
    assert any("not given" in line for line in f.evidence)
    assert "1 times" not in f.summary


def test_a_pending_pod_is_not_hidden_behind_a_completed_init_container():
    d = one(
        pod(
            phase="Pending",
            init=[spec_container("copy"), spec_container("wait-db")],
            init_statuses=[
                status("copy", state={"terminated": terminated(0, "Completed")}),
                status("wait-db"),
            ],
            statuses=[status("app", state=waiting("PodInitializing"))],
        ),
        observed=NOW,
    )
    assert any(f.cause == "unknown" and f.severity == "critical" for f in d.findings)


def test_a_saved_pod_whose_events_show_it_just_started_is_not_stuck():
    p = pod(phase="Pending", statuses=[status(state=waiting())])
    p["metadata"]["creationTimestamp"] = "2026-11-20T09:59:58Z"
    e = event(
        "Scheduled",
        "Successfully assigned prod/web-1 to n1",
        container=None,
        last="2026-11-20T09:59:59Z",
    )
    assert one(p, e).findings == ()


def test_the_latest_log_line_speaks_not_the_first():
    p = pod(statuses=[status(state=crashloop(), restarts=3)])
    d = one(
        p,
        logs={
            "app": [
                "10.0.0.7 - GET /favicon.ico: not found",
                "panic: runtime error: index out of range",
            ]
        },
    )
    assert d.findings[0].cause == "shell_misuse"


@pytest.mark.parametrize(
    "patch",
    [
        lambda p: p["spec"]["containers"][0]["resources"].update(limits={"memory": float("inf")}),
        lambda p: p["spec"]["containers"][0]["resources"].update(limits={"memory": "1e400"}),
        lambda p: p["metadata"].update(
            deletionTimestamp="2026-11-20T10:00:00Z", deletionGracePeriodSeconds=10**20
        ),
    ],
)
def test_absurd_numbers_do_not_crash(patch):
    p = pod(statuses=[status(state=crashloop(), last=terminated(137), restarts=2)])
    patch(p)
    assert one(p).findings


def test_an_event_whose_reason_is_not_a_string_is_ignored():
    index = EventIndex()
    index.add({"involvedObject": {"kind": "Node", "name": "n1"}, "reason": ["SystemOOM"]})
    assert index.for_node("n1") == []


def test_kubectl_describe_s_field_path_prefix_is_read_back():
    """kubectl describe (kubernetes#133627) prints "spec.containers{x}: " before the message."""
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "prod"}}
    pull = bare(
        event(
            "Failed",
            'spec.containers{sidecar}: Failed to pull image "x": not found',
            type_="Warning",
        )
    )
    ok = bare(event("Created", "spec.containers{app}: Container created"))
    d = one(p, pull, ok)
    assert (d.findings[0].container, d.findings[0].cause) == ("sidecar", "image_pull_error")
    assert "spec.containers{" not in d.findings[0].detail


def test_a_pod_saved_without_its_phase_but_creating_is_not_hidden():
    p = pod(phase="", statuses=[status(state=waiting())])
    del p["status"]["phase"]
    assert [f.cause for f in one(p).findings] == ["unknown"]


# --- found by a second review ---------------------------------------------------------------------


def test_a_job_pod_without_restart_policy_is_not_read_as_always():
    p = pod(
        "backup-1",
        "batch",
        owner=("Job", "backup"),
        containers=[
            spec_container("backup"),
            {**spec_container("istio-proxy"), "image": "istio/proxyv2:1.20"},
        ],
        statuses=[
            status("backup", state={"terminated": terminated(0, "Completed")}),
            status("istio-proxy", ready=True),
        ],
    )
    del p["spec"]["restartPolicy"]
    assert one(p).findings[0].cause == "sidecar_blocks_completion"


def test_a_crash_before_the_deletion_is_not_part_of_the_stop():
    p = pod(
        statuses=[
            status(
                state={"running": {"startedAt": "2026-11-20T10:05:00Z"}},
                last=terminated(137, finished="2026-11-20T10:04:50Z"),
                restarts=12,
            )
        ],
        deletionTimestamp="2026-11-20T13:00:30Z",
        conditions=[
            {
                "type": "DisruptionTarget",
                "status": "True",
                "reason": "EvictionByEvictionAPI",
                "message": "Eviction API: evicting",
            }
        ],
    )
    (f,) = [f for f in one(p).findings if f.container == "app"]
    assert (f.cause, f.severity) == ("sigkill", "warning")


@pytest.mark.parametrize(
    "message",
    [
        "failed to create containerd task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error running hook #0: apparmor failed to apply profile: write /proc/self/attr/apparmor/exec: no such file or directory: unknown",
        "failed to create containerd task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting cgroup config for procHooks process: openat2 /sys/fs/cgroup/kubepods.slice/memory.max: no such file or directory: unknown",
        'failed to create containerd task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/mnt/nfs/data" to rootfs at "/data": mount /mnt/nfs/data:/data, flags: 0x5000: permission denied: unknown',
    ],
)
def test_runtime_errors_with_the_same_words_are_not_the_command(message):
    p = pod(
        statuses=[
            status(state=crashloop(), last=terminated(128, "StartError", message), restarts=3)
        ]
    )
    assert one(p).findings[0].cause == "start_error"


def test_cri_o_quoting_names_the_command():
    msg = 'container create failed: exec: \\"/app/start.sh\\": stat /app/start.sh: no such file or directory'
    p = pod(
        phase="Pending",
        statuses=[status(state={"waiting": {"reason": "CreateContainerError", "message": msg}})],
    )
    assert "'/app/start.sh'" in one(p).findings[0].summary


def test_a_volume_that_attached_since_is_not_a_finding():
    p = pod(phase="Pending", statuses=[status(state=waiting())])
    failed = event(
        "FailedAttachVolume",
        'Multi-Attach error for volume "pvc-1"',
        type_="Warning",
        container=None,
        last="2026-11-20T09:00:01Z",
    )
    ok = event(
        "SuccessfulAttachVolume",
        'AttachVolume.Attach succeeded for volume "pvc-1"',
        container=None,
        last="2026-11-20T09:06:30Z",
    )
    assert all(f.cause != "volume_mount_failed" for f in one(p, failed, ok).findings)


def test_an_untimed_node_oom_event_does_not_override_the_container_s_limit():
    from builders import node_event

    p = pod(
        containers=[spec_container(memory="1Gi")],
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=2)],
    )
    e = node_event("OOMKilling", "Out of memory: Killed process 4242 (app) total-vm:5000000kB")
    for k in ("firstTimestamp", "lastTimestamp"):
        e.pop(k)
    (d,) = diagnose_objects(p, e)
    assert d.findings[0].cause == "oom_killed"


def test_a_message_naming_an_unsaved_container_is_not_pinned_on_the_saved_one():
    d = one(
        pod(statuses=[status(ready=True)]),
        bare(
            event(
                "Killing", "Container istio-proxy failed liveness probe, will be restarted", count=6
            ),
            timeless=True,
        ),
    )
    assert all(f.container != "app" for f in d.findings)


def test_the_only_probe_is_not_known_when_a_spec_is_missing():
    p = pod(
        containers=[spec_container("orders", liveness=True)],
        statuses=[
            status("orders", state=crashloop("orders"), last=terminated(137), restarts=3),
            status("linkerd-proxy", ready=True),
        ],
    )
    e = bare(
        event(
            "Unhealthy",
            "Liveness probe failed: Get http://10.1.2.3:4191/live",
            type_="Warning",
            count=9,
        ),
        timeless=True,
    )
    assert one(p, e).findings[0].cause != "liveness_probe_kill"


def test_a_full_pod_yaml_stuck_pending_is_not_called_healthy():
    p = pod(
        phase="Pending",
        statuses=[status(state=waiting())],
        conditions=[
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-20T08:00:00Z"}
        ],
    )
    assert [f.cause for f in one(p).findings] == ["unknown"]


def test_events_with_a_uid_join_a_pod_saved_without_one():
    p = pod(phase="Pending", statuses=[status(state=waiting())])
    del p["metadata"]["uid"]
    e = event(
        "FailedMount",
        'MountVolume.SetUp failed for volume "x" : secret "x" not found',
        type_="Warning",
        container=None,
    )
    assert one(p, e).findings[0].cause == "volume_mount_failed"


def test_a_pod_on_a_node_that_stopped_reporting():
    from builders import node

    n = node(ready="Unknown")
    p = pod(statuses=[status(ready=False)])
    e = event(
        "NodeNotReady",
        "Node is not ready",
        type_="Warning",
        container=None,
        component="node-controller",
    )
    (d,) = diagnose_objects(p, e, n)
    assert (d.findings[0].cause, d.findings[0].confidence) == ("node_lost", "medium")


def test_a_pod_stuck_terminating_is_not_hidden():
    p = pod(
        statuses=[status(state={"terminated": terminated(143, finished="2026-11-20T09:00:05Z")})],
        deletionTimestamp="2026-11-20T09:00:30Z",
    )
    e = event(
        "FailedKillPod",
        'error killing pod: failed to "KillPodSandbox" for "x" with KillPodSandboxError: "rpc error: code = Unknown desc = networkPlugin cni failed to teardown pod: Unauthorized"',
        type_="Warning",
        container=None,
        count=212,
        last="2026-11-20T12:30:00Z",
    )
    assert any(f.cause == "unknown" and f.severity == "critical" for f in one(p, e).findings)


@pytest.mark.parametrize(
    "message,want",
    [
        (
            'Failed to pull image "reg/app@sha256:4015a2": dial tcp 10.20.30.40:443: i/o timeout',
            "did not answer",
        ),
        ('Failed to pull image "reg/app:1": 401 Unauthorized', "refused the credentials"),
    ],
)
def test_status_numbers_in_digests_and_addresses_are_not_http_statuses(message, want):
    p = pod(
        phase="Pending",
        statuses=[status(state={"waiting": {"reason": "ErrImagePull", "message": message}})],
    )
    assert want in one(p).findings[0].summary


def test_aggregated_event_messages_are_read():
    p = pod(
        containers=[spec_container("app", liveness=True)],
        statuses=[status(state=crashloop(), last=terminated(137), restarts=5)],
    )
    e = event(
        "Unhealthy",
        "(combined from similar events): Liveness probe failed: HTTP probe failed with statuscode: 500",
        type_="Warning",
        count=27,
    )
    assert one(p, e).findings[0].cause == "liveness_probe_kill"


def test_unquoted_yaml_timestamps_are_times():
    from kubectl_exitwhy.evidence import parse_time

    assert parse_time(datetime(2026, 11, 20, 10, 0)) == datetime(
        2026, 11, 20, 10, 0, tzinfo=timezone.utc
    )


def test_the_old_eviction_message_names_its_resource():
    p = pod(
        phase="Failed",
        reason="Evicted",
        message="The node was low on resource: [DiskPressure].",
        statuses=[],
    )
    assert one(p).findings[0].detail == "DiskPressure"


def test_every_signature_has_its_needles():
    assert {s.id for s in logsigs.SIGNATURES} == set(logsigs.NEEDLES)


# --- found by a third review ----------------------------------------------------------------------


def test_a_native_sidecar_stopped_after_a_failed_main_container_is_info():
    sidecar = {**spec_container("istio-proxy"), "restartPolicy": "Always"}
    p = pod(
        "etl-1",
        "batch",
        phase="Failed",
        restart_policy="Never",
        owner=("Job", "etl"),
        init=[sidecar],
        init_statuses=[status("istio-proxy", state={"terminated": terminated(143)})],
        statuses=[status("app", state={"terminated": terminated(1)})],
    )
    e = event(
        "Killing",
        "Stopping container istio-proxy",
        container="istio-proxy",
        field="initContainers",
        pod_name="etl-1",
        ns="batch",
    )
    (f,) = [f for f in one(p, e).findings if f.container == "istio-proxy"]
    assert f.severity == "info"


def test_a_pod_on_a_node_not_ready_for_hours_is_not_healthy():
    from builders import node

    n = node(ready="Unknown")
    (d,) = diagnose_objects(pod(statuses=[status(ready=True)]), n)
    assert d.findings and d.findings[0].cause == "node_lost"


def test_a_statefulset_pod_stuck_terminating_on_a_dead_node_gets_the_right_step():
    from builders import node

    n = node(ready="Unknown", message="x")
    p = pod(
        "db-1",
        owner=("StatefulSet", "db"),
        statuses=[status(ready=True)],
        deletionTimestamp="2026-11-20T09:00:00Z",
    )
    f = diagnose_objects(p, n)[0].findings[0]
    assert "stuck Terminating" in f.summary and any("force" in step for step in f.next_steps)


def test_an_earlier_oom_kill_is_said_when_the_last_run_died_otherwise():
    p = pod(
        restart_policy="Never",
        owner=("Job", "j"),
        phase="Failed",
        statuses=[
            status(
                state={"terminated": terminated(1)}, last=terminated(137, "OOMKilled"), restarts=1
            )
        ],
    )
    f = one(p).findings[-1]
    assert "OOM-killed" in f.summary


def test_a_failed_main_container_with_a_sidecar_still_running_blocks_the_job_pod():
    p = pod(
        "exp-1",
        "batch",
        restart_policy="Never",
        owner=("Job", "exp"),
        containers=[
            spec_container("main"),
            {**spec_container("cloudsql-proxy"), "image": "gcr.io/cloudsql-docker/gce-proxy:1.33"},
        ],
        statuses=[
            status("main", state={"terminated": terminated(1)}),
            status("cloudsql-proxy", ready=True),
        ],
    )
    f = one(p).findings[0]
    assert f.cause == "sidecar_blocks_completion" and "cannot fail" in f.summary


def test_no_previous_flag_for_a_run_that_is_the_current_one():
    p = pod(
        restart_policy="Never",
        phase="Failed",
        statuses=[status(state={"terminated": terminated(1)})],
    )
    steps = " ".join(one(p).findings[0].next_steps)
    assert "kubectl logs" in steps and "--previous" not in steps


def test_an_error_exit_during_a_stop_says_so():
    p = pod(
        statuses=[status(state={"terminated": terminated(1, finished="2026-11-20T10:00:10Z")})],
        deletionTimestamp="2026-11-20T10:00:30Z",
    )
    e = event("Killing", "Stopping container app", last="2026-11-20T10:00:00Z")
    f = one(p, e).findings[0]
    assert f.cause == "app_error" and "asked to stop" in f.summary


def _marked(reason: str = "", containers_ready: str = "True") -> dict:
    """A running pod never restarted, its Ready condition set False by the node controller
    (MarkPodsNotReady keeps the reason it had: none, when it was True)."""
    ready = {"type": "Ready", "status": "False", "lastTransitionTime": "2026-11-20T09:00:40Z"}
    if reason:
        ready["reason"] = reason
    return pod(
        statuses=[status(ready=True)],
        conditions=[
            {"type": "PodScheduled", "status": "True"},
            ready,
            {"type": "ContainersReady", "status": containers_ready},
        ],
    )


def test_a_pod_the_node_controller_marked_is_a_lost_node_without_the_node_or_its_events():
    """The NodeNotReady event has expired and the Node was not read (a file without nodes, no
    right to read them): the mark on the pod still says its state is stale."""
    p = _marked()
    assert needs_diagnosis(p)
    (f,) = one(p).findings
    # the mark can outlive the node's recovery: alone, it is a warning that says when
    assert (f.cause, f.confidence, f.severity) == ("node_lost", "low", "warning")
    assert "marked this pod not ready at 2026-11-20T09:00:40Z" in f.summary
    assert "not read" in f.summary and f.next_steps[0].startswith("Check the node: kubectl get")
    assert any("the node controller's mark" in line and "2026-11-20T09:00:40Z" in line
               for line in f.evidence)  # fmt: skip


def test_duplicate_ready_conditions_are_read_alike_by_the_sweep_and_the_rule():
    """The first Ready condition counts, for the pre-filter as for the evidence."""
    first_false = _marked()
    first_false["status"]["conditions"].insert(2, {"type": "Ready", "status": "True"})
    first_true = _marked()
    first_true["status"]["conditions"].insert(1, {"type": "Ready", "status": "True"})
    assert needs_diagnosis(first_false)
    assert [f.cause for f in one(first_false).findings] == ["node_lost"]
    assert not needs_diagnosis(first_true)
    assert not any(f.cause == "node_lost" for f in one(first_true).findings)


def test_a_node_that_reports_not_ready_is_named_so_not_silent(exitwhy, saved):
    """Ready False: the kubelet still reports (here, its network plugin is not ready): the pod
    view says so, not that the kubelet stopped reporting; a file sweep does not build the pods
    of such a node for it (its kubelet still writes their statuses)."""
    from builders import node

    n = node(ready="False", message="container runtime network not ready: NetworkReady=false")
    (d,) = diagnose_objects(pod(statuses=[status(ready=True)]), n)
    (f,) = [f for f in d.findings if f.cause == "node_lost"]
    assert "reports NotReady (container runtime network not ready" in f.summary
    assert "stopped reporting" not in f.summary
    run = exitwhy("-f", saved(pod(statuses=[status(ready=True)]), n), "-A", "-o", "json")
    assert run.status == 0 and run.json()["items"] == [], run.err


def test_a_daemonset_pod_on_a_lost_node_is_not_told_it_moves():
    from builders import node

    agent = pod(statuses=[status(ready=True)], owner=("DaemonSet", "agent"))
    for ready, delete in (("Unknown", True), ("False", False)):
        (d,) = diagnose_objects(agent, node(ready=ready))
        (f,) = [f for f in d.findings if f.cause == "node_lost"]
        assert f.next_steps[0].startswith("Check the node: kubectl get node n1")
        assert "DaemonSet's pod stays with its node" in f.next_steps[1]
        assert ("kubectl delete node n1" in f.next_steps[1]) is delete, ready  # not one reporting
        assert not any("recreate their pods elsewhere" in step for step in f.next_steps)


def test_a_pod_lost_with_its_node_stays_critical_when_it_also_carries_the_mark():
    """Status reason NodeLost says the pod went with its node; the mark beside it adds to that
    (the Node not read), it does not make it a mere warning."""
    p = _marked()
    p["status"]["reason"] = "NodeLost"
    p["status"]["message"] = "Node n1 which was running pod web-1 is unresponsive"
    (f,) = [f for f in one(p).findings if f.cause == "node_lost"]
    assert (f.severity, f.confidence) == ("critical", "high")


def test_the_kubelets_own_not_ready_is_not_the_mark():
    for p in (_marked("ReadinessGatesNotReady"), _marked("ContainersNotReady", "False")):
        assert not needs_diagnosis(p)
        assert not any(f.cause == "node_lost" for f in one(p).findings)


def test_a_marked_pod_on_a_node_read_ready_again_is_not_lost():
    """The kubelet is back and has not yet written the pod's status: the Node says Ready."""
    from builders import node

    (d,) = diagnose_objects(_marked(), node())
    assert not any(f.cause == "node_lost" for f in d.findings)


def test_a_file_sweep_reports_a_healthy_looking_pod_on_a_node_not_ready(exitwhy, saved):
    """The node's Ready is Unknown in the file, the pod's status still says running and ready,
    no event is left: a sweep named it healthy and said nothing."""
    from builders import node

    n = node(ready="Unknown")
    fine = pod("web-2", node="n2", statuses=[status(ready=True)])
    path = saved(pod(statuses=[status(ready=True)]), fine, n, node("n2"))
    run = exitwhy("-f", path, "-A", "-o", "json")
    assert run.status == 0, run.err
    items = run.json()["items"]
    assert [(i["pod"], i["findings"][0]["cause"]) for i in items] == [("web-1", "node_lost")]
