"""The default sweep table: what an incident needs first, in one screen.

1. nodes whose own record or dead containers point at the node (if any);
2. one row per workload and cause — ``deployment/checkout-api  1/3  critical  OOM-killed …``;
3. a totals line.

``--by pod`` (and ``-o wide``) print one row per container instead (``table.py``).
"""

from __future__ import annotations

import textwrap

from kubectl_exitwhy.causes import short
from kubectl_exitwhy.correlate import Report
from kubectl_exitwhy.correlate.nodes import NodeFinding
from kubectl_exitwhy.correlate.workloads import WorkloadSummary
from kubectl_exitwhy.diagnosis import SEVERITY_RANK
from kubectl_exitwhy.render.layout import GAP, ago, joined, lay_out
from kubectl_exitwhy.render.style import Style
from kubectl_exitwhy.render.table import paint_column
from kubectl_exitwhy.sanitize import clean_line

NODE_HEADERS = ["NODE", "SEVERITY", "CAUSE", "PODS", "KILLED", "WINDOW", "SIGNALS"]


def _node_order(report: Report) -> list[NodeFinding]:
    return sorted(report.nodes, key=lambda n: (SEVERITY_RANK[n.severity], -len(n.pods), n.node))


def _node_cells(n: NodeFinding) -> list[str]:
    return [
        clean_line(n.node),
        n.severity,
        short(n.cause),
        str(len(n.pods)),
        str(n.containers_killed),
        n.window or "-",
        clean_line(", ".join(n.signals)) or "-",
    ]


def _nodes(nodes: list[NodeFinding], style: Style) -> list[str]:
    """The most urgent node first. SIGNALS is the part that says why: a row whose signals do
    not fit beside it gets them on lines of their own below it."""
    if not nodes:
        return []
    headers, rows = NODE_HEADERS, [_node_cells(n) for n in nodes]
    # lay out without SIGNALS (a long one must not push the others out), then fit it per row
    kept, table = lay_out([*headers[:-1], ""], [[*r[:-1], ""] for r in rows], style.width,
                          min_last=0, droppable=("WINDOW", "KILLED", "PODS"))  # fmt: skip
    fixed = max(len(joined(line)) for line in table)
    room = style.width - fixed - len(GAP)
    inline = room >= len("SIGNALS")
    lines = [joined(table[0]).ljust(fixed) + GAP + "SIGNALS" if inline else joined(table[0])]
    for line, row, n in zip(table[1:], rows, nodes):
        text = paint_column(line, kept.index("SEVERITY"), n.severity, style)
        pad = fixed - len(joined(line))
        if inline and len(row[-1]) <= room:
            lines.append(text + " " * pad + GAP + row[-1])
            continue
        lines.append(text)
        lines += textwrap.wrap(
            row[-1],
            width=max(style.width, 40),
            initial_indent="    signals: ",
            subsequent_indent=" " * 13,
            break_on_hyphens=False,
        )
    return lines


def _nodes_folded(nodes: list[NodeFinding], style: Style) -> list[str]:
    """One line per node, SIGNALS cut to the width (the pod view and -o json carry them whole)."""
    kept, table = lay_out(NODE_HEADERS, [_node_cells(n) for n in nodes], style.width,
                          min_last=20, droppable=("WINDOW", "KILLED", "PODS"))  # fmt: skip
    at = kept.index("SEVERITY")
    rows = [paint_column(line, at, n.severity, style) for line, n in zip(table[1:], nodes)]
    return [joined(table[0]), *rows]


def _workload_rows(summaries: list[WorkloadSummary], style: Style, show_info: bool):
    """One row per workload and primary cause; a cause that is only secondary in its pods (a
    Job pod's failing container under the Job's own cause) is named in the first row's detail."""
    rows, severities = [], []
    for s in summaries:
        w = s.workload
        shown = [c for c in s.causes if c.severity != "info" or show_info]
        primary = [c for c in shown if c.primary] or shown[:1]
        also = [short(c.cause) for c in shown if c not in primary]
        for i, c in enumerate(primary):
            listed = "?" if s.pods is None else str(s.pods)
            detail = c.detail or ""
            if i == 0 and also:
                detail = "; ".join(p for p in (detail, "also " + ", ".join(also)) if p)
            row = [
                clean_line(w.ref) + ("*" if w.how == "inferred" else ""),
                f"{c.count}/{listed}",
                c.severity,
                short(c.cause),
                str(c.restarts),
                ago(c.last_exit, style.now),
                clean_line(detail or "-"),
            ]
            if style.all_namespaces:
                row.insert(0, clean_line(w.namespace))
            rows.append(row)
            severities.append(c.severity)
    return rows, severities


def totals(report: Report, show_info: bool) -> str:
    counts = {"critical": 0, "warning": 0, "info": 0}
    for d in report.diagnoses:
        if d.primary is not None:
            counts[d.primary.severity] += 1
    workloads = sum(
        1 for s in report.workloads if show_info or any(c.severity != "info" for c in s.causes)
    )
    parts = [f"{n} {sev}" for sev, n in counts.items() if n and (sev != "info" or show_info)]
    pods = sum(counts.values()) if show_info else counts["critical"] + counts["warning"]
    line = (", ".join(parts) or "nothing") + f" ({pods} pod{'s' if pods != 1 else ''})"
    line += f" in {workloads} workload{'s' if workloads != 1 else ''}"
    sick = len(report.nodes)
    if sick:
        line += f"; {sick} node{'s' if sick != 1 else ''} to look at"
    return line + "."


def _workload_table(rows, severities, style: Style) -> list[str]:
    headers = ["WORKLOAD", "PODS", "SEVERITY", "CAUSE", "RESTARTS", "LAST EXIT", "DETAIL"]
    if style.all_namespaces:
        headers.insert(0, "NAMESPACE")
    kept, table = lay_out(
        headers, rows, style.width, min_last=16, droppable=("RESTARTS", "PODS", "LAST EXIT")
    )
    at = kept.index("SEVERITY")
    return [joined(table[0])] + [
        paint_column(line, at, sev, style) for line, sev in zip(table[1:], severities)
    ]


def _more(count: int, what: str, severities: list[str], style: Style) -> str:
    """The line that stands for the rows a screen could not hold: how many, how severe, and
    how to see them."""
    by = {sev: severities.count(sev) for sev in ("critical", "warning", "info")}
    worst = ", ".join(f"{n} {sev}" for sev, n in by.items() if n)
    text = f"… {count} more {what} ({worst}): --no-fold lists them all"
    return text if len(text) <= style.width else text[: style.width - 1] + "…"


def _footer(report: Report, style: Style, show_info: bool) -> list[str]:
    lines = ["", totals(report, show_info)]
    if report.nodes and not style.all_namespaces:
        lines.append("Node figures count this sweep's pods; -A counts every namespace's.")
    if any(s.workload.how == "inferred" for s in report.workloads):
        lines.append("* workload inferred from names: its controller could not be read.")
    return lines


def render(report: Report, style: Style, show_info: bool = False) -> str:
    nodes = _node_order(report)
    rows, severities = _workload_rows(report.workloads, style, show_info)
    if not nodes and not rows:
        return ""
    lines = _nodes(nodes, style)
    if rows:
        lines += [""] * bool(lines) + _workload_table(rows, severities, style)
    lines += _footer(report, style, show_info)
    if style.height is not None and len(lines) >= style.height:
        lines = _folded(report, nodes, rows, severities, style, show_info)
    return "\n".join(lines) + "\n"


def _folded(report, nodes, rows, severities, style: Style, show_info: bool) -> list[str]:
    """The sweep cut to one screen (a line is kept for the prompt): every node and workload row
    that fits, most severe first, and a line that counts the rest. The totals stay whole."""
    assert style.height is not None
    budget = style.height - 1
    footer = _footer(report, style, show_info)
    lines: list[str] = []
    if nodes:
        room = max(3, budget // 4)  # nodes come first, but never crowd the workloads out
        shown = nodes if len(nodes) <= room else nodes[: room - 1]
        lines = _nodes_folded(shown, style)
        if len(shown) < len(nodes):
            rest = nodes[len(shown) :]
            lines.append(_more(len(rest), "nodes", [n.severity for n in rest], style))
    if rows:
        lines += [""] * bool(lines)
        room = budget - len(lines) - len(footer) - 1  # the header
        shown_rows = len(rows) if len(rows) <= room else max(5, room - 1)
        lines += _workload_table(rows[:shown_rows], severities[:shown_rows], style)
        if shown_rows < len(rows):
            lines.append(_more(len(rows) - shown_rows, "rows", severities[shown_rows:], style))
    return lines + footer
