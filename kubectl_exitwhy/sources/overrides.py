"""kubectl's global flags on the connection: ``--user`` and ``--cluster`` pick other kubeconfig
entries for the context; ``--server``, ``--token``, ``--certificate-authority``,
``--client-certificate``, ``--client-key``, ``--insecure-skip-tls-verify`` and
``--tls-server-name`` replace what the kubeconfig says; ``--as``, ``--as-group`` (each group
its own header, as client-go sends them) and ``--as-uid`` impersonate; ``-v 6`` and above
trace each request on stderr (method, URL, status, time: never a header's value that
authenticates).

``flags`` is ``grammar.connection``'s dict: ``as``, ``as_group``, ``as_uid``, ``user``,
``cluster``, ``server``, ``token``, ``certificate_authority``, ``client_certificate``,
``client_key``, ``insecure_skip_tls_verify``, ``tls_server_name``, ``v``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from typing import Any, Mapping, Optional

from kubectl_exitwhy.errors import ClusterError

Flags = Mapping[str, Any]
TRACE_LEVEL = 6


def picks_entries(flags: Optional[Flags]) -> bool:
    """--user or --cluster: the context's user or cluster is replaced before loading."""
    return bool(flags and (flags.get("user") or flags.get("cluster")))


def load(config_file: str, context: str, cfg: Any, flags: Flags) -> None:
    """``load_kube_config`` with the context's user and cluster replaced by the named ones."""
    from kubernetes.config import kube_config

    loader = kube_config._get_kube_config_loader(
        filename=config_file, active_context=context, persist_config=False
    )
    for key, section, what in (("user", "users", "user"), ("cluster", "clusters", "cluster")):
        name = flags.get(key)
        if not name:
            continue
        entry = loader._config[section].get_with_name(name, safe=True)
        if not entry:
            raise ClusterError(f"{what} {name!r} is not in the kubeconfig (--{key})")
        setattr(loader, f"_{what}", entry[what])
    loader.load_and_set(cfg)


def apply(cfg: Any, flags: Optional[Flags]) -> Any:
    """The flags that replace the kubeconfig's settings, on the client configuration. The
    kubeconfig loader's token refresh hook copies its own settings back before each request
    (and puts itself back as the hook): the flags are applied again after it."""
    if not flags:
        return cfg
    _set(cfg, flags)
    hook = cfg.refresh_api_key_hook
    if hook is not None:

        def refresh(config: Any) -> None:
            hook(config)  # which also puts itself back as the hook
            _set(config, flags)
            config.refresh_api_key_hook = refresh

        cfg.refresh_api_key_hook = refresh
    return cfg


def _set(cfg: Any, flags: Flags) -> None:
    if flags.get("server"):
        cfg.host = str(flags["server"]).rstrip("/")
    if flags.get("token"):
        cfg.api_key = {"BearerToken": f"Bearer {flags['token']}"}
        cfg.refresh_api_key_hook = None
    for flag, attr in (
        ("certificate_authority", "ssl_ca_cert"),
        ("client_certificate", "cert_file"),
        ("client_key", "key_file"),
    ):
        path = flags.get(flag)
        if path:
            if not os.path.isfile(os.path.expanduser(path)):
                raise ClusterError(f"--{flag.replace('_', '-')} {path}: no such file")
            setattr(cfg, attr, os.path.expanduser(path))
    if flags.get("insecure_skip_tls_verify"):
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        cfg.verify_ssl = False
        cfg.ssl_ca_cert = None
    if flags.get("tls_server_name"):
        cfg.tls_server_name = flags["tls_server_name"]


def instrument(client: Any, flags: Optional[Flags]) -> Any:
    """Impersonation headers and request tracing, under the client's own requests."""
    headers = impersonation(flags or {})
    level = int((flags or {}).get("v") or 0)
    rest = getattr(client, "rest_client", None)
    if rest is not None and (headers or level >= TRACE_LEVEL):
        rest.pool_manager = _Pool(rest.pool_manager, headers, level)
    return client


def impersonation(flags: Flags) -> list[tuple[str, str]]:
    if not flags.get("as"):
        return []
    headers = [("Impersonate-User", str(flags["as"]))]
    headers += [("Impersonate-Group", str(g)) for g in flags.get("as_group") or ()]
    if flags.get("as_uid"):
        headers.append(("Impersonate-Uid", str(flags["as_uid"])))
    return headers


def trace(message: str) -> None:
    """One line on stderr, as klog writes it (``I1130 03:16:19.994414  4846 ...``)."""
    now = datetime.now()
    from kubectl_exitwhy import progress

    progress.clear()  # a sweep's progress line: the trace takes its place
    sys.stderr.write(f"I{now:%m%d %H:%M:%S.%f} {os.getpid():>7} exitwhy] {message}\n")


class _Pool:
    """The client's urllib3 pool manager, adding headers (repeated ones too) and tracing."""

    def __init__(self, pool: Any, headers: list[tuple[str, str]], level: int) -> None:
        self._pool, self._headers, self._level = pool, headers, level

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        import urllib3

        if self._headers:
            merged = urllib3.HTTPHeaderDict(kwargs.get("headers") or {})
            for name, value in self._headers:
                merged.add(name, value)
            kwargs["headers"] = merged
        if self._level < TRACE_LEVEL:
            return self._pool.request(method, url, *args, **kwargs)
        started = time.monotonic()
        try:
            response = self._pool.request(method, url, *args, **kwargs)
        except Exception as err:
            took = int((time.monotonic() - started) * 1000)
            trace(f"{method} {url} failed in {took} milliseconds: {type(err).__name__}")
            raise
        took = int((time.monotonic() - started) * 1000)
        reason = getattr(response, "reason", "") or ""
        trace(f"{method} {url} {response.status} {reason} in {took} milliseconds".rstrip())
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)
