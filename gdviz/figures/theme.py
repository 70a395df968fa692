"""Colours, fonts and lecture mode shared by every figure.

Colours are the Okabe–Ito palette, safe for the common kinds of colour blindness.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import plotly.io as pio

COLORS = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#8C8C8C",
}
#: What each role is drawn in, on every page.
CURVE = COLORS["blue"]
CURRENT = COLORS["vermillion"]
PATH = COLORS["orange"]
GOAL = COLORS["green"]
TANGENT = COLORS["purple"]
OTHER = COLORS["sky"]
#: A diverging scale for weights: blue negative, white 0, vermillion positive.
DIVERGING = [[0.0, COLORS["blue"]], [0.5, "#FFFFFF"], [1.0, COLORS["vermillion"]]]


#: Plotly's templates are deep-copied into every figure, which cost more than half of building a
#: lesson's charts (tens of ms per rerun). gdviz sets the look itself, in :func:`style`, so
#: figures start from the empty template.
pio.templates.default = "none"
GRID = "#EBF0F8"
COLORWAY = [COLORS[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black")]


def style(fig: go.Figure, *, lecture: bool = False, height: int | None = None) -> go.Figure:
    """Apply the common look (white, light grid, dark axis lines, large readable fonts) under
    the figure's own settings; lecture mode makes text larger and lines thicker."""
    base = 22 if lecture else 14
    axis = dict(title=dict(font=dict(size=base + 2)), tickfont=dict(size=base - 1), gridcolor=GRID,
                showline=True, linecolor="#444", zeroline=True, zerolinecolor="#BBBBBB", automargin=True)
    raw = getattr(fig, "_layout", None)  # the figure's layout as plain data
    axes = [k for k in (raw if isinstance(raw, dict) else fig.layout.to_plotly_json())
            if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]
    title = raw.get("title", {}).get("text") if isinstance(raw, dict) else fig.layout.title.text
    look = dict(
        paper_bgcolor="white", plot_bgcolor="white", colorway=COLORWAY,
        font=dict(size=base, color="#111111", family="DejaVu Sans, Arial, sans-serif"),
        title=dict(font=dict(size=base + 4)),
        height=height or (520 if lecture else 400),
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.3 if lecture else -0.22, xanchor="left", x=0,
                    font=dict(size=base - 2)),
        hoverlabel=dict(font=dict(size=base)),
        **{k: axis for k in axes},
    )
    if isinstance(raw, dict):
        # Validating these constant, known-good settings cost ~18 ms per figure (most of a
        # rerun's chart time); merging them into the layout's data skips that. The figure's
        # own settings win where both set a value (e.g. an axis range or a hidden axis line).
        _merge_under(raw, look)
    else:  # pragma: no cover - a Plotly without the plain-data layout
        fig.update_layout(look)
    if lecture:
        for trace in fig.data:
            line = getattr(trace, "line", None)
            if line is not None and line.width is not None:
                line.width = line.width * 1.8
            marker = getattr(trace, "marker", None)
            size = getattr(marker, "size", None) if "size" in getattr(marker, "_valid_props", ()) else None
            if isinstance(size, (int, float)):
                marker.size = size * 1.5
        for ann in fig.layout.annotations:
            ann.font.size = (ann.font.size or 14) * 1.5
    return fig


def _merge_under(target: dict, defaults: dict) -> None:
    """Fill ``target`` with ``defaults`` (recursively) without overriding what it already has."""
    for k, v in defaults.items():
        if isinstance(v, dict):
            sub = target.get(k)
            if not isinstance(sub, dict):
                if sub is not None:
                    continue
                sub = target[k] = {}
            _merge_under(sub, v)
        elif k not in target:
            target[k] = v


def num(x: float, digits: int = 6) -> str:
    """A number for a label: short, and honest about inf/nan."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "−inf"
    text = f"{x:.{digits}g}"
    return text.replace("-", "−")
