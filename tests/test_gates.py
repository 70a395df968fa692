"""Part F: logic gates — one unit draws one line (AND, OR); XOR needs a hidden layer."""

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import gates
from gdviz.core.activations import sigmoid
from gdviz.core.run import run
from tests.helpers import fd


def test_truth_tables():
    x, y = gates.truth_table("and")
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 0, 0, 1]
    assert gates.truth_table("or")[1].tolist() == [0, 1, 1, 1]
    assert gates.truth_table("xor")[1].tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="^gate "):
        gates.truth_table("nand")


@pytest.mark.parametrize("gate", ["and", "or"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_unit_learns_and_and_or(gate, seed):
    result = run(gates.unit_step, gates.gate_unit(gate, seed), 500)
    last = result.records[-1]
    assert last["accuracy"] == 1.0
    # the final line really separates the 1s from the 0s
    x, y = gates.truth_table(gate)
    side = x @ last["new_w"] + last["new_b"] > 0
    assert side.tolist() == (y == 1).tolist()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_one_unit_never_gets_all_of_xor(seed):
    result = run(gates.unit_step, gates.gate_unit("xor", seed, learn_rate=5.0), 2000)
    assert max(result.column("accuracy")) <= 0.75


def test_no_line_separates_xor():
    rng = np.random.RandomState(0)
    x, y = gates.truth_table("xor")
    for w1, w2, b in rng.normal(0, 3, (5000, 3)):
        assert gates.accuracy(sigmoid.value(x @ [w1, w2] + b), y) <= 0.75


def test_two_two_one_network_solves_xor():
    net = gates.gate_net("xor", gates.XOR_SEED, gates.XOR_LEARN_RATE)
    result = run(gates.net_step, net, gates.XOR_EPOCHS)
    assert result.records[-1]["accuracy"] == 1.0
    assert result.diverged_at is None
    final = gates.net_step(gates.net_step(net)[0])[0]  # it only steps forward, never mutates
    assert final.epoch == 2 and net.epoch == 0
    # the two hidden lines: (0,1) and (1,0) fall in a region of their own
    trained = gates.GateNet("xor", result.records[-1]["new_W1"], result.records[-1]["new_b1"],
                            result.records[-1]["new_W2"], result.records[-1]["new_b2"])
    x, y = gates.truth_table("xor")
    sides = [tuple(bool(w1 * a + w2 * b + c > 0) for w1, w2, c in trained.hidden_lines()) for a, b in x]
    assert sides[1] == sides[2]
    assert sides[0] != sides[1] and sides[3] != sides[1]
    assert gates.accuracy(gates.net_predict(trained, x), y) == 1.0


def test_gate_runs_are_deterministic():
    a = run(gates.net_step, gates.gate_net("xor", 5), 50).records[-1]
    b = run(gates.net_step, gates.gate_net("xor", 5), 50).records[-1]
    assert np.array_equal(a["new_W1"], b["new_W1"])
    assert not np.array_equal(a["new_W1"], run(gates.net_step, gates.gate_net("xor", 6), 50).records[-1]["new_W1"])


def test_unit_step_is_minus_the_gradient_of_the_mean_error():
    s = gates.GateUnit("or", [0.3, -0.2], 0.1, learn_rate=2.0)
    _, r = gates.unit_step(s)
    x, y = gates.truth_table("or")
    E = lambda p: np.mean((y - sigmoid.value(x @ p[:2] + p[2])) ** 2) / 2
    grad = fd(E, [0.3, -0.2, 0.1])
    np.testing.assert_allclose(np.append(r["delta_w"], r["delta_b"]), -2.0 * grad, atol=1e-9)
    assert r["E"] == pytest.approx(E(np.array([0.3, -0.2, 0.1])))


def test_net_step_is_minus_the_gradient_of_the_mean_error():
    rng = np.random.RandomState(1)
    W1, b1, W2, b2 = rng.normal(0, 1, (2, 2)), rng.normal(0, 1, 2), rng.normal(0, 1, (1, 2)), rng.normal(0, 1, 1)
    _, r = gates.net_step(gates.GateNet("xor", W1, b1, W2, b2, learn_rate=3.0))
    x, y = gates.truth_table("xor")

    def E(W1_, b1_, W2_, b2_):
        out = sigmoid.value(sigmoid.value(x @ W1_.T + b1_) @ W2_.T + b2_)[:, 0]
        return np.mean((y - out) ** 2) / 2

    np.testing.assert_allclose(r["delta_W1"], -3.0 * fd(lambda p: E(p, b1, W2, b2), W1), atol=1e-9)
    np.testing.assert_allclose(r["delta_b1"], -3.0 * fd(lambda p: E(W1, p, W2, b2), b1), atol=1e-9)
    np.testing.assert_allclose(r["delta_W2"], -3.0 * fd(lambda p: E(W1, b1, p, b2), W2), atol=1e-9)
    np.testing.assert_allclose(r["delta_b2"], -3.0 * fd(lambda p: E(W1, b1, W2, p), b2), atol=1e-9)


def test_line_through_box():
    # x1 = 0.5 (vertical)
    assert gates.line_through_box(1.0, 0.0, -0.5, 0.0, 1.0) == ((0.5, 0.0), (0.5, 1.0))
    # x1 + x2 = 1: the diagonal from (0, 1) to (1, 0)
    assert gates.line_through_box(1.0, 1.0, -1.0, 0.0, 1.0) == ((0.0, 1.0), (1.0, 0.0))
    assert gates.line_through_box(1.0, 1.0, -5.0, 0.0, 1.0) is None  # misses the square
    assert gates.line_through_box(0.0, 0.0, 1.0) is None


def test_bad_input():
    with pytest.raises(ValueError, match="^W1 "):
        gates.GateNet("xor", [1.0, 2.0], [0, 0], [[1, 1]], [0])
    with pytest.raises(ValueError, match="^learn_rate "):
        gates.gate_unit("and", 0, float("nan"))
    with pytest.raises(ValueError, match="^seed "):
        gates.gate_net("xor", -1)
    with pytest.raises(ValueError, match="^gate "):
        experiments.get("logic-gates").settings(gate="nand")


def test_huge_learning_rate_never_raises():
    lines = list(experiments.get("logic-gates").lines(300, learn_rate=1e6))
    assert lines
    lines = list(experiments.get("logic-gates").lines(300, learn_rate=1e6, hidden="0"))
    assert lines


def test_cli_logic_gates(capsys):
    assert cli.main(["run", "logic-gates"]) == 0
    out = capsys.readouterr().out.splitlines()
    epochs = [line for line in out if line.startswith("Epoch:")]
    assert len(epochs) == gates.XOR_EPOCHS // 100
    assert epochs[-1].startswith(f"Epoch:{gates.XOR_EPOCHS} Accuracy:1.0 ")
    assert any(line.startswith("hidden_line_2:[") for line in out)

    assert cli.main(["run", "logic-gates", "--set", "gate=and", "--set", "hidden=0", "--iterations", "250"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out if line.startswith("Epoch:")] == ["Epoch:100", "Epoch:200", "Epoch:250"]
    assert out[-3].startswith("w:[") and out[-2].startswith("b:")

    assert cli.main(["run", "logic-gates", "--set", "hidden=3"]) == 2
    assert "hidden must be one of 0, 2" in capsys.readouterr().err
