"""Reading a data directory: the objects in its ``*.json``/``*.yaml`` files, and its pod logs.

Pod logs live beside the objects: ``<data_dir>/logs/<namespace>/<pod>/<container>.log``.
``expected.json`` (the examples' expected findings) and documents that are not Kubernetes
objects or Lists are skipped; a file that is not valid JSON/YAML is an error naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from .resources import Obj

__all__ = ["documents", "pod_logs"]


def documents(directory: Path) -> Iterator[Obj]:
    """Every object or List in the directory's files, file by file in name order."""
    if not directory.is_dir():
        raise FileNotFoundError(f"localapi: data directory {directory} does not exist")
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.name == "expected.json":
            continue
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            docs: list[Any] = (
                [json.loads(text)] if suffix == ".json" else list(yaml.safe_load_all(text))
            )
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"localapi: {path} is not valid JSON/YAML: {exc}") from exc
        for doc in docs:
            if isinstance(doc, Mapping) and "kind" in doc:
                yield doc


def pod_logs(directory: Path) -> Iterator[tuple[str, str, str, bytes]]:
    """``(namespace, pod, container, text)`` for every log file under ``logs/``."""
    logs = directory / "logs"
    if logs.is_dir():
        for log in sorted(logs.glob("*/*/*.log")):
            pod_dir = log.parent
            yield pod_dir.parent.name, pod_dir.name, log.stem, log.read_bytes()
