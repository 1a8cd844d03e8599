"""What fresh public reports taught the rules: each test holds one fact that a report showed
exitwhy getting wrong, missing or advising badly (the corpus case it came from is named)."""

from __future__ import annotations

import pytest
from test_evidence_gaps import crashed, one

from builders import crashloop, event, pod, spec_container, status, terminated
from kubectl_exitwhy import logsigs
from kubectl_exitwhy.evidence import build_event


def shell_pod(image: str = "docker.io/library/busybox:latest", **spec: object) -> dict:
    c = {**spec_container(), "image": image, **spec}
    return pod(containers=[c], statuses=[status(state=crashloop(), restarts=4)])


# --- an official base image run without a command (k8s#76589) ----------------------------------


@pytest.mark.parametrize("image", ["busybox", "docker.io/library/busybox:1.36", "alpine:3.20"])
def test_a_shell_image_without_a_command_exits_at_once(image):
    f = one(shell_pod(image)).findings[0]
    assert (f.cause, f.confidence) == ("exit_success_restarted", "medium")
    assert "default command is the shell" in f.summary
    assert "sleep" in f.next_steps[0]


@pytest.mark.parametrize(
    "spec",
    [
        {"command": ["sh", "-c", "run-server"]},  # it runs something
        {"args": ["sleep", "3600"]},
        {"stdin": True, "tty": True},  # an interactive shell waits for its input
        {"image": "quay.io/acme/busybox:1"},  # another registry's image of that name
        {"image": "ghcr.io/acme/app:1.0"},
    ],
)
def test_a_shell_image_with_a_command_or_input_is_not_that(spec):
    p = shell_pod(**{"image": "busybox", **spec})  # type: ignore[arg-type]
    assert one(p).findings[0].cause != "exit_success_restarted"


def test_a_shell_image_that_logged_something_is_not_said_to_have_exited_quietly():
    d = one(shell_pod("busybox"), logs={"app": ["sh: can't open 'x': No such file"]})
    assert d.findings[0].cause != "exit_success_restarted"


def test_a_kept_exit_0_of_a_shell_image_gets_the_command_step():
    c = {**spec_container(), "image": "ubuntu:24.04"}
    p = pod(containers=[c], statuses=[status(last=terminated(0, "Completed"), restarts=3)])
    f = one(p).findings[0]
    assert (f.cause, f.confidence) == ("exit_success_restarted", "high")
    assert "/bin/bash" in f.summary and "sleep" in f.next_steps[0]


# --- the runtime's words kept in the try before the wait (k8s#89906) -----------------------------

SETENV = (
    "OCI runtime create failed: container_linux.go:349: starting container process caused "
    '"process_linux.go:449: container init caused \\"setenv: invalid argument\\"": unknown'
)


def test_a_start_failure_waiting_without_words_reads_the_last_tries_message():
    p = pod(
        statuses=[
            status(
                state={"waiting": {"reason": "RunContainerError"}},
                last=terminated(128, "", SETENV),
                restarts=2,
            )
        ]
    )
    f = one(p).findings[0]
    assert f.cause == "start_error"
    assert "setenv" in f.summary and "envFrom" in f.next_steps[0]
    assert any("lastState.terminated.message" in line for line in f.evidence)


def test_a_programs_own_exit_128_message_is_not_taken_for_the_runtimes():
    p = pod(
        statuses=[
            status(
                state={"waiting": {"reason": "RunContainerError"}},
                last=terminated(128, "Error", "fatal: setenv: invalid argument"),
                restarts=2,
            )
        ]
    )
    f = one(p).findings[0]
    assert "setenv" not in f.summary


# --- a name the runtime still holds (k3s#7690) ---------------------------------------------------

RESERVED = (
    'Error: failed to reserve container name "app_web-1_prod_uid_0": name "app_web-1_prod_uid_0" '
    'is reserved for "6a37ff9b9165"'
)


def test_a_reserved_container_name_is_a_create_error_of_the_node():
    e = event("Failed", RESERVED, type_="Warning", container=None)
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})], phase="Pending")
    f = one(p, e).findings[0]
    assert (f.cause, f.container) == ("start_error", "app")
    assert "still holds its name" in f.summary
    assert "not the pod spec" in f.next_steps[0]


# --- the cluster autoscaler's word, and the node's own taints (gardener#83, usernetes#155) -------


def test_the_autoscalers_refusal_alone_says_the_pod_is_unschedulable():
    p = pod(
        statuses=[],
        phase="Pending",
        node="",
        containers=[spec_container()],
    )
    e = event(
        "NotTriggerScaleUp",
        "pod didn't trigger scale-up: 1 node(s) had volume node affinity conflict",
        container=None,
        component="cluster-autoscaler",
    )
    f = one(p, e).findings[0]
    assert (f.cause, f.confidence) == ("unschedulable", "medium")
    assert "template node" in f.next_steps[0]


def test_a_condition_taint_points_at_the_node_not_at_a_toleration():
    cond = {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": "0/1 nodes are available: 1 node(s) had untolerated taint "
        "{node.kubernetes.io/disk-pressure: }.",
    }
    p = pod(statuses=[], phase="Pending", node="", conditions=[cond])
    f = one(p).findings[0]
    assert f.cause == "unschedulable"
    assert "short of disk" in f.next_steps[0] and "do not add a toleration" in f.next_steps[0]


def test_an_ordinary_taint_gets_no_such_step():
    cond = {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.",
    }
    p = pod(statuses=[], phase="Pending", node="", conditions=[cond])
    assert not any("do not add a toleration" in s for s in one(p).findings[0].next_steps)


# --- images: another platform's, and the sandbox's own (accuknox#686, eks-ami#1740) -------------


def test_a_tag_without_the_nodes_platform_is_not_a_missing_tag():
    msg = (
        'Failed to pull image "acme/app:1": rpc error: code = Unknown desc = no matching '
        "manifest for linux/arm64/v8 in the manifest list entries"
    )
    p = pod(statuses=[status(state={"waiting": {"reason": "ErrImagePull", "message": msg}})])
    f = one(p).findings[0]
    assert f.cause == "image_pull_error"
    assert "linux/arm64/v8" in f.summary and "kubernetes.io/arch" in f.next_steps[0]


def test_a_sandbox_image_that_cannot_be_pulled_is_the_nodes_not_the_pods():
    msg = (
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox "
        'image "registry.example/pause:3.5": failed to pull image "registry.example/pause:3.5": '
        "401 Unauthorized"
    )
    f = pending_on(msg, "FailedCreatePodSandBox")
    assert f.cause == "sandbox_failed"
    assert "pause" in f.summary and "imagePullSecrets" in f.next_steps[0]


# --- an event quoted without its reason (bitnami#25320) ----------------------------------------


@pytest.mark.parametrize(
    "message,reason",
    [
        ('MountVolume.SetUp failed for volume "pw" : references non-existent secret key: pw',
         "FailedMount"),
        ("Failed to create pod sandbox: rpc error", "FailedCreatePodSandBox"),
        ("Back-off restarting failed container", "BackOff"),
        ("something else entirely", ""),
    ],
)  # fmt: skip
def test_the_kubelets_wording_names_an_event_quoted_without_its_reason(message, reason):
    raw = event("X", message)
    raw.pop("reason")
    assert build_event(raw).reason == reason


def test_an_events_own_reason_is_kept_whatever_its_message():
    assert build_event(event("Custom", "MountVolume.SetUp failed")).reason == "Custom"


# --- a back-off alternates with the next try's error (k8tre#136, and the review of it) ---------


@pytest.mark.parametrize(
    "message,cause",
    [
        ('Error: secret "db" not found', "config_error"),
        ('Error: failed to create containerd task: exec: "foo": executable file not found in '
         "$PATH", "command_not_found"),
    ],
)  # fmt: skip
def test_a_crash_looping_container_still_reads_the_error_of_its_next_try(message, cause):
    e = event("Failed", message, type_="Warning")
    p = pod(statuses=[status(state=crashloop(), restarts=3)])
    assert one(p, e).findings[0].cause == cause


def test_a_waiting_container_is_still_held_by_that_config_error():
    e = event("Failed", 'Error: secret "db" not found', type_="Warning")
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})], phase="Pending")
    assert one(p, e).findings[0].cause == "config_error"


# --- a Job that failed and left no pod (HAMi#22) ---------------------------------------------


def test_a_saved_job_that_gave_up_without_pods_says_how_it_failed(exitwhy, saved):
    bare_job = {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "patch", "namespace": "batch"}}  # fmt: skip
    gave_up = event(
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        pod_name="patch",
        ns="batch",
        kind="Job",
        type_="Warning",
        container=None,
        component="job-controller",
    )
    other = pod("web-1", "batch")
    run = exitwhy("-f", saved(bare_job, gave_up, other), "job/patch", "-n", "batch")
    assert run.status == 0, run.err
    assert "No pods of job/patch in namespace batch." in run.err
    assert "job/patch failed (BackoffLimitExceeded: Job has reached" in run.err
    assert "kubectl describe job patch -n batch" in run.err
    quiet = exitwhy("-f", saved(bare_job, other), "job/patch", "-n", "batch")
    assert "failed" not in quiet.err


# --- admission held by AppArmor (soperator#177, rke2#483) ----------------------------------------


def test_apparmor_refusal_says_the_kubelets_words_and_points_at_the_profile():
    p = pod(
        statuses=[status(state={"waiting": {"reason": "Blocked"}})],
        phase="Pending",
        reason="AppArmor",
        message="Cannot enforce AppArmor: AppArmor is not enabled on the host",
    )
    f = one(p).findings[0]
    assert (f.cause, f.confidence) == ("admission_rejected", "high")
    assert "AppArmor is not enabled on the host" in f.summary
    assert "apparmor_parser" in f.next_steps[0]
    assert not any("not retried" in s for s in f.next_steps)  # a soft refusal stays Pending


def test_containers_blocked_without_the_pods_reason_are_held_at_admission():
    p = pod(statuses=[status(state={"waiting": {"reason": "Blocked"}})], phase="Pending")
    f = one(p).findings[0]
    assert (f.cause, f.confidence) == ("admission_rejected", "medium")
    assert "Blocked" in f.summary


def test_a_hard_refusal_is_still_not_retried():
    p = pod(
        statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})],
        phase="Failed",
        reason="NodeAffinity",
        message="Pod was rejected: Predicate NodeAffinity failed",
    )
    assert any("not retried" in s for s in one(p).findings[0].next_steps)


# --- the runtime's create errors and the node's mount helpers (forklift#1942, nfs-subdir#120) ----


def test_a_seccomp_profile_the_runtime_cannot_load_is_a_create_error():
    msg = (
        'Error: failed to create containerd container: cannot load seccomp profile "/var/lib/'
        'kubelet/seccomp/profiles/x.json": open /var/lib/kubelet/seccomp/profiles/x.json: no '
        "such file or directory"
    )
    e = event("Failed", msg, type_="Warning", container=None)
    p = pod(statuses=[], phase="Pending")
    f = one(p, e).findings[0]
    assert (f.cause, f.container) == ("start_error", "app")
    assert "seccomp" in f.summary and "RuntimeDefault" in f.next_steps[0]


def test_a_missing_nfs_client_on_the_node_is_named():
    msg = (
        'MountVolume.SetUp failed for volume "root" : mount failed: exit status 32\n'
        "Mounting command: mount\nMounting arguments: -t nfs 10.0.0.5:/x /var/lib/kubelet/pods/"
        "u/volumes/kubernetes.io~nfs/root\nOutput: mount: bad option; for several filesystems "
        "(e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program."
    )
    f = pending_on(msg)
    assert f.cause == "volume_mount_failed"
    assert "nfs-common" in f.next_steps[-1]


def pending_on(message: str, reason: str = "FailedMount"):
    """The finding of a pod waiting in ContainerCreating on that Warning event."""
    e = event(reason, message, type_="Warning", container=None)
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})], phase="Pending")
    return one(p, e).findings[0]


# --- a file it may not create, a port that is taken (egeria-charts#156, contour#4343) -----------


def test_a_denied_mkdir_with_no_status_is_not_silence():
    p = pod(statuses=[])
    d = one(
        p, logs={"app": ["mkdir: cannot create directory '/var/lib/zk/data': Permission denied"]}
    )
    f = d.findings[0]
    assert (f.cause, f.confidence) == ("app_error", "low")
    assert "fsGroup" in f.next_steps[0]


def test_a_taken_port_points_at_what_holds_it():
    d = one(
        crashed(1),
        logs={"app": ['level=fatal msg="listen tcp :9100: bind: address already in use"']},
    )
    f = d.findings[0]
    assert f.cause == "app_error"
    assert "hostNetwork" in f.next_steps[0]


# --- a run-once pod whose restartPolicy was not shown (containerized-data-importer#2948) ---------


def _excerpt(*statuses: dict) -> dict:
    """A pod as a post shows it: container names, no restartPolicy, no owner."""
    p = pod(statuses=list(statuses), owner=None)
    p["spec"] = {"containers": [{"name": s["name"]} for s in statuses]}
    return p


def test_work_done_beside_a_running_proxy_is_a_sidecar_blocking_completion():
    p = _excerpt(
        status("linkerd-proxy", ready=True),
        status("importer", state={"terminated": terminated(0, "Completed")}),
        status("server", state={"terminated": terminated(0, "Completed")}),
    )
    d = one(p)
    assert (d.findings[0].cause, d.findings[0].confidence) == (
        "sidecar_blocks_completion",
        "medium",
    )
    assert "restartPolicy is not shown" in d.findings[0].summary
    exits = [f for f in d.findings if f.cause == "exit_success_restarted"]
    assert all(f.confidence == "medium" for f in exits)


@pytest.mark.parametrize(
    "statuses",
    [
        # a worker that is no known proxy still runs: two workers, one done first
        [status("worker", ready=True), status("importer", state={"terminated": terminated(0, "Completed")})],
        # one ended with an error: under Always that is a crash loop, not a finished run
        [status("linkerd-proxy", ready=True), status("importer", state={"terminated": terminated(1)})],
        # restarted: under Always it was indeed started again
        [status("linkerd-proxy", ready=True),
         status("importer", state={"terminated": terminated(0, "Completed")}, restarts=3)],
    ],
)  # fmt: skip
def test_without_the_policy_only_the_classic_pattern_counts(statuses):
    assert one(_excerpt(*statuses)).findings[0].cause != "sidecar_blocks_completion"


def test_a_shown_always_policy_keeps_its_restarts():
    p = pod(
        statuses=[
            status("linkerd-proxy", ready=True),
            status("importer", state={"terminated": terminated(0, "Completed")}, restarts=2),
        ],
        containers=[spec_container("linkerd-proxy"), spec_container("importer")],
    )
    f = one(p).findings[0]
    assert (f.cause, f.confidence) == ("exit_success_restarted", "high")


# --- what the review of these rules found ----------------------------------------------------


def test_bashs_exec_of_a_file_it_may_not_run_stays_an_exec_failure():
    lines = [
        "docker-entrypoint.sh: line 8: /app/server: Permission denied",
        "docker-entrypoint.sh: line 8: exec: /app/server: cannot execute: Permission denied",
    ]
    kept = one(crashed(126), logs={"app": lines}).findings[0]
    assert kept.cause == "command_not_executable"
    lost = one(pod(statuses=[status(state=crashloop(), restarts=3)]), logs={"app": lines})
    assert lost.findings[0].cause == "command_not_executable"
    bad = ["bash: /scripts/run.sh: /bin/bash: bad interpreter: Permission denied"]
    assert one(crashed(126), logs={"app": bad}).findings[0].cause == "command_not_executable"


def test_a_scripts_ambiguous_denial_steps_cover_running_and_writing():
    d = one(crashed(126), logs={"app": ["bash: line 1: /app/run.sh: Permission denied"]})
    f = d.findings[0]
    assert f.cause == "command_not_executable"
    assert "chmod +x" in f.next_steps[0] and "writable" in f.next_steps[0]


@pytest.mark.parametrize(
    "line,words",
    [
        ("sh: 1: cannot create /data/out/x.txt: Directory nonexistent", "does not exist"),
        ("/start.sh: line 7: can't create /x: Permission denied", "may not write there"),
        ("nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)", "below 1024"),
        ("listen tcp :80: bind: permission denied", "NET_BIND_SERVICE"),
        ('level=fatal msg="failed to connect to database: connection refused"', "could not reach"),
    ],
)
def test_a_lines_step_fits_what_it_says(line, words):
    f = one(crashed(1), logs={"app": [line]}).findings[0]
    assert f.cause == "app_error"
    assert words in f.next_steps[0]


@pytest.mark.parametrize(
    "line,sig",
    [
        ('level=warn msg="downgrading from level=fatal"', None),
        ('{"level":"FATAL","msg":"no db"}', "fatal_log"),
        ("2024-01-01T00:00:00.000Z\tFATAL\tmain.go:12\tno db", "fatal_log"),
        ("I0101 10:00:00 controller.go:1] nginx: [emerg] reload failed", None),
    ],
)
def test_levels_and_nginx_lines_are_read_where_they_are_the_programs_own(line, sig):
    assert [h.signature.id for h in logsigs.scan([line])] == ([sig] if sig else [])


def test_a_success_quoted_without_its_reason_is_not_a_failure():
    raw = event("X", 'MountVolume.SetUp succeeded for volume "config"')
    raw.pop("reason")
    assert build_event(raw).reason == ""


def test_the_status_message_outranks_an_older_events_words():
    msg = 'failed to mkdir "/var/lib/data": mkdir /var/lib/data: read-only file system'
    e = event("Failed", RESERVED, type_="Warning", last="2026-11-20T07:10:00Z")
    p = pod(
        statuses=[status(state={"waiting": {"reason": "CreateContainerError", "message": msg}})]
    )
    f = one(p, e).findings[0]
    assert f.cause == "start_error"
    assert "holds its name" not in f.summary


def test_a_runtime_exit_128_reads_the_same_whatever_the_wait_after_it():
    last = terminated(128, "", SETENV)
    for waiting in (crashloop(), {"waiting": {"reason": "RunContainerError"}}):
        f = one(pod(statuses=[status(state=waiting, last=last, restarts=2)])).findings[0]
        assert f.cause == "start_error" and "setenv" in f.summary, waiting
    missing = terminated(
        128,
        "StartError",
        'failed to create containerd task: exec: "foo": executable file not found in $PATH',
    )
    for waiting in (crashloop(), {"waiting": {"reason": "RunContainerError"}}):
        f = one(pod(statuses=[status(state=waiting, last=missing, restarts=2)])).findings[0]
        assert f.cause == "command_not_found", waiting


def test_a_shell_image_that_runs_now_or_whose_spec_was_not_saved_is_not_said_to_exit():
    running = shell_pod("busybox")
    running["status"]["containerStatuses"] = [status(restarts=2, ready=True)]
    assert one(running).findings == () or one(running).findings[0].cause != "exit_success_restarted"
    status_only = shell_pod("busybox")
    status_only["spec"] = {}
    status_only["status"]["containerStatuses"][0]["image"] = "busybox"
    assert one(status_only).findings[0].cause != "exit_success_restarted"


def test_a_later_scale_up_is_not_a_refusal_and_a_bound_pod_is_not_unschedulable():
    no = event("NotTriggerScaleUp", "pod didn't trigger scale-up", container=None,
               last="2026-11-20T09:50:00Z")  # fmt: skip
    yes = event("TriggeredScaleUp", "pod triggered scale-up: [{ng-1 1->2 (max: 5)}]",
                container=None, last="2026-11-20T09:55:00Z")  # fmt: skip
    p = pod(statuses=[], phase="Pending", node="")
    d = one(p, no, yes)
    assert not any("will not add a node" in s for f in d.findings for s in f.next_steps)
    bound = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})],
                phase="Pending", node="")  # fmt: skip
    assert all(f.cause != "unschedulable" for f in one(bound, no).findings)


# --- a workload whose pods the API server refused to create ------------------------------------

QUOTA = (
    'Error creating: pods "web-6d4f-x" is forbidden: exceeded quota: compute, requested: '
    "limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi"
)


def _refused(name="web-6d4f", kind="ReplicaSet", count=7):
    return event(
        "FailedCreate", QUOTA, pod_name=name, kind=kind, type_="Warning", container=None,
        component="replicaset-controller", count=count,
    )  # fmt: skip


def test_a_controller_that_could_not_create_its_pods_is_not_silence(exitwhy, saved):
    quiet = pod("api-1", owner=("ReplicaSet", "api-7c9d"))
    run = exitwhy("-f", saved(quiet, _refused()), "-n", "prod")
    assert run.status == 0, run.err
    assert "replicaset/web-6d4f in namespace prod has no pod" in run.err
    assert "exceeded quota: compute" in run.err and "7×" in run.err
    target = exitwhy("-f", saved(quiet, _refused()), "deploy/web", "-n", "prod")
    assert "replicaset/web-6d4f in namespace prod has no pod" in target.err
    other = exitwhy("-f", saved(quiet, _refused()), "deploy/web-api", "-n", "prod")
    assert "replicaset/web-6d4f" not in other.err  # another deployment's set, by its name


def test_a_controller_whose_pods_exist_or_a_selector_says_nothing_of_it(exitwhy, saved):
    made = pod("web-6d4f-a", owner=("ReplicaSet", "web-6d4f"))
    assert "has no pod" not in exitwhy("-f", saved(made, _refused()), "-n", "prod").err
    quiet = pod("api-1", owner=("ReplicaSet", "api-7c9d"))
    assert "has no pod" not in exitwhy("-f", saved(quiet, _refused()), "-l", "app=x").err


@pytest.mark.parametrize(
    "owner,said",
    [
        ({"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"replicas": 0}}, False),
        ({"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"replicas": 3}}, True),
        ({"apiVersion": "batch/v1", "kind": "Job",
          "status": {"conditions": [{"type": "Complete", "status": "True"}]}}, False),
    ],
)  # fmt: skip
def test_a_refusal_of_a_controller_that_wants_no_pods_now_is_over(exitwhy, saved, owner, said):
    name = "web-6d4f" if owner["kind"] == "ReplicaSet" else "nightly-1"
    obj = {**owner, "metadata": {"name": name, "namespace": "prod"}}
    quiet = pod("api-1", owner=("ReplicaSet", "api-7c9d"))
    run = exitwhy("-f", saved(quiet, obj, _refused(name, owner["kind"])), "-n", "prod")
    assert ("has no pod" in run.err) is said, run.err


# --- what the second review found -----------------------------------------------------------


def test_an_event_whose_kind_is_not_text_is_ignored_not_a_traceback(exitwhy, saved):
    odd = _refused()
    odd["involvedObject"]["kind"] = ["ReplicaSet"]
    run = exitwhy("-f", saved(pod("api-1"), odd), "-n", "prod")
    assert run.status == 0 and "Traceback" not in run.err, run.err


def test_a_refusal_fails_the_run_with_fail_on(exitwhy, saved):
    quiet = pod("api-1", owner=("ReplicaSet", "api-7c9d"))
    run = exitwhy("-f", saved(quiet, _refused()), "-n", "prod", "--fail-on", "critical")
    assert run.status == 1 and "has no pod" in run.err


def test_a_controllers_pod_is_always_restarted_whatever_the_excerpt_shows():
    p = _excerpt(
        status("istio-proxy", ready=True),
        status("app", state={"terminated": terminated(0, "Completed")}),
    )
    p["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-6d4f", "controller": True}
    ]
    d = one(p)
    assert d.findings[0].cause == "exit_success_restarted"
    assert d.findings[0].confidence == "high"
    assert all(f.cause != "sidecar_blocks_completion" for f in d.findings)


def test_a_failed_job_known_by_its_events_alone_is_found_in_any_namespace(exitwhy, saved):
    gave_up = event(
        "BackoffLimitExceeded", "Job has reached the specified backoff limit", pod_name="sync",
        ns="batch", kind="Job", type_="Warning", container=None, component="job-controller",
    )  # fmt: skip
    run = exitwhy("-f", saved(pod("web-1", "batch"), gave_up), "job/sync")
    assert "job/sync failed (BackoffLimitExceeded" in run.err
    assert "kubectl describe job sync -n batch" in run.err


def test_a_missing_nfs_client_is_named_through_systemd_run_too():
    msg = (
        'MountVolume.SetUp failed for volume "root" : mount failed: exit status 32\n'
        "Mounting command: systemd-run\nMounting arguments: --description=Kubernetes transient "
        "mount for /var/lib/kubelet/pods/u --scope -- mount -t nfs 10.0.0.5:/x /var/lib/"
        "kubelet/pods/u\nOutput: Running scope as unit: run-r3196.scope\nmount: bad option; for "
        "several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program."
    )
    f = pending_on(msg)
    assert "nfs-common" in f.next_steps[-1]
    assert "Running scope" not in f.summary


def test_a_unix_socket_it_may_not_bind_is_no_port_below_1024():
    line = "listen unix /var/run/app/app.sock: bind: permission denied"
    assert "port_denied" not in [h.signature.id for h in logsigs.scan([line])]


def test_cri_o_s_missing_seccomp_profile_is_the_same_create_error():
    msg = (
        'setup seccomp: unable to load local profile "/var/lib/kubelet/seccomp/nginx.json": '
        "open /var/lib/kubelet/seccomp/nginx.json: no such file or directory"
    )
    waiting = {"waiting": {"reason": "CreateContainerError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)], phase="Pending")).findings[0]
    assert f.cause == "start_error" and "could not create" in f.summary
    assert "RuntimeDefault" in f.next_steps[0]


def test_an_exit_128_without_a_reason_names_itself_in_the_summary():
    f = one(pod(statuses=[status(state=crashloop(), last=terminated(128, "", SETENV))]))
    assert "(exit 128)" in f.findings[0].summary


def test_a_host_path_that_is_not_there_points_at_the_node_path():
    msg = (
        'MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: '
        "/var/lib/kubelet/plugins_registry is not a directory"
    )
    f = pending_on(msg)
    assert f.cause == "volume_mount_failed"
    assert "DirectoryOrCreate" in f.next_steps[-1]


def test_a_pods_own_ephemeral_limit_is_not_the_nodes_pressure():
    p = pod(
        statuses=[status(state={"terminated": terminated(137, "ContainerStatusUnknown")})],
        phase="Failed",
        reason="Evicted",
        message="Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ",
    )
    f = one(p).findings[0]
    assert f.cause == "evicted" and "limits.ephemeral-storage" in f.next_steps[0]


def test_a_failed_hooks_output_is_in_the_summary():
    msg = (
        "command '/bin/bash -ec until rabbitmqctl cluster_status; do sleep 5; done' exited with "
        "137: [error] Cookie file /var/lib/rabbitmq/.erlang.cookie must be accessible by owner "
        "only"
    )
    waiting = {"waiting": {"reason": "PostStartHookError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert f.cause == "lifecycle_hook_failed"
    assert "(the hook exited 137): [error] Cookie file" in f.summary


# --- add-ons' own failures (minikube#11418, kubeasz#355, linkerd2#7767, rancher#27902, coredns#6236)


@pytest.mark.parametrize(
    "lines,words",
    [
        (["F0513 15:57:17.447366       1 server.go:495] open /proc/sys/net/netfilter/"
          "nf_conntrack_max: permission denied"], "conntrack.maxPerCore"),
        (['2018/11/05 13:48:22 [FATAL] plugin/loop: Seen "HINFO IN 1.2." more than twice, '
          "loop detected"], "resolv.conf"),
    ],
)  # fmt: skip
def test_an_add_ons_fatal_line_with_no_exit_code_gets_its_step(lines, words):
    f = one(pod(statuses=[status(state=crashloop(), restarts=4)]), logs={"app": lines}).findings[0]
    assert f.cause == "app_error" and words in f.next_steps[0]


def test_a_termination_message_of_log_lines_is_read_like_the_log():
    message = '{"level":"error","msg":"aborting firewall configuration"}\nError: exit status 1'
    last = terminated(None, "Error", message)
    f = one(pod(statuses=[status(state=crashloop(), last=last, restarts=3)])).findings[0]
    assert f.cause == "app_error"
    assert any(".lastState.terminated.message: Error: exit status 1" in x for x in f.evidence)


def test_an_error_before_the_usage_text_is_not_a_wrong_flag():
    lines = ["Error: Get https://10.43.0.1:443/api: dial tcp 10.43.0.1:443: i/o timeout", "Usage:"]
    f = one(crashed(2), logs={"app": lines}).findings[0]
    assert f.cause == "shell_misuse" and "Service IP" in f.next_steps[0]


def test_runcs_cgroup_failure_points_at_the_node():
    msg = (
        "OCI runtime create failed: container_linux.go:370: starting container process caused: "
        'process_linux.go:326: applying cgroup configuration for process caused: "No such '
        'device or address": unknown'
    )
    waiting = {"waiting": {"reason": "RunContainerError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert f.cause == "start_error" and "cgroup drivers" in f.next_steps[0]


# --- special platforms and nodes (eksctl#6705, datadog#182, aci#132, minikube#17931, …) -------


def _unschedulable(message: str, owner=("ReplicaSet", "web-6d4f")):
    cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": message}  # fmt: skip
    p = pod(statuses=[], phase="Pending", node="", conditions=[cond], owner=owner)
    return one(p).findings[0]


def test_fargates_taint_points_at_a_profile_not_a_toleration():
    f = _unschedulable(
        "0/2 nodes are available: 2 node(s) had untolerated taint "
        "{eks.amazonaws.com/compute-type: fargate}."
    )
    assert any("Fargate profile" in s for s in f.next_steps)


def test_a_pod_that_fits_one_full_node_only_is_told_to_preempt():
    f = _unschedulable(
        "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't match Pod's node "
        "affinity/selector.",
        owner=None,
    )
    assert any("priorityClass" in s for s in f.next_steps)


def test_a_virtual_nodes_provider_failure_is_the_pods_sandbox():
    p = pod(statuses=[], phase="Pending", reason="ProviderFailed",
            message='api call to https://management.azure.com/x: got HTTP response status code '
                    '503 error code "ServerTimeout"')  # fmt: skip
    f = one(p).findings[0]
    assert f.cause == "sandbox_failed" and "ServerTimeout" in f.summary


def test_a_runtime_handler_the_node_lacks_points_at_the_runtime_class():
    f = pending_on(
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox "
        'runtime: no runtime for "runsc" is configured',
        "FailedCreatePodSandBox",
    )
    assert f.cause == "sandbox_failed" and "'runsc'" in f.summary
    assert "RuntimeClass" in f.next_steps[0]


def test_a_windows_nodes_chown_points_at_the_linux_ids():
    f = pending_on(
        'MountVolume.SetUp failed for volume "token" : chown c:\\\\var\\\\lib\\\\kubelet\\\\x: '
        "not supported by windows"
    )
    assert f.cause == "volume_mount_failed" and "runAsUser" in f.next_steps[-1]


def test_a_read_only_node_root_and_a_container_id_that_is_no_name():
    cid = "5102b7ebb7e6f0d0e3c4849f1a38f195d3a22d10776d9101dfff2fb0e75700ba"
    msg = (
        f'Error: failed to generate container "{cid}" spec: failed to generate spec: failed to '
        'mkdir "/etc/origin/openvswitch": mkdir /etc/origin: read-only file system'
    )
    e = event("Failed", msg, type_="Warning", container=None)
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})], phase="Pending")
    f = one(p, e).findings[0]
    assert (f.cause, f.container) == ("start_error", "app")
    assert "read-only" in f.summary and "/var" in f.next_steps[0]


def test_the_nvidia_hooks_own_error_is_in_the_summary():
    msg = (
        "failed to create containerd task: OCI runtime create failed: error running hook #0: "
        "stderr: nvidia-container-cli: initialization error: nvml error: driver not loaded: "
        "unknown"
    )
    waiting = {"waiting": {"reason": "RunContainerError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert "nvml error: driver not loaded" in f.summary and "RuntimeClass" in f.next_steps[0]


# --- probes, limits, newer and older kubelets (sets j and k) ----------------------------------


@pytest.mark.parametrize(
    "lines,words",
    [
        (["F0811 13:31:01.771818       1 server.go:488] failed complete: too many open files"],
         "fs.inotify.max_user_instances"),
        (["runtime: failed to create new OS thread (have 31 already; errno=11)",
          "fatal error: newosproc"], "pids"),
    ],
)  # fmt: skip
def test_limits_of_the_node_get_their_steps(lines, words):
    f = one(crashed(2), logs={"app": lines}).findings[0]
    assert words in f.next_steps[0]


def test_an_exit_0_beside_a_failing_liveness_probe_is_not_sure_it_ended_by_itself():
    c = spec_container(liveness=True)
    unhealthy = event("Unhealthy", "", type_="Warning")
    p = pod(containers=[c], statuses=[status(last=terminated(0, "Completed"), restarts=9)])
    f = one(p, unhealthy).findings[0]
    assert (f.cause, f.confidence) == ("exit_success_restarted", "medium")
    assert "liveness probe failed" in f.summary


def test_an_exit_2_after_days_is_no_usage_error():
    last = terminated(2, started="2026-11-18T08:00:00Z", finished="2026-11-20T09:00:00Z")
    f = one(pod(statuses=[status(last=last, restarts=1)])).findings[0]
    assert f.cause == "shell_misuse" and "not its arguments" in f.summary


def test_scheduling_gates_and_the_old_name_of_node_affinity():
    gated = {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}
    f = one(pod(statuses=[], phase="Pending", node="", conditions=[gated])).findings[0]
    assert f.cause == "unschedulable" and "schedulingGates" in f.next_steps[0]
    p = pod(statuses=[], phase="Failed", reason="MatchNodeSelector",
            message="Pod Predicate MatchNodeSelector failed")  # fmt: skip
    f = one(p).findings[0]
    assert f.cause == "admission_rejected" and "labels" in f.next_steps[0]


def test_a_pre_cri_kubelets_network_failure_is_the_sandbox():
    msg = (
        'Error syncing pod, skipping: failed to "SetupNetwork" for "dns-1_kube-system" with '
        'SetupNetworkError: "Failed to setup network for pod using network plugins \\"cni\\": '
        'open /run/flannel/subnet.env: no such file or directory; Skipping pod"'
    )
    e = event("FailedSync", msg, type_="Warning", container=None)
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})], phase="Pending")
    f = one(p, e).findings[0]
    assert f.cause == "sandbox_failed" and "flannel" in f.summary


def test_a_user_namespace_that_cannot_be_mapped_and_a_lost_thin_device():
    f = pending_on(
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create "
        "mapped mount: invalid argument",
        "FailedCreatePodSandBox",
    )
    assert "hostUsers" in f.next_steps[0]
    msg = "Error response from daemon: devicemapper: Error running deviceCreate: lstat /dev/mapper/docker-1-init"
    waiting = {"waiting": {"reason": "RunContainerError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert f.cause == "start_error" and "devicemapper" in f.next_steps[0]


def test_a_probe_asking_https_of_plain_http():
    c = spec_container(liveness=True)
    said = 'Liveness probe failed: Get "https://10.0.0.1:8080/healthz": http: server gave HTTP response to HTTPS client'
    events = [event("Unhealthy", said, type_="Warning", count=3),
              event("Killing", "Container app failed liveness probe, will be restarted")]  # fmt: skip
    p = pod(containers=[c], statuses=[status(last=terminated(137), restarts=2)])
    f = one(p, *events).findings[0]
    assert f.cause == "liveness_probe_kill" and "scheme" in f.next_steps[0]


# --- what the third review found ------------------------------------------------------------


def test_a_listen_address_is_no_service_link():
    lines = ["* Listening on tcp://0.0.0.0:3000", "undefined method `x' for nil (NoMethodError)"]
    f = one(crashed(1), logs={"app": lines}).findings[0]
    assert not any("enableServiceLinks" in s for s in f.next_steps)


@pytest.mark.parametrize(
    "line",
    [
        "WARN 2024 cache warmup failed, continuing (TimeoutException)",
        "Error: config file /etc/x.yaml not found, using defaults",
        "main: error: retrying connection to broker",
    ],
)
def test_a_handled_error_is_not_the_programs_last_word(line):
    assert logsigs.scan([line]) == ()


def test_cobras_own_argument_errors_are_wrong_arguments():
    lines = ["Error: unknown flag: --metric-resolution-seconds", "Usage:"]
    f = one(crashed(1), logs={"app": lines}).findings[0]
    assert "The arguments are wrong" in f.next_steps[0]


def test_coredns_current_loop_wording():
    line = ('[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :53) detected for zone ".", see '
            "https://coredns.io/plugins/loop#troubleshooting.")  # fmt: skip
    assert [h.signature.id for h in logsigs.scan([line])] == ["coredns_loop"]


def test_a_klog_fatal_exit_255_is_no_exec_failure():
    last = terminated(255, started="2026-11-20T09:00:00Z", finished="2026-11-20T09:00:00Z")
    lines = ["F0101 10:00:00.000000       1 server.go:1] failed complete: too many open files"]
    f = one(pod(statuses=[status(last=last, restarts=2)]), logs={"app": lines}).findings[0]
    assert f.cause == "exit_255" and "exec failure" not in f.summary


def test_a_hooks_quoted_output_where_its_stderr_is_empty():
    msg = ('PostStartHook failed: command \'/bin/sh -c check\' exited with 1: , message: '
           '"waiting for db...\\nERROR: db not reachable\\n"')  # fmt: skip
    waiting = {"waiting": {"reason": "PostStartHookError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert "(the hook exited 1): waiting for db... ERROR: db not reachable" in f.summary


def test_fargate_nodes_among_others_and_a_daemonset_on_fargate():
    mixed = _unschedulable(
        "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint "
        "{eks.amazonaws.com/compute-type: fargate}."
    )
    assert not any("Only Fargate nodes" in s for s in mixed.next_steps)
    ds = _unschedulable(
        "0/10 nodes are available: 1 node(s) had untolerated taint "
        "{eks.amazonaws.com/compute-type: fargate}, 9 node(s) didn't match Pod's node affinity.",
        owner=("DaemonSet", "calico-node"),
    )
    assert any("Fargate runs no DaemonSet" in s for s in ds.next_steps)


def test_one_matching_full_node_of_a_deployment_may_be_joined_by_another():
    f = _unschedulable(
        "0/6 nodes are available: 1 Insufficient nvidia.com/gpu, 5 node(s) didn't match Pod's "
        "node affinity/selector."
    )
    step = next(s for s in f.next_steps if "passes the pod's selector" in s)
    assert "add a node that matches" in step


def test_the_legacy_shutdown_reason_is_a_stop_not_a_refusal():
    p = pod(statuses=[status(state={"waiting": {"reason": "ContainerCreating"}})],
            phase="Failed", reason="Shutdown", message="Node is shutting, evicting pods")  # fmt: skip
    f = one(p).findings[0]
    assert f.cause == "node_shutdown" and "stopped" in f.summary


def test_cri_os_handler_words_and_a_failed_virtual_node_pod():
    f = pending_on(
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to find runtime "
        "handler kata from runtime list map[runc:0x1]",
        "FailedCreatePodSandBox",
    )
    assert "'kata'" in f.summary
    p = pod(statuses=[], phase="Failed", reason="ProviderFailed", message="quota exceeded")
    assert one(p).findings[0].cause == "sandbox_failed"


def test_a_host_path_socket_is_not_told_to_become_a_directory():
    f = pending_on(
        'MountVolume.SetUp failed for volume "docker" : hostPath type check failed: '
        "/var/run/docker.sock is not a socket file"
    )
    assert "DirectoryOrCreate" not in f.next_steps[-1] and "socket" in f.next_steps[-1]


def test_an_image_asking_for_a_newer_cuda():
    msg = ("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.2, please "
           "update your driver to a newer version: unknown")  # fmt: skip
    waiting = {"waiting": {"reason": "RunContainerError", "message": msg}}
    f = one(pod(statuses=[status(state=waiting)])).findings[0]
    assert "newer CUDA" in f.next_steps[0]
    assert sum("Read the whole error" in s for s in f.next_steps) == 1


def test_a_kept_exit_code_is_sharpened_by_a_termination_message_of_log_lines():
    message = (
        "I0101 10:00:00.000000       1 server.go:1] starting\n"
        "F0101 10:00:01.000000       1 server.go:2] failed complete: too many open files"
    )
    f = one(pod(statuses=[status(last=terminated(1, "Error", message), restarts=3)])).findings[0]
    assert f.cause == "app_error"
    assert "fs.inotify.max_user_instances" in f.next_steps[0]
    assert any(line.endswith("too many open files") for line in f.evidence)


def test_a_runtime_start_message_is_not_read_twice():
    msg = 'failed to create containerd task: exec: "foo": executable file not found in $PATH'
    f = one(pod(statuses=[status(last=terminated(128, "StartError", msg), restarts=2)]))
    assert f.findings[0].cause == "command_not_found"
    assert sum("foo" in line for line in f.findings[0].evidence) <= 2
