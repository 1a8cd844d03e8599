"""The typer commands: flags → query → source → engine → renderer.

Imported by ``cli.main`` for every command but the ``code`` fast path. Heavy modules (the
``kubernetes`` client, YAML) are imported only by the paths that need them.
"""

# No `from __future__ import annotations` here: on Python 3.9 typer reads the commands'
# annotations with inspect.signature, which would then see strings, not the Annotated options.

import os
import sys
from dataclasses import replace
from datetime import datetime, timezone
from typing import Annotated, Any, Iterable, Optional

import typer

from kubectl_exitwhy import __version__
from kubectl_exitwhy.errors import ExitStatus, UsageError
from kubectl_exitwhy.options import (
    AllNamespacesOpt,
    AllOpt,
    By,
    ByOpt,
    ContextOpt,
    FailOn,
    FailOnOpt,
    FileOpt,
    KubeconfigOpt,
    LogsOpt,
    NamespaceOpt,
    NoFoldOpt,
    Output,
    OutputOpt,
    SelectorOpt,
    TargetOpt,
    TimeoutOpt,
    WatchOpt,
)

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Explain why each container in a pod, a namespace or the cluster last died, and what "
    "to do about it.\n\nkubectl exitwhy [-n NS | -A] [-l SELECTOR]   sweep a namespace or the "
    "cluster\n\nkubectl exitwhy pod NAME [-n NS]   the full story of one pod\n\nkubectl exitwhy "
    "code N   explain an exit code\n\nkubectl exitwhy -f FILE   diagnose saved kubectl get -o "
    "json|yaml output offline\n\nExit status: 0 ran (no finding at or above --fail-on), 1 a "
    "finding at or above --fail-on, 2 usage error, 3 bad input file, 4 cluster access failed.",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _color() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def _timeout(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not m:
        raise UsageError(f"--request-timeout {text!r} is not a duration (try 30s or 1m)")
    value = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    return value or None


def _source(filename, kubeconfig, context, request_timeout, logs, flags=None):
    if filename is not None:
        from kubectl_exitwhy.sources.files import FileSource

        source = FileSource(filename)
        for note in source.notes:
            _warn(note)
        return source
    from kubectl_exitwhy.sources.cluster import ClusterSource

    return ClusterSource(
        kubeconfig=kubeconfig,
        context=context,
        request_timeout=_timeout(request_timeout),
        log_lines=logs,
        warn=_warn,
        flags=flags,
    )


_WARNED: set[str] = set()


def _warn(message: str) -> None:
    """Each warning once: the same refusal met by two reads is one thing to know."""
    from kubectl_exitwhy.sanitize import clean_line

    text = clean_line(message)
    if text not in _WARNED:
        _WARNED.add(text)
        sys.stderr.write(f"warning: {text}\n")


def _style(all_namespaces: bool, fold: bool = False) -> Any:
    """A pipe gets 100 columns and every row; a terminal (or COLUMNS, LINES) sets the width,
    and the height a folded sweep table fits."""
    import shutil

    from kubectl_exitwhy.render.style import Style

    width, height = 100, None
    columns = os.environ.get("COLUMNS", "")
    tty = sys.stdout.isatty()
    if columns.isdigit() and 40 <= int(columns) <= 1000:
        width = int(columns)
    elif tty:
        width = max(40, shutil.get_terminal_size((100, 24)).columns)
    if fold and tty:
        height = max(10, shutil.get_terminal_size((100, 24)).lines)
    return Style(
        now=_now(), width=width, color=_color(), all_namespaces=all_namespaces, height=height
    )


def _emit(
    report,
    output: Output,
    all_namespaces: bool,
    pod_view: bool,
    by: Optional[By],
    info: bool = False,
    fold: bool = False,
) -> None:
    """The pod view's JSON is the DiagnosisList alone; a sweep's adds its summaries."""
    style = _style(all_namespaces, fold)
    if output in (Output.json, Output.yaml):
        from kubectl_exitwhy.render import structured

        render = structured.render_json if output is Output.json else structured.render_yaml
        sys.stdout.write(render(report.diagnoses, style, None if pod_view else report))
    elif pod_view:
        from kubectl_exitwhy.render import detail

        sys.stdout.write(detail.render(report.diagnoses, style, report.nodes))
    elif output is Output.wide or by is By.pod:
        from kubectl_exitwhy.render import table

        sys.stdout.write(table.render(report.diagnoses, style, wide=output is Output.wide))
    else:
        from kubectl_exitwhy.render import incident

        sys.stdout.write(incident.render(report, style, show_info=info))


def _status(diagnoses: Iterable, fail_on: Optional[FailOn]) -> ExitStatus:
    if fail_on is None:
        return ExitStatus.OK
    from kubectl_exitwhy.diagnosis import SEVERITY_RANK

    limit = SEVERITY_RANK[fail_on.value]
    hit = any(SEVERITY_RANK[f.severity] <= limit for d in diagnoses for f in d.findings)
    return ExitStatus.FINDINGS if hit else ExitStatus.OK


@app.command("sweep", hidden=True)
def sweep(
    ctx: typer.Context,
    namespace: NamespaceOpt = None,
    all_namespaces: AllNamespacesOpt = False,
    selector: SelectorOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    request_timeout: TimeoutOpt = None,
    output: OutputOpt = Output.table,
    filename: FileOpt = None,
    all_pods: AllOpt = False,
    fail_on: FailOnOpt = None,
    logs: LogsOpt = 20,
    by: ByOpt = None,
    watch: WatchOpt = False,
    no_fold: NoFoldOpt = False,
    target_ref: TargetOpt = None,
) -> None:
    """Sweep a namespace (-n), the current one, or every namespace (-A); or the pods of a
    workload or a node."""
    import gc

    gc.disable()  # speed: a short run of acyclic API dicts; the collector only slows it
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.targets import Target, sweep_pods

    if watch and filename is not None:
        raise UsageError("--watch follows a cluster; a saved file does not change")
    target = Target.of(target_ref) if target_ref else None
    source = _source(filename, kubeconfig, context, request_timeout, logs, ctx.obj)
    if all_namespaces:
        scope = None
    elif namespace is not None:
        scope = namespace
    elif filename is not None or (target is not None and target.kind == "Node"):
        scope = None  # a file: all it holds; a node: its pods of every namespace
    else:
        scope = source.default_namespace
    pods = sweep_pods(source, scope, selector, all_pods, target, filename is not None)
    for gap in getattr(source, "gaps", ()):
        _warn(gap)
    diagnoses = [diagnose(p) for p in pods]
    if not all_pods:  # completed Jobs and graceful stops (info only) are listed with --all
        kept = [i for i, d in enumerate(diagnoses) if any(f.severity != "info" for f in d.findings)]
        pods, diagnoses = [pods[i] for i in kept], [diagnoses[i] for i in kept]
    per_pod = output is Output.wide or (output is Output.table and by is By.pod)
    report = correlate(pods, diagnoses, source.census, include_info=all_pods, group=not per_pod)
    from kubectl_exitwhy.sanitize import clean_line

    where = "any namespace" if scope is None else f"namespace {clean_line(scope)}"
    listed = sum(source.census.values()) if source.census is not None else None
    if listed == 0 and not selector and scope is not None and target is None:
        # a typo must not read as a healthy namespace, whatever the output (stderr: -o json
        # stays a clean document)
        sys.stderr.write(f"No pods in {where} (is the name right? kubectl get namespaces).\n")
    elif not diagnoses and output in (Output.table, Output.wide):
        if target is not None:
            sys.stderr.write(target.nothing(where if scope is not None else None, listed))
        elif all_pods or listed == 0:
            sys.stderr.write(f"No pods in {where}.\n")
        else:
            sys.stderr.write(
                f"No pod with a failure to explain in {where} (--all lists completed and "
                "healthy pods too).\n"
            )
    _emit(report, output, scope is None, pod_view=False, by=by, info=all_pods, fold=not no_fold)
    status = _status(diagnoses, fail_on)
    if watch:
        from kubectl_exitwhy.sources.watch import Follower

        field = target.field_selector if target is not None else None
        follower = Follower(source, scope, selector, field, warn=_warn)
        follower.already(pods)
        path = follower.path
        keep = target.owns if target is not None else None
        _follow(source, follower, source.list_versions.get(path, ""), output, all_pods, keep)
    raise typer.Exit(status)


@app.command("pod")
def pod(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The pod's name.")],
    namespace: NamespaceOpt = None,
    all_namespaces: AllNamespacesOpt = False,
    selector: SelectorOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    request_timeout: TimeoutOpt = None,
    output: OutputOpt = Output.table,
    filename: FileOpt = None,
    all_pods: AllOpt = False,
    fail_on: FailOnOpt = None,
    logs: LogsOpt = 20,
    watch: WatchOpt = False,
) -> None:
    """The full story of one pod: every container, evidence, next steps, previous-log tail."""
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.targets import one_namespace

    if selector:
        raise UsageError("-l/--selector does not apply to a single pod")
    if watch and filename is not None:
        raise UsageError("--watch follows a cluster; a saved file does not change")
    source = _source(filename, kubeconfig, context, request_timeout, logs, ctx.obj)
    if filename is not None:
        namespace = None if all_namespaces else namespace
        one_namespace(source, name, namespace)
    elif all_namespaces:
        namespace = source.locate(name)
    elif namespace is None:
        namespace = source.default_namespace
    evidence = source.pod(name, namespace)
    for gap in getattr(source, "gaps", ()):
        _warn(gap)
    own = diagnose(evidence)
    others = source.neighbours(evidence) if any(_killed(f) for f in own.findings) else []
    report = correlate([evidence, *others], [own, *(diagnose(o) for o in others)])
    report = replace(report, diagnoses=report.diagnoses[:1])
    diagnosis = report.diagnoses[0]
    if output in (Output.json, Output.yaml):  # the pod view prints them itself; JSON keeps
        for w in diagnosis.warnings:  # stdout pure
            _warn(w)
    _emit(report, output, all_namespaces, pod_view=True, by=None)
    status = _status([diagnosis], fail_on)
    if watch:
        from kubectl_exitwhy.sources.watch import Follower

        follower = Follower(source, evidence.namespace, None, f"metadata.name={name}", _warn)
        follower.already([evidence])
        follower.gone = _gone
        _follow(source, follower, "", output, all_pods)
    raise typer.Exit(status)


# kills whose sender the pod's own record does not prove: the node's other pods may
# (an OOM at the container's own limit, or an eviction, is proven by the pod alone)
UNPROVEN_KILLS = {"sigkill", "oom_node", "container_status_unknown", "runtime_lost"}


def _killed(f) -> bool:
    """A kill from outside the program, sender unproven: the pod view then looks at the other
    pods on the node."""
    return f.cause in UNPROVEN_KILLS


def _gone(obj: dict) -> None:
    """The watched pod was deleted: say so (the watch then ends)."""
    from kubectl_exitwhy.sanitize import clean_line

    meta: dict = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    when = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
    who = clean_line(f"{meta.get('namespace', '')}/{meta.get('name', '')}")
    sys.stdout.write(f"{when}  {who}  deleted: the pod is gone, the watch ends\n")
    sys.stdout.flush()


def _follow(source, follower, version: str, output: Output, show_info: bool, keep=None) -> None:
    """Print each new failure as the watch reports it; Ctrl-C ends it (exit status of the sweep
    before it)."""
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.render import structured, watch

    def failed(obj: dict) -> None:
        meta: dict = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        evidence = source.pod_from(obj, str(meta.get("namespace", "")))
        if keep is not None and not keep(evidence):  # a workload's pods among the namespace's
            return
        d = correlate([evidence], [diagnose(evidence)]).diagnoses[0]
        if output in (Output.json, Output.yaml):
            if any(f.severity != "info" or show_info for f in d.findings):
                render = structured.line if output is Output.json else structured.yaml_document
                sys.stdout.write(render(d))
        else:
            for text in watch.lines(d, _style(True), show_info):
                sys.stdout.write(text + "\n")
        sys.stdout.flush()

    if sys.stderr.isatty():
        sys.stderr.write("Watching for new failures (Ctrl-C to stop)…\n")
    sys.stdout.flush()
    try:
        follower.follow(failed, version)
    except KeyboardInterrupt:
        sys.stdout.flush()


@app.command("code")
def code(
    value: Annotated[str, typer.Argument(help="An exit code: 137, -1, 300, 3.5 …")],
    output: OutputOpt = Output.table,
) -> None:
    """Explain an exit code, offline."""
    from kubectl_exitwhy.codeview import show_code

    show_code(value, output.value)


@app.command("version")
def version() -> None:
    """Print the version."""
    sys.stdout.write(f"kubectl-exitwhy {__version__}\n")
