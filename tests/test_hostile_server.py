"""A server that answers with valid JSON of the wrong shape or with values Python cannot hold:
every pod is accounted for (or the run exits non-zero with one sentence), and nothing crashes.
A plain HTTP server that sends, for each path, the body a test gives it; the plugin runs as
users run it, in its own process."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

import builders
from builders import pod, status, terminated

ROOT = Path(__file__).resolve().parent.parent
EMPTY = {"kind": "List", "metadata": {}, "items": []}


class _Answers(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: dict[str, Any] = {}  # path -> body, or (status, body[, headers])

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        answer = self.pages.get(path)
        if answer is None:  # a list nobody set: empty; an object nobody set: not found
            found = path.endswith("s") and path.count("/") % 2 == 1
            body = json.dumps(EMPTY).encode() if found else b'{"kind":"Status","code":404}'
            code, extra = (200 if found else 404), []
        else:
            code, body, *extra = answer if isinstance(answer, tuple) else (200, answer)
        self.send_response(code)
        for name, value in (extra[0] if extra else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def answering(tmp_path: Path) -> Iterator[tuple[type, Path]]:
    handler = type("Answers", (_Answers,), {"pages": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(builders.kubeconfig(f"http://127.0.0.1:{server.server_address[1]}"))
    yield handler, kubeconfig
    server.shutdown()
    server.server_close()


def run(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", *args, "--request-timeout", "10s"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def crashed(name: str, ns: str = "prod") -> dict:
    return pod(name, ns, statuses=[status("app", last=terminated(1, "Error"), restarts=4)])


PODS = "/api/v1/namespaces/prod/pods"


def test_a_page_whose_items_is_an_object_is_one_sentence_not_a_calm_nothing(answering):
    handler, kubeconfig = answering
    page = {"kind": "PodList", "metadata": {}, "items": {"a": crashed("a")}}
    handler.pages[PODS] = json.dumps(page).encode()
    proc = run(kubeconfig, "-n", "prod", "--all", "-o", "json")
    assert proc.returncode == 4 and proc.stdout == "", proc.stderr
    assert proc.stderr == (
        "error: the API server's answer listing pods in namespace prod is not a list: its "
        "items are an object\n"
    )


def test_entries_of_a_page_that_are_not_objects_are_counted_in_one_warning(answering):
    handler, kubeconfig = answering
    items = [crashed("a"), 5, "text", None, [crashed("b")]]
    handler.pages[PODS] = json.dumps({"kind": "PodList", "items": items}).encode()
    proc = run(kubeconfig, "-n", "prod", "--all", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert [i["pod"] for i in json.loads(proc.stdout)["items"]] == ["a"]
    assert (
        "warning: the API server's answer listing pods in namespace prod held 4 entries that "
        "are not objects; skipped\n"
    ) in proc.stderr


def test_a_lone_surrogate_in_a_name_from_the_server_is_read_as_a_replacement(answering):
    """The escape ``\\ud800`` decodes to half a pair, which no encoding can carry (a URL
    quoting it for the log read crashed): it reads as U+FFFD, as in a saved file."""
    handler, kubeconfig = answering
    page = json.dumps({"kind": "PodList", "items": [crashed("a-\ud800")]})
    assert "\\ud800" in page
    handler.pages[PODS] = page.encode()
    proc = run(kubeconfig, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert [i["pod"] for i in json.loads(proc.stdout)["items"]] == ["a-\ufffd"]


def test_an_integer_python_cannot_hold_is_read_not_called_cut_short(answering):
    handler, kubeconfig = answering
    page = json.dumps({"kind": "PodList", "items": [crashed("a")]})
    page = page.replace('"exitCode": 1', '"exitCode": ' + "9" * 5000)
    assert "9" * 5000 in page
    handler.pages[PODS] = page.encode()
    proc = run(kubeconfig, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert "cut short" not in proc.stderr and "Traceback" not in proc.stderr
    assert [i["pod"] for i in json.loads(proc.stdout)["items"]] == ["a"]


def test_an_event_whose_reason_is_a_list_does_not_crash_the_sweep(answering):
    handler, kubeconfig = answering
    handler.pages[PODS] = json.dumps({"kind": "PodList", "items": [crashed("a")]}).encode()
    event = {
        "involvedObject": {"kind": "Pod", "name": "a", "namespace": "prod"},
        "reason": ["BackOff"],
        "message": {"not": "text"},
    }
    events = {"kind": "EventList", "items": [event]}
    handler.pages["/api/v1/namespaces/prod/events"] = json.dumps(events).encode()
    proc = run(kubeconfig, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert [i["pod"] for i in json.loads(proc.stdout)["items"]] == ["a"]


def test_a_log_whose_node_is_gone_says_so_and_the_diagnosis_stands(answering):
    """The API server answers a log read 404 'nodes "n1" not found': the warning says the node
    is gone (not that no log is kept), and the pod is diagnosed all the same."""
    handler, kubeconfig = answering
    handler.pages[PODS + "/a"] = json.dumps(crashed("a")).encode()
    gone = {
        "kind": "Status",
        "code": 404,
        "reason": "NotFound",
        "message": 'nodes "n1" not found',
        "details": {"name": "n1", "kind": "nodes"},
    }
    handler.pages[PODS + "/a/log"] = (404, json.dumps(gone).encode())
    proc = run(kubeconfig, "pod", "a", "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert "its node n1 is gone (404)" in proc.stderr
    assert "no log is kept" not in proc.stderr
    (item,) = json.loads(proc.stdout)["items"]
    assert item["findings"][0]["cause"] == "app_error"


def test_without_the_flag_a_silent_server_is_given_up_on_at_the_default_deadline(
    tmp_path, monkeypatch
):
    """A server that takes the connection and never answers: without --request-timeout the
    request still ends, at the default deadline (60 s; 2 s here), with one sentence."""
    import socket
    import time

    from kubectl_exitwhy.errors import TimedOut
    from kubectl_exitwhy.sources import http as api
    from kubectl_exitwhy.sources.cluster import ClusterSource

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepted by the kernel, never read, never answered
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(builders.kubeconfig(f"http://127.0.0.1:{silent.getsockname()[1]}"))
    monkeypatch.setattr(api, "DEFAULT_TIMEOUT", 2.0)
    try:
        source = ClusterSource(kubeconfig=str(kubeconfig))
        started = time.monotonic()
        with pytest.raises(TimedOut) as err:
            source.get("/api/v1/namespaces/prod/pods", None, "listing pods")
        took = time.monotonic() - started
    finally:
        silent.close()
    assert took < 2.0 + 1.0
    assert "did not answer" in err.value.message and "\n" not in err.value.message


def test_a_503_asking_to_wait_1000s_is_not_obeyed_past_the_deadline(answering):
    """Retry-After on a 503 as on a 429: capped, counted against the deadline; a wait that
    cannot fit is one sentence, within --request-timeout."""
    import time

    handler, kubeconfig = answering
    unavailable = json.dumps({"kind": "Status", "code": 503, "message": "overloaded"}).encode()
    handler.pages[PODS] = (503, unavailable, {"Retry-After": "1000"})
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "NO_COLOR": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-n", "prod", "--request-timeout", "2s"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    took = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr
    assert took < 2 + 1.5, took
    (line,) = proc.stderr.splitlines()
    assert "503" in line and "1000s" in line, line


def _both_ways(kubeconfig: Path, *args: str) -> tuple[Any, Any]:
    """The run as it is, and with every page read plainly (no typed decode, no pre-filter)."""
    typed = run(kubeconfig, *args)
    os.environ["EXITWHY_PLAIN_DECODE"] = "1"
    try:
        plain = run(kubeconfig, *args)
    finally:
        del os.environ["EXITWHY_PLAIN_DECODE"]
    return typed, plain


def test_bytes_that_are_not_utf_8_in_a_pod_are_one_sentence_both_ways(answering):
    """The pre-filter splits a page without checking its text: a byte that is not UTF-8 must
    still be what it was, an answer that is not JSON (exit 4), not a traceback."""
    handler, kubeconfig = answering
    page = json.dumps({"kind": "PodList", "items": [crashed("a")]}).encode()
    handler.pages[PODS] = page.replace(b'"Error"', b'"Err\xffor"')
    typed, plain = _both_ways(kubeconfig, "-n", "prod", "-o", "json", "--logs", "0")
    assert typed.returncode == plain.returncode == 4, typed.stderr
    assert typed.stderr == plain.stderr and "Traceback" not in typed.stderr
    assert typed.stderr.startswith("error: the API server's answer listing pods") and (
        typed.stderr.count("\n") == 1
    )


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_a_pod_nested_too_deeply_is_one_sentence_both_ways(answering, depth):
    """Past the JSON reader's reach (which Python sets: 3.13 reads 2,000 levels, 3.11 does not),
    one sentence and exit 4, the same both ways; within it, the same answer both ways."""
    handler, kubeconfig = answering
    deep = crashed("a")
    deep["metadata"]["annotations"] = {"x": "MARK"}
    page = json.dumps({"kind": "PodList", "items": [deep]}).encode()
    handler.pages[PODS] = page.replace(b'"MARK"', b"[" * depth + b"]" * depth)
    typed, plain = _both_ways(kubeconfig, "-n", "prod", "-o", "json", "--logs", "0")
    assert (typed.returncode, typed.stdout, typed.stderr) == (
        plain.returncode,
        plain.stdout,
        plain.stderr,
    )
    too_deep = (
        "error: the API server's answer listing pods in namespace prod is nested too deeply to "
        "read (over ~1,000 levels)\n"
    )
    if depth > 10_000 or typed.returncode:
        assert (typed.returncode, typed.stderr) == (4, too_deep)
    else:
        assert [i["pod"] for i in json.loads(typed.stdout)["items"]] == ["a"]


def test_a_uid_sent_twice_in_a_page_is_counted_once_for_its_first_owner_both_ways(answering):
    """A broken pod, then a healthy pod with the same uid owned by another workload: the first
    is counted, whichever of the two the pre-filter leaves unbuilt."""
    handler, kubeconfig = answering
    first = crashed("a")
    healthy = pod("b", "prod", statuses=[status("app")])
    for doc, owner in ((first, "a"), (healthy, "b")):
        doc["metadata"]["uid"] = "same-uid"
        doc["metadata"]["ownerReferences"] = [
            {"kind": "StatefulSet", "name": owner, "controller": True}
        ]
    handler.pages[PODS] = json.dumps({"kind": "PodList", "items": [first, healthy]}).encode()
    typed, plain = _both_ways(kubeconfig, "-n", "prod", "-o", "json", "--logs", "0")
    assert typed.returncode == plain.returncode == 0, typed.stderr
    assert typed.stdout == plain.stdout
    (workload,) = json.loads(typed.stdout)["workloads"]
    assert (workload["name"], workload["pods"]) == ("a", 1)


def test_a_node_list_with_names_that_are_not_text_joins_the_others(answering):
    """Past 20 nodes the sweep lists them all and keeps those its pods run on: an entry whose
    name is a list or an object (no API server sends one) is passed over, not a crash, and the
    node it seems to name is still judged by its real entry."""
    handler, kubeconfig = answering
    pods = []
    for i in range(21):
        p = crashed(f"p{i}")
        p["spec"]["nodeName"] = f"n{i}"
        pods.append(p)
    handler.pages[PODS] = json.dumps({"kind": "PodList", "items": pods}).encode()
    odd = [{"metadata": {"name": ["n5"]}}, {"metadata": {"name": {"n5": 1}}}]
    nodes = [builders.node(f"n{i}", ready="False" if i == 5 else "True") for i in range(21)]
    listed = {"kind": "NodeList", "items": odd + nodes}
    handler.pages["/api/v1/nodes"] = json.dumps(listed).encode()
    proc = run(kubeconfig, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert sorted(i["pod"] for i in out["items"]) == sorted(f"p{i}" for i in range(21))
    assert [(n["node"], n["cause"], n["pods"]) for n in out["nodes"]] == [
        ("n5", "node_not_ready", ["prod/p5"])
    ]
    # its kubelet still reports (Ready False): the pod is affected, not lost with it
    assert out["nodes"][0]["summary"].endswith("; 1 pod on it affected")
