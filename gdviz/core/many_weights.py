"""Many weights at once (chapter 5): many inputs, many outputs, or both.

All three networks are one idea seen through a weight matrix ``W`` with one row per output
and one column per input:

* ``MultiInput``  — weights ``(n,)``, input ``(n,)``, one ``true``: ``W`` is one row;
* ``MultiOutput`` — weights ``(m,)``, one input, ``true`` ``(m,)``: ``W`` is one column;
* ``MultiInOut``  — weights ``(m, n)``, input ``(n,)``, ``true`` ``(m,)``.

One iteration (:func:`step`) predicts ``pred = W @ input``, compares per output
(``delta = pred - true``, ``error = delta ** 2``) and learns: every weight's
``weight_delta`` is its output's delta times its input (``outer(delta, input)``), and the
weight moves by ``alpha * weight_delta``. Frozen weights (a mask shaped like the weights)
get weight_delta 0 and stay where they are.

The sums are added left to right, one input at a time, the order the book's plain-Python
loops use, so every printed digit matches the book on any machine (a BLAS dot product may
add in another order).

Slices: the error is one surface over all the weights. :func:`slice_curve` and
:func:`slice_surface` cut it along one or two weights with the others held still.
:func:`slope` is the true derivative of the total error along one weight. It is
``2 * weight_delta``: the book's weight_delta leaves out the factor 2 of the square, and
alpha absorbs it. A frozen weight still has a slope (the surface is still tilted there);
freezing only stops the step from using it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gdviz.core import book_dot, checks
from gdviz.core.frozen import replace_unchecked

#: Largest network accepted (MNIST's 784 × 10 fits easily).
MAX_WEIGHTS = 100_000
#: Largest number of points of a slice curve, and along each axis of a slice surface.
MAX_GRID = 5_001
MAX_SURFACE_GRID = 1_001


def w_sum(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``W @ x``, added one input at a time from the left (the book's order of additions)."""
    with np.errstate(all="ignore"):
        return book_dot.dot(W, x)


def frozen_mask(frozen, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only True/False mask shaped like the weights.

    ``frozen`` is None (nothing frozen), a True/False mask of that shape, or indices into
    the flattened weights (row by row for a matrix), e.g. ``(0, 2)``.
    """
    size = int(np.prod(shape))
    if frozen is None:
        mask = np.zeros(shape, dtype=bool)
    else:
        try:
            a = np.asarray(frozen)
        except ValueError:
            raise ValueError(f"frozen must be weight numbers or a mask, got {frozen!r}") from None
        if a.dtype == bool:
            if a.shape != tuple(shape):
                raise ValueError(f"frozen must be a mask shaped like the weights "
                                 f"({'×'.join(map(str, shape))}), got {'×'.join(map(str, a.shape))}")
            mask = a.copy()
        else:
            if a.size and (a.ndim != 1 or a.dtype.kind not in "iu"):
                raise ValueError(f"frozen must be weight numbers (whole numbers) or a mask, got {frozen!r}")
            mask = np.zeros(size, dtype=bool)
            for i in a.tolist():
                if not 0 <= i < size:
                    raise ValueError(f"frozen: there is no weight {i}; the weights are numbered "
                                     f"0 to {size - 1} (row by row)")
                mask[i] = True
            mask = mask.reshape(shape)
    mask.setflags(write=False)
    return mask


@dataclass(frozen=True, eq=False)
class _Network:
    """Shared fields. ``frozen`` becomes a read-only mask shaped like ``weights``."""

    weights: Any
    input: Any
    true: Any
    alpha: float = 0.01
    frozen: Any = None

    def __post_init__(self):
        weights, input, true = self._checked()
        if not 1 <= weights.size <= MAX_WEIGHTS:
            raise ValueError(f"weights must have between 1 and {MAX_WEIGHTS} numbers, got {weights.size}")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "input", input)
        object.__setattr__(self, "true", true)
        object.__setattr__(self, "alpha", checks.number("alpha", self.alpha))
        object.__setattr__(self, "frozen", frozen_mask(self.frozen, weights.shape))

    # Each network says how it looks as the matrix form ``W`` (outputs × inputs).
    def _checked(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _W(self, weights: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def _x(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.input, dtype=np.float64))

    def _t(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.true, dtype=np.float64))


@dataclass(frozen=True, eq=False)
class MultiInput(_Network):
    """Many inputs, one output: ``pred = input · weights`` (weights ``(n,)``, one ``true``)."""

    def _checked(self):
        w = checks.array("weights", self.weights, (None,))
        return w, checks.array("input", self.input, (len(w),)), checks.number("true", self.true)

    def _W(self, weights):
        return weights.reshape(1, -1)


@dataclass(frozen=True, eq=False)
class MultiOutput(_Network):
    """One input, many outputs: ``pred = input * weights`` (weights ``(m,)``, ``true`` ``(m,)``)."""

    def _checked(self):
        w = checks.array("weights", self.weights, (None,))
        return w, checks.number("input", self.input), checks.array("true", self.true, (len(w),))

    def _W(self, weights):
        return weights.reshape(-1, 1)


@dataclass(frozen=True, eq=False)
class MultiInOut(_Network):
    """Many inputs, many outputs: ``pred = weights @ input``; weights ``(m, n)``, one row
    per output and one column per input, ``input`` ``(n,)``, ``true`` ``(m,)``."""

    def _checked(self):
        w = checks.array("weights", self.weights, (None, None))
        m, n = w.shape
        return w, checks.array("input", self.input, (n,)), checks.array("true", self.true, (m,))

    def _W(self, weights):
        return weights


Network = MultiInput | MultiOutput | MultiInOut


def _out(s: _Network, v: np.ndarray):
    """A per-output vector as the record shows it: a Python float for one output."""
    return float(v[0]) if isinstance(s, MultiInput) else _frozen_array(v)


def _frozen_array(v) -> np.ndarray:
    a = np.array(v, dtype=np.float64)
    a.setflags(write=False)
    return a


def step(s: Network) -> tuple[Network, dict]:
    """One iteration: predict, compare, learn. Returns the new state and the record.

    Record keys: ``input``, ``true``, ``alpha``, ``weights`` (before), ``pred``, ``error``
    (``(pred - true) ** 2`` per output), ``total_error`` (their sum), ``delta``,
    ``weight_deltas`` (shaped like the weights, 0 where frozen), ``new_weights`` and
    ``frozen``. For ``MultiInput`` pred/error/delta are floats; otherwise arrays.
    """
    W, x, t = s._W(s.weights), s._x(), s._t()
    mask = s._W(s.frozen)
    pred = w_sum(W, x)
    with np.errstate(all="ignore"):
        error = (pred - t) ** 2
        delta = pred - t
        weight_deltas = np.where(mask, 0.0, np.outer(delta, x))
        new_W = np.where(mask, W, W - s.alpha * weight_deltas)
    new_weights = _frozen_array(new_W.reshape(s.weights.shape))
    record = {
        "input": s.input,
        "true": s.true,
        "alpha": s.alpha,
        "weights": s.weights,
        "pred": _out(s, pred),
        "error": _out(s, error),
        "total_error": float(_total(pred, t)),
        "delta": _out(s, delta),
        "weight_deltas": _frozen_array(weight_deltas.reshape(s.weights.shape)),
        "new_weights": new_weights,
        "frozen": s.frozen,
    }
    return replace_unchecked(s, weights=new_weights), record


def with_frozen(s: Network, frozen) -> Network:
    """``s`` with another frozen mask (None unfreezes everything); the weights stay put.

    Stepping on from the result is how a page freezes or unfreezes weights mid-run.
    """
    return replace_unchecked(s, frozen=frozen_mask(frozen, s.weights.shape))


# ---- the error surface, seen through one or two weights ------------------------------------


def total_error(s: Network) -> float:
    """The error summed over the outputs at the current weights."""
    return float(_total(w_sum(s._W(s.weights), s._x()), s._t()))


def _index(s: Network, index, name: str = "index") -> int:
    """A flat (row-by-row) weight number from an int, or a (row, column) pair for a matrix."""
    if isinstance(index, tuple) and s.weights.ndim == 2 and len(index) == 2:
        rows, cols = s.weights.shape
        r = checks.count(f"{name} (row)", index[0], lo=0, hi=rows - 1)
        c = checks.count(f"{name} (column)", index[1], lo=0, hi=cols - 1)
        return r * cols + c
    return checks.count(name, index, lo=0, hi=s.weights.size - 1)


def _line(s: Network, k: int):
    """For weight ``k``: its output row ``r``, its value ``w``, its input ``x`` and the
    current prediction ``pred`` (all outputs) — pred of row r moves by ``(g - w) * x``."""
    W, x = s._W(s.weights), s._x()
    r, c = divmod(k, W.shape[1])
    return r, float(W[r, c]), float(x[c]), w_sum(W, x)


def _grid(name: str, grid, cap: int = MAX_GRID) -> np.ndarray:
    g = checks.array(name, grid, (None,))
    if not 1 <= g.size <= cap:
        raise ValueError(f"{name} must have between 1 and {cap} points, got {g.size}")
    return g


def _total(rows, t) -> Any:
    """Sum of ``(row - true) ** 2`` over the outputs, added in output order (each row may be
    a number or an array: the result broadcasts). Every total in this module adds this way,
    so a slice through the current weights gives exactly the current total_error."""
    total = 0.0
    with np.errstate(all="ignore"):
        for r, p in enumerate(rows):
            total = total + (p - t[r]) ** 2
    return total


def slice_curve(s: Network, index, grid) -> np.ndarray:
    """The total error when weight ``index`` takes each value of ``grid`` and every other
    weight keeps its current value. ``index`` counts row by row (or is (row, column))."""
    k, g = _index(s, index), _grid("grid", grid)
    r, w, x, pred = _line(s, k)
    rows = list(pred)
    with np.errstate(all="ignore"):
        rows[r] = pred[r] + (g - w) * x
    return np.asarray(_total(rows, s._t()), dtype=np.float64) + np.zeros(g.shape)


def slice_surface(s: Network, i, j, grid_i, grid_j) -> np.ndarray:
    """The total error over a grid of two weights, the others held still.

    Returns ``Z`` of shape ``(len(grid_i), len(grid_j))``: ``Z[a, b]`` is the error with
    weight i at ``grid_i[a]`` and weight j at ``grid_j[b]``. (A Plotly contour with weight i
    on the x axis wants ``z=Z.T``.)
    """
    ki, kj = _index(s, i, "i"), _index(s, j, "j")
    if ki == kj:
        raise ValueError(f"j must be another weight than i, got {ki} twice")
    gi, gj = _grid("grid_i", grid_i, MAX_SURFACE_GRID), _grid("grid_j", grid_j, MAX_SURFACE_GRID)
    ri, wi, xi, pred = _line(s, ki)
    rj, wj, xj, _ = _line(s, kj)
    rows = list(pred)
    with np.errstate(all="ignore"):
        rows[ri] = rows[ri] + ((gi - wi) * xi)[:, None]
        rows[rj] = rows[rj] + ((gj - wj) * xj)[None, :]
    return np.asarray(_total(rows, s._t()), dtype=np.float64) + np.zeros((gi.size, gj.size))


def slope(s: Network, index) -> float:
    """d total_error / d weight at the current weights: ``2 * delta * input`` for that
    weight's output and input, i.e. twice the book's (unfrozen) weight_delta."""
    k = _index(s, index)
    r, _, x, pred = _line(s, k)
    with np.errstate(all="ignore"):
        return float(2.0 * (pred[r] - s._t()[r]) * x)


def slice_minimum(s: Network, index) -> float | None:
    """The value of weight ``index`` at the bottom of its slice (others held), or None when
    its input is 0 and the slice is flat."""
    k = _index(s, index)
    r, w, x, pred = _line(s, k)
    if x == 0:
        return None
    with np.errstate(all="ignore"):
        return float(w - (pred[r] - s._t()[r]) / x)
