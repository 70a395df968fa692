"""C3 · Backpropagation: a hidden layer learns the no-correlation lights, one phase at a time."""

import streamlit as st

from gdviz import experiments
from gdviz.core import backprop as bp
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import arithmetic, controls, downloads, page, player, presets

KEY = "bp"
exp = experiments.get("backprop")
FLOOR = 1.0

page.lesson(
    "Backpropagation", "C3",
    "The lights of C2 again, now with a **hidden layer** between the lamps and the answer. Each hidden "
    "node makes its own weighted sum of the lamps, and **relu** switches it off (to 0) whenever that "
    "sum is negative. So a node can answer a question like *“is the left lamp on but not the middle "
    "one?”* — a new column that *does* correlate with walking. Learning one example takes four "
    "phases: **forward** (values flow from the lamps to the prediction), **compare** (the output's "
    "miss, `layer_2_delta`), **backward** (each hidden node gets the miss times its weight to the "
    "output — none if relu had it off) and **update** (every weight moves by alpha × its input × the "
    "delta it feeds). Press **Step** to go one phase at a time.")

presets.buttons([experiments.get(n) for n in ("backprop", "backprop-linear")], KEY, label="Presets")
c = st.columns(5)
with c[0]:
    alpha = controls.number_slider(S.NET_ALPHA)
with c[1]:
    hidden_size = controls.number_slider(S.HIDDEN_SIZE)
with c[2]:
    seed = controls.number_slider(S.SEED)
with c[3]:
    activation = controls.choice_slider(S.ACTIVATION, S.ACTIVATION.choices)
with c[4]:
    iterations = controls.iterations_slider(exp.iterations, 200, label="passes (iterations)")

settings = exp.settings(alpha=alpha, hidden_size=hidden_size, seed=seed, activation=activation)
other = "linear" if activation == "relu" else "relu"
run = exp.shared_run(settings, iterations)
run_other = exp.shared_run(exp.settings(alpha=alpha, hidden_size=hidden_size, seed=seed, activation=other),
                         iterations)
page.diverged(run)
lights, goals = S.rows(settings)
ROWS = len(goals)
PER_PASS = ROWS * len(bp.PHASES)
if activation == "linear":
    st.warning("The hidden layer is **linear** (relu off). Two weighted sums in a row are still one "
               "weighted sum — the network is a single layer in disguise, so it fails on these lights "
               "just like C2: the error stays above 1.", icon="⚠")


def show_arithmetic(lines, title: str) -> None:
    """The arithmetic panel, scrolling sideways when its rows are wider than the page."""
    st.markdown(f"**{title}**")
    arithmetic.show(lines, title=None)


def render(i: int) -> None:
    p, rest = divmod(i, PER_PASS)
    p = min(p, len(run) - 1)
    e, ph = divmod(rest, len(bp.PHASES))
    phase = bp.PHASES[ph]
    r = run.records[p]["examples"][e]
    st.markdown(f"Pass {p + 1}, example {e}, phase {ph + 1} of 4:  "
                + "  →  ".join(f"**:orange-background[{x.upper()}]**" if x == phase else x for x in bp.PHASES))
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(figs.network(r, phase, lecture=page.lecture()), key=f"{KEY}_net",
                        config={"displayModeBar": False})
    with right:
        st.plotly_chart(figs.lights(lights, goals, lecture=page.lecture(), highlight=e,
                                    title="The example being learned"),
                        key=f"{KEY}_lights", config={"displayModeBar": False})
    show_arithmetic(S.backprop_arithmetic(r, phase), f"The arithmetic of the {phase} phase")
    st.plotly_chart(figs.error_per_pass([(f"{activation} hidden layer", run.records, run.diverged_at),
                                         (f"{other} hidden layer", run_other.records, run_other.diverged_at)],
                                        p, iterations, lecture=page.lecture(), floor=FLOOR,
                                        title="Error per pass: relu vs linear hidden layer"),
                    key=f"{KEY}_errors", config={"displayModeBar": False})


player.player(KEY, len(run) * PER_PASS, render, label="step (pass × example × phase)")
st.markdown("Edges are coloured by weight (**blue** negative, **vermillion** positive, thicker = larger); "
            "grey hidden nodes were switched off by relu for this example, so they neither pass a value "
            "forward nor take any blame backward. The dashed line on the error chart marks an error of 1: "
            "the relu network dives under it, the linear one cannot.")
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
