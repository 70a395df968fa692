"""B2 · Freezing weights: the frozen weight's curve slides under its dot; the error surface."""

from functools import partial

import streamlit as st

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.experiments.base import Param
from gdviz.figures import many_weights as figs
from gdviz.ui import controls, downloads, instrument, page, presets, runs

KEY = "B2"
NAMES = figs.WEIGHT_NAMES
PAIRS = {"a-b": (0, 1), "a-c": (0, 2), "b-c": (1, 2)}
PAIR = Param("surface", "error surface over", "a-b", kind="choice", choices=tuple(PAIRS),
             help="Which two weights the error surface is drawn over (the third is held where it is).")
NEVER = 0
exp = experiments.get("freeze")
LIVE = (instrument.live(B.ALPHA),) + tuple(instrument.live(p) for p in B.start_weights(exp))
ITERATIONS = B.iterations_param(exp.iterations, 100)

page.lesson(
    "Freezing weights", "B2",
    "Switch a weight's **freeze** on and its weight_delta is set to 0: it never moves. Watch the frozen "
    "weight's chart: its dot stays put, yet its curve slides sideways under it until the dot sits at the "
    "bottom. Why? Each curve is a cut through *one* error surface over all three weights (the **error** is "
    "`(pred − true)²`), taken where the other weights are now. When b and c move, the cut along a moves "
    "too, and since they share one error, bringing it to 0 puts every cut's bottom under its dot. Unfreeze "
    "a once the error is 0 and it will not move: error 0 means delta 0, so weight_delta 0. The surface of "
    "two weights shows the cuts as lines through one landscape.")

row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
flags = []
for i, n in enumerate(NAMES):
    with row:
        flags.append(controls.page_toggle(f"frozen_{n}", KEY, f"freeze weight {n}", default=(i == 0),
                                          help=f"Weight {n} does not learn: its weight_delta is 0."))
instrument_slot = st.container()
with page.settings_area():
    presets.row("Presets from the book", [experiments.get(n) for n in ("freeze", "freeze-then-unfreeze")],
                lambda e: B.page_link(e, e.iterations, freeze=True))
    c = st.columns(2)
    with c[0]:
        unfreeze_at = controls.page_slider(B.UNFREEZE_AT, KEY, options=tuple(range(0, 101)),
                                           format_func=lambda v: "never" if v == NEVER else str(v))
    with c[1]:
        iterations = controls.page_slider(ITERATIONS, KEY, default=exp.iterations)
c = st.columns([3, 2])
with c[0]:
    pair = controls.page_choice(PAIR, KEY, format_func=lambda p: p.replace("-", " and "))
with c[1]:
    three_d = controls.page_toggle("surface_3d", KEY, "3-D surface", help="The error surface in 3-D instead of contours.")
st.caption("The surface's colours: dark is low error, yellow is high; they are capped so the valley shows in "
           "detail (higher ground is all yellow). The valley is a straight line: every point on it predicts "
           "exactly true.")

frozen = tuple(i for i, f in enumerate(flags) if f)
settings = B.named(exp, exp.settings(frozen=frozen, unfreeze_at=unfreeze_at))
settings = {**settings, **instrument.read_settings(LIVE, settings), "surface": pair, "surface_3d": three_d}
surface = (*PAIRS[pair], three_d)
SPEC = instrument.Spec(KEY, exp, LIVE, partial(figs.multi_input_view, history=True, surface=surface),
                       partial(figs.freeze_charts, pair=PAIRS[pair], three_d=three_d),
                       columns=(("slices", "metrics"), ("surface",)), widths=(3, 2),
                       simulate=B.named_simulate(exp, runs.simulate(exp)), simulate_many=B.named_simulate_many(exp),
                       redraw=frozenset({"surface"}))
with instrument_slot:
    instrument.show(SPEC, settings, iterations)
downloads.log_expander("The log, as the book prints it", exp, B.joined(exp, settings), iterations)
