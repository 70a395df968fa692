"""Link values the sliders cannot show: a key given twice, a value between the slider's steps.

Streamlit's binding refuses a repeated key silently and takes an off-step value as it is (the
slider shows 0.12, the maths used 0.125); both get the same notice as any other bad value.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from gdviz.ui.controls import check_link_value

HARNESS = """
import streamlit as st
from gdviz.experiments.base import Param
from gdviz.ui import controls, page
# what page.setup does first (its sidebar needs the whole app): the link as it came
st.session_state[page.RAW_QUERY] = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
controls.start_run()
WEIGHT = Param("weight", "weight", 0.5, lo=-3.0, hi=3.0, ui=(-3.0, 3.0, 0.01))
used = controls.page_slider(WEIGHT, "T")
st.write(f"the maths uses {used!r}")
controls.show_notices()
"""


def test_a_good_value_is_used():
    assert check_link_value("weight", ["0.13"], -3.0, 3.0, 0.01, default=0.5) == (0.13, None)
    assert check_link_value("weight", ["0.07"], -3.0, 3.0, 0.01, default=0.5) == (0.07, None)  # 7.000000000000001 steps
    assert check_link_value("hidden", ["40"], 1, 100, 1, integer=True, default=40) == (40, None)
    assert check_link_value("alpha", ["0.10"], options=[0.01, 0.1, 1.0], default=1.0) == (0.1, None)
    assert check_link_value("gate", ["and"], options=["and", "or"], default="and") == ("and", None)


def test_no_value_is_no_notice():
    assert check_link_value("weight", [], -3.0, 3.0, 0.01, default=0.5) == (None, None)
    assert check_link_value("weight", [""], -3.0, 3.0, 0.01, default=0.5) == (None, None)


@pytest.mark.parametrize("texts", [["0.1", "0.2"], ["abc", "0.2"], ["0.1", "0.1"]])
def test_a_repeated_key_is_refused(texts):
    value, note = check_link_value("weight", texts, -3.0, 3.0, 0.01, default=0.5)
    assert value is None
    assert "ignored" in note and "2 times" in note and note.endswith("Using 0.5.")


def test_a_repeated_choice_is_refused():
    value, note = check_link_value("alpha", ["0.1", "1.0"], options=[0.1, 1.0], default=1.0)
    assert value is None and "2 times" in note


@pytest.mark.parametrize("text, why", [("0.125", "steps"), ("abc", "not a number"), ("inf", "finite"),
                                       ("9", "outside"), ("2.5e-3", "steps")])
def test_a_bad_number_is_refused(text, why):
    value, note = check_link_value("weight", [text], -3.0, 3.0, 0.01, default=0.5)
    assert value is None and why in note, note


def test_a_whole_number_between_steps_is_refused():
    value, note = check_link_value("epochs", ["15"], 10, 100, 10, integer=True, default=10)
    assert value is None and "steps" in note
    assert check_link_value("epochs", ["2.5"], 1, 100, 1, integer=True, default=10)[1].count("whole") == 1


def _open(query: dict) -> AppTest:
    """A page with one URL-bound slider of 0.01 steps (as the lessons' are), opened by a link."""
    at = AppTest.from_string(HARNESS, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _used(at: AppTest) -> float:
    text = next(m.value for m in at.markdown if m.value.startswith("the maths uses"))
    assert next(s for s in at.slider if s.key == "T.weight").value == float(text.split()[-1])  # page-scoped key
    return float(text.split()[-1])


@pytest.mark.parametrize("query", [{"weight": ["0.1", "0.2"]}, {"weight": ["abc", "0.2"]}, {"weight": "0.125"}])
def test_the_page_says_so_and_uses_the_default(query):
    at = _open(query)
    notices = " ".join(w.value for w in at.warning)
    assert "`weight`" in notices and "ignored" in notices and "Using 0.5" in notices, notices
    assert _used(at) == 0.5


def test_an_on_step_value_is_used_without_a_notice():
    at = _open({"weight": "0.13"})
    assert not at.warning, [w.value for w in at.warning]
    assert _used(at) == 0.13
