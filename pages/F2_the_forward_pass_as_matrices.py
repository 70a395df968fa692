"""F2 · The forward pass as matrices: X = W · I cell by cell, and errors sent back through Wᵀ."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, instrument, page, runs

KEY = "F2"
exp = experiments.get("matrix-forward")
LIVE = tuple(instrument.live(p) for p in E.F2_LIVE)
NODES = ["1", "2", "3"]

page.lesson(
    "The forward pass as matrices", "F2",
    "Writing a layer as a matrix turns a tangle of links into one multiplication. Row **j** of "
    "**W_input_hidden** holds the weights of every link *into* hidden node j, so multiplying that row "
    "by the input column **I** gives node j's combined input: **X = W · I**. The sigmoid of each "
    "entry gives the layer's outputs **O**, which are the next layer's inputs. Step through the six "
    "cells to see each sum built from its products, and drag an input to watch both layers change. "
    "Going backwards, each output error can be shared out among its links in proportion to their "
    "weights; dropping the division by the row total leaves just **Wᵀ · error** — nearly the same "
    "shares, and a single matrix product.")

with page.settings_area():
    decimals = controls.page_slider(E.F2_DECIMALS, KEY)
settings = {**instrument.read_settings(LIVE, {}), "deck_decimals": decimals}
exp_settings = E.matrix_settings(settings)
W1, W2 = E.matrix_weights(exp_settings)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.matrix_view_of(W1, W2, decimals), figs.matrix_charts,
                       columns=(("matrices",), ("metrics", "products")), widths=(3, 2), unit="cell",
                       redraw=frozenset({"matrices", "products"}),
                       simulate=lambda s, n: runs.shared_run(exp, E.matrix_settings(s), n),
                       simulate_many=runs.cached_many(E.matrix_runs))
instrument.show(SPEC, settings, len(E.CELLS))

st.subheader("Sending the output error back: in proportion, or through Wᵀ")
target = controls.page_slider(E.F2_TARGET, KEY)
run = runs.shared_run(exp, exp_settings, 1)
r = run.records[0]
T, errors = E.one_hot_errors(r["O_output"], target - 1)
lecture = page.lecture()
left, mid, right = st.columns([1.2, 1.2, 3])
with left:
    st.plotly_chart(figs.matrix_heatmap(T[:, None], "T (target)", rows=NODES, cols=["T"], lecture=lecture,
                                        height=250), key=f"{KEY}_T", config=page.CHART_CONFIG)
with mid:
    st.plotly_chart(figs.matrix_heatmap(errors[:, None], "error_output<br>= T − O_output", rows=NODES, cols=["E"],
                                        lecture=lecture, height=280),
                    key=f"{KEY}_E", config=page.CHART_CONFIG)
with right:
    st.plotly_chart(figs.error_split(W2, errors, lecture=lecture), key=f"{KEY}_split",
                    config=page.CHART_CONFIG)
st.caption("The two ways differ only in the division: each row of W_hidden_output sums to between 1.3 and "
           "1.8 here, so the shortcut hands back shares about that much larger, in the same proportions "
           "within each row. A rescaling like this is largely absorbed by the learning rate.")
with st.expander("The log, at full precision and as the deck rounds it"):
    lines = list(exp.log(run, exp_settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, [r], lines)
