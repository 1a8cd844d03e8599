"""Label selectors as kubectl takes them (``-l``): ``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``,
``a in (x,y)``, ``a notin (x)``, ``a>3``, ``a<3``, joined by commas (AND). Used to filter saved
files; against a cluster the selector is passed to the API server as it is.

``>`` and ``<`` are apimachinery's GreaterThan and LessThan: the value must be an integer, and a
pod matches when it has the label and the label's value is an integer above (below) it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kubectl_exitwhy.errors import UsageError

_TERM = re.compile(
    r"^\s*(?:(?P<not>!)\s*(?P<nkey>[\w./-]+)"
    r"|(?P<skey>[\w./-]+)\s*(?P<setop>in|notin)\s*\((?P<values>[^)]*)\)"
    r"|(?P<key>[\w./-]+)\s*(?:(?P<op>==|=|!=|>|<)\s*(?P<value>[\w./-]*))?)\s*$"
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
    op: str  # exists | !exists | = | != | in | notin | > | <
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict) -> bool:
        if self.op == "exists":
            return self.key in labels
        if self.op == "!exists":
            return self.key not in labels
        if self.op in ("=", "in"):
            return labels.get(self.key) in self.values
        if self.op in (">", "<"):
            have, (bound,) = _integer(labels.get(self.key)), self.values
            if have is None:
                return False
            return have > int(bound) if self.op == ">" else have < int(bound)
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
        elif m.group("op") in (">", "<"):
            if _integer(m.group("value")) is None:
                raise UsageError(
                    f"cannot parse label selector {text!r}: for '>' and '<' the value must be "
                    "an integer"
                )
            reqs.append(Requirement(m.group("key"), m.group("op"), frozenset([m.group("value")])))
        elif m.group("op"):
            op = "!=" if m.group("op") == "!=" else "="
            reqs.append(Requirement(m.group("key"), op, frozenset([m.group("value")])))
        else:
            reqs.append(Requirement(m.group("key"), "exists"))
    return Selector(text, tuple(reqs))


def _integer(value: Any) -> Any:
    """The value as apimachinery reads it for ``>`` and ``<`` (a 64-bit integer that is also a
    label value: digits, no sign), else None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d+", value):  # a label value: no sign
        return None
    number = int(value)
    return number if number < 2**63 else None
