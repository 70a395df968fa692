"""Part C figures: the lights, weights and error per pass, the pressure table, the 3-layer network.

Pure functions from records (and datasets) to Plotly figures. Nothing non-finite reaches a
trace: values are clipped and labelled, a diverged run is drawn up to where it overflowed.
"""

from __future__ import annotations

import functools

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


_POSITIVE, _NEGATIVE = _rgb(theme.COLORS["vermillion"]), _rgb(theme.COLORS["blue"])


def weight_color(w: float, scale: float) -> str:
    """Blue for negative weights, vermillion for positive, paler toward 0."""
    w = float(w)
    t = 0.0 if not math.isfinite(w) or scale <= 0 else max(-1.0, min(1.0, w / scale))
    target = _POSITIVE if t >= 0 else _NEGATIVE
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


# =========================================================================== live: the lesson instrument
# Templates (the look, a fixed list of traces) and views (what moves) for C1, C2 and C3 on the
# lesson instrument (gdviz.ui.instrument; the view format is gdviz.figures.live's). Every number
# shown is formatted here; trace numbers travel through live.enc.

from gdviz.experiments import streetlights as S  # noqa: E402
from gdviz.figures import live  # noqa: E402
from gdviz.experiments.formatting import RecordTexts, Texts  # noqa: E402

LOG_AXIS = dict(type="log", exponentformat="power", dtick=1)  # ticks: log_ticks (no minor labels)
CURSOR = dict(color="#444", width=1.5)


def _lights_box(lecture: bool) -> tuple[float, int]:
    """The lamps' marker size and the chart's height per row: circles 1 row apart never touch
    (lecture mode scales markers by 1.5 itself)."""
    return 26.0, (58 if not lecture else 70)


def lights_template(rows: int, inputs: int, *, lecture: bool = False, title: str = "The dataset") -> dict:
    """The lights, one row per example: trace 0 lamps on, 1 lamps off, 2 the example being learned
    (a frame). walk / stop are the y tick labels (in the run's layout), so they are never cut."""
    size, per_row = _lights_box(lecture)
    fig = theme.Plain()
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="on",
                  marker=dict(size=size, color=ON, line=dict(color=ON_EDGE, width=3)),
                  hovertemplate="example %{y}, light %{x}: on<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="off",
                  marker=dict(size=size, color=OFF, line=dict(color="#222", width=2)),
                  hovertemplate="example %{y}, light %{x}: off<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="this example", hoverinfo="skip",
                  line=dict(color=theme.CURRENT, width=3))
    fig.update_xaxes(range=[-0.6, inputs - 0.4], tickvals=list(range(inputs)),
                     ticktext=[light_name(j) for j in range(inputs)], side="top", fixedrange=True, tickangle=0)
    fig.update_yaxes(range=[rows - 0.5, -0.5], tickvals=list(range(rows)), fixedrange=True)
    fig.update_layout(showlegend=False, title=title, margin=dict(l=10, r=20, t=70 if lecture else 60, b=10))
    return _bare(fig).figure(lecture=lecture, height=per_row * rows + (120 if lecture else 95)).to_plotly_json()


def _walk_label(g: float) -> str:
    color = theme.GOAL if g >= 0.5 else theme.CURRENT
    return f"ex. {{i}}: <span style='color:{color}'><b>{'WALK' if g >= 0.5 else 'STOP'}</b> ({num(g, 3)})</span>"


def lights_run(streetlights, walk_vs_stop) -> tuple[dict, dict]:
    x = np.asarray(streetlights, dtype=float)
    y = np.asarray(walk_vs_stop, dtype=float)
    rows, inputs = x.shape
    on = [(j, i) for i in range(rows) for j in range(inputs) if x[i, j] != 0]
    off = [(j, i) for i in range(rows) for j in range(inputs) if x[i, j] == 0]
    traces = {0: {"x": live.enc([a for a, _ in on]), "y": live.enc([b for _, b in on])},
              1: {"x": live.enc([a for a, _ in off]), "y": live.enc([b for _, b in off])}}
    layout = {"yaxis": {"ticktext": [_walk_label(g).format(i=i) for i, g in enumerate(y)]}}
    return traces, layout


def lights_highlight(e: int, inputs: int) -> dict:
    a, b = -0.5, inputs - 0.5
    return {"x": live.enc([a, b, b, a, a]), "y": live.enc([e - 0.46, e - 0.46, e + 0.46, e + 0.46, e - 0.46])}


def pressure_template(rows: int, inputs: int, *, lecture: bool = False, title: str = "Up/down pressure table") -> dict:
    """The pressure table as a heatmap (z, text and row labels in the run; the hover's push in
    each frame: it depends on the weights of that pass)."""
    fig = theme.Plain.of(
        "heatmap", z=[], x=[f"weights[{j}]<br>({light_name(j)})" for j in range(inputs)],
        y=list(range(rows + 1)), text=[], texttemplate="%{text}",
        textfont=dict(size=26 if lecture else 20), customdata=[], hovertemplate="%{customdata}<extra></extra>",
        colorscale=[[0.0, "#9CC8EA"], [0.5, "#F2F2F2"], [1.0, "#F4B97F"]], zmin=-1, zmax=1,
        showscale=False, xgap=3, ygap=3)
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    fig.update_xaxes(side="top", fixedrange=True)
    # the column names sit on top: the title goes above them, clear of their two lines
    fig.update_layout(title=dict(text=title, y=0.99, yanchor="top"), margin=dict(t=125 if lecture else 95))
    return _bare(fig).figure(lecture=lecture, height=(44 * (rows + 1) + 140) * (1.25 if lecture else 1)).to_plotly_json()


def pressure_run(table: dict, walk_vs_stop) -> dict:
    sign = np.asarray(table["sign"], dtype=int)
    votes = np.asarray(table["votes"], dtype=int)
    z = np.vstack([sign, np.sign(votes)]).astype(float)
    text = [[SIGN_TEXT[int(s)] for s in row] for row in sign] + [[f"{v:+d}" if v else "0" for v in votes]]
    return {0: {"z": [live.enc(r) for r in z], "text": text}}


def pressure_layout(walk_vs_stop) -> dict:
    """The table's row names (they follow the walk / stop labels)."""
    labels = [f"example {i} ({'walk' if g >= 0.5 else 'stop'})" for i, g in enumerate(walk_vs_stop)] + ["votes"]
    return {"yaxis": {"tickmode": "array", "tickvals": list(range(len(labels))), "ticktext": labels}}


def pressure_hover(table: dict, what: str) -> dict:
    sign = np.asarray(table["sign"], dtype=int)
    votes = np.asarray(table["votes"], dtype=int)
    push = np.asarray(table["pressure"], dtype=float)
    rows, inputs = sign.shape
    hover = [[f"example {i}, weights[{j}]: {SIGN_TEXT[int(sign[i, j])]}<br>push {what}: {num(push[i, j], 4)}"
              for j in range(inputs)] for i in range(rows)]
    hover.append([f"weights[{j}]: votes {int(votes[j])}" for j in range(inputs)])
    return {0: {"customdata": hover}}


def weights_template(inputs: int, n: int, *, lecture: bool = False, title: str = "The weights after each pass",
                     unit: str = "pass") -> dict:
    """Traces 0..inputs-1: each weight per pass (pass 0 = the start); then the cursor line and
    the weights now (markers)."""
    fig = theme.Plain()
    for j in range(inputs):
        fig.add_trace("scatter", x=[], y=[], mode=theme.line_mode(n + 1), name=f"weights[{j}] ({light_name(j)})",
                      line=dict(color=WEIGHT_COLORS[j % len(WEIGHT_COLORS)], width=3), marker=dict(size=5),
                      hovertemplate=f"pass %{{x}}<br>weights[{j}] %{{y:.6g}}<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="this pass", showlegend=False, line=CURSOR,
                  hoverinfo="skip")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="now", showlegend=False, hoverinfo="skip",
                  marker=dict(size=11, color=list(WEIGHT_COLORS[:inputs]), line=dict(color="#111", width=1.5)))
    fig.update_xaxes(title_text="pass (iteration; 0 = the start)" if unit == "pass" else f"{unit} (0 = the start)")
    fig.update_yaxes(title_text="weight")
    fig.update_layout(title=title)
    return _legend_below(fig, lecture).figure(lecture=lecture, height=380 if not lecture else 470).to_plotly_json()


def weights_run(records) -> tuple[dict, dict, list[float], np.ndarray]:
    start = np.asarray(records[0]["weights"], dtype=float)
    series = np.array([start] + [np.asarray(r["new_weights"], dtype=float) for r in records])
    xs = live.linspace(0, len(records), len(records) + 1)
    traces = {j: {"xlin": xs, "y": live.enc(series[:, j])} for j in range(series.shape[1])}
    span = weight_range(series)
    layout = {"xaxis": {"range": [-0.5, len(records) + 0.5]}, "yaxis": {"range": span}}
    return traces, layout, span, series


def weights_cursor(k: int, span, series, inputs: int) -> dict:
    w = series[k + 1]
    return {inputs: {"x": live.enc([k + 1, k + 1]), "y": live.enc(span, 8)},
            inputs + 1: {"x": live.enc([k + 1] * inputs), "y": live.enc(w)}}


def errors_template(labels, colors, n: int, *, lecture: bool = False, floor: float | None = None,
                    title: str = "Error per pass", unit: str = "pass") -> dict:
    """One error line per run (``labels``), the floor line with its label (when ``floor``), the cursor."""
    fig = theme.Plain()
    for label, color in zip(labels, colors):
        fig.add_trace("scatter", x=[], y=[], mode=theme.line_mode(n), name=label, line=dict(color=color, width=3),
                      marker=dict(size=5), hovertemplate=f"{unit} %{{x}}<br>error %{{y:.6g}}<extra>{label}</extra>")
    if floor is not None:
        fig.add_trace("scatter", x=[], y=[], mode="lines+text", name=f"error {num(floor, 3)}", showlegend=False,
                      line=dict(color=theme.COLORS["grey"], dash="dash", width=2), textposition="bottom left",
                      textfont=dict(color="#555"), hoverinfo="skip")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="this pass", showlegend=False, line=CURSOR,
                  hoverinfo="skip")
    fig.update_xaxes(title_text="pass (iteration)" if unit == "pass" else unit)
    fig.update_yaxes(title_text="error per pass (log)" if unit == "pass" else "error (log)", **LOG_AXIS)
    fig.update_layout(title=title)
    return _legend_below(fig, lecture).figure(lecture=lecture, height=380 if not lecture else 470).to_plotly_json()


FLOOR_TEXT = "error 1: one weight vector never gets below"


#: The largest decade a float can hold (10 ** 308.25 is the largest float).
_LOG_MOST = 308.25


def errors_run(runs, n: int, *, floor: float | None = None,
               floor_text: str = FLOOR_TEXT) -> tuple[dict, dict, list[float]]:
    """``runs``: (label, run) pairs. Returns the traces, the layout patch (log range, diverged
    markers) and the y span of the cursor line (data units)."""
    traces, shapes, notes, vals = {}, [], [], []
    for i, (label, run) in enumerate(runs):
        ys = np.array([r["error"] for r in run.records], dtype=float)
        ok = np.isfinite(ys) & (ys > 0)
        vals += ys[ok].tolist()
        traces[i] = {"xlin": live.linspace(1, len(ys), len(ys)), "y": live.enc(np.where(ok, ys, np.nan))}
        if run.diverged_at:
            shapes.append(dict(type="line", x0=run.diverged_at, x1=run.diverged_at, xref="x", y0=0, y1=1,
                               yref="y domain", line=dict(color="#888", dash="dot", width=2)))
            notes.append(dict(showarrow=False, text=f"{label}: diverged at pass {run.diverged_at}",
                              x=run.diverged_at, xanchor="right", xref="x", y=1 - 0.08 * len(notes),
                              yanchor="top", yref="y domain"))
    k = len(runs)
    if floor is not None:
        vals.append(floor)
        traces[k] = {"x": live.enc([0.5, n + 0.5]), "y": live.enc([floor, floor]), "text": ["", floor_text]}
    lo, hi = (min(vals), max(vals)) if vals else (0.1, 10.0)
    lo_l, hi_l = math.log10(lo), math.log10(hi)
    pad = max((hi_l - lo_l) * 0.06, 0.3)
    bottom, top = max(lo_l - pad, -_LOG_MOST), min(hi_l + pad, _LOG_MOST)  # a run near overflow stays drawable
    span = [10 ** bottom, 10 ** top]
    layout = {"xaxis": {"range": [0.5, n + 0.5]},
              "yaxis": {"range": [bottom, top], **log_ticks(bottom, top)},
              "shapes": shapes, "annotations": notes}
    return traces, layout, span


def log_ticks(lo_l: float, hi_l: float) -> dict:
    """Ticks of a log axis from 10**lo_l to 10**hi_l: one per decade (10^k) over a wide range;
    over a narrow one 1, 2 and 5 times the decades, written as plain numbers. Never Plotly's
    unlabelled-decade "5 2 5 2" minor labels, never SI prefixes."""
    if hi_l - lo_l > 1.5:
        return {"tickmode": "linear", "tick0": 0, "dtick": 1}
    vals = [m * 10.0 ** k for k in range(math.floor(lo_l) - 1, math.ceil(hi_l) + 1) for m in (1, 2, 5)]
    vals = [v for v in vals if lo_l <= math.log10(v) <= hi_l]
    return {"tickmode": "array", "tickvals": vals, "ticktext": [num(v, 3) for v in vals]}


def _cursor(k: int, span) -> dict:
    return {"x": live.enc([k + 1, k + 1]), "y": live.enc(span, 8)}


def _rows(lines) -> list[list[str]]:
    return [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value] for ln in lines]


def _notice(runs) -> str:
    bad = [(label, r.diverged_at) for label, r in runs if r.diverged_at]
    if not bad:
        return ""
    which = ", ".join(f"{label} at pass {at}" for label, at in bad)
    return f"Diverged ({which}): the numbers overflowed to inf/nan. The charts stop there; try a smaller alpha."


MODE_LABELS = {"stochastic": "stochastic", "full": "full", "batch": "mini-batch"}


def _pass_weights(r, diverged: bool):
    return r["new_weights"] if not diverged else r["weights"]


def dataset_view(run: "S.Runs", at: int | None = None, *, compare: bool = True, floor: float | None = None,
                 errors_id: str = "errors", unit: str = "pass") -> dict:
    """C1 (``compare``: the three modes) and C2's view: the weights of the shown run per pass,
    the error per pass, the lights and the pressure table at the weights of that pass, the
    metrics and every example's arithmetic."""
    s = run.settings
    recs = run.passes
    n = len(recs)
    lights, goals = S.rows(s)
    inputs = lights.shape[1]
    w_t, w_l, w_span, series = weights_run(recs)
    labelled = [(MODE_LABELS[m], run.runs[m]) for m in (S.MODES if compare else (run.shown,))]
    e_t, e_l, e_span = errors_run(labelled, n, floor=floor)
    ncurves = len(labelled) + (floor is not None)
    l_t, l_l = lights_run(lights, goals)
    table0 = S.pressure(recs[0]["weights"], lights, goals)
    pressure_z = pressure_run(table0, goals)  # in every frame: one update per trace and frame
    frames = {}
    for i in live.frames_for(n, at):
        r = recs[i]
        w = _pass_weights(r, run.diverged_at is not None and i == n - 1)
        table = S.pressure(w, lights, goals) if all(math.isfinite(float(v)) for v in w) else table0
        metrics = [[f"weights[{j}] ({light_name(j)})", num(float(r["new_weights"][j]), 3)] for j in range(inputs)]
        for label, rn in labelled:
            rr = rn.records[min(i, len(rn.records) - 1)]
            if label == MODE_LABELS["batch"]:
                label = f"{label} ({int(s['batch_size'])})"
            metrics.append([f"error, {label}" if compare else f"error ({unit})", num(rr["error"], 4)])
        notes = []
        if floor is not None and r["error"] > floor and i + 1 >= 20:
            notes.append(f"After pass {i + 1} the error is still {num(r['error'], 4)}, above {floor:g}: more passes "
                         "will not help, the weights already sit where the pushes cancel.")
        frames[i] = {
            "traces": {"weights": weights_cursor(i, w_span, series, inputs),
                       errors_id: {ncurves: _cursor(i, e_span)},
                       "pressure": {0: {**pressure_z[0], **pressure_hover(table, f"after {unit} {i + 1}")[0]}}},
            "metrics": metrics,
            "arith": {"title": (f"The arithmetic of pass {i + 1} ({MODE_LABELS[run.shown]}): every example, the numbers put in"
                                if unit == "pass" else f"The arithmetic of {unit} {i + 1}, the numbers put in"),
                      "rows": _rows(S.pass_arithmetic(r, s["alpha"]))},
            "notes": notes,
            "position": f"{unit} {i + 1}",
        }
    return {"n": n, "run": {"weights": w_t, errors_id: e_t, "lights": l_t},
            "layout": {"weights": w_l, errors_id: e_l, "lights": l_l, "pressure": pressure_layout(goals)},
            "frames": frames, "notice": _notice(labelled)}


def dataset_charts(run: "S.Runs", *, lecture: bool = False, compare: bool = True, floor: float | None = None,
                   errors_id: str = "errors", errors_title: str = "Error per pass", unit: str = "pass") -> dict:
    lights, _ = S.rows(run.settings)
    rows, inputs = lights.shape
    n = len(run.passes)
    modes = S.MODES if compare else (run.shown,)
    labels = [MODE_LABELS[m] for m in modes] if compare else ["error"]
    colors = [MODE_COLORS[m] for m in modes]
    title = "The weights after each pass" if unit == "pass" else f"The weights after each {unit}"
    return {"weights": weights_template(inputs, n, lecture=lecture, title=title, unit=unit),
            errors_id: errors_template(labels, colors, n, lecture=lecture, floor=floor, title=errors_title, unit=unit),
            "lights": lights_template(rows, inputs, lecture=lecture),
            "pressure": pressure_template(rows, inputs, lecture=lecture)}


# --------------------------------------------------------------------------- C3: every phase of every example

def network_id(hidden: int) -> str:
    """The network chart's id: its traces depend on hidden_size, so a new size is a new chart."""
    return f"network{hidden}"


def _net_layout(inputs: int, hidden: int):
    y0, y1 = _y_positions(inputs), _y_positions(hidden)
    edges = [(0, y0[i], 1, y1[j]) for i in range(inputs) for j in range(hidden)] + \
            [(1, y1[j], 2, 0.0) for j in range(hidden)]
    return y0, y1, edges


def network_template(inputs: int, hidden: int, *, lecture: bool = False) -> dict:
    """The 3-layer network: one trace per edge (colour, width, opacity and hover in each frame),
    then layer_0, layer_1, layer_2 (markers + numbers), the column captions, the phase message
    and the goal/pred note (text traces)."""
    y0, y1, edges = _net_layout(inputs, hidden)
    fig = theme.Plain()
    for xa, ya, xb, yb in edges:
        fig.add_trace("scatter", x=[xa, xb], y=[ya, yb], mode="lines", showlegend=False, hoverinfo="text",
                      text="", line=dict(color="#ccc", width=2))
    hsize = max(16, min(40, 260 / hidden))
    fig.add_trace("scatter", x=[0] * inputs, y=y0, mode="markers+text", name="layer_0 (input)",
                  marker=dict(size=38, color=[OFF] * inputs, line=dict(color="#222", width=3)),
                  text=[""] * inputs, hovertemplate="layer_0 %{text}<extra></extra>")
    fig.add_trace("scatter", x=[1] * hidden, y=y1, mode="markers+text" if hidden <= 8 else "markers",
                  name="layer_1 (hidden; grey = relu off)",
                  textfont=dict(size=(17 if lecture else 13) if hidden <= 6 else (13 if lecture else 10)),
                  marker=dict(size=hsize, color=["#FFFFFF"] * hidden, line=dict(color="#555", width=3)),
                  text=[""] * hidden, hovertemplate="%{text}<extra></extra>")
    fig.add_trace("scatter", x=[2], y=[0.0], mode="markers+text", name="layer_2 (output)",
                  marker=dict(size=52, color="#FFFFFF", line=dict(color="#555", width=4)), text=[""],
                  hovertemplate="%{text}<extra></extra>")
    # two-line captions over narrow columns: they never run into each other
    fig.add_trace("scatter", x=[0, 1, 2], y=[1.3, 1.3, 1.3], mode="text", name="captions", hoverinfo="skip",
                  text=["", "", ""], textfont=dict(size=20 if lecture else 14))
    fig.add_trace("scatter", x=[1.0], y=[-1.4], mode="text", name="message", hoverinfo="skip", text=[""],
                  textfont=dict(size=20 if lecture else 14))
    fig.add_trace("scatter", x=[2.0], y=[-0.42], mode="text", name="goal", hoverinfo="skip", text=[""],
                  textfont=dict(size=18 if lecture else 13, color=theme.CURRENT))
    fig.update_xaxes(range=[-0.45, 2.45], visible=False, fixedrange=True)
    fig.update_yaxes(range=[-1.55, 1.55], visible=False, fixedrange=True)
    fig.update_layout(showlegend=False, margin=dict(l=5, r=5, t=10, b=5))
    return fig.figure(lecture=lecture, height=440 if not lecture else 560).to_plotly_json()


CAPTIONS = {"forward": ("layer_0", "layer_1<br>= {act}(sum)", "layer_2<br>(pred)"),
            "compare": ("layer_0", "layer_1", "layer_2_delta"),
            "backward": ("layer_0", "layer_1_delta", "layer_2_delta"),
            "update": ("layer_0", "layer_1", "layer_2<br>(pred)")}
MESSAGES = {"forward": "forward: weighted sums flow left to right",
            "compare": "compare: error {error}",
            "backward": "backward: delta × weight (0 where relu was off)",
            "update": "update: weight −= alpha × input × delta"}


def _edge_looks(r: dict, upd: bool, scale: float) -> list[tuple[str, float, str]]:
    """(colour, width, hover) of every edge for the weights an example starts from (or, ``upd``,
    ends with): the same for three of its four phases, so computed once per example."""
    w01 = np.asarray(r["new_weights_0_1" if upd else "weights_0_1"], dtype=float)
    w12 = np.asarray(r["new_weights_1_2" if upd else "weights_1_2"], dtype=float)
    d01 = np.asarray(r["weight_deltas_0_1"], dtype=float).tolist() if upd else None
    d12 = np.asarray(r["weight_deltas_1_2"], dtype=float).tolist() if upd else None
    inputs, hidden = w01.shape
    a, b = w01.tolist(), w12.tolist()
    out = []

    def look(w, label):
        width = 1.0 + 5.0 * min(abs(w) / scale, 1.0) if math.isfinite(w) else 1.0
        return weight_color(w, scale), width, label

    for i in range(inputs):
        for j in range(hidden):
            label = f"weights_0_1[{i},{j}] = {num(a[i][j], 4)}"
            if upd:
                label += f"<br>weight_delta {num(d01[i][j], 4)}"
            out.append(look(a[i][j], label))
    for j in range(hidden):
        label = f"weights_1_2[{j}] = {num(b[j][0], 4)}"
        if upd:
            label += f"<br>weight_delta {num(d12[j][0], 4)}"
        out.append(look(b[j][0], label))
    return out


def network_frame(r: dict, phase: str, scale: float, inputs: int, hidden: int,
                  edges: list | None = None) -> dict:
    """One phase of one example: edge colours (new weights in the update phase), node numbers.
    ``edges``: :func:`_edge_looks` for this example and phase, when already computed."""
    upd = phase == "update"
    edges = edges if edges is not None else _edge_looks(r, upd, scale)
    layer_0 = np.ravel(r["layer_0"]).tolist()
    layer_1 = (np.ravel(r["layer_1"]) + 0.0).tolist()
    mask = np.ravel(r["relu_mask"]).astype(bool).tolist()
    hl = PHASE_COLORS.get(phase, "#444")
    out = {}
    in_bold = phase in ("forward", "update")
    out_bold = phase in ("forward", "backward", "update")
    for idx, (color, width, label) in enumerate(edges):
        if idx < inputs * hidden:
            i, j = divmod(idx, hidden)
            bold = in_bold and mask[j] and layer_0[i] != 0
        else:
            bold = out_bold and mask[idx - inputs * hidden]
        out[idx] = {"line.color": color, "line.width": round(width * 1.6, 2) if bold else round(width, 2),
                    "opacity": 1.0 if bold else 0.5, "text": label}
    idx = len(edges)
    out[idx] = {"text": [num(v, 3) for v in layer_0],
                "marker.color": [ON if v != 0 else OFF for v in layer_0],
                "marker.line.color": hl if phase == "forward" else "#222",
                "textfont.color": ["#111" if v != 0 else "#EEE" for v in layer_0]}
    back = phase == "backward"
    h_vals = (np.ravel(r["layer_1_delta"]) + 0.0).tolist() if back else layer_1
    h_name = "layer_1_delta" if back else "layer_1"
    out[idx + 1] = {"text": [num(v, 3) for v in h_vals],
                    "hovertext": [f"{h_name}[{j}] {num(v, 4)}" for j, v in enumerate(h_vals)],
                    "marker.color": ["#FFFFFF" if m else "#BDBDBD" for m in mask],
                    "marker.line.color": [hl if (m and phase in ("forward", "backward")) else "#555" for m in mask]}
    d2 = float(np.ravel(r["layer_2_delta"])[0])
    out_val = d2 if phase in ("compare", "backward") else float(r["pred"])
    out[idx + 2] = {"text": [num(out_val, 3)],
                    "marker.line.color": hl if phase in ("forward", "compare") else "#555"}
    act = "relu" if r["activation"] == "relu" else "linear"
    caps = [c.format(act=act) for c in CAPTIONS[phase]]
    out[idx + 3] = {"text": [f"<b>{c}</b>" for c in caps]}
    out[idx + 4] = {"text": [MESSAGES[phase].format(error=num(r["error"], 4))], "textfont.color": hl}
    goal = (f"goal_pred {num(float(r['goal_pred']), 3)}<br>pred {num(float(r['pred']), 3)}"
            if phase in ("compare", "backward") else "")
    out[idx + 4 + 1] = {"text": [goal]}
    return out


def _edge_table(rs: list, upd: bool, scale: float) -> tuple[list, list, list]:
    """:func:`_edge_looks`' colours and widths for the examples ``rs`` at once (NumPy over all
    their edges, the same arithmetic as :func:`weight_color`): per example the colours, the
    widths rounded as drawn thin and as drawn bold."""
    k01, k12 = ("new_weights_0_1", "new_weights_1_2") if upd else ("weights_0_1", "weights_1_2")
    w = np.concatenate([np.array([r[k] for r in rs], dtype=float).reshape(len(rs), -1) for k in (k01, k12)],
                       axis=1)  # per example: weights_0_1 row by row, then weights_1_2
    fin = np.isfinite(w)
    with np.errstate(all="ignore"):
        t = np.where(fin, np.clip(w / scale, -1.0, 1.0), 0.0) if scale > 0 else np.zeros_like(w)
        width = np.where(fin, 1.0 + 5.0 * np.minimum(np.abs(w) / scale, 1.0), 1.0)
    a = np.abs(t)
    pos = t >= 0
    rgb = np.stack([np.rint(235 + np.where(pos, float(cp - 235), float(cn - 235)) * a).astype(int)
                    for cp, cn in zip(_POSITIVE, _NEGATIVE)], axis=-1)  # (examples, edges, 3)
    e, m = w.shape
    colors = (("rgb(%d,%d,%d)\n" * (e * m)) % tuple(rgb.ravel().tolist())).split("\n")
    colors = [colors[i:i + m] for i in range(0, e * m, m)] if m else [[] for _ in range(e)]
    return colors, _round2(width), _round2(width * 1.6)


def _round2(a: np.ndarray) -> list:
    """``[[round(x, 2) for x in row] for row in a.tolist()]``, the same floats: NumPy's rounding
    (``rint(x * 100) / 100``) where it cannot differ from Python's correctly rounded one, Python's
    where ``x * 100`` lies within a hair of a half (there the product's rounding may pick the
    other side)."""
    with np.errstate(all="ignore"):
        z = a * 100.0
        out = np.rint(z) / 100.0
        near = ~np.isfinite(z) | (np.abs(z - np.floor(z) - 0.5) < 1e-6)
    rows = out.tolist()
    if near.any():
        src = a.tolist()
        for i, j in zip(*np.nonzero(near)):
            rows[i][j] = round(src[i][j], 2)
    return rows


def _network_phases(r: dict, inputs: int, hidden: int, pre: tuple, post: tuple, texts, batch=None) -> dict:
    """:func:`network_frame` for all four phases of one example at once (what they share is
    computed once): ``pre``/``post``, this example's row of :func:`_edge_table` for the weights
    it starts from and ends with; ``texts``: a :class:`~gdviz.experiments.formatting.Texts`;
    ``batch``: ``(record_texts, k)``, this example's numbers already written as the ``k``-th
    record of a :class:`~gdviz.experiments.formatting.RecordTexts` (default: written here)."""
    ex, k = batch or (RecordTexts([r]), 0)
    get = ex.get
    names = _edge_names(inputs, hidden)
    labels_pre = list(map(str.__add__, names, get("weights_0_1", 4)[k] + get("weights_1_2", 4)[k]))
    labels_post = [f"{nm}{v}<br>weight_delta {d}" for nm, v, d in
                   zip(names, get("new_weights_0_1", 4)[k] + get("new_weights_1_2", 4)[k],
                       get("weight_deltas_0_1", 4)[k] + get("weight_deltas_1_2", 4)[k])]
    layer_0 = np.ravel(r["layer_0"]).tolist()
    mask = np.ravel(r["relu_mask"]).astype(bool).tolist()
    ih = inputs * hidden
    lit_in = [bool(mask[j] and layer_0[i] != 0) for i in range(inputs) for j in range(hidden)]
    l0_text = get("layer_0", 3)[k]
    l0_color = [ON if v != 0 else OFF for v in layer_0]
    l0_font = ["#111" if v != 0 else "#EEE" for v in layer_0]
    hidden_color = ["#FFFFFF" if m else "#BDBDBD" for m in mask]
    h_fwd = (get("layer_1", 3, plus_zero=True)[k],
             [f"layer_1[{j}] {t}" for j, t in enumerate(get("layer_1", 4, plus_zero=True)[k])])
    h_back = (get("layer_1_delta", 3, plus_zero=True)[k],
              [f"layer_1_delta[{j}] {t}" for j, t in enumerate(get("layer_1_delta", 4, plus_zero=True)[k])])
    d2_text, pred_text = get("layer_2_delta", 3)[k][0], get("pred", 3)[k][0]
    act = "relu" if r["activation"] == "relu" else "linear"
    error = get("error", 4)[k][0]
    goal = f"goal_pred {get('goal_pred', 3)[k][0]}<br>pred {pred_text}"
    lit_out = mask

    def thin(looks, labels):
        colors, widths, _ = looks
        return [{"line.color": c, "line.width": w, "opacity": 0.5, "text": t}
                for c, w, t in zip(colors, widths, labels)]

    def bold(looks, labels, lo, lit, thins=None):
        """Edge entries from ``lo`` on: bold where ``lit``, else thin (the entry ``thins`` has)."""
        colors, narrow, widths = looks
        return [{"line.color": colors[k], "line.width": widths[k], "opacity": 1.0, "text": labels[k]} if on
                else thins[i] if thins is not None else
                {"line.color": colors[k], "line.width": narrow[k], "opacity": 0.5, "text": labels[k]}
                for i, (k, on) in enumerate(zip(range(lo, lo + len(lit)), lit))]

    m = len(labels_pre)
    # the same entries in several phases are the same objects, built once: every thin edge of the
    # weights an example starts from, the output edges bold where relu was on (forward, backward)
    thins = thin(pre, labels_pre)
    thin_in, thin_out = thins[:ih], thins[ih:]
    thick_out = bold(pre, labels_pre, ih, lit_out, thin_out)
    edge_entries = {"forward": bold(pre, labels_pre, 0, lit_in, thin_in) + thick_out,
                    "compare": thins,
                    "backward": thin_in + thick_out,
                    "update": bold(post, labels_post, 0, lit_in) + bold(post, labels_post, ih, lit_out)}
    out_all = {}
    for phase in S.PHASES:
        hl = PHASE_COLORS.get(phase, "#444")
        out = dict(enumerate(edge_entries[phase]))
        idx = m
        out[idx] = {"text": l0_text, "marker.color": l0_color,
                    "marker.line.color": hl if phase == "forward" else "#222", "textfont.color": l0_font}
        h_text, h_hover = h_back if phase == "backward" else h_fwd
        ring = phase in ("forward", "backward")
        out[idx + 1] = {"text": h_text, "hovertext": h_hover, "marker.color": hidden_color,
                        "marker.line.color": [hl if (m and ring) else "#555" for m in mask]}
        out[idx + 2] = {"text": [d2_text if phase in ("compare", "backward") else pred_text],
                        "marker.line.color": hl if phase in ("forward", "compare") else "#555"}
        out[idx + 3] = {"text": _CAPTION_TEXTS[(phase, act)]}
        out[idx + 4] = {"text": [MESSAGES[phase].format(error=error)], "textfont.color": hl}
        out[idx + 5] = {"text": [goal if phase in ("compare", "backward") else ""]}
        out_all[phase] = out
    return out_all


@functools.lru_cache(maxsize=None)
def _edge_names(inputs: int, hidden: int) -> tuple[str, ...]:
    return tuple([f"weights_0_1[{i},{j}] = " for i in range(inputs) for j in range(hidden)]
            + [f"weights_1_2[{j}] = " for j in range(hidden)])


_CAPTION_TEXTS = {(phase, act): [f"<b>{c.format(act=act)}</b>" for c in caps]
                  for phase, caps in CAPTIONS.items() for act in ("relu", "linear")}


def _net_scale(run) -> float:
    """One colour scale for the whole run (colours compare across frames): the largest finite
    size of any weight a pass starts or ends with (1 if none)."""
    best = None
    if run.passes:
        for key in ("weights_0_1", "weights_1_2", "new_weights_0_1", "new_weights_1_2"):
            a = np.abs(np.array([rec[key] for rec in run.passes], dtype=float))
            a = a[np.isfinite(a)]
            if a.size:
                m = float(a.max())
                best = m if best is None else max(best, m)
    return 1.0 if best is None else best


def step_position(p: int, e: int, phase: str, i: int) -> str:
    return f"pass {p + 1} · example {e} · {phase} · step {i + 1}"


BACKPROP_ORDER = ("relu", "linear")
BACKPROP_LABELS = {"relu": "relu hidden layer", "linear": "linear hidden layer"}


def backprop_view(run: "S.Runs", at: int | None = None) -> dict:
    """C3's view: a frame for every phase of every example of every pass (forward, compare,
    backward, update), the network, the example being learned, the error per pass of the
    relu and the linear network, the phase's arithmetic."""
    s = run.settings
    steps = [(f["pass"], f["example"], f["phase"]) for f in run.records]
    n = len(steps)
    lights, goals = S.rows(s)
    rows, inputs = lights.shape
    hidden = int(s["hidden_size"])
    net = network_id(hidden)
    scale = _net_scale(run)
    labelled = [(BACKPROP_LABELS[a], run.runs[a]) for a in BACKPROP_ORDER]
    e_t, e_l, e_span = errors_run(labelled, len(run.passes), floor=1.0, floor_text="error 1")
    l_t, l_l = lights_run(lights, goals)
    frames = {}
    wanted = live.frames_for(n, at)
    # every example a frame shows, its four phases built together; each distinct number written once
    examples = list(dict.fromkeys(steps[i][:2] for i in wanted))
    rs = [run.passes[p]["examples"][e] for p, e in examples]
    pre, post = _edge_table(rs, False, scale), _edge_table(rs, True, scale)
    texts = Texts()
    ex = RecordTexts(rs)  # each number of every example shown, written once per key and option
    n3 = texts.fn(3)
    phases, metrics, ariths = {}, {}, {}
    for k, ((p, e), r) in enumerate(zip(examples, rs)):
        phases[(p, e)] = _network_phases(r, inputs, hidden, tuple(t[k] for t in pre), tuple(t[k] for t in post),
                                         texts, (ex, k))
        ariths[(p, e)] = S.backprop_rows(r, texts, tuple(dict.fromkeys(
            steps[i][2] for i in wanted if steps[i][:2] == (p, e))) if at is not None else S.PHASES, (ex, k))
        # 3 digits: four metrics side by side never run into each other in lecture mode
        metrics[(p, e)] = [["layer_2 (pred)", ex.get("pred", 3)[k][0]], ["goal_pred", ex.get("goal_pred", 3)[k][0]],
                           [f"error, example {e}", ex.get("error", 3)[k][0]],
                           [f"error, pass {p + 1}", n3(run.passes[p]["error"])]]
    cursors = {p: {len(labelled) + 1: _cursor(p, e_span)} for p in dict.fromkeys(p for p, _ in examples)}
    highlights = {e: {2: lights_highlight(e, inputs)} for e in dict.fromkeys(e for _, e in examples)}
    for i in wanted:
        p, e, phase = steps[i]
        frames[i] = {
            "traces": {net: phases[(p, e)][phase], "errors": cursors[p], "lights": highlights[e]},
            "metrics": metrics[(p, e)],
            "arith": {"title": f"The arithmetic of the {phase} phase (pass {p + 1}, example {e})",
                      "rows": ariths[(p, e)][phase]},
            "position": step_position(p, e, phase, i),
        }
    return {"n": n, "run": {"errors": e_t, "lights": l_t}, "layout": {"errors": e_l, "lights": l_l},
            "frames": frames, "notice": _notice(labelled[:1] if run.shown == "relu" else labelled[1:])}


def backprop_charts(run: "S.Runs", *, lecture: bool = False) -> dict:
    lights, _ = S.rows(run.settings)
    rows, inputs = lights.shape
    hidden = int(run.settings["hidden_size"])
    n = len(run.passes)
    return {network_id(hidden): network_template(inputs, hidden, lecture=lecture),
            "lights": lights_template(rows, inputs, lecture=lecture, title="The example being learned"),
            "errors": errors_template([BACKPROP_LABELS[a] for a in BACKPROP_ORDER],
                                      [theme.CURRENT, theme.COLORS["blue"]], n, lecture=lecture, floor=1.0,
                                      title="Error per pass: relu vs linear")}
