"""Colours, fonts and lecture mode shared by every figure.

Colours are the Okabe–Ito palette, safe for the common kinds of colour blindness.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

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


def style(fig: go.Figure, *, lecture: bool = False, height: int | None = None) -> go.Figure:
    """Apply the common look; lecture mode makes text larger and lines thicker."""
    base = 22 if lecture else 14
    fig.update_layout(
        template="plotly_white",
        font=dict(size=base, color="#111111", family="DejaVu Sans, Arial, sans-serif"),
        title_font=dict(size=base + 4),
        height=height or (520 if lecture else 400),
        margin=dict(l=10, r=10, t=60 if fig.layout.title.text else 30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.3 if lecture else -0.22, xanchor="left", x=0,
                    font=dict(size=base - 2)),
        hoverlabel=dict(font_size=base),
    )
    fig.update_xaxes(title_font=dict(size=base + 2), tickfont=dict(size=base - 1),
                     showline=True, linecolor="#444", mirror=False, zeroline=True,
                     zerolinecolor="#BBBBBB")
    fig.update_yaxes(title_font=dict(size=base + 2), tickfont=dict(size=base - 1),
                     showline=True, linecolor="#444", zeroline=True, zerolinecolor="#BBBBBB")
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
