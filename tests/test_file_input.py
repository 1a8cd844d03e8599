"""``-f FILE``: every shape kubectl (or a shell, or PowerShell) saves is read whole, in any
encoding it is saved in; what cannot be read is refused in one sentence; no value crashes."""

from __future__ import annotations

import codecs
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import as_list, event, node, pod, status, terminated


def _failed(name: str, ns: str = "prod") -> dict:
    return pod(name, ns, phase="Failed", statuses=[status(state={"terminated": terminated(1)})])


def _pods(run) -> list[str]:
    assert run.status == 0, run.err
    assert "Traceback" not in run.err
    return sorted(i["pod"] for i in run.json()["items"])


def _write(tmp_path, data, name: str = "input") -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def _one_sentence(run) -> str:
    assert run.status == 3, run.err
    assert run.out == "" and "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    return lines[0]


# --- server-side printing: kind Table ----------------------------------------------------


def _table(*objects) -> dict:
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "columnDefinitions": [{"name": "Name", "type": "string"}],
        "rows": [{"cells": [o["metadata"]["name"]], "object": o} for o in objects],
    }


def _metadata_only(name: str) -> dict:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"name": name, "namespace": "prod"},
    }


@pytest.mark.parametrize(
    "doc",
    [
        # the pods only as metadata, beside the events: the pods would be lost
        [_table(_metadata_only("a")), as_list(event("Killing", "x", pod_name="a"))],
        # some rows whole, some not: half the pods would be lost
        _table(_failed("a"), _metadata_only("b")),
    ],
    ids=["metadata rows beside events", "whole and metadata rows"],
)
def test_a_table_row_without_its_object_is_refused_with_how_to_save(exitwhy, tmp_path, doc):
    line = _one_sentence(exitwhy("-f", _write(tmp_path, json.dumps(doc)), "-A"))
    assert "table" in line and "kubectl get pods" in line and "-o json" in line


def test_a_table_of_whole_objects_in_yaml_is_read(exitwhy, tmp_path):
    text = yaml.safe_dump(_table(_failed("a"), _failed("b")))
    assert _pods(exitwhy("-f", _write(tmp_path, text), "-A", "--all", "-o", "json")) == ["a", "b"]


# --- what is and is not a list ---------------------------------------------------------------


def test_an_object_with_an_items_field_is_not_a_list(exitwhy, tmp_path):
    odd = {**_failed("a"), "items": [_failed("b")]}  # a Pod is a Pod, whatever else it carries
    run = exitwhy("-f", _write(tmp_path, json.dumps(as_list(odd))), "-A", "--all", "-o", "json")
    assert _pods(run) == ["a"]


def test_entries_that_are_not_objects_are_counted_in_one_warning(exitwhy, tmp_path):
    doc = as_list(_failed("a"), {"kind": 5}, {"kind": None, "metadata": {}}, {"kind": ""}, 7)
    doc["items"].append({"kind": "List", "items": {"a": _failed("b")}})  # items not a list
    run = exitwhy("-f", _write(tmp_path, json.dumps(doc)), "-A", "--all", "-o", "json")
    assert _pods(run) == ["a"]
    counted = [line for line in run.err.splitlines() if "not Kubernetes objects" in line]
    assert counted == [
        f"warning: {tmp_path / 'input'}: 5 entries are not Kubernetes objects and were skipped"
    ]


# --- encodings and streams --------------------------------------------------------------------


def _two() -> str:
    return json.dumps(as_list(_failed("a"), _failed("b")), indent=4)


ENCODED = {
    "utf-16 with BOM (PowerShell >)": lambda: _two().encode("utf-16"),
    "utf-16 big-endian with BOM": lambda: codecs.BOM_UTF16_BE + _two().encode("utf-16-be"),
    "utf-16 without BOM": lambda: _two().encode("utf-16-le"),
    "utf-32 with BOM": lambda: _two().encode("utf-32"),
    "yaml in utf-16": lambda: yaml.safe_dump(as_list(_failed("a"), _failed("b"))).encode("utf-16"),
    "two json saves, each with a UTF-8 BOM": lambda: (
        codecs.BOM_UTF8
        + json.dumps(as_list(_failed("a"))).encode()
        + b"\r\n"
        + codecs.BOM_UTF8
        + json.dumps(as_list(_failed("b"))).encode()
    ),
}


@pytest.mark.parametrize("case", list(ENCODED), ids=list(ENCODED))
def test_every_encoding_kubectl_output_is_saved_in_is_read(exitwhy, tmp_path, case):
    run = exitwhy("-f", _write(tmp_path, ENCODED[case]()), "-A", "--all", "-o", "json")
    assert _pods(run) == ["a", "b"]


def test_broken_utf16_is_named_as_utf16(exitwhy, tmp_path):
    data = _two().encode("utf-16") + b"\x00\xd8"  # ends in half a surrogate pair
    assert "UTF-16" in _one_sentence(exitwhy("-f", _write(tmp_path, data)))


# --- values Python cannot hold -----------------------------------------------------------------

SURROGATE = '{"kind":"Pod","metadata":{"name":"a\\ud800b","namespace":"p\\udfff"},"status":{"phase":"Failed","message":"m\\ud800"}}'


@pytest.mark.parametrize("output", ["table", "wide", "json", "yaml"])
def test_a_lone_surrogate_is_replaced_not_dropped(exitwhy, tmp_path, output):
    run = exitwhy("-f", _write(tmp_path, SURROGATE), "-A", "--all", "-o", output)
    assert run.status == 0 and "Traceback" not in run.err, run.err
    if output in ("table", "wide"):
        assert "a\ufffdb" in run.out
        return
    (item,) = (run.json() if output == "json" else yaml.safe_load(run.out))["items"]
    assert (item["namespace"], item["pod"]) == ("p\ufffd", "a\ufffdb")


def test_a_lone_surrogate_in_a_container_name_in_the_pod_view(exitwhy, tmp_path):
    doc = _failed("a")
    doc["status"]["containerStatuses"][0]["name"] = "c\ud800"
    path = _write(tmp_path, json.dumps(as_list(doc)))  # ensure_ascii: written as \ud800
    run = exitwhy("pod", "a", "-n", "prod", "-f", path)
    assert run.status == 0 and "Traceback" not in run.err, run.err
    assert "c\ufffd" in run.out


def test_a_lone_surrogate_escaped_in_yaml_is_replaced(exitwhy, tmp_path):
    text = 'kind: Pod\nmetadata: {name: "a\\ud800", namespace: p}\nstatus: {phase: Failed}\n'
    assert _pods(exitwhy("-f", _write(tmp_path, text), "-A", "--all", "-o", "json")) == ["a\ufffd"]


@pytest.mark.parametrize(
    "text",
    [
        "kind: Pod\nmetadata: {name: a}\nspec: {terminationGracePeriodSeconds: "
        + "9" * 5000
        + "}\n",
        "kind: Pod\nmetadata: {name: a}\nstatus: {containerStatuses: [{name: c, restartCount: -"
        + "9" * 5000
        + "}]}\n",
        # unquoted timestamps Python's datetime cannot hold
        "kind: Pod\nmetadata: {name: a, creationTimestamp: 0000-01-01T00:00:00Z}\n"
        "status: {phase: Failed, startTime: 2026-13-45}\n",
    ],
    ids=["huge integer", "huge negative integer", "year 0"],
)
def test_yaml_values_python_cannot_hold_are_read(exitwhy, tmp_path, text):
    assert _pods(exitwhy("-f", _write(tmp_path, text), "-A", "--all", "-o", "json")) == ["a"]


# --- YAML aliases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kind: Pod\nmetadata: &m {name: a, again: *m}\n",
        "kind: Pod\nmetadata: {name: a}\nspec: &s\n  containers:\n  - *s\n",
    ],
    ids=["mapping", "sequence"],
)
def test_an_alias_inside_what_it_names_is_refused(exitwhy, tmp_path, text):
    assert "alias" in _one_sentence(exitwhy("-f", _write(tmp_path, text)))


def test_a_billion_laughs_deep_in_a_pod_is_refused(exitwhy, tmp_path):
    lines = ["kind: List", "items:", "- kind: Pod", "  metadata: {name: a}", "  x0: &x0 [lol, lol]"]
    lines += [f"  x{i}: &x{i} [*x{i - 1}, *x{i - 1}]" for i in range(1, 60)]  # 2**60 nodes
    assert "aliases" in _one_sentence(exitwhy("-f", _write(tmp_path, "\n".join(lines) + "\n")))


RICH = """\
kind: List
items:
- &pod
  kind: Pod
  metadata: &meta {name: a, namespace: prod, labels: {app: a, "on": yes}}
  spec:
    containers: &cs
    - {name: app, image: i, resources: {limits: {memory: 1e3, cpu: .5}}}
    terminationGracePeriodSeconds: 0x1e
  status: {phase: Failed, startTime: 2026-11-20T08:00:01Z, message: !!binary aGk=, x: ~}
- kind: Pod
  metadata:
    <<: *meta
    name: b
  spec: {containers: *cs, tags: !!set {a, b}, ordered: !!omap [{x: 1}, {y: 2}]}
  status: {phase: Succeeded, n: -.inf, m: .nan, big: 12345678901234567890}
- *pod
"""


def test_aliases_merge_keys_and_tags_read_as_pyyaml_reads_them():
    import math

    from kubectl_exitwhy.sources.yamldocs import yaml_documents

    ours = yaml_documents(RICH, "rich.yaml")
    theirs = list(yaml.load_all(RICH, Loader=yaml.SafeLoader))
    nan = ours[0]["items"][1]["status"].pop("m"), theirs[0]["items"][1]["status"].pop("m")
    assert all(math.isnan(x) for x in nan)
    assert ours == theirs
    items = ours[0]["items"]
    assert items[2] is items[0]  # an alias is the same object, as with PyYAML: nothing expands
    assert items[1]["spec"]["containers"] is items[0]["spec"]["containers"]


# --- files with no pod at all ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_nodes_without_pods_say_so(exitwhy, tmp_path, kind):
    doc = as_list(node("n1"), node("n2"))
    text = json.dumps(doc) if kind == "json" else yaml.safe_dump(doc)
    run = exitwhy("-f", _write(tmp_path, text), "-A")
    assert run.status == 0 and "holds no pods (0 events, 2 nodes" in run.err


_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=10),
        st.dates(),
        st.binary(max_size=6),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(value=_values, flow=st.sampled_from([False, True, None]), share=st.booleans())
def test_any_document_reads_as_pyyaml_reads_it(value, flow, share):
    """The event builder against PyYAML's SafeLoader, on what PyYAML writes: a value used twice
    is written once, with an anchor, and its alias."""
    from kubectl_exitwhy.sources.yamldocs import yaml_documents

    doc = {"a": value, "b": value} if share else value
    text = yaml.safe_dump_all([doc, [doc]], default_flow_style=flow)
    assert yaml_documents(text, "x") == [
        d for d in yaml.load_all(text, Loader=yaml.SafeLoader) if d is not None
    ]


def test_pods_without_a_proper_name_are_never_taken_for_copies(exitwhy, tmp_path):
    docs = [_failed("a") for _ in range(4)]
    for doc, name in zip(docs, [5, "5", None, ""]):
        doc["metadata"]["name"] = name
    run = exitwhy("-f", _write(tmp_path, json.dumps(as_list(*docs))), "-A", "--all", "-o", "json")
    assert len(run.json()["items"]) == 4, run.err


def test_json_text_is_held_as_ascii_whatever_it_carries():
    """Python holds a string at the width of its widest character: one emoji would make a
    200 MB save 800 MB. JSON is kept as ASCII, its other characters escaped, and reads the same."""
    from kubectl_exitwhy.sources.documents import decode, parse_documents

    doc = as_list(_failed("caf\u00e9-\u2026-\U0001f600"), {"kind": "Event", "message": "\u2028"})
    data = codecs.BOM_UTF8 + json.dumps(doc, ensure_ascii=False).encode()
    text = decode(data, "x")
    assert text.isascii()
    assert parse_documents(text, "x") == [doc]
