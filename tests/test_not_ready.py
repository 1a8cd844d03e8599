"""A running container that stays not ready while its readiness probe fails: the kubelet never
restarts it, so no exit and no waiting reason tell it. It is not met with silence once it has
failed past a start-up, and it is not reported while the pod may still be starting."""

from __future__ import annotations

from datetime import datetime, timezone

from builders import event, pod, spec_container, status
from kubectl_exitwhy.engine import diagnose
from kubectl_exitwhy.sources.join import EventIndex, assemble, needs_diagnosis

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
NOT_FOUND = "Readiness probe failed: HTTP probe failed with statuscode: 404"


def _diagnose(*objects, observed=NOW):
    index = EventIndex()
    index.add_all(o for o in objects if o.get("kind") == "Event")
    pods = [o for o in objects if o.get("kind") == "Pod"]
    (p,) = assemble(pods, index, events_known=index.count > 0, observed=observed)
    return diagnose(p)


def _probed(*containers: str, ready: bool = False) -> dict:
    """A pod whose containers have a readiness probe, each not ready (or ready) and running."""
    specs = []
    for name in containers:
        c = spec_container(name)
        c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10}
        specs.append(c)
    statuses = [status(n, ready=ready) for n in containers]
    for st in statuses:
        st["state"] = {"running": {"startedAt": "2026-11-20T08:00:30Z"}}
    return pod(containers=specs, statuses=statuses)


def _unhealthy(message=NOT_FOUND, *, count, first, last, container="app", timed=True):
    e = event("Unhealthy", message, type_="Warning", count=count, first=first, last=last,
              container=container)  # fmt: skip
    if not timed:  # as kubectl describe shows it: no time, no fieldPath
        e.pop("firstTimestamp")
        e.pop("lastTimestamp")
        e["involvedObject"].pop("fieldPath", None)
    return e


def test_a_container_never_ready_for_long_is_a_finding_with_the_probe_output():
    p = _probed("app")
    e = _unhealthy(count=87, first="2026-11-20T09:45:05Z", last="2026-11-20T09:59:55Z")
    d = _diagnose(p, e)
    (f,) = d.findings
    assert (f.cause, f.severity, f.confidence) == ("unknown", "warning", "low")
    assert (f.container, f.container_type) == ("app", "regular")
    assert f.detail == "readiness probe failing: HTTP probe failed with statuscode: 404"
    assert "container app has not been ready for at least" in f.summary
    assert "statuscode: 404" in f.summary
    assert any("httpGet.path" in step for step in f.next_steps)
    assert any(line.startswith("event Unhealthy") for line in f.evidence)


def test_the_sweep_looks_at_such_a_pod():
    # its Warning events are what make a sweep build it: the status alone looks healthy
    p = pod(statuses=[status(ready=False)])
    assert not needs_diagnosis(p) and needs_diagnosis(p, warned=True)


def test_a_pod_still_starting_is_not_reported():
    p = _probed("app")
    e = _unhealthy(count=3, first="2026-11-20T09:59:30Z", last="2026-11-20T09:59:50Z")
    assert _diagnose(p, e).findings == ()


def test_a_container_that_is_ready_now_is_not_reported():
    p = _probed("app", ready=True)
    e = _unhealthy(count=57, first="2026-11-20T09:40:05Z", last="2026-11-20T09:49:55Z")
    assert _diagnose(p, e).findings == ()


def test_a_liveness_failure_is_not_a_readiness_failure():
    p = _probed("app")
    e = _unhealthy("Liveness probe failed: HTTP probe failed with statuscode: 500", count=57,
                   first="2026-11-20T09:50:05Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    assert all("not been ready" not in f.summary for f in _diagnose(p, e).findings)


def test_without_times_the_count_of_failed_attempts_tells_how_long():
    p = _probed("app")
    p["spec"]["containers"][0]["readinessProbe"]["periodSeconds"] = 5
    long = _unhealthy(count=130, first="", last="", timed=False)  # 129 periods of 5 s
    short = _unhealthy(count=100, first="", last="", timed=False)  # 495 s: may be a rollout
    (f,) = _diagnose(p, long, observed=None).findings
    assert "at least 10m45s" in f.summary
    assert _diagnose(p, short, observed=None).findings == ()


def test_a_long_false_ready_condition_counts_even_with_few_events_kept():
    p = _probed("app")
    p["status"]["conditions"] = [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
         "lastTransitionTime": "2026-11-20T09:00:00Z"},
    ]  # fmt: skip
    e = _unhealthy("Readiness probe failed: dial tcp 10.0.0.7:8080: connect: connection refused",
                   count=1, first="2026-11-20T09:59:55Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    (f,) = _diagnose(p, e).findings
    assert "at least 1h" in f.summary
    assert any("Nothing listens on the probe's port" in step for step in f.next_steps)


def test_the_ready_condition_caps_what_the_events_add_up():
    # failures an hour apart add up to a long span; Ready went False only a minute ago
    p = _probed("app")
    p["status"]["conditions"] = [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
         "lastTransitionTime": "2026-11-20T09:59:00Z"},
    ]  # fmt: skip
    e = _unhealthy(count=12, first="2026-11-20T08:00:00Z", last="2026-11-20T09:59:55Z")
    assert _diagnose(p, e).findings == ()


def test_the_time_before_the_container_ran_does_not_count():
    # a 57 minutes' pull: Ready False since the pod's first sync, the container up 2.5 minutes
    p = _probed("app")
    p["status"]["containerStatuses"][0]["state"] = {
        "running": {"startedAt": "2026-11-20T09:57:30Z"}
    }
    p["status"]["conditions"] = [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
         "lastTransitionTime": "2026-11-20T09:00:00Z"},
    ]  # fmt: skip
    e = _unhealthy(count=14, first="2026-11-20T09:57:40Z", last="2026-11-20T09:59:50Z")
    assert _diagnose(p, e).findings == ()


def test_a_probe_that_cannot_run_keeps_a_container_never_ready():
    # readiness starts as Failure, and the kubelet drops an errored result
    p = _probed("app")
    p["status"]["conditions"] = [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
         "lastTransitionTime": "2026-11-20T08:00:00Z"},
    ]  # fmt: skip
    e = _unhealthy('Readiness probe errored: rpc error: code = Unknown desc = exec: "curl": '
                   "executable file not found in $PATH: unknown", count=359,
                   first="2026-11-20T08:00:45Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    (f,) = _diagnose(p, e).findings
    assert "cannot run" in f.summary and "at least 1h59m" in f.summary
    assert "command exists in the image" in f.next_steps[1]


def test_an_errored_probe_is_not_a_failing_one():
    # the kubelet drops an errored probe's result: a container that was ready stays so
    p = _probed("app")
    e = _unhealthy("Readiness probe errored and resulted in unknown state: rpc error: code = "
                   "NotFound desc = no running task found", count=90,
                   first="2026-11-20T09:45:00Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    assert _diagnose(p, e).findings == ()


def test_another_containers_probe_output_is_not_quoted():
    p = _probed("app", "envoy")
    p["status"]["containerStatuses"][1]["ready"] = True
    mine = _unhealthy(count=90, first="2026-11-20T09:45:00Z", last="2026-11-20T09:58:00Z")
    other = _unhealthy("Readiness probe failed: dial tcp :15021: connect: connection refused",
                       count=2, first="2026-11-20T09:59:00Z", last="2026-11-20T09:59:50Z",
                       container="envoy")  # fmt: skip
    (f,) = _diagnose(p, mine, other).findings
    assert f.container == "app" and "statuscode: 404" in f.summary
    assert not any("15021" in line for line in f.evidence)
    assert not any("Nothing listens" in step for step in f.next_steps)


def test_a_container_shown_without_a_readiness_probe_is_not_blamed():
    p = _probed("app")
    p["spec"]["containers"].append(spec_container("worker"))  # a whole spec, no readiness probe
    p["status"]["containerStatuses"][0]["ready"] = True
    p["status"]["containerStatuses"].append(status("worker", ready=False))
    e = _unhealthy(count=90, first="2026-11-20T09:45:00Z", last="2026-11-20T09:59:55Z")
    assert _diagnose(p, e).findings == ()  # the events are app's, and app is ready
