"""Memory settings against the limit: what the spec shows each runtime, the budget it gives,
and how a budget that cannot fit changes an OOM's diagnosis."""

from __future__ import annotations

import json

import pytest
from test_engine import configured, crashing, one

from builders import pod, spec_container, status, terminated
from kubectl_exitwhy.budget import budget
from kubectl_exitwhy.evidence import _container

MI = 1 << 20


def container(memory="1Gi", env=None, command=None, raw_env=None, env_from=None):
    spec = configured(memory, env=env, command=command) if memory else spec_container(memory=None)
    if raw_env is not None:
        spec["env"] = raw_env
    if env_from is not None:
        spec["envFrom"] = env_from
    if command and not memory:
        spec["command"] = command
    return _container("regular", "containers", "containerStatuses", spec, {"name": "app"}, "Always")


@pytest.mark.parametrize(
    "memory,env,command,verdict,ceiling_mib,deciding",
    [
        # the JVM: -Xmx wins over any percentage; the percentage is of the limit
        ("2Gi", None, ["java", "-Xmx2g", "-jar", "a.jar"], "cannot_fit", 2048, "-Xmx2g"),
        ("2000Mi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=80"}, None,
         "likely_cannot_fit", 1600, "-XX:MaxRAMPercentage=80"),
        ("2000Mi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=80 -Xmx1g"}, None,
         "fits", 1024, "-Xmx1g"),
        ("4Gi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75.0"}, None, "fits", 3072, None),
        # the command line wins over JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS; _JAVA_OPTIONS wins
        ("1Gi", {"JAVA_TOOL_OPTIONS": "-Xmx2g"}, ["java", "-Xmx512m", "-jar", "a.jar"],
         "fits", 512, "-Xmx512m"),
        ("1Gi", {"JDK_JAVA_OPTIONS": "-Xmx2g"}, ["java", "-Xmx512m", "Main"], "fits", 512, None),
        ("1Gi", {"_JAVA_OPTIONS": "-Xmx1g"}, ["java", "-Xmx512m", "Main"],
         "cannot_fit", 1024, "-Xmx1g"),
        # JAVA_OPTS counts when the command uses it (a shell script's words are read too)
        ("1Gi", {"JAVA_OPTS": "-Xmx1g"}, ["sh", "-c", "exec java $JAVA_OPTS -jar /app.jar"],
         "cannot_fit", 1024, "-Xmx1g"),
        ("1Gi", {"JAVA_OPTS": "-Xmx1g"}, ["java", "-jar", "/app.jar"], None, None, None),
        # the kubelet's $(VAR) expansion in args
        ("1Gi", {"JAVA_OPTS": "-Xmx1g"}, ["java", "$(JAVA_OPTS)", "-jar", "a.jar"],
         "cannot_fit", 1024, "-Xmx1g"),
        # a small memory gets MinRAMPercentage (50%), whatever MaxRAMPercentage says
        ("200Mi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=90"}, None, "fits", 100, None),
        # Node.js: MiB, either spelling
        ("1Gi", {"NODE_OPTIONS": "--max-old-space-size=1536"}, None, "cannot_fit", 1536, None),
        ("2Gi", None, ["node", "--max_old_space_size=1800", "server.js"],
         "likely_cannot_fit", 1800, None),
        ("2Gi", {"NODE_OPTIONS": "--max-old-space-size=1536"}, None, "fits", 1536, None),
        # Go: GOMEMLIMIT's own units; GOGC=off without a limit never collects
        # GOMEMLIMIT above the limit: the GC still runs by GOGC, the soft limit just cannot help
        ("1Gi", {"GOMEMLIMIT": "2GiB"}, None, "likely_cannot_fit", 2048, None),
        ("1Gi", {"GOMEMLIMIT": "2GiB", "GOGC": "off"}, None, "cannot_fit", 2048, None),
        ("1Gi", {"GOMEMLIMIT": "1000MiB"}, None, "likely_cannot_fit", 1000, None),
        ("1Gi", {"GOMEMLIMIT": "900MiB"}, None, "fits", 900, None),
        ("1Gi", {"GOGC": "off"}, None, "cannot_fit", float("inf"), "GOGC=off"),
        ("1Gi", {"GOGC": "off", "GOMEMLIMIT": "900MiB"}, None, "fits", 900, None),
        # .NET: hexadecimal; a percentage outside 1–99 is ignored (75% applies)
        ("1Gi", {"DOTNET_GCHeapHardLimit": "0x40000000"}, None, "cannot_fit", 1024, None),
        ("1Gi", {"DOTNET_GCHeapHardLimitPercent": "60"}, None, "likely_cannot_fit", 983, None),
        ("1Gi", {"DOTNET_GCHeapHardLimitPercent": "80"}, None, "fits", 768, None),
    ],
)  # fmt: skip
def test_the_budget_each_runtime_gets(memory, env, command, verdict, ceiling_mib, deciding):
    b = budget(container(memory, env=env, command=command))
    if verdict is None:
        assert b is None
        return
    assert b is not None and b.verdict == verdict
    assert (
        round(b.ceiling / MI) == ceiling_mib
        if ceiling_mib != float("inf")
        else b.ceiling == ceiling_mib
    )
    if deciding:
        assert b.setting.text == deciding


def test_nothing_to_compare_without_a_limit_or_a_readable_setting():
    assert budget(container(None, command=["java", "-Xmx8g", "Main"])) is None  # node's memory
    assert budget(container("1Gi", env={"GOMEMLIMIT": "900Mi"})) is None  # Go refuses it
    assert budget(container("1Gi", env={"JAVA_TOOL_OPTIONS": "-XX:+UseG1GC"})) is None
    off = container(
        "1Gi", env={"JAVA_TOOL_OPTIONS": "-XX:-UseContainerSupport -XX:MaxRAMPercentage=90"}
    )
    assert budget(off) is None  # then the JVM sizes itself from the node, which is not read
    # a pod-level limit counts when the container has none
    assert budget(container(None, command=["java", "-Xmx2g", "M"]), 2 << 30).verdict == "cannot_fit"


def test_only_the_runtimes_variables_are_kept_and_references_are_named_not_read():
    c = container(
        "1Gi",
        raw_env=[
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "NODE_OPTIONS", "value": "--max-old-space-size=512"},
            {"name": "JAVA_TOOL_OPTIONS",
             "valueFrom": {"configMapKeyRef": {"name": "jvm-flags", "key": "opts"}}},
        ],
        env_from=[{"secretRef": {"name": "app-secrets"}}, {"configMapRef": {"name": "app-env"}}],
    )  # fmt: skip
    assert c.memory_env == (("NODE_OPTIONS", "--max-old-space-size=512"),)
    assert "hunter2" not in repr(c)
    assert c.memory_env_hidden == (
        "JAVA_TOOL_OPTIONS from ConfigMap jvm-flags",
        "envFrom Secret app-secrets",
        "envFrom ConfigMap app-env",
    )


def oom_pod(memory, env=None, command=None, code=137, reason="OOMKilled"):
    spec = configured(memory, env=env, command=command)
    return crashing(terminated(code, reason), containers=[spec])


def test_an_oom_whose_settings_cannot_fit_names_the_setting_not_the_limit():
    (f,) = one(oom_pod("2000Mi", env={"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=80"})).findings
    assert f.cause == "oom_killed"
    assert "-XX:MaxRAMPercentage=80 leaves only 400Mi outside the heap" in f.summary
    assert f.next_steps[0].startswith("Use -XX:MaxRAMPercentage=75.0 or less")
    assert "raise the limit" not in f.next_steps[0]  # a share of the limit grows with it
    assert not any(s.startswith("Raise resources.limits.memory") for s in f.next_steps)
    assert f.detail.startswith("heap ceiling 1600Mi of the 2000Mi limit (-XX:MaxRAMPercentage=80")
    (g,) = one(oom_pod("1Gi", env={"NODE_OPTIONS": "--max-old-space-size=2048"})).findings
    assert "reach the limit on its own: the setting, not the limit, is what to fix" in g.summary
    assert (
        g.next_steps[0]
        == "Set --max-old-space-size to at most 768 (MiB), or raise the limit to at least 2731Mi."
    )


def test_an_oom_whose_settings_fit_keeps_the_generic_advice_and_names_hidden_settings():
    (f,) = one(oom_pod("4Gi", env={"JAVA_TOOL_OPTIONS": "-Xmx2g"})).findings
    assert "setting" not in f.summary
    assert any(s.startswith("Raise resources.limits.memory") for s in f.next_steps)
    spec = spec_container(memory="1Gi")
    spec["envFrom"] = [{"configMapRef": {"name": "jvm-env"}}]
    (h,) = one(crashing(terminated(137, "OOMKilled"), containers=[spec])).findings
    assert "envFrom ConfigMap jvm-env" in h.next_steps[0] and "does not read" in h.next_steps[0]


def test_a_bare_sigkill_with_settings_that_cannot_fit_says_an_oom_is_likely():
    (f,) = one(oom_pod("1Gi", command=["java", "-Xmx1g", "Main"], reason="Error")).findings
    assert f.cause == "sigkill"  # the runtime did not say OOMKilled: the cause stays a SIGKILL
    assert "an OOM kill is likely" in f.summary


def test_a_jvm_heap_error_far_under_the_limit_blames_the_heap_flag():
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.evidence import build_pod, with_logs

    spec = configured("4Gi", command=["java", "-Xmx512m", "-jar", "app.jar"])
    built = build_pod(crashing(terminated(1), containers=[spec]))
    error = 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'
    (f,) = diagnose(with_logs(built, {"app": [error]})).findings
    assert f.cause == "app_error"
    assert "the heap flag, not the container, is the ceiling that was hit" in f.summary
    assert "512Mi ceiling (-Xmx512m), far under the 4Gi limit" in f.summary


def test_the_pod_view_shows_the_budget_on_one_line_and_json_carries_it(exitwhy, saved):
    running = pod(
        "api-1",
        containers=[configured("2Gi", env={"JAVA_TOOL_OPTIONS": "-Xmx2g"})],
        statuses=[status(ready=True)],
    )
    path = saved(running)
    view = exitwhy("pod", "api-1", "-f", path, env={"COLUMNS": "200"}).out
    (line,) = [ln for ln in view.splitlines() if ln.strip().startswith("budget: ")]
    assert (
        "heap ceiling 2Gi of the 2Gi limit (-Xmx2g in env JAVA_TOOL_OPTIONS); nothing left" in line
    )
    doc = exitwhy("-f", path, "-o", "json").json()
    (f,) = doc["items"][0]["findings"]
    assert (f["cause"], f["severity"], f["confidence"]) == (
        "memory_settings_exceed_limit",
        "warning",
        "high",
    )
    assert f["detail"].startswith("heap ceiling 2Gi of the 2Gi limit")
    assert json.dumps(doc).count("budget: ") == 1  # in the evidence once, as the view shows it


def test_without_a_limit_the_node_is_the_ceiling_and_the_view_says_so():
    spec = configured("1Gi", command=["java", "-Xmx8g", "-jar", "a.jar"])
    spec["resources"] = {"requests": {"memory": "2Gi"}}  # a request is not a ceiling
    (f,) = one(crashing(terminated(137, "OOMKilled"), containers=[spec])).findings
    assert f.cause == "oom_node"
    (line,) = [e for e in f.evidence if e.startswith("budget: ")]
    assert "no memory limit (only a request of 2Gi): the node's memory is the ceiling" in line
    assert "-Xmx8g in command lets the heap reach 8Gi" in line
    running = pod(containers=[spec], statuses=[status(ready=True)])
    assert [x.cause for x in one(running).findings] == []  # nothing to judge it against


@pytest.mark.parametrize(
    "memory,env,command,verdict,ceiling_mib",
    [
        # what follows the main class, -jar's file or the script is the program's, not the runtime's
        ("1Gi", None, ["java", "-jar", "a.jar", "-Xmx3g"], None, None),
        ("1Gi", None, ["java", "-cp", "/app/lib", "com.acme.Main", "-Xmx3g"], None, None),
        ("1Gi", None, ["node", "server.js", "--max-old-space-size=3072"], None, None),
        ("1Gi", None, ["node", "-r", "dotenv/config", "--max-old-space-size=3072", "s.js"],
         "cannot_fit", 3072),
        ("1Gi", None, ["sh", "-c", "java -version && exec java -Xmx2g -jar a.jar --port 80"],
         "cannot_fit", 2048),
        # an explicit MaxRAM is what the JVM sizes from, whatever the container's limit
        ("2Gi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAM=16g"}, None, "cannot_fit", 4096),
        ("2Gi", {"JAVA_TOOL_OPTIONS": "-XX:MaxRAM=8g -XX:MaxRAMPercentage=50"}, None,
         "cannot_fit", 4096),
        # Go takes whole numbers only: 1.5GiB is refused by the runtime, not a budget
        ("1Gi", {"GOMEMLIMIT": "1.5GiB"}, None, None, None),
    ],
)  # fmt: skip
def test_what_a_first_reading_found(memory, env, command, verdict, ceiling_mib):
    b = budget(container(memory, env=env, command=command))
    assert (b.verdict if b else None) == verdict
    if ceiling_mib:
        assert round(b.ceiling / MI) == ceiling_mib


def test_a_setting_out_of_sight_lowers_the_certainty_and_is_named():
    raw = [
        {"name": "GOGC", "value": "off"},
        {"name": "GOMEMLIMIT", "valueFrom": {"configMapKeyRef": {"name": "go-env", "key": "l"}}},
    ]
    running = pod(containers=[{**spec_container(memory="1Gi"), "env": raw}],
                  statuses=[status(ready=True)])  # fmt: skip
    (f,) = one(running).findings
    assert f.cause == "memory_settings_exceed_limit" and f.confidence == "medium"
    assert "GOMEMLIMIT from ConfigMap go-env may change this (not read)" in f.summary
    assert any("kubectl get configmap go-env" in step for step in f.next_steps)


def test_dotnet_advice_names_the_setting_in_use_and_a_decimal_slip():
    decimal = pod(containers=[configured("1Gi", env={"DOTNET_GCHeapHardLimit": "1073741824"})],
                  statuses=[status(ready=True)])  # fmt: skip
    (f,) = one(decimal).findings
    assert f.next_steps[0].startswith("Set DOTNET_GCHeapHardLimit to at most 0x30000000 (768Mi)")
    assert any("in decimal it would be 1Gi: write 0x40000000" in e for e in f.evidence)
    assert any(
        e.startswith("spec.containers[app].env[DOTNET_GCHeapHardLimit]:") for e in f.evidence
    )


def test_exit_2_of_a_go_program_with_a_gomemlimit_go_refuses_names_it():
    spec = configured("1Gi", env={"GOMEMLIMIT": "900Mi"})
    (f,) = one(crashing(terminated(2), containers=[spec])).findings
    assert "GOMEMLIMIT=900Mi is not a value Go accepts" in f.summary
    assert f.next_steps[0].startswith("Fix GOMEMLIMIT=900Mi")
