"""The pod view (``kubectl exitwhy pod NAME``): every container's story, its evidence, the next
steps and the previous log's tail, wrapped to the width."""

from __future__ import annotations

import textwrap

from kubectl_exitwhy.causes import CAUSES
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
        facts.append(f"{f.restart_count} restarts")
    if f.finished_at:
        facts.append(
            f"finished {f.finished_at.strftime('%Y-%m-%dT%H:%M:%SZ')} "
            f"({age(f.finished_at, style.now)} ago)"
        )
    if f.detail:
        facts.append(clean_line(f.detail))
    if facts:
        lines += _wrap("; ".join(facts), "  ", style.width)
    if f.evidence:
        lines.append("  Evidence:")
        for e in f.evidence:
            lines += _wrap(e, "    ", style.width, "- ")
    if f.next_steps:
        lines.append("  Next steps:")
        for i, step in enumerate(f.next_steps, 1):
            lines += _wrap(step, "    ", style.width, f"{i}. ")
    if f.log_tail:
        lines.append(f"  Log of the run that ended (last {len(f.log_tail)} lines):")
        for line in f.log_tail:
            text = clean(line).rstrip("\n").replace("\t", "    ")
            # never cut: a log line's end is often the part that says what failed
            lines += _wrap(text, "    | ", style.width) if text.strip() else ["    |"]
    return lines


def render(diagnoses: list[PodDiagnosis], style: Style) -> str:
    out = []
    for d in diagnoses:
        where = clean_line(d.phase) or "phase unknown"
        if d.node:
            where += f" on {clean_line(d.node)}"
        if d.owner:
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
        out.append("")
    return "\n".join(out)
