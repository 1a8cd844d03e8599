"""The benchmark harness (``make bench``, issue: fast on big clusters) runs end to end.

``bench/run.py --quick`` starts the local API server with 2,000 pods in its own process, runs
every measured command a couple of times through the real kubectl, and writes a results file:
this checks that the file holds every measurement with real samples and that the printed
ratios are the ones the samples give. It asserts nothing about speed: benchmarks are not tests.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"

OFFLINE = ("exitwhy_code_137", "exitwhy_code_137_direct", "noop_plugin", "python_pass")
CLUSTER = (
    "exitwhy_all_json",
    "exitwhy_all_json_plain",
    "exitwhy_all_table",
    "exitwhy_all_by_pod",
    "kubectl_get_all_json",
    "kubectl_get_all_table",
    "raw_floor",
    "exitwhy_pod",
    "kubectl_get_pod_json",
)
# ratio id -> (numerator, denominator or None for an absolute peak RSS in MB)
RATIOS = {
    "all_wall": ("exitwhy_all_json", "kubectl_get_all_json"),
    "all_rss_mb": ("exitwhy_all_json", None),
    "pod_wall": ("exitwhy_pod", "kubectl_get_pod_json"),
    "grouping": ("exitwhy_all_table", "exitwhy_all_by_pod"),
    "all_vs_floor": ("exitwhy_all_json", "raw_floor"),
    "all_vs_table": ("exitwhy_all_json", "kubectl_get_all_table"),
    "floor_vs_get_json": ("raw_floor", "kubectl_get_all_json"),
    "code_wall": ("exitwhy_code_137", "python_pass"),
    "code_direct": ("exitwhy_code_137_direct", "python_pass"),
    "noop_plugin": ("noop_plugin", "python_pass"),
}
TARGETS = {
    "all_wall": 0.15,
    "all_rss_mb": 250.0,
    "pod_wall": 8.0,
    "code_wall": 4.0,
    "grouping": 1.10,
}


def _env() -> dict[str, str]:
    """The suite's interpreter's bin directory first on PATH (the venv's, under make test)."""
    env = {**os.environ}
    env.pop("KUBECONFIG", None)
    here = Path(sys.executable).parent
    if (here / "kubectl-exitwhy").exists():
        env["PATH"] = os.pathsep.join([str(here), env.get("PATH", "")])
    return env


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    env = _env()
    if not shutil.which("kubectl", path=env["PATH"]):
        pytest.skip("the real kubectl is not on PATH")
    if not shutil.which("kubectl-exitwhy", path=env["PATH"]):
        pytest.fail("kubectl-exitwhy is not installed: run the suite with `make test`")
    out = tmp_path_factory.mktemp("bench") / "results.json"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    results = json.loads(out.read_text()) if out.exists() else None
    return proc, results, elapsed


def _check_samples(mid: str, m: dict, planned: int) -> None:
    assert m["error"] is None, f"{mid}: {m['error']}"
    samples = m["samples"]
    assert len(samples) == planned, mid
    for s in samples:
        assert s["status"] == 0, mid
        assert s["wall_s"] > 0, mid
        assert s["maxrss_kb"] > 0, mid
    walls = [s["wall_s"] for s in samples]
    assert m["median_wall_s"] == pytest.approx(statistics.median(walls), abs=1e-6), mid
    assert m["min_wall_s"] <= m["median_wall_s"] <= m["max_wall_s"], mid
    peak = max(s["maxrss_kb"] for s in samples) * 1024 / 1e6
    assert m["peak_rss_mb"] == pytest.approx(peak, abs=0.05), mid


def _median(m: dict) -> float:
    return statistics.median(s["wall_s"] for s in m["samples"])


def test_quick_run_exits_zero_within_a_minute(quick):
    proc, results, elapsed = quick
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert elapsed < 60
    assert results is not None and results["ok"] is True and results["errors"] == []
    assert results["schema"] == "exitwhy-bench/v1"
    assert results["plan"]["quick"] is True
    assert results["plan"]["sizes"] == [2000]


def test_every_measurement_has_positive_samples(quick):
    _, results, _ = quick
    plan = results["plan"]
    offline = results["offline"]["measurements"]
    assert set(offline) == set(OFFLINE)
    for mid in OFFLINE:
        _check_samples(mid, offline[mid], plan["short_runs"])
    [size] = results["sizes"]
    assert size["pods"] == 2000
    ms = size["measurements"]
    assert set(ms) == set(CLUSTER)
    planned = {
        "exitwhy_all_json": plan["runs"]["2000"],
        "exitwhy_all_json_plain": plan["runs"]["2000"],
        "exitwhy_all_table": plan["runs"]["2000"],
        "exitwhy_all_by_pod": plan["runs"]["2000"],
        "raw_floor": plan["runs"]["2000"],
        "kubectl_get_all_json": plan["kubectl_runs"]["2000"],
        "kubectl_get_all_table": plan["kubectl_runs"]["2000"],
        "exitwhy_pod": plan["short_runs"],
        "kubectl_get_pod_json": plan["short_runs"],
    }
    for mid in CLUSTER:
        _check_samples(mid, ms[mid], planned[mid])


def test_outputs_were_checked(quick):
    _, results, _ = quick
    [size] = results["sizes"]
    ms = size["measurements"]
    for s in ms["exitwhy_all_json"]["samples"]:
        assert s["items"] > 0  # a DiagnosisList with items, parsed after every run
    assert {s["items"] for s in ms["raw_floor"]["samples"]} == {2000}
    pod = size["pod"]
    assert pod["name"] and pod["namespace"] and pod["reason"]
    assert pod["name"] in ms["exitwhy_pod"]["argv"]
    assert pod["name"] in ms["kubectl_get_pod_json"]["argv"]
    # the request log of the first run of each command against the server
    assert ms["raw_floor"]["requests"]["by_path"]["GET /api/v1/pods"]["limits"] == ["500"]
    assert ms["exitwhy_all_json"]["requests"]["requests"] > 0
    # gzip as kubectl asks for it, and the same sweep without (EXITWHY_NO_GZIP=1)
    packed, plain = ms["exitwhy_all_json"]["requests"], ms["exitwhy_all_json_plain"]["requests"]
    assert packed["gzipped"] > 0 and plain["gzipped"] == 0
    assert packed["bytes"] * 4 < plain["bytes"] == plain["raw_bytes"]


def test_ratios_are_computed_from_the_samples(quick):
    proc, results, _ = quick
    [size] = results["sizes"]
    sources = {**results["offline"]["measurements"], **size["measurements"]}
    ratios = {r["id"]: r for r in results["ratios"]}
    assert set(ratios) == set(RATIOS)
    for rid, (num, den) in RATIOS.items():
        r = ratios[rid]
        if den is None:
            expected = max(s["maxrss_kb"] for s in sources[num]["samples"]) * 1024 / 1e6
        else:
            expected = _median(sources[num]) / _median(sources[den])
        assert r["value"] == pytest.approx(expected, rel=1e-9), rid
        assert r["target"] == TARGETS.get(rid), rid
    # the -A targets are set for 50,000 pods: a 2,000-pod run reports them without a verdict
    assert ratios["all_wall"]["pass"] is None and ratios["all_rss_mb"]["pass"] is None
    for rid in ("pod_wall", "code_wall"):
        assert ratios[rid]["pass"] is (ratios[rid]["value"] <= TARGETS[rid])
    assert "ratios" in proc.stdout
    assert f"{ratios['pod_wall']['value']:.3f}" in proc.stdout
    assert f"{ratios['code_wall']['value']:.3f}" in proc.stdout
