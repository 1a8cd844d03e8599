"""Tests of localapi, the project's own read-only Kubernetes API server.

Against an inline fixture (not examples/): paging, selectors, errors and faults, auth, TLS,
the request log, data loading, the generator, the CLI; and, marked ``cluster``, the real
kubectl and the official Python client through the kubeconfig the server writes.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from localapi import LocalAPIServer, RequestLog, generate
from localapi.faults import Fault
from localapi.selectors import FieldSelector, LabelSelector, SelectorError
from localapi.store import Store
from localapi.tables import human_duration

ROOT = Path(__file__).resolve().parent.parent
T0 = "2024-05-01T10:00:00Z"


def _pod(
    ns: str,
    name: str,
    labels: dict[str, str],
    node: str,
    phase: str = "Running",
    containers: tuple[str, ...] = ("app",),
    last_state: dict[str, Any] | None = None,
    waiting: str | None = None,
) -> dict[str, Any]:
    statuses = []
    for c in containers:
        state: dict[str, Any] = {"running": {"startedAt": T0}}
        if waiting and c == containers[0]:
            state = {"waiting": {"reason": waiting}}
        statuses.append(
            {
                "name": c,
                "image": f"example/{c}:1",
                "imageID": "",
                "ready": state.get("running") is not None,
                "restartCount": 3 if last_state and c == containers[0] else 0,
                "lastState": (last_state or {}) if c == containers[0] else {},
                "state": state,
            }
        )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": f"uid-{ns}-{name}",
            "resourceVersion": "100",
            "creationTimestamp": T0,
            "labels": labels,
        },
        "spec": {
            "nodeName": node,
            "restartPolicy": "Always",
            "containers": [{"name": c, "image": f"example/{c}:1"} for c in containers],
        },
        "status": {"phase": phase, "podIP": "10.1.2.3", "containerStatuses": statuses},
    }


def _event(
    ns: str, name: str, pod: str, reason: str, type_: str, kind: str = "Pod"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": "200"},
        "involvedObject": {
            "kind": kind,
            "name": pod,
            "namespace": ns if kind == "Pod" else "",
            "uid": f"uid-{ns}-{pod}",
            "fieldPath": "spec.containers{app}" if kind == "Pod" else "",
        },
        "reason": reason,
        "message": f"{reason} happened",
        "type": type_,
        "count": 2,
        "firstTimestamp": T0,
        "lastTimestamp": T0,
        "source": {"component": "kubelet", "host": "n1"},
    }


OOM = {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": T0}}
OBJECTS: list[dict[str, Any]] = [
    _pod("default", "web-1", {"app": "web", "tier": "frontend"}, "n1"),
    _pod("default", "web-2", {"app": "web", "tier": "frontend"}, "n2"),
    _pod("default", "db-0", {"app": "db", "tier": "backend"}, "n1", containers=("db", "exporter")),
    _pod("prod", "api-1", {"app": "api", "tier": "backend", "env": "prod"}, "n1", last_state=OOM),
    _pod("prod", "api-2", {"app": "api", "tier": "backend"}, "n2", waiting="CrashLoopBackOff"),
    _pod("prod", "batch-x", {"job-name": "batch"}, "n2", phase="Failed", containers=("main",)),
    _pod("prod", "worker-1", {"app": "worker"}, "", phase="Pending"),
    _pod("staging", "web-1", {"app": "web", "tier": "frontend"}, "n3"),
    {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            _event("prod", "api-1.1", "api-1", "BackOff", "Warning"),
            _event("prod", "api-1.2", "api-1", "Pulled", "Normal"),
            _event("prod", "api-2.1", "api-2", "Unhealthy", "Warning"),
            _event("default", "web-1.1", "web-1", "Scheduled", "Normal"),
            _event("default", "n1.1", "n1", "SystemOOM", "Warning", kind="Node"),
        ],
    },
    *[
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": n, "creationTimestamp": T0},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "nodeInfo": {"kubeletVersion": "v1.32.0"},
            },
        }
        for n in ("n1", "n2", "n3")
    ],
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "batch", "namespace": "prod", "creationTimestamp": T0},
        "spec": {"completions": 1, "template": {"spec": {"containers": [{"name": "main"}]}}},
        "status": {"failed": 1, "conditions": [{"type": "Failed", "status": "True"}]},
    },
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ignored"}},
]


def _template(containers: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"creationTimestamp": None, "labels": labels},
        "spec": {"containers": [{"name": n, "image": i} for n, i in containers.items()]},
    }


def _workload(
    kind: str, ns: str, name: str, spec: dict[str, Any], status: dict[str, Any], **meta: Any
) -> dict[str, Any]:
    group = "batch/v1" if kind == "CronJob" else "apps/v1"
    metadata = {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}", "creationTimestamp": T0}
    return {
        "apiVersion": group,
        "kind": kind,
        "metadata": {**metadata, "resourceVersion": "150", **meta},
        "spec": spec,
        "status": status,
    }


def _replicated(
    kind: str,
    ns: str,
    name: str,
    replicas: int,
    containers: dict[str, str],
    labels: dict[str, str],
    status: dict[str, Any],
    selector: dict[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A Deployment, ReplicaSet or StatefulSet of ``replicas`` pods labelled ``labels`` (as it
    is itself), selected by ``selector`` (by those labels unless given)."""
    return _workload(
        kind,
        ns,
        name,
        {
            "replicas": replicas,
            **spec,
            "selector": selector or {"matchLabels": labels},
            "template": _template(containers, labels),
        },
        status,
        labels=labels,
    )


WEB = {"app": "web", "tier": "frontend"}
WORKLOADS: list[dict[str, Any]] = [
    _replicated(
        "Deployment",
        "default",
        "web",
        2,
        {"web": "example/web:1"},
        WEB,
        {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2},
    ),
    _replicated(
        "ReplicaSet",
        "default",
        "web-7d4b9c",
        2,
        {"web": "example/web:1"},
        {**WEB, "pod-template-hash": "7d4b9c"},
        {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2},
    ),
    _replicated(
        "ReplicaSet",
        "prod",
        "api-5f6d7",
        3,
        {"app": "example/app:1"},
        {"app": "api"},
        {"replicas": 2, "readyReplicas": 1},
        selector={
            "matchLabels": {"app": "api"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend", "x"]}],
        },
    ),
    _replicated(
        "StatefulSet",
        "default",
        "db",
        3,
        {"db": "postgres:16", "exporter": "exporter:1"},
        {"app": "db"},
        {"replicas": 1, "readyReplicas": 1},
        serviceName="db",
    ),
    _workload(
        "DaemonSet",
        "default",
        "node-agent",
        {
            "selector": {"matchLabels": {"app": "node-agent"}},
            "template": {
                **_template({"agent": "agent:2"}, {"app": "node-agent"}),
                "spec": {
                    "containers": [{"name": "agent", "image": "agent:2"}],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                },
            },
        },
        {
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    ),
    _workload(
        "CronJob",
        "prod",
        "nightly",
        {
            "schedule": "0 2 * * *",
            "suspend": False,
            "jobTemplate": {"spec": {"template": _template({"main": "batch:1"}, {})}},
        },
        {"lastScheduleTime": T0},
    ),
]
OBJECTS += WORKLOADS
LOGS = {
    ("prod", "api-1", "app"): "".join(f"line {i}\n" for i in range(1, 6)),
    ("prod", "batch-x", "main"): "Traceback (most recent call last):\nValueError: boom\n",
}
ALL_PODS = [
    ("default", "db-0"),
    ("default", "web-1"),
    ("default", "web-2"),
    ("prod", "api-1"),
    ("prod", "api-2"),
    ("prod", "batch-x"),
    ("prod", "worker-1"),
    ("staging", "web-1"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAPIServer]:
    with LocalAPIServer(objects=OBJECTS, logs=LOGS) as srv:
        yield srv


@pytest.fixture
def srv(server: LocalAPIServer) -> Iterator[LocalAPIServer]:
    server.faults.clear()
    server.requests.clear()
    yield server
    server.faults.clear()


def get(srv: LocalAPIServer, path: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
    status, headers, body = srv.request("GET", path, **kw)
    ctype = headers.get("content-type", "")
    return status, headers, json.loads(body) if ctype.startswith("application/json") else body


def names(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["metadata"].get("namespace", ""), i["metadata"]["name"]) for i in doc["items"]]


def page_through(srv: LocalAPIServer, path: str, limit: int) -> tuple[list, int]:
    seen: list[tuple[str, str]] = []
    cont, pages = "", 0
    while True:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&continue={cont}" if cont else "")
        status, _, doc = get(srv, url)
        assert status == 200, doc
        pages += 1
        seen += names(doc)
        cont = doc["metadata"].get("continue", "")
        if not cont:
            return seen, pages


# --- lists, paging, objects ---------------------------------------------------------------------


def test_list_kinds_and_items_like_the_real_server(srv: LocalAPIServer) -> None:
    status, headers, doc = get(srv, "/api/v1/pods")
    assert status == 200 and headers["content-type"] == "application/json"
    assert doc["kind"] == "PodList" and doc["apiVersion"] == "v1"
    assert doc["metadata"]["resourceVersion"]
    assert names(doc) == ALL_PODS
    assert "kind" not in doc["items"][0]  # typed lists leave kind/apiVersion out of the items
    assert get(srv, "/apis/batch/v1/jobs")[2]["kind"] == "JobList"
    assert names(get(srv, "/api/v1/nodes")[2]) == [("", "n1"), ("", "n2"), ("", "n3")]
    namespaces = [n for _, n in names(get(srv, "/api/v1/namespaces")[2])]
    assert namespaces == ["default", "prod", "staging"]
    assert len(get(srv, "/api/v1/namespaces/prod/events")[2]["items"]) == 3


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 8, 50])
def test_paging_covers_every_object_once_in_order(srv: LocalAPIServer, limit: int) -> None:
    seen, pages = page_through(srv, "/api/v1/pods", limit)
    assert seen == ALL_PODS
    assert pages == max(1, -(-len(ALL_PODS) // limit))
    prod, _ = page_through(srv, "/api/v1/namespaces/prod/pods", limit)
    assert prod == [k for k in ALL_PODS if k[0] == "prod"]
    filtered, _ = page_through(srv, "/api/v1/pods?labelSelector=tier", limit)
    assert filtered == [k for k in ALL_PODS if k[1] not in ("batch-x", "worker-1")]


def test_paging_metadata(srv: LocalAPIServer) -> None:
    doc = get(srv, "/api/v1/pods?limit=3")[2]
    assert doc["metadata"]["remainingItemCount"] == 5
    token = doc["metadata"]["continue"]
    decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert decoded["start"] == "default/web-2\x00"  # the real token's shape
    status, _, err = get(srv, "/api/v1/pods?limit=3&continue=!!notatoken")
    assert status == 400 and err["reason"] == "BadRequest"
    assert err["message"].startswith("continue key is not valid")


def test_paging_a_generated_cluster(tmp_path: Path) -> None:
    with LocalAPIServer(generate=400, seed=3, tls=False) as srv:
        seen, _ = page_through(srv, "/api/v1/pods", 37)
        assert len(seen) == 400 and seen == sorted(seen) and len(set(seen)) == 400
        events, _ = page_through(srv, "/api/v1/events?fieldSelector=type%21%3DNormal", 11)
        assert events and all(
            json.loads(srv.request("GET", f"/api/v1/namespaces/{ns}/events/{n}")[2])["type"]
            == "Warning"
            for ns, n in events
        )


def test_get_object_and_not_found_status(srv: LocalAPIServer) -> None:
    status, _, pod = get(srv, "/api/v1/namespaces/prod/pods/api-1")
    assert status == 200 and pod["kind"] == "Pod" and pod["apiVersion"] == "v1"
    assert pod["metadata"]["name"] == "api-1"
    assert get(srv, "/api/v1/nodes/n2")[2]["kind"] == "Node"
    assert get(srv, "/api/v1/namespaces/prod")[2]["kind"] == "Namespace"
    assert get(srv, "/apis/batch/v1/namespaces/prod/jobs/batch")[2]["apiVersion"] == "batch/v1"
    status, _, err = get(srv, "/api/v1/namespaces/prod/pods/x")
    assert status == 404
    assert err == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "x" not found',
        "reason": "NotFound",
        "details": {"name": "x", "kind": "pods"},
        "code": 404,
    }
    err = get(srv, "/apis/batch/v1/namespaces/prod/jobs/nope")[2]
    assert err["message"] == 'jobs.batch "nope" not found'
    assert err["details"] == {"name": "nope", "group": "batch", "kind": "jobs"}
    assert get(srv, "/api/v1/widgets")[0] == 404
    assert get(srv, "/api/v1/namespaces/prod/nodes")[0] == 404


def test_discovery(srv: LocalAPIServer) -> None:
    v1 = get(srv, "/api/v1")[2]
    by_name = {r["name"]: r for r in v1["resources"]}
    assert set(by_name) == {"pods", "pods/log", "events", "nodes", "namespaces"}
    assert by_name["pods"]["namespaced"] and not by_name["nodes"]["namespaced"]
    assert by_name["pods"]["shortNames"] == ["po"] and by_name["pods"]["singularName"] == "pod"
    assert by_name["events"]["verbs"] == ["get", "list", "watch"]
    assert [r["kind"] for r in get(srv, "/apis/batch/v1")[2]["resources"]] == ["CronJob", "Job"]
    assert [g["name"] for g in get(srv, "/apis")[2]["groups"]] == ["apps", "batch"]
    assert get(srv, "/api")[2]["versions"] == ["v1"]
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    status, headers, body = srv.request("GET", "/apis", headers={"Accept": accept})
    assert headers["content-type"] == accept
    assert json.loads(body)["kind"] == "APIGroupDiscoveryList"
    assert get(srv, "/version")[2]["major"] == "1"


def test_table_output(srv: LocalAPIServer) -> None:
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    status, _, table = get(srv, "/api/v1/namespaces/prod/pods", headers={"Accept": accept})
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    columns = [c["name"] for c in table["columnDefinitions"]]
    assert columns[:5] == ["Name", "Ready", "Status", "Restarts", "Age"]
    rows = {r["cells"][0]: r["cells"] for r in table["rows"]}
    assert rows["api-2"][2] == "CrashLoopBackOff" and rows["api-1"][3].startswith("3 (")
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert human_duration(45) == "45s" and human_duration(3 * 86400 + 7200) == "3d2h"


# --- selectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["web-1", "web-2", "web-1"]),
        ("app==api", ["api-1", "api-2"]),
        ("app!=web", ["db-0", "api-1", "api-2", "batch-x", "worker-1"]),
        ("tier", ["db-0", "web-1", "web-2", "api-1", "api-2", "web-1"]),
        ("!tier", ["batch-x", "worker-1"]),
        ("app in (api, db)", ["db-0", "api-1", "api-2"]),
        ("app notin (web,api)", ["db-0", "batch-x", "worker-1"]),
        ("tier=backend,app!=db", ["api-1", "api-2"]),
        ("app in (api),env", ["api-1"]),
    ],
)
def test_label_selectors(srv: LocalAPIServer, selector: str, expected: list[str]) -> None:
    from urllib.parse import quote

    doc = get(srv, "/api/v1/pods?labelSelector=" + quote(selector))[2]
    assert [n for _, n in names(doc)] == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/events?fieldSelector=involvedObject.name=api-1", ["api-1.1", "api-1.2"]),
        ("/api/v1/events?fieldSelector=type!=Normal", ["n1.1", "api-1.1", "api-2.1"]),
        ("/api/v1/events?fieldSelector=involvedObject.kind=Node", ["n1.1"]),
        ("/api/v1/events?fieldSelector=reason=Pulled,involvedObject.namespace=prod", ["api-1.2"]),
        ("/api/v1/events?fieldSelector=involvedObject.uid=uid-prod-api-2", ["api-2.1"]),
        (
            "/api/v1/events?fieldSelector=involvedObject.fieldPath=spec.containers%7Bapp%7D",
            ["web-1.1", "api-1.1", "api-1.2", "api-2.1"],
        ),
        ("/api/v1/pods?fieldSelector=spec.nodeName=n2", ["web-2", "api-2", "batch-x"]),
        ("/api/v1/pods?fieldSelector=spec.nodeName=", ["worker-1"]),
        ("/api/v1/pods?fieldSelector=status.phase!=Running", ["batch-x", "worker-1"]),
        ("/api/v1/pods?fieldSelector=metadata.name=web-1", ["web-1", "web-1"]),
        ("/api/v1/pods?fieldSelector=metadata.namespace=staging", ["web-1"]),
        ("/api/v1/namespaces/prod/pods?fieldSelector=metadata.name=web-1", []),
    ],
)
def test_field_selectors(srv: LocalAPIServer, path: str, expected: list[str]) -> None:
    assert [n for _, n in names(get(srv, path)[2])] == expected


def test_bad_selectors_are_400(srv: LocalAPIServer) -> None:
    status, _, err = get(srv, "/api/v1/pods?fieldSelector=spec.foo=bar")
    assert status == 400 and err["message"] == "field label not supported: spec.foo"
    assert err["reason"] == "BadRequest"
    assert get(srv, "/api/v1/events?fieldSelector=bogus")[0] == 400
    status, _, err = get(srv, "/api/v1/pods?labelSelector=a%20in%20(x")
    assert status == 400 and err["message"].startswith("unable to parse requirement")


def test_selector_parsers() -> None:
    sel = LabelSelector.parse("a in (x, y),!b,c!=d")
    assert sel is not None and sel.matches({"a": "x"}) and not sel.matches({"a": "x", "b": "1"})
    assert LabelSelector.parse("") is None
    with pytest.raises(SelectorError):
        LabelSelector.parse("-bad-=x")
    fs = FieldSelector.parse(r"reason=a\,b,type!=Normal")
    assert fs is not None and fs.terms == (("reason", True, "a,b"), ("type", False, "Normal"))


# --- logs ---------------------------------------------------------------------------------------


def test_pod_logs(srv: LocalAPIServer) -> None:
    base = "/api/v1/namespaces/prod/pods"
    status, headers, body = srv.request("GET", f"{base}/api-1/log?container=app&previous=true")
    assert status == 200 and headers["content-type"] == "text/plain"
    assert body.decode().splitlines() == [f"line {i}" for i in range(1, 6)]
    body = srv.request("GET", f"{base}/api-1/log?container=app&previous=true&tailLines=2")[2]
    assert body == b"line 4\nline 5\n"
    assert srv.request("GET", f"{base}/api-1/log")[2].startswith(b"line 1")  # one container
    assert srv.request("GET", f"{base}/api-2/log?container=app")[:3:2] == (200, b"")
    status, _, err = get(srv, f"{base}/api-2/log?container=app&previous=true")
    assert (status, err["message"]) == (
        400,
        'previous terminated container "app" in pod "api-2" not found',
    )
    err = get(srv, "/api/v1/namespaces/default/pods/db-0/log")[2]
    assert (
        err["message"] == "a container name must be specified for pod db-0, choose one of: "
        "[db exporter]"
    )
    assert get(srv, f"{base}/api-1/log?container=nope")[2]["message"] == (
        "container nope is not valid for pod api-1"
    )
    assert get(srv, f"{base}/ghost/log?container=app")[0] == 404


def test_watch_sends_initial_events(srv: LocalAPIServer) -> None:
    status, headers, body = srv.request(
        "GET", "/api/v1/namespaces/prod/pods?watch=true&timeoutSeconds=1"
    )
    events = [json.loads(line) for line in body.splitlines()]
    assert status == 200 and headers["transfer-encoding"] == "chunked"
    assert [e["type"] for e in events] == ["ADDED"] * 4
    assert events[0]["object"]["kind"] == "Pod"


# --- auth, methods, TLS, request log ------------------------------------------------------------


def test_missing_or_wrong_token_is_401(srv: LocalAPIServer) -> None:
    for token in (False, "wrong"):
        status, _, body = srv.request("GET", "/api/v1/pods", token=token)
        err = json.loads(body)
        assert status == 401 and err["reason"] == "Unauthorized" and err["code"] == 401
    assert [r["status"] for r in srv.requests] == [401, 401]


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH", "PUT"])
def test_writes_are_405_and_logged(srv: LocalAPIServer, method: str) -> None:
    status, _, body = srv.request(method, "/api/v1/namespaces/prod/pods/api-1", body=b"{}")
    assert status == 405 and json.loads(body)["reason"] == "MethodNotAllowed"
    (rec,) = srv.requests
    assert (rec["method"], rec["path"], rec["status"]) == (
        method,
        "/api/v1/namespaces/prod/pods/api-1",
        405,
    )
    assert get(srv, "/api/v1/namespaces/prod/pods/api-1")[0] == 200  # still fine afterwards


def test_head(srv: LocalAPIServer) -> None:
    status, headers, body = srv.request("HEAD", "/api/v1/pods")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 100


def test_tls_with_the_kubeconfig_ca(srv: LocalAPIServer) -> None:
    assert srv.kubeconfig is not None
    kc = yaml.safe_load(srv.kubeconfig.read_text())
    clusters = {c["name"]: c["cluster"] for c in kc["clusters"]}
    users = {u["name"]: u["user"] for u in kc["users"]}
    contexts = {c["name"]: c["context"] for c in kc["contexts"]}
    assert kc["current-context"] == "local"
    assert contexts["local-prod"]["namespace"] == "prod"
    assert set(contexts) >= {"local", "local-prod", "broken-tls", "bad-token", "unreachable"}
    assert clusters["local"]["server"] == srv.url and srv.url.startswith("https://127.0.0.1:")
    ca = base64.b64decode(clusters["local"]["certificate-authority-data"]).decode()
    ctx = ssl.create_default_context(cadata=ca)
    req = urllib.request.Request(
        srv.url + "/api/v1/namespaces/prod/pods",
        headers={"Authorization": f"Bearer {users['local-user']['token']}"},
    )
    with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
        assert len(json.load(resp)["items"]) == 4
    localhost = srv.url.replace("127.0.0.1", "localhost")
    with urllib.request.urlopen(
        urllib.request.Request(localhost + "/version", headers=req.headers), context=ctx
    ) as resp:
        assert resp.status == 200
    with pytest.raises(urllib.error.URLError) as info:
        urllib.request.urlopen(srv.url + "/version", context=ssl.create_default_context())
    assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
    wrong = urllib.request.Request(
        srv.url + "/version",
        headers={"Authorization": f"Bearer {users['bad-token-user']['token']}"},
    )
    with pytest.raises(urllib.error.HTTPError) as http_err:
        urllib.request.urlopen(wrong, context=ctx)
    assert http_err.value.code == 401
    http_err.value.close()


def test_request_log(srv: LocalAPIServer, tmp_path: Path) -> None:
    get(srv, "/api/v1/namespaces/prod/pods?limit=2&labelSelector=app%3Dapi")
    (rec,) = srv.requests
    assert rec["method"] == "GET" and rec["path"] == "/api/v1/namespaces/prod/pods"
    assert rec["query"] == {"limit": "2", "labelSelector": "app=api"}
    assert rec["status"] == 200 and rec["bytes"] > 0 and rec["time"] <= time.time()
    srv.requests.clear()
    assert len(srv.requests) == 0
    log = tmp_path / "requests.jsonl"
    with LocalAPIServer(objects=OBJECTS, tls=False, request_log=log) as plain:
        assert plain.url.startswith("http://")
        plain.request("GET", "/api/v1/nodes")
        plain.request("DELETE", "/api/v1/nodes/n1")
    assert [(r["method"], r["status"]) for r in RequestLog.read(log)] == [
        ("GET", 200),
        ("DELETE", 405),
    ]


# --- faults -------------------------------------------------------------------------------------


def test_forbidden(srv: LocalAPIServer) -> None:
    fault = srv.faults.set("forbidden", "pods", "prod")
    status, _, err = get(srv, "/api/v1/namespaces/prod/pods")
    assert status == 403 and err["reason"] == "Forbidden"
    assert err["message"] == (
        'pods is forbidden: User "system:serviceaccount:default:exitwhy" cannot list resource '
        '"pods" in API group "" in the namespace "prod"'
    )
    assert get(srv, "/api/v1/namespaces/default/pods")[0] == 200
    assert get(srv, "/api/v1/namespaces/prod/events")[0] == 200
    assert get(srv, "/api/v1/pods")[0] == 200  # the namespace fault is not cluster scope
    assert fault.hits == 1 and srv.requests[0]["fault"] == "forbidden"
    srv.faults.set("forbidden", "pods", "")  # cluster scope only
    err = get(srv, "/api/v1/pods")[2]
    assert err["message"].endswith(
        'cannot list resource "pods" in API group "" at the cluster scope'
    )
    assert get(srv, "/api/v1/namespaces/prod/pods")[0] == 200
    srv.faults.set("forbidden", "jobs")
    err = get(srv, "/apis/batch/v1/namespaces/prod/jobs/batch")[2]
    assert err["message"].startswith('jobs.batch "batch" is forbidden: User ')
    assert 'cannot get resource "jobs" in API group "batch"' in err["message"]
    srv.faults.set("forbidden", "log", user="alice")
    err = get(srv, "/api/v1/namespaces/prod/pods/api-1/log?container=app")[2]
    assert err["message"] == (
        'pods "api-1" is forbidden: User "alice" cannot get resource "pods/log" in API group "" '
        'in the namespace "prod"'
    )


def test_not_found_and_server_error(srv: LocalAPIServer) -> None:
    srv.faults.set("notfound", "pods")
    assert get(srv, "/api/v1/namespaces/prod/pods/api-1")[2]["message"] == 'pods "api-1" not found'
    assert get(srv, "/api/v1/pods")[0] == 404
    srv.faults.set("error", "events", times=1)
    status, _, err = get(srv, "/api/v1/events")
    assert status == 500 and err["reason"] == "InternalError"
    assert get(srv, "/api/v1/events")[0] == 200


def test_expired_continue_token(srv: LocalAPIServer) -> None:
    srv.faults.set("expired", "pods")
    first = get(srv, "/api/v1/pods?limit=3")
    assert first[0] == 200  # no continue token: untouched
    status, _, err = get(srv, f"/api/v1/pods?limit=3&continue={first[2]['metadata']['continue']}")
    assert status == 410 and err["reason"] == "Expired" and err["code"] == 410
    assert err["message"].startswith("The provided continue parameter is too old")


def test_throttle_first_k_requests(srv: LocalAPIServer) -> None:
    fault = srv.faults.set("throttle", "nodes", times=2)
    results = [srv.request("GET", "/api/v1/nodes") for _ in range(3)]
    assert [r[0] for r in results] == [429, 429, 200]
    assert results[0][1]["retry-after"] == "1"
    assert json.loads(results[0][2])["reason"] == "TooManyRequests"
    assert fault.hits == 2 and not fault.active


def test_slow_and_truncated(srv: LocalAPIServer) -> None:
    srv.faults.set("slow", "namespaces", delay=0.3)
    started = time.monotonic()
    assert get(srv, "/api/v1/namespaces")[0] == 200
    assert time.monotonic() - started >= 0.3
    srv.faults.set("truncate", "pods")
    with pytest.raises(http.client.IncompleteRead):
        srv.request("GET", "/api/v1/pods")
    rec = srv.requests[-1]
    assert rec["fault"] == "truncate" and rec["bytes"] > 0
    srv.faults.clear()
    assert get(srv, "/api/v1/pods")[0] == 200


def test_fault_specs() -> None:
    f = Fault.parse("kind=throttle,resource=events,namespace=prod,times=3,retry_after=2")
    assert (f.kind, f.resource, f.namespace, f.times, f.retry_after) == (
        "throttle",
        "events",
        "prod",
        3,
        2,
    )
    assert Fault.parse("forbidden:pods:prod") == Fault("forbidden", "pods", "prod")
    with pytest.raises(ValueError):
        Fault.parse("kind=explode")
    with LocalAPIServer(objects=OBJECTS, tls=False, faults=["forbidden:nodes"]) as srv:
        assert srv.request("GET", "/api/v1/nodes")[0] == 403


# --- loading and generating ---------------------------------------------------------------------


def test_load_directory(tmp_path: Path) -> None:
    pods = {"apiVersion": "v1", "kind": "List", "items": OBJECTS[:3]}
    (tmp_path / "pods.json").write_text(json.dumps(pods))
    (tmp_path / "more.yaml").write_text(yaml.safe_dump_all([OBJECTS[3], OBJECTS[8]]))
    (tmp_path / "expected.json").write_text(json.dumps({"kind": "List", "items": [OBJECTS[4]]}))
    (tmp_path / "notes.json").write_text(json.dumps({"just": "data"}))
    (tmp_path / "README.md").write_text("# not data")
    log = tmp_path / "logs" / "prod" / "api-1" / "app.log"
    log.parent.mkdir(parents=True)
    log.write_text("from a file\n")
    store = Store()
    assert store.load_dir(tmp_path) == 9
    store.freeze()
    assert [e.name for e in store.entries("pods")] == ["db-0", "web-1", "web-2", "api-1"]
    assert store.count("events") == 5 and store.logs[("prod", "api-1", "app")] == b"from a file\n"
    (tmp_path / "broken.yaml").write_text("a: [unclosed")
    with pytest.raises(ValueError, match="broken.yaml"):
        Store().load_dir(tmp_path)


def test_generate_pods_look_real() -> None:
    now = 1_760_000_000.0
    pods = generate.pods(300, seed=7, now=now)
    assert len(pods) == 300 and pods == generate.pods(300, seed=7, now=now)
    sizes = [len(json.dumps(p, separators=(",", ":"))) for p in pods]
    assert min(sizes) >= 5000 and sum(sizes) / len(sizes) <= 8000 and max(sizes) < 10000
    managers = {m["manager"] for p in pods for m in p["metadata"]["managedFields"]}
    assert managers == {"kube-controller-manager", "kubelet"}
    owners = {p["metadata"]["ownerReferences"][0]["kind"] for p in pods}
    assert "ReplicaSet" in owners
    troubled = [
        p
        for p in pods
        if p["status"]["phase"] != "Running"
        or any(
            cs["lastState"] or "waiting" in cs["state"] for cs in p["status"]["containerStatuses"]
        )
    ]
    assert 0.04 <= len(troubled) / len(pods) <= 0.2
    events = generate.events(300, seed=7, now=now)
    uids = {p["metadata"]["uid"] for p in pods}
    pod_events = [e for e in events if e["involvedObject"]["kind"] == "Pod"]
    assert pod_events and all(e["involvedObject"]["uid"] in uids for e in pod_events)
    job_names = {j["metadata"]["name"] for j in generate.jobs(2000, seed=7, now=now)}
    job_pods = [
        p for p in generate.pods(2000, seed=7, now=now) if "job-name" in p["metadata"]["labels"]
    ]
    assert job_pods and {p["metadata"]["labels"]["job-name"] for p in job_pods} == job_names


def test_generated_store_matches_generated_dicts() -> None:
    now = 1_760_000_000.0
    store = Store()
    generate.populate(store, 120, seed=5, now=now)
    store.freeze()
    by_key = {
        (p["metadata"]["namespace"], p["metadata"]["name"]): p
        for p in generate.pods(120, seed=5, now=now)
    }
    for entry in store.entries("pods"):
        pod = by_key[entry.key]
        assert entry.object()["metadata"]["uid"] == pod["metadata"]["uid"]
        assert entry.labels == pod["metadata"]["labels"]
        assert entry.fields == store_fields(pod)


def store_fields(pod: dict[str, Any]) -> tuple[str, ...]:
    from localapi.store import RESOURCES

    return RESOURCES["pods"].fields_of(pod)


# --- the command line ---------------------------------------------------------------------------


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "objects.json").write_text(json.dumps({"kind": "List", "items": OBJECTS}))
    kc, log = tmp_path / "kc.yaml", tmp_path / "req.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localapi",
            "--data",
            str(data),
            "--kubeconfig",
            str(kc),
            "--log",
            str(log),
            "--http",
            "--token",
            "t0k",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("localapi: serving 26 objects at http://127.0.0.1:")
        assert line.endswith(f", kubeconfig {kc}")
        url = line.split(" at ", 1)[1].split(",", 1)[0]
        req = urllib.request.Request(url + "/api/v1/nodes", headers={"Authorization": "Bearer t0k"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert len(json.load(resp)["items"]) == 3
        assert RequestLog.read(log)[-1]["path"] == "/api/v1/nodes"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


# --- the real kubectl and the real Python client ------------------------------------------------


def kubectl(srv: LocalAPIServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(srv.kubeconfig),
            "--cache-dir",
            str(tmp_path / "kc"),
            "--request-timeout",
            "10s",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")


@pytest.mark.cluster
@needs_kubectl
def test_kubectl_get_json_and_tables(srv: LocalAPIServer, tmp_path: Path) -> None:
    out = kubectl(srv, tmp_path, "get", "pods", "-A", "-o", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in doc["items"]] == ALL_PODS
    assert doc["items"][0]["kind"] == "Pod"
    out = kubectl(srv, tmp_path, "get", "pods", "-n", "prod", "-o", "json")
    assert [p["metadata"]["name"] for p in json.loads(out.stdout)["items"]] == [
        "api-1",
        "api-2",
        "batch-x",
        "worker-1",
    ]
    table = kubectl(srv, tmp_path, "get", "pods", "-A")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [line.split()[:2] for line in lines[1:]] == [list(k) for k in ALL_PODS]
    assert "CrashLoopBackOff" in table.stdout
    one = kubectl(srv, tmp_path, "get", "pod", "web-1")
    assert one.returncode == 0 and one.stdout.splitlines()[1].startswith("web-1 ")
    for args, word in [
        (("get", "events", "-A"), "SystemOOM"),
        (("get", "nodes"), "n3"),
        (("get", "jobs", "-A"), "batch"),
        (("get", "ns"), "staging"),
    ]:
        out = kubectl(srv, tmp_path, *args)
        assert out.returncode == 0 and word in out.stdout, (args, out.stderr)
    missing = kubectl(srv, tmp_path, "get", "pod", "nope", "-n", "prod")
    assert missing.returncode == 1 and 'pods "nope" not found' in missing.stderr


@pytest.mark.cluster
@needs_kubectl
def test_kubectl_logs_previous(srv: LocalAPIServer, tmp_path: Path) -> None:
    out = kubectl(srv, tmp_path, "logs", "api-1", "-c", "app", "--previous", "-n", "prod")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [f"line {i}" for i in range(1, 6)]
    out = kubectl(srv, tmp_path, "logs", "api-2", "-c", "app", "--previous", "-n", "prod")
    assert out.returncode == 1
    assert 'previous terminated container "app" in pod "api-2" not found' in out.stderr


@pytest.mark.cluster
@needs_kubectl
def test_kubectl_failure_contexts(srv: LocalAPIServer, tmp_path: Path) -> None:
    tls = kubectl(srv, tmp_path, "--context", "broken-tls", "get", "pods")
    assert tls.returncode == 1 and "certificate" in tls.stderr
    token = kubectl(srv, tmp_path, "--context", "bad-token", "get", "pods")
    assert token.returncode == 1 and "You must be logged in to the server" in token.stderr
    srv.faults.set("forbidden", "pods", "prod")
    denied = kubectl(srv, tmp_path, "--context", "local-prod", "get", "pods")
    assert denied.returncode == 1
    assert 'cannot list resource "pods" in API group "" in the namespace "prod"' in denied.stderr


@pytest.mark.cluster
def test_official_python_client(srv: LocalAPIServer) -> None:
    from kubernetes import client, config

    cfg = client.Configuration()
    config.load_kube_config(config_file=str(srv.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api:
        core = client.CoreV1Api(api)
        pods = core.list_namespaced_pod("prod")
        assert [p.metadata.name for p in pods.items] == ["api-1", "api-2", "batch-x", "worker-1"]
        assert pods.items[0].status.container_statuses[0].last_state.terminated.reason == (
            "OOMKilled"
        )
        page = core.list_pod_for_all_namespaces(limit=5)
        rest = core.list_pod_for_all_namespaces(limit=5, _continue=page.metadata._continue)
        assert len(page.items) + len(rest.items) == len(ALL_PODS)
        log = core.read_namespaced_pod_log("api-1", "prod", container="app", previous=True)
        assert log.startswith("line 1")
        events = core.list_namespaced_event("prod", field_selector="involvedObject.name=api-1")
        assert {e.reason for e in events.items} == {"BackOff", "Pulled"}
        assert (
            client.BatchV1Api(api).list_job_for_all_namespaces().items[0].metadata.name == "batch"
        )
        srv.faults.set("forbidden", "pods", "prod")
        with pytest.raises(client.ApiException) as info:
            core.list_namespaced_pod("prod")
        assert info.value.status == 403
    assert srv.requests[0]["agent"].startswith("OpenAPI-Generator")


# --- workload resources: apps/v1 and batch/v1 cronjobs -----------------------------------------

APPS = "/apis/apps/v1"


def test_workload_resources_list_get_and_not_found(srv: LocalAPIServer) -> None:
    status, _, doc = get(srv, f"{APPS}/deployments")
    assert status == 200 and (doc["kind"], doc["apiVersion"]) == ("DeploymentList", "apps/v1")
    assert names(doc) == [("default", "web")] and "kind" not in doc["items"][0]
    assert names(get(srv, f"{APPS}/replicasets")[2]) == [
        ("default", "web-7d4b9c"),
        ("prod", "api-5f6d7"),
    ]
    assert names(get(srv, f"{APPS}/namespaces/prod/replicasets")[2]) == [("prod", "api-5f6d7")]
    assert names(get(srv, f"{APPS}/statefulsets")[2]) == [("default", "db")]
    assert names(get(srv, f"{APPS}/namespaces/default/daemonsets")[2]) == [
        ("default", "node-agent")
    ]
    assert get(srv, "/apis/batch/v1/cronjobs")[2]["kind"] == "CronJobList"
    one = get(srv, "/apis/batch/v1/namespaces/prod/cronjobs/nightly")[2]
    assert (one["kind"], one["apiVersion"], one["spec"]["schedule"]) == (
        "CronJob",
        "batch/v1",
        "0 2 * * *",
    )
    assert get(srv, f"{APPS}/namespaces/default/statefulsets/db")[2]["kind"] == "StatefulSet"
    # selectors: labels, the object-meta fields, and status.replicas for ReplicaSets only
    assert names(get(srv, f"{APPS}/replicasets?labelSelector=app%3Dapi")[2]) == [
        ("prod", "api-5f6d7")
    ]
    sel = "fieldSelector=metadata.name%3Dweb-7d4b9c"
    assert names(get(srv, f"{APPS}/replicasets?{sel}")[2]) == [("default", "web-7d4b9c")]
    assert len(get(srv, f"{APPS}/replicasets?fieldSelector=status.replicas%3D2")[2]["items"]) == 2
    assert names(get(srv, f"{APPS}/deployments?fieldSelector=metadata.namespace%3Dprod")[2]) == []
    status, _, err = get(srv, f"{APPS}/deployments?fieldSelector=status.replicas%3D2")
    assert (status, err["message"]) == (400, "field label not supported: status.replicas")
    seen, pages = page_through(srv, f"{APPS}/replicasets", 1)
    assert (seen, pages) == ([("default", "web-7d4b9c"), ("prod", "api-5f6d7")], 2)
    status, _, err = get(srv, f"{APPS}/namespaces/default/deployments/nope")
    assert status == 404 and err["message"] == 'deployments.apps "nope" not found'
    assert err["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    err = get(srv, "/apis/batch/v1/namespaces/prod/cronjobs/nope")[2]
    assert err["message"] == 'cronjobs.batch "nope" not found'
    for path in (f"{APPS}/jobs", "/apis/apps/v2/deployments", f"{APPS}/namespaces/x/nodes"):
        status, _, err = get(srv, path)
        assert (status, err["message"]) == (404, "the server could not find the requested resource")


def test_workload_discovery(srv: LocalAPIServer) -> None:
    resources = get(srv, APPS)[2]["resources"]
    assert [(r["name"], r["shortNames"], r["kind"]) for r in resources] == [
        ("daemonsets", ["ds"], "DaemonSet"),
        ("deployments", ["deploy"], "Deployment"),
        ("replicasets", ["rs"], "ReplicaSet"),
        ("statefulsets", ["sts"], "StatefulSet"),
    ]
    assert all(r["verbs"] == ["get", "list", "watch"] and r["namespaced"] for r in resources)
    assert all(r["categories"] == ["all"] for r in resources)
    cronjobs = get(srv, "/apis/batch/v1")[2]["resources"][0]
    assert (cronjobs["name"], cronjobs["shortNames"]) == ("cronjobs", ["cj"])
    assert get(srv, "/apis/apps")[2]["preferredVersion"] == {
        "groupVersion": "apps/v1",
        "version": "v1",
    }
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    doc = json.loads(srv.request("GET", "/apis", headers={"Accept": accept})[2])
    groups = {g["metadata"]["name"]: g["versions"][0]["resources"] for g in doc["items"]}
    assert [r["resource"] for r in groups["apps"]] == [
        "daemonsets",
        "deployments",
        "replicasets",
        "statefulsets",
    ]
    assert {r["resource"]: r.get("shortNames") for r in groups["batch"]} == {
        "cronjobs": ["cj"],
        "jobs": None,
    }


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def table(srv: LocalAPIServer, path: str) -> tuple[list[str], dict[str, list[Any]]]:
    status, headers, doc = get(srv, path, headers={"Accept": TABLE})
    assert status == 200 and doc["kind"] == "Table", doc
    return [c["name"] for c in doc["columnDefinitions"]], {
        r["cells"][0]: r["cells"] for r in doc["rows"]
    }


def workload_columns(*own: str, selector: bool = True) -> list[str]:
    """A workload printer's columns: Name, the kind's own, Age, Containers, Images, Selector."""
    return ["Name", *own, "Age", "Containers", "Images"] + (["Selector"] if selector else [])


def test_workload_tables(srv: LocalAPIServer) -> None:
    cols, rows = table(srv, f"{APPS}/replicasets")
    assert cols == workload_columns("Desired", "Current", "Ready")
    assert rows["web-7d4b9c"][:4] == ["web-7d4b9c", 2, 2, 2]
    assert rows["web-7d4b9c"][5:] == [
        "web",
        "example/web:1",
        "app=web,pod-template-hash=7d4b9c,tier=frontend",
    ]
    assert (
        rows["api-5f6d7"][1:4] == [3, 2, 1]
        and rows["api-5f6d7"][7] == "app=api,tier in (backend,x)"
    )
    cols, rows = table(srv, f"{APPS}/deployments")
    assert cols == workload_columns("Ready", "Up-to-date", "Available")
    assert rows["web"][:4] == ["web", "2/2", 2, 2] and rows["web"][7] == "app=web,tier=frontend"
    cols, rows = table(srv, f"{APPS}/statefulsets")
    assert cols == workload_columns("Ready", selector=False)
    assert rows["db"][1] == "1/3" and rows["db"][3:] == ["db,exporter", "postgres:16,exporter:1"]
    cols, rows = table(srv, f"{APPS}/daemonsets")
    assert cols == workload_columns(
        "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector"
    )
    assert rows["node-agent"][1:7] == [3, 3, 2, 3, 2, "kubernetes.io/os=linux"]
    cols, rows = table(srv, "/apis/batch/v1/cronjobs")
    assert cols == workload_columns("Schedule", "Timezone", "Suspend", "Active", "Last Schedule")
    assert rows["nightly"][1:5] == ["0 2 * * *", "<none>", "False", 0]
    assert rows["nightly"][5].endswith(("d", "y")) and rows["nightly"][9] == "<none>"
    _, one = table(srv, f"{APPS}/namespaces/default/deployments/web")
    assert list(one) == ["web"]


def test_faults_for_workload_resources(srv: LocalAPIServer) -> None:
    srv.faults.set("forbidden", "deployments", "default")
    status, _, err = get(srv, f"{APPS}/namespaces/default/deployments/web")
    assert status == 403 and err["message"] == (
        'deployments.apps "web" is forbidden: User "system:serviceaccount:default:exitwhy" '
        'cannot get resource "deployments" in API group "apps" in the namespace "default"'
    )
    assert get(srv, f"{APPS}/namespaces/default/replicasets")[0] == 200
    srv.faults.add_fault("kind=throttle,resource=cronjobs,times=1")
    assert [get(srv, "/apis/batch/v1/cronjobs")[0] for _ in range(2)] == [429, 200]
    for resource in ("replicasets", "statefulsets", "daemonsets"):
        assert Fault.parse(f"error:{resource}").resource == resource


# --- a store that changes, and watches that see it --------------------------------------------


@pytest.fixture
def live() -> Iterator[LocalAPIServer]:
    """A fresh server per test: these tests change the cluster."""
    with LocalAPIServer(objects=OBJECTS, logs=LOGS, tls=False) as srv:
        yield srv


def list_rv(srv: LocalAPIServer, path: str = "/api/v1/pods") -> int:
    return int(get(srv, path)[2]["metadata"]["resourceVersion"])


class Watch:
    """One watch request read event by event; every read is bounded by ``timeout``."""

    def __init__(self, srv: LocalAPIServer, path: str, timeout: float = 10) -> None:
        self.conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {srv.token}"})
        self.resp = self.conn.getresponse()

    def next(self) -> dict[str, Any] | None:
        line = self.resp.readline()
        return json.loads(line) if line.strip() else None

    def take(self, n: int) -> list[dict[str, Any]]:
        out = []
        while len(out) < n:
            event = self.next()
            assert event is not None, f"the stream ended after {out}"
            out.append(event)
        return out

    def close(self) -> None:
        self.resp.close()
        self.conn.close()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (
            e["type"],
            e["object"]["metadata"].get("name", ""),
            e["object"]["metadata"]["resourceVersion"],
        )
        for e in events
    ]


def wait_for(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_apply_and_delete_change_lists_gets_and_tables(live: LocalAPIServer) -> None:
    rv = list_rv(live)
    new = _pod("prod", "api-3", {"app": "api"}, "n3")
    created = live.apply(new)
    assert created["kind"] == "Pod" and created["metadata"]["resourceVersion"] == str(rv + 1)
    pods = get(live, "/api/v1/namespaces/prod/pods")[2]
    assert pods["metadata"]["resourceVersion"] == str(rv + 1)
    assert [n for _, n in names(pods)] == ["api-1", "api-2", "api-3", "batch-x", "worker-1"]
    new["status"]["phase"] = "Failed"
    new["metadata"].pop("uid")
    live.apply(new)
    got = get(live, "/api/v1/namespaces/prod/pods/api-3")[2]
    assert got["status"]["phase"] == "Failed" and got["metadata"]["uid"] == "uid-prod-api-3"
    assert got["metadata"]["resourceVersion"] == str(rv + 2)
    _, rows = table(live, "/api/v1/namespaces/prod/pods")
    assert rows["api-3"][2] == "Failed"
    assert live.delete("Pod", "prod", "api-3") and not live.delete("pods", "prod", "api-3")
    assert get(live, "/api/v1/namespaces/prod/pods/api-3")[0] == 404
    assert list_rv(live) == rv + 3
    deploy = json.loads(json.dumps(WORKLOADS[0]))
    deploy["metadata"].update(namespace="qa", name="web2")
    live.apply(deploy)  # a new namespace comes with its Namespace object
    assert names(get(live, f"{APPS}/namespaces/qa/deployments")[2]) == [("qa", "web2")]
    assert "qa" in [n for _, n in names(get(live, "/api/v1/namespaces")[2])]
    live.add_log("prod", "api-2", "app", "fresh\n")
    assert live.request("GET", "/api/v1/namespaces/prod/pods/api-2/log")[2] == b"fresh\n"
    with pytest.raises(ValueError):
        live.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    with pytest.raises(ValueError):
        live.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {}})


def test_watch_from_a_resource_version_streams_every_change_in_order(live: LocalAPIServer) -> None:
    rv = list_rv(live)
    path = f"/api/v1/namespaces/prod/pods?watch=true&resourceVersion={rv}&timeoutSeconds=10"
    with Watch(live, path) as w:
        wait_for(lambda: live.store.open_watches == 1)
        pod = _pod("prod", "api-3", {"app": "api"}, "n3")
        live.apply(pod)
        pod["status"]["phase"] = "Succeeded"
        live.apply(pod)
        live.apply(_pod("default", "elsewhere", {"app": "api"}, "n1"))  # another namespace
        live.delete("Pod", "prod", "api-3")
        events = w.take(3)
    assert summary(events) == [
        ("ADDED", "api-3", str(rv + 1)),
        ("MODIFIED", "api-3", str(rv + 2)),
        ("DELETED", "api-3", str(rv + 4)),
    ]
    assert (
        events[0]["object"]["kind"] == "Pod"
        and events[1]["object"]["status"]["phase"] == "Succeeded"
    )
    assert events[2]["object"]["status"]["phase"] == "Succeeded"  # its last state
    # a watch that starts later from the same RV gets the same history
    with Watch(live, f"/api/v1/namespaces/prod/pods?watch=true&resourceVersion={rv}") as w:
        assert w.resp.status == 200 and w.resp.getheader("Transfer-Encoding") == "chunked"
        assert summary(w.take(3)) == summary(events)


def test_watch_selectors_see_objects_enter_and_leave(live: LocalAPIServer) -> None:
    rv = list_rv(live)
    path = f"/api/v1/pods?watch=true&resourceVersion={rv}&labelSelector=app%3Dapi&timeoutSeconds=10"
    node_path = f"/api/v1/pods?watch=true&resourceVersion={rv}&fieldSelector=spec.nodeName%3Dn9"
    with Watch(live, path) as by_label, Watch(live, node_path + "&timeoutSeconds=10") as by_node:
        wait_for(lambda: live.store.open_watches == 2)
        api1 = get(live, "/api/v1/namespaces/prod/pods/api-1")[2]
        api1["metadata"]["labels"] = {"app": "other"}
        live.apply(api1)  # leaves the label selector
        worker = get(live, "/api/v1/namespaces/prod/pods/worker-1")[2]
        worker["spec"]["nodeName"] = "n9"
        live.apply(worker)  # enters the field selector, never matched the label one
        api1["metadata"]["labels"] = {"app": "api"}
        live.apply(api1)  # back in
        api2 = get(live, "/api/v1/namespaces/prod/pods/api-2")[2]
        api2["status"]["phase"] = "Failed"
        live.apply(api2)  # stays in
        worker["spec"]["nodeName"] = "n1"
        live.apply(worker)  # leaves the field selector
        label_events, node_events = by_label.take(3), by_node.take(2)
    assert summary(label_events) == [
        ("DELETED", "api-1", str(rv + 1)),
        ("ADDED", "api-1", str(rv + 3)),
        ("MODIFIED", "api-2", str(rv + 4)),
    ]
    # the DELETED event carries the object as it was, with the event's resourceVersion
    assert label_events[0]["object"]["metadata"]["labels"] == {
        "app": "api",
        "tier": "backend",
        "env": "prod",
    }
    assert summary(node_events) == [
        ("ADDED", "worker-1", str(rv + 2)),
        ("DELETED", "worker-1", str(rv + 5)),
    ]
    assert node_events[1]["object"]["spec"]["nodeName"] == "n9"


def test_watch_from_a_resource_version_too_old_gets_410_expired_event(live: LocalAPIServer) -> None:
    rv = list_rv(live)
    status, _, body = live.request("GET", "/api/v1/pods?watch=true&resourceVersion=1")
    (event,) = [json.loads(line) for line in body.splitlines()]  # one event, then the end
    assert status == 200 and event == {
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: 1 ({rv})",
            "reason": "Expired",
            "code": 410,
        },
    }
    live.apply(_pod("prod", "api-3", {"app": "api"}, "n3"))
    live.compact()
    body = live.request("GET", f"/api/v1/pods?watch=true&resourceVersion={rv}")[2]
    message = json.loads(body)["object"]["message"]
    assert message == f"too old resource version: {rv} ({rv + 1})"
    # from the current RV the watch is fine: the next change is its first event
    with Watch(live, f"/api/v1/pods?watch=true&resourceVersion={rv + 1}") as w:
        live.delete("Pod", "prod", "api-3")
        assert summary(w.take(1)) == [("DELETED", "api-3", str(rv + 2))]


def test_watch_history_is_bounded_like_the_watch_cache() -> None:
    with LocalAPIServer(objects=OBJECTS, tls=False, history_limit=2) as srv:
        rv = list_rv(srv)
        for i in range(3):
            srv.apply(_pod("prod", f"new-{i}", {"app": "new"}, "n1"))
        body = srv.request("GET", f"/api/v1/pods?watch=true&resourceVersion={rv}")[2]
        # the oldest event kept is rv+2: a watch may resume from rv+1, not from rv
        assert json.loads(body)["object"]["message"] == f"too old resource version: {rv} ({rv + 1})"
        with Watch(srv, f"/api/v1/pods?watch=true&resourceVersion={rv + 1}") as w:
            assert [e["object"]["metadata"]["name"] for e in w.take(2)] == ["new-1", "new-2"]
        # the history is per resource: nodes had no change since the list, so rv is fine
        with Watch(srv, f"/api/v1/nodes?watch=true&resourceVersion={rv}") as w:
            node = get(srv, "/api/v1/nodes/n1")[2]
            node["spec"] = {"unschedulable": True}
            srv.apply(node)
            assert summary(w.take(1)) == [("MODIFIED", "n1", str(rv + 4))]


def test_watch_without_resource_version_sends_the_state_then_changes(live: LocalAPIServer) -> None:
    with Watch(live, "/api/v1/namespaces/prod/pods?watch=true&timeoutSeconds=10") as w:
        initial = w.take(4)
        assert [e["type"] for e in initial] == ["ADDED"] * 4
        live.apply(_pod("prod", "api-3", {"app": "api"}, "n3"))
        assert summary(w.take(1)) == [("ADDED", "api-3", str(list_rv(live)))]
    wait_for(lambda: live.store.open_watches == 0)  # the server notices the client left
    path = "/api/v1/namespaces/prod/pods?watch=true&resourceVersion=0&sendInitialEvents=false"
    with Watch(live, path + "&timeoutSeconds=10") as w:
        wait_for(lambda: live.store.open_watches == 1)
        live.delete("pods", "prod", "api-3")
        assert [e["type"] for e in w.take(1)] == ["DELETED"]


def test_watch_bookmarks(live: LocalAPIServer) -> None:
    live.bookmark_interval = 0.2
    rv = list_rv(live)
    path = f"/api/v1/pods?watch=true&resourceVersion={rv}"
    started = time.monotonic()
    with Watch(live, path + "&allowWatchBookmarks=true") as w, Watch(live, path) as plain:
        first = w.take(1)[0]
        assert first["type"] == "BOOKMARK" and time.monotonic() - started < 2
        assert first["object"] == {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": str(rv)},
        }
        live.apply(_pod("prod", "api-3", {"app": "api"}, "n3"))
        events = [
            e
            for e in w.take(4)
            if e["type"] != "BOOKMARK" or e["object"]["metadata"]["resourceVersion"] != str(rv)
        ]
        assert [e["type"] for e in events[:2]] == ["ADDED", "BOOKMARK"]
        assert events[1]["object"]["metadata"]["resourceVersion"] == str(rv + 1)
        # no bookmarks unless asked for: the other watch's first event is the change
        assert summary(plain.take(1)) == [("ADDED", "api-3", str(rv + 1))]
    # the streaming list: the state, then the bookmark that ends it
    path = (
        "/api/v1/namespaces/prod/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
        "&resourceVersionMatch=NotOlderThan"
    )
    with Watch(live, path) as w:
        events = w.take(6)
    assert [e["type"] for e in events] == ["ADDED"] * 5 + ["BOOKMARK"]
    assert events[5]["object"]["metadata"] == {
        "resourceVersion": str(rv + 1),
        "annotations": {"k8s.io/initial-events-end": "true"},
    }


def test_a_dropped_watch_ends_without_the_closing_chunk(live: LocalAPIServer) -> None:
    sock = socket.create_connection((live.host, live.port), timeout=10)
    try:
        sock.sendall(
            b"GET /api/v1/pods?watch=true&resourceVersion=1000000&timeoutSeconds=30 HTTP/1.1\r\n"
            b"Host: x\r\nAuthorization: Bearer " + live.token.encode() + b"\r\n\r\n"
        )
        wait_for(lambda: live.store.open_watches == 1)
        assert live.drop_watches() == 1
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    finally:
        sock.close()
    assert received.startswith(b"HTTP/1.1 200 OK") and b"Transfer-Encoding: chunked" in received
    assert not received.endswith(b"0\r\n\r\n")  # cut, not ended
    wait_for(lambda: live.store.open_watches == 0)
    # a watch that times out ends properly
    sock = socket.create_connection((live.host, live.port), timeout=10)
    try:
        sock.sendall(
            b"GET /api/v1/pods?watch=true&resourceVersion=1000000&timeoutSeconds=1 HTTP/1.1\r\n"
            b"Host: x\r\nAuthorization: Bearer " + live.token.encode() + b"\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    finally:
        sock.close()
    assert received.endswith(b"\r\n\r\n0\r\n\r\n")


def test_stopping_the_server_ends_open_watches() -> None:
    srv = LocalAPIServer(objects=OBJECTS, tls=False).start()
    ended = threading.Event()

    def watch() -> None:
        with (
            contextlib.suppress(Exception),
            Watch(srv, "/api/v1/pods?watch=true&timeoutSeconds=60") as w,
        ):
            while w.next() is not None:
                pass
        ended.set()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    wait_for(lambda: srv.store.open_watches == 1)
    started = time.monotonic()
    srv.stop()
    assert ended.wait(5) and time.monotonic() - started < 5
    assert srv.store.open_watches == 0


def test_watch_requests_the_apiserver_refuses_or_routes_elsewhere(live: LocalAPIServer) -> None:
    status, _, err = get(live, "/api/v1/pods?watch=true&resourceVersion=abc")
    assert (status, err["reason"]) == (422, "Invalid")
    assert err["message"] == (
        'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'
    )
    # watch on an object's own path is a GET; the deprecated /watch/ path watches it
    status, _, pod = get(live, "/api/v1/namespaces/prod/pods/api-1?watch=true")
    assert status == 200 and pod["kind"] == "Pod"
    with Watch(live, "/api/v1/watch/namespaces/prod/pods/api-1") as w:
        initial = w.take(1)
        live.apply(get(live, "/api/v1/namespaces/prod/pods/api-2")[2])  # not this one
        live.apply(get(live, "/api/v1/namespaces/prod/pods/api-1")[2])
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in initial + w.take(1)] == [
            ("ADDED", "api-1"),
            ("MODIFIED", "api-1"),
        ]
    status, _, err = get(
        live, "/api/v1/watch/namespaces/prod/pods/api-1?fieldSelector=metadata.name%3Dx"
    )
    assert (status, err["message"]) == (
        400,
        "fieldSelector metadata.name doesn't match requested name",
    )
    with Watch(live, f"{APPS}/watch/namespaces/default/deployments") as w:
        assert w.take(1)[0]["object"]["kind"] == "Deployment"


def test_lists_stay_consistent_while_the_store_changes(live: LocalAPIServer) -> None:
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        last = 0
        while not stop.is_set():
            doc = get(live, "/api/v1/namespaces/prod/pods")[2]
            rv = int(doc["metadata"]["resourceVersion"])
            count = len(doc["items"])
            # before the first change 4 pods; each change adds or removes api-3
            if rv < last or count not in (4, 5):
                errors.append(f"rv {rv} after {last}, {count} pods")
            last = rv

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(60):
        if i % 2 == 0:
            live.apply(_pod("prod", "api-3", {"app": "api"}, "n3"))
        else:
            live.delete("Pod", "prod", "api-3")
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors and list_rv(live) >= 60


def test_generated_owners_match_their_pods() -> None:
    now = 1_760_000_000.0
    objects = list(generate.iter_objects(1500, seed=4, now=now))
    by_key = {
        (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objects
    }
    pods = [o for o in objects if o["kind"] == "Pod"]
    kinds = set()
    for pod in pods:
        meta = pod["metadata"]
        (ref,) = meta["ownerReferences"]
        owner = by_key[(ref["kind"], meta["namespace"], ref["name"])]
        assert owner["metadata"]["uid"] == ref["uid"]
        selector = owner["spec"]["selector"]["matchLabels"]
        assert all(meta["labels"].get(k) == v for k, v in selector.items()), (owner, meta["labels"])
        kinds.add(ref["kind"])
        (up,) = owner["metadata"].get("ownerReferences") or [{"kind": "", "name": "", "uid": ""}]
        if ref["kind"] == "ReplicaSet":
            assert up["kind"] == "Deployment"
        if ref["kind"] in ("ReplicaSet", "Job"):
            parent = by_key[(up["kind"], meta["namespace"], up["name"])]
            assert parent["metadata"]["uid"] == up["uid"] and up["controller"] is True
    assert kinds == {"ReplicaSet", "DaemonSet", "Job"}
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for p in pods:
        by_owner.setdefault(p["metadata"]["ownerReferences"][0]["uid"], []).append(p)
    for rs in (o for o in objects if o["kind"] == "ReplicaSet"):
        mine = by_owner[rs["metadata"]["uid"]]
        assert rs["spec"]["replicas"] == rs["status"]["replicas"] == len(mine)
        ready = sum(1 for p in mine if all(c["ready"] for c in p["status"]["containerStatuses"]))
        assert rs["status"].get("readyReplicas", 0) == ready
    cron = next(o for o in objects if o["kind"] == "CronJob")
    assert cron["spec"]["schedule"].endswith(" * * *") and cron["status"]["lastScheduleTime"]
    assert generate.deployments(1500, seed=4, now=now) == [
        o for o in objects if o["kind"] == "Deployment"
    ]
    store = Store()
    generate.populate(store, 1500, seed=4, now=now)
    store.freeze()
    assert store.count("replicasets") == len([o for o in objects if o["kind"] == "ReplicaSet"])
    assert json.loads(next(store.entries("replicasets")).data)["metadata"]["ownerReferences"]


# --- the real kubectl watching, and printing the workloads -------------------------------------


@pytest.mark.cluster
@needs_kubectl
def test_kubectl_watch_sees_a_change_within_a_second(tmp_path: Path) -> None:
    with LocalAPIServer(objects=OBJECTS) as srv:
        proc = subprocess.Popen(
            [
                "kubectl",
                "--kubeconfig",
                str(srv.kubeconfig),
                "--cache-dir",
                str(tmp_path / "kc"),
                "get",
                "pods",
                "-n",
                "prod",
                "--watch",
                "-o",
                "json",
                "--output-watch-events",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            lines: queue.Queue[str] = queue.Queue()
            threading.Thread(
                target=lambda: [lines.put(x) for x in proc.stdout], daemon=True
            ).start()

            def event(timeout: float) -> dict[str, Any]:
                return json.loads(lines.get(timeout=timeout))

            assert [event(20)["type"] for _ in range(4)] == ["ADDED"] * 4
            wait_for(lambda: srv.store.open_watches == 1, timeout=20)
            pod = get(srv, "/api/v1/namespaces/prod/pods/api-2")[2]
            pod["status"]["phase"] = "Failed"
            started = time.monotonic()
            srv.apply(pod)
            seen = event(5)
            assert time.monotonic() - started < 1.0
            assert (seen["type"], seen["object"]["metadata"]["name"]) == ("MODIFIED", "api-2")
            assert seen["object"]["status"]["phase"] == "Failed"
            srv.delete("Pod", "prod", "api-2")
            assert event(5)["type"] == "DELETED"
            srv.drop_watches()  # kubectl's watch ends with the connection
            assert proc.wait(timeout=20) is not None
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)


@pytest.mark.cluster
@needs_kubectl
def test_kubectl_get_workloads(srv: LocalAPIServer, tmp_path: Path) -> None:
    out = kubectl(srv, tmp_path, "get", "rs,deploy,sts,ds,cronjobs", "-A")
    assert out.returncode == 0, out.stderr
    blocks = [b.splitlines() for b in out.stdout.strip().split("\n\n")]
    headers = [b[0].split() for b in blocks]
    assert headers == [
        ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["NAMESPACE", "NAME", "READY", "AGE"],
        [
            "NAMESPACE",
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE",
            "SELECTOR",
            "AGE",
        ],
        [
            "NAMESPACE",
            "NAME",
            "SCHEDULE",
            "TIMEZONE",
            "SUSPEND",
            "ACTIVE",
            "LAST",
            "SCHEDULE",
            "AGE",
        ],
    ]
    assert blocks[0][1].split()[:5] == ["default", "replicaset.apps/web-7d4b9c", "2", "2", "2"]
    assert blocks[1][1].split()[:5] == ["default", "deployment.apps/web", "2/2", "2", "2"]
    assert blocks[2][1].split()[:3] == ["default", "statefulset.apps/db", "1/3"]
    assert blocks[3][1].split()[:8] == [
        "default",
        "daemonset.apps/node-agent",
        "3",
        "3",
        "2",
        "3",
        "2",
        "kubernetes.io/os=linux",
    ]
    assert blocks[4][1].split()[:6] == ["prod", "cronjob.batch/nightly", "0", "2", "*", "*"]
    wide = kubectl(srv, tmp_path, "get", "deploy", "web", "-o", "wide")
    assert wide.stdout.split("\n")[1].split()[-3:] == [
        "web",
        "example/web:1",
        "app=web,tier=frontend",
    ]
    short = kubectl(srv, tmp_path, "get", "cj", "-n", "prod", "-o", "json")
    assert [i["metadata"]["name"] for i in json.loads(short.stdout)["items"]] == ["nightly"]
    missing = kubectl(srv, tmp_path, "get", "deploy", "nope")
    assert missing.returncode == 1 and 'deployments.apps "nope" not found' in missing.stderr
    every = kubectl(srv, tmp_path, "get", "all", "-n", "default")
    assert every.returncode == 0 and "deployment.apps/web" in every.stdout


def test_metadata_only_lists_and_gets_as_client_gos_metadata_client_asks():
    from localapi import LocalAPIServer

    accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        code, headers, body = srv.request(
            "GET", "/apis/apps/v1/namespaces/prod/replicasets?limit=3", headers={"Accept": accept}
        )
        doc = json.loads(body)
        assert code == 200 and doc["kind"] == "PartialObjectMetadataList"
        assert doc["apiVersion"] == "meta.k8s.io/v1" and "continue" in doc["metadata"]
        assert (
            "as=PartialObjectMetadataList"
            in {k.lower(): v for k, v in headers.items()}["content-type"]
        )
        item = doc["items"][0]
        assert set(item) == {"kind", "apiVersion", "metadata"}
        assert item["kind"] == "PartialObjectMetadata" and item["metadata"]["ownerReferences"]
        name = item["metadata"]["name"]
        one = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
        code, _, body = srv.request(
            "GET", f"/apis/apps/v1/namespaces/prod/replicasets/{name}", headers={"Accept": one}
        )
        assert code == 200 and set(json.loads(body)) == {"kind", "apiVersion", "metadata"}
        code, _, body = srv.request("GET", f"/apis/apps/v1/namespaces/prod/replicasets/{name}")
        assert "spec" in json.loads(body)  # plain JSON still whole
