"""E1 · The sigmoid unit: the squashing curve, its slope, the chain rule, vanishing gradients."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.experiments.base import Param
from gdviz.figures import one_weight as ofigs
from gdviz.figures import sigmoid as figs
from gdviz.ui import arithmetic, downloads, page, player, presets, sigmoid_unit

KEY = "sig"
exp = experiments.get("sigmoid-unit")

W1 = Param("w1", "w1 (weight 1)", -0.8, ui=(-2.0, 2.0, 0.05))
W2 = Param("w2", "w2 (weight 2)", 0.5, ui=(-2.0, 2.0, 0.05))
Y = Param("y", "y (target)", 0.2, ui=(0.0, 1.0, 0.01))
DECK = {"x1": 0.1, "x2": 0.3, "w1": -0.8, "w2": 0.5, "y": 0.2, "learn_rate": 0.5, "iterations": 30}


page.lesson(
    "The sigmoid unit", "E1",
    "A sigmoid unit adds up its weighted inputs into **h**, then squashes h into a number between "
    "0 and 1: the prediction **ŷ = f(h)**. To learn, it needs to know how the error changes when a "
    "weight changes. The chain rule answers in three links: the error's change with ŷ "
    "(**y − ŷ**), ŷ's change with h (the sigmoid's slope **f'(h) = ŷ(1 − ŷ)**), and h's change with "
    "the weight (the input **xᵢ**). Their product, with the learning rate, is the step "
    "**Δwᵢ = η δ xᵢ** where **δ = (y − ŷ) f'(h)**. Watch the slope: it is never above 0.25, and "
    "it all but vanishes when |h| is large.")

presets.row("Preset from the deck", KEY, [
    ("Deck: x [0.1, 0.3], w [−0.8, 0.5], y 0.2", "preset_sigmoid_unit", DECK, exp.summary)])
x, w, y, learn_rate, iterations = sigmoid_unit.controls_row((W1, W2), Y, iterations=30)

settings = exp.settings(x=x, w=w, y=y, learn_rate=learn_rate)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def render(i: int) -> None:
    r = run.records[i]
    lecture = page.lecture()
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(figs.sigmoid_curves(r["h"], lecture=lecture), key=f"{KEY}_curves",
                        config={"displayModeBar": False})
    with right:
        m = st.columns(3)
        m[0].metric("h", figs.num(r["h"], 4))
        m[1].metric("ŷ", figs.num(r["y_hat"], 4))
        m[2].metric("f'(h)", figs.num(r["f_prime"], 4))
        st.plotly_chart(ofigs.error_per_iteration([("E = ½ (y − ŷ)²", run.records, run.diverged_at)], i, len(run),
                                                  lecture=lecture, key="E"),
                        key=f"{KEY}_errors", config={"displayModeBar": False})
    if r["f_prime"] < 0.05:
        st.info("The unit is **saturated**: h is far from 0, the slope f'(h) is nearly flat, so δ and every "
                "Δw are tiny whatever the error. Smaller weights (or inputs) bring h back to the steep middle.",
                icon="🧊")
    arithmetic.show(E.unit_arithmetic(r), title=f"The chain rule, term by term, at iteration {i + 1}")


player.player(KEY, len(run), render)

st.subheader("Why deep sigmoid networks learn slowly: the vanishing gradient")
left, right = st.columns([2, 3])
with left:
    st.plotly_chart(figs.vanishing((1, 2, 5), lecture=page.lecture()), key=f"{KEY}_vanishing",
                    config={"displayModeBar": False})
with right:
    st.markdown(
        "Sending an error back through a sigmoid layer multiplies it by that layer's slope, and the "
        "slope is at most **0.25** (at h = 0). So one layer keeps at most a quarter of the signal, two "
        "layers a sixteenth, five layers less than a thousandth — before the weights even come in. "
        "The layers nearest the input hear almost nothing about the error and barely learn. This is "
        "why the weights are started small (normal with standard deviation 1/√n for n inputs): h "
        "then lands near 0, where the slope is largest.")
with st.expander("The log, at full precision"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
