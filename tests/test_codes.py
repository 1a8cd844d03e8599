"""The exit-code knowledge table: normalisation, signals, and an entry for every code 0..255."""

from __future__ import annotations

import signal
import sys

import pytest

from kubectl_exitwhy import codes
from kubectl_exitwhy.codes import RANGES, SIGNALS, explain, normalise, parse_code_argument

ALL_CODES = range(256)
SEED_CODES = (0, 1, 2, 125, 126, 127, 128, 134, 137, 139, 143, 255)
GENERIC_PHRASES = ("defined by the application", "Real-time signals have no predefined meaning")

# --- normalise -----------------------------------------------------------------------------

NORMALISE_CASES = [
    # raw, expected code, whether a note is expected
    (0, 0, False),
    (137, 137, False),
    (255, 255, False),
    (-1, 255, True),
    (-2, 254, True),
    (300, 44, True),
    (256, 0, True),
    (-256, 0, True),
    (512 + 137, 137, True),
    (3.5, 128, True),
    (-3.5, 128, True),
    ("3.5", 128, True),
    (137.0, 137, False),
    (-1.0, 255, True),
    ("137", 137, False),
    (" 137\n", 137, False),
    ("+137", 137, False),
    ("-1", 255, True),
    ("300", 44, True),
    ("137.0", 137, False),
    ("banana", None, True),
    ("", None, True),
    ("0x89", None, True),  # hexadecimal only in parse_code_argument
    (True, None, True),
    (False, None, True),
    (None, None, True),
    (float("nan"), None, True),
    (float("inf"), None, True),
    ("1e999", None, True),
    ([137], None, True),
    ({"exitCode": 137}, None, True),
]


@pytest.mark.parametrize(("raw", "code", "has_note"), NORMALISE_CASES, ids=repr)
def test_normalise_code(raw: object, code: int | None, has_note: bool) -> None:
    assert normalise(raw).code == code


@pytest.mark.parametrize(("raw", "code", "has_note"), NORMALISE_CASES, ids=repr)
def test_normalise_note_present_when_changed_or_odd(
    raw: object, code: int | None, has_note: bool
) -> None:
    note = normalise(raw).note
    assert (note is not None) == has_note
    if note is not None:
        assert note.strip() and note.endswith(".")


@pytest.mark.parametrize("raw", [-1, 300, "banana", None, 3.5, True], ids=repr)
def test_normalise_keeps_raw(raw: object) -> None:
    assert normalise(raw).raw is raw


def test_normalise_integral_float_has_no_note() -> None:
    result = normalise(137.0)
    assert (result.code, result.note) == (137, None)


@pytest.mark.parametrize("raw", [-1, "-1", -1.0])
def test_minus_one_note_names_both_meanings(raw: object) -> None:
    note = normalise(raw).note or ""
    assert "255" in note
    assert "CRI-O" in note
    assert "exit(-1)" in note


@pytest.mark.parametrize(("raw", "shown"), [(300, "44"), (-2, "254"), (-256, "0")])
def test_out_of_range_note_names_the_result(raw: int, shown: str) -> None:
    note = normalise(raw).note or ""
    assert str(raw) in note
    assert f"reported as {shown}" in note


def test_wrap_to_zero_warns_it_reads_as_success() -> None:
    assert "success" in (normalise(256).note or "")


def test_non_integer_note_explains_128() -> None:
    note = normalise(3.5).note or ""
    assert "3.5" in note and "128" in note


@pytest.mark.parametrize("value", [*range(-600, 600, 7), -(2**40) - 3, 2**40 + 5])
def test_normalise_matches_low_eight_bits(value: int) -> None:
    assert normalise(value).code == value & 0xFF


def test_normalise_result_is_frozen() -> None:
    result = normalise(1)
    with pytest.raises(AttributeError):
        result.code = 2  # type: ignore[misc]


# --- parse_code_argument -------------------------------------------------------------------

PARSE_CASES = [
    ("137", 137),
    ("  137 ", 137),
    ("0", 0),
    ("-1", 255),
    ("300", 44),
    ("-256", 0),
    ("3.5", 128),
    ("137.0", 137),
    ("0x89", 137),
    ("0XFF", 255),
    ("0x100", 0),
    ("SIGKILL", 137),
    ("sigkill", 137),
    ("KILL", 137),
    ("term", 143),
    ("SIGIOT", 134),
    ("SIGPOLL", 157),
    ("SIGRTMIN", 162),
    ("SIGRTMIN+3", 165),
    ("SIGRTMAX-1", 191),
    ("SIGRTMAX", 192),
    ("EX_USAGE", 64),
    ("ex_config", 78),
    ("EX_OK", 0),
    ("banana", None),
    ("", None),
    ("SIGFOO", None),
    ("0xZZ", None),
    ("1,5", None),
    ("137abc", None),
]


@pytest.mark.parametrize(("text", "code"), PARSE_CASES)
def test_parse_code_argument(text: str, code: int | None) -> None:
    result = parse_code_argument(text)
    assert result.code == code
    assert result.raw == text


@pytest.mark.parametrize("text", ["0x89", "SIGKILL", "EX_USAGE", "-1", "300", "banana"])
def test_parse_code_argument_explains_conversions(text: str) -> None:
    assert parse_code_argument(text).note


@pytest.mark.parametrize("text", ["137", "0", "255"])
def test_parse_code_argument_plain_numbers_have_no_note(text: str) -> None:
    assert parse_code_argument(text).note is None


def test_parse_code_argument_minus_one_mentions_crio() -> None:
    assert "CRI-O" in (parse_code_argument("-1").note or "")


# --- signals -------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="signal numbers differ outside Linux")
@pytest.mark.parametrize("n", range(1, 32))
def test_classic_signal_numbers_match_python(n: int) -> None:
    # Every name Python has for n, aliases included (SIGIOT, SIGCLD, SIGPOLL).
    names = {name for name, member in signal.Signals.__members__.items() if member == n}
    if not names:
        pytest.skip(f"Python does not define signal {n} here")
    assert SIGNALS[n] in names


@pytest.mark.parametrize(
    ("n", "name"),
    [(6, "SIGABRT"), (9, "SIGKILL"), (15, "SIGTERM"), (16, "SIGSTKFLT"), (31, "SIGSYS")],
)
def test_signal_name(n: int, name: str) -> None:
    assert codes.signal_name(n) == name


@pytest.mark.parametrize(
    ("n", "name"),
    [(34, "SIGRTMIN"), (35, "SIGRTMIN+1"), (49, "SIGRTMIN+15"), (50, "SIGRTMAX-14"),
     (63, "SIGRTMAX-1"), (64, "SIGRTMAX")],
)  # fmt: skip
def test_realtime_signals_named_as_kill_l(n: int, name: str) -> None:
    assert SIGNALS[n] == name


@pytest.mark.parametrize("n", [0, 32, 33, 65, -9, True])
def test_no_signal_name(n: int) -> None:
    assert codes.signal_name(n) is None


def test_signal_table_shape() -> None:
    assert sorted(SIGNALS) == [*range(1, 32), *range(34, 65)]
    assert len(set(SIGNALS.values())) == len(SIGNALS)


def test_sigiot_alias_noted_in_meaning_only() -> None:
    assert "SIGIOT" not in SIGNALS.values()
    assert "SIGIOT" in explain(134).meaning


# --- explain: every code -------------------------------------------------------------------


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_has_an_entry(code: int) -> None:
    info = explain(code)
    assert info.code == code
    assert info.title.strip()
    assert info.meaning.strip()
    assert info.next_steps and all(step.strip() for step in info.next_steps)
    assert all(cause.strip() for cause in info.kubernetes)
    assert info.range in RANGES


@pytest.mark.parametrize("code", ALL_CODES)
def test_next_steps_not_repeated(code: int) -> None:
    steps = explain(code).next_steps
    assert len(set(steps)) == len(steps)


@pytest.mark.parametrize("code", ALL_CODES)
def test_signal_fields_agree(code: int) -> None:
    info = explain(code)
    n = code - 128
    if 129 <= code <= 192 and code not in (160, 161):
        assert (info.signal, info.signal_name) == (n, SIGNALS[n])
        assert info.range == "signal"
        assert info.signal_name in info.meaning
    else:
        assert (info.signal, info.signal_name) == (None, None)
        assert info.range != "signal"


@pytest.mark.parametrize("code", range(129, 256))
def test_high_codes_say_a_program_may_return_them(code: int) -> None:
    phrases = ("on its own", "own exit status", "exited with 137 itself", "program's exit(-1)")
    assert any(phrase in explain(code).meaning for phrase in phrases)


EXPECTED_RANGES = [
    (0, "success"),
    (1, "program"),
    (3, "program"),
    (64, "program"),
    (124, "program"),
    (125, "runtime"),
    (126, "runtime"),
    (127, "runtime"),
    (128, "runtime"),
    (129, "signal"),
    (137, "signal"),
    (159, "signal"),
    (160, "program"),
    (161, "program"),
    (162, "signal"),
    (192, "signal"),
    (193, "program"),
    (254, "program"),
    (255, "out-of-range"),
]


@pytest.mark.parametrize(("code", "expected"), EXPECTED_RANGES)
def test_range(code: int, expected: str) -> None:
    assert explain(code).range == expected


EXPECTED_TITLES = [
    (0, "Success"),
    (1, "General error"),
    (126, "Command not executable"),
    (127, "Command not found"),
    (130, "SIGINT"),
    (134, "SIGABRT"),
    (137, "SIGKILL"),
    (139, "SIGSEGV"),
    (143, "SIGTERM"),
    (159, "SIGSYS"),
    (162, "SIGRTMIN"),
    (64, "EX_USAGE"),
    (69, "EX_UNAVAILABLE"),
    (78, "EX_CONFIG"),
]


@pytest.mark.parametrize(("code", "title"), EXPECTED_TITLES)
def test_title(code: int, title: str) -> None:
    assert explain(code).title == title


SYSEXITS = ["EX_USAGE", "EX_DATAERR", "EX_NOINPUT", "EX_NOUSER", "EX_NOHOST", "EX_UNAVAILABLE",
            "EX_SOFTWARE", "EX_OSERR", "EX_OSFILE", "EX_CANTCREAT", "EX_IOERR", "EX_TEMPFAIL",
            "EX_PROTOCOL", "EX_NOPERM", "EX_CONFIG"]  # fmt: skip


@pytest.mark.parametrize(("code", "name"), list(zip(range(64, 79), SYSEXITS)))
def test_sysexits(code: int, name: str) -> None:
    info = explain(code)
    assert info.title == name
    assert "sysexits.h" in info.meaning


@pytest.mark.parametrize("code", [256, -1, 1000, -256])
def test_explain_rejects_out_of_range(code: int) -> None:
    with pytest.raises(ValueError):
        explain(code)


@pytest.mark.parametrize("code", [True, 137.0, "137", None])
def test_explain_rejects_non_integers(code: object) -> None:
    with pytest.raises(ValueError):
        explain(code)  # type: ignore[arg-type]


# --- explain: the specific facts -----------------------------------------------------------


def test_137_is_sigkill_and_not_proof_of_oom() -> None:
    info = explain(137)
    assert (info.signal, info.signal_name) == (9, "SIGKILL")
    assert "SIGKILL" in info.meaning
    assert "only the reason OOMKilled proves" in info.meaning


SENDERS_137 = [
    "OOMKilled",
    "node (system) OOM",
    "liveness",
    "startup",
    "terminationGracePeriodSeconds",
    "eviction",
    "--force",
    "runtime restart",
    "ContainerStatusUnknown",
]


@pytest.mark.parametrize("sender", SENDERS_137)
def test_137_lists_possible_senders(sender: str) -> None:
    assert any(sender in cause for cause in explain(137).kubernetes)


SPECIFIC_FACTS = [
    (0, "restartPolicy Always"),
    (1, "uncaught"),
    (2, "panic"),
    (2, "argparse"),
    (125, "docker run"),
    (125, "StartError"),
    (126, "permission denied"),
    (127, "not on PATH"),
    (128, "StartError"),
    (128, "invalid exit argument"),
    (134, "abort()"),
    (134, "JavaScript heap out of memory"),
    (134, "not a cgroup OOM"),
    (134, "double free"),
    (139, "SIGSEGV"),
    (143, "SIGTERM"),
    (143, "default action"),
    (255, "exit(-1)"),
    (255, "Unknown"),
    (255, "exec format error"),
    (3, "ExitOnOutOfMemoryError"),
    (124, "timeout"),
    (159, "seccomp"),
    (152, "CPU limits throttle"),
    (135, "/dev/shm"),
    (160, "reserved by glibc"),
    (161, "reserved by glibc"),
    (200, "not a signal code"),
    (145, "program's own exit status"),
    (147, "program's own exit status"),
]


@pytest.mark.parametrize(("code", "fact"), SPECIFIC_FACTS)
def test_meaning_states_fact(code: int, fact: str) -> None:
    assert fact in explain(code).meaning


@pytest.mark.parametrize("code", [1, 137, 255, 126, 127])
def test_next_steps_use_placeholders(code: int) -> None:
    steps = " ".join(explain(code).next_steps)
    assert "kubectl" in steps
    assert "<pod>" in steps and "<ns>" in steps


def test_meanings_are_distinct() -> None:
    meanings = [explain(code).meaning for code in ALL_CODES]
    duplicates = {m for m in meanings if meanings.count(m) > 1}
    assert not duplicates


@pytest.mark.parametrize("code", SEED_CODES)
def test_seed_codes_are_specific(code: int) -> None:
    info = explain(code)
    assert not any(phrase in info.meaning for phrase in GENERIC_PHRASES)
    assert info.kubernetes


@pytest.mark.parametrize("code", ALL_CODES)
def test_meaning_is_at_most_four_sentences(code: int) -> None:
    meaning = explain(code).meaning
    assert meaning.endswith(".")
    assert meaning.count(". ") <= 3
