"""One screen: on a terminal the default sweep table is folded to the terminal's height, and
what is folded is counted, never dropped. Run through the real kubectl, on a pseudo-terminal
of a set size, against the local API server loaded with the bundled examples."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest
from test_cluster import KUBECTL, plugin_dir

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
MORE = re.compile(r"^… (\d+) more (rows|nodes) \(([^)]*)\): --no-fold lists them all$")


@pytest.fixture(scope="module")
def examples():
    from localapi import LocalAPIServer

    with LocalAPIServer(data_dir=ROOT / "examples") as srv:
        yield srv


def _env(srv) -> dict:
    env = {
        **os.environ,
        "PATH": f"{plugin_dir()}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(srv.kubeconfig),
        "NO_COLOR": "1",
    }
    for name in ("COLUMNS", "LINES"):  # the terminal's own size decides
        env.pop(name, None)
    return env


def on_terminal(srv, rows: int, columns: int, *args: str) -> list[str]:
    """The plugin's stdout on a terminal of rows × columns, as lines."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    proc = subprocess.Popen(
        [KUBECTL, "exitwhy", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=_env(srv),
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the far end closed: Linux says EIO
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    return out.decode().replace("\r\n", "\n").rstrip("\n").split("\n")


def piped(srv, *args: str) -> str:
    proc = subprocess.run(
        [KUBECTL, "exitwhy", *args], capture_output=True, text=True, env=_env(srv), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _counted(lines: list[str], what: str) -> int:
    return sum(int(m.group(1)) for m in map(MORE.match, lines) if m and m.group(2) == what)


@pytest.mark.parametrize("rows,columns", [(50, 120), (24, 80), (40, 200)])
def test_the_sweep_of_every_example_fits_the_screen_and_counts_what_it_folds(
    examples, rows, columns
):
    screen = on_terminal(examples, rows, columns, "-A")
    assert len(screen) < rows  # a line is left for the prompt
    full = piped(examples, "-A").rstrip("\n").split("\n")
    assert len(full) > rows, "the examples must overflow a screen for this test to mean anything"
    assert not any(MORE.match(line) for line in full)  # a pipe is never folded

    def section(lines, header):
        start = next(i for i, line in enumerate(lines) if line.startswith(header))
        end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
        return [line for line in lines[start + 1 : end] if not line.startswith(" ")]

    nodes = section(full, "NODE ")
    workloads = section(full, "NAMESPACE ")
    shown_nodes = [line for line in section(screen, "NODE ") if not MORE.match(line)]
    shown = [line for line in section(screen, "NAMESPACE ") if not MORE.match(line)]
    # every row is shown or counted; the shown ones are the first, most severe ones
    assert len(shown_nodes) + _counted(screen, "nodes") == len(nodes)
    assert len(shown) + _counted(screen, "rows") == len(workloads)
    assert [line.split()[0] for line in shown_nodes] == [line.split()[0] for line in nodes][
        : len(shown_nodes)
    ]
    assert [line.split()[:2] for line in shown] == [line.split()[:2] for line in workloads][
        : len(shown)
    ]
    assert "critical" in shown[0] and "node out of memory" in shown_nodes[0]
    assert screen[-1] == full[-1]  # the totals count everything, folded or not
    assert re.match(
        r"\d+ critical, \d+ warning \(\d+ pods\) in \d+ workloads; \d+ nodes", screen[-1]
    )


def test_no_fold_and_by_pod_list_everything_on_a_terminal(examples):
    items = json.loads(piped(examples, "-A", "-o", "json"))["items"]
    findings = sum(len(i["findings"]) for i in items)  # one row per container finding
    every = on_terminal(examples, 30, 120, "-A", "--no-fold")
    assert not any(MORE.match(line) for line in every)
    assert len(every) > 30
    by_pod = on_terminal(examples, 30, 250, "-A", "--by", "pod")
    assert not any(MORE.match(line) for line in by_pod)
    rows = [line for line in by_pod[1:] if line.strip() and not line[0].isspace()]
    assert len(rows) == findings and findings >= 60
