"""The typer commands' options and their types: one declaration each, shared by the commands
(``commands.py``). kubectl's flag forms are read before click sees them (``grammar.py``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer


class Output(str, Enum):
    table = "table"
    wide = "wide"
    json = "json"
    yaml = "yaml"


class By(str, Enum):
    workload = "workload"
    pod = "pod"


class FailOn(str, Enum):
    info = "info"
    warning = "warning"
    critical = "critical"


NamespaceOpt = Annotated[
    Optional[str], typer.Option("-n", "--namespace", help="Namespace (default: the context's).")
]
AllNamespacesOpt = Annotated[
    bool, typer.Option("-A", "--all-namespaces", help="Sweep every namespace.")
]
SelectorOpt = Annotated[
    Optional[str], typer.Option("-l", "--selector", help="Label selector, e.g. app=api,tier!=db.")
]
ContextOpt = Annotated[Optional[str], typer.Option("--context", help="Kubeconfig context.")]
KubeconfigOpt = Annotated[
    Optional[str], typer.Option("--kubeconfig", help="Kubeconfig file (default: $KUBECONFIG).")
]
TimeoutOpt = Annotated[
    Optional[str],
    typer.Option(
        "--request-timeout", help="Request deadline, retries included: 30s, 1m (unset or 0: 60s)."
    ),
]
OutputOpt = Annotated[Output, typer.Option("-o", "--output", help="table, wide, json or yaml.")]
FileOpt = Annotated[
    Optional[str],
    typer.Option("-f", "--filename", help="Saved kubectl get -o json|yaml output; - for stdin."),
]
AllOpt = Annotated[
    bool,
    typer.Option("--all", help="Also list healthy pods, completed Jobs and graceful stops."),
]
FailOnOpt = Annotated[
    Optional[FailOn],
    typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe."),
]
ByOpt = Annotated[
    Optional[By],
    typer.Option(
        "--by",
        help="workload: one row per workload and cause (the default table); pod: one row per "
        "container (as -o wide).",
    ),
]
WatchOpt = Annotated[
    bool,
    typer.Option(
        "-w", "--watch", help="After the sweep, print each new failure as it happens (Ctrl-C)."
    ),
]
NoFoldOpt = Annotated[
    bool,
    typer.Option(
        "--no-fold",
        help="Print every row of the sweep table even when they do not fit the terminal "
        "(output that is not a terminal is never folded).",
    ),
]
TargetOpt = Annotated[
    Optional[str], typer.Option("--target", hidden=True, help="Kind/name: a workload or a node.")
]
LogsOpt = Annotated[
    int, typer.Option("--logs", help="Previous-log lines per failed container (0: none).", min=0)
]
