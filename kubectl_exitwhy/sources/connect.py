"""Connecting: a kubeconfig context (or the in-cluster service account) made into the
``kubernetes`` package's ``ApiClient``, which does authentication (tokens, client certificates,
exec plugins) and TLS. The only place that reads the kubeconfig."""

from __future__ import annotations

import os
from typing import Any, Optional

from kubectl_exitwhy.errors import ClusterError
from kubectl_exitwhy.sources import credentials, overrides


def connect(
    kubeconfig: Optional[str],
    context: Optional[str],
    flags: Optional[Any] = None,
    timeout: Optional[float] = None,
    lean: bool = False,
):
    """``flags``: kubectl's global flags on the connection (``overrides.py``); ``timeout``:
    --request-timeout, which also bounds an exec credential plugin (``credentials.py``);
    ``lean``: the package's loader without its start-up cost (``lean.py``, the fast path)."""
    kconfig, ApiClient, Configuration = _package(lean)
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
        overrides.apply(cfg, flags)
        return _client(ApiClient(cfg), flags), namespace, cfg.host
    if not have_file and flags and flags.get("server"):  # kubectl --server URL --token T
        overrides.apply(cfg, flags)
        return _client(ApiClient(cfg), flags), "default", cfg.host
    if not have_file:
        raise ClusterError(
            "no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config)"
        )
    joined = os.pathsep.join(paths)
    try:
        contexts, active = kconfig.list_kube_config_contexts(config_file=joined)
    except (kconfig.ConfigException, OSError, ValueError) as err:
        raise ClusterError(f"the kubeconfig cannot be used: {one_line(err)}") from None
    except (TypeError, AttributeError, KeyError):  # a YAML list, a string …: not a kubeconfig
        raise ClusterError(
            f"{joined} is not a kubeconfig: expected a mapping whose clusters, contexts and "
            "users are lists of entries"
        ) from None
    except Exception as err:  # yaml errors from a broken file; narrowed by message below
        if type(err).__module__.startswith("yaml"):
            raise ClusterError(f"the kubeconfig is not valid YAML: {one_line(err)}") from None
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
    credentials.install(timeout)
    try:
        if overrides.picks_entries(flags):
            overrides.load(joined, chosen, cfg, flags or {})
        else:
            kconfig.load_kube_config(
                config_file=joined, context=chosen, client_configuration=cfg, persist_config=False
            )
    except (kconfig.ConfigException, OSError, ValueError, TypeError, AttributeError) as err:
        raise ClusterError(f"context {chosen!r} cannot be used: {one_line(err)}") from None
    if credentials.failure():  # the loader logs it and goes on without credentials: kubectl stops
        raise ClusterError(f"context {chosen!r} cannot be used: {credentials.failure()}")
    overrides.apply(cfg, flags)
    client = _client(ApiClient(cfg), flags)
    client.compression_disabled = _compression_disabled(kconfig, joined, chosen, flags)
    return client, namespace, cfg.host


def _compression_disabled(kconfig: Any, joined: str, context: str, flags: Optional[Any]) -> bool:
    """The context's cluster (or --cluster's) says ``disable-compression: true``: kubectl (1.26
    and later, client-go's ``Cluster.DisableCompression``) then asks for no gzip, where the
    network is fast enough that compressing costs more than it saves."""
    try:
        loader = kconfig.kube_config._get_kube_config_loader(
            filename=joined, active_context=context, persist_config=False
        )
        name = (flags or {}).get("cluster") or loader._current_context["context"].safe_get(
            "cluster"
        )
        entry = loader._config["clusters"].get_with_name(name, safe=True)
        return bool(entry) and entry["cluster"].safe_get("disable-compression") is True
    except Exception:  # a kubeconfig the loader already took cannot fail here; if it does: gzip
        return False


def _package(lean: bool) -> tuple[Any, Any, Any]:
    """``kubernetes.config``, the client class and ``Configuration``; the kubeconfig is parsed
    by libyaml either way (``lean.with_libyaml``)."""
    from kubectl_exitwhy.sources import lean as lean_loader

    loaded = lean_loader.load() if lean else None
    if loaded is None:
        from kubernetes import config as kconfig
        from kubernetes.client.api_client import ApiClient
        from kubernetes.client.configuration import Configuration

        loaded = kconfig, ApiClient, Configuration
    lean_loader.with_libyaml(loaded[0].kube_config)
    return loaded


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


def _client(client: Any, flags: Optional[Any] = None) -> Any:
    client.user_agent = user_agent()
    return overrides.instrument(client, flags)


def one_line(err: Exception) -> str:
    """An error as one line of at most 300 characters."""
    return " ".join(str(err).split())[:300]
