"""Part A figures: the error bowl with its tangent, hot and cold probes, error per iteration."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.core import one_weight as ow
from gdviz.figures import theme
from gdviz.figures.theme import num


def weight_window(records: Sequence[dict], input: float, goal_pred: float, look: int = 4) -> tuple[float, float]:
    """A fixed weight range for a whole run, so the view never jumps between frames.

    Centred on the goal weight, wide enough to hold the first ``look`` weights of the run
    (a diverging run still shows its first bounces; later ones are marked off the chart).
    """
    goal = ow.goal_weight(input, goal_pred)
    weights = [r["weight"] for r in records[:look] if math.isfinite(r["weight"])]
    weights += [r["new_weight"] for r in records[:1] if math.isfinite(r["new_weight"])]
    center = goal if goal is not None else (weights[0] if weights else 0.0)
    spread = max((abs(w - center) for w in weights), default=0.0)
    half = max(spread * 1.15, 0.6)
    return center - half, center + half


def _curve(lo: float, hi: float, input: float, goal_pred: float):
    xs = np.linspace(lo, hi, 241)
    return xs, ow.error_curve(xs, input, goal_pred)


def _y_range(ys) -> list[float]:
    top = float(np.nanmax(ys)) if np.any(np.isfinite(ys)) else 1.0
    top = top if math.isfinite(top) and top > 0 else 1.0
    return [-0.04 * top, top * 1.12]


def _path(fig, records, k, lo, hi, ytop, name="path of the weight"):
    """The weights visited so far, as a zig-zag on the curve; points off the chart marked at its edge."""
    xs, ys, offx, offy, offtext = [], [], [], [], []
    for r in records[: k + 1]:
        w, e = r["weight"], r["error"]
        if math.isfinite(w) and math.isfinite(e) and lo <= w <= hi and e <= ytop:
            xs.append(w)
            ys.append(e)
        else:
            offx.append(min(max(w, lo), hi) if math.isfinite(w) else hi)
            offy.append(ytop * 0.97)
            offtext.append(f"weight {num(w, 3)}")
            xs.append(None)
            ys.append(None)
    fig.add_trace("scatter", x=xs, y=ys, mode=theme.line_mode(len(xs)), name=name,
                  line=dict(color=theme.PATH, width=2), marker=dict(size=8, color=theme.PATH),
                  opacity=0.8, hovertemplate="weight %{x:.4g}<br>error %{y:.4g}<extra>path</extra>")
    if offx:
        fig.add_trace("scatter", x=offx, y=offy, mode="markers", name="off the chart",
                      marker=dict(symbol="triangle-up", size=13, color=theme.COLORS["black"]),
                      text=offtext, hovertemplate="%{text}<extra>off the chart</extra>")


def _curve_figure(records, k, lo, hi, input, goal_pred) -> tuple[theme.Plain, list[float]]:
    """A figure with the error for every weight in [lo, hi], the goal weight's line and the path so
    far; returns it with its error range (the run's fixed y-axis)."""
    xs, ys = _curve(lo, hi, input, goal_pred)
    yr = _y_range(ys)
    fig = theme.Plain()
    fig.add_trace("scatter", x=xs, y=ys, mode="lines", name="error for every weight",
                  line=dict(color=theme.CURVE, width=3),
                  hovertemplate="weight %{x:.4g}<br>error %{y:.4g}<extra></extra>")
    goal = ow.goal_weight(input, goal_pred)
    if goal is not None and lo <= goal <= hi:
        fig.add_vline(x=goal, line=dict(color=theme.GOAL, dash="dash", width=2),
                      annotation_text=f"goal weight {num(goal, 4)}", annotation_position="bottom right",
                      annotation_font_color=theme.GOAL)
    _path(fig, records, k, lo, hi, yr[1])
    return fig, yr


def bowl(records: Sequence[dict], k: int, *, lecture: bool = False, title: str | None = None,
         window: tuple[float, float] | None = None) -> go.Figure:
    """The error bowl ``((input * weight) - goal_pred) ** 2`` with iteration ``k``'s point and tangent."""
    r = records[k]
    input, goal_pred = r["input"], r["goal_pred"]
    lo, hi = window or weight_window(records, input, goal_pred)
    fig, yr = _curve_figure(records, k, lo, hi, input, goal_pred)
    w, e = r["weight"], r["error"]
    if math.isfinite(w) and math.isfinite(e) and lo <= w <= hi and e <= yr[1]:
        s = ow.slope(w, input, goal_pred)
        h = (hi - lo) * 0.12
        tx = np.array([w - h, w + h])
        fig.add_trace("scatter", x=tx, y=e + s * (tx - w), mode="lines", name="slope (tangent)",
                      line=dict(color=theme.TANGENT, width=4),
                      hovertemplate=f"slope {num(s, 4)}<extra></extra>")
        fig.add_trace("scatter", x=[w], y=[e], mode="markers", name="current weight",
                      marker=dict(size=16, color=theme.CURRENT, line=dict(width=2, color="white")),
                      hovertemplate="weight %{x:.6g}<br>error %{y:.6g}<extra>now</extra>")
        nw = r.get("new_weight")
        if nw is not None and math.isfinite(nw) and nw != w:
            ax = min(max(nw, lo), hi)
            fig.add_annotation(x=ax, y=e, ax=w, ay=e, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=3, arrowsize=1.4, arrowwidth=3,
                               arrowcolor=theme.CURRENT, text="")
        fig.add_annotation(x=0.99, y=0.99, xref="paper", yref="paper", xanchor="right", yanchor="top",
                           showarrow=False, align="left", bgcolor="rgba(255,255,255,0.85)",
                           text=f"slope = 2 × weight_delta = {num(s, 4)}", font=dict(color=theme.TANGENT, size=15))
    fig.update_xaxes(range=[lo, hi], title_text="weight")
    fig.update_yaxes(range=yr, title_text="error")
    if title:
        fig.update_layout(title=title)
    return fig.figure(lecture=lecture)


def hot_cold(records: Sequence[dict], k: int, *, lecture: bool = False) -> go.Figure:
    """The error curve with the three probes of hot and cold: weight, weight ± step_amount."""
    r = records[k]
    input, goal_pred, step = r["input"], r["goal_pred"], r["step_amount"]
    lo, hi = weight_window(records, input, goal_pred)
    fig, yr = _curve_figure(records, k, lo, hi, input, goal_pred)
    w = r["weight"]
    probes = [
        (w + step, r["up_error"], "weight + step_amount", theme.COLORS["sky"], "up" == r["move"]),
        (w - step, r["down_error"], "weight − step_amount", theme.COLORS["purple"], "down" == r["move"]),
    ]
    for x, y, name, color, chosen in probes:
        if lo <= x <= hi:
            fig.add_trace("scatter", x=[x], y=[y], mode="markers", name=name + (" (chosen)" if chosen else ""),
                          marker=dict(size=14 if chosen else 11, color=color, symbol="diamond",
                                      line=dict(width=2, color="black" if chosen else "white")),
                          hovertemplate=f"{name}<br>weight %{{x:.6g}}<br>error %{{y:.6g}}<extra></extra>")
    fig.add_trace("scatter", x=[w], y=[r["error"]], mode="markers", name="current weight",
                  marker=dict(size=16, color=theme.CURRENT, line=dict(width=2, color="white")),
                  hovertemplate="weight %{x:.6g}<br>error %{y:.6g}<extra>now</extra>")
    fig.update_xaxes(range=[lo, hi], title_text="weight")
    fig.update_yaxes(range=yr, title_text="error")
    return fig.figure(lecture=lecture)


def error_per_iteration(runs: Sequence[tuple[str, Sequence[dict], int | None]], k: int, n: int, *,
                        lecture: bool = False, log: bool = True, key: str = "error") -> go.Figure:
    """``key`` (error) against iteration for one or more runs, on a log scale by default.

    ``runs`` holds (label, records, diverged_at). Non-finite values never reach a trace: a
    diverged run is drawn up to where it overflowed and labelled there.
    """
    colors = [theme.CURRENT, theme.COLORS["blue"], theme.COLORS["green"], theme.COLORS["orange"]]
    fig = theme.Plain()
    finite_vals = []
    for i, (label, records, diverged_at) in enumerate(runs):
        ys = [r[key] for r in records]
        clean = [y if math.isfinite(y) else None for y in ys]
        if log:
            clean = [max(y, 1e-300) if y is not None else None for y in clean]
        finite_vals += [y for y in clean if y is not None]
        fig.add_trace("scatter", x=list(range(1, len(ys) + 1)), y=clean, mode=theme.line_mode(len(ys)), name=label,
                      line=dict(color=colors[i % len(colors)], width=3), marker=dict(size=6),
                      hovertemplate=f"iteration %{{x}}<br>{key} %{{y:.6g}}<extra>{label}</extra>")
        if diverged_at:
            fig.add_vline(x=diverged_at, line=dict(color=colors[i % len(colors)], dash="dot", width=2),
                          annotation_text=f"diverged at iteration {diverged_at}", annotation_position="top left")
    if finite_vals:
        lo, hi = min(finite_vals), max(finite_vals)
        if log:
            lo_l, hi_l = math.log10(lo), math.log10(hi)
            pad = max((hi_l - lo_l) * 0.06, 0.3)
            fig.update_yaxes(type="log", range=[lo_l - pad, hi_l + pad], exponentformat="power")
        else:
            pad = (hi - lo) * 0.08 or 1.0
            fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.add_vline(x=k + 1, line=dict(color="#444", width=1.5))
    fig.update_xaxes(range=[0.5, n + 0.5], title_text="iteration")
    fig.update_yaxes(title_text=f"{key} (log scale)" if log else key)
    return fig.figure(lecture=lecture, height=320 if not lecture else 440)
