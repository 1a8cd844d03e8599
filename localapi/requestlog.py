"""An in-memory (and optionally JSON-lines) log of every request the server answered.

Each record is a dict: ``time`` (epoch seconds when the request arrived), ``method``, ``path``,
``query`` (a dict, last value wins), ``status``, ``bytes`` (response body bytes actually sent,
compressed when the body went gzip: then also ``encoding`` "gzip" and ``raw_bytes``, the body's
size before),
``duration`` (seconds), ``fault`` (the injected fault kinds, comma-separated, or None),
``agent`` (the User-Agent) and, when the request impersonates, ``impersonate``: each
``Impersonate-*`` header's values in order (``{"Impersonate-User": ["bob"], "Impersonate-Group":
["a", "b"]}``, see ``identity``). Tests of an out-of-process server read the JSON-lines file with
``RequestLog.read(path)``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence, overload

__all__ = ["RequestLog", "identity"]

Record = dict[str, Any]
IMPERSONATE = ("Impersonate-User", "Impersonate-Group", "Impersonate-Uid")


def identity(headers: Any) -> Record:
    """What a record keeps of a request's headers beside the User-Agent: the impersonation."""
    found = {name: headers.get_all(name) for name in IMPERSONATE if headers.get_all(name)}
    return {"impersonate": found} if found else {}


class RequestLog(Sequence[Record]):
    """A thread-safe, clearable list of request records; indexing and iteration see a snapshot."""

    def __init__(self, path: Path | str | None = None) -> None:
        self._lock = threading.Lock()
        self._records: list[Record] = []
        self.path = Path(path) if path is not None else None
        self._file = self.path.open("a", encoding="utf-8") if self.path is not None else None

    def record(self, rec: Record) -> None:
        line = json.dumps(rec, separators=(",", ":")) + "\n" if self._file else ""
        with self._lock:
            self._records.append(rec)
            if self._file is not None:
                self._file.write(line)
                self._file.flush()

    def clear(self) -> None:
        """Forget the in-memory records (the JSON-lines file, if any, is left as it is)."""
        with self._lock:
            self._records = []

    def snapshot(self) -> list[Record]:
        with self._lock:
            return list(self._records)

    def find(
        self, *, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[Record]:
        """Records matching all given criteria; ``path`` matches a prefix."""
        return [
            r
            for r in self.snapshot()
            if (method is None or r["method"] == method)
            and (path is None or r["path"].startswith(path))
            and (status is None or r["status"] == status)
        ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        with self._lock:
            return self._records[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self.snapshot())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    @staticmethod
    def read(path: Path | str) -> list[Record]:
        """The records of a JSON-lines request log written by another process."""
        text = Path(path).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
