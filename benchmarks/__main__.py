"""`make bench`: what things cost on this machine, printed as a table.

* one step of every experiment (its run divided by its iterations);
* one rerun of every page after a control change, under Streamlit's AppTest (median and p95 of 12);
* Part D's network: the fast pass against a plain loop from the book, per image vs mini-batch;
* the lecture's MNIST sigmoid network: chunk, epoch, test and back-query costs;
* the lesson instrument's payloads and frame rates, and a run's GIF export (A2, C3).

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


def _values(slider, count: int) -> list:
    """``count`` different values across the slider's range (fewer when it has fewer steps)."""
    lo, hi, step = slider.min, slider.max, slider.step or 1
    steps = int(round((hi - lo) / step))
    picks = sorted({round(i * steps / count) for i in range(1, count + 1)} - {0} or {steps})
    values = [lo + k * step for k in picks]
    return [int(v) for v in values] if isinstance(slider.value, int) else [round(v, 10) for v in values]


def bench_pages() -> list[tuple[str, str, str, str, str]]:
    """Each page's rerun after its first slider moves: to values never seen (every lesson run
    computed afresh) and back and forth between two (the runs shared from the first time)."""
    import logging

    from streamlit.testing.v1 import AppTest

    # AppTest's sessions warn "missing ScriptRunContext" for work done outside a script run
    # (a page's cached data); harmless here, and it buried the table.
    # (Streamlit resets its loggers' levels when it reads its config, so a filter, not a level.)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    rows = []
    undo = shared_script_cache()
    try:
        for lp in lesson_pages():
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            at.switch_page(lp.relpath).run()
            if not at.slider:
                continue
            s = at.slider[0]
            fresh = _values(s, 20)
            pair = [s.min, s.max]
            moves = iter(fresh)

            def move(value):
                at.slider[0].set_value(value).run()

            new = samples(lambda: move(next(moves)), repeat=len(fresh))
            for v in pair:
                move(v)
            seen = samples(lambda i=[0]: (move(pair[i[0] % 2]), i.__setitem__(0, i[0] + 1)), repeat=20)
            goal = goal_of(lp.relpath)
            worst = percentile(new, 95)
            verdict = "" if goal is None else f"p95 < {goal * 1e3:.0f} ms: " + ("met" if worst < goal else "NOT met")
            rows.append((Path(lp.relpath).stem, s.label[:32],
                         f"p50 {statistics.median(new) * 1e3:,.0f} ms, p95 {worst * 1e3:,.0f} ms",
                         f"p50 {statistics.median(seen) * 1e3:,.0f} ms, p95 {percentile(seen, 95) * 1e3:,.0f} ms",
                         verdict))
    finally:
        undo()
    return rows


if __name__ == "__main__":
    table("One step of each experiment", ("experiment", "iterations", "per step"), bench_experiments())
    from benchmarks import mnist_net, mnist_sigmoid

    table("Part D: 784 → hidden → 10 relu network (best of interleaved repeats)", ("what", "detail", "time"),
          mnist_net.rows())
    table("Part F: 784 → hidden → 10 sigmoid network", ("what", "detail", "time"), mnist_sigmoid.rows())
    from benchmarks import instrument

    instrument.main()
    from benchmarks import gif

    print("\nGIF export of a run (in headless Chromium)")
    gif.main([])
    table("One page rerun after its first slider moves (AppTest, compiled once as the server does)",
          ("page", "slider", "to new values (20)", "between two values (20)", "goal (new values)"),
          bench_pages())
