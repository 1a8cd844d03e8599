"""Offline source: saved ``kubectl get pods,events,nodes,jobs -o json|yaml`` output.

Accepts a Pod, a PodList, a v1 List mixing Pods, Events, Nodes and Jobs, multi-document YAML, or
a JSON array of such objects. Anything else is bad input (exit 3), said in one sentence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator, Optional

from kubectl_exitwhy.errors import BadInput
from kubectl_exitwhy.evidence import Pod
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


def parse_documents(text: str, label: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            doc = json.loads(text)
        except RecursionError:
            raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
        except json.JSONDecodeError as err:
            raise BadInput(
                f"{label} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg});"
                " was it cut short?"
            ) from None
        return doc if isinstance(doc, list) else [doc]
    import yaml  # only for YAML input

    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except RecursionError:
        raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise BadInput(f"{label} is neither JSON nor valid YAML{where}") from None
    return docs


def flatten(docs: list[Any], label: str) -> list[dict]:
    """Every Kubernetes object in the documents, Lists opened."""
    objects: list[dict] = []
    saw_kubernetes = False
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc and "items" not in doc:
            continue
        saw_kubernetes = True
        if isinstance(doc.get("items"), list):
            list_kind = str(doc.get("kind", ""))
            item_kind = list_kind[:-4] if list_kind.endswith("List") and list_kind != "List" else ""
            for item in doc["items"]:
                if isinstance(item, dict):
                    if item_kind and "kind" not in item:
                        item = {**item, "kind": item_kind}
                    objects.append(item)
        else:
            objects.append(doc)
    if not saw_kubernetes:
        raise BadInput(
            f"{label} holds no Kubernetes objects (expected a Pod, a PodList or a "
            "List from kubectl get -o json|yaml)"
        )
    return objects


class FileSource:
    """Pods, events, nodes and jobs from one saved file (or from objects already parsed, with the
    previous-log lines that were saved beside them)."""

    def __init__(self, path: str) -> None:
        text, label = read_text(path)
        self._load(flatten(parse_documents(text, label), label), label)

    @classmethod
    def from_objects(
        cls,
        objects: list[dict],
        label: str,
        logs: Optional[dict[tuple[str, str], dict[str, list[str]]]] = None,
    ) -> FileSource:
        source = cls.__new__(cls)
        source._load(flatten(objects, label), label, logs)
        return source

    def _load(
        self,
        objects: list[dict],
        label: str,
        logs: Optional[dict[tuple[str, str], dict[str, list[str]]]] = None,
    ) -> None:
        self.label = label
        self.logs = logs or {}
        self.pods = [o for o in objects if o.get("kind") == "Pod"]
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
        for o in objects:
            meta = o.get("metadata")
            if o.get("kind") == "Job" and isinstance(meta, dict):
                self.jobs[(str(meta.get("namespace", "")), str(meta.get("name", "")))] = o
        # A saved file without a single Event was saved without them: absence proves nothing.
        self.events_known = self.events.count > 0

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
        pods = [p for p in chosen if include_healthy or needs_diagnosis(p, self.events.warned(p))]
        return assemble(
            pods,
            self.events,
            events_known=self.events_known,
            nodes=self.nodes,
            jobs=self.jobs,
            logs=self.logs,
        )

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
        return next(
            assemble(
                matches,
                self.events,
                events_known=self.events_known,
                nodes=self.nodes,
                jobs=self.jobs,
                logs=self.logs,
            )
        )
