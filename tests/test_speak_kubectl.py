"""The plugin speaks kubectl, checked against kubectl itself: each flag form is given to
`kubectl get pods` and to `kubectl exitwhy` against the project's local API server, and both
must accept or refuse it alike, and read the same pods; TYPE/NAME targets, impersonation and
-v tracing through the real kubectl."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from test_cluster import KUBECTL, plugin_dir

from builders import crashloop, event, job, pod, replicaset, status, terminated

pytestmark = pytest.mark.cluster

PLUGIN_AGENT = "kubectl-exitwhy/"


def broken(name, ns, owner, node="n1", uid=None):
    p = pod(
        name, ns, owner=owner, node=node, statuses=[status(state=crashloop(), last=terminated(1))]
    )
    p["metadata"]["uid"] = uid or f"uid-{ns}-{name}"
    p["metadata"]["labels"]["tier"] = "batch" if ns == "batch" else "web"
    return p


@pytest.fixture(scope="module")
def server():
    from localapi import LocalAPIServer

    objects = [
        broken("checkout-5f7d-a", "prod", ("ReplicaSet", "checkout-5f7d")),
        broken("checkout-5f7d-b", "prod", ("ReplicaSet", "checkout-5f7d"), node="n2"),
        replicaset("checkout-5f7d", "checkout", "prod"),
        broken("cart-6c8e-a", "prod", ("ReplicaSet", "cart-6c8e")),
        replicaset("cart-6c8e", "cart", "prod"),
        replicaset("idle-7b9c", "idle", "prod"),  # a workload without pods
        broken("db-0", "prod", ("StatefulSet", "db"), node="n2"),
        broken("twin", "prod", None),
        broken("twin", "staging", None),
        broken("etl-1", "batch", ("Job", "etl"), node="n2"),
        pod("quiet-1", "default"),
        # a Job that gave up, whose pods the job controller deleted (restartPolicy OnFailure)
        job("nightly", reason="BackoffLimitExceeded", message="Job has reached the specified backoff limit"),
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "ok", "namespace": "batch"},
         "status": {"conditions": [{"type": "Complete", "status": "True"}]}},
        # a Deployment whose ReplicaSet the API server refuses pods: no pod exists to diagnose
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "ghost", "namespace": "prod", "uid": "uid-ghost"}},
        replicaset("ghost-5c6d", "ghost", "prod"),
        event("FailedCreate", 'Error creating: pods "ghost-5c6d-" is forbidden: exceeded quota',
              pod_name="ghost-5c6d", kind="ReplicaSet", type_="Warning", container=None,
              component="replicaset-controller", count=4),
        # an older set of it, refused too, since scaled to 0: its refusal is over
        {**replicaset("ghost-4b3a", "ghost", "prod"), "spec": {"replicas": 0}},
        event("FailedCreate", 'Error creating: pods "ghost-4b3a-" is forbidden: exceeded quota',
              pod_name="ghost-4b3a", kind="ReplicaSet", type_="Warning", container=None,
              component="replicaset-controller", count=9),
    ]  # fmt: skip
    with LocalAPIServer(objects=objects) as srv:
        yield srv


def run(server, program, *args, env=None):
    full = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(server.kubeconfig),
        "NO_COLOR": "1",
        **(env or {}),
    }
    argv = [KUBECTL, "get", "pods", *args] if program == "kubectl" else [KUBECTL, "exitwhy", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=full, timeout=120)


def pod_lists(server, agent):
    """(path, labelSelector) of each pod list the agent sent."""
    return sorted(
        {
            (r["path"], r["query"].get("labelSelector", ""))
            for r in server.requests
            if r["agent"].startswith(agent) and r["path"].endswith("/pods")
        }
    )


ACCEPTED = [
    [],
    ["-n", "prod"],
    ["-n=prod"],
    ["-nprod"],
    ["--namespace=prod"],
    ["--namespace", "prod"],
    ["--namespace="],
    ["-A"],
    ["--all-namespaces=true"],
    ["--all-namespaces=false", "-n", "prod"],
    ["-A=false"],
    ["-An", "prod"],
    ["-Ao", "wide"],
    ["-Aowide"],
    ["-o=json", "-n", "prod"],
    ["-ojson", "-A"],
    ["-oyaml", "-nprod"],
    ["--output=wide", "--namespace", "prod"],
    ["-l", "tier=batch", "-A"],
    ["-ltier=web", "-nprod"],
    ["--selector=tier in (web, batch)", "-A"],
    ["-l", "!tier", "-A"],
    ["--context=local-prod"],
    ["--context", "local-prod", "-n", "staging"],
    ["--request-timeout=5s", "-nprod"],
    ["-v=6", "-n", "prod"],
    ["--v=6", "-A"],
    ["-Av6"],
    ["--as=bob", "-nprod"],
    ["-nprod", "--", "--"][:2],
]
REFUSED = [
    ["-n"],
    ["--namespace"],
    ["-x"],
    ["-Ax"],
    ["--bogus"],
    ["---n"],
    ["-A=maybe"],
    ["--all-namespaces=yes"],
    ["-o", "xml"],
    ["-l", "=x"],
    ["-l", "a=(b"],
    ["-l", "a,"],
    ["--as-group=ops"],
    ["--request-timeout=soon"],
    ["-v=x"],
]


@pytest.mark.parametrize("form", ACCEPTED, ids=" ".join)
def test_forms_kubectl_accepts(server, form):
    server.requests.clear()
    theirs = run(server, "kubectl", *form)
    assert theirs.returncode == 0, f"kubectl refused {form}: {theirs.stderr}"
    ours = run(server, "plugin", *form)
    assert ours.returncode == 0, ours.stderr
    assert "Traceback" not in ours.stderr
    assert pod_lists(server, PLUGIN_AGENT) == pod_lists(server, "kubectl/"), form
    if theirs.stdout.lstrip().startswith("{"):  # -o json: so is ours
        assert json.loads(ours.stdout)["kind"] == "DiagnosisList"


@pytest.mark.parametrize("form", REFUSED, ids=" ".join)
def test_forms_kubectl_refuses(server, form):
    server.requests.clear()
    theirs = run(server, "kubectl", *form)
    assert theirs.returncode != 0, f"kubectl accepted {form}"
    ours = run(server, "plugin", *form)
    assert ours.returncode == 2, (form, ours.stderr)  # a usage error, before any request
    assert len(ours.stderr.strip().splitlines()) == 1 and ours.stdout == ""
    assert not [r for r in server.requests if r["agent"].startswith(PLUGIN_AGENT)]


def items(proc):
    assert proc.returncode == 0, proc.stderr
    return sorted(f"{i['namespace']}/{i['pod']}" for i in json.loads(proc.stdout)["items"])


@pytest.mark.parametrize(
    "args,expected",
    [
        (["deploy/checkout", "-n", "prod"], ["prod/checkout-5f7d-a", "prod/checkout-5f7d-b"]),
        (["deployment", "checkout", "-nprod"], ["prod/checkout-5f7d-a", "prod/checkout-5f7d-b"]),
        (["--context=local-prod", "deploy/cart"], ["prod/cart-6c8e-a"]),
        (["sts/db", "-n", "prod"], ["prod/db-0"]),
        (["job/etl", "-n", "batch"], ["batch/etl-1"]),
        (["node/n2"], ["batch/etl-1", "prod/checkout-5f7d-b", "prod/db-0"]),
        (["node/n2", "-n", "prod"], ["prod/checkout-5f7d-b", "prod/db-0"]),
        (["pod/db-0", "-n", "prod"], ["prod/db-0"]),
        (["po", "etl-1", "-A"], ["batch/etl-1"]),
    ],
)
def test_targets_through_kubectl(server, args, expected):
    server.requests.clear()
    assert items(run(server, "plugin", *args, "-o", "json")) == expected
    if args[0].startswith("node"):
        lists = [r for r in server.requests if r["path"].endswith("/pods")]
        assert all(r["query"].get("fieldSelector") == "spec.nodeName=n2" for r in lists)


@pytest.mark.parametrize("scope", [["-n", "batch"], ["-A"]])
def test_a_failed_job_without_pods_is_not_a_calm_no_pods(server, scope):
    proc = run(server, "plugin", "job/nightly", *scope)
    assert "No pods of job/nightly" in proc.stderr
    assert "job/nightly failed (BackoffLimitExceeded: Job has reached" in proc.stderr
    assert proc.returncode == 0  # findings never fail a run without --fail-on
    failing = run(server, "plugin", "job/nightly", *scope, "--fail-on", "critical", "-o", "json")
    assert failing.returncode == 1 and json.loads(failing.stdout)["items"] == []


@pytest.mark.parametrize("args", [["-n", "prod"], ["-A"], ["deploy/ghost", "-n", "prod"]])
def test_a_workload_refused_its_pods_is_named_on_stderr(server, args):
    proc = run(server, "plugin", *args, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # stdout stays one document
    assert "replicaset/ghost-5c6d in namespace prod has no pod" in proc.stderr
    assert "exceeded quota" in proc.stderr
    assert "ghost-4b3a" not in proc.stderr  # scaled to 0 since: read, and left out


def test_a_job_that_completed_without_pods_left_is_just_that(server):
    proc = run(server, "plugin", "job/ok", "-n", "batch", "--fail-on", "warning")
    assert proc.returncode == 0 and "failed" not in proc.stderr, proc.stderr


def test_a_workload_without_pods_says_so(server):
    proc = run(server, "plugin", "rs/idle-7b9c", "-n", "prod")
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert "No pods of replicaset/idle-7b9c in namespace prod." in proc.stderr


@pytest.mark.parametrize(
    "args,sentence",
    [
        (["deploy/gone", "-n", "prod"], "error: deployment gone not found in namespace prod"),
        (["sts", "gone", "-n", "prod", "-o", "json"], "error: statefulset gone not found in"),
        (["node/n9"], "error: node n9 not found"),
        (["deploy/gone", "-A"], "error: deployment gone not found in any namespace"),
    ],
)
def test_a_target_that_does_not_exist_is_not_found(server, args, sentence):
    """A typo must not read as a healthy workload: as kubectl get says NotFound, exit 4."""
    proc = run(server, "plugin", *args)
    assert proc.returncode == 4 and proc.stdout == "", proc.stderr
    assert proc.stderr.startswith(sentence), proc.stderr


def test_pod_in_any_namespace(server):
    server.requests.clear()
    proc = run(server, "plugin", "pod", "twin", "-A")
    assert proc.returncode == 2 and "prod, staging" in proc.stderr
    lookups = [r for r in server.requests if r["path"] == "/api/v1/pods"]
    assert lookups and lookups[0]["query"]["fieldSelector"] == "metadata.name=twin"
    proc = run(server, "plugin", "pod", "nowhere", "-A")
    assert proc.returncode == 4 and "not found in any namespace" in proc.stderr


def test_impersonation_headers_and_only_gets(server):
    server.requests.clear()
    args = ["-n", "prod", "--as=jane", "--as-group", "ops", "--as-group=dev", "--as-uid=7"]
    assert run(server, "plugin", *args).returncode == 0
    ours = [r for r in server.requests if r["agent"].startswith(PLUGIN_AGENT)]
    assert ours and {r["method"] for r in ours} == {"GET"}
    for r in ours:
        assert r["impersonate"] == {
            "Impersonate-User": ["jane"],
            "Impersonate-Group": ["ops", "dev"],
            "Impersonate-Uid": ["7"],
        }
    server.requests.clear()
    run(server, "kubectl", *args)  # kubectl sends the same headers
    (theirs,) = [r for r in server.requests if r["path"].endswith("/pods")]
    assert theirs["impersonate"] == ours[0]["impersonate"]


def test_v6_traces_requests_and_never_the_token(server):
    proc = run(server, "plugin", "-n", "prod", "-v6")
    assert proc.returncode == 0, proc.stderr
    traced = [line for line in proc.stderr.splitlines() if " GET https://" in line]
    assert any("/api/v1/namespaces/prod/pods?limit=500 200 OK in " in line for line in traced)
    assert server.token not in proc.stderr and "Authorization" not in proc.stderr
    assert " GET " not in run(server, "plugin", "-n", "prod").stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--context=bad-token", "--user=local-user"],
        ["--context=broken-tls", "--cluster=local"],
        ["--context=broken-tls", "--insecure-skip-tls-verify"],
        ["--context=bad-token", "--token={token}"],
        ["--context=unreachable", "--server={url}"],
        ["--context=unreachable", "-s", "{url}"],
        ["--context=broken-tls", "--certificate-authority={ca}"],
        ["--tls-server-name=localhost"],
    ],
)
def test_connection_flags(server, args):
    values = {"token": server.token, "url": server.url, "ca": str(server.ca_file)}
    args = [a.format(**values) for a in args]
    theirs = run(server, "kubectl", *args, "-n", "prod")
    assert theirs.returncode == 0, theirs.stderr
    assert items(run(server, "plugin", *args, "-n", "prod", "-o", "json"))


def test_connection_flags_that_fail(server, tmp_path):
    proc = run(server, "plugin", "--user=nobody")
    assert proc.returncode == 4 and "'nobody' is not in the kubeconfig" in proc.stderr
    proc = run(server, "plugin", "--tls-server-name=elsewhere.example")
    assert proc.returncode == 4 and "TLS" in proc.stderr
    proc = run(
        server, "plugin", f"--server={server.url}", f"--token={server.token}",
        "--insecure-skip-tls-verify", "-A", env={"KUBECONFIG": str(tmp_path / "none")},
    )  # fmt: skip
    assert proc.returncode == 0 and "prod" in proc.stdout, proc.stderr


def complete(server, *words):
    """What kubectl's own completion offers after `kubectl exitwhy WORDS…`."""
    full = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(server.kubeconfig),
    }
    proc = subprocess.run(
        [KUBECTL, "__complete", "exitwhy", *words], capture_output=True, text=True, env=full
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith(":"), proc.stdout
    return lines[:-1], lines[-1]


def test_completion_through_kubectl(server):
    assert complete(server, "pod", "") == (["quiet-1"], ":4")  # the context's namespace
    names, _ = complete(server, "--context=local-prod", "pod", "check")
    assert names == ["checkout-5f7d-a", "checkout-5f7d-b"]
    assert complete(server, "-n", "prod", "po/d") == (["po/db-0"], ":4")
    assert "staging" in complete(server, "-n", "")[0]
    assert "local-prod" in complete(server, "--context", "")[0]
    assert complete(server, "-o", "j") == (["json"], ":4")
    assert "deployment" in complete(server, "")[0] and "code" in complete(server, "")[0]
    assert complete(server, "--context=unreachable", "pod", "") == ([], ":4")


def test_a_workload_whose_lookup_is_refused_says_it_was_not_checked(server):
    """RBAC refuses the lookup: the name may be right; the sweep says it could not check."""
    server.faults.add_fault("kind=forbidden,resource=deployments")
    try:
        proc = run(server, "plugin", "deploy/gone", "-n", "prod")
    finally:
        server.faults.clear()
    assert proc.returncode == 0, proc.stderr
    assert "No pods of deployment/gone in namespace prod." in proc.stderr
    assert "Whether deployment/gone exists could not be checked" in proc.stderr
