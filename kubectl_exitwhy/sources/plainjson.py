"""JSON read the plain way (``json.loads``), where a value Python cannot hold is read as the
nearest thing it can rather than refused: an integer past the 4,300-digit conversion limit as
infinity (which every reader treats as unreadable), a lone UTF-16 surrogate (``"\\ud800"``, which
no output encoding can carry) as U+FFFD. Saved files (``documents.py``) and the API server's
answers (``http.py``, and ``typed.py`` when a page is not the shape it declares) both read JSON
this way: a hostile server must not crash a run, nor be called "cut short".
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Union

DIGITS = 4000  # an integer of more characters reads as infinity (read_int)


class TooDeep(ValueError):
    """JSON nested deeper than Python's reader goes (its recursion limit, ~1,000 levels)."""


def too_deep(what: str) -> str:
    """The sentence for an API server's answer that is ``TooDeep``."""
    return f"the API server's answer {what} is nested too deeply to read (over ~1,000 levels)"


def loads(body: Union[bytes, str]) -> Any:
    """``json.loads``, with integers past DIGITS as infinity and lone surrogates as U+FFFD;
    nesting past the reader's recursion limit is ``TooDeep``, a ValueError."""
    try:
        doc = json.loads(body, parse_int=read_int)
    except RecursionError:
        raise TooDeep("nested too deeply") from None
    if _LONE_BYTES.search(body) if isinstance(body, bytes) else has_lone_surrogates(body):
        replace_surrogates([doc])
    return doc


def utf8(data: bytes, start: int = 0) -> bool:
    """Whether ``data`` (from ``start``) is UTF-8, checked a slice at a time (no copy of it).
    msgspec checks the UTF-8 only of the strings it keeps, and its split of a page (``Raw``)
    none: a saved file (``documents.py``) and a pod page (``triage.py``) are checked here."""
    if data.isascii():
        return True
    check = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for at in range(start, len(data), _CHUNK):
            check.decode(view[at : at + _CHUNK])
        check.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


_CHUNK = 1 << 16


def read_int(digits: str) -> Any:
    """JSON integers past Python's 4,300-digit conversion limit are no count anyone meant: they
    read as infinity, which every reader here treats as unreadable."""
    if len(digits) <= DIGITS:
        return int(digits)
    return float("-inf") if digits.startswith("-") else float("inf")


def has_lone_surrogates(text: str) -> bool:
    """The text escapes half of a surrogate pair without the other half."""
    return any(_LONE_ESCAPE.match(text, m.start()) for m in _SURROGATE_ESCAPE.finditer(text))


# JSON's "\ud800" (YAML's too, read by the pure-Python loader): a half of a pair without the
# other half, which no output encoding can carry (after decoding, a pair is one character)
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")  # found fast, then:
_LONE_ESCAPE = re.compile(
    r"\\(?:u|U0000)[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\(?:u|U0000)[dD][c-fC-F]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def fixed(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def replace_surrogates(docs: list[Any]) -> None:
    """Every lone surrogate, in keys and values, becomes U+FFFD (in place; each container once,
    however often YAML aliases repeat it)."""
    seen: set[int] = set()
    stack: list[Any] = [docs]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = fixed(value)
                elif isinstance(value, (list, dict)):
                    stack.append(value)
        elif isinstance(node, dict):
            if any(isinstance(k, str) and _SURROGATE.search(k) for k in node):
                items = [(fixed(k) if isinstance(k, str) else k, v) for k, v in node.items()]
                node.clear()
                node.update(items)
            for key, value in node.items():
                if isinstance(value, str):
                    node[key] = fixed(value)
                elif isinstance(value, (list, dict)):
                    stack.append(value)


_LONE_BYTES = re.compile(rb"\\(?:u|U0000)[dD][89a-fA-F]")  # bytes: a surrogate escape at all
