"""The pod view's fast path (podview.py: no typer, the kubernetes package loaded lean, the pod's
reads sent at once) prints the same bytes and exits with the same status as the typer path
(EXITWHY_NO_FAST_PATH=1), for every pod of the bundled examples and for the ways a run fails,
against the local API server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = shutil.which("kubectl")
# runs the plugin as its console script does, and notes at exit which heavy modules it loaded
WRAPPER = """\
import atexit, os, sys

def note():
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click", "pydantic")
                    or m == "kubernetes.client.api" or m.startswith("kubernetes.client.api"))
    with open(os.environ["EXITWHY_TEST_NOTE"], "w") as f:
        f.write("\\n".join(loaded))

atexit.register(note)
from kubectl_exitwhy.cli import main
main(sys.argv[1:])
"""


def example_pods() -> list[tuple[str, str]]:
    pods = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        doc = json.loads(path.read_text())
        for item in doc.get("items", []) if doc.get("kind") == "List" else []:
            if item.get("kind") == "Pod":
                meta = item["metadata"]
                pods.append((meta.get("namespace", "default"), meta["name"]))
    return pods


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        yield srv


@pytest.fixture
def faults(server):
    yield server.faults
    server.faults.clear()


class Ran:
    def __init__(self, proc: subprocess.CompletedProcess, loaded: list[str]) -> None:
        self.status, self.out, self.err, self.loaded = (
            proc.returncode,
            proc.stdout,
            proc.stderr,
            loaded,
        )

    def same_as(self, other: Ran) -> bool:
        return (self.status, self.out, self.err) == (other.status, other.out, other.err)


def run(server, tmp_path: Path, *args: str, fast: bool = True, env: dict | None = None) -> Ran:
    note = tmp_path / f"note-{os.getpid()}-{id(args)}-{fast}-{os.urandom(4).hex()}"
    full = {
        **os.environ,
        "KUBECONFIG": str(server.kubeconfig),
        "NO_COLOR": "1",
        "EXITWHY_TEST_NOTE": str(note),
        **(env or {}),
    }
    full.pop("EXITWHY_NO_FAST_PATH", None)
    if not fast:
        full["EXITWHY_NO_FAST_PATH"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )
    loaded = note.read_text().split() if note.exists() else ["(no note)"]
    return Ran(proc, loaded)


def both(server, tmp_path: Path, *args: str, env: dict | None = None) -> tuple[Ran, Ran]:
    fast = run(server, tmp_path, *args, env=env)
    typer = run(server, tmp_path, *args, fast=False, env=env)
    assert not fast.loaded, f"{args}: the fast path loaded {fast.loaded}"
    assert "typer" in typer.loaded, f"{args}: EXITWHY_NO_FAST_PATH=1 did not take typer"
    return fast, typer


def test_every_example_pod_is_the_same_through_both_paths(server, tmp_path):
    pods = example_pods()
    assert len(pods) >= 60

    def compare(pod: tuple[str, str]) -> str:
        ns, name = pod
        fast, typer = both(server, tmp_path, "pod", name, "-n", ns)
        if fast.same_as(typer):
            return ""
        return f"{ns}/{name}: {fast.status}/{typer.status}\n{fast.err}---\n{typer.err}"

    with ThreadPoolExecutor(max_workers=3) as pool:
        differ = [d for d in pool.map(compare, pods) if d]
    assert not differ, "\n\n".join(differ)


@pytest.mark.parametrize(
    "args",
    [
        ["pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod", "-o", "json"],
        ["pod/orders-api-5d8c7b9f6-w7zxq", "-nprod", "-o", "yaml"],
        ["-o=json", "po", "orders-api-5d8c7b9f6-w7zxq", "--namespace=prod", "--logs", "0"],
        ["pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod", "--fail-on", "info"],
        ["pod", "orders-api-5d8c7b9f6-w7zxq", "--context", "local-prod", "--request-timeout=5s"],
        ["pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod", "--as", "jane", "--as-group", "ops"],
        ["pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod", "--all", "-A=false", "-l", ""],
    ],
)
def test_flags_give_the_same_answer(server, tmp_path, args):
    fast, typer = both(server, tmp_path, *args)
    assert fast.same_as(typer), (fast.err, typer.err)
    assert fast.out


@pytest.mark.parametrize(
    "args,needle",
    [
        (["pod", "no-such-pod", "-n", "prod"], 'pod "no-such-pod" not found in namespace prod'),
        (["pod", "orders-api-5d8c7b9f6-w7zxx", "-n", "prod"], "did you mean"),
        (["pod", "x", "--kubeconfig", "/nonexistent/kubeconfig"], "does not exist"),
        (["pod", "x", "--context", "nope"], "context 'nope' is not in the kubeconfig"),
        (["pod", "x", "--context", "unreachable"], "cannot reach the API server"),
        (["pod", "x", "--context", "broken-tls"], "TLS"),
        (["pod", "x", "--context", "bad-token"], "401"),
        (["pod", "x", "--request-timeout", "soon"], "is not a duration"),
    ],
)
def test_errors_are_the_same_sentence(server, tmp_path, args, needle):
    fast, typer = both(server, tmp_path, *args)
    assert fast.same_as(typer), (fast.err, typer.err)
    assert fast.status in (2, 4) and fast.out == ""
    assert needle in fast.err and len(fast.err.strip().splitlines()) == 1, fast.err
    assert "Traceback" not in fast.err


def test_a_kubeconfig_that_is_not_yaml(server, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nclusters: [\n  - {name: x\n")
    fast, typer = both(server, tmp_path, "pod", "x", "--kubeconfig", str(broken))
    assert fast.same_as(typer) and fast.status == 4, (fast.err, typer.err)
    assert len(fast.err.strip().splitlines()) == 1 and "Traceback" not in fast.err


@pytest.mark.parametrize(
    "fault,status",
    [
        (("forbidden", "pods", "prod"), 4),  # the pod itself: the run fails
        (("forbidden", "events"), 0),  # the side reads: warnings
        (("forbidden", "nodes"), 0),
        (("forbidden", "log"), 0),
        (("forbidden", "replicasets"), 0),
        (("forbidden", "jobs"), 0),
        (("error", "events"), 0),
        (("notfound", "nodes"), 0),
    ],
)
def test_refusals_are_the_same(server, faults, tmp_path, fault, status):
    faults.set(*fault)
    for ns, name in (
        ("prod", "orders-api-5d8c7b9f6-w7zxq"),
        ("batch", "invoice-export-29919180-c5h2n"),
    ):
        fast, typer = both(server, tmp_path, "pod", name, "-n", ns)
        assert fast.same_as(typer), (fast.err, typer.err)
        assert fast.status == (status if len(fault) < 3 or fault[2] == ns else 0), fast.err
        assert "Traceback" not in fast.err


def test_the_fast_path_through_kubectl(server, tmp_path):
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    here = Path(sys.executable).parent
    plugin = here if (here / "kubectl-exitwhy").exists() else None
    if plugin is None:
        pytest.skip("kubectl-exitwhy is not installed beside this Python")
    env = {
        **os.environ,
        "PATH": f"{plugin}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(server.kubeconfig),
        "NO_COLOR": "1",
    }
    env.pop("EXITWHY_NO_FAST_PATH", None)
    argv = [KUBECTL, "exitwhy", "pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod"]
    fast = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    typer = subprocess.run(
        argv, capture_output=True, text=True, env={**env, "EXITWHY_NO_FAST_PATH": "1"}, timeout=120
    )
    assert fast.returncode == typer.returncode == 0, fast.stderr + typer.stderr
    assert (fast.stdout, fast.stderr) == (typer.stdout, typer.stderr)
    assert "liveness_probe_kill" in fast.stdout


def test_the_fast_path_loads_neither_typer_nor_the_generated_client(server, tmp_path):
    code = (
        "import sys\nfrom kubectl_exitwhy import cli\n"
        "try:\n    cli.main(['pod', 'orders-api-5d8c7b9f6-w7zxq', '-n', 'prod', '-o', 'json'])\n"
        "except SystemExit as done:\n    assert not done.code, done.code\n"
        # (requests: kubernetes < 37's REST layer imports it; 37's does not, nor does exitwhy)
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'pydantic',"
        " 'oauthlib', 'requests_oauthlib') or m.startswith('kubernetes.client.api')"
        " or m in ('kubernetes.watch', 'kubernetes.dynamic', 'kubernetes.client.models'))\n"
        "assert not heavy, heavy\n"
        "assert 'kubernetes.config.kube_config' in sys.modules  # the package's own loader\n"
    )
    proc = _python(server, code)
    assert json.loads(proc.stdout)["items"][0]["pod"] == "orders-api-5d8c7b9f6-w7zxq"


def _python(server, code: str) -> subprocess.CompletedProcess:
    """``python -c code`` on the fast path against ``server``; it must succeed."""
    env = {**os.environ, "KUBECONFIG": str(server.kubeconfig)}
    env.pop("EXITWHY_NO_FAST_PATH", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_the_pod_and_its_reads_go_out_together(server, tmp_path):
    """Every read the pod view makes is sent once, and no read is sent that it does not make."""
    server.requests.clear()
    fast = run(server, tmp_path, "pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod")
    sent_fast = sorted((r["path"], sorted(r["query"].items())) for r in server.requests)
    server.requests.clear()
    typer = run(server, tmp_path, "pod", "orders-api-5d8c7b9f6-w7zxq", "-n", "prod", fast=False)
    sent_typer = sorted((r["path"], sorted(r["query"].items())) for r in server.requests)
    assert fast.same_as(typer)
    assert sent_fast == sent_typer and len(sent_fast) >= 4


def test_the_pod_is_asked_for_before_the_rest_of_the_pod_view_is_loaded(server):
    """Connected, the fast path sends the pod's GET at once: its answer travels while
    cluster.py, the evidence and the engine are loaded."""
    code = (
        "import sys\n"
        "from kubectl_exitwhy.sources import prefetch\n"
        "order = []\n"
        "init = prefetch._Pending.__init__\n"
        "def noted(self, get, args, kwargs, limit):\n"
        "    order.append(('sent', args[0]))\n"
        "    init(self, get, args, kwargs, limit)\n"
        "prefetch._Pending.__init__ = noted\n"
        "class Finder:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'kubectl_exitwhy.sources.cluster':\n"
        "            order.append(('loaded', name))\n"
        "sys.meta_path.insert(0, Finder())\n"
        "from kubectl_exitwhy import cli\n"
        "try:\n    cli.main(['pod', 'orders-api-5d8c7b9f6-w7zxq', '-n', 'prod', '-o', 'json'])\n"
        "except SystemExit as done:\n    assert not done.code, done.code\n"
        "sys.stderr.write(repr(order[:2]))\n"
    )
    proc = _python(server, code)
    pod = "/api/v1/namespaces/prod/pods/orders-api-5d8c7b9f6-w7zxq"
    assert proc.stderr == repr([("sent", pod), ("loaded", "kubectl_exitwhy.sources.cluster")])


# --- the sweep's fast path (sweepview.py): every sweep that does not watch ---------------------


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-A"],
        ["-A", "-o", "json"],
        ["-A", "-o", "yaml", "--all"],
        ["-A", "-o", "wide"],
        ["-A", "--by", "pod", "--fail-on", "warning"],
        ["-n", "prod", "--fail-on=critical", "--logs", "0"],
        ["-nprod", "-l", "app", "-ojson"],
        ["--namespace=no-such-namespace"],
        ["deploy/orders-api", "-n", "prod"],
        ["deploy/gone", "-n", "prod"],
        ["node/no-such-node"],
        ["-A", "-f", "examples/memory-settings.json", "-o", "json"],
        ["-f", "examples/memory-settings.json", "--all"],
        ["-A", "--request-timeout=5s", "--as", "jane", "--no-fold"],
        ["-A", "--context", "unreachable"],
        ["-A", "--request-timeout", "soon"],
    ],
)
def test_sweeps_give_the_same_answer_through_both_paths(server, tmp_path, monkeypatch, args):
    """The sweep without typer prints the same bytes, warnings and errors, with the same exit
    status, as the typer command (EXITWHY_NO_FAST_PATH=1)."""
    monkeypatch.chdir(ROOT)  # the example files are named from the repository's root
    fast, typer = both(server, tmp_path, *args)
    assert fast.same_as(typer), (args, fast.status, typer.status, fast.err, typer.err)
    assert "Traceback" not in fast.err


def _started(server, args: list[str], fast: bool, **kw) -> subprocess.Popen:
    env = {**os.environ, "KUBECONFIG": str(server.kubeconfig), "NO_COLOR": "1"}
    env.pop("EXITWHY_NO_FAST_PATH", None)
    if not fast:
        env["EXITWHY_NO_FAST_PATH"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "kubectl_exitwhy", *args], env=env, cwd=ROOT, **kw
    )


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "typer"])
def test_ctrl_c_is_exit_130_with_one_sentence_on_both_paths(server, faults, fast):
    """Interrupted while it reads: 130 (128 + SIGINT, as a shell reports it), one sentence."""
    import signal
    import time

    faults.add_fault("kind=slow,resource=pods,delay=6")
    proc = _started(server, ["-A"], fast, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err == "error: interrupted\n" and out == ""


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "typer"])
def test_a_reader_that_goes_away_ends_the_run_quietly_on_both_paths(server, fast):
    """``-o json | head``: the reader has what it wanted; exit 0 and nothing on stderr (click,
    under typer, would take EPIPE for a failure: status 1)."""
    proc = _started(
        server,
        ["-A", "--all", "-o", "json"],
        fast,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b'{\n  "apiVe'
    proc.stdout.close()  # as head -c 10 does
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert b"Traceback" not in err and b"error" not in err
