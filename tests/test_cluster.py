"""The live path, end to end: the real kubectl runs the installed plugin, which reads the
project's local API server through a real kubeconfig (issue: live cluster)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import crashloop, event, job, pod, spec_container, status, terminated

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = shutil.which("kubectl")


def plugin_dir() -> str:
    """The directory of the installed console script (the venv's bin under make test)."""
    here = Path(sys.executable).parent
    if (here / "kubectl-exitwhy").exists():
        return str(here)
    found = shutil.which("kubectl-exitwhy")
    if not found:
        pytest.fail("kubectl-exitwhy is not installed: run the suite with `make test`")
    return str(Path(found).parent)


def objects():
    api = pod(
        "api-1",
        "prod",
        containers=[spec_container(liveness=True)],
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=5)],
    )
    web = pod("web-1", "prod", statuses=[status(last=terminated(137), restarts=2, ready=True)])
    worker = pod("worker-1", "prod", statuses=[status(last=terminated(1), restarts=1, ready=True)])
    worker["metadata"]["labels"] = {"app": "worker", "tier": "batch"}
    healthy = pod("healthy-1", "prod")
    etl = pod(
        "etl-1",
        "batch",
        phase="Failed",
        restart_policy="Never",
        owner=("Job", "etl"),
        statuses=[status(state={"terminated": terminated(1)})],
    )
    other = pod(
        "cache-1", "staging", statuses=[status(state=crashloop(), last=terminated(139), restarts=9)]
    )
    return [
        api,
        web,
        worker,
        healthy,
        etl,
        other,
        event(
            "Killing", "Container app failed liveness probe, will be restarted", pod_name="web-1"
        ),
        job(
            "etl",
            reason="BackoffLimitExceeded",
            message="Job has reached the specified backoff limit",
        ),
    ]


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    logs = {("prod", "api-1", "app"): "starting\nloading cache\nallocating 600Mi\n"}
    with LocalAPIServer(objects=objects(), logs=logs) as srv:
        yield srv


@pytest.fixture
def kubectl(server):
    def run(*args: str, kubeconfig: str | None = None, env: dict | None = None):
        full = {
            **os.environ,
            "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
            "KUBECONFIG": kubeconfig or str(server.kubeconfig),
            "NO_COLOR": "1",
            **(env or {}),
        }
        proc = subprocess.run(
            [KUBECTL, *args], capture_output=True, text=True, env=full, timeout=120
        )
        return proc

    return run


def items(proc):
    assert proc.returncode == 0, proc.stderr
    return {(i["namespace"], i["pod"]): i for i in json.loads(proc.stdout)["items"]}


def test_kubectl_finds_the_plugin(kubectl):
    proc = kubectl("plugin", "list")
    assert "kubectl-exitwhy" in proc.stdout, proc.stdout + proc.stderr


def test_namespace_sweep(kubectl):
    found = items(kubectl("exitwhy", "-n", "prod", "-o", "json"))
    assert set(found) == {("prod", "api-1"), ("prod", "web-1"), ("prod", "worker-1")}
    assert found[("prod", "api-1")]["findings"][0]["cause"] == "oom_killed"
    assert found[("prod", "web-1")]["findings"][0]["cause"] == "liveness_probe_kill"


def test_default_namespace_comes_from_the_context(kubectl):
    assert set(items(kubectl("exitwhy", "--context", "local-prod", "-o", "json"))) == {
        ("prod", "api-1"),
        ("prod", "web-1"),
        ("prod", "worker-1"),
    }
    proc = kubectl("exitwhy", "-o", "json")  # context `local`: namespace default, empty
    assert items(proc) == {}


def test_all_namespaces_and_job_owner(kubectl):
    found = items(kubectl("exitwhy", "-A", "-o", "json"))
    assert ("staging", "cache-1") in found and ("batch", "etl-1") in found
    assert found[("batch", "etl-1")]["findings"][0]["cause"] == "job_backoff_limit"
    assert ("prod", "healthy-1") not in found


def test_selector_and_all(kubectl):
    assert set(items(kubectl("exitwhy", "-A", "-l", "tier=batch", "-o", "json"))) == {
        ("prod", "worker-1")
    }
    assert ("prod", "healthy-1") in items(kubectl("exitwhy", "-n", "prod", "--all", "-o", "json"))


def test_table_through_kubectl(kubectl):
    proc = kubectl("exitwhy", "-A")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split()[:2] == ["NAMESPACE", "WORKLOAD"]
    assert "SIGSEGV" in proc.stdout
    proc = kubectl("exitwhy", "-A", "--by", "pod")
    assert proc.stdout.splitlines()[0].split()[:2] == ["NAMESPACE", "POD"]
    assert "cache-1" in proc.stdout and "SIGSEGV" in proc.stdout


def test_the_pod_view_of_an_unproven_kill_reads_the_other_pods_on_its_node(kubectl, server):
    server.apply(pod("lost-1", "prod", statuses=[status(last=terminated(137), restarts=1)]))
    try:
        server.requests.clear()
        proc = kubectl("exitwhy", "pod", "lost-1", "-n", "prod", "-o", "json")  # sender unknown
        assert proc.returncode == 0, proc.stderr
        on_node = [
            r for r in server.requests
            if r["path"] == "/api/v1/pods"
            and r["query"].get("fieldSelector") == "spec.nodeName=n1"
        ]  # fmt: skip
        assert len(on_node) == 1
    finally:
        server.delete("Pod", "prod", "lost-1")
    # exit 1: no kill; OOMKilled: its own limit; a liveness kill: the kubelet's events say so
    for name in ("worker-1", "api-1", "web-1"):
        server.requests.clear()
        assert kubectl("exitwhy", "pod", name, "-n", "prod").returncode == 0
        assert not [r for r in server.requests if r["path"] == "/api/v1/pods"], name


def test_pod_view_with_log_tail(kubectl):
    proc = kubectl("exitwhy", "pod", "api-1", "-n", "prod", "-o", "json")
    (item,) = items(proc).values()
    assert item["findings"][0]["logTail"] == ["starting", "loading cache", "allocating 600Mi"]
    text = kubectl("exitwhy", "pod", "api-1", "-n", "prod")
    assert "log of the run that ended" in text.stdout and "allocating 600Mi" in text.stdout
    assert (
        kubectl("exitwhy", "pod", "api-1", "-n", "prod", "--logs", "0", "-o", "json").stdout.count(
            "allocating"
        )
        == 0
    )


def test_flags_in_any_position_through_kubectl(kubectl):
    a = kubectl("exitwhy", "pod", "-o", "json", "api-1", "--namespace", "prod")
    b = kubectl("exitwhy", "-n", "prod", "-o", "json", "pod", "api-1")
    assert a.returncode == b.returncode == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--kubeconfig", "/nonexistent/kubeconfig"], "does not exist"),
        (["--context", "nope"], "context 'nope' is not in the kubeconfig"),
        (["--context", "unreachable"], "cannot reach the API server"),
        (["--context", "broken-tls"], "TLS"),
        (["--context", "bad-token"], "401"),
        (["pod", "api-2", "-n", "prod"], "did you mean api-1"),
    ],
)
def test_access_errors_exit_4_with_one_sentence(kubectl, args, needle):
    proc = kubectl("exitwhy", *args)
    assert proc.returncode == 4, proc.stderr
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_no_kubeconfig_at_all(kubectl, tmp_path):
    proc = kubectl(
        "exitwhy",
        kubeconfig=str(tmp_path / "none"),
        env={"HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": ""},
    )
    assert proc.returncode == 4 and "no kubeconfig" in proc.stderr


def test_merged_kubeconfig_list(kubectl, server, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    merged = f"{empty}{os.pathsep}{server.kubeconfig}"
    assert ("prod", "api-1") in items(kubectl("exitwhy", "-A", "-o", "json", kubeconfig=merged))


@pytest.fixture
def faults(server):
    yield server.faults
    server.faults.clear()


def test_forbidden_pods_names_what_was_refused(kubectl, faults):
    faults.set("forbidden", "pods", "prod")
    proc = kubectl("exitwhy", "-n", "prod")
    assert proc.returncode == 4
    assert "forbidden" in proc.stderr and '"pods"' in proc.stderr and "prod" in proc.stderr


@pytest.mark.parametrize(
    "resource,ns,name,cause",
    [
        ("events", "prod", "api-1", "oom_killed"),
        ("nodes", "prod", "api-1", "oom_killed"),
        ("log", "prod", "api-1", "oom_killed"),
        ("jobs", "batch", "etl-1", "app_error"),
    ],
)
def test_refused_side_reads_are_warnings(kubectl, faults, resource, ns, name, cause):
    faults.set("forbidden", resource)
    proc = kubectl("exitwhy", "pod", name, "-n", ns, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "forbidden" in proc.stderr
    assert json.loads(proc.stdout)["items"][0]["findings"][0]["cause"] == cause


def test_a_refusal_met_twice_is_one_warning(kubectl, faults):
    faults.set("forbidden", "events")
    proc = kubectl("exitwhy", "pod", "api-1", "-n", "prod")
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == len(set(warnings)) >= 1


def test_refused_logs_in_a_sweep_are_one_warning_with_the_true_count(big):
    big.faults.set("forbidden", "log")
    try:
        proc = _run(big, "-A", "-o", "json")
    finally:
        big.faults.clear()
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "logs could not be read" in line]
    assert len(warnings) == 1
    unread, wanted = (int(n) for n in re.findall(r"(\d+) of (\d+) logs", warnings[0])[0])
    assert 1 < unread <= wanted  # a log that is simply not kept is not counted
    logs = [r for r in big.requests if r["path"].endswith("/log")]
    assert len(logs) <= 4  # the first refusals stop the rest


def test_refused_events_lower_confidence(kubectl, faults):
    faults.set("forbidden", "events")
    found = items(kubectl("exitwhy", "-n", "prod", "-o", "json"))
    web = found[("prod", "web-1")]["findings"][0]
    assert web["cause"] == "sigkill" and web["confidence"] == "low"


@pytest.mark.parametrize(
    "kind,times,ok",
    [
        ("throttle", 2, True),
        ("error", 1, True),
        ("truncate", 1, True),
        ("error", None, False),
        ("truncate", None, False),
        ("notfound", None, False),
    ],
)
def test_transient_and_lasting_faults(kubectl, faults, kind, times, ok):
    faults.set(kind, "pods", times=times)
    proc = kubectl("exitwhy", "-n", "prod", "-o", "json")
    if ok:
        assert set(items(proc)) == {("prod", "api-1"), ("prod", "web-1"), ("prod", "worker-1")}
    else:
        assert proc.returncode == 4 and len(proc.stderr.strip().splitlines()) == 1


def test_slow_server_and_request_timeout(kubectl, faults):
    faults.set("slow", "pods", delay=3)
    started = time.monotonic()
    proc = kubectl("exitwhy", "-n", "prod", "--request-timeout", "1s")
    assert proc.returncode == 4 and "within 1s" in proc.stderr
    # one try of 1 s, not four (urllib3's retries underneath): well under the 3 s stall
    assert time.monotonic() - started < 2.8


def test_only_get_is_ever_sent(kubectl, server):
    server.requests.clear()
    kubectl("exitwhy", "-A")
    kubectl("exitwhy", "pod", "api-1", "-n", "prod")
    kubectl("exitwhy", "pod", "missing", "-n", "prod")
    methods = {r["method"] for r in server.requests}
    assert methods == {"GET"}, methods


# --- paging and request counts: a larger generated cluster ------------------------------------


@pytest.fixture(scope="module")
def big():
    from localapi import LocalAPIServer

    with LocalAPIServer(generate=1600, seed=7) as srv:
        yield srv


def _run(srv, *args):
    env = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(srv.kubeconfig),
    }
    return subprocess.run(
        [KUBECTL, "exitwhy", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_sweep_requests_grow_with_pages_not_pods(big):
    big.requests.clear()
    proc = _run(big, "-A", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    found = len(json.loads(proc.stdout)["items"])
    pod_lists = [r for r in big.requests if r["path"] == "/api/v1/pods"]
    event_lists = [r for r in big.requests if r["path"] == "/api/v1/events"]
    assert len(pod_lists) == 4  # 1600 pods / 500 a page
    assert 1 <= len(event_lists) <= 10
    per_pod = [r for r in big.requests if "/pods/" in r["path"]]
    logs = [r for r in per_pod if r["path"].endswith("/log")]
    assert per_pod == logs  # never one call per pod, but bounded log reads
    assert 0 < len(logs) <= 100
    per_object = [r for r in big.requests if "/jobs/" in r["path"] or "/nodes/" in r["path"]]
    assert len(per_object) <= 30  # a few GETs, else one list
    assert found > 50
    # nodes and jobs only for findings; logs only where they can change or sharpen a verdict
    assert len(big.requests) - len(logs) < 4 + len(event_lists) + found
    # pages of the pod list carry limit and continue, as kubectl's do
    assert all(r["query"].get("limit") == "500" for r in pod_lists)


def test_the_replicasets_list_is_read_while_the_pods_are(big):
    """Across namespaces the ReplicaSets come in one list, started once the pages read so far
    call for it: before the last page of pods, not after it; and every Deployment is named
    from it, as when it was read after the pods."""
    big.requests.clear()
    proc = _run(big, "-A", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    pod_pages = [r["time"] for r in big.requests if r["path"] == "/api/v1/pods"]
    rs_lists = [r for r in big.requests if r["path"] == "/apis/apps/v1/replicasets"]
    assert rs_lists and min(r["time"] for r in rs_lists) < max(pod_pages)
    assert not [r for r in big.requests if "/replicasets/" in r["path"]]  # no GET of one
    workloads = json.loads(proc.stdout)["workloads"]
    deployments = [w for w in workloads if w["kind"] == "Deployment"]
    assert len(deployments) > 10 and all(w["resolvedBy"] == "read" for w in deployments)
    assert not [w for w in workloads if w["kind"] == "ReplicaSet"]  # each named by its owner


def test_sweep_without_logs_reads_none(big):
    big.requests.clear()
    proc = _run(big, "-A", "-o", "json", "--logs", "0")
    assert proc.returncode == 0, proc.stderr
    assert not [r for r in big.requests if r["path"].endswith("/log")]


def test_expired_continue_token_restarts_the_list(big):
    baseline = json.loads(_run(big, "-A", "-o", "json").stdout)
    big.faults.set("expired", "pods", times=1)
    try:
        proc = _run(big, "-A", "-o", "json")
    finally:
        big.faults.clear()
    assert proc.returncode == 0 and "expired" in proc.stderr
    assert json.loads(proc.stdout) == baseline


# --- the examples: the live path agrees with -f -------------------------------------------------


def test_every_example_gets_the_same_diagnosis_live_and_offline(tmp_path):
    from localapi import LocalAPIServer

    merged = {"apiVersion": "v1", "kind": "List", "items": []}
    for path in sorted((ROOT / "examples").glob("*.json")):
        doc = json.loads(path.read_text())
        if doc.get("kind") == "List":
            merged["items"] += doc["items"]
    saved = tmp_path / "all.json"
    saved.write_text(json.dumps(merged))
    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        live = _run(srv, "-A", "-o", "json")
    offline = subprocess.run(
        [sys.executable, "-m", "kubectl_exitwhy", "-f", str(saved), "-o", "json"],
        capture_output=True,
        text=True,
    )
    assert live.returncode == 0 and offline.returncode == 0, live.stderr + offline.stderr

    def shape(doc):
        return {
            (i["namespace"], i["pod"]): [
                (f["container"], f["cause"], f["severity"]) for f in i["findings"]
            ]
            for i in doc["items"]
        }

    live_doc, offline_doc = shape(json.loads(live.stdout)), shape(json.loads(offline.stdout))
    assert len(live_doc) >= 30
    # -f has no logs: where a log decides the cause, the offline answer is expected.json's
    # withoutLogs; everything else agrees
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    log_decided = {
        tuple(pod.split("/")): f["withoutLogs"]["cause"]
        for name, pods in expected.items()
        if not name.startswith("_")
        for pod, findings in pods.items()
        for f in findings
        if "cause" in f.get("withoutLogs", {})
    }
    assert log_decided, "expected.json marks the log-decided examples"
    for key, offline_cause in log_decided.items():
        assert [c for _, c, _ in offline_doc[key]][0] == offline_cause
        offline_doc[key] = live_doc[key]
    assert live_doc == offline_doc


def test_the_sweep_and_the_pod_view_agree_on_every_example():
    """Both read the logs they need, so both give the same cause for every container."""
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        sweep = json.loads(_run(srv, "-A", "-o", "json", "--all").stdout)
        assert len(sweep["items"]) >= 60
        for item in sweep["items"]:
            one = _run(srv, "pod", item["pod"], "-n", item["namespace"], "-o", "json")
            assert one.returncode == 0, one.stderr
            (view,) = json.loads(one.stdout)["items"]
            causes = [(f["container"], f["cause"]) for f in item["findings"]]
            assert causes == [(f["container"], f["cause"]) for f in view["findings"]], item["pod"]


def test_expired_event_list_restarts_without_duplicates(big):
    baseline = json.loads(_run(big, "-A", "-o", "json").stdout)
    fault = big.faults.set("expired", "events", times=1)
    try:
        proc = _run(big, "-A", "-o", "json")
    finally:
        big.faults.clear()
    assert fault.hits == 1, "the event list should span pages for this test to mean anything"
    assert proc.returncode == 0 and json.loads(proc.stdout) == baseline


def test_a_terminated_container_gets_its_own_log_not_the_previous(kubectl, server):
    server.requests.clear()
    assert kubectl("exitwhy", "pod", "etl-1", "-n", "batch").returncode == 0
    (log,) = [r for r in server.requests if r["path"].endswith("/log")]
    assert "previous" not in log["query"]
    server.requests.clear()
    assert kubectl("exitwhy", "pod", "api-1", "-n", "prod").returncode == 0
    (log,) = [r for r in server.requests if r["path"].endswith("/log")]
    assert log["query"].get("previous") == "true"


def test_every_request_names_the_plugin(big):
    big.requests.clear()
    proc = _run(big, "-A", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    agents = {r["agent"] for r in big.requests}
    assert len(agents) == 1
    (agent,) = agents
    assert re.fullmatch(r"kubectl-exitwhy/\d+\.\d+\.\d+\S* \((linux|darwin|windows)/\w+\)", agent)


# --- the diagnoses made while a sweep's logs are read ----------------------------------------


def test_pods_are_given_early_only_once_final_and_never_those_whose_logs_are_read(big):
    """The sweep hands its caller each pod whose evidence is final while the logs are still
    read, to be diagnosed meanwhile: the very objects of the list it returns (so the diagnosis
    is the one of the pod shown), and never a pod whose logs it reads (they change it)."""
    from kubectl_exitwhy.sources.cluster import ClusterSource

    source = ClusterSource(kubeconfig=str(big.kubeconfig), request_timeout=60)
    given: list = []
    big.requests.clear()
    pods = list(source.sweep(None, None, False, settled=given.append))
    returned = {id(p) for p in pods}
    assert given and all(id(p) in returned for p in given)
    assert len({id(p) for p in given}) == len(given)  # each once
    logs_read = {
        tuple(r["path"].split("/")[4:7:2]) for r in big.requests if r["path"].endswith("/log")
    }
    late = {(p.namespace, p.name) for p in pods if id(p) not in {id(g) for g in given}}
    assert logs_read and late == logs_read


def test_what_the_log_says_is_in_the_sweeps_answer():
    """A pod whose previous log sharpens its verdict (runc's exec format error, exit 255),
    among pods diagnosed while the logs are read: it is diagnosed with the log, not before the
    log came."""
    from localapi import LocalAPIServer

    broken = pod(
        "arm-1",
        "prod",
        statuses=[status(state=crashloop(), last=terminated(255, "Error"), restarts=4)],
    )
    others = [
        pod(f"web-{i}", "prod", statuses=[status(last=terminated(137), restarts=2, ready=True)])
        for i in range(5)
    ]
    logs = {("prod", "arm-1", "app"): "exec /app/server: exec format error\n"}
    with LocalAPIServer(objects=[broken, *others], logs=logs) as srv:
        proc = _run(srv, "-A", "-o", "json")
    assert proc.returncode != 4, proc.stderr
    entries = json.loads(proc.stdout)["items"]
    assert len(entries) == 6
    (finding,) = next(e for e in entries if e["pod"] == "arm-1")["findings"]
    assert finding["logTail"] == ["exec /app/server: exec format error"]
    assert "the log shows exec format error" in finding["summary"]


def test_the_first_page_of_pods_is_asked_for_while_the_events_are_read(big):
    """The pre-filter needs the events before it judges a pod, not before the pods' first page
    is asked for: it is asked for once, at the start, and comes while the events are read."""
    big.requests.clear()
    big.faults.set("slow", "events", delay=0.5)  # each page of events answers 0.5 s late
    try:
        proc = _run(big, "-A", "-o", "json")
    finally:
        big.faults.clear()
    assert proc.returncode == 0, proc.stderr
    pods = [r for r in big.requests if r["path"] == "/api/v1/pods"]
    events = [r for r in big.requests if r["path"] == "/api/v1/events"]
    firsts = [r for r in pods if not r["query"].get("continue")]
    assert len(firsts) == 1
    assert firsts[0]["time"] < events[0]["time"] + 0.5  # before the first answer of events
    last_answered = events[-1]["time"] + 0.5
    assert all(r["time"] > last_answered for r in pods if r is not firsts[0])


def test_a_workload_targets_pods_are_diagnosed_with_their_logs():
    """A target's pods: their logs are read after the target is known; the pods whose logs
    are read are diagnosed with them, as the pod view diagnoses them."""
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        swept = _run(srv, "-n", "payments", "deploy/fraud-scorer", "-o", "json")
        (name,) = {e["pod"] for e in json.loads(swept.stdout)["items"]}
        viewed = _run(srv, "pod", name, "-n", "payments", "-o", "json")
    assert swept.returncode != 4 and viewed.returncode != 4, swept.stderr + viewed.stderr
    (entry,) = json.loads(swept.stdout)["items"]
    (alone,) = json.loads(viewed.stdout)["items"]
    tails = [f.get("logTail") for f in entry["findings"]]
    assert tails[0] and tails == [f.get("logTail") for f in alone["findings"]]


def test_ctrl_c_while_a_sweep_reads_logs_ends_it_at_once(big):
    """The log reads run in daemon threads: an interrupted sweep does not wait for the reads
    in flight (before, a pool's workers were joined at exit: up to the logs' 20 s budget)."""
    import signal

    fault = big.faults.set("slow", "log", delay=8.0)
    env = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(big.kubeconfig),
    }
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kubectl_exitwhy", "-A", "-o", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 60
        while fault.hits == 0 and time.monotonic() < deadline:  # a log read is in flight
            time.sleep(0.05)
        assert fault.hits, "no log was read"
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        big.faults.clear()
    assert proc.returncode == 130, err
    assert waited < 4.0, f"{waited:.1f}s after Ctrl-C"


def test_every_deployments_pods_are_counted_where_every_replicaset_was_read(big):
    """Across namespaces every ReplicaSet is read while the pods are: each pod is counted under
    the workload its ReplicaSet names, also the pods of a Deployment's older ReplicaSet that
    no finding is under (they used to be counted apart, by name, so its pods said too few)."""
    big.requests.clear()
    proc = _run(big, "-A", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert any(r["path"] == "/apis/apps/v1/replicasets" for r in big.requests)
    listed = subprocess.run(
        [KUBECTL, "get", "pods,replicasets", "-A", "-o", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "KUBECONFIG": str(big.kubeconfig)},
        timeout=120,
    )
    objects = json.loads(listed.stdout)["items"]

    def controller(meta: dict):
        refs = [r for r in meta.get("ownerReferences") or () if r.get("controller")]
        return (refs[0]["kind"], refs[0]["name"]) if refs else None

    owner_of = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): controller(o["metadata"])
        for o in objects
        if o["kind"] == "ReplicaSet"
    }
    truth: dict = {}
    for o in objects:
        ref = controller(o["metadata"]) if o["kind"] == "Pod" else None
        if ref is not None and ref[0] == "ReplicaSet":
            ref = owner_of.get((o["metadata"]["namespace"], ref[1])) or ref
        if ref is not None:
            key = (o["metadata"]["namespace"], *ref)
            truth[key] = truth.get(key, 0) + 1
    workloads = json.loads(proc.stdout)["workloads"]
    deployments = [w for w in workloads if w["kind"] == "Deployment"]
    assert len(deployments) > 10
    for w in deployments:
        assert w["pods"] == truth[(w["namespace"], "Deployment", w["name"])], w
    assert any(w["pods"] > w["podsAffected"] for w in deployments)


def test_a_sweep_reports_the_pods_of_a_node_that_stopped_reporting(tmp_path):
    """The node's Ready is Unknown; its pods' statuses still say running, never restarted; the
    node controller's NodeNotReady events have expired. The pre-filter used to call them
    healthy: they are built for the node controller's mark on them (Ready False beside
    ContainersReady True), and the node read then says why. Across namespaces and in one."""
    from builders import node
    from localapi import LocalAPIServer

    down = node("n1", ready="Unknown")

    def running(name: str, on: str, ready: str) -> dict:
        return pod(
            name,
            "prod",
            node=on,
            statuses=[status(ready=True)],
            conditions=[
                {"type": "Ready", "status": ready, "lastTransitionTime": "2026-11-20T09:00:40Z"},
                {"type": "ContainersReady", "status": "True"},
            ],
        )

    objects = [down, node("n2"), running("agent-a", "n1", "False"), running("web-b", "n2", "True")]
    with LocalAPIServer(objects=objects) as srv:
        for scope in (["-A"], ["-n", "prod"]):
            proc = _run(srv, *scope, "-o", "json", "--fail-on", "critical")
            assert proc.returncode == 1, proc.stderr
            out = json.loads(proc.stdout)
            found = [(i["pod"], i["findings"][0]["cause"]) for i in out["items"]]
            assert found == [("agent-a", "node_lost")], scope
            assert "is not ready" in out["items"][0]["findings"][0]["summary"]


def test_a_sweep_without_the_right_to_list_nodes_says_nothing_of_them(big):
    """Where the user may not read nodes (the view role grants none), the pods are diagnosed
    all the same, and the join says once what it could not read."""
    big.faults.set("forbidden", "nodes")
    try:
        proc = _run(big, "-A", "-o", "json")
    finally:
        big.faults.clear()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["items"]
    said = [line for line in proc.stderr.splitlines() if "node" in line]
    assert len(said) == 1 and said[0].startswith("warning: nodes could not be read (forbidden")
