"""How often exitwhy is right on failure reports that people posted publicly.

Each case in ``corpus/cases/`` re-encodes one public report (a pod, its events, and the log lines
posted with it) with the cause the thread established; ``corpus/README.md`` gives the format. The
objects go through the offline source exactly as ``kubectl exitwhy -f`` reads them, and the
pod's primary finding is compared with the expected cause.

    python -m corpus.accuracy [--verbose] [DIR ...]

prints the rate per evidence class (decided by the status, by the events only, indirectly by the
spec, timing or log, or only outside the cluster), and each miss. Cases whose posted evidence
does not decide the cause are counted apart; silence is counted for every case.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

HERE = Path(__file__).resolve().parent
CLASSES = ("status", "events", "indirect", "outside")


@dataclass(frozen=True)
class Case:
    path: Path
    source: str
    evidence_class: str
    decided: bool
    cause: str
    container: Optional[str]
    objects: list[dict]
    logs: dict[str, list[str]]
    says: tuple[str, ...] = ()  # words the advice must carry (expect.says): the right fix

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Outcome:
    case: Case
    cause: Optional[str]  # the primary finding's cause; None when exitwhy said nothing
    container: Optional[str]
    summary: str
    confidence: str = ""
    severity: str = ""
    advice: str = ""  # the summary and the next steps, where expect.says must be found

    @property
    def right(self) -> bool:
        if self.cause != self.case.cause:
            return False
        if any(word not in self.advice for word in self.case.says):
            return False
        want = self.case.container
        return want is None or self.container is None or self.container == want

    @property
    def silent(self) -> bool:
        return self.cause is None

    @property
    def surely_wrong(self) -> bool:
        """Wrong with high confidence: the worst answer there is."""
        return not self.right and self.confidence == "high"

    @property
    def hidden(self) -> bool:
        """Said only at info severity, so a sweep without --all does not show it."""
        return self.cause is not None and self.severity == "info" and self.case.cause != self.cause


def load(path: Path) -> Case:
    doc: Any = yaml.safe_load(path.read_text())
    expect = doc.get("expect") or {}
    logs = {
        str(k): str(v).splitlines() for k, v in (doc.get("logs") or {}).items() if v is not None
    }
    return Case(
        path=path,
        source=str(doc.get("source", "")),
        evidence_class=str(doc.get("evidenceClass", "")),
        decided=bool(doc.get("decided", True)),
        cause=str(expect.get("cause", "")),
        container=expect.get("container"),
        objects=[o for o in doc.get("objects") or [] if isinstance(o, dict)],
        logs=logs,
        says=tuple(str(w) for w in expect.get("says") or ()),
    )


def cases(dirs: list[Path]) -> list[Case]:
    return [load(p) for d in dirs for p in sorted(d.glob("*.yaml"))]


def run(case: Case) -> Outcome:
    """The case through the offline source and the engine, as ``-f`` would read it."""
    from kubectl_exitwhy.engine import diagnose
    from kubectl_exitwhy.sources.files import FileSource

    pods = [o for o in case.objects if o.get("kind") == "Pod"]
    meta = pods[0].get("metadata") or {} if pods else {}
    key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
    source = FileSource.from_objects(case.objects, case.name, logs={key: case.logs})
    diagnoses = [diagnose(p) for p in source.sweep(None, None, include_healthy=True)]
    findings = [f for d in diagnoses[:1] for f in d.findings]
    if not findings:
        return Outcome(case, None, None, "")
    first = findings[0]
    advice = "\n".join((first.summary, *first.next_steps))
    return Outcome(
        case,
        first.cause,
        first.container,
        first.summary,
        first.confidence,
        first.severity,
        advice,
    )


def report(outcomes: list[Outcome], verbose: bool = False) -> str:
    lines = [
        f"{'evidence class':16} {'decided':>8} {'right':>6} {'rate':>7} {'silent':>7}"
        f" {'wrong+high':>10}   {'undecided':>9} {'silent':>7} {'wrong+high':>10}"
    ]
    for cls in CLASSES + ("all",):
        mine = [o for o in outcomes if cls == "all" or o.case.evidence_class == cls]
        decided = [o for o in mine if o.case.decided]
        undecided = [o for o in mine if not o.case.decided]
        right = sum(o.right for o in decided)
        rate = f"{100 * right / len(decided):.1f}%" if decided else "-"
        lines.append(
            f"{cls:16} {len(decided):>8} {right:>6} {rate:>7} "
            f"{sum(o.silent for o in decided):>7} {sum(o.surely_wrong for o in decided):>10}   "
            f"{len(undecided):>9} {sum(o.silent for o in undecided):>7} "
            f"{sum(o.surely_wrong for o in undecided):>10}"
        )
    misses = [o for o in outcomes if (o.case.decided and not o.right) or o.surely_wrong]
    if misses:
        lines.append("")
        lines.append(f"misses ({len(misses)}):")
        for o in misses:
            got = o.cause or "(silent)"
            where = f" [{o.container}]" if o.container else ""
            want = o.case.cause + (f" [{o.case.container}]" if o.case.container else "")
            sure = f" ({o.confidence})" if o.confidence else ""
            undecided = "" if o.case.decided else " [undecided]"
            lines.append(f"  {o.case.name}{undecided}: want {want}, got {got}{where}{sure}")
            if verbose and o.summary:
                lines.append(f"      {o.summary}")
    return "\n".join(lines)


def rates(outcomes: list[Outcome]) -> dict[str, float]:
    out = {}
    for cls in CLASSES + ("all",):
        decided = [o for o in outcomes if o.case.decided and cls in ("all", o.case.evidence_class)]
        if decided:
            out[cls] = sum(o.right for o in decided) / len(decided)
    return out


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[HERE / "cases"])
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    found = cases(args.dirs)
    if not found:
        print("no cases found", file=sys.stderr)
        return 2
    outcomes = [run(c) for c in found]
    print(f"{len(found)} cases from {', '.join(str(d) for d in args.dirs)}")
    print(report(outcomes, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
