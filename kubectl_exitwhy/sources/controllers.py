"""Reading the controllers that own pods with findings: Jobs (their conditions decide Job causes)
and ReplicaSets (their owner names the Deployment). Only where a pod with a finding needs one,
never the whole cluster's.

Policy, per kind: one GET each when a namespace needs a few (≤ FEW_GETS); one list of the
namespace when it needs more; one cluster-wide list when many are needed across namespaces.
A refusal or failure is a warning: workloads then come from the owner references (see
``owners.py``), and Job causes from the Job's events.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.sources.http import typed_decoder

FEW_GETS = 3
SPREAD = 10  # more than this many, over several namespaces: one cluster-wide list

KINDS = {
    "Job": ("/apis/batch/v1", "jobs"),
    "ReplicaSet": ("/apis/apps/v1", "replicasets"),
}
# what is kept of each object read: a ReplicaSet only for its owner, a Job whole (its spec and
# status are evidence)
SLIM = {"ReplicaSet": True, "Job": False}
# a ReplicaSet is read for its metadata alone: the API server then sends no pod template (as
# client-go's metadata client asks; a server that does not know the form sends JSON objects)
METADATA_ONLY = {
    "list": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
    "get": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
}

Getter = Callable[..., Any]
Pager = Callable[..., Iterator[list]]


def _q(value: str) -> str:
    return quote(value, safe="")


def _slim(obj: dict) -> dict:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return {}
    keep = {k: meta[k] for k in ("namespace", "name", "uid", "ownerReferences") if k in meta}
    return {"metadata": keep}


def cluster_wide(wanted: set[tuple[str, str]]) -> bool:
    """The policy's choice of one cluster-wide list. It holds once it holds: ``wanted`` only
    grows as a sweep reads its pods, so the list may be started before the last page."""
    return len(wanted) > SPREAD and len({ns for ns, _ in wanted}) > 1


def read(
    get: Getter,
    pages: Pager,
    kind: str,
    wanted: Optional[set[tuple[str, str]]],
    warn: Callable[[str], None],
    unreachable: type[Exception],
    not_found: type[Exception],
    keep_as: Optional[Callable[[dict], Any]] = None,
) -> Optional[dict[tuple[str, str], Any]]:
    """The objects found, by (namespace, name); None when they could not be read (warned).
    ``wanted`` None: every object of the kind, from one cluster-wide list; ``keep_as``: what is
    kept of each (else the object, slimmed where the kind is read for its owner alone)."""
    base, plural = KINDS[kind]
    slim = SLIM[kind]
    by_ns: dict[str, set[str]] = {}
    for ns, name in wanted or ():
        by_ns.setdefault(ns, set()).add(name)
    found: dict[tuple[str, str], dict] = {}
    lists = [METADATA_ONLY["list"]] if slim else []

    def keep(items: list, names: Optional[set[str]] = None) -> None:
        for obj in items:
            meta = obj.get("metadata") if isinstance(obj, dict) else None
            if not isinstance(meta, dict):
                continue
            key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
            if wanted is None or key in wanted:
                found[key] = keep_as(obj) if keep_as else _slim(obj) if slim else obj

    try:
        if wanted is None or cluster_wide(wanted):
            what = f"listing {plural} cluster-wide"
            decode = typed_decoder(plural)
            for items in pages(f"{base}/{plural}", {}, what, *lists, decode=decode):
                keep(items)
            return found
        for ns, names in sorted(by_ns.items()):
            path = f"{base}/namespaces/{_q(ns)}/{plural}"
            if len(names) > FEW_GETS:
                what = f"listing {plural} in namespace {ns}"
                for items in pages(path, {}, what, *lists, decode=typed_decoder(plural)):
                    keep(items)
                continue
            for name in sorted(names):
                try:
                    obj = get(
                        f"{path}/{_q(name)}",
                        None,
                        f"getting {kind.lower()} {ns}/{name}",
                        **({"accept": METADATA_ONLY["get"]} if slim else {}),
                    )
                except not_found:
                    continue
                if isinstance(obj, dict):
                    found[(ns, name)] = _slim(obj) if slim else obj
    except unreachable:
        raise
    except ClusterError as err:
        what = (
            "workloads are named from the pods' owner references"
            if kind == "ReplicaSet"
            else ("Job causes come from the Jobs' events")
        )
        warn(f"{plural} could not be read ({err.message}); {what}")
        return None
    return found
