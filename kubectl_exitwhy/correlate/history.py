"""How often, and since when: a finding's history from what the API keeps.

The API keeps no list of past terminations: only the restart count, the last termination
(``lastState``), the current state, and the kubelet's back-off message. So the history says
"5 restarts since the pod started (2h before the last exit)", and never
that all five had the last one's cause, which nothing recorded.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from kubectl_exitwhy.diagnosis import Finding, History
from kubectl_exitwhy.evidence import Container, Pod

# kubelet: "back-off 5m0s restarting failed container=app pod=web-1_prod(…)"
_BACK_OFF = re.compile(r"\b[Bb]ack-off (\d+(?:h\d+)?(?:m\d+)?(?:\.\d+)?(?:s|m|h)?)\b")


def span(seconds: float) -> str:
    """kubectl-style span: 45s, 12m, 3h, 5d."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def history(pod: Pod, finding: Finding) -> Optional[History]:
    """None for pod-level findings and containers that never ended."""
    c = pod.container(finding.container) if finding.container else None
    if c is None:
        return None
    count = c.restart_count if c.restarts_known else None
    window = None
    start = pod.start_time or pod.created
    if count and start and finding.finished_at and finding.finished_at > start:
        window = span((finding.finished_at - start).total_seconds())
    since = _running_since(c, finding.finished_at)
    back_off = _back_off(c)
    if count is None and since is None and back_off is None:
        return None
    return History(count, window, since, back_off)


def _running_since(c: Container, finished: Optional[datetime]) -> Optional[datetime]:
    if c.state != "running" or c.running_since is None:
        return None
    if finished is not None and c.running_since < finished:
        return None  # a record older than the run: not "running again"
    return c.running_since if (c.last is not None or c.restart_count) else None


def _back_off(c: Container) -> Optional[str]:
    if c.waiting is None or c.waiting.reason not in ("CrashLoopBackOff", "ImagePullBackOff"):
        return None
    match = _BACK_OFF.search(c.waiting.message)
    return match.group(1) if match else None


def seconds(go: str) -> Optional[float]:
    """A Go duration as the kubelet prints it ("5m0s", "40s", "1h0m0s") in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|m|s)", go)
    if not parts or "".join(n + u for n, u in parts) != go:
        return None
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def describe(h: History, now: datetime, last_exit: Optional[datetime] = None) -> str:
    """One line for people: "5 restarts since the pod started (2h before the last exit);
    running again since 09:12 (3d)". The restarts are counted since the pod started: the API
    keeps no times of the earlier ones, so no rate is claimed."""
    parts = []
    if h.count:
        times = "1 restart" if h.count == 1 else f"{h.count} restarts"
        told = f"{times} since the pod started"
        if h.window:
            told += f" ({h.window} before the last exit)"
        parts.append(told)
    if h.running_since is not None:
        ago = span((now - h.running_since).total_seconds())
        parts.append(f"running again since {h.running_since:%Y-%m-%d %H:%M} ({ago})")
    delay = seconds(h.back_off) if h.back_off else None
    if h.back_off and (
        last_exit is None or delay is None or (now - last_exit).total_seconds() < delay
    ):  # the kubelet's delay runs from the last exit: once past, it says nothing
        parts.append(f"in back-off: the next restart up to {h.back_off} after the last exit")
    return "; ".join(parts)
