"""The ReplicaSets' list a sweep starts while it reads its pods (``sources/early.py``): started
only once the pods read so far call for a cluster-wide list, trimmed to the ones wanted in the
end, its warnings said and its unreachable server raised when it is taken, not before."""

from __future__ import annotations

import threading

import pytest

from builders import pod, replicaset
from kubectl_exitwhy.errors import ClusterError, Unreachable
from kubectl_exitwhy.evidence import build_pod
from kubectl_exitwhy.sources.controllers import SPREAD
from kubectl_exitwhy.sources.early import EarlyReplicaSets


def _owned(ns: str, rs: str):
    obj = pod(f"{rs}-x", ns=ns)
    obj["metadata"]["ownerReferences"] = [
        {"kind": "ReplicaSet", "name": rs, "controller": True, "apiVersion": "apps/v1"}
    ]
    return build_pod(obj)


def _pods(count: int, namespaces=("a", "b")):
    return [_owned(namespaces[i % len(namespaces)], f"web-{i}") for i in range(count)]


class Lists:
    """A reader whose lists answer ``items`` in one page (or in ``pages``, each with its
    continue token), or raise ``error``; it counts what was asked, and fails the test if the
    background list warns through it directly."""

    def __init__(self, items=(), error=None, pages=None) -> None:
        self.items, self.error, self.asked = list(items), error, []
        self.pages_left = list(pages) if pages is not None else None
        self.answered = threading.Event()
        self.list_versions: dict = {}
        self.cut_short: dict = {}

    def timeout_parameter(self):
        return None

    def get(self, path, query, what, accept=None, listing=False, decode=None):
        self.asked.append(path)
        try:
            if self.error is not None:
                raise self.error
            if self.pages_left is not None:
                items, token = self.pages_left.pop(0)
                return {"metadata": {"resourceVersion": "1", "continue": token}, "items": items}
            return {"metadata": {"resourceVersion": "1"}, "items": self.items}
        finally:
            if self.error is not None or not self.pages_left:
                self.answered.set()

    def warn(self, message):
        raise AssertionError(f"warned from the background: {message}")


def test_it_starts_only_once_the_pods_call_for_a_cluster_wide_list():
    lists, warned = Lists(), []
    early = EarlyReplicaSets(lists, warned.append, enabled=True)
    early.add(_pods(SPREAD))  # as many as SPREAD: GETs or per-namespace lists would do
    assert not early.started
    early.add(_pods(SPREAD, ("c",)))  # the same names in one more namespace: now more
    assert early.started
    assert lists.answered.wait(5) and lists.asked == ["/apis/apps/v1/replicasets"]


def test_one_namespace_never_starts_it():
    lists = Lists()
    early = EarlyReplicaSets(lists, print, enabled=True)
    early.add(_pods(5 * SPREAD, ("a",)))
    assert not early.started
    assert early.take({("a", "web-1")}, lambda wanted: {"read": wanted}) == {
        "read": {("a", "web-1")}
    }


def test_a_target_sweep_never_starts_it():
    early = EarlyReplicaSets(Lists(), print, enabled=False)
    early.add(_pods(5 * SPREAD))
    assert not early.started


def test_what_it_read_is_trimmed_to_the_ones_wanted_in_the_end():
    items = [replicaset(f"web-{i}", f"web{i}", ns="ab"[i % 2]) for i in range(3 * SPREAD)]
    lists = Lists(items)
    early = EarlyReplicaSets(lists, print, enabled=True)
    early.add(_pods(2 * SPREAD))
    wanted = {("a", "web-0"), ("b", "web-1"), ("b", "web-404")}
    found = early.take(wanted, lambda w: pytest.fail("read again"))
    assert found is not None and set(found) == {("a", "web-0"), ("b", "web-1")}
    assert found[("b", "web-1")]["metadata"]["ownerReferences"][0]["name"] == "web1"


def test_its_warning_is_said_when_it_is_taken():
    lists, warned = Lists(error=ClusterError("forbidden-ish: the list failed")), []
    early = EarlyReplicaSets(lists, warned.append, enabled=True)
    early.add(_pods(2 * SPREAD))
    assert lists.answered.wait(5)
    assert warned == []  # not while the pods are read
    assert early.take({("a", "web-0")}, lambda w: pytest.fail("read again")) is None
    assert len(warned) == 1 and "replicasets could not be read" in warned[0]


def test_a_server_that_cannot_be_reached_is_raised_when_it_is_taken():
    lists = Lists(error=Unreachable("cannot reach the API server at https://x: refused"))
    early = EarlyReplicaSets(lists, print, enabled=True)
    early.add(_pods(2 * SPREAD))
    assert lists.answered.wait(5)
    with pytest.raises(Unreachable, match="cannot reach"):
        early.take({("a", "web-0")}, lambda w: pytest.fail("read again"))


def test_what_the_pager_warns_in_the_background_is_said_when_it_is_taken():
    page = [replicaset("web-0", "web0", ns="a")]
    lists, warned = Lists(pages=[(page, "t1"), (page, "t1")]), []  # a token that comes again
    early = EarlyReplicaSets(lists, warned.append, enabled=True)
    early.add(_pods(2 * SPREAD))
    assert lists.answered.wait(5)
    assert warned == []  # Lists.warn fails the test if the pager warned through it
    found = early.take({("a", "web-0")}, lambda w: pytest.fail("read again"))
    assert found is not None and set(found) == {("a", "web-0")}
    assert len(warned) == 1 and "replicasets" in warned[0]


def test_every_replicaset_read_is_given_for_the_count_as_it_was_read():
    """An orphaned ReplicaSet (its Deployment deleted with --cascade=orphan) names no owner:
    its pods count under it, not under a Deployment its name looks like."""
    orphan = replicaset("web-old9", "web", ns="a")
    orphan["metadata"]["ownerReferences"] = []
    lists = Lists(items=[replicaset("web-new1", "web", ns="a"), orphan])
    early = EarlyReplicaSets(lists, print, enabled=True)
    assert early.every({("a", "web-old9")}) == {}  # not before it is taken
    early.add(_pods(SPREAD + 1, ("a", "b", "c")))
    assert early.started
    early.take({("a", "web-new1")}, lambda wanted: None)
    given = early.every({("a", "web-old9"), ("a", "web-new1"), ("a", "gone")})
    assert given[("a", "web-old9")] == {"metadata": {"namespace": "a", "name": "web-old9"}}
    assert given[("a", "web-new1")]["metadata"]["ownerReferences"][0]["name"] == "web"
    assert ("a", "gone") not in given
