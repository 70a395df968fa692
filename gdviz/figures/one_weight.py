"""Part A figures for the lesson instrument: the error bowl with its tangent, hot and cold's probes, the
error per iteration — templates, and views of runs (see gdviz.figures.live)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz.core import one_weight as ow
from gdviz.experiments import formatting
from gdviz.experiments import one_weight as A
from gdviz.figures import live, theme
from gdviz.figures.theme import num


def weight_window(records: Sequence[dict], input: float, goal_pred: float, look: int = 4) -> tuple[float, float]:
    """A fixed weight range for a whole run, so the view never jumps between frames.

    Centred on the goal weight, wide enough to hold the first ``look`` weights of the run
    (a diverging run still shows its first bounces; later ones are marked off the chart).
    """
    return window_of([r["weight"] for r in records[:look]], [r["new_weight"] for r in records[:1]], input, goal_pred)


def window_of(first_weights: Sequence[float], first_new: Sequence[float], input: float, goal_pred: float) -> tuple[float, float]:
    """:func:`weight_window` from a run's first weights and its first new weight."""
    goal = ow.goal_weight(input, goal_pred)
    weights = [w for w in first_weights if math.isfinite(w)] + [w for w in first_new if math.isfinite(w)]
    center = goal if goal is not None else (weights[0] if weights else 0.0)
    spread = max((abs(w - center) for w in weights), default=0.0)
    half = max(spread * 1.15, 0.6)
    return center - half, center + half


def _y_range(ys) -> list[float]:
    finite = ys[np.isfinite(ys)]
    top = float(finite.max()) if finite.size else 1.0
    top = top if math.isfinite(top) and top > 0 else 1.0
    return [-0.04 * top, top * 1.12]


# --- live: the lesson instrument (gdviz.figures.live) -----------------------------------------
# Every chart has a fixed list of traces (so the browser can move their data frame by frame);
# what changes per run or per frame is in a view. Trace indices of the bowl:
BOWL_CURVE, BOWL_GOAL, BOWL_PATH, BOWL_OFF, BOWL_TANGENT, BOWL_NOW, BOWL_STEP = range(7)
HC_UP, HC_DOWN, HC_NOW = 4, 5, 6  # hot and cold: the two probes and the weight, after the path
#: Points of the error curve in a live view (a parabola: 60 straight pieces look smooth).
LIVE_CURVE_POINTS = 61


def bowl_template(n: int, *, lecture: bool = False, title: str | None = None, hot_cold: bool = False) -> dict:
    """The bowl's look with empty traces (``n``: the run's length, for the path's markers)."""
    fig = theme.Plain()
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="error for every weight",
                  line=dict(color=theme.CURVE, width=3), hovertemplate="weight %{x:.4g}<br>error %{y:.4g}<extra></extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines+text", name="goal weight", text=[], textposition="top right",
                  cliponaxis=False,
                  textfont=dict(color=theme.GOAL), line=dict(color=theme.GOAL, dash="dash", width=2),
                  hoverinfo="skip", showlegend=False)
    fig.add_trace("scatter", x=[], y=[], mode=theme.line_mode(n), name="path of the weight",
                  line=dict(color=theme.PATH, width=2), marker=dict(size=8, color=theme.PATH), opacity=0.8,
                  hovertemplate="weight %{x:.4g}<br>error %{y:.4g}<extra>path</extra>")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="off the chart", showlegend=False,
                  marker=dict(symbol="triangle-up", size=13, color=theme.COLORS["black"]),
                  hovertemplate="off the chart<extra></extra>")
    if hot_cold:
        fig.add_trace("scatter", x=[], y=[], mode="markers", name="weight + step_amount",
                      marker=dict(size=12, color=theme.COLORS["sky"], symbol="diamond", line=dict(width=2, color="black")),
                      hovertemplate="weight + step_amount<br>weight %{x:.6g}<br>error %{y:.6g}<extra></extra>")
        fig.add_trace("scatter", x=[], y=[], mode="markers", name="weight − step_amount",
                      marker=dict(size=12, color=theme.COLORS["purple"], symbol="diamond", line=dict(width=2, color="black")),
                      hovertemplate="weight − step_amount<br>weight %{x:.6g}<br>error %{y:.6g}<extra></extra>")
    else:
        fig.add_trace("scatter", x=[], y=[], mode="lines", name="slope (tangent)",
                      line=dict(color=theme.TANGENT, width=4), hoverinfo="skip")
    fig.add_trace("scatter", x=[], y=[], mode="markers", name="current weight",
                  marker=dict(size=16, color=theme.CURRENT, line=dict(width=2, color="white")),
                  hovertemplate="weight %{x:.6g}<br>error %{y:.6g}<extra>now</extra>")
    if not hot_cold:
        fig.add_trace("scatter", x=[], y=[], mode="lines+markers", name="this step", showlegend=False,
                      line=dict(color=theme.CURRENT, width=3),
                      marker=dict(symbol=["circle", "arrow"], size=[1, 15], angleref="previous", color=theme.CURRENT),
                      hoverinfo="skip")
    fig.update_xaxes(title_text="weight")
    fig.update_yaxes(title_text="error")
    fig.update_layout(legend=LEGEND_ABOVE)
    if title:
        # a titled bowl (A3's two side by side) has no legend: above the plot it ran into the title,
        # and the page's error chart names both runs
        fig.update_layout(title=dict(text=title), showlegend=False)
    return fig.figure(lecture=lecture).to_plotly_json()


def column(run, name: str) -> np.ndarray:
    """A field over a run as float64 (a ColumnRun's own array; else from its records)."""
    arr = getattr(run, "array", None)
    if arr is not None:
        return arr(name)
    return np.array([r[name] for r in run.records], dtype=np.float64)


def bowl_run(run, window: tuple[float, float] | None = None, upto: int | None = None) -> tuple[dict, dict, tuple]:
    """A run's bowl data: (traces for the whole run, layout patch, (lo, hi, y range)). With
    ``upto`` (a preview at that frame) the path is cut there instead of sent whole."""
    r0 = run.records[0]
    input, goal_pred = r0["input"], r0["goal_pred"]
    w, e = column(run, "weight"), column(run, "error")
    lo, hi = window or window_of(w[:4].tolist(), column(run, "new_weight")[:1].tolist(), input, goal_pred)
    xs = np.linspace(lo, hi, LIVE_CURVE_POINTS)
    ys = ow.error_curve(xs, input, goal_pred)
    yr = _y_range(ys)
    ytop = yr[1]
    if upto is not None:
        w, e = w[: upto + 1], e[: upto + 1]
    if len(w) <= 64:  # small runs and previews: plain Python beats NumPy's per-call cost here
        px, py, ox, oy = [], [], [], []
        for wi, ei in zip(w.tolist(), e.tolist()):
            if _on_chart(wi, ei, lo, hi, ytop):
                px.append(wi), py.append(ei), ox.append(None), oy.append(None)
            else:
                px.append(None), py.append(None), oy.append(ytop * 0.97)
                ox.append(min(max(wi, lo), hi) if math.isfinite(wi) else hi)
    else:
        with np.errstate(invalid="ignore"):
            on = np.isfinite(w) & np.isfinite(e) & (w >= lo) & (w <= hi) & (e <= ytop)
        nan = np.full(w.shape, np.nan)
        px, py = np.where(on, w, nan), np.where(on, e, nan)
        ox = np.where(on, nan, np.where(np.isfinite(w), np.clip(np.nan_to_num(w, nan=hi), lo, hi), hi))
        oy = np.where(on, nan, ytop * 0.97)
    goal = ow.goal_weight(input, goal_pred)
    if goal is not None and lo <= goal <= hi:
        gx, gy, gt = [goal, goal], [yr[0], ytop], [f"goal weight {num(goal, 4)}", ""]  # labelled at the bottom
    else:
        gx, gy, gt = [], [], []
    traces = {
        BOWL_CURVE: {"xlin": live.linspace(lo, hi, LIVE_CURVE_POINTS), "y": live.enc(ys, 5)},
        BOWL_GOAL: {"x": live.enc(gx), "y": live.enc(gy), "text": gt},
        BOWL_PATH: {"x": live.enc(px), "y": live.enc(py)},
        BOWL_OFF: {"x": live.enc(ox), "y": live.enc(oy)},
    }
    if upto is None:
        traces[BOWL_PATH]["prefix"] = traces[BOWL_OFF]["prefix"] = 1
    layout = {"xaxis": {"range": [float(lo), float(hi)]}, "yaxis": {"range": [float(yr[0]), float(yr[1])]}}
    return traces, layout, (lo, hi, yr)


def _on_chart(w, e, lo, hi, ytop) -> bool:
    return math.isfinite(w) and math.isfinite(e) and lo <= w <= hi and e <= ytop


def bowl_frame(r: dict, box: tuple) -> dict:
    """Iteration ``r``'s moving parts of the bowl: tangent, current weight, the step it takes."""
    lo, hi, yr = box
    w, e = r["weight"], r["error"]
    if not _on_chart(w, e, lo, hi, yr[1]):
        return {BOWL_TANGENT: {"x": "", "y": ""}, BOWL_NOW: {"x": "", "y": ""}, BOWL_STEP: {"x": "", "y": ""}}
    s = ow.slope(w, r["input"], r["goal_pred"])
    h = (hi - lo) * 0.12
    nw = r.get("new_weight")
    step = {"x": "", "y": ""}
    if nw is not None and math.isfinite(nw) and nw != w:
        step = {"x": live.enc([w, min(max(nw, lo), hi)]), "y": live.enc([e, e])}
    return {BOWL_TANGENT: {"x": live.enc([w - h, w + h]), "y": live.enc([e - s * h, e + s * h])},
            BOWL_NOW: {"x": live.enc([w]), "y": live.enc([e])}, BOWL_STEP: step}


def hot_cold_frame(r: dict, box: tuple) -> dict:
    lo, hi, yr = box
    w, step = r["weight"], r["step_amount"]
    out = {}
    for idx, x, y in ((HC_UP, w + step, r["up_error"]), (HC_DOWN, w - step, r["down_error"])):
        ok = _on_chart(x, y, lo, hi, yr[1])
        out[idx] = {"x": live.enc([x] if ok else []), "y": live.enc([y] if ok else [])}
    ok = _on_chart(w, r["error"], lo, hi, yr[1])
    out[HC_NOW] = {"x": live.enc([w] if ok else []), "y": live.enc([r["error"]] if ok else [])}
    return out


def _hot_cold_points(r: dict, lo: float, hi: float, ytop: float) -> dict:
    """:func:`hot_cold_frame` written out for a whole run's frames (no list, no :func:`live.enc`
    per point): a point on the chart is finite, so its text is its 6 significant digits."""
    w, step = r["weight"], r["step_amount"]
    out = {}
    for idx, x, y in ((HC_UP, w + step, r["up_error"]), (HC_DOWN, w - step, r["down_error"]), (HC_NOW, w, r["error"])):
        if math.isfinite(x) and math.isfinite(y) and lo <= x <= hi and y <= ytop:
            out[idx] = {"x": format(x, ".6g"), "y": format(y, ".6g")}
        else:
            out[idx] = {"x": "", "y": ""}
    return out


ERR_CURSOR = "cursor"
#: Live charts put their legend above the plot: below, it ran into the x-axis title on narrow screens.
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0)


def errors_template(labels: Sequence[str], n: int, *, lecture: bool = False, log: bool = True,
                    key: str = "error", name: str | None = None) -> dict:
    """Error per iteration with a line per run (``labels``) and the cursor as the last trace."""
    colors = [theme.CURRENT, theme.COLORS["blue"], theme.COLORS["green"], theme.COLORS["orange"]]
    fig = theme.Plain()
    for i, label in enumerate(labels):
        fig.add_trace("scatter", x=[], y=[], mode=theme.line_mode(n), name=label,
                      line=dict(color=colors[i % len(colors)], width=3), marker=dict(size=6),
                      hovertemplate=f"iteration %{{x}}<br>{key} %{{y:.6g}}<extra>{label}</extra>")
    fig.add_trace("scatter", x=[], y=[], mode="lines", name="this iteration", showlegend=False,
                  line=dict(color="#444", width=1.5), hoverinfo="skip")
    fig.update_xaxes(range=[0.5, n + 0.5], title_text="iteration")
    if log:
        fig.update_yaxes(type="log", exponentformat="power", dtick=1)  # decades only: no "2 5 2 5" between them
    fig.update_yaxes(title_text=name or (f"{key} (log scale)" if log else key))
    fig.update_layout(legend=LEGEND_ABOVE)
    return fig.figure(lecture=lecture, height=320 if not lecture else 400).to_plotly_json()


#: A preview's error curve (a grid run while a slider is dragged) has at most this many points.
PREVIEW_POINTS = 150


def errors_run(runs: Sequence[tuple], n: int, *, log: bool = True, key: str = "error",
               preview: bool = False) -> tuple[dict, dict, list[float]]:
    """Each run's error line (trace i), the y range and the diverged markers (layout patch), and
    the y span the cursor line covers (data units). ``runs``: (run, diverged_at) pairs."""
    traces, shapes, notes = {}, [], []
    lo = hi = None
    colors = [theme.CURRENT, theme.COLORS["blue"], theme.COLORS["green"], theme.COLORS["orange"]]
    for i, (run, diverged_at) in enumerate(runs):
        ys = column(run, key)
        fin = ys[np.isfinite(ys)]
        if fin.size:  # the range from every point, thinned or not
            a, b = float(fin.min()), float(fin.max())
            a, b = (max(a, 1e-300), max(b, 1e-300)) if log else (a, b)
            lo, hi = (a, b) if lo is None else (min(lo, a), max(hi, b))
        xs = None
        if preview and len(ys) > PREVIEW_POINTS:  # thinned, always keeping the last point
            keep = np.unique(np.append(np.arange(0, len(ys), -(-len(ys) // PREVIEW_POINTS)), len(ys) - 1))
            xs, ys = (keep + 1).astype(float), ys[keep]
        ys = [(max(y, 1e-300) if log else y) if math.isfinite(y) else None for y in ys.tolist()]
        traces[i] = ({"xlin": live.linspace(1, len(ys), len(ys))} if xs is None else {"x": live.enc(xs)}) | {"y": live.enc(ys, 6)}
        if diverged_at:
            shapes.append(dict(type="line", x0=diverged_at, x1=diverged_at, xref="x", y0=0, y1=1, yref="y domain",
                               line=dict(color=colors[i % len(colors)], dash="dot", width=2)))
            notes.append(dict(showarrow=False, text=f"diverged at iteration {diverged_at}", x=diverged_at, xanchor="right",
                              xref="x", y=1, yanchor="top", yref="y domain"))
    layout: dict = {"shapes": shapes, "annotations": notes}
    span = [0.0, 1.0]
    if lo is not None:
        if log:
            lo_l, hi_l = math.log10(lo), math.log10(hi)
            pad = max((hi_l - lo_l) * 0.06, 0.3, (1.6 - (hi_l - lo_l)) / 2)  # at least one decade's label shows
            bottom, top = max(lo_l - pad, -320.0), min(hi_l + pad, 308.0)  # 10 ** 309 overflows
            layout["yaxis"] = {"range": [bottom, top], "dtick": max(1, math.ceil((top - bottom) / 7))}
            span = [10 ** bottom, 10 ** top]
        else:
            pad = (hi - lo) * 0.08 or 1.0
            bottom, top = max(lo - pad, -1.7e308), min(hi + pad, 1.7e308)
            layout["yaxis"] = {"range": [bottom, top]}
            span = [bottom, top]
    return traces, layout, span


def errors_cursor(i: int, span: Sequence[float]) -> dict:
    return {"x": live.enc([i + 1, i + 1]), "y": live.enc(span, 8)}


def _metrics_gd(r: dict) -> list[list[str]]:
    return [["pred", num(r["pred"])], ["error", num(r["error"], 4)],
            ["weight_delta", num(r["weight_delta"], 4)],
            ["slope", num(ow.slope(r["weight"], r["input"], r["goal_pred"]), 4) if math.isfinite(r["weight"]) else "—"]]


def _rows(lines) -> list[list[str]]:
    return [[ln.phase, ln.name, ln.formula, ln.numbers, ln.value] for ln in lines]


def _diverged_notice(run) -> str:
    return (f"Diverged at iteration {run.diverged_at}: the numbers overflowed to inf/nan. "
            "The charts show the run up to there; try a smaller alpha.") if run.diverged_at else ""


INPUT_NOTES = {
    "zero": "input is 0: the prediction is 0 whatever the weight, so weight_delta is 0 — the weight "
            "cannot learn from this example.",
    "negative": "input is negative: to raise the prediction the weight must go down. weight_delta "
                "carries the sign of input, so the step turns round by itself.",
}


def gd_view(run, at: int | None = None) -> dict:
    """A2's view of one run: the bowl with tangent and step, the error per iteration, pred /
    error / weight_delta / slope and the arithmetic of each iteration."""


    recs = run.records
    n = len(recs)
    bowl_t, bowl_l, box = bowl_run(run, upto=at)
    err_t, err_l, span = errors_run([(run, run.diverged_at)], n, preview=at is not None)
    r0 = recs[0]
    notes = [INPUT_NOTES["zero"]] if r0["input"] == 0 else [INPUT_NOTES["negative"]] if r0["input"] < 0 else []
    frames = {}
    for i in live.frames_for(n, at):
        r = recs[i]
        frames[i] = {"traces": {"bowl": bowl_frame(r, box), "errors": {1: errors_cursor(i, span)}},
                     "metrics": _metrics_gd(r),
                     "arith": {"title": f"The arithmetic of iteration {i + 1}", "rows": _rows(A.gd_arithmetic(r))},
                     "notes": notes}
    return {"n": n, "run": {"bowl": bowl_t, "errors": err_t}, "layout": {"bowl": bowl_l, "errors": err_l},
            "frames": frames, "notice": _diverged_notice(run)}


def gd_charts(run, *, lecture: bool = False) -> dict:
    n = len(run.records)
    return {"bowl": bowl_template(n, lecture=lecture), "errors": errors_template(["error"], n, lecture=lecture)}


MOVES = {"up": "up ▲", "down": "down ▼", "stay": "stay"}


def hot_cold_view(run, at: int | None = None) -> dict:
    """A1's view: the error curve with the two probes, the error per iteration, the move."""


    recs = run.records
    n = len(recs)
    bowl_t, bowl_l, box = bowl_run(run, upto=at)
    err_t, err_l, span = errors_run([(run, run.diverged_at)], n, preview=at is not None)
    frames = {}
    cursor_y = live.enc(span, 8)  # errors_cursor's y: the same span in every frame
    lo, hi, yr = box
    ytop = yr[1]
    wanted = list(live.frames_for(n, at))
    rs = [recs[i] for i in wanted]
    ex = formatting.RecordTexts(rs)  # every frame's numbers written at once per key and option
    pred6, error4 = ex.get("pred", 6), ex.get("error", 4)
    for j, (i, r) in enumerate(zip(wanted, rs)):
        k = live.enc([i + 1])
        frames[i] = {"traces": {"curve": _hot_cold_points(r, lo, hi, ytop), "errors": {1: {"x": f"{k},{k}", "y": cursor_y}}},
                     "metrics": [["pred", pred6[j][0]], ["error", error4[j][0]], ["move", MOVES[r["move"]]]],
                     "arith": {"title": f"The arithmetic of iteration {i + 1}",
                               "rows": A.hot_cold_rows(r, None, (ex, j))},
                     "notes": []}
    return {"n": n, "run": {"curve": bowl_t, "errors": err_t}, "layout": {"curve": bowl_l, "errors": err_l},
            "frames": frames, "notice": _diverged_notice(run)}


def hot_cold_charts(run, *, lecture: bool = False) -> dict:
    n = len(run.records)
    return {"curve": bowl_template(n, lecture=lecture, hot_cold=True), "errors": errors_template(["error"], n, lecture=lecture)}


class Pair:
    """Two runs from the same start with different alphas (A3): ``a`` and ``b``; ``records`` is the
    longer one's (the timeline's length)."""

    def __init__(self, a, b):
        self.a, self.b = a, b
        self.records = a.records if len(a.records) >= len(b.records) else b.records
        self.diverged_at = None

    def __len__(self) -> int:
        return len(self.records)


def divergence_view(pair: Pair, at: int | None = None) -> dict:
    """A3's view: both bowls in one weight window, both error curves, pred / error / next
    weight of each and the arithmetic of the first."""
    a, b = pair.a, pair.b
    n = max(len(a), len(b))
    r0 = a.records[0]
    first = [r["weight"] for r in a.records[:4]] + [r["weight"] for r in b.records[:4]]
    window = window_of(first, [a.records[0]["new_weight"], b.records[0]["new_weight"]], r0["input"], r0["goal_pred"])
    alpha_a, alpha_b = a.records[0]["alpha"], b.records[0]["alpha"]
    ta, la, boxa = bowl_run(a, window, upto=None if at is None else min(at, len(a) - 1))
    tb, lb, boxb = bowl_run(b, window, upto=None if at is None else min(at, len(b) - 1))
    la["title"] = {"text": f"alpha {num(alpha_a)}"}
    lb["title"] = {"text": f"alpha {num(alpha_b)}"}
    err_t, err_l, span = errors_run([(a, a.diverged_at), (b, b.diverged_at)], n, preview=at is not None)
    frames = {}
    for i in live.frames_for(n, at):
        ra, rb = a.records[min(i, len(a) - 1)], b.records[min(i, len(b) - 1)]
        notes = [f"With alpha {num(x.records[0]['alpha'])} the run stopped at iteration {x.diverged_at}: it diverged."
                 for x in (a, b) if i >= len(x)]
        frames[i] = {
            "traces": {"bowl_a": bowl_frame(ra, boxa), "bowl_b": bowl_frame(rb, boxb), "errors": {2: errors_cursor(i, span)}},
            "metrics": [[f"pred · alpha {num(alpha_a)}", num(ra["pred"])], [f"error · alpha {num(alpha_a)}", num(ra["error"], 4)],
                        [f"next weight · alpha {num(alpha_a)}", num(ra["new_weight"], 4)],
                        [f"pred · alpha {num(alpha_b)}", num(rb["pred"])], [f"error · alpha {num(alpha_b)}", num(rb["error"], 4)],
                        [f"next weight · alpha {num(alpha_b)}", num(rb["new_weight"], 4)]],
            "arith": {"title": f"The arithmetic of iteration {min(i, len(a) - 1) + 1} with alpha {num(alpha_a)}",
                      "rows": _rows(A.gd_arithmetic(ra))},
            "notes": notes}
    notice = " ".join(f"With alpha {num(x.records[0]['alpha'])}: diverged at iteration {x.diverged_at} "
                      "(the numbers overflowed)." for x in (a, b) if x.diverged_at)
    return {"n": n, "run": {"bowl_a": ta, "bowl_b": tb, "errors": err_t},
            "layout": {"bowl_a": la, "bowl_b": lb, "errors": err_l}, "frames": frames, "notice": notice}


def divergence_charts(pair: Pair, *, lecture: bool = False) -> dict:
    n = len(pair)
    return {"bowl_a": bowl_template(n, lecture=lecture, title="alpha"),
            "bowl_b": bowl_template(n, lecture=lecture, title="alpha"),
            "errors": errors_template(["alpha a", "alpha b"], n, lecture=lecture)}
