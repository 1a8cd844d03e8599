"""Live source: the Kubernetes API, read as kubectl reads it. The only module that imports
``kubernetes``, and lazily.

Configuration, authentication (tokens, client certificates, exec plugins) and TLS come from the
``kubernetes`` package. Requests go through its ``ApiClient`` as raw JSON: the generated API and
model classes cost ~0.4 s to import and far more to build, and are never touched.

A sweep makes O(pages) requests, never one per pod:
1. events, listed once (per namespace, or cluster-wide for ``-A``), paged, indexed by pod;
2. pods, paged; healthy pods are skipped before any evidence is built;
3. only for pods with findings: their Nodes and node OOM events, and the Jobs that own them.
Only GET is ever sent.
"""

from __future__ import annotations

import difflib
import gc
import json
import os
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.evidence import Pod, build_event, build_job, build_node, with_logs
from kubectl_exitwhy.owners import census_key, resolve
from kubectl_exitwhy.sources import controllers
from kubectl_exitwhy.sources import logs as logreader
from kubectl_exitwhy.sources.join import EventIndex, assemble, job_name, needs_diagnosis

PAGE = 500  # kubectl's chunk size
RETRIES = 3
MAX_RETRY_AFTER = 10.0

# Events that can change a diagnosis: every Warning (each selects a cause or is evidence for the
# `unknown` finding of a broken pod), and these Normal ones; the rest (Scheduled, Pulled,
# Created, Started …) are dropped as they are read, so memory stays flat on a busy cluster.
USEFUL_EVENTS = {
    "Killing", "Unhealthy", "BackOff", "Failed", "FailedPostStartHook", "FailedPreStopHook",
    "ExceededGracePeriod", "Evicted", "Preempted", "Preempting", "FailedScheduling",
    "NodeNotReady", "TaintManagerEviction", "DeadlineExceeded", "SystemOOM", "OOMKilling",
    "Rebooted", "EvictionThresholdMet", "FailedMount", "FailedCreatePodSandBox", "ProbeWarning",
    "ErrImageNeverPull", "InspectFailed", "BackoffLimitExceeded", "PodFailurePolicy",
    "NodeHasInsufficientMemory", "NodeHasSufficientMemory",
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


class Forbidden(ClusterError):
    forbidden = True


class Unreachable(ClusterError):
    """The server cannot be talked to at all (connection, TLS, credentials, timeout): fatal even
    for the side reads that are otherwise only warnings (logs aside: sources/logs.py)."""

    unreachable = True


class NotFound(ClusterError):
    pass


def _status_message(body: bytes) -> str:
    try:
        doc = json.loads(body)
    except ValueError:
        return ""
    return str(doc.get("message", "")) if isinstance(doc, dict) else ""


class ClusterSource:
    """Pods, events, nodes, jobs and logs from the cluster of a kubeconfig context."""

    def __init__(
        self,
        kubeconfig: Optional[str] = None,
        context: Optional[str] = None,
        request_timeout: Optional[float] = None,
        log_lines: int = 20,
        warn: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.timeout = request_timeout
        self.log_lines = log_lines
        self.warn = warn
        self.client, self.default_namespace, self.server = _connect(kubeconfig, context)
        self.requests = 0
        self.census: Optional[Counter] = None  # pods listed per workload, after a sweep
        self.list_versions: dict[str, str] = {}  # path → resourceVersion of its last list

    # --- HTTP ---------------------------------------------------------------------------------

    def get(
        self,
        path: str,
        query: Optional[dict] = None,
        what: str = "",
        raw: bool = False,
        timeout: Optional[float] = None,
        tries: int = RETRIES,
        accept: Optional[str] = None,
    ) -> Any:
        """GET ``path``; the decoded JSON (or bytes when ``raw``). Retries 429, 5xx and cut-off
        bodies a few times; maps every failure to a ClusterError."""
        import urllib3

        params = [(k, v) for k, v in (query or {}).items() if v not in (None, "")]
        accept = accept or ("*/*" if raw else "application/json")
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                status, body, header = _send(
                    self.client, path, params, accept, timeout or self.timeout
                )
            except urllib3.exceptions.ReadTimeoutError:
                raise self._timeout_error(what) from None
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead) as err:
                if attempt < tries:
                    continue
                raise ClusterError(
                    f"the API server's answer {what} was cut short ({err})"
                ) from None
            except urllib3.exceptions.MaxRetryError as err:
                if isinstance(err.reason, urllib3.exceptions.ReadTimeoutError):
                    raise self._timeout_error(what) from None
                raise _connection_error(self.server, err.reason) from None
            except urllib3.exceptions.HTTPError as err:
                raise _connection_error(self.server, err) from None
            except _api_exception() as err:
                raise _connection_error(self.server, err.reason) from None
            if status == 429 or status >= 500:
                if attempt < tries:
                    retry_after = _retry_after(header("Retry-After"))
                    time.sleep(min(retry_after, MAX_RETRY_AFTER))
                    continue
                raise ClusterError(
                    f"the API server answered {status} {what} after {attempt} "
                    f"tries: {_status_message(body) or 'no message'}"
                )
            if status >= 400:
                raise self._http_error(status, body, what)
            if raw:
                return body
            try:
                return json.loads(body)
            except ValueError:
                if attempt < tries:
                    continue
                raise ClusterError(
                    f"the API server's answer {what} is not complete JSON; it was cut short"
                ) from None

    def stream(self, path: str, query: dict, read_timeout: float, what: str) -> Iterator[bytes]:
        """The lines of a streamed answer (a watch), as they come. Each read waits at most
        ``read_timeout``; a stream that goes quiet or is cut ends with a ClusterError."""
        import urllib3

        params = [(k, v) for k, v in query.items() if v not in (None, "")]
        self.requests += 1
        connect = self.timeout or 30.0
        try:
            response = _open(self.client, path, params, (connect, read_timeout))
        except urllib3.exceptions.MaxRetryError as err:
            raise _connection_error(self.server, err.reason) from None
        except urllib3.exceptions.HTTPError as err:
            raise _connection_error(self.server, err) from None
        try:
            if response.status >= 400:
                raise self._http_error(response.status, response.read(), what)
            buffer = b""
            for chunk in response.stream(65536, decode_content=True):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        yield line
            if buffer.strip():
                yield buffer
        except urllib3.exceptions.ReadTimeoutError:
            raise ClusterError(f"nothing came {what} for {read_timeout:g}s") from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError) as err:
            raise ClusterError(f"the stream {what} was cut ({_one(err)})") from None
        finally:
            response.release_conn()

    def _timeout_error(self, what: str) -> ClusterError:
        limit = f"within {self.timeout:g}s (--request-timeout)" if self.timeout else "in time"
        return Unreachable(f"the API server at {self.server} did not answer {what} {limit}")

    def _http_error(self, status: int, body: bytes, what: str) -> ClusterError:
        message = _status_message(body)
        if status == 401:
            return Unreachable(
                f"the API server at {self.server} refused the credentials (401 "
                "Unauthorized): log in again or check the kubeconfig user"
            )
        if status == 403:
            return Forbidden(f"forbidden {what}: {message or 'the user lacks RBAC permission'}")
        if status == 404:
            return NotFound(message or f"not found {what}")
        if status == 410:
            return ClusterError(f"the list {what} expired (410 Gone): {message}")
        return ClusterError(f"the API server answered {status} {what}: {message}")

    def pages(
        self, path: str, query: dict, what: str, accept: Optional[str] = None
    ) -> Iterator[list]:
        """Yield the items of a paged list, page by page. An expired continue token (410) restarts
        the list once; callers de-duplicate by uid."""
        restarted = False
        token = None
        while True:
            q = {**query, "limit": PAGE, "continue": token}
            try:
                page = self.get(path, q, what, accept=accept)
            except ClusterError as err:
                if token and "410 Gone" in err.message and not restarted:
                    restarted, token = True, None
                    self.warn(f"the list {what} expired while paging; starting it again")
                    continue
                raise
            if not isinstance(page, dict):
                raise ClusterError(f"the API server's answer {what} is not a list")
            items = page.get("items")
            meta: dict = page["metadata"] if isinstance(page.get("metadata"), dict) else {}
            if token is None:  # the list's snapshot: a watch starts from it
                rv = meta.get("resourceVersion")
                self.list_versions[path] = rv if isinstance(rv, str) else ""
            yield items if isinstance(items, list) else []
            previous, token = token, meta.get("continue")
            if not token:
                return
            if token == previous:
                raise ClusterError(f"the API server repeated its continue token {what}")

    # --- reading --------------------------------------------------------------------------------

    def _events(
        self,
        namespace: Optional[str],
        field_selector: Optional[str] = None,
        index: Optional[EventIndex] = None,
        label: str = "events",
    ) -> tuple[EventIndex, bool]:
        """Events indexed by pod and node; False when they could not be read."""
        index = index if index is not None else EventIndex()
        path = (
            "/api/v1/events" if namespace is None else f"/api/v1/namespaces/{_q(namespace)}/events"
        )
        where = "cluster-wide" if namespace is None else f"in namespace {namespace}"
        try:
            for items in self.pages(
                path, {"fieldSelector": field_selector}, f"listing events {where}"
            ):
                for e in items:
                    if isinstance(e, dict) and (
                        e.get("type") == "Warning" or e.get("reason") in USEFUL_EVENTS
                    ):
                        slim = {k: e[k] for k in EVENT_KEYS if k in e}
                        meta = e.get("metadata")
                        if isinstance(meta, dict) and meta.get("uid"):
                            slim["metadata"] = {"uid": meta["uid"]}  # de-duplication
                        index.add(slim)
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
        self, namespace: Optional[str], selector: Optional[str], include_healthy: bool
    ) -> Iterator[Pod]:
        """Evidence is built page by page and the raw page dropped, so memory follows the pods
        with something to say, not the size of the cluster."""
        where = "cluster-wide" if namespace is None else f"in namespace {namespace}"
        path = "/api/v1/pods" if namespace is None else f"/api/v1/namespaces/{_q(namespace)}/pods"
        events, events_known = self._events(namespace)
        observed = datetime.now(timezone.utc)
        built: dict[str, Pod] = {}
        needs_more: set[str] = set()  # pods whose node and Job may change the diagnosis
        owner_keys: dict[str, tuple[str, str, str, str]] = {}
        listed: Counter = Counter()  # pods listed per owner: a workload's "3 of 5 pods"
        counted: set[str] = set()
        gc_was_enabled = gc.isenabled()
        gc.disable()  # a page is 500 fresh dicts trees without cycles: the collector only slows it
        try:
            for items in self.pages(path, {"labelSelector": selector}, f"listing pods {where}"):
                chosen = [p for p in items if isinstance(p, dict)]
                keys = [census_key(p) for p in chosen]
                for p, k in zip(chosen, keys):  # a list restarted after 410 sends pods again
                    uid = _uid(p)
                    if uid not in counted:
                        counted.add(uid)
                        listed[k] += 1
                flags = [needs_diagnosis(p, events.warned(p)) for p in chosen]
                keys = [k for k, f in zip(keys, flags) if f or include_healthy]
                chosen = [p for p, f in zip(chosen, flags) if f or include_healthy]
                flags = [f for f in flags if f or include_healthy]
                del items
                assembled = assemble(chosen, events, events_known=events_known, observed=observed)
                for pod, flag, owner_key in zip(assembled, flags, keys):
                    key = pod.uid or f"{pod.namespace}/{pod.name}"
                    built[key] = pod
                    owner_keys[key] = owner_key
                    if flag:
                        needs_more.add(key)
                del chosen
        finally:
            if gc_was_enabled:
                gc.enable()
        wanted = [built[k] for k in needs_more]
        nodes = self._nodes(
            {p.node_name for p in wanted if p.node_name}, events, namespace is None and events_known
        )
        jobs = self._jobs({(p.namespace, str(_job_of(p))) for p in wanted if _job_of(p)})
        replicasets = self._controllers(
            "ReplicaSet",
            {
                (p.namespace, p.owner.name)
                for p in wanted
                if p.owner and p.owner.kind == "ReplicaSet"
            },
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
                workload=resolve(owner_keys[key], owners),
            )
        self.census = Counter()
        for owner_key, count in listed.items():
            self.census[resolve(owner_key, owners)] += count
        self._sweep_logs(built, needs_more)
        return iter(list(built.values()))

    def _sweep_logs(self, built: dict[str, Pod], keys: set[str]) -> None:
        """Previous logs where they can change or sharpen a verdict: at most SWEEP_LOGS, a few
        at a time; ``--logs 0`` reads none."""
        if self.log_lines <= 0:
            return
        wanted = [(k, t) for k in sorted(keys) for t in logreader.targets(built[k], True)]
        if len(wanted) > logreader.SWEEP_LOGS:
            self.warn(
                f"{len(wanted)} containers have logs that could sharpen their diagnosis; "
                f"{logreader.SWEEP_LOGS} were read (exitwhy pod NAME reads the rest)"
            )
            wanted = wanted[: logreader.SWEEP_LOGS]
        tails = logreader.read(
            self._raw,
            [t for _, t in wanted],
            self.log_lines,
            self.warn,
            logreader.SWEEP_CONCURRENCY,
        )
        for key in {k for k, _ in wanted}:
            pod = built[key]
            built[key] = with_logs(pod, tails.get((pod.namespace, pod.name), {}))

    def _raw(self, path: str, query: dict, what: str) -> bytes:
        """A log read: one try, bounded on its own (a kubelet that does not answer must not
        hold the diagnosis back)."""
        bound = min(self.timeout or logreader.LOG_TIMEOUT, logreader.LOG_TIMEOUT)
        return self.get(path, query, what, raw=True, timeout=bound, tries=1)

    def _nodes(self, wanted: set[str], events: EventIndex, have_node_events: bool) -> dict:
        names = sorted(wanted)
        if not names:
            return {}
        if not have_node_events:  # namespace sweeps: node events live outside the namespace
            selector = "involvedObject.kind=Node"
            if len(names) == 1:
                selector += f",involvedObject.name={names[0]}"
            self._events(None, selector, events, label="node events")
        nodes = {}
        if len(names) > 20:
            try:
                for items in self.pages("/api/v1/nodes", {}, "listing nodes"):
                    for n in items:
                        meta = n.get("metadata") if isinstance(n, dict) else None
                        name = meta.get("name") if isinstance(meta, dict) else None
                        if name in names:
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
        events, events_known = self._events(ns, f"involvedObject.name={name}")
        spec: dict = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
        node_name = spec.get("nodeName")
        nodes = {}
        if isinstance(node_name, str) and node_name:
            nodes = self._nodes({node_name}, events, False)
        owner = job_name(obj)
        jobs = self._jobs({(str(meta.get("namespace", ns)), owner)} if owner else set())
        if owner and not jobs and events_known:  # the Job could not be read: its events may say
            self._events(ns, f"involvedObject.kind=Job,involvedObject.name={owner}", events)
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
        tails = logreader.read(
            self._raw, logreader.targets(pod, False), self.log_lines, warnings.append
        )
        pod = with_logs(pod, tails.get((pod.namespace, pod.name), {}))
        return replace(pod, warnings=tuple(warnings)) if warnings else pod

    def neighbours(self, pod: Pod) -> list[Pod]:
        """The other pods on the pod's node that ended a container, status alone (one list, no
        events): enough to see several workloads killed there within minutes."""
        if not pod.node_name:
            return []
        found = []
        try:
            for items in self.pages(
                "/api/v1/pods",
                {"fieldSelector": f"spec.nodeName={pod.node_name}"},
                f"listing pods on node {pod.node_name}",
            ):
                found += [p for p in items if isinstance(p, dict) and _ended(p)]
        except Unreachable:
            raise
        except ClusterError as err:
            self.warn(f"the other pods on node {pod.node_name} could not be read ({err.message})")
            return []
        others = [p for p in found if _uid(p) != (pod.uid or f"{pod.namespace}/{pod.name}")]
        return list(assemble(others, EventIndex(), events_known=False, nodes={}))

    def _not_found(self, name: str, ns: str) -> str:
        message = f'pod "{name}" not found in namespace {ns}'
        try:
            names = [
                str((p.get("metadata") or {}).get("name"))
                for items in self.pages(f"/api/v1/namespaces/{_q(ns)}/pods", {}, "listing pods")
                for p in items
                if isinstance(p, dict)
            ]
        except ClusterError:
            return message
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        if close:
            message += f"; did you mean {', '.join(close)}?"
        return message


def _ended(pod: dict) -> bool:
    """A container of the pod terminated (now or last time)."""
    status = pod.get("status")
    for key in ("initContainerStatuses", "containerStatuses"):
        statuses = status.get(key) if isinstance(status, dict) else None
        for cs in statuses if isinstance(statuses, list) else []:
            if not isinstance(cs, dict):
                continue
            for where in (cs.get("state"), cs.get("lastState")):
                if isinstance(where, dict) and where.get("terminated"):
                    return True
    return False


def _uid(pod: dict) -> str:
    meta = pod.get("metadata")
    if not isinstance(meta, dict):
        return str(id(pod))
    uid = meta.get("uid")
    return uid if isinstance(uid, str) and uid else f"{meta.get('namespace')}/{meta.get('name')}"


def _owned_by(pod: Pod, kind: str) -> bool:
    return pod.owner is not None and pod.owner.kind == kind and bool(pod.owner.name)


def _job_of(pod: Pod) -> Optional[str]:
    """The name of the Job that owns the pod, if one does."""
    if pod.owner is not None and pod.owner.kind == "Job" and pod.owner.name:
        return pod.owner.name
    return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _send(client: Any, path: str, params: list, accept: str, timeout: Optional[float]):
    """One GET through the client's ApiClient: (status, body bytes, header getter). Raw bytes,
    never model objects. kubernetes >= 37 splits the call in param_serialize + call_api; older
    clients take it in one call_api and raise ApiException on error statuses. The timeout goes
    as a (connect, read) pair: older clients ignore a float."""
    limit = (timeout, timeout) if timeout else None
    if hasattr(client, "param_serialize"):
        method, url, headers, _, _ = client.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params={"Accept": accept},
            auth_settings=["BearerToken"],
        )
        response = client.call_api(method, url, header_params=headers, _request_timeout=limit)
        return response.status, response.read(), response.getheader
    from kubernetes.client.exceptions import ApiException

    try:
        raw = client.call_api(
            path,
            "GET",
            query_params=params,
            header_params={"Accept": accept},
            auth_settings=["BearerToken"],
            _preload_content=False,
            _request_timeout=limit,
            _return_http_data_only=True,
        )
    except ApiException as err:
        if not err.status:  # TLS and other failures before an answer
            raise
        body = err.body if isinstance(err.body, bytes) else str(err.body or "").encode()
        headers = err.headers or {}
        return err.status, body, headers.get
    return raw.status, raw.data, raw.getheader


def _open(client: Any, path: str, params: list, timeout: tuple) -> Any:
    """A GET whose body is read as it comes: the urllib3 response."""
    if hasattr(client, "param_serialize"):
        method, url, headers, _, _ = client.param_serialize(
            "GET",
            path,
            query_params=params,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        return client.call_api(
            method, url, header_params=headers, _request_timeout=timeout
        ).response
    return client.call_api(
        path,
        "GET",
        query_params=params,
        header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _request_timeout=timeout,
        _return_http_data_only=True,
    )


def _q(value: str) -> str:
    return quote(value, safe="")


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _api_exception():
    from kubernetes.client.exceptions import ApiException

    return ApiException


def _connection_error(server: str, reason: Any) -> ClusterError:
    return Unreachable(_connection_text(server, reason))


def _connection_text(server: str, reason: Any) -> str:
    text = str(reason)
    if "SSL" in text or "CERTIFICATE" in text.upper():
        return (
            f"TLS failed with the API server at {server}: the certificate could "
            "not be verified (check certificate-authority in the kubeconfig)"
        )
    if "refused" in text.lower() or "NewConnectionError" in text or "Failed to establish" in text:
        return f"cannot reach the API server at {server}: connection refused"
    if "timed out" in text.lower():
        return f"cannot reach the API server at {server}: the connection timed out"
    first = text.strip().splitlines()[0][:200] if text.strip() else "no reason given"
    return f"cannot reach the API server at {server}: {first}"


def _connect(kubeconfig: Optional[str], context: Optional[str]):
    from kubernetes import config as kconfig
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration

    cfg = Configuration()
    # urllib3's own retries (3 by default, read timeouts included) would stretch every wait to
    # four times --request-timeout behind the plugin's back: the plugin retries by itself
    cfg.retries = False
    files = kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    paths = [p for p in files.split(os.pathsep) if p]
    have_file = any(os.path.exists(os.path.expanduser(p)) for p in paths)
    if kubeconfig and not os.path.exists(os.path.expanduser(kubeconfig)):
        raise ClusterError(f"kubeconfig {kubeconfig} does not exist")
    if not have_file and not kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
        try:
            kconfig.load_incluster_config(client_configuration=cfg)
        except kconfig.ConfigException as err:
            raise ClusterError(f"in-cluster configuration failed: {err}") from None
        ns_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
        try:
            with open(ns_file) as fh:
                namespace = fh.read().strip() or "default"
        except OSError:
            namespace = "default"
        return _client(ApiClient(cfg)), namespace, cfg.host
    if not have_file:
        raise ClusterError(
            "no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config)"
        )
    joined = os.pathsep.join(paths)
    try:
        contexts, active = kconfig.list_kube_config_contexts(config_file=joined)
    except (kconfig.ConfigException, OSError, ValueError) as err:
        raise ClusterError(f"the kubeconfig cannot be used: {_one(err)}") from None
    except Exception as err:  # yaml errors from a broken file; narrowed by message below
        if type(err).__module__.startswith("yaml"):
            raise ClusterError(f"the kubeconfig is not valid YAML: {_one(err)}") from None
        raise
    names = [c.get("name") for c in contexts or []]
    chosen = context or (active or {}).get("name")
    if not chosen:
        raise ClusterError("the kubeconfig has no current context: pass --context")
    if chosen not in names:
        raise ClusterError(
            f"context {chosen!r} is not in the kubeconfig (contexts: "
            f"{', '.join(str(n) for n in names) or 'none'})"
        )
    entry = next(c for c in contexts if c.get("name") == chosen)
    namespace = (entry.get("context") or {}).get("namespace") or "default"
    try:
        kconfig.load_kube_config(
            config_file=joined, context=chosen, client_configuration=cfg, persist_config=False
        )
    except (kconfig.ConfigException, OSError, ValueError) as err:
        raise ClusterError(f"context {chosen!r} cannot be used: {_one(err)}") from None
    return _client(ApiClient(cfg)), namespace, cfg.host


_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def user_agent() -> str:
    """``kubectl-exitwhy/<version> (<os>/<arch>)``, as kubectl names itself: an audit log can tell
    the plugin's reads apart."""
    import platform
    import sys

    from kubectl_exitwhy import __version__

    system = {"win32": "windows", "darwin": "darwin"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    return f"kubectl-exitwhy/{__version__} ({system}/{_ARCH.get(machine, machine)})"


def _client(client: Any) -> Any:
    client.user_agent = user_agent()
    return client


def _one(err: Exception) -> str:
    return " ".join(str(err).split())[:300]
