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


# --------------------------------------------------------------------------- live: the lesson instrument
from gdviz.figures import live  # noqa: E402


def _c3_runs(**kw):
    b = experiments.get("backprop")
    return S.activations_run(b, b.settings(**kw), 2)


def test_c3_has_a_frame_for_every_phase_of_every_example():
    """Play must show forward, compare, backward and update of each example (before: only the
    first phase of example 0 ever appeared)."""
    runs = _c3_runs()
    view = figs.backprop_view(runs)
    assert view["n"] == 2 * 4 * 4 == len(view["frames"])
    positions = [view["frames"][i]["position"] for i in range(view["n"])]
    assert positions[:5] == ["pass 1 · example 0 · forward · step 1", "pass 1 · example 0 · compare · step 2",
                             "pass 1 · example 0 · backward · step 3", "pass 1 · example 0 · update · step 4",
                             "pass 1 · example 1 · forward · step 5"]
    assert positions[-1] == "pass 2 · example 3 · update · step 32"
    # step 7: pass 1, example 1, backward: the core's numbers, in the arithmetic and on the nodes
    r = runs.passes[0]["examples"][1]
    f = view["frames"][6]
    assert f["arith"]["rows"] == [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value]
                                  for ln in S.backprop_arithmetic(r, "backward")]
    assert [row[4] for row in f["arith"]["rows"]] == ["0", "0", "0", "−0.333779"]
    net = f["traces"][figs.network_id(4)]
    hidden = net[3 * 4 + 4 + 1]
    assert hidden["text"] == [figs.num(v + 0.0, 3) for v in np.ravel(r["layer_1_delta"])]
    assert f["metrics"][0] == ["layer_2 (pred)", figs.num(r["pred"], 3)] == ["layer_2 (pred)", "0.021"]
    # the update phase draws the new weights: the edge from input 1 to hidden node 3
    upd = view["frames"][7]["traces"][figs.network_id(4)]
    assert upd[1 * 4 + 3]["text"].startswith(f"weights_0_1[1,3] = {figs.num(r['new_weights_0_1'][1, 3], 4)}")
    # the highlighted example follows the frame
    assert live.dec(f["traces"]["lights"][2]["y"])[0] == pytest.approx(1 - 0.46)


def test_c3_view_at_one_step_is_that_frame():
    runs = _c3_runs()
    full = figs.backprop_view(runs)
    one = figs.backprop_view(runs, 13)
    assert list(one["frames"]) == [13] and one["frames"][13] == full["frames"][13]


def test_network_captions_are_short_lines():
    """Layer titles overlapped in lecture mode: each caption line fits its column."""
    for caps in figs.CAPTIONS.values():
        for c in caps:
            assert all(len(line.format(act="linear")) <= 14 for line in c.split("<br>")), c


def test_c1_view_has_the_book_numbers_for_the_three_modes():
    e = experiments.get("streetlights")
    runs = S.modes_run(e, e.settings(), 40)
    view = figs.dataset_view(runs)
    assert view["n"] == 40
    f0 = dict(view["frames"][0]["metrics"])
    assert [f0[f"weights[{j}] ({figs.light_name(j)})"] for j in range(3)] == ["0.541", "0.721", "−0.4"]
    assert f0["error, stochastic"] == "2.656"
    errors = view["run"]["errors"]
    assert live.dec(errors[0]["y"])[0] == pytest.approx(2.6561231104, rel=5e-6)  # 6 digits travel
    assert live.dec(errors[0]["y"])[-1] == pytest.approx(0.00053373677328488, rel=5e-6)
    middle = live.dec(view["run"]["weights"][1]["y"])
    assert middle[0] == 0.48 and middle[-1] == pytest.approx(1.0138, abs=1e-4) and len(middle) == 41
    # the pressure table's hover follows the weights of the pass under the cursor
    h0 = view["frames"][0]["traces"]["pressure"][0]["customdata"]
    h9 = view["frames"][9]["traces"]["pressure"][0]["customdata"]
    assert h0 != h9 and h0[-1] == h9[-1] == ["weights[0]: votes -1", "weights[1]: votes 3", "weights[2]: votes 0"]
    assert view["frames"][0]["arith"]["rows"][-1][3] == "0.04 + 1.44 + 0.3136 + 0.147456 + 0.68426 + 0.0308073"


def test_streetlight_one_is_a_single_pattern():
    e = experiments.get("streetlight-one")
    runs = S.single_run(e, e.settings(), 20)
    view = figs.dataset_view(runs, compare=False, errors_id="error_one")
    assert view["n"] == 20
    assert view["frames"][0]["arith"]["rows"][0][4] == "−0.2"
    charts = figs.dataset_charts(runs, compare=False, errors_id="error_one")
    assert [t["name"] for t in charts["error_one"]["data"]][:1] == ["error"]


def test_live_lights_never_cut_their_labels():
    """walk / stop are y tick labels (the axis makes room for them); before, a text trace to the
    right of the lamps ran off the chart ("WALK (1")."""
    t = figs.lights_template(6, 3, lecture=True)
    assert all(tr.get("mode") != "text" for tr in t["data"])
    traces, layout = figs.lights_run(ds.STREETLIGHTS, ds.WALK_VS_STOP)
    ticks = layout["yaxis"]["ticktext"]
    assert ["WALK" in x for x in ticks] == [bool(g) for g in ds.WALK_VS_STOP]
    on = set(zip(live.dec(traces[0]["x"]), live.dec(traces[0]["y"])))
    assert on == {(j, i) for i in range(6) for j in range(3) if ds.STREETLIGHTS[i][j]}


def test_log_axes_have_plain_ticks_and_the_floor_a_label():
    narrow = figs.log_ticks(-0.3, 0.84)
    assert narrow == {"tickmode": "array", "tickvals": [1.0, 2.0, 5.0], "ticktext": ["1", "2", "5"]}
    assert figs.log_ticks(-5.0, 1.0) == {"tickmode": "linear", "tick0": 0, "dtick": 1}
    e = experiments.get("no-correlation")
    runs = S.single_run(e, e.settings(), 40)
    view = figs.dataset_view(runs, compare=False, floor=1.0)
    charts = figs.dataset_charts(runs, compare=False, floor=1.0)
    y = charts["errors"]["layout"]["yaxis"]
    assert y["type"] == "log" and y["exponentformat"] == "power"
    assert view["layout"]["errors"]["yaxis"]["tickmode"] == "array"  # C2's error stays within a decade
    assert all("µ" not in t and "m" not in t for t in view["layout"]["errors"]["yaxis"]["ticktext"])
    floor = view["run"]["errors"][1]
    assert floor["text"][-1] == figs.FLOOR_TEXT and live.dec(floor["y"]) == [1.0, 1.0]
    assert charts["errors"]["data"][1]["mode"] == "lines+text"
    assert view["frames"][30]["notes"] and "above 1" in view["frames"][30]["notes"][0]


def test_the_error_chart_of_a_run_growing_towards_overflow_has_a_finite_range():
    """A grid run at a big alpha can reach errors near the largest float before it is stopped:
    the chart's log range must stay drawable, not overflow (it once raised OverflowError under
    make load: 10 ** 309)."""
    from gdviz.core.run import Run
    from gdviz.figures.streetlights import errors_run

    run = Run(tuple({"error": e} for e in (0.5, 1e200, 1.5e308)), None)
    _, layout, span = errors_run([("relu", run)], 3, floor=1.0)
    lo, hi = layout["yaxis"]["range"]
    assert all(math.isfinite(x) for x in (lo, hi, *span)) and lo < math.log10(0.5) and hi >= 308
