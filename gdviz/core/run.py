"""A run is the list of records of its iterations, made by stepping a pure function.

Steps never mutate their state, so a run's history is just its records: stepping back,
scrubbing a timeline and replaying cost nothing. When numbers overflow (inf or nan) the
run stops there and remembers the iteration: the pages say "diverged at iteration k".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gdviz.core.checks import all_finite, count

Record = Mapping[str, Any]
Step = Callable[[Any], tuple[Any, Record]]

#: No run, on any page or in the CLI, goes longer than this: a server shared by a class
#: must not be made to loop for ever by one slider or one URL.
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class Run:
    """What a run produced: one record per iteration (iteration 1 first).

    ``diverged_at`` is the 1-based iteration whose numbers first overflowed (its record is
    the last one kept), or None when every number stayed finite.
    """

    records: tuple[Record, ...]
    diverged_at: int | None = None

    def __len__(self) -> int:
        return len(self.records)

    def column(self, name: str) -> list:
        return [r[name] for r in self.records]


def run(step: Step, state: Any, iterations: int, on_record: Callable[[int], None] | None = None) -> Run:
    """Step ``iterations`` times from ``state``; stop early at the first non-finite record.

    ``on_record(k)``, if given, is called after the k-th record (e.g. to move a progress bar).
    """
    iterations = count("iterations", iterations, lo=1, hi=MAX_ITERATIONS)
    records: list[Record] = []
    for k in range(1, iterations + 1):
        state, record = step(state)
        records.append(record)
        if on_record is not None:
            on_record(k)
        if not all_finite(record):
            return Run(tuple(records), diverged_at=k)
    return Run(tuple(records))


@dataclass(frozen=True)
class LockedRun(Run):
    """A run made read-only where it was made (a batch kernel's): every record a read-only
    mapping, every array over immutable memory, so a cache can keep it as it is. ``nbytes``:
    its estimated size (the arrays' bytes plus Python's objects)."""

    nbytes: int = 0
