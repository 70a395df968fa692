"""A2 · Gradient descent on one weight: the error bowl, its slope, and the three effects of input."""

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "A2"
exp = experiments.get("gradient-descent")
LIVE = (instrument.live(A.WEIGHT), instrument.live(A.INPUT), instrument.live(A.GOAL), instrument.live(A.ALPHA))
ITERATIONS = A.iterations_param(exp.iterations, 200)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.gd_view, figs.gd_charts, columns=(("bowl",), ("metrics", "errors")))

page.lesson(
    "Gradient descent on one weight", "A2",
    "For every possible weight there is an error: together they make a bowl. The **slope** of the bowl "
    "under the current weight tells both which way to go (its sign) and how far (its size). Gradient "
    "descent moves the weight against the slope: `weight -= alpha * weight_delta`, where "
    "`weight_delta = delta * input`. Multiplying by **input** has three effects you can try below: "
    "input 0 **stops** learning, a negative input **reverses** the direction, a big input **scales** "
    "the step up. Drag any slider and watch the whole run change under your finger.")

settings = exp.settings(**instrument.read_settings(LIVE, exp.defaults))
with page.settings_area():
    presets.link_buttons([experiments.get(n) for n in ("gradient-descent", "several-steps")],
                         iterations_default=exp.iterations, label="Presets from the book")
    presets.link_buttons([experiments.get(n) for n in ("stopping", "negative-reversal", "scaling")],
                         iterations_default=exp.iterations,
                         label="The three effects of input")
    iterations = controls.page_slider(ITERATIONS, KEY, default=exp.iterations)
run = runs.shared_run(exp, settings, iterations)
instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, settings, iterations, run=run)
