"""C1 · The streetlight problem: one weight vector learns a whole dataset, three ways."""

import streamlit as st

from gdviz import experiments
from gdviz.core import datasets as ds
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import arithmetic, controls, downloads, page, player

KEY = "sl"
exp = experiments.get("streetlights")
ROWS, LIGHTS = len(ds.STREETLIGHTS), len(ds.STREETLIGHTS[0])
#: The lights a preset puts in: (streetlights, walk_vs_stop).
LIGHT_SETS = {
    "Book's lights (middle light = walk)": (ds.STREETLIGHTS, ds.WALK_VS_STOP),
    "Same lights, left light = walk": (ds.STREETLIGHTS, tuple(row[0] for row in ds.STREETLIGHTS)),
}


def light_key(i: int, j: int) -> str:
    return f"light_{i}_{j}"


def walk_key(i: int) -> str:
    return f"walk_{i}"


def use_set(lights, goals, book: bool) -> None:
    values = {light_key(i, j): bool(lights[i][j]) for i in range(ROWS) for j in range(LIGHTS)}
    values.update({walk_key(i): bool(goals[i]) for i in range(ROWS)})
    if book:
        values.update({"alpha": 0.1, "batch_size": 2, "iterations": exp.iterations})
    controls.set_values(values)
    player.reset(KEY)


page.lesson(
    "The streetlight problem", "C1",
    "You arrive in a foreign city and watch the pedestrian lights: three lamps, and people either "
    "**walk** or **stop**. Which lamp tells them? One weight per lamp, a single weighted sum as the "
    "prediction, and gradient descent over the **whole dataset**: an *iteration* is now a **pass** "
    "through all six patterns. The weight of the lamp that always agrees with walking climbs to 1; "
    "the lamps that say nothing useful are pushed back to 0. You can learn after every example "
    "(**stochastic**), once per pass with the average `weight_delta` (**full**), or once per "
    "`batch_size` examples (**mini-batch**) — below all three run on the same lights from the same "
    "starting weights `[0.5, 0.48, -0.7]`.")

row = st.container(horizontal=True, vertical_alignment="center", gap="small")
row.markdown("**Presets:**")
for n, (label, (lights, goals)) in enumerate(LIGHT_SETS.items()):
    row.button(label, key=f"preset_lights_{n}", on_click=use_set, args=(lights, goals, n == 0),
               help="Put these lights and labels in" + (" with the book's settings." if n == 0 else "."))

c = st.columns(3)
with c[0]:
    alpha = controls.number_slider(S.ALPHA)
with c[1]:
    batch_size = controls.number_slider(S.BATCH_SIZE, help="Examples per update in the mini-batch run.")
with c[2]:
    iterations = controls.iterations_slider(exp.iterations, 200, label="passes (iterations)")

with st.expander("Edit the lights (one switch per lamp, and walk / stop per row)"):
    grid = []
    goals = []
    for i in range(ROWS):
        cols = st.columns(LIGHTS + 1)
        line = []
        for j in range(LIGHTS):
            with cols[j]:
                line.append(float(controls.toggle(light_key(i, j), f"example {i}: {figs.light_name(j)}",
                                                  default=bool(ds.STREETLIGHTS[i][j]))))
        grid.append(line)
        with cols[LIGHTS]:
            goals.append(float(controls.toggle(walk_key(i), f"example {i}: walk",
                                               default=bool(ds.WALK_VS_STOP[i]))))

flat = tuple(v for r in grid for v in r)
base = dict(alpha=alpha, batch_size=batch_size, streetlights=flat, walk_vs_stop=tuple(goals))
runs = {m: exp.shared_run(exp.settings(mode=m, **base), iterations) for m in ds.MODES}
for m, rn in runs.items():
    page.diverged(rn, f"the {m} run")
signs = ds.pressure(ds.BOOK_WEIGHTS, grid, goals)
left, right = st.columns([2, 3])
with left:
    st.plotly_chart(figs.lights(grid, goals, lecture=page.lecture(), title="The dataset"),
                    key=f"{KEY}_lights", config={"displayModeBar": False})
with right:
    st.markdown("**What to look for**\n"
                "- Only one lamp is on exactly when people walk: in the book's lights it is the middle one. "
                "Its weight should end near **1**, the others near **0**.\n"
                "- Step through the passes: the weights move most in the first few passes, then settle.\n"
                "- Compare the three error curves: same data, same start, different ways of spending "
                "the `weight_delta`s.\n"
                "- Edit the lights (the expander above): make the left lamp say walk, or switch a lamp "
                "off everywhere, and watch which weight wins.")
if all(v == 0 for v in signs["votes"]):
    st.warning("Every column of the pressure table is balanced (votes 0): no single lamp correlates "
               "with walking, so one weight vector cannot learn these lights (see C2).", icon="⚖")


def show_arithmetic(lines, title: str) -> None:
    """The arithmetic panel, scrolling sideways when its rows are wider than the page."""
    st.markdown(f"**{title}**")
    arithmetic.show(lines, title=None)


def render(i: int) -> None:
    sto = runs["stochastic"]
    j = min(i, len(sto) - 1)
    r = sto.records[j]
    m = st.columns(LIGHTS + 3)
    for k in range(LIGHTS):
        m[k].metric(f"weights[{k}] ({figs.light_name(k)})", figs.num(r["new_weights"][k], 4))
    for k, mode in enumerate(ds.MODES):
        rm = runs[mode].records[min(i, len(runs[mode]) - 1)]
        m[LIGHTS + k].metric(f"error, {mode}", figs.num(rm["error"], 4))
    a, b = st.columns(2)
    with a:
        st.plotly_chart(figs.weights_per_pass(sto.records, j, iterations, lecture=page.lecture(),
                                              title="The weights, stochastic run"),
                        key=f"{KEY}_weights", config={"displayModeBar": False})
    with b:
        st.plotly_chart(figs.error_per_pass([(mode, rn.records, rn.diverged_at) for mode, rn in runs.items()],
                                            i, iterations, lecture=page.lecture(),
                                            title=f"Error per pass: stochastic vs full vs batch ({batch_size})"),
                        key=f"{KEY}_errors", config={"displayModeBar": False})
    weights = r["new_weights"] if sto.diverged_at is None else r["weights"]
    p, q = st.columns([3, 2])
    with p:
        st.plotly_chart(figs.pressure_table(ds.pressure(weights, grid, goals), goals, lecture=page.lecture(),
                                            title="Up/down pressure table"),
                        key=f"{KEY}_pressure", config={"displayModeBar": False})
    with q:
        st.markdown("Each cell says which way that example pushes that weight. **+**: up (the row says "
                    "walk and the lamp is on); **−**: down (stop, lamp on); **0**: the lamp is off, so "
                    "the weight took no part in the prediction and feels nothing. The **votes** row adds "
                    "each column up. A column that votes one way wins; where up and down balance, the "
                    "weight is left to the others. Hover a cell for the size of its push at the "
                    "current weights (stochastic run).")
    with st.expander(f"The arithmetic of pass {j + 1} (stochastic: learn after every example)"):
        show_arithmetic(S.pass_arithmetic(r, alpha), "Every example of the pass, with the numbers put in")


player.player(KEY, iterations, render, label="pass")
st.markdown("Stochastic learning takes six small steps per pass and usually gets there in the fewest "
            "passes; full gradient descent takes one calm step per pass with the average of all six "
            "`weight_delta`s; mini-batches sit in between. With `batch_size` 1 the mini-batch run is the "
            "stochastic run; with `batch_size` 6 it is the full one.")
with st.expander("The log, as the book prints it (stochastic run)"):
    settings = exp.settings(mode="stochastic", **base)
    lines = list(exp.log(runs["stochastic"], settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, runs["stochastic"].records, lines)
