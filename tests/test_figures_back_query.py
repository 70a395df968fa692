"""Part F3 figures: the ten back-queried digits and the accuracy curve."""

import math

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import mnist_sigmoid as ms
from gdviz.figures import back_query as figs
from gdviz.figures import theme


@pytest.fixture(scope="module")
def run():
    exp = experiments.get("mnist-sigmoid")
    return exp.run(hidden=10, train_images=1500, epochs=2)  # chunks of 1000, 500 per epoch


def _z(trace) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in trace.z], dtype=float)


def _no_non_finite(fig) -> bool:
    for t in fig.data:
        for key in ("x", "y", "z"):
            values = getattr(t, key, None)
            if values is None:
                continue
            for v in np.asarray(values, dtype=object).ravel():
                if v is not None and not math.isfinite(float(v)):
                    return False
    return True


def test_back_query_maps_draw_ten_28x28_digits_titled_0_to_9_on_one_fixed_scale(run):
    images = run.records[-1]["back_query"]
    for lecture in (False, True):
        fig = figs.back_query_maps(images, lecture=lecture)
        heat = [t for t in fig.data if t.type == "heatmap"]
        assert len(heat) == 10
        assert [a.text for a in fig.layout.annotations] == [str(d) for d in range(10)]
        for d, t in enumerate(heat):
            np.testing.assert_allclose(_z(t), images[d])
            assert (t.zmin, t.zmax) == (0.01, 0.99)
        assert sum(bool(t.showscale) for t in heat) == 1
        assert fig.layout.yaxis.range == (27.5, -0.5)  # row 0 of the picture at the top
        assert fig.layout.xaxis.range == (-0.5, 27.5)
        assert fig.layout.yaxis10.scaleanchor == "x10"  # square pixels in every panel
        assert not fig.layout.xaxis3.showticklabels
    assert fig.layout.font.size > figs.back_query_maps(images).layout.font.size


def test_back_query_maps_accept_flat_rows_clip_and_blank_non_finite_values():
    a = np.full((10, 784), 0.5)
    a[0, 0] = 7.0
    a[1, 1] = -3.0
    a[2, 2] = np.nan
    a[3, 3] = np.inf
    fig = figs.back_query_maps(a)
    z = [_z(t) for t in fig.data]
    assert z[0][0, 0] == 0.99 and z[1][0, 1] == 0.01
    assert np.isnan(z[2][0, 2]) and np.isnan(z[3][0, 3])  # None in the trace: a blank pixel
    assert _no_non_finite(fig)
    assert "not finite" in fig.layout.title.text
    with pytest.raises(ValueError, match="^images10 "):
        figs.back_query_maps(np.zeros((9, 784)))


def test_accuracy_curve_fixed_axes_and_the_current_point(run):
    records = run.records
    assert len(records) == 4  # per epoch: a chunk of 1000 images, then one of 500
    rows = ms.epochs_of(records)
    figs_ = [figs.accuracy_curve(records, i, epochs=2) for i in range(len(records))]
    for i, fig in enumerate(figs_):
        assert fig.layout.xaxis.range == figs_[0].layout.xaxis.range
        assert fig.layout.yaxis.range == figs_[0].layout.yaxis.range
        assert _no_non_finite(fig)
        train, test, now = fig.data
        np.testing.assert_allclose(train.x, [2 / 3, 1, 5 / 3, 2])
        assert list(train.y) == [r["train_accuracy"] for r in records]
        assert list(test.x) == [1.0, 2.0] and list(test.y) == [r["test_accuracy"] for r in rows]
        assert now.x[0] == pytest.approx(train.x[i])
        expected = records[i]["test_accuracy"] if records[i]["test_accuracy"] is not None \
            else records[i]["train_accuracy"]
        assert now.y[0] == expected
        assert now.marker.color == theme.CURRENT
    lo, hi = figs_[0].layout.yaxis.range
    assert hi == 1.0 and lo <= min(min(t.y) for t in figs_[0].data[:2])
    assert figs_[0].layout.xaxis.range[1] > 2
    assert figs_[0].layout.xaxis.title.text == "epochs"


def test_accuracy_curve_refuses_a_bad_index(run):
    with pytest.raises(ValueError, match="^i "):
        figs.accuracy_curve(run.records, len(run.records))
    with pytest.raises(ValueError, match="^records "):
        figs.accuracy_curve([], 0)
