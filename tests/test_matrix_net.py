"""Part F: the matrix network — forward pass, errors backwards, update, back-query."""

import math

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import matrix_net as mn
from gdviz.core.activations import sigmoid
from gdviz.core.run import run
from tests.helpers import fd

I = [0.9, 0.1, 0.8]
W_IH = [[0.9, 0.3, 0.4], [0.2, 0.8, 0.2], [0.1, 0.5, 0.6]]
W_HO = [[0.3, 0.7, 0.5], [0.6, 0.5, 0.2], [0.8, 0.1, 0.9]]
DECK = mn.MatrixNet((W_IH, W_HO))


def half_squared_error(weights, inputs, targets):
    signal = np.asarray(inputs, dtype=float)
    for W in weights:
        signal = sigmoid.value(W @ signal)
    return 0.5 * np.sum((np.asarray(targets) - signal) ** 2)


# --- forward -------------------------------------------------------------------------------------

def test_deck_forward_pass_unrounded():
    r = mn.forward(DECK, I)
    assert np.round(r["X_hidden"], 2).tolist() == [1.16, 0.42, 0.62]
    assert np.round(r["O_hidden"], 3).tolist() == [0.761, 0.603, 0.650]
    assert np.round(r["X_output"], 5).tolist() == [0.97595, 0.88858, 1.25461]
    assert np.round(r["O_output"], 5).tolist() == [0.72630, 0.70860, 0.77810]
    assert r["X"][0] is r["X_hidden"] and r["O"][-1] is r["O_output"]


def test_deck_forward_pass_rounded_as_the_deck_does():
    r = mn.forward(DECK, I, round_hidden=3)
    assert r["O_hidden"].tolist() == [0.761, 0.603, 0.650]
    assert np.round(r["X_output"], 3).tolist() == [0.975, 0.888, 1.254]
    assert np.round(r["O_output"], 3).tolist() == [0.726, 0.708, 0.778]


def test_two_node_warm_up():
    r = mn.forward(mn.MatrixNet(([[0.9, 0.3], [0.2, 0.8]],)), [1.0, 0.5])
    assert np.round(r["X_output"], 2).tolist() == [1.05, 0.6]
    assert np.round(r["O_output"], 4).tolist() == [0.7408, 0.6457]
    assert "X_hidden" not in r


def test_query_handles_one_record_or_many():
    rows = np.array([I, [0.1, 0.5, 0.3]])
    out = mn.query(DECK, rows)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0], mn.forward(DECK, I)["O_output"])
    np.testing.assert_allclose(mn.query(DECK, rows[1]), mn.forward(DECK, rows[1])["O_output"])


# --- errors backwards ------------------------------------------------------------------------------

def test_proportional_split_by_hand():
    # node 1 receives links weighing 2 (from hidden 1) and 3 (from hidden 2); node 2: 1 and 4
    W = [[2.0, 3.0], [1.0, 4.0]]
    hidden = mn.split_errors(W, [0.8, 0.5])
    assert hidden.tolist() == pytest.approx([0.8 * 2 / 5 + 0.5 * 1 / 5, 0.8 * 3 / 5 + 0.5 * 4 / 5])


def test_proportional_shares_sum_back_to_the_output_errors():
    rng = np.random.RandomState(0)
    W = rng.uniform(0.1, 1.0, (4, 6))
    e = rng.normal(0, 1, 4)
    shares = mn.error_shares(W, e)
    np.testing.assert_allclose(shares.sum(axis=1), e)
    assert mn.split_errors(W, e).sum() == pytest.approx(e.sum())  # no error is lost or made


def test_transpose_is_the_split_without_normalising():
    rng = np.random.RandomState(1)
    W = rng.uniform(0.1, 1.0, (3, 5))
    e = rng.normal(0, 1, 3)
    np.testing.assert_allclose(mn.transpose_errors(W, e), W.T @ e)
    normalised = W / W.sum(axis=1, keepdims=True)  # every node's links sum to 1
    np.testing.assert_allclose(mn.transpose_errors(normalised, e), mn.split_errors(W, e))
    assert not np.allclose(mn.transpose_errors(W, e), mn.split_errors(W, e))


def test_split_refuses_weights_summing_to_zero():
    with pytest.raises(ValueError, match="^W: "):
        mn.split_errors([[1.0, -1.0]], [0.5])


# --- update ----------------------------------------------------------------------------------------

def test_output_layer_update_is_minus_the_gradient():
    T = [0.01, 0.99, 0.01]
    new, r = mn.train(mn.MatrixNet((W_IH, W_HO), learn_rate=0.3), I, T)
    grad = fd(lambda W: half_squared_error((np.array(W_IH), W), I, T), W_HO)
    np.testing.assert_allclose(r["delta_W"][1], -0.3 * grad, atol=1e-9)
    np.testing.assert_allclose(new.weights[1], np.array(W_HO) + r["delta_W"][1])


def test_single_layer_update_is_minus_the_gradient():
    rng = np.random.RandomState(2)
    W, x, t = rng.normal(0, 1, (3, 4)), rng.uniform(0, 1, 4), rng.uniform(0.1, 0.9, 3)
    _, r = mn.train(mn.MatrixNet((W,), learn_rate=0.5), x, t)
    np.testing.assert_allclose(r["delta_W"][0], -0.5 * fd(lambda W_: half_squared_error((W_,), x, t), W), atol=1e-9)


def test_hidden_layer_uses_the_decks_shortcut():
    # The deck sends E back as Wᵀ·E; the exact gradient would send Wᵀ·(E∘O∘(1−O)).
    T = [0.01, 0.99, 0.01]
    _, r = mn.train(mn.MatrixNet((W_IH, W_HO), learn_rate=0.3), I, T)
    E_out, O_out, O_hid = r["error_output"], r["O_output"], r["O_hidden"]
    np.testing.assert_allclose(r["error_hidden"], np.array(W_HO).T @ E_out)
    np.testing.assert_allclose(r["delta_W"][0], mn.delta_weights(r["error_hidden"], O_hid, I, 0.3))
    exact = mn.delta_weights(np.array(W_HO).T @ (E_out * O_out * (1 - O_out)), O_hid, I, 0.3)
    grad = fd(lambda W: half_squared_error((W, np.array(W_HO)), I, T), W_IH)
    np.testing.assert_allclose(exact, -0.3 * grad, atol=1e-9)


def test_train_is_pure_and_lowers_the_error():
    net = mn.MatrixNet((W_IH, W_HO), learn_rate=0.3)
    before = [W.copy() for W in net.weights]
    new, r = mn.train(net, I, [0.01, 0.99, 0.01])
    for W, W0 in zip(net.weights, before):
        assert np.array_equal(W, W0)
        assert not W.flags.writeable
    assert half_squared_error(new.weights, I, r["T"]) < r["E"]
    assert r["weights"] is net.weights and r["new_weights"] is new.weights


def test_step_cycles_and_fit_matches_train():
    rng = np.random.RandomState(4)
    inputs, targets = rng.uniform(0.01, 0.99, (3, 4)), rng.uniform(0.01, 0.99, (3, 2))
    net = mn.init((4, 5, 2), seed=7, learn_rate=0.2)
    result = run(mn.step, mn.Training(net, inputs, targets), 6)
    assert result.column("index") == [0, 1, 2, 0, 1, 2]
    by_hand = net
    for _ in range(2):
        for x, t in zip(inputs, targets):
            by_hand, _ = mn.train(by_hand, x, t)
    fitted = mn.fit(net, inputs, targets, epochs=2)
    for a, b, c in zip(by_hand.weights, fitted.weights, result.records[-1]["new_weights"]):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_init_draws_normal_with_one_over_root_n_in():
    net = mn.init((784, 200, 10), seed=3)
    assert [W.shape for W in net.weights] == [(200, 784), (10, 200)]
    assert net.sizes == (784, 200, 10)
    assert np.std(net.weights[0]) == pytest.approx(784**-0.5, rel=0.02)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(net.weights[0], rng.normal(0.0, 784**-0.5, (200, 784)))
    np.testing.assert_array_equal(net.weights[1], rng.normal(0.0, 200**-0.5, (10, 200)))


# --- back-query ------------------------------------------------------------------------------------

def test_logit_inverts_the_sigmoid_and_rescale_fills_the_range():
    y = np.array([0.01, 0.3, 0.5, 0.99])
    np.testing.assert_allclose(sigmoid.value(mn.logit(y)), y)
    assert mn.rescale([2.0, -1.0, 0.5]).tolist() == pytest.approx([0.99, 0.01, 0.5])
    assert mn.rescale([3.0, 3.0]).tolist() == [0.5, 0.5]


def test_back_query_one_layer_by_hand():
    # 2 inputs -> 2 outputs, W[j, i] from input i to output j
    net = mn.MatrixNet(([[1.0, 2.0], [3.0, 4.0]],))
    r = mn.back_query(net, [0.2, 0.7])
    x1, x2 = math.log(0.2 / 0.8), math.log(0.7 / 0.3)
    s1, s2 = 1.0 * x1 + 3.0 * x2, 2.0 * x1 + 4.0 * x2  # Wᵀ · X
    assert r["X"][0].tolist() == pytest.approx([x1, x2])
    assert r["signals"][0].tolist() == pytest.approx([s1, s2])
    assert s1 > s2
    assert r["I"].tolist() == pytest.approx([0.99, 0.01])


def test_back_query_two_layers_by_hand():
    # 3 inputs -> 2 hidden -> 1 output
    W1 = [[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]]
    W2 = [[2.0, -1.0]]
    r = mn.back_query(mn.MatrixNet((W1, W2)), [0.8])
    x_out = math.log(0.8 / 0.2)
    hidden_signal = [2.0 * x_out, -1.0 * x_out]          # W2ᵀ · X_output
    hidden = [0.99, 0.01]                                  # rescaled: the bigger one to 0.99
    x_hid = [math.log(h / (1 - h)) for h in hidden]
    inputs_signal = [1.0 * x_hid[0] + 0.5 * x_hid[1],
                     0.0 * x_hid[0] + 2.0 * x_hid[1],
                     -1.0 * x_hid[0] + 1.0 * x_hid[1]]     # W1ᵀ · X_hidden
    lo, hi = min(inputs_signal), max(inputs_signal)
    expected = [0.01 + (s - lo) / (hi - lo) * 0.98 for s in inputs_signal]
    assert r["signals"][1].tolist() == pytest.approx(hidden_signal)
    assert r["O"][0].tolist() == pytest.approx(hidden)
    assert r["signals"][0].tolist() == pytest.approx(inputs_signal)
    assert r["I"].tolist() == pytest.approx(expected)
    assert r["O"][1].tolist() == [0.8]


def test_back_query_refuses_targets_of_0_or_1():
    with pytest.raises(ValueError, match="^targets "):
        mn.back_query(DECK, [0.0, 0.99, 0.01])
    with pytest.raises(ValueError, match="^targets "):
        mn.back_query(DECK, [0.5, 1.0, 0.01])


# --- bad input ----------------------------------------------------------------------------------

def test_bad_shapes_name_the_parameter():
    with pytest.raises(ValueError, match=r"^weights\[1\] "):
        mn.MatrixNet(([[1.0, 2.0]], [[1.0, 2.0]]))
    with pytest.raises(ValueError, match="^inputs "):
        mn.forward(DECK, [0.1, 0.2])
    with pytest.raises(ValueError, match="^targets "):
        mn.train(DECK, I, [0.5])
    with pytest.raises(ValueError, match="^sizes "):
        mn.init((3, 0, 2))
    with pytest.raises(ValueError, match="^learn_rate "):
        mn.MatrixNet((W_IH,), learn_rate=float("nan"))


def test_overflow_never_raises():
    net = mn.MatrixNet(([[1e300, 1e300]], [[1e300]]), learn_rate=1e300)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is never an error
        r = mn.forward(net, [1e10, 1e10])
        _, t = mn.train(net, [1e10, 1e10], [0.5])
    assert r["O_output"].tolist() == [1.0]
    assert t is not None


# --- experiment and CLI -----------------------------------------------------------------------------

def test_cli_matrix_forward(capsys):
    assert cli.main(["run", "matrix-forward"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("X_hidden:[1.16")
    assert out[2].startswith("X_output:[0.97594736")
    assert out[-4:] == ["X_hidden:[1.16, 0.42, 0.62]", "O_hidden:[0.761, 0.603, 0.65]",
                        "X_output:[0.975, 0.888, 1.254]", "O_output:[0.726, 0.708, 0.778]"]


def test_matrix_forward_bad_shapes(capsys):
    assert cli.main(["run", "matrix-forward", "--set", "W_hidden_output=1,2"]) == 2
    assert "W_hidden_output" in capsys.readouterr().err
    with pytest.raises(ValueError, match="^iterations "):
        list(experiments.get("matrix-forward").lines(2))
