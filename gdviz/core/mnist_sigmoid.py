"""The lecture's MNIST network: 784 pixels → hidden sigmoid nodes → 10 sigmoid outputs.

It is a :class:`~gdviz.core.matrix_net.MatrixNet` with one hidden layer, trained exactly as the
deck trains it, one image at a time:

* inputs: each pixel as 0.01 … 1.0 (``mnist.load(scale="sigmoid")``), so no input is 0;
* targets: 0.99 for the image's digit, 0.01 for the nine others (a sigmoid never reaches 0 or 1);
* start: every weight drawn normal(0, 1/√n_in), ``n_in`` the links into its node
  (``matrix_net.init``, seeded, input→hidden first);
* per image: ``error_output = T − O_output``, ``error_hidden = W_hidden_outputᵀ · error_output``
  (with the weights before this image's update), and for each layer
  ``ΔW = η · (E ∘ O ∘ (1 − O)) · O_prevᵀ``.

Training is split into *chunks* of images (:func:`step` learns from the next ``chunk`` images),
so a page can train a few tenths of a second at a time and show progress. A chunk never runs
past the end of an epoch (one pass over the training images); at each epoch's end the record
holds the accuracy on the test images and the ten back-queried digits.

Speed, without changing the algorithm. Updating the 784-column hidden matrix after every image
means rewriting all ``hidden × 784`` weights per image, which is what costs. :func:`_train_rows`
still applies every image's update before the next image is seen, but regroups the arithmetic:
within a block of ``BLOCK`` images it keeps the hidden matrix's pending updates as a list of
rank-one terms ``g_i · x_iᵀ`` and computes the next image's combined inputs as
``W_block_start · x + Σ_i g_i (x_i · x)`` — the same number as with the updated matrix, summed
in another order — then adds the whole block's updates in one matrix product. The result equals
the plain loop (``matrix_net.fit``) to rounding (~1e-15); a test checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.core import checks
from gdviz.core import matrix_net as mn
from gdviz.core import mnist
from gdviz.core.frozen import replace_unchecked

PIXELS = mnist.PIXELS
SIDE = mnist.ROWS
DIGITS = 10
LOW, HIGH = mn.LOW, mn.HIGH  # the targets: 0.01 for "not this digit", 0.99 for "this digit"

#: Caps on what one request may ask for (a server shared by a class).
MAX_HIDDEN = 300
MAX_LEARNING_RATE = 10.0
MAX_EPOCHS = 20
MAX_CHUNK = 10_000
#: Images per regrouped block inside :func:`_train_rows` (measured: 32–128 are equally quick).
BLOCK = 64
#: The defaults: 5 epochs on the 10,000 bundled training images reach 0.9502 test accuracy.
HIDDEN = 200
LEARNING_RATE = 0.2
CHUNK = 1000


# --- the state ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MnistSigmoid:
    """A 784-hidden-10 network, its training and test images, and how far training has got.

    ``seen`` counts the images learned from so far over all epochs; the next chunk starts at
    image ``seen % len(images)``. Arrays are read-only and shared, never copied, when nobody can
    change them (the loader's are); otherwise a read-only copy is kept.
    """

    net: mn.MatrixNet
    images: np.ndarray
    labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    chunk: int = CHUNK
    seen: int = 0

    def __post_init__(self):
        set_ = object.__setattr__
        _mnist_net(self.net)
        checks.count("hidden", self.net.sizes[1], lo=1, hi=MAX_HIDDEN)
        _learning_rate(self.net.learn_rate)
        set_(self, "images", checks.frozen(_images("images", self.images)))
        set_(self, "labels", checks.frozen(_labels("labels", self.labels, len(self.images))))
        set_(self, "test_images", checks.frozen(_images("test_images", self.test_images)))
        set_(self, "test_labels", checks.frozen(_labels("test_labels", self.test_labels, len(self.test_images))))
        set_(self, "chunk", checks.count("chunk", self.chunk, lo=1, hi=MAX_CHUNK))
        set_(self, "seen", checks.count("seen", self.seen, lo=0))

    @property
    def hidden(self) -> int:
        return self.net.sizes[1]

    @property
    def learning_rate(self) -> float:
        return self.net.learn_rate

    @property
    def epoch(self) -> int:
        """The epoch the next chunk belongs to (1-based)."""
        return self.seen // len(self.images) + 1


def start(hidden: int = HIDDEN, learning_rate: float = LEARNING_RATE, train_images: int = 10_000,
          seed: int = 0, chunk: int = CHUNK, test_images: int | None = None) -> MnistSigmoid:
    """A fresh network and the first ``train_images`` MNIST training images (0.01 … 1.0).

    It is tested on the first ``test_images`` test images (default: all the source has, 10,000
    in the bundle). The weights are ``matrix_net.init((784, hidden, 10), seed, learning_rate)``.
    """
    hidden = checks.count("hidden", hidden, lo=1, hi=MAX_HIDDEN)
    learning_rate = _learning_rate(learning_rate)
    train_images = checks.count("train_images", train_images, lo=1, hi=mnist.available("train"))
    if test_images is not None:
        test_images = checks.count("test_images", test_images, lo=1, hi=mnist.available("test"))
    x, y = mnist.load("train", train_images, scale="sigmoid")
    tx, ty = mnist.load("test", test_images, scale="sigmoid")
    net = mn.init((PIXELS, hidden, DIGITS), seed, learning_rate)
    return MnistSigmoid(net, x, y, tx, ty, chunk=chunk)


def steps_for(state: MnistSigmoid, epochs: int) -> int:
    """How many :func:`step` calls train ``epochs`` epochs from a fresh state."""
    epochs = checks.count("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    return epochs * -(-len(state.images) // state.chunk)


# --- training -------------------------------------------------------------------------------------

def targets(labels) -> np.ndarray:
    """Each label as ten targets: 0.99 at its digit, 0.01 elsewhere (read-only)."""
    y = _labels("labels", labels, None)
    t = np.full((len(y), DIGITS), LOW)
    t[np.arange(len(y)), y] = HIGH
    t.setflags(write=False)
    return t


def step(s: MnistSigmoid) -> tuple[MnistSigmoid, dict]:
    """Learn from the next chunk of images, one image at a time (never past the epoch's end).

    Record keys:

    * ``epoch`` (1-based), ``images`` (how many this chunk learned from), ``epoch_images``
      (how far into the epoch the chunk ended), ``images_seen`` (in all, every epoch counted),
      ``epoch_done`` (True when the chunk ended the epoch), ``train_images`` (images per epoch),
      ``hidden``, ``learning_rate``;
    * ``train_error`` (the mean over the chunk of ``½ Σ (t − o)²``), ``train_correct`` (how
      many of the chunk's images had their digit as the largest output) and ``train_accuracy``
      (``train_correct / images``), all from each image's outputs just before learning from it;
    * at an epoch's end only (None otherwise): ``test_accuracy`` and ``test_error`` on all the
      test images, ``back_query`` (the ten back-queried digits, 10×28×28) and ``net`` (the
      network after the epoch). No other record holds weights: keep the state for those.
    """
    n = len(s.images)
    begin = s.seen % n
    end = min(begin + s.chunk, n)
    lr = s.net.learn_rate
    W1, W2 = (np.array(W) for W in s.net.weights)  # private copies, changed in place
    X = s.images[begin:end]
    y = s.labels[begin:end]
    T = targets(y)
    O = _train_rows(W1, W2, lr, X, T)
    net = mn.MatrixNet((W1, W2), lr)
    train_error, train_accuracy = _scores(O, y, T)
    train_correct = int(np.count_nonzero(O.argmax(axis=1) == y))
    seen = s.seen + (end - begin)
    done = end == n
    record = {
        "epoch": s.seen // n + 1,
        "images": end - begin,
        "epoch_images": end,
        "images_seen": seen,
        "epoch_done": done,
        "train_images": n,
        "hidden": s.hidden,
        "learning_rate": lr,
        "train_error": train_error,
        "train_accuracy": train_accuracy,
        "train_correct": train_correct,
        "test_error": None,
        "test_accuracy": None,
        "back_query": None,
        "net": None,
    }
    if done:
        record.update(snapshot(net, s.test_images, s.test_labels))
    return replace_unchecked(s, net=net, seen=seen), record


def epochs_of(records) -> list[dict]:
    """One row per epoch that has ended among ``records`` (a run's, in order).

    Keys: ``epoch``, ``images`` (learned from in that epoch), ``train_error`` and
    ``train_accuracy`` over the whole epoch (each image scored just before it was learned, as
    chapter 8 counts them), ``test_error``, ``test_accuracy`` and the index ``record`` of the
    epoch's last record.
    """
    rows, images, error, correct = [], 0, 0.0, 0
    for k, r in enumerate(records):
        images += r["images"]
        error += r["train_error"] * r["images"]
        correct += r["train_correct"]
        if r["epoch_done"]:
            rows.append({"epoch": r["epoch"], "images": images, "train_error": error / images,
                         "train_accuracy": correct / float(images), "test_error": r["test_error"],
                         "test_accuracy": r["test_accuracy"], "record": k})
            images, error, correct = 0, 0.0, 0
    return rows


def snapshot(net: mn.MatrixNet, test_images: np.ndarray, test_labels: np.ndarray) -> dict:
    """What an epoch's end record adds: ``test_accuracy``, ``test_error``, ``back_query``, ``net``.

    For a state's own (already checked) arrays; :func:`evaluate` is the checked public version.
    """
    accuracy, error = _evaluate(net, test_images, test_labels)
    return {"test_accuracy": accuracy, "test_error": error, "back_query": back_query_digits(net), "net": net}


def _train_rows(W1: np.ndarray, W2: np.ndarray, lr: float, X: np.ndarray, T: np.ndarray,
                block: int = BLOCK) -> np.ndarray:
    """Train ``W1`` (hidden×784) and ``W2`` (10×hidden) in place on the rows of ``X``, in order.

    Returns each image's outputs from just before its update (m×10). See the module's
    docstring for the regrouping; ``G[i]`` is ``η · error_hidden ∘ O_hidden ∘ (1 − O_hidden)``
    of image ``i`` of the block, so the block's update to ``W1`` is ``Gᵀ · X_block``.
    """
    m = len(X)
    outputs = np.empty((m, W2.shape[0]))
    G = np.empty((block, W1.shape[0]))
    exp = np.exp
    with np.errstate(over="ignore", invalid="ignore"):
        for b in range(0, m, block):
            Xb = X[b:b + block]
            Tb = T[b:b + block]
            k = len(Xb)
            A = Xb @ W1.T  # X_hidden of each image with the weights as the block began
            gram = Xb @ Xb.T  # gram[j, i] = x_j · x_i
            for j in range(k):
                x_hidden = A[j] + gram[j, :j] @ G[:j] if j else A[j]
                o_hidden = 1.0 / (1.0 + exp(-x_hidden))
                o_output = 1.0 / (1.0 + exp(-(W2 @ o_hidden)))
                outputs[b + j] = o_output
                error_output = Tb[j] - o_output
                error_hidden = error_output @ W2  # W2ᵀ · error_output, before W2 changes
                W2 += ((lr * error_output) * o_output * (1.0 - o_output))[:, None] * o_hidden
                G[j] = (lr * error_hidden) * o_hidden * (1.0 - o_hidden)
            W1 += G[:k].T @ Xb
    return outputs


def _scores(O: np.ndarray, y: np.ndarray, T: np.ndarray) -> tuple[float, float]:
    """(mean ``½ Σ (t − o)²``, share of rows whose largest output is their label)."""
    with np.errstate(over="ignore", invalid="ignore"):
        error = float(0.5 * np.sum((T - O) ** 2) / len(O))
    correct = int(np.count_nonzero(O.argmax(axis=1) == y))
    return error, correct / float(len(O))


def evaluate(net: mn.MatrixNet, images, labels) -> tuple[float, float]:
    """``(accuracy, error)`` of ``net`` on ``images`` without learning.

    accuracy: the share of images whose largest output is their label; error: the mean of
    ``½ Σ (t − o)²`` with the 0.01/0.99 targets.
    """
    _mnist_net(net)
    X = _images("images", images)
    return _evaluate(net, X, _labels("labels", labels, len(X)))


def _evaluate(net: mn.MatrixNet, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    W1, W2 = net.weights
    with np.errstate(over="ignore", invalid="ignore"):
        O = 1.0 / (1.0 + np.exp(-((1.0 / (1.0 + np.exp(-(X @ W1.T)))) @ W2.T)))
    error, accuracy = _scores(O, y, targets(y))
    return accuracy, error


# --- back-query -------------------------------------------------------------------------------------

def digit_targets(digit: int) -> np.ndarray:
    """0.99 at ``digit``, 0.01 at the nine others."""
    d = checks.count("digit", digit, lo=0, hi=DIGITS - 1)
    t = np.full(DIGITS, LOW)
    t[d] = HIGH
    return t


def back_query_digit(net: mn.MatrixNet, digit: int) -> dict:
    """``matrix_net.back_query`` of one digit's targets (its record, ``I`` the 784 inputs)."""
    return mn.back_query(net, digit_targets(digit))


def back_query_digits(net: mn.MatrixNet) -> np.ndarray:
    """The image the network "imagines" for each digit: 10×28×28 in 0.01 … 0.99 (read-only).

    Row ``d`` is ``matrix_net.back_query(net, targets)["I"]`` with targets 0.99 at ``d`` and
    0.01 elsewhere, drawn as 28×28 (row 0 at the top, as the images are stored).
    """
    _mnist_net(net)
    out = np.stack([back_query_digit(net, d)["I"] for d in range(DIGITS)]).reshape(DIGITS, SIDE, SIDE)
    out.setflags(write=False)
    return out


# --- what the imagined digits look like to the network -------------------------------------------

def back_query_summary(net: mn.MatrixNet, images10, train_images, train_labels) -> list[dict]:
    """For each digit's back-queried image: how it reads to the network and to the eye.

    One dict per digit ``d`` with ``digit``, ``mean``, ``min``, ``max`` (of its 784 values);
    ``outputs`` (the network's ten outputs when the image is fed forward again), ``answer``
    (their largest) and ``output`` (the output of ``d`` itself); ``correlation`` (Pearson,
    with the mean training image of ``d``), ``closest`` (the digit whose mean training image
    correlates best) and ``closest_correlation``. A digit missing from the training images has
    None for the correlations it needs.
    """
    _mnist_net(net)
    q = np.asarray(images10, dtype=np.float64).reshape(DIGITS, PIXELS)
    X = _images("train_images", train_images)
    y = _labels("train_labels", train_labels, len(X))
    means = [X[y == d].mean(axis=0) if np.any(y == d) else None for d in range(DIGITS)]
    outputs = mn.query(net, q)
    rows = []
    for d in range(DIGITS):
        corr = [_correlation(q[d], m) for m in means]
        known = [(c, k) for k, c in enumerate(corr) if c is not None]
        best = max(known) if known else (None, None)
        rows.append({
            "digit": d,
            "mean": float(q[d].mean()), "min": float(q[d].min()), "max": float(q[d].max()),
            "outputs": outputs[d],
            "answer": int(np.argmax(outputs[d])),
            "output": float(outputs[d, d]),
            "correlation": corr[d],
            "closest": best[1],
            "closest_correlation": best[0],
        })
    return rows


def _correlation(a: np.ndarray, b: np.ndarray | None) -> float | None:
    if b is None or a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


# --- checks -------------------------------------------------------------------------------------------

def _mnist_net(net) -> None:
    if not isinstance(net, mn.MatrixNet):
        raise ValueError(f"net must be a MatrixNet, got {type(net).__name__}")
    if len(net.sizes) != 3 or net.sizes[0] != PIXELS or net.sizes[2] != DIGITS:
        raise ValueError(f"net must have layers 784 → hidden → 10, got {' → '.join(map(str, net.sizes))}")


def _learning_rate(value) -> float:
    lr = checks.number("learning_rate", value, lo=0.0, hi=MAX_LEARNING_RATE)
    if lr <= 0:
        raise ValueError(f"learning_rate must be above 0, got {lr!r}")
    return lr


def _images(name: str, value) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)  # no copy when it already is float64
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (one row of 784 pixels per image)") from None
    if a.ndim != 2 or a.shape[1] != PIXELS:
        raise ValueError(f"{name} must be n×784 (one row of 784 pixels per image), got shape "
                         f"{'×'.join(map(str, a.shape)) or 'a scalar'}")
    if len(a) == 0:
        raise ValueError(f"{name} must hold at least one image")
    if not np.isfinite(a).all():  # done once, when a state is made, not per step
        raise ValueError(f"{name} must be finite")
    return a


def _labels(name: str, value, n: int | None) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim != 1 or (n is not None and len(a) != n):
        want = "digits" if n is None else f"{n} digits (one per image)"
        raise ValueError(f"{name} must be {want}, got shape {a.shape}")
    if a.dtype.kind not in "iu":
        if a.dtype.kind != "f" or not np.all(a == np.round(a)):
            raise ValueError(f"{name} must be whole numbers 0..9")
    if a.size and (a.min() < 0 or a.max() > DIGITS - 1):
        raise ValueError(f"{name} must be digits 0..9, got values from {a.min()} to {a.max()}")
    return a.astype(np.int64, copy=False)
