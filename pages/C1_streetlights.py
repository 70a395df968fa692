"""C1 · The streetlight problem: one pattern learnt alone, then a weight vector learns the whole table, three ways."""

import functools

import streamlit as st

from gdviz import experiments
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "C1"
LIVE = (instrument.live(S.LIVE_ALPHA),)
ROWS, LIGHTS = S.LIGHT_ROWS, S.LIGHT_COLUMNS


def _lesson_changed(_value) -> None:
    """Another lesson: its own run length and settings, from its first pass."""
    for name in ("iterations", "iteration", "mode", "batch_size"):
        if name in st.query_params:
            del st.query_params[name]


def _use_lights(goals) -> None:
    """A preset of lights: the book's lamps with these walk / stop labels (the link says only
    what differs from the book)."""
    for i in range(ROWS):
        for j in range(LIGHTS):
            if S.light_param(i, j) in st.query_params:
                del st.query_params[S.light_param(i, j)]
        name = S.walk_param(i)
        if bool(goals[i]) == bool(S.BOOK_WALK_VS_STOP[i]):
            if name in st.query_params:
                del st.query_params[name]
        else:
            st.query_params[name] = str(bool(goals[i])).lower()
    if "iteration" in st.query_params:
        del st.query_params["iteration"]


def _use_experiment(name: str) -> None:
    """A preset from the book: its lesson, mode, batch_size, alpha and length, on the book's lights."""
    e = experiments.get(name)
    v = e.settings()
    _use_lights(S.BOOK_WALK_VS_STOP)
    for key in ("mode", "batch_size"):
        if key in st.query_params:
            del st.query_params[key]
    lesson = next(k for k, n in S.LESSON_EXPERIMENT.items() if n == name) if name in S.LESSON_EXPERIMENT.values() \
        else "table"
    values = {"lesson": lesson, "alpha": v["alpha"], "iterations": e.iterations}
    if lesson == "table":
        values.update({"mode": v["mode"], "batch_size": v["batch_size"]})
    controls.set_link(values)


BOOK = ("streetlight-one", "streetlights", "streetlights-full", "streetlights-batch")


page.lesson(
    "The streetlight problem", "C1",
    "You arrive in a foreign city and watch the pedestrian lights: three lamps, and people either "
    "**walk** or **stop**. Which lamp tells them? One weight per lamp and a single weighted sum as the "
    "prediction. **First** the weights learn a single pattern alone (left and right lamps on: stop). "
    "**Then** gradient descent works on the **whole dataset**: an *iteration* is now a **pass** through "
    "all six patterns. The weight of the lamp that always agrees with walking climbs to 1; the lamps "
    "that say nothing useful are pushed back to 0. You can learn after every example (**stochastic**), "
    "once per pass with the average `weight_delta` (**full**), or once per `batch_size` examples "
    "(**mini-batch**): the error chart runs all three from the same start `[0.5, 0.48, -0.7]`.")

with page.settings_area():
    presets.row("Presets from the book", [experiments.get(n) for n in BOOK], lambda e: e.name, on_click=_use_experiment)
    lesson = controls.page_choice(S.LESSON, KEY, format_func=S.LESSON_TEXT.get, on_change=_lesson_changed)
    exp = experiments.get(S.LESSON_EXPERIMENT[lesson])
    PASSES = S.passes_param(exp.iterations, 200)
    if lesson == "table":
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        row.markdown("**Lights:**")
        row.button("Book's lights (middle lamp = walk)", key="preset_lights_book", on_click=_use_lights,
                   args=(S.BOOK_WALK_VS_STOP,), help="The book's six patterns and labels.")
        row.button("Same lights, left lamp = walk", key="preset_lights_left", on_click=_use_lights,
                   args=(S.LEFT_WALK_VS_STOP,), help="The same lamps; people now walk when the left lamp is on.")
        c = st.columns(3)
        with c[0]:
            mode = controls.page_choice(S.MODE, KEY, help="Which run the weights, metrics and arithmetic show "
                                        "(the error chart shows all three).", format_func=figs.MODE_LABELS.get)
        with c[1]:
            batch_size = controls.page_slider(S.C_BATCH_SIZE, KEY)
        with c[2]:
            iterations = controls.page_slider(PASSES, f"{KEY}.{lesson}", default=exp.iterations)
    else:
        mode, batch_size = "stochastic", 2
        iterations = controls.page_slider(PASSES, f"{KEY}.{lesson}", default=exp.iterations,
                                          label="iterations (one pattern: one example per pass)")

instrument_slot = st.container()  # the instrument first; the lights editor under it
if lesson == "table":
    with st.expander("Edit the lights (one switch per lamp, and walk / stop per row)"):
        grid, goals = [], []
        for i in range(ROWS):
            cols = st.columns(LIGHTS + 1)
            line = []
            for j in range(LIGHTS):
                with cols[j]:
                    line.append(float(controls.page_toggle(S.light_param(i, j), KEY,
                                                           f"example {i}: {figs.light_name(j)}",
                                                           default=bool(S.BOOK_STREETLIGHTS[i][j]))))
            grid.append(line)
            with cols[LIGHTS]:
                goals.append(float(controls.page_toggle(S.walk_param(i), KEY, f"example {i}: walk",
                                                        default=bool(S.BOOK_WALK_VS_STOP[i]))))
    data = dict(streetlights=tuple(v for r in grid for v in r), walk_vs_stop=tuple(goals))
    settings = exp.settings(mode=mode, batch_size=batch_size, **data, **instrument.read_settings(LIVE, exp.defaults))
    SPEC = instrument.Spec(KEY, exp, LIVE, figs.dataset_view,
                           functools.partial(figs.dataset_charts,
                                             errors_title="Error per pass, three ways"),
                           columns=(("weights",), ("metrics", "errors")), widths=(1, 1),
                           more_rows=(((("lights",), ("pressure",)), (2, 3)),),
                           simulate=lambda s, n: S.modes_run(exp, s, n, simulate=runs.simulate(exp)),
                           simulate_many=S.many(S.modes_run)(exp, runs.simulate(exp), runs.shared_many(exp)), redraw=frozenset({"pressure"}))
    if all(v == 0 for v in S.pressure(S.BOOK_WEIGHTS, grid, goals)["votes"]):
        st.warning("Every column of the pressure table is balanced (votes 0): no single lamp correlates "
                   "with walking, so one weight vector cannot learn these lights (see C2).", icon=":material/balance:")
else:
    settings = exp.settings(**instrument.read_settings(LIVE, exp.defaults))
    SPEC = instrument.Spec(KEY, exp, LIVE, functools.partial(figs.dataset_view, compare=False, errors_id="error_one",
                                                            unit="iteration"),
                           functools.partial(figs.dataset_charts, compare=False, errors_id="error_one",
                                             errors_title="Error per iteration: one pattern", unit="iteration"),
                           columns=(("weights",), ("metrics", "error_one")), widths=(1, 1),
                           more_rows=(((("lights",), ("pressure",)), (2, 3)),),
                           simulate=lambda s, n: S.single_run(exp, s, n, simulate=runs.simulate(exp)),
                           simulate_many=S.many(S.single_run)(exp, runs.simulate(exp), runs.shared_many(exp)), redraw=frozenset({"pressure"}))

with instrument_slot:
    instrument.show(SPEC, settings, iterations)
if lesson == "one":
    st.markdown("**One pattern alone.** Left and right lamps on, people stop (goal_pred 0). The prediction "
                "starts at −0.2; each iteration the weights of the two lit lamps move, the middle one (off) "
                "feels nothing. **error** is `(pred − goal_pred)²`. Then choose **2 · the whole table** (under *what the weights learn*).")
else:
    st.markdown("**What to look for**\n"
                "- Only one lamp is on exactly when people walk: in the book's lights it is the middle one. "
                "Its weight should end near **1**, the others near **0**.\n"
                "- Step through the passes: the weights move most in the first few passes, then settle.\n"
                "- Compare the three error curves (**error** = `(pred − goal_pred)²`, summed over the six "
                "examples of a pass): same data, same start, different ways of spending the `weight_delta`s.\n"
                "- In the **pressure table** each cell says which way that example pushes that weight: **+** up "
                "(walk, lamp on), **−** down (stop, lamp on), **0** lamp off. A column that votes one way wins. "
                "Hover a cell for the size of its push after the pass under the cursor.\n"
                "- Edit the lights (the expander above these notes): make the left lamp say walk, or switch a lamp off "
                "everywhere, and watch which weight wins.\n\n"
                "With `batch_size` 1 the mini-batch run is the stochastic run; with `batch_size` 6 it is the full one.")
downloads.log_expander("The log, as the book prints it" + (f" ({figs.MODE_LABELS[mode]} run)" if lesson == "table" else ""),
                       exp, settings, iterations)
