"""The typed decode (``sources/typed.py``) changes no diagnosis: ``-o json`` is byte for byte the
same as with ``EXITWHY_PLAIN_DECODE=1`` on every example and on a generated cluster; a page
decodes to exactly the declared part of what ``json.loads`` gives; a field of the wrong type
sends its page the plain way and drops no pod."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, get_type_hints

import pytest

from builders import crashloop, pod, status, terminated
from kubectl_exitwhy.sources import typed

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
