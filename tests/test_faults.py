"""Bounded, lossless, crash-free — the network. Each case a tester reproduced, through the local
API server's fault modes (``localapi/faults.py``, ``localapi/wirefaults.py``): a run ends within
its deadline (plus start-up and a wide margin for a loaded machine), with one sentence and no
traceback; a log that cannot be read is a warning; a list that would not end is ended and said.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import crashloop, pod, status, terminated

ROOT = Path(__file__).resolve().parent.parent
MARGIN = 4.0  # seconds beyond a deadline: interpreter start-up on a loaded machine, and slack
cluster = pytest.mark.cluster


def objects() -> list[dict]:
    return [
        pod("api-1", "prod", statuses=[status(state=crashloop(), last=terminated(1), restarts=4)]),
        pod("web-1", "prod", statuses=[status(last=terminated(137, "OOMKilled"), restarts=2)]),
    ]


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    logs = {("prod", "api-1", "app"): "starting\nconfig error: no DATABASE_URL\n"}
    with LocalAPIServer(objects=objects(), logs=logs) as srv:
        yield srv


@pytest.fixture
def srv(server):
    server.faults.clear()
    server.requests.clear()
    yield server
    server.faults.clear()


def run(
    srv, *args: str, kubeconfig: str | None = None
) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "KUBECONFIG": kubeconfig or str(srv.kubeconfig), "NO_COLOR": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    return proc, time.monotonic() - started


def one_sentence(proc: subprocess.CompletedProcess, status: int = 4) -> str:
    assert proc.returncode == status, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr and "\x1b" not in proc.stderr
    for leak in ("IncompleteRead", "Connection broken", "ProtocolError", "urllib3", "<"):
        assert leak not in lines[0], lines[0]
    return lines[0]


# --- 1. one deadline: connect, headers, body, retries ------------------------------------------


@cluster
@pytest.mark.parametrize(
    "fault,needle",
    [
        ("kind=slow,delay=60", "did not answer listing events in namespace prod within 2s"),
        ("kind=trickle,delay=1", "did not finish its answer"),
        ("kind=endless", "did not finish its answer"),
    ],
)
def test_a_stalled_trickling_or_endless_answer_ends_at_the_deadline(srv, fault, needle):
    srv.faults.add_fault(fault)
    proc, took = run(srv, "-n", "prod", "--request-timeout", "2s")
    assert needle in one_sentence(proc) and "(--request-timeout)" in proc.stderr
    assert took < 2 + MARGIN, took


@cluster
def test_request_timeout_goes_to_the_server_on_lists(srv):
    proc, _ = run(srv, "-n", "prod", "--request-timeout", "5s", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    lists = [r for r in srv.requests if r["path"].endswith(("/pods", "/events"))]
    assert lists and all(r["query"].get("timeout") == "5s" for r in lists)
    srv.requests.clear()
    assert run(srv, "-n", "prod", "-o", "json")[0].returncode == 0
    assert not [r for r in srv.requests if "timeout" in r["query"]]  # as kubectl: only with it


@cluster
def test_retry_after_beyond_the_deadline_is_not_obeyed(srv):
    srv.faults.add_fault("kind=throttle,resource=pods,retry_after=1000")
    proc, took = run(srv, "-n", "prod", "--request-timeout", "2s")
    line = one_sentence(proc)
    assert "429 Too Many Requests) listing pods" in line and "asked to wait 1000s" in line
    assert took < 2 + MARGIN, took
    assert len([r for r in srv.requests if r["path"].endswith("/pods")]) == 1  # no useless try


@cluster
def test_retry_after_is_capped_and_counted_against_the_deadline(srv, monkeypatch):
    from kubectl_exitwhy.sources import http
    from kubectl_exitwhy.sources.cluster import ClusterSource

    monkeypatch.setattr(http, "MAX_RETRY_AFTER", 0.5)
    source = ClusterSource(kubeconfig=str(srv.kubeconfig), request_timeout=5)
    srv.faults.add_fault("kind=throttle,resource=nodes,retry_after=1000,times=2")
    started = time.monotonic()
    assert source.get("/api/v1/nodes", None, "listing nodes")["kind"] == "NodeList"
    assert 0.9 < time.monotonic() - started < 4  # two capped waits, not 1000 s
    srv.faults.add_fault("kind=throttle,resource=nodes,retry_after=1000")
    started = time.monotonic()
    with pytest.raises(Exception, match="after 3 tries"):
        source.get("/api/v1/nodes", None, "listing nodes")
    assert time.monotonic() - started < 4


@cluster
def test_a_dropped_connection_is_tried_again_then_named(srv):
    srv.faults.add_fault("kind=reset,resource=pods,times=1")
    proc, _ = run(srv, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    srv.faults.clear()
    srv.faults.add_fault("kind=reset,resource=pods")
    proc, took = run(srv, "-n", "prod", "--request-timeout", "3s")
    assert "closed or reset the connection listing pods" in one_sentence(proc)
    assert took < 3 + MARGIN


# --- 4. honest messages ------------------------------------------------------------------------


@cluster
@pytest.mark.parametrize(
    "fault,needles",
    [
        ("kind=html", ["answered listing events", "HTML page", "Sign in", "--server"]),
        ("kind=redirect", ["redirected listing events", "another host (sso.login.example.com)"]),
        ("kind=truncate,resource=pods", ["listing pods in namespace prod was cut short", "bytes"]),
        ("kind=notfound,resource=pods", ["listing pods in namespace prod", "404 Not Found"]),
        ("kind=error,resource=pods", ["500 Internal Server Error listing pods", "after 3 tries"]),
    ],
)
def test_each_failure_has_its_own_sentence(srv, fault, needles):
    srv.faults.add_fault(fault)
    line = one_sentence(run(srv, "-n", "prod", "--request-timeout", "10s")[0])
    for needle in needles:
        assert needle in line, line


# --- 2. logs: their own bound, one try, a warning with the reason --------------------------------


@cluster
@pytest.mark.parametrize(
    "fault,needle",
    [
        ("kind=slow,resource=log,delay=60", "the kubelet on node n1 did not send it within 2s"),
        ("kind=trickle,resource=log,delay=1", "the kubelet on node n1 did not send it within 2s"),
        ("kind=error,resource=log", "the kubelet on node n1 did not answer"),
        ("kind=html,resource=log", "HTML page"),
        ("kind=notfound,resource=log", "the pod is gone"),
    ],
)
def test_a_log_that_cannot_be_read_is_a_warning_and_the_diagnosis_stands(srv, fault, needle):
    srv.faults.add_fault(fault)
    proc, took = run(srv, "pod", "api-1", "-n", "prod", "--request-timeout", "2s", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    (item,) = json.loads(proc.stdout)["items"]
    assert item["findings"][0]["cause"] == "app_error"
    assert took < 2 + MARGIN, took
    logs = [r for r in srv.requests if r["path"].endswith("/log")]
    assert len(logs) <= 1  # one try (a stalled one is logged when the server gives up)


@cluster
def test_a_log_read_has_its_own_short_bound_without_the_flag(srv):
    srv.faults.add_fault("kind=slow,resource=log,delay=60")
    proc, took = run(srv, "pod", "api-1", "-n", "prod")
    assert proc.returncode == 0, proc.stderr
    assert "did not send it within 10s" in proc.stdout and "api-1" in proc.stdout
    assert took < 10 + MARGIN, took


@cluster
def test_a_sweep_asks_a_silent_kubelet_once(srv):
    srv.apply(pod("job-1", "prod", statuses=[status(last=terminated(2), restarts=1)]))
    try:
        srv.faults.add_fault("kind=slow,resource=log,delay=60")
        proc, took = run(srv, "-n", "prod", "--request-timeout", "2s")
    finally:
        srv.delete("Pod", "prod", "job-1")
    assert proc.returncode == 0, proc.stderr
    assert "2 of 2 logs could not be read" in proc.stderr and "node n1" in proc.stderr
    assert took < 2 + MARGIN, took
    assert len([r for r in srv.requests if r["path"].endswith("/log")]) <= 2


@cluster
def test_ctrl_c_while_a_sweep_waits_for_logs_ends_it_at_once(srv):
    """A sweep waiting for slow logs is not held by them: an interrupt ends it at once."""
    import signal

    slow = srv.faults.add_fault("kind=slow,resource=log,delay=30")
    env = {**os.environ, "KUBECONFIG": str(srv.kubeconfig), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubectl_exitwhy", "-n", "prod"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not slow.hits:
        time.sleep(0.05)
    assert slow.hits, "no log was asked for"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.endswith("error: interrupted\n") and out == ""
    assert time.monotonic() - started < MARGIN


# --- 3. paging that must end -------------------------------------------------------------------


@pytest.fixture(scope="module")
def paged():
    from localapi import LocalAPIServer

    with LocalAPIServer(generate=1200, seed=3) as srv:
        yield srv


def _read_all(srv, timeout=None):
    from kubectl_exitwhy.sources.cluster import ClusterSource

    warnings: list[str] = []
    source = ClusterSource(
        kubeconfig=str(srv.kubeconfig), request_timeout=timeout, warn=warnings.append
    )
    srv.requests.clear()
    items = [p for page in source.pages("/api/v1/pods", {}, "listing pods") for p in page]
    return items, warnings


@cluster
@pytest.mark.parametrize(
    "kind,needle",
    [
        ("cycle", "it sent a continue token it had sent before"),
        ("newtoken", "it sent the same items again"),
        ("expired", "expired (410 Gone) again"),
    ],
)
def test_a_list_that_would_not_end_is_ended_and_said(paged, kind, needle):
    expected = {p["metadata"]["uid"] for p in _read_all(paged)[0]}
    assert len(expected) == 1200
    paged.faults.add_fault(f"kind={kind},resource=pods")
    started = time.monotonic()
    try:
        items, warnings = _read_all(paged, timeout=5)
    finally:
        paged.faults.clear()
    assert time.monotonic() - started < 5 + MARGIN
    assert len(warnings) == 1 + (kind == "expired") and needle in warnings[-1], warnings
    assert "the diagnosis uses what was read" in warnings[-1]
    got = {p["metadata"]["uid"] for p in items}
    assert got <= expected and len(got) >= 500  # what was read is kept
    assert len(paged.requests) <= 8


@cluster
def test_a_sweep_with_circling_pages_diagnoses_what_it_read_and_exits_4(srv):
    """Pods were never read: the diagnosis of those that were is printed, and the exit status
    (4, with one sentence) says the run is not whole, for -o json's reader too."""
    srv.faults.add_fault("kind=cycle,resource=pods")
    proc, took = run(srv, "-n", "prod", "-o", "json", "--request-timeout", "5s")
    assert proc.returncode == 4, proc.stderr
    assert "listing pods in namespace prod stopped after" in proc.stderr
    assert {i["pod"] for i in json.loads(proc.stdout)["items"]} == {"api-1", "web-1"}
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the pods in namespace prod were not all read: the list ")
    assert took < 5 + MARGIN


@cluster
def test_a_sweep_whose_events_list_circles_is_whole_and_exits_0(srv):
    """Events cut short make diagnoses less certain (a warning); every pod was read."""
    srv.faults.add_fault("kind=cycle,resource=events")
    proc, _ = run(srv, "-n", "prod", "-o", "json", "--request-timeout", "5s")
    assert proc.returncode == 0, proc.stderr
    assert "listing events in namespace prod stopped after" in proc.stderr
    assert "error:" not in proc.stderr


class _Pages:
    """A reader whose pages come from a function: ``page(number, token) -> dict``."""

    timeout = None

    def __init__(self, page) -> None:
        self.page, self.calls, self.warnings = page, 0, []
        self.list_versions: dict[str, str] = {}

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def timeout_parameter(self):
        return None

    def get(self, path, query, what, accept=None, listing=False):
        self.calls += 1
        return self.page(self.calls, query.get("continue"))


def _items(start: int, n: int, uids: bool = True) -> list[dict]:
    return [{"metadata": {"uid": f"u{i}"} if uids else {}} for i in range(start, start + n)]


def _list(reader) -> list[dict]:
    from kubectl_exitwhy.sources import paging

    return [i for page in paging.pages(reader, "/x", {}, "listing things", None) for i in page]


def test_tokens_in_a_circle_end_the_list():
    tokens = {None: "A", "A": "B", "B": "A"}
    reader = _Pages(lambda n, t: {"metadata": {"continue": tokens[t]}, "items": _items(n * 10, 10)})
    assert len(_list(reader)) == 30 and reader.calls == 3
    assert "sent before" in reader.warnings[0] and "3 pages (30 items)" in reader.warnings[0]


def test_new_tokens_for_ever_end_where_the_first_page_said():
    def page(n, t):
        meta = {"continue": f"t{n}", **({"remainingItemCount": 600} if n == 1 else {})}
        return {"metadata": meta, "items": _items(n * 500, 500)}

    reader = _Pages(page)
    assert len(_list(reader)) == 5 * 500 and reader.calls == 5  # 1 + 2 announced + 2 spare
    assert "where its first page announced 1100 items" in reader.warnings[0]


def test_new_tokens_for_ever_without_a_count_or_uids_end_at_the_cap(monkeypatch):
    from kubectl_exitwhy.sources import paging

    monkeypatch.setattr(paging, "MAX_PAGES", 7)
    reader = _Pages(lambda n, t: {"metadata": {"continue": f"t{n}"}, "items": _items(0, 3, False)})
    assert len(_list(reader)) == 21 and reader.calls == 7
    assert "kept sending pages" in reader.warnings[0]


def test_an_absurd_announced_count_still_ends_the_list(monkeypatch):
    from kubectl_exitwhy.sources import paging

    monkeypatch.setattr(paging, "MAX_PAGES", 3)

    def page(n, t):
        meta = {"continue": f"t{n}", **({"remainingItemCount": 10**30} if n == 1 else {})}
        return {"metadata": meta, "items": _items(n * 2, 2)}

    reader = _Pages(page)
    assert len(_list(reader)) == 2 * 3 * paging.ANNOUNCED_PAGES
    assert "kept sending pages" in reader.warnings[0]


def test_the_same_items_again_end_the_list_without_asking_for_more():
    tokens = {None: "A", "A": "B", "B": ""}
    reader = _Pages(lambda n, t: {"metadata": {"continue": tokens[t]}, "items": _items(0, 4)})
    assert len(_list(reader)) == 4 and reader.calls == 2
    assert "sent the same items again" in reader.warnings[0]


def test_an_expired_list_starts_again_once():
    from kubectl_exitwhy.errors import Expired

    def page(n, t):
        if t and n < 5:
            raise Expired("the list listing things expired (410 Gone): too old")
        return {"metadata": {"continue": "" if t else "A"}, "items": _items(0 if not t else 5, 5)}

    reader = _Pages(page)
    assert len(_list(reader)) == 10
    assert len(reader.warnings) == 2 and "again after it was started anew" in reader.warnings[1]
    reader = _Pages(lambda n, t: page(n + 2, t))  # expires once, then completes
    assert len(_list(reader)) == 15 and len(reader.warnings) == 1


# --- 5. exec credential plugins ----------------------------------------------------------------


PLUGIN_OK = """import json, sys
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": sys.argv[1]}}))
"""
PLUGIN_HANGS = "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\ntime.sleep(60)\n"
PLUGIN_FAILS = (
    "import sys\nsys.stderr.write('\\x1b[31merror:\\x1b[0m token expired\\r\\n"
    "run: aws sso login\\x07\\n')\nsys.exit(3)\n"
)


def _exec_kubeconfig(srv, tmp_path: Path, script: str) -> str:
    plugin = tmp_path / "plugin.py"
    plugin.write_text(script)
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {
                    "server": srv.url,
                    "certificate-authority-data": base64.b64encode(srv.ca_pem).decode(),
                },
            }
        ],
        "users": [
            {
                "name": "u",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": sys.executable,
                        "args": [str(plugin), srv.token],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "prod"}}],
        "current-context": "x",
    }
    path = tmp_path / "kubeconfig.json"
    path.write_text(json.dumps(config))
    return str(path)


@cluster
def test_exec_plugins_that_work_hang_or_fail(srv, tmp_path):
    ok = _exec_kubeconfig(srv, tmp_path, PLUGIN_OK)
    proc, _ = run(srv, "-o", "json", kubeconfig=ok)
    assert proc.returncode == 0 and len(json.loads(proc.stdout)["items"]) == 2, proc.stderr

    hangs = _exec_kubeconfig(srv, tmp_path, PLUGIN_HANGS)
    proc, took = run(srv, "--request-timeout", "2s", kubeconfig=hangs)
    line = one_sentence(proc)
    assert "credential plugin" in line and "plugin.py did not finish within 2s" in line
    assert took < 2 + MARGIN, took

    fails = _exec_kubeconfig(srv, tmp_path, PLUGIN_FAILS)
    line = one_sentence(run(srv, kubeconfig=fails)[0])
    assert "the credential plugin" in line and "failed (exit 3)" in line
    assert "error: token expired run: aws sso login" in line and "\x07" not in line


# --- the local API server's network faults, on the wire ----------------------------------------


@cluster
def test_localapi_network_faults_on_the_wire(srv):
    srv.faults.add_fault("kind=html,resource=nodes")
    code, headers, body = srv.request("GET", "/api/v1/nodes")
    assert code == 200 and headers["content-type"].startswith("text/html") and b"<title>" in body
    srv.faults.clear()
    srv.faults.add_fault("kind=redirect,resource=nodes")
    code, headers, _ = srv.request("GET", "/api/v1/nodes")
    assert code == 302 and headers["location"].startswith("https://sso.login.example.com/")
    srv.faults.clear()
    srv.faults.add_fault("kind=reset,resource=nodes")
    with pytest.raises(ConnectionError):
        srv.request("GET", "/api/v1/nodes")
    srv.faults.clear()
    srv.faults.add_fault("kind=trickle,resource=nodes,delay=0.01")
    started = time.monotonic()
    code, _, body = srv.request("GET", "/api/v1/nodes")
    assert code == 200 and json.loads(body)["kind"] == "NodeList"  # whole, only slow
    assert time.monotonic() - started > 0.01 * len(body) * 0.5


@cluster
def test_localapi_continue_tokens_in_a_circle(paged):
    def tokens(kind: str, pages: int) -> list[str]:
        paged.faults.add_fault(f"kind={kind},resource=pods")
        try:
            found, token = [], ""
            for _ in range(pages):
                query = f"?limit=500&continue={token}" if token else "?limit=500"
                _, _, body = paged.request("GET", "/api/v1/pods" + query)
                token = json.loads(body)["metadata"]["continue"]
                found.append(token)
            return found
        finally:
            paged.faults.clear()

    a, b, c, d = tokens("cycle", 4)  # 1200 pods: pages of 500, 500, 200, then page 2 again
    assert c == a and d == b and a != b
    assert len(set(tokens("newtoken", 5))) == 5


@cluster
@pytest.mark.parametrize(
    "server_url,needle",
    [("https://127.0.0.1:1", "connection refused"),
     ("https://no-such-host.invalid:6443", "does not resolve")],
)  # fmt: skip
def test_a_refused_or_unknown_server_is_named_as_such_not_a_timeout(srv, server_url, needle):
    proc, took = run(srv, "-A", f"--server={server_url}")
    line = one_sentence(proc)
    assert needle in line and "timed out" not in line, line
