"""One GET on the wire, bounded end to end: name resolution, connect, TLS, the headers and the
whole body must be done by the deadline, or the request is abandoned there.

urllib3's timeouts bound each socket operation, not the request: a body that trickles one byte
a second, or never ends, never trips them. So each exchange runs in a daemon worker thread while
the caller waits for it until the deadline; at the deadline the caller stops waiting and shuts
the response's socket, which ends the worker's read. urllib3 itself never retries (the client's
``retries`` is False): every retry is the caller's (``http.py``), counted against the deadline.

A body that comes gzip-compressed (asked for with ``Accept-Encoding: gzip``, ``gunzip.py``) is
unpacked in the worker as it is read, under the same deadline, its packed and its unpacked size
each bounded by MAX_BODY.

Failures below HTTP come out as ``WireError`` with a ``kind`` (``timeout``, ``dropped``,
``truncated``, ``refused``, ``dns``, ``tls``, ``too_big``, ``too_big_unpacked``, ``bad_gzip``,
``encoding``, ``other``) that ``messages.py`` turns into a sentence; urllib3's own texts (tuples
of exceptions) are never shown.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from kubectl_exitwhy.sources.gunzip import Unpacker, UnpackError
from kubectl_exitwhy.sources.head import LIMIT as HEAD

MAX_BODY = 256 * 1024 * 1024  # no answer the plugin asks for comes near this
CHUNK = 1 << 16


@dataclass
class Reply:
    status: int
    body: bytes
    header: Callable[[str], Optional[str]]


class WireError(Exception):
    """The exchange failed below HTTP. ``phase``: ``connect``, ``headers`` (connected, no
    answer yet) or ``body`` (the answer had begun)."""

    def __init__(self, kind: str, phase: str = "headers", got: int = 0, expected: int = 0):
        super().__init__(kind)
        self.kind, self.phase, self.got, self.expected = kind, phase, got, expected
        self.detail = ""


Head = Callable[[bytes], bool]


def exchange(
    client: Any,
    path: str,
    params: list,
    accept: str,
    deadline: float,
    gzip: bool = False,
    head: Optional[Head] = None,
) -> Reply:
    """One GET whose every byte arrives before ``deadline`` (``time.monotonic()``); ``gzip``:
    ask for a compressed body (it is unpacked here); ``head``: shown the start of a 200's body
    (unpacked) as it comes, in the reading thread, until it returns True (``head.py``)."""
    box: dict[str, Any] = {"got": 0, "head": head}
    headers = {"Accept": accept, **({"Accept-Encoding": "gzip"} if gzip else {})}

    def work(limit: float) -> None:
        try:
            box["reply"] = _send(client, path, params, headers, limit, box)
        except BaseException as err:  # handed to the caller, which maps it
            box["error"] = err
        finally:
            box["done"].set()

    return _bounded(work, box, deadline)


def open_stream(client: Any, path: str, params: list, deadline: float, read_timeout: float):
    """A GET whose headers arrive before ``deadline``: (the urllib3 response, None), whose body
    the caller reads as it comes, each read waiting at most ``read_timeout``; or, for an answer
    that is not a 2xx, (the response, its whole body, also before ``deadline``)."""
    box: dict[str, Any] = {"got": 0}

    def work(limit: float) -> None:
        try:
            response = _open(client, path, params, (limit, min(limit, read_timeout)))
            box["response"] = response
            _wait_between_reads(response, read_timeout)
            body = _read(response, box) if response.status >= 300 else None
            box["reply"] = (response, body)
        except BaseException as err:
            box["error"] = err
        finally:
            box["done"].set()

    return _bounded(work, box, deadline)


def _bounded(work: Callable[[float], None], box: dict, deadline: float) -> Any:
    limit = deadline - time.monotonic()
    if limit <= 0:
        raise WireError("timeout")
    box["done"] = threading.Event()
    threading.Thread(target=work, args=(limit,), name="exitwhy-get", daemon=True).start()
    if not box["done"].wait(limit):
        box["cancelled"] = True
        cut(box.get("response"))
        raise WireError("timeout", "body" if "response" in box else "headers", box["got"])
    if "error" in box:
        raise classify(box["error"], "body" if "response" in box else "headers", box["got"])
    return box["reply"]


def _send(client: Any, path: str, params: list, headers: dict, limit: float, box: dict) -> Reply:
    """The GET, in the worker: the status, the whole body (at most MAX_BODY) and the headers.
    kubernetes >= 37 splits the call in param_serialize + call_api; older clients take it in one
    call_api and raise ApiException on error statuses."""
    if hasattr(client, "param_serialize"):
        method, url, headers, _, _ = client.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params=dict(headers),
            auth_settings=["BearerToken"],
        )
        rest = client.call_api(method, url, header_params=headers, _request_timeout=(limit, limit))
        response = rest.response
    else:
        from kubernetes.client.exceptions import ApiException

        try:
            response = client.call_api(
                path,
                "GET",
                query_params=params,
                header_params=dict(headers),
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=(limit, limit),
                _return_http_data_only=True,
            )
        except ApiException as err:
            if not err.status:  # TLS and other failures before an answer
                raise
            body = err.body if isinstance(err.body, bytes) else str(err.body or "").encode()
            return Reply(err.status, body, (err.headers or {}).get)
    box["response"] = response
    if box.get("cancelled"):
        cut(response)
    return Reply(response.status, _read(response, box), response.getheader)


def _read(response: Any, box: dict) -> bytes:
    """The body as it came off the wire (urllib3 does not decode it), unpacked if gzip."""
    read = getattr(response, "read1", None) or response.read  # read1: what has come (urllib3 2)
    head = box.get("head") if response.status == 200 else None
    shown = 0  # the head is shown again only once twice as much has come: linear, not quadratic
    try:
        unpacker = Unpacker(response.getheader("Content-Encoding"), MAX_BODY)
        while True:
            chunk = read(CHUNK, decode_content=False)
            if not chunk:
                break
            box["got"] += len(chunk)
            if box["got"] > MAX_BODY:
                raise WireError("too_big", "body", box["got"])
            unpacker.feed(chunk)
            if head is not None and unpacker.size >= 2 * shown:
                shown = min(unpacker.size, HEAD)
                if head(unpacker.head(HEAD)) or shown >= HEAD:
                    head = None
        body = unpacker.body()
    except (WireError, UnpackError) as err:
        cut(response)
        with contextlib.suppress(Exception):  # the connection is spoilt: never back to the pool
            response.close()
        if isinstance(err, WireError):
            raise
        refused = WireError(err.kind, "body", box["got"])
        refused.detail = err.detail
        raise refused from None
    response.release_conn()
    return body


def _open(client: Any, path: str, params: list, timeout: tuple) -> Any:
    if hasattr(client, "param_serialize"):
        method, url, headers, _, _ = client.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        return client.call_api(
            method, url, header_params=headers, _request_timeout=timeout
        ).response
    return client.call_api(
        path,
        "GET",
        query_params=params,
        header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _request_timeout=timeout,
        _return_http_data_only=True,
    )


def _wait_between_reads(response: Any, seconds: float) -> None:
    """The headers came within the deadline; from now on each read of the body may wait
    ``seconds`` (a watch is quiet between changes)."""
    sock = getattr(getattr(response, "_connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(seconds)


def cut(response: Any) -> None:
    """Shut a response's socket from another thread: a read blocked on it returns at once."""
    if response is None:
        return
    try:
        if hasattr(response, "shutdown"):  # urllib3 >= 2.3
            response.shutdown()
            return
        sock = getattr(getattr(response, "_connection", None), "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError, RuntimeError):  # RuntimeError: read, released
        pass


def classify(err: BaseException, phase: str = "headers", got: int = 0) -> BaseException:
    """A WireError for a failure below HTTP; anything else (KeyboardInterrupt, a credential
    plugin's error) is returned as it is, for the caller to raise."""
    import urllib3.exceptions as u3

    if isinstance(err, WireError):
        return err
    if isinstance(err, u3.MaxRetryError) and err.reason is not None:
        return classify(err.reason, phase, got)
    found = WireError("other", phase, got)
    cause = err.args[1] if isinstance(err, u3.ProtocolError) and len(err.args) > 1 else err
    text = str(err)
    if isinstance(err, u3.NameResolutionError):  # urllib3 2 makes these NewConnectionErrors,
        found.kind = "dns"  # and those ConnectTimeoutErrors: the subclasses first
    elif isinstance(err, u3.NewConnectionError) and "timed out" not in text.lower():
        found.kind = "refused" if "refused" in text.lower() else "other"
    elif isinstance(err, u3.ConnectTimeoutError):
        found.kind, found.phase = "timeout", "connect"
    elif isinstance(err, (u3.TimeoutError, socket.timeout, TimeoutError)):
        found.kind = "timeout"
    elif isinstance(cause, (http.client.IncompleteRead, u3.IncompleteRead)):
        found.kind = "truncated"
        found.got, found.expected = _incomplete(cause, got)
    elif isinstance(cause, u3.InvalidChunkLength) or isinstance(err, u3.InvalidChunkLength):
        found.kind = "truncated"
    elif isinstance(err, (u3.SSLError, ssl.SSLError)) or "SSL" in text or "CERTIFICATE" in text:
        found.kind = "tls"
    elif isinstance(err, u3.NameResolutionError) or "resolve" in text or "not known" in text:
        found.kind = "dns"
    elif isinstance(err, u3.NewConnectionError) or "refused" in text.lower():
        found.kind = "refused" if "refused" in text.lower() else "other"
    elif isinstance(err, (u3.ProtocolError, ConnectionError, http.client.HTTPException)):
        found.kind = "dropped"
    elif isinstance(err, u3.HTTPError) or type(err).__name__ == "ApiException":
        found.kind = "other"
    else:
        return err
    found.detail = " ".join(str(getattr(err, "reason", None) or text).split())[:200]
    return found


def _incomplete(cause: Any, got: int) -> tuple[int, int]:
    partial, expected = getattr(cause, "partial", 0), getattr(cause, "expected", 0)
    partial = partial if isinstance(partial, int) else len(partial or b"")
    expected = expected if isinstance(expected, int) else 0
    return max(partial, got), partial + expected if expected else 0
