"""A small process that starts each measured command, so that its peak RSS is the command's own.

Why not start the commands from ``bench/run.py`` itself: Linux carries the high-water RSS of the
process image a child replaces at ``exec`` into the child's ``ru_maxrss``. A child forked (or
vforked, or ``posix_spawn``-ed) from the harness starts with the harness's memory (25-60 MB of
Python, YAML and parsed pages), so every measured peak would be at least that: ``python -c pass``
came out at the harness's size. This launcher stays tiny (``python -I -S`` with builtin modules
only, about 9 MB), so its floor lies under everything measured (``python -c pass`` is about
11 MB, kubectl about 45 MB).

Protocol, over stdin/stdout, one request per line, fields separated by NUL::

    STDOUT_PATH \\0 STDERR_PATH \\0 TIMEOUT_S \\0 N \\0 KEY=VALUE (N times) \\0 ARGV...

(an empty STDOUT_PATH means /dev/null; ``KEY=`` with nothing after ``=`` unsets KEY). The answer
is one line: ``ok WALL_S MAXRSS_KB USER_S SYS_S STATUS TIMED_OUT FIRST_S`` or ``error MESSAGE``.
Wall time is ``time.perf_counter`` around ``posix_spawn`` .. ``wait4``; ``ru_maxrss`` (KiB on
Linux) and the CPU times come from ``wait4`` of that child only. The launcher exits at the end of
its input.

A STDERR_PATH written ``pty:PATH`` gives the command a terminal for its stderr, as a user at a
terminal runs it (a sweep then shows its progress line there): what it writes is copied to PATH,
and FIRST_S is when its first byte came, in seconds from the start (-1: nothing came, or no
terminal was asked for). Its stdout stays the file: a pipeline's output, a user's screen of
progress.
"""

import os
import signal
import sys
import time

_child = [0]


def _on_alarm(signum, frame):  # the timeout: the child is not reaped yet, so its PID is its own
    if _child[0]:
        try:  # noqa: SIM105  (no contextlib: this process stays small)
            os.kill(_child[0], signal.SIGKILL)
        except OSError:
            pass


def _serve(fields):
    stdout_path, stderr_path, timeout, n = fields[0], fields[1], float(fields[2]), int(fields[3])
    env = dict(os.environ)
    for kv in fields[4 : 4 + n]:
        key, _, value = kv.partition("=")
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    argv = fields[4 + n :]
    wronly = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    terminal = stderr_path.startswith("pty:")
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path or os.devnull, wronly, 0o644),
    ]
    if terminal:
        leader, follower = os.openpty()
        actions += [(os.POSIX_SPAWN_DUP2, follower, 2), (os.POSIX_SPAWN_CLOSE, leader)]
    else:
        actions.append((os.POSIX_SPAWN_OPEN, 2, stderr_path or os.devnull, wronly, 0o644))
    started = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    except OSError as exc:
        return f"error cannot run {argv[0]}: {exc}"
    finally:
        if terminal:
            os.close(follower)
    _child[0] = pid
    signal.setitimer(signal.ITIMER_REAL, timeout)
    first = -1.0
    try:
        if terminal:
            first = _copy(leader, stderr_path[len("pty:") :], started)
        _, status, usage = os.wait4(pid, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _child[0] = 0
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    timed_out = int(code == -signal.SIGKILL and wall >= timeout)
    usage_text = f"{usage.ru_maxrss} {usage.ru_utime!r} {usage.ru_stime!r}"
    return f"ok {wall!r} {usage_text} {code} {timed_out} {first!r}"


def _copy(leader, path, started):
    """The terminal's output, to ``path`` until the command closes it; when its first byte came."""
    first = -1.0
    with open(path, "wb") as out:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # every copy of the terminal's far end is closed: Linux says EIO
                break
            if not chunk:
                break
            if first < 0:
                first = time.perf_counter() - started
            out.write(chunk)
    os.close(leader)
    return first


def main():
    signal.signal(signal.SIGALRM, _on_alarm)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = inp.readline()
        if not line:
            return 0
        fields = line.rstrip(b"\n").decode("utf-8", "surrogateescape").split("\0")
        try:
            answer = _serve(fields)
        except (ValueError, IndexError, OSError) as exc:
            answer = f"error {type(exc).__name__}: {exc}"
        out.write(answer.replace("\n", " ").encode("utf-8", "replace") + b"\n")
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
