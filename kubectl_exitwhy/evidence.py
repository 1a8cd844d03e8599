"""Evidence: plain, frozen data built from API dicts (a Pod, its Events, its Node, its Job).

Nothing here does I/O and nothing trusts the input: every field may be missing, null or of the
wrong type (saved files are hand-edited, API objects are sparse). Missing facts become ``None``
or empty values so that the rules can tell "absent" from "false".
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Optional

from kubectl_exitwhy import codes, logsigs
from kubectl_exitwhy.attribution import (
    _NAMED,
    _NOT_NAMES,
    CONTAINER_EVENTS,
    _by_elimination,
    attribute,
)
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.owners import Workload, census_key, resolve
from kubectl_exitwhy.runtimes import MEMORY_ENV

# --- tolerant accessors -------------------------------------------------------------------


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    """Text as it came; a number or a bool as its digits; a list or a mapping where text should
    be is no text (its str() would be no message, and a YAML alias bomb made of big strings
    would grow to gigabytes in it)."""
    if type(value) is str:  # nearly always
        return value
    if value is None or isinstance(value, (list, dict, tuple, set)):
        return ""
    return value if isinstance(value, str) else str(value)


def _word(value: Any) -> str:
    """``_s``, one shared copy per distinct text: a condition's type, status and reason, a
    namespace, a node, an image repeat across thousands of pods a sweep keeps."""
    return sys.intern(_s(value))


def _i(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value)
    return None


def parse_time(value: Any) -> Optional[datetime]:
    """RFC 3339 as the API writes it (``2026-11-20T10:00:00Z``, or with fraction/offset); a
    datetime as YAML reads an unquoted timestamp."""
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return parsed if 1970 <= parsed.year <= 2200 else None
    if not isinstance(value, str) or not value:
        return None
    return _parse_text(value)


@lru_cache(maxsize=4096)  # a cluster's pods share their moments: a rollout, a node's restart
def _parse_text(value: str) -> Optional[datetime]:
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    frac = re.match(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$", text)
    if frac:  # Python < 3.11 accepts only 3 or 6 fraction digits
        text = f"{frac.group(1)}.{frac.group(2)[:6].ljust(6, '0')}{frac.group(3)}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not 1970 <= parsed.year <= 2200:  # nonsense, and arithmetic near the limits overflows
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


_QUANTITY = re.compile(r"^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "m": 0.001,
}


def parse_quantity(value: Any) -> Optional[int]:
    """A resource quantity (``512Mi``, ``1G``, ``1e9``, ``134217728``) in whole units."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if math.isfinite(value) else None
    match = _QUANTITY.match(_s(value).strip())
    if not match or match.group(2) not in _SUFFIX:
        return None
    try:
        number = float(match.group(1)) * _SUFFIX[match.group(2)]
        return int(number) if math.isfinite(number) else None
    except (ValueError, OverflowError):
        return None


# --- the evidence model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Termination:
    """One ``terminated`` record: ``state.terminated`` or ``lastState.terminated``."""

    source: str  # the field it came from, e.g. status.containerStatuses[api].lastState.terminated
    exit_code: Optional[int]  # normalised to 0..255; None when absent or unknown (CRI-O's -1)
    raw_exit_code: Any
    code_note: Optional[str]
    reason: str
    message: str
    started_at: Optional[datetime]
    finished_at: Optional[datetime]

    @property
    def never_started(self) -> bool:
        """StartError and ContainerCannotRun records say startedAt 1970-01-01T00:00:00Z: the
        task never ran."""
        return self.started_at is not None and self.started_at.timestamp() == 0

    @property
    def run_seconds(self) -> Optional[float]:
        if self.never_started:
            return None
        if self.started_at and self.finished_at and self.finished_at >= self.started_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def signal(self) -> Optional[int]:
        """Inferred: the kubelet never fills ``signal`` (KNOWLEDGE §0, §6.3)."""
        code = self.exit_code
        if code is not None and 128 < code <= 192 and codes.signal_name(code - 128):
            return code - 128
        return None


@dataclass(frozen=True)
class Waiting:
    source: str
    reason: str
    message: str
    timed: bool = True  # False: read back from an event without a time, which may be stale


@dataclass(frozen=True)
class Probe:
    kind: str  # liveness | startup | readiness
    period: int
    failure_threshold: int
    timeout: int
    initial_delay: int
    grace: Optional[int]  # probe-level terminationGracePeriodSeconds

    @property
    def budget_seconds(self) -> int:
        """How long the probe may fail before the kubelet acts."""
        return self.period * self.failure_threshold


@dataclass(frozen=True)
class Event:
    reason: str
    message: str
    type: str
    count: int
    first: Optional[datetime]
    last: Optional[datetime]
    kind: str  # involvedObject.kind
    name: str
    field_path: str
    container: Optional[str]  # from fieldPath spec.containers{NAME}, else attributed
    component: str
    attributed: str = ""  # how the container was found when no fieldPath named it

    @property
    def timed(self) -> bool:
        return self.first is not None or self.last is not None

    @property
    def warning(self) -> bool:
        """A Warning event; Kubernetes 1.0 events carried no type, so those are judged by their
        reason."""
        return self.type == "Warning" or (not self.type and self.reason in WARNING_REASONS)

    def describe(self) -> str:
        when = self.last.strftime("%Y-%m-%dT%H:%M:%SZ") if self.last else "time unknown"
        times = f"{self.count}×, last {when}" if self.count > 1 else when
        who = f"{self.kind} {self.name}" if self.kind and self.kind != "Pod" else ""
        how = f"container {self.container} by {self.attributed}" if self.attributed else ""
        src = ", ".join(p for p in (self.component, who, times, how) if p)
        return f"event {self.reason} ({src}): {self.message}"

    def overlaps(self, moment: datetime, before: float, after: float) -> bool:
        """True when the event happened in [moment - before, moment + after]."""
        first = self.first or self.last
        last = self.last or self.first
        if first is None or last is None:
            return False
        return (first - moment).total_seconds() <= after and (
            moment - last
        ).total_seconds() <= before


@dataclass(frozen=True)
class Container:
    name: str
    kind: str  # init | sidecar | regular | ephemeral
    image: str
    state: str  # running | waiting | terminated | none (no status yet)
    running_since: Optional[datetime]
    waiting: Optional[Waiting]
    current: Optional[Termination]  # state.terminated
    last: Optional[Termination]  # lastState.terminated
    restart_count: int
    restarts_known: bool  # False: no restartCount was given (a lastState still means >= 1)
    restart_policy: str  # effective policy: the container's own, or the pod's
    ready: Optional[bool]
    has_spec: bool
    spec_whole: bool  # the spec carries an image: absent limits and probes mean "none"
    has_status: bool
    command: tuple[str, ...]  # spec command + args, as given
    memory_limit: Optional[int]
    memory_limit_text: str
    memory_request: Optional[int]
    probes: Mapping[str, Probe]
    status_path: str
    spec_path: str
    events: tuple[Event, ...] = ()
    log_tail: tuple[str, ...] = ()
    log_hits: tuple[logsigs.Hit, ...] = ()
    # the runtimes' memory variables (runtimes.MEMORY_ENV) set literally in the spec: (name,
    # value); and where such a setting may come from without being visible: a valueFrom of one of
    # them, or an envFrom (ConfigMap, Secret: never read)
    memory_env: tuple[tuple[str, str], ...] = ()
    memory_env_hidden: tuple[str, ...] = ()
    interactive: bool = False  # spec stdin or tty: a shell there waits for input


@dataclass(frozen=True)
class Condition:
    type: str
    status: str
    reason: str
    message: str
    last_transition: Optional[datetime]


@dataclass(frozen=True)
class Node:
    name: str
    known: bool  # the Node object itself was read
    conditions: tuple[Condition, ...]
    events: tuple[Event, ...]  # node-scoped events: SystemOOM, OOMKilling, Rebooted, …

    def condition(self, type_: str) -> Optional[Condition]:
        return next((c for c in self.conditions if c.type == type_), None)


@dataclass(frozen=True)
class Job:
    name: str
    conditions: tuple[Condition, ...]
    backoff_limit: Optional[int]
    active_deadline: Optional[int]
    from_event: str = ""  # the controller's event, when the Job itself was not read

    @property
    def succeeded(self) -> bool:
        return any(
            c.type in ("Complete", "SuccessCriteriaMet") and c.status == "True"
            for c in self.conditions
        )


@dataclass(frozen=True)
class Owner:
    kind: str
    name: str


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    uid: str
    phase: str
    reason: str
    message: str
    node_name: str
    owner: Optional[Owner]
    created: Optional[datetime]
    start_time: Optional[datetime]
    deletion_at: Optional[datetime]
    deletion_grace: Optional[int]
    grace_period: int  # spec.terminationGracePeriodSeconds, default 30
    restart_policy: str
    active_deadline: Optional[int]
    qos_class: str
    memory_limit: Optional[int]  # spec.resources.limits.memory (pod-level resources)
    has_spec: bool
    conditions: tuple[Condition, ...]
    containers: tuple[Container, ...]
    events: tuple[Event, ...]  # every event about the pod, container-scoped or not
    events_known: bool  # False when the source had no events to give (saved without them)
    node: Optional[Node] = None
    job: Optional[Job] = None
    warnings: tuple[str, ...] = field(default=())
    observed: Optional[datetime] = None  # when the source read it (live); None for files
    workload: Optional[Workload] = None  # the Deployment, StatefulSet, … it belongs to
    policy_shown: bool = True  # spec.restartPolicy was given (a spec excerpt may leave it out)

    def condition(self, type_: str) -> Optional[Condition]:
        return next((c for c in self.conditions if c.type == type_), None)

    def container(self, name: str) -> Optional[Container]:
        return next((c for c in self.containers if c.name == name), None)


# --- building --------------------------------------------------------------------------------

_FIELD_PATH = re.compile(r"spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]*)\}")


# kubectl describe (since kubernetes#133627, 1.35) prints an event's fieldPath in front of its
# message: "spec.containers{nginx}: Failed to pull image …". Pasted back, that is the fieldPath.
_DESCRIBED_PATH = re.compile(
    r"^(spec\.(?:initContainers|containers|ephemeralContainers)\{[^}]*\}): "
)


_COMBINED = "(combined from similar events): "


# Messages only one event reason carries (the kubelet's and the scheduler's own wording), for
# an event pasted without its reason.
_REASON_OF_WORDS = tuple(
    (re.compile(words), reason)
    for words, reason in (
        (r"MountVolume\.\w+ failed", "FailedMount"),  # not "MountVolume.SetUp succeeded"
        (r"Unable to (?:attach or )?mount volumes", "FailedMount"),
        (r"AttachVolume\.Attach failed", "FailedAttachVolume"),
        (r"Failed to create pod sandbox", "FailedCreatePodSandBox"),
        (r"Back-off restarting failed container", "BackOff"),
    )
)


def build_event(obj: Mapping[str, Any]) -> Event:
    inv = _d(obj.get("involvedObject")) or _d(obj.get("regarding"))
    field_path = _s(inv.get("fieldPath"))
    message = _s(obj.get("message") or obj.get("note"))
    if message.startswith(_COMBINED):  # the kubelet's event aggregator wraps the message
        message = message[len(_COMBINED) :]
    described = _DESCRIBED_PATH.match(message) if not field_path else None
    if described:
        field_path, message = described.group(1), message[described.end() :]
    match = _FIELD_PATH.search(field_path)
    series = _d(obj.get("series"))
    last = (
        parse_time(obj.get("lastTimestamp"))
        or parse_time(obj.get("deprecatedLastTimestamp"))  # events.k8s.io/v1
        or parse_time(series.get("lastObservedTime"))
        or parse_time(obj.get("eventTime"))
        or parse_time(_d(obj.get("metadata")).get("creationTimestamp"))
    )
    first = (
        parse_time(obj.get("firstTimestamp"))
        or parse_time(obj.get("deprecatedFirstTimestamp"))
        or parse_time(obj.get("eventTime"))
        or last
    )
    count = _i(obj.get("count")) or _i(obj.get("deprecatedCount")) or _i(series.get("count")) or 1
    source = _d(obj.get("source")) or _d(obj.get("deprecatedSource"))
    reason = _s(obj.get("reason"))
    if reason[:1].islower():  # Kubernetes 1.0-1.1 wrote "failedScheduling", "backOff", …
        reason = reason[0].upper() + reason[1:]
    if not reason:  # quoted without its reason: the kubelet's own wording still says which
        reason = next((r for words, r in _REASON_OF_WORDS if words.match(message)), "")
    return Event(
        reason=reason,
        message=message,
        type=_s(obj.get("type")),
        count=max(count, 1),
        first=first,
        last=last,
        kind=_s(inv.get("kind")),
        name=_s(inv.get("name")),
        field_path=field_path,
        container=match.group(1) if match else None,
        component=_s(
            source.get("component")
            or obj.get("reportingComponent")
            or obj.get("reportingController")
        ),
    )


# Reasons the kubelet, the scheduler and the controllers send as Warning (KNOWLEDGE §4).
WARNING_REASONS = {
    "Failed", "BackOff", "Unhealthy", "FailedMount", "FailedAttachVolume", "FailedMapVolume",
    "FailedScheduling", "FailedCreatePodSandBox", "FailedSync", "FailedPostStartHook",
    "FailedPreStopHook", "FailedKillPod", "NetworkNotReady", "Evicted", "ErrImageNeverPull",
    "InspectFailed", "UnexpectedAdmissionError", "ExceededGracePeriod", "BackoffLimitExceeded",
    "DeadlineExceeded",
}  # fmt: skip


# the reasons the kubelet gives a pod's Ready condition that is False (status/generate.go): a
# Ready False beside ContainersReady True for any other reason is the node controller's mark
# (``MarkPodsNotReady``, on every pod of a node that is no longer Ready)
KUBELET_NOT_READY = {
    "ContainersNotReady", "ReadinessGatesNotReady", "PodCompleted", "PodFailed",
    "ContainersNotInitialized", "UnknownContainerStatuses",
}  # fmt: skip


def _with_tails(containers: Iterable[Container], logs: Mapping[str, Any]) -> Iterator[Container]:
    for c in containers:
        tail = tuple(_s(line) for line in logs.get(c.name) or ())
        yield replace(c, log_tail=tail, log_hits=logsigs.scan(tail)) if tail else c


def with_logs(pod: Pod, logs: Mapping[str, list[str]]) -> Pod:
    """The pod's evidence with the log tails read after it was built."""
    if not logs:
        return pod
    return replace(pod, containers=tuple(_with_tails(pod.containers, logs)))


def build_condition(obj: Any) -> Condition:
    o = _d(obj)
    return Condition(
        type=_word(o.get("type")),
        status=_word(o.get("status")),
        reason=_word(o.get("reason")),
        message=_s(o.get("message")),
        last_transition=parse_time(o.get("lastTransitionTime")),
    )


def build_termination(obj: Any, source: str) -> Optional[Termination]:
    """A terminated record, or None for ``{}``/null (``lastState: {}`` is common)."""
    t = _d(obj)
    if not t:
        return None
    raw = t.get("exitCode")
    norm = codes.normalise(raw)
    code, note = norm.code, norm.note
    if _i(raw) == -1:
        # In a pod status -1 is CRI-O's "exit code unknown", never a program's exit(-1).
        code, note = None, "exitCode -1: the runtime (CRI-O) could not read the exit code"
    elif raw is None and _s(t.get("reason")) == "Completed":
        # every runtime writes reason Completed for exit 0 and only for it (KNOWLEDGE §1.1)
        code, note = 0, "exitCode is missing; reason Completed means 0"
    elif raw is None:
        note = "exitCode is missing"
    return Termination(
        source=source,
        exit_code=code,
        raw_exit_code=raw,
        code_note=note,
        reason=_s(t.get("reason")),
        message=_s(t.get("message")),
        started_at=parse_time(t.get("startedAt")),
        finished_at=parse_time(t.get("finishedAt")),
    )


def _probe(kind: str, obj: Any) -> Optional[Probe]:
    p = _d(obj)
    if not p:
        return None

    def num(key: str, default: int) -> int:
        value = _i(p.get(key))
        return value if value is not None and value >= 0 else default

    return Probe(
        kind=kind,
        period=num("periodSeconds", 10) or 10,
        failure_threshold=num("failureThreshold", 3) or 3,
        timeout=num("timeoutSeconds", 1),
        initial_delay=num("initialDelaySeconds", 0),
        grace=_i(p.get("terminationGracePeriodSeconds")),
    )


def _whole(spec: Mapping[str, Any]) -> bool:
    """A container spec as the API returns it: with its image and the fields the API server
    always writes (``resources``, even as ``{}``; ``terminationMessagePath``, defaulted). Only
    such a spec proves that a limit or a probe it lacks is not set; a pasted excerpt does not."""
    return bool(_s(spec.get("image"))) and ("resources" in spec or "terminationMessagePath" in spec)


_STATUS_FIELDS = (
    ("init", "initContainers", "initContainerStatuses"),
    ("regular", "containers", "containerStatuses"),
    ("ephemeral", "ephemeralContainers", "ephemeralContainerStatuses"),
)


def _container(
    kind: str,
    spec_key: str,
    status_key: str,
    spec: Optional[Mapping[str, Any]],
    status: Optional[Mapping[str, Any]],
    pod_policy: str,
) -> Container:
    spec_d, status_d = _d(spec), _d(status)
    name = _s(spec_d.get("name") or status_d.get("name"))
    own_policy = _s(spec_d.get("restartPolicy"))
    if kind == "init" and own_policy == "Always":
        kind = "sidecar"
    status_path = f"status.{status_key}[{name}]"
    state = _d(status_d.get("state"))
    last_state = _d(status_d.get("lastState"))
    waiting = None
    if "waiting" in state and isinstance(state.get("waiting"), dict):
        w = state["waiting"]
        waiting = Waiting(f"{status_path}.state.waiting", _s(w.get("reason")), _s(w.get("message")))
    current = build_termination(state.get("terminated"), f"{status_path}.state.terminated")
    running = _d(state.get("running"))
    if current is not None:
        state_name = "terminated"
    elif waiting is not None:
        state_name = "waiting"
    elif "running" in state:
        state_name = "running"
    else:
        state_name = "none"
    resources = _d(spec_d.get("resources"))
    limits, requests = _d(resources.get("limits")), _d(resources.get("requests"))
    probes = {}
    for pkind in ("liveness", "startup", "readiness"):
        probe = _probe(pkind, spec_d.get(f"{pkind}Probe"))
        if probe is not None:
            probes[pkind] = probe
    restart_count = _i(status_d.get("restartCount"))
    last = build_termination(last_state.get("terminated"), f"{status_path}.lastState.terminated")
    restarts = restart_count if restart_count and restart_count > 0 else 0
    if restart_count is None and last is not None:
        restarts = 1  # a previous termination means at least one restart
    ready = status_d.get("ready")
    return Container(
        name=name,
        kind=kind,
        image=_word(spec_d.get("image") or status_d.get("image")),
        state=state_name,
        running_since=parse_time(running.get("startedAt")),
        waiting=waiting,
        current=current,
        last=last,
        restart_count=restarts,
        restarts_known=restart_count is not None,
        restart_policy=own_policy or ("Never" if kind == "ephemeral" else pod_policy),
        ready=ready if isinstance(ready, bool) else None,
        has_spec=bool(spec_d),
        spec_whole=_whole(spec_d),
        has_status=bool(status_d),
        command=tuple(
            _s(a) for a in _l(spec_d.get("command")) + _l(spec_d.get("args")) if a is not None
        ),
        memory_limit=parse_quantity(limits.get("memory")) if "memory" in limits else None,
        memory_limit_text=_s(limits.get("memory")),
        memory_request=parse_quantity(requests.get("memory")) if "memory" in requests else None,
        probes=probes,
        status_path=status_path,
        spec_path=f"spec.{spec_key}[{name}]",
        memory_env=_memory_env(spec_d),
        memory_env_hidden=_memory_env_hidden(spec_d),
        interactive=spec_d.get("stdin") is True or spec_d.get("tty") is True,
    )


def _memory_env(spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Literal values of the runtimes' memory variables, in spec order (the last one wins, as
    the kubelet builds the environment). No other variable's value is kept."""
    return tuple(
        (e["name"], e["value"])
        for e in map(_d, _l(spec.get("env")))
        if _s(e.get("name")) in MEMORY_ENV and isinstance(e.get("value"), str)
    )


def _memory_env_hidden(spec: Mapping[str, Any]) -> tuple[str, ...]:
    hidden = []
    for e in map(_d, _l(spec.get("env"))):
        ref = _d(e.get("valueFrom"))
        if _s(e.get("name")) in MEMORY_ENV and ref:
            kind = next(iter(ref), "valueFrom")
            source = _s(_d(ref.get(kind)).get("name"))
            word = {"configMapKeyRef": "ConfigMap", "secretKeyRef": "Secret"}.get(kind, kind)
            hidden.append(f"{e['name']} from {word}{' ' + source if source else ''}")
    for e in map(_d, _l(spec.get("envFrom"))):
        for kind in ("configMapRef", "secretRef"):
            if kind in e:
                name = _s(_d(e.get(kind)).get("name"))
                word = "ConfigMap" if kind == "configMapRef" else "Secret"
                hidden.append(f"envFrom {word} {name}".rstrip())
    return tuple(hidden)


def _unnamed_container(pod_policy: str) -> Container:
    return _container("regular", "containers", "containerStatuses", None, None, pod_policy)


def _named_by_events(
    containers: list[Container], events: list[Event], pod_policy: str
) -> list[Container]:
    """Containers that only the events name (the spec and status were not saved, or only in
    part) join the pod's containers, known by name alone: by fieldPath, or, when no container
    was saved at all, by the name in the kubelet's message."""
    known = {c.name for c in containers}
    none_saved = not containers
    for e in events:
        name = e.container
        if name is None and none_saved and e.reason in CONTAINER_EVENTS:
            named = _NAMED.search(e.message)
            if named and named.group(1) not in _NOT_NAMES:
                name = named.group(1)
        if name is not None and name not in known:
            known.add(name)
            init = e.field_path.startswith("spec.initContainers") or e.message.startswith("Init")
            kind, spec_key, status_key = (
                ("init", "initContainers", "initContainerStatuses")
                if init
                else ("regular", "containers", "containerStatuses")
            )
            containers.append(
                _container(kind, spec_key, status_key, None, {"name": name}, pod_policy)
            )
    return containers


def build_containers(pod: Mapping[str, Any], pod_policy: str) -> list[Container]:
    spec, status = _d(pod.get("spec")), _d(pod.get("status"))
    out = []
    for kind, spec_key, status_key in _STATUS_FIELDS:
        specs = [s for s in _l(spec.get(spec_key)) if isinstance(s, dict)]
        statuses = {_s(s.get("name")): s for s in _l(status.get(status_key)) if isinstance(s, dict)}
        seen = set()
        for s in specs:
            name = _s(s.get("name"))
            seen.add(name)
            out.append(_container(kind, spec_key, status_key, s, statuses.get(name), pod_policy))
        for name, st in statuses.items():  # statuses without a spec (spec not saved)
            if name not in seen:
                out.append(_container(kind, spec_key, status_key, None, st, pod_policy))
    return out


def build_node(name: str, obj: Optional[Mapping[str, Any]], events: Iterable[Event]) -> Node:
    status = _d(_d(obj).get("status"))
    return Node(
        name=name,
        known=bool(obj),
        conditions=tuple(build_condition(c) for c in _l(status.get("conditions"))),
        events=tuple(events),
    )


def build_job(obj: Mapping[str, Any]) -> Job:
    spec, status = _d(obj.get("spec")), _d(obj.get("status"))
    return Job(
        name=_s(_d(obj.get("metadata")).get("name")),
        conditions=tuple(build_condition(c) for c in _l(status.get("conditions"))),
        backoff_limit=_i(spec.get("backoffLimit")),
        active_deadline=_i(spec.get("activeDeadlineSeconds")),
    )


# The job controller's Warning events repeat its Failed condition (KNOWLEDGE §7).
JOB_FAILURE_EVENTS = ("BackoffLimitExceeded", "DeadlineExceeded", "PodFailurePolicy")


def job_from_events(name: str, uid: str, events: Iterable[Mapping[str, Any]]) -> Optional[Job]:
    """A Job known only by its controller's failure events (the Job object was not read). An
    event about another Job of the same name (one deleted and made again) does not count: where
    both uids are known they must match."""
    failed = []
    for raw in events:
        if not isinstance(raw, dict):
            continue
        e = build_event(raw)
        other = _s(_d(raw.get("involvedObject") or raw.get("regarding")).get("uid"))
        if e.reason in JOB_FAILURE_EVENTS and not (uid and other and other != uid):
            failed.append(e)
    if not failed:
        return None
    e = sorted(failed, key=lambda x: x.last or datetime.min.replace(tzinfo=timezone.utc))[-1]
    cond = Condition("Failed", "True", e.reason, e.message, e.last)
    return Job(name, (cond,), None, None, from_event=e.describe())


def job_failed(raw: Optional[Mapping[str, Any]], name: str, events: Iterable[Mapping[str, Any]]):
    """The condition a Job failed with (``Failed`` True), from the Job object; from its
    controller's failure events where the object was not read or shows no conditions (``kubectl
    describe job`` prints none). None for a Job not known to have failed."""
    job = build_job(raw) if isinstance(raw, dict) else None
    if job is None or not job.conditions:
        uid = _s(_d(raw.get("metadata")).get("uid")) if isinstance(raw, dict) else ""
        job = job_from_events(name, uid, events) or job
    if job is None:
        return None
    return next((c for c in job.conditions if c.type == "Failed" and c.status == "True"), None)


def controller_owner(meta: Mapping[str, Any]) -> Optional[Owner]:
    refs = [r for r in _l(meta.get("ownerReferences")) if isinstance(r, dict)]
    ref = next((r for r in refs if r.get("controller") is True), refs[0] if refs else None)
    if ref is None:
        return None
    return Owner(kind=_s(ref.get("kind")), name=_s(ref.get("name")))


ALWAYS_OWNERS = {"ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController"}


def build_pod(
    obj: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]] = (),
    *,
    events_known: bool = True,
    node: Optional[Node] = None,
    job: Optional[Job] = None,
    logs: Optional[Mapping[str, list[str]]] = None,
    warnings: tuple[str, ...] = (),
    observed: Optional[datetime] = None,
    workload: Optional[Workload] = None,
) -> Pod:
    """A Pod's evidence from its API dict, its events (raw dicts) and what is known around it."""
    meta, spec, status = _d(obj.get("metadata")), _d(obj.get("spec")), _d(obj.get("status"))
    # the API default is Always, but a Job's pods are Never or OnFailure (a spec excerpt of one
    # without the field does not say which): "" then, never Always
    policy = _s(spec.get("restartPolicy")) or (
        "" if (controller_owner(meta) or Owner("", "")).kind == "Job" else "Always"
    )
    built_events = sorted(
        (build_event(e) for e in events if isinstance(e, dict)),
        key=lambda e: e.last or datetime.min.replace(tzinfo=timezone.utc),
    )
    plain = build_containers(obj, policy)
    plain = list(_with_tails(plain, logs or {}))
    plain = _named_by_events(plain, built_events, policy)
    if not plain and any(e.reason in CONTAINER_EVENTS for e in built_events):
        plain = [_unnamed_container(policy)]  # only events were saved: one container, unnamed
    built_events = _by_elimination([attribute(e, plain) for e in built_events], plain)
    containers = []
    for c in plain:
        mine = tuple(e for e in built_events if e.container == c.name)
        containers.append(replace(c, events=mine) if mine else c)
    grace = _i(spec.get("terminationGracePeriodSeconds"))
    return Pod(
        namespace=_word(meta.get("namespace")),
        name=_s(meta.get("name")),
        uid=_s(meta.get("uid")),
        phase=_word(status.get("phase")),
        reason=_s(status.get("reason")),
        message=_s(status.get("message")),
        node_name=_word(spec.get("nodeName")),
        owner=controller_owner(meta),
        created=parse_time(meta.get("creationTimestamp")),
        start_time=parse_time(status.get("startTime")),
        deletion_at=parse_time(meta.get("deletionTimestamp")),
        deletion_grace=_i(meta.get("deletionGracePeriodSeconds")),
        grace_period=grace if grace is not None and grace >= 0 else 30,
        restart_policy=policy,
        active_deadline=_i(spec.get("activeDeadlineSeconds")),
        qos_class=_word(status.get("qosClass")),
        memory_limit=parse_quantity(_d(_d(spec.get("resources")).get("limits")).get("memory")),
        has_spec=bool(spec),
        conditions=tuple(build_condition(c) for c in _l(status.get("conditions"))),
        containers=tuple(containers),
        events=tuple(built_events),
        events_known=events_known,
        node=node,
        job=job,
        warnings=warnings,
        observed=observed,
        workload=workload or resolve(census_key(obj), None),
        # a ReplicaSet's, StatefulSet's or DaemonSet's pods can only be Always (the API refuses
        # another policy in their templates): their owner shows it where the spec does not
        policy_shown=bool(_s(spec.get("restartPolicy")))
        or (controller_owner(meta) or Owner("", "")).kind in ALWAYS_OWNERS,
    )
