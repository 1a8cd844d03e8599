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
* never for watch streams (``WatchServer.HandleHTTP`` writes its frames to the connection) nor
  for logs (``StreamObject``): responses built with ``compressible=False`` here.

``LocalAPIServer(compression=False)`` is the server with the feature gate off.
"""

from __future__ import annotations

import gzip
from typing import Any

from .responses import Response

__all__ = ["THRESHOLD", "accepts_gzip", "apply"]

THRESHOLD = 128 * 1024  # defaultGzipThresholdBytes
LEVEL = 1  # defaultGzipContentEncodingLevel


def accepts_gzip(headers: Any) -> bool:
    """``negotiateContentEncoding``: the first ``Accept-Encoding`` header, its tokens."""
    value = headers.get("Accept-Encoding") or ""
    return any(token.strip() == "gzip" for token in value.split(","))


def apply(resp: Response, headers: Any, enabled: bool = True) -> int:
    """Compress ``resp`` in place when the apiserver would; the body's size before."""
    size = len(resp.body)
    if (
        enabled
        and resp.compressible
        and resp.stream is None
        and resp.wire != "reset"
        and size > THRESHOLD
        and accepts_gzip(headers)
    ):
        resp.body = gzip.compress(resp.body, compresslevel=LEVEL, mtime=0)
        resp.headers.append(("Content-Encoding", "gzip"))
        resp.headers.append(("Vary", "Accept-Encoding"))
        resp.encoding = "gzip"
    return size
