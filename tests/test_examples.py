"""Every bundled example gets its expected diagnosis (examples/expected.json), through ``-f``
exactly as a user would run it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((ROOT / "examples" / "expected.json").read_text())
FILES = sorted(name for name in EXPECTED if not name.startswith("_"))


def test_every_example_file_has_expectations():
    on_disk = {p.name for p in (ROOT / "examples").glob("*.json")} - {"expected.json"}
    assert on_disk == set(FILES)
    assert len(FILES) >= 30


@pytest.mark.parametrize("name", FILES)
def test_example(exitwhy, name):
    run = exitwhy("-f", str(ROOT / "examples" / name), "-A", "--all", "-o", "json")
    assert run.status == 0, run.err
    got = {
        f"{i['namespace']}/{i['pod']}": [
            {
                "container": f["container"],
                "cause": f["cause"],
                "severity": f["severity"],
                "confidence": f["confidence"],
            }
            for f in i["findings"]
        ]
        for i in run.json()["items"]
    }
    for pod, findings in EXPECTED[name].items():
        want = [
            {
                k: {**f, **f.get("withoutLogs", {})}[k]
                for k in ("container", "cause", "severity", "confidence")
                if k in f
            }
            for f in findings
        ]  # -f has no logs: what the record alone says
        have = [{k: g[k] for k in w} for g, w in zip(got.get(pod, []), want)]
        assert (have, len(got.get(pod, []))) == (want, len(want)), pod


LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?)?$")


@pytest.mark.parametrize("name", FILES)
def test_example_labels_are_ones_an_api_server_accepts(name):
    """Label values as apimachinery's IsValidLabelValue allows: at most 63 characters,
    alphanumerics at both ends, '-', '_' and '.' between."""
    doc = json.loads((ROOT / "examples" / name).read_text())
    for obj in doc.get("items", [doc]):
        for key, value in ((obj.get("metadata") or {}).get("labels") or {}).items():
            assert isinstance(value, str) and LABEL_VALUE.match(value), (name, key, value)


SERVED_OWNERS = {"ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Deployment", "CronJob"}


def _selects(selector, labels):
    """A LabelSelector (matchLabels and matchExpressions) against a label map."""
    labels = labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (
            op == "NotIn" and labels.get(key) in values
        ):
            return False
        if (op == "Exists") != (key in labels) and op in ("Exists", "DoesNotExist"):
            return False
    return True


@pytest.mark.parametrize("name", FILES)
def test_example_owners_are_in_the_file_as_their_controllers_made_them(name):
    """Every owner a pod (or a ReplicaSet, or a Job) names, of a kind the API serves, is in the
    same file with the uid the reference gives, and its selector and template labels select the
    pods it owns: what ``kubectl get pods,replicasets,deployments,...`` would have saved."""
    doc = json.loads((ROOT / "examples" / name).read_text())
    objects = {
        (o["kind"], (o.get("metadata") or {}).get("namespace"), o["metadata"]["name"]): o
        for o in doc.get("items", [doc])
    }
    for (kind, ns, _), obj in objects.items():
        if kind not in ("Pod", "ReplicaSet", "Job"):
            continue
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref["kind"] not in SERVED_OWNERS:
                continue  # a custom resource (a Tekton TaskRun ...): not served
            owner = objects.get((ref["kind"], ns, ref["name"]))
            assert owner is not None, (name, kind, obj["metadata"]["name"], ref)
            assert owner["metadata"]["uid"] == ref["uid"], (name, ref)
            assert owner["apiVersion"] == ref["apiVersion"]
            if kind == "Pod" and ref["kind"] != "Job":
                spec = owner["spec"]
                labels = obj["metadata"]["labels"]
                assert _selects(spec["selector"], labels), (name, ref)
                assert _selects(spec["selector"], spec["template"]["metadata"]["labels"])
            if ref["kind"] == "ReplicaSet":
                hash_ = obj["metadata"]["labels"]["pod-template-hash"]
                assert ref["name"].endswith("-" + hash_)
