"""The not-ready finding on the live path: a sweep through the real kubectl and a local API
server builds the pod by its Warning events (its status alone looks healthy to the pre-filter),
and the sweep and the pod view say the same."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from test_cluster import plugin_dir

from builders import event, pod, spec_container, status

pytestmark = pytest.mark.cluster
KUBECTL = shutil.which("kubectl")


def _ago(minutes: float) -> str:
    moment = datetime.now(timezone.utc) - timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pod(name: str, *, ready: bool, up_minutes: float) -> dict:
    c = spec_container("app")
    c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10}
    p = pod(name, "prod", containers=[c], statuses=[status("app", ready=ready)])
    p["metadata"]["creationTimestamp"] = _ago(up_minutes + 1)
    p["status"]["containerStatuses"][0]["state"] = {"running": {"startedAt": _ago(up_minutes)}}
    word = "True" if ready else "False"
    p["status"]["conditions"] = [
        {"type": kind, "status": word, "lastTransitionTime": _ago(up_minutes)}
        for kind in ("Ready", "ContainersReady")
    ]
    return p


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    unhealthy = "Readiness probe failed: HTTP probe failed with statuscode: 404"
    objects = [
        _pod("stuck-1", ready=False, up_minutes=45),  # not ready for 45 minutes
        _pod("rolling-1", ready=False, up_minutes=3),  # a rollout's new pod, still starting
        _pod("fine-1", ready=True, up_minutes=45),
        event("Unhealthy", unhealthy, pod_name="stuck-1", ns="prod", type_="Warning",
              count=270, first=_ago(45), last=_ago(0.1)),
        event("Unhealthy", unhealthy, pod_name="rolling-1", ns="prod", type_="Warning",
              count=18, first=_ago(3), last=_ago(0.1)),
    ]  # fmt: skip
    with LocalAPIServer(objects=objects) as srv:
        yield srv


def _run(server, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(server.kubeconfig),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [KUBECTL, "exitwhy", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_sweep_finds_the_pod_that_stays_not_ready_and_only_it(server):
    proc = _run(server, "-n", "prod", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    items = {i["pod"]: i for i in json.loads(proc.stdout)["items"]}
    assert set(items) == {"stuck-1"}
    (f,) = items["stuck-1"]["findings"]
    assert (f["cause"], f["container"], f["severity"]) == ("unknown", "app", "warning")
    assert f["detail"] == "readiness probe failing: HTTP probe failed with statuscode: 404"
    view = _run(server, "pod", "stuck-1", "-n", "prod", "-o", "json")
    assert view.returncode == 0, view.stderr
    (g,) = json.loads(view.stdout)["items"][0]["findings"]
    # the same words, but for the seconds that passed between the two runs
    same = [re.sub(r"at least \d+m\d+s", "at least T", x["summary"]) for x in (f, g)]
    assert g["cause"] == f["cause"] and same[0] == same[1]
    assert "at least 45m" in f["summary"] or "at least 44m" in f["summary"]
