"""List pages decoded straight from the response's bytes into the few fields exitwhy reads.

A pod as the API server sends it is ~7 KB of JSON, of which a diagnosis reads perhaps a third:
``managedFields`` alone is often half of it, then volumes, tolerations, ports, mounts,
annotations. msgspec decodes a page into ``TypedDict``s that declare only what is read
(``evidence.py``, ``join.py``, ``owners.py``, ``targets.py``, ``cluster.py``, ``files.py``;
``kind``, ``items`` and ``rows`` for a saved file's Lists and Tables): what is not
declared is skipped without being built, and the result is plain dicts and lists, absent keys
absent, as ``json.loads`` would give them, so everything downstream is the same code.

Tolerance: declared containers (``metadata``, ``spec``, a container) are typed, and whatever
they hold that the diagnosis judges (``status``, every leaf) is ``Any``, read as it came. A page
where a typed part is not what it should be (``spec: "x"``, a container that is not an object,
a ``NaN``) is decoded again the plain way, whole: the tolerant helpers then judge it as they
always did, and no pod is dropped. ``EXITWHY_PLAIN_DECODE=1`` (or no msgspec) decodes every page
the plain way; the two must give the same diagnosis (tests/test_typed_decode.py).

A saved file (``-f``) is read through the same declarations: ``Document`` is any object of it,
of whichever kind, with the union of the fields read of each, and its List's items are
Documents again. Its decoder refuses instead of decoding plainly: ``documents.py`` then reads
the file the plain way, whole, as it reads what is not UTF-8 JSON.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Optional, TypedDict, Union

from kubectl_exitwhy.sources import plainjson

Decode = Callable[[bytes], Any]
FileDecode = Callable[[memoryview], Any]  # the file's bytes, after a BOM: never copied


class Meta(TypedDict, total=False):
    name: Any
    namespace: Any
    uid: Any
    creationTimestamp: Any
    deletionTimestamp: Any
    deletionGracePeriodSeconds: Any
    labels: Any  # pod-template-hash names a Deployment's pods; -l is matched against them
    ownerReferences: Any


class Container(TypedDict, total=False):
    name: Any
    image: Any
    restartPolicy: Any
    command: Any
    args: Any
    env: Any
    envFrom: Any
    resources: Any
    livenessProbe: Any
    startupProbe: Any
    readinessProbe: Any
    terminationMessagePath: Any  # with resources: a whole spec, not a pasted excerpt
    stdin: Any  # with tty: a shell that waits for input
    tty: Any


class PodSpec(TypedDict, total=False):
    nodeName: Any
    restartPolicy: Any
    terminationGracePeriodSeconds: Any
    activeDeadlineSeconds: Any
    resources: Any
    containers: Optional[list[Container]]
    initContainers: Optional[list[Container]]
    ephemeralContainers: Optional[list[Container]]


class Pod(TypedDict, total=False):
    metadata: Meta
    spec: PodSpec
    status: Any  # nearly all of it is evidence


class EventMeta(TypedDict, total=False):
    uid: Any


class EventFields(TypedDict, total=False):
    """What ``evidence.build_event`` and ``join.EventIndex`` read of an Event, core/v1 or
    events.k8s.io/v1 (``regarding``, ``note``, ``deprecated*``: a file may hold those)."""

    involvedObject: Any
    regarding: Any
    reason: Any
    message: Any
    note: Any
    type: Any
    count: Any
    deprecatedCount: Any
    firstTimestamp: Any
    lastTimestamp: Any
    deprecatedFirstTimestamp: Any
    deprecatedLastTimestamp: Any
    eventTime: Any
    series: Any
    source: Any
    deprecatedSource: Any
    reportingComponent: Any
    reportingController: Any


class EventObject(TypedDict, total=False):
    """What is read of the object a live event is about (``join.EventIndex``, ``build_event``)."""

    kind: Any
    namespace: Any
    name: Any
    uid: Any
    fieldPath: Any


class EventSource(TypedDict, total=False):
    component: Any


class Event(TypedDict, total=False):
    """A core/v1 Event as a sweep lists it (``cluster.EVENT_KEYS``, and the uid to de-duplicate):
    its involvedObject and source only as far as they are read. A sweep holds every useful event
    of the cluster while it pages through the pods, so what is not read is not kept. (A core/v1
    event has no ``regarding`` or ``deprecatedSource`` to fall back on: the files' shape,
    ``EventFields``, keeps those two whole.)"""

    metadata: EventMeta
    involvedObject: Optional[EventObject]
    reason: Any
    message: Any
    type: Any
    count: Any
    firstTimestamp: Any
    lastTimestamp: Any
    eventTime: Any
    series: Any
    source: Optional[EventSource]
    reportingComponent: Any


class NodeStatus(TypedDict, total=False):
    conditions: Any


class Node(TypedDict, total=False):
    metadata: Meta
    status: NodeStatus


class JobSpec(TypedDict, total=False):
    backoffLimit: Any
    activeDeadlineSeconds: Any


class Job(TypedDict, total=False):
    metadata: Meta
    spec: JobSpec
    status: Any


class Owned(TypedDict, total=False):  # a ReplicaSet, read for its owner
    metadata: Meta


class Spec(PodSpec, JobSpec, total=False):  # a Node's spec is not read
    """A spec in a saved file, which mixes kinds: a Pod's and a Job's fields in one, and a
    controller's replicas (whether one that could not create pods still wants them)."""

    replicas: Any


class Document(EventFields, total=False):
    """An object of a saved file, whatever its kind: a Pod, Event, Node, Job or ReplicaSet as
    read above (an Event's metadata: its uid, and its creationTimestamp for a time), any other
    kind for its kind alone; a List, whose items are Documents; a Table, its rows read whole."""

    kind: Any
    metadata: Meta
    spec: Spec
    status: Any  # a Pod's: nearly all evidence; a Node's and a Job's: their conditions
    items: Optional[list[Document]]
    rows: Any


FILE = Union[Document, list[Document]]  # one object or List, or a JSON array of them


class PodList(TypedDict, total=False):
    metadata: Any
    items: Optional[list[Pod]]


class EventList(TypedDict, total=False):
    metadata: Any
    items: Optional[list[Event]]


class NodeList(TypedDict, total=False):
    metadata: Any
    items: Optional[list[Node]]


class JobList(TypedDict, total=False):
    metadata: Any
    items: Optional[list[Job]]


class OwnedList(TypedDict, total=False):
    metadata: Any
    items: Optional[list[Owned]]


LISTS = {"pods": PodList, "events": EventList, "nodes": NodeList, "jobs": JobList}
LISTS["replicasets"] = OwnedList
_decoders: dict[str, Optional[Callable[[Any], Any]]] = {}


def plain() -> bool:
    """``EXITWHY_PLAIN_DECODE=1``: every page through ``json.loads``, every field kept."""
    return os.environ.get("EXITWHY_PLAIN_DECODE", "").strip() not in ("", "0")


def decoder(resource: str) -> Optional[Decode]:
    """The page decoder for a list of ``resource`` (``pods``, ``events``, ``nodes``, ``jobs``,
    ``replicasets``); None: decode the plain way."""
    if resource not in LISTS or plain():
        return None
    if resource not in _decoders:
        _decoders[resource] = _make(LISTS[resource])
    return _decoders[resource]


def pod_decoder() -> Optional[Decode]:
    """The decoder of one pod's bytes (``triage.py``), with the plain way for what it refuses."""
    if plain():
        return None
    if "pod" not in _decoders:
        _decoders["pod"] = _make(Pod, refused=lambda body: plainjson.loads(bytes(body)))
    return _decoders["pod"]


def file_decoder() -> Optional[FileDecode]:
    """The decoder of a saved JSON file's bytes (UTF-8, no BOM) into ``FILE``; it gives None
    where msgspec refuses them. None: decode the plain way."""
    if plain():
        return None
    if "file" not in _decoders:
        _decoders["file"] = _make(FILE, refused=lambda body: None)
    return _decoders["file"]


def kept_whole(objects: Iterable[dict]) -> bool:
    """False where a Pod's spec, or a container in it, decoded empty: it may have held only
    fields not declared, and an empty spec says "not saved" (``has_spec`` in evidence.py), so
    the file is read again the plain way. kubectl's output never has such a spec."""
    for obj in objects:
        spec = obj.get("spec")
        if obj.get("kind") != "Pod" or not isinstance(spec, dict):
            continue
        if not spec:
            return False
        for key in ("containers", "initContainers", "ephemeralContainers"):
            listed = spec.get(key)
            if isinstance(listed, list) and any(c == {} for c in listed):
                return False
    return True


def _make(
    shape: Any, refused: Callable[[Any], Any] = plainjson.loads
) -> Optional[Callable[[Any], Any]]:
    try:
        import msgspec
    except ImportError:
        return None
    typed = msgspec.json.Decoder(shape)
    failed = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)

    def decode(body: Any) -> Any:
        try:
            return typed.decode(body)
        except failed:  # not the shape declared, not JSON msgspec reads, or nested too deeply
            # for it: judge it plainly
            return refused(body)

    return decode
