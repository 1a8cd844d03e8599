"""Column layout shared by the tables: kubectl's shape (upper-case headers, two-space gaps, no
borders), names never shortened. Only the last column gives way to the width: cut with "…", or
left out when too little room is left for it to say anything."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from kubectl_exitwhy.correlate.history import span

GAP = "  "


def ago(moment: Optional[datetime], now: datetime) -> str:
    """``3d ago``; ``-`` when unknown."""
    return "-" if moment is None else f"{span((now - moment).total_seconds())} ago"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def lay_out(
    headers: list[str],
    rows: list[list[str]],
    width: int,
    last: str = "fit",
    min_last: int = 24,
) -> list[list[str]]:
    """Cells padded to their column (the last one unpadded), header row first. ``last``:
    ``full`` keeps the last column whole; ``fit`` cuts it to the room the width leaves, and
    drops it when that is under ``min_last`` columns."""
    fixed = len(headers) - 1
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:fixed])]
    room = width - sum(widths) - len(GAP) * fixed
    keep_last = last == "full" or room >= min(min_last, max(len(r[fixed]) for r in rows))
    out = []
    for values in [headers, *rows]:
        cells = [v.ljust(w) for v, w in zip(values[:fixed], widths)]
        if keep_last:
            cells.append(values[fixed] if last == "full" else _cut(values[fixed], room))
        out.append(cells)
    return out


def joined(cells: list[str]) -> str:
    return GAP.join(cells).rstrip()
