"""The deck's sigmoid examples (E1 one unit, E2 the 2-1-1 network): their row of controls."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from gdviz.experiments.base import Param
from gdviz.ui import controls

X1 = Param("x1", "x1 (input 1)", 0.1, ui=(-1.0, 1.0, 0.05))
X2 = Param("x2", "x2 (input 2)", 0.3, ui=(-1.0, 1.0, 0.05))
RATE = Param("learn_rate", "learn_rate (η)", 0.5, ui=(0.01, 5.0, 0.01))
MOST_ITERATIONS = 500


def controls_row(weights: Sequence[Param], y: Param, iterations: int):
    """x1, x2, the lesson's ``weights``, its target ``y``, learn_rate and the number of iterations
    (``iterations`` at first, at most 500), side by side.

    Returns ``(x1, x2)``, the weights' values (a tuple, in the order given), y, learn_rate, iterations.
    """
    c = st.columns(len(weights) + 5)
    with c[0]:
        x1 = controls.number_slider(X1)
    with c[1]:
        x2 = controls.number_slider(X2)
    ws = []
    for col, w in zip(c[2:], weights):
        with col:
            ws.append(controls.number_slider(w))
    with c[-3]:
        target = controls.number_slider(y)
    with c[-2]:
        learn_rate = controls.number_slider(RATE)
    with c[-1]:
        n = controls.iterations_slider(iterations, MOST_ITERATIONS)
    return (x1, x2), tuple(ws), target, learn_rate, n
