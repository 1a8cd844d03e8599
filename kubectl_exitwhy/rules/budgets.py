"""Memory settings that cannot fit the limit: found before the OOM (a container that has not
died yet, scope SPEC), and named as the cause to fix when it comes (``with_budget``)."""

from __future__ import annotations

from typing import Optional

from kubectl_exitwhy.budget import (
    CANNOT,
    FITS,
    HEAP_SHARE,
    WHAT,
    WHY_HEADROOM,
    Budget,
    budget,
    size,
    without_limit,
)
from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.rules.base import HIGH, MEDIUM, SPEC, Subject, Verdict, rule
from kubectl_exitwhy.runtimes import SCRIPT_ENV
from kubectl_exitwhy.settings import read

# the kills and errors a budget that cannot fit explains, or sharpens
BUDGETED = {"oom_killed", "oom_node", "sigkill"}
GENERIC_OOM_STEP = "Raise resources.limits.memory, or find the leak"


def _source(s: Subject, b: Budget) -> str:
    where = b.setting.where
    field = "command/args" if where == "command" else f"env[{where.split()[-1]}]"
    return f"{s.c.spec_path}.{field}: {b.setting.text}"


def _evidence(s: Subject, b: Budget) -> list[str]:
    lines = [
        f"{s.c.spec_path}.resources.limits.memory: {s.c.memory_limit_text or size(b.limit)}"
        if s.c.memory_limit
        else f"spec.resources.limits.memory (pod-level): {size(b.limit)}",
        _source(s, b),
        f"budget: {b.line()}",
        f"assumed: {WHY_HEADROOM[b.runtime]}",
    ]
    script = b.setting.where.split()[-1]
    if script in SCRIPT_ENV and not s.c.command:
        lines.append(f"assumed: {script} is read by start scripts, not the JVM; the image's does")
    return lines + [f"{s.c.spec_path}.env: {note}" for note in b.notes]


def _say(b: Budget) -> str:
    """The budget in one sentence, as certain as the facts allow."""
    what, left = WHAT[b.runtime], size(b.limit - b.ceiling)
    if b.ceiling == float("inf"):
        return (
            f"{b.setting.text} with no GOMEMLIMIT: the GC never runs, so the Go memory grows "
            f"until the kernel OOM-kills it at the {size(b.limit)} limit"
        )
    if b.runtime == "go" and b.ceiling >= b.limit:
        return (
            f"{b.setting.text} is at or above the {size(b.limit)} limit: the soft limit cannot "
            "keep the Go memory under the container's, so only GOGC paces the collector"
            + (", and it is off" if b.how == "with GOGC=off" else "")
        )
    if b.verdict == CANNOT:
        return (
            f"{b.setting.text} lets the {what} grow to {size(b.ceiling)} in a {size(b.limit)} "
            f"limit, with nothing left for the rest of the process: once the {what} fills, the "
            "kernel OOM-kills it"
        )
    guide = round(100 * (1 - HEAP_SHARE[b.runtime]))
    return (
        f"{b.setting.text} leaves {left} of the {size(b.limit)} limit outside the {what}, less "
        f"than the {guide}% the runtime's guidance leaves for the rest"
    )


def advice(b: Budget) -> tuple[str, ...]:
    """What to change, with the numbers: the setting first; a larger limit only where the setting
    is a size (a share of the limit grows with it and never fits)."""
    share = HEAP_SHARE[b.runtime]
    room = b.limit * share
    grow = ""
    if b.ceiling != float("inf") and not b.scales:
        grow = f", or raise the limit to at least {size(b.ceiling / share)}"
    flag = b.setting.flag
    if b.runtime == "jvm" and flag == "Xmx":
        step = f"Lower -Xmx to at most {size(room)} (75% of the {size(b.limit)} limit){grow}."
    elif b.runtime == "jvm" and flag == "MaxRAM":
        step = (
            f"Drop {b.setting.text} (the JVM then sizes the heap from the {size(b.limit)} limit) "
            f"or set -Xmx to at most {size(room)}{grow}."
        )
    elif b.runtime == "jvm":
        step = (
            f"Use -XX:MaxRAMPercentage=75.0 or less (a {size(room)} heap in the {size(b.limit)} "
            f"limit) instead of {b.setting.text}: a share of the limit grows with the limit."
        )
    elif b.runtime == "node":
        step = f"Set --max-old-space-size to at most {int(room / (1 << 20))} (MiB){grow}."
    elif b.runtime == "go":
        target = f"{int(b.limit * 0.9 / (1 << 20))}MiB"
        step = (
            f"Set GOMEMLIMIT to about 90% of the limit ({target}; units B, KiB, MiB, GiB, TiB: "
            f"Kubernetes quantities like 900Mi are refused){grow}."
        )
        if flag == "GOGC":
            step = f"Set GOMEMLIMIT={target} so the GC runs before the limit, or unset GOGC=off."
    elif flag == "GCHeapHardLimit":
        step = (
            f"Set DOTNET_GCHeapHardLimit to at most 0x{int(room):X} ({size(room)}): the value is "
            f"hexadecimal{grow}."
        )
    else:
        step = (
            "Set DOTNET_GCHeapHardLimitPercent to 0x4B (75%) or less: the value is hexadecimal, "
            "and a share of the limit grows with the limit."
        )
    return (step, "Check the real use: kubectl top pod <pod> -n <ns> --containers")


def _hidden_step(s: Subject) -> Optional[str]:
    if not s.c.memory_env_hidden:
        return None
    step = (
        "Check the memory settings that come from outside the spec ("
        + "; ".join(s.c.memory_env_hidden)
        + ") against the limit: exitwhy does not read ConfigMaps or Secrets"
    )
    maps = [h.split()[-1] for h in s.c.memory_env_hidden if " ConfigMap " in f" {h} "]
    return step + (f": kubectl get configmap {maps[0]} -n <ns> -o yaml" if maps else ".")


@rule("memory_settings_exceed_limit", 10, SPEC)
def settings_exceed_limit(s: Subject) -> Optional[Verdict]:
    """The memory a runtime is told it may use — JVM ``-Xmx`` or ``MaxRAMPercentage``, Node.js
    ``--max-old-space-size``, Go ``GOMEMLIMIT`` (or ``GOGC=off`` without it), .NET
    ``GCHeapHardLimit`` — read from the command, args and literal env, reaches the container's
    memory limit, or leaves less room than the runtime's documented needs outside it. The
    container has not died of it yet; under load the kernel will OOM-kill it while the runtime
    still thinks it has room. Found before the OOM."""
    b = budget(s.c, s.pod.memory_limit)
    if b is None or b.verdict == FITS:
        return None
    confidence = HIGH if b.verdict == CANNOT else MEDIUM
    if b.setting.where.split()[-1] in SCRIPT_ENV and not s.c.command:
        confidence = MEDIUM
    summary = _say(b)
    if b.hidden:  # what is out of sight may be the runtime's own setting
        confidence = MEDIUM
        summary += f"; {'; '.join(b.hidden)} may change this (not read)"
    return Verdict(
        "memory_settings_exceed_limit",
        confidence,
        summary,
        tuple(_evidence(s, b)),
        advice(b) + ((_hidden_step(s) or ""),) * bool(b.hidden),
        detail=b.line(),
        severity="warning",
    )


def _malformed_gomemlimit(verdict: Verdict, s: Subject) -> Optional[Verdict]:
    """Exit 2 of a container whose GOMEMLIMIT Go refuses: the runtime stops before main."""
    if s.container is None or s.term is None or s.term.exit_code != 2:
        return None
    bad = [x for x in read(s.c) if x.flag == "GOMEMLIMIT" and x.value is None]
    if not bad:
        return None
    text = bad[-1].text
    return replace(
        verdict,
        summary=f"{verdict.summary}; its {text} is not a value Go accepts (whole numbers with B, "
        "KiB, MiB, GiB or TiB): the Go runtime stops at start with 'malformed GOMEMLIMIT', exit 2",
        evidence=verdict.evidence + (f"{s.c.spec_path}.env[GOMEMLIMIT]: {text}",),
        next_steps=(f"Fix {text}: Go reads 900MiB, not 900Mi or 1G.", *verdict.next_steps),
    )


def with_budget(verdict: Verdict, s: Subject) -> Verdict:
    """An OOM (or a bare SIGKILL) of a container whose settings cannot fit names the setting,
    not the limit, as the thing to fix; one whose settings are out of sight says where they are.
    A JVM heap error with a heap far under the limit says the heap flag was the ceiling."""
    malformed = _malformed_gomemlimit(verdict, s)
    if malformed is not None:
        return malformed
    b = budget(s.c, s.pod.memory_limit) if s.container is not None else None
    jvm_heap = any(h.signature.id == "jvm_heap" for h in s.c.log_hits) if s.container else False
    if jvm_heap and b is not None and b.runtime == "jvm" and b.ceiling < b.limit * 0.5:
        return replace(
            verdict,
            summary=f"{verdict.summary}; the heap ran out at its {size(b.ceiling)} ceiling "
            f"({b.setting.text}), far under the {size(b.limit)} limit: the heap flag, not the "
            "container, is the ceiling that was hit",
            evidence=verdict.evidence + (_source(s, b), f"budget: {b.line()}"),
            detail=verdict.detail or b.line(),
        )
    if verdict.cause not in BUDGETED:
        return verdict
    unlimited = without_limit(s.c, s.pod.memory_limit) if s.container is not None else None
    if unlimited and verdict.cause in ("oom_node", "oom_killed"):
        return replace(verdict, evidence=verdict.evidence + (f"budget: {unlimited}",))
    if b is None or b.verdict == FITS:
        hidden = _hidden_step(s)
        if hidden is None or verdict.cause == "sigkill":
            return verdict
        return replace(verdict, next_steps=(hidden, *verdict.next_steps))
    what = WHAT[b.runtime]
    if b.verdict == CANNOT:
        clause = f"its {b.setting.text} lets the {what} reach the limit on its own"
    else:
        clause = f"its {b.setting.text} leaves only {size(b.limit - b.ceiling)} outside the {what}"
    if b.hidden:
        clause += f" ({'; '.join(b.hidden)} may change this: not read)"
    if verdict.cause == "sigkill":
        clause += ": an OOM kill is likely"
    elif b.verdict == CANNOT:
        clause += ": the setting, not the limit, is what to fix"
    else:
        clause += ": the setting is the likely cause, more than the limit"
    steps = verdict.next_steps + CAUSES[verdict.cause].next_steps
    new = tuple(e for e in _evidence(s, b) if e not in verdict.evidence)
    return replace(
        verdict,
        summary=f"{verdict.summary}; {clause}",
        evidence=verdict.evidence + new,
        next_steps=advice(b)[:1] + tuple(x for x in steps if not x.startswith(GENERIC_OOM_STEP)),
        own_steps=True,
        detail=b.line(),
    )


RULES = (settings_exceed_limit,)
