"""Log signatures: lines a program or the runtime writes to the container's log when it dies, as
data. Each names what it shows and, where the line decides it, the cause it supports.

Most signatures only sharpen a verdict (the exit code says the program failed, the line says
how). A few decide the cause, because the line is written by the runtime rather than the program:
runc reports an exec failure that happens after the start pipe closed only on the container's
stderr, and exits 255 (1 with runc 1.0 and older); the dynamic loader reports a missing library
and exits 127.

Sources: runc ``libcontainer/init_linux.go`` and ``internal/linux/linux.go`` (the ``exec <path>:
<error>`` line, exit 255); glibc ``elf/dl-load.c`` (``error while loading shared libraries``);
the JVM's ``OutOfMemoryError`` messages (Java SE troubleshooting guide, "Understand the
OutOfMemoryError Exception"); V8's ``FATAL ERROR: … JavaScript heap out of memory``; the Go
runtime's ``panic:`` and ``fatal error:`` (``runtime/panic.go``); CPython's ``Traceback (most
recent call last):``; Rust's ``thread '<name>' panicked at``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Signature:
    id: str
    title: str
    source: str  # the regular expression, compiled on first use (no cost without logs)
    cause: Optional[str] = None  # the cause the line decides, when it does
    codes: tuple[Optional[int], ...] = ()  # exit codes it decides the cause for (any if empty)
    implies: Optional[str] = None  # the cause when the log is all there is (no exit code kept)


def _sig(id_: str, title: str, pattern: str, cause: Optional[str] = None, *codes) -> Signature:
    return Signature(id_, title, pattern, cause, tuple(codes), cause)


def _hint(id_: str, title: str, pattern: str, implies: str) -> Signature:
    """A line that says how the program failed, and which exit (and so which cause) it makes
    when no exit code was kept: the JVM and Python exit 1 on an uncaught error, Go exits 2
    after a panic or fatal error, Rust 101 after a panic (the "app_error" family); V8 aborts
    (SIGABRT) at its heap limit; a shell's "not found" exits 127."""
    return Signature(id_, title, pattern, None, (), implies)


# Order matters: the first signature that matches a line names it.
SIGNATURES: tuple[Signature, ...] = (
    # runc's own line after a failed execve (runc >= 1.1: "exec /x: <err>"; <= 1.0:
    # "standard_init_linux.go:228: exec user process caused: <err>")
    _sig(
        "exec_format",
        "exec format error: the binary is for another CPU architecture, or a script lacks #!",
        r"(?i)^(?:exec \S+: |.*exec user process caused:? \"?|.*\bexec: \S+: )exec format error",
        "exec_format_error",
        255,
        1,
        None,
    ),
    _sig(
        "exec_missing",
        "exec: no such file or directory (the entrypoint, its #! interpreter or its loader is "
        "missing)",
        r"^(?:exec \S+: |.*exec user process caused:? \"?)no such file or directory",
        "command_not_found",
        255,
        1,
        None,
    ),
    _sig(
        "exec_permission",
        "exec: permission denied (the entrypoint is not executable)",
        r"^(?:exec \S+: |.*exec user process caused:? \"?)permission denied",
        "command_not_executable",
        255,
        1,
        None,
    ),
    _sig(
        "shared_library",
        "a shared library is missing from the image",
        r"error while loading shared libraries: \S+: cannot open shared object file",
        "command_not_found",
        127,
    ),
    _hint(
        "shell_not_found",
        "the shell could not find a command",
        r"^\S*sh: (?:\d+: |line \d+: )?(?:exec: )?\S+: (?:not found|command not found)$",
        "command_not_found",
    ),
    # dash's "sh: 1: /x: Permission denied" and bash's "bash: /x: Permission denied" are a
    # failed exec, as are bash's "exec: /x: cannot execute: Permission denied" (its exec "$@")
    # and "bad interpreter: Permission denied" (the #! line's interpreter); bash's "<script>:
    # line N: /x: Permission denied" is the same words for a command the script runs or a file
    # it redirects into, and dash's "cannot create" (busybox ash: "can't create") is a
    # redirect: those are the script's own failure (shell_file), not an entrypoint's mode
    _hint(
        "shell_permission",
        "the shell could not execute a file (permission denied)",
        r"^\S*sh: (?:\d+: )?(?:exec: )?(?!cannot create )\S+: [Pp]ermission denied$|"
        r"^\S+: (?:line \d+: )?exec: \S+: cannot execute: [Pp]ermission denied$|"
        r"^\S+: (?:\S+: )?\S+: bad interpreter: [Pp]ermission denied$",
        "command_not_executable",
    ),
    _hint(
        "shell_file",
        "a script could not run or write a file",
        r"^\S+: (?:line \d+: \S+: [Pp]ermission denied|"
        r"(?:line )?\d+: (?:\S+: )?(?:cannot|can't) create \S+: .+)$",
        "app_error",
    ),
    # coreutils' and busybox's own words for a file they may not create ("mkdir: cannot create
    # directory 'x': Permission denied", "touch: cannot touch 'x': …", "cp: cannot create …")
    _hint(
        "file_denied",
        "a command could not create a file or directory (permission denied)",
        r"^(?:\S+: )?(?:mkdir|touch|cp|mv|ln|install|tee): (?:cannot|can't) .*: "
        r"[Pp]ermission denied$",
        "app_error",
    ),
    # EMFILE: the process's open-file limit, or (from inotify_init, as Go's fsnotify and
    # kube-proxy report it) the node's per-user inotify instances
    _hint(
        "too_many_files",
        "it ran out of open files or file watchers (too many open files)",
        r"(?i)too many open files",
        "app_error",
    ),
    # a server whose port another process holds: Go's "listen tcp :9100: bind: address already
    # in use", and the same EADDRINUSE text from most runtimes
    _hint(
        "port_in_use",
        "the port it listens on is taken (address already in use)",
        r"(?i)\baddress already in use\b",
        "app_error",
    ),
    # a port below 1024 for a user other than root: nginx's "bind() to 0.0.0.0:80 failed (13:
    # Permission denied)", Go's "listen tcp :80: bind: permission denied" (a unix socket's
    # "listen unix …: bind: permission denied" is a file's permission, not a port's)
    _hint(
        "port_denied",
        "it may not bind its port (permission denied)",
        r"(?i)\bbind\(\) to \S+ failed \(13: permission denied\)|"
        r"\blisten tcp[46]? \S+: bind: permission denied",
        "app_error",
    ),
    # nginx exits 1 when it cannot start (ngx_init_cycle fails): its reason is the [emerg] line,
    # on its stderr ("nginx: [emerg] …") or in its error log's form, at the start of the line
    _hint(
        "nginx_emerg",
        "nginx could not start ([emerg])",
        r"^nginx: \[emerg\] |^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[emerg\] \d+#\d+: ",
        "app_error",
    ),
    # a Go logger's Fatal (logrus, zap, zerolog) logs at level fatal, then calls os.Exit(1):
    # logrus's text form starts "time=… level=fatal", the JSON forms carry "level":"fatal",
    # zap's console form a tab-separated FATAL
    _hint(
        "fatal_log",
        "the program logged a fatal error and exited",
        r'^(?:time="[^"]*"\s+)?level=fatal\b|(?i:"level":\s*"fatal")|^\S+\tFATAL\t',
        "app_error",
    ),
    # PostgreSQL's initdb refuses a data directory that holds anything: a volume's root holds
    # lost+found (the docker-library image's note: PGDATA in a subdirectory of the mount)
    _hint(
        "initdb_not_empty",
        "initdb found the data directory not empty",
        r'^initdb: (?:error: )?directory "[^"]+" exists but is not empty',
        "app_error",
    ),
    # .NET's host: the runtime itself could not start (0x8007000E: E_OUTOFMEMORY)
    _hint(
        "dotnet_coreclr",
        "the .NET runtime could not start",
        r"^Failed to create CoreCLR, HRESULT: 0x[0-9A-Fa-f]{8}",
        "app_error",
    ),
    # klog's fatal line ("F0513 15:57:17.447 1 server.go:495] …"): Fatal exits 255, Exit 1
    _hint(
        "klog_fatal",
        "the program logged a fatal error (klog) and exited",
        r"^F\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] ",
        "app_error",
    ),
    # CoreDNS's loop plugin stops the server when a query comes back to it (log.Fatal, exit 1)
    _hint(
        "coredns_loop",
        "CoreDNS detected a forwarding loop",
        r"(?i)\[FATAL\] plugin/loop: .*loop\b.*\bdetected",
        "app_error",
    ),
    # a command-line tool's own "prog: error: …" (PostgreSQL's tools, argparse, many CLIs)
    _hint(
        "tool_error",
        "the program reported an error and stopped",
        r"^(?!.*\b(?:WARN|WARNING|INFO|DEBUG|[Rr]etrying|continuing)\b)"
        r"[\w.-]+: (?:error|fatal|FATAL|ERROR): \S",
        "app_error",
    ),
    # the java launcher's argument errors, exit 1
    _hint(
        "jvm_no_jar",
        "the JVM has no jar to run",
        r"^Error: (?:-jar requires jar file specification|Unable to access jarfile)",
        "app_error",
    ),
    _hint(
        "jvm_heap",
        "the JVM ran out of heap (-Xmx / MaxRAMPercentage)",
        r"OutOfMemoryError: Java heap space",
        "app_error",
    ),
    _hint(
        "jvm_metaspace", "the JVM ran out of metaspace", r"OutOfMemoryError: Metaspace", "app_error"
    ),
    _hint(
        "jvm_gc_overhead",
        "the JVM spent its time in GC",
        r"OutOfMemoryError: GC overhead limit exceeded",
        "app_error",
    ),
    _hint(
        "jvm_native_thread",
        "the JVM could not create a thread (pids limit or memory)",
        r"OutOfMemoryError: unable to create (?:new )?native thread",
        "app_error",
    ),
    _hint(
        "jvm_direct",
        "the JVM ran out of direct buffer memory",
        r"OutOfMemoryError: Direct buffer memory",
        "app_error",
    ),
    _hint(
        "jvm_oom", "the JVM threw OutOfMemoryError", r"java\.lang\.OutOfMemoryError", "app_error"
    ),
    _hint(
        "jvm_main_class",
        "the JVM could not load its main class",
        r"Could not find or load main class",
        "app_error",
    ),
    _hint(
        "node_heap",
        "Node.js reached its heap limit (--max-old-space-size)",
        r"JavaScript heap out of memory",
        "sigabrt",
    ),
    _hint("go_panic", "a Go panic", r"^panic: ", "shell_misuse"),
    _hint("go_fatal", "a Go runtime fatal error", r"^fatal error: ", "shell_misuse"),
    _hint("rust_panic", "a Rust panic", r"^thread '[^']*' panicked at", "app_error"),
    _hint(
        "python_traceback",
        "a Python exception",
        r"^Traceback \(most recent call last\):",
        "app_error",
    ),
    _hint("segfault", "a segmentation fault", r"(?i)segmentation fault", "sigsegv"),
    _hint(
        "illegal_instruction",
        "an illegal instruction (a CPU feature the node lacks?)",
        r"(?i)illegal instruction",
        "sigill",
    ),
    # cobra's "Error: <err>" before its usage text (a Go CLI's start-up error; most exit 1)
    _hint(
        "cli_error",
        "the program stopped on the error it printed",
        r"^(?!.*\b(?:using defaults|[Rr]etrying|continuing)\b)Error: \S",
        "app_error",
    ),
    _hint(
        "exception",
        "an uncaught exception",
        r'^(?:Exception in thread "[^"]*" |Caused by: )?(?:[a-z_]\w*\.)*[A-Z]\w*'
        r"(?:Error|Exception)(?::|$)",
        "app_error",
    ),
    # Ruby's uncaught exception: "<where>: <message> (<Class>)", the class at the end
    _hint(
        "ruby_exception",
        "an uncaught Ruby exception",
        r"^(?!.*\b(?:WARN|WARNING|INFO|DEBUG|[Rr]etrying|continuing|caught)\b)"
        r"\S.* \((?:[A-Z]\w*::)*(?:[A-Z]\w*(?:Error|Exception|Bad)|E[A-Z]{3,})\)$",
        "app_error",
    ),
    _sig("git_fatal", "git failed", r"^fatal: "),  # sharpens only: git exits 128 on its own
)

# Words a line must hold (lower-cased) before its signature's expression is even compiled and
# tried: most log lines hold none, so most logs cost no regular expression at all.
NEEDLES: dict[str, tuple[str, ...]] = {
    "exec_format": ("exec format error",),
    "exec_missing": ("no such file or directory",),
    "exec_permission": ("permission denied",),
    "shared_library": ("error while loading shared libraries",),
    "shell_not_found": ("not found",),
    "shell_permission": ("permission denied",),
    "shell_file": ("permission denied", "cannot create", "can't create"),
    "port_denied": ("permission denied",),
    "file_denied": ("permission denied",),
    "port_in_use": ("address already in use",),
    "too_many_files": ("too many open files",),
    "nginx_emerg": ("[emerg]",),
    "fatal_log": ("fatal",),
    "jvm_no_jar": ("jar",),
    "initdb_not_empty": ("initdb",),
    "dotnet_coreclr": ("coreclr",),
    "tool_error": ("error: ", "fatal: "),
    "klog_fatal": ("] ",),
    "coredns_loop": ("plugin/loop",),
    "cli_error": ("error: ",),
    "ruby_exception": ("error)", "exception)", "econnrefused)", "bad)"),
    "jvm_heap": ("java heap space",),
    "jvm_metaspace": ("metaspace",),
    "jvm_gc_overhead": ("gc overhead",),
    "jvm_native_thread": ("native thread",),
    "jvm_direct": ("direct buffer",),
    "jvm_oom": ("outofmemoryerror",),
    "jvm_main_class": ("main class",),
    "node_heap": ("heap out of memory",),
    "go_panic": ("panic: ",),
    "go_fatal": ("fatal error: ",),
    "rust_panic": ("panicked at",),
    "python_traceback": ("traceback",),
    "segfault": ("segmentation fault",),
    "illegal_instruction": ("illegal instruction",),
    "exception": ("error", "exception"),
    "git_fatal": ("fatal: ",),
}

# A program that stopped on an uncaught error, which its runtime reports with where it happened
# (Go's goroutine trace after "panic:", Rust's "panicked at <file>:<line>", Python's
# traceback): its own words say why, not a wrong command or argument, as a bare exit 2 may.
CRASHES = {"go_panic", "go_fatal", "rust_panic", "python_traceback"}
CRASH_STEP = (
    "It stopped on an uncaught error: the message and trace around this line in the previous "
    "log say why (a dependency it could not reach, a file or setting it lacks, or a bug in it): "
    "kubectl logs <pod> -n <ns> -c <container> --previous"
)

# What to do about a line whose signature says more than its cause's steps do.
_WRITABLE = (
    "The user it runs as may not write there: compare the path's owner and mode with the "
    "container's user (securityContext runAsUser and fsGroup; OpenShift's arbitrary UID is in "
    "group 0, so what it writes must be group-writable), or mount an emptyDir on a path it "
    "only needs to write."
)
_RUN_OR_WRITE = (
    "Permission denied on a path the script runs or writes. A command it runs must be "
    "executable (chmod +x in the image; a script from a ConfigMap needs defaultMode 0755); a "
    "path it writes must be writable by the user it runs as (securityContext runAsUser and "
    "fsGroup; OpenShift's arbitrary UID is in group 0, so it must be group-writable), or be an "
    "emptyDir."
)
_NO_DIRECTORY = (
    "The directory it writes into does not exist: a volume not mounted where the program "
    "expects it, or a directory the image or an init step was to make."
)
STEPS: dict[str, str] = {
    "shell_file": _RUN_OR_WRITE,
    "file_denied": _WRITABLE,
    "too_many_files": (
        "Too many open files: the process's limit on open files (the runtime's LimitNOFILE, "
        "ulimit -n), or, where it came from making a file watcher (inotify: 'failed to create "
        "watcher', fsnotify), the node's fs.inotify.max_user_instances (128 by default, shared "
        "by every container of that user on the node): raise it on the nodes (sysctl), or find "
        "what holds so many."
    ),
    "port_denied": (
        "A port below 1024 is root's unless the node says otherwise: listen on a port of 1024 "
        "or above (and point the Service's targetPort at it), or lower the bar for the pod with "
        "the safe sysctl net.ipv4.ip_unprivileged_port_start (securityContext.sysctls). Adding "
        "NET_BIND_SERVICE to capabilities does not reach a process that runs as another user "
        "(Kubernetes sets no ambient capabilities), unless its binary carries the file "
        "capability."
    ),
    "port_in_use": (
        "Another process holds the port it listens on. With hostNetwork, that is anything on "
        "the same node: another pod of the host network (a second exporter or agent of the same "
        "kind) or a node service (ss -ltnp on the node); otherwise two processes in the pod "
        "(two containers share its network) bind the same port."
    ),
    "nginx_emerg": (
        "The [emerg] line names the directive or path at fault: check the configuration "
        "(nginx -t in the image) and that the user it runs as may write its pid file and temp "
        "paths."
    ),
    "fatal_log": (
        "Its fatal line says what stopped it: a setting or variable it lacks (supply it in the "
        "pod's env, ConfigMap or Secret), a file, or a service it could not reach (check that "
        "service and the network to it)."
    ),
    "initdb_not_empty": (
        "PostgreSQL's data directory must start empty, and a volume's root holds lost+found: "
        "set PGDATA to a subdirectory of the mount (such as /var/lib/postgresql/data/pgdata), "
        "or mount the volume with a subPath; where it holds an old database, that is the one "
        "to keep or remove."
    ),
    "klog_fatal": (
        "Its fatal line says what stopped it: a setting or variable it lacks (supply it in the "
        "pod's env, ConfigMap or Secret), a file, or a service it could not reach (check that "
        "service and the network to it)."
    ),
    "coredns_loop": (
        "CoreDNS forwards to a resolver that sends the query back to it: the node's "
        "/etc/resolv.conf names a local one (127.0.0.53 with systemd-resolved). Point the "
        "kubelet at the real file (resolvConf: /run/systemd/resolve/resolv.conf) or forward "
        "CoreDNS to an upstream address in its Corefile."
    ),
    "cli_error": (
        "It stopped on the error it printed, and the lines before it say what failed. (A Go "
        "command-line program prints 'Error: …' and then its usage after any start-up error: "
        "a usage text after it does not mean the arguments are wrong.)"
    ),
    "dotnet_coreclr": (
        "The .NET runtime failed before the program ran (0x8007000E is out of memory): a "
        "memory limit too small for it, or a read-only root file system where it needs a "
        "writable /tmp (mount an emptyDir at /tmp, or set DOTNET_EnableWriteXorExecute=0)."
    ),
    "jvm_no_jar": (
        "The command names no jar, or one the image does not hold: check the image's contents "
        "(the build may not have copied the jar) and the jar path in command, args or the "
        "launcher's settings."
    ),
}


# Go's runtime could not start a thread (clone: EAGAIN): a limit on processes or threads
_THREADS_STEP = (
    "It could not start another thread (EAGAIN): a limit on processes and threads was hit: the "
    "pod's pids limit (the kubelet's podPidsLimit, the cgroup's pids.max) or the user's "
    "ulimit -u on the node; raise it, or find what starts so many."
)
# cobra's own words for arguments it refuses
_BAD_ARGS = re.compile(
    r"unknown (?:shorthand )?flag|unknown command|required flag\(s\)|accepts \d+ arg|"
    r"invalid argument \"[^\"]*\" for"
)
_UNREACHED = re.compile(
    r"(?i)connection refused|i/o timeout|no route to host|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH"
)
_CONNECT_STEP = (
    "It could not reach a service it needs: check the address it is given (a missing "
    "setting often leaves a localhost default, which in a pod is the pod itself), that the "
    "service is up and listening there, and for an i/o timeout to a Service IP (the API "
    "server's among them) the pod's route to it: kube-proxy, the CNI, network policies."
)
# kube-proxy setting the global conntrack table size from inside a container (kind, minikube):
# since Linux 5.12.2 that sysctl is read-only outside the host's network namespace
_CONNTRACK_STEP = (
    "kube-proxy may not set the node's conntrack sysctls here (a node that is itself a "
    "container, as with kind or minikube): leave them alone (conntrack.maxPerCore: 0 in its "
    "configuration) or set them on the host."
)
# the variables Kubernetes sets for each Service of the namespace (enableServiceLinks, on by
# default): <NAME>_PORT=tcp://10.0.0.1:8080, which a program reading <NAME>_PORT as its port
# setting is given instead of a number
_SERVICE_LINK = re.compile(
    r"(?i)(?:port\W{1,4}|pars\w*\W{1,4}|invalid\W.{0,40}?)"
    r"tcp://(?!0\.0\.0\.0|127\.)\d{1,3}(?:\.\d{1,3}){3}:\d+"
)  # a setting's value (port: 'tcp://…', parsing "tcp://…"), never a listen address
SERVICE_LINK_STEP = (
    "A setting holds a value such as tcp://10.0.0.1:8080: Kubernetes sets "
    "<SERVICE>_PORT=tcp://<ip>:<port> (and _HOST, _PORT_<n>_TCP…) for every Service of the "
    "namespace, so a Service named like the program's settings prefix sets one of them (a "
    "Service langflow gives LANGFLOW_PORT). Set enableServiceLinks: false in the pod spec, "
    "rename the Service, or set the variable in env (which wins over them)."
)


def tail_steps(lines: Iterable[str]) -> tuple[str, ...]:
    """Steps the whole log tail calls for, beside its telling line: a Service's link variable
    read as a setting."""
    return (SERVICE_LINK_STEP,) if any(_SERVICE_LINK.search(x) for x in lines) else ()


def step_for(hit: Hit) -> Optional[str]:
    """The step a hit adds, if any: a permission error's points at the path's owner, a
    missing directory's at the volume or step that was to make it."""
    if "Directory nonexistent" in hit.line or "No such file or directory" in hit.line:
        return _NO_DIRECTORY if hit.signature.id in ("shell_file", "file_denied") else None
    if hit.signature.id == "shell_file" and "create" in hit.line:
        return _WRITABLE  # a redirect: a write, never a run
    if hit.signature.id == "nginx_emerg" and "Permission denied" in hit.line:
        return _WRITABLE
    if "nf_conntrack" in hit.line and "permission denied" in hit.line.lower():
        return _CONNTRACK_STEP
    if "newosproc" in hit.line or "failed to create new OS thread" in hit.line:
        return _THREADS_STEP
    if hit.signature.id == "cli_error" and _BAD_ARGS.search(hit.line):
        return (
            "The arguments are wrong, as the error says: check command and args (a flag the "
            "image's version no longer has, or one it does not have yet)."
        )
    if hit.signature.id == "dotnet_coreclr" and "0x8007000E" not in hit.line.upper():
        return "The .NET runtime failed before the program ran: its HRESULT says why."
    if _UNREACHED.search(hit.line) and hit.signature.id not in ("port_in_use", "port_denied"):
        return _CONNECT_STEP
    return STEPS.get(hit.signature.id)


_PY_EXCEPTION = r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b.*"


@functools.cache
def _compiled(source: str) -> re.Pattern:
    return re.compile(source)


@dataclass(frozen=True)
class Hit:
    signature: Signature
    line: str


def scan(lines: Iterable[str]) -> tuple[Hit, ...]:
    """The signatures in a log tail, each once with the line that shows it (for a Python
    traceback, the exception line that closes it), the latest first: a program's last words are
    the ones that matter."""
    hits: dict[str, Hit] = {}
    shown: set[str] = set()  # a traceback's closing line is its hit, not one of its own
    lines = [line.rstrip() for line in lines]
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or text in shown:
            continue
        low = text.lower()
        for sig in SIGNATURES:
            if not any(n in low for n in NEEDLES[sig.id]):
                continue
            if _compiled(sig.source).search(text):
                line_shown = text
                if sig.id == "python_traceback":
                    line_shown = _python_exception(lines[i + 1 :]) or text
                    if line_shown == text and sig.id in hits:
                        break  # a traceback cut off by the tail: the earlier one says more
                hits.pop(sig.id, None)  # a later occurrence replaces an earlier one
                hits[sig.id] = Hit(sig, line_shown)
                shown.add(line_shown)
                break
    return tuple(reversed(hits.values()))


def _python_exception(after: list[str]) -> Optional[str]:
    for line in after:
        if not line.startswith((" ", "\t")) and _compiled(_PY_EXCEPTION).match(line.strip()):
            return line.strip()
    return None


def implied(hits: Iterable[Hit]) -> Optional[Hit]:
    """The first hit that names a cause when the log is all that was kept."""
    return next((h for h in hits if h.signature.implies), None)


def deciding(hits: Iterable[Hit], code: Optional[int]) -> Optional[Hit]:
    """The first hit that decides the cause for this exit code."""
    for hit in hits:
        sig = hit.signature
        if sig.cause and (not sig.codes or code in sig.codes):
            return hit
    return None
