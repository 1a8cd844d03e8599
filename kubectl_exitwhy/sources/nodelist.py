"""A cluster-wide sweep's nodes, read while its pods are.

A pod on a node whose kubelet stopped reporting keeps the last status that kubelet wrote:
running, its containers ready, never restarted. The node controller marks such pods
(``join.node_marked``), but not every time (a controller restarted at the wrong moment, a
node it never saw Ready), and its ``NodeNotReady`` events expire: the pre-filter would call an
unmarked one healthy. So across namespaces the nodes are listed while the pods are, and after
the last page the pods of each node whose Ready is Unknown are read again, by a field selector
(``pods_of``), and judged knowing it (``needs_diagnosis``'s ``down``). The join after the pods
takes the nodes' conditions from this list instead of reading them again. With no node down,
which is nearly always, that is one list where there was one list (or a GET a node) before.
Listed at the start, beside the events, the nodes made a 50,000-pod sweep ~0.25 s slower.

Of each node only its conditions are kept. A list the user may not read (the ``view`` role
grants no nodes) or that fails is dropped without a word: the join then reads the nodes it
needs as it always did, and says there what it could not read. A server that cannot be reached
is raised when the list is taken, as any read would raise it.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.sources import paging
from kubectl_exitwhy.sources.early import Told
from kubectl_exitwhy.sources.http import Unreachable, typed_decoder
from kubectl_exitwhy.sources.join import stopped_reporting
from kubectl_exitwhy.sources.later import Later

Nodes = dict[str, dict]  # name → {"status": {"conditions": [...]}}


class EarlyNodes:
    """Started at once where ``enabled``; ``take`` waits for the list."""

    def __init__(self, reader: Any, warn: Callable[[str], None], enabled: bool) -> None:
        self.warn = warn
        self.listed: Optional[Nodes] = None  # once taken: every node, or None (not read)
        self._said: list[str] = []
        self._later: Optional[Later] = None
        if enabled:
            self._later = Later(self._read, Told(reader, self._said), name="exitwhy-nodes")

    def take(self) -> set[str]:
        """The names of the nodes whose kubelet stopped reporting (Ready Unknown)."""
        if self._later is None:
            return set()
        try:
            self.listed = self._later.result()
        except Unreachable:
            raise
        except ClusterError:  # forbidden, gone, failing: the join reads what it needs
            self._said.clear()
            return set()
        finally:
            self._later = None
        for line in self._said:  # a list started again, or cut short
            self.warn(line)
        return {name for name, node in self.listed.items() if stopped_reporting(node)}

    @staticmethod
    def _read(reader: Any) -> Nodes:
        nodes: Nodes = {}
        decode = typed_decoder("nodes")
        for items in paging.pages(reader, "/api/v1/nodes", {}, "listing nodes", None, decode):
            for n in items:
                meta = n.get("metadata") if isinstance(n, dict) else None
                name = meta.get("name") if isinstance(meta, dict) else None
                if isinstance(name, str):
                    status = n.get("status")
                    conditions = status.get("conditions") if isinstance(status, dict) else None
                    nodes[name] = {"status": {"conditions": conditions}}
        return nodes


MAX_NODES = 50  # nodes whose pods are read again; past that, their marks (if any) must do


def pods_of(
    reader: Any, down: set[str], add: Callable[[list], Any], selector: Optional[str]
) -> None:
    """Each page of the pods of the nodes of ``down`` (at most MAX_NODES of them) that match the
    sweep's label ``selector``, to ``add``."""
    names = sorted(down)
    if len(names) > MAX_NODES:
        reader.warn(
            f"{len(names)} nodes stopped reporting; the pods of {MAX_NODES} were read again "
            "(the others' pods are diagnosed where the node controller marked them)"
        )
        names = names[:MAX_NODES]
    decode, apart = typed_decoder("pods"), _Apart(reader)
    for name in names:
        query = {"labelSelector": selector, "fieldSelector": f"spec.nodeName={name}"}
        what = f"listing the pods of node {name}"
        try:
            for items in paging.pages(apart, "/api/v1/pods", query, what, None, decode):
                add(items)
        except Unreachable:
            raise
        except ClusterError as err:
            reader.warn(f"the pods of node {name} could not be read again ({err.message})")


class _Apart:
    """The reader, with what a list notes on it kept apart: these lists share the sweep's path,
    and must not stand for it (its version, where a watch starts; whether it was cut short)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.list_versions: dict[str, str] = {}
        self.cut_short: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)
