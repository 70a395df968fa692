"""A2 · Gradient descent on one weight: the error bowl, its slope, and the three effects of input."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import arithmetic, downloads, one_weight, page, player, presets

KEY = "gd"
exp = experiments.get("gradient-descent")

page.lesson(
    "Gradient descent on one weight", "A2",
    "For every possible weight there is an error: together they make a bowl. The **slope** of the bowl "
    "under the current weight tells both which way to go (its sign) and how far (its size). Gradient "
    "descent moves the weight against the slope: `weight -= alpha * weight_delta`, where "
    "`weight_delta = delta * input`. Multiplying by **input** has three effects you can try below: "
    "input 0 **stops** learning, a negative input **reverses** the direction, a big input **scales** "
    "the step up.")

presets.buttons([experiments.get(n) for n in ("gradient-descent", "several-steps")], KEY,
                label="Presets from the book")
presets.buttons([experiments.get(n) for n in ("stopping", "negative-reversal", "scaling")], KEY,
                label="The three effects of input")
weight, input_, goal_pred, alpha, iterations = one_weight.controls_row(
    A.ALPHA, A.ALPHA_CHOICES, exp.iterations, 200)

settings = exp.settings(weight=weight, input=input_, goal_pred=goal_pred, alpha=alpha)
run = exp.shared_run(settings, iterations)
page.diverged(run)


def render(i: int) -> None:
    r = run.records[i]
    one_weight.frame(run, i, KEY, figs.bowl(run.records, i, lecture=page.lecture()), "bowl",
                     ("weight_delta", figs.num(r["weight_delta"], 4)))
    if r["input"] == 0:
        st.info("input is 0: the prediction is 0 whatever the weight, so weight_delta is 0 — "
                "the weight cannot learn from this example.", icon="⏸")
    elif r["input"] < 0:
        st.info("input is negative: to raise the prediction the weight must go *down*. "
                "weight_delta carries the sign of input, so the step turns round by itself.", icon="↩")
    arithmetic.show(A.gd_arithmetic(r), title=f"The arithmetic of iteration {i + 1}")


player.player(KEY, len(run), render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
