"""C3 · Backpropagation: a hidden layer learns the no-correlation lights, one phase at a time."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs, surprises

KEY = "C3"
exp = experiments.get("backprop")
LIVE = (instrument.live(S.LIVE_NET_ALPHA),)
#: Each pass is shown phase by phase (4 examples × 4 phases): the book's 60 passes are 960 frames
#: (~7 MB with the widest hidden layer); 200 passes were over the server's 16 MB message limit.
PASSES = S.passes_param(exp.iterations, 60)

page.lesson(
    "Backpropagation", "C3",
    "The lights of C2 again, now with a **hidden layer** between the lamps and the answer. Each hidden "
    "node makes its own weighted sum of the lamps, and **relu** switches it off (to 0) whenever that "
    "sum is negative. So a node can answer a question like *“is the left lamp on but not the middle "
    "one?”* — a new column that *does* correlate with walking. Learning one example takes four "
    "phases: **forward** (values flow from the lamps to the prediction), **compare** (the output's "
    "miss, `layer_2_delta`), **backward** (each hidden node gets the miss times its weight to the "
    "output — none if relu had it off) and **update** (every weight moves by alpha × its input × the "
    "delta it feeds). Press **Step** (or →) to go one phase at a time; drag alpha and watch the whole run change.")


def preset(e) -> dict:
    s = e.settings()
    return {"alpha": s["alpha"], "hidden_size": s["hidden_size"], "seed": s["seed"],
            "activation": s["activation"], "iterations": e.iterations}


with page.settings_area():
    presets.row("Presets", [experiments.get(n) for n in ("backprop", "backprop-linear")], preset)
    activation, hidden_size, seed, iterations = controls.page_row(KEY, S.ACTIVATION, S.C_HIDDEN_SIZE, S.C_SEED, PASSES)

settings = exp.settings(hidden_size=hidden_size, seed=seed, activation=activation,
                        **instrument.read_settings(LIVE, exp.defaults))
if activation == "linear":
    st.warning("The hidden layer is **linear** (relu off). Two weighted sums in a row are still one "
               "weighted sum — the network is a single layer in disguise, so it fails on these lights "
               "just like C2: the error stays above 1.", icon=":material/warning:")
NET = figs.network_id(hidden_size)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.backprop_view, figs.backprop_charts,
                       columns=((NET, "errors"), ("metrics", "lights")), widths=(3, 2), unit="step",
                       simulate=lambda s, n: S.activations_run(exp, s, n, simulate=runs.simulate(exp)),
                       simulate_many=S.many(S.activations_run)(exp, runs.simulate(exp), runs.shared_many(exp)), redraw=frozenset({NET}),
                       speed=8)  # two passes a second: each phase stays long enough to be seen
instrument.show(SPEC, settings, iterations)
st.markdown("Edges are coloured by weight (**blue** negative, **vermillion** positive, thicker = larger); "
            "grey hidden nodes were switched off by relu for this example, so they neither pass a value "
            "forward nor take any blame backward. **error** is `(layer_2 − goal_pred)²` for one example; "
            "the error chart adds it up over the four examples of a pass. Its dashed line marks an error "
            "of 1: the relu network dives under it, the linear one cannot.")
both = S.activations_run(exp, settings, iterations, simulate=runs.simulate(exp))
run = both.runs[activation]
frame = min(max(int(st.query_params.get("iteration", "1")) - 1 if st.query_params.get("iteration", "1").isdigit()
                else 0, 0), len(both.records) - 1)
where = both.records[frame]
r = run.records[where["pass"]]["examples"][where["example"]]
if activation == "relu":
    surprises.show("relu2deriv", {"weighted_sum": list(r["layer_1_sum"].ravel()), "layer_1": list(r["layer_1"].ravel())})
downloads.log_expander("The log, as the book prints it", exp, settings, iterations, run=run)
