"""Part C figures: the lights, weights and error per pass, the pressure table, the 3-layer network.

Pure functions from records (and datasets) to Plotly figures. Nothing non-finite reaches a
trace: values are clipped and labelled, a diverged run is drawn up to where it overflowed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.figures import theme
from gdviz.figures.theme import num

ON = theme.COLORS["yellow"]
ON_EDGE = theme.COLORS["orange"]
OFF = "#3A3A3A"
LIGHT_NAMES = ("left", "middle", "right")
WEIGHT_COLORS = (theme.COLORS["blue"], theme.COLORS["vermillion"], theme.COLORS["green"],
                 theme.COLORS["purple"], theme.COLORS["orange"], theme.COLORS["sky"])
MODE_COLORS = {"stochastic": theme.CURRENT, "full": theme.COLORS["blue"], "batch": theme.COLORS["green"]}


def light_name(j: int) -> str:
    return LIGHT_NAMES[j] if j < len(LIGHT_NAMES) else f"light {j + 1}"


def _finite(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- the lights


def lights(streetlights, walk_vs_stop, *, lecture: bool = False, highlight: int | None = None,
           title: str | None = None) -> go.Figure:
    """One row of lights per example (on = yellow, off = dark grey) with its walk / stop label."""
    x = np.asarray(streetlights, dtype=float)
    y = np.asarray(walk_vs_stop, dtype=float)
    rows, inputs = x.shape
    on_x, on_y, off_x, off_y = [], [], [], []
    for i in range(rows):
        for j in range(inputs):
            (on_x if x[i, j] != 0 else off_x).append(j)
            (on_y if x[i, j] != 0 else off_y).append(i)
    size = 34
    fig = theme.Plain()
    fig.add_trace("scatter", x=on_x, y=on_y, mode="markers", name="on",
                  marker=dict(size=size, color=ON, line=dict(color=ON_EDGE, width=3)),
                  hovertemplate="example %{y}, light %{x}: on<extra></extra>")
    fig.add_trace("scatter", x=off_x, y=off_y, mode="markers", name="off",
                  marker=dict(size=size, color=OFF, line=dict(color="#222", width=2)),
                  hovertemplate="example %{y}, light %{x}: off<extra></extra>")
    labels = ["WALK" if g >= 0.5 else "STOP" for g in y]
    fig.add_trace("scatter", x=[inputs + 0.35] * rows, y=list(range(rows)), mode="text", name="walk_vs_stop",
                  text=[f"{lab} ({num(g, 3)})" for lab, g in zip(labels, y)],
                  textposition="middle right", showlegend=False,
                  textfont=dict(size=24 if lecture else 16, color=[theme.GOAL if g >= 0.5 else theme.CURRENT for g in y]),
                  hoverinfo="skip")
    if highlight is not None and 0 <= highlight < rows:
        fig.add_shape(type="rect", x0=-0.5, x1=inputs + 2.3, y0=highlight - 0.48, y1=highlight + 0.48,
                      line=dict(color=theme.CURRENT, width=3))
    fig.update_xaxes(range=[-0.6, inputs + 2.4], tickvals=list(range(inputs)),
                     ticktext=[light_name(j) for j in range(inputs)],
                     showgrid=False, zeroline=False, side="top")
    fig.update_yaxes(range=[rows - 0.5, -0.5], tickvals=list(range(rows)),
                     ticktext=[f"example {i}" for i in range(rows)], showgrid=False, zeroline=False)
    if title:
        fig.update_layout(title=title)
    fig.update_layout(showlegend=False)
    return _bare(fig).figure(lecture=lecture, height=(70 * rows + 110) * (1.3 if lecture else 1))


def _bare(fig: theme.Plain) -> theme.Plain:
    """No axis lines or zero lines through a drawing (lights, tables)."""
    fig.update_xaxes(showline=False, zeroline=False, showgrid=False)
    fig.update_yaxes(showline=False, zeroline=False, showgrid=False)
    return fig


def _legend_below(fig: theme.Plain, lecture: bool) -> theme.Plain:
    """Keep the legend clear of the x axis title."""
    fig.update_layout(legend=dict(y=-0.42 if lecture else -0.36), margin=dict(b=20))
    return fig


# --------------------------------------------------------------------------- per pass


def weight_range(weights: Sequence[Sequence[float]]) -> list[float]:
    """A fixed range holding every finite weight of a run (and 0 and 1, the usual goals)."""
    vals = [float(v) for w in weights for v in np.ravel(w) if math.isfinite(float(v))] + [0.0, 1.0]
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.08, 0.05)
    return [lo - pad, hi + pad]


def weights_per_pass(records: Sequence[dict], k: int, n: int, *, lecture: bool = False,
                     title: str | None = None) -> go.Figure:
    """Each weight after every pass (pass 0 = the start), with the cursor at pass ``k + 1``."""
    if not records:
        raise ValueError("weights_per_pass needs at least one record")
    start = np.asarray(records[0]["weights"], dtype=float)
    series = [start] + [np.asarray(r["new_weights"], dtype=float) for r in records]
    fig = theme.Plain()
    for j in range(len(start)):
        ys = [_finite(w[j]) for w in series]
        fig.add_trace("scatter", x=list(range(len(series))), y=ys, mode=theme.line_mode(len(ys)),
                      name=f"weights[{j}] ({light_name(j)})",
                      line=dict(color=WEIGHT_COLORS[j % len(WEIGHT_COLORS)], width=3),
                      marker=dict(size=5),
                      hovertemplate=f"pass %{{x}}<br>weights[{j}] %{{y:.6g}}<extra></extra>")
    fig.add_vline(x=k + 1, line=dict(color="#444", width=1.5))
    fig.update_xaxes(range=[-0.5, n + 0.5], title_text="pass (iteration)")
    fig.update_yaxes(range=weight_range(series), title_text="weights")
    if title:
        fig.update_layout(title=title)
    return _legend_below(fig, lecture).figure(lecture=lecture, height=380 if not lecture else 520)


def error_per_pass(runs: Sequence[tuple[str, Sequence[dict], int | None]], k: int, n: int, *,
                   lecture: bool = False, floor: float | None = None, title: str | None = None) -> go.Figure:
    """The error summed over each pass, for one or more runs, on a log scale.

    ``runs`` holds (label, pass records, diverged_at); ``floor`` draws a dashed reference line.
    """
    colors = [theme.CURRENT, theme.COLORS["blue"], theme.COLORS["green"], theme.COLORS["orange"]]
    fig = theme.Plain()
    vals = []
    for i, (label, records, diverged_at) in enumerate(runs):
        color = MODE_COLORS.get(label, colors[i % len(colors)])
        ys = [_finite(r["error"]) for r in records]
        ys = [max(y, 1e-300) if y is not None else None for y in ys]
        vals += [y for y in ys if y is not None]
        fig.add_trace("scatter", x=list(range(1, len(ys) + 1)), y=ys, mode=theme.line_mode(len(ys)), name=label,
                      line=dict(color=color, width=3), marker=dict(size=5),
                      hovertemplate=f"pass %{{x}}<br>error %{{y:.6g}}<extra>{label}</extra>")
        if diverged_at:
            fig.add_vline(x=diverged_at, line=dict(color=color, dash="dot", width=2),
                          annotation_text=f"{label}: diverged at pass {diverged_at}",
                          annotation_position="top left")
    if floor is not None:
        vals.append(floor)
        fig.add_hline(y=floor, line=dict(color=theme.COLORS["grey"], dash="dash", width=2),
                      annotation_text=f"error {num(floor, 3)}", annotation_position="bottom left")
    lo, hi = (min(vals), max(vals)) if vals else (0.1, 10.0)
    lo_l, hi_l = math.log10(lo), math.log10(hi)
    pad = max((hi_l - lo_l) * 0.06, 0.3)
    fig.update_yaxes(type="log", range=[lo_l - pad, hi_l + pad], title_text="error (log scale)")
    fig.add_vline(x=k + 1, line=dict(color="#444", width=1.5))
    fig.update_xaxes(range=[0.5, n + 0.5], title_text="pass (iteration)")
    if title:
        fig.update_layout(title=title)
    return _legend_below(fig, lecture).figure(lecture=lecture, height=380 if not lecture else 520)


# --------------------------------------------------------------------------- the pressure table

SIGN_TEXT = {1: "+", -1: "−", 0: "0"}


def pressure_table(table: dict, walk_vs_stop, *, lecture: bool = False, title: str | None = None) -> go.Figure:
    """The up/down pressure table: one row per example, one column per weight, plus the votes.

    ``table`` is :func:`gdviz.core.streetlights.pressure`'s dict. Cells read ``+`` (pushes the
    weight up, toward walk), ``−`` (down, toward stop) or ``0`` (the light is off: no pressure);
    the hover gives the size of the push for the current weights.
    """
    sign = np.asarray(table["sign"], dtype=int)
    votes = np.asarray(table["votes"], dtype=int)
    push = np.asarray(table["pressure"], dtype=float)
    rows, inputs = sign.shape
    z = np.vstack([sign, np.sign(votes)]).astype(float)
    text = [[SIGN_TEXT[int(s)] for s in row] for row in sign]
    text.append([f"{v:+d}" if v else "0" for v in votes])
    hover = [[f"example {i}, weights[{j}]: {SIGN_TEXT[int(sign[i, j])]}<br>push now "
              f"{num(push[i, j], 4)}" for j in range(inputs)] for i in range(rows)]
    hover.append([f"weights[{j}]: votes {int(votes[j])}" for j in range(inputs)])
    goals = np.asarray(walk_vs_stop, dtype=float)
    ylabels = [f"example {i} ({'walk' if g >= 0.5 else 'stop'})" for i, g in enumerate(goals)] + ["votes"]
    fig = theme.Plain.of(
        "heatmap", z=z, x=[f"weights[{j}]<br>({light_name(j)})" for j in range(inputs)], y=ylabels,
        text=text, texttemplate="%{text}", textfont=dict(size=26 if lecture else 20),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=[[0.0, "#9CC8EA"], [0.5, "#F2F2F2"], [1.0, "#F4B97F"]], zmin=-1, zmax=1,
        showscale=False, xgap=3, ygap=3)
    fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False, title_text="example")
    fig.update_xaxes(side="top", showgrid=False, zeroline=False, title_text="")
    if title:
        fig.update_layout(title=title)
    return _bare(fig).figure(lecture=lecture, height=(48 * (rows + 1) + 120) * (1.3 if lecture else 1))


# --------------------------------------------------------------------------- the 3-layer network

PHASE_COLORS = {"forward": theme.COLORS["blue"], "compare": theme.CURRENT, "backward": theme.COLORS["purple"],
                "update": theme.GOAL}


def _rgb(hexcolor: str) -> tuple[int, int, int]:
    return tuple(int(hexcolor[i:i + 2], 16) for i in (1, 3, 5))


def weight_color(w: float, scale: float) -> str:
    """Blue for negative weights, vermillion for positive, paler toward 0."""
    t = 0.0 if not math.isfinite(w) or scale <= 0 else max(-1.0, min(1.0, w / scale))
    target = _rgb(theme.COLORS["vermillion"] if t >= 0 else theme.COLORS["blue"])
    a = abs(t)
    r, g, b = (round(235 + (c - 235) * a) for c in target)
    return f"rgb({r},{g},{b})"


def _y_positions(n: int) -> list[float]:
    return [0.0] if n == 1 else list(np.linspace(1.0, -1.0, n))


def network(record: dict, phase: str, *, lecture: bool = False, weight_scale: float | None = None) -> go.Figure:
    """The 3-layer network for one example record of :mod:`gdviz.core.backprop`, at ``phase``.

    Inputs on the left, hidden nodes in the middle, the output on the right. Edges are
    coloured by weight (blue negative, vermillion positive); hidden nodes the relu switched
    off are grey. Each phase labels what it computes: forward the layer values, compare the
    output's delta, backward the hidden deltas, update the weight changes (edges show the new
    weights).
    """
    w01 = np.asarray(record["weights_0_1"], dtype=float)
    w12 = np.asarray(record["weights_1_2"], dtype=float)
    if phase == "update":
        w01 = np.asarray(record["new_weights_0_1"], dtype=float)
        w12 = np.asarray(record["new_weights_1_2"], dtype=float)
    inputs, hidden = w01.shape
    layer_0 = np.ravel(record["layer_0"])
    layer_1 = np.ravel(record["layer_1"]) + 0.0  # + 0.0: relu gives −0, shown as 0
    mask = np.ravel(record["relu_mask"]).astype(bool)
    pred = float(record["pred"])
    finite = [abs(v) for v in np.concatenate([w01.ravel(), w12.ravel()]) if math.isfinite(v)]
    scale = weight_scale or (max(finite) if finite else 1.0) or 1.0
    y0, y1, y2 = _y_positions(inputs), _y_positions(hidden), [0.0]
    hl = PHASE_COLORS.get(phase, "#444")
    hsize = max(16, min(40, 260 / hidden))  # many hidden nodes: smaller circles
    fig = theme.Plain()

    def edge(xa, ya, xb, yb, w, bold, label):
        width = 1.0 + 5.0 * min(abs(w) / scale, 1.0) if math.isfinite(w) else 1.0
        fig.add_trace("scatter", x=[xa, xb], y=[ya, yb], mode="lines", showlegend=False,
                      line=dict(color=weight_color(w, scale), width=width * (1.6 if bold else 1.0)),
                      opacity=1.0 if bold else 0.55, hoverinfo="text", text=label)

    back = phase == "backward"
    for i in range(inputs):
        for j in range(hidden):
            label = f"weights_0_1[{i},{j}] = {num(w01[i, j], 4)}"
            if phase == "update":
                label += f"<br>weight_delta {num(record['weight_deltas_0_1'][i, j], 4)}"
            edge(0, y0[i], 1, y1[j], w01[i, j], phase in ("forward", "update") and mask[j] and layer_0[i] != 0,
                 label)
    for j in range(hidden):
        label = f"weights_1_2[{j}] = {num(w12[j, 0], 4)}"
        if phase == "update":
            label += f"<br>weight_delta {num(record['weight_deltas_1_2'][j, 0], 4)}"
        edge(1, y1[j], 2, 0.0, w12[j, 0], phase in ("forward", "backward", "update") and mask[j], label)

    # nodes
    in_text = [num(v, 3) for v in layer_0]
    fig.add_trace("scatter", x=[0] * inputs, y=y0, mode="markers+text", name="layer_0 (input)",
                  marker=dict(size=40, color=[ON if v != 0 else OFF for v in layer_0],
                              line=dict(color=hl if phase == "forward" else "#222", width=3)),
                  text=in_text, textfont=dict(color=["#111" if v != 0 else "#EEE" for v in layer_0]),
                  hovertemplate="layer_0 %{text}<extra></extra>")
    if phase == "backward":
        h_text = [num(d, 3) for d in np.ravel(record["layer_1_delta"]) + 0.0]
        h_name = "layer_1_delta"
    else:
        h_text = [num(v, 3) for v in layer_1]
        h_name = "layer_1"
    # many hidden nodes: too small for their numbers; the hover still gives them
    fig.add_trace("scatter", x=[1] * hidden, y=y1, mode="markers+text" if hidden <= 8 else "markers",
                  name="layer_1 (hidden; grey = relu off)",
                  textfont=dict(size=13 if hidden <= 6 else 9),
                  marker=dict(size=hsize, color=["#FFFFFF" if m else "#BDBDBD" for m in mask],
                              line=dict(color=[hl if (m and phase in ("forward", "backward")) else "#555"
                                               for m in mask], width=3)),
                  text=h_text, hovertemplate=h_name + " %{text}<extra></extra>")
    out_text = num(float(np.ravel(record["layer_2_delta"])[0]), 3) if phase in ("compare", "backward") else num(pred, 3)
    fig.add_trace("scatter", x=[2], y=y2, mode="markers+text", name="layer_2 (output)",
                  marker=dict(size=46, color="#FFFFFF",
                              line=dict(color=hl if phase in ("forward", "compare") else "#555", width=4)),
                  text=[out_text], hovertemplate="%{text}<extra></extra>")
    # column captions
    caps = {"forward": ("layer_0", "layer_1 = relu(sum)", "layer_2 (pred)"),
            "compare": ("layer_0", "layer_1", "layer_2_delta"),
            "backward": ("layer_0", "layer_1_delta", "layer_2_delta"),
            "update": ("layer_0", "layer_1", "layer_2 (pred)")}[phase]
    if record.get("activation") == "linear":
        caps = tuple(c.replace("relu(sum)", "sum (linear)") for c in caps)
    for xpos, cap in zip((0, 1, 2), caps):
        fig.add_annotation(x=xpos, y=1.28, text=f"<b>{cap}</b>", showarrow=False, font=dict(size=14))
    goal = float(record["goal_pred"])
    msg = {
        "forward": "forward: weighted sums flow left to right",
        "compare": f"compare: error {num(record['error'], 4)}",
        "backward": "backward: delta × weight (0 where relu was off)",
        "update": "update: weight −= alpha × input × delta",
    }[phase]
    fig.add_annotation(x=1.0, y=-1.38, text=msg, showarrow=False, font=dict(size=14, color=hl))
    if phase in ("compare", "backward"):
        fig.add_annotation(x=2, y=-0.32, text=f"goal_pred {num(goal, 3)}<br>pred {num(pred, 3)}",
                           showarrow=False, font=dict(size=13, color=theme.CURRENT))
    fig.update_xaxes(range=[-0.4, 2.4], visible=False)
    fig.update_yaxes(range=[-1.5, 1.4], visible=False)
    fig.update_layout(showlegend=False, title=f"pass {record['pass']}, example {record['example']} — {phase}")
    return fig.figure(lecture=lecture, height=460 if not lecture else 620)
