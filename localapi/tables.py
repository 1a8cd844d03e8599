"""Server-side printing: ``meta.k8s.io/v1`` Tables, as ``kubectl get`` asks for them.

``kubectl get`` (without ``-o json|yaml``) sends ``Accept: application/json;as=Table;v=v1;
g=meta.k8s.io,...``, and the real API server answers with a Table whose columns come from the
printers in ``pkg/printers/internalversion`` (always the "wide" set; kubectl hides priority-1
columns unless ``-o wide``). Each row carries the object's metadata as a
``PartialObjectMetadata`` (``includeObject=Metadata``, the default), which kubectl uses for the
NAMESPACE column of ``-A`` and for ``--show-labels``.

This module lays out the Table; the columns and cells of each kind are the printers'
(``printers``, ``workload_printers``). Ages are rendered at request time, like the real server.
"""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

from . import printers, workload_printers
from .cells import Since, human_duration
from .entry import Entry, encode
from .resources import ResourceType
from .workload_printers import selector_string

__all__ = ["COLUMNS", "human_duration", "selector_string", "table_body"]

COLUMNS: dict[str, list[dict]] = {**printers.COLUMNS, **workload_printers.COLUMNS}
_COLUMNS_JSON = {r: encode(cols) for r, cols in COLUMNS.items()}
_CELLS = {**printers.CELLS, **workload_printers.CELLS}


_META_KEY = b'{"metadata":'
_PARTIAL = b'{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":'


def _row_source(entry: Entry, rt: ResourceType) -> tuple[list[Any], bytes]:
    """Cells (with request-time ages left open) and the PartialObjectMetadata bytes.

    The cells are cached on the entry. The metadata is normally the stored bytes' first member,
    so only its length is cached and the bytes are sliced out per request (50,000 cached
    copies of pod metadata with managedFields would cost about 200 MB).
    """
    cached = entry.table
    if cached is None:
        obj = json.loads(entry.data)
        meta = encode(obj.get("metadata") or {})
        end = len(_META_KEY) + len(meta)
        if entry.data.startswith(_META_KEY) and entry.data[len(_META_KEY) : end] == meta:
            cached = entry.table = (_CELLS[rt.name](obj), end)
        else:
            cached = entry.table = (_CELLS[rt.name](obj), meta)
    cells, meta_src = cached
    if isinstance(meta_src, int):
        return cells, _PARTIAL + entry.data[len(_META_KEY) : meta_src] + b"}"
    return cells, _PARTIAL + meta_src + b"}"


def table_body(
    rt: ResourceType,
    entries: Sequence[Entry],
    list_meta: bytes,
    include_object: str,
    object_bytes: Any,
) -> bytes:
    """A complete ``meta.k8s.io/v1`` Table for ``entries``.

    ``include_object`` is the request's ``includeObject``: ``Metadata`` (default),
    ``Object`` (the full object, ``object_bytes(entry)``) or ``None``.
    """
    now = time.time()
    rows = []
    for entry in entries:
        cells, partial = _row_source(entry, rt)
        rendered = [c.render(now) if isinstance(c, Since) else c for c in cells]
        row = b'{"cells":' + encode(rendered)
        if include_object == "Object":
            row += b',"object":' + object_bytes(entry)
        elif include_object != "None":
            row += b',"object":' + partial
        rows.append(row + b"}")
    return (
        b'{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":'
        + list_meta
        + b',"columnDefinitions":'
        + _COLUMNS_JSON[rt.name]
        + b',"rows":['
        + b",".join(rows)
        + b"]}"
    )
