"""Live source: what a sweep and a pod view read from the Kubernetes API, and how they join
it (``connect.py`` makes the client, ``http.py`` talks to the server, ``podlist.py`` adds up a
sweep's pod pages, ``controllers.py`` reads owners, ``logs.py`` log tails, ``watch.py`` follows
pods, ``lookups.py`` finds things by name).

A sweep makes O(pages) requests, never one per pod:
1. events, listed once (per namespace, or cluster-wide for ``-A``), paged, indexed by pod;
2. pods, paged; healthy pods are skipped before any evidence is built;
3. only for pods with findings: their Nodes and node events, the Jobs and ReplicaSets that own
   them, and (at most 100) previous logs.
Only GET is ever sent.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.evidence import Pod, build_event, build_job, build_node, with_logs
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.owners import census_key, resolve
from kubectl_exitwhy.progress import Progress
from kubectl_exitwhy.sources import controllers
from kubectl_exitwhy.sources import logs as logreader
from kubectl_exitwhy.sources.connect import connect
from kubectl_exitwhy.sources.early import EarlyReplicaSets
from kubectl_exitwhy.sources.http import NotFound, Unreachable, _q, triage_decoder, typed_decoder
from kubectl_exitwhy.sources.join import EventIndex, assemble, job_name
from kubectl_exitwhy.sources.later import Later
from kubectl_exitwhy.sources.logread import LogGate
from kubectl_exitwhy.sources.lookups import Lookups
from kubectl_exitwhy.sources.podlist import PodList
from kubectl_exitwhy.sources.prefetch import Ahead
from kubectl_exitwhy.targets import Target

# Events that can change a diagnosis: every Warning (each selects a cause or is evidence for the
# `unknown` finding of a broken pod), and these Normal ones; the rest (Scheduled, Pulled,
# Created, Started …) are dropped as they are read, so memory stays flat on a busy cluster.
USEFUL_EVENTS = {
    "Killing", "Unhealthy", "BackOff", "Failed", "FailedPostStartHook", "FailedPreStopHook",
    "ExceededGracePeriod", "Evicted", "Preempted", "Preempting", "FailedScheduling",
    "NodeNotReady", "TaintManagerEviction", "DeadlineExceeded", "SystemOOM", "OOMKilling",
    "Rebooted", "EvictionThresholdMet", "FailedMount", "FailedCreatePodSandBox", "ProbeWarning",
    "ErrImageNeverPull", "InspectFailed", "BackoffLimitExceeded", "PodFailurePolicy",
    "NodeHasInsufficientMemory", "NodeHasSufficientMemory", "NotTriggerScaleUp", "TriggeredScaleUp",
}  # fmt: skip
EVENT_KEYS = (
    "involvedObject",
    "reason",
    "message",
    "type",
    "count",
    "firstTimestamp",
    "lastTimestamp",
    "eventTime",
    "series",
    "source",
    "reportingComponent",
)


# texts that repeat across a cluster's events, kept once each (``sys.intern``): a sweep holds
# every useful event of the cluster while it pages through the pods
SHARED_TEXT = ("reason", "type", "firstTimestamp", "lastTimestamp", "reportingComponent")
SHARED_PARTS = ("kind", "namespace", "fieldPath", "component")


def _kept(event: dict) -> dict:
    """What a sweep keeps of an event (EVENT_KEYS), its repeated texts shared."""
    kept = {}
    for key in EVENT_KEYS:
        if key not in event:
            continue
        value = event[key]
        if type(value) is str and key in SHARED_TEXT:
            value = sys.intern(value)
        elif type(value) is dict and key in ("involvedObject", "source"):
            value = {
                k: sys.intern(v) if type(v) is str and k in SHARED_PARTS else v
                for k, v in value.items()
            }
        kept[key] = value
    return kept


class ClusterSource(Lookups):
    """Pods, events, nodes, jobs and logs from the cluster of a kubeconfig context."""

    def __init__(
        self,
        kubeconfig: Optional[str] = None,
        context: Optional[str] = None,
        request_timeout: Optional[float] = None,
        log_lines: int = 20,
        warn: Callable[[str], None] = lambda message: None,
        flags: Optional[dict] = None,
        lean: bool = False,
        progress: Optional[Progress] = None,
        connection: Optional[tuple] = None,
    ) -> None:
        """``connection``: what ``connect`` made of these arguments already (the pod view's
        fast path connects before this module is loaded)."""
        client, self.default_namespace, server = connection or connect(
            kubeconfig, context, flags=flags, timeout=request_timeout, lean=lean
        )
        super().__init__(client, server, request_timeout, warn)
        self.log_lines = log_lines
        self._logs = LogGate(self)  # one try each, bounded, failures in the kubelet's terms
        self.census: Optional[Counter] = None  # pods listed per workload, after a sweep
        self.progress = progress or Progress(enabled=False)  # what a sweep has read so far
        self.missing: Optional[str] = None  # after a sweep whose pod list ended early: why
        self.creates: dict = {}  # after a sweep: its controllers' FailedCreate warnings
        self.listed_owners: set = set()  # after a sweep: (namespace, kind, name) of pod owners

    # --- reading --------------------------------------------------------------------------------

    def _events(
        self,
        namespace: Optional[str],
        field_selector: Optional[str] = None,
        index: Optional[EventIndex] = None,
        label: str = "events",
        typed: bool = True,
    ) -> tuple[EventIndex, bool]:
        """Events indexed by pod and node; False when they could not be read. ``typed``: read
        the pages into the fields read only (a sweep's lists); a pod's few events are read
        plainly."""
        index = index if index is not None else EventIndex()
        path = (
            "/api/v1/events" if namespace is None else f"/api/v1/namespaces/{_q(namespace)}/events"
        )
        where = "cluster-wide" if namespace is None else f"in namespace {namespace}"
        read = 0
        try:
            for items in self.pages(
                path,
                {"fieldSelector": field_selector},
                f"listing events {where}",
                decode=typed_decoder("events") if typed else None,
            ):
                read += len(items)
                self.progress.say(f"{label}: {read:,} read")
                for e in items:
                    if isinstance(e, dict) and (
                        e.get("type") == "Warning"
                        or (isinstance(e.get("reason"), str) and e["reason"] in USEFUL_EVENTS)
                    ):
                        meta = e.get("metadata")
                        uid = meta.get("uid") if isinstance(meta, dict) else None
                        index.add(_kept(e), uid)  # uid: once
        except Unreachable:
            raise
        except ClusterError as err:
            self.warn(
                f"{label} could not be read ({err.message}); diagnoses that need them are "
                "less certain"
            )
            return index, False
        return index, True

    def sweep(
        self,
        namespace: Optional[str],
        selector: Optional[str],
        include_healthy: bool,
        target: Optional[Target] = None,
        settled: Optional[Callable[[Pod], None]] = None,
    ) -> Iterator[Pod]:
        """Evidence is built page by page and the raw page dropped, so memory follows the pods
        with something to say, not the size of the cluster. A ``target`` (a workload, a node)
        keeps only its pods: a node's by a field selector, a workload's as they are read.
        Where logs are read, ``settled`` is given each pod whose evidence is final while they
        still are (the pods whose logs are read come only in the list returned): the caller
        diagnoses them meanwhile. It is given the very objects the list holds."""
        where = "cluster-wide" if namespace is None else f"in namespace {namespace}"
        path = "/api/v1/pods" if namespace is None else f"/api/v1/namespaces/{_q(namespace)}/pods"
        what = f"listing pods {where}"
        query = {"labelSelector": selector, "fieldSelector": target and target.field_selector}
        index = EventIndex()  # filled before the pre-filter first asks it
        decode = typed_decoder("pods") if include_healthy else triage_decoder(index.warned)
        with Ahead(self) as ahead:
            # the first page of pods is asked for now, and comes while the events are read
            first = ahead.dry_run(lambda: next(iter(self.pages(path, query, what, decode=decode))))
            ahead.send(first[:1])
            self.progress.say(f"reading events {where}", now=True)
            events, events_known = self._events(namespace, index=index)
            self.progress.say(f"reading pods {where}", now=True)
            now = datetime.now(timezone.utc)
            read = PodList(events, events_known, include_healthy, target, now)
            # across namespaces, the ReplicaSets' list is read while the pods are, once they
            # call for it (a target's pods are known only once their owners are)
            early = EarlyReplicaSets(self, self.warn, namespace is None and target is None)
            gc_was_enabled = gc.isenabled()
            gc.disable()  # a page is 500 fresh dicts trees without cycles: the collector slows it
            try:
                for items in self.pages(path, query, what, decode=decode):
                    early.add(read.add(items))
                    del items
                    self.progress.say(
                        f"pods: {len(read.counted):,} read, {len(read.needs_more):,} to diagnose"
                    )
            finally:
                if gc_was_enabled:
                    gc.enable()
        built, needs_more, seen = read.built, read.needs_more, read.seen
        self.creates = events.creates  # controllers that could not create pods (unborn.py)
        self.listed_owners = {key[:3] for key in read.listed}
        if path in self.cut_short:  # some pods were never read: the run must not look whole
            self.missing = (
                f"the pods {where} were not all read: the list ended after {seen:,} "
                f"pod{'s' * (seen != 1)}"
            )
        # without a target, the logs are read while the owners are: which to read depends on
        # the pods alone (a target's pods are known once their owners are)
        logs = self._sweep_logs(built, needs_more) if target is None else None
        wanted = [built[k] for k in needs_more]
        self.progress.say(f"reading the nodes and owners of {len(wanted):,} pods", now=True)
        nodes = self._nodes(
            {p.node_name for p in wanted if p.node_name}, events, namespace is None and events_known
        )
        jobs = self._jobs({(p.namespace, str(_job_of(p))) for p in wanted if _job_of(p)})
        replicasets = early.take(
            {
                (p.namespace, p.owner.name)
                for p in wanted
                if p.owner and p.owner.kind == "ReplicaSet"
            },
            lambda names: self._controllers("ReplicaSet", names),
        )
        owners = {("Job", ns, name): j for (ns, name), j in jobs.items()}
        owners.update({("ReplicaSet", ns, n): r for (ns, n), r in (replicasets or {}).items()})
        node_evidence = {
            name: build_node(name, nodes.get(name), (build_event(e) for e in events.for_node(name)))
            for name in {p.node_name for p in wanted if p.node_name}
        }
        for key in needs_more:
            pod = built[key]
            job = jobs.get((pod.namespace, str(_job_of(pod))))
            built[key] = replace(
                pod,
                node=node_evidence.get(pod.node_name, pod.node),
                job=build_job(job) if job is not None else pod.job,
                workload=resolve(read.owner_keys[key], owners),
            )
        self.census = Counter()
        for owner_key, count in read.listed.items():
            workload = resolve(owner_key, owners)
            ns, kind, name, _ = owner_key
            if kind == "ReplicaSet" and ("ReplicaSet", ns, name) not in owners:
                # where every ReplicaSet was read (the early list), a pod no finding is under
                # is counted by what its own says, not by its name (resolvedBy inferred)
                own = early.every([(ns, name)]).get((ns, name))
                if own is not None:
                    workload = resolve(owner_key, {("ReplicaSet", ns, name): own})
            if target is None or target.owns_key(owner_key, workload, target.name):
                self.census[workload] += count
        if target is not None:
            built = {k: p for k, p in built.items() if target.owns(p)}
            needs_more &= set(built)
            logs = self._sweep_logs(built, needs_more)
        if settled is not None and logs is not None:  # (no logs read: nothing to wait for)
            # what is no longer needed goes first: the diagnoses made now add to memory there
            del events, read, early, nodes, jobs, replicasets, owners, node_evidence, wanted
            reading = logs[1]
            self.progress.say(
                f"diagnosing {len(built) - len(reading):,} pods while the logs are read",
                now=True,
            )
            for key, pod in built.items():
                if key not in reading:
                    settled(pod)
        by_pod, said = logs[0].result() if logs is not None else ({}, [])
        for key, tails in by_pod.items():
            built[key] = with_logs(built[key], tails)
        for line in said:
            self.warn(line)
        return iter(list(built.values()))

    def _sweep_logs(
        self, built: dict[str, Pod], keys: set[str]
    ) -> Optional[tuple[Later, frozenset[str]]]:
        """Previous logs where they can change or sharpen a verdict: at most SWEEP_LOGS, a few
        at a time, read in the background (``Later``: each pod's tails by key, and the warnings
        to give when they are taken), and the keys of the pods whose logs it reads; ``--logs 0``
        reads none."""
        if self.log_lines <= 0:
            return None
        said: list[str] = []  # warned when the tails are taken, in the run's own order
        wanted = [(k, t) for k in sorted(keys) for t in logreader.targets(built[k], True)]
        if len(wanted) > logreader.SWEEP_LOGS:
            said.append(
                f"{len(wanted)} containers have logs that could sharpen their diagnosis; "
                f"{logreader.SWEEP_LOGS} were read (exitwhy pod NAME reads the rest)"
            )
            wanted = wanted[: logreader.SWEEP_LOGS]
        if not wanted:  # (then nothing was said either)
            return None
        self._logs.expect(built[k] for k, _ in wanted)
        self.progress.say(f"reading {len(wanted)} previous logs", now=True)
        names = {k: (built[k].namespace, built[k].name) for k, _ in wanted}

        def read() -> tuple[dict[str, dict[str, list[str]]], list[str]]:
            tails = logreader.read(
                self._logs,
                [t for _, t in wanted],
                self.log_lines,
                said.append,
                logreader.SWEEP_CONCURRENCY,
            )
            return {key: tails.get(name, {}) for key, name in names.items()}, said

        return Later(read, name="exitwhy-logs"), frozenset(names)

    def _nodes(self, wanted: set[str], events: EventIndex, have_node_events: bool) -> dict:
        names = sorted(wanted)
        if not names:
            return {}
        if not have_node_events:  # namespace sweeps: node events live outside the namespace
            selector = "involvedObject.kind=Node"
            if len(names) == 1:
                selector += f",involvedObject.name={names[0]}"
            self._events(None, selector, events, label="node events", typed=len(names) > 1)
        nodes = {}
        if len(names) > 20:
            try:
                nodes_list = self.pages(
                    "/api/v1/nodes", {}, "listing nodes", decode=typed_decoder("nodes")
                )
                for items in nodes_list:
                    for n in items:
                        meta = n.get("metadata") if isinstance(n, dict) else None
                        name = meta.get("name") if isinstance(meta, dict) else None
                        if isinstance(name, str) and name in wanted:  # a set: never a scan
                            status = n.get("status")  # keep the conditions, drop the rest
                            conditions = (
                                status.get("conditions") if isinstance(status, dict) else None
                            )
                            nodes[name] = {"status": {"conditions": conditions}}
            except Unreachable:
                raise
            except ClusterError as err:
                self.warn(f"nodes could not be read ({err.message})")
            return nodes
        for name in names:
            try:
                nodes[name] = self.get(f"/api/v1/nodes/{_q(name)}", None, f"getting node {name}")
            except NotFound:
                continue
            except Unreachable:
                raise
            except ClusterError as err:
                self.warn(f"node {name} could not be read ({err.message})")
                break
        return nodes

    def _jobs(self, wanted: set[tuple[str, str]]) -> dict:
        """The Jobs that own pods with findings."""
        found = self._controllers("Job", wanted)
        return found or {}

    def _controllers(self, kind: str, wanted: set[tuple[str, str]]) -> Optional[dict]:
        return controllers.read(
            self.get, self.pages, kind, wanted, self.warn, Unreachable, NotFound
        )

    def pod(self, name: str, namespace: Optional[str]) -> Pod:
        ns = namespace or self.default_namespace
        try:
            obj = self.get(
                f"/api/v1/namespaces/{_q(ns)}/pods/{_q(name)}",
                None,
                f"getting pod {name} in namespace {ns}",
            )
        except NotFound:
            raise NotFound(self._not_found(name, ns)) from None
        return self.pod_from(obj, ns)

    def pod_from(self, obj: dict, ns: str) -> Pod:
        """The pod view's evidence for a pod object already read (a GET, or a watch event): its
        events, node, owners and logs."""
        meta: dict = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        name = str(meta.get("name", ""))
        events, events_known = self._events(ns, f"involvedObject.name={name}", typed=False)
        spec: dict = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
        node_name = spec.get("nodeName")
        nodes = {}
        if isinstance(node_name, str) and node_name:
            nodes = self._nodes({node_name}, events, False)
        owner = job_name(obj)
        jobs = self._jobs({(str(meta.get("namespace", ns)), owner)} if owner else set())
        if owner and not jobs and events_known:  # the Job could not be read: its events may say
            selector = f"involvedObject.kind=Job,involvedObject.name={owner}"
            self._events(ns, selector, events, typed=False)
        owners: dict = {("Job", k[0], k[1]): j for k, j in jobs.items()}
        _, kind, rs, _ = census_key(obj)
        if kind == "ReplicaSet":  # its owner names the Deployment
            found = self._controllers("ReplicaSet", {(ns, rs)}) or {}
            owners.update({("ReplicaSet", k[0], k[1]): r for k, r in found.items()})
        pod = next(
            assemble(
                [obj],
                events,
                events_known=events_known,
                nodes=nodes,
                jobs=jobs,
                observed=datetime.now(timezone.utc),
                owners=owners,
            )
        )
        warnings: list[str] = []
        self._logs.expect([pod])
        tails = logreader.read(
            self._logs, logreader.targets(pod, False), self.log_lines, warnings.append
        )
        pod = with_logs(pod, tails.get((pod.namespace, pod.name), {}))
        return replace(pod, warnings=tuple(warnings)) if warnings else pod


def _job_of(pod: Pod) -> Optional[str]:
    """The name of the Job that owns the pod, if one does."""
    if pod.owner is not None and pod.owner.kind == "Job" and pod.owner.name:
        return pod.owner.name
    return None
