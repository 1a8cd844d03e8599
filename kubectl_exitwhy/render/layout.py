"""Column layout shared by the tables: kubectl's shape (upper-case headers, two-space gaps, no
borders), names never shortened. What gives way to the width, in order: the last column (cut
with "…", or left out when too little room is left for it to say anything), then the columns
the caller lists as droppable, in the order given. A row may still be wider than the width when
its names alone are: a name that cannot be pasted is worse than a long line."""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Sequence

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
    droppable: Sequence[str] = (),
) -> tuple[list[str], list[list[str]]]:
    """(the headers kept, the cells of each row padded to their column, header row first).
    ``last``: ``full`` keeps the last column whole; ``fit`` cuts it to the room the width
    leaves, and drops it when that is under ``min_last`` columns."""
    keep = list(range(len(headers)))
    lastcol = len(headers) - 1

    def widths() -> dict[int, int]:
        return {i: max(len(headers[i]), *(len(r[i]) for r in rows)) for i in keep}

    def room() -> int:
        w = widths()
        fixed = [i for i in keep if i != lastcol]
        return width - sum(w[i] for i in fixed) - len(GAP) * len(fixed)

    longest_last = max(len(r[lastcol]) for r in rows)
    if not (last == "full" or room() >= min(min_last, longest_last)):
        keep.remove(lastcol)
        for name in droppable:  # the row now ends at its last kept column
            if room() + len(GAP) >= 0:
                break
            keep.remove(headers.index(name))
    w = widths()
    out = []
    for values in [headers, *rows]:
        cells = [values[i].ljust(w[i]) for i in keep if i != lastcol]
        if lastcol in keep:
            cells.append(values[lastcol] if last == "full" else _cut(values[lastcol], room()))
        out.append(cells)
    return [headers[i] for i in keep], out


def joined(cells: list[str]) -> str:
    return GAP.join(cells).rstrip()
