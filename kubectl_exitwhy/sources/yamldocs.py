"""YAML documents, parsed by libyaml's C parser when PyYAML has it (``CSafeLoader``; else the
pure-Python ``SafeLoader``) and built straight from its events (``yamlbuild.py``): SafeLoader's
types, without the node graph PyYAML composes first (30 times the text's size in memory), and
with every alias counted as the nodes it stands for ("billion laughs" are refused)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from kubectl_exitwhy.errors import BadInput

_Base: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """SafeLoader's types, with what Python cannot hold read as the nearest thing it can."""


def _int(loader: Any, node: Any) -> Any:
    """An integer past Python's 4,300-digit conversion limit reads as infinity, as in JSON."""
    text = str(node.value)
    if len(text) > 4000:
        return float("-inf") if text.lstrip().startswith("-") else float("inf")
    return SafeConstructor.construct_yaml_int(loader, node)


def _timestamp(loader: Any, node: Any) -> Any:
    """An unquoted timestamp Python's datetime cannot hold (year 0) stays the text it was."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# libyaml refuses a lone surrogate's escape ("\ud800" in a double-quoted scalar): an escape that
# is not itself escaped is read as U+FFFD instead, as documents.py does for JSON
_LONE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


def yaml_documents(text: str, label: str) -> list[Any]:
    """Every non-empty document of the stream."""
    from kubectl_exitwhy.sources.yamlbuild import Budget, build_documents

    if _LONE.search(text):
        text = _SURROGATE_ESCAPE.sub(r"\1\\uFFFD", text)
    # a document as written has about one node per 10 characters: 20 times that is no honest
    # use of aliases (anchored blocks repeated), and still little to build and walk
    budget = Budget(nodes=2 * len(text) + 100_000, depth=1000)
    loader = _Loader(text)
    try:
        docs = build_documents(loader, budget)
    except Budget.Nodes:
        raise BadInput(
            f'{label} uses YAML aliases that expand far beyond its size (a "billion laughs")'
        ) from None
    except Budget.Depth:
        raise BadInput(f"{label} nests too deeply to be Kubernetes output") from None
    except Budget.Recursive:
        raise BadInput(f"{label} holds a YAML alias inside the node it names") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else ""
        why = "; ".join(x for x in (where, err.problem or "") if x)
        message = f"{label} is neither JSON nor valid YAML" + (f" ({why})" if why else "")
        raise BadInput(message) from None
    except yaml.YAMLError:
        raise BadInput(f"{label} is neither JSON nor valid YAML") from None
    except (ValueError, OverflowError, TypeError):
        raise BadInput(f"{label} holds a YAML value that cannot be read") from None
    finally:
        loader.dispose()
    starts = sum(1 for line in text.splitlines() if line.startswith("apiVersion:"))
    if starts > len(docs):  # two saves appended without ---: YAML keeps the last key, silently
        raise BadInput(
            f"{label} holds {starts} YAML documents run together: put a line --- between "
            "them (or save with -o json, which can be appended as it is)"
        )
    return docs
