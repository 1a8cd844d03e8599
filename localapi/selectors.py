"""Label and field selectors, parsed and matched the way kube-apiserver does.

Label selectors (``?labelSelector=``) follow ``k8s.io/apimachinery/pkg/labels``: comma-separated
requirements that must all hold: ``a=b`` / ``a==b``, ``a!=b`` (also true when the label is
absent), ``a`` (exists), ``!a`` (does not exist), ``a in (x,y)``, ``a notin (x)`` (also true when
absent), and ``a>1`` / ``a<1`` (integer comparison). Keys and values are validated as the real
parser does, and a bad selector is a 400 "unable to parse requirement" error.

Field selectors (``?fieldSelector=``) follow ``k8s.io/apimachinery/pkg/fields``: ``f=v``, ``f==v``
and ``f!=v``, comma = AND, with ``\\,``, ``\\=`` and ``\\\\`` escapes in values. Each resource
supports only the field labels it declares (see ``store.RESOURCES``); any other label is a 400
``field label not supported: X``, exactly as the real server answers.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

__all__ = ["SelectorError", "FieldSelector", "LabelSelector"]


class SelectorError(ValueError):
    """A selector the real API server would reject with 400 BadRequest."""


_KEY_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_DNS_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_KEY_RE = re.compile(rf"^({_DNS_SUBDOMAIN}/)?{_KEY_NAME}$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_SET_RE = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$", re.S)
_OP_RE = re.compile(r"^([^=!<>\s]+)\s*(==|!=|=|>|<)\s*(.*)$", re.S)


def _check_key(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if not key or len(name) > 63 or not _KEY_RE.match(key):
        raise SelectorError(
            f'unable to parse requirement: invalid label key "{key}": name part must consist of '
            "alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"
        )
    return key


def _check_value(value: str) -> str:
    if len(value) > 63 or not _VALUE_RE.match(value):
        raise SelectorError(
            f'unable to parse requirement: invalid label value: "{value}": a valid label must be '
            "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return value


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise SelectorError(f"unable to parse requirement: unbalanced ')' in {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth:
        raise SelectorError(f"unable to parse requirement: unbalanced '(' in {text!r}")
    parts.append("".join(current))
    return parts


Requirement = Callable[[Mapping[str, str]], bool]


class LabelSelector:
    """A parsed label selector; ``matches(labels)`` is true when every requirement holds."""

    __slots__ = ("text", "_reqs")

    def __init__(self, text: str, reqs: Sequence[Requirement]) -> None:
        self.text = text
        self._reqs = tuple(reqs)

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector | None:
        """Parse ``text``; None or blank means "everything" and returns None."""
        if text is None or not text.strip():
            return None
        return cls(text, [cls._requirement(term.strip()) for term in _split_top_level(text)])

    @staticmethod
    def _requirement(term: str) -> Requirement:
        if not term:
            raise SelectorError("unable to parse requirement: found '', expected: identifier")
        if term.startswith("!"):
            key = _check_key(term[1:].strip())
            return lambda labels: key not in labels
        m = _SET_RE.match(term)
        if m:
            key = _check_key(m.group(1))
            values = frozenset(_check_value(v.strip()) for v in m.group(3).split(","))
            if m.group(2) == "in":
                return lambda labels: labels.get(key) in values
            return lambda labels: labels.get(key) not in values
        m = _OP_RE.match(term)
        if m:
            key, op, value = _check_key(m.group(1)), m.group(2), m.group(3).strip()
            if op in ("=", "=="):
                _check_value(value)
                return lambda labels: labels.get(key) == value
            if op == "!=":
                _check_value(value)
                return lambda labels: labels.get(key) != value
            try:
                bound = int(value)
            except ValueError:
                raise SelectorError(
                    f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be "
                    f"an integer: {value!r}"
                ) from None
            greater = op == ">"

            def compare(labels: Mapping[str, str]) -> bool:
                try:
                    have = int(labels[key])
                except (KeyError, ValueError):
                    return False
                return have > bound if greater else have < bound

            return compare
        if re.match(r"^\S+$", term):
            key = _check_key(term)
            return lambda labels: key in labels
        raise SelectorError(f"unable to parse requirement: cannot understand {term!r}")

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(req(labels) for req in self._reqs)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 >= len(value) or value[i + 1] not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence in {value!r}")
            out.append(value[i + 1])
            i += 2
            continue
        if ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped {ch!r} in {value!r}")
        out.append(ch)
        i += 1
    return "".join(out)


def _find_unescaped(term: str, op: str) -> int:
    i = 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        if term.startswith(op, i):
            return i
        i += 1
    return -1


class FieldSelector:
    """A parsed field selector: a list of ``(field, equal?, value)`` terms, all must hold."""

    __slots__ = ("text", "terms")

    def __init__(self, text: str, terms: Sequence[tuple[str, bool, str]]) -> None:
        self.text = text
        self.terms = tuple(terms)

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector | None:
        if text is None or not text.strip():
            return None
        terms: list[tuple[str, bool, str]] = []
        for raw in _split_unescaped(text, ","):
            term = raw.strip()
            if not term:
                continue
            for op in ("!=", "==", "="):
                at = _find_unescaped(term, op)
                if at > 0:
                    field = term[:at].strip()
                    terms.append((field, op != "!=", _unescape(term[at + len(op) :])))
                    break
            else:
                raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        return cls(text, terms) if terms else None

    def compile(self, supported: Sequence[str]) -> Callable[[Sequence[str]], bool]:
        """Bind the terms to the positions of a resource's field tuple.

        ``supported`` is the resource's ordered field labels; an entry's ``fields`` tuple holds
        the values in that order. Unsupported labels raise ``SelectorError`` as the real
        server's 400 does.
        """
        checks: list[tuple[int, bool, str]] = []
        for field, equal, value in self.terms:
            try:
                checks.append((supported.index(field), equal, value))
            except ValueError:
                raise SelectorError(f"field label not supported: {field}") from None

        def match(fields: Sequence[str]) -> bool:
            return all((fields[i] == v) is eq for i, eq, v in checks)

        return match
