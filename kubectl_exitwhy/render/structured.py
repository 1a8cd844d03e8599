"""``-o json`` and ``-o yaml``: the DiagnosisList document of DESIGN §4, and nothing else.

``-o json`` is written by orjson where it is installed (a dependency: about ten times faster
than ``json.dumps`` on a 50,000-pod sweep's document), byte for byte as ``json.dumps(indent=2,
ensure_ascii=False)`` writes it: the same indentation, separators, escapes (``\n``, ``\u0001``;
non-ASCII, DEL and U+2028 as they are) and key order. Where the two would differ, json writes
it: a float below 1e-4 (``1e-05`` against ``0.00001``), NaN or infinity (orjson writes
``null``) — found while the document is cleaned — and whatever orjson refuses (an integer
beyond 64 bits, a lone surrogate, a key that is not a string).
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterator, Optional

from kubectl_exitwhy.correlate import Report
from kubectl_exitwhy.diagnosis import PodDiagnosis, document
from kubectl_exitwhy.render.style import Style
from kubectl_exitwhy.sanitize import clean


def _cleaned(value: Any, odd: Optional[list] = None) -> Any:
    """Cluster text may carry terminal escapes: strip them here too (a JSON file gets cat-ed).
    A float that orjson would write otherwise than json is noted in ``odd``."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v, odd) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v, odd) for k, v in value.items()}
    if isinstance(value, float) and odd is not None and not _same_float(value):
        odd.append(value)
    return value


def _same_float(value: float) -> bool:
    """orjson and repr() agree on every finite float from 1e-4 up to 1e16 (both shortest
    round-trip); below, repr() writes 1e-05 where orjson writes 0.00001, and from 1e16 up the
    orjson of Python 3.9's wheels writes 1e16 where repr() writes 1e+16. Those go through json."""
    return math.isfinite(value) and (value == 0 or 1e-4 <= abs(value) < 1e16)


def _document(
    diagnoses: list[PodDiagnosis], report: Optional[Report], odd: Optional[list] = None
) -> dict[str, Any]:
    if report is None:
        return _cleaned(document(diagnoses), odd)
    return _cleaned(document(diagnoses, report.workloads, report.nodes), odd)


def _dumps(doc: Any, exact: bool) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)`` and a newline, by orjson when it is
    installed and ``exact`` (no float that it writes otherwise: ``_same_float``)."""
    if exact:
        try:
            import orjson
        except ImportError:
            pass
        else:
            try:
                option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
                return orjson.dumps(doc, option=option).decode()
            except (TypeError, ValueError):  # orjson.JSONEncodeError: json writes what it can
                pass
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_json(
    diagnoses: list[PodDiagnosis], style: Style, report: Optional[Report] = None
) -> str:
    return "".join(json_chunks(diagnoses, report))


def json_chunks(diagnoses: list[PodDiagnosis], report: Optional[Report] = None) -> Iterator[str]:
    """The document of ``render_json`` in pieces, an entry at a time: a 50,000-pod sweep's
    document is never held whole (nor its cleaned copy, nor its text), and the bytes are those
    of ``json.dumps`` of the whole: an entry's own text, each line indented by four more spaces,
    is what the whole document's writer puts there (which writer writes each entry is decided
    entry by entry, by its floats)."""
    sections: list[tuple[str, Any]] = [("items", diagnoses)]
    if report is not None:
        sections += [("workloads", report.workloads), ("nodes", report.nodes)]
    odd: list = []
    frame = _dumps(_document([], None if report is None else _EMPTY, odd), exact=not odd)
    pieces = []  # the frame around each list, found before anything is written
    for key, _ in sections:
        head, found, frame = frame.partition(f'\n  "{key}": []')
        if not found:  # (a frame of another shape: the whole document, as it always was)
            yield render_whole(diagnoses, report)
            return
        pieces.append(head)
    for (key, entries), head in zip(sections, pieces):
        yield head + f'\n  "{key}": ['
        for i, entry in enumerate(entries):
            odd = []
            value = _cleaned(entry.to_dict(), odd)
            text = _dumps(value, exact=not odd)[:-1].replace("\n", "\n    ")
            yield ("\n    " if i == 0 else ",\n    ") + text
        yield "\n  ]" if entries else "]"
    yield frame


_EMPTY = Report([], [], [])  # the frame: every list empty


def render_whole(diagnoses: list[PodDiagnosis], report: Optional[Report] = None) -> str:
    """The document made whole, then written (what ``json_chunks`` must equal)."""
    odd: list = []
    doc = _document(diagnoses, report, odd)
    return _dumps(doc, exact=not odd)


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
