"""One weight, one input, one prediction (chapter 4).

Two ways to learn the weight:

* hot and cold: probe the error a fixed ``step_amount`` above and below the weight and move
  toward the lower one;
* gradient descent: move against ``weight_delta = delta * input``, scaled by ``alpha``.

Numbers are Python floats, so the logs print exactly what the book prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdviz.core import checks
from gdviz.core.frozen import replace_unchecked


def square(x: float) -> float:
    """``x ** 2`` as the book writes it, but inf instead of OverflowError when it is huge."""
    try:
        return x**2
    except OverflowError:
        return math.inf


def error_curve(weights, input: float, goal_pred: float) -> np.ndarray:
    """``error(weight) = ((input * weight) - goal_pred) ** 2`` for every weight in ``weights``."""
    w = np.asarray(weights, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return (input * w - goal_pred) ** 2


def slope(weight: float, input: float, goal_pred: float) -> float:
    """The derivative d error / d weight at ``weight``: ``2 * delta * input``.

    The book's ``weight_delta`` is this slope without its factor 2 (alpha absorbs it).
    """
    return 2.0 * (input * weight - goal_pred) * input


def goal_weight(input: float, goal_pred: float) -> float | None:
    """The weight at the bottom of the bowl, or None when input is 0 (the curve is flat)."""
    return None if input == 0 else goal_pred / input


@dataclass(frozen=True)
class OneWeight:
    """The state of a one-weight network and its learning settings."""

    weight: float
    input: float
    goal_pred: float
    alpha: float = 1.0

    def __post_init__(self):
        for name in ("weight", "input", "goal_pred", "alpha"):
            object.__setattr__(self, name, checks.number(name, getattr(self, name)))


def gd_step(s: OneWeight) -> tuple[OneWeight, dict]:
    """One iteration of predict -> compare -> learn by gradient descent."""
    pred = s.input * s.weight
    error_ = square(pred - s.goal_pred)
    delta = pred - s.goal_pred
    weight_delta = delta * s.input
    new_weight = s.weight - s.alpha * weight_delta
    record = {
        "weight": s.weight,
        "input": s.input,
        "goal_pred": s.goal_pred,
        "alpha": s.alpha,
        "pred": pred,
        "error": error_,
        "delta": delta,
        "weight_delta": weight_delta,
        "new_weight": new_weight,
    }
    return replace_unchecked(s, weight=new_weight), record


@dataclass(frozen=True)
class HotCold:
    """The state of hot-and-cold learning: a weight and the fixed step it probes with."""

    weight: float
    input: float
    goal_pred: float
    step_amount: float = 0.001

    def __post_init__(self):
        for name in ("weight", "input", "goal_pred"):
            object.__setattr__(self, name, checks.number(name, getattr(self, name)))
        object.__setattr__(self, "step_amount", checks.number("step_amount", self.step_amount, lo=0))


def hot_cold_step(s: HotCold) -> tuple[HotCold, dict]:
    """One iteration of hot and cold: predict at the weight, probe above and below, move."""
    pred = s.input * s.weight
    error_ = square(pred - s.goal_pred)
    up_pred = s.input * (s.weight + s.step_amount)
    up_error = square(s.goal_pred - up_pred)
    down_pred = s.input * (s.weight - s.step_amount)
    down_error = square(s.goal_pred - down_pred)
    if down_error < up_error:
        move, new_weight = "down", s.weight - s.step_amount
    elif down_error > up_error:
        move, new_weight = "up", s.weight + s.step_amount
    else:
        move, new_weight = "stay", s.weight
    record = {
        "weight": s.weight,
        "input": s.input,
        "goal_pred": s.goal_pred,
        "step_amount": s.step_amount,
        "pred": pred,
        "error": error_,
        "up_pred": up_pred,
        "up_error": up_error,
        "down_pred": down_pred,
        "down_error": down_error,
        "move": move,
        "new_weight": new_weight,
    }
    return replace_unchecked(s, weight=new_weight), record


# --- many runs at once (the lesson instrument's slider grids) ----------------------------------
# The same operations in the same order on float64 arrays, so every record is bit for bit the one
# the scalar step makes — except squares: NumPy's ``x ** 2`` is ``x * x``, Python's is libm's pow,
# and the two differ in the last bit for some x. So squares shown in a record are computed by
# Python when the record is read (ColumnRun), and a decision taken on squares (hot and cold's
# move) is re-taken by Python wherever NumPy's two squares are too close to call.

_GD_KEYS = ("weight", "input", "goal_pred", "alpha", "pred", "error", "delta", "weight_delta", "new_weight")


def gd_many(weight, input, goal_pred, alpha, iterations: int) -> list[ColumnRun]:
    """:func:`gd_step` for many runs at once (one per element of the broadcast settings)."""
    w, x, g, a = (np.array(v, dtype=np.float64).ravel() for v in np.broadcast_arrays(weight, input, goal_pred, alpha))
    shape = (w.size, iterations)
    cols = {k: np.empty(shape) for k in _GD_KEYS}
    cols["input"][:], cols["goal_pred"][:], cols["alpha"][:] = x[:, None], g[:, None], a[:, None]
    with np.errstate(all="ignore"):
        for k in range(iterations):
            pred = x * w
            delta = pred - g
            weight_delta = delta * x
            new = w - a * weight_delta
            cols["weight"][:, k], cols["pred"][:, k], cols["error"][:, k] = w, pred, delta * delta
            cols["delta"][:, k], cols["weight_delta"][:, k], cols["new_weight"][:, k] = delta, weight_delta, new
            w = new
    exact = {"error": lambda r: square(r["pred"] - r["goal_pred"])}
    return ColumnRun.split(cols, _GD_KEYS, exact)


_HC_KEYS = ("weight", "input", "goal_pred", "step_amount", "pred", "error", "up_pred", "up_error",
            "down_pred", "down_error", "move", "new_weight")
_MOVES = ("down", "up", "stay")


#: How often (in iterations) :func:`hot_cold_many` looks whether every run has settled.
_CYCLE_CHECK = 8


def _cycled(weights: np.ndarray, k: int) -> bool:
    """Whether every run's weight at iteration ``k`` is bit for bit its weight at ``k - 2``. A
    hot-and-cold iteration is a function of the weight alone (input, goal_pred and step_amount
    stay), so from there on each run repeats its last two iterations exactly (a weight that
    stays is the same cycle)."""
    a = weights[:, k]
    return bool(np.array_equal(a.view(np.int64), weights[:, k - 2].view(np.int64)))


def _repeat_cycle(cols: dict, k: int, iterations: int) -> None:
    """Iterations ``k + 1 …`` as copies of ``k - 1`` and ``k`` (see :func:`_cycled`)."""
    rest = iterations - k - 1
    if rest <= 0:
        return
    for a in cols.values():
        pair = a[:, k - 1:k + 1]
        a[:, k + 1:] = np.tile(pair, (1, -(-rest // 2)))[:, :rest]


def hot_cold_many(weight, input, goal_pred, step_amount, iterations: int) -> list[ColumnRun]:
    """:func:`hot_cold_step` for many runs at once."""
    w, x, g, s = (np.array(v, dtype=np.float64).ravel() for v in np.broadcast_arrays(weight, input, goal_pred, step_amount))
    shape = (w.size, iterations)
    cols = {k: np.empty(shape) for k in _HC_KEYS if k != "move"}
    cols["move"] = np.empty(shape, dtype=np.int8)
    cols["input"][:], cols["goal_pred"][:], cols["step_amount"][:] = x[:, None], g[:, None], s[:, None]
    with np.errstate(all="ignore"):
        for k in range(iterations):
            pred = x * w
            up_pred = x * (w + s)
            down_pred = x * (w - s)
            du, dd = g - up_pred, g - down_pred
            up_e, down_e = du * du, dd * dd
            close = np.abs(down_e - up_e) <= 4e-16 * np.maximum(down_e, up_e)
            if close.any():  # too close to call with x * x: Python's own squares decide
                for j in np.flatnonzero(close).tolist():
                    up_e[j], down_e[j] = square(float(du[j])), square(float(dd[j]))
            down, up = down_e < up_e, down_e > up_e
            cols["move"][:, k] = np.where(down, 0, np.where(up, 1, 2))
            new = np.where(down, w - s, np.where(up, w + s, w))
            d = pred - g
            cols["weight"][:, k], cols["pred"][:, k], cols["error"][:, k] = w, pred, d * d
            cols["up_pred"][:, k], cols["up_error"][:, k] = up_pred, up_e
            cols["down_pred"][:, k], cols["down_error"][:, k], cols["new_weight"][:, k] = down_pred, down_e, new
            w = new
            if k >= 2 and k % _CYCLE_CHECK == 0 and _cycled(cols["weight"], k):
                _repeat_cycle(cols, k, iterations)
                break
    exact = {"error": lambda r: square(r["pred"] - r["goal_pred"]),
             "up_error": lambda r: square(r["goal_pred"] - r["up_pred"]),
             "down_error": lambda r: square(r["goal_pred"] - r["down_pred"]),
             "move": lambda r: _MOVES[int(r["move"])]}
    return ColumnRun.split(cols, _HC_KEYS, exact)


class ColumnRun:
    """A run kept as columns (one array per record field), with the interface of
    :class:`gdviz.core.run.Run`: ``records[i]`` is built when read (Python floats, squares
    by Python), ``column(name)`` is the field over the run, ``diverged_at`` as :func:`run.run`."""

    def __init__(self, cols: dict, keys: tuple, exact: dict, diverged_at: int | None):
        self._cols, self._keys, self._exact = cols, keys, exact
        self.diverged_at = diverged_at
        self._n = len(next(iter(cols.values())))
        self.records = _Rows(self)

    @classmethod
    def split(cls, cols: dict, keys: tuple, exact: dict) -> list["ColumnRun"]:
        n_runs, iterations = next(iter(cols.values())).shape
        finite = np.ones((n_runs, iterations), dtype=bool)
        for k in keys:
            if cols[k].dtype.kind == "f":
                finite &= np.isfinite(cols[k])
        bad = ~finite
        first = np.where(bad.any(axis=1), bad.argmax(axis=1), iterations).tolist()
        out = []
        for g, stop in enumerate(first):
            n = min(stop + 1, iterations)
            out.append(cls({k: cols[k][g, :n] for k in keys}, keys, exact, stop + 1 if stop < iterations else None))
        return out

    def __len__(self) -> int:
        return self._n

    def column(self, name: str) -> list:
        if name in self._exact:
            return [r[name] for r in self.records]
        return self._cols[name].tolist()

    def array(self, name: str) -> np.ndarray:
        """A field over the run as float64 (squares as NumPy computes them: for drawing)."""
        return self._cols[name]

    def record(self, i: int) -> dict:
        r = {k: (self._cols[k][i].item()) for k in self._keys}
        for k, f in self._exact.items():
            r[k] = f(r)
        return r


class _Rows:
    def __init__(self, run: ColumnRun):
        self._run, self._cache = run, {}

    def __len__(self) -> int:
        return len(self._run)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        r = self._cache.get(i)
        if r is None:
            r = self._cache[i] = self._run.record(i)
        return r

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __add__(self, other):
        return list(self) + list(other)
