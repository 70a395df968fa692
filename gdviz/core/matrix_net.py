"""A sigmoid network of any layer sizes, written with matrices (lecture deck 2).

Conventions, as the deck writes them:

* ``w_ij`` is the weight of the link from node ``i`` (one layer) to node ``j`` (the next);
  it is stored as ``W[j, i]``, so row ``j`` of ``W`` holds every link coming *into* node ``j``.
* Forward, per layer: ``X = W · I`` (each node's combined input), ``O = sigmoid(X)`` (its
  output), and ``O`` is the next layer's ``I``.
* Errors run backwards: the output error is ``E = T − O``; a hidden layer's error is
  ``Wᵀ · E`` (the *transpose shortcut*; :func:`split_errors` is the version that splits each
  error in proportion to the link weights).
* Update: ``ΔW = α · (E ∘ O ∘ (1 − O)) · O_prevᵀ`` (``∘`` is elementwise), added to ``W``;
  ``α`` is ``learn_rate``.

For the output layer this update is exactly a step down the slope of ``½ Σ (t − o)²``. For a
hidden layer it is the deck's simplification: the exact slope would send back
``Wᵀ · (E ∘ O ∘ (1 − O))`` (the output's own slope included), the deck sends ``Wᵀ · E``. It
still learns well (MNIST ≈ 97%); the tests check both statements.

A :class:`MatrixNet` is frozen and its arrays read-only; training returns a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gdviz.core import checks
from gdviz.core.activations import sigmoid
from gdviz.core.frozen import replace_unchecked

#: The biggest layer :func:`init` makes (MNIST's 784 inputs fit).
MAX_NODES = 4096
#: The range :func:`back_query` (and prepared data) squeezes signals into.
LOW, HIGH = 0.01, 0.99


@dataclass(frozen=True)
class MatrixNet:
    """Weight matrices, input layer first (``weights[k]`` is ``n_{k+1} × n_k``), and ``α``."""

    weights: tuple[np.ndarray, ...]
    learn_rate: float = 0.1

    def __post_init__(self):
        ws = tuple(self.weights)
        if not ws:
            raise ValueError("weights must hold at least one matrix")
        checked = []
        for k, W in enumerate(ws):
            W = checks.array(f"weights[{k}]", W, shape=(None, None))
            if 0 in W.shape:
                raise ValueError(f"weights[{k}] must not be empty, got shape {W.shape}")
            if checked and W.shape[1] != checked[-1].shape[0]:
                raise ValueError(f"weights[{k}] must have {checked[-1].shape[0]} columns "
                                 f"(one per node of the layer before), got {W.shape[1]}")
            checked.append(W)
        object.__setattr__(self, "weights", tuple(checked))
        object.__setattr__(self, "learn_rate", checks.number("learn_rate", self.learn_rate))

    @property
    def sizes(self) -> tuple[int, ...]:
        """Nodes per layer, input layer first."""
        return (self.weights[0].shape[1],) + tuple(W.shape[0] for W in self.weights)


def init(sizes: Sequence[int], seed: int = 0, learn_rate: float = 0.1) -> MatrixNet:
    """Random weights for layers of ``sizes`` nodes (e.g. ``(784, 200, 10)``).

    Each link into a node is drawn normal(0, 1/√n_in), n_in the nodes of the layer before,
    so every node's combined input starts in the sigmoid's steep middle. The matrices are
    drawn in order, input→hidden first, from ``RandomState(seed)``.
    """
    sizes = tuple(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layers, got {sizes!r}")
    sizes = tuple(checks.count("sizes", n, lo=1, hi=MAX_NODES) for n in sizes)
    rng = np.random.RandomState(checks.count("seed", seed, lo=0, hi=2**32 - 1))
    weights = tuple(rng.normal(0.0, n_in**-0.5, (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:]))
    return MatrixNet(weights, learn_rate)


def _named(X: tuple, O: tuple) -> dict:
    """The deck's names for the layers: X_output/O_output, and X_hidden/O_hidden with one hidden layer."""
    names = {"X_output": X[-1], "O_output": O[-1]}
    if len(X) == 2:
        names |= {"X_hidden": X[0], "O_hidden": O[0]}
    return names


def _forward(weights, I, round_hidden=None):
    X, O = [], []
    signal = I
    with np.errstate(over="ignore", invalid="ignore"):
        for k, W in enumerate(weights):
            x = W @ signal
            o = sigmoid.value(x)
            if round_hidden is not None and k < len(weights) - 1:
                o = np.round(o, round_hidden)
            X.append(x)
            O.append(o)
            signal = o
    return tuple(X), tuple(O)


def forward(net: MatrixNet, inputs, round_hidden: int | None = None) -> dict:
    """Run ``inputs`` forward, keeping every layer's ``X = W · I`` and ``O = sigmoid(X)``.

    Keys: ``I`` (the inputs), ``X`` and ``O`` (tuples, one array per layer after the input),
    ``X_output``/``O_output`` (the last layer) and, with one hidden layer,
    ``X_hidden``/``O_hidden``.

    ``round_hidden=3`` rounds every hidden layer's outputs to 3 decimals before they feed the
    next layer — what the deck does when it multiplies by hand — to reproduce its numbers.
    """
    I = checks.array("inputs", inputs, shape=(net.sizes[0],))
    if round_hidden is not None:
        round_hidden = checks.count("round_hidden", round_hidden, lo=0, hi=15)
    X, O = _forward(net.weights, I, round_hidden)
    return {"I": I, "X": X, "O": O, **_named(X, O)}


def query(net: MatrixNet, inputs) -> np.ndarray:
    """The network's outputs for ``inputs`` (one record, or m records as an m×n array → m×k)."""
    I = checks.array("inputs", inputs)
    if I.ndim not in (1, 2) or I.shape[-1] != net.sizes[0]:
        raise ValueError(f"inputs must have {net.sizes[0]} values per record, got shape {I.shape}")
    signal = I.T
    with np.errstate(over="ignore", invalid="ignore"):
        for W in net.weights:
            signal = sigmoid.value(W @ signal)
    return signal.T


def error_shares(W, errors) -> np.ndarray:
    """How each node's error is split among its incoming links, in proportion to their weights.

    ``W`` is ``n_out × n_in`` (row ``j`` = links into node ``j``); ``errors`` has ``n_out``
    values. Returns ``S`` (``n_out × n_in``) with ``S[j, i] = errors[j] · W[j, i] / Σ_k W[j, k]``:
    link ``i → j`` carries that share of node ``j``'s error back to node ``i``. Each row sums
    back to its node's error. A node whose incoming weights sum to 0 cannot be split this way
    (ValueError).
    """
    W = checks.array("W", W, shape=(None, None))
    e = checks.array("errors", errors, shape=(W.shape[0],))
    totals = W.sum(axis=1)
    if np.any(totals == 0):
        raise ValueError("W: a node's incoming weights sum to 0, so its error cannot be split in proportion")
    return e[:, None] * W / totals[:, None]


def split_errors(W, errors) -> np.ndarray:
    """The error each node of the layer before receives: the shares of :func:`error_shares`
    collected per node (``Σ_j S[j, i]``)."""
    return error_shares(W, errors).sum(axis=0)


def transpose_errors(W, errors) -> np.ndarray:
    """The shortcut the deck uses instead: drop the normalisation, ``error_hidden = Wᵀ · errors``.

    The same as :func:`split_errors` up to each node's weight total, which only rescales the
    errors (the learning rate absorbs it), and it is one matrix product.
    """
    W = checks.array("W", W, shape=(None, None))
    e = checks.array("errors", errors, shape=(W.shape[0],))
    return W.T @ e


def delta_weights(errors, outputs, prev_outputs, learn_rate: float) -> np.ndarray:
    """``ΔW = α · (E ∘ O ∘ (1 − O)) · O_prevᵀ`` for one layer (``n_out × n_in``).

    ``errors`` E and ``outputs`` O are the layer's (n_out), ``prev_outputs`` the layer before's
    (n_in). Adding ΔW moves the weights down the slope of ``½ Σ (t − o)²``.
    """
    E = checks.array("errors", errors, shape=(None,))
    O = checks.array("outputs", outputs, shape=E.shape)
    P = checks.array("prev_outputs", prev_outputs, shape=(None,))
    return _delta(E, O, P, checks.number("learn_rate", learn_rate))


def _delta(E, O, P, learn_rate):
    with np.errstate(over="ignore", invalid="ignore"):
        return learn_rate * np.outer(E * O * (1.0 - O), P)


def _train(weights, learn_rate, I, T):
    X, O = _forward(weights, I)
    errors = [None] * len(weights)
    with np.errstate(over="ignore", invalid="ignore"):
        errors[-1] = T - O[-1]
        for k in range(len(weights) - 1, 0, -1):
            errors[k - 1] = weights[k].T @ errors[k]
        prev = (I,) + O[:-1]
        deltas = tuple(_delta(errors[k], O[k], prev[k], learn_rate) for k in range(len(weights)))
        new = tuple(W + d for W, d in zip(weights, deltas))
    for W in new:
        W.setflags(write=False)
    return X, O, tuple(errors), deltas, new


def _moved(net: MatrixNet, weights) -> MatrixNet:
    """``net`` with new weights (not re-validated: they may have overflowed)."""
    return replace_unchecked(net, weights=tuple(weights))


def train(net: MatrixNet, inputs, targets) -> tuple[MatrixNet, dict]:
    """One training step on one record: forward, errors backwards, update every layer.

    Returns the new network (``net`` is untouched) and a record with keys ``I``, ``T``
    (targets), ``X``, ``O``, ``errors`` (one array per layer, output last: ``T − O`` for the
    output, ``Wᵀ · E`` for each layer below), ``delta_W`` (one ΔW per matrix), ``weights``
    (before), ``new_weights``, ``E`` (``½ Σ (t − o)²`` before the update) and the deck's
    names ``X_output``, ``O_output``, ``error_output`` (and ``X_hidden``, ``O_hidden``,
    ``error_hidden`` with one hidden layer).
    """
    I = checks.array("inputs", inputs, shape=(net.sizes[0],))
    T = checks.array("targets", targets, shape=(net.sizes[-1],))
    record = _train_record(net, I, T)
    return _moved(net, record["new_weights"]), record


def _train_record(net: MatrixNet, I, T) -> dict:
    X, O, errors, deltas, new = _train(net.weights, net.learn_rate, I, T)
    record = {
        "I": I, "T": T, "X": X, "O": O, "errors": errors, "delta_W": deltas,
        "weights": net.weights, "new_weights": new,
        "E": float(0.5 * np.sum(errors[-1] ** 2)),
        **_named(X, O), "error_output": errors[-1],
    }
    if len(errors) == 2:
        record["error_hidden"] = errors[0]
    return record


def fit(net: MatrixNet, inputs, targets, epochs: int = 1) -> MatrixNet:
    """Train on every record in order, ``epochs`` times, keeping no records (for big datasets).

    ``inputs`` is m×n, ``targets`` m×k. Returns the trained network; ``net`` is untouched.
    """
    I = checks.array("inputs", inputs, shape=(None, net.sizes[0]))
    T = checks.array("targets", targets, shape=(I.shape[0], net.sizes[-1]))
    epochs = checks.count("epochs", epochs, lo=0, hi=1000)
    weights = net.weights
    for _ in range(epochs):
        for i, t in zip(I, T):
            weights = _train(weights, net.learn_rate, i, t)[-1]
    return _moved(net, weights)


@dataclass(frozen=True)
class Training:
    """A network and its dataset, for :func:`step`: each step trains on the next record."""

    net: MatrixNet
    inputs: np.ndarray
    targets: np.ndarray
    index: int = 0

    def __post_init__(self):
        I = checks.array("inputs", self.inputs, shape=(None, self.net.sizes[0]))
        T = checks.array("targets", self.targets, shape=(I.shape[0], self.net.sizes[-1]))
        if I.shape[0] == 0:
            raise ValueError("inputs must hold at least one record")
        object.__setattr__(self, "inputs", I)
        object.__setattr__(self, "targets", T)
        object.__setattr__(self, "index", checks.count("index", self.index, lo=0, hi=I.shape[0] - 1))


def step(s: Training) -> tuple[Training, dict]:
    """Train on record ``s.index``; the record is :func:`train`'s plus ``index``."""
    i = s.index
    record = {"index": i, **_train_record(s.net, s.inputs[i], s.targets[i])}
    return replace_unchecked(s, net=_moved(s.net, record["new_weights"]), index=(i + 1) % s.inputs.shape[0]), record


# --- back-query: from an answer back to the inputs that would give it ----------------------------

def logit(y) -> np.ndarray:
    """The inverse of the sigmoid: ``ln(y / (1 − y))``, for ``0 < y < 1``."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(y / (1.0 - y))


def rescale(v, low: float = LOW, high: float = HIGH) -> np.ndarray:
    """Squeeze ``v`` linearly into [low, high] (its minimum to ``low``, its maximum to ``high``).

    A flat signal (all values equal) has no range to stretch; it goes to the middle.
    """
    v = np.asarray(v, dtype=np.float64)
    span = v.max() - v.min()
    if not np.isfinite(span) or span == 0:
        return np.full_like(v, (low + high) / 2)
    return low + (v - v.min()) / span * (high - low)


def back_query(net: MatrixNet, targets) -> dict:
    """Run ``targets`` backwards: what inputs would make the network answer that?

    From the output layer down: take the inverse sigmoid of the layer's outputs to get its
    combined inputs ``X``, send them back through the transposed weights, ``Wᵀ · X``, and
    rescale the result into 0.01–0.99 so it is a valid sigmoid output for the next logit.
    The last rescaled signal is the input (e.g. the image a digit's label "looks like").

    ``targets`` must lie strictly between 0 and 1 (use 0.01/0.99 rather than 0/1).
    Keys: ``T`` (targets), ``X`` and ``O`` (one array per layer after the input, as in
    :func:`forward`: ``O[-1]`` is ``T``, ``X[k] = logit(O[k])``), ``signals`` (``Wᵀ · X``
    for each matrix, before rescaling) and ``I`` (the inputs found).
    """
    T = checks.array("targets", targets, shape=(net.sizes[-1],))
    if np.any(T <= 0) or np.any(T >= 1):
        raise ValueError("targets must lie strictly between 0 and 1 (the sigmoid never reaches 0 "
                         f"or 1), got {T.tolist()}")
    L = len(net.weights)
    X, O, signals = [None] * L, [None] * L, [None] * L
    O[-1] = T
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(L - 1, -1, -1):
            X[k] = logit(O[k])
            signals[k] = net.weights[k].T @ X[k]
            below = rescale(signals[k])
            if k > 0:
                O[k - 1] = below
    return {"T": T, "X": tuple(X), "O": tuple(O), "signals": tuple(signals), "I": below}
