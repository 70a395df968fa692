"""A control is declared once, in its Param: ``controls.page_slider`` offers the Param's own steps
(``Param.grid()``) or choices when the page names no options, and B5's and D1's sliders offer
exactly the values their pages listed by hand before (issue 18)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from gdviz.experiments import mnist_hidden as D
from gdviz.experiments import mnist_weights as B
from gdviz.experiments.base import Param
from gdviz.ui import controls

HARNESS = """
import streamlit as st
from gdviz.experiments.base import Param
from gdviz.ui import controls, page
st.session_state[page.RAW_QUERY] = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
controls.start_run()
ALPHA = Param("alpha", "alpha", 0.01, lo=0.0, hi=1.0, ui=(0.0, 1.0, 0.01), steps=(0.001, 0.01, 0.1))
EPOCHS = Param("epochs", "epochs", 200, kind="int", choices=(100, 200, 500))
WEIGHT = Param("weight", "weight", 0.5, lo=-3.0, hi=3.0, ui=(-3.0, 3.0, 0.01))
st.write(f"alpha {controls.page_slider(ALPHA, 'T')!r}")
st.write(f"epochs {controls.page_slider(EPOCHS, 'T')!r}")
st.write(f"weight {controls.page_slider(WEIGHT, 'T')!r}")
controls.show_notices()
"""


def test_the_params_steps_or_choices_are_the_sliders_options():
    at = AppTest.from_string(HARNESS)
    at.query_params["alpha"] = "0.1"
    at.run()
    assert not at.exception
    alpha, epochs = at.select_slider
    assert list(alpha.options) == ["0.001", "0.01", "0.1"] and alpha.value == 0.1
    assert list(epochs.options) == ["100", "200", "500"] and epochs.value == 200
    assert [s.key for s in at.slider] == ["T.weight"]  # no steps, no choices: a plain slider over ui
    assert [m.value for m in at.markdown] == ["alpha 0.1", "epochs 200", "weight 0.5"]


def test_a_value_off_the_params_steps_is_refused():
    at = AppTest.from_string(HARNESS)
    at.query_params["alpha"] = "0.05"  # inside ui's range, but not one of the steps
    at.run()
    assert "alpha 0.01" in [m.value for m in at.markdown]
    assert "must be one of 0.001, 0.01, 0.1" in at.warning[0].value


def test_slider_options():
    assert controls.slider_options(Param("x", "x", 1.0, ui=(0, 2, 1), steps=(1.0, 2.0))) == (1.0, 2.0)
    assert controls.slider_options(Param("x", "x", "a", kind="choice", choices=("a", "b"))) == ("a", "b")
    assert controls.slider_options(Param("x", "x", 1.0, ui=(0, 2, 1))) is None


def test_b5_and_d1_offer_the_values_their_pages_listed():
    assert B.ALPHA.grid() == (0.0001, 0.0005, 0.001, 0.005, 0.01)
    assert D.ALPHA.grid() == (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
    assert D.KEEP_PROB.grid() == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    for p in (B.ALPHA, D.ALPHA, D.KEEP_PROB):  # the default is one of them, each is accepted
        assert p.default in p.grid() and all(p.check(v) == v for v in p.grid())
