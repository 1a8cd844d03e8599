"""``--watch``: follow the pods after the sweep and hand on each one that has just failed.

The watch starts from the resourceVersion of the sweep's pod list, so nothing between the list
and the watch is missed, and asks for bookmarks (the server then sends the current
resourceVersion now and then, so a reconnect does not start from an old one). It survives what
a long watch meets (client-go's reflector does the same):

- the stream ends (the server's ``timeoutSeconds``, a proxy, a dropped connection): watch again
  from the last resourceVersion seen;
- ``410 Gone`` / an ERROR event with code 410 (the version is older than the server keeps):
  list again, hand on every pod of the new list (what failed in the gap is found there), and
  watch from the new list's version. Known by its status, never by its words (a server's
  address may hold "410").

Every wait has a deadline: each read waits at most READ_TIMEOUT (the server is asked to end
the stream before that), and failed attempts back off up to MAX_BACKOFF. A failed attempt is
an error, a line that is not a watch event, or a stream that ended within SHORT_WATCH with
nothing new in it (client-go's "very short watch": a server that ends every watch at once is
not asked again in a tight loop); one 410 is routine and does not count, a second in a row
does. After MAX_FAILURES failed attempts in a row, or GIVE_UP seconds of them (an API server
gone for good), the watch ends with the error. A stream that stayed open SHORT_WATCH or more,
or ended having brought a newer version, clears the count: a quiet, healthy watch never ends on
one cut, however many came before it, far apart.

A pod is handed on when it shows a termination that finished after the watch began, an error
waiting reason, or a pod-level failure reason, once for each: the same termination seen in
three MODIFIED events is one.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import ClusterError, Expired
from kubectl_exitwhy.evidence import Pod, parse_time

SERVER_TIMEOUT = 290  # seconds: the server ends each stream, cleanly, before the client gives up
READ_TIMEOUT = 330.0
MAX_BACKOFF = 8.0
MAX_FAILURES = 7
GIVE_UP = 60.0  # seconds of failing in a row
SHORT_WATCH = 1.0  # seconds: a stream that ends sooner with nothing new is a failed attempt
SKEW = timedelta(seconds=5)  # clocks of kubelets and of this machine differ a little
EVENT_TYPES = ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR")
QUIET_WAITING = {"ContainerCreating", "PodInitializing", "CrashLoopBackOff", ""}
STATUS_KEYS = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def news(pod: dict, since: datetime) -> set[tuple]:
    """What in this pod object could be a new failure: (uid, container, what, when) keys."""
    meta, status = _d(pod.get("metadata")), _d(pod.get("status"))
    uid = str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}")
    found: set[tuple] = set()
    if status.get("reason") in ("Evicted", "DeadlineExceeded", "NodeLost", "Terminated") or (
        status.get("phase") == "Failed"
    ):
        found.add((uid, None, "pod", str(status.get("reason") or "Failed")))
    for key in STATUS_KEYS:
        statuses = status.get(key)
        for cs in statuses if isinstance(statuses, list) else []:
            cs = _d(cs)
            name = str(cs.get("name", ""))
            for where in (_d(cs.get("state")), _d(cs.get("lastState"))):
                term = _d(where.get("terminated"))
                finished = parse_time(term.get("finishedAt"))
                if term and (finished is None or finished >= since - SKEW):
                    when = term.get("finishedAt") or term.get("containerID") or ""
                    found.add((uid, name, "terminated", str(when)))
            waiting = _d(_d(cs.get("state")).get("waiting"))
            reason = waiting.get("reason")
            if waiting and isinstance(reason, str) and reason not in QUIET_WAITING:
                found.add((uid, name, "waiting", reason))
    return found


class Follower:
    """Follows the pods of a namespace (or all, or one pod) and calls ``failed(pod)`` with
    each pod object that has something new to explain."""

    def __init__(
        self,
        source: Any,  # ClusterSource
        namespace: Optional[str],
        selector: Optional[str] = None,
        field_selector: Optional[str] = None,
        warn: Callable[[str], None] = lambda m: None,
    ) -> None:
        self.source = source
        where = "" if namespace is None else f"/namespaces/{quote(namespace, safe='')}"
        self.path = f"/api/v1{where}/pods"  # as the sweep listed it
        self.query = {"labelSelector": selector, "fieldSelector": field_selector}
        self.warn = warn
        self.since = datetime.now(timezone.utc)
        self.seen: set[tuple] = set()
        self.gone: Optional[Callable[[dict], None]] = None  # one pod: told when it is deleted

    def follow(self, failed: Callable[[dict], None], version: str) -> None:
        """Until interrupted, or until the followed pod is deleted."""
        tries = _Tries()
        while True:
            opened: list[float] = []  # when the stream's headers came, if they did
            try:
                if not version:
                    version = self._relist(failed)
                began = version
                for kind, obj in self._stream(version, opened):
                    rv = _d(obj.get("metadata")).get("resourceVersion")
                    if isinstance(rv, str) and rv:
                        version = rv
                    if kind in ("ADDED", "MODIFIED"):
                        self._check(obj, failed)
                    elif kind == "DELETED" and self.gone is not None:
                        self.gone(obj)  # one pod followed, and it is gone
                        return
                if _lived(opened) < SHORT_WATCH and version == began:
                    # a server or proxy that ends every watch at once: without this, a tight
                    # loop of requests (client-go's reflector calls it a "very short watch")
                    raise ClusterError("the watch ended at once, with nothing new in it")
                tries.progress()
            except ClusterError as err:
                if _lived(opened) >= SHORT_WATCH:
                    tries.progress()  # it was watching a while: what failed before is behind
                expired = isinstance(err, Expired)  # the type, never the words: a port may be 41099
                if expired:
                    version = ""  # too old: list again
                if expired and tries.routine_410():
                    continue  # the usual 410 after a long quiet: list again at once, no word
                if tries.failed(err.forbidden):
                    raise
                self.warn(f"the watch was interrupted ({err.message}); watching again")
                time.sleep(tries.wait())

    def already(self, pods: Iterable[Pod]) -> None:
        """What the sweep showed is not news: waiting errors and failed pods it listed."""
        for pod in pods:
            uid = pod.uid or f"{pod.namespace}/{pod.name}"
            if pod.reason or pod.phase == "Failed":
                self.seen.add((uid, None, "pod", pod.reason or "Failed"))
            for c in pod.containers:
                if c.waiting is not None and c.waiting.reason not in QUIET_WAITING:
                    self.seen.add((uid, c.name, "waiting", c.waiting.reason))

    def _check(self, obj: dict, failed: Callable[[dict], None]) -> None:
        new = news(obj, self.since) - self.seen
        if new:
            self.seen |= new
            failed(obj)

    def _relist(self, failed: Callable[[dict], None]) -> str:
        for items in self.source.pages(self.path, dict(self.query), "listing pods again"):
            for obj in items:
                if isinstance(obj, dict):
                    self._check(obj, failed)
        return self.source.list_versions.get(self.path, "")

    def _stream(self, version: str, opened: list[float]) -> Iterator[tuple[str, dict]]:
        """The stream's events (ERROR raised), ``opened`` given the time its headers came."""
        query = {
            **self.query,
            "watch": "true",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(SERVER_TIMEOUT),
        }
        lines = self.source.stream(
            self.path, query, READ_TIMEOUT, "watching pods", lambda: opened.append(time.monotonic())
        )
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                raise ClusterError("the watch sent a line that is not JSON") from None
            kind = event.get("type") if isinstance(event, dict) else None
            obj = event.get("object") if isinstance(event, dict) else None
            if kind not in EVENT_TYPES or not isinstance(obj, dict):
                # a proxy that ignored watch=true sends the list; a Status, an array: not events
                raise ClusterError("the watch sent a line that is not a watch event")
            if kind == "ERROR":
                message = str(obj.get("message", "no message"))
                if obj.get("code") == 410:
                    raise Expired(f"the watch expired (410 Gone): {message}")
                raise ClusterError(f"the watch failed: {message}")
            yield kind, obj


class _Tries:
    """Failed attempts in a row (and since when), the 410s among them, the next wait. A stream
    that stayed open a while (SHORT_WATCH), or brought something new, clears them."""

    def __init__(self) -> None:
        self.progress()

    def progress(self) -> None:
        self.failures, self.expired, self.since, self.backoff = 0, 0, 0.0, 0.5

    def routine_410(self) -> bool:
        """Note a 410; True for the first in a row with no failure before it, which does not
        count: a version grown too old during a long quiet."""
        self.expired += 1
        return self.expired == 1 and not self.failures

    def failed(self, forbidden: bool) -> bool:
        """Note a failure; True when the watch must end on it."""
        self.failures += 1
        if self.failures == 1:
            self.since = time.monotonic()
        return forbidden or self.failures > MAX_FAILURES or time.monotonic() - self.since > GIVE_UP

    def wait(self) -> float:
        wait, self.backoff = self.backoff, min(self.backoff * 2, MAX_BACKOFF)
        return wait


def _lived(opened: list[float]) -> float:
    """How long a stream has been open (0 if it never opened)."""
    return time.monotonic() - opened[0] if opened else 0.0
