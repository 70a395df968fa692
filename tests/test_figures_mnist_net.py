"""Part D figures: the early-stopping star sits on the best test point, the axes are the whole
planned run, kept runs are drawn, and the hidden units' pictures are tiled correctly."""

import json

import numpy as np
import pytest

from gdviz.core import mnist, mnist_net as net
from gdviz.figures import mnist_net as figs
from tests.helpers import decode


def rec(j, train, test=None):
    return {"j": j, "train_accuracy": train, "train_error": 1 - train,
            "test_accuracy": test, "test_error": None if test is None else 1 - test}


RECORDS = [rec(0, 0.5, 0.6), rec(1, 0.7), rec(2, 0.8, 0.81), rec(3, 0.9), rec(4, 0.95, 0.79)]


def test_the_best_test_point_is_starred_at_the_highest_test_accuracy():
    fig = decode(json.loads(figs.curves(RECORDS, 10).to_json()))
    star = next(t for t in fig["data"] if t["name"].startswith("best test"))
    assert star["x"] == [2] and star["y"] == [0.81]
    assert figs.best_point(RECORDS) == (2, 0.81)
    assert figs.best_point([rec(0, 0.5)]) is None  # never tested: no best point


def test_the_axes_cover_the_planned_run_not_just_the_records():
    fig = figs.curves(RECORDS, 350)
    assert fig.layout.xaxis.range[1] >= 349 and fig.layout.xaxis2.range[1] >= 349
    assert list(fig.layout.yaxis.range) == [0, 1.02]


def test_kept_runs_are_drawn_and_non_finite_values_never_reach_a_trace():
    bad = RECORDS + [rec(5, float("nan"), float("inf"))]
    fig = decode(json.loads(figs.curves(bad, 10, kept=[("run 1", RECORDS)]).to_json()))
    assert any(t["name"] == "run 1: test" for t in fig["data"])
    for t in fig["data"]:
        ys = [y for y in t["y"] if y is not None]
        assert all(np.isfinite(ys))


def test_the_mosaic_places_each_picture_and_leaves_gaps_blank():
    pics = np.arange(5 * 28 * 28, dtype=float).reshape(5, 28, 28)
    m = figs.mosaic(pics, cols=3)
    assert m.shape == (2 * 30 - 2, 3 * 30 - 2)
    np.testing.assert_array_equal(m[:28, :28], pics[0])
    np.testing.assert_array_equal(m[30:58, 30:58], pics[4])
    assert np.isnan(m[28:30, :]).all() and np.isnan(m[30:, 60:]).all()  # gap row, empty sixth cell


def test_hidden_maps_show_weights_0_1_columns_as_pictures():
    w01, w12, _ = net.init_weights(12)
    fig = figs.hidden_maps(w01)
    z = np.asarray(fig.data[0].z, dtype=float)
    zmax = fig.data[0].zmax  # one extreme weight must not wash out the rest: clipped at a high percentile
    assert 0 < zmax <= np.abs(w01).max()
    np.testing.assert_allclose(z[:28, 30:58], np.clip(w01[:, 1], -zmax, zmax).reshape(28, 28))  # unit 1
    assert fig.data[0].customdata[0][30] == 1
    out = figs.output_map(w12)
    assert np.asarray(out.data[0].z, dtype=float).shape == (10, 12)


def test_restoring_the_best_point_puts_its_weights_back():
    images, labels = mnist.load("train", 200)
    test_images, test_labels = mnist.load("test", 300)
    s = net.start(images, labels, test_images, test_labels, hidden_size=20, test_every=1)
    with pytest.raises(ValueError, match="best"):
        net.restore_best(s)
    for _ in range(4):
        s, _ = net.step(s)
    r = net.restore_best(s)
    np.testing.assert_array_equal(r.weights_0_1, s.best.weights_0_1)
    np.testing.assert_array_equal(r.weights_1_2, s.best.weights_1_2)
    assert net.evaluate((r.weights_0_1, r.weights_1_2), test_images, test_labels)[1] == s.best.test_accuracy
    assert r.j == s.j and r.best is s.best
