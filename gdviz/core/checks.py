"""Input validation shared by the core's public functions.

Every check raises ``ValueError`` naming the parameter, so the CLI and the pages can
show one clear line instead of a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np


def number(name: str, value, lo: float | None = None, hi: float | None = None) -> float:
    """Return ``value`` as a finite float within [lo, hi], or raise ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if lo is not None and x < lo:
        raise ValueError(f"{name} must be at least {lo:g}, got {x!r}")
    if hi is not None and x > hi:
        raise ValueError(f"{name} must be at most {hi:g}, got {x!r}")
    return x


def count(name: str, value, lo: int = 0, hi: int | None = None) -> int:
    """Return ``value`` as an int within [lo, hi], or raise ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    n = int(value)
    if n < lo:
        raise ValueError(f"{name} must be at least {lo}, got {n}")
    if hi is not None and n > hi:
        raise ValueError(f"{name} must be at most {hi}, got {n}")
    return n


def array(name: str, value, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 array of the given shape (None = any length)."""
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {value!r}") from None
    if shape is not None:
        if a.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape, a.shape)):
            want = "×".join("n" if s is None else str(s) for s in shape) or "a scalar"
            raise ValueError(f"{name} must have shape {want}, got {'×'.join(map(str, a.shape)) or 'a scalar'}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    a.setflags(write=False)
    return a


def all_finite(values: Mapping | Iterable) -> bool:
    """True when every number (or array) among ``values`` is finite.

    Runs after every step of every run, so the common types (float, ndarray) are tested first
    by exact type: the abstract-class checks below them cost more than a step itself.
    """
    items = values.values() if isinstance(values, Mapping) else values
    for v in items:
        t = type(v)
        if t is float:
            if v - v != 0.0:  # inf - inf and nan - nan are nan; finite - itself is 0
                return False
        elif t is np.ndarray:
            if v.dtype.kind in "fc" and not np.isfinite(v).all():
                return False
        elif t is int or t is bool or t is str or v is None:
            continue
        elif isinstance(v, Mapping):
            if not all_finite(v):
                return False
        elif isinstance(v, (Real, np.floating, np.integer)):
            if not math.isfinite(float(v)):
                return False
        elif isinstance(v, (list, tuple)):
            try:
                if not np.all(np.isfinite(np.asarray(v, dtype=np.float64))):
                    return False
            except (TypeError, ValueError):
                if not all_finite(v):
                    return False
    return True
