"""What printers build Table rows from: column definitions, ages and timestamps.

Ages are rendered at request time, like the real server's: a printer leaves a ``Since`` in a
cell, and ``tables.table_body`` renders it with the request's clock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

__all__ = ["AGE", "NAME", "Since", "age", "col", "epoch", "human_duration"]


def col(name: str, typ: str = "string", priority: int = 0, fmt: str = "", desc: str = "") -> dict:
    """A ``TableColumnDefinition``; priority 1 columns are shown only with ``-o wide``."""
    return {"name": name, "type": typ, "format": fmt, "description": desc, "priority": priority}


NAME = col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = col("Age", desc="CreationTimestamp is a timestamp representing the server time ...")


_MINUTE, _HOUR, _DAY, _YEAR = 60, 3600, 86400, 365 * 86400
# below this many seconds: whole units, then the whole sub-units left over, if any
_STEPS = (
    (2 * _MINUTE, 1, "s", 0, ""),
    (10 * _MINUTE, _MINUTE, "m", 1, "s"),
    (3 * _HOUR, _MINUTE, "m", 0, ""),
    (8 * _HOUR, _HOUR, "h", _MINUTE, "m"),
    (48 * _HOUR, _HOUR, "h", 0, ""),
    (8 * _DAY, _DAY, "d", _HOUR, "h"),
    (2 * _YEAR, _DAY, "d", 0, ""),
    (8 * _YEAR, _YEAR, "y", _DAY, "d"),
)


def human_duration(seconds: float) -> str:
    """``apimachinery/pkg/util/duration.HumanDuration``: 45s, 5m10s, 3h, 2d5h, 400d, 3y20d."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    step = next((step for step in _STEPS if s < step[0]), None)
    if step is None:
        return f"{s // _YEAR}y"
    _, unit, name, sub, sub_name = step
    rest = (s % unit) // sub if sub else 0
    return f"{s // unit}{name}{rest}{sub_name}" if rest else f"{s // unit}{name}"


def epoch(ts: Any) -> float | None:
    if not isinstance(ts, str) or not ts:
        return None
    text = ts.replace("Z", "+00:00")
    if "." in text:  # fromisoformat on 3.9/3.10 wants exactly 3 or 6 fraction digits
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        text = f"{head}.{(digits + '000000')[:6]}{tail[len(digits) :]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


class Since:
    """A cell rendered at request time as the age of ``epoch`` ("<unknown>" if unset)."""

    __slots__ = ("epoch", "prefix", "suffix")

    def __init__(self, epoch: float | None, prefix: str = "", suffix: str = "") -> None:
        self.epoch, self.prefix, self.suffix = epoch, prefix, suffix

    def render(self, now: float) -> str:
        if self.epoch is None:
            return "<unknown>"
        return f"{self.prefix}{human_duration(now - self.epoch)}{self.suffix}"


def age(meta: Mapping[str, Any]) -> Since:
    """The AGE cell: the time since the object's creationTimestamp."""
    return Since(epoch(meta.get("creationTimestamp")))
