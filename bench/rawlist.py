"""The raw-HTTP floor: list every pod of the cluster page by page, and keep nothing.

This is the least work any Python client can do to read a whole cluster: ``http.client`` and
``ssl``, one keep-alive connection, ``limit=500`` pages, one ``orjson.loads`` per page (the
fastest JSON reader there is for Python; ``json.loads`` where orjson is not installed), the
garbage collector off for the whole run, the page dropped before the next is requested. It asks
for no compression: on one machine a compressed answer costs more to make and to unpack than it
saves. ``bench/run.py`` runs it
as its own process, exactly like the commands it is compared with, and also imports
``list_pages`` to find a pod with a termination for the ``pod NAME`` benchmark.

    python bench/rawlist.py --server https://127.0.0.1:PORT --token-file T --ca-file CA

prints the number of pods listed. The connection details are given as files (not read from the
kubeconfig) so that the floor does not pay for a YAML parser.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import ssl
import sys
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

__all__ = ["list_pages", "main"]

try:
    from orjson import loads as _loads
except ImportError:  # the floor without orjson: the standard library's reader
    _loads = json.loads


def _connect(server: str, ca_file: str | None, timeout: float) -> http.client.HTTPConnection:
    url = urlsplit(server)
    host = url.hostname or "127.0.0.1"
    if url.scheme == "https":
        context = ssl.create_default_context(cafile=ca_file)
        return http.client.HTTPSConnection(host, url.port or 443, timeout=timeout, context=context)
    return http.client.HTTPConnection(host, url.port or 80, timeout=timeout)


def list_pages(
    server: str,
    token: str,
    ca_file: str | None = None,
    *,
    path: str = "/api/v1/pods",
    limit: int = 500,
    timeout: float = 120.0,
) -> Iterator[dict[str, Any]]:
    """Yield each page of a chunked list as a parsed dict (a PodList with up to ``limit`` items)."""
    conn = _connect(server, ca_file, timeout)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    token_continue = ""
    try:
        while True:
            query = f"?limit={limit}"
            if token_continue:
                query += "&continue=" + quote(token_continue, safe="")
            conn.request("GET", path + query, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}{query}: HTTP {resp.status}: {body[:200]!r}")
            page = _loads(body)
            del body
            token_continue = (page.get("metadata") or {}).get("continue") or ""
            yield page
            del page  # keep nothing: the caller's loop variable is the only reference
            if not token_continue:
                return
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="https://host:port")
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--ca-file", help="PEM file of the cluster CA (https)")
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--path", default="/api/v1/pods")
    args = parser.parse_args(argv)
    gc.disable()  # pages are trees without cycles: the collector would only slow the floor
    with open(args.token_file, encoding="utf-8") as f:
        token = f.read().strip()
    count = 0
    for page in list_pages(args.server, token, args.ca_file, path=args.path, limit=args.limit):
        count += len(page.get("items") or ())
    sys.stdout.write(f"{count}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
