"""What a request names: the resource path as kube-apiserver lays it out, and its query words.

Paths: ``/api/v1/<resource>``, ``/apis/<group>/v1/<resource>``, ``.../namespaces/<ns>/
<resource>[/<name>]``, a cluster-scoped ``<resource>/<name>``, a pod's ``/log``, and the
deprecated ``/watch/`` forms (an object's own: "watch changes to an object of kind Pod ...
filtered to a single item with the 'fieldSelector' parameter").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import unquote

from .resources import RESOURCES, ResourceType
from .selectors import FieldSelector, LabelSelector

__all__ = ["Target", "is_true", "route"]

_GROUP_VERSIONS = {"v1": "", **{rt.api_version: rt.group for rt in RESOURCES.values()}}
# strconv.ParseBool, which the query parameter decoder uses for booleans such as watch
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))


def is_true(value: str | None) -> bool:
    """A boolean query parameter (``watch``, ``allowWatchBookmarks``) as the server reads it."""
    return value in _TRUE


@dataclass
class Target:
    """What a resource path names."""

    rt: ResourceType
    namespace: str | None  # None: all namespaces / cluster scope
    name: str | None = None
    log: bool = False
    watch_path: bool = False  # the deprecated /watch/ form: always a watch

    def selectors(self, query: Mapping[str, str]) -> tuple[Any, Any]:
        """The request's label selector and compiled field selector (None where absent);
        raises ``SelectorError`` for one the real server would refuse."""
        labels = LabelSelector.parse(query.get("labelSelector"))
        fs = FieldSelector.parse(query.get("fieldSelector"))
        return labels, (fs.compile(self.rt.field_labels) if fs is not None else None)


def route(path: str) -> Target | None:
    """The resource ``path`` names, or None when it names none that is served."""
    if path.startswith("/api/v1/"):
        gv, rest = "v1", path[len("/api/v1/") :]
    elif path.startswith("/apis/"):
        group, _, tail = path[len("/apis/") :].partition("/")
        version, _, rest = tail.partition("/")
        gv = f"{group}/{version}"
        if gv not in _GROUP_VERSIONS or not group:
            return None
    else:
        return None
    group = _GROUP_VERSIONS[gv]
    parts = [unquote(p) for p in rest.split("/")]
    if any(not p for p in parts):
        return None
    watch_path = parts[0] == "watch"
    if watch_path:
        parts = parts[1:]
        if not parts:
            return None

    def resource(name: str, namespaced: bool | None) -> ResourceType | None:
        rt = RESOURCES.get(name)
        if rt is None or rt.group != group:
            return None
        if namespaced is not None and rt.namespaced != namespaced:
            return None
        return rt

    n = len(parts)
    if n == 1:
        rt = resource(parts[0], None)
        return Target(rt, None, watch_path=watch_path) if rt else None
    if n == 2 and (rt := resource(parts[0], False)) is not None:
        return Target(rt, None, parts[1], watch_path=watch_path)
    if parts[0] != "namespaces" or n < 3:
        return None
    rt = resource(parts[2], True)
    if rt is None:
        return None
    ns = parts[1]
    if n == 3:
        return Target(rt, ns, watch_path=watch_path)
    if n == 4:
        return Target(rt, ns, parts[3], watch_path=watch_path)
    if n == 5 and rt.name == "pods" and parts[4] == "log" and not watch_path:
        return Target(rt, ns, parts[3], log=True)
    return None
