"""Exit codes 128 + n for signal n (x86-64 numbering). The kubelet never fills ``signal``: it is
inferred from the code, and a program may also exit with such a code itself, so these verdicts
are ``medium`` unless the log confirms them."""

from __future__ import annotations

import re
from typing import Optional

from kubectl_exitwhy import codes
from kubectl_exitwhy.rules.base import (
    HIGH,
    MEDIUM,
    TERMINATION,
    Subject,
    Verdict,
    first_line,
    rule,
    subject_lines,
)

NAMED = {
    129: "sighup",
    130: "sigint",
    131: "sigquit",
    132: "sigill",
    134: "sigabrt",
    135: "sigbus",
    136: "sigfpe",
    139: "sigsegv",
    141: "sigpipe",
}

_HEAP_OOM = re.compile(r"JavaScript heap out of memory|Reached heap limit", re.I)


def _signal_verdict(s: Subject, cause: str) -> Verdict:
    code = s.code
    assert code is not None
    info = codes.explain(code)
    evidence = subject_lines(s)
    summary = f"died of {info.signal_name} ({code} = 128 + {code - 128}): {info.title}"
    detail = None
    confidence = MEDIUM
    if code == 134:
        hit = next((ln for ln in reversed(s.c.log_tail) if _HEAP_OOM.search(ln)), None)
        if hit:
            detail = "Node.js/V8 heap limit reached: not a kernel OOM"
            summary = (
                "aborted (SIGABRT, 134) by the Node.js heap limit: 'JavaScript heap out "
                "of memory' — not a container OOM"
            )
            evidence.append(f"previous log: {first_line(hit)}")
            confidence = HIGH
    return Verdict(cause, confidence, summary, tuple(evidence), detail=detail)


def _named(code: int, cause: str):
    def check(s: Subject) -> Optional[Verdict]:
        return _signal_verdict(s, cause) if s.code == code else None

    info = codes.explain(code)
    check.__doc__ = f"Exit {code} = 128 + {code - 128}: {info.signal_name}. {info.meaning}"
    check.__name__ = cause
    return rule(cause, 112, TERMINATION)(check)


@rule("signal_other", 113, TERMINATION)
def signal_other(s: Subject) -> Optional[Verdict]:
    """Any other 128 + n where n is a Linux signal (1–31, real-time 34–64): the process died of
    that signal (or exited with that code itself)."""
    code = s.code
    if code is None or not 128 < code <= 192 or codes.signal_name(code - 128) is None:
        return None
    verdict = _signal_verdict(s, "signal_other")
    return Verdict(
        verdict.cause,
        verdict.confidence,
        verdict.summary,
        verdict.evidence,
        detail=codes.signal_name(code - 128),
    )


RULES = tuple(_named(code, cause) for code, cause in NAMED.items()) + (signal_other,)
