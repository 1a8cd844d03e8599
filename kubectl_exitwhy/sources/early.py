"""A sweep's ReplicaSets, read while its pods still are.

Across namespaces, once more than ``controllers.SPREAD`` ReplicaSets own pods that need a
diagnosis, ``controllers.py`` reads them in one cluster-wide list, and that choice holds once it
holds: the set of ReplicaSets wanted only grows as pages come. So the list is started in the
background (``Later``) as soon as the pages read so far call for it, and taken after the last
page: the server makes it while the pod pages are judged, instead of after them. Of each
ReplicaSet only its controlling owner is kept until then (all that naming a workload reads of
it: ``owners.resolve``), and only the ones wanted in the end are handed on. What the read warns
is said when it is taken, where the ordinary read would have said it, and a server that cannot
be reached is raised there too.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterable, Optional

from kubectl_exitwhy.evidence import Pod
from kubectl_exitwhy.owners import controller_ref
from kubectl_exitwhy.sources import controllers, paging
from kubectl_exitwhy.sources.http import NotFound, Unreachable
from kubectl_exitwhy.sources.later import Later

Found = Optional[dict[tuple[str, str], dict]]


class _Told:
    """The reader, its warnings (``paging.py``'s: a list started again, cut short) kept to be
    said when the list is taken, not from the background while the pods are read."""

    # read beside the pods' pages, it asks for each page once it waits for it, not from the
    # head of the one before (``readahead.py``): the two lists' pages in memory at once would be
    # three, not two (+2 MB of peak RSS at 50,000 pods, measured)
    heads = False

    def __init__(self, reader: Any, said: list[str]) -> None:
        self._reader, self.warn = reader, said.append

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class EarlyReplicaSets:
    """``add`` each page's pods that need a diagnosis; ``take`` the ReplicaSets wanted."""

    def __init__(self, reader: Any, warn: Callable[[str], None], enabled: bool) -> None:
        self._said: list[str] = []
        told = _Told(reader, self._said)
        self.get = reader.get
        self.pages = lambda *args, **kwargs: paging.pages(told, *args, **kwargs)
        self.warn, self.enabled = warn, enabled
        self.wanted: set[tuple[str, str]] = set()
        self._later: Optional[Later] = None
        self._every: Optional[dict[tuple[str, str], Optional[tuple[str, str]]]] = None

    @property
    def started(self) -> bool:
        return self._later is not None

    def add(self, pods: Iterable[Pod]) -> None:
        if not self.enabled or self._later is not None:
            return
        for p in pods:
            if p.owner is not None and p.owner.kind == "ReplicaSet":
                self.wanted.add((p.namespace, p.owner.name))
        if controllers.cluster_wide(self.wanted):
            self._later = Later(
                controllers.read,
                self.get,
                self.pages,
                "ReplicaSet",
                None,  # every one: which are wanted is known after the last page
                self._said.append,
                Unreachable,
                NotFound,
                _owner,
                name="exitwhy-owners",
            )

    def take(self, wanted: set[tuple[str, str]], read: Callable[[set], Found]) -> Found:
        """The ReplicaSets of ``wanted``: from the list started early, or ``read`` now."""
        if self._later is None:
            return read(wanted)
        found = self._later.result()  # Unreachable is raised here, as the read would
        for line in self._said:
            self.warn(line)
        if found is None:
            return None
        self._every = found
        return {key: _slim(key, found[key]) for key in wanted if key in found}

    def every(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """Once taken, the ReplicaSets of ``keys`` the early list read, as ``take`` gives them:
        also those that own no pod with findings, to count each pod under its workload as read
        (the pods of a Deployment's older ReplicaSet, still running, are the Deployment's)."""
        found = self._every or {}
        return {key: _slim(key, found[key]) for key in keys if key in found}


def _owner(obj: dict) -> Optional[tuple[str, str]]:
    """What is kept of a ReplicaSet until the last page: its controlling owner."""
    ref = controller_ref(obj["metadata"])
    return None if ref is None else (sys.intern(ref[0]), ref[1])


def _slim(key: tuple[str, str], owner: Optional[tuple[str, str]]) -> dict:
    """The ReplicaSet as ``controllers.py`` hands it on, with the owner that was kept."""
    meta: dict[str, Any] = {"namespace": key[0], "name": key[1]}
    if owner is not None:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {"metadata": meta}
