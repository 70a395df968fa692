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
from types import MappingProxyType

import numpy as np

from gdviz.core import activations, book_dot, checks
from gdviz.core.frozen import replace_unchecked
from gdviz.core.run import MAX_ITERATIONS, LockedRun
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


# --- many runs at once -----------------------------------------------------------------------------
def pass_runs(states: list[Network], iterations: int) -> list:
    """``run(pass_step, s, iterations)`` for each of ``states`` at once, every number bit for bit
    the same (the same operations on each element, in the same order, over a leading batch axis).

    The states must be fresh (no pass begun) and share the dataset's shape, the hidden size and
    the activation; weights, data and alpha may differ. Returns :class:`~gdviz.core.run.LockedRun` s
    (read-only records, arrays over immutable memory: nothing to copy before sharing them)."""
    iterations = checks.count("iterations", iterations, lo=1, hi=MAX_ITERATIONS)
    if not states:
        return []
    s0 = states[0]
    rows, inputs = s0.streetlights.shape
    hidden = s0.hidden_size
    for s in states:
        if (s.streetlights.shape != (rows, inputs) or s.hidden_size != hidden or s.activation != s0.activation
                or s.example or s.passes or s.pass_error):
            raise ValueError("pass_runs: the states must be fresh and of one shape and activation")
    act = activations.get(s0.activation)
    g = len(states)
    T = iterations * rows
    x = np.stack([s.streetlights for s in states])  # (g, rows, inputs)
    y = np.stack([s.walk_vs_stop[:, 0] for s in states])  # (g, rows)
    alpha = np.array([s.alpha for s in states])
    w01 = np.empty((g, T + 1, inputs, hidden))
    w12 = np.empty((g, T + 1, hidden))
    w01[:, 0] = np.stack([s.weights_0_1 for s in states])
    w12[:, 0] = np.stack([s.weights_1_2[:, 0] for s in states])
    l1s, l1, d1 = (np.empty((g, T, hidden)) for _ in range(3))
    mask = np.empty((g, T, hidden), dtype=bool)
    l2, d2, err, pe = (np.empty((g, T)) for _ in range(4))
    wd01 = np.empty((g, T, inputs, hidden))
    wd12 = np.empty((g, T, hidden))
    a3, a2 = alpha[:, None, None], alpha[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        t = 0
        for _ in range(iterations):
            total = np.zeros(g)
            for i in range(rows):
                W01, W12 = w01[:, t], w12[:, t]
                x_i = x[:, i]  # (g, inputs)
                # forward, as book_dot.dot adds: each product rounded, added from the left
                s_ = np.add.accumulate(x_i[:, :, None] * W01, axis=1)[:, -1, :] + 0.0
                h_ = act.value(s_)
                o_ = np.add.accumulate(h_ * W12, axis=1)[:, -1] + 0.0
                mask[:, t] = act.deriv(h_) != 0
                # compare
                e_ = (o_ - y[:, i]) ** 2
                dd = o_ - y[:, i]
                # backward, update
                b_ = dd[:, None] * W12 * act.deriv(h_) + 0.0
                u12 = h_ * dd[:, None] + 0.0
                u01 = x_i[:, :, None] * b_[:, None, :] + 0.0
                w12[:, t + 1] = W12 - a2 * u12
                w01[:, t + 1] = W01 - a3 * u01
                total = total + e_
                l1s[:, t], l1[:, t], l2[:, t], d2[:, t], err[:, t] = s_, h_, o_, dd, e_
                d1[:, t], wd12[:, t], wd01[:, t], pe[:, t] = b_, u12, u01, total
                t += 1
        finite = np.ones((g, T), dtype=bool)
        for a in (l1s, l1, d1, wd01, wd12, w01[:, :T], w01[:, 1:], w12[:, :T], w12[:, 1:]):
            finite &= np.isfinite(a).reshape(g, T, -1).all(axis=2)
        for a in (l2, d2, err, pe):
            finite &= np.isfinite(a)
        finite &= np.isfinite(x).all(axis=2).all(axis=1)[:, None] & np.isfinite(y).all(axis=1)[:, None]
    ok = finite.reshape(g, iterations, rows).all(axis=2)
    return [_locked_run(s0.activation, float(alpha[k]), rows, ok[k], x[k], y[k], w01[k], w12[k],
                        {"layer_1_sum": l1s[k], "layer_1": l1[k], "relu_mask": mask[k], "layer_2": l2[k],
                         "layer_2_delta": d2[k], "error": err[k], "layer_1_delta": d1[k],
                         "weight_deltas_1_2": wd12[k], "weight_deltas_0_1": wd01[k], "pass_error": pe[k]},
                        act is activations.linear)
            for k in range(g)]


def _locked_run(activation: str, alpha: float, rows: int, ok: np.ndarray, x, y, w01, w12, cols: dict,
                linear: bool):
    """One member of :func:`pass_runs` as a run: its passes up to the first that overflowed,
    each record as :func:`pass_step` makes it (read-only, over immutable memory)."""
    bad = np.flatnonzero(~ok)
    passes = int(bad[0]) + 1 if bad.size else len(ok)
    n = passes * rows
    lock = checks.lock
    x, y = lock(x), lock(y[:, None])
    inputs, hidden = w01.shape[1:]
    W01, W12 = lock(w01[:n + 1]), lock(w12[:n + 1, :, None])
    l1s, mask, d1 = (lock(cols[k][:n, None, :]) for k in ("layer_1_sum", "relu_mask", "layer_1_delta"))
    l1 = l1s if linear else lock(cols["layer_1"][:n, None, :])  # linear: layer_1 is layer_1_sum itself
    l2, d2 = (lock(cols[k][:n, None, None]) for k in ("layer_2", "layer_2_delta"))
    wd12, wd01 = lock(cols["weight_deltas_1_2"][:n, :, None]), lock(cols["weight_deltas_0_1"][:n])
    err, pe, pred = cols["error"][:n].tolist(), cols["pass_error"][:n].tolist(), cols["layer_2"][:n].tolist()
    goals = y[:, 0].tolist()
    layer_0 = [x[i:i + 1] for i in range(rows)]
    records = []
    t = 0
    for p in range(passes):
        examples = []
        for i in range(rows):
            examples.append(MappingProxyType({
                "pass": p + 1, "example": i, "activation": activation, "alpha": alpha,
                "weights_0_1": W01[t], "weights_1_2": W12[t],
                "layer_0": layer_0[i], "layer_1_sum": l1s[t], "layer_1": l1[t], "relu_mask": mask[t],
                "layer_2": l2[t], "goal_pred": goals[i], "pred": pred[t], "layer_2_delta": d2[t],
                "error": err[t], "layer_1_delta": d1[t], "weight_deltas_1_2": wd12[t],
                "weight_deltas_0_1": wd01[t], "new_weights_1_2": W12[t + 1], "new_weights_0_1": W01[t + 1],
                "pass_error": pe[t], "end_of_pass": i == rows - 1}))
            t += 1
        records.append(MappingProxyType({
            "pass": p + 1, "error": pe[t - 1], "weights_0_1": W01[t - rows], "weights_1_2": W12[t - rows],
            "new_weights_0_1": W01[t], "new_weights_1_2": W12[t], "examples": tuple(examples)}))
    nbytes = sum(a.nbytes + 200 for a in (x, y, W01, W12, l1s, l1, mask, d1, l2, d2, wd12, wd01))
    nbytes += n * (150 + 100 * 23 + 14 * 100) + passes * (150 + 100 * 7 + 60 + 40 * rows)
    return LockedRun(tuple(records), passes if bad.size else None, nbytes)
