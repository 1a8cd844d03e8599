"""localapi: a small, fast, read-only Kubernetes API server for tests, demos and benchmarks.

It serves Pods, Events, Nodes, Namespaces and Jobs (and pod logs) from JSON/YAML files or Python
dicts, over HTTPS with a bearer token, to the real ``kubectl`` and the official ``kubernetes``
Python client, through a kubeconfig it writes. Faults (403, 404, 410, 429, 500, slow, truncated)
can be injected per resource and namespace, and every request is logged.

    from localapi import LocalAPIServer
    with LocalAPIServer(data_dir=Path("examples")) as srv:
        srv.url, srv.kubeconfig, srv.token, srv.requests, srv.faults

Command line: ``python -m localapi --data examples --kubeconfig /tmp/kc.yaml``.
"""

from __future__ import annotations

from .faults import Fault, Faults
from .requestlog import RequestLog
from .server import LocalAPIServer
from .store import Store

__all__ = ["Fault", "Faults", "LocalAPIServer", "RequestLog", "Store"]
