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


def shaped(name: str, value, shape: tuple[int | None, ...], what: str) -> np.ndarray:
    """``value`` as a float64 array of ``shape`` (None = any length), or ValueError naming ``name``
    and saying ``what`` it should be (e.g. "784×hidden_size").

    Unlike ``array`` it neither copies nor freezes, and lets inf/nan through: weights that have
    diverged must still be shown. Freeze the result with ``frozen`` where it is kept.
    """
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers ({what})") from None
    if a.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape, a.shape)):
        raise ValueError(f"{name} must be {what}, got shape {'×'.join(map(str, a.shape)) or 'a scalar'}")
    return a


def frozen(a: np.ndarray) -> np.ndarray:
    """``a`` itself when nobody can change it any more (see ``immutable``), else a read-only copy.

    The loader's arrays pass (read-only views of read-only data), so the 10,000 test images
    are shared, never copied.
    """
    return a if immutable(a) else lock(a)


def lock(a) -> np.ndarray:
    """A read-only copy of ``a`` whose memory is an immutable ``bytes`` object.

    Clearing the write flag is not enough for data shared between sessions: NumPy lets the
    owner of the memory switch it back on (``a.setflags(write=True)``, or through ``a.base``).
    An array over ``bytes`` can never be made writable again.
    """
    a = np.asarray(a)
    locked = np.frombuffer(a.tobytes(), dtype=a.dtype)  # tobytes is in C order whatever a's layout
    locked.shape = a.shape  # in place: a fresh 1-D array reshapes without a copy (reshape() is slower)
    return locked


def immutable(a) -> bool:
    """True when nobody can change ``a``'s numbers any more.

    Read-only is not enough on its own: a read-only view of a writable array still changes
    when that array does, and an array that owns its memory can be made writable again. So the
    chain of bases is followed down to the memory, which must be ``bytes`` (see :func:`lock`).
    """
    while isinstance(a, np.ndarray):
        if a.flags.writeable or a.base is None:
            return False
        a = a.base
    return isinstance(a, bytes)


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
            if v.dtype.kind not in "fc":
                continue
            if v.size <= 32 and v.dtype.kind == "f":  # the lessons' small arrays: Python floats are quicker
                for x in v.ravel().tolist():
                    if x - x != 0.0:
                        return False
            elif not np.isfinite(v).all():
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
