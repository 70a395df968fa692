"""E2 · Backpropagation worked example: a 2-1-1 sigmoid network, every number forward and back."""

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "E2"
exp = experiments.get("backprop-worked")
LIVE = tuple(instrument.live(p) for p in E.E2_LIVE)
ITERATIONS = E.e_iterations(20)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.backprop_view, figs.backprop_charts,
                       columns=(("net",),), widths=(1,), more_rows=(((("metrics",), ("errors",)), (2, 3)),),
                       redraw=frozenset({"net"}),
                       simulate=lambda s, n: runs.shared_run(exp, E.backprop_settings(s), n),
                       simulate_many=runs.cached_many(E.backprop_runs))
DECK = {"x1": 0.1, "x2": 0.3, "w1": 0.4, "w2": -0.2, "W": 0.1, "y": 1.0, "learn_rate": 0.5, "iterations": 20}

page.lesson(
    "Backpropagation worked example", "E2",
    "The smallest network with a hidden layer: two inputs feed one hidden sigmoid node, which feeds "
    "one sigmoid output. **Forward**, each node sums its weighted inputs and squashes the sum. The miss "
    "is **error = y − ŷ**, and the chart plots the error **E = ½ (y − ŷ)²** that learning makes smaller. "
    "**Backward**, the output's error term δᵒ = (y − ŷ)·ŷ(1 − ŷ) is sent back along W, and the "
    "hidden node scales what reaches it by its own slope: δʰ = W·δᵒ·a(1 − a). Each weight then moves "
    "by η × (the error term of the node it enters) × (the value flowing in along it). The diagram "
    "shows the exact numbers, with the deck's hand-rounded ones in brackets where they differ. Drag an "
    "input or a weight and watch every number change.")

with page.settings_area():
    presets.row("Preset from the deck", [exp], lambda e: DECK, key="preset_backprop_worked")
    y, learn_rate, iterations = controls.page_row(KEY, E.E2_TARGET, E.E_RATE, ITERATIONS)
settings = {**instrument.read_settings(LIVE, {}), "y": y, "learn_rate": learn_rate}
instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, at full precision (deck: the deck's rounded value where it differs)", exp,
                       E.backprop_settings(settings), iterations)
