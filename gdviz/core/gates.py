"""Logic gates: what one sigmoid unit can learn (AND, OR) and what needs a hidden layer (XOR).

A sigmoid unit with weights ``w1, w2`` and bias ``b`` answers 1 (ŷ > 0.5) on one side of the
line ``w1·x1 + w2·x2 + b = 0`` and 0 on the other. AND and OR put their 1s and 0s on
different sides of some line, so gradient descent finds one. XOR puts (0,1) and (1,0) on one
side and (0,0), (1,1) on the other: no single line does it, so the best one unit can get is 3
of the 4 rows right. A hidden layer of two units draws two lines, and the output unit
combines them ("between the lines").

Both learners take one full-batch step per epoch on the mean error ``1/(2m) Σ (y − ŷ)²``,
with the delta rule of Part E; the weights use the deck's convention ``W[j, i]`` for the link
from node ``i`` to node ``j``. Random starts come from ``RandomState(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.core import checks
from gdviz.core.activations import sigmoid
from gdviz.core.frozen import replace_unchecked

#: The four rows of every two-input gate, in the usual order.
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
INPUTS.setflags(write=False)

TRUTH_TABLES = {
    "and": (0.0, 0.0, 0.0, 1.0),
    "or": (0.0, 1.0, 1.0, 1.0),
    "xor": (0.0, 1.0, 1.0, 0.0),
}

#: Settings with which the 2-2-1 network solves XOR (all four rows right) in well under a second.
XOR_SEED, XOR_LEARN_RATE, XOR_EPOCHS = 0, 5.0, 1000


def truth_table(gate: str) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs, targets)`` of ``gate`` (and, or, xor): a 4×2 array of 0/1 and 4 targets."""
    if gate not in TRUTH_TABLES:
        raise ValueError(f"gate must be one of {', '.join(TRUTH_TABLES)}, got {gate!r}")
    y = np.array(TRUTH_TABLES[gate])
    y.setflags(write=False)
    return INPUTS, y


def accuracy(y_hat, y) -> float:
    """The fraction of rows where the answer ``ŷ > 0.5`` matches the 0/1 target."""
    return float(np.mean((np.asarray(y_hat) > 0.5) == (np.asarray(y) > 0.5)))


def line_through_box(w1: float, w2: float, b: float, lo: float = -0.5, hi: float = 1.5):
    """The part of the line ``w1·x1 + w2·x2 + b = 0`` inside the square [lo, hi]², as two
    points ``((x1, x2), (x1, x2))``, or None when it misses the square (or ``w1 = w2 = 0``)."""
    points = []
    if w2 != 0:
        for x1 in (lo, hi):
            x2 = -(w1 * x1 + b) / w2
            if lo <= x2 <= hi:
                points.append((x1, x2))
    if w1 != 0:
        for x2 in (lo, hi):
            x1 = -(w2 * x2 + b) / w1
            if lo <= x1 <= hi:
                points.append((x1, x2))
    unique = []
    for p in points:
        if all(abs(p[0] - q[0]) > 1e-12 or abs(p[1] - q[1]) > 1e-12 for q in unique):
            unique.append(p)
    return (unique[0], unique[1]) if len(unique) >= 2 else None


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


# --- one sigmoid unit with a bias ----------------------------------------------------------------

@dataclass(frozen=True)
class GateUnit:
    """One sigmoid unit learning ``gate``: weights ``w`` (2), bias ``b``, epoch count."""

    gate: str
    w: np.ndarray
    b: float
    learn_rate: float = 5.0
    epoch: int = 0

    def __post_init__(self):
        truth_table(self.gate)
        object.__setattr__(self, "w", checks.array("w", self.w, shape=(2,)))
        object.__setattr__(self, "b", checks.number("b", self.b))
        object.__setattr__(self, "learn_rate", checks.number("learn_rate", self.learn_rate))
        object.__setattr__(self, "epoch", checks.count("epoch", self.epoch, lo=0))


def gate_unit(gate: str, seed: int = 0, learn_rate: float = 5.0) -> GateUnit:
    """A unit with small random weights and bias (normal(0, 1/√2), drawn w1, w2, b)."""
    rng = np.random.RandomState(checks.count("seed", seed, lo=0, hi=2**32 - 1))
    w1, w2, b = rng.normal(0.0, 2**-0.5, 3)
    return GateUnit(gate, (w1, w2), b, learn_rate)


def unit_step(s: GateUnit) -> tuple[GateUnit, dict]:
    """One epoch: all four rows forward, one averaged delta-rule update of ``w`` and ``b``.

    Record keys (rows in :func:`truth_table` order): ``epoch`` (1-based), ``w``, ``b``
    (before), ``y_hat``, ``error`` (``y − ŷ`` per row), ``delta``, ``delta_w``, ``delta_b``,
    ``new_w``, ``new_b``, ``E`` (mean error) and ``accuracy`` (both before the update).
    """
    x, y = truth_table(s.gate)
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = sigmoid.value(x @ s.w + s.b)
        error = y - y_hat
        delta = error * sigmoid.deriv(y_hat)
        delta_w = s.learn_rate * (delta @ x) / len(y)
        delta_b = float(s.learn_rate * np.mean(delta))
        new_w = _frozen(s.w + delta_w)
        new_b = s.b + delta_b
    record = {
        "epoch": s.epoch + 1, "w": s.w, "b": s.b, "y_hat": y_hat,
        "error": error, "delta": delta, "delta_w": delta_w, "delta_b": delta_b,
        "new_w": new_w, "new_b": new_b,
        "E": float(np.mean(error**2) / 2), "accuracy": accuracy(y_hat, y),
    }
    return replace_unchecked(s, w=new_w, b=new_b, epoch=s.epoch + 1), record


# --- a 2-2-1 network with biases -----------------------------------------------------------------

@dataclass(frozen=True)
class GateNet:
    """A 2-2-1 sigmoid network learning ``gate``.

    ``W1`` (2×2, ``W1[j, i]`` from input ``i`` to hidden node ``j``), ``b1`` (2), ``W2`` (1×2),
    ``b2`` (1). Hidden node ``j`` draws the line ``W1[j,0]·x1 + W1[j,1]·x2 + b1[j] = 0``.
    """

    gate: str
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    learn_rate: float = XOR_LEARN_RATE
    epoch: int = 0

    def __post_init__(self):
        truth_table(self.gate)
        for name, shape in (("W1", (2, 2)), ("b1", (2,)), ("W2", (1, 2)), ("b2", (1,))):
            object.__setattr__(self, name, checks.array(name, getattr(self, name), shape=shape))
        object.__setattr__(self, "learn_rate", checks.number("learn_rate", self.learn_rate))
        object.__setattr__(self, "epoch", checks.count("epoch", self.epoch, lo=0))

    def hidden_lines(self) -> tuple[tuple[float, float, float], ...]:
        """``(w1, w2, b)`` of each hidden node's line ``w1·x1 + w2·x2 + b = 0``."""
        return tuple((float(self.W1[j, 0]), float(self.W1[j, 1]), float(self.b1[j])) for j in range(2))


def gate_net(gate: str = "xor", seed: int = XOR_SEED, learn_rate: float = XOR_LEARN_RATE) -> GateNet:
    """A 2-2-1 network with random weights: normal(0, 1/√2) for W1 then normal(0, 1/√2) for W2
    (both layers have 2 inputs per node), biases 0."""
    rng = np.random.RandomState(checks.count("seed", seed, lo=0, hi=2**32 - 1))
    W1 = rng.normal(0.0, 2**-0.5, (2, 2))
    W2 = rng.normal(0.0, 2**-0.5, (1, 2))
    return GateNet(gate, W1, np.zeros(2), W2, np.zeros(1), learn_rate)


def net_step(s: GateNet) -> tuple[GateNet, dict]:
    """One epoch of backprop on all four rows (averaged), biases learning like weights.

    Record keys (rows in :func:`truth_table` order): ``epoch`` (1-based), ``W1, b1, W2, b2``
    (before), ``hidden`` (4×2 hidden outputs), ``y_hat`` (4), ``error``, ``delta_output``
    (4), ``delta_hidden`` (4×2), ``delta_W1, delta_b1, delta_W2, delta_b2``,
    ``new_W1, new_b1, new_W2, new_b2``; ``E``, ``accuracy`` and ``hidden_lines`` (as
    :meth:`GateNet.hidden_lines`) describe the network before the update.
    """
    x, y = truth_table(s.gate)
    m = len(y)
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = sigmoid.value(x @ s.W1.T + s.b1)            # m × 2
        y_hat = sigmoid.value(hidden @ s.W2.T + s.b2)[:, 0]  # m
        error = y - y_hat
        delta_output = error * sigmoid.deriv(y_hat)
        delta_hidden = np.outer(delta_output, s.W2[0]) * sigmoid.deriv(hidden)
        lr = s.learn_rate / m
        delta_W2 = lr * (delta_output @ hidden)[None, :]
        delta_b2 = np.array([lr * delta_output.sum()])
        delta_W1 = lr * delta_hidden.T @ x
        delta_b1 = lr * delta_hidden.sum(axis=0)
        new = {"W1": _frozen(s.W1 + delta_W1), "b1": _frozen(s.b1 + delta_b1),
               "W2": _frozen(s.W2 + delta_W2), "b2": _frozen(s.b2 + delta_b2)}
    record = {
        "epoch": s.epoch + 1, "W1": s.W1, "b1": s.b1, "W2": s.W2, "b2": s.b2,
        "hidden": hidden, "y_hat": y_hat, "error": error,
        "delta_output": delta_output, "delta_hidden": delta_hidden,
        "delta_W1": delta_W1, "delta_b1": delta_b1, "delta_W2": delta_W2, "delta_b2": delta_b2,
        **{f"new_{k}": v for k, v in new.items()},
        "E": float(np.mean(error**2) / 2), "accuracy": accuracy(y_hat, y),
        "hidden_lines": s.hidden_lines(),
    }
    return replace_unchecked(s, epoch=s.epoch + 1, **new), record


def net_predict(s: GateNet, x) -> np.ndarray:
    """The network's ŷ for rows ``x`` (k×2), e.g. a grid, to shade the regions it answers 1."""
    x = checks.array("x", x, shape=(None, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = sigmoid.value(x @ s.W1.T + s.b1)
        return sigmoid.value(hidden @ s.W2.T + s.b2)[:, 0]


def unit_predict(s: GateUnit, x) -> np.ndarray:
    """The unit's ŷ for rows ``x`` (k×2)."""
    x = checks.array("x", x, shape=(None, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        return sigmoid.value(x @ s.w + s.b)


# --- many starts at once (a leading grid axis) ---------------------------------------------------

def unit_grid(gate: str, w, b, learn_rate, epochs: int) -> dict[str, np.ndarray]:
    """:func:`unit_step` for ``G`` units learning ``gate`` from ``G`` starts, ``epochs`` times.

    ``w`` is G×2, ``b`` and ``learn_rate`` G values. ``out[key][k, g]`` (keys ``w``, ``b``,
    ``y_hat`` (4 per start), ``E``, ``accuracy``, ``new_w``, ``new_b``) is epoch ``k + 1`` of
    start ``g`` stepped alone, with the same operations in the same order (bit for bit).
    Nothing stops at an overflow: the caller cuts each run at its first non-finite epoch.
    """
    x, y = truth_table(gate)
    w = checks.array("w", w, shape=(None, 2))
    g = w.shape[0]
    b = checks.array("b", b, shape=(g,))
    lr = checks.array("learn_rate", learn_rate, shape=(g,))
    epochs = checks.count("epochs", epochs, lo=1, hi=100_000)
    ws, bs = np.empty((epochs + 1, g, 2)), np.empty((epochs + 1, g))
    y_hats, E = np.empty((epochs, g, 4)), np.empty((epochs, g))
    ws[0], bs[0] = w, b
    xT = x.T
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(epochs):
            y_hat = 1.0 / (1.0 + np.exp(-(ws[k] @ xT + bs[k][:, None])))  # sigmoid.value, inlined
            error = y - y_hat
            delta = error * (y_hat * (1 - y_hat))
            ws[k + 1] = ws[k] + lr[:, None] * (delta @ x) / len(y)
            bs[k + 1] = bs[k] + lr * np.mean(delta, axis=-1)
            y_hats[k] = y_hat
            E[k] = np.mean(error**2, axis=-1) / 2
    accuracy = np.mean((y_hats > 0.5) == (y > 0.5), axis=-1)
    return {"w": ws[:-1], "b": bs[:-1], "new_w": ws[1:], "new_b": bs[1:], "y_hat": y_hats, "E": E,
            "accuracy": accuracy}


def net_grid(gate: str, W1, b1, W2, b2, learn_rate, epochs: int) -> dict[str, np.ndarray]:
    """:func:`net_step` for ``G`` 2-2-1 networks at once, like :func:`unit_grid`: ``W1`` G×2×2,
    ``b1`` G×2, ``W2`` G×1×2, ``b2`` G×1; keys ``W1, b1, W2, b2`` (before), ``new_*``,
    ``y_hat``, ``E``, ``accuracy``."""
    x, y = truth_table(gate)
    W1 = checks.array("W1", W1, shape=(None, 2, 2))
    g = W1.shape[0]
    b1 = checks.array("b1", b1, shape=(g, 2))
    W2 = checks.array("W2", W2, shape=(g, 1, 2))
    b2 = checks.array("b2", b2, shape=(g, 1))
    lr = checks.array("learn_rate", learn_rate, shape=(g,)) / len(y)
    epochs = checks.count("epochs", epochs, lo=1, hi=100_000)
    P = {k: np.empty((epochs + 1,) + v.shape) for k, v in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))}
    P["W1"][0], P["b1"][0], P["W2"][0], P["b2"][0] = W1, b1, W2, b2
    y_hats, E = np.empty((epochs, g, 4)), np.empty((epochs, g))
    lr2, lr3 = lr[:, None], lr[:, None, None]
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]  # the shortcuts below rely on it
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(epochs):
            W1k, b1k, W2k, b2k = P["W1"][k], P["b1"][k], P["W2"][k], P["b2"][k]
            # x @ W1ᵀ for the rows (0,0), (0,1), (1,0), (1,1) of x: the same single roundings
            z = np.empty((g, 4, 2))
            z[:, 0], z[:, 1], z[:, 2] = 0.0, W1k[:, :, 1], W1k[:, :, 0]
            z[:, 3] = W1k[:, :, 0] + W1k[:, :, 1]
            hidden = 1.0 / (1.0 + np.exp(-(z + b1k[:, None, :])))  # g × m × 2
            y_hat = 1.0 / (1.0 + np.exp(-(hidden @ W2k.transpose(0, 2, 1) + b2k[:, None, :])))[:, :, 0]
            error = y - y_hat
            delta_output = error * (y_hat * (1 - y_hat))
            delta_hidden = delta_output[:, :, None] * W2k * (hidden * (1 - hidden))
            np.add(W2k, (lr2 * (delta_output[:, None, :] @ hidden)[:, 0, :])[:, None, :], out=P["W2"][k + 1])
            np.add(b2k, (lr * delta_output.sum(axis=-1))[:, None], out=P["b2"][k + 1])
            s = lr3 * delta_hidden  # (lr · δʰ)ᵀ @ x: column sums over the rows where x is 1
            P["W1"][k + 1, :, :, 0] = W1k[:, :, 0] + (s[:, 2] + s[:, 3])
            P["W1"][k + 1, :, :, 1] = W1k[:, :, 1] + (s[:, 1] + s[:, 3])
            np.add(b1k, lr2 * delta_hidden.sum(axis=1), out=P["b1"][k + 1])
            y_hats[k] = y_hat
            E[k] = np.mean(error**2, axis=-1) / 2
    accuracy = np.mean((y_hats > 0.5) == (y > 0.5), axis=-1)
    out = {k: v[:-1] for k, v in P.items()}
    out.update({f"new_{k}": v[1:] for k, v in P.items()})
    out.update(y_hat=y_hats, E=E, accuracy=accuracy)
    return out
