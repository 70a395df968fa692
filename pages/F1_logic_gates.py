"""F1 · Logic gates: one sigmoid unit draws one line (AND, OR), XOR needs a hidden layer (two lines)."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, instrument, page, runs

KEY = "F1"
exp = experiments.get("logic-gates")
LIVE = tuple(instrument.live(p) for p in E.F1_LIVE)
_, _, RATE, SEED, _ = E.GATE_PARAMS
LEARNERS = {"0": "one unit", "2": "hidden layer"}
PRESETS = (("AND, one unit", {"gate": "and", "hidden": "0"}), ("OR, one unit", {"gate": "or", "hidden": "0"}),
           ("XOR, one unit (fails)", {"gate": "xor", "hidden": "0"}),
           ("XOR with a hidden layer", {"gate": "xor", "hidden": "2"}))

page.lesson(
    "Logic gates", "F1",
    "A gate has two inputs, each 0 or 1, and four rows in its truth table: four points in a square. "
    "A single sigmoid unit with a bias answers above 0.5 on one side of the straight line "
    "**w1·x1 + w2·x2 + b = 0** and below on the other, so it can only learn a gate whose 1s and 0s a "
    "straight line can separate. AND and OR can be split that way; XOR cannot — its two 1s sit on "
    "opposite corners. Drag the starting line's **w1, w2, b** and watch where it starts and where training "
    "takes it. Switch to the **hidden layer**: two hidden units draw two lines, and the output unit "
    "answers 1 *between* them, which is exactly XOR. In the square, blue squares are the rows whose "
    "target is 0 and red circles those whose target is 1 (✓: answered right); the shading is the answer "
    "ŷ at every point, and E is the mean of ½ (y − ŷ)² over the four rows.")

c = st.columns([1, 1.5, 1.5])
with c[0]:
    gate = controls.page_choice(E.F1_GATE, KEY, format_func=str.upper)
with c[1]:
    hidden = controls.page_choice(E.F1_HIDDEN, KEY, format_func=LEARNERS.get)
with page.settings_area():
    where = st.container(horizontal=True, vertical_alignment="center", gap="small")
    where.markdown("**Try:**")
    for label, values in PRESETS:
        where.button(label, key=f"preset_{label}", on_click=controls.set_link,
                     args=({**values, "learn_rate": 5.0, "seed": 0, "epochs": 1000,
                            **{p.name: p.default for p in E.F1_LIVE}},))
    c = st.columns(3)
    with c[0]:
        learn_rate = controls.page_slider(RATE, KEY, default=5.0)
    with c[1]:
        epochs = controls.page_slider(E.F1_EPOCHS, KEY, options=E.F1_EPOCHS.choices)
    with c[2]:
        seed = controls.page_slider(SEED, KEY, default=0,
                                    help="Where hidden node 2's and the output's starting weights come from "
                                         "(the hidden layer only).") if hidden == "2" else 0
settings = {**instrument.read_settings(LIVE, {}), "gate": gate, "hidden": hidden, "learn_rate": learn_rate,
            "seed": seed}
SPEC = instrument.Spec(KEY, exp, LIVE, figs.gate_view_of(gate, epochs), figs.gate_charts,
                       columns=(("plane",), ("metrics", "progress")), widths=(1, 1), unit="epoch", speed=15,
                       redraw=frozenset({"plane"}),
                       simulate=lambda s, n: runs.shared_run(exp, E.gate_settings(s), n),
                       simulate_many=runs.cached_many(E.gate_runs))
instrument.show(SPEC, settings, epochs)
downloads.log_expander("The log (every 100 epochs)", exp, E.gate_settings(settings), epochs)
