"""E2 · Backpropagation worked example: a 2-1-1 sigmoid network, every number forward and back."""

import numpy as np
import streamlit as st

from gdviz import experiments
from gdviz.core import sigmoid_unit as su
from gdviz.experiments import sigmoid as E
from gdviz.experiments.base import Param
from gdviz.figures import one_weight as ofigs
from gdviz.figures import sigmoid as figs
from gdviz.ui import arithmetic, downloads, page, player, presets, sigmoid_unit

KEY = "bp"
exp = experiments.get("backprop-worked")

W1 = Param("w1", "w1 (input 1 → hidden)", 0.4, ui=(-2.0, 2.0, 0.05))
W2 = Param("w2", "w2 (input 2 → hidden)", -0.2, ui=(-2.0, 2.0, 0.05))
WO = Param("W", "W (hidden → output)", 0.1, ui=(-2.0, 2.0, 0.05))
Y = Param("y", "y (target)", 1.0, ui=(0.0, 1.0, 0.01))
DECK = {"x1": 0.1, "x2": 0.3, "w1": 0.4, "w2": -0.2, "W": 0.1, "y": 1.0, "learn_rate": 0.5, "iterations": 20}


page.lesson(
    "Backpropagation worked example", "E2",
    "The smallest network with a hidden layer: two inputs feed one hidden sigmoid node, which feeds "
    "one sigmoid output. **Forward**, each node sums its weighted inputs and squashes the sum. "
    "**Backward**, the output's error term δᵒ = (y − ŷ)·ŷ(1 − ŷ) is sent back along W, and the "
    "hidden node scales what reaches it by its own slope: δʰ = W·δᵒ·a(1 − a). Each weight then moves "
    "by η × (the error term of the node it enters) × (the value flowing in along it). The diagram "
    "shows the exact numbers, with the deck's hand-rounded ones in brackets where they differ.")

presets.row("Preset from the deck", KEY, [(exp.button, "preset_backprop_worked", DECK, exp.summary)])
x, (w1, w2, W), y, learn_rate, iterations = sigmoid_unit.controls_row((W1, W2, WO), Y, iterations=20)

settings = exp.settings(x=x, w=(w1, w2), W=W, y=y, learn_rate=learn_rate)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def _deck(r):
    """The same step as the deck works it by hand (each value rounded before it is used)."""
    if not (np.all(np.isfinite(r["w"])) and np.isfinite(r["W"])):
        return None
    return su.backprop_211(r["x"], r["y"], r["w"], r["W"], r["learn_rate"], su.DECK_DECIMALS)


def render(i: int) -> None:
    r = run.records[i]
    lecture = page.lecture()
    st.plotly_chart(figs.network_211(r, _deck(r), lecture=lecture), key=f"{KEY}_net",
                    config={"displayModeBar": False})
    left, right = st.columns([1, 2])
    with left:
        m = st.columns(2)
        m[0].metric("ŷ", figs.num(r["y_hat"], 4))
        m[1].metric("error", figs.num(r["error"], 4))
        m = st.columns(2)
        m[0].metric("δᵒ", figs.num(r["delta_output"], 3))
        m[1].metric("δʰ", figs.num(r["delta_hidden"], 3))
    with right:
        st.plotly_chart(ofigs.error_per_iteration([("E = ½ (y − ŷ)²", run.records, run.diverged_at)], i, len(run),
                                                  lecture=lecture, key="E"),
                        key=f"{KEY}_errors", config={"displayModeBar": False})
    st.markdown(f"**Forward and backward, term by term, at iteration {i + 1}**")
    arithmetic.show(E.backprop_arithmetic(r), title=None)
    if i == 0:
        st.caption("The deck rounds as it goes (h, a, ŷ, δᵒ and δʰ to 3 decimals, ΔW to 4, Δw to 5) and uses "
                   "each rounded value in the next line, as one does on paper; that is why its numbers "
                   "drift slightly from the exact ones.")


player.player(KEY, len(run), render)
with st.expander("The log, at full precision (deck: the deck's rounded value where it differs)"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
