"""`make bench`: what things cost on this machine, printed as a table.

* one step of every experiment (its run divided by its iterations);
* one rerun of every page after a control change, under Streamlit's AppTest (median and p95 of 12);
* Part D's network: the fast pass against a plain loop from the book, per image vs mini-batch;
* the lecture's MNIST sigmoid network: chunk, epoch, test and back-query costs.

Speed goals live here, never in timed tests.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import samples, table, timed  # noqa: E402
from gdviz import experiments  # noqa: E402
from gdviz.ui.nav import lesson_pages  # noqa: E402

#: Rerun goals (issue 8): the one-weight, many-weight and streetlight pages, and the MNIST pages.
GOALS = {"A": 0.100, "B": 0.100, "C": 0.100}
MNIST_GOAL = 0.300
MNIST_PAGES = ("B5", "D1", "F3")


def percentile(values: list[float], q: float) -> float:
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def bench_experiments() -> list[tuple[str, str, str]]:
    rows = []
    for e in experiments.all_experiments():
        n = min(e.iterations, 50)
        t = timed(lambda: e.run(iterations=n), repeat=3 if n > 5 else 5)
        rows.append((e.name, f"{n}", f"{t / n * 1e6:,.1f} µs"))
    return rows


def goal_of(relpath: str) -> float | None:
    code = Path(relpath).name[:2]
    if code in MNIST_PAGES:
        return MNIST_GOAL
    return GOALS.get(code[0])


def shared_script_cache():
    """AppTest compiles the page afresh on every run (a new ScriptCache each time); the server
    compiles each page once and keeps it. Give AppTest one cache, as the server has, so the
    times below are the app's and not AppTest's. Returns a function that undoes it."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    cache = ScriptCache()
    modules = (app_test, local_script_runner)  # the pages' cache and the runner's
    for m in modules:
        m.ScriptCache = lambda: cache

    def undo():
        for m in modules:
            m.ScriptCache = ScriptCache
    return undo


def bench_pages() -> list[tuple[str, str, str, str]]:
    from streamlit.testing.v1 import AppTest

    rows = []
    undo = shared_script_cache()
    try:
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
            change()  # the first move may fill caches
            times = samples(change, repeat=20)
            p50, p95 = statistics.median(times), percentile(times, 95)
            goal = goal_of(lp.relpath)
            verdict = "" if goal is None else f"p95 < {goal * 1e3:.0f} ms: " + ("met" if p95 < goal else "NOT met")
            rows.append((lp.relpath, what[:40], f"p50 {p50 * 1e3:,.0f} ms, p95 {p95 * 1e3:,.0f} ms "
                         f"(first {first * 1e3:,.0f} ms)", verdict))
    finally:
        undo()
    return rows


if __name__ == "__main__":
    table("One step of each experiment", ("experiment", "iterations", "per step"), bench_experiments())
    from benchmarks import mnist_net, mnist_sigmoid

    table("Part D: 784 → hidden → 10 relu network (best of interleaved repeats)", ("what", "detail", "time"),
          mnist_net.rows())
    table("Part F: 784 → hidden → 10 sigmoid network", ("what", "detail", "time"), mnist_sigmoid.rows())
    table("One page rerun after a control change (AppTest, 20 reruns, compiled once as the server does)",
          ("page", "control", "rerun", "goal"), bench_pages())
