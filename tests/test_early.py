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
    """Answers each list with ``items``, or raises ``error``; counts what was asked."""

    def __init__(self, items=(), error=None) -> None:
        self.items, self.error, self.asked = list(items), error, []
        self.answered = threading.Event()

    def pages(self, path, query, what, *accept, decode=None):
        self.asked.append(path)
        try:
            if self.error is not None:
                raise self.error
            yield self.items
        finally:
            self.answered.set()

    def get(self, *args, **kwargs):
        raise AssertionError("one list, never a GET of each")


def test_it_starts_only_once_the_pods_call_for_a_cluster_wide_list():
    lists, warned = Lists(), []
    early = EarlyReplicaSets(lists.get, lists.pages, warned.append, enabled=True)
    early.add(_pods(SPREAD))  # as many as SPREAD: GETs or per-namespace lists would do
    assert not early.started
    early.add(_pods(SPREAD, ("c",)))  # the same names in one more namespace: now more
    assert early.started
    assert lists.answered.wait(5) and lists.asked == ["/apis/apps/v1/replicasets"]


def test_one_namespace_never_starts_it():
    lists = Lists()
    early = EarlyReplicaSets(lists.get, lists.pages, print, enabled=True)
    early.add(_pods(5 * SPREAD, ("a",)))
    assert not early.started
    assert early.take({("a", "web-1")}, lambda wanted: {"read": wanted}) == {
        "read": {("a", "web-1")}
    }


def test_a_target_sweep_never_starts_it():
    early = EarlyReplicaSets(Lists().get, Lists().pages, print, enabled=False)
    early.add(_pods(5 * SPREAD))
    assert not early.started


def test_what_it_read_is_trimmed_to_the_ones_wanted_in_the_end():
    items = [replicaset(f"web-{i}", f"web{i}", ns="ab"[i % 2]) for i in range(3 * SPREAD)]
    lists = Lists(items)
    early = EarlyReplicaSets(lists.get, lists.pages, print, enabled=True)
    early.add(_pods(2 * SPREAD))
    wanted = {("a", "web-0"), ("b", "web-1"), ("b", "web-404")}
    found = early.take(wanted, lambda w: pytest.fail("read again"))
    assert found is not None and set(found) == {("a", "web-0"), ("b", "web-1")}
    assert found[("b", "web-1")]["metadata"]["ownerReferences"][0]["name"] == "web1"


def test_its_warning_is_said_when_it_is_taken():
    lists, warned = Lists(error=ClusterError("forbidden-ish: the list failed")), []
    early = EarlyReplicaSets(lists.get, lists.pages, warned.append, enabled=True)
    early.add(_pods(2 * SPREAD))
    assert lists.answered.wait(5)
    assert warned == []  # not while the pods are read
    assert early.take({("a", "web-0")}, lambda w: pytest.fail("read again")) is None
    assert len(warned) == 1 and "replicasets could not be read" in warned[0]


def test_a_server_that_cannot_be_reached_is_raised_when_it_is_taken():
    lists = Lists(error=Unreachable("cannot reach the API server at https://x: refused"))
    early = EarlyReplicaSets(lists.get, lists.pages, print, enabled=True)
    early.add(_pods(2 * SPREAD))
    assert lists.answered.wait(5)
    with pytest.raises(Unreachable, match="cannot reach"):
        early.take({("a", "web-0")}, lambda w: pytest.fail("read again"))
