"""``LocalAPIServer``: the whole server, run in a background thread, and what tests do with it.

It wires the parts together (the store, faults, discovery, the API, the HTTP layer in
``httpd``), serves HTTPS with a certificate from a fresh cluster CA (``tls``) and a bearer
token, writes a kubeconfig that points at it (``kubeconfig``), and lets a test change the
cluster while it serves, inject faults and read the request log.

Usage::

    with LocalAPIServer(data_dir=Path("examples")) as srv:
        subprocess.run(["kubectl", "--kubeconfig", srv.kubeconfig, "get", "pods", "-A"])
        srv.faults.set("forbidden", "pods", "prod")
        print(srv.requests[-1])
"""

from __future__ import annotations

import http.client
import secrets
import shutil
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable, Mapping

from .api import API
from .discovery import Discovery
from .faults import Fault, Faults
from .httpd import LocalHTTPServer
from .kubeconfig import write_kubeconfig
from .requestlog import RequestLog
from .store import Store, resource_for
from .tls import make_certificates

__all__ = ["LocalAPIServer"]


class LocalAPIServer:
    """A read-only Kubernetes API server on 127.0.0.1, with a kubeconfig that points at it.

    ``data_dir``: a directory of ``*.json``/``*.yaml`` objects and Lists plus ``logs/``;
    ``objects``: more objects (dicts: Pods, Events, Nodes, Namespaces, Jobs or Lists of them);
    ``logs``: ``{(namespace, pod, container): text}`` for ``pods/log``;
    ``generate``/``seed``: add a synthetic cluster of that many pods (``localapi.generate``);
    ``tls``: HTTPS with a fresh CA (else plain HTTP); ``token``: the bearer token (random if
    None); ``kubeconfig_path``: where to write the kubeconfig (a temporary file if None);
    ``faults``: initial faults (``Fault`` objects or spec strings, see ``Fault.parse``);
    ``request_log``: also append every request record to this JSON-lines file;
    ``bookmark_interval``: seconds between watch BOOKMARK events (the real server: a minute);
    ``history_limit``: changes kept per resource for watches that resume from an RV.

    While it runs, tests change the cluster in-process: ``apply(obj)``, ``delete(kind, ns,
    name)``, ``add_log(...)``, ``compact()`` (forget the watch history) and ``drop_watches()``
    (cut every open watch connection). Lists, gets, tables and watches all see the change.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        objects: Iterable[Mapping[str, Any]] | None = None,
        tls: bool = True,
        token: str | None = None,
        kubeconfig_path: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        logs: Mapping[tuple[str, str, str], str | bytes] | None = None,
        generate: int = 0,
        seed: int = 0,
        faults: Iterable[Fault | str] | None = None,
        request_log: Path | str | None = None,
        store: Store | None = None,
        bookmark_interval: float = 60.0,
        history_limit: int | None = None,
        compression: bool = True,
    ) -> None:
        self.store = store if store is not None else Store()
        if history_limit is not None:
            self.store.history_limit = max(1, history_limit)
        self._bookmark_interval = bookmark_interval
        self._api: API | None = None
        if data_dir is not None:
            self.store.load_dir(data_dir)
        if objects is not None:
            self.store.add_all(objects)
        for (ns, pod, container), text in (logs or {}).items():
            self.store.add_log(ns, pod, container, text)
        if generate:
            from .generate import populate

            populate(self.store, generate, seed=seed)
        self.tls = tls
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.host = host
        self._port = port
        self._kubeconfig_path = Path(kubeconfig_path) if kubeconfig_path is not None else None
        self.faults = Faults(list(faults or ()))
        self.requests = RequestLog(request_log)
        self.compression = compression  # gzip as the apiserver does (``compression.py``)
        self.ca_pem: bytes | None = None
        self.kubeconfig: Path | None = None
        self._tmp: Path | None = None
        self._httpd: LocalHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> LocalAPIServer:
        if self._httpd is not None:
            return self
        self.store.freeze()
        self._stopping.clear()
        self._tmp = Path(tempfile.mkdtemp(prefix="localapi-"))
        ssl_context = None
        if self.tls:
            certs = make_certificates()
            self.ca_pem = certs.ca_pem
            ssl_context = certs.server_context(self._tmp)
        # discovery needs the address, the server needs the API: bind first, then wire up
        api = API(self.store, self.faults, Discovery(""), self.token, self._stopping)
        api.bookmark_interval = self._bookmark_interval
        self._api = api
        self._httpd = LocalHTTPServer(
            (self.host, self._port), api, self.requests, ssl_context, self._stopping
        )
        self._httpd.compression = self.compression
        api.discovery = Discovery(f"{self.host}:{self.port}")
        path = self._kubeconfig_path or self._tmp / "kubeconfig"
        self.kubeconfig = write_kubeconfig(path, self.url, self.token, self.ca_pem)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"localapi:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        self.store.wake()  # open watches see the stop at once and end their streams
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.requests.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> LocalAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- changing the cluster while it serves ---------------------------------------------------

    def apply(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace an object of any served kind (``Store.apply``); returns it as a GET
        would (with its new resourceVersion). Watchers are told at once."""
        entry = self.store.apply(obj)
        rt = resource_for(str(obj.get("kind")))
        return {"kind": rt.kind, "apiVersion": rt.api_version, **entry.object()}

    def delete(self, kind: str, namespace: str | None, name: str) -> bool:
        """Delete an object (``kind``: Pod, pods or po); False if there was none."""
        return self.store.delete(kind, namespace, name)

    def add_log(self, namespace: str, pod: str, container: str, text: str | bytes) -> None:
        """Set (or replace) a container's log for ``pods/log``."""
        self.store.add_log(namespace, pod, container, text)

    def compact(self) -> None:
        """Forget the watch history: a watch from an older resourceVersion gets 410 Expired."""
        self.store.compact()

    def drop_watches(self) -> int:
        """Cut every open watch connection abruptly (no closing chunk), as a network drop would;
        returns how many were open."""
        return self.store.drop_watches()

    @property
    def bookmark_interval(self) -> float:
        return self._bookmark_interval

    @bookmark_interval.setter
    def bookmark_interval(self, seconds: float) -> None:
        """Seconds between BOOKMARK events on watches that allow them (new watches and old)."""
        self._bookmark_interval = seconds
        if self._api is not None:
            self._api.bookmark_interval = seconds

    # --- facts ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate as a PEM file (while the server runs), or None without TLS."""
        return self._tmp / "ca.crt" if self.tls and self._tmp is not None else None

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """An ``SSLContext`` that trusts this server (None in plain-HTTP mode)."""
        if self.ca_pem is None:
            return None
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        token: str | None | bool = True,
        body: bytes | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw request on a fresh connection: ``(status, headers, body)``.

        ``token=True`` sends the server's token, ``False``/None sends none, a string sends it.
        """
        if self.tls:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=self.client_ssl_context()
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if token is True:
            hdrs["Authorization"] = f"Bearer {self.token}"
        elif isinstance(token, str):
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()
