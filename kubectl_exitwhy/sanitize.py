"""Text from the cluster is untrusted: strip terminal control sequences before printing it."""

from __future__ import annotations

import re

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (… ST), other ESC
# sequences, then C0/C1 controls except tab and newline. A string sequence is removed whole only
# with its terminator: an unterminated one loses just its introducer, so that it never hides the
# text after it (a terminal would swallow it; the reader must see it).
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0/C1 controls (but tab and newline), the Unicode bidi overrides and isolates that can make a
# terminal show text in another order than it is ("Trojan Source"), the invisible format
# characters that make look-alike names (zero-width space and joiners, directional marks, word
# joiner, BOM, Arabic letter mark, Mongolian vowel separator), and lone surrogates (JSON can
# carry "\ud800"; no output encoding can).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060-\u2064"
    "\ufeff\u061c\u180e\ud800-\udfff]"
)


def clean(text: str) -> str:
    """``text`` without escape sequences or control characters (tab and newline kept)."""
    if not text or (text.isascii() and text.isprintable()):  # nothing to strip: most text
        return text
    text = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    # the line and paragraph separators end a line, as a newline does
    return text.replace("\u2028", "\n").replace("\u2029", "\n")


def clean_line(text: str) -> str:
    """One printable line: newlines and tabs become spaces."""
    return " ".join(clean(text).split())
