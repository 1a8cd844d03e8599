"""Faults that are not the API server's answers but what the way to it does: a reset
connection, an HTML login page, a redirect to a single-sign-on host, a body that trickles or
never ends, and list pages whose continue tokens lead in a circle (see ``faults`` for the kinds).

The answers (``fault_answer``) are built like any other; the ways of sending (``reset``,
``send_slowly``) write to the handler's connection; ``broken_continue`` is the token a broken
server puts on a list page.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import socket
import struct
from typing import Any, Callable

from .responses import Response
from .routes import Target

__all__ = ["broken_continue", "fault_answer", "reset", "send_slowly"]

LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in - Corporate Access Proxy</title></head>\n"
    b"<body><form method='post' action='/login'><input name='user'><input name='password' "
    b"type='password'><button>Sign in</button></form></body></html>\n"
)
SSO_HOST = "sso.login.example.com"
ENDLESS_CHUNK = b" " * 1024
ENDLESS_PAUSE = 0.05  # seconds between chunks of an endless body
_counter = itertools.count(1)


def fault_answer(kind: str, t: Target) -> Response:
    """The answer of an ``html``, ``redirect`` or ``reset`` fault."""
    if kind == "html":
        return Response(200, LOGIN_PAGE, "text/html; charset=utf-8")
    if kind == "redirect":
        location = f"https://{SSO_HOST}/oauth2/authorize?client_id=kube&rd=%2F{t.rt.name}"
        body = f'<a href="{location}">Found</a>.\n'.encode()
        return Response(302, body, "text/html; charset=utf-8", headers=[("Location", location)])
    return Response(0, wire="reset")


def reset(handler: Any, commit: Callable[[int], None]) -> None:
    """Answer nothing and reset the connection (RST, not FIN): SO_LINGER with a zero timeout,
    then the server closes the socket as usual."""
    commit(0)
    handler.close_connection = True
    with contextlib.suppress(OSError):
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def send_slowly(handler: Any, resp: Response, commit: Callable[[int], None]) -> None:
    """The headers at once, then the body a byte every ``resp.pace`` seconds (``trickle``) or
    the body and then spaces without end (``endless``, chunked), until the client leaves or the
    server stops. The connection is closed afterwards."""
    stopping = handler.server.stopping
    handler.close_connection = True
    body = resp.body
    if resp.wire == "trickle":
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        commit(len(body))
        for i in range(len(body)):
            if stopping.wait(resp.pace if i else 0):
                return
            if not _write(handler, body[i : i + 1]):
                return
        return
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    commit(len(body))
    chunk = body
    while not stopping.is_set():
        if not _write(handler, b"%x\r\n%s\r\n" % (len(chunk), chunk)):
            return
        chunk = ENDLESS_CHUNK
        stopping.wait(ENDLESS_PAUSE)


def _write(handler: Any, data: bytes) -> bool:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except (OSError, ValueError):
        return False
    return True


def broken_continue(
    kind: str,
    rv: str,
    last_key: tuple[str, str] | None,
    namespaced: bool,
    first_key: tuple[str, str] | None = None,
) -> str:
    """The continue token a broken server puts on a page: the real one, except on the last
    page. ``cycle``: the token the first page carried (``first_key``: where it ended), so the
    tokens go A → B → A; ``newtoken``: a token to the first page, and every token is new."""
    key = last_key
    if key is None:
        key = first_key if kind == "cycle" and first_key is not None else ("", "")
    start = (f"{key[0]}/{key[1]}" if namespaced else key[1]) + "\x00"  # as api.encode_continue
    doc: dict[str, Any] = {"v": "meta.k8s.io/v1", "rv": int(rv), "start": start}
    if kind == "newtoken":
        doc["n"] = next(_counter)
    raw = json.dumps(doc, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
