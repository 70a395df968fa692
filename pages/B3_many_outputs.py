"""B3 · Many outputs: one input feeding several predictions, then a full weight matrix and its errors."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.experiments.base import Param
from gdviz.figures import many_weights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs, surprises

KEY = "B3"
NETWORKS = {"multi-output": "one input → three outputs", "multi-in-out": "three inputs → three outputs"}
NETWORK = Param("network", "network", "multi-in-out", kind="choice", choices=tuple(NETWORKS),
                help="One input (wlrec) predicting three things, or three inputs (toes, wlrec, nfans) "
                     "predicting three things (hurt?, win?, sad?).")
ITERATIONS = 10
RUN_LENGTH = B.iterations_param(ITERATIONS, 100)

page.lesson(
    "Many outputs, many inputs and outputs", "B3",
    "One input can feed several predictions (hurt?, win?, sad?): each output has its own weight, its own "
    "**error** `(pred − true)²` and its own `delta = pred − true`, and each weight learns from its own "
    "output's delta times the input. With three inputs *and* three outputs the weights form a matrix (one "
    "row per output, one column per input) and the rule is the same for every cell: `weight_delta = delta "
    "of its row × input of its column`. Iteration 1 is the book's single update; step on to watch the "
    "matrix settle, or drag a starting weight and watch every iteration change.")


def _other_weights_off(name: str) -> None:
    """A new network: the other network's starting weights leave the link."""
    for other in NETWORKS:
        if other != name:
            for p in B.start_weights(experiments.get(other)):
                if p.name in st.query_params and p.name not in {q.name for q in B.start_weights(experiments.get(name))}:
                    del st.query_params[p.name]


name = controls.page_choice(NETWORK, KEY, format_func=NETWORKS.get, on_change=_other_weights_off)
exp = experiments.get(name)
LIVE = (instrument.live(B.ALPHA),) + tuple(instrument.live(p) for p in B.start_weights(exp))
instrument_slot = st.container()
with page.settings_area():
    presets.row("Presets from the book", [experiments.get(n) for n in NETWORKS],
                lambda e: {"network": e.name, **B.page_link(e, ITERATIONS)})
    iterations = controls.page_slider(RUN_LENGTH, KEY, default=ITERATIONS)
settings = B.named(exp, exp.settings())
settings = {**settings, **instrument.read_settings(LIVE, settings)}
SPEC = instrument.Spec(KEY, exp, LIVE, figs.network_view, figs.network_charts,
                       columns=(("net", "errors"), ("metrics", "weights", "weight_deltas", "new_weights")),
                       widths=(1, 1), simulate=B.named_simulate(exp, runs.simulate(exp)), simulate_many=B.named_simulate_many(exp),
                       redraw=frozenset({"net", "errors", "weights", "weight_deltas", "new_weights"}))
with instrument_slot:
    instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, B.joined(exp, settings), iterations)
first = runs.shared_run(exp, B.joined(exp, settings), iterations).records[0]  # the book's code, with this run's numbers
surprises.show("outer_prod", {"input": first["input"], "delta": first["delta"]})
