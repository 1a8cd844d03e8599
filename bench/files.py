"""Saved files for ``make bench``: ``kubectl-exitwhy -f FILE -A -o json`` on big ``kubectl get``
output (issue "Bounded, lossless, crash-free").

Two files are generated from the project's cluster generator (``localapi.generate``), once per
bench run, in the bench's work directory, and each is measured as a command with a target:

- ``kubectl-exitwhy -f BIG.json -A -o json``, BIG.json about 200 MB: one compact JSON v1 List
  of pods, events, nodes, jobs and replicasets (about 37,000 pods). Target: peak RSS at most
  1,000 MB (``file_200mb_rss_mb``); its wall is in the table.
- ``kubectl-exitwhy -f MID.yaml -A -o json``, MID.yaml about 12 MB: a ``-o yaml`` v1 List of
  about 2,350 pods. Target: wall at most 5 s (``yaml_12mb_s``).

The files look like what kubectl writes: ``kubectl get pods,events,nodes,jobs,replicasets -A
-o json`` (with the items of each resource together, in that order, each sorted by namespace and
name as the API server lists them; keys sorted; no ``managedFields``, which kubectl leaves out
unless ``--show-managed-fields``), and ``kubectl get pods -A -o yaml`` (block style, keys
sorted), here written compact (``orjson``) and with PyYAML's C dumper. The same seed makes the
same bytes: the cluster's "now" is fixed (``NOW``).

With ``--quick`` the files are much smaller (10 MB and 2 MB) and the targets give no verdict: a
target applies when the file is at least ``FULL`` of the size it is set for (``full_size``).

``python bench/files.py json|yaml PATH PODS SEED`` writes one file and prints what it holds (one
JSON line); the bench runs both that way, side by side, before the measured commands.
"""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1_000_000

NOW = 1_790_000_000.0  # the generated cluster's "now": the same seed makes the same file
# kubectl get pods,events,nodes,jobs,replicasets -A -o json: the items of each, in this order
LIST_KINDS = ("Pod", "Event", "Node", "Job", "ReplicaSet")
# bytes a generated pod brings, with its share of the other kinds (seed 1): the pod counts for a
# file of a given size (the real size is measured and reported)
POD_BYTES = {"json": 5_390, "yaml": 5_100}
FULL = 0.95  # a file of at least this share of the size a target is set for gets a verdict


@dataclass(frozen=True)
class Spec:
    id: str  # the measurement id
    name: str  # the file name
    format: str  # json or yaml
    target_mb: float  # the file size the target is set for
    quick_mb: float  # the size with --quick
    runs: int
    quick_runs: int

    def pods(self, quick: bool) -> int:
        mb = self.quick_mb if quick else self.target_mb
        return max(1, round(mb * MB / POD_BYTES[self.format]))


SPECS = (
    Spec("exitwhy_file_json_200mb", "BIG.json", "json", 200.0, 10.0, 3, 1),
    Spec("exitwhy_file_yaml_12mb", "MID.yaml", "yaml", 12.0, 2.0, 3, 3),
)
IDS = tuple(s.id for s in SPECS)


# --- writing the files (in a child process: ``python bench/files.py ...``) ----------------------


def _objects(pods: int, seed: int, kinds: tuple[str, ...]) -> Any:
    """The generated cluster's objects of ``kinds``, without ``metadata.managedFields``."""
    from localapi.generate import iter_objects

    for obj in iter_objects(pods, seed=seed, now=NOW):
        if obj.get("kind") in kinds:
            (obj.get("metadata") or {}).pop("managedFields", None)
            yield obj


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def write_json(path: Path, pods: int, seed: int) -> dict[str, int]:
    """A compact JSON v1 List, the items of each kind together (LIST_KINDS order), each sorted
    by namespace and name. The items are spooled per kind first, so memory stays small."""
    import orjson

    counts = dict.fromkeys(LIST_KINDS, 0)
    index: dict[str, list[tuple[str, str, int, int]]] = {k: [] for k in LIST_KINDS}
    spools = {k: open(path.with_name(f"{path.name}.{k}.spool"), "w+b") for k in LIST_KINDS}  # noqa: SIM115
    try:
        for obj in _objects(pods, seed, LIST_KINDS):
            kind = obj["kind"]
            data = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
            spool = spools[kind]
            index[kind].append((*_key(obj), spool.tell(), len(data)))
            spool.write(data)
            counts[kind] += 1
        with open(path, "wb") as out:
            out.write(b'{"apiVersion":"v1","items":[')
            sep = b""
            for kind in LIST_KINDS:
                spool = spools[kind]
                spool.flush()
                if not index[kind]:
                    continue
                with mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                    for _, _, start, size in sorted(index[kind]):
                        out.write(sep)
                        out.write(mm[start : start + size])
                        sep = b","
            out.write(b'],"kind":"List","metadata":{"resourceVersion":""}}\n')
    finally:
        for spool in spools.values():
            spool.close()
            os.unlink(spool.name)
    return counts


def write_yaml(path: Path, pods: int, seed: int) -> dict[str, int]:
    """``kubectl get pods -A -o yaml``: a v1 List of the pods, block style, keys sorted."""
    import yaml

    items = sorted(_objects(pods, seed, ("Pod",)), key=_key)
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with open(path, "w", encoding="utf-8") as f:
        yaml.dump(doc, f, Dumper=dumper, default_flow_style=False, allow_unicode=True)
    return {"Pod": len(items)}


def _main(argv: list[str]) -> int:
    fmt, path, pods, seed = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    started = time.perf_counter()
    counts = (write_json if fmt == "json" else write_yaml)(path, pods, seed)
    facts = {"kinds": counts, "generate_s": round(time.perf_counter() - started, 2)}
    print(json.dumps(facts), flush=True)
    return 0


# --- for bench/run.py ---------------------------------------------------------------------------


def generate(
    workdir: Path, seed: int, quick: bool, progress: Callable[[str], None]
) -> dict[str, dict[str, Any]]:
    """Write every file of SPECS into ``workdir``, side by side (one child process each), once
    per bench run; what each holds (or ``{"error": ...}``), by measurement id."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    children = []
    for spec in SPECS:
        path, err = workdir / spec.name, workdir / f"{spec.name}.err"
        argv = [sys.executable, str(HERE / "files.py"), spec.format, str(path)]
        argv += [str(spec.pods(quick)), str(seed)]
        with open(err, "wb") as f:
            child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=f, env=env, cwd=ROOT)
        children.append((spec, path, err, child))
    facts: dict[str, dict[str, Any]] = {}
    try:
        for spec, path, err, child in children:
            out, _ = child.communicate()
            if child.returncode != 0:
                tail = err.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
                facts[spec.id] = {
                    "error": f"generating {spec.name}: exit {child.returncode}\n{tail}"
                }
                continue
            size = path.stat().st_size
            facts[spec.id] = {
                "file": spec.name,
                "format": spec.format,
                "bytes": size,
                "mb": round(size / MB, 1),
                "target_mb": spec.target_mb,
                "pods": spec.pods(quick),
                "seed": seed,
                **json.loads(out),
            }
    finally:  # interrupted (SIGTERM, Ctrl-C): no writer outlives the bench's work directory
        for *_, child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    made = ", ".join(
        f"{spec.name} {f['mb']:.1f} MB" if "mb" in f else f"{spec.name} FAILED"
        for spec, f in ((spec, facts[spec.id]) for spec in SPECS)
    )
    progress(f"  offline: saved files made in {time.perf_counter() - started:.1f} s: {made}")
    return facts


def measurements(
    plugin: str, workdir: Path, seed: int, quick: bool, progress: Callable[[str], None]
) -> list[dict[str, Any]]:
    """The measured commands on the generated files, as keyword arguments of run.py's
    ``Measurement`` (the caller checks their output); a file that could not be made gives its
    measurement an error, and no runs."""
    facts = generate(workdir, seed, quick, progress)
    out = []
    for spec in SPECS:
        f = facts[spec.id]
        label = f"kubectl-exitwhy -f {spec.name} -A -o json"
        m: dict[str, Any] = {
            "id": spec.id,
            "label": f"{label}, {f['mb']:.0f} MB" if "mb" in f else label,
            "argv": [plugin, "-f", str(workdir / spec.name), "-A", "-o", "json"],
            "runs": spec.quick_runs if quick else spec.runs,
        }
        if "error" in f:
            m["error"] = f["error"]
        else:
            m["input"] = f
        out.append(m)
    return out


def full_size(m: dict[str, Any]) -> bool:
    """Whether a measurement's file is (about) the size its target is set for."""
    facts = m.get("input") or {}
    return bool(facts.get("bytes")) and facts["bytes"] >= FULL * facts["target_mb"] * MB


def describe(measurements: dict[str, Any]) -> list[str]:
    """A line per generated file for the report."""
    lines = []
    for mid in IDS:
        m = measurements.get(mid) or {}
        facts = m.get("input")
        if not facts:
            continue
        kinds = ", ".join(f"{n:,} {k}s" for k, n in facts["kinds"].items() if n)
        items = sorted({s.get("items") for s in m.get("samples") or ()} - {None})
        check = f"; output a DiagnosisList of {'/'.join(map(str, items))} items" if items else ""
        size = "" if full_size(m) else f"; the target is for {facts['target_mb']:g} MB"
        lines.append(
            f"  {facts['file']}: {facts['bytes'] / MB:.1f} MB of {facts['format']} ({kinds}; "
            f"seed {facts['seed']}, made in {facts['generate_s']:.1f} s){check}{size}"
        )
    return lines


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
