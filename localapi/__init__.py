"""localapi: a small, fast, read-only Kubernetes API server for tests, demos and benchmarks.

It serves Pods, Events, Nodes, Namespaces, Jobs, CronJobs, ReplicaSets, Deployments,
StatefulSets and DaemonSets (and pod logs) from JSON/YAML files or Python dicts, over HTTPS with
a bearer token, to the real ``kubectl`` and the official ``kubernetes`` Python client, through a
kubeconfig it writes. Faults (403, 404, 410, 429, 500, slow, truncated; and the network's: a
reset connection, an HTML login page, a redirect, a trickling or endless body, continue tokens
in a circle) can be injected per resource and namespace, and every request is logged. Nothing
changes it over HTTP, but a test can change it while it serves (``apply``, ``delete``,
``compact``, ``drop_watches``), and watches see every change as the apiserver's watch cache
sends it: in order, from a resourceVersion, with BOOKMARKs, and 410 Expired for a
resourceVersion older than the history.

    from localapi import LocalAPIServer
    with LocalAPIServer(data_dir=Path("examples")) as srv:
        srv.url, srv.kubeconfig, srv.token, srv.requests, srv.faults
        srv.apply(pod)  # kubectl get pods -w sees it at once

Command line: ``python -m localapi --data examples --kubeconfig /tmp/kc.yaml``.

The parts, from the wire in: ``server`` (``LocalAPIServer``), ``httpd`` (HTTP/1.1, TLS, chunked
watches), ``api`` (dispatch, lists, gets), ``routes``, ``responses``, ``podlogs``, ``watch``,
``tables`` with ``printers``/``workload_printers``/``cells``, ``discovery``, ``faults`` (with
``wirefaults``), ``requestlog``; the data: ``store`` with ``resources``, ``entry``, ``view``,
``watchcache``, ``loading``, ``selectors``; and ``generate`` (a synthetic cluster), ``tls``,
``kubeconfig``.
"""

from __future__ import annotations

from .faults import Fault, Faults
from .requestlog import RequestLog
from .server import LocalAPIServer
from .store import Store

__all__ = ["Fault", "Faults", "LocalAPIServer", "RequestLog", "Store"]
