"""Responses: the ``Response`` the HTTP layer sends, and the ``Status`` errors of the API.

Errors are ``Status`` objects with the real reasons, messages, details and codes, including
the answers of injected faults (403 Forbidden, 404 NotFound, 410 Expired, 429 TooManyRequests,
500 InternalError), worded as kube-apiserver words them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from .entry import Entry, encode
from .faults import Fault
from .resources import ResourceType
from .routes import Target

__all__ = [
    "Response",
    "bad_request",
    "fault_response",
    "no_route",
    "not_found",
    "object_bytes",
    "status",
    "status_body",
]

JSON = "application/json"
EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None  # sent chunked (watch)
    pieces: Iterator[bytes] | None = None  # a body sent chunked as it is made (gzip)
    truncate: bool = False
    delay: float = 0.0
    wire: str = ""  # how the body goes out when a fault says so (``wirefaults``)
    pace: float = 1.0  # seconds a byte, for ``trickle``
    faults: list[str] = field(default_factory=list)
    compressible: bool = True  # False: written as a stream by the apiserver (logs): never gzip
    encoding: str = ""  # "gzip" once ``compression.apply`` compressed the body


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


def status(code: int, reason: str, message: str, **kw: Any) -> Response:
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
    return status(404, "NotFound", f'{rt.qualified} "{name}" not found', details=_details(rt, name))


def no_route() -> Response:
    return status(404, "NotFound", "the server could not find the requested resource", details={})


def bad_request(message: str) -> Response:
    return status(400, "BadRequest", message)


def object_bytes(rt: ResourceType, entry: Entry) -> bytes:
    """A single object as a GET returns it: the stored bytes with apiVersion and kind put back."""
    prefix = f'{{"kind":"{rt.kind}","apiVersion":"{rt.api_version}",'.encode()
    return prefix + entry.data[1:]


def fault_response(f: Fault, t: Target, verb: str, continue_token: str) -> Response:
    """What an injected fault of a response kind answers to a request for ``t``."""
    rt = t.rt
    if f.kind == "forbidden":
        subject = f'{rt.qualified} "{t.name}"' if t.name else rt.qualified
        resource = "pods/log" if t.log else rt.name
        scope = f'in the namespace "{t.namespace}"' if t.namespace else "at the cluster scope"
        message = (
            f'{subject} is forbidden: User "{f.user}" cannot {verb} resource "{resource}" '
            f'in API group "{rt.group}" {scope}'
        )
        return status(403, "Forbidden", message, details=_details(rt, t.name))
    if f.kind == "notfound":
        return not_found(rt, t.name) if t.name else no_route()
    if f.kind == "expired":
        return status(410, "Expired", EXPIRED_MESSAGE, metadata={"continue": continue_token})
    if f.kind in ("html", "redirect", "reset"):
        from .wirefaults import fault_answer

        return fault_answer(f.kind, t)
    if f.kind == "throttle":
        resp = status(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
            details={"retryAfterSeconds": f.retry_after},
        )
        resp.headers.append(("Retry-After", str(f.retry_after)))
        return resp
    if t.log:  # the API server could not reach the pod's kubelet
        message = (
            f'Get "https://10.0.0.1:10250/containerLogs/{t.namespace}/{t.name}": '
            "dial tcp 10.0.0.1:10250: connect: no route to host"
        )
        return status(500, "InternalError", message)
    return status(
        500,
        "InternalError",
        "Internal error occurred: localapi: injected fault",
        details={"causes": [{"message": "localapi: injected fault"}]},
    )
