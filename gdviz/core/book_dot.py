"""Weighted sums added in the book's order, so its printed digits come out on every CPU.

``np.dot`` hands small products to BLAS, and BLAS picks its kernel by processor: on one
machine it adds ``a0*b0 + a1*b1 + ...`` one term at a time, on another (AVX-512, say) it
fuses multiply and add or adds in pairs. Each way is correct to the last bit or so, but the
book prints errors with all 17 digits, and C3's second line changed in its last digit between
two of our machines. Here every product is rounded on its own and the products are added one
at a time from the left, which is what the book's machine did and what every CPU does the same.
"""

from __future__ import annotations

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """``a @ b`` for ``a`` (..., k) and ``b`` (k,) or (k, m), added left to right, no fused multiply-add.

    The products are formed one by one and then accumulated in order (``np.add.accumulate``
    adds each term to the running total of the ones before it), so it stays vectorised; meant
    for the small products of the book's exact lessons, not for MNIST. Two vectors give a float.
    """
    a = _floats(a)
    b = _floats(b)
    if a.ndim == 0 or b.ndim not in (1, 2) or a.shape[-1] != b.shape[0]:
        raise ValueError(f"dot: shapes {a.shape} and {b.shape} do not fit")
    if a.ndim == 1 and b.ndim == 1:  # one weighted sum: Python's floats add the same way, faster
        total = 0.0
        for x, y in zip(a.tolist(), b.tolist()):
            total = total + x * y
        return total
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1] + b.shape[1:])
    if b.ndim == 1:
        return np.add.accumulate(a * b, axis=-1)[..., -1] + 0.0  # + 0.0: -0 becomes 0, as 0 + -0 does
    return np.add.accumulate(a[..., :, None] * b, axis=-2)[..., -1, :] + 0.0


_FLOAT = np.dtype(np.float64)


def _floats(x) -> np.ndarray:
    if type(x) is np.ndarray and x.dtype is _FLOAT:  # the common case, without a copy or a lookup
        return x
    return np.asarray(x, dtype=float)
