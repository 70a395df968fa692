"""What the weights learn: one layer from 784 pixels to 10 digits (chapter 5, on MNIST).

Each of the ten outputs is a weighted sum of all 784 pixels, so each output owns 784
weights — one per pixel — and they can be drawn as a 28×28 picture. The weights are a
(10, 784) matrix: row ``d`` belongs to digit ``d``.

The learning rule is chapter 5's, unchanged, applied to one image at a time:

* ``pred = weights @ image`` — ten scores, one per digit;
* ``goal_pred`` is the label as ten numbers (1 for the right digit, 0 for the others);
* ``delta = pred - goal_pred`` — how much each output missed;
* ``weight_deltas = outer(delta, image)`` — each weight's share: its output's miss times its
  pixel. A blank pixel (0) never changes any weight, exactly like input 0 in Part A;
* ``weights -= alpha * weight_deltas``.

Why pictures appear: every image of a "2" pulls the weights of output 2 toward its inked
pixels, and every image of another digit pushes output 2's weights away from that digit's ink.
After some passes, row 2 looks like a blurred, average "2" with a negative halo where other
digits put ink. A score is then a dot product — a rough similarity between the image and each
row — and :func:`contributions` shows pixel by pixel where a score comes from.

Start: :func:`init_weights` gives all-zero weights by default, so every bit of structure in
the pictures was learned. Pixels that are blank in every training image (the border) keep
whatever they started with for ever; with zeros that is the neutral colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdviz.core import checks, mnist
from gdviz.core.frozen import replace_unchecked

DIGITS = 10
PIXELS = 784
SIDE = 28
#: With ``init_weights(seed)``: uniform in [-INIT_RANGE, INIT_RANGE).
INIT_RANGE = 0.01


def init_weights(seed: int | None = None) -> np.ndarray:
    """Starting weights (10, 784), read-only.

    ``seed=None`` (the default, what the app uses): all zeros, so the pictures show only what
    was learned. A whole-number ``seed``: small random weights, uniform in [-0.01, 0.01),
    drawn with ``np.random.RandomState(seed)`` (global random state untouched); blank border
    pixels then keep their random speckle, because a pixel that is always 0 never learns.
    """
    if seed is None:
        w = np.zeros((DIGITS, PIXELS))
    else:
        seed = checks.count("seed", seed, lo=0, hi=2**32 - 1)
        w = 2 * INIT_RANGE * np.random.RandomState(seed).random_sample((DIGITS, PIXELS)) - INIT_RANGE
    return checks.lock(w)


def scores(weights, image) -> np.ndarray:
    """``pred``: the ten dot products ``weights[d] · image`` (one score per digit)."""
    w = _weights(weights)
    x = mnist.check_image(image)
    with np.errstate(over="ignore", invalid="ignore"):
        return w @ x


def contributions(weights, image, digit: int) -> np.ndarray:
    """Pixel by pixel, what makes up ``digit``'s score: ``image × weights[digit]`` as 28×28.

    Its sum is ``scores(weights, image)[digit]``. Positive cells are ink where the digit's
    weights are positive (evidence for), negative cells ink where they are negative (against);
    blank pixels contribute nothing.
    """
    w = _weights(weights)
    x = mnist.check_image(image)
    d = checks.count("digit", digit, lo=0, hi=DIGITS - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        return (w[d] * x).reshape(SIDE, SIDE)


def weight_deltas(delta, image) -> np.ndarray:
    """``outer(delta, image)``: for each weight, its output's delta times its pixel."""
    d = checks.array("delta", delta, (DIGITS,))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.outer(d, mnist.check_image(image))


def evaluate(weights, images, labels) -> tuple[float, float]:
    """``(error, accuracy)`` of ``weights`` on ``images``, without learning.

    error = the squared misses summed over all ten outputs and all images, divided by the
    number of images (as chapter 8 reports it); accuracy = the fraction of images whose
    highest score is their label. Non-finite weights (or images) give a non-finite error,
    not a crash.
    """
    w = _weights(weights)
    x = mnist.check_images(images, finite=False)  # checking 10,000 images costs more than the product
    return _evaluate(w, x, mnist.check_labels(labels, len(x)))


def _evaluate(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    with np.errstate(over="ignore", invalid="ignore"):
        pred = x @ np.ascontiguousarray(w.T)
        delta = pred.copy()
        delta[np.arange(len(y)), y] -= 1.0
        error = float(np.sum(delta * delta)) / len(x)
    correct = int(np.count_nonzero(pred.argmax(axis=1) == y))
    return error, correct / float(len(x))


def train_pass(weights, images, labels, alpha: float, start: int = 0) -> tuple[np.ndarray, float, float]:
    """One pass of learning: every image once, in order from ``start`` (wrapping around).

    Returns ``(new_weights, train_error, train_accuracy)``. As in chapter 8, the training
    error and accuracy are counted during the pass, from each image's prediction just before
    learning from it. Nothing given is changed: the pass learns in place on a private copy
    and returns it as a new read-only array.

    It gives the same numbers as stepping image by image with :func:`step` (to rounding), only
    faster: no records, no new weight matrix per image, and the images taken in blocks (see
    :func:`_train_pass`). (Skipping blank pixels was measured too; at 784 pixels the extra
    indexing cost more than the arithmetic it saved.)
    """
    w = _weights(weights)
    x = mnist.check_images(images)
    y = mnist.check_labels(labels, len(x))
    alpha = checks.number("alpha", alpha)
    start = checks.count("start", start, lo=0)
    return _train_pass(w, x, y, alpha, start)


def _train_pass(w: np.ndarray, x: np.ndarray, y: np.ndarray, alpha: float, start: int, blocks: tuple = ()):
    """The pass, in blocks of :data:`BLOCK` images (``blocks``: :func:`gram_blocks` of ``x``,
    made here when not given or when the pass does not start at image 0).

    Image ``i`` of a block is scored by the weights as the block's earlier images left them:
    ``weights_at_block_start @ image_i`` minus, for each earlier image ``k`` of the block,
    ``alpha * delta_k * (image_k · image_i)``. The first term is one matrix product for the
    whole block, the dot products between images are the block's Gram matrix, so per image only
    ten numbers change hands; the 10×784 weights take the block's updates in one product at
    its end. The arithmetic is the image-by-image rule's, summed in another order: weights
    agree with stepping image by image to ~1e-16 (checked in the tests), at twice the speed.
    """
    n = len(x)
    start %= n
    if start:
        order = np.r_[start:n, 0:start]
        x, y = x[order], y[order]
        blocks = ()
    if not blocks:
        blocks = mnist.gram_blocks(x)
    learning = np.array(w)  # the private copy, changed in place below
    error = 0.0
    correct = 0
    labels_ = y.tolist()
    deltas = np.empty((mnist.BLOCK, DIGITS))  # alpha * delta of each image of the block
    delta_rows = list(deltas)
    matmul = np.matmul
    with np.errstate(over="ignore", invalid="ignore"):
        for a, b, gram in blocks:
            images = x[a:b]
            from_start = matmul(images, learning.T)
            gram_rows = list(gram)
            for r in range(b - a):
                delta = from_start[r]  # pred, turned into delta below (from_start is this pass's own)
                if r:
                    delta -= matmul(gram_rows[r][:r], deltas[:r])
                label = labels_[a + r]
                correct += int(delta.argmax() == label)
                delta[label] -= 1.0
                error += float(delta @ delta)
                np.multiply(delta, alpha, out=delta_rows[r])
            learning -= matmul(deltas[: b - a].T, images)
    return checks.lock(learning), error / n, correct / float(n)


@dataclass(frozen=True)
class SingleLayer:
    """A 784→10 network and what it trains on.

    ``index`` counts the images learned from so far; the next one is ``images[index % n]``.
    ``test_images``/``test_labels`` are optional: when given, each pass is also tested on them.
    Arrays are kept read-only (copied only when the given array could still change).
    """

    weights: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    alpha: float
    test_images: np.ndarray | None = None
    test_labels: np.ndarray | None = None
    index: int = 0
    #: :func:`gram_blocks` of the images, made by the first :func:`pass_step` and kept by the
    #: states that follow (stepping image by image never needs them).
    _blocks: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        weights = _weights(self.weights)
        if not np.isfinite(weights).all():
            raise ValueError("weights must be finite to start from")
        set_(self, "weights", checks.frozen(weights))
        set_(self, "images", checks.frozen(mnist.check_images(self.images)))
        set_(self, "labels", checks.frozen(mnist.check_labels(self.labels, len(self.images))))
        set_(self, "alpha", checks.number("alpha", self.alpha))
        set_(self, "index", checks.count("index", self.index, lo=0))
        if (self.test_images is None) != (self.test_labels is None):
            raise ValueError("test_images and test_labels go together: give both or neither")
        if self.test_images is not None:
            set_(self, "test_images", checks.frozen(mnist.check_images(self.test_images, "test_images")))
            set_(self, "test_labels", checks.frozen(mnist.check_labels(self.test_labels, len(self.test_images), "test_labels")))


def step(s: SingleLayer) -> tuple[SingleLayer, dict]:
    """Learn from one image: predict → compare → learn.

    Record: ``index`` (the image's position in ``images``), ``example`` (how many images were
    learned from before this one), ``label``, ``image`` (784 pixels), ``goal_pred``, ``pred``,
    ``error`` (summed over the ten outputs), ``delta``, ``correct`` (whether the top score was
    the label), ``alpha``, ``weights`` (before) and ``new_weights``.
    """
    i = s.index % len(s.images)
    x = s.images[i]
    label = int(s.labels[i])
    goal = np.zeros(DIGITS)
    goal[label] = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        pred = s.weights @ x
        delta = pred - goal
        error = float(np.sum(delta**2))
        new_weights = s.weights - s.alpha * np.outer(delta, x)
    new_weights.setflags(write=False)
    for a in (goal, pred, delta):
        a.setflags(write=False)
    record = {
        "index": i,
        "example": s.index,
        "label": label,
        "image": x,
        "goal_pred": goal,
        "pred": pred,
        "error": error,
        "delta": delta,
        "correct": bool(pred.argmax() == label),
        "alpha": s.alpha,
        "weights": s.weights,
        "new_weights": new_weights,
    }
    return replace_unchecked(s, weights=new_weights, index=s.index + 1), record


def pass_step(s: SingleLayer) -> tuple[SingleLayer, dict]:
    """Learn from every training image once (one of chapter 8's iterations ``j``).

    Record: ``j`` (0-based pass number, printed as ``I:j``), ``images`` (how many were used),
    ``alpha``, ``weights`` (before), ``new_weights``, ``train_error`` and ``train_accuracy``
    (counted during the pass, as the book does), ``test_error`` and ``test_accuracy`` (of the
    new weights on the whole test set; None without one).
    """
    n = len(s.images)
    # The state's arrays were checked when it was made: skip the public functions' checks.
    if not s._blocks and s.index % n == 0:
        object.__setattr__(s, "_blocks", mnist.gram_blocks(s.images))  # a cache: the state's numbers stay as they were
    new_weights, train_error, train_accuracy = _train_pass(s.weights, s.images, s.labels, s.alpha, s.index % n,
                                                           s._blocks)
    if s.test_images is not None:
        test_error, test_accuracy = _evaluate(new_weights, s.test_images, s.test_labels)
    else:
        test_error = test_accuracy = None
    record = {
        "j": s.index // n,
        "images": n,
        "alpha": s.alpha,
        "weights": s.weights,
        "new_weights": new_weights,
        "train_error": train_error,
        "train_accuracy": train_accuracy,
        "test_error": test_error,
        "test_accuracy": test_accuracy,
    }
    return replace_unchecked(s, weights=new_weights, index=s.index + n), record


# --- helpers --------------------------------------------------------------------------------

def _weights(value) -> np.ndarray:
    # Non-finite weights are allowed here: a diverged run must be shown, not crash.
    return checks.shaped("weights", value, (DIGITS, PIXELS), "10×784 (one row of 784 per digit)")
