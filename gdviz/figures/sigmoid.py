"""Parts E and F figures: the sigmoid and its slope, the 2-1-1 network, logic gates, matrices.

Plotly only. Every function takes records (or arrays) and returns a styled figure; axis ranges
are fixed for a whole run, and non-finite values never reach a trace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.core import gates
from gdviz.core import matrix_net as mn
from gdviz.core import sigmoid_unit as su
from gdviz.core.activations import sigmoid as act
from gdviz.figures import theme
from gdviz.figures.theme import num

#: The h range of the sigmoid chart (fixed: frames never jump).
H_RANGE = (-8.0, 8.0)
#: The square the logic-gate charts show.
BOX = (-0.5, 1.5)


def _finite(*xs) -> bool:
    return all(x is not None and math.isfinite(float(x)) for x in xs)


# --- E1: the sigmoid and its slope ----------------------------------------------------------------

def sigmoid_curves(h: float, *, lecture: bool = False) -> go.Figure:
    """f(h) and f'(h) over h ∈ [−8, 8], with the current h, ŷ = f(h) and f'(h) marked.

    An h outside the range is marked at the edge with an "off the chart" arrow.
    """
    lo, hi = H_RANGE
    hs = np.linspace(lo, hi, 321)
    fig = theme.Plain()
    fig.add_trace("scatter", x=hs, y=act.value(hs), mode="lines", name="sigmoid f(h)",
                  line=dict(color=theme.CURVE, width=3),
                  hovertemplate="h %{x:.3g}<br>f(h) %{y:.4g}<extra></extra>")
    fig.add_trace("scatter", x=hs, y=su.slope(hs), mode="lines", name="slope f'(h) = f(h)(1 − f(h))",
                  line=dict(color=theme.TANGENT, width=3),
                  hovertemplate="h %{x:.3g}<br>f'(h) %{y:.4g}<extra></extra>")
    fig.add_hline(y=su.MAX_SLOPE, line=dict(color=theme.TANGENT, dash="dot", width=1.5),
                  annotation_text="largest slope 0.25", annotation_position="top left",
                  annotation_font_color=theme.TANGENT)
    if _finite(h):
        h = float(h)
        y_hat, f_prime = float(act.value(h)), su.slope(h)
        if lo <= h <= hi:
            fig.add_vline(x=h, line=dict(color="#444", width=1.2, dash="dash"))
            fig.add_trace("scatter", x=[h], y=[y_hat], mode="markers", name=f"ŷ = f(h) = {num(y_hat, 4)}",
                          marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")),
                          hovertemplate="h %{x:.6g}<br>ŷ %{y:.6g}<extra>now</extra>")
            fig.add_trace("scatter", x=[h], y=[f_prime], mode="markers", name=f"f'(h) = {num(f_prime, 4)}",
                          marker=dict(size=15, color=theme.PATH, symbol="diamond",
                                      line=dict(width=2, color="white")),
                          hovertemplate="h %{x:.6g}<br>f'(h) %{y:.6g}<extra>now</extra>")
        else:
            edge = hi if h > hi else lo
            fig.add_annotation(x=edge, y=0.5, text=f"h = {num(h, 4)}: off the chart", showarrow=True,
                               ax=-80 if h > hi else 80, ay=0, arrowhead=3, arrowcolor=theme.CURRENT,
                               font=dict(color=theme.CURRENT))
        fig.add_annotation(x=0.01, y=0.99, xref="paper", yref="paper", xanchor="left", yanchor="top",
                           showarrow=False, align="left", bgcolor="rgba(255,255,255,0.85)",
                           text=f"h = {num(h, 4)}<br>ŷ = {num(y_hat, 4)}<br>f'(h) = {num(f_prime, 4)}")
    fig.update_xaxes(range=[lo, hi], title_text="h = Σ wᵢxᵢ")
    fig.update_yaxes(range=[-0.03, 1.05], title_text="f(h) and f'(h)")
    return fig.figure(lecture=lecture)


def vanishing(layers: Sequence[int] = (1, 2, 5), *, lecture: bool = False) -> go.Figure:
    """The most of an error signal left after passing back through k sigmoid layers (≤ 0.25^k)."""
    ks = list(layers)
    kept = [su.signal_factor(k) for k in ks]
    fig = theme.Plain()
    fig.update_yaxes(type="log", range=[math.log10(min(kept)) - 0.6, 0.3], dtick=1, exponentformat="power",
                     title_text="signal kept (log scale)")  # decades only: no "2 5 2 5" between them
    fig.update_xaxes(title_text="sigmoid layers passed back through")
    fig.update_layout(showlegend=False)
    fig.add_trace("bar", x=[f"{k} layer{'s' if k != 1 else ''}" for k in ks], y=kept,
                  marker_color=theme.TANGENT, text=[f"≤ {v:.4g}" for v in kept],
                  textposition="outside", name="signal kept",
                  hovertemplate="%{x}<br>at most %{y:.6g} of the signal<extra></extra>")
    return fig.figure(lecture=lecture, height=320 if not lecture else 440)


# --- E2: the 2-1-1 network --------------------------------------------------------------------------

#: Where the four nodes sit in the diagram.
NODES_211 = {"x1": (0.0, 1.0), "x2": (0.0, -1.0), "hidden": (1.6, 0.0), "output": (3.2, 0.0)}


def _pair(exact: float, deck: float | None, digits: int = 7) -> str:
    text = num(exact, digits)
    if deck is not None and _finite(deck) and num(deck, digits) != text:
        text += f" (deck {num(deck, digits)})"
    return text


def network_211(r: dict, deck: dict | None = None, *, lecture: bool = False) -> go.Figure:
    """The 2-1-1 network with every forward value (blue) and backward value (green).

    ``r`` is a record of :func:`gdviz.core.sigmoid_unit.backprop_211`; ``deck`` the same step as
    the deck rounds it (its numbers are shown in brackets where they differ).
    """
    d = deck or {}
    P = NODES_211
    fig = theme.Plain()
    edges = [("x1", "hidden", f"w₁ = {num(r['w'][0], 4)}", f"Δw₁ = {_pair(r['delta_w'][0], d.get('delta_w', [None])[0], 5)}"),
             ("x2", "hidden", f"w₂ = {num(r['w'][1], 4)}", f"Δw₂ = {_pair(r['delta_w'][1], d.get('delta_w', [None, None])[1], 5)}"),
             ("hidden", "output", f"W = {num(r['W'], 4)}", f"ΔW = {_pair(r['delta_W'], d.get('delta_W'), 6)}")]
    for a, b, top, bottom in edges:
        (x0, y0), (x1, y1) = P[a], P[b]
        fig.add_trace("scatter", x=[x0, x1], y=[y0, y1], mode="lines", line=dict(color="#999", width=3),
                      hoverinfo="skip", showlegend=False)
        t = 0.45 if a != "hidden" else 0.5
        mx, my = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        fig.add_annotation(x=mx, y=my + 0.2, text=top, showarrow=False, font=dict(color=theme.CURVE),
                           bgcolor="rgba(255,255,255,0.9)")
        fig.add_annotation(x=mx, y=my - 0.2, text=bottom, showarrow=False, font=dict(color=theme.GOAL),
                           bgcolor="rgba(255,255,255,0.9)")
    xs = [P[k][0] for k in P]
    ys = [P[k][1] for k in P]
    labels = [f"x₁<br>{num(r['x'][0], 4)}", f"x₂<br>{num(r['x'][1], 4)}", "hidden", "output"]
    fig.add_trace("scatter", x=xs, y=ys, mode="markers+text", text=labels, textposition="middle center",
                  marker=dict(size=62, color="#F4F4F4", line=dict(width=3, color=theme.CURVE)),
                  hoverinfo="skip", showlegend=False)
    hx, hy = P["hidden"]
    fig.add_annotation(x=hx, y=hy + 0.95, showarrow=False, font=dict(color=theme.CURVE), align="center",
                       text=f"h = {_pair(r['h'], d.get('h'))}<br>a = f(h) = {_pair(r['a'], d.get('a'))}")
    fig.add_annotation(x=hx + 0.3, y=hy - 0.95, showarrow=False, font=dict(color=theme.GOAL), align="center",
                       text=f"δʰ = W·δᵒ·a(1 − a)<br>= {_pair(r['delta_hidden'], d.get('delta_hidden'))}")
    ox, oy = P["output"]
    fig.add_annotation(x=ox + 0.35, y=oy + 0.95, showarrow=False, font=dict(color=theme.CURVE), align="center",
                       text=f"ŷ = f(W·a) = {_pair(r['y_hat'], d.get('y_hat'))}<br>"
                            f"y = {num(r['y'], 4)}, error = {_pair(r['error'], d.get('error'))}")
    fig.add_annotation(x=ox + 0.35, y=oy - 0.95, showarrow=False, font=dict(color=theme.GOAL), align="center",
                       text=f"δᵒ = error·ŷ(1 − ŷ)<br>= {_pair(r['delta_output'], d.get('delta_output'))}")
    fig.add_annotation(x=0.8, y=1.6, showarrow=False, text="forward →", font=dict(color=theme.CURVE))
    fig.add_annotation(x=2.4, y=-1.6, showarrow=False, text="← backward (η = " + num(r["learn_rate"], 3) + ")",
                       font=dict(color=theme.GOAL))
    fig.update_xaxes(range=[-0.4, 4.35], visible=False)
    fig.update_yaxes(range=[-1.8, 1.8], visible=False)
    return fig.figure(lecture=lecture, height=460 if not lecture else 640)


# --- F1: logic gates ----------------------------------------------------------------------------------

def _grid(n: int = 61):
    g = np.linspace(BOX[0], BOX[1], n)
    xx, yy = np.meshgrid(g, g)
    return g, np.column_stack([xx.ravel(), yy.ravel()])


def gate_lines(r: dict) -> list[tuple[float, float, float]]:
    """The decision lines ``(w1, w2, b)`` of a record (one for a unit, one per hidden node)."""
    if "hidden_lines" in r:
        return [tuple(map(float, line)) for line in r["hidden_lines"]]
    return [(float(r["w"][0]), float(r["w"][1]), float(r["b"]))]


def _answers(r: dict, gate: str, points) -> np.ndarray:
    if "hidden_lines" in r:
        return gates.net_predict(gates.GateNet(gate, r["W1"], r["b1"], r["W2"], r["b2"]), points)
    return gates.unit_predict(gates.GateUnit(gate, r["w"], r["b"]), points)


def gate_plane(r: dict, gate: str, *, lecture: bool = False) -> go.Figure:
    """The four rows of ``gate`` in the unit square, coloured by target, over the learner's ŷ.

    The shading is ŷ (the learner's answer for every point); the solid line(s) are where a
    unit's weighted sum is 0 (ŷ = 0.5): the unit's own line, or each hidden node's line.
    """
    x, y = gates.truth_table(gate)
    fig = theme.Plain()
    finite = all(np.all(np.isfinite(np.asarray(v, dtype=float))) for k, v in r.items()
                 if k in ("w", "b", "W1", "b1", "W2", "b2"))
    if finite:
        g, pts = _grid()
        z = np.nan_to_num(_answers(r, gate, pts), nan=0.5).reshape(len(g), len(g))
        fig.add_trace("heatmap", x=g, y=g, z=z, zmin=0, zmax=1, showscale=True, opacity=0.55,
                      colorscale=[[0, theme.COLORS["sky"]], [0.5, "#FFFFFF"], [1, theme.COLORS["orange"]]],
                      colorbar=dict(title="ŷ", len=0.8), name="ŷ",
                      hovertemplate="x1 %{x:.2f}<br>x2 %{y:.2f}<br>ŷ %{z:.3f}<extra></extra>")
        colors = [theme.CURRENT, theme.COLORS["purple"]]
        for j, (w1, w2, b) in enumerate(gate_lines(r)):
            seg = gates.line_through_box(w1, w2, b, *BOX)
            name = "the unit's line (ŷ = 0.5)" if len(gate_lines(r)) == 1 else f"hidden node {j + 1}'s line"
            if seg:
                (ax, ay), (bx, by) = seg
                fig.add_trace("scatter", x=[ax, bx], y=[ay, by], mode="lines", name=name,
                              line=dict(color=colors[j % 2], width=4, dash="solid" if j == 0 else "dash"),
                              hovertemplate=f"{num(w1, 3)}·x1 + {num(w2, 3)}·x2 + {num(b, 3)} = 0<extra></extra>")
    y_hat = np.asarray(r["y_hat"], dtype=float)
    right = (np.nan_to_num(y_hat, nan=0.5) > 0.5) == (y > 0.5)
    for t, color, label in ((0.0, theme.COLORS["blue"], "target 0"), (1.0, theme.COLORS["vermillion"], "target 1")):
        m = y == t
        if not m.any():
            continue
        fig.add_trace(
            "scatter", x=x[m, 0], y=x[m, 1], mode="markers+text", name=label,
            text=["✓" if ok else "✗" for ok in right[m]], textposition="top right",
            textfont=dict(size=18, color=color),
            marker=dict(size=22, color=color, symbol="circle" if t else "square", line=dict(width=2, color="white")),
            hovertemplate="x1 %{x:.0f}, x2 %{y:.0f}<br>" + label + "<extra></extra>")
    fig.update_layout(title=f"{gate.upper()} · epoch {r['epoch']} · {int(round(r['accuracy'] * 4))} of 4 rows right")
    fig.update_xaxes(range=list(BOX), title_text="x1", constrain="domain")
    fig.update_yaxes(range=list(BOX), title_text="x2", scaleanchor="x", scaleratio=1)
    return fig.figure(lecture=lecture, height=480 if not lecture else 620)


def gate_progress(records: Sequence[dict], k: int, *, lecture: bool = False) -> go.Figure:
    """Mean error E and accuracy per epoch, the current epoch marked."""
    n = len(records)
    ep = [r["epoch"] for r in records]
    E = [r["E"] if math.isfinite(r["E"]) else None for r in records]
    acc = [r["accuracy"] for r in records]
    fig = theme.Plain()
    fig.add_trace("scatter", x=ep, y=E, mode="lines", name="E (mean error)", line=dict(color=theme.CURRENT, width=3))
    fig.add_trace("scatter", x=ep, y=acc, mode="lines", name="accuracy", line=dict(color=theme.GOAL, width=3),
                  yaxis="y2")
    fig.add_vline(x=records[k]["epoch"], line=dict(color="#444", width=1.5))
    top = max([e for e in E if e is not None] or [0.2])
    fig.update_xaxes(range=[0.5, n + 0.5], title_text="epoch")
    fig.update_yaxes(range=[0, top * 1.1], title_text="E (mean error)")
    fig.update_layout(yaxis2=dict(range=[0, 1.05], overlaying="y", side="right", title="accuracy",
                                  showgrid=False, tickvals=[0, 0.25, 0.5, 0.75, 1.0]))
    return fig.figure(lecture=lecture, height=320 if not lecture else 440)


# --- F2: matrices ---------------------------------------------------------------------------------------

def cell_text(M, digits: int = 3) -> list[list[str]]:
    """The annotation of each heatmap cell: the value to ``digits`` decimals."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    return [[f"{v:.{digits}f}" if math.isfinite(v) else "—" for v in row] for row in M]


def matrix_heatmap(M, title: str, *, rows: Sequence[str], cols: Sequence[str], highlight: tuple | None = None,
                   digits: int = 3, zrange: tuple[float, float] = (-1.0, 1.0), lecture: bool = False,
                   height: int | None = None) -> go.Figure:
    """An annotated heatmap of a matrix (or a column vector), rows top to bottom.

    ``highlight`` = (row, col or None) outlines a cell (or a whole row).
    """
    M = np.atleast_2d(np.asarray(M, dtype=float))
    z = np.where(np.isfinite(M), M, 0.0)
    fig = theme.Plain.of("heatmap", z=z, x=list(cols), y=list(rows), text=cell_text(M, digits),
                         texttemplate="%{text}", colorscale=theme.DIVERGING, zmin=zrange[0], zmax=zrange[1],
                         showscale=False, xgap=2, ygap=2, name=title,
                         hovertemplate="%{y}, %{x}: %{z:.6g}<extra></extra>",
                         textfont=dict(size=22 if lecture else 15))
    if highlight is not None:
        i, j = highlight
        x0, x1 = (-0.5, M.shape[1] - 0.5) if j is None else (j - 0.5, j + 0.5)
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=i - 0.5, y1=i + 0.5, line=dict(color=theme.COLORS["black"], width=4))
    fig.update_yaxes(range=[M.shape[0] - 0.5, -0.5], showline=False, zeroline=False, type="category")
    fig.update_xaxes(side="top", showline=False, zeroline=False, type="category")
    # the title at the very top, the column names (ticks on top) under it: centred in the top
    # margin, a long title ran into a column's name
    lines = title.count("<br>") + 1  # a long title over a narrow column goes on two lines
    line = 33 if lecture else 23
    pad = 6 + (lines - 1) * line // 2  # Plotly sets a multi-line title's top half a line too high
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center", y=1, yref="container", yanchor="top",
                                 pad=dict(t=pad)),
                      margin=dict(t=pad + lines * line + (34 if lecture else 26)))
    return fig.figure(lecture=lecture, height=height or (260 if not lecture else 360))


def cell_products(W, I, j: int, *, X_name: str = "X", I_name: str = "I", lecture: bool = False) -> go.Figure:
    """``X[j] = Σ_i W[j, i] · I[i]``: one bar per product, and their total."""
    W = np.asarray(W, dtype=float)
    I = np.asarray(I, dtype=float)
    products = W[j] * I
    total = float(products.sum())
    labels = [f"W[{j + 1},{i + 1}] × {I_name}[{i + 1}]<br>{W[j, i]:.3g} × {I[i]:.3g}" for i in range(len(I))]
    fig = theme.Plain.of(
        "waterfall", x=labels + [f"{X_name}[{j + 1}]"], y=list(products) + [total],
        measure=["relative"] * len(products) + ["total"],
        text=[f"{p:.4f}" for p in products] + [f"{total:.4f}"], textposition="outside",
        increasing=dict(marker=dict(color=theme.COLORS["vermillion"])),
        decreasing=dict(marker=dict(color=theme.COLORS["blue"])),
        totals=dict(marker=dict(color=theme.COLORS["green"])), name="products",
        hovertemplate="%{x}: %{y:.6g}<extra></extra>")
    bound = float(np.sum(np.abs(W)) * max(1.0, float(np.max(np.abs(I)))))
    fig.update_yaxes(range=[min(0.0, -bound / W.shape[0]) * 1.2, bound / W.shape[0] * 1.2 + 0.1],
                     title_text=f"contribution to {X_name}[{j + 1}]")
    fig.update_layout(showlegend=False, title=f"{X_name}[{j + 1}] = Σᵢ W[{j + 1},i] × {I_name}[i] = {total:.4f}")
    return fig.figure(lecture=lecture, height=360 if not lecture else 480)


def error_split(W, errors, *, lecture: bool = False) -> go.Figure:
    """The hidden errors two ways: split in proportion to the weights vs ``Wᵀ · errors``."""
    split = mn.split_errors(W, errors)
    shortcut = mn.transpose_errors(W, errors)
    nodes = [f"hidden {i + 1}" for i in range(len(split))]
    Wa = np.abs(np.asarray(W, dtype=float))
    bound = float(max(Wa.sum(axis=0).max() * np.max(np.abs(np.asarray(errors, dtype=float))),
                      np.max(np.abs(split)), np.max(np.abs(shortcut)), 1e-9))
    fig = theme.Plain()
    fig.update_yaxes(range=[-bound * 1.3, bound * 1.3], title_text="error_hidden")
    fig.update_xaxes(title_text="hidden node")
    fig.update_layout(barmode="group")
    fig.add_trace("bar", x=nodes, y=split, name="split in proportion to the weights",
                  marker_color=theme.COLORS["blue"], text=[f"{v:.4f}" for v in split], textposition="outside")
    fig.add_trace("bar", x=nodes, y=shortcut, name="shortcut error_hidden = Wᵀ · error_output",
                  marker_color=theme.COLORS["orange"], text=[f"{v:.4f}" for v in shortcut],
                  textposition="outside")
    return fig.figure(lecture=lecture, height=360 if not lecture else 480)


def one_hot_errors(O_output, node: int, low: float = mn.LOW, high: float = mn.HIGH):
    """Targets ``T`` (``high`` at ``node``, ``low`` elsewhere, as prepared for a sigmoid) and the
    output errors ``T − O_output``."""
    O = np.asarray(O_output, dtype=float)
    T = np.full(O.shape, low)
    T[node] = high
    return T, T - O


# --- live: the lesson instrument (E1, E2) -------------------------------------------------------------
# Templates hold a fixed list of traces; views (gdviz.figures.live) move their data per frame.

from gdviz.experiments import sigmoid as E  # noqa: E402
from gdviz.figures import live  # noqa: E402
from gdviz.figures import one_weight as ofigs  # noqa: E402
from gdviz.experiments.base import fmt  # noqa: E402

E_NAME = "E = ½ (y − ŷ)²"
E_AXIS = "E = ½ (y − ŷ)²  (log scale)"
#: sigmoid_template's moving traces
SIG_H, SIG_YHAT, SIG_FPRIME, SIG_OFF = 3, 4, 5, 6
SATURATED = ("The unit is saturated: h is far from 0, the slope f'(h) is nearly flat, so δ and every Δw "
             "are tiny whatever the error. Smaller weights (or inputs) bring h back to the steep middle.")


def _rows(lines) -> list[list[str]]:
    return [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value] for ln in lines]


def _errors(run, at):
    """A run's E curve for the errors chart (a grid run's without making its records)."""
    n = len(run.records)
    traces, layout, span = ofigs.errors_run([(run, run.diverged_at)], n, key="E", preview=at is not None)
    layout["xaxis"] = {"range": [0.5, n + 0.5]}  # the run's own length (the template may be another run's)
    return traces, layout, span


def _diverged(run) -> str:
    return (f"Diverged at iteration {run.diverged_at}: the numbers overflowed to inf/nan. "
            "The charts show the run up to there.") if run.diverged_at else ""


def _e_view(run, at, frame, run_traces: dict | None = None) -> dict:
    """An E page's view of one run: its E curve (``_errors``) with a cursor in every frame, and
    ``frame(i, record)``'s traces, metrics, arithmetic and notes for each frame shown;
    ``run_traces`` adds per-run trace data beside the curve."""
    recs = run.records
    n = len(recs)
    err_t, err_l, span = _errors(run, at)
    frames = {}
    for i in live.frames_for(n, at):
        f = frame(i, recs[i])
        f["traces"]["errors"] = {1: ofigs.errors_cursor(i, span)}
        frames[i] = f
    return {"n": n, "run": {"errors": err_t, **(run_traces or {})}, "layout": {"errors": err_l}, "frames": frames,
            "notice": _diverged(run)}


def sigmoid_template(*, lecture: bool = False) -> dict:
    """f(h) and f'(h) over h ∈ [−8, 8] (fixed), then the moving marks: the current h (a dashed
    line), ŷ = f(h), f'(h), and a triangle at the edge when h is off the chart."""
    lo, hi = H_RANGE
    hs = np.linspace(lo, hi, 161)
    fig = theme.Plain()
    fig.add_trace("scatter", x=hs, y=act.value(hs), mode="lines", name="sigmoid f(h)",
                  line=dict(color=theme.CURVE, width=3), hovertemplate="h %{x:.3g}<br>f(h) %{y:.4g}<extra></extra>")
    fig.add_trace("scatter", x=hs, y=su.slope(hs), mode="lines", name="slope f'(h) = f(h)(1 − f(h))",
                  line=dict(color=theme.TANGENT, width=3), hovertemplate="h %{x:.3g}<br>f'(h) %{y:.4g}<extra></extra>")
    fig.add_trace("scatter", x=[lo, hi], y=[su.MAX_SLOPE] * 2, mode="lines", name="largest slope 0.25",
                  line=dict(color=theme.TANGENT, dash="dot", width=1.5), hoverinfo="skip")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="h now", showlegend=False,
                  line=dict(color="#444", width=1.2, dash="dash"), hoverinfo="skip")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="ŷ = f(h) now",
                  marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")),
                  hovertemplate="h %{x:.6g}<br>ŷ %{y:.6g}<extra>now</extra>")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="f'(h) now",
                  marker=dict(size=15, color=theme.PATH, symbol="diamond", line=dict(width=2, color="white")),
                  hovertemplate="h %{x:.6g}<br>f'(h) %{y:.6g}<extra>now</extra>")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="h off the chart", showlegend=False,
                  marker=dict(size=16, color=theme.CURRENT, symbol="triangle-right"), hoverinfo="skip")
    fig.update_xaxes(range=[lo, hi], title_text="h = Σ wᵢxᵢ")
    fig.update_yaxes(range=[-0.03, 1.05], title_text="f(h) and f'(h)")
    return fig.figure(lecture=lecture, height=400 if not lecture else 430).to_plotly_json()


def sigmoid_marks(h: float, y_hat: float, f_prime: float) -> dict:
    """The moving traces of :func:`sigmoid_template` for one record."""
    lo, hi = H_RANGE
    empty = {"x": "", "y": ""}
    if not _finite(h, y_hat, f_prime):
        return {SIG_H: empty, SIG_YHAT: empty, SIG_FPRIME: empty, SIG_OFF: empty}
    if lo <= h <= hi:
        return {SIG_H: {"x": live.enc([h, h]), "y": "-0.03,1.05"}, SIG_YHAT: {"x": live.enc([h]), "y": live.enc([y_hat])},
                SIG_FPRIME: {"x": live.enc([h]), "y": live.enc([f_prime])}, SIG_OFF: empty}
    edge = hi if h > hi else lo
    return {SIG_H: empty, SIG_YHAT: empty, SIG_FPRIME: empty,
            SIG_OFF: {"x": live.enc([edge]), "y": "0.5", "marker": {"symbol": "triangle-right" if h > hi else "triangle-left"}}}


def unit_view(run, at: int | None = None) -> dict:
    """E1's view of one run: the marks on the sigmoid, E per iteration, h / ŷ / f'(h) and the
    chain rule term by term for every iteration."""
    def frame(i, r):
        h, y_hat, fp = r["h"], r["y_hat"], r["f_prime"]
        notes = []
        if _finite(h) and not H_RANGE[0] <= h <= H_RANGE[1]:
            notes.append(f"h = {num(h, 4)} is off the chart (it shows h from −8 to 8); ŷ = {num(y_hat, 4)}.")
        if _finite(fp) and fp < 0.05:
            notes.append(SATURATED)
        return {"traces": {"curves": sigmoid_marks(h, y_hat, fp)},
                "metrics": [["h", num(h, 4)], ["ŷ = f(h)", num(y_hat, 4)], ["f'(h)", num(fp, 4)]],
                "arith": {"title": f"The chain rule, term by term, at iteration {i + 1}",
                          "rows": _rows(E.unit_arithmetic(r))},
                "notes": notes}
    return _e_view(run, at, frame)


def unit_charts(run, *, lecture: bool = False) -> dict:
    n = len(run.records)
    return {"curves": sigmoid_template(lecture=lecture),
            "errors": ofigs.errors_template([E_NAME], n, lecture=lecture, key="E", name=E_AXIS)}


# E2: the 2-1-1 network as text traces (forward values blue, backward green) that move per frame
NET_FWD, NET_BWD, NET_NODES, NET_ETA = 3, 4, 5, 6


#: The live diagram's nodes: the inputs further from the middle than in NODES_211, so a band of
#: rows fits between each input and the middle row (hidden, output) above and below
NET_NODES_AT = {"x1": (0.0, 1.2), "x2": (0.0, -1.2), "hidden": (1.6, 0.0), "output": (3.2, 0.0)}
NET_X, NET_Y = (-0.4, 4.35), (-2.5, 2.5)


def _net_places():
    """Where the network's numbers sit: every text in a row of its own (a height no other text and
    no node shares), so none runs into another at any width; the texts along an edge start right
    of it and read rightwards, the output's end at the right edge, the rest are centred.

    Rows from the top: "forward →" 2.38; h, a 2.05 (two lines); ŷ, error 1.6 (two lines, clear of
    x₁'s circle, which they never reach horizontally); w₁ 0.82, Δw₁ 0.63, W 0.44 (between x₁ and the
    middle row, whose circles span ±0.3); the same mirrored below; δʰ −1.64 (under x₂), δᵒ −1.86,
    "← backward" −2.3."""
    fwd = [(0.62, 0.82), (0.62, -0.82), (2.4, 0.44), (1.6, 2.05), (4.3, 1.6)]
    bwd = [(0.87, 0.63), (0.87, -0.63), (2.4, -0.44), (1.6, -1.64), (4.3, -1.86)]
    return fwd, bwd


#: Where each text of the network sits against its place (see _net_places)
_NET_TEXT_POSITION = ["middle right", "middle right", "middle center", "middle center", "middle left"]


def network_template(learn_rate: float, *, lecture: bool = False) -> dict:
    """The 2-1-1 network: three edges, four nodes; its numbers are text traces the frames fill."""
    P = NET_NODES_AT
    fig = theme.Plain()
    for a, b in (("x1", "hidden"), ("x2", "hidden"), ("hidden", "output")):
        (x0, y0), (x1, y1) = P[a], P[b]
        fig.add_trace("scatter", x=[x0, x1], y=[y0, y1], mode="lines", line=dict(color="#999", width=3),
                      hoverinfo="skip", showlegend=False)
    fwd, bwd = _net_places()
    size = 17 if lecture else 14
    for places, color, name in ((fwd, theme.CURVE, "forward"), (bwd, theme.GOAL, "backward")):
        fig.add_trace("scatter", x=[p[0] for p in places], y=[p[1] for p in places], mode="text", text=[""] * len(places),
                      textposition=_NET_TEXT_POSITION, textfont=dict(color=color, size=size), name=name,
                      showlegend=False, hoverinfo="skip")
    fig.add_trace("scatter", x=[P[k][0] for k in P], y=[P[k][1] for k in P], mode="markers+text",
                  text=["x₁", "x₂", "hidden", "output"], textposition="middle center", textfont=dict(size=size),
                  marker=dict(size=62, color="#F4F4F4", line=dict(width=3, color=theme.CURVE)),
                  hoverinfo="skip", showlegend=False)
    fig.add_annotation(x=0.8, y=2.38, showarrow=False, text="forward →", font=dict(color=theme.CURVE, size=size))
    fig.add_trace("scatter", x=[2.4], y=[-2.3], mode="text", text=[f"← backward (η = {num(learn_rate, 3)})"],
                  textfont=dict(color=theme.GOAL, size=size), name="eta", showlegend=False, hoverinfo="skip")
    fig.update_xaxes(range=list(NET_X), visible=False, fixedrange=True)
    fig.update_yaxes(range=list(NET_Y), visible=False, fixedrange=True)
    fig.update_layout(showlegend=False, margin=dict(t=10, b=10, l=10, r=10))
    return fig.figure(lecture=lecture, height=540 if not lecture else 620).to_plotly_json()


def network_texts(r: dict, deck: dict | None) -> dict:
    """The text of :func:`network_template`'s numbers for record ``r`` (5 significant digits, the
    deck's value in brackets where it differs; every digit is in the arithmetic below)."""
    d = deck or {}
    dw = d.get("delta_w", [None, None])
    fwd = [f"w₁ = {num(r['w'][0], 4)}", f"w₂ = {num(r['w'][1], 4)}", f"W = {num(r['W'], 4)}",
           f"h = {_pair(r['h'], d.get('h'), 5)}<br>a = f(h) = {_pair(r['a'], d.get('a'), 5)}",
           f"ŷ = {_pair(r['y_hat'], d.get('y_hat'), 5)}<br>error y − ŷ = {_pair(r['error'], d.get('error'), 5)}"]
    bwd = [f"Δw₁ = {_pair(r['delta_w'][0], dw[0], 5)}", f"Δw₂ = {_pair(r['delta_w'][1], dw[1], 5)}",
           f"ΔW = {_pair(r['delta_W'], d.get('delta_W'), 5)}",
           f"δʰ = {_pair(r['delta_hidden'], d.get('delta_hidden'), 5)}",
           f"δᵒ = {_pair(r['delta_output'], d.get('delta_output'), 5)}"]
    nodes = [f"x₁<br>{num(r['x'][0], 4)}", f"x₂<br>{num(r['x'][1], 4)}", "hidden", "output"]
    return {NET_FWD: {"text": fwd}, NET_BWD: {"text": bwd}, NET_NODES: {"text": nodes}}


DECK_NOTE = ("The deck rounds as it goes (h, a, ŷ, δᵒ and δʰ to 3 decimals, ΔW to 4, Δw to 5) and uses each "
             "rounded value in the next line, as one does on paper: its numbers, in brackets, drift slightly "
             "from the exact ones.")


def backprop_view(run, at: int | None = None) -> dict:
    """E2's view of one run: the network's numbers, E per iteration, ŷ / error / δᵒ / δʰ and the
    forward and backward arithmetic of every iteration."""
    def frame(i, r):
        return {"traces": {"net": network_texts(r, E.deck_step(r))},
                "metrics": [["ŷ", num(r["y_hat"], 4)], ["error y − ŷ", num(r["error"], 4)],
                            ["δᵒ", num(r["delta_output"], 3)], ["δʰ", num(r["delta_hidden"], 3)]],
                "arith": {"title": f"Forward and backward, term by term, at iteration {i + 1}",
                          "rows": _rows(E.backprop_arithmetic(r))},
                "notes": [DECK_NOTE] if i == 0 else []}
    eta = {NET_ETA: {"text": [f"← backward (η = {num(run.records[0]['learn_rate'], 3)})"]}}
    return _e_view(run, at, frame, {"net": eta})


def backprop_charts(run, *, lecture: bool = False) -> dict:
    n = len(run.records)
    return {"net": network_template(run.records[0]["learn_rate"], lecture=lecture),
            "errors": ofigs.errors_template([E_NAME], n, lecture=lecture, key="E", name=E_AXIS)}


# --- live: F2, the forward pass as matrices ------------------------------------------------------------
#: The matrices chart: (row, col) of each panel, its name, its colour range
MAT_PANELS = (((1, 1), "W_input_hidden", (-1.0, 1.0)), ((1, 2), "I", (-1.0, 1.0)),
              ((1, 3), "X_hidden", (-1.5, 1.5)), ((1, 4), "O_hidden", (-1.0, 1.0)),
              ((2, 1), "W_hidden_output", (-1.0, 1.0)), ((2, 2), "O_hidden", (-1.0, 1.0)),
              ((2, 3), "X_output", (-1.5, 1.5)), ((2, 4), "O_output", (-1.0, 1.0)))
#: Trace indices of the highlight boxes: the W row, the X cell, the O cell, for each layer
MAT_BOXES = {"hidden": (8, 9, 10), "output": (11, 12, 13)}
PRODUCTS = 0


def matrices_template(*, lecture: bool = False) -> dict:
    """Both layers of the 3-3-3 network as annotated heatmaps: W · input = X, sigmoid(X) = O (the
    hidden layer above, the output layer below), and outlines the frames move onto the cell
    being computed."""
    # The panels' names alone as titles ("= X_hidden" and "→ O_hidden" ran into each other over a
    # phone's narrow columns); the operators between them sit in the gaps, level with the middle row.
    titles = ["W_input_hidden", "I", "X_hidden", "O_hidden", "W_hidden_output", "O_hidden", "X_output", "O_output"]
    fig = theme.Plain.grid(2, 4, column_widths=[0.43, 0.19, 0.19, 0.19], horizontal_spacing=0.05,
                           vertical_spacing=0.16, subplot_titles=titles)
    size = 20 if lecture else 14
    for (row, col), name, (lo, hi) in MAT_PANELS:
        ncols = 3 if col == 1 else 1
        fig.add_trace("heatmap", row=row, col=col, x=list(range(1, ncols + 1)), y=[1, 2, 3], z=[[0.0] * ncols] * 3,
                      text=[[""] * ncols] * 3, texttemplate="%{text}", textfont=dict(size=size),
                      colorscale=theme.DIVERGING, zmin=lo, zmax=hi, showscale=False, xgap=2, ygap=2, name=name,
                      hovertemplate=name + " row %{y}: %{z:.6g}<extra></extra>")
        fig.update_xaxes(row=row, col=col, range=[0.5, ncols + 0.5], tickvals=list(range(1, ncols + 1)),
                         side="bottom", showline=False, zeroline=False, showgrid=False, fixedrange=True,
                         showticklabels=col == 1, ticks="")
        fig.update_yaxes(row=row, col=col, range=[3.5, 0.5], tickvals=[1, 2, 3], showline=False, zeroline=False,
                         showgrid=False, fixedrange=True, showticklabels=col == 1, ticks="")
    for layer, row in (("hidden", 1), ("output", 2)):
        for col in (1, 3, 4):
            fig.add_trace("scatter", row=row, col=col, x=[], y=[], mode="lines", hoverinfo="skip", showlegend=False,
                          name=f"{layer} cell", line=dict(color=theme.COLORS["black"], width=4))
    for row in (1, 2):
        for col, op in ((1, "·"), (2, "="), (3, "→")):
            left = fig.layout[f"xaxis{(row - 1) * 4 + col if (row - 1) * 4 + col > 1 else ''}"]["domain"][1]
            right = fig.layout[f"xaxis{(row - 1) * 4 + col + 1}"]["domain"][0]
            mid = fig.layout[f"yaxis{(row - 1) * 4 + col + 1}"]["domain"]
            fig.add_annotation(x=(left + right) / 2, y=(mid[0] + mid[1]) / 2, xref="paper", yref="paper",
                               text=f"<b>{op}</b>", showarrow=False, font=dict(size=size + 4))
    fig.update_layout(showlegend=False, margin=dict(t=50, l=10, r=10, b=10))
    return fig.figure(lecture=lecture, height=470 if not lecture else 540,
                      title_size=19 if lecture else 13).to_plotly_json()


def _box(x0, x1, y0, y1) -> dict:
    return {"x": live.enc([x0, x1, x1, x0, x0]), "y": live.enc([y0, y0, y1, y1, y0])}


def products_template(*, lecture: bool = False) -> dict:
    """The products that make the current cell, and their sum (a waterfall the frames fill)."""
    fig = theme.Plain.of(
        "waterfall", x=[], y=[], measure=[], text=[], textposition="outside",
        increasing=dict(marker=dict(color=theme.COLORS["vermillion"])),
        decreasing=dict(marker=dict(color=theme.COLORS["blue"])),
        totals=dict(marker=dict(color=theme.COLORS["green"])), name="products", hovertext=[],
        hovertemplate="%{hovertext}: %{y:.6g}<extra></extra>")
    fig.update_xaxes(range=[0.5, 4.5], tickvals=[1, 2, 3, 4], ticktext=["input 1", "input 2", "input 3", "sum"],
                     title_text="weight × input", fixedrange=True)
    fig.update_yaxes(title_text="contribution to the cell", fixedrange=True)
    fig.update_layout(showlegend=False)
    return fig.figure(lecture=lecture, height=340 if not lecture else 420).to_plotly_json()


def matrix_view_of(W1, W2, decimals: int):
    """F2's view function for the weights ``W1``, ``W2`` (fixed on the page) and the deck's rounding."""
    W1, W2 = np.asarray(W1, dtype=float), np.asarray(W2, dtype=float)

    def view(run, at: int | None = None) -> dict:
        r = run.records[0]
        col = {"I": r["I"], "X_hidden": r["X_hidden"], "O_hidden": r["O_hidden"], "X_output": r["X_output"],
               "O_output": r["O_output"]}
        traces = {}
        for t, ((row, c), name, _) in enumerate(MAT_PANELS):
            M = W1 if name == "W_input_hidden" else W2 if name == "W_hidden_output" else np.asarray(col[name])[:, None]
            z = np.where(np.isfinite(M), M, 0.0)
            text = [[num(v, 3) for v in row_] for row_ in M] if c == 1 else cell_text(M, 3)  # W: 0.9, not 0.900
            traces[t] = {"z": [live.enc(row_) for row_ in z], "text": text}
        bound = max(float(np.abs(W1).sum(axis=1).max() * max(1.0, float(np.max(np.abs(r["I"]))))),
                    float(np.abs(W2).sum(axis=1).max()), 1e-9)
        frames = {}
        for i in live.frames_for(len(E.CELLS), at):
            layer, j = E.CELLS[i]
            W, I, I_name, X, O = ((W1, r["I"], "I", "X_hidden", "O_hidden") if layer == "hidden"
                                  else (W2, r["O_hidden"], "O_hidden", "X_output", "O_output"))
            empty = {"x": "", "y": ""}
            boxes = {idx: empty for idx in MAT_BOXES["hidden"] + MAT_BOXES["output"]}
            bw, bx, bo = MAT_BOXES[layer]
            boxes[bw] = _box(0.5, 3.5, j + 0.5, j + 1.5)
            boxes[bx] = _box(0.5, 1.5, j + 0.5, j + 1.5)
            boxes[bo] = _box(0.5, 1.5, j + 0.5, j + 1.5)
            products = W[j] * I
            k = j + 1
            frames[i] = {
                "traces": {"matrices": boxes, "products": {PRODUCTS: {
                    "x": live.enc(range(1, len(I) + 2)), "y": live.enc(list(products) + [float(r[X][j])]),
                    "measure": ["relative"] * len(I) + ["total"],
                    "hovertext": [f"W[{k},{m + 1}]·{I_name}[{m + 1}]" for m in range(len(I))] + [f"{X}[{k}]"],
                    "text": [f"{fmt(w)}×{fmt(v)}<br>{p:.4f}" for w, v, p in zip(W[j], I, products)]
                            + [f"{r[X][j]:.4f}"]}}},
                "metrics": [[f"{X}[{k}]", num(r[X][j], 4)], [f"{O}[{k}]", num(r[O][j], 4)],
                            [f"deck {O}[{k}]", f"{r['deck'][O][j]:.{decimals}f}"]],
                "arith": {"title": f"Cell {i + 1} of 6: {layer} node {k} = row {k} of "
                                   f"{'W_input_hidden' if layer == 'hidden' else 'W_hidden_output'} · {I_name}",
                          "rows": _rows(E.cell_arithmetic(r, W1, W2, i, decimals))},
                "notes": []}
        layout = {"products": {"yaxis": {"range": [-bound * 0.3, bound * 1.25]}}}
        return {"n": len(E.CELLS), "run": {"matrices": traces}, "layout": layout, "frames": frames, "notice": ""}

    return view


def matrix_charts(run, *, lecture: bool = False) -> dict:
    return {"matrices": matrices_template(lecture=lecture), "products": products_template(lecture=lecture)}


# --- live: F1, logic gates ---------------------------------------------------------------------------
#: The plane's traces: the answer ŷ (heatmap), up to two lines, the rows with target 0 and 1
PLANE_HEAT, PLANE_LINE1, PLANE_LINE2, PLANE_ZERO, PLANE_ONE = 0, 1, 2, 3, 4
#: The shading's grid (ŷ at 21 × 21 points, smoothed by the browser) and its decimals
SHADE_POINTS, SHADE_DECIMALS = 21, 2


def plane_template(*, lecture: bool = False) -> dict:
    """The unit square with the learner's answer ŷ shaded, its line(s) and the four rows of the
    gate (squares target 0, circles target 1, ✓/✗ whether the answer is right). The colour bar
    sits right under the square."""
    g = np.linspace(BOX[0], BOX[1], SHADE_POINTS)
    fig = theme.Plain()
    fig.add_trace("heatmap", x=g, y=g, z=[[0.5] * SHADE_POINTS] * SHADE_POINTS, zmin=0, zmax=1, zsmooth="best",
                  opacity=0.6, colorscale=[[0, theme.COLORS["sky"]], [0.5, "#FFFFFF"], [1, theme.COLORS["orange"]]],
                  colorbar=dict(orientation="h", x=0.5, xanchor="center", y=-0.2, yanchor="top", len=0.6,
                                thickness=12, tickvals=[0, 0.5, 1], ticktext=["ŷ = 0", "0.5", "ŷ = 1"]),
                  name="ŷ", hovertemplate="x1 %{x:.2f}<br>x2 %{y:.2f}<br>ŷ %{z:.2f}<extra></extra>")
    for j, (color, dash, name) in enumerate(((theme.CURRENT, "solid", "line 1 (ŷ = 0.5)"),
                                             (theme.COLORS["purple"], "dash", "line 2"))):
        fig.add_trace("scatter", x=[], y=[], mode="lines", name=name, showlegend=False,
                      line=dict(color=color, width=4, dash=dash), hoverinfo="skip")
    for color, symbol, label in ((theme.COLORS["blue"], "square", "target 0"),
                                 (theme.COLORS["vermillion"], "circle", "target 1")):
        fig.add_trace("scatter", x=[], y=[], mode="markers+text", name=label, showlegend=False, text=[],
                      textposition="top right", textfont=dict(size=20 if lecture else 17, color=color),
                      marker=dict(size=22, color=color, symbol=symbol, line=dict(width=2, color="white")),
                      hovertemplate="x1 %{x:.0f}, x2 %{y:.0f}<br>" + label + "<extra></extra>")
    fig.update_xaxes(range=list(BOX), title_text="x1", constrain="domain", fixedrange=True, dtick=0.5)
    fig.update_yaxes(range=list(BOX), title_text="x2", scaleanchor="x", scaleratio=1, fixedrange=True, dtick=0.5)
    fig.update_layout(showlegend=False, margin=dict(t=10, b=80 if not lecture else 100, l=10, r=10))
    return fig.figure(lecture=lecture, height=460 if not lecture else 480).to_plotly_json()


def progress_template(*, lecture: bool = False) -> dict:
    """The mean error E and the accuracy per epoch, and the cursor."""
    fig = theme.Plain()
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="E = mean of ½ (y − ŷ)²",
                  line=dict(color=theme.CURRENT, width=3), hovertemplate="epoch %{x}<br>E %{y:.4g}<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="accuracy (right axis)", yaxis="y2",
                  line=dict(color=theme.GOAL, width=3), hovertemplate="epoch %{x}<br>accuracy %{y:.0%}<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="this epoch", showlegend=False,
                  line=dict(color="#444", width=1.5), hoverinfo="skip")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="E (mean error)", rangemode="tozero")
    fig.update_layout(legend=dict(y=-0.3 if not lecture else -0.38))
    fig.update_layout(yaxis2=dict(range=[0, 1.05], overlaying="y", side="right", title=dict(text="accuracy"),
                                  showgrid=False, tickvals=[0, 0.25, 0.5, 0.75, 1.0],
                                  ticktext=["0", "¼", "½", "¾", "1"]))
    return fig.figure(lecture=lecture, height=330 if not lecture else 400).to_plotly_json()


_SHADE_X, _SHADE_Y = (a.ravel() for a in np.meshgrid(np.linspace(BOX[0], BOX[1], SHADE_POINTS),
                                                       np.linspace(BOX[0], BOX[1], SHADE_POINTS)))


def _shade(r: dict) -> list[str]:
    """The learner's ŷ over the square (rows: x2 from the bottom), to 2 decimals, as the shading."""
    def sig(z):
        return 1.0 / (1.0 + np.exp(-z))

    with np.errstate(over="ignore", invalid="ignore"):
        if "hidden_lines" in r:
            W1, b1, W2, b2 = (np.asarray(r[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
            h0 = sig(W1[0, 0] * _SHADE_X + W1[0, 1] * _SHADE_Y + b1[0])
            h1 = sig(W1[1, 0] * _SHADE_X + W1[1, 1] * _SHADE_Y + b1[1])
            z = sig(W2[0, 0] * h0 + W2[0, 1] * h1 + b2[0])
        else:
            w, b = np.asarray(r["w"], dtype=float), float(r["b"])
            z = sig(w[0] * _SHADE_X + w[1] * _SHADE_Y + b)
    z = np.round(np.nan_to_num(z, nan=0.5), SHADE_DECIMALS).reshape(SHADE_POINTS, SHADE_POINTS)
    text = np.char.mod("%g", z)
    return [",".join(row) for row in text.tolist()]


def _curve(values: np.ndarray, preview: bool) -> dict:
    """A per-epoch curve: every point (x spread by the browser), or ≤ 150 points for a preview."""
    n = len(values)
    if preview and n > ofigs.PREVIEW_POINTS:
        keep = np.unique(np.append(np.arange(0, n, -(-n // ofigs.PREVIEW_POINTS)), n - 1))
        return {"x": live.enc((keep + 1).astype(float)), "y": live.enc(values[keep])}
    return {"xlin": live.linspace(1, n, n), "y": live.enc(values)}


def _lines(r: dict) -> dict:
    out = {}
    lines = gate_lines(r)
    for j, idx in enumerate((PLANE_LINE1, PLANE_LINE2)):
        seg = None
        if j < len(lines) and _finite(*lines[j]):
            seg = gates.line_through_box(*lines[j], *BOX)
        out[idx] = {"x": live.enc([seg[0][0], seg[1][0]]), "y": live.enc([seg[0][1], seg[1][1]])} if seg else \
            {"x": "", "y": ""}
    return out


def gate_view_of(gate: str, epochs: int):
    """F1's view function for ``gate`` and a run of ``epochs`` epochs: about 100 frames (see
    :func:`gdviz.experiments.sigmoid.frame_records`), each with the shading, the line(s), ✓/✗ per
    row, the rows right, E and the arithmetic."""
    x, y = gates.truth_table(gate)
    zero, one = y == 0, y == 1

    def view(run, at: int | None = None) -> dict:
        recs = run.records
        N = len(recs)
        picks = E.frame_records(N, epochs)
        n = len(picks)
        Es, acc = ofigs.column(run, "E"), ofigs.column(run, "accuracy")
        fin = Es[np.isfinite(Es)]
        top = float(fin.max()) * 1.1 if fin.size else 0.2
        points = {PLANE_ZERO: {"x": live.enc(x[zero, 0]), "y": live.enc(x[zero, 1])},
                  PLANE_ONE: {"x": live.enc(x[one, 0]), "y": live.enc(x[one, 1])}}
        progress = {0: _curve(Es, at is not None), 1: _curve(acc, at is not None)}
        frames = {}
        for i in live.frames_for(n, at):
            r = recs[picks[i]]
            y_hat = np.nan_to_num(np.asarray(r["y_hat"], dtype=float), nan=0.5)
            right = (y_hat > 0.5) == (y > 0.5)
            marks = ["✓" if ok else "✗" for ok in right]
            e = r["epoch"]
            notes = []
            if gate == "xor" and "hidden_lines" not in r and i == n - 1:
                notes.append("However long it trains, one line cannot put (0,1) and (1,0) on one side and (0,0), "
                             "(1,1) on the other: at best 3 of the 4 rows come out right. Try the hidden layer.")
            frames[i] = {
                "traces": {"plane": {PLANE_HEAT: {"z": _shade(r)}, **_lines(r),
                                     PLANE_ZERO: {**points[PLANE_ZERO], "text": [m for m, z in zip(marks, zero) if z]},
                                     PLANE_ONE: {**points[PLANE_ONE], "text": [m for m, o in zip(marks, one) if o]}},
                           "progress": {2: {"x": live.enc([e, e]), "y": live.enc([0.0, top])}}},
                "metrics": [["rows right", f"{int(right.sum())} of 4"], ["E (mean)", num(r["E"], 4)]],
                "arith": {"title": f"{gate.upper()} at epoch {e}: the line(s) and the answers",
                          "rows": _rows(E.gate_arithmetic(r, gate))},
                "notes": notes,
                "position": f"epoch {e} · frame {i + 1}"}
        layout = {"progress": {"xaxis": {"range": [0.5, N + 0.5]}, "yaxis": {"range": [0.0, top]}}}
        # (the rows' places travel in every frame: a chart redrawn per frame takes each trace once)
        return {"n": n, "run": {"progress": progress}, "layout": layout, "frames": frames,
                "notice": _diverged(run).replace("iteration", "epoch")}

    return view


def gate_charts(run, *, lecture: bool = False) -> dict:
    return {"plane": plane_template(lecture=lecture), "progress": progress_template(lecture=lecture)}
