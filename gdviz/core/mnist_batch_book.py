"""Chapter 8's printed batch program, as it runs (not what its text describes).

The book's batch code takes ``batch_size`` images forward together, as a mini-batch would,
but then applies its update inside a loop over the batch's images: the *same* batch delta
(the batch's misses divided by ``batch_size``) is used ``batch_size`` times, and the weights
move every time. So per batch:

* ``weights_1_2`` takes the same step ``batch_size`` times — in total ``batch_size`` times the
  mean update, i.e. the *summed* update of the batch;
* ``weights_0_1`` takes ``batch_size`` steps too, each from a ``layer_1_delta`` recomputed with
  the ``weights_1_2`` of that moment (so the steps grow a little as ``weights_1_2`` moves).

Only whole batches are learned (``n // batch_size`` of them; left-over images are skipped),
while the pass's error and accuracy are still divided by all ``n`` images, as the book does.
Train error and accuracy are counted from each batch's forward pass, before its updates.

:func:`step` takes a :class:`gdviz.core.mnist_net.MnistNet` (its ``batch_size``, ``alpha``,
``dropout``, ``keep_prob``, ``relu_deriv``, test settings and best point mean what they mean
there) and returns the same record as :func:`gdviz.core.mnist_net.step`. Dropout masks are the
book's coin flips, drawn in the book's order (one ``randint(2)`` per hidden unit per image).

How it stays affordable: the ``batch_size`` small steps of ``weights_1_2`` and the matching
``layer_1_delta``s are taken one by one exactly as printed; the ``batch_size`` updates of the
784×hidden ``weights_0_1`` are linear in those deltas, so they are added up first and applied
with one matrix product. Same numbers, added in another order (the tests check the printed
lines against a plain transcription of the book's loop, and the weights to 1e-12).
"""

from __future__ import annotations

import math

import numpy as np

from gdviz.core import checks
from gdviz.core import mnist_net as net
from gdviz.core.frozen import replace_unchecked


def step(s: net.MnistNet) -> tuple[net.MnistNet, dict]:
    """One iteration ``j`` of the book's batch program: every whole batch once, then maybe test."""
    n, size = len(s.images), s.batch_size
    batches = n // size
    if batches == 0:
        raise ValueError(f"batch_size must be at most the number of training images ({n}): the book's "
                         f"program learns whole batches only, got {size}")
    w01 = np.array(s.weights_0_1)  # private copies, changed in place
    w12 = np.array(s.weights_1_2)
    goals = np.eye(net.DIGITS)[s.labels]
    rng_state = s.rng_state
    keep = keep2 = None
    if s.dropout:
        rs = np.random.RandomState(0)
        rs.set_state(s.rng_state)
        shape = (batches * size, s.hidden_size)  # one draw per pass = the book's one draw per batch
        if math.isclose(s.keep_prob, 0.5):
            keep = rs.randint(2, size=shape).astype(np.float64)
        else:
            keep = (rs.random_sample(shape) < s.keep_prob).astype(np.float64)
        keep2 = keep / s.keep_prob  # the book's "* 2"
        rng_state = _frozen_state(rs.get_state())
    strict = s.relu_deriv == "strict"
    alpha = s.alpha
    error, correct = 0.0, 0
    with np.errstate(all="ignore"):
        for b in range(batches):
            a, z = b * size, (b + 1) * size
            layer_0 = s.images[a:z]
            layer_1 = np.maximum(layer_0 @ w01, 0.0)
            if keep2 is not None:
                layer_1 *= keep2[a:z]
            layer_2 = layer_1 @ w12
            error += float(np.sum((goals[a:z] - layer_2) ** 2))
            correct += int(np.count_nonzero(layer_2.argmax(axis=1) == s.labels[a:z]))
            layer_2_delta = (goals[a:z] - layer_2) / size  # the same for every one of the batch's steps
            passes = (layer_1 > 0) if strict else (layer_1 >= 0)  # relu2deriv of the layer's output
            if keep is not None:
                passes = passes * keep[a:z]
            step_1_2 = alpha * layer_1.T.dot(layer_2_delta)
            summed = np.zeros_like(layer_1)
            for _ in range(size):
                layer_1_delta = layer_2_delta.dot(w12.T) * passes  # with weights_1_2 as it is now
                summed += layer_1_delta
                w12 += step_1_2
            w01 += alpha * layer_0.T.dot(summed)
    w01, w12 = checks.lock(w01), checks.lock(w12)

    test_error = test_accuracy = None
    best = s.best
    if s.test_images is not None and (s.j % s.test_every == 0 or s.j == s.final_j):
        test_error, test_accuracy = net.evaluate((w01, w12), s.test_images, s.test_labels)
        if best is None or test_accuracy > best.test_accuracy:
            best = net.Best(s.j, test_accuracy, test_error, w01, w12)
    record = {
        "j": s.j,
        "images": n,
        "batch_size": size,
        "updates": batches * size,
        "train_error": error / float(n),
        "train_accuracy": correct / float(n),
        "test_error": test_error,
        "test_accuracy": test_accuracy,
        "best_j": None if best is None else best.j,
        "best_test_accuracy": None if best is None else best.test_accuracy,
    }
    return replace_unchecked(s, weights_0_1=w01, weights_1_2=w12, rng_state=rng_state, j=s.j + 1,
                             best=best), record


def _frozen_state(state: tuple) -> tuple:
    name, keys, pos, has_gauss, cached = state
    keys = np.array(keys, dtype=np.uint32)
    keys.setflags(write=False)
    return (name, keys, int(pos), int(has_gauss), float(cached))
