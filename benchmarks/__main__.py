"""`make bench`: what things cost on this machine, printed as a table.

* one step of every experiment (its run divided by its iterations);
* one rerun of every page after a control change, under Streamlit's AppTest (median of 5).

Speed goals live here, never in timed tests.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdviz import experiments  # noqa: E402
from gdviz.ui.nav import lesson_pages  # noqa: E402


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_experiments() -> list[tuple[str, str, str]]:
    rows = []
    for e in experiments.all_experiments():
        n = min(e.iterations, 50)
        t = timed(lambda: e.run(iterations=n), repeat=3 if n > 5 else 5)
        rows.append((e.name, f"{n}", f"{t / n * 1e6:,.1f} µs"))
    return rows


def bench_pages() -> list[tuple[str, str, str]]:
    from streamlit.testing.v1 import AppTest

    rows = []
    for lp in lesson_pages():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(lp.relpath).run()
        first = timed(lambda: at.run(), repeat=1)
        if at.slider:
            s = at.slider[0]
            values = [s.min, s.max]

            def change(i=[0]):
                at.slider[0].set_value(values[i[0] % 2]).run()
                i[0] += 1
            what = f"slider {s.label!r}"
        else:
            def change():
                at.run()
            what = "rerun"
        t = timed(change, repeat=5)
        rows.append((lp.relpath, what, f"{t * 1e3:,.0f} ms (first {first * 1e3:,.0f} ms)"))
    return rows


def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))


if __name__ == "__main__":
    table("One step of each experiment", ("experiment", "iterations", "per step"), bench_experiments())
    table("One page rerun after a control change (AppTest, median of 5)", ("page", "control", "rerun"),
          bench_pages())
