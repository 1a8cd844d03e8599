"""What every command does around the engine, without typer: warnings on stderr (each once),
the style (width, height, colour, the clock), the output in the format asked, the exit status,
and --request-timeout read as kubectl reads it. Shared by the typer commands (``commands.py``)
and the pod view's fast path (``podview.py``), so that both print the same bytes.

``output``, ``by`` and ``fail_on`` are their flag values as text (the typer commands' enums are
``str`` enums, which compare equal to them).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from kubectl_exitwhy.errors import ExitStatus, UsageError


def now() -> datetime:
    return datetime.now(timezone.utc)


def color() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def timeout(text: Optional[str]) -> Optional[float]:
    """--request-timeout in seconds: 30, 30s, 1m, 500ms; unset or 0: None (the default)."""
    if text is None:
        return None
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not m:
        raise UsageError(f"--request-timeout {text!r} is not a duration (try 30s or 1m)")
    value = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    if value > MAX_DURATION:  # Go's time.ParseDuration refuses what an int64 of ns cannot hold
        raise UsageError(f"--request-timeout {text!r} is not a duration (too long)")
    return value or None


MAX_DURATION = (2**63 - 1) / 1e9  # seconds: about 292 years


WARNED: set[str] = set()


def warn(message: str) -> None:
    """Each warning once: the same refusal met by two reads is one thing to know."""
    from kubectl_exitwhy.sanitize import clean_line

    text = clean_line(message)
    if text not in WARNED:
        WARNED.add(text)
        from kubectl_exitwhy import progress

        progress.clear()  # a sweep's progress line: the warning takes its place
        sys.stderr.write(f"warning: {text}\n")


def style(all_namespaces: bool, fold: bool = False) -> Any:
    """A pipe gets 100 columns and every row; a terminal (or COLUMNS, LINES) sets the width,
    and the height a folded sweep table fits."""
    import shutil

    from kubectl_exitwhy.render.style import Style

    width, height = 100, None
    columns = os.environ.get("COLUMNS", "")
    tty = sys.stdout.isatty()
    if columns.isdigit() and 40 <= int(columns) <= 1000:
        width = int(columns)
    elif tty:
        width = max(40, shutil.get_terminal_size((100, 24)).columns)
    if fold and tty:
        height = max(10, shutil.get_terminal_size((100, 24)).lines)
    return Style(
        now=now(), width=width, color=color(), all_namespaces=all_namespaces, height=height
    )


def out(text: str, flush: bool = False) -> None:
    """Write to stdout; a reader that went away (``| head``) is OutputClosed, which ``cli.py``
    ends the run on with status 0, whatever framework the write happens under."""
    from kubectl_exitwhy.errors import OutputClosed

    try:
        sys.stdout.write(text)
        if flush:
            sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed() from None


def emit(
    report: Any,
    output: str,
    all_namespaces: bool,
    pod_view: bool,
    by: Optional[str],
    info: bool = False,
    fold: bool = False,
) -> None:
    """The pod view's JSON is the DiagnosisList alone; a sweep's adds its summaries."""
    shape = style(all_namespaces, fold)
    if output in ("json", "yaml"):
        from kubectl_exitwhy.render import structured

        summaries = None if pod_view else report
        if output == "json":  # written as it is made: the document is never held whole
            for chunk in structured.json_chunks(report.diagnoses, summaries):
                out(chunk)
        else:
            out(structured.render_yaml(report.diagnoses, shape, summaries))
    elif pod_view:
        from kubectl_exitwhy.render import detail

        out(detail.render(report.diagnoses, shape, report.nodes))
    elif output == "wide" or by == "pod":
        from kubectl_exitwhy.render import table

        out(table.render(report.diagnoses, shape, wide=output == "wide"))
    else:
        from kubectl_exitwhy.render import incident

        out(incident.render(report, shape, show_info=info))


def status(diagnoses: Iterable, fail_on: Optional[str]) -> ExitStatus:
    if fail_on is None:
        return ExitStatus.OK
    from kubectl_exitwhy.diagnosis import SEVERITY_RANK

    limit = SEVERITY_RANK[str(getattr(fail_on, "value", fail_on))]
    hit = any(SEVERITY_RANK[f.severity] <= limit for d in diagnoses for f in d.findings)
    return ExitStatus.FINDINGS if hit else ExitStatus.OK
