"""The command line's front door: kubectl's flag grammar, the words (targets and commands),
the fast paths, and errors → exit statuses (DESIGN §1), in one place.

kubectl hands a plugin every argument after its name and parses none of them: ``grammar.py``
reads the flags as kubectl's own parser (pflag) would, anywhere on the line, and
``targets.py`` what the words name. ``code N``, ``--help`` and ``version`` are answered
without loading typer at all: they must start in a few tens of milliseconds. So are the common
pod view, ``pod NAME [-n NS]`` of a cluster (``podview.py``: its fast path), and every sweep
that does not watch (``sweepview.py``). Everything else goes through the typer app in
``commands.py``, with the flags in the one form click takes.
"""

from __future__ import annotations

import os
import sys

from kubectl_exitwhy.errors import ExitStatus, ExitwhyError, OutputClosed, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: `code N` must start fast
if TYPE_CHECKING:
    from typing import Any, List, Optional, Union

PROG = "kubectl exitwhy"
POD_FLAGS = (
    "namespace", "all-namespaces", "selector", "filename", "output", "all", "logs", "watch",
    "fail-on", "context", "kubeconfig", "request-timeout",
)  # fmt: skip


def _usage_error_class(typer: Any) -> Any:
    """click's UsageError, wherever this typer keeps click (recent typer vendors it)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def prepare(args: List[str]) -> Union[int, List[str]]:
    """Answer what needs no typer (help, version, code N, the fast paths of the pod view and
    the sweep) and return the exit status; else the arguments for the typer app:
    ``[command, *flags, "--", *words]``."""
    from kubectl_exitwhy import grammar, targets

    parsed = grammar.parse(args)
    words = parsed.words
    if parsed.get("help") or (words and words[0] == "help"):
        topic = words[1:] if words and words[0] == "help" else words
        first = topic[0].partition("/")[0] if topic else ""
        if targets._kind(first) == "Pod" or first in ("code", "version"):
            return ["pod" if first not in ("code", "version") else first, "--help"]
        from kubectl_exitwhy.helptext import top

        sys.stdout.write(top())
        return ExitStatus.OK
    if parsed.get("version") or (words and words[0] == "version"):
        from kubectl_exitwhy import __version__

        sys.stdout.write(f"kubectl-exitwhy {__version__}\n")
        return ExitStatus.OK
    command, values = targets.route(words)
    if command == "code":
        from kubectl_exitwhy.codeview import explain

        explain(values, parsed.get("output") or "table")
        return ExitStatus.OK
    if command == "completion":
        from kubectl_exitwhy.completion import script

        sys.stdout.write(script(values))
        return ExitStatus.OK
    grammar.check(parsed)
    if command == "pod":
        extra = grammar.unused(parsed, POD_FLAGS)
        if extra:
            raise UsageError(f"--{extra} applies to a sweep, not to the pod view")
        from kubectl_exitwhy import podview

        if podview.fast(parsed):
            return podview.run(parsed, values[0])
        return ["pod", *grammar.command_args(parsed, POD_FLAGS), "--", *values]
    from kubectl_exitwhy import sweepview

    if sweepview.fast(parsed):
        return sweepview.run(parsed, values[0] if values else None)
    target = [f"--target={values[0]}"] if values else []
    return ["sweep", *grammar.command_args(parsed), *target]


def main(argv: Optional[List[str]] = None) -> None:
    for stream in (sys.stdout, sys.stderr):  # a console without UTF-8 must not crash on "→"
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in (
            "utf-8",
            "utf8",
        ):
            stream.reconfigure(errors="replace")
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        arranged = prepare(args)
        if isinstance(arranged, int):
            sys.exit(arranged)
        import typer

        from kubectl_exitwhy.commands import app

        try:
            command = typer.main.get_command(app)
            status = command.main(
                arranged, prog_name=PROG, standalone_mode=False, obj=_connection(args)
            )
        except typer.Exit as done:
            status = done.exit_code
        except typer.Abort:
            raise KeyboardInterrupt from None
        except _usage_error_class(typer) as err:
            raise UsageError(f"{_one_line(err.format_message())} (see '{PROG} --help')") from None
        if status == ExitStatus.INTERRUPTED:  # typer's own Ctrl-C (click's Exit(130))
            raise KeyboardInterrupt
        sys.exit(int(status or 0))
    except ExitwhyError as err:
        _fail(err.message, err.status)
    except (BrokenPipeError, OutputClosed):  # | head: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitStatus.OK)
    except KeyboardInterrupt:
        _fail("interrupted", ExitStatus.INTERRUPTED)


def _connection(args: List[str]) -> dict:
    """The global flags that change how the cluster is reached (read again: cheap)."""
    from kubectl_exitwhy import grammar

    return grammar.connection(grammar.parse(args))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, status: int) -> None:
    from kubectl_exitwhy import progress
    from kubectl_exitwhy.sanitize import clean_line

    progress.clear()  # a sweep's progress line, if one is shown

    sys.stderr.write(f"error: {clean_line(message)}\n")
    sys.exit(int(status))
