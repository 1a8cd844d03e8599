"""A list's metadata read from the head of its body, before the rest has come.

A page of a chunked list names the next one in its ``metadata.continue``; the next page can be
asked for only once that token is known. The API server writes a list's metadata before its
items (``kind``, ``apiVersion``, ``metadata``, ``items``: the field order of ``v1.PodList``
and of every other ``*List`` type, which its JSON serializer keeps), so the token is in the
first few hundred bytes of a page of several megabytes. Read there, the next page is asked for
while this one is still arriving and being unpacked, once the caller waits for this one
(``readahead.py``): the server prepares it meanwhile, instead of idling until this page has been
read, unpacked and split.

``metadata(prefix)`` reads only what it can be sure of: a top-level object whose members up to
``metadata`` are plain strings, numbers or literals, then ``metadata``'s own object, decoded
whole by the same JSON reader as the page. Anything else (``items`` first, an object or an
array before ``metadata``, a key written with escapes, a body that is not JSON) is "not here":
the page is then used as it always was, its token read from the whole body. Whatever the head
said, the page's own metadata, read from the whole body, is what the list goes by: a token
read early that turns out to differ is never used.
"""

from __future__ import annotations

import re
from typing import Any, Union

from kubectl_exitwhy.sources import plainjson

LIMIT = 64 * 1024  # bytes of the head looked at; a list whose metadata runs past it is read late
TRIES = 64  # closing braces tried as the end of the metadata object (each a decode of it)


class _More:
    """The head ends before its metadata does: look again with more of the body."""


MORE = _More()

_OPEN = re.compile(rb"\s*\{")
_KEY = re.compile(rb'\s*"([A-Za-z]*)"\s*:\s*')  # the keys of a list, as the server writes them
_SCALAR = re.compile(rb'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null')
_COMMA = re.compile(rb"\s*,")
# what may still become a key, a scalar or a comma once more of the body has come
_PARTIAL = re.compile(
    rb'\s*(?:"(?:[^"\\]|\\.)*\\?|"[A-Za-z]*"\s*|-|t|tr|tru|f|fa|fal|fals|n|nu|nul)?'
)


def metadata(prefix: bytes) -> Union[dict, None, _More]:
    """The metadata of the list whose body begins with ``prefix``: a dict; None when the head
    does not say it (in a way read here); MORE when ``prefix`` ends before it does."""
    head = prefix[:LIMIT]
    opened = _OPEN.match(head)
    if opened is None:
        return _more_or_none(head, prefix) if not head.strip() else None  # nothing yet
    pos = opened.end()
    while True:
        key = _KEY.match(head, pos)
        if key is None:
            return _more_or_none(head[pos:], prefix)
        pos = key.end()
        if key.group(1) == b"metadata":
            return _object_at(head, pos, prefix)
        if key.group(1) == b"items":
            return None  # items first: the token comes after them
        value = _SCALAR.match(head, pos)
        if value is None:
            return _more_or_none(head[pos:], prefix)
        if value.end() == len(head):  # a number may go on; a comma may follow
            return _more_or_none(b"", prefix)
        comma = _COMMA.match(head, value.end())
        if comma is None:
            return _more_or_none(head[value.end() :], prefix)
        pos = comma.end()


def _object_at(head: bytes, start: int, prefix: bytes) -> Union[dict, None, _More]:
    """The JSON object that starts at ``start``: it ends at the first closing brace up to which
    the text decodes (any brace before that one is in a string or closes an inner object, and
    the text up to it does not decode)."""
    if head[start : start + 1] != b"{":
        return _more_or_none(head[start:], prefix)
    end = head.find(b"}", start)
    for _ in range(TRIES):
        if end < 0:
            break
        try:
            found = plainjson.loads(head[start : end + 1])
        except (ValueError, RecursionError):
            end = head.find(b"}", end + 1)
            continue
        return found if isinstance(found, dict) else None
    return MORE if len(prefix) < LIMIT and end < 0 else None


def _more_or_none(rest: bytes, prefix: bytes) -> Union[None, _More]:
    """MORE when what is left is the start of what was looked for, cut where the head ends,
    and more of the body may come within LIMIT; None otherwise."""
    return MORE if len(prefix) < LIMIT and _PARTIAL.fullmatch(rest) else None


def is_more(value: Any) -> bool:
    return value is MORE
