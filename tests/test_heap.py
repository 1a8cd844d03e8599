"""A sweep keeps malloc to one arena (``heap.one_arena``) on glibc: its page threads used to
allocate in arenas of their own, and the pages' bodies were mapped, freed and faulted in again
page after page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kubectl_exitwhy import heap

glibc = pytest.mark.skipif(not heap._glibc(), reason="malloc arenas are glibc's")

# run a sweep in a fresh process, then have glibc print its arenas (malloc_stats, on stderr)
SWEEP_THEN_STATS = """
import ctypes, sys
from kubectl_exitwhy.cli import main
sys.argv = ["kubectl-exitwhy", "-A", "-o", "json"]
try:
    main()
except SystemExit as end:
    assert end.code in (0, 1, None), end.code
sys.stdout.flush()
sys.stderr.write("--- arenas\\n")
sys.stderr.flush()
ctypes.CDLL(None).malloc_stats()
"""


@pytest.fixture(scope="module")
def cluster():
    from localapi import LocalAPIServer

    with LocalAPIServer(generate=3000, seed=3) as srv:
        yield srv


def _arenas(cluster, **env: str) -> int:
    base = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    proc = subprocess.run(
        [sys.executable, "-c", SWEEP_THEN_STATS],
        capture_output=True,
        text=True,
        env={**base, "KUBECONFIG": str(cluster.kubeconfig), **env},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    stats = proc.stderr.split("--- arenas\n", 1)[1]
    return sum(line.startswith("Arena ") for line in stats.splitlines())


@glibc
@pytest.mark.cluster
@pytest.mark.parametrize("path", ["fast", "typer"])
def test_a_sweep_allocates_in_one_arena(cluster, path):
    env = {"EXITWHY_NO_FAST_PATH": "1"} if path == "typer" else {}
    assert _arenas(cluster, **env) == 1


@glibc
@pytest.mark.cluster
def test_without_the_limit_the_same_sweep_spreads_over_arenas(cluster):
    """The control: what the limit prevents happens on this cluster (the user's own setting
    is left alone, so MALLOC_ARENA_MAX=8 turns the limit off)."""
    assert _arenas(cluster, MALLOC_ARENA_MAX="8") > 1


@glibc
def test_the_limit_is_taken_on_glibc():
    code = "from kubectl_exitwhy.heap import one_arena; print(one_arena())"
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "True", out.stderr


def test_a_users_own_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert heap.one_arena() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.check=0:glibc.malloc.arena_max=8")
    assert heap.one_arena() is False


def test_a_python_without_ctypes_sweeps_all_the_same(monkeypatch):
    """A Python built without libffi has no ctypes: nothing is set, nothing is raised."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(heap, "_glibc", lambda: True)
    monkeypatch.setitem(sys.modules, "ctypes", None)  # import ctypes raises ImportError
    assert heap.one_arena() is False


def test_elsewhere_than_glibc_nothing_is_set(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(heap, "_glibc", lambda: False)
    assert heap.one_arena() is False
