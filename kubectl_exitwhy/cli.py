"""The command line's front door: argument order, the ``code`` fast path, and errors → exit
statuses (DESIGN §1), in one place.

kubectl hands a plugin every argument after its name and parses none of them, so flags may come
before or after the subcommand: ``main`` moves the subcommand to the front first. ``kubectl
exitwhy code N`` is answered without loading typer at all: it must start in a few tens of
milliseconds. Everything else goes through the typer app in ``commands.py``.
"""

from __future__ import annotations

import os
import sys

from kubectl_exitwhy.errors import ExitStatus, ExitwhyError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time: `code N` must start fast
if TYPE_CHECKING:
    from typing import Any, List, Optional

PROG = "kubectl exitwhy"
# --- argument handling -----------------------------------------------------------------------

COMMANDS = {"pod": "pod", "pods": "pod", "po": "pod", "code": "code", "version": "version"}
VALUE_OPTIONS = {
    "-n", "--namespace", "-l", "--selector", "--context", "--kubeconfig", "--request-timeout",
    "-o", "--output", "-f", "--filename", "--fail-on", "--logs", "--by",
}  # fmt: skip


def arrange(argv: List[str]) -> List[str]:
    """Put the subcommand first so that flags work in any position (kubectl style).

    Returns ``[command, *options, "--", *positionals]``; ``--`` keeps ``code -1`` a number.
    """
    positional: list[int] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            positional.extend(range(i + 1, len(argv)))
            break
        if arg in VALUE_OPTIONS:
            i += 2
            continue
        if arg.startswith("-") and not (positional and _is_number(arg)):
            i += 1
            continue
        positional.append(i)
        i += 1
    options = [a for j, a in enumerate(argv) if j not in positional and a != "--"]
    if not positional:
        if "--version" in options:
            return ["version"]
        if any(a in ("-h", "--help") for a in options):
            return ["--help"]
        return ["sweep", *options]
    first = argv[positional[0]]
    command = COMMANDS.get(first)
    if command is None:
        verb = "code" if _is_number(first) else "pod"
        raise UsageError(f"unknown command {first!r}; did you mean '{PROG} {verb} {first}'?")
    return [command, *options, "--", *(argv[j] for j in positional[1:])]


def _is_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def _usage_error_class(typer: Any) -> Any:
    """click's UsageError, wherever this typer keeps click (recent typer vendors it)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


CODE_OUTPUTS = ("table", "json", "yaml")


def explain_code(args: List[str]) -> Optional[int]:
    """``code N [-o table|json|yaml]`` without typer; None when the arguments need the full
    parser (help, unknown flags): it then gives the usual answer."""
    options, values = args[1 : args.index("--")], args[args.index("--") + 1 :]
    output = "table"
    while options:
        flag = options.pop(0)
        if flag in ("-o", "--output") and options and options[0] in CODE_OUTPUTS:
            output = options.pop(0)
        elif flag.startswith("--output=") and flag.split("=", 1)[1] in CODE_OUTPUTS:
            output = flag.split("=", 1)[1]
        else:
            return None
    if len(values) != 1:
        return None
    show_code(values[0], output)
    return ExitStatus.OK


def show_code(value: str, output: str) -> None:
    """Print one exit code explained (``kubectl exitwhy code N``)."""
    from kubectl_exitwhy import codes
    from kubectl_exitwhy.render.code import render_code

    norm = codes.parse_code_argument(value)
    if norm.code is None:
        raise UsageError(f"{value!r} is not an exit code: give a number such as 137 or -1")
    sys.stdout.write(render_code(value, norm, codes.explain(norm.code), output))


def main(argv: Optional[List[str]] = None) -> None:
    for stream in (sys.stdout, sys.stderr):  # a console without UTF-8 must not crash on "→"
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in (
            "utf-8",
            "utf8",
        ):
            stream.reconfigure(errors="replace")
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        arranged = arrange(args)
        if arranged[0] == "code" and "--" in arranged:
            status = explain_code(arranged)
            if status is not None:
                sys.exit(status)
        import typer

        from kubectl_exitwhy.commands import app

        try:
            command = typer.main.get_command(app)
            status = command.main(arranged, prog_name=PROG, standalone_mode=False)
        except typer.Exit as done:
            status = done.exit_code
        except typer.Abort:
            raise KeyboardInterrupt from None
        except _usage_error_class(typer) as err:
            raise UsageError(f"{_one_line(err.format_message())} (see '{PROG} --help')") from None
        sys.exit(int(status or 0))
    except ExitwhyError as err:
        _fail(err.message, err.status)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitStatus.OK)
    except KeyboardInterrupt:
        _fail("interrupted", ExitStatus.USAGE)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, status: int) -> None:
    from kubectl_exitwhy.sanitize import clean_line

    sys.stderr.write(f"error: {clean_line(message)}\n")
    sys.exit(int(status))
