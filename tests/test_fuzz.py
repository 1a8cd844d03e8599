"""Generated input, many thousands of documents: no traceback in any stage or output format, and
no pod unaccounted for. A fixed seed (derandomize) keeps CI repeatable; EXITWHY_FUZZ_EXAMPLES
sets how many (10,000 by default; more on demand). Marked ``fuzz``: `make test` runs it, the
fast lanes do not."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_bad_input import SHAPED, _shaped, events, pods, scalars

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("EXITWHY_FUZZ_EXAMPLES", "10000"))
NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)
SEEN = {"documents": 0, "pods": 0}


def _named(pod_docs: list) -> list:
    out = []
    for n, doc in enumerate(pod_docs):
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        out.append({**doc, "metadata": {**meta, "name": f"p{n}", "namespace": "prod"}})
    return out


def _renders(report, diagnoses, width: int) -> list[str]:
    from dataclasses import replace

    from kubectl_exitwhy.render import detail, incident, table
    from kubectl_exitwhy.render.structured import render_json, render_yaml
    from kubectl_exitwhy.render.style import Style
    from kubectl_exitwhy.render.watch import lines

    style = Style(now=NOW, width=width, all_namespaces=True)
    return [
        incident.render(report, style, show_info=True),
        incident.render(report, replace(style, height=12), show_info=False),  # folded
        table.render(diagnoses, style),
        table.render(diagnoses, style, wide=True),
        detail.render(diagnoses, style, report.nodes),
        render_yaml(diagnoses, style, report),
        "\n".join(x for d in diagnoses for x in lines(d, style, True)),
        render_json(diagnoses, style, report),
    ]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
@given(
    pod_docs=st.lists(pods, min_size=1, max_size=4),
    event_docs=events,
    shape=st.sampled_from(SHAPED),
    junk=st.lists(st.one_of(scalars, st.just({"kind": 5})), max_size=2),
    width=st.sampled_from([40, 80, 200]),
)
def test_generated_documents_lose_no_pod_and_crash_nothing(
    pod_docs, event_docs, shape, junk, width, tmp_path_factory
):
    from kubectl_exitwhy.correlate import correlate
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sources.files import FileSource

    docs = _named(pod_docs)
    if shape not in ("table", "kindless PodList"):  # events ride along where a List can hold them
        docs = docs + event_docs
    path = tmp_path_factory.mktemp("fuzz") / "input"
    path.write_bytes(_shaped(shape, docs, junk))
    source = FileSource(str(path))
    pods_in = list(source.sweep(None, None, True))
    diagnoses = [diagnose(p) for p in pods_in]
    report = correlate(pods_in, diagnoses, source.census, include_info=True)
    out = _renders(report, report.diagnoses, width)
    assert all(isinstance(text, str) for text in out)
    items = json.loads(out[-1])["items"]
    expected = sorted(("prod", f"p{n}") for n in range(len(pod_docs)))
    assert sorted((i["namespace"], i["pod"]) for i in items) == expected
    SEEN["documents"] += 1
    SEEN["pods"] += len(pod_docs)


def test_the_run_was_as_large_as_it_says():
    """Runs after the fuzz test (file order): the count is the figure CI reports."""
    if SEEN["documents"] == 0:
        pytest.skip("the fuzz test did not run in this session")
    print(f"\nfuzz: {SEEN['documents']} documents, {SEEN['pods']} pods, 0 lost")
    assert SEEN["documents"] >= EXAMPLES * 0.9  # hypothesis may stop a little short
