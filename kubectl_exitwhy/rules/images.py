"""Images that cannot be pulled or named (``state.waiting``)."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from kubectl_exitwhy.attribution import bare_image
from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.evidence import Event
from kubectl_exitwhy.rules.base import (
    HIGH,
    LOW,
    MEDIUM,
    POD,
    WAITING,
    Subject,
    Verdict,
    first_line,
    pod_is_stopping,
    rule,
    subject_lines,
)

PULL_REASONS = {
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "RegistryUnavailable",
    "SignatureValidationFailed",
    "ImageInspectError",
}


# Go's crypto/x509 errors, as the runtime passes them on in the pull error: an authority the
# node does not know (its trust store can fix that), and the certificate's own faults (it cannot)
_UNKNOWN_CA = r"certificate signed by unknown authority"
_UNTRUSTED = "the node does not trust the registry's TLS certificate"
_CERT_FAULTS = (
    (r"x509: certificate is valid for", "the registry's certificate is for another host name"),
    (
        r"x509: certificate has expired or is not yet valid",
        "the registry's certificate has expired or is not yet valid (or the node's clock is off)",
    ),
    (r"\bx509: ", "the registry's TLS certificate was refused"),
)
TRUST_STEP = (
    "Make the container runtime on the nodes trust the registry's CA (or give the registry a "
    "certificate they trust): containerd reads <config_path>/<registry>/hosts.toml or a ca.crt "
    "there (config_path is often /etc/containerd/certs.d); CRI-O reads "
    "/etc/containers/certs.d/<registry>/ca.crt"
)
_NOT_SHOWN = "(not shown)"
_RATE_LIMITED = "the registry's rate limit was hit"
RATE_STEP = (
    "Pull with credentials (an imagePullSecret: registries such as Docker Hub allow an "
    "account more pulls than anonymous ones; a secret the pod has must name this registry's "
    "host), or mirror the image to a registry you control"
)
_PLATFORM = "the image has no build for the node's OS and CPU architecture"
PLATFORM_STEP = (
    "The tag exists, but not for this node's platform (kubectl get node <node> -o "
    "jsonpath='{.status.nodeInfo.operatingSystem}/{.status.nodeInfo.architecture}'): use a "
    "multi-platform image or one built for it, or run the pod on nodes of the image's platform "
    "(nodeSelector kubernetes.io/os, kubernetes.io/arch)"
)
# what the kubelet and the runtime put before the error itself
_PREFIX = re.compile(r'^Failed to pull image "[^"]*": |rpc error: code = \w+ desc = ')
_PULLED = re.compile(r'(?:Failed to pull|Back-off pulling|Pulling) image "([^"]+)"')

# HTTP status codes as words, never inside a digest, an address or a port.
_STATUS = r"(?<![\w.:/@-]){}(?![\w.:])"
_PULL_PROBLEMS = tuple(
    (re.compile(pattern, re.I), what)
    for pattern, what in (
        # before "not found": an address in them may read like anything
        (_UNKNOWN_CA, _UNTRUSTED),
        *_CERT_FAULTS,
        # Docker's "no matching manifest for linux/arm64/v8 in the manifest list entries",
        # containerd's "no match for platform in manifest": the tag exists
        (r"no matching manifest for|no match for platform", _PLATFORM),
        (r"\bnot found\b|manifest unknown", "the image or tag does not exist"),
        (_STATUS.format(401) + r"|unauthorized", "the registry refused the credentials"),
        (_STATUS.format(403) + r"|\bdenied\b", "the registry refused access"),
        (r"no such host", "the registry host does not resolve"),
        (r"i/o timeout|deadline exceeded", "the registry did not answer in time"),
        (_STATUS.format(429) + r"|toomanyrequests", _RATE_LIMITED),
        (r"pull policy of never", "imagePullPolicy is Never and the image is not on the node"),
        (r"signature", "the image signature was rejected"),
    )
)


def _pull_problem(message: str) -> str:
    return next((what for rx, what in _PULL_PROBLEMS if rx.search(message)), "")


@rule("image_pull_error", 200, WAITING)
def image_pull_error(s: Subject) -> Optional[Verdict]:
    """``ErrImagePull``, ``ImagePullBackOff``, ``ErrImageNeverPull``, ``RegistryUnavailable``,
    ``SignatureValidationFailed``: the kubelet cannot get the image; the message or the
    ``Failed`` event says why (not found, unauthorized, unreachable registry, a rate limit, a
    registry certificate the node does not trust). For the last two the steps are their own
    (credentials or a mirror; the runtime's trust store), not the name and the tag."""
    if s.reason not in PULL_REASONS:
        return None
    evidence = subject_lines(s)
    failed = [e for e in s.c.events if e.reason == "Failed" and "pull" in e.message.lower()]
    # each attempt is two events: 'Failed to pull image "x": <why>', then 'Error: ErrImagePull'
    failed = [e for e in failed if _PULLED.search(e.message)] or failed
    evidence += [e.describe() for e in failed[-1:]]
    why = _pull_problem(s.message + " " + " ".join(e.message for e in failed[-1:]))
    image = s.c.image or _image_in(s.c.events) or _NOT_SHOWN
    said = failed[-1].message if failed else s.message
    summary = f"cannot pull image {image}" + (f": {why}" if why else "") + _platform(said)
    detail = why or first_line(_PREFIX.sub("", said)) or None
    if why not in (_UNTRUSTED, _RATE_LIMITED, _PLATFORM):
        return Verdict("image_pull_error", HIGH, summary, tuple(evidence), detail=detail)
    # the name and the tag are not in question: the steps say what is
    step = PLATFORM_STEP if why == _PLATFORM else RATE_STEP
    if why == _UNTRUSTED:
        # an image without a registry host is Docker Hub's: containerd's directory is docker.io
        host = _registry(image) or ("docker.io" if image != _NOT_SHOWN else "")
        step = TRUST_STEP.replace("<registry>", host) if host else TRUST_STEP
    read = next(x for x in CAUSES["image_pull_error"].next_steps if "describe" in x)
    steps = (step, read)
    return Verdict(
        "image_pull_error",
        HIGH,
        summary,
        tuple(evidence),
        steps,
        detail=detail,
        own_steps=True,
    )


_FOR_PLATFORM = re.compile(r"no matching manifest for ([\w/.-]+)")


def _platform(message: str) -> str:
    """The platform the runtime said the image lacks, as ' (linux/arm64/v8)'; else ''."""
    found = _FOR_PLATFORM.search(message)
    return f" ({found.group(1)})" if found else ""


def _registry(image: str) -> str:
    """The registry host of an image reference, where it names one (a first part with a dot,
    a port, or ``localhost``: the distribution reference's rule); else ''."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return ""


def _image_in(events: Sequence[Event]) -> str:
    """The image the kubelet's pull events name (``Failed to pull image "x": …``, ``Pulling
    image "x"``), the latest first: for a container whose spec was not shown."""
    for e in reversed(events):
        found = _PULLED.search(e.message)
        if found:
            return found.group(1)
    return ""


@rule("image_pull_error", 313, POD)
def pull_failed_unnamed(s: Subject) -> Optional[Verdict]:
    """A pull failure (``Failed to pull image "x"``) no container could be given (the event
    names none, and no container shown uses that image: an init container whose spec was not
    saved?), with no later pull of that image: some container of the pod cannot start. The
    image names it."""
    p = s.pod
    if pod_is_stopping(p) or p.phase in ("Succeeded", "Failed"):
        return None
    if any(c.waiting and c.waiting.reason in PULL_REASONS for c in p.containers):
        return None  # that container's own finding tells it
    regular = [c for c in p.containers if c.kind in ("regular", "sidecar")]
    if regular and all(c.state == "running" and c.ready for c in regular):
        return None  # every container runs and is ready: not this pod's problem now
    failed = [
        e
        for e in p.events
        if e.container is None and e.reason == "Failed" and e.warning
        and _PULLED.search(e.message) and e.message.startswith("Failed to pull")
    ]  # fmt: skip
    if not failed:
        return None
    last = failed[-1]
    image = _image_in([last])
    later = p.events[p.events.index(last) + 1 :]
    if any(e.reason == "Pulled" and _same_image(_quoted_image(e), image)
           for e in later):  # fmt: skip
        return None
    why = _pull_problem(last.message)
    summary = (
        f"cannot pull image {image}" + (f": {why}" if why else "") + _platform(last.message)
        + "; the event names no container, and no container shown uses that image"
    )  # fmt: skip
    confidence = MEDIUM
    newest = max((e.last for e in p.events if e.last), default=None)
    if last.last and newest and (newest - last.last).total_seconds() > STALE_PULL:
        # later events, and no pull failure since: it may be over (a Warning-only export
        # would not show the Pulled that ended it)
        summary += f"; it last failed at {last.last:%Y-%m-%dT%H:%M:%SZ}, before later events"
        confidence = LOW
    steps: tuple[str, ...] = ()
    if why in (_UNTRUSTED, _RATE_LIMITED, _PLATFORM):  # the name and the tag are not in question
        host = _registry(image) or "docker.io"
        step = {_RATE_LIMITED: RATE_STEP, _PLATFORM: PLATFORM_STEP}.get(
            why, TRUST_STEP.replace("<registry>", host)
        )
        steps = (step, next(x for x in CAUSES["image_pull_error"].next_steps if "describe" in x))
    return Verdict(
        "image_pull_error",
        confidence,
        summary,
        (f"status.phase: {p.phase or '(not shown)'}", last.describe()),
        steps,
        detail=why or first_line(_PREFIX.sub("", last.message)) or None,
        own_steps=bool(steps),
    )


STALE_PULL = 900  # seconds: a back-off retries a failed pull every 5 minutes at most


def _quoted_image(e: Event) -> str:
    """The image of 'Successfully pulled image "x"' or 'Container image "x" already present'."""
    found = re.search(r'image "([^"]+)"', e.message)
    return found.group(1) if found else ""


def _same_image(a: str, b: str) -> bool:
    return bool(a) and bool(b) and bare_image(a) == bare_image(b)


@rule("invalid_image_name", 201, WAITING)
def invalid_image_name(s: Subject) -> Optional[Verdict]:
    """``InvalidImageName``: the image reference does not parse."""
    if s.reason != "InvalidImageName":
        return None
    return Verdict(
        "invalid_image_name",
        HIGH,
        f"the image name {s.c.image!r} does not parse",
        tuple(subject_lines(s)),
    )


RULES = (image_pull_error, pull_failed_unnamed, invalid_image_name)
