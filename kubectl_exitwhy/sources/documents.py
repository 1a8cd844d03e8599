"""Saved ``kubectl get -o json|yaml`` output, from bytes to documents.

The text's encoding (UTF-8, with or without its BOM; UTF-16 or UTF-32 as PowerShell's ``>``
writes them), then one JSON document or several one after another, or YAML (``yamldocs.py``).
What Python cannot hold is read as the nearest thing it can: an integer past the 4,300-digit
conversion limit as infinity, a lone UTF-16 surrogate (``"\\ud800"``) as U+FFFD.

One UTF-8 JSON document is first decoded straight from its bytes into the fields the diagnosis
reads (``typed_documents``, ``typed.py``): a 200 MB save then never exists as a Python string,
nor as the dicts of its ``managedFields``. Whatever that decoder refuses is read the plain way.
"""

from __future__ import annotations

import codecs
import gc
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from kubectl_exitwhy.errors import BadInput
from kubectl_exitwhy.sources import typed
from kubectl_exitwhy.sources.plainjson import DIGITS as _DIGITS
from kubectl_exitwhy.sources.plainjson import (
    has_lone_surrogates,
    read_int,
    replace_surrogates,
    utf8,
)

# longest first: UTF-32 LE's BOM begins with UTF-16 LE's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# without a BOM: kubectl's output begins with ASCII ("{", "apiVersion", "-"), so the zero bytes
# of its first character say the encoding
_ZEROS: dict[tuple[bool, ...], tuple[str, str]] = {
    (False, True, False, True): ("utf-16-le", "UTF-16"),
    (True, False, True, False): ("utf-16-be", "UTF-16"),
    (False, True, True, True): ("utf-32-le", "UTF-32"),
    (True, True, True, False): ("utf-32-be", "UTF-32"),
}


def read_bytes(path: str) -> tuple[bytes, str]:
    """The file's bytes and a name for messages; ``-`` is standard input."""
    if path == "-":
        data = sys.stdin.buffer.read()
        label = "standard input"
    else:
        p = Path(path)
        label = path
        if not p.exists():
            raise BadInput(f"{path}: no such file")
        if p.is_dir():
            raise BadInput(f"{path} is a directory, not a file")
        try:
            data = p.read_bytes()
        except OSError as err:
            raise BadInput(f"{path}: cannot read it ({err.strerror or err})") from None
    return data, label


def _encoding(data: bytes) -> tuple[str, str]:
    """The codec and the name of the encoding the file's BOM or first character says."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name
    if len(data) >= 4:
        return _ZEROS.get(tuple(b == 0 for b in data[:4]), ("utf-8", "UTF-8"))
    return "utf-8", "UTF-8"


def decode(data: bytes, label: str) -> str:
    """The text of a file's bytes, in the encoding its BOM or first character says."""
    codec, name = _encoding(data)
    if codec in ("utf-8", "utf-8-sig") and b"\x00" in data[:8192]:
        raise BadInput(f"{label} is binary data, not Kubernetes JSON or YAML")
    try:
        if codec == "utf-8" and _JSON_START.match(data):
            text = data.decode("ascii", errors=_ESCAPES)
        elif codec == "utf-8-sig" and _JSON_START.match(data, len(codecs.BOM_UTF8)):
            text = data[len(codecs.BOM_UTF8) :].decode("ascii", errors=_ESCAPES)
        else:
            text = data.decode(codec)
    except UnicodeDecodeError:
        raise BadInput(f"{label} is not {name} text, not Kubernetes JSON or YAML") from None
    del data
    if not text.lstrip("\ufeff \t\r\n"):
        raise BadInput(f"{label} is empty")
    if "\x00" in text[:8192]:
        raise BadInput(f"{label} is binary data, not Kubernetes JSON or YAML")
    return text


_JSON_START = re.compile(rb"[ \t\r\n]*[{\[]")
_HIGH = re.compile(rb"[\x80-\xff]+")
_ESCAPES = "exitwhy-json-escapes"


def _escaped(err: UnicodeError) -> tuple[str, int]:
    """JSON read as ASCII, each run of other characters as its JSON escapes: Python keeps a
    string in 1, 2 or 4 bytes a character, the widest it holds, so one emoji in a 200 MB save
    made the text 800 MB. Outside a JSON string such characters are an error either way. A byte
    order mark between two saves stays itself: whitespace there."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    run = _HIGH.match(err.object, err.start)
    end = run.end() if run else err.start + 1
    chars = err.object[err.start : end].decode("utf-8")  # else: not UTF-8 after all
    return "".join(c if c == "\ufeff" else _escape(c) for c in chars), end


def _escape(char: str) -> str:
    units = char.encode("utf-16-be")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


codecs.register_error(_ESCAPES, _escaped)


@contextmanager
def _quiet_collector() -> Iterator[None]:
    """A parse makes millions of containers at once, and the cycle collector, run again and
    again over all of them, took longer than the parse itself (60% of a 200 MB JSON's time);
    what was parsed is then frozen, out of the collector's way for the rest of the run (freed
    as usual when nothing refers to it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def typed_documents(data: bytes) -> Optional[list[Any]]:
    """The file's one JSON document, decoded from its UTF-8 bytes (after a BOM, if any) as
    ``typed.FILE``. None: not for this decoder (msgspec missing or switched off, another
    encoding, YAML) or refused by it (several documents, NaN, a lone surrogate, an integer the
    plain path reads as infinity, a typed part of another type): then read it the plain way,
    which reads or refuses it as it always did."""
    start = {"utf-8": 0, "utf-8-sig": len(codecs.BOM_UTF8)}.get(_encoding(data)[0])
    if start is None or not _LIMITS or not _JSON_START.match(data, start):
        return None
    decoder = typed.file_decoder()
    if decoder is None or not utf8(data, start):
        return None
    with _quiet_collector(), _digits_at_most(_DIGITS - 1):
        try:
            doc = decoder(memoryview(data)[start:])
        except RecursionError:
            return None
    return None if doc is None else [doc]


_LIMITS = hasattr(sys, "set_int_max_str_digits")  # 3.11, and the security releases before


@contextmanager
def _digits_at_most(most: int) -> Iterator[None]:
    """msgspec reads an integer exactly up to Python's conversion limit (4,300 digits), where
    the plain path reads one of more than 4,000 characters, a sign included, as infinity: with
    the limit lowered while it decodes, msgspec refuses those instead."""
    was = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(most if was == 0 or was > most else was)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(was)


def parse_documents(text: str, label: str) -> list[Any]:
    with _quiet_collector():
        if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            docs = _json_documents(text, label)
        else:
            from kubectl_exitwhy.sources.yamldocs import yaml_documents

            docs = yaml_documents(text, label)
        if has_lone_surrogates(text):
            replace_surrogates(docs)
    return docs


_BETWEEN = re.compile(r"[\ufeff \t\r\n]*")


def _json_documents(text: str, label: str) -> list[Any]:
    """One JSON document, or several one after another (``kubectl get -o json`` run twice into
    one file, even each with its BOM), as kubectl reads them."""
    decoder = json.JSONDecoder(parse_int=read_int)
    docs: list[Any] = []
    at = _skip(text, 0)
    while at < len(text):
        try:
            doc, at = decoder.raw_decode(text, at)
        except RecursionError:
            raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
        except json.JSONDecodeError as err:
            raise BadInput(
                f"{label} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg});"
                " was it cut short?"
            ) from None
        docs.append(doc)
        at = _skip(text, at)
    return docs


def _skip(text: str, at: int) -> int:
    """Past the whitespace (and byte order marks) between documents."""
    found = _BETWEEN.match(text, at)
    return found.end() if found else at
