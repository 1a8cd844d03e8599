"""`kubectl exitwhy completion bash` loads in bash and completes through the same program kubectl
runs (``kubectl_complete-exitwhy __complete``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_the_bash_script_loads_and_completes(tmp_path):
    script = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "completion", "bash"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    (tmp_path / "c.bash").write_text(script)
    # the program kubectl runs, as the installed console script would be on PATH
    shim = tmp_path / "kubectl_complete-exitwhy"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c "
                    "'from kubectl_exitwhy.completion import main; main()' \"$@\"\n")  # fmt: skip
    shim.chmod(0o755)
    probe = (
        f"source {tmp_path / 'c.bash'} && complete -p kubectl-exitwhy && "
        "COMP_WORDS=(kubectl-exitwhy co) COMP_CWORD=1 && { _kubectl_exitwhy; true; } && "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("complete ") and lines[0].endswith("kubectl-exitwhy")
    assert {"code", "completion"} <= set(lines[1:])
    assert Path(tmp_path / "c.bash").read_text().count("complete ") >= 1
