"""A1 · Hot and cold learning: probe the error on both sides of the weight, step a fixed amount."""

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "A1"
exp = experiments.get("hot-cold")
# A1 runs 1101 iterations by default: its grids are coarser than A2's (every 0.1) to stay quick
LIVE = (instrument.live(A.WEIGHT, A.WEIGHT.grid()[::2]), instrument.live(A.INPUT, A.INPUT.grid()[::2]),
        instrument.live(A.GOAL, A.GOAL.grid()[::2]), instrument.live(A.STEP_AMOUNT))
ITERATIONS = A.iterations_param(exp.iterations, 2000)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.hot_cold_view, figs.hot_cold_charts, columns=(("curve",), ("metrics", "errors")))

page.lesson(
    "Hot and cold learning", "A1",
    "The simplest way to learn a weight: predict three times — with the weight, a little above it "
    "and a little below it — and move the weight a fixed **step_amount** toward whichever side gave "
    "the smaller error. No derivative, just trial. Watch how slow a tiny step is, and how a big step "
    "can never land on the goal. The step is always step_amount, however big or small the error is.")

settings = exp.settings(**instrument.read_settings(LIVE, exp.defaults))
with page.settings_area():
    presets.link_buttons([experiments.get(n) for n in ("hot-cold", "hot-cold-overshoot", "hot-cold-stuck")],
                         iterations_default=exp.iterations)
    iterations = controls.page_slider(ITERATIONS, KEY, default=exp.iterations)
run = runs.shared_run(exp, settings, iterations)
instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, settings, iterations, run=run,
                       shown=lambda lines: lines[:60] + (["…"] + lines[-5:] if len(lines) > 65 else lines[60:]))
