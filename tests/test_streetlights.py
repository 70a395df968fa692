"""C1/C2: one weight vector learning a whole dataset — the book's numbers (docs/LESSONS.md,
Part C) and the three modes."""

import warnings

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import book_dot
from gdviz.core import streetlights as ds
from gdviz.core.run import run

X = np.array(ds.STREETLIGHTS, dtype=float)
Y = np.array(ds.WALK_VS_STOP, dtype=float)


def book(mode="stochastic", batch_size=1, alpha=0.1, x=ds.STREETLIGHTS, y=ds.WALK_VS_STOP, passes=40):
    return run(ds.pass_step, ds.Dataset(ds.BOOK_WEIGHTS, x, y, alpha, mode, batch_size), passes)


def test_c1_book_errors_and_weights():
    r = book()
    errors = r.column("error")
    assert errors[0] == 2.6561231104
    assert errors[1] == 0.9628701776715985
    assert errors[38] == 0.0006143435674831474
    assert errors[39] == 0.00053373677328488
    assert list(np.round(r.records[-1]["new_weights"], 4)) == [0.0139, 1.0138, -0.0160]
    assert r.diverged_at is None and len(r) == 40


def test_first_example_record():
    s = ds.Dataset(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP, 0.1)
    s2, r = ds.example_step(s)
    assert (r["pass"], r["example"], r["update"], r["end_of_pass"]) == (1, 0, True, False)
    assert r["goal_pred"] == 0.0
    assert r["pred"] == pytest.approx(-0.2) and r["delta"] == pytest.approx(-0.2)
    assert r["error"] == pytest.approx(0.04)
    np.testing.assert_allclose(r["weight_delta"], [-0.2, 0.0, -0.2])
    np.testing.assert_allclose(r["new_weights"], [0.52, 0.48, -0.68])
    np.testing.assert_array_equal(r["weights"], ds.BOOK_WEIGHTS)
    assert s2.example == 1 and s2.passes == 0
    for key in ("pred", "error", "delta", "goal_pred", "pass_error"):
        assert type(r[key]) is float


def test_steps_do_not_mutate():
    s = ds.Dataset(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP, 0.1)
    before = s.weights.copy()
    ds.pass_step(s)
    ds.example_step(s)
    np.testing.assert_array_equal(s.weights, before)
    assert s.example == 0 and s.passes == 0
    with pytest.raises(ValueError):
        s.weights[0] = 3.0  # read-only


def test_pass_is_its_examples():
    s = ds.Dataset(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP, 0.1)
    t, passed = ds.pass_step(s)
    u = s
    for k in range(6):
        u, r = ds.example_step(u)
        assert r["pred"] == passed["examples"][k]["pred"]
    np.testing.assert_array_equal(u.weights, t.weights)
    assert passed["error"] == sum(r["error"] for r in passed["examples"]) == 2.6561231104
    assert passed["updates"] == 6 and u.passes == t.passes == 1 and u.example == 0


def reference_batches(size, passes=40, alpha=0.1):
    """The mini-batch loop written out by hand; size 6 is full gradient descent."""
    w = np.array(ds.BOOK_WEIGHTS)
    errors = []
    for _ in range(passes):
        total = 0.0
        for start in range(0, len(Y), size):
            xb, yb = X[start:start + size], Y[start:start + size]
            delta = xb @ w - yb
            total += np.sum(delta**2)
            w = w - alpha * (xb * delta[:, None]).mean(axis=0)
        errors.append(total)
    return errors, w


@pytest.mark.parametrize("mode,size", [("full", 6), ("batch", 2), ("batch", 4), ("batch", 5)])
def test_full_and_batch_match_hand_reference(mode, size):
    r = book(mode, size)
    errors, w = reference_batches(size)
    np.testing.assert_allclose(r.column("error"), errors, rtol=1e-12)
    np.testing.assert_allclose(r.records[-1]["new_weights"], w, rtol=1e-12)
    assert r.records[0]["updates"] == -(-6 // size)


def test_batch_of_one_is_stochastic_and_batch_of_all_is_full():
    one, sgd = book("batch", 1), book("stochastic")
    assert one.column("error") == sgd.column("error")
    np.testing.assert_array_equal(one.records[-1]["new_weights"], sgd.records[-1]["new_weights"])
    every, full = book("batch", 6), book("full")
    assert every.column("error") == full.column("error")
    np.testing.assert_array_equal(every.records[-1]["new_weights"], full.records[-1]["new_weights"])


def test_full_mode_per_example_grain():
    """Stepping one example at a time in full mode: all six see the same weights, one update."""
    s = ds.Dataset(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP, 0.1, mode="full")
    records = []
    for _ in range(6):
        s, r = ds.example_step(s)
        records.append(r)
    assert [r["update"] for r in records] == [False] * 5 + [True]
    for r in records:
        np.testing.assert_array_equal(r["weights"], ds.BOOK_WEIGHTS)
    mean = np.mean([r["weight_delta"] for r in records], axis=0)
    np.testing.assert_allclose(records[-1]["batch_weight_delta"], mean, rtol=1e-15)
    np.testing.assert_allclose(s.weights, np.array(ds.BOOK_WEIGHTS) - 0.1 * mean, rtol=1e-15)
    assert records[-1]["pass_error"] == pytest.approx(4.0652)


def test_pressure_table_book_streetlights():
    p = ds.pressure(ds.BOOK_WEIGHTS, ds.STREETLIGHTS, ds.WALK_VS_STOP)
    np.testing.assert_array_equal(p["sign"], [[-1, 0, -1],
                                              [0, 1, 1],
                                              [0, 0, -1],
                                              [1, 1, 1],
                                              [0, 1, 1],
                                              [-1, 0, -1]])
    np.testing.assert_array_equal(p["votes"], [-1, 3, 0])  # the middle light is the signal
    np.testing.assert_allclose(p["pressure"], -p["weight_delta"])
    np.testing.assert_array_equal(p["pressure"][X == 0], 0.0)
    np.testing.assert_allclose(p["net_pressure"], -ds.gradient(ds.BOOK_WEIGHTS, X, Y) / 2)
    np.testing.assert_allclose(p["delta"], X @ np.array(ds.BOOK_WEIGHTS) - Y)


def test_pressure_table_no_correlation_cancels():
    p = ds.pressure(ds.BOOK_WEIGHTS, ds.NO_CORRELATION, ds.NO_CORRELATION_GOALS)
    np.testing.assert_array_equal(p["votes"], [0, 0, 0])


def test_dataset_gradient_matches_finite_differences():
    w = np.array([0.3, -0.2, 0.9])
    h = 1e-6
    numeric = []
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        numeric.append((ds.errors(w + e, X, Y).sum() - ds.errors(w - e, X, Y).sum()) / (2 * h))
    np.testing.assert_allclose(ds.gradient(w, X, Y), numeric, rtol=1e-7)


def test_no_correlation_single_layer_cannot_learn():
    """The best any fixed weights can do on C2 is a summed error of 1.0 (predict 0.5 each time)."""
    r = book(x=ds.NO_CORRELATION, y=ds.NO_CORRELATION_GOALS, passes=200)
    assert min(r.column("error")) > 1.0
    assert ds.errors(r.records[-1]["new_weights"], ds.NO_CORRELATION, ds.NO_CORRELATION_GOALS).sum() >= 1.0 - 1e-12
    assert book().column("error")[-1] < 0.001  # the same learner on the book's lights


def test_divergence_stops_without_warnings():
    for mode in ds.MODES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = book(mode, 2, alpha=10.0, passes=2000)
        assert r.diverged_at == len(r) < 2000


@pytest.mark.parametrize("kwargs,name", [
    ({"weights": [0.5, 0.48]}, "weights"),
    ({"weights": [0.5, "x", 1]}, "weights"),
    ({"streetlights": [[1, 0, 1], [0, 1]]}, "streetlights"),
    ({"streetlights": [1, 0, 1]}, "streetlights"),
    ({"streetlights": [[0, 0, 1]] * 65, "walk_vs_stop": [0] * 65}, "streetlights"),
    ({"walk_vs_stop": [0, 1, 0]}, "walk_vs_stop"),
    ({"walk_vs_stop": [0, 1, 0, 1, 1, float("nan")]}, "walk_vs_stop"),
    ({"alpha": float("inf")}, "alpha"),
    ({"mode": "sgd"}, "mode"),
    ({"batch_size": 0}, "batch_size"),
    ({"mode": "batch", "batch_size": 7}, "batch_size"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"weights": ds.BOOK_WEIGHTS, "streetlights": ds.STREETLIGHTS, "walk_vs_stop": ds.WALK_VS_STOP, **kwargs}
    with pytest.raises(ValueError, match=name):
        ds.Dataset(**args)


def test_experiments_presets():
    e = experiments.get("streetlights")
    assert e.lesson == "C1" and e.iterations == 40 and e.button
    assert e.run(iterations=2).column("error") == [2.6561231104, 0.9628701776715985]
    same = experiments.get("streetlights-batch").run(batch_size=1)
    assert same.column("error") == e.run().column("error")
    c2 = experiments.get("no-correlation")
    assert c2.settings()["walk_vs_stop"] == (1.0, 1.0, 0.0, 0.0)
    for name in ("streetlights", "streetlights-full", "streetlights-batch", "no-correlation"):
        for p in experiments.get(name).params:
            assert p.ui is not None or p.kind == "choice"
    with pytest.raises(ValueError, match="streetlights"):
        e.run(streetlights=(1.0, 0.0, 1.0, 0.0))


def test_cli_streetlights(capsys):
    """The book's order: a pass's six Prediction lines, its Error line, a blank line; weights last."""
    assert cli.main(["run", "streetlights"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 40 * 8 + 1
    assert lines[:9] == ["Prediction:-0.19999999999999996", "Prediction:-0.19999999999999996",
                         "Prediction:-0.5599999999999999", "Prediction:0.6160000000000001",
                         "Prediction:0.17279999999999995", "Prediction:0.17552",
                         "Error:2.6561231104", "", "Prediction:0.14041599999999999"]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 40
    assert errors[1] == "Error:0.9628701776715985"
    assert errors[38] == "Error:0.0006143435674831474"
    assert lines[-9:-1] == ["Prediction:-0.0022410273814405524", "Prediction:0.9978745386023716",
                            "Prediction:-0.016721264429884947", "Prediction:1.0151127459893812",
                            "Prediction:0.9969492081270097", "Prediction:-0.0026256193329783125",
                            "Error:0.00053373677328488", ""]
    assert lines[-1].startswith("Weights:[0.01389")


def book_whole_dataset_log(passes=40):
    """Chapter 6's whole-dataset loop transcribed in plain Python (sums via book_dot)."""
    weights = [0.5, 0.48, -0.7]
    lines = []
    for _ in range(passes):
        error_for_all_lights = 0.0
        for input, goal_prediction in zip(ds.STREETLIGHTS, ds.WALK_VS_STOP):
            prediction = float(book_dot.dot(np.array(input, dtype=float), np.array(weights)))
            error = (goal_prediction - prediction) ** 2
            error_for_all_lights += error
            delta = prediction - goal_prediction
            weights = [w - 0.1 * (x * delta) for w, x in zip(weights, input)]
            lines.append("Prediction:" + str(prediction))
        lines += ["Error:" + str(error_for_all_lights), ""]
    return lines


def test_streetlights_log_is_the_plain_loops_bit_for_bit():
    got = list(experiments.get("streetlights").lines())
    assert got[:-1] == book_whole_dataset_log()


@pytest.mark.parametrize("name,size", [("streetlights-full", 6), ("streetlights-batch", 2)])
def test_full_and_batch_logs_print_every_row_then_the_pass(name, size):
    lines = list(experiments.get(name).lines(3))
    assert len(lines) == 3 * 8 + 1 and lines[7] == lines[15] == lines[23] == ""
    errors, _ = reference_batches(size, passes=3)
    for k in range(3):
        chunk = lines[8 * k:8 * k + 8]
        assert all(line.startswith("Prediction:") for line in chunk[:6])
        assert float(chunk[6].removeprefix("Error:")) == pytest.approx(errors[k], rel=1e-12)
    # full mode: every row of the first pass sees the starting weights
    if size == 6:
        want = [float(v) for v in X @ np.array(ds.BOOK_WEIGHTS)]
        assert [float(line.removeprefix("Prediction:")) for line in lines[:6]] == pytest.approx(want, rel=1e-15)


# the book prints these (chapter 6, its first program: one pattern learnt alone)
ONE_FIRST = "Error:0.03999999999999998 Prediction:-0.19999999999999996"
ONE_LAST = "Error:8.307674973656916e-06 Prediction:-0.002882303761517324"


def book_one_pattern_log(iterations=20):
    """The book's one-pattern loop transcribed in plain Python (the sum via book_dot)."""
    weights = np.array([0.5, 0.48, -0.7])
    input, goal_prediction = np.array([1.0, 0.0, 1.0]), 0.0
    lines = []
    for _ in range(iterations):
        prediction = float(book_dot.dot(input, weights))
        error = (goal_prediction - prediction) ** 2
        delta = prediction - goal_prediction
        weights = weights - (0.1 * (input * delta))
        lines.append("Error:" + str(error) + " Prediction:" + str(prediction))
    return lines


def test_streetlight_one_prints_the_books_log(capsys):
    e = experiments.get("streetlight-one")
    assert e.lesson == "C1" and e.iterations == 20 and e.button
    assert e.settings()["streetlights"] == (1.0, 0.0, 1.0) and e.settings()["walk_vs_stop"] == (0.0,)
    assert cli.main(["run", "streetlight-one"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20
    assert lines[0] == ONE_FIRST and lines[-1] == ONE_LAST
    assert lines[1] == "Error:0.025599999999999973 Prediction:-0.15999999999999992"
    assert lines == book_one_pattern_log()
    assert cli.main(["list"]) == 0
    assert any(line.split()[:2] == ["streetlight-one", "C1"] for line in capsys.readouterr().out.splitlines())


def test_cli_no_correlation_and_errors(capsys):
    assert cli.main(["run", "no-correlation"]) == 0
    lines = capsys.readouterr().out.splitlines()
    errors = [float(line.removeprefix("Error:")) for line in lines if line.startswith("Error:")]
    assert len(errors) == 40 and all(e > 1.0 for e in errors)
    assert cli.main(["run", "streetlights", "--set", "mode=batch", "--set", "batch_size=7"]) == 2
    assert "batch_size" in capsys.readouterr().err
    assert cli.main(["run", "streetlights", "--set", "walk_vs_stop=1,0"]) == 2
    assert "streetlights" in capsys.readouterr().err
    assert cli.main(["run", "streetlights", "--set", "alpha=10", "--iterations", "100"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Diverged at iteration")
