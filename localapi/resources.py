"""The resource types served: what discovery says about each, and its selectable fields.

One ``ResourceType`` per resource, as kube-apiserver's REST storage declares it (kind, group,
version, scope, short names, categories) plus the field labels its field selectors accept and
a function that reads those fields' values from an object (the strategy's ``ToSelectableFields``,
which starts from the object-meta pair ``generic.ObjectMetaFieldsSet`` gives every resource).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple, Sequence, Union

__all__ = ["RESOURCES", "Obj", "ResourceType", "resource_for", "served_type"]

Obj = Mapping[str, Any]


Reader = Callable[[Obj], Any]


def _s(value: Any) -> str:
    """A field's value as a selector compares it: ``""`` for none, ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Path(NamedTuple):
    """The value at ``section.key`` (``key`` empty: at ``section``), ``default`` where absent."""

    section: str
    key: str
    default: Any


def _at(path: str, default: Any = None) -> _Path:
    """Where a value is: ``spec.nodeName`` is ``o["spec"]["nodeName"]``."""
    section, _, key = path.partition(".")
    return _Path(section, key, default)


def _flag(path: str) -> Reader:
    """Reads a boolean that is false when absent (``spec.hostNetwork``)."""
    section, _, key = path.partition(".")
    return lambda o: bool((o.get(section) or {}).get(key))


def _source(o: Obj) -> Any:
    """An event's ``source`` field: the reporting component, in either schema."""
    return (o.get("source") or {}).get("component") or o.get("reportingComponent")


# a field label read at its own path, or (label, where or how its value is read)
Field = Union[str, tuple[str, Union[_Path, Reader]]]
_META: tuple[Field, ...] = ("metadata.name", "metadata.namespace")


def _step(field: Field) -> tuple[Any, Any, Any]:
    """How ``_reader`` reads a field: (section, key, default) for a path, (None, reader, None)
    for a function; plain tuples, unpacked faster than a NamedTuple."""
    read = _at(field) if isinstance(field, str) else field[1]
    return (read.section, read.key, read.default) if isinstance(read, _Path) else (None, read, None)


def _reader(fields: Sequence[Field]) -> Callable[[Obj], tuple[str, ...]]:
    """The function that reads the values of ``fields`` from an object, as strings: walked
    inline rather than a call per field, as it reads some 20,000 Events at 50,000 pods."""
    steps = tuple(_step(f) for f in fields)

    def fields_of(o: Obj) -> tuple[str, ...]:
        out = []
        for section, key, default in steps:
            if section is None:
                v = key(o)
            elif key:
                v = (o.get(section) or {}).get(key, default)
            else:
                v = o.get(section, default)
            out.append(v if v.__class__ is str else _s(v))
        return tuple(out)

    return fields_of


@dataclass(frozen=True)
class ResourceType:
    """What discovery says about a resource, and which field labels its selectors accept."""

    name: str
    kind: str
    group: str
    version: str
    namespaced: bool
    singular: str
    short_names: tuple[str, ...]
    field_labels: tuple[str, ...]
    fields_of: Callable[[Obj], tuple[str, ...]]
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified(self) -> str:
        """``pods``, ``jobs.batch``: how Status messages name the resource."""
        return f"{self.name}.{self.group}" if self.group else self.name


def _resource(
    kind: str,
    group: str,
    namespaced: bool,
    short_names: tuple[str, ...],
    fields: Sequence[Field],
    categories: tuple[str, ...] = (),
) -> ResourceType:
    """A resource of ``kind`` (named as the API names them: ``pods``, ``pod``), version v1,
    whose field selectors accept ``fields``."""
    labels = tuple(f if isinstance(f, str) else f[0] for f in fields)
    name = kind.lower()
    return ResourceType(
        name + "s",
        kind,
        group,
        "v1",
        namespaced,
        name,
        short_names,
        labels,
        _reader(fields),
        categories,
    )


_POD_FIELDS: tuple[Field, ...] = (
    *_META,
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    ("spec.hostNetwork", _flag("spec.hostNetwork")),
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
)
_EVENT_FIELDS: tuple[Field, ...] = (
    *_META,
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    ("source", _source),
    "type",
)
_NODE_FIELDS: tuple[Field, ...] = (
    "metadata.name",
    ("spec.unschedulable", _flag("spec.unschedulable")),
)
# the Job strategy's "status.successful": strconv.Itoa(int(job.Status.Succeeded))
_JOB_FIELDS: tuple[Field, ...] = (*_META, ("status.successful", _at("status.succeeded", 0)))
# pkg/registry/apps/replicaset/strategy.go, ReplicaSetToSelectableFields
_REPLICASET_FIELDS: tuple[Field, ...] = (*_META, ("status.replicas", _at("status.replicas", 0)))

# The workload controllers' short names and the "all" category as their REST storage declares
# them (pkg/registry/apps/*/storage/storage.go, pkg/registry/batch/cronjob/storage/storage.go:
# ``ShortNames() { return []string{"cj"} }``, ``Categories() { return []string{"all"} }``).
RESOURCES: dict[str, ResourceType] = {
    rt.name: rt
    for rt in (
        # kind, group, namespaced, short names, selectable fields, categories
        _resource("Pod", "", True, ("po",), _POD_FIELDS, ("all",)),
        _resource("Event", "", True, ("ev",), _EVENT_FIELDS),
        _resource("Node", "", False, ("no",), _NODE_FIELDS),
        _resource("Namespace", "", False, ("ns",), ("metadata.name", "status.phase")),
        _resource("Job", "batch", True, (), _JOB_FIELDS, ("all",)),
        _resource("CronJob", "batch", True, ("cj",), _META, ("all",)),
        _resource("DaemonSet", "apps", True, ("ds",), _META, ("all",)),
        _resource("Deployment", "apps", True, ("deploy",), _META, ("all",)),
        _resource("ReplicaSet", "apps", True, ("rs",), _REPLICASET_FIELDS, ("all",)),
        _resource("StatefulSet", "apps", True, ("sts",), _META, ("all",)),
    )
}

_KIND_TO_RESOURCE = {rt.kind: rt for rt in RESOURCES.values()}


def served_type(obj: Obj) -> ResourceType:
    """The resource type of an object of a served kind; ValueError says why it is not one."""
    kind = obj.get("kind")
    rt = _KIND_TO_RESOURCE.get(kind) if isinstance(kind, str) else None
    if rt is None:
        raise ValueError(f"localapi serves no kind {kind!r}")
    api_version = obj.get("apiVersion")
    if api_version and api_version != rt.api_version:  # e.g. events.k8s.io/v1 Event
        raise ValueError(f"{kind} is served as {rt.api_version}, not {api_version}")
    return rt


def resource_for(kind_or_resource: str) -> ResourceType:
    """The resource type named by a kind (``Pod``), a resource (``pods``) or a short name."""
    rt = _KIND_TO_RESOURCE.get(kind_or_resource) or RESOURCES.get(kind_or_resource)
    if rt is None:
        lower = kind_or_resource.lower()
        rt = next(
            (
                r
                for r in RESOURCES.values()
                if lower in (r.singular, r.kind.lower()) or lower in r.short_names
            ),
            None,
        )
    if rt is None:
        raise ValueError(f"localapi serves no resource {kind_or_resource!r}")
    return rt
