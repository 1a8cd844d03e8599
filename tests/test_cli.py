"""The command line as a user meets it: exit statuses, stdout that parses, stderr that helps."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from builders import crashloop, event, pod, status, terminated

FINDING_KEYS = {
    "container",
    "containerType",
    "cause",
    "severity",
    "confidence",
    "exitCode",
    "signal",
    "reason",
    "restartCount",
    "finishedAt",
    "detail",
    "summary",
    "evidence",
    "nextSteps",
    "logTail",
    "history",  # DESIGN §4 additions
}
ITEM_KEYS = {"namespace", "pod", "phase", "node", "owner", "findings"}


def oom_pod(name="web-1", ns="prod"):
    return pod(
        name,
        ns,
        statuses=[status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=5)],
    )


def warning_pod(name="web-2"):
    return pod(name, statuses=[status(last=terminated(1), restarts=1, ready=True)])


@pytest.mark.parametrize(
    "given,code", [("-1", 255), ("300", 44), ("137", 137), ("3.5", 128), ("-256", 0)]
)
def test_code_normalises(exitwhy, given, code):
    run = exitwhy("code", given, "-o", "json")
    assert run.status == 0, run.err
    doc = run.json()
    assert doc["code"] == code and doc["input"] == given


def test_code_137_names_sigkill_and_says_only_oomkilled_proves_oom(exitwhy):
    run = exitwhy("code", "137")
    assert run.status == 0
    assert "SIGKILL" in run.out
    assert "only the reason OOMKilled proves" in " ".join(run.out.split())


def test_code_text_says_normalisation(exitwhy):
    assert "255" in exitwhy("code", "-1").out.splitlines()[0]
    assert exitwhy("code", "300").out.startswith("Exit code 44")


@pytest.mark.parametrize("bad", ["banana", "", "1e400x"])
def test_code_bad_argument_is_a_usage_error(exitwhy, bad):
    run = exitwhy("code", bad)
    assert run.status == 2
    assert run.out == ""
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


def test_json_follows_the_contract(exitwhy, saved):
    run = exitwhy("-f", saved(oom_pod(), warning_pod()), "-o", "json")
    assert run.status == 0, run.err
    doc = run.json()
    assert doc["apiVersion"] == "exitwhy/v1" and doc["kind"] == "DiagnosisList"
    assert set(doc) == {"apiVersion", "kind", "items", "workloads", "nodes"}  # a sweep's
    for item in doc["items"]:
        assert set(item) == ITEM_KEYS
        assert item["owner"] == {"kind": "ReplicaSet", "name": "web-6d4f"}
        for f in item["findings"]:
            assert set(f) == FINDING_KEYS
            assert f["severity"] in ("critical", "warning", "info")
            assert f["confidence"] in ("high", "medium", "low")
            assert f["containerType"] in ("init", "sidecar", "regular", "ephemeral", "pod")
    first = {i["pod"]: i["findings"][0] for i in doc["items"]}
    assert first["web-1"]["cause"] == "oom_killed" and first["web-1"]["signal"] == "SIGKILL"
    assert first["web-1"]["finishedAt"] == "2026-11-20T10:00:00Z"
    assert first["web-2"]["severity"] == "warning"


def test_yaml_is_the_same_document(exitwhy, saved):
    import yaml

    path = saved(oom_pod())
    assert (
        yaml.safe_load(exitwhy("-f", path, "-o", "yaml").out)
        == exitwhy("-f", path, "-o", "json").json()
    )


@pytest.mark.parametrize(
    "fail_on,expected", [(None, 0), ("critical", 1), ("warning", 1), ("info", 1)]
)
def test_fail_on_with_a_critical_finding(exitwhy, saved, fail_on, expected):
    args = ["-f", saved(oom_pod())] + (["--fail-on", fail_on] if fail_on else [])
    assert exitwhy(*args).status == expected


def test_fail_on_critical_passes_with_only_warnings(exitwhy, saved):
    assert exitwhy("-f", saved(warning_pod()), "--fail-on", "critical").status == 0
    assert exitwhy("-f", saved(warning_pod()), "--fail-on", "warning").status == 1


def test_flags_in_any_position(exitwhy, saved):
    path = saved(oom_pod(), warning_pod())
    a = exitwhy("pod", "web-1", "-f", path, "-o", "json")
    b = exitwhy("-o", "json", "-f", path, "pod", "web-1")
    c = exitwhy("-f", path, "pod", "-o", "json", "web-1", "-n", "prod")
    assert a.status == b.status == c.status == 0
    assert a.json() == b.json() == c.json()
    assert [i["pod"] for i in a.json()["items"]] == ["web-1"]


def test_pod_view_tells_every_container(exitwhy, saved):
    p = pod(
        statuses=[
            status(state=crashloop(), last=terminated(137, "OOMKilled"), restarts=5),
            status("proxy", last=terminated(1), restarts=1),
        ]
    )
    run = exitwhy("pod", "web-1", "-f", saved(p))
    assert run.status == 0, run.err
    assert "app (regular): oom_killed" in run.out
    assert "proxy (regular): app_error" in run.out
    assert "Evidence:" in run.out and "Next steps:" in run.out
    assert all(len(line) <= 100 for line in run.out.splitlines())


def test_pod_not_in_file(exitwhy, saved):
    run = exitwhy("pod", "nope", "-f", saved(oom_pod()))
    assert run.status == 3 and "nope" in run.err and run.out == ""


def test_namespace_filter_and_all(exitwhy, saved):
    path = saved(oom_pod("a", "prod"), oom_pod("b", "dev"), pod("healthy", "prod"))
    names = lambda run: [i["pod"] for i in run.json()["items"]]  # noqa: E731
    assert names(exitwhy("-f", path, "-o", "json")) == ["a", "b"]
    assert names(exitwhy("-f", path, "-n", "dev", "-o", "json")) == ["b"]
    assert sorted(names(exitwhy("-f", path, "-n", "prod", "--all", "-o", "json"))) == [
        "a",
        "healthy",
    ]
    assert names(exitwhy("-f", path, "-l", "app=b", "-o", "json")) == ["b"]


def test_info_only_pods_are_listed_with_all(exitwhy, saved):
    done = pod(
        "job-1",
        phase="Succeeded",
        restart_policy="Never",
        owner=("Job", "nightly"),
        statuses=[status(state={"terminated": terminated(0, "Completed")})],
    )
    path = saved(done, oom_pod())
    names = lambda *a: [i["pod"] for i in exitwhy("-f", path, "-o", "json", *a).json()["items"]]  # noqa: E731
    assert names() == ["web-1"]
    assert sorted(names("--all")) == ["job-1", "web-1"]


def test_no_findings_says_so_on_stderr(exitwhy, saved):
    run = exitwhy("-f", saved(pod("healthy")))
    assert run.status == 0 and run.out == "" and "No pod" in run.err
    assert exitwhy("-f", saved(pod("healthy")), "-o", "json").json()["items"] == []


def test_table_fits_100_columns_and_puts_critical_first(exitwhy, saved):
    long = "checkout-service-with-a-very-long-deployment-name-7d9f8c6b5-x2x9z"
    run = exitwhy("-f", saved(warning_pod("aaa-warning"), oom_pod(long, "payments-prod")), "-A")
    lines = run.out.splitlines()
    assert lines[0].split()[:3] == ["NAMESPACE", "WORKLOAD", "PODS"]
    assert all(len(line) <= 100 for line in lines), lines
    assert "critical" in lines[1] and "OOM-killed" in lines[1] and "payments-prod" in lines[1]
    assert "warning" in lines[2] and "app error" in lines[2]
    by_pod = exitwhy("-f", saved(oom_pod(long, "payments-prod")), "-A", "--by", "pod").out
    assert long in by_pod  # never shortened, even past 100 columns


def test_wide_adds_columns(exitwhy, saved):
    run = exitwhy("-f", saved(oom_pod()), "-o", "wide")
    header = run.out.splitlines()[0].split()
    for column in ("SEVERITY", "CONFIDENCE", "REASON", "NODE", "WORKLOAD", "SUMMARY"):
        assert column in header


def test_cluster_text_is_stripped_of_control_sequences(exitwhy, saved):
    evil = "boom \x1b]0;owned\x07\x1b[31mred\x1b[0m \x9b2J end\x07"
    p = pod(statuses=[status(state=crashloop(), last=terminated(1, message=evil), restarts=2)])
    for args in (["-o", "wide"], ["pod", "web-1"], ["-o", "json"], ["-o", "yaml"]):
        run = exitwhy("-f", saved(p, event("BackOff", "Back-off \x1b[2Jrestarting")), *args)
        assert run.status == 0, run.err
        for ch in ("\x1b", "\x07", "\x9b"):
            assert ch not in run.out, args
        if args[0] == "pod":
            assert "boom" in run.out and "red" in run.out


def _tty_run(args, env):
    """Run with stdout on a pseudo-terminal; return what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubectl_exitwhy", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_tty_and_never_with_no_color(saved, exitwhy):
    path = saved(oom_pod())
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    assert "\x1b[31m" in _tty_run(["-f", path], env)
    assert "\x1b[" not in _tty_run(["-f", path], {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in exitwhy("-f", path, env={"TERM": "xterm"}).out  # a pipe: no colour


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["-o", "xml"],
        ["--fail-on", "sometimes"],
        ["frobnicate"],
        ["pod"],
        ["pod", "x", "-l", "a=b", "-f", "-"],
    ],
)
def test_usage_errors(exitwhy, args):
    run = exitwhy(*args, stdin="")
    assert run.status == 2, (args, run.err)
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err
    assert run.out == ""


def test_help_and_version(exitwhy):
    run = exitwhy("--help")
    assert run.status == 0 and "kubectl exitwhy" in run.out and "pod NAME" in run.out
    assert exitwhy("pod", "--help").status == 0
    assert exitwhy("--version").out.startswith("kubectl-exitwhy ")


def test_stdin(exitwhy, saved):
    with open(saved(oom_pod())) as fh:
        run = exitwhy("-f", "-", "-o", "json", stdin=fh.read())
    assert run.status == 0 and run.json()["items"][0]["findings"][0]["cause"] == "oom_killed"


def test_offline_paths_do_not_import_kubernetes():
    code = (
        "import sys\nfrom kubectl_exitwhy import cli\n"
        "for argv in (['code', '137'], ['--help']):\n"
        "    try:\n        cli.main(argv)\n    except SystemExit:\n        pass\n"
        "assert not [m for m in sys.modules if m.startswith('kubernetes')], 'imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_wider_terminal_gets_the_summary(saved):
    long = "checkout-service-with-a-long-deployment-name-7d9f8c6b5-x2x9z"
    path = saved(oom_pod(long, "payments-prod"))
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm"}
    narrow = _tty_run(["-f", path, "--by", "pod"], {**env, "COLUMNS": "100"})
    wide = _tty_run(["-f", path, "--by", "pod"], {**env, "COLUMNS": "180"})
    assert "SUMMARY" not in narrow and "SUMMARY" in wide
    assert all(len(line) <= 180 for line in wide.splitlines())
    assert "OOM-killed" in wide


def test_escapes_in_the_phase_and_bidi_overrides_are_stripped(exitwhy, saved):
    p = oom_pod()
    p["status"]["phase"] = "Failed\x1b]0;pwned\x07\x1b[2J"
    p["status"]["containerStatuses"][0]["lastState"]["terminated"]["message"] = "a\u202eb"
    run = exitwhy("pod", "web-1", "-f", saved(p))
    assert run.status == 0 and "\x1b" not in run.out and "\x07" not in run.out
    assert "\u202e" not in run.out
