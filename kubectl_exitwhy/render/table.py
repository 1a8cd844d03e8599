"""The sweep table (``-o table`` and ``-o wide``), in kubectl's shape: upper-case headers, no
borders, one row per finding, the most urgent pods first. The normal table fits the width."""

from __future__ import annotations

from kubectl_exitwhy.diagnosis import SEVERITY_RANK, Finding, PodDiagnosis
from kubectl_exitwhy.render.style import Style, age, paint
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
    """``wide`` prints every column in full. The normal table fits ``style.width``: names are
    shortened in the middle (the unique suffix of a pod name stays), and the summary is shown
    only when it gets at least MIN_SUMMARY columns — on a wider terminal, or with short names."""
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
    show_summary = True
    if not wide:
        names = headers.index("CONTAINER") + 1
        floor = {0: 12, 1: 24, 2: 14} if style.all_namespaces else {0: 24, 1: 14}

        def room() -> int:
            return style.width - sum(widths) - len(GAP) * fixed

        def shrink(limit: int) -> None:  # the widest name above its floor gives way first
            while room() < limit:
                i = max(range(names), key=lambda j: widths[j] - floor[j])
                if widths[i] <= floor[i]:
                    return
                widths[i] -= 1

        if room() < MIN_SUMMARY:
            show_summary = False
            shrink(-len(GAP))  # without the summary the row ends at the AGE column
    summary_width = style.width - sum(widths) - len(GAP) * fixed
    lines = []
    cause_index = headers.index("CAUSE")
    for values, severity in [(headers, "")] + rows:
        cells = [_fit(v, w, i) for i, (v, w) in enumerate(zip(values[:fixed], widths))]
        if severity:
            cells[cause_index] = paint(cells[cause_index], severity, style)
        if show_summary:
            cells.append(values[fixed] if wide else _truncate(values[fixed], summary_width))
        lines.append(GAP.join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int, column: int) -> str:
    if len(text) <= width:
        return text.ljust(width)
    if width < 8:
        return _truncate(text, width)
    head = (width - 1) // 2  # keep both ends: pod names differ in their suffix
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]
