"""Which container an event is about, when its ``fieldPath`` does not say: ``kubectl describe``
output pasted into an issue, event exporters, some managed clusters and the oldest kubelets send
container events without it. The kubelet's own messages name the container or its image; what
they do not name, the pod's shape may (the only container, the only one with that probe, the only
one not started). What cannot be told is left unattributed: a pod-level event.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kubectl_exitwhy.frozen import replace

if TYPE_CHECKING:
    from kubectl_exitwhy.evidence import Container, Event

# Events about one container that kubelets and exporters often send without a fieldPath
# (``kubectl describe`` output, event exporters, some managed clusters).
CONTAINER_EVENTS = {
    "Killing", "Unhealthy", "ProbeWarning", "BackOff", "Failed", "Pulling", "Pulled", "Created",
    "Started", "FailedPostStartHook", "FailedPreStopHook", "ErrImageNeverPull", "InspectFailed",
    "ExceededGracePeriod",
}  # fmt: skip
# The container name inside the kubelet's own messages (KNOWLEDGE §4).
_NAMED = re.compile(
    r'(?:container with id \w+://|[Cc]ontainer:? |container=)"?(?!image\b)(?![0-9a-f]{64}\b)'
    r"([\w.-]+)"
)  # (a runtime's 64-hex container id, as in 'failed to generate container "<id>" spec', is none)
# words that follow "container" in runtime errors ("container create failed", CRI-O; "starting
# container process caused", runc): no container's name
_NOT_NAMES = {
    "in", "with", "has", "is", "for", "the", "created", "started", "failed", "create", "process",
    "name", "cannot", "not",
}  # fmt: skip
_IMAGE = re.compile(r'image "([^"]+)"')
# the kubelet's pull errors that name no image ('Error: ErrImagePull' after the pull failure)
_PULL_ERROR = re.compile(r"\b(?:ErrImagePull|ImagePullBackOff|ErrImageNeverPull)\b")
# Kubelets up to ~1.6 reported start failures as pod-level FailedSync events:
# failed to "StartContainer" for "<c>" with <Reason>: "<message>"
SYNC_ERROR = re.compile(r'failed to "StartContainer" for "([^"]+)" with (\w+): "(.*)"?', re.S)
_PROBE_KIND = re.compile(r"^(Liveness|Readiness|Startup) probe", re.I)


def bare_image(ref: str) -> str:
    """``docker.io/library/nginx:latest`` and ``nginx`` name the same image; a digest names
    one image whatever tag goes with it (and two digests, two images)."""
    ref, _, digest = ref.partition("@")
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    repo, colon, tag = ref.rpartition(":")
    if colon and "/" not in tag:  # a tag, not a registry's port
        ref = repo if digest else ref
    elif not digest:
        ref += ":latest"
    return f"{ref}@{digest}" if digest else ref


def attribute(event: Event, containers: list[Container]) -> Event:
    """The container an event is about when its fieldPath does not say: the name in the
    kubelet's message, the image in a pull message, the only container that has the probe an
    ``Unhealthy`` event names, or the pod's only container."""
    if event.container is not None:
        return event
    names = {c.name for c in containers}
    sync = SYNC_ERROR.search(event.message) if event.reason == "FailedSync" else None
    if sync and sync.group(1) in names:
        return replace(event, container=sync.group(1), attributed="name in the message")
    if event.reason not in CONTAINER_EVENTS:
        return event
    named = _NAMED.search(event.message)
    if named and named.group(1) in names:
        return replace(event, container=named.group(1), attributed="name in the message")
    if named and named.group(1) not in _NOT_NAMES:
        return event  # it names a container that was not saved: not one of these
    image = _IMAGE.search(event.message)
    if image:
        want = bare_image(image.group(1))
        same = [c.name for c in containers if c.image and bare_image(c.image) == want]
        if len(same) == 1:
            return replace(event, container=same[0], attributed="image in the message")
        if not same and any(c.image for c in containers):
            return event  # another image: a container that was not saved (an init container?)
    probe = _PROBE_KIND.search(event.message)
    if probe and event.reason in ("Unhealthy", "ProbeWarning"):
        kind = probe.group(1).lower()
        having = [c.name for c in containers if kind in c.probes]
        # a container whose spec was not shown (known by its name alone: no image either) may
        # have that probe too
        if len(having) == 1 and all(c.has_spec and c.image for c in containers):
            return replace(event, container=having[0], attributed=f"the only {kind} probe")
    if len(containers) == 1:
        pull = image or _PULL_ERROR.search(event.message)
        if pull and containers[0].name and not containers[0].image:
            # a pull of an image no container shown is known by: the one container the events
            # named may not be the pod's only one (the spec, which lists them all, was not saved)
            return event
        return replace(event, container=containers[0].name, attributed="the only container")
    return event


def _image_fits(event: Event, containers: list[Container], name: str) -> bool:
    """A pull message that names an image names the container's own, or says nothing of it."""
    image = _IMAGE.search(event.message)
    own = next((c.image for c in containers if c.name == name), "")
    return not image or not own or bare_image(image.group(1)) == bare_image(own)


def _by_elimination(events: list[Event], containers: list[Container]) -> list[Event]:
    """An event that names no container, in a pod of several: a create or start failure
    (``Failed``) belongs to the only container that has not started (no running or terminated
    state, no ``Started`` event of its own); a restart back-off (``BackOff`` "restarting
    failed container") to the only one that has ended before."""
    if len(containers) < 2:
        return events
    started = {c.name for c in containers if c.state in ("running", "terminated") or c.last}
    started |= {e.container for e in events if e.reason == "Started" and e.container}
    not_started = [c.name for c in containers if c.name not in started]
    ended = [
        c.name
        for c in containers
        if c.last or c.current or (c.waiting and c.waiting.reason == "CrashLoopBackOff")
    ]
    out = []
    for e in events:
        if e.container is None and e.warning:
            if (
                e.reason == "Failed"
                and len(not_started) == 1
                and _image_fits(e, containers, not_started[0])
            ):
                e = replace(
                    e, container=not_started[0], attributed="the only container not started"
                )
            elif e.reason == "BackOff" and "restarting" in e.message and len(ended) == 1:
                e = replace(e, container=ended[0], attributed="the only container that ended")
        out.append(e)
    return out
