"""``--watch`` through the real kubectl against the local API server: a container that dies
mid-watch is printed with its diagnosis as it happens; a dropped stream and a 410 are survived;
Ctrl-C ends it with exit status 0."""

from __future__ import annotations

import copy
import json
import os
import queue
import random
import re
import signal
import subprocess
import threading
import time

import pytest
from test_cluster import KUBECTL, plugin_dir

from builders import crashloop, pod, status, terminated

pytestmark = pytest.mark.cluster


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@pytest.fixture
def server():
    from localapi import LocalAPIServer

    base = [
        pod("web-1"),  # healthy now
        pod("api-1", statuses=[status(state=crashloop(), last=terminated(1), restarts=3)]),
    ]
    with LocalAPIServer(objects=base, bookmark_interval=1) as srv:
        yield srv


def _start(server, *args):
    env = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(server.kubeconfig),
        "NO_COLOR": "1",
    }
    proc = subprocess.Popen(
        [KUBECTL, "exitwhy", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    proc.lines = queue.Queue()  # type: ignore[attr-defined]

    def pump():
        for line in proc.stdout:
            proc.lines.put(line)  # type: ignore[attr-defined]
        proc.lines.put(None)  # type: ignore[attr-defined]

    threading.Thread(target=pump, daemon=True).start()
    return proc


def _line(proc, end):
    try:
        return proc.lines.get(timeout=max(0.0, end - time.monotonic()))
    except queue.Empty:
        return None


def _swept(proc, deadline=30.0):
    """Read the sweep's document; the watch starts from its list's resourceVersion, so
    whatever changes after this is reported."""
    end = time.monotonic() + deadline
    lines = []
    while (line := _line(proc, end)) is not None:
        lines.append(line)
        if line == "}\n":
            return json.loads("".join(lines))
    pytest.fail("the sweep never printed its document")


def _next_item(proc, deadline):
    """The next one-line JSON item the watch prints."""
    end = time.monotonic() + deadline
    while (line := _line(proc, end)) is not None:
        if line.startswith('{"namespace"'):
            return json.loads(line)
    return None


def _dies(server, name, reason="OOMKilled", code=137):
    dead = pod(
        name,
        statuses=[status(state=crashloop(), last=terminated(code, reason, finished=_now()),
                         restarts=1)],
    )  # fmt: skip
    dead["metadata"]["creationTimestamp"] = _now()
    server.apply(dead)
    return dead


def test_watch_prints_each_new_failure_survives_drops_and_410_and_ctrl_c_exits_0(server):
    proc = _start(server, "-n", "prod", "-w", "-o", "json")
    try:
        doc = _swept(proc)
        assert [i["pod"] for i in doc["items"]] == ["api-1"]
        changed = copy.deepcopy(pod("web-1"))
        changed["status"]["containerStatuses"] = [
            status(state=crashloop(), last=terminated(137, "OOMKilled", finished=_now()),
                   restarts=1)
        ]  # fmt: skip
        t0 = time.monotonic()
        server.apply(changed)
        item = _next_item(proc, 10)
        latency = time.monotonic() - t0
        assert item is not None, proc.stderr.read() if proc.poll() is not None else "no line"
        assert (item["pod"], item["findings"][0]["cause"]) == ("web-1", "oom_killed")
        assert latency < 1.0, latency  # the promise: within a second

        server.drop_watches()  # the stream is cut: the plugin watches again
        _dies(server, "web-2")
        item = _next_item(proc, 15)
        assert item is not None and item["pod"] == "web-2"

        server.compact()  # the version the plugin holds is now too old: 410, list again
        server.drop_watches()
        dead = _dies(server, "web-3", reason="Error", code=1)
        item = _next_item(proc, 15)
        assert item is not None and item["pod"] == "web-3"
        assert item["findings"][0]["cause"] == "app_error"

        # the same termination in another MODIFIED event (a label changed) is not news
        dead["metadata"]["labels"]["seen"] = "again"
        server.apply(dead)
        assert _next_item(proc, 1.5) is None
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_watch_needs_a_cluster(exitwhy, saved):
    run = exitwhy("-f", saved(pod()), "-w")
    assert run.status == 2 and "--watch" in run.err


def test_watch_one_pod_prints_its_next_failure_as_a_line(server):
    proc = _start(server, "pod", "web-1", "-n", "prod", "-w")
    try:
        end = time.monotonic() + 30
        while (line := _line(proc, end)) is not None and not line.startswith("Pod prod/web-1"):
            pass
        assert line is not None, "the pod view was not printed"
        _dies(server, "web-1")
        _dies(server, "web-9")  # another pod: not this watch's business
        end = time.monotonic() + 10
        seen = []
        while (line := _line(proc, end)) is not None:
            seen.append(line)
            if "prod/web-1" in line and "OOM-killed" in line:
                break
        assert any(re.match(r"^\S+Z  prod/web-1  app  critical  OOM-killed at limit: ", s)
                   for s in seen), seen  # fmt: skip
        assert not any("web-9" in s for s in seen)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err


def _started_on_a_port_with_410(make):
    for port in random.sample(range(41000, 41100), 100):
        try:
            return make(port).start()
        except OSError:  # taken
            continue
    pytest.skip("no free port from 41000 to 41099")


def test_a_server_gone_for_good_ends_the_watch_with_one_sentence():
    from localapi import LocalAPIServer

    # its address holds "410" (as 0.6% of ephemeral ports do): not a 410 Gone to list again for
    srv = _started_on_a_port_with_410(
        lambda port: LocalAPIServer(objects=[pod("web-1")], port=port)
    )
    proc = _start(srv, "-n", "prod", "-w")
    try:
        time.sleep(4)  # the sweep of one pod is done and the watch is open
        assert proc.poll() is None, proc.stderr.read()
    finally:
        srv.stop()
    # backs off ~30 s in all (a try that hangs on a half-closed connection: 60 s more)
    try:
        _, err = proc.communicate(timeout=200)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"the watch went on after its server was gone: {proc.communicate()[1]}")
    assert proc.returncode == 4, err
    assert err.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in err


def test_a_namespace_without_pods_is_not_called_healthy(server):
    proc = _start(server, "-n", "prdo")  # a typo at 3 a.m.
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "No pods in namespace prdo (is the name right?" in err


def test_watching_one_pod_ends_when_it_is_deleted(server):
    proc = _start(server, "pod", "web-1", "-n", "prod", "-w")
    end = time.monotonic() + 30
    while (line := _line(proc, end)) is not None and not line.startswith("Pod prod/web-1"):
        pass
    time.sleep(1)
    server.delete("Pod", "prod", "web-1")
    end = time.monotonic() + 10
    seen = []
    while (line := _line(proc, end)) is not None:
        seen.append(line)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 0 and any("prod/web-1  deleted" in s for s in seen), seen
