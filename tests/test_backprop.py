"""C3: the 3-layer network — the book's printed errors, the phases, the gradient, relu vs linear."""

import warnings

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import backprop as bp
from gdviz.core import book_dot
from gdviz.core.run import run

X = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=float)
Y = np.array([1, 1, 0, 0], dtype=float)
BOOK_ERRORS = [0.6342311598444467, 0.35838407676317513, 0.0830183113303298,
               0.006467054957103705, 0.0003292669000750734, 1.5055622665134859e-05]


def test_initial_weights_are_the_global_seed_sequence():
    saved = np.random.get_state()
    try:
        np.random.seed(1)
        w01 = 2 * np.random.random((3, 4)) - 1
        w12 = 2 * np.random.random((4, 1)) - 1
    finally:
        np.random.set_state(saved)
    a, b = bp.init_weights(1, 4)
    np.testing.assert_array_equal(a, w01)
    np.testing.assert_array_equal(b, w12)
    net = bp.network()
    np.testing.assert_array_equal(net.weights_0_1, w01)
    assert net.hidden_size == 4 and net.walk_vs_stop.shape == (4, 1)


def test_c3_book_errors_exact():
    r = run(bp.pass_step, bp.network(), 60)
    assert [r.records[k]["error"] for k in range(9, 60, 10)] == BOOK_ERRORS


def test_other_sign_convention_gives_the_same_digits():
    """``goal - layer_2`` with ``+=`` (another printing of the book) is the same arithmetic."""
    w01, w12 = bp.init_weights(1, 4)
    errors = []
    for _ in range(60):
        total = 0
        for i in range(4):
            layer_0 = X[i:i + 1]
            layer_1 = np.maximum(book_dot.dot(layer_0, w01), 0)
            layer_2 = book_dot.dot(layer_1, w12)
            total += np.sum((layer_2 - Y[i]) ** 2)
            layer_2_delta = Y[i] - layer_2
            layer_1_delta = layer_2_delta @ w12.T * (layer_1 > 0)
            w12 = w12 + 0.2 * (layer_1.T @ layer_2_delta)
            w01 = w01 + 0.2 * (layer_0.T @ layer_1_delta)
        errors.append(total)
    assert errors == run(bp.pass_step, bp.network(), 60).column("error")


def test_example_record_has_every_phase():
    assert bp.PHASES == ("forward", "compare", "backward", "update")
    assert set(bp.PHASE_KEYS) == set(bp.PHASES)
    net = bp.network()
    _, r = bp.example_step(net)
    for phase in bp.PHASES:
        for key in bp.PHASE_KEYS[phase]:
            assert key in r, key
    assert r["layer_0"].shape == (1, 3) and r["layer_1"].shape == (1, 4) and r["layer_2"].shape == (1, 1)
    assert r["layer_1_delta"].shape == (1, 4) and r["weight_deltas_0_1"].shape == (3, 4)
    # the same example by hand, with the book's formulas
    w01, w12 = net.weights_0_1, net.weights_1_2
    layer_1 = np.maximum(X[:1] @ w01, 0)
    layer_2 = layer_1 @ w12
    layer_2_delta = layer_2 - 1.0
    layer_1_delta = layer_2_delta @ w12.T * (layer_1 > 0)
    np.testing.assert_array_equal(r["layer_1"], layer_1)
    np.testing.assert_array_equal(r["layer_2_delta"], layer_2_delta)
    np.testing.assert_array_equal(r["layer_1_delta"], layer_1_delta)
    np.testing.assert_array_equal(r["new_weights_1_2"], w12 - 0.2 * layer_1.T @ layer_2_delta)
    np.testing.assert_array_equal(r["new_weights_0_1"], w01 - 0.2 * X[:1].T @ layer_1_delta)
    assert r["error"] == pytest.approx(float(layer_2_delta[0, 0]) ** 2)
    assert r["pred"] == float(layer_2[0, 0]) and r["goal_pred"] == 1.0


def test_relu_off_nodes_take_no_blame():
    s = bp.network()
    offs = 0
    for _ in range(8):
        s, r = bp.example_step(s)
        off = ~r["relu_mask"]
        offs += off.sum()
        np.testing.assert_array_equal(r["layer_1"][off], 0.0)
        np.testing.assert_array_equal(r["layer_1_delta"][off], 0.0)
        np.testing.assert_array_equal(r["weight_deltas_0_1"][:, off[0]], 0.0)
    assert offs > 0  # the test saw some nodes switched off


def test_steps_do_not_mutate():
    s = bp.network()
    before = s.weights_0_1.copy(), s.weights_1_2.copy()
    bp.pass_step(s)
    np.testing.assert_array_equal(s.weights_0_1, before[0])
    np.testing.assert_array_equal(s.weights_1_2, before[1])
    assert (s.example, s.passes, s.pass_error) == (0, 0, 0.0)
    with pytest.raises(ValueError):
        s.weights_1_2[0, 0] = 1.0


def numeric_gradient(w01, w12, activation, h=1e-6):
    grads = []
    for which in (0, 1):
        w = (w01, w12)[which]
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            e = np.zeros_like(w)
            e[idx] = h
            plus = (w01 + e, w12) if which == 0 else (w01, w12 + e)
            minus = (w01 - e, w12) if which == 0 else (w01, w12 - e)
            g[idx] = (bp.summed_error(*plus, X, Y, activation) - bp.summed_error(*minus, X, Y, activation)) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("activation,seed", [("relu", 1), ("relu", 2), ("linear", 1)])
def test_gradient_matches_finite_differences(activation, seed):
    w01, w12 = bp.init_weights(seed, 4)
    z = X @ w01
    assert np.abs(z).min() > 1e-3  # no relu kink within reach of the finite difference
    assert (z < 0).any()  # some hidden nodes are off, so the mask matters
    analytic = bp.gradient(w01, w12, X, Y, activation)
    numeric = numeric_gradient(w01, w12, activation)
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=1e-6, atol=1e-8)


def test_one_example_weight_deltas_are_half_the_gradient():
    net = bp.network()
    _, r = bp.example_step(net)
    g01, g12 = bp.gradient(net.weights_0_1, net.weights_1_2, X[:1], Y[:1])
    np.testing.assert_allclose(g01, 2 * r["weight_deltas_0_1"], rtol=1e-14)
    np.testing.assert_allclose(g12, 2 * r["weight_deltas_1_2"], rtol=1e-14)


def test_linear_hidden_layer_cannot_learn_c2():
    """Without relu the network is one weighted sum: no weights get C2's summed error below 1.0.

    (1.0 is the least-squares floor: predicting 0.5 for every row. Measured with seed 1,
    alpha 0.2: the per-pass error never drops below about 1.32 in 200 passes.)
    """
    r = run(bp.pass_step, bp.network(activation="linear"), 200)
    assert r.diverged_at is None
    assert min(r.column("error")) > 1.0
    last = r.records[-1]
    assert bp.summed_error(last["new_weights_0_1"], last["new_weights_1_2"], X, Y, "linear") >= 1.0 - 1e-12
    ex = last["examples"][0]
    np.testing.assert_allclose(ex["layer_2"], ex["layer_0"] @ (ex["weights_0_1"] @ ex["weights_1_2"]), rtol=1e-12)
    relu = run(bp.pass_step, bp.network(), 200)
    assert relu.column("error")[-1] < 1e-6


def test_divergence_stops_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run(bp.pass_step, bp.network(alpha=5.0, activation="linear"), 100)
    assert r.diverged_at is not None and r.diverged_at == len(r) < 100


@pytest.mark.parametrize("kwargs,name", [
    ({"hidden_size": 0}, "hidden_size"),
    ({"hidden_size": 65}, "hidden_size"),
    ({"hidden_size": 2.5}, "hidden_size"),
    ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"activation": "tanh"}, "activation"),
    ({"alpha": float("nan")}, "alpha"),
    ({"alpha": "0.2"}, "alpha"),
    ({"walk_vs_stop": [1, 1, 0]}, "walk_vs_stop"),
    ({"streetlights": [[1, 0], [0, 1, 1]]}, "streetlights"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        bp.network(**kwargs)


def test_bad_weight_shapes():
    w01, w12 = bp.init_weights(1, 4)
    with pytest.raises(ValueError, match="weights_1_2"):
        bp.Network(w01, w12[:3], X, Y)
    with pytest.raises(ValueError, match="weights_0_1"):
        bp.Network(w01[:2], w12, X, Y)


def test_experiment_and_cli(capsys):
    e = experiments.get("backprop")
    assert e.lesson == "C3" and e.iterations == 60 and e.button
    assert cli.main(["run", "backprop"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"Error:{v}" for v in BOOK_ERRORS]
    assert cli.main(["run", "backprop-linear", "--iterations", "200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20 and all(float(line.removeprefix("Error:")) > 1.0 for line in lines)
    assert cli.main(["run", "backprop", "--set", "hidden_size=0"]) == 2
    assert "hidden_size" in capsys.readouterr().err
    assert cli.main(["run", "backprop", "--set", "activation=linear", "--set", "alpha=5"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Diverged at iteration")
