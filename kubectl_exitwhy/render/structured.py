"""``-o json`` and ``-o yaml``: the DiagnosisList document of DESIGN §4, and nothing else."""

from __future__ import annotations

import json
from typing import Any, Optional

from kubectl_exitwhy.correlate import Report
from kubectl_exitwhy.diagnosis import PodDiagnosis, document
from kubectl_exitwhy.render.style import Style
from kubectl_exitwhy.sanitize import clean


def _cleaned(value: Any) -> Any:
    """Cluster text may carry terminal escapes: strip them here too (a JSON file gets cat-ed)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def _document(diagnoses: list[PodDiagnosis], report: Optional[Report]) -> dict[str, Any]:
    if report is None:
        return _cleaned(document(diagnoses))
    return _cleaned(document(diagnoses, report.workloads, report.nodes))


def render_json(
    diagnoses: list[PodDiagnosis], style: Style, report: Optional[Report] = None
) -> str:
    return json.dumps(_document(diagnoses, report), indent=2, ensure_ascii=False) + "\n"


def render_yaml(
    diagnoses: list[PodDiagnosis], style: Style, report: Optional[Report] = None
) -> str:
    import yaml

    return yaml.safe_dump(
        _document(diagnoses, report), sort_keys=False, allow_unicode=True, width=100
    )


def line(diagnosis: PodDiagnosis) -> str:
    """One item of ``items[]`` on one line: what ``--watch -o json`` prints per termination."""
    return json.dumps(_cleaned(diagnosis.to_dict()), ensure_ascii=False) + "\n"


def yaml_document(diagnosis: PodDiagnosis) -> str:
    """``--watch -o yaml``: one YAML document per item, each begun by ``---``."""
    import yaml

    body = yaml.safe_dump(_cleaned(diagnosis.to_dict()), sort_keys=False, allow_unicode=True)
    return "---\n" + body
