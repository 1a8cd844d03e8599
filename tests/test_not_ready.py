"""A running container that stays not ready while its readiness probe fails: the kubelet never
restarts it, so no exit and no waiting reason tell it. It is not met with silence once it has
failed past a start-up, and it is not reported while the pod may still be starting."""

from __future__ import annotations

from datetime import datetime, timezone

from builders import event, pod, status
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


def _unhealthy(message=NOT_FOUND, *, count, first, last, container="app", timed=True):
    e = event("Unhealthy", message, type_="Warning", count=count, first=first, last=last,
              container=container)  # fmt: skip
    if not timed:  # as kubectl describe shows it: no time, no fieldPath
        e.pop("firstTimestamp")
        e.pop("lastTimestamp")
        e["involvedObject"].pop("fieldPath", None)
    return e


def test_a_container_never_ready_for_long_is_a_finding_with_the_probe_output():
    p = pod(statuses=[status(ready=False)])
    e = _unhealthy(count=57, first="2026-11-20T09:50:05Z", last="2026-11-20T09:59:55Z")
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
    p = pod(statuses=[status(ready=False)])
    e = _unhealthy(count=3, first="2026-11-20T09:59:30Z", last="2026-11-20T09:59:50Z")
    assert _diagnose(p, e).findings == ()


def test_a_container_that_is_ready_now_is_not_reported():
    p = pod(statuses=[status(ready=True)])
    e = _unhealthy(count=57, first="2026-11-20T09:40:05Z", last="2026-11-20T09:49:55Z")
    assert _diagnose(p, e).findings == ()


def test_a_liveness_failure_is_not_a_readiness_failure():
    p = pod(statuses=[status(ready=False)])
    e = _unhealthy("Liveness probe failed: HTTP probe failed with statuscode: 500", count=57,
                   first="2026-11-20T09:50:05Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    assert all("not been ready" not in f.summary for f in _diagnose(p, e).findings)


def test_without_times_the_count_of_failed_attempts_tells_how_long():
    p = pod(statuses=[status(ready=False)])
    p["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80},
                                                    "periodSeconds": 5}  # fmt: skip
    long = _unhealthy(count=80, first="", last="", timed=False)  # 79 periods of 5 s
    short = _unhealthy(count=20, first="", last="", timed=False)  # 95 s: may be a start-up
    (f,) = _diagnose(p, long, observed=None).findings
    assert "at least 6m" in f.summary
    assert _diagnose(p, short, observed=None).findings == ()


def test_a_long_false_ready_condition_counts_even_with_few_events_kept():
    p = pod(statuses=[status(ready=False)])
    p["status"]["conditions"] = [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
         "lastTransitionTime": "2026-11-20T09:00:00Z"},
    ]  # fmt: skip
    e = _unhealthy("Readiness probe failed: dial tcp 10.0.0.7:8080: connect: connection refused",
                   count=1, first="2026-11-20T09:59:55Z", last="2026-11-20T09:59:55Z")  # fmt: skip
    (f,) = _diagnose(p, e).findings
    assert "at least 1h" in f.summary
    assert any("Nothing listens on the probe's port" in step for step in f.next_steps)
