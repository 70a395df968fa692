"""C2 · When there is no correlation: one weight vector in a tug of war it cannot win."""

import functools

import streamlit as st

from gdviz import experiments
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "C2"
exp = experiments.get("no-correlation")
FLOOR = 1.0  # the error this dataset's single layer never gets below
LIVE = (instrument.live(S.LIVE_ALPHA),)
PASSES = S.passes_param(exp.iterations, 200)
SPEC = instrument.Spec(KEY, exp, LIVE, functools.partial(figs.dataset_view, compare=False, floor=FLOOR),
                       functools.partial(figs.dataset_charts, compare=False, floor=FLOOR,
                                         errors_title="Error per pass: it stalls"),
                       columns=(("weights",), ("metrics", "errors")), widths=(1, 1),
                       more_rows=(((("lights",), ("pressure",)), (2, 3)),),
                       simulate=lambda s, n: S.single_run(exp, s, n, simulate=runs.simulate(exp)),
                       simulate_many=S.many(S.single_run)(exp, runs.simulate(exp), runs.shared_many(exp)), redraw=frozenset({"pressure"}))

page.lesson(
    "When there is no correlation", "C2",
    "Here are four new light patterns. Look down each column: the left lamp is on once when people "
    "walk and once when they stop; the same for the middle lamp; the right lamp is on in every row. "
    "**No single lamp, on its own, says walk or stop.** A single layer can only learn how much each "
    "lamp *on its own* matters, so every weight is pulled up by some examples and down by just as "
    "many. The weights end up in a tug of war and the error stops falling well above 0. "
    "Drag alpha: faster or slower, the tug of war ends the same way.")

with page.settings_area():
    presets.row("Preset", [exp], lambda e: {"alpha": e.settings()["alpha"], "mode": e.settings()["mode"],
                                            "iterations": e.iterations})
    c = st.columns(2)
    with c[0]:
        mode = controls.page_choice(S.MODE, KEY, options=("stochastic", "full"),
                                    help="stochastic: learn after every example; full: one update per pass "
                                         "with the mean weight_delta. Neither can win this tug of war.")
    with c[1]:
        iterations = controls.page_slider(PASSES, KEY, default=exp.iterations)

settings = exp.settings(mode=mode, batch_size=1, **instrument.read_settings(LIVE, exp.defaults))
instrument.show(SPEC, settings, iterations)
st.markdown("**error** is `(pred − goal_pred)²` for one example; the error chart adds it up over the four "
            "examples of a pass (log scale). In the **pressure table** each cell says which way that example "
            "pushes that weight: **+** up (walk, lamp on), **−** down (stop, lamp on), **0** the lamp is off. "
            "Every column votes **0**: for each weight, one example pushes it up for every example that "
            "pushes it down, so no weight has a direction to go.")
st.markdown("**The way out.** The pattern *is* there — walk when exactly one of the left and middle "
            "lamps is on — but it lives in a *combination* of lamps, not in any lamp alone. A hidden "
            "layer can build that combination: an intermediate dataset whose columns *do* correlate "
            "with walking. That is the next lesson, C3.")
downloads.log_expander("The log, as the book prints it", exp, settings, iterations)
