"""What one slider move costs the server on a stepped lesson page (issue 16's per-move cost).

In ``make load`` each student on a stepped page (A1–A3, B1–B3, C1–C3) releases a live slider at a
value nobody asked for before; the server then builds the committed run's part
(``instrument._base_json``) and one slider's grid of previews (``instrument._grid``). This
measures that, in process and deterministically: for each page, ``CASES`` fresh settings drawn
with a fixed seed (random live values; on the C pages also random page settings: lesson, mode,
batch_size, hidden_size, seed, activation), every server cache emptied before each one, the CPU
time (``time.process_time``) of ``_base_json`` + ``_grid`` for one random slider.

Printed: per page the median and mean ms, and the class's mean (every page weighted alike, as
``make load`` hands its slider sessions round the pages). ``--profile`` adds a cProfile of
the whole measurement (top functions by total time).

    .venv/bin/python -m benchmarks.movecost [--cases 20] [--seed 16] [--profile]

The pages' Specs are taken from the pages themselves: each page is run once per page setting
under AppTest with ``instrument.show`` replaced by a recorder (nothing is drawn or computed).
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("A1_hot_and_cold", "A2_gradient_descent", "A3_divergence_and_alpha", "B1_multiple_inputs",
         "B2_freezing_weights", "B3_many_outputs", "C1_streetlights", "C2_no_correlation", "C3_backpropagation")
CASES = 20
SEED = 16


def page_query(page: str, rng: random.Random) -> dict:
    """A random page setting (what is not a live slider) for ``page``; {} for pages whose every
    setting is live."""
    if page.startswith("C1"):
        if rng.random() < 0.25:
            return {"lesson": "one"}
        return {"mode": rng.choice(("stochastic", "full", "batch")), "batch_size": str(rng.randint(1, 6))}
    if page.startswith("C2"):
        return {"mode": rng.choice(("stochastic", "full"))}
    if page.startswith("C3"):
        return {"hidden_size": str(rng.randint(1, 8)), "seed": str(rng.randint(0, 20)),
                "activation": rng.choice(("relu", "linear"))}
    return {}


_SPECS: dict = {}


def capture(page: str, query: dict):
    """``(spec, settings, iterations)`` as ``page`` hands them to ``instrument.show`` with the link
    ``query`` (kept per page and link)."""
    k = (page, tuple(sorted(query.items())))
    if k in _SPECS:
        return _SPECS[k]
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    from gdviz.ui import instrument  # noqa: PLC0415

    got = []
    real = instrument.show
    instrument.show = lambda spec, settings, iterations: got.append((spec, dict(settings), iterations)) or settings
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(f"pages/{page}.py")
        at.query_params.update(query)
        at.run()
    finally:
        instrument.show = real
    if not got:
        raise RuntimeError(f"{page} ({query}) drew no instrument: {[e.value for e in at.exception]}")
    _SPECS[k] = got[-1]
    return got[-1]


def cases(n: int = CASES, seed: int = SEED, pages=PAGES):
    """``(page, spec, settings, iterations, slider)`` for ``n`` random fresh settings per page."""
    rng = random.Random(seed)
    out = []
    for page in pages:
        for _ in range(n):
            spec, base, iterations = capture(page, page_query(page, rng))
            settings = {**base, **{lv.name: rng.choice(lv.grid()) for lv in spec.lives}}
            out.append((page, spec, settings, iterations, rng.choice(spec.lives)))
    return out


def clear() -> None:
    """Every cache a move could hit: the shared runs, the grid batches, the number texts."""
    from gdviz.experiments import formatting  # noqa: PLC0415
    from gdviz.ui import runs  # noqa: PLC0415

    for f in (runs._kept, runs._large, runs._batch):
        f.clear()
    runs._HELD.clear()
    formatting._remembered.cache_clear()


def move(spec, settings, iterations, lv, at: int = 0):
    """The parts of one move: the committed run's part (gzipped, as the server keeps it) and one
    slider's grid."""
    from gdviz.ui import instrument  # noqa: PLC0415

    body, n, live_json = instrument._base_json(spec, settings, iterations, False)
    gz = instrument._gzip(body)
    grid = instrument._grid_array(instrument._grid(spec, settings, iterations, min(at, n - 1), lv))
    return body, gz, live_json, grid


def measure(all_cases) -> dict[str, list[float]]:
    per_page: dict[str, list[float]] = {}
    for page, spec, settings, iterations, lv in all_cases:
        clear()
        t = time.process_time()
        move(spec, settings, iterations, lv)
        per_page.setdefault(page, []).append((time.process_time() - t) * 1e3)
    return per_page


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=CASES)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--pages", default="", help="comma-separated page prefixes (default: all nine)")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" notes
    pages = tuple(p for p in PAGES if not a.pages or any(p.startswith(x) for x in a.pages.split(",")))
    all_cases = cases(a.cases, a.seed, pages)
    measure(all_cases[:3])  # imports and first-call set-up out of the figures
    if a.profile:
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        prof = cProfile.Profile()
        per_page = prof.runcall(measure, all_cases)
    else:
        per_page = measure(all_cases)
    print(f"CPU ms per move (base + one slider's grid, fresh setting), {a.cases} settings per page, seed {a.seed}")
    print(f"{'page':28} {'median':>8} {'mean':>8} {'max':>8}")
    for page, ms in per_page.items():
        print(f"{page:28} {statistics.median(ms):8.1f} {statistics.fmean(ms):8.1f} {max(ms):8.1f}")
    means = [statistics.fmean(ms) for ms in per_page.values()]
    print(f"{'class (pages alike)':28} {'':8} {statistics.fmean(means):8.1f}")
    if a.profile:
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
