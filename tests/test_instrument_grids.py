"""The instrument's grid previews are shared as widely as they can be: a slider's grid depends on
the other settings only, so letting a slider go never recomputes its own grid, and the payload
is the same as one built from scratch."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from gdviz import experiments
from gdviz.experiments import one_weight as A
from gdviz.figures import one_weight as figs
from gdviz.ui import instrument


def _counting_spec(key: str):
    """A2's instrument under its own key, counting which slider's grid runs are asked for."""
    exp = experiments.get("gradient-descent")
    asked: list[str] = []
    lives = (instrument.live(A.WEIGHT), instrument.live(A.INPUT), instrument.live(A.GOAL), instrument.live(A.ALPHA))

    def many(settings_list, iterations):
        varying = {n for n in ("weight", "input", "goal_pred", "alpha") if len({s[n] for s in settings_list}) > 1}
        asked.append(",".join(sorted(varying)))
        return exp.runs(settings_list, iterations)

    spec = instrument.Spec(key, dataclasses.replace(exp, name=f"gradient-descent-{key}"), lives, figs.gd_view,
                           figs.gd_charts, columns=(("bowl",), ("metrics", "errors")), simulate_many=many)
    return spec, exp, asked


def test_letting_a_slider_go_computes_only_the_other_sliders_grids():
    spec, exp, asked = _counting_spec("grids-reuse")
    s0 = exp.settings()
    instrument.payload(spec, s0, 20, 0, False, 1)
    assert sorted(asked) == ["alpha", "goal_pred", "input", "weight"]
    asked.clear()
    s1 = exp.settings(weight=round(s0["weight"] + 0.5, 10))  # weight dragged and let go
    instrument.payload(spec, s1, 20, 0, False, 1)
    assert sorted(asked) == ["alpha", "goal_pred", "input"]
    asked.clear()
    instrument.payload(spec, s0, 20, 0, False, 1)  # and back: everything is kept
    assert asked == []


def test_a_shared_grid_gives_the_payload_built_from_scratch():
    spec, exp, _ = _counting_spec("grids-same")
    s0, s1 = exp.settings(), exp.settings(weight=-1.0)
    instrument.payload(spec, s0, 20, 3, False, 1)  # the weight grid is now kept, made at s0
    shared = instrument.resolve(instrument.payload(spec, s1, 20, 3, False, 1))
    fresh = json.loads("{" + '"rev":1,"iteration":4,"play":false,"presenting":false,'
                       + '"gridsFor":["weight","input","goal_pred","alpha"],'
                       + instrument._body(spec, s1, 20, 3, False)[1:])
    assert shared == fresh
    weight = shared["grids"]["weight"]
    assert len(weight) == len(A.WEIGHT.grid()) and all(g is not None for g in weight)  # the committed value's too


def test_sessions_that_differ_in_one_slider_are_served_the_same_grid_part():
    """A slider's grid is one part (one address, gzipped once) for every value of that slider:
    two students whose weights differ fetch the same weight grid; the committed runs differ."""
    spec, exp, _ = _counting_spec("grids-parts")
    p0 = json.loads(instrument.payload(spec, exp.settings(), 20, 0, False, 1))
    p1 = json.loads(instrument.payload(spec, exp.settings(weight=-1.0), 20, 0, False, 7))
    assert p0["parts"]["grids"]["weight"] == p1["parts"]["grids"]["weight"]
    assert p0["parts"]["grids"]["input"] != p1["parts"]["grids"]["input"]
    assert p0["parts"]["base"] != p1["parts"]["base"]
    assert p1["rev"] == 7 and len(json.dumps(p1)) < 8000  # the message itself: the head and the addresses


def test_c3_at_its_biggest_settings_fits_in_one_message():
    """C3 shows every phase of every example of every pass: at its slider ends (most passes, the
    widest hidden layer) its payload must still fit well inside the server's message limit
    (server.maxMessageSize, 16 MB: over it the page shows an error instead of the lesson)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/C3_backpropagation.py").run()
    for label in ("hidden_size", "passes (iterations)"):
        sl = next(s for s in at.main.slider if s.label == label)
        sl.set_value(sl.max).run()
    assert not at.exception
    [c] = at.get("bidi_component")
    size = len(c.proto.SerializeToString())
    assert size < 8 * 2**20, f"C3's payload at its slider ends is {size / 2**20:.1f} MB"
