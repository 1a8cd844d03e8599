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
# kubectl-exitwhy -f FILE -A -o json on generated saved files (bench/files.py): runs with --quick
FILES = {"exitwhy_file_json_200mb": 1, "exitwhy_file_yaml_12mb": 3}
CLUSTER = (
    "exitwhy_all_json",
    "exitwhy_all_json_plain",
    "exitwhy_all_table",
    "exitwhy_all_by_pod",
    "kubectl_get_all_json",
    "kubectl_get_all_table",
    "raw_floor",
    "exitwhy_pod_direct",
    "exitwhy_pod",
    "kubectl_get_pod_json",
)
# ratio id -> (numerator, denominator) of median walls; figures of their own are checked apart
RATIOS = {
    "all_wall": ("exitwhy_all_json", "kubectl_get_all_json"),
    "all_floor": ("exitwhy_all_json", "raw_floor"),
    "pod_wall": ("exitwhy_pod_direct", "kubectl_get_pod_json"),
    "pod_kubectl": ("exitwhy_pod", "kubectl_get_pod_json"),
    "grouping": ("exitwhy_all_table", "exitwhy_all_by_pod"),
    "all_plain_vs_floor": ("exitwhy_all_json_plain", "raw_floor"),
    "all_vs_table": ("exitwhy_all_json", "kubectl_get_all_table"),
    "floor_vs_get_json": ("raw_floor", "kubectl_get_all_json"),
    "code_wall": ("exitwhy_code_137_direct", "python_pass"),
    "code_kubectl": ("exitwhy_code_137", "python_pass"),
    "noop_plugin": ("noop_plugin", "python_pass"),
}
FIGURES = ("all_rss_mb", "first_output_s", "wire", "file_200mb_rss_mb", "yaml_12mb_s")
TARGETS = {
    "all_wall": 0.05,
    "all_floor": 0.90,
    "all_rss_mb": 130.0,
    "first_output_s": 1.5,
    "wire": 0.15,
    "pod_wall": 4.0,
    "code_wall": 2.5,
    "grouping": 1.10,
    "file_200mb_rss_mb": 1000.0,
    "yaml_12mb_s": 5.0,
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
    assert set(offline) == set(OFFLINE) | set(FILES)
    for mid in OFFLINE:
        _check_samples(mid, offline[mid], plan["short_runs"])
    for mid, runs in FILES.items():
        _check_samples(mid, offline[mid], runs)
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
        "exitwhy_pod_direct": plan["short_runs"],
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
    assert pod["name"] in ms["exitwhy_pod_direct"]["argv"]
    assert ms["exitwhy_pod_direct"]["argv"][0].endswith("kubectl-exitwhy")
    assert pod["name"] in ms["kubectl_get_pod_json"]["argv"]
    # the request log of the first run of each command against the server
    assert ms["raw_floor"]["requests"]["by_path"]["GET /api/v1/pods"]["limits"] == ["500"]
    assert ms["exitwhy_all_json"]["requests"]["requests"] > 0
    # gzip as kubectl asks for it, and the same sweep without (EXITWHY_NO_GZIP=1)
    packed, plain = ms["exitwhy_all_json"]["requests"], ms["exitwhy_all_json_plain"]["requests"]
    assert packed["gzipped"] > 0 and plain["gzipped"] == 0
    assert packed["bytes"] * 4 < plain["bytes"] == plain["raw_bytes"]


def test_first_output_is_measured_on_a_terminal(quick):
    """``exitwhy -A`` runs with a terminal for its stderr: its progress line is its first
    output, and it comes before the run ends (a pipe would get no progress line at all)."""
    _, results, _ = quick
    [size] = results["sizes"]
    table = size["measurements"]["exitwhy_all_table"]
    firsts = [s["first_output_s"] for s in table["samples"]]
    assert all(0 < f < s["wall_s"] for f, s in zip(firsts, table["samples"]))
    assert table["median_first_output_s"] == pytest.approx(statistics.median(firsts), abs=1e-4)
    ratio = {r["id"]: r for r in results["ratios"]}["first_output_s"]
    assert ratio["value"] == table["median_first_output_s"]
    for mid in ("exitwhy_all_json", "exitwhy_all_by_pod"):  # stderr a file: not measured
        assert all("first_output_s" not in s for s in size["measurements"][mid]["samples"])


def test_saved_files_are_measured_and_checked(quick):
    """``kubectl-exitwhy -f FILE -A -o json`` on the generated files: a compact JSON v1 List of
    pods, events, nodes, jobs and replicasets, and a ``-o yaml`` List of pods; small with --quick,
    so their targets (set for 200 MB and 12 MB) give no verdict."""
    _, results, _ = quick
    offline = results["offline"]["measurements"]
    big, mid = offline["exitwhy_file_json_200mb"], offline["exitwhy_file_yaml_12mb"]
    for m, fmt, name, target_mb in ((big, "json", "BIG.json", 200), (mid, "yaml", "MID.yaml", 12)):
        facts = m["input"]
        assert facts["format"] == fmt and facts["file"] == name
        assert facts["target_mb"] == target_mb
        assert 0 < facts["bytes"] < target_mb * 1e6 / 2  # the quick sizes
        assert facts["mb"] == pytest.approx(facts["bytes"] / 1e6, abs=0.05)
        assert facts["kinds"]["Pod"] == facts["pods"] > 0
        assert m["argv"][0].endswith("kubectl-exitwhy")
        assert m["argv"][1] == "-f" and m["argv"][2].endswith(name)
        assert m["argv"][3:] == ["-A", "-o", "json"]
        for s in m["samples"]:  # a DiagnosisList with items, parsed after every run
            assert s["items"] > 0 and s["output_bytes"] > 0
    assert all(big["input"]["kinds"][k] > 0 for k in ("Event", "Node", "Job", "ReplicaSet"))
    ratios = {r["id"]: r for r in results["ratios"]}
    rss, wall = ratios["file_200mb_rss_mb"], ratios["yaml_12mb_s"]
    peak = max(s["maxrss_kb"] for s in big["samples"]) * 1024 / 1e6
    assert rss["value"] == pytest.approx(peak, abs=0.05) and rss["kind"] == "rss"
    assert rss["value"] == pytest.approx(big["peak_rss_mb"], abs=0.05)
    assert wall["value"] == pytest.approx(_median(mid), rel=1e-9) and wall["kind"] == "seconds"
    assert wall["value"] == pytest.approx(mid["median_wall_s"], abs=1e-6)
    for r, num in ((rss, "exitwhy_file_json_200mb"), (wall, "exitwhy_file_yaml_12mb")):
        assert r["size"] is None and r["numerator"] == num and r["denominator"] is None
        assert r["target"] == TARGETS[r["id"]]
        assert r["target_applies"] is False and r["pass"] is None, r["id"]


def test_ratios_are_computed_from_the_samples(quick):
    proc, results, _ = quick
    [size] = results["sizes"]
    sources = {**results["offline"]["measurements"], **size["measurements"]}
    ratios = {r["id"]: r for r in results["ratios"]}
    assert set(ratios) == set(RATIOS) | set(FIGURES)
    for rid, (num, den) in RATIOS.items():
        r = ratios[rid]
        expected = _median(sources[num]) / _median(sources[den])
        assert r["value"] == pytest.approx(expected, rel=1e-9), rid
        assert r["target"] == TARGETS.get(rid), rid
    ms = size["measurements"]
    peak = max(s["maxrss_kb"] for s in ms["exitwhy_all_json"]["samples"]) * 1024 / 1e6
    assert ratios["all_rss_mb"]["value"] == pytest.approx(peak, abs=0.05)
    packed, plain = ms["exitwhy_all_json"]["requests"], ms["exitwhy_all_json_plain"]["requests"]
    assert ratios["wire"]["value"] == pytest.approx(packed["bytes"] / plain["bytes"], rel=1e-9)
    # the -A targets are set for 50,000 pods: a 2,000-pod run reports them without a verdict
    for rid in ("all_wall", "all_floor", "all_rss_mb", "first_output_s", "wire"):
        assert ratios[rid]["pass"] is None, rid
    for rid in ("pod_wall", "code_wall"):
        assert ratios[rid]["pass"] is (ratios[rid]["value"] <= TARGETS[rid])
    assert "ratios" in proc.stdout
    assert f"{ratios['pod_wall']['value']:.3f}" in proc.stdout
    assert f"{ratios['code_wall']['value']:.3f}" in proc.stdout
