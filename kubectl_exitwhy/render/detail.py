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


def _wrap(
    text: str, indent: str, width: int, first: str = "", long_words: bool = True
) -> list[str]:
    """``long_words=False`` for lines that carry names: a name is never broken."""
    return textwrap.wrap(
        clean_line(text),
        width=width,
        initial_indent=indent + first,
        subsequent_indent=indent + " " * len(first),
        break_on_hyphens=False,
        break_long_words=long_words,
    ) or [indent + first]


def _finding(f: Finding, style: Style, told: frozenset = frozenset()) -> list[str]:
    """``told``: evidence lines and steps the node's block below says: said once, there."""
    who = f"{clean_line(f.container)} ({f.container_type})" if f.container else "pod"
    title = CAUSES[f.cause].title
    head = _wrap(f"{who}: {f.cause} - {title}  [{f.severity}, confidence {f.confidence}]",
                 "", style.width, long_words=False)  # fmt: skip
    lines = [paint(head[0], f.severity, style), *(("  " + h) for h in head[1:])]
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
        story = describe(f.history, style.now, f.finished_at)
        if story:
            lines += _wrap(story, "  ", style.width, "history: ")
    # a memory budget (settings against the limit) is a fact of its own, on one line
    budget = next((e for e in f.evidence if e.startswith(BUDGET)), None)
    if budget is not None:
        lines += _wrap(budget[len(BUDGET) :], "  ", style.width, BUDGET)
    evidence = [e for e in f.evidence if e is not budget and e not in told]
    if evidence:
        lines.append("  Evidence:")
        for e in evidence:
            lines += _wrap(e, "    ", style.width, "- ")
    steps = [step for step in f.next_steps if not _said(step, told)]
    if steps:
        lines.append("  Next steps:")
        lines += _steps(steps, style)
    return lines


def _said(step: str, told: frozenset) -> bool:
    """The node's block below says this step already: the same words, or the same commands."""
    commands = split_step(step)[1]
    return step in told or (bool(commands) and all(c in told for c in commands))


def _log(f: Finding, style: Style) -> list[str]:
    """The tail of the run that ended. A log line is never cut (its end is often the part that
    says what failed): it wraps, and its continuation lines are marked apart from new lines."""
    if not f.log_tail:
        return []
    who = clean_line(f.container or "pod")
    lines = ["", f"{who}: log of the run that ended (last {len(f.log_tail)} lines):"]
    for line in f.log_tail:
        text = clean(line).rstrip("\n").replace("\t", "    ")
        if not text.strip():
            lines.append("  |")
            continue
        wrapped = _wrap(text, "  ", style.width, "| ")
        lines += [wrapped[0], *("  :" + w[3:] for w in wrapped[1:])]
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


SAME_EVENTS = 3  # a node's events of one reason shown in the pod view; the rest are counted


def _node(n: NodeFinding, style: Style) -> list[str]:
    head = _wrap(f"Node {clean_line(n.node)}: {n.cause} - {TITLES[n.cause]}  [{n.severity}]",
                 "", style.width, long_words=False)  # fmt: skip
    lines = ["", paint(head[0], n.severity, style), *(("  " + h) for h in head[1:])]
    lines += _wrap(n.summary, "  ", style.width)
    lines.append("  Evidence:")
    seen: dict[str, int] = {}
    for e in n.evidence:
        reason = e.split(": event ", 1)[1].split(" ", 1)[0] if ": event " in e else ""
        seen[reason] = seen.get(reason, 0) + 1
        if reason and seen[reason] > SAME_EVENTS:
            continue
        lines += _wrap(e, "    ", style.width, "- ")
    for reason, count in seen.items():
        if reason and count > SAME_EVENTS:
            lines.append(
                f"    - … {count - SAME_EVENTS} more {clean_line(reason)} events (-o json)"
            )
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
        out += _wrap(f"Pod {name} ({where})", "", style.width, long_words=False)
        for w in d.warnings:
            out += _wrap(w, "", style.width, "warning: ")
        if not d.findings:
            out.append("  No container has terminated or restarted: nothing to explain.")
        mine = [n for n in nodes if n.node == d.node]
        told = frozenset(
            line
            for n in mine
            for line in (
                *n.evidence,
                *n.next_steps,
                *(c for st in n.next_steps for c in split_step(st)[1]),
            )
        )
        for f in d.findings:
            out.append("")
            out += _finding(f, style, told)
        for n in mine:  # the node's verdict before the logs: it may be the cause
            out += _node(n, style)
        for f in d.findings:
            out += _log(f, style)
        out.append("")
    return "\n".join(out)
