"""``pods/log``: a container's log, chosen and cut as the real API server does.

``container`` may be left out only when the pod has exactly one regular container (else the
error lists them, and the init containers); ``previous=true`` for a container without a kept
log is an error; ``tailLines`` keeps the last N lines and ``limitBytes`` the first N bytes.
"""

from __future__ import annotations

from typing import Mapping

from .responses import Response, bad_request, not_found
from .routes import Target
from .store import Store

__all__ = ["serve_log"]


def serve_log(store: Store, t: Target, query: Mapping[str, str]) -> Response:
    """The log of a container of the pod ``t`` names (``t.log``)."""
    pod = t.name or ""
    entry = store.view().get(t.rt.name, t.namespace or "", pod)
    if entry is None:
        return not_found(t.rt, pod)
    regular = [name for kind, name in entry.containers if kind == "regular"]
    others = [name for kind, name in entry.containers if kind != "regular"]
    container = query.get("container")
    if not container:
        if len(regular) != 1:
            message = f"a container name must be specified for pod {pod}, choose one of: "
            message += "[" + " ".join(regular) + "]"
            if others:
                message += " or one of the init containers: [" + " ".join(others) + "]"
            return bad_request(message)
        container = regular[0]
    if container not in regular and container not in others:
        return bad_request(f"container {container} is not valid for pod {pod}")
    text = store.logs.get((t.namespace or "", pod, container))
    if text is None:
        if query.get("previous") in ("true", "1"):
            return bad_request(
                f'previous terminated container "{container}" in pod "{pod}" not found'
            )
        text = b""
    tail = query.get("tailLines")
    if tail:
        try:
            n = int(tail)
        except ValueError:
            return bad_request(f"tailLines: Invalid value: {tail!r}")
        lines = text.splitlines(keepends=True)
        text = b"".join(lines[-n:]) if n > 0 else b""
    limit = query.get("limitBytes")
    if limit:
        try:
            text = text[: int(limit)]
        except ValueError:
            return bad_request(f"limitBytes: Invalid value: {limit!r}")
    return Response(200, text, "text/plain", compressible=False)  # StreamObject: never gzip
