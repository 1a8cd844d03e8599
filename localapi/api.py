"""Request dispatch: the read-only part of the Kubernetes REST API, and its lists and gets.

Paths served (as kube-apiserver lays them out; ``routes`` parses them):

* ``/version``, ``/healthz``, ``/livez``, ``/readyz``
* discovery: ``/api``, ``/api/v1``, ``/apis``, ``/apis/{apps,batch}``, ``/apis/{apps,batch}/v1``
* lists, all namespaces: ``/api/v1/{pods,events,nodes,namespaces}``,
  ``/apis/batch/v1/{jobs,cronjobs}``, ``/apis/apps/v1/{replicasets,deployments,statefulsets,
  daemonsets}``
* lists in a namespace: ``/api/v1/namespaces/{ns}/{pods,events}``,
  ``/apis/batch/v1/namespaces/{ns}/jobs``, ``/apis/apps/v1/namespaces/{ns}/deployments``, ...
* single objects: ``.../namespaces/{ns}/pods/{name}``, ``/api/v1/nodes/{name}``,
  ``/api/v1/namespaces/{name}``, ...
* logs: ``/api/v1/namespaces/{ns}/pods/{name}/log?container=&previous=&tailLines=&limitBytes=``
  (``podlogs``)
* the deprecated watch paths: ``/api/v1/watch/...``, ``/apis/{group}/v1/watch/...``

Lists honour ``limit``/``continue`` (opaque token, key order namespace/name), ``labelSelector``,
``fieldSelector`` and ``watch=true`` (``watch``: the events of the store's changes, as the
watch cache sends them). ``watch`` on a single object's path is a plain GET, as the apiserver's
installer routes it (GET on an item is "read the specified" object). ``Accept: ...;as=Table;
g=meta.k8s.io;v=v1`` gets a server-side Table (``tables``); ``as=PartialObjectMetadataList``
(and ``PartialObjectMetadata`` on a get) the objects' metadata alone. Errors are ``Status`` objects
(``responses``). Everything other than GET/HEAD is 405 MethodNotAllowed: this API server never
changes anything over HTTP (tests change it in-process: ``Store.apply``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from . import tables
from .discovery import AGGREGATED_CONTENT_TYPE, Discovery, wants_aggregated
from .entry import encode
from .faults import PAGING_KINDS, RESPONSE_KINDS, WIRE_KINDS, Faults
from .podlogs import serve_log
from .responses import (
    JSON,
    Response,
    bad_request,
    fault_response,
    no_route,
    not_found,
    object_bytes,
    status,
    status_body,
)
from .routes import Target, is_true, route
from .selectors import SelectorError
from .store import Store
from .watch import serve_watch
from .wirefaults import broken_continue

__all__ = ["API", "Response", "status_body"]

TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
METADATA_CONTENT_TYPE = "application/json;as={kind};g=meta.k8s.io;v=v1"
# the cacher's defaultBookmarkFrequency ("how frequently watch bookmarks should be send")
BOOKMARK_INTERVAL = 60.0


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


def _wants_metadata(accept: str, kind: str) -> bool:
    """``Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`` (what
    client-go's metadata client sends): objects reduced to their metadata."""
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if f"as={kind}" in params and "g=meta.k8s.io" in params and "v=v1" in params:
            return True
    return False


def _metadata_only(data: bytes) -> bytes:
    meta = json.loads(data).get("metadata") or {}
    return encode(
        {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
    )


def _wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params:
            return True
    return False


@dataclass(eq=False)
class API:
    """Turns (method, path, query, headers) into a ``Response``; shared by all handler threads.

    ``bookmark_interval`` and ``poll_interval`` (the longest a watch waits before it looks at
    stop/drop again) are read by open watches as they run.
    """

    store: Store
    faults: Faults
    discovery: Discovery
    token: str | None
    stopping: threading.Event
    bookmark_interval: float = BOOKMARK_INTERVAL
    poll_interval: float = 0.5

    # --- entry point ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        if self.token is not None:
            auth = headers.get("Authorization") or ""
            if not hmac.compare_digest(auth.encode(), f"Bearer {self.token}".encode()):
                return status(401, "Unauthorized", "Unauthorized")
        if method not in ("GET", "HEAD"):
            return status(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
                details={},
            )
        path = path.rstrip("/") or "/"
        simple = self._simple(path, headers.get("Accept") or "")
        if simple is not None:
            return simple
        target = route(path)
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

    # --- resources ------------------------------------------------------------------------------

    def _resource(
        self, t: Target, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        watching = t.watch_path or (not t.name and is_true(query.get("watch")))
        verb = "watch" if watching else ("get" if t.name else "list")
        fault_resource = "log" if t.log else t.rt.name
        chosen = self.faults.take(fault_resource, t.namespace, bool(query.get("continue")))
        delay = sum(f.delay for f in chosen if f.kind == "slow")
        answer = next((f for f in chosen if f.kind in RESPONSE_KINDS), None)
        paging = next((f.kind for f in chosen if f.kind in PAGING_KINDS), None)
        if answer is not None:
            resp = fault_response(answer, t, verb, query.get("continue", ""))
        elif t.log:
            resp = serve_log(self.store, t, query)
        elif watching:
            resp = serve_watch(self, t, query)
        elif t.name:
            resp = self._get(t, headers)
        else:
            resp = self._list(t, query, headers, paging)
        resp.delay = delay
        resp.truncate = any(f.kind == "truncate" for f in chosen) and resp.stream is None
        wire = next((f for f in chosen if f.kind in WIRE_KINDS), None)
        if wire is not None and resp.stream is None and not resp.wire:
            resp.wire, resp.pace = wire.kind, wire.delay
        resp.faults = [f.kind for f in chosen]
        return resp

    def _get(self, t: Target, headers: Mapping[str, str]) -> Response:
        view = self.store.view()
        entry = view.get(t.rt.name, t.namespace or "", t.name or "")
        if entry is None:
            return not_found(t.rt, t.name or "")
        if _wants_table(headers.get("Accept") or ""):
            meta = encode({"resourceVersion": view.resource_version})
            body = tables.table_body(
                t.rt, [entry], meta, "Metadata", lambda e: object_bytes(t.rt, e)
            )
            return Response(200, body, TABLE_CONTENT_TYPE)
        if _wants_metadata(headers.get("Accept") or "", "PartialObjectMetadata"):
            body = _metadata_only(object_bytes(t.rt, entry))
            return Response(200, body, METADATA_CONTENT_TYPE.format(kind="PartialObjectMetadata"))
        return Response(200, object_bytes(t.rt, entry))

    def _list(
        self,
        t: Target,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        paging: str | None = None,
    ) -> Response:
        rt = t.rt
        try:
            labels, fields = t.selectors(query)
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
        view = self.store.view()
        page = view.page(
            rt.name, t.namespace, labels=labels, fields=fields, limit=limit, after=after
        )
        rv = view.resource_version
        meta: dict[str, Any] = {"resourceVersion": rv}
        if page.last_key is not None:
            meta["continue"] = encode_continue(rv, page.last_key, rt.namespaced)
            if page.remaining is not None:
                meta["remainingItemCount"] = page.remaining
        if paging is not None and limit:  # a broken server's tokens (``wirefaults``)
            first = None
            if page.last_key is None:  # where the first page ends: its token, again
                kw = {"labels": labels, "fields": fields, "limit": limit}
                first = view.page(rt.name, t.namespace, **kw).last_key
            meta["continue"] = broken_continue(paging, rv, page.last_key, rt.namespaced, first)
        meta_bytes = encode(meta)
        if _wants_table(headers.get("Accept") or ""):
            include = query.get("includeObject") or "Metadata"
            body = tables.table_body(
                rt, page.items, meta_bytes, include, lambda e: object_bytes(rt, e)
            )
            return Response(200, body, TABLE_CONTENT_TYPE)
        kind, api_version, content_type = rt.list_kind, rt.api_version, JSON
        items = [e.data for e in page.items]
        if _wants_metadata(headers.get("Accept") or "", "PartialObjectMetadataList"):
            kind, api_version = "PartialObjectMetadataList", "meta.k8s.io/v1"
            content_type = METADATA_CONTENT_TYPE.format(kind=kind)
            items = [_metadata_only(data) for data in items]
        head = f'{{"kind":"{kind}","apiVersion":"{api_version}","metadata":'.encode()
        body = b"".join((head, meta_bytes, b',"items":[', b",".join(items), b"]}"))
        return Response(200, body, content_type)
