"""``--watch`` output: one line per new finding as it happens (``-o json``: one ``items[]``
object per line), flushed at once so that a pipe sees it too."""

from __future__ import annotations

from kubectl_exitwhy.causes import short
from kubectl_exitwhy.diagnosis import PodDiagnosis
from kubectl_exitwhy.render.style import Style, paint
from kubectl_exitwhy.sanitize import clean_line


def lines(d: PodDiagnosis, style: Style, show_info: bool) -> list[str]:
    out = []
    for f in d.findings:
        if f.severity == "info" and not show_info:
            continue
        when = f.finished_at or style.now
        who = clean_line(f"{d.namespace}/{d.pod}")
        container = clean_line(f.container) if f.container else "(pod)"
        summary = clean_line(f.summary)
        label = short(f.cause)
        told = summary if summary.lower().startswith(label.lower()) else f"{label}: {summary}"
        head = f"{when:%Y-%m-%dT%H:%M:%SZ}  {who}  {container}  "
        # the line fits the width: the summary gives way (the pod view tells it whole), never
        # the names before it
        room = style.width - len(head) - len(f.severity) - 2
        if len(told) > room:
            told = told[: max(room - 1, len(label))] + "…"
        out.append(f"{head}{paint(f.severity, f.severity, style)}  {told}")
    return out
