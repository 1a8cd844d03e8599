"""`make demo`: the plugin through the real kubectl, against the bundled demo cluster.

Starts the project's local API server (``localapi``) with the ``examples/`` scenarios, points a
fresh kubeconfig at it, runs ``kubectl exitwhy -A`` and ``kubectl exitwhy pod …`` through
kubectl's plugin mechanism, and stops the server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("demo: kubectl is not on PATH", file=sys.stderr)
        return 1
    if shutil.which("kubectl-exitwhy") is None:
        print("demo: kubectl-exitwhy is not on PATH (run it through `make demo`)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="exitwhy-demo-") as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "localapi",
                "--data",
                str(ROOT / "examples"),
                "--kubeconfig",
                str(kubeconfig),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            ready = server.stdout.readline()
            if "serving" not in ready:
                print(f"demo: the local API server did not start: {ready.strip()}", file=sys.stderr)
                return 1
            print(f"# {ready.strip()}")
            env = {**os.environ, "KUBECONFIG": str(kubeconfig)}

            def kubectl_run(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
                if not capture:
                    print(f"\n$ kubectl {' '.join(args)}", flush=True)
                return subprocess.run([kubectl, *args], env=env, text=True, capture_output=capture)

            kubectl_run("exitwhy", "-A")
            listing = kubectl_run("exitwhy", "-A", "-o", "json", capture=True)
            items = json.loads(listing.stdout)["items"] if listing.returncode == 0 else []
            failing = [  # pods failing now because of one of their containers
                i
                for i in items
                if i["findings"]
                and i["findings"][0]["containerType"] != "pod"
                and i["findings"][0]["severity"] == "critical"
            ]
            # the classic first: an OOM kill, which `kubectl describe` shows as just 137
            failing.sort(key=lambda i: i["findings"][0]["cause"] != "oom_killed")
            worst = failing[0] if failing else None
            if worst:
                kubectl_run("exitwhy", "pod", worst["pod"], "-n", worst["namespace"])
            kubectl_run("exitwhy", "code", "137")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
