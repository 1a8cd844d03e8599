"""The incident view: workloads, sick nodes, history, and the tables a person reads
(correlate/, render/incident.py, render/table.py, the JSON additions of DESIGN §4)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from builders import (
    crashloop,
    node,
    node_event,
    pod,
    replicaset,
    spec_container,
    status,
    terminated,
)
from kubectl_exitwhy.owners import INFERRED, NO_OWNER, READ, REFERENCE, Workload, resolve
from kubectl_exitwhy.render.style import age

WORKLOAD_KEYS = {"namespace", "kind", "name", "pods", "podsAffected", "causes", "resolvedBy"}
CAUSE_KEYS = {"cause", "severity", "count", "restarts", "lastExit", "detail", "summary"}
NODE_KEYS = {
    "node",
    "cause",
    "severity",
    "containersKilled",
    "window",
    "evidence",
    "nextSteps",
    "pods",
    "summary",
}
HISTORY_KEYS = {"count", "window", "runningSince", "backOff"}


def owned(name, rs, template=None, **kw):
    p = pod(name, owner=("ReplicaSet", rs), **kw)
    if template:
        p["metadata"]["labels"]["pod-template-hash"] = template
    return p


def oom(restarts=3, finished="2026-11-20T10:00:00Z"):
    return [status(state=crashloop(), last=terminated(137, "OOMKilled", finished=finished),
                   restarts=restarts)]  # fmt: skip


def killed(finished):
    """137, reason Error, running again: a kill from outside the container's own record."""
    return [status(last=terminated(137, "Error", finished=finished), restarts=1, ready=True)]


def on_node(node_name, **killed_at):
    """One pod of each named workload on the node, its container SIGKILLed at HH:MM."""
    return [
        owned(f"{app}-1", f"{app}-5f6c", "5f6c", node=node_name,
              statuses=killed(f"2026-11-20T{at}:00Z"))
        for app, at in killed_at.items()
    ]  # fmt: skip


# --- owners -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,controllers,expected",
    [
        (("prod", "ReplicaSet", "api-7d9f", "7d9f"), {("ReplicaSet", "prod", "api-7d9f"):
            replicaset("api-7d9f", "api")}, ("Deployment", "api", READ)),
        (("prod", "ReplicaSet", "api-7d9f", "7d9f"), None, ("Deployment", "api", INFERRED)),
        (("prod", "ReplicaSet", "api-7d9f", ""), None, ("ReplicaSet", "api-7d9f", REFERENCE)),
        (("prod", "ReplicaSet", "api-7d9f", "abcd"), None, ("ReplicaSet", "api-7d9f", REFERENCE)),
        (("b", "Job", "export-29391140", ""), None, ("CronJob", "export", INFERRED)),
        (("b", "Job", "export-12345678", ""), None, ("Job", "export-12345678", REFERENCE)),
        (("b", "Job", "export-29391140", ""), {("Job", "b", "export-29391140"): {"metadata": {}}},
            ("Job", "export-29391140", READ)),
        (("prod", "StatefulSet", "db", ""), None, ("StatefulSet", "db", READ)),
        (("prod", "Pod", "debug", ""), None, ("Pod", "debug", NO_OWNER)),
    ],
)  # fmt: skip
def test_a_pod_resolves_to_its_workload(key, controllers, expected):
    w = resolve(key, controllers)
    assert (w.kind, w.name, w.how) == expected and w.namespace == key[0]


# --- workloads ----------------------------------------------------------------------------------


def test_pods_of_one_deployment_are_one_row_with_pods_affected_of_listed(exitwhy, saved):
    path = saved(
        owned("api-7d9f-a", "api-7d9f", "7d9f", statuses=oom(3)),
        owned("api-7d9f-b", "api-7d9f", "7d9f", statuses=oom(4, "2026-11-20T10:05:00Z")),
        owned("api-7d9f-c", "api-7d9f", "7d9f"),  # healthy
        replicaset("api-7d9f", "api"),
        pod("lonely", owner=None, statuses=[status(last=terminated(1), restarts=2, ready=True)]),
    )
    doc = exitwhy("-f", path, "-o", "json").json()
    by_name = {w["name"]: w for w in doc["workloads"]}
    api = by_name["api"]
    assert set(api) == WORKLOAD_KEYS
    assert (api["kind"], api["resolvedBy"], api["pods"], api["podsAffected"]) == (
        "Deployment", "read", 3, 2)  # fmt: skip
    (cause,) = api["causes"]
    assert set(cause) == CAUSE_KEYS
    assert (cause["cause"], cause["count"], cause["restarts"]) == ("oom_killed", 2, 7)
    assert cause["lastExit"] == "2026-11-20T10:05:00Z" and cause["detail"] == "limit 512Mi"
    assert by_name["lonely"]["kind"] == "Pod" and by_name["lonely"]["pods"] == 1

    table = exitwhy("-f", path, env={"COLUMNS": "200"}).out
    rows = [line for line in table.splitlines() if "deployment/api" in line]
    assert len(rows) == 1 and re.search(r"deployment/api\s+2/3\s+critical\s+OOM-killed", rows[0])
    assert "pod/lonely" in table
    assert (
        table.rstrip().splitlines()[-1].startswith("2 critical, 1 warning (3 pods) in 2 workloads")
    )


def test_without_the_replicaset_the_deployment_is_inferred_and_marked(exitwhy, saved):
    path = saved(owned("api-7d9f-a", "api-7d9f", "7d9f", statuses=oom()))
    doc = exitwhy("-f", path, "-o", "json").json()
    assert doc["workloads"][0]["resolvedBy"] == "inferred"
    out = exitwhy("-f", path).out
    assert "deployment/api*" in out and "inferred from names" in out


# --- nodes --------------------------------------------------------------------------------------


def test_kills_on_a_node_under_memory_pressure_point_at_the_node(exitwhy, saved):
    pods = on_node("n7", canal="10:00", orders="10:03", search="10:06")
    path = saved(*pods, node("n7", memory_pressure=True, since="2026-11-20T09:55:00Z"))
    doc = exitwhy("-f", path, "-o", "json").json()
    (sick,) = doc["nodes"]
    assert set(sick) == NODE_KEYS
    assert (sick["node"], sick["cause"], sick["severity"]) == ("n7", "node_memory_pressure",
                                                               "critical")  # fmt: skip
    assert sick["containersKilled"] == 3 and sick["window"] == "6m"
    assert sick["pods"] == ["prod/canal-1", "prod/orders-1", "prod/search-1"]
    assert any("describe node n7" in s for s in sick["nextSteps"])
    for item in doc["items"]:
        f = item["findings"][0]
        assert f["cause"] == "oom_node"
        assert any("node n7" in e and "see the node" in e for e in f["evidence"])
    table = exitwhy("-f", path, env={"COLUMNS": "200"}).out
    assert re.search(r"^n7\s+critical\s+node memory pressure\s+3\s+3\s+6m\s+MemoryPressure",
                     table, re.M)  # fmt: skip
    assert "1 node to look at" in table
    view = exitwhy("pod", "orders-1", "-f", path).out
    assert "Node n7: node_memory_pressure" in view


def test_many_workloads_killed_on_one_node_without_a_node_signal(exitwhy, saved):
    pods = on_node("n8", a="10:00", b="10:02", c="10:04")
    other = owned("far-1", "far-5f6c", "5f6c", node="n9", statuses=killed("2026-11-20T10:01:00Z"))
    doc = exitwhy("-f", saved(*pods, other), "-o", "json").json()
    (sick,) = doc["nodes"]
    assert (sick["node"], sick["cause"], sick["severity"]) == ("n8", "node_kills", "warning")
    findings = {i["pod"]: i["findings"][0] for i in doc["items"]}
    for name in ("a-1", "b-1", "c-1"):
        assert findings[name]["cause"] == "sigkill"  # the pod's own finding is never hidden
        assert "killed on node n8" in findings[name]["summary"]
    assert "n8" not in findings["far-1"]["summary"]
    # the pod view of one of them sees the others on its node
    view = exitwhy("pod", "b-1", "-f", saved(*pods, other)).out
    assert "Node n8: node_kills" in view and "prod/a-1, prod/b-1, prod/c-1" in view
    assert "killed on node n8 around then" in view


def test_kills_of_one_workload_are_the_apps_business_not_the_nodes(exitwhy, saved):
    pods = [
        owned(f"a-{i}", "a-5f6c", "5f6c", node="n8", statuses=killed(f"2026-11-20T10:0{i}:00Z"))
        for i in range(4)
    ]
    assert exitwhy("-f", saved(*pods), "-o", "json").json()["nodes"] == []


def test_a_node_oom_event_names_the_node_in_a_pod_view(exitwhy, saved):
    p = owned("api-1", "api-5f6c", "5f6c", node="n7", statuses=killed("2026-11-20T10:00:00Z"))
    e = node_event("SystemOOM", "System OOM encountered, victim process: app, pid: 4242",
                   node="n7", last="2026-11-20T09:59:59Z")  # fmt: skip
    doc = exitwhy("-f", saved(p, e), "-o", "json").json()
    assert doc["nodes"][0]["cause"] == "node_oom"


# --- history ------------------------------------------------------------------------------------


def test_history_says_how_often_since_when_and_the_back_off(exitwhy, saved):
    crashing = owned("api-1", "api-5f6c", "5f6c", statuses=oom(5))
    again = owned("api-2", "api-5f6c", "5f6c",
                  statuses=[status(last=terminated(1), restarts=1, ready=True)])  # fmt: skip
    doc = exitwhy("-f", saved(crashing, again), "-o", "json").json()
    h = {i["pod"]: i["findings"][0]["history"] for i in doc["items"]}
    assert set(h["api-1"]) == HISTORY_KEYS
    # five restarts between the pod's start (08:00:01) and the last exit (10:00:00)
    assert (h["api-1"]["count"], h["api-1"]["window"], h["api-1"]["backOff"]) == (5, "119m", "5m0s")
    assert h["api-1"]["runningSince"] is None
    assert h["api-2"]["runningSince"] == "2026-11-20T10:00:05Z" and h["api-2"]["backOff"] is None
    view = exitwhy("pod", "api-2", "-f", saved(crashing, again)).out
    assert (
        "history: 1 restart since the pod started (119m before the last exit); running again "
        "since 2026-11-20 10:00" in " ".join(line.strip() for line in view.splitlines())
    )
    crash_view = exitwhy("pod", "api-1", "-f", saved(crashing, again)).out
    assert "back-off" not in crash_view.split("history:")[1].split("Evidence")[0]  # 9 days past
    assert "1 restart;" in view and "1 restarts" not in view


# --- tables for people --------------------------------------------------------------------------


LONG = "payments-settlement-reconciliation-worker-7f9c8d6b5-x2k4p"


@pytest.mark.parametrize("columns", ["80", "100", "200"])
def test_names_are_never_shortened_and_severity_shows_without_colour(exitwhy, saved, columns):
    path = saved(owned(LONG, "payments-settlement-reconciliation-worker-7f9c8d6b5", "7f9c8d6b5",
                       statuses=oom()))  # fmt: skip
    by_pod = exitwhy("-f", path, "--by", "pod", env={"COLUMNS": columns}).out
    assert LONG in by_pod and "…" not in by_pod.split("\n")[1].split("critical")[0]
    assert "critical" in by_pod and "\x1b[" not in by_pod
    grouped = exitwhy("-f", path, env={"COLUMNS": columns}).out
    assert "deployment/payments-settlement-reconciliation-worker*" in grouped
    wide = exitwhy("-f", path, "-o", "wide").out
    assert LONG in wide and "oom_killed" in wide  # the id stays in -o wide


def test_next_steps_put_each_command_on_a_line_of_its_own(exitwhy, saved):
    view = exitwhy("pod", "web-1", "-f", saved(pod(statuses=oom(),
                   containers=[spec_container(liveness=True)])), env={"COLUMNS": "80"}).out  # fmt: skip
    steps = view.split("Next steps:")[1].split("\n\n")[0].splitlines()[1:]
    commands = [line for line in steps if "kubectl " in line]
    assert commands
    for line in commands:  # whole and alone: "    1. kubectl …" or "       kubectl …"
        assert re.match(r"^\s+(\d+\.\s)?kubectl ", line), line


def test_info_rows_only_with_all(exitwhy, saved):
    done = pod("done-1", restart_policy="Never", phase="Succeeded",
               statuses=[status(state={"terminated": terminated(0, "Completed")})])  # fmt: skip
    path = saved(done, owned("api-1", "api-5f6c", "5f6c", statuses=oom()))
    assert "done-1" not in exitwhy("-f", path).out
    assert "completed" in exitwhy("-f", path, "--all").out


def test_workload_to_nodes_json_is_only_a_sweeps(exitwhy, saved):
    doc = exitwhy("pod", "web-1", "-f", saved(pod(statuses=oom())), "-o", "json").json()
    assert set(doc) == {"apiVersion", "kind", "items"}


def test_the_unknown_workload_kind_keeps_its_name():
    assert Workload("ci", "TaskRun", "e2e-8812").ref == "taskrun/e2e-8812"


def test_a_container_that_never_started_did_not_run_for_decades(exitwhy):
    view = exitwhy("pod", "-A", "-f", "examples/start-error-subpath.json",
                   "pricing-api-5c8d7b9f6-gq7mw").out  # fmt: skip
    assert "never started" in view and "20777d" not in view and "ran " not in view


def test_a_blank_runtime_message_is_no_crash(exitwhy, saved):
    p = pod(statuses=[status(last=terminated(137, "seccomp killed", message=" \n "), restarts=1)])
    run = exitwhy("-f", saved(p), "-o", "json")
    assert run.status == 0 and run.json()["items"][0]["findings"][0]["cause"] == "seccomp_killed"


# --- the offline recipe -----------------------------------------------------------------------


def test_a_file_says_what_it_lacks_that_a_live_run_reads(exitwhy, saved):
    killed_pod = owned("api-1", "api-5f6c", "5f6c", node="n7",
                       statuses=killed("2026-11-20T10:00:00Z"))  # fmt: skip
    bare = exitwhy("-f", saved(killed_pod))
    assert "holds no events" in bare.err and "no Node object for n7" in bare.err
    from builders import event

    with_pod_events = exitwhy("-f", saved(killed_pod, node("n7"), event("Started", "Started")))
    assert "no node events" in with_pod_events.err and "Node object" not in with_pod_events.err
    whole = exitwhy("-f", saved(killed_pod, node("n7"), event("Started", "Started"),
                                node_event("Rebooted", "Node n7 has been rebooted", node="n7")))  # fmt: skip
    assert whole.err == ""


def test_next_steps_fit_the_evidence(exitwhy, saved):
    from builders import event

    never_ran = pod(statuses=[status(state={"waiting": {"reason": "ImagePullBackOff",
                    "message": 'Back-off pulling image "ghcr.io/acme/app:1.0"'}})])  # fmt: skip
    doc = exitwhy("-f", saved(never_ran), "-o", "json").json()
    steps = doc["items"][0]["findings"][0]["nextSteps"]
    assert steps and not any("kubectl logs" in s for s in steps)  # no log exists

    init = pod(init=[spec_container("setup")], init_statuses=[status("setup",
               last=terminated(127, "Error"), state=crashloop("setup"), restarts=2)],
               statuses=[status(state={"waiting": {"reason": "PodInitializing"}})])  # fmt: skip
    steps = exitwhy("-f", saved(init), "-o", "json").json()["items"][0]["findings"][0]["nextSteps"]
    assert any('.spec.initContainers[?(@.name=="setup")]' in s for s in steps), steps

    oom_there = owned("api-1", "api-5f6c", "5f6c", node="n7",
                      statuses=killed("2026-11-20T10:00:00Z"))  # fmt: skip
    doc = exitwhy("-f", saved(oom_there, node("n7", memory_pressure=True),
                              event("Started", "Started")), "-o", "json").json()  # fmt: skip
    steps = doc["items"][0]["findings"][0]["nextSteps"]
    assert any("involvedObject.kind=Node,involvedObject.name=n7" in s for s in steps), steps


def test_the_pod_view_never_cuts_the_runtime_error(exitwhy):
    view = exitwhy("pod", "-A", "-f", "examples/start-error-subpath.json",
                   "pricing-api-5c8d7b9f6-gq7mw", env={"COLUMNS": "80"}).out  # fmt: skip
    text = " ".join(line.strip() for line in view.splitlines())
    assert "flags: 0x5001: not a directory: unknown" in text  # the end says what failed
    assert text.count("error during container init") == 1  # said once
    assert "…" not in view.split("Evidence:")[1].split("Next steps:")[0]


@pytest.mark.parametrize(
    "columns,inline,dropped",
    [
        (80, set(), {"DETAIL", "RESTARTS", "LAST EXIT", "SIGNALS"}),
        (100, {"RESTARTS", "LAST EXIT"}, {"DETAIL"}),
        (200, {"RESTARTS", "LAST EXIT", "DETAIL", "SIGNALS"}, set()),
    ],
)
def test_the_incident_table_at_80_100_and_200_columns(exitwhy, columns, inline, dropped):
    out = exitwhy("-f", "examples/node-oom-crowded-node.json",
                  env={"COLUMNS": str(columns)}).out  # fmt: skip
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), [ln for ln in lines if len(ln) > columns]
    assert "\x1b[" not in out and "…" not in out
    headers = set(lines[0].split()) | {h for ln in lines if ln.startswith("NAMESPACE")
                                       for h in re.split(r"\s{2,}", ln)}  # fmt: skip
    assert inline <= headers and not (dropped & headers)
    assert lines[1].startswith("worker-21.dc1.acme.internal  critical  node out of memory")
    if columns < 200:  # the node's long record is not dropped: it goes on lines of its own
        assert lines[2].startswith("    signals: ")
        signals = " ".join(ln.strip() for ln in lines if ln.startswith("    ") or "signals:" in ln)
        assert "SystemOOM ×8" in signals and "MemoryPressure" in signals
    for name in ("deployment/binlog-router", "statefulset/canal-server", "daemonset/otel-agent"):
        assert re.search(rf"\s{re.escape(name)}\s", out)
    assert lines[-1] == "1 critical, 4 warning (5 pods) in 4 workloads; 1 node to look at."


def test_ooms_at_their_own_limits_do_not_make_a_sick_node(exitwhy, saved):
    pods = [
        owned(f"{app}-1", f"{app}-5f6c", "5f6c", node="n8",
              statuses=oom(finished=f"2026-11-20T10:0{i}:00Z"))
        for i, app in enumerate(("a", "b", "c", "d"))
    ]  # fmt: skip
    alone = exitwhy("-f", saved(*pods), "-o", "json").json()
    assert alone["nodes"] == []
    assert not any("cgroup v2" in f["summary"] for i in alone["items"] for f in i["findings"])
    under_pressure = exitwhy("-f", saved(*pods, node("n8", memory_pressure=True)), "-o", "json")
    (sick,) = under_pressure.json()["nodes"]  # then the node's OOM killer may have picked them
    assert sick["cause"] == "node_memory_pressure" and sick["containersKilled"] == 4
    for item in under_pressure.json()["items"]:  # the cause stays; the doubt is said
        (f,) = item["findings"]
        assert f["cause"] == "oom_killed"
        assert "node n8 was out of memory then too" in f["summary"] and "cgroup v2" in f["summary"]


def test_the_back_off_is_told_only_while_it_runs():
    from datetime import datetime, timedelta, timezone

    from kubectl_exitwhy.correlate.history import describe, seconds
    from kubectl_exitwhy.diagnosis import History

    assert (seconds("5m0s"), seconds("40s"), seconds("1h0m0s"), seconds("soon")) == (
        300, 40, 3600, None)  # fmt: skip
    last = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    h = History(count=8, window="10d", running_since=None, back_off="5m0s")
    assert "in back-off" in describe(h, last + timedelta(minutes=2), last)
    assert "back-off" not in describe(h, last + timedelta(minutes=6), last)
    assert describe(h, last, last).startswith("8 restarts since the pod started (10d before")


def test_two_yaml_saves_run_together_are_bad_input_not_a_healthy_cluster(exitwhy, tmp_path):
    import yaml

    from builders import as_list

    one = yaml.safe_dump(as_list(pod(statuses=oom())))
    two = yaml.safe_dump(as_list(node("n1")))
    path = tmp_path / "saved.yaml"
    path.write_text(one + two)  # as `kubectl get … -o yaml >> saved.yaml` twice leaves it
    run = exitwhy("-f", str(path), "--fail-on", "warning")
    assert run.status == 3 and "run together" in run.err and "---" in run.err
    path.write_text(one + "---\n" + two)
    assert exitwhy("-f", str(path), "--fail-on", "warning").status == 1  # the OOM is found


def test_an_evicted_workload_row_says_when_and_a_deleted_pod_says_so(exitwhy):
    table = exitwhy("-f", "examples/node-oom-crowded-node.json", "-n", "data-sync").out
    (row,) = [ln for ln in table.splitlines() if "evicted" in ln]
    exited = datetime(2026, 11, 20, 9, 24, 52, tzinfo=timezone.utc)  # the evicted pod's last exit
    now = datetime.now(timezone.utc)
    assert any(  # the pod's last container exit, not "-" (a day may turn meanwhile)
        f"{age(exited, now - timedelta(minutes=m))} ago" in row for m in (0, 5)
    ), row
    assert "Node figures count this sweep's pods" in table  # a namespace's view of a node
    view = exitwhy("pod", "-A", "-f", "examples/node-lost-taint-manager.json",
                   "cart-service-7d9c6b8f5-fj6wx").out  # fmt: skip
    assert view.startswith("Pod prod/cart-service-7d9c6b8f5-fj6wx (Running and being deleted")


@pytest.mark.parametrize(
    "example,pod_cause",
    [("evicted-memory.json", "evicted"), ("evicted-ephemeral-storage.json", "evicted"),
     ("preempted.json", "preempted")],
)  # fmt: skip
def test_a_container_stopped_with_its_pod_defers_to_the_pods_finding(exitwhy, example, pod_cause):
    (item,) = exitwhy("-f", f"examples/{example}", "-A", "--all", "-o", "json").json()["items"]
    pod_finding, *containers = item["findings"]
    assert pod_finding["cause"] == pod_cause and pod_finding["nextSteps"]
    (c,) = containers  # a kill or a stop that the pod's own stop explains
    assert c["cause"] in ("sigkill", "sigterm", "container_status_unknown")
    assert len(c["nextSteps"]) == 1 and "the pod's finding" in c["nextSteps"][0]
    assert not any("SystemOOM" in s or "sender" in s for s in c["nextSteps"])


def test_what_broke_last_comes_first_among_equals(exitwhy, saved):
    old = owned("aaa-1", "aaa-5f6c", "5f6c", statuses=oom(finished="2026-11-19T10:00:00Z"))
    new = owned("zzz-1", "zzz-5f6c", "5f6c", statuses=oom(finished="2026-11-20T10:00:00Z"))
    doc = exitwhy("-f", saved(old, new), "-o", "json").json()
    assert [w["name"] for w in doc["workloads"]] == ["zzz", "aaa"]


# --- what a first reading found --------------------------------------------------------------


def test_a_pod_that_never_ran_is_as_recent_as_its_latest_event(exitwhy, saved):
    """A bad deploy from minutes ago (image pull failing) rises above a crash loop of last week,
    though it has no exit to date it."""
    from builders import event

    old = owned("api-7d9f-a", "api-7d9f", "7d9f", statuses=oom(4, "2026-11-10T10:00:00Z"))
    pulling = pod(
        "web-5c4b-x", owner=("ReplicaSet", "web-5c4b"),
        statuses=[status(state={"waiting": {"reason": "ImagePullBackOff",
                                            "message": 'Back-off pulling image "ghcr.io/acme/web:9.9"'}})],
    )  # fmt: skip
    failed = event("Failed", 'Failed to pull image "ghcr.io/acme/web:9.9": not found',
                   pod_name="web-5c4b-x", type_="Warning", last="2026-11-20T10:02:00Z")  # fmt: skip
    doc = exitwhy("-f", saved(old, pulling, failed), "-o", "json").json()
    assert [w["name"] for w in doc["workloads"]][:2] == ["web-5c4b", "api"]
    assert doc["workloads"][0]["causes"][0]["lastExit"] is None  # no exit is made up


def test_a_node_row_counts_the_pods_lost_with_it(exitwhy):
    doc = exitwhy("-f", "examples/node-lost-taint-manager.json", "-A", "-o", "json").json()
    (sick,) = doc["nodes"]
    assert sick["pods"] == ["prod/cart-service-7d9c6b8f5-fj6wx"] and sick["containersKilled"] == 0
    assert "1 pod lost with it" in sick["summary"]


def test_node_steps_name_the_node_and_paste_whole(exitwhy):
    for example in ("node-reboot-status-unknown.json", "sigkill-unexplained.json"):
        doc = exitwhy("-f", f"examples/{example}", "-A", "--all", "-o", "json").json()
        for item in doc["items"]:
            for f in item["findings"]:
                for step in f["nextSteps"]:
                    if "involvedObject.kind=Node" in step:
                        assert "involvedObject.name=" in step, step
                    command = step.split(": kubectl ", 1)[-1]
                    assert not re.search(r"kubectl describe node \S+ \(", "kubectl " + command)


def test_the_pod_view_says_the_nodes_steps_once_and_before_the_log(exitwhy):
    view = exitwhy("pod", "es-sync-worker-5c8d7b9f46-m9t2v", "-n", "data-sync",
                   "-f", "examples/node-oom-crowded-node.json", env={"COLUMNS": "120"}).out  # fmt: skip
    describe = [ln for ln in view.splitlines() if ln.strip() == "kubectl describe node worker-21.dc1.acme.internal"
                or ln.strip().endswith(". kubectl describe node worker-21.dc1.acme.internal")]  # fmt: skip
    assert len(describe) == 1, describe
    assert view.count("Set memory requests near real use") == 1
    node_at = view.index("Node worker-21.dc1.acme.internal: node_oom")
    log_at = view.find("log of the run that ended")
    assert log_at == -1 or node_at < log_at
    assert "more SystemOOM events (-o json)" in view  # eight events, three shown


def test_wrapped_log_lines_are_marked_as_continuations():
    from datetime import datetime, timezone

    from kubectl_exitwhy.diagnosis import Finding
    from kubectl_exitwhy.render.detail import _log
    from kubectl_exitwhy.render.style import Style

    f = Finding("app", "regular", "app_error", "critical", "high", 1, None, "Error", 1, None,
                None, "s", (), (), log_tail=("short", "x" * 150))  # fmt: skip
    lines = _log(f, Style(now=datetime.now(timezone.utc), width=80))
    assert (
        lines[2] == "  | short" and lines[3].startswith("  | xxx") and lines[4].startswith("  : x")
    )
    assert all(len(ln) <= 80 for ln in lines)


def test_watch_lines_fit_the_width():
    from datetime import datetime, timezone

    from kubectl_exitwhy.diagnosis import Finding, PodDiagnosis
    from kubectl_exitwhy.render.style import Style
    from kubectl_exitwhy.render.watch import lines

    f = Finding("app", "regular", "app_error", "critical", "high", 1, None, "Error", 1,
                datetime(2026, 11, 20, tzinfo=timezone.utc), None, "word " * 60, (), ())  # fmt: skip
    d = PodDiagnosis("prod", "api-7d9f-a", "Running", "n1", None, (f,))
    (line,) = lines(d, Style(now=datetime.now(timezone.utc), width=100), False)
    assert len(line) <= 100 and line.endswith("…") and "prod/api-7d9f-a  app  critical" in line


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_no_sweep_line_is_wider_than_the_terminal(exitwhy, columns):
    out = exitwhy(
        "-f", "examples/node-oom-crowded-node.json", "-A", env={"COLUMNS": str(columns)}
    ).out
    assert max(len(line) for line in out.splitlines()) <= columns


@pytest.mark.parametrize("output", ["table", "json", "yaml"])
def test_a_namespace_typo_is_said_in_every_output(exitwhy, output):
    run = exitwhy("-f", "examples/oom-killed-java-api.json", "-n", "prdo", "-o", output)
    assert "No pods in namespace prdo (is the name right?" in run.err
    if output == "json":
        assert run.json()["items"] == []  # stdout stays one clean document
