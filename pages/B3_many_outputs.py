"""B3 · Many outputs: one input feeding several predictions, then a full weight matrix and its errors."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.experiments.base import Param
from gdviz.figures import many_weights as figs
from gdviz.ui import arithmetic, controls, downloads, page, player

KEY = "mo"
ALPHA_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0)
NETWORKS = {"multi-output": "one input → three outputs", "multi-in-out": "three inputs → three outputs"}
NETWORK = Param("network", "network", "multi-in-out", kind="choice", choices=tuple(NETWORKS),
                help="One input (wlrec) predicting three things, or three inputs predicting three things.")
ITERATIONS = 10

page.lesson(
    "Many outputs, many inputs and outputs", "B3",
    "One input can feed several predictions (hurt?, win?, sad?): each output has its own weight, its own "
    "error and its own `delta`, and each weight learns from its own output's delta times the input. With "
    "three inputs *and* three outputs the weights form a matrix — one row per output, one column per "
    "input — and the rule is the same for every cell: `weight_delta = delta of its row × input of its "
    "column`. Iteration 1 is the book's single update; step on to watch the matrix settle.")


def _preset(values: dict) -> None:
    controls.set_values(values)
    player.reset(KEY)


row = st.container(horizontal=True, vertical_alignment="center", gap="small")
row.markdown("**Presets from the book:**")
for name in NETWORKS:
    e = experiments.get(name)
    row.button(e.button, key=f"preset_{name}", on_click=_preset, help=e.summary,
               args=({"network": name, "alpha": e.settings()["alpha"], "iterations": ITERATIONS},))

c = st.columns(3)
with c[0]:
    name = controls.choice_slider(NETWORK, tuple(NETWORKS))
    st.caption(NETWORKS[name])
with c[1]:
    alpha = controls.choice_slider(B.ALPHA, ALPHA_CHOICES)
with c[2]:
    iterations = controls.iterations_slider(ITERATIONS, 100)

exp = experiments.get(name)
settings = exp.settings(alpha=alpha)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def render(i: int) -> None:
    lecture = page.lecture()
    recs = run.records
    top = st.columns([3, 2])
    with top[0]:
        st.plotly_chart(figs.network(recs, i, lecture=lecture), key=f"{KEY}_net", config={"displayModeBar": False})
    with top[1]:
        st.plotly_chart(figs.output_errors(recs, i, lecture=lecture), key=f"{KEY}_err",
                        config={"displayModeBar": False})
    h = st.columns(3)
    for col, key, title in ((h[0], "weights", "weights (before the update)"),
                            (h[1], "weight_deltas", "weight_deltas = delta × input"),
                            (h[2], "new_weights", "weights after the update")):
        with col:
            scale = "weights" if key != "weight_deltas" else None
            st.plotly_chart(figs.heatmap(recs, i, key, lecture=lecture, title=title, scale_key=scale),
                            key=f"{KEY}_{key}", config={"displayModeBar": False})
    lines = B.matrix_arithmetic(recs[i], digits=3 if lecture else None, short=lecture)
    # two tables, so the long rows of the matrix do not widen the short ones
    arithmetic.show([ln for ln in lines if ln.phase in ("predict", "compare")],
                    title=f"The arithmetic of iteration {i + 1}: predict, compare")
    arithmetic.show([ln for ln in lines if ln.phase not in ("predict", "compare")],
                    title="learn, move (one row of the weight matrix per output)")


player.player(KEY, len(run), render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
