"""A kubeconfig user's exec credential plugin (``aws eks get-token``, ``gke-gcloud-auth-plugin``,
``kubelogin`` …), bounded and named when it fails.

The ``kubernetes`` package runs the plugin with ``subprocess.Popen(...).communicate()`` and no
timeout (``kubernetes/config/exec_provider.py``), when the kubeconfig is loaded and again when
its token expires; a plugin that hangs would hold the run for ever. It catches the plugin's
failure itself and only logs it (``logging.error`` on the root logger), then goes on without
credentials, so the user would see a bare 401 and a stray log line.

``install`` gives the package a ``Popen`` whose ``communicate`` waits at most the request
deadline (the plugin, and the processes it started, are then killed), and keeps the package's
log lines off stderr; each failure is recorded, and ``failure()`` says it in one sentence:
which plugin, and what it said on stderr (cleaned of control characters).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import types
from typing import Any, Optional

from kubectl_exitwhy.sanitize import clean_line

DEFAULT_LIMIT = 60.0  # seconds, as http.DEFAULT_TIMEOUT: a request's deadline without the flag


class _State:
    limit = DEFAULT_LIMIT
    plugin = ""  # the last plugin run
    failed = ""  # its failure, in words


def install(limit: Optional[float]) -> None:
    """Bound every plugin run from now on by ``limit`` seconds; forget earlier failures."""
    from kubernetes.config import exec_provider

    _State.limit, _State.failed = limit or DEFAULT_LIMIT, ""
    if not isinstance(getattr(exec_provider, "subprocess", None), types.SimpleNamespace):
        exec_provider.subprocess = types.SimpleNamespace(  # type: ignore[assignment]
            Popen=_BoundedPopen, PIPE=subprocess.PIPE
        )
    root = logging.getLogger()
    if not any(isinstance(f, _Quiet) for f in root.filters):
        root.addFilter(_Quiet())


def failure() -> str:
    """The last plugin failure in one sentence, or ""."""
    return _State.failed


class _Quiet(logging.Filter):
    """The kubeconfig loader's own log lines (``exec: process returned 1. …``): kept, not
    printed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.module not in ("kube_config", "exec_provider"):
            return True
        if _State.plugin and not _State.failed and record.levelno >= logging.ERROR:
            said = clean_line(record.getMessage()).removeprefix("exec: ")
            _State.failed = f"the credential plugin {_State.plugin} failed: {said[:300]}"
        return False


class _BoundedPopen(subprocess.Popen):
    def __init__(self, args: Any, **kwargs: Any) -> None:
        _State.plugin = _name(args)
        # its own process group, so that what it started dies with it; not when it talks to
        # the terminal (interactive login): it must stay in the foreground there
        self._group = os.name == "posix" and kwargs.get("stdin") is None
        if self._group:
            kwargs["start_new_session"] = True
        try:
            super().__init__(args, **kwargs)
        except OSError as err:
            _State.failed = (
                f"the credential plugin {_State.plugin} could not be started: "
                f"{clean_line(err.strerror or str(err))}"
            )
            raise

    def communicate(self, input: Any = None, timeout: Optional[float] = None) -> Any:  # noqa: A002
        try:
            out, err = super().communicate(input, timeout=_State.limit)
        except subprocess.TimeoutExpired:
            self._stop()
            _State.failed = (
                f"the credential plugin {_State.plugin} did not finish within "
                f"{_State.limit:g}s; it was stopped (does it wait for a login or the network?)"
            )
            raise
        if self.returncode:
            said = clean_line(err if isinstance(err, str) else "")[:300]
            _State.failed = (
                f"the credential plugin {_State.plugin} failed (exit {self.returncode})"
                f"{': ' + said if said else ' and said nothing'}"
            )
        return out, err

    def _stop(self) -> None:
        try:
            if self._group:
                os.killpg(self.pid, signal.SIGKILL)
            else:
                self.kill()
        except OSError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired, OSError, ValueError):
            super().communicate(timeout=1)


def _name(args: Any) -> str:
    first = args[0] if isinstance(args, (list, tuple)) and args else str(args)
    words = [os.path.basename(str(first))]
    if words[0].startswith("python") and isinstance(args, (list, tuple)) and len(args) > 1:
        words.append(os.path.basename(str(args[1])))
    return clean_line(" ".join(words))[:80] or "(unnamed)"
