"""Chapter 8: a network with a hidden layer on MNIST — 784 pixels → ``hidden_size`` relus → 10.

One iteration ``j`` (:func:`step`) is one pass over the training images, image by image as the
book does (``batch_size == 1``) or in true mini-batches; optional dropout; the test images are
scored without dropout every ``test_every`` iterations and the best test point is kept for
early stopping (:func:`restore_best`). ``relu_deriv`` chooses the book's ``output >= 0`` or the
true slope ``output > 0``. What each step computes, why the presets keep the book's relu
derivative, how mini-batches differ from the book's printed program, and how a pass is made fast
without changing its numbers: ``docs/NOTES_mnist_net.md``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from gdviz.core import checks
from gdviz.core.frozen import replace_unchecked
from gdviz.core.mnist import BLOCK, check_image, check_images, check_labels, gram_blocks

PIXELS = 784
SIDE = 28
DIGITS = 10
#: Caps, so one request cannot keep a shared server busy for minutes.
MAX_HIDDEN = 256
MAX_IMAGES = 10_000
MAX_BATCH = 1000
MAX_TEST_EVERY = 100_000
RELU_DERIVS = ("book", "strict")

_GOALS = tuple(np.eye(DIGITS))  # one-hot rows: _GOALS[label]
for _g in _GOALS:
    _g.setflags(write=False)


def init_weights(hidden_size: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The book's start: ``(weights_0_1, weights_1_2, rng_state)``.

    ``rs = np.random.RandomState(seed)``; ``weights_0_1 = 0.2 * rs.random_sample((784,
    hidden_size)) - 0.1``, then ``weights_1_2 = 0.2 * rs.random_sample((hidden_size, 10)) -
    0.1`` — the same numbers as the book's ``np.random.seed(1)`` followed by
    ``np.random.random``. ``rng_state`` is the generator's state after those draws: dropout
    masks continue from it, as the book's do. The global random state is not touched.
    """
    hidden_size = checks.count("hidden_size", hidden_size, lo=1, hi=MAX_HIDDEN)
    seed = checks.count("seed", seed, lo=0, hi=2**32 - 1)
    rs = np.random.RandomState(seed)
    w01 = 0.2 * rs.random_sample((PIXELS, hidden_size)) - 0.1
    w12 = 0.2 * rs.random_sample((hidden_size, DIGITS)) - 0.1
    return checks.lock(w01), checks.lock(w12), _frozen_rng(rs.get_state())


@dataclass(frozen=True)
class Best:
    """The best test point so far (for early stopping): the iteration ``j`` whose new weights
    scored the highest test accuracy (the earliest one on a tie), and those weights."""

    j: int
    test_accuracy: float
    test_error: float
    weights_0_1: np.ndarray
    weights_1_2: np.ndarray


@dataclass(frozen=True, eq=False)
class MnistNet:
    """A 784 → hidden → 10 relu network and everything one pass needs.

    * ``weights_0_1`` (784×hidden), ``weights_1_2`` (hidden×10);
    * ``images`` (n×784) and ``labels`` (n digits) to learn from; ``test_images`` /
      ``test_labels`` (optional, give both or neither) to score on;
    * ``keep_prob``: with dropout, the chance that a hidden unit is kept for an image (kept
      units are scaled by ``1 / keep_prob``); 0.5 draws the book's coin flips exactly;
    * ``alpha``; ``dropout`` (True/False: the book's coin-flip masks, keep half, double the
      rest); ``batch_size`` (1 = learn image by image, as the book; more = true mini-batch);
    * ``rng_state``: the dropout generator's state (``RandomState.get_state()``, or a whole
      number to seed a new one). It is stored, not a live generator, so stepping the same
      state twice draws the same masks;
    * ``j``: the next iteration's number (0 first);
    * ``test_every``: the test runs on iterations ``j`` with ``j % test_every == 0``, and on
      ``final_j`` if given (the book tests its last iteration too in the overfitting run);
    * ``relu_deriv``: ``"book"`` or ``"strict"`` (see the module's notes);
    * ``best``: the best test point so far (:class:`Best`) or None.

    Arrays are kept read-only (copied only when the given array could still change).
    """

    weights_0_1: np.ndarray
    weights_1_2: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    test_images: np.ndarray | None = None
    test_labels: np.ndarray | None = None
    alpha: float = 0.005
    dropout: bool = False
    batch_size: int = 1
    keep_prob: float = 0.5
    rng_state: tuple | int = 1
    j: int = 0
    test_every: int = 10
    final_j: int | None = None
    relu_deriv: str = "book"
    best: Best | None = None
    # Derived once from the training images: per-example, (start, stop, Gram matrix) per
    # block; mini-batch, (pixels used by some image, the images on those pixels in float32).
    _blocks: tuple = field(default=(), init=False, repr=False)
    _batch_data: tuple = field(default=(), init=False, repr=False)

    def __post_init__(self):
        set_ = object.__setattr__
        w01 = checks.shaped("weights_0_1", self.weights_0_1, (PIXELS, None), "784×hidden_size")
        hidden = w01.shape[1]
        if not 1 <= hidden <= MAX_HIDDEN:
            raise ValueError(f"weights_0_1 must have 1 to {MAX_HIDDEN} columns (hidden_size), got {hidden}")
        w12 = checks.shaped("weights_1_2", self.weights_1_2, (hidden, DIGITS), f"{hidden}×10 (hidden_size×10)")
        set_(self, "weights_0_1", checks.frozen(w01))
        set_(self, "weights_1_2", checks.frozen(w12))
        images = check_images(self.images)
        if len(images) > MAX_IMAGES:
            raise ValueError(f"images must be at most {MAX_IMAGES:,} images, got {len(images):,}")
        set_(self, "images", checks.frozen(images))
        set_(self, "labels", checks.frozen(check_labels(self.labels, len(images))))
        if (self.test_images is None) != (self.test_labels is None):
            raise ValueError("test_images and test_labels go together: give both or neither")
        if self.test_images is not None:
            test = check_images(self.test_images, "test_images")
            if len(test) > MAX_IMAGES:
                raise ValueError(f"test_images must be at most {MAX_IMAGES:,} images, got {len(test):,}")
            set_(self, "test_images", checks.frozen(test))
            set_(self, "test_labels", checks.frozen(check_labels(self.test_labels, len(test), "test_labels")))
        set_(self, "alpha", checks.number("alpha", self.alpha, lo=0.0))
        d = self.dropout
        if not (isinstance(d, (bool, np.bool_)) or (isinstance(d, (int, np.integer)) and d in (0, 1))):
            raise ValueError(f"dropout must be true or false (or 1/0), got {d!r}")
        set_(self, "dropout", bool(d))
        set_(self, "keep_prob", checks.number("keep_prob", self.keep_prob, lo=0.05, hi=1.0))
        set_(self, "batch_size", checks.count("batch_size", self.batch_size, lo=1, hi=MAX_BATCH))
        set_(self, "rng_state", _rng_state(self.rng_state))
        set_(self, "j", checks.count("j", self.j, lo=0))
        set_(self, "test_every", checks.count("test_every", self.test_every, lo=1, hi=MAX_TEST_EVERY))
        if self.final_j is not None:
            set_(self, "final_j", checks.count("final_j", self.final_j, lo=0))
        if self.relu_deriv not in RELU_DERIVS:
            raise ValueError(f"relu_deriv must be one of {', '.join(RELU_DERIVS)}, got {self.relu_deriv!r}")
        if self.best is not None and not isinstance(self.best, Best):
            raise ValueError(f"best must be a Best or None, got {type(self.best).__name__}")
        if self.batch_size == 1:
            set_(self, "_blocks", gram_blocks(self.images))
        else:
            set_(self, "_batch_data", _batch_data(self.images))

    @property
    def hidden_size(self) -> int:
        return self.weights_0_1.shape[1]


def start(images, labels, test_images=None, test_labels=None, *, hidden_size: int = 40,
          alpha: float = 0.005, dropout: bool = False, batch_size: int = 1, test_every: int = 10,
          final_j: int | None = None, relu_deriv: str = "book", seed: int = 1,
          keep_prob: float = 0.5) -> MnistNet:
    """A network at the book's start (:func:`init_weights`), ready for :func:`step`."""
    w01, w12, rng_state = init_weights(hidden_size, seed)
    return MnistNet(w01, w12, images, labels, test_images, test_labels, alpha=alpha, dropout=dropout,
                    batch_size=batch_size, keep_prob=keep_prob, rng_state=rng_state, test_every=test_every,
                    final_j=final_j, relu_deriv=relu_deriv)


def step(s: MnistNet) -> tuple[MnistNet, dict]:
    """One iteration ``j``: learn from every training image once, then maybe test.

    Record (small numbers only — the weights live in the new state): ``j``, ``images`` (how
    many were learned from), ``batch_size``, ``updates`` (weight changes made in the pass),
    ``train_error``, ``train_accuracy`` (counted during the pass, with dropout if on),
    ``test_error``, ``test_accuracy`` (of the new weights, no dropout; None when the test
    did not run this iteration), ``best_j`` and ``best_test_accuracy`` (the best test point
    so far, None before the first test). Overflowing numbers come out as inf/nan in the
    record, never as an exception, so :func:`gdviz.core.run.run` stops there.
    """
    n = len(s.images)
    w01 = np.array(s.weights_0_1)  # the step's private copies, changed in place
    w12 = np.array(s.weights_1_2)
    rng_state = s.rng_state
    keep = keep2 = None
    if s.dropout:
        rs = _generator(s.rng_state)
        # One draw for the whole pass gives the same coin flips, in the same order, as the
        # book's one draw of hidden_size flips per image (checked in the tests).
        shape = (n, s.hidden_size)
        if s.batch_size > 1:  # no book numbers to keep: float32 (see _batch_pass), faster flips
            keep = dropout_mask(rs, shape, s.keep_prob).astype(np.float32)
            keep2 = keep / np.float32(s.keep_prob)
        else:
            if math.isclose(s.keep_prob, 0.5):
                keep = rs.randint(2, size=shape).astype(np.float64)
            else:  # another rate cannot come from coin flips: a uniform draw per unit instead
                keep = (rs.random_sample(shape) < s.keep_prob).astype(np.float64)
            keep2 = keep / s.keep_prob  # the book's "* 2" for keep_prob 0.5
        rng_state = _frozen_rng(rs.get_state())
    with np.errstate(all="ignore"):
        if s.batch_size == 1:
            layer_2 = _per_example_pass(s, w01, w12, keep, keep2)
            updates = n
        else:
            layer_2 = _batch_pass(s, w01, w12, keep, keep2)
            updates = -(-n // s.batch_size)
        train_error, train_accuracy = _scores(layer_2, s.labels)
    w01, w12 = checks.lock(w01), checks.lock(w12)  # the best point may be shared (cached) too

    test_error = test_accuracy = None
    best = s.best
    if s.test_images is not None and (s.j % s.test_every == 0 or s.j == s.final_j):
        test_error, test_accuracy = _evaluate(w01, w12, s.test_images, s.test_labels)
        if best is None or test_accuracy > best.test_accuracy:
            best = Best(s.j, test_accuracy, test_error, w01, w12)
    record = {
        "j": s.j,
        "images": n,
        "batch_size": s.batch_size,
        "updates": updates,
        "train_error": train_error,
        "train_accuracy": train_accuracy,
        "test_error": test_error,
        "test_accuracy": test_accuracy,
        "best_j": None if best is None else best.j,
        "best_test_accuracy": None if best is None else best.test_accuracy,
    }
    return replace_unchecked(s, weights_0_1=w01, weights_1_2=w12, rng_state=rng_state, j=s.j + 1, best=best), record


def dropout_mask(rs: np.random.RandomState, shape: tuple, keep_prob: float) -> np.ndarray:
    """The mini-batch passes' dropout masks: 1 (kept) with probability ``keep_prob``, else 0.

    For keep_prob 0.5 each unit gets one fair coin flip, taken 32 at a time from the bits of
    one 32-bit draw (the book's ``randint(2)`` spends a whole draw on each flip: twenty times
    slower, and only the per-example presets need its exact sequence)."""
    count = math.prod(shape)
    if math.isclose(keep_prob, 0.5):
        words = rs.randint(0, 2**32, size=-(-count // 32), dtype=np.uint32)
        return np.unpackbits(words.view(np.uint8))[:count].reshape(shape)
    return (rs.random_sample(shape) < keep_prob).astype(np.uint8)


def outputs(weights, image) -> tuple[np.ndarray, np.ndarray]:
    """Score one image as the test does (no dropout): ``(layer_1, layer_2)``.

    ``weights`` is a :class:`MnistNet`, a :class:`Best` or a pair ``(weights_0_1,
    weights_1_2)``. ``layer_1`` holds the hidden activations, ``layer_2`` the ten scores;
    the prediction is ``layer_2.argmax()``.
    """
    w01, w12 = _weight_pair(weights)
    x = check_image(image)
    with np.errstate(all="ignore"):
        layer_1 = np.maximum(x @ w01, 0.0)
        layer_2 = layer_1 @ w12
    layer_1.setflags(write=False)
    layer_2.setflags(write=False)
    return layer_1, layer_2


def evaluate(weights, images, labels) -> tuple[float, float]:
    """``(error, accuracy)`` of ``weights`` (as :func:`outputs` takes them) on ``images``, no
    dropout: the squared errors summed over the images and divided by their number, and the
    fraction whose top score is the label."""
    w01, w12 = _weight_pair(weights)
    x = check_images(images, finite=False)
    return _evaluate(w01, w12, x, check_labels(labels, len(x)))


# --- the passes ----------------------------------------------------------------------------

def _per_example_pass(s: MnistNet, w01, w12, keep, keep2) -> np.ndarray:
    """Learn image by image, in place on ``w01``/``w12``; return every image's ``layer_2``
    (computed before learning from it). See the module's notes for the block form."""
    n, hidden = len(s.images), s.hidden_size
    alpha = s.alpha
    strict = s.relu_deriv == "strict"
    labels = s.labels.tolist()
    layer_2_all = np.empty((n, DIGITS))
    layer_2_rows = list(layer_2_all)
    # alpha * layer_1_delta of each image of the current block
    deltas = np.empty((BLOCK, hidden))
    delta_rows = list(deltas)
    matmul, maximum = np.matmul, np.maximum
    for start, stop, gram in s._blocks:
        layer_0 = s.images[start:stop]
        from_start = matmul(layer_0, w01)  # each image · weights_0_1 as they were at the block's start
        gram_rows = list(gram)
        for r in range(stop - start):
            i = start + r
            # + what the block's earlier images changed: sum over k < r of (image·image_k) * delta_k
            layer_1 = matmul(gram_rows[r][:r], deltas[:r])
            layer_1 += from_start[r]
            maximum(layer_1, 0.0, out=layer_1)  # relu (0.0 where the book has -0.0: same sums)
            if keep2 is not None:
                layer_1 *= keep2[i]
            layer_2 = matmul(layer_1, w12, out=layer_2_rows[i])
            layer_2_delta = _GOALS[labels[i]] - layer_2
            layer_2_delta *= alpha
            layer_1_delta = matmul(w12, layer_2_delta, out=delta_rows[r])  # before weights_1_2 moves
            if strict:
                layer_1_delta *= layer_1 > 0
            # "book": relu2deriv(layer_1) is 1 everywhere, so there is nothing to multiply
            if keep is not None:
                layer_1_delta *= keep[i]
            w12 += layer_1[:, None] * layer_2_delta
        w01 += matmul(layer_0.T, deltas[: stop - start])
    return layer_2_all


def _batch_pass(s: MnistNet, w01, w12, keep, keep2) -> np.ndarray:
    """True mini-batches, in place on ``w01``/``w12``: one update per batch with the deltas
    averaged over the batch. Returns every image's ``layer_2``.

    Mixed precision (see the module's notes): the products run in float32 on the pixels some
    training image uses; the weights themselves are kept and updated in float64."""
    n, size = len(s.images), s.batch_size
    alpha = s.alpha
    strict = s.relu_deriv == "strict"
    used, images = s._batch_data
    f32 = np.float32
    goals = np.eye(DIGITS, dtype=f32)[s.labels]
    w01_used = w01[used]  # float64 master copies of the rows that can change
    w01_32, w12_32 = w01_used.astype(f32), w12.astype(f32)
    layer_2_all = np.empty((n, DIGITS), dtype=f32)
    for a in range(0, n, size):
        b = min(a + size, n)
        layer_0 = images[a:b]
        layer_1 = layer_0 @ w01_32
        np.maximum(layer_1, 0.0, out=layer_1)
        if keep2 is not None:
            layer_1 *= keep2[a:b]
        layer_2 = np.matmul(layer_1, w12_32, out=layer_2_all[a:b])
        layer_2_delta = goals[a:b] - layer_2
        # alpha / batch size folded into the (small) deltas instead of the (big) products
        layer_2_delta *= f32(alpha / (b - a))
        layer_1_delta = layer_2_delta @ w12_32.T
        if strict:
            layer_1_delta *= layer_1 > 0
        if keep is not None:
            layer_1_delta *= keep[a:b]
        w12 += layer_1.T @ layer_2_delta
        w01_used += layer_0.T @ layer_1_delta
        w12_32[...] = w12
        w01_32[...] = w01_used
    w01[used] = w01_used
    return layer_2_all.astype(np.float64)


def _scores(layer_2: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """``(error, accuracy)`` from every image's ``layer_2``, added up image after image as the
    book's ``error +=`` does."""
    n = len(labels)
    with np.errstate(all="ignore"):
        miss = layer_2.copy()
        miss[np.arange(n), labels] -= 1.0  # layer_2 - goal: squared, the same as goal - layer_2
        per_image = (miss * miss).sum(axis=1)
        error = float(np.cumsum(per_image)[-1]) / float(n)
    correct = int(np.count_nonzero(layer_2.argmax(axis=1) == labels))
    return error, correct / float(n)


def _evaluate(w01, w12, x, y) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        layer_1 = x @ w01
        np.maximum(layer_1, 0.0, out=layer_1)
        layer_2 = layer_1 @ w12
    return _scores(layer_2, y)


# --- helpers --------------------------------------------------------------------------------

def _batch_data(images: np.ndarray) -> tuple:
    """(indices of the pixels some image uses, the images on those pixels as float32)."""
    used = np.flatnonzero(images.any(axis=0))
    small = np.ascontiguousarray(images[:, used], dtype=np.float32)
    used.setflags(write=False)
    small.setflags(write=False)
    return used, small


def _frozen_rng(state: tuple) -> tuple:
    name, keys, pos, has_gauss, cached = state
    keys = np.array(keys, dtype=np.uint32)
    keys.setflags(write=False)
    return (name, keys, int(pos), int(has_gauss), float(cached))


_THREAD = threading.local()


def _generator(state) -> np.random.RandomState:
    """This thread's generator, set to ``state``: making a new one reads the OS's entropy and
    costs more than a mini-batch pass's dropout masks. One per thread, so two sessions
    stepping at once never draw from each other's sequence."""
    rs = getattr(_THREAD, "rs", None)
    if rs is None:
        rs = _THREAD.rs = np.random.RandomState(0)
    rs.set_state(state)
    return rs


def _rng_state(value) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        seed = checks.count("rng_state", value, lo=0, hi=2**32 - 1)
        return _frozen_rng(np.random.RandomState(seed).get_state())
    try:
        rs = _generator(value)
    except (TypeError, ValueError):
        raise ValueError("rng_state must be a whole-number seed or a RandomState.get_state() tuple") from None
    return _frozen_rng(rs.get_state())


def _weight_pair(weights) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(weights, (MnistNet, Best)):
        return weights.weights_0_1, weights.weights_1_2
    try:
        w01, w12 = weights
    except (TypeError, ValueError):
        raise ValueError("weights must be a MnistNet, a Best or a pair (weights_0_1, weights_1_2)") from None
    w01 = checks.shaped("weights_0_1", w01, (PIXELS, None), "784×hidden_size")
    w12 = checks.shaped("weights_1_2", w12, (w01.shape[1], DIGITS), f"{w01.shape[1]}×10 (hidden_size×10)")
    return w01, w12


def restore_best(s: MnistNet) -> MnistNet:
    """Early stopping after the fact: the network with the best test point's weights put back
    (everything else — data, settings, iteration count — as it is)."""
    if s.best is None:
        raise ValueError("best: no test has run yet, so there is no best point to restore")
    return replace_unchecked(s, weights_0_1=s.best.weights_0_1, weights_1_2=s.best.weights_1_2)
