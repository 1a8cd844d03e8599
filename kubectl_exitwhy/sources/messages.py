"""The sentences of talking to an API server: one per failure class, each saying what was being
read and what went wrong, in words (never a library's exception text, never its tuples).
Text from the server (a Status message, an HTML title) is untrusted: it is cut to one line here
and cleaned of control characters where it is printed."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Optional
from urllib.parse import urlsplit

from kubectl_exitwhy.sources.wire import MAX_BODY, WireError


def limit_text(timeout: Optional[float], default: float) -> str:
    """How long a request may take, and who said so."""
    if timeout:
        return f"{timeout:g}s (--request-timeout)"
    return f"{default:g}s (the default; --request-timeout sets it)"


def phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def status_message(body: bytes) -> str:
    """The ``message`` of a Kubernetes ``Status`` body, or ""."""
    try:
        doc = json.loads(body)
    except ValueError:
        return ""
    return _line(str(doc.get("message", ""))) if isinstance(doc, dict) else ""


def is_html(body: bytes, content_type: Optional[str]) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


def html_text(server: str, status: int, body: bytes, what: str) -> str:
    title = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.I | re.S)
    named = _line(title.group(1).decode("utf-8", "replace"))[:80] if title else ""
    return (
        f"the API server at {server} answered {what} with an HTML page ({phrase(status)}"
        f"{', titled ' + repr(named) if named else ''}), not the Kubernetes API: is the "
        "server address (--server, or the kubeconfig's) right, or is a proxy or login page "
        "in the way?"
    )


def not_json_text(server: str, body: bytes, content_type: Optional[str], what: str) -> str:
    kind = (content_type or "no content type").split(";")[0].strip()
    return (
        f"the API server at {server} answered {what} with {kind} that is not JSON: is the "
        "server address right, or is a proxy in the way?"
    )


def redirect_text(server: str, status: int, location: Optional[str], what: str) -> str:
    if not location:
        return f"the API server at {server} answered {what} with a redirect ({phrase(status)})"
    there = urlsplit(location)
    here = urlsplit(server)
    if there.netloc and there.netloc != here.netloc:
        return (
            f"the API server at {server} redirected {what} to another host ({there.hostname}): "
            "a proxy or login page is in the way; exitwhy does not follow redirects"
        )
    return (
        f"the API server at {server} redirected {what} to {_line(there.path)[:100]} "
        f"({phrase(status)}): exitwhy does not follow redirects"
    )


def not_found_text(server: str, body: bytes, what: str, listing: bool) -> str:
    message = status_message(body)
    if listing:  # a list is never "not found" on a Kubernetes API server that serves it
        return (
            f"the API server at {server} has nothing at the path for {what} (404 Not Found"
            f"{': ' + message if message else ''}): is it a Kubernetes API server, and the "
            "address right?"
        )
    return message or f"not found {what}"


def wire_text(server: str, err: WireError, what: str, limit: str, tries: int) -> str:
    after = f" (after {tries} tries)" if tries > 1 else ""
    if err.kind == "timeout" and err.phase == "body":
        return (
            f"the API server at {server} did not finish its answer {what} within {limit}: "
            f"{err.got} bytes came, then it stalled or kept sending{after}"
        )
    if err.kind == "timeout" and err.phase == "connect":
        return f"cannot reach the API server at {server}: the connection timed out{after}"
    if err.kind == "timeout":
        return f"the API server at {server} did not answer {what} within {limit}{after}"
    if err.kind == "truncated":
        size = f"{err.got} of {err.expected} bytes" if err.expected else f"{err.got} bytes"
        return (
            f"the API server's answer {what} was cut short: the connection closed after "
            f"{size}{after}"
        )
    if err.kind == "dropped" and err.phase == "body":
        return f"the connection to the API server at {server} broke while it answered {what}{after}"
    if err.kind == "dropped":
        return (
            f"the API server at {server} closed or reset the connection {what} without an "
            f"answer{after}"
        )
    if err.kind == "too_big":
        return (
            f"the API server's answer {what} passed {MAX_BODY // (1 << 20)} MiB and was cut: "
            "a proxy sending without end?"
        )
    if err.kind == "too_big_unpacked":
        return (
            f"the API server's gzip-compressed answer {what} unpacked past "
            f"{MAX_BODY // (1 << 20)} MiB and was refused (a gzip bomb, or a proxy gone wrong?)"
        )
    if err.kind == "bad_gzip":
        return (
            f"the API server's answer {what} says it is gzip-compressed but does not unpack "
            f"({_line(err.detail) or 'corrupt data'}); EXITWHY_NO_GZIP=1 asks for it plain"
        )
    if err.kind == "encoding":
        return (
            f"the API server's answer {what} came in the {_line(err.detail)!r} encoding, which "
            "exitwhy did not ask for and cannot read (a proxy in between?)"
        )
    return connection_text(server, err)


def connection_text(server: str, err: WireError) -> str:
    """The server cannot be talked to at all."""
    if err.kind == "tls":
        return (
            f"TLS failed with the API server at {server}: the certificate could "
            "not be verified (check certificate-authority in the kubeconfig)"
        )
    if err.kind == "refused":
        return f"cannot reach the API server at {server}: connection refused"
    if err.kind == "dns":
        host = urlsplit(server).hostname or server
        return f"cannot reach the API server at {server}: the name {host} does not resolve"
    detail = re.sub(r"<[^>]*>:?\s*", "", err.detail).strip(" :")
    return f"cannot reach the API server at {server}: {detail or 'no reason given'}"


def _line(text: str) -> str:
    return " ".join(text.split())[:300]
