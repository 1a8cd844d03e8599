"""Text from the cluster, a file, the kubeconfig or the command line is untrusted: what reaches
the terminal carries no escape sequence, no control and no invisible character, and an escape
sequence that never ends does not hide the text after it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import crashloop, pod, status, terminated
from kubectl_exitwhy import sanitize
from kubectl_exitwhy.sanitize import clean, clean_line

INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u180e\u202a\u202e\u2066\u2069"


@pytest.mark.parametrize(
    "text,kept",
    [
        ("before \x1b]0;title that never ends, and the part that matters", "the part that matters"),
        ("x \x1bPq#0;2;0;0;0 an unterminated DCS, then words", "then words"),
        ("x \x1b_an unterminated APC, then words", "then words"),
        ("link \x1b]8;;http://evil\x07text\x1b]8;;\x07 after", "text after"),
    ],
)
def test_an_escape_sequence_never_hides_what_follows_it(text, kept):
    out = clean(text)
    assert kept in out and "\x1b" not in out and "\x07" not in out


def test_invisible_and_format_characters_are_removed():
    assert clean_line(f"pay{INVISIBLE}ments\u2028next\u2029para") == "payments next para"


def test_no_output_format_carries_them(exitwhy, saved):
    name = "web-1"
    message = "panic: \x1b]0;never ends and then the real message" + INVISIBLE
    p = pod(
        name, statuses=[status(state=crashloop(), last=terminated(2, message=message), restarts=3)]
    )
    path = saved(p)
    for args in ([], ["-o", "wide"], ["-o", "json"], ["-o", "yaml"], ["pod", name]):
        run = exitwhy("-f", path, *args, env={"COLUMNS": "250"})
        assert run.status == 0, run.err
        for ch in "\x1b\x07" + INVISIBLE + "\u2028\u2029":
            assert ch not in run.out, (args, hex(ord(ch)))
        if args in (["pod", name], ["-o", "json"]):
            assert "the real message" in run.out, args


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=12))
def test_text_with_nothing_to_strip_is_returned_as_it_came_and_only_it(text):
    """The shortcut for plain ASCII text (most of what a cluster says) is exact: the full
    expressions would leave such text as it is, and leave nothing else unchanged."""
    full = sanitize._CONTROLS.sub("", sanitize._SEQUENCES.sub("", text))
    full = full.replace("\u2028", "\n").replace("\u2029", "\n")
    assert clean(text) == full
    assert clean("id " + text) == "id " + full
