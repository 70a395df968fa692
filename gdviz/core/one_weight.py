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


def predict(input: float, weight: float) -> float:
    return input * weight


def error(pred: float, goal_pred: float) -> float:
    return square(pred - goal_pred)


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
