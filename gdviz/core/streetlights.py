"""One weight vector learning a whole dataset (chapter 6, the streetlight problem).

Each row of ``streetlights`` is one example's ``input``; ``walk_vs_stop`` holds the
``goal_pred`` of every row. The network is a single weighted sum, ``pred = input · weights``.
Three ways to walk through the dataset:

* ``stochastic`` — learn from every example as soon as it is seen (the book's loop);
* ``full``       — look at every example with the same weights, then make one update by
  the mean ``weight_delta`` of the whole pass;
* ``batch``      — the same as ``full`` for every ``batch_size`` consecutive examples
  (the last batch of a pass may be smaller; batches never span two passes).

Two grains of stepping, both pure (a state is never changed, new arrays are made):

* :func:`example_step` — one example; the weights move only when the example closes its
  batch (always in stochastic mode, at the end of the pass in full mode);
* :func:`pass_step` — the rest of the current pass (a whole pass from a fresh state),
  with the summed error the book prints and every example's record inside.

A pass's error is accumulated example by example with the weights each example actually
saw, in that order, which is what makes the book's printed digits come out exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from gdviz.core import book_dot, checks
from gdviz.core.frozen import replace_unchecked
from gdviz.core.run import MAX_ITERATIONS, LockedRun

MODES = ("stochastic", "full", "batch")
MAX_ROWS = 64  #: the most examples a dataset may have (a page's table stays readable)
MAX_INPUTS = 16  #: the most inputs (columns) per example

#: The book's streetlights: left, middle, right light -> walk (1) or stop (0).
STREETLIGHTS = ((1, 0, 1), (0, 1, 1), (0, 0, 1), (1, 1, 1), (0, 1, 1), (1, 0, 1))
WALK_VS_STOP = (0, 1, 0, 1, 1, 0)
#: A dataset in which no single light correlates with walking (C2).
NO_CORRELATION = ((1, 0, 1), (0, 1, 1), (0, 0, 1), (1, 1, 1))
NO_CORRELATION_GOALS = (1, 1, 0, 0)
BOOK_WEIGHTS = (0.5, 0.48, -0.7)


def dataset(streetlights, walk_vs_stop) -> tuple[np.ndarray, np.ndarray]:
    """Check a dataset and return it as read-only float arrays: rows × inputs and rows.

    ``walk_vs_stop`` may be a flat list or a column (rows × 1).
    """
    x = checks.array("streetlights", streetlights, (None, None))
    rows, inputs = x.shape
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"streetlights must have 1 to {MAX_ROWS} rows (examples), got {rows}")
    if not 1 <= inputs <= MAX_INPUTS:
        raise ValueError(f"streetlights must have 1 to {MAX_INPUTS} inputs per row, got {inputs}")
    y = checks.array("walk_vs_stop", walk_vs_stop)
    if y.ndim == 2 and y.shape[1:] == (1,):
        y = checks.array("walk_vs_stop", y[:, 0])
    if y.ndim != 1 or len(y) != rows:
        raise ValueError(f"walk_vs_stop must hold one goal_pred per row of streetlights ({rows}), "
                         f"got shape {'×'.join(map(str, y.shape)) or 'a scalar'}")
    return x, y


@dataclass(frozen=True)
class Dataset:
    """A weight vector, the dataset it learns, how it learns, and where it is in the pass.

    ``example`` is the row the next step will see (0-based), ``passes`` the number of
    finished passes. ``pass_error`` and ``pending`` (the sum of the weight_deltas not yet
    applied) carry what the current pass and batch have gathered so far.
    """

    weights: np.ndarray
    streetlights: np.ndarray
    walk_vs_stop: np.ndarray
    alpha: float = 0.1
    mode: str = "stochastic"
    batch_size: int = 1
    example: int = 0
    passes: int = 0
    pass_error: float = 0.0
    pending: np.ndarray | None = None
    pending_count: int = 0

    def __post_init__(self):
        x, y = dataset(self.streetlights, self.walk_vs_stop)
        rows, inputs = x.shape
        w = checks.array("weights", self.weights)
        if w.shape != (inputs,):
            raise ValueError(f"weights must hold one weight per input ({inputs}), got {w.size}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        object.__setattr__(self, "streetlights", x)
        object.__setattr__(self, "walk_vs_stop", y)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "alpha", checks.number("alpha", self.alpha))
        batch_size = checks.count("batch_size", self.batch_size, lo=1)
        if self.mode == "batch" and batch_size > rows:  # it only matters in batch mode
            raise ValueError(f"batch_size must be at most the number of rows ({rows}), got {batch_size}")
        object.__setattr__(self, "batch_size", batch_size)
        object.__setattr__(self, "example", checks.count("example", self.example, lo=0, hi=rows - 1))
        object.__setattr__(self, "passes", checks.count("passes", self.passes, lo=0))
        object.__setattr__(self, "pass_error", checks.number("pass_error", self.pass_error))
        pending = np.zeros(inputs) if self.pending is None else checks.array("pending", self.pending, (inputs,))
        object.__setattr__(self, "pending", _frozen(pending))
        object.__setattr__(self, "pending_count", checks.count("pending_count", self.pending_count, lo=0))

    @property
    def group(self) -> int:
        """How many examples share one update: 1, ``batch_size`` or the whole dataset."""
        return {"stochastic": 1, "batch": self.batch_size, "full": len(self.walk_vs_stop)}[self.mode]


def example_step(s: Dataset) -> tuple[Dataset, dict]:
    """Predict, compare and (when this example closes its batch) learn, for one example."""
    i = s.example
    rows = len(s.walk_vs_stop)
    input = s.streetlights[i]
    goal_pred = s.walk_vs_stop[i]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow gives inf; the run stops there
        pred = float(book_dot.dot(input, s.weights))
        error = (goal_pred - pred) ** 2
        delta = pred - goal_pred
        weight_delta = input * delta + 0.0  # + 0.0: an input of 0 gives 0, not -0
        pending = s.pending + weight_delta
        count = s.pending_count + 1
        end_of_pass = i == rows - 1
        update = end_of_pass or count == s.group
        batch_weight_delta = pending / count
        if update:
            new_weights = s.weights - s.alpha * batch_weight_delta
        else:
            new_weights = s.weights
        pass_error = s.pass_error + error
    record = {
        "pass": s.passes + 1,
        "example": i,
        "batch": i // s.group,
        "input": input,
        "goal_pred": float(goal_pred),
        "pred": float(pred),
        "error": float(error),
        "delta": float(delta),
        "weight_delta": weight_delta,
        "batch_weight_delta": batch_weight_delta,
        "update": update,
        "weights": s.weights,
        "new_weights": new_weights,
        "pass_error": float(pass_error),
        "end_of_pass": end_of_pass,
    }
    return replace_unchecked(
        s,
        weights=_frozen(new_weights),
        example=0 if end_of_pass else i + 1,
        passes=s.passes + end_of_pass,
        pass_error=0.0 if end_of_pass else float(pass_error),
        pending=_frozen(np.zeros_like(pending) if update else pending),
        pending_count=0 if update else count,
    ), record


def through_pass(example_step, s):
    """Apply ``example_step`` up to and including the last example of the current pass.

    Returns the new state and the tuple of example records (shared with :mod:`backprop`).
    """
    examples = []
    while True:
        s, r = example_step(s)
        examples.append(r)
        if r["end_of_pass"]:
            return s, tuple(examples)


def pass_step(s: Dataset) -> tuple[Dataset, dict]:
    """Step examples to the end of the current pass; the record holds the pass's summed error."""
    state, examples = through_pass(example_step, s)
    record = {
        "pass": examples[-1]["pass"],
        "error": examples[-1]["pass_error"],
        "weights": s.weights,
        "new_weights": state.weights,
        "updates": sum(r["update"] for r in examples),
        "examples": examples,
    }
    return state, record


def errors(weights, streetlights, walk_vs_stop) -> np.ndarray:
    """Each example's ``error`` with one fixed weight vector (no learning)."""
    x, y = dataset(streetlights, walk_vs_stop)
    w = checks.array("weights", weights, (x.shape[1],))
    with np.errstate(over="ignore", invalid="ignore"):
        return (book_dot.dot(x, w) - y) ** 2


def gradient(weights, streetlights, walk_vs_stop) -> np.ndarray:
    """d(summed error)/d weights for fixed weights: ``2 * Σ delta * input``.

    The book's ``weight_delta`` leaves out the factor 2 (alpha absorbs it).
    """
    x, y = dataset(streetlights, walk_vs_stop)
    w = checks.array("weights", weights, (x.shape[1],))
    with np.errstate(over="ignore", invalid="ignore"):
        return 2.0 * book_dot.dot(book_dot.dot(x, w) - y, x)


def pressure(weights, streetlights, walk_vs_stop) -> dict:
    """The up/down pressure table: which way each example pushes each weight.

    Returns a dict of arrays (rows × inputs unless said otherwise):

    * ``sign`` — the book's table, independent of the weights: +1 where the example pushes
      the weight toward walk (goal_pred ≥ 0.5), −1 toward stop, 0 where the input is 0
      (that weight took no part in the prediction, so it feels no pressure). A negative
      input flips the sign (raising the weight would lower the prediction).
    * ``votes`` — per weight (inputs): the sum of ``sign`` down the column. Weights whose
      pressure is consistent end with many votes one way; mixed columns cancel out.
    * ``delta`` — per example (rows): ``pred - goal_pred`` for the given weights.
    * ``weight_delta`` — ``input * delta`` for the given weights.
    * ``pressure`` — ``-weight_delta``: the size and direction each weight would move,
      from where it is now, if only this example were learned.
    * ``net_pressure`` — per weight (inputs): ``pressure`` summed over the examples.
    """
    x, y = dataset(streetlights, walk_vs_stop)
    w = checks.array("weights", weights, (x.shape[1],))
    toward = np.where(y >= 0.5, 1, -1)
    sign = (np.sign(x).astype(int) * toward[:, None]).astype(int)
    with np.errstate(over="ignore", invalid="ignore"):
        delta = book_dot.dot(x, w) - y
        weight_delta = x * delta[:, None] + 0.0  # + 0.0 turns -0.0 into 0.0 (input 0)
    push = -weight_delta + 0.0
    return {
        "sign": sign,
        "votes": sign.sum(axis=0),
        "delta": delta,
        "weight_delta": weight_delta,
        "pressure": push,
        "net_pressure": push.sum(axis=0),
    }


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


# --- many runs at once -----------------------------------------------------------------------------
def pass_runs(states: list[Dataset], iterations: int) -> list:
    """``run(pass_step, s, iterations)`` for each of ``states`` at once, every number bit for bit
    the same (the same operations on each element in the same order, over a leading batch axis;
    each example's ``error``, a NumPy scalar's square as :func:`example_step` takes it, and the
    pass's running sum are made one by one).

    The states must be fresh (no pass begun) and share the dataset's shape, the mode and the
    group size; weights, data and alpha may differ. Returns
    :class:`~gdviz.core.run.LockedRun` s (read-only records over immutable memory)."""
    iterations = checks.count("iterations", iterations, lo=1, hi=MAX_ITERATIONS)
    if not states:
        return []
    s0 = states[0]
    rows, inputs = s0.streetlights.shape
    for s in states:
        if (s.streetlights.shape != (rows, inputs) or s.mode != s0.mode or s.group != s0.group
                or s.example or s.passes or s.pass_error or s.pending_count or s.pending.any()):
            raise ValueError("pass_runs: the states must be fresh and of one shape, mode and batch size")
    group = s0.group
    g, T = len(states), iterations * rows
    x = np.stack([s.streetlights for s in states])
    y = np.stack([s.walk_vs_stop for s in states])
    alpha = np.array([s.alpha for s in states])[:, None]
    w = np.empty((g, T + 1, inputs))
    w[:, 0] = np.stack([s.weights for s in states])
    pred, delta = np.empty((g, T)), np.empty((g, T))
    wd, bwd = np.empty((g, T, inputs)), np.empty((g, T, inputs))
    updates = []
    with np.errstate(over="ignore", invalid="ignore"):
        t = 0
        for _ in range(iterations):
            pending, count = np.zeros((g, inputs)), 0
            for i in range(rows):
                W, x_i = w[:, t], x[:, i]
                # book_dot.dot of two vectors: 0.0 + each product, from the left (+ 0.0: no -0)
                p = np.add.accumulate(x_i * W, axis=1)[:, -1] + 0.0
                d = p - y[:, i]
                u = x_i * d[:, None] + 0.0
                pending = pending + u
                count += 1
                update = i == rows - 1 or count == group
                b = pending / count
                w[:, t + 1] = W - alpha * b if update else W
                pred[:, t], delta[:, t], wd[:, t], bwd[:, t] = p, d, u, b
                updates.append(update)
                if update:
                    pending, count = np.zeros((g, inputs)), 0
                t += 1
        finite = np.isfinite(pred) & np.isfinite(delta)
        for a in (wd, bwd, w[:, :T], w[:, 1:]):
            finite &= np.isfinite(a).all(axis=2)
        finite &= np.isfinite(x).all(axis=(1, 2))[:, None] & np.isfinite(y).all(axis=1)[:, None]
    ok = finite.reshape(g, iterations, rows).all(axis=2)
    return [_locked_run(rows, group, updates[:rows], ok[k], x[k], y[k], w[k], pred[k], delta[k], wd[k], bwd[k])
            for k in range(g)]


def _locked_run(rows, group, updates, ok, x, y, w, pred, delta, wd, bwd):
    """One member of :func:`pass_runs` as a run: its passes up to the first that overflowed."""
    lock = checks.lock
    X, W, WD, BWD = lock(x), lock(w), lock(wd), lock(bwd)
    goals = y.tolist()
    goal64 = list(y)  # NumPy scalars: error is (goal_pred - pred) ** 2 exactly as example_step takes it
    inputs = [X[i] for i in range(rows)]
    pred, delta = pred.tolist(), delta.tolist()
    n_updates = sum(updates)
    records = []
    t = 0
    stop = None
    with np.errstate(over="ignore", invalid="ignore"):
        for p in range(len(ok)):
            examples = []
            total = 0.0
            fine = bool(ok[p])
            for i in range(rows):
                error = (goal64[i] - pred[t]) ** 2
                pass_error = total + error
                error, pass_error = float(error), float(pass_error)
                fine = fine and error - error == 0.0 and pass_error - pass_error == 0.0
                total = 0.0 if i == rows - 1 else pass_error
                examples.append(MappingProxyType({
                    "pass": p + 1, "example": i, "batch": i // group, "input": inputs[i], "goal_pred": goals[i],
                    "pred": pred[t], "error": error, "delta": delta[t], "weight_delta": WD[t],
                    "batch_weight_delta": BWD[t], "update": updates[i], "weights": W[t], "new_weights": W[t + 1],
                    "pass_error": pass_error, "end_of_pass": i == rows - 1}))
                t += 1
            records.append(MappingProxyType({"pass": p + 1, "error": examples[-1]["pass_error"],
                                             "weights": W[t - rows], "new_weights": W[t], "updates": n_updates,
                                             "examples": tuple(examples)}))
            if not fine:
                stop = p + 1
                break
    n = len(records) * rows
    nbytes = sum(a.nbytes + 200 for a in (X, W, WD, BWD)) + n * (150 + 100 * 15 + 4 * 100)
    nbytes += len(records) * (150 + 100 * 6 + 60 + 40 * rows)
    return LockedRun(tuple(records), stop, nbytes)
