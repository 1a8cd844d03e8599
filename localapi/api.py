"""Request routing and responses: the read-only part of the Kubernetes REST API.

Paths served (as kube-apiserver lays them out):

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
* the deprecated watch paths: ``/api/v1/watch/...``, ``/apis/{group}/v1/watch/...`` (an object's
  own: "watch changes to an object of kind Pod ... filtered to a single item with the
  'fieldSelector' parameter")

Lists honour ``limit``/``continue`` (opaque token, key order namespace/name), ``labelSelector``,
``fieldSelector`` and ``watch=true`` (see ``_watch``: the events of the store's changes, as the
watch cache sends them). ``watch`` on a single object's path is a plain GET, as the apiserver's
installer routes it (GET on an item is "read the specified" object). ``Accept: ...;as=Table;
g=meta.k8s.io;v=v1`` gets a server-side Table. Errors are ``Status`` objects with the real
reasons, messages and codes. Everything other than GET/HEAD is 405 MethodNotAllowed: this API
server never changes anything over HTTP (tests change it in-process: ``Store.apply``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import unquote

from . import tables
from .discovery import AGGREGATED_CONTENT_TYPE, Discovery, wants_aggregated
from .faults import Fault, Faults
from .selectors import FieldSelector, LabelSelector, SelectorError
from .store import RESOURCES, Change, Entry, Expired, ResourceType, Store, View, encode

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
_GROUP_VERSIONS = {"v1": "", **{rt.api_version: rt.group for rt in RESOURCES.values()}}
# strconv.ParseBool, which the query parameter decoder uses for booleans such as watch
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
# --min-request-timeout's default: a watch without timeoutSeconds (or with 0) lasts a random
# time between this and twice this (handlers/get.go: "if timeout == 0 && minRequestTimeout > 0
# { timeout = time.Duration(float64(minRequestTimeout) * (rand.Float64() + 1.0)) }")
MIN_REQUEST_TIMEOUT = 1800.0
# the cacher's defaultBookmarkFrequency ("how frequently watch bookmarks should be send")
BOOKMARK_INTERVAL = 60.0


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
    watch_path: bool = False  # the deprecated /watch/ form: always a watch


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
        self.bookmark_interval = BOOKMARK_INTERVAL
        self.poll_interval = 0.5  # the longest a watch waits before it looks at stop/drop again

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
        elif path.startswith("/apis/"):
            group, _, tail = path[len("/apis/") :].partition("/")
            version, _, rest = tail.partition("/")
            gv = f"{group}/{version}"
            if gv not in _GROUP_VERSIONS or not group:
                return None
        else:
            return None
        group = _GROUP_VERSIONS[gv]
        parts = [unquote(p) for p in rest.split("/")]
        if any(not p for p in parts):
            return None
        watch_path = parts[0] == "watch"
        if watch_path:
            parts = parts[1:]
            if not parts:
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
            return Target(rt, None, watch_path=watch_path) if rt else None
        if n == 2 and (rt := resource(parts[0], False)) is not None:
            return Target(rt, None, parts[1], watch_path=watch_path)
        if parts[0] != "namespaces" or n < 3:
            return None
        rt = resource(parts[2], True)
        if rt is None:
            return None
        ns = parts[1]
        if n == 3:
            return Target(rt, ns, watch_path=watch_path)
        if n == 4:
            return Target(rt, ns, parts[3], watch_path=watch_path)
        if n == 5 and rt.name == "pods" and parts[4] == "log" and not watch_path:
            return Target(rt, ns, parts[3], log=True)
        return None

    # --- resources ------------------------------------------------------------------------------

    def _resource(
        self, t: Target, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        watching = t.watch_path or (not t.name and query.get("watch") in _TRUE)
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

    def _lookup(self, t: Target, view: View | None = None) -> Entry | None:
        assert t.name is not None
        return (view or self.store.view()).get(t.rt.name, t.namespace or "", t.name)

    def _get(self, t: Target, headers: Mapping[str, str]) -> Response:
        view = self.store.view()
        entry = self._lookup(t, view)
        if entry is None:
            return not_found(t.rt, t.name or "")
        if _wants_table(headers.get("Accept") or ""):
            meta = encode({"resourceVersion": view.resource_version})
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
        """A watch, as the watch cache serves it (staging/src/k8s.io/apiserver/pkg/storage/
        cacher: cacher.go, watch_cache.go, cache_watcher.go).

        * ``resourceVersion`` absent or "0": ADDED events for the current state first ("to
          keep backward compatibility, we additionally need to return the current state and
          only then start watching from that point"), then every change; "0" with
          ``sendInitialEvents=false`` starts at now without them.
        * ``resourceVersion=N``: every kept change after N, in order, then the live ones. N
          older than the history: HTTP 200 and a single ERROR event holding the Status
          (``newErrWatcher``: "once we have passed authn/authz/admission, and successfully
          parsed a resource version, other errors must fail with a watch event of type ERROR,
          rather than a directly returned error"), 410 Expired "too old resource version: N
          (M)", then the end of the stream. N newer than now: the changes after N, when they
          come. N not a number: 422 Invalid (``APIObjectVersioner.ParseResourceVersion``
          returns a storage InvalidError, which ``responsewriters.ErrorToAPIStatus`` turns
          into StatusUnprocessableEntity, reason Invalid).
        * ``sendInitialEvents=true``: the current state, then a BOOKMARK annotated
          ``k8s.io/initial-events-end`` (with ``allowWatchBookmarks``, as the WatchList client
          asks), then changes.
        * selectors: a change is ADDED for a watcher when the object now passes and did not
          before, MODIFIED when both pass, DELETED (the previous content at the event's RV)
          when it passed before and no longer does (``cacheWatcher.convertToWatchEvent``).
        * ``allowWatchBookmarks=true``: a BOOKMARK with the current RV every
          ``bookmark_interval`` seconds (the real ``defaultBookmarkFrequency`` is a minute)
          and one 2 s before the deadline (``nextBookmarkTime``).
        * ``timeoutSeconds``: the stream ends cleanly then; 0 or absent means a random time
          between ``MIN_REQUEST_TIMEOUT`` and twice it, as the handler does.
        """
        rt = t.rt
        try:
            labels, fields = self._selectors(t, query)
        except SelectorError as exc:
            return bad_request(str(exc))
        if t.name is not None and query.get("fieldSelector"):
            # handlers/get.go: "the allowed field selectors in this branch are: nil,
            # fields.Everything and field selector matching metadata.name for our name"
            fs = FieldSelector.parse(query.get("fieldSelector"))
            named = [v for f, eq, v in (fs.terms if fs else ()) if f == "metadata.name" and eq]
            if not named or named[0] != t.name:
                return bad_request("fieldSelector metadata.name doesn't match requested name")
        try:
            timeout = float(int(query.get("timeoutSeconds") or 0))
        except ValueError:
            return bad_request("timeoutSeconds: must be an integer")
        if timeout == 0:
            timeout = MIN_REQUEST_TIMEOUT * (random.random() + 1.0)
        rv_text = query.get("resourceVersion") or ""
        send_initial = query.get("sendInitialEvents")
        if rv_text in ("", "0"):
            since: int | None = None
        elif rv_text.isdigit():
            since = int(rv_text)
        else:
            return _status(
                422,
                "Invalid",
                f'resourceVersion: Invalid value: "{rv_text}": strconv.ParseUint: parsing '
                f'"{rv_text}": invalid syntax',
            )
        initial = send_initial == "true" or (since is None and send_initial != "false")
        from_now = since is None and not initial
        try:
            view, backlog, queue = self.store.open_watch(
                rt.name, None if initial else since, from_now=from_now
            )
        except Expired as exc:
            error = b'{"type":"ERROR","object":' + status_body(410, "Expired", str(exc)) + b"}\n"
            return Response(200, stream=iter([error]))
        namespace, name = t.namespace, t.name

        def passes(e: Entry) -> bool:
            if namespace is not None and e.namespace != namespace:
                return False
            if name is not None and e.name != name:
                return False
            if labels is not None and not labels.matches(e.labels):
                return False
            return fields is None or fields(e.fields)

        stream = WatchStream(
            self,
            rt,
            view,
            backlog,
            queue,
            passes,
            initial=initial,
            initial_end_bookmark=send_initial == "true",
            bookmarks=query.get("allowWatchBookmarks") in _TRUE,
            deadline=time.monotonic() + timeout,
            namespace=namespace,
        )
        return Response(200, stream=stream)

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


class WatchStream:
    """The lines of one watch response, produced as the store changes (an iterator of bytes).

    Every wait is bounded (``API.poll_interval``), so a stopping server, a dropped watch or
    the deadline ends it promptly. ``dropped`` tells the HTTP layer to cut the connection
    without the closing chunk, as a lost connection looks to the client.
    """

    def __init__(
        self,
        api: API,
        rt: ResourceType,
        view: View,
        backlog: list[Change],
        queue: Any,
        passes: Callable[[Entry], bool],
        *,
        initial: bool,
        initial_end_bookmark: bool,
        bookmarks: bool,
        deadline: float,
        namespace: str | None = None,
    ) -> None:
        self.dropped = False
        self._namespace = namespace
        # set by the HTTP layer: True once the client has closed its end (the apiserver sees
        # the request's context cancelled and stops the watcher)
        self.client_gone: Callable[[], bool] = lambda: False
        self._gen = self._events(
            api,
            rt,
            view,
            backlog,
            queue,
            passes,
            initial,
            initial_end_bookmark,
            bookmarks,
            deadline,
        )

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    def _events(
        self,
        api: API,
        rt: ResourceType,
        view: View,
        backlog: list[Change],
        queue: Any,
        passes: Callable[[Entry], bool],
        initial: bool,
        initial_end_bookmark: bool,
        bookmarks: bool,
        deadline: float,
    ) -> Iterator[bytes]:
        full = API._full
        prefix = {
            kind: b'{"type":"' + kind.encode() + b'","object":'
            for kind in ("ADDED", "MODIFIED", "DELETED")
        }

        def event(kind: str, entry: Entry) -> bytes:
            return prefix[kind] + full(rt, entry) + b"}\n"

        def convert(c: Change) -> bytes | None:
            cur = c.type != "DELETED" and passes(c.entry)
            old = c.prev is not None and passes(c.prev)
            if cur:
                return event("MODIFIED" if old else "ADDED", c.entry)
            if old:
                return event("DELETED", c.prev_at_rv())
            return None

        def bookmark(rv: int, initial_end: bool = False) -> bytes:
            meta: dict[str, Any] = {"resourceVersion": str(rv)}
            if initial_end:
                meta["annotations"] = {"k8s.io/initial-events-end": "true"}
            obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}
            return b'{"type":"BOOKMARK","object":' + encode(obj) + b"}\n"

        def next_bookmark(now: float) -> float:
            # cache_watcher.go nextBookmarkTime: "roughly every minute" and "right before the
            # watcher timeout - for now we simply set it 2s before the deadline"
            heartbeat = now + api.bookmark_interval
            pre = deadline - 2.0
            if pre < heartbeat:
                heartbeat = pre
            return heartbeat if heartbeat > now else float("inf")

        try:
            last = view.rv
            if initial:
                for entry in view.entries(rt.name, self._namespace):
                    if passes(entry):
                        yield event("ADDED", entry)
                if initial_end_bookmark:
                    yield bookmark(view.rv, initial_end=True)
            for c in backlog:
                line = convert(c)
                last = c.rv
                if line is not None:
                    yield line
            due = next_bookmark(time.monotonic()) if bookmarks else float("inf")
            while True:
                if api.stopping.is_set() or queue.overflowed or self.client_gone():
                    return
                if queue.dropped:
                    self.dropped = True
                    return
                now = time.monotonic()
                if now >= deadline:
                    return
                if now >= due:
                    changes, rv = queue.take_all()
                    for c in changes:
                        if c.rv > last:
                            last = c.rv
                            line = convert(c)
                            if line is not None:
                                yield line
                    yield bookmark(max(rv, last))
                    due = next_bookmark(time.monotonic())
                    continue
                wait = min(deadline, due, now + api.poll_interval) - now
                for c in queue.take(wait):
                    if c.rv <= last:
                        continue
                    last = c.rv
                    line = convert(c)
                    if line is not None:
                        yield line
        finally:
            queue.close()
