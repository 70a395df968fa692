"""A 3-layer network — input, one hidden layer, one output — learning by backpropagation.

One example is learned in four phases, each with its own values in the record:

1. ``forward``  — ``layer_1 = activation(layer_0 · weights_0_1)``, ``layer_2 = layer_1 · weights_1_2``;
2. ``compare``  — ``layer_2_delta = layer_2 - goal``, ``error = (layer_2 - goal)²``;
3. ``backward`` — each hidden node's delta is the output delta carried back through its
   weight, ``layer_2_delta · weights_1_2ᵀ``, times the activation's slope there (for relu:
   zero where the node was off, so a silent node takes no blame);
4. ``update``   — every weight moves by ``alpha`` × (its input × the delta it feeds).

Sign convention: ``layer_2_delta = layer_2 - goal`` and weights ``-=``. Some printings
of chapter 6 write ``goal - layer_2`` with ``+=``; negating a float is exact, so both give
the same numbers to the last digit (the tests check the book's printed errors).

With a ``linear`` hidden layer the two weighted sums collapse into one
(``layer_0 · (weights_0_1 · weights_1_2)``), so the network can learn nothing a single
weight vector could not: the no-correlation dataset stays out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.core import activations, book_dot, checks
from gdviz.core.frozen import replace_unchecked
from gdviz.core.streetlights import NO_CORRELATION, NO_CORRELATION_GOALS, dataset, through_pass

#: The four phases of learning one example, in order.
PHASES = ("forward", "compare", "backward", "update")
#: The record keys each phase reveals (a page shows them phase by phase).
PHASE_KEYS = {
    "forward": ("layer_0", "layer_1_sum", "layer_1", "relu_mask", "layer_2"),
    "compare": ("goal_pred", "pred", "layer_2_delta", "error"),
    "backward": ("layer_1_delta",),
    "update": ("weight_deltas_1_2", "weight_deltas_0_1", "new_weights_1_2", "new_weights_0_1"),
}
MAX_HIDDEN = 64  #: the largest hidden_size accepted
MAX_SEED = 2**32 - 1  #: what np.random.RandomState accepts


def init_weights(seed: int = 1, hidden_size: int = 4, inputs: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The book's starting weights, uniform in [-1, 1): ``weights_0_1`` first, then ``weights_1_2``.

    A private ``RandomState(seed)`` draws the same numbers as ``np.random.seed(seed)``
    followed by ``np.random.random(...)``, without touching the global random state.
    """
    seed = checks.count("seed", seed, lo=0, hi=MAX_SEED)
    hidden_size = checks.count("hidden_size", hidden_size, lo=1, hi=MAX_HIDDEN)
    inputs = checks.count("inputs", inputs, lo=1)
    rs = np.random.RandomState(seed)
    weights_0_1 = 2 * rs.random_sample((inputs, hidden_size)) - 1
    weights_1_2 = 2 * rs.random_sample((hidden_size, 1)) - 1
    return weights_0_1, weights_1_2


@dataclass(frozen=True)
class Network:
    """The two weight matrices, the dataset, the settings and the position in the pass.

    ``walk_vs_stop`` is kept as a column (rows × 1), like the book's ``walk_vs_stop``.
    """

    weights_0_1: np.ndarray
    weights_1_2: np.ndarray
    streetlights: np.ndarray
    walk_vs_stop: np.ndarray
    alpha: float = 0.2
    activation: str = "relu"
    example: int = 0
    passes: int = 0
    pass_error: float = 0.0

    def __post_init__(self):
        x, y = dataset(self.streetlights, self.walk_vs_stop)
        rows, inputs = x.shape
        w01 = checks.array("weights_0_1", self.weights_0_1, (inputs, None))
        hidden = w01.shape[1]
        if not 1 <= hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden_size must be 1 to {MAX_HIDDEN}, got {hidden}")
        w12 = checks.array("weights_1_2", self.weights_1_2, (hidden, 1))
        activations.get(self.activation)
        column = y.reshape(rows, 1)
        column.setflags(write=False)
        for name, value in (("streetlights", x), ("walk_vs_stop", column),
                            ("weights_0_1", w01), ("weights_1_2", w12)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "alpha", checks.number("alpha", self.alpha))
        object.__setattr__(self, "example", checks.count("example", self.example, lo=0, hi=rows - 1))
        object.__setattr__(self, "passes", checks.count("passes", self.passes, lo=0))
        object.__setattr__(self, "pass_error", checks.number("pass_error", self.pass_error))

    @property
    def hidden_size(self) -> int:
        return self.weights_0_1.shape[1]


def network(streetlights=NO_CORRELATION, walk_vs_stop=NO_CORRELATION_GOALS, alpha: float = 0.2,
            hidden_size: int = 4, seed: int = 1, activation: str = "relu") -> Network:
    """A fresh network with the book's random starting weights (C3 by default)."""
    x, y = dataset(streetlights, walk_vs_stop)
    weights_0_1, weights_1_2 = init_weights(seed, hidden_size, inputs=x.shape[1])
    return Network(weights_0_1, weights_1_2, x, y, alpha, activation)


def forward(layer_0, weights_0_1, weights_1_2, activation: str = "relu") -> dict:
    """Phase 1: the values flowing up. Works for one row or for all rows at once."""
    act = activations.get(activation)
    with np.errstate(over="ignore", invalid="ignore"):
        layer_1_sum = book_dot.dot(layer_0, weights_0_1)  # the book's order of additions
        layer_1 = act.value(layer_1_sum)
        layer_2 = book_dot.dot(layer_1, weights_1_2)
    return {"layer_0": layer_0, "layer_1_sum": layer_1_sum, "layer_1": layer_1,
            "relu_mask": act.deriv(layer_1) != 0, "layer_2": layer_2}


def backward(layer_2_delta, layer_1, weights_1_2, activation: str = "relu") -> np.ndarray:
    """Phase 3: each hidden node's delta (its share of the miss, zero where it was off)."""
    with np.errstate(over="ignore", invalid="ignore"):
        # + 0.0: a node that was off gets 0, not -0 (it changes nothing else)
        return layer_2_delta.dot(weights_1_2.T) * activations.get(activation).deriv(layer_1) + 0.0


def example_step(s: Network) -> tuple[Network, dict]:
    """Learn one example: forward, compare, backward, update; the record holds every phase."""
    i = s.example
    rows = len(s.walk_vs_stop)
    goal = s.walk_vs_stop[i:i + 1]
    record = {"pass": s.passes + 1, "example": i, "activation": s.activation, "alpha": s.alpha,
              "weights_0_1": s.weights_0_1, "weights_1_2": s.weights_1_2}
    # forward
    f = forward(s.streetlights[i:i + 1], s.weights_0_1, s.weights_1_2, s.activation)
    record.update(f)
    layer_0, layer_1, layer_2 = f["layer_0"], f["layer_1"], f["layer_2"]
    with np.errstate(over="ignore", invalid="ignore"):
        # compare
        error = np.sum((layer_2 - goal) ** 2)
        layer_2_delta = layer_2 - goal
        # backward (uses weights_1_2 as it was for the forward pass)
        layer_1_delta = backward(layer_2_delta, layer_1, s.weights_1_2, s.activation)
        # update
        weight_deltas_1_2 = layer_1.T.dot(layer_2_delta) + 0.0
        weight_deltas_0_1 = layer_0.T.dot(layer_1_delta) + 0.0
        new_weights_1_2 = s.weights_1_2 - s.alpha * weight_deltas_1_2
        new_weights_0_1 = s.weights_0_1 - s.alpha * weight_deltas_0_1
        pass_error = s.pass_error + error
    end_of_pass = i == rows - 1
    record.update({
        "goal_pred": float(goal[0, 0]),
        "pred": float(layer_2[0, 0]),
        "layer_2_delta": layer_2_delta,
        "error": float(error),
        "layer_1_delta": layer_1_delta,
        "weight_deltas_1_2": weight_deltas_1_2,
        "weight_deltas_0_1": weight_deltas_0_1,
        "new_weights_1_2": _frozen(new_weights_1_2),
        "new_weights_0_1": _frozen(new_weights_0_1),
        "pass_error": float(pass_error),
        "end_of_pass": end_of_pass,
    })
    new = replace_unchecked(s, weights_0_1=record["new_weights_0_1"], weights_1_2=record["new_weights_1_2"],
                            example=0 if end_of_pass else i + 1, passes=s.passes + end_of_pass,
                            pass_error=0.0 if end_of_pass else float(pass_error))
    return new, record


def pass_step(s: Network) -> tuple[Network, dict]:
    """Learn the rest of the current pass; ``error`` is the summed error the book prints."""
    state, examples = through_pass(example_step, s)
    return state, {
        "pass": examples[-1]["pass"],
        "error": examples[-1]["pass_error"],
        "weights_0_1": s.weights_0_1,
        "weights_1_2": s.weights_1_2,
        "new_weights_0_1": state.weights_0_1,
        "new_weights_1_2": state.weights_1_2,
        "examples": examples,
    }


def summed_error(weights_0_1, weights_1_2, streetlights, walk_vs_stop, activation: str = "relu") -> float:
    """The error summed over the dataset for fixed weights (no learning)."""
    x, y = dataset(streetlights, walk_vs_stop)
    f = forward(x, np.asarray(weights_0_1, dtype=np.float64), np.asarray(weights_1_2, dtype=np.float64), activation)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sum((f["layer_2"][:, 0] - y) ** 2))


def gradient(weights_0_1, weights_1_2, streetlights, walk_vs_stop,
             activation: str = "relu") -> tuple[np.ndarray, np.ndarray]:
    """d(summed error)/d weights_0_1 and d weights_1_2, for fixed weights, over all rows.

    Backpropagation on the whole dataset at once. The book's ``weight_deltas`` for one
    example are half of that example's share (the factor 2 of the square is left to alpha).
    At a relu kink (a hidden sum exactly 0) this is the one-sided slope relu2deriv gives.
    """
    x, y = dataset(streetlights, walk_vs_stop)
    w01 = checks.array("weights_0_1", weights_0_1, (x.shape[1], None))
    w12 = checks.array("weights_1_2", weights_1_2, (w01.shape[1], 1))
    f = forward(x, w01, w12, activation)
    with np.errstate(over="ignore", invalid="ignore"):
        layer_2_delta = f["layer_2"] - y[:, None]
        layer_1_delta = backward(layer_2_delta, f["layer_1"], w12, activation)
        return 2.0 * x.T.dot(layer_1_delta), 2.0 * f["layer_1"].T.dot(layer_2_delta)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a
