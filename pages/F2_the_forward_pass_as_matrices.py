"""F2 · The forward pass as matrices: X = W · I cell by cell, and errors sent back through Wᵀ."""

import numpy as np
import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.experiments.base import Param
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, page, player

KEY = "mat"
exp = experiments.get("matrix-forward")
_, _, _, DECIMALS = E.MATRIX_PARAMS
INPUTS = [Param(f"I{k}", f"I[{k}] (input {k})", d, ui=(0.0, 1.0, 0.01))
          for k, d in zip((1, 2, 3), exp.param("I").default)]
TARGET = Param("target", "target node (0.99 there, 0.01 elsewhere)", 1, kind="int", ui=(1, 3, 1))
NODES = ["1", "2", "3"]

page.lesson(
    "The forward pass as matrices", "F2",
    "Writing a layer as a matrix turns a tangle of links into one multiplication. Row **j** of "
    "**W_input_hidden** holds the weights of every link *into* hidden node j, so multiplying that row "
    "by the input column **I** gives node j's combined input: **X = W · I**. The sigmoid of each "
    "entry gives the layer's outputs **O**, which are the next layer's inputs. Step through the six "
    "cells below to see each sum built from its products. Going backwards, each output error can be "
    "shared out among its links in proportion to their weights; dropping the division by the row "
    "total leaves just **Wᵀ · error** — nearly the same shares, and a single matrix product.")

c = st.columns(5)
values = []
for col, param in zip(c[:3], INPUTS):
    with col:
        values.append(controls.number_slider(param))
with c[3]:
    decimals = controls.number_slider(DECIMALS)
with c[4]:
    target = controls.number_slider(TARGET)

settings = exp.settings(I=tuple(values), deck_decimals=decimals)
r = exp.shared_run(settings, 1).records[0]
W1, W2 = (np.asarray(W).reshape(3, 3) for W in (settings["W_input_hidden"], settings["W_hidden_output"]))
CELLS = [("hidden", j) for j in range(3)] + [("output", j) for j in range(3)]


def render(i: int) -> None:
    layer, j = CELLS[i]
    lecture = page.lecture()
    hl = (j, None)
    h = 250 if not lecture else 340
    if layer == "hidden":
        mats = [(W1, "W_input_hidden", NODES, NODES, hl), (r["I"][:, None], "I", NODES, ["I"], None),
                (r["X_hidden"][:, None], "X_hidden", NODES, ["X"], (j, 0)),
                (r["O_hidden"][:, None], "O_hidden", NODES, ["O"], (j, 0))]
    else:
        mats = [(W2, "W_hidden_output", NODES, NODES, hl), (r["O_hidden"][:, None], "O_hidden", NODES, ["O"], None),
                (r["X_output"][:, None], "X_output", NODES, ["X"], (j, 0)),
                (r["O_output"][:, None], "O_output", NODES, ["O"], (j, 0))]
    cols = st.columns([3, 1.3, 1.3, 1.3])
    for col, (M, name, rows, cnames, hi) in zip(cols, mats):
        with col:
            zr = (-1.5, 1.5) if name.startswith("X") else (-1.0, 1.0)
            st.plotly_chart(figs.matrix_heatmap(M, name, rows=rows, cols=cnames, highlight=hi, zrange=zr,
                                                lecture=lecture, height=h),
                            key=f"{KEY}_{name}", config={"displayModeBar": False})
    W, I, X, I_name = (W1, r["I"], "X_hidden", "I") if layer == "hidden" else (W2, r["O_hidden"], "X_output", "O_hidden")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(figs.cell_products(W, I, j, X_name=X, I_name=I_name, lecture=lecture),
                        key=f"{KEY}_products", config={"displayModeBar": False})
    with right:
        O = r["O_hidden"] if layer == "hidden" else r["O_output"]
        st.markdown(f"**{X}[{j + 1}]** = row {j + 1} of {'W_input_hidden' if layer == 'hidden' else 'W_hidden_output'} "
                    f"· {I_name} = **{figs.num(r[X][j], 6)}**  \n"
                    f"**{X.replace('X', 'O')}[{j + 1}]** = sigmoid({figs.num(r[X][j], 6)}) = **{figs.num(O[j], 6)}**")
        d = r["deck"]
        st.markdown(f"The deck, rounding O_hidden to {decimals} decimals before the next layer:  \n"
                    f"X_output = {', '.join(f'{v:.{decimals}f}' for v in d['X_output'])}  \n"
                    f"O_output = {', '.join(f'{v:.{decimals}f}' for v in d['O_output'])}")


player.player(KEY, len(CELLS), render, label="cell (hidden 1–3, then output 1–3)")

st.subheader("Sending the output error back: in proportion, or through Wᵀ")
T, errors = figs.one_hot_errors(r["O_output"], target - 1)
left, mid, right = st.columns([1.2, 1.2, 3])
with left:
    st.plotly_chart(figs.matrix_heatmap(T[:, None], "T (target)", rows=NODES, cols=["T"], lecture=page.lecture(),
                                        height=250), key=f"{KEY}_T", config={"displayModeBar": False})
with mid:
    st.plotly_chart(figs.matrix_heatmap(errors[:, None], "error_output", rows=NODES, cols=["E"],
                                        lecture=page.lecture(), height=250),
                    key=f"{KEY}_E", config={"displayModeBar": False})
with right:
    st.plotly_chart(figs.error_split(W2, errors, lecture=page.lecture()), key=f"{KEY}_split",
                    config={"displayModeBar": False})
st.caption("The two ways differ only in the division: each row of W_hidden_output sums to between 1.3 and "
           "1.8 here, so the shortcut hands back shares about that much larger, in the same proportions "
           "within each row. A rescaling like this is largely absorbed by the learning rate.")
with st.expander("The log, at full precision and as the deck rounds it"):
    lines = list(exp.log(exp.shared_run(settings, 1), settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, [r], lines)
