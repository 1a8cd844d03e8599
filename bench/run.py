"""``make bench``: how fast and how lean is ``kubectl exitwhy`` on a big cluster?

For each cluster size (default 10,000 and 50,000 pods) the local API server (``localapi``) is
started in its own process with a generated cluster, and these commands are run against it, each
as a child process of this script, round-robin so that a slow moment of the machine hits every
command alike:

====================================  ==========================================================
``kubectl exitwhy -A -o json``         the sweep, through the real kubectl, as users run it
``EXITWHY_NO_GZIP=1`` the same         the sweep without gzip: the bytes on the wire both ways
``kubectl exitwhy -A``                 the default view, its stderr a terminal: when its first
                                       output (the progress line) comes
``kubectl exitwhy -A --by pod``        one row per container: the grouping's cost
``kubectl get pods -A -o json``        what an SRE would run instead
``kubectl get pods -A``                the table (server-side Table)
raw HTTP floor                         ``bench/rawlist.py``: Python, ``limit=500`` pages,
                                       ``orjson.loads`` per page, GC off, keeping nothing
``kubectl-exitwhy pod X -n NS``        X: a pod with a termination (OOMKilled) from the data,
                                       run directly (and, for information, through kubectl)
``kubectl get pod X -n NS -o json``
====================================  ==========================================================

and, once, without a cluster: ``kubectl-exitwhy code 137`` run directly against ``python -c
pass``; for information also ``kubectl exitwhy code 137`` through kubectl (the difference is
kubectl's own start-up and plugin lookup) and ``kubectl benchnoop``, an empty Python script
installed as a plugin for the run: the floor of any Python plugin run through kubectl; and
``kubectl-exitwhy -f FILE -A -o json`` on two generated saved files, a 200 MB JSON List (peak
RSS) and a 12 MB ``-o yaml`` (wall): see ``bench/files.py``.

Wall time is ``time.perf_counter`` around the child; peak RSS is ``ru_maxrss`` from ``os.wait4``
of that child only. Results (every raw sample) go to a JSON file; a table per size and the target
ratios, with PASS/FAIL, are printed. These are benchmarks, not tests: the exit status is 0 even
when a target is missed, and 1 only when something failed to run (or printed invalid output).

    python bench/run.py                      # the full run: 10,000 and 50,000 pods
    python bench/run.py --sizes 20000 --runs 3 --kubectl-runs 1
    python bench/run.py --quick              # 2,000 pods, 2 runs: the harness test uses this
    python bench/run.py --offline-only       # code 137 and the saved files (bench/files.py)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import files  # noqa: E402  (bench/ is not a package: ``python bench/run.py`` is the interface)
import rawlist  # noqa: E402

SCHEMA = "exitwhy-bench/v1"
DEFAULT_OUT = HERE / "results" / "latest.json"
DEFAULT_SIZES = (10_000, 50_000)
QUICK_SIZE = 2_000
TARGET_SIZE = 50_000  # the -A targets are set for this cluster size
MB = 1_000_000  # RSS is reported in MB = 10^6 bytes (ru_maxrss is in KiB on Linux)

TARGETS = {
    "all_wall": 0.05,  # exitwhy -A -o json wall / kubectl get pods -A -o json wall, 50k pods
    "all_floor": 0.90,  # exitwhy -A -o json wall / the raw floor's, 50k pods
    "all_rss_mb": 130.0,  # exitwhy -A -o json peak RSS, 50k pods
    "first_output_s": 1.5,  # exitwhy -A, stderr a terminal: its first byte (progress), 50k pods
    "wire": 0.15,  # exitwhy -A -o json: bytes on the wire with gzip / without, 50k pods
    "pod_wall": 4.0,  # kubectl-exitwhy pod X (direct) / kubectl get pod X -o json
    "code_wall": 2.5,  # kubectl-exitwhy code 137 (direct) / python -c pass
    "grouping": 1.10,  # exitwhy -A (workloads, nodes) / exitwhy -A --by pod, 50k pods
    "file_200mb_rss_mb": 1000.0,  # kubectl-exitwhy -f (200 MB JSON List) -A -o json peak RSS
    "yaml_12mb_s": 5.0,  # kubectl-exitwhy -f (12 MB -o yaml) -A -o json wall (bench/files.py)
}
AT_SIZE = ("all_wall", "all_floor", "all_rss_mb", "first_output_s", "wire", "grouping")

# measurement ids, in the order they are run and printed
CLUSTER_IDS = (
    "exitwhy_all_json",
    "exitwhy_all_json_plain",
    "exitwhy_all_table",
    "exitwhy_all_by_pod",
    "kubectl_get_all_json",
    "kubectl_get_all_table",
    "raw_floor",
)
POD_IDS = ("exitwhy_pod_direct", "exitwhy_pod", "kubectl_get_pod_json")
OFFLINE_IDS = ("exitwhy_code_137", "exitwhy_code_137_direct", "noop_plugin", "python_pass")
FILE_IDS = files.IDS  # kubectl-exitwhy -f on generated saved files: bench/files.py


class BenchError(Exception):
    """A command failed to run, or its output was not what it must be."""


# --- running one child and measuring it ---------------------------------------------------------


@dataclass
class Sample:
    wall_s: float
    maxrss_kb: int
    user_s: float
    sys_s: float
    status: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = {
            "wall_s": round(self.wall_s, 6),
            "maxrss_kb": self.maxrss_kb,
            "user_s": round(self.user_s, 4),
            "sys_s": round(self.sys_s, 4),
            "status": self.status,
        }
        d.update(self.extra)
        return d


class Runner:
    """Runs the measured commands one at a time through ``bench/launcher.py``.

    Each command is a child of that small launcher, not of this script: Linux carries the
    high-water RSS of the process image a child replaces into the child's ``ru_maxrss``, so a
    child of this (bigger) Python process would report at least this process's size (see
    launcher.py). The launcher times the child with ``time.perf_counter`` and takes its peak
    RSS from ``os.wait4`` of that child only (not RUSAGE_CHILDREN, the maximum over all).

    ``kubectl exitwhy ...`` is measured through kubectl, as users run it: kubectl finds
    ``kubectl-exitwhy`` on PATH and ``syscall.Exec``s it (on Unix), so the plugin replaces
    kubectl in the same process, and wait4 on that PID reports the plugin's peak. As the
    high-water mark survives exec, that figure is max(kubectl's own peak before the exec, about
    45 MB, the plugin's peak): the kubectl part only matters for tiny commands.
    """

    def __init__(self, env: dict[str, str], timeout: float) -> None:
        self.env = env
        self.timeout = timeout
        self.overrides: dict[str, str] = {}  # environment for the commands, on top of env
        self._busy = False
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(HERE / "launcher.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own process group: kill() reaches a running command
        )

    def run(
        self, argv: list[str], stdout: Path | None, stderr: Path, terminal: bool = False
    ) -> Sample:
        """Run ``argv`` (stdout to ``stdout`` or /dev/null, stderr to ``stderr``; ``terminal``:
        stderr a terminal, copied to ``stderr``, and when its first byte came); measure it."""
        env = [f"{k}={v}" for k, v in self.overrides.items()]
        where = f"pty:{stderr}" if terminal else str(stderr)
        fields = [str(stdout or ""), where, repr(self.timeout), str(len(env)), *env, *argv]
        if any("\0" in f or "\n" in f for f in fields):
            raise BenchError(f"{_show(argv)}: arguments with NUL or newline are not supported")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._busy = True
        self.proc.stdin.write(("\0".join(fields) + "\n").encode("utf-8", "surrogateescape"))
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().decode("utf-8", "replace").strip()
        self._busy = False
        kind, _, rest = line.partition(" ")
        if kind != "ok":
            raise BenchError(f"{_show(argv)}: {rest or 'the launcher died'}")
        wall, rss, user, system, status, timed_out, first = rest.split()
        if int(timed_out):
            raise BenchError(f"{_show(argv)}: timed out after {self.timeout:.0f} s")
        extra = {"first_output_s": round(float(first), 4)} if float(first) >= 0 else {}
        return Sample(float(wall), int(rss), float(user), float(system), int(status), extra)

    def launcher_peak_mb(self) -> float | None:
        return _vm_hwm_mb(self.proc.pid)

    def close(self) -> None:
        """Stop the launcher: at the end of its input, or (while a command runs) killed."""
        if self.proc.poll() is not None:
            return
        if self._busy:  # interrupted mid-command: the launcher and its command, by group id
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _vm_hwm_mb(pid: int) -> float | None:
    """The peak RSS so far of a running process, from /proc (MB)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return round(int(m.group(1)) * 1024 / MB, 1) if m else None


def _show(argv: list[str]) -> str:
    words = [Path(argv[0]).name if "/" in argv[0] else argv[0], *argv[1:]]
    return " ".join(words)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


# --- measurements -------------------------------------------------------------------------------


@dataclass
class Measurement:
    id: str
    label: str
    argv: list[str]
    runs: int
    capture: bool = False  # keep stdout in a file (and check it) instead of /dev/null
    check: Callable[[Path], dict[str, Any]] | None = None
    requests_log: bool = False  # summarise the API requests of its first run
    env: dict[str, str] = field(default_factory=dict)  # environment for its runs
    info: bool = False  # informative only: no target depends on it
    terminal: bool = False  # stderr a terminal: the time of its first byte is measured
    input: dict[str, Any] | None = None  # the file it reads (bench/files.py): size, contents
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    requests: dict[str, Any] | None = None

    def walls(self) -> list[float]:
        return [s.wall_s for s in self.samples]

    def summary(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "label": self.label,
            "argv": self.argv,
            "runs_planned": self.runs,
            "samples": [s.as_dict() for s in self.samples],
            "error": self.error,
        }
        if self.samples:
            walls = self.walls()
            rss = [s.maxrss_kb for s in self.samples]
            d.update(
                median_wall_s=round(statistics.median(walls), 6),
                min_wall_s=round(min(walls), 6),
                max_wall_s=round(max(walls), 6),
                peak_rss_mb=round(max(rss) * 1024 / MB, 1),
                median_rss_mb=round(statistics.median(rss) * 1024 / MB, 1),
            )
        firsts = [s.extra["first_output_s"] for s in self.samples if "first_output_s" in s.extra]
        if firsts:
            d["median_first_output_s"] = round(statistics.median(firsts), 4)
        if self.requests is not None:
            d["requests"] = self.requests
        if self.input is not None:
            d["input"] = self.input
        return d


def run_rounds(
    runner: Runner,
    measurements: list[Measurement],
    workdir: Path,
    progress: Callable[[str], None],
    log: RequestLogReader | None = None,
) -> None:
    """Run the measurements round-robin (run 1 of each, then run 2 of each, ...)."""
    rounds = max((m.runs for m in measurements), default=0)
    for r in range(rounds):
        for m in measurements:
            if r >= m.runs or m.error is not None:
                continue
            out = workdir / f"{m.id}.out" if m.capture else None
            err = workdir / f"{m.id}.err"
            mark = log.mark() if (log is not None and m.requests_log and r == 0) else None
            try:
                runner.overrides.update(m.env)
                try:
                    sample = runner.run(m.argv, out, err, m.terminal)
                finally:
                    for key in m.env:
                        runner.overrides.pop(key, None)
                if sample.status != 0:
                    raise BenchError(
                        f"{m.label}: exit status {sample.status}\n{_tail(err)}".rstrip()
                    )
                if m.check is not None and out is not None:
                    sample.extra.update(m.check(out))
            except BenchError as exc:
                m.error = str(exc)
                progress(f"    FAILED {m.label}: {exc}")
                continue
            m.samples.append(sample)
            if mark is not None and log is not None:
                m.requests = summarise_requests(log.since(mark))
            progress(
                f"    {m.label:<44} run {r + 1}/{m.runs}: {sample.wall_s:8.3f} s "
                f"{sample.maxrss_kb * 1024 / MB:8.1f} MB"
            )


def check_diagnosis_list(path: Path) -> dict[str, Any]:
    """``kubectl exitwhy -A -o json`` must print a DiagnosisList with items."""
    try:
        with open(path, "rb") as f:
            doc = json.load(f)
    except (OSError, ValueError) as exc:
        raise BenchError(f"kubectl exitwhy -A -o json: output is not JSON: {exc}") from None
    items = doc.get("items") if isinstance(doc, dict) else None
    if (
        not isinstance(doc, dict)
        or doc.get("kind") != "DiagnosisList"
        or not isinstance(items, list)
    ):
        raise BenchError("kubectl exitwhy -A -o json: output is not a DiagnosisList")
    if not items:
        raise BenchError("kubectl exitwhy -A -o json: the DiagnosisList has no items")
    findings = sum(len(i.get("findings") or ()) for i in items if isinstance(i, dict))
    return {"items": len(items), "findings": findings, "output_bytes": path.stat().st_size}


def check_count(path: Path) -> dict[str, Any]:
    """The raw floor prints the number of pods it listed."""
    text = path.read_text(encoding="utf-8").strip()
    if not text.isdigit() or int(text) == 0:
        raise BenchError(f"raw HTTP floor: expected a pod count, got {text[:80]!r}")
    return {"items": int(text)}


def check_nonempty(path: Path) -> dict[str, Any]:
    size = path.stat().st_size
    if size == 0:
        raise BenchError(f"{path.stem}: printed nothing")
    return {"output_bytes": size}


# --- the API server, in its own process ---------------------------------------------------------


class Server:
    """``python -m localapi --generate N`` as a child process, until ``stop()``."""

    READY = re.compile(r"serving (\d+) objects at (\S+), kubeconfig (.+)$")

    def __init__(self, pods: int, seed: int, workdir: Path, python: str) -> None:
        self.pods = pods
        self.seed = seed
        self.workdir = workdir
        self.python = python
        self.kubeconfig = workdir / "kubeconfig"
        self.log_path = workdir / "requests.jsonl"
        self.err_path = workdir / "server.err"
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.objects = 0
        self.startup_s = 0.0

    def start(self, timeout: float = 600) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        argv = [
            self.python,
            "-m",
            "localapi",
            "--generate",
            str(self.pods),
            "--seed",
            str(self.seed),
            "--kubeconfig",
            str(self.kubeconfig),
            "--log",
            str(self.log_path),
        ]
        started = time.perf_counter()
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise BenchError(f"localapi did not start within {timeout:.0f} s") from None
        match = self.READY.search(line.strip())
        if not match:
            self.stop()
            raise BenchError(f"localapi failed to start: {line.strip()}\n{_tail(self.err_path)}")
        self.startup_s = time.perf_counter() - started
        self.objects = int(match.group(1))
        self.url = match.group(2)

    def peak_rss_mb(self) -> float | None:
        return _vm_hwm_mb(self.proc.pid) if self.proc is not None else None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Credentials:
    server: str
    token: str
    token_file: Path
    ca_file: Path | None


def credentials(kubeconfig: Path, workdir: Path) -> Credentials:
    """The current context's server, token and CA, written as files for the raw floor."""
    import yaml

    config = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
    ctx_name = config["current-context"]
    ctx = next(c["context"] for c in config["contexts"] if c["name"] == ctx_name)
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in config["users"] if u["name"] == ctx["user"])
    token_file = workdir / "token"
    token_file.write_text(user["token"], encoding="utf-8")
    ca_file = None
    if cluster.get("certificate-authority-data"):
        ca_file = workdir / "ca.crt"
        ca_file.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
    return Credentials(cluster["server"], user["token"], token_file, ca_file)


def find_terminated_pod(creds: Credentials) -> dict[str, Any]:
    """A pod whose container was OOM-killed (and is running again), found in the server's data.

    Prefers the plain ``oom`` story (lastState OOMKilled, running now); falls back to any pod
    with a terminated last state.
    """
    fallback: dict[str, Any] | None = None
    ca = str(creds.ca_file) if creds.ca_file else None
    for page in rawlist.list_pages(creds.server, creds.token, ca):
        for pod in page.get("items") or ():
            for cs in (pod.get("status") or {}).get("containerStatuses") or ():
                last = (cs.get("lastState") or {}).get("terminated")
                if not last:
                    continue
                found = {
                    "namespace": pod["metadata"]["namespace"],
                    "name": pod["metadata"]["name"],
                    "container": cs.get("name"),
                    "reason": last.get("reason"),
                    "exitCode": last.get("exitCode"),
                    "restartCount": cs.get("restartCount"),
                }
                if last.get("reason") == "OOMKilled" and "running" in (cs.get("state") or {}):
                    return found
                fallback = fallback or found
    if fallback is None:
        raise BenchError("the generated cluster has no pod with a termination")
    return fallback


class RequestLogReader:
    """Reads the server's JSON-lines request log from a mark (a byte offset) onwards."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def since(self, mark: int) -> list[dict[str, Any]]:
        with open(self.path, "rb") as f:
            f.seek(mark)
            data = f.read()
        return [json.loads(line) for line in data.splitlines() if line.strip()]


_NS = re.compile(r"/namespaces/[^/]+")
_NAME = re.compile(r"(/(?:pods|nodes|jobs|events|namespaces))/(?!\{)[^/]+")


def summarise_requests(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Count the API requests of one command by path pattern: calls, bytes, page sizes.
    ``bytes`` counts what went on the wire (compressed where the server gzipped the body),
    ``raw_bytes`` the bodies unpacked, ``gzipped`` the answers that went compressed."""
    by: dict[str, dict[str, Any]] = {}
    for rec in records:
        path = _NAME.sub(r"\1/{name}", _NS.sub("/namespaces/{ns}", rec["path"]))
        key = f"{rec['method']} {path}"
        entry = by.setdefault(
            key,
            {"requests": 0, "bytes": 0, "limits": set(), "status": set(), "selectors": set()},
        )
        entry["requests"] += 1
        entry["bytes"] += int(rec.get("bytes") or 0)
        query = rec.get("query") or {}
        if "limit" in query:
            entry["limits"].add(str(query["limit"]))
        for sel in ("fieldSelector", "labelSelector"):
            if query.get(sel) and len(entry["selectors"]) < 3:
                entry["selectors"].add(f"{sel}={query[sel]}")
        entry["status"].add(int(rec.get("status") or 0))
    for entry in by.values():
        entry["limits"] = sorted(entry["limits"], key=lambda s: (len(s), s))
        entry["status"] = sorted(entry["status"])
        entry["selectors"] = sorted(entry["selectors"])
    return {
        "requests": len(records),
        "bytes": sum(int(r.get("bytes") or 0) for r in records),
        "raw_bytes": sum(int(r.get("raw_bytes") or r.get("bytes") or 0) for r in records),
        "gzipped": sum(1 for r in records if r.get("encoding") == "gzip"),
        "by_path": dict(sorted(by.items(), key=lambda kv: -kv[1]["requests"])),
    }


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class Plan:
    sizes: list[int]
    runs: int | None  # None: 5 up to 10,000 pods, 3 above
    kubectl_runs: int | None  # None: 5 up to 10,000 pods, 2 above
    short_runs: int
    seed: int
    quick: bool
    timeout: float

    def runs_for(self, size: int) -> int:
        return self.runs if self.runs is not None else (5 if size <= 10_000 else 3)

    def kubectl_runs_for(self, size: int) -> int:
        if self.kubectl_runs is not None:
            return self.kubectl_runs
        return 5 if size <= 10_000 else 2


def parse_args(argv: list[str] | None) -> tuple[Plan, Path]:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmark kubectl exitwhy against kubectl and a raw-HTTP floor.",
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="cluster sizes in pods, comma-separated (default: 10000,50000)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="runs of exitwhy -A and the raw floor per size (default: 5 up to 10,000, 3 above)",
    )
    parser.add_argument(
        "--kubectl-runs",
        type=int,
        help="runs of kubectl get pods -A [-o json] per size (default: 5 up to 10,000, 2 above)",
    )
    parser.add_argument(
        "--short-runs",
        type=int,
        default=None,
        help="runs of the short commands: pod NAME, code 137, python -c pass (default: 10)",
    )
    parser.add_argument("--quick", action="store_true", help="2,000 pods, 2 runs (for the test)")
    parser.add_argument(
        "--offline-only", action="store_true", help="only the commands without a cluster"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated cluster")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds before one command is killed"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (JSON)")
    args = parser.parse_args(argv)
    if args.sizes:
        try:
            sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        except ValueError:
            parser.error(f"--sizes: not a list of integers: {args.sizes!r}")
        if not sizes or min(sizes) < 1:
            parser.error("--sizes: give positive pod counts")
    else:
        sizes = [QUICK_SIZE] if args.quick else list(DEFAULT_SIZES)
    if args.offline_only:
        sizes = []
    for name in ("runs", "kubectl_runs", "short_runs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')}: must be at least 1")
    plan = Plan(
        sizes=sizes,
        runs=args.runs if args.runs is not None else (2 if args.quick else None),
        kubectl_runs=(
            args.kubectl_runs if args.kubectl_runs is not None else (2 if args.quick else None)
        ),
        short_runs=args.short_runs if args.short_runs is not None else (3 if args.quick else 10),
        seed=args.seed,
        quick=args.quick,
        timeout=args.timeout,
    )
    return plan, args.out


# --- environment and machine --------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """The environment for the commands: the interpreter's bin directory first on PATH.

    ``make bench`` runs ``.venv/bin/python bench/run.py`` with ``.venv/bin`` first on PATH;
    doing the same here makes ``.venv/bin/python bench/run.py`` (and the test, which runs this
    script with its own interpreter) find the same ``kubectl-exitwhy``, not a pyenv shim.
    """
    env = dict(os.environ)
    here = Path(sys.executable).parent
    if (here / "kubectl-exitwhy").exists():
        env["PATH"] = os.pathsep.join([str(here), env.get("PATH", "")])
    env.pop("KUBECONFIG", None)
    return env


def _cmd_output(argv: list[str], env: dict[str, str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unavailable ({exc})"
    return (proc.stdout or proc.stderr).strip()


def machine_info(env: dict[str, str], kubectl: str, plugin: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "kubectl": kubectl,
        "plugin": plugin,
        "loadavg_start": _loadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_mb"] = int(line.split()[1]) * 1024 // MB
                break
    except OSError:
        pass
    version = _cmd_output([kubectl, "version", "--client", "-o", "json"], env)
    try:
        info["kubectl_version"] = json.loads(version)["clientVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        info["kubectl_version"] = version.splitlines()[0] if version else "unknown"
    info["exitwhy_version"] = _cmd_output([plugin, "--version"], env).splitlines()[-1:] or [""]
    info["exitwhy_version"] = info["exitwhy_version"][0]
    git = shutil.which("git")
    if git:
        info["git"] = _cmd_output([git, "-C", str(ROOT), "describe", "--always", "--dirty"], env)
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --- the benchmark ------------------------------------------------------------------------------


def bench_offline(
    runner: Runner, kubectl: str, plugin: str, plan: Plan, workdir: Path, progress: Any
) -> dict[str, Measurement]:
    n = plan.short_runs
    ms = [
        Measurement(
            "exitwhy_code_137",
            "kubectl exitwhy code 137",
            [kubectl, "exitwhy", "code", "137"],
            n,
            capture=True,
            check=check_nonempty,
            info=True,
        ),
        Measurement(
            "exitwhy_code_137_direct",
            "kubectl-exitwhy code 137 (direct)",
            [plugin, "code", "137"],
            n,
            capture=True,
            check=check_nonempty,
        ),
        Measurement(
            "noop_plugin",
            "kubectl benchnoop (a no-op Python plugin)",
            [kubectl, "benchnoop"],
            n,
            info=True,
        ),
        Measurement("python_pass", "python -c pass", [sys.executable, "-c", "pass"], n),
    ]
    workdir.mkdir(parents=True, exist_ok=True)
    # the floor of any Python plugin run through kubectl: kubectl's start-up and plugin lookup,
    # then an interpreter that does nothing (an empty script, like ``python -c pass``)
    bindir = workdir / "bin"
    bindir.mkdir(exist_ok=True)
    noop = bindir / "kubectl-benchnoop"
    noop.write_text(f"#!{sys.executable}\n", encoding="utf-8")
    noop.chmod(0o755)
    runner.overrides["PATH"] = os.pathsep.join([runner.env.get("PATH", ""), str(bindir)])
    progress("  offline: warming up")
    for m in ms:  # once, untimed: page cache, .pyc files
        runner.run(m.argv, None, workdir / "warmup.err")
    try:
        run_rounds(runner, ms, workdir, progress)
    finally:
        runner.overrides.pop("PATH", None)
    saved = [
        Measurement(**spec, capture=True, check=check_diagnosis_list)
        for spec in files.measurements(plugin, workdir / "files", plan.seed, plan.quick, progress)
    ]
    run_rounds(runner, saved, workdir, progress)
    return {m.id: m for m in [*ms, *saved]}


def bench_size(
    runner: Runner,
    kubectl: str,
    plugin: str,
    plan: Plan,
    size: int,
    workdir: Path,
    progress: Any,
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"pods": size, "loadavg_start": _loadavg()}
    server = Server(size, plan.seed, workdir, sys.executable)
    progress(f"  {size:,} pods: starting localapi")
    server.start()
    try:
        result["server"] = {
            "url": server.url,
            "objects": server.objects,
            "startup_s": round(server.startup_s, 2),
        }
        progress(f"  {size:,} pods: {server.objects:,} objects, ready in {server.startup_s:.1f} s")
        creds = credentials(server.kubeconfig, workdir)
        target = find_terminated_pod(creds)
        result["pod"] = target
        ns, name = target["namespace"], target["name"]
        cache = workdir / "kube-cache"
        runner.overrides["KUBECONFIG"] = str(server.kubeconfig)
        # kubectl's own commands get a fresh discovery cache, warmed once below. The plugin gets
        # no --cache-dir: kubectl stops looking for a plugin name at the first flag, and the
        # plugin keeps no discovery cache.
        kc = ["--cache-dir", str(cache)]
        floor = [
            sys.executable,
            str(HERE / "rawlist.py"),
            "--server",
            creds.server,
            "--token-file",
            str(creds.token_file),
            "--limit",
            "500",
        ]
        if creds.ca_file:
            floor += ["--ca-file", str(creds.ca_file)]
        runs, kruns = plan.runs_for(size), plan.kubectl_runs_for(size)
        cluster = [
            Measurement(
                "exitwhy_all_json",
                "kubectl exitwhy -A -o json",
                [kubectl, "exitwhy", "-A", "-o", "json"],
                runs,
                capture=True,
                check=check_diagnosis_list,
                requests_log=True,
            ),
            Measurement(
                "exitwhy_all_json_plain",
                "kubectl exitwhy -A -o json, no gzip",
                [kubectl, "exitwhy", "-A", "-o", "json"],
                runs,
                capture=True,
                check=check_diagnosis_list,
                requests_log=True,
                info=True,
                env={"EXITWHY_NO_GZIP": "1"},
            ),
            *(
                Measurement(
                    mid,
                    label,
                    [kubectl, "exitwhy", "-A", *extra],
                    runs,
                    capture=True,
                    check=check_nonempty,
                    terminal=terminal,
                )
                for mid, label, extra, terminal in (
                    ("exitwhy_all_table", "kubectl exitwhy -A (stderr a terminal)", [], True),
                    ("exitwhy_all_by_pod", "kubectl exitwhy -A --by pod", ["--by", "pod"], False),
                )
            ),  # fmt: skip
            Measurement(
                "kubectl_get_all_json",
                "kubectl get pods -A -o json",
                [kubectl, "get", "pods", "-A", "-o", "json", *kc],
                kruns,
                requests_log=True,
            ),
            Measurement(
                "kubectl_get_all_table",
                "kubectl get pods -A",
                [kubectl, "get", "pods", "-A", *kc],
                kruns,
                requests_log=True,
            ),
            Measurement(
                "raw_floor",
                "raw HTTP floor (python, limit=500)",
                floor,
                runs,
                capture=True,
                check=check_count,
                requests_log=True,
                info=True,
            ),
        ]
        single = [
            Measurement(
                "exitwhy_pod_direct",
                "kubectl-exitwhy pod NAME (direct)",
                [plugin, "pod", name, "-n", ns],
                plan.short_runs,
                capture=True,
                check=check_nonempty,
            ),
            Measurement(
                "exitwhy_pod",
                "kubectl exitwhy pod NAME",
                [kubectl, "exitwhy", "pod", name, "-n", ns],
                plan.short_runs,
                capture=True,
                check=check_nonempty,
                requests_log=True,
                info=True,
            ),
            Measurement(
                "kubectl_get_pod_json",
                "kubectl get pod NAME -o json",
                [kubectl, "get", "pod", name, "-n", ns, "-o", "json", *kc],
                plan.short_runs,
                requests_log=True,
            ),
        ]
        progress(f"  {size:,} pods: warming up (kubectl discovery cache, plugin)")
        for argv in (
            [kubectl, "get", "pod", name, "-n", ns, "-o", "name", *kc],
            [kubectl, "exitwhy", "pod", name, "-n", ns],
        ):
            sample = runner.run(argv, None, workdir / "warmup.err")
            if sample.status != 0:
                raise BenchError(
                    f"warm-up {_show(argv)}: exit {sample.status}\n{_tail(workdir / 'warmup.err')}"
                )
        log = RequestLogReader(server.log_path)
        run_rounds(runner, single, workdir, progress, log)
        run_rounds(runner, cluster, workdir, progress, log)
        result["measurements"] = {m.id: m.summary() for m in [*cluster, *single]}
        result["errors"] = [m.error for m in [*cluster, *single] if m.error]
        result["server"]["peak_rss_mb"] = server.peak_rss_mb()
        result["loadavg_end"] = _loadavg()
    finally:
        runner.overrides.pop("KUBECONFIG", None)
        server.stop()
    return result


# --- ratios and the report ----------------------------------------------------------------------


def _median(m: dict[str, Any]) -> float | None:
    walls = [s["wall_s"] for s in m.get("samples") or ()]
    return statistics.median(walls) if walls else None


def _peak_mb(m: dict[str, Any]) -> float | None:
    rss = [s["maxrss_kb"] for s in m.get("samples") or ()]
    return max(rss) * 1024 / MB if rss else None


def compute_ratios(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ratio and measured figure with a target, recomputed from the raw samples in
    ``results``. A target in AT_SIZE holds for TARGET_SIZE pods; the others at every size."""
    out: list[dict[str, Any]] = []

    def add(
        rid: str,
        size: int | None,
        kind: str,
        num: str,
        den: str | None,
        value: Any,
        full: bool = True,  # a saved file's target applies at the size it is set for
    ) -> None:
        target = TARGETS.get(rid)
        applies = target is not None and full and (rid not in AT_SIZE or size == TARGET_SIZE)
        out.append(
            {
                "id": rid,
                "size": size,
                "kind": kind,
                "numerator": num,
                "denominator": den,
                "value": value,
                "target": target,
                "target_applies": applies,
                "pass": (value <= target) if (applies and value is not None) else None,
            }
        )

    def wall_ratio(rid: str, size: int | None, ms: dict[str, Any], num: str, den: str) -> None:
        a, b = _median(ms.get(num) or {}), _median(ms.get(den) or {})
        add(rid, size, "wall", num, den, a / b if a is not None and b else None)

    for sr in results.get("sizes") or ():
        size, ms = sr["pods"], sr.get("measurements") or {}
        wall_ratio("all_wall", size, ms, "exitwhy_all_json", "kubectl_get_all_json")
        wall_ratio("all_floor", size, ms, "exitwhy_all_json", "raw_floor")
        add(
            "all_rss_mb",
            size,
            "rss",
            "exitwhy_all_json",
            None,
            _peak_mb(ms.get("exitwhy_all_json") or {}),
        )
        first = (ms.get("exitwhy_all_table") or {}).get("median_first_output_s")
        add("first_output_s", size, "seconds", "exitwhy_all_table", None, first)
        packed = ((ms.get("exitwhy_all_json") or {}).get("requests") or {}).get("bytes")
        plain = ((ms.get("exitwhy_all_json_plain") or {}).get("requests") or {}).get("bytes")
        wire = packed / plain if packed and plain else None
        add("wire", size, "bytes", "exitwhy_all_json", "exitwhy_all_json_plain", wire)
        wall_ratio("pod_wall", size, ms, "exitwhy_pod_direct", "kubectl_get_pod_json")
        wall_ratio("pod_kubectl", size, ms, "exitwhy_pod", "kubectl_get_pod_json")
        wall_ratio("grouping", size, ms, "exitwhy_all_table", "exitwhy_all_by_pod")
        wall_ratio("all_plain_vs_floor", size, ms, "exitwhy_all_json_plain", "raw_floor")
        wall_ratio("all_vs_table", size, ms, "exitwhy_all_json", "kubectl_get_all_table")
        wall_ratio("floor_vs_get_json", size, ms, "raw_floor", "kubectl_get_all_json")
    off = (results.get("offline") or {}).get("measurements") or {}
    wall_ratio("code_wall", None, off, "exitwhy_code_137_direct", "python_pass")
    wall_ratio("code_kubectl", None, off, "exitwhy_code_137", "python_pass")
    wall_ratio("noop_plugin", None, off, "noop_plugin", "python_pass")
    big = off.get("exitwhy_file_json_200mb") or {}
    rss, full = _peak_mb(big), files.full_size(big)
    add("file_200mb_rss_mb", None, "rss", "exitwhy_file_json_200mb", None, rss, full)
    mid = off.get("exitwhy_file_yaml_12mb") or {}
    wall, full = _median(mid), files.full_size(mid)
    add("yaml_12mb_s", None, "seconds", "exitwhy_file_yaml_12mb", None, wall, full)
    return out


RATIO_LABELS = {
    "all_wall": "-A wall: exitwhy -A -o json / kubectl get pods -A -o json",
    "all_floor": "-A wall: exitwhy -A -o json / raw HTTP floor",
    "all_rss_mb": "-A peak RSS: exitwhy -A -o json (MB)",
    "first_output_s": "-A first output: progress line on a terminal (s)",
    "wire": "-A bytes on the wire: with gzip / without",
    "pod_wall": "pod NAME wall: kubectl-exitwhy pod (direct) / kubectl get pod -o json",
    "pod_kubectl": "kubectl exitwhy pod (through kubectl) / kubectl get pod -o json",
    "grouping": "workloads and nodes: exitwhy -A / exitwhy -A --by pod",
    "code_wall": "code 137 wall: kubectl-exitwhy code 137 (direct) / python -c pass",
    "code_kubectl": "kubectl exitwhy code 137 (through kubectl) / python -c pass",
    "all_plain_vs_floor": "exitwhy -A -o json without gzip / raw HTTP floor",
    "all_vs_table": "exitwhy -A -o json / kubectl get pods -A",
    "floor_vs_get_json": "raw HTTP floor / kubectl get pods -A -o json",
    "noop_plugin": "kubectl + a no-op Python plugin / python -c pass (the floor)",
    "file_200mb_rss_mb": "-f 200 MB JSON List peak RSS: kubectl-exitwhy -f -A -o json (MB)",
    "yaml_12mb_s": "-f 12 MB -o yaml wall: kubectl-exitwhy -f -A -o json (s)",
}


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def format_table(measurements: dict[str, Any], order: tuple[str, ...]) -> str:
    head = f"  {'command':<48}{'runs':>5}{'median s':>11}{'min s':>10}{'max s':>10}{'peak MB':>10}"
    rows = [head, "  " + "-" * (len(head) - 2)]
    for mid in order:
        m = measurements.get(mid)
        if m is None:
            continue
        n = len(m.get("samples") or ())
        label = m["label"] + (" [FAILED]" if m.get("error") else "")
        rows.append(
            f"  {label:<48}{n:>5}{_fmt(m.get('median_wall_s')):>11}"
            f"{_fmt(m.get('min_wall_s')):>10}{_fmt(m.get('max_wall_s')):>10}"
            f"{_fmt(m.get('peak_rss_mb'), 1):>10}"
        )
    return "\n".join(rows)


def _requests_line(m: dict[str, Any]) -> str:
    req = m.get("requests")
    if not req:
        return ""
    parts = []
    for key, e in list(req["by_path"].items())[:6]:
        limits = f" limit={','.join(e['limits'])}" if e["limits"] else ""
        sels = f" {' '.join(e['selectors'][:1])}" if e["selectors"] else ""
        parts.append(f"{key} x{e['requests']}{limits}{sels}")
    more = len(req["by_path"]) - 6
    tail = f", +{more} more paths" if more > 0 else ""
    size = f"{req['bytes'] / MB:.1f} MB"
    if req.get("gzipped"):
        size += f" on the wire ({req['raw_bytes'] / MB:.1f} MB unpacked, {req['gzipped']} gzip)"
    return f"{req['requests']} requests, {size}: " + "; ".join(parts) + tail


def format_report(results: dict[str, Any]) -> str:
    mi = results["machine"]
    lines = [
        "exitwhy benchmark",
        f"  machine: {mi.get('nproc')} CPUs ({mi.get('cpu', '?')}), "
        f"{mi.get('memory_mb', '?')} MB RAM, {mi.get('platform')}",
        f"  python {mi['python']} ({mi['python_executable']}); kubectl {mi['kubectl_version']} "
        f"({mi['kubectl']})",
        f"  plugin: {mi['exitwhy_version']} ({mi['plugin']}); git {mi.get('git', '?')}",
        f"  load average at start: {mi.get('loadavg_start')}; RSS in MB = 10^6 bytes; "
        "wall = median of the runs",
        f"  commands run from bench/launcher.py (its peak RSS, the floor of every figure: "
        f"{_fmt(mi.get('launcher_peak_rss_mb'), 1)} MB)",
        "",
    ]
    off = (results.get("offline") or {}).get("measurements") or {}
    if off:
        lines += [
            "offline (no cluster)",
            format_table(off, (*OFFLINE_IDS, *FILE_IDS)),
            *files.describe(off),
            "",
        ]
    for sr in results.get("sizes") or ():
        srv = sr.get("server") or {}
        pod = sr.get("pod") or {}
        lines.append(
            f"{sr['pods']:,} pods  (server: {srv.get('objects', 0):,} objects, ready in "
            f"{srv.get('startup_s', 0):.1f} s, peak RSS {_fmt(srv.get('peak_rss_mb'), 0)} MB; "
            f"load {sr.get('loadavg_start')} -> {sr.get('loadavg_end')})"
        )
        if pod:
            lines.append(
                f"  NAME = {pod['namespace']}/{pod['name']} (container {pod['container']}: "
                f"{pod['reason']} {pod['exitCode']}, {pod['restartCount']} restarts)"
            )
        ms = sr.get("measurements") or {}
        lines.append(format_table(ms, (*CLUSTER_IDS, *POD_IDS)))
        ew = ms.get("exitwhy_all_json") or {}
        items = {s.get("items") for s in ew.get("samples") or ()}
        floor = ms.get("raw_floor") or {}
        listed = {s.get("items") for s in floor.get("samples") or ()}
        if items:
            lines.append(
                f"  check: exitwhy -A -o json is a DiagnosisList of {'/'.join(map(str, items))} "
                f"items; the raw floor listed {'/'.join(map(str, listed)) or '?'} pods"
            )
        packed = (ms.get("exitwhy_all_json") or {}).get("requests") or {}
        plain = (ms.get("exitwhy_all_json_plain") or {}).get("requests") or {}
        if packed.get("bytes") and plain.get("bytes"):
            less = plain["bytes"] / packed["bytes"]
            lines.append(
                f"  bytes on the wire, exitwhy -A -o json: {packed['bytes'] / MB:.1f} MB with "
                f"gzip, {plain['bytes'] / MB:.1f} MB without ({less:.1f}x less)"
            )
        for mid in (*CLUSTER_IDS, *POD_IDS):
            line = _requests_line(ms.get(mid) or {})
            if line:
                lines.append(f"  requests, {(ms[mid])['label']}: {line}")
        lines.append("")
    lines.append(
        f"ratios (targets: -A at {TARGET_SIZE:,} pods; pod NAME at every size; code 137 offline; "
        "-f at the file sizes named)"
    )
    for r in results.get("ratios") or ():
        where = f"{r['size']:,} pods" if r["size"] else "offline"
        label = f"{RATIO_LABELS[r['id']]} @ {where}"
        if r["kind"] == "rss":
            value = f"{_fmt(r['value'], 1)} MB"
            target = f"<= {r['target']:.0f} MB"
        elif r["kind"] == "seconds":
            value = f"{_fmt(r['value'], 2)} s"
            target = f"<= {r['target']:g} s"
        else:
            value = _fmt(r["value"], 3)
            target = f"<= {r['target']:g}" if r["target"] is not None else ""
        if r["pass"] is True:
            verdict = "PASS"
        elif r["pass"] is False:
            verdict = "FAIL"
        elif r["target"] is not None and r["value"] is not None:
            verdict = f"(target is for {TARGET_SIZE:,} pods)" if r["size"] else "(smaller file)"
        elif r["value"] is None:
            verdict = "(not measured)"
        else:
            verdict = "(info)"
        lines.append(f"  {label:<78} {value:>10}  {target:<10} {verdict}")
    errors = results.get("errors") or []
    if errors:
        lines += ["", "ERRORS (something failed to run):"]
        lines += ["  " + e.replace("\n", "\n    ") for e in errors]
    return "\n".join(lines)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: children are stopped


def _byte_compile() -> None:
    """The package byte-compiled, as pip and the release archive install it: run directly (not
    by ``make bench``) on a machine that sets PYTHONDONTWRITEBYTECODE, every timed run would
    compile it again (``pod NAME`` measured 4.7x instead of 3.3x, ``code 137`` 2.7x, not 1.4x)."""
    import compileall

    import kubectl_exitwhy

    compileall.compile_dir(str(Path(kubectl_exitwhy.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    plan, out = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    env = bench_env()
    kubectl = shutil.which("kubectl", path=env.get("PATH"))
    plugin = shutil.which("kubectl-exitwhy", path=env.get("PATH"))
    if not kubectl or not plugin:
        missing = "kubectl" if not kubectl else "kubectl-exitwhy"
        print(f"bench: {missing} is not on PATH (run `make bench`)", file=sys.stderr)
        return 1

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    _byte_compile()
    started = time.time()
    results: dict[str, Any] = {
        "schema": SCHEMA,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "plan": {
            "sizes": plan.sizes,
            "runs": {str(s): plan.runs_for(s) for s in plan.sizes},
            "kubectl_runs": {str(s): plan.kubectl_runs_for(s) for s in plan.sizes},
            "short_runs": plan.short_runs,
            "seed": plan.seed,
            "quick": plan.quick,
        },
        "targets": TARGETS,
        "machine": machine_info(env, kubectl, plugin),
        "sizes": [],
        "errors": [],
    }
    runner = Runner(env, plan.timeout)
    sizes = ", ".join(f"{s:,}" for s in plan.sizes) or "none (offline only)"
    progress(f"bench: sizes {sizes}; results -> {out}")
    try:
        with tempfile.TemporaryDirectory(prefix="exitwhy-bench-") as tmp:
            work = Path(tmp)
            try:
                offline = bench_offline(runner, kubectl, plugin, plan, work / "offline", progress)
                results["offline"] = {"measurements": {k: m.summary() for k, m in offline.items()}}
                results["errors"] += [m.error for m in offline.values() if m.error]
            except (BenchError, OSError) as exc:
                results["errors"].append(f"offline: {exc}")
            for size in plan.sizes:
                try:
                    sr = bench_size(
                        runner, kubectl, plugin, plan, size, work / f"size-{size}", progress
                    )
                except (BenchError, OSError) as exc:
                    results["errors"].append(f"{size:,} pods: {exc}")
                    results["sizes"].append({"pods": size, "error": str(exc), "measurements": {}})
                    continue
                results["errors"] += [f"{size:,} pods: {e}" for e in sr.get("errors") or ()]
                results["sizes"].append(sr)
                _write_json(out, results)  # partial results survive a later failure
        results["machine"]["launcher_peak_rss_mb"] = runner.launcher_peak_mb()
    finally:
        runner.close()
    results["ratios"] = compute_ratios(results)
    results["machine"]["loadavg_end"] = _loadavg()
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["duration_s"] = round(time.time() - started, 1)
    results["ok"] = not results["errors"]
    _write_json(out, results)
    print(format_report(results))
    print(f"\nresults: {out} ({results['duration_s']:.0f} s)")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
