"""The rule table: every family's ``RULES``, joined in one place, in precedence order.

Adding a cause touches one family module (its rule), ``causes.py`` (its table row), an example
and its test; nothing else.
"""

from __future__ import annotations

from kubectl_exitwhy.rules import (
    budgets,
    config,
    events,
    exits,
    images,
    jobs,
    kills,
    logs,
    memory,
    pod,
    runtime,
    sandbox,
    scheduling,
    signals,
    start,
)
from kubectl_exitwhy.rules.base import POD, RUNNING, SPEC, TERMINATION, WAITING, Rule

FAMILIES = (
    runtime,
    memory,
    budgets,
    start,
    kills,
    signals,
    exits,
    images,
    config,
    pod,
    scheduling,
    events,
    sandbox,
    jobs,
    logs,
)

ALL: tuple[Rule, ...] = tuple(sorted((r for f in FAMILIES for r in f.RULES), key=lambda r: r.order))


def for_scope(scope: str) -> tuple[Rule, ...]:
    return tuple(r for r in ALL if scope in r.scopes)


BY_SCOPE = {scope: for_scope(scope) for scope in (TERMINATION, WAITING, RUNNING, POD, SPEC)}
