"""The command line speaks kubectl, offline (-f): TYPE/NAME targets, flags around `code`, help
that teaches, suggestions for unknown words. The same through the real kubectl and a live
server: tests/test_speak_kubectl.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from builders import crashloop, pod, status, terminated


def broken(name, ns="prod", owner=("ReplicaSet", "api-7d9f"), node="n1", labels=None, uid=None):
    p = pod(
        name,
        ns,
        owner=owner,
        node=node,
        statuses=[status(state=crashloop(), last=terminated(1), restarts=3)],
    )
    p["metadata"]["labels"].update(labels or {})
    p["metadata"]["uid"] = uid or f"uid-{ns}-{name}"
    return p


def healthy(name, labels):
    p = pod(name, owner=("ReplicaSet", "api-7d9f"))
    p["metadata"]["labels"].update(labels)
    return p


@pytest.fixture
def cluster(saved):
    """A Deployment (inferred from its ReplicaSet's name and hash), a StatefulSet, a CronJob's
    Job, healthy pods, two nodes, and a pod name held by two namespaces."""
    hashed = {"pod-template-hash": "7d9f"}
    return saved(
        broken("api-7d9f-a", labels=hashed),
        broken("api-7d9f-b", labels=hashed, node="n2"),
        healthy("api-7d9f-c", hashed),
        broken("db-0", owner=("StatefulSet", "db"), node="n2"),
        broken("nightly-29000000-x", "batch", owner=("Job", "nightly-29000000"), node="n2"),
        broken("twin", "prod", owner=None),
        broken("twin", "staging", owner=None),
    )


def names(run):
    assert run.status == 0, run.err
    return sorted(f"{i['namespace']}/{i['pod']}" for i in run.json()["items"])


@pytest.mark.parametrize(
    "target,expected",
    [
        (["deploy/api"], ["prod/api-7d9f-a", "prod/api-7d9f-b"]),
        (["deployment", "api"], ["prod/api-7d9f-a", "prod/api-7d9f-b"]),
        (["deployments.apps/api"], ["prod/api-7d9f-a", "prod/api-7d9f-b"]),
        (["rs/api-7d9f"], ["prod/api-7d9f-a", "prod/api-7d9f-b"]),
        (["sts/db"], ["prod/db-0"]),
        (["statefulset/db"], ["prod/db-0"]),
        (["cj/nightly", "-n", "batch"], ["batch/nightly-29000000-x"]),
        (["job/nightly-29000000", "-n", "batch"], ["batch/nightly-29000000-x"]),
        (["node/n2"], ["batch/nightly-29000000-x", "prod/api-7d9f-b", "prod/db-0"]),
        (["node", "n2", "-n", "prod"], ["prod/api-7d9f-b", "prod/db-0"]),
    ],
)
def test_workload_and_node_targets_in_a_file(exitwhy, cluster, target, expected):
    ns = [] if "-n" in target or target[0].startswith("node") else ["-n", "prod"]
    assert names(exitwhy(*target, *ns, "-f", cluster, "-o", "json")) == expected


def test_a_workload_counts_only_its_own_pods(exitwhy, cluster):
    doc = exitwhy("deploy/api", "-n", "prod", "-f", cluster, "-o", "json").json()
    (row,) = doc["workloads"]
    assert (row["kind"], row["name"], row["pods"], row["podsAffected"]) == (
        "Deployment",
        "api",
        3,
        2,
    )


def test_a_target_without_pods_says_so(exitwhy, cluster):
    run = exitwhy("deploy/nope", "-n", "prod", "-f", cluster)
    assert run.status == 0 and run.out == ""
    assert "No pods of deployment/nope in namespace prod." in run.err
    run = exitwhy("node/n9", "-f", cluster)
    assert "No pods on node/n9." in run.err


@pytest.mark.parametrize("form", [["pod", "db-0"], ["pod/db-0"], ["po/db-0"], ["pods", "db-0"]])
def test_pod_forms(exitwhy, cluster, form):
    assert names(exitwhy(*form, "-f", cluster, "-o", "json")) == ["prod/db-0"]


def test_a_pod_name_in_two_namespaces(exitwhy, cluster):
    run = exitwhy("pod", "twin", "-A", "-f", cluster)
    assert run.status == 2 and "prod, staging" in run.err and "-n" in run.err
    assert names(exitwhy("pod", "twin", "-n", "staging", "-f", cluster, "-o", "json")) == [
        "staging/twin"
    ]
    assert names(exitwhy("pod", "db-0", "-A", "-f", cluster, "-o", "json")) == ["prod/db-0"]


@pytest.mark.parametrize(
    "argv",
    [
        ["-n", "prod", "code", "137"],
        ["code", "137", "-n=prod", "-A"],
        ["-ojson", "code", "137"],
        ["code", "-1", "--context", "x"],
    ],
)
def test_flags_around_code(exitwhy, argv):
    run = exitwhy(*argv)
    assert run.status == 0, run.err
    assert "SIGKILL" in run.out or "255" in run.out


def test_help_teaches(exitwhy):
    for argv in (["--help"], ["-h"], ["help"], ["-n", "prod", "--help"]):
        run = exitwhy(*argv)
        assert run.status == 0 and run.err == ""
        text = run.out
        assert "deployment/NAME" in text and "node/NAME" in text and "code N" in text
        assert "--all-namespaces" in text and "--fail-on" in text and "--as-group" in text
        assert text.count("\n  kubectl exitwhy ") >= 5  # five examples
    assert "NAME" in exitwhy("help", "pod").out and exitwhy("help", "pod").status == 0
    assert "pod help" not in exitwhy("help").out + exitwhy("help").err


@pytest.mark.parametrize(
    "argv,hint",
    [
        (["podd", "x"], "'kubectl exitwhy pod x'"),
        (["deploymnt/api"], "'kubectl exitwhy deployment/api'"),
        (["--namspace", "prod"], "--namespace"),
        (["-o", "jsn"], "json"),
        (["137"], "'kubectl exitwhy code 137'"),
        (["-l", "a=(b"], "label selector"),
        (["pod", "x", "--by", "pod"], "--by applies to a sweep"),
    ],
)
def test_usage_errors_suggest(exitwhy, argv, hint):
    run = exitwhy(*argv)
    assert run.status == 2, run.err
    assert hint in run.err and len(run.err.strip().splitlines()) == 1 and run.out == ""


def test_code_and_help_load_neither_typer_nor_kubernetes():
    code = (
        "import sys\nfrom kubectl_exitwhy import cli\n"
        "for argv in (['-n', 'prod', 'code', '137'], ['--help'], ['help'], ['version']):\n"
        "    try:\n        cli.main(argv)\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'kubernetes')]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_no_import_cycle_between_cli_and_commands():
    import ast
    from pathlib import Path

    source = Path(__file__).resolve().parent.parent / "kubectl_exitwhy" / "commands.py"
    imported = {
        node.module
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.ImportFrom)
    }
    assert "kubectl_exitwhy.cli" not in imported
