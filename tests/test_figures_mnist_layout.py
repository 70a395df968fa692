"""The MNIST figures (B5, D1, F3) fit narrow columns: short titles, colour bars with room for their
title, small numbers as 0.001 or 1e-4 (never "100µ")."""

import numpy as np
import pytest

from gdviz.figures import back_query, mnist, mnist_net

rng = np.random.default_rng(0)
W = rng.normal(0, 1e-4, (10, 784))  # tiny weights: Plotly's default ticks would read "100µ"
X = rng.random(784)


def colorbars(fig):
    return [t.colorbar for t in fig.data if t.type == "heatmap" and t.showscale is not False]


@pytest.mark.parametrize("lecture", [False, True])
def test_titles_fit_a_narrow_column(lecture):
    wrong = mnist.score_bars(np.arange(10.0) / 10, label=5, lecture=lecture)  # 9 wins, the label is 5
    assert wrong.layout.title.text == "ten scores: 9 wins (label 5)"
    right = mnist.score_bars(np.arange(10.0) / 10, label=9, lecture=lecture)
    assert right.layout.title.text == "ten scores: 9 wins (right)"
    figs = [wrong, mnist.contributions_map(W, X, 3, lecture=lecture), mnist.image_map(X, label=5, lecture=lecture),
            mnist_net.hidden_maps(rng.normal(size=(784, 40)), lecture=lecture),
            mnist_net.output_map(rng.normal(size=(40, 10)), lecture=lecture)]
    for f in figs:
        assert len(f.layout.title.text) <= 32, f.layout.title.text


@pytest.mark.parametrize("lecture", [False, True])
def test_colour_bars_print_small_numbers_without_si_prefixes_and_have_room(lecture):
    figs = [mnist.weight_maps(W, 3e-4, lecture=lecture), mnist.contributions_map(W, X, 3, lecture=lecture),
            mnist_net.hidden_maps(rng.normal(0, 1e-4, (784, 20)), lecture=lecture),
            mnist_net.output_map(rng.normal(0, 1e-4, (20, 10)), lecture=lecture)]
    for f in figs:
        (bar,) = colorbars(f)
        assert bar.exponentformat == "e"
        if bar.orientation == "h":  # under the pictures: room below them
            assert f.layout.margin.b >= (110 if lecture else 90)
        else:
            assert f.layout.margin.r >= (90 if lecture else 50)
    assert back_query.back_query_maps(np.full((10, 784), 0.5), lecture=lecture).layout.margin.r >= 50
    err = mnist.accuracy_error([{"train_accuracy": 0.5, "test_accuracy": 0.5, "train_error": 2e-4,
                                 "test_error": 3e-4}], 0)
    assert err.layout.yaxis2.exponentformat == "e"
