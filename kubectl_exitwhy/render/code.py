"""``kubectl exitwhy code N``: one exit code explained, as text, JSON or YAML."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

# `kubectl exitwhy code N` must start fast: json and yaml only when asked for, and a small
# word wrapper instead of textwrap (which loads re).


def _wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    lines, line = [], indent + first
    blank = len(line)
    for word in text.split():
        if len(line) > blank and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = indent + " " * len(first)
            blank = len(line)
        line += (" " if len(line) > blank else "") + word
    lines.append(line)
    return lines


def code_document(given: str, norm: Any, info: Any) -> dict[str, Any]:
    return {
        "apiVersion": "exitwhy/v1",
        "kind": "ExitCode",
        "input": given,
        "code": info.code,
        "normalised": str(info.code) != given.strip(),
        "note": norm.note,
        "title": info.title,
        "range": info.range,
        "signal": info.signal,
        "signalName": info.signal_name,
        "meaning": info.meaning,
        "kubernetes": list(info.kubernetes),
        "nextSteps": list(info.next_steps),
    }


def render_code(given: str, norm: Any, info: Any, output: str, width: int = 100) -> str:
    doc = code_document(given, norm, info)
    if output == "json":
        import json

        return json.dumps(doc, indent=2) + "\n"
    if output == "yaml":
        import yaml

        return yaml.safe_dump(doc, sort_keys=False, width=width)

    def wrap(text: str, indent: str = "", first: str = "") -> list[str]:
        return _wrap(text, width, indent, first)

    head = f"Exit code {info.code}: {info.title}"
    if info.signal is not None:
        name = "" if info.title == info.signal_name else f"{info.signal_name}, "
        head += f" ({name}128 + {info.signal})"
    lines = [head, f"Range: {info.range}"]
    if norm.note:
        lines += wrap(f"{given} → {info.code}: {norm.note}")
    lines.append("")
    lines += wrap(info.meaning)
    if info.kubernetes:
        lines += ["", "Typical causes in Kubernetes:"]
        for item in info.kubernetes:
            lines += wrap(item, "  ", "- ")
    if info.next_steps:
        lines += ["", "Next steps:"]
        for i, step in enumerate(info.next_steps, 1):
            lines += wrap(step, "  ", f"{i}. ")
    return "\n".join(lines) + "\n"
