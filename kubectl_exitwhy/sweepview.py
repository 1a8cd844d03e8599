"""The sweep, ``kubectl exitwhy [-n NS | -A] [-l SEL] [TYPE/NAME]``: every pod of a namespace,
the cluster, a workload or a node read, the broken ones diagnosed, grouped and printed.

Two ways in, one body (``show``), as for the pod view: the typer command (``commands.sweep``,
which adds ``--watch``) and the fast path (``run``), which ``cli.py`` takes for every sweep that
does not watch — without importing typer (~60 ms and ~8 MB of a 50,000-pod sweep's peak). Both
print the same bytes and exit with the same status (tests/test_fast_path.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from kubectl_exitwhy import present, progress
from kubectl_exitwhy.errors import ClusterError, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubectl_exitwhy.grammar import Parsed
    from kubectl_exitwhy.progress import Progress
    from kubectl_exitwhy.targets import Target


def open_source(
    filename: Optional[str],
    kubeconfig: Optional[str],
    context: Optional[str],
    request_timeout: Optional[str],
    logs: int,
    flags: Optional[dict] = None,
    line: Optional[Progress] = None,
) -> Any:
    """A saved file's source (its notes warned), or the cluster's of the kubeconfig."""
    if filename is not None:
        from kubectl_exitwhy.sources.files import FileSource

        source = FileSource(filename)
        for note in source.notes:
            present.warn(note)
        return source
    from kubectl_exitwhy.sources.cluster import ClusterSource

    return ClusterSource(
        kubeconfig=kubeconfig,
        context=context,
        request_timeout=present.timeout(request_timeout),
        log_lines=logs,
        warn=present.warn,
        flags=flags,
        lean=True,  # the package's loader without its start-up cost (sources/lean.py)
        progress=line,
    )


def show(
    source: Any,
    line: Progress,
    *,
    namespace: Optional[str],
    all_namespaces: bool,
    selector: Optional[str],
    all_pods: bool,
    target: Optional[Target],
    from_file: bool,
    output: str,
    by: Optional[str],
    fail_on: Optional[str],
    fold: bool,
) -> tuple[list, Optional[str], int]:
    """Print the sweep; (its pods' evidence, the namespace swept or None, the exit status)."""
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sanitize import clean_line
    from kubectl_exitwhy.targets import sweep_pods

    if all_namespaces:
        scope = None
    elif namespace is not None:
        scope = namespace
    elif from_file or (target is not None and target.kind == "Node"):
        scope = None  # a file: all it holds; a node: its pods of every namespace
    else:
        scope = source.default_namespace
    # the pods whose evidence is final while the source still reads logs are diagnosed then
    # (kept with the very pod object: one that changed afterwards is diagnosed again)
    early: dict[int, tuple[Any, Any]] = {}

    def settled(pod: Any) -> None:
        early[id(pod)] = (pod, diagnose(pod))

    pods = sweep_pods(source, scope, selector, all_pods, target, from_file, settled)
    for gap in getattr(source, "gaps", ()):
        present.warn(gap)
    refused: list[str] = []
    # a controller's labels are not read (with -l, whose it is is unknown), and a list cut
    # short does not show which controllers have pods
    if selector is None and not getattr(source, "missing", None):
        from kubectl_exitwhy.correlate.unborn import unborn

        wants = getattr(source, "still_wants", None)
        refused = unborn(source.creates, source.listed_owners, target, wants)
        for said in refused:
            present.warn(said)
    line.say(f"diagnosing {len(pods):,} pods", now=True)
    diagnoses = [_diagnosed(p, early, diagnose) for p in pods]
    early.clear()
    if not all_pods:  # completed Jobs and graceful stops (info only) are listed with --all
        kept = [i for i, d in enumerate(diagnoses) if any(f.severity != "info" for f in d.findings)]
        pods, diagnoses = [pods[i] for i in kept], [diagnoses[i] for i in kept]
    per_pod = output == "wide" or (output == "table" and by == "pod")
    report = correlate(pods, diagnoses, source.census, include_info=all_pods, group=not per_pod)
    line.clear()
    where = "any namespace" if scope is None else f"namespace {clean_line(scope)}"
    listed = sum(source.census.values()) if source.census is not None else None
    text = output in ("table", "wide")
    missing = getattr(source, "missing", None)
    if missing:  # some pods were never read: "no pods" would not be true (the error says why)
        pass
    elif listed == 0 and not selector and scope is not None and target is None:
        # a typo must not read as a healthy namespace, whatever the output (stderr: -o json
        # stays a clean document)
        sys.stderr.write(f"No pods in {where} (is the name right? kubectl get namespaces).\n")
    elif listed == 0 and target is not None and not from_file:
        exists = source.exists(target, scope)
        if exists is False:
            where = "" if target.kind == "Node" else f" in {where}"
            raise NotFound(f"{target.kind.lower()} {clean_line(target.name)} not found{where}")
        if text:
            _say(target.nothing(where if scope is not None else None, listed))
            if exists is None:
                _say(f"(Whether {target.ref} exists could not be checked: reading it was refused.)")
    elif not diagnoses and text:
        if target is not None:
            _say(target.nothing(where if scope is not None else None, listed))
        elif all_pods or listed == 0:
            sys.stderr.write(f"No pods in {where}.\n")
        else:
            sys.stderr.write(
                f"No pod with a failure to explain in {where} (--all lists completed and "
                "healthy pods too).\n"
            )
    failed = _job_failed(source, target, scope) if not diagnoses and not missing else None
    if failed is not None:  # a failed Job whose pods are gone is not a calm "no pods"
        _say(failed)
    present.emit(report, output, scope is None, pod_view=False, by=by, info=all_pods, fold=fold)
    if missing:  # what was read is diagnosed above; the exit status says it is not the whole
        raise ClusterError(f"{missing}: the diagnosis covers only those (see the warning above)")
    status = int(present.status(diagnoses, fail_on))
    if (failed is not None or refused) and fail_on is not None:
        # a failed Job, or pods the API server refuses: critical, at or above any --fail-on
        status = max(status, 1)
    return pods, scope, status


def _job_failed(source: Any, target: Optional[Target], scope: Optional[str]) -> Optional[str]:
    """For a Job target without a pod left to explain: how the Job failed, if it did, and what
    became of its pods."""
    if target is None or target.kind != "Job" or not hasattr(source, "failed_job"):
        return None
    from kubectl_exitwhy.sanitize import clean_line

    found = source.failed_job(target.name, scope)
    if found is None:
        return None
    where, cond = found
    said = ": ".join(x for x in (cond.reason, cond.message) if x) or "no reason given"
    why = clean_line(" ".join(said.split()))[:300]
    ns = f" -n {clean_line(where)}" if where else ""
    return (
        f"{target.ref} failed ({why}), and no pod of it is left to explain why: the job "
        "controller deletes a failed Job's running pods (a restartPolicy OnFailure pod restarts "
        "in place until then), and a TTL or cleanup may delete the rest. Its events may still "
        f"say more: kubectl describe job {clean_line(target.name)}{ns}"
    )


def _diagnosed(pod: Any, early: dict[int, tuple[Any, Any]], diagnose: Any) -> Any:
    """The pod's diagnosis: the one made while the logs were read if it was made of this very
    pod, else made now."""
    known = early.get(id(pod))
    return known[1] if known is not None and known[0] is pod else diagnose(pod)


def _say(text: str) -> None:
    """One line on stderr, cleaned: a target's name is the user's text."""
    from kubectl_exitwhy.sanitize import clean_line

    sys.stderr.write(clean_line(text.rstrip("\n")) + "\n")


def begin(filename: Optional[str]) -> Progress:
    """The run's progress line (on a terminal), from before the source is opened."""
    from kubectl_exitwhy.sanitize import clean_line

    line = progress.start()
    if filename is not None:
        name = "standard input" if filename == "-" else clean_line(filename)
        line.say(f"reading {name}", now=True)
    return line


def fast(parsed: Parsed) -> bool:
    """The fast path takes every sweep that does not watch (unless EXITWHY_NO_FAST_PATH)."""
    if os.environ.get("EXITWHY_NO_FAST_PATH", "").strip() not in ("", "0"):
        return False
    return not parsed.get("watch")


def run(parsed: Parsed, target_ref: Optional[str]) -> int:
    """The sweep as ``commands.sweep`` gives it (``fast`` said yes). The collector is off for
    the run: pages are trees of acyclic dicts, and its passes over them only slow it. At its
    end what it made is frozen (``gc.freeze``), as the process ends with it: the interpreter's
    last collection at exit would go over all of it for nothing (~70 ms at 50,000 pods).
    malloc keeps one arena (``heap``), set before the sweep starts a thread."""
    import gc

    from kubectl_exitwhy.heap import one_arena

    gc.disable()
    one_arena()
    try:
        return _run(parsed, target_ref)
    finally:
        gc.freeze()


def _run(parsed: Parsed, target_ref: Optional[str]) -> int:
    from kubectl_exitwhy.grammar import connection
    from kubectl_exitwhy.targets import Target

    filename = parsed.get("filename") or None
    line = begin(filename)
    source = open_source(
        filename,
        parsed.get("kubeconfig") or None,  # empty counts as not given (grammar.py)
        parsed.get("context") or None,
        parsed.get("request-timeout") or None,
        parsed.get("logs", 20),
        connection(parsed),
        line,
    )
    _, _, status = show(
        source,
        line,
        namespace=parsed.get("namespace") or None,
        all_namespaces=bool(parsed.get("all-namespaces")),
        selector=parsed.get("selector") or None,
        all_pods=bool(parsed.get("all")),
        target=Target.of(target_ref) if target_ref else None,
        from_file=filename is not None,
        output=(parsed.get("output") or "table").lower(),
        by=parsed.get("by") or None,
        fail_on=parsed.get("fail-on") or None,
        fold=not parsed.get("no-fold"),
    )
    return status
