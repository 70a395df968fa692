"""B1 · Multiple inputs: one error curve per weight, and which weight makes a big alpha diverge."""

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.figures import many_weights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs, surprises

KEY = "B1"
exp = experiments.get("multi-input")
LIVE = (instrument.live(B.ALPHA),) + tuple(instrument.live(p) for p in B.start_weights(exp))
ITERATIONS = B.iterations_param(exp.iterations, 100)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.multi_input_view, figs.multi_input_charts,
                       columns=(("slices",), ("metrics", "steps")), widths=(5, 2),
                       simulate=B.named_simulate(exp, runs.simulate(exp)), simulate_many=B.named_simulate_many(exp),
                       redraw=frozenset({"steps"}))

page.lesson(
    "Gradient descent with many inputs", "B1",
    "Three inputs (toes, wlrec, nfans) each have a weight (a, b, c); the prediction is their weighted "
    "sum, so there is **one** error and **one** `delta` for all three. Each weight still gets its own "
    "`weight_delta = delta × its input`. Below, each chart cuts the error along one weight while the other "
    "two stay where they are (the **error** is `(pred − true)²`). All three charts share the same scales, "
    "so compare them: the input of **a** (toes, 8.5) is far larger than 0.65 and 1.2, so its curve is the "
    "steepest and **a** takes the biggest steps. Drag alpha up until the run blows up and watch which "
    "weight jumps furthest; drag a starting weight and watch the whole run change.")

with page.settings_area():
    presets.row("Presets from the book", [experiments.get(n) for n in ("multi-input", "multi-input-diverge")],
                lambda e: B.page_link(e, e.iterations))
    iterations = controls.page_slider(ITERATIONS, KEY, default=exp.iterations)
settings = B.named(exp, exp.settings())
settings = {**settings, **instrument.read_settings(LIVE, settings)}
instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, B.joined(exp, settings), iterations)
first = runs.shared_run(exp, B.joined(exp, settings), iterations).records[0]  # the book's code, with this run's numbers
surprises.show("weight_deltas", {"input": first["input"], "delta": first["delta"], "weight_deltas": first["weight_deltas"]})
