"""``-o json`` by orjson is byte for byte what ``json.dumps(indent=2, ensure_ascii=False)``
writes; where the two would differ (a float below 1e-4, NaN, an integer beyond 64 bits, a lone
surrogate, a key that is not a string), json writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubectl_exitwhy.render import structured

orjson = pytest.importorskip("orjson")


def _json(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _render(doc: object) -> str:
    odd: list = []
    cleaned = structured._cleaned(doc, odd)
    return structured._dumps(cleaned, exact=not odd)


leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30)
)
documents = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_any_document_is_written_as_json_dumps_writes_it(doc):
    odd: list = []
    cleaned = structured._cleaned(doc, odd)
    assert _render(doc) == _json(cleaned)


@pytest.mark.parametrize(
    "value",
    [1e-05, 2.5e-07, float("nan"), float("inf"), 2**64, -(2**63) - 1, "\udc80", {1: "x"}],
)
def test_where_orjson_would_differ_json_writes_it(value):
    doc = {"items": [{"value": value}], "n": 1}
    assert _render(doc) == _json(structured._cleaned(doc))


def test_orjson_writes_the_ordinary_document(monkeypatch):
    doc = {"kind": "DiagnosisList", "items": [{"pod": "é\u2028\x7f", "n": 137, "r": 0.5}], "e": {}}
    expected = _json(doc)
    monkeypatch.setattr(json, "dumps", lambda *a, **k: pytest.fail("json.dumps was used"))
    assert structured._dumps(doc, exact=True) == expected


def test_the_floats_both_write_alike():
    """Where _same_float lets orjson write a float, it writes what repr() writes (on every
    orjson the supported Pythons install: 3.9's writes 1e16 for 1e+16)."""
    for exponent in range(-4, 300, 7):
        for mantissa in (1.0, 1.5, 9.999999999, 123456789.123):
            value = mantissa * 10.0**exponent
            if structured._same_float(value):
                assert orjson.dumps(value).decode() == repr(value)
    assert structured._same_float(0.5) and structured._same_float(123456789.123)
    assert not structured._same_float(1e-5) and not structured._same_float(float("nan"))
    assert not structured._same_float(1e16) and not structured._same_float(1.2e300)


def _sweep_report(path):
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sources.files import FileSource

    source = FileSource(str(path))
    pods = list(source.sweep(None, None, True))
    return correlate(pods, [diagnose(p) for p in pods], source.census, include_info=True)


EXAMPLES = [
    p
    for p in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.json"))
    if p.name != "expected.json"  # the examples' expected causes, not a saved cluster
]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_streamed_document_is_the_whole_document(path):
    """-o json is written an entry at a time (items, workloads, nodes): byte for byte what the
    whole document, made at once, writes — a sweep's and a pod view's."""
    report = _sweep_report(path)
    assert report.diagnoses
    whole = structured.render_whole(report.diagnoses, report)
    assert "".join(structured.json_chunks(report.diagnoses, report)) == whole
    assert json.loads(whole)["items"]
    one = report.diagnoses[:1]
    assert "".join(structured.json_chunks(one)) == structured.render_whole(one)
    assert "".join(structured.json_chunks([])) == structured.render_whole([])


def test_an_entry_with_a_float_orjson_writes_otherwise_is_written_by_json(monkeypatch):
    """Each entry picks its writer by its own floats: a 1e-05 in one item is written as json
    writes it, the others by orjson, and the whole is json.dumps of the whole."""

    class Odd:
        def __init__(self, diagnosis):
            self.diagnosis = diagnosis

        def to_dict(self):
            return {**self.diagnosis.to_dict(), "x": 1e-05}

    report = _sweep_report(EXAMPLES[0])
    entries = [Odd(report.diagnoses[0]), *report.diagnoses[1:]]
    text = "".join(structured.json_chunks(entries, report))  # type: ignore[arg-type]
    assert '"x": 1e-05' in text and text.count('"x"') == 1
    assert text == structured.render_whole(entries, report)  # type: ignore[arg-type]
