"""F1 · Logic gates: one sigmoid unit draws one line (AND, OR), XOR needs a hidden layer (two lines)."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from gdviz.ui import controls, downloads, page, player, presets

KEY = "gates"
exp = experiments.get("logic-gates")
GATE, _, RATE, SEED = E.GATE_PARAMS


page.lesson(
    "Logic gates", "F1",
    "A gate has two inputs, each 0 or 1, and four rows in its truth table: four points in a square. "
    "A single sigmoid unit with a bias answers above 0.5 on one side of the straight line "
    "**w1·x1 + w2·x2 + b = 0** and below on the other, so it can only learn a gate whose 1s and 0s a "
    "straight line can separate. AND and OR can be split that way; XOR cannot — its two 1s sit on "
    "opposite corners. Turn on the **hidden layer**: two hidden units draw two lines, and the output "
    "unit answers 1 *between* them, which is exactly XOR.")

presets.row("Try", KEY, [
    (label, f"preset_{label}", {**values, "learn_rate": 5.0, "seed": 0, "iterations": 1000}, None)
    for label, values in (("AND, one unit", {"gate": "and", "hidden": False}),
                          ("OR, one unit", {"gate": "or", "hidden": False}),
                          ("XOR, one unit (fails)", {"gate": "xor", "hidden": False}),
                          ("XOR with a hidden layer", {"gate": "xor", "hidden": True}))])
c = st.columns([1.3, 1, 1.3, 1, 1.3])
with c[0]:
    gate = controls.choice_slider(GATE, GATE.choices, default="and", format_func=str.upper)
with c[1]:
    hidden = controls.toggle("hidden", "hidden layer", help="Off: one sigmoid unit (2-1). On: a 2-2-1 network, two hidden units.")
with c[2]:
    learn_rate = controls.number_slider(RATE)
with c[3]:
    seed = controls.number_slider(SEED)
with c[4]:
    epochs = controls.iterations_slider(1000, 5000, label="epochs")

settings = exp.settings(gate=gate, hidden="2" if hidden else "0", learn_rate=learn_rate, seed=seed)
run = exp.shared_run(settings, epochs)
page.diverged(run)


def render(i: int) -> None:
    r = run.records[i]
    lecture = page.lecture()
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(figs.gate_plane(r, gate, lecture=lecture), key=f"{KEY}_plane",
                        config={"displayModeBar": False})
    with right:
        m = st.columns(2)
        m[0].metric("accuracy", f"{r['accuracy']:.0%}")
        m[1].metric("E", figs.num(r["E"], 4))
        st.plotly_chart(figs.gate_progress(run.records, i, lecture=lecture), key=f"{KEY}_progress",
                        config={"displayModeBar": False})
        lines = figs.gate_lines(r)
        st.markdown("**The line" + ("s" if len(lines) > 1 else "") + " drawn now:**  \n" + "  \n".join(
            f"{figs.num(w1, 3)}·x1 + {figs.num(w2, 3)}·x2 + {figs.num(b, 3)} = 0" for w1, w2, b in lines))
    if gate == "xor" and not hidden and i == len(run) - 1:
        st.info("However long it trains, one line cannot put (0,1) and (1,0) on one side and (0,0), (1,1) "
                "on the other: at best 3 of the 4 rows come out right. Turn on the hidden layer.", icon="✂")


player.player(KEY, len(run), render, label="epoch")
with st.expander("The log (every 100 epochs)"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
