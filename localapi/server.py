"""The HTTP(S) server and the ``LocalAPIServer`` that runs it in a background thread.

Like kube-apiserver it speaks HTTP/1.1 with keep-alive and ``Content-Length`` (chunked only for
watch streams), over TLS with a certificate from a cluster CA, and authenticates
``Authorization: Bearer <token>``. Responses are built from pre-encoded bytes (see
``store``); one thread per connection (``ThreadingHTTPServer``), the TLS handshake done in that
thread so a slow or broken client never blocks the accept loop.

Usage::

    with LocalAPIServer(data_dir=Path("examples")) as srv:
        subprocess.run(["kubectl", "--kubeconfig", srv.kubeconfig, "get", "pods", "-A"])
        srv.faults.set("forbidden", "pods", "prod")
        print(srv.requests[-1])
"""

from __future__ import annotations

import contextlib
import http.client
import secrets
import select
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit

from .api import API, Response, status_body
from .discovery import Discovery
from .faults import Fault, Faults
from .kubeconfig import write_kubeconfig
from .requestlog import RequestLog
from .store import Store, resource_for
from .tls import make_certificates

__all__ = ["LocalAPIServer"]

_SMALL = 64 * 1024
_QUIET_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError, socket.timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "localapi"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are closed after this
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request log records everything; stderr stays quiet

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _serve(self) -> None:
        started = time.time()
        method = self.command
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        self._drain_body()
        try:
            resp = self.server.api.handle(method, url.path, query, self.headers)
        except Exception as exc:  # a bug here must still answer, like the real server's 500
            import traceback

            traceback.print_exc(file=sys.stderr)
            resp = Response(
                500, status_body(500, "InternalError", f"Internal error occurred: {exc}")
            )
        record = {
            "time": started,
            "method": method,
            "path": url.path,
            "query": query,
            "status": resp.status,
            "bytes": 0,
            "duration": 0.0,
            "fault": ",".join(resp.faults) or None,
            "agent": self.headers.get("User-Agent", ""),
        }
        committed = False

        def commit(sent: int) -> None:
            # called just before the last write, so a client that has its answer always finds
            # the request in the log
            nonlocal committed
            if not committed:
                committed = True
                record["bytes"] = sent
                record["duration"] = round(time.time() - started, 6)
                self.server.log.record(record)

        try:
            self._send(resp, method == "HEAD", commit)
        except _QUIET_ERRORS:
            self.close_connection = True
        finally:
            commit(0)

    def _drain_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit():
            remaining = int(length)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True  # no need to parse a body we refuse anyway

    def _send(self, resp: Response, head: bool, commit: Callable[[int], None]) -> None:
        if resp.delay > 0:
            self.server.stopping.wait(resp.delay)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in resp.headers:
            self.send_header(key, value)
        if resp.stream is not None:
            self._send_stream(resp, head, commit)
            return
        body = resp.body
        self.send_header("Content-Length", str(len(body)))
        if head:
            commit(0)
            self.end_headers()
        elif resp.truncate:
            part = body[: len(body) // 2]
            commit(len(part))
            self.end_headers()
            self.wfile.write(part)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        elif len(body) <= _SMALL:  # headers and body in one write: one TCP segment, no waits
            commit(len(body))
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]
            self.flush_headers()
        else:
            commit(len(body))
            self.end_headers()
            self.wfile.write(body)

    def _send_stream(self, resp: Response, head: bool, commit: Callable[[int], None]) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        stream = resp.stream
        assert stream is not None
        if hasattr(stream, "client_gone"):
            conn = self.connection
            # a client sends nothing more on a watch's connection: readable means it closed
            stream.client_gone = lambda: bool(select.select([conn], [], [], 0)[0])
        try:
            if not head:
                for chunk in stream:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent += len(chunk)
                    if self.server.stopping.is_set():
                        break
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # a watch leaves the store's list of watchers
        commit(sent)
        self.close_connection = True
        if getattr(stream, "dropped", False):
            # a cut connection: no closing chunk, the client sees the stream end mid-body
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(b"0\r\n\r\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        api: API,
        log: RequestLog,
        ssl_context: ssl.SSLContext | None,
        stopping: threading.Event,
    ) -> None:
        self.api = api
        self.log = log
        self.ssl_context = ssl_context
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        conn = request
        if self.ssl_context is not None:
            request.settimeout(30)
            try:
                conn = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                return  # a failed handshake (e.g. the client does not trust our CA)
        with self._conn_lock:
            self._connections.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except _QUIET_ERRORS:
            pass
        finally:
            with self._conn_lock:
                self._connections.discard(conn)
            if conn is not request:
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], _QUIET_ERRORS):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class LocalAPIServer:
    """A read-only Kubernetes API server on 127.0.0.1, with a kubeconfig that points at it.

    ``data_dir``: a directory of ``*.json``/``*.yaml`` objects and Lists plus ``logs/``;
    ``objects``: more objects (dicts: Pods, Events, Nodes, Namespaces, Jobs or Lists of them);
    ``logs``: ``{(namespace, pod, container): text}`` for ``pods/log``;
    ``generate``/``seed``: add a synthetic cluster of that many pods (``localapi.generate``);
    ``tls``: HTTPS with a fresh CA (else plain HTTP); ``token``: the bearer token (random if
    None); ``kubeconfig_path``: where to write the kubeconfig (a temporary file if None);
    ``faults``: initial faults (``Fault`` objects or spec strings, see ``Fault.parse``);
    ``request_log``: also append every request record to this JSON-lines file;
    ``bookmark_interval``: seconds between watch BOOKMARK events (the real server: a minute);
    ``history_limit``: changes kept per resource for watches that resume from an RV.

    While it runs, tests change the cluster in-process: ``apply(obj)``, ``delete(kind, ns,
    name)``, ``add_log(...)``, ``compact()`` (forget the watch history) and ``drop_watches()``
    (cut every open watch connection). Lists, gets, tables and watches all see the change.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        objects: Iterable[Mapping[str, Any]] | None = None,
        tls: bool = True,
        token: str | None = None,
        kubeconfig_path: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        logs: Mapping[tuple[str, str, str], str | bytes] | None = None,
        generate: int = 0,
        seed: int = 0,
        faults: Iterable[Fault | str] | None = None,
        request_log: Path | str | None = None,
        store: Store | None = None,
        bookmark_interval: float = 60.0,
        history_limit: int | None = None,
    ) -> None:
        self.store = store if store is not None else Store()
        if history_limit is not None:
            self.store.history_limit = max(1, history_limit)
        self._bookmark_interval = bookmark_interval
        self._api: API | None = None
        if data_dir is not None:
            self.store.load_dir(data_dir)
        if objects is not None:
            self.store.add_all(objects)
        for (ns, pod, container), text in (logs or {}).items():
            self.store.add_log(ns, pod, container, text)
        if generate:
            from .generate import populate

            populate(self.store, generate, seed=seed)
        self.tls = tls
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.host = host
        self._port = port
        self._kubeconfig_path = Path(kubeconfig_path) if kubeconfig_path is not None else None
        self.faults = Faults(list(faults or ()))
        self.requests = RequestLog(request_log)
        self.ca_pem: bytes | None = None
        self.kubeconfig: Path | None = None
        self._tmp: Path | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> LocalAPIServer:
        if self._httpd is not None:
            return self
        self.store.freeze()
        self._stopping.clear()
        self._tmp = Path(tempfile.mkdtemp(prefix="localapi-"))
        ssl_context = None
        if self.tls:
            certs = make_certificates()
            self.ca_pem = certs.ca_pem
            ssl_context = certs.server_context(self._tmp)
        # discovery needs the address, the server needs the API: bind first, then wire up
        api = API(self.store, self.faults, Discovery(""), self.token, self._stopping)
        api.bookmark_interval = self._bookmark_interval
        self._api = api
        self._httpd = _HTTPServer(
            (self.host, self._port), api, self.requests, ssl_context, self._stopping
        )
        api.discovery = Discovery(f"{self.host}:{self.port}")
        path = self._kubeconfig_path or self._tmp / "kubeconfig"
        self.kubeconfig = write_kubeconfig(path, self.url, self.token, self.ca_pem)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"localapi:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        self.store.wake()  # open watches see the stop at once and end their streams
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.requests.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> LocalAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- changing the cluster while it serves ---------------------------------------------------

    def apply(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace an object of any served kind (``Store.apply``); returns it as a GET
        would (with its new resourceVersion). Watchers are told at once."""
        entry = self.store.apply(obj)
        rt = resource_for(str(obj.get("kind")))
        return {"kind": rt.kind, "apiVersion": rt.api_version, **entry.object()}

    def delete(self, kind: str, namespace: str | None, name: str) -> bool:
        """Delete an object (``kind``: Pod, pods or po); False if there was none."""
        return self.store.delete(kind, namespace, name)

    def add_log(self, namespace: str, pod: str, container: str, text: str | bytes) -> None:
        """Set (or replace) a container's log for ``pods/log``."""
        self.store.add_log(namespace, pod, container, text)

    def compact(self) -> None:
        """Forget the watch history: a watch from an older resourceVersion gets 410 Expired."""
        self.store.compact()

    def drop_watches(self) -> int:
        """Cut every open watch connection abruptly (no closing chunk), as a network drop would;
        returns how many were open."""
        return self.store.drop_watches()

    @property
    def bookmark_interval(self) -> float:
        return self._bookmark_interval

    @bookmark_interval.setter
    def bookmark_interval(self, seconds: float) -> None:
        """Seconds between BOOKMARK events on watches that allow them (new watches and old)."""
        self._bookmark_interval = seconds
        if self._api is not None:
            self._api.bookmark_interval = seconds

    # --- facts ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate as a PEM file (while the server runs), or None without TLS."""
        return self._tmp / "ca.crt" if self.tls and self._tmp is not None else None

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """An ``SSLContext`` that trusts this server (None in plain-HTTP mode)."""
        if self.ca_pem is None:
            return None
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        token: str | None | bool = True,
        body: bytes | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw request on a fresh connection: ``(status, headers, body)``.

        ``token=True`` sends the server's token, ``False``/None sends none, a string sends it.
        """
        if self.tls:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=self.client_ssl_context()
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if token is True:
            hdrs["Authorization"] = f"Bearer {self.token}"
        elif isinstance(token, str):
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()
