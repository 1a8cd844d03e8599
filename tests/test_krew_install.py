"""Install the release archive as krew does and run it through the real kubectl, on a PATH that
holds no Python environment of the project (issue 5, "Install with krew").

krew (internal/installation): verify the archive's sha256 against the manifest, unpack it (only
directories and regular files), move what each ``files`` rule matches into
``$KREW_ROOT/store/<name>/<version>/``, and symlink ``$KREW_ROOT/bin/kubectl-<name>`` to the
platform's ``bin``; the user puts ``$KREW_ROOT/bin`` on PATH, and kubectl finds the plugin there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from test_dist import build_dist, krew_unpack, selector_matches

import kubectl_exitwhy

pytestmark = [
    pytest.mark.dist,
    pytest.mark.cluster,
    pytest.mark.skipif(sys.platform == "win32", reason="krew links the plugin with a symlink"),
]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kubectl() -> Path:
    found = shutil.which("kubectl")
    if not found:
        pytest.fail("kubectl is not on PATH: the krew install test runs the real kubectl")
    return Path(os.path.realpath(found))


@pytest.fixture(scope="module")
def krew_root(tmp_path_factory) -> Path:
    """A krew root with exitwhy installed from this machine's archive and dist's manifest."""
    built = tmp_path_factory.mktemp("dist")
    archive = build_dist.ensure_archive(built)
    manifest = yaml.safe_load((built / "exitwhy.yaml").read_text())
    name, version = manifest["metadata"]["name"], manifest["spec"]["version"]
    assert version == "v" + kubectl_exitwhy.__version__
    labels = {"os": build_dist.goos(), "arch": build_dist.goarch()}
    platforms = manifest["spec"]["platforms"]
    (platform,) = [p for p in platforms if selector_matches(p["selector"], labels)]
    assert platform["uri"].endswith("/" + archive.name)
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == platform["sha256"], (
        "krew refuses an archive whose sha256 differs from the manifest's"
    )

    root = tmp_path_factory.mktemp("krew")
    staging = root / "tmp" / "exitwhy-staging"
    krew_unpack(archive, staging)
    install = root / "store" / name / version
    install.mkdir(parents=True)
    for rule in platform.get("files") or [{"from": "*", "to": "."}]:
        matches = sorted(staging.glob(rule["from"]))
        assert matches, f"files: {rule['from']!r} matches nothing"
        dest = install / rule["to"]
        dest.mkdir(parents=True, exist_ok=True)
        for m in matches:
            shutil.move(str(m), str(dest / m.name))
    shutil.rmtree(root / "tmp")
    (root / "bin").mkdir()
    link = root / "bin" / ("kubectl-" + name.replace("-", "_"))
    link.symlink_to(install / platform["bin"])
    (root / "receipts").mkdir()
    (root / "receipts" / f"{name}.yaml").write_text(yaml.safe_dump(manifest))
    return root


@pytest.fixture(scope="module")
def env(krew_root, kubectl, tmp_path_factory) -> Dict[str, str]:
    """kubectl's environment: the krew bin, the real kubectl's directory, /usr/bin and /bin."""
    home = tmp_path_factory.mktemp("home")
    path = os.pathsep.join([str(krew_root / "bin"), str(kubectl.parent), "/usr/bin", "/bin"])
    return {"PATH": path, "HOME": str(home), "NO_COLOR": "1", "LANG": "C.UTF-8"}


def run(args: List[str], env: Dict[str, str], cwd: Path, **extra: str):
    return subprocess.run(args, capture_output=True, text=True, env={**env, **extra}, cwd=cwd,
                          timeout=120)  # fmt: skip


def test_path_holds_no_python_environment_of_the_project(env, krew_root, tmp_path):
    assert not {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"} & set(env)
    found = []
    for d in env["PATH"].split(os.pathsep):
        candidate = Path(d) / "kubectl-exitwhy"
        if candidate.exists():
            found.append(candidate)
        for python in sorted(Path(d).glob("python*")):
            if not re.fullmatch(r"python(\d(\.\d+)?)?", python.name):
                continue
            proc = run([str(python), "-c", "import kubectl_exitwhy"], env, tmp_path)
            assert proc.returncode != 0, f"{python} can import the package: not a clean PATH"
    assert found == [krew_root / "bin" / "kubectl-exitwhy"], "only the krew-installed plugin"
    assert (krew_root / "bin" / "kubectl-exitwhy").is_symlink()


def test_kubectl_lists_the_plugin(env, krew_root, tmp_path):
    proc = run(["kubectl", "plugin", "list"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert str(krew_root / "bin" / "kubectl-exitwhy") in proc.stdout.splitlines()
    assert "warning" not in proc.stderr.lower(), proc.stderr


def test_kubectl_exitwhy_code_137(env, tmp_path):
    proc = run(["kubectl", "exitwhy", "code", "137"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "SIGKILL" in proc.stdout
    assert proc.stderr == ""
    usage = run(["kubectl", "exitwhy", "--nonsense"], env, tmp_path)
    assert usage.returncode == 2 and usage.stderr.startswith("error:"), usage.stderr
    assert "Traceback" not in usage.stderr


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=REPO / "examples") as srv:
        yield srv


def test_kubectl_exitwhy_all_namespaces_against_the_local_api_server(env, server, tmp_path):
    kube = {"KUBECONFIG": str(server.kubeconfig)}
    listed = run(["kubectl", "get", "pods", "-A", "-o", "json"], env, tmp_path, **kube)
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["items"]
    served = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items}
    assert served, "the local API server serves no pods"

    table = run(["kubectl", "exitwhy", "-A", "--by", "pod"], env, tmp_path, **kube)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAMESPACE", "POD"]
    rows = [re.split(r"\s{2,}", ln.strip()) for ln in lines[1:] if ln.strip()]
    assert rows, "no finding in the examples"
    for namespace, pod, *_ in rows:  # names whole, as the server serves them
        assert (namespace, pod) in served, f"{namespace}/{pod} is not a pod the server serves"
    grouped = run(["kubectl", "exitwhy", "-A"], env, tmp_path, **kube)
    assert grouped.returncode == 0 and "WORKLOAD" in grouped.stdout, grouped.stderr

    # the frozen plugin and the package (the venv) see the same findings
    frozen = run(["kubectl", "exitwhy", "-A", "-o", "json"], env, tmp_path, **kube)
    package = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-A", "-o", "json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "KUBECONFIG": str(server.kubeconfig), "NO_COLOR": "1"},
    )  # fmt: skip
    assert frozen.returncode == package.returncode == 0, (frozen.stderr, package.stderr)

    def findings(doc: dict) -> list:
        return sorted((d["namespace"], d["pod"], f["container"] or "", f["cause"])
                      for d in doc["items"] for f in d["findings"])  # fmt: skip

    got = findings(json.loads(frozen.stdout))
    assert got == findings(json.loads(package.stdout))
    assert {(ns, pod) for ns, pod, _, _ in got} <= served
    assert len({pod for _, pod, _, _ in got}) >= 5
