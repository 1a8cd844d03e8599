"""A sweep's pods, read page by page into evidence (``cluster.py``'s ``sweep``).

Each pod is counted once for its workload, in the list's order (a list started again after
410 Gone sends pods again; a server may send a uid twice): the census of "3 of 5 pods". A pod
the pre-filter found plainly healthy (``join.Quiet``, ``triage.py``) is counted and never built;
every other pod is judged by ``needs_diagnosis`` and, where it needs a diagnosis (or with
``--all``), assembled with its events. So memory follows the pods with something to say, not
the size of the cluster.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Optional

from kubectl_exitwhy.evidence import Pod
from kubectl_exitwhy.owners import census_key
from kubectl_exitwhy.sources.join import EventIndex, Quiet, assemble, needs_diagnosis
from kubectl_exitwhy.sources.lookups import _uid
from kubectl_exitwhy.targets import Target

Key = tuple[str, str, str, str]  # owners.census_key


class PodList:
    """What the pages of a pod list added up to: ``built`` (evidence by uid), ``needs_more``
    (the pods whose node and Job may change the diagnosis), ``owner_keys`` (their census keys),
    ``listed`` (pods per census key), ``seen`` (items the list held, the target's or not)."""

    def __init__(
        self,
        events: EventIndex,
        events_known: bool,
        include_healthy: bool,
        target: Optional[Target],
        observed: datetime,
    ) -> None:
        self.events, self.events_known, self.observed = events, events_known, observed
        self.include_healthy, self.target = include_healthy, target
        self.built: dict[str, Pod] = {}
        self.needs_more: set[str] = set()
        self.owner_keys: dict[str, Key] = {}
        self.listed: Counter = Counter()
        self.counted: set[str] = set()
        self.seen = 0

    def add(self, items: list) -> list[Pod]:
        """One page's items; gives the pods of the page that need a diagnosis."""
        self.seen += len(items)
        chosen, keys = [], []
        for p in items:  # each pod counted once, in the list's order
            if not isinstance(p, dict):
                continue
            if isinstance(p, Quiet):  # plainly healthy: counted, never built
                quiet, k = True, p.key
            else:
                quiet, k = False, census_key(p)
            if self.target is not None and not self.target.may_own(k):
                continue
            uid = _uid(p)
            if uid not in self.counted:
                self.counted.add(uid)
                self.listed[k] += 1
            if not quiet:
                chosen.append(p)
                keys.append(k)
        flags = [needs_diagnosis(p, self.events.warned(p)) for p in chosen]
        kept = [i for i, flag in enumerate(flags) if flag or self.include_healthy]
        assembled = assemble(
            [chosen[i] for i in kept],
            self.events,
            events_known=self.events_known,
            observed=self.observed,
        )
        needing = []
        for pod, i in zip(assembled, kept):
            key = pod.uid or f"{pod.namespace}/{pod.name}"
            self.built[key] = pod
            self.owner_keys[key] = keys[i]
            if flags[i]:
                self.needs_more.add(key)
                needing.append(pod)
        return needing
