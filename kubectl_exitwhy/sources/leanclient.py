"""What ``wire.py`` asks of the ``kubernetes`` package's ``ApiClient``, without importing
``api_client.py`` (pydantic, dateutil and the generated models: ~50 ms, before kubernetes 37
~0.2 s): ``param_serialize`` and ``call_api`` for a GET, ``rest_client`` (whose urllib3 pool
``overrides.instrument`` wraps) and ``user_agent``.

Nothing of the connection is the plugin's own: the pool is the package's ``RESTClientObject``,
built from the Configuration the kubeconfig loader filled (CA, client certificate and key,
``verify_ssl``, ``tls_server_name``, proxy, keep-alive, ``retries``), and the credentials are the
Configuration's ``auth_settings()``, which runs the loader's refresh hook (an exec plugin's or
OIDC token) as the ApiClient does. A GET is sent as the package's REST layer sends it (query
values quoted as ApiClient quotes them), and a TLS failure is the ``ApiException`` it raises.
"""

from __future__ import annotations

import threading
from typing import Any, Optional
from urllib.parse import quote


class LeanClient:
    def __init__(self, configuration: Any) -> None:
        from kubernetes.client import rest

        self.configuration = configuration
        self.rest_client = rest.RESTClientObject(configuration)
        self.default_headers: dict[str, str] = {}
        self.user_agent = "OpenAPI-Generator/python"  # connect.py names the plugin
        self._auth = threading.Lock()  # one token refresh at a time (requests run in threads)

    @property
    def user_agent(self) -> str:
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def param_serialize(
        self,
        method: str,
        resource_path: str,
        query_params: Any = None,
        header_params: Optional[dict] = None,
        auth_settings: Optional[list] = None,
        **_: Any,
    ) -> tuple:
        """(method, url, headers, body, post parameters), as ``ApiClient.param_serialize``."""
        headers = dict(header_params or {})
        headers.update(self.default_headers)
        given = query_params.items() if isinstance(query_params, dict) else query_params or ()
        queries = list(given)
        if auth_settings:
            with self._auth:
                settings = self.configuration.auth_settings()
            for name in auth_settings:
                setting = settings.get(name)
                if not setting:
                    continue
                if setting["in"] == "header":
                    headers[setting["key"]] = setting["value"]
                elif setting["in"] == "query":
                    queries.append((setting["key"], setting["value"]))
        url = self.configuration.host + resource_path
        if queries:
            url += "?" + "&".join(f"{k}={quote(_text(v))}" for k, v in queries)
        return method, url, headers, None, None

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Optional[dict] = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: Any = None,
    ) -> Any:
        """The request, its body not read (``.response``: the urllib3 response)."""
        import urllib3

        timeout = None
        if isinstance(_request_timeout, (int, float)):
            timeout = urllib3.Timeout(total=_request_timeout)
        elif isinstance(_request_timeout, tuple) and len(_request_timeout) == 2:
            timeout = urllib3.Timeout(connect=_request_timeout[0], read=_request_timeout[1])
        try:
            response = self.rest_client.pool_manager.request(
                method,
                url,
                fields={},
                timeout=timeout,
                headers=header_params or {},
                preload_content=False,
            )
        except urllib3.exceptions.SSLError as err:  # as the package's REST layer reports it
            from kubernetes.client.exceptions import ApiException

            raise ApiException(status=0, reason=f"{type(err).__name__}\n{err}") from None
        return _Sent(response)


class _Sent:
    """``call_api``'s answer: ``.response`` and ``.status``, as the package's RESTResponse."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.status = response.status


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        import json

        return json.dumps(value)
    return str(value)
