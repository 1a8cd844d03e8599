"""How to print: the clock for ages, the width, colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional


@dataclass(frozen=True)
class Style:
    """How to print: the clock for ages, the width, colour."""

    now: datetime
    width: int = 100
    color: bool = False
    all_namespaces: bool = False
    # the terminal's rows: a default sweep table longer than that is folded to fit it
    # (None: never fold — a pipe, a file, --no-fold)
    height: Optional[int] = None


SEVERITY_COLOR = {"critical": "31", "warning": "33", "info": "2"}


def paint(text: str, severity: str, style: Style) -> str:
    if not style.color or severity not in SEVERITY_COLOR:
        return text
    return f"\x1b[{SEVERITY_COLOR[severity]}m{text}\x1b[0m"


def age(moment: datetime | None, now: datetime) -> str:
    """kubectl-style age: 45s, 12m, 3h, 5d."""
    from kubectl_exitwhy.correlate.history import span

    return "-" if moment is None else span((now - moment).total_seconds())
