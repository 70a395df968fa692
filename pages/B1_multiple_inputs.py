"""B1 · Multiple inputs: one error curve per weight, and which weight makes a big alpha diverge."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.figures import many_weights as figs
from gdviz.figures.theme import num
from gdviz.ui import arithmetic, controls, downloads, page, player, presets

KEY = "mi"
ALPHA_CHOICES = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3)
exp = experiments.get("multi-input")

page.lesson(
    "Gradient descent with many inputs", "B1",
    "Three inputs (toes, wlrec, nfans) each have a weight (a, b, c); the prediction is their weighted "
    "sum, so there is **one** error and **one** `delta` for all three. Each weight still gets its own "
    "`weight_delta = delta × its input`. Below, each chart cuts the error along one weight while the other "
    "two stay where they are. All three charts share the same scales, so compare them: the input of "
    "**a** is 8.5, far larger than 0.65 and 1.2, so its curve is the steepest and **a** takes the biggest "
    "steps. Raise alpha until the run blows up, and look at which weight is jumping furthest.")

presets.buttons([experiments.get(n) for n in ("multi-input", "multi-input-diverge")], KEY,
                label="Presets from the book")
c = st.columns(2)
with c[0]:
    alpha = controls.choice_slider(B.ALPHA, ALPHA_CHOICES)
with c[1]:
    iterations = controls.iterations_slider(exp.iterations, 100)

settings = exp.settings(alpha=alpha)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def render(i: int) -> None:
    r = run.records[i]
    lecture = page.lecture()
    st.plotly_chart(figs.slices(run.records, i, lecture=lecture), key=f"{KEY}_slices",
                    config={"displayModeBar": False})
    left, right = st.columns([3, 2])
    with left:
        m = st.columns(3)
        m[0].metric("pred", num(r["pred"]))
        m[1].metric("error", num(r["error"], 4))
        m[2].metric("delta", num(r["delta"], 4))
        name, size = figs.biggest_step(r)
        st.markdown(f"This iteration weight **{name}** moves furthest: alpha × weight_delta = **{num(size, 3)}**. "
                    "Its input is the largest, so its weight_delta is the largest — with a big alpha it "
                    "jumps past the bottom of its curve, lands higher on the other side, and the next "
                    "jump is bigger still.")
    with right:
        st.plotly_chart(figs.step_sizes(run.records, i, lecture=lecture), key=f"{KEY}_steps",
                        config={"displayModeBar": False})
    arithmetic.show(B.multi_input_arithmetic(r), title=f"The arithmetic of iteration {i + 1}")


player.player(KEY, len(run), render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
