"""Part E: the sigmoid unit, the 2-1-1 backprop example, vanishing gradients, their experiments."""

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import activations
from gdviz.core import sigmoid_unit as su
from gdviz.core.run import run
from tests.helpers import fd

X, Y, W, ETA = [0.1, 0.3], 0.2, [-0.8, 0.5], 0.5
KEYS = {"x", "y", "w", "h", "y_hat", "error", "f_prime", "delta", "delta_w", "new_w"}


# --- activations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "relu", "linear"])
def test_activation_derivative_matches_finite_differences(name):
    act = activations.get(name)
    xs = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])  # away from relu's kink at 0
    eps = 1e-6
    numeric = (act.value(xs + eps) - act.value(xs - eps)) / (2 * eps)
    np.testing.assert_allclose(act.deriv(act.value(xs)), numeric, atol=1e-8)


# --- the worked example ----------------------------------------------------------------------------

def test_worked_example_matches_the_deck():
    r = su.unit_record(X, Y, W, ETA)
    assert KEYS <= set(r)
    assert r["h"] == pytest.approx(0.07, abs=1e-12)
    assert round(r["y_hat"], 6) == 0.517493
    assert round(r["error"], 6) == -0.317493
    assert round(r["delta"], 7) == -0.0792761
    assert np.round(r["delta_w"], 7).tolist() == [-0.0039638, -0.0118914]
    np.testing.assert_allclose(r["new_w"], np.array(W) + r["delta_w"])
    assert r["f_prime"] == pytest.approx(r["y_hat"] * (1 - r["y_hat"]))


def test_step_is_the_worked_example_and_pure():
    s = su.SigmoidUnit(X, Y, W, ETA)
    new, r = su.step(s)
    assert round(r["delta"], 7) == -0.0792761
    assert s.w.tolist() == W  # untouched
    assert new.w.tolist() == r["new_w"].tolist()
    with pytest.raises(ValueError):
        s.w[0] = 1.0  # read-only


def test_delta_rule_is_minus_the_gradient_of_half_squared_error():
    x, y, w = np.array([0.4, -1.1, 0.7]), 0.9, np.array([0.3, 0.2, -0.5])
    r = su.unit_record(x, y, w, 1.0)
    E = lambda w_: 0.5 * (y - activations.sigmoid.value(x @ w_)) ** 2
    np.testing.assert_allclose(r["delta_w"], -fd(E, w), atol=1e-9)
    assert r["E"] == pytest.approx(E(w))


def test_mean_step_is_minus_the_gradient_of_the_mean_error():
    rng = np.random.RandomState(3)
    x, y, w = rng.uniform(-1, 1, (5, 3)), rng.uniform(0, 1, 5), rng.normal(0, 1, 3)
    new, r = su.mean_step(su.SigmoidUnit(x, y, w, 0.7))
    E = lambda w_: np.sum((y - activations.sigmoid.value(x @ w_)) ** 2) / (2 * len(y))
    np.testing.assert_allclose(r["delta_w"], -0.7 * fd(E, w), atol=1e-9)
    assert r["E"] == pytest.approx(E(w))
    # and it is the mean of the per-record steps taken from the same weights
    per_record = [su.unit_record(x[i], y[i], w, 0.7)["delta_w"] for i in range(5)]
    np.testing.assert_allclose(r["delta_w"], np.mean(per_record, axis=0))


def test_per_record_steps_cycle_through_the_records():
    x, y = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.1, 0.9, 0.5]
    result = run(su.step, su.SigmoidUnit(x, y, [0.0, 0.0], 0.5), 7)
    assert result.column("index") == [0, 1, 2, 0, 1, 2, 0]
    # each step starts from the weights the previous one left
    for a, b in zip(result.records, result.records[1:]):
        assert b["w"].tolist() == a["new_w"].tolist()


def test_training_lowers_the_error():
    E = np.array(run(su.step, su.SigmoidUnit(X, Y, W, ETA), 1000).column("E"))
    assert np.all(np.diff(E) < 0)
    assert E[-1] < E[0] / 10


# --- backprop by hand --------------------------------------------------------------------------------

def test_backprop_211_unrounded_values():
    r = su.backprop_211([0.1, 0.3], 1.0, [0.4, -0.2], 0.1, 0.5)
    assert r["h"] == pytest.approx(-0.02, abs=1e-12)
    assert round(r["a"], 3) == 0.495
    assert round(r["y_hat"], 7) == 0.5123725
    assert round(r["delta_output"], 7) == 0.1218322
    assert round(r["delta_hidden"], 7) == 0.0030455
    assert round(r["delta_W"], 7) == 0.0301535
    assert np.round(r["delta_w"], 8).tolist() == [0.00015228, 0.00045683]


def test_backprop_211_with_the_decks_rounding():
    r = su.backprop_211([0.1, 0.3], 1.0, [0.4, -0.2], 0.1, 0.5, su.DECK_DECIMALS)
    assert (r["h"], r["a"], r["y_hat"]) == (-0.02, 0.495, 0.512)
    assert (r["delta_output"], r["delta_hidden"], r["delta_W"]) == (0.122, 0.003, 0.0302)
    assert r["delta_w"].tolist() == [0.00015, 0.00045]


def test_backprop_211_is_minus_the_gradient():
    x, y, lr = np.array([0.1, 0.3]), 1.0, 0.5
    r = su.backprop_211(x, y, [0.4, -0.2], 0.1, lr)
    sig = activations.sigmoid.value
    E_w = lambda w_: 0.5 * (y - sig(0.1 * sig(x @ w_))) ** 2
    E_W = lambda W_: 0.5 * (y - sig(W_[0] * sig(x @ np.array([0.4, -0.2])))) ** 2
    np.testing.assert_allclose(r["delta_w"], -lr * fd(E_w, [0.4, -0.2]), atol=1e-10)
    assert r["delta_W"] == pytest.approx(-lr * fd(E_W, [0.1])[0], abs=1e-10)


def test_backprop_step_is_pure_and_chains():
    s = su.TwoOneOne([0.1, 0.3], 1.0, [0.4, -0.2], 0.1, 0.5)
    result = run(su.backprop_step, s, 3)
    assert s.w.tolist() == [0.4, -0.2] and s.W == 0.1
    assert result.records[1]["W"] == result.records[0]["new_W"]
    assert result.records[2]["E"] < result.records[0]["E"]


# --- vanishing gradient --------------------------------------------------------------------------

def test_the_sigmoid_slope_peaks_at_a_quarter():
    hs = np.linspace(-10, 10, 20001)
    assert su.slope(hs).max() == pytest.approx(su.MAX_SLOPE)
    assert su.slope(0.0) == 0.25


def test_signal_factor_bounds_a_chain_of_sigmoid_layers():
    assert [su.signal_factor(k) for k in range(4)] == [1.0, 0.25, 0.0625, 0.015625]
    rng = np.random.RandomState(0)
    for k in range(1, 6):
        kept = np.prod(su.slope(rng.normal(0, 2, (1000, k))), axis=1)
        assert kept.max() <= su.signal_factor(k)


def test_saturation_grows_with_the_initial_scale():
    n = 100
    small = su.saturation(1 / np.sqrt(n), n, seed=1)
    big = su.saturation(1.0, n, seed=1)
    assert small["recommended_scale"] == pytest.approx(0.1)
    assert small["saturated"] < 0.01
    assert big["saturated"] > 0.3
    assert su.saturation(1.0, n, seed=1)["saturated"] == big["saturated"]  # deterministic
    assert big["saturated"] == np.mean(big["f_prime"] < 0.05)


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    (dict(x=[0.1, 0.3], y=0.2, w=[1.0, 2.0, 3.0], learn_rate=0.5), "w"),
    (dict(x=[0.1, float("nan")], y=0.2, w=[1.0, 2.0], learn_rate=0.5), "x"),
    (dict(x=[0.1, 0.3], y="high", w=[1.0, 2.0], learn_rate=0.5), "y"),
    (dict(x=[0.1, 0.3], y=0.2, w=[1.0, 2.0], learn_rate=float("inf")), "learn_rate"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        su.unit_record(**kwargs)
    with pytest.raises(ValueError, match=f"^{name} "):
        su.SigmoidUnit(**kwargs)


def test_bad_backprop_and_saturation_input():
    with pytest.raises(ValueError, match="^x "):
        su.backprop_211([0.1, 0.2, 0.3], 1.0, [0.4, -0.2], 0.1, 0.5)
    with pytest.raises(ValueError, match="^W "):
        su.backprop_211([0.1, 0.3], 1.0, [0.4, -0.2], None, 0.5)
    with pytest.raises(ValueError, match="^scale "):
        su.saturation(-1.0, 10)
    with pytest.raises(ValueError, match="^k "):
        su.signal_factor(-1)


def test_huge_settings_never_raise():
    exp = experiments.get("sigmoid-unit")
    lines = list(exp.lines(50, x=(1e6, -1e6), w=(1e6, 1e6), learn_rate=1e6, y=1e6))
    assert lines
    lines = list(experiments.get("backprop-worked").lines(50, x=(1e6, 1e6), W=1e6, learn_rate=1e6, y=-1e6))
    assert lines


# --- experiments and CLI -----------------------------------------------------------------------

def test_cli_sigmoid_unit_prints_every_value(capsys):
    assert cli.main(["run", "sigmoid-unit"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [
        "x", "y", "w", "h", "y_hat", "error", "f_prime", "delta", "delta_w", "new_w"]
    assert "y_hat:0.5174928576663897" in out
    assert "x:[0.1, 0.3]" in out
    values = dict(line.split(":", 1) for line in out)
    assert round(float(values["delta"]), 7) == -0.0792761


def test_cli_backprop_worked_shows_the_decks_numbers(capsys):
    assert cli.main(["run", "backprop-worked"]) == 0
    out = capsys.readouterr().out.splitlines()
    line = {l.split(":")[0]: l for l in out}
    assert line["y_hat"].startswith("y_hat:0.51237247") and line["y_hat"].endswith(" deck:0.512")
    assert line["delta_output"].endswith(" deck:0.122")
    assert line["delta_hidden"].endswith(" deck:0.003")
    assert line["delta_W"].endswith(" deck:0.0302")
    assert line["delta_w"].endswith(" deck:[0.00015, 0.00045]")
    assert line["W"] == "W:0.1"  # equal values show no deck column


def test_cli_bad_setting_exits_2(capsys):
    assert cli.main(["run", "sigmoid-unit", "--set", "w=1,2,3"]) == 2
    assert "w must have shape 2" in capsys.readouterr().err
    assert cli.main(["run", "sigmoid-unit", "--set", "learn_rate=fast"]) == 2
    assert "learn_rate" in capsys.readouterr().err


def test_several_iterations_are_separated():
    lines = list(experiments.get("sigmoid-unit").lines(3))
    assert lines.count("-----") == 2
    assert len(lines) == 3 * 10 + 2


def test_arithmetic_panels_show_the_records_numbers():
    from gdviz.experiments import sigmoid as exp
    from gdviz.experiments.base import fmt_value

    r = experiments.get("sigmoid-unit").run().records[0]
    lines = {ln.name: ln for ln in exp.unit_arithmetic(r)}
    assert lines["y_hat"].value == "0.517493"
    assert lines["delta"].value == fmt_value(r["delta"]) == "−0.0792761"
    assert lines["h"].numbers == "(−0.8) × 0.1 + 0.5 × 0.3"
    r = experiments.get("backprop-worked").run().records[0]
    lines = {ln.name: ln for ln in exp.backprop_arithmetic(r)}
    assert lines["delta_W"].value == "0.0301535"
    assert lines["delta_w[1]"].value == fmt_value(r["delta_w"][1])
