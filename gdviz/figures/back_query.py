"""Part F3 figures: the ten back-queried digits, and accuracy while the network learns.

The back-queried images are drawn like the MNIST images themselves (white 0.01, black 0.99 —
high inputs are where the network "wants ink"), on the fixed range 0.01 … 0.99 that back-query
always fills. The accuracy curve's axes come from the whole run, so they never jump while a
timeline is scrubbed or training adds records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.figures import theme
from gdviz.figures.mnist import GREYS, _image_axes, _picture, _square, colorbar_room

DIGITS = 10
SIDE = 28
#: The range back-query squeezes every image into (matrix_net.LOW, matrix_net.HIGH).
LOW, HIGH = 0.01, 0.99


def back_query_maps(images10, lecture: bool = False, *, title: str | None = None) -> go.Figure:
    """Ten 28×28 heatmaps in a 2×5 grid, titled "0" … "9", one colour scale 0.01 … 0.99.

    ``images10`` is 10×28×28 or 10×784 (``mnist_sigmoid.back_query_digits``). Values outside
    0.01 … 0.99 are clipped to it; inf/nan are left blank (and the title says so).
    """
    a = np.asarray(images10, dtype=float)
    if a.size != DIGITS * SIDE * SIDE or a.shape[0] != DIGITS:
        raise ValueError(f"images10 must be 10 images of 28×28 (or 784) values, got shape {a.shape}")
    a = a.reshape(DIGITS, SIDE, SIDE)
    fig = theme.Plain.grid(rows=2, cols=5, subplot_titles=[str(d) for d in range(DIGITS)],
                           horizontal_spacing=0.02, vertical_spacing=0.09 if lecture else 0.07)
    finite = np.isfinite(a)
    blank = not finite.all()
    a = np.where(finite, np.clip(np.where(finite, a, LOW), LOW, HIGH), np.nan)  # inf too: blank
    for d in range(DIGITS):
        fig.add_trace(
            "heatmap", z=_picture(a[d]), zmin=LOW, zmax=HIGH, colorscale=GREYS,
            showscale=d == 0, name=f"digit {d}",
            colorbar=dict(title=dict(text="input", side="top"), thickness=14, len=0.9,
                          tickvals=[LOW, 0.5, HIGH], ticktext=["0.01", "0.5", "0.99"]),
            hovertemplate=f"digit {d}<br>row %{{y}}, column %{{x}}<br>input %{{z:.4g}}<extra></extra>",
            row=d // 5 + 1, col=d % 5 + 1)
    if blank:
        title = (title + " — " if title else "") + "some values are not finite (left blank)"
    if title:
        fig.update_layout(title=title)
    _image_axes(fig)
    _square(fig, DIGITS)
    fig.update_layout(margin=colorbar_room(lecture))
    return fig.figure(lecture=lecture, height=660 if lecture else 520)


def _position(r: dict) -> float:
    """Where a record ends, in epochs (2.5 = half-way through the third epoch)."""
    return (r["epoch"] - 1) + r["epoch_images"] / r["train_images"]


def _finite(v) -> float | None:
    return float(v) if v is not None and math.isfinite(float(v)) else None


def accuracy_range(records: Sequence[dict]) -> list[float]:
    """A fixed y range for a run's accuracies: from just under the lowest (tenths) to 1."""
    vals = [v for r in records for v in (_finite(r["train_accuracy"]), _finite(r["test_accuracy"]))
            if v is not None]
    lo = min(vals, default=0.0)
    return [max(0.0, math.floor(lo * 10 - 1e-9) / 10), 1.0]


def accuracy_curve(records: Sequence[dict], i: int, lecture: bool = False, *,
                   epochs: float | None = None) -> go.Figure:
    """Accuracy against epochs: per chunk while learning (train) and after each epoch (test).

    ``i`` is the current record (0-based), marked and lined. ``epochs`` fixes the x axis to a
    planned run length (so a run still training keeps its axes); by default it is where the
    last record ends.
    """
    if not records:
        raise ValueError("records must hold at least one record")
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(records):
        raise ValueError(f"i must be a record index from 0 to {len(records) - 1}, got {i!r}")
    xs = [_position(r) for r in records]
    end = max(xs[-1], float(epochs) if epochs is not None and math.isfinite(epochs) else 0.0)
    fig = theme.Plain()
    fig.add_trace(
        "scatter", x=xs, y=[_finite(r["train_accuracy"]) for r in records], mode=theme.line_mode(len(xs)),
        name="train (each chunk, scored before learning)",
        line=dict(color=theme.PATH, width=2), marker=dict(size=5),
        hovertemplate="epoch %{x:.2f}<br>train accuracy %{y:.4f}<extra></extra>")
    tests = [(x, _finite(r["test_accuracy"])) for x, r in zip(xs, records) if r["test_accuracy"] is not None]
    fig.add_trace(
        "scatter", x=[x for x, _ in tests], y=[y for _, y in tests], mode="lines+markers+text",
        name="test (10,000 images, after each epoch)",
        line=dict(color=theme.CURVE, width=3), marker=dict(size=9),
        text=[theme.num(y, 4) if y is not None else "" for _, y in tests], textposition="bottom center",
        textfont=dict(size=20 if lecture else 13, color=theme.CURVE), cliponaxis=False,
        hovertemplate="epoch %{x:.2f}<br>test accuracy %{y:.6f}<extra></extra>")
    current = records[i]
    cy = _finite(current["test_accuracy"])
    if cy is None:
        cy = _finite(current["train_accuracy"])
    fig.add_trace(
        "scatter", x=[xs[i]], y=[cy], mode="markers", name="now", showlegend=False,
        marker=dict(color=theme.CURRENT, size=15, symbol="circle-open", line=dict(width=3)),
        hovertemplate="now: epoch %{x:.2f}<br>accuracy %{y:.4f}<extra></extra>")
    fig.add_vline(x=xs[i], line=dict(color="#444", width=1.5))
    fig.update_layout(title=f"accuracy after {current['images_seen']:,} images (epoch {current['epoch']})")
    fig.update_xaxes(range=[0.0, end + max(0.3, 0.06 * end)], title_text="epochs",
                     tickmode="linear", tick0=0, dtick=1 if end <= 20 else 5)
    fig.update_yaxes(range=accuracy_range(records), title_text="accuracy")
    return fig.figure(lecture=lecture, height=440 if lecture else 340)
