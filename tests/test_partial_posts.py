"""What pasted, partial reports taught: a container known only by name from the events is not
the pod's only one, a probe excerpt does not prove other containers have none, a pull failure
no container owns is still a finding, and the steps fit the failure the message names."""

from __future__ import annotations

from datetime import datetime, timezone

from builders import event, pod, spec_container, status, terminated
from kubectl_exitwhy.engine import diagnose
from kubectl_exitwhy.evidence import build_pod


def _bare(e: dict) -> dict:
    """As kubectl describe shows it: no fieldPath, no uid."""
    e["involvedObject"] = {
        k: v for k, v in e["involvedObject"].items() if k not in ("fieldPath", "uid")
    }
    return e


def _events_only_pod() -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "hook-1", "namespace": "ocp"}, "spec": {"nodeName": "n1"}}  # fmt: skip


RATE = (
    'Failed to pull image "bitnami/kubectl:1.19": rpc error: code = Unknown desc = toomanyrequests:'
    " You have reached your pull rate limit."
)


def test_a_pull_failure_is_not_given_to_a_container_only_the_events_named():
    events = [
        _bare(event("Started", "Started container keys", pod_name="hook-1", ns="ocp")),
        _bare(event("Failed", RATE, type_="Warning", pod_name="hook-1", ns="ocp")),
    ]
    p = build_pod(_events_only_pod(), events)
    (keys,) = p.containers
    assert keys.name == "keys" and not keys.has_spec and not keys.image
    assert [e.container for e in p.events if e.reason == "Failed"] == [None]
    (f,) = diagnose(p).findings
    assert (f.cause, f.container, f.confidence) == ("image_pull_error", None, "medium")
    assert "bitnami/kubectl:1.19" in f.summary and "rate limit" in f.summary
    assert any("imagePullSecret" in step for step in f.next_steps)


def test_a_pull_failure_followed_by_a_pull_of_that_image_is_over():
    events = [
        _bare(event("Failed", RATE, type_="Warning", pod_name="hook-1", ns="ocp",
                    last="2026-11-20T09:00:00Z")),
        _bare(event("Pulled", 'Successfully pulled image "bitnami/kubectl:1.19" in 2s',
                    pod_name="hook-1", ns="ocp", last="2026-11-20T09:05:00Z")),
    ]  # fmt: skip
    p = build_pod(_events_only_pod(), events)
    assert all(f.cause != "image_pull_error" for f in diagnose(p).findings)


def test_the_only_container_of_a_saved_pod_still_owns_its_unnamed_events():
    own = RATE.replace("bitnami/kubectl:1.19", "ghcr.io/acme/app:1.0")
    e = _bare(event("Failed", own, type_="Warning"))
    p = build_pod(pod(statuses=[status(state={"waiting": {"reason": "ImagePullBackOff"}})]), [e])
    assert [x.container for x in p.events] == ["app"]
    assert diagnose(p).findings[0].container == "app"


def test_a_probe_event_is_not_given_to_the_only_container_shown_with_that_probe():
    # the other container was named, its spec not shown: it may have the same probe
    app = spec_container("redis", liveness=True)
    p = pod(containers=[app, {"name": "sentinel"}],
            statuses=[status("redis", last=terminated(137), restarts=3)])  # fmt: skip
    e = _bare(event("Unhealthy", "Liveness probe failed: connect to localhost:26379: refused",
                    type_="Warning"))  # fmt: skip
    assert [x.container for x in build_pod(p, [e]).events] == [None]
    p["spec"]["containers"][1] = spec_container("sentinel")  # shown whole, without the probe
    assert [x.container for x in build_pod(p, [e]).events] == ["redis"]


def test_a_go_panic_behind_exit_2_points_at_the_trace_not_at_the_arguments():
    p = pod(statuses=[status(last=terminated(2), restarts=4)])
    logs = {"app": ["starting", "panic: runtime error: invalid memory address or nil pointer "
                    "dereference", "[signal SIGSEGV: segmentation violation]"]}  # fmt: skip
    (f,) = diagnose(build_pod(p, logs=logs)).findings
    assert f.cause == "shell_misuse"
    assert "stopped on an uncaught error" in f.next_steps[0]
    assert not any("command and args" in step for step in f.next_steps)
    plain = diagnose(build_pod(p, logs={"app": ["usage: app [-v] FILE"]})).findings[0]
    assert any("command and args" in step for step in plain.next_steps)


def test_a_node_ports_rejection_points_at_the_port_not_at_capacity():
    p = pod(phase="Failed", statuses=[], reason="NodePorts",
            message="Pod was rejected: Predicate NodePorts failed")  # fmt: skip
    (f,) = diagnose(build_pod(p)).findings
    assert f.cause == "admission_rejected"
    assert "host port" in f.next_steps[0] and "spec.nodeName=n1" in f.next_steps[0]
    assert not any("free capacity" in step for step in f.next_steps)
    assert "hostPort" in f.next_steps[0] and "not retried" in f.next_steps[-1]
    p["status"].update(reason="OutOfcpu", message="Pod was rejected: Node didn't have enough "
                       "resource: cpu, requested: 2000, used: 3500, capacity: 4000")  # fmt: skip
    (f,) = diagnose(build_pod(p)).findings
    assert any("free capacity" in step for step in f.next_steps)


def test_a_mount_propagation_refusal_names_the_shared_mount():
    message = ('failed to generate container "40d0" spec: failed to generate spec: path "/" is '
               'mounted on "/" but it is not a shared or slave mount')  # fmt: skip
    waiting = {"waiting": {"reason": "CreateContainerError"}}
    e = event("Failed", f"Error: {message}", type_="Warning")
    (f,) = diagnose(build_pod(pod(statuses=[status(state=waiting)]), [e])).findings
    assert f.cause == "start_error" and "not shared" in f.summary
    assert "mountPropagation" in f.next_steps[0]
    assert any("is not a shared or slave mount" in line for line in f.evidence)  # the event
    other = event("Failed", "Error: stat /var/reana: no such file or directory", type_="Warning")
    (g,) = diagnose(build_pod(pod(statuses=[status(state=waiting)]), [other])).findings
    assert not any("mountPropagation" in step for step in g.next_steps)


def test_a_subpath_the_kubelet_could_not_prepare_is_named_with_where_to_read_why():
    waiting = {"waiting": {"reason": "CreateContainerConfigError",
                           "message": 'failed to prepare subPath for volumeMount "db" of '
                           'container "app"'}}  # fmt: skip
    (f,) = diagnose(build_pod(pod(statuses=[status(state=waiting)]))).findings
    assert f.cause == "config_error" and "subPath of volumeMount 'db'" in f.summary
    assert "journalctl -u kubelet" in f.next_steps[0] and "node n1" in f.next_steps[0]
    assert "exists" not in f.next_steps[0]  # the kubelet makes a missing subPath itself
    assert not any("runAsNonRoot" in step for step in f.next_steps)


def test_a_crio_create_failure_waits_as_create_container_error_with_the_cwd_step():
    # CRI-O runs the OCI create in CreateContainer and quotes runc's words
    message = (
        '(combined from similar events): Error: container create failed: time="2021-06-14T19:59:57Z"'
        ' level=error msg="container_linux.go:366: starting container process caused: chdir to cwd'
        ' (\\"/home/appuser\\") set in config.json failed: permission denied"'
    )
    p = pod(statuses=[])
    p["status"].pop("phase")
    p["spec"]["containers"] = [{"name": "rest"}]
    e = _bare(event("Failed", message, type_="Warning", count=907))
    (f,) = diagnose(build_pod(p, [e])).findings
    assert (f.cause, f.container) == ("start_error", "rest")
    assert "CreateContainerError" in f.summary and "working directory" in f.summary
    assert "group 0" in f.next_steps[0]


def test_a_sandbox_failure_says_the_error_the_wrappers_end_with():
    cni = event("FailedCreatePodSandBox", 'Failed to create pod sandbox: rpc error: code = Unknown '
                'desc = failed to set up sandbox container "ebb5" network for pod "web-1": '
                'networkPlugin cni failed to set up pod "web-1_prod" network: add cmd: failed to '
                "assign an IP address to container", type_="Warning", container=None)  # fmt: skip
    waiting = {"waiting": {"reason": "ContainerCreating"}}
    p = pod(phase="Pending", statuses=[status(state=waiting)])
    (f,) = diagnose(build_pod(p, [cni])).findings
    assert f.cause == "sandbox_failed"
    assert f.summary.endswith("add cmd: failed to assign an IP address to container")


def test_a_mount_that_times_out_after_the_attach_points_at_the_node_side():
    waiting = {"waiting": {"reason": "ContainerCreating"}}
    p = pod(phase="Pending", statuses=[status(state=waiting)])
    attach = event("SuccessfulAttachVolume", 'AttachVolume.Attach succeeded for volume "pvc-1"',
                   container=None, component="attachdetach-controller",
                   last="2026-11-20T09:50:00Z")  # fmt: skip
    timeout = event("FailedMount", "Unable to attach or mount volumes: unmounted volumes=[data], "
                    "unattached volumes=[data]: timed out waiting for the condition",
                    type_="Warning", container=None)  # fmt: skip
    (f,) = diagnose(build_pod(p, [attach, timeout])).findings
    assert f.cause == "volume_mount_failed"
    assert "CSI driver" in f.next_steps[1] and "spec.nodeName=n1" in f.next_steps[1]
    assert not any("Multi-Attach" in step for step in f.next_steps)
    (g,) = diagnose(build_pod(p, [timeout])).findings  # no attach seen: every kind of step
    assert any("Multi-Attach" in step for step in g.next_steps)


def test_an_extended_resource_nobody_has_is_checked_before_adding_nodes():
    e = event("FailedScheduling", "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.",
              type_="Warning", container=None, component="default-scheduler")  # fmt: skip
    (f,) = diagnose(build_pod(pod(phase="Pending", node="", statuses=[]), [e])).findings
    assert f.cause == "unschedulable"
    assert "grep nvidia.com/gpu)" in f.next_steps[0] and "device plugin" in f.next_steps[0]
    cpu = event("FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.",
                type_="Warning", container=None, component="default-scheduler")  # fmt: skip
    (g,) = diagnose(build_pod(pod(phase="Pending", node="", statuses=[]), [cpu])).findings
    assert not any("device plugin" in step for step in g.next_steps)


def test_a_missing_secret_a_controller_makes_is_not_only_to_be_made_by_hand():
    e = event("FailedMount", 'MountVolume.SetUp failed for volume "certs" : secret '
              '"webhook-tls" not found', type_="Warning", container=None)  # fmt: skip
    waiting = {"waiting": {"reason": "ContainerCreating"}}
    (f,) = diagnose(build_pod(pod(phase="Pending", statuses=[status(state=waiting)]), [e])).findings
    assert "controller's log" in f.next_steps[1]


def test_a_namespace_that_was_not_saved_is_not_filled_in_as_default():
    p = pod(statuses=[status(last=terminated(1), restarts=2)])
    del p["metadata"]["namespace"]
    (f,) = diagnose(build_pod(p)).findings
    assert any("-n <ns>" in step for step in f.next_steps)
    assert not any("-n default" in step for step in f.next_steps)


def test_the_kubelets_error_after_a_pull_failure_is_not_pinned_on_a_container_that_ran():
    events = [
        _bare(event("Started", "Started container keys", pod_name="hook-1", ns="ocp")),
        _bare(event("Failed", RATE, type_="Warning", pod_name="hook-1", ns="ocp")),
        _bare(event("Failed", "Error: ErrImagePull", type_="Warning", pod_name="hook-1", ns="ocp")),
        _bare(event("Failed", "Error: ImagePullBackOff", type_="Warning", pod_name="hook-1",
                    ns="ocp")),
    ]  # fmt: skip
    findings = diagnose(build_pod(_events_only_pod(), events)).findings
    assert [(f.cause, f.container) for f in findings] == [("image_pull_error", None)]


def test_a_pull_failure_long_before_the_latest_events_is_told_with_its_age():
    events = [
        _bare(event("Started", "Started container keys", pod_name="hook-1", ns="ocp",
                    last="2026-11-20T08:59:00Z")),
        _bare(event("Failed", RATE, type_="Warning", pod_name="hook-1", ns="ocp",
                    last="2026-11-20T09:00:00Z")),
        _bare(event("Unhealthy", "Liveness probe failed: timeout", type_="Warning",
                    pod_name="hook-1", ns="ocp", last="2026-11-20T10:00:00Z")),
    ]  # fmt: skip
    (f,) = [x for x in diagnose(build_pod(_events_only_pod(), events)).findings]
    assert (f.cause, f.confidence) == ("image_pull_error", "low")
    assert "last failed at 2026-11-20T09:00:00Z" in f.summary


def test_two_digests_of_one_repository_are_two_images():
    events = [
        _bare(event("Started", "Started container keys", pod_name="hook-1", ns="ocp")),
        _bare(event("Failed", 'Failed to pull image "ghcr.io/acme/app@sha256:bbb": not found',
                    type_="Warning", pod_name="hook-1", ns="ocp")),
        _bare(event("Pulled", 'Container image "ghcr.io/acme/app@sha256:aaa" already present on '
                    "machine", pod_name="hook-1", ns="ocp")),
    ]  # fmt: skip
    (f,) = diagnose(build_pod(_events_only_pod(), events)).findings
    assert f.cause == "image_pull_error" and "sha256:bbb" in f.summary


def test_a_pull_failure_of_no_saved_container_on_a_pod_that_runs_ready_is_not_a_finding():
    e = _bare(event("Failed", 'Failed to pull image "busybox:1.36x": not found', type_="Warning"))
    assert diagnose(build_pod(pod(statuses=[status(ready=True)]), [e])).findings == ()


def test_the_not_ready_finding_comes_before_a_completed_init_container():
    c = spec_container("app")
    c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    st = status("app", ready=False)
    st["state"] = {"running": {"startedAt": "2026-11-20T08:00:30Z"}}
    p = pod(containers=[c], statuses=[st], init=[spec_container("migrate")],
            init_statuses=[status("migrate", state={"terminated": terminated(0, "Completed")})])  # fmt: skip
    p["status"]["conditions"] = [{"type": "Ready", "status": "False",
                                  "lastTransitionTime": "2026-11-20T08:00:00Z"}]  # fmt: skip
    e = event("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
              type_="Warning", count=700, first="2026-11-20T08:01:00Z")  # fmt: skip
    d = diagnose(build_pod(p, [e], observed=datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)))
    assert [(f.cause, f.container) for f in d.findings] == [("unknown", "app"),
                                                             ("exit_success", "migrate")]  # fmt: skip
    assert d.primary is d.findings[0]


def test_a_pre_stop_hook_killed_with_137_points_at_the_grace_period():
    spec = spec_container("app")
    spec["lifecycle"] = {"preStop": {"exec": {"command": ["sh", "-c", "sleep 65"]}}}
    p = pod(containers=[spec], statuses=[status(restarts=1)])
    message = (
        "Exec lifecycle hook ([sh -c sleep 65]) for Container app in Pod web-1 failed - error: "
        "command 'sh -c sleep 65' exited with 137: , message: \"\""
    )
    (f,) = diagnose(build_pod(p, [event("FailedPreStopHook", message, type_="Warning")])).findings
    assert f.cause == "lifecycle_hook_failed" and "grace period ran out" in f.summary
    assert "grace period (now 30 s)" in f.next_steps[0]


def test_a_mesh_proxy_oom_points_at_the_mesh_not_at_heap_flags():
    proxy = spec_container("istio-proxy", memory="1Gi")
    p = pod(containers=[spec_container(), proxy],
            statuses=[status(ready=True), status("istio-proxy", restarts=2,
                                                 last=terminated(137, "OOMKilled"))])  # fmt: skip
    (f,) = diagnose(build_pod(p)).findings
    assert (f.cause, f.container) == ("oom_killed", "istio-proxy")
    assert "Istio's proxy" in f.summary and "proxyMemoryLimit" in f.next_steps[0]
    assert not any("-Xmx" in step for step in f.next_steps)
