"""How ``--watch`` retries, held on a scripted reader and a clock the test moves (the end-to-end
runs are in test_watch.py). A 410 is known by its type, never by its words; one 410 lists again
at once; failed attempts back off and, in a row, end the watch; a stream that was open a while,
or brought something new, clears them, so a healthy quiet watch never gives up on one cut."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

import pytest

from builders import crashloop, pod, status, terminated
from kubectl_exitwhy.errors import ClusterError, Expired, Forbidden, Unreachable
from kubectl_exitwhy.sources import watch
from kubectl_exitwhy.sources.watch import MAX_FAILURES, Follower

GONE = "cannot reach the API server at https://127.0.0.1:41077: connection refused"
CUT = ClusterError("the stream watching pods was cut (the connection closed mid-answer)")


def bookmark(rv: str) -> dict:
    return {"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": rv}}}


def added(rv: str) -> dict:
    obj = pod("web-1")
    obj["metadata"]["resourceVersion"] = rv
    return {"type": "ADDED", "object": obj}


TOO_OLD = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old"}}


@dataclass
class Stream:
    """A watch answer: its lines, open ``lasts`` seconds, then ended by ``then`` (else cleanly)."""

    lines: list = field(default_factory=list)
    lasts: float = 0.0
    then: Optional[BaseException] = None


class Scripted:
    """A reader whose lists and watches answer from ``script``, one entry per request: an
    exception (raised before any answer), a list of pods (a list answer) or a ``Stream``. Past
    the script it fails the test instead of hanging it."""

    def __init__(self, clock, *script) -> None:
        self.clock, self.script = clock, list(script)
        self.asked: list[str] = []
        self.list_versions: dict[str, str] = {}

    def _next(self, what: str):
        self.asked.append(what)
        if not self.script:
            raise AssertionError(f"asked once more than the script holds: {self.asked}")
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step

    def pages(self, path, query, what):
        items = self._next("list")
        self.list_versions[path] = f"rv-list-{len(self.asked)}"
        yield items

    def stream(self, path, query, read_timeout, what, opened):
        assert query["resourceVersion"], "a watch always resumes from a version"
        step = self._next(f"watch@{query['resourceVersion']}")
        opened()
        for line in step.lines:
            yield line if isinstance(line, bytes) else json.dumps(line).encode()
        self.clock.now += step.lasts
        if step.then is not None:
            raise step.then


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(watch.time, "sleep", c.sleep)
    monkeypatch.setattr(watch.time, "monotonic", lambda: c.now)
    return c


def _follow(source, failed=lambda p: None, warned: Optional[list] = None) -> None:
    told = warned if warned is not None else []
    Follower(source, "prod", warn=told.append).follow(failed, "100")


def test_a_server_gone_for_good_whose_address_holds_410_ends_the_watch(clock):
    source = Scripted(clock, *[Unreachable(GONE)] * (MAX_FAILURES + 1))
    with pytest.raises(Unreachable):
        _follow(source)
    assert source.asked == ["watch@100"] * (MAX_FAILURES + 1)  # never "listed again"
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_410_lists_again_at_once_and_hands_on_what_failed_in_the_gap(clock):
    broken = pod("api-1", statuses=[status(state=crashloop(), last=terminated(1), restarts=3)])
    broken["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"] = (
        "2999-01-01T00:00:00Z"  # after the watch began
    )
    source = Scripted(
        clock,
        Expired("the list watching pods expired (410 Gone): too old"),
        [pod("web-1"), broken],  # the list again
        Forbidden("forbidden watching pods: the end"),  # then a watch from its version
    )
    failed: list[str] = []
    with pytest.raises(Forbidden):
        _follow(source, lambda p: failed.append(p["metadata"]["name"]))
    assert source.asked == ["watch@100", "list", "watch@rv-list-2"]
    assert failed == ["api-1"] and clock.slept == []  # no word, no wait


def test_a_healthy_quiet_watch_survives_a_410_and_then_a_cut_minutes_later(clock):
    source = Scripted(
        clock,
        Stream([TOO_OLD]),  # the version held is too old
        [pod("web-1")],  # listed again
        Stream([], lasts=70, then=CUT),  # quiet, then the connection drops (> GIVE_UP later)
        Stream([], lasts=290),  # watched again: the server ends it at its timeout
        Forbidden("forbidden watching pods: the end"),
    )
    warned: list[str] = []
    with pytest.raises(Forbidden):
        _follow(source, warned=warned)
    assert source.asked == ["watch@100", "list"] + ["watch@rv-list-2"] * 3
    assert clock.slept == [0.5] and len(warned) == 1 and "was cut" in warned[0]


def test_cuts_of_a_quiet_healthy_watch_far_apart_never_end_it(clock):
    script = [Stream([], lasts=200, then=CUT) for _ in range(3 * MAX_FAILURES)]
    source = Scripted(clock, *script, Forbidden("forbidden watching pods: the end"))
    with pytest.raises(Forbidden):
        _follow(source)
    assert len(source.asked) == 3 * MAX_FAILURES + 1
    assert set(clock.slept) == {0.5}  # each cut is the first in a row


def test_a_quiet_stream_the_server_ends_in_time_is_watched_again_at_once(clock):
    source = Scripted(clock, *[Stream([], lasts=290)] * 3, Forbidden("the end"))
    with pytest.raises(Forbidden):
        _follow(source)
    assert source.asked == ["watch@100"] * 4 and clock.slept == []


def test_a_410_on_every_attempt_ends_the_watch(clock):
    script = []
    for _ in range(MAX_FAILURES + 2):
        script += [Stream([TOO_OLD]), [pod("web-1")]]
    source = Scripted(clock, *script)
    with pytest.raises(Expired, match="410 Gone"):
        _follow(source)
    # the first 410 lists again at once and is not counted; each after it is a failed attempt
    assert source.asked.count("list") == MAX_FAILURES + 1
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_an_event_then_a_410_on_every_attempt_ends_the_watch(clock):
    script = []
    for _ in range(MAX_FAILURES + 2):
        script += [Stream([added("7"), TOO_OLD]), [pod("web-1")]]
    source = Scripted(clock, *script)
    with pytest.raises(Expired):
        _follow(source)
    assert source.asked.count("list") == MAX_FAILURES + 1 and len(clock.slept) == MAX_FAILURES


@pytest.mark.parametrize(
    "line",
    [
        {"kind": "PodList", "metadata": {"resourceVersion": "5"}, "items": []},  # watch ignored
        {"kind": "Status", "status": "Success"},
        {"type": "SOMETHING", "object": {}},
        {"type": "ADDED", "object": "not an object"},
        [1, 2],
        "hello",
        7,
    ],
)
def test_a_line_that_is_not_a_watch_event_is_a_failed_attempt_not_a_traceback(clock, line):
    source = Scripted(clock, *[Stream([line])] * (MAX_FAILURES + 1))
    with pytest.raises(ClusterError, match="not a watch event"):
        _follow(source)
    assert len(source.asked) == MAX_FAILURES + 1 and len(clock.slept) == MAX_FAILURES


@pytest.mark.parametrize("lines", [[], [bookmark("100")]], ids=["empty", "a bookmark"])
def test_a_server_that_ends_every_watch_at_once_is_not_asked_in_a_tight_loop(clock, lines):
    source = Scripted(clock, *[Stream(lines)] * (MAX_FAILURES + 1))
    with pytest.raises(ClusterError, match="ended at once"):
        _follow(source)
    assert source.asked == ["watch@100"] * (MAX_FAILURES + 1)
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_short_streams_that_bring_new_versions_are_progress(clock):
    script = [Stream([added(str(200 + i))]) for i in range(2 * MAX_FAILURES)]
    source = Scripted(clock, *script, Forbidden("the end"))
    with pytest.raises(Forbidden):
        _follow(source)
    assert source.asked[1:3] == ["watch@200", "watch@201"] and clock.slept == []


def test_a_refusal_ends_the_watch_at_once(clock):
    source = Scripted(clock, Forbidden("forbidden watching pods: no RBAC"))
    with pytest.raises(Forbidden):
        _follow(source)
    assert source.asked == ["watch@100"] and clock.slept == []
