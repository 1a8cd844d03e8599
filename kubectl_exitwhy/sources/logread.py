"""How a live source reads a log (``logs.py`` decides which, and reports the failures).

The API server does not hold logs: it asks the kubelet of the pod's node, so a log read fails
in ways no other read does — the kubelet does not answer (its node is down, unreachable or
overloaded), the node is gone, the file was rotated away. Each read is one try, bounded by
``min(deadline, LOG_TIMEOUT)``; its failure says which of these it was, in words, and never
stops the run: the diagnosis stands without the log. A node whose kubelet did not answer in
time is not asked again in the same run (the pod view reads several logs on one node; a sweep
many).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional
from urllib.parse import quote

from kubectl_exitwhy.errors import ClusterError, NotFound, TimedOut
from kubectl_exitwhy.sources.logs import LOG_TIMEOUT

_KUBELET = ("10250", "dial tcp", "containerLogs", "i/o timeout", "no route to host", "kubelet")
_ROTATED = ("no such file or directory", "failed to try resolving symlinks", "log file")


class LogGate:
    """``gate(path, query, what)``: the log's bytes, or a ClusterError that says why not."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.nodes: dict[str, str] = {}  # log path → the pod's node
        self.silent: set[str] = set()  # nodes whose kubelet did not answer in time

    def expect(self, pods: Iterable[Any]) -> None:
        """Remember the nodes of the pods whose logs are about to be read."""
        for pod in pods:
            if pod.node_name:
                self.nodes[log_path(pod.namespace, pod.name)] = pod.node_name

    def __call__(self, path: str, query: dict, what: str) -> bytes:
        node = self.nodes.get(path)
        where = f"the kubelet on node {node}" if node else "the kubelet"
        if node in self.silent:
            raise ClusterError(f"{where} did not answer an earlier log read in time")
        bound = min(self.reader.timeout or LOG_TIMEOUT, LOG_TIMEOUT)
        try:
            return self.reader.get(path, query, what, raw=True, timeout=bound, tries=1)
        except TimedOut:
            if node:
                self.silent.add(node)
            raise ClusterError(
                f"{where} did not send it within {bound:g}s (is the node down, unreachable "
                "or overloaded?)"
            ) from None
        except NotFound as err:
            raise ClusterError(_gone(err.message, node)) from None
        except ClusterError as err:
            if err.unreachable or err.forbidden:
                raise
            raise ClusterError(_why(err.message, where)) from None


def log_path(namespace: str, pod: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/log"


def _gone(message: str, node: Optional[str]) -> str:
    if message.startswith("nodes "):
        return f"its node {node} is gone (404)" if node else "its node is gone (404)"
    if message.startswith("pods "):
        return "the pod is gone (404): it was deleted while exitwhy read it"
    return f"the API server has no such log (404: {message})"


def _why(message: str, where: str) -> str:
    lower = message.lower()
    if any(word in lower for word in _ROTATED):
        # "not found" makes logs.py say that no log is kept for the run, which is the truth
        return f"its log file was not found on the node (rotated or removed): {message}"
    if any(word.lower() in lower for word in _KUBELET) and "answered 5" in lower:
        return f"{where} did not answer: {message}"
    return message
