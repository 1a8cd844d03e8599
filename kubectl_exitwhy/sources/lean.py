"""The ``kubernetes`` package's kubeconfig loader without the package's start-up cost, for the
pod view's fast path (``podview.py``): its imports take about 0.1 s, most of it urllib3 and
PyYAML, where ``import kubernetes.config`` takes about 0.25 s.

``import kubernetes.config`` runs ``kubernetes/__init__.py``, which imports the dynamic client,
watch, stream, utils, leader election and informers (and before kubernetes 37 every generated API
and model class), and ``kube_config.py`` binds oauthlib, requests_oauthlib (requests) and the
``ApiClient`` (pydantic, dateutil, the models) for what only an OIDC token refresh uses. Here the
package's own modules are still what reads the kubeconfig and makes the connection —
``kubernetes.config`` (kube_config, incluster_config, exec_provider),
``kubernetes.client.configuration`` and ``rest`` (the urllib3 pool with the TLS settings) — so
exec plugins, OIDC, client certificates, in-cluster config and TLS behave as they always do; but:

- ``kubernetes``, ``kubernetes.client`` and ``kubernetes.utils`` are registered as their packages
  without running their ``__init__``: their submodules load from them as usual, and any other name
  read from them first runs the real ``__init__`` (``_shell``), so nothing is ever missing;
- the oauthlib, requests_oauthlib and ApiClient that kube_config binds when it is imported are
  stand-ins that import the real ones when an OIDC refresh first uses them; so is the
  ``importlib.metadata`` urllib3 imports for its HTTP/2 opt-in (``_metadata_later``);
- the kubeconfig is parsed by libyaml when PyYAML has it (``with_libyaml``, lean or not), as
  ``-f`` files are;
- the data path needs no ApiClient: ``LeanClient`` (``leanclient.py``) is what ``wire.py`` uses.

Anything unexpected (another layout of the package) undoes what was registered, and ``load``
returns None: the caller then imports the package as usual.
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Any, Iterator, Optional, Tuple

SHELLS = ("kubernetes", "kubernetes.client", "kubernetes.utils")
# what kube_config.py imports at its top for an OIDC refresh alone
STAND_INS = ("oauthlib", "oauthlib.oauth2", "requests_oauthlib")


def load() -> Optional[Tuple[Any, Any, Any]]:
    """(``kubernetes.config``, ``LeanClient``, ``Configuration``), or None when the package
    cannot be loaded this way."""
    from kubectl_exitwhy.sources.leanclient import LeanClient

    loaded = sys.modules.get("kubernetes.config")
    if loaded is not None and "kube_config" in vars(loaded):  # already imported: use it
        from kubernetes.client.configuration import Configuration

        return loaded, LeanClient, Configuration
    before = set(sys.modules)
    try:
        return _load(), LeanClient, sys.modules["kubernetes.client.configuration"].Configuration
    except Exception:  # any surprise: the package's own import, as before
        for name in set(sys.modules) - before:
            if name.split(".")[0] in ("kubernetes", *STAND_INS):
                del sys.modules[name]
        return None


def _load() -> Any:
    import importlib

    shells = [_shell(name) for name in SHELLS if name not in sys.modules]
    client: Any = sys.modules["kubernetes.client"]
    with _metadata_later():  # urllib3, imported here, binds importlib.metadata.version
        configuration = importlib.import_module("kubernetes.client.configuration")
    lent = client in shells  # a client imported before (whole) keeps its own ApiClient
    if lent:
        client.Configuration = configuration.Configuration  # the real class: it may stay
        client.ApiClient = _api_client  # for kube_config's import only (below)
    stubs = {name: types.ModuleType(name) for name in STAND_INS if name not in sys.modules}
    if "oauthlib" in stubs and "oauthlib.oauth2" in stubs:
        stubs["oauthlib"].oauth2 = stubs["oauthlib.oauth2"]  # type: ignore[attr-defined]
    if "requests_oauthlib" in stubs:
        stubs["requests_oauthlib"].OAuth2Session = _oauth2_session  # type: ignore[attr-defined]
    sys.modules.update(stubs)
    try:
        config = importlib.import_module("kubernetes.config")
    finally:
        for name in stubs:
            sys.modules.pop(name, None)
        if lent:
            del client.ApiClient  # read again, it is the real class (the shell completes itself)
    kube_config = config.kube_config
    if "oauthlib" in stubs and kube_config.oauthlib is stubs["oauthlib"]:
        kube_config.oauthlib = _Later("oauthlib", "oauthlib.oauth2")
    return config


def with_libyaml(kube_config: Any) -> None:
    """kube_config.py's kubeconfig parsed by libyaml when PyYAML has it (``_Yaml``): both ways
    in, lean or not, so that both read a kubeconfig alike."""
    yaml = kube_config.yaml
    if not isinstance(yaml, _Yaml) and getattr(yaml, "CSafeLoader", None) is not None:
        kube_config.yaml = _Yaml(yaml)


def _shell(name: str) -> types.ModuleType:
    """The package ``name`` registered without running its ``__init__``."""
    import importlib
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package")
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def complete(attr: str) -> Any:
        """A submodule of that name, else the real ``__init__`` is run and the name read."""
        if attr.startswith("__"):
            raise AttributeError(attr)
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")
        vars(module).pop("__getattr__", None)
        loader.exec_module(module)
        return getattr(module, attr)

    module.__getattr__ = complete  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


@contextlib.contextmanager
def _metadata_later() -> Iterator[None]:
    """While it lasts, ``importlib.metadata`` is a stand-in that imports the real module when
    first used: urllib3 (``urllib3/http2/__init__.py``) imports ``version`` from it for an
    HTTP/2 opt-in alone, and the real module's import (zipfile, pathlib, csv ...) was ~5 ms of
    the pod view. ``version`` defers to the real function; any other name read from the
    stand-in imports the real module there and then, in its place."""
    name = "importlib.metadata"
    if name in sys.modules:
        yield
        return
    stand_in = types.ModuleType(name)

    def real() -> Any:
        import importlib

        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def version(distribution: str) -> str:
        return real().version(distribution)

    def other(attr: str) -> Any:
        if attr.startswith("__"):  # an import's own look (``__path__``): not a use
            raise AttributeError(attr)
        return getattr(real(), attr)

    stand_in.version = version  # type: ignore[attr-defined]
    stand_in.__getattr__ = other  # type: ignore[method-assign]
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


def _api_client(*args: Any, **kwargs: Any) -> Any:
    from kubernetes.client.api_client import ApiClient

    return ApiClient(*args, **kwargs)


def _oauth2_session(*args: Any, **kwargs: Any) -> Any:
    from requests_oauthlib import OAuth2Session

    return OAuth2Session(*args, **kwargs)


class _Later:
    """A module imported when first used (``oauthlib``, as ``import oauthlib.oauth2`` binds it)."""

    def __init__(self, name: str, submodule: str) -> None:
        self._name, self._submodule = name, submodule

    def __getattr__(self, attr: str) -> Any:
        import importlib

        importlib.import_module(self._submodule)
        return getattr(importlib.import_module(self._name), attr)


class _Yaml:
    """PyYAML as kube_config.py uses it, but ``safe_load`` parses with libyaml (the pure-Python
    scanner takes ~10 ms over a kubeconfig's base64 certificates, and the loader reads the file
    twice). What libyaml refuses is read again the pure-Python way, from the start of the same
    stream: an error says what it always said."""

    def __init__(self, yaml: Any) -> None:
        self._yaml = yaml

    def safe_load(self, stream: Any) -> Any:
        whole = isinstance(stream, (str, bytes))
        seekable = not whole and callable(getattr(stream, "seekable", None)) and stream.seekable()
        start = stream.tell() if seekable else None  # a pipe is read once, the usual way
        if whole or start is not None:
            try:
                return self._yaml.load(stream, Loader=self._yaml.CSafeLoader)
            except Exception:  # refused: the pure-Python parser says why, as always
                if start is not None:
                    stream.seek(start)
        return self._yaml.safe_load(stream)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._yaml, attr)
