"""``frozen.replace``, the quick ``dataclasses.replace`` of evidence, verdicts and findings: it
copies the fields instead of calling ``__init__`` again, which is the same object only for a
class without ``__post_init__``, ``InitVar`` or a field left out of ``__init__``. Every
dataclass of the package is held to that here, and the copies are compared with the ones
``dataclasses.replace`` makes."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import warnings
from pathlib import Path

import pytest

import kubectl_exitwhy
from kubectl_exitwhy.engine import diagnose
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.sources.files import FileSource

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _dataclasses() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(kubectl_exitwhy.__path__, "kubectl_exitwhy."):
        if info.name.endswith("__main__"):
            continue
        with warnings.catch_warnings():  # typer's import of click's deprecated names
            warnings.simplefilter("ignore", DeprecationWarning)
            module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_every_dataclass_is_one_that_a_copy_of_its_fields_rebuilds():
    classes = _dataclasses()
    assert len(classes) > 20
    for cls in classes:
        assert "__post_init__" not in vars(cls), cls
        assert "__slots__" not in vars(cls), cls  # the copy goes through __dict__
        for f in dataclasses.fields(cls):
            assert f.init, (cls, f.name)
        hints = " ".join(str(f.type) for f in dataclasses.fields(cls))
        assert "InitVar" not in hints, cls


def _objects():
    """The evidence and diagnoses of every example: pods, containers, events, findings."""
    for path in sorted(EXAMPLES.glob("*.json")) + sorted(EXAMPLES.glob("*.yaml")):
        try:
            pods = list(FileSource(str(path)).sweep(None, None, True))
        except Exception:  # an example that is not a cluster dump (there are none today)
            continue
        for p in pods:
            yield p
            yield from p.containers
            yield from p.events
            d = diagnose(p)
            yield d
            yield from d.findings


def test_a_copy_is_what_dataclasses_replace_makes():
    seen = 0
    for obj in _objects():
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            changed = (value,) if not isinstance(value, tuple) else value[:1]
            for new in (value, changed, None):
                ours = replace(obj, **{f.name: new})
                theirs = dataclasses.replace(obj, **{f.name: new})
                assert type(ours) is type(theirs)
                assert ours == theirs
                assert ours.__dict__ == theirs.__dict__
                assert getattr(obj, f.name) is value  # the original is untouched
                seen += 1
    assert seen > 1000


def test_a_name_that_is_not_a_field_is_refused():
    pod = next(iter(_objects()))
    with pytest.raises(TypeError, match="no field nmae"):
        replace(pod, nmae="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        replace(pod, name="x").name = "y"  # type: ignore[misc]
