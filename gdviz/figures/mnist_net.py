"""Part D figures: learning curves with the early-stopping point, kept runs overlaid, and the
hidden layer's weights as pictures.

Accuracy and error share one x axis, fixed to the planned number of iterations, so the curves
grow into a frame that never moves while training. Hidden units' pictures are tiled into one
mosaic (a single heatmap draws 100 pictures far faster than 100 subplots).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.figures import theme
from gdviz.figures.mnist import NUMBERS, colorbar_room

SIDE = 28
#: Colours of kept runs, in the order they were kept (the live run is always blue/orange).
KEPT = [theme.COLORS["green"], theme.COLORS["purple"], theme.COLORS["sky"], theme.COLORS["grey"],
        theme.COLORS["black"], theme.COLORS["vermillion"]]


def _finite(v):
    return float(v) if v is not None and math.isfinite(v) else None


def _tested(records: Sequence[dict], key: str) -> tuple[list, list]:
    pts = [(r["j"], _finite(r[key])) for r in records if r.get(key) is not None]
    return [x for x, _ in pts], [y for _, y in pts]


def best_point(records: Sequence[dict]) -> tuple[int, float] | None:
    """(j, test accuracy) of the best test so far (the earliest on a tie), or None."""
    best = None
    for r in records:
        a = _finite(r.get("test_accuracy"))
        if a is not None and (best is None or a > best[1]):
            best = (r["j"], a)
    return best


def curves(records: Sequence[dict], iterations: int, *, kept: Sequence[tuple[str, Sequence[dict]]] = (),
           lecture: bool = False) -> go.Figure:
    """Accuracy (left) and error (right) per iteration: train as a line (every iteration), test
    as markers joined (the iterations that were tested), the best test point starred.

    ``kept``: earlier runs as (label, records), drawn thinner in their own colours, test only
    (that is what they are compared on) plus their train accuracy dotted.
    """
    fig = theme.Plain.grid(rows=1, cols=2, subplot_titles=["accuracy", "error"], horizontal_spacing=0.09)
    errors = []
    for k, (label, recs) in enumerate(kept):
        color = KEPT[k % len(KEPT)]
        for col, key in ((1, "test_accuracy"), (2, "test_error")):
            xs, ys = _tested(recs, key)
            errors += [y for y in ys if y is not None]
            fig.add_trace("scatter", x=xs, y=ys, mode="lines", name=f"{label}: test", legendgroup=f"kept{k}",
                          showlegend=col == 1, line=dict(color=color, width=2),
                          hovertemplate=f"{label}<br>I:%{{x}} {key} %{{y:.4f}}<extra></extra>",
                          row=1, col=col)
        fig.add_trace("scatter", x=[r["j"] for r in recs], y=[_finite(r["train_accuracy"]) for r in recs],
                      mode="lines", name=f"{label}: train", legendgroup=f"kept{k}", showlegend=False,
                      line=dict(color=color, width=1.5, dash="dot"),
                      hovertemplate=f"{label}<br>I:%{{x}} train_accuracy %{{y:.4f}}<extra></extra>",
                      row=1, col=1)
    for col, key in ((1, "train_accuracy"), (2, "train_error")):
        ys = [_finite(r[key]) for r in records]
        errors += [y for y in ys if y is not None] if col == 2 else []
        fig.add_trace("scatter", x=[r["j"] for r in records], y=ys, mode="lines", name="train (this run)",
                      legendgroup="train", showlegend=col == 1,
                      line=dict(color=theme.PATH, width=3),
                      hovertemplate=f"I:%{{x}} {key} %{{y:.4f}}<extra></extra>", row=1, col=col)
    for col, key in ((1, "test_accuracy"), (2, "test_error")):
        xs, ys = _tested(records, key)
        errors += [y for y in ys if y is not None] if col == 2 else []
        fig.add_trace("scatter", x=xs, y=ys, mode="lines+markers", name="test (this run)", legendgroup="test",
                      showlegend=col == 1, line=dict(color=theme.CURVE, width=3),
                      marker=dict(size=6),
                      hovertemplate=f"I:%{{x}} {key} %{{y:.4f}}<extra></extra>", row=1, col=col)
    best = best_point(records)
    if best is not None:
        fig.add_trace("scatter", x=[best[0]], y=[best[1]], mode="markers+text", name="best test (stop here)",
                      marker=dict(symbol="star", size=20, color=theme.CURRENT,
                                  line=dict(color="white", width=1)),
                      text=[f"best {best[1]:.4f} at I:{best[0]}"], textposition="bottom right",
                      textfont=dict(size=18 if lecture else 13, color=theme.CURRENT),
                      cliponaxis=False, hovertemplate="early stopping point<br>I:%{x} "
                      "test_accuracy %{y:.4f}<extra></extra>", row=1, col=1)
        for col in (1, 2):
            fig.add_vline(x=best[0], line=dict(color=theme.CURRENT, width=1.5, dash="dash"), row=1, col=col)
    hi = max(1, int(iterations)) - 1
    for col in (1, 2):
        fig.update_xaxes(range=[-0.02 * max(hi, 1), hi + 0.02 * max(hi, 1) + 0.5], title_text="iteration (I)",
                         row=1, col=col)
    fig.update_yaxes(range=[0, 1.02], title_text="accuracy", row=1, col=1)
    top = max(errors) if errors else 1.0
    fig.update_yaxes(range=[0, max(top * 1.08, 0.1)], title_text="error (per image)", row=1, col=2, **NUMBERS)
    return fig.figure(lecture=lecture, height=460 if lecture else 380)


def mosaic(pictures, cols: int, gap: int = 2) -> np.ndarray:
    """Tile (n, 28, 28) pictures into one array, ``cols`` across, with blank (nan) gaps."""
    p = np.asarray(pictures, dtype=float)
    n = p.shape[0]
    rows = max(1, math.ceil(n / cols))
    cell = SIDE + gap
    out = np.full((rows * cell - gap, cols * cell - gap), np.nan)
    for k in range(n):
        r, c = divmod(k, cols)
        out[r * cell:r * cell + SIDE, c * cell:c * cell + SIDE] = p[k]
    return out


def hidden_maps(weights_0_1, *, lecture: bool = False, title: str | None = None) -> go.Figure:
    """Every hidden unit's 784 incoming weights as a 28×28 picture, tiled in one mosaic.

    One diverging colour scale (white 0) shared by all units: blue pixels make the unit quieter,
    vermillion pixels make it fire.
    """
    w = np.asarray(weights_0_1, dtype=float)
    n = w.shape[1]
    pics = w.T.reshape(n, SIDE, SIDE)
    cols = min(n, 10 if n <= 100 else 16)
    z = mosaic(pics, cols)
    finite = z[np.isfinite(z)]
    zmax = float(np.percentile(np.abs(finite), 99.5)) if finite.size else 1.0
    zmax = zmax if zmax > 0 else 1e-3
    cell = SIDE + 2
    unit = np.full(z.shape, -1)
    for k in range(n):
        r, c = divmod(k, cols)
        unit[r * cell:r * cell + SIDE, c * cell:c * cell + SIDE] = k
    fig = theme.Plain.of(
        "heatmap", z=np.clip(z, -zmax, zmax), zmin=-zmax, zmax=zmax, zmid=0,  # nan (gaps, overflow) stays blank
        colorscale=theme.DIVERGING, customdata=unit, hoverongaps=False,
        colorbar=dict(title=dict(text="weight", side="top"), thickness=14, **NUMBERS),
        hovertemplate="hidden unit %{customdata}<br>weight %{z:.4g}<extra></extra>")
    fig.update_layout(title=title or f"weights_0_1: {n} hidden units", margin=colorbar_room(lecture))
    rows = math.ceil(n / cols)
    fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, showline=False,
                     ticks="", scaleanchor="x", constrain="domain")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="",
                     constrain="domain")
    return fig.figure(lecture=lecture, height=max(240, min(1400, 100 + rows * (125 if lecture else 92))))


def output_map(weights_1_2, *, lecture: bool = False) -> go.Figure:
    """weights_1_2 (hidden × 10) as a heatmap: how much each hidden unit votes for each digit."""
    w = np.asarray(weights_1_2, dtype=float)
    finite = w[np.isfinite(w)]
    zmax = float(np.abs(finite).max()) if finite.size else 1.0
    zmax = zmax if zmax > 0 else 1e-3
    fig = theme.Plain.of(
        "heatmap", z=np.where(np.isfinite(w), w, None).T.tolist(), zmin=-zmax, zmax=zmax, zmid=0,
        colorscale=theme.DIVERGING, colorbar=dict(title=dict(text="weight", side="top"), thickness=14, **NUMBERS),
        hovertemplate="hidden unit %{x} → digit %{y}<br>weight %{z:.4g}<extra></extra>")
    fig.update_xaxes(title_text="hidden unit", showgrid=False, zeroline=False)
    fig.update_yaxes(title_text="digit (output)", tickmode="linear", dtick=1, autorange="reversed",
                     showgrid=False, zeroline=False)
    fig.update_layout(title="weights_1_2: votes per digit", margin=colorbar_room(lecture))
    return fig.figure(lecture=lecture, height=380 if lecture else 300)
