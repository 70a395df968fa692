"""Part B5 figures: the weight pictures, the scores and their make-up, accuracy per pass."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import mnist
from gdviz.core import single_layer as sl
from gdviz.figures import mnist as figs
from gdviz.figures import theme


@pytest.fixture(scope="module")
def run():
    exp = experiments.get("mnist-weights")
    return exp.simulate(exp.settings(alpha=0.001, train_images=300), 3)


@pytest.fixture(scope="module")
def test_image():
    images, labels = mnist.load("test", 10)
    return images[0], int(labels[0])


def _z(trace) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in trace.z], dtype=float)


def _finite_or_none(values) -> bool:
    for v in np.asarray(values, dtype=object).ravel():
        if v is not None and not math.isfinite(float(v)):
            return False
    return True


def test_weight_range_is_the_largest_weight_of_the_whole_run(run):
    expected = max(float(np.abs(r["new_weights"]).max()) for r in run.records)
    assert figs.weight_range(run.records) == pytest.approx(expected)
    assert expected > 0


def test_weight_maps_draw_each_digits_weights_as_28x28_on_one_fixed_scale(run):
    zmax = figs.weight_range(run.records)
    first = figs.weight_maps(run.records[0]["new_weights"], zmax)
    last = figs.weight_maps(run.records[-1]["new_weights"], zmax, lecture=True)
    for fig, r in ((first, run.records[0]), (last, run.records[-1])):
        heat = [t for t in fig.data if t.type == "heatmap"]
        assert len(heat) == 10
        for d, t in enumerate(heat):
            np.testing.assert_allclose(_z(t), r["new_weights"][d].reshape(28, 28))
            assert t.zmin == -zmax and t.zmax == zmax  # symmetric, the same on every pass
            assert t.colorscale[0][1].upper() == theme.COLORS["blue"].upper()  # negative: blue
            assert t.colorscale[1][0] == 0.5 and t.colorscale[1][1].upper() == "#FFFFFF"  # 0 is white
        assert sum(bool(t.showscale) for t in heat) == 1
    assert fig.layout.yaxis.range == (27.5, -0.5)  # row 0 of the picture at the top
    assert fig.layout.xaxis6.title.text == "pixel column"


def test_learned_weights_look_like_their_digit(run):
    """The trained picture of each digit correlates best with that digit's mean image."""
    images, labels = mnist.load("train", 300)
    w = run.records[-1]["new_weights"]
    means = np.array([images[labels == d].mean(axis=0) for d in range(10)])
    corr = np.corrcoef(np.vstack([w, means]))[:10, 10:]
    assert (corr.argmax(axis=1) == np.arange(10)).sum() >= 8


def test_score_bars_highlight_the_argmax_and_show_the_scores(run, test_image):
    x, label = test_image
    w = run.records[-1]["new_weights"]
    pred = sl.scores(w, x)
    fig = figs.score_bars(pred, label=label, yrange=figs.score_range(run.records, x))
    bar = fig.data[0]
    np.testing.assert_allclose(bar.y, pred)
    highlighted = [d for d, c in enumerate(bar.marker.color) if c == theme.CURRENT]
    assert highlighted == [int(np.argmax(pred))] == [figs.winner(pred)]
    assert bar.marker.line.width[label] > 0 and sum(1 for v in bar.marker.line.width if v) == 1
    assert fig.layout.xaxis.title.text == "digit" and fig.layout.yaxis.title.text


def test_score_range_is_fixed_over_the_run_and_holds_every_score(run, test_image):
    x, _ = test_image
    lo, hi = figs.score_range(run.records, x)
    for r in run.records:
        pred = sl.scores(r["new_weights"], x)
        assert lo <= pred.min() and pred.max() <= hi
    assert lo <= 0 and hi >= 1


def test_contributions_map_is_image_times_weights_and_sums_to_the_score(run, test_image):
    x, _ = test_image
    w = run.records[-1]["new_weights"]
    pred = sl.scores(w, x)
    top = figs.winner(pred)
    fig = figs.contributions_map(w, x, top, zmax=figs.contribution_range(run.records, x))
    z = _z(fig.data[0])
    np.testing.assert_allclose(z, (w[top] * x).reshape(28, 28))
    assert z.sum() == pytest.approx(pred[top])
    assert fig.data[0].zmin == -fig.data[0].zmax
    assert f"weights[{top}]" in fig.layout.title.text


def test_image_map_shows_the_pixels(test_image):
    x, label = test_image
    fig = figs.image_map(x, label=label)
    np.testing.assert_allclose(_z(fig.data[0]), x.reshape(28, 28))
    assert str(label) in fig.layout.title.text


def test_accuracy_error_plots_the_records_on_fixed_axes(run):
    n = len(run.records)
    a = figs.accuracy_error(run.records, 0)
    b = figs.accuracy_error(run.records, n - 1)
    by_name = {}
    for t in a.data:
        by_name.setdefault(t.name, []).append(t)
    np.testing.assert_allclose(by_name["train"][0].y, [r["train_accuracy"] for r in run.records])
    np.testing.assert_allclose(by_name["train"][1].y, [r["train_error"] for r in run.records])
    np.testing.assert_allclose(by_name["test"][0].y, [r["test_accuracy"] for r in run.records])
    np.testing.assert_allclose(by_name["test"][1].y, [r["test_error"] for r in run.records])
    for fig in (a, b):
        assert fig.layout.xaxis.range == (0.5, n + 0.5) and fig.layout.xaxis2.range == (0.5, n + 0.5)
        assert fig.layout.yaxis.range == (0, 1.02)
        assert fig.layout.xaxis.title.text == "pass" and fig.layout.yaxis2.title.text == "error"
    assert a.layout.yaxis2.range == b.layout.yaxis2.range
    assert max(r["train_error"] for r in run.records) <= a.layout.yaxis2.range[1]


def test_non_finite_weights_never_reach_a_trace(test_image):
    x, label = test_image
    w = np.zeros((10, 784))
    w[3, 300] = np.inf
    w[5, 400] = np.nan
    w[1] = 0.01
    fig = figs.weight_maps(w, figs.weight_range([{"new_weights": w}]))
    for t in fig.data:
        assert _finite_or_none(t.z)
    pred = sl.scores(w, x)
    bars = figs.score_bars(pred, label=label)
    assert _finite_or_none([v for v in bars.data[0].y])
    contrib = figs.contributions_map(w, x, 3)
    assert _finite_or_none(contrib.data[0].z)
    records = [{"train_accuracy": 0.5, "test_accuracy": float("nan"), "train_error": float("inf"),
                "test_error": 1.0}]
    acc = figs.accuracy_error(records, 0)
    for t in acc.data:
        assert _finite_or_none(t.y)


def test_every_figure_builds_in_lecture_mode(run, test_image):
    x, label = test_image
    w = run.records[-1]["new_weights"]
    pred = sl.scores(w, x)
    figs.score_bars(pred, label=label, lecture=True)
    figs.image_map(x, label=label, lecture=True)
    figs.contributions_map(w, x, figs.winner(pred), lecture=True)
    fig = figs.accuracy_error(run.records, 1, lecture=True)
    assert fig.layout.font.size == 22
