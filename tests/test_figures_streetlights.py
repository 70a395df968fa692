"""Part C figures and arithmetic: they show exactly the data and the core's numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import backprop as bp
from gdviz.core import streetlights as ds
from gdviz.experiments import streetlights as S
from gdviz.figures import streetlights as figs


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def _finite_everywhere(fig) -> None:
    """No trace carries inf or nan (None is how a gap is drawn)."""
    spec = json.loads(fig.to_json())
    for t in spec["data"]:
        for key in ("x", "y", "z"):
            values = t.get(key)
            if values is None:
                continue
            flat = np.ravel(np.array(values, dtype=object))
            for v in flat:
                if isinstance(v, (int, float)) and v is not None:
                    assert math.isfinite(v), f"{key} holds {v}"


@pytest.mark.parametrize("lights,goals", [(ds.STREETLIGHTS, ds.WALK_VS_STOP),
                                          (ds.NO_CORRELATION, ds.NO_CORRELATION_GOALS)])
def test_lights_figure_shows_exactly_the_on_lights(lights, goals):
    fig = figs.lights(lights, goals)
    on = set(zip(_trace(fig, "on").x, _trace(fig, "on").y))
    off = set(zip(_trace(fig, "off").x, _trace(fig, "off").y))
    x = np.array(lights)
    assert on == {(j, i) for i in range(x.shape[0]) for j in range(x.shape[1]) if x[i, j]}
    assert off == {(j, i) for i in range(x.shape[0]) for j in range(x.shape[1]) if not x[i, j]}
    labels = _trace(fig, "walk_vs_stop").text
    assert [t.split()[0] for t in labels] == ["WALK" if g else "STOP" for g in goals]


def test_lights_figure_follows_an_edit():
    edited = [list(r) for r in ds.STREETLIGHTS]
    edited[2][0] = 1  # switch the left lamp of example 2 on
    fig = figs.lights(edited, ds.WALK_VS_STOP)
    assert (0, 2) in set(zip(_trace(fig, "on").x, _trace(fig, "on").y))
    assert len(_trace(fig, "on").x) == int(np.sum(ds.STREETLIGHTS)) + 1


@pytest.mark.parametrize("lights,goals,votes", [(ds.STREETLIGHTS, ds.WALK_VS_STOP, [-1, 3, 0]),
                                                (ds.NO_CORRELATION, ds.NO_CORRELATION_GOALS, [0, 0, 0])])
def test_pressure_table_figure_matches_the_core_signs(lights, goals, votes):
    table = ds.pressure(ds.BOOK_WEIGHTS, lights, goals)
    assert list(table["votes"]) == votes
    fig = figs.pressure_table(table, goals)
    heat = fig.data[0]
    text = [list(row) for row in heat.text]
    expected = [[{1: "+", -1: "−", 0: "0"}[int(s)] for s in row] for row in table["sign"]]
    assert text[:-1] == expected
    assert text[-1] == [f"{v:+d}" if v else "0" for v in votes]
    assert list(heat.y)[-1] == "votes" and len(heat.y) == len(goals) + 1


def test_the_book_pressure_table():
    """The middle column is all + or −, in step with walk/stop; the left lamp only votes stop."""
    fig = figs.pressure_table(ds.pressure(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP), ds.WALK_VS_STOP)
    text = [list(row) for row in fig.data[0].text]
    assert [row[1] for row in text[:-1]] == ["0", "+", "0", "+", "+", "0"]
    assert [row[0] for row in text[:-1]] == ["−", "0", "0", "+", "0", "−"]


def _c1(mode="stochastic", iterations=40, **kw):
    e = experiments.get("streetlights")
    return e.simulate(e.settings(mode=mode, **kw), iterations)


def test_weights_per_pass_plots_the_core_weights_and_keeps_its_range():
    run = _c1()
    figs_k = [figs.weights_per_pass(run.records, k, 40) for k in (0, 10, 39)]
    ranges = {tuple(f.layout.yaxis.range) for f in figs_k} | set()
    assert len(ranges) == 1, "the y range must not change between passes"
    assert {tuple(f.layout.xaxis.range) for f in figs_k} == {(-0.5, 40.5)}
    middle = figs_k[0].data[1]
    assert middle.y[0] == 0.48 and middle.y[-1] == pytest.approx(1.0138, abs=1e-4)
    assert len(middle.y) == 41
    lo, hi = ranges.pop()
    assert lo < -0.7 and hi > 1.0138


def test_error_per_pass_three_modes_same_axes():
    runs = [(m, _c1(m, batch_size=2).records, None) for m in ds.MODES]
    f0 = figs.error_per_pass(runs, 0, 40)
    f1 = figs.error_per_pass(runs, 39, 40)
    assert f0.layout.yaxis.range == f1.layout.yaxis.range
    assert f0.layout.yaxis.type == "log"
    sto = _trace(f0, "stochastic")
    assert sto.y[0] == 2.6561231104 and sto.y[1] == 0.9628701776715985 and sto.y[-1] == 0.00053373677328488
    assert [t.name for t in f0.data] == list(ds.MODES)
    assert f0.layout.xaxis.title.text == "pass (iteration)"


def test_a_diverged_run_never_puts_inf_in_a_trace():
    run = _c1(alpha=1e5, iterations=30)
    assert run.diverged_at
    _finite_everywhere(figs.weights_per_pass(run.records, len(run) - 1, 30))
    _finite_everywhere(figs.error_per_pass([("stochastic", run.records, run.diverged_at)], len(run) - 1, 30))
    b = experiments.get("backprop")
    r = dict(b.simulate(b.settings(), 1).records[0]["examples"][0])
    inf, nan = float("inf"), float("nan")
    for key in ("weights_0_1", "new_weights_0_1", "weight_deltas_0_1"):
        w = np.array(r[key])
        w[0, 0], w[1, 1] = inf, nan
        r[key] = w
    r["layer_1"] = np.array([[inf, 0.0, nan, 1.0]])
    r["layer_1_delta"] = np.array([[nan, 0.0, -inf, 1.0]])
    r["pred"], r["error"], r["layer_2_delta"] = inf, inf, np.array([[inf]])
    for phase in bp.PHASES:
        _finite_everywhere(figs.network(r, phase))


def test_network_diagram_shows_the_record():
    b = experiments.get("backprop")
    run = b.simulate(b.settings(), 2)
    r = run.records[0]["examples"][1]  # [0, 1, 1] -> walk
    fwd = figs.network(r, "forward")
    hidden = _trace(fwd, "layer_1 (hidden; grey = relu off)")
    assert list(hidden.text) == [figs.num(v + 0.0, 3) for v in np.ravel(r["layer_1"])]  # never "−0"
    assert list(hidden.text) == ["0", "0", "0", "0.0616"]
    greys = [c == "#BDBDBD" for c in hidden.marker.color]
    assert greys == [not m for m in np.ravel(r["relu_mask"])]
    assert sum(greys) == 3  # only hidden node 3 is on for this example (the book's seed)
    assert _trace(fwd, "layer_2 (output)").text[0] == figs.num(r["pred"], 3)
    back = figs.network(r, "backward")
    assert list(_trace(back, "layer_1 (hidden; grey = relu off)").text) == \
        [figs.num(v, 3) for v in np.ravel(r["layer_1_delta"])]
    # inputs: the lamps of example 1
    assert list(_trace(fwd, "layer_0 (input)").text) == ["0", "1", "1"]
    # 3×4 + 4 edges
    assert sum(1 for t in fwd.data if t.mode == "lines") == 16


def test_backprop_arithmetic_has_the_core_numbers():
    b = experiments.get("backprop")
    r = b.simulate(b.settings(), 1).records[0]["examples"][1]
    fwd = S.backprop_arithmetic(r, "forward")
    assert [ln.name for ln in fwd] == ["layer_1[0]", "layer_1[1]", "layer_1[2]", "layer_1[3]", "layer_2"]
    assert fwd[-1].value == "0.0209881"
    assert all("−0" != ln.value for ln in fwd)
    cmp_ = S.backprop_arithmetic(r, "compare")
    assert cmp_[0].value == "−0.979012"
    back = S.backprop_arithmetic(r, "backward")
    assert [ln.value for ln in back] == ["0", "0", "0", "−0.333779"]
    upd = S.backprop_arithmetic(r, "update")
    assert upd[3].value == "0.352989"
    with pytest.raises(ValueError, match="phase"):
        S.backprop_arithmetic(r, "sideways")


def test_pass_arithmetic_matches_the_first_book_pass():
    run = _c1(iterations=1)
    lines = S.pass_arithmetic(run.records[0], 0.1)
    assert lines[0].numbers == "1×0.5 + 0×0.48 + 1×(−0.7)" and lines[0].value == "−0.2"
    assert lines[2].value == "[0.52, 0.48, −0.68]"
    assert lines[-1].value == "2.65612"
    assert sum(1 for ln in lines if ln.name == "weights") == 6  # stochastic: an update per example
    full = S.pass_arithmetic(_c1("full", iterations=1).records[0], 0.1)
    assert sum(1 for ln in full if ln.name == "weights") == 1
