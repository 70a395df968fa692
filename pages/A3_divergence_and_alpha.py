"""A3 · Divergence and alpha: overshooting up the walls of a narrow bowl, and alpha taming it."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import arithmetic, controls, downloads, page, player, presets

KEY = "div"
exp = experiments.get("divergence")

page.lesson(
    "Divergence and alpha", "A3",
    "A big input makes a steep, narrow bowl. The slope there is so large that one step jumps right "
    "over the bottom and lands *higher* on the far wall; the next slope is larger still, and the "
    "weight zig-zags outward while the error explodes. Multiplying every step by a small **alpha** "
    "fixes it. Compare your alpha with another one on the same start — try tiny, large and negative "
    "values.")

presets.buttons([experiments.get(n) for n in ("divergence", "alpha")], KEY, label="Presets from the book")
c = st.columns(6)
with c[0]:
    weight = controls.number_slider(A.WEIGHT)
with c[1]:
    input_ = controls.number_slider(A.INPUT, default=2.0)
with c[2]:
    goal_pred = controls.number_slider(A.GOAL)
with c[3]:
    alpha = controls.choice_slider(A.ALPHA, A.ALPHA_CHOICES)
with c[4]:
    alpha_b = controls.choice_slider(A.ALPHA, A.ALPHA_CHOICES, key="compare_alpha", default=0.1,
                                     label="compare with alpha")
with c[5]:
    iterations = controls.iterations_slider(exp.iterations, 200)

run = exp.shared_run(exp.settings(weight=weight, input=input_, goal_pred=goal_pred, alpha=alpha), iterations)
settings_b = exp.settings(weight=weight, input=input_, goal_pred=goal_pred, alpha=alpha_b)
run_b = exp.shared_run(settings_b, iterations)
page.diverged(run, f"with alpha {alpha:g} the run")
page.diverged(run_b, f"with alpha {alpha_b:g} the run")
window = figs.weight_window(run.records + run_b.records, input_, goal_pred)


def render(i: int) -> None:
    cols = st.columns(2)
    for col, rn, a, name in ((cols[0], run, alpha, "a"), (cols[1], run_b, alpha_b, "b")):
        j = min(i, len(rn) - 1)
        r = rn.records[j]
        with col:
            st.plotly_chart(figs.bowl(rn.records, j, lecture=page.lecture(), window=window,
                                      title=f"alpha {a:g}"),
                            key=f"{KEY}_bowl_{name}", config={"displayModeBar": False})
            m = st.columns(3)
            m[0].metric("pred", figs.num(r["pred"]))
            m[1].metric("error", figs.num(r["error"], 4))
            m[2].metric("next weight", figs.num(r["new_weight"], 4))
            if j < i:
                st.caption(f"This run stopped at iteration {rn.diverged_at}.")
    st.plotly_chart(figs.error_per_iteration([(f"alpha {alpha:g}", run.records, run.diverged_at),
                                              (f"alpha {alpha_b:g}", run_b.records, run_b.diverged_at)],
                                             i, iterations, lecture=page.lecture()),
                    key=f"{KEY}_errors", config={"displayModeBar": False})
    with st.expander(f"The arithmetic of iteration {i + 1} with alpha {alpha:g}"):
        arithmetic.show(A.gd_arithmetic(run.records[min(i, len(run) - 1)]))


player.player(KEY, iterations, render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, exp.settings(weight=weight, input=input_, goal_pred=goal_pred, alpha=alpha)))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
