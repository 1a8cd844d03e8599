"""``-o json`` by orjson is byte for byte what ``json.dumps(indent=2, ensure_ascii=False)``
writes; where the two would differ (a float below 1e-4, NaN, an integer beyond 64 bits, a lone
surrogate, a key that is not a string), json writes it."""

from __future__ import annotations

import json

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
