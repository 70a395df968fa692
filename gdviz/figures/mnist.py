"""Part B5 figures: what a 784→10 layer learns on MNIST.

Ten weight pictures (one per digit), a test image, its ten scores, the pixel-by-pixel
make-up of the winning score, and accuracy/error per pass. Colour ranges and axes are
computed once for a whole run, so scrubbing the timeline never rescales a picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.core import single_layer as sl
from gdviz.figures import theme
from gdviz.figures.theme import num

SIDE = sl.SIDE
DIGITS = sl.DIGITS
#: Ink: white background, black strokes.
GREYS = [[0.0, "#FFFFFF"], [1.0, "#000000"]]
#: Small numbers on colour bars and axes as 0.001 or 1e-4, never with SI prefixes ("100µ").
NUMBERS = dict(exponentformat="e")


def colorbar_room(lecture: bool) -> dict:
    """A right margin that holds a colour bar's ticks and its title above it (a title beside the
    bar, turned on its side, was cut off in lecture type)."""
    return dict(r=90 if lecture else 50)


# --- ranges fixed over a run -----------------------------------------------------------------

def _max_abs(arrays) -> float:
    """The largest finite |value| in ``arrays``; a small positive number when there is none."""
    top = 0.0
    for a in arrays:
        a = np.asarray(a, dtype=float)
        finite = a[np.isfinite(a)]
        if finite.size:
            top = max(top, float(np.max(np.abs(finite))))
    return top if top > 0 else 1e-3


def weight_range(records: Sequence[dict]) -> float:
    """``zmax`` for the weight pictures of a whole run (the colour scale is −zmax … zmax)."""
    return _max_abs([r["new_weights"] for r in records])


def contribution_range(records: Sequence[dict], image) -> float:
    """``zmax`` for image × weights of one image over a whole run (every digit, every pass)."""
    x = np.asarray(image, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return _max_abs([np.asarray(r["new_weights"]) * x for r in records])


def score_range(records: Sequence[dict], image) -> list[float]:
    """A fixed y range for one image's ten scores over a whole run (always including 0 and 1)."""
    vals = [0.0, 1.0]
    for r in records:
        pred = sl.scores(r["new_weights"], image)
        vals += [float(p) for p in pred if math.isfinite(p)]
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.08
    return [lo - pad, hi + pad]


def winner(pred) -> int:
    """The digit with the highest score (the network's answer); 0 when no score is finite."""
    p = np.asarray(pred, dtype=float)
    if not np.isfinite(p).any():
        return 0
    return int(np.argmax(np.where(np.isfinite(p), p, -np.inf)))


# --- helpers ---------------------------------------------------------------------------------

def _picture(values, zmax: float | None = None):
    """A 28×28 list of rows for a heatmap: finite values (clipped to ±zmax), None for inf/nan."""
    a = np.asarray(values, dtype=float).reshape(SIDE, SIDE)
    if np.isfinite(a).all():
        return a if zmax is None else np.clip(a, -zmax, zmax)
    out = a.astype(object)
    out[~np.isfinite(a)] = None
    if zmax is not None:
        ok = np.isfinite(a)
        out[ok] = np.clip(a[ok], -zmax, zmax)
    return out.tolist()


def _image_axes(fig: theme.Plain, row: int | None = None, col: int | None = None, *,
                x_title: str | None = None, y_title: str | None = None) -> None:
    """Square pixels, row 0 at the top, no grid or zero lines across the picture."""
    kw = {} if row is None else {"row": row, "col": col}
    fig.update_xaxes(range=[-0.5, SIDE - 0.5], showgrid=False, zeroline=False, showline=False,
                     showticklabels=False, ticks="", constrain="domain", title_text=x_title, **kw)
    fig.update_yaxes(range=[SIDE - 0.5, -0.5], showgrid=False, zeroline=False, showline=False,
                     showticklabels=False, ticks="", constrain="domain", title_text=y_title, **kw)


def _square(fig: theme.Plain, n: int) -> None:
    for i in range(1, n + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout.setdefault(f"yaxis{suffix}", {}).update(scaleanchor=f"x{suffix}", scaleratio=1)


# --- the figures -------------------------------------------------------------------------------

def weight_maps(weights, zmax: float, *, lecture: bool = False, title: str | None = None) -> go.Figure:
    """Ten 28×28 heatmaps, one per digit's row of ``weights``, on one colour scale −zmax … zmax.

    Blue: negative weights (ink there lowers the digit's score), white: 0, vermillion: positive.
    """
    w = np.asarray(weights, dtype=float)
    zmax = float(zmax) if math.isfinite(zmax) and zmax > 0 else 1e-3
    # Titled by the digit alone: "digit 0" … "digit 4" ran into each other on a phone's five columns.
    fig = theme.Plain.grid(rows=2, cols=5, subplot_titles=[str(d) for d in range(DIGITS)],
                           horizontal_spacing=0.02, vertical_spacing=0.09 if lecture else 0.07)
    for d in range(DIGITS):
        fig.add_trace("heatmap", z=_picture(w[d], zmax), zmin=-zmax, zmax=zmax, zmid=0, colorscale=theme.DIVERGING,
                      showscale=d == 0, name=f"digit {d}",
                      # under the pictures, not beside them: on a phone a bar at the side took a third
                      # of the width from ten pictures already small
                      colorbar=dict(title=dict(text="weight", side="right"), thickness=12, len=0.9, orientation="h", tickangle=0, nticks=5,
                                    x=0.5, xanchor="center", y=-0.13 if lecture else -0.15, yanchor="top", **NUMBERS),
                      hovertemplate=f"digit {d}<br>row %{{y}}, column %{{x}}<br>weight %{{z:.4g}}<extra></extra>",
                      row=d // 5 + 1, col=d % 5 + 1)
    if title:  # at the very top, clear of the subplot titles under it
        fig.update_layout(title=dict(text=title, yref="container", y=1, yanchor="top", pad=dict(t=10)),
                          margin=dict(t=100 if lecture else 80))
    _image_axes(fig)  # every subplot
    fig.update_layout(xaxis6_title_text="pixel column", yaxis_title_text="pixel row", yaxis6_title_text="pixel row",
                      margin=dict(b=110 if lecture else 90))
    _square(fig, DIGITS)
    return fig.figure(lecture=lecture, height=640 if lecture else 480)


def image_map(image, *, label: int | None = None, lecture: bool = False) -> go.Figure:
    """One MNIST image as a 28×28 picture, ink dark."""
    a = np.asarray(image, dtype=float)
    top = _max_abs([a])
    fig = theme.Plain.of("heatmap", z=_picture(a), zmin=0, zmax=top, colorscale=GREYS, showscale=False,
                         name="pixels", hovertemplate="row %{y}, column %{x}<br>pixel %{z:.3g}<extra></extra>")
    fig.update_layout(title=f"the image (label {label})" if label is not None else "the image")
    _image_axes(fig, x_title="pixel column", y_title="pixel row")
    _square(fig, 1)
    return fig.figure(lecture=lecture, height=420 if lecture else 320)


def score_bars(pred, *, label: int | None = None, yrange: Sequence[float] | None = None,
               lecture: bool = False) -> go.Figure:
    """The ten scores (``pred``) as bars; the winner in vermillion, the label outlined."""
    p = np.asarray(pred, dtype=float)
    top = winner(p)
    ys = [float(v) if math.isfinite(v) else None for v in p]
    colors = [theme.CURRENT if d == top else theme.OTHER for d in range(DIGITS)]
    widths = [3 if d == label else 0 for d in range(DIGITS)]
    fig = theme.Plain()
    fig.add_trace("bar", x=list(range(DIGITS)), y=ys, name="score (pred)",
                  marker=dict(color=colors, line=dict(color=theme.COLORS["black"], width=widths)),
                  text=[num(v, 2) if v is not None else "off the chart" for v in ys], textposition="outside",
                  textfont=dict(size=21 if lecture else 13), cliponaxis=False,
                  hovertemplate="digit %{x}<br>score %{y:.4g}<extra></extra>")
    fig.add_hline(y=1.0, line=dict(color=theme.GOAL, dash="dash", width=1.5),
                  annotation_text="goal_pred for the label", annotation_position="top left",
                  annotation_font_color=theme.GOAL)
    verdict = "" if label is None else " (right)" if top == label else f" (label {label})"
    fig.update_layout(title=f"ten scores: {top} wins{verdict}", showlegend=False)
    fig.update_xaxes(title_text="digit", tickmode="linear", dtick=1, range=[-0.6, 9.6])
    finite = [v for v in ys if v is not None]
    fig.update_yaxes(title_text="score (pred)", **NUMBERS,
                     range=list(yrange) if yrange else [min(finite + [0.0]) - 0.1, max(finite + [1.0]) + 0.15])
    fig.update_xaxes(zeroline=False)  # a line at x = 0 would cut through digit 0's bar
    return fig.figure(lecture=lecture, height=420 if lecture else 320)


def contributions_map(weights, image, digit: int, *, zmax: float | None = None,
                      lecture: bool = False) -> go.Figure:
    """image × weights[digit], pixel by pixel: the picture whose sum is ``digit``'s score."""
    c = sl.contributions(weights, image, digit)
    zmax = zmax if zmax is not None and math.isfinite(zmax) and zmax > 0 else _max_abs([c])
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(c))
    fig = theme.Plain.of(
        "heatmap", z=_picture(c, zmax), zmin=-zmax, zmax=zmax, zmid=0, colorscale=theme.DIVERGING,
        name="contribution",  # the colour bar under the picture: beside it, its title was cut in lecture type
        colorbar=dict(title=dict(text="pixel × weight", side="right"), thickness=12, len=0.9, orientation="h",
                      tickangle=0, nticks=5, x=0.5, xanchor="center", y=-0.2 if lecture else -0.22, yanchor="top",
                      **NUMBERS),
        hovertemplate="row %{y}, column %{x}<br>pixel × weight %{z:.4g}<extra></extra>")
    fig.update_layout(title=f"image × weights[{digit}] = {num(total, 4)}", margin=dict(b=110 if lecture else 90))
    _image_axes(fig, x_title="pixel column", y_title="pixel row")
    _square(fig, 1)
    return fig.figure(lecture=lecture, height=420 if lecture else 320)


def accuracy_error(records: Sequence[dict], k: int, *, lecture: bool = False) -> go.Figure:
    """Train and test accuracy (left) and error (right) per pass, with a line at pass ``k + 1``."""
    n = len(records)
    xs = list(range(1, n + 1))
    fig = theme.Plain.grid(rows=1, cols=2, subplot_titles=["accuracy", "error"], horizontal_spacing=0.1)
    errors = []
    for which, color, dash in (("train", theme.PATH, "solid"), ("test", theme.CURVE, "solid")):
        for col, key in ((1, f"{which}_accuracy"), (2, f"{which}_error")):
            ys = [r[key] if r[key] is not None and math.isfinite(r[key]) else None for r in records]
            if col == 2:
                errors += [y for y in ys if y is not None]
            fig.add_trace("scatter", x=xs, y=ys, mode="lines+markers", name=f"{which}",
                          legendgroup=which, showlegend=col == 1,
                          line=dict(color=color, width=3, dash=dash), marker=dict(size=7),
                          hovertemplate=f"pass %{{x}}<br>{key} %{{y:.4g}}<extra></extra>",
                          row=1, col=col)
    for col in (1, 2):
        fig.add_vline(x=k + 1, line=dict(color="#444", width=1.5), row=1, col=col)
        fig.update_xaxes(range=[0.5, n + 0.5], title_text="pass", row=1, col=col,
                         tickmode="linear" if n <= 20 else "auto", dtick=1)
    fig.update_yaxes(range=[0, 1.02], title_text="accuracy", row=1, col=1)
    top = max(errors) if errors else 1.0
    fig.update_yaxes(range=[0, top * 1.1 or 1.0], title_text="error", row=1, col=2, **NUMBERS)
    return fig.figure(lecture=lecture, height=440 if lecture else 340)
