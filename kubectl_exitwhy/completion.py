"""Shell completion. kubectl (1.26 and later) completes a plugin's arguments by running
``kubectl_complete-exitwhy __complete <the words so far> <the word being completed>``: one
candidate a line, then ``:<directive>`` (cobra's: 4 = no file completion, 0 = the shell's
default, files). Candidates are the commands and resource types, flags, flag values, and
names read from the cluster — namespaces, nodes, pods, workloads — with a 2 s bound and one
try; a failure gives no candidates, never an error. ``kubectl exitwhy completion SHELL``
prints a script that completes the ``kubectl-exitwhy`` command itself the same way.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from kubectl_exitwhy import grammar, targets

NO_FILES, FILES = 4, 0
BOUND = 2.0
CODES = ("0", "1", "2", "126", "127", "128", "130", "134", "137", "139", "143", "255")
COMMANDS = ("code", "completion", "help", "version")
TYPES = ("pod", "deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob", "node")
FILE_FLAGS = {"filename", "kubeconfig", "certificate-authority", "client-certificate", "client-key"}
LISTS = {
    "Pod": "/api/v1/namespaces/{ns}/pods",
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments",
    "StatefulSet": "/apis/apps/v1/namespaces/{ns}/statefulsets",
    "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets",
    "ReplicaSet": "/apis/apps/v1/namespaces/{ns}/replicasets",
    "Job": "/apis/batch/v1/namespaces/{ns}/jobs",
    "CronJob": "/apis/batch/v1/namespaces/{ns}/cronjobs",
    "Node": "/api/v1/nodes",
    "Namespace": "/api/v1/namespaces",
}


def complete(args: list[str]) -> tuple[list[str], int]:
    """The candidates for the last of ``args`` (the word being completed) and the directive."""
    before, current = args[:-1], (args[-1] if args else "")
    try:
        parsed = grammar.parse(before)
    except Exception:  # an unfinished line: complete what can be
        parsed = grammar.Parsed()
    flag = _pending_flag(before)
    if flag is not None:
        return _values(flag, parsed, "", current)
    if current.startswith("--") and "=" in current:
        name, _, value = current[2:].partition("=")
        known = grammar.LONG.get(name)
        if known is None:
            return [], NO_FILES
        return _values(known, parsed, f"--{name}=", value)
    if current.startswith("-"):
        names = [f"--{f.name}" for f in grammar.FLAGS] + [
            f"-{f.short}" for f in grammar.FLAGS if f.short
        ]
        return [n for n in names if n.startswith(current)], NO_FILES
    words = parsed.words
    if not words:
        if "/" in current:
            word, _, name = current.partition("/")
            kind = targets._kind(word)
            found = _names(kind, parsed) if kind else []
            return [f"{word}/{n}" for n in found if n.startswith(name)], NO_FILES
        return _starting(COMMANDS + TYPES, current), NO_FILES
    if len(words) == 1:
        if words[0] == "code":
            return _starting(CODES, current), NO_FILES
        if words[0] == "completion":
            return _starting(("bash", "zsh", "fish"), current), NO_FILES
        if words[0] == "help":
            return _starting(COMMANDS + ("pod",), current), NO_FILES
        kind = targets._kind(words[0])
        if kind is not None:
            return _starting(_names(kind, parsed), current), NO_FILES
    return [], NO_FILES


def _pending_flag(before: list[str]) -> Optional[grammar.Flag]:
    """The flag whose value is being completed: ``-n <TAB>``, ``--context <TAB>``."""
    if not before or before[-1] == "--" or not before[-1].startswith("-"):
        return None
    last = before[-1]
    flag = grammar.LONG.get(last[2:]) if last.startswith("--") else grammar.SHORT.get(last[-1:])
    if last.startswith("-") and not last.startswith("--") and "=" in last:
        return None
    return flag if flag is not None and flag.kind != grammar.BOOL else None


def _values(flag: grammar.Flag, parsed: Any, prefix: str, current: str) -> tuple[list[str], int]:
    if flag.name in FILE_FLAGS:
        return [], FILES
    if flag.choices:
        options = flag.choices
    elif flag.name == "namespace":
        options = tuple(_names("Namespace", parsed))
    elif flag.name in ("context", "cluster", "user"):
        options = tuple(_kubeconfig_names(flag.name, parsed))
    else:
        options = ()
    return [prefix + o for o in options if o.startswith(current)], NO_FILES


def _starting(options: Any, current: str) -> list[str]:
    return [o for o in options if o.startswith(current)]


def _kubeconfig_names(what: str, parsed: Any) -> list[str]:
    try:
        from kubernetes.config import kube_config

        files = parsed.get("kubeconfig") or os.environ.get("KUBECONFIG") or "~/.kube/config"
        paths = [os.path.expanduser(p) for p in files.split(os.pathsep) if p]
        config = kube_config.KubeConfigMerger(os.pathsep.join(paths)).config
        section = {"context": "contexts", "cluster": "clusters", "user": "users"}[what]
        return sorted(str(e["name"]) for e in config.value.get(section) or [] if "name" in e)
    except Exception:
        return []


def _names(kind: str, parsed: Any) -> list[str]:
    """The names of one kind of object, read with a short bound; none on any failure."""
    try:
        from kubectl_exitwhy.sources.connect import connect
        from kubectl_exitwhy.sources.http import ApiReader

        flags = grammar.connection(parsed)
        client, default_ns, server = connect(
            parsed.get("kubeconfig"), parsed.get("context"), flags=flags
        )
        reader = ApiReader(client, server, BOUND, lambda message: None)
        ns = parsed.get("namespace") or default_ns
        path = LISTS[kind].format(ns=ns)
        if kind != "Node" and kind != "Namespace" and parsed.get("all-namespaces"):
            path = path.replace(f"/namespaces/{ns}", "")
        page = reader.get(path, {"limit": 500}, f"listing {kind}", timeout=BOUND, tries=1)
        items = page.get("items") if isinstance(page, dict) else None
        return sorted(
            {
                str(i["metadata"]["name"])
                for i in items or []
                if isinstance(i, dict) and isinstance(i.get("metadata"), dict)
                and i["metadata"].get("name")
            }
        )  # fmt: skip
    except Exception:
        return []


def main(argv: Optional[list[str]] = None) -> None:
    """``kubectl_complete-exitwhy __complete ARGS…``: what kubectl runs to complete the plugin."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("__complete", "__completeNoDesc"):
        args = args[1:]
    candidates, directive = complete(args or [""])
    sys.stdout.write("".join(f"{c}\n" for c in candidates) + f":{directive}\n")


def script(values: list[str]) -> str:
    from kubectl_exitwhy.completion_scripts import SCRIPTS
    from kubectl_exitwhy.errors import UsageError

    if len(values) != 1 or values[0] not in SCRIPTS:
        raise UsageError("completion takes one shell: bash, zsh or fish")
    return SCRIPTS[values[0]]
