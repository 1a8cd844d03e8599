"""Fault injection: make chosen requests fail the way a real API server or proxy fails.

Faults are matched per request against a resource (``pods``, ``events``, ``nodes``, ``jobs``,
``namespaces``, ``replicasets``, ``deployments``, ``statefulsets``, ``daemonsets``,
``cronjobs``, or ``log`` for ``pods/log``; None = any resource request, never discovery) and a
namespace (None = any request; ``""`` = only cluster-scope requests such as ``/api/v1/pods``;
``"prod"`` = only requests in namespace prod). ``times=N`` makes a fault apply to the first N
matching requests only, then it is spent and the server answers normally.

Kinds, and what the real thing looks like:

* ``forbidden``: 403 from RBAC, ``pods is forbidden: User "system:serviceaccount:default:exitwhy"
  cannot list resource "pods" in API group "" in the namespace "prod"``.
* ``notfound``: 404 NotFound (``pods "x" not found`` for a named object).
* ``expired``: 410 Gone, reason Expired, for requests that carry a ``continue`` token (etcd
  compacted the revision the token points at); requests without one are untouched.
* ``throttle``: 429 TooManyRequests with ``Retry-After`` (API Priority and Fairness).
* ``error``: 500 InternalError.
* ``slow``: wait ``delay`` seconds, then answer (combines with any of the above).
* ``truncate``: send the headers with the full ``Content-Length`` but only part of the body, then
  close the connection (a proxy or apiserver dying mid-response); a gzip answer, sent chunked,
  stops after half its chunks, without the last one. Combines with ``slow``.

What is not the API server's doing — the network, a proxy, a broken server (``wirefaults``):

* ``reset``: no answer; the connection is reset (TCP RST), as a dying proxy or a full conntrack
  table does.
* ``html``: 200 with an HTML login page (an authenticating proxy, or a server address that is a
  web site).
* ``redirect``: 302 to another host (a single-sign-on proxy).
* ``trickle``: the answer's body, one byte every ``delay`` seconds (a stalled proxy).
* ``endless``: the answer's body, then spaces without end (chunked; a broken proxy).
* ``cycle``: a list's last page carries a continue token that leads back to its first page, so
  the tokens repeat (A → B → A).
* ``newtoken``: as ``cycle``, but every page's continue token is new (a counter inside it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

__all__ = [
    "DEFAULT_USER",
    "FAULT_KINDS",
    "PAGING_KINDS",
    "RESPONSE_KINDS",
    "WIRE_KINDS",
    "Fault",
    "Faults",
]

DEFAULT_USER = "system:serviceaccount:default:exitwhy"
RESPONSE_KINDS = (
    "forbidden",
    "notfound",
    "expired",
    "throttle",
    "error",
    "html",
    "redirect",
    "reset",
)
MODIFIER_KINDS = ("slow", "truncate", "trickle", "endless", "cycle", "newtoken")
WIRE_KINDS = ("truncate", "trickle", "endless")  # how the body is sent
PAGING_KINDS = ("cycle", "newtoken")
FAULT_KINDS = RESPONSE_KINDS + MODIFIER_KINDS
RESOURCE_NAMES = (
    "pods",
    "events",
    "nodes",
    "jobs",
    "namespaces",
    "replicasets",
    "deployments",
    "statefulsets",
    "daemonsets",
    "cronjobs",
    "log",
)


@dataclass
class Fault:
    """One injected fault. ``hits`` counts the requests it has been applied to."""

    kind: str
    resource: str | None = None
    namespace: str | None = None
    times: int | None = None
    delay: float = 1.0
    retry_after: int = 1
    user: str = DEFAULT_USER
    hits: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        if self.resource is not None and self.resource not in RESOURCE_NAMES:
            raise ValueError(
                f"unknown fault resource {self.resource!r}; one of {', '.join(RESOURCE_NAMES)}"
            )
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``kind=forbidden,resource=pods,namespace=prod,times=2`` or ``forbidden:pods:prod``.

        Keys: kind, resource, namespace, times, delay, retry_after, user.
        """
        spec = spec.strip()
        if "=" not in spec:
            parts = spec.split(":")
            if len(parts) > 3:
                raise ValueError(f"bad fault {spec!r}: use KIND[:RESOURCE[:NAMESPACE]]")
            kind, resource, namespace = (parts + [None, None])[:3]
            return cls(kind or "", resource or None, namespace)
        values: dict[str, str] = {}
        for part in spec.split(","):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"bad fault {spec!r}: {part!r} is not key=value")
            values[key.strip()] = value.strip()
        unknown = set(values) - {
            "kind",
            "resource",
            "namespace",
            "times",
            "delay",
            "retry_after",
            "user",
        }
        if unknown:
            raise ValueError(f"bad fault {spec!r}: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(
            kind=values.get("kind", ""),
            resource=values.get("resource") or None,
            namespace=values.get("namespace"),
            times=int(values["times"]) if "times" in values else None,
            delay=float(values.get("delay", 1.0)),
            retry_after=int(values.get("retry_after", 1)),
            user=values.get("user", DEFAULT_USER),
        )

    @property
    def active(self) -> bool:
        return self.times is None or self.hits < self.times

    def matches(self, resource: str, namespace: str | None, has_continue: bool) -> bool:
        if not self.active:
            return False
        if self.resource is not None and self.resource != resource:
            return False
        if self.namespace is not None and self.namespace != (namespace or ""):
            return False
        return not (self.kind == "expired" and not has_continue)


class Faults:
    """The server's live fault list; safe to change from any thread while it serves."""

    def __init__(self, faults: list[Fault | str] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        for f in faults or ():
            self._faults.append(Fault.parse(f) if isinstance(f, str) else f)

    def add(
        self,
        kind: str,
        resource: str | None = None,
        namespace: str | None = None,
        *,
        times: int | None = None,
        delay: float = 1.0,
        retry_after: int = 1,
        user: str = DEFAULT_USER,
    ) -> Fault:
        """Add a fault after the existing ones; returns it (its ``hits`` count is live)."""
        fault = Fault(kind, resource, namespace, times, delay, retry_after, user)
        with self._lock:
            self._faults.append(fault)
        return fault

    def set(self, kind: str, *args: Any, **kwargs: Any) -> Fault:
        """Replace every fault with this one (the arguments of ``add``)."""
        fault = Fault(kind, *args, **kwargs)
        with self._lock:
            self._faults = [fault]
        return fault

    def add_fault(self, fault: Fault | str) -> Fault:
        """Add a ready-made ``Fault`` or a spec string (see ``Fault.parse``)."""
        if isinstance(fault, str):
            fault = Fault.parse(fault)
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self, resource: str | None = None) -> None:
        """Remove every fault, or only those for ``resource``."""
        with self._lock:
            if resource is None:
                self._faults = []
            else:
                self._faults = [f for f in self._faults if f.resource != resource]

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter([replace(f) for f in self._faults])

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def take(self, resource: str, namespace: str | None, has_continue: bool) -> list[Fault]:
        """The faults that apply to this request (at most one answer, plus slow/truncate).

        Each one returned has counted this request as one of its ``times``.
        """
        chosen: list[Fault] = []
        kinds: set[str] = set()
        with self._lock:
            for f in self._faults:
                if not f.matches(resource, namespace, has_continue):
                    continue
                slot = f.kind if f.kind in MODIFIER_KINDS else "answer"
                if slot in kinds:
                    continue
                kinds.add(slot)
                f.hits += 1
                chosen.append(f)
        return chosen
