"""Talking to the API server: one GET (retried on 429, 5xx and cut-off bodies, with the
plugin's own bounded waits), paged lists, and streamed answers (watches). Every failure becomes
a ClusterError that says in one sentence what failed. Raw JSON through the ``ApiClient``: the
generated API and model classes cost ~0.4 s to import and are never touched. Only GET is sent.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.sources.connect import one_line

PAGE = 500  # kubectl's chunk size
RETRIES = 3
MAX_RETRY_AFTER = 10.0
# each try waits at most this long without --request-timeout: a server that accepts the
# connection and never answers must not hold the run forever (kubectl gives up after ~55 s)
DEFAULT_TIMEOUT = 60.0


class Forbidden(ClusterError):
    forbidden = True


class Unreachable(ClusterError):
    """The server cannot be talked to at all (connection, TLS, credentials, timeout): fatal even
    for the side reads that are otherwise only warnings (logs aside: sources/logs.py)."""

    unreachable = True


class NotFound(ClusterError):
    pass


def _status_message(body: bytes) -> str:
    try:
        doc = json.loads(body)
    except ValueError:
        return ""
    return str(doc.get("message", "")) if isinstance(doc, dict) else ""


class ApiReader:
    """GETs, pages and streams against one API server (``client``, ``server`` for messages,
    ``timeout`` per try); counts its requests; records each list's resourceVersion."""

    client: Any
    server: str
    timeout: Optional[float]
    warn: Callable[[str], None]

    def __init__(self, client: Any, server: str, timeout: Optional[float], warn) -> None:
        self.client, self.server, self.timeout, self.warn = client, server, timeout, warn
        self.requests = 0
        self.list_versions: dict[str, str] = {}  # path → resourceVersion of its last list

    def get(
        self,
        path: str,
        query: Optional[dict] = None,
        what: str = "",
        raw: bool = False,
        timeout: Optional[float] = None,
        tries: int = RETRIES,
        accept: Optional[str] = None,
    ) -> Any:
        """GET ``path``; the decoded JSON (or bytes when ``raw``). Retries 429, 5xx and cut-off
        bodies a few times; maps every failure to a ClusterError."""
        import urllib3

        params = [(k, v) for k, v in (query or {}).items() if v not in (None, "")]
        accept = accept or ("*/*" if raw else "application/json")
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                status, body, header = _send(
                    self.client, path, params, accept, timeout or self.timeout or DEFAULT_TIMEOUT
                )
            except urllib3.exceptions.ReadTimeoutError:
                raise self._timeout_error(what) from None
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead) as err:
                if attempt < tries:
                    continue
                raise ClusterError(
                    f"the API server's answer {what} was cut short ({err})"
                ) from None
            except urllib3.exceptions.MaxRetryError as err:
                if isinstance(err.reason, urllib3.exceptions.ReadTimeoutError):
                    raise self._timeout_error(what) from None
                raise _connection_error(self.server, err.reason) from None
            except urllib3.exceptions.HTTPError as err:
                raise _connection_error(self.server, err) from None
            except _api_exception() as err:
                raise _connection_error(self.server, err.reason) from None
            if status == 429 or status >= 500:
                if attempt < tries:
                    retry_after = _retry_after(header("Retry-After"))
                    time.sleep(min(retry_after, MAX_RETRY_AFTER))
                    continue
                raise ClusterError(
                    f"the API server answered {status} {what} after {attempt} "
                    f"tries: {_status_message(body) or 'no message'}"
                )
            if status >= 400:
                raise self._http_error(status, body, what)
            if raw:
                return body
            try:
                return json.loads(body)
            except ValueError:
                if attempt < tries:
                    continue
                raise ClusterError(
                    f"the API server's answer {what} is not complete JSON; it was cut short"
                ) from None

    def stream(self, path: str, query: dict, read_timeout: float, what: str) -> Iterator[bytes]:
        """The lines of a streamed answer (a watch), as they come. Each read waits at most
        ``read_timeout``; a stream that goes quiet or is cut ends with a ClusterError."""
        import urllib3

        params = [(k, v) for k, v in query.items() if v not in (None, "")]
        self.requests += 1
        connect = self.timeout or DEFAULT_TIMEOUT
        try:
            response = _open(self.client, path, params, (connect, read_timeout))
        except urllib3.exceptions.MaxRetryError as err:
            raise _connection_error(self.server, err.reason) from None
        except urllib3.exceptions.HTTPError as err:
            raise _connection_error(self.server, err) from None
        try:
            if response.status >= 400:
                raise self._http_error(response.status, response.read(), what)
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
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError) as err:
            raise ClusterError(f"the stream {what} was cut ({one_line(err)})") from None
        finally:
            response.release_conn()

    def _timeout_error(self, what: str) -> ClusterError:
        limit = f"within {self.timeout:g}s (--request-timeout)" if self.timeout else "in time"
        return Unreachable(f"the API server at {self.server} did not answer {what} {limit}")

    def _http_error(self, status: int, body: bytes, what: str) -> ClusterError:
        message = _status_message(body)
        if status == 401:
            return Unreachable(
                f"the API server at {self.server} refused the credentials (401 "
                "Unauthorized): log in again or check the kubeconfig user"
            )
        if status == 403:
            return Forbidden(f"forbidden {what}: {message or 'the user lacks RBAC permission'}")
        if status == 404:
            return NotFound(message or f"not found {what}")
        if status == 410:
            return ClusterError(f"the list {what} expired (410 Gone): {message}")
        return ClusterError(f"the API server answered {status} {what}: {message}")

    def pages(
        self, path: str, query: dict, what: str, accept: Optional[str] = None
    ) -> Iterator[list]:
        """Yield the items of a paged list, page by page. An expired continue token (410) restarts
        the list once; callers de-duplicate by uid."""
        restarted = False
        token = None
        while True:
            q = {**query, "limit": PAGE, "continue": token}
            try:
                page = self.get(path, q, what, accept=accept)
            except ClusterError as err:
                if token and "410 Gone" in err.message and not restarted:
                    restarted, token = True, None
                    self.warn(f"the list {what} expired while paging; starting it again")
                    continue
                raise
            if not isinstance(page, dict):
                raise ClusterError(f"the API server's answer {what} is not a list")
            items = page.get("items")
            meta: dict = page["metadata"] if isinstance(page.get("metadata"), dict) else {}
            if token is None:  # the list's snapshot: a watch starts from it
                rv = meta.get("resourceVersion")
                self.list_versions[path] = rv if isinstance(rv, str) else ""
            yield items if isinstance(items, list) else []
            previous, token = token, meta.get("continue")
            if not token:
                return
            if token == previous:
                raise ClusterError(f"the API server repeated its continue token {what}")


def _send(client: Any, path: str, params: list, accept: str, timeout: Optional[float]):
    """One GET through the client's ApiClient: (status, body bytes, header getter). Raw bytes,
    never model objects. kubernetes >= 37 splits the call in param_serialize + call_api; older
    clients take it in one call_api and raise ApiException on error statuses. The timeout goes
    as a (connect, read) pair: older clients ignore a float."""
    limit = (timeout, timeout) if timeout else None
    if hasattr(client, "param_serialize"):
        method, url, headers, _, _ = client.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params={"Accept": accept},
            auth_settings=["BearerToken"],
        )
        response = client.call_api(method, url, header_params=headers, _request_timeout=limit)
        return response.status, response.read(), response.getheader
    from kubernetes.client.exceptions import ApiException

    try:
        raw = client.call_api(
            path,
            "GET",
            query_params=params,
            header_params={"Accept": accept},
            auth_settings=["BearerToken"],
            _preload_content=False,
            _request_timeout=limit,
            _return_http_data_only=True,
        )
    except ApiException as err:
        if not err.status:  # TLS and other failures before an answer
            raise
        body = err.body if isinstance(err.body, bytes) else str(err.body or "").encode()
        headers = err.headers or {}
        return err.status, body, headers.get
    return raw.status, raw.data, raw.getheader


def _open(client: Any, path: str, params: list, timeout: tuple) -> Any:
    """A GET whose body is read as it comes: the urllib3 response."""
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


def _q(value: str) -> str:
    return quote(value, safe="")


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _api_exception():
    from kubernetes.client.exceptions import ApiException

    return ApiException


def _connection_error(server: str, reason: Any) -> ClusterError:
    return Unreachable(_connection_text(server, reason))


def _connection_text(server: str, reason: Any) -> str:
    text = str(reason)
    if "SSL" in text or "CERTIFICATE" in text.upper():
        return (
            f"TLS failed with the API server at {server}: the certificate could "
            "not be verified (check certificate-authority in the kubeconfig)"
        )
    if "refused" in text.lower() or "NewConnectionError" in text or "Failed to establish" in text:
        return f"cannot reach the API server at {server}: connection refused"
    if "timed out" in text.lower():
        return f"cannot reach the API server at {server}: the connection timed out"
    first = text.strip().splitlines()[0][:200] if text.strip() else "no reason given"
    return f"cannot reach the API server at {server}: {first}"
