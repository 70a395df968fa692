"""Activation functions as (value, derivative) pairs, shared by every network.

``deriv`` takes the activation's *output* (as the book's ``relu2deriv(layer_1)`` does), so a
backward pass never needs the pre-activation values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    value: Callable[[np.ndarray], np.ndarray]
    deriv: Callable[[np.ndarray], np.ndarray]  # as a function of the output


def _sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


linear = Activation("linear", lambda x: x, lambda out: np.ones_like(out))
# Chapter 6 writes relu with (x > 0), chapter 8 with (x >= 0); both give the same values.
relu = Activation("relu", lambda x: (x > 0) * x, lambda out: out > 0)
sigmoid = Activation("sigmoid", _sigmoid, lambda out: out * (1 - out))

BY_NAME = {a.name: a for a in (linear, relu, sigmoid)}


def get(name: str) -> Activation:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"activation must be one of {', '.join(BY_NAME)}, got {name!r}") from None
