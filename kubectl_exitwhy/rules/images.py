"""Images that cannot be pulled or named (``state.waiting``)."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy.rules.base import (
    HIGH,
    WAITING,
    Subject,
    Verdict,
    first_line,
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


# HTTP status codes as words, never inside a digest, an address or a port.
_STATUS = r"(?<![\w.:/@-]){}(?![\w.:])"
_PULL_PROBLEMS = tuple(
    (re.compile(pattern, re.I), what)
    for pattern, what in (
        (r"\bnot found\b|manifest unknown", "the image or tag does not exist"),
        (_STATUS.format(401) + r"|unauthorized", "the registry refused the credentials"),
        (_STATUS.format(403) + r"|\bdenied\b", "the registry refused access"),
        (r"no such host", "the registry host does not resolve"),
        (r"i/o timeout|deadline exceeded", "the registry did not answer in time"),
        (_STATUS.format(429) + r"|toomanyrequests", "the registry's rate limit was hit"),
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
    ``Failed`` event says why (not found, unauthorized, unreachable registry)."""
    if s.reason not in PULL_REASONS:
        return None
    evidence = subject_lines(s)
    failed = [e for e in s.c.events if e.reason == "Failed" and "pull" in e.message.lower()]
    evidence += [e.describe() for e in failed[-1:]]
    why = _pull_problem(s.message + " " + " ".join(e.message for e in failed[-1:]))
    summary = f"cannot pull image {s.c.image or '(unknown)'}" + (f": {why}" if why else "")
    detail = first_line(failed[-1].message if failed else s.message) or None
    return Verdict("image_pull_error", HIGH, summary, tuple(evidence), detail=detail)


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


RULES = (image_pull_error, invalid_image_name)
