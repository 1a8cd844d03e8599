"""The typer commands: flags → query → source → engine → renderer.

Imported by ``cli.main`` for every command but the ``code`` fast path. Heavy modules (the
``kubernetes`` client, YAML) are imported only by the paths that need them.
"""

# No `from __future__ import annotations` here: on Python 3.9 typer reads the commands'
# annotations with inspect.signature, which would then see strings, not the Annotated options.

import sys
from typing import Annotated

import typer

from kubectl_exitwhy import __version__
from kubectl_exitwhy.errors import UsageError
from kubectl_exitwhy.options import (
    AllNamespacesOpt,
    AllOpt,
    ByOpt,
    ContextOpt,
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

# shared with the pod view's fast path (podview.py): the same bytes either way
from kubectl_exitwhy.present import now as _now
from kubectl_exitwhy.present import out as _out
from kubectl_exitwhy.present import style as _style
from kubectl_exitwhy.present import warn as _warn
from kubectl_exitwhy.sweepview import open_source

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
    "finding at or above --fail-on, 2 usage error, 3 bad input file, 4 cluster access failed "
    "(or a pod list the server cut short: what was read is printed), 130 interrupted.",
)


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
    from kubectl_exitwhy import sweepview
    from kubectl_exitwhy.heap import one_arena

    one_arena()  # before the sweep starts a thread (heap.py)
    from kubectl_exitwhy.targets import Target

    if watch and filename is not None:
        raise UsageError("--watch follows a cluster; a saved file does not change")
    target = Target.of(target_ref) if target_ref else None
    line = sweepview.begin(filename)  # on a terminal: what is being read, from the first page on
    source = open_source(filename, kubeconfig, context, request_timeout, logs, ctx.obj, line)
    pods, scope, status = sweepview.show(
        source,
        line,
        namespace=namespace,
        all_namespaces=all_namespaces,
        selector=selector,
        all_pods=all_pods,
        target=target,
        from_file=filename is not None,
        output=output.value,
        by=by.value if by is not None else None,
        fail_on=fail_on.value if fail_on is not None else None,
        fold=not no_fold,
    )
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
    from kubectl_exitwhy import podview

    if selector:
        raise UsageError("-l/--selector does not apply to a single pod")
    if watch and filename is not None:
        raise UsageError("--watch follows a cluster; a saved file does not change")
    source = open_source(filename, kubeconfig, context, request_timeout, logs, ctx.obj)
    level = fail_on.value if fail_on is not None else None
    evidence, status = podview.show(
        source, name, namespace, output.value, all_namespaces, level, filename is not None
    )
    if watch:
        from kubectl_exitwhy.sources.watch import Follower

        follower = Follower(source, evidence.namespace, None, f"metadata.name={name}", _warn)
        follower.already([evidence])
        follower.gone = _gone
        _follow(source, follower, "", output, all_pods)
    raise typer.Exit(status)


def _gone(obj: dict) -> None:
    """The watched pod was deleted: say so (the watch then ends)."""
    from kubectl_exitwhy.sanitize import clean_line

    meta: dict = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    when = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
    who = clean_line(f"{meta.get('namespace', '')}/{meta.get('name', '')}")
    _out(f"{when}  {who}  deleted: the pod is gone, the watch ends\n", flush=True)


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
                _out(render(d))
        else:
            for text in watch.lines(d, _style(True), show_info):
                _out(text + "\n")
        _out("", flush=True)

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
