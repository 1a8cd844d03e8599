"""The object store: objects by resource, pre-encoded once, and the changes made after start.

Build it with ``add``/``add_entry``/``load_dir``/``add_log``, then ``freeze()`` (the server does
it), which sorts and synthesises a Namespace for every namespace seen. Reads go through a
``View`` (``view``): the tables are copy-on-write and a View is swapped in whole, so a list sees
one consistent state without a lock, and the frozen store keeps its speed. After the freeze,
``apply``/``delete`` change it as kube-apiserver would: every change takes the next global
resourceVersion (etcd's revision), is written into the object's ``metadata.resourceVersion``,
and goes to the watch cache (``watchcache``); a change costs a copy of the changed resource's
table (a few ms at 50,000 pods).

The parts: ``resources`` (what is served), ``entry`` (one encoded object), ``view`` (reading
in list order), ``watchcache`` (the history and the open watches), ``loading`` (files).
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from . import loading
from .entry import Entry, encode
from .resources import RESOURCES, Obj, ResourceType, resource_for, served_type
from .view import Page, ResourceTable, View
from .watchcache import Change, Expired, WatchCache, WatchQueue

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


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


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


class Store:
    """Objects by resource, in ``(namespace, name)`` order, plus pod logs.

    After ``freeze()``, ``apply``/``delete`` change it (each change a new resourceVersion, kept
    in the watch history for ``history_limit`` changes per resource), and ``compact`` forgets
    the history.
    """

    def __init__(self, history_limit: int = 1000, watch_queue_limit: int = 10_000) -> None:
        self._pending: dict[str, dict[tuple[str, str], Entry]] = {r: {} for r in RESOURCES}
        self._view = View({r: ResourceTable() for r in RESOURCES}, 1)
        self.logs: dict[tuple[str, str, str], bytes] = {}
        self._max_rv = 1
        self._ns_created: dict[str, str] = {}
        self.frozen = False
        self.history_limit = max(1, history_limit)
        self.watch_queue_limit = watch_queue_limit
        self._cond = threading.Condition(threading.Lock())
        self._watches = WatchCache(self._cond)

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
        try:
            rt = served_type(obj)
        except ValueError:
            return False
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
        """Load every ``*.json``/``*.yaml``/``*.yml`` in ``directory`` and its ``logs/`` tree
        (see ``loading``); returns how many objects were added."""
        directory = Path(directory)
        count = sum(self._count_added(doc) for doc in loading.documents(directory))
        for namespace, pod, container, text in loading.pod_logs(directory):
            self.add_log(namespace, pod, container, text)
        return count

    def _count_added(self, doc: Obj) -> int:
        items = doc.get("items")
        if isinstance(items, list) and str(doc.get("kind", "")).endswith("List"):
            return sum(self._count_added(i) for i in items if isinstance(i, Mapping))
        return 1 if self.add(doc) else 0

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
                    obj = _namespace_object(ns, created, "1")
                    namespaces[("", ns)] = Entry.from_object(RESOURCES["namespaces"], obj)
            tables = {}
            for resource, pending in self._pending.items():
                keys = sorted(pending)
                tables[resource] = ResourceTable(keys, [pending[k] for k in keys], pending)
            self._pending = {r: {} for r in RESOURCES}
            self._watches.listed(self._max_rv)
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

    def page(self, resource: str, namespace: str | None, **selection: Any) -> Page:
        """One chunk of a list of the current state (``View.page``: ``labels``, ``fields``,
        ``limit``, ``after``)."""
        return self._view.page(resource, namespace, **selection)

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
        rt = served_type(obj)
        meta = dict(obj.get("metadata") or {})
        if not meta.get("name"):
            raise ValueError(f"{obj.get('kind')} without metadata.name")
        self.freeze()
        with self._cond:
            namespace = (meta.get("namespace") or "default") if rt.namespaced else ""
            if namespace and self._view.get("namespaces", "", namespace) is None:
                ns_obj = _namespace_object(namespace, _now(), "0")
                self._commit(RESOURCES["namespaces"], ns_obj, None)
            old = self._view.get(rt.name, namespace, meta["name"])
            if old is not None:
                before = old.object().get("metadata") or {}
                for k in ("uid", "creationTimestamp"):
                    if not meta.get(k) and before.get(k):
                        meta[k] = before[k]
            else:
                meta.setdefault("uid", str(uuid.uuid4()))
                meta.setdefault("creationTimestamp", _now())
            body = {**obj, "metadata": meta}
            return self._commit(rt, body, old)

    def _commit(self, rt: ResourceType, obj: dict[str, Any], old: Entry | None) -> Entry:
        rv = self._view.rv + 1
        obj["metadata"] = {**obj["metadata"], "resourceVersion": str(rv)}
        entry = Entry.from_object(rt, obj)
        self._publish(rt.name, self._view.tables[rt.name].put(entry), rv)
        change = Change(rv, "MODIFIED" if old is not None else "ADDED", rt.name, entry, old)
        self._watches.record(change, self.history_limit)
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
            gone = old.with_rv(rt, rv)
            self._publish(rt.name, self._view.tables[rt.name].remove(old.key), rv)
            self._watches.record(Change(rv, "DELETED", rt.name, gone, old), self.history_limit)
            return True

    def _publish(self, resource: str, table: ResourceTable, rv: int) -> None:
        tables = dict(self._view.tables)
        tables[resource] = table
        self._view = View(tables, rv)

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
            since = None if from_now else since
            backlog, queue = self._watches.open(resource, since, self.watch_queue_limit)
            return self._view, backlog, queue

    def compact(self) -> None:
        """Forget the watch history: a watch from any RV older than now then gets 410 Expired
        (as after the watch cache's window moved on). Open watches are not affected."""
        self._watches.compact()

    def drop_watches(self) -> int:
        """Mark every open watch as cut; returns how many there were."""
        return self._watches.drop_all()

    def wake(self) -> None:
        """Wake every waiting watch (the server is stopping)."""
        self._watches.wake()

    @property
    def open_watches(self) -> int:
        return self._watches.open_count
