"""A3 · Divergence and alpha: overshooting up the walls of a narrow bowl, and alpha taming it."""

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "A3"
exp = experiments.get("divergence")
LIVE = (instrument.live(A.WEIGHT), instrument.live(A.INPUT), instrument.live(A.GOAL), instrument.live(A.ALPHA),
        instrument.live(A.COMPARE_ALPHA))
ITERATIONS = A.iterations_param(exp.iterations, 200)
DEFAULTS = {**exp.defaults, "compare_alpha": A.COMPARE_ALPHA.default}


def simulate(s, iterations):
    sa, sb = A.pair_settings(s)
    return figs.Pair(runs.shared_run(exp, sa, iterations), runs.shared_run(exp, sb, iterations))


def simulate_many(many, iterations):
    pairs = [A.pair_settings(s) for s in many]
    made = exp.runs([p[0] for p in pairs] + [p[1] for p in pairs], iterations)
    return [figs.Pair(a, b) for a, b in zip(made[:len(pairs)], made[len(pairs):])]


SPEC = instrument.Spec(KEY, exp, LIVE, figs.divergence_view, figs.divergence_charts,
                       columns=(("bowl_a",), ("bowl_b",)), widths=(1, 1),
                       more_rows=(((("errors",), ("metrics",)), (3, 2)),),
                       simulate=simulate, simulate_many=simulate_many)

page.lesson(
    "Divergence and alpha", "A3",
    "A big input makes a steep, narrow bowl. The slope there is so large that one step jumps right "
    "over the bottom and lands *higher* on the far wall; the next slope is larger still, and the "
    "weight zig-zags outward while the error explodes. Multiplying every step by a small **alpha** "
    "fixes it. Compare your alpha with another one on the same start — try tiny, large and negative "
    "values.")

settings = {**exp.settings(), **instrument.read_settings(LIVE, DEFAULTS)}
with page.settings_area():
    presets.link_buttons([experiments.get(n) for n in ("divergence", "alpha")],
                         iterations_default=exp.iterations, label="Presets from the book")
    iterations = controls.page_slider(ITERATIONS, KEY, default=exp.iterations)
instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, A.pair_settings(settings)[0], iterations)
