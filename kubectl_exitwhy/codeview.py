"""``kubectl exitwhy code N``: one exit code explained. Shared by the fast path in ``cli.py``
and the typer command in ``commands.py`` (neither imports the other for it); no typer, no
kubernetes: it must start in a few tens of milliseconds."""

from __future__ import annotations

import sys

from kubectl_exitwhy.errors import UsageError

OUTPUTS = ("table", "json", "yaml")


def show_code(value: str, output: str) -> None:
    """Print one exit code explained; ``wide`` is the table."""
    from kubectl_exitwhy import codes
    from kubectl_exitwhy.render.code import render_code

    norm = codes.parse_code_argument(value)
    if norm.code is None:
        raise UsageError(f"{value!r} is not an exit code: give a number such as 137 or -1")
    output = "table" if output == "wide" else output
    sys.stdout.write(render_code(value, norm, codes.explain(norm.code), output))


def explain(values: list, output: str) -> None:
    """``code N``: exactly one code."""
    if len(values) != 1:
        got = "none" if not values else " ".join(repr(v) for v in values)
        raise UsageError(f"code takes one exit code, such as 137 (got {got})")
    show_code(values[0], output)
