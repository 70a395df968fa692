"""E1 · The sigmoid unit: the squashing curve, its slope, the chain rule, vanishing gradients."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "E1"
exp = experiments.get("sigmoid-unit")
LIVE = tuple(instrument.live(p) for p in E.E1_LIVE)
ITERATIONS = E.e_iterations(30)
SPEC = instrument.Spec(KEY, exp, LIVE, figs.unit_view, figs.unit_charts, columns=(("curves",), ("metrics", "errors")),
                       simulate=lambda s, n: runs.shared_run(exp, E.unit_settings(s), n),
                       simulate_many=runs.cached_many(E.unit_runs))
DECK = {"x1": 0.1, "x2": 0.3, "w1": -0.8, "w2": 0.5, "y": 0.2, "learn_rate": 0.5, "iterations": 30}

page.lesson(
    "The sigmoid unit", "E1",
    "A sigmoid unit adds up its weighted inputs into **h**, then squashes h into a number between "
    "0 and 1: the prediction **ŷ = f(h)**. How far off it is, is measured by the error "
    "**E = ½ (y − ŷ)²** (the table below writes `error` for the difference **y − ŷ**, so E = ½ error²). "
    "To learn, the unit needs to know how E changes when a weight changes. The chain rule answers in "
    "three links: E's change with ŷ (**−(y − ŷ)**), ŷ's change with h (the sigmoid's slope "
    "**f'(h) = ŷ(1 − ŷ)**), and h's change with the weight (the input **xᵢ**). With the learning rate "
    "that gives the step **Δwᵢ = η δ xᵢ** where **δ = (y − ŷ) f'(h)**. Drag an input or a weight and "
    "watch the slope: it is never above 0.25, and it all but vanishes when |h| is large.")

with page.settings_area():
    presets.row("Preset from the deck", [exp], lambda e: DECK, key="preset_sigmoid_unit",
                text="Deck: x [0.1, 0.3], w [−0.8, 0.5], y 0.2")
    y, learn_rate, iterations = controls.page_row(KEY, E.E_TARGET, E.E_RATE, ITERATIONS)
settings = {**instrument.read_settings(LIVE, {}), "y": y, "learn_rate": learn_rate}
instrument.show(SPEC, settings, iterations)

st.subheader("Why deep sigmoid networks learn slowly: the vanishing gradient")
left, right = st.columns([2, 3])
with left:
    st.plotly_chart(figs.vanishing((1, 2, 5), lecture=page.lecture()), key=f"{KEY}_vanishing",
                    config=page.CHART_CONFIG)
with right:
    st.markdown(
        "Sending an error back through a sigmoid layer multiplies it by that layer's slope, and the "
        "slope is at most **0.25** (at h = 0). So one layer keeps at most a quarter of the signal, two "
        "layers a sixteenth, five layers less than a thousandth — before the weights even come in. "
        "The layers nearest the input hear almost nothing about the error and barely learn. This is "
        "why the weights are started small (normal with standard deviation 1/√n for n inputs): h "
        "then lands near 0, where the slope is largest.")
downloads.log_expander("The log, at full precision", exp, E.unit_settings(settings), iterations)
