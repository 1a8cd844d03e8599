"""The cause table checked both ways: every cause id has a rule, an example, a test case and a
docs entry, and nothing names an id the table does not have (STYLE §5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.rules import ALL

ROOT = Path(__file__).resolve().parent.parent
DESIGN_IDS = set(CAUSES)


def example_causes() -> set[str]:
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    return {
        f["cause"]
        for name, pods in expected.items()
        if not name.startswith("_")
        for findings in pods.values()
        for f in findings
    }


def engine_case_causes() -> set:
    from test_engine import CASES

    return {cause for _, cause, _, _ in CASES.values()}


def docs_causes() -> set[str]:
    return set(re.findall(r"^### `([a-z0-9_]+)`", (ROOT / "docs" / "causes.md").read_text(), re.M))


@pytest.mark.parametrize(
    "name,found",
    [
        ("rules", lambda: {r.cause for r in ALL}),
        ("examples", example_causes),
        ("engine test cases", engine_case_causes),
        ("docs", docs_causes),
    ],
)
def test_every_cause_everywhere_and_nothing_else(name, found):
    ids = found()
    assert DESIGN_IDS - ids == set(), f"causes without {name}"
    assert ids - DESIGN_IDS == set(), f"{name} name unknown causes"


def test_docs_are_not_stale():
    from kubectl_exitwhy import docsgen

    assert (ROOT / "docs" / "causes.md").read_text() == docsgen.render(), "run make docs"


def test_every_rule_is_documented_and_declared_once():
    for r in ALL:
        assert len(r.doc) > 40, r
    names = [r.check.__name__ for r in ALL]
    assert len(names) == len(set(names))


def test_design_cause_ids_are_the_table():
    """DESIGN §3 lists the ids; the table must hold exactly those (a copy here, on purpose)."""
    design = """oom_killed oom_node liveness_probe_kill startup_probe_kill grace_period_exceeded
    sigkill sigterm sigsegv sigabrt sigill sigbus sigfpe sigpipe sigint sighup sigquit
    signal_other seccomp_killed command_not_found command_not_executable exec_format_error
    start_error runtime_failed_to_run invalid_exit_argument container_status_unknown runtime_lost
    exit_255 sysexits shell_misuse app_error exit_success_restarted exit_success image_pull_error
    invalid_image_name config_error lifecycle_hook_failed evicted eviction_api preempted
    node_shutdown node_lost admission_rejected unschedulable deadline_exceeded job_backoff_limit
    job_deadline_exceeded job_pod_failure_policy sidecar_blocks_completion unknown
    volume_mount_failed sandbox_failed memory_settings_exceed_limit""".split()
    assert set(design) == DESIGN_IDS and len(design) == len(DESIGN_IDS)
