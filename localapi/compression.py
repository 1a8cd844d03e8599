"""Response compression, as kube-apiserver does it (k8s.io/apiserver
``pkg/endpoints/handlers/responsewriters/writers.go``, feature gate APIResponseCompression, on
by default since 1.16):

* only when the request's ``Accept-Encoding`` names ``gzip``: the header is split at commas and
  each token trimmed, and only the exact token ``gzip`` counts (``gzip;q=0.5`` does not: the
  server does not read q-values; ``negotiateContentEncoding``);
* only for what ``SerializeObject`` writes (objects, lists, tables, ``Status`` errors) whose body
  passes ``defaultGzipThresholdBytes`` (128 KiB): the answer then carries
  ``Content-Encoding: gzip`` and ``Vary: Accept-Encoding``, compressed at gzip level 1
  (``defaultGzipContentEncodingLevel``);
* as it is compressed: the apiserver's ``gzip.Writer`` writes to the response itself
  (``deferredResponseWriter.unbufferedWrite``), so the compressed bytes go out while the rest of
  the body is still being compressed, with no ``Content-Length`` (HTTP/1.1 chunked). The client
  has the head of a page (its continue token) long before its end. Here the body is compressed
  STEP bytes at a time, each piece sent as one chunk (``Response.pieces``); one cut short
  (``truncate``) stops after half its chunks. An answer trickled or endless (``wirefaults``), or
  to an HTTP/1.0 request (which has no chunks), is compressed whole, with its length;
* never for watch streams (``WatchServer.HandleHTTP`` writes its frames to the connection) nor
  for logs (``StreamObject``): responses built with ``compressible=False`` here.

``LocalAPIServer(compression=False)`` is the server with the feature gate off.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any, Iterator

from .responses import Response

__all__ = ["THRESHOLD", "accepts_gzip", "apply"]

THRESHOLD = 128 * 1024  # defaultGzipThresholdBytes
LEVEL = 1  # defaultGzipContentEncodingLevel
STEP = 64 * 1024  # bytes of the body compressed before what came of them is sent


def accepts_gzip(headers: Any) -> bool:
    """``negotiateContentEncoding``: the first ``Accept-Encoding`` header, its tokens."""
    value = headers.get("Accept-Encoding") or ""
    return any(token.strip() == "gzip" for token in value.split(","))


def apply(resp: Response, headers: Any, enabled: bool = True, chunked: bool = True) -> int:
    """Compress ``resp`` in place when the apiserver would; the body's size before.
    ``chunked``: the request's HTTP version allows a chunked answer (1.1)."""
    size = len(resp.body)
    if (
        enabled
        and resp.compressible
        and resp.stream is None
        and resp.wire != "reset"
        and size > THRESHOLD
        and accepts_gzip(headers)
    ):
        if resp.wire not in ("", "truncate") or not chunked:
            resp.body = gzip.compress(resp.body, compresslevel=LEVEL, mtime=0)
        else:
            resp.pieces, resp.body = _pieces(resp.body), b""
        resp.headers.append(("Content-Encoding", "gzip"))
        resp.headers.append(("Vary", "Accept-Encoding"))
        resp.encoding = "gzip"
    return size


def _pieces(body: bytes) -> Iterator[bytes]:
    """``body`` as one gzip member (mtime 0), STEP bytes at a time, each step's deflate block
    ended (Z_BLOCK: no sync marker), as Go's level 1 writes a block for each 64 KiB it takes."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    view = memoryview(body)
    for start in range(0, len(view), STEP):
        piece = packer.compress(view[start : start + STEP]) + packer.flush(zlib.Z_BLOCK)
        if piece:
            yield piece
    yield packer.flush()
