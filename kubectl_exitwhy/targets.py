"""What the words after ``kubectl exitwhy`` name, as ``kubectl get`` reads them: a command
(``code 137``, ``version``, ``help``, ``completion bash``), or a target — ``TYPE/NAME`` or
``TYPE NAME`` — a pod (the pod view), a workload (a sweep of its pods) or a node (a sweep of
the pods on it).

A workload is matched on the workload ``owners.py`` resolves for each pod (ReplicaSet →
Deployment, Job → CronJob), or on the pod's own owner reference (``job/x`` of a CronJob's Job,
``rs/x``): the workload object itself is read only when none of its pods is found
(``ClusterSource.exists``: a typo is NotFound, not a calm "No pods of").

Imported on every run (``code N`` too): the standard library only.
"""

from __future__ import annotations

from kubectl_exitwhy.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional, Tuple

PROG = "kubectl exitwhy"
COMMANDS = ("code", "version", "help", "completion")
KINDS = {
    "pod": "Pod", "pods": "Pod", "po": "Pod",
    "deployment": "Deployment", "deployments": "Deployment", "deploy": "Deployment",
    "statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
    "daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet",
    "replicaset": "ReplicaSet", "replicasets": "ReplicaSet", "rs": "ReplicaSet",
    "job": "Job", "jobs": "Job",
    "cronjob": "CronJob", "cronjobs": "CronJob", "cj": "CronJob",
    "node": "Node", "nodes": "Node", "no": "Node",
}  # fmt: skip
GROUPS = {"Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "ReplicaSet": "apps"}
GROUPS.update({"Job": "batch", "CronJob": "batch"})


class Target:
    """A workload or a node: ``kind`` as the API spells it, and its name."""

    __slots__ = ("kind", "name")

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name

    @property
    def ref(self) -> str:
        return f"{self.kind.lower()}/{self.name}"

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"

    @classmethod
    def of(cls, text: str) -> Target:
        kind, _, name = text.partition("/")
        return cls(kind, name)

    @property
    def field_selector(self) -> Optional[str]:
        return f"spec.nodeName={self.name}" if self.kind == "Node" else None

    def may_own(self, key: Tuple[str, str, str, str]) -> bool:
        """A pod's census key (namespace, owner kind, owner name, template hash) could belong
        to the target: cheap, before its owners are read; never too narrow."""
        _, kind, name, _ = key
        if self.kind == "Node":
            return True
        if kind == self.kind and name == self.name:
            return True
        parent = {"Deployment": "ReplicaSet", "CronJob": "Job"}.get(self.kind)
        return kind == parent and name.startswith(self.name + "-")

    def owns(self, pod: Any) -> bool:
        """The pod (evidence) belongs to the target."""
        owner = (pod.owner.kind, pod.owner.name) if pod.owner is not None else None
        return self._match(pod.workload, owner, pod.node_name)

    def owns_key(self, key: Tuple[str, str, str, str], workload: Any, node: Any = None) -> bool:
        """The same, from a pod's census key, its resolved workload and its node's name."""
        return self._match(workload, (key[1], key[2]), node)

    def nothing(self, where: Optional[str], listed: Optional[int]) -> str:
        """What a sweep of the target that found nothing to explain says (stderr)."""
        if self.kind == "Node":
            of = f"on {self.ref}" + (f" in {where}" if where else "")
        else:
            of = f"of {self.ref} in {where or 'any namespace'}"
        if listed == 0:
            return f"No pods {of}.\n"
        return (
            f"No pod with a failure to explain {of} (--all lists completed and healthy pods too).\n"
        )

    def _match(self, workload: Any, owner: Optional[Tuple[str, str]], node: Any) -> bool:
        if self.kind == "Node":
            return bool(node == self.name)
        mine = (self.kind, self.name)
        return (workload is not None and (workload.kind, workload.name) == mine) or owner == mine


def file_census(source: Any, namespace: Optional[str], selector: Optional[str], target: Target):
    """The pods a saved file holds of the target, counted per workload (what a sweep of the
    cluster counts as it lists them)."""
    from collections import Counter

    from kubectl_exitwhy.owners import census_key, resolve
    from kubectl_exitwhy.selector import parse

    chosen = parse(selector) if selector else None
    census: Counter = Counter()
    for pod in source.pods:
        meta = pod.get("metadata") if isinstance(pod.get("metadata"), dict) else {}
        spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
        if namespace is not None and meta.get("namespace", "") != namespace:
            continue
        if chosen is not None and not chosen.matches(meta.get("labels")):
            continue
        key = census_key(pod)
        workload = resolve(key, source.owners)
        if target.owns_key(key, workload, spec.get("nodeName")):
            census[workload] += 1
    return census


def sweep_pods(
    source, scope, selector, all_pods: bool, target, from_file: bool, settled=None
) -> list:
    """The pods of the sweep; with a target, only its pods, and the census only of them.
    ``settled``: given pods of the list whose evidence is final before it is (``sweep``)."""
    if target is None:
        return list(source.sweep(scope, selector, all_pods, settled=settled))
    if not from_file:
        return list(source.sweep(scope, selector, all_pods, target, settled=settled))
    pods = [p for p in source.sweep(scope, selector, all_pods) if target.owns(p)]
    source.census = file_census(source, scope, selector, target)
    return pods


def one_namespace(source, name: str, namespace: Optional[str]) -> None:
    """A saved file that holds pods of this name in several namespaces needs -n."""
    if namespace is not None:
        return
    spaces = sorted(
        {
            str(p["metadata"].get("namespace", ""))
            for p in source.pods
            if isinstance(p.get("metadata"), dict) and p["metadata"].get("name") == name
        }
    )
    if len(spaces) > 1:
        raise UsageError(
            f"pod {name} is in {len(spaces)} namespaces ({', '.join(spaces)}): choose one with -n"
        )


def _kind(word: str) -> Optional[str]:
    """``deploy``, ``deployments.apps``, ``deployments.v1.apps`` → Deployment."""
    base, _, group = word.lower().partition(".")
    kind = KINDS.get(base)
    if kind is None or (group and group.split(".")[-1] != GROUPS.get(kind, "")):
        return None
    return kind


def route(words: List[str]) -> Tuple[str, List[str]]:
    """(command, arguments): ``("sweep", [])``, ``("sweep", ["Deployment/x"])``,
    ``("pod", [name])``, ``("code", [n])``, ``("help", [...])``, ``("version", [])``,
    ``("completion", [shell])``."""
    if not words:
        return "sweep", []
    first, rest = words[0], words[1:]
    if first in COMMANDS:
        return first, rest
    word, slash, name = first.partition("/")
    kind = _kind(word)
    if kind is None:
        raise UsageError(unknown(first, rest))
    if slash:
        extra = rest
    elif rest:
        name, extra = rest[0], rest[1:]
    else:
        raise UsageError(f"{word} needs a name: '{PROG} {word} NAME' (or {word}/NAME)")
    if not name:
        raise UsageError(f"{first!r} names no {kind.lower()}: '{PROG} {word}/NAME'")
    if "/" in name:  # kubectl: a resource name may not contain '/'
        raise UsageError(f"{first!r}: a {kind.lower()} name may not contain '/' (TYPE/NAME)")
    refused = path_segment(name)
    if refused:
        raise UsageError(f"invalid resource name {name!r}: {refused}")
    if extra:
        raise UsageError(
            f"one {kind.lower()} at a time: {name!r} and then {extra[0]!r} (a sweep of a "
            "namespace: -n NS, or select pods with -l)"
        )
    if kind == "Pod":
        return "pod", [name]
    return "sweep", [f"{kind}/{name}"]


def path_segment(name: str) -> str:
    """Why a name cannot be one segment of a URL path, as client-go's request builder refuses
    it (apimachinery's IsValidPathSegmentName) before anything is sent: "" if it can."""
    if name in (".", ".."):
        return f"may not be '{name}'"
    for bad in ("/", "%"):
        if bad in name:
            return f"may not contain '{bad}'"
    return ""


def unknown(word: str, rest: List[str]) -> str:
    """The refusal of a word that is neither a command nor a type, with a useful guess."""
    import difflib

    base, slash, name = word.partition("/")
    types = sorted(KINDS)
    close = difflib.get_close_matches(base.lower(), list(COMMANDS) + types, n=1, cutoff=0.6)
    if close and slash:
        return f"unknown resource type {base!r}; did you mean '{PROG} {close[0]}/{name}'?"
    if close:
        again = " ".join([close[0], *rest])
        return f"unknown command {word!r}; did you mean '{PROG} {again}'?"
    if slash:
        kinds = "pod, deployment, statefulset, daemonset, replicaset, job, cronjob or node"
        return f"unknown resource type {base!r}: use {kinds}"
    try:
        float(word)
    except ValueError:
        return (
            f"unknown command {word!r}: a pod is '{PROG} pod {word}', a workload "
            f"'{PROG} deployment/{word}' (see '{PROG} --help')"
        )
    return f"unknown command {word!r}; did you mean '{PROG} code {word}'?"
