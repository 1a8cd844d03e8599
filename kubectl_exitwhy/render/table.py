"""One row per container finding (``--by pod`` and ``-o wide``), in kubectl's shape: upper-case
headers, no borders, the most urgent pods first.

Names are never shortened: a pod name must paste into the next command. When a row does not
fit the width, the SUMMARY column goes first (``-o wide`` always has it, in full).
"""

from __future__ import annotations

from kubectl_exitwhy.causes import short
from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.render.layout import ago, joined, lay_out
from kubectl_exitwhy.render.style import Style, paint
from kubectl_exitwhy.sanitize import clean_line

MIN_SUMMARY = 32


def sort_key(d: PodDiagnosis) -> tuple:
    primary = d.primary
    rank = SEVERITY_RANK[primary.severity] if primary else len(SEVERITY_RANK)
    return (rank, d.namespace, d.pod)


def _exit(f: Finding) -> str:
    return "-" if f.exit_code is None else str(f.exit_code)


def _workload(d: PodDiagnosis) -> str:
    if d.workload is not None and d.workload.kind != "Pod":
        return clean_line(d.workload.ref)
    return clean_line(f"{d.owner.kind}/{d.owner.name}") if d.owner else "-"


def _rows(diagnoses: list[PodDiagnosis], style: Style, wide: bool) -> list[tuple[list[str], str]]:
    rows = []
    for d in sorted(diagnoses, key=sort_key):
        if not d.findings:
            base = [clean_line(d.pod), "-", "-", "healthy", "-", "0", "-"]
            if style.all_namespaces:
                base.insert(0, clean_line(d.namespace))
            extra = ["-", "-", clean_line(d.node) or "-", _workload(d)] if wide else []
            rows.append((base + extra + ["no termination to explain"], ""))
            continue
        for f in d.findings:
            base = [
                clean_line(d.pod),
                clean_line(f.container) if f.container else "(pod)",
                f.severity,
                f.cause if wide else short(f.cause),
                _exit(f),
                str(f.restart_count) if f.restart_count is not None else "-",
                ago(f.finished_at, style.now),
            ]
            if style.all_namespaces:
                base.insert(0, clean_line(d.namespace))
            extra = []
            if wide:
                extra = [
                    f.confidence,
                    clean_line(f.reason or "-"),
                    clean_line(d.node) or "-",
                    _workload(d),
                ]
            rows.append((base + extra + [clean_line(f.summary)], f.severity))
    return rows


def render(diagnoses: list[PodDiagnosis], style: Style, wide: bool = False) -> str:
    headers = ["POD", "CONTAINER", "SEVERITY", "CAUSE", "EXIT", "RESTARTS", "LAST EXIT"]
    if style.all_namespaces:
        headers.insert(0, "NAMESPACE")
    if wide:
        headers += ["CONFIDENCE", "REASON", "NODE", "WORKLOAD"]
    headers.append("SUMMARY")
    rows = _rows(diagnoses, style, wide)
    if not rows:
        return ""
    kept, table = lay_out(
        headers,
        [values for values, _ in rows],
        style.width,
        last="full" if wide else "fit",
        min_last=MIN_SUMMARY,
        droppable=("LAST EXIT", "RESTARTS", "EXIT"),
    )
    severity_at = kept.index("SEVERITY")
    lines = []
    for line, (_, severity) in zip(table[1:], rows):
        lines.append(paint_column(line, severity_at, severity, style))
    return "\n".join([joined(table[0]), *lines]) + "\n"


def paint_column(line: list[str], index: int, severity: str, style: Style) -> str:
    if severity and index < len(line):
        line = list(line)
        cell = line[index]
        word = cell.rstrip()
        line[index] = paint(word, severity, style) + cell[len(word) :]
    return joined(line)
