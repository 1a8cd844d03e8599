"""The pre-filter of a sweep's pod pages: plainly healthy pods are told apart before they are
decoded. On a big cluster most pods have nothing to say, and building every pod's dicts (then
freeing them) was most of a sweep's time.

A page is decoded with each pod left as its raw bytes (``msgspec.Raw``, a slice of the page),
then each pod into a few small typed Structs: only what ``join.needs_diagnosis`` reads, and what
a pod is counted by (its uid, and the census key of ``owners.census_key``). A pod that is
``quiet`` here (and that no Warning event concerns) stays a ``Quiet``: its census key and uid,
nothing else. Every other pod is decoded whole, as ``typed.py`` decodes it, and judged by
``needs_diagnosis`` as before.

``quiet`` errs one way only: where it says quiet, ``needs_diagnosis`` says healthy (the tests
hold it to that on the examples, the generated clusters and the fuzz). Anything unexpected
(a field of another type than the Structs declare, JSON msgspec does not read) sends the pod,
or the whole page, the ordinary way. ``--all`` builds every pod, so it does not use this.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import msgspec

from kubectl_exitwhy.evidence import KUBELET_NOT_READY
from kubectl_exitwhy.owners import key_of
from kubectl_exitwhy.runtimes import MEMORY_ENV
from kubectl_exitwhy.sources import plainjson
from kubectl_exitwhy.sources.join import MEMORY_WORDS, QUIET_WAITING, Quiet
from kubectl_exitwhy.sources.paging import Deferred

UNSET: Any = msgspec.UNSET
_UNTRACKED = {"gc": False}  # no cycles: the collector need not track them


class Labels(msgspec.Struct, **_UNTRACKED):
    template: Any = msgspec.field(default=UNSET, name="pod-template-hash")


class OwnerRef(msgspec.Struct, **_UNTRACKED):
    kind: Any = None
    name: Any = None
    controller: Any = None


class Meta(msgspec.Struct, **_UNTRACKED):
    name: Any = None
    namespace: Any = None
    uid: Any = None
    deletionTimestamp: Any = None
    labels: Optional[Labels] = None
    ownerReferences: Optional[list[OwnerRef]] = None


class Env(msgspec.Struct, **_UNTRACKED):
    name: Optional[str] = None  # typed: looked up in MEMORY_ENV as it is


class Container(msgspec.Struct, **_UNTRACKED):
    env: Optional[list[Env]] = None
    command: Optional[list[str]] = None  # typed: searched for MEMORY_WORDS as they are
    args: Optional[list[str]] = None


class Spec(msgspec.Struct, **_UNTRACKED):
    containers: Optional[list[Container]] = None
    initContainers: Optional[list[Container]] = None


class Condition(msgspec.Struct, **_UNTRACKED):
    type: Any = None
    status: Any = None
    reason: Any = None


class Waiting(msgspec.Struct, **_UNTRACKED):
    reason: Any = None


class State(msgspec.Struct, **_UNTRACKED):
    waiting: Optional[Waiting] = None
    terminated: Any = UNSET  # present at all, even null, is a termination to look at


class LastState(msgspec.Struct, **_UNTRACKED):
    terminated: Any = None


class ContainerStatus(msgspec.Struct, **_UNTRACKED):
    restartCount: Any = None
    lastState: Optional[LastState] = None
    state: Optional[State] = None


class Status(msgspec.Struct, **_UNTRACKED):
    phase: Any = None
    reason: Any = None
    conditions: Optional[list[Condition]] = None
    initContainerStatuses: Optional[list[ContainerStatus]] = None
    containerStatuses: Optional[list[ContainerStatus]] = None
    ephemeralContainerStatuses: Optional[list[ContainerStatus]] = None


class Pod(msgspec.Struct, **_UNTRACKED):
    metadata: Optional[Meta] = None
    spec: Optional[Spec] = None
    status: Optional[Status] = None


class Page(msgspec.Struct, **_UNTRACKED):
    metadata: Any = None
    items: Optional[list[msgspec.Raw]] = None


def quiet(pod: Pod) -> bool:
    """True only where ``join.needs_diagnosis`` would say the pod is healthy: running or done,
    never restarted, nothing terminated or waiting on an error, no pod-level reason, not marked
    not ready by the node controller, no memory settings to judge. False for anything else, odd
    values included (a value of another type than a Struct declares never gets here: the pod is
    decoded the ordinary way)."""
    status, meta = pod.status, pod.metadata
    if status is None or meta is None or status.reason or meta.deletionTimestamp:
        return False
    phase = status.phase
    if phase != "Running" and phase != "Succeeded":
        return False
    ready = containers_ready = None
    for cond in status.conditions or ():
        kind = cond.type
        if kind == "DisruptionTarget":
            if cond.status == "True":
                return False
        elif kind == "PodScheduled" and cond.status == "False":
            return False
        elif kind == "Ready":
            ready = ready or cond  # the first of each, as join.node_marked
        elif kind == "ContainersReady":
            containers_ready = containers_ready or cond
    if (  # join.node_marked: its node stopped being Ready
        ready is not None
        and containers_ready is not None
        and ready.status == "False"
        and containers_ready.status == "True"
        and _text(ready.reason) not in KUBELET_NOT_READY
    ):
        return False
    for group in (
        status.containerStatuses,
        status.initContainerStatuses,
        status.ephemeralContainerStatuses,
    ):
        for cs in group or ():
            if cs.restartCount:
                return False
            last, state = cs.lastState, cs.state
            if last is not None and last.terminated:
                return False
            if state is not None:
                if state.terminated is not UNSET:
                    return False
                waiting = state.waiting
                if waiting is not None and _text(waiting.reason) not in QUIET_WAITING:
                    return False
    spec = pod.spec
    if spec is not None:
        for containers in (spec.containers, spec.initContainers):
            for c in containers or ():
                for e in c.env or ():
                    if e.name in MEMORY_ENV:
                        return False
                words = (c.command or []) + (c.args or [])
                if words:
                    # no memory word holds NUL: it is found in the joined words only where it
                    # is in one of them
                    joined = "\0".join(words)
                    if any(m in joined for m in MEMORY_WORDS):
                        return False
    return True


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _quiet_entry(meta: Meta) -> Quiet:
    """The census key and identity of a quiet pod, as ``owners.census_key`` gives them."""
    ref = _controller(meta.ownerReferences)
    template = None
    if ref is not None and meta.labels is not None:
        template = meta.labels.template
    entry = Quiet(metadata={"uid": meta.uid, "namespace": meta.namespace, "name": meta.name})
    entry.key = key_of(meta.namespace, meta.name, ref, template)
    return entry


def _controller(refs: Optional[list[OwnerRef]]) -> Optional[tuple[str, str]]:
    """``owners.controller_of`` of typed owner references."""
    if not refs:
        return None
    good = [r for r in refs if isinstance(r.kind, str) and isinstance(r.name, str)]
    ref = next((r for r in good if r.controller is True), good[0] if good else None)
    return (ref.kind, ref.name) if ref is not None else None


Warned = Callable[[Mapping[str, Any]], bool]


def decoder(
    page_whole: Callable[[Any], Any], pod_whole: Callable[[Any], Any], warned: Warned
) -> Callable[[bytes], Any]:
    """A pod page's decoder: the page with each plainly healthy pod that ``warned`` (the event
    index's) does not concern as a ``Quiet``, every other pod as ``pod_whole`` decodes it
    (``typed.py``'s; its page decoder ``page_whole`` reads a page this one cannot)."""
    page_decoder = msgspec.json.Decoder(Page)
    pod_decoder = msgspec.json.Decoder(Pod)
    failed = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)

    def one(raw: msgspec.Raw) -> Any:
        try:
            pod = pod_decoder.decode(raw)
        except failed:
            pod = None
        if pod is not None and quiet(pod):
            assert pod.metadata is not None
            entry = _quiet_entry(pod.metadata)
            if not warned(entry):
                return entry
        return pod_whole(raw)

    def items(raws: list[msgspec.Raw]) -> list:
        return [one(raw) for raw in raws]

    def deferred(body: bytes) -> Any:
        """The page split into its metadata and each pod's bytes now, the pods decoded when the
        pager asks: it asks for the next page first. A page msgspec cannot read, or whose items
        are not a list, is decoded whole at once."""
        if not plainjson.utf8(body):  # msgspec's split does not check it
            return page_whole(body)
        try:
            page = page_decoder.decode(body)
        except failed:
            return page_whole(body)
        if page.items is None:
            return page_whole(body)
        return Deferred(page.metadata, page.items, items)

    return deferred
