"""The one-weight lessons (A1 hot and cold, A2 gradient descent): their row of controls and their frame."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from gdviz.experiments import one_weight as A
from gdviz.experiments.base import Param
from gdviz.figures import one_weight as figs
from gdviz.ui import controls, page


def controls_row(step: Param, step_choices: Sequence, iterations: int, most_iterations: int):
    """weight, input, goal_pred, the lesson's step size (``step``: step_amount or alpha) and the
    number of iterations (``iterations`` at first, at most ``most_iterations``), side by side.

    Returns the five values in that order.
    """
    c = st.columns(5)
    with c[0]:
        weight = controls.number_slider(A.WEIGHT)
    with c[1]:
        input_ = controls.number_slider(A.INPUT)
    with c[2]:
        goal_pred = controls.number_slider(A.GOAL)
    with c[3]:
        step_size = controls.choice_slider(step, step_choices)
    with c[4]:
        n = controls.iterations_slider(iterations, most_iterations)
    return weight, input_, goal_pred, step_size, n


def frame(run, i: int, key: str, curve: go.Figure, curve_key: str, metric: tuple[str, str]) -> None:
    """Iteration ``i``: the error curve on the left; on the right pred, error and the lesson's own
    ``metric`` (label, value) above the error per iteration. Chart keys: ``{key}_{curve_key}``,
    ``{key}_errors``."""
    r = run.records[i]
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(curve, key=f"{key}_{curve_key}", config={"displayModeBar": False})
    with right:
        m = st.columns(3)
        m[0].metric("pred", figs.num(r["pred"]))
        m[1].metric("error", figs.num(r["error"], 4))
        m[2].metric(*metric)
        st.plotly_chart(figs.error_per_iteration([("error", run.records, run.diverged_at)], i, len(run),
                                                 lecture=page.lecture()),
                        key=f"{key}_errors", config={"displayModeBar": False})
