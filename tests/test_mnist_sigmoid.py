"""Part F3: the lecture's 784-hidden-10 sigmoid network on MNIST, and back-query per digit.

The fast chunk trainer against matrix_net's plain per-image loop, back-query on a network small
enough to work out by hand, learning, the initial weights, purity of step, bad input, and the
experiment with its log.
"""

import math
import re

import numpy as np
import pytest

from gdviz import cli, experiments
from gdviz.core import matrix_net as mn
from gdviz.core import mnist
from gdviz.core import mnist_sigmoid as ms
from tests.fixtures import mnist_bundle_only  # noqa: F401 (autouse: the bundled MNIST only)

L = math.log(0.99 / 0.01)  # logit(0.99) = −logit(0.01)


def small_state(hidden=20, lr=0.2, n=300, chunk=100, test=500, seed=1):
    x, y = mnist.load("train", n, scale="sigmoid")
    tx, ty = mnist.load("test", test, scale="sigmoid")
    return ms.MnistSigmoid(mn.init((784, hidden, 10), seed, lr), x, y, tx, ty, chunk=chunk)


# --- training is the deck's per-image rule -----------------------------------------------------

def test_targets_are_0_01_and_0_99():
    t = ms.targets([3, 0])
    assert t.shape == (2, 10)
    assert t[0, 3] == 0.99 and t[1, 0] == 0.99
    assert np.count_nonzero(t == 0.01) == 18


def test_chunks_train_exactly_like_matrix_net_one_image_at_a_time():
    s = small_state(n=300, chunk=70)  # chunks of 70, 70, 70, 70, 20: blocks cut in odd places
    x, y = mnist.load("train", 300, scale="sigmoid")
    reference = mn.fit(s.net, x, ms.targets(y), epochs=2)
    records = []
    for _ in range(10):
        s, r = ms.step(s)
        records.append(r)
    assert s.seen == 600
    for W, R in zip(s.net.weights, reference.weights):
        np.testing.assert_allclose(W, R, rtol=0, atol=1e-12)
    assert [r["images"] for r in records[:5]] == [70, 70, 70, 70, 20]
    assert [r["epoch_done"] for r in records] == [False] * 4 + [True] + [False] * 4 + [True]


def test_train_error_and_accuracy_score_each_image_before_it_is_learned():
    s = small_state(n=30, chunk=30)
    x, y = mnist.load("train", 30, scale="sigmoid")
    net, errors, correct = s.net, [], 0
    for image, label, target in zip(x, y, ms.targets(y)):
        net, r = mn.train(net, image, target)
        errors.append(r["E"])
        correct += int(np.argmax(r["O_output"]) == label)
    _, rec = ms.step(s)
    assert rec["train_error"] == pytest.approx(np.mean(errors), rel=1e-12)
    assert rec["train_correct"] == correct
    assert rec["train_accuracy"] == correct / 30


def test_initial_weights_are_normal_with_std_one_over_root_of_incoming_links():
    s = ms.start(hidden=200, learning_rate=0.1, train_images=100, seed=3)
    W1, W2 = s.net.weights
    assert W1.shape == (200, 784) and W2.shape == (10, 200)
    assert W1.std() == pytest.approx(1 / math.sqrt(784), rel=0.02)   # 156,800 draws
    assert W2.std() == pytest.approx(1 / math.sqrt(200), rel=0.05)   # 2,000 draws
    assert abs(W1.mean()) < 0.001 and abs(W2.mean()) < 0.005
    np.testing.assert_array_equal(W1, mn.init((784, 200, 10), 3).weights[0])


def test_learning_on_a_small_subset_lifts_test_accuracy_far_above_chance():
    s = small_state(hidden=30, lr=0.2, n=1000, chunk=1000, test=1000)
    before, _ = ms.evaluate(s.net, s.test_images, s.test_labels)
    accuracies = []
    for _ in range(3):
        s, r = ms.step(s)
        accuracies.append(r["test_accuracy"])
    # measured: 0.085 before, then 0.665, 0.761, 0.795 (train: 0.62, 0.854, 0.902)
    assert before < 0.2
    assert accuracies == sorted(accuracies) and accuracies[-1] > 0.75
    assert r["train_accuracy"] > 0.85  # epoch 3's images, each scored before it was learned
    assert (r["test_accuracy"], r["test_error"]) == ms.evaluate(s.net, s.test_images, s.test_labels)


def test_epoch_end_records_carry_test_back_query_and_net_others_none():
    s = small_state(n=200, chunk=150, test=100)
    s1, a = ms.step(s)
    s2, b = ms.step(s1)
    for k in ("test_accuracy", "test_error", "back_query", "net"):
        assert a[k] is None
        assert b[k] is not None
    assert b["net"] is s2.net
    assert b["back_query"].shape == (10, 28, 28)
    np.testing.assert_array_equal(b["back_query"], ms.back_query_digits(s2.net))
    assert (a["epoch"], a["epoch_images"], a["images_seen"]) == (1, 150, 150)
    assert (b["epoch"], b["epoch_images"], b["images_seen"], b["train_images"]) == (1, 200, 200, 200)
    rows = ms.epochs_of([a, b])
    assert len(rows) == 1 and rows[0]["images"] == 200 and rows[0]["record"] == 1
    assert rows[0]["train_accuracy"] == (a["train_correct"] + b["train_correct"]) / 200
    assert rows[0]["train_error"] == pytest.approx((a["train_error"] * 150 + b["train_error"] * 50) / 200)


def test_step_leaves_its_state_alone_and_is_repeatable():
    s = small_state(n=120, chunk=50, test=100)
    before = [np.array(W) for W in s.net.weights]
    new1, r1 = ms.step(s)
    new2, r2 = ms.step(s)
    assert s.seen == 0
    for W, B in zip(s.net.weights, before):
        np.testing.assert_array_equal(W, B)
        assert not W.flags.writeable
    for W1, W2 in zip(new1.net.weights, new2.net.weights):
        np.testing.assert_array_equal(W1, W2)
        assert not W1.flags.writeable
    assert r1.keys() == r2.keys()
    for k in r1:
        assert r1[k] == r2[k], k
    assert new1.seen == 50 and new1.images is s.images  # data shared, never copied


def test_steps_for_counts_chunks():
    s = small_state(n=250, chunk=100, test=100)
    assert ms.steps_for(s, 3) == 9


# --- back-query -----------------------------------------------------------------------------------

def handmade_net():
    """784 → 3 → 10: hidden node 0 sees the top half (rows 0–13), node 1 the left half
    (columns 0–13), node 2 every pixel; output d weighs the hidden nodes by [d/9, 1 − d/9, ½]."""
    top = np.zeros((28, 28))
    top[:14, :] = 1.0
    left = np.zeros((28, 28))
    left[:, :14] = 1.0
    W1 = np.vstack([top.ravel(), left.ravel(), np.ones(784)])
    W2 = np.array([[d / 9, 1 - d / 9, 0.5] for d in range(10)])
    return mn.MatrixNet((W1, W2))


def test_back_query_of_a_network_worked_out_by_hand():
    # Digit 3: X_output = logit(targets) = −L everywhere, +L at 3. Each column of W2 sums to 5,
    # so W2ᵀ · X_output = −5L + 2L · W2[3] = L · [−13/3, −11/3, −4]: rescaled, node 0 (lowest)
    # → 0.01, node 1 (highest) → 0.99, node 2 half-way → 0.5, i.e. X_hidden = [−L, +L, 0].
    # Then W1ᵀ · X_hidden = L · (−[row < 14] + [column < 14]): bottom-left +L → 0.99,
    # top-right −L → 0.01, the other two quarters 0 → 0.5.
    r = ms.back_query_digit(handmade_net(), 3)
    np.testing.assert_allclose(r["signals"][1], L * np.array([-13 / 3, -11 / 3, -4]))
    np.testing.assert_allclose(r["O"][0], [0.01, 0.99, 0.5])
    img = ms.back_query_digits(handmade_net())
    assert img.shape == (10, 28, 28) and not img.flags.writeable
    three = np.full((28, 28), 0.5)
    three[14:, :14] = 0.99
    three[:14, 14:] = 0.01
    np.testing.assert_allclose(img[3], three, atol=1e-12)
    # Digits 0–4 tip the same way as 3 (d/9 < ½), digits 5–9 the other way: a mirror image.
    seven = 1.0 - three
    for d in range(5):
        np.testing.assert_allclose(img[d], three, atol=1e-12)
        np.testing.assert_allclose(img[d + 5], seven, atol=1e-12)


def test_back_query_digits_match_matrix_net_with_one_hot_targets():
    net = small_state(hidden=15).net
    img = ms.back_query_digits(net)
    for d in (0, 6):
        t = np.full(10, 0.01)
        t[d] = 0.99
        np.testing.assert_array_equal(img[d].ravel(), mn.back_query(net, t)["I"])
    assert img.min() == pytest.approx(0.01) and img.max() == pytest.approx(0.99)


def test_back_query_summary_feeds_each_image_forward_and_compares_with_mean_images():
    net = handmade_net()
    x, y = mnist.load("train", 500, scale="sigmoid")
    rows = ms.back_query_summary(net, ms.back_query_digits(net), x, y)
    assert [r["digit"] for r in rows] == list(range(10))
    r = rows[3]
    np.testing.assert_allclose(r["outputs"], mn.query(net, ms.back_query_digits(net)[3].ravel()))
    assert r["answer"] == int(np.argmax(r["outputs"])) and r["output"] == r["outputs"][3]
    assert r["mean"] == pytest.approx(0.5) and (r["min"], r["max"]) == pytest.approx((0.01, 0.99))
    mean3 = x[y == 3].mean(axis=0)
    assert r["correlation"] == pytest.approx(np.corrcoef(ms.back_query_digits(net)[3].ravel(), mean3)[0, 1])
    assert r["closest_correlation"] >= r["correlation"]


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"hidden": 0}, "hidden"), ({"hidden": 301}, "hidden"), ({"hidden": 2.5}, "hidden"),
    ({"learning_rate": 0.0}, "learning_rate"), ({"learning_rate": -0.1}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"), ({"learning_rate": 11.0}, "learning_rate"),
    ({"train_images": 0}, "train_images"), ({"train_images": 10_001}, "train_images"),
    ({"chunk": 0}, "chunk"), ({"seed": -1}, "seed"),
])
def test_start_refuses_bad_settings_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        ms.start(**{"train_images": 100, **kwargs})


def test_state_and_functions_refuse_bad_arrays():
    x, y = mnist.load("train", 10, scale="sigmoid")
    net = mn.init((784, 5, 10), 0)
    with pytest.raises(ValueError, match="^labels "):
        ms.MnistSigmoid(net, x, y[:9], x, y)
    with pytest.raises(ValueError, match="^test_labels "):
        ms.MnistSigmoid(net, x, y, x, np.full(10, 10))
    with pytest.raises(ValueError, match="^images "):
        ms.MnistSigmoid(net, x[:, :783], y, x, y)
    bad = np.array(x)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="^test_images "):
        ms.MnistSigmoid(net, x, y, bad, y)
    with pytest.raises(ValueError, match="^net "):
        ms.MnistSigmoid(mn.init((784, 10), 0), x, y, x, y)
    with pytest.raises(ValueError, match="^digit "):
        ms.digit_targets(10)
    with pytest.raises(ValueError, match="^epochs "):
        ms.steps_for(ms.MnistSigmoid(net, x, y, x, y), 21)


# --- the experiment -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_run():
    exp = experiments.get("mnist-sigmoid")
    return exp.run()


def test_default_settings_reach_0_95_on_the_10000_test_images(default_run):
    exp = experiments.get("mnist-sigmoid")
    assert (exp.lesson, exp.title) == ("F3", "Looking inside: back-query")
    assert exp.settings() == {"hidden": 200, "learning_rate": 0.2, "epochs": 5, "train_images": 10_000}
    rows = ms.epochs_of(default_run.records)
    assert len(default_run) == 50 and len(rows) == 5
    acc = [r["test_accuracy"] for r in rows]
    assert acc[-1] >= 0.949  # measured 0.9502 (epochs: 0.9262 0.9388 0.9439 0.9479 0.9502)
    assert acc == sorted(acc)


def test_log_prints_every_epoch_and_every_digit_at_full_precision(default_run):
    exp = experiments.get("mnist-sigmoid")
    lines = list(exp.log(default_run, exp.settings()))
    rows = ms.epochs_of(default_run.records)
    epoch_lines = [x for x in lines if x.startswith("Epoch:")]
    assert len(epoch_lines) == 5
    for line, row in zip(epoch_lines, rows):
        assert f"Test-Acc:{row['test_accuracy']!r}" in line
        assert f"Train-Err:{row['train_error']!r}" in line
    digit_lines = [x for x in lines if x.startswith("digit:")]
    assert [int(re.match(r"digit:(\d)", x).group(1)) for x in digit_lines] == list(range(10))
    x, y = mnist.load("train", scale="sigmoid")
    last = default_run.records[-1]
    summary = ms.back_query_summary(last["net"], last["back_query"], x, y)
    for line, row in zip(digit_lines, summary):
        assert f"mean:{row['mean']!r}" in line and f"output:{row['output']!r}" in line
        assert f"answer:{row['answer']} " in line


def test_a_run_cut_short_mid_epoch_still_reports_where_it_stopped():
    exp = experiments.get("mnist-sigmoid")
    result = exp.run(iterations=3, hidden=10, train_images=2000, epochs=2)
    assert len(result) == 3
    last = result.records[-1]
    assert not last["epoch_done"] and last["net"] is not None and last["test_accuracy"] > 0.5
    lines = list(exp.log(result, exp.settings(hidden=10, train_images=2000, epochs=2)))
    assert sum(x.startswith("Epoch:") for x in lines) == 1
    assert any(x.startswith("Stopped in epoch 2 after 1000 of its images") for x in lines)
    assert sum(x.startswith("digit:") for x in lines) == 10


@pytest.mark.parametrize("key, value", [("hidden", 301), ("hidden", 0), ("learning_rate", 0.0),
                                        ("learning_rate", 20.0), ("epochs", 0), ("epochs", 21),
                                        ("train_images", 99), ("train_images", 10_001)])
def test_experiment_refuses_settings_out_of_range(key, value):
    with pytest.raises(ValueError, match=f"^{key} "):
        experiments.get("mnist-sigmoid").settings(**{key: value})


def test_iterations_are_capped(capsys):
    exp = experiments.get("mnist-sigmoid")
    with pytest.raises(ValueError, match="^iterations "):
        exp.run(iterations=exp.max_iterations + 1)
    assert cli.main(["run", "mnist-sigmoid", "--set", "hidden=500"]) == 2
    assert "hidden must be at most 300" in capsys.readouterr().err
