"""Part B5: the 784→10 network on real MNIST — the rule, the fast pass against a plain loop,
learning, what the weights look like, scores and contributions, the experiment and its log."""

import re

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import mnist
from gdviz.core import single_layer as sl
from gdviz.core.run import run
from tests.fixtures import mnist_bundle_only  # noqa: F401 (autouse: the bundled MNIST only)


@pytest.fixture(scope="module")
def trained():
    """The weights after 3 passes over the first 500 training images, alpha 0.001."""
    x, y = mnist.load("train", 500)
    w = sl.init_weights()
    for _ in range(3):
        w, _, _ = sl.train_pass(w, x, y, 0.001)
    return w, x, y


def reference_pass(weights, images, labels, alpha):
    """Chapter 5's rule written plainly, one image at a time, on all 784 pixels."""
    w = np.array(weights, dtype=float)
    error, correct = 0.0, 0
    for image, label in zip(images, labels):
        goal_pred = np.zeros(10)
        goal_pred[label] = 1.0
        pred = w.dot(image)
        error += np.sum((pred - goal_pred) ** 2)
        correct += int(np.argmax(pred) == label)
        delta = pred - goal_pred
        weight_deltas = np.outer(delta, image)
        w = w - alpha * weight_deltas
    return w, error / len(images), correct / float(len(images))


# ---- the rule --------------------------------------------------------------------------------

def test_init_weights():
    zeros = sl.init_weights()
    assert zeros.shape == (10, 784) and not zeros.any() and not zeros.flags.writeable
    a, b = sl.init_weights(1), sl.init_weights(1)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a).max() <= 0.01 and a.std() > 0.004
    assert not np.array_equal(a, sl.init_weights(2))
    state = np.random.get_state()[1].copy()
    sl.init_weights(3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global random state untouched


def test_one_step_is_chapter_5s_rule():
    x, y = mnist.load("train", 3)
    w0 = sl.init_weights(7)
    state = sl.SingleLayer(w0, x, y, 0.01)
    new, r = sl.step(state)
    goal = np.eye(10)[5]
    pred = w0 @ x[0]
    np.testing.assert_allclose(r["pred"], pred, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(r["goal_pred"], goal)
    np.testing.assert_allclose(r["delta"], pred - goal, rtol=0, atol=1e-15)
    assert r["error"] == pytest.approx(np.sum((pred - goal) ** 2), rel=1e-14)
    np.testing.assert_allclose(r["new_weights"], w0 - 0.01 * np.outer(pred - goal, x[0]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(r["new_weights"] - r["weights"], -0.01 * sl.weight_deltas(r["delta"], x[0]),
                               rtol=0, atol=1e-15)
    assert (r["index"], r["example"], r["label"]) == (0, 0, 5)
    assert isinstance(r["error"], float) and isinstance(r["correct"], bool)
    assert new.index == 1 and new.weights is r["new_weights"]
    assert state.index == 0 and state.weights is r["weights"]  # the old state is unchanged
    np.testing.assert_array_equal(state.weights, w0)
    _, r2 = sl.step(new)
    assert (r2["index"], r2["label"]) == (1, 0)


def test_blank_pixels_never_change_their_weights():
    x, y = mnist.load("train", 200)
    w0 = sl.init_weights(1)
    w, _, _ = sl.train_pass(w0, x, y, 0.001)
    blank = ~(x != 0).any(axis=0)
    assert blank.sum() > 30  # the border
    np.testing.assert_array_equal(w[:, blank], w0[:, blank])
    assert not np.array_equal(w[:, ~blank], w0[:, ~blank])


@pytest.mark.parametrize("seed, start", [(None, 0), (3, 0), (3, 57)])
def test_fast_pass_equals_a_plain_loop(seed, start):
    x, y = mnist.load("train", 300)
    w0 = sl.init_weights(seed)
    order = (np.arange(300) + start) % 300
    want_w, want_err, want_acc = reference_pass(w0, x[order], y[order], 0.005)
    got_w, got_err, got_acc = sl.train_pass(w0, x, y, 0.005, start=start)
    np.testing.assert_allclose(got_w, want_w, rtol=0, atol=1e-12)
    assert got_err == pytest.approx(want_err, rel=1e-12)
    assert got_acc == want_acc
    # a second pass from there, too
    want_w2, _, _ = reference_pass(want_w, x, y, 0.005)
    got_w2, _, _ = sl.train_pass(got_w, x, y, 0.005)
    np.testing.assert_allclose(got_w2, want_w2, rtol=0, atol=1e-12)


def test_steps_add_up_to_a_pass():
    x, y = mnist.load("train", 120)
    state = sl.SingleLayer(sl.init_weights(5), x, y, 0.003)
    result = run(sl.step, state, 120)
    _, record = sl.pass_step(state)
    np.testing.assert_allclose(result.records[-1]["new_weights"], record["new_weights"], rtol=0, atol=1e-12)
    assert sum(result.column("error")) / 120 == pytest.approx(record["train_error"], rel=1e-12)
    assert sum(result.column("correct")) / 120.0 == record["train_accuracy"]


def test_a_pass_changes_nothing_it_was_given():
    x = np.array(mnist.load("train", 100)[0])  # writable copies, so a change would stick
    y = np.array(mnist.load("train", 100)[1])
    w0 = np.array(sl.init_weights(4))
    keep = (x.copy(), y.copy(), w0.copy())
    w, _, _ = sl.train_pass(w0, x, y, 0.01)
    sl.step(sl.SingleLayer(w0, x, y, 0.01))
    for given, before in zip((x, y, w0), keep):
        np.testing.assert_array_equal(given, before)
    assert not w.flags.writeable
    with pytest.raises(ValueError):
        w[0, 0] = 1.0
    # a state keeps its own copies of writable arrays: changing them later does not reach it
    state = sl.SingleLayer(w0, x, y, 0.01)
    x[:] = 0.5
    w0[:] = 9.0
    np.testing.assert_array_equal(state.images, keep[0])
    np.testing.assert_array_equal(state.weights, keep[2])
    with pytest.raises(ValueError):
        state.weights[0, 0] = 1.0


def test_loader_arrays_are_shared_not_copied():
    x, y = mnist.load("train", 100)
    tx, ty = mnist.load("test")
    state = sl.SingleLayer(sl.init_weights(), x, y, 0.01, tx, ty)
    assert state.images is x and state.test_images is tx


# ---- evaluate, scores, contributions ---------------------------------------------------------

def test_evaluate_matches_a_plain_loop():
    x, y = mnist.load("test", 200)
    w = sl.init_weights(8) * 10
    error, correct = 0.0, 0
    for image, label in zip(x, y):
        pred = w.dot(image)
        error += np.sum((pred - np.eye(10)[label]) ** 2)
        correct += int(np.argmax(pred) == label)
    got_error, got_accuracy = sl.evaluate(w, x, y)
    assert got_error == pytest.approx(error / 200, rel=1e-12)
    assert got_accuracy == correct / 200.0


def test_scores_are_the_sums_of_contributions(trained):
    w, x, _ = trained
    for image in x[:5]:
        s = sl.scores(w, image)
        np.testing.assert_allclose(s, w @ image, rtol=0, atol=1e-13)
        for digit in range(10):
            c = sl.contributions(w, image, digit)
            assert c.shape == (28, 28)
            assert c.sum() == pytest.approx(s[digit], abs=1e-12)
            assert not c[mnist.image(image) == 0].any()  # blank pixels add nothing


def test_training_improves_test_accuracy():
    x, y = mnist.load("train", 300)
    tx, ty = mnist.load("test", 2000)
    w = sl.init_weights()
    error0, accuracy0 = sl.evaluate(w, tx, ty)
    for _ in range(3):
        w, _, _ = sl.train_pass(w, x, y, 0.001)
    error, accuracy = sl.evaluate(w, tx, ty)
    assert accuracy0 < 0.15  # all scores 0: it always says "0"
    assert accuracy > 0.6 and error < error0


def test_each_digits_weights_look_like_that_digit(trained):
    w, x, y = trained
    means = np.array([x[y == d].mean(axis=0) for d in range(10)])
    corr = np.corrcoef(np.vstack([w, means]))[:10, 10:]  # corr[d, e]: weights of d vs mean image of e
    own = np.diag(corr)
    others = (corr.sum(axis=1) - own) / 9
    assert (own > 0.2).all(), own
    assert (own > others).all()
    assert own.mean() > others.mean() + 0.25


# ---- bad input -------------------------------------------------------------------------------

def test_bad_input_is_named():
    x, y = mnist.load("train", 10)
    w = sl.init_weights()
    with pytest.raises(ValueError, match="weights"):
        sl.scores(np.zeros((10, 783)), x[0])
    with pytest.raises(ValueError, match="image"):
        sl.scores(w, x[0][:700])
    with pytest.raises(ValueError, match="digit"):
        sl.contributions(w, x[0], 10)
    with pytest.raises(ValueError, match="labels"):
        sl.evaluate(w, x, y[:9])
    with pytest.raises(ValueError, match="labels"):
        sl.train_pass(w, x, np.full(10, 11), 0.01)
    with pytest.raises(ValueError, match="alpha"):
        sl.train_pass(w, x, y, float("nan"))
    with pytest.raises(ValueError, match="images"):
        sl.SingleLayer(w, np.full((2, 784), np.inf), [1, 2], 0.01)
    with pytest.raises(ValueError, match="weights"):
        sl.SingleLayer(np.full((10, 784), np.nan), x, y, 0.01)
    with pytest.raises(ValueError, match="test_images and test_labels"):
        sl.SingleLayer(w, x, y, 0.01, test_images=x)
    with pytest.raises(ValueError, match="seed"):
        sl.init_weights(-1)


# ---- the experiment and the CLI --------------------------------------------------------------

LINE = re.compile(r"^I:(\d+) Train-Err:(\S{1,5}) Train-Acc:(\S+) Test-Err:(\S{1,5}) Test-Acc:(\S+)$")


def test_defaults_reach_seventy_percent_in_five_passes():
    e = experiments.get("mnist-weights")
    assert e.lesson == "B5" and e.iterations == 5
    result = e.run()
    assert len(result) == 5 and result.diverged_at is None
    accuracies = result.column("test_accuracy")
    assert accuracies[-1] >= 0.7
    assert result.column("train_error")[-1] < result.column("train_error")[0]
    r = result.records[-1]
    assert r["new_weights"].shape == (10, 784) and r["images"] == 1000 and r["j"] == 4
    assert result.records[1]["weights"] is result.records[0]["new_weights"]
    for key in ("train_error", "train_accuracy", "test_error", "test_accuracy"):
        assert isinstance(r[key], float)


def test_cli_prints_chapter_8_lines(capsys):
    assert cli.main(["run", "mnist-weights", "--iterations", "2", "--set", "train_images=200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    result = experiments.get("mnist-weights").run(2, train_images=200)
    for j, (line, r) in enumerate(zip(lines, result.records)):
        m = LINE.match(line)
        assert m, line
        assert m.groups() == (str(j), str(r["train_error"])[0:5], str(r["train_accuracy"]),
                              str(r["test_error"])[0:5], str(r["test_accuracy"]))
        assert float(m.group(5)) * 10_000 == pytest.approx(round(float(m.group(5)) * 10_000))  # of 10,000
        assert float(m.group(3)) * 200 == pytest.approx(round(float(m.group(3)) * 200))  # of 200


def test_cli_says_when_it_diverges(capsys):
    assert cli.main(["run", "mnist-weights", "--iterations", "3", "--set", "alpha=1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Diverged at iteration 1: the numbers overflowed to inf/nan."
    assert LINE.match(out[0])


@pytest.mark.parametrize("args, message", [
    (["--set", "train_images=99"], "train_images must be at least 100"),
    (["--set", "train_images=10001"], "train_images must be at most 10000"),
    (["--set", "alpha=-0.1"], "alpha must be at least 0"),
    (["--iterations", "51"], "iterations must be at most 50"),
])
def test_cli_refuses_bad_settings(capsys, args, message):
    assert cli.main(["run", "mnist-weights", *args]) == 2
    assert message in capsys.readouterr().err
