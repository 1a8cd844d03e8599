"""How ``--watch`` retries, held on a scripted reader (the end-to-end runs are in test_watch.py):
a 410 is known by its type, never by its words, so a server whose address holds "410" and is
gone for good ends the watch; a 410 lists again at once; a 410 on every attempt ends too."""

from __future__ import annotations

import json

import pytest

from builders import crashloop, pod, status, terminated
from kubectl_exitwhy.errors import ClusterError, Expired, Forbidden, Unreachable
from kubectl_exitwhy.sources import watch
from kubectl_exitwhy.sources.watch import MAX_FAILURES, Follower

GONE = "cannot reach the API server at https://127.0.0.1:41077: connection refused"


class Scripted:
    """A reader whose lists and watches answer from ``script``, one entry per request: an
    exception to raise, a list of pods (a list answer), or a list of watch events. Past the
    script it fails the test instead of hanging it."""

    def __init__(self, *script) -> None:
        self.script = list(script)
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

    def stream(self, path, query, read_timeout, what):
        assert query["resourceVersion"], "a watch always resumes from a version"
        for event in self._next(f"watch@{query['resourceVersion']}"):
            yield json.dumps(event).encode()


@pytest.fixture
def slept(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(watch.time, "sleep", waits.append)
    return waits


def _follower(source, warned=None) -> Follower:
    return Follower(source, "prod", warn=(warned.append if warned is not None else print))


def test_a_server_gone_for_good_whose_address_holds_410_ends_the_watch(slept):
    source = Scripted(*[Unreachable(GONE)] * (MAX_FAILURES + 1))
    warned: list[str] = []
    with pytest.raises(Unreachable):
        _follower(source, warned).follow(lambda p: None, "100")
    assert source.asked == ["watch@100"] * (MAX_FAILURES + 1)  # never "listed again"
    assert len(warned) == MAX_FAILURES and all(GONE in w for w in warned)
    assert slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_410_lists_again_at_once_and_hands_on_what_failed_in_the_gap(slept):
    broken = pod("api-1", statuses=[status(state=crashloop(), last=terminated(1), restarts=3)])
    broken["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"] = (
        "2999-01-01T00:00:00Z"  # after the watch began
    )
    source = Scripted(
        Expired("the list watching pods expired (410 Gone): too old"),
        [pod("web-1"), broken],  # the list again
        ClusterError("the stream watching pods was cut"),  # then a watch from its version
        *[Unreachable(GONE)] * MAX_FAILURES,
    )
    failed: list[str] = []
    warned: list[str] = []
    with pytest.raises(Unreachable):
        _follower(source, warned).follow(lambda p: failed.append(p["metadata"]["name"]), "100")
    assert source.asked[:3] == ["watch@100", "list", "watch@rv-list-2"]
    assert failed == ["api-1"]
    assert slept[0] == 0.5  # the 410 itself was not waited for: the next failure was
    assert not any("410 Gone" in w for w in warned)


def test_a_410_on_every_attempt_ends_the_watch(slept):
    too_old = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old"}}
    script = []
    for _ in range(MAX_FAILURES + 1):
        script += [[too_old], [pod("web-1")]]
    source = Scripted(*script)
    with pytest.raises(Expired, match="410 Gone"):
        _follower(source, []).follow(lambda p: None, "100")
    assert source.asked.count("list") == MAX_FAILURES
    assert len(slept) == MAX_FAILURES - 1  # the first 410 lists again at once


def test_a_refusal_ends_the_watch_at_once(slept):
    source = Scripted(Forbidden("forbidden watching pods: no RBAC"))
    with pytest.raises(Forbidden):
        _follower(source, []).follow(lambda p: None, "100")
    assert source.asked == ["watch@100"] and slept == []


def test_events_between_failures_start_the_count_again(slept):
    bookmark = {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "200"}}}
    script = []
    for _ in range(3):  # a flaky network: fails MAX_FAILURES times, then a stream gets through
        script += [Unreachable(GONE)] * MAX_FAILURES + [[bookmark]]
    source = Scripted(*script, Forbidden("forbidden watching pods: the end"))
    with pytest.raises(Forbidden):
        _follower(source, []).follow(lambda p: None, "100")
    assert source.asked[-1] == "watch@200"  # resumed from the bookmark's version


def test_a_server_that_ends_every_watch_at_once_is_not_asked_in_a_tight_loop(slept):
    source = Scripted(*[[]] * (MAX_FAILURES + 1))  # each watch: 200, and the stream ends empty
    with pytest.raises(ClusterError, match="ended at once"):
        _follower(source, []).follow(lambda p: None, "100")
    assert source.asked == ["watch@100"] * (MAX_FAILURES + 1)
    assert slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_quiet_stream_the_server_ends_in_time_is_watched_again_at_once(slept, monkeypatch):
    clock = iter(range(0, 10_000, 300))  # each stream lasts 300 s: the server's timeoutSeconds
    monkeypatch.setattr(watch.time, "monotonic", lambda: float(next(clock)))
    source = Scripted([], [], [], Forbidden("forbidden watching pods: the end"))
    with pytest.raises(Forbidden):
        _follower(source, []).follow(lambda p: None, "100")
    assert source.asked == ["watch@100"] * 4 and slept == []
