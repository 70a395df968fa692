"""A1 · Hot and cold learning: probe the error on both sides of the weight, step a fixed amount."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import arithmetic, downloads, one_weight, page, player, presets

KEY = "hot_cold"
exp = experiments.get("hot-cold")
MOVES = {"up": "up ▲", "down": "down ▼", "stay": "stay"}  # how the "move" metric shows a record's move

page.lesson(
    "Hot and cold learning", "A1",
    "The simplest way to learn a weight: predict three times — with the weight, a little above it "
    "and a little below it — and move the weight a fixed **step_amount** toward whichever side gave "
    "the smaller error. No derivative, just trial. Watch how slow a tiny step is, and how a big step "
    "can never land on the goal.")

presets.buttons([experiments.get(n) for n in ("hot-cold", "hot-cold-overshoot", "hot-cold-stuck")], KEY)
weight, input_, goal_pred, step_amount, iterations = one_weight.controls_row(
    A.STEP_AMOUNT, A.STEP_CHOICES, exp.iterations, 2000)

settings = exp.settings(weight=weight, input=input_, goal_pred=goal_pred, step_amount=step_amount)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def render(i: int) -> None:
    r = run.records[i]
    one_weight.frame(run, i, KEY, figs.hot_cold(run.records, i, lecture=page.lecture()), "curve",
                     ("move", MOVES[r["move"]]))
    arithmetic.show(A.hot_cold_arithmetic(r), title=f"The arithmetic of iteration {i + 1}")
    st.caption("The step is always step_amount, however big or small the error is.")


player.player(KEY, len(run), render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines[:60] + (["…"] + lines[-5:] if len(lines) > 65 else lines[60:])), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
