"""``kubectl exitwhy --help`` (and ``help``): the targets, the commands, five examples and every
flag, from the flag table in ``grammar.py``. No typer: help is as fast as ``code N``."""

from __future__ import annotations

from kubectl_exitwhy.grammar import FLAGS, GLOBAL, SELECT, SHOW, Flag

TOP = """\
Explain why each container in a pod, a workload, a node, a namespace or the cluster last
died, and what to do about it.

Usage:
  kubectl exitwhy [TARGET] [flags]
  kubectl exitwhy code N

Targets (as kubectl get takes them):
  (none)                     sweep the current namespace (-n NS: that one; -A: every one)
  pod NAME, pod/NAME, po/NAME
                             one pod: every container, evidence, next steps, last log lines
                             (-A: find it in whichever namespace holds it)
  deployment/NAME (deploy), statefulset/NAME (sts), daemonset/NAME (ds), replicaset/NAME
  (rs), job/NAME, cronjob/NAME (cj)
                             a sweep of that workload's pods
  node/NAME                  a sweep of the pods on that node (every namespace, unless -n)
  TYPE NAME works as TYPE/NAME does; with -f FILE every target reads the saved file.

Commands:
  code N                     explain an exit code, offline: 137, -1 (255), 300 (44), SIGSEGV
  completion bash|zsh|fish   a shell completion script
  version                    the version
  help [COMMAND]             this help, or a command's

Examples:
  # which nodes and workloads broke, in every namespace
  kubectl exitwhy -A
  # one pod's full story
  kubectl exitwhy pod api-7d9f8c6b5-x2x9z -n prod
  # a Deployment's pods, then each new failure as it happens
  kubectl exitwhy deploy/checkout -n shop -w
  # the pods on one node, one row per container
  kubectl exitwhy node/worker-3 -o wide
  # saved kubectl get output, offline; exit 1 on a critical finding
  kubectl exitwhy -f saved.json --fail-on critical
"""

TAIL = """
Flags go anywhere, in kubectl's forms: -n prod, -nprod, -n=prod, --namespace=prod, -Ao wide,
--all-namespaces=false. A command's own help: kubectl exitwhy help pod.

Exit status: 0 ran (no finding at or above --fail-on), 1 a finding at or above --fail-on,
2 usage error, 3 bad input file, 4 cluster access failed (or a pod list the server cut
short: what was read is printed), 130 interrupted.
"""


def _row(flag: Flag) -> str:
    name = flag.label + (f" {flag.metavar}" if flag.metavar else "")
    if len(name) > 27:
        return f"  {name}\n  {'':27}{flag.help}"
    return f"  {name:<27}{flag.help}"


def top() -> str:
    parts = [TOP]
    for group in (SELECT, SHOW, GLOBAL):
        parts.append(f"\n{group}:\n")
        parts.extend(_row(f) + "\n" for f in FLAGS if f.group == group)
    parts.append(TAIL)
    return "".join(parts)
