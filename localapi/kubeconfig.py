"""Write a real kubeconfig for the local server, with contexts for the failure modes.

Contexts (``local`` is current):

* ``local``: the server, namespace ``default``.
* ``local-prod``: the same cluster and user, namespace ``prod``.
* ``broken-tls``: the same server but the cluster has no ``certificate-authority-data``, so
  clients verify against the system roots and fail ("x509: certificate signed by unknown
  authority").
* ``bad-token``: a user whose bearer token is wrong: every request is a 401.
* ``unreachable``: a cluster on a port nothing listens on: connection refused.
"""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

import yaml

__all__ = ["CONTEXTS", "closed_port", "write_kubeconfig"]

CONTEXTS = ("local", "local-prod", "broken-tls", "bad-token", "unreachable")


def closed_port() -> int:
    """A local TCP port that was free a moment ago (nothing listens on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_kubeconfig(
    path: Path,
    server: str,
    token: str,
    ca_pem: bytes | None,
    unreachable_server: str | None = None,
) -> Path:
    if unreachable_server is None:
        scheme = server.split("://", 1)[0]
        unreachable_server = f"{scheme}://127.0.0.1:{closed_port()}"
    local: dict[str, str] = {"server": server}
    unreachable: dict[str, str] = {"server": unreachable_server}
    if ca_pem is not None:
        ca = base64.b64encode(ca_pem).decode()
        local["certificate-authority-data"] = ca
        unreachable["certificate-authority-data"] = ca
    no_ca_server = server.replace("http://", "https://", 1)
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [
            {"name": "local", "cluster": local},
            {"name": "local-no-ca", "cluster": {"server": no_ca_server}},
            {"name": "unreachable", "cluster": unreachable},
        ],
        "users": [
            {"name": "local-user", "user": {"token": token}},
            {"name": "bad-token-user", "user": {"token": "wrong-" + token[::-1]}},
        ],
        "contexts": [
            {
                "name": "local",
                "context": {"cluster": "local", "user": "local-user", "namespace": "default"},
            },
            {
                "name": "local-prod",
                "context": {"cluster": "local", "user": "local-user", "namespace": "prod"},
            },
            {
                "name": "broken-tls",
                "context": {"cluster": "local-no-ca", "user": "local-user", "namespace": "default"},
            },
            {
                "name": "bad-token",
                "context": {"cluster": "local", "user": "bad-token-user", "namespace": "default"},
            },
            {
                "name": "unreachable",
                "context": {"cluster": "unreachable", "user": "local-user", "namespace": "default"},
            },
        ],
        "current-context": "local",
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    return path
