"""Helpers shared by the tests: finite differences, and reading numbers back out of Plotly figures."""

from __future__ import annotations

import base64
import math

import numpy as np


def fd(f, x, eps=1e-6):
    """Central finite difference of scalar f at every entry of array x."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def assert_all_finite(fig):
    """No inf/nan reaches a trace's x, y or z: neither a number nor one inside a row (heatmaps)."""
    for t in fig.data:
        for attr in ("x", "y", "z"):
            v = getattr(t, attr, None)
            if v is None:
                continue
            a = np.array(v, dtype=object).ravel()
            nums = [float(x) for x in a if isinstance(x, (int, float, np.floating, np.integer))]
            nums += [float(x) for row in a if isinstance(row, (list, tuple, np.ndarray)) for x in np.ravel(row)]
            assert all(math.isfinite(x) for x in nums), f"non-finite value in {t.name}.{attr}"


def decode(obj):
    """A Plotly figure's JSON with its packed arrays (Plotly ≥ 6: ``{"dtype", "bdata"}``) as lists."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            if "shape" in obj:
                a = a.reshape([int(x) for x in str(obj["shape"]).split(",")])
            return a.tolist()
        return {k: decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    return obj
