"""The pod view's reads sent at once: the pod with its events, then — as soon as the pod is in —
its node and the node's events, its owner (ReplicaSet or Job) and the logs of the containers
that ended, each in a thread of its own, each with its usual deadline.

The pod view itself (``ClusterSource.pod``) stays what it is, one read after the other, with
its warnings and errors in that order; only its GETs are answered from here. Which GETs it will
make is learnt by running it first on stand-in answers (an empty list, an empty object, an empty
log) with its warnings muted: a *dry run* that sends nothing and records each call, exactly as
it will be made. Those calls are then sent (sending each as it is met was measured slower: the
threads contend with the dry run), and the real run takes each answer (or the error)
when it asks for it, in its own order: a call the dry run did not foresee (a second page, the
Job's events when the Job could not be read) is sent then, as before; an answer it does not ask
for is dropped. So the output is the sequential one, byte for byte, sooner.

Threads are daemons and every request keeps its deadline (``http.py``): an answer no one waits
for never holds the run, only its end, for LINGER at most (below).
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, Callable, Hashable, Optional

from kubectl_exitwhy.errors import TimedOut
from kubectl_exitwhy.sources.http import DEFAULT_TIMEOUT, _q

Call = tuple[tuple, dict]
SLACK = 10.0  # seconds past a GET's own deadline before its thread is given up on (never met)
# seconds the reads no one asked for may still take when the pod view is done with them: a
# process that exits while one of them is inside OpenSSL (loading the CA store, a handshake)
# can crash there, as OpenSSL's own exit handler frees what that thread uses. Seen when the
# pod's GET fails at once (TLS) while its events' GET still sets up its own connection.
LINGER = 1.0


def pod_call(name: str, namespace: str) -> Call:
    """The GET of the pod that ``ClusterSource.pod(name, namespace)`` makes first, as it makes
    it (tests/test_lean.py holds the two to the same call)."""
    path = f"/api/v1/namespaces/{_q(namespace)}/pods/{_q(name)}"
    return (path, None, f"getting pod {name} in namespace {namespace}"), {}


def send_pod(reader: Any, name: str, namespace: str) -> dict[Hashable, Any]:
    """The pod's GET sent now, by ``reader`` (an ``ApiReader`` on the connection the pod view
    then reads through), before the rest of the pod view is even loaded: ``read_pod``'s
    ``sent``."""
    ahead = Ahead(reader)
    ahead.send([pod_call(name, namespace)])
    return ahead._sent


def read_pod(
    source: Any,
    name: str,
    namespace: Optional[str],
    meanwhile: Optional[Callable[[], Any]] = None,
    sent: Optional[dict[Hashable, Any]] = None,
) -> Any:
    """``source.pod(name, namespace)`` (a ``ClusterSource``), its reads sent concurrently;
    ``meanwhile`` runs while the first answers travel (the engine's imports); ``sent``: reads
    already on their way (``send_pod``), taken as if sent here."""
    ns = namespace or source.default_namespace  # as source.pod reads it
    with Ahead(source, sent) as ahead:
        stand_in = {"metadata": {"name": name, "namespace": namespace}}
        first = ahead.dry_run(lambda: source.pod(name, namespace), stand_in)
        ahead.send(first)
        # what the pod names goes out as soon as the pod is in, while ``meanwhile`` runs
        following = ahead.then(first[0] if first else None, lambda obj: source.pod_from(obj, ns))
        if meanwhile is not None:
            meanwhile()
        following.join()  # bounded: the pod's own answer is (``_Pending.result``)
        return source.pod(name, namespace)


class Ahead:
    """GETs answered ahead of time for one reader: ``with ahead:`` puts it in front of the
    reader's ``get``."""

    def __init__(self, reader: Any, sent: Optional[dict[Hashable, Any]] = None) -> None:
        self.reader = reader
        self._get = reader.get  # the reader's own
        self._sent: dict[Hashable, _Pending] = dict(sent or {})
        self._recording: Optional[list[Call]] = None
        self._answer: Any = {}

    def __enter__(self) -> Ahead:
        self.reader.get = self.get
        return self

    def __exit__(self, *_: Any) -> None:
        del self.reader.get  # the class's again
        left, deadline = list(self._sent.values()), time.monotonic() + LINGER
        self._sent.clear()
        for pending in left:  # the answers no one asked for (the run failed first, mostly)
            pending.settle(deadline)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        if self._recording is not None:
            # ``head`` (paging.py's watcher of a body's head) belongs to the run that made it
            self._recording.append((args, {k: v for k, v in kwargs.items() if k != "head"}))
            if kwargs.get("raw") or (len(args) > 3 and args[3]):
                return b""
            if kwargs.get("listing"):
                return {"items": [], "metadata": {}}
            return copy.deepcopy(self._answer)
        pending = self._sent.pop(_key(args, kwargs), None)
        if pending is None:
            return self._get(*args, **kwargs)
        return pending.result()

    def dry_run(self, run: Callable[[], Any], answer: Any = None) -> list[Call]:
        """The GETs ``run`` makes when every object read is ``answer`` (else ``{}``), every list
        empty and every log empty; nothing is sent, nothing is said."""
        self._recording, self._answer = [], answer if answer is not None else {}
        warn, versions = self.reader.warn, dict(self.reader.list_versions)
        self.reader.warn = lambda message: None
        try:
            run()
        except Exception:  # a dry run only learns the calls; the real run decides
            pass
        finally:
            calls, self._recording = self._recording, None
            self.reader.warn = warn
            self.reader.list_versions.clear()
            self.reader.list_versions.update(versions)
        return calls

    def send(self, calls: list[Call]) -> None:
        for args, kwargs in calls:
            key = _key(args, kwargs)
            if key not in self._sent:
                budget = kwargs.get("timeout") or self.reader.timeout or DEFAULT_TIMEOUT
                self._sent[key] = _Pending(self._get, args, kwargs, budget + SLACK)

    def then(self, call: Optional[Call], run: Callable[[Any], Any]) -> threading.Thread:
        """In a thread: once ``call`` is answered with an object, the GETs ``run`` makes on (a
        copy of) it, learnt by a dry run, are sent. The caller joins the thread before it reads
        through this ``Ahead`` again, and meanwhile neither reads nor warns through it: a dry
        run records every read and mutes the reader's warnings while it lasts."""

        def follow() -> None:
            obj = self.peek(call) if call is not None else None
            if isinstance(obj, dict):
                self.send(self.dry_run(lambda: run(copy.deepcopy(obj))))

        thread = threading.Thread(target=follow, name="exitwhy-ahead-then", daemon=True)
        thread.start()
        return thread

    def peek(self, call: Call) -> Any:
        """The answer to a call sent, left for the real run; None if it failed."""
        pending = self._sent.get(_key(*call))
        if pending is None:
            return None
        try:
            return pending.result()
        except Exception:  # the real run meets it again, and says it
            return None


class _Pending:
    """One GET in a daemon thread; ``result()`` waits for it: the GET keeps its deadline, and
    ``limit`` bounds the wait even so."""

    def __init__(self, get: Callable[..., Any], args: tuple, kwargs: dict, limit: float) -> None:
        self._limit = limit
        self._what = str(args[2]) if len(args) > 2 else str(kwargs.get("what", ""))
        self._done = threading.Event()
        self._value: Any = None
        self._error: Optional[BaseException] = None

        def work() -> None:
            try:
                self._value = get(*args, **kwargs)
            except BaseException as err:  # handed to the one who asks, as the GET raised it
                self._error = err
            finally:
                self._done.set()

        threading.Thread(target=work, name="exitwhy-ahead", daemon=True).start()

    def settle(self, deadline: float) -> None:
        """Wait for the GET to end, until ``deadline`` (``time.monotonic()``) at most."""
        self._done.wait(max(0.0, deadline - time.monotonic()))

    def result(self) -> Any:
        if not self._done.wait(self._limit):
            raise TimedOut(f"no answer came {self._what} within {self._limit:g}s")
        if self._error is not None:
            raise self._error
        return self._value


def _key(args: tuple, kwargs: dict) -> Hashable:
    """A GET as sent: its arguments, not a watcher of its answer's head (``head``)."""
    return _freeze(args), _freeze(sorted((k, v) for k, v in kwargs.items() if k != "head"))


def _freeze(value: Any) -> Hashable:
    if isinstance(value, dict):
        return ("{}", tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value
