"""Offline source: saved ``kubectl get pods,events,nodes,jobs -o json|yaml`` output.

Accepts a Pod, a PodList, a v1 List mixing Pods, Events, Nodes and Jobs (Lists nested too),
multi-document YAML, YAML sequences, JSON arrays and JSON documents one after another, and a
server-side printed ``Table`` whose rows carry the objects (``documents.py`` decodes and parses).
Anything else is bad input (exit 3), said in one sentence.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterator, Optional

from kubectl_exitwhy.errors import BadInput
from kubectl_exitwhy.evidence import Condition, Pod, job_failed
from kubectl_exitwhy.owners import census_key, resolve
from kubectl_exitwhy.selector import Selector
from kubectl_exitwhy.selector import parse as parse_selector
from kubectl_exitwhy.sources.documents import decode, parse_documents, read_bytes, typed_documents
from kubectl_exitwhy.sources.join import EventIndex, assemble, needs_diagnosis, stopped_reporting
from kubectl_exitwhy.sources.typed import kept_whole


def flatten(docs: list[Any], label: str, notes: Optional[list[str]] = None) -> list[dict]:
    """Every Kubernetes object in the documents: Lists opened (nested ones too; a typed List's
    items without a kind take it), YAML sequences and JSON arrays of objects, and the objects a
    ``kind: Table`` (server-side printing) carries in ``rows[].object``. What is not an object
    is counted in one note, never dropped silently; a Table row without its full object (only
    cells, or only metadata) is refused: the pod it names cannot be diagnosed."""
    objects: list[dict] = []
    skipped = names_only = 0
    saw_kubernetes = False
    stack: list[tuple[Any, str]] = [(doc, "") for doc in reversed(docs)]
    while stack:
        doc, item_kind = stack.pop()
        if isinstance(doc, list):
            stack.extend((entry, item_kind) for entry in reversed(doc))
            continue
        if not isinstance(doc, dict):
            skipped += 1
            continue
        kind = doc.get("kind")
        if item_kind and kind is None:
            doc, kind = {**doc, "kind": item_kind}, item_kind
        if kind == "Table":
            saw_kubernetes = True
            rows = doc.get("rows")
            for row in rows if isinstance(rows, list) else [] if rows is None else [rows]:
                obj = row.get("object") if isinstance(row, dict) else None
                if isinstance(obj, dict) and obj.get("kind") not in _NOT_OBJECTS:
                    stack.append((obj, ""))
                else:
                    names_only += 1
            continue
        if "items" in doc and (not kind or (isinstance(kind, str) and kind.endswith("List"))):
            saw_kubernetes = True
            items = doc["items"]
            if isinstance(items, list):
                inner = kind[:-4] if kind and kind != "List" else ""
                stack.extend((item, inner) for item in reversed(items))
            elif items is not None:
                skipped += 1
            continue
        if not kind or not isinstance(kind, str):
            skipped += 1
            continue
        saw_kubernetes = True
        objects.append(doc)
    if names_only:
        rows = "1 row that carries" if names_only == 1 else f"{names_only} rows that carry"
        raise BadInput(
            f"{label} is a table (server-side printing) with {rows} no full object (only cells "
            "or metadata): save the objects themselves with kubectl get "
            "pods,events,nodes,jobs,replicasets -o json"
        )
    if not saw_kubernetes:
        raise BadInput(
            f"{label} holds no Kubernetes objects (expected a Pod, a PodList or a "
            "List from kubectl get -o json|yaml)"
        )
    if notes is not None and skipped:
        notes.append(
            f"{label}: 1 entry is not a Kubernetes object and was skipped"
            if skipped == 1
            else f"{label}: {skipped} entries are not Kubernetes objects and were skipped"
        )
    return objects


# what a Table row's object is when the server was asked for less than the whole object
_NOT_OBJECTS = (None, "", "PartialObjectMetadata")


def _typed(data: bytes, label: str, notes: list[str]) -> Optional[list[dict]]:
    """The objects of a JSON file decoded into the fields read (``documents.typed_documents``);
    None: read it the plain way (refused, or a pod's spec decoded empty: ``typed.kept_whole``)."""
    docs = typed_documents(data)
    if docs is None:
        return None
    found: list[str] = []
    objects = flatten(docs, label, found)
    if not kept_whole(objects):
        return None
    notes += found
    return objects


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _killed(pod: dict) -> bool:
    """A container of the pod ended with 137: what node events could explain."""
    status = _d(pod.get("status"))
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key)
        for cs in statuses if isinstance(statuses, list) else []:
            for where in (_d(_d(cs).get("state")), _d(_d(cs).get("lastState"))):
                if _d(where.get("terminated")).get("exitCode") == 137:
                    return True
    return False


class FileSource:
    """Pods, events, nodes and jobs from one saved file (or from objects already parsed, with the
    previous-log lines that were saved beside them)."""

    def __init__(self, path: str) -> None:
        # the objects are what is kept: a 200 MB file need not stay in memory twice, so the
        # bytes and the text go as soon as they are decoded
        data, label = read_bytes(path)
        self.notes: list[str] = []
        objects = _typed(data, label, self.notes)
        if objects is None:
            text = decode(data, label)
            del data
            docs = parse_documents(text, label)
            del text
            objects = flatten(docs, label, self.notes)
        else:
            del data
        self._load(objects, label)

    @classmethod
    def from_objects(
        cls,
        objects: list[dict],
        label: str,
        logs: Optional[dict[tuple[str, str], dict[str, list[str]]]] = None,
    ) -> FileSource:
        source = cls.__new__(cls)
        source.notes = []
        source._load(flatten(objects, label, source.notes), label, logs)
        return source

    def _load(
        self,
        objects: list[dict],
        label: str,
        logs: Optional[dict[tuple[str, str], dict[str, list[str]]]] = None,
    ) -> None:
        self.label = label
        self.logs = logs or {}
        # the same pod saved twice (two saves in one file) is one pod: the last copy wins
        unique: dict[Any, dict] = {}
        for o in objects:
            if o.get("kind") == "Pod":
                meta = o["metadata"] if isinstance(o.get("metadata"), dict) else {}
                name = meta.get("name")  # without a name (or with 5 for one) it is no copy
                ident = name if isinstance(name, str) and name else id(o)
                unique[(str(meta.get("namespace", "")), ident)] = o
        self.pods = list(unique.values())
        self.events = EventIndex()
        self.events.add_all(o for o in objects if o.get("kind") == "Event")
        self.nodes = {
            o["metadata"]["name"]: o
            for o in objects
            if o.get("kind") == "Node"
            and isinstance(o.get("metadata"), dict)
            and isinstance(o["metadata"].get("name"), str)
        }
        self.down = {name for name, node in self.nodes.items() if stopped_reporting(node)}
        self.jobs = {}
        self.owners: dict[tuple[str, str, str], dict] = {}  # the controllers saved with the pods
        for o in objects:
            meta = o.get("metadata")
            if o.get("kind") in ("Job", "ReplicaSet") and isinstance(meta, dict):
                key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
                self.owners[(str(o["kind"]), *key)] = o
                if o["kind"] == "Job":
                    self.jobs[key] = o
        self.census: Optional[Counter] = None
        self.creates: dict = {}  # after a sweep: its controllers' FailedCreate warnings
        self.listed_owners: set = set()  # after a sweep: (namespace, kind, name) of pod owners
        self.gaps: list[str] = []
        # A saved file without a single Event was saved without them: absence proves nothing.
        self.events_known = self.events.count > 0
        if not self.pods:
            self.notes.append(
                f"{label} holds no pods ({self.events.count} events, {len(self.nodes)} nodes, "
                f"{len(self.jobs)} jobs): save them too, with kubectl get pods,events,nodes,jobs"
            )

    def _select(self, namespace: Optional[str], selector: Optional[Selector]) -> list[dict]:
        out = []
        for pod in self.pods:
            meta: dict = pod["metadata"] if isinstance(pod.get("metadata"), dict) else {}
            if namespace is not None and meta.get("namespace", "") != namespace:
                continue
            if selector is not None and not selector.matches(meta.get("labels")):
                continue
            out.append(pod)
        return out

    def sweep(
        self,
        namespace: Optional[str],
        selector: Optional[str],
        include_healthy: bool,
        settled: Optional[Callable[[Pod], None]] = None,
    ) -> Iterator[Pod]:
        """(``settled``: a file's evidence is final only as a whole; it is not called.)"""
        chosen = self._select(namespace, parse_selector(selector) if selector else None)
        self.census = Counter(resolve(census_key(p), self.owners) for p in chosen)
        self.listed_owners = {census_key(p)[:3] for p in chosen}
        self.creates = {
            key: events
            for key, events in self.events.creates.items()
            if namespace is None or key[1] == namespace
        }
        broken = [self._broken(p) for p in chosen]
        pods = [p for p, b in zip(chosen, broken) if b or include_healthy]
        self.gaps = self._gaps([p for p, b in zip(chosen, broken) if b])
        return self._assemble(pods)

    def _broken(self, pod: dict) -> bool:
        """``needs_diagnosis``, with the nodes whose kubelet the file shows stopped reporting
        (Ready Unknown): their pods' statuses are the last it wrote."""
        return needs_diagnosis(pod, self.events.warned(pod), self.down)

    def _gaps(self, pods: list[dict]) -> list[str]:
        """What the file lacks that a live run would have read: the answer differs, so say so."""
        if not pods:
            return []
        gaps = []
        if self.events.count == 0:
            gaps.append(
                f"{self.label} holds no events: the diagnosis rests on the status alone (save "
                "them too: kubectl get pods,events,… -o json)"
            )
        on = sorted({n for p in pods if (n := _d(p.get("spec")).get("nodeName"))})
        missing = [n for n in on if isinstance(n, str) and n not in self.nodes]
        if missing:
            names = ", ".join(missing[:3])
            if missing[3:]:
                names += f" and {len(missing) - 3} more"
            gaps.append(
                f"{self.label} holds no Node object for {names}: node conditions are not "
                "considered (save nodes too)"
            )
        if self.events.count and not self.events.by_node and any(_killed(p) for p in pods):
            gaps.append(
                f"{self.label} holds no node events (SystemOOM, Rebooted …): they live outside "
                "the pods' namespace; add kubectl get events -A --field-selector "
                "involvedObject.kind=Node -o json"
            )
        return gaps

    def _assemble(self, pods: list[dict]) -> Iterator[Pod]:
        return assemble(
            pods,
            self.events,
            events_known=self.events_known,
            nodes=self.nodes,
            jobs=self.jobs,
            logs=self.logs,
            owners=self.owners,
        )

    def failed_job(self, name: str, namespace: Optional[str]) -> Optional[tuple[str, Condition]]:
        """(its namespace, how it failed) for a saved Job of that name that failed (its
        object, or its controller's events where the object shows no conditions or was not
        saved)."""
        found = {key for key in self.jobs if key[1] == name and namespace in (None, key[0])}
        found |= {  # known by its events alone
            (key[0][len("job:") :], key[1])
            for key in self.events.by_name
            if key[0].startswith("job:") and key[1] == name
            and namespace in (None, key[0][len("job:") :])
        }  # fmt: skip
        for ns, job in sorted(found):
            failed = job_failed(self.jobs.get((ns, job)), job, self.events.for_job(ns, job))
            if failed is not None:
                return ns, failed
        return None

    def still_wants(self, key: tuple[str, str, str]) -> Optional[bool]:
        """Whether a controller saved with the pods still wants pods (None where it was not
        saved: the file cannot tell)."""
        from kubectl_exitwhy.correlate.unborn import still_wants  # a sweep's only

        kind, ns, name = key
        obj = self.owners.get((kind, ns, name))
        return still_wants({**obj, "kind": kind}) if isinstance(obj, dict) else None

    def neighbours(self, pod: Pod) -> list[Pod]:
        """The other pods of the file on the pod's node that need a diagnosis."""
        if not pod.node_name:
            return []
        others = [
            p
            for p in self.pods
            if _d(p.get("spec")).get("nodeName") == pod.node_name
            and _d(p.get("metadata")).get("name") != pod.name
            and self._broken(p)
        ]
        return list(self._assemble(others))

    def pod(self, name: str, namespace: Optional[str]) -> Pod:
        matches = [
            p
            for p in self._select(namespace, None)
            if isinstance(p.get("metadata"), dict) and p["metadata"].get("name") == name
        ]
        if not matches:
            where = f" in namespace {namespace}" if namespace else ""
            raise BadInput(f"pod {name}{where} is not in {self.label}")
        if len(matches) > 1:
            spaces = sorted({str(p["metadata"].get("namespace")) for p in matches})
            raise BadInput(
                f"pod {name} is in several namespaces of {self.label} "
                f"({', '.join(spaces)}): choose one with -n"
            )
        self.gaps = self._gaps(matches)
        return next(self._assemble(matches))
