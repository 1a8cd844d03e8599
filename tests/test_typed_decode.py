"""The typed decode (``sources/typed.py``) changes no diagnosis: ``-o json`` is byte for byte the
same as with ``EXITWHY_PLAIN_DECODE=1`` on every example and on a generated cluster, served or
saved (``-f``); a page or a file decodes to exactly the declared part of what ``json.loads``
gives; a field of the wrong type sends its page the plain way and drops no pod, and a file the
typed decoder refuses is read as it always was."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator, get_type_hints

import pytest

from builders import as_list, crashloop, pod, status, terminated
from kubectl_exitwhy.sources import typed
from kubectl_exitwhy.sources.documents import typed_documents
from kubectl_exitwhy.sources.files import flatten

ROOT = Path(__file__).resolve().parent.parent
cluster = pytest.mark.cluster


def _sweep(srv: Any, *args: str, plain: bool) -> str:
    env = {**os.environ, "KUBECONFIG": str(srv.kubeconfig), "NO_COLOR": "1"}
    env.pop("EXITWHY_PLAIN_DECODE", None)
    if plain:
        env["EXITWHY_PLAIN_DECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-A", "-o", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def examples() -> Iterator[Any]:
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        yield srv


@pytest.fixture(scope="module")
def generated() -> Iterator[Any]:
    from localapi import LocalAPIServer

    with LocalAPIServer(generate=2000, seed=11) as srv:
        yield srv


@cluster
@pytest.mark.parametrize("args", [(), ("--all",)], ids=["findings", "all"])
def test_every_example_diagnoses_the_same_typed_and_plain(examples, args):
    typed_out = _sweep(examples, *args, plain=False)
    assert len(json.loads(typed_out)["items"]) > 20
    # written by orjson, byte for byte as json.dumps writes it (render/structured.py)
    assert typed_out == json.dumps(json.loads(typed_out), indent=2, ensure_ascii=False) + "\n"
    assert typed_out == _sweep(examples, *args, plain=True)


@cluster
@pytest.mark.parametrize("args", [(), ("--all",)], ids=["findings", "all"])
def test_a_generated_cluster_diagnoses_the_same_typed_and_plain(generated, args):
    typed_out = _sweep(generated, *args, plain=False)
    assert len(json.loads(typed_out)["items"]) > 100
    assert typed_out == _sweep(generated, *args, plain=True)


# --- the decoder itself ----------------------------------------------------------------------


def _project(value: Any, shape: Any) -> Any:
    """``value`` cut to what the TypedDict ``shape`` declares (Any: all of it)."""
    if shape is Any or not isinstance(value, (dict, list)):
        return value
    args = getattr(shape, "__args__", ())
    if getattr(shape, "__origin__", None) is list:
        return [_project(v, args[0]) for v in value]
    if args:  # Optional[X]
        return _project(value, next(a for a in args if a is not type(None)))
    hints = get_type_hints(shape)
    return {k: _project(v, hints[k]) for k, v in value.items() if k in hints}


@cluster
@pytest.mark.parametrize("resource", ["pods", "events", "nodes", "jobs", "replicasets"])
def test_a_page_decodes_to_exactly_the_declared_part(generated, resource, monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    group = {"jobs": "/apis/batch/v1", "replicasets": "/apis/apps/v1"}.get(resource, "/api/v1")
    code, _, body = generated.request("GET", f"{group}/{resource}?limit=500")
    assert code == 200
    plain = json.loads(body)
    assert plain["items"], resource
    decode = typed.decoder(resource)
    assert decode is not None
    assert decode(body) == _project(plain, typed.LISTS[resource])


def test_the_switch_and_an_unknown_list_decode_plainly(monkeypatch):
    monkeypatch.setenv("EXITWHY_PLAIN_DECODE", "1")
    assert typed.decoder("pods") is None
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE")
    assert typed.decoder("pods") is not None and typed.decoder("secrets") is None


@pytest.mark.parametrize(
    "item",
    [
        {"metadata": {"name": "a"}, "spec": "not an object"},
        {"metadata": "nameless", "status": {"phase": "Failed"}},
        {"metadata": {"name": "a"}, "spec": {"containers": ["x", {"name": "app"}]}},
        {"metadata": {"name": "a"}, "spec": {"containers": {"name": "app"}}},
        {"metadata": {"name": "a"}, "spec": None},
    ],
)
def test_a_page_with_a_field_of_the_wrong_type_is_read_plainly_whole(item, monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    good = {"metadata": {"name": "b", "managedFields": [{"x": 1}]}, "spec": {"volumes": []}}
    body = json.dumps({"kind": "PodList", "items": [good, item]}).encode()
    decode = typed.decoder("pods")
    assert decode is not None
    assert decode(body) == json.loads(body)  # both pods, every field: the tolerant path


def test_nan_and_odd_leaves_are_kept_as_they_came(monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    decode = typed.decoder("pods")
    assert decode is not None
    leaves = b'{"items":[{"status":{"containerStatuses":[{"restartCount":"3","x":NaN}]}}]}'
    got = decode(leaves)
    cs = got["items"][0]["status"]["containerStatuses"][0]
    assert cs["restartCount"] == "3" and cs["x"] != cs["x"]  # NaN, as json.loads reads it
    odd = b'{"items":[{"metadata":{"uid":7,"labels":"x"},"spec":{"nodeName":["n"]}}]}'
    assert decode(odd) == json.loads(odd)


@cluster
def test_odd_pods_on_a_live_cluster_are_all_diagnosed_the_same_both_ways():
    from localapi import LocalAPIServer

    odd = pod("odd-1", "prod", statuses=[status(state=crashloop(), last=terminated("137"))])
    odd["status"]["containerStatuses"][0]["restartCount"] = "4"
    odd["status"]["conditions"] = "not a list"  # status is judged by the tolerant helpers
    odd["metadata"]["managedFields"] = [{"manager": "kubectl", "fieldsV1": {"f:x": {}}}]
    plain_one = pod("web-1", "prod", statuses=[status(last=terminated(1), restarts=2)])
    with LocalAPIServer(objects=[odd, plain_one]) as srv:
        typed_out = _sweep(srv, "--logs", "0", plain=False)
        names = {i["pod"] for i in json.loads(typed_out)["items"]}
        assert names == {"odd-1", "web-1"}
        assert typed_out == _sweep(srv, "--logs", "0", plain=True)


# --- saved files: -f FILE ----------------------------------------------------------------------


def _file(path: Any, *args: str, plain: bool) -> tuple[int, str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("EXITWHY_PLAIN_DECODE", None)
    if plain:
        env["EXITWHY_PLAIN_DECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-f", str(path), "-A", "-o", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def _both_ways(paths: list[Path], *args: str) -> list[tuple[Any, Any]]:
    """Each file diagnosed typed and plain, (typed, plain) per file, the runs side by side."""
    runs = [(p, plain) for p in paths for plain in (False, True)]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        outs = list(pool.map(lambda run: _file(run[0], *args, plain=run[1]), runs))
    return list(zip(outs[0::2], outs[1::2]))


def _typed_read(data: bytes) -> bool:
    """The typed decoder read the file (else the plain path did, whole)."""
    docs = typed_documents(data)
    return docs is not None and typed.kept_whole(flatten(docs, "x"))


EXAMPLE_FILES = sorted((ROOT / "examples").glob("*.json"))


def test_every_example_file_diagnoses_the_same_typed_and_plain(monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    results = _both_ways(EXAMPLE_FILES, "--all")
    assert [p.name for p, (t, q) in zip(EXAMPLE_FILES, results) if t != q] == []
    assert sum(t[0] == 0 and t[1].count('"pod":') > 0 for t, _ in results) > 60
    kubernetes = [p for p in EXAMPLE_FILES if p.name != "expected.json"]
    assert [p.name for p in kubernetes if not _typed_read(p.read_bytes())] == []


def test_a_generated_cluster_file_diagnoses_the_same_typed_and_plain(tmp_path, monkeypatch):
    from localapi.generate import cluster

    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    doc = cluster(2000, seed=11)
    doc["items"][0]["metadata"].setdefault("annotations", {})["note"] = "déploiement 🚀"
    path = tmp_path / "cluster.json"
    path.write_bytes(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode())
    assert _typed_read(path.read_bytes())
    for args in [(), ("--all",)]:
        ((typed_out, plain_out),) = _both_ways([path], *args)
        assert typed_out[0] == 0 and len(json.loads(typed_out[1])["items"]) > 100
        assert typed_out == plain_out


def test_a_file_decodes_to_exactly_the_declared_part(monkeypatch):
    from localapi.generate import cluster

    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    data = json.dumps(cluster(300, seed=3)).encode()
    assert typed_documents(data) == [_project(json.loads(data), typed.Document)]
    monkeypatch.setenv("EXITWHY_PLAIN_DECODE", "1")
    assert typed_documents(data) is None


PULL = 'Failed to pull image "ghcr.io/acme/app:1.0": 401 Unauthorized'


def _pull_failed(name: str, v1: bool = True, **fields: Any) -> dict:
    about = {"kind": "Pod", "name": name, "namespace": "prod", "uid": f"uid-{name}"}
    about["fieldPath"] = "spec.containers{app}"
    e: dict = {"kind": "Event", "reason": "Failed", "type": "Warning"}
    e["metadata"] = {"name": f"{name}.1", "uid": f"e-{name}"}
    e.update(
        {"regarding": about, "note": PULL} if v1 else {"involvedObject": about, "message": PULL}
    )
    return {**e, **fields}


def _events_of_every_shape() -> dict:
    """Pods whose one event gives its time, count and sender each in another field."""
    waiting = status(state={"waiting": {"reason": "ImagePullBackOff"}})
    pods = [pod(name, statuses=[waiting], phase="Pending") for name in "abcd"]
    series = {"count": 6, "lastObservedTime": "2026-11-20T09:59:30Z"}
    events = [
        _pull_failed("a", series=series, reportingController="kubelet-a"),
        _pull_failed(
            "b",
            eventTime="2026-11-20T09:58:00.000000Z",
            deprecatedCount=3,
            deprecatedSource={"component": "kubelet-b"},
        ),
        _pull_failed(
            "c",
            v1=False,
            deprecatedFirstTimestamp="2026-11-20T09:50:00Z",
            deprecatedLastTimestamp="2026-11-20T09:57:00Z",
            reportingComponent="kubelet-c",
        ),
        _pull_failed(
            "d",
            metadata={"uid": "e-d", "creationTimestamp": "2026-11-20T09:49:00Z"},
            source={"component": "kubelet-d"},
            count=2,
        ),
    ]
    return as_list(*pods, *events)


def _failed_pod(**spec: Any) -> dict:
    p = pod("web-1", phase="Failed", statuses=[status(state={"terminated": terminated(1)})])
    p["spec"].update(spec)
    return p


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def _with(field: str, raw: str) -> bytes:
    """A failed pod whose container status carries ``field`` as the raw JSON ``raw``."""
    return _dumps(as_list(_failed_pod())).replace(
        b'"restartCount": 0', f'"{field}": {raw}'.encode()
    )


def _oom_killed_with_no_limit() -> dict:
    """A container spec as the API writes it (terminationMessagePath defaulted), no resources:
    its missing limit is read as "none"."""
    spec = {"name": "app", "image": "ghcr.io/acme/app:1.0"}
    spec["terminationMessagePath"] = "/dev/termination-log"
    killed = status(last=terminated(137, "OOMKilled"), restarts=3)
    return pod("web-1", containers=[spec], statuses=[killed])


TWO = _dumps(as_list(_failed_pod())) + b"\n" + _dumps(as_list(pod("web-2", phase="Failed")))
BIG = "9" * (4000 - 1)
# name: (the file's bytes, read by the typed decoder)
FILES = {
    "events.k8s.io/v1 and old event fields": (_dumps(_events_of_every_shape()), True),
    "a whole container spec without resources": (_dumps(_oom_killed_with_no_limit()), True),
    "a UTF-8 BOM": (codecs.BOM_UTF8 + _dumps(as_list(_failed_pod())), True),
    "a JSON array": (_dumps([_failed_pod(), {"kind": "Node", "metadata": {"name": "n1"}}]), True),
    "a PodList": (_dumps({"kind": "PodList", "items": [{"metadata": {"name": "x"}}]}), True),
    "a Table": (_dumps({"kind": "Table", "rows": [{"object": _failed_pod()}]}), True),
    "a long integer": (_with("restartCount", BIG), True),
    "a long negative integer": (_with("restartCount", "-" + BIG), True),
    "an integer of 4,000 digits": (_with("restartCount", BIG + "9"), False),
    "an integer read as infinity": (_with("restartCount", BIG + "99"), False),
    "a negative integer read as infinity": (_with("restartCount", "-9" + BIG), False),
    "1e999": (_with("restartCount", "1e999"), False),
    "NaN": (_with("restartCount", "NaN"), False),
    "two documents": (TWO, False),
    "a lone surrogate": (_with("name", '"a\\ud800"'), False),
    "spec: x": (_dumps(as_list({**_failed_pod(), "spec": "x"})), False),
    "a container not an object": (_dumps(as_list(_failed_pod(containers=["x"]))), False),
    "nested arrays": (_dumps([[_failed_pod()]]), False),
    "a spec of fields not read": (_dumps({**_failed_pod(), "spec": {"volumes": []}}), False),
    "a container of fields not read": (_dumps(_failed_pod(containers=[{"ports": []}])), False),
    "not UTF-8 where not read": (
        _dumps(_failed_pod(volumes=["\x80"])).replace(b"\\u0080", b"\xff"),
        False,
    ),
    "UTF-16": (_dumps(as_list(_failed_pod())).decode().encode("utf-16"), False),
}


@pytest.mark.parametrize("name", list(FILES))
def test_odd_files_diagnose_the_same_whether_typed_or_refused(name, tmp_path, monkeypatch):
    monkeypatch.delenv("EXITWHY_PLAIN_DECODE", raising=False)
    data, typed_read = FILES[name]
    assert _typed_read(data) is typed_read
    path = tmp_path / "saved.json"
    path.write_bytes(data)
    ((typed_out, plain_out),) = _both_ways([path], "--all")
    assert typed_out == plain_out
    if name.startswith("events"):
        got = typed_out[1]
        for sender in ("kubelet-a, 6×", "kubelet-b, 3×", "kubelet-c", "kubelet-d, 2×"):
            assert f"event Failed ({sender}" in got
