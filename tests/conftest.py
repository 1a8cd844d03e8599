from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # builders
sys.path.insert(0, str(ROOT))  # localapi


class Run:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.status = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def exitwhy():
    """Run the plugin as a user would (a fresh process), with colour off."""

    def run(*args: str, stdin: str | None = None, env: dict | None = None) -> Run:
        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "kubectl_exitwhy", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )
        return Run(proc)

    return run


@pytest.fixture
def saved(tmp_path):
    """Write objects as saved `kubectl get -o json` output; return the path."""

    def write(*objects: dict, name: str = "saved.json") -> str:
        from builders import as_list

        path = tmp_path / name
        path.write_text(json.dumps(as_list(*objects)))
        return str(path)

    return write
