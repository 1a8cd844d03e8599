"""The progress line of a sweep: on a terminal only, rewritten in place at most ten times a
second, erased before anything else is written; and, through the real kubectl on a terminal,
there from the first request on and gone when the table is printed."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import termios

import pytest

from kubectl_exitwhy import progress
from kubectl_exitwhy.present import WARNED, warn
from kubectl_exitwhy.progress import ERASE, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_no_progress_line():
    stream = io.StringIO()
    line = Progress(stream)
    line.say("pods: 500 read", now=True)
    line.clear()
    assert stream.getvalue() == ""


def test_a_terminal_gets_the_line_rewritten_in_place_then_erased(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    stream = Terminal()
    line = Progress(stream)
    line.say("reading events", now=True)
    line.say("events: 500 read")  # within a tenth of a second of the last: skipped
    line.say("reading pods", now=True)
    line.clear()
    line.clear()  # erased once
    assert stream.getvalue() == f"{ERASE}reading events{ERASE}reading pods{ERASE}"


def test_the_line_fits_the_terminal_stderr_is_not_stdout(monkeypatch):
    """With stdout a file or a pipe (``-o json > out.json``), the width is stderr's terminal's:
    a line as wide as 80 columns on a 30-column terminal would wrap and stay on screen."""
    monkeypatch.delenv("COLUMNS", raising=False)
    leader, follower = pty.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 30, 0, 0))
        with os.fdopen(os.dup(follower), "w") as stream:
            Progress(stream, enabled=True).say("reading events in namespace data-sync", now=True)
        written = os.read(leader, 1024).decode()
    finally:
        os.close(leader)
        os.close(follower)
    assert written == ERASE + "reading events in namespace data-sync"[:29]
    stream = Terminal()
    monkeypatch.setenv("COLUMNS", "3")
    Progress(stream, enabled=True).say("reading", now=True)
    assert stream.getvalue() == ERASE + "re"


def test_a_dumb_terminal_gets_nothing(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    stream = Terminal()
    Progress(stream).say("reading pods", now=True)
    assert stream.getvalue() == ""


def test_the_line_is_cut_to_the_terminal_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    stream = Terminal()
    Progress(stream, enabled=True).say("x" * 100, now=True)
    assert stream.getvalue() == ERASE + "x" * 39


def test_a_warning_erases_the_line_first(monkeypatch, capsys):
    stream = Terminal()
    monkeypatch.setattr(progress, "current", Progress(stream, enabled=True))
    progress.current.say("pods: 500 read", now=True)
    WARNED.discard("events could not be read")
    warn("events could not be read")
    assert stream.getvalue() == f"{ERASE}pods: 500 read{ERASE}"
    assert capsys.readouterr().err == "warning: events could not be read\n"
    assert progress.current.shown is False


def test_a_closed_terminal_does_not_end_the_run():
    stream = Terminal()
    stream.close()
    line = Progress(stream, enabled=True)
    line.say("reading pods", now=True)  # ValueError: I/O operation on closed file
    assert line.enabled is False


# --- through the real kubectl, stderr a terminal ----------------------------------------------


@pytest.mark.cluster
def test_a_sweep_on_a_terminal_shows_progress_and_erases_it(examples_server, tmp_path):
    from test_cluster import KUBECTL
    from test_screen import _env

    leader, follower = pty.openpty()
    document = tmp_path / "out.json"
    with document.open("wb") as sink:
        proc = subprocess.Popen(
            [KUBECTL, "exitwhy", "-A", "-o", "json"],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=follower,
            env={k: v for k, v in _env(examples_server).items() if k != "TERM"},
        )
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    out = document.read_bytes()
    text = err.decode()
    assert text.startswith(ERASE + "reading events cluster-wide")
    assert "reading pods cluster-wide" in text
    assert "diagnosing " in text  # (a page at a time too, at most ten times a second)
    assert text.endswith(ERASE)  # erased before the output: nothing of it stays on screen
    assert b"\x1b" not in out and b"\r" not in out  # the document is untouched


@pytest.mark.cluster
def test_a_sweep_with_stderr_not_a_terminal_writes_no_progress(examples_server):
    from test_cluster import KUBECTL
    from test_screen import _env

    proc = subprocess.run(
        [KUBECTL, "exitwhy", "-A"],
        capture_output=True,
        env=_env(examples_server),
        timeout=60,
    )
    assert proc.returncode == 0
    assert b"\x1b" not in proc.stderr and b"\r" not in proc.stderr
    assert proc.stdout


@pytest.fixture(scope="module")
def examples_server():
    from pathlib import Path

    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=Path(__file__).resolve().parent.parent / "examples") as srv:
        yield srv
