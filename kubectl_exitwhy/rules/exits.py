"""The program's own exit status, read with the restart policy around it."""

from __future__ import annotations

from typing import Optional

from kubectl_exitwhy import codes
from kubectl_exitwhy.evidence import Container
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.rules.base import (
    HIGH,
    LOW,
    MEDIUM,
    RUNNING,
    TERMINATION,
    Subject,
    Verdict,
    crash_looping,
    duration,
    pod_is_stopping,
    restarts_text,
    rule,
    stop_evidence,
    subject_lines,
)
from kubectl_exitwhy.rules.jobs import run_once_by_its_look


def _code_verdict(cause: str, s: Subject, summary: str, confidence: str = HIGH) -> Verdict:
    return Verdict(cause, confidence, summary, tuple(subject_lines(s)))


@rule("exit_success_restarted", 100, TERMINATION)
def exit_success_restarted(s: Subject) -> Optional[Verdict]:
    """Exit 0 under restartPolicy Always, restarted: the main process finished by itself — it
    daemonized, ran a one-off task, or its script ended — and the kubelet keeps restarting it."""
    c = s.c
    if s.code != 0 or c.restart_policy != "Always" or c.kind in ("init", "ephemeral"):
        return None
    if pod_is_stopping(s.pod) or s.pod.phase in ("Succeeded", "Failed"):
        return None
    if not c.restart_count and c.state != "terminated":
        return None
    if not s.pod.policy_shown and run_once_by_its_look(s.pod):
        return None  # a run-once pod its sidecar keeps running (jobs.py): it ended as it should
    summary = "exited 0 but restartPolicy is Always: the main process ends by itself"
    if c.restart_count:
        summary += f", so the kubelet {restarts_text(c)}"
    shell = bare_shell(c)
    if shell:
        summary += f" ({shell})"
    verdict = _code_verdict("exit_success_restarted", s, summary)
    if shell:
        verdict = replace(verdict, next_steps=(_SHELL_STEP,), own_steps=True)
    probed = [k for k in ("liveness", "startup") if k in c.probes]
    if probed and any(e.reason == "Unhealthy" and e.warning for e in c.events):
        # the kubelet stops a container its probe gave up on with SIGTERM: a program that
        # exits 0 on it looks like one that ended by itself
        verdict = replace(
            verdict,
            summary=verdict.summary + f"; but its {probed[0]} probe failed (Unhealthy events), "
            "and a probe's kill (SIGTERM, on which it exits 0) looks the same",
            confidence=MEDIUM,
            next_steps=(
                f"Read the Unhealthy and Killing events: if the {probed[0]} probe killed it, "
                "give the probe more time (timeoutSeconds, failureThreshold; an exec probe "
                "runs within the container's CPU limit) or find why it stops answering: "
                "kubectl describe pod <pod> -n <ns>",
            )
            + verdict.next_steps,
        )
    if not s.pod.policy_shown:  # Always is only the API's default here: not saved, or cut
        summary += " (restartPolicy assumed: the pod spec " + (
            "does not show it)" if s.pod.has_spec else "was not saved)"
        )
        return replace(verdict, summary=summary, confidence=MEDIUM)
    return verdict


# Official base images whose default command (the image's CMD, no ENTRYPOINT) is a shell:
# busybox "sh", alpine "/bin/sh", ubuntu "/bin/bash", debian "bash", … (docker-library).
# Without input (no stdin, no tty) the shell reads end of file at once and exits 0.
_SHELL_IMAGES = {
    "busybox": "sh", "alpine": "/bin/sh", "ubuntu": "/bin/bash", "debian": "bash",
    "centos": "/bin/bash", "fedora": "/bin/bash", "amazonlinux": "/bin/bash",
}  # fmt: skip
_SHELL_STEP = (
    "Give the container the command it should run, one that keeps running (the program it is "
    'for, or command: ["sleep", "infinity"] to keep it idle); a one-off task belongs in a Job '
    "or a pod with restartPolicy Never; an interactive shell needs kubectl run -it (stdin and "
    "tty)."
)


def bare_shell(c: Container) -> str:
    """Why an official base image run with no command, no args and no input exits at once
    (its default command is a shell), in words; '' for any other container."""
    if not c.has_spec or not c.image or c.command or c.interactive or c.kind != "regular":
        return ""  # the status alone says nothing of a command
    image = c.image.split("@", 1)[0]
    host, slash, path = image.partition("/")
    if slash and ("." in host or ":" in host or host == "localhost"):
        if host not in ("docker.io", "index.docker.io", "registry-1.docker.io"):
            return ""  # another registry's image of that name may run anything
        image = path
    name = image.split(":", 1)[0]
    name = name[len("library/") :] if name.startswith("library/") else name
    shell = _SHELL_IMAGES.get(name)
    if not shell:
        return ""
    shown = "set" if c.spec_whole else "shown (the spec is an excerpt)"
    return f"{name}'s default command is the shell {shell}, and no command is {shown}"


@rule("exit_success_restarted", 960, RUNNING)
def bare_shell_restarted(s: Subject) -> Optional[Verdict]:
    """No exit code was kept for a container that keeps restarting, and it runs an official base
    image (busybox, alpine, ubuntu, debian, …) with no command, no args and no stdin or tty: the
    image's default command is a shell, which reads end of file at once and exits 0, and
    restartPolicy Always starts it again (medium: no exit code confirms it; low where the spec
    is an excerpt, which may have left a command out)."""
    c = s.c
    if c.restart_policy != "Always" or c.log_hits or any(line.strip() for line in c.log_tail):
        return None
    if c.state == "running":
        return None  # it runs now: it did not exit at once
    if pod_is_stopping(s.pod) or s.pod.phase in ("Succeeded", "Failed"):
        return None
    shell = bare_shell(c)
    if not shell or not (c.restart_count or crash_looping(c)):
        return None
    shown = "" if c.spec_whole else " shown (a spec excerpt: one may have been left out)"
    evidence = subject_lines(s) + [
        f"{c.spec_path}: image {c.image}, no command or args, no stdin or tty{shown}",
        f"{c.status_path}.lastState: no termination record was kept",
    ]
    assumed = "" if s.pod.policy_shown else " (assumed: the spec does not show it)"
    return Verdict(
        "exit_success_restarted",
        MEDIUM if c.spec_whole else LOW,
        f"{shell}: with no input the shell exits at once (0), and restartPolicy Always"
        f"{assumed} restarts it",
        tuple(evidence),
        (_SHELL_STEP,),
        own_steps=True,
    )


@rule("exit_success", 101, TERMINATION)
def exit_success(s: Subject) -> Optional[Verdict]:
    """Exit 0 where that is normal: a finished Job or one-off pod (restartPolicy Never or
    OnFailure), an init container that did its work, a container stopped gracefully."""
    if s.code != 0:
        return None
    lines, _ = stop_evidence(s)
    if lines:
        summary = "exited 0 when asked to stop"
    elif s.c.kind == "init":
        summary = "init container completed"
    else:
        summary = "completed successfully"
    evidence = subject_lines(s) + lines
    confidence = HIGH
    probes = [k for k in ("liveness", "startup") if k in s.c.probes]
    if not lines and probes and not s.pod.events_known:
        # a probe kill ends in 0 when the program exits cleanly on SIGTERM; only the events
        # (not saved) could tell the two apart
        evidence.append(
            f"no events were available: a {probes[0]} probe kill that the program answered "
            "with a clean exit would look the same"
        )
        confidence = MEDIUM
    return Verdict("exit_success", confidence, summary, tuple(evidence))


def _plain(code: int, cause: str, summary: str, doc: str, order: int, confidence: str = HIGH):
    def check(s: Subject) -> Optional[Verdict]:
        return _code_verdict(cause, s, summary, confidence) if s.code == code else None

    check.__doc__ = doc
    check.__name__ = cause
    return rule(cause, order, TERMINATION)(check)


runtime_failed_to_run = _plain(
    125,
    "runtime_failed_to_run",
    "exit 125: a runtime or wrapper failed before the program ran (docker/podman run inside the "
    "container, or env/timeout failing themselves); Kubernetes runtimes do not report 125",
    "Exit 125: by convention a container runtime (``docker run``) or a wrapper such as ``env`` or "
    "``timeout`` failed before the program ran.",
    120,
    MEDIUM,
)
command_not_executable = _plain(
    126,
    "command_not_executable",
    "exit 126: a command was found but could not be executed (permission denied, not a binary)",
    "Exit 126: the shell found the command but could not execute it (no x bit, a directory).",
    121,
    MEDIUM,
)
command_not_found = _plain(
    127,
    "command_not_found",
    "exit 127: command not found (by the shell or entrypoint script)",
    "Exit 127: the shell could not find a command: a typo, a missing package, a wrong PATH.",
    122,
    MEDIUM,
)
invalid_exit_argument = _plain(
    128,
    "invalid_exit_argument",
    "exit 128 with reason Error: by convention an invalid exit argument; few programs really "
    "produce it, so read the log",
    "Exit 128 from the program itself (not a ``StartError``): by the old convention an invalid "
    "exit argument such as 3.5; real shells and runtimes rarely produce it.",
    123,
    LOW,
)


@rule("exit_255", 124, TERMINATION)
def exit_255(s: Subject) -> Optional[Verdict]:
    """Exit 255 from the program: ``exit(-1)``, an out-of-range status, or a fatal start-up error
    (SSH and many runtimes use it)."""
    if s.code != 255:
        return None
    # a line the program wrote itself (klog's Fatal exits 255) says it ran: no exec failure
    wrote = any(not h.signature.id.startswith("exec_") for h in s.c.log_hits)
    if s.term and s.term.run_seconds == 0 and not wrote:
        summary = (
            "exit 255 the instant it started: likely an exec failure (exec format error, "
            "missing interpreter) whose reason went only to the container's log"
        )
        return _code_verdict("exit_255", s, summary, LOW)
    summary = "exit 255: exit(-1) or an out-of-range status"
    if any(h.signature.id == "klog_fatal" for h in s.c.log_hits):
        summary = "exit 255: the program stopped on its own fatal error (klog's Fatal exits 255)"
    return _code_verdict("exit_255", s, summary, MEDIUM)


@rule("sysexits", 125, TERMINATION)
def sysexits(s: Subject) -> Optional[Verdict]:
    """64–78, the sysexits.h convention: EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOUSER, EX_NOHOST,
    EX_UNAVAILABLE, EX_SOFTWARE, EX_OSERR, EX_OSFILE, EX_CANTCREAT, EX_IOERR, EX_TEMPFAIL,
    EX_PROTOCOL, EX_NOPERM, EX_CONFIG."""
    code = s.code
    if code is None or not 64 <= code <= 78:
        return None
    info = codes.explain(code)
    verdict = _code_verdict("sysexits", s, f"exit {code} ({info.title}): {info.meaning}", MEDIUM)
    return Verdict(
        verdict.cause, verdict.confidence, verdict.summary, verdict.evidence, detail=info.title
    )


@rule("shell_misuse", 126, TERMINATION)
def shell_misuse(s: Subject) -> Optional[Verdict]:
    """Exit 2: misuse of a shell builtin or bad command-line arguments; also Go's exit status
    after an unrecovered panic."""
    if s.code != 2:
        return None
    run = s.term.run_seconds if s.term else None
    if run is not None and run > LONG_RUN:  # no start-up usage error: it ran, then stopped
        stop_lines, _ = stop_evidence(s)
        return Verdict(
            "shell_misuse",
            MEDIUM,
            f"exit 2 after running {duration(run)}: not its arguments (those fail at once); "
            "an error it met, or its answer to being stopped",
            tuple(subject_lines(s) + stop_lines),
            (
                "Read what it printed last, and find whether something stopped it then (a "
                "rollout, a drain, a node shutdown: events around the finish time): a program "
                "that exits 2 on SIGTERM leaves the pod in Error where 0 would end it cleanly.",
            ),
        )
    return _code_verdict(
        "shell_misuse", s, "exit 2: bad arguments, shell misuse or a Go panic", MEDIUM
    )


LONG_RUN = 600  # seconds: a usage error ends a program as it starts, not ten minutes in


@rule("app_error", 130, TERMINATION)
def app_error(s: Subject) -> Optional[Verdict]:
    """Exit 1, or another 3–125 code not named above (and high codes that are no signal): the
    program reported an error itself. Its log says which."""
    code = s.code
    if code is None or code == 0:
        return None
    summary = f"the program exited with error {code}"
    stop_lines, _ = stop_evidence(s)
    if stop_lines:  # it failed on its way out: the SIGTERM handler, not the start-up
        summary += " when it was asked to stop (an error in its shutdown, on SIGTERM)"
        return Verdict("app_error", MEDIUM, summary, tuple(subject_lines(s) + stop_lines))
    if s.c.restart_count:
        summary += f" and has {restarts_text(s.c)}"
    return _code_verdict("app_error", s, summary, MEDIUM)


@rule("unknown", 999, TERMINATION)
def unknown(s: Subject) -> Optional[Verdict]:
    """Nothing above fits (no exit code, an empty reason, sparse records): the finding still shows
    the raw facts."""
    summary = "no conclusive evidence: " + (
        s.term.code_note if s.term and s.term.code_note else "the record is incomplete"
    )
    return Verdict("unknown", LOW, summary, tuple(subject_lines(s)))


RULES = (
    exit_success_restarted,
    bare_shell_restarted,
    exit_success,
    runtime_failed_to_run,
    command_not_executable,
    command_not_found,
    invalid_exit_argument,
    exit_255,
    sysexits,
    shell_misuse,
    app_error,
    unknown,
)
