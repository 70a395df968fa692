"""A digit drawn with the mouse, turned into an MNIST-like 28×28 image.

MNIST's digits were prepared in a particular way: each one was scaled (keeping its aspect ratio)
to fit a 20×20 box, with grey levels from the averaging, then placed in a 28×28 frame so that
its centre of mass sits in the middle. A network trained on MNIST expects exactly that, so a
drawing goes through the same steps before it is scored: find the ink, crop to it, average it
down to fit 20×20, centre it by mass in 28×28.
"""

from __future__ import annotations

import numpy as np

from gdviz.core import checks

SIZE = 28
BOX = 20


def ink(canvas) -> np.ndarray:
    """The ink of a canvas image as floats in [0, 1] (light strokes on a dark background).

    Accepts a 2-D grey image or an RGB/RGBA array of shape (h, w, 3|4) with values 0–255; the
    ink is the brightest colour channel, so any light stroke colour counts.
    """
    a = np.asarray(canvas)
    if a.ndim == 3 and a.shape[2] in (3, 4):
        a = a[:, :, :3].max(axis=2)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"canvas must be a 2-D image or an (h, w, 3|4) colour image, got shape {a.shape}")
    a = checks.array("canvas", a.astype(np.float64))
    return np.clip(a / 255.0, 0.0, 1.0)


def _bins(n: int, m: int) -> np.ndarray:
    """For each of ``n`` cells, the one of ``m`` cells its centre falls in."""
    return np.minimum((np.arange(n) + 0.5) * m // n, m - 1).astype(int)


def _area_resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Average ``a`` down (or repeat it up) to ``h``×``w``: each output cell is the mean of the
    input pixels whose centres fall in it."""
    if a.shape[0] < h or a.shape[1] < w:  # tiny input: sample instead of binning
        return a[np.ix_(_bins(h, a.shape[0]), _bins(w, a.shape[1]))]
    rows, cols = _bins(a.shape[0], h), _bins(a.shape[1], w)
    total = np.zeros((h, w))
    np.add.at(total, (rows[:, None], cols[None, :]), a)
    counts = np.zeros((h, w))
    np.add.at(counts, (rows[:, None], cols[None, :]), 1.0)
    return total / counts


def to_mnist(canvas, threshold: float = 0.05) -> np.ndarray | None:
    """784 pixel values in [0, 1] (row by row), prepared as MNIST's were; None for a blank canvas.

    Multiply by 255 for the raw pixel scale; the result is in the ``/255`` scale of
    :func:`gdviz.core.mnist.load` already.
    """
    a = ink(canvas)
    on = a > threshold
    if not on.any():
        return None
    r = np.flatnonzero(on.any(axis=1))
    c = np.flatnonzero(on.any(axis=0))
    crop = a[r[0]:r[-1] + 1, c[0]:c[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = _area_resize(crop, nh, nw)
    small = small / small.max()  # a faint stroke still makes a full-strength digit
    out = np.zeros((SIZE, SIZE))
    # centre of mass of the small digit, moved to pixel (14, 14), where MNIST's digits have theirs
    ys, xs = np.indices(small.shape)
    mass = small.sum()
    cy, cx = (ys * small).sum() / mass, (xs * small).sum() / mass
    top = int(round(SIZE / 2 - cy))
    left = int(round(SIZE / 2 - cx))
    top = min(max(top, 0), SIZE - nh)
    left = min(max(left, 0), SIZE - nw)
    out[top:top + nh, left:left + nw] = small
    flat = out.reshape(-1)
    flat.setflags(write=False)
    return flat
