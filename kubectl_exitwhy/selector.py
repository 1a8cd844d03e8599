"""Label selectors as kubectl takes them (``-l``): ``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``,
``a in (x,y)``, ``a notin (x)``, joined by commas (AND). Used to filter saved files; against a
cluster the selector is passed to the API server as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kubectl_exitwhy.errors import UsageError

_TERM = re.compile(
    r"^\s*(?:(?P<not>!)\s*(?P<nkey>[\w./-]+)"
    r"|(?P<skey>[\w./-]+)\s*(?P<setop>in|notin)\s*\((?P<values>[^)]*)\)"
    r"|(?P<key>[\w./-]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[\w./-]*))?)\s*$"
)


def _split(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # exists | !exists | = | != | in | notin
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict) -> bool:
        if self.op == "exists":
            return self.key in labels
        if self.op == "!exists":
            return self.key not in labels
        if self.op in ("=", "in"):
            return labels.get(self.key) in self.values
        return labels.get(self.key) not in self.values  # != and notin


@dataclass(frozen=True)
class Selector:
    text: str
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Any) -> bool:
        labels = labels if isinstance(labels, dict) else {}
        return all(r.matches(labels) for r in self.requirements)


def parse(text: str) -> Selector:
    reqs = []
    for part in _split(text):
        m = _TERM.match(part)
        if not part.strip() or not m:
            raise UsageError(f"cannot parse label selector {text!r} at {part.strip()!r}")
        if m.group("nkey"):
            reqs.append(Requirement(m.group("nkey"), "!exists"))
        elif m.group("skey"):
            values = frozenset(v.strip() for v in m.group("values").split(","))
            reqs.append(Requirement(m.group("skey"), m.group("setop"), values))
        elif m.group("op"):
            op = "!=" if m.group("op") == "!=" else "="
            reqs.append(Requirement(m.group("key"), op, frozenset([m.group("value")])))
        else:
            reqs.append(Requirement(m.group("key"), "exists"))
    return Selector(text, tuple(reqs))
