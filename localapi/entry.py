"""A stored object: encoded to compact JSON bytes once, plus what selectors and tables read.

kube-apiserver leaves ``apiVersion``/``kind`` out of the items of a typed list (a PodList), so
an entry's bytes are the object without them; a single GET puts them back as a byte prefix.
Besides the bytes an entry keeps only what selectors need: labels, and the resource's
selectable field values as a tuple.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .resources import Obj, ResourceType

__all__ = ["Entry", "encode"]


def encode(obj: Any) -> bytes:
    """Compact JSON, the way the API server writes it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


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
        self.table: Any = None  # a Table row's source, filled lazily by ``tables``

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def object(self) -> dict[str, Any]:
        """A fresh decoded copy of the stored object (without apiVersion/kind)."""
        return json.loads(self.data)

    def with_rv(self, rt: ResourceType, rv: int) -> Entry:
        """The same object at resourceVersion ``rv``."""
        obj = self.object()
        meta = dict(obj.get("metadata") or {})
        meta["resourceVersion"] = str(rv)
        obj["metadata"] = meta
        return Entry.from_object(rt, obj)

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
