"""When the log is all that is left: a container with no exit code kept (``kubectl get pods``
showed only ``Error``, the kubelet lost ``lastState``, or only the log was saved) whose previous
log carries a signature that names how it failed (``kubectl_exitwhy.logsigs``).

One rule per cause a signature can imply, so that each cause's documentation says it. The
verdicts are medium at best: the line is the program's (or runc's) own word, but no exit code
confirms it.
"""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy import logsigs
from kubectl_exitwhy.rules.base import (
    LOW,
    MEDIUM,
    RUNNING,
    TERMINATION,
    Rule,
    Subject,
    Verdict,
    crash_looping,
    first_line,
    rule,
    subject_lines,
)


def _from_log(cause: str, s: Subject) -> Optional[Verdict]:
    if s.term is not None and s.code is not None:
        return None  # an exit code is kept: the code's own rules decide, the log sharpens
    if not s.container:
        return None
    hits, where = s.c.log_hits, "previous log"
    if not hits and s.term is not None and s.term.message:
        # the termination message, which terminationMessagePolicy FallbackToLogsOnError fills
        # with the log's end when the program wrote none
        hits, where = logsigs.scan(s.term.message.splitlines()), f"{s.term.source}.message"
    hit = logsigs.implied(hits)
    if hit is None or hit.signature.implies != cause:
        return None
    decides = hit.signature.cause == cause
    evidence = subject_lines(s) + [f"{where}: {first_line(hit.line)}"]
    if s.term is None:
        evidence.append(f"{s.c.status_path}.lastState: no termination record was kept")
    summary = f"the {'previous log' if where == 'previous log' else 'termination message'} "
    summary += f"shows {hit.signature.title}"
    crashed = hit.signature.id in logsigs.CRASHES
    step = logsigs.step_for(hit)
    steps = logsigs.tail_steps(s.c.log_tail or s.message.splitlines()) + (
        (step or logsigs.CRASH_STEP,) if crashed else (step,) if step else ()
    )
    return Verdict(
        cause,
        MEDIUM if decides or s.term else LOW,
        summary,
        tuple(evidence),
        steps,
        detail=first_line(hit.line),
        own_steps=bool(steps),  # the line tells where, not the command and args
    )


def _log_rule(cause: str, order: int) -> Rule:
    def check(s: Subject) -> Optional[Verdict]:
        return _from_log(cause, s)

    check.__doc__ = (
        f"No exit code was kept, and the previous log shows the failure that gives "
        f"``{cause}``: "
        + "; ".join(sig.title for sig in logsigs.SIGNATURES if sig.implies == cause)
        + "."
    )
    check.__name__ = f"log_{cause}"
    return rule(cause, order, TERMINATION, RUNNING)(check)


_IMPLIED = sorted({sig.implies for sig in logsigs.SIGNATURES if sig.implies})


@rule("app_error", 950, RUNNING)
def init_failed(s: Subject) -> Optional[Verdict]:
    """An init container in back-off (``CrashLoopBackOff``) whose exit was not kept, and whose
    previous log was read: the kubelet runs an init container again after a failed exit (a pod
    that may restart it: not ``restartPolicy: Never``; not a sidecar, which restarts on any
    exit), so it failed; what ended it (its own error, or a kill) was not kept, and its last
    log line is said as such (low). A restart count alone is not enough: a new sandbox runs
    every init container again, failed or not."""
    c = s.c
    if c.kind != "init" or c.restart_policy == "Never" or not crash_looping(c):
        return None
    said = next((line for line in reversed(c.log_tail) if _WORDS.search(line)), "")
    if not said:
        return None
    evidence = subject_lines(s) + [
        f"{c.status_path}.lastState: no termination record was kept",
        f"previous log: {first_line(said)}",
    ]
    return Verdict(
        "app_error",
        LOW,
        "the init container keeps failing (in back-off: an init container is run again only "
        "after it fails); what ended it was not kept; its last log line: " + first_line(said, 160),
        tuple(evidence),
        detail=first_line(said),
    )


_WORDS = re.compile(r"[A-Za-z]{2}")  # a line that says something, not a dot or a colour code


RULES = (*(_log_rule(cause, 900 + i) for i, cause in enumerate(_IMPLIED)), init_failed)
