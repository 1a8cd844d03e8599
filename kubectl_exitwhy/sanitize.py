"""Text from the cluster is untrusted: strip terminal control sequences before printing it."""

from __future__ import annotations

import re

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), other ESC sequences, then C0/C1 controls
# except tab and newline.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0/C1 controls (but tab and newline), and the Unicode bidi overrides and isolates that can
# make a terminal show text in another order than it is ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without escape sequences or control characters (tab and newline kept)."""
    if not text:
        return text
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def clean_line(text: str) -> str:
    """One printable line: newlines and tabs become spaces."""
    return " ".join(clean(text).split())
