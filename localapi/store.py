"""The object store: every object pre-encoded once, kept in the API server's list order.

kube-apiserver keeps objects in etcd under ``/registry/<resource>/<namespace>/<name>`` and lists
them in key order, namespace then name; a chunked list (``limit``/``continue``) resumes after the
last key returned. This store imitates that: per resource, a list of entries sorted by
``(namespace, name)`` with a parallel key list for ``bisect``.

Each object is encoded to compact JSON bytes exactly once, when it is added, **without** its
``apiVersion``/``kind`` (the real server leaves them out of the items of a typed list such as a
PodList; a single GET puts them back, which is a cheap byte prefix). A list page is then a
``b",".join`` of ready-made bytes: no per-request serialisation. Besides the bytes an entry keeps
only what selectors need: labels, and the resource's selectable field values as a tuple.

Pod logs live beside the objects: ``<data_dir>/logs/<namespace>/<pod>/<container>.log``.

Changes after start (``apply``/``delete``, for tests and demos) follow the watch cache of
kube-apiserver (``staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go``): every
change takes the next global resourceVersion (etcd's revision), is written into the object's
``metadata.resourceVersion``, and is kept, with the object's previous state, in a bounded
per-resource history ("a sliding window (with a limited capacity) of objects observed from a
watch"). A watch from an RV older than that window is refused with ``Expired``: the cache
computes ``oldest`` as "one greater than the resource version of the list" while "no event was
removed from the buffer since last relist", else the RV of the oldest event kept, and answers
``errors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", resourceVersion,
oldest-1))`` when ``resourceVersion < oldest-1``.

Reads never take a lock: the tables are copy-on-write and a ``View`` (tables plus the RV they
are at) is swapped in whole, so a list sees one consistent state and the frozen store keeps its
speed; a change costs a copy of the changed resource's table (a few ms at 50,000 pods).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import yaml

from .selectors import LabelSelector

__all__ = [
    "Change",
    "Entry",
    "Expired",
    "RESOURCES",
    "ResourceType",
    "Store",
    "View",
    "WatchQueue",
    "encode",
    "resource_for",
]

Obj = Mapping[str, Any]


def encode(obj: Any) -> bytes:
    """Compact JSON, the way the API server writes it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pod_fields(o: Obj) -> tuple[str, ...]:
    m, s, st = o.get("metadata") or {}, o.get("spec") or {}, o.get("status") or {}
    return (
        _s(m.get("name")),
        _s(m.get("namespace")),
        _s(s.get("nodeName")),
        _s(s.get("restartPolicy")),
        _s(s.get("schedulerName")),
        _s(s.get("serviceAccountName")),
        _s(bool(s.get("hostNetwork"))),
        _s(st.get("phase")),
        _s(st.get("podIP")),
        _s(st.get("nominatedNodeName")),
    )


def _event_fields(o: Obj) -> tuple[str, ...]:
    m, io, src = o.get("metadata") or {}, o.get("involvedObject") or {}, o.get("source") or {}
    return (
        _s(m.get("name")),
        _s(m.get("namespace")),
        _s(io.get("kind")),
        _s(io.get("namespace")),
        _s(io.get("name")),
        _s(io.get("uid")),
        _s(io.get("apiVersion")),
        _s(io.get("resourceVersion")),
        _s(io.get("fieldPath")),
        _s(o.get("reason")),
        _s(o.get("reportingComponent")),
        _s(src.get("component") or o.get("reportingComponent")),
        _s(o.get("type")),
    )


def _node_fields(o: Obj) -> tuple[str, ...]:
    return (
        _s((o.get("metadata") or {}).get("name")),
        _s(bool((o.get("spec") or {}).get("unschedulable"))),
    )


def _namespace_fields(o: Obj) -> tuple[str, ...]:
    return (_s((o.get("metadata") or {}).get("name")), _s((o.get("status") or {}).get("phase")))


def _meta_fields(o: Obj) -> tuple[str, ...]:
    m = o.get("metadata") or {}
    return (_s(m.get("name")), _s(m.get("namespace")))


def _replicaset_fields(o: Obj) -> tuple[str, ...]:
    m = o.get("metadata") or {}
    return (
        _s(m.get("name")),
        _s(m.get("namespace")),
        _s((o.get("status") or {}).get("replicas", 0)),
    )


def _job_fields(o: Obj) -> tuple[str, ...]:
    m = o.get("metadata") or {}
    return (
        _s(m.get("name")),
        _s(m.get("namespace")),
        _s((o.get("status") or {}).get("succeeded", 0)),
    )


@dataclass(frozen=True)
class ResourceType:
    """What discovery says about a resource, and which field labels its selectors accept."""

    name: str
    kind: str
    group: str
    version: str
    namespaced: bool
    singular: str
    short_names: tuple[str, ...]
    field_labels: tuple[str, ...]
    fields_of: Callable[[Obj], tuple[str, ...]]
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified(self) -> str:
        """``pods``, ``jobs.batch``: how Status messages name the resource."""
        return f"{self.name}.{self.group}" if self.group else self.name


RESOURCES: dict[str, ResourceType] = {
    rt.name: rt
    for rt in (
        ResourceType(
            "pods",
            "Pod",
            "",
            "v1",
            True,
            "pod",
            ("po",),
            (
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.nominatedNodeName",
            ),
            _pod_fields,
            ("all",),
        ),
        ResourceType(
            "events",
            "Event",
            "",
            "v1",
            True,
            "event",
            ("ev",),
            (
                "metadata.name",
                "metadata.namespace",
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ),
            _event_fields,
        ),
        ResourceType(
            "nodes",
            "Node",
            "",
            "v1",
            False,
            "node",
            ("no",),
            ("metadata.name", "spec.unschedulable"),
            _node_fields,
        ),
        ResourceType(
            "namespaces",
            "Namespace",
            "",
            "v1",
            False,
            "namespace",
            ("ns",),
            ("metadata.name", "status.phase"),
            _namespace_fields,
        ),
        ResourceType(
            "jobs",
            "Job",
            "batch",
            "v1",
            True,
            "job",
            (),
            ("metadata.name", "metadata.namespace", "status.successful"),
            _job_fields,
            ("all",),
        ),
        # The workload controllers' objects. Short names and the "all" category as their REST
        # storage declares them (pkg/registry/apps/*/storage/storage.go,
        # pkg/registry/batch/cronjob/storage/storage.go: ``ShortNames() { return
        # []string{"cj"} }``, ``Categories() { return []string{"all"} }``). Field selectors:
        # the object-meta pair everywhere, plus ``status.replicas`` for ReplicaSets
        # (pkg/registry/apps/replicaset/strategy.go, ReplicaSetToSelectableFields).
        ResourceType(
            "cronjobs",
            "CronJob",
            "batch",
            "v1",
            True,
            "cronjob",
            ("cj",),
            ("metadata.name", "metadata.namespace"),
            _meta_fields,
            ("all",),
        ),
        ResourceType(
            "daemonsets",
            "DaemonSet",
            "apps",
            "v1",
            True,
            "daemonset",
            ("ds",),
            ("metadata.name", "metadata.namespace"),
            _meta_fields,
            ("all",),
        ),
        ResourceType(
            "deployments",
            "Deployment",
            "apps",
            "v1",
            True,
            "deployment",
            ("deploy",),
            ("metadata.name", "metadata.namespace"),
            _meta_fields,
            ("all",),
        ),
        ResourceType(
            "replicasets",
            "ReplicaSet",
            "apps",
            "v1",
            True,
            "replicaset",
            ("rs",),
            ("metadata.name", "metadata.namespace", "status.replicas"),
            _replicaset_fields,
            ("all",),
        ),
        ResourceType(
            "statefulsets",
            "StatefulSet",
            "apps",
            "v1",
            True,
            "statefulset",
            ("sts",),
            ("metadata.name", "metadata.namespace"),
            _meta_fields,
            ("all",),
        ),
    )
}

_KIND_TO_RESOURCE = {rt.kind: rt for rt in RESOURCES.values()}


def resource_for(kind_or_resource: str) -> ResourceType:
    """The resource type named by a kind (``Pod``), a resource (``pods``) or a short name."""
    rt = _KIND_TO_RESOURCE.get(kind_or_resource) or RESOURCES.get(kind_or_resource)
    if rt is None:
        lower = kind_or_resource.lower()
        rt = next(
            (
                r
                for r in RESOURCES.values()
                if lower in (r.singular, r.kind.lower()) or lower in r.short_names
            ),
            None,
        )
    if rt is None:
        raise ValueError(f"localapi serves no resource {kind_or_resource!r}")
    return rt


class Entry:
    """One stored object: its encoded bytes plus what selectors and tables need.

    ``containers`` (pods only) lists ``(kind, name)`` with kind init, regular or ephemeral.
    """

    __slots__ = ("namespace", "name", "labels", "fields", "data", "containers", "table")

    def __init__(
        self,
        namespace: str,
        name: str,
        labels: Mapping[str, str],
        fields: tuple[str, ...],
        data: bytes,
        containers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.fields = fields
        self.data = data
        self.containers = containers
        self.table: Any = None  # filled lazily by tables.row_source()

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def object(self) -> dict[str, Any]:
        """A fresh decoded copy of the stored object (without apiVersion/kind)."""
        return json.loads(self.data)

    @classmethod
    def from_object(cls, rt: ResourceType, obj: Obj) -> Entry:
        meta = dict(obj.get("metadata") or {})
        name = meta.get("name")
        if not name:
            raise ValueError(f"{rt.kind} without metadata.name")
        namespace = ""
        if rt.namespaced:
            namespace = meta.get("namespace") or "default"
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        body: dict[str, Any] = {"metadata": meta}
        body.update((k, v) for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata"))
        containers: tuple[tuple[str, str], ...] = ()
        if rt.name == "pods":
            spec = body.get("spec") or {}
            containers = tuple(
                (kind, c.get("name", ""))
                for kind, group in (
                    ("init", "initContainers"),
                    ("regular", "containers"),
                    ("ephemeral", "ephemeralContainers"),
                )
                for c in spec.get(group) or ()
            )
        return cls(
            namespace,
            name,
            dict(meta.get("labels") or {}),
            rt.fields_of(body),
            encode(body),
            containers,
        )


@dataclass(frozen=True)
class _Table:
    """One resource's objects in key order. Never changed once published: a change makes a new
    one (copy-on-write), so a reader holding a table reads one consistent state."""

    keys: list[tuple[str, str]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    by_key: dict[tuple[str, str], Entry] = field(default_factory=dict)

    def put(self, entry: Entry) -> _Table:
        key = entry.key
        i = bisect_left(self.keys, key)
        entries = list(self.entries)
        keys = self.keys
        if i < len(keys) and keys[i] == key:
            entries[i] = entry
        else:
            keys = list(keys)
            keys.insert(i, key)
            entries.insert(i, entry)
        by_key = dict(self.by_key)
        by_key[key] = entry
        return _Table(keys, entries, by_key)

    def remove(self, key: tuple[str, str]) -> _Table:
        i = bisect_left(self.keys, key)
        if i >= len(self.keys) or self.keys[i] != key:
            return self
        keys, entries, by_key = list(self.keys), list(self.entries), dict(self.by_key)
        del keys[i], entries[i], by_key[key]
        return _Table(keys, entries, by_key)


@dataclass
class Page:
    items: list[Entry]
    last_key: tuple[str, str] | None  # set when more items remain after this page
    remaining: int | None  # remainingItemCount, only for unfiltered lists


class View:
    """The store at one resourceVersion: what one request reads (lists, gets, tables)."""

    __slots__ = ("tables", "rv")

    def __init__(self, tables: Mapping[str, _Table], rv: int) -> None:
        self.tables = tables
        self.rv = rv

    @property
    def resource_version(self) -> str:
        return str(self.rv)

    def count(self, resource: str) -> int:
        return len(self.tables[resource].entries)

    def get(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self.tables[resource].by_key.get((namespace, name))

    def entries(self, resource: str, namespace: str | None = None) -> Iterator[Entry]:
        table = self.tables[resource]
        lo, hi = _bounds(table, namespace)
        return iter(table.entries[lo:hi])

    def page(
        self,
        resource: str,
        namespace: str | None,
        *,
        labels: LabelSelector | None = None,
        fields: Callable[[Sequence[str]], bool] | None = None,
        limit: int = 0,
        after: tuple[str, str] | None = None,
    ) -> Page:
        """One chunk of a list, in key order, starting after key ``after``.

        ``last_key`` is set when at least one more matching object follows, so a client that
        follows ``continue`` tokens sees every object exactly once.
        """
        table = self.tables[resource]
        lo, hi = _bounds(table, namespace)
        if after is not None:
            lo = max(lo, bisect_right(table.keys, after))
        entries = table.entries
        if labels is None and fields is None:
            if limit <= 0 or lo + limit >= hi:
                return Page(entries[lo:hi], None, None)
            items = entries[lo : lo + limit]
            return Page(items, items[-1].key, hi - lo - limit)
        items = []
        last: tuple[str, str] | None = None
        for i in range(lo, hi):
            entry = entries[i]
            if labels is not None and not labels.matches(entry.labels):
                continue
            if fields is not None and not fields(entry.fields):
                continue
            if limit > 0 and len(items) == limit:
                last = items[-1].key
                break
            items.append(entry)
        return Page(items, last, None)


def _bounds(table: _Table, namespace: str | None) -> tuple[int, int]:
    if namespace is None:
        return 0, len(table.keys)
    return (
        bisect_left(table.keys, (namespace, "")),
        bisect_left(table.keys, (namespace + "\x00", "")),
    )


class Change:
    """One change in the watch history: ``type`` ADDED, MODIFIED or DELETED at ``rv``.

    ``entry`` is the object after the change (for DELETED: its last state, carrying the
    deletion's resourceVersion, as etcd reports a delete); ``prev`` the object before it (None
    when it was created). Watchers need both to tell an object that entered or left their
    selector (see ``api``)."""

    __slots__ = ("rv", "type", "resource", "entry", "prev", "_prev_at_rv")

    def __init__(self, rv: int, type: str, resource: str, entry: Entry, prev: Entry | None):
        self.rv = rv
        self.type = type
        self.resource = resource
        self.entry = entry
        self.prev = prev
        self._prev_at_rv: Entry | None = None

    def prev_at_rv(self) -> Entry:
        """The previous object content with this change's resourceVersion: what a watcher whose
        selector the object left receives as DELETED (cache_watcher.go: "return a delete event
        with the previous object content, but with the event's resource version")."""
        assert self.prev is not None
        if self.type == "DELETED":
            return self.entry
        if self._prev_at_rv is None:
            self._prev_at_rv = _with_rv(RESOURCES[self.resource], self.prev, self.rv)
        return self._prev_at_rv

    def __repr__(self) -> str:
        return f"Change({self.rv}, {self.type}, {self.resource}, {self.entry.key})"


def _with_rv(rt: ResourceType, entry: Entry, rv: int) -> Entry:
    obj = entry.object()
    meta = dict(obj.get("metadata") or {})
    meta["resourceVersion"] = str(rv)
    obj["metadata"] = meta
    return Entry.from_object(rt, obj)


class Expired(Exception):
    """A watch from a resourceVersion older than the history kept (410 Expired)."""


class WatchQueue:
    """One open watch: the changes of its resource after it started, in order.

    The store appends every change to every queue of that resource under its lock (the
    cacher's ``dispatchEvent``); the watch's own thread takes them with ``take``. A queue that
    grows past ``limit`` is closed, as the cacher terminates a watcher that cannot keep up
    ("Forcing watcher close due to unresponsiveness"); ``drop`` cuts it as a lost connection.
    """

    def __init__(self, store: Store, resource: str, limit: int) -> None:
        self.store = store
        self.resource = resource
        self.limit = limit
        self.changes: deque[Change] = deque()
        self.dropped = False
        self.overflowed = False
        self.closed = False

    def take(self, timeout: float) -> list[Change]:
        """The changes queued so far; waits up to ``timeout`` seconds when there are none."""
        cond = self.store._cond
        with cond:
            if not self.changes and not self.dropped and not self.closed:
                cond.wait(max(0.0, timeout))
            out = list(self.changes)
            self.changes.clear()
            return out

    def take_all(self) -> tuple[list[Change], int]:
        """Everything queued, and the store's resourceVersion at that moment: every change up to
        that RV is in the list (both read under the store's lock), so a bookmark carrying it
        never claims a change the watcher has not been sent."""
        with self.store._cond:
            out = list(self.changes)
            self.changes.clear()
            return out, self.store._view.rv

    def close(self) -> None:
        with self.store._cond:
            self.closed = True
            self.store._watchers.discard(self)


class Store:
    """Objects by resource, in ``(namespace, name)`` order, plus pod logs.

    Build it with ``add``/``add_entry``/``load_dir``/``add_log``, then ``freeze()`` (the server
    does it), which sorts and synthesises a Namespace for every namespace seen. After that,
    ``apply``/``delete`` change it (each change a new resourceVersion, kept in the watch
    history for ``history_limit`` changes per resource), and ``compact`` forgets the history.
    """

    def __init__(self, history_limit: int = 1000, watch_queue_limit: int = 10_000) -> None:
        self._pending: dict[str, dict[tuple[str, str], Entry]] = {r: {} for r in RESOURCES}
        self._view = View({r: _Table() for r in RESOURCES}, 1)
        self.logs: dict[tuple[str, str, str], bytes] = {}
        self._max_rv = 1
        self._ns_created: dict[str, str] = {}
        self.frozen = False
        self.history_limit = max(1, history_limit)
        self.watch_queue_limit = watch_queue_limit
        self._cond = threading.Condition(threading.Lock())
        self._history: dict[str, deque[Change]] = {r: deque() for r in RESOURCES}
        # per resource: a watch from an RV below this is too old ("oldest-1" in watch_cache.go)
        self._floor: dict[str, int] = {r: 1 for r in RESOURCES}
        self._watchers: set[WatchQueue] = set()

    # --- building -------------------------------------------------------------------------------

    def add(self, obj: Obj) -> bool:
        """Add one object (or every item of a ``*List``); returns False if it was ignored."""
        if not isinstance(obj, Mapping):
            return False
        kind = obj.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(obj.get("items"), list):
            added = False
            for item in obj["items"]:
                added = self.add(item) or added
            return added
        rt = _KIND_TO_RESOURCE.get(kind) if isinstance(kind, str) else None
        if rt is None:
            return False
        api_version = obj.get("apiVersion")
        if api_version and api_version != rt.api_version:
            return False  # e.g. events.k8s.io/v1 Event: a different schema
        entry = Entry.from_object(rt, obj)
        meta = obj.get("metadata") or {}
        self._note(meta.get("resourceVersion"), entry.namespace, meta.get("creationTimestamp"))
        self.add_entry(rt.name, entry)
        return True

    def add_all(self, objects: Iterable[Obj]) -> int:
        return sum(1 for obj in objects if self.add(obj))

    def add_entry(self, resource: str, entry: Entry) -> None:
        if self.frozen:
            raise RuntimeError("the store is frozen once the server has started: use apply()")
        self._pending[resource][entry.key] = entry

    def _note(self, rv: Any, namespace: str, created: Any) -> None:
        if isinstance(rv, str) and rv.isdigit():
            self._max_rv = max(self._max_rv, int(rv))
        if namespace and isinstance(created, str):
            old = self._ns_created.get(namespace)
            if old is None or created < old:
                self._ns_created[namespace] = created

    def note_resource_version(self, rv: int) -> None:
        self._max_rv = max(self._max_rv, rv)

    def add_log(self, namespace: str, pod: str, container: str, text: str | bytes) -> None:
        """Set a container's log (also while serving: a plain dict store, read per request)."""
        self.logs[(namespace, pod, container)] = text.encode() if isinstance(text, str) else text

    def load_dir(self, directory: Path | str) -> int:
        """Load every ``*.json``/``*.yaml``/``*.yml`` in ``directory`` and its ``logs/`` tree.

        ``expected.json`` and documents that are not Kubernetes objects or Lists are ignored;
        a file that is not valid JSON/YAML is an error naming the file.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise FileNotFoundError(f"localapi: data directory {directory} does not exist")
        count = 0
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.name == "expected.json":
                continue
            suffix = path.suffix.lower()
            if suffix not in (".json", ".yaml", ".yml"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
                docs: list[Any] = (
                    [json.loads(text)] if suffix == ".json" else list(yaml.safe_load_all(text))
                )
            except (ValueError, yaml.YAMLError) as exc:
                raise ValueError(f"localapi: {path} is not valid JSON/YAML: {exc}") from exc
            for doc in docs:
                if isinstance(doc, Mapping) and "kind" in doc:
                    count += self._count_added(doc)
        logs = directory / "logs"
        if logs.is_dir():
            for log in sorted(logs.glob("*/*/*.log")):
                pod_dir = log.parent
                self.add_log(pod_dir.parent.name, pod_dir.name, log.stem, log.read_bytes())
        return count

    def _count_added(self, doc: Obj) -> int:
        items = doc.get("items")
        if isinstance(items, list) and str(doc.get("kind", "")).endswith("List"):
            return sum(self._count_added(i) for i in items if isinstance(i, Mapping))
        return 1 if self.add(doc) else 0

    @staticmethod
    def _namespace_object(ns: str, created: str, rv: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": ns,
                "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, "localapi/namespace/" + ns)),
                "resourceVersion": rv,
                "creationTimestamp": created,
                "labels": {"kubernetes.io/metadata.name": ns},
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }

    def freeze(self) -> Store:
        """Sort everything and add a Namespace object for every namespace in use."""
        with self._cond:
            if self.frozen:
                return self
            namespaces = self._pending["namespaces"]
            seen = {"default"}
            for resource, pending in self._pending.items():
                if RESOURCES[resource].namespaced:
                    seen.update(ns for ns, _ in pending)
            for ns in sorted(seen):
                if ("", ns) not in namespaces:
                    created = self._ns_created.get(ns, "2024-01-01T00:00:00Z")
                    obj = self._namespace_object(ns, created, "1")
                    namespaces[("", ns)] = Entry.from_object(RESOURCES["namespaces"], obj)
            tables = {}
            for resource, pending in self._pending.items():
                keys = sorted(pending)
                tables[resource] = _Table(keys, [pending[k] for k in keys], pending)
            self._pending = {r: {} for r in RESOURCES}
            # like a watch cache that has just listed: the oldest RV it can resume from is the
            # list's own ("oldest = listResourceVersion + 1", and oldest-1 is still accepted)
            self._floor = {r: self._max_rv for r in RESOURCES}
            self._view = View(tables, self._max_rv)
            self.frozen = True
            return self

    # --- reading --------------------------------------------------------------------------------

    def view(self) -> View:
        """The current state, consistent for as long as the caller holds it."""
        return self._view

    @property
    def resource_version(self) -> str:
        return str(self._view.rv)

    def __len__(self) -> int:
        return sum(len(t.entries) for t in self._view.tables.values())

    def count(self, resource: str) -> int:
        return self._view.count(resource)

    def get(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self._view.get(resource, namespace, name)

    def entries(self, resource: str, namespace: str | None = None) -> Iterator[Entry]:
        return self._view.entries(resource, namespace)

    def page(
        self,
        resource: str,
        namespace: str | None,
        *,
        labels: LabelSelector | None = None,
        fields: Callable[[Sequence[str]], bool] | None = None,
        limit: int = 0,
        after: tuple[str, str] | None = None,
    ) -> Page:
        return self._view.page(
            resource, namespace, labels=labels, fields=fields, limit=limit, after=after
        )

    # --- changing (after freeze) ----------------------------------------------------------------

    def apply(self, obj: Obj) -> Entry:
        """Create or replace one object of a served kind, as a PUT or POST would; returns it.

        The object gets the next resourceVersion; a replaced object keeps its uid and
        creationTimestamp unless ``obj`` gives them, a new one gets a fresh uid and "now" where
        it gives none. A namespace not seen before gets its Namespace object first (the real
        server would refuse the object; a test fixture is spared that step). Watchers are told.
        """
        if not isinstance(obj, Mapping):
            raise TypeError("apply() takes one object (a dict)")
        kind = obj.get("kind")
        rt = _KIND_TO_RESOURCE.get(kind) if isinstance(kind, str) else None
        if rt is None:
            raise ValueError(f"localapi serves no kind {kind!r}")
        api_version = obj.get("apiVersion")
        if api_version and api_version != rt.api_version:
            raise ValueError(f"{kind} is served as {rt.api_version}, not {api_version}")
        meta = dict(obj.get("metadata") or {})
        if not meta.get("name"):
            raise ValueError(f"{kind} without metadata.name")
        self.freeze()
        with self._cond:
            namespace = (meta.get("namespace") or "default") if rt.namespaced else ""
            if namespace and self._view.get("namespaces", "", namespace) is None:
                now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                ns_obj = self._namespace_object(namespace, now, "0")
                self._commit(RESOURCES["namespaces"], ns_obj, None)
            old = self._view.get(rt.name, namespace, meta["name"])
            if old is not None:
                before = old.object().get("metadata") or {}
                for k in ("uid", "creationTimestamp"):
                    if not meta.get(k) and before.get(k):
                        meta[k] = before[k]
            else:
                meta.setdefault("uid", str(uuid.uuid4()))
                meta.setdefault(
                    "creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                )
            body = {**obj, "metadata": meta}
            return self._commit(rt, body, old)

    def _commit(self, rt: ResourceType, obj: dict[str, Any], old: Entry | None) -> Entry:
        rv = self._view.rv + 1
        obj["metadata"] = {**obj["metadata"], "resourceVersion": str(rv)}
        entry = Entry.from_object(rt, obj)
        self._publish(rt.name, self._view.tables[rt.name].put(entry), rv)
        self._record(Change(rv, "MODIFIED" if old is not None else "ADDED", rt.name, entry, old))
        return entry

    def delete(self, kind: str, namespace: str | None, name: str) -> bool:
        """Delete one object (``kind``: Pod, pods or po); False if there was none.

        Watchers get DELETED with the object's last state at the deletion's resourceVersion.
        """
        rt = resource_for(kind)
        self.freeze()
        ns = (namespace or "default") if rt.namespaced else ""
        with self._cond:
            old = self._view.get(rt.name, ns, name)
            if old is None:
                return False
            rv = self._view.rv + 1
            gone = _with_rv(rt, old, rv)
            self._publish(rt.name, self._view.tables[rt.name].remove(old.key), rv)
            self._record(Change(rv, "DELETED", rt.name, gone, old))
            return True

    def _publish(self, resource: str, table: _Table, rv: int) -> None:
        tables = dict(self._view.tables)
        tables[resource] = table
        self._view = View(tables, rv)

    def _record(self, change: Change) -> None:
        history = self._history[change.resource]
        history.append(change)
        while len(history) > self.history_limit:
            history.popleft()
            # "the oldest watch event we can deliver is the first one in the buffer"
            self._floor[change.resource] = history[0].rv - 1
        for w in self._watchers:
            if w.resource != change.resource or w.closed:
                continue
            if len(w.changes) >= w.limit:
                w.overflowed = True
                continue
            w.changes.append(change)
        self._cond.notify_all()

    def compact(self) -> None:
        """Forget the watch history: a watch from any RV older than now then gets 410 Expired
        (as after the watch cache's window moved on). Open watches are not affected."""
        with self._cond:
            for resource, history in self._history.items():
                history.clear()
                self._floor[resource] = self._view.rv

    # --- watching -------------------------------------------------------------------------------

    def open_watch(
        self, resource: str, since: int | None, *, from_now: bool = False
    ) -> tuple[View, list[Change], WatchQueue]:
        """Start a watch: the state to send as initial events (when ``since`` is None), the
        kept changes after ``since`` (else), and the queue that receives every later change.
        ``from_now``: neither, only the changes from now on.

        Raises ``Expired`` with the apiserver's message when ``since`` predates the history.
        """
        self.freeze()
        with self._cond:
            view = self._view
            backlog: list[Change] = []
            if from_now:
                since = None
            elif since is not None:
                floor = self._floor[resource]
                if since < floor:
                    raise Expired(f"too old resource version: {since} ({floor})")
                backlog = [c for c in self._history[resource] if c.rv > since]
            queue = WatchQueue(self, resource, self.watch_queue_limit)
            self._watchers.add(queue)
            return view, backlog, queue

    def drop_watches(self) -> int:
        """Mark every open watch as cut; returns how many there were."""
        with self._cond:
            watchers = [w for w in self._watchers if not w.closed]
            for w in watchers:
                w.dropped = True
            self._cond.notify_all()
            return len(watchers)

    def wake(self) -> None:
        """Wake every waiting watch (the server is stopping)."""
        with self._cond:
            self._cond.notify_all()

    @property
    def open_watches(self) -> int:
        with self._cond:
            return sum(1 for w in self._watchers if not w.closed)
