"""The Parts E and F figures show the right numbers (marks on the curves, lines, annotations)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import gates
from gdviz.core import sigmoid_unit as su
from gdviz.experiments import sigmoid as E
from gdviz.figures import sigmoid as figs
from tests.helpers import assert_all_finite


def _trace(fig, name_start):
    return next(t for t in fig.data if (t.name or "").startswith(name_start))


@pytest.mark.parametrize("lecture", [False, True])
def test_sigmoid_marks_lie_on_the_curves_at_the_deck_h(lecture):
    r = experiments.get("sigmoid-unit").simulate(experiments.get("sigmoid-unit").settings(), 1).records[0]
    fig = figs.sigmoid_curves(r["h"], lecture=lecture)
    mark = _trace(fig, "ŷ")
    assert mark.x[0] == pytest.approx(0.07)
    assert mark.y[0] == pytest.approx(1 / (1 + math.exp(-0.07)))
    assert mark.y[0] == pytest.approx(0.517493, abs=1e-6)
    slope_mark = _trace(fig, "f'(h) =")
    assert slope_mark.y[0] == pytest.approx(r["y_hat"] * (1 - r["y_hat"]))
    assert tuple(fig.layout.xaxis.range) == figs.H_RANGE
    assert fig.layout.xaxis.title.text == "h = Σ wᵢxᵢ"


def test_slope_curve_peaks_at_a_quarter_at_zero():
    fig = figs.sigmoid_curves(0.0)
    curve = _trace(fig, "slope")
    ys = np.asarray(curve.y)
    assert ys.max() == pytest.approx(0.25)
    assert curve.x[int(ys.argmax())] == pytest.approx(0.0)
    assert np.all(ys <= 0.25 + 1e-15)


@pytest.mark.parametrize("h", [50.0, -1e6, float("inf"), float("nan")])
def test_sigmoid_chart_off_the_chart_and_non_finite(h):
    fig = figs.sigmoid_curves(h)
    assert_all_finite(fig)
    assert tuple(fig.layout.xaxis.range) == figs.H_RANGE
    assert not any((t.name or "").startswith("ŷ") for t in fig.data)
    if math.isfinite(h):
        assert any("off the chart" in (a.text or "") for a in fig.layout.annotations)


def test_vanishing_bars_are_quarter_powers():
    fig = figs.vanishing((1, 2, 5), lecture=True)
    assert list(fig.data[0].y) == pytest.approx([0.25, 0.0625, 0.25**5])
    assert fig.layout.yaxis.type == "log"


def test_network_211_shows_exact_and_deck_values():
    exp = experiments.get("backprop-worked")
    r = exp.simulate(exp.settings(), 1).records[0]
    deck = su.backprop_211(r["x"], r["y"], r["w"], r["W"], r["learn_rate"], su.DECK_DECIMALS)
    text = " ".join(a.text for a in figs.network_211(r, deck).layout.annotations)
    assert "ŷ = f(W·a) = 0.5123725 (deck 0.512)" in text
    assert "= 0.1218322 (deck 0.122)" in text  # δᵒ
    assert "= 0.003045501 (deck 0.003)" in text  # δʰ
    assert "ΔW = 0.0301535 (deck 0.0302)" in text
    assert "Δw₁ = 0.00015228 (deck 0.00015)" in text
    assert "Δw₂ = 0.00045683 (deck 0.00045)" in text
    assert "h = −0.02<br>" in text  # equal to the deck's: no second number


@pytest.mark.parametrize("hidden", ["0", "2"])
def test_gate_lines_satisfy_the_line_equation(hidden):
    exp = experiments.get("logic-gates")
    s = exp.settings(gate="xor", hidden=hidden)
    run = exp.simulate(s, 300)
    r = run.records[-1]
    fig = figs.gate_plane(r, "xor")
    lines = figs.gate_lines(r)
    drawn = [t for t in fig.data if "line" in (t.name or "")]
    assert len(drawn) == len(lines) == (1 if hidden == "0" else 2)
    for t, (w1, w2, b) in zip(drawn, lines):
        for x1, x2 in zip(t.x, t.y):
            assert w1 * x1 + w2 * x2 + b == pytest.approx(0.0, abs=1e-9)
            assert figs.BOX[0] - 1e-9 <= x1 <= figs.BOX[1] + 1e-9
    assert tuple(fig.layout.xaxis.range) == figs.BOX == tuple(fig.layout.yaxis.range)
    assert fig.layout.title.text.endswith(f"{int(round(r['accuracy'] * 4))} of 4 rows right")


def test_gate_points_coloured_by_target():
    exp = experiments.get("logic-gates")
    r = exp.simulate(exp.settings(gate="and", hidden="0"), 5).records[-1]
    fig = figs.gate_plane(r, "and")
    ones = _trace(fig, "target 1")
    zeros = _trace(fig, "target 0")
    assert list(zip(ones.x, ones.y)) == [(1.0, 1.0)]
    assert sorted(zip(zeros.x, zeros.y)) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    heat = next(t for t in fig.data if t.type == "heatmap")
    unit = gates.GateUnit("and", r["w"], r["b"])
    g = np.asarray(heat.x)
    assert heat.z[0][0] == pytest.approx(gates.unit_predict(unit, [[g[0], g[0]]])[0])


def test_xor_one_unit_never_solves_it_and_the_net_does():
    exp = experiments.get("logic-gates")
    unit = exp.simulate(exp.settings(gate="xor", hidden="0"), 2000).records
    net = exp.simulate(exp.settings(gate="xor", hidden="2"), 1000).records
    assert max(r["accuracy"] for r in unit) <= 0.75
    assert net[-1]["accuracy"] == 1.0
    fig = figs.gate_progress(net, len(net) - 1)
    assert tuple(fig.layout.xaxis.range) == (0.5, len(net) + 0.5)


def test_heatmap_annotations_equal_the_matrices():
    exp = experiments.get("matrix-forward")
    s = exp.settings()
    r = exp.simulate(s, 1).records[0]
    W1 = np.reshape(s["W_input_hidden"], (3, 3))
    fig = figs.matrix_heatmap(W1, "W_input_hidden", rows="123", cols="123", highlight=(1, None))
    assert [[float(t) for t in row] for row in fig.data[0].text] == W1.tolist()
    assert np.asarray(fig.data[0].z).tolist() == W1.tolist()
    fig = figs.matrix_heatmap(r["X_hidden"][:, None], "X_hidden", rows="123", cols=["X"])
    assert [row[0] for row in fig.data[0].text] == ["1.160", "0.420", "0.620"]
    fig = figs.matrix_heatmap(r["O_hidden"][:, None], "O_hidden", rows="123", cols=["O"])
    assert [row[0] for row in fig.data[0].text] == ["0.761", "0.603", "0.650"]
    assert figs.cell_text([[float("nan")]]) == [["—"]]


def test_cell_products_sum_to_the_cell():
    exp = experiments.get("matrix-forward")
    s = exp.settings()
    r = exp.simulate(s, 1).records[0]
    W1 = np.reshape(s["W_input_hidden"], (3, 3))
    fig = figs.cell_products(W1, r["I"], 0, X_name="X_hidden")
    ys = list(fig.data[0].y)
    assert ys[:3] == pytest.approx([0.9 * 0.9, 0.3 * 0.1, 0.4 * 0.8])
    assert ys[3] == pytest.approx(1.16) == pytest.approx(r["X_hidden"][0])


def test_error_split_vs_transpose():
    W2 = np.reshape(E.MATRIX_PARAMS[2].default, (3, 3))
    O = np.array([0.726, 0.708, 0.778])
    T, errors = figs.one_hot_errors(O, 1)
    assert T.tolist() == [0.01, 0.99, 0.01]
    assert errors == pytest.approx(T - O)
    fig = figs.error_split(W2, errors, lecture=True)
    split, shortcut = (np.asarray(t.y) for t in fig.data)
    assert shortcut == pytest.approx(W2.T @ errors)
    assert split == pytest.approx(((errors[:, None] * W2) / W2.sum(axis=1)[:, None]).sum(axis=0))
    assert split.sum() == pytest.approx(errors.sum())  # the shares add back up to the output errors
    lo, hi = fig.layout.yaxis.range
    assert lo < min(split.min(), shortcut.min()) and hi > max(split.max(), shortcut.max())


# --- the lesson instrument's views (E1, E2, F1, F2) -------------------------------------------------

from gdviz.figures import live  # noqa: E402


def _deck_unit_run():
    exp = experiments.get("sigmoid-unit")
    return exp.simulate(exp.settings(), 30)


def test_e1_view_shows_the_deck_step_and_defines_E():
    run = _deck_unit_run()
    view = figs.unit_view(run)
    f = view["frames"][0]
    assert f["metrics"] == [["h", "0.07"], ["ŷ = f(h)", "0.5175"], ["f'(h)", "0.2497"]]
    rows = {r[1]: r for r in f["arith"]["rows"]}
    assert rows["error"][2:] == ["y − y_hat", "0.2 − 0.517493", "−0.317493"]
    # E, the quantity the chart plots, is defined in the arithmetic, from error = y − ŷ
    assert rows["E"][2:] == ["½ × error²", "0.5 × (−0.317493)²", "0.0504009"]
    charts = figs.unit_charts(run)
    assert charts["errors"]["layout"]["yaxis"]["title"]["text"].startswith("E = ½ (y − ŷ)²")
    assert charts["errors"]["data"][0]["name"] == "E = ½ (y − ŷ)²"
    marks = live.apply(charts["curves"], view, "curves", 0)["data"]
    assert marks[figs.SIG_YHAT]["x"] == [0.07] and marks[figs.SIG_YHAT]["y"] == [0.517493]
    assert marks[figs.SIG_FPRIME]["y"] == [pytest.approx(run.records[0]["f_prime"], rel=1e-5)]


def test_e1_marks_off_the_chart_and_saturation():
    assert figs.sigmoid_marks(12.0, 0.99999, 6e-6)[figs.SIG_OFF]["x"] == "8"
    assert figs.sigmoid_marks(-12.0, 0.0, 0.0)[figs.SIG_OFF]["marker"]["symbol"] == "triangle-left"
    assert all(t == {"x": "", "y": ""} for t in figs.sigmoid_marks(float("nan"), 0.5, 0.25).values())


def test_e2_view_shows_exact_and_deck_values():
    exp = experiments.get("backprop-worked")
    run = exp.simulate(exp.settings(), 20)
    view = figs.backprop_view(run)
    text = " ".join(t for tr in view["frames"][0]["traces"]["net"].values() for t in tr["text"])
    assert "ŷ = 0.51237 (deck 0.512)" in text
    assert "δᵒ = 0.12183 (deck 0.122)" in text and "ΔW = 0.030153 (deck 0.0302)" in text
    assert "δʰ = 0.0030455 (deck 0.003)" in text and "Δw₁ = 0.00015228 (deck 0.00015)" in text
    assert "error y − ŷ = 0.48763 (deck 0.488)" in text
    assert view["frames"][0]["metrics"][1] == ["error y − ŷ", "0.4876"]
    assert "E" in {r[1] for r in view["frames"][0]["arith"]["rows"]}
    assert view["run"]["net"][figs.NET_ETA]["text"] == ["← backward (η = 0.5)"]


def test_log_axes_have_no_minor_labels_and_no_si_prefixes():
    fig = figs.vanishing((1, 2, 5))
    assert fig.layout.yaxis.exponentformat == "power" and fig.layout.yaxis.dtick == 1  # decades, 10⁻³ not 1m


def test_f1_frames_every_kth_epoch_and_the_line_lies_on_its_equation():
    assert E.frame_records(100, 100) == list(range(100))
    picks = E.frame_records(1000, 1000)
    assert picks[:3] == [0, 9, 19] and picks[-1] == 999 and len(picks) == 101
    assert E.frame_records(37, 2000)[-1] == 36  # a run cut short still ends on its last epoch
    exp = experiments.get("logic-gates")
    flat = {"w1": -1.0, "w2": 0.5, "b": 0.5, "gate": "and", "hidden": "0", "learn_rate": 5.0, "seed": 0}
    run = exp.simulate(E.gate_settings(flat), 1000)
    view = figs.gate_view_of("and", 1000)(run)
    assert view["n"] == 101
    first, last = view["frames"][0], view["frames"][100]
    assert first["metrics"][0] == ["rows right", "1 of 4"] and last["metrics"][0] == ["rows right", "4 of 4"]
    assert first["position"] == "epoch 1 · frame 1" and last["position"] == "epoch 1000 · frame 101"
    line = live.apply(figs.gate_charts(run)["plane"], view, "plane", 0)["data"][figs.PLANE_LINE1]
    for x1, x2 in zip(line["x"], line["y"]):  # the starting line −x1 + 0.5·x2 + 0.5 = 0
        assert -x1 + 0.5 * x2 + 0.5 == pytest.approx(0.0, abs=1e-5)
    z = live.dec(first["traces"]["plane"][figs.PLANE_HEAT]["z"][0])  # bottom row, x2 = −0.5
    assert z[0] == pytest.approx(round(float(1 / (1 + math.exp(-(0.5 - 0.25 + 0.5)))), 2))


def test_f1_colour_bar_sits_under_the_square():
    cb = figs.plane_template()["data"][figs.PLANE_HEAT]["colorbar"]
    assert cb["orientation"] == "h" and cb["x"] == 0.5 and -0.3 <= cb["y"] <= 0


def test_f2_view_cells_and_deck_numbers():
    exp = experiments.get("matrix-forward")
    s = exp.settings()
    run = exp.simulate(s, 6)
    W1, W2 = E.matrix_weights(s)
    view = figs.matrix_view_of(W1, W2, 3)(run)
    assert view["n"] == 6
    texts = {name: view["run"]["matrices"][i]["text"] for i, (_, name, _) in enumerate(figs.MAT_PANELS)}
    assert [r[0] for r in texts["X_hidden"]] == ["1.160", "0.420", "0.620"]
    assert [r[0] for r in texts["O_hidden"]] == ["0.761", "0.603", "0.650"]
    f = view["frames"][3]  # output node 1, as the deck rounds it
    rows = f["arith"]["rows"]
    assert rows[0][1] == "X_output[1]" and rows[0][4] == "0.975947"  # the book: 0.97595 unrounded
    assert [r[4] for r in rows if r[0] == "deck"] == ["0.975", "0.726"]
    box = f["traces"]["matrices"][figs.MAT_BOXES["output"][0]]
    assert live.dec(box["y"]) == [0.5, 0.5, 1.5, 1.5, 0.5]
    assert all(f["traces"]["matrices"][i] == {"x": "", "y": ""} for i in figs.MAT_BOXES["hidden"])
