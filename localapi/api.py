"""Request routing and responses: the read-only part of the Kubernetes REST API.

Paths served (as kube-apiserver lays them out):

* ``/version``, ``/healthz``, ``/livez``, ``/readyz``
* discovery: ``/api``, ``/api/v1``, ``/apis``, ``/apis/batch``, ``/apis/batch/v1``
* lists, all namespaces: ``/api/v1/{pods,events,nodes,namespaces}``, ``/apis/batch/v1/jobs``
* lists in a namespace: ``/api/v1/namespaces/{ns}/{pods,events}``,
  ``/apis/batch/v1/namespaces/{ns}/jobs``
* single objects: ``.../namespaces/{ns}/pods/{name}``, ``/api/v1/nodes/{name}``,
  ``/api/v1/namespaces/{name}``, ...
* logs: ``/api/v1/namespaces/{ns}/pods/{name}/log?container=&previous=&tailLines=&limitBytes=``

Lists honour ``limit``/``continue`` (opaque token, key order namespace/name), ``labelSelector``,
``fieldSelector`` and ``watch=true`` (initial ADDED events, then an idle stream until
``timeoutSeconds``). ``Accept: ...;as=Table;g=meta.k8s.io;v=v1`` gets a server-side Table.
Errors are ``Status`` objects with the real reasons, messages and codes. Everything other
than GET/HEAD is 405 MethodNotAllowed: this API server never changes anything.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping
from urllib.parse import unquote

from . import tables
from .discovery import AGGREGATED_CONTENT_TYPE, Discovery, wants_aggregated
from .faults import Fault, Faults
from .selectors import FieldSelector, LabelSelector, SelectorError
from .store import RESOURCES, Entry, ResourceType, Store, encode

__all__ = ["API", "Response", "status_body"]

JSON = "application/json"
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)
_GROUP_VERSIONS = {"v1": "", "batch/v1": "batch"}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None  # sent chunked (watch)
    truncate: bool = False
    delay: float = 0.0
    faults: list[str] = field(default_factory=list)


def status_body(
    code: int,
    reason: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> bytes:
    doc: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": dict(metadata or {}),
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        doc["details"] = dict(details)
    doc["code"] = code
    return encode(doc)


def _status(code: int, reason: str, message: str, **kw: Any) -> Response:
    return Response(code, status_body(code, reason, message, **kw))


def _details(rt: ResourceType, name: str | None) -> dict[str, str]:
    d: dict[str, str] = {}
    if name:
        d["name"] = name
    if rt.group:
        d["group"] = rt.group
    d["kind"] = rt.name
    return d


def not_found(rt: ResourceType, name: str) -> Response:
    return _status(
        404, "NotFound", f'{rt.qualified} "{name}" not found', details=_details(rt, name)
    )


def no_route() -> Response:
    return _status(404, "NotFound", "the server could not find the requested resource", details={})


def bad_request(message: str) -> Response:
    return _status(400, "BadRequest", message)


def encode_continue(rv: str, key: tuple[str, str], namespaced: bool) -> str:
    """The real token: base64url of ``{"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\\0"}``."""
    start = (f"{key[0]}/{key[1]}" if namespaced else key[1]) + "\x00"
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": int(rv), "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str, namespaced: bool) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = json.loads(raw)
        if doc.get("v") != "meta.k8s.io/v1":
            raise ValueError("continue key is not valid: incorrect encoded start resourceVersion")
        start = str(doc["start"]).rstrip("\x00")
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith("continue key"):
            raise
        raise ValueError(f"continue key is not valid: {exc}") from None
    if namespaced:
        ns, sep, name = start.partition("/")
        if not sep:
            raise ValueError("continue key is not valid: start key has no namespace")
        return (ns, name)
    return ("", start)


def _wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params:
            return True
    return False


@dataclass
class Target:
    """What a resource path names."""

    rt: ResourceType
    namespace: str | None  # None: all namespaces / cluster scope
    name: str | None = None
    log: bool = False


class API:
    """Turns (method, path, query, headers) into a ``Response``; shared by all handler threads."""

    def __init__(
        self,
        store: Store,
        faults: Faults,
        discovery: Discovery,
        token: str | None,
        stopping: threading.Event,
    ) -> None:
        self.store = store
        self.faults = faults
        self.discovery = discovery
        self.token = token
        self.stopping = stopping

    # --- entry point ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        if self.token is not None:
            auth = headers.get("Authorization") or ""
            if not hmac.compare_digest(auth.encode(), f"Bearer {self.token}".encode()):
                return _status(401, "Unauthorized", "Unauthorized")
        if method not in ("GET", "HEAD"):
            return _status(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
                details={},
            )
        path = path.rstrip("/") or "/"
        simple = self._simple(path, headers.get("Accept") or "")
        if simple is not None:
            return simple
        target = self._route(path)
        if target is None:
            return no_route()
        return self._resource(target, query, headers)

    def _simple(self, path: str, accept: str) -> Response | None:
        d = self.discovery
        if path == "/version":
            return Response(200, d.version)
        if path in ("/healthz", "/livez", "/readyz"):
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if path == "/api":
            if wants_aggregated(accept):
                return Response(200, d.api_aggregated, AGGREGATED_CONTENT_TYPE)
            return Response(200, d.api)
        if path == "/apis":
            if wants_aggregated(accept):
                return Response(200, d.apis_aggregated, AGGREGATED_CONTENT_TYPE)
            return Response(200, d.apis)
        if path == "/api/v1":
            return Response(200, d.resource_lists["v1"])
        if path.startswith("/apis/"):
            rest = path[len("/apis/") :]
            if rest in d.group_docs:
                return Response(200, d.group_docs[rest])
            if rest in d.resource_lists:
                return Response(200, d.resource_lists[rest])
        return None

    def _route(self, path: str) -> Target | None:
        if path.startswith("/api/v1/"):
            gv, rest = "v1", path[len("/api/v1/") :]
        elif path.startswith("/apis/batch/v1/"):
            gv, rest = "batch/v1", path[len("/apis/batch/v1/") :]
        else:
            return None
        group = _GROUP_VERSIONS[gv]
        parts = [unquote(p) for p in rest.split("/")]
        if any(not p for p in parts):
            return None

        def resource(name: str, namespaced: bool | None) -> ResourceType | None:
            rt = RESOURCES.get(name)
            if rt is None or rt.group != group:
                return None
            if namespaced is not None and rt.namespaced != namespaced:
                return None
            return rt

        n = len(parts)
        if n == 1:
            rt = resource(parts[0], None)
            return Target(rt, None) if rt else None
        if n == 2 and (rt := resource(parts[0], False)) is not None:
            return Target(rt, None, parts[1])
        if parts[0] != "namespaces" or n < 3:
            return None
        rt = resource(parts[2], True)
        if rt is None:
            return None
        ns = parts[1]
        if n == 3:
            return Target(rt, ns)
        if n == 4:
            return Target(rt, ns, parts[3])
        if n == 5 and rt.name == "pods" and parts[4] == "log":
            return Target(rt, ns, parts[3], log=True)
        return None

    # --- resources ------------------------------------------------------------------------------

    def _resource(
        self, t: Target, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        watching = query.get("watch") in ("true", "1")
        verb = "watch" if watching else ("get" if t.name else "list")
        fault_resource = "log" if t.log else t.rt.name
        chosen = self.faults.take(fault_resource, t.namespace, bool(query.get("continue")))
        delay = sum(f.delay for f in chosen if f.kind == "slow")
        answer = next((f for f in chosen if f.kind not in ("slow", "truncate")), None)
        if answer is not None:
            resp = self._fault_response(answer, t, verb, query)
        elif t.log:
            resp = self._log(t, query)
        elif watching:
            resp = self._watch(t, query)
        elif t.name:
            resp = self._get(t, headers)
        else:
            resp = self._list(t, query, headers)
        resp.delay = delay
        resp.truncate = any(f.kind == "truncate" for f in chosen) and resp.stream is None
        resp.faults = [f.kind for f in chosen]
        return resp

    def _fault_response(self, f: Fault, t: Target, verb: str, query: Mapping[str, str]) -> Response:
        rt = t.rt
        if f.kind == "forbidden":
            subject = f'{rt.qualified} "{t.name}"' if t.name else rt.qualified
            resource = "pods/log" if t.log else rt.name
            scope = f'in the namespace "{t.namespace}"' if t.namespace else "at the cluster scope"
            message = (
                f'{subject} is forbidden: User "{f.user}" cannot {verb} resource "{resource}" '
                f'in API group "{rt.group}" {scope}'
            )
            return _status(403, "Forbidden", message, details=_details(rt, t.name))
        if f.kind == "notfound":
            return not_found(rt, t.name) if t.name else no_route()
        if f.kind == "expired":
            return _status(
                410, "Expired", EXPIRED_MESSAGE, metadata={"continue": query.get("continue", "")}
            )
        if f.kind == "throttle":
            resp = _status(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
                details={"retryAfterSeconds": f.retry_after},
            )
            resp.headers.append(("Retry-After", str(f.retry_after)))
            return resp
        return _status(
            500,
            "InternalError",
            "Internal error occurred: localapi: injected fault",
            details={"causes": [{"message": "localapi: injected fault"}]},
        )

    @staticmethod
    def _full(rt: ResourceType, entry: Entry) -> bytes:
        prefix = f'{{"kind":"{rt.kind}","apiVersion":"{rt.api_version}",'.encode()
        return prefix + entry.data[1:]

    def _lookup(self, t: Target) -> Entry | None:
        assert t.name is not None
        return self.store.get(t.rt.name, t.namespace or "", t.name)

    def _get(self, t: Target, headers: Mapping[str, str]) -> Response:
        entry = self._lookup(t)
        if entry is None:
            return not_found(t.rt, t.name or "")
        if _wants_table(headers.get("Accept") or ""):
            meta = encode({"resourceVersion": self.store.resource_version})
            body = tables.table_body(t.rt, [entry], meta, "Metadata", lambda e: self._full(t.rt, e))
            return Response(200, body, TABLE_CONTENT_TYPE)
        return Response(200, self._full(t.rt, entry))

    def _selectors(self, t: Target, query: Mapping[str, str]) -> tuple[Any, Any]:
        labels = LabelSelector.parse(query.get("labelSelector"))
        fs = FieldSelector.parse(query.get("fieldSelector"))
        return labels, (fs.compile(t.rt.field_labels) if fs is not None else None)

    def _list(self, t: Target, query: Mapping[str, str], headers: Mapping[str, str]) -> Response:
        rt = t.rt
        try:
            labels, fields = self._selectors(t, query)
        except SelectorError as exc:
            return bad_request(str(exc))
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            return bad_request(f"limit: Invalid value: {query.get('limit')!r}: must be an integer")
        after = None
        if query.get("continue"):
            try:
                after = decode_continue(query["continue"], rt.namespaced)
            except ValueError as exc:
                return bad_request(str(exc))
        page = self.store.page(
            rt.name, t.namespace, labels=labels, fields=fields, limit=limit, after=after
        )
        rv = self.store.resource_version
        meta: dict[str, Any] = {"resourceVersion": rv}
        if page.last_key is not None:
            meta["continue"] = encode_continue(rv, page.last_key, rt.namespaced)
            if page.remaining is not None:
                meta["remainingItemCount"] = page.remaining
        meta_bytes = encode(meta)
        if _wants_table(headers.get("Accept") or ""):
            include = query.get("includeObject") or "Metadata"
            body = tables.table_body(
                rt, page.items, meta_bytes, include, lambda e: self._full(rt, e)
            )
            return Response(200, body, TABLE_CONTENT_TYPE)
        head = f'{{"kind":"{rt.list_kind}","apiVersion":"{rt.api_version}","metadata":'.encode()
        body = b"".join(
            (head, meta_bytes, b',"items":[', b",".join([e.data for e in page.items]), b"]}")
        )
        return Response(200, body)

    def _watch(self, t: Target, query: Mapping[str, str]) -> Response:
        rt = t.rt
        try:
            labels, fields = self._selectors(t, query)
        except SelectorError as exc:
            return bad_request(str(exc))
        try:
            timeout = float(query.get("timeoutSeconds") or 1800)
        except ValueError:
            return bad_request("timeoutSeconds: must be an integer")
        initial = query.get("resourceVersion") in (None, "", "0") or (
            query.get("sendInitialEvents") == "true"
        )
        items: list[Entry] = []
        if initial:
            if t.name:
                entry = self._lookup(t)
                items = [entry] if entry is not None else []
            else:
                items = self.store.page(rt.name, t.namespace, labels=labels, fields=fields).items
        bookmark = query.get("sendInitialEvents") == "true"
        stopping = self.stopping
        rv = self.store.resource_version

        def events() -> Iterator[bytes]:
            for e in items:
                yield b'{"type":"ADDED","object":' + self._full(rt, e) + b"}\n"
            if bookmark:
                mark = {
                    "type": "BOOKMARK",
                    "object": {
                        "kind": rt.kind,
                        "apiVersion": rt.api_version,
                        "metadata": {
                            "resourceVersion": rv,
                            "annotations": {"k8s.io/initial-events-end": "true"},
                        },
                    },
                }
                yield encode(mark) + b"\n"
            stopping.wait(timeout)

        return Response(200, stream=events())

    def _log(self, t: Target, query: Mapping[str, str]) -> Response:
        entry = self._lookup(t)
        pod = t.name or ""
        if entry is None:
            return not_found(t.rt, pod)
        regular = [name for kind, name in entry.containers if kind == "regular"]
        others = [name for kind, name in entry.containers if kind != "regular"]
        container = query.get("container")
        if not container:
            if len(regular) != 1:
                message = f"a container name must be specified for pod {pod}, choose one of: "
                message += "[" + " ".join(regular) + "]"
                if others:
                    message += " or one of the init containers: [" + " ".join(others) + "]"
                return bad_request(message)
            container = regular[0]
        if container not in regular and container not in others:
            return bad_request(f"container {container} is not valid for pod {pod}")
        text = self.store.logs.get((t.namespace or "", pod, container))
        if text is None:
            if query.get("previous") in ("true", "1"):
                return bad_request(
                    f'previous terminated container "{container}" in pod "{pod}" not found'
                )
            text = b""
        tail = query.get("tailLines")
        if tail:
            try:
                n = int(tail)
            except ValueError:
                return bad_request(f"tailLines: Invalid value: {tail!r}")
            lines = text.splitlines(keepends=True)
            text = b"".join(lines[-n:]) if n > 0 else b""
        limit = query.get("limitBytes")
        if limit:
            try:
                text = text[: int(limit)]
            except ValueError:
                return bad_request(f"limitBytes: Invalid value: {limit!r}")
        return Response(200, text, "text/plain")
