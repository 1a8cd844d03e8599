"""The sweep table (``-o table`` and ``-o wide``), in kubectl's shape: upper-case headers, no
borders, one row per finding, the most urgent pods first. The normal table fits the width."""

from __future__ import annotations

from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.render import Style, age, paint
from kubectl_exitwhy.sanitize import clean_line

GAP = "  "
MIN_SUMMARY = 32


def _truncate(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def sort_key(d: PodDiagnosis) -> tuple:
    primary = d.primary
    rank = SEVERITY_RANK[primary.severity] if primary else len(SEVERITY_RANK)
    return (rank, d.namespace, d.pod)


def _exit(f: Finding) -> str:
    if f.exit_code is None:
        return "-"
    return str(f.exit_code)


def _rows(diagnoses: list[PodDiagnosis], style: Style, wide: bool) -> list[tuple[list[str], str]]:
    rows = []
    for d in sorted(diagnoses, key=sort_key):
        if not d.findings:
            base = [clean_line(d.pod), "-", "healthy", "-", "0", "-"]
            if style.all_namespaces:
                base.insert(0, clean_line(d.namespace))
            extra = ["-", "-", "-", clean_line(d.node) or "-", _owner(d)] if wide else []
            rows.append((base + extra + ["no termination to explain"], ""))
            continue
        for f in d.findings:
            base = [
                clean_line(d.pod),
                clean_line(f.container) if f.container else "(pod)",
                f.cause,
                _exit(f),
                str(f.restart_count) if f.restart_count is not None else "-",
                age(f.finished_at, style.now),
            ]
            if style.all_namespaces:
                base.insert(0, clean_line(d.namespace))
            extra = []
            if wide:
                extra = [
                    f.severity,
                    f.confidence,
                    clean_line(f.reason or "-"),
                    clean_line(d.node) or "-",
                    _owner(d),
                ]
            rows.append((base + extra + [clean_line(f.summary)], f.severity))
    return rows


def _owner(d: PodDiagnosis) -> str:
    return clean_line(f"{d.owner.kind}/{d.owner.name}") if d.owner else "-"


def render(diagnoses: list[PodDiagnosis], style: Style, wide: bool = False) -> str:
    headers = ["POD", "CONTAINER", "CAUSE", "EXIT", "RESTARTS", "AGE"]
    if style.all_namespaces:
        headers.insert(0, "NAMESPACE")
    if wide:
        headers += ["SEVERITY", "CONFIDENCE", "REASON", "NODE", "OWNER"]
    headers.append("SUMMARY")
    rows = _rows(diagnoses, style, wide)
    if not rows:
        return ""
    fixed = len(headers) - 1
    widths = [max(len(h), *(len(r[i]) for r, _ in rows)) for i, h in enumerate(headers[:fixed])]
    if not wide:  # names give way (down to a floor) so that the summary keeps some room
        names = headers.index("CONTAINER") + 1
        floor = {0: 10, 1: 16, 2: 10} if style.all_namespaces else {0: 16, 1: 10}
        while style.width - sum(widths) - len(GAP) * fixed < MIN_SUMMARY:
            i = max(range(names), key=lambda j: widths[j] - floor.get(j, 10))
            if widths[i] <= floor.get(i, 10):
                break
            widths[i] -= 1
    summary_width = max(style.width - sum(widths) - len(GAP) * fixed, 12)
    lines = []
    for values, severity in [(headers, "")] + rows:
        cells = [_truncate(v, w).ljust(w) for v, w in zip(values[:fixed], widths)]
        summary = values[fixed] if wide else _truncate(values[fixed], summary_width)
        cause_index = headers.index("CAUSE")
        if severity:
            cells[cause_index] = paint(cells[cause_index], severity, style)
        line = GAP.join(cells + [summary]).rstrip()
        lines.append(line)
    return "\n".join(lines) + "\n"
