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
