"""Bodies that come ``Content-Encoding: gzip``, unpacked as they are read.

The plugin asks for gzip (``Accept-Encoding: gzip``) as kubectl does: kube-apiserver then
compresses every answer it serializes whose body passes 128 KiB (``defaultGzipThresholdBytes``
in k8s.io/apiserver ``handlers/responsewriters/writers.go``, at gzip level 1), which a page of
500 pods always does; a page of 500 pods shrinks about ten times. Watch streams and logs are
never compressed (the watch handler and ``StreamObject`` write to the connection directly).
``EXITWHY_NO_GZIP=1`` asks for plain bodies.

The unpacked size is bounded like the packed one: a body that unpacks past ``limit`` (a gzip
bomb: a few hundred KiB of zeros unpack to a gigabyte) is refused as soon as it passes it, never
held; each step of the decompressor yields at most ``STEP`` bytes.
"""

from __future__ import annotations

import os
import zlib
from typing import Optional

STEP = 1 << 20  # the most one call to the decompressor may hand back
GZIP = ("gzip", "x-gzip")


class UnpackError(Exception):
    """``kind``: ``too_big_unpacked``, ``bad_gzip`` (``detail`` says why), ``truncated`` (the
    gzip stream ended early) or ``encoding`` (an encoding that was not asked for)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind)
        self.kind, self.detail = kind, detail


def wanted() -> bool:
    """Ask for gzip unless ``EXITWHY_NO_GZIP`` is set (to anything but 0 or empty)."""
    return os.environ.get("EXITWHY_NO_GZIP", "").strip() in ("", "0")


class Unpacker:
    """Feed it the body's chunks as they come off the wire; it keeps the unpacked parts."""

    def __init__(self, encoding: Optional[str], limit: int) -> None:
        name = (encoding or "").strip().lower()
        if name not in ("", "identity", *GZIP):
            raise UnpackError("encoding", name)
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS) if name in GZIP else None
        self.limit = limit
        self.size = 0
        self.fed = 0
        self.parts: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        self.fed += len(chunk)
        if self._z is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                self._keep(self._z.decompress(data, STEP))
            except zlib.error as err:
                raise UnpackError("bad_gzip", str(err)) from None
            data = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:
                data = self._next_member()

    def body(self) -> bytes:
        """The whole unpacked body, once the last chunk was fed."""
        if self._z is not None and self.fed:  # an empty body is empty, whatever it claims
            try:
                self._keep(self._z.flush())
            except zlib.error as err:
                raise UnpackError("bad_gzip", str(err)) from None
            if not self._z.eof:
                raise UnpackError("truncated")
        body = b"".join(self.parts)
        self.parts = []
        return body

    def head(self, limit: int) -> bytes:
        """The first ``limit`` bytes unpacked so far (fewer if fewer came)."""
        taken, size = [], 0
        for part in self.parts:
            if size >= limit:
                break
            taken.append(part)
            size += len(part)
        return b"".join(taken)[:limit] if len(taken) != 1 else taken[0][:limit]

    def _next_member(self) -> bytes:
        """Go's gzip reader reads concatenated members as one stream: so does this."""
        assert self._z is not None
        rest = self._z.unused_data
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return rest

    def _keep(self, piece: bytes) -> None:
        if not piece:
            return
        self.size += len(piece)
        if self.size > self.limit:
            self.parts = []
            raise UnpackError("too_big_unpacked")
        self.parts.append(piece)
