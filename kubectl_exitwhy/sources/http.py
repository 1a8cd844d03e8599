"""Talking to the API server: one GET, paged lists (``paging.py``) and streamed answers
(watches). Raw JSON through the ``ApiClient``: the generated API and model classes cost ~0.4 s
to import and are never touched. Only GET is sent.

One deadline model: a request — connect, headers, the whole body, and every retry and wait —
ends by its deadline, ``--request-timeout`` or else DEFAULT_TIMEOUT (``wire.py`` enforces it).
Retries are the plugin's alone (urllib3's are off): a dropped connection or a cut-off body
(GET is idempotent), and 429/5xx answers, after ``Retry-After`` capped at MAX_RETRY_AFTER, and
only while the deadline leaves room for the wait. Every failure becomes a ClusterError that says
in one sentence what failed (``messages.py``).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import (
    ClusterError,
    Expired,
    Forbidden,
    NotFound,
    TimedOut,
    Unreachable,
)
from kubectl_exitwhy.sources import credentials, gunzip, messages, paging, plainjson, wire
from kubectl_exitwhy.sources.connect import one_line

__all__ = ["ApiReader", "Expired", "Forbidden", "NotFound", "TimedOut", "Unreachable", "_q"]

PAGE = paging.PAGE
RETRIES = 3
MAX_RETRY_AFTER = 10.0
RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF = 0.2  # before trying again after a dropped connection
# without --request-timeout a request may take this long: a server that accepts the connection
# and never answers must not hold the run forever (kubectl gives up after ~55 s)
DEFAULT_TIMEOUT = 60.0


class ApiReader:
    """GETs, pages and streams against one API server (``client``, ``server`` for messages,
    ``timeout``: --request-timeout); counts its requests; records each list's resourceVersion."""

    client: Any
    server: str
    timeout: Optional[float]
    warn: Callable[[str], None]
    heads = True  # ``get`` shows the head of a body to ``head`` (``readahead.py`` asks ahead)

    def __init__(self, client: Any, server: str, timeout: Optional[float], warn) -> None:
        self.client, self.server, self.timeout, self.warn = client, server, timeout, warn
        self.requests = 0
        # Accept-Encoding: gzip, as kubectl asks, unless EXITWHY_NO_GZIP=1 or the kubeconfig's
        # cluster says disable-compression: true (connect.py)
        self.gzip = gunzip.wanted() and not getattr(client, "compression_disabled", False)
        self.list_versions: dict[str, str] = {}  # path → resourceVersion of its last list
        self.cut_short: dict[str, str] = {}  # path → why its list ended early (paging.py)

    def get(
        self,
        path: str,
        query: Optional[dict] = None,
        what: str = "",
        raw: bool = False,
        timeout: Optional[float] = None,
        tries: int = RETRIES,
        accept: Optional[str] = None,
        listing: bool = False,
        decode: Optional[Callable[[bytes], Any]] = None,
        head: Optional[wire.Head] = None,
    ) -> Any:
        """GET ``path``: the decoded JSON (or bytes when ``raw``), all within ``timeout`` (else
        the reader's); ``decode``: bytes → object instead of ``json.loads`` (``typed.py``);
        ``head``: shown the start of the body as it comes (``wire.exchange``). Maps every
        failure to a ClusterError."""
        params = [(k, v) for k, v in (query or {}).items() if v not in (None, "")]
        accept = accept or ("*/*" if raw else "application/json")
        budget = timeout or self.timeout or DEFAULT_TIMEOUT
        limit = self._limit(timeout)
        deadline = time.monotonic() + budget
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                reply = wire.exchange(self.client, path, params, accept, deadline, self.gzip, head)
            except wire.WireError as err:
                retry = err.kind in ("dropped", "truncated") and attempt < tries
                if retry and deadline - time.monotonic() > BACKOFF:
                    time.sleep(BACKOFF)
                    continue
                raise self._wire_error(err, what, limit, attempt) from None
            except Exception as err:  # from the client's own code: auth, a refresh hook
                raise Unreachable(
                    f"talking to the API server at {self.server} {what} failed: "
                    f"{type(err).__name__}: {one_line(err)}"
                ) from None
            status, body, kind = reply.status, reply.body, reply.header("Content-Type")
            if status in RETRY_STATUSES:
                asked = _retry_after(reply.header("Retry-After"))
                wait = min(asked, MAX_RETRY_AFTER)
                if attempt < tries and time.monotonic() + wait < deadline:
                    time.sleep(wait)
                    continue
                raise self._gave_up(reply, what, attempt, asked, limit, attempt < tries)
            if 300 <= status < 400:
                text = messages.redirect_text(self.server, status, reply.header("Location"), what)
                raise Unreachable(text)  # not the API: a proxy or a login page
            if status >= 400:
                raise self._http_error(status, body, what, kind, listing)
            if messages.is_html(b"" if raw else body, kind):
                raise Unreachable(messages.html_text(self.server, status, body, what))
            if raw:
                return body
            try:
                return decode(body) if decode is not None else plainjson.loads(body)
            except plainjson.TooDeep:
                raise ClusterError(plainjson.too_deep(what)) from None
            except ValueError:
                if attempt < tries and time.monotonic() < deadline:
                    continue
                if kind and "json" not in kind.lower():
                    raise ClusterError(
                        messages.not_json_text(self.server, body, kind, what)
                    ) from None
                raise ClusterError(
                    f"the API server's answer {what} is not complete JSON; it was cut short"
                ) from None

    def timeout_parameter(self) -> Optional[str]:
        """--request-timeout as the ``timeout`` query parameter of a list (a Go duration), as
        kubectl sends it: the server gives up by then too."""
        if not self.timeout:
            return None
        return f"{self.timeout:.3f}".rstrip("0").rstrip(".") + "s"  # 2s, 0.5s, 1080000s

    def stream(
        self,
        path: str,
        query: dict,
        read_timeout: float,
        what: str,
        opened: Optional[Callable[[], None]] = None,
    ) -> Iterator[bytes]:
        """The lines of a streamed answer (a watch), as they come. The headers come within the
        request's deadline (``opened`` is called then, on a 2xx); then each read waits at most
        ``read_timeout``; a stream that goes quiet or is cut ends with a ClusterError."""
        import urllib3

        params = [(k, v) for k, v in query.items() if v not in (None, "")]
        self.requests += 1
        deadline = time.monotonic() + (self.timeout or DEFAULT_TIMEOUT)
        try:
            response, body = wire.open_stream(self.client, path, params, deadline, read_timeout)
        except wire.WireError as err:
            raise self._wire_error(err, what, self._limit(None), 1) from None
        except Exception as err:
            raise Unreachable(
                f"talking to the API server at {self.server} {what} failed: {one_line(err)}"
            ) from None
        try:
            if 300 <= response.status < 400:
                location = response.getheader("Location")
                raise Unreachable(
                    messages.redirect_text(self.server, response.status, location, what)
                )
            kind = response.getheader("Content-Type")
            if response.status >= 400:
                raise self._http_error(response.status, body or b"", what, kind, False)
            if messages.is_html(b"", kind):
                raise Unreachable(messages.html_text(self.server, response.status, b"", what))
            if opened is not None:
                opened()
            buffer = b""
            for chunk in response.stream(65536, decode_content=True):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        yield line
            if buffer.strip():
                yield buffer
        except urllib3.exceptions.ReadTimeoutError:
            raise ClusterError(f"nothing came {what} for {read_timeout:g}s") from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, OSError):
            raise ClusterError(
                f"the stream {what} was cut (the connection closed mid-answer)"
            ) from None
        finally:
            response.release_conn()

    def pages(
        self,
        path: str,
        query: dict,
        what: str,
        accept: Optional[str] = None,
        decode: Optional[Callable[[bytes], Any]] = None,
    ) -> Iterator[list]:
        """The items of a paged list, page by page (``paging.py``: a list that would not end is
        ended with a warning; an expired list restarts once; callers de-duplicate by uid);
        ``decode``: each page's decoder (``typed.py``), else ``json.loads``."""
        return paging.pages(self, path, query, what, accept, decode)

    # --- the sentences ----------------------------------------------------------------------

    def _limit(self, timeout: Optional[float]) -> str:
        if timeout and timeout != self.timeout:
            return f"{timeout:g}s"
        return messages.limit_text(self.timeout, DEFAULT_TIMEOUT)

    def _wire_error(self, err: wire.WireError, what: str, limit: str, tries: int) -> ClusterError:
        text = messages.wire_text(self.server, err, what, limit, tries)
        if err.kind == "timeout":
            return TimedOut(text)
        if err.kind in ("refused", "dns", "tls", "other") or (
            err.kind == "dropped" and err.phase != "body"
        ):
            return Unreachable(text)
        return ClusterError(text)

    def _gave_up(
        self, reply: wire.Reply, what: str, tries: int, asked: float, limit: str, time_up: bool
    ) -> ClusterError:
        status, body = reply.status, reply.body
        if messages.is_html(body, reply.header("Content-Type")):
            return Unreachable(messages.html_text(self.server, status, body, what))
        said = messages.status_message(body) or "no message"
        if time_up and status in (429, 503):
            return ClusterError(
                f"the API server at {self.server} is overloaded ({messages.phrase(status)}) "
                f"{what} and asked to wait {asked:g}s before another try, beyond the "
                f"{limit} a request may take: {said}"
            )
        times = f" after {tries} tries" if tries > 1 else ""
        return ClusterError(
            f"the API server answered {messages.phrase(status)} {what}{times}: {said}"
        )

    def _http_error(
        self, status: int, body: bytes, what: str, kind: Optional[str], listing: bool
    ) -> ClusterError:
        if messages.is_html(body, kind):
            return Unreachable(messages.html_text(self.server, status, body, what))
        message = messages.status_message(body)
        if status == 401:
            plugin = credentials.failure()  # a token refresh that failed mid-run
            return Unreachable(
                f"the API server at {self.server} refused the credentials (401 "
                "Unauthorized): "
                + (plugin if plugin else "log in again or check the kubeconfig user")
            )
        if status == 403:
            return Forbidden(f"forbidden {what}: {message or 'the user lacks RBAC permission'}")
        if status == 404:
            return NotFound(messages.not_found_text(self.server, body, what, listing))
        if status == 410:
            return Expired(f"the list {what} expired (410 Gone): {message}")
        return ClusterError(
            f"the API server answered {messages.phrase(status)} {what}: {message or 'no message'}"
        )


def _q(value: str) -> str:
    return quote(value, safe="")


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def typed_decoder(resource: str) -> Any:
    """The page decoder of a list of ``resource`` that builds only the fields read
    (``typed.py``), imported when a list is paged: a pod view's few small answers are read
    plainly, without msgspec (~9 ms of start-up)."""
    from kubectl_exitwhy.sources import typed

    return typed.decoder(resource)


def triage_decoder(warned: Callable[[Any], bool]) -> Any:
    """The decoder of a sweep's pod pages that leaves plainly healthy pods unbuilt
    (``triage.py``), where pods are typed; else the pods' page decoder."""
    from kubectl_exitwhy.sources import typed

    whole, pod = typed.decoder("pods"), typed.pod_decoder()
    if whole is None or pod is None:
        return whole
    from kubectl_exitwhy.sources import triage

    return triage.decoder(whole, pod, warned)
