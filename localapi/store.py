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
"""

from __future__ import annotations

import json
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import yaml

from .selectors import LabelSelector

__all__ = ["Entry", "ResourceType", "RESOURCES", "Store", "encode"]

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
    )
}

_KIND_TO_RESOURCE = {rt.kind: rt for rt in RESOURCES.values()}


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


@dataclass
class _Table:
    keys: list[tuple[str, str]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    by_key: dict[tuple[str, str], Entry] = field(default_factory=dict)


@dataclass
class Page:
    items: list[Entry]
    last_key: tuple[str, str] | None  # set when more items remain after this page
    remaining: int | None  # remainingItemCount, only for unfiltered lists


class Store:
    """Objects by resource, in ``(namespace, name)`` order, plus pod logs.

    Build it with ``add``/``add_entry``/``load_dir``/``add_log``, then ``freeze()`` (the server
    does it), which sorts and synthesises a Namespace for every namespace seen.
    """

    def __init__(self) -> None:
        self._pending: dict[str, dict[tuple[str, str], Entry]] = {r: {} for r in RESOURCES}
        self._tables: dict[str, _Table] = {r: _Table() for r in RESOURCES}
        self.logs: dict[tuple[str, str, str], bytes] = {}
        self.resource_version = "1"
        self._max_rv = 1
        self._ns_created: dict[str, str] = {}
        self.frozen = False

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
            raise RuntimeError("the store is frozen once the server has started")
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

    def freeze(self) -> Store:
        """Sort everything and add a Namespace object for every namespace in use."""
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
                obj = {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {
                        "name": ns,
                        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, "localapi/namespace/" + ns)),
                        "resourceVersion": "1",
                        "creationTimestamp": created,
                        "labels": {"kubernetes.io/metadata.name": ns},
                    },
                    "spec": {"finalizers": ["kubernetes"]},
                    "status": {"phase": "Active"},
                }
                namespaces[("", ns)] = Entry.from_object(RESOURCES["namespaces"], obj)
        for resource, pending in self._pending.items():
            table = self._tables[resource]
            table.keys = sorted(pending)
            table.entries = [pending[k] for k in table.keys]
            table.by_key = pending
        self._pending = {r: {} for r in RESOURCES}
        self.resource_version = str(self._max_rv)
        self.frozen = True
        return self

    # --- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(len(t.entries) for t in self._tables.values())

    def count(self, resource: str) -> int:
        return len(self._tables[resource].entries)

    def get(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self._tables[resource].by_key.get((namespace, name))

    def entries(self, resource: str, namespace: str | None = None) -> Iterator[Entry]:
        table = self._tables[resource]
        lo, hi = self._bounds(table, namespace)
        return iter(table.entries[lo:hi])

    @staticmethod
    def _bounds(table: _Table, namespace: str | None) -> tuple[int, int]:
        if namespace is None:
            return 0, len(table.keys)
        return (
            bisect_left(table.keys, (namespace, "")),
            bisect_left(table.keys, (namespace + "\x00", "")),
        )

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
        table = self._tables[resource]
        lo, hi = self._bounds(table, namespace)
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
