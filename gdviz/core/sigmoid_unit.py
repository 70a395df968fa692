"""One sigmoid unit learning by the delta rule, a 2-1-1 backprop example, vanishing gradients.

The deck's names, as ASCII in code and records:

==========  ==============  ==================================================
deck        code            meaning
==========  ==============  ==================================================
x_i         ``x``           the inputs
y           ``y``           the target
w_i         ``w``           the weights (before the update)
h           ``h``           the weighted sum ``Σ wᵢxᵢ`` fed to the sigmoid
ŷ           ``y_hat``       the prediction ``f(h)``
y − ŷ       ``error``       how far the prediction is from the target
f'(h)       ``f_prime``     the sigmoid's slope at ``h`` (``ŷ(1 − ŷ)``)
δ           ``delta``       the error term ``(y − ŷ) f'(h)``
η           ``learn_rate``  the learning rate (eta)
Δw_i        ``delta_w``     the step ``η δ xᵢ``, added to the weights
==========  ==============  ==================================================

The error is ``E = ½ (y − ŷ)²`` for one record. Its slope with respect to ``wᵢ`` is
``−(y − ŷ) f'(h) xᵢ = −δ xᵢ`` (chain rule), so stepping *against* the slope adds ``η δ xᵢ``.
Over many records the mean ``E = 1/(2m) Σ (y − ŷ)²`` is used, so the size of a step does not
grow with the size of the dataset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdviz.core import checks
from gdviz.core.activations import sigmoid
from gdviz.core.frozen import replace_unchecked

#: The sigmoid's slope ``f(h)(1 − f(h))`` is largest at ``h = 0``, where it is 0.25.
MAX_SLOPE = 0.25


def _weighted_sum(x: np.ndarray, w: np.ndarray):
    """``Σ wᵢxᵢ`` summed in a fixed order (elementwise product, then sum), so logs are stable."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sum(x * w, axis=-1)


@dataclass(frozen=True)
class SigmoidUnit:
    """A sigmoid unit, its data and its learning rate.

    ``x`` is one record (n inputs) or m records (an m×n array); ``y`` is one target or m.
    ``index`` is the record the per-record :func:`step` uses next (it cycles through them).
    """

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    learn_rate: float = 0.5
    index: int = 0

    def __post_init__(self):
        x = checks.array("x", self.x)
        if x.ndim == 1:
            x = checks.array("x", x.reshape(1, -1))
        if x.ndim != 2 or x.shape[1] == 0:
            raise ValueError(f"x must be one record of inputs or a table of records, got shape {x.shape}")
        y = checks.array("y", self.y)
        y = checks.array("y", y.reshape(-1))
        if y.shape[0] != x.shape[0]:
            raise ValueError(f"y must have one target per record of x ({x.shape[0]}), got {y.shape[0]}")
        w = checks.array("w", self.w, shape=(x.shape[1],))
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "learn_rate", checks.number("learn_rate", self.learn_rate))
        object.__setattr__(self, "index", checks.count("index", self.index, lo=0, hi=x.shape[0] - 1))


def unit_record(x, y, w, learn_rate) -> dict:
    """Every intermediate value of one delta-rule step on one record (checked inputs)."""
    x = checks.array("x", x, shape=(None,))
    w = checks.array("w", w, shape=(x.shape[0],))
    y = checks.number("y", y)
    learn_rate = checks.number("learn_rate", learn_rate)
    return _record(x, y, w, learn_rate)


def _record(x: np.ndarray, y: float, w: np.ndarray, learn_rate: float) -> dict:
    with np.errstate(over="ignore", invalid="ignore"):
        h = float(_weighted_sum(x, w))
        y_hat = float(sigmoid.value(h))
        error = y - y_hat
        f_prime = float(sigmoid.deriv(y_hat))
        delta = error * f_prime
        delta_w = learn_rate * delta * x
        new_w = w + delta_w
    return {
        "x": x, "y": y, "w": w, "learn_rate": learn_rate,
        "h": h, "y_hat": y_hat, "error": error, "f_prime": f_prime, "delta": delta,
        "delta_w": delta_w, "new_w": new_w,
        "E": 0.5 * error * error,
    }


def step(s: SigmoidUnit) -> tuple[SigmoidUnit, dict]:
    """One delta-rule update on one record (record ``s.index``); the next step uses the next one."""
    record = _record(s.x[s.index], float(s.y[s.index]), s.w, s.learn_rate)
    record["index"] = s.index
    return _with(s, record["new_w"], (s.index + 1) % s.x.shape[0]), record


def mean_step(s: SigmoidUnit) -> tuple[SigmoidUnit, dict]:
    """One update from all records at once: the mean of their steps (the slope of ``1/(2m) Σ (y − ŷ)²``).

    The record holds one value per record for ``h, y_hat, error, f_prime, delta`` and the
    averaged ``delta_w``; ``E`` is the mean error.
    """
    m = s.x.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        h = _weighted_sum(s.x, s.w)
        y_hat = sigmoid.value(h)
        error = s.y - y_hat
        f_prime = sigmoid.deriv(y_hat)
        delta = error * f_prime
        delta_w = s.learn_rate * (delta @ s.x) / m
        new_w = s.w + delta_w
        E = float(np.sum(error * error) / (2 * m))
    record = {
        "x": s.x, "y": s.y, "w": s.w, "learn_rate": s.learn_rate,
        "h": h, "y_hat": y_hat, "error": error, "f_prime": f_prime, "delta": delta,
        "delta_w": delta_w, "new_w": new_w, "E": E,
    }
    return _with(s, new_w, s.index), record


def _with(s: SigmoidUnit, w: np.ndarray, index: int) -> SigmoidUnit:
    """``s`` with a read-only copy of new weights ``w`` (not re-validated: they may have overflowed)."""
    w = np.array(w)
    w.setflags(write=False)
    return replace_unchecked(s, w=w, index=index)


# --- backpropagation by hand: 2 inputs -> 1 hidden -> 1 output, sigmoid everywhere -------------

#: How many decimals the deck keeps for each value it shows when it works the 2-1-1 example by
#: hand. Each rounded value is the one used further on, as on paper.
DECK_DECIMALS = {"h": 3, "a": 3, "y_hat": 3, "delta_output": 3, "delta_hidden": 3,
                 "delta_W": 4, "delta_w": 5}


def backprop_211(x, y, w, W, learn_rate, decimals: dict[str, int] | None = None) -> dict:
    """Every intermediate value of one backprop step on a 2-1-1 sigmoid network.

    ``x`` (2 inputs), target ``y``, input→hidden weights ``w`` (2), hidden→output weight ``W``.
    Keys: ``h = Σ wᵢxᵢ``, ``a = f(h)`` (the hidden output), ``h_output = W a``,
    ``y_hat = f(W a)``, ``error = y − ŷ``, ``f_prime_output = ŷ(1 − ŷ)``,
    ``delta_output = (y − ŷ) f'(W a)`` (δᵒ), ``f_prime_hidden = a(1 − a)``,
    ``delta_hidden = W δᵒ f'(h)`` (δʰ), ``delta_W = η δᵒ a``, ``delta_w = η δʰ x``,
    ``new_W = W + ΔW``, ``new_w = w + Δw``, ``E = ½(y − ŷ)²``.

    With ``decimals`` (e.g. :data:`DECK_DECIMALS`) each named value is rounded before it is
    used further on, the way the deck works it by hand.
    """
    x = checks.array("x", x, shape=(2,))
    w = checks.array("w", w, shape=(2,))
    y = checks.number("y", y)
    W = checks.number("W", W)
    learn_rate = checks.number("learn_rate", learn_rate)
    return _backprop(x, y, w, W, learn_rate, dict(decimals or {}))


def _backprop(x, y, w, W, learn_rate, digits) -> dict:
    def r(name, v):
        return np.round(v, digits[name]) if name in digits else v

    with np.errstate(over="ignore", invalid="ignore"):
        h = float(r("h", _weighted_sum(x, w)))
        a = float(r("a", sigmoid.value(h)))
        h_output = W * a
        y_hat = float(r("y_hat", sigmoid.value(h_output)))
        error = y - y_hat
        f_prime_output = y_hat * (1 - y_hat)
        delta_output = float(r("delta_output", error * f_prime_output))
        f_prime_hidden = a * (1 - a)
        delta_hidden = float(r("delta_hidden", W * delta_output * f_prime_hidden))
        delta_W = float(r("delta_W", learn_rate * delta_output * a))
        delta_w = r("delta_w", learn_rate * delta_hidden * x)
        new_W = W + delta_W
        new_w = w + delta_w
    return {
        "x": x, "y": y, "w": w, "W": W, "learn_rate": learn_rate,
        "h": h, "a": a, "h_output": h_output, "y_hat": y_hat, "error": error,
        "f_prime_output": f_prime_output, "delta_output": delta_output,
        "f_prime_hidden": f_prime_hidden, "delta_hidden": delta_hidden,
        "delta_W": delta_W, "delta_w": delta_w, "new_W": new_W, "new_w": new_w,
        "E": 0.5 * error * error,
    }


@dataclass(frozen=True)
class TwoOneOne:
    """A 2-1-1 sigmoid network on one record, for stepping :func:`backprop_step` repeatedly."""

    x: np.ndarray
    y: float
    w: np.ndarray
    W: float
    learn_rate: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "x", checks.array("x", self.x, shape=(2,)))
        object.__setattr__(self, "w", checks.array("w", self.w, shape=(2,)))
        for name in ("y", "W", "learn_rate"):
            object.__setattr__(self, name, checks.number(name, getattr(self, name)))


def backprop_step(s: TwoOneOne, decimals: dict[str, int] | None = None) -> tuple[TwoOneOne, dict]:
    """One backprop update of a 2-1-1 network; the record is :func:`backprop_211`'s."""
    record = _backprop(s.x, s.y, s.w, s.W, s.learn_rate, dict(decimals or {}))
    new_w = np.array(record["new_w"])
    new_w.setflags(write=False)
    return replace_unchecked(s, w=new_w, W=record["new_W"]), record


# --- vanishing gradient ------------------------------------------------------------------------

def slope(h) -> np.ndarray | float:
    """The sigmoid's slope ``f'(h) = f(h)(1 − f(h))`` at ``h`` (a number or an array)."""
    out = sigmoid.deriv(sigmoid.value(h))
    return float(out) if np.ndim(out) == 0 else out


def signal_factor(k: int) -> float:
    """The most an error signal can keep after passing back through ``k`` sigmoid layers.

    Each layer multiplies it by a slope of at most 0.25 (and by weights; here taken as 1), so
    the factor is at most ``0.25 ** k``: 0.25, 0.0625, 0.0156, … — the vanishing gradient.
    """
    k = checks.count("k", k, lo=0, hi=1000)
    return MAX_SLOPE**k


def saturation(scale: float, n_inputs: int, samples: int = 2000, seed: int = 0,
               threshold: float = 0.05) -> dict:
    """How many sigmoid units start *saturated* when weights are drawn normal(0, ``scale``).

    Draws ``samples`` units with ``n_inputs`` weights each (RandomState(seed), weights first),
    feeds each one inputs drawn uniformly from 0.01–0.99 (prepared data), and measures
    ``h = Σ wᵢxᵢ``. A unit is saturated when its slope ``f'(h)`` is below ``threshold``: it
    hardly learns. The usual remedy is ``scale = 1/√n_inputs``, returned as
    ``recommended_scale``.

    Keys: ``h`` and ``f_prime`` (one per unit), ``saturated`` (the fraction below the
    threshold), ``scale``, ``n_inputs``, ``threshold``, ``recommended_scale``.
    """
    scale = checks.number("scale", scale, lo=0, hi=1e6)
    n_inputs = checks.count("n_inputs", n_inputs, lo=1, hi=10_000)
    samples = checks.count("samples", samples, lo=1, hi=100_000)
    threshold = checks.number("threshold", threshold, lo=0, hi=MAX_SLOPE)
    if n_inputs * samples > 10_000_000:
        raise ValueError(f"n_inputs × samples must be at most 10000000, got {n_inputs * samples}")
    rng = np.random.RandomState(checks.count("seed", seed, lo=0, hi=2**32 - 1))
    w = rng.normal(0.0, scale, (samples, n_inputs))
    x = rng.uniform(0.01, 0.99, (samples, n_inputs))
    h = _weighted_sum(x, w)
    f_prime = slope(h)
    return {
        "h": h, "f_prime": f_prime, "saturated": float(np.mean(f_prime < threshold)),
        "scale": scale, "n_inputs": n_inputs, "threshold": threshold,
        "recommended_scale": 1.0 / math.sqrt(n_inputs),
    }


# --- many units at once (a leading grid axis) ----------------------------------------------------

def unit_grid(x, y, w, learn_rate, iterations: int) -> dict[str, np.ndarray]:
    """:func:`step` for ``G`` one-record units at once, ``iterations`` times each.

    ``x`` and ``w`` are G×n, ``y`` and ``learn_rate`` G values. Returns :func:`step`'s record
    keys (no ``x``, ``y``, ``learn_rate``, ``index``) as arrays with a leading iteration axis:
    ``out[key][k, g]`` is the value of the k-th record of unit ``g`` stepped alone, computed
    with the same operations in the same order (bit for bit). Nothing stops at an overflow:
    the caller cuts each unit's run at its first non-finite record.
    """
    x = checks.array("x", x, shape=(None, None))
    g, n = x.shape
    y = checks.array("y", y, shape=(g,))
    w = checks.array("w", w, shape=(g, n))
    lr = checks.array("learn_rate", learn_rate, shape=(g,))
    iterations = checks.count("iterations", iterations, lo=1, hi=100_000)
    out = {k: np.empty((iterations, g)) for k in ("h", "y_hat", "error", "f_prime", "delta", "E")}
    ws = np.empty((iterations + 1, g, n))
    dws = np.empty((iterations, g, n))
    ws[0] = w
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(iterations):
            h = np.sum(x * ws[k], axis=-1)
            y_hat = sigmoid.value(h)
            error = y - y_hat
            f_prime = sigmoid.deriv(y_hat)
            delta = error * f_prime
            dws[k] = (lr * delta)[:, None] * x
            ws[k + 1] = ws[k] + dws[k]
            for name, v in (("h", h), ("y_hat", y_hat), ("error", error), ("f_prime", f_prime), ("delta", delta)):
                out[name][k] = v
            out["E"][k] = 0.5 * error * error
    out.update(w=ws[:-1], new_w=ws[1:], delta_w=dws)
    return out


def backprop_grid(x, y, w, W, learn_rate, iterations: int) -> dict[str, np.ndarray]:
    """:func:`backprop_step` (unrounded) for ``G`` 2-1-1 networks at once, like :func:`unit_grid`:
    ``x``, ``w`` G×2; ``y``, ``W``, ``learn_rate`` G values; ``out[key][k, g]``."""
    x = checks.array("x", x, shape=(None, 2))
    g = x.shape[0]
    w = checks.array("w", w, shape=(g, 2))
    y, W0, lr = (checks.array(name, v, shape=(g,)) for name, v in (("y", y), ("W", W), ("learn_rate", learn_rate)))
    iterations = checks.count("iterations", iterations, lo=1, hi=100_000)
    keys = ("h", "a", "h_output", "y_hat", "error", "f_prime_output", "delta_output", "f_prime_hidden",
            "delta_hidden", "delta_W", "E")
    out = {k: np.empty((iterations, g)) for k in keys}
    ws = np.empty((iterations + 1, g, 2))
    Ws = np.empty((iterations + 1, g))
    dws = np.empty((iterations, g, 2))
    ws[0], Ws[0] = w, W0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(iterations):
            Wk = Ws[k]
            h = np.sum(x * ws[k], axis=-1)
            a = sigmoid.value(h)
            h_output = Wk * a
            y_hat = sigmoid.value(h_output)
            error = y - y_hat
            f_prime_output = y_hat * (1 - y_hat)
            delta_output = error * f_prime_output
            f_prime_hidden = a * (1 - a)
            delta_hidden = Wk * delta_output * f_prime_hidden
            delta_W = lr * delta_output * a
            dws[k] = (lr * delta_hidden)[:, None] * x
            Ws[k + 1] = Wk + delta_W
            ws[k + 1] = ws[k] + dws[k]
            for name, v in zip(keys, (h, a, h_output, y_hat, error, f_prime_output, delta_output,
                                      f_prime_hidden, delta_hidden, delta_W, 0.5 * error * error)):
                out[name][k] = v
    out.update(w=ws[:-1], new_w=ws[1:], W=Ws[:-1], new_W=Ws[1:], delta_w=dws)
    return out
