"""Bad input gets one sentence on stderr and exit 3; sparse input gets a diagnosis. Never a
traceback, never a silently dropped pod."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import as_list, pod, status, terminated

BAD = {
    "empty": b"",
    "only whitespace": b"  \n\n",
    "truncated json": json.dumps(as_list(pod())).encode()[:200],
    "binary": bytes(range(256)) * 4,
    "not utf-8": "caf\u00e9 kind: Pod".encode("latin-1"),
    "json, not kubernetes": b'{"hello": "world"}',
    "json scalar": b"42",
    "yaml that does not parse": b"kind: Pod\nmetadata: {name: [unclosed\n",
    "yaml, not kubernetes": b"- a\n- b\n",
    "html": b"<html><body>502 Bad Gateway</body></html>",
    "a table without its objects": json.dumps(
        {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "rows": [{"cells": ["web-1"]}]}
    ).encode(),
    "yaml alias bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdef", "bcdefg"))
        + "kind: Pod\n"
    ).encode(),
    "yaml recursive alias": b"kind: Pod\nmetadata: &m {name: a, self: *m}\n",
    "a table of metadata only": json.dumps(
        {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "rows": [{"cells": ["web-1"], "object": {"kind": "PartialObjectMetadata"}}],
        }
    ).encode(),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_files_exit_3_with_one_sentence(exitwhy, tmp_path, case):
    path = tmp_path / "input"
    path.write_bytes(BAD[case])
    run = exitwhy("-f", str(path))
    assert run.status == 3, (case, run.err)
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in run.err


def test_missing_file_and_directory(exitwhy, tmp_path):
    for target in (str(tmp_path / "absent.json"), str(tmp_path)):
        run = exitwhy("-f", target)
        assert run.status == 3 and len(run.err.strip().splitlines()) == 1


def test_unreadable_file(exitwhy, tmp_path):
    import os

    path = tmp_path / "locked.json"
    path.write_text("{}")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything
        pytest.skip("running as root: permissions do not apply")
    assert exitwhy("-f", str(path)).status == 3


SPARSE = {
    "no names": {
        "kind": "Pod",
        "status": {"containerStatuses": [{"lastState": {"terminated": {"exitCode": 1}}}]},
    },
    "empty lastState": pod(statuses=[status(last=None, restarts=0)]),
    "negative code": pod(statuses=[status(last=terminated(-9), restarts=1)]),
    "huge code": pod(statuses=[status(last=terminated(10**12), restarts=1)]),
    "code as string": pod(statuses=[status(last=terminated("137"), restarts=1)]),
    "code as float": pod(statuses=[status(last=terminated(3.5), restarts=1)]),
    "code as list": pod(statuses=[status(last=terminated([1]), restarts=1)]),
    "timestamps garbage": pod(
        statuses=[status(last=terminated(1, started="yesterday", finished=12), restarts=1)]
    ),
    "status is a string": {"kind": "Pod", "metadata": {"name": "x"}, "status": "Running"},
    "containers not a list": {
        "kind": "Pod",
        "metadata": {"name": "y"},
        "spec": {"containers": "app"},
        "status": {"containerStatuses": {"name": "app"}},
    },
}


@pytest.mark.parametrize("case", list(SPARSE), ids=list(SPARSE))
def test_sparse_pods_are_diagnosed_not_dropped(exitwhy, saved, case):
    run = exitwhy("-f", saved(SPARSE[case]), "--all", "-o", "json")
    assert run.status == 0, run.err
    assert len(run.json()["items"]) == 1  # never silently dropped
    assert "Traceback" not in run.err


def test_multi_document_yaml_and_podlist(exitwhy, tmp_path):
    import yaml

    a = pod("a", statuses=[status(last=terminated(1), restarts=1)])
    b = pod("b", statuses=[status(last=terminated(139), restarts=1)])
    path = tmp_path / "multi.yaml"
    path.write_text(
        yaml.safe_dump(a)
        + "---\n"
        + yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "PodList",
                "items": [{k: v for k, v in b.items() if k != "kind"}],
            }
        )
    )
    run = exitwhy("-f", str(path), "-o", "json")
    assert run.status == 0, run.err
    assert {i["pod"]: i["findings"][0]["cause"] for i in run.json()["items"]} == {
        "a": "app_error",
        "b": "sigsegv",
    }


# --- property-based: thousands of pod-shaped documents through every stage ------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=12),
)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
reason_words = st.sampled_from(
    [
        "OOMKilled",
        "Error",
        "Completed",
        "ContainerStatusUnknown",
        "Unknown",
        "StartError",
        "seccomp killed",
        "",
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "CreateContainerConfigError",
        "RunContainerError",
    ]
)
reasons = st.one_of(reason_words, anything)  # a list or a mapping where text should be, too
codes = st.one_of(st.integers(-300, 70000), st.floats(-1e3, 1e3), st.text(max_size=4), st.none())
times = st.one_of(
    st.none(),
    st.sampled_from(["2026-11-20T10:00:00Z", "2026-11-20T09:00:00.123Z", "bad", ""]),
    st.integers(),
)
term = st.fixed_dictionaries(
    {},
    optional={
        "exitCode": codes,
        "reason": reasons,
        "message": st.text(max_size=40),
        "startedAt": times,
        "finishedAt": times,
        "signal": anything,
    },
)
state = st.one_of(
    st.just({}),
    st.builds(lambda t: {"terminated": t}, term),
    st.builds(lambda r, m: {"waiting": {"reason": r, "message": m}}, reasons, st.text(max_size=40)),
    st.just({"running": {"startedAt": "2026-11-20T10:00:00Z"}}),
    anything,
)
container_status = st.fixed_dictionaries(
    {"name": st.sampled_from(["app", "side", "init"])},
    optional={
        "state": state,
        "lastState": st.one_of(state, anything),
        "restartCount": st.one_of(st.integers(-1, 100), anything),
        "ready": anything,
    },
)
spec_container = st.fixed_dictionaries(
    {"name": st.sampled_from(["app", "side", "init"])},
    optional={
        "restartPolicy": st.sampled_from(["Always", "Never", "OnFailure", "x"]),
        "resources": st.one_of(anything, st.just({"limits": {"memory": "512Mi"}})),
        "livenessProbe": st.one_of(anything, st.just({"periodSeconds": 10})),
        "env": st.one_of(
            anything,
            st.lists(
                st.fixed_dictionaries(
                    {"name": st.one_of(st.sampled_from(["GOMEMLIMIT", "JAVA_OPTS"]), anything)},
                    optional={"value": st.one_of(st.sampled_from(["1GiB", "-Xmx2g"]), anything)},
                ),
                max_size=2,
            ),
        ),
        "command": st.one_of(anything, st.just(["java", "-Xmx2g", "-jar", "app.jar"])),
        "args": anything,
    },
)
pods = st.fixed_dictionaries(
    {"kind": st.just("Pod")},
    optional={
        "metadata": st.one_of(
            anything,
            st.fixed_dictionaries(
                {"name": st.text(max_size=8), "namespace": st.sampled_from(["prod", "", "x"])},
                optional={"deletionTimestamp": times, "ownerReferences": anything},
            ),
        ),
        "spec": st.one_of(
            anything,
            st.fixed_dictionaries(
                {},
                optional={
                    "containers": st.lists(spec_container, max_size=3),
                    "initContainers": st.lists(spec_container, max_size=2),
                    "restartPolicy": st.sampled_from(["Always", "Never", "OnFailure"]),
                    "nodeName": st.text(max_size=4),
                },
            ),
        ),
        "status": st.one_of(
            anything,
            st.fixed_dictionaries(
                {},
                optional={
                    "phase": st.sampled_from(["Running", "Failed", "Succeeded", "Pending"]),
                    "reason": st.sampled_from(
                        ["Evicted", "DeadlineExceeded", "OutOfcpu", "Terminated", ""]
                    ),
                    "message": st.text(max_size=30),
                    "conditions": st.one_of(
                        anything,
                        st.lists(
                            st.fixed_dictionaries(
                                {
                                    "type": st.sampled_from(["DisruptionTarget", "PodScheduled"]),
                                    "status": st.sampled_from(["True", "False"]),
                                    "reason": st.text(max_size=8),
                                }
                            ),
                            max_size=2,
                        ),
                    ),
                    "containerStatuses": st.one_of(
                        anything, st.lists(container_status, max_size=3)
                    ),
                    "initContainerStatuses": st.lists(container_status, max_size=2),
                },
            ),
        ),
    },
)
events = st.lists(
    st.fixed_dictionaries(
        {"kind": st.just("Event")},
        optional={
            "involvedObject": st.one_of(
                anything,
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["Pod", "Node"]),
                        # the fuzz names its pods p0, p1 … in prod: events about them join
                        "name": st.one_of(st.sampled_from(["p0", "p1"]), st.text(max_size=8)),
                    },
                    optional={
                        "namespace": st.sampled_from(["prod", ""]),
                        "fieldPath": st.sampled_from(["spec.containers{app}", "x", ""]),
                        "uid": st.text(max_size=4),
                    },
                ),
            ),
            "type": st.one_of(st.sampled_from(["Warning", "Normal", ""]), anything),
            "reason": st.one_of(
                st.sampled_from(["Killing", "Unhealthy", "SystemOOM", "BackOff"]), anything
            ),
            "message": st.text(max_size=40),
            "lastTimestamp": times,
            "firstTimestamp": times,
            "count": anything,
        },
    ),
    max_size=4,
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pod_doc=pods, event_docs=events)
def test_any_pod_shaped_document_survives_every_stage(pod_doc, event_docs):
    from datetime import datetime, timezone

    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.render import detail, table
    from kubectl_exitwhy.render.structured import render_json, render_yaml
    from kubectl_exitwhy.render.style import Style
    from kubectl_exitwhy.sources.join import EventIndex, assemble, needs_diagnosis

    needs_diagnosis(pod_doc)
    index = EventIndex()
    index.add_all(event_docs)
    (evidence,) = list(assemble([pod_doc], index, events_known=bool(event_docs)))
    diagnosis = diagnose(evidence)
    style = Style(now=datetime(2026, 11, 24, tzinfo=timezone.utc))
    for render in (
        lambda d, s: table.render(d, s),
        lambda d, s: table.render(d, s, wide=True),
        detail.render,
        render_json,
        render_yaml,
    ):
        assert isinstance(render([diagnosis], style), str)
    json.loads(render_json([diagnosis], style))


@pytest.mark.parametrize("name,text", [("deep.json", "[" * 5000), ("deep.yaml", "- " * 5000 + "x")])
def test_absurd_nesting_is_bad_input(exitwhy, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    run = exitwhy("-f", str(path))
    assert run.status == 3 and "Traceback" not in run.err


def test_dates_at_the_ends_of_time_do_not_crash(exitwhy, saved):
    from builders import node_event

    far = pod(
        statuses=[
            status(
                last=terminated(
                    137, started="0001-01-01T00:00:00Z", finished="9999-12-31T23:59:59Z"
                ),
                restarts=1,
            )
        ]
    )
    run = exitwhy(
        "-f", saved(far, node_event("SystemOOM", "x", last="9999-12-31T23:59:59Z")), "-o", "json"
    )
    assert run.status == 0, run.err


def _failed_pod(name):
    return pod(name, phase="Failed", statuses=[status(state={"terminated": terminated(1)})])


SHAPES = {
    "yaml sequence of pods": lambda: (
        "- " + json.dumps(_failed_pod("a")) + "\n- " + json.dumps(_failed_pod("b")) + "\n"
    ),
    "list inside a list": lambda: json.dumps(as_list(as_list(_failed_pod("a")), _failed_pod("b"))),
    "table with objects": lambda: json.dumps(
        {"kind": "Table", "rows": [{"cells": [], "object": _failed_pod(n)} for n in "ab"]}
    ),
    "two json documents one after another": lambda: (
        json.dumps(_failed_pod("a")) + "\n" + json.dumps(_failed_pod("b"))
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_every_pod_of_every_shape_is_read(exitwhy, tmp_path, shape):
    path = tmp_path / "input"
    path.write_text(SHAPES[shape]())
    run = exitwhy("-f", str(path), "-A", "--all", "-o", "json")
    assert run.status == 0, run.err
    assert sorted(i["pod"] for i in run.json()["items"]) == ["a", "b"]


def test_entries_that_are_not_objects_are_counted_not_dropped_silently(exitwhy, tmp_path):
    doc = as_list(_failed_pod("a"))
    doc["items"] += [5, "text", None]
    path = tmp_path / "input.json"
    path.write_text(json.dumps(doc))
    run = exitwhy("-f", str(path), "-A")
    assert run.status == 0 and "3 entries are not Kubernetes objects" in run.err


def _events_only(tmp_path):
    """A saved file with one event and no pod."""
    path = tmp_path / "events.json"
    event = {"kind": "Event", "involvedObject": {"kind": "Pod", "name": "a"}, "reason": "Failed"}
    path.write_text(json.dumps(as_list(event)))
    return path


def test_a_file_without_pods_says_so(exitwhy, tmp_path):
    path = _events_only(tmp_path)
    run = exitwhy("-f", str(path), "-A")
    assert run.status == 0 and "holds no pods (1 events" in run.err


def test_a_pod_saved_twice_is_one_pod(exitwhy, tmp_path):
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(as_list(_failed_pod("a"), _failed_pod("a"))))
    assert len(exitwhy("-f", str(path), "-A", "-o", "json").json()["items"]) == 1


HOSTILE = [
    '{"kind":"Pod","metadata":{"name":"a\\ud800\\u200b"},"status":{"phase":"Failed"}}',
    '{"kind":"Pod","metadata":{"name":"a"},"status":{"containerStatuses":[{"name":"c","restartCount":NaN,"lastState":{"terminated":{"exitCode":Infinity}}}]}}',
    '{"kind":"Pod","metadata":{"name":"a"},"spec":{"terminationGracePeriodSeconds":'
    + "9" * 5000
    + "}}",
    '{"kind":"Pod","metadata":{"name":"a"},"status":{"containerStatuses":[{"name":"c","restartCount":-'
    + "9" * 5000
    + ',"lastState":{"terminated":{"exitCode":-'
    + "9" * 5000
    + "}}}]}}",
    '{"kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"memory":1e999}}}]},'
    '"status":{"containerStatuses":[{"name":"c","restartCount":2,"lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}}',
    # a grace period, a deadline and probe figures past any clock: 2**70 seconds
    json.dumps(
        pod(
            "a",
            containers=[
                {
                    "name": "app",
                    "image": "i",
                    "resources": {},
                    "livenessProbe": {"periodSeconds": 2**70, "failureThreshold": 2**70},
                }
            ],
            statuses=[status(last=terminated(137), restarts=2**70)],
            deletionTimestamp="2026-11-20T10:00:00Z",
            deletionGracePeriodSeconds=2**70,
        )
    ).replace('"terminationGracePeriodSeconds": 30', f'"terminationGracePeriodSeconds": {2**70}'),
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_are_read_not_crashed_on(exitwhy, tmp_path, text):
    path = tmp_path / "input.json"
    path.write_text(text)
    for output in (
        ["-o", "table"],
        ["-o", "wide"],
        ["-o", "json"],
        ["-o", "yaml"],
        ["--by", "pod"],
    ):
        run = exitwhy("-f", str(path), "-A", "--all", *output)
        assert run.status == 0 and "Traceback" not in run.err, (output, run.err)
        assert "\u200b" not in run.out
    if "1e999" in text:  # a limit that cannot be read is not "no limit"
        assert run.out.count("oom_node") == 0
    name = "a\ufffd\u200b" if "ud800" in text else "a"  # the name as saved, U+FFFD for the half
    run = exitwhy("pod", name, "-f", str(path))
    assert run.status == 0 and "Traceback" not in run.err, run.err


def test_an_empty_sweep_with_all_does_not_suggest_all(exitwhy, tmp_path):
    path = _events_only(tmp_path)
    with_all = exitwhy("-f", str(path), "-A", "--all")
    without = exitwhy("-f", str(path), "-A")
    assert "No pods in any namespace." in with_all.err and "--all lists" not in with_all.err
    # no pod at all: --all would list nothing more, so it is not suggested either
    assert "No pods in any namespace." in without.err and "--all lists" not in without.err


# --- property-based: every pod of every shape a file can take reaches the output -------------


def _shaped(shape: str, docs: list, junk: list) -> bytes:
    """The pods (and junk entries) saved as ``shape``."""
    import codecs

    import yaml

    if shape == "list":
        return json.dumps(as_list(*docs, *junk)).encode()
    if shape == "list in a list":
        return json.dumps(as_list(as_list(*docs[:1]), as_list(*docs[1:], *junk))).encode()
    if shape == "kindless PodList":
        items = [{k: v for k, v in d.items() if k != "kind"} for d in docs]
        return json.dumps({"kind": "PodList", "items": items + junk}).encode()
    if shape == "json stream":
        return "\n".join(json.dumps(as_list(d)) for d in docs + junk).encode()
    if shape == "table":
        rows = [{"cells": [], "object": d} for d in docs]
        return json.dumps([{"kind": "Table", "rows": rows}, *junk]).encode()
    if shape == "yaml sequence":
        return yaml.safe_dump(docs + junk).encode()
    if shape == "yaml documents":
        return yaml.safe_dump_all([*docs, as_list(*junk)]).encode()
    assert shape == "utf-16 list"
    return codecs.BOM_UTF16_LE + json.dumps(as_list(*docs, *junk)).encode("utf-16-le")


SHAPED = [
    "list",
    "list in a list",
    "kindless PodList",
    "json stream",
    "table",
    "yaml sequence",
    "yaml documents",
    "utf-16 list",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pod_docs=st.lists(pods, min_size=1, max_size=4),
    shape=st.sampled_from(SHAPED),
    junk=st.lists(st.one_of(scalars, st.just({"kind": 5})), max_size=3),
)
def test_every_pod_of_every_shape_reaches_the_output(pod_docs, shape, junk, tmp_path_factory):
    """What ``-f FILE --all -o json`` does, in-process: every pod saved is an item of the
    output, and every entry that is not an object is counted in one note."""
    from datetime import datetime, timezone

    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.render.structured import render_json
    from kubectl_exitwhy.render.style import Style
    from kubectl_exitwhy.sources.files import FileSource

    docs = []
    for n, doc in enumerate(pod_docs):
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        docs.append({**doc, "metadata": {**meta, "name": f"p{n}", "namespace": "prod"}})
    path = tmp_path_factory.mktemp("shaped") / "input"
    path.write_bytes(_shaped(shape, docs, junk))
    source = FileSource(str(path))
    diagnoses = [diagnose(p) for p in source.sweep(None, None, True)]
    style = Style(now=datetime(2026, 11, 24, tzinfo=timezone.utc))
    items = json.loads(render_json(diagnoses, style))["items"]
    assert sorted((i["namespace"], i["pod"]) for i in items) == [
        ("prod", f"p{n}") for n in range(len(docs))
    ]
    counted = [
        note
        for note in source.notes
        if "not a Kubernetes object" in note or "not Kubernetes objects" in note
    ]
    assert len(counted) == (1 if junk else 0), source.notes
    assert not junk or f": {len(junk)} entr" in counted[0]
