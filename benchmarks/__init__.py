"""Benchmarks (`make bench`, `make load`): what things cost on this machine, printed as tables."""

from __future__ import annotations

import statistics
import time


def samples(fn, repeat: int) -> list[float]:
    """Seconds taken by each of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def timed(fn, repeat: int = 5) -> float:
    """The median of ``repeat`` calls of ``fn``, in seconds."""
    return statistics.median(samples(fn, repeat))


def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
