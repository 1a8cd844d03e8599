"""The exit-code knowledge table: signals, normalisation of raw exit codes, and what 0–255 mean.

Pure data and small pure functions (no I/O, stdlib only) so that ``kubectl exitwhy code N``
starts fast. Facts come from KNOWLEDGE.md §6 (exit-code semantics) and §1 (runtime reasons):

* a process killed by signal n exits with 128 + n (x86-64/arm64 numbering, real-time 34–64);
* 129–255 can also be a program's own exit status: only the reason, events and timing make a
  signal certain, and 137 is SIGKILL, never proof of an OOM (only reason ``OOMKilled`` is);
* out-of-range values keep their low 8 bits; a non-integer exit argument is reported as 128.

Most of the 256 entries are built from a few tables (specific codes, signals, sysexits.h,
known program conventions) and generic templates; ``explain`` assembles them on demand.
"""

from __future__ import annotations

import math

# This module is on the path of `kubectl exitwhy code N`, which must start in tens of
# milliseconds: no dataclasses (they import inspect), no re, no typing at run time.

# --- signals (x86-64 Linux; arm64 shares 1–31) ---------------------------------------------

_CLASSIC_SIGNALS = (
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
)  # fmt: skip

SIGNALS: dict[int, str] = dict(enumerate(_CLASSIC_SIGNALS, start=1))
# Real-time signals, named as `kill -l` names them; 32 and 33 are reserved by glibc (NPTL).
SIGNALS.update({34 + i: f"SIGRTMIN+{i}" if i else "SIGRTMIN" for i in range(16)})
SIGNALS.update({64 - i: f"SIGRTMAX-{i}" if i else "SIGRTMAX" for i in range(15)})

_SIGNAL_ALIASES = {"SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29}
_SIGNAL_NUMBERS = {name: n for n, name in SIGNALS.items()} | _SIGNAL_ALIASES

RANGES = ("success", "program", "runtime", "signal", "out-of-range")


def signal_name(n: int) -> str | None:
    """The x86-64 name of signal ``n`` ("SIGKILL" for 9), or None when it has none."""
    if isinstance(n, bool) or not isinstance(n, int):
        return None
    return SIGNALS.get(n)


# --- normalisation -------------------------------------------------------------------------


class _Record:
    """A small immutable record: equality and repr by its fields (``__slots__``)."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, *values: object) -> None:
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Normalised(_Record):
    __slots__ = ("code", "raw", "note")
    code: int | None  # 0..255, or None when the raw value is not a number at all
    raw: object  # what was given
    note: str | None  # one sentence when the value was changed or is odd, else None

    def __init__(self, code: int | None, raw: object, note: str | None) -> None:
        super().__init__(code, raw, note)


_DIGITS = frozenset("0123456789")
_DECIMAL_CHARS = _DIGITS | frozenset("+-.eE")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _unsigned(text: str) -> str:
    return text[1:] if text[:1] in ("+", "-") else text


def _is_int(text: str) -> bool:  # [+-]?digits
    body = _unsigned(text)
    return bool(body) and set(body) <= _DIGITS


def _is_decimal(text: str) -> bool:  # [+-]?(d+.?d*|.d+)([eE][+-]?d+)?: no inf, nan or 1_0
    if not text or not set(text) <= _DECIMAL_CHARS or not set(text) & _DIGITS:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_hex(text: str) -> bool:  # [+-]?0[xX]hexdigits
    body = _unsigned(text)
    return body[:2] in ("0x", "0X") and len(body) > 2 and set(body[2:]) <= _HEX_DIGITS


_MINUS_ONE_NOTE = (
    "-1 is outside 0–255 and is reported as 255, which is how a program's exit(-1) shows up "
    "(the kernel keeps the low 8 bits), but an exitCode of -1 in a pod status is what CRI-O "
    "reports when it could not read the exit code."
)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_number(value: float | int, raw: object, shown: str) -> Normalised:
    if isinstance(value, float):
        if not math.isfinite(value):
            return Normalised(None, raw, f"{shown} is not a finite number, so not an exit code.")
        if not value.is_integer():
            note = (
                f"{shown} is not a whole number; an exit status must be an integer in 0–255, "
                "and an invalid exit argument is reported as 128."
            )
            return Normalised(128, raw, note)
        value = int(value)
    if 0 <= value <= 255:
        return Normalised(value, raw, None)
    # Python's % is what the kernel does (low 8 bits): -1 -> 255, -256 -> 0. DESIGN's
    # "256 - (|c| mod 256)" would give 256 for -256, so it is not used.
    code = value % 256
    if value == -1:
        return Normalised(code, raw, _MINUS_ONE_NOTE)
    tail = ", which reads as success" if code == 0 else ""
    note = (
        f"{value} is outside 0–255; the kernel keeps only the low 8 bits, "
        f"so it is reported as {code}{tail}."
    )
    return Normalised(code, raw, note)


def normalise(raw: object) -> Normalised:
    """Map a raw exit code (int, float or numeric string, as found in API objects) to 0..255."""
    if raw is None:
        return Normalised(None, raw, "No exit code was given.")
    if isinstance(raw, bool):
        return Normalised(None, raw, f"{raw} is a boolean, not an exit code.")
    if isinstance(raw, int):
        return _from_number(raw, raw, str(raw))
    if isinstance(raw, float):
        return _from_number(raw, raw, repr(raw))
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if _is_int(text):
                return _from_number(int(text), raw, text)
            if _is_decimal(text):
                return _from_number(float(text), raw, text)
        except ValueError:  # int() refuses strings of more than ~4300 digits
            pass
        if not text:
            return Normalised(None, raw, "An empty string is not an exit code.")
    return Normalised(None, raw, f"{_clip(repr(raw))} is not a number, so not an exit code.")


def parse_code_argument(text: str) -> Normalised:
    """Parse the argument of ``kubectl exitwhy code``.

    Accepts what ``normalise`` accepts (137, -1, 300, 3.5, 137.0), hexadecimal (0x89), signal
    names with or without SIG (SIGKILL, kill, SIGRTMIN+3, SIGIOT) giving 128 + n, and sysexits
    names (EX_USAGE). Anything else gives code None.
    """
    if not isinstance(text, str):
        return normalise(text)
    s = text.strip()
    if _is_hex(s):
        value = int(s, 16)
        result = _from_number(value, text, s)
        return result if result.note else Normalised(result.code, text, f"{s} is {value}.")
    upper = s.upper()
    name = upper if upper.startswith("SIG") else "SIG" + upper
    if name in _SIGNAL_NUMBERS:
        n = _SIGNAL_NUMBERS[name]
        note = f"{name} is signal {n}; a process killed by it exits with 128 + {n} = {128 + n}."
        return Normalised(128 + n, text, note)
    if upper in _SYSEXIT_NUMBERS:
        code = _SYSEXIT_NUMBERS[upper]
        return Normalised(code, text, f"{upper} is exit status {code} in sysexits.h.")
    return normalise(text)


# --- the table -----------------------------------------------------------------------------


class CodeInfo(_Record):
    __slots__ = (
        "code", "title", "range", "signal", "signal_name", "meaning", "kubernetes", "next_steps"
    )  # fmt: skip
    code: int  # 0..255
    title: str  # short: "Success", "General error", "SIGKILL", "EX_USAGE", "Command not found"
    range: str  # one of RANGES
    signal: int | None  # n when the code is 128 + n for a named signal (129..192)
    signal_name: str | None
    meaning: str  # 1–3 plain sentences
    kubernetes: tuple[str, ...]  # typical causes in Kubernetes (may be empty)
    next_steps: tuple[str, ...]  # what to check or do; <pod>, <container>, <ns> placeholders

    def __init__(
        self,
        code: int,
        title: str,
        range: str,  # noqa: A002 - the field's name in the contract
        signal: int | None,
        signal_name: str | None,
        meaning: str,
        kubernetes: tuple[str, ...],
        next_steps: tuple[str, ...],
    ) -> None:
        super().__init__(code, title, range, signal, signal_name, meaning, kubernetes, next_steps)


class _Entry(_Record):
    __slots__ = ("title", "meaning", "kubernetes", "next_steps")
    title: str
    meaning: str
    kubernetes: tuple[str, ...]
    next_steps: tuple[str, ...]

    def __init__(
        self,
        title: str,
        meaning: str,
        kubernetes: tuple[str, ...] = (),
        next_steps: tuple[str, ...] = (),
    ) -> None:
        super().__init__(title, meaning, kubernetes, next_steps)


_LOGS = "Read its last output: kubectl logs <pod> -c <container> -n <ns> --previous"
_DESCRIBE = "Read the reason, message and events: kubectl describe pod <pod> -n <ns>"
_EVENTS = (
    "List the pod's events around the time it ended: "
    "kubectl get events -n <ns> --field-selector involvedObject.name=<pod>"
)
_NODE = "$(kubectl get pod <pod> -n <ns> -o jsonpath='{.spec.nodeName}')"
_REASON = (
    "Check the termination reason: kubectl get pod <pod> -n <ns> -o jsonpath="
    "'{.status.containerStatuses[?(@.name==\"<container>\")].lastState.terminated.reason}'"
)
_DEBUG_COPY = (
    "Inspect the image with a shell: kubectl debug <pod> -n <ns> -it "
    "--copy-to=<pod>-debug --container=<container> -- sh"
)
_ARCH = (
    f"Compare the node's CPU architecture (kubectl get node {_NODE} "
    "-o jsonpath='{.status.nodeInfo.architecture}') with the platforms the image was built for"
)
_STOP_SIGNAL = (
    "Check the configured stop signal (lifecycle.stopSignal, or the image's STOPSIGNAL): "
    "kubectl get pod <pod> -n <ns> -o jsonpath="
    "'{.spec.containers[?(@.name==\"<container>\")].lifecycle}'"
)


def _ambiguous(code: int) -> str:
    return (
        f"A program can also exit with {code} on its own, so only the reason, events and timing "
        "make a signal certain."
    )


_SPECIFIC: dict[int, _Entry] = {
    0: _Entry(
        "Success",
        "The main process exited with status 0: it reported success. That is normal for a Job, "
        "an init container or a graceful stop, but under restartPolicy Always the kubelet "
        "restarts a container that finishes, so a server that exits 0 ends in CrashLoopBackOff.",
        (
            "a Job, CronJob or init container finished its work (normal)",
            "restartPolicy Always: the command finished (a one-shot script, a server started in "
            "the background, a daemon that forked) and the kubelet restarts it",
            "the program handled SIGTERM during a stop and exited cleanly",
            "the program survived the OOM kill of a child process (check for reason OOMKilled)",
        ),
        (
            "Check the restart policy: kubectl get pod <pod> -n <ns> "
            "-o jsonpath='{.spec.restartPolicy}'",
            _LOGS,
            "Make the entrypoint run the server in the foreground (exec it, do not background "
            "it or let it daemonise)",
            "Run one-shot work as a Job rather than a Deployment",
        ),
    ),
    1: _Entry(
        "General error",
        "Exit status 1 is the generic failure: uncaught exceptions in Python, Node.js and Java "
        "(including an uncaught Java OutOfMemoryError, which is a heap limit, not a cgroup OOM) "
        "and Go's log.Fatal all exit with 1. The cause is in the program's own output.",
        (
            "a missing or wrong configuration value, environment variable, Secret or ConfigMap",
            "a dependency (database, DNS name, API) unreachable at start-up",
            "a file the program or image refers to does not exist",
            "an unhandled exception or error in the application",
            "reason OOMKilled with exit 1: a child process was OOM-killed and the main "
            "process exited",
        ),
        (
            _LOGS,
            _DESCRIBE,
            "Compare the environment and mounted configuration with what the program expects: "
            "kubectl get pod <pod> -n <ns> -o yaml",
            _DEBUG_COPY,
        ),
    ),
    2: _Entry(
        "Usage error",
        "Exit status 2 conventionally means incorrect usage: shells return it for a syntax "
        "error or a misused builtin (such as exit 3.5), and many tools, Python's argparse "
        "among them, for bad arguments. The Go runtime also exits with 2 on an unrecovered "
        "panic, a fatal runtime error, or after dumping goroutines on SIGQUIT.",
        (
            "command or args in the pod spec that this image version does not accept",
            "a shell script using bash syntax run by /bin/sh (dash or busybox)",
            "a Go program that panicked ('panic:' and goroutine traces in the log)",
        ),
        (
            _LOGS + " (look for 'usage:', 'syntax error', 'panic:')",
            "Check the command and args: kubectl get pod <pod> -n <ns> -o jsonpath="
            "'{.spec.containers[?(@.name==\"<container>\")].args}'",
            "Compare the flags with the program's --help for the exact image tag",
        ),
    ),
    125: _Entry(
        "Container failed to run",
        "125 is what docker run and podman run return when the container runtime itself "
        "failed, and what GNU wrappers (env, timeout, nice, nohup, chroot) return when they "
        "fail before running their command. Kubernetes runtimes do not use it: containerd "
        "reports a failed start as 128 with reason StartError.",
        (
            "a container that runs docker or podman inside (Docker-in-Docker, CI runners) where "
            "the inner run failed: bad flag, missing privileges, unreachable daemon",
            "a wrapper such as timeout or env in the command failed on its own arguments",
        ),
        (
            _LOGS,
            _DESCRIBE,
            "If the container runs a nested runtime, check its socket or daemon and the "
            "privileges it needs (securityContext.privileged, capabilities)",
        ),
    ),
    126: _Entry(
        "Command not executable",
        "The command was found but could not be executed: permission denied (no execute bit, a "
        "noexec mount), or the path is a directory. Shells and GNU wrappers return 126, and "
        "Docker/cri-dockerd report such start failures as 126 (containerd: 128, StartError).",
        (
            "a script without the execute bit, often from a ConfigMap or Secret volume "
            "(defaultMode 0644)",
            "runAsUser/runAsGroup that may not read or execute the file",
            "command pointing at a directory, or a volume mounted over the executable",
            "a binary for another CPU architecture started from a shell script",
        ),
        (
            _DESCRIBE,
            _LOGS,
            _DEBUG_COPY + " and check the file with ls -l",
            "For scripts in a ConfigMap or Secret volume set defaultMode: 0755, or run them "
            "as sh /path/script.sh",
        ),
    ),
    127: _Entry(
        "Command not found",
        "The command could not be found: a shell returns 127 when a name is not on PATH or a "
        "path does not exist, including a script whose #! interpreter is missing, and "
        "Docker/cri-dockerd report a missing entrypoint as 127 (containerd: 128, StartError).",
        (
            "a typo in command or args, or a tool the image does not contain",
            "a slim or distroless image without the shell or utilities the script calls",
            "PATH overridden by an env entry in the pod spec",
            "a script with Windows line endings (#!/bin/sh\\r)",
        ),
        (
            _LOGS + " (look for 'not found')",
            "Check the command and args: kubectl get pod <pod> -n <ns> -o jsonpath="
            "'{.spec.containers[?(@.name==\"<container>\")].command}'",
            _DEBUG_COPY + " and run: command -v <the missing command>",
        ),
    ),
    128: _Entry(
        "StartError / invalid exit argument",
        "In Kubernetes 128 usually means the process never started: containerd reports a failed "
        "start as 128 with reason StartError and the runtime's error in the message (Docker's "
        "ContainerCannotRun uses 128 for failures other than 126/127). The classic exit-code "
        "table also lists 128 as an invalid exit argument (exit 3.5), although bash and dash "
        "return 2 for that.",
        (
            "reason StartError: entrypoint not found ('executable file not found in $PATH'), "
            "not executable ('permission denied'), or a mount or runtime failure",
            "reason Error after the container ran: the program exited with 128 itself",
        ),
        (
            _DESCRIBE + " (Last State: the message holds the runtime's error)",
            "Fix the command, args or image named in the message, then let the pod restart",
            _LOGS + " (when it did run)",
        ),
    ),
    134: _Entry(
        "SIGABRT",
        "The process was killed by SIGABRT (signal 6, also named SIGIOT), which it almost "
        "always raised itself: abort(), a failed assert(), glibc detecting heap corruption "
        "(double free, corrupted size), an uncaught C++ exception, a JVM fatal error, or Node.js "
        "reaching its own heap limit ('JavaScript heap out of memory', not a cgroup OOM). "
        + _ambiguous(134),
        (
            "Node.js heap limit reached: reason Error, not OOMKilled; the V8 limit "
            "(--max-old-space-size) is below or unrelated to the container's memory limit",
            "a native library assertion, double free or memory corruption",
            "a JVM crash (hs_err_pid*.log in the working directory)",
        ),
        (
            _LOGS + " (look for 'FATAL ERROR', 'Assertion', 'double free', 'terminate called')",
            "For Node.js set --max-old-space-size (NODE_OPTIONS) below the container's memory "
            "limit, and look for the leak",
            "Enable core dumps or a debug build to get the abort's stack trace",
        ),
    ),
    137: _Entry(
        "SIGKILL",
        "The process was killed by SIGKILL (signal 9), which cannot be caught, so it had no "
        "chance to clean up. 137 is not proof of an out-of-memory kill: only the reason "
        "OOMKilled proves one; without it the sender was something else (the kubelet, the "
        "runtime, the node's OOM killer, a user), or the program exited with 137 itself.",
        (
            "container memory limit reached: the cgroup OOM killer, with reason OOMKilled",
            "node (system) OOM: the kernel killed it for the whole node (SystemOOM or "
            "OOMKilling node events, MemoryPressure)",
            "the kubelet after failed liveness or startup probes (Unhealthy events)",
            "grace period expired: SIGTERM on stop (delete, rollout, drain) was not obeyed "
            "within terminationGracePeriodSeconds",
            "eviction for node pressure (a hard eviction allows only 1 second after SIGTERM)",
            "kubectl delete --grace-period=0 --force",
            "a container runtime restart or shim stop",
            "reason ContainerStatusUnknown: the kubelet lost the container, and 137 is a "
            "placeholder, not a signal",
        ),
        (
            _REASON + " (only OOMKilled proves a memory-limit kill)",
            _EVENTS + " (Killing, Unhealthy, Evicted)",
            f"Check the node for memory pressure and OOM events: kubectl describe node {_NODE}",
            "Compare memory use with the limit: kubectl top pod <pod> -n <ns> --containers",
            "On the node, the kernel log names OOM victims: journalctl -k | grep -i "
            "'killed process'",
        ),
    ),
    139: _Entry(
        "SIGSEGV",
        "The process was killed by SIGSEGV (signal 11): it accessed memory it may not access "
        "(a null or dangling pointer, a stack overflow, corrupted memory). It is a bug in native "
        "code (the program, a library, a native extension or the runtime), not a memory-limit "
        "kill. " + _ambiguous(139),
        (
            "a native binary or library built against other libraries than the image has "
            "(glibc vs musl, mismatched versions)",
            "a crash in a native extension (Python C modules, JNI, Node add-ons)",
            "deep recursion overflowing a small thread stack",
            "faulty memory on one node, when many workloads segfault there",
        ),
        (
            _LOGS + " (look for 'Segmentation fault')",
            "On the node, the kernel log names the faulting binary and library: "
            "journalctl -k | grep segfault",
            "Check whether it only crashes on some nodes: kubectl get pods -n <ns> -o wide",
            "Get a stack trace: a core dump, or PYTHONFAULTHANDLER=1 for Python",
        ),
    ),
    143: _Entry(
        "SIGTERM",
        "The process was killed by SIGTERM (signal 15): it was asked to stop and, having no "
        "handler, ended by the signal's default action within the grace period (the JVM "
        "also exits with 143 after running its shutdown hooks). It is the normal end of a stop "
        "request, not a crash. " + _ambiguous(143),
        (
            "the pod was deleted, replaced in a rollout, scaled down, drained or preempted",
            "the kubelet restarted it after failed liveness or startup probes (SIGTERM comes "
            "first, SIGKILL only if it does not exit in time)",
            "a sidecar stopped after the main containers finished, or a node shutdown",
            "the pod's activeDeadlineSeconds was reached",
        ),
        (
            _EVENTS + " (Killing 'Stopping container', Unhealthy)",
            "Check whether the pod was being deleted: kubectl get pod <pod> -n <ns> "
            "-o jsonpath='{.metadata.deletionTimestamp}'",
            "If the stop was expected and 143 is unwanted, handle SIGTERM and exit 0; make PID 1 "
            "forward signals (exec form, or an init such as tini)",
        ),
    ),
    255: _Entry(
        "Exit status out of range",
        "255 is how a program's exit(-1) shows up (any status is kept modulo 256), so often "
        "just a generic error. The runtime uses it too: containerd reports 255 with reason "
        "Unknown when it lost the running task, and runc exits 255 when exec of the entrypoint "
        "fails after start (exec format error, missing interpreter or loader), printing the "
        "error to the container's log.",
        (
            "exit(-1), process.exit(-1) or sys.exit(-1) in the application",
            "reason Unknown: containerd lost the task (containerd or shim restart, node reboot)",
            "'exec format error': an image for another CPU architecture, or a script without #!",
            "'no such file or directory' for a file that exists: a missing #! interpreter or "
            "dynamic loader (a glibc binary on Alpine)",
        ),
        (
            _REASON,
            _LOGS + " (look for 'exec format error', 'no such file or directory')",
            _ARCH,
            f"For reason Unknown, look for runtime or node restarts: kubectl describe node {_NODE}",
        ),
    ),
}

# Signals: n -> (what it is, extra sentence, Kubernetes causes, next steps).
_SIGNAL_INFO: dict[int, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    1: ("hangup", "Daemons often treat it as 'reload configuration'; a program with no "
        "handler dies from it.",
        ("a config-reloader sidecar or script sent SIGHUP to a program that does not handle "
         "it", "the stop signal is set to SIGHUP"), (_STOP_SIGNAL,)),
    2: ("interrupt, as from Ctrl-C", "Some images stop on SIGINT (the postgres image's "
        "STOPSIGNAL is SIGINT), so on a stop it can be as normal as 143.",
        ("the stop signal is SIGINT and the pod was stopping",
         "Ctrl-C in kubectl attach or kubectl run -it"), (_STOP_SIGNAL,)),
    3: ("quit", "Its default action also dumps core; the nginx image uses it as its "
        "STOPSIGNAL for a graceful shutdown, while Go programs dump goroutines on it and exit 2.",
        ("the stop signal is SIGQUIT (nginx) and the pod was stopping",), (_STOP_SIGNAL,)),
    4: ("illegal instruction", "The CPU refused an instruction: usually a binary built for "
        "newer CPU features (AVX, AVX2, AVX-512, x86-64-v3) than the node has, or a compiler's "
        "deliberate trap for unreachable code.",
        ("the pod crashes only on nodes with older CPUs or a restricted virtual CPU model",),
        ("Check on which nodes it fails: kubectl get pods -n <ns> -o wide",
         "On the node, compare the CPU flags (grep flags /proc/cpuinfo) with what the binary "
         "needs; pin it with nodeAffinity or build for the baseline CPU")),
    5: ("trace or breakpoint trap", "Usually a leftover breakpoint, a debugger or tracer, or a "
        "runtime that stops on a fatal error with a trap instruction.", (), ()),
    7: ("bus error", "A memory access the hardware could not complete: in containers usually "
        "writing to a full /dev/shm (64Mi by default) or to a memory-mapped file that was "
        "truncated, or exhausted huge pages.",
        ("shared-memory heavy programs (PyTorch DataLoader workers, databases) with the default "
         "64Mi /dev/shm", "a memory-mapped file truncated by another process"),
        ("Mount an emptyDir with medium: Memory and a sizeLimit at /dev/shm (it counts against "
         "the memory limit)", "Check hugepages requests and limits if the program uses them")),
    8: ("floating-point exception", "Despite the name, usually an integer division by zero "
        "(or INT_MIN / -1) in native code, sometimes triggered by a 0 from input or "
        "configuration.", (), ()),
    10: ("user-defined signal 1", "Programs use it for their own purposes (reopen logs, dump "
         "state); a program with no handler dies from it.",
         ("a sidecar, script or operator sent SIGUSR1 to a program that does not handle it",),
         ()),
    12: ("user-defined signal 2", "Programs use it for their own purposes; a program with no "
         "handler dies from it.",
         ("a sidecar, script or operator sent SIGUSR2 to a program that does not handle it",),
         ()),
    13: ("broken pipe", "It wrote to a pipe or socket whose reader had gone; in a shell "
         "pipeline (cmd | head) this is often harmless, but set -o pipefail turns it into the "
         "script's status.",
         ("a shell script with pipefail whose pipeline reader exited early",
          "a program writing to a log pipe or socket whose reader died"),
         ("Find the pipeline or connection whose reader exited first",)),
    14: ("timer signal from alarm(2)", "A timer the program (or a wrapper such as timeout -s "
         "ALRM) set expired with no handler installed.", (), ()),
    16: ("stack fault on coprocessor", "Linux never sends it itself; only an explicit kill "
         "does.", (), ()),
    24: ("CPU time limit exceeded", "The process used more CPU time than its RLIMIT_CPU "
         "(ulimit -t); Kubernetes CPU limits throttle a container, they never kill it.",
         ("an entrypoint or image that sets ulimit -t",),
         ("Look for ulimit -t in the entrypoint or the image",)),
    25: ("file size limit exceeded", "A write went past RLIMIT_FSIZE (ulimit -f); exceeding "
         "an ephemeral-storage limit evicts the pod instead.",
         ("an entrypoint or image that sets ulimit -f",),
         ("Look for ulimit -f in the entrypoint or the image",)),
    26: ("virtual timer expired", "A profiling or timing facility left enabled without a "
         "handler.", (), ()),
    27: ("profiling timer expired", "A profiler left enabled without a handler.", (), ()),
    29: ("I/O possible, also named SIGPOLL", "Sent for asynchronous I/O the program asked "
         "for; with no handler it terminates the process.", (), ()),
    30: ("power failure", "Sent by power-management tools; with no handler it terminates the "
         "process.", (), ()),
    31: ("bad system call", "In containers this is almost always seccomp killing a forbidden "
         "system call; RuntimeDefault profiles refuse with an error (EPERM) instead, so suspect a "
         "Localhost profile or CRI-O's seccomp notifier (reason 'seccomp killed').",
         ("a seccomp profile with a kill action (Localhost profile, CRI-O notifier)",
          "a binary using a system call newer than the profile or the node's kernel allows"),
         ("Check securityContext.seccompProfile of the pod and container",
          "On the node, the audit log names the system call: journalctl -k | grep -i seccomp")),
}  # fmt: skip

_IGNORED_BY_DEFAULT = {17: "ignore it", 18: "continue the process", 23: "ignore it",
                       28: "ignore it", 19: "stop the process", 20: "stop the process",
                       21: "stop the process", 22: "stop the process"}  # fmt: skip
_SIGNAL_WHAT = {17: "child stopped or terminated", 18: "continue if stopped",
                19: "stop", 20: "stop typed at a terminal", 21: "terminal input for a "
                "background process", 22: "terminal output for a background process",
                23: "urgent data on a socket", 28: "window resize"}  # fmt: skip


def _signal_entry(code: int, n: int) -> _Entry:
    name = SIGNALS[n]
    senders = (
        f"another process sent {name} (a sidecar or debug container sharing the process "
        "namespace, a process manager in the container, a user on the node)",
    )
    steps = (_EVENTS, _LOGS)
    if n in _IGNORED_BY_DEFAULT:
        meaning = (
            f"{code} = 128 + {n}, the code of {name} ({_SIGNAL_WHAT[n]}), but the default action "
            f"of {name} is to {_IGNORED_BY_DEFAULT[n]}, not to terminate, so {code} is almost "
            "certainly the program's own exit status."
        )
        return _Entry(name, meaning, (), (_LOGS, _DESCRIBE))
    if n in _SIGNAL_INFO:
        what, extra, k8s, own_steps = _SIGNAL_INFO[n]
        meaning = f"The process was killed by {name} ({what}, signal {n}). {extra}"
        return _Entry(name, f"{meaning} {_ambiguous(code)}", k8s or senders, own_steps + steps)
    extra = (
        "Real-time signals have no predefined meaning: an application or library chose it, "
        "and a process with no handler for it is terminated."
    )
    if n == 37:  # SIGRTMIN+3
        extra += " systemd halts on SIGRTMIN+3, so images running systemd use it as STOPSIGNAL."
    meaning = f"The process was killed by {name} (real-time signal {n}). {extra}"
    return _Entry(name, f"{meaning} {_ambiguous(code)}", senders, (*steps, _STOP_SIGNAL))


# sysexits.h: code -> (name, definition, Kubernetes causes, next steps).
_SYSEXITS: dict[int, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    64: ("EX_USAGE", "the command was used incorrectly: wrong arguments, a bad flag, bad syntax",
         ("command or args in the pod spec that this image version does not accept",),
         ("Compare command and args with the program's --help for this image tag",)),
    65: ("EX_DATAERR", "the input data was incorrect in some way (user data, not system files)",
         ("a malformed input file, message or payload",),
         ("Find the input it was reading in the log and validate it",)),
    66: ("EX_NOINPUT", "an input file did not exist or was not readable",
         ("a Secret, ConfigMap or volume not mounted at the expected path (subPath, key names)",
          "file permissions versus runAsUser or fsGroup"),
         ("Check volumeMounts and the files: kubectl exec <pod> -c <container> -n <ns> -- "
          "ls -l <path>",)),
    67: ("EX_NOUSER", "the user specified did not exist (addresses, logins)",
         ("a user name the image does not know, or a UID without a passwd entry",),
         ("Check securityContext.runAsUser and the users the image defines",)),
    68: ("EX_NOHOST", "the host specified did not exist (a name that does not resolve)",
         ("a wrong Service name or namespace, or cluster DNS problems",),
         ("Resolve the name from the namespace: kubectl run dnscheck -n <ns> -it --rm "
          "--restart=Never --image=busybox:1.36 -- nslookup <host>",)),
    69: ("EX_UNAVAILABLE", "a service or support program is unavailable; also the catch-all "
         "when something did not work and the cause is unknown",
         ("a dependency (database, API, broker) not ready when the program started",),
         ("Check the dependency's endpoints: kubectl get endpointslices -n <ns>",
          "Make the program retry, or gate it with an init container or startup probe")),
    70: ("EX_SOFTWARE", "an internal software error, not related to the operating system",
         (), ("Treat it as a bug in the program: keep the log lines and report them",)),
    71: ("EX_OSERR", "an operating-system error, such as cannot fork or cannot create a pipe",
         ("the pod's PID limit reached (kubelet podPidsLimit), or memory for new threads",),
         (f"Check the node for PIDPressure: kubectl describe node {_NODE}",)),
    72: ("EX_OSFILE", "a system file (such as /etc/passwd or /etc/hosts) is missing, "
         "unreadable or malformed",
         ("a slim or distroless image without the system file the program expects",),
         (_DEBUG_COPY,)),
    73: ("EX_CANTCREAT", "a (user-specified) output file cannot be created",
         ("readOnlyRootFilesystem, a read-only volume, or a directory the user may not write",),
         ("Check securityContext.readOnlyRootFilesystem and mount an emptyDir where it writes",
          "Check fsGroup and runAsUser against the volume's ownership")),
    74: ("EX_IOERR", "an error occurred while doing I/O on a file",
         ("a failing network or CSI volume, or a full disk",),
         (_EVENTS + " (volume and mount errors)",
          f"Check the node for DiskPressure: kubectl describe node {_NODE}")),
    75: ("EX_TEMPFAIL", "a temporary failure; the caller is invited to retry later",
         ("a dependency temporarily unavailable; the restart may be enough",),
         ("Check whether later restarts succeed: kubectl get pod <pod> -n <ns> -w",)),
    76: ("EX_PROTOCOL", "the remote system returned something impossible in the protocol "
         "exchange",
         ("a version mismatch with a remote service, or a proxy or TLS interception in between",),
         ("Check the remote service's version and any proxy between them",)),
    77: ("EX_NOPERM", "insufficient permission for the operation (meant for permissions above "
         "the file system, such as application access rights)",
         ("RBAC denying the pod's ServiceAccount, cloud IAM, or database grants",),
         ("Check what the ServiceAccount may do: kubectl auth can-i --list -n <ns> "
          "--as=system:serviceaccount:<ns>:<serviceaccount>",)),
    78: ("EX_CONFIG", "something was found in an unconfigured or misconfigured state",
         ("a wrong value in a ConfigMap, Secret, environment variable or flag",),
         ("Compare the configuration with the program's documentation: kubectl get pod <pod> "
          "-n <ns> -o yaml",)),
}  # fmt: skip
_SYSEXIT_NUMBERS = {"EX_OK": 0} | {name: code for code, (name, *_) in _SYSEXITS.items()}


def _sysexit_entry(code: int) -> _Entry:
    name, definition, k8s, steps = _SYSEXITS[code]
    meaning = (
        f"{name} ({code}) in sysexits.h: {definition}. Programs that follow the BSD sysexits "
        f"convention return it; others may use {code} for anything else."
    )
    return _Entry(name, meaning, k8s, (_LOGS, *steps))


# Real conventions of common programs for otherwise application-defined codes.
_CONVENTIONS = {
    3: "The JVM with -XX:+ExitOnOutOfMemoryError exits with 3 on an OutOfMemoryError (its "
    "heap limit, not a cgroup OOM); that is one possibility, not a certainty.",
    6: "If the command is curl, 6 means it could not resolve the host name.",
    7: "If the command is curl, 7 means it could not connect to the host.",
    22: "If the command is curl --fail, 22 means the server answered with an HTTP error "
    "(400 or above).",
    28: "If the command is curl, 28 means the operation timed out.",
    35: "If the command is curl, 35 means the TLS handshake failed.",
    52: "If the command is curl, 52 means the server replied with nothing.",
    56: "If the command is curl, 56 means receiving data failed (connection reset).",
    60: "If the command is curl, 60 means the server's certificate could not be verified.",
    100: "apt-get exits with 100 when it fails.",
    123: "GNU xargs exits with 123 when a command it ran exited with 1–125.",
    124: "GNU timeout exits with 124 when the command it ran timed out.",
}


def _program_entry(code: int) -> _Entry:
    meaning = (
        f"{code} is the program's own exit status; its meaning is defined by the application, "
        "not by the kernel or Kubernetes."
    )
    if code in (160, 161):
        meaning += (
            f" It is not a standard signal code: signal {code - 128} is reserved by glibc for "
            "its threads, so no process is killed with it in practice."
        )
    elif code > 192:
        meaning += " It is above 192 (128 + the highest signal, 64), so it is not a signal code."
    elif code in _CONVENTIONS:
        meaning += " " + _CONVENTIONS[code]
    steps = (
        _LOGS,
        f"Look the status up in the program's documentation or source (exit({code}), "
        f"os.Exit({code}), sys.exit({code}))",
        _DESCRIBE,
    )
    return _Entry("Application exit status", meaning, (), steps)


def _range(code: int, signal: int | None) -> str:
    if code == 0:
        return "success"
    if 125 <= code <= 128:
        return "runtime"
    if code == 255:
        return "out-of-range"
    return "signal" if signal is not None else "program"


def explain(code: int) -> CodeInfo:
    """Everything known about exit status ``code`` (0..255); ValueError for anything else."""
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 255:
        raise ValueError(f"exit code must be an integer in 0..255, not {code!r}")
    n = code - 128
    signal = n if n > 0 and n in SIGNALS else None
    if code in _SPECIFIC:
        entry = _SPECIFIC[code]
    elif signal is not None:
        entry = _signal_entry(code, signal)
    elif code in _SYSEXITS:
        entry = _sysexit_entry(code)
    else:
        entry = _program_entry(code)
    return CodeInfo(
        code=code,
        title=entry.title,
        range=_range(code, signal),
        signal=signal,
        signal_name=SIGNALS[signal] if signal is not None else None,
        meaning=entry.meaning,
        kubernetes=entry.kubernetes,
        next_steps=entry.next_steps,
    )
