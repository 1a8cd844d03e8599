"""Offline source: saved ``kubectl get pods,events,nodes,jobs -o json|yaml`` output.

Accepts a Pod, a PodList, a v1 List mixing Pods, Events, Nodes and Jobs, multi-document YAML, or
a JSON array of such objects. Anything else is bad input (exit 3), said in one sentence.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Optional

from kubectl_exitwhy.errors import BadInput
from kubectl_exitwhy.evidence import Pod
from kubectl_exitwhy.owners import census_key, resolve
from kubectl_exitwhy.selector import Selector
from kubectl_exitwhy.selector import parse as parse_selector
from kubectl_exitwhy.sources.join import EventIndex, assemble, needs_diagnosis


def read_text(path: str) -> tuple[str, str]:
    """The file's text and a name for messages; ``-`` is standard input."""
    if path == "-":
        data = sys.stdin.buffer.read()
        label = "standard input"
    else:
        p = Path(path)
        label = path
        if not p.exists():
            raise BadInput(f"{path}: no such file")
        if p.is_dir():
            raise BadInput(f"{path} is a directory, not a file")
        try:
            data = p.read_bytes()
        except OSError as err:
            raise BadInput(f"{path}: cannot read it ({err.strerror or err})") from None
    if not data.strip():
        raise BadInput(f"{label} is empty")
    if b"\x00" in data[:8192]:
        raise BadInput(f"{label} is binary data, not Kubernetes JSON or YAML")
    try:
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError:
        raise BadInput(f"{label} is not UTF-8 text, not Kubernetes JSON or YAML") from None


def _int(digits: str) -> Any:
    """JSON integers past Python's 4,300-digit conversion limit are no count anyone meant: they
    read as infinity, which every reader here treats as unreadable."""
    return int(digits) if len(digits) <= 4000 else float("inf")


def parse_documents(text: str, label: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return _json_documents(text, label)
    import yaml  # only for YAML input

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C loader when present
    try:
        docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except RecursionError:
        raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise BadInput(f"{label} is neither JSON nor valid YAML{where}") from None
    except (ValueError, OverflowError):
        raise BadInput(f"{label} holds a number too large to read") from None
    starts = sum(1 for line in text.splitlines() if line.startswith("apiVersion:"))
    if starts > len(docs):  # two saves appended without ---: YAML keeps the last key, silently
        raise BadInput(
            f"{label} holds {starts} YAML documents run together: put a line --- between "
            "them (or save with -o json, which can be appended as it is)"
        )
    if "*" in text:  # aliases: a "billion laughs" expands far beyond the text it came from
        _within_budget(docs, 20 * len(text) + 10_000, label)
    return docs


def _json_documents(text: str, label: str) -> list[Any]:
    """One JSON document, or several one after another (``kubectl get -o json`` run twice into
    one file), as kubectl reads them."""
    decoder = json.JSONDecoder(parse_int=_int)
    docs: list[Any] = []
    at = 0
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if at >= len(text):
            break
        try:
            doc, at = decoder.raw_decode(text, at)
        except RecursionError:
            raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
        except json.JSONDecodeError as err:
            raise BadInput(
                f"{label} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg});"
                " was it cut short?"
            ) from None
        docs.append(doc)
    return docs


def _within_budget(docs: list[Any], budget: int, label: str) -> None:
    """Walk what YAML aliases made, counting every visit: shared parts count each time."""
    seen = 0
    stack: list[Any] = list(docs)
    while stack:
        node = stack.pop()
        seen += 1
        if seen > budget:
            raise BadInput(f"{label} uses YAML aliases that expand far beyond its size")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def flatten(docs: list[Any], label: str, notes: Optional[list[str]] = None) -> list[dict]:
    """Every Kubernetes object in the documents: Lists opened (nested ones too), YAML sequences
    and JSON arrays of objects, and the objects a ``kind: Table`` carries. What is not an object
    is counted in ``notes``, never dropped silently."""
    objects: list[dict] = []
    skipped = [0]
    tables_without_objects = [0]
    saw_kubernetes = False

    def walk(doc: Any, item_kind: str = "") -> None:
        nonlocal saw_kubernetes
        if isinstance(doc, list):
            for entry in doc:
                walk(entry, item_kind)
            return
        if not isinstance(doc, dict):
            skipped[0] += 1
            return
        if item_kind and "kind" not in doc:
            doc = {**doc, "kind": item_kind}
        if doc.get("kind") == "Table" and isinstance(doc.get("rows"), list):
            saw_kubernetes = True
            for row in doc["rows"]:
                obj = row.get("object") if isinstance(row, dict) else None
                if isinstance(obj, dict) and obj.get("kind") not in (None, "PartialObjectMetadata"):
                    walk(obj)
                else:
                    tables_without_objects[0] += 1
            return
        if isinstance(doc.get("items"), list):
            saw_kubernetes = True
            kind = str(doc.get("kind", ""))
            inner = kind[:-4] if kind.endswith("List") and kind != "List" else ""
            for item in doc["items"]:
                walk(item, inner)
            return
        if "kind" not in doc:
            skipped[0] += 1
            return
        saw_kubernetes = True
        objects.append(doc)

    for doc in docs:
        walk(doc)
    if tables_without_objects[0] and not objects:
        raise BadInput(
            f"{label} is a table of names (server-side printing) without the objects: save "
            "them with kubectl get pods,events,nodes,jobs -o json"
        )
    if not saw_kubernetes:
        raise BadInput(
            f"{label} holds no Kubernetes objects (expected a Pod, a PodList or a "
            "List from kubectl get -o json|yaml)"
        )
    if notes is not None:
        if skipped[0]:
            notes.append(
                f"{label}: {skipped[0]} entries are not Kubernetes objects and were skipped"
            )
        if tables_without_objects[0]:
            notes.append(f"{label}: {tables_without_objects[0]} table rows carry no object")
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
        text, label = read_text(path)
        self.notes: list[str] = []
        self._load(flatten(parse_documents(text, label), label, self.notes), label)

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
                unique[(str(meta.get("namespace", "")), str(meta.get("name", id(o))))] = o
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
        self, namespace: Optional[str], selector: Optional[str], include_healthy: bool
    ) -> Iterator[Pod]:
        chosen = self._select(namespace, parse_selector(selector) if selector else None)
        self.census = Counter(resolve(census_key(p), self.owners) for p in chosen)
        broken = [needs_diagnosis(p, self.events.warned(p)) for p in chosen]
        pods = [p for p, b in zip(chosen, broken) if b or include_healthy]
        self.gaps = self._gaps([p for p, b in zip(chosen, broken) if b])
        return self._assemble(pods)

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

    def neighbours(self, pod: Pod) -> list[Pod]:
        """The other pods of the file on the pod's node that need a diagnosis."""
        if not pod.node_name:
            return []
        others = [
            p
            for p in self.pods
            if _d(p.get("spec")).get("nodeName") == pod.node_name
            and _d(p.get("metadata")).get("name") != pod.name
            and needs_diagnosis(p, self.events.warned(p))
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
