"""Part B figures: one error slice per weight, step sizes, the error surface of two weights,
the network diagram, weight matrices as heatmaps and per-output errors.

Every figure takes the whole run's records and an index ``k``; ranges are computed from the
records, never from ``k`` alone, so stepping never makes an axis jump. Non-finite numbers
never reach a trace: a run that overflowed is drawn from its last finite record and labelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.core import many_weights as mw
from gdviz.figures import theme
from gdviz.figures.theme import num

#: The book's names for the weights of many inputs (B1, B2).
WEIGHT_NAMES = ("a", "b", "c")
INPUT_NAMES = ("toes", "wlrec", "nfans")
OUTPUT_NAMES = ("hurt?", "win?", "sad?")
#: How many earlier slices a history view draws (faded), besides the first one.
HISTORY = 15


# ---- helpers -------------------------------------------------------------------------------


def _finite(r: dict) -> bool:
    return bool(np.all(np.isfinite(np.asarray(r["weights"], dtype=float)))
                and math.isfinite(r["total_error"]))


def last_finite(records: Sequence[dict], k: int) -> int:
    """``k``, or the last record before it whose numbers are all finite."""
    k = min(max(k, 0), len(records) - 1)
    while k > 0 and not _finite(records[k]):
        k -= 1
    return k


def state(r: dict) -> mw.Network:
    """The network a record was computed from (weights before the update)."""
    w = np.asarray(r["weights"])
    if np.ndim(r["input"]) == 0 and w.ndim == 1 and np.ndim(r["true"]) == 1:
        return mw.MultiOutput(w, r["input"], r["true"], r["alpha"], frozen=r["frozen"])
    if w.ndim == 2:
        return mw.MultiInOut(w, r["input"], r["true"], r["alpha"], frozen=r["frozen"])
    return mw.MultiInput(w, r["input"], r["true"], r["alpha"], frozen=r["frozen"])


def _window_records(records: Sequence[dict], look: int) -> list[dict]:
    return [r for r in records[:look] if _finite(r)] or [records[0]]


def weight_windows(records: Sequence[dict], *, look: int = 4, min_half: float = 0.25) -> list[tuple[float, float]]:
    """One fixed range per weight for the whole run, all of the same width (so steepness
    compares fairly between panels). Centred on each weight's slice minimum at the start,
    wide enough for the first ``look`` iterations and every later weight that stays sane."""
    first = records[0]
    centers = _slice_minima(first)
    n = len(centers)
    sane = _window_records(records, look)
    e0 = max(first["total_error"], 1e-12)
    sane += [r for r in records[look:] if _finite(r) and r["total_error"] <= 4 * e0]
    half = min_half
    for r in sane:
        w = np.asarray(r["weights"], dtype=float).ravel()
        for i in range(n):
            half = max(half, abs(w[i] - centers[i]) * 1.15)
    nw = np.asarray(first["new_weights"], dtype=float).ravel()
    if np.all(np.isfinite(nw)):
        half = max(half, *(abs(nw[i] - centers[i]) * 1.15 for i in range(n)))
    return [(c - half, c + half) for c in centers]


def _slice_minima(r: dict) -> list[float]:
    """Each weight's slice minimum (its own value where its input is 0): for one output in
    closed form, ``w_i − delta / input_i`` (:func:`gdviz.core.many_weights.slice_minimum`)."""
    if np.ndim(r["pred"]) == 0 and np.ndim(r["input"]) == 1:
        w = np.asarray(r["weights"], dtype=float).ravel().tolist()
        d = float(r["pred"]) - float(r["true"])
        return [wi if xi == 0 else wi - d / xi for wi, xi in zip(w, np.asarray(r["input"], dtype=float).tolist())]
    s0 = state(r)
    out = []
    for i in range(s0.weights.size):
        m = mw.slice_minimum(s0, i)
        out.append(float(s0.weights.flat[i]) if m is None else m)
    return out


def error_top(records: Sequence[dict], *, look: int = 4) -> float:
    """A fixed top for the error axis: the largest total error of the sane early records."""
    top = max(r["total_error"] for r in _window_records(records, look))
    return top * 1.6 if math.isfinite(top) and top > 0 else 1.0


def _clip(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi) if math.isfinite(v) else hi


# ---- B1 / B2: one error slice per weight ---------------------------------------------------


def slices(records: Sequence[dict], k: int, *, lecture: bool = False, history: bool = False,
           names: Sequence[str] = WEIGHT_NAMES, input_names: Sequence[str] = INPUT_NAMES,
           height: int | None = None) -> go.Figure:
    """The error as a function of each weight (others held at their current values), side by
    side, with the current weight's dot and its tangent. ``history`` draws the slices of
    earlier iterations faded, so a frozen weight's curve is seen sliding under its dot."""
    kk = last_finite(records, k)
    r = records[kk]
    s = state(r)
    n = s.weights.size
    windows = weight_windows(records)
    ytop = error_top(records)
    x = np.atleast_1d(np.asarray(r["input"], dtype=float))
    titles = [f"weight {names[i]} · input {input_names[i]} = {num(x[i], 4)}" for i in range(n)]
    fig = theme.Plain.grid(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=0.03, subplot_titles=titles)
    frozen = np.asarray(r["frozen"]).ravel()
    for i in range(n):
        lo, hi = windows[i]
        grid = np.linspace(lo, hi, 201)
        col = i + 1
        legend = i == 0
        if history and kk > 0:
            earlier = [0] + list(range(max(1, kk - HISTORY), kk))
            for m, j in enumerate(earlier):
                ys = np.minimum(mw.slice_curve(state(records[j]), i, grid), ytop * 10)
                fig.add_trace("scatter", x=grid, y=ys, mode="lines", name="earlier slices (faded)",
                              showlegend=legend and m == 0, legendgroup="earlier",
                              line=dict(color=theme.OTHER, width=2), opacity=0.15 + 0.35 * m / len(earlier),
                              hoverinfo="skip", row=1, col=col)
        ys = np.minimum(mw.slice_curve(s, i, grid), ytop * 10)
        fig.add_trace("scatter", x=grid, y=ys, mode="lines", name="error, other weights held",
                      showlegend=legend, legendgroup="curve", line=dict(color=theme.CURVE, width=3),
                      hovertemplate=f"{names[i]} %{{x:.4g}}<br>error %{{y:.4g}}<extra></extra>",
                      row=1, col=col)
        # the path of this weight so far
        px, py = [], []
        for rr in records[: kk + 1]:
            w = float(np.asarray(rr["weights"]).flat[i])
            if lo <= w <= hi and rr["total_error"] <= ytop:
                px.append(w)
                py.append(rr["total_error"])
        fig.add_trace("scatter", x=px, y=py, mode="markers", name="earlier weights", showlegend=legend,
                      legendgroup="path", marker=dict(size=7, color=theme.PATH), opacity=0.8,
                      hovertemplate="%{x:.6g}<extra>earlier</extra>", row=1, col=col)
        w, e = float(s.weights.flat[i]), r["total_error"]
        sl = mw.slope(s, i)
        if lo <= w <= hi and e <= ytop:
            h = (hi - lo) * 0.12
            tx = np.array([w - h, w + h])
            fig.add_trace("scatter", x=tx, y=e + sl * (tx - w), mode="lines", name="slope (tangent)",
                          showlegend=legend, legendgroup="tangent",
                          line=dict(color=theme.TANGENT, width=4),
                          hovertemplate=f"slope {num(sl, 4)}<extra></extra>", row=1, col=col)
            fig.add_trace("scatter", x=[w], y=[e], mode="markers", name="current weight", showlegend=legend,
                          legendgroup="now",
                          marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")),
                          hovertemplate=f"{names[i]} %{{x:.6g}}<br>error %{{y:.6g}}<extra>now</extra>",
                          row=1, col=col)
        else:
            fig.add_trace("scatter", x=[_clip(w, lo, hi)], y=[ytop * 0.95], mode="markers+text",
                          name="off the chart", showlegend=False,
                          marker=dict(symbol="triangle-up", size=13, color=theme.COLORS["black"]),
                          text=[f"{names[i]} = {num(w, 3)}"], textposition="bottom center",
                          hovertemplate="%{text}<extra>off the chart</extra>", row=1, col=col)
        label = (f"slope = {num(sl, 3)}<br>frozen: weight_delta 0" if frozen[i] else
                 f"slope = 2 × weight_delta<br>= {num(sl, 4)}")
        xref = "x domain" if i == 0 else f"x{col} domain"
        yref = "y domain" if i == 0 else f"y{col} domain"
        fig.add_annotation(x=0.5, y=0.97, xref=xref, yref=yref, xanchor="center", yanchor="top",
                           showarrow=False, bgcolor="rgba(255,255,255,0.85)", text=label,
                           font=dict(color=theme.TANGENT, size=13))
        fig.update_xaxes(range=[lo, hi], title_text=f"weight {names[i]}" + (" (frozen)" if frozen[i] else ""),
                         row=1, col=col)
    fig.update_yaxes(range=[-0.04 * ytop, ytop], title_text="error", row=1, col=1)
    for i in range(1, n):
        fig.update_yaxes(range=[-0.04 * ytop, ytop], row=1, col=i + 1)
    if kk < k:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           text=f"diverged: showing iteration {kk + 1}, the last finite one",
                           font=dict(color=theme.CURRENT, size=16), bgcolor="rgba(255,255,255,0.9)")
    return fig.figure(lecture=lecture, height=height or (560 if lecture else 420), title_size=22 if lecture else 14)


def step_sizes(records: Sequence[dict], k: int, *, lecture: bool = False,
               names: Sequence[str] = WEIGHT_NAMES) -> go.Figure:
    """How far each weight moves this iteration: ``alpha × weight_delta``, one bar per weight,
    on a fixed (log) axis over the sane part of the run."""
    def sizes(r):
        return np.abs(np.asarray(r["alpha"] * np.asarray(r["weight_deltas"], dtype=float))).ravel()

    r = records[k]
    v = sizes(r)
    finite_all = np.concatenate([sizes(rr) for rr in records])
    finite_all = finite_all[np.isfinite(finite_all) & (finite_all > 0)]
    hi = float(finite_all.max()) if finite_all.size else 1.0
    lo = float(finite_all.min()) if finite_all.size else 1e-3
    shown = [float(x) if math.isfinite(x) else hi for x in v]
    shown = [max(x, lo / 10) for x in shown]
    text = [num(x, 3) if math.isfinite(x) else "overflow" for x in v]
    best = int(np.nanargmax(np.where(np.isfinite(v), v, np.inf))) if v.size else 0
    colors = [theme.CURRENT if i == best else theme.OTHER for i in range(len(v))]
    fig = theme.Plain(dict(title=dict(text="how far each weight moves")))
    fig.add_trace("bar", x=[f"weight {n}" for n in names[: len(v)]], y=shown, marker_color=colors,
                  text=text, textposition="outside", cliponaxis=False, name="|alpha × weight_delta|",
                  hovertemplate="%{x}: step %{text}<extra></extra>")
    fig.update_yaxes(type="log", range=[math.log10(lo / 10), math.log10(hi) + 0.8], dtick=1,
                     exponentformat="power", title_text="|alpha × weight_delta|")
    return fig.figure(lecture=lecture, height=440 if lecture else 320)


def biggest_step(r: dict, names: Sequence[str] = WEIGHT_NAMES) -> tuple[str, float]:
    """The weight that moves furthest this iteration and how far (|alpha × weight_delta|)."""
    v = np.abs(r["alpha"] * np.asarray(r["weight_deltas"], dtype=float)).ravel()
    v = np.where(np.isfinite(v), v, np.inf)
    i = int(np.argmax(v))
    return names[i], float(v[i])


# ---- B2: the error surface of two weights --------------------------------------------------


def error_surface(records: Sequence[dict], k: int, i: int, j: int, *, three_d: bool = False,
                  lecture: bool = False, names: Sequence[str] = WEIGHT_NAMES) -> go.Figure:
    """The total error over weights ``i`` and ``j`` (the others held at iteration ``k``'s
    values), with the path of the two weights so far. Ranges and colours fixed for the run."""
    kk = last_finite(records, k)
    r = records[kk]
    s = state(r)
    windows = weight_windows(records)
    (xlo, xhi), (ylo, yhi) = windows[i], windows[j]
    gx, gy = np.linspace(xlo, xhi, 121), np.linspace(ylo, yhi, 121)
    ztop = float(np.max(mw.slice_surface(state(records[0]), i, j, gx, gy)))
    ztop = ztop if math.isfinite(ztop) and ztop > 0 else 1.0
    ztop = min(ztop, 40 * error_top(records))  # the valley in detail; higher ground saturates
    Z = np.minimum(mw.slice_surface(s, i, j, gx, gy), ztop).T  # rows = weight j, columns = weight i
    px, py, pz = [], [], []
    for rr in records[: kk + 1]:
        w = np.asarray(rr["weights"], dtype=float).ravel()
        if xlo <= w[i] <= xhi and ylo <= w[j] <= yhi:
            px.append(float(w[i]))
            py.append(float(w[j]))
            pz.append(min(rr["total_error"], ztop))
    wi, wj = float(s.weights.flat[i]), float(s.weights.flat[j])
    fig = theme.Plain()
    if three_d:
        fig.add_trace("surface", x=gx, y=gy, z=Z, colorscale=theme.VIRIDIS, cmin=0, cmax=ztop, opacity=0.85,
                      colorbar=dict(title="error"), name="error surface",
                      hovertemplate=f"{names[i]} %{{x:.4g}}<br>{names[j]} %{{y:.4g}}<br>"
                                    "error %{z:.4g}<extra></extra>")
        fig.add_trace("scatter3d", x=px, y=py, z=pz, mode="lines+markers", name="path of the weights",
                      line=dict(color=theme.PATH, width=6), marker=dict(size=4, color=theme.PATH))
        if px and px[-1] == wi and py[-1] == wj:
            fig.add_trace("scatter3d", x=[wi], y=[wj], z=[pz[-1]], mode="markers", name="current weights",
                          marker=dict(size=8, color=theme.CURRENT))
        fig.update_layout(scene=dict(xaxis=dict(title=f"weight {names[i]}", range=[xlo, xhi]),
                                     yaxis=dict(title=f"weight {names[j]}", range=[ylo, yhi]),
                                     zaxis=dict(title="error", range=[0, ztop]),
                                     camera=dict(eye=dict(x=1.6, y=-1.6, z=1.0))))
    else:
        fig.add_trace("contour", x=gx, y=gy, z=Z, colorscale=theme.VIRIDIS, zmin=0, zmax=ztop,
                      contours=dict(start=0, end=ztop, size=ztop / 15), colorbar=dict(title="error"),
                      name="error surface",
                      hovertemplate=f"{names[i]} %{{x:.4g}}<br>{names[j]} %{{y:.4g}}<br>"
                                    "error %{z:.4g}<extra></extra>")
        fig.add_trace("scatter", x=px, y=py, mode=theme.line_mode(len(px)), name="path of the weights",
                      line=dict(color=theme.PATH, width=3), marker=dict(size=7, color=theme.PATH))
        if xlo <= wi <= xhi and ylo <= wj <= yhi:
            fig.add_trace("scatter", x=[wi], y=[wj], mode="markers", name="current weights",
                          marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")))
        fig.update_xaxes(range=[xlo, xhi], title_text=f"weight {names[i]}")
        fig.update_yaxes(range=[ylo, yhi], title_text=f"weight {names[j]}")
    fig.update_layout(title=f"error over weights {names[i]} and {names[j]} (the others held)")
    return fig.figure(lecture=lecture, height=600 if lecture else 460)


# ---- B3: many outputs, many inputs and outputs ---------------------------------------------


def matrix(r: dict, key: str) -> np.ndarray:
    """``weights`` / ``new_weights`` / ``weight_deltas`` as a matrix: rows outputs, columns inputs."""
    a = np.asarray(r[key], dtype=float)
    if a.ndim == 2:
        return a
    return a.reshape(-1, 1) if np.ndim(r["input"]) == 0 else a.reshape(1, -1)


def _names(r: dict) -> tuple[list[str], list[str]]:
    W = matrix(r, "weights")
    m, n = W.shape
    ins = list(INPUT_NAMES) if n == 3 else (["wlrec"] if n == 1 else [f"input {c}" for c in range(n)])
    outs = list(OUTPUT_NAMES) if m == 3 else (["win?"] if m == 1 else [f"output {c}" for c in range(m)])
    return ins, outs


def _abs_max(records: Sequence[dict], key: str) -> float:
    vals = np.concatenate([np.abs(matrix(r, key)).ravel() for r in records])
    vals = vals[np.isfinite(vals)]
    top = float(vals.max()) if vals.size else 1.0
    return top if top > 0 else 1.0


def heatmap(records: Sequence[dict], k: int, key: str, *, lecture: bool = False, title: str | None = None,
            scale_key: str | None = None) -> go.Figure:
    """A weight matrix (``key``) as an annotated heatmap, blue negative, white 0, vermillion
    positive, the colour range fixed over the run (shared with ``scale_key`` when given)."""
    r = records[k]
    M = matrix(r, key)
    ins, outs = _names(r)
    top = _abs_max(records, scale_key or key)
    if scale_key and scale_key != key:
        top = max(top, _abs_max(records, key))
    shown = np.clip(np.where(np.isfinite(M), M, 0.0), -top, top)
    text = [[num(v, 6 if M.shape[1] == 1 else 4) for v in row] for row in M]
    fig = theme.Plain.of("heatmap", z=shown, x=ins, y=outs, colorscale=theme.DIVERGING, zmin=-top, zmax=top,
                         zmid=0, text=text, texttemplate="%{text}", textfont=dict(size=20 if lecture else 13),
                         xgap=3, ygap=3, showscale=False, hovertemplate="%{y} ← %{x}: %{text}<extra></extra>")
    fig.update_xaxes(title_text="input", side="bottom", zeroline=False, showline=False)
    fig.update_yaxes(title_text="output", autorange="reversed", zeroline=False, showline=False)
    fig.update_layout(title=title or key)
    return fig.figure(lecture=lecture, height=420 if lecture else 300)


def network(records: Sequence[dict], k: int, *, lecture: bool = False) -> go.Figure:
    """The network: inputs on the left with their values, outputs on the right with pred and
    true, one edge per weight coloured by its sign and as thick as its size (fixed scale)."""
    r = records[k]
    W = matrix(r, "weights")
    m, n = W.shape
    ins, outs = _names(r)
    x = np.atleast_1d(np.asarray(r["input"], dtype=float))
    pred = np.atleast_1d(np.asarray(r["pred"], dtype=float))
    true = np.atleast_1d(np.asarray(r["true"], dtype=float))
    top = _abs_max(records, "weights")
    yin = np.linspace(1, 0, n) if n > 1 else np.array([0.5])
    yout = np.linspace(1, 0, m) if m > 1 else np.array([0.5])
    fig = theme.Plain()
    for o in range(m):
        for c in range(n):
            w = W[o, c]
            ok = math.isfinite(w)
            color = (theme.COLORS["vermillion"] if w >= 0 else theme.COLORS["blue"]) if ok else theme.COLORS["grey"]
            width = 1.5 + 10 * min(abs(w), top) / top if ok else 1.5
            fig.add_trace("scatter", x=[0, 1], y=[yin[c], yout[o]], mode="lines", showlegend=False,
                          line=dict(color=color, width=width), opacity=0.85,
                          hovertemplate=f"{ins[c]} → {outs[o]}: weight {num(w, 4)}<extra></extra>")
            t = 0.22 if n * m > 3 else 0.5
            fig.add_annotation(x=t, y=yin[c] + t * (yout[o] - yin[c]), text=num(w, 3), showarrow=False,
                               bgcolor="rgba(255,255,255,0.85)", font=dict(size=12, color=color))
    fig.add_trace("scatter", x=[0] * n, y=yin, mode="markers+text", name="inputs", showlegend=False,
                  marker=dict(size=44, color=theme.COLORS["sky"], line=dict(width=2, color="#333")),
                  text=[num(v, 3) for v in x], textfont=dict(size=18 if lecture else 13),
                  hovertemplate="%{text}<extra>input</extra>")
    fig.add_trace("scatter", x=[1] * m, y=yout, mode="markers+text", name="outputs", showlegend=False,
                  marker=dict(size=44, color=theme.COLORS["yellow"], line=dict(width=2, color="#333")),
                  text=[num(v, 3) for v in pred], textfont=dict(size=18 if lecture else 13),
                  hovertemplate="pred %{text}<extra>output</extra>")
    for c in range(n):
        fig.add_annotation(x=-0.08, y=yin[c], text=f"<b>{ins[c]}</b>", showarrow=False, xanchor="right")
    for o in range(m):
        fig.add_annotation(x=1.08, y=yout[o], showarrow=False, xanchor="left",
                           text=f"<b>{outs[o]}</b> pred {num(pred[o], 4)}<br>true {num(true[o], 3)}")
    fig.update_xaxes(range=[-0.45, 1.6], visible=False)
    fig.update_yaxes(range=[-0.2, 1.2], visible=False)
    fig.update_layout(title="the network (edge colour: sign of the weight, thickness: its size)")
    return fig.figure(lecture=lecture, height=460 if lecture else 340)


def output_errors(records: Sequence[dict], k: int, *, lecture: bool = False) -> go.Figure:
    """One bar per output: its error ``(pred − true)²``, on an axis fixed over the run."""
    r = records[k]
    _, outs = _names(r)
    err = np.atleast_1d(np.asarray(r["error"], dtype=float))
    allv = np.concatenate([np.atleast_1d(np.asarray(rr["error"], dtype=float)) for rr in records])
    allv = allv[np.isfinite(allv)]
    top = float(allv.max()) * 1.25 if allv.size and allv.max() > 0 else 1.0
    shown = [min(v, top) if math.isfinite(v) else top for v in err]
    fig = theme.Plain(dict(title=dict(text="error per output")))
    fig.add_trace("bar", x=outs, y=shown, text=[num(v, 4) for v in err], textposition="outside",
                  cliponaxis=False, marker_color=theme.CURRENT, name="error",
                  hovertemplate="%{x}: error %{text}<extra></extra>")
    fig.update_yaxes(range=[0, top], title_text="error")
    fig.update_xaxes(title_text="output")
    return fig.figure(lecture=lecture, height=420 if lecture else 300)


# ---- live: the lesson instrument (gdviz.figures.live) --------------------------------------
# Each chart has a fixed list of traces; what changes per run or per iteration is in a view
# (``slices_view``, ``network_view``). Every number shown is formatted here.
from gdviz.experiments import many_weights as B  # noqa: E402
from gdviz.figures import live  # noqa: E402

#: Points of a slice in a live view (a parabola) and of each earlier slice (faded).
CURVE_POINTS = 41
HISTORY_POINTS = 31
#: The parts of one weight's panel of the slices chart, in trace order.
SLICE_PARTS = ("history", "curve", "path", "tangent", "now", "off")


def _sfx(i: int) -> str:
    return "" if i == 0 else str(i + 1)


def slice_trace(panel: int, part: str) -> int:
    """The trace index of ``part`` of weight ``panel``'s panel in :func:`slices_template`."""
    return panel * len(SLICE_PARTS) + SLICE_PARTS.index(part)


def slices_template(records: Sequence[dict], *, lecture: bool = False, history: bool = False,
                    names: Sequence[str] = WEIGHT_NAMES) -> dict:
    """The slices chart's look, empty: per weight a panel with its earlier slices (``history``),
    the slice now, the path so far, the tangent, the dot, an off-the-chart marker and the slope."""
    r = records[0]
    x = np.atleast_1d(np.asarray(r["input"], dtype=float))
    n = x.size
    titles = [f"weight {names[i]}<br>(input {num(x[i], 4)})" for i in range(n)]
    fig = theme.Plain.grid(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=0.06, subplot_titles=titles)
    for i in range(n):
        first = i == 0
        kw = dict(row=1, col=i + 1)
        fig.add_trace("scatter", x=[], y=[], mode="lines", name="earlier slices", showlegend=first and history,
                      legendgroup="earlier", line=dict(color=theme.OTHER, width=1.5), opacity=0.35,
                      hoverinfo="skip", **kw)
        fig.add_trace("scatter", x=[], y=[], mode="lines", name="error, other weights held", showlegend=first,
                      legendgroup="curve", line=dict(color=theme.CURVE, width=3),
                      hovertemplate=f"{names[i]} %{{x:.4g}}<br>error %{{y:.4g}}<extra></extra>", **kw)
        fig.add_trace("scatter", x=[], y=[], mode="markers", name="earlier weights", showlegend=first,
                      legendgroup="path", marker=dict(size=7, color=theme.PATH), opacity=0.8,
                      hovertemplate="%{x:.6g}<extra>earlier</extra>", **kw)
        fig.add_trace("scatter", x=[], y=[], mode="lines", name="slope (tangent)", showlegend=first,
                      legendgroup="tangent", line=dict(color=theme.TANGENT, width=4), hoverinfo="skip", **kw)
        fig.add_trace("scatter", x=[], y=[], mode="markers", name="current weight", showlegend=first,
                      legendgroup="now", marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")),
                      hovertemplate=f"{names[i]} %{{x:.6g}}<br>error %{{y:.6g}}<extra>now</extra>", **kw)
        fig.add_trace("scatter", x=[], y=[], mode="markers+text", name="off the chart", showlegend=False,
                      marker=dict(symbol="triangle-up", size=13, color=theme.COLORS["black"]), text=[],
                      textposition="bottom center", hovertemplate="%{text}<extra>off the chart</extra>", **kw)
        fig.update_xaxes(nticks=4, **kw)  # the panel's title names its weight
    fig.update_yaxes(title_text="error", row=1, col=1)
    fig.update_layout(margin=dict(t=80 if lecture else 60))
    return fig.figure(lecture=lecture, height=500 if lecture else 400, title_size=20 if lecture else 14).to_plotly_json()


def _upto(n: int, at: int | None) -> int:
    """How many records a view's paths need: all, or those up to the cursor."""
    return n if at is None else min(int(at), n - 1) + 1


def _prefix(trace: dict, k: int, at: int | None) -> dict:
    """A growing trace: ``k`` points per frame for a whole run; a preview (``at`` given) is
    already cut at the cursor and drawn as it is."""
    return {**trace, "prefix": k} if at is None else trace


def slices_run(records: Sequence[dict], at: int | None = None, *, history: bool = False,
               windows=None) -> tuple[dict, dict, tuple]:
    """The run's part of the slices chart: paths (and earlier slices), fixed axis ranges."""
    windows = windows or weight_windows(records)
    ytop = error_top(records)
    n_w = len(windows)
    m = _upto(len(records), at)
    traces, layout = {}, {}
    if history:
        curves = [slice_lines(rr, windows, HISTORY_POINTS, top=ytop)[:2] if _finite(rr) else None
                  for rr in records[:m]]
    for i, (lo, hi) in enumerate(windows):
        px, py = [], []
        for rr in records[:m]:
            w = float(np.asarray(rr["weights"]).flat[i])
            ok = _finite(rr) and lo <= w <= hi and rr["total_error"] <= ytop
            px.append(w if ok else None), py.append(rr["total_error"] if ok else None)
        traces[slice_trace(i, "path")] = _prefix({"x": live.enc(px), "y": live.enc(py)}, 1, at)
        if history:
            hx, hy = [], []
            for c in curves:
                hx += (c[0][i].tolist() if c is not None else [None] * HISTORY_POINTS) + [None]
                hy += (c[1][i].tolist() if c is not None else [None] * HISTORY_POINTS) + [None]
            traces[slice_trace(i, "history")] = _prefix({"x": live.enc(hx, 4), "y": live.enc(hy, 4)},
                                                        HISTORY_POINTS + 1, at)
        layout[f"xaxis{_sfx(i)}"] = {"range": [lo, hi]}
        layout[f"yaxis{_sfx(i)}"] = {"range": [-0.04 * ytop, ytop]}
    return traces, layout, (windows, ytop, n_w)


def slice_lines(r: dict, windows, points: int = CURVE_POINTS, top: float | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a many-inputs record: each weight's slice (the other weights held) at ``points``
    values, and each slope — what :func:`gdviz.core.many_weights.slice_curve` and
    :func:`~gdviz.core.many_weights.slope` give, for all weights at once (one output: the error
    along weight i is ``(delta + (g − w_i) · input_i)²``). The values spread over each window, or
    with ``top`` over the part of it where the error is at most ``top`` (a steep slice is then
    drawn with as many points as a flat one)."""
    w = np.asarray(r["weights"], dtype=float).ravel()
    x = np.asarray(r["input"], dtype=float).ravel()
    lo = np.array([a for a, _ in windows])
    hi = np.array([b for _, b in windows])
    d = float(r["pred"]) - float(r["true"])
    with np.errstate(all="ignore"):
        if top is not None:
            bottom = np.where(x != 0, w - d / np.where(x != 0, x, 1.0), w)
            half = np.where(x != 0, 1.1 * math.sqrt(top) / np.abs(np.where(x != 0, x, 1.0)), np.inf)
            ok = np.isfinite(bottom) & np.isfinite(half)
            lo, hi = np.where(ok, np.maximum(lo, bottom - half), lo), np.where(ok, np.minimum(hi, bottom + half), hi)
            hi = np.where(hi > lo, hi, lo + (hi - lo + 1e-9))
        G = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, points)[None, :]
        E = (d + (G - w[:, None]) * x[:, None]) ** 2
        return G, E, 2.0 * d * x


def slices_frame(r: dict, box: tuple, names: Sequence[str] = WEIGHT_NAMES) -> dict:
    """One iteration's moving parts of the slices chart: each slice, tangent, dot and slope."""
    windows, ytop, n_w = box
    e = r["total_error"]
    weights = np.asarray(r["weights"], dtype=float).ravel().tolist()
    G, E, slopes = slice_lines(r, windows, top=ytop)
    out = {}
    empty = {"x": "", "y": ""}
    for i, (lo, hi) in enumerate(windows):
        w, sl = weights[i], float(slopes[i])
        out[slice_trace(i, "curve")] = {"xlin": live.linspace(G[i, 0], G[i, -1], CURVE_POINTS), "y": live.enc(E[i], 4)}
        if lo <= w <= hi and e <= ytop:
            h = (hi - lo) * 0.12
            out[slice_trace(i, "tangent")] = {"x": live.enc([w - h, w + h]), "y": live.enc([e - sl * h, e + sl * h])}
            out[slice_trace(i, "now")] = {"x": live.enc([w]), "y": live.enc([e])}
            out[slice_trace(i, "off")] = {**empty, "text": []}
        else:
            out[slice_trace(i, "tangent")] = empty
            out[slice_trace(i, "now")] = empty
            out[slice_trace(i, "off")] = {"x": live.enc([_clip(w, lo, hi)]), "y": live.enc([ytop * 0.95]),
                                          "text": [f"{names[i]} = {num(w, 3)}"]}
    return out


def _rows(lines) -> list[list[str]]:
    return [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value] for ln in lines]


def _diverged(run) -> str:
    return (f"Diverged at iteration {run.diverged_at}: the numbers overflowed to inf/nan. The charts show "
            "the last iteration whose numbers are finite; try a smaller alpha.") if run.diverged_at else ""


def step_sizes_template(records: Sequence[dict], *, lecture: bool = False, names: Sequence[str] = WEIGHT_NAMES) -> dict:
    n = np.asarray(records[0]["weights"]).size
    # the bars are named a, b, c under the axis title "weight": "weight a" … ran into each other
    # in the page's narrow column
    fig = theme.Plain(dict(title=dict(text="each weight's step:<br>|alpha × weight_delta|")))
    fig.add_trace("bar", x=list(names[:n]), y=[], text=[], textposition="outside", cliponaxis=False,
                  name="|alpha × weight_delta|", marker=dict(color=[theme.OTHER] * n),
                  hovertemplate="weight %{x}: step %{text}<extra></extra>")
    fig.update_xaxes(title_text="weight", tickangle=0)
    fig.update_yaxes(type="log", dtick=1, exponentformat="power",
                     title_text="step (log scale)")
    fig.update_layout(margin=dict(t=90 if lecture else 70))
    return fig.figure(lecture=lecture, height=420 if lecture else 340).to_plotly_json()


def _sizes(r) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(r["alpha"] * np.asarray(r["weight_deltas"], dtype=float)).ravel()


def step_sizes_run(records: Sequence[dict]) -> tuple[dict, tuple]:
    allv = np.concatenate([_sizes(rr) for rr in records])
    allv = allv[np.isfinite(allv) & (allv > 0)]
    hi = float(allv.max()) if allv.size else 1.0
    lo = float(allv.min()) if allv.size else 1e-3
    return {"yaxis": {"range": [math.log10(lo / 10), math.log10(hi) + 0.8]}}, (lo, hi)


def step_sizes_frame(r: dict, box: tuple) -> dict:
    lo, hi = box
    v = _sizes(r)
    shown = [max(float(x) if math.isfinite(x) else hi, lo / 10) for x in v]
    best = int(np.argmax(np.where(np.isfinite(v), v, np.inf))) if v.size else 0
    return {0: {"y": live.enc(shown), "text": [num(x, 3) if math.isfinite(x) else "overflow" for x in v],
                "marker": {"color": [theme.CURRENT if i == best else theme.OTHER for i in range(v.size)]}}}


def _frozen_text(r, names=WEIGHT_NAMES) -> str:
    return ", ".join(f"weight {n}" for n, f in zip(names, np.asarray(r["frozen"]).ravel().tolist()) if f) or "none"


def multi_input_view(run, at: int | None = None, *, history: bool = False, surface: tuple | None = None) -> dict:
    """B1's view (``history``/``surface`` = (i, j, three_d): B2's): the slices, how far each
    weight moves (B1) or the error surface of two weights (B2), the metrics and the arithmetic."""
    recs = run.records
    n = len(recs)
    windows = weight_windows(recs)
    sl_t, sl_l, box = slices_run(recs, at, history=history, windows=windows)
    out_run, out_layout = {"slices": sl_t}, {"slices": sl_l}
    if surface is None:
        st_l, st_box = step_sizes_run(recs)
        out_layout["steps"] = st_l
    else:
        sf_t, sf_l, sf_box = surface_run(recs, at, *surface, windows=windows)
        out_run["surface"], out_layout["surface"] = sf_t, sf_l
    frames = {}
    for i in live.frames_for(n, at):
        r = recs[i]
        kk = last_finite(recs, i)
        rk = recs[kk]
        traces = {"slices": slices_frame(rk, box)}
        notes = []
        if kk < i:
            notes.append(f"The numbers overflowed: the charts show iteration {kk + 1}, the last finite one.")
        metrics = [["pred", num(r["pred"])], ["error", num(r["error"], 4)], ["delta", num(r["delta"], 4)]]
        frozen = np.asarray(r["frozen"]).ravel().tolist()
        d = float(r["pred"]) - float(r["true"])
        metrics += [[f"slope {m}" + (" (frozen)" if f else ""), num(2 * d * x, 4)]
                    for m, f, x in zip(WEIGHT_NAMES, frozen, np.asarray(r["input"], dtype=float).tolist())]
        if surface is None:
            traces["steps"] = step_sizes_frame(r, st_box)
            name, size = biggest_step(r)
            metrics.append(["moves furthest", f"weight {name}"])
            notes.append(f"This iteration weight {name} moves furthest: alpha × weight_delta = {num(size, 3)}. "
                         "Its input is the largest, so its weight_delta is the largest; with a big alpha it jumps "
                         "past the bottom of its curve and lands higher on the other side.")
        else:
            traces["surface"] = surface_frame(rk, sf_box)
            metrics.append(["frozen", _frozen_text(r)])
        frames[i] = {"traces": traces, "metrics": metrics, "notes": notes,
                     "arith": {"title": f"The arithmetic of iteration {i + 1}", "rows": _rows(B.multi_input_arithmetic(r))}}
    return {"n": n, "run": out_run, "layout": out_layout, "frames": frames, "notice": _diverged(run)}


def multi_input_charts(run, *, lecture: bool = False) -> dict:
    return {"slices": slices_template(run.records, lecture=lecture),
            "steps": step_sizes_template(run.records, lecture=lecture)}


# ---- B2's error surface, live --------------------------------------------------------------
# The total error over two weights (the third held) is (u)² with u = pred − true, which is
# linear in the two weights. The contour chart is drawn from u on a 3×3 grid with a colour scale
# that colours u by u²: Plotly interpolates linearly, which is exact for u, so the valley and
# the contour lines sit exactly where the error puts them at a tiny cost per frame.
SURFACE_3D_POINTS = 21
SURF_MAP, SURF_PATH, SURF_NOW = range(3)


def _u_colorscale(steps: int = 41) -> list:
    import plotly.colors as pc  # noqa: PLC0415

    ps = np.linspace(0, 1, steps)
    cols = pc.sample_colorscale(pc.sequential.Viridis, [float((2 * p - 1) ** 2) for p in ps])
    return [[float(p), c] for p, c in zip(ps, cols)]


def surface_template(records: Sequence[dict], i: int, j: int, three_d: bool = False, *, lecture: bool = False,
                     names: Sequence[str] = WEIGHT_NAMES) -> dict:
    fig = theme.Plain()
    if three_d:
        fig.add_trace("surface", x=[], y=[], z=[], colorscale=theme.VIRIDIS, opacity=0.85, showscale=False,
                      name="error surface", hovertemplate=f"{names[i]} %{{x:.4g}}<br>{names[j]} %{{y:.4g}}<br>"
                                                          "error %{z:.4g}<extra></extra>")
        fig.add_trace("scatter3d", x=[], y=[], z=[], mode="lines+markers", name="path of the weights",
                      line=dict(color=theme.PATH, width=6), marker=dict(size=4, color=theme.PATH))
        fig.add_trace("scatter3d", x=[], y=[], z=[], mode="markers", name="current weights",
                      marker=dict(size=8, color=theme.CURRENT))
        fig.update_layout(scene=dict(xaxis=dict(title=dict(text=f"weight {names[i]}")),
                                     yaxis=dict(title=dict(text=f"weight {names[j]}")),
                                     zaxis=dict(title=dict(text="error")),
                                     camera=dict(eye=dict(x=1.6, y=-1.6, z=1.0))))
    else:
        fig.add_trace("contour", x=[], y=[], z=[], colorscale=_u_colorscale(), showscale=False,
                      contours=dict(coloring="heatmap", showlines=True), line=dict(color="rgba(255,255,255,0.5)"),
                      name="error surface", hoverinfo="skip")
        fig.add_trace("scatter", x=[], y=[], mode="lines+markers", name="path of the weights",
                      line=dict(color=theme.PATH, width=3), marker=dict(size=7, color=theme.PATH))
        fig.add_trace("scatter", x=[], y=[], mode="markers", name="current weights",
                      marker=dict(size=15, color=theme.CURRENT, line=dict(width=2, color="white")),
                      hovertemplate=f"{names[i]} %{{x:.6g}}<br>{names[j]} %{{y:.6g}}<extra>now</extra>")
        fig.update_xaxes(title_text=f"weight {names[i]}")
        fig.update_yaxes(title_text=f"weight {names[j]}")
    fig.update_layout(title=f"error over weights {names[i]} and {names[j]}<br>(weight "
                            f"{names[3 - i - j]} held where it is)", margin=dict(t=110 if lecture else 80))
    if not three_d:  # the legend clear of the x-axis title (they touched in lecture type)
        fig.update_layout(legend=dict(y=-0.42 if lecture else -0.3))
    return fig.figure(lecture=lecture, height=520 if lecture else 440).to_plotly_json()


def surface_run(records: Sequence[dict], at: int | None, i: int, j: int, three_d: bool = False,
                windows=None) -> tuple[dict, dict, tuple]:
    windows = windows or weight_windows(records)
    (xlo, xhi), (ylo, yhi) = windows[i], windows[j]
    ztop = float(np.max(mw.slice_surface(state(records[0]), i, j, np.linspace(xlo, xhi, 5), np.linspace(ylo, yhi, 5))))
    ztop = ztop if math.isfinite(ztop) and ztop > 0 else 1.0
    ztop = min(ztop, 40 * error_top(records))  # the valley in detail; higher ground saturates
    px, py, pz = [], [], []
    for rr in records[:_upto(len(records), at)]:
        w = np.asarray(rr["weights"], dtype=float).ravel()
        ok = _finite(rr) and xlo <= w[i] <= xhi and ylo <= w[j] <= yhi
        px.append(float(w[i]) if ok else None), py.append(float(w[j]) if ok else None)
        pz.append(min(rr["total_error"], ztop) if ok else None)
    path = {"x": live.enc(px), "y": live.enc(py)}
    if three_d:
        path["z"] = live.enc(pz)
    traces = {SURF_PATH: _prefix(path, 1, at)}
    if three_d:
        layout = {"scene": {"xaxis": {"range": [xlo, xhi]}, "yaxis": {"range": [ylo, yhi]},
                            "zaxis": {"range": [0, ztop]}}}
    else:
        layout = {"xaxis": {"range": [xlo, xhi]}, "yaxis": {"range": [ylo, yhi]}}
    return traces, layout, (i, j, xlo, xhi, ylo, yhi, ztop, three_d)


def surface_u(r: dict, i: int, j: int, gi, gj) -> np.ndarray:
    """pred − true over a grid of weights i (rows) and j (columns), the other weights held:
    its square is :func:`gdviz.core.many_weights.slice_surface`."""
    w = np.asarray(r["weights"], dtype=float).ravel()
    x = np.asarray(r["input"], dtype=float).ravel()
    gi, gj = np.asarray(gi, dtype=float), np.asarray(gj, dtype=float)
    with np.errstate(all="ignore"):
        return (r["pred"] - r["true"]) + ((gi - w[i]) * x[i])[:, None] + ((gj - w[j]) * x[j])[None, :]


def surface_frame(r: dict, box: tuple) -> dict:
    i, j, xlo, xhi, ylo, yhi, ztop, three_d = box
    w = np.asarray(r["weights"], dtype=float).ravel()
    e = r["total_error"]
    inside = xlo <= w[i] <= xhi and ylo <= w[j] <= yhi
    if three_d:
        gi, gj = np.linspace(xlo, xhi, SURFACE_3D_POINTS), np.linspace(ylo, yhi, SURFACE_3D_POINTS)
        Z = np.minimum(surface_u(r, i, j, gi, gj) ** 2, ztop).T
        now = ({"x": live.enc([w[i]]), "y": live.enc([w[j]]), "z": live.enc([min(e, ztop)])} if inside
               else {"x": "", "y": "", "z": ""})
        return {SURF_MAP: {"xlin": live.linspace(xlo, xhi, SURFACE_3D_POINTS), "y": live.enc(gj),
                           "z": [live.enc(row, 4) for row in Z], "cmin": 0, "cmax": ztop}, SURF_NOW: now}
    gi, gj = np.linspace(xlo, xhi, 3), np.linspace(ylo, yhi, 3)
    U = surface_u(r, i, j, gi, gj).T  # rows: weight j
    now = {"x": live.enc([w[i]]), "y": live.enc([w[j]])} if inside else {"x": "", "y": ""}
    u = math.sqrt(ztop)
    return {SURF_MAP: {"xlin": live.linspace(xlo, xhi, 3), "y": live.enc(gj), "z": [live.enc(row) for row in U],
                       "zmin": -u, "zmax": u,
                       "contours": {"coloring": "heatmap", "showlines": True, "start": -u, "end": u, "size": u / 6}},
            SURF_NOW: now}


def freeze_charts(run, *, lecture: bool = False, pair: tuple[int, int] = (0, 1), three_d: bool = False) -> dict:
    return {"slices": slices_template(run.records, lecture=lecture, history=True),
            "surface": surface_template(run.records, *pair, three_d, lecture=lecture)}


# ---- B3: many outputs, many inputs and outputs, live -------------------------------------------
MATRICES = (("weights", "weights (before the update)"), ("weight_deltas", "weight_deltas = delta × input"),
            ("new_weights", "weights after the update"))


def _layout_net(r: dict) -> tuple[int, int, np.ndarray, np.ndarray]:
    m, n = matrix(r, "weights").shape
    yin = np.linspace(1, 0, n) if n > 1 else np.array([0.5])
    yout = np.linspace(1, 0, m) if m > 1 else np.array([0.5])
    return m, n, yin, yout


def network_template(records: Sequence[dict], *, lecture: bool = False) -> dict:
    """The network's look: one edge trace per weight (then its label), the input and output
    nodes and the outputs' names with their pred and true; the inputs' names are fixed annotations."""
    r = records[0]
    m, n, yin, yout = _layout_net(r)
    ins, outs = _names(r)
    x = np.atleast_1d(np.asarray(r["input"], dtype=float))
    fig = theme.Plain()
    for o in range(m):
        for c in range(n):
            fig.add_trace("scatter", x=[0, 1], y=[float(yin[c]), float(yout[o])], mode="lines", showlegend=False,
                          line=dict(color=theme.COLORS["grey"], width=2), opacity=0.85, text=[""], hoverinfo="skip",
                          name=f"{ins[c]} → {outs[o]}")
    # each weight's label on its edge, those of one input's edges at different depths (no overlap)
    ts = [(0.2 + 0.3 * o / (m - 1)) if n * m > 3 and m > 1 else 0.5 for o in range(m)]
    lx = [ts[o] for o in range(m) for c in range(n)]
    ly = [float(yin[c] + ts[o] * (yout[o] - yin[c])) for o in range(m) for c in range(n)]
    fig.add_trace("scatter", x=lx, y=ly, mode="text", text=[""] * (m * n), showlegend=False, name="weights",
                  textfont=dict(size=15 if lecture else 12, color="#222"), hoverinfo="skip")
    fig.add_trace("scatter", x=[0] * n, y=yin.tolist(), mode="markers+text", name="inputs", showlegend=False,
                  marker=dict(size=44, color=theme.COLORS["sky"], line=dict(width=2, color="#333")),
                  text=[num(v, 3) for v in x], textfont=dict(size=18 if lecture else 13),
                  hovertemplate="%{text}<extra>input</extra>")
    fig.add_trace("scatter", x=[1] * m, y=yout.tolist(), mode="markers+text", name="outputs", showlegend=False,
                  marker=dict(size=44, color=theme.COLORS["yellow"], line=dict(width=2, color="#333")),
                  text=[""] * m, textfont=dict(size=18 if lecture else 13), hovertemplate="pred %{text}<extra>output</extra>")
    # the output's name heads its own pred/true text (a separate label above it ran into the text)
    fig.add_trace("scatter", x=[1.17] * m, y=yout.tolist(), mode="text", text=[f"<b>{o}</b>" for o in outs],
                  textposition="middle right", showlegend=False, name="pred and true", hoverinfo="skip")
    for c in range(n):
        fig.add_annotation(x=-0.16, y=float(yin[c]), text=f"<b>{ins[c]}</b>", showarrow=False, xanchor="right")
    fig.update_xaxes(range=[-0.55, 2.0], visible=False)
    fig.update_yaxes(range=[-0.2, 1.3], visible=False)
    fig.update_layout(title="the network<br>(colour: sign, width: size of a weight)",
                      margin=dict(t=100 if lecture else 70))
    return fig.figure(lecture=lecture, height=460 if lecture else 360).to_plotly_json()


def network_frame(r: dict, top: float) -> dict:
    W = matrix(r, "weights")
    m, n = W.shape
    pred = np.atleast_1d(np.asarray(r["pred"], dtype=float))
    true = np.atleast_1d(np.asarray(r["true"], dtype=float))
    out, labels = {}, []
    for o in range(m):
        for c in range(n):
            w = float(W[o, c])
            ok = math.isfinite(w)
            color = (theme.COLORS["vermillion"] if w >= 0 else theme.COLORS["blue"]) if ok else theme.COLORS["grey"]
            out[o * n + c] = {"line": {"color": color, "width": 1.5 + 10 * min(abs(w), top) / top if ok else 1.5}}
            labels.append(num(w, 3))
    k = m * n
    out[k] = {"text": labels}
    out[k + 2] = {"text": [num(v, 3) for v in pred]}
    _, outs = _names(r)
    out[k + 3] = {"text": [f"<b>{o}</b><br>pred {num(p, 4)}<br>true {num(t, 3)}" for o, p, t in zip(outs, pred, true)]}
    return out


def output_errors_template(records: Sequence[dict], *, lecture: bool = False) -> dict:
    _, outs = _names(records[0])
    fig = theme.Plain(dict(title=dict(text="error per output = (pred − true)²")))
    fig.add_trace("bar", x=outs, y=[], text=[], textposition="outside", cliponaxis=False, marker_color=theme.CURRENT,
                  name="error", hovertemplate="%{x}: error %{text}<extra></extra>")
    fig.update_yaxes(title_text="error")
    fig.update_xaxes(title_text="output")
    return fig.figure(lecture=lecture, height=400 if lecture else 320).to_plotly_json()


def heatmap_template(records: Sequence[dict], key: str, title: str, *, lecture: bool = False) -> dict:
    ins, outs = _names(records[0])
    fig = theme.Plain.of("heatmap", z=[], x=ins, y=outs, colorscale=theme.DIVERGING, zmid=0, text=[],
                         texttemplate="%{text}", textfont=dict(size=20 if lecture else 13), xgap=3, ygap=3,
                         showscale=False, hovertemplate="%{y} ← %{x}: %{text}<extra></extra>")
    fig.update_xaxes(title_text="input", side="bottom", zeroline=False, showline=False)
    fig.update_yaxes(title_text="output", autorange="reversed", zeroline=False, showline=False)
    fig.update_layout(title=title)
    return fig.figure(lecture=lecture, height=320 if lecture else 270).to_plotly_json()


def network_view(run, at: int | None = None) -> dict:
    """B3's view: the network, the error per output, the three matrices, the metrics and the
    arithmetic of each iteration (one line per output)."""
    recs = run.records
    n = len(recs)
    wtop = _abs_max(recs, "weights")
    scales = {"weights": max(wtop, _abs_max(recs, "new_weights")), "new_weights": max(wtop, _abs_max(recs, "new_weights")),
              "weight_deltas": _abs_max(recs, "weight_deltas")}
    allv = np.concatenate([np.atleast_1d(np.asarray(rr["error"], dtype=float)) for rr in recs])
    allv = allv[np.isfinite(allv)]
    etop = float(allv.max()) * 1.25 if allv.size and allv.max() > 0 else 1.0
    _, outs = _names(recs[0])
    run_t = {}
    layout = {"errors": {"yaxis": {"range": [0, etop]}}}
    frames = {}
    for i in live.frames_for(n, at):
        r = recs[i]
        err = np.atleast_1d(np.asarray(r["error"], dtype=float))
        traces = {"net": network_frame(r, wtop),
                  "errors": {0: {"y": live.enc([min(v, etop) if math.isfinite(v) else etop for v in err]),
                                 "text": [num(v, 4) for v in err]}}}
        for key, _ in MATRICES:
            M = matrix(r, key)
            top = scales[key]
            shown = np.clip(np.where(np.isfinite(M), M, 0.0), -top, top)
            traces[key] = {0: {"z": [live.enc(row) for row in shown], "zmin": -top, "zmax": top,
                               "text": [[num(v, 6 if M.shape[1] == 1 else 4) for v in row] for row in M]}}
        lines = B.matrix_arithmetic(r)
        frames[i] = {"traces": traces,
                     "metrics": [[f"error {o}", num(v, 4)] for o, v in zip(outs, err)],
                     "arith": {"title": f"The arithmetic of iteration {i + 1} (one line per output)", "rows": _rows(lines)},
                     "notes": []}
    return {"n": n, "run": run_t, "layout": layout, "frames": frames, "notice": _diverged(run)}


def network_charts(run, *, lecture: bool = False) -> dict:
    recs = run.records
    out = {"net": network_template(recs, lecture=lecture), "errors": output_errors_template(recs, lecture=lecture)}
    for key, title in MATRICES:
        out[key] = heatmap_template(recs, key, title, lecture=lecture)
    return out
