"""C2 · When there is no correlation: one weight vector in a tug of war it cannot win."""

import streamlit as st

from gdviz import experiments
from gdviz.core import streetlights as ds
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import arithmetic, controls, downloads, page, player, presets

KEY = "nc"
exp = experiments.get("no-correlation")
FLOOR = 1.0  # the error this dataset's single layer never gets below

page.lesson(
    "When there is no correlation", "C2",
    "Here are four new light patterns. Look down each column: the left lamp is on once when people "
    "walk and once when they stop; the same for the middle lamp; the right lamp is on in every row. "
    "**No single lamp, on its own, says walk or stop.** A single layer can only learn how much each "
    "lamp *on its own* matters, so every weight is pulled up by some examples and down by just as "
    "many. The weights end up in a tug of war and the error stops falling well above 0.")

presets.buttons([exp], KEY, label="Preset")
c = st.columns(3)
with c[0]:
    alpha = controls.number_slider(S.ALPHA)
with c[1]:
    mode = controls.choice_slider(S.MODE, ds.MODES, help="stochastic: learn after every example; "
                                  "full: one update per pass. Neither can win this tug of war.")
with c[2]:
    iterations = controls.iterations_slider(exp.iterations, 200, label="passes (iterations)")

settings = exp.settings(alpha=alpha, mode=mode, batch_size=1)
run = exp.shared_run(settings, iterations)
page.diverged(run)
lights, goals = S.rows(settings)
signs = ds.pressure(settings["weights"], lights, goals)

left, mid = st.columns([2, 3])
with left:
    st.plotly_chart(figs.lights(lights, goals, lecture=page.lecture(), title="The dataset"),
                    key=f"{KEY}_lights", config={"displayModeBar": False})
with mid:
    st.plotly_chart(figs.pressure_table(signs, goals, lecture=page.lecture(), title="Up/down pressure table"),
                    key=f"{KEY}_pressure", config={"displayModeBar": False})
    st.caption("Every column votes **0**: for each weight, one example pushes it up for every example "
               "that pushes it down. No weight has a direction to go.")


def show_arithmetic(lines, title: str) -> None:
    """The arithmetic panel, scrolling sideways when its rows are wider than the page."""
    st.markdown(f"**{title}**")
    arithmetic.show(lines, title=None)


def render(i: int) -> None:
    j = min(i, len(run) - 1)
    r = run.records[j]
    m = st.columns(4)
    for k in range(3):
        m[k].metric(f"weights[{k}] ({figs.light_name(k)})", figs.num(r["new_weights"][k], 4))
    m[3].metric("error (pass)", figs.num(r["error"], 4))
    a, b = st.columns(2)
    with a:
        st.plotly_chart(figs.weights_per_pass(run.records, j, iterations, lecture=page.lecture(),
                                              title="The weights: a tug of war"),
                        key=f"{KEY}_weights", config={"displayModeBar": False})
    with b:
        st.plotly_chart(figs.error_per_pass([(mode, run.records, run.diverged_at)], j, iterations,
                                            lecture=page.lecture(), floor=FLOOR,
                                            title="Error per pass: it stalls"),
                        key=f"{KEY}_errors", config={"displayModeBar": False})
    if r["error"] > FLOOR and j + 1 >= 20:
        st.info(f"After pass {j + 1} the error is still {figs.num(r['error'], 4)}, above {FLOOR:g}. "
                "More passes will not help: the weights already sit where the pushes cancel.", icon="⚖")
    with st.expander(f"The arithmetic of pass {j + 1}"):
        show_arithmetic(S.pass_arithmetic(r, alpha), "Every example of the pass, with the numbers put in")


player.player(KEY, iterations, render, label="pass")
st.markdown("**The way out.** The pattern *is* there — walk when exactly one of the left and middle "
            "lamps is on — but it lives in a *combination* of lamps, not in any lamp alone. A hidden "
            "layer can build that combination: an intermediate dataset whose columns *do* correlate "
            "with walking. That is the next lesson, C3.")
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
