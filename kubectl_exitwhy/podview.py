"""The pod view, ``kubectl exitwhy pod NAME``: one pod's evidence read, diagnosed, printed.

Two ways in, one body: the typer command (``commands.pod``: every flag, ``-f``, ``-A``,
``--watch``) and the fast path (``run``), which ``cli.py`` takes for the common case — one pod
of a cluster, ``-o table|json|yaml``, no watch — without importing typer, and with the
``kubernetes`` package's kubeconfig loader loaded lean (``sources/lean.py``) and the pod's reads
sent at once (``sources/prefetch.py``). Anything else, or ``EXITWHY_NO_FAST_PATH=1``, takes the
typer command. Both print the same bytes and exit with the same status
(tests/test_fast_path.py).
"""

from __future__ import annotations

import os
from typing import Any, Optional

from kubectl_exitwhy import present
from kubectl_exitwhy.frozen import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubectl_exitwhy.grammar import Parsed

# kills whose sender the pod's own record does not prove: the node's other pods may
# (an OOM at the container's own limit, or an eviction, is proven by the pod alone)
UNPROVEN_KILLS = {"sigkill", "oom_node", "container_status_unknown", "runtime_lost"}
FAST_OUTPUTS = ("table", "json", "yaml")


def killed(f: Any) -> bool:
    """A kill from outside the program, sender unproven: the pod view then looks at the other
    pods on the node."""
    return f.cause in UNPROVEN_KILLS


def show(
    source: Any,
    name: str,
    namespace: Optional[str],
    output: str,
    all_namespaces: bool,
    fail_on: Optional[str],
    from_file: bool,
    ahead: bool = False,
    sent: Optional[dict] = None,
) -> tuple[Any, int]:
    """Print the pod view; (the pod's evidence, the exit status). ``ahead``: send the pod's
    reads at once (a cluster source); ``sent``: those already sent (``prefetch.send_pod``)."""
    from kubectl_exitwhy.targets import one_namespace

    if from_file:
        namespace = None if all_namespaces else namespace
        one_namespace(source, name, namespace)
    elif all_namespaces:
        namespace = source.locate(name)
    elif namespace is None:
        namespace = source.default_namespace
    if ahead:
        from kubectl_exitwhy.sources.prefetch import read_pod

        evidence = read_pod(source, name, namespace, meanwhile=lambda: _load(output), sent=sent)
    else:
        evidence = source.pod(name, namespace)
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose

    for gap in getattr(source, "gaps", ()):
        present.warn(gap)
    own = diagnose(evidence)
    others = source.neighbours(evidence) if any(killed(f) for f in own.findings) else []
    report = correlate([evidence, *others], [own, *(diagnose(o) for o in others)])
    report = replace(report, diagnoses=report.diagnoses[:1])
    diagnosis = report.diagnoses[0]
    if output in ("json", "yaml"):  # the pod view prints them itself; JSON keeps stdout pure
        for w in diagnosis.warnings:
            present.warn(w)
    present.emit(report, output, all_namespaces, pod_view=True, by=None)
    return evidence, present.status([diagnosis], fail_on)


def _load(output: str) -> None:
    """What diagnoses and prints the pod, loaded while its reads travel."""
    import importlib

    for module in (
        "engine",
        "correlate",
        f"render.{'detail' if output == 'table' else 'structured'}",
    ):
        importlib.import_module(f"kubectl_exitwhy.{module}")


def fast(parsed: Parsed) -> bool:
    """The fast path takes it: one pod of a cluster in its namespace, a format it prints."""
    if os.environ.get("EXITWHY_NO_FAST_PATH", "").strip() not in ("", "0"):
        return False
    unusual = ("watch", "all-namespaces", "filename", "selector")
    return (
        not any(parsed.get(flag) for flag in unusual)
        and (parsed.get("output") or "table") in FAST_OUTPUTS
    )


def run(parsed: Parsed, name: str) -> int:
    """The pod view of a cluster's pod, as ``commands.pod`` gives it (``fast`` said yes). The
    collector is off meanwhile: a run this short makes no garbage worth a pass, and its passes
    over the modules being imported cost ~4%. At its end what it made is frozen (``gc.freeze``),
    as the process ends with it: else the first collection after the collector is back, and the
    interpreter's last one at exit, each go over every object made since (the modules, their
    functions and classes) for nothing, ~25 ms (~10% of the run). Memory is still freed by
    reference counting as usual; only cycles among those objects are never collected."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(parsed, name)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _run(parsed: Parsed, name: str) -> int:
    """Connected, the pod's GET goes out at once: its answer travels while the rest of the pod
    view (``cluster.py``, the evidence) is loaded, and what it names goes out while the engine
    is (``read_pod``)."""
    from kubectl_exitwhy.grammar import connection
    from kubectl_exitwhy.sources.connect import connect
    from kubectl_exitwhy.sources.http import ApiReader
    from kubectl_exitwhy.sources.prefetch import send_pod

    kubeconfig = parsed.get("kubeconfig") or None  # empty counts as not given (grammar.py)
    context = parsed.get("context") or None
    request_timeout = present.timeout(parsed.get("request-timeout") or None)
    flags = connection(parsed)
    made = connect(kubeconfig, context, flags=flags, timeout=request_timeout, lean=True)
    client, default_namespace, server = made
    namespace = parsed.get("namespace") or None
    reader = ApiReader(client, server, request_timeout, present.warn)
    sent = send_pod(reader, name, namespace or default_namespace)
    from kubectl_exitwhy.sources.cluster import ClusterSource

    source = ClusterSource(
        kubeconfig=kubeconfig,
        context=context,
        request_timeout=request_timeout,
        log_lines=parsed.get("logs", 20),
        warn=present.warn,
        flags=flags,
        lean=True,
        connection=made,
    )
    output = parsed.get("output") or "table"
    _, status = show(
        source, name, namespace, output, False, parsed.get("fail-on"), False, ahead=True, sent=sent
    )
    return int(status)
