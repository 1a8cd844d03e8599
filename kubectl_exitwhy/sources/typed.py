"""List pages decoded straight from the response's bytes into the few fields exitwhy reads.

A pod as the API server sends it is ~7 KB of JSON, of which a diagnosis reads perhaps a third:
``managedFields`` alone is often half of it, then volumes, tolerations, ports, mounts,
annotations. msgspec decodes a page into ``TypedDict``s that declare only what is read
(``evidence.py``, ``join.py``, ``owners.py``, ``targets.py``, ``cluster.py``): what is not
declared is skipped without being built, and the result is plain dicts and lists, absent keys
absent, as ``json.loads`` would give them, so everything downstream is the same code.

Tolerance: declared containers (``metadata``, ``spec``, a container) are typed, and whatever
they hold that the diagnosis judges (``status``, every leaf) is ``Any``, read as it came. A page
where a typed part is not what it should be (``spec: "x"``, a container that is not an object,
a ``NaN``) is decoded again the plain way, whole: the tolerant helpers then judge it as they
always did, and no pod is dropped. ``EXITWHY_PLAIN_DECODE=1`` (or no msgspec) decodes every page
the plain way; the two must give the same diagnosis (tests/test_typed_decode.py).
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional, TypedDict

Decode = Callable[[bytes], Any]


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


class Event(TypedDict, total=False):  # cluster.EVENT_KEYS, and the uid to de-duplicate
    metadata: EventMeta
    involvedObject: Any
    reason: Any
    message: Any
    type: Any
    count: Any
    firstTimestamp: Any
    lastTimestamp: Any
    eventTime: Any
    series: Any
    source: Any
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
_decoders: dict[str, Optional[Decode]] = {}


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


def _make(shape: Any) -> Optional[Decode]:
    try:
        import msgspec
    except ImportError:
        return None
    typed = msgspec.json.Decoder(shape)
    failed = (msgspec.DecodeError, msgspec.ValidationError)

    def decode(body: bytes) -> Any:
        try:
            return typed.decode(body)
        except failed:  # not the shape declared, or not JSON msgspec reads: judge it plainly
            return json.loads(body)

    return decode
