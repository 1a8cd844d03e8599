"""Looking things up by name for the commands around a sweep: does a workload or node exist
(a typo must not read as a healthy workload), which namespace holds a pod (``pod NAME -A``), the
other pods that ended on a pod's node (the pod view's neighbours), and close names for a pod
that is not found. A mixin of ``ClusterSource`` (``cluster.py``): it uses its ``get``, ``pages``
and ``warn``.
"""

from __future__ import annotations

import difflib
from typing import Any, Optional

from kubectl_exitwhy.errors import ClusterError, UsageError
from kubectl_exitwhy.evidence import Condition, Pod, job_failed
from kubectl_exitwhy.sources import controllers
from kubectl_exitwhy.sources.http import ApiReader, NotFound, Unreachable, _q
from kubectl_exitwhy.sources.join import EventIndex, assemble
from kubectl_exitwhy.targets import GROUPS, Target

CHECKED = 20  # controllers a sweep reads to tell a refusal that still holds from an old one
_CONTROLLER_PATHS = {
    "ReplicaSet": ("/apis/apps/v1", "replicasets"),
    "StatefulSet": ("/apis/apps/v1", "statefulsets"),
    "DaemonSet": ("/apis/apps/v1", "daemonsets"),
    "Job": ("/apis/batch/v1", "jobs"),
    "ReplicationController": ("/api/v1", "replicationcontrollers"),
}


class Lookups(ApiReader):
    def exists(self, target: Target, namespace: Optional[str]) -> Optional[bool]:
        """Whether the workload or node a sweep found no pods of exists (a typo must not read
        as a healthy workload): one GET of its metadata (with -A, one list by name); None when
        that cannot tell (refused)."""
        plural = target.kind.lower() + "s"
        group = f"/apis/{GROUPS[target.kind]}/v1" if target.kind != "Node" else "/api/v1"
        if target.kind != "Node" and namespace is None:  # -A: one list, by name
            found = self._lookup(
                f"{group}/{plural}",
                f"looking for {target.ref} in every namespace",
                {"fieldSelector": f"metadata.name={target.name}", "limit": 1},
                accept=controllers.METADATA_ONLY["list"],
            )
            if found is False or found is None:
                return found
            return bool(found.get("items")) if isinstance(found, dict) else False
        where = f"/namespaces/{_q(namespace)}" if namespace and target.kind != "Node" else ""
        path = f"{group}{where}/{plural}/{_q(target.name)}"
        obj = self._lookup(path, f"getting {target.ref}", accept=controllers.METADATA_ONLY["get"])
        return obj if obj is False or obj is None else True

    def failed_job(self, name: str, namespace: Optional[str]) -> Optional[tuple[str, Condition]]:
        """(its namespace, how it failed) for a Job of that name that failed: one GET of it
        (with -A, one list by name, every namespace's); None where none did, none exists or
        it could not be read."""
        try:
            if namespace is None:
                found = self.get(
                    "/apis/batch/v1/jobs",
                    {"fieldSelector": f"metadata.name={name}"},
                    f"looking for job/{name} in every namespace",
                )
                items = found.get("items") if isinstance(found, dict) else None
                jobs = [j for j in items if isinstance(j, dict)] if isinstance(items, list) else []
            else:
                path = f"/apis/batch/v1/namespaces/{_q(namespace)}/jobs/{_q(name)}"
                jobs = [self.get(path, None, f"getting job/{name}")]
        except Unreachable:
            raise
        except ClusterError:  # NotFound among them
            return None
        for job in jobs:
            if not isinstance(job, dict):
                continue
            failed = job_failed(job, name, ())
            if failed is not None:
                meta = job.get("metadata")
                ns = meta.get("namespace") if isinstance(meta, dict) else None
                return (ns if isinstance(ns, str) else namespace or ""), failed
        return None

    def still_wants(self, key: tuple[str, str, str]) -> Optional[bool]:
        """Whether a controller that could not create pods still wants them: one GET of it
        (at most CHECKED a sweep); False once it is gone, None where it cannot be read."""
        from kubectl_exitwhy.correlate.unborn import still_wants  # a sweep's only

        kind, ns, name = key
        self._checked = getattr(self, "_checked", 0) + 1
        if self._checked > CHECKED or kind not in _CONTROLLER_PATHS:
            return None
        base, plural = _CONTROLLER_PATHS[kind]
        path = f"{base}/namespaces/{_q(ns)}/{plural}/{_q(name)}"
        obj = self._lookup(path, f"getting {kind.lower()}/{name}")
        if obj is False or obj is None:
            return obj
        return still_wants({**obj, "kind": kind} if isinstance(obj, dict) else obj)

    def _lookup(self, path: str, what: str, query: Optional[dict] = None, **kwargs: Any) -> Any:
        """The object (or list) at ``path``; False where it does not exist, None where it could
        not be read (refused, failed). A server that cannot be reached is raised."""
        try:
            return self.get(path, query, what, **kwargs)
        except NotFound:
            return False
        except Unreachable:
            raise
        except ClusterError:
            return None

    def locate(self, name: str) -> str:
        """The namespace of the pod of this name (``pod NAME -A``): one list, every namespace."""
        found = sorted(
            {
                str((p.get("metadata") or {}).get("namespace", ""))
                for items in self.pages(
                    "/api/v1/pods",
                    {"fieldSelector": f"metadata.name={name}"},
                    f"looking for pod {name} in every namespace",
                )
                for p in items
                if isinstance(p, dict)
            }
        )
        if not found:
            raise NotFound(f'pod "{name}" not found in any namespace')
        if len(found) > 1:
            raise UsageError(
                f"pod {name} is in {len(found)} namespaces ({', '.join(found)}): choose one with -n"
            )
        return found[0]

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
