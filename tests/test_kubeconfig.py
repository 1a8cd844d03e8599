"""A kubeconfig of any shape gets one sentence and exit 4, never a traceback."""

from __future__ import annotations

import pytest

SHAPES = {
    "a YAML list": "- a\n- b\n",
    "a string": "just a string\n",
    "a number": "42\n",
    "contexts not a list": "apiVersion: v1\nkind: Config\ncontexts: 5\ncurrent-context: x\n",
    "clusters a mapping": "apiVersion: v1\nkind: Config\nclusters: {a: 1}\ncontexts: []\n",
    "context entry a string": "apiVersion: v1\nkind: Config\ncontexts: [x]\ncurrent-context: x\n",
    "empty": "",
    "not YAML": "{{{{ :\n",
}


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_a_kubeconfig_of_any_shape_is_one_sentence(exitwhy, tmp_path, shape):
    path = tmp_path / "config"
    path.write_text(SHAPES[shape])
    run = exitwhy("-A", env={"KUBECONFIG": str(path)})
    assert run.status == 4, (shape, run.err)
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1, run.err
