"""gzip on the wire: the plugin asks for it as kubectl does, unpacks it within the deadline and
the body cap, refuses a gzip bomb with one sentence; localapi compresses as kube-apiserver does
(only when asked, only above 128 KiB, never a watch or a log). ``EXITWHY_NO_GZIP=1`` turns it
off, and the diagnosis is the same either way."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest

import builders
from builders import pod, status, terminated
from kubectl_exitwhy.sources import gunzip, wire
from kubectl_exitwhy.sources.gunzip import Unpacker, UnpackError

ROOT = Path(__file__).resolve().parent.parent
cluster = pytest.mark.cluster


# --- the unpacker ------------------------------------------------------------------------------


def _feed(data: bytes, encoding: str = "gzip", limit: int = 1 << 30, step: int = 7000) -> bytes:
    u = Unpacker(encoding, limit)
    for i in range(0, len(data), step):
        u.feed(data[i : i + step])
    return u.body()


def test_gzip_unpacks_in_any_chunking_and_plain_passes_through():
    body = json.dumps({"items": [{"n": i, "s": "x" * (i % 50)} for i in range(5000)]}).encode()
    packed = gzip.compress(body, compresslevel=1)
    for step in (1, 13, 4096, 1 << 20):
        assert _feed(packed, step=step) == body
    assert _feed(body, encoding="") == body
    assert _feed(body, encoding="identity") == body
    assert _feed(packed, encoding="X-GZIP") == body


def test_concatenated_members_read_as_one_stream_as_go_reads_them():
    assert _feed(gzip.compress(b"abc") + gzip.compress(b"def")) == b"abcdef"


def test_an_empty_body_is_empty_whatever_its_encoding_says():
    assert _feed(b"") == b""


@pytest.mark.parametrize(
    "data,kind",
    [
        (gzip.compress(b"x" * 100_000)[:-30], "truncated"),  # cut before the gzip trailer
        (b"not gzip at all, but says so", "bad_gzip"),
    ],
)
def test_broken_gzip_is_named(data, kind):
    with pytest.raises(UnpackError) as err:
        _feed(data)
    assert err.value.kind == kind


def test_an_encoding_not_asked_for_is_refused():
    with pytest.raises(UnpackError) as err:
        Unpacker("br", 100)
    assert err.value.kind == "encoding" and err.value.detail == "br"


def test_a_gzip_bomb_is_refused_as_it_passes_the_cap_never_held():
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = c.compress(b"\0" * (64 << 20)) + c.flush()
    assert len(bomb) < 100_000  # 64 MiB of zeros
    u = Unpacker("gzip", 8 << 20)
    with pytest.raises(UnpackError) as err:
        u.feed(bomb)
    assert err.value.kind == "too_big_unpacked"
    assert u.size <= (8 << 20) + gunzip.STEP and u.parts == []


def test_the_off_switch(monkeypatch):
    monkeypatch.delenv("EXITWHY_NO_GZIP", raising=False)
    assert gunzip.wanted()
    for value, on in (("1", False), ("yes", False), ("0", True), ("", True)):
        monkeypatch.setenv("EXITWHY_NO_GZIP", value)
        assert gunzip.wanted() is on


# --- a server that sends what it likes -----------------------------------------------------------


class _Rogue(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""
    encoding = "gzip"
    seen: list = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Accept-Encoding"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", self.encoding)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hangs up on a bomb: that is the point


@pytest.fixture
def rogue(tmp_path: Path) -> Iterator[tuple[type, Path]]:
    handler = type("Rogue", (_Rogue,), {"seen": []})
    server = _Quiet(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    url = f"http://127.0.0.1:{server.server_address[1]}"
    kubeconfig.write_text(builders.kubeconfig(url))
    yield handler, kubeconfig
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def _reader(kubeconfig: Path) -> Iterator[Any]:
    from kubectl_exitwhy.sources.cluster import ClusterSource

    source = ClusterSource(kubeconfig=str(kubeconfig), request_timeout=20)
    try:
        yield source
    finally:
        source.client.rest_client.pool_manager.clear()  # no socket left for the collector


def _get(kubeconfig: Path, what: str = "") -> Any:
    with _reader(kubeconfig) as source:
        return source.get("/api/v1/pods", what=what)


def test_the_reader_asks_for_gzip_and_unpacks_it(rogue, monkeypatch):
    handler, kubeconfig = rogue
    doc = {"kind": "PodList", "metadata": {}, "items": [{"metadata": {"name": "a" * 1000}}]}
    handler.body = gzip.compress(json.dumps(doc).encode())
    monkeypatch.delenv("EXITWHY_NO_GZIP", raising=False)
    assert _get(kubeconfig) == doc
    monkeypatch.setenv("EXITWHY_NO_GZIP", "1")
    assert _get(kubeconfig) == doc  # sent gzip unasked: still read
    assert handler.seen[0] == "gzip" and handler.seen[1] in (None, "identity")


def test_a_gzip_bomb_from_the_server_is_one_sentence(rogue, monkeypatch):
    from kubectl_exitwhy.errors import ClusterError

    handler, kubeconfig = rogue
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    handler.body = c.compress(b" " * (32 << 20)) + c.flush()
    monkeypatch.setattr(wire, "MAX_BODY", 4 << 20)
    with pytest.raises(ClusterError) as err:
        _get(kubeconfig, "listing pods")
    text = err.value.message
    assert "gzip-compressed answer listing pods unpacked past" in text and "\n" not in text
    assert text.count(". ") == 0 and "Traceback" not in text


def test_a_gzip_bomb_through_the_command_line_is_one_sentence(rogue):
    handler, kubeconfig = rogue
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = b""
    chunk = b"\0" * (16 << 20)
    for _ in range(20):  # 320 MiB unpacked, past the 256 MiB cap
        body += c.compress(chunk)
    handler.body = body + c.flush()
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-n", "prod", "--logs", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "KUBECONFIG": str(kubeconfig), "NO_COLOR": "1"},
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    *warnings, last = proc.stderr.strip().splitlines()  # events first: a warning, then the pods
    assert all(w.startswith("warning: events could not be read") for w in warnings)
    assert last.startswith("error: ") and "unpacked past 256 MiB and was refused" in last


def test_an_unknown_encoding_and_corrupt_gzip_are_one_sentence(rogue):
    from kubectl_exitwhy.errors import ClusterError

    handler, kubeconfig = rogue
    handler.encoding, handler.body = "br", b"\x1b\x00"
    with pytest.raises(ClusterError) as err:
        _get(kubeconfig, "listing pods")
    assert "came in the 'br' encoding" in err.value.message
    handler.encoding, handler.body = "gzip", b"\x1f\x8b garbage"
    with pytest.raises(ClusterError) as err:
        _get(kubeconfig, "listing pods")
    assert "does not unpack" in err.value.message and "EXITWHY_NO_GZIP=1" in err.value.message


# --- localapi compresses as kube-apiserver does --------------------------------------------------


def _objects() -> list[dict]:
    long = "x" * 2000
    return [
        pod(
            f"api-{i}",
            "prod",
            statuses=[status(last=terminated(1, message=long), restarts=1)],
        )
        for i in range(120)  # ~300 KiB as a list: past the threshold
    ]


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    logs = {("prod", "api-0", "app"): "line\n" * 60_000}
    with LocalAPIServer(objects=_objects(), logs=logs) as srv:
        yield srv


@cluster
def test_localapi_gzips_only_when_asked_and_only_above_128_kib(server):
    from localapi.compression import THRESHOLD

    path = "/api/v1/namespaces/prod/pods"
    plain_status, plain_headers, plain = server.request("GET", path)
    assert plain_status == 200 and "content-encoding" not in plain_headers
    assert len(plain) > THRESHOLD
    _, headers, packed = server.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip"
    assert headers.get("vary") == "Accept-Encoding"
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) // 4
    record = server.requests[-1]
    assert record["encoding"] == "gzip" and record["raw_bytes"] == len(plain)
    assert record["bytes"] == len(packed)
    for accept in ("deflate, br", "gzip;q=0.5", "identity"):  # the apiserver's exact tokens
        _, headers, _ = server.request("GET", path, headers={"Accept-Encoding": accept})
        assert "content-encoding" not in headers, accept
    _, headers, _ = server.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
    assert headers.get("content-encoding") == "gzip"
    small = f"{path}?limit=2"
    _, headers, body = server.request("GET", small, headers={"Accept-Encoding": "gzip"})
    assert len(body) <= THRESHOLD and "content-encoding" not in headers


@cluster
def test_localapi_sends_gzip_as_it_compresses_chunked_on_a_kept_connection(server):
    """As the apiserver's gzip.Writer writes into the response: no Content-Length, chunked,
    the first pieces out before the last are made; the connection then serves the next
    request. A wire fault's answer is still compressed whole (it needs the length)."""
    import http.client
    import zlib

    from localapi import compression

    path = "/api/v1/namespaces/prod/pods"
    conn = http.client.HTTPSConnection(
        server.host, server.port, timeout=10, context=server.client_ssl_context()
    )
    hdrs = {"Authorization": f"Bearer {server.token}", "Accept-Encoding": "gzip"}
    try:
        bodies = []
        for _ in range(2):  # the same connection twice: the chunked answer ended cleanly
            conn.request("GET", path, headers=hdrs)
            resp = conn.getresponse()
            assert resp.getheader("Content-Length") is None
            assert resp.getheader("Transfer-Encoding") == "chunked"
            assert resp.getheader("Content-Encoding") == "gzip"
            bodies.append(resp.read())
        assert bodies[0] == bodies[1]
        _, _, plain = server.request("GET", path)
        assert gzip.decompress(bodies[0]) == plain
    finally:
        conn.close()
    # made piece by piece: the first piece alone unpacks to about the body's first STEP bytes
    # (Z_BLOCK may hold back up to 7 bits: the last symbol, a match of up to 258 bytes)
    pieces = list(compression._pieces(plain))
    assert len(plain) > 2 * compression.STEP and len(pieces) > 2
    early = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(pieces[0])
    assert plain.startswith(early) and compression.STEP - 258 <= len(early) <= compression.STEP


@cluster
def test_localapi_answers_http_1_0_with_its_length(server):
    """HTTP/1.0 has no chunks: a gzip answer to it is compressed whole, with Content-Length."""
    import socket
    import ssl

    context = server.client_ssl_context()
    raw = socket.create_connection((server.host, server.port), timeout=10)
    with context.wrap_socket(raw, server_hostname=server.host) as conn:
        conn.sendall(
            b"GET /api/v1/namespaces/prod/pods HTTP/1.0\r\nHost: x\r\n"
            + f"Authorization: Bearer {server.token}\r\n".encode()
            + b"Accept-Encoding: gzip\r\n\r\n"
        )
        data = b""
        while True:
            try:
                got = conn.recv(1 << 16)
            except ssl.SSLError:
                break
            if not got:
                break
            data += got
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"content-encoding: gzip" in head.lower()
    assert b"transfer-encoding" not in head.lower()
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    assert len(body) == length and gzip.decompress(body).startswith(b'{"kind":"PodList"')


@cluster
def test_a_gzip_answer_cut_short_is_a_chunked_stream_that_stops(server):
    """The truncate fault on a gzip answer: half its chunks, no last chunk, the connection
    closed; the request log has the bytes that went out. The plugin says it was cut short."""
    import http.client

    fault = server.faults.set("truncate", "pods")
    try:
        conn = http.client.HTTPSConnection(
            server.host, server.port, timeout=10, context=server.client_ssl_context()
        )
        hdrs = {"Authorization": f"Bearer {server.token}", "Accept-Encoding": "gzip"}
        conn.request("GET", "/api/v1/namespaces/prod/pods", headers=hdrs)
        resp = conn.getresponse()
        assert resp.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead) as got:
            resp.read()
        conn.close()
        record = server.requests[-1]
        assert fault.hits == 1 and 0 < record["bytes"] == len(got.value.partial)
    finally:
        server.faults.clear()


@cluster
def test_localapi_never_gzips_a_watch_or_a_log(server):
    gz = {"Accept-Encoding": "gzip"}
    log = "/api/v1/namespaces/prod/pods/api-0/log?container=app"
    _, headers, body = server.request("GET", log, headers=gz)
    assert len(body) > 128 * 1024 and "content-encoding" not in headers
    watch = "/api/v1/namespaces/prod/pods?watch=true&timeoutSeconds=1"
    _, headers, body = server.request("GET", watch, headers=gz)
    assert len(body) > 128 * 1024 and "content-encoding" not in headers


@cluster
def test_a_sweep_reads_the_same_with_and_without_gzip(server):
    outputs, wire_bytes = [], []
    for env in ({}, {"EXITWHY_NO_GZIP": "1"}):
        mark = len(server.requests)
        proc = subprocess.run(
            [sys.executable, "-m", "kubectl_exitwhy", "-n", "prod", "-o", "json", "--logs", "0"],
            capture_output=True,
            text=True,
            env={**os.environ, "KUBECONFIG": str(server.kubeconfig), **env},
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(json.loads(proc.stdout))
        records = server.requests[mark:]
        wire_bytes.append(sum(r["bytes"] for r in records))
        assert any(r.get("encoding") == "gzip" for r in records) is not env
    for doc in outputs:
        for item in doc["items"]:
            for f in item["findings"]:
                f.pop("history", None)  # ages move between the two runs
    assert outputs[0]["items"] == outputs[1]["items"]
    assert wire_bytes[0] < wire_bytes[1] // 4


def test_a_cluster_with_disable_compression_is_asked_for_no_gzip(rogue, monkeypatch):
    """kubectl honours the kubeconfig's ``disable-compression: true`` (client-go's
    Cluster.DisableCompression): the plugin too, for that cluster only (and --cluster's)."""
    handler, kubeconfig = rogue
    doc = {"kind": "PodList", "metadata": {}, "items": []}
    handler.body, handler.encoding = json.dumps(doc).encode(), "identity"
    monkeypatch.delenv("EXITWHY_NO_GZIP", raising=False)
    text = kubeconfig.read_text()
    kubeconfig.write_text(text.replace("{server: '", "{disable-compression: true, server: '"))
    assert _get(kubeconfig) == doc
    kubeconfig.write_text(text.replace("{server: '", "{disable-compression: false, server: '"))
    assert _get(kubeconfig) == doc
    assert handler.seen[0] in (None, "identity") and handler.seen[1] == "gzip"
