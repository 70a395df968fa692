"""Part A against the book's numbers (docs/LESSONS.md), the three effects of input, and the CLI."""

import math

import pytest

from gdviz import experiments
from gdviz.cli import main
from gdviz.core import one_weight as ow
from gdviz.core.run import run


def lines(name, *args):
    return list(experiments.get(name).lines(*args))


def test_hot_and_cold_first_second_and_last_lines():
    out = lines("hot-cold")
    assert len(out) == 1101
    assert out[0] == "Error:0.30250000000000005 Prediction:0.25"
    assert out[1] == "Error:0.3019502500000001 Prediction:0.2505"
    assert out[-1] == "Error:1.0799505792475652e-27 Prediction:0.7999999999999672"


def test_hot_and_cold_with_a_big_step_never_settles():
    preds = [r["pred"] for r in experiments.get("hot-cold-overshoot").run(iterations=200).records]
    tail = preds[-50:]
    assert min(tail) < 0.8 < max(tail)
    assert all(abs(p - 0.8) > 1e-6 for p in tail)


def test_hot_and_cold_with_step_10_alternates_for_ever():
    records = experiments.get("hot-cold-stuck").run(iterations=50).records
    assert [r["pred"] for r in records] == [0.25, 5.25] * 25
    assert all(r["error"] == pytest.approx(0.3025) for r in records[0::2])
    assert all(r["error"] == pytest.approx(19.8025) for r in records[1::2])


def test_learning_is_reducing_error():
    out = lines("gradient-descent")
    assert out[:3] == ["Error:0.30250000000000005 Prediction:0.25",
                       "Error:0.17015625000000004 Prediction:0.3875",
                       "Error:0.095712890625 Prediction:0.49062500000000003"]
    assert out[19] == "Error:5.408208020258491e-06 Prediction:0.7976744445781151"


def test_several_steps_first_block():
    out = lines("several-steps")
    assert out[:4] == ["-----", "Weight:0.0", "Error:0.6400000000000001 Prediction:0.0",
                       "Delta:-0.8 Weight Delta:-0.8800000000000001"]
    assert out[5] == "Weight:0.8800000000000001"


def test_divergence_and_alpha():
    out = lines("divergence")
    assert out[:4] == ["Error:0.03999999999999998 Prediction:1.0",
                       "Error:0.3599999999999998 Prediction:0.20000000000000018",
                       "Error:3.2399999999999984 Prediction:2.5999999999999996",
                       "Error:29.159999999999986 Prediction:-4.599999999999999"]
    assert out[19] == "Error:5.403406870691965e+16 Prediction:-232452292.5999999"
    out = lines("alpha")
    assert out[1] == "Error:0.0144 Prediction:0.92"
    assert out[19] == "Error:1.485277170987127e-10 Prediction:0.8000121871948003"


def test_overflow_is_reported_as_divergence_not_a_crash():
    result = experiments.get("divergence").run(iterations=1000)
    assert result.diverged_at == 326
    assert len(result) == 326
    assert math.isinf(result.records[-1]["error"])
    assert lines("divergence", 1000)[-1] == "Diverged at iteration 326: the numbers overflowed to inf/nan."


def test_input_zero_stops_learning():
    records = experiments.get("stopping").run().records
    assert all(r["weight_delta"] == 0 and r["new_weight"] == r["weight"] == 0.5 for r in records)


def test_negative_input_reverses_the_direction():
    # Same miss (pred below goal), opposite inputs: the weight moves the opposite way.
    up = ow.gd_step(ow.OneWeight(weight=0.5, input=0.5, goal_pred=0.8, alpha=0.1))[1]
    down = ow.gd_step(ow.OneWeight(weight=-0.5, input=-0.5, goal_pred=0.8, alpha=0.1))[1]
    assert up["pred"] == down["pred"] == 0.25
    assert up["new_weight"] > up["weight"]
    assert down["new_weight"] < down["weight"]


def test_a_big_input_scales_the_step():
    small = ow.gd_step(ow.OneWeight(weight=0.0, input=0.5, goal_pred=0.8, alpha=0.1))[1]
    big = ow.gd_step(ow.OneWeight(weight=0.0, input=2.0, goal_pred=0.8, alpha=0.1))[1]
    assert abs(big["new_weight"]) == pytest.approx(4 * abs(small["new_weight"]))


@pytest.mark.parametrize("w,inp,goal", [(0.5, 0.5, 0.8), (-1.3, 2.0, 0.1), (2.0, -1.1, -0.4)])
def test_slope_is_the_derivative_of_the_bowl_and_twice_weight_delta(w, inp, goal):
    h = 1e-6
    numeric = (ow.error_curve([w + h], inp, goal)[0] - ow.error_curve([w - h], inp, goal)[0]) / (2 * h)
    assert ow.slope(w, inp, goal) == pytest.approx(numeric, rel=1e-6)
    record = ow.gd_step(ow.OneWeight(w, inp, goal, 1.0))[1]
    assert ow.slope(w, inp, goal) == pytest.approx(2 * record["weight_delta"])


def test_bowl_minimum_is_the_goal_weight():
    assert ow.goal_weight(2.0, 0.8) == 0.4
    assert ow.goal_weight(0.0, 0.8) is None
    assert ow.error_curve([0.4], 2.0, 0.8)[0] == pytest.approx(0.0)


def test_steps_do_not_mutate_their_state():
    s = ow.OneWeight(0.5, 0.5, 0.8, 1.0)
    r = run(ow.gd_step, s, 5)
    assert s.weight == 0.5 and r.records[0]["weight"] == 0.5 and r.records[1]["weight"] == 0.775


@pytest.mark.parametrize("kwargs,name", [
    (dict(weight=float("nan"), input=1, goal_pred=1), "weight"),
    (dict(weight=1, input="x", goal_pred=1), "input"),
    (dict(weight=1, input=1, goal_pred=float("inf")), "goal_pred"),
])
def test_bad_state_raises_a_value_error_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ow.OneWeight(**kwargs)


def test_cli_list_and_run(capsys):
    assert main(["list"]) == 0
    names = capsys.readouterr().out
    for name in ("hot-cold", "gradient-descent", "several-steps", "divergence", "alpha"):
        assert name in names
    assert main(["run", "divergence", "--iterations", "1"]) == 0
    assert capsys.readouterr().out == "Error:0.03999999999999998 Prediction:1.0\n"
    assert main(["run", "gradient-descent", "--iterations", "2", "--set", "alpha=0.1", "--set", "input=2"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "Error:0.0144 Prediction:0.92"


@pytest.mark.parametrize("argv,needle", [
    (["run", "alpha", "--set", "alpha=abc"], "alpha must be a number"),
    (["run", "alpha", "--set", "beta=1"], "unknown setting 'beta'"),
    (["run", "nope"], "unknown experiment 'nope'"),
    (["run", "alpha", "--iterations", "0"], "iterations must be"),
    (["run", "alpha", "--set", "alpha"], "KEY=VALUE"),
    (["run", "alpha", "--set", "alpha=nan"], "finite"),
    (["run", "alpha", "--iterations", "999999999"], "at most"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_reports_divergence(capsys):
    assert main(["run", "gradient-descent", "--iterations", "2000", "--set", "alpha=5", "--set", "input=2"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Diverged at iteration")


def test_run_reports_each_record_and_stops_reporting_at_divergence():
    from gdviz.core.run import run

    seen = []
    result = run(lambda s: (s * 10.0, {"x": s * 10.0}), 1e307, 5, on_record=seen.append)
    assert seen == [1, 2] and result.diverged_at == 2  # 1e308, then inf
