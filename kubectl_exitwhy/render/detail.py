"""The pod view (``kubectl exitwhy pod NAME``): every container's story, its evidence, the next
steps and the previous log's tail, wrapped to the width."""

from __future__ import annotations

import textwrap
from typing import Sequence

from kubectl_exitwhy.causes import CAUSES
from kubectl_exitwhy.correlate.history import describe
from kubectl_exitwhy.correlate.nodes import TITLES, NodeFinding
from kubectl_exitwhy.diagnosis import Finding, PodDiagnosis
from kubectl_exitwhy.render.style import Style, age, paint
from kubectl_exitwhy.sanitize import clean, clean_line


def _wrap(text: str, indent: str, width: int, first: str = "") -> list[str]:
    return textwrap.wrap(
        clean_line(text),
        width=width,
        initial_indent=indent + first,
        subsequent_indent=indent + " " * len(first),
        break_on_hyphens=False,
        break_long_words=True,
    ) or [indent + first]


def _finding(f: Finding, style: Style) -> list[str]:
    who = f"{clean_line(f.container)} ({f.container_type})" if f.container else "pod"
    title = CAUSES[f.cause].title
    head = f"{who}: {f.cause} - {title}"
    lines = [paint(head, f.severity, style) + f"  [{f.severity}, confidence {f.confidence}]"]
    lines += _wrap(f.summary, "  ", style.width)
    facts = []
    if f.exit_code is not None:
        facts.append(f"exit {f.exit_code}" + (f" ({f.signal})" if f.signal else ""))
    if f.reason:
        facts.append(f"reason {clean_line(f.reason)}")
    if f.restart_count:
        facts.append(f"{f.restart_count} restart{'s' if f.restart_count != 1 else ''}")
    if f.finished_at:
        facts.append(
            f"finished {f.finished_at.strftime('%Y-%m-%dT%H:%M:%SZ')} "
            f"({age(f.finished_at, style.now)} ago)"
        )
    if f.detail and not any(f.detail in e for e in f.evidence):  # said once, in full
        facts.append(clean_line(f.detail))
    if facts:
        lines += _wrap("; ".join(facts), "  ", style.width)
    if f.history is not None:
        told = describe(f.history, style.now, f.finished_at)
        if told:
            lines += _wrap(told, "  ", style.width, "history: ")
    # a memory budget (settings against the limit) is a fact of its own, on one line
    budget = next((e for e in f.evidence if e.startswith(BUDGET)), None)
    if budget is not None:
        lines += _wrap(budget[len(BUDGET) :], "  ", style.width, BUDGET)
    evidence = [e for e in f.evidence if e is not budget]
    if evidence:
        lines.append("  Evidence:")
        for e in evidence:
            lines += _wrap(e, "    ", style.width, "- ")
    if f.next_steps:
        lines.append("  Next steps:")
        lines += _steps(f.next_steps, style)
    if f.log_tail:
        lines.append(f"  Log of the run that ended (last {len(f.log_tail)} lines):")
        for line in f.log_tail:
            text = clean(line).rstrip("\n").replace("\t", "    ")
            # never cut: a log line's end is often the part that says what failed
            lines += _wrap(text, "    | ", style.width) if text.strip() else ["    |"]
    return lines


BUDGET = "budget: "


def _steps(steps: Sequence[str], style: Style) -> list[str]:
    """Numbered; a command goes on a line of its own, whole (it must paste), its prose above."""
    lines = []
    for i, step in enumerate(steps, 1):
        prose, commands = split_step(step)
        number = f"{i}. "
        if prose:
            lines += _wrap(prose, "    ", style.width, number)
            number = " " * len(number)
        for command in commands:
            lines.append(f"    {number}{clean_line(command)}")
            number = " " * len(number)
    return lines


def split_step(step: str) -> tuple[str, list[str]]:
    """("Read why the probe failed:", ["kubectl get events …"]) from one step's text."""
    at = step.find("kubectl ")
    if at < 0:
        return step, []
    prose = step[:at].rstrip()
    commands = [c.strip() for c in step[at:].split("; ") if c.strip()]
    if any(not c.startswith("kubectl ") for c in commands[1:]):  # prose after a command
        return step, []
    return prose, commands


def _node(n: NodeFinding, style: Style) -> list[str]:
    head = f"Node {clean_line(n.node)}: {n.cause} - {TITLES[n.cause]}"
    lines = ["", paint(head, n.severity, style) + f"  [{n.severity}]"]
    lines += _wrap(n.summary, "  ", style.width)
    lines.append("  Evidence:")
    for e in n.evidence:
        lines += _wrap(e, "    ", style.width, "- ")
    lines.append("  Next steps:")
    return lines + _steps(n.next_steps, style)


def render(diagnoses: list[PodDiagnosis], style: Style, nodes: Sequence[NodeFinding] = ()) -> str:
    out = []
    for d in diagnoses:
        where = clean_line(d.phase) or "phase unknown"
        if d.deleting:
            where += " and being deleted (Terminating)"
        if d.node:
            where += f" on {clean_line(d.node)}"
        if d.workload is not None and d.workload.kind != "Pod":
            where += f", part of {clean_line(d.workload.ref)}"
            if d.workload.how == "inferred":
                where += " (inferred from names)"
        elif d.owner:
            where += f", owned by {clean_line(d.owner.kind)}/{clean_line(d.owner.name)}"
        name = (
            f"{clean_line(d.namespace)}/{clean_line(d.pod)}" if d.namespace else clean_line(d.pod)
        )
        out.append(f"Pod {name} ({where})")
        for w in d.warnings:
            out += _wrap(w, "", style.width, "warning: ")
        if not d.findings:
            out.append("  No container has terminated or restarted: nothing to explain.")
        for f in d.findings:
            out.append("")
            out += _finding(f, style)
        for n in nodes:
            if n.node == d.node:
                out += _node(n, style)
        out.append("")
    return "\n".join(out)
