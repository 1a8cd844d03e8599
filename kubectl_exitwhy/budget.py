"""A container's memory budget: the ceiling its runtime's settings give (``settings.py``)
against the container's memory limit, with the runtime's other needs stated as an assumption.

Verdicts: ``cannot_fit`` (the ceiling alone reaches the limit), ``likely_cannot_fit`` (the
ceiling leaves less than the runtime's documented headroom), ``fits``. The facts (docs/
memory-settings.md gives their sources):
- JVM: ``-Xmx``/``MaxHeapSize`` wins over the percentages; otherwise the heap is
  ``MaxRAMPercentage`` (default 25) of the limit (or of ``MaxRAM``), and on a small limit
  ``MinRAMPercentage`` (default 50) of it. Outside the heap: metaspace (unlimited by default),
  code cache (240 MB reserved), a 1 MiB stack per thread, direct buffers (up to the heap size).
  Headroom: at most 75% of the container's memory for the heap (Microsoft's Java-on-containers
  guidance; OpenJ9's own container default above 2 GB).
- Node.js: ``--max-old-space-size`` (MiB) bounds V8's old space only; the docs' example leaves
  a quarter of the memory (1536 of 2 GiB).
- Go: ``GOMEMLIMIT`` is a soft limit the GC aims at, never the container's; the GC guide leaves
  5–10% headroom. ``GOGC=off`` without it never collects.
- .NET: the GC heap hard limit defaults to 75% of the container's limit; the environment's
  values are hexadecimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kubectl_exitwhy.evidence import Container
from kubectl_exitwhy.frozen import replace
from kubectl_exitwhy.runtimes import MEMORY_ENV
from kubectl_exitwhy.settings import Setting, last, read

CANNOT, LIKELY, FITS = "cannot_fit", "likely_cannot_fit", "fits"
WHAT = {"jvm": "heap", "node": "old space", "go": "Go memory", "dotnet": "GC heap"}
HEAP_SHARE = {"jvm": 0.75, "node": 0.75, "dotnet": 0.75, "go": 0.95}
SMALL_HEAP = 124.8 * (1 << 20)  # HotSpot's MaxHeapSize default on 64-bit: ScaleForWordSize(96M)
WHY_HEADROOM = {
    "jvm": "the JVM needs memory outside the heap (metaspace, code cache, thread stacks, direct "
    "buffers): at most 75% of the container's memory for the heap",
    "node": "V8's young generation, code and Buffers live outside the old space: the Node.js "
    "docs leave a quarter of the memory (1536 of 2 GiB)",
    "go": "GOMEMLIMIT counts only the memory the Go runtime manages: the Go GC guide leaves "
    "5–10% headroom under a container's limit",
    "dotnet": "the GC heap hard limit excludes native memory: .NET's own container default is "
    "75% of the limit",
}


@dataclass(frozen=True)
class Budget:
    runtime: str
    limit: int  # bytes
    ceiling: float  # what the settings let the runtime use, bytes (inf: unbounded)
    setting: Setting  # the one that decides
    how: str  # "80% of the limit"
    verdict: str
    notes: tuple[str, ...] = ()  # settings read but ignored by the runtime, and why
    scales: bool = False  # a share of the limit: a larger limit gives a larger heap, no room
    hidden: tuple[str, ...] = ()  # settings out of sight (ConfigMap, Secret) that may change it

    @property
    def headroom(self) -> float:
        return self.limit * (1 - HEAP_SHARE[self.runtime])

    def line(self) -> str:
        """``heap ceiling 1600Mi of the 2000Mi limit (-XX:MaxRAMPercentage=80 in env
        JAVA_TOOL_OPTIONS, 80% of the limit); 400Mi left outside it, 500Mi assumed needed``."""
        unbounded = self.ceiling == float("inf")
        ceiling = "unbounded in" if unbounded else f"{size(self.ceiling)} of"
        text = (
            f"{WHAT[self.runtime]} ceiling {ceiling} the {size(self.limit)} limit "
            f"({self.setting.text} in {self.setting.where}"
            + (f", {self.how}" if self.how else "")
            + ")"
        )
        left = self.limit - self.ceiling
        if left <= 0:
            return text + "; nothing left for the rest"
        return text + f"; {size(left)} left outside it, {size(self.headroom)} assumed needed"

    def short(self) -> str:
        """The table's detail: ``-XX:MaxRAMPercentage=80: heap 1600Mi of 2000Mi``."""
        if self.ceiling == float("inf"):
            return f"{self.setting.text}: {WHAT[self.runtime]} unbounded, limit {size(self.limit)}"
        return (
            f"{self.setting.text}: {WHAT[self.runtime]} {size(self.ceiling)} of {size(self.limit)}"
        )


def size(value: float) -> str:
    mib = value / (1 << 20)
    if mib >= 1024 and mib % 1024 == 0:
        return f"{int(mib // 1024)}Gi"
    return f"{mib:.0f}Mi" if mib >= 10 else f"{mib:.1f}Mi"


def _verdict(runtime: str, limit: int, ceiling: float) -> str:
    if ceiling >= limit:
        return CANNOT
    return LIKELY if ceiling > limit * HEAP_SHARE[runtime] else FITS


def _jvm(found: list[Setting], limit: int) -> Optional[Budget]:
    jvm = [s for s in found if s.runtime == "jvm" and s.value is not None]
    xmx = last(jvm, "Xmx")
    if xmx is not None:
        assert xmx.value is not None
        return Budget("jvm", limit, xmx.value, xmx, "", _verdict("jvm", limit, xmx.value))
    pct, ram = last(jvm, "MaxRAMPercentage"), last(jvm, "MaxRAM")
    fraction = last(jvm, "MaxRAMFraction")
    support = last(jvm, "UseContainerSupport")
    if support is not None and support.value == 0 and ram is None:
        return None  # the JVM sizes itself from the node's memory, which is not read
    deciding = pct or fraction or ram
    if deciding is None:
        return None  # the defaults (25%) fit any limit
    # an explicit MaxRAM is the memory the JVM sizes itself from, whatever the container's
    base = ram.value if ram is not None and ram.value else limit
    of = "of the limit" if ram is None else f"of MaxRAM {size(base)}"
    if pct is not None and pct.value is not None:
        share = pct.value / 100
    elif fraction is not None and fraction.value:
        share = 1 / fraction.value
    else:
        share = 0.25
    ceiling = base * share
    how = f"{share * 100:g}% {of}"
    small = base * 0.5  # MinRAMPercentage's default: the heap of a small memory
    if small < SMALL_HEAP:
        ceiling, how = small, f"50% {of}: a small memory gets MinRAMPercentage"
    elif ceiling < SMALL_HEAP:
        ceiling, how = SMALL_HEAP, "HotSpot's minimum default heap"
    verdict = _verdict("jvm", limit, ceiling)
    return Budget("jvm", limit, ceiling, deciding, how, verdict, scales=ram is None)


def _node(found: list[Setting], limit: int) -> Optional[Budget]:
    old = last([s for s in found if s.runtime == "node"], "max-old-space-size")
    if old is None or old.value is None:
        return None
    return Budget("node", limit, old.value, old, "", _verdict("node", limit, old.value))


def _go(found: list[Setting], limit: int) -> Optional[Budget]:
    go = [s for s in found if s.runtime == "go"]
    soft, gogc = last(go, "GOMEMLIMIT"), last(go, "GOGC")
    off = gogc is not None and gogc.value == 0
    if soft is not None and soft.value is not None and soft.value != float("inf"):
        verdict = _verdict("go", limit, soft.value)
        if verdict == CANNOT and not off:  # the GC still runs by GOGC: the soft limit only
            verdict = LIKELY  # fails to keep the heap under the container's limit
        how = "with GOGC=off" if off else ""
        return Budget("go", limit, soft.value, soft, how, verdict)
    if off and gogc is not None:  # GOGC=off and no memory limit: never collects
        how = "the GC is off and no GOMEMLIMIT bounds the heap"
        return Budget("go", limit, float("inf"), gogc, how, CANNOT)
    return None


def _dotnet(found: list[Setting], limit: int) -> Optional[Budget]:
    net = [s for s in found if s.runtime == "dotnet"]
    hard, percent = last(net, "GCHeapHardLimit"), last(net, "GCHeapHardLimitPercent")
    if hard is not None and hard.value:
        notes: tuple[str, ...] = ()
        raw = hard.text.split("=", 1)[1].strip()
        if raw.isdigit() and int(raw) <= limit < hard.value:  # meant in decimal, read as hex
            notes = (f"{hard.text} is read as hexadecimal ({size(hard.value)}); in decimal it "
                     f"would be {size(int(raw))}: write 0x{int(raw):X}",)  # fmt: skip
        verdict = _verdict("dotnet", limit, hard.value)
        return Budget("dotnet", limit, hard.value, hard, "read as hexadecimal", verdict, notes)
    if percent is None or percent.value is None:
        return None
    if not 0 < percent.value < 100:  # ignored by the GC: its 75% default applies
        note = (
            f"{percent.text} is read as hexadecimal (0x{int(percent.value):X} = "
            f"{percent.value:g}%), outside 1–99: the GC ignores it and uses 75%"
        )
        return Budget("dotnet", limit, limit * 0.75, percent, "ignored", FITS, (note,))
    ceiling = limit * percent.value / 100
    how = f"read as hexadecimal: {percent.value:g}% of the limit"
    verdict = _verdict("dotnet", limit, ceiling)
    return Budget("dotnet", limit, ceiling, percent, how, verdict, scales=True)


def budget(c: Container, pod_limit: Optional[int] = None) -> Optional[Budget]:
    """The tightest budget among the runtimes whose settings the spec shows; None when no
    setting is visible or no limit applies (then the node's memory is the ceiling)."""
    limit = c.memory_limit or pod_limit
    if not limit or limit <= 0:
        return None
    found = read(c)
    budgets = [b for b in (f(found, limit) for f in (_jvm, _node, _go, _dotnet)) if b]
    order = {CANNOT: 0, LIKELY: 1, FITS: 2}
    chosen = min(budgets, key=lambda b: (order[b.verdict], -b.ceiling), default=None)
    if chosen is None or not c.memory_env_hidden:
        return chosen
    # a setting out of sight may be the runtime's own: a GOMEMLIMIT from a ConfigMap beside a
    # literal GOGC=off, JAVA_TOOL_OPTIONS from envFrom …
    names = [n for n, r in MEMORY_ENV.items() if r == chosen.runtime]
    hidden = tuple(
        h for h in c.memory_env_hidden if h.startswith("envFrom") or h.split()[0] in names
    )
    return replace(chosen, hidden=hidden) if hidden else chosen


def without_limit(c: Container, pod_limit: Optional[int] = None) -> Optional[str]:
    """For a container with no memory limit: what its settings say, against the node's memory
    as the ceiling (a request is not a ceiling). None when it has a limit or shows no setting."""
    if c.memory_limit or pod_limit:
        return None
    shown = [s for s in read(c) if s.flag in ("Xmx", "max-old-space-size", "GOMEMLIMIT")]
    if not shown:
        return None
    s = shown[-1]
    request = f"only a request of {size(c.memory_request)}" if c.memory_request else "nothing"
    ceiling = f"{size(s.value)}" if s.value and s.value != float("inf") else "no bound"
    return (
        f"no memory limit ({request}): the node's memory is the ceiling; {s.text} in "
        f"{s.where} lets the {WHAT[s.runtime]} reach {ceiling}"
    )
