"""The HTTP layer: kube-apiserver's wire behaviour over ``http.server``, one thread a connection.

Like kube-apiserver it speaks HTTP/1.1 with keep-alive and ``Content-Length``, chunked for watch
streams and for the large answers it gzip-compresses, as it compresses them, for a client that
accepts it (``compression``),
over TLS when given a context; the TLS handshake is done in the connection's
own thread, so a slow or broken client never blocks the accept loop. Responses are built from
pre-encoded bytes (see ``store``); every request is recorded in the request log, just before
its last byte is written, so a client that has its answer always finds the request there.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

from . import compression, wirefaults
from .api import API
from .requestlog import RequestLog, identity
from .responses import Response, status_body

__all__ = ["LocalHTTPServer"]

_SMALL = 64 * 1024
_QUIET_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError, socket.timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "localapi"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are closed after this
    server: LocalHTTPServer

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
        size = compression.apply(
            resp, self.headers, self.server.compression, self.request_version != "HTTP/1.0"
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
            **identity(self.headers),  # exitwhy "Speak kubectl": Impersonate-* (requestlog.py)
        }
        if resp.encoding:  # sent compressed: "bytes" counts what went on the wire
            record.update(encoding=resp.encoding, raw_bytes=size)
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
        if resp.wire == "reset":
            wirefaults.reset(self, commit)
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in resp.headers:
            self.send_header(key, value)
        if resp.stream is not None:
            self._send_stream(resp, head, commit)
            return
        if resp.pieces is not None:
            self._send_pieces(resp.pieces, head, commit, resp.truncate)
            return
        if resp.wire in ("trickle", "endless") and not head:
            wirefaults.send_slowly(self, resp, commit)
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

    def _send_pieces(
        self, pieces: Iterator[bytes], head: bool, commit: Callable[[int], None], cut: bool
    ) -> None:
        """A body sent chunked as it is made (``compression``); the connection stays open.
        ``cut`` (``truncate``): half the chunks, then the connection closes, without the last
        chunk. A client gone mid-answer is logged with the bytes that went out."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if head:
            commit(0)
            return
        made = list(pieces) if cut else pieces
        if cut:
            made = made[: max(1, len(made) // 2)]
        sent, last = 0, b""
        try:
            for piece in made:
                if last:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(last), last))
                    sent += len(last)
                last = piece
            commit(sent + len(last))  # before the last write (see ``commit``)
            if cut:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(last), last))
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
            elif last:
                self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(last), last))
            else:
                self.wfile.write(b"0\r\n\r\n")
        except BaseException:
            commit(sent)
            raise

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


class LocalHTTPServer(ThreadingHTTPServer):
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
        self.compression = True  # gzip for clients that accept it (the apiserver's default)
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
