"""Part D: the 784 → hidden → 10 relu network on MNIST — the book's numbers, the fast pass
against a plain loop written from the book's algorithm, mini-batches, dropout, purity,
bad input, early stopping, and the experiments' logs."""

import re

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import mnist
from gdviz.core import mnist_batch_book as batch_book
from gdviz.core import mnist_net as net
from gdviz.core.run import run
from gdviz.experiments import mnist_hidden
from gdviz.experiments.mnist_hidden import line
from tests.fixtures import mnist_bundle_only  # noqa: F401 (autouse: the bundled MNIST only)


@pytest.fixture(scope="module")
def small():
    """300 training images (three blocks of the fast pass, the last one partial), 500 test images."""
    x, y = mnist.load("train", 300)
    tx, ty = mnist.load("test", 500)
    return x, y, tx, ty


def relu(x):
    return (x >= 0) * x


def book_weights(hidden_size):
    """The book's start: RandomState(1), then both weight matrices uniform in [-0.1, 0.1)."""
    rs = np.random.RandomState(1)
    weights_0_1 = 0.2 * rs.random_sample((784, hidden_size)) - 0.1
    weights_1_2 = 0.2 * rs.random_sample((hidden_size, 10)) - 0.1
    return rs, weights_0_1, weights_1_2


def book_test(test_images, test_goals, weights_0_1, weights_1_2):
    """The book's test pass, image by image: the summed squared error and the number right."""
    test_error, test_correct = 0.0, 0
    for i in range(len(test_images)):
        layer_2 = np.dot(relu(np.dot(test_images[i:i + 1], weights_0_1)), weights_1_2)
        test_error += np.sum((test_goals[i:i + 1] - layer_2) ** 2)
        test_correct += int(np.argmax(layer_2) == np.argmax(test_goals[i:i + 1]))
    return test_error, test_correct


def book_forward(layer_0, weights_0_1, weights_1_2, rs, dropout):
    """The book's forward pass: the relu hidden layer (with dropout, a fresh mask drawn from ``rs``
    keeps half of it, doubled) and the output. Returns layer_1, the mask (None without dropout)
    and layer_2."""
    layer_1 = relu(np.dot(layer_0, weights_0_1))
    dropout_mask = None
    if dropout:
        dropout_mask = rs.randint(2, size=layer_1.shape)
        layer_1 *= dropout_mask * 2
    return layer_1, dropout_mask, np.dot(layer_1, weights_1_2)


def book_learn(layer_0, layer_1, layer_2_delta, dropout_mask, weights_0_1, weights_1_2, alpha, strict):
    """The book's update, in place: the hidden delta through relu2deriv (chapter 8's ``>=``, or
    ``>`` when ``strict``) and the mask, then both weight matrices."""
    relu2deriv = layer_1 > 0 if strict else layer_1 >= 0
    layer_1_delta = layer_2_delta.dot(weights_1_2.T) * relu2deriv
    if dropout_mask is not None:
        layer_1_delta *= dropout_mask
    weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
    weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)


def book_line(j, images, error, correct_cnt, test_images, test_error, test_correct, test_first):
    """The line the book prints after pass ``j`` (errors cut to 5 characters): chapter 8's plain
    program prints the training numbers first, its batch program the test numbers."""
    train = (" Train-Err:" + str(error / float(len(images)))[0:5]
             + " Train-Acc:" + str(correct_cnt / float(len(images))))
    test = (" Test-Err:" + str(test_error / float(len(test_images)))[0:5]
            + " Test-Acc:" + str(test_correct / float(len(test_images))))
    return "I:" + str(j) + (test + train if test_first else train + test)


def book_loop(images, labels, test_images, test_labels, hidden_size, alpha, iterations,
              dropout=False, strict=False):
    """Chapter 8's program written plainly: image by image, every pixel, one mask draw per
    image. Returns its printed lines and the final weights."""
    rs, weights_0_1, weights_1_2 = book_weights(hidden_size)
    goals, test_goals = np.eye(10)[labels], np.eye(10)[test_labels]
    lines = []
    for j in range(iterations):
        error, correct_cnt = 0.0, 0
        for i in range(len(images)):
            layer_0 = images[i:i + 1]
            layer_1, dropout_mask, layer_2 = book_forward(layer_0, weights_0_1, weights_1_2, rs, dropout)
            error += np.sum((goals[i:i + 1] - layer_2) ** 2)
            correct_cnt += int(np.argmax(layer_2) == np.argmax(goals[i:i + 1]))
            book_learn(layer_0, layer_1, goals[i:i + 1] - layer_2, dropout_mask, weights_0_1, weights_1_2, alpha, strict)
        test_error, test_correct = book_test(test_images, test_goals, weights_0_1, weights_1_2)
        lines.append(book_line(j, images, error, correct_cnt, test_images, test_error, test_correct, test_first=False))
    return lines, weights_0_1, weights_1_2


def core_lines(state, iterations):
    lines = []
    for _ in range(iterations):
        state, r = net.step(state)
        lines.append(line(r))
    return lines, state


# ---- the book's numbers (docs/LESSONS.md, Part D) --------------------------------------------

def test_d1_first_lines_are_the_books():
    lines = list(experiments.get("mnist-overfit").lines(11))
    assert lines[0] == "I:0 Train-Err:0.722 Train-Acc:0.537 Test-Err:0.601 Test-Acc:0.6488"
    assert len(lines) == 2 and lines[1].startswith("I:10 ")
    assert " Train-Acc:0.901 " in lines[1] and lines[1].endswith(" Test-Acc:0.8114")


def test_d2_first_line_is_the_books():
    assert list(experiments.get("mnist-dropout").lines(1)) == [
        "I:0 Test-Err:0.641 Test-Acc:0.6333 Train-Err:0.891 Train-Acc:0.413"]


# the book prints these for its batch program (chapter 8, batch_size 100, alpha 0.001)
BOOK_BATCH_I0 = "I:0 Test-Err:0.815 Test-Acc:0.3832 Train-Err:1.284 Train-Acc:0.165"
BOOK_BATCH_I10 = "I:10 Test-Err:0.568 Test-Acc:0.7173 Train-Err:0.591 Train-Acc:0.672"


def test_d3_book_batch_code_prints_the_books_first_lines():
    assert list(experiments.get("mnist-batch-book").lines(11)) == [BOOK_BATCH_I0, BOOK_BATCH_I10]


def book_batch_loop(images, labels, test_images, test_labels, hidden_size, alpha, batch_size, iterations,
                    dropout=True, strict=False):
    """Chapter 8's printed batch program written plainly: the same batch delta applied once per
    image of the batch, every weight update made one at a time. Returns its lines and weights."""
    rs, weights_0_1, weights_1_2 = book_weights(hidden_size)
    goals, test_goals = np.eye(10)[labels], np.eye(10)[test_labels]
    lines = []
    for j in range(iterations):
        error, correct_cnt = 0.0, 0
        for i in range(int(len(images) / batch_size)):
            batch_start, batch_end = i * batch_size, (i + 1) * batch_size
            layer_0 = images[batch_start:batch_end]
            layer_1, dropout_mask, layer_2 = book_forward(layer_0, weights_0_1, weights_1_2, rs, dropout)
            error += np.sum((goals[batch_start:batch_end] - layer_2) ** 2)
            for k in range(batch_size):
                correct_cnt += int(np.argmax(layer_2[k:k + 1]) == np.argmax(goals[batch_start + k:batch_start + k + 1]))
                layer_2_delta = (goals[batch_start:batch_end] - layer_2) / batch_size
                book_learn(layer_0, layer_1, layer_2_delta, dropout_mask, weights_0_1, weights_1_2, alpha, strict)
        test_error, test_correct = book_test(test_images, test_goals, weights_0_1, weights_1_2)
        lines.append(book_line(j, images, error, correct_cnt, test_images, test_error, test_correct, test_first=True))
    return lines, weights_0_1, weights_1_2


@pytest.mark.parametrize("dropout, strict, size", [(True, False, 50), (False, False, 50), (True, True, 40)])
def test_book_batch_step_is_the_plain_printed_loop(small, dropout, strict, size):
    """size 40 on 300 images: 7 whole batches, the last 20 images skipped as the book's loop skips them."""
    x, y, tx, ty = small
    want, w01, w12 = book_batch_loop(x, y, tx, ty, 20, 0.002, size, 2, dropout=dropout, strict=strict)
    assert np.isfinite(w01).all() and np.isfinite(w12).all()
    s = net.start(x, y, tx, ty, hidden_size=20, alpha=0.002, dropout=dropout, batch_size=size, test_every=1,
                  relu_deriv="strict" if strict else "book")
    got = []
    for _ in range(2):
        s, r = batch_book.step(s)
        got.append(line(r, test_first=True))
        assert r["updates"] == (300 // size) * size and r["images"] == 300
    assert got == want
    np.testing.assert_allclose(s.weights_0_1, w01, rtol=0, atol=1e-12)
    np.testing.assert_allclose(s.weights_1_2, w12, rtol=0, atol=1e-12)
    _, real = net.step(net.start(x, y, tx, ty, hidden_size=20, alpha=0.002, dropout=dropout, batch_size=size))
    assert line(real, test_first=True) != want[0]  # real mini-batches are another program


def test_book_batch_refuses_batches_bigger_than_the_data(small):
    x, y, tx, ty = small
    with pytest.raises(ValueError, match="batch_size"):
        batch_book.step(net.start(x[:100], y[:100], batch_size=101))
    with pytest.raises(ValueError, match="batch_size"):
        experiments.get("mnist-batch-book").run(1, train_images=100, batch_size=200)


def test_init_is_the_books_random_sequence():
    w01, w12, rng_state = net.init_weights(40)
    np.random.seed(1)  # the book's way, on the global generator
    try:
        np.testing.assert_array_equal(w01, 0.2 * np.random.random((784, 40)) - 0.1)
        np.testing.assert_array_equal(w12, 0.2 * np.random.random((40, 10)) - 0.1)
        mask = np.random.randint(2, size=(1, 40))
    finally:
        np.random.seed(None)
    rs = np.random.RandomState()
    rs.set_state(rng_state)
    np.testing.assert_array_equal(rs.randint(2, size=(1, 40)), mask)  # dropout continues the sequence
    assert not w01.flags.writeable and not w12.flags.writeable


# ---- the fast pass against the plain loop ------------------------------------------------------

@pytest.mark.parametrize("dropout, strict", [(False, False), (True, False), (False, True), (True, True)])
def test_fast_pass_prints_what_the_plain_loop_prints(small, dropout, strict):
    x, y, tx, ty = small
    want, w01, w12 = book_loop(x, y, tx, ty, 30, 0.005, 3, dropout=dropout, strict=strict)
    state = net.start(x, y, tx, ty, hidden_size=30, alpha=0.005, dropout=dropout, test_every=1,
                      relu_deriv="strict" if strict else "book")
    got, state = core_lines(state, 3)
    assert got == want
    np.testing.assert_allclose(state.weights_0_1, w01, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.weights_1_2, w12, rtol=0, atol=1e-12)
    assert not np.array_equal(state.weights_0_1, net.init_weights(30)[0])  # it did learn


def test_book_and_strict_derivatives_really_differ(small):
    x, y, tx, ty = small
    book = net.step(net.start(x, y, hidden_size=30))[0]
    strict = net.step(net.start(x, y, hidden_size=30, relu_deriv="strict"))[0]
    assert np.abs(book.weights_0_1 - strict.weights_0_1).max() > 1e-3


# ---- mini-batches --------------------------------------------------------------------------------

def per_image_updates(w01, w12, images, labels, strict, mask=None):
    """Each image's (layer_0ᵀ·layer_1_delta, layer_1ᵀ·layer_2_delta) at the same weights."""
    g01, g12 = [], []
    for i, (x, label) in enumerate(zip(images, labels)):
        layer_1 = np.maximum(x @ w01, 0)
        if mask is not None:
            layer_1 = layer_1 * mask[i] * 2
        layer_2_delta = np.eye(10)[label] - layer_1 @ w12
        layer_1_delta = layer_2_delta @ w12.T * ((layer_1 > 0) if strict else 1.0)
        if mask is not None:
            layer_1_delta = layer_1_delta * mask[i]
        g01.append(np.outer(x, layer_1_delta))
        g12.append(np.outer(layer_1, layer_2_delta))
    return np.mean(g01, axis=0), np.mean(g12, axis=0)


@pytest.mark.parametrize("dropout, strict", [(False, False), (False, True), (True, False)])
def test_a_batch_moves_by_the_mean_of_the_per_image_updates(dropout, strict):
    x, y = mnist.load("train", 50)
    s = net.start(x, y, hidden_size=20, alpha=0.01, batch_size=50, dropout=dropout,
                  relu_deriv="strict" if strict else "book")
    mask = None
    if dropout:
        rs = np.random.RandomState()
        rs.set_state(s.rng_state)
        mask = net.dropout_mask(rs, (50, 20), 0.5)
    new, r = net.step(s)
    assert r["updates"] == 1
    g01, g12 = per_image_updates(s.weights_0_1, s.weights_1_2, x, y, strict, mask)
    for moved, expected in ((new.weights_0_1 - s.weights_0_1, 0.01 * g01),
                            (new.weights_1_2 - s.weights_1_2, 0.01 * g12)):
        # The batch pass multiplies in float32 (see the module's notes): equal to a millionth
        # of the update's size — a wrong delta, a missing mask or a sum instead of a mean is
        # off by far more than that.
        scale = np.abs(expected).max()
        assert scale > 1e-4
        np.testing.assert_allclose(moved, expected, rtol=0, atol=2e-6 * scale)
    assert new.weights_0_1.dtype == np.float64 and new.weights_1_2.dtype == np.float64
    blank = ~x.any(axis=0)  # pixels no image uses: their weights do not move at all
    assert blank.any() and np.array_equal(new.weights_0_1[blank], s.weights_0_1[blank])


def test_strict_is_the_gradient_and_book_is_not():
    """With relu2deriv = output > 0 a batch update is -alpha × the gradient of half the mean
    squared error (checked by finite differences); the book's always-1 derivative is not."""
    x, y = mnist.load("train", 8)
    w01, w12, _ = net.init_weights(12)

    def half_mse(w01_):
        layer_2 = np.maximum(x @ w01_, 0) @ w12
        return 0.5 * np.mean(np.sum((np.eye(10)[y] - layer_2) ** 2, axis=1))

    pre = x @ w01
    off = np.flatnonzero((pre < -0.05).any(axis=0) & (np.abs(pre) > 1e-3).all(axis=0))
    assert off.size  # some unit is switched off for some image, away from the kink
    unit = off[0]
    pixels = np.flatnonzero(x[(pre[:, unit] < 0)].any(axis=0))[:5]
    h = 1e-6
    numeric = []
    for p in pixels:
        up, down = np.array(w01), np.array(w01)
        up[p, unit] += h
        down[p, unit] -= h
        numeric.append(-(half_mse(up) - half_mse(down)) / (2 * h))
    for mode, should_match in (("strict", True), ("book", False)):
        s = net.MnistNet(w01, w12, x, y, alpha=1e-3, batch_size=8, relu_deriv=mode)
        moved = (net.step(s)[0].weights_0_1 - w01)[pixels, unit] / 1e-3
        assert np.allclose(moved, numeric, rtol=1e-5, atol=1e-9) == should_match


def test_a_pass_uses_every_image_once_even_with_a_partial_last_batch():
    x, y = mnist.load("train", 250)
    s = net.start(x, y, hidden_size=10, batch_size=100)
    _, r = net.step(s)
    assert (r["images"], r["updates"], r["batch_size"]) == (250, 3, 100)


# ---- dropout ---------------------------------------------------------------------------------------

def test_dropout_silences_units_forward_and_backward():
    x, y = mnist.load("train", 1)
    s = net.start(x, y, hidden_size=40, alpha=0.01, dropout=True)
    rs = np.random.RandomState()
    rs.set_state(s.rng_state)
    mask = rs.randint(2, size=40)
    assert 0 < mask.sum() < 40
    new, r = net.step(s)
    dropped, kept = mask == 0, mask == 1
    # forward: survivors doubled, the others silent
    layer_1 = np.maximum(x[0] @ s.weights_0_1, 0) * mask * 2
    layer_2 = layer_1 @ s.weights_1_2
    assert r["train_error"] == pytest.approx(np.sum((np.eye(10)[y[0]] - layer_2) ** 2), rel=1e-12)
    # a silenced unit's outgoing weights (its row of weights_1_2) and incoming weights
    # (its column of weights_0_1) do not move
    np.testing.assert_array_equal(new.weights_1_2[dropped], s.weights_1_2[dropped])
    np.testing.assert_array_equal(new.weights_0_1[:, dropped], s.weights_0_1[:, dropped])
    assert (new.weights_0_1[:, kept] != s.weights_0_1[:, kept]).any(axis=0).all()
    on = kept & (layer_1 > 0)
    assert on.any() and (new.weights_1_2[on] != s.weights_1_2[on]).all()


def test_no_dropout_when_testing(small):
    x, y, tx, ty = small
    records = []
    for seed in (1, 2):
        s = net.MnistNet(*net.init_weights(30)[:2], x, y, tx, ty, alpha=0.0, dropout=True, rng_state=seed)
        records.append(net.step(s)[1])
    a, b = records
    assert a["train_accuracy"] != b["train_accuracy"]  # training saw different masks ...
    assert (a["test_error"], a["test_accuracy"]) == (b["test_error"], b["test_accuracy"])  # ... the test none
    assert (a["test_error"], a["test_accuracy"]) == net.evaluate(net.init_weights(30)[:2], tx, ty)


# ---- purity ----------------------------------------------------------------------------------------

def test_stepping_a_state_twice_gives_the_same_and_changes_nothing(small):
    x, y, tx, ty = small
    images, labels = np.array(x), np.array(y)  # writable: the state must keep its own copy
    s = net.start(images, labels, tx, ty, hidden_size=20, dropout=True, test_every=1)
    before = {k: np.array(getattr(s, k)) for k in ("weights_0_1", "weights_1_2", "images", "labels")}
    keys = s.rng_state[1].copy()
    a, ra = net.step(s)
    b, rb = net.step(s)
    assert ra == rb
    for name in ("weights_0_1", "weights_1_2"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not getattr(a, name).flags.writeable
    np.testing.assert_array_equal(a.rng_state[1], b.rng_state[1])
    assert not np.array_equal(a.rng_state[1], keys) or a.rng_state[2] != s.rng_state[2]  # masks were drawn
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(s, name), value)
        assert not getattr(s, name).flags.writeable
    np.testing.assert_array_equal(s.rng_state[1], keys)
    assert (s.j, a.j, s.best) == (0, 1, None)
    images[:] = 0  # changing what was given afterwards does not reach the state
    assert s.images.any()
    assert not any(isinstance(v, np.ndarray) for v in ra.values())  # records stay small


def test_records_and_state_fields(small):
    x, y, tx, ty = small
    s = net.start(x, y, tx, ty, hidden_size=20, test_every=2, final_j=3)
    result = run(net.step, s, 4)
    tested = [r["j"] for r in result.records if r["test_accuracy"] is not None]
    assert tested == [0, 2, 3]
    r = result.records[0]
    assert set(r) == {"j", "images", "batch_size", "updates", "train_error", "train_accuracy",
                      "test_error", "test_accuracy", "best_j", "best_test_accuracy"}
    assert all(isinstance(r[k], float) for k in ("train_error", "train_accuracy", "test_error", "test_accuracy"))
    assert r["test_accuracy"] * 500 == round(r["test_accuracy"] * 500)
    assert s.hidden_size == 20


# ---- early stopping ------------------------------------------------------------------------------

def test_best_point_is_the_highest_test_accuracy_so_far(small):
    x, y, tx, ty = small
    s = net.start(x, y, tx, ty, hidden_size=20, alpha=0.05, test_every=1)  # overfits within a few passes
    states, records = [s], []
    for _ in range(8):
        s, r = net.step(s)
        states.append(s)
        records.append(r)
    accuracies = [r["test_accuracy"] for r in records]
    for k, r in enumerate(records):
        first_max = int(np.argmax(accuracies[: k + 1]))  # the earliest on a tie
        assert (r["best_j"], r["best_test_accuracy"]) == (first_max, accuracies[first_max])
    best = s.best
    assert best.j == int(np.argmax(accuracies)) and accuracies[-1] < best.test_accuracy  # peaked, then fell
    np.testing.assert_array_equal(best.weights_0_1, states[best.j + 1].weights_0_1)
    np.testing.assert_array_equal(best.weights_1_2, states[best.j + 1].weights_1_2)
    assert net.evaluate(best, tx, ty) == (best.test_error, best.test_accuracy)


# ---- one image --------------------------------------------------------------------------------------

def test_outputs_score_one_image(small):
    x, y, tx, ty = small
    s = net.step(net.start(x, y, hidden_size=20))[0]
    layer_1, layer_2 = net.outputs(s, tx[0])
    np.testing.assert_allclose(layer_1, np.maximum(tx[0] @ s.weights_0_1, 0), rtol=1e-13)
    np.testing.assert_allclose(layer_2, layer_1 @ s.weights_1_2, rtol=1e-13, atol=1e-15)
    assert layer_1.shape == (20,) and layer_2.shape == (10,) and (layer_1 >= 0).all()
    same = net.outputs((s.weights_0_1, s.weights_1_2), tx[0])
    np.testing.assert_array_equal(same[1], layer_2)
    assert not layer_2.flags.writeable


# ---- bad input and divergence -------------------------------------------------------------------

@pytest.mark.parametrize("overrides, name", [
    ({"hidden_size": 0}, "hidden_size"), ({"hidden_size": 257}, "hidden_size"),
    ({"hidden_size": 2.5}, "hidden_size"), ({"alpha": -0.1}, "alpha"), ({"alpha": float("nan")}, "alpha"),
    ({"alpha": float("inf")}, "alpha"), ({"batch_size": 0}, "batch_size"), ({"batch_size": 1001}, "batch_size"),
    ({"test_every": 0}, "test_every"), ({"relu_deriv": "exact"}, "relu_deriv"),
    ({"dropout": 0.5}, "dropout"), ({"dropout": 2}, "dropout"),
    ({"seed": -1}, "seed"), ({"final_j": -1}, "final_j"),
])
def test_bad_settings_are_named(small, overrides, name):
    x, y, tx, ty = small
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        net.start(x, y, tx, ty, **overrides)


def test_bad_data_are_named(small):
    x, y, tx, ty = small
    with pytest.raises(ValueError, match=r"^images"):
        net.start(x[:, :700], y)
    with pytest.raises(ValueError, match=r"^labels"):
        net.start(x, y[:-1])
    with pytest.raises(ValueError, match=r"^labels"):
        net.start(x, np.full(len(x), 10))
    with pytest.raises(ValueError, match=r"^test_images and test_labels"):
        net.start(x, y, tx)
    with pytest.raises(ValueError, match=r"^images must be at most 10,000"):
        net.start(np.broadcast_to(x[0], (10_001, 784)), np.zeros(10_001, dtype=int))
    with pytest.raises(ValueError, match=r"^weights_1_2"):
        net.MnistNet(np.zeros((784, 5)), np.zeros((4, 10)), x, y)
    with pytest.raises(ValueError, match=r"^rng_state"):
        net.MnistNet(np.zeros((784, 5)), np.zeros((5, 10)), x, y, rng_state="x")
    with pytest.raises(ValueError, match=r"^image "):
        net.outputs(net.init_weights(5)[:2], x[0][:100])


def test_overflow_stops_the_run_and_is_reported(small):
    x, y, tx, ty = small
    result = run(net.step, net.start(x, y, tx, ty, hidden_size=20, alpha=5.0), 5)
    assert result.diverged_at == 1
    assert not np.isfinite(result.records[-1]["train_error"])
    lines = list(experiments.get("mnist-overfit").lines(3, alpha=5.0, train_images=100))
    assert lines[-1].startswith("Diverged at iteration 1")


# ---- the experiments -------------------------------------------------------------------------------

def test_presets_are_registered_with_the_books_settings():
    d1, d2, d3 = (experiments.get(n) for n in ("mnist-overfit", "mnist-dropout", "mnist-batch"))
    assert (d1.lesson, d2.lesson, d3.lesson) == ("D1", "D2", "D3")
    assert (d1.iterations, d2.iterations, d3.iterations) == (350, 300, 300)
    assert d1.settings() == {"alpha": 0.005, "hidden_size": 40, "dropout": False, "batch_size": 1,
                             "train_images": 1000, "test_every": 10, "relu_deriv": "book", "keep_prob": 0.5,
                             "batch_update": "mean"}
    assert d2.settings()["hidden_size"] == 100 and d2.settings()["dropout"] is True
    s3 = d3.settings()
    assert (s3["batch_size"], s3["hidden_size"], s3["dropout"], s3["alpha"]) == (100, 100, True, 0.1)
    d3b = experiments.get("mnist-batch-book")
    assert (d3b.lesson, d3b.iterations) == ("D3", 300)
    assert d3b.settings() == {**s3, "alpha": 0.001, "batch_update": "book"}
    assert mnist_hidden.stepper(d3b.settings()) is batch_book.step and mnist_hidden.stepper(s3) is net.step
    for e in (d1, d2, d3):
        for p in e.params:
            if isinstance(p.default, int) and not isinstance(p.default, bool):
                assert p.kind == "int", p.name
            assert p.help


def test_batch_preset_learns():
    lines = list(experiments.get("mnist-batch").lines(21))
    assert re.fullmatch(r"I:20 Test-Err:\S{5} Test-Acc:[0-9.]+ Train-Err:\S{5} Train-Acc:[0-9.]+", lines[-1])
    assert float(lines[-1].split("Test-Acc:")[1].split()[0]) > 0.7


def test_cli_prints_and_refuses(capsys):
    assert cli.main(["run", "mnist-dropout", "--iterations", "1", "--set", "train_images=100",
                     "--set", "hidden_size=10", "--set", "dropout=0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and re.fullmatch(r"I:0 Test-Err:\S{5} Test-Acc:[0-9.]+ Train-Err:\S{5} Train-Acc:[0-9.]+",
                                          out[0])
    assert cli.main(["run", "mnist-overfit", "--set", "train_images=50"]) == 2
    assert "train_images" in capsys.readouterr().err
    assert cli.main(["run", "mnist-overfit", "--iterations", "1001"]) == 2
    assert "iterations must be at most 1000" in capsys.readouterr().err


def test_the_pages_operations_restore_the_best_point_and_score_with_the_current_weights():
    e = experiments.get("mnist-overfit")
    settings = e.settings(train_images=100, hidden_size=10, test_every=1)
    s = mnist_hidden.start(settings, 3)
    for _ in range(3):
        s, _ = mnist_hidden.stepper(settings)(s)
    assert s.j == 3 and s.best is not None
    back = mnist_hidden.restore_best(s)
    assert back.weights_0_1 is s.best.weights_0_1 and back.weights_1_2 is s.best.weights_1_2 and back.j == 3
    images, labels = mnist_hidden.test_set()
    layer_1, layer_2 = mnist_hidden.outputs(s, images[0])
    np.testing.assert_allclose(layer_2, np.maximum(images[0] @ s.weights_0_1, 0) @ s.weights_1_2, rtol=1e-12)
    start_w01 = mnist_hidden.initial_weights_0_1(10)
    np.testing.assert_array_equal(start_w01, net.init_weights(10)[0])
    np.testing.assert_array_equal(mnist_hidden.training_change(s.weights_0_1, start_w01), s.weights_0_1 - start_w01)


def test_dropout_keep_probability_one_is_no_dropout_and_other_rates_keep_that_share():
    images, labels = mnist.load("train", 120)
    plain = net.start(images, labels, hidden_size=30)
    kept_all = net.start(images, labels, hidden_size=30, dropout=True, keep_prob=1.0)
    a, _ = net.step(plain)
    b, _ = net.step(kept_all)
    np.testing.assert_allclose(a.weights_0_1, b.weights_0_1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.weights_1_2, b.weights_1_2, rtol=0, atol=1e-12)
    # keep_prob 0.2: a unit switched off for an image gets no share of that image's update of
    # weights_1_2, so with one image the rows that moved are the kept units (about a fifth).
    one = net.start(images[:1], labels[:1], hidden_size=200, dropout=True, keep_prob=0.2)
    moved = np.any(net.step(one)[0].weights_1_2 != one.weights_1_2, axis=1).mean()
    assert 0.1 < moved < 0.3
    with pytest.raises(ValueError, match="keep_prob"):
        net.start(images, labels, dropout=True, keep_prob=0.0)


@pytest.mark.parametrize("keep_prob", [0.5, 0.2, 0.9])
def test_mini_batch_dropout_masks_keep_their_share_fairly_and_repeat_from_the_same_state(keep_prob):
    rs = np.random.RandomState(3)
    state = rs.get_state()
    mask = net.dropout_mask(rs, (1000, 100), keep_prob)
    assert mask.shape == (1000, 100) and set(np.unique(mask)) == {0, 1}
    assert abs(mask.mean() - keep_prob) < 0.006  # 100,000 flips: 5 standard deviations or less
    # no unit, image or bit position is favoured (32 flips come from one draw at keep_prob 0.5)
    assert np.abs(mask.mean(axis=0) - keep_prob).max() < 0.2
    assert np.abs(mask.reshape(-1, 32).mean(axis=0) - keep_prob).max() < 0.03
    rs.set_state(state)
    np.testing.assert_array_equal(net.dropout_mask(rs, (1000, 100), keep_prob), mask)
    assert not np.array_equal(net.dropout_mask(rs, (1000, 100), keep_prob), mask)  # the state moved on
