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
    s0 = state(first)
    n = s0.weights.size
    centers = []
    for i in range(n):
        m = mw.slice_minimum(s0, i)
        centers.append(float(s0.weights.flat[i]) if m is None else m)
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
