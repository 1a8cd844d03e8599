"""The sweep's pre-filter (``sources/triage.py``) errs one way only: a pod it leaves unbuilt as
``Quiet`` is one that ``needs_diagnosis`` calls healthy and no Warning event concerns, counted by
the same census key; every other pod is decoded exactly as the typed page decoder decodes it.
Held on the examples, a generated cluster, pods a step away from healthy, and the fuzz's pods.
(End to end, ``-o json`` with and without it is compared in test_typed_decode.py.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_bad_input import anything, events, pods

from kubectl_exitwhy.evidence import WARNING_REASONS
from kubectl_exitwhy.owners import census_key
from kubectl_exitwhy.sources import plainjson, triage, typed
from kubectl_exitwhy.sources.join import EventIndex, Quiet, needs_diagnosis
from kubectl_exitwhy.sources.paging import Deferred
from localapi.generate import iter_objects

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _typed(monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)


def _decode(items: list, index: EventIndex) -> list:
    page = json.dumps({"metadata": {"continue": ""}, "items": items}).encode()
    whole, one = typed.decoder("pods"), typed.pod_decoder()
    assert whole is not None and one is not None
    got = _undefer(triage.decoder(whole, one, index.warned)(page))
    assert got["metadata"] == {"continue": ""}
    return got["items"]


def _undefer(page: Any) -> Any:
    """A page the decoder deferred (its items decoded when the pager asks), decoded."""
    if isinstance(page, Deferred):
        head = page.metadata
        page = page.page()
        assert page.get("metadata") == head
    return page


def _check(items: list, index: EventIndex) -> int:
    """Each decoded pod is either quiet rightly or the typed decode of it (of it alone: where a
    page is read whole, one odd pod sends all of them the plain way); the quiet count."""
    decoded = _decode(items, index)
    one = typed.pod_decoder()
    expected = [one(json.dumps(item).encode()) for item in items]
    assert len(decoded) == len(items)
    quiet = 0
    for got, want, item in zip(decoded, expected, items):
        if type(got) is Quiet:
            quiet += 1
            assert not needs_diagnosis(want, index.warned(want)), want
            assert got.key == census_key(want)
            assert got["metadata"]["uid"] == want["metadata"].get("uid")
        else:  # or, where msgspec cannot read the page (NaN), the page read the plain way
            assert got == want or got == plainjson.loads(json.dumps(item))
    return quiet


def _pods(objects: Any) -> list:
    return [o for o in objects if isinstance(o, dict) and o.get("kind") == "Pod"]


def test_a_generated_cluster_leaves_every_healthy_pod_unbuilt():
    objects = list(iter_objects(3000, seed=5))
    pods_ = _pods(objects)
    index = EventIndex()
    index.add_all(o for o in objects if o.get("kind") == "Event")
    healthy = sum(not needs_diagnosis(p, index.warned(p)) for p in pods_)
    assert healthy > len(pods_) // 2  # a generated cluster is mostly healthy
    assert _check(pods_, index) == healthy  # none judged the long way that need not be


def test_every_example_pod_is_quiet_only_where_healthy():
    from kubectl_exitwhy.sources.files import flatten

    found = []
    for path in sorted((ROOT / "examples").rglob("*.json")):
        if not path.name.startswith("expected"):
            found += _pods(flatten([json.loads(path.read_text())], path.name))
    assert len(found) > 20
    _check(found, EventIndex())


def _healthy() -> dict:
    return {
        "metadata": {
            "name": "web-7d4b9c-x2x",
            "namespace": "prod",
            "uid": "u1",
            "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d4b9c", "controller": True}],
        },
        "spec": {
            "containers": [{"name": "app", "env": [{"name": "LOG_LEVEL", "value": "x"}]}],
            "initContainers": [{"name": "init", "command": ["sh", "-c", "true"]}],
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "True"},
                {"type": "ContainersReady", "status": "True"},
            ],
            "initContainerStatuses": [],  # a completed init container is looked at
            "containerStatuses": [
                {"name": "app", "restartCount": 0, "state": {"running": {}}, "lastState": {}}
            ],
        },
    }


# where one step away from healthy can go: a path into the pod, and what is put there
STEPS = [
    ("metadata",),
    ("metadata", "deletionTimestamp"),
    ("metadata", "labels"),
    ("metadata", "labels", "pod-template-hash"),
    ("metadata", "ownerReferences"),
    ("metadata", "uid"),
    ("spec",),
    ("spec", "containers"),
    ("spec", "containers", 0, "env"),
    ("spec", "containers", 0, "env", 0),
    ("spec", "containers", 0, "env", 0, "name"),
    ("spec", "containers", 0, "command"),
    ("spec", "containers", 0, "args"),
    ("spec", "initContainers", 0, "command", 2),
    ("status",),
    ("status", "phase"),
    ("status", "reason"),
    ("status", "conditions"),
    ("status", "conditions", 0, "status"),
    ("status", "conditions", 1, "type"),
    ("status", "conditions", 1, "status"),  # Ready: the node controller's mark
    ("status", "conditions", 1, "reason"),
    ("status", "conditions", 2, "status"),  # ContainersReady
    ("status", "conditions", 2, "type"),
    ("status", "containerStatuses", 0),
    ("status", "containerStatuses", 0, "restartCount"),
    ("status", "containerStatuses", 0, "state"),
    ("status", "containerStatuses", 0, "state", "waiting"),
    ("status", "containerStatuses", 0, "state", "terminated"),
    ("status", "containerStatuses", 0, "lastState"),
    ("status", "containerStatuses", 0, "lastState", "terminated"),
    ("status", "initContainerStatuses"),
    ("status", "ephemeralContainerStatuses"),
]
values = st.one_of(
    anything,
    st.sampled_from(
        [
            None,
            0,
            1,
            "",
            "Running",
            "Pending",
            "True",
            "False",
            "DisruptionTarget",
            "PodScheduled",
            "Ready",
            "ContainersReady",
            "ReadinessGatesNotReady",
            "ContainersNotReady",
            "GOMEMLIMIT",
            "-Xmx2g",
            ["java", "-Xmx2g"],
            {"reason": "ContainerCreating"},
            {"reason": "CrashLoopBackOff"},
            {"exitCode": 137},
            {},
            [],
            [{"name": "JAVA_OPTS"}],
            [{"type": "DisruptionTarget", "status": "True"}],
        ]
    ),
)


def _put(doc: dict, path: tuple, value: Any) -> None:
    *parents, last = path
    for key in parents:
        try:
            doc = doc[key]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(doc, dict) or (
        isinstance(doc, list) and isinstance(last, int) and last < len(doc)
    ):
        doc[last] = value


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), values), max_size=3))
def test_a_pod_a_step_from_healthy_is_quiet_only_where_healthy(steps):
    doc = _healthy()
    for path, value in steps:
        _put(doc, path, copy.deepcopy(value))
    _check([doc, _healthy()], EventIndex())


def test_the_healthy_pod_is_quiet_and_each_finding_is_not():
    assert _check([_healthy()], EventIndex()) == 1
    sick = _healthy()
    sick["status"]["containerStatuses"][0]["restartCount"] = 3
    assert _check([sick], EventIndex()) == 0
    index = EventIndex()
    index.add(
        {
            "involvedObject": {"kind": "Pod", "namespace": "prod", "name": "web-7d4b9c-x2x"},
            "type": "Warning",
            "reason": "Unhealthy",
        }
    )
    assert _check([_healthy()], index) == 0  # a Warning about it: built, whatever its status


def test_a_pod_the_node_controller_marked_not_ready_is_built():
    """Ready False beside ContainersReady True, for no reason the kubelet gives: the node
    stopped being Ready (MarkPodsNotReady). Not quiet, whatever the rest of its status; a pod
    whose readiness gates are unmet, or whose containers are not ready, stays quiet."""
    marked = _healthy()
    marked["status"]["conditions"][1]["status"] = "False"
    assert needs_diagnosis(marked)
    assert _check([marked], EventIndex()) == 0
    for reason in ("ReadinessGatesNotReady", "ContainersNotReady"):
        gated = copy.deepcopy(marked)
        gated["status"]["conditions"][1]["reason"] = reason
        assert not needs_diagnosis(gated), reason
        assert _check([gated], EventIndex()) == 1, reason
    both = copy.deepcopy(marked)
    both["status"]["conditions"][2]["status"] = "False"  # the kubelet's own not-ready
    assert not needs_diagnosis(both) and _check([both], EventIndex()) == 1


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pod_docs=st.lists(pods, max_size=3), event_docs=events)
def test_fuzzed_pods_are_quiet_only_where_healthy(pod_docs, event_docs):
    index = EventIndex()
    index.add_all(event_docs)
    _check(pod_docs, index)


def test_a_page_the_prefilter_cannot_read_is_decoded_whole():
    whole, one = typed.decoder("pods"), typed.pod_decoder()
    decode = triage.decoder(whole, one, EventIndex().warned)
    for body in (
        b'{"items":{"a":1}}',
        b'{"items":[{"metadata":{"name":"\\ud800"}}]}',
        b'{"metadata":{},"items":[5,"x",' + json.dumps(_healthy()).encode() + b"]}",
        b'{"items":[{"status":{"containerStatuses":[{"restartCount":1' + b"0" * 5000 + b"}]}}]}",
    ):
        want = whole(body)
        got = _undefer(decode(body))
        items = got.get("items")
        if isinstance(items, list):
            assert [i for i in items if type(i) is not Quiet] == [
                i for i in want["items"] if not isinstance(i, dict) or needs_diagnosis(i)
            ]
        else:
            assert got == want


pod_metas = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.sampled_from(["p0", "p1", ""]), anything),
        "namespace": st.sampled_from(["prod", "", "job:prod", "x"]),
        "uid": st.one_of(st.sampled_from(["u1", "", "p0"]), st.text(max_size=4)),
    },
)
aimed_events = st.lists(
    st.fixed_dictionaries(
        {
            "involvedObject": st.fixed_dictionaries(
                {"kind": st.sampled_from(["Pod", "Job", "Node"])},
                optional={
                    "name": st.one_of(st.sampled_from(["p0", "p1", ""]), anything),
                    "namespace": st.sampled_from(["prod", "", "x"]),
                    "uid": st.one_of(st.sampled_from(["u1", ""]), anything),
                },
            ),
        },
        optional={
            "type": st.one_of(st.sampled_from(["Warning", "Normal", ""]), anything),
            "reason": st.sampled_from(["BackOff", "Killing", "Started", "OOMKilling"]),
            "metadata": st.fixed_dictionaries({"uid": st.text(max_size=3)}),
        },
    ),
    max_size=5,
)


def _warning_about(kind: str, **inv: str) -> list:
    return [{"involvedObject": {"kind": kind, **inv}, "type": "Warning", "reason": "BackOff"}]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meta=pod_metas, event_docs=st.one_of(aimed_events, events))
@example(meta={"name": "p0", "namespace": "prod"}, event_docs=_warning_about("Pod", name="p0"))
@example(meta={"uid": "u1"}, event_docs=_warning_about("Pod", uid="u1", name="p1"))
@example(  # a namespace that is a Job's key: for_pod finds the Job's events
    meta={"name": "p0", "namespace": "job:prod"},
    event_docs=_warning_about("Job", name="p0", namespace="prod"),
)
def test_the_warned_shortcut_agrees_with_every_event_of_the_pod(meta, event_docs):
    """``warned`` looks no further for a pod whose uid and name no Warning carries: it must say
    what reading every event ``for_pod`` finds says."""
    index = EventIndex()
    index.add_all(event_docs)
    doc = {"metadata": meta}
    full = any(
        e.get("type") == "Warning"
        or (
            not e.get("type")
            and isinstance(e.get("reason"), str)
            and e["reason"] in WARNING_REASONS
        )
        for e in index.for_pod(doc)
    )
    assert index.warned(doc) == full


def test_texts_that_repeat_across_pods_and_events_are_kept_once():
    """A sweep keeps thousands of pods' conditions and the cluster's useful events: a text
    they repeat (a condition's type and status, a namespace, an event's reason) is one copy,
    and what is kept reads the same as what came."""
    from kubectl_exitwhy.evidence import build_pod
    from kubectl_exitwhy.sources.cluster import EVENT_KEYS, _kept

    def fresh(text: str) -> str:  # an equal text that is another object, as a decoder makes it
        return "".join(list(text))

    first, second = _healthy(), _healthy()
    for doc in (first, second):
        doc["metadata"]["namespace"] = fresh("prod")
        for cond in doc["status"]["conditions"]:
            cond["type"], cond["status"] = fresh(cond["type"]), fresh(cond["status"])
    a, b = build_pod(first), build_pod(second)
    assert a.namespace is b.namespace and a.conditions[1].type is b.conditions[1].type
    assert a.conditions[1].status is b.conditions[1].status == "True"

    def event() -> dict:
        return {
            "involvedObject": {"kind": fresh("Pod"), "namespace": fresh("prod"), "name": "web-1"},
            "reason": fresh("BackOff"),
            "type": fresh("Warning"),
            "message": "Back-off restarting failed container",
            "metadata": {"uid": "e1"},
        }

    came = event()
    one, two = _kept(came), _kept(event())
    assert one == {k: came[k] for k in EVENT_KEYS if k in came}
    assert one["reason"] is two["reason"]
    assert one["involvedObject"]["kind"] is two["involvedObject"]["kind"]


def test_a_pod_on_a_node_that_stopped_reporting_needs_a_diagnosis_unless_it_is_done():
    """``down``: the nodes whose kubelet stopped reporting (a saved file's, or those a sweep
    across namespaces read again): a running pod on one needs a diagnosis, marked or not; a
    pod that succeeded does not."""
    pod = _healthy()
    pod["spec"]["nodeName"] = "n1"
    assert not needs_diagnosis(pod) and not needs_diagnosis(pod, False, frozenset({"n2"}))
    assert needs_diagnosis(pod, False, frozenset({"n1"}))
    pod["status"]["phase"] = "Succeeded"
    assert not needs_diagnosis(pod, False, frozenset({"n1"}))
