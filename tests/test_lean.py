"""The pieces of the pod view's fast path, without the local API server (the fast lane, on every
Python and kubernetes version the package claims): when it is taken, the kubernetes package
loaded lean (sources/lean.py), the client that replaces its ApiClient (sources/leanclient.py),
the reads sent ahead (sources/prefetch.py), and failures before any read, which must be the
typer path's sentence. Against the local API server: tests/test_fast_path.py."""

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
from test_kubeconfig import SHAPES as KUBECONFIG_SHAPES

import builders
from kubectl_exitwhy import grammar, podview
from kubectl_exitwhy.errors import ClusterError, Forbidden


@pytest.mark.parametrize(
    "argv,fast",
    [
        (["pod", "x"], True),
        (["pod/x", "-n", "prod", "-o", "json"], True),
        (["pod", "x", "-oyaml", "--fail-on", "warning", "--logs", "3", "--as", "me"], True),
        (["pod", "x", "-A=false", "-l", "", "-f", ""], True),
        (["pod", "x", "-o", "wide"], False),
        (["pod", "x", "-w"], False),
        (["pod", "x", "-A"], False),
        (["pod", "x", "-f", "saved.json"], False),
        (["pod", "x", "-l", "app=a"], False),
    ],
)
def test_when_the_fast_path_is_taken(monkeypatch, argv, fast):
    monkeypatch.delenv("EXITWHY_NO_FAST_PATH", raising=False)
    assert podview.fast(grammar.parse(argv)) is fast
    monkeypatch.setenv("EXITWHY_NO_FAST_PATH", "1")
    assert podview.fast(grammar.parse(argv)) is False


LEAN = """\
import sys
from kubectl_exitwhy.sources import lean
config, client_class, configuration = lean.load()
assert client_class.__name__ == "LeanClient" and config.kube_config.Configuration is configuration
heavy = [m for m in sys.modules if m.split(".")[0] in ("oauthlib", "requests_oauthlib", "pydantic")
         or m in ("kubernetes.client.api_client", "kubernetes.watch", "kubernetes.client.models")]
assert not heavy, heavy
# nothing is missing: the stand-ins and the packages complete themselves when used
kc = config.kube_config
assert kc.oauthlib.oauth2.rfc6749.errors.InvalidClientIdError.__name__ == "InvalidClientIdError"
assert kc.OAuth2Session(client_id="x").__class__.__name__ == "OAuth2Session"
assert kc.ApiClient(configuration=configuration()).__class__.__name__ == "ApiClient"
from kubernetes.client import ApiClient, CoreV1Api
assert CoreV1Api(ApiClient()).api_client is not None
import kubernetes
from kubernetes import watch
assert kubernetes.config is config and watch.Watch
print("ok")
"""


def test_the_package_loaded_lean_is_whole_when_used():
    proc = subprocess.run([sys.executable, "-c", LEAN], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "ok\n", proc.stderr


METADATA = """
import sys
from kubectl_exitwhy.sources import lean
assert lean.load() is not None
assert "importlib.metadata" not in sys.modules  # never loaded for the pod view
import urllib3
import urllib3.http2
assert urllib3.http2.version("urllib3") == urllib3.__version__  # the real answer, when asked
import importlib.metadata
assert importlib.metadata.version is not urllib3.http2.version  # the real module, in its place
assert issubclass(importlib.metadata.PackageNotFoundError, ModuleNotFoundError)
print("ok")
"""


def test_importlib_metadata_is_loaded_only_when_used():
    """urllib3 binds ``importlib.metadata.version`` for an HTTP/2 opt-in alone: the lean load
    gives it a stand-in that imports the real module when first used, as the real one answers."""
    proc = subprocess.run([sys.executable, "-c", METADATA], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "ok\n", proc.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        body = json.dumps({"kind": "Pod", "metadata": {"name": "x"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


CREDENTIAL = (
    '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",'
    ' "status": {"token": "s3cret"}}'
)
USERS = {
    "token": "{token: s3cret}",
    "exec plugin": "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: sh,"
    f" args: [-c, 'echo {json.dumps(CREDENTIAL)[1:-1]}']}}}}",
}


@pytest.fixture(params=list(USERS))
def recorder(request, tmp_path: Path) -> Iterator[tuple[list, Path]]:
    handler = type("Seen", (_Recorder,), {"seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    url = f"http://127.0.0.1:{server.server_address[1]}"
    kubeconfig.write_text(builders.kubeconfig(url, USERS[request.param]))
    yield handler.seen, kubeconfig
    server.shutdown()
    server.server_close()


def test_the_lean_client_sends_what_the_api_client_sends(recorder):
    """The same request line and headers, lean or not: the token (the kubeconfig's, or an exec
    plugin's), the user agent, impersonation, the query."""
    from kubectl_exitwhy.sources.cluster import ClusterSource

    seen, kubeconfig = recorder
    flags = {"as": "jane", "as_group": ["ops", "dev"]}
    query = {"fieldSelector": "involvedObject.name=a b,x=y", "limit": 500, "previous": "true"}
    for lean in (False, True):
        source = ClusterSource(kubeconfig=str(kubeconfig), flags=flags, lean=lean)
        assert source.get("/api/v1/namespaces/prod/pods/x", query, "getting pod x") == {
            "kind": "Pod",
            "metadata": {"name": "x"},
        }
        assert type(source.client).__name__ == ("LeanClient" if lean else "ApiClient")
        source.client.rest_client.pool_manager.clear()
    (plain_path, plain), (lean_path, lean_headers) = seen

    def decoded(path: str) -> tuple:
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(path)
        return parts.path, sorted(parse_qsl(parts.query))

    assert decoded(lean_path) == decoded(plain_path)
    assert decoded(lean_path)[1] == sorted((k, str(v)) for k, v in query.items())
    for name in ("authorization", "user-agent", "accept", "impersonate-user", "impersonate-group"):
        assert lean_headers.get(name) == plain.get(name), name
    assert lean_headers["authorization"] == "Bearer s3cret"
    assert lean_headers["user-agent"].startswith("kubectl-exitwhy/")


def _both(argv: list, env: dict) -> tuple:
    runs = []
    for switch in ("", "1"):
        full = {**os.environ, "NO_COLOR": "1", **env, "EXITWHY_NO_FAST_PATH": switch}
        proc = subprocess.run(
            [sys.executable, "-m", "kubectl_exitwhy", *argv],
            capture_output=True,
            text=True,
            env=full,
            timeout=60,
        )
        runs.append((proc.returncode, proc.stdout, proc.stderr))
    return runs[0], runs[1]


SHAPES = {
    **KUBECONFIG_SHAPES,  # every shape test_kubeconfig.py tries on a sweep
    "no such file": None,
    "no current context": "apiVersion: v1\nkind: Config\ncontexts: []\nclusters: []\n",
    "nothing listens": (
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
    ),
    "a failing credential plugin": (
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1,"
        " command: sh, args: [-c, 'echo token expired >&2; exit 3']}}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_a_failure_before_the_first_read_is_the_same_sentence(tmp_path, shape):
    path = tmp_path / "config"
    if SHAPES[shape] is not None:
        path.write_text(SHAPES[shape])
    env = {"KUBECONFIG": str(path), "HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": ""}
    fast, typer = _both(["pod", "x", "--request-timeout", "5s"], env)
    assert fast == typer
    assert fast[0] == 4 and fast[1] == "" and len(fast[2].strip().splitlines()) == 1, fast


def test_in_cluster_without_a_service_account_is_the_same_sentence(tmp_path):
    env = {
        "KUBECONFIG": "",
        "HOME": str(tmp_path),
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
    }
    fast, typer = _both(["pod", "x"], env)
    assert fast == typer and fast[0] == 4 and "in-cluster" in fast[2], fast


# --- the reads sent ahead -----------------------------------------------------------------------


class _Reader:
    """A reader whose GETs answer from a table, in threads like a ClusterSource's."""

    def __init__(self, answers: dict) -> None:
        self.answers, self.sent, self.said = answers, [], []
        self.timeout, self.list_versions = None, {}
        self.warn = self.said.append

    def get(self, path: str, query: Any = None, what: str = "", **kwargs: Any) -> Any:
        self.sent.append(path)
        answer = self.answers.get(path, {"items": []})
        if isinstance(answer, Exception):
            raise answer
        return answer

    def view(self) -> list:
        """What a pod view reads, one after the other: the object, then what it names."""
        obj = self.get("/pod")
        said = []
        for path in [f"/{obj.get('node', 'none')}", "/events", "/log"]:
            try:
                said.append(self.get(path, {"q": 1}, "reading", raw=path == "/log"))
            except ClusterError as err:
                self.warn(f"{path}: {err.message}")
        return said


def test_reads_sent_ahead_are_taken_in_the_order_they_are_asked():
    from kubectl_exitwhy.sources.prefetch import Ahead

    answers = {"/pod": {"node": "n1"}, "/n1": {"n": 1}, "/events": Forbidden("no"), "/log": b"x"}
    alone = _Reader(answers)
    expected = alone.view()
    reader = _Reader(answers)
    with Ahead(reader) as ahead:
        first = ahead.dry_run(lambda: reader.get("/pod"))
        ahead.send(first)
        obj = ahead.peek(first[0])
        ahead.send(ahead.dry_run(lambda: reader.view(), obj))
        assert reader.said == [] and sorted(reader.sent) == ["/events", "/log", "/n1", "/pod"]
        assert reader.view() == expected
    assert reader.said == alone.said == ["/events: no"]
    assert sorted(reader.sent) == sorted(alone.sent)  # nothing sent twice, nothing more
    assert "get" not in vars(reader)


def test_the_kubeconfig_read_by_libyaml_reads_as_before(tmp_path):
    """Same data; what libyaml refuses, the pure-Python parser refuses with its usual words."""
    import yaml

    from kubectl_exitwhy.sources.lean import _Yaml

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text(
        "apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://h:6443',"
        " certificate-authority-data: " + "QUJD" * 2000 + "}}]\n"
        "users:\n- name: u\n  user: {token: 'a: b', exp: 2026-01-01, on: yes, n: 0x1F}\n"
    )
    bad.write_text("apiVersion: v1\nclusters: [\n  - {name: x\n")
    fast = _Yaml(yaml)
    for path in (good, bad):
        outcomes = []
        for loader in (yaml, fast):
            with open(path) as f:
                try:
                    outcomes.append(loader.safe_load(f))
                except yaml.YAMLError as err:
                    outcomes.append(str(err))
        assert outcomes[0] == outcomes[1]
    assert fast.safe_load("a: 1") == {"a": 1} and fast.safe_dump({"a": 1}) == "a: 1\n"
    read, write = os.pipe()  # --kubeconfig <(...): a pipe is read once, the pure-Python way
    os.write(write, b"a: [1, 2]\n")
    os.close(write)
    with open(read) as pipe:
        assert fast.safe_load(pipe) == {"a": [1, 2]}


def test_reads_the_pod_names_go_out_while_meanwhile_runs():
    """What the pod names (its node, here) is sent as soon as the pod is in, not after
    ``meanwhile`` (the engine's imports): the pod view's second wave of reads overlaps them."""
    from kubectl_exitwhy.sources.prefetch import read_pod

    answers = {"/pod": {"node": "n1"}, "/n1": {"n": 1}, "/events": {"items": []}, "/log": b"x"}

    def view_from(reader: _Reader, obj: dict) -> list:  # as ClusterSource.pod_from
        named = [f"/{obj['node']}"] if "node" in obj else []
        return [obj, *(reader.get(p, {"q": 1}, "reading") for p in [*named, "/events"])]

    def pod_view(reader: _Reader) -> list:  # as ClusterSource.pod
        return view_from(reader, reader.get("/pod"))

    reader = _Reader(answers)
    reader.default_namespace = "default"  # type: ignore[attr-defined]
    reader.pod = lambda name, namespace: pod_view(reader)  # type: ignore[attr-defined]
    reader.pod_from = lambda obj, ns: view_from(reader, obj)  # type: ignore[attr-defined]
    seen: list[list[str]] = []

    def meanwhile() -> None:
        for _ in range(500):  # up to 5 s: the node's read must go out meanwhile
            if "/n1" in reader.sent:
                break
            threading.Event().wait(0.01)
        seen.append(list(reader.sent))

    said = read_pod(reader, "p", None, meanwhile=meanwhile)
    assert "/n1" in seen[0], seen
    assert said == pod_view(_Reader(answers))
    assert sorted(reader.sent) == ["/events", "/n1", "/pod"]  # each once
    assert reader.said == []


def test_the_pod_sent_early_is_the_call_the_pod_view_makes():
    """``send_pod`` sends the pod's GET before cluster.py is loaded: it must be the very call
    ``ClusterSource.pod`` makes (else the pod is read twice), and be taken, not sent again."""
    from kubectl_exitwhy.sources.cluster import ClusterSource
    from kubectl_exitwhy.sources.prefetch import Ahead, pod_call, read_pod, send_pod

    class Client:  # what ApiReader reads of a client before any GET
        compression_disabled = False

    source = ClusterSource(connection=(Client(), "team-a", "https://api.example:6443"))
    assert source.default_namespace == "team-a"
    for namespace in ("prod", None):
        with Ahead(source) as ahead:
            stand_in = {"metadata": {"name": "api-7d9c-x/y", "namespace": namespace}}
            first = ahead.dry_run(lambda ns=namespace: source.pod("api-7d9c-x/y", ns), stand_in)
        assert first[0] == pod_call("api-7d9c-x/y", namespace or "team-a")

    pod = builders.pod("web-1", "prod", owner=None, node="")
    sent: list[tuple] = []

    def get(path: str, query: Any = None, what: str = "", **kwargs: Any) -> Any:
        sent.append((path, query, what))
        if path.endswith("/pods/web-1"):
            return pod
        return {"items": [], "metadata": {}}

    source.get = get  # type: ignore[method-assign]
    early = send_pod(source, "web-1", "prod")
    evidence = read_pod(source, "web-1", "prod", sent=early)
    assert evidence.name == "web-1"
    assert [s for s in sent if s[0].endswith("/pods/web-1")] == [pod_call("web-1", "prod")[0]]


def test_the_fast_path_freezes_what_it_made(monkeypatch):
    """The pod view's process ends with it: what it made is frozen, so that neither the next
    collection nor the interpreter's last one at exit goes over it all again."""
    import gc

    monkeypatch.setattr(podview, "_run", lambda parsed, name: 3)
    gc.unfreeze()
    try:
        assert podview.run(grammar.parse(["pod", "x"]), "x") == 3
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_sweeps_fast_path_freezes_what_it_made(monkeypatch):
    """So does a sweep's: the interpreter's last collection would go over every pod it built."""
    import gc

    from kubectl_exitwhy import sweepview

    monkeypatch.setattr(sweepview, "_run", lambda parsed, target: 4)
    collecting = gc.isenabled()
    gc.unfreeze()
    try:
        assert sweepview.run(grammar.parse(["-A"]), None) == 4
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def test_reads_no_one_asked_for_are_let_end_before_the_run_does(monkeypatch):
    """A read sent ahead that the run never took (it failed first) is let end, for LINGER at
    most, before the pod view goes on to exit: a process that exits while a thread is inside
    OpenSSL can crash there (seen: the pod's TLS failure, its events' GET loading the CA
    store)."""
    import time

    from kubectl_exitwhy.sources import prefetch

    monkeypatch.setattr(prefetch, "LINGER", 0.5)
    ended: list[str] = []

    class Slow(_Reader):
        def get(self, path: str, query: Any = None, what: str = "", **kwargs: Any) -> Any:
            time.sleep({"/quick": 0.2, "/stuck": 5.0}.get(path, 0))
            ended.append(path)
            return {}

    reader = Slow({})
    started = time.monotonic()
    with prefetch.Ahead(reader) as ahead:
        ahead.send([(("/quick",), {})])
    assert ended == ["/quick"]  # waited for
    with prefetch.Ahead(reader) as ahead:
        ahead.send([(("/stuck",), {})])
    assert "/stuck" not in ended and time.monotonic() - started < 2.0  # but not for long
